#!/usr/bin/env bash
# test_ch04_sparse_ae.sh -- ch04's output contract and its claim: the KL
# penalty (4.4) holds the mean hidden activation at rho.
. tests/lib.sh
bin=$BINDIR/ch04_sparse_ae

check_help "$bin" penalty rho beta hidden loss epochs batch lr data \
    train-size threads seed out

check_rejects "unknown penalty" "--penalty: 'l2' is not one of kl\|l1" \
    "$bin" --penalty l2
check_rejects "rho 0" '--rho: 0 is out of range' "$bin" --rho 0
check_rejects "rho 1" '--rho: 1 is out of range' "$bin" --rho 1
check_rejects "rho not a number" "--rho: 'low' is not a finite number" \
    "$bin" --rho low
check_rejects "negative beta" '--beta: -1 is out of range' "$bin" --beta -1
check_rejects "hidden 0" '--hidden: 0 is out of range' "$bin" --hidden 0
check_rejects "unknown loss" "--loss: 'l1' is not one of mse\|bce" \
    "$bin" --loss l1
check_rejects "epochs 1.5" "--epochs: '1.5' is not a whole number" \
    "$bin" --epochs 1.5
check_rejects "unknown flag" '--sparsity: unknown flag' "$bin" --sparsity 1
check_missing_data "$bin"

# The default run: beta = 30, rho = 0.05, 196 units, 10 epochs. Seeds 1-3
# put the mean activation of the test images at 0.054-0.057: a little
# above rho, because the reconstruction pulls every unit up while the
# penalty's pull vanishes at rho. The task asks for 0.02; without the
# penalty the same run gives 0.54 (see below). Under the sanitizers
# (products 25 times slower), and on the plain layer (REF=1), a run of 1000 images, 64 units and 3 epochs
# stands in; it lands at 0.062-0.072 (seeds 1-3), so its bound is 0.035.
out=$TMP/run
if short_run; then
    "$bin" --train-size 1000 --epochs 3 --hidden 64 --out "$out" >"$TMP/a"
    tol=0.035
else
    "$bin" --out "$out" >"$TMP/a"
    tol=0.02
fi
check "run exits 0" test $? -eq 0
m=$(summary_value "$TMP/a" mean_activation)
check_num "mean hidden activation within $tol of rho = 0.05 (got $m)" \
    "$(awk -v m="$m" 'BEGIN { d = m - 0.05; print d < 0 ? -d : d }')" \
    "<=" "$tol"
check "histogram.tsv: header and 100 bins" \
    test "$(wc -l <"$out/histogram.tsv")" -eq 101
units=$(awk -F'\t' 'NR > 1 { n += $2 } END { print n }' "$out/histogram.tsv")
check "histogram.tsv counts every unit once" \
    test "$units" -eq "$(short_run && echo 64 || echo 196)"
for f in filters.png histogram.tsv loss.tsv; do
    check "run names $f" grep -q "^wrote: $out/$f$" "$TMP/a"
done
check "progress shows the penalty" \
    grep -Eq '^sae epoch +1/[0-9]+  train [0-9.]+ \+ penalty [0-9.]+' "$TMP/a"

# What follows checks numbers, not memory: not under the sanitizers
# (gradcheck_ch04_sparse_ae runs the L1 path there).
short_run && check_summary

# The same short run without the penalty, and with L1 (4.7): without it
# the units are on most of the time (0.89-0.92 for seeds 1-2); L1 has no
# target and only pushes down (measured 0.03 at beta 3 on the full run).
small="--train-size 1000 --epochs 3 --hidden 64"
"$bin" $small --beta 0 --out "$TMP/none" >"$TMP/none.out"
check_num "beta 0: mean activation far above rho (> 0.5)" \
    "$(summary_value "$TMP/none.out" mean_activation)" ">" 0.5
check "beta 0: no penalty in the progress lines" \
    bash -c "! grep -q penalty <(grep '^sae epoch' '$TMP/none.out')"
"$bin" $small --penalty l1 --beta 3 --out "$TMP/l1" >"$TMP/l1.out"
check_num "L1 at beta 3: mean activation below the unpenalised 0.5" \
    "$(summary_value "$TMP/l1.out" mean_activation)" "<" 0.5
check_summary
