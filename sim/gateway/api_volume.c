/* /api routes of the Volume type: list, create, get, queries and the per-volume actions. */
#include <config.h>
#include "api.h"
#include "capacity.h"
#include "migrate.h"
#include "render.h"
#include "volops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void list(struct sim_ctx *c, struct sim_resp *rs, const char *const *ids)
{
    sim_jw *w = sim_jw_new();
    sim_jw_arr(w);
    if (ids) {
        for (size_t i = 0; ids[i]; i++) {
            struct sim_volume *v = sim_find_volume(c->model, ids[i]);
            if (v)
                sim_render_volume(w, c->model, v);
        }
    } else {
        for (size_t i = 0; i < c->model->nvols; i++)
            sim_render_volume(w, c->model, c->model->vols[i]);
    }
    sim_jw_arr_end(w);
    sim_resp_json(rs, sim_jw_finish(w));
}

static void bad_value(struct sim_resp *rs, const char *key, const char *allowed, const char *value)
{
    /* The gateway's wording for an enum parameter with a wrong value. */
    char *msg =
        sim_fmt("%s should get one of the following values: %s, but its value is %s.", key, allowed, value);
    sim_resp_err(rs, SIM_E_BAD_REQUEST, msg);
    free(msg);
}

static bool parse_count(struct sim_resp *rs, const char *key, const char *s, int64_t *out)
{
    if (!sim_parse_i64(s, out) || *out < 0) {
        char *msg = sim_fmt("%s must be a non-negative integer, but its value is %s.", key, s);
        sim_resp_err(rs, SIM_E_BAD_REQUEST, msg);
        free(msg);
        return false;
    }
    return true;
}

static void create(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs)
{
    char b1[64], b2[64], b3[64], b4[64], b5[64], b6[64];
    const char *name = sim_api_param(rq, "name", b1, sizeof(b1));
    const char *pool_id = sim_api_param(rq, "storagePoolId", b2, sizeof(b2));
    const char *pd_id = sim_api_param(rq, "protectionDomainId", b3, sizeof(b3));
    const char *kb = sim_api_param(rq, "volumeSizeInKb", b4, sizeof(b4));
    const char *gb = sim_api_param(rq, "volumeSizeInGb", b5, sizeof(b5));
    const char *type = sim_api_param(rq, "volumeType", b6, sizeof(b6));
    struct sim_pool *pool;
    struct sim_volume *v = NULL;
    int64_t size;
    enum sim_err e;
    bool thick;
    if (!pool_id) {
        sim_resp_err(rs, SIM_E_BAD_REQUEST, "Request is missing the required parameter storagePoolId");
        return;
    }
    pool = sim_find_pool(c->model, pool_id);
    if (!pool) {
        sim_resp_err(rs, SIM_E_POOL_NOT_FOUND, NULL);
        return;
    }
    if (pd_id) {
        struct sim_pd *pd = sim_find_pd(c->model, pd_id);
        if (!pd) {
            sim_resp_err(rs, SIM_E_PD_NOT_FOUND, NULL);
            return;
        }
        if (pool->pd != pd) {
            sim_resp_err(rs, SIM_E_PD_POOL_MISMATCH, NULL);
            return;
        }
    }
    if (!kb && !gb) {
        sim_resp_err(rs, SIM_E_BAD_REQUEST, "Request is missing the required parameter volumeSizeInKb");
        return;
    }
    if (!parse_count(rs, kb ? "volumeSizeInKb" : "volumeSizeInGb", kb ? kb : gb, &size))
        return;
    if (!kb) {
        if (size > (INT64_C(1) << 40))
            size = INT64_C(1) << 40;
        size *= 1024 * 1024;
    }
    if (!type || !strcmp(type, "ThickProvisioned")) {
        thick = true; /* the array's default, as in its CLI */
    } else if (!strcmp(type, "ThinProvisioned")) {
        thick = false;
    } else {
        bad_value(rs, "volumeType", "ThickProvisioned, ThinProvisioned", type);
        return;
    }
    e = sim_volume_create(c->model, name ? name : "", pool, (uint64_t)size, thick, &v);
    if (e) {
        sim_resp_err(rs, e, NULL);
        return;
    }
    {
        sim_jw *w = sim_jw_new();
        sim_jw_obj(w);
        sim_jw_kstr(w, "id", v->id);
        sim_jw_obj_end(w);
        sim_resp_json(rs, sim_jw_finish(w));
    }
}

