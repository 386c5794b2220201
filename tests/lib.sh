# lib.sh -- the shell tests' harness, the twin of check.h.
#
# Source it, call the checks, end with `check_summary`. Each check prints
# "ok   name" or "FAIL name: ..."; check_summary prints "N passed, N failed"
# and exits non-zero when anything failed (or nothing was checked).
# BINDIR (where the chapter binaries are) comes from the Makefile.

BINDIR=${BINDIR:-.}

# short_run: true in a slow build, where the tests train less: under the
# sanitizers (SAN=1; the products some 25 times slower) and on the plain
# layer (REF=1; the plain loops 25 to 60 times slower than the fast ones).
short_run() { [ "${SAN:-0}" = 1 ] || [ "${REF:-0}" = 1 ]; }
check_passed=0
check_failed=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok()   { check_passed=$((check_passed + 1)); echo "ok   $1"; }
fail() { check_failed=$((check_failed + 1)); echo "FAIL $1: $2"; }

# check NAME CONDITION...: passes when the command CONDITION... succeeds.
check() {
    local name=$1; shift
    if "$@"; then ok "$name"; else fail "$name" "'$*' failed"; fi
}

# check_rejects NAME PATTERN CMD...: CMD must exit 2 and print exactly one
# line on stderr, matching the extended regex PATTERN; stdout is ignored.
check_rejects() {
    local name=$1 pattern=$2; shift 2
    local status lines
    "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    status=$?
    lines=$(wc -l <"$TMP/err")
    if [ "$status" -ne 2 ]; then
        fail "$name" "exit $status, want 2 (stderr: $(head -c 300 "$TMP/err"))"
    elif [ "$lines" -ne 1 ]; then
        fail "$name" "$lines lines on stderr, want 1: $(head -c 300 "$TMP/err")"
    elif ! grep -Eq -- "$pattern" "$TMP/err"; then
        fail "$name" "stderr '$(cat "$TMP/err")' does not match /$pattern/"
    else
        ok "$name"
    fi
}

# check_fails NAME PATTERN CMD...: CMD must exit non-zero (not by a signal)
# with a one-line error matching PATTERN; for bad data rather than bad flags.
check_fails() {
    local name=$1 pattern=$2; shift 2
    local status
    "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    status=$?
    if [ "$status" -eq 0 ] || [ "$status" -ge 128 ]; then
        fail "$name" "exit $status, want a clean failure (1-127)"
    elif [ "$(wc -l <"$TMP/err")" -ne 1 ]; then
        fail "$name" "want one line on stderr, got: $(head -c 300 "$TMP/err")"
    elif ! grep -Eq -- "$pattern" "$TMP/err"; then
        fail "$name" "stderr '$(cat "$TMP/err")' does not match /$pattern/"
    else
        ok "$name"
    fi
}

# interrupt_training LOG CMD...: starts CMD (a training run of 100000
# epochs) with its output in LOG and, once LOG shows the first epoch,
# sends it one SIGINT, as a terminal's Ctrl-C does (a fixed delay could
# land before training starts: under the sanitizers, loading the data
# alone can take seconds). A script's background job starts with SIGINT
# ignored, which the programs respect (as they should), so CMD starts
# with SIGINT's default action put back, as a terminal's job has it.
# Returns CMD's exit status.
interrupt_training() {
    local log=$1; shift
    env --default-signal=INT "$@" >"$log" 2>&1 &
    local pid=$!
    for _ in $(seq 1200); do
        grep -q '^ *1/100000 ' "$log" && break
        sleep 0.1
    done
    kill -INT "$pid"
    wait "$pid"
}

# plurals_agree FILE: on FILE's "interrupted after" line, each count's
# noun is singular for 1 and plural otherwise ("1 epoch", "2 epochs",
# "37 steps"); false if there is no such line or no count on it.
plurals_agree() {
    grep '^interrupted after' "$1" | awk '{
        for (i = 1; i < NF; i++) if ($i ~ /^[0-9]+$/) {
            noun = $(i + 1); sub(/[;:,.]$/, "", noun)
            if (($i == 1) == (noun ~ /s$/)) bad = 1
            seen = 1
        }
    } END { exit !(seen && !bad) }'
}

# summary_value FILE KEY: the value of "KEY = value" in a program's output.
summary_value() {
    sed -n "s/^$2 = //p" "$1" | tail -n 1
}

# check_num NAME GOT OP WANT: numeric comparison with awk (OP: < <= > >= ==).
check_num() {
    local name=$1 got=$2 op=$3 want=$4
    if [ -z "$got" ]; then fail "$name" "no value (want $op $want)"; return; fi
    if awk -v g="$got" -v w="$want" "BEGIN { exit !(g+0 $op w+0) }"; then
        ok "$name"
    else
        fail "$name" "got $got, want $op $want"
    fi
}

check_summary() {
    echo "$check_passed passed, $check_failed failed"
    [ "$check_failed" -eq 0 ] && [ "$check_passed" -gt 0 ]
    exit $?
}
