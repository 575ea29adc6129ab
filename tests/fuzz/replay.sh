#!/bin/sh
# replay.sh TARGET - replays tests/fuzz/regress/TARGET/* and TARGET's seeds through
# tests/fuzz/replay_TARGET (the fuzz target without libFuzzer), so that every build, gcc and
# --enable-sanitizers included, rechecks the inputs that once broke a parser. A crash, a failed
# property (abort), a sanitizer report or a hang (REPLAY_TIMEOUT seconds per input) fails it.
set -eu
: "${top_builddir:?run through make check}" "${top_srcdir:?run through make check}"
target=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/replay.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
. "$top_srcdir/tests/fuzz/seeds.sh"
fuzz_seeds "$target" "$work/seed"
"$top_builddir/tests/fuzz/replay_$target" "$top_srcdir/tests/fuzz/regress/$target" "$work/seed"
