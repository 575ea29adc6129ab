/* test_clients.c - the SDC joining and leaving a system through the ABI against two simulators
 * whose SDCs start outside the MDMs: prepare_client joins (drv_cfg --add_mdm, the file keeps the
 * line), a grant to an SDC outside is refused, unprepare_client leaves only when no volume of the
 * system is mapped, the connected-SDC limit refuses a new SDC, ConnectedSDCCount, a copy that joins
 * for itself leaves afterwards (on demand), and attach on demand. */
#include "config.h"

#include "adfix.h"
#include "hs_util.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static adfix F;

static const sp_adaptor_ops *ad(void)
{
    return F.sp->adaptor;
}
static const sp_driver_ops *drv(void)
{
    return F.sp->driver;
}

/* Whether the simulator of system i has the SDC of ip joined to its MDMs. */
static int joined(int i, const char *ip)
{
    char path[128], *body = NULL;
    int yes;

    snprintf(path, sizeof(path), "/sim/sdc/%s", ip);
    if (adfix_sim_control(&F, i, "GET", path, NULL, &body) != 200 || body == NULL) {
        free(body);
        return -1;
    }
    yes = strstr(body, "\"joined\":true") != NULL;
    free(body);
    return yes;
}

typedef struct stats {
    char count[32];
} stats;

static void on_stat(void *ctx, const char *key, const char *value)
{
    stats *s = ctx;

    if (strcmp(key, "ConnectedSDCCount") == 0)
        snprintf(s->count, sizeof(s->count), "%s", value);
}

static int connected_count(int i)
{
    stats s = {""};
    sp_error e;

    if (drv()->get_custom_stats(F.pool[i], on_stat, &s, &e) != SP_OK || s.count[0] == '\0')
        return -1;
    return atoi(s.count);
}

static char *drv_cfg_txt(void)
{
    char *path, *text;

    /* the host's SDC home is <dir>/sdc (adfix) */
    if (asprintf(&path, "%s/sdc/cfg/drv_cfg.txt", F.dir) < 0)
        return NULL;
    text = hs_read(path, NULL);
    free(path);
    return text != NULL ? text : strdup("");
}

static void test_prepare_grant_unprepare(void)
{
    sp_volume_info v = SP_INIT(sp_volume_info);
    sp_disk_info d = SP_INIT(sp_disk_info);
    char id[SP_ID_MAX] = "", *text;
    sp_error e;

    CU_ASSERT_EQUAL(joined(0, "127.0.0.1"), 0);
    CU_ASSERT_EQUAL(connected_count(0), 0);
    CU_ASSERT_EQUAL(drv()->check_host_access(F.pool[0], &F.host, &e), SP_OK); /* may connect */
    if (adfix_create(&F, 0, SP_VOLUME_DATA, 301, ADFIX_GIB, &v) != 0)
        return;
    /* an SDC outside the system would never see the volume: the grant says so */
    CU_ASSERT_EQUAL(drv()->grant_access(F.pool[0], &(sp_volume_ref){v.path}, &F.host, NULL, 0, &e),
                    SP_E_STATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "not connected"));

    CU_ASSERT_EQUAL_FATAL(ad()->prepare_client(F.pool[0], &F.host, id, &e), SP_OK);
    CU_ASSERT_EQUAL(strlen(id), 16);
    CU_ASSERT_EQUAL(joined(0, "127.0.0.1"), 1);
    CU_ASSERT_EQUAL(joined(1, "127.0.0.1"), 0); /* the other system is untouched */
    CU_ASSERT_EQUAL(connected_count(0), 1);
    CU_ASSERT_EQUAL(connected_count(1), 0);
    text = drv_cfg_txt();
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "mdm "));
    free(text);
    /* again: nothing more to do, one line in the file */
    CU_ASSERT_EQUAL(ad()->prepare_client(F.pool[0], &F.host, NULL, &e), SP_OK);
    text = drv_cfg_txt();
    CU_ASSERT_PTR_NULL(strstr(strstr(text, "mdm ") + 1, "mdm "));
    free(text);

    CU_ASSERT_EQUAL(adfix_grant(&F, 0, v.path, &F.host), 0);
    CU_ASSERT_EQUAL(ad()->connect_volume(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &d, &e), SP_OK);
    /* a mapped volume keeps the SDC in */
    CU_ASSERT_EQUAL(ad()->unprepare_client(F.pool[0], &F.host, &e), SP_E_BUSY);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "stays connected"));
    CU_ASSERT_EQUAL(joined(0, "127.0.0.1"), 1);
    CU_ASSERT_EQUAL(adfix_revoke(&F, 0, v.path, &F.host), 0);
    CU_ASSERT_EQUAL(ad()->disconnect_volume(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &e), SP_OK);
    CU_ASSERT_EQUAL(ad()->unprepare_client(F.pool[0], &F.host, &e), SP_OK);
    CU_ASSERT_EQUAL(joined(0, "127.0.0.1"), 0);
    CU_ASSERT_EQUAL(connected_count(0), 0);
    text = drv_cfg_txt();
    CU_ASSERT_PTR_NULL(strstr(text, "mdm "));
    free(text);
    /* not joined: nothing to do */
    CU_ASSERT_EQUAL(ad()->unprepare_client(F.pool[0], &F.host, &e), SP_OK);
    adfix_delete(&F, 0, v.path);
}

