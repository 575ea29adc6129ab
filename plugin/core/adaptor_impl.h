/* adaptor_impl.h - what the Adaptor's files share: this host's settings, a volume's device on this
 * host (connect, disconnect) and putting a volume on the host for a copy and taking it off again.
 *
 * The Adaptor's methods live in one file each: adaptor_device.c (devices, config drives),
 * adaptor_seed.c (templates onto volumes), adaptor_image.c (volumes into templates),
 * adaptor_across.c (copies between arrays) and adaptor_recover.c (copies a crash interrupted).
 * Threads: everything here may run concurrently; nothing keeps state between calls except the
 * pool handle's SDC id cache. */
#ifndef PFX_ADAPTOR_IMPL_H
#define PFX_ADAPTOR_IMPL_H

#include "settings.h"

#include "poolhandle.h"
#include "storage_plugin.h"

#include <stdint.h>

/* A KVM host's agent.properties as the Adaptor reads them (SP_SCOPE_HOST, scope id host->uuid). */
typedef struct pfx_host_cfg {
    char sdc_home[SP_PATH_MAX];   /* powerflex.sdc.home.dir, default /opt/emc/scaleio/sdc */
    char device_dir[SP_PATH_MAX]; /* powerflex.sdc.device.dir, default /dev/disk/by-id */
    char cache_dir[SP_PATH_MAX];  /* host.cache.location, default /var/cache/cloud */
} pfx_host_cfg;

/* Checks that host can be acted for (a uuid for its settings, an IP for its SDC) and reads its
 * settings. SP_E_INVALID naming what is missing. */
sp_status pfx_ad_host_cfg(const sp_host_ref *host, pfx_host_cfg *out, sp_error *err);
/* Drops the SDC volume list the device look-ups keep (plugin shutdown: the list must not outlive
 * the module that owns it). */
void pfx_ad_sdc_list_forget(void);

/* storage.pool.disk.wait of the pool, in seconds. */
unsigned pfx_ad_disk_wait(sp_pool *pool);

/* Waits (storage.pool.disk.wait) for the volume's device on this host and writes its path and
 * size. The device is named after the pool's system id; the SDC's own list (drv_cfg --query_vols)
 * confirms the mapping, and when drv_cfg cannot answer the device is looked for by the volume id
 * alone. A device already present is taken at once, without running drv_cfg. SP_E_TIMEOUT names
 * the volume, the SDC, the host, the wait, and whether the SDC lists the volume at all. */
sp_status pfx_ad_connect(sp_pool *pool, const char *vol_id, const sp_host_ref *host, const pfx_host_cfg *cfg,
                         char *path, size_t path_len, uint64_t *size, sp_error *err);

/* Waits (storage.pool.disk.wait) for the volume's device to leave this host once its mapping is
 * gone. A device already absent is SP_OK at once. */
sp_status pfx_ad_disconnect(sp_pool *pool, const char *vol_id, const sp_host_ref *host,
                            const pfx_host_cfg *cfg, sp_error *err);

/* The device path the volume has (or would have) on this host: the pool's system id, or, with
 * ask_sdc, the id the SDC lists the volume under when they differ (one drv_cfg run, only when no
 * device carries the pool's id). *present says whether it exists now. */
sp_status pfx_ad_device(sp_pool *pool, const char *vol_id, const pfx_host_cfg *cfg, int ask_sdc, char *path,
                        size_t path_len, int *present, uint64_t *size, sp_error *err);

/* What the array says about a volume the Adaptor is about to put on a host. */
typedef struct pfx_ad_volume {
    char id[SP_ID_MAX];
    char name[SP_NAME_MAX];
    char vtree_id[SP_ID_MAX];
    uint64_t size_bytes;
    int thin;
    int mapped_here; /* already mapped to this host's SDC: someone else's mapping, left in place */
    int mapped_elsewhere;
} pfx_ad_volume;

/* One GET of the volume (and the host's SDC id, from the pool's cache or one lookup).
 * SP_E_NOT_FOUND when the volume does not exist. */
sp_status pfx_ad_volume_read(sp_pool *pool, const char *vol_id, const sp_host_ref *host, pfx_ad_volume *out,
                             sp_error *err);

/* A volume an operation has put on this host: mapped by it (or found mapped) and connected. */
typedef struct pfx_ad_attach {
    sp_pool *pool;
    const sp_host_ref *host; /* borrowed for the operation */
    const pfx_host_cfg *cfg; /* borrowed for the operation */
    char vol_id[SP_ID_MAX];
    char device[SP_PATH_MAX];
    uint64_t device_size;
    int found_mapped; /* the map's answer: it was mapped to this host's SDC already */
    int granted;      /* detach unmaps it: this operation mapped it, or owns what it found */
    int connected;    /* the device was seen */
    int joined_here;  /* the host's SDC joined the system for this operation: it leaves afterwards */
} pfx_ad_attach;

/* Maps vol_id to host's SDC, without QoS and for this host only (mapped to another host is
 * SP_E_BUSY), and waits for its device: one request once the SDC id is cached. Whether it was
 * mapped here already is the map's answer (a->found_mapped), not a read before it; with
 * keep_found such a mapping is someone else's (a running VM's): it stays as it is, limits
 * included, and detach leaves it and its device. On failure everything this call did is undone;
 * the message says which step failed. `a` is always initialised. */
sp_status pfx_ad_attach_volume(sp_pool *pool, const char *vol_id, const sp_host_ref *host,
                               const pfx_host_cfg *cfg, int keep_found, pfx_ad_attach *a, sp_error *err);

/* Undoes attach: unmaps what attach mapped and waits for the device to go. Safe to call on an
 * attach that failed or was already detached. On failure err says what was left behind. */
sp_status pfx_ad_detach_volume(pfx_ad_attach *a, sp_error *err);

/* Appends "; <what> failed too: <undo message>" to err (keeps err's status). */
void pfx_ad_add_failure(sp_error *err, const char *what, const sp_error *undo);

/* The Adaptor's methods (the table in vtables/adaptor.c points at them): devices and config
 * drives in adaptor_device.c, then one file for each copy. */
sp_status pfx_ad_connect_volume(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                sp_disk_info *disk, sp_error *err);
sp_status pfx_ad_disconnect_volume(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                   sp_error *err);
sp_status pfx_ad_get_physical_disk(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                   sp_disk_info *disk, sp_error *err);
sp_status pfx_ad_create_config_drive(const sp_host_ref *host, const char *vm_name, const sp_kv *files,
                                     size_t n_files, char *iso_path_out, size_t iso_path_len, sp_error *err);
sp_status pfx_ad_copy_image_to_volume(sp_pool *pool, const sp_image_source *src, const sp_volume_ref *dest,
                                      const sp_host_ref *host, const sp_progress *progress, sp_error *err);
sp_status pfx_ad_copy_volume_to_image(sp_pool *pool, const sp_volume_ref *src, const sp_host_ref *host,
                                      const char *dest_path, const sp_progress *progress, sp_image_info *out,
                                      sp_error *err);
sp_status pfx_ad_copy_volume_across(sp_pool *src, const sp_volume_ref *vol, sp_pool *dest,
                                    const sp_volume_spec *spec, const sp_host_ref *host,
                                    const sp_progress *progress, sp_volume_info *out, sp_error *err);
sp_status pfx_ad_recover_copies(sp_pool *const *pools, size_t n_pools, const sp_host_ref *host,
                                sp_kv_sink resolved, void *resolved_ctx, sp_error *err);

#endif
