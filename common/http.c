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
#include <strings.h>
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

typedef struct head_ctx {
    host_buf *head;
    size_t want;
    long long total; /* from Content-Range */
} head_ctx;

static size_t on_head_data(char *p, size_t size, size_t n, void *ctx)
{
    head_ctx *h = ctx;
    size_t len = size * n, room = h->want > h->head->len ? h->want - h->head->len : 0;

    host_buf_add(h->head, p, len < room ? len : room);
    /* Enough: stop the transfer (a server that ignored Range would send the whole image). */
    return h->head->failed || h->head->len >= h->want ? 0 : len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    head_ctx *h = ctx;
    size_t len = size * n;

    /* Content-Range: bytes 0-511/1073741824 */
    if (len > 14 && strncasecmp(p, "Content-Range:", 14) == 0) {
        const char *slash = memchr(p, '/', len);
        if (slash != NULL && slash[1] >= '0' && slash[1] <= '9')
            h->total = strtoll(slash + 1, NULL, 10);
    }
    return len;
}

int host_http_head(const char *url, size_t want, host_buf *head, long long *length, char *err, size_t errlen)
{
    CURL *c;
    CURLcode rc;
    char ebuf[CURL_ERROR_SIZE] = "", range[64];
    head_ctx h = {head, want, -1};
    curl_off_t cl = -1;
    long status = 0;

    *length = -1;
    pthread_once(&once, global_init);
    if ((c = curl_easy_init()) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(range, sizeof(range), "0-%zu", want > 0 ? want - 1 : 0);
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
    curl_easy_setopt(c, CURLOPT_RANGE, range);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_head_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &h);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && head->len >= want && !head->failed)) {
        snprintf(err, errlen, "%s", ebuf[0] ? ebuf : curl_easy_strerror(rc));
        return -1;
    }
    if (status >= 400) {
        snprintf(err, errlen, "the server answered HTTP %ld", status);
        return -1;
    }
    /* 206: the total after the slash of Content-Range; 200: the whole body's length. */
    *length = status == 206 ? h.total : (long long)cl;
    return 0;
}
