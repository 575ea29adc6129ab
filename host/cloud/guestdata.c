/* guestdata.c - writeVolumeData, and reading recorded guest data back (see guestdata.h). */
#include "config.h"

#include "guestdata.h"

#include "api.h"
#include "clients.h"
#include "crypt.h"
#include "objects.h"
#include "poolh.h"
#include "store.h"
#include "undo.h"
#include "volops.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1024 * 1024)
#define MAX_BYTES (64 * 1024 * 1024)

static void hex_of(const unsigned char *md, unsigned n, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < n && i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

/* Reads len bytes at offset 0 of dev (or writes random ones first when write is set) and gives
 * their SHA-256. 0, or -1 with why. */
static int digest_device(const char *dev, uint64_t len, int write, char hex[65], char *why, size_t whylen)
{
    unsigned char *buf = malloc(CHUNK), md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int fd = -1, rc = -1;

    if (buf == NULL || ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        snprintf(why, whylen, "out of memory");
        goto out;
    }
    fd = open(dev, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, whylen, "cannot open %s: %s", dev, strerror(errno));
        goto out;
    }
    for (uint64_t off = 0; off < len;) {
        size_t n = len - off < CHUNK ? (size_t)(len - off) : CHUNK;
        ssize_t got;
        if (write) {
            if (RAND_bytes(buf, (int)n) != 1) {
                snprintf(why, whylen, "no random bytes to write");
                goto out;
            }
            got = pwrite(fd, buf, n, (off_t)off);
        } else {
            got = pread(fd, buf, n, (off_t)off);
        }
        if (got <= 0) {
            snprintf(why, whylen, "%s %s at byte %llu: %s", write ? "writing" : "reading", dev,
                     (unsigned long long)off, got < 0 ? strerror(errno) : "end of device");
            goto out;
        }
        EVP_DigestUpdate(ctx, buf, (size_t)got);
        off += (uint64_t)got;
    }
    if (write && fdatasync(fd) != 0) {
        snprintf(why, whylen, "flushing %s: %s", dev, strerror(errno));
        goto out;
    }
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    hex_of(md, mdlen, hex);
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    EVP_MD_CTX_free(ctx);
    free(buf);
    return rc;
}

/* What the volume's guest sees: the device itself, or, for an encrypted volume, what its encryption
 * holds (through the volume's key). */
static int guest_digest(host_cs *cs, int64_t vol_id, const char *dev, uint64_t len, int write, char hex[65],
                        char *why, size_t whylen)
{
    host_crypt c;
    host_err ce;
    int rc, enc;

    memset(&ce, 0, sizeof(ce));
    enc = host_crypt_open(cs, vol_id, &c, &ce);
    if (enc < 0) {
        snprintf(why, whylen, "%.900s", ce.text);
        return -1;
    }
    if (enc == 0)
        return digest_device(dev, len, write, hex, why, whylen);
    rc = host_crypt_guest_io(cs, &c, dev, len, write, hex, why, whylen);
    host_crypt_close(&c);
    return rc;
}

static int write_volume_data(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256], dev[SP_PATH_MAX] = "", hex[65], why[1024];
    int64_t vol, bytes;
    host_vol v;

    if (host_param_ref(cs, cmd, "volumeid", "volume", 1, &vol, e) != 0 ||
        host_param_num(cmd, "bytes", 1024 * 1024, 512, MAX_BYTES, &bytes, e) != 0 ||
        host_vol_load(cs, vol, &v, e) != 0)
        return -1;
    if (bytes < 512 || bytes > MAX_BYTES || bytes % 512 != 0)
        return host_fail(e, HOST_E_PARAM, "bytes must be a multiple of 512 from 512 to %d", MAX_BYTES);
    if ((uint64_t)bytes > v.size)
        return host_fail(e, HOST_E_PARAM, "volume %s has only %llu bytes", v.uuid,
                         (unsigned long long)v.size);
    if (host_sql_text(cs->db, dev, sizeof(dev), err, sizeof(err),
                      "SELECT a.devpath FROM access a JOIN vm ON vm.id = ?2 AND vm.state = 'Running' "
                      "AND a.host_id = vm.host_id WHERE a.volume_id = ?1",
                      "ii", vol, v.vm_id) < 0)
        return host_fail_db(e, err);
    if (dev[0] == '\0')
        return host_fail(e, HOST_E_PARAM,
                         "volume %s is not attached to a running VM: a guest writes through its VM", v.uuid);
    if (guest_digest(cs, vol, dev, (uint64_t)bytes, 1, hex, why, sizeof(why)) != 0)
        return host_fail(e, HOST_E_INTERNAL, "volume %s: %s", v.uuid, why);
    if (host_sql_run(cs->db, err, sizeof(err),
                     "INSERT OR REPLACE INTO volume_data(volume_id, sha256, length) VALUES (?, ?, ?)", "iti",
                     vol, hex, bytes) < 0)
        return host_fail_db(e, err);
    host_jsonw_object_begin(w, "volumedata");
    host_jsonw_string(w, "volumeid", v.uuid);
    host_jsonw_int(w, "bytes", bytes);
    host_jsonw_string(w, "sha256", hex);
    host_jsonw_object_end(w);
    return 0;
}

