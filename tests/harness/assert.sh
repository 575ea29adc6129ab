#!/bin/sh
# The scenario language's assert fails when it should: both sides are expanded ("assert $a!=$b"
# compares two values), an absent field fails every operator but "absent", and an unset variable
# is an error. Each case runs in a fresh cs-harness; a case meant to fail must exit 1.
set -u
h="${top_builddir:-.}/host/cs-harness"
plugin="${top_builddir:-.}/plugin/powerflex.la"
fails=0

# run EXPECTED_EXIT LINES...
run() {
  want=$1
  shift
  printf '%s\n' "$@" | "$h" --plugin "$plugin" --quiet run - >/dev/null 2>&1
  got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: exit $got, expected $want, for:"; printf '    %s\n' "$@"
    fails=$((fails + 1))
  else
    echo "ok (exit $got): $*"
  fi
}

run 1 'set a=1 b=1' 'assert $a!=$b'
run 0 'set a=1 b=2' 'assert $a!=$b'
run 1 'set a=1 b=2' 'assert $a=$b'
run 0 'set a=x' 'assert $a=x'
run 1 'assert $unset=1'
run 1 'set a=1' 'assert $a=$unset'
# An empty list answers {} (CloudStack's shape): count reads 0, any other field is absent.
run 0 'list zones' 'assert count=0'
run 1 'list zones' 'assert zone.length=0'
run 1 'list zones' 'assert zone[0].name!=x'
run 1 'list zones' 'assert zone[0].name!~x'
run 0 'list zones' 'assert zone absent'
run 0 'create zone name=z1 networktype=Advanced' 'assert zone.name=z1' 'assert zone.nosuchfield absent'
run 1 'create zone name=z1 networktype=Advanced' 'assert zone.name absent'
run 1 'create zone name=z1 networktype=Advanced' 'assert zone.nosuchfield!=z1'
run 0 'create zone name=z1 networktype=Advanced' 'set z=$_.zone.name' 'assert $z=z1' 'assert zone.name=$z'
if [ "$fails" -ne 0 ]; then
  echo "FAIL: $fails cases"
  exit 1
fi
echo PASS
