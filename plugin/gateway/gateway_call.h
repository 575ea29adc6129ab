/* gateway_call.h - how the client's operation files reach the gateway: one authenticated call
 * (renewing the token once on 401) and helpers for their messages. Not for use outside the client. */
#ifndef PFX_GATEWAY_CALL_H
#define PFX_GATEWAY_CALL_H

#include "gateway.h"
#include "gateway_error.h"
#include "gateway_http.h"

#include <string.h>

/* Performs method on path ("/instances/Volume::<id>") with the client's token, logging in first
 * when there is none and once more when the gateway answers 401 (the call is then repeated once).
 * SP_OK only for a 2xx answer, which with want_body must not be empty (an empty 204 reads as
 * SP_E_NOT_FOUND, as older gateways answer so for a missing object). Any other answer goes
 * through pfx_gw_error_from_reply; reply->error_code then holds the gateway's errorCode. The
 * caller clears the reply in every case. */
sp_status pfx_gw_call(pfx_gw_client *c, const char *method, const char *path, const char *body, int want_body,
                      pfx_gw_http_reply *reply, sp_error *err);

/* The same with a 2xx answer's body handed to sink as it arrives (pfx_gw_http_request.sink). */
sp_status pfx_gw_call_to(pfx_gw_client *c, const char *method, const char *path, const char *body,
                         int want_body, pfx_gw_http_sink sink, void *sink_ctx, pfx_gw_http_reply *reply,
                         sp_error *err);

/* Zeroes *out, GETs path and hands a 2xx answer to `parser` (a pfx_gw_parse_* function) filling
 * out; evaluates to the sp_status. */
#define PFX_GW_GET_OBJECT(c, path, parser, out, err)                                                         \
    ({                                                                                                       \
        pfx_gw_http_reply reply_;                                                                            \
        sp_status st_;                                                                                       \
        memset((out), 0, sizeof(*(out)));                                                                    \
        st_ = pfx_gw_call((c), "GET", (path), NULL, 1, &reply_, (err));                                      \
        if (st_ == SP_OK)                                                                                    \
            st_ = parser(reply_.body, reply_.len, (out), (err));                                             \
        pfx_gw_http_reply_clear(&reply_, 0);                                                                 \
        st_;                                                                                                 \
    })

/* Prefixes err's message with the formatted context when st is not SP_OK (err may be NULL);
 * returns st. */
sp_status pfx_gw_context(sp_error *err, sp_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* SP_E_INVALID naming `what` unless id is a PowerFlex id (ids go into URL paths). */
sp_status pfx_gw_check_id(const char *what, const char *id, sp_error *err);

/* SP_E_INVALID naming `what` unless s is a non-empty string of at most max bytes. */
sp_status pfx_gw_check_str(const char *what, const char *s, size_t max, sp_error *err);

#endif
