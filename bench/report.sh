#!/bin/sh
# report.sh - the one table "make bench" prints, from the benchmarks' outputs: the machine, the
# gateway requests of each plugin operation next to the fewest the REST API allows (ops-bench),
# gateway ops/s against the ideal (gateway-bench), the cross-system copy against cp --sparse
# (copy-bench), the pool selection time (alloc-bench). Targets are README.md's.
#   bench/report.sh --ops FILE --gateway FILE --copy FILE --alloc FILE
# A missing file or figure gives a row saying so; the exit status is 0 either way (make bench
# fails on the benchmarks' own exit status).

ops='' gateway='' copy='' alloc=''
while [ $# -gt 1 ]; do
    case $1 in
    --ops) ops=$2 ;;
    --gateway) gateway=$2 ;;
    --copy) copy=$2 ;;
    --alloc) alloc=$2 ;;
    *) echo "usage: $0 --ops FILE --gateway FILE --copy FILE --alloc FILE" >&2; exit 2 ;;
    esac
    shift 2
done
if [ $# -ne 0 ]; then
    echo "usage: $0 --ops FILE --gateway FILE --copy FILE --alloc FILE" >&2
    exit 2
fi

row() {
    printf '%-52s %-16s %-22s %s\n' "$1" "$2" "$3" "$4"
}

# The value of key=value on the last line of file $1 that has key $2 ("" when none).
figure() {
    [ -r "$1" ] || return 0
    awk -v key="$2" '{ for (i = 1; i <= NF; i++) if (index($i, key "=") == 1) v = substr($i, length(key) + 2) }
        END { print v }' "$1"
}

cpus=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
[ -n "$model" ] || model=$(uname -m)
echo "machine: nproc $cpus, $model, $(uname -s) $(uname -r) $(uname -m)"
row "benchmark" "measured" "against" "verdict"

# ops-bench: "op NAME... requests=N minimum=M cold=C VERDICT: ..." (NAME may hold spaces).
if [ -r "$ops" ] && grep -q '^op ' "$ops"; then
    awk '/^op / {
            name = ""; req = "?"; min = "?"; cold = "?"; verdict = ""
            for (i = 2; i <= NF; i++) {
                if ($i ~ /^requests=/) { req = substr($i, 10); min = substr($(i + 1), 9);
                    cold = substr($(i + 2), 6); verdict = $(i + 3); sub(/:$/, "", verdict); break }
                name = name (name == "" ? "" : " ") $i
            }
            printf "%-52s %-16s %-22s %s\n", name " requests", req " (cold " cold ")", "minimum " min, verdict
        }' "$ops"
else
    row "requests per operation" "no figures" "see ${ops:-bench/ops-bench.out}" ""
fi

ops_s=$(figure "$gateway" ops_per_s)
ratio=$(figure "$gateway" ideal_ratio)
ideal=$(figure "$gateway" ideal_ops_per_s)
if [ -n "$ops_s" ] && [ -n "$ratio" ]; then
    setup=$(sed -n 's/^gateway-bench: \([0-9]*\) threads x .*latency \([0-9]*\) ms.*/\1 threads, \2 ms/p' \
        "$gateway")
    verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.8 ? "ok" : "below") ": ratio " r " (target >= 0.8)" }')
    row "gateway ops/s (${setup:-standard run})" "$ops_s" "ideal $ideal" "$verdict"
else
    row "gateway ops/s" "no figure" "see ${gateway:-bench/gateway-bench.out}" ""
fi

copy_s=$(figure "$copy" copy_s)
cp_s=$(figure "$copy" cp_s)
ratio=$(figure "$copy" ratio)
if [ -n "$copy_s" ] && [ -n "$cp_s" ]; then
    size=$(sed -n 's/^source volume .*its first \([0-9]*\) MiB.*/\1 MiB/p' "$copy")
    verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.9 ? "ok" : "below") ": ratio " r " (target >= 0.9)" }')
    row "copy_volume_across s (${size:-standard run})" "$copy_s" "cp --sparse $cp_s" "$verdict"
else
    row "copy_volume_across" "no figure" "see ${copy:-bench/copy-bench.out}" ""
fi

ms=$(figure "$alloc" ms_per_call)
if [ -n "$ms" ]; then
    pools=$(figure "$alloc" pools)
    volumes=$(figure "$alloc" volumes)
    worst=$(figure "$alloc" worst_ms)
    verdict=$(awk -v m="$ms" -v w="$worst" 'BEGIN { print (m < 10 ? "ok" : "over") ": worst " w " ms" }')
    row "pool selection ms ($pools pools, $volumes volumes)" "$ms" "target < 10" "$verdict"
else
    row "pool selection" "no figure" "see ${alloc:-bench/alloc-bench.out}" ""
fi
exit 0
