#!/bin/sh
# Replays the gateway object parsers's fuzz regression inputs and seeds (every build; see replay.sh).
set -- objects
. "${top_srcdir:?run through make check}/tests/fuzz/replay.sh"
