/* api_template.c - templates and ISOs on the harness's secondary storage (a directory under the
 * work dir): registerTemplate/registerIso from a local file or a direct-download URL, listing,
 * deletion, and createTemplate from a volume or snapshot through Adaptor.copy_volume_to_image. */
#include "config.h"

#include "api.h"
#include "fsutil.h"
#include "http.h"
#include "imageinspect.h"
#include "imagepath.h"
#include "objects.h"
#include "poolh.h"
#include "runprog.h"
#include "store.h"
#include "undo.h"
#include "vmops.h"
#include "volops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

int host_json_template(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e)
{
    char err[256], created[32];
    sqlite3_stmt *st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT uuid, name, displaytext, format, type, size, physicalsize, coalesce(zone_id, 0), "
        "directdownload, state, ostype, checksum, created, url FROM template WHERE id = ?",
        "i", id);
    if (st == NULL)
        return host_fail_db(e, err);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return host_fail(e, HOST_E_INTERNAL, "template %lld vanished", (long long)id);
    }
    host_timestamp(sqlite3_column_int64(st, 12), created);
    host_jsonw_object_begin(w, key);
    host_jsonw_string(w, "id", host_col_text(st, 0));
    host_jsonw_string(w, "name", host_col_text(st, 1));
    host_jsonw_string(w, "displaytext", host_col_text(st, 2));
    host_jsonw_string(w, "format", host_col_text(st, 3));
    host_jsonw_string(w, "templatetype", host_col_text(st, 4));
    host_jsonw_string(w, "hypervisor", "KVM");
    host_jsonw_uint(w, "size", (uint64_t)sqlite3_column_int64(st, 5));
    host_jsonw_uint(w, "physicalsize", (uint64_t)sqlite3_column_int64(st, 6));
    if (sqlite3_column_int64(st, 7) != 0)
        host_json_ref(cs, w, "zone", "zone", sqlite3_column_int64(st, 7));
    else
        host_jsonw_bool(w, "crossZones", 1);
    host_jsonw_bool(w, "directdownload", sqlite3_column_int(st, 8));
    host_jsonw_string(
        w, "status", strcmp(host_col_text(st, 9), "Ready") == 0 ? "Download Complete" : host_col_text(st, 9));
    host_jsonw_bool(w, "isready", strcmp(host_col_text(st, 9), "Ready") == 0);
    host_jsonw_string(w, "ostypename", host_col_text(st, 10));
    if (*host_col_text(st, 11))
        host_jsonw_string(w, "checksum", host_col_text(st, 11));
    host_jsonw_string(w, "created", created);
    host_jsonw_object_end(w);
    sqlite3_finalize(st);
    return 0;
}

/* qemu-img info reads an untrusted image: limits as nova's (CPU time, address space). */
#define QEMU_IMG_CPU_S 30u
#define QEMU_IMG_AS_BYTES ((uint64_t)1 << 30)

/* qemu-img info --output=json -f FMT under limits, on a file the inspector passed: the virtual
 * and actual sizes; qemu-img must agree with the inspector (the format; no backing file, data
 * file or encryption). */
