/* certs.h - a throw-away certificate authority and a server certificate it signs (EC P-256), for
 * the simulators cs-harness starts and for the tests' TLS checks, made by the openssl program from
 * an argv ($OPENSSL_BIN when set, else openssl from PATH), never through a shell. */
#ifndef HOST_CERTS_H
#define HOST_CERTS_H

#include <stddef.h>

typedef struct host_cert_spec {
    const char *dir;       /* an existing directory the files are written to */
    const char *ca_name;   /* the CA's common name */
    const char *cn;        /* the server certificate's common name */
    const char *san;       /* an OpenSSL subjectAltName value ("IP:127.0.0.1,DNS:localhost"); NULL: none */
    const char *days;      /* how long both are valid, in days ("30") */
    const char *ca_file;   /* the names in dir of the CA certificate, */
    const char *cert_file; /* the server certificate */
    const char *key_file;  /* and its key (the CA's key is ca.key) */
} host_cert_spec;

/* Makes them; *ca, *cert and *key are their paths, malloc'd (the caller frees them). 0, or -1 with
 * err naming the step that failed (openssl's own words are in dir/openssl.log). */
int host_certs_make(const host_cert_spec *s, char **ca, char **cert, char **key, char *err, size_t errlen);

#endif
