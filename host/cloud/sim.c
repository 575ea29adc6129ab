/* sim.c - the "sim" scenario helper: start, stop, list simulated PowerFlex systems, and reach
 * their control endpoints (faults, read-only volumes, SDC state, statistics, mappings). */
#include "config.h"

#include "api.h"
#include "cfg.h"
#include "sim.h"

#include "fsutil.h"
#include "http.h"
#include "jpath.h"
#include "poolh.h"
#include "secret.h"
#include "simproc.h"
#include "store.h"

#include <signal.h>
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_tree.h>

static int sim_start(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *name = host_param(cmd, "name", 1, e);
    const char *opt_keys[] = {
        "latency",        "migration", "devicedelay",    "overprovision",   "spare",
        "seed",           "tokenttl",  "migrationslots", "migrationfailat", "migrationfailp",
        "migrationpause", "removal",   "role",           "maxsessions",     "api"};
    const char *opt_flags[] = {"--latency-ms",
                               "--migration-ms",
                               "--device-delay-ms",
                               "--overprovision",
                               "--spare-percent",
                               "--seed",
                               "--token-ttl",
                               "--migration-slots",
                               "--migration-fail-at",
                               "--migration-fail-p",
                               "--migration-pause-ms",
                               "--removal-ms",
                               "--role",
                               "--max-sessions",
                               "--api"};
    char *extra[64];
    size_t n_extra = 0;
    const char *faults = host_param(cmd, "faults", 0, e);
    char *fcopy = NULL, *save = NULL;
    host_sim_spec spec;
    host_simproc *p;
    int rc;

    if (name == NULL)
        return -1;
    if (!host_vars_valid_name(name) || strchr(name, '.') != NULL)
        return host_fail(e, HOST_E_PARAM, "sim start: name %s must be letters, digits and _", name);
    memset(&spec, 0, sizeof(spec));
    spec.name = name;
    spec.pools = host_param(cmd, "pools", 0, e);
    if (spec.pools == NULL)
        spec.pools = "cspool:1024";
    spec.system = host_param(cmd, "system", 0, e);
    spec.user = host_param(cmd, "user", 0, e);
    spec.password = host_param(cmd, "password", 0, e);
    /* The seed's example URL: powerflex://admin:P%40ssword123@<gateway>/cspool */
    if (spec.user == NULL)
        spec.user = "admin";
    if (spec.password == NULL)
        spec.password = "P@ssword123";
    for (size_t i = 0; i < sizeof(opt_keys) / sizeof(opt_keys[0]); i++) {
        const char *v = host_param(cmd, opt_keys[i], 0, e);
        if (v != NULL && n_extra + 2 < sizeof(extra) / sizeof(extra[0])) {
            extra[n_extra++] = (char *)opt_flags[i];
            extra[n_extra++] = (char *)v;
        }
    }
    {
        int loop = 0;
        if (host_param_bool(cmd, "loopdevices", 0, &loop, e) != 0)
            return -1;
        if (loop && n_extra + 1 < sizeof(extra) / sizeof(extra[0]))
            extra[n_extra++] = "--loop-devices";
    }
    /* faults="SPEC;SPEC": each becomes --fault SPEC (powerflex-sim(1), FAULTS). */
    if (faults != NULL) {
        if ((fcopy = strdup(faults)) == NULL)
            return host_fail(e, HOST_E_INTERNAL, "out of memory");
        for (char *f = strtok_r(fcopy, ";", &save);
             f != NULL && n_extra + 2 < sizeof(extra) / sizeof(extra[0]); f = strtok_r(NULL, ";", &save)) {
            extra[n_extra++] = "--fault";
            extra[n_extra++] = f;
        }
    }
    spec.extra = extra;
    spec.n_extra = n_extra;
    rc = host_sim_spawn(cs, &spec, &p, e);
    free(fcopy);
    if (rc != 0)
        return -1;
    host_jsonw_object_begin(w, "sim");
    host_jsonw_string(w, "name", p->name);
    host_jsonw_string(w, "gateway", p->gateway);
    host_jsonw_string(w, "cafile", p->cafile);
    host_jsonw_string(w, "user", p->user);
    host_jsonw_int(w, "pid", p->pid);
    host_jsonw_object_end(w);
    return 0;
}

