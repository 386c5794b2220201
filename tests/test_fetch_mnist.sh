#!/usr/bin/env bash
# test_fetch_mnist.sh -- data/fetch-mnist.sh fails cleanly: one line, a
# non-zero exit, and no file left under a real or temporary name. There is
# no network in the tests: a stand-in curl earlier in PATH either fails
# (as with no network) or serves wrong bytes (as a broken mirror would).
. tests/lib.sh

fetch=data/fetch-mnist.sh
mkdir -p "$TMP/bin" "$TMP/bare"
cat >"$TMP/bin/curl" <<'CURL'
#!/bin/sh
# curl stand-in: FAKE_CURL=fail exits 22 (HTTP error); =wrong writes text.
while [ $# -gt 0 ]; do
    case $1 in
    -o) out=$2; shift 2 ;;
    --connect-timeout|--retry) shift 2 ;;
    *) shift ;;
    esac
done
[ "$FAKE_CURL" = fail ] && exit 22
echo "not MNIST" >"$out"
CURL
chmod +x "$TMP/bin/curl"

# empty DIR: true when DIR holds no file at all (not even *.tmp).
empty() { [ -z "$(ls -A "$1")" ]; }

check_fails "no folder given: usage" '^fetch-mnist.sh: usage: ' \
    sh "$fetch"

first=train-images-idx3-ubyte.gz
sum=440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609

PATH="$TMP/bin:$PATH" FAKE_CURL=fail check_fails \
    "no mirror answers: one line" \
    "^fetch-mnist.sh: $first: could not download it from any mirror" \
    sh "$fetch" "$TMP/a"
check "no mirror answers: nothing left in the folder" empty "$TMP/a"

PATH="$TMP/bin:$PATH" FAKE_CURL=wrong check_fails \
    "wrong bytes: the checksum stops them" \
    "^fetch-mnist.sh: $first: SHA-256 is [0-9a-f]{64}, expected $sum\$" \
    sh "$fetch" "$TMP/b"
check "wrong bytes: nothing left in the folder" empty "$TMP/b"

# Neither curl nor wget: PATH holds only the other tools the script uses.
for tool in mkdir rm mv cut sha256sum; do
    ln -s "$(command -v "$tool")" "$TMP/bare/$tool"
done
check_fails "no curl or wget: says so" \
    '^fetch-mnist.sh: needs curl or wget' \
    env PATH="$TMP/bare" "$(command -v sh)" "$fetch" "$TMP/c"

check_summary
