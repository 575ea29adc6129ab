/* gateway_volume.c - volumes and snapshots on the gateway, one request per operation.
 * Idempotent outcomes (already mapped, not mapped, already deleted) are read from the POST's own
 * answer instead of a GET before it: that halves the requests of every grant and revoke. */
#include "config.h"

#include "gateway_volume.h"

#include "error.h"
#include "gateway_call.h"
#include "gateway_parse.h"
#include "hostsvc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 256
#define NO_OK_CODE (-1)

/* POSTs body to /instances/Volume::<id>/action/<action>; an errorCode equal to ok_code counts
 * as success. body is freed here. */
static sp_status volume_action_ex(pfx_gw_client *c, const char *id, const char *action, char *body,
                                  int32_t ok_code, int *was_done, sp_error *err)
{
    pfx_gw_http_reply reply;
    char path[PATH_MAX_LEN];
    sp_status st;

    snprintf(path, sizeof(path), "/instances/Volume::%s/action/%s", id, action);
    st = pfx_gw_call(c, "POST", path, body, 0, &reply, err);
    if (st != SP_OK && ok_code != NO_OK_CODE && reply.error_code == ok_code) {
        pfx_log(SP_LOG_DEBUG, "volume %s: %s answered errorCode %d, which means it is already done", id,
                action, (int)ok_code);
        pfx_error_clear(err);
        st = SP_OK;
        if (was_done != NULL)
            *was_done = 1;
    }
    pfx_gw_http_reply_clear(&reply, 0);
    free(body);
    return st;
}

static sp_status volume_action(pfx_gw_client *c, const char *id, const char *action, char *body,
                               int32_t ok_code, sp_error *err)
{
    return volume_action_ex(c, id, action, body, ok_code, NULL, err);
}

sp_status pfx_gw_volume_create(pfx_gw_client *c, const pfx_gw_volume_spec *spec, char *id_out, size_t id_len,
                               sp_error *err)
{
    pfx_gw_http_reply reply;
    char size[32], *body = NULL;
    sp_status st;

    memset(&reply, 0, sizeof(reply));
    if (id_len > 0)
        id_out[0] = '\0';
    if ((st = pfx_gw_check_str("volume name", spec->name, PFX_GW_NAME_SIZE - 1, err)) != SP_OK ||
        (st = pfx_gw_check_id("storage pool", spec->pool_id, err)) != SP_OK)
        goto out;
    if (spec->size_kb == 0) {
        st = pfx_error(err, SP_E_INVALID, "volume size must be more than 0");
        goto out;
    }
    snprintf(size, sizeof(size), "%" PRIu64, spec->size_kb);
    /* Numbers go as strings: every known client sends them so and every gateway takes them. */
    st = pfx_json_flat(&body, err, "name", spec->name, "storagePoolId", spec->pool_id, "volumeSizeInKb", size,
                       "volumeType", spec->thick ? "ThickProvisioned" : "ThinProvisioned", NULL);
    if (st != SP_OK)
        goto out;
    st = pfx_gw_call(c, "POST", "/types/Volume/instances", body, 1, &reply, err);
    if (st == SP_OK)
        st = pfx_gw_parse_created_id(reply.body, reply.len, id_out, id_len, err);
out:
    pfx_gw_http_reply_clear(&reply, 0);
    free(body);
    return pfx_gw_context(err, st, "creating volume \"%s\"", spec->name ? spec->name : "");
}

sp_status pfx_gw_volume_get(pfx_gw_client *c, const char *id, pfx_gw_volume *out, sp_error *err)
{
    char path[PATH_MAX_LEN];
    sp_status st;

    memset(out, 0, sizeof(*out));
    if ((st = pfx_gw_check_id("volume", id, err)) != SP_OK)
        return st;
    snprintf(path, sizeof(path), "/instances/Volume::%s", id);
    st = PFX_GW_GET_OBJECT(c, path, pfx_gw_parse_volume, out, err);
    return pfx_gw_context(err, st, "volume %s", id);
}

