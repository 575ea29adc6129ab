/* certs.c - the throw-away CA and server certificate (see certs.h). */
#include "config.h"

#include "certs.h"

#include "fsutil.h"
#include "runprog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Runs one openssl step; 0, or -1 with err saying which and why. */
static int step(char *const argv[], const char *log, const char *what, const char *dir, char *err,
                size_t errlen)
{
    char why[256] = "";
    int st = host_run(argv, NULL, log, why, sizeof(why));

    if (st == 0)
        return 0;
    if (st > 0)
        snprintf(why, sizeof(why), "exit status %d", st);
    snprintf(err, errlen, "openssl could not make %s in %s (%s; its output is in %s)", what, dir, why, log);
    return -1;
}

int host_certs_make(const host_cert_spec *s, char **ca, char **cert, char **key, char *err, size_t errlen)
{
    const char *openssl = getenv("OPENSSL_BIN");
    char *cakey = NULL, *csr = NULL, *ext = NULL, *serial = NULL, *log = NULL, *subj = NULL, *text = NULL;
    int rc = -1;

    *ca = *cert = *key = NULL;
    if (openssl == NULL || *openssl == '\0')
        openssl = "openssl";
    if (asprintf(ca, "%s/%s", s->dir, s->ca_file) < 0 || asprintf(cert, "%s/%s", s->dir, s->cert_file) < 0 ||
        asprintf(key, "%s/%s", s->dir, s->key_file) < 0 || asprintf(&cakey, "%s/ca.key", s->dir) < 0 ||
        asprintf(&csr, "%s/%s.csr", s->dir, s->cert_file) < 0 ||
        asprintf(&ext, "%s/%s.ext", s->dir, s->cert_file) < 0 || asprintf(&serial, "%s/ca.srl", s->dir) < 0 ||
        asprintf(&log, "%s/openssl.log", s->dir) < 0 || asprintf(&subj, "/CN=%s", s->cn) < 0 ||
        asprintf(&text,
                 "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                 "extendedKeyUsage=serverAuth\n%s%s%s",
                 s->san ? "subjectAltName=" : "", s->san ? s->san : "", s->san ? "\n" : "") < 0) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    {
        char ca_subj[256];
        snprintf(ca_subj, sizeof(ca_subj), "/CN=%s", s->ca_name);
        char *const make_ca[] = {(char *)openssl,
                                 "req",
                                 "-x509",
                                 "-newkey",
                                 "ec",
                                 "-pkeyopt",
                                 "ec_paramgen_curve:prime256v1",
                                 "-nodes",
                                 "-keyout",
                                 cakey,
                                 "-out",
                                 *ca,
                                 "-days",
                                 (char *)s->days,
                                 "-subj",
                                 ca_subj,
                                 "-addext",
                                 "basicConstraints=critical,CA:TRUE",
                                 "-addext",
                                 "keyUsage=critical,keyCertSign,cRLSign",
                                 NULL};
        char *const make_csr[] = {(char *)openssl,
                                  "req",
                                  "-new",
                                  "-newkey",
                                  "ec",
                                  "-pkeyopt",
                                  "ec_paramgen_curve:prime256v1",
                                  "-nodes",
                                  "-keyout",
                                  *key,
                                  "-out",
                                  csr,
                                  "-subj",
                                  subj,
                                  NULL};
        char *const sign[] = {(char *)openssl,
                              "x509",
                              "-req",
                              "-in",
                              csr,
                              "-CA",
                              *ca,
                              "-CAkey",
                              cakey,
                              "-CAserial",
                              serial,
                              "-CAcreateserial",
                              "-out",
                              *cert,
                              "-days",
                              (char *)s->days,
                              "-extfile",
                              ext,
                              NULL};
        if (host_write_file(ext, text, strlen(text), 0600) != 0) {
            snprintf(err, errlen, "cannot write %s: %s", ext, strerror(errno));
            goto out;
        }
        if (step(make_ca, log, "the CA", s->dir, err, errlen) != 0 ||
            step(make_csr, log, "the server key", s->dir, err, errlen) != 0 ||
            step(sign, log, "the server certificate", s->dir, err, errlen) != 0)
            goto out;
    }
    rc = 0;
out:
    if (csr != NULL)
        unlink(csr);
    if (ext != NULL)
        unlink(ext);
    if (rc != 0) {
        free(*ca);
        free(*cert);
        free(*key);
        *ca = *cert = *key = NULL;
    }
    free(cakey);
    free(csr);
    free(ext);
    free(serial);
    free(log);
    free(subj);
    free(text);
    return rc;
}
