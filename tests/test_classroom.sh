#!/usr/bin/env bash
# test_classroom.sh -- the student edition and the autograder:
#   - the edition (tests/student.sh) builds warning-free (-Werror), its
#     book is in step with its sources, and it differs from the project
#     only inside task functions and, in book.md, inside the answers and
#     the woven listings;
#   - graded, the fresh edition scores 0/N (N >= 12, every task marked in
#     the sources) with no crash, hang or sanitizer report;
#   - with the project's functions copied back it scores N/N;
#   - one typical bug planted per kind of task (a flipped sign, a missing
#     1/2, sigma written for sigma^2, a matrix read transposed) fails
#     exactly the task it is in.
# The edition is built once (at the default -O3: -O1 makes gcc see a
# format truncation in data.c that -O3 does not), and
# each planted bug rebuilds only what it touches.
. tests/lib.sh
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
WEAVE=$BUILD/tests/weave
[ -x "$WEAVE" ] || { fail weave_built "no $WEAVE; run make tests"; check_summary; }
ED=$TMP/student
# The edition's graders are built as make grade builds them: under
# SAN=1 with the sanitizers, never on the plain layer (REF=1 is the
# project's own switch; grade.sh builds the plain ch07 it trains itself).
SANFLAG=(REF=)
[ "${SAN:-}" = 1 ] && SANFLAG=(SAN=1 REF=)
GBUILD=build
[ "${SAN:-}" = 1 ] && GBUILD=build/san

# --- the edition ---------------------------------------------------------
check student_edition_made tests/student.sh "$WEAVE" "$ED" >/dev/null

