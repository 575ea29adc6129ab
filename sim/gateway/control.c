/* /sim control endpoints (see control.h and powerflex-sim(1)). */
#include <config.h>
#include "control.h"
#include "datafile.h"
#include "devices.h"
#include "json.h"
#include "loopdev.h"
#include "migrate.h"
#include "run.h"
#include "volops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void volumes(struct sim_control *c, struct sim_resp *rs)
{
    struct sim_model *m = c->model;
    sim_jw *w = sim_jw_new();
    sim_jw_arr(w);
    for (size_t i = 0; i < m->nvols; i++) {
        const struct sim_volume *v = m->vols[i];
        sim_jw_obj(w);
        sim_jw_kstr(w, "id", v->id);
        sim_jw_kstr(w, "name", v->name);
        sim_jw_kint(w, "sizeInKb", (int64_t)v->size_kb);
        sim_jw_kstr(w, "volumeType", sim_vtype_name(v->type));
        sim_jw_kstr(w, "vtreeId", v->vtree->id);
        sim_jw_kstr(w, "storagePoolId", v->vtree->pool->id);
        sim_jw_kstr(w, "ancestorVolumeId", v->ancestor[0] ? v->ancestor : NULL);
        sim_jw_kstr(w, "consistencyGroupId", v->group[0] ? v->group : NULL);
        sim_jw_kstr(w, "path", v->path);
        sim_jw_kbool(w, "readOnly", v->readonly);
        sim_jw_kbool(w, "readOnlyEnforced", v->readonly && v->readonly_enforced);
        sim_jw_key(w, "mappings");
        sim_jw_arr(w);
        for (size_t j = 0; j < v->nmaps; j++) {
            char *dev = sim_dev_path(m, v->maps[j].sdc, v);
            sim_jw_obj(w);
            sim_jw_kstr(w, "sdcId", v->maps[j].sdc->id);
            sim_jw_kstr(w, "sdcIp", v->maps[j].sdc->ip);
            sim_jw_kstr(w, "device", dev);
            sim_jw_kbool(w, "present", v->maps[j].present);
            sim_jw_kint(w, "iopsLimit", v->maps[j].iops);
            sim_jw_kint(w, "bandwidthLimitInKbps", v->maps[j].bw_kbps);
            sim_jw_obj_end(w);
            free(dev);
        }
        sim_jw_arr_end(w);
        sim_jw_obj_end(w);
    }
    sim_jw_arr_end(w);
    sim_resp_json(rs, sim_jw_finish(w));
}

static void sdc_info(struct sim_control *c, struct sim_sdc *s, struct sim_resp *rs, bool with_vols)
{
    struct sim_model *m = c->model;
    sim_jw *w = sim_jw_new();
    sim_jw_obj(w);
    sim_jw_kstr(w, "id", s->id);
    sim_jw_kstr(w, "ip", s->ip);
    sim_jw_kstr(w, "guid", s->guid);
    sim_jw_kstr(w, "systemId", m->system_id);
    sim_jw_kstr(w, "deviceDir", s->devdir);
    sim_jw_kbool(w, "connected", sim_sdc_online(s));
    sim_jw_kbool(w, "joined", !s->detached);
    /* What drv_cfg --query_mdms prints for this system: an installation id of its own and the
     * MDMs' addresses (the System's master and slave MDMs), which drv_cfg --add_mdm --ip is
     * given to join it. */
    {
        char inst[SIM_ID_LEN + 1];
        uint64_t x = strtoull(m->system_id, NULL, 16) ^ UINT64_C(0x5a5aa5a55a5aa5a5);
        snprintf(inst, sizeof(inst), "%016llx", (unsigned long long)x);
        sim_jw_kstr(w, "installationId", inst);
    }
    sim_jw_key(w, "mdmIps");
    sim_jw_arr(w);
    sim_jw_str(w, m->mdm_ips[0]);
    sim_jw_str(w, m->mdm_ips[1]);
    sim_jw_arr_end(w);
    if (with_vols) {
        /* What the SDC knows: mappings whose device entry is there. */
        sim_jw_key(w, "volumes");
        sim_jw_arr(w);
        for (size_t i = 0; i < m->nvols; i++) {
            struct sim_mapping *mp = sim_volume_mapping(m->vols[i], s);
            if (mp && mp->present)
                sim_jw_str(w, m->vols[i]->id);
        }
        sim_jw_arr_end(w);
    }
    sim_jw_obj_end(w);
    sim_resp_json(rs, sim_jw_finish(w));
}

