#!/bin/sh
# Fuzzes the gateway object parsers and error mapping briefly (FUZZ_SECONDS, default 10; see fuzz.sh).
set -- objects error
. "${top_srcdir:?run through make check}/tests/fuzz/fuzz.sh"
