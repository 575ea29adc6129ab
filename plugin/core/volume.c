/* volume.c - the volume service the Driver's table and the Adaptor share: naming, creating
 * (adopting what a lost answer made), reading, resizing, listing and removing volumes. */
#include "config.h"

#include "volume.h"

#include "error.h"
#include "gateway_vtree.h"
#include "hostsvc.h"
#include "naming.h"
#include "qos.h"
#include "retry.h"
#include "settings.h"
#include "sized.h"
#include "sizes.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

sp_status pfx_vol_name(sp_pool *pool, sp_volume_kind kind, uint64_t id, uint64_t parent_id, char *buf,
                       size_t len, sp_error *err)
{
    char ident[64];
    sp_status st = pfx_pool_identifier(ident, sizeof(ident), err);
    if (st != SP_OK)
        return st;
    return pfx_object_name(kind, id, parent_id, pool->pool_key, ident, buf, len, err);
}

sp_status pfx_vol_read(sp_pool *pool, const char *id, sp_volume_info *out, sp_error *err)
{
    pfx_gw_volume v;
    sp_status st = pfx_gw_volume_get(pool->gw, id, &v, err);
    if (st != SP_OK)
        return st;
    pfx_volume_info_from_gw(pool, &v, out);
    pfx_gw_volume_clear(&v);
    return SP_OK;
}

static sp_status remove_once(sp_pool *pool, const char *id, sp_error *err)
{
    sp_status st = pfx_gw_volume_delete(pool->gw, id, PFX_GW_REMOVE_ONLY_ME, err);

    /* Deleting a mapped volume is rare (the host revokes first), so the unmap is only sent
     * when the array says it is needed: one request in the common case. */
    if (st == SP_E_BUSY) {
        pfx_log(SP_LOG_INFO, "volume %s is still mapped; unmapping it from every SDC before removing it", id);
        st = pfx_gw_volume_unmap(pool->gw, id, NULL, err);
        if (st == SP_OK)
            st = pfx_gw_volume_delete(pool->gw, id, PFX_GW_REMOVE_ONLY_ME, err);
    }
    return st;
}

sp_status pfx_vol_remove(sp_pool *pool, const char *id, sp_error *err)
{
    int tries = 0;
    sp_status st;

    /* A removal is safe to repeat (gone is SP_OK): a removal still running in the V-Tree
     * (deleting a snapshot, then its volume) and a gateway failing in passing are waited out. */
    while ((st = remove_once(pool, id, err)) != SP_OK && pfx_retry_again(err, &tries))
        ;
    return st;
}

sp_status pfx_vol_undo_remove(sp_pool *pool, const char *id, sp_error *undo)
{
    return pfx_vol_remove(pool, id, undo);
}

int pfx_vol_may_have_happened(sp_status st)
{
    /* A 500 without a known refusal code (a gateway that failed after the MDM acted) and a
     * garbled answer are as ambiguous as a lost one. */
    return st == SP_E_EXISTS || st == SP_E_TIMEOUT || st == SP_E_UNAVAILABLE || st == SP_E_BACKEND ||
           st == SP_E_PROTOCOL;
}

sp_status pfx_vol_lookup(sp_pool *pool, const char *name, char *id, size_t id_len, pfx_gw_volume *v,
                         sp_error *err)
{
    int tries = 0;
    sp_status st;

    while ((st = pfx_gw_volume_id_by_name(pool->gw, name, id, id_len, err)) != SP_OK &&
           pfx_retry_again(err, &tries))
        ;
    if (st != SP_OK)
        return st;
    tries = 0;
    while ((st = pfx_gw_volume_get(pool->gw, id, v, err)) != SP_OK && pfx_retry_again(err, &tries))
        ;
    return st;
}

/* A create whose answer was lost, or retried by the host, finds its volume already made: adopt
 * it when it is exactly what was asked (this pool, this size; with unmapped_only, mapped to no
 * SDC, as a volume made a moment ago is), so the operation completes. */