static int image_info(const char *url, const char *path, const char *qfmt, int64_t *virt, int64_t *actual,
                      host_err *e)
{
    const char *qemu_img = getenv("QEMU_IMG");
    char *const argv[] = {(char *)(qemu_img != NULL && *qemu_img ? qemu_img : "qemu-img"),
                          "info",
                          "--output=json",
                          "-f",
                          (char *)qfmt,
                          "--",
                          (char *)path,
                          NULL};
    const pfx_rlimits lim = {QEMU_IMG_CPU_S, QEMU_IMG_AS_BYTES};
    host_buf out = HOST_BUF_INIT;
    char err[1024];
    yajl_val root;
    const char *kf[] = {"format", NULL}, *kv[] = {"virtual-size", NULL}, *ka[] = {"actual-size", NULL},
               *kb[] = {"backing-filename", NULL}, *kd[] = {"format-specific", "data", "data-file", NULL},
               *ke[] = {"encrypted", NULL};
    yajl_val f, v, a;
    int rc = -1;

    if (host_run_limited(argv, &lim, &out, err, sizeof(err)) != 0) {
        host_buf_free(&out);
        return host_fail(e, HOST_E_PARAM, "url %s: qemu-img cannot read it as %s: %s", url, qfmt, err);
    }
    root = yajl_tree_parse(host_buf_str(&out), err, sizeof(err));
    host_buf_free(&out);
    f = yajl_tree_get(root, kf, yajl_t_string);
    v = yajl_tree_get(root, kv, yajl_t_number);
    a = yajl_tree_get(root, ka, yajl_t_number);
    if (f == NULL || v == NULL)
        host_fail(e, HOST_E_PARAM, "url %s: qemu-img could not tell its format and size", url);
    else if (strcmp(f->u.string, qfmt) != 0)
        host_fail(e, HOST_E_PARAM, "url %s: qemu-img reads it as %.40s, not %s", url, f->u.string, qfmt);
    else if (yajl_tree_get(root, kb, yajl_t_any) != NULL)
        host_fail(e, HOST_E_PARAM, "url %s: qemu-img sees a backing file; templates must be self-contained",
                  url);
    else if (yajl_tree_get(root, kd, yajl_t_any) != NULL)
        host_fail(e, HOST_E_PARAM, "url %s: qemu-img sees an external data file", url);
    else if (YAJL_IS_TRUE(yajl_tree_get(root, ke, yajl_t_any)))
        host_fail(e, HOST_E_PARAM, "url %s: qemu-img sees an encrypted image", url);
    else
        rc = 0;
    if (rc == 0) {
        *virt = YAJL_GET_INTEGER(v);
        *actual = a != NULL ? YAJL_GET_INTEGER(a) : 0;
    }
    yajl_tree_free(root);
    return rc;
}

/* The staged copy read in our own code first (imageinspect.h), then, for a template, by qemu-img
 * info as its declared format. */
static int inspect_image(const char *url, const char *file, int iso, int qcow2, int64_t *virt,
                         int64_t *actual, host_err *e)
{
    pfx_image_report rep;
    sp_error se;

    memset(&se, 0, sizeof(se));
    if (pfx_image_inspect_file(file,
                               iso     ? PFX_IMAGE_ISO
                               : qcow2 ? PFX_IMAGE_QCOW2
                                       : PFX_IMAGE_RAW,
                               0, &rep, &se) != SP_OK)
        return host_fail(e, HOST_E_PARAM, "url %s is refused: %s", url, se.message);
    if (iso) {
        *virt = *actual = (int64_t)rep.virtual_size;
        return 0;
    }
    return image_info(url, file, qcow2 ? "qcow2" : "raw", virt, actual, e);
}

/* "scheme://" at the start of url, or NULL. */
static const char *scheme_end(const char *url)
{
    size_t n = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
    return n > 0 && strncmp(url + n, "://", 3) == 0 ? url + n : NULL;
}

/* Brings the image into a private file on secondary storage, which everything after reads: a
 * local file from the image directories is copied, a direct-download URL fetched (and dropped
 * once described: hosts download it themselves). */
static int stage_image(host_cs *cs, const char *url, const char *src, int direct, const char *stage,
                       host_err *e)
{
    char err[512];
    int fd;

    if (direct) {
        if (host_http_fetch(url, stage, err, sizeof(err)) != 0)
            return host_fail(e, HOST_E_PARAM, "url %s cannot be downloaded: %s", url, err);
        return 0;
    }
    if (host_image_open(cs, url, src, &fd, e) != 0)
        return -1;
    if (host_copy_fd(fd, stage, 0644) != 0) {
        int saved = errno;
        close(fd);
        unlink(stage);
        return host_fail(e, HOST_E_INTERNAL, "cannot copy %s to secondary storage: %s", url, strerror(saved));
    }
    close(fd);
    return 0;
}

/* A URL for messages: without "user:password@" and without its query. */
static void url_shown(const char *url, char *buf, size_t len)
{
    const char *scheme = strstr(url, "://"), *host = scheme != NULL ? scheme + 3 : url;
    const char *at = strchr(host, '@'), *slash = strchr(host, '/');

    if (at != NULL && (slash == NULL || at < slash))
        snprintf(buf, len, "%.*s%.*s", (int)(host - url), url, (int)strcspn(at + 1, "?#"), at + 1);
    else
        snprintf(buf, len, "%.*s", (int)strcspn(url, "?#"), url);
}

