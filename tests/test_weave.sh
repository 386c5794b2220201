#!/usr/bin/env bash
# test_weave.sh -- the book weaver on small fixture sources and books: it
# fills blocks, finds stale ones, rejects broken markers and books, checks
# equation citations, and never rewrites a book that is already in step.
#
# Every expected block below is written out by hand, not taken from a run.
. tests/lib.sh
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
WEAVE=$BUILD/tests/weave
if [ ! -x "$WEAVE" ]; then
    fail weave_built "no $WEAVE; run make tests"
    check_summary
fi
mkdir "$TMP/w" && cd "$TMP/w" || exit 1

# passes NAME CMD...: CMD must exit 0 and print nothing on stderr.
passes() {
    local name=$1; shift
    if "$@" >"$TMP/out" 2>"$TMP/err" && [ ! -s "$TMP/err" ]; then
        ok "$name"
    else
        fail "$name" "exit $?: $(head -c 300 "$TMP/err")"
    fi
}

# same NAME FILE TEXT: FILE holds exactly TEXT (and a final newline).
same() {
    if printf '%s\n' "$3" | cmp -s - "$2"; then ok "$1"; else
        fail "$1" "$2 is not as expected:$(printf '%s\n' "$3" | diff - "$2")"
    fi
}

# --- the fixture: a region inside a function body, one in a header ---
mkdir src
cat >src/a.c <<'EOF'
/* a.c -- fixture */
static int twice(int x)
{
    //> a-twice
    int y = 2 * x;   /* (1.1) */
    if (y > 0) {

        y += 0;   // "(9.9)" is in a comment, so it is a citation: see tags
    }
    //< a-twice
    return y;
}
EOF
printf '  //> b-const\n  enum { B = 1 };\n  //< b-const\n' >src/b.h
# The book and WOVEN, the book woven, share the text the weaver must leave
# alone (`duplicates` pairs them): both spelled out, so each reads whole.
cat >book.md <<'EOF'
# Book

$$ y = 2x \tag{1.1} $$ and $$ z \tag{9.9} $$

<!-- weave: a-twice -->
```c
```

A block the weaver does not own:

```markdown
<!-- weave: not-a-region -->
```

<!-- weave: b-const -->
```c
stale text
```
EOF
WOVEN='# Book

$$ y = 2x \tag{1.1} $$ and $$ z \tag{9.9} $$

<!-- weave: a-twice -->
```c
/* src/a.c */
int y = 2 * x;   /* (1.1) */
if (y > 0) {

    y += 0;   // "(9.9)" is in a comment, so it is a citation: see tags
}
```

A block the weaver does not own:

```markdown
<!-- weave: not-a-region -->
```

<!-- weave: b-const -->
```c
/* src/b.h */
enum { B = 1 };
```'
SRC="src/a.c src/b.h"

# Before the first --write both blocks are stale; --check lists them all.
"$WEAVE" --check book.md $SRC 2>"$TMP/err"
check check_exits_1_when_stale [ $? -eq 1 ]
same check_lists_every_stale_block "$TMP/err" \
'weave: book.md:5: region a-twice differs from src/a.c; run make book
weave: book.md:15: region b-const differs from src/b.h; run make book'
passes write_fills_blocks "$WEAVE" --write book.md $SRC
same written_book_dedented book.md "$WOVEN"
check no_temp_file_left test ! -e book.md.tmp
passes check_after_write "$WEAVE" --check book.md $SRC
passes check_strict_all_used "$WEAVE" --check --strict book.md $SRC

# A second --write must not touch the file: same inode, same mtime (ns).
before=$(stat -c '%i %y' book.md)
passes write_again "$WEAVE" --write book.md $SRC
check write_leaves_untouched_book [ "$(stat -c '%i %y' book.md)" = "$before" ]
check write_prints_nothing_when_same [ ! -s "$TMP/out" ]

# A changed source line: --check names the region, --write repairs it, and
# the repair goes through a new file (so the test above can see a write).
sed -i 's/2 \* x/3 * x/' src/a.c
check_fails check_sees_changed_line \
    '^weave: book.md:5: region a-twice differs from src/a.c; run make book$' \
    "$WEAVE" --check book.md $SRC
