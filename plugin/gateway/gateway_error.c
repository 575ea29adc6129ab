/* gateway_error.c - from a gateway refusal to an sp_status and a message.
 * MDM return codes are matched first; the message text is a fallback because only the low codes
 * are documented reliably and gateways of different releases renumber the high ones. */
#include "config.h"

#include "gateway_error.h"

#include "error.h"
#include "gateway_parse.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
    int32_t code;
    sp_status status;
} known_codes[] = {
    {PFX_GW_RC_NOT_FOUND, SP_E_NOT_FOUND},
    {78, SP_E_NOT_FOUND}, /* "old volume not found" of older releases */
    {PFX_GW_RC_VOLUME_NOT_FOUND, SP_E_NOT_FOUND},
    {PFX_GW_RC_SDC_NOT_FOUND, SP_E_NOT_FOUND},
    {PFX_GW_RC_NOT_MAPPED, SP_E_NOT_FOUND},
    {PFX_GW_RC_POOL_NOT_FOUND, SP_E_NOT_FOUND},
    {PFX_GW_RC_SNAP_GROUP_NOT_FOUND, SP_E_NOT_FOUND},
    {142, SP_E_NOT_FOUND}, /* protection domain */
    {230, SP_E_NOT_FOUND}, /* V-Tree */
    {PFX_GW_RC_ALREADY_MAPPED, SP_E_EXISTS},
    {PFX_GW_RC_NAME_IN_USE, SP_E_EXISTS},
    {300, SP_E_NO_SPACE}, /* requested size exceeds the volume allocation limit */
    {182, SP_E_NO_SPACE}, /* the V-Tree holds the most snapshots it can (126) */
    {104, SP_E_BUSY},     /* volume is mapped */
    /* The array busy in passing: the same request succeeds a moment later, so these read as a
     * gateway that failed in passing, which steps safe to repeat send again. */
    {145, SP_E_UNAVAILABLE}, /* removal of the object is in progress */
    {164, SP_E_UNAVAILABLE}, /* the system is busy, retry later */
    {212, SP_E_UNAVAILABLE}, /* a volume removal is in progress (in the V-Tree) */
    {297, SP_E_BUSY},        /* mapped elsewhere and multiple mappings are not allowed */
    {306, SP_E_BUSY},        /* the same, as older gateways say it */
    {717, SP_E_BUSY},        /* migration in progress */
    {790, SP_E_STATE},       /* the V-Tree is not migrating (nothing to pause) */
    {795, SP_E_STATE},       /* its migration is already paused */
    {815, SP_E_STATE},       /* a rollback needs the migration paused */
    {753, SP_E_BUSY},        /* already migrating to that pool */
    {755, SP_E_BUSY},        /* already migrating */
    {133, SP_E_INVALID},     /* volumes only grow */
    {190, SP_E_INVALID},     /* volume size too large */
    {197, SP_E_INVALID},     /* the pool is not in that protection domain */
    {198, SP_E_INVALID},     /* overwrite across V-Trees */
    {202, SP_E_INVALID},     /* another system's id */
    {225, SP_E_INVALID},     /* size not in 8 GB blocks */
    {226, SP_E_INVALID},     /* name too long */
    {227, SP_E_INVALID},     /* invalid characters in a name */
    {284, SP_E_INVALID},     /* invalid throttle (QoS) values */
    {330, SP_E_INVALID},     /* overwriting a volume with itself */
    {718, SP_E_INVALID},     /* migrating to the pool it is in (the code gateways send) */
    {754, SP_E_INVALID},     /* the same, as the generated code list numbers it */
    {905, SP_E_INVALID},     /* thick V-Tree into a fine granularity pool */
    {247, SP_E_AUTH},        /* permission denied */
    {168, SP_E_AUTH},        /* no permission for this operation (the user's role) */
    {252, SP_E_UNAVAILABLE}, /* too many sessions */
};

static int contains(const char *hay, const char *needle)
{
    return strcasestr(hay, needle) != NULL;
}

sp_status pfx_gw_map_error(long http_status, int has_code, int32_t code, const char *message, int json)
{
    switch (http_status) {
    case 401:
    case 403: return SP_E_AUTH;
    case 429:
    case 502:
    case 503: return SP_E_UNAVAILABLE;
    case 408:
    case 504: return SP_E_TIMEOUT;
    }
    if (has_code)
        for (size_t i = 0; i < sizeof(known_codes) / sizeof(known_codes[0]); i++)
            if (known_codes[i].code == code)
                return known_codes[i].status;
    if (http_status >= 500 && message != NULL) {
        if (contains(message, "could not find") || contains(message, "not found"))
            return SP_E_NOT_FOUND;
        if (contains(message, "already in use") || contains(message, "already exists"))
            return SP_E_EXISTS;
        if (contains(message, "allocation limit") || contains(message, "not enough") ||
            contains(message, "insufficient"))
            return SP_E_NO_SPACE;
    }
    if (http_status == 400 || http_status == 422)
        return SP_E_INVALID;
    if (http_status == 404)
        return json ? SP_E_NOT_FOUND : SP_E_PROTOCOL; /* an HTML 404 is an unknown URL */
    if (http_status == 409)
        return SP_E_EXISTS;
    if (http_status >= 500)
        return SP_E_BACKEND;
    return SP_E_PROTOCOL;
}

sp_status pfx_gw_error_from_reply(pfx_gw_http_reply *reply, sp_error *err)
{
    pfx_gw_error_body eb;
    char status_line[96];
    const char *text;
    int32_t code;
    int has_code, json;
    sp_status st;

    snprintf(status_line, sizeof(status_line), "%ld%s%s", reply->status, reply->reason[0] ? " " : "",
             reply->reason);
    json = !reply->html && pfx_gw_parse_error_body(reply->body, reply->len, &eb, NULL) == SP_OK;
    if (!json) {
        reply->error_code = -1;
        st = pfx_gw_map_error(reply->status, 0, 0, NULL, 0);
        /* A proxy or the servlet container answered, not the gateway's API (4.x gateways and
         * reverse proxies send HTML pages): the status line is all there is to say. */
        return pfx_error_gateway(err, st, (int)reply->status, -1, "gateway returned %s%s", status_line,
                                 reply->html  ? ": HTML error page from gateway/proxy"
                                 : reply->len ? " (not a JSON answer)"
                                              : " with an empty body");
    }
    /* "Error with details" says nothing; the first detail holds the real code and text. */
    text = eb.message;
    has_code = eb.has_error_code;
    code = eb.error_code;
    if (eb.has_detail &&
        (strcmp(eb.message, "Error with details") == 0 || eb.message[0] == '\0' || !has_code || code == 0)) {
        if (eb.detail_message[0] != '\0')
            text = eb.detail_message;
        if (eb.detail_rc >= 0) {
            has_code = 1;
            code = eb.detail_rc;
        }
    }
    reply->error_code = has_code ? code : -1;
    st = pfx_gw_map_error(reply->status, has_code, code, text, 1);
    if (has_code)
        return pfx_error_gateway(err, st, (int)reply->status, code,
                                 "gateway returned %ld (errorCode %d)%s%s%s%s%s", reply->status, (int)code,
                                 text[0] ? ": " : "", text, eb.detail_name[0] ? " [" : "", eb.detail_name,
                                 eb.detail_name[0] ? "]" : "");
    return pfx_error_gateway(err, st, (int)reply->status, -1, "gateway returned %s%s%s", status_line,
                             text[0] ? ": " : "", text);
}
