/* sdcmdm.c - the systems this host's SDC knows, from drv_cfg --query_mdms: each system's id, this
 * SDC's id in it and the MDMs' addresses. Newer CloudStack agents take the SDC id from here rather
 * than asking the gateway which SDC has the host's IP. Format (a real SDC's output):
 *   Retrieved 1 mdm(s)
 *   MDM-ID d7f6c6427c56ab0f SDC ID 59f89f6100000005 INSTALLATION ID 295ee6f776af5e4c IPs [0]-172.26.2.124
 * [1]-172.26.2.125 */
#include "config.h"

#include "sdc.h"

#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_MDMS 1024 /* systems one SDC may know; guards the allocation a header asks for */

typedef struct cursor {
    const char *p, *end;
} cursor;

/* The next blank-separated word of the line into w (NUL-terminated, at most size - 1 bytes):
 * 1 when there is one that fits, 0 at the end, -1 when it is too long. */
static int word(cursor *c, char *w, size_t size)
{
    const char *s = c->p;
    size_t n;

    while (s < c->end && (*s == ' ' || *s == '\t' || *s == '\r'))
        s++;
    if (s == c->end)
        return 0;
    c->p = s;
    while (c->p < c->end && *c->p != ' ' && *c->p != '\t' && *c->p != '\r')
        c->p++;
    n = (size_t)(c->p - s);
    if (n >= size)
        return -1;
    memcpy(w, s, n);
    w[n] = '\0';
    return 1;
}

static int expect(cursor *c, const char *want)
{
    char w[32];

    return word(c, w, sizeof(w)) == 1 && strcmp(w, want) == 0;
}

static int id_word(cursor *c, char *dst)
{
    return word(c, dst, PFX_SDC_ID_MAX + 1) == 1 && pfx_sdc_id_ok(dst);
}

/* "[k]-<address>": the address, of digits, hex letters, '.', ':' (IPv4 and IPv6) only. */
static int ip_word(const char *w, char *dst, size_t size)
{
    const char *a = strstr(w, "]-");

    if (w[0] != '[' || a == NULL || a[2] == '\0' || strlen(a + 2) >= size ||
        strspn(a + 2, "0123456789abcdefABCDEF.:") != strlen(a + 2))
        return 0;
    snprintf(dst, size, "%s", a + 2);
    return 1;
}

static sp_status parse_mdm(const char *line, const char *end, pfx_sdc_mdm *m, sp_error *err)
{
    cursor c = {line, end};
    char w[96], q[120];
    int r;

    memset(m, 0, sizeof(*m));
    if (!expect(&c, "MDM-ID") || !id_word(&c, m->system_id) || !expect(&c, "SDC") || !expect(&c, "ID") ||
        !id_word(&c, m->sdc_id))
        goto bad;
    /* What follows is optional on older SDCs; taken when it is well formed. */
    if (expect(&c, "INSTALLATION") && (!expect(&c, "ID") || !id_word(&c, m->install_id)))
        goto bad;
    if (!expect(&c, "IPs"))
        return SP_OK;
    while ((r = word(&c, w, sizeof(w))) == 1)
        if (m->n_ips < PFX_SDC_MDM_IPS_MAX && ip_word(w, m->ips[m->n_ips], sizeof(m->ips[0])))
            m->n_ips++;
    return SP_OK;
bad:
    pfx_printable(line, (size_t)(end - line), q, sizeof(q));
    return pfx_error(err, SP_E_PROTOCOL, "drv_cfg --query_mdms: malformed line \"%s\"", q);
}

