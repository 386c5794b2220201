#!/usr/bin/env bash
# student.sh -- writes the student edition: a copy of the project in which
# every task function's body is a stub (tests/stub.awk) and the book has no
# answers. Run from the top of the project:
#
#   tests/student.sh WEAVE [OUT]     (make student: OUT = out/student)
#
# WEAVE is the built weaver. The copy is the project's own files (data,
# tests, plots and all; not build/, out/, the binaries or data/mnist/).
# Then, in the copy:
#   - each source with a task marker gets its stubs;
#   - each exercise answer, a <details> ... </details> block, is cut out
#     of book.md;
#   - book.md is re-woven, so that the listing of a task shows the stub
#     the student is to fill in, and `make book-check` passes there.
set -euo pipefail
WEAVE=${1:?usage: tests/student.sh WEAVE [OUT]}
OUT=${2:-out/student}
case $WEAVE in /*) ;; *) WEAVE=$PWD/$WEAVE ;; esac
[ -x "$WEAVE" ] || { echo "student.sh: no weaver at $WEAVE" >&2; exit 1; }
[ -f book.md ] && [ -f tests/stub.awk ] ||
    { echo "student.sh: run me from the top of the project" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"
tar -cf - --exclude=./data/mnist --exclude='*.tmp' \
    ./Makefile ./README.md ./LICENSE ./book.md ./.gitignore ./.ci \
    ./chapters ./common ./data ./plots ./tests | tar -xf - -C "$OUT"

tasks=0
for src in chapters/*.c common/*.c; do
    grep -q '^/\* TASK ' "$src" || continue
    awk -v mode=stub -v book=book.md -f tests/stub.awk "$src" >"$OUT/$src"
    tasks=$((tasks + $(grep -c '^/\* TASK ' "$src")))
done

# The answers out: from a line holding <details> to the one holding
# </details>, both included.
awk '/<details>/ { skip = 1 } !skip { print } /<\/details>/ { skip = 0 }' \
    book.md >"$OUT/book.md"

(cd "$OUT" && "$WEAVE" --write book.md chapters/*.c common/*.c common/*.h \
    >/dev/null)
echo "student edition: $OUT ($tasks task functions stubbed, answers out)"
echo "next: cd $OUT && make grade"
