/* url.h - parsing a pool URL: powerflex://<user>:<url-encoded password>@<gateway>/<pool>.
 * Every refusal says which part is wrong and never repeats the user info it was given. */
#ifndef PFX_URL_H
#define PFX_URL_H

#include "storage_plugin.h"

typedef struct pfx_url {
    char *user;     /* decoded */
    char *password; /* decoded; wiped with OPENSSL_cleanse by pfx_url_clear */
    char *host;     /* without brackets for IPv6 literals */
    int port;       /* 0 when the URL gave none (HTTPS default) */
    char *gateway;  /* host[:port] as it goes into https://<gateway>/api, IPv6 in brackets */
    char *pool;     /* decoded, case kept */
} pfx_url;

/* Parses `text` into *out (all members owned by *out; release with pfx_url_clear). On failure
 * *out is left cleared and err says which part is wrong (SP_E_INVALID). */
sp_status pfx_url_parse(const char *text, pfx_url *out, sp_error *err);

/* Frees the members, wiping the password first. Safe on a cleared struct. */
void pfx_url_clear(pfx_url *url);

/* Decodes %XX escapes of src[0..len) into a new NUL-terminated string (caller frees).
 * Returns NULL when an escape is malformed, decodes to NUL or a control character, or memory
 * runs out; *why (if not NULL) then says which. */
char *pfx_percent_decode(const char *src, size_t len, const char **why);

#endif
