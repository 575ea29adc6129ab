#!/bin/sh
# The plugin module exports exactly one symbol: the ABI's entry point.
set -eu
so="$top_builddir/plugin/.libs/powerflex.so"
[ -f "$so" ] || { echo "missing $so"; exit 1; }
syms=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVWi]$/ {print $3}' | sort)
echo "exported: $syms"
[ "$syms" = "sp_plugin_init" ] || { echo "FAIL: expected only sp_plugin_init"; exit 1; }
echo "PASS: only sp_plugin_init is exported"
