#!/usr/bin/env bash
# test_ch02_kl_diag.sh -- ch02's output contract: flags, errors, summary
# values against awk, Monte Carlo within 4 SE, files.
. tests/lib.sh
bin=$BINDIR/ch02_kl_diag

check_help "$bin" mu1 var1 mu2 var2 dim samples seed out

check_rejects "zero variance" '--var1: 0 is out of range \(0,1e6\]' \
    "$bin" --var1 1,0,1
check_rejects "negative variance" '--var2: -1 is out of range' \
    "$bin" --var2 1,-1,1
check_rejects "var1 shorter than mu1" '--var1: has 2 entries, --mu1 has 3' \
    "$bin" --var1 1,1
check_rejects "mu2 longer than mu1" '--mu2: has 4 entries, --mu1 has 3' \
    "$bin" --mu2 0,0,0,0
check_rejects "var2 of another length" '--var2: has 1 entries, --mu1 has 2' \
    "$bin" --mu1 0,0 --var1 1,1 --mu2 0,0 --var2 1
check_rejects "empty list" \
    "--mu1: '' is not a comma-separated list of numbers" "$bin" --mu1 ''
check_rejects "not a number" "--mu2: '1,x' is not a finite number|'x'" \
    "$bin" --mu2 1,x,0
check_rejects "dim 0" '--dim: 0 is out of range \[1,64\]' "$bin" --dim 0
check_rejects "dim 65" '--dim: 65 is out of range' "$bin" --dim 65
check_rejects "one sample has no standard error" \
    '--samples: 1 is out of range' "$bin" --samples 1
check_rejects "samples above 1e7" '--samples: 20000000 is out of range' \
    "$bin" --samples 20000000
check_rejects "unknown flag" '--sigma1: unknown flag' "$bin" --sigma1 1
check_rejects "positional argument" "'3': unexpected argument" "$bin" 3

out=$TMP/run
"$bin" --samples 20000 --out "$out" >"$TMP/a"
check "quick run exits 0" test $? -eq 0
# The defaults, evaluated again in awk: p1 = N((1,-0.5,0), diag(0.25,2,1.5)),
# p2 = N((0,0,0.5), diag(1,2,0.5)).
kl='0.5*(log(1/0.25) - 1 + (0.25 + 1)/1 + log(2/2) - 1 + (2 + 0.25)/2'
kl+=' + log(0.5/1.5) - 1 + (1.5 + 0.25)/0.5)'
# near NAME KEY AWK-EXPRESSION [TOL]: summary_near on the quick run.
near() { summary_near "$TMP/a" "$@"; }
near "(2.8) = awk" kl_diag "$kl" 1e-9
near "(2.4) through Cholesky = awk" kl_diag_via_full "$kl" 1e-9
near "sum of 1-D KLs = awk" kl_diag_sum_1d "$kl" 1e-9
vae='0.5*(1 + 0.25 - log(0.25) - 1 + 0.25 + 2 - log(2) - 1'
vae+=' + 0 + 1.5 - log(1.5) - 1)'
near "VAE term (2.9) = awk" vae_kl "$vae" 1e-9
near "note 003's form = awk" note003_encoder_kl "$vae" 1e-9
near "note 002, sigma as variance = awk" \
    note002_kl_sigma_as_variance "$vae" 1e-9
near "note 002, sigma as std deviation = awk's misreading" \
    note002_kl_sigma_as_sd "0.5*(-log(0.5) - 0.5*log(2) - 0.5*log(1.5) - 3 \
    + 0.5 + sqrt(2) + sqrt(1.5) + 1.25)" 1e-9
near "note 002's density has mass sqrt(2 pi)" \
    note002_density_mass_2d "sqrt(2*atan2(0,-1))" 1e-8
near "(2.1) has mass 1" density_mass_2d 1 1e-9
check_num "non-SPD matrix reported at pivot 2" \
    "$(summary_value "$TMP/a" non_spd_pivot)" == 2
check_num "(2.10) = finite differences" \
    "$(summary_value "$TMP/a" vae_kl_grad_max_fd_error)" "<" 1e-6
# z_within_4 NAME ESTIMATE-KEY SE-KEY EXACT-KEY: |estimate - exact| < 4 SE.
z_within_4() {
    local z
    z=$(awk -v m="$(summary_value "$TMP/a" "$2")" \
        -v s="$(summary_value "$TMP/a" "$3")" \
        -v w="$(summary_value "$TMP/a" "$4")" \
        'BEGIN { d = (m - w) / s; print d < 0 ? -d : d }')
    check_num "$1" "$z" "<" 4
}
z_within_4 "diagonal pair: Monte Carlo within 4 SE" \
    kl_diag_monte_carlo kl_diag_monte_carlo_se kl_diag
z_within_4 "random full pair: Monte Carlo within 4 SE" \
    kl_full_monte_carlo kl_full_monte_carlo_se kl_full
check_num "the figure's 12 Monte Carlo points within 4 SE" \
    "$(summary_value "$TMP/a" rho_monte_carlo_max_abs_z)" "<" 4
check "kl_vs_rho.tsv has its header" \
    grep -q "^rho	kl_corr_to_diag	kl_diag_to_corr$" "$out/kl_vs_rho.tsv"
check "kl_vs_rho.tsv has 96 rows" test "$(wc -l <"$out/kl_vs_rho.tsv")" -eq 97
check "kl_vs_rho_mc.tsv has 6 rows" \
    test "$(wc -l <"$out/kl_vs_rho_mc.tsv")" -eq 7
check "run names the files it wrote" \
    grep -q "^wrote: $out/kl_vs_rho_mc.tsv$" "$TMP/a"
check "no temporary file left" test -z "$(ls "$out" | grep '\.tmp$')"

# A 1-D pair from the flags against awk's (1.6).
"$bin" --mu1 0.3 --var1 2 --mu2 -1 --var2 0.5 --dim 10 --samples 20000 \
    --out "$out" >"$TMP/d"
check "1-D pair and d = 10 run" test $? -eq 0
check_num "1-D pair = awk's (1.6)" "$(awk \
    -v g="$(summary_value "$TMP/d" kl_diag)" 'BEGIN {
    w = log(sqrt(0.5)/sqrt(2)) + (2 + 1.3^2)/(2*0.5) - 0.5;
    d = g - w; print d < 0 ? -d : d }')" "<" 1e-9

check_seeds "another random pair" kl_full 2 \
    "$bin" --samples 20000 --out "$out"
check_fails "unwritable output folder" 'cannot|not a folder' \
    "$bin" --samples 100 --out /proc/version/x
check_summary
