/* http.c - host_http, the harness's one-shot request to a simulator's control endpoints, on
 * the one libcurl client of the harness and the tests (thttp.c). */
#include "config.h"

#include "http.h"

#include "thttp.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

typedef struct sink {
    int fd;
    int failed;
} sink;

static size_t to_file(char *p, size_t size, size_t n, void *ctx)
{
    sink *k = ctx;
    size_t len = size * n, done = 0;

    while (done < len) {
        ssize_t w = write(k->fd, p + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            k->failed = errno != 0 ? errno : EIO;
            return 0;
        }
        done += (size_t)w;
    }
    return len;
}

int host_http_fetch(const char *url, const char *path, char *err, size_t errlen)
{
    char ebuf[CURL_ERROR_SIZE] = "";
    sink k = {-1, 0};
    CURLcode rc;
    CURL *c;

    pthread_once(&once, global_init);
    k.fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (k.fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    c = curl_easy_init();
    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = CURLE_OUT_OF_MEMORY;
        goto out;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 120L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_file);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        snprintf(err, errlen, "%s", k.failed ? strerror(k.failed) : ebuf[0] ? ebuf : curl_easy_strerror(rc));
    curl_easy_cleanup(c);
out:
    if (close(k.fd) != 0 && rc == CURLE_OK) {
        snprintf(err, errlen, "closing %s: %s", path, strerror(errno));
        rc = CURLE_WRITE_ERROR;
    }
    if (rc != CURLE_OK)
        unlink(path);
    return rc == CURLE_OK ? 0 : -1;
}
