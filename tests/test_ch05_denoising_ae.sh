#!/usr/bin/env bash
# test_ch05_denoising_ae.sh -- ch05's output contract and its claim: on
# masking noise at 0.3 and Gaussian noise at sigma 0.3 the denoising AE
# gains at least 3 dB of PSNR (5.4) over its noisy input and beats the
# plain AE of chapter 3 fed the same noisy images.
. tests/lib.sh
bin=$BINDIR/ch05_denoising_ae

check_help "$bin" noise level loss latent hidden epochs batch lr data \
    train-size threads seed out

check_rejects "unknown noise" \
    "--noise: 'blur' is not one of mask\|gauss\|saltpepper" \
    "$bin" --noise blur
check_rejects "level 0" '--level: 0 is out of range' "$bin" --level 0
check_rejects "level above 1" '--level: 1.5 is out of range' \
    "$bin" --level 1.5
check_rejects "level not a number" "--level: '30%' is not a finite number" \
    "$bin" --level 30%
check_rejects "latent 0" '--latent: 0 is out of range' "$bin" --latent 0
check_rejects "unknown flag" '--sigma: unknown flag' "$bin" --sigma 0.3
check_missing_data "$bin"
check_truncated_data "truncated test images" t10k-images-idx3-ubyte 100 \
    't10k-images-idx3-ubyte: truncated: expected 1568000 bytes of pixels, got 84' \
    "$bin"

# The claim. The default run trains 10 epochs (mask 0.3: 4.9 dB over the
# noisy input, 3.4 over the plain AE). Shorter runs suffice here, and
# keep the test quick: 4 epochs with masking, seeds 1-3, gain 3.93-3.98
# dB over the noisy input and 1.31-1.51 over the plain AE; 3 epochs with
# Gaussian noise, 4.90-5.03 and 4.63-5.12. The bounds are the task's:
# 3 dB, and "beats" (> 0).
# Under the sanitizers (and on the plain layer, REF=1) the products run
# 25 times slower or more, and the gain
# needs a few hundred steps of training (runs of 30 steps gain nothing
# yet), which would take minutes: there a one-epoch run of 300 images
# checks only that each corruption runs clean and that the noisy
# input's PSNR is what its expectation says -- no claim about training.
if short_run; then
    for noise in mask gauss saltpepper; do
        "$bin" --noise $noise --train-size 300 --epochs 1 --latent 32 \
            --out "$TMP/$noise" >"$TMP/$noise.out"
        check "$noise: short run under the sanitizers exits 0" test $? -eq 0
    done
else
    "$bin" --noise mask --level 0.3 --epochs 4 --out "$TMP/mask" \
        >"$TMP/mask.out"
    check "mask run exits 0" test $? -eq 0
    "$bin" --noise gauss --level 0.3 --epochs 3 --out "$TMP/gauss" \
        >"$TMP/gauss.out"
    check "gauss run exits 0" test $? -eq 0
    for noise in mask gauss; do
        f=$TMP/$noise.out
        check_num "$noise 0.3: denoising AE >= noisy input + 3 dB" \
            "$(summary_value "$f" gain_over_noisy)" ">=" 3
        check_num "$noise 0.3: denoising AE beats the plain AE" \
            "$(summary_value "$f" psnr_dae)" ">" \
            "$(summary_value "$f" psnr_ae)"
    done
fi

# The noisy input's PSNR against its expectation: for masking at p the
# mean squared change is p E[x^2] (5.6), and E[x^2] = 0.1135 over the
# 2000 test digits, so PSNR = 10 log10(1 / (0.3 * 0.1135)) = 14.68 dB
# give or take the randomness of which pixels go (0.02 dB).
check_num "mask 0.3: noisy input PSNR near 10 log10(1/(0.3 E[x^2]))" \
    "$(awk -v p="$(summary_value "$TMP/mask.out" psnr_noisy)" \
        'BEGIN { d = p - 10 * log(1 / (0.3 * 0.1135)) / log(10);
                 print d < 0 ? -d : d }')" "<" 0.1
for f in clean.png noisy.png denoised.png ae-on-noisy.png comparison.png \
    psnr.tsv loss-ae.tsv loss-dae.tsv; do
    check "run names $f" grep -q "^wrote: $TMP/mask/$f$" "$TMP/mask.out"
done
check "progress of the plain AE" grep -q '^ae epoch' "$TMP/mask.out"
check "progress of the denoising AE" grep -q '^dae epoch' "$TMP/mask.out"
check "summary names the noise" grep -q '^noise = mask$' "$TMP/mask.out"
check_summary
