#!/bin/sh
# The database and the key that seals its passwords are private whatever the umask: the
# database, its -wal and -shm files (looked at while a harness has them open) and a new key are
# 0600 (so is the intent journal beside it), and a database an older harness left readable is
# narrowed. A key file that others could
# read or swap is refused before anything is opened: mode 0644, a symbolic link (also a
# dangling one, which must not be written through), a directory, a FIFO (without hanging) and,
# when this runs as root, a file of another user.
set -u
b=${top_builddir:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/modes.XXXXXX") || exit 99
hpid=
cleanup() {
  [ -n "$hpid" ] && kill "$hpid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' INT TERM
fail() { echo "file-modes: FAIL: $*"; exit 1; }
harness() {
  timeout 300 "$b/host/cs-harness" --plugin "$b/plugin/powerflex.la" --db "$tmp/state.db" --workdir "$tmp/work" "$@"
}
mode() { stat -c %a "$1"; }
zones() { printf 'list zones\n' | harness run - 2>/dev/null | sed -n 's/^  "count": \([0-9]*\).*/\1/p'; }
umask 000

# A harness kept mid-session: its commands come through a FIFO held open by this shell.
mkfifo "$tmp/in" || exit 99
harness run - <"$tmp/in" >"$tmp/live.log" 2>&1 &
hpid=$!
exec 3>"$tmp/in"
printf 'create zone name=z1 networktype=Advanced\n' >&3
i=0
until grep -q '"zone"' "$tmp/live.log" && [ -e "$tmp/state.db-wal" ] && [ -e "$tmp/state.db-shm" ]; do
  i=$((i + 1))
  [ $i -le 1200 ] || { cat "$tmp/live.log"; fail "the live harness never wrote its zone"; }
  kill -0 "$hpid" 2>/dev/null || { cat "$tmp/live.log"; fail "the live harness died"; }
  sleep 0.1
done
for f in state.db state.db-wal state.db-shm state.db.key state.db.intent; do
  [ "$(mode "$tmp/$f")" = 600 ] || fail "$f is $(mode "$tmp/$f") under umask 000 while in use, not 600"
done
exec 3>&-
wait "$hpid" || { cat "$tmp/live.log"; fail "the live harness failed"; }
hpid=

# A database left readable by others is narrowed when opened.
chmod 644 "$tmp/state.db"
[ "$(zones)" = 1 ] || fail "the database lost its zone"
[ "$(mode "$tmp/state.db")" = 600 ] || fail "a 0644 database stayed $(mode "$tmp/state.db")"

# Refused keys: nothing runs, the database is not touched, the message says why.
cp -p "$tmp/state.db.key" "$tmp/good.key" || exit 99
refused() { # $1: what the message must say; then the key is put back
  sum=$(cksum <"$tmp/state.db")
  printf 'create zone name=z2 networktype=Advanced\n' | harness run - >"$tmp/refused.log" 2>&1
  rc=$?
  [ $rc -ne 0 ] || fail "a key that is $2 was taken (exit 0)"
  grep -q "key file .*$1" "$tmp/refused.log" || { cat "$tmp/refused.log"; fail "no clear refusal of a key that is $2"; }
  [ "$(cksum <"$tmp/state.db")" = "$sum" ] || fail "the database changed although the key ($2) was refused"
  rm -rf "$tmp/state.db.key"
  cp -p "$tmp/good.key" "$tmp/state.db.key" || exit 99
}
chmod 644 "$tmp/state.db.key"
refused 'mode 0644' 'mode 0644'
chmod 640 "$tmp/state.db.key"
refused 'mode 0640' 'readable by its group'
rm "$tmp/state.db.key"
ln -s "$tmp/good.key" "$tmp/state.db.key"
refused 'symbolic link' 'a symbolic link'
rm "$tmp/state.db.key"
ln -s "$tmp/elsewhere.key" "$tmp/state.db.key"
refused 'symbolic link' 'a dangling symbolic link'
[ ! -e "$tmp/elsewhere.key" ] || fail "a key was written through a dangling symbolic link"
rm "$tmp/state.db.key"
mkdir "$tmp/state.db.key"
refused 'directory' 'a directory'
rm -r "$tmp/state.db.key"
mkfifo "$tmp/state.db.key"
refused 'FIFO' 'a FIFO'
if [ "$(id -u)" = 0 ]; then
  chown 1:1 "$tmp/state.db.key"
  refused 'belongs to uid 1' "another user's"
fi
# With the right key back, the database is as it was.
[ "$(zones)" = 1 ] || fail "the database does not open with its own key again"
[ "$(mode "$tmp/state.db.key")" = 600 ] || fail "the key is $(mode "$tmp/state.db.key")"
echo "file-modes: database, -wal, -shm and key 0600 under umask 000; unsafe keys refused"
exit 0
