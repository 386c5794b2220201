#!/bin/sh
# fetch-mnist.sh DIR -- downloads full MNIST (70,000 digits) into DIR as
# the four .gz files the programs read with --data DIR, checking each
# against its known SHA-256 before it takes its real name.
#
# Safe to run again: a file already there with the right checksum is kept;
# one with a wrong checksum is downloaded again. A failed or interrupted
# download leaves no file under a real name. Needs curl or wget, and
# sha256sum or shasum. `make mnist` runs it for data/mnist.
set -u

prog=fetch-mnist.sh
die() { echo "$prog: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $prog DIR"
dir=$1

mirrors="https://storage.googleapis.com/cvdf-datasets/mnist
https://ossci-datasets.s3.amazonaws.com/mnist"

# The SHA-256 of the files as LeCun, Cortes and Burges published them
# (the same sums torchvision and the TensorFlow datasets check).
set -- \
    train-images-idx3-ubyte.gz \
    440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609 \
    train-labels-idx1-ubyte.gz \
    3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c \
    t10k-images-idx3-ubyte.gz \
    8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6 \
    t10k-labels-idx1-ubyte.gz \
    f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6

if command -v curl >/dev/null 2>&1; then
    download() { curl -fsL --connect-timeout 20 --retry 2 -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
    download() { wget -q --timeout=20 --tries=3 -O "$2" "$1"; }
else
    die "needs curl or wget to download (Debian: apt-get install curl)"
fi

if command -v sha256sum >/dev/null 2>&1; then
    sha256() { sha256sum "$1" | cut -d' ' -f1; }
elif command -v shasum >/dev/null 2>&1; then
    sha256() { shasum -a 256 "$1" | cut -d' ' -f1; }
else
    die "needs sha256sum or shasum to check the downloads"
fi

mkdir -p "$dir" 2>/dev/null || die "$dir: cannot create the folder"
tmp=
trap 'rm -f "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

while [ $# -gt 0 ]; do
    name=$1 sum=$2
    shift 2
    if [ -f "$dir/$name" ] && [ "$(sha256 "$dir/$name")" = "$sum" ]; then
        echo "$dir/$name: already there, checksum ok"
        continue
    fi
    tmp=$dir/$name.tmp
    got=
    for mirror in $mirrors; do
        if download "$mirror/$name" "$tmp"; then
            got=$(sha256 "$tmp")
            [ "$got" = "$sum" ] && break
        fi
    done
    [ -n "$got" ] ||
        die "$name: could not download it from any mirror (no network?)"
    [ "$got" = "$sum" ] || die "$name: SHA-256 is $got, expected $sum"
    mv "$tmp" "$dir/$name" || die "$dir/$name: cannot rename into place"
    tmp=
    echo "$dir/$name: downloaded, checksum ok"
done

echo "full MNIST is in $dir: run a chapter with --data $dir"