static uint64_t be64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* A direct-download template's sizes from its URL, as CloudStack learns them without downloading
 * it: the QCOW2 header's virtual size (read over HTTP, as its QCOW2Utils does) or a RAW image's
 * length; an unreachable URL is its "Invalid URL". No qemu-img on the URL (whose curl driver a
 * host may lack): the image safety checks run on the staged download (stage_image). */
static int remote_image_info(const char *url, const char *fmt, int64_t *virt, int64_t *actual, host_err *e)
{
    host_buf head = HOST_BUF_INIT;
    char err[512], shown[1024];
    long long len = -1;
    const unsigned char *h;
    int qcow2, rc = -1;

    url_shown(url, shown, sizeof(shown));
    if (host_http_head(url, 512, &head, &len, err, sizeof(err)) != 0) {
        host_fail(e, HOST_E_PARAM, "Invalid URL %s for a direct download template: %s", shown, err);
        goto out;
    }
    h = (const unsigned char *)host_buf_str(&head);
    qcow2 = head.len >= 4 && memcmp(h, "QFI\xfb", 4) == 0;
    if (strcasecmp(fmt, "QCOW2") == 0) {
        if (!qcow2 || head.len < 32) {
            host_fail(e, HOST_E_PARAM, "%s is not a QCOW2 image (no QCOW2 header at its start)", shown);
            goto out;
        }
        if (be64(h + 8) != 0) {
            host_fail(e, HOST_E_PARAM, "%s names a backing file; a template must be a whole image", shown);
            goto out;
        }
        *virt = (int64_t)be64(h + 24);
        *actual = len > 0 ? len : 0;
    } else {
        if (qcow2) {
            host_fail(e, HOST_E_PARAM, "%s is a QCOW2 image, not RAW", shown);
            goto out;
        }
        if (len <= 0) {
            host_fail(e, HOST_E_PARAM,
                      "%s: the server does not say the image's length (a RAW template's size)", shown);
            goto out;
        }
        *virt = *actual = len;
    }
    if (*virt <= 0) {
        host_fail(e, HOST_E_PARAM, "%s: the image's virtual size is 0", shown);
        goto out;
    }
    rc = 0;
out:
    host_buf_free(&head);
    return rc;
}

