#!/bin/sh
# Replays the harness command language's fuzz regression inputs and seeds (every build; see replay.sh).
set -- cmk
. "${top_srcdir:?run through make check}/tests/fuzz/replay.sh"