static void remove_volume(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs, struct sim_volume *v)
{
    static const char *const modes[] = {"ONLY_ME", "INCLUDING_DESCENDANTS", "DESCENDANTS_ONLY",
                                        "WHOLE_VTREE"};
    char buf[64];
    const char *mode = sim_api_param(rq, "removeMode", buf, sizeof(buf));
    int idx = mode ? -1 : 0;
    for (int i = 0; mode && i < 4; i++)
        if (!strcmp(mode, modes[i]))
            idx = i;
    if (idx < 0) {
        bad_value(rs, "removeMode", "ONLY_ME, INCLUDING_DESCENDANTS, DESCENDANTS_ONLY, WHOLE_VTREE", mode);
        return;
    }
    enum sim_err e = sim_volume_remove(c->model, v, (enum sim_remove_mode)idx);
    if (e)
        sim_resp_err(rs, e, NULL);
    else
        sim_resp_empty(rs);
}

static struct sim_sdc *need_sdc(struct sim_ctx *c, struct sim_resp *rs, const char *id)
{
    struct sim_sdc *s = sim_find_sdc(c->model, id);
    if (!s)
        sim_resp_err(rs, SIM_E_SDC_NOT_FOUND, NULL);
    return s;
}

/* The SDC a mapping action names: by "sdcId", or by "guid" (the GUID the host's drv_cfg
 * --query_guid prints; no client seen sends it, see powerflex-sim(1)). *named says whether
 * either was given. */
static struct sim_sdc *mapping_sdc(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs, bool *named)
{
    char b1[64], b2[64];
    const char *sdc_id = sim_api_param(rq, "sdcId", b1, sizeof(b1));
    const char *guid = sim_api_param(rq, "guid", b2, sizeof(b2));
    struct sim_sdc *s;
    *named = sdc_id || guid;
    if (sdc_id)
        return need_sdc(c, rs, sdc_id);
    if (!guid)
        return NULL;
    s = sim_find_sdc_by_guid(c->model, guid);
    if (!s)
        sim_resp_err(rs, SIM_E_SDC_NOT_FOUND, NULL);
    return s;
}

static void add_mapping(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs, struct sim_volume *v)
{
    char b2[64], b3[64], b4[8];
    const char *multi = sim_api_param(rq, "allowMultipleMappings", b2, sizeof(b2));
    const char *access = sim_api_param(rq, "accessMode", b3, sizeof(b3));
    bool all = sim_api_param(rq, "allSdcs", b4, sizeof(b4)) != NULL, named;
    struct sim_sdc *sdc = NULL;
    int allow = 0;
    enum sim_err e;
    if (multi && (allow = sim_api_bool(multi)) < 0) {
        bad_value(rs, "allowMultipleMappings", "TRUE, FALSE", multi);
        return;
    }
    if (access && strcmp(access, "ReadWrite") && strcmp(access, "ReadOnly") && strcmp(access, "NoAccess")) {
        bad_value(rs, "accessMode", "ReadWrite, ReadOnly, NoAccess", access);
        return;
    }
    sdc = mapping_sdc(c, rq, rs, &named);
    if (!named && !all) {
        sim_resp_err(rs, SIM_E_BAD_REQUEST, "Request is missing the required parameter sdcId");
        return;
    }
    if (named && !sdc)
        return;
    e = sim_map_add(c->model, v, sdc, allow == 1, access);
    if (e)
        sim_resp_err(rs, e, NULL);
    else
        sim_resp_empty(rs);
}

static void remove_mapping(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs, struct sim_volume *v)
{
    char b2[8];
    bool all = sim_api_param(rq, "allSdcs", b2, sizeof(b2)) != NULL, named;
    struct sim_sdc *sdc = mapping_sdc(c, rq, rs, &named);
    enum sim_err e;
    if (!named && !all) {
        sim_resp_err(rs, SIM_E_BAD_REQUEST, "Request is missing the required parameter sdcId");
        return;
    }
    if (named && !sdc)
        return;
    e = sim_map_remove(c->model, v, sdc);
    if (e)
        sim_resp_err(rs, e, NULL);
    else
        sim_resp_empty(rs);
}

