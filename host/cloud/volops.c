/* volops.c - one volume on the array and on hosts: placement, creation, access, deletion.
 * The harness's rows change in the caller's transaction; the array's state is undone here on
 * failure, because a rollback cannot undo what the plugin already did. */
#include "config.h"

#include "volops.h"

#include "alert.h"
#include "alloc.h"
#include "api.h"
#include "clients.h"
#include "crypt.h"
#include "pools.h"
#include "store.h"
#include "undo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int host_vol_load(host_cs *cs, int64_t id, host_vol *v, host_err *e)
{
    char err[256];
    sqlite3_stmt *st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT uuid, name, type, state, coalesce(vm_id, 0), coalesce(pool_id, 0), zone_id, "
        "coalesce(offering_id, 0), coalesce(template_id, 0), path, size, provisioning, iops, bw "
        "FROM volume WHERE id = ?",
        "i", id);
    if (st == NULL)
        return host_fail_db(e, err);
    memset(v, 0, sizeof(*v));
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return host_fail(e, HOST_E_INTERNAL, "volume %lld vanished", (long long)id);
    }
    v->id = id;
    snprintf(v->uuid, sizeof(v->uuid), "%s", host_col_text(st, 0));
    snprintf(v->name, sizeof(v->name), "%s", host_col_text(st, 1));
    snprintf(v->type, sizeof(v->type), "%s", host_col_text(st, 2));
    snprintf(v->state, sizeof(v->state), "%s", host_col_text(st, 3));
    v->vm_id = sqlite3_column_int64(st, 4);
    v->pool_id = sqlite3_column_int64(st, 5);
    v->zone_id = sqlite3_column_int64(st, 6);
    v->offering_id = sqlite3_column_int64(st, 7);
    v->template_id = sqlite3_column_int64(st, 8);
    snprintf(v->path, sizeof(v->path), "%s", host_col_text(st, 9));
    v->size = (uint64_t)sqlite3_column_int64(st, 10);
    snprintf(v->provisioning, sizeof(v->provisioning), "%s", host_col_text(st, 11));
    snprintf(v->iops, sizeof(v->iops), "%s", host_col_text(st, 12));
    snprintf(v->bw, sizeof(v->bw), "%s", host_col_text(st, 13));
    sqlite3_finalize(st);
    return 0;
}

int host_offering_load(host_cs *cs, int64_t id, host_offering_row *o, host_err *e)
{
    char err[256];
    sqlite3_stmt *st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT kind, provisioning, iops, bw, tags, disksize, customized, maxiops FROM offering "
        "WHERE id = ?",
        "i", id);
    if (st == NULL)
        return host_fail_db(e, err);
    memset(o, 0, sizeof(*o));
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return host_fail(e, HOST_E_INTERNAL, "offering %lld vanished", (long long)id);
    }
    snprintf(o->kind, sizeof(o->kind), "%s", host_col_text(st, 0));
    snprintf(o->provisioning, sizeof(o->provisioning), "%s", host_col_text(st, 1));
    snprintf(o->iops, sizeof(o->iops), "%s", host_col_text(st, 2));
    snprintf(o->bw, sizeof(o->bw), "%s", host_col_text(st, 3));
    snprintf(o->tags, sizeof(o->tags), "%s", host_col_text(st, 4));
    o->disksize = sqlite3_column_int64(st, 5);
    o->customized = sqlite3_column_int(st, 6);
    /* CloudStack's PowerFlex driver: the iopsLimit detail, else the volume's max IOPS (which
     * comes from the offering's maxiops). */
    if (o->iops[0] == '\0' && sqlite3_column_int64(st, 7) > 0)
        snprintf(o->iops, sizeof(o->iops), "%lld", (long long)sqlite3_column_int64(st, 7));
    sqlite3_finalize(st);
    return 0;
}

