/* http.c - a small HTTPS client (libcurl) for the simulator's control endpoints.
 * Certificates are verified against the CA the harness made for its simulators. */
#include "config.h"

#include "http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    host_buf *b = ctx;
    host_buf_add(b, p, size * n);
    return b->failed ? 0 : size * n;
}

int host_http(const char *method, const char *url, const char *cafile, const char *body, host_buf *out,
              long *status, char *err, size_t errlen)
{
    CURL *c;
    CURLcode rc;
    struct curl_slist *hdr = NULL;
    char ebuf[CURL_ERROR_SIZE] = "";

    pthread_once(&once, global_init);
    c = curl_easy_init();
    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (cafile != NULL)
        curl_easy_setopt(c, CURLOPT_CAINFO, cafile);
    if (body != NULL) {
        hdr = curl_slist_append(hdr, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    else
        snprintf(err, errlen, "%s %s: %s", method, url, ebuf[0] ? ebuf : curl_easy_strerror(rc));
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
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
