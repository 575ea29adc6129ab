#!/bin/sh
# Runs one scenario (a cmk file) with cs-harness against the built plugin and simulator, in a
# fresh work dir and database, with images the scenarios register bound as $qcow2, $raw, $iso
# and $qcow2_8g (a QCOW2 of 8 GiB, sparse), made in the scenario's temp dir, which is passed as an
# --image-dir.
# Usage (automake's CMK_LOG_COMPILER): run-cmk.sh FILE.cmk [cs-harness options]
# Exit: 0 pass; 1 the plugin does not provide a method the scenario needs yet, or the scenario
# states a "# known-defect:" it demonstrates (what XFAIL_TESTS expects); 99 any other failure,
# which XFAIL_TESTS cannot hide.
set -u
f=$1
shift
b=${top_builddir:-.}
qemu_img=${QEMU_IMG:-qemu-img}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cmk.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
"$qemu_img" create -q -f qcow2 "$tmp/template.qcow2" 1G || exit 99
"$qemu_img" create -q -f raw "$tmp/template.raw" 1G || exit 99
"$qemu_img" create -q -f qcow2 "$tmp/template8.qcow2" 8G || exit 99
# An ISO 9660 volume descriptor signature at 0x8001 is what makes the file an ISO to the harness.
{ head -c 32768 /dev/zero && printf '\001CD001\001' && head -c 1015801 /dev/zero; } >"$tmp/boot.iso" || exit 99
CSH_qcow2="$tmp/template.qcow2" CSH_raw="$tmp/template.raw" CSH_iso="$tmp/boot.iso" CSH_tmp="$tmp" \
  CSH_qcow2_8g="$tmp/template8.qcow2" \
  "$b/host/cs-harness" --plugin "$b/plugin/powerflex.la" --db "$tmp/state.db" --workdir "$tmp/work" --image-dir "$tmp" --echo "$@" run "$f"
rc=$?
case $rc in
0) exit 0 ;;
3) echo "run-cmk: stopped where the plugin answers SP_E_UNSUPPORTED"; exit 1 ;;
1) if grep -q '^# known-defect:' "$f"; then
     echo "run-cmk: failed on the known defect the scenario states:"; sed -n 's/^# known-defect: *//p' "$f"; exit 1
   fi
   echo "run-cmk: failed (cs-harness exit $rc)"; exit 99 ;;
*) echo "run-cmk: failed (cs-harness exit $rc)"; exit 99 ;;
esac
