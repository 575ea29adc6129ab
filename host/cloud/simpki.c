/* simpki.c - what simulators need from the system: the test CA and server certificate (made with
 * the openssl program from an argv, never a shell) and the programs installed beside cs-harness. */
#include "config.h"

#include "fsutil.h"
#include "runprog.h"
#include "simproc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *host_find_program(host_cs *cs, const char *name)
{
    char *path = NULL, *dir, *slash;
    const char *env =
        strcmp(name, "powerflex-sim") == 0 ? getenv("POWERFLEX_SIM") : getenv("POWERFLEX_DRV_CFG");
    /* Beside cs-harness in the build tree (host/ and sim/), or installed (bin/, libexec/PACKAGE/). */
    const char *rel[] = {"../sim/", "", "../libexec/" PACKAGE_NAME "/", "../lib/" PACKAGE_NAME "/"};

    if (env != NULL && access(env, X_OK) == 0)
        return strdup(env);
    if (cs->self_exe == NULL || (dir = strdup(cs->self_exe)) == NULL)
        return NULL;
    slash = strrchr(dir, '/');
    if (slash != NULL)
        *slash = '\0';
    for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
        if (asprintf(&path, "%s/%s%s", dir, rel[i], name) < 0) {
            path = NULL;
            break;
        }
        if (access(path, X_OK) == 0) {
            char *real = realpath(path, NULL);
            free(path);
            free(dir);
            return real;
        }
        free(path);
        path = NULL;
    }
    free(dir);
    return NULL;
}

int host_pki_ensure(host_cs *cs, char **ca, char **cert, char **key, host_err *e)
{
    const char *openssl = getenv("OPENSSL_BIN");
    char *dir = NULL, *cakey = NULL, *csr = NULL, *ext = NULL, *log = NULL, err[512];
    int rc = -1;

    *ca = *cert = *key = NULL;
    if (openssl == NULL || *openssl == '\0')
        openssl = "openssl";
    if (asprintf(&dir, "%s/pki", cs->workdir) < 0 || asprintf(ca, "%s/ca.pem", dir) < 0 ||
        asprintf(&cakey, "%s/ca.key", dir) < 0 || asprintf(cert, "%s/server.pem", dir) < 0 ||
        asprintf(key, "%s/server.key", dir) < 0 || asprintf(&csr, "%s/server.csr", dir) < 0 ||
        asprintf(&ext, "%s/server.ext", dir) < 0 || asprintf(&log, "%s/openssl.log", dir) < 0) {
        host_fail(e, HOST_E_INTERNAL, "out of memory");
        goto out;
    }
    if (access(*cert, R_OK) == 0 && access(*ca, R_OK) == 0) {
        rc = 0;
        goto out;
    }
    if (host_mkdirs(dir) != 0) {
        host_fail(e, HOST_E_INTERNAL, "cannot create %s: %s", dir, strerror(errno));
        goto out;
    }
    {
        static const char extensions[] =
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n";
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
                                 "30",
                                 "-subj",
                                 "/CN=cs-harness test CA",
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
                                  "/CN=127.0.0.1",
                                  NULL};
        char *const sign[] = {
            (char *)openssl,   "x509", "-req", "-in",   csr,  "-CA",      *ca, "-CAkey", cakey,
            "-CAcreateserial", "-out", *cert,  "-days", "30", "-extfile", ext, NULL};
        if (host_write_file(ext, extensions, sizeof(extensions) - 1, 0600) != 0) {
            host_fail(e, HOST_E_INTERNAL, "cannot write %s: %s", ext, strerror(errno));
            goto out;
        }
        if (host_run(make_ca, NULL, log, err, sizeof(err)) != 0 ||
            host_run(make_csr, NULL, log, err, sizeof(err)) != 0 ||
            host_run(sign, NULL, log, err, sizeof(err)) != 0) {
            host_fail(e, HOST_E_INTERNAL, "cannot make the simulators' certificates: %s", err);
            goto out;
        }
    }
    rc = 0;
out:
    if (rc != 0) {
        free(*ca);
        free(*cert);
        free(*key);
        *ca = *cert = *key = NULL;
    }
    free(dir);
    free(cakey);
    free(csr);
    free(ext);
    free(log);
    return rc;
}
