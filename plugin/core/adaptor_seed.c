/* adaptor_seed.c - Adaptor.copy_image_to_volume: a template (QCOW2 or RAW file, or a URL) written
 * as RAW onto a template volume of the pool through this host, once per target.
 *
 * Seeding the same template twice at once: the host finds no copy on the pool for both requests,
 * and its second create_volume finds the first's volume (same name and size) and adopts it, so two
 * callers arrive with one target. They are serialised per (pool, target volume) inside this process,
 * and the target is remembered as seeded, with a digest of the image source that was written: a
 * caller that waited, or that comes later with the same source, finds the copy made and returns
 * SP_OK without copying again (after one GET showing the volume still exists). The memory lives in
 * the process and not in the copy journal: the journal is for cross-array copies whose crash must
 * be repaired, while a seeding cut short only leaves a template volume the host deletes, and a
 * host restarted finds complete copies through Driver.find_template. A failed seeding is forgotten,
 * so the next caller copies. */
#include "config.h"

#include "adaptor_impl.h"

#include "blockcopy.h"
#include "checksum.h"
#include "error.h"
#include "gateway_vtree.h"
#include "hostsvc.h"
#include "proc.h"
#include "qemuimg.h"
#include "sized.h"
#include "template_fetch.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SEED_SLOTS 128

typedef struct seed_slot {
    int used;
    int running;                     /* a caller is copying onto this target now */
    int done;                        /* a copy of `source` completed */
    char target[64 + SP_ID_MAX + 2]; /* "<pool uuid>/<volume id>" */
    char source[65];                 /* sha256 of the source's description */
    uint64_t stamp;                  /* last use, for evicting the oldest finished slot */
} seed_slot;

static pthread_mutex_t seed_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t seed_cond = PTHREAD_COND_INITIALIZER;
static seed_slot slots[SEED_SLOTS];
static uint64_t seed_clock;

typedef enum seed_turn { SEED_COPY, SEED_ALREADY_DONE } seed_turn;

static seed_slot *find_slot(const char *target)
{
    for (size_t i = 0; i < SEED_SLOTS; i++)
        if (slots[i].used && strcmp(slots[i].target, target) == 0)
            return &slots[i];
    return NULL;
}

/* A free slot, else the least recently used finished one; NULL when every slot is copying. */
static seed_slot *new_slot(void)
{
    seed_slot *oldest = NULL;

    for (size_t i = 0; i < SEED_SLOTS; i++) {
        if (!slots[i].used)
            return &slots[i];
        if (!slots[i].running && (oldest == NULL || slots[i].stamp < oldest->stamp))
            oldest = &slots[i];
    }
    return oldest;
}

/* Waits until no other caller copies onto target; then either the source is already there, or
 * this caller holds the target (*slot) and must call seed_end. */
static seed_turn seed_begin(const char *target, const char *source, seed_slot **slot)
{
    seed_turn turn;
    seed_slot *s;

    pthread_mutex_lock(&seed_lock);
    for (;;) {
        s = find_slot(target);
        if (s != NULL && s->running) {
            pthread_cond_wait(&seed_cond, &seed_lock);
            continue;
        }
        if (s != NULL && s->done && strcmp(s->source, source) == 0) {
            s->stamp = ++seed_clock;
            turn = SEED_ALREADY_DONE;
            break;
        }
        if (s == NULL && (s = new_slot()) == NULL) {
            pthread_cond_wait(&seed_cond, &seed_lock);
            continue;
        }
        memset(s, 0, sizeof(*s));
        s->used = 1;
        s->running = 1;
        snprintf(s->target, sizeof(s->target), "%s", target);
        snprintf(s->source, sizeof(s->source), "%s", source);
        s->stamp = ++seed_clock;
        turn = SEED_COPY;
        break;
    }
    *slot = s;
    pthread_mutex_unlock(&seed_lock);
    return turn;
}

