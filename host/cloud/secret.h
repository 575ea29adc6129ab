/* secret.h - pool secrets at rest: AES-256-GCM sealing of detail values (gateway passwords) with
 * a key file beside the database (masking of what is shown: mask.h). */
#ifndef HOST_SECRET_H
#define HOST_SECRET_H

#include <stddef.h>

/* Loads the 32-byte key from path, creating it (mode 0600, O_EXCL) when absent; path NULL makes
 * a fresh in-memory key. An existing key is refused unless it is a regular file of this user with
 * no group or other permission bits (not a link, a directory or a FIFO). 0, or -1 with err. */
int host_secret_key(const char *path, unsigned char key[32], char *err, size_t errlen);

/* Seals plain into "enc:v1:<base64>" (malloc'd, caller frees). NULL when out of memory. */
char *host_secret_seal(const unsigned char key[32], const char *plain);
/* Opens a sealed value (malloc'd, caller frees and should wipe). A value without the "enc:v1:"
 * prefix is returned as is. NULL when it was tampered with or sealed with another key. */
char *host_secret_open(const unsigned char key[32], const char *sealed);

/* Whether a detail, parameter or variable name names a secret: it contains password, passwd, pwd,
 * secret or token, not followed by a letter ("tokenttl" is a duration). */
int host_secret_key_is_secret(const char *key);

/* Overwrites n bytes at p in a way the compiler keeps. */
void host_wipe(void *p, size_t n);

#endif
