/* Throw-away certificate authorities for tests: a CA and a server certificate it signs, made
 * with the openssl CLI, so suites can test TLS verification, wrong host names and wrong CAs. */
#ifndef TESTCA_H
#define TESTCA_H

/* Writes ca.pem, cert.pem and key.pem (EC P-256, valid 2 days) into dir, which must exist and
 * should hold nothing else of the kind. cn is the certificate's common name; san an OpenSSL
 * subjectAltName value such as "IP:127.0.0.1,DNS:localhost" (NULL: none). The three paths are
 * returned malloc'd (the caller frees them). 0 on success, -1 with a message on stderr.
 * Uses $OPENSSL_BIN when set, else openssl from PATH. */
int tca_make(const char *dir, const char *cn, const char *san, char **ca_path, char **cert_path,
             char **key_path);

/* Runs argv (argv[0] looked up in PATH) with stdout/stderr to /dev/null (stderr to err_file when
 * not NULL) and waits. The exit status, or -1 when it could not run. */
int tca_run(const char *const *argv, const char *err_file);

#endif