static void test_limit(void)
{
    char *body = NULL;
    sp_error e;

    /* another SDC of system 1 is connected: with a limit of 1 this host's cannot join */
    CU_ASSERT_EQUAL(adfix_sim_control(&F, 1, "POST", "/sim/sdc/10.0.0.9/mdm", "{\"joined\":true}", &body),
                    200);
    free(body);
    CU_ASSERT_EQUAL(connected_count(1), 1);
    adfix_pool_setting(&F, 1, "storage.pool.connected.clients.limit", "1");
    CU_ASSERT_EQUAL(drv()->check_host_access(F.pool[1], &F.host, &e), SP_E_NO_SPACE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "storage.pool.connected.clients.limit"));
    CU_ASSERT_EQUAL(ad()->prepare_client(F.pool[1], &F.host, NULL, &e), SP_E_NO_SPACE);
    CU_ASSERT_EQUAL(joined(1, "127.0.0.1"), 0);
    /* <= 0 is no limit */
    adfix_pool_setting(&F, 1, "storage.pool.connected.clients.limit", "0");
    CU_ASSERT_EQUAL(drv()->check_host_access(F.pool[1], &F.host, &e), SP_OK);
    CU_ASSERT_EQUAL(ad()->prepare_client(F.pool[1], &F.host, NULL, &e), SP_OK);
    CU_ASSERT_EQUAL(connected_count(1), 2);
    /* a connected SDC is always within the limit */
    adfix_pool_setting(&F, 1, "storage.pool.connected.clients.limit", "1");
    CU_ASSERT_EQUAL(drv()->check_host_access(F.pool[1], &F.host, &e), SP_OK);
    CU_ASSERT_EQUAL(ad()->unprepare_client(F.pool[1], &F.host, &e), SP_OK);
    adfix_pool_setting(&F, 1, "storage.pool.connected.clients.limit", "-1");
    body = NULL;
    adfix_sim_control(&F, 1, "POST", "/sim/sdc/10.0.0.9/mdm", "{\"joined\":false}", &body);
    free(body);
}

/* A copy onto a volume of a system the host is not in joins it for the copy and leaves after. */
static void test_copy_joins_for_itself(void)
{
    char work[1024], raw[1100];
    const char *create[] = {hs_qemu_img(), "create", "-q", "-f", "raw", raw, "16M", NULL};
    sp_image_source src = {SP_SIZED(sp_image_source), .format = SP_FORMAT_RAW, .path = raw};
    sp_volume_info v = SP_INIT(sp_volume_info), v2 = SP_INIT(sp_volume_info);
    sp_error e;
    char *out;

    snprintf(work, sizeof(work), "%s", F.dir);
    snprintf(raw, sizeof(raw), "%s/img.raw", work);
    out = hs_run(create);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    free(out);
    CU_ASSERT_EQUAL(adfix_write_pattern(raw, 0, 65536, 5), 0);
    if (adfix_create(&F, 0, SP_VOLUME_TEMPLATE, 302, 16 << 20, &v) != 0)
        return;
    CU_ASSERT_EQUAL(joined(0, "127.0.0.1"), 0);
    CU_ASSERT_EQUAL(ad()->copy_image_to_volume(F.pool[0], &src, &(sp_volume_ref){v.path}, &F.host, NULL, &e),
                    SP_OK);
    CU_ASSERT_EQUAL(joined(0, "127.0.0.1"), 0);
    /* not on demand: joined for the copy, and it stays */
    if (adfix_create(&F, 0, SP_VOLUME_TEMPLATE, 303, 16 << 20, &v2) != 0)
        return;
    adfix_pool_setting(&F, 0, "powerflex.connect.on.demand", "false");
    CU_ASSERT_EQUAL(ad()->copy_image_to_volume(F.pool[0], &src, &(sp_volume_ref){v2.path}, &F.host, NULL, &e),
                    SP_OK);
    CU_ASSERT_EQUAL(joined(0, "127.0.0.1"), 1);
    adfix_pool_setting(&F, 0, "powerflex.connect.on.demand", "true");
    CU_ASSERT_EQUAL(ad()->unprepare_client(F.pool[0], &F.host, &e), SP_OK);
    CU_ASSERT_EQUAL(joined(0, "127.0.0.1"), 0);
    adfix_delete(&F, 0, v.path);
    adfix_delete(&F, 0, v2.path);
}

static void test_attach_on_demand(void)
{
    sp_host_attach_result r;
    sp_error e;

    CU_ASSERT_EQUAL(joined(0, "127.0.0.1"), 0);
    CU_ASSERT_EQUAL(F.sp->lifecycle->attach(F.pool[0], SP_POOL_SCOPE_ZONE, &F.host, 1, &r, &e), SP_OK);
    CU_ASSERT_EQUAL(r.status, SP_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "connects when a volume needs it"));
    adfix_pool_setting(&F, 0, "powerflex.connect.on.demand", "false");
    CU_ASSERT_EQUAL(F.sp->lifecycle->attach(F.pool[0], SP_POOL_SCOPE_ZONE, &F.host, 1, &r, &e),
                    SP_E_NOT_FOUND);
    CU_ASSERT_EQUAL(r.status, SP_E_STATE);
    CU_ASSERT_EQUAL(drv()->check_host_access(F.pool[0], &F.host, &e), SP_E_STATE);
    adfix_pool_setting(&F, 0, "powerflex.connect.on.demand", "true");
}

int main(void)
{
    static const hs_test tests[] = {
        {"prepare joins, a grant outside is refused, unprepare only when nothing is mapped",
         test_prepare_grant_unprepare},
        {"the connected SDC limit", test_limit},
        {"a copy joins for itself and leaves after (on demand)", test_copy_joins_for_itself},
        {"attach on demand and not", test_attach_on_demand},
        {NULL, NULL}};
    static const char *const detached0[] = {"--sdcs-detached", NULL};
    static const char *const detached1[] = {"--sdcs-detached", "--sdc", "10.0.0.9", NULL};
    int rc;

    adfix_start(&F, detached0, detached1);
    rc = hs_main("adaptor clients", tests);
    adfix_stop(&F);
    return rc;
}
