/* adaptor_across.c - Adaptor.copy_volume_across: a volume copied to a pool of another PowerFlex
 * system through one KVM host that is an SDC of both, journalled so that a crash is repaired.
 *
 * Steps, and the journal record (copyjournal.h, key "<source system>-<source volume>") that makes
 * each crash point recoverable:
 *   check     no interrupted copy of this source is recorded (read nothing from the arrays: the
 *             requests below answer the rest; only a spec without a size reads the source's)
 *   journal   record "created-target" naming the target by its name, before it exists
 *   create    the target on the destination pool (a name already in use is refused by the array,
 *             errorCode 99, and is not this copy's to write over nor to delete)
 *   map, connect  the source (mapped to another host: refused by the array, 297; already mapped
 *             here: it stays as it was, and only then is the source read, for other mappings) and
 *             the target on this host; the source's device gives its size, checked against the
 *             target's
 *   journal   "copying", now naming the target "<id>:<name>"
 *   copy      pfx_blockcopy_copy (sparse)
 *   verify    adaptor_verify (every byte), then unmap the source, while another thread flushes
 *             the target: the record says "verified" only once all are done, so their order does
 *             not matter, and overlapping them takes them off the copy's time (bench/copy-bench)
 *   journal   "verified"
 *   unmap     the target; remove the record
 * The target is described from its create (id, name, the 8 GiB rounding) as Driver.create_volume
 * describes a volume: nothing is read back. 5 requests in all once the SDC ids are cached.
 * Any failure or cancel undoes in reverse: the target is unmapped and deleted, the source unmapped
 * (if this copy mapped it), and the record removed. Past "verified" the record is removed first, so
 * that it never says "verified" for a target that is gone. When the target cannot be deleted the
 * record stays (recover_copies deletes it later) and the message says so. The source is only ever
 * read; snapshots do not travel.
 * An encrypted volume (copy_volume_across_encrypted) takes the same steps, but the target is made
 * an encrypted disk with the source's passphrase and usable size before the copy, the copy writes
 * what the source's guest sees into it (qemu-img through the key), and the verification compares
 * what both guests see; one more request reads the source's type (thin or thick: its format). */
#include "config.h"

#include "adaptor_impl.h"

#include "adaptor_crypt.h"
#include "adaptor_verify.h"
#include "blockcopy.h"
#include "copyjournal.h"
#include "error.h"
#include "gateway_volume.h"
#include "hostsvc.h"
#include "proc.h"
#include "sized.h"
#include "sizes.h"
#include "volume.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct across {
    sp_pool *src, *dest;
    const sp_volume_ref *vol;
    const sp_host_ref *host;
    pfx_host_cfg cfg;
    char src_id[SP_ID_MAX];
    char target_name[SP_NAME_MAX];
    char target_id[SP_ID_MAX]; /* "" until the target exists */
    int target_unknown;        /* the create failed without saying whether it was done */
    pfx_copy_record rec;
    int journalled;       /* a record of this copy is on disk */
    pfx_ad_attach sa, ta; /* the source and the target on this host */
    const char *step;     /* the step running, for messages */
    /* an encrypted volume's copy */
    const sp_encryption *enc;
    pfx_secret *pass;
    uint64_t usable;
    pfx_luks_key key;
    pfx_luks_kind skind, tkind;
} across;

static sp_status journal(across *c, pfx_copy_phase phase, sp_error *err)
{
    sp_status st;

    c->rec.phase = phase;
    st = pfx_copyjournal_write(c->cfg.cache_dir, &c->rec, err);
    if (st == SP_OK)
        c->journalled = 1;
    return st;
}

/* Deletes the target whether or not its id is known yet (a create whose answer was lost). */
static sp_status delete_target(across *c, sp_error *err)
{
    char id[SP_ID_MAX];
    sp_status st;

    if (c->target_id[0] != '\0')
        return pfx_vol_remove(c->dest, c->target_id, err);
    st = pfx_gw_volume_id_by_name(c->dest->gw, c->target_name, id, sizeof(id), err);
    if (st == SP_E_NOT_FOUND) {
        pfx_error_clear(err);
        return SP_OK;
    }
    if (st != SP_OK)
        return st;
    return pfx_vol_remove(c->dest, id, err);
}

