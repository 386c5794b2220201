#!/usr/bin/env bash
# test_mat_tiles.sh -- the products' other register tile. mat_fast.c
# picks its tile at compile time: 16 x 16 where the compiler targets
# AVX-512, 4 x 16 everywhere else (AVX2 laptops, SSE2, other CPUs). The fast build on an
# AVX-512 machine never compiles the second, so this test builds
# tests/test_mat twice more, each in its own folder, and runs it:
#   - with MARCH=x86-64-v3 (AVX2 and FMA: 8 floats a register), when the
#     compiler accepts it and this CPU can run it;
#   - with PORTABLE=1 (the x86-64 baseline, or whatever the compiler
#     targets by default).
# Each must pass all of test_mat: every form and edge against long
# double, and the same bits for any number of threads.
. tests/lib.sh

BUILD=${BUILD:-build}
# the compiler of the build under test, as its flags stamp records it
CC=$(awk '{ print $1; exit }' "$BUILD/flags" 2>/dev/null)
CC=${CC:-cc}

# run_variant NAME MAKE-ARGS...: builds and runs test_mat with MAKE-ARGS.
run_variant() {
    local name=$1; shift
    local dir=$BUILD/tiles/$name log=$TMP/$name.log
    # a make of its own: not the jobserver or flags of the `make test`
    # that runs this script; REF= because test_mat checks the fast forms
    # whichever layer the build under test runs on
    if ! MAKEFLAGS= make -s CC="$CC" "$@" BUILD="$dir" BINDIR="$dir/bin" \
         SAN="${SAN:-}" REF= WERROR=-Werror "$dir/tests/test_mat" \
         >"$TMP/$name.make" 2>&1; then
        fail "$name: test_mat builds" "$(tail -n 3 "$TMP/$name.make")"
        return
    fi
    "$dir/tests/test_mat" >"$log" 2>&1
    local status=$? tile summary
    tile=$(sed -n 's/^register tile: //p' "$log")
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    if [ "$status" -eq 0 ] && [[ $summary == *" 0 failed" ]]; then
        ok "$name build (tile $tile): test_mat $summary"
    else
        fail "$name build (tile $tile): test_mat" \
            "exit $status, ${summary:-no summary}: $(grep -E '^FAIL' \
            "$log" | head -n 3)"
    fi
    echo "$tile" >"$TMP/$name.tile"
}

if "$CC" -march=x86-64-v3 -x c -c -o /dev/null /dev/null 2>/dev/null &&
   grep -qw avx2 /proc/cpuinfo 2>/dev/null &&
   grep -qw fma /proc/cpuinfo 2>/dev/null; then
    run_variant avx2 MARCH=x86-64-v3
    check "the AVX2 build uses the 4 x 16 tile" \
        grep -qx '4 x 16' "$TMP/avx2.tile"
else
    echo "skipped: $CC or this CPU cannot build and run -march=x86-64-v3"
fi
run_variant portable PORTABLE=1
check "the portable build uses the 4 x 16 tile" \
    grep -qx '4 x 16' "$TMP/portable.tile"
check_summary
