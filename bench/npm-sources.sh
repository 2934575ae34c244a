#!/usr/bin/env bash
# Unpacks the published sources of pinned npm packages, each into DIR/<name>-<version> (scoped
# names lose the `@` and their `/` becomes `-`). A package already there is kept; one half
# unpacked (an interrupted run) is fetched again.
# Usage: bench/npm-sources.sh DIR PACKAGE@VERSION...   Needs npm and tar.
set -euo pipefail
dir=$1
shift
mkdir -p "$dir"
for p in "$@"; do
    name=${p%@*}; name=${name#@}; name=${name//\//-}; ver=${p##*@}
    [ -d "$dir/$name-$ver" ] && continue
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$p" >/dev/null)
    rm -rf "$dir/$name-$ver.part"
    mkdir -p "$dir/$name-$ver.part"
    tar xzf "$tmp/$name-$ver.tgz" -C "$dir/$name-$ver.part" --strip-components=1
    mv "$dir/$name-$ver.part" "$dir/$name-$ver"
    rm -rf "$tmp"
done
