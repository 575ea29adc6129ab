/* adaptor_crypt.c - Adaptor.format_encrypted and grow_encrypted: a volume made an encrypted disk on
 * a host (optionally with a template's content), and grown after the array grew it. A thin volume
 * holds QCOW2 with LUKS encryption, a thick one LUKS, as CloudStack's agent makes them; the choice
 * follows the volume's type on the array, never what its first bytes say (a guest writes those).
 * The passphrase lives in a wiped pfx_secret and, for qemu-img, a key file under
 * host.cache.location removed before returning. */
#include "config.h"

#include "adaptor_crypt.h"

#include "error.h"
#include "hostsvc.h"
#include "luks.h"
#include "sized.h"
#include "sizes.h"
#include "template_fetch.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

sp_status pfx_ad_encryption(const sp_encryption *enc, pfx_secret **out, uint64_t *usable, sp_error *err)
{
    *out = NULL;
    *usable = 0;
    if (enc == NULL)
        return pfx_error(err, SP_E_INVALID, "no encryption given");
    PFX_SIZED(enc, sp_encryption, SP_ENCRYPTION_SIZE_MIN, "encryption", err);
    if (enc->passphrase == NULL || enc->passphrase_len == 0)
        return pfx_error(err, SP_E_INVALID, "an encrypted volume needs its passphrase");
    *out = pfx_secret_new(enc->passphrase, enc->passphrase_len);
    if (*out == NULL)
        return pfx_error(err, SP_E_NOMEM, "out of memory");
    *usable = enc->usable_bytes;
    return SP_OK;
}

pfx_luks_kind pfx_ad_luks_kind(int thin)
{
    return thin ? PFX_LUKS_QCOW2 : PFX_LUKS_RAW;
}

sp_image_format pfx_ad_luks_format(pfx_luks_kind kind)
{
    return kind == PFX_LUKS_QCOW2 ? SP_FORMAT_QCOW2 : SP_FORMAT_LUKS;
}

typedef struct crypt_op {
    sp_pool *pool;
    const sp_host_ref *host;
    pfx_host_cfg cfg;
    char vol_id[SP_ID_MAX];
    pfx_ad_volume vol;
    pfx_secret *pass;
    uint64_t usable;
    pfx_luks_key key;
    pfx_ad_attach att;
} crypt_op;

/* Reads the volume, maps it here (refused when a guest may use it) and writes the key file. */
static sp_status begin(crypt_op *o, sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                       const sp_encryption *enc, sp_error *err)
{
    sp_status st;

    memset(o, 0, sizeof(*o));
    o->pool = pool;
    o->host = host;
    if (pool == NULL || vol == NULL)
        return pfx_error(err, SP_E_INVALID, "a pool and a volume are needed");
    if ((st = pfx_path_volume_id(vol, o->vol_id, sizeof(o->vol_id), err)) != SP_OK ||
        (st = pfx_ad_host_cfg(host, &o->cfg, err)) != SP_OK ||
        (st = pfx_ad_encryption(enc, &o->pass, &o->usable, err)) != SP_OK)
        return st;
    if ((st = pfx_ad_volume_read(pool, o->vol_id, NULL, &o->vol, err)) != SP_OK)
        return st;
    if ((st = pfx_ad_attach_volume(pool, o->vol_id, host, &o->cfg, 1, &o->att, err)) != SP_OK)
        return st;
    if (o->att.found_mapped)
        return pfx_error(err, SP_E_BUSY, "volume %s is mapped to host %s already: a guest may be using it",
                         o->vol_id, host->name != NULL ? host->name : host->ip);
    return pfx_luks_key_open(o->cfg.cache_dir, o->pass, &o->key, err);
}

static void end(crypt_op *o, sp_status *st, sp_error *err)
{
    sp_error undo;

    pfx_luks_key_close(&o->key);
    pfx_secret_free(o->pass);
    o->pass = NULL;
    if (o->att.pool != NULL) {
        sp_status ds = pfx_ad_detach_volume(&o->att, *st == SP_OK ? err : &undo);
        if (ds != SP_OK && *st == SP_OK)
            *st = ds;
        else if (ds != SP_OK)
            pfx_ad_add_failure(err, "unmapping the volume", &undo);
    }
}

