#!/usr/bin/env bash
# test_ch03_ae.sh -- ch03's output contract: flags, bad data, the default
# run's quality against PCA, the files it writes, reproducibility.
. tests/lib.sh
bin=$BINDIR/ch03_ae

check_help "$bin" loss latent hidden linear epochs batch lr data \
    train-size threads seed out

check_rejects "unknown loss" "--loss: 'l2' is not one of mse\|bce" \
    "$bin" --loss l2
check_rejects "latent 0" '--latent: 0 is out of range' "$bin" --latent 0
check_rejects "negative hidden" '--hidden: -1 is out of range' \
    "$bin" --hidden -1
check_rejects "epochs 0" '--epochs: 0 is out of range' "$bin" --epochs 0
check_rejects "batch not a number" "--batch: 'ten' is not a whole number" \
    "$bin" --batch ten
check_rejects "lr 0" '--lr: 0 is out of range' "$bin" --lr 0
check_rejects "lr NaN" "--lr: 'nan' is not a finite number" "$bin" --lr nan
check_rejects "threads 65" '--threads: 65 is out of range' "$bin" --threads 65
check_rejects "negative train-size" '--train-size: -5 is out of range' \
    "$bin" --train-size -5
check_rejects "--linear with BCE" '--linear: needs --loss mse' \
    "$bin" --linear
check_rejects "--linear takes no value" "'yes': unexpected argument" \
    "$bin" --linear yes --loss mse
check_rejects "unknown flag" '--bogus: unknown flag' "$bin" --bogus
check_rejects "missing value" '--data: needs a value' "$bin" --data
check_rejects "empty --out" "--out: '' is empty" "$bin" --out ''

# Bad data: one line naming the file, non-zero exit, nothing written.
check_missing_data "$bin"
check_truncated_data "truncated training images" \
    train-images-idx3-ubyte 2000016 \
    'train-images-idx3-ubyte: truncated: expected 6272000 bytes of pixels, got 2000000' \
    "$bin"
cp data/mnist-mini/train-images-idx3-ubyte "$TMP/cut/"
cp data/mnist-mini/train-labels-idx1-ubyte "$TMP/cut/t10k-labels-idx1-ubyte"
check_fails "test labels that do not match the test images" \
    't10k-images-idx3-ubyte: 2000 images, but .*t10k-labels-idx1-ubyte: 8000 labels' \
    "$bin" --data "$TMP/cut" --out "$TMP/bad"
check "bad data writes no files" test ! -e "$TMP/bad"

# The default run. PCA of the same rank (16) is the best any linear
# encoder and decoder can do (3.17), (3.21); the chapter's claim is that
# the ReLU network does clearly better. Seeds 1-3 give test_sse / PCA's
# = 0.522-0.530 and test BCE 82.6-83.1 nats after the default 10 epochs;
# 40 epochs reach 79.7, so 10 epochs stop about 4% short of what this
# network can do on 8000 images. The bounds, 0.65 and 88, leave 5 nats
# (6%) for other compilers and rounding orders, and still fail a network
# that trains badly: at 3 epochs the test BCE is 93. A network that
# learns only a linear code cannot pass the first (its ratio is >= 1 on
# the training set).
# Under the sanitizers the products run about 25 times slower (on the
# plain layer, REF=1, more), so a
# smaller run stands in: 2000 images, hidden 64, 4 epochs of batches of
# 50. It is too short to beat PCA (seeds 1-3: 1.21-1.31 times PCA's
# error), so it is held to 0.7 times the error of the mean image (the
# output of a network that ignores its input); it reaches 0.49-0.53.
out=$TMP/run
if short_run; then
    "$bin" --train-size 2000 --epochs 4 --hidden 64 --batch 50 \
        --out "$out" >"$TMP/a"
    check "run under the sanitizers exits 0" test $? -eq 0
    check_num "test squared error < 0.7 x the mean image's" \
        "$(summary_value "$TMP/a" test_sse)" "<" \
        "$(awk -v m="$(summary_value "$TMP/a" mean_image_test_sse)" \
            'BEGIN { print 0.7 * m }')"
else
    "$bin" --out "$out" >"$TMP/a"
    check "default run exits 0" test $? -eq 0
    check_num "test squared error / PCA's at rank 16 < 0.65" \
        "$(summary_value "$TMP/a" test_sse_over_pca)" "<" 0.65
    check_num "test BCE per image < 88" \
        "$(summary_value "$TMP/a" test_loss)" "<" 88
fi
check_num "PCA converged: residual < 1e-9" \
    "$(summary_value "$TMP/a" pca_residual)" "<" 1e-9
check "progress lines with test loss and ETA" \
    grep -Eq '^ae epoch +[0-9]+/[0-9]+  train [0-9.]+  test [0-9.]+ .* ETA' "$TMP/a"
check "loss.tsv has its header" \
    grep -q "^epoch	train_loss	train_penalty	test_loss	seconds$" "$out/loss.tsv"
for f in reconstructions.png random-codes.png loss.tsv pca.tsv errors.tsv; do
    check "run names $f" grep -q "^wrote: $out/$f$" "$TMP/a"
done
check "reconstructions.png is a PNG" \
    test "$(head -c 8 "$out/reconstructions.png" | od -An -tx1 | tr -d ' ')" \
    = 89504e470d0a1a0a
check "pca.tsv: ranks 0..16" test "$(wc -l <"$out/pca.tsv")" -eq 18
check "no codes.tsv unless --latent 2" test ! -e "$out/codes.tsv"
check "no temporary file left" test -z "$(ls "$out" | grep '\.tmp$')"

# --latent 2 writes the test codes with their labels.
"$bin" --latent 2 --train-size 500 --epochs 1 --hidden 32 --out "$TMP/z2" \
    >"$TMP/z"
check "codes.tsv: header and 2000 test codes" \
    test "$(wc -l <"$TMP/z2/codes.tsv")" -eq 2001
check "codes.tsv: every label a digit" \
    awk -F'\t' 'NR > 1 && !($3 ~ /^[0-9]$/) { exit 1 }' "$TMP/z2/codes.tsv"

# What follows checks numbers, not memory: not under the sanitizers.
short_run && check_summary

# Same seed, same numbers (timings aside); another seed, other numbers.
quick="--train-size 300 --epochs 2 --hidden 32"
"$bin" $quick --out "$TMP/r1" >"$TMP/r1.out"
"$bin" $quick --threads 2 --out "$TMP/r2" >"$TMP/r2.out"
"$bin" $quick --seed 2 --out "$TMP/r3" >"$TMP/r3.out"
check "same seed, same losses (and threads do not matter)" \
    cmp -s <(cut -f1-4 "$TMP/r1/loss.tsv") <(cut -f1-4 "$TMP/r2/loss.tsv")
check "another seed, another test loss" test \
    "$(summary_value "$TMP/r1.out" test_loss)" != \
    "$(summary_value "$TMP/r3.out" test_loss)"

# The linear AE (784-16-784, squared error) lands on PCA's error: the
# full check is in test_ch03_ae.c; here the flag path, on a short run
# (seeds 1-4: 1.019-1.033 after 30 epochs).
"$bin" --linear --loss mse --hidden 0 --lr 0.003 --epochs 30 \
    --train-size 2000 --out "$TMP/lin" >"$TMP/lin.out"
check_num "--linear: train error within 6% of PCA's after 30 epochs" \
    "$(summary_value "$TMP/lin.out" train_sse_over_pca)" "<" 1.06
check_num "--linear: never below PCA's optimum" \
    "$(summary_value "$TMP/lin.out" train_sse_over_pca)" ">" 0.999
check_summary
