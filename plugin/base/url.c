/* url.c - the plugin's pool URL parser: portable/poolurl's, with its refusals as sp_error. */
#include "config.h"

#include "url.h"

#include "error.h"

sp_status pfx_url_parse(const char *text, pfx_url *out, sp_error *err)
{
    char msg[SP_ERROR_MESSAGE_MAX];

    switch (pfurl_parse(text, out, msg, sizeof(msg))) {
    case PFURL_OK: return SP_OK;
    case PFURL_NOMEM: return pfx_error(err, SP_E_NOMEM, "%s", msg);
    default: return pfx_error(err, SP_E_INVALID, "%s", msg);
    }
}

void pfx_url_clear(pfx_url *url)
{
    pfurl_clear(url);
}
