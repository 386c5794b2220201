#!/usr/bin/env bash
# test_ch07_quality.sh -- the VAE reaches the numbers of the standard
# PyTorch VAE (pytorch/examples vae/main.py: same model, same data split,
# same settings) on data/mnist-mini, 8000 training and 2000 test images.
#
# tests/reference/pytorch_vae.py (run by hand, torch 1.13, seeds 1-5)
# reaches after 20 epochs:
#   latent 20: test -ELBO 114.2-114.5 nats; -L_1000 108.9-109.2
#   latent 2:  test -ELBO 164.3 (seed 1: 164.4)
# The thresholds leave about one nat for another initialisation and
# another order of the sums -- seed to seed, both programs move by a few
# tenths -- and fail a model that is clearly worse.
#
# Under the sanitizers (SAN=1, 3-10 times slower) and on the plain layer
# (REF=1, 25-60 times slower) a short run: 4 epochs
# on 2000 images (64 Adam steps), latent 20, tested on the first 500 test
# images, where the same PyTorch script reaches 199.4-203.5 (seeds 1-5);
# the threshold is 207, against some 540 nats for an untrained model.
. tests/lib.sh
bin=$BINDIR/ch07_vae

if short_run; then
    "$bin" --epochs 4 --train-size 2000 --test-size 500 --iw 10 \
        --eval-samples 4 --out "$TMP/san" >"$TMP/san.log"
    check "short run exits 0" test $? -eq 0
    check_num "4 epochs on 2000 images: test -ELBO <= 207" \
        "$(summary_value "$TMP/san.log" test_neg_elbo)" "<=" 207
    check_summary
fi

"$bin" --epochs 20 --latent 20 --iw 1000 --out "$TMP/l20" >"$TMP/l20.log"
check "latent 20, 20 epochs: exits 0" test $? -eq 0
elbo=$(summary_value "$TMP/l20.log" test_neg_elbo)
k1=$(summary_value "$TMP/l20.log" iw_nll_k1)
k10=$(summary_value "$TMP/l20.log" iw_nll_k10)
k100=$(summary_value "$TMP/l20.log" iw_nll_k100)
k1000=$(summary_value "$TMP/l20.log" iw_nll_k1000)
check_num "latent 20: test -ELBO <= 115.5 (PyTorch 114.2-114.5)" \
    "$elbo" "<=" 115.5
check_num "latent 20: -L_1000 <= 110.5 (PyTorch 108.9-109.2)" \
    "$k1000" "<=" 110.5
check_num "-L_10 < -L_1" "$k10" "<" "$k1"
check_num "-L_100 < -L_10" "$k100" "<" "$k10"
check_num "-L_1000 < -L_100" "$k1000" "<" "$k100"
check_num "the importance-weighted bound gains over 3 nats on the ELBO" \
    "$(awk -v a="$elbo" -v b="$k1000" 'BEGIN { print a - b }')" ">" 3
check_num "at least 10 active units" \
    "$(summary_value "$TMP/l20.log" active_units)" ">=" 10

# With two latent dimensions a run depends more on its seed: seeds 1-3
# give 165.2, 162.7 and 164.9 here (PyTorch: 164.4, 162.0, 165.7), so one
# run can land anywhere in a band of 2.5 nats. The test averages seeds 1
# and 2, which halves the variance, and holds the mean to 166.
for seed in 1 2; do
    "$bin" --epochs 20 --latent 2 --iw 10 --eval-samples 10 --seed $seed \
        --out "$TMP/l2-$seed" >"$TMP/l2-$seed.log"
    check "latent 2, 20 epochs, seed $seed: exits 0" test $? -eq 0
done
check_num "latent 2: test -ELBO, mean of seeds 1 and 2, <= 166 (PyTorch 164.3)" \
    "$(awk -v a="$(summary_value "$TMP/l2-1.log" test_neg_elbo)" \
           -v b="$(summary_value "$TMP/l2-2.log" test_neg_elbo)" \
           'BEGIN { print (a + b) / 2 }')" "<=" 166
check_summary
