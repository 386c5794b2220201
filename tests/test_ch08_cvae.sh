#!/usr/bin/env bash
# test_ch08_cvae.sh -- ch08's output contract: every flag and its errors
# (a digit out of range among them), a tiny run's summary and files (the
# generated IDX files hold what was asked for), the same numbers for the
# same seed, a saved judge and a saved CVAE loaded back, checkpoints of
# the wrong kind refused, bad data, and a tiny --cond half run.
. tests/lib.sh
bin=$BINDIR/ch08_cvae
# Tiny: 1000 training and 300 test images, one epoch of everything, a
# judge of 50 hidden units; quality is tests/test_ch08_cvae.c's job.
# Under the sanitizers, which run this code some 30 times slower, and on
# the plain layer (REF=1),
# tinier still.
ntrain=1000 ntest=300 per=20
if short_run; then ntrain=300 ntest=100 per=10; fi
tiny="--train-size $ntrain --test-size $ntest --epochs 1
      --classifier-epochs 1 --classifier-hidden 50 --hidden 50
      --per-digit $per --iw 10 --eval-samples 2"

check_help "$bin" data train-size test-size latent hidden decoder sigma \
    binarize epochs batch lr beta warmup eval-samples iw threads seed out \
    load cond temperature per-digit digits classifier classifier-epochs \
    classifier-hidden completions contrast sweep sweep-latents \
    temperatures

check_rejects "digit 10 is no digit" '--digits: 10 is out of range \[0,9\]' \
    "$bin" --digits 3,10
check_rejects "negative digit" '--digits: -1 is out of range' \
    "$bin" --digits -1
check_rejects "a digit must be whole" '--digits: 3.5 is not a whole digit' \
    "$bin" --digits 3.5
check_rejects "digits not a list" "--digits: '3,,4' is not a comma" \
    "$bin" --digits 3,,4
check_rejects "unknown condition" "--cond: 'left' is not one of label\|half" \
    "$bin" --cond left
check_rejects "temperature 0" '--temperature: 0 is out of range' \
    "$bin" --temperature 0
check_rejects "temperature not a number" \
    "--temperature: 'warm' is not a finite number" "$bin" --temperature warm
check_rejects "per-digit 0" '--per-digit: 0 is out of range' \
    "$bin" --per-digit 0
check_rejects "classifier epochs 0" '--classifier-epochs: 0 is out of range' \
    "$bin" --classifier-epochs 0
check_rejects "classifier hidden 0" '--classifier-hidden: 0 is out of range' \
    "$bin" --classifier-hidden 0
check_rejects "completions 0" '--completions: 0 is out of range' \
    "$bin" --completions 0
check_rejects "sweep latent 0" '--sweep-latents: 0 is out of range' \
    "$bin" --sweep-latents 2,0
check_rejects "negative temperature in the table" \
    '--temperatures: -1 is out of range' "$bin" --temperatures 1,-1
check_rejects "a latent size must be whole" \
    '--sweep-latents: 2.5 is not a whole number' "$bin" --sweep-latents 2.5
check_rejects "no sweep of the half model" '--sweep: only with --cond label' \
    "$bin" --cond half --sweep
check_rejects "no contrast for the half model" \
    '--contrast: only with --cond label' "$bin" --cond half --contrast
check_rejects "latent 0" '--latent: 0 is out of range' "$bin" --latent 0
check_rejects "unknown flag" '--bogus: unknown flag' "$bin" --bogus
check_rejects "sweep takes no value" "'yes': unexpected argument" \
    "$bin" --sweep yes
check_rejects "classifier needs a value" '--classifier: needs a value' \
    "$bin" --classifier
check_fails "missing judge file" 'no-such\.bin' \
    "$bin" $tiny --classifier "$TMP/no-such.bin" --out "$TMP/x"

out=$TMP/run
"$bin" $tiny --digits 3,5,7 --out "$out" >"$TMP/a"
check "tiny run exits 0" test $? -eq 0
for key in classifier_test_accuracy softmax_test_accuracy test_neg_elbo \
    iw_nll_k10 mixture_nll_bound conditional_accuracy \
    conditional_accuracy_class_3 conditional_accuracy_class_5 \
    conditional_accuracy_class_7 conditional_accuracy_worst_class \
    style_accuracy gray_fraction_samples seconds; do
    check "summary has $key" test -n "$(summary_value "$TMP/a" $key)"
