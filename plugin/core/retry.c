/* retry.c - the plugin's one retry policy (see retry.h). */
#include "config.h"

#include "retry.h"

#include "hostsvc.h"

#include <time.h>

int pfx_retry_again(const sp_error *failed, int *tries)
{
    static const long pause_ms[] = {100, 300, 900};
    sp_status st = failed->status;
    int transient = st == SP_E_UNAVAILABLE || st == SP_E_TIMEOUT || st == SP_E_PROTOCOL ||
                    (st == SP_E_BACKEND && failed->http_status >= 500 && failed->backend_code <= 0);

    if (!transient || *tries >= (int)(sizeof(pause_ms) / sizeof(pause_ms[0])))
        return 0;
    pfx_log(SP_LOG_WARN, "a step safe to repeat failed in passing (%s); trying again in %ld ms", failed->message,
            pause_ms[*tries]);
    nanosleep(&(struct timespec){pause_ms[*tries] / 1000, (pause_ms[*tries] % 1000) * 1000000L}, NULL);
    (*tries)++;
    return 1;
}
