/* gateway_url.h - turning the configured gateway address into the API's base URL, and keeping
 * user info out of any URL that is shown to a person. */
#ifndef PFX_GATEWAY_URL_H
#define PFX_GATEWAY_URL_H

#include "storage_plugin.h"

#include <stddef.h>

/* Accepts "host", "host:port", "[v6]", "[v6]:port", a bare IPv6 literal ("fd00::1"), each
 * optionally as "https://...", with an optional trailing "/api" or "/". Writes the base URL
 * (https://host:port/api, port 443 by default) and the "host:port" form used in messages.
 * Plain http, user info ("user:pass@host"), other paths and malformed hosts or ports are
 * SP_E_INVALID with the address redacted in the message. */
sp_status pfx_gw_url_parse(const char *gateway, char *base_url, size_t base_len, char *display,
                           size_t display_len, sp_error *err);

/* Copies url into out with any user info replaced by three stars (user:pw@host becomes ***@host); always
 * NUL-terminates (truncating when needed). */
void pfx_gw_url_redact(const char *url, char *out, size_t len);

/* 1 when s looks like a PowerFlex object id (1 to 32 hex digits): ids go into URL paths, so
 * nothing else may pass. */
int pfx_gw_valid_id(const char *s);

#endif
