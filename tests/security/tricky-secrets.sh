#!/bin/sh
# Passwords that break naive masking reach no output and no file: a raw '@', '/', blank and '%'
# in the password (p@ss/w rd%...), a raw '@' left unencoded in a pool URL, a quoted value with
# blanks on the command line, the password= forms (host, simulator, pool details), a wrong
# password, an unreachable gateway, URLs the parser refuses and a secret pool detail. Each password carries one marker
# drawn for this run and is written literally in the command file, so --echo must mask it. The
# run is at debug log level; then stdout, stderr, the database and every file of the work dir
# are searched for the marker (which survives %-encoding, upper or lower hex, as it is all
# letters and digits), the encoded forms whole, and the base64 of user:password that a Basic
# authorization would carry. Everything runs under umask 000, to show that the database and its
# key are private by themselves.
set -u
b=${top_builddir:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tricky.XXXXXX") || exit 99
cleanup() {
  for pid in $(sed -n 's/^ *"pid": \([0-9][0-9]*\),*$/\1/p' "$tmp/run.log" 2>/dev/null); do
    kill "$pid" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' INT TERM
fail() { echo "tricky-secrets: FAIL: $*"; exit 1; }
umask 000

# The marker: letters and digits only, drawn for this run, found nowhere else.
m="Mk$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')Zq"
[ ${#m} -eq 20 ] || exit 99

# %-encoding of everything but unreserved characters; $2 = lower for lower-case hex.
pct() {
  printf '%s' "$1" | od -An -v -tx1 | awk -v lower="${2:-}" '
    BEGIN { keep = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
            for (i = 32; i < 127; i++) chr[sprintf("%02x", i)] = sprintf("%c", i) }
    { for (i = 1; i <= NF; i++) {
        c = chr[$i]
        if (c != "" && index(keep, c) > 0) out = out c
        else out = out "%" (lower != "" ? $i : toupper($i))
    } }
    END { printf "%s", out }'
}
b64() { printf '%s' "$1" | base64 | tr -d '\n'; }

pwa="p@ss/w rd%${m}a"       # '@', '/', a blank and '%': used %-encoded (upper, then lower hex)
pwae=$(pct "$pwa")
pwal=$(pct "$pwa" lower)
pwb="${m}b@x@y"             # raw '@' twice, left raw in the URL (the user info ends at the last '@')
pwbe=$(pct "$pwb")
bad="${m}w!wrong"           # a password the gateway refuses
bade=$(pct "$bad")
hostpw="h ${m}h h"          # a host's password=, quoted with blanks
tok="t ${m}t"               # a secret pool detail the plugin does not take: the harness keeps it
case $pwae in *%40ss%2Fw%20rd%25*) ;; *) exit 99 ;; esac
case $pwal in *%40ss%2fw%20rd%25*) ;; *) exit 99 ;; esac

cat >"$tmp/tricky.cmk" <<EOF
create zone name=zone1 networktype=Advanced
set zone=\$_.zone.id
create pod name=pod1 zoneid=\$zone
set pod=\$_.pod.id
add cluster clustername=cluster-a zoneid=\$zone podid=\$pod hypervisor=KVM clustertype=CloudManaged
set ca=\$_.cluster[0].id
add host zoneid=\$zone podid=\$pod clusterid=\$ca url=http://127.0.0.11 username=root password="$hostpw" name=kvm-a1
sim start name=pf1 pools=cspool:1024 user=admin password="$pwa"
sim start name=pf2 pools=cspool:1024 user=admin password="$pwb"
update zone id=\$zone allocationstate=Enabled
# Refused by the URL parser: a raw '/' in the password (quoted, with its blank), then unquoted.
expect error code=431
create storagepool name=raw scope=zone hypervisor=KVM provider=PowerFlex url="powerflex://admin:$pwa@\$pf1.gateway/cspool" zoneid=\$zone
expect error code=431
create storagepool name=raw scope=zone hypervisor=KVM provider=PowerFlex url=powerflex://admin:$pwa@\$pf1.gateway/cspool zoneid=\$zone
# A wrong password, and a gateway nobody listens on.
expect error code=534
create storagepool name=bad scope=zone hypervisor=KVM provider=PowerFlex url=powerflex://admin:$bade@\$pf1.gateway/cspool zoneid=\$zone
expect error code=534
create storagepool name=gone scope=zone hypervisor=KVM provider=PowerFlex url="powerflex://admin:$pwae@127.0.0.1:1/cspool" zoneid=\$zone
create storagepool name=p1 scope=zone hypervisor=KVM provider=PowerFlex tags=powerflex url="powerflex://admin:$pwae@\$pf1.gateway/cspool" zoneid=\$zone
set pool1=\$_.storagepool.id
assert storagepool.state=Up
assert storagepool.url=powerflex://admin:*****@\$pf1.gateway/cspool
assert storagepool.ipaddress=\$pf1.gateway
create storagepool name=p2 scope=zone hypervisor=KVM provider=PowerFlex tags=gold url=powerflex://admin:$pwb@\$pf2.gateway/cspool zoneid=\$zone details[0].key=site.token details[0].value="$tok"
set pool2=\$_.storagepool.id
assert storagepool.state=Up
assert storagepool.url=powerflex://admin:*****@\$pf2.gateway/cspool
assert storagepool.ipaddress=\$pf2.gateway
# New credentials: a URL in lower-case hex, details in both map forms (a wrong one is refused).
update storagepool id=\$pool1 url=powerflex://admin:$pwal@\$pf1.gateway/cspool
assert storagepool.url=powerflex://admin:*****@\$pf1.gateway/cspool
expect error code=534
update storagepool id=\$pool2 details[0].key=powerflex.gw.username details[0].value=admin details[1].key=powerflex.gw.password details[1].value="$bad"
update storagepool id=\$pool2 details[0].powerflex.gw.username=admin details[0].powerflex.gw.password='$pwb'
list storagepools
assert count=2
list events
restart harness
check storagepool id=\$pool1
assert storagepoolcheck.consistent=true
check storagepool id=\$pool2
assert storagepoolcheck.consistent=true
EOF

