/* crypt.h - encrypted volumes on the harness's side: which volumes are to be encrypted (their
 * offering), their passphrases (generated per volume, sealed at rest like pool passwords, opened
 * only for the call that needs them and wiped with OPENSSL_cleanse), and what a guest writes and
 * reads through the encryption (qemu-io and qemu-img with a key file in a private directory). */
#ifndef HOST_CRYPT_H
#define HOST_CRYPT_H

#include "cs.h"

/* 1 when a volume of this offering is encrypted (a disk offering's encrypt, a service offering's
 * encryptroot for its ROOT volumes), 0 when not (or offering_id 0), -1 on a database error. */
int host_offering_encrypts(host_cs *cs, int64_t offering_id, host_err *e);

/* Gives the volume a new passphrase unless it has one. */
int host_vol_encryption_new(host_cs *cs, int64_t vol_id, host_err *e);

/* A volume's encryption opened for one call. */
typedef struct host_crypt {
    sp_encryption enc; /* what the plugin takes; enc.passphrase points into pass */
    char *pass;        /* unsealed; wiped and freed by host_crypt_close */
    char format[16];   /* "QCOW2" or "LUKS"; "" until formatted */
    uint64_t usable;   /* what the guest sees */
} host_crypt;

/* 1 with c filled when the volume is encrypted, 0 when not, -1 with e on failure. */
int host_crypt_open(host_cs *cs, int64_t vol_id, host_crypt *c, host_err *e);
void host_crypt_close(host_crypt *c);

/* Records the format and usable size the plugin made (format_encrypted, grow_encrypted). */
int host_crypt_record(host_cs *cs, int64_t vol_id, const sp_disk_info *d, host_err *e);

/* What the volume's guest writes or reads through the encryption on device dev: with write, len
 * random bytes written at 0 (qemu-io); else len bytes read at 0 (qemu-img dd). hex gets their
 * SHA-256. 0, or -1 with why. */
int host_crypt_guest_io(host_cs *cs, const host_crypt *c, const char *dev, uint64_t len, int write,
                        char hex[65], char *why, size_t whylen);

#endif
