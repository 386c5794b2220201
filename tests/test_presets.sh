#!/usr/bin/env bash
# test_presets.sh -- --preset on the command line of ch07_vae and
# ch08_cvae: --help lists each chapter's presets and their flags, a
# preset of the other chapter or of no program is refused, a bad variant
# is refused; the summed loss keeps what Keras' averaged one gives up;
# and unnir/cVAE trains. What each preset builds is
# tests/test_vae_presets.c's job.
. tests/lib.sh
ch07=$BINDIR/ch07_vae
ch08=$BINDIR/ch08_cvae

"$ch07" --help >"$TMP/help7"
check "ch07 --help lists --preset with its default" \
    grep -Eq -- "--preset WORD .*\(default: none" "$TMP/help7"
check "ch07 --help spells out the keras preset" \
    grep -Eq -- "--head keras" "$TMP/help7"
check "ch07 --help spells out the ethanluoyc preset" \
    grep -Eq -- "--head logsigma" "$TMP/help7"
"$ch08" --help >"$TMP/help8"
check "ch08 --help spells out the unnir preset" \
    grep -Eq -- "--activation elu" "$TMP/help8"
for flag in activation encoder-layers head mean average preset; do
    check "--help lists --$flag with its default" \
        grep -Eq -- "--$flag .*\(default: " "$TMP/help7"
done

check_rejects "a preset of chapter 8 in chapter 7" \
    '--preset unnir: a program of ch08_cvae, not of ch07_vae' \
    "$ch07" --preset unnir
check_rejects "a preset of chapter 7 in chapter 8" \
    '--preset keras: a program of ch07_vae, not of ch08_cvae' \
    "$ch08" --preset keras
check_rejects "no such preset" "--preset: 'vae' is not one of" \
    "$ch07" --preset vae
check_rejects "a ReLU output is no Bernoulli probability" \
    '--mean relu: only with --decoder gaussian' "$ch07" --mean relu
check_rejects "three encoder layers" '--encoder-layers: 3 is out of range' \
    "$ch07" --encoder-layers 3
check_rejects "no such activation" "--activation: 'gelu' is not one of" \
    "$ch07" --activation gelu

# Keras' averaged loss gives up z within two epochs (KL < 0.1 nats,
# tests/test_vae_presets.c); the same model on the summed loss (7.9)
# keeps it: at latent 2 chapter 7's model holds 5 nats of KL.
small="--test-size 500 --iw 10 --eval-samples 2 --threads 1"
"$ch07" --preset keras --epochs 2 --average none $small \
    --out "$TMP/keras" >"$TMP/keras.log"
check "keras with a summed loss: exits 0" test $? -eq 0
check_num "keras with a summed loss keeps z: KL >= 1 nat" \
    "$(summary_value "$TMP/keras.log" test_kl)" ">=" 1

# unnir/cVAE, one epoch: the mean training image costs 205.5 nats per
# image on these 500 test digits (tests/test_vae_presets.c computes it);
# a CVAE that uses z and the label is 30 nats below that after one
# epoch (166.4 measured on all 2000), one that learned nothing is not.
"$ch08" --preset unnir --epochs 1 --classifier-epochs 1 \
    --classifier-hidden 50 --per-digit 20 $small \
    --out "$TMP/unnir" >"$TMP/unnir.log"
check "unnir, one epoch: exits 0" test $? -eq 0
check "unnir: the run names its preset" \
    grep -q "^preset unnir: unnir/cVAE" "$TMP/unnir.log"
check_num "unnir, one epoch: test -ELBO <= 175.5 (mean image 205.5)" \
    "$(summary_value "$TMP/unnir.log" test_neg_elbo)" "<=" 175.5
check_summary
