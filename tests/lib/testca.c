/* Test CAs made with the openssl CLI (see testca.h). */
#include <config.h>
#include "testca.h"
#include "certs.h"
#include "runprog.h"

#include <stdio.h>

int tca_run(const char *const *argv, const char *err_file)
{
    char err[256];

    return host_run((char *const *)argv, NULL, err_file, err, sizeof(err));
}

int tca_make(const char *dir, const char *cn, const char *san, char **ca_path, char **cert_path,
             char **key_path)
{
    host_cert_spec spec = {.dir = dir,
                           .ca_name = "powerflex-sim test CA",
                           .cn = cn,
                           .san = san,
                           .days = "2",
                           .ca_file = "ca.pem",
                           .cert_file = "cert.pem",
                           .key_file = "key.pem"};
    char err[512];

    if (host_certs_make(&spec, ca_path, cert_path, key_path, err, sizeof(err)) != 0) {
        fprintf(stderr, "testca: cannot make a CA and certificate: %s\n", err);
        return -1;
    }
    return 0;
}