sp_status pfx_sdc_parse_query_mdms(const char *text, pfx_sdc_mdm **mdms, size_t *n, sp_error *err)
{
    const char *line = text;
    pfx_sdc_mdm *out = NULL;
    size_t want = 0, got = 0;
    int header = 0;
    sp_status s = SP_OK;

    *mdms = NULL;
    *n = 0;
    while (*line != '\0') {
        const char *end = strchr(line, '\n');
        const char *next = end != NULL ? end + 1 : line + strlen(line);
        cursor c;
        char w[32];

        if (end == NULL)
            end = line + strlen(line);
        c = (cursor){line, end};
        if (word(&c, w, sizeof(w)) != 1) {
            line = next; /* blank */
            continue;
        }
        if (!header) {
            char num[16], unit[16];
            char *e;
            unsigned long v;
            if (strcmp(w, "Retrieved") != 0 || word(&c, num, sizeof(num)) != 1 ||
                word(&c, unit, sizeof(unit)) != 1 || strcmp(unit, "mdm(s)") != 0 || num[0] == '-')
                goto bad_header;
            v = strtoul(num, &e, 10);
            if (*e != '\0' || v > MAX_MDMS)
                goto bad_header;
            want = v;
            header = 1;
            if (want > 0 && (out = calloc(want, sizeof(*out))) == NULL)
                return pfx_error(err, SP_E_NOMEM, "out of memory reading drv_cfg --query_mdms");
        } else if (strcmp(w, "MDM-ID") == 0) {
            if (got == want) {
                s = pfx_error(err, SP_E_PROTOCOL,
                              "drv_cfg --query_mdms lists more than the %zu mdm(s) it announced", want);
                goto fail;
            }
            if ((s = parse_mdm(line, end, &out[got], err)) != SP_OK)
                goto fail;
            got++;
        }
        line = next;
    }
    if (!header) {
        s = pfx_error(err, SP_E_PROTOCOL, "drv_cfg --query_mdms printed no \"Retrieved N mdm(s)\" line");
        goto fail;
    }
    if (got != want) {
        s = pfx_error(err, SP_E_PROTOCOL, "drv_cfg --query_mdms announced %zu mdm(s) and listed %zu", want,
                      got);
        goto fail;
    }
    *mdms = out;
    *n = got;
    return SP_OK;
bad_header : {
    char q[120];
    const char *end = strchr(line, '\n');
    pfx_printable(line, end != NULL ? (size_t)(end - line) : strlen(line), q, sizeof(q));
    s = pfx_error(err, SP_E_PROTOCOL, "drv_cfg --query_mdms: unexpected header \"%s\"", q);
}
fail:
    free(out);
    return s;
}

sp_status pfx_sdc_query_mdms(const char *sdc_home, pfx_sdc_mdm **mdms, size_t *n, sp_error *err)
{
    pfx_proc_result res;
    sp_status s;

    *mdms = NULL;
    *n = 0;
    s = pfx_sdc_drv_cfg(sdc_home, "--query_mdms", 0, &res, err);
    if (s == SP_OK && res.out_truncated)
        s = pfx_error(err, SP_E_PROTOCOL, "drv_cfg --query_mdms printed more than %zu bytes",
                      (size_t)PFX_PROC_STDOUT_MAX_DEFAULT);
    if (s == SP_OK)
        s = pfx_sdc_parse_query_mdms(res.out != NULL ? res.out : "", mdms, n, err);
    pfx_proc_result_free(&res);
    return s;
}

sp_status pfx_sdc_id_for_system(const char *sdc_home, const char *system_id, char *buf, size_t buf_len,
                                sp_error *err)
{
    pfx_sdc_mdm *mdms = NULL;
    size_t n = 0;
    sp_status s = pfx_sdc_query_mdms(sdc_home, &mdms, &n, err);

    if (s != SP_OK)
        return s;
    s = pfx_error(err, SP_E_NOT_FOUND, "drv_cfg --query_mdms does not list system %s with an SDC id",
                  system_id);
    for (size_t i = 0; i < n; i++) {
        /* All zeros: the MDM is configured, but the SDC is not registered with it. */
        if (strcasecmp(mdms[i].system_id, system_id) != 0 ||
            strspn(mdms[i].sdc_id, "0") == strlen(mdms[i].sdc_id))
            continue;
        if (snprintf(buf, buf_len, "%s", mdms[i].sdc_id) >= (int)buf_len) {
            s = pfx_error(err, SP_E_INVALID, "SDC id %s does not fit in %zu bytes", mdms[i].sdc_id, buf_len);
            break;
        }
        pfx_error_clear(err);
        s = SP_OK;
        break;
    }
    free(mdms);
    return s;
}