/* Undoes what the copy did, appending to err whatever could not be undone. */
static void roll_back(across *c, sp_error *err)
{
    sp_error u;
    int target_gone = 0;

    if (c->journalled && c->rec.phase >= PFX_COPY_VERIFIED) {
        if (pfx_copyjournal_remove(c->cfg.cache_dir, c->rec.key, &u) != SP_OK) {
            pfx_ad_add_failure(err, "removing the copy record", &u);
            pfx_error_prefix(err, "the verified copy %s is kept for recover_copies to finish",
                             c->rec.target_volume);
            if (pfx_ad_detach_volume(&c->ta, &u) != SP_OK)
                pfx_ad_add_failure(err, "unmapping the target", &u);
            if (pfx_ad_detach_volume(&c->sa, &u) != SP_OK)
                pfx_ad_add_failure(err, "unmapping the source", &u);
            return;
        }
        c->journalled = 0;
    }
    if (pfx_ad_detach_volume(&c->ta, &u) != SP_OK)
        pfx_ad_add_failure(err, "unmapping the target", &u);
    /* Only a target this copy made, or may have made: a name the array refused was someone
     * else's volume. */
    if (c->target_id[0] != '\0' || c->target_unknown) {
        if (delete_target(c, &u) != SP_OK)
            pfx_ad_add_failure(err, "deleting the target", &u);
        else
            target_gone = 1;
    } else {
        target_gone = 1;
    }
    if (pfx_ad_detach_volume(&c->sa, &u) != SP_OK)
        pfx_ad_add_failure(err, "unmapping the source", &u);
    if (!c->journalled)
        return;
    if (!target_gone) {
        size_t len = strlen(err->message);
        snprintf(err->message + len, sizeof(err->message) - len,
                 "; copy record %s stays so that recover_copies deletes the target", c->rec.key);
        return;
    }
    if (pfx_copyjournal_remove(c->cfg.cache_dir, c->rec.key, &u) != SP_OK)
        pfx_ad_add_failure(err, "removing the copy record", &u);
}

typedef struct flush_job {
    const char *path;
    sp_status st;
    sp_error err;
} flush_job;

static void *flush_main(void *arg)
{
    flush_job *j = arg;
    int fd = open(j->path, O_WRONLY | O_CLOEXEC);

    if (fd < 0) {
        j->st = pfx_error(&j->err, SP_E_IO, "cannot open %s to flush it: %s", j->path, strerror(errno));
        return NULL;
    }
    j->st = SP_OK;
    if (fdatasync(fd) != 0)
        j->st = pfx_error(&j->err, SP_E_IO, "flushing %s: %s", j->path, strerror(errno));
    close(fd);
    return NULL;
}

/* Verifies the copy while its target is flushed; both must succeed. The source, no longer read
 * once verified, is unmapped during the flush too: that does not depend on the flush, and the
 * record says "verified" only after all of it. */
static sp_status verify_and_flush(across *c, const sp_progress *progress, sp_error *err)
{
    flush_job j = {c->ta.device, SP_OK, {0}};
    pthread_t t;
    int threaded = pthread_create(&t, NULL, flush_main, &j) == 0;
    sp_status st;

    if (!threaded)
        flush_main(&j);
    if (c->enc != NULL) {
        int same = 0;
        st = pfx_luks_compare(c->sa.device, c->skind, c->ta.device, c->tkind, &c->key, progress, &same, err);
        if (st == SP_OK && !same)
            st = pfx_error(err, SP_E_IO, "what the guest sees on the target %s differs from the source %s",
                           c->ta.device, c->sa.device);
    } else {
        st = pfx_ad_verify(c->sa.device, c->ta.device, c->sa.device_size, progress, err);
    }
    if (st == SP_OK) {
        c->step = "unmap source";
        st = pfx_ad_detach_volume(&c->sa, err);
    }
    if (threaded)
        pthread_join(t, NULL);
    if (st == SP_OK && j.st != SP_OK) {
        c->step = "flush";
        *err = j.err;
        st = j.st;
    }
    return st;
}

