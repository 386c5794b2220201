#!/usr/bin/env bash
# bench.sh -- what `make bench` runs: the matrix products' GFLOP/s
# (tests/bench_mat), then the VAE's seconds per training epoch with 1 and
# 2 threads (ch07_vae), with the flags everything was built with.
set -u
BUILD=${BUILD:-build}
BINDIR=${BINDIR:-.}
EPOCHS=${EPOCHS:-3}

echo "flags: $(cat "$BUILD/flags" 2>/dev/null || echo unknown)"
echo "flags added for common/mat.c:" \
     "$(sed -n 's/^ *private CFLAGS += //p' Makefile)"
"$BUILD/tests/bench_mat" || exit 1

vae=$BINDIR/ch07_vae
echo
if [ ! -x "$vae" ]; then
    echo "ch07_vae: $vae is not built; epoch timing skipped"
    exit 0
fi
for threads in 1 2; do
    log=$BUILD/bench/ch07_vae_t$threads.log
    mkdir -p "$BUILD/bench"
    # Only training is timed; --iw 10 keeps the final bound on log p(x)
    # (1000 samples per test image by default) from taking a minute.
    if ! "$vae" --threads "$threads" --epochs "$EPOCHS" --iw 10 \
         --out "$BUILD/bench/ch07_vae" >"$log" 2>&1; then
        echo "ch07_vae --threads $threads failed; see $log" >&2
        exit 1
    fi
    seconds=$(sed -n 's/^seconds_per_epoch = //p' "$log" | tail -n 1)
    printf 'ch07_vae  threads %d  epochs %d  seconds_per_epoch = %s\n' \
        "$threads" "$EPOCHS" "${seconds:-missing}"
done
