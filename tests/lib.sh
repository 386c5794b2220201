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

# check_error NAME WANT PATTERN CMD...: CMD must exit with status WANT
# (a number, or "error" for any clean failure 1-127, never a signal) and
# print exactly one line on stderr, matching the extended regex PATTERN;
# stdout is ignored.
check_error() {
    local name=$1 want=$2 pattern=$3; shift 3
    local status lines
    "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    status=$?
    lines=$(wc -l <"$TMP/err")
    if [ "$want" = error ] && { [ "$status" -eq 0 ] || [ "$status" -ge 128 ]; }
    then
        fail "$name" "exit $status, want a clean failure (1-127)"
    elif [ "$want" != error ] && [ "$status" -ne "$want" ]; then
        fail "$name" "exit $status, want $want (stderr: $(head -c 300 "$TMP/err"))"
    elif [ "$lines" -ne 1 ]; then
        fail "$name" "$lines lines on stderr, want 1: $(head -c 300 "$TMP/err")"
    elif ! grep -Eq -- "$pattern" "$TMP/err"; then
        fail "$name" "stderr '$(cat "$TMP/err")' does not match /$pattern/"
    else
        ok "$name"
    fi
}

# check_rejects NAME PATTERN CMD...: a bad command line: exit 2, one line.
check_rejects() { local name=$1 pattern=$2; shift 2; check_error "$name" 2 "$pattern" "$@"; }

# check_fails NAME PATTERN CMD...: bad data rather than bad flags: any
# clean failure, one line.
check_fails() { local name=$1 pattern=$2; shift 2; check_error "$name" error "$pattern" "$@"; }

# check_help BIN FLAG...: BIN --help exits 0 and lists every --FLAG with
# its default; the help text stays in $TMP/help.
check_help() {
    local bin=$1 flag; shift
    "$bin" --help >"$TMP/help"
    check "--help exits 0" test $? -eq 0
    for flag in "$@"; do
        check "--help lists --$flag with its default" \
            grep -Eq -- "--$flag .*\(default: " "$TMP/help"
    done
}

# check_missing_data CMD...: CMD --data <a folder that does not exist>
# fails with one line naming the first file it looks for there.
check_missing_data() {
    check_fails "missing data folder" \
        "$TMP/nowhere/train-images-idx3-ubyte: no such file" \
        "$@" --data "$TMP/nowhere" --out "$TMP/bad"
}

# check_truncated_data NAME FILE BYTES PATTERN CMD...: $TMP/cut, a copy of
# data/mnist-mini with FILE cut to its first BYTES bytes (left for later
# checks), makes CMD --data $TMP/cut fail with one line matching PATTERN.
check_truncated_data() {
    local name=$1 file=$2 bytes=$3 pattern=$4; shift 4
    mkdir -p "$TMP/cut"
    cp data/mnist-mini/* "$TMP/cut/"
    head -c "$bytes" "data/mnist-mini/$file" >"$TMP/cut/$file"
    check_fails "$name" "$pattern" "$@" --data "$TMP/cut" --out "$TMP/bad"
}

# check_seeds WHAT KEY SEED CMD...: CMD run again prints what the first
# run printed into $TMP/a, and CMD --seed SEED another value of KEY.
check_seeds() {
    local what=$1 key=$2 seed=$3; shift 3
    "$@" >"$TMP/b"
    check "same seed, same output" cmp -s "$TMP/a" "$TMP/b"
    "$@" --seed "$seed" >"$TMP/c"
    check "another seed, $what" test "$(summary_value "$TMP/c" "$key")" \
        != "$(summary_value "$TMP/a" "$key")"
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

# summary_near FILE NAME KEY AWK-EXPRESSION [TOL]: the summary value KEY
# in FILE is within TOL (default 1e-9) of what awk computes.
summary_near() {
    local want got
    want=$(awk "BEGIN { printf \"%.15g\", $4 }")
    got=$(summary_value "$1" "$3")
    check_num "$2" "$(awk -v g="$got" -v w="$want" \
        'BEGIN { d = g - w; print d < 0 ? -d : d }')" "<" "${5:-1e-9}"
}

check_summary() {
    echo "$check_passed passed, $check_failed failed"
    [ "$check_failed" -eq 0 ] && [ "$check_passed" -gt 0 ]
    exit $?
}
