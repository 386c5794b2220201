#!/usr/bin/env bash
# test_ch01_kl1d.sh -- ch01's output contract: flags, errors, summary, files.
. tests/lib.sh
bin=$BINDIR/ch01_kl1d

check_help "$bin" mu1 sigma1 mu2 sigma2 samples seed out

check_rejects "sigma1 = 0 rejected" '--sigma1.*out of range' "$bin" --sigma1 0
check_rejects "negative sigma2 rejected" '--sigma2.*out of range' \
    "$bin" --sigma2 -1
check_rejects "not a number" "--mu1: 'abc' is not a finite number" \
    "$bin" --mu1 abc
check_rejects "trailing junk" "--samples: '10x' is not a whole number" \
    "$bin" --samples 10x
check_rejects "unknown flag" '--bogus: unknown flag' "$bin" --bogus
check_rejects "missing value" '--seed: needs a value' "$bin" --seed
check_rejects "positional argument" "'extra': unexpected argument" \
    "$bin" extra
check_rejects "NaN rejected" "--mu2: 'nan' is not a finite number" \
    "$bin" --mu2 nan

out=$TMP/run
"$bin" --samples 20000 --mu1 1 --sigma1 0.5 --out "$out" >"$TMP/a"
check "quick run exits 0" test $? -eq 0
# The summary must agree with an independent evaluation of (1.6) in awk.
want=$(awk 'BEGIN { m1=1; s1=0.5; m2=0; s2=1;
    printf "%.10g", log(s2/s1) + (s1*s1 + (m1-m2)^2)/(2*s2*s2) - 0.5 }')
check_num "kl_closed_form = awk's (1.6)" \
    "$(summary_value "$TMP/a" kl_closed_form)" == "$want"
q=$(summary_value "$TMP/a" kl_quadrature)
check_num "kl_quadrature within 1e-9 of awk's value" \
    "$(awk -v q="$q" -v w="$want" 'BEGIN { d = q - w; print d < 0 ? -d : d }')" \
    "<" 1e-9
mc=$(summary_value "$TMP/a" kl_monte_carlo)
se=$(summary_value "$TMP/a" kl_monte_carlo_se)
check_num "Monte Carlo within 4 SE" \
    "$(awk -v m="$mc" -v w="$want" -v s="$se" \
        'BEGIN { d = (m - w) / s; print d < 0 ? -d : d }')" "<" 4
check_num "sigma_at_minimum = 1" "$(summary_value "$TMP/a" sigma_at_minimum)" == 1
check "kl_vs_sigma.tsv has its header" \
    grep -q "^sigma	kl	minus_log_sigma	half_sigma_sq$" "$out/kl_vs_sigma.tsv"
check "kl_vs_sigma.tsv has 400 rows" test "$(wc -l <"$out/kl_vs_sigma.tsv")" -eq 401
check "run names the files it wrote" grep -q "^wrote: $out/kl_vs_mu.tsv$" "$TMP/a"
check "no temporary file left" test -z "$(ls "$out" | grep '\.tmp$')"

check_seeds "another Monte Carlo estimate" kl_monte_carlo 2 \
    "$bin" --samples 20000 --mu1 1 --sigma1 0.5 --out "$out"

check_fails "unwritable output folder" 'cannot|not a folder' \
    "$bin" --samples 100 --out /proc/version/x
check_summary
