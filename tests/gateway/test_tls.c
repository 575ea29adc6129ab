/* test_tls.c - certificate verification against powerflex-sim: the configured CA, a CA that did
 * not sign the server, the system store, host names not in the certificate, pinned public keys,
 * verification turned off (with its warning), and an IPv6 literal gateway. */
#include "config.h"

#include "gateway_system.h"
#include "gwsim.h"
#include "gwtest.h"
#include "testca.h"

#include <CUnit/Basic.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static tsim *sim;
static char dir[256];

static void rm_dir(const char *d)
{
    const char *argv[] = {"rm", "-rf", d, NULL};
    tca_run(argv, NULL);
}

static int suite_init(void)
{
    const char *tmp = getenv("TMPDIR");

    gwt_log_capture_start();
    snprintf(dir, sizeof(dir), "%s/gwtls.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        return 1;
    sim = gws_start(NULL);
    return 0;
}

static int suite_clean(void)
{
    tsim_stop(sim);
    rm_dir(dir);
    return 0;
}

/* A client for gateway with the given TLS settings; NULL ca uses the system store. */
static sp_status call(const char *gateway, const char *password, const char *ca, const char *pin,
                      int insecure, sp_error *e)
{
    pfx_gw_config cfg = {.gateway = gateway,
                         .user = "admin",
                         .password = password,
                         .ca_file = ca,
                         .pinned_pubkey = pin,
                         .insecure = insecure,
                         .timeout_s = 30};
    pfx_gw_client *c = NULL;
    char v[16];
    sp_status st;

    st = pfx_gw_client_new(&cfg, &c, e);
    if (st != SP_OK)
        return st;
    st = pfx_gw_version(c, v, sizeof(v), e);
    pfx_gw_client_free(c);
    if (st != SP_OK)
        CU_ASSERT_TRUE(gwt_error_clean(e));
    return st;
}

/* "sha256//<base64 of the SHA-256 of the certificate's public key>" */
static char *pin_of(const char *cert_file)
{
    FILE *f = fopen(cert_file, "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    unsigned char *der = NULL, digest[SHA256_DIGEST_LENGTH];
    char *pin = malloc(8 + 64);
    int n;

    if (f != NULL)
        fclose(f);
    if (x == NULL || pin == NULL || (n = i2d_PUBKEY(X509_get0_pubkey(x), &der)) <= 0) {
        X509_free(x);
        free(pin);
        return NULL;
    }
    SHA256(der, (size_t)n, digest);
    memcpy(pin, "sha256//", 8);
    EVP_EncodeBlock((unsigned char *)pin + 8, digest, sizeof(digest));
    OPENSSL_free(der);
    X509_free(x);
    return pin;
}

static void test_configured_ca(void)
{
    char localhost[64];
    sp_error e;

    CU_ASSERT_EQUAL(call(tsim_hostport(sim), tsim_password(sim), tsim_cafile(sim), NULL, 0, &e), SP_OK);
    /* the name in the certificate works as well as the address */
    snprintf(localhost, sizeof(localhost), "localhost:%s", strrchr(tsim_hostport(sim), ':') + 1);
    CU_ASSERT_EQUAL(call(localhost, tsim_password(sim), tsim_cafile(sim), NULL, 0, &e), SP_OK);
}

static void test_other_ca_refused(void)
{
    char other[300];
    char *ca = NULL, *cert = NULL, *key = NULL;
    gws_mark m = gws_now(sim);
    sp_error e;

    snprintf(other, sizeof(other), "%s/other", dir);
    CU_ASSERT_EQUAL_FATAL(mkdir(other, 0700), 0);
    CU_ASSERT_EQUAL_FATAL(tca_make(other, "127.0.0.1", "IP:127.0.0.1", &ca, &cert, &key), 0);
    CU_ASSERT_EQUAL(call(tsim_hostport(sim), tsim_password(sim), ca, NULL, 0, &e), SP_E_TLS);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "TLS with gateway"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "certificate"));
    /* the system store does not know the test CA either */
    CU_ASSERT_EQUAL(call(tsim_hostport(sim), tsim_password(sim), NULL, NULL, 0, &e), SP_E_TLS);
    /* nothing reached the gateway: no password was sent to an unverified peer */
    CU_ASSERT_EQUAL(gws_requests_since(sim, m), 0);
    free(ca);
    free(cert);
    free(key);
}

