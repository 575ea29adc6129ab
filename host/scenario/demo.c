/* demo.c - the seed's walkthrough as one command: zone, clusters and hosts, pools added with the
 * seed's commands, offerings with QoS, a QCOW2 template built with qemu-img, a VM with a data
 * disk, snapshots, VM migration across clusters, volume migration across systems, capacity.
 * It is a cmk script run through the same session as any scenario, so it proves the same paths. */
#include "config.h"

#include "demo.h"

#include "runprog.h"
#include "strbuf.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

static int run_lines(host_session *s, const char *script)
{
    const char *p = script;
    s->source = "demo";
    s->line = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
        s->line++;
        if (host_session_line(s, p, len) != 0)
            return -1;
        p += len + (nl != NULL);
    }
    return 0;
}

/* The capacity table: every pool's total, used and allocated space from listStoragePools. */
static void print_table(host_session *s)
{
    char err[256];
    const char *kp[] = {"storagepool", NULL};
    yajl_val root, pools;
    int quiet = s->quiet, echo = s->echo;

    s->quiet = 1;
    s->echo = 0;
    if (host_session_line(s, "list storagepools", 17) != 0 || s->cs->last == NULL) {
        s->quiet = quiet;
        s->echo = echo;
        return;
    }
    s->quiet = quiet;
    s->echo = echo;
    root = yajl_tree_parse(s->cs->last, err, sizeof(err));
    pools = yajl_tree_get(root, kp, yajl_t_array);
    printf("\n%-20s %-8s %-6s %12s %12s %12s %8s\n", "pool", "scope", "state", "total GiB", "used GiB",
           "alloc GiB", "alloc%");
    for (size_t i = 0; pools != NULL && i < pools->u.array.len; i++) {
        yajl_val p = pools->u.array.values[i];
        const char *kn[] = {"name", NULL}, *ks[] = {"scope", NULL}, *kst[] = {"state", NULL};
        const char *kt[] = {"disksizetotal", NULL}, *ku[] = {"disksizeused", NULL},
                   *ka[] = {"disksizeallocated", NULL};
        yajl_val n = yajl_tree_get(p, kn, yajl_t_string), sc = yajl_tree_get(p, ks, yajl_t_string);
        yajl_val st = yajl_tree_get(p, kst, yajl_t_string);
        yajl_val t = yajl_tree_get(p, kt, yajl_t_number), u = yajl_tree_get(p, ku, yajl_t_number);
        yajl_val a = yajl_tree_get(p, ka, yajl_t_number);
        double gib = 1024.0 * 1024.0 * 1024.0, total = t ? (double)YAJL_GET_INTEGER(t) : 0;
        double used = u ? (double)YAJL_GET_INTEGER(u) : 0, alloc = a ? (double)YAJL_GET_INTEGER(a) : 0;
        printf("%-20s %-8s %-6s %12.1f %12.1f %12.1f %7.1f%%\n", n ? YAJL_GET_STRING(n) : "?",
               sc ? YAJL_GET_STRING(sc) : "?", st ? YAJL_GET_STRING(st) : "?", total / gib, used / gib,
               alloc / gib, total > 0 ? 100.0 * alloc / total : 0.0);
    }
    yajl_tree_free(root);
    fflush(stdout);
}