static sp_status adopt_existing(sp_pool *pool, const char *name, uint64_t size_kb, int unmapped_only,
                                const sp_error *why, char *id, size_t id_len, sp_error *err)
{
    pfx_gw_volume v;
    sp_error lookup;
    sp_status st;

    st = pfx_vol_lookup(pool, name, id, id_len, &v, &lookup);
    if (st != SP_OK)
        goto refuse;
    if (strcmp(v.storage_pool_id, pool->pool_id) != 0 || v.size_kb != size_kb ||
        v.type == PFX_GW_VOLUME_SNAPSHOT || (unmapped_only && (v.n_mappings > 0 || v.mapped_to_all))) {
        pfx_gw_volume_clear(&v);
        goto refuse;
    }
    pfx_gw_volume_clear(&v);
    pfx_log(SP_LOG_WARN, "volume %s already existed with the requested pool and size (%s); using it", name,
            id);
    pfx_error_clear(err);
    return SP_OK;
refuse:
    id[0] = '\0';
    *err = *why;
    return why->status;
}

static sp_status create_volume(sp_pool *pool, const sp_volume_spec *spec, int must_be_new,
                               sp_volume_info *out, sp_error *err)
{
    char name[SP_NAME_MAX];
    uint64_t rounded;
    pfx_limits limits;
    pfx_gw_volume_spec gs;
    sp_status st;

    PFX_ERR_GUARD(err);
    if (spec == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "create_volume needs a spec and an output");
    PFX_SIZED(spec, sp_volume_spec, SP_VOLUME_SPEC_SIZE_2_0, "create_volume", err);
    PFX_SIZED(out, sp_volume_info, SP_VOLUME_INFO_SIZE_2_0, "create_volume", err);
    if ((st = pfx_pool_check_usable(pool, "creating a volume", 0, err)) != SP_OK)
        return st;
    if (spec->kind == SP_VOLUME_SNAPSHOT || spec->kind == SP_VOLUME_VM_SNAPSHOT)
        return pfx_error(err, SP_E_INVALID,
                         "snapshots are made from volumes (create_snapshot), not created blank");
    if ((st = pfx_vol_name(pool, spec->kind, spec->id, spec->parent_id, name, sizeof(name), err)) != SP_OK)
        return st;
    /* QoS is checked when the offering is used, not first at the grant. */
    if ((st = pfx_qos_parse(&spec->qos, &limits, err)) != SP_OK)
        return pfx_error_prefix(err, "volume %s", name);
    if ((st = pfx_round_size(spec->size_bytes, name, &rounded, err)) != SP_OK)
        return st;
    memset(&gs, 0, sizeof(gs));
    gs.name = name;
    gs.pool_id = pool->pool_id;
    gs.size_kb = pfx_bytes_to_kb(rounded);
    gs.thick = spec->provisioning == SP_PROVISION_THICK;

    memset(out, 0, sizeof(*out));
    out->struct_size = sizeof(*out);
    st = pfx_gw_volume_create(pool->gw, &gs, out->id, sizeof(out->id), err);
    if (st == SP_E_EXISTS && spec->kind == SP_VOLUME_TEMPLATE) {
        /* The name is held: by a copy a V-Tree migration carried to another pool (this pool's
         * copy then takes the next free name), or by this pool's own (adopted below). */
        sp_volume_info here = SP_INIT(sp_volume_info);
        sp_error why = *err, look;
        char free_name[SP_NAME_MAX] = "";
        sp_status ls = pfx_vol_template_lookup(pool, spec->id, &here, free_name, sizeof(free_name), &look);
        if (ls == SP_E_NOT_FOUND && strcmp(free_name, name) != 0) {
            snprintf(name, sizeof(name), "%s", free_name);
            pfx_error_clear(err);
            st = pfx_gw_volume_create(pool->gw, &gs, out->id, sizeof(out->id), err);
        } else {
            if (ls == SP_OK)
                snprintf(name, sizeof(name), "%s", here.name);
            *err = why;
        }
    }
    if (st == SP_E_EXISTS && must_be_new) {
        /* The array answered that the name was taken before this request: not ours to adopt. */
        char other[SP_ID_MAX];
        sp_error lookup;
        out->id[0] = '\0';
        if (pfx_gw_volume_id_by_name(pool->gw, name, other, sizeof(other), &lookup) == SP_OK)
            return pfx_error(err, SP_E_EXISTS,
                             "pool %s already has a volume %s (%s); delete it or pick another id", pool->uuid,
                             name, other);
        return st;
    }
    if (pfx_vol_may_have_happened(st)) {
        sp_error why = *err;
        st = adopt_existing(pool, name, gs.size_kb, must_be_new, &why, out->id, sizeof(out->id), err);
    }
    if (st != SP_OK)
        return st;
    snprintf(out->path, sizeof(out->path), "%s:%s", out->id, name);
    snprintf(out->name, sizeof(out->name), "%s", name);
    snprintf(out->array_pool_id, sizeof(out->array_pool_id), "%s", pool->pool_id);
    snprintf(out->system_id, sizeof(out->system_id), "%s", pool->system_id);
    /* The array rounds exactly as we did, so the size is known without reading it back. */
    out->size_bytes = rounded;
    out->provisioning = spec->provisioning;
    out->format = SP_FORMAT_RAW;
    pfx_log(SP_LOG_INFO, "pool %s: created volume %s (%s), %" PRIu64 " GiB %s", pool->uuid, name, out->id,
            pfx_bytes_to_gb(rounded), gs.thick ? "thick" : "thin");
    return SP_OK;
}

