#!/bin/sh
# Runs each gateway fuzz target briefly (FUZZ_SECONDS, default 10) from a seed corpus made of the
# captured fixtures. Any crash, leak or sanitizer report fails the test.
set -eu
: "${top_builddir:?run through make check}" "${SHARED_DIR:?run through make check}"
seconds=${FUZZ_SECONDS:-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/gwfuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

mkdir -p "$work/objects-seed" "$work/objects" "$work/error-seed" "$work/error"
i=0
for f in "$SHARED_DIR"/fixtures/*.json; do
    # every fixture through every parser: the selector byte is the parser number
    for sel in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
        { printf "\\$(printf %o "$sel")"; cat "$f"; } >"$work/objects-seed/$i-$sel"
    done
    { printf '\007\000'; cat "$f"; } >"$work/error-seed/$i"
    i=$((i + 1))
done
printf '\007\000{"message":"Error with details","httpStatusCode":500,"errorCode":182,"details":[{"rc":182,"error":"TOO_MANY_SNAPS_IN_VTREE","errorMessage":"x"}]}' >"$work/error-seed/details"
printf '\010\001<html><body>502</body></html>' >"$work/error-seed/html"

status=0
for target in objects error; do
    "$top_builddir/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
        -artifact_prefix="$work/" "$work/$target" "$work/$target-seed" >"$work/$target.log" 2>&1 || {
        status=1
        tail -n 60 "$work/$target.log"
        for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
            [ -e "$a" ] && { echo "artifact $a:"; od -c "$a" | head -n 20; }
        done
    }
    tail -n 2 "$work/$target.log"
done
exit $status