int host_guestdata_revert_snapshot(host_cs *cs, int64_t volume_id, int64_t snapshot_id, host_err *e)
{
    char err[256];

    if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM volume_data WHERE volume_id = ?", "i",
                     volume_id) < 0 ||
        host_sql_run(cs->db, err, sizeof(err),
                     "INSERT INTO volume_data(volume_id, sha256, length) "
                     "SELECT ?1, sha256, length FROM snapshot_data WHERE snapshot_id = ?2",
                     "ii", volume_id, snapshot_id) < 0)
        return host_fail_db(e, err);
    return 0;
}

int host_guestdata_revert_vmsnapshot(host_cs *cs, int64_t vm_snapshot_id, host_err *e)
{
    char err[256];

    if (host_sql_run(cs->db, err, sizeof(err),
                     "DELETE FROM volume_data WHERE volume_id IN "
                     "(SELECT volume_id FROM snapshot WHERE vm_snapshot_id = ?)",
                     "i", vm_snapshot_id) < 0 ||
        host_sql_run(cs->db, err, sizeof(err),
                     "INSERT INTO volume_data(volume_id, sha256, length) "
                     "SELECT s.volume_id, d.sha256, d.length FROM snapshot s "
                     "JOIN snapshot_data d ON d.snapshot_id = s.id WHERE s.vm_snapshot_id = ?",
                     "i", vm_snapshot_id) < 0)
        return host_fail_db(e, err);
    return 0;
}

/* Reads a volume no host has connected through a mapping made for the purpose. 0, or -1 with
 * why (the mapping is taken back whatever happened; one that stays is said in why). */
static int digest_mapped(host_cs *cs, sp_pool *pool, int64_t pool_id, int64_t vol_id, const char *path,
                         uint64_t len, char hex[65], char *why, size_t whylen)
{
    int64_t host_id = 0;
    host_href href;
    host_err he;
    sp_disk_info disk = SP_INIT(sp_disk_info);
    sp_error se;
    sp_volume_ref ref = {path};
    int rc = -1;

    memset(&he, 0, sizeof(he));
    if (host_pick_host_for_pool(cs, pool_id, 0, &host_id, &he) != 0 || host_id == 0 ||
        host_href_load(cs, host_id, &href, &he) != 0) {
        snprintf(why, whylen, "no host to read it through%s%.700s", he.text[0] ? ": " : "", he.text);
        return -1;
    }
    if (host_client_prepare(cs, pool, pool_id, &href, 0, &he) != 0) {
        snprintf(why, whylen, "host %s cannot reach it: %.700s", href.name, he.text);
        return -1;
    }
    /* A kill before it is taken back leaves the mapping to the next start (undo.h). */
    if (host_undo_announce(cs, HOST_INTENT_MAP, pool_id, "volume", 0, 0, 0, path, host_id, NULL, &he) != 0) {
        snprintf(why, whylen, "%.900s", he.text);
        return -1;
    }
    memset(&se, 0, sizeof(se));
    if (cs->sp->driver->grant_access(pool, &ref, &href.ref, &(sp_qos){NULL, NULL}, 0, &se) != SP_OK) {
        snprintf(why, whylen, "cannot map it to host %s: %.700s", href.name, se.message);
        return -1;
    }
    memset(&se, 0, sizeof(se));
    disk = (sp_disk_info)SP_INIT(sp_disk_info);
    if (cs->sp->adaptor->connect_volume(pool, &ref, &href.ref, &disk, &se) != SP_OK)
        snprintf(why, whylen, "its device did not appear on host %s: %.700s", href.name, se.message);
    else
        rc = guest_digest(cs, vol_id, disk.path, len, 0, hex, why, whylen);
    memset(&se, 0, sizeof(se));
    if (cs->sp->driver->revoke_access(pool, &ref, &href.ref, &se) != SP_OK) {
        snprintf(why, whylen, "the mapping made to read it stays on host %s: %.700s", href.name, se.message);
        return -1;
    }
    memset(&se, 0, sizeof(se));
    if (cs->sp->adaptor->disconnect_volume(pool, &ref, &href.ref, &se) != SP_OK) {
        snprintf(why, whylen, "its device stays on host %s after the unmapping: %.700s", href.name,
                 se.message);
        return -1;
    }
    if (host_client_release(cs, pool, pool_id, &href, 1, &he) != 0)
        cs->svc.table.log(&cs->svc, SP_LOG_WARN, he.text);
    return rc;
}

