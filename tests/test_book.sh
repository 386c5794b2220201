#!/usr/bin/env bash
# test_book.sh -- book.md is in step with the sources: every woven code
# block equals a fresh weave of its region, and every equation the code
# cites is tagged in the book. This is how `make test` fails when the book
# drifts from the code (the fix is `make book`, then a reread).
. tests/lib.sh
shopt -s nullglob
WEAVE=${BUILD:-build}/tests/weave

if [ ! -f book.md ]; then
    fail book_exists "book.md is missing; the book is part of the project"
    check_summary
fi
if [ ! -x "$WEAVE" ]; then
    fail weave_built "no $WEAVE; run make tests"
    check_summary
fi
ok book_exists
if "$WEAVE" --check --strict book.md chapters/*.c common/*.c common/*.h \
    >"$TMP/out" 2>"$TMP/err"; then
    ok book_in_step_with_sources
else
    fail book_in_step_with_sources "weave --check failed (exit $?):"
    sed 's/^/    /' "$TMP/err"
fi
check_summary
