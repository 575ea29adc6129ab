/* template_fetch.c - a template's image made ready on this host: a secondary storage file used in
 * place, or a direct download fetched with libcurl into the host cache; then checksum and qemu-img. */
#include "config.h"

#include "template_fetch.h"

#include "checksum.h"
#include "copyjournal.h"
#include "error.h"
#include "hostsvc.h"
#include "imageinspect.h"
#include "proc.h"
#include "settings.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_S 60L
#define STALL_TIME_S 120L /* a transfer below 1 byte/s for this long is given up */
#define MAX_REDIRECTS 5L
#define REPORT_BYTES ((curl_off_t)8 << 20) /* progress granularity of a download */
#define REPORT_MS 1000                     /* and at least this often, so a cancel is seen */

void pfx_template_url_display(const char *url, char *buf, size_t buf_len)
{
    const char *scheme_end, *auth, *at, *slash, *end;
    char tmp[SP_PATH_MAX];
    size_t n = 0;

    if (url == NULL) {
        snprintf(buf, buf_len, "(no URL)");
        return;
    }
    end = url + strcspn(url, "?#");
    scheme_end = strstr(url, "://");
    auth = scheme_end != NULL && scheme_end < end ? scheme_end + 3 : url;
    slash = auth + strcspn(auth, "/");
    if (slash > end)
        slash = end;
    at = memchr(auth, '@', (size_t)(slash - auth));
    /* scheme:// then the host after any user info, then the path. */
    if ((size_t)(auth - url) < sizeof(tmp)) {
        memcpy(tmp, url, (size_t)(auth - url));
        n = (size_t)(auth - url);
    }
    if (at != NULL)
        auth = at + 1;
    if (end > auth) {
        size_t rest = (size_t)(end - auth);
        if (rest > sizeof(tmp) - 1 - n)
            rest = sizeof(tmp) - 1 - n;
        memcpy(tmp + n, auth, rest);
        n += rest;
    }
    tmp[n] = '\0';
    pfx_printable(tmp, n, buf, buf_len);
}

static int scheme_is(const char *url, const char *scheme)
{
    size_t n = strlen(scheme);
    return strncasecmp(url, scheme, n) == 0 && strncmp(url + n, "://", 3) == 0;
}

/* --- download ---------------------------------------------------------------------------- */

typedef struct download {
    int fd;
    const char *path;
    const sp_progress *progress;
    sp_status write_status;
    sp_error write_err;
    int cancelled;
    curl_off_t reported;
    int64_t reported_at;
} download;

static size_t on_data(char *data, size_t size, size_t nmemb, void *ctx)
{
    download *d = ctx;
    size_t len = size * nmemb;

    if (pfx_write_all(d->fd, data, len, d->path, &d->write_err) != SP_OK) {
        d->write_status = d->write_err.status;
        return 0; /* libcurl stops with CURLE_WRITE_ERROR */
    }
    return len;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    download *d = ctx;
    int64_t now = pfx_now_ms();

    (void)ultotal;
    (void)ulnow;
    if (d->progress == NULL || d->progress->report == NULL)
        return 0;
    if (dlnow - d->reported < REPORT_BYTES && now - d->reported_at < REPORT_MS &&
        !(dltotal > 0 && dlnow == dltotal))
        return 0;
    d->reported = dlnow;
    d->reported_at = now;
    if (d->progress->report(d->progress->ctx, "download", (uint64_t)dlnow,
                            dltotal > 0 ? (uint64_t)dltotal : 0) != 0) {
        d->cancelled = 1;
        return 1;
    }
    return 0;
}

static sp_status curl_failed(CURL *h, CURLcode rc, const download *d, const char *shown, const char *errbuf,
                             sp_error *err)
{
    long code = 0;
    const char *why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);

    switch (rc) {
    case CURLE_ABORTED_BY_CALLBACK:
        if (d->cancelled)
            return pfx_error(err, SP_E_CANCELLED, "download of %s cancelled", shown);
        break;
    case CURLE_WRITE_ERROR:
        if (d->write_status != SP_OK)
            return pfx_error(err, d->write_status, "download of %s: %s", shown, d->write_err.message);
        break;
    case CURLE_HTTP_RETURNED_ERROR:
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        return pfx_error(err, code == 404 || code == 410 ? SP_E_NOT_FOUND : SP_E_IO,
                         "download of %s: the server answered HTTP %ld", shown, code);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
        return pfx_error(err, SP_E_TLS, "download of %s: TLS verification failed: %s", shown, why);
    case CURLE_OPERATION_TIMEDOUT:
        return pfx_error(err, SP_E_TIMEOUT, "download of %s timed out: %s", shown, why);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT: return pfx_error(err, SP_E_UNAVAILABLE, "download of %s: %s", shown, why);
    case CURLE_UNSUPPORTED_PROTOCOL:
        return pfx_error(err, SP_E_INVALID, "download of %s: only http and https are followed: %s", shown,
                         why);
    default: break;
    }
    return pfx_error(err, SP_E_IO, "download of %s failed: %s", shown, why);
}