int host_guestdata_verify(host_cs *cs, sp_pool *pool, int64_t pool_id, int map_detached, host_buf *problems,
                          size_t *nproblems, host_guestdata_tally *tally, host_err *e)
{
    char err[256];
    int64_t *ids = NULL;
    size_t n = 0;
    sqlite3_stmt *st;

    st = host_sql_prepare(cs->db, err, sizeof(err),
                          "SELECT v.id FROM volume_data d JOIN volume v ON v.id = d.volume_id "
                          "WHERE v.pool_id = ? AND v.state = 'Ready' ORDER BY v.id",
                          "i", pool_id);
    if (st == NULL)
        return host_fail_db(e, err);
    if (host_stmt_ids(cs, st, &ids, &n, e) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char want[65] = "", got[65] = "", dev[SP_PATH_MAX] = "", why[1024] = "";
        int64_t len = 0;
        host_vol v;
        int rc;

        if (host_vol_load(cs, ids[i], &v, e) != 0 ||
            host_sql_text(cs->db, want, sizeof(want), err, sizeof(err),
                          "SELECT sha256 FROM volume_data WHERE volume_id = ?", "i", ids[i]) < 0 ||
            host_sql_int(cs->db, &len, err, sizeof(err), "SELECT length FROM volume_data WHERE volume_id = ?",
                         "i", ids[i]) < 0 ||
            host_sql_text(cs->db, dev, sizeof(dev), err, sizeof(err),
                          "SELECT devpath FROM access WHERE volume_id = ? AND devpath <> '' ORDER BY host_id "
                          "LIMIT 1",
                          "i", ids[i]) < 0) {
            free(ids);
            return e->code != 0 ? -1 : host_fail_db(e, err);
        }
        if (dev[0] != '\0')
            rc = guest_digest(cs, ids[i], dev, (uint64_t)len, 0, got, why, sizeof(why));
        else if (map_detached)
            rc = digest_mapped(cs, pool, pool_id, ids[i], v.path, (uint64_t)len, got, why, sizeof(why));
        else {
            tally->unverified++;
            continue;
        }
        if (rc != 0) {
            host_buf_printf(problems, "volume %s: data not read back: %.600s; ", v.uuid, why);
            (*nproblems)++;
        } else if (strcmp(got, want) != 0) {
            host_buf_printf(problems, "volume %s: its first %lld bytes have SHA-256 %s, the guest wrote %s; ",
                            v.uuid, (long long)len, got, want);
            (*nproblems)++;
        } else {
            tally->verified++;
        }
    }
    free(ids);
    return 0;
}

/* readVolumeData volumeid=V [bytes=N]: the SHA-256 of the first N bytes (default 1 MiB) a guest
 * would read: through the device of the host running its VM, else through a mapping made for the
 * read and taken back. Shows what a template, a copy or a migration put on a volume. */
static int read_volume_data(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256], dev[SP_PATH_MAX] = "", hex[65], why[1024];
    int64_t vol, bytes;
    host_vol v;
    sp_pool *pool;

    if (host_param_ref(cs, cmd, "volumeid", "volume", 1, &vol, e) != 0 ||
        host_param_num(cmd, "bytes", 1024 * 1024, 512, MAX_BYTES, &bytes, e) != 0 ||
        host_vol_load(cs, vol, &v, e) != 0)
        return -1;
    if (bytes < 512 || bytes > MAX_BYTES || bytes % 512 != 0)
        return host_fail(e, HOST_E_PARAM, "bytes must be a multiple of 512 from 512 to %d", MAX_BYTES);
    if ((uint64_t)bytes > v.size)
        return host_fail(e, HOST_E_PARAM, "volume %s has only %llu bytes", v.uuid,
                         (unsigned long long)v.size);
    if (v.pool_id == 0)
        return host_fail(e, HOST_E_PARAM, "volume %s is not on a storage pool yet", v.uuid);
    if (host_sql_text(cs->db, dev, sizeof(dev), err, sizeof(err),
                      "SELECT a.devpath FROM access a JOIN vm ON vm.id = ?2 AND vm.state = 'Running' "
                      "AND a.host_id = vm.host_id WHERE a.volume_id = ?1",
                      "ii", vol, v.vm_id) < 0)
        return host_fail_db(e, err);
    if (dev[0] != '\0') {
        if (guest_digest(cs, v.id, dev, (uint64_t)bytes, 0, hex, why, sizeof(why)) != 0)
            return host_fail(e, HOST_E_INTERNAL, "volume %s: %s", v.uuid, why);
    } else {
        if (host_pool_open(cs, v.pool_id, &pool, e) != 0)
            return -1;
        if (digest_mapped(cs, pool, v.pool_id, v.id, v.path, (uint64_t)bytes, hex, why, sizeof(why)) != 0)
            return host_fail(e, HOST_E_INTERNAL, "volume %s: %s", v.uuid, why);
    }
    host_jsonw_object_begin(w, "volumedata");
    host_jsonw_string(w, "volumeid", v.uuid);
    host_jsonw_int(w, "bytes", bytes);
    host_jsonw_string(w, "sha256", hex);
    host_jsonw_object_end(w);
    return 0;
}

const host_api host_api_guestdata[] = {
    {"writeVolumeData", write_volume_data, 0},
    {"readVolumeData", read_volume_data, 0},
    {NULL, NULL, 0},
};