static void seed_end(seed_slot *s, int copied)
{
    pthread_mutex_lock(&seed_lock);
    s->running = 0;
    s->done = copied;
    if (!copied)
        s->used = 0;
    pthread_cond_broadcast(&seed_cond);
    pthread_mutex_unlock(&seed_lock);
}

static void source_digest(const sp_image_source *src, char hex[65])
{
    char desc[3 * SP_PATH_MAX];

    snprintf(desc, sizeof(desc), "%d\n%s\n%s\n%s", (int)src->format, src->path != NULL ? src->path : "",
             src->url != NULL ? src->url : "", src->checksum != NULL ? src->checksum : "");
    pfx_sha256_hex(desc, strlen(desc), hex);
}

/* Whether the target reads as zeros: a thin volume on which nothing was ever written. Only then
 * may qemu-img skip the zero areas of the image; a volume holding an earlier, partial copy must
 * have them written. */
static int target_is_zero(sp_pool *pool, const pfx_ad_volume *v)
{
    pfx_gw_vtree_stats vs;
    sp_error e;

    if (!v->thin || v->vtree_id[0] == '\0' || pfx_gw_vtree_get_stats(pool->gw, v->vtree_id, &vs, &e) != SP_OK)
        return 0;
    return vs.net_provisioned_addresses_kb.present && vs.net_provisioned_addresses_kb.value == 0;
}

/* An image whose every stored byte qemu-img map locates in the image file (no backing file, no
 * compressed cluster, every range 4 KiB aligned) is written onto a file-backed target that reads
 * as zeros by
 * copying those ranges with the block copy's threads: qemu-img stays the only reader of the
 * image's format, and the copy took 0.10-0.14 s where qemu-img convert took 0.18-0.20 s (1 GiB
 * QCOW2, 520 MiB of data). 1 when it did the writing (*st says how it went); 0 when the image
 * must go through qemu-img convert. */