static int sim_list(host_cs *cs, host_jsonw *w)
{
    size_t n = 0;
    for (host_simproc *p = cs->sims; p != NULL; p = p->next)
        n++;
    if (n == 0)
        return 0;
    host_jsonw_uint(w, "count", n);
    host_jsonw_array_begin(w, "sim");
    for (host_simproc *p = cs->sims; p != NULL; p = p->next) {
        host_jsonw_object_begin(w, NULL);
        host_jsonw_string(w, "name", p->name);
        host_jsonw_string(w, "gateway", p->gateway);
        host_jsonw_int(w, "pid", p->pid);
        host_jsonw_bool(w, "startedhere", p->child);
        host_jsonw_object_end(w);
    }
    host_jsonw_array_end(w);
    return 0;
}

/* Calls a control endpoint and puts its JSON answer under `key` in the response. */
static int control(host_simproc *p, const char *method, const char *path, const char *body, host_jsonw *w,
                   const char *key, host_err *e)
{
    host_buf out = HOST_BUF_INIT;
    char url[512], err[512], perr[128];
    long status = 0;
    yajl_val v;

    snprintf(url, sizeof(url), "%s%s", p->control, path);
    if (host_http(method, url, p->cafile, body, &out, &status, err, sizeof(err)) != 0) {
        host_buf_free(&out);
        return host_fail(e, HOST_E_UNAVAILABLE, "simulator %s: %s", p->name, err);
    }
    if (status < 200 || status >= 300) {
        host_fail(e, HOST_E_PARAM, "simulator %s: %s %s answered %ld: %.300s", p->name, method, path, status,
                  host_buf_str(&out));
        host_buf_free(&out);
        return -1;
    }
    v = out.len > 0 ? yajl_tree_parse(host_buf_str(&out), perr, sizeof(perr)) : NULL;
    if (key != NULL)
        host_jsonw_raw(w, key, v != NULL ? host_buf_str(&out) : "{}");
    yajl_tree_free(v);
    host_buf_free(&out);
    return 0;
}

/* The array id of a harness volume (by its uuid), from the plugin. */
static int array_id(host_cs *cs, const char *uuid, char *out, size_t len, host_err *e)
{
    char err[256], path[SP_PATH_MAX];
    int64_t pool_id = 0;
    sp_pool *pool;
    sp_volume_info info = SP_INIT(sp_volume_info);
    sp_error se;
    sp_status s;

    if (host_sql_int(cs->db, &pool_id, err, sizeof(err), "SELECT pool_id FROM volume WHERE uuid = ?", "t",
                     uuid) <= 0 ||
        pool_id == 0 ||
        host_sql_text(cs->db, path, sizeof(path), err, sizeof(err), "SELECT path FROM volume WHERE uuid = ?",
                      "t", uuid) <= 0)
        return host_fail(e, HOST_E_PARAM, "volume %s is not on a storage pool", uuid);
    if (host_pool_open(cs, pool_id, &pool, e) != 0)
        return -1;
    memset(&se, 0, sizeof(se));
    info = (sp_volume_info)SP_INIT(sp_volume_info);
    s = cs->sp->driver->get_volume(pool, &(sp_volume_ref){path}, &info, &se);
    if (s != SP_OK)
        return host_fail_sp(e, s, &se, "volume %s", uuid);
    snprintf(out, len, "%s", info.id);
    return 0;
}

static int sim_volume(host_cs *cs, host_simproc *p, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *vol = host_param(cmd, "volumeid", 1, e);
    host_buf out = HOST_BUF_INIT;
    char id[SP_ID_MAX], url[512], err[512], perr[128];
    long status = 0;
    yajl_val root = NULL;
    int rc = -1;

    if (vol == NULL || array_id(cs, vol, id, sizeof(id), e) != 0)
        return -1;
    snprintf(url, sizeof(url), "%s/sim/volumes", p->control);
    if (host_http("GET", url, p->cafile, NULL, &out, &status, err, sizeof(err)) != 0 || status != 200) {
        host_fail(e, HOST_E_UNAVAILABLE, "simulator %s: %s", p->name,
                  status ? "GET /sim/volumes failed" : err);
        goto out;
    }
    root = yajl_tree_parse(host_buf_str(&out), perr, sizeof(perr));
    for (size_t i = 0; YAJL_IS_ARRAY(root) && i < root->u.array.len; i++) {
        yajl_val v = root->u.array.values[i];
        const char *k[] = {"id", NULL};
        yajl_val vid = yajl_tree_get(v, k, yajl_t_string);
        if (vid != NULL && strcasecmp(vid->u.string, id) == 0) {
            host_buf one = HOST_BUF_INIT;
            host_jpath_text(v, &one);
            host_jsonw_raw(w, "simvolume", host_buf_str(&one));
            host_buf_free(&one);
            rc = 0;
            goto out;
        }
    }
    host_fail(e, HOST_E_PARAM, "simulator %s has no volume %s (volume %s)", p->name, id, vol);
out:
    yajl_tree_free(root);
    host_buf_free(&out);
    return rc;
}