sp_status pfx_vol_create(sp_pool *pool, const sp_volume_spec *spec, sp_volume_info *out, sp_error *err)
{
    return create_volume(pool, spec, 0, out, err);
}

sp_status pfx_vol_create_new(sp_pool *pool, const sp_volume_spec *spec, sp_volume_info *out, sp_error *err)
{
    return create_volume(pool, spec, 1, out, err);
}

sp_status pfx_vol_delete(sp_pool *pool, const sp_volume_ref *vol, sp_error *err)
{
    char id[SP_ID_MAX];
    sp_status st;

    PFX_ERR_GUARD(err);
    if (pool == NULL)
        return pfx_error(err, SP_E_INVALID, "delete_volume: no pool handle given");
    if ((st = pfx_path_volume_id(vol, id, sizeof(id), err)) != SP_OK)
        return st;
    st = pfx_vol_remove(pool, id, err);
    if (st != SP_OK)
        return pfx_error_prefix(err, "deleting volume %s", vol->path);
    pfx_log(SP_LOG_INFO, "pool %s: deleted volume %s", pool->uuid, vol->path);
    return SP_OK;
}

sp_status pfx_vol_resize(sp_pool *pool, const sp_volume_ref *vol, uint64_t new_size_bytes,
                         sp_volume_info *out, sp_error *err)
{
    char id[SP_ID_MAX];
    uint64_t rounded;
    sp_status st;

    PFX_ERR_GUARD(err);
    if (pool == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "resize_volume needs a pool and an output");
    PFX_SIZED(out, sp_volume_info, SP_VOLUME_INFO_SIZE_2_0, "resize_volume", err);
    if ((st = pfx_pool_check_usable(pool, "resizing a volume", 0, err)) != SP_OK)
        return st;
    if ((st = pfx_path_volume_id(vol, id, sizeof(id), err)) != SP_OK)
        return st;
    if ((st = pfx_round_size(new_size_bytes, vol->path, &rounded, err)) != SP_OK)
        return st;
    st = pfx_gw_volume_resize(pool->gw, id, pfx_bytes_to_gb(rounded), err);
    if (st == SP_OK)
        return pfx_vol_read(pool, id, out, err);
    /* Refused: say why in the host's terms, reading the volume only now that it matters. */
    if (st == SP_E_INVALID || st == SP_E_BACKEND) {
        sp_volume_info cur = SP_INIT(sp_volume_info);
        sp_error rd;
        if (pfx_vol_read(pool, id, &cur, &rd) == SP_OK) {
            if (cur.size_bytes == rounded) {
                *out = cur;
                pfx_error_clear(err);
                return SP_OK; /* already that size: nothing to do */
            }
            if (cur.size_bytes > rounded)
                return pfx_error(err, SP_E_INVALID,
                                 "volume %s is %" PRIu64 " GiB; PowerFlex volumes only grow (asked %" PRIu64
                                 " GiB after rounding to 8 GiB)",
                                 vol->path, pfx_bytes_to_gb(cur.size_bytes), pfx_bytes_to_gb(rounded));
        }
    }
    return pfx_error_prefix(err, "resizing volume %s", vol->path);
}

sp_status pfx_vol_get(sp_pool *pool, const sp_volume_ref *vol, sp_volume_info *out, sp_error *err)
{
    char id[SP_ID_MAX];
    pfx_gw_vtree_stats vs;
    sp_status st;

    PFX_ERR_GUARD(err);
    if (pool == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "get_volume needs a pool and an output");
    PFX_SIZED(out, sp_volume_info, SP_VOLUME_INFO_SIZE_2_0, "get_volume", err);
    if ((st = pfx_path_volume_id(vol, id, sizeof(id), err)) != SP_OK)
        return st;
    if ((st = pfx_vol_read(pool, id, out, err)) != SP_OK)
        return st;
    if (out->lineage_id[0] != '\0' && pfx_gw_vtree_get_stats(pool->gw, out->lineage_id, &vs, err) == SP_OK)
        out->used_bytes = pfx_kb_to_bytes(vs.net_provisioned_addresses_kb.value);
    pfx_error_clear(err);
    return SP_OK;
}

