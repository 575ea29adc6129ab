/* tserver.c - a scripted HTTPS/1.1 server for tests: OpenSSL on a loopback socket, one thread per
 * connection, keep-alive, answers chosen by the test's handler. Not a general server: requests
 * larger than 64 KiB and chunked uploads are refused by closing the connection. */
#include "config.h"

#include "tserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 64
#define MAX_REQUEST 65536

typedef struct conn {
    tsrv *srv;
    int fd;
    pthread_t thread;
    int done;
} conn;

struct tsrv {
    SSL_CTX *ctx;
    int listen_fd;
    char hostport[64];
    tsrv_handler handler;
    void *hctx;
    pthread_t acceptor;
    _Atomic int stopping;
    pthread_mutex_t lock; /* serialises the handler and guards conns */
    conn *conns[MAX_CONNS];
    size_t n_conns;
    unsigned requests;
};

/* Reads into buf until a full request (head and Content-Length body) is there. Returns the
 * request length, 0 on a closed connection or error. */
static size_t read_request(SSL *ssl, tsrv *s, char *buf, size_t cap, size_t *have, size_t *head_len,
                           size_t *body_len)
{
    for (;;) {
        char *end = *have >= 4 ? memmem(buf, *have, "\r\n\r\n", 4) : NULL;
        if (end != NULL) {
            const char *cl;
            *head_len = (size_t)(end - buf) + 4;
            buf[*head_len - 1] = '\0';
            cl = strcasestr(buf, "\r\nContent-Length:");
            *body_len = cl ? strtoul(cl + 17, NULL, 10) : 0;
            buf[*head_len - 1] = '\n';
            if (*head_len + *body_len >= cap)
                return 0;
            if (*have >= *head_len + *body_len)
                return *head_len + *body_len;
        }
        if (*have + 1 >= cap || s->stopping)
            return 0;
        int n = SSL_read(ssl, buf + *have, (int)(cap - 1 - *have));
        if (n <= 0) {
            int e = SSL_get_error(ssl, n);
            if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_SYSCALL) &&
                (errno == EAGAIN || errno == EWOULDBLOCK) && !s->stopping)
                continue;
            return 0;
        }
        *have += (size_t)n;
    }
}

static int write_all(SSL *ssl, const char *p, size_t n)
{
    while (n > 0) {
        int w = SSL_write(ssl, p, (int)(n > 16384 ? 16384 : n));
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int send_reply(SSL *ssl, const tsrv_reply *r)
{
    char head[512], chunk[16384];
    size_t len = r->fill_bytes ? r->fill_bytes : (r->body ? strlen(r->body) : 0);
    int n;

    if (r->no_length)
        n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nConnection: close\r\n\r\n",
                     r->status, r->reason ? r->reason : "X",
                     r->content_type ? r->content_type : "application/json");
    else
        n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
                     r->status, r->reason ? r->reason : "X",
                     r->content_type ? r->content_type : "application/json", len);
    if (write_all(ssl, head, (size_t)n) != 0)
        return -1;
    if (!r->fill_bytes)
        return len ? write_all(ssl, r->body, len) : 0;
    memset(chunk, '[', sizeof(chunk));
    for (size_t sent = 0; sent < len;) {
        size_t k = len - sent < sizeof(chunk) ? len - sent : sizeof(chunk);
        if (write_all(ssl, chunk, k) != 0)
            return -1; /* the client gave up: expected when it refuses large bodies */
        sent += k;
    }
    return 0;
}

static void header_value(const char *head, const char *name, char *out, size_t len)
{
    const char *p = strcasestr(head, name);
    size_t n = 0;

    out[0] = '\0';
    if (p == NULL)
        return;
    p += strlen(name);
    while (*p == ' ')
        p++;
    while (p[n] != '\r' && p[n] != '\n' && p[n] != '\0' && n + 1 < len)
        n++;
    memcpy(out, p, n);
    out[n] = '\0';
}

