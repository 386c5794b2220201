#!/usr/bin/env bash
# bench.sh -- what `make bench` runs: the matrix products' GFLOP/s
# against the roof of the machine measured in the same run, and the CPU
# (tests/bench_mat), then the VAE's seconds per training epoch with 1 and
# 2 threads (ch07_vae), and, when PyTorch is installed, the same VAE in
# PyTorch on the same machine (tests/reference/pytorch_vae.py) as the
# yardstick. Epoch times are the median and the fastest of EPOCHS epochs:
# on a shared machine the median says what to expect, the fastest what
# the machine does when nothing else runs.
set -u
BUILD=${BUILD:-build}
BINDIR=${BINDIR:-.}
EPOCHS=${EPOCHS:-7}
PYTHON=${PYTHON:-/usr/bin/python3}

echo "flags: $(cat "$BUILD/flags" 2>/dev/null || echo unknown)"
echo "flags added for common/mat.c and mat_fast.c:" \
     "$(sed -n 's/^.*private CFLAGS += -O3/-O3/p' Makefile)"
echo "and for the plain loops of common/mat.c: ${PLAIN_FLAGS:-none}"
echo "flags added for common/loss_fast.c: ${LOSS_FLAGS:-none}"
"$BUILD/tests/bench_mat" || exit 1

# median and fastest of the numbers on standard input, as "M (F)"
median_fastest() {
    sort -g | awk '{ x[NR] = $1 }
        END { if (NR == 0) print "missing";
              else printf "%.3f (%.3f)\n", x[int((NR + 1) / 2)], x[1] }'
}

echo
echo "seconds per training epoch on mnist-mini (8000 images, batch 128):"
echo "median of $EPOCHS epochs, and in parentheses the fastest"
vae=$BINDIR/ch07_vae
if [ ! -x "$vae" ]; then
    echo "ch07_vae: $vae is not built; epoch timing skipped"
    exit 0
fi
mkdir -p "$BUILD/bench"
for threads in 1 2; do
    out=$BUILD/bench/ch07_vae_t$threads
    # Only training is timed; --iw 10 keeps the final bound on log p(x)
    # (1000 samples per test image by default) from taking ten seconds.
    if ! "$vae" --threads "$threads" --epochs "$EPOCHS" --iw 10 \
         --out "$out" >"$out.log" 2>&1; then
        echo "ch07_vae --threads $threads failed; see $out.log" >&2
        exit 1
    fi
    printf 'ch07_vae          threads %d   %s\n' "$threads" \
        "$(awk -F'\t' 'NR > 1 { print $NF }' "$out/loss.tsv" |
           median_fastest)"
done

if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
    echo "pytorch: $PYTHON cannot import torch; the yardstick is skipped"
    exit 0
fi
# PyTorch's own threads (torch.set_num_threads) run the elementwise
# work, OpenBLAS's the products; each pair below is one way to give it
# one or two cores, and its best on two cores is the faster of the last
# two.
for pair in "1 1" "1 2" "2 1"; do
    set -- $pair
    log=$BUILD/bench/pytorch_t$1_blas$2.log
    if ! OPENBLAS_NUM_THREADS=$2 "$PYTHON" tests/reference/pytorch_vae.py \
         --epochs "$EPOCHS" --threads "$1" --iw 1 --test-size 100 \
         >"$log" 2>&1; then
        echo "pytorch_vae.py failed; see $log" >&2
        exit 1
    fi
    printf 'pytorch %-9s threads %d   %s   (OpenBLAS threads %d)\n' \
        "$(sed -n 's/^torch \([^,]*\),.*/\1/p' "$log")" "$1" \
        "$(sed -n 's/^epoch .* \([0-9.]*\) s$/\1/p' "$log" |
           median_fastest)" "$2"
done