static int copy_ranges(const pfx_template_local *img, const char *device, const sp_progress *progress,
                       sp_status *st, sp_error *err)
{
    pfx_image_extent *ext = NULL;
    struct stat sb;
    size_t n = 0;
    int copyable = 0, used = 0;
    sp_error e;

    /* A block device (a real SDC's) is written by qemu-img, whose sixteen requests in flight kept
     * an array busier than the block copy's threads (blockcopy.h): the ranges are copied onto
     * file-backed volumes only. */
    if (stat(device, &sb) != 0 || !S_ISREG(sb.st_mode))
        return 0;
    if (stat(img->path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        pfx_qemuimg_map(img->path, img->format, img->facts.virtual_size, (uint64_t)sb.st_size, &ext, &n,
                        &copyable, &e) != SP_OK ||
        !copyable)
        goto out;
    for (size_t i = 0; i < n; i++)
        if ((ext[i].start | ext[i].length) % 4096 != 0)
            goto out;
    used = 1;
    *st = pfx_blockcopy_extents(img->path, device, ext, n, img->facts.virtual_size, progress, err);
out:
    free(ext);
    return used;
}

static sp_status seed(sp_pool *pool, const sp_image_source *src, const char *vol_id, const sp_host_ref *host,
                      const pfx_host_cfg *cfg, const sp_progress *progress, sp_error *err)
{
    pfx_template_local img;
    pfx_ad_volume vol;
    pfx_ad_attach att;
    pfx_qemuimg_convert_opts conv;
    int64_t t0 = pfx_now_ms();
    sp_status st;

    memset(&att, 0, sizeof(att));
    st = pfx_template_fetch(src, cfg->cache_dir, progress, &img, err);
    if (st != SP_OK)
        goto out;
    /* The size is checked before anything is mapped or written; the V-Tree id and type are what
     * target_is_zero asks about. Whether it is mapped here already, the map's answer says. */
    st = pfx_ad_volume_read(pool, vol_id, NULL, &vol, err);
    if (st != SP_OK) {
        pfx_error_prefix(err, "reading the target volume");
        goto out;
    }
    if (vol.size_bytes < img.facts.virtual_size) {
        st = pfx_error(err, SP_E_INVALID,
                       "volume %s has %" PRIu64 " bytes but template %s needs %" PRIu64
                       " (its virtual size); create the template volume with at least that size",
                       vol_id, vol.size_bytes, img.origin, img.facts.virtual_size);
        goto out;
    }
    st = pfx_ad_attach_volume(pool, vol_id, host, cfg, 1, &att, err);
    if (st != SP_OK)
        goto out;
    memset(&conv, 0, sizeof(conv));
    conv.src = img.path;
    conv.src_format = img.format;
    conv.dst = att.device;
    conv.dst_format = SP_FORMAT_RAW;
    conv.dst_exists = 1;
    conv.target_is_zero = !att.found_mapped && target_is_zero(pool, &vol);
    conv.progress_total = img.facts.virtual_size;
    conv.phase = "copy";
    conv.progress = progress;
    if (conv.target_is_zero && copy_ranges(&img, att.device, progress, &st, err))
        ; /* written from the image's own data ranges, or failed doing so */
    else
        st = pfx_qemuimg_convert(&conv, err);
    if (st != SP_OK)
        pfx_error_prefix(err, "writing template %s onto volume %s", img.origin, vol_id);
out:
    if (att.pool != NULL) {
        sp_error undo;
        sp_status ds = pfx_ad_detach_volume(&att, st == SP_OK ? err : &undo);
        if (ds != SP_OK && st == SP_OK)
            st = ds;
        else if (ds != SP_OK)
            pfx_ad_add_failure(err, "unmapping the volume", &undo);
    }
    pfx_template_release(&img);
    if (st == SP_OK)
        pfx_log(SP_LOG_INFO, "pool %s: template %s written onto volume %s through host %s in %" PRId64 " ms",
                pool->uuid, img.origin, vol_id, host->name != NULL ? host->name : host->ip,
                pfx_now_ms() - t0);
    return st;
}

sp_status pfx_ad_copy_image_to_volume(sp_pool *pool, const sp_image_source *src, const sp_volume_ref *dest,
                                      const sp_host_ref *host, const sp_progress *progress, sp_error *err)
{
    char vol_id[SP_ID_MAX], target[sizeof(slots[0].target)], digest[65];
    pfx_host_cfg cfg;
    seed_slot *slot = NULL;
    sp_status st;

    PFX_ERR_GUARD(err);
    if (pool == NULL || src == NULL)
        return pfx_error(err, SP_E_INVALID, "copy_image_to_volume needs a pool and an image source");
    PFX_SIZED(src, sp_image_source, SP_IMAGE_SOURCE_SIZE_2_0, "copy_image_to_volume", err);
    if ((st = pfx_pool_check_usable(pool, "seeding a template", 0, err)) != SP_OK)
        return st;
    if ((st = pfx_path_volume_id(dest, vol_id, sizeof(vol_id), err)) != SP_OK)
        return st;
    if ((st = pfx_ad_host_cfg(host, &cfg, err)) != SP_OK)
        return st;
    snprintf(target, sizeof(target), "%s/%s", pool->uuid, vol_id);
    source_digest(src, digest);
    if (seed_begin(target, digest, &slot) == SEED_ALREADY_DONE) {
        pfx_ad_volume v;
        /* Another caller wrote this very image onto this volume: nothing to copy. */
        if ((st = pfx_ad_volume_read(pool, vol_id, NULL, &v, err)) != SP_OK)
            return pfx_error_prefix(err, "volume %s was seeded but cannot be read now", dest->path);
        pfx_log(SP_LOG_INFO, "pool %s: volume %s already holds this template; not copying it again",
                pool->uuid, dest->path);
        return SP_OK;
    }
    st = seed(pool, src, vol_id, host, &cfg, progress, err);
    seed_end(slot, st == SP_OK);
    if (st != SP_OK)
        return pfx_error_prefix(err, "seeding volume %s of pool %s", dest->path, pool->uuid);
    return SP_OK;
}
