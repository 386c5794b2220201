#!/usr/bin/env bash
# test_ch00_entropy.sh -- ch00's output contract: flags, bad distributions,
# summary values against awk, the infinite KL, files.
. tests/lib.sh
bin=$BINDIR/ch00_entropy

check_help "$bin" p q logits label pairs seed out

# Invalid distributions: one line naming the flag, exit 2.
check_rejects "negative entry" '--p: -0.1 is out of range \[0,1\]' \
    "$bin" --p -0.1,1.1
check_rejects "entry above 1" '--q: 1.5 is out of range \[0,1\]' \
    "$bin" --q 1.5,-0.5
check_rejects "sum is not 1" '--p: entries sum to 0.5, not 1' \
    "$bin" --p 0.2,0.3
check_rejects "sum off by 2e-9" '--q: entries sum to 1.000000002, not 1' \
    "$bin" --q 0.5,0.500000002
check_rejects "different lengths" '--q: has 3 entries, --p has 2' \
    "$bin" --q 0.2,0.3,0.5
check_rejects "empty distribution" \
    "--p: '' is not a comma-separated list of numbers" "$bin" --p ''
check_rejects "empty entry" \
    "--q: '0.5,,0.5' is not a comma-separated list of numbers" \
    "$bin" --q 0.5,,0.5
check_rejects "not a number" "--p: 'x' is not a finite number" \
    "$bin" --p x,0.5
check_rejects "label out of range" \
    '--label: 3 is not below the number of logits \(3\)' "$bin" --label 3
check_rejects "negative label" '--label: -1 is out of range' \
    "$bin" --label -1
check_rejects "pairs above 1e6" '--pairs: 2000000 is out of range' \
    "$bin" --pairs 2000000
check_rejects "unknown flag" '--bogus: unknown flag' "$bin" --bogus
check_rejects "missing value" '--logits: needs a value' "$bin" --logits
"$bin" --q 0.5,0.5000000001 --pairs 10 --out "$TMP/r0" >/dev/null 2>&1
check "a sum off by 1e-10 (rounding) is accepted" test $? -eq 0

out=$TMP/run
"$bin" --pairs 1000 --out "$out" >"$TMP/a"
check "quick run exits 0" test $? -eq 0
# The defaults p = (0.1, 0.9), q = (0.5, 0.5), evaluated again in awk.
# near NAME KEY AWK-EXPRESSION [TOL]: summary_near on the quick run.
near() { summary_near "$TMP/a" "$@"; }
near "H(p) in nats" entropy_p_nats "-(0.1*log(0.1) + 0.9*log(0.9))"
near "H(p) in bits" entropy_p_bits \
    "-(0.1*log(0.1) + 0.9*log(0.9))/log(2)"
near "H(p,q) = 1 bit" cross_entropy_pq_bits 1
near "KL(p||q)" kl_pq_nats "0.1*log(0.2) + 0.9*log(1.8)"
near "KL(q||p)" kl_qp_nats "0.5*log(5) + 0.5*log(5/9)"
near "H(p,q) - H(p) = KL(p||q)" cross_entropy_minus_entropy_nats \
    "0.1*log(0.2) + 0.9*log(1.8)"
near "note 000's cross-entropy is -1 bit" note000_cross_entropy_bits -1
near "softmax CE loss for logits 2,1,0.1, label 0" softmax_ce_loss \
    "log(exp(2) + exp(1) + exp(0.1)) - 2"
check_num "random pairs: KL >= 0" \
    "$(summary_value "$TMP/a" random_pairs_min_kl)" ">=" 0
check_num "gradient = finite differences" \
    "$(summary_value "$TMP/a" softmax_ce_grad_max_fd_error)" "<" 1e-7
gap=$(awk -v a="$(summary_value "$TMP/a" kl_pm_nats)" \
    -v b="$(summary_value "$TMP/a" kl_mq_nats)" \
    -v c="$(summary_value "$TMP/a" kl_pq_nats)" 'BEGIN { print c - a - b }')
check_num "the midpoint breaks the triangle by over 0.16" "$gap" ">" 0.16
check "binary.tsv has its header" \
    grep -q "^x	entropy_bits	kl_to_fair_bits	kl_from_fair_bits$" \
    "$out/binary.tsv"
check "binary.tsv has 199 rows" test "$(wc -l <"$out/binary.tsv")" -eq 200
check "run names the files it wrote" grep -q "^wrote: $out/binary.tsv$" \
    "$TMP/a"
check "no temporary file left" test -z "$(ls "$out" | grep '\.tmp$')"

# q = 0 where p > 0: KL and H(p,q) are infinite, said so, no crash.
"$bin" --p 0.5,0.5 --q 1,0 --pairs 10 --out "$out" >"$TMP/inf"
check "q = 0 under p > 0 runs" test $? -eq 0
check "KL(p||q) = inf" test "$(summary_value "$TMP/inf" kl_pq_nats)" = inf
check "the run says why" grep -q "gives probability 0" "$TMP/inf"
check_num "KL(q||p) = ln 2 stays finite" \
    "$(summary_value "$TMP/inf" kl_qp_nats)" "==" 0.6931471806

check_seeds "other random pairs" random_pairs_min_kl 7 \
    "$bin" --pairs 1000 --out "$out"
check_fails "unwritable output folder" 'cannot|not a folder' \
    "$bin" --pairs 10 --out /proc/version/x
check_summary
