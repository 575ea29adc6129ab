/* url.h - parsing a pool URL: powerflex://<user>:<url-encoded password>@<gateway>/<pool>.
 * The syntax lives in portable/poolurl (which the harness masks with); this is the plugin's face
 * of it: refusals as sp_error, which never repeat the user info they were given. */
#ifndef PFX_URL_H
#define PFX_URL_H

#include "poolurl.h"
#include "storage_plugin.h"

/* user, password (wiped by pfx_url_clear), host, port, gateway, pool: see pfurl. */
typedef pfurl pfx_url;

/* Parses `text` into *out (all members owned by *out; release with pfx_url_clear). On failure
 * *out is left cleared and err says which part is wrong (SP_E_INVALID). */
sp_status pfx_url_parse(const char *text, pfx_url *out, sp_error *err);

/* Frees the members, wiping the password first. Safe on a cleared struct. */
void pfx_url_clear(pfx_url *url);

#endif