/* Whether an array name is this installation's: named with the current identifier or one it
 * used before (custom.cs.identifier.history), with any pool key (a V-Tree migration moves a volume
 * before it is renamed). The identifier it carries into matched (may be NULL). */
static int name_is_ours(const char *name, const char *ident, const char *history, char *matched, size_t mlen)
{
    const char *p = history;

    if (pfx_name_is_ours(name, NULL, ident)) {
        if (matched != NULL)
            snprintf(matched, mlen, "%s", ident);
        return 1;
    }
    while (p != NULL && *p) {
        char one[64];
        size_t n = strcspn(p, ",");
        if (n > 0 && n < sizeof(one)) {
            memcpy(one, p, n);
            one[n] = '\0';
            if (pfx_name_is_ours(name, NULL, one)) {
                if (matched != NULL)
                    snprintf(matched, mlen, "%s", one);
                return 1;
            }
        }
        p += n;
        p += *p == ',';
    }
    return 0;
}

int pfx_vol_name_is_ours(const char *name, char *identifier, size_t len)
{
    char ident[64], history[1024];

    if (!pfx_setting_text(SP_SCOPE_GLOBAL, NULL, PFX_SETTING_CS_IDENTIFIER, ident, sizeof(ident)) ||
        ident[0] == '\0')
        return 0;
    pfx_setting_text(SP_SCOPE_GLOBAL, NULL, PFX_SETTING_CS_IDENTIFIER_HISTORY, history, sizeof(history));
    return name_is_ours(name, ident, history, identifier, len);
}

typedef struct list_ctx {
    sp_pool *pool;
    const char *ident, *history;
    void (*each)(void *ctx, const sp_volume_info *vol);
    void *ctx;
} list_ctx;

static sp_status list_one(void *ctx, const pfx_gw_volume *v, sp_error *err)
{
    list_ctx *l = ctx;
    sp_volume_info info = SP_INIT(sp_volume_info);

    (void)err;
    /* Any pool key: volumes moved here by a V-Tree migration keep the name they were made with
     * in another pool until they are renamed. */
    if (!name_is_ours(v->name, l->ident, l->history, NULL, 0))
        return SP_OK;
    pfx_volume_info_from_gw(l->pool, v, &info);
    l->each(l->ctx, &info);
    return SP_OK;
}

/* The pool's list is streamed from the gateway and each volume handed on as it is parsed: a pool
 * of tens of thousands of volumes and snapshots costs the memory of one (bench/scale-bench). */
sp_status pfx_vol_list(sp_pool *pool, void (*each)(void *ctx, const sp_volume_info *vol), void *ctx,
                       sp_error *err)
{
    char ident[64], history[1024];
    list_ctx l;
    sp_status st;

    PFX_ERR_GUARD(err);
    if (pool == NULL || each == NULL)
        return pfx_error(err, SP_E_INVALID, "list_volumes needs a pool and a callback");
    if ((st = pfx_pool_identifier(ident, sizeof(ident), err)) != SP_OK)
        return st;
    pfx_setting_text(SP_SCOPE_GLOBAL, NULL, PFX_SETTING_CS_IDENTIFIER_HISTORY, history, sizeof(history));
    l.pool = pool;
    l.ident = ident;
    l.history = history;
    l.each = each;
    l.ctx = ctx;
    if ((st = pfx_gw_volume_each_in_pool(pool->gw, pool->pool_id, list_one, &l, NULL, err)) != SP_OK)
        return pfx_error_prefix(err, "pool %s", pool->uuid);
    return SP_OK;
}

