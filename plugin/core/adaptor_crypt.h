/* adaptor_crypt.h - what the Adaptor's encrypted-volume methods share: the host's sp_encryption
 * taken into a wiped secret, and which encrypted format a volume gets (thin: QCOW2+LUKS, thick:
 * LUKS). adaptor_crypt.c holds format_encrypted and grow_encrypted; adaptor_across.c copies. */
#ifndef PFX_ADAPTOR_CRYPT_H
#define PFX_ADAPTOR_CRYPT_H

#include "adaptor_impl.h"
#include "luks.h"
#include "secret.h"

/* Checks enc and copies its passphrase into *out (the caller frees it); *usable its usable_bytes. */
sp_status pfx_ad_encryption(const sp_encryption *enc, pfx_secret **out, uint64_t *usable, sp_error *err);

pfx_luks_kind pfx_ad_luks_kind(int thin);
sp_image_format pfx_ad_luks_format(pfx_luks_kind kind);

sp_status pfx_ad_format_encrypted(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                  const sp_encryption *enc, const sp_image_source *src,
                                  const sp_progress *progress, sp_disk_info *out, sp_error *err);
sp_status pfx_ad_grow_encrypted(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                const sp_encryption *enc, sp_disk_info *out, sp_error *err);
sp_status pfx_ad_copy_volume_across_encrypted(sp_pool *src, const sp_volume_ref *vol, sp_pool *dest,
                                              const sp_volume_spec *spec, const sp_host_ref *host,
                                              const sp_encryption *enc, const sp_progress *progress,
                                              sp_volume_info *out, sp_error *err);

#endif
