# stub.awk -- finds the task functions of a C source and, for the student
# edition, replaces each one's body by a stub.
#
# A task function is marked by a line of its own right above its
# signature:
#     /* TASK ch07-reparam-backward (7.6) */
# The signature runs from the next line to a line that is exactly "{";
# the body ends at the next line that is exactly "}" (the style of every
# function in chapters/ and common/). The stub keeps the signature, marks
# each parameter used -- (void)x; -- so that -Wall -Wextra stays quiet,
# returns a neutral value, and says which equation to write and where the
# book derives it.
#
#   awk -v mode=stub   -v book=book.md -f tests/stub.awk FILE > NEW
#   awk -v mode=ranges -f tests/stub.awk FILE
#       prints "FILE TASK EQUATION FIRST LAST" per task function: the
#       body's line numbers, the braces excluded
#
# A marker without a well-formed function below it is an error (exit 1).

function fail(msg) {
    printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
    failed = 1
    exit 1
}

# The book's place for equation eq: 'Chapter N, "Section"' from the
# headings above the line that tags it.
function book_place(eq,    line, chapter, section, tag) {
    tag = "\\tag{" eq "}"
    while ((getline line < book) > 0) {
        if (line ~ /^## /) {
            chapter = substr(line, 4)
            sub(/ —.*/, "", chapter)
        } else if (line ~ /^### /) {
            section = substr(line, 5)
        } else if (index(line, tag) > 0) {
            close(book)
            return chapter ", \"" section "\""
        }
    }
    close(book)
    fail("equation (" eq ") is not tagged in " book)
}

# Prints text as the lines of a C comment indented by four spaces,
# words wrapped at 72 columns, and then `last` on a line of its own.
function comment(text, last,    words, n, i, line) {
    n = split(text, words, " ")
    line = "    /*"
    for (i = 1; i <= n; i++) {
        if (length(line) + 1 + length(words[i]) > 69) {
            print line
            line = "     *"
        }
        line = line " " words[i]
    }
    print line
    print "     * " last " */"
}

# s without its C comments.
function uncomment(s,    at, end) {
    while ((at = index(s, "/*")) > 0) {
        end = index(substr(s, at + 2), "*/")
        if (end == 0)
            fail("unclosed comment in a task's signature")
        s = substr(s, 1, at - 1) " " substr(s, at + end + 3)
    }
    return s
}

# The statements of a stub for the signature sig (all its lines joined).
function stub_body(sig, task, eq,    head, params, n, i, p, type, name) {
    sig = uncomment(sig)
    head = substr(sig, 1, index(sig, "(") - 1)
    params = substr(sig, index(sig, "(") + 1)
    sub(/\)[^)]*$/, "", params)
    comment("TASK " task ": write equation (" eq "), derived in "       \
            "book.md, " book_place(eq) ". Then check it with",          \
            "make grade TASK=" task)
    n = split(params, p, ",")
    for (i = 1; i <= n; i++) {
        name = p[i]
        sub(/[ \t]+$/, "", name)
        while (name ~ /\]$/)                    # x[] or x[N] -> x
            sub(/[ \t]*\[[^\[]*\]$/, "", name)
        if (!match(name, /[A-Za-z_][A-Za-z0-9_]*$/))
            fail("cannot read parameter '" p[i] "' of the task below")
        name = substr(name, RSTART)
        if (name != "void")
            print "    (void)" name ";"
    }
    type = head
    sub(/[A-Za-z_][A-Za-z0-9_]*[ \t]*$/, "", type)     # the name out
    gsub(/^[ \t]+|[ \t]+$/, "", type)
    sub(/^(static|inline|extern)[ \t]+/, "", type)
    if (type == "void")
        return
    if (type ~ /\*$/)
        print "    return NULL;"
    else if (type == "bool")
        print "    return false;"
    else if (type ~ /^(const )?(double|float|real|int|long|size_t|unsigned)/)
        print "    return 0;"
    else
        print "    return (" type "){0};"
}

BEGIN { state = "code" }

state == "code" && /^\/\* TASK / {
    if (!match($0, /^\/\* TASK [a-z0-9-]+ \([0-9A-Z]+\.[0-9]+\) \*\/$/))
        fail("malformed task marker; want /* TASK chNN-name (N.k) */")
    split($0, f, " ")
    task = f[3]
    eq = f[4]
    gsub(/[()]/, "", eq)
    sig = ""
    state = "signature"
    if (mode == "stub")
        print
    next
}

state == "signature" {
    if ($0 == "{") {
        if (sig == "" || index(sig, "(") == 0)
            fail("task " task ": no function signature below its marker")
        state = "body"
        first = FNR + 1
    } else {
        if ($0 ~ /^[ \t]*$/ || $0 ~ /;[ \t]*$/)
            fail("task " task ": marker not right above a function")
        sig = sig " " $0
    }
    if (mode == "stub")
        print
    next
}

state == "body" {
    if ($0 != "}")
        next
    if (mode == "stub") {
        stub_body(sig, task, eq)
        print
    } else {
        print FILENAME, task, eq, first, FNR - 1
    }
    ntasks++
    state = "code"
    next
}

mode == "stub" { print }

END {
    if (failed)
        exit 1
    if (state != "code") {
        printf "%s: task %s is not closed by a line \"}\"\n", FILENAME,
            task > "/dev/stderr"
        exit 1
    }
}
