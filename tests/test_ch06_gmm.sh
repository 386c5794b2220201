#!/usr/bin/env bash
# test_ch06_gmm.sh -- ch06's output contract: flags, errors, summary, files.
. tests/lib.sh
bin=$BINDIR/ch06_gmm

check_help "$bin" samples components iters tol x sigma draws repeats seed \
    out

check_rejects "unknown flag" '--bogus: unknown flag' "$bin" --bogus
check_rejects "zero components" '--components.*out of range' \
    "$bin" --components 0
check_rejects "more components than supported" \
    '--components.*out of range \[1,8\]' "$bin" --components 9
check_rejects "components not a number" \
    "--components: 'three' is not a whole number" "$bin" --components three
check_rejects "too few samples" '--samples.*out of range' "$bin" --samples 10
check_rejects "samples with junk" "--samples: '2e4' is not a whole number" \
    "$bin" --samples 2e4
check_rejects "zero iterations" '--iters.*out of range' "$bin" --iters 0
check_rejects "negative tolerance" '--tol.*out of range' "$bin" --tol -1
check_rejects "x outside the decoder's reach" '--x.*out of range' \
    "$bin" --x 5
check_rejects "sigma = 0" '--sigma.*out of range' "$bin" --sigma 0
check_rejects "NaN sigma" "--sigma: 'nan' is not a finite number" \
    "$bin" --sigma nan
check_rejects "too few draws" '--draws.*out of range' "$bin" --draws 1
check_rejects "missing value" '--seed: needs a value' "$bin" --seed
check_rejects "positional argument" "'extra': unexpected argument" \
    "$bin" extra

out=$TMP/run
quick="--samples 5000 --repeats 20 --draws 4000"
"$bin" $quick --out "$out" >"$TMP/a"
check "quick run exits 0" test $? -eq 0
v() { summary_value "$TMP/a" "$1"; }
# |a - b| / se, by awk
zscore() { awk -v a="$1" -v b="$2" -v s="$3" \
    'BEGIN { d = (a - b) / s; print d < 0 ? -d : d }'; }
check_num "1-D KS p-value above 1%" "$(v mix1_ks_p)" ">=" 0.01
check_num "2-D KS p-value above 1%/4" "$(v mix2_ks_p_min)" ">=" 0.0025
check_num "1-D moments within 4 SE" "$(v mix1_moment_z_max)" "<" 4
check_num "2-D moments within 4 SE" "$(v mix2_moment_z_max)" "<" 4
check_num "1-D EM never went down" "$(v em1_decreases)" == 0
check_num "2-D EM never went down" "$(v em2_decreases)" == 0
check_num "1-D EM means within 0.1" "$(v em1_mean_error)" "<" 0.1
check_num "2-D EM means within 0.1" "$(v em2_mean_error)" "<" 0.1
check_num "EM reaches at least the truth's log-likelihood (1-D)" \
    "$(v em1_loglik)" ">=" "$(v em1_loglik_truth)"
px=$(v latent_p_quadrature)
check_num "naive MC within 4 SE of quadrature" \
    "$(zscore "$(v latent_p_naive)" "$px" "$(v latent_se_naive)")" "<" 4
check_num "importance sampling within 4 SE of quadrature" \
    "$(zscore "$(v latent_p_importance)" "$px" "$(v latent_se_importance)")" \
    "<" 4
check_num "weight variance ratio >= 10" "$(v latent_weight_var_ratio)" ">=" 10
check_num "spread variance ratio >= 10" "$(v latent_spread_var_ratio)" ">=" 10
check_num "grid sum with h = 0.001 is 1000 p(x)" \
    "$(zscore "$(v grid_sum_h0.001)" "$(awk -v p="$px" \
        'BEGIN { printf "%.12g", 1000 * p }')" "$px")" "<" 1e-6
check_num "plain sum of 3 Gaussians has mass 3" \
    "$(zscore "$(v mass_plain_sum)" 3 1)" "<" 1e-9
check_num "the mixture has mass 1" "$(zscore "$(v mass_mixture_2d)" 1 1)" \
    "<" 1e-9
check "every table has its header" \
    grep -q "^draws	naive_lo	naive_mid	naive_hi	is_lo	is_mid	is_hi$" \
    "$out/latent_estimates.tsv"
for f in mixture1d_density mixture1d_hist em1d_loglik em2d_loglik \
         samples2d ellipses2d latent_px latent_hist latent_posterior \
         latent_estimates; do
    check "run names $f.tsv" grep -q "^wrote: $out/$f.tsv$" "$TMP/a"
done
check "EM curve has one row per iteration" test \
    "$(($(wc -l <"$out/em1d_loglik.tsv") - 2))" -eq "$(v em1_iterations)"
check "no temporary file left" test -z "$(ls "$out" | grep '\.tmp$')"

check_seeds "another estimate" latent_p_naive 2 "$bin" $quick --out "$out"

"$bin" $quick --components 5 --out "$out" >"$TMP/d"
check "5 components: runs" test $? -eq 0
check_num "5 components: EM never went down" \
    "$(summary_value "$TMP/d" em1_decreases)" == 0
check "5 components: no matching, so no mean error reported" \
    test -z "$(summary_value "$TMP/d" em1_mean_error)"

check_fails "unwritable output folder" 'cannot|not a folder' \
    "$bin" --samples 100 --repeats 10 --out /proc/version/x
check_summary
