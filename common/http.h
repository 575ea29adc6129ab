/* http.h - a small HTTPS client for the simulator's control endpoints (/sim/...), which are
 * test-only and outside the plugin's gateway API, and for the first bytes of a direct-download
 * template, as CloudStack reads a QCOW2 header over HTTP to learn its size. */
#ifndef HOST_HTTP_H
#define HOST_HTTP_H

#include "strbuf.h"

#include <stddef.h>

/* method "GET"/"POST"/"DELETE"; body may be NULL; cafile verifies the server (NULL: system
 * store). Fills out with the body and *status with the HTTP status. 0, or -1 with err. */
int host_http(const char *method, const char *url, const char *cafile, const char *body, host_buf *out,
              long *status, char *err, size_t errlen);

/* Downloads url into the new file path (mode 0600): http and https only, redirects too (to
 * http and https), certificates verified against the system store. 0, or -1 with err (and no
 * file left behind). */
int host_http_fetch(const char *url, const char *path, char *err, size_t errlen);

/* What a direct-download URL holds, without fetching it: its first `want` bytes (a Range request;
 * a server that ignores Range is cut off after them) and its length (Content-Range's total, else
 * Content-Length; -1 when the server does not say). http and https only; certificates verified
 * against the system store. 0, or -1 with err (unreachable, or an HTTP status of 400 or more). */
int host_http_head(const char *url, size_t want, host_buf *head, long long *length, char *err, size_t errlen);

#endif
