#!/bin/sh
# cs-harness loads the built module, prints its ABI version as JSON, and refuses a foreign file
# with a CloudStack-style error and a non-zero exit.
set -u
h="$top_builddir/host/cs-harness"
out=$("$h" --plugin "$top_builddir/plugin/powerflex.la" info) || { echo "FAIL: info exited $?"; exit 1; }
echo "$out"
echo "$out" | grep -q '"name": "PowerFlex"' || { echo "FAIL: no plugin name"; exit 1; }
echo "$out" | grep -q '"abiversion": "2.0"' || { echo "FAIL: no ABI version"; exit 1; }
# The settings and pool details the plugin publishes (describe), with defaults, ranges, secrets.
flat=$(echo "$out" | tr -d ' \n')
for want in '"name":"storage.pool.disk.wait","kind":"setting","type":"integer","scopes":["global","storagepool"],"defaultvalue":"60","min":0,"max":86400' \
  '"name":"powerflex.sdc.home.dir","kind":"setting","type":"path","scopes":["host"],"defaultvalue":"/opt/emc/scaleio/sdc"' \
  '"name":"powerflex.gw.password","kind":"pooldetail","type":"string","defaultvalue":null,"secret":true,"required":true'; do
  case $flat in *"$want"*) ;; *) echo "FAIL: info lacks $want"; exit 1 ;; esac
done
txt=$(mktemp)
trap 'rm -f "$txt"' EXIT
echo "this is a text file, not a plugin" > "$txt"
err=$("$h" --plugin "$txt" info 2>&1) && { echo "FAIL: a text file was accepted"; exit 1; }
echo "$err"
echo "$err" | grep -q '"errorcode"' || { echo "FAIL: no errorcode"; exit 1; }
echo "$err" | grep -q 'neither an ELF shared object' || { echo "FAIL: unclear error"; exit 1; }
echo "PASS"
