#!/bin/sh
# Fuzzes the image inspector briefly (FUZZ_SECONDS, default 10; see fuzz.sh).
set -- image
. "${top_srcdir:?run through make check}/tests/fuzz/fuzz.sh"
