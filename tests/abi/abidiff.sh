#!/bin/sh
# The public ABI is the committed baseline: abidiff finds no change between abi/storage_plugin.abi
# and this build's abi/storage_plugin_types.so (which takes every type of the header). An ABI
# change made on purpose comes with `make abi-baseline` and the new baseline in the same commit.
# Skips (77) only when abigail-tools is not installed; scripts/install-deps installs it.
set -u
for tool in abidw abidiff; do
  command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool is not installed (Debian: abigail-tools)"; exit 77; }
done
h="$top_srcdir/abi/storage_plugin.h"
base="$top_srcdir/abi/storage_plugin.abi"
so="$top_builddir/abi/.libs/storage_plugin_types.so"
[ -f "$base" ] || { echo "FAIL: no baseline $base (make abi-baseline writes it)"; exit 1; }
[ -f "$so" ] || { echo "FAIL: $so is not built"; exit 99; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every type the header names is in the baseline: a type missing from storage_plugin_types.c
# would otherwise change unseen.
types=$(grep -oE '\} sp_[a-z0-9_]+;|^typedef struct sp_[a-z0-9_]+ sp_[a-z0-9_]+;|\(\*sp_[a-z0-9_]+\)\(' "$h" |
  sed -E 's/^\} //; s/^typedef struct [a-z0-9_]+ //; s/^\(\*//; s/\)\($//; s/;$//' | sort -u)
n=0
for t in $types; do
  n=$((n + 1))
  grep -q "name='$t'" "$base" || {
    echo "FAIL: type $t of storage_plugin.h is not in the baseline: take it in abi/storage_plugin_types.c and run make abi-baseline"
    exit 1
  }
done
echo "PASS: the baseline holds all $n types of storage_plugin.h"

# The same flags as make abi-baseline, so only the ABI can differ.
if ! abidw --no-corpus-path --no-comp-dir-path --no-show-locs --no-architecture --type-id-style hash \
  --out-file "$tmp/now.abi" "$so"; then
  echo "FAIL: abidw could not read $so (built without debug info?)"
  exit 1
fi
abidiff "$base" "$tmp/now.abi" >"$tmp/report" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
  cat "$tmp/report"
  echo "FAIL: the ABI differs from abi/storage_plugin.abi (abidiff exit $rc). If the change is meant,"
  echo "      bump the version as storage_plugin.h says, run make abi-baseline and commit the baseline."
  exit 1
fi
echo "PASS: no ABI change against abi/storage_plugin.abi"
