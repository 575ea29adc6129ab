#!/bin/sh
# report.sh - the one table "make bench" prints, from the benchmarks' outputs: the machine, then
# one row per figure with what it is compared with, the ratio and the target (README.md's):
#   ops      gateway requests of each plugin operation next to the fewest the REST API allows
#   gateway  the plugin's client against a bare libcurl client in the same run (ops/s, CPU time
#            per request) and against the ideal the latency allows
#   copy     copy_volume_across and template seeding against qemu-img convert in the same run,
#            and the copy's share of the medium's direct write bandwidth (dd)
#   scale    list_volumes and check storagepool at 20,000 volumes + 50,000 snapshots, and how
#            their time per object grew from 5,000 volumes (1.00: linear); the whole
#            findStoragePoolsForMigration command among 10,000 pools
#   alloc    pool selection among 10,000 pools, and the harness's start-up on that database
#   bench/report.sh --ops FILE --gateway FILE --copy FILE --alloc FILE [--scale FILE]
# A missing file or figure gives a row saying so; the exit status is 0 either way (make bench
# fails on the benchmarks' own exit status).

ops='' gateway='' copy='' alloc='' scale=''
usage() {
    echo "usage: $0 --ops FILE --gateway FILE --copy FILE --alloc FILE [--scale FILE]" >&2
    exit 2
}
while [ $# -gt 1 ]; do
    case $1 in
    --ops) ops=$2 ;;
    --gateway) gateway=$2 ;;
    --copy) copy=$2 ;;
    --alloc) alloc=$2 ;;
    --scale) scale=$2 ;;
    *) usage ;;
    esac
    shift 2
done
[ $# -eq 0 ] || usage

row() {
    printf '%-50s %-14s %-30s %-7s %-9s %s\n' "$1" "$2" "$3" "$4" "$5" "$6"
}

# The value of key=value on the last line of file $1 that has key $2 ("" when none).
figure() {
    [ -r "$1" ] || return 0
    awk -v key="$2" '{ for (i = 1; i <= NF; i++) if (index($i, key "=") == 1) v = substr($i, length(key) + 2) }
        END { print v }' "$1"
}

# ok/below: "$1 >= $2" (ge) or "$1 <= $2" (le) or "$1 < $2" (lt).
verdict() {
    awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
        ok = (op == "ge" && a + 0 >= b + 0) || (op == "le" && a + 0 <= b + 0) || (op == "lt" && a + 0 < b + 0)
        print (ok ? "ok" : "missed") }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b + 0 > 0 ? a / b : 0) }'
}

cpus=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
[ -n "$model" ] || model=$(uname -m)
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
echo "machine: nproc $cpus, $model, $(uname -s) $(uname -r) $(uname -m); load average at the end $load"
row "benchmark" "measured" "compared with" "ratio" "target" "verdict"

# ops-bench: "op NAME... requests=N minimum=M cold=C VERDICT: ..." (NAME may hold spaces).
if [ -r "$ops" ] && grep -q '^op ' "$ops"; then
    awk '/^op / {
            name = ""; req = "?"; min = "?"; cold = "?"; verdict = ""
            for (i = 2; i <= NF; i++) {
                if ($i ~ /^requests=/) { req = substr($i, 10); min = substr($(i + 1), 9);
                    cold = substr($(i + 2), 6); verdict = $(i + 3); sub(/:$/, "", verdict); break }
                name = name (name == "" ? "" : " ") $i
            }
            printf "%-50s %-14s %-30s %-7s %-9s %s\n", name " requests", req " (cold " cold ")", "REST minimum " min,
                "", "= min", verdict
        }' "$ops"
else
    row "requests per operation" "no figures" "see ${ops:-bench/ops-bench.out}" "" "" ""
fi

