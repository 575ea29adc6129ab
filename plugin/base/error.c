/* error.c - filling the caller's sp_error.
 * Messages are truncated to the ABI's buffer, never overflowed. */
#include "config.h"

#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 5, 0))) static void vset(sp_error *err, sp_status status, int http_status,
                                                       int error_code, const char *fmt, va_list ap)
{
    err->status = status;
    err->http_status = http_status;
    err->backend_code = error_code;
    memset(err->reserved, 0, sizeof(err->reserved));
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

sp_status pfx_error(sp_error *err, sp_status status, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vset(err, status, 0, -1, fmt, ap);
        va_end(ap);
    }
    return status;
}

sp_status pfx_error_gateway(sp_error *err, sp_status status, int http_status, int error_code, const char *fmt,
                            ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vset(err, status, http_status, error_code, fmt, ap);
        va_end(ap);
    }
    return status;
}

sp_status pfx_error_prefix(sp_error *err, const char *fmt, ...)
{
    char prefix[256];
    char old[SP_ERROR_MESSAGE_MAX];
    va_list ap;

    if (err == NULL)
        return SP_E_INTERNAL;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof(old));
    old[sizeof(old) - 1] = '\0';
    /* Truncation keeps the context and the start of the cause, which is what a reader needs. */
    if (snprintf(err->message, sizeof(err->message), "%s: %s", prefix, old) >= (int)sizeof(err->message))
        err->message[sizeof(err->message) - 1] = '\0';
    return err->status;
}

void pfx_error_clear(sp_error *err)
{
    if (err == NULL)
        return;
    err->status = SP_OK;
    err->http_status = 0;
    err->backend_code = -1;
    memset(err->reserved, 0, sizeof(err->reserved));
    err->message[0] = '\0';
}

const char *pfx_status_name(sp_status status)
{
    switch (status) {
    case SP_OK: return "ok";
    case SP_E_UNSUPPORTED: return "unsupported";
    case SP_E_INVALID: return "invalid argument";
    case SP_E_NOT_FOUND: return "not found";
    case SP_E_EXISTS: return "already exists";
    case SP_E_AUTH: return "authentication failed";
    case SP_E_TLS: return "TLS failure";
    case SP_E_TIMEOUT: return "timeout";
    case SP_E_UNAVAILABLE: return "unavailable";
    case SP_E_BACKEND: return "refused by the array";
    case SP_E_PROTOCOL: return "protocol error";
    case SP_E_NO_SPACE: return "no space";
    case SP_E_BUSY: return "busy";
    case SP_E_CANCELLED: return "cancelled";
    case SP_E_IO: return "I/O error";
    case SP_E_NOMEM: return "out of memory";
    case SP_E_VERSION: return "version mismatch";
    case SP_E_STATE: return "wrong state";
    case SP_E_INTERNAL: return "internal error";
    }
    return "unknown status";
}

void pfx_error_add_undo(sp_error *err, const sp_error *undo)
{
    size_t len;

    if (err == NULL || undo == NULL)
        return;
    len = strlen(err->message);
    /* Cut at the buffer's end: the failure itself comes first in the message. */
    if (len < sizeof(err->message) - 1 &&
        snprintf(err->message + len, sizeof(err->message) - len, "; undo failed: %s", undo->message) < 0)
        err->message[len] = '\0';
}