static sp_status check(across *c, const sp_volume_spec *spec, sp_volume_spec *tspec, sp_error *err)
{
    pfx_copy_record old;
    sp_error e;
    sp_status st;

    *tspec = *spec;
    tspec->struct_size = sizeof(*tspec); /* the caller's may be larger: this copy is 2.0's */
    if (tspec->size_bytes == 0) {
        /* The target is made before the source is mapped: without a size asked, the source's. */
        pfx_ad_volume sv;
        if ((st = pfx_ad_volume_read(c->src, c->src_id, NULL, &sv, err)) != SP_OK)
            return st;
        tspec->size_bytes = sv.size_bytes;
    }
    if ((st = pfx_vol_name(c->dest, spec->kind, spec->id, spec->parent_id, c->target_name,
                           sizeof(c->target_name), err)) != SP_OK)
        return st;
    if (snprintf(c->rec.key, sizeof(c->rec.key), "%s-%s", c->src->system_id, c->src_id) >=
        (int)sizeof(c->rec.key))
        return pfx_error(err, SP_E_INVALID, "volume id %s is too long for a copy record", c->src_id);
    st = pfx_copyjournal_read(c->cfg.cache_dir, c->rec.key, &old, &e);
    if (st == SP_OK || st == SP_E_PROTOCOL)
        return pfx_error(
            err, SP_E_STATE,
            "an interrupted copy of this volume is recorded in %s/%s (%s); recover_copies must resolve "
            "it first",
            c->cfg.cache_dir, PFX_COPYJOURNAL_DIR, c->rec.key);
    pfx_error_clear(err);
    return SP_OK;
}

/* The target, made new. Refused because its name is in use: someone else's volume, left alone.
 * An answer lost and nothing adopted: a volume of that name now is not ours either (not what was
 * asked, or mapped), no volume means none was made, and only when that cannot be told does a roll
 * back look for it by name. */
static sp_status create_target(across *c, const sp_volume_spec *tspec, sp_volume_info *tinfo, sp_error *err)
{
    sp_status st = pfx_vol_create_new(c->dest, tspec, tinfo, err);
    char id[SP_ID_MAX];
    sp_error e;

    if (st == SP_OK) {
        snprintf(c->target_id, sizeof(c->target_id), "%s", tinfo->id);
        snprintf(c->rec.target_volume, sizeof(c->rec.target_volume), "%s", tinfo->path);
        return SP_OK;
    }
    if (st != SP_E_EXISTS && pfx_vol_may_have_happened(st)) {
        sp_status l = pfx_gw_volume_id_by_name(c->dest->gw, c->target_name, id, sizeof(id), &e);
        c->target_unknown = l != SP_OK && l != SP_E_NOT_FOUND;
    }
    return st;
}

/* The source on this host, for reading only: on no other host (the map with one SDC allowed says
 * so, 297), and no larger than the target. */
static sp_status map_source(across *c, const sp_volume_info *tinfo, sp_error *err)
{
    static const char busy[] = "the source is mapped to another host; stop its VM or detach it first";
    sp_status st = pfx_ad_attach_volume(c->src, c->src_id, c->host, &c->cfg, 1, &c->sa, err);

    if (st == SP_E_BUSY)
        return pfx_error_prefix(err, "%s", busy);
    if (st != SP_OK)
        return st;
    if (c->sa.found_mapped) {
        /* Mapped here already (the map's answer): it may be mapped elsewhere too. Rare enough
         * that a read is worth it only now. */
        pfx_ad_volume sv;
        if ((st = pfx_ad_volume_read(c->src, c->src_id, c->host, &sv, err)) != SP_OK)
            return st;
        if (sv.mapped_elsewhere)
            return pfx_error(err, SP_E_BUSY, "%s", busy);
    }
    if (c->sa.device_size > tinfo->size_bytes)
        return pfx_error(err, SP_E_INVALID,
                         "the target has %" PRIu64 " bytes, fewer than the source's %" PRIu64,
                         tinfo->size_bytes, c->sa.device_size);
    return SP_OK;
}

/* The target made an encrypted disk like the source: the same passphrase, the source's format for
 * its type and the source's usable size (so that nothing of the source's guest is cut off, as
 * CloudStack does since its PR #9174). */