static struct sim_sdc *find_sdc(struct sim_model *m, const char *key, size_t len)
{
    char buf[64];
    if (len >= sizeof(buf))
        return NULL;
    memcpy(buf, key, len);
    buf[len] = '\0';
    struct sim_sdc *s = sim_find_sdc(m, buf);
    return s ? s : sim_find_sdc_by_ip(m, buf);
}

static yajl_val parse_body(const char *body, struct sim_resp *rs)
{
    char err[128];
    yajl_val v = sim_jr_parse(body, err, sizeof(err));
    if (!v)
        sim_resp_err(rs, SIM_E_BAD_REQUEST, "Malformed JSON request body");
    return v;
}

static void bulk_list(sim_jw *w, const char *key, struct sim_volume **v)
{
    sim_jw_key(w, key);
    sim_jw_arr(w);
    for (size_t i = 0; v[i]; i++) {
        sim_jw_obj(w);
        sim_jw_kstr(w, "id", v[i]->id);
        sim_jw_kstr(w, "name", v[i]->name);
        if (v[i]->ancestor[0])
            sim_jw_kstr(w, "ancestorVolumeId", v[i]->ancestor);
        sim_jw_obj_end(w);
    }
    sim_jw_arr_end(w);
}

/* POST /sim/bulk {"pool": name or id, "volumes": N, "snapshots": M, "suffix": S[, "sizeInGb": G]}:
 * sim_volume_bulk; answers {"volumes": [{id, name}], "snapshots": [{id, name, ancestorVolumeId}]}. */
static void bulk(struct sim_control *c, const char *body, struct sim_resp *rs)
{
    struct sim_model *m = c->model;
    struct sim_volume **vols = NULL, **snaps = NULL;
    yajl_val j = parse_body(body, rs), p, n, ns, sfx, gb;
    struct sim_pool *pool = NULL;
    enum sim_err e;
    if (!j)
        return;
    p = sim_jr_get(j, "pool");
    n = sim_jr_get(j, "volumes");
    ns = sim_jr_get(j, "snapshots");
    sfx = sim_jr_get(j, "suffix");
    gb = sim_jr_get(j, "sizeInGb");
    for (size_t i = 0; p && YAJL_IS_STRING(p) && i < m->npools && !pool; i++)
        if (!strcmp(m->pools[i]->name, p->u.string) || !strcasecmp(m->pools[i]->id, p->u.string))
            pool = m->pools[i];
    if (!pool || !n || !YAJL_IS_INTEGER(n) || YAJL_GET_INTEGER(n) < 0 || YAJL_GET_INTEGER(n) > 1000000 ||
        (ns && (!YAJL_IS_INTEGER(ns) || YAJL_GET_INTEGER(ns) < 0 || YAJL_GET_INTEGER(ns) > 10000000)) ||
        !sfx || !YAJL_IS_STRING(sfx) || (gb && (!YAJL_IS_INTEGER(gb) || YAJL_GET_INTEGER(gb) <= 0))) {
        sim_resp_err(rs, SIM_E_BAD_REQUEST,
                     "bulk needs pool (a pool's name or id), volumes (0..1000000), suffix, and takes "
                     "snapshots and sizeInGb");
        goto out;
    }
    e = sim_volume_bulk(m, pool, (size_t)YAJL_GET_INTEGER(n), ns ? (size_t)YAJL_GET_INTEGER(ns) : 0,
                        (uint64_t)(gb ? YAJL_GET_INTEGER(gb) : 8) * 1024 * 1024, sfx->u.string, &vols,
                        &snaps);
    m->dirty = true;
    if (e) {
        sim_resp_err(rs, e, e == SIM_E_BAD_REQUEST ? "snapshots need volumes to be taken of" : NULL);
    } else {
        sim_jw *w = sim_jw_new();
        sim_jw_obj(w);
        bulk_list(w, "volumes", vols);
        bulk_list(w, "snapshots", snaps);
        sim_jw_obj_end(w);
        sim_resp_json(rs, sim_jw_finish(w));
    }
out:
    free(vols);
    free(snaps);
    yajl_tree_free(j);
}