static int register_image(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e, int iso)
{
    const char *name = host_param(cmd, "name", 1, e), *url = host_param(cmd, "url", 1, e);
    const char *fmt = iso ? "ISO" : host_param(cmd, "format", 1, e),
               *type = host_param(cmd, "templatetype", 0, e);
    const char *text = host_param(cmd, "displaytext", 0, e), *hv = host_param(cmd, "hypervisor", 0, e);
    const char *zparam = host_param(cmd, "zoneid", 0, e), *src = NULL, *scheme;
    char uuid[37], err[512], *dir = NULL, *dest = NULL, *stage_dir = NULL, *stage = NULL;
    int64_t zone = 0, virt = 0, actual = 0, id;
    int direct = 0, rc = -1, qcow2;

    if (name == NULL || url == NULL || fmt == NULL ||
        host_param_bool(cmd, "directdownload", 0, &direct, e) != 0)
        return -1;
    if (zparam != NULL && strcmp(zparam, "-1") != 0 &&
        host_param_ref(cs, cmd, "zoneid", "zone", 1, &zone, e) != 0)
        return -1;
    if (hv != NULL && strcasecmp(hv, "KVM") != 0)
        return host_fail(e, HOST_E_PARAM, "hypervisor %s: the harness's hosts are KVM", hv);
    if (!iso && strcasecmp(fmt, "QCOW2") != 0 && strcasecmp(fmt, "RAW") != 0)
        return host_fail(e, HOST_E_PARAM, "format %s: KVM templates on %s pools are QCOW2 or RAW", fmt,
                         cs->sp != NULL ? cs->sp->name : "these");
    qcow2 = !iso && strcasecmp(fmt, "QCOW2") == 0;
    if (type != NULL && strcasecmp(type, "SYSTEM") != 0 && strcasecmp(type, "USER") != 0)
        return host_fail(e, HOST_E_PARAM, "templatetype %s: USER or SYSTEM", type);
    scheme = scheme_end(url);
    if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) {
        if (!direct)
            return host_fail(
                e, HOST_E_PARAM,
                "url %s: the harness's secondary storage takes local files; pass directdownload=true to have "
                "hosts download it",
                url);
        if (iso)
            return host_fail(e, HOST_E_PARAM, "ISOs are registered from local files");
        /* CloudStack's checks of the URL (reachable, the declared format's header, the sizes)
         * come first and answer as it does; the download the inspection needs comes after. */
        if (remote_image_info(url, fmt, &virt, &actual, e) != 0)
            return -1;
    } else if (scheme != NULL && strncmp(url, "file://", 7) != 0) {
        return host_fail(e, HOST_E_PARAM,
                         "url %s: scheme %.*s is refused; images come from http(s) URLs or local files", url,
                         (int)(scheme - url), url);
    } else {
        src = scheme != NULL ? url + 7 : url;
        if (src[0] != '/')
            return host_fail(e, HOST_E_PARAM,
                             "url %s: give an absolute path, a file:// URL or an http(s) URL", url);
        if (direct)
            return host_fail(e, HOST_E_PARAM, "directdownload takes an http(s) URL");
    }
    if (host_uuid(uuid) != 0)
        return host_fail(e, HOST_E_INTERNAL, "no randomness");
    if (asprintf(&stage_dir, "%s/secondary/template/staging", cs->workdir) < 0 ||
        asprintf(&stage, "%s/%s.part", stage_dir, uuid) < 0) {
        stage = NULL;
        host_fail(e, HOST_E_INTERNAL, "out of memory");
        goto out;
    }
    if (host_mkdirs(stage_dir) != 0) {
        host_fail(e, HOST_E_INTERNAL, "cannot create %s: %s", stage_dir, strerror(errno));
        goto out;
    }
    if (stage_image(cs, url, src, direct, stage, e) != 0 ||
        inspect_image(url, stage, iso, qcow2, &virt, &actual, e) != 0)
        goto out;
    if (host_sql_run(cs->db, err, sizeof(err),
                     "INSERT INTO template(uuid, name, displaytext, format, type, url, path, checksum, size, "
                     "physicalsize, "
                     "zone_id, directdownload, state, ostype, created) VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, "
                     "?, ?, ?, 'Ready', ?, ?)",
                     "ttttttt"
                     "iiiiti",
                     uuid, name, text != NULL ? text : name,
                     iso     ? "ISO"
                     : qcow2 ? "QCOW2"
                             : "RAW",
                     type != NULL && strcasecmp(type, "SYSTEM") == 0 ? "SYSTEM" : "USER", url,
                     host_cmd_get(cmd, "checksum") != NULL ? host_cmd_get(cmd, "checksum") : "", virt, actual,
                     zone, (int64_t)direct,
                     host_cmd_get(cmd, "ostypeid") != NULL ? host_cmd_get(cmd, "ostypeid")
                                                           : "Other Linux (64-bit)",
                     host_now()) < 0) {
        host_fail_db(e, err);
        goto out;
    }
    id = sqlite3_last_insert_rowid(cs->db);
    if (zone == 0 && host_sql_run(cs->db, err, sizeof(err), "UPDATE template SET zone_id = NULL WHERE id = ?",
                                  "i", id) < 0) {
        host_fail_db(e, err);
        goto out;
    }
    if (!direct) {
        /* Secondary storage keeps its own copy, as CloudStack's SSVM downloads one: the very file
         * that was inspected. */
        if (asprintf(&dir, "%s/secondary/template/tmpl/%lld", cs->workdir, (long long)id) < 0 ||
            asprintf(&dest, "%s/%s.%s", dir, uuid,
                     iso     ? "iso"
                     : qcow2 ? "qcow2"
                             : "raw") < 0) {
            dest = NULL;
            host_fail(e, HOST_E_INTERNAL, "out of memory");
            goto out;
        }
        if (host_mkdirs(dir) != 0 || rename(stage, dest) != 0) {
            host_fail(e, HOST_E_INTERNAL, "cannot move %s into secondary storage: %s", url, strerror(errno));
            goto out;
        }
        if (host_sql_run(cs->db, err, sizeof(err), "UPDATE template SET path = ? WHERE id = ?", "ti", dest,
                         id) < 0) {
            host_fail_db(e, err);
            goto out;
        }
    }
    host_jsonw_uint(w, "count", 1);
    host_jsonw_array_begin(w, iso ? "iso" : "template");
    rc = host_json_template(cs, w, NULL, id, e);
    host_jsonw_array_end(w);
    /* A system VM template in an enabled zone brings up the zone's system VMs. */
    if (rc == 0 && type != NULL && strcasecmp(type, "SYSTEM") == 0) {
        sqlite3_stmt *st = host_sql_prepare(
            cs->db, err, sizeof(err),
            "SELECT id FROM zone WHERE allocationstate = 'Enabled' AND (?1 = 0 OR id = ?1)", "i", zone);
        int64_t *zones;
        size_t nz;
        if (st == NULL || host_stmt_ids(cs, st, &zones, &nz, e) != 0) {
            rc = st == NULL ? host_fail_db(e, err) : -1;
            goto out;
        }
        for (size_t i = 0; i < nz && rc == 0; i++)
            rc = host_vm_system_deploy(cs, zones[i], e);
        free(zones);
    }
