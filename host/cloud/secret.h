/* secret.h - pool secrets at rest: AES-256-GCM sealing of detail values (gateway passwords) with
 * a key file beside the database, and masking of passwords in URLs shown to people. */
#ifndef HOST_SECRET_H
#define HOST_SECRET_H

#include <stddef.h>

/* Loads the 32-byte key from path, creating it (mode 0600) when absent; path NULL makes a fresh
 * in-memory key. 0, or -1 with err. */
int host_secret_key(const char *path, unsigned char key[32], char *err, size_t errlen);

/* Seals plain into "enc:v1:<base64>" (malloc'd, caller frees). NULL when out of memory. */
char *host_secret_seal(const unsigned char key[32], const char *plain);
/* Opens a sealed value (malloc'd, caller frees and should wipe). A value without the "enc:v1:"
 * prefix is returned as is. NULL when it was tampered with or sealed with another key. */
char *host_secret_open(const unsigned char key[32], const char *sealed);

/* Whether a detail key names a secret (password, secret, token). */
int host_secret_key_is_secret(const char *key);

/* Copies url with the password of its user info replaced by "*****" (malloc'd). */
char *host_mask_url(const char *url);
/* Masks, in a command line shown to a person, URL passwords and password=... parameters. */
char *host_mask_line(const char *line);

/* Overwrites n bytes at p in a way the compiler keeps. */
void host_wipe(void *p, size_t n);

#endif