int host_volume_new_data(host_cs *cs, const char *name, int64_t zone, int64_t offering, int64_t size_bytes,
                         int64_t vm, int64_t deviceid, int64_t *out, host_err *e)
{
    char err[512], uuid[37];
    host_offering_row o;
    int64_t size;

    if (host_offering_load(cs, offering, &o, e) != 0)
        return -1;
    if (strcmp(o.kind, "disk") != 0)
        return host_fail(e, HOST_E_PARAM, "diskofferingid names a service offering");
    if (o.customized && size_bytes <= 0)
        return host_fail(e, HOST_E_PARAM, "the disk offering is customized: give size in GB");
    if (!o.customized && size_bytes > 0)
        return host_fail(e, HOST_E_PARAM, "size is only for customized disk offerings");
    size = o.customized ? size_bytes : o.disksize;
    if (host_uuid(uuid) != 0)
        return host_fail(e, HOST_E_INTERNAL, "no randomness");
    if (host_sql_run(
            cs->db, err, sizeof(err),
            "INSERT INTO volume(uuid, name, type, vm_id, deviceid, size, provisioning, offering_id, zone_id, "
            "state, iops, bw, created) VALUES (?, ?, 'DATADISK', nullif(?, 0), nullif(?, 0), ?, ?, ?, ?, "
            "'Allocated', ?, ?, ?)",
            "ttiiitiitti", uuid, name != NULL ? name : uuid, vm, vm != 0 ? deviceid : (int64_t)0, size,
            o.provisioning, offering, zone, o.iops, o.bw, host_now()) < 0)
        return host_fail_db(e, err);
    *out = sqlite3_last_insert_rowid(cs->db);
    return 0;
}

sp_qos host_vol_qos(const host_vol *v)
{
    sp_qos q;
    q.bandwidth_limit_mbps = v->bw[0] ? v->bw : NULL;
    q.iops_limit = v->iops[0] ? v->iops : NULL;
    return q;
}

sp_provisioning host_provisioning(const char *type)
{
    return strcmp(type, "fat") == 0 ? SP_PROVISION_THICK : SP_PROVISION_THIN;
}

int host_pick_host_for_pool(host_cs *cs, int64_t pool_id, int64_t prefer, int64_t *out, host_err *e)
{
    char err[256];
    int64_t id = 0;

    if (host_sql_int(
            cs->db, &id, err, sizeof(err),
            "SELECT h.id FROM host h JOIN pool_host ph ON ph.host_id = h.id AND ph.pool_id = ?1 "
            "JOIN pool p ON p.id = ?1 WHERE ph.status = 'Up' AND h.state = 'Up' AND h.zone_id = p.zone_id "
            "AND (p.scope = 'ZONE' OR h.cluster_id = p.cluster_id) ORDER BY h.id = ?2 DESC, h.id LIMIT 1",
            "ii", pool_id, prefer) < 0)
        return host_fail_db(e, err);
    *out = id;
    return 0;
}

/* A template's image as the Adaptor takes it (strings in the struct). */
typedef struct template_image {
    char file[4096], url[4096], checksum[256], format[16];
    int64_t size, direct;
    sp_image_source src;
} template_image;

