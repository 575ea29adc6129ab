/* test_sdc.c - the SDC side: drv_cfg's real output format (and malformed variants), device paths
 * from hostile ids, and waiting for devices that appear late, never, with size 0, or go away.
 * drv_cfg is fake_drv_cfg.sh; devices are sparse files and symlinks made by a background thread. */
#include "config.h"

#include "hs_util.h"

#include "sdc.h"
#include "sdc_mdm.h"

#include <CUnit/CUnit.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SYS "218ce1797566a00f"
#define VOL "6c33633100000009"
#define GIB (UINT64_C(1) << 30)

typedef struct env {
    char *root;
    char home[512];   /* fake SDC home: bin/drv_cfg, calls, *.out */
    char devdir[512]; /* fake /dev/disk/by-id */
    char rawdir[512]; /* fake /dev: where symlinks point */
} env;

static void env_up(env *e)
{
    char *script, *drv;
    size_t len;

    e->root = hs_mkdtemp("sdc");
    snprintf(e->home, sizeof(e->home), "%s/sdc", e->root);
    snprintf(e->devdir, sizeof(e->devdir), "%s/by-id", e->root);
    snprintf(e->rawdir, sizeof(e->rawdir), "%s/dev", e->root);
    CU_ASSERT_FATAL(mkdir(e->home, 0700) == 0 && mkdir(hs_path(e->home, "bin"), 0700) == 0);
    CU_ASSERT_FATAL(mkdir(e->devdir, 0700) == 0 && mkdir(e->rawdir, 0700) == 0);
    script = hs_read(hs_path(hs_srcdir(), "tests/hostside/fake_drv_cfg.sh"), &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(script);
    drv = strdup(hs_path(e->home, "bin/drv_cfg"));
    CU_ASSERT_FATAL(hs_write(drv, script, len) == 0 && chmod(drv, 0755) == 0);
    free(drv);
    free(script);
}

static void env_down(env *e)
{
    hs_rmtree(e->root);
    free(e->root);
}

/* How many calls of drv_cfg had `arg`. */
static int calls(const env *e, const char *arg)
{
    char *log = hs_read(hs_path(e->home, "calls"), NULL);
    int n = 0;

    for (char *p = log; p != NULL && (p = strstr(p, arg)) != NULL; p += strlen(arg))
        n++;
    free(log);
    return n;
}

/* --- drv_cfg output ---------------------------------------------------------------------- */

static void test_parse_real_format(void)
{
    pfx_sdc_vol *v;
    size_t n;
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(pfx_sdc_parse_query_vols("Retrieved 2 volume(s)\n"
                                                   "VOL-ID 6c33633100000009 MDM-ID 218ce1797566a00f\n"
                                                   "VOL-ID 6c33633200000008 MDM-ID 218ce1797566a00f\n",
                                                   &v, &n, &err),
                          SP_OK);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_STRING_EQUAL(v[0].volume_id, "6c33633100000009");
    CU_ASSERT_STRING_EQUAL(v[0].system_id, "218ce1797566a00f");
    CU_ASSERT_STRING_EQUAL(v[1].volume_id, "6c33633200000008");
    free(v);

    /* blank lines, CRLF, extra blanks and notes a newer drv_cfg might print */
    CU_ASSERT_EQUAL_FATAL(
        pfx_sdc_parse_query_vols("\r\nSDC driver 3.5.1200\r\n  Retrieved 1 volume(s)  \r\n\r\n"
                                 "VOL-ID\t6c33633100000009   MDM-ID 218CE1797566A00F\r\n"
                                 "Note: something\n\n",
                                 &v, &n, &err),
        SP_OK);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_STRING_EQUAL(v[0].system_id, "218CE1797566A00F");
    free(v);

    CU_ASSERT_EQUAL(pfx_sdc_parse_query_vols("Retrieved 0 volume(s)\n", &v, &n, &err), SP_OK);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_PTR_NULL(v);
}

static void test_parse_malformed(void)
{
    static const struct {
        const char *text, *needle;
    } bad[] = {
        {"", "no \"Retrieved N volume(s)\" line"},
        {"Error: SDC not connected\n", "no \"Retrieved"},
        {"VOL-ID 6c33633100000009 MDM-ID 218ce1797566a00f\nRetrieved 1 volume(s)\n", "before the"},
        {"Retrieved 3 volume(s)\nVOL-ID 6c33633100000009 MDM-ID 218ce1797566a00f\n",
         "announced 3 volume(s) but listed 1"},
        {"Retrieved 1 volume(s)\nVOL-ID 61 MDM-ID 21\nVOL-ID 62 MDM-ID 21\n", "listed more"},
        {"Retrieved two volume(s)\n", "unexpected header"},
        {"Retrieved 1 volumes\n", "unexpected header"},
        {"Retrieved 99999999999 volume(s)\n", "unexpected header"},
        {"Retrieved 1 volume(s)\nRetrieved 1 volume(s)\n", "two \"Retrieved\" lines"},
        {"Retrieved 1 volume(s)\nVOL-ID ../../etc MDM-ID 218ce1797566a00f\n", "malformed volume line"},
        {"Retrieved 1 volume(s)\nVOL-ID 6c33633100000009 MDM-ID 218ce17/../a00f\n", "malformed volume line"},
        {"Retrieved 1 volume(s)\nVOL-ID 6c33633100000009\n", "malformed volume line"},
        {"Retrieved 1 volume(s)\nVOL-ID 6c33633100000009 MDM 218ce1797566a00f\n", "malformed volume line"},
        {"Retrieved 1 volume(s)\nVOL-ID 6c33633100000009 MDM-ID 218ce1797566a00f extra\n",
         "malformed volume line"},
        {"Retrieved 1 volume(s)\nVOL-ID 0123456789abcdef0123456789abcdef0 MDM-ID 21\n",
         "malformed volume line"},
    };
    pfx_sdc_vol *v = (pfx_sdc_vol *)1;
    size_t n = 7;
    sp_error err;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_EQUAL(pfx_sdc_parse_query_vols(bad[i].text, &v, &n, &err), SP_E_PROTOCOL);
        CU_ASSERT_PTR_NULL(v);
        CU_ASSERT_EQUAL(n, 0);
        if (strstr(err.message, bad[i].needle) == NULL)
            fprintf(stderr, "case %zu: \"%s\" lacks \"%s\"\n", i, err.message, bad[i].needle);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, bad[i].needle));
        CU_ASSERT_PTR_NULL(strchr(err.message, '\n'));
    }
}