static void test_wrong_host_name(void)
{
    char named[300], *pin = NULL, *bad_pin;
    char *ca = NULL, *cert = NULL, *key = NULL;
    tsim *s2;
    sp_error e;
    gws_mark m;

    snprintf(named, sizeof(named), "%s/named", dir);
    CU_ASSERT_EQUAL_FATAL(mkdir(named, 0700), 0);
    CU_ASSERT_EQUAL_FATAL(tca_make(named, "gw.example.test", "DNS:gw.example.test", &ca, &cert, &key), 0);
    {
        const char *args[] = {"--tls-cert", cert, "--tls-key", key, NULL};
        s2 = gws_start(args);
    }
    m = gws_now(s2);
    /* signed by the configured CA, but for another name */
    CU_ASSERT_EQUAL(call(tsim_hostport(s2), tsim_password(s2), ca, NULL, 0, &e), SP_E_TLS);
    CU_ASSERT_EQUAL(gws_requests_since(s2, m), 0);

    /* a pinned key alone trusts exactly that key */
    pin = pin_of(cert);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pin);
    CU_ASSERT_EQUAL(call(tsim_hostport(s2), tsim_password(s2), NULL, pin, 0, &e), SP_OK);
    /* with a CA both must hold: the name still fails */
    CU_ASSERT_EQUAL(call(tsim_hostport(s2), tsim_password(s2), ca, pin, 0, &e), SP_E_TLS);
    bad_pin = pin_of(tsim_cafile(sim)); /* another key */
    CU_ASSERT_EQUAL(call(tsim_hostport(s2), tsim_password(s2), NULL, bad_pin, 0, &e), SP_E_TLS);
    CU_ASSERT_EQUAL(call(tsim_hostport(s2), tsim_password(s2), NULL,
                         "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 0, &e),
                    SP_E_TLS);

    /* verification off: works, and says so in the log */
    size_t warned = gwt_log_count("verification is turned off");
    CU_ASSERT_EQUAL(call(tsim_hostport(s2), tsim_password(s2), NULL, NULL, 1, &e), SP_OK);
    CU_ASSERT_EQUAL(gwt_log_count("verification is turned off"), warned + 1);
    tsim_stop(s2);
    free(pin);
    free(bad_pin);
    free(ca);
    free(cert);
    free(key);
}

static void test_ipv6_literal(void)
{
    char v6[300], gateway[64];
    char *ca = NULL, *cert = NULL, *key = NULL;
    tsim *s6;
    sp_error e;

    snprintf(v6, sizeof(v6), "%s/v6", dir);
    CU_ASSERT_EQUAL_FATAL(mkdir(v6, 0700), 0);
    CU_ASSERT_EQUAL_FATAL(tca_make(v6, "::1", "IP:::1,IP:127.0.0.1", &ca, &cert, &key), 0);
    {
        const char *args[] = {"--listen", "[::1]:0", "--tls-cert", cert, "--tls-key", key, NULL};
        s6 = tsim_start(args);
    }
    if (s6 == NULL) {
        fprintf(stderr, "no IPv6 loopback here; skipping the IPv6 check\n");
        goto out;
    }
    gwt_add_secret(tsim_password(s6));
    CU_ASSERT_EQUAL(strncmp(tsim_hostport(s6), "[::1]:", 6), 0);
    CU_ASSERT_EQUAL(call(tsim_hostport(s6), tsim_password(s6), ca, NULL, 0, &e), SP_OK);
    snprintf(gateway, sizeof(gateway), "https://%s/api", tsim_hostport(s6));
    CU_ASSERT_EQUAL(call(gateway, tsim_password(s6), ca, NULL, 0, &e), SP_OK);
    tsim_stop(s6);
out:
    free(ca);
    free(cert);
    free(key);
}

static void test_no_secrets(void)
{
    CU_ASSERT_EQUAL(gwt_log_leaks(), 0);
}

int main(void)
{
    CU_pSuite s;
    unsigned failures;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    s = CU_add_suite("gateway client TLS", suite_init, suite_clean);
    CU_add_test(s, "the configured CA, by address and by name", test_configured_ca);
    CU_add_test(s, "a CA that did not sign the server, and the system store", test_other_ca_refused);
    CU_add_test(s, "a host name not in the certificate; pinned keys; verification off", test_wrong_host_name);
    CU_add_test(s, "an IPv6 literal gateway", test_ipv6_literal);
    CU_add_test(s, "no password or token in any log line", test_no_secrets);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures =
        CU_get_number_of_failures() + CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    gwt_log_capture_stop();
    curl_global_cleanup();
    return failures == 0 ? 0 : 1;
}
