#!/bin/sh
# Names and paths with shell syntax, "..", newlines, options and qemu-img pseudo-protocols
# cannot make the plugin or the harness run anything: steering.cmk uses them for template
# files, VM names (config drive ISOs) and the agent's device dir, from $tmp as the working
# directory; then no canary file may exist, and the literal names must be where they were asked
# to be.
set -u
b=$(cd "${top_builddir:-.}" && pwd) || exit 99
s=$(cd "${top_srcdir:-.}" && pwd) || exit 99
qemu_img=${QEMU_IMG:-qemu-img}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/inject.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' INT TERM
fail() { echo "injection: FAIL: $*"; exit 1; }

# Template files named after commands that would create $tmp/canary if a shell saw them.
semi="$tmp/a; touch $tmp/canary"
subst="$tmp/\$(touch $tmp/canary).qcow2"
mkdir -p "$(dirname "$semi")" "$(dirname "$subst")" || exit 99
for f in "$semi" "$subst" "$tmp/plain.qcow2"; do
  "$qemu_img" create -q -f qcow2 "$f" 1G || exit 99
done
nl='
'
(cd "$tmp" && CSH_tmp="$tmp" CSH_semi="$semi" CSH_subst="$subst" CSH_plain="$tmp/plain.qcow2" CSH_nl="$nl" \
  timeout 300 "$b/host/cs-harness" --plugin "$b/plugin/powerflex.la" --db "$tmp/state.db" --workdir "$tmp/work" --image-dir "$tmp" \
  --echo --log-level info run "$s/tests/security/steering.cmk") >"$tmp/run.log" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$tmp/run.log"; fail "steering.cmk failed (cs-harness exit $rc)"; }

# A shell would have made $tmp/canary (absolute) or pwned* in the working directory $tmp or in
# the directory the name was joined to; the config drives are named "...pwned3.iso" literally.
cfg="$tmp/work/hosts/kvm-a1/cache/config"
found=$(find "$tmp" \( -path "$tmp/canary" -o -name 'pwned*' \) ! -path "$cfg/*")
[ -z "$found" ] || fail "a command ran: $found"
# The literal names were used: the ISOs carry them, the devices lived in the odd dir.
for iso in 'v;touch pwned3.iso' '$(touch pwned4).iso' '-o pwned5.iso'; do
  [ -f "$cfg/$iso" ] || fail "config drive '$iso' missing: $(ls "$cfg")"
done
[ "$(ls "$cfg" | wc -l)" -eq 3 ] || fail "unexpected files in $cfg: $(ls "$cfg")"
[ -d "$tmp/dev;touch pwned1;\$(touch pwned2)" ] || fail "the device dir was not used literally"
grep -q 'emc-vol-.* on host kvm-a1' "$tmp/run.log" || fail "no device was reached"
grep -qF "dev;touch pwned1;\$(touch pwned2)/emc-vol-" "$tmp/run.log" || fail "no device was reached through the literal dir"
[ ! -e "$tmp/work/escape" ] && [ ! -e "$tmp/escape" ] && [ ! -e /tmp/escape.iso ] || fail "a config drive escaped its directory"
echo "injection: no command ran; shell syntax stayed literal, escaping names were refused"
exit 0
