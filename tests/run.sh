#!/usr/bin/env bash
# run.sh -- runs every test given (binaries and .sh scripts), JOBS at a time,
# one log each under $BUILD/tests/logs/; prints a line per test, the failing
# checks, and finally the sum of all checks: "N passed, N failed".
#
# A test reports its own "N passed, N failed" as its last such line. A test
# that crashes, times out or exits non-zero without failing a check counts
# as one failure more, so nothing is lost silently.
set -u
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
TIMEOUT=${TIMEOUT:-600}
export BINDIR=${BINDIR:-.} BUILD
logs=$BUILD/tests/logs
mkdir -p "$logs"

run_one() {
    local t=$1 name log start status
    name=$(basename "$t")
    log=$logs/$name.log
    start=$(date +%s.%N)
    if [[ $t == *.sh ]]; then
        timeout "$TIMEOUT" bash "$t" >"$log" 2>&1
    else
        timeout "$TIMEOUT" "$t" >"$log" 2>&1
    fi
    status=$?
    echo "exit $status $(awk -v a="$start" -v b="$(date +%s.%N)" \
        'BEGIN { print b - a }')" >"$log.status"
}
export -f run_one
export logs TIMEOUT

printf '%s\n' "$@" | xargs -P "$JOBS" -I{} bash -c 'run_one "$1"' _ {}

passed=0 failed=0
for t in "$@"; do
    name=$(basename "$t")
    log=$logs/$name.log
    read -r _ status secs <"$log.status"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    p=$(echo "${line:-0 passed, 0 failed}" | awk '{print $1}')
    f=$(echo "${line:-0 passed, 0 failed}" | awk '{print $3}')
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1   # crashed, timed out, or failed without saying which check
    fi
    passed=$((passed + p)) failed=$((failed + f))
    if [ "$f" -eq 0 ]; then
        printf 'PASS %-28s %4d checks %7.1f s\n' "$name" "$p" "$secs"
    else
        printf 'FAIL %-28s %4d failed (exit %d, log %s)\n' "$name" "$f" \
            "$status" "$log"
        grep -E '^FAIL ' "$log" | head -n 20 | sed 's/^/     /'
        [ "$status" -ne 0 ] && [ -z "$(grep -E '^FAIL ' "$log")" ] &&
            tail -n 5 "$log" | sed 's/^/     | /'
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