/* The bad-day modes in force (GET /sim/modes and the answer to POST). */
static void modes_json(struct sim_control *c, struct sim_resp *rs)
{
    struct sim_model *m = c->model;
    sim_jw *w = sim_jw_new();
    char buf[32];
    sim_jw_obj(w);
    sim_jw_kint(w, "migrationMs", m->migration_ms);
    sim_jw_kint(w, "migrationSlots", m->migration_slots);
    /* Fractions as strings: the JSON writer has no doubles and these are read back by people. */
    snprintf(buf, sizeof(buf), "%g", m->migration_fail_at);
    sim_jw_kstr(w, "migrationFailAt", buf);
    snprintf(buf, sizeof(buf), "%g", m->migration_fail_p);
    sim_jw_kstr(w, "migrationFailP", buf);
    sim_jw_kint(w, "migrationPauseMs", m->migration_pause_ms);
    sim_jw_kint(w, "removalMs", m->removal_ms);
    snprintf(buf, sizeof(buf), "%g", m->overprovision);
    sim_jw_kstr(w, "overprovision", buf);
    sim_jw_kint(w, "deviceDelayMs", m->device_delay_ms);
    sim_jw_kint(w, "maxSessions", sim_auth_max_sessions(c->auth));
    sim_jw_kbool(w, "loopDevices", m->loop_devices);
    sim_jw_obj_end(w);
    sim_resp_json(rs, sim_jw_finish(w));
}

/* {"held":true|false}: whether V-Tree migrations are held where they are. */
static void migrations_state(struct sim_model *m, struct sim_resp *rs)
{
    sim_jw *w = sim_jw_new();
    sim_jw_obj(w);
    sim_jw_kbool(w, "held", m->migrations_held);
    sim_jw_obj_end(w);
    sim_resp_json(rs, sim_jw_finish(w));
}

/* A number field of a /sim/modes body, as a JSON number or string, within [min, max]. 1 when
 * present and valid, 0 when absent, -1 when invalid. */
static int mode_num(yajl_val j, const char *key, double min, double max, double *out)
{
    yajl_val v = sim_jr_get(j, key);
    char *end;
    if (!v)
        return 0;
    if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
        *out = YAJL_IS_TRUE(v) ? 1 : 0;
    else if (YAJL_IS_NUMBER(v))
        *out = YAJL_GET_DOUBLE(v);
    else if (YAJL_IS_STRING(v)) {
        *out = strtod(v->u.string, &end);
        if (end == v->u.string || *end)
            return -1;
    } else
        return -1;
    return *out >= min && *out <= max ? 1 : -1;
}

/* POST /sim/modes: the run-time switches of the bad-day modes (powerflex-sim(1), MODES). All
 * fields are checked before any is applied. */
