/* sdc.h - the PowerFlex SDC on this KVM host: drv_cfg (rescan, mapped volumes, GUID) and the
 * /dev/disk/by-id/emc-vol-<systemId>-<volumeId> devices that mapped volumes become.
 *
 * Ids that come from the array or from drv_cfg are checked to be hex before they are put in a
 * path, so nothing the array says can steer a path elsewhere ('/', "..", newlines).
 * Threads: every function may be called concurrently; none keeps state between calls. */
#ifndef PFX_SDC_H
#define PFX_SDC_H

#include "proc.h"
#include "settings.h"

#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>

#define PFX_SDC_ID_MAX 32 /* hex digits in an id we accept */
#define PFX_SDC_POLL_MS_DEFAULT 200
#define PFX_SDC_RESCAN_MS_DEFAULT 5000

/* A volume mapped to this SDC, as drv_cfg --query_vols lists it. */
typedef struct pfx_sdc_vol {
    char volume_id[PFX_SDC_ID_MAX + 1];
    char system_id[PFX_SDC_ID_MAX + 1]; /* drv_cfg's MDM-ID: the system id in device names */
} pfx_sdc_vol;

/* Whether s is a PowerFlex id: 1 to PFX_SDC_ID_MAX hex digits, nothing else. */
int pfx_sdc_id_ok(const char *s);

/* "<sdc_home>/bin/drv_cfg" into buf (sdc_home NULL or "": the default); SP_E_INVALID for a
 * relative or too long home. */
sp_status pfx_sdc_drv_cfg_path(const char *sdc_home, char *buf, size_t buf_len, sp_error *err);
/* Runs "<sdc_home>/bin/drv_cfg <arg>" (argv, no shell), at most timeout_ms (0: 30 s); a non-zero
 * exit is SP_E_IO naming drv_cfg and its stderr. res is released with pfx_proc_result_free. */
sp_status pfx_sdc_drv_cfg(const char *sdc_home, const char *arg, unsigned timeout_ms, pfx_proc_result *res,
                          sp_error *err);

#define PFX_SDC_MDM_IPS_MAX 8

/* One system this SDC knows, as drv_cfg --query_mdms lists it. */
typedef struct pfx_sdc_mdm {
    char system_id[PFX_SDC_ID_MAX + 1];  /* MDM-ID */
    char sdc_id[PFX_SDC_ID_MAX + 1];     /* this host's SDC in that system; all zeros: not registered */
    char install_id[PFX_SDC_ID_MAX + 1]; /* INSTALLATION ID */
    size_t n_ips;
    char ips[PFX_SDC_MDM_IPS_MAX][64]; /* the MDMs' addresses, [0] first */
} pfx_sdc_mdm;

/* The parser behind pfx_sdc_query_mdms: "Retrieved N mdm(s)", then lines "MDM-ID <hex> SDC ID
 * <hex> INSTALLATION ID <hex> IPs [0]-<ip> [1]-<ip> ...". Blank and unknown lines are skipped;
 * a malformed MDM-ID line, a line before the header or a count that disagrees is SP_E_PROTOCOL.
 * *mdms is malloc'd (free() it; NULL when none). */
sp_status pfx_sdc_parse_query_mdms(const char *text, pfx_sdc_mdm **mdms, size_t *n, sp_error *err);

/* Runs drv_cfg --query_mdms and parses it. A drv_cfg too old for the option fails (SP_E_IO);
 * callers then fall back to what they did before (the SDC found by the host's IP). */
sp_status pfx_sdc_query_mdms(const char *sdc_home, pfx_sdc_mdm **mdms, size_t *n, sp_error *err);

/* This SDC's id in system_id, from drv_cfg --query_mdms, into buf. SP_E_NOT_FOUND when the SDC
 * does not list the system or lists it with the all-zero id of an SDC not registered with it. */
sp_status pfx_sdc_id_for_system(const char *sdc_home, const char *system_id, char *buf, size_t buf_len,
                                sp_error *err);