sp_status pfx_gw_volume_get_many(pfx_gw_client *c, const char *const *ids, size_t n, pfx_gw_volume_list *out,
                                 sp_error *err)
{
    pfx_gw_http_reply reply;
    pfx_json_out *o;
    char *body = NULL;
    sp_status st = SP_OK;

    memset(out, 0, sizeof(*out));
    memset(&reply, 0, sizeof(reply));
    if (n == 0 || ids == NULL)
        return pfx_error(err, SP_E_INVALID, "reading volumes: no ids given");
    for (size_t i = 0; i < n; i++) {
        if ((st = pfx_gw_check_id("volume", ids[i], err)) != SP_OK)
            return st;
        for (size_t j = 0; j < i; j++)
            if (strcmp(ids[i], ids[j]) == 0)
                return pfx_error(err, SP_E_INVALID, "reading volumes: volume %s is given twice", ids[i]);
    }
    o = pfx_json_out_new();
    pfx_json_out_begin_object(o);
    pfx_json_out_string(o, "ids");
    pfx_json_out_begin_array(o);
    for (size_t i = 0; i < n; i++)
        pfx_json_out_string(o, ids[i]);
    pfx_json_out_end_array(o);
    pfx_json_out_end_object(o);
    if ((st = pfx_json_out_finish(o, &body, err)) != SP_OK)
        goto out;
    st = pfx_gw_call(c, "POST", "/types/Volume/instances/action/queryBySelectedIds", body, 1, &reply, err);
    if (st == SP_OK)
        st = pfx_gw_parse_volumes_by_ids(reply.body, reply.len, ids, n, out, err);
out:
    pfx_gw_http_reply_clear(&reply, 0);
    free(body);
    if (n == 1)
        return pfx_gw_context(err, st, "volume %s", ids[0]);
    return pfx_gw_context(err, st, "reading %zu volumes (%s, ...)", n, ids[0]);
}

sp_status pfx_gw_volume_id_by_name(pfx_gw_client *c, const char *name, char *buf, size_t len, sp_error *err)
{
    pfx_gw_http_reply reply;
    char *body = NULL;
    sp_status st;

    memset(&reply, 0, sizeof(reply));
    if (len > 0)
        buf[0] = '\0';
    if ((st = pfx_gw_check_str("volume name", name, PFX_GW_NAME_SIZE - 1, err)) != SP_OK)
        goto out;
    if ((st = pfx_json_flat(&body, err, "name", name, NULL)) != SP_OK)
        goto out;
    st = pfx_gw_call(c, "POST", "/types/Volume/instances/action/queryIdByKey", body, 1, &reply, err);
    if (st == SP_OK)
        st = pfx_gw_parse_string(reply.body, reply.len, "volume id", buf, len, err);
out:
    pfx_gw_http_reply_clear(&reply, 0);
    free(body);
    return pfx_gw_context(err, st, "volume \"%s\"", name ? name : "");
}

sp_status pfx_gw_volume_list_in_pool(pfx_gw_client *c, const char *pool_id, pfx_gw_volume_list *out,
                                     sp_error *err)
{
    char path[PATH_MAX_LEN];
    sp_status st;

    memset(out, 0, sizeof(*out));
    if ((st = pfx_gw_check_id("storage pool", pool_id, err)) != SP_OK)
        return st;
    snprintf(path, sizeof(path), "/instances/StoragePool::%s/relationships/Volume", pool_id);
    st = PFX_GW_GET_OBJECT(c, path, pfx_gw_parse_volume_list, out, err);
    return pfx_gw_context(err, st, "volumes of storage pool %s", pool_id);
}

typedef struct feed {
    pfx_gw_volume_stream *s;
    sp_status st;
    sp_error err;
} feed;

static int feed_sink(void *ctx, const char *data, size_t len)
{
    feed *f = ctx;

    f->st = pfx_gw_volume_stream_feed(f->s, data, len, &f->err);
    return f->st != SP_OK;
}

sp_status pfx_gw_volume_each_in_pool(pfx_gw_client *c, const char *pool_id, pfx_gw_volume_each each,
                                     void *ctx, size_t *count, sp_error *err)
{
    char path[PATH_MAX_LEN], what[96];
    pfx_gw_http_reply reply;
    feed f = {NULL, SP_OK, {0}};
    sp_status st;

    if ((st = pfx_gw_check_id("storage pool", pool_id, err)) != SP_OK)
        return st;
    snprintf(path, sizeof(path), "/instances/StoragePool::%s/relationships/Volume", pool_id);
    snprintf(what, sizeof(what), "volumes of storage pool %s", pool_id);
    if ((f.s = pfx_gw_volume_stream_new(what, each, ctx)) == NULL)
        return pfx_error(err, SP_E_NOMEM, "%s: out of memory", what);
    st = pfx_gw_call_to(c, "GET", path, NULL, 1, feed_sink, &f, &reply, err);
    if (f.st != SP_OK) {
        /* The parser (or the caller's callback) stopped the transfer: its reason, not the
         * transport's. */
        st = f.st;
        *err = f.err;
    } else if (st == SP_OK) {
        st = pfx_gw_volume_stream_finish(f.s, count, err);
    }
    pfx_gw_http_reply_clear(&reply, 0);
    pfx_gw_volume_stream_free(f.s);
    return st;
}