static sp_status encrypt_target(across *c, const sp_volume_spec *tspec, sp_error *err)
{
    pfx_ad_volume sv;
    sp_status st;

    if ((st = pfx_ad_volume_read(c->src, c->src_id, NULL, &sv, err)) != SP_OK)
        return st;
    c->skind = pfx_ad_luks_kind(sv.thin);
    c->tkind = pfx_ad_luks_kind(tspec->provisioning == SP_PROVISION_THIN);
    if ((st = pfx_luks_key_open(c->cfg.cache_dir, c->pass, &c->key, err)) != SP_OK)
        return st;
    if (c->usable == 0 && (st = pfx_luks_size(c->sa.device, c->skind, &c->key, &c->usable, err)) != SP_OK)
        return pfx_error_prefix(err, "reading the source's encrypted disk");
    return pfx_luks_format(c->ta.device, c->tkind, c->usable, &c->key, err);
}

static sp_status run(across *c, const sp_volume_spec *spec, const sp_progress *progress, sp_volume_info *out,
                     sp_error *err)
{
    sp_volume_spec tspec = SP_INIT(sp_volume_spec);
    sp_volume_info tinfo = SP_INIT(sp_volume_info);
    pfx_blockcopy_opts bo;
    sp_status st;

    c->step = "check";
    if ((st = check(c, spec, &tspec, err)) != SP_OK)
        return st;
    snprintf(c->rec.source_pool, sizeof(c->rec.source_pool), "%s", c->src->uuid);
    snprintf(c->rec.source_volume, sizeof(c->rec.source_volume), "%s", c->vol->path);
    snprintf(c->rec.target_pool, sizeof(c->rec.target_pool), "%s", c->dest->uuid);
    snprintf(c->rec.target_volume, sizeof(c->rec.target_volume), "%s", c->target_name);
    {
        /* A source whose device is here already is a running VM's disk (a live migration): the
         * record says so, so that recovery leaves it mapped. No request: the device tells. */
        char dev[SP_PATH_MAX];
        int present = 0;
        if (pfx_ad_device(c->src, c->src_id, &c->cfg, 0, dev, sizeof(dev), &present, NULL, err) != SP_OK)
            pfx_error_clear(err);
        c->rec.source_in_use = present;
    }
    c->step = "journal";
    if ((st = journal(c, PFX_COPY_CREATED_TARGET, err)) != SP_OK)
        return st;
    c->step = "create target";
    if ((st = create_target(c, &tspec, &tinfo, err)) != SP_OK)
        return st;
    c->step = "map source";
    if ((st = map_source(c, &tinfo, err)) != SP_OK)
        return st;
    c->step = "map target";
    if ((st = pfx_ad_attach_volume(c->dest, c->target_id, c->host, &c->cfg, 0, &c->ta, err)) != SP_OK)
        return st;
    c->step = "journal";
    if ((st = journal(c, PFX_COPY_COPYING, err)) != SP_OK)
        return st;
    if (c->enc != NULL) {
        c->step = "format target";
        if ((st = encrypt_target(c, &tspec, err)) != SP_OK)
            return st;
        c->step = "copy";
        if ((st = pfx_luks_convert(c->sa.device, SP_FORMAT_RAW, c->skind, c->ta.device, c->tkind, &c->key,
                                   c->usable, progress, err)) != SP_OK)
            return st;
        goto verify;
    }
    c->step = "copy";
    memset(&bo, 0, sizeof(bo));
    bo.src = c->sa.device;
    bo.dst = c->ta.device;
    /* A new thin volume reads as zeros; a thick one may not (zero padding is the array's choice). */
    bo.target_is_zero = tspec.provisioning == SP_PROVISION_THIN;
    bo.method = PFX_BLOCKCOPY_AUTO;
    bo.no_flush = 1; /* flushed beside the verification */
    bo.progress = progress;
    if ((st = pfx_blockcopy_copy(&bo, NULL, err)) != SP_OK)
        return st;
verify:
    c->step = "verify";
    if ((st = verify_and_flush(c, progress, err)) != SP_OK)
        return st;
    c->step = "journal";
    if ((st = journal(c, PFX_COPY_VERIFIED, err)) != SP_OK)
        return st;
    c->step = "unmap target";
    if ((st = pfx_ad_detach_volume(&c->ta, err)) != SP_OK)
        return st;
    c->step = "journal";
    /* The copy is the host's now; a record left behind would only be reported as done again. */
    if (pfx_copyjournal_remove(c->cfg.cache_dir, c->rec.key, err) != SP_OK)
        pfx_log(SP_LOG_WARN, "copy %s is complete but its record stays: %s", c->rec.key, err->message);
    c->journalled = 0;
    pfx_error_clear(err);
    *out = tinfo;
    return SP_OK;
}

