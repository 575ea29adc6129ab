/* The small HTTPS client (see thttp.h). */
#include <config.h>
#include "thttp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct thttp {
    CURL *curl;
    char *base, *ca;
    char *user, *pass;
    char *bearer; /* "Authorization: Bearer ..." when set */
    char err[CURL_ERROR_SIZE];
};

struct sink {
    char *data;
    size_t len;
};

static size_t collect(char *p, size_t sz, size_t n, void *arg)
{
    struct sink *s = arg;
    char *d = realloc(s->data, s->len + sz * n + 1);
    if (!d)
        return 0;
    s->data = d;
    memcpy(s->data + s->len, p, sz * n);
    s->len += sz * n;
    s->data[s->len] = '\0';
    return sz * n;
}

thttp *thttp_new(const char *base_url, const char *cafile)
{
    thttp *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->curl = curl_easy_init();
    h->base = strdup(base_url);
    h->ca = cafile ? strdup(cafile) : NULL;
    if (!h->curl || !h->base || (cafile && !h->ca)) {
        thttp_free(h);
        return NULL;
    }
    return h;
}

void thttp_free(thttp *h)
{
    if (!h)
        return;
    if (h->curl)
        curl_easy_cleanup(h->curl);
    free(h->base);
    free(h->ca);
    free(h->user);
    free(h->pass);
    free(h->bearer);
    free(h);
}

void thttp_set_auth(thttp *h, const char *user, const char *pass)
{
    free(h->user);
    free(h->pass);
    h->user = user ? strdup(user) : NULL;
    h->pass = pass ? strdup(pass) : NULL;
}

void thttp_set_bearer(thttp *h, const char *token)
{
    free(h->bearer);
    h->bearer = NULL;
    if (token && asprintf(&h->bearer, "Authorization: Bearer %s", token) < 0)
        h->bearer = NULL;
}

const char *thttp_error(const thttp *h)
{
    return h->err;
}

int thttp_request(thttp *h, const char *method, const char *path, const char *body, char **resp)
{
    struct sink s = {NULL, 0};
    struct curl_slist *hdr = NULL;
    size_t n = strlen(h->base) + strlen(path) + 1;
    char *url = malloc(n);
    long status = 0;
    CURLcode rc;
    if (resp)
        *resp = NULL;
    if (!url)
        return -CURLE_OUT_OF_MEMORY;
    snprintf(url, n, "%s%s", h->base, path);
    curl_easy_reset(h->curl);
    h->err[0] = '\0';
    curl_easy_setopt(h->curl, CURLOPT_URL, url);
    curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->err);
    curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h->curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &s);
    if (h->ca)
        curl_easy_setopt(h->curl, CURLOPT_CAINFO, h->ca);
    if (h->user) {
        curl_easy_setopt(h->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h->curl, CURLOPT_USERNAME, h->user);
        curl_easy_setopt(h->curl, CURLOPT_PASSWORD, h->pass ? h->pass : "");
    }
    if (h->bearer)
        hdr = curl_slist_append(hdr, h->bearer);
    if (body)
        hdr = curl_slist_append(hdr, "Content-Type: application/json");
    if (hdr)
        curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdr);
    if (body) {
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else if (!strcmp(method, "POST")) {
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, "");
    }
    rc = curl_easy_perform(h->curl);
    curl_slist_free_all(hdr);
    free(url);
    if (rc != CURLE_OK) {
        if (!h->err[0])
            snprintf(h->err, sizeof(h->err), "%s", curl_easy_strerror(rc));
        free(s.data);
        return -(int)rc;
    }
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
    if (resp)
        *resp = s.data ? s.data : strdup("");
    else
        free(s.data);
    return (int)status;
}