static int template_image_load(host_cs *cs, int64_t template_id, template_image *t, host_err *e)
{
    char err[512];

    memset(t, 0, sizeof(*t));
    if (host_sql_text(cs->db, t->file, sizeof(t->file), err, sizeof(err),
                      "SELECT path FROM template WHERE id = ?", "i", template_id) < 0 ||
        host_sql_text(cs->db, t->url, sizeof(t->url), err, sizeof(err),
                      "SELECT url FROM template WHERE id = ?", "i", template_id) < 0 ||
        host_sql_text(cs->db, t->checksum, sizeof(t->checksum), err, sizeof(err),
                      "SELECT checksum FROM template WHERE id = ?", "i", template_id) < 0 ||
        host_sql_text(cs->db, t->format, sizeof(t->format), err, sizeof(err),
                      "SELECT format FROM template WHERE id = ?", "i", template_id) < 0 ||
        host_sql_int(cs->db, &t->size, err, sizeof(err), "SELECT size FROM template WHERE id = ?", "i",
                     template_id) < 0 ||
        host_sql_int(cs->db, &t->direct, err, sizeof(err), "SELECT directdownload FROM template WHERE id = ?",
                     "i", template_id) < 0)
        return host_fail_db(e, err);
    t->src = (sp_image_source)SP_INIT(sp_image_source);
    t->src.path = t->direct ? NULL : t->file;
    t->src.url = t->direct ? t->url : NULL;
    t->src.checksum = t->checksum[0] ? t->checksum : NULL;
    t->src.format = strcmp(t->format, "QCOW2") == 0 ? SP_FORMAT_QCOW2 : SP_FORMAT_RAW;
    return 0;
}

int host_template_seed(host_cs *cs, int64_t template_id, int64_t pool_id, int64_t host_id, char *path,
                       size_t pathlen, host_err *e)
{
    char err[512], puuid[40];
    int adopted;
    int64_t intent = 0;
    sp_pool *pool;
    sp_volume_info info = SP_INIT(sp_volume_info);
    sp_volume_spec spec = SP_INIT(sp_volume_spec);
    template_image img;
    host_href href;
    host_progress hp;
    sp_error se;
    sp_status s;

    if (host_sql_text(cs->db, path, pathlen, err, sizeof(err),
                      "SELECT path FROM template_pool WHERE template_id = ? AND pool_id = ?", "ii",
                      template_id, pool_id) < 0)
        return host_fail_db(e, err);
    if (path[0] != '\0')
        return 0;
    if (host_pool_open(cs, pool_id, &pool, e) != 0)
        return -1;
    host_pool_uuid(cs, pool_id, puuid);
    memset(&se, 0, sizeof(se));
    info = (sp_volume_info)SP_INIT(sp_volume_info);
    s = cs->sp->driver->find_template(pool, (uint64_t)template_id, &info, &se);
    /* On the array but not recorded: a copy whose end nobody saw (a start resolves the ones a
     * killed harness left; this one came from elsewhere). Its data is not known whole, so it
     * is written again, onto that volume. */
    adopted = s == SP_OK;
    if (s != SP_OK && s != SP_E_NOT_FOUND)
        return host_fail_sp(e, s, &se, "storage pool %s: cannot look for template %lld", puuid,
                            (long long)template_id);
    if (template_image_load(cs, template_id, &img, e) != 0)
        return -1;
    if (host_href_load(cs, host_id, &href, e) != 0)
        return -1;
    /* Until its copy is recorded the template volume holds part of the image: a command that does
     * not commit takes it back, found by its name (an adopted one too: it is written again). */
    if (host_undo_announce(cs, HOST_INTENT_CREATE, pool_id, "template", SP_VOLUME_TEMPLATE, template_id, 0,
                           adopted ? info.path : NULL, 0, &intent, e) != 0)
        return -1;
    if (!adopted) {
        spec = (sp_volume_spec)SP_INIT(sp_volume_spec);
        spec.kind = SP_VOLUME_TEMPLATE;
        spec.id = (uint64_t)template_id;
        spec.size_bytes = (uint64_t)img.size;
        spec.provisioning = SP_PROVISION_THIN;
        memset(&se, 0, sizeof(se));
        s = cs->sp->driver->create_volume(pool, &spec, &info, &se);
        if (s != SP_OK)
            return host_fail_sp(e, s, &se, "storage pool %s: cannot create the volume for template %lld",
                                puuid, (long long)template_id);
    }
    host_undo_done(cs, intent, info.path);
    host_progress_init(&hp, cs, "seed template");
    memset(&se, 0, sizeof(se));
    s = cs->sp->adaptor->copy_image_to_volume(pool, &img.src, &(sp_volume_ref){info.path}, &href.ref, &hp.p,
                                              &se);
    host_progress_done(&hp);
    if (s != SP_OK)
        return host_fail_sp(e, s, &se, "storage pool %s: seeding template %lld through host %s failed", puuid,
                            (long long)template_id, href.name);
    /* A create answers without the V-Tree; the volumes cloned from this copy join its V-Tree,
     * and a V-Tree migration of one of them moves the copy too (migrate.c follows tree_id). */
    if (info.lineage_id[0] == '\0') {
        char path_copy[SP_PATH_MAX];
        snprintf(path_copy, sizeof(path_copy), "%s", info.path);
        memset(&se, 0, sizeof(se));
        s = cs->sp->driver->get_volume(pool, &(sp_volume_ref){path_copy}, &info, &se);
        if (s != SP_OK)
            return host_fail_sp(e, s, &se, "storage pool %s: cannot read back the copy of template %lld",
                                puuid, (long long)template_id);
    }
    if (host_sql_run(
            cs->db, err, sizeof(err),
            "INSERT INTO template_pool(template_id, pool_id, path, size, tree_id) VALUES (?, ?, ?, ?, ?)",
            "iitut", template_id, pool_id, info.path, info.size_bytes, info.lineage_id) < 0)
        return host_fail_db(e, err);
    snprintf(path, pathlen, "%s", info.path);
    return 0;
}

