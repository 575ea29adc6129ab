/* adaptor_image.c - Adaptor.copy_volume_to_image: a volume or snapshot read through this host into
 * a QCOW2 template file on secondary storage, published whole (temporary name, sync, rename). */
#include "config.h"

#include "adaptor_impl.h"

#include "checksum.h"
#include "copyjournal.h"
#include "error.h"
#include "hostsvc.h"
#include "proc.h"
#include "qemuimg.h"
#include "sized.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Templates on secondary storage are read by other hosts and the secondary storage VM, often
 * over NFS with root squashed: the file must be readable by all, as CloudStack's are. */
#define TEMPLATE_MODE 0644

static sp_status split_dest(const char *dest, char *dir, char *base, size_t len, sp_error *err)
{
    char a[SP_PATH_MAX], b[SP_PATH_MAX];
    struct stat sb;

    if (dest == NULL || dest[0] != '/')
        return pfx_error(err, SP_E_INVALID, "template path %.200s is not absolute",
                         dest != NULL ? dest : "(none)");
    if (snprintf(a, sizeof(a), "%s", dest) >= (int)sizeof(a) || strlen(dest) >= len)
        return pfx_error(err, SP_E_INVALID, "template path %.200s... is too long", dest);
    memcpy(b, a, sizeof(b));
    snprintf(dir, len, "%s", dirname(a));
    snprintf(base, len, "%s", basename(b));
    if (base[0] == '\0' || strcmp(base, "/") == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
        dest[strlen(dest) - 1] == '/')
        return pfx_error(err, SP_E_INVALID, "template path %s does not name a file", dest);
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return pfx_error(err, SP_E_NOT_FOUND, "the directory of template %s does not exist", dest);
    return SP_OK;
}

/* Makes the converted file durable and describes it before it gets its name. */
static sp_status finish_file(const char *tmp, const sp_progress *progress, sp_image_info *out, sp_error *err)
{
    pfx_image_facts facts;
    char hex[PFX_HASH_HEX_MAX];
    struct stat sb;
    sp_status st;

    if (chmod(tmp, TEMPLATE_MODE) != 0)
        return pfx_error(err, SP_E_IO, "cannot set the mode of %s: %s", tmp, strerror(errno));
    if ((st = pfx_sync_path(tmp, err)) != SP_OK)
        return st;
    if ((st = pfx_qemuimg_info(tmp, SP_FORMAT_QCOW2, &facts, err)) != SP_OK)
        return st;
    if (stat(tmp, &sb) != 0)
        return pfx_error(err, SP_E_IO, "cannot stat %s: %s", tmp, strerror(errno));
    if ((st = pfx_checksum_file(tmp, PFX_HASH_SHA256, progress, hex, err)) != SP_OK)
        return st;
    out->virtual_size_bytes = facts.virtual_size;
    out->physical_size_bytes = (uint64_t)sb.st_size;
    snprintf(out->checksum, sizeof(out->checksum), "sha256:%.64s", hex);
    out->format = SP_FORMAT_QCOW2;
    return SP_OK;
}

sp_status pfx_ad_copy_volume_to_image(sp_pool *pool, const sp_volume_ref *src, const sp_host_ref *host,
                                      const char *dest_path, const sp_progress *progress, sp_image_info *out,
                                      sp_error *err)
{
    char vol_id[SP_ID_MAX], dir[SP_PATH_MAX], base[SP_PATH_MAX], tmp[SP_PATH_MAX + 16];
    pfx_host_cfg cfg;
    pfx_ad_attach att;
    pfx_qemuimg_convert_opts conv;
    sp_image_info info = SP_INIT(sp_image_info);
    int fd, have_tmp = 0;
    sp_status st;

    PFX_ERR_GUARD(err);
    memset(&att, 0, sizeof(att));
    if (pool == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "copy_volume_to_image needs a pool and an output");
    PFX_SIZED(out, sp_image_info, SP_IMAGE_INFO_SIZE_2_0, "copy_volume_to_image", err);
    if ((st = pfx_pool_check_usable(pool, "making a template from a volume", 1, err)) != SP_OK)
        return st;
    if ((st = pfx_path_volume_id(src, vol_id, sizeof(vol_id), err)) != SP_OK)
        return st;
    if ((st = split_dest(dest_path, dir, base, sizeof(dir), err)) != SP_OK)
        return st;
    if ((st = pfx_ad_host_cfg(host, &cfg, err)) != SP_OK)
        return st;
    if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base) >= (int)sizeof(tmp))
        return pfx_error(err, SP_E_INVALID, "template path %s is too long", dest_path);
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return pfx_error(err, errno == ENOSPC ? SP_E_NO_SPACE : SP_E_IO, "cannot create a file in %s: %s",
                         dir, strerror(errno));
    close(fd);
    have_tmp = 1;
    /* Nothing is read first: the device gives the size, and the map's answer says whether the
     * volume was mapped here already (a running VM's mapping, which then stays as it is). A volume
     * that does not exist fails the map. */
    st = pfx_ad_attach_volume(pool, vol_id, host, &cfg, 1, &att, err);
    if (st != SP_OK)
        goto out;
    /* The volume holds whatever its guest wrote, a QCOW2 header included: it is read as the RAW
     * device it is (-f raw), never inspected for a format it does not have. */
    memset(&conv, 0, sizeof(conv));
    conv.src = att.device;
    conv.src_format = SP_FORMAT_RAW;
    conv.dst = tmp;
    conv.dst_format = SP_FORMAT_QCOW2;
    conv.progress_total = att.device_size;
    conv.phase = "copy";
    conv.progress = progress;
    st = pfx_qemuimg_convert(&conv, err);
    if (st != SP_OK)
        goto out;
    /* The volume is given back before the file is checked: the array need not wait for that. */
    st = pfx_ad_detach_volume(&att, err);
    if (st != SP_OK)
        goto out;
    memset(&info, 0, sizeof(info));
    info.struct_size = sizeof(info);
    if ((st = finish_file(tmp, progress, &info, err)) != SP_OK)
        goto out;
    if (rename(tmp, dest_path) != 0) {
        st = pfx_error(err, SP_E_IO, "cannot rename %s to %s: %s", tmp, dest_path, strerror(errno));
        goto out;
    }
    have_tmp = 0;
    if ((st = pfx_sync_path(dir, err)) != SP_OK)
        goto out;
    snprintf(info.path, sizeof(info.path), "%s", dest_path);
    *out = info;
    pfx_log(SP_LOG_INFO,
            "pool %s: volume %s written to template %s (%" PRIu64 " bytes virtual, %" PRIu64 " in the file)",
            pool->uuid, src->path, dest_path, info.virtual_size_bytes, info.physical_size_bytes);
out:
    if (st != SP_OK && att.pool != NULL) {
        sp_error undo;
        if (pfx_ad_detach_volume(&att, &undo) != SP_OK)
            pfx_ad_add_failure(err, "unmapping the volume", &undo);
    }
    if (have_tmp && unlink(tmp) != 0 && errno != ENOENT)
        pfx_log(SP_LOG_WARN, "cannot delete %s: %s", tmp, strerror(errno));
    if (st != SP_OK)
        return pfx_error_prefix(err, "template %s from volume %s", dest_path, src->path);
    return SP_OK;
}