static void test_drv_cfg_calls(void)
{
    env e;
    pfx_sdc_vol *v;
    size_t n;
    char guid[64];
    sp_error err;

    env_up(&e);
    CU_ASSERT_EQUAL(pfx_sdc_rescan(e.home, 0, &err), SP_OK);
    CU_ASSERT_EQUAL(calls(&e, "--rescan"), 1);

    hs_write_str(hs_path(e.home, "rescan.fail"), "Failed to rescan: SDC is not connected\n");
    CU_ASSERT_EQUAL(pfx_sdc_rescan(e.home, 0, &err), SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message,
                                  "drv_cfg --rescan exited with status 1: Failed to rescan: SDC is not "
                                  "connected"));

    CU_ASSERT_EQUAL(pfx_sdc_query_vols(e.home, &v, &n, &err), SP_E_IO); /* no query_vols.out: it fails */
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "not connected to any MDM"));
    hs_write_str(hs_path(e.home, "query_vols.out"), "Retrieved 1 volume(s)\nVOL-ID " VOL " MDM-ID " SYS "\n");
    CU_ASSERT_EQUAL_FATAL(pfx_sdc_query_vols(e.home, &v, &n, &err), SP_OK);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_STRING_EQUAL(v[0].volume_id, VOL);
    free(v);
    CU_ASSERT_EQUAL(calls(&e, "--query_vols"), 2);

    hs_write_str(hs_path(e.home, "query_guid.out"), "4FD1C5B8-2A29-4F39-88D4-5D4F8B6B3C7D\n");
    CU_ASSERT_EQUAL(pfx_sdc_query_guid(e.home, guid, sizeof(guid), &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(guid, "4FD1C5B8-2A29-4F39-88D4-5D4F8B6B3C7D");
    hs_write_str(hs_path(e.home, "query_guid.out"), "Error: no GUID; see /var/log\n");
    CU_ASSERT_EQUAL(pfx_sdc_query_guid(e.home, guid, sizeof(guid), &err), SP_E_PROTOCOL);

    CU_ASSERT_EQUAL(pfx_sdc_rescan(hs_path(e.root, "no-such-sdc"), 0, &err), SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no-such-sdc/bin/drv_cfg"));
    CU_ASSERT_EQUAL(pfx_sdc_rescan("opt/emc", 0, &err), SP_E_INVALID);
    env_down(&e);
}

/* --- MDM membership ---------------------------------------------------------------------- */

static void test_query_mdms_format(void)
{
    pfx_sdc_mdm *m;
    size_t n;
    sp_error err;
    char ips[PFX_SDC_MDM_IPLIST_MAX];

    /* CloudStack's reading: field 5 is the SDC id; --add_mdm takes the addresses comma-joined */
    CU_ASSERT_EQUAL_FATAL(pfx_sdc_parse_query_mdms("Retrieved 2 mdm(s)\n"
                                                   "MDM-ID " SYS " SDC ID 0a1b2c3d00000001 INSTALLATION ID "
                                                   "2c0b5e0f1f5d4b1a IPs [0]-10.0.0.11 [1]-10.0.0.12\n"
                                                   "MDM-ID 0a0b0c0d0e0f0102 SDC ID 0000000000000000 "
                                                   "INSTALLATION ID 1 IPs [0]-fd00::1\n",
                                                   &m, &n, &err),
                          SP_OK);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_STRING_EQUAL(m[0].system_id, SYS);
    CU_ASSERT_STRING_EQUAL(m[0].sdc_id, "0a1b2c3d00000001");
    CU_ASSERT_TRUE(pfx_sdc_mdm_ip_list(&m[0], ips, sizeof(ips)));
    CU_ASSERT_STRING_EQUAL(ips, "10.0.0.11,10.0.0.12");
    CU_ASSERT_TRUE(pfx_sdc_mdm_valid_sdc_id(m[0].sdc_id));
    CU_ASSERT_FALSE(pfx_sdc_mdm_valid_sdc_id(m[1].sdc_id)); /* the MDM does not know this SDC */
    CU_ASSERT_TRUE(pfx_sdc_mdm_ip_list(&m[1], ips, sizeof(ips)));
    CU_ASSERT_STRING_EQUAL(ips, "fd00::1");
    CU_ASSERT_FALSE(pfx_sdc_mdm_ip_list(&m[1], ips, 4)); /* does not fit */
    free(m);
    /* a hostile address never becomes one drv_cfg is given */
    CU_ASSERT_EQUAL_FATAL(pfx_sdc_parse_query_mdms("Retrieved 1 mdm(s)\nMDM-ID " SYS
                                                   " SDC ID 1 INSTALLATION ID 1 IPs [0]-1.2.3.4;reboot\n",
                                                   &m, &n, &err),
                          SP_OK);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_EQUAL(m[0].n_ips, 0);
    CU_ASSERT_FALSE(pfx_sdc_mdm_ip_list(&m[0], ips, sizeof(ips)));
    free(m);
    /* malformed: no header, a count that disagrees, a hostile id */
    CU_ASSERT_EQUAL(pfx_sdc_parse_query_mdms("MDM-ID " SYS " SDC ID 1 INSTALLATION ID 1 IPs\n", &m, &n, &err),
                    SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_sdc_parse_query_mdms(
                        "Retrieved 2 mdm(s)\nMDM-ID " SYS " SDC ID 1 INSTALLATION ID 1 IPs\n", &m, &n, &err),
                    SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_sdc_parse_query_mdms(
                        "Retrieved 1 mdm(s)\nMDM-ID ../x SDC ID 1 INSTALLATION ID 1 IPs\n", &m, &n, &err),
                    SP_E_PROTOCOL);
    CU_ASSERT_PTR_NULL(m);
}

static void test_add_remove_mdm(void)
{
    env e;
    pfx_sdc_mdm *m;
    size_t n;
    sp_error err;
    char file[600];

    env_up(&e);
    snprintf(file, sizeof(file), "%s/drv_cfg.txt", e.root);
    CU_ASSERT_EQUAL(pfx_sdc_add_mdm(e.home, "10.0.0.11,10.0.0.12", file, &err), SP_OK);
    CU_ASSERT_EQUAL(calls(&e, "--add_mdm --ip 10.0.0.11,10.0.0.12 --file"), 1);
    CU_ASSERT_EQUAL(pfx_sdc_remove_mdm(e.home, "10.0.0.11,10.0.0.12", file, &err), SP_OK);
    CU_ASSERT_EQUAL(calls(&e, "--remove_mdm --ip 10.0.0.11,10.0.0.12 --file"), 1);
    hs_write_str(hs_path(e.home, "query_mdms.out"),
                 "Retrieved 1 mdm(s)\nMDM-ID " SYS
                 " SDC ID 0a1b2c3d00000001 INSTALLATION ID 1 IPs [0]-10.0.0.11\n");
    CU_ASSERT_EQUAL_FATAL(pfx_sdc_query_mdms(e.home, &m, &n, &err), SP_OK);
    CU_ASSERT_EQUAL(n, 1);
    free(m);
    /* like CloudStack, anything on stderr is a failure even with exit 0 */
    hs_write_str(hs_path(e.home, "mdm.stderr"), "Warning: MDM 10.0.0.11 unreachable\n");
    CU_ASSERT_EQUAL(pfx_sdc_add_mdm(e.home, "10.0.0.11", file, &err), SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "unreachable"));
    unlink(hs_path(e.home, "mdm.stderr"));
    /* addresses are checked before drv_cfg sees them */
    CU_ASSERT_EQUAL(pfx_sdc_add_mdm(e.home, "10.0.0.1;reboot", file, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_sdc_add_mdm(e.home, "--file=/etc/passwd", file, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_sdc_add_mdm(e.home, "", file, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_sdc_add_mdm(e.home, "10.0.0.1", "relative.txt", &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(calls(&e, "reboot") + calls(&e, "passwd") + calls(&e, "relative"), 0);
    /* an older drv_cfg cannot leave: said, not attempted */
    hs_write_str(hs_path(e.home, "old"), "");
    CU_ASSERT_EQUAL(pfx_sdc_remove_mdm(e.home, "10.0.0.11,10.0.0.12", file, &err), SP_E_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "mdm 10.0.0.11,10.0.0.12"));
    CU_ASSERT_EQUAL(calls(&e, "--remove_mdm"), 1);
    env_down(&e);
}

/* --- paths ------------------------------------------------------------------------------- */

static void test_device_paths(void)
{
    static const char *const hostile[] = {"",
                                          "../../etc",
                                          "6c33/6331",
                                          "6c33\n6331",
                                          "..",
                                          "6c33 6331",
                                          "6c33-6331",
                                          "0123456789abcdef0123456789abcdef0",
                                          "6c3363310000000g"};
    char buf[256];
    sp_error err;

    CU_ASSERT_EQUAL(pfx_sdc_device_path(NULL, SYS, VOL, buf, sizeof(buf), &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(buf, "/dev/disk/by-id/emc-vol-" SYS "-" VOL);
    CU_ASSERT_EQUAL(pfx_sdc_device_path("/tmp/x", SYS, VOL, buf, sizeof(buf), &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(buf, "/tmp/x/emc-vol-" SYS "-" VOL);
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        CU_ASSERT_EQUAL(pfx_sdc_device_path(NULL, SYS, hostile[i], buf, sizeof(buf), &err), SP_E_INVALID);
        CU_ASSERT_PTR_NULL(strchr(err.message, '\n'));
        CU_ASSERT_EQUAL(pfx_sdc_device_path(NULL, hostile[i], VOL, buf, sizeof(buf), &err), SP_E_INVALID);
        CU_ASSERT_FALSE(pfx_sdc_id_ok(hostile[i]));
    }
    CU_ASSERT_EQUAL(pfx_sdc_device_path(NULL, NULL, VOL, buf, sizeof(buf), &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_sdc_device_path("dev/disk", SYS, VOL, buf, sizeof(buf), &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_sdc_device_path(NULL, SYS, VOL, buf, 20, &err), SP_E_INVALID);
}

static void test_find_device(void)
{
    env e;
    char buf[512];
    sp_error err;

    env_up(&e);
    CU_ASSERT_EQUAL(pfx_sdc_find_device(e.devdir, VOL, buf, sizeof(buf), &err), SP_E_NOT_FOUND);
    /* decoys: a partition link, another id ending in the same digits, an empty or non-hex system */
    hs_write_str(hs_path(e.devdir, "emc-vol-" SYS "-" VOL "-part1"), "");
    hs_write_str(hs_path(e.devdir, "emc-vol-" SYS "-99" VOL), "");
    hs_write_str(hs_path(e.devdir, "emc-vol--" VOL), "");
    hs_write_str(hs_path(e.devdir, "emc-vol-xyz-" VOL), "");
    hs_write_str(hs_path(e.devdir, "emc-vol-a-b-" VOL), "");
    CU_ASSERT_EQUAL(pfx_sdc_find_device(e.devdir, VOL, buf, sizeof(buf), &err), SP_E_NOT_FOUND);
    hs_write_str(hs_path(e.devdir, "emc-vol-" SYS "-" VOL), "");
    CU_ASSERT_EQUAL(pfx_sdc_find_device(e.devdir, VOL, buf, sizeof(buf), &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(buf, hs_path(e.devdir, "emc-vol-" SYS "-" VOL));
    hs_write_str(hs_path(e.devdir, "emc-vol-0a0b0c0d0e0f0102-" VOL), "");
    CU_ASSERT_EQUAL(pfx_sdc_find_device(e.devdir, VOL, buf, sizeof(buf), &err), SP_E_STATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "the system id is needed"));
    CU_ASSERT_EQUAL(pfx_sdc_find_device(e.devdir, "../" VOL, buf, sizeof(buf), &err), SP_E_INVALID);
    env_down(&e);
}

static void test_device_size(void)
{
    env e;
    uint64_t size = 1;
    sp_error err;
    const char *file;
    static const char *const blockdevs[] = {"loop0", "vda", "sda", "nvme0n1", "xvda"};

    env_up(&e);
    file = strdup(hs_path(e.rawdir, "scinia"));
    CU_ASSERT_EQUAL_FATAL(hs_sparse(file, 8 * GIB), 0);
    CU_ASSERT_EQUAL(pfx_device_size(file, &size, &err), SP_OK);
    CU_ASSERT_EQUAL(size, 8 * GIB);
    CU_ASSERT_EQUAL(symlink(file, hs_path(e.devdir, "link")), 0);
    size = 0;
    CU_ASSERT_EQUAL(pfx_device_size(hs_path(e.devdir, "link"), &size, &err), SP_OK);
    CU_ASSERT_EQUAL(size, 8 * GIB);
    CU_ASSERT_EQUAL(symlink("../dev/nothing", hs_path(e.devdir, "dangling")), 0);
    CU_ASSERT_EQUAL(pfx_device_size(hs_path(e.devdir, "dangling"), &size, &err), SP_E_NOT_FOUND);
    CU_ASSERT_EQUAL(pfx_device_size(e.rawdir, &size, &err), SP_E_INVALID);
    free((char *)file);

    /* The block device path (BLKGETSIZE64) against the kernel's own figure, where one can be read. */
    for (size_t i = 0; i < sizeof(blockdevs) / sizeof(blockdevs[0]); i++) {
        char dev[64], sys[128], *sectors;
        snprintf(dev, sizeof(dev), "/dev/%s", blockdevs[i]);
        snprintf(sys, sizeof(sys), "/sys/class/block/%s/size", blockdevs[i]);
        if (access(dev, R_OK) != 0 || (sectors = hs_read(sys, NULL)) == NULL)
            continue;
        CU_ASSERT_EQUAL(pfx_device_size(dev, &size, &err), SP_OK);
        CU_ASSERT_EQUAL(size, strtoull(sectors, NULL, 10) * 512);
        free(sectors);
        break;
    }
    env_down(&e);
}

/* --- waiting ----------------------------------------------------------------------------- */

typedef struct later {
    const env *e;
    int delay_ms;
    int what; /* 0: symlink to a fresh 8 GiB device, 1: grow a 0-byte device to 1 GiB, 2: remove */
    char name[128];
    int after_rescans; /* and not before the wait has run drv_cfg --rescan this many times */
} later;

/* The rescans drv_cfg has seen, counted without the shared path buffers (the waiting thread
 * may use them). */
static int rescans(const env *e)
{
    char path[700], *log, *p;
    int n = 0;

    snprintf(path, sizeof(path), "%s/calls", e->home);
    log = hs_read(path, NULL);
    for (p = log; p != NULL && (p = strstr(p, "--rescan")) != NULL; p += strlen("--rescan"))
        n++;
    free(log);
    return n;
}

static void *do_later(void *arg)
{
    later *l = arg;
    struct timespec ts = {l->delay_ms / 1000, (long)(l->delay_ms % 1000) * 1000000L};
    struct timespec poll = {0, 10 * 1000000L};
    char raw[700], link[700];

    nanosleep(&ts, NULL);
    for (int i = 0; i < 6000 && rescans(l->e) < l->after_rescans; i++)
        nanosleep(&poll, NULL);
    snprintf(raw, sizeof(raw), "%s/scinia", l->e->rawdir);
    snprintf(link, sizeof(link), "%s/%s", l->e->devdir, l->name);
    if (l->what == 0) {
        hs_sparse(raw, 8 * GIB);
        if (symlink("../dev/scinia", link) != 0)
            perror("symlink");
    } else if (l->what == 1) {
        if (truncate(raw, (off_t)GIB) != 0)
            perror("truncate");
    } else {
        unlink(link);
    }
    return NULL;
}

/* A wait that only a broken poll reaches the end of: the device changes soon after it starts. */
#define LONG_WAIT_S 60

static pfx_sdc_wait waiting(const env *e, const char *system_id, unsigned wait_s)
{
    pfx_sdc_wait w = {.sdc_home = e->home,
                      .device_dir = e->devdir,
                      .system_id = system_id,
                      .volume_id = VOL,
                      .sdc_id = "1a2b3c4d00000001",
                      .host_name = "kvm-7",
                      .wait_s = wait_s,
                      .poll_ms = 100,
                      .rescan_ms = 250};
    return w;
}

static void test_wait_appears(void)
{
    env e;
    later l;
    pthread_t t;
    pfx_sdc_wait w;
    char path[512];
    uint64_t size = 0;
    sp_error err;
    int64_t t0;

    env_up(&e);
    /* it appears after 600 ms, and after the wait's second rescan however long rescans take */
    l = (later){.e = &e, .delay_ms = 600, .what = 0, .after_rescans = 2};
    snprintf(l.name, sizeof(l.name), "emc-vol-%s-%s", SYS, VOL);
    w = waiting(&e, SYS, LONG_WAIT_S);
    t0 = hs_now_ms();
    CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, do_later, &l), 0);
    CU_ASSERT_EQUAL(pfx_sdc_wait_device(&w, path, sizeof(path), &size, &err), SP_OK);
    CU_ASSERT_TRUE(hs_now_ms() - t0 >= 600);
    CU_ASSERT_TRUE(hs_now_ms() - t0 < LONG_WAIT_S * 1000 / 2); /* noticed while polling, not at the end */
    pthread_join(t, NULL);
    CU_ASSERT_STRING_EQUAL(path, hs_path(e.devdir, l.name));
    CU_ASSERT_EQUAL(size, 8 * GIB);
    /* one rescan at the start and more while waiting */
    CU_ASSERT_TRUE(calls(&e, "--rescan") >= 2);
    CU_ASSERT_EQUAL(calls(&e, "--query_vols"), 0); /* the system id was known */
    env_down(&e);
}

static void test_wait_zero_size(void)
{
    env e;
    later l;
    pthread_t t;
    pfx_sdc_wait w;
    char path[512];
    uint64_t size = 0;
    sp_error err;

    env_up(&e);
    hs_sparse(hs_path(e.rawdir, "scinia"), 0);
    CU_ASSERT_EQUAL(symlink("../dev/scinia", hs_path(e.devdir, "emc-vol-" SYS "-" VOL)), 0);
    w = waiting(&e, SYS, 1);
    CU_ASSERT_EQUAL(pfx_sdc_wait_device(&w, path, sizeof(path), &size, &err), SP_E_TIMEOUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "but its size stayed 0 for 1 s"));

    l = (later){.e = &e, .delay_ms = 300, .what = 1};
    w = waiting(&e, SYS, LONG_WAIT_S);
    CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, do_later, &l), 0);
    CU_ASSERT_EQUAL(pfx_sdc_wait_device(&w, path, sizeof(path), &size, &err), SP_OK);
    pthread_join(t, NULL);
    CU_ASSERT_EQUAL(size, GIB);
    env_down(&e);
}

static void test_wait_timeout(void)
{
    env e;
    pfx_sdc_wait w;
    char path[512], want[700];
    sp_error err;
    int64_t t0;

    env_up(&e);
    w = waiting(&e, SYS, 2);
    t0 = hs_now_ms();
    CU_ASSERT_EQUAL(pfx_sdc_wait_device(&w, path, sizeof(path), NULL, &err), SP_E_TIMEOUT);
    CU_ASSERT_TRUE(hs_now_ms() - t0 >= 2000);
    CU_ASSERT_TRUE(hs_now_ms() - t0 < 30000); /* its own 2 s, not the default 60 s */
    CU_ASSERT_EQUAL(err.status, SP_E_TIMEOUT);
    snprintf(want, sizeof(want),
             "volume %s did not appear on SDC 1a2b3c4d00000001 on host kvm-7 as %s/emc-vol-%s-%s "
             "within 2 s (storage.pool.disk.wait; ",
             VOL, e.devdir, SYS, VOL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, want));
    CU_ASSERT_PTR_NULL(strstr(err.message, "rescan failed"));
    /* rescans every 250 ms: at least one more than the first even if each took over a second */
    CU_ASSERT_TRUE(calls(&e, "--rescan") >= 2);

    /* a failing rescan does not end the wait early, and its reason is in the message */
    hs_write_str(hs_path(e.home, "rescan.fail"), "Failed to rescan: MDM unreachable\n");
    w.host_name = NULL;
    CU_ASSERT_EQUAL(pfx_sdc_wait_device(&w, path, sizeof(path), NULL, &err), SP_E_TIMEOUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "on SDC 1a2b3c4d00000001 as "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message,
                                  "the last rescan failed: drv_cfg --rescan exited with status 1: "
                                  "Failed to rescan: MDM unreachable"));
    env_down(&e);
}

static void test_wait_unknown_system(void)
{
    env e;
    later l;
    pthread_t t;
    pfx_sdc_wait w;
    char path[512];
    sp_error err;

    env_up(&e);
    /* drv_cfg fails: the one emc-vol-*-<volume> entry is taken once it appears */
    l = (later){.e = &e, .delay_ms = 300, .what = 0};
    snprintf(l.name, sizeof(l.name), "emc-vol-0a0b0c0d0e0f0102-%s", VOL);
    w = waiting(&e, NULL, LONG_WAIT_S);
    CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, do_later, &l), 0);
    CU_ASSERT_EQUAL(pfx_sdc_wait_device(&w, path, sizeof(path), NULL, &err), SP_OK);
    pthread_join(t, NULL);
    CU_ASSERT_STRING_EQUAL(path, hs_path(e.devdir, l.name));
    CU_ASSERT_TRUE(calls(&e, "--query_vols") >= 1);

    /* drv_cfg names the system: its device is chosen even where another system has the same id */
    hs_write_str(hs_path(e.home, "query_vols.out"), "Retrieved 1 volume(s)\nVOL-ID " VOL " MDM-ID " SYS "\n");
    hs_sparse(hs_path(e.rawdir, "scinib"), GIB);
    CU_ASSERT_EQUAL(symlink("../dev/scinib", hs_path(e.devdir, "emc-vol-" SYS "-" VOL)), 0);
    CU_ASSERT_EQUAL(pfx_sdc_wait_device(&w, path, sizeof(path), NULL, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(path, hs_path(e.devdir, "emc-vol-" SYS "-" VOL));

    /* without drv_cfg's answer, two candidates are refused at once, not waited on */
    unlink(hs_path(e.home, "query_vols.out"));
    CU_ASSERT_EQUAL(pfx_sdc_wait_device(&w, path, sizeof(path), NULL, &err), SP_E_STATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "the system id is needed"));

    /* drv_cfg naming a hostile system id is a protocol error and no path is built from it */
    hs_write_str(hs_path(e.home, "query_vols.out"),
                 "Retrieved 1 volume(s)\nVOL-ID " VOL " MDM-ID ../../etc\n");
    unlink(hs_path(e.devdir, "emc-vol-" SYS "-" VOL));
    CU_ASSERT_EQUAL(pfx_sdc_wait_device(&w, path, sizeof(path), NULL, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(path, hs_path(e.devdir, l.name));
    env_down(&e);
}

static void test_wait_hostile_ids(void)
{
    env e;
    pfx_sdc_wait w;
    char path[512];
    sp_error err;

    env_up(&e);
    w = waiting(&e, SYS, LONG_WAIT_S);
    w.volume_id = "../../../etc/passwd";
    CU_ASSERT_EQUAL(pfx_sdc_wait_device(&w, path, sizeof(path), NULL, &err), SP_E_INVALID);
    w.volume_id = VOL;
    w.system_id = "218ce179/../..";
    CU_ASSERT_EQUAL(pfx_sdc_wait_device(&w, path, sizeof(path), NULL, &err), SP_E_INVALID);
    w.system_id = SYS;
    w.device_dir = "relative/dir";
    CU_ASSERT_EQUAL(pfx_sdc_wait_device(&w, path, sizeof(path), NULL, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(calls(&e, "--"), 0); /* refused before anything ran */
    env_down(&e);
}

static void test_wait_gone(void)
{
    env e;
    later l;
    pthread_t t;
    pfx_sdc_wait w;
    sp_error err;
    int64_t t0;

    env_up(&e);
    hs_sparse(hs_path(e.rawdir, "scinia"), GIB);
    CU_ASSERT_EQUAL(symlink("../dev/scinia", hs_path(e.devdir, "emc-vol-" SYS "-" VOL)), 0);
    w = waiting(&e, SYS, 1);
    CU_ASSERT_EQUAL(pfx_sdc_wait_device_gone(&w, &err), SP_E_TIMEOUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "is still present on SDC 1a2b3c4d00000001 on host kvm-7"));

    l = (later){.e = &e, .delay_ms = 300, .what = 2};
    snprintf(l.name, sizeof(l.name), "emc-vol-%s-%s", SYS, VOL);
    w = waiting(&e, SYS, LONG_WAIT_S);
    t0 = hs_now_ms();
    CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, do_later, &l), 0);
    CU_ASSERT_EQUAL(pfx_sdc_wait_device_gone(&w, &err), SP_OK);
    CU_ASSERT_TRUE(hs_now_ms() - t0 < LONG_WAIT_S * 1000 / 2); /* noticed while polling, not at the end */
    pthread_join(t, NULL);

    /* gone already, system unknown: done at once */
    w = waiting(&e, NULL, LONG_WAIT_S);
    CU_ASSERT_EQUAL(pfx_sdc_wait_device_gone(&w, &err), SP_OK);
    env_down(&e);
}

int main(void)
{
    static const hs_test tests[] = {
        {"drv_cfg --query_vols: the real format", test_parse_real_format},
        {"drv_cfg --query_vols: malformed output", test_parse_malformed},
        {"drv_cfg calls: rescan, query_vols, query_guid", test_drv_cfg_calls},
        {"drv_cfg --query_mdms format", test_query_mdms_format},
        {"drv_cfg --add_mdm / --remove_mdm", test_add_remove_mdm},
        {"device paths refuse hostile ids", test_device_paths},
        {"unknown system: exactly one emc-vol-*-<id>", test_find_device},
        {"device sizes: files, symlinks, block devices", test_device_size},
        {"wait: a device that appears late", test_wait_appears},
        {"wait: size 0 is not ready", test_wait_zero_size},
        {"wait: timeout names volume, SDC, path, wait", test_wait_timeout},
        {"wait: unknown system id", test_wait_unknown_system},
        {"wait: hostile ids refused", test_wait_hostile_ids},
        {"wait: device gone", test_wait_gone},
        {NULL, NULL},
    };
    return hs_main("sdc", tests);
}