/* The template copy's clone was refused for room: on PowerFlex its V-Tree holds the most clones
 * and snapshots the array allows (126). The volume gets the image copied whole instead, in a
 * V-Tree of its own (a blank volume, then Adaptor.copy_image_to_volume through host_id). *s and
 * *se say how that went (the pool may really be full: the blank create says so); 0, or -1 with e
 * set when the template or the host cannot be read. */
static int full_copy(host_cs *cs, sp_pool *pool, const char *puuid, int64_t template_id, int64_t host_id,
                     const sp_volume_spec *spec, int64_t intent, sp_volume_info *info, sp_error *se,
                     sp_status *s, host_err *e)
{
    char why[SP_ERROR_MESSAGE_MAX];
    template_image img;
    host_href href;
    host_progress hp;

    if (template_image_load(cs, template_id, &img, e) != 0 || host_href_load(cs, host_id, &href, e) != 0)
        return -1;
    snprintf(why, sizeof(why), "%s", se->message);
    host_event(cs, "VOLUME.CREATE",
               "storage pool %s refused a clone of template %lld (%.300s): copying the image whole", puuid,
               (long long)template_id, why);
    memset(se, 0, sizeof(*se));
    *info = (sp_volume_info)SP_INIT(sp_volume_info);
    *s = cs->sp->driver->create_volume(pool, spec, info, se);
    if (*s != SP_OK)
        return 0;
    /* Made: a failure from here on fails the command, whose rollback takes the volume back. */
    host_undo_done(cs, intent, info->path);
    host_progress_init(&hp, cs, "copy template");
    memset(se, 0, sizeof(*se));
    *s = cs->sp->adaptor->copy_image_to_volume(pool, &img.src, &(sp_volume_ref){info->path}, &href.ref, &hp.p,
                                               se);
    host_progress_done(&hp);
    return 0;
}

/* A new volume made an encrypted disk (its offering asks for it), as CloudStack does on PowerFlex:
 * the volume gets a passphrase, and a host formats it, writing the template in for a ROOT volume
 * (which is therefore a volume of its own, not a clone of the pool's template copy). When the
 * template and the encryption's headers do not fit, the volume grows by 1 GiB first (the array
 * rounds that up to its next 8 GiB), as CloudStack's driver does. */
