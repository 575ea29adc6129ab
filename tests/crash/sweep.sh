#!/bin/sh
# Crash-point sweep: a fixed workload (workload.cmk: every operation that changes an array) is run
# once to count N, the requests that change an array; then, for crash points k in 1..N and each
# variant, the harness is killed (SIGKILL, by the simulator) at the kth such request, either once
# the array carried it out but before it answered (applied) or right after it answered (after);
# a new harness starts on the same database and work dir (resolving what the killed one left),
# and check storagepool verifydata=true must find every pool consistent with its array: nothing
# orphaned, nothing missing, sizes, mappings only where a VM runs, guest data intact.
# Usage: sweep.sh [fast|all]   fast (make check): a spread of points; all (make crash-sweep):
# every point. SWEEP_WHEN="applied after" (add "before": killed before the array acts),
# SWEEP_FAST=N points in fast mode, SWEEP_KEEP=1 keeps the work dirs.
set -u
mode=${1:-${SWEEP_MODE:-fast}}
whens=${SWEEP_WHEN:-applied after}
b=${top_builddir:-.}
s=${top_srcdir:-.}
qemu_img=${QEMU_IMG:-qemu-img}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sweep.XXXXXX") || exit 99
harness() { "$b/host/cs-harness" --plugin "$b/plugin/powerflex.la" --image-dir "$tmp" "$@"; }
# The simulators a run started (their pids in its set-up output), stopped if still running.
stop_sims() {
  for pid in $(sed -n 's/^ *"pid": \([0-9][0-9]*\),*$/\1/p' "$1/setup.log" 2>/dev/null); do
    kill "$pid" 2>/dev/null
  done
}
cleanup() {
  for d in "$tmp"/run-*; do [ -d "$d" ] && stop_sims "$d"; done
  [ -n "${SWEEP_KEEP:-}" ] && echo "sweep: kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' INT TERM
"$qemu_img" create -q -f qcow2 "$tmp/template.qcow2" 1G || exit 99
export CSH_qcow2="$tmp/template.qcow2"

# One run in $tmp/run-$1: set-up, the workload (killed at crash point $2, variant $3; 0 counts),
# then, after a kill, a new harness and the checks. Returns 0 when consistent.
run() {
  d="$tmp/run-$1"
  rm -rf "$d"
  mkdir -p "$d"
  harness --db "$d/state.db" --workdir "$d/work" --keep-sims run "$s/tests/crash/setup.cmk" >"$d/setup.log" 2>&1 || {
    tail -20 "$d/setup.log"; echo "sweep: set-up failed"; return 2; }
  CSH_crash_at=$2 CSH_crash_when=$3 harness --db "$d/state.db" --workdir "$d/work" --keep-sims --echo \
    run "$s/tests/crash/workload.cmk" >"$d/workload.log" 2>&1
  rc=$?
  if [ "$2" -eq 0 ]; then
    [ $rc -eq 0 ] || { tail -30 "$d/workload.log"; echo "sweep: the workload fails without a kill (exit $rc)"; return 2; }
    return 0
  fi
  if [ $rc -ne 137 ]; then
    tail -30 "$d/workload.log"
    echo "sweep: crash point $2 ($3): the harness was not killed (exit $rc)"
    return 1
  fi
  harness --db "$d/state.db" --workdir "$d/work" --echo run "$s/tests/crash/check.cmk" >"$d/check.log" 2>&1
  rc=$?
  stop_sims "$d"
  if [ $rc -ne 0 ]; then
    echo "--- crash point $2 ($3): killed at"
    grep '^> ' "$d/workload.log" | tail -1
    echo "--- the new harness:"
    sed -n '1,/^> /p' "$d/check.log" | head -40
    grep -E '"errortext"' "$d/check.log" | head -5
    return 1
  fi
  [ -n "${SWEEP_KEEP:-}" ] || rm -rf "$d"
  return 0
}

run count 0 applied || exit 1
n=$(sed -n 's/^ *"count": \([0-9][0-9]*\),*$/\1/p' "$tmp/run-count/workload.log" | tail -1)
stop_sims "$tmp/run-count"
[ -n "$n" ] && [ "$n" -gt 0 ] || { echo "sweep: no requests counted"; exit 1; }
if [ "$mode" = all ]; then
  points=$(seq 1 "$n")
else
  f=${SWEEP_FAST:-10}
  points=$(awk -v n="$n" -v f="$f" 'BEGIN { for (i = 0; i < f; i++) { k = 1 + int(i * (n - 1) / (f - 1) + 0.5); if (k != last) print k; last = k } }')
fi
total=0
ok=0
failed=""
for k in $points; do
  for w in $whens; do
    total=$((total + 1))
    if run "$k-$w" "$k" "$w"; then
      ok=$((ok + 1))
    else
      failed="$failed $k($w)"
    fi
  done
done
echo "sweep: workload of $n requests that change an array; $mode: $(echo $points | wc -w) crash points x [$whens]"
echo "$ok/$total crash points consistent"
if [ "$ok" -ne "$total" ]; then
  echo "sweep: FAIL at:$failed"
  exit 1
fi
exit 0