/* Records what /sim/bulk made as harness volumes and snapshots of pool (rows as a create would
 * leave them: volumes Ready and unattached, snapshots BackedUp), in one transaction. */
static int bulk_record(host_cs *cs, int64_t pool, int64_t zone, yajl_val answer, host_err *e)
{
    static const char *vk[] = {"volumes", NULL}, *sk[] = {"snapshots", NULL};
    yajl_val vols = yajl_tree_get(answer, vk, yajl_t_array), snaps = yajl_tree_get(answer, sk, yajl_t_array);
    sqlite3_stmt *vst = NULL, *sst = NULL;
    int64_t *rows = NULL, now = host_now(), size = INT64_C(8) << 30;
    char err[256], uuid[37], path[SP_PATH_MAX];
    int rc = -1;

    if (vols == NULL || snaps == NULL)
        return host_fail(e, HOST_E_INTERNAL,
                         "sim bulk: the simulator's answer lists no volumes and snapshots");
    if ((rows = calloc(vols->u.array.len + 1, sizeof(*rows))) == NULL)
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    if (host_sql_run(cs->db, err, sizeof(err), "BEGIN", "") < 0 ||
        (vst = host_sql_prepare(
             cs->db, err, sizeof(err),
             "INSERT INTO volume(uuid, name, type, pool_id, path, size, provisioning, zone_id, "
             "state, created) VALUES (?, ?, 'DATA', ?, ?, ?, 'thin', ?, 'Ready', ?)",
             "")) == NULL ||
        (sst = host_sql_prepare(
             cs->db, err, sizeof(err),
             "INSERT INTO snapshot(uuid, name, volume_id, pool_id, path, size, state, created) "
             "VALUES (?, ?, ?, ?, ?, ?, 'BackedUp', ?)",
             "")) == NULL) {
        host_fail_db(e, err);
        goto out;
    }
    for (size_t i = 0; i < vols->u.array.len + snaps->u.array.len; i++) {
        int is_vol = i < vols->u.array.len;
        yajl_val o = is_vol ? vols->u.array.values[i] : snaps->u.array.values[i - vols->u.array.len];
        static const char *idk[] = {"id", NULL}, *nk[] = {"name", NULL};
        yajl_val id = yajl_tree_get(o, idk, yajl_t_string), name = yajl_tree_get(o, nk, yajl_t_string);
        sqlite3_stmt *st = is_vol ? vst : sst;
        int k = 1;
        if (id == NULL || name == NULL || host_uuid(uuid) != 0 || (!is_vol && vols->u.array.len == 0)) {
            host_fail(e, HOST_E_INTERNAL, "sim bulk: an object without id or name in the simulator's answer");
            goto out;
        }
        snprintf(path, sizeof(path), "%s:%s", id->u.string, name->u.string);
        sqlite3_reset(st);
        sqlite3_bind_text(st, k++, uuid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, k++, name->u.string, -1, SQLITE_TRANSIENT);
        if (!is_vol) /* snapshot i was taken of volume i mod n (sim_volume_bulk) */
            sqlite3_bind_int64(st, k++, rows[(i - vols->u.array.len) % vols->u.array.len]);
        sqlite3_bind_int64(st, k++, pool);
        sqlite3_bind_text(st, k++, path, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, k++, size);
        if (is_vol)
            sqlite3_bind_int64(st, k++, zone);
        sqlite3_bind_int64(st, k++, now);
        if (sqlite3_step(st) != SQLITE_DONE) {
            host_fail_db(e, sqlite3_errmsg(cs->db));
            goto out;
        }
        if (is_vol)
            rows[i] = sqlite3_last_insert_rowid(cs->db);
    }
    if (host_sql_run(cs->db, err, sizeof(err), "COMMIT", "") < 0) {
        host_fail_db(e, err);
        goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        host_sql_run(cs->db, err, sizeof(err), "ROLLBACK", "");
    sqlite3_finalize(vst);
    sqlite3_finalize(sst);
    free(rows);
    return rc;
}

/* sim bulk name=N poolid=P volumes=V [snapshots=S]: V volumes and S snapshots made at once on the
 * harness pool P's array pool (POST /sim/bulk, named as the plugin names them, so that they are
 * this installation's), and recorded in the harness as if created one by one: a scale test's
 * installation in seconds instead of hours. */
static int sim_bulk(host_cs *cs, host_simproc *p, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256], arrpool[256], ident[64], uuid[40], url[512], body[512], perr[128];
    int64_t pool, zone = 0, nv = 0, ns = 0;
    host_buf out = HOST_BUF_INIT;
    long status = 0;
    yajl_val answer = NULL;
    int rc = -1;

    if (host_param_ref(cs, cmd, "poolid", "pool", 1, &pool, e) != 0 ||
        host_param_num(cmd, "volumes", 0, 0, 1000000, &nv, e) != 0 ||
        host_param_num(cmd, "snapshots", 0, 0, 10000000, &ns, e) != 0)
        return -1;
    if (host_sql_int(cs->db, &zone, err, sizeof(err), "SELECT zone_id FROM pool WHERE id = ?", "i", pool) <
            0 ||
        host_sql_text(cs->db, uuid, sizeof(uuid), err, sizeof(err), "SELECT uuid FROM pool WHERE id = ?", "i",
                      pool) <= 0 ||
        host_sql_text(
            cs->db, arrpool, sizeof(arrpool), err, sizeof(err),
            "SELECT value FROM pool_detail WHERE pool_id = ? AND key = 'powerflex.storagepool.name'", "i",
            pool) <= 0)
        return host_fail(e, HOST_E_PARAM, "sim bulk: pool %lld has no array pool recorded (%s)",
                         (long long)pool, err);
    if (host_config_get(cs, HOST_CFG_CS_IDENTIFIER, SP_SCOPE_GLOBAL, NULL, ident, sizeof(ident)) != 0 ||
        ident[0] == '\0')
        return host_fail(e, HOST_E_PARAM, "sim bulk: no %s is set", HOST_CFG_CS_IDENTIFIER);
    /* "<pool key>-<identifier>": the pool key is characters 5 to 8 of the pool's uuid. */
    snprintf(body, sizeof(body),
             "{\"pool\":\"%s\",\"volumes\":%lld,\"snapshots\":%lld,\"suffix\":\"%.4s-%s\"}", arrpool,
             (long long)nv, (long long)ns, uuid + 4, ident);
    snprintf(url, sizeof(url), "%s/sim/bulk", p->control);
    if (host_http("POST", url, p->cafile, body, &out, &status, err, sizeof(err)) != 0) {
        host_fail(e, HOST_E_UNAVAILABLE, "simulator %s: %s", p->name, err);
        goto out;
    }
    if (status != 200 || (answer = yajl_tree_parse(host_buf_str(&out), perr, sizeof(perr))) == NULL) {
        host_fail(e, HOST_E_PARAM, "simulator %s: POST /sim/bulk answered %ld: %.300s", p->name, status,
                  host_buf_str(&out));
        goto out;
    }
    if (bulk_record(cs, pool, zone, answer, e) != 0)
        goto out;
    host_jsonw_object_begin(w, "simbulk");
    host_jsonw_uint(w, "volumes", (uint64_t)nv);
    host_jsonw_uint(w, "snapshots", (uint64_t)ns);
    host_jsonw_object_end(w);
    rc = 0;
out:
    yajl_tree_free(answer);
    host_buf_free(&out);
    return rc;
}

