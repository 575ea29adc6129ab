#!/bin/sh
# Replays the pool URL parser's fuzz regression inputs and seeds (every build; see replay.sh).
set -- url
. "${top_srcdir:?run through make check}/tests/fuzz/replay.sh"
