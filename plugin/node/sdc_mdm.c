/* sdc_mdm.c - drv_cfg's MDM commands: joining and leaving an MDM cluster (the clusters this SDC
 * belongs to are listed by sdcmdm.c). The addresses are checked before they reach drv_cfg's argv
 * or its file. */
#include "config.h"

#include "sdc_mdm.h"

#include "error.h"
#include "hostsvc.h"
#include "proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRV_CFG_TIMEOUT_MS 60000 /* CloudStack's agent waits 60 s for a prepare */

int pfx_sdc_mdm_valid_sdc_id(const char *sdc_id)
{
    return sdc_id != NULL && strlen(sdc_id) == 16 && pfx_sdc_id_ok(sdc_id) &&
           strspn(sdc_id, "0") != strlen(sdc_id);
}

int pfx_sdc_mdm_ips_ok(const char *ips)
{
    size_t n;

    if (ips == NULL || *ips == '\0' || strlen(ips) >= PFX_SDC_MDM_IPLIST_MAX || *ips == ',' ||
        ips[strlen(ips) - 1] == ',' || strstr(ips, ",,") != NULL)
        return 0;
    n = strspn(ips, "0123456789abcdefABCDEF.:,");
    return n == strlen(ips);
}

int pfx_sdc_mdm_ip_list(const pfx_sdc_mdm *m, char *buf, size_t buf_len)
{
    size_t o = 0;

    if (buf_len == 0)
        return 0;
    buf[0] = '\0';
    for (size_t i = 0; i < m->n_ips; i++) {
        int w = snprintf(buf + o, buf_len - o, "%s%s", i > 0 ? "," : "", m->ips[i]);
        if (w < 0 || (size_t)w >= buf_len - o)
            return 0;
        o += (size_t)w;
    }
    return o > 0 && pfx_sdc_mdm_ips_ok(buf);
}

/* Runs drv_cfg with argv[1..]; a non-zero exit or anything on stderr is SP_E_IO. */
static sp_status run_strict(const char *const *argv, sp_error *err)
{
    pfx_proc_opts o = {.timeout_ms = DRV_CFG_TIMEOUT_MS};
    pfx_proc_result res;
    char tail[256];
    sp_status s = pfx_proc_run_ok(argv, &o, &res, err);

    if (s == SP_OK && res.err_len > 0) {
        pfx_proc_err_tail(&res, tail, sizeof(tail));
        s = pfx_error(err, SP_E_IO, "%s %s: %s", argv[0], argv[1], tail);
    }
    pfx_proc_result_free(&res);
    return s;
}

static sp_status change(const char *sdc_home, const char *verb, const char *ips, const char *file,
                        sp_error *err)
{
    char prog[SP_PATH_MAX];
    const char *argv[] = {
        prog, verb, "--ip", ips, "--file", file != NULL ? file : PFX_SDC_DRV_CFG_FILE_DEFAULT, NULL};
    sp_status s;

    if (!pfx_sdc_mdm_ips_ok(ips))
        return pfx_error(err, SP_E_INVALID, "MDM addresses \"%.64s\" are not a comma-separated address list",
                         ips != NULL ? ips : "");
    if (argv[5][0] != '/')
        return pfx_error(err, SP_E_INVALID, "drv_cfg file %s is not an absolute path", argv[5]);
    s = pfx_sdc_drv_cfg_path(sdc_home, prog, sizeof(prog), err);
    if (s == SP_OK)
        s = run_strict(argv, err);
    return s;
}

sp_status pfx_sdc_add_mdm(const char *sdc_home, const char *ips, const char *file, sp_error *err)
{
    return change(sdc_home, "--add_mdm", ips, file, err);
}

/* CloudStack's test: drv_cfg without arguments prints its usage (on either stream, with any exit
 * status), which names --remove_mdm when the SDC can leave an MDM cluster by itself. */
static int offers_remove(const char *prog)
{
    const char *argv[] = {prog, NULL};
    pfx_proc_opts o = {.timeout_ms = DRV_CFG_TIMEOUT_MS};
    pfx_proc_result res;
    int yes;

    if (pfx_proc_run(argv, &o, &res, NULL) != SP_OK) {
        pfx_proc_result_free(&res);
        return 0;
    }
    yes = (res.out != NULL && strstr(res.out, "--remove_mdm") != NULL) ||
          strstr(res.err, "--remove_mdm") != NULL;
    pfx_proc_result_free(&res);
    return yes;
}

sp_status pfx_sdc_remove_mdm(const char *sdc_home, const char *ips, const char *file, sp_error *err)
{
    char prog[SP_PATH_MAX];
    sp_status s = pfx_sdc_drv_cfg_path(sdc_home, prog, sizeof(prog), err);

    if (s != SP_OK)
        return s;
    if (!offers_remove(prog))
        return pfx_error(err, SP_E_UNSUPPORTED,
                         "%s offers no --remove_mdm (an older SDC): take the line \"mdm %s\" out of %s and "
                         "restart scini once no volume of that system is in use",
                         prog, ips != NULL ? ips : "", file != NULL ? file : PFX_SDC_DRV_CFG_FILE_DEFAULT);
    return change(sdc_home, "--remove_mdm", ips, file, err);
}