/* "sim modes name=N [key=value]...": the bad-day switches at run time (POST /sim/modes); without
 * any, the current ones (GET). */
static int sim_modes(host_simproc *p, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    static const char *const keys[] = {
        "migration", "migrationslots", "migrationfailat", "migrationfailp", "migrationpause",
        "removal",   "overprovision",  "devicedelay",     "maxsessions",    "loopdevices"};
    static const char *const fields[] = {
        "migrationMs", "migrationSlots", "migrationFailAt", "migrationFailP", "migrationPauseMs",
        "removalMs",   "overprovision",  "deviceDelayMs",   "maxSessions",    "loopDevices"};
    host_buf b = HOST_BUF_INIT;
    int n = 0, rc;

    host_buf_addc(&b, '{');
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = host_param(cmd, keys[i], 0, e);
        if (v == NULL)
            continue;
        /* Numbers only: the simulator checks the ranges. */
        if (v[0] == '\0' || strspn(v, "0123456789.") != strlen(v)) {
            host_buf_free(&b);
            return host_fail(e, HOST_E_PARAM, "sim modes: %s takes a number, not '%s'", keys[i], v);
        }
        host_buf_printf(&b, "%s\"%s\":%s", n++ ? "," : "", fields[i], v);
    }
    host_buf_addc(&b, '}');
    rc = n ? control(p, "POST", "/sim/modes", host_buf_str(&b), w, "simmodes", e)
           : control(p, "GET", "/sim/modes", NULL, w, "simmodes", e);
    host_buf_free(&b);
    return rc;
}