/* Runs "<sdc_home>/bin/drv_cfg --rescan" (sdc_home NULL: the default), at most timeout_ms
 * (0: 30 s). SP_E_IO with drv_cfg's stderr when it fails. */
sp_status pfx_sdc_rescan(const char *sdc_home, unsigned timeout_ms, sp_error *err);

/* Runs drv_cfg --query_vols and parses it. *vols (malloc'd, free() it; NULL when none) and *n
 * receive the volumes. SP_E_PROTOCOL when the output is not drv_cfg's format. */
sp_status pfx_sdc_query_vols(const char *sdc_home, pfx_sdc_vol **vols, size_t *n, sp_error *err);

/* The parser behind pfx_sdc_query_vols: "Retrieved N volume(s)" and then N lines
 * "VOL-ID <hex> MDM-ID <hex>". Blank and unknown lines are skipped; a VOL-ID line that is
 * malformed, a line before the header, or a count that disagrees is SP_E_PROTOCOL. */
sp_status pfx_sdc_parse_query_vols(const char *text, pfx_sdc_vol **vols, size_t *n, sp_error *err);

/* Runs drv_cfg --query_guid: the SDC's GUID (hex digits and '-') into buf. */
sp_status pfx_sdc_query_guid(const char *sdc_home, char *buf, size_t buf_len, sp_error *err);

/* "<device_dir>/emc-vol-<system_id>-<volume_id>" into buf; SP_E_INVALID for an id that is not
 * hex or a device_dir that is not absolute (device_dir NULL: the default). */
sp_status pfx_sdc_device_path(const char *device_dir, const char *system_id, const char *volume_id, char *buf,
                              size_t buf_len, sp_error *err);

/* When the system id is unknown (CloudStack's fallback): the one entry of device_dir named
 * emc-vol-<hex>-<volume_id>. SP_E_NOT_FOUND when there is none; SP_E_STATE when several systems
 * have a volume of that id (only the system id can choose, so waiting would not help). */
sp_status pfx_sdc_find_device(const char *device_dir, const char *volume_id, char *buf, size_t buf_len,
                              sp_error *err);

/* The size of a block device (BLKGETSIZE64) or of a regular file, following symlinks.
 * SP_E_NOT_FOUND when the path (or a symlink's target) does not exist. */
sp_status pfx_device_size(const char *path, uint64_t *size, sp_error *err);

/* What to wait for, and for how long. Strings are borrowed for the call. */
typedef struct pfx_sdc_wait {
    const char *sdc_home;   /* NULL: PFX_SDC_HOME_DEFAULT */
    const char *device_dir; /* NULL: PFX_SDC_DEVICE_DIR_DEFAULT */
    const char *system_id;  /* NULL or "": unknown, found through query_vols or find_device */
    const char *volume_id;
    const char *sdc_id;    /* for messages; may be NULL */
    const char *host_name; /* for messages; may be NULL */
    unsigned wait_s;       /* storage.pool.disk.wait */
    unsigned poll_ms;      /* 0: PFX_SDC_POLL_MS_DEFAULT; how often the device is checked */
    unsigned rescan_ms;    /* 0: PFX_SDC_RESCAN_MS_DEFAULT; how often drv_cfg --rescan repeats */
} pfx_sdc_wait;

/* Waits up to wait_s for the volume's device to exist with a size above 0: runs drv_cfg --rescan
 * at once and every rescan_ms, and looks every poll_ms (CloudStack looks once a second and
 * rescans once). A failing rescan is logged and waiting goes on: the SDC also rescans by itself.
 * On success path_out holds the device path and *size its size (size may be NULL).
 * SP_E_TIMEOUT names the volume, the SDC, the path and the wait (and the last rescan failure). */
sp_status pfx_sdc_wait_device(const pfx_sdc_wait *w, char *path_out, size_t path_len, uint64_t *size,
                              sp_error *err);

/* Waits up to wait_s for the volume's device to disappear after its mapping was removed,
 * rescanning like pfx_sdc_wait_device. SP_E_TIMEOUT when it is still there. */
sp_status pfx_sdc_wait_device_gone(const pfx_sdc_wait *w, sp_error *err);

#endif