passes write_repairs "$WEAVE" --write book.md $SRC
check write_replaces_file [ "$(stat -c '%i %y' book.md)" != "$before" ]
check repaired_line grep -qx 'int y = 3 \* x;   /\* (1.1) \*/' book.md
passes check_after_repair "$WEAVE" --check book.md $SRC

# A weave line with no block after it: --check says so, --write inserts it.
TAGS='$$ \tag{1.1} \tag{9.9} $$'
printf '%s\nIntro\n<!-- weave: b-const -->\nText\n' "$TAGS" >ins.md
check_fails check_missing_block 'ins.md:3: region b-const has no code block' \
    "$WEAVE" --check ins.md $SRC
passes write_inserts_block "$WEAVE" --write ins.md $SRC
same inserted_block ins.md "$TAGS"'
Intro
<!-- weave: b-const -->
```c
/* src/b.h */
enum { B = 1 };
```
Text'

# --strict: a region the book never shows.
printf '%s\n<!-- weave: b-const -->\n```c\n/* src/b.h */\n%s\n```\n' \
    "$TAGS" 'enum { B = 1 };' >one.md
passes unused_ok_without_strict "$WEAVE" --check one.md $SRC
check_fails strict_flags_unused \
    'src/a.c:4: region a-twice is not used in one.md' \
    "$WEAVE" --check --strict one.md $SRC

# A book that cannot be written: the error names it; the book is kept.
cp ins.md ro.md && sed -i 's/B = 1/B = 2/' src/b.h && mkdir ro.md.tmp
check_fails write_failure_reported '^weave: ro.md.tmp: cannot write' \
    "$WEAVE" --write ro.md $SRC
check write_failure_keeps_book cmp -s ins.md ro.md
sed -i 's/B = 2/B = 1/' src/b.h

# --- broken books: each names the line and the region ---
book_fails() {   # NAME PATTERN BOOK-TEXT: --write and --check both fail
    printf '%s\n' "$3" >bad.md
    cp bad.md bad.orig
    check_fails "$1" "$2" "$WEAVE" --check bad.md $SRC
    check_fails "$1_write" "$2" "$WEAVE" --write bad.md $SRC
    check "$1_book_unchanged" cmp -s bad.md bad.orig
}
book_fails unknown_region 'bad.md:3: unknown region no-such' \
    $'# x\n\n<!-- weave: no-such -->\n```c\n```'
book_fails malformed_weave_line 'bad.md:1: malformed weave line' \
    $'<!-- weave a-twice -->\n```c\n```'
book_fails unclosed_block \
    'bad.md:3: code block of region b-const is not closed' \
    $'x\n<!-- weave: b-const -->\n```c\n/* src/b.h */\nenum { B = 1 };'
book_fails not_a_c_block 'bad.md:2: region b-const needs a ```c block' \
    $'<!-- weave: b-const -->\n```python\n```'

# --- broken sources: each names the file, the line and the region ---
src_fails() {    # NAME PATTERN SOURCE-TEXT: the source is rejected
    printf '%s\n' "$3" >bad.c
    check_fails "$1" "$2" "$WEAVE" --check one.md src/b.h bad.c
}
src_fails duplicate_region_two_files \
    '^weave: bad.c:2: region b-const opened twice \(first at src/b.h:1\)$' \
    $'int x;\n//> b-const\n//< b-const'
src_fails close_without_open 'bad.c:2: region r1 closed but not open' \
    $'int x;\n//< r1'
src_fails open_never_closed 'bad.c:2: region r1 is never closed' \
    $'int x;\n  //> r1\nint y;'
src_fails mismatched_close \
    '^weave: bad.c:3: //< r2 closes region r1 \(opened at line 1\)$' \
    $'//> r1\nint y;\n//< r2'
src_fails nested_regions \
    'bad.c:2: region r2 opens inside region r1 \(line 1\)' \
    $'//> r1\n//> r2\n//< r2\n//< r1'
src_fails malformed_marker 'bad.c:1: malformed region marker' \
    $'//> bad name!\n//< bad'
src_fails fence_in_region 'bad.c:2: line in region r1 starts with ```' \
    $'//> r1\n```\n//< r1'

