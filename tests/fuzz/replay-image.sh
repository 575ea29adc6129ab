#!/bin/sh
# Replays the image inspector's fuzz regression inputs and seeds (every build; see replay.sh).
set -- image
. "${top_srcdir:?run through make check}/tests/fuzz/replay.sh"