static void set_modes(struct sim_control *c, yajl_val j, struct sim_resp *rs)
{
    static const struct {
        const char *key;
        double min, max;
    } keys[] = {{"migrationMs", 0, 86400000},  {"migrationSlots", 0, 1000},      {"migrationFailAt", 0, 1},
                {"migrationFailP", 0, 1},      {"migrationPauseMs", 0, 3600000}, {"removalMs", 0, 3600000},
                {"overprovision", 0.01, 1000}, {"deviceDelayMs", 0, 86400000},   {"maxSessions", 0, 100000},
                {"loopDevices", 0, 1}};
    double v[sizeof(keys) / sizeof(keys[0])];
    int got[sizeof(keys) / sizeof(keys[0])];
    struct sim_model *m = c->model;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        got[i] = mode_num(j, keys[i].key, keys[i].min, keys[i].max, &v[i]);
        if (got[i] < 0) {
            char *msg = sim_fmt("%s must be a number from %g to %g", keys[i].key, keys[i].min, keys[i].max);
            sim_resp_err(rs, SIM_E_BAD_REQUEST, msg);
            free(msg);
            return;
        }
    }
    if (got[9] > 0 && v[9] > 0 && !m->loop_devices) {
        char why[256];
        if (!sim_loop_available(why, sizeof(why))) {
            char *msg = sim_fmt("loop devices are not available here: %s", why);
            sim_resp_err(rs, SIM_E_BAD_REQUEST, msg);
            free(msg);
            return;
        }
    }
    if (got[0] > 0)
        m->migration_ms = (int64_t)v[0];
    if (got[1] > 0)
        m->migration_slots = (int)v[1];
    if (got[2] > 0)
        m->migration_fail_at = v[2];
    if (got[3] > 0)
        m->migration_fail_p = v[3];
    if (got[4] > 0)
        m->migration_pause_ms = (int64_t)v[4];
    if (got[5] > 0)
        m->removal_ms = (int64_t)v[5];
    if (got[6] > 0)
        m->overprovision = v[6];
    if (got[7] > 0)
        m->device_delay_ms = (int64_t)v[7];
    if (got[8] > 0)
        sim_auth_set_max_sessions(c->auth, (int)v[8]);
    if (got[9] > 0)
        m->loop_devices = v[9] > 0; /* for entries made from now on */
    modes_json(c, rs);
}

/* Routes under /sim/bulk, /sim/modes, /sim/sdc[/<id or ip>[/...]], /sim/volumes/<id>/{readonly,corrupt}
 * and /sim/migrations; lock held. */