static int encrypt_new(host_cs *cs, sp_pool *pool, int64_t pool_id, const host_vol *v, sp_volume_info *info,
                       int64_t host_id, int64_t template_id, host_err *e)
{
    char err[256];
    template_image img;
    host_href href;
    host_progress hp;
    host_crypt c;
    sp_disk_info d;
    sp_error se;
    sp_status s;
    int rc = -1;

    if (!SP_HAS(cs->sp->adaptor, format_encrypted))
        return host_fail(e, HOST_E_UNSUPPORTED, "the storage plugin cannot make encrypted volumes");
    if (host_vol_encryption_new(cs, v->id, e) != 0)
        return -1;
    if (host_id == 0 && host_pick_host_for_pool(cs, pool_id, 0, &host_id, e) != 0)
        return -1;
    if (host_id == 0)
        return host_fail(e, HOST_E_UNAVAILABLE, "no host can reach the storage pool to encrypt volume %s",
                         v->name);
    if (host_href_load(cs, host_id, &href, e) != 0 ||
        (template_id != 0 && template_image_load(cs, template_id, &img, e) != 0))
        return -1;
    if (host_crypt_open(cs, v->id, &c, e) != 1)
        return -1;
    /* The Adaptor maps the volume to the host for the format: a kill meanwhile leaves that
     * mapping, which the next start takes away with the create it belongs to (resolve.c). */
    if (host_undo_announce(cs, HOST_INTENT_MAP, pool_id, "volume", 0, v->id, 0, info->path, href.id, NULL,
                           e) != 0)
        goto out;
    for (int grown = 0;; grown++) {
        host_progress_init(&hp, cs, "encrypt");
        memset(&se, 0, sizeof(se));
        d = (sp_disk_info)SP_INIT(sp_disk_info);
        s = cs->sp->adaptor->format_encrypted(pool, &(sp_volume_ref){info->path}, &href.ref, &c.enc,
                                              template_id != 0 ? &img.src : NULL, &hp.p, &d, &se);
        host_progress_done(&hp);
        if (s != SP_E_NO_SPACE || template_id == 0 || grown > 0)
            break;
        {
            sp_volume_info r = SP_INIT(sp_volume_info);
            char path[SP_PATH_MAX];
            snprintf(path, sizeof(path), "%s", info->path);
            if (host_undo_announce(cs, HOST_INTENT_RESIZE, pool_id, "volume", 0, v->id, 0, path, 0, NULL,
                                   e) != 0)
                goto out;
            memset(&se, 0, sizeof(se));
            s = cs->sp->driver->resize_volume(pool, &(sp_volume_ref){path},
                                              info->size_bytes + ((uint64_t)1 << 30), &r, &se);
            if (s != SP_OK)
                break;
            info->size_bytes = r.size_bytes;
        }
    }
    if (s != SP_OK) {
        host_fail_sp(e, s, &se, "Failed to encrypt volume %s through host %s", v->name, href.name);
        goto out;
    }
    if (host_crypt_record(cs, v->id, &d, e) != 0)
        goto out;
    if (host_sql_run(cs->db, err, sizeof(err), "UPDATE volume SET size = ? WHERE id = ?", "ui",
                     info->size_bytes, v->id) < 0) {
        host_fail_db(e, err);
        goto out;
    }
    rc = 0;
out:
    host_crypt_close(&c);
    return rc;
}

