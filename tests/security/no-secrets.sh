#!/bin/sh
# Gateway passwords never reach a log, an output or a file the harness writes (only the
# simulator's own password file holds them, as a real gateway's configuration would): runs
# secrets.cmk with --echo --log-level debug (every plugin log line, the gateway calls included),
# then a second process on the same database, and greps all of it for each password raw,
# URL-encoded and as the Basic authorization the login sends.
set -u
b=${top_builddir:-.}
s=${top_srcdir:-.}
qemu_img=${QEMU_IMG:-qemu-img}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nosecrets.XXXXXX") || exit 99
# The first run leaves its simulators for the second; they are stopped by pid whatever happens.
cleanup() {
  for pid in $(sed -n 's/^ *"pid": \([0-9][0-9]*\),*$/\1/p' "$tmp/run1.log" 2>/dev/null); do
    kill "$pid" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' INT TERM
fail() { echo "no-secrets: FAIL: $*"; exit 1; }

pw1='Zx7@Secr3t+Kq9'; pw1e='Zx7%40Secr3t%2BKq9'; pw1l='Zx7%40Secr3t%2bKq9'
pw2='Wv4!Priv8te&Jm2'; pw2e='Wv4%21Priv8te%26Jm2'
bad='Qy5#Wr0ngPw*Lz3'; bade='Qy5%23Wr0ngPw%2ALz3'

"$qemu_img" create -q -f qcow2 "$tmp/template.qcow2" 1G || exit 99
harness() {
  CSH_qcow2="$tmp/template.qcow2" CSH_pw1="$pw1" CSH_pw1e="$pw1e" CSH_pw1l="$pw1l" CSH_pw2="$pw2" \
    CSH_pw2e="$pw2e" CSH_bad="$bad" CSH_bade="$bade" \
    timeout 300 "$b/host/cs-harness" --plugin "$b/plugin/powerflex.la" --db "$tmp/state.db" \
    --workdir "$tmp/work" --image-dir "$tmp" --echo --log-level debug "$@"
}
harness --keep-sims run "$s/tests/security/secrets.cmk" >"$tmp/run1.log" 2>&1 || { cat "$tmp/run1.log"; fail "secrets.cmk failed"; }
# A second process: adopts the simulators and logs in with the unsealed passwords.
printf '%s\n' 'list storagepools' 'set p=$_.storagepool[1].id' 'check storagepool id=$p' \
  'assert storagepoolcheck.consistent=true' 'sim stop name=pf1' 'sim stop name=pf2' >"$tmp/second.cmk"
harness run "$tmp/second.cmk" >"$tmp/run2.log" 2>&1 || { cat "$tmp/run2.log"; fail "the second process failed"; }

# The runs did what needs the passwords, and the debug log was on.
for want in 'logged in as "admin"' '"consistent": true' 'GET /login -> 401' 'new credentials' 'powerflex://admin:*****@'; do
  grep -qF "$want" "$tmp/run1.log" || fail "run1.log lacks '$want': the scenario did not run as intended"
done
grep -qF 'logged in as "admin"' "$tmp/run2.log" || fail "the second process never logged in"
logins=$(grep -c 'logged in as' "$tmp/run1.log")
[ "$logins" -ge 5 ] || fail "only $logins logins in run1.log: token expiry did not force new ones"

# Every form each password can take on the way out.
b64() { printf '%s' "$1" | base64 | tr -d '\n'; }
forms=$(printf '%s\n' "$pw1" "$pw1e" "$pw1l" "$pw2" "$pw2e" "$bad" "$bade" \
  'Secr3t' 'Priv8te' 'Wr0ngPw' "$(b64 "admin:$pw1")" "$(b64 "admin:$pw2")" "$(b64 "admin:$bad")")
# Volume data files (sparse, gigabytes) hold only what was written to the volumes: skipped.
find "$tmp" -type f -size -16M ! -path "$tmp/work/sims/*/password" ! -name template.qcow2 \
  ! -name second.cmk >"$tmp/files"
[ "$(wc -l <"$tmp/files")" -ge 5 ] || fail "too few files to search"
grep -q '/state.db$' "$tmp/files" || fail "no database written"
grep -q '/sim.log$' "$tmp/files" || fail "no simulator log written"
echo "$forms" >"$tmp/forms"
tr '\n' '\0' <"$tmp/files" | xargs -0 grep -alF -f "$tmp/forms" -- >"$tmp/leaks"
if [ -s "$tmp/leaks" ]; then
  while IFS= read -r file; do
    echo "no-secrets: a password in ${file#"$tmp"/}:"
    grep -aonF -f "$tmp/forms" -- "$file" | head -3
  done <"$tmp/leaks"
  fail "$(wc -l <"$tmp/leaks") file(s) hold a password"
fi
echo "no-secrets: $(wc -l <"$tmp/files") files, $(cat "$tmp/run1.log" "$tmp/run2.log" | wc -l) output lines, $logins logins: no password found"
exit 0