done
check "no accuracy for a digit not asked for" \
    test -z "$(summary_value "$TMP/a" conditional_accuracy_class_0)"
acc=$(summary_value "$TMP/a" conditional_accuracy)
check_num "conditional accuracy is a fraction (>= 0)" "$acc" ">=" 0
check_num "conditional accuracy is a fraction (<= 1)" "$acc" "<=" 1
# (8.5): the bound adds -log p(y) to -log p(x|y), p(y) the training
# labels' frequencies, averaged over the test labels: recomputed here
# from the label files themselves (the bytes after their 8-byte header).
labels() { od -An -tu1 -v -j8 -N"$2" "$1" | tr -s ' ' '\n' | grep .; }
cost=$( { labels data/mnist-mini/train-labels-idx1-ubyte $ntrain |
          sed 's/^/train /'
          labels data/mnist-mini/t10k-labels-idx1-ubyte $ntest |
          sed 's/^/test /'; } |
        awk '$1 == "train" { n[$2]++; total++ }
             $1 == "test" { s -= log(n[$2] / total); m++ }
             END { printf "%.10f", s / m }')
check_num "mixture bound - (-log p(x|y)) = -log p(y) from the label files" \
    "$(awk -v m="$(summary_value "$TMP/a" mixture_nll_bound)" \
           -v c="$(summary_value "$TMP/a" iw_nll_k10)" -v w="$cost" \
           'BEGIN { d = m - c - w; print d < 0 ? -d : d }')" "<" 1e-6
for f in classifier.bin cvae.bin loss.tsv generated.png style.png \
    temperature.tsv generated-images-idx3-ubyte \
    generated-labels-idx1-ubyte; do
    check "wrote $f" test -s "$out/$f"
    check "names $f" grep -q "^wrote: $out/$f$" "$TMP/a"
done
# The IDX files: 3 digits x $per samples, their labels $per threes,
# $per fives and $per sevens (bytes 8.. of the label file), read back.
check "generated images: $((3 * per)) of 28x28 (header)" test \
    "$(od -An -tx1 -N16 "$out/generated-images-idx3-ubyte" | tr -d ' \n')" \
    = "$(printf '00000803%08x0000001c0000001c' $((3 * per)))"
check "generated images: 16 + $((3 * per))*784 bytes" \
    test "$(wc -c <"$out/generated-images-idx3-ubyte")" -eq \
    $((16 + 3 * per * 784))
check "generated labels: the digits asked for, in order" test \
    "$(labels "$out/generated-labels-idx1-ubyte" $((3 * per)) |
       tr '\n' ' ')" = \
    "$(for d in 3 5 7; do for i in $(seq $per); do printf '%s ' $d; done
       done)"
check "temperature.tsv: header and 4 temperatures" \
    test "$(wc -l <"$out/temperature.tsv")" -eq 5
check "no temporary file left" test -z "$(ls "$out" | grep '\.tmp$')"

"$bin" $tiny --digits 3,5,7 --out "$out" >"$TMP/b"
check "same seed, same numbers" cmp -s <(grep -Ev '^seconds|[0-9] s( |$)' \
    "$TMP/a") <(grep -Ev '^seconds|[0-9] s( |$)' "$TMP/b")

# The saved judge, loaded: the same accuracy, no softmax retraining.
"$bin" $tiny --classifier "$out/classifier.bin" --out "$TMP/c" >"$TMP/c.txt"
check "--classifier run exits 0" test $? -eq 0
check_num "the loaded judge scores as it did" \
    "$(summary_value "$TMP/c.txt" classifier_test_accuracy)" == \
    "$(summary_value "$TMP/a" classifier_test_accuracy)"
check "no softmax regression when the judge is loaded" \
    test -z "$(summary_value "$TMP/c.txt" softmax_test_accuracy)"
# The judge draws from its own stream: loading it changes nothing else.
"$bin" $tiny --digits 3,5,7 --classifier "$out/classifier.bin" \
    --out "$TMP/c2" >"$TMP/c2.txt"
for key in test_neg_elbo conditional_accuracy style_accuracy; do
    check_num "judge loaded, the CVAE the same: $key" \
        "$(summary_value "$TMP/c2.txt" $key)" == \
        "$(summary_value "$TMP/a" $key)"
done