int host_vol_realize(host_cs *cs, int64_t volume_id, int64_t cluster_id, int64_t host_id, host_err *e)
{
    host_vol v;
    host_alloc_req req;
    char err[512], why[1024], tags[512] = "", format[16] = "", tpath[SP_PATH_MAX], puuid[40];
    int64_t pool_id = 0, tsize = 0, is_iso = 0, intent = 0;
    sp_pool *pool;
    sp_volume_spec spec = SP_INIT(sp_volume_spec);
    sp_volume_info info = SP_INIT(sp_volume_info);
    sp_error se;
    sp_status s;
    int encrypted;

    if (host_vol_load(cs, volume_id, &v, e) != 0)
        return -1;
    if (v.pool_id != 0)
        return 0;
    if (host_need_plugin(cs, e) != 0)
        return -1;
    if ((encrypted = host_offering_encrypts(cs, v.offering_id, e)) < 0)
        return -1;
    if (v.offering_id != 0 && host_sql_text(cs->db, tags, sizeof(tags), err, sizeof(err),
                                            "SELECT tags FROM offering WHERE id = ?", "i", v.offering_id) < 0)
        return host_fail_db(e, err);
    if (v.template_id != 0) {
        if (host_sql_text(cs->db, format, sizeof(format), err, sizeof(err),
                          "SELECT format FROM template WHERE id = ?", "i", v.template_id) < 0 ||
            host_sql_int(cs->db, &tsize, err, sizeof(err), "SELECT size FROM template WHERE id = ?", "i",
                         v.template_id) < 0)
            return host_fail_db(e, err);
        is_iso = strcmp(format, "ISO") == 0;
    }
    memset(&req, 0, sizeof(req));
    req.zone_id = v.zone_id;
    req.cluster_id = cluster_id;
    req.tags = tags;
    req.size = v.size;
    if (v.template_id != 0 && !is_iso) {
        if ((uint64_t)tsize > req.size)
            req.size = (uint64_t)tsize;
        req.template_id = v.template_id;
        req.template_size = (uint64_t)tsize;
    }
    if (host_alloc_pool(cs, &req, &pool_id, why, sizeof(why), e) != 0)
        return -1;
    if (pool_id == 0)
        return host_fail(e, HOST_E_CAPACITY,
                         "Unable to find suitable primary storage for volume %s (%s, %llu bytes%s%s): %s",
                         v.name, v.type, (unsigned long long)req.size, tags[0] ? ", tags " : "", tags, why);
    if (host_pool_open(cs, pool_id, &pool, e) != 0)
        return -1;
    host_pool_uuid(cs, pool_id, puuid);
    spec = (sp_volume_spec)SP_INIT(sp_volume_spec);
    spec.kind = strcmp(v.type, "ROOT") == 0 ? SP_VOLUME_ROOT : SP_VOLUME_DATA;
    spec.id = (uint64_t)v.id;
    spec.size_bytes = req.size;
    spec.provisioning = host_provisioning(v.provisioning);
    spec.qos = host_vol_qos(&v);
    memset(&se, 0, sizeof(se));
    info = (sp_volume_info)SP_INIT(sp_volume_info);
    if (v.template_id != 0 && !is_iso && !encrypted) {
        if (host_template_seed(cs, v.template_id, pool_id, host_id, tpath, sizeof(tpath), e) != 0 ||
            host_undo_announce(cs, HOST_INTENT_CREATE, pool_id, "volume", spec.kind, v.id, 0, NULL, 0,
                               &intent, e) != 0)
            return -1;
        s = cs->sp->driver->create_volume_from_template(pool, &(sp_volume_ref){tpath}, &spec, &info, &se);
        if (s == SP_E_NO_SPACE &&
            full_copy(cs, pool, puuid, v.template_id, host_id, &spec, intent, &info, &se, &s, e) != 0)
            return -1;
    } else {
        if (host_undo_announce(cs, HOST_INTENT_CREATE, pool_id, "volume", spec.kind, v.id, 0, NULL, 0,
                               &intent, e) != 0)
            return -1;
        s = cs->sp->driver->create_volume(pool, &spec, &info, &se);
    }
    if (s != SP_OK)
        return host_fail_sp(e, s, &se, "Failed to create volume %s on storage pool %s", v.name, puuid);
    host_undo_done(cs, intent, info.path);
    if (host_sql_run(
            cs->db, err, sizeof(err),
            "UPDATE volume SET pool_id = ?, path = ?, size = ?, tree_id = ?, state = 'Ready' WHERE id = ?",
            "ituti", pool_id, info.path, info.size_bytes, info.lineage_id, v.id) < 0)
        return host_fail_db(e, err);
    if (encrypted && encrypt_new(cs, pool, pool_id, &v, &info, host_id, is_iso ? 0 : v.template_id, e) != 0)
        return -1;
    /* The array's figures moved; the allocator reads them from the pool row. */
    {
        host_err ignored;
        host_pool_refresh(cs, pool_id, &ignored);
    }
    host_event(cs, "VOLUME.CREATE", "volume %s created on storage pool %s (%llu bytes)", v.name, puuid,
               (unsigned long long)info.size_bytes);
    return 0;
}

