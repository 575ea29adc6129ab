/* test_sdcmdm.c - drv_cfg --query_mdms: the format real SDCs print (a public capture), variants
 * and malformed output, and this SDC's id in a system as the Adaptor takes it, with an older
 * drv_cfg that lacks the option and an SDC not registered with the system (id all zeros).
 * drv_cfg is fake_drv_cfg.sh. */
#include "config.h"

#include "hs_util.h"

#include "sdc.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A real SDC's answer (csi-powerflex's EKS walkthrough). */
#define CAPTURE                                                                                              \
    "Retrieved 1 mdm(s)\n"                                                                                   \
    "MDM-ID d7f6c6427c56ab0f SDC ID 59f89f6100000005 INSTALLATION ID 295ee6f776af5e4c IPs [0]-172.26.2.124 " \
    "[1]-172.26.2.125 [2]-172.26.2.126\n"

static void test_capture(void)
{
    pfx_sdc_mdm *m;
    size_t n;
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(pfx_sdc_parse_query_mdms(CAPTURE, &m, &n, &err), SP_OK);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_STRING_EQUAL(m[0].system_id, "d7f6c6427c56ab0f");
    CU_ASSERT_STRING_EQUAL(m[0].sdc_id, "59f89f6100000005");
    CU_ASSERT_STRING_EQUAL(m[0].install_id, "295ee6f776af5e4c");
    CU_ASSERT_EQUAL(m[0].n_ips, 3);
    CU_ASSERT_STRING_EQUAL(m[0].ips[0], "172.26.2.124");
    CU_ASSERT_STRING_EQUAL(m[0].ips[2], "172.26.2.126");
    free(m);

    /* Two systems, CRLF, an older line without installation id and addresses, a blank line. */
    CU_ASSERT_EQUAL_FATAL(
        pfx_sdc_parse_query_mdms("Retrieved 2 mdm(s)\r\n\r\n"
                                 "MDM-ID 218ce1797566a00f SDC ID 4421a91a00000000\r\n"
                                 "MDM-ID 71fd458f0775010f SDC ID 0000000000000000 INSTALLATION ID "
                                 "204930df2cbcaf8e IPs [0]-fd00::1 [1]-3.3.3.3\r\n",
                                 &m, &n, &err),
        SP_OK);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_STRING_EQUAL(m[0].sdc_id, "4421a91a00000000");
    CU_ASSERT_EQUAL(m[0].n_ips, 0);
    CU_ASSERT_STRING_EQUAL(m[1].ips[0], "fd00::1");
    free(m);
    CU_ASSERT_EQUAL(pfx_sdc_parse_query_mdms("Retrieved 0 mdm(s)\n", &m, &n, &err), SP_OK);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_PTR_NULL(m);
}

static void test_malformed(void)
{
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"", "no \"Retrieved N mdm(s)\" line"},
        {"Retrieved 1 volume(s)\n", "unexpected header"},
        {"Retrieved x mdm(s)\n", "unexpected header"},
        {"Retrieved 2 mdm(s)\nMDM-ID d7f6c6427c56ab0f SDC ID 59f89f6100000005\n",
         "announced 2 mdm(s) and listed 1"},
        {"Retrieved 1 mdm(s)\nMDM-ID d7f6c6427c56ab0f SDC ID 59f89f6100000005\n"
         "MDM-ID d7f6c6427c56ab0e SDC ID 59f89f6100000006\n",
         "more than the 1"},
        {"Retrieved 1 mdm(s)\nMDM-ID ../../etc SDC ID 59f89f6100000005\n", "malformed line"},
        {"Retrieved 1 mdm(s)\nMDM-ID d7f6c6427c56ab0f SDC 59f89f6100000005\n", "malformed line"},
        {"Retrieved 1 mdm(s)\nMDM-ID d7f6c6427c56ab0f SDC ID 59f8/9f61\n", "malformed line"},
        {"Retrieved 1 mdm(s)\nMDM-ID d7f6c6427c56ab0f SDC ID 59f89f6100000005 INSTALLATION ID zz\n",
         "malformed line"},
    };
    pfx_sdc_mdm *m;
    size_t n;
    sp_error err;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_EQUAL(pfx_sdc_parse_query_mdms(bad[i].text, &m, &n, &err), SP_E_PROTOCOL);
        CU_ASSERT_PTR_NULL(m);
        if (strstr(err.message, bad[i].why) == NULL)
            fprintf(stderr, "case %zu: %s\n", i, err.message);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, bad[i].why));
    }
    /* An address that is not one is left out, not copied into a path or a message. */
    CU_ASSERT_EQUAL_FATAL(
        pfx_sdc_parse_query_mdms("Retrieved 1 mdm(s)\nMDM-ID d7f6c6427c56ab0f SDC ID 59f8 "
                                 "INSTALLATION ID 295e IPs [0]-1.2.3.4 [1]-$(reboot) [2]-::1\n",
                                 &m, &n, &err),
        SP_OK);
    CU_ASSERT_EQUAL(m[0].n_ips, 2);
    CU_ASSERT_STRING_EQUAL(m[0].ips[1], "::1");
    free(m);
}

static void test_id_for_system(void)
{
    char *root = hs_mkdtemp("sdcmdm"), home[512], id[64], *script, *drv;
    size_t len;
    sp_error err;

    snprintf(home, sizeof(home), "%s/sdc", root);
    CU_ASSERT_FATAL(mkdir(home, 0700) == 0 && mkdir(hs_path(home, "bin"), 0700) == 0);
    script = hs_read(hs_path(hs_srcdir(), "tests/hostside/fake_drv_cfg.sh"), &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(script);
    drv = strdup(hs_path(home, "bin/drv_cfg"));
    CU_ASSERT_FATAL(hs_write(drv, script, len) == 0 && chmod(drv, 0755) == 0);
    free(drv);
    free(script);

    /* An older drv_cfg: the option is unknown (SP_E_IO), and the caller falls back. */
    CU_ASSERT_EQUAL(pfx_sdc_id_for_system(home, "d7f6c6427c56ab0f", id, sizeof(id), &err), SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "drv_cfg --query_mdms"));
    hs_write_str(hs_path(home, "query_mdms.out"), CAPTURE);
    CU_ASSERT_EQUAL(pfx_sdc_id_for_system(home, "D7F6C6427C56AB0F", id, sizeof(id), &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(id, "59f89f6100000005");
    CU_ASSERT_EQUAL(pfx_sdc_id_for_system(home, "218ce1797566a00f", id, sizeof(id), &err), SP_E_NOT_FOUND);
    /* Registered with the MDM's addresses but not approved: the all-zero id is no SDC. */
    hs_write_str(hs_path(home, "query_mdms.out"),
                 "Retrieved 1 mdm(s)\nMDM-ID d7f6c6427c56ab0f SDC ID 0000000000000000 INSTALLATION ID "
                 "295ee6f776af5e4c IPs [0]-172.26.2.124\n");
    CU_ASSERT_EQUAL(pfx_sdc_id_for_system(home, "d7f6c6427c56ab0f", id, sizeof(id), &err), SP_E_NOT_FOUND);
    hs_rmtree(root);
    free(root);
}

int main(void)
{
    static const hs_test tests[] = {
        {"drv_cfg --query_mdms: a real SDC's format and variants", test_capture},
        {"drv_cfg --query_mdms: malformed output", test_malformed},
        {"this SDC's id in a system; older drv_cfg; unregistered SDC", test_id_for_system},
        {NULL, NULL},
    };
    return hs_main("sdcmdm", tests);
}