# The saved CVAE, loaded: its test -ELBO again, up to the Monte Carlo
# noise of 2 draws on 300 images (a few tenths of a nat).
"$bin" $tiny --classifier "$out/classifier.bin" --load "$out/cvae.bin" \
    --out "$TMP/d" >"$TMP/d.txt"
check "--load run exits 0" test $? -eq 0
check_num "--load: the same test -ELBO within 1 nat" \
    "$(awk -v a="$(summary_value "$TMP/a" test_neg_elbo)" \
           -v b="$(summary_value "$TMP/d.txt" test_neg_elbo)" \
           'BEGIN { d = a - b; print d < 0 ? -d : d }')" "<" 1
check_fails "a judge is not a CVAE" 'written by classify mlp' \
    "$bin" $tiny --load "$out/classifier.bin" --out "$TMP/e"
# Without --classifier the judge is trained first, for seconds: a bad
# --load must fail before it (nothing of the judge on stdout).
check "a bad --load fails before the judge's training" \
    eval '! grep -q "judge" "$TMP/out"'
check_fails "another hidden size fails before the judge's training" \
    'tensor .* here' "$bin" $tiny --hidden 60 --load "$out/cvae.bin" \
    --out "$TMP/e"
check "... and prints nothing of the judge" eval '! grep -q "judge" "$TMP/out"'
check_fails "a CVAE is not a judge" 'written by ch08_cvae' \
    "$bin" $tiny --classifier "$out/cvae.bin" --out "$TMP/e"
check_fails "another latent size" 'tensor .* here' \
    "$bin" $tiny --latent 3 --classifier "$out/classifier.bin" \
    --load "$out/cvae.bin" --out "$TMP/e"
check_fails "a label CVAE is not a half CVAE" 'written by ch08_cvae' \
    "$bin" $tiny --cond half --classifier "$out/classifier.bin" \
    --load "$out/cvae.bin" --out "$TMP/e"

# --sweep: a CVAE per latent size (the main one reused), judged at
# every temperature; the table comes before the summary block.
"$bin" $tiny --classifier "$out/classifier.bin" --sweep \
    --sweep-latents 2,3 --temperatures 1,0.5 --out "$TMP/s" >"$TMP/s.txt"
check "--sweep exits 0" test $? -eq 0
check "sweep.tsv: header and 2 x 2 rows" \
    test "$(wc -l <"$TMP/s/sweep.tsv")" -eq 5
check "sweep.tsv: latent 3 at temperature 0.5" \
    grep -q "^3	0.5	" "$TMP/s/sweep.tsv"
check "the summary block comes after the sweep" test \
    "$(grep -n '^sweep: latent 3' "$TMP/s.txt" | cut -d: -f1)" -lt \
    "$(grep -n '^summary:' "$TMP/s.txt" | cut -d: -f1)"

# Ctrl-C during --sweep: exit 130 and no sweep.tsv.tmp (nor a
# sweep.tsv of half the models). The main model is loaded, so the
# first epoch line is the sweep's own model's. First in its training
# (a stop after the batch, "interrupted after ..."), then in its judging,
# where SIGINT kills at once: after the sweep model's one epoch line, a
# ladder of delays until a signal lands there (exit 130 without the
# "interrupted" line); the judging of 500 samples per digit lasts long
# enough for the first delays on any machine.
sweep="--classifier $out/classifier.bin --load $out/cvae.bin --sweep
       --sweep-latents 2,3 --temperatures 1,0.5"
interrupt_training "$TMP/sw" "$bin" $tiny $sweep --epochs 100000 \
    --out "$TMP/sw1"
check "Ctrl-C in a sweep's training: exit 130" test $? -eq 130
check "... says so" grep -q "^interrupted after" "$TMP/sw"
check "... leaves no sweep.tsv.tmp nor sweep.tsv" \
    test ! -e "$TMP/sw1/sweep.tsv.tmp" -a ! -e "$TMP/sw1/sweep.tsv"
status=none
for delay in 0 0.05 0.1 0.2 0.4 0.8; do
    rm -rf "$TMP/sw2"
    env --default-signal=INT "$bin" $tiny $sweep --per-digit 500 \
        --out "$TMP/sw2" >"$TMP/sw2.log" 2>&1 &
    pid=$!
    for _ in $(seq 1200); do
        grep -q '^ *1/1 ' "$TMP/sw2.log" && break
        sleep 0.1
    done
    sleep "$delay"
    kill -INT "$pid" 2>/dev/null
    wait "$pid"
    status=$?
    [ $status -eq 130 ] && ! grep -q '^interrupted' "$TMP/sw2.log" && break