/* The copy of a template in this pool: its names (naming.h, pfx_template_name) tried in order. */
sp_status pfx_vol_template_lookup(sp_pool *pool, uint64_t template_id, sp_volume_info *out, char *free_name,
                                  size_t free_len, sp_error *err)
{
    char ident[64], name[SP_NAME_MAX], id[SP_ID_MAX];
    sp_status st;

    if ((st = pfx_pool_identifier(ident, sizeof(ident), err)) != SP_OK)
        return st;
    for (unsigned variant = 0; variant < PFX_TEMPLATE_VARIANTS; variant++) {
        pfx_gw_volume v;
        int here;
        if ((st = pfx_template_name(template_id, variant, pool->pool_key, ident, name, sizeof(name), err)) !=
            SP_OK)
            return st;
        st = pfx_vol_lookup(pool, name, id, sizeof(id), &v, err);
        if (st == SP_E_NOT_FOUND) {
            if (free_name != NULL)
                snprintf(free_name, free_len, "%s", name);
            return pfx_error(err, SP_E_NOT_FOUND, "template %" PRIu64 " has no copy (%s) in pool %s yet",
                             template_id, name, pool->uuid);
        }
        if (st != SP_OK)
            return pfx_error_prefix(err, "looking for template copy %s", name);
        /* A copy a V-Tree migration carried to another pool keeps its name: not this pool's. */
        here = strcmp(v.storage_pool_id, pool->pool_id) == 0;
        if (here)
            pfx_volume_info_from_gw(pool, &v, out);
        pfx_gw_volume_clear(&v);
        if (here)
            return SP_OK;
    }
    return pfx_error(err, SP_E_EXISTS,
                     "template %" PRIu64
                     ": the %u names of its copies in pool %s are all held by copies V-Tree "
                     "migrations carried to other pools",
                     template_id, PFX_TEMPLATE_VARIANTS, pool->uuid);
}

sp_status pfx_vol_find(sp_pool *pool, const sp_volume_spec *spec, sp_volume_info *out, sp_error *err)
{
    char name[SP_NAME_MAX], id[SP_ID_MAX];
    pfx_gw_volume v;
    sp_status st;
    int here;

    PFX_ERR_GUARD(err);
    if (pool == NULL || spec == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "find_volume needs a pool, a spec and an output");
    PFX_SIZED(spec, sp_volume_spec, SP_VOLUME_SPEC_SIZE_2_0, "find_volume", err);
    PFX_SIZED(out, sp_volume_info, SP_VOLUME_INFO_SIZE_2_0, "find_volume", err);
    if (spec->kind == SP_VOLUME_TEMPLATE)
        return pfx_vol_template_lookup(pool, spec->id, out, NULL, 0, err);
    if ((st = pfx_vol_name(pool, spec->kind, spec->id, spec->parent_id, name, sizeof(name), err)) != SP_OK)
        return st;
    st = pfx_vol_lookup(pool, name, id, sizeof(id), &v, err);
    if (st == SP_E_NOT_FOUND)
        return pfx_error(err, SP_E_NOT_FOUND, "pool %s has no volume %s", pool->uuid, name);
    if (st != SP_OK)
        return pfx_error_prefix(err, "looking for volume %s", name);
    here = strcmp(v.storage_pool_id, pool->pool_id) == 0;
    if (here)
        pfx_volume_info_from_gw(pool, &v, out);
    else
        pfx_error(err, SP_E_NOT_FOUND, "volume %s (%s) is in storage pool %s, not in pool %s (%s)", name, id,
                  v.storage_pool_id, pool->uuid, pool->pool_id);
    pfx_gw_volume_clear(&v);
    return here ? SP_OK : SP_E_NOT_FOUND;
}

/* The virtual size is the volume's sizeInKb; the used size is its V-Tree's
 * netProvisionedAddressesInKb, as CloudStack reports them. */
sp_status pfx_vol_stats(sp_pool *pool, const sp_volume_ref *vol, sp_volume_stats *out, sp_error *err)
{
    char id[SP_ID_MAX];
    sp_volume_info info = SP_INIT(sp_volume_info);
    pfx_gw_vtree_stats vs;
    sp_status st;

    PFX_ERR_GUARD(err);
    if (pool == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "get_volume_stats needs a pool and an output");
    PFX_SIZED(out, sp_volume_stats, SP_VOLUME_STATS_SIZE_2_0, "get_volume_stats", err);
    if ((st = pfx_path_volume_id(vol, id, sizeof(id), err)) != SP_OK)
        return st;
    if ((st = pfx_vol_read(pool, id, &info, err)) != SP_OK)
        return st;
    if ((st = pfx_gw_vtree_get_stats(pool->gw, info.lineage_id, &vs, err)) != SP_OK)
        return pfx_error_prefix(err, "volume %s", vol->path);
    out->struct_size = sizeof(*out);
    out->virtual_bytes = info.size_bytes;
    out->used_bytes = pfx_kb_to_bytes(vs.net_provisioned_addresses_kb.value);
    return SP_OK;
}
