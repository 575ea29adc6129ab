# gen.awk - writes the soak's cmk script: a zone, two faulty simulated systems (the first with two
# pools, so V-Trees migrate between them, slowly, some failing half way and those leaving the
# first pool outliving their timeout; removals keep their V-Tree busy a while), then OPS random
# operations chosen with srand(SEED) (guest writes among them, read back at the end); a kill in a
# block copy halfway through, a graceful restart at a quarter, and KILLS (default 6) kills at
# random points: a VM deploy whose harness the simulators kill at its Kth request that changes an
# array (K and the moment, before, applied or after the answer, chosen at random).
# Variables a failed command never set make later commands fail cleanly (--keep-going).
function pick(n) { return int(rand() * n) }
# Operations pick among the objects not yet destroyed or deleted (whether or not that worked).
function vm() { return "$vm" (nlivevm > 0 ? livevm[pick(nlivevm)] : 0) }
function vol() { return "$vol" (nlivevol > 0 ? livevol[pick(nlivevol)] : 0) }
function snap() { return "$snap" (nlivesnap > 0 ? livesnap[pick(nlivesnap)] : 0) }
# Removes a random live entry of list a (n entries) and returns it.
function take(a, n,   i, v) { i = pick(n); v = a[i]; a[i] = a[n - 1]; return v }
function faults_on(   i) {
    for (i = 1; i <= nfault; i++) {
        print "sim fault name=pf1 spec=\"" spec[i] "\""
        print "sim fault name=pf2 spec=\"" spec[i] "\""
    }
}
# Mid-run, with everything the run made so far in place: the harness is killed in the middle of a
# cross-system block copy (faults off for that one command, so it surely gets there) and the
# restarted harness must resolve the copy; then the faults come back.
function kill_in_copy() {
    print "sim fault name=pf1 clear=true"
    print "sim fault name=pf2 clear=true"
    # Its own template: after a few hundred operations the first template's copies may hold the
    # 126 clones and snapshots a V-Tree takes (the array then refuses more, rc 182).
    print "deploy virtualmachine name=cvm zoneid=$zone serviceofferingid=$so templateid=$tk"
    print "set cvm=$_.virtualmachine.id"
    print "create volume name=cvol zoneid=$zone diskofferingid=$do virtualmachineid=$cvm"
    print "set cvol=$_.volume.id"
    print "write volumedata volumeid=$cvol"
    print "detach volume id=$cvol"
    # On p1 first (refused, harmlessly, when the allocator put it there), so the copy to p2 runs.
    print "migrate volume volumeid=$cvol storageid=$p1"
    print "expect crash at=copy:1"
    print "migrate volume volumeid=$cvol storageid=$p2"
    print "assert restart.recovered[0].volumeid=$cvol"
    faults_on()
}
BEGIN {
    srand(seed)
    if (kills == "")
        kills = 6
    # The random kills' places: spread over the run, never on the restart or the copy kill.
    for (k = 0; k < kills; k++) {
        at = int(ops / 16 + rand() * (ops - ops / 16))
        if (at != int(ops / 4) && at != int(ops / 2))
            killat[at] = 1
    }
    when[0] = "applied"; when[1] = "after"; when[2] = "before"
    f = faults != "" ? faults : "*:latency:ms=150:p=0.02;*:http500:p=0.01;*:http503:p=0.01;*:drop:p=0.01;*:malformed:p=0.01;*:device-delay:ms=300:p=0.05;*:http502:p=0.004;*:http504:p=0.004;*:html:status=500:p=0.004;*:empty:status=500:p=0.004;/api/instances/Volume::{id}/action/removeVolume:busy:p=0.05"
    print "create zone name=soak networktype=Advanced"
    print "set zone=$_.zone.id"
    print "create pod name=pod1 zoneid=$zone"
    print "set pod=$_.pod.id"
    print "add cluster clustername=c1 zoneid=$zone podid=$pod hypervisor=KVM clustertype=CloudManaged"
    print "set c1=$_.cluster[0].id"
    for (i = 0; i < 3; i++) {
        print "add host zoneid=$zone podid=$pod clusterid=$c1 url=http://127.0.0.1" (i + 1) " username=root password=password name=kvm" i
        print "set h" i "=$_.host[0].id"
    }
    print "sim start name=pf1 pools=cspool:16384,second:16384 seed=" seed " tokenttl=3 migration=1100 migrationfailat=0.6 migrationfailp=0.25 removal=300"
    print "sim start name=pf2 pools=cspool:16384 seed=" (seed + 1) " tokenttl=2 removal=300"
    print "update zone id=$zone allocationstate=Enabled"
    print "create storagepool name=p1 scope=zone hypervisor=KVM provider=PowerFlex tags=pf url=powerflex://admin:P%40ssword123@$pf1.gateway/cspool zoneid=$zone"
    print "set p1=$_.storagepool.id"
    print "create storagepool name=p2 scope=zone hypervisor=KVM provider=PowerFlex tags=pf url=powerflex://admin:P%40ssword123@$pf2.gateway/cspool zoneid=$zone"
    print "set p2=$_.storagepool.id"
    print "create storagepool name=p3 scope=zone hypervisor=KVM provider=PowerFlex tags=pf url=powerflex://admin:P%40ssword123@$pf1.gateway/second zoneid=$zone"
    print "set p3=$_.storagepool.id"
    # V-Tree migrations out of p1 take longer (1.1 s) than their timeout: paused, rolled back.
    print "update configuration name=kvm.storage.offline.migration.wait value=1 storageid=$p1"
    print "create serviceoffering name=so displaytext=so storagetype=shared provisioningtype=thin cpunumber=1 cpuspeed=1000 memory=512 tags=pf"
    print "set so=$_.serviceoffering.id"
    print "create diskoffering name=do displaytext=do storagetype=shared provisioningtype=thin disksize=1 tags=pf"
    print "set do=$_.diskoffering.id"
    # Encrypted volumes among the others (QCOW2+LUKS, a passphrase each): every operation below
    # meets some, guest data included.
    print "create diskoffering name=edo displaytext=edo storagetype=shared provisioningtype=thin disksize=1 tags=pf encrypt=true"
    print "set edo=$_.diskoffering.id"
    print "register template name=t displaytext=t format=QCOW2 hypervisor=KVM url=$qcow2 zoneid=$zone ostypeid=\"Other Linux (64-bit)\""
    print "set tmpl=$_.template[0].id"
    print "register template name=tk displaytext=tk format=QCOW2 hypervisor=KVM url=$qcow2 zoneid=$zone ostypeid=\"Other Linux (64-bit)\""
    print "set tk=$_.template[0].id"
    nfault = split(f, spec, ";")
    faults_on()
    nvm = 0; nvol = 0; nsnap = 0; nlivevm = 0; nlivevol = 0; nlivesnap = 0
    for (op = 0; op < ops; op++) {
        if (op == int(ops / 4)) {
            # A new process, faults still on: adopts the simulators, reopens the pools.
            print "restart harness"
            continue
        }
        if (op == int(ops / 2)) {
            kill_in_copy()
            continue
        }
        if (op in killat) {
            # The restarted harness resolves what the killed deploy left; its VM may or may not
            # exist afterwards, so nothing refers to it.
            # A deploy from a seeded template makes two: the clone and the map.
            print "expect crash at=request:" (1 + pick(2)) ":" when[pick(3)]
            print "deploy virtualmachine name=killed" op " zoneid=$zone serviceofferingid=$so templateid=$tmpl"
            continue
        }
        r = pick(100)
        if (r < 14 || nlivevm == 0) {
            print "deploy virtualmachine name=vm" nvm " zoneid=$zone serviceofferingid=$so templateid=$tmpl"
            print "set vm" nvm "=$_.virtualmachine.id"
            livevm[nlivevm++] = nvm++
        } else if (r < 28 || nlivevol == 0) {
            print "create volume name=vol" nvol " zoneid=$zone diskofferingid=" (pick(6) == 0 ? "$edo" : "$do") " virtualmachineid=" vm()
            print "set vol" nvol "=$_.volume.id"
            livevol[nlivevol++] = nvol++
        } else if (r < 36) print "stop virtualmachine id=" vm()
        else if (r < 44) print "start virtualmachine id=" vm()
        else if (r < 50) print "reboot virtualmachine id=" vm()
        else if (r < 56) print "detach volume id=" vol()
        else if (r < 62) print "attach volume id=" vol() " virtualmachineid=" vm()
        else if (r < 68) {
            print "create snapshot volumeid=" vol() " name=s" nsnap
            print "set snap" nsnap "=$_.snapshot.id"
            livesnap[nlivesnap++] = nsnap++
        } else if (r < 72 && nlivesnap > 0) {
            print "delete snapshot id=$snap" take(livesnap, nlivesnap)
            nlivesnap--
        } else if (r < 78 && !novmmig) print "migrate virtualmachine virtualmachineid=" vm() " hostid=$h" pick(3)
        else if (r < 83) print "migrate volume volumeid=" vol() " storageid=$p" (1 + pick(3)) (pick(2) ? " livemigrate=true" : "")
        else if (r < 87) print "resize volume id=" vol() " size=" (2 + pick(4))
        else if (r < 90) {
            print "delete volume id=$vol" take(livevol, nlivevol)
            nlivevol--
        } else if (r < 93) {
            print "destroy virtualmachine id=$vm" take(livevm, nlivevm) " expunge=true"
            nlivevm--
        } else if (r < 96) print "create vmsnapshot virtualmachineid=" vm()
        else if (r < 99) print "write volumedata volumeid=" vol()
        else if (nlivesnap > 0) print "revert snapshot id=" snap()
        else print "list volumes"
    }
}