done
check "Ctrl-C in a sweep's judging: exit 130 (got $status)" \
    test "$status" -eq 130
check "... leaves no sweep.tsv.tmp nor sweep.tsv" \
    test ! -e "$TMP/sw2/sweep.tsv.tmp" -a ! -e "$TMP/sw2/sweep.tsv"

# Ctrl-C while the CVAE trains: the batch is finished, the checkpoint
# saved, the exit status 130, and the checkpoint loads. The one SIGINT
# comes from interrupt_training: `timeout -s INT` signals the program
# and then its process group, and with two threads both can arrive (1
# run in 5 of a small test); the second, after the handler has reset
# itself, kills the program.
iout=$TMP/interrupted
interrupt_training "$TMP/i" "$bin" $tiny --epochs 100000 \
    --classifier "$out/classifier.bin" --out "$iout"
check "Ctrl-C: exit 130" test $? -eq 130
check "Ctrl-C: says so" grep -q "^interrupted after" "$TMP/i"
check "Ctrl-C: the counts' nouns agree (1 epoch, 2 epochs)" plurals_agree "$TMP/i"
check "Ctrl-C: checkpoint written" test -s "$iout/cvae.bin"
check "Ctrl-C: no samples" test ! -e "$iout/generated.png"
"$bin" $tiny --classifier "$out/classifier.bin" --load "$iout/cvae.bin" \
    --out "$TMP/iload" >/dev/null
check "Ctrl-C's checkpoint loads" test $? -eq 0

# Bad data: a label 12 in the training labels.
mkdir -p "$TMP/bad"
cp data/mnist-mini/* "$TMP/bad/"
printf '\014' | dd of="$TMP/bad/train-labels-idx1-ubyte" bs=1 seek=20 \
    conv=notrunc 2>/dev/null
check_fails "a label that is no digit" \
    'label 12 of example 12 is not a digit' \
    "$bin" $tiny --data "$TMP/bad" --out "$TMP/e"
check_fails "unwritable output folder" 'cannot|not a folder' \
    "$bin" $tiny --out /proc/version/x

# --cond half, tiny: the regressor beside the CVAE, completions.png.
half=$TMP/half
"$bin" $tiny --cond half --completions 4 --out "$half" >"$TMP/h"
check "--cond half exits 0" test $? -eq 0
check "wrote completions.png" test -s "$half/completions.png"
for key in test_neg_elbo iw_nll_k10 regressor_test_bce completion_sd \
    draw_to_regressor mean_of_draws_to_regressor completion_judged_cvae \
    completion_judged_regressor completion_digits_per_input \
    gray_fraction_cvae gray_fraction_regressor; do
    check "half summary has $key" test -n "$(summary_value "$TMP/h" $key)"
done
check_num "the CVAE's completions differ (sd > 0)" \
    "$(summary_value "$TMP/h" completion_sd)" ">" 0
# -L_10 <= -L_1 = the -ELBO in expectation (7.11); both are estimates
# (2 and 10 draws per image), so 1 nat of slack.
check_num "half: -L_10 <= test -ELBO + 1" \
    "$(summary_value "$TMP/h" iw_nll_k10)" "<=" \
    "$(awk -v e="$(summary_value "$TMP/h" test_neg_elbo)" \
        'BEGIN { print e + 1 }')"
# The half model trains through chapter 7's vae_train, so chapter 7's
# options work for it: binarized bottoms with a warm-up of beta.
"$bin" $tiny --cond half --binarize --warmup 1 --out "$TMP/hb" >"$TMP/hb.log"
check "--cond half --binarize --warmup 1 exits 0" test $? -eq 0
check_num "... and a test -ELBO > 0 (not NaN)" \
    "$(summary_value "$TMP/hb.log" test_neg_elbo)" ">" 0
# The mean of k draws is closer to any point than the average draw is,
# by exactly the draws' variance (a bias-variance identity), so
# |mean - reg|^2 <= mean |draw - reg|^2 whatever the models.
check_num "|mean of draws - regressor|^2 <= mean |draw - regressor|^2" \
    "$(summary_value "$TMP/h" mean_of_draws_to_regressor)" "<=" \
    "$(summary_value "$TMP/h" draw_to_regressor)"
check_summary
