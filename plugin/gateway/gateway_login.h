/* gateway_login.h - how the client obtains a session from a 3.x or a 4.x gateway: the legacy
 * login every release answers, the version that tells them apart, and 4.x's /rest/auth login. */
#ifndef PFX_GATEWAY_LOGIN_H
#define PFX_GATEWAY_LOGIN_H

#include "gateway_http.h"
#include "secret.h"
#include "storage_plugin.h"

/* What the client knows of the gateway's release. */
typedef enum pfx_gw_api {
    PFX_GW_API_UNKNOWN = 0, /* not asked yet: the next login asks GET /api/version */
    PFX_GW_API_3 = 3,       /* GET /api/login, the token as the basic-auth password */
    PFX_GW_API_4 = 4        /* POST /rest/auth/login, the access token as a Bearer token */
} pfx_gw_api;

/* "4.5" -> PFX_GW_API_4, "3.5" -> PFX_GW_API_3; NULL, "" or no leading number: UNKNOWN. */
pfx_gw_api pfx_gw_api_from_version(const char *version);

typedef struct pfx_gw_login_result {
    pfx_secret *token;     /* owned by the caller */
    pfx_gw_auth_kind auth; /* how the token is sent */
    pfx_gw_api api;        /* what the login learnt (UNKNOWN when asking the version failed) */
    char version[32];      /* the gateway's answer to /api/version, "" when not asked now */
    unsigned requests;     /* login requests sent (for the client's counters) */
} pfx_gw_login_result;

/* Logs in as user. With api UNKNOWN: the legacy login, then GET /api/version with its token;
 * a 4.x answer is followed by the 4.x login, whose access token replaces the legacy one (a
 * 4.x gateway that answers without an access_token, or has no /rest/auth/login, keeps the
 * legacy session, which 4.x also accepts). With api 3 or 4: that release's login only. A
 * failed version question keeps the legacy session and leaves api UNKNOWN. The password only
 * travels in wiped buffers. `display` names the gateway in messages. */
sp_status pfx_gw_login(pfx_gw_http *http, const char *display, pfx_gw_api api, const char *user,
                       const pfx_secret *password, pfx_gw_login_result *out, sp_error *err);

/* Extracts the top-level "access_token" string of a 4.x login answer into a new secret. Not
 * built on a yajl tree, which would keep an unwiped copy. SP_E_NOT_FOUND when the answer is an
 * object without one, SP_E_PROTOCOL when it is not a JSON object or the token is malformed. */
sp_status pfx_gw_read_access_token(const char *body, size_t len, pfx_secret **out, sp_error *err);

#endif
