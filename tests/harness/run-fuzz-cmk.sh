#!/bin/sh
# Fuzzes the harness's command language briefly (FUZZ_SECONDS, default 10; see tests/fuzz/fuzz.sh).
set -- cmk
. "${top_srcdir:?run through make check}/tests/fuzz/fuzz.sh"