int host_demo(host_session *s, int argc, char **argv)
{
    static const struct option opts[] = {
        {"url", required_argument, NULL, 'u'},
        {"cafile", required_argument, NULL, 'c'},
        {"host", required_argument, NULL, 'H'},
        {"verbose", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
    };
    const char *url = NULL, *cafile = NULL, *hosts[8];
    size_t nhosts = 0;
    host_buf script = HOST_BUF_INIT;
    char *tmpl = NULL, err[512];
    const char *qemu_img = getenv("QEMU_IMG");
    int c, rc = -1, verbose = 0;

    optind = 1;
    while ((c = getopt_long(argc + 1, argv - 1, "", opts, NULL)) != -1) {
        switch (c) {
        case 'u': url = optarg; break;
        case 'c': cafile = optarg; break;
        case 'H':
            if (nhosts < sizeof(hosts) / sizeof(hosts[0]))
                hosts[nhosts++] = optarg;
            break;
        case 'v': verbose = 1; break;
        default:
            fprintf(stderr, "usage: cs-harness demo [--url powerflex://USER:PASS@GATEWAY/POOL [--cafile PEM] "
                            "[--host IP]...] [--verbose]\n");
            return -1;
        }
    }
    /* Each step is shown as its command line (passwords masked) and long ones with a progress
     * bar; --verbose adds every JSON response. */
    s->echo = 1;
    s->quiet = !verbose;
    s->cs->progress = 1;
    /* The template: a QCOW2 image made here, as an operator would upload one. */
    if (asprintf(&tmpl, "%s/demo-template.qcow2", s->cs->workdir) < 0)
        return -1;
    {
        char *const mk[] = {(char *)(qemu_img != NULL && *qemu_img ? qemu_img : "qemu-img"),
                            "create",
                            "-q",
                            "-f",
                            "qcow2",
                            tmpl,
                            "2G",
                            NULL};
        if (host_run(mk, NULL, NULL, err, sizeof(err)) != 0) {
            fprintf(stderr, "demo: cannot build the template: %s\n", err);
            goto out;
        }
    }
    host_buf_adds(
        &script,
        "create zone name=demo-zone networktype=Advanced\n"
        "set zone=$_.zone.id\n"
        "create pod name=demo-pod zoneid=$zone\n"
        "set pod=$_.pod.id\n"
        "add cluster clustername=cluster-a zoneid=$zone podid=$pod hypervisor=KVM clustertype=CloudManaged\n"
        "set ca=$_.cluster[0].id\n"
        "add cluster clustername=cluster-b zoneid=$zone podid=$pod hypervisor=KVM clustertype=CloudManaged\n"
        "set cb=$_.cluster[0].id\n");
    if (url == NULL) {
        host_buf_adds(
            &script,
            "add host zoneid=$zone podid=$pod clusterid=$ca url=http://127.0.0.11 username=root password=x "
            "name=kvm-a1\n"
            "set ha1=$_.host[0].id\n"
            "add host zoneid=$zone podid=$pod clusterid=$ca url=http://127.0.0.12 username=root password=x "
            "name=kvm-a2\n"
            "set ha2=$_.host[0].id\n"
            "add host zoneid=$zone podid=$pod clusterid=$cb url=http://127.0.0.21 username=root password=x "
            "name=kvm-b1\n"
            "set hb1=$_.host[0].id\n"
            "sim start name=pf1 pools=cspool:1024,cspool2:1024\n"
            "sim start name=pf2 pools=cspool:2048\n"
            "update zone id=$zone allocationstate=Enabled\n"
            "create storagepool name=mypowerflexpool scope=zone hypervisor=KVM provider= PowerFlex "
            "tags=powerflex "
            "url=powerflex://admin:P%40ssword123@$pf1.gateway/cspool zoneid=$zone\n"
            "set p1=$_.storagepool.id\n"
            "create storagepool name=pf1-second scope=zone hypervisor=KVM provider=PowerFlex tags=powerflex "
            "url=powerflex://admin:P%40ssword123@$pf1.gateway/cspool2 zoneid=$zone\n"
            "set p2=$_.storagepool.id\n"
            "create storagepool name=pf2-pool scope=zone hypervisor=KVM provider=PowerFlex tags=powerflex "
            "url=powerflex://admin:P%40ssword123@$pf2.gateway/cspool zoneid=$zone\n"
            "set p3=$_.storagepool.id\n");
    } else {
        if (nhosts == 0)
            hosts[nhosts++] = "127.0.0.1";
        for (size_t i = 0; i < nhosts; i++)
            host_buf_printf(&script,
                            "add host zoneid=$zone podid=$pod clusterid=%s url=http://%s username=root "
                            "password=x name=kvm-%zu "
                            "details[0].powerflex.sdc.home.dir=/opt/emc/scaleio/sdc "
                            "details[1].powerflex.sdc.device.dir=/dev/disk/by-id\n"
                            "set h%zu=$_.host[0].id\n",
                            i % 2 ? "$cb" : "$ca", hosts[i], i, i);
        host_buf_printf(&script, "set ha1=$h0\nset hb1=$h%zu\n", nhosts > 1 ? (size_t)1 : (size_t)0);
        host_buf_adds(&script,
                      "update zone id=$zone allocationstate=Enabled\n"
                      "create storagepool name=mypowerflexpool scope=zone hypervisor=KVM provider= PowerFlex "
                      "tags=powerflex url=\"");
        host_buf_adds(&script, url);
        host_buf_adds(&script, "\" zoneid=$zone");
        if (cafile != NULL)
            host_buf_printf(&script, " cafile=\"%s\"", cafile);
        host_buf_adds(&script, "\nset p1=$_.storagepool.id\n");
    }
    host_buf_printf(
        &script,
        "create serviceoffering name=pflex_instance displaytext=pflex_instance storagetype=shared "
        "provisioningtype=thin cpunumber=1 cpuspeed=1000 memory=1024 tags=powerflex "
        "serviceofferingdetails[0].bandwidthLimitInMbps=90 serviceofferingdetails[0].iopsLimit=9000\n"
        "set so=$_.serviceoffering.id\n"
        "create diskoffering name=pflex_disk displaytext=pflex_disk storagetype=shared "
        "provisioningtype=thick "
        "disksize=3 tags=powerflex details[0].bandwidthLimitInMbps=70 details[0].iopsLimit=7000\n"
        "set do=$_.diskoffering.id\n"
        "register template name=demo-template displaytext=demo-template format=QCOW2 hypervisor=KVM "
        "url=\"%s\" zoneid=$zone ostypeid=\"Other Linux (64-bit)\"\n"
        "set tmpl=$_.template[0].id\n"
        "deploy virtualmachine name=demo-vm zoneid=$zone serviceofferingid=$so templateid=$tmpl hostid=$ha1 "
        "userdata=I2Nsb3VkLWNvbmZpZwo=\n"
        "set vm=$_.virtualmachine.id\n"
        "list volumes virtualmachineid=$vm type=ROOT\n"
        "set root=$_.volume[0].id\n"
        "create volume name=demo-data zoneid=$zone diskofferingid=$do\n"
        "set data=$_.volume.id\n"
        "attach volume id=$data virtualmachineid=$vm\n"
        "create snapshot volumeid=$root name=demo-root-snap\n"
        "create vmsnapshot virtualmachineid=$vm name=demo-vmsnap snapshotmemory=false\n"
        "set vmsnap=$_.vmsnapshot.id\n"
        "%s"
        "delete vmsnapshot vmsnapshotid=$vmsnap\n"
        "detach volume id=$data\n",
        tmpl,
        /* Across clusters (the pool is zone-wide); a real installation with one host skips it. */
        url == NULL || nhosts > 1 ? "migrate virtualmachine virtualmachineid=$vm hostid=$hb1\n" : "");
    if (url == NULL)
        host_buf_adds(&script, "find storagepoolsformigration id=$data\n"
                               "migrate volume volumeid=$data storageid=$p3\n"
                               "attach volume id=$data virtualmachineid=$vm\n"
                               "check storagepool id=$p1\n"
                               "check storagepool id=$p2\n"
                               "check storagepool id=$p3\n");
    else
        host_buf_adds(&script, "attach volume id=$data virtualmachineid=$vm\n"
                               "check storagepool id=$p1\n");
    host_buf_adds(&script, "list capacity zoneid=$zone perpool=true\n");
    if (script.failed)
        goto out;
    rc = run_lines(s, host_buf_str(&script));
    print_table(s);
    if (rc == 0)
        printf("\ndemo: every step passed\n");
    else
        fprintf(stderr, "\ndemo: stopped at the step above\n");
out:
    host_buf_free(&script);
    free(tmpl);
    return rc;
}