static void model_routes(struct sim_control *c, const char *method, const char *path, const char *body,
                         struct sim_resp *rs)
{
    struct sim_model *m = c->model;
    bool get = !strcmp(method, "GET"), post = !strcmp(method, "POST");
    if (!strcmp(path, "/sim/volumes") && get) {
        volumes(c, rs);
        return;
    }
    if (!strcmp(path, "/sim/bulk") && post) {
        bulk(c, body, rs);
        return;
    }
    if (!strcmp(path, "/sim/modes")) {
        yajl_val j;
        if (get) {
            modes_json(c, rs);
        } else if (post && (j = parse_body(body, rs))) {
            set_modes(c, j, rs);
            yajl_tree_free(j);
        } else if (!post) {
            sim_resp_err(rs, SIM_E_METHOD, NULL);
        }
        return;
    }
    if (!strcmp(path, "/sim/sdc") && post) {
        /* A host installed after the system started becomes an SDC of it. */
        char b1[64], b2[64], b3[1024], err[512];
        yajl_val j = parse_body(body, rs);
        const char *ip, *guid, *dir;
        struct sim_sdc *sd;
        if (!j)
            return;
        ip = sim_jr_text(j, "ip", b1, sizeof(b1));
        guid = sim_jr_text(j, "guid", b2, sizeof(b2));
        dir = sim_jr_text(j, "deviceDir", b3, sizeof(b3));
        if (!ip || !*ip || strlen(ip) > 45) {
            sim_resp_err(rs, SIM_E_BAD_REQUEST, "an SDC needs \"ip\"");
        } else if (!(sd = sim_model_add_sdc(m, ip, guid, dir, err, sizeof(err)))) {
            sim_resp_err(rs, SIM_E_INTERNAL, err);
        } else {
            sdc_info(c, sd, rs, false);
        }
        yajl_tree_free(j);
        return;
    }
    if (!strcmp(path, "/sim/system") && get) {
        sim_jw *w = sim_jw_new();
        sim_jw_obj(w);
        sim_jw_kstr(w, "id", m->system_id);
        sim_jw_kstr(w, "stateDir", m->state_dir);
        sim_jw_kstr(w, "deviceDir", m->device_dir);
        sim_jw_obj_end(w);
        sim_resp_json(rs, sim_jw_finish(w));
        return;
    }
    if (!strcmp(path, "/sim/migrations") && (get || post)) {
        yajl_val j, held;
        if (post) {
            if (!(j = parse_body(body, rs)))
                return;
            held = sim_jr_get(j, "held");
            if (!held || !(YAJL_IS_TRUE(held) || YAJL_IS_FALSE(held))) {
                yajl_tree_free(j);
                sim_resp_err(rs, SIM_E_BAD_REQUEST, "held must be true or false");
                return;
            }
            sim_migrate_hold(m, YAJL_IS_TRUE(held), sim_now_ms());
            yajl_tree_free(j);
        }
        migrations_state(m, rs);
        return;
    }
    if (!strncmp(path, "/sim/volumes/", 13) && post) {
        const char *id = path + 13, *slash = strchr(id, '/');
        char idbuf[SIM_ID_LEN + 1];
        struct sim_volume *v;
        yajl_val j, ro, off;
        bool corrupt = slash && !strcmp(slash, "/corrupt");
        if (!slash || (strcmp(slash, "/readonly") && !corrupt) || (size_t)(slash - id) > SIM_ID_LEN) {
            sim_resp_err(rs, SIM_E_NO_URL, NULL);
            return;
        }
        memcpy(idbuf, id, (size_t)(slash - id));
        idbuf[slash - id] = '\0';
        if (!(v = sim_find_volume(m, idbuf))) {
            sim_resp_err(rs, SIM_E_VOL_NOT_FOUND, NULL);
            return;
        }
        if (!(j = parse_body(body, rs)))
            return;
        if (corrupt) {
            off = sim_jr_get(j, "offset");
            int rc = off && !YAJL_IS_INTEGER(off)
                         ? -EINVAL
                         : sim_data_corrupt(v->path, off ? (uint64_t)YAJL_GET_INTEGER(off) : 0);
            yajl_tree_free(j);
            if (rc != 0)
                sim_resp_err(rs, SIM_E_BAD_REQUEST, "offset must be a byte offset within the volume's data");
            else
                sim_resp_empty(rs);
            return;
        }
        ro = sim_jr_get(j, "readOnly");
        sim_volume_set_readonly(v, !ro || !YAJL_IS_FALSE(ro));
        m->dirty = true;
        yajl_tree_free(j);
        sim_resp_empty(rs);
        return;
    }
    if (!strncmp(path, "/sim/sdc/", 9)) {
        const char *key = path + 9, *slash = strchr(key, '/');
        size_t len = slash ? (size_t)(slash - key) : strlen(key);
        struct sim_sdc *s = find_sdc(m, key, len);
        if (!s) {
            sim_resp_err(rs, SIM_E_SDC_NOT_FOUND, NULL);
            return;
        }
        if (!slash && get) {
            sdc_info(c, s, rs, false);
        } else if (slash && !strcmp(slash, "/volumes") && get) {
            sdc_info(c, s, rs, true);
        } else if (slash && !strcmp(slash, "/rescan") && post) {
            sim_dev_rescan(m, s);
            sdc_info(c, s, rs, true);
        } else if (slash && !strcmp(slash, "/mdm") && post) {
            yajl_val j = parse_body(body, rs), joined;
            if (!j)
                return;
            joined = sim_jr_get(j, "joined");
            if (!joined || !(YAJL_IS_TRUE(joined) || YAJL_IS_FALSE(joined))) {
                yajl_tree_free(j);
                sim_resp_err(rs, SIM_E_BAD_REQUEST, "joined must be true or false");
                return;
            }
            sim_sdc_set_joined(m, s, YAJL_IS_TRUE(joined));
            yajl_tree_free(j);
            sdc_info(c, s, rs, true);
        } else if (slash && !strcmp(slash, "/state") && post) {
            yajl_val j = parse_body(body, rs), conn;
            if (!j)
                return;
            conn = sim_jr_get(j, "connected");
            s->disconnected = conn && YAJL_IS_FALSE(conn);
            yajl_tree_free(j);
            sdc_info(c, s, rs, false);
        } else {
            sim_resp_err(rs, SIM_E_NO_URL, NULL);
        }
        return;
    }
    sim_resp_err(rs, SIM_E_NO_URL, NULL);
}

