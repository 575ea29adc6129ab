#!/bin/sh
# cs-harness as people use cmk: one-shot commands, -o json|table|text, "set display", filter=,
# CloudStack's JSON shapes (an empty list is {}, errors carry cserrorcode and uuidList), and every
# program answering --help and --version.
set -u
b=${top_builddir:-.}
h="$b/host/cs-harness"
hp="$h --plugin $b/plugin/powerflex.la"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
db="$tmp/state.db"
fail() { echo "FAIL: $*"; exit 1; }

for p in "$h" "$b/sim/powerflex-sim" "$b/sim/drv_cfg"; do
  "$p" --help > "$tmp/out" 2>&1 || fail "$p --help exited $?"
  grep -qi usage "$tmp/out" || fail "$p --help prints no usage"
  "$p" --version > "$tmp/out" 2>&1 || fail "$p --version exited $?"
  grep -q '[0-9]\.[0-9]' "$tmp/out" || fail "$p --version prints no version"
done

# One-shot commands share state through --db; an empty list is {}.
out=$($hp --db "$db" list zones) || fail "one-shot list zones exited $?"
[ "$out" = "{}" ] || fail "an empty list answered $out, not {}"
$hp --db "$db" --quiet create zone name=z1 networktype=Advanced || fail "one-shot create zone"
$hp --db "$db" --quiet create zone name="zone two" networktype=Basic || fail "a quoted one-shot value"
out=$($hp --db "$db" list zones filter=name)
echo "$out"
echo "$out" | grep -q '"count": 2' || fail "filter dropped count"
echo "$out" | grep -q '"name": "zone two"' || fail "one-shot value with a blank"
echo "$out" | grep -q '"id"' && fail "filter=name kept id"

# -o table: one column per filtered field, upper-case headers.
out=$($hp --db "$db" -o table list zones filter=name,networktype)
echo "$out"
echo "$out" | grep -q '| NAME  *| NETWORKTYPE |' || fail "no table header"
echo "$out" | grep -q '| zone two | Basic  *|' || fail "no table row"
# -o text: field = value, objects separated by a rule.
out=$($hp --db "$db" -o text list zones)
echo "$out" | grep -q '^name = z1$' || fail "no text field"
echo "$out" | grep -q '^=====' || fail "no separator between objects"
# set display in a session; an assert still reads the JSON answer.
out=$(printf 'set display table\nlist zones filter=name\nassert zone[1].name="zone two"\nset display json\nlist zones filter=id\n' |
  $hp --db "$db" run -) || fail "set display session exited $?"
echo "$out" | grep -q '| NAME ' || fail "set display table printed no table"
echo "$out" | grep -q '"id"' || fail "set display json printed no JSON"

# Errors: CloudStack's shape on stderr, a non-zero exit.
$hp --db "$db" delete zone id=nosuch 2> "$tmp/err" && fail "a bad id succeeded"
cat "$tmp/err"
grep -q '"errorcode": 431' "$tmp/err" || fail "no errorcode"
grep -q '"cserrorcode": 4350' "$tmp/err" || fail "no cserrorcode"
grep -q '"uuidList": \[\]' "$tmp/err" || fail "no uuidList"
$hp --db "$db" -o text delete zone id=nosuch 2> "$tmp/err" && fail "a bad id succeeded"
grep -q '^Error: (HTTP 431, error code 4350) ' "$tmp/err" || fail "no cmk-style error line"
echo PASS
