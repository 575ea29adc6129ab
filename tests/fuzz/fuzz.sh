#!/bin/sh
# fuzz.sh TARGET... - runs each libFuzzer target (objects, error, url, image, cmk) for FUZZ_SECONDS
# (default 10) from its seeds and regression inputs. Any crash, leak, timeout or sanitizer report
# fails the run and prints the input; FUZZ_ARTIFACT_DIR (if set) receives a copy of it, and
# FUZZ_CORPUS_DIR (if set) keeps each target's corpus between runs. make check runs it briefly
# in a --enable-fuzzing build, `make fuzz` longer. Needs top_srcdir, top_builddir.
set -eu
: "${top_builddir:?run through make}" "${top_srcdir:?run through make}"
seconds=${FUZZ_SECONDS:-10}
[ $# -gt 0 ] || { echo "usage: fuzz.sh TARGET..." >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX")
keep=0
trap '[ "$keep" = 1 ] || rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
. "$top_srcdir/tests/fuzz/seeds.sh"

status=0
for target; do
    prog=$(fuzz_program "$target")
    fuzz_seeds "$target" "$work/$target-seed"
    if [ -n "${FUZZ_CORPUS_DIR:-}" ]; then corpus=$FUZZ_CORPUS_DIR/$target; else corpus=$work/$target; fi
    mkdir -p "$corpus"
    case $target in
    objects | error) maxlen=65536 dict=json.dict ;;
    url) maxlen=4096 dict=url.dict ;;
    image) maxlen=70000 dict=image.dict ;;
    *) maxlen=4096 dict= ;;
    esac
    set -- -max_total_time="$seconds" -max_len="$maxlen" -timeout=25 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/$target-"
    [ -z "$dict" ] || set -- "$@" -dict="$top_srcdir/tests/fuzz/$dict"
    # The first directory receives new inputs; seeds and regressions are only read.
    if "$prog" "$@" "$corpus" "$work/$target-seed" "$top_srcdir/tests/fuzz/regress/$target" \
        >"$work/$target.log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log")
        last=$(grep -E '^#[0-9]+' "$work/$target.log" | tail -n 1 | sed 's/^#[0-9]*[[:space:]]*//')
        echo "fuzz_$target: ok, ${seconds}s, ${runs:-?} runs, $last"
        continue
    fi
    status=1
    keep=1
    echo "fuzz_$target: FAILED (log and inputs kept in $work)"
    tail -n 60 "$work/$target.log"
    for a in "$work/$target-"crash-* "$work/$target-"leak-* "$work/$target-"timeout-* \
        "$work/$target-"oom-* "$work/$target-"slow-unit-*; do
        [ -e "$a" ] || continue
        echo "artifact $a ($(wc -c <"$a") bytes):"
        od -A d -c "$a" | head -n 40
        if [ -n "${FUZZ_ARTIFACT_DIR:-}" ]; then
            mkdir -p "$FUZZ_ARTIFACT_DIR" && cp "$a" "$FUZZ_ARTIFACT_DIR/"
        fi
        echo "once fixed, keep it as a regression input: cp '$a' '$top_srcdir/tests/fuzz/regress/$target/'"
    done
done
exit $status
