#!/bin/sh
# Soak: a seeded random run of VM, volume (some encrypted), snapshot and migration (some live)
# operations against two simulated systems (SDCs connected on demand) with faults on (latency
# spikes, 500/503, proxy pages 502/504, HTML 500s, empty bodies, dropped connections, malformed
# bodies, busy removals, expiring tokens, late devices; slow V-Tree migrations, some failing half
# way, some outliving their timeout), kills of the harness (one in a block copy, several at random
# requests of VM deploys) each followed by a restart that resolves what it left;
# failures must be clean (no crash, no hang), and afterwards a fresh harness process on the same
# database must find every pool consistent with the array, guest data included (read back through
# a short-lived mapping where no host has the volume connected).
# Usage: soak.sh [OPS [SEED]]   (make check: 150 operations; make soak: 3000)
set -u
ops=${1:-${SOAK_OPS:-150}}
seed=${2:-${SOAK_SEED:-$(date +%s)}}
b=${top_builddir:-.}
s=${top_srcdir:-.}
qemu_img=${QEMU_IMG:-qemu-img}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/soak.XXXXXX") || exit 99
cleanup() {
  for pid in $(sed -n 's/^ *"pid": \([0-9][0-9]*\),*$/\1/p' "$tmp/run1.log" 2>/dev/null); do
    kill "$pid" 2>/dev/null
  done
  [ -n "${SOAK_KEEP:-}" ] && echo "soak: kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' INT TERM
echo "soak: $ops operations, seed $seed (rerun: soak.sh $ops $seed)"
"$qemu_img" create -q -f qcow2 "$tmp/template.qcow2" 1G || exit 99

awk -v ops="$ops" -v seed="$seed" -v novmmig="${SOAK_NO_VM_MIGRATION:-0}" -v faults="${SOAK_FAULTS:-}" \
  -v kills="${SOAK_KILLS:-6}" -f "$s/tests/soak/gen.awk" >"$tmp/soak.cmk" || exit 99
limit=$((120 + ops))
CSH_qcow2="$tmp/template.qcow2" timeout $limit "$b/host/cs-harness" --plugin "$b/plugin/powerflex.la" \
  --db "$tmp/state.db" --workdir "$tmp/work" --image-dir "$tmp" --echo --keep-sims --keep-going run "$tmp/soak.cmk" >"$tmp/run1.log" 2>&1
rc=$?
case $rc in
0 | 1 | 3) ;;
124) tail -40 "$tmp/run1.log"; echo "soak: FAIL: hung (no end within ${limit} s)"; exit 1 ;;
*) tail -40 "$tmp/run1.log"; echo "soak: FAIL: cs-harness exit $rc (crash?)"; exit 1 ;;
esac
# The block copy killed first was resolved by the restarted harness.
n=$(grep -n '^assert restart.recovered' "$tmp/soak.cmk" | cut -d: -f1)
if grep -q "soak.cmk:$n:" "$tmp/run1.log"; then
  grep -n -A3 "soak.cmk:$n:" "$tmp/run1.log"; echo "soak: FAIL: the killed block copy was not recovered"; exit 1
fi
done_ok=$(grep -c '^> ' "$tmp/run1.log")
failed=$(grep -c ': command failed' "$tmp/run1.log")
grep -q 'was killed at copy:1; restarting' "$tmp/run1.log" || { tail -40 "$tmp/run1.log"; echo "soak: FAIL: the mid-run kill never restarted"; exit 1; }
# The random kills: a deploy the faults failed before its Kth request is not killed; most are.
planned=$(grep -c '^expect crash at=request:' "$tmp/soak.cmk")
killed=$(grep -c 'was killed at request:' "$tmp/run1.log")
if [ "$planned" -gt 0 ] && [ "$killed" -eq 0 ]; then
  tail -40 "$tmp/run1.log"; echo "soak: FAIL: none of the $planned random kills happened"; exit 1
fi
# Reconciliation in a new process, faults off: every pool consistent, no VM left mid-way.
cat >"$tmp/check.cmk" <<'EOC'
sim fault name=pf1 clear=true
sim fault name=pf2 clear=true
list storagepools
assert count=3
set p1=$_.storagepool[0].id
set p2=$_.storagepool[1].id
set p3=$_.storagepool[2].id
check storagepool id=$p1 verifydata=true repair=true
assert storagepoolcheck.consistent=true
check storagepool id=$p2 verifydata=true repair=true
assert storagepoolcheck.consistent=true
check storagepool id=$p3 verifydata=true
assert storagepoolcheck.consistent=true
sim stop name=pf1
sim stop name=pf2
EOC
CSH_qcow2="$tmp/template.qcow2" timeout 600 "$b/host/cs-harness" --plugin "$b/plugin/powerflex.la" \
  --db "$tmp/state.db" --workdir "$tmp/work" --image-dir "$tmp" --echo run "$tmp/check.cmk" >"$tmp/run2.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
  cat "$tmp/run2.log"; echo "soak: FAIL: reconciliation after the run (exit $rc), seed $seed"; exit 1
fi
writes=$(grep -c '"sha256"' "$tmp/run1.log")
read_back=$(sed -n 's/^ *"dataverified": \([0-9]*\),*$/\1/p' "$tmp/run2.log" | awk '{n += $1} END {print n + 0}')
# Failures by CloudStack error code: 431 refused by the rules (a VM in the wrong state, a variable
# an earlier failure never set), 530/533/534 the array or the plugin failed (faults).
codes=$(sed -n 's/^ *"errorcode": \([0-9]*\),*$/\1/p' "$tmp/run1.log" | sort | uniq -c | awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}')
repaired=$(sed -n 's/^ *"repaired": \([0-9]*\),*$/\1/p' "$tmp/run2.log" | awk '{n += $1} END {print n + 0}')
echo "soak: $done_ok lines run, $failed failed cleanly (error codes: $codes); $killed of $planned random kills and a kill in a block copy resolved at restart; $repaired changes failed rollbacks left repaired; all three pools consistent; $writes guest writes, $read_back volumes' data read back intact"
exit 0
