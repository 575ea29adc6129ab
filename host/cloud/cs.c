/* cs.c - the error helpers every command handler uses, and the harness's clock.
 * Opening and closing the state is harness.c's: it calls up into modules that include cs.h. */
#include "config.h"

#include "cs.h"
#include "mask.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

int host_fail(host_err *e, int code, const char *fmt, ...)
{
    va_list ap;

    if (e == NULL)
        return -1;
    e->code = code;
    e->unsupported = 0;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof(e->text), fmt, ap);
    va_end(ap);
    /* Every error reaches a person: a URL or password=... a handler quoted is masked here, once
     * for all of them. */
    host_mask_inplace(e->text, sizeof(e->text));
    return -1;
}

static int code_of(sp_status st)
{
    switch (st) {
    case SP_E_INVALID:
    case SP_E_NOT_FOUND:
    case SP_E_EXISTS:
    case SP_E_STATE: return HOST_E_PARAM;
    case SP_E_UNSUPPORTED: return HOST_E_UNSUPPORTED;
    case SP_E_NO_SPACE: return HOST_E_CAPACITY;
    case SP_E_TIMEOUT:
    case SP_E_UNAVAILABLE:
    case SP_E_AUTH:
    case SP_E_TLS: return HOST_E_UNAVAILABLE;
    case SP_E_BUSY: return HOST_E_IN_USE;
    default: return HOST_E_INTERNAL;
    }
}

int host_fail_sp(host_err *e, sp_status st, const sp_error *se, const char *fmt, ...)
{
    char what[512];
    va_list ap;

    if (e == NULL)
        return -1;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    e->code = code_of(st);
    e->unsupported = st == SP_E_UNSUPPORTED;
    snprintf(e->text, sizeof(e->text), "%s: %.*s", what, (int)sizeof(se->message),
             se != NULL && se->message[0] ? se->message : "the plugin gave no reason");
    host_mask_inplace(e->text, sizeof(e->text));
    return -1;
}

int host_fail_db(host_err *e, const char *err)
{
    return host_fail(e, HOST_E_INTERNAL, "%s", err);
}

int host_cserrorcode(int code)
{
    switch (code) {
    case HOST_E_PARAM: return 4350;       /* InvalidParameterValueException */
    case HOST_E_UNSUPPORTED: return 4390; /* UnsupportedServiceException */
    case HOST_E_CAPACITY: return 4325;    /* InsufficientCapacityException */
    case HOST_E_UNAVAILABLE: return 4380; /* ResourceUnavailableException */
    case HOST_E_IN_USE: return 4375;      /* ResourceInUseException */
    default: return 4250;                 /* CloudRuntimeException */
    }
}

void host_write_error(host_jsonw *w, int code, const char *text)
{
    host_jsonw_object_begin(w, "errorresponse");
    host_jsonw_array_begin(w, "uuidList");
    host_jsonw_array_end(w);
    host_jsonw_int(w, "errorcode", code);
    host_jsonw_int(w, "cserrorcode", host_cserrorcode(code));
    host_jsonw_string(w, "errortext", text);
    host_jsonw_object_end(w);
}

int64_t host_now(void)
{
    return (int64_t)time(NULL);
}

void host_timestamp(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S+0000", &tm);
}