static sp_status copy_across(sp_pool *src, const sp_volume_ref *vol, sp_pool *dest,
                             const sp_volume_spec *spec, const sp_host_ref *host, const sp_encryption *enc,
                             const sp_progress *progress, sp_volume_info *out, sp_error *err)
{
    across c;
    int64_t t0 = pfx_now_ms();
    sp_status st;

    if (src == NULL || dest == NULL || spec == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "copy_volume_across needs two pools, a spec and an output");
    PFX_SIZED(spec, sp_volume_spec, SP_VOLUME_SPEC_SIZE_2_0, "copy_volume_across", err);
    PFX_SIZED(out, sp_volume_info, SP_VOLUME_INFO_SIZE_2_0, "copy_volume_across", err);
    if (strcmp(src->system_id, dest->system_id) == 0)
        return pfx_error(
            err, SP_E_INVALID,
            "pools %s and %s are on one PowerFlex system (%s): the Driver migrates the V-Tree instead",
            src->uuid, dest->uuid, src->system_id);
    /* Only the destination takes a new volume. The source may be disabled or in maintenance:
     * moving volumes off a pool in maintenance is how it is emptied, and CloudStack offers pools
     * of other systems as suitable targets for it. */
    if ((st = pfx_pool_check_usable(dest, "copying a volume from another system", 0, err)) != SP_OK)
        return st;
    memset(&c, 0, sizeof(c));
    c.src = src;
    c.dest = dest;
    c.vol = vol;
    c.host = host;
    c.enc = enc;
    if ((st = pfx_path_volume_id(vol, c.src_id, sizeof(c.src_id), err)) != SP_OK ||
        (st = pfx_ad_host_cfg(host, &c.cfg, err)) != SP_OK ||
        (enc != NULL && (st = pfx_ad_encryption(enc, &c.pass, &c.usable, err)) != SP_OK))
        return st;
    memset(out, 0, sizeof(*out));
    out->struct_size = sizeof(*out);
    st = run(&c, spec, progress, out, err);
    pfx_luks_key_close(&c.key);
    pfx_secret_free(c.pass);
    if (st != SP_OK) {
        roll_back(&c, err);
        memset(out, 0, sizeof(*out));
        out->struct_size = sizeof(*out);
        return pfx_error_prefix(
            err, "copying volume %s from pool %s to pool %s through host %s failed at step \"%s\"", vol->path,
            src->uuid, dest->uuid, host->name != NULL ? host->name : host->ip, c.step);
    }
    pfx_log(SP_LOG_INFO, "volume %s copied from pool %s to %s as %s through host %s in %" PRId64 " ms",
            vol->path, src->uuid, dest->uuid, out->path, host->name != NULL ? host->name : host->ip,
            pfx_now_ms() - t0);
    return SP_OK;
}

sp_status pfx_ad_copy_volume_across(sp_pool *src, const sp_volume_ref *vol, sp_pool *dest,
                                    const sp_volume_spec *spec, const sp_host_ref *host,
                                    const sp_progress *progress, sp_volume_info *out, sp_error *err)
{
    PFX_ERR_GUARD(err);
    return copy_across(src, vol, dest, spec, host, NULL, progress, out, err);
}

sp_status pfx_ad_copy_volume_across_encrypted(sp_pool *src, const sp_volume_ref *vol, sp_pool *dest,
                                              const sp_volume_spec *spec, const sp_host_ref *host,
                                              const sp_encryption *enc, const sp_progress *progress,
                                              sp_volume_info *out, sp_error *err)
{
    PFX_ERR_GUARD(err);
    if (enc == NULL)
        return pfx_error(err, SP_E_INVALID, "an encrypted copy needs the volume's encryption");
    return copy_across(src, vol, dest, spec, host, enc, progress, out, err);
}