out:
    if (stage != NULL)
        unlink(stage);
    if (rc != 0 && dest != NULL)
        unlink(dest);
    free(stage_dir);
    free(stage);
    free(dir);
    free(dest);
    return rc;
}

static int register_template(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    return register_image(cs, cmd, w, e, 0);
}

static int register_iso(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    return register_image(cs, cmd, w, e, 1);
}

static int list_images(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e, int iso)
{
    char err[256];
    sqlite3_stmt *st =
        host_sql_prepare(cs->db, err, sizeof(err),
                         "SELECT id FROM template WHERE (format = 'ISO') = ?1 AND (?2 IS NULL OR uuid = ?2) "
                         "AND (?3 IS NULL OR name = ?3) ORDER BY id",
                         "itt", (int64_t)iso, host_param(cmd, "id", 0, e), host_param(cmd, "name", 0, e));
    if (st == NULL)
        return host_fail_db(e, err);
    return host_write_list(cs, w, iso ? "iso" : "template", st, host_json_template, e);
}

static int list_templates(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    return list_images(cs, cmd, w, e, 0);
}

static int list_isos(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    return list_images(cs, cmd, w, e, 1);
}

static int delete_template(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256], path[4096];
    int64_t id, used = 0;
    sqlite3_stmt *st;
    int rc;

    if (host_param_ref(cs, cmd, "id", "template", 1, &id, e) != 0)
        return -1;
    if (host_sql_int(
            cs->db, &used, err, sizeof(err),
            "SELECT count(*) FROM vm WHERE (template_id = ?1 OR iso_id = ?1) AND state != 'Destroyed'", "i",
            id) < 0)
        return host_fail_db(e, err);
    if (used > 0)
        return host_fail(e, HOST_E_IN_USE, "template %s is used by %lld VMs", host_param(cmd, "id", 1, e),
                         (long long)used);
    /* Its seeded copies on primary storage go too (CloudStack's storage clean-up). */
    st = host_sql_prepare(cs->db, err, sizeof(err),
                          "SELECT pool_id, path FROM template_pool WHERE template_id = ?", "i", id);
    if (st == NULL)
        return host_fail_db(e, err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sp_pool *pool;
        sp_error se;
        sp_status s;
        if (host_pool_open(cs, sqlite3_column_int64(st, 0), &pool, e) != 0 ||
            host_undo_announce(cs, HOST_INTENT_DELETE, sqlite3_column_int64(st, 0), "template", 0, id, 0,
                               host_col_text(st, 1), 0, NULL, e) != 0) {
            sqlite3_finalize(st);
            return -1;
        }
        memset(&se, 0, sizeof(se));
        s = cs->sp->driver->delete_volume(pool, &(sp_volume_ref){host_col_text(st, 1)}, &se);
        if (s != SP_OK) {
            host_fail_sp(e, s, &se, "Cannot delete the seeded copy %s of the template", host_col_text(st, 1));
            sqlite3_finalize(st);
            return -1;
        }
    }
    sqlite3_finalize(st);
    if (host_sql_text(cs->db, path, sizeof(path), err, sizeof(err), "SELECT path FROM template WHERE id = ?",
                      "i", id) < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "DELETE FROM template_pool WHERE template_id = ?", "i", id) <
            0 ||
        host_sql_run(cs->db, err, sizeof(err), "DELETE FROM template WHERE id = ?", "i", id) < 0)
        return host_fail_db(e, err);
    if (path[0])
        unlink(path);
    host_jsonw_bool(w, "success", 1);
    return 0;
}

