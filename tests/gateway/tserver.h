/* tserver.h - a scripted HTTPS server for the gateway client's tests: answers what no real
 * gateway or simulator sends on demand (10 MB bodies, HTML pages, a known token, paused
 * migrations), so the client's handling of them can be tested. */
#ifndef TSERVER_H
#define TSERVER_H

#include <stddef.h>

typedef struct tsrv tsrv;

/* What to answer one request with. */
typedef struct tsrv_reply {
    int status;               /* 200, 401, ... */
    const char *reason;       /* status line's reason phrase; NULL: "X" */
    const char *content_type; /* NULL: application/json */
    const char *body;         /* NULL: "" */
    size_t fill_bytes;        /* > 0: the body is this many bytes of '[' ... instead of body */
    int no_length;            /* 1: no Content-Length; the body ends when the connection closes */
} tsrv_reply;

/* Called for every request (from the server's threads; serialised by the server). `auth` is the
 * Authorization header or "" ; `body` the request body or "". Fills *out; strings it points to
 * must stay valid until the next call. */
typedef void (*tsrv_handler)(void *ctx, const char *method, const char *path, const char *auth,
                             const char *body, tsrv_reply *out);

/* Serves HTTPS on 127.0.0.1 (a free port) with the PEM certificate chain and key. NULL on
 * failure, with a message on stderr. */
tsrv *tsrv_start(const char *cert_file, const char *key_file, tsrv_handler handler, void *ctx);
/* "127.0.0.1:PORT" */
const char *tsrv_hostport(const tsrv *s);
/* Requests answered so far. */
unsigned tsrv_requests(tsrv *s);
/* Stops accepting, closes every connection, joins the threads, frees. */
void tsrv_stop(tsrv *s);

#endif