static void set_protocols(CURL *h)
{
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
}

static sp_status fetch_url(const char *url, const char *shown, const char *cache_dir,
                           const sp_progress *progress, pfx_template_local *out, sp_error *err)
{
    char dir[SP_PATH_MAX], errbuf[CURL_ERROR_SIZE] = "";
    download d;
    CURL *h = NULL;
    CURLcode rc;
    sp_status st;

    if (cache_dir == NULL || cache_dir[0] != '/')
        return pfx_error(err, SP_E_INVALID, "%s is not an absolute path", PFX_SETTING_HOST_CACHE);
    if (snprintf(dir, sizeof(dir), "%s/" PFX_TEMPLATE_DIR, cache_dir) >= (int)sizeof(dir) ||
        snprintf(out->path, sizeof(out->path), "%s/dl-XXXXXX", dir) >= (int)sizeof(out->path))
        return pfx_error(err, SP_E_INVALID, "%s %s is too long", PFX_SETTING_HOST_CACHE, cache_dir);
    if ((st = pfx_make_private_dirs(dir, 0, err)) != SP_OK)
        return st;
    memset(&d, 0, sizeof(d));
    d.fd = mkostemp(out->path, O_CLOEXEC);
    if (d.fd < 0) {
        int e = errno;
        out->path[0] = '\0';
        return pfx_error(err, e == ENOSPC ? SP_E_NO_SPACE : SP_E_IO,
                         "cannot create a download file in %s: %s", dir, strerror(e));
    }
    out->temporary = 1;
    d.path = out->path;
    d.progress = progress;
    d.reported_at = pfx_now_ms();
    h = curl_easy_init();
    if (h == NULL) {
        st = pfx_error(err, SP_E_NOMEM, "download of %s: libcurl could not start", shown);
        goto out;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    set_protocols(h);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, MAX_REDIRECTS);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, STALL_TIME_S);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &d);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &d);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "cloudstack-powerflex-plugin/" PACKAGE_VERSION);
    rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        st = curl_failed(h, rc, &d, shown, errbuf, err);
        goto out;
    }
    st = SP_OK;
out:
    if (h != NULL)
        curl_easy_cleanup(h);
    if (close(d.fd) != 0 && st == SP_OK)
        st = pfx_error(err, SP_E_IO, "download of %s: closing %s: %s", shown, out->path, strerror(errno));
    return st;
}

/* --- the source ---------------------------------------------------------------------------- */