sp_status pfx_gw_volume_list_on_sdc(pfx_gw_client *c, const char *sdc_id, pfx_gw_volume_list *out,
                                    sp_error *err)
{
    char path[PATH_MAX_LEN];
    sp_status st;

    memset(out, 0, sizeof(*out));
    if ((st = pfx_gw_check_id("SDC", sdc_id, err)) != SP_OK)
        return st;
    snprintf(path, sizeof(path), "/instances/Sdc::%s/relationships/Volume", sdc_id);
    st = PFX_GW_GET_OBJECT(c, path, pfx_gw_parse_volume_list, out, err);
    return pfx_gw_context(err, st, "volumes mapped to SDC %s", sdc_id);
}

sp_status pfx_gw_volume_list_in_vtree(pfx_gw_client *c, const char *vtree_id, pfx_gw_volume_list *out,
                                      sp_error *err)
{
    char path[PATH_MAX_LEN];
    sp_status st;

    memset(out, 0, sizeof(*out));
    if ((st = pfx_gw_check_id("V-Tree", vtree_id, err)) != SP_OK)
        return st;
    snprintf(path, sizeof(path), "/instances/VTree::%s/relationships/Volume", vtree_id);
    st = PFX_GW_GET_OBJECT(c, path, pfx_gw_parse_volume_list, out, err);
    return pfx_gw_context(err, st, "volumes of V-Tree %s", vtree_id);
}

sp_status pfx_gw_volume_rename(pfx_gw_client *c, const char *id, const char *new_name, sp_error *err)
{
    char *body = NULL;
    sp_status st;

    if ((st = pfx_gw_check_id("volume", id, err)) != SP_OK)
        return st;
    if ((st = pfx_gw_check_str("new volume name", new_name, PFX_GW_NAME_SIZE - 1, err)) == SP_OK &&
        (st = pfx_json_flat(&body, err, "newName", new_name, NULL)) == SP_OK)
        st = volume_action(c, id, "setVolumeName", body, NO_OK_CODE, err);
    return pfx_gw_context(err, st, "volume %s: renaming to \"%s\"", id, new_name ? new_name : "");
}

sp_status pfx_gw_volume_resize(pfx_gw_client *c, const char *id, uint64_t size_gb, sp_error *err)
{
    char size[32], *body = NULL;
    sp_status st;

    if ((st = pfx_gw_check_id("volume", id, err)) != SP_OK)
        return st;
    if (size_gb == 0)
        return pfx_error(err, SP_E_INVALID, "volume %s: new size must be more than 0 GB", id);
    snprintf(size, sizeof(size), "%" PRIu64, size_gb);
    if ((st = pfx_json_flat(&body, err, "sizeInGB", size, NULL)) == SP_OK)
        st = volume_action(c, id, "setVolumeSize", body, NO_OK_CODE, err);
    return pfx_gw_context(err, st, "volume %s: resizing to %" PRIu64 " GB", id, size_gb);
}

sp_status pfx_gw_volume_delete(pfx_gw_client *c, const char *id, pfx_gw_remove_mode mode, sp_error *err)
{
    static const char *const modes[] = {"ONLY_ME", "INCLUDING_DESCENDANTS", "DESCENDANTS_ONLY",
                                        "WHOLE_VTREE"};
    char *body = NULL;
    sp_status st;

    if ((st = pfx_gw_check_id("volume", id, err)) != SP_OK)
        return st;
    if ((unsigned)mode >= sizeof(modes) / sizeof(modes[0]))
        return pfx_error(err, SP_E_INVALID, "volume %s: unknown remove mode %d", id, (int)mode);
    if ((st = pfx_json_flat(&body, err, "removeMode", modes[mode], NULL)) == SP_OK)
        st = volume_action(c, id, "removeVolume", body, PFX_GW_RC_VOLUME_NOT_FOUND, err);
    return pfx_gw_context(err, st, "volume %s: deleting", id);
}

