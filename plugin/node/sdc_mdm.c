/* sdc_mdm.c - drv_cfg's MDM commands: the clusters this SDC belongs to, joining and leaving one.
 * The addresses are checked before they reach drv_cfg's argv or its file. */
#include "config.h"

#include "sdc_mdm.h"

#include "error.h"
#include "hostsvc.h"
#include "proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRV_CFG_TIMEOUT_MS 60000 /* CloudStack's agent waits 60 s for a prepare */
#define MAX_MDMS 1024

int pfx_sdc_mdm_valid_sdc_id(const char *sdc_id)
{
    return sdc_id != NULL && strlen(sdc_id) == 16 && pfx_sdc_id_ok(sdc_id) &&
           strspn(sdc_id, "0") != strlen(sdc_id);
}

int pfx_sdc_mdm_ips_ok(const char *ips)
{
    size_t n;

    if (ips == NULL || *ips == '\0' || strlen(ips) >= PFX_SDC_MDM_IPS_MAX || *ips == ',' ||
        ips[strlen(ips) - 1] == ',' || strstr(ips, ",,") != NULL)
        return 0;
    n = strspn(ips, "0123456789abcdefABCDEF.:,");
    return n == strlen(ips);
}

/* Splits off the next blank-separated token of [*p, end). */
static int token(const char **p, const char *end, const char **tok, size_t *len)
{
    const char *s = *p;

    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    if (s == end)
        return 0;
    *tok = s;
    while (s < end && *s != ' ' && *s != '\t')
        s++;
    *len = (size_t)(s - *tok);
    *p = s;
    return 1;
}

static int tok_is(const char *tok, size_t len, const char *word)
{
    return len == strlen(word) && memcmp(tok, word, len) == 0;
}

static int take_id(const char *tok, size_t len, char *dst)
{
    if (len == 0 || len > PFX_SDC_ID_MAX)
        return 0;
    memcpy(dst, tok, len);
    dst[len] = '\0';
    return pfx_sdc_id_ok(dst);
}

static sp_status bad_line(const char *line, const char *end, sp_error *err)
{
    char q[128];

    pfx_printable(line, (size_t)(end - line), q, sizeof(q));
    return pfx_error(err, SP_E_PROTOCOL, "drv_cfg --query_mdms: malformed line \"%s\"", q);
}

/* "MDM-ID <sys> SDC ID <sdc> INSTALLATION ID <id> IPs [0]-ip [1]-ip ..." */
static sp_status parse_mdm(const char *line, const char *end, pfx_sdc_mdm *m, sp_error *err)
{
    static const char *const words[] = {"MDM-ID", NULL, "SDC", "ID", NULL, "INSTALLATION", "ID", NULL, "IPs"};
    const char *p = line, *tok;
    size_t len, o = 0;

    memset(m, 0, sizeof(*m));
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (!token(&p, end, &tok, &len))
            return bad_line(line, end, err);
        if (words[i] != NULL && !tok_is(tok, len, words[i]))
            return bad_line(line, end, err);
        if (i == 1 && !take_id(tok, len, m->system_id))
            return bad_line(line, end, err);
        if (i == 4 && !take_id(tok, len, m->sdc_id))
            return bad_line(line, end, err);
    }
    while (token(&p, end, &tok, &len)) {
        const char *dash = memchr(tok, '-', len);
        size_t iplen;

        if (tok[0] != '[' || dash == NULL)
            return bad_line(line, end, err);
        iplen = len - (size_t)(dash + 1 - tok);
        if (iplen == 0 || o + iplen + 2 > sizeof(m->ips))
            return bad_line(line, end, err);
        if (o > 0)
            m->ips[o++] = ',';
        memcpy(m->ips + o, dash + 1, iplen);
        o += iplen;
        m->ips[o] = '\0';
    }
    if (o > 0 && !pfx_sdc_mdm_ips_ok(m->ips))
        return bad_line(line, end, err);
    return SP_OK;
}