int host_vol_delete_on_array(host_cs *cs, const host_vol *v, host_err *e)
{
    sp_pool *pool;
    sp_error se;
    sp_status s;

    if (v->pool_id == 0 || v->path[0] == '\0')
        return 0;
    if (host_pool_open(cs, v->pool_id, &pool, e) != 0 ||
        host_undo_announce(cs, HOST_INTENT_DELETE, v->pool_id, "volume", 0, v->id, 0, v->path, 0, NULL, e) !=
            0)
        return -1;
    memset(&se, 0, sizeof(se));
    s = cs->sp->driver->delete_volume(pool, &(sp_volume_ref){v->path}, &se);
    if (s != SP_OK)
        return host_fail_sp(e, s, &se, "Failed to delete volume %s", v->name);
    return 0;
}

/* A client prepared for an access that then failed leaves again (on demand; logged when it cannot). */
static void release_quietly(host_cs *cs, sp_pool *pool, int64_t pool_id, const host_href *href)
{
    host_err ce;

    memset(&ce, 0, sizeof(ce));
    if (host_client_release(cs, pool, pool_id, href, 1, &ce) != 0)
        cs->svc.table.log(&cs->svc, SP_LOG_WARN, ce.text);
}

int host_vol_delete_after_commit(host_cs *cs, const host_vol *v, host_err *e)
{
    if (v->pool_id == 0 || v->path[0] == '\0')
        return 0;
    return host_undo_announce(cs, HOST_INTENT_DELETE_AFTER, v->pool_id, "volume", 0, v->id, 0, v->path, 0,
                              NULL, e);
}

int host_access_grant(host_cs *cs, int64_t volume_id, int64_t host_id, int allow_multiple, host_err *e)
{
    host_vol v;
    host_href href;
    sp_pool *pool;
    sp_qos qos;
    sp_disk_info disk = SP_INIT(sp_disk_info);
    sp_error se;
    sp_status s;
    char err[256], why[512];
    int reach = 0;
    int64_t intent = 0;

    if (host_vol_load(cs, volume_id, &v, e) != 0 || host_href_load(cs, host_id, &href, e) != 0)
        return -1;
    if (v.pool_id == 0)
        return host_fail(e, HOST_E_INTERNAL, "volume %s is not on a storage pool yet", v.name);
    if (host_pool_client_check(cs, v.pool_id, host_id, &reach, why, sizeof(why), e) != 0)
        return -1;
    if (!reach)
        return host_fail(e, HOST_E_UNAVAILABLE,
                         "host %s cannot reach the storage pool of volume %s (no connected SDC%s%.600s)",
                         href.name, v.name, why[0] ? ": " : "", why);
    if (host_pool_open(cs, v.pool_id, &pool, e) != 0)
        return -1;
    /* On demand, the host's client joins the pool's array before its first volume there. One that
     * cannot (other than for the array's limit on clients) is CloudStack's "SDC disconnected"
     * host alert, as its grant raises when prepareSDC finds no connected SDC. */
    if (host_client_prepare(cs, pool, v.pool_id, &href, 0, e) != 0) {
        if (e->code != HOST_E_CAPACITY) {
            char subject[256];
            snprintf(subject, sizeof(subject), "SDC disconnected on host: %s", href.uuid);
            host_alert_raise(cs, HOST_ALERT_TYPE_HOST, host_id, v.pool_id, subject, e->text);
        }
        return -1;
    }
    qos = host_vol_qos(&v);
    /* A mapping the command does not commit is made to follow the VMs as the rows say (resolve.c). */
    if (host_undo_announce(cs, HOST_INTENT_MAP, v.pool_id, "volume", 0, v.id, 0, v.path, host_id, &intent,
                           e) != 0)
        return -1;
    memset(&se, 0, sizeof(se));
    s = cs->sp->driver->grant_access(pool, &(sp_volume_ref){v.path}, &href.ref, &qos, allow_multiple, &se);
    if (s != SP_OK)
        return host_fail_sp(e, s, &se, "Failed to grant volume %s to host %s", v.name, href.name);
    host_undo_done(cs, intent, NULL);
    memset(&se, 0, sizeof(se));
    disk = (sp_disk_info)SP_INIT(sp_disk_info);
    s = cs->sp->adaptor->connect_volume(pool, &(sp_volume_ref){v.path}, &href.ref, &disk, &se);
    if (s != SP_OK)
        return host_fail_sp(e, s, &se, "Failed to connect volume %s on host %s", v.name, href.name);
    if (host_sql_run(cs->db, err, sizeof(err),
                     "INSERT OR REPLACE INTO access(volume_id, host_id, devpath) VALUES (?, ?, ?)", "iit",
                     volume_id, host_id, disk.path) < 0)
        return host_fail_db(e, err);
    return 0;
}

