#!/usr/bin/env bash
# test_robust_flags.sh -- the command-line rules every program shares
# (common/cli.c), checked on all ten: flags written in full with the
# near misses named (D12), a value that under- or overflows a double
# (D9), a long path shortened in an error line with its reason kept
# (D10), standard output that cannot be written (D7), and --out checked
# before any work (D3). Each check runs in well under a second.
. tests/lib.sh
all="ch00_entropy ch01_kl1d ch02_kl_diag ch03_ae ch04_sparse_ae ch09_cgan
     ch05_denoising_ae ch06_gmm ch07_vae ch08_cvae"

# D12: the rule is exact names only; a prefix is an error naming the
# flag(s) it begins, "--flag=value" works, a flag without a value takes
# no "=", and a value after a space may not be another flag.
for p in $all; do
    bin=$BINDIR/$p
    check_rejects "$p: --ou is no flag, --out named" \
        '^[a-z0-9_]+: --ou: unknown flag; did you mean --out\?' \
        "$bin" --ou "$TMP/x"
    check_rejects "$p: --out --seed 3 is a missing value, not a folder" \
        "--out: needs a value, not the flag '--seed'" \
        "$bin" --out --seed 3
    check "$p: no folder named --seed made" test ! -e ./--seed
    check_rejects "$p: --seed=x parsed as --seed x" \
        "--seed: 'x' is not a whole number" "$bin" --seed=x
    check_rejects "$p: --help=1 is not help" "--help=1: unknown flag" \
        "$bin" --help=1
done
check_rejects "ch07: --lat 3 names --latent" \
    '--lat: unknown flag; did you mean --latent\?' \
    "$BINDIR/ch07_vae" --lat 3
check_rejects "ch07: --e is ambiguous, both flags named" \
    '--e: unknown flag, ambiguous: it begins --epochs, --eval-samples' \
    "$BINDIR/ch07_vae" --e 3
check_rejects "ch07: --binarize=1 takes no value" \
    '--binarize: takes no value' "$BINDIR/ch07_vae" --binarize=1
check_rejects "ch01: --out --samples refused" \
    "--out: needs a value, not the flag '--samples'" \
    "$BINDIR/ch01_kl1d" --out --samples
check "ch01: no folder named --samples" test ! -e ./--samples
out=$TMP/eq
"$BINDIR/ch01_kl1d" --samples=2000 --out="$out" >"$TMP/eq.log"
check "ch01: --samples=2000 --out=DIR run exits 0" test $? -eq 0
check "ch01: --out=DIR wrote there" test -s "$out/kl_vs_mu.tsv"
check_rejects "ch01: --mu1=-3 is fine, --sigma1=-1 out of range" \
    '--sigma1: -1 is out of range' "$BINDIR/ch01_kl1d" --mu1=-3 --sigma1=-1

# D9: 1e-320 is a double only as a denormal, 1e400 not at all.
check_rejects "ch07: --lr 1e-320 underflows" \
    "--lr: '1e-320' is too small for a double \(underflows" \
    "$BINDIR/ch07_vae" --lr 1e-320
check_rejects "ch01: --mu1 1e400 overflows" \
    "--mu1: '1e400' is too large for a double \(overflows" \
    "$BINDIR/ch01_kl1d" --mu1 1e400
check_rejects "ch01: --mu1 inf is not finite" \
    "--mu1: 'inf' is not a finite number" "$BINDIR/ch01_kl1d" --mu1 inf

# D10: a 5,000-character --data; the line keeps the reason, short.
long=$(printf 'd%.0s' $(seq 5000))
for p in ch03_ae ch07_vae; do
    "$BINDIR/$p" --data "$TMP/$long" --out "$TMP/o10" >/dev/null \
        2>"$TMP/err10"
    check "$p: a long --data fails" test $? -eq 1
    check "$p: its one line is under 300 bytes" \
        test "$(wc -c <"$TMP/err10")" -lt 300
    check "$p: and keeps the reason" grep -Eq ": (path too long|no such file)" \
        "$TMP/err10"
done

# D7: standard output on a full disk is an error, not a lost summary.
if [ -w /dev/full ]; then
    for p in ch00_entropy ch01_kl1d; do
        "$BINDIR/$p" --out "$TMP/o7$p" >/dev/full 2>"$TMP/err7"
        status=$?
        check "$p > /dev/full exits 1 (got $status)" test $status -eq 1
        check "$p > /dev/full says so" \
            grep -q "cannot write standard output" "$TMP/err7"
    done
    "$BINDIR/ch07_vae" --help >/dev/full 2>/dev/null
    check "ch07 --help > /dev/full exits 1" test $? -eq 1
fi

# D3: an --out that cannot be written fails before any work. Root
# writes into a mode-555 folder, so then /proc stands in for one.
if [ "$(id -u)" = 0 ]; then ro=/proc; else
    ro=$TMP/readonly; mkdir -p "$ro"; chmod 555 "$ro"; fi
for p in $all; do
    check_fails "$p: read-only --out refused at once" \
        'cannot write into this output folder' "$BINDIR/$p" --out "$ro"
    check "$p: before printing any result" test ! -s "$TMP/out"
done
check_summary