int host_sims_crashpoint(host_cs *cs, const char *name, int64_t at, const char *when, int clear,
                         int64_t *count, host_err *e)
{
    char counter[4096], body[4400], text[32] = "";
    int n = 0;
    FILE *f;

    snprintf(counter, sizeof(counter), "%s/crash.count", cs->workdir);
    if (!clear && host_write_file(counter, "0\n", 2, 0600) != 0)
        return host_fail(e, HOST_E_INTERNAL, "cannot write %s", counter);
    snprintf(body, sizeof(body), "{\"pid\":%ld,\"at\":%lld,\"when\":\"%s\",\"counter\":\"%s\"}",
             (long)getpid(), (long long)at, when != NULL ? when : "applied", counter);
    for (host_simproc *p = cs->sims; p != NULL; p = p->next) {
        if (name != NULL && strcmp(p->name, name) != 0)
            continue;
        if (control(p, clear ? "DELETE" : "POST", "/sim/crash", clear ? NULL : body, NULL, NULL, e) != 0)
            return -1;
        n++;
    }
    if (n == 0)
        return host_fail(e, HOST_E_PARAM, "no simulator %s%sis running", name != NULL ? name : "",
                         name != NULL ? " " : "");
    if ((f = fopen(counter, "re")) != NULL) {
        if (fgets(text, sizeof(text), f) == NULL)
            text[0] = '\0';
        fclose(f);
    }
    if (count != NULL)
        *count = strtoll(text, NULL, 10);
    return n;
}

/* "sim crashpoint at=K [when=applied|before|after] [name=N]" and "sim crashpoint clear=true". */
static int sim_crashpoint(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *name = host_param(cmd, "name", 0, e), *when = host_param(cmd, "when", 0, e);
    int64_t at = 0, count = 0;
    int clear = 0, n;

    if (host_param_bool(cmd, "clear", 0, &clear, e) != 0 ||
        host_param_num(cmd, "at", 0, 0, INT64_MAX, &at, e) != 0)
        return -1;
    if (!clear && (at < 0 || host_cmd_get(cmd, "at") == NULL))
        return host_fail(e, HOST_E_PARAM,
                         "sim crashpoint: at=K (0: count only) [when=applied|before|after] or clear=true");
    if (when != NULL && strcmp(when, "applied") != 0 && strcmp(when, "before") != 0 &&
        strcmp(when, "after") != 0)
        return host_fail(e, HOST_E_PARAM, "sim crashpoint: when is applied, before or after");
    if ((n = host_sims_crashpoint(cs, name, at, when, clear, &count, e)) < 0)
        return -1;
    host_jsonw_object_begin(w, "crashpoint");
    host_jsonw_int(w, "count", count);
    host_jsonw_int(w, "simulators", n);
    host_jsonw_bool(w, "armed", !clear);
    host_jsonw_object_end(w);
    return 0;
}

