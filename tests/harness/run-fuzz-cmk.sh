#!/bin/sh
# Runs the cmk fuzz target briefly (FUZZ_SECONDS, default 10) from a seed corpus made of the
# scenario files' lines. Any crash, leak or sanitizer report fails the test.
set -eu
: "${top_builddir:?run through make check}" "${top_srcdir:?run through make check}"
seconds=${FUZZ_SECONDS:-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/cmkfuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/seed" "$work/corpus"
i=0
for f in "$top_srcdir"/tests/scenarios/*.cmk "$top_srcdir"/tests/scenarios/*.inc; do
    while IFS= read -r line; do
        printf '%s' "$line" >"$work/seed/$i"
        i=$((i + 1))
    done <"$f"
done
"$top_builddir/tests/harness/fuzz_cmk" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 \
    -artifact_prefix="$work/" "$work/corpus" "$work/seed" >"$work/log" 2>&1 || {
    tail -n 60 "$work/log"
    for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
        [ -e "$a" ] && { echo "artifact $a:"; od -c "$a" | head -n 20; }
    done
    exit 1
}
tail -n 2 "$work/log"