sp_status pfx_ad_format_encrypted(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                  const sp_encryption *enc, const sp_image_source *src,
                                  const sp_progress *progress, sp_disk_info *out, sp_error *err)
{
    pfx_template_local img;
    pfx_luks_kind kind;
    uint64_t size = 0;
    crypt_op o;
    sp_status st;
    PFX_ERR_GUARD(err);

    PFX_SIZED(src, sp_image_source, SP_IMAGE_SOURCE_SIZE_2_0, "format_encrypted", err);
    PFX_SIZED(out, sp_disk_info, SP_DISK_INFO_SIZE_2_0, "format_encrypted", err);
    memset(&img, 0, sizeof(img));
    if (out != NULL) {
        memset(out, 0, sizeof(*out));
        out->struct_size = sizeof(*out);
    }
    if ((st = begin(&o, pool, vol, host, enc, err)) != SP_OK)
        goto out;
    kind = pfx_ad_luks_kind(o.vol.thin);
    if (o.usable == 0)
        o.usable = pfx_luks_usable(o.att.device_size);
    if (o.usable == 0 || o.usable > o.att.device_size) {
        st = pfx_error(err, SP_E_INVALID,
                       "volume %s (%" PRIu64 " bytes) cannot hold an encrypted disk of %" PRIu64
                       " usable bytes",
                       o.vol_id, o.att.device_size, o.usable);
        goto out;
    }
    if (src != NULL) {
        if ((st = pfx_template_fetch(src, o.cfg.cache_dir, progress, &img, err)) != SP_OK)
            goto out;
        if (img.facts.virtual_size > o.usable) {
            st = pfx_error(err, SP_E_NO_SPACE,
                           "template %s needs %" PRIu64 " bytes but encrypted volume %s holds %" PRIu64
                           " after its headers; make the volume larger",
                           img.origin, img.facts.virtual_size, o.vol_id, o.usable);
            goto out;
        }
    }
    if ((st = pfx_luks_format(o.att.device, kind, o.usable, &o.key, err)) != SP_OK)
        goto out;
    if (src != NULL && (st = pfx_luks_convert(img.path, img.format, PFX_LUKS_NONE, o.att.device, kind, &o.key,
                                              img.facts.virtual_size, progress, err)) != SP_OK)
        goto out;
    if ((st = pfx_luks_size(o.att.device, kind, &o.key, &size, err)) != SP_OK)
        goto out;
    if (out != NULL) {
        snprintf(out->path, sizeof(out->path), "%s", o.att.device);
        out->size_bytes = size;
        out->format = pfx_ad_luks_format(kind);
    }
    pfx_log(SP_LOG_INFO, "volume %s: encrypted disk (%s, %" PRIu64 " usable bytes)%s%s made through host %s",
            o.vol_id, kind == PFX_LUKS_QCOW2 ? "QCOW2+LUKS" : "LUKS", size, src != NULL ? " holding " : "",
            src != NULL ? img.origin : "", host->name != NULL ? host->name : host->ip);
out:
    end(&o, &st, err);
    pfx_template_release(&img);
    if (st != SP_OK)
        pfx_error_prefix(err, "making volume %s an encrypted disk",
                         vol != NULL && vol->path ? vol->path : "");
    return st;
}

sp_status pfx_ad_grow_encrypted(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                const sp_encryption *enc, sp_disk_info *out, sp_error *err)
{
    pfx_luks_kind kind;
    uint64_t size = 0, usable;
    crypt_op o;
    sp_status st;
    PFX_ERR_GUARD(err);

    PFX_SIZED(out, sp_disk_info, SP_DISK_INFO_SIZE_2_0, "grow_encrypted", err);
    if (out != NULL) {
        memset(out, 0, sizeof(*out));
        out->struct_size = sizeof(*out);
    }
    if ((st = begin(&o, pool, vol, host, enc, err)) != SP_OK)
        goto out;
    kind = pfx_ad_luks_kind(o.vol.thin);
    usable = o.usable != 0 ? o.usable : pfx_luks_usable(o.att.device_size);
    if ((st = pfx_luks_grow(o.att.device, kind, usable, &o.key, err)) != SP_OK ||
        (st = pfx_luks_size(o.att.device, kind, &o.key, &size, err)) != SP_OK)
        goto out;
    if (out != NULL) {
        snprintf(out->path, sizeof(out->path), "%s", o.att.device);
        out->size_bytes = size;
        out->format = pfx_ad_luks_format(kind);
    }
out:
    end(&o, &st, err);
    if (st != SP_OK)
        pfx_error_prefix(err, "growing the encrypted disk of volume %s",
                         vol != NULL && vol->path ? vol->path : "");
    return st;
}