int host_sim_command(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *sub = cmd->n_words > 1 ? cmd->words[1] : "";
    const char *name;
    host_simproc *p;
    char path[512], body[1024];

    if (strcasecmp(sub, "start") == 0)
        return sim_start(cs, cmd, w, e);
    if (strcasecmp(sub, "list") == 0)
        return sim_list(cs, w);
    if (strcasecmp(sub, "crashpoint") == 0)
        return sim_crashpoint(cs, cmd, w, e);
    if (*sub == '\0')
        goto usage;
    if ((name = host_param(cmd, "name", 1, e)) == NULL)
        return -1;
    if ((p = host_sim_find(cs, name)) == NULL)
        return host_fail(e, HOST_E_PARAM, "no simulator named %s is running", name);
    if (strcasecmp(sub, "stop") == 0) {
        if (host_sim_stop(cs, name, e) != 0)
            return -1;
        host_jsonw_bool(w, "success", 1);
        return 0;
    }
    if (strcasecmp(sub, "fault") == 0) {
        const char *spec = host_param(cmd, "spec", 0, e);
        host_buf b = HOST_BUF_INIT;
        int rc;
        if (spec == NULL) {
            int clear = 0;
            if (host_param_bool(cmd, "clear", 0, &clear, e) != 0 || !clear)
                return host_fail(e, HOST_E_PARAM, "sim fault: spec=SPEC or clear=true");
            return control(p, "DELETE", "/sim/faults", NULL, w, "simfaults", e);
        }
        host_buf_adds(&b, "{\"spec\":\"");
        for (const char *c = spec; *c; c++) {
            if (*c == '"' || *c == '\\')
                host_buf_addc(&b, '\\');
            host_buf_addc(&b, *c);
        }
        host_buf_adds(&b, "\"}");
        rc = control(p, "POST", "/sim/faults", host_buf_str(&b), w, "simfaults", e);
        host_buf_free(&b);
        return rc;
    }
    if (strcasecmp(sub, "restart") == 0) {
        const char *sig = host_param(cmd, "signal", 0, e);
        if (sig != NULL && strcasecmp(sig, "KILL") != 0 && strcasecmp(sig, "TERM") != 0)
            return host_fail(e, HOST_E_PARAM, "sim restart: signal is KILL (a crash, the default) or TERM");
        if (host_sim_restart(cs, name, sig != NULL && strcasecmp(sig, "TERM") == 0 ? SIGTERM : SIGKILL, e) !=
            0)
            return -1;
        host_jsonw_object_begin(w, "sim");
        host_jsonw_string(w, "name", p->name);
        host_jsonw_string(w, "gateway", p->gateway);
        host_jsonw_int(w, "pid", p->pid);
        host_jsonw_object_end(w);
        return 0;
    }
    if (strcasecmp(sub, "faults") == 0)
        return control(p, "GET", "/sim/faults", NULL, w, "simfaults", e);
    if (strcasecmp(sub, "modes") == 0)
        return sim_modes(p, cmd, w, e);
    if (strcasecmp(sub, "role") == 0) {
        /* The role of the simulator's own user (the pools' user): new sessions get it. */
        const char *role = host_param(cmd, "role", 1, e);
        host_buf b = HOST_BUF_INIT;
        int rc;
        if (role == NULL)
            return -1;
        if (strspn(role, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != strlen(role))
            return host_fail(e, HOST_E_PARAM, "sim role: '%s' is not a role", role);
        host_buf_adds(&b, "{\"name\":\"");
        host_buf_adds(&b, p->user);
        host_buf_adds(&b, "\",\"password\":\"");
        for (const char *c = p->password; *c; c++) {
            if (*c == '"' || *c == '\\')
                host_buf_addc(&b, '\\');
            host_buf_addc(&b, *c);
        }
        host_buf_printf(&b, "\",\"role\":\"%s\"}", role);
        rc = control(p, "POST", "/sim/users", host_buf_str(&b), w, NULL, e);
        if (b.s != NULL)
            host_wipe(b.s, b.cap);
        host_buf_free(&b);
        if (rc == 0)
            rc = control(p, "POST", "/sim/expire-tokens", NULL, w, NULL, e);
        if (rc == 0)
            host_jsonw_bool(w, "success", 1);
        return rc;
    }
    if (strcasecmp(sub, "stats") == 0)
        return control(p, "GET", "/sim/stats", NULL, w, "simstats", e);
    if (strcasecmp(sub, "volume") == 0)
        return sim_volume(cs, p, cmd, w, e);
    if (strcasecmp(sub, "bulk") == 0)
        return sim_bulk(cs, p, cmd, w, e);
    if (strcasecmp(sub, "readonly") == 0) {
        char id[SP_ID_MAX];
        int ro = 1;
        if (host_param(cmd, "volumeid", 1, e) == NULL || host_param_bool(cmd, "readonly", 1, &ro, e) != 0 ||
            array_id(cs, host_param(cmd, "volumeid", 1, e), id, sizeof(id), e) != 0)
            return -1;
        snprintf(path, sizeof(path), "/sim/volumes/%s/readonly", id);
        snprintf(body, sizeof(body), "{\"readOnly\":%s}", ro ? "true" : "false");
        return control(p, "POST", path, body, w, "simvolume", e);
    }
    if (strcasecmp(sub, "corrupt") == 0) {
        char id[SP_ID_MAX];
        int64_t offset = 0;
        if (host_param(cmd, "volumeid", 1, e) == NULL ||
            host_param_num(cmd, "offset", 0, 0, INT64_MAX, &offset, e) != 0 ||
            array_id(cs, host_param(cmd, "volumeid", 1, e), id, sizeof(id), e) != 0)
            return -1;
        snprintf(path, sizeof(path), "/sim/volumes/%s/corrupt", id);
        snprintf(body, sizeof(body), "{\"offset\":%lld}", (long long)offset);
        return control(p, "POST", path, body, w, NULL, e);
    }
    if (strcasecmp(sub, "sdc") == 0) {
        char ip[64], err[256];
        int connected = 1;
        int64_t host;
        if (host_param_ref(cs, cmd, "hostid", "host", 1, &host, e) != 0)
            return -1;
        if (host_sql_text(cs->db, ip, sizeof(ip), err, sizeof(err), "SELECT ip FROM host WHERE id = ?", "i",
                          host) <= 0)
            return host_fail_db(e, err);
        /* Without connected=: what the SDC is (joined to the system's MDMs, connected, its volumes). */
        if (host_param(cmd, "connected", 0, e) == NULL) {
            snprintf(path, sizeof(path), "/sim/sdc/%s/volumes", ip);
            return control(p, "GET", path, NULL, w, "simsdc", e);
        }
        if (host_param_bool(cmd, "connected", 1, &connected, e) != 0)
            return -1;
        snprintf(path, sizeof(path), "/sim/sdc/%s/state", ip);
        snprintf(body, sizeof(body), "{\"connected\":%s}", connected ? "true" : "false");
        return control(p, "POST", path, body, w, "simsdc", e);
    }
usage:
    return host_fail(
        e, HOST_E_PARAM,
        "usage: sim start name=N [pools=P:GIB,...] [system=HEX16] [user=] [password=] [latency=MS] "
        "[migration=MS] [devicedelay=MS] [migrationslots=N] [migrationfailat=F] [removal=MS] [role=R] "
        "[maxsessions=N] [loopdevices=true] [api=3.5|4.x] [faults=SPEC;SPEC] | sim stop|stats|faults name=N "
        "| "
        "sim modes name=N [migration=MS] [migrationslots=N] [migrationfailat=F] [migrationfailp=P] "
        "[migrationpause=MS] [removal=MS] [overprovision=R] [devicedelay=MS] [maxsessions=N] "
        "[loopdevices=0|1] | "
        "sim role name=N role=Monitor|Administrator|... | "
        "sim restart name=N [signal=KILL|TERM] | sim crashpoint at=K [when=applied|before|after] [name=N] | "
        "sim crashpoint clear=true | "
        "sim fault name=N spec=SPEC|clear=true | sim readonly name=N volumeid=V [readonly=false] | "
        "sim volume name=N volumeid=V | sim bulk name=N poolid=P volumes=V [snapshots=S] | sim corrupt "
        "name=N volumeid=V [offset=N] | sim sdc name=N hostid=H [connected=false] | sim list");
}