# The task functions: "FILE TASK EQ FIRST LAST" per function.
ranges() { (cd "$1" && for f in chapters/*.c common/*.c; do
    awk -v mode=ranges -f tests/stub.awk "$f"; done); }
ranges . >"$TMP/ranges.project"
ranges "$ED" >"$TMP/ranges.student"
ntasks=$(cut -d' ' -f2 "$TMP/ranges.project" | sort -u | wc -l)
check at_least_12_tasks test "$ntasks" -ge 12
mapfile -t task_files < <(cut -d' ' -f1 "$TMP/ranges.project" | sort -u)

# edition_differs_only_in_tasks: every file but book.md and the task
# files is identical; in a task file, every line diff sees removed lies
# in a task body of the project's file, every line it sees added in one
# of the edition's.
# inside FILE RANGES: reads line numbers, fails on one outside RANGES.
inside() {
    awk -v f="$1" 'FNR == NR { if ($1 == f) { lo[++n] = $4; hi[n] = $5 }
                               next }
                   { ok = 0
                     for (i = 1; i <= n; i++)
                         if ($1 >= lo[i] && $1 <= hi[i]) ok = 1
                     if (!ok) { print f ":" $1; bad = 1 } }
                   END { exit bad }' "$2" -
}
differs_only_in_tasks() {
    local bad=0 f
    diff -rq -x book.md -x build -x out -x .git . "$ED" 2>&1 | grep -v -E \
        "^Files \./($(IFS='|'; echo "${task_files[*]}")) and " |
        grep -v -E '^Only in \.(/[^ ]*)?: (ch[0-9][0-9]_[a-z0-9_]+|build|out)$' \
        >"$TMP/other" && { cat "$TMP/other"; bad=1; }
    for f in "${task_files[@]}"; do
        diff --old-line-format='%dn
' --new-line-format= --unchanged-line-format= "$f" "$ED/$f" |
            inside "$f" "$TMP/ranges.project" || bad=1
        diff --new-line-format='%dn
' --old-line-format= --unchanged-line-format= "$f" "$ED/$f" |
            inside "$f" "$TMP/ranges.student" || bad=1
    done
    return $bad
}
check edition_differs_only_in_task_bodies differs_only_in_tasks

# book_differs_only_in_answers_and_listings: lines removed from book.md
# lie in a <details> answer or a woven code block; lines added, in a
# woven code block. And no answer is left in the edition.
book_blocks() {   # "book FIRST LAST" of each answer and woven block
    awk '/<details>/ { a = FNR } /<\/details>/ { print "book", "x", "x", a, FNR }
         /^<!-- weave: / { w = FNR + 1 }
         w && FNR > w && /^```$/ { print "book", "x", "x", w, FNR; w = 0 }' "$1"
}
book_only() {
    local bad=0
    book_blocks book.md >"$TMP/book.project"
    book_blocks "$ED/book.md" >"$TMP/book.student"
    diff --old-line-format='%dn
' --new-line-format= --unchanged-line-format= book.md "$ED/book.md" |
        inside book "$TMP/book.project" || bad=1
    diff --new-line-format='%dn
' --old-line-format= --unchanged-line-format= book.md "$ED/book.md" |
        inside book "$TMP/book.student" || bad=1
    ! grep -q '<details>' "$ED/book.md" || { echo "an answer is left"; bad=1; }
    return $bad
}
check book_differs_only_in_answers_and_listings book_only

# --- build it, warnings as errors ---------------------------------------
# build_edition [TARGET...]: builds the edition (default: all graders).
build_edition() {
    local targets=("$@")
    [ $# -gt 0 ] || targets=(all graders)
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
        make -C "$ED" -j2 WERROR=-Werror "${SANFLAG[@]}" \
        "${targets[@]}" >"$TMP/build.log" 2>&1 ||
        { tail -n 20 "$TMP/build.log"; return 1; }
}
check edition_builds_warning_free build_edition
check edition_book_in_step env -u MAKEFLAGS -u MAKELEVEL make -C "$ED" -s book-check

# grade_all OUT: every grader of the edition, all tasks, into OUT.
grade_all() {
    for g in "$ED/$GBUILD"/tests/grade_ch[0-9][0-9]; do
        (cd "$ED" && "$g")
    done >"$1" 2>"$1.err"
}

# --- a fresh edition scores 0/N without a crash --------------------------
grade_all "$TMP/fresh"
check fresh_edition_grades_every_task \
    test "$(grep -c '^task ' "$TMP/fresh")" -eq "$ntasks"
check fresh_edition_scores_0 test "$(grep -c ': passed$' "$TMP/fresh")" -eq 0
check fresh_edition_no_crash_or_hang \
    test "$(grep -c -E 'crashed|took over|stopped before' "$TMP/fresh")" -eq 0
check fresh_edition_no_sanitizer_report test ! -s "$TMP/fresh.err"
(cd "$ED" && BUILD=$GBUILD tests/grade.sh) >"$TMP/grade.out" 2>&1
check make_grade_exits_0_with_score_0 test $? -eq 0 -a \
    "$(tail -n 1 "$TMP/grade.out")" = "score = 0/$ntasks"
cat "$TMP/grade.out"

# --- the project's bodies back: N/N --------------------------------------
for f in "${task_files[@]}"; do cp "$f" "$ED/$f"; done
check restored_edition_builds build_edition graders
grade_all "$TMP/restored"
check restored_edition_scores_n_of_n \
    test "$(grep -c ': passed$' "$TMP/restored")" -eq "$ntasks"
grep -v ': passed$' "$TMP/restored"

# --- one planted bug per kind of task ------------------------------------
# plant NAME FILE SED TASK: FILE with SED applied must fail TASK alone.
plant() {
    local name=$1 file=$2 expr=$3 task=$4
    cp "$file" "$TMP/keep"
    sed -e "$expr" "$file" >"$ED/$file"
    if cmp -s "$file" "$ED/$file"; then
        fail "$name" "the bug '$expr' no longer applies to $file"
        return
    fi
    if ! build_edition graders; then
        fail "$name" "the edition with the bug does not build"
    else
        grade_all "$TMP/planted"
        local failed
        failed=$(grep -v ': passed$' "$TMP/planted" | cut -d' ' -f2 | xargs)
        if [ "$failed" = "$task" ]; then ok "$name"; else
            fail "$name" "want only $task to fail, got: ${failed:-none}"
        fi
    fi
    cp "$TMP/keep" "$ED/$file"
}
plant planted_flipped_sign_fails_softmax_grad chapters/ch00_entropy.c \
    's/d_logits\[j\] += p\[j\]/d_logits[j] -= p[j]/' ch00-softmax-ce-grad
plant planted_missing_half_fails_reparam_backward common/vae.c \
    's|dz\[i\] \* eps\[i\] \* sigma / 2;|dz[i] * eps[i] * sigma;|' \
    ch07-reparam-backward
plant planted_sigma_for_variance_fails_reparam_forward common/vae.c \
    's|mu\[i\] + (real)exp(0.5 \* logvar|mu[i] + (real)exp(logvar|' \
    ch07-reparam-forward
plant planted_transposed_weights_fail_dense_backward common/nn.c \
    's|g \* l->w\[j \* in + i\];|g * l->w[i * out + j];|' ch03-dense-backward
check_summary
