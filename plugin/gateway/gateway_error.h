/* gateway_error.h - judging a gateway's refusal: its HTTP status, errorCode and message become
 * an sp_status and a message that keeps the gateway's own words. */
#ifndef PFX_GATEWAY_ERROR_H
#define PFX_GATEWAY_ERROR_H

#include "gateway_http.h"
#include "storage_plugin.h"

#include <stdint.h>

/* Gateway errorCodes the client itself acts on (MDM return codes). */
#define PFX_GW_RC_NOT_FOUND 3 /* queryIdByKey miss */
#define PFX_GW_RC_VOLUME_NOT_FOUND 79
#define PFX_GW_RC_SDC_NOT_FOUND 80
#define PFX_GW_RC_ALREADY_MAPPED 81 /* the volume is already mapped to this SDC */
#define PFX_GW_RC_NOT_MAPPED 84     /* the volume is not mapped to the SDC */
#define PFX_GW_RC_NAME_IN_USE 99
#define PFX_GW_RC_POOL_NOT_FOUND 171
#define PFX_GW_RC_SNAP_GROUP_NOT_FOUND 185
#define PFX_GW_RC_NO_PERMISSIONS 168 /* the user's role may not do this */
#define PFX_GW_RC_TOO_MANY_SESSIONS 252
#define PFX_GW_RC_MIGRATION_NOT_FOUND 790 /* the V-Tree is not migrating */
#define PFX_GW_RC_MIGRATION_PAUSED 795    /* its migration is already paused or pausing */

/* The status for an answer with HTTP status http_status and (when has_code) errorCode `code`;
 * message is the gateway's text ("" when none), json says the body was a JSON error object. */
sp_status pfx_gw_map_error(long http_status, int has_code, int32_t code, const char *message, int json);

/* For a reply whose status is not 2xx: parses its error body, sets reply->error_code, and fills
 * err with the mapped status, the HTTP status, the errorCode and "gateway returned 500 (errorCode
 * 79): Could not find the volume" (or the status line for HTML and other non-JSON answers).
 * Returns the status. */
sp_status pfx_gw_error_from_reply(pfx_gw_http_reply *reply, sp_error *err);

#endif