static sp_status check_file(const char *path, sp_error *err)
{
    struct stat sb;
    int fd;

    if (path[0] != '/')
        return pfx_error(err, SP_E_INVALID, "template file %.200s is not an absolute path", path);
    if (stat(path, &sb) != 0)
        return pfx_error(err, errno == ENOENT || errno == ENOTDIR ? SP_E_NOT_FOUND : SP_E_IO,
                         "template file %s: %s", path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return pfx_error(err, SP_E_INVALID, "template %s is not a regular file", path);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pfx_error(err, SP_E_IO, "template file %s cannot be read: %s", path, strerror(errno));
    close(fd);
    return SP_OK;
}

static pfx_image_kind inspect_kind(sp_image_format f)
{
    return f == SP_FORMAT_QCOW2 ? PFX_IMAGE_QCOW2 : PFX_IMAGE_RAW;
}

/* qemu-img must see what the inspector saw: the declared format and nothing it would follow. */
static sp_status check_facts(const pfx_template_local *t, sp_image_format f, sp_error *err)
{
    const char *want = f == SP_FORMAT_QCOW2 ? "qcow2" : "raw";

    if (strcmp(t->facts.format, want) != 0)
        return pfx_error(err, SP_E_INVALID, "template %s: qemu-img reads it as %s, not %s", t->origin,
                         t->facts.format, want);
    /* A backing file would make qemu-img read some other file of this host into the volume. */
    if (t->facts.backing_file[0] != '\0')
        return pfx_error(err, SP_E_INVALID,
                         "template %s names a backing file (%s); templates must be self-contained", t->origin,
                         t->facts.backing_file);
    if (t->facts.data_file[0] != '\0')
        return pfx_error(err, SP_E_INVALID, "template %s names an external data file (%s)", t->origin,
                         t->facts.data_file);
    if (t->facts.encrypted)
        return pfx_error(err, SP_E_INVALID, "template %s is encrypted and no key was given", t->origin);
    if (t->facts.virtual_size == 0)
        return pfx_error(err, SP_E_INVALID, "template %s has a virtual size of 0 bytes", t->origin);
    return SP_OK;
}

sp_status pfx_template_fetch(const sp_image_source *src, const char *cache_dir, const sp_progress *progress,
                             pfx_template_local *out, sp_error *err)
{
    sp_status st;

    memset(out, 0, sizeof(*out));
    if (src == NULL)
        return pfx_error(err, SP_E_INVALID, "no image source given");
    if ((src->path == NULL || src->path[0] == '\0') == (src->url == NULL || src->url[0] == '\0'))
        return pfx_error(err, SP_E_INVALID, "an image source needs exactly one of a file path and a URL");
    if (src->format != SP_FORMAT_RAW && src->format != SP_FORMAT_QCOW2)
        return pfx_error(err, SP_E_INVALID,
                         "only QCOW2 and RAW images can be written onto a volume (format %d)",
                         (int)src->format);
    out->format = src->format;
    if (src->checksum != NULL && src->checksum[0] != '\0') {
        pfx_checksum_spec spec;
        if ((st = pfx_checksum_parse(src->checksum, &spec, err)) != SP_OK)
            return pfx_error_prefix(err, "template checksum");
    }
    if (src->path != NULL && src->path[0] != '\0') {
        pfx_printable(src->path, strlen(src->path), out->origin, sizeof(out->origin));
        if ((st = check_file(src->path, err)) != SP_OK)
            return st;
        if (snprintf(out->path, sizeof(out->path), "%s", src->path) >= (int)sizeof(out->path))
            return pfx_error(err, SP_E_INVALID, "template path %.200s... is too long", src->path);
    } else {
        pfx_template_url_display(src->url, out->origin, sizeof(out->origin));
        if (!scheme_is(src->url, "http") && !scheme_is(src->url, "https"))
            return pfx_error(err, SP_E_INVALID,
                             "template URL %s: only http and https downloads are supported", out->origin);
        if ((st = fetch_url(src->url, out->origin, cache_dir, progress, out, err)) != SP_OK)
            return st;
        pfx_log(SP_LOG_INFO, "downloaded template %s to %s", out->origin, out->path);
    }
    if (src->checksum != NULL && src->checksum[0] != '\0' &&
        (st = pfx_checksum_verify(out->path, src->checksum, progress, err)) != SP_OK)
        return pfx_error_prefix(err, "template %s", out->origin);
    /* Our own reading of the header comes before qemu-img opens the file at all. */
    st = pfx_image_inspect_file(out->path, inspect_kind(src->format), 0, NULL, err);
    if (st != SP_OK)
        return pfx_error_prefix(err, "template %s is refused", out->origin);
    st = pfx_qemuimg_info(out->path, src->format, &out->facts, err);
    if (st != SP_OK)
        return pfx_error_prefix(err, "template %s is not a usable %s image", out->origin,
                                src->format == SP_FORMAT_QCOW2 ? "QCOW2" : "RAW");
    return check_facts(out, src->format, err);
}

void pfx_template_release(pfx_template_local *t)
{
    if (t == NULL || !t->temporary || t->path[0] == '\0')
        return;
    if (unlink(t->path) != 0 && errno != ENOENT)
        pfx_log(SP_LOG_WARN, "cannot delete the downloaded template %s: %s", t->path, strerror(errno));
    t->temporary = 0;
    t->path[0] = '\0';
}

sp_status pfx_template_virtual_size(const char *path, sp_image_format format, uint64_t *size, sp_error *err)
{
    pfx_image_facts facts;
    sp_status st;

    if (format != SP_FORMAT_RAW && format != SP_FORMAT_QCOW2)
        return pfx_error(err, SP_E_INVALID, "only QCOW2 and RAW images have a virtual size here");
    if ((st = pfx_image_inspect_file(path, inspect_kind(format), 0, NULL, err)) != SP_OK)
        return pfx_error_prefix(err, "image %s is refused", path);
    st = pfx_qemuimg_info(path, format, &facts, err);
    if (st == SP_OK)
        *size = facts.virtual_size;
    return st;
}