int host_access_revoke(host_cs *cs, int64_t volume_id, int64_t host_id, host_err *e)
{
    host_vol v;
    host_href href;
    sp_pool *pool;
    sp_error se;
    sp_status s;
    char err[256];
    int64_t intent = 0;

    if (host_vol_load(cs, volume_id, &v, e) != 0 || host_href_load(cs, host_id, &href, e) != 0)
        return -1;
    if (v.pool_id != 0) {
        if (host_pool_open(cs, v.pool_id, &pool, e) != 0)
            return -1;
        /* Revoke, then wait for the device to go (the Adaptor's contract). CloudStack only logs a
         * failed revoke and leaves the mapping behind; the harness fails the command. */
        if (host_undo_announce(cs, HOST_INTENT_MAP, v.pool_id, "volume", 0, v.id, 0, v.path, host_id, &intent,
                               e) != 0)
            return -1;
        memset(&se, 0, sizeof(se));
        s = cs->sp->driver->revoke_access(pool, &(sp_volume_ref){v.path}, &href.ref, &se);
        if (s != SP_OK)
            return host_fail_sp(e, s, &se, "Failed to revoke volume %s from host %s", v.name, href.name);
        host_undo_done(cs, intent, NULL);
        memset(&se, 0, sizeof(se));
        s = cs->sp->adaptor->disconnect_volume(pool, &(sp_volume_ref){v.path}, &href.ref, &se);
        if (s != SP_OK)
            return host_fail_sp(e, s, &se, "Failed to disconnect volume %s on host %s", v.name, href.name);
    }
    if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM access WHERE volume_id = ? AND host_id = ?", "ii",
                     volume_id, host_id) < 0)
        return host_fail_db(e, err);
    /* The host's last volume of the pool went: on demand, its client leaves the array. The revoke
     * stands whatever happens here; a client that could not leave is said in the log. */
    if (v.pool_id != 0)
        release_quietly(cs, pool, v.pool_id, &href);
    return 0;
}

int host_access_revoke_all(host_cs *cs, int64_t volume_id, host_err *e)
{
    char err[256];
    sqlite3_stmt *st = host_sql_prepare(cs->db, err, sizeof(err),
                                        "SELECT host_id FROM access WHERE volume_id = ?", "i", volume_id);
    int64_t *ids;
    size_t n;
    int rc = 0;

    if (st == NULL)
        return host_fail_db(e, err);
    if (host_stmt_ids(cs, st, &ids, &n, e) != 0)
        return -1;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = host_access_revoke(cs, volume_id, ids[i], e);
    free(ids);
    return rc;
}
