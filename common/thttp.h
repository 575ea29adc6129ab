/* The one small HTTPS client of the harness, the tests and the benchmarks (the plugin has its
 * own, the simulator and drv_cfg theirs): one keep-alive libcurl handle per object, CA
 * verification, optional basic auth, whole bodies in and out. */
#ifndef THTTP_H
#define THTTP_H

typedef struct thttp thttp;

/* base_url like "https://127.0.0.1:PORT"; cafile NULL uses the system's trust store. */
thttp *thttp_new(const char *base_url, const char *cafile);
void thttp_free(thttp *h);
/* NULL user/pass removes authentication. */
void thttp_set_auth(thttp *h, const char *user, const char *pass);
/* Sends "Authorization: Bearer token" (NULL: no longer); use without basic auth. */
void thttp_set_bearer(thttp *h, const char *token);
/* Sends METHOD base_url+path with body (NULL: none; sent as application/json). Returns the HTTP
 * status (>0), or -curl error code when no answer came. *resp (may be NULL) receives the body
 * (malloc'd, NUL-terminated) when there was one. */
int thttp_request(thttp *h, const char *method, const char *path, const char *body, char **resp);
/* The libcurl message of the last failed transfer. */
const char *thttp_error(const thttp *h);

#endif
