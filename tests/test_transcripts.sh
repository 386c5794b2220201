#!/usr/bin/env bash
# test_transcripts.sh -- the quoted-output checker (tests/transcripts.c)
# on a small book of its own: a number edited in a quoted log fails the
# check, naming the chapter and the line; timings and thread counts may
# differ; "…" leaves a stretch out; --write refreshes the numbers and
# keeps the "…" marks. The program it quotes is a shell script whose
# output is written out by hand below.
. tests/lib.sh
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
T=$BUILD/tests/transcripts
if [ ! -x "$T" ]; then
    fail transcripts_built "no $T; run make tests"
    check_summary
fi
mkdir "$TMP/b" && cd "$TMP/b" || exit 1

cat >prog <<'P'
#!/bin/sh
echo "prog: seed 1, 4 threads"
echo "epoch 1/3  loss 0.5000  0.31 s  ETA   2 s"
echo "epoch 2/3  loss 0.2500  0.30 s  ETA   1 s"
echo "epoch 3/3  loss 0.1250  0.29 s  ETA   0 s"
echo "summary:"
echo "loss = 0.125"
echo "seconds = 0.90"
echo "wrote: out/prog/loss.tsv"
P
chmod +x prog

# The book quotes the run with other timings and another thread count.
cat >book.md <<'B'
# A book

## Chapter 1 — Whole

```
$ ./prog
prog: seed 1, 2 threads
epoch 1/3  loss 0.5000  0.23 s  ETA   5 s
epoch 2/3  loss 0.2500  0.22 s  ETA   3 s
epoch 3/3  loss 0.1250  0.25 s  ETA   0 s
summary:
loss = 0.125
seconds = 0.70
wrote: out/prog/loss.tsv
```

## Chapter 2 — Elided

```
$ make -v && ./prog
prog: seed 1, 2 threads
…
epoch 3/3  loss 0.1250  0.25 s  ETA   0 s
…
loss = 0.125
seconds = 0.70
wrote: out/prog/loss.tsv
$ ./not-run-as-it-shows-no-output
```
B
cp book.md good.md

"$T" --check book.md >"$TMP/out" 2>"$TMP/err"
check "timings and thread counts may differ" test $? -eq 0
check "... and nothing is reported" test ! -s "$TMP/err"
check "two blocks seen" grep -q '2 blocks, 0 differences' "$TMP/out"

sed 's/^loss = 0.125$/loss = 0.126/' good.md >book.md
"$T" --check book.md >"$TMP/out" 2>"$TMP/err"
check "an edited number fails" test $? -ne 0
check "... naming the line and chapter 1" \
    grep -q '^book.md:12: Chapter 1: 0.126 is now 0.125' "$TMP/err"
check "... and chapter 2's line 25" \
    grep -q '^book.md:25: Chapter 2: 0.126 is now 0.125' "$TMP/err"

sed 's/^epoch 3\/3  loss 0.1250/epoch 3\/3  loss 0.1240/' good.md >book.md
"$T" --check book.md 2>"$TMP/err" >/dev/null
check "an edited number in an epoch line fails" test $? -ne 0
check "... both times" test "$(grep -c '^book.md:' "$TMP/err")" -eq 2

sed 's/0\.25 s  ETA   0 s/9.99 s  ETA   7 s/' good.md >book.md
"$T" --check book.md >/dev/null 2>&1
check "an edited timing passes" test $? -eq 0

sed 's/^epoch 3\/3  loss 0.1250  0.25 s  ETA   0 s$/epoch 3\/3  lost 0.1250/' \
    good.md >book.md
"$T" --check book.md 2>"$TMP/err" >/dev/null
check "a line not in the output fails" test $? -ne 0
check "... at the first line that cannot be placed" \
    grep -q '^book.md:10: Chapter 1: ' "$TMP/err"

sed '/^epoch 2\/3/d' good.md >book.md
"$T" --check book.md 2>"$TMP/err" >/dev/null
check "a line left out without a … fails" test $? -ne 0

# --write: stale numbers are refreshed, "…" kept, and the quoted timings
# and thread counts too (measured on a quiet machine, discussed in the
# prose), on lines whose shape is unchanged.
sed 's/^loss = 0.125$/loss = 0.3/; s/2 threads/1 threads/' good.md >book.md
"$T" --write book.md >/dev/null 2>&1
check "--write succeeds" test $? -eq 0
check "... refreshing both quoted numbers" \
    test "$(grep -c '^loss = 0.125$' book.md)" -eq 2
check "... keeping the two … marks" test "$(grep -c '^…$' book.md)" -eq 2
check "... and the elided block's length" \
    test "$(sed -n '/Chapter 2/,$p' book.md | wc -l)" \
    -eq "$(sed -n '/Chapter 2/,$p' good.md | wc -l)"
check "... keeping the book's timings" \
    grep -q '^epoch 1/3  loss 0.5000  0.23 s  ETA   5 s$' book.md
check "... and its thread count" grep -q '^prog: seed 1, 1 threads$' book.md
"$T" --check book.md >/dev/null 2>&1
check "the refreshed book passes --check" test $? -eq 0

check_rejects "usage" 'usage: transcripts' "$T" --bogus book.md
check_summary
