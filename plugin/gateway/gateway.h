/* gateway.h - the PowerFlex gateway REST client: one per storage pool, shared by all threads.
 * It logs in, renews its token on 401, reuses connections and maps refusals to sp_status. */
#ifndef PFX_GATEWAY_H
#define PFX_GATEWAY_H

#include "gateway_types.h"
#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>

#define PFX_GW_DEFAULT_TIMEOUT_S 60u
#define PFX_GW_DEFAULT_MAX_CONNECTIONS 100u
#define PFX_GW_DEFAULT_MAX_BODY ((size_t)8 << 20)

typedef struct pfx_gw_client pfx_gw_client;

/* Everything a client needs. All strings are borrowed for the duration of pfx_gw_client_new. */
typedef struct pfx_gw_config {
    /* "host", "host:port", "[v6]", "[v6]:port", a bare IPv6 literal, or any of these as
     * "https://...[/api]". Port 443 by default. */
    const char *gateway;
    const char *user;
    const char *password;
    unsigned timeout_s;       /* bounds the connect and each request; 0: 60 s */
    unsigned max_connections; /* requests in flight at once, the rest wait; 0: 100 */
    /* TLS: the certificate is verified against the system's CA store unless ca_file names a PEM
     * bundle to use instead. pinned_pubkey ("sha256//<base64>", ';'-separated for several)
     * additionally requires that key; given without ca_file it is the only check (for gateways
     * with self-signed certificates). insecure = 1 turns verification off; it is logged as a
     * warning when the client is created. */
    const char *ca_file;
    const char *pinned_pubkey;
    int insecure;
    size_t max_body_bytes; /* larger answers are refused (SP_E_PROTOCOL); 0: 8 MiB */
    /* The gateway's release as learnt before ("3.5", "4.5"); NULL or "": the first login asks
     * GET /api/version. 4 and above log in with POST /rest/auth/login and send the access
     * token as a Bearer token; below, GET /api/login and the token as basic-auth password. */
    const char *api_version;
} pfx_gw_config;

/* Creates a client; performs no I/O (the first call logs in). libcurl must already be globally
 * initialised (the plugin does it once per process). *out is owned by the caller and released
 * with pfx_gw_client_free when no call is running on it. */
sp_status pfx_gw_client_new(const pfx_gw_config *cfg, pfx_gw_client **out, sp_error *err);
void pfx_gw_client_free(pfx_gw_client *c);

/* Replaces the user and password (strings borrowed for the call). The current token is
 * dropped when they differ, so the next call logs in with the new ones. Thread-safe. */
sp_status pfx_gw_client_set_credentials(pfx_gw_client *c, const char *user, const char *password,
                                        sp_error *err);

/* Makes sure the client holds a token, logging in when it has none: checks the credentials
 * without doing anything else. Thread-safe. */
sp_status pfx_gw_client_login(pfx_gw_client *c, sp_error *err);

/* The gateway's release as far as the client knows it: 0 unknown (not logged in yet), 3 or 4;
 * version receives its /api/version answer ("" when unknown). Thread-safe. */
int pfx_gw_client_api(pfx_gw_client *c, char *version, size_t len);

/* "host:port" of the gateway, for messages; valid for the client's life. */
const char *pfx_gw_client_display(const pfx_gw_client *c);

typedef struct pfx_gw_client_stats {
    uint64_t requests;    /* HTTP requests sent, logins included */
    uint64_t logins;      /* login requests sent (GET /api/login, POST /rest/auth/login) */
    uint64_t connections; /* TCP connections opened */
    uint64_t handles;     /* most requests ever in flight at once */
} pfx_gw_client_stats;
void pfx_gw_client_get_stats(pfx_gw_client *c, pfx_gw_client_stats *out);

#endif