static void set_limits(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs, struct sim_volume *v)
{
    char b1[64], b2[64], b3[64];
    const char *sdc_id = sim_api_need(rq, rs, "sdcId", b1, sizeof(b1));
    const char *bw = sim_api_param(rq, "bandwidthLimitInKbps", b2, sizeof(b2));
    const char *iops = sim_api_param(rq, "iopsLimit", b3, sizeof(b3));
    int64_t bwv = -1, iopsv = -1;
    struct sim_sdc *sdc;
    enum sim_err e;
    if (!sdc_id || !(sdc = need_sdc(c, rs, sdc_id)))
        return;
    if ((bw && (!sim_parse_i64(bw, &bwv) || bwv < 0)) ||
        (iops && (!sim_parse_i64(iops, &iopsv) || iopsv < 0))) {
        sim_resp_err(rs, SIM_E_THROTTLE, NULL);
        return;
    }
    e = sim_map_limits(c->model, v, sdc, iopsv, bwv);
    if (e)
        sim_resp_err(rs, e, NULL);
    else
        sim_resp_empty(rs);
}

static void migrate(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs, struct sim_volume *v)
{
    char b1[64], b2[64];
    const char *dest_id = sim_api_need(rq, rs, "destSPId", b1, sizeof(b1));
    const char *conv = sim_api_param(rq, "volTypeConversion", b2, sizeof(b2));
    enum sim_conv cv = SIM_CONV_NONE;
    struct sim_pool *dest;
    enum sim_err e;
    if (!dest_id)
        return;
    if (conv && !strcmp(conv, "ThickToThin"))
        cv = SIM_CONV_THICK_TO_THIN;
    else if (conv && !strcmp(conv, "ThinToThick"))
        cv = SIM_CONV_THIN_TO_THICK;
    else if (conv && strcmp(conv, "NoConversion")) {
        bad_value(rs, "volTypeConversion", "NoConversion, ThickToThin, ThinToThick", conv);
        return;
    }
    dest = sim_find_pool(c->model, dest_id);
    if (!dest) {
        sim_resp_err(rs, SIM_E_POOL_NOT_FOUND, NULL);
        return;
    }
    e = sim_migrate_start(c->model, v, dest, cv);
    if (e)
        sim_resp_err(rs, e, NULL);
    else
        sim_resp_empty(rs);
}

static void pause_migration(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs, struct sim_volume *v)
{
    char buf[64];
    const char *type = sim_api_need(rq, rs, "pauseType", buf, sizeof(buf));
    enum sim_err e;
    if (!type)
        return;
    if (strcmp(type, "Gracefully") && strcmp(type, "Forcefully")) {
        bad_value(rs, "pauseType", "Gracefully, Forcefully", type);
        return;
    }
    e = sim_migrate_pause(c->model, v, !strcmp(type, "Forcefully"));
    if (e)
        sim_resp_err(rs, e, NULL);
    else
        sim_resp_empty(rs);
}

static void action(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs, struct sim_volume *v)
{
    const char *a = rq->route.name;
    char buf[64];
    const char *val;
    enum sim_err e;
    int64_t n;
    if (!strcmp(a, "removeVolume")) {
        remove_volume(c, rq, rs, v);
    } else if (!strcmp(a, "setVolumeSize")) {
        if (!(val = sim_api_need(rq, rs, "sizeInGB", buf, sizeof(buf))) ||
            !parse_count(rs, "sizeInGB", val, &n))
            return;
        e = sim_volume_resize(c->model, v, (uint64_t)n);
        if (e)
            sim_resp_err(rs, e, NULL);
        else
            sim_resp_empty(rs);
    } else if (!strcmp(a, "setVolumeName")) {
        if (!(val = sim_api_need(rq, rs, "newName", buf, sizeof(buf))))
            return;
        e = sim_volume_rename(c->model, v, val);
        if (e)
            sim_resp_err(rs, e, NULL);
        else
            sim_resp_empty(rs);
    } else if (!strcmp(a, "addMappedSdc")) {
        add_mapping(c, rq, rs, v);
    } else if (!strcmp(a, "removeMappedSdc")) {
        remove_mapping(c, rq, rs, v);
    } else if (!strcmp(a, "setMappedSdcLimits")) {
        set_limits(c, rq, rs, v);
    } else if (!strcmp(a, "overwriteVolumeContent")) {
        if (!(val = sim_api_need(rq, rs, "srcVolumeId", buf, sizeof(buf))))
            return;
        e = sim_volume_overwrite(c->model, v, val);
        if (e)
            sim_resp_err(rs, e, NULL);
        else
            sim_resp_empty(rs);
    } else if (!strcmp(a, "migrateVTree")) {
        migrate(c, rq, rs, v);
    } else if (!strcmp(a, "pauseVTreeMigration")) {
        pause_migration(c, rq, rs, v);
    } else if (!strcmp(a, "resumeVTreeMigration")) {
        e = sim_migrate_resume(c->model, v);
        if (e)
            sim_resp_err(rs, e, NULL);
        else
            sim_resp_empty(rs);
    } else {
        sim_resp_err(rs, SIM_E_NO_URL, NULL);
    }
}

