/* simpki.c - what simulators need from the system: the test CA and server certificate (made with
 * the openssl program from an argv, never a shell) and the programs installed beside cs-harness. */
#include "config.h"

#include "certs.h"
#include "fsutil.h"
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
    host_cert_spec spec = {.ca_name = "cs-harness test CA",
                           .cn = "127.0.0.1",
                           .san = "IP:127.0.0.1,DNS:localhost",
                           .days = "30",
                           .ca_file = "ca.pem",
                           .cert_file = "server.pem",
                           .key_file = "server.key"};
    char *dir = NULL, err[512];
    int rc = -1;

    *ca = *cert = *key = NULL;
    if (asprintf(&dir, "%s/pki", cs->workdir) < 0 || asprintf(ca, "%s/ca.pem", dir) < 0 ||
        asprintf(cert, "%s/server.pem", dir) < 0 || asprintf(key, "%s/server.key", dir) < 0) {
        host_fail(e, HOST_E_INTERNAL, "out of memory");
        goto out;
    }
    if (access(*cert, R_OK) == 0 && access(*ca, R_OK) == 0) {
        rc = 0;
        goto out;
    }
    free(*ca);
    free(*cert);
    free(*key);
    *ca = *cert = *key = NULL;
    if (host_mkdirs(dir) != 0) {
        host_fail(e, HOST_E_INTERNAL, "cannot create %s: %s", dir, strerror(errno));
        goto out;
    }
    spec.dir = dir;
    if (host_certs_make(&spec, ca, cert, key, err, sizeof(err)) != 0) {
        host_fail(e, HOST_E_INTERNAL, "cannot make the simulators' certificates: %s", err);
        goto out;
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
    return rc;
}
