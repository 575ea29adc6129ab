#!/bin/sh
# Fuzzes the pool URL parser briefly (FUZZ_SECONDS, default 10; see fuzz.sh).
set -- url
. "${top_srcdir:?run through make check}/tests/fuzz/fuzz.sh"