/* createTemplate: a QCOW2 file on secondary storage from a volume (its VM stopped, or detached)
 * or from a snapshot on primary storage. */
static int create_template(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *name = host_param(cmd, "name", 1, e), *text = host_param(cmd, "displaytext", 0, e);
    char err[512], uuid[37], src_path[SP_PATH_MAX], vmstate[16] = "", *dir = NULL, *dest = NULL;
    int64_t vol = 0, snap = 0, pool_id = 0, host_id = 0, zone = 0, vm = 0, id;
    sp_pool *pool;
    sp_image_info info = SP_INIT(sp_image_info);
    host_href href;
    host_progress hp;
    sp_error se;
    sp_status s;
    int rc = -1;

    if (name == NULL || host_param_ref(cs, cmd, "volumeid", "volume", 0, &vol, e) != 0 ||
        host_param_ref(cs, cmd, "snapshotid", "snapshot", 0, &snap, e) != 0 || host_need_plugin(cs, e) != 0)
        return -1;
    if ((vol == 0) == (snap == 0))
        return host_fail(e, HOST_E_PARAM, "give either volumeid or snapshotid");
    {
        /* A template is for anyone to deploy; an encrypted volume's data is readable only with its
         * own passphrase. CloudStack does not make templates of encrypted volumes either. */
        int64_t enc = 0;
        if (host_sql_int(cs->db, &enc, err, sizeof(err),
                         "SELECT count(*) FROM volume_encryption WHERE volume_id = "
                         "coalesce(nullif(?1, 0), (SELECT volume_id FROM snapshot WHERE id = ?2))",
                         "ii", vol, snap) < 0)
            return host_fail_db(e, err);
        if (enc > 0)
            return host_fail(
                e, HOST_E_UNSUPPORTED,
                "creating a template from an encrypted volume (or its snapshot) is not supported");
    }
    if (vol != 0) {
        if (host_sql_int(cs->db, &pool_id, err, sizeof(err),
                         "SELECT coalesce(pool_id, 0) FROM volume WHERE id = ?", "i", vol) < 0 ||
            host_sql_int(cs->db, &vm, err, sizeof(err), "SELECT coalesce(vm_id, 0) FROM volume WHERE id = ?",
                         "i", vol) < 0 ||
            host_sql_int(cs->db, &zone, err, sizeof(err), "SELECT zone_id FROM volume WHERE id = ?", "i",
                         vol) < 0 ||
            host_sql_text(cs->db, src_path, sizeof(src_path), err, sizeof(err),
                          "SELECT path FROM volume WHERE id = ?", "i", vol) < 0)
            return host_fail_db(e, err);
        if (vm != 0)
            host_sql_text(cs->db, vmstate, sizeof(vmstate), err, sizeof(err),
                          "SELECT state FROM vm WHERE id = ?", "i", vm);
        if (strcmp(vmstate, "Running") == 0)
            return host_fail(e, HOST_E_PARAM, "the VM of volume %s is running: stop it first",
                             host_param(cmd, "volumeid", 1, e));
    } else if (host_sql_int(cs->db, &pool_id, err, sizeof(err),
                            "SELECT coalesce(pool_id, 0) FROM snapshot WHERE id = ?", "i", snap) < 0 ||
               host_sql_int(
                   cs->db, &zone, err, sizeof(err),
                   "SELECT v.zone_id FROM snapshot s JOIN volume v ON v.id = s.volume_id WHERE s.id = ?", "i",
                   snap) < 0 ||
               host_sql_text(cs->db, src_path, sizeof(src_path), err, sizeof(err),
                             "SELECT path FROM snapshot WHERE id = ?", "i", snap) < 0) {
        return host_fail_db(e, err);
    }
    if (pool_id == 0)
        return host_fail(e, HOST_E_PARAM, "the source is not on primary storage");
    if (host_pick_host_for_pool(cs, pool_id, 0, &host_id, e) != 0)
        return -1;
    if (host_id == 0)
        return host_fail(e, HOST_E_UNAVAILABLE, "no Up host reaches the storage pool of the source");
    if (host_href_load(cs, host_id, &href, e) != 0 || host_pool_open(cs, pool_id, &pool, e) != 0 ||
        host_uuid(uuid) != 0)
        return -1;
    if (host_sql_run(cs->db, err, sizeof(err),
                     "INSERT INTO template(uuid, name, displaytext, format, type, url, path, checksum, size, "
                     "physicalsize, "
                     "zone_id, directdownload, state, ostype, created) VALUES (?, ?, ?, 'QCOW2', 'USER', '', "
                     "'', '', 0, 0, ?, 0, "
                     "'Ready', ?, ?)",
                     "tttiti", uuid, name, text != NULL ? text : name, zone,
                     host_cmd_get(cmd, "ostypeid") != NULL ? host_cmd_get(cmd, "ostypeid")
                                                           : "Other Linux (64-bit)",
                     host_now()) < 0)
        return host_fail_db(e, err);
    id = sqlite3_last_insert_rowid(cs->db);
    if (asprintf(&dir, "%s/secondary/template/tmpl/%lld", cs->workdir, (long long)id) < 0 ||
        asprintf(&dest, "%s/%s.qcow2", dir, uuid) < 0) {
        host_fail(e, HOST_E_INTERNAL, "out of memory");
        goto out;
    }
    if (host_mkdirs(dir) != 0) {
        host_fail(e, HOST_E_INTERNAL, "cannot create %s: %s", dir, strerror(errno));
        goto out;
    }
    /* The Adaptor maps the source to the host for the copy: a kill meanwhile leaves that mapping,
     * which the next start takes away (the rows map it nowhere, or to the host running its VM). */
    if (host_undo_announce(cs, HOST_INTENT_MAP, pool_id, snap != 0 ? "snapshot" : "volume", 0,
                           snap != 0 ? snap : vol, 0, src_path, href.id, NULL, e) != 0)
        goto out;
    host_progress_init(&hp, cs, "create template");
    memset(&se, 0, sizeof(se));
    info = (sp_image_info)SP_INIT(sp_image_info);
    s = cs->sp->adaptor->copy_volume_to_image(pool, &(sp_volume_ref){src_path}, &href.ref, dest, &hp.p, &info,
                                              &se);
    host_progress_done(&hp);
    if (s != SP_OK) {
        host_fail_sp(e, s, &se, "Failed to create template %s through host %s", name, href.name);
        goto out;
    }
    if (host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE template SET path = ?, size = ?, physicalsize = ?, checksum = ? WHERE id = ?",
                     "tuuti", info.path[0] ? info.path : dest, info.virtual_size_bytes,
                     info.physical_size_bytes, info.checksum, id) < 0) {
        host_fail_db(e, err);
        goto out;
    }
    rc = host_json_template(cs, w, "template", id, e);
out:
    if (rc != 0 && dest != NULL)
        unlink(dest);
    free(dir);
    free(dest);
    return rc;
}

const host_api host_api_template[] = {
    {"registerTemplate", register_template, 0}, {"registerIso", register_iso, 0},
    {"listTemplates", list_templates, 0},       {"listIsos", list_isos, 0},
    {"deleteTemplate", delete_template, 0},     {"deleteIso", delete_template, 0},
    {"createTemplate", create_template, 0},     {NULL, NULL, 0},
};
