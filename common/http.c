/* http.c - host_http, the harness's one-shot request to a simulator's control endpoints, on
 * the one libcurl client of the harness and the tests (thttp.c). */
#include "config.h"

#include "http.h"

#include "thttp.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int host_http(const char *method, const char *url, const char *cafile, const char *body, host_buf *out,
              long *status, char *err, size_t errlen)
{
    thttp *h;
    char *resp = NULL;
    int rc;

    pthread_once(&once, global_init);
    if ((h = thttp_new(url, cafile)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    rc = thttp_request(h, method, "", body, &resp);
    if (rc <= 0)
        snprintf(err, errlen, "%s %s: %s", method, url, thttp_error(h));
    else {
        *status = rc;
        if (resp != NULL)
            host_buf_adds(out, resp);
    }
    free(resp);
    thttp_free(h);
    return rc > 0 ? 0 : -1;
}