timeout 300 "$b/host/cs-harness" --plugin "$b/plugin/powerflex.la" --db "$tmp/state.db" --workdir "$tmp/work" \
  --echo --log-level debug --keep-sims run "$tmp/tricky.cmk" >"$tmp/run.log" 2>"$tmp/run.err"
rc=$?
[ $rc -eq 0 ] || { cat "$tmp/run.log" "$tmp/run.err"; fail "the scenario failed (cs-harness exit $rc)"; }
# A second process reads what the first stored, lists it and stops the simulators.
printf '%s\n' 'list storagepools' 'assert count=2' 'list events' 'sim stop name=pf1' 'sim stop name=pf2' \
  >"$tmp/second.cmk"
timeout 300 "$b/host/cs-harness" --plugin "$b/plugin/powerflex.la" --db "$tmp/state.db" --workdir "$tmp/work" \
  --echo --log-level debug run "$tmp/second.cmk" >"$tmp/run2.log" 2>"$tmp/run2.err"
rc=$?
[ $rc -eq 0 ] || { cat "$tmp/run2.log" "$tmp/run2.err"; fail "the second process failed (cs-harness exit $rc)"; }

# The scenario did what needs the passwords, at debug level.
for want in 'logged in as "admin"' '"consistent": true' 'new credentials' 'before the last' \
  'unexpected word after parameter'; do
  cat "$tmp/run.log" "$tmp/run.err" | grep -qF -- "$want" || fail "the output lacks '$want': the scenario did not run as intended"
done
[ "$(grep -c 'failed as expected' "$tmp/run.err")" -eq 5 ] || fail "not every expected error happened"

# Private files whatever the umask: the database, its key.
for f in state.db state.db.key; do
  mode=$(stat -c %a "$tmp/$f") || fail "$f missing"
  [ "$mode" = 600 ] || fail "$f has mode $mode under umask 000, not 600"
done

# Every form each password could take on the way out.
{
  printf '%s\n' "$m" "$pwa" "$pwae" "$pwal" "$pwb" "$pwbe" "$bad" "$bade" "$hostpw" "$tok"
  for p in "$pwa" "$pwb" "$bad"; do
    b64 "admin:$p"; echo
    b64 "$p"; echo
  done
} >"$tmp/forms"
find "$tmp" -type f ! -path "$tmp/work/sims/*/password" ! -name tricky.cmk ! -name forms >"$tmp/files"
grep -q '/state.db$' "$tmp/files" || fail "no database written"
grep -q '/sim.log$' "$tmp/files" || fail "no simulator log written"
[ "$(wc -l <"$tmp/files")" -ge 8 ] || fail "too few files to search"
tr '\n' '\0' <"$tmp/files" | xargs -0 grep -alF -f "$tmp/forms" -- >"$tmp/leaks"
if [ -s "$tmp/leaks" ]; then
  while IFS= read -r file; do
    echo "tricky-secrets: a password in ${file#"$tmp"/}:"
    grep -aonF -f "$tmp/forms" -- "$file" | head -3
  done <"$tmp/leaks"
  fail "$(wc -l <"$tmp/leaks") file(s) hold a password"
fi
# The database's text, as strings(1) would show it, in case a page holds it split oddly.
if command -v strings >/dev/null 2>&1; then
  strings -a "$tmp/state.db" | grep -qF -f "$tmp/forms" && fail "strings of the database show a password"
fi
# The echo shows the lines, masked where they held a password.
for want in '> create storagepool name=p1 ' '> sim start name=pf1 pools=cspool:1024 user=admin password=*****' \
  'password=*****' 'details[1].value=*****' 'url=powerflex://admin:*****@$pf1.gateway/cspool'; do
  grep -qF -- "$want" "$tmp/run.err" || fail "the echo lacks '$want'"
done
echo "tricky-secrets: $(wc -l <"$tmp/files") files and $(cat "$tmp/run.log" "$tmp/run.err" "$tmp/run2.log" "$tmp/run2.err" | wc -l) output lines: no password found"
exit 0
