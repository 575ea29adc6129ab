#!/bin/sh
# A template copy's V-Tree full: PowerFlex keeps at most 126 snapshots in a V-Tree, and every ROOT
# volume cloned from a template copy is one of them. With a VM's ROOT snapshotted until the tree
# is full, the next deploy from that template on that pool gets the image copied whole into a
# V-Tree of its own instead of failing; its data and the pool reconcile.
set -u
s=${top_srcdir:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vtreefull.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
{
  # zone.inc's set-up with a larger pool: 126 snapshots of 8 GiB count against its allocation
  sed 's/^sim start name=pf1 pools=cspool:1024,second:1024$/sim start name=pf1 pools=cspool:4096,second:1024/' \
    "$s/tests/scenarios/zone.inc"
  echo 'deploy virtualmachine name=vf-vm1 zoneid=$zone serviceofferingid=$so templateid=$tmpl hostid=$ha1'
  echo 'set vm1=$_.virtualmachine.id'
  echo 'list volumes virtualmachineid=$vm1 type=ROOT'
  echo 'set root1=$_.volume[0].id'
  echo 'sim volume name=pf1 volumeid=$root1'
  echo 'set tree1=$_.simvolume.vtreeId'
  # the template copy and ROOT-1 are in the tree; 125 snapshots make it 126 snapshots
  i=0
  while [ $i -lt 125 ]; do
    echo "create snapshot volumeid=\$root1 name=vf-s$i"
    i=$((i + 1))
  done
  echo 'expect error text~=too many snapshots'
  echo 'create snapshot volumeid=$root1 name=vf-one-too-many'
  echo 'deploy virtualmachine name=vf-vm2 zoneid=$zone serviceofferingid=$so templateid=$tmpl hostid=$ha1'
  echo 'assert virtualmachine.state=Running'
  echo 'set vm2=$_.virtualmachine.id'
  echo 'list volumes virtualmachineid=$vm2 type=ROOT'
  echo 'set root2=$_.volume[0].id'
  echo 'assert volume[0].storageid=$pool'
  echo 'sim volume name=pf1 volumeid=$root2'
  echo 'assert simvolume.vtreeId!=$tree1'
  echo 'assert simvolume.ancestorVolumeId=null'
  echo 'list events type=VOLUME.CREATE'
  echo 'assert event[1].description~=copying the image whole'
  echo 'write volumedata volumeid=$root2'
  echo 'check storagepool id=$pool'
  echo 'assert storagepoolcheck.consistent=true'
  echo 'assert storagepoolcheck.dataverified=1'
} >"$tmp/vtree-full.cmk"
exec sh "$s/tests/harness/run-cmk.sh" "$tmp/vtree-full.cmk"
