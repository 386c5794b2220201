#!/usr/bin/env bash
# test_ch07_plain.sh -- the plain layer trains the VAE as the fast one
# does: a short ch07 run built on each (make builds the other layer's
# ch07_vae beside its own: PLAIN_BINDIR, FAST_BINDIR), the losses of
# every epoch compared.
#
# The two layers differ only in rounding (tests/test_plain_fast.c bounds
# each function): about 1e-7 of a number per operation, which training
# carries forward and can amplify. Measured on this run: the -ELBOs of
# the two agree to 2e-8 of their size after two epochs. A different
# seed, the smallest change that is not rounding, moves the test -ELBO
# by 0.54 nats (217.74 against 217.20). The tolerance, 1e-4 of the
# loss (0.02 nats), is 5000 times the difference measured and 1/25 of
# what a seed makes: a plain layer that computes anything else fails.
. tests/lib.sh
plain=${PLAIN_BINDIR:-build/ref/bin}/ch07_vae
fast=${FAST_BINDIR:-.}/ch07_vae
run="--train-size 1000 --test-size 200 --epochs 2 --iw 10 --eval-samples 2"

check "the plain build's ch07_vae exists ($plain)" test -x "$plain"
check "the fast build's ch07_vae exists ($fast)" test -x "$fast"

# Which layer each binary holds: its symbols name the forms it runs.
if command -v nm >/dev/null; then
    check "the plain ch07_vae has no fast form in it" \
        test -z "$(nm "$plain" | grep -E ' T [a-z_]+_fast$')"
    check "the fast ch07_vae runs the fast products" \
        test -n "$(nm "$fast" | grep -E ' T mat_mul_nt_fast$')"
fi

"$plain" $run --out "$TMP/plain" >"$TMP/plain.log" 2>&1
check "ch07 on the plain layer exits 0" test $? -eq 0
"$fast" $run --threads 1 --out "$TMP/fast" >"$TMP/fast.log" 2>&1
check "ch07 on the fast layer exits 0" test $? -eq 0

# column NAME of loss.tsv, one line per epoch
column() {
    awk -F'\t' -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++)
        if ($i == name) c = i; next } { print $c }' "$1/loss.tsv"
}
for name in train_neg_elbo train_kl test_neg_elbo test_rec; do
    paste <(column "$TMP/plain" $name) <(column "$TMP/fast" $name) \
        >"$TMP/$name"
    check "$name of both epochs: plain and fast agree within 1e-4" \
        awk 'NF != 2 || $2 == 0 { exit 1 } { n++; d = $1 - $2;
             if (d < 0) d = -d; if (d > 1e-4 * ($2 < 0 ? -$2 : $2)) bad = 1 }
             END { exit bad || n != 2 }' "$TMP/$name"
done
summary() { sed -n "s/^$1 = //p" "$2"; }
p=$(summary iw_nll_k10 "$TMP/plain.log") f=$(summary iw_nll_k10 "$TMP/fast.log")
check "importance-weighted bound: plain $p, fast $f, within 1e-4" \
    awk -v p="$p" -v f="$f" 'BEGIN { d = p - f; if (d < 0) d = -d;
        exit !(f > 0 && d <= 1e-4 * f) }'
check_summary