static bool volume_known(struct sim_model *m, const char *id)
{
    return sim_find_volume(m, id) != NULL;
}

static const char **all_volumes(struct sim_model *m)
{
    const char **ids = sim_xcalloc(m->nvols + 1, sizeof(*ids));
    for (size_t i = 0; i < m->nvols; i++)
        ids[i] = m->vols[i]->id;
    return ids;
}

static bool volume_stats(sim_jw *w, struct sim_model *m, const char *id)
{
    struct sim_volume *v = sim_find_volume(m, id);
    if (!v)
        return false;
    sim_render_volume_stats(w, m, v);
    return true;
}

bool sim_api_volume(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs)
{
    const struct sim_route *r = &rq->route;
    bool get = !strcmp(rq->method, "GET"), post = !strcmp(rq->method, "POST");
    struct sim_volume *v;
    if (strcmp(r->type, "Volume"))
        return false;
    switch (r->kind) {
    case SIM_R_TYPE_LIST:
        if (get)
            list(c, rs, NULL);
        else if (post)
            create(c, rq, rs);
        else
            sim_resp_err(rs, SIM_E_METHOD, NULL);
        return true;
    case SIM_R_TYPE_ACTION:
        if (!post) {
            sim_resp_err(rs, SIM_E_METHOD, NULL);
        } else if (!strcmp(r->name, "queryIdByKey")) {
            char buf[64];
            const char *name = sim_api_need(rq, rs, "name", buf, sizeof(buf));
            if (!name)
                return true;
            v = sim_find_volume_by_name(c->model, name);
            if (v)
                sim_resp_string(rs, v->id);
            else
                sim_resp_err(rs, SIM_E_NOT_FOUND, NULL);
        } else if (!strcmp(r->name, "queryBySelectedIds")) {
            const char **ids = sim_api_selected_ids(c, rq, rs, volume_known, SIM_E_VOL_NOT_FOUND);
            if (!ids)
                return true;
            list(c, rs, ids);
            free(ids);
        } else if (!strcmp(r->name, "querySelectedStatistics")) {
            sim_api_selected_stats(c, rq, rs, volume_stats, all_volumes, false);
        } else {
            sim_resp_err(rs, SIM_E_NO_URL, NULL);
        }
        return true;
    case SIM_R_INSTANCE:
    case SIM_R_INSTANCE_REL:
    case SIM_R_INSTANCE_ACTION:
        if (!r->has_id)
            return false;
        v = sim_find_volume(c->model, r->id);
        if (!v) {
            sim_resp_err(rs, SIM_E_VOL_NOT_FOUND, NULL);
            return true;
        }
        rs->volume_id = sim_xstrdup(v->id);
        if (r->kind == SIM_R_INSTANCE_ACTION) {
            if (post)
                action(c, rq, rs, v);
            else
                sim_resp_err(rs, SIM_E_METHOD, NULL);
            return true;
        }
        if (!get) {
            sim_resp_err(rs, SIM_E_METHOD, NULL);
        } else if (r->kind == SIM_R_INSTANCE) {
            sim_jw *w = sim_jw_new();
            sim_render_volume(w, c->model, v);
            sim_resp_json(rs, sim_jw_finish(w));
        } else if (!strcmp(r->name, "Statistics")) {
            sim_jw *w = sim_jw_new();
            sim_render_volume_stats(w, c->model, v);
            sim_resp_json(rs, sim_jw_finish(w));
        } else {
            sim_resp_err(rs, SIM_E_NO_URL, NULL);
        }
        return true;
    default: return false;
    }
}