# Columns: 72 fit, 73 do not; a tab runs to the next multiple of 8; a UTF-8
# character is one column; the width is that of the woven (dedented) line.
x64=$(printf 'x%.0s' $(seq 64)); x65=${x64}x
e72=$(printf '\xc3\xa9%.0s' $(seq 72))
src_fails line_73_columns 'bad.c:2: line in region r1 is 73 columns, over 72' \
    $'//> r1\n'"${x64}12345678x"$'\n//< r1'
src_fails tab_counts_to_8 'bad.c:3: line in region r1 is 73 columns, over 72' \
    $'//> r1\nx\n\t'"$x65"$'\n//< r1'
printf '//> r1\n%s12345678\n\t%s\n%s\n//< r1\n' "$x64" "$x64" "$e72" >fits.c
passes line_72_columns_fit "$WEAVE" --check one.md src/b.h fits.c
printf '//> r1\n        %s12345678\n        x\n//< r1\n' "$x64" >deep.c
passes dedented_width_counts "$WEAVE" --check one.md src/b.h deep.c
src_fails long_line_not_truncated \
    'bad.c:2: line in region r1 is 200000 columns' \
    $'//> r1\n'"$(head -c 200000 /dev/zero | tr '\0' y)"$'\n//< r1'

# --- equation citations ---
printf '$$ a \\tag{1.1} $$\n' >eq.md
cat >cite.c <<'EOF'
/* (1.1) is defined; a string or character literal cites nothing: */
const char *s = "(1.2) \" /* (1.3) */";
char c = '"', d = '\''; const char *t = "/* (1.4) */";  /* "(1.1)" */
double e = exp(1.5);  // exp(1.5) is a call, and "(0.0)" no equation
double g = (2.5) * e;  /* code: the // comment ended with its line */
EOF
passes defined_citation_passes "$WEAVE" --check eq.md cite.c
printf 'int x;  // see (2.10)\n' >cite2.c
check_fails undefined_citation \
    '^weave: cite2.c:1: cites \(2.10\), which eq.md does not define$' \
    "$WEAVE" --check eq.md cite.c cite2.c
printf '/* a comment over\n * lines: equation (A.3)\n */ %s\n' \
    'char *s = "/*(1.4)";' >cite3.c
check_fails citation_in_long_comment 'cite3.c:2: cites \(A.3\)' \
    "$WEAVE" --check eq.md cite3.c
printf '$$ a \\tag{1.1} $$\n\n$$ b \\tag{1.1} $$\n' >eq2.md
check_fails equation_tagged_twice \
    'eq2.md:3: equation \(1.1\) tagged twice \(first at line 1\)' \
    "$WEAVE" --check eq2.md
printf '```c\n$$ \\tag{2.10} $$\n```\n' >eq3.md
check_fails tag_in_code_block_defines_nothing 'cite2.c:1: cites \(2.10\)' \
    "$WEAVE" --check eq3.md cite2.c

# --- odd input: empty files, CRLF, no final newline, missing files ---
: >empty.c; : >empty.md
passes empty_files "$WEAVE" --check empty.md empty.c
printf '//> crlf\r\nint z;\r\n//< crlf' >crlf.c
printf '<!-- weave: crlf -->\r\n```c\r\n/* crlf.c */\r\nint z;\r\n```' >crlf.md
passes crlf_and_no_final_newline "$WEAVE" --check crlf.md crlf.c
check_fails missing_source '^weave: nope.c: cannot read: No such file' \
    "$WEAVE" --check empty.md nope.c
printf 'a\0b\n' >nul.c
check_fails nul_byte 'nul.c: contains a NUL byte' \
    "$WEAVE" --check empty.md nul.c

# --- usage errors: one line, exit 2 ---
check_rejects no_arguments 'usage: weave' "$WEAVE"
check_rejects no_mode 'give --write or --check' "$WEAVE" book.md
check_rejects two_modes 'only one of' "$WEAVE" --write --check book.md
check_rejects unknown_flag "unknown flag --frobnicate" "$WEAVE" --frobnicate x
check_rejects no_book 'no book given' "$WEAVE" --check

check_summary
