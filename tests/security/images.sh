#!/bin/sh
# Untrusted images never make a host program read a host file. A "host file" outside the image
# directories holds a unique marker; hostile images built here (qemu-img create and a little
# printf/dd) try to make cs-harness (registration: copy, inspection, qemu-img info) or the plugin
# (seeding: inspection, qemu-img info and convert onto the volume) read it: QCOW2 data file,
# backing file, nested backing chain, VMDK descriptors naming it, another format's header in a
# RAW or ISO file, encryption, unknown feature bits, a symlink out of the image dir, paths outside
# the image dirs, /proc, "..", foreign URL schemes. Each must be refused with an error naming the
# reason, and no byte of the marker may reach the simulator's volume data or secondary storage.
# Two templates registered clean and swapped on secondary storage afterwards show the plugin
# refusing at deploy on its own. A benign QCOW2 and a RAW template (carrying a second marker:
# proof that the grep would see a leak) still deploy.
set -u
b=$(cd "${top_builddir:-.}" && pwd) || exit 99
s=$(cd "${top_srcdir:-.}" && pwd) || exit 99
qemu_img=${QEMU_IMG:-qemu-img}
command -v "$qemu_img" >/dev/null 2>&1 || { echo "images: qemu-img not found: skipped"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/images.XXXXXX") || exit 99
cleanup() {
  for pid in $(sed -n 's/^ *"pid": \([0-9][0-9]*\),*$/\1/p' "$tmp/run1.log" 2>/dev/null); do
    kill "$pid" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' INT TERM
fail() { echo "images: FAIL: $*"; exit 1; }

img="$tmp/images"   # the --image-dir
host="$tmp/host"    # a directory of the host that is no image dir
mkdir -p "$img" "$host" || exit 99
marker="HOSTFILE-MARKER-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
benign="BENIGN-MARKER-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
[ ${#marker} -gt 20 ] && [ ${#benign} -gt 20 ] || exit 99
# The host file: the marker over and over, so that any block read from it carries it whole.
awk -v m="$marker" 'BEGIN { for (i = 0; i < 40000; i++) print m }' >"$host/secret.raw" || exit 99

q() { "$qemu_img" "$@" || exit 99; }
poke() { printf "$2" | dd of="$1" bs=1 seek="$3" conv=notrunc status=none || exit 99; }

# --- the benign images
q create -q -f qcow2 "$img/good.qcow2" 1G
mkdir "$tmp/more" && q create -q -f qcow2 "$tmp/more/more.qcow2" 1G
{ printf '%s\n' "$benign"; head -c 1048576 /dev/zero; } >"$img/good.raw" || exit 99
{ head -c 32768 /dev/zero; printf '\001CD001\001'; head -c 65536 /dev/zero; } >"$img/good.iso" || exit 99
# two clean templates swapped for hostile ones on secondary storage after their registration
q create -q -f qcow2 "$img/swap.qcow2" 1G
{ printf 'plain raw data\n'; head -c 1048576 /dev/zero; } >"$img/swap.raw" || exit 99

# --- the hostile corpus
# QCOW2 whose guest data is an external data file: the host file (written after the create,
# which makes the data file)
q create -q -f qcow2 -o data_file="$host/datafile.raw",data_file_raw=on "$img/datafile.qcow2" 1M
cp "$host/secret.raw" "$host/datafile.raw" || exit 99
# QCOW2 backed by the host file, and a chain ending there
q create -q -f qcow2 -b "$host/secret.raw" -F raw "$img/backing.qcow2" 1M
q create -q -f qcow2 -b "$img/backing.qcow2" -F qcow2 "$img/nested.qcow2" 1M
# VMDK descriptor files: qemu-img's monolithicFlat, and one whose extent is the host file
q create -q -f vmdk -o subformat=monolithicFlat "$img/flat.vmdk" 1M
printf '# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType="monolithicFlat"\n\nRW 2048 FLAT "%s" 0\n' \
  "$host/secret.raw" >"$img/evil.vmdk" || exit 99
# a QCOW2 with an ISO 9660 signature too; an ISO registered as a template
cp "$img/backing.qcow2" "$img/hybrid.iso" && truncate -s 64K "$img/hybrid.iso" || exit 99
poke "$img/hybrid.iso" '\001CD001\001' 32768
# encrypted (crypt_method 1) and an unknown incompatible feature bit (bit 4 of byte 0x4f)
q create -q -f qcow2 "$img/encrypted.qcow2" 1M
poke "$img/encrypted.qcow2" '\000\000\000\001' 32
q create -q -f qcow2 "$img/unknownbit.qcow2" 1M
poke "$img/unknownbit.qcow2" '\020' 79
# a symlink in the image dir to the host file, and one to the host's directory
ln -s "$host/secret.raw" "$img/link.raw" && ln -s "$host" "$img/hostdir" || exit 99

zone=$(grep -v '^register template\|^set tmpl=' "$s/tests/scenarios/zone.inc")
cat >"$tmp/run1.cmk" <<EOF
$zone
# Each hostile registration is refused, naming why.
expect error code=431 text~=external data file
register template name=h-datafile displaytext=h format=QCOW2 hypervisor=KVM url=\$img/datafile.qcow2 zoneid=\$zone
expect error code=431 text~=is a QCOW2 image, not RAW
register template name=h-datafile-raw displaytext=h format=RAW hypervisor=KVM url=\$img/datafile.qcow2 zoneid=\$zone
expect error code=431 text~=backing file
register template name=h-backing displaytext=h format=QCOW2 hypervisor=KVM url=\$img/backing.qcow2 zoneid=\$zone
expect error code=431 text~=is a QCOW2 image, not RAW
register template name=h-backing-raw displaytext=h format=RAW hypervisor=KVM url=\$img/backing.qcow2 zoneid=\$zone
expect error code=431 text~=backing file
register template name=h-nested displaytext=h format=QCOW2 hypervisor=KVM url=file://\$img/nested.qcow2 zoneid=\$zone
expect error code=431 text~=is a VMDK image, not RAW
register template name=h-flat displaytext=h format=RAW hypervisor=KVM url=\$img/flat.vmdk zoneid=\$zone
expect error code=431 text~=is a VMDK image, not RAW
register template name=h-vmdk-raw displaytext=h format=RAW hypervisor=KVM url=\$img/evil.vmdk zoneid=\$zone
expect error code=431 text~=is a VMDK image, not QCOW2
register template name=h-vmdk-qcow2 displaytext=h format=QCOW2 hypervisor=KVM url=\$img/evil.vmdk zoneid=\$zone
expect error code=431 text~=is an ISO image, not QCOW2
register template name=h-iso-qcow2 displaytext=h format=QCOW2 hypervisor=KVM url=\$img/good.iso zoneid=\$zone
expect error code=431 text~=is an ISO image, not RAW
register template name=h-iso-raw displaytext=h format=RAW hypervisor=KVM url=\$img/good.iso zoneid=\$zone
expect error code=431 text~=carries both a QCOW2 and an ISO header
register iso name=h-hybrid displaytext=h url=\$img/hybrid.iso zoneid=\$zone
expect error code=431 text~=is a QCOW2 image, not ISO
register iso name=h-qcow2-iso displaytext=h url=\$img/backing.qcow2 zoneid=\$zone
expect error code=431 text~=no ISO 9660 signature
register iso name=h-raw-iso displaytext=h url=\$img/good.raw zoneid=\$zone
expect error code=431 text~=encrypted
register template name=h-encrypted displaytext=h format=QCOW2 hypervisor=KVM url=\$img/encrypted.qcow2 zoneid=\$zone
expect error code=431 text~=incompatible feature bits 0x10
register template name=h-unknownbit displaytext=h format=QCOW2 hypervisor=KVM url=\$img/unknownbit.qcow2 zoneid=\$zone
expect error code=431 text~=a symlink may not lead out
register template name=h-link displaytext=h format=RAW hypervisor=KVM url=\$img/link.raw zoneid=\$zone
expect error code=431 text~=a symlink may not lead out
register iso name=h-linkdir displaytext=h url=\$img/hostdir/secret.raw zoneid=\$zone
expect error code=431 text~=outside the harness
register template name=h-outside displaytext=h format=RAW hypervisor=KVM url=\$host/secret.raw zoneid=\$zone
expect error code=431 text~=outside the harness
register template name=h-outside-file displaytext=h format=RAW hypervisor=KVM url=file://\$host/secret.raw zoneid=\$zone
expect error code=431 text~=outside the harness
register template name=h-tmp displaytext=h format=RAW hypervisor=KVM url=\$tmp/outside.raw zoneid=\$zone
expect error code=431 text~=under /proc, /sys and /dev are never images
register template name=h-environ displaytext=h format=RAW hypervisor=KVM url=/proc/self/environ zoneid=\$zone
expect error code=431 text~=under /proc, /sys and /dev are never images
register iso name=h-dev displaytext=h url=/dev/zero zoneid=\$zone
expect error code=431 text~=component is not taken
register template name=h-dotdot displaytext=h format=RAW hypervisor=KVM url=\$img/../host/secret.raw zoneid=\$zone
expect error code=431 text~=scheme ftp is refused
register template name=h-ftp displaytext=h format=QCOW2 hypervisor=KVM url=ftp://127.0.0.1/t.qcow2 zoneid=\$zone
expect error code=431 text~=scheme gopher is refused
register template name=h-gopher displaytext=h format=QCOW2 hypervisor=KVM url=gopher://127.0.0.1/t.qcow2 zoneid=\$zone directdownload=true
list templates
assert count=0
list isos
assert count=0
# Registered clean: swapped on secondary storage before they are seeded.
register template name=t-swapq displaytext=t format=QCOW2 hypervisor=KVM url=\$img/swap.qcow2 zoneid=\$zone
register template name=t-swapr displaytext=t format=RAW hypervisor=KVM url=\$img/swap.raw zoneid=\$zone
EOF
cp "$host/secret.raw" "$tmp/outside.raw" || exit 99

harness() {
  CSH_img="$img" CSH_host="$host" CSH_tmp="$tmp" CSH_more="$tmp/more" timeout 600 "$b/host/cs-harness" --plugin "$b/plugin/powerflex.la" \
    --db "$tmp/state.db" --workdir "$tmp/work" --image-dir "$img" --image-dir /proc --echo "$@"
}
harness --keep-sims run "$tmp/run1.cmk" >"$tmp/run1.log" 2>&1 || { cat "$tmp/run1.log"; fail "run1.cmk failed"; }

# The swap: what the harness checked is replaced behind its back (a compromised secondary
# storage); only the plugin's own inspection stands between it and the host file now.
sq=$(find "$tmp/work/secondary/template/tmpl" -name '*.qcow2')
sr=$(find "$tmp/work/secondary/template/tmpl" -name '*.raw')
[ -f "$sq" ] && [ -f "$sr" ] || fail "the swap templates are not on secondary storage: $sq $sr"
cp "$img/backing.qcow2" "$sq" && cp "$img/datafile.qcow2" "$sr" || exit 99

cat >"$tmp/run2.cmk" <<EOF
list zones
set zone=\$_.zone[0].id
list serviceofferings name=pflex_instance
set so=\$_.serviceoffering[0].id
list storagepools
set pool=\$_.storagepool[0].id
list templates name=t-swapq
set tq=\$_.template[0].id
list templates name=t-swapr
set tr=\$_.template[0].id
expect error text~=backing file
deploy virtualmachine name=h-vm1 zoneid=\$zone serviceofferingid=\$so templateid=\$tq
expect error text~=is a QCOW2 image, not RAW
deploy virtualmachine name=h-vm2 zoneid=\$zone serviceofferingid=\$so templateid=\$tr
# The global setting adds image directories; relative ones are refused.
expect error code=431 text~=outside the harness
register template name=t-more displaytext=t format=QCOW2 hypervisor=KVM url=\$more/more.qcow2 zoneid=\$zone
expect error code=431 text~=absolute directories
update configuration name=harness.image.directories value=relative/dir
update configuration name=harness.image.directories value="/nonexistent, \$more"
register template name=t-more displaytext=t format=QCOW2 hypervisor=KVM url=\$more/more.qcow2 zoneid=\$zone
assert template[0].isready=true
# The benign ones still go all the way.
register template name=t-good displaytext=t format=QCOW2 hypervisor=KVM url=\$img/good.qcow2 zoneid=\$zone
set tg=\$_.template[0].id
register template name=t-good-raw displaytext=t format=RAW hypervisor=KVM url=file://\$img/good.raw zoneid=\$zone
set tgr=\$_.template[0].id
register iso name=i-good displaytext=i url=\$img/good.iso zoneid=\$zone
deploy virtualmachine name=g-vm1 zoneid=\$zone serviceofferingid=\$so templateid=\$tg
assert virtualmachine.state=Running
deploy virtualmachine name=g-vm2 zoneid=\$zone serviceofferingid=\$so templateid=\$tgr
assert virtualmachine.state=Running
check storagepool id=\$pool
assert storagepoolcheck.consistent=true
sim stop name=pf1
EOF
harness run "$tmp/run2.cmk" >"$tmp/run2.log" 2>&1 || { cat "$tmp/run2.log"; fail "run2.cmk failed"; }
[ -n "${IMAGES_SHOW:-}" ] && cat "$tmp/run1.log" "$tmp/run2.log"

# The refusals came from where they should: the plugin for the swapped templates.
grep -q 'is refused: it is a QCOW2 image that names a backing file' "$tmp/run2.log" ||
  { cat "$tmp/run2.log"; fail "the swapped QCOW2 was not refused by the plugin's inspection"; }

# No byte of the host file reached a volume, secondary storage or anything else of the harness;
# the benign RAW template's marker did reach its volumes (the grep sees what leaks).
data="$tmp/work/sims"
[ -d "$data" ] || fail "no simulator state under $data"
leak=$(grep -rlF "$marker" "$tmp/work" 2>/dev/null)
[ -z "$leak" ] || fail "the host file's marker reached: $leak"
grep -rqF "$benign" "$data" || fail "the benign RAW template's data is not on any volume: the leak check sees nothing"
echo "images: every hostile image refused with its reason; the host file reached no volume"
exit 0