void sim_control_handle(struct sim_control *c, const char *method, const char *path, const char *body,
                        struct sim_resp *rs)
{
    bool get = !strcmp(method, "GET"), post = !strcmp(method, "POST");
    if (!strcmp(path, "/sim/stats") && get) {
        sim_resp_json(rs, sim_stats_json(c->stats, sim_auth_logins(c->auth), sim_auth_bearer_calls(c->auth)));
    } else if (!strcmp(path, "/sim/stats/reset") && post) {
        sim_stats_reset(c->stats);
        sim_auth_reset_counter(c->auth);
        sim_resp_empty(rs);
    } else if (!strcmp(path, "/sim/users") && post) {
        char b1[128], b2[256], b3[64];
        yajl_val j = parse_body(body, rs);
        const char *name, *pw, *role;
        if (!j)
            return;
        name = sim_jr_text(j, "name", b1, sizeof(b1));
        pw = sim_jr_text(j, "password", b2, sizeof(b2));
        role = sim_jr_text(j, "role", b3, sizeof(b3));
        if (!name || !*name || !pw || !role || !sim_role_valid(role))
            sim_resp_err(rs, SIM_E_BAD_REQUEST,
                         "a user needs \"name\", \"password\" and a "
                         "\"role\" (Monitor, Configure, FrontEndConfigure, BackEndConfigure, "
                         "Administrator, SuperUser, Security)");
        else {
            sim_auth_set_user(c->auth, name, pw, role);
            sim_resp_empty(rs);
        }
        yajl_tree_free(j);
    } else if (!strcmp(path, "/sim/expire-tokens") && post) {
        sim_auth_expire_all(c->auth);
        sim_resp_empty(rs);
    } else if (!strcmp(path, "/sim/crash")) {
        if (get) {
            sim_resp_json(rs, sim_crash_json(c->crash));
        } else if (!strcmp(method, "DELETE")) {
            sim_crash_disarm(c->crash);
            sim_resp_json(rs, sim_crash_json(c->crash));
        } else if (post) {
            char err[256];
            yajl_val j = parse_body(body, rs);
            if (!j)
                return;
            if (sim_crash_arm(c->crash, j, err, sizeof(err)))
                sim_resp_err(rs, SIM_E_BAD_REQUEST, err);
            else
                sim_resp_json(rs, sim_crash_json(c->crash));
            yajl_tree_free(j);
        } else {
            sim_resp_err(rs, SIM_E_METHOD, NULL);
        }
    } else if (!strcmp(path, "/sim/faults")) {
        if (get) {
            sim_resp_json(rs, sim_faults_json(c->faults));
        } else if (!strcmp(method, "DELETE")) {
            sim_faults_clear(c->faults);
            sim_resp_empty(rs);
        } else if (post) {
            char err[256];
            yajl_val j = parse_body(body, rs);
            if (!j)
                return;
            if (sim_faults_add_json(c->faults, j, err, sizeof(err)))
                sim_resp_err(rs, SIM_E_BAD_REQUEST, err);
            else
                sim_resp_json(rs, sim_faults_json(c->faults));
            yajl_tree_free(j);
        } else {
            sim_resp_err(rs, SIM_E_METHOD, NULL);
        }
    } else {
        sim_model_lock(c->model);
        sim_model_tick(c->model, sim_now_ms());
        model_routes(c, method, path, body, rs);
        sim_model_unlock(c->model);
    }
}
