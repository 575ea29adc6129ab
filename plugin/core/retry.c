/* retry.c - the plugin's one retry policy (see retry.h). */
#include "config.h"

#include "retry.h"

#include "hostsvc.h"

#include <time.h>

int pfx_retry_again(const sp_error *failed, int *tries)
{
    static const long pause_ms[] = {100, 300, 900};
    /* The array itself busy (a removal in progress in the V-Tree, errorCode 212; "the system is
     * busy", 164) says so with a code: that lasts as long as the array's own work, seconds on a
     * large volume, so it is waited out longer (12.6 s in all). */
    static const long busy_ms[] = {200, 400, 800, 1600, 3200, 6400};
    sp_status st = failed->status;
    int busy = st == SP_E_UNAVAILABLE && failed->backend_code > 0;
    int transient = st == SP_E_UNAVAILABLE || st == SP_E_TIMEOUT || st == SP_E_PROTOCOL ||
                    (st == SP_E_BACKEND && failed->http_status >= 500 && failed->backend_code <= 0);
    const long *pauses = busy ? busy_ms : pause_ms;
    int n =
        busy ? (int)(sizeof(busy_ms) / sizeof(busy_ms[0])) : (int)(sizeof(pause_ms) / sizeof(pause_ms[0]));
    long ms;

    if (!transient || *tries >= n)
        return 0;
    ms = pauses[*tries];
    pfx_log(SP_LOG_WARN, "a step safe to repeat failed in passing (%s); trying again in %ld ms",
            failed->message, ms);
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
    (*tries)++;
    return 1;
}
