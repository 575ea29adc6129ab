#!/bin/sh
# Input the harness refuses with a clear error and a non-zero exit, without a crash, a hang or a
# huge allocation: a 2 MiB command line (the cap is 1 MiB; the lines before it ran, none after
# it did), endless input without a newline (/dev/zero), `source` of what is not a regular file
# (/dev/zero, a directory, a FIFO nobody writes), and input that fails to read (a directory on
# stdin: EISDIR), which must never end as a clean exit 0.
set -u
b=${top_builddir:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/input.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' INT TERM
fail() { echo "input-limits: FAIL: $*"; exit 1; }
# The timeout only guards against a hang; nothing here is slow.
harness() {
  timeout 300 "$b/host/cs-harness" --plugin "$b/plugin/powerflex.la" --db "$tmp/state.db" --workdir "$tmp/work" "$@"
}
# expect_refusal NAME WHAT-STDERR-SAYS -- runs "harness $@", which must exit 1 (not 0, not a signal).
expect_refusal() {
  name=$1 says=$2
  shift 2
  harness "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
  rc=$?
  [ $rc -eq 1 ] || { cat "$tmp/$name.err"; fail "$name: exit $rc, not 1"; }
  grep -qF -- "$says" "$tmp/$name.err" || { cat "$tmp/$name.err"; fail "$name: stderr does not say '$says'"; }
}
zones() { printf 'list zones\n' | harness run - 2>/dev/null | sed -n 's/^  "count": \([0-9]*\).*/\1/p'; }

# A 2 MiB line between two good ones, from a file and from stdin.
{
  printf 'create zone name=before networktype=Advanced\n'
  printf 'create zone name=x'
  head -c 2097152 /dev/zero | tr '\0' 'x'
  printf ' networktype=Advanced\ncreate zone name=after networktype=Advanced\n'
} >"$tmp/long.cmk" || exit 99
expect_refusal long-file 'long.cmk:2: the line is longer than 1048576 bytes' run "$tmp/long.cmk"
[ "$(zones)" = 1 ] || fail "after the long line in a file: $(zones) zones, not 1 (the one before it)"
harness --keep-going run - <"$tmp/long.cmk" >"$tmp/long-stdin.out" 2>"$tmp/long-stdin.err"
rc=$?
[ $rc -eq 1 ] || fail "a long line on stdin: exit $rc, not 1"
grep -qF -- '-:2: the line is longer than 1048576 bytes' "$tmp/long-stdin.err" || fail "a long line on stdin: no clear error"
# The first line ran again ("before" exists: refused), the long one and the last did not.
[ "$(zones)" = 1 ] || fail "after the long line on stdin: $(zones) zones"
[ "$(wc -c <"$tmp/long-stdin.err")" -lt 65536 ] || fail "the refusal repeats the line"

# Endless input without a newline.
expect_refusal zero-run 'the line is longer than 1048576 bytes' run /dev/zero

# source of what is not a regular file, as a parameter and as a word.
mkdir "$tmp/dir" || exit 99
mkfifo "$tmp/fifo" || exit 99
printf 'source /dev/zero\n' >"$tmp/s1.cmk"
printf 'source file=%s\n' "$tmp/dir" >"$tmp/s2.cmk"
printf 'source %s\n' "$tmp/fifo" >"$tmp/s3.cmk"
expect_refusal source-zero '/dev/zero is not a regular file (it is a character device)' run "$tmp/s1.cmk"
expect_refusal source-dir 'is not a regular file (it is a directory)' run "$tmp/s2.cmk"
expect_refusal source-fifo 'is not a regular file (it is a FIFO)' run "$tmp/s3.cmk"
# A regular file still works, both ways.
printf 'create zone name=sourced networktype=Advanced\n' >"$tmp/inc.cmk"
printf 'source %s\nsource file=inc.cmk\n' "$tmp/inc.cmk" >"$tmp/s4.cmk"
harness --keep-going run "$tmp/s4.cmk" >/dev/null 2>"$tmp/s4.err"
grep -q 'already exists' "$tmp/s4.err" || { cat "$tmp/s4.err"; fail "source of a regular file did not run it twice"; }
[ "$(zones)" = 2 ] || fail "source of a regular file: $(zones) zones, not 2"

# A read error (a directory on stdin) and a directory to run.
harness run - <"$tmp/dir" >"$tmp/eisdir.out" 2>"$tmp/eisdir.err"
rc=$?
[ $rc -eq 1 ] || { cat "$tmp/eisdir.err"; fail "a read error on stdin: exit $rc, not 1"; }
grep -q 'read error' "$tmp/eisdir.err" || fail "a read error on stdin is not reported"
expect_refusal run-dir 'Is a directory' run "$tmp/dir"
echo "input-limits: long lines, /dev/zero, directories, FIFOs and read errors refused with exit 1"
exit 0