static void *serve(void *arg)
{
    conn *c = arg;
    tsrv *s = c->srv;
    SSL *ssl = SSL_new(s->ctx);
    char *buf = malloc(MAX_REQUEST);
    size_t have = 0;
    struct timeval tv = {0, 100000};

    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (ssl == NULL || buf == NULL || !SSL_set_fd(ssl, c->fd))
        goto out;
    for (;;) {
        int rc = SSL_accept(ssl);
        if (rc == 1)
            break;
        if (s->stopping || !(errno == EAGAIN || errno == EWOULDBLOCK))
            goto out; /* includes clients that refuse our certificate */
    }
    while (!s->stopping) {
        size_t head_len = 0, body_len = 0, total;
        char method[16], path[1024], auth[1024], *body;
        tsrv_reply r;

        total = read_request(ssl, s, buf, MAX_REQUEST, &have, &head_len, &body_len);
        if (total == 0)
            break;
        body = strndup(buf + head_len, body_len);
        buf[head_len - 2] = '\0';
        if (sscanf(buf, "%15s %1023s", method, path) != 2) {
            free(body);
            break;
        }
        header_value(buf, "\r\nAuthorization:", auth, sizeof(auth));
        memset(&r, 0, sizeof(r));
        r.status = 500;
        pthread_mutex_lock(&s->lock);
        s->requests++;
        s->handler(s->hctx, method, path, auth, body ? body : "", &r);
        int sent = send_reply(ssl, &r);
        pthread_mutex_unlock(&s->lock);
        free(body);
        if (sent != 0 || r.no_length)
            break;
        memmove(buf, buf + total, have - total);
        have -= total;
    }
out:
    if (ssl != NULL) {
        SSL_shutdown(ssl);
        SSL_free(ssl);
    }
    free(buf);
    close(c->fd);
    c->done = 1;
    return NULL;
}

static void *acceptor(void *arg)
{
    tsrv *s = arg;

    while (!s->stopping) {
        struct pollfd p = {s->listen_fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        conn *c = calloc(1, sizeof(*c));
        pthread_mutex_lock(&s->lock);
        if (c == NULL || s->n_conns == MAX_CONNS) {
            pthread_mutex_unlock(&s->lock);
            free(c);
            close(fd);
            continue;
        }
        c->srv = s;
        c->fd = fd;
        s->conns[s->n_conns++] = c;
        pthread_mutex_unlock(&s->lock);
        if (pthread_create(&c->thread, NULL, serve, c) != 0) {
            close(fd);
            c->done = 2; /* never started */
        }
    }
    return NULL;
}

tsrv *tsrv_start(const char *cert_file, const char *key_file, tsrv_handler handler, void *ctx)
{
    tsrv *s = calloc(1, sizeof(*s));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    socklen_t alen = sizeof(a);

    if (s == NULL)
        return NULL;
    /* A client that gives up on a large answer closes the socket under our writes. */
    signal(SIGPIPE, SIG_IGN);
    s->listen_fd = -1;
    s->handler = handler;
    s->hctx = ctx;
    pthread_mutex_init(&s->lock, NULL);
    s->ctx = SSL_CTX_new(TLS_server_method());
    if (s->ctx == NULL || SSL_CTX_use_certificate_chain_file(s->ctx, cert_file) != 1 ||
        SSL_CTX_use_PrivateKey_file(s->ctx, key_file, SSL_FILETYPE_PEM) != 1) {
        fprintf(stderr, "tserver: cannot load %s / %s\n", cert_file, key_file);
        goto fail;
    }
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(s->listen_fd, 64) != 0 || getsockname(s->listen_fd, (struct sockaddr *)&a, &alen) != 0) {
        fprintf(stderr, "tserver: cannot listen: %s\n", strerror(errno));
        goto fail;
    }
    snprintf(s->hostport, sizeof(s->hostport), "127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
    if (pthread_create(&s->acceptor, NULL, acceptor, s) != 0)
        goto fail;
    return s;
fail:
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    SSL_CTX_free(s->ctx);
    pthread_mutex_destroy(&s->lock);
    free(s);
    return NULL;
}

const char *tsrv_hostport(const tsrv *s)
{
    return s->hostport;
}

unsigned tsrv_requests(tsrv *s)
{
    unsigned n;

    pthread_mutex_lock(&s->lock);
    n = s->requests;
    pthread_mutex_unlock(&s->lock);
    return n;
}

void tsrv_stop(tsrv *s)
{
    if (s == NULL)
        return;
    s->stopping = 1;
    pthread_join(s->acceptor, NULL);
    for (size_t i = 0; i < s->n_conns; i++) {
        if (s->conns[i]->done != 2)
            pthread_join(s->conns[i]->thread, NULL);
        free(s->conns[i]);
    }
    close(s->listen_fd);
    SSL_CTX_free(s->ctx);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