sp_status pfx_gw_volume_map(pfx_gw_client *c, const char *id, const char *sdc_id, int allow_multiple,
                            int *was_mapped, sp_error *err)
{
    char *body = NULL;
    sp_status st;

    if (was_mapped != NULL)
        *was_mapped = 0;
    if ((st = pfx_gw_check_id("volume", id, err)) != SP_OK ||
        (st = pfx_gw_check_id("SDC", sdc_id, err)) != SP_OK)
        return st;
    if ((st = pfx_json_flat(&body, err, "sdcId", sdc_id, "allowMultipleMappings",
                            allow_multiple ? "TRUE" : "FALSE", NULL)) == SP_OK)
        st = volume_action_ex(c, id, "addMappedSdc", body, PFX_GW_RC_ALREADY_MAPPED, was_mapped, err);
    return pfx_gw_context(err, st, "volume %s: mapping to SDC %s", id, sdc_id);
}

sp_status pfx_gw_volume_unmap(pfx_gw_client *c, const char *id, const char *sdc_id, sp_error *err)
{
    char *body = NULL;
    sp_status st;

    if ((st = pfx_gw_check_id("volume", id, err)) != SP_OK)
        return st;
    if (sdc_id != NULL && (st = pfx_gw_check_id("SDC", sdc_id, err)) != SP_OK)
        return st;
    if (sdc_id != NULL)
        st = pfx_json_flat(&body, err, "sdcId", sdc_id, "skipApplianceValidation", "TRUE", NULL);
    else
        st = pfx_json_flat(&body, err, "allSdcs", "", NULL);
    if (st == SP_OK)
        st = volume_action(c, id, "removeMappedSdc", body, PFX_GW_RC_NOT_MAPPED, err);
    return pfx_gw_context(err, st, "volume %s: unmapping from %s%s", id, sdc_id ? "SDC " : "all SDCs",
                          sdc_id ? sdc_id : "");
}

sp_status pfx_gw_volume_set_limits(pfx_gw_client *c, const char *id, const char *sdc_id, uint64_t iops,
                                   uint64_t bandwidth_kbps, sp_error *err)
{
    char iops_s[32], bw_s[32], *body = NULL;
    sp_status st;

    if ((st = pfx_gw_check_id("volume", id, err)) != SP_OK ||
        (st = pfx_gw_check_id("SDC", sdc_id, err)) != SP_OK)
        return st;
    if (iops != 0 && iops <= 10)
        return pfx_error(
            err, SP_E_INVALID,
            "volume %s: IOPS limit %" PRIu64 " refused: it must be 0 (unlimited) or more than 10", id, iops);
    if (bandwidth_kbps % 1024 != 0)
        return pfx_error(err, SP_E_INVALID,
                         "volume %s: bandwidth limit %" PRIu64 " KB/s refused: it must be a multiple of 1024 "
                         "KB/s (0 is unlimited)",
                         id, bandwidth_kbps);
    snprintf(iops_s, sizeof(iops_s), "%" PRIu64, iops);
    snprintf(bw_s, sizeof(bw_s), "%" PRIu64, bandwidth_kbps);
    if ((st = pfx_json_flat(&body, err, "sdcId", sdc_id, "bandwidthLimitInKbps", bw_s, "iopsLimit", iops_s,
                            NULL)) == SP_OK)
        st = volume_action(c, id, "setMappedSdcLimits", body, NO_OK_CODE, err);
    return pfx_gw_context(err, st, "volume %s: setting limits for SDC %s", id, sdc_id);
}

sp_status pfx_gw_volume_get_stats(pfx_gw_client *c, const char *id, pfx_gw_volume_stats *out, sp_error *err)
{
    char path[PATH_MAX_LEN];
    sp_status st;

    memset(out, 0, sizeof(*out));
    if ((st = pfx_gw_check_id("volume", id, err)) != SP_OK)
        return st;
    snprintf(path, sizeof(path), "/instances/Volume::%s/relationships/Statistics", id);
    st = PFX_GW_GET_OBJECT(c, path, pfx_gw_parse_volume_stats, out, err);
    return pfx_gw_context(err, st, "volume %s statistics", id);
}

