/* Test CAs made with the openssl CLI (see testca.h). */
#include <config.h>
#include "testca.h"
#include "runprog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, f);
    if (vasprintf(&s, f, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}

int tca_run(const char *const *argv, const char *err_file)
{
    host_spawn_opts o = {.log = err_file ? err_file : "/dev/null"};
    char err[256];
    int status;
    pid_t pid = host_spawn((char *const *)argv, &o, err, sizeof(err));
    if (pid < 0 || host_wait(pid, &status, err, sizeof(err)) != 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int openssl(const char *dir, const char *const *args)
{
    const char *bin = getenv("OPENSSL_BIN");
    const char *argv[32];
    char *err = fmt("%s/openssl.err", dir);
    size_t n = 0;
    int rc;
    argv[n++] = bin && *bin ? bin : "openssl";
    for (size_t i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    rc = tca_run(argv, err);
    if (rc != 0) {
        FILE *f = err ? fopen(err, "r") : NULL;
        char line[512];
        fprintf(stderr, "testca: openssl %s failed (status %d)\n", args[0], rc);
        while (f && fgets(line, sizeof(line), f))
            fprintf(stderr, "testca:   %s", line);
        if (f)
            fclose(f);
    }
    if (err)
        unlink(err);
    free(err);
    return rc == 0 ? 0 : -1;
}

int tca_make(const char *dir, const char *cn, const char *san, char **ca_path, char **cert_path,
             char **key_path)
{
    char *ca = fmt("%s/ca.pem", dir), *cakey = fmt("%s/ca.key", dir);
    char *cert = fmt("%s/cert.pem", dir), *key = fmt("%s/key.pem", dir);
    char *csr = fmt("%s/cert.csr", dir), *ext = fmt("%s/cert.ext", dir);
    char *serial = fmt("%s/ca.srl", dir), *subj = fmt("/CN=%s", cn);
    int rc = -1;
    FILE *f;
    *ca_path = *cert_path = *key_path = NULL;
    if (!ca || !cakey || !cert || !key || !csr || !ext || !serial || !subj)
        goto out;
    {
        const char *a[] = {"req",
                           "-x509",
                           "-newkey",
                           "ec",
                           "-pkeyopt",
                           "ec_paramgen_curve:prime256v1",
                           "-nodes",
                           "-keyout",
                           cakey,
                           "-out",
                           ca,
                           "-days",
                           "2",
                           "-subj",
                           "/CN=powerflex-sim test CA",
                           "-addext",
                           "basicConstraints=critical,CA:TRUE",
                           "-addext",
                           "keyUsage=critical,keyCertSign,cRLSign",
                           NULL};
        if (openssl(dir, a))
            goto out;
    }
    {
        const char *a[] = {"req",    "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                           "-nodes", "-keyout", key,  "-out",     csr,
                           "-subj",  subj,      NULL};
        if (openssl(dir, a))
            goto out;
    }
    f = fopen(ext, "w");
    if (!f)
        goto out;
    fprintf(f, "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
               "extendedKeyUsage=serverAuth\n");
    if (san)
        fprintf(f, "subjectAltName=%s\n", san);
    fclose(f);
    {
        const char *a[] = {"x509",
                           "-req",
                           "-in",
                           csr,
                           "-CA",
                           ca,
                           "-CAkey",
                           cakey,
                           "-CAserial",
                           serial,
                           "-CAcreateserial",
                           "-out",
                           cert,
                           "-days",
                           "2",
                           "-extfile",
                           ext,
                           NULL};
        if (openssl(dir, a))
            goto out;
    }
    *ca_path = ca;
    *cert_path = cert;
    *key_path = key;
    ca = cert = key = NULL;
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "testca: cannot make a CA and certificate in %s\n", dir);
    if (csr)
        unlink(csr);
    if (ext)
        unlink(ext);
    free(ca);
    free(cakey);
    free(cert);
    free(key);
    free(csr);
    free(ext);
    free(serial);
    free(subj);
    return rc;
}
