#!/bin/sh
# cs-harness loads the built module, prints its ABI version as JSON, and refuses a foreign file
# with a CloudStack-style error and a non-zero exit.
set -u
h="$top_builddir/host/cs-harness"
out=$("$h" --plugin "$top_builddir/plugin/powerflex.la" info) || { echo "FAIL: info exited $?"; exit 1; }
echo "$out"
echo "$out" | grep -q '"name": "PowerFlex"' || { echo "FAIL: no plugin name"; exit 1; }
echo "$out" | grep -q '"abiversion": "2.0"' || { echo "FAIL: no ABI version"; exit 1; }
txt=$(mktemp)
trap 'rm -f "$txt"' EXIT
echo "this is a text file, not a plugin" > "$txt"
err=$("$h" --plugin "$txt" info 2>&1) && { echo "FAIL: a text file was accepted"; exit 1; }
echo "$err"
echo "$err" | grep -q '"errorcode"' || { echo "FAIL: no errorcode"; exit 1; }
echo "$err" | grep -q 'neither an ELF shared object' || { echo "FAIL: unclear error"; exit 1; }
echo "PASS"
