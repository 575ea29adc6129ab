/* error.h - filling the caller's sp_error: status, gateway codes and a formatted message.
 * Every plugin function that fails goes through here so messages have one shape. */
#ifndef PFX_ERROR_H
#define PFX_ERROR_H

#include "storage_plugin.h"

/* Sets err (which may be NULL) and returns status, so callers can `return pfx_error(...)`. */
sp_status pfx_error(sp_error *err, sp_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like pfx_error, and also records the gateway's HTTP status and errorCode. */
sp_status pfx_error_gateway(sp_error *err, sp_status status, int http_status, int error_code, const char *fmt,
                            ...) __attribute__((format(printf, 5, 6)));

/* Prefixes err->message with "<context>: " (keeps status and codes). Returns err->status. */
sp_status pfx_error_prefix(sp_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Vtable methods start with this so that everything below may assume err != NULL (the ABI lets
 * callers pass NULL when they do not want the message). */
#define PFX_ERR_GUARD(err)                                                                                   \
    sp_error pfx_err_local_;                                                                                 \
    if ((err) == NULL)                                                                                       \
    (err) = &pfx_err_local_

/* Clears err to SP_OK with an empty message. */
void pfx_error_clear(sp_error *err);

/* After a failed step whose undo also failed: appends "; undo failed: <undo message>" to err. */
void pfx_error_add_undo(sp_error *err, const sp_error *undo);

/* A short name for a status ("not found", "timeout", ...), never NULL. */
const char *pfx_status_name(sp_status status);

#endif