sp_status pfx_sdc_parse_query_mdms(const char *text, pfx_sdc_mdm **mdms, size_t *n, sp_error *err)
{
    const char *line = text;
    pfx_sdc_mdm *out = NULL;
    size_t count = 0, got = 0;
    int have_header = 0;
    sp_status s = SP_OK;

    *mdms = NULL;
    *n = 0;
    while (line != NULL && *line != '\0') {
        const char *nl = strchr(line, '\n');
        const char *end = nl != NULL ? nl : line + strlen(line), *p = line, *tok, *t2, *t3;
        size_t len, l2, l3;

        while (end > line && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (!token(&p, end, &tok, &len)) {
            /* blank */
        } else if (tok_is(tok, len, "Retrieved")) {
            unsigned long long v = 0;
            if (have_header || !token(&p, end, &t2, &l2) || !token(&p, end, &t3, &l3) || l2 > 6 ||
                !tok_is(t3, l3, "mdm(s)") || token(&p, end, &tok, &len)) {
                s = bad_line(line, end, err);
                goto out;
            }
            for (size_t i = 0; i < l2; i++) {
                if (t2[i] < '0' || t2[i] > '9') {
                    s = bad_line(line, end, err);
                    goto out;
                }
                v = v * 10 + (unsigned)(t2[i] - '0');
            }
            if (v > MAX_MDMS) {
                s = bad_line(line, end, err);
                goto out;
            }
            count = (size_t)v;
            have_header = 1;
            out = calloc(count > 0 ? count : 1, sizeof(*out));
            if (out == NULL) {
                s = pfx_error(err, SP_E_NOMEM, "out of memory");
                goto out;
            }
        } else if (tok_is(tok, len, "MDM-ID")) {
            if (!have_header || got == count) {
                s = pfx_error(err, SP_E_PROTOCOL, "drv_cfg --query_mdms: %s",
                              have_header ? "more MDM lines than announced" : "an MDM line before the header");
                goto out;
            }
            s = parse_mdm(line, end, &out[got], err);
            if (s != SP_OK)
                goto out;
            got++;
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
    if (!have_header) {
        s = pfx_error(err, SP_E_PROTOCOL, "drv_cfg --query_mdms printed no \"Retrieved N mdm(s)\" line");
        goto out;
    }
    if (got != count) {
        s = pfx_error(err, SP_E_PROTOCOL, "drv_cfg --query_mdms announced %zu mdm(s) but listed %zu", count, got);
        goto out;
    }
    if (count > 0) {
        *mdms = out;
        out = NULL;
    }
    *n = count;
out:
    free(out);
    return s;
}

sp_status pfx_sdc_query_mdms(const char *sdc_home, pfx_sdc_mdm **mdms, size_t *n, sp_error *err)
{
    char prog[SP_PATH_MAX];
    const char *argv[] = {prog, "--query_mdms", NULL};
    pfx_proc_opts o = {.timeout_ms = DRV_CFG_TIMEOUT_MS};
    pfx_proc_result res;
    sp_status s;

    *mdms = NULL;
    *n = 0;
    memset(&res, 0, sizeof(res));
    s = pfx_sdc_drv_cfg_path(sdc_home, prog, sizeof(prog), err);
    if (s == SP_OK)
        s = pfx_proc_run_ok(argv, &o, &res, err);
    if (s == SP_OK)
        s = pfx_sdc_parse_query_mdms(res.out != NULL ? res.out : "", mdms, n, err);
    pfx_proc_result_free(&res);
    return s;
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

static sp_status change(const char *sdc_home, const char *verb, const char *ips, const char *file, sp_error *err)
{
    char prog[SP_PATH_MAX];
    const char *argv[] = {prog, verb, "--ip", ips, "--file", file != NULL ? file : PFX_SDC_DRV_CFG_FILE_DEFAULT, NULL};
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
    yes = (res.out != NULL && strstr(res.out, "--remove_mdm") != NULL) || strstr(res.err, "--remove_mdm") != NULL;
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
