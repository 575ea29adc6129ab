/* luks.h - encrypted volumes on this host as CloudStack's KVM agent makes them on PowerFlex: a thin
 * volume holds QCOW2 with LUKS encryption, a thick one LUKS, both written by qemu-img on the raw
 * device. The passphrase reaches qemu-img only as a 0600 file in a private 0700 directory named by
 * --object secret,file= (never on a command line), which is overwritten and removed afterwards.
 * Threads: every function may be called concurrently (on different devices). */
#ifndef PFX_LUKS_H
#define PFX_LUKS_H

#include "secret.h"
#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>

typedef enum pfx_luks_kind {
    PFX_LUKS_NONE = 0,  /* not an encrypted disk */
    PFX_LUKS_QCOW2 = 1, /* QCOW2, encrypt.format=luks: thin volumes */
    PFX_LUKS_RAW = 2    /* LUKS: thick volumes */
} pfx_luks_kind;

/* Bytes a guest can use of an encrypted volume of `raw` bytes, as CloudStack reserves room for the
 * headers and metadata: raw - 128 MiB - (raw / GiB) x 200704 (8 GiB gives 8 454 111 232). 0 when
 * raw is too small for that. */
uint64_t pfx_luks_usable(uint64_t raw);

/* The key file of one operation. */
typedef struct pfx_luks_key {
    char dir[SP_PATH_MAX];  /* <parent>/pfx-key.XXXXXX, mode 0700; "" when not made */
    char file[SP_PATH_MAX]; /* <dir>/key, mode 0600 */
    size_t len;
} pfx_luks_key;

/* Writes the passphrase into a new key file under parent_dir (created 0700 when missing). */
sp_status pfx_luks_key_open(const char *parent_dir, const pfx_secret *passphrase, pfx_luks_key *k,
                            sp_error *err);
/* Overwrites the key file with zeros, removes it and its directory. Safe on a key never opened. */
void pfx_luks_key_close(pfx_luks_key *k);

/* What the device holds, from its first sector: QCOW2 with LUKS encryption, LUKS, or neither. */
sp_status pfx_luks_probe(const char *device, pfx_luks_kind *kind, sp_error *err);

/* Formats the device (the data on it is lost) as kind with `usable` guest bytes (QCOW2) or the
 * whole device after the header (LUKS: qemu sees the device's size less the header, whatever size
 * is asked). The image is made in k's private directory and its head written onto the device, so
 * that the device (or the link naming it) is never replaced, cut or deleted. */
sp_status pfx_luks_format(const char *device, pfx_luks_kind kind, uint64_t usable, const pfx_luks_key *k,
                          sp_error *err);

/* The size the guest sees (qemu-img info through the key). */
sp_status pfx_luks_size(const char *device, pfx_luks_kind kind, const pfx_luks_key *k, uint64_t *size,
                        sp_error *err);

/* Grows a QCOW2 disk to `usable` (qemu-img resize); a LUKS disk follows its device by itself. */
sp_status pfx_luks_grow(const char *device, pfx_luks_kind kind, uint64_t usable, const pfx_luks_key *k,
                        sp_error *err);

/* Writes the content of src into the existing encrypted dst (qemu-img convert -n): src is an
 * image file of src_format (src_kind PFX_LUKS_NONE) or an encrypted disk of src_kind opened with
 * the same key. Areas that read as zeros are skipped (the target is a fresh disk). */
sp_status pfx_luks_convert(const char *src, sp_image_format src_format, pfx_luks_kind src_kind,
                           const char *dst, pfx_luks_kind dst_kind, const pfx_luks_key *k,
                           uint64_t progress_total, const sp_progress *progress, sp_error *err);

/* qemu-img compare of what the guests of two encrypted disks see (same key): *identical. */
sp_status pfx_luks_compare(const char *a, pfx_luks_kind a_kind, const char *b, pfx_luks_kind b_kind,
                           const pfx_luks_key *k, const sp_progress *progress, int *identical, sp_error *err);

/* "driver=qcow2,encrypt.key-secret=sec0,file.filename=<device>" (or driver=luks,key-secret=...)
 * into buf, commas in the path doubled as qemu's option syntax wants. SP_E_INVALID when it does
 * not fit. */
sp_status pfx_luks_image_opts(const char *device, pfx_luks_kind kind, char *buf, size_t len, sp_error *err);

#endif
