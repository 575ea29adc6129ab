#!/bin/sh
# Replays the gateway error mapping's fuzz regression inputs and seeds (every build; see replay.sh).
set -- error
. "${top_srcdir:?run through make check}/tests/fuzz/replay.sh"