g_ops=$(figure "$gateway" ops_per_s)
g_bare=$(figure "$gateway" bare_ops_per_s)
if [ -n "$g_ops" ] && [ -n "$g_bare" ]; then
    setup=$(sed -n 's/^gateway-bench: \([0-9]*\) threads x .*latency \([0-9]*\) ms.*/\1 thr, \2 ms/p' "$gateway")
    r=$(figure "$gateway" bare_ratio)
    row "gateway cycles/s ($setup, median of 3)" "$g_ops" "bare libcurl $g_bare" "$r" ">= 0.95" "$(verdict "$r" ge 0.95)"
    cpu=$(figure "$gateway" cpu_us_per_request)
    bcpu=$(figure "$gateway" bare_cpu_us_per_request)
    r=$(figure "$gateway" cpu_ratio)
    row "gateway client CPU us per request" "$cpu" "bare libcurl $bcpu" "$r" "<= 1.1" "$(verdict "$r" le 1.1)"
    ideal=$(figure "$gateway" ideal_ops_per_s)
    r=$(figure "$gateway" ideal_ratio)
    br=$(figure "$gateway" bare_ideal_ratio)
    row "gateway cycles/s against the ideal" "$g_ops" "ideal $ideal (bare: $br)" "$r" ">= 0.9" "$(verdict "$r" ge 0.9)"
else
    row "gateway" "no figures" "see ${gateway:-bench/gateway-bench.out}" "" "" ""
fi

c_s=$(figure "$copy" copy_s)
q_s=$(figure "$copy" qemu_s)
if [ -n "$c_s" ] && [ -n "$q_s" ]; then
    size=$(sed -n 's/^source volume .*its first \([0-9]*\) MiB.*/\1 MiB/p' "$copy")
    r=$(figure "$copy" ratio)
    row "copy_volume_across s (${size:-?}, half holes)" "$c_s" "qemu-img convert+flush $q_s" "$r" ">= 1.0" "$(verdict "$r" ge 1.0)"
    s_s=$(figure "$copy" seed_s)
    qs_s=$(figure "$copy" qemu_seed_s)
    r=$(figure "$copy" seed_ratio)
    row "copy_image_to_volume s (QCOW2 template)" "$s_s" "qemu-img convert $qs_s" "$r" ">= 1.0" "$(verdict "$r" ge 1.0)"
    rd=$(figure "$copy" read_mbs)
    wr=$(figure "$copy" write_mbs)
    share=$(figure "$copy" copy_share)
    row "medium (dd direct) MB/s read / write" "$rd / $wr" "" "" "" ""
    row "copy's data at dd's direct rate / its time" "$share" "above 1: faster than dd" "" "" ""
else
    row "copies" "no figures" "see ${copy:-bench/copy-bench.out}" "" "" ""
fi

if [ -n "$scale" ]; then
    ls=$(figure "$scale" list_s)
    if [ -n "$ls" ]; then
        nv=$(figure "$scale" volumes)
        ns=$(figure "$scale" snapshots)
        lg=$(figure "$scale" list_growth)
        lm=$(figure "$scale" list_peak_mb)
        cs=$(figure "$scale" check_s)
        cg=$(figure "$scale" check_growth)
        cm=$(figure "$scale" check_peak_mb)
        row "list_volumes s, $nv vols + $ns snaps" "$ls" "per object, from 5,000 vols" "$lg" "linear" "peak $lm MB"
        row "check storagepool s, same pool" "$cs" "per object, from 5,000 vols" "$cg" "linear" "peak $cm MB"
    else
        row "scale" "no figures" "see $scale" "" "" ""
    fi
    fp=$(figure "$scale" find_pools_ms)
    if [ -n "$fp" ]; then
        np=$(figure "$scale" pools)
        cold=$(figure "$scale" cold_ms)
        fa=$(figure "$scale" find_pools_all_ms)
        row "findStoragePoolsForMigration ms, $np pools (first page of 500)" "$fp" "cold $cold" "" "< 10" "$(verdict "$fp" lt 10)"
        [ -z "$fa" ] || row "findStoragePoolsForMigration ms, $np pools, pagesize=-1" "$fa" "" "" "" "every pool written"
    fi
fi

ms=$(figure "$alloc" ms_per_call)
if [ -n "$ms" ]; then
    pools=$(figure "$alloc" pools)
    volumes=$(figure "$alloc" volumes)
    worst=$(figure "$alloc" worst_ms)
    row "pool selection ms ($pools pools, $volumes vols)" "$ms" "worst $worst" "" "< 10" "$(verdict "$ms" lt 10)"
    su=$(figure "$alloc" startup_ms)
    [ -z "$su" ] || row "harness start-up ms (same database)" "$su" "" "" "< 1000" "$(verdict "$su" lt 1000)"
else
    row "pool selection" "no figure" "see ${alloc:-bench/alloc-bench.out}" "" "" ""
fi
exit 0