sp_status pfx_gw_volume_overwrite(pfx_gw_client *c, const char *dest_id, const char *src_id, sp_error *err)
{
    char *body = NULL;
    sp_status st;

    if ((st = pfx_gw_check_id("volume", dest_id, err)) != SP_OK ||
        (st = pfx_gw_check_id("source volume", src_id, err)) != SP_OK)
        return st;
    if ((st = pfx_json_flat(&body, err, "srcVolumeId", src_id, "allowOnExtManagedVol", "TRUE", NULL)) ==
        SP_OK)
        st = volume_action(c, dest_id, "overwriteVolumeContent", body, NO_OK_CODE, err);
    return pfx_gw_context(err, st, "volume %s: reverting to %s", dest_id, src_id);
}

sp_status pfx_gw_snapshot_volumes(pfx_gw_client *c, const char *system_id, const pfx_gw_snapshot_def *defs,
                                  size_t n, pfx_gw_snapshot_group *out, sp_error *err)
{
    pfx_gw_http_reply reply;
    pfx_json_out *o;
    char path[PATH_MAX_LEN], *body = NULL;
    sp_status st = SP_OK;

    memset(out, 0, sizeof(*out));
    memset(&reply, 0, sizeof(reply));
    if (n == 0)
        return pfx_error(err, SP_E_INVALID, "snapshot: no volumes given");
    if (system_id != NULL && (st = pfx_gw_check_id("system", system_id, err)) != SP_OK)
        return st;
    for (size_t i = 0; i < n; i++)
        if ((st = pfx_gw_check_id("volume", defs[i].volume_id, err)) != SP_OK ||
            (st = pfx_gw_check_str("snapshot name", defs[i].name, PFX_GW_NAME_SIZE - 1, err)) != SP_OK)
            return pfx_gw_context(err, st, "snapshot definition %zu", i);

    o = pfx_json_out_new();
    pfx_json_out_begin_object(o);
    pfx_json_out_string(o, "snapshotDefs");
    pfx_json_out_begin_array(o);
    for (size_t i = 0; i < n; i++) {
        pfx_json_out_begin_object(o);
        pfx_json_out_kv(o, "volumeId", defs[i].volume_id);
        pfx_json_out_kv(o, "snapshotName", defs[i].name);
        pfx_json_out_end_object(o);
    }
    pfx_json_out_end_array(o);
    pfx_json_out_end_object(o);
    if ((st = pfx_json_out_finish(o, &body, err)) != SP_OK)
        goto out;

    if (system_id != NULL)
        snprintf(path, sizeof(path), "/instances/System::%s/action/snapshotVolumes", system_id);
    else
        snprintf(path, sizeof(path), "/instances/System/action/snapshotVolumes");
    st = pfx_gw_call(c, "POST", path, body, 1, &reply, err);
    if (st == SP_OK)
        st = pfx_gw_parse_snapshot_group(reply.body, reply.len, out, err);
    if (st == SP_OK && out->n != n) {
        /* The ids are matched to the definitions by position; a different count cannot be. */
        st =
            pfx_error(err, SP_E_PROTOCOL, "the gateway answered %zu snapshot ids for %zu volumes", out->n, n);
        pfx_gw_snapshot_group_clear(out);
    }
out:
    pfx_gw_http_reply_clear(&reply, 0);
    free(body);
    if (n == 1)
        return pfx_gw_context(err, st, "volume %s: snapshot \"%s\"", defs[0].volume_id, defs[0].name);
    return pfx_gw_context(err, st, "snapshot of %zu volumes (%s, ...)", n, defs[0].volume_id);
}

sp_status pfx_gw_snapshot_group_remove(pfx_gw_client *c, const char *system_id, const char *group_id,
                                       uint64_t *removed, sp_error *err)
{
    pfx_gw_http_reply reply;
    char path[PATH_MAX_LEN], *body = NULL;
    sp_status st;

    *removed = 0;
    memset(&reply, 0, sizeof(reply));
    if ((st = pfx_gw_check_id("system", system_id, err)) != SP_OK ||
        (st = pfx_gw_check_id("snapshot group", group_id, err)) != SP_OK)
        return st;
    if ((st = pfx_json_flat(&body, err, "snapGroupId", group_id, NULL)) != SP_OK)
        goto out;
    snprintf(path, sizeof(path), "/instances/System::%s/action/removeConsistencyGroupSnapshots", system_id);
    st = pfx_gw_call(c, "POST", path, body, 1, &reply, err);
    if (st == SP_OK)
        st = pfx_gw_parse_removed_count(reply.body, reply.len, removed, err);
out:
    pfx_gw_http_reply_clear(&reply, 0);
    free(body);
    return pfx_gw_context(err, st, "snapshot group %s", group_id);
}
