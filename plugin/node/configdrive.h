/* configdrive.h - config drive ISOs on the KVM host (PowerFlex pools cannot hold them), and the
 * zone settings that decide where a VM's config drive goes.
 *
 * The ISO is built by a real ISO tool (genisoimage, mkisofs, or xorriso -as mkisofs, found in the
 * fixed system dirs) with volume label "config-2", Rock Ridge and Joliet names, in CloudStack's
 * layout:
 *   openstack/latest/meta_data.json     required
 *   openstack/latest/user_data          optional
 *   openstack/latest/vendor_data.json   "{}" unless given (as CloudStack writes it)
 *   openstack/latest/network_data.json  "{}" unless given
 *   openstack/content/                  always present (files the metadata refers to)
 *   cloudstack/userdata/user_data.txt, cloudstack/metadata/<item>.txt,
 *   cloudstack/password/vm_password.txt optional
 * It is written to <host.cache.location>/config/<vm name>.iso: directories are created 0700, the
 * ISO is written under a temporary name, synced and renamed, so a reader sees the old ISO or the
 * new one, never half of one. The ISO is 0600 (it may hold a password); libvirt's DAC labelling
 * gives qemu access when it attaches it.
 * Threads: builds for different VMs may run concurrently; two builds for one VM must not. */
#ifndef PFX_CONFIGDRIVE_H
#define PFX_CONFIGDRIVE_H

#include "storage_plugin.h"

#include <stddef.h>

#define PFX_CONFIGDRIVE_LABEL "config-2"
#define PFX_CONFIGDRIVE_DIR "config" /* under host.cache.location */

/* Zone settings of the seed (values "true"/"false"). */
#define PFX_SETTING_CONFIGDRIVE_PRIMARY_POOL "vm.configdrive.primarypool.enabled" /* false */
#define PFX_SETTING_CONFIGDRIVE_HOST_CACHE_UNSUPPORTED                                                       \
    "vm.configdrive.use.host.cache.on.unsupported.pool"                                /* true */
#define PFX_SETTING_CONFIGDRIVE_FORCE_HOST_CACHE "vm.configdrive.force.host.cache.use" /* false */

typedef enum pfx_configdrive_location {
    PFX_CONFIGDRIVE_SECONDARY = 0,    /* on secondary storage: CloudStack's default place */
    PFX_CONFIGDRIVE_PRIMARY_POOL = 1, /* on the VM's primary pool */
    PFX_CONFIGDRIVE_HOST_CACHE = 2    /* <host.cache.location>/config on the VM's host */
} pfx_configdrive_location;

typedef struct pfx_configdrive_settings {
    int primary_pool_enabled;               /* vm.configdrive.primarypool.enabled */
    int use_host_cache_on_unsupported_pool; /* vm.configdrive.use.host.cache.on.unsupported.pool */
    int force_host_cache_use;               /* vm.configdrive.force.host.cache.use */
} pfx_configdrive_settings;

/* The seed's defaults: false, true, false. */
#define PFX_CONFIGDRIVE_SETTINGS_DEFAULT                                                                     \
    {                                                                                                        \
        0, 1, 0                                                                                              \
    }

/* Where a VM's config drive goes, from the seed's three zone settings:
 *   force.host.cache.use  forces the host cache, whatever the pool;
 *   primarypool.enabled   puts it on the primary pool, when the pool supports config drives;
 *   use.host.cache.on.unsupported.pool  puts it in the host cache when primary pool storage is
 *                         enabled but the pool does not support config drives (PowerFlex);
 *   otherwise it stays on secondary storage, where CloudStack keeps config drives by default.
 * The whole truth table (force, primary, use_cache -> supported pool | unsupported pool):
 *   1 1 1 -> HOST_CACHE   | HOST_CACHE
 *   1 1 0 -> HOST_CACHE   | HOST_CACHE
 *   1 0 1 -> HOST_CACHE   | HOST_CACHE
 *   1 0 0 -> HOST_CACHE   | HOST_CACHE
 *   0 1 1 -> PRIMARY_POOL | HOST_CACHE
 *   0 1 0 -> PRIMARY_POOL | SECONDARY   (CloudStack's agent fails here; secondary always works)
 *   0 0 1 -> SECONDARY    | SECONDARY
 *   0 0 0 -> SECONDARY    | SECONDARY
 * With the defaults (row 0 0 1) a PowerFlex VM's config drive stays on secondary storage;
 * enabling primary pool storage for the zone sends it to the host cache. */
pfx_configdrive_location pfx_configdrive_location_for(const pfx_configdrive_settings *s,
                                                      int pool_supports_config_drive);

/* "secondary", "primary pool", "host cache". */
const char *pfx_configdrive_location_name(pfx_configdrive_location loc);

/* Reads the three settings for a zone through the host (SP_SCOPE_ZONE); missing or invalid
 * values (anything but true/false in any case) take the defaults, invalid ones with a warning. */
void pfx_configdrive_settings_load(const char *zone_uuid, pfx_configdrive_settings *out);

/* Whether name can name the ISO file: 1 to 200 bytes, no '/', no "..", not starting with '.',
 * no control characters. */
int pfx_configdrive_vm_name_ok(const char *name);

/* Whether path can be a file inside the ISO: relative, under openstack/ or cloudstack/, no empty,
 * "." or ".." components, components of at most 64 bytes (Joliet), no control characters or
 * backslashes, at most 255 bytes in all. */
int pfx_configdrive_path_ok(const char *path);

/* "<cache_dir>/config/<vm_name>.iso" into buf. */
sp_status pfx_configdrive_iso_path(const char *cache_dir, const char *vm_name, char *buf, size_t buf_len,
                                   sp_error *err);

/* Uses `path` (absolute) as the ISO tool from now on; its base name "xorriso" selects xorriso's
 * mkisofs emulation. NULL or "" goes back to looking for genisoimage, mkisofs, xorriso. For tests
 * and the agent's set-up. */
void pfx_configdrive_set_iso_tool(const char *path);

/* Builds the ISO for vm_name from files (key: path inside the ISO, value: content) under
 * cache_dir (host.cache.location, absolute) and writes its path into iso_out (may be NULL).
 * An existing ISO of the VM is replaced. SP_E_INVALID for a bad name or path, a path given
 * twice or used both as file and directory, or no openstack/latest/meta_data.json; SP_E_IO when
 * the tool fails (its stderr quoted); SP_E_NOT_FOUND when no ISO tool is installed. */
sp_status pfx_configdrive_build(const char *cache_dir, const char *vm_name, const sp_kv *files,
                                size_t n_files, char *iso_out, size_t iso_out_len, sp_error *err);

/* Deletes the VM's ISO (when the VM is expunged); an absent ISO is SP_OK. */
sp_status pfx_configdrive_remove(const char *cache_dir, const char *vm_name, sp_error *err);

#endif
