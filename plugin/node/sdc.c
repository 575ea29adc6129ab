/* sdc.c - the SDC on this host: drv_cfg calls, parsing its output, device paths and waiting for
 * mapped volumes to come and go. Everything here reads local programs and files only. */
#include "config.h"

#include "sdc.h"

#include "error.h"
#include "hostsvc.h"
#include "proc.h"
#include "settings.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DRV_CFG_TIMEOUT_MS 30000
#define MAX_VOLS 1000000 /* more than any SDC maps; guards the allocation a header asks for */
#define DEV_PREFIX "emc-vol-"

int pfx_sdc_id_ok(const char *s)
{
    size_t i;

    if (s == NULL)
        return 0;
    for (i = 0; s[i] != '\0'; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return 0;
    }
    return i >= 1 && i <= PFX_SDC_ID_MAX;
}

sp_status pfx_sdc_drv_cfg_path(const char *sdc_home, char *buf, size_t buf_len, sp_error *err)
{
    int n;

    if (sdc_home == NULL || sdc_home[0] == '\0')
        sdc_home = PFX_SDC_HOME_DEFAULT;
    if (sdc_home[0] != '/')
        return pfx_error(err, SP_E_INVALID, "SDC home %s (%s) is not an absolute path", sdc_home,
                         PFX_SETTING_SDC_HOME);
    n = snprintf(buf, buf_len, "%s/bin/drv_cfg", sdc_home);
    if (n < 0 || (size_t)n >= buf_len)
        return pfx_error(err, SP_E_INVALID, "SDC home %s (%s) is too long", sdc_home, PFX_SETTING_SDC_HOME);
    return SP_OK;
}

sp_status pfx_sdc_drv_cfg(const char *sdc_home, const char *arg, unsigned timeout_ms, pfx_proc_result *res,
                          sp_error *err)
{
    char prog[SP_PATH_MAX];
    const char *argv[] = {prog, arg, NULL};
    pfx_proc_opts o = {.timeout_ms = timeout_ms != 0 ? timeout_ms : DRV_CFG_TIMEOUT_MS};
    sp_status s;

    memset(res, 0, sizeof(*res));
    s = pfx_sdc_drv_cfg_path(sdc_home, prog, sizeof(prog), err);
    if (s != SP_OK)
        return s;
    return pfx_proc_run_ok(argv, &o, res, err);
}

sp_status pfx_sdc_rescan(const char *sdc_home, unsigned timeout_ms, sp_error *err)
{
    pfx_proc_result res;
    sp_status s = pfx_sdc_drv_cfg(sdc_home, "--rescan", timeout_ms, &res, err);

    pfx_proc_result_free(&res);
    return s;
}

/* --- drv_cfg --query_vols ---------------------------------------------------------------- */

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

/* Copies a hex id token into dst (PFX_SDC_ID_MAX + 1 bytes); 0 when it is not one. */
static int take_id(const char *tok, size_t len, char *dst)
{
    if (len == 0 || len > PFX_SDC_ID_MAX)
        return 0;
    memcpy(dst, tok, len);
    dst[len] = '\0';
    return pfx_sdc_id_ok(dst);
}

static sp_status parse_header(const char *line, const char *end, size_t *count, sp_error *err)
{
    const char *p = line, *t[3];
    size_t l[3], i;
    unsigned long long v = 0;
    char q[96];

    for (i = 0; i < 3; i++)
        if (!token(&p, end, &t[i], &l[i]))
            goto bad;
    if (token(&p, end, &t[0], &l[0]) || !tok_is(t[2], l[2], "volume(s)") || l[1] == 0 || l[1] > 9)
        goto bad;
    for (i = 0; i < l[1]; i++) {
        if (t[1][i] < '0' || t[1][i] > '9')
            goto bad;
        v = v * 10 + (unsigned)(t[1][i] - '0');
    }
    if (v > MAX_VOLS)
        goto bad;
    *count = (size_t)v;
    return SP_OK;
bad:
    pfx_printable(line, (size_t)(end - line), q, sizeof(q));
    return pfx_error(err, SP_E_PROTOCOL, "drv_cfg --query_vols: unexpected header \"%s\"", q);
}

static sp_status parse_vol(const char *line, const char *end, pfx_sdc_vol *v, sp_error *err)
{
    const char *p = line, *t[4];
    size_t l[4], i;
    char q[96];

    for (i = 0; i < 4; i++)
        if (!token(&p, end, &t[i], &l[i]))
            goto bad;
    if (token(&p, end, &t[0], &l[0]) || !tok_is(t[0], l[0], "VOL-ID") || !tok_is(t[2], l[2], "MDM-ID") ||
        !take_id(t[1], l[1], v->volume_id) || !take_id(t[3], l[3], v->system_id))
        goto bad;
    return SP_OK;
bad:
    pfx_printable(line, (size_t)(end - line), q, sizeof(q));
    return pfx_error(err, SP_E_PROTOCOL, "drv_cfg --query_vols: malformed volume line \"%s\"", q);
}

sp_status pfx_sdc_parse_query_vols(const char *text, pfx_sdc_vol **vols, size_t *n, sp_error *err)
{
    const char *line = text;
    pfx_sdc_vol *out = NULL;
    size_t count = 0, got = 0;
    int have_header = 0;
    sp_status s = SP_OK;

    *vols = NULL;
    *n = 0;
    while (line != NULL && *line != '\0') {
        const char *nl = strchr(line, '\n');
        const char *end = nl != NULL ? nl : line + strlen(line), *p = line, *tok;
        size_t len;

        while (end > line && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (!token(&p, end, &tok, &len)) {
            /* blank line */
        } else if (tok_is(tok, len, "Retrieved")) {
            if (have_header) {
                s = pfx_error(err, SP_E_PROTOCOL, "drv_cfg --query_vols printed two \"Retrieved\" lines");
                goto out;
            }
            s = parse_header(line, end, &count, err);
            if (s != SP_OK)
                goto out;
            have_header = 1;
            out = calloc(count > 0 ? count : 1, sizeof(*out));
            if (out == NULL) {
                s = pfx_error(err, SP_E_NOMEM, "no memory for %zu mapped volumes", count);
                goto out;
            }
        } else if (tok_is(tok, len, "VOL-ID")) {
            if (!have_header) {
                s = pfx_error(err, SP_E_PROTOCOL,
                              "drv_cfg --query_vols: a volume line came before the "
                              "\"Retrieved N volume(s)\" line");
                goto out;
            }
            if (got == count) {
                s = pfx_error(err, SP_E_PROTOCOL,
                              "drv_cfg --query_vols announced %zu volume(s) but listed more", count);
                goto out;
            }
            s = parse_vol(line, end, &out[got], err);
            if (s != SP_OK)
                goto out;
            got++;
        } else {
            /* Other drv_cfg versions add notes; only the two line kinds above carry meaning. */
            char q[96];
            pfx_printable(line, (size_t)(end - line), q, sizeof(q));
            pfx_log(SP_LOG_DEBUG, "drv_cfg --query_vols: skipped line \"%s\"", q);
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
    if (!have_header) {
        s = pfx_error(err, SP_E_PROTOCOL, "drv_cfg --query_vols printed no \"Retrieved N volume(s)\" line");
        goto out;
    }
    if (got != count) {
        s = pfx_error(err, SP_E_PROTOCOL, "drv_cfg --query_vols announced %zu volume(s) but listed %zu",
                      count, got);
        goto out;
    }
    if (count > 0) {
        *vols = out;
        out = NULL;
    }
    *n = count;
out:
    free(out);
    return s;
}

sp_status pfx_sdc_query_vols(const char *sdc_home, pfx_sdc_vol **vols, size_t *n, sp_error *err)
{
    pfx_proc_result res;
    sp_status s;

    *vols = NULL;
    *n = 0;
    s = pfx_sdc_drv_cfg(sdc_home, "--query_vols", 0, &res, err);
    if (s == SP_OK && res.out_truncated)
        s = pfx_error(err, SP_E_PROTOCOL, "drv_cfg --query_vols printed more than %zu bytes",
                      (size_t)PFX_PROC_STDOUT_MAX_DEFAULT);
    if (s == SP_OK)
        s = pfx_sdc_parse_query_vols(res.out != NULL ? res.out : "", vols, n, err);
    pfx_proc_result_free(&res);
    return s;
}

sp_status pfx_sdc_query_guid(const char *sdc_home, char *buf, size_t buf_len, sp_error *err)
{
    pfx_proc_result res;
    const char *b, *e;
    char q[96];
    sp_status s = pfx_sdc_drv_cfg(sdc_home, "--query_guid", 0, &res, err);

    if (s != SP_OK)
        goto out;
    b = res.out != NULL ? res.out : "";
    while (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')
        b++;
    e = b;
    while ((*e >= '0' && *e <= '9') || (*e >= 'a' && *e <= 'f') || (*e >= 'A' && *e <= 'F') || *e == '-')
        e++;
    if (e == b || (*e != '\0' && *e != '\n' && *e != '\r' && *e != ' ')) {
        pfx_printable(b, strcspn(b, "\n"), q, sizeof(q));
        s = pfx_error(err, SP_E_PROTOCOL, "drv_cfg --query_guid printed \"%s\", not a GUID", q);
        goto out;
    }
    if ((size_t)(e - b) >= buf_len) {
        s = pfx_error(err, SP_E_INVALID, "the SDC GUID does not fit in %zu bytes", buf_len);
        goto out;
    }
    memcpy(buf, b, (size_t)(e - b));
    buf[e - b] = '\0';
out:
    pfx_proc_result_free(&res);
    return s;
}

/* --- devices ----------------------------------------------------------------------------- */

static const char *dev_dir(const char *device_dir)
{
    return (device_dir == NULL || device_dir[0] == '\0') ? PFX_SDC_DEVICE_DIR_DEFAULT : device_dir;
}

sp_status pfx_sdc_device_path(const char *device_dir, const char *system_id, const char *volume_id, char *buf,
                              size_t buf_len, sp_error *err)
{
    char q[48];
    int n;

    device_dir = dev_dir(device_dir);
    if (device_dir[0] != '/')
        return pfx_error(err, SP_E_INVALID, "device directory %s is not an absolute path", device_dir);
    if (!pfx_sdc_id_ok(volume_id)) {
        pfx_printable(volume_id != NULL ? volume_id : "", volume_id != NULL ? strlen(volume_id) : 0, q,
                      sizeof(q));
        return pfx_error(err, SP_E_INVALID, "volume id \"%s\" is not a PowerFlex id (hex digits)", q);
    }
    if (!pfx_sdc_id_ok(system_id)) {
        pfx_printable(system_id != NULL ? system_id : "", system_id != NULL ? strlen(system_id) : 0, q,
                      sizeof(q));
        return pfx_error(err, SP_E_INVALID,
                         "system id \"%s\" of volume %s is not a PowerFlex id (hex digits)", q, volume_id);
    }
    n = snprintf(buf, buf_len, "%s/" DEV_PREFIX "%s-%s", device_dir, system_id, volume_id);
    if (n < 0 || (size_t)n >= buf_len)
        return pfx_error(err, SP_E_INVALID, "device path of volume %s does not fit in %zu bytes", volume_id,
                         buf_len);
    return SP_OK;
}

/* Whether name is "emc-vol-<hex system id>-<volume_id>" (not a -partN link, not another id's tail). */
static int matches(const char *name, const char *volume_id)
{
    size_t nl = strlen(name), vl = strlen(volume_id), pl = strlen(DEV_PREFIX), sl;
    char sys[PFX_SDC_ID_MAX + 1];

    if (nl < pl + 2 + vl || strncmp(name, DEV_PREFIX, pl) != 0 || strcmp(name + nl - vl, volume_id) != 0 ||
        name[nl - vl - 1] != '-')
        return 0;
    sl = nl - vl - 1 - pl;
    if (sl == 0 || sl > PFX_SDC_ID_MAX)
        return 0;
    memcpy(sys, name + pl, sl);
    sys[sl] = '\0';
    return pfx_sdc_id_ok(sys);
}

sp_status pfx_sdc_find_device(const char *device_dir, const char *volume_id, char *buf, size_t buf_len,
                              sp_error *err)
{
    DIR *d;
    struct dirent *de;
    char first[256] = "", second[256] = "";
    int found = 0, n;

    device_dir = dev_dir(device_dir);
    if (!pfx_sdc_id_ok(volume_id))
        return pfx_error(err, SP_E_INVALID, "volume id is not a PowerFlex id (hex digits)");
    d = opendir(device_dir);
    if (d == NULL) {
        if (errno == ENOENT)
            return pfx_error(err, SP_E_NOT_FOUND, "device directory %s does not exist", device_dir);
        return pfx_error(err, SP_E_IO, "cannot list %s: %s", device_dir, strerror(errno));
    }
    while ((de = readdir(d)) != NULL) {
        if (!matches(de->d_name, volume_id))
            continue;
        if (found == 0)
            snprintf(first, sizeof(first), "%s", de->d_name);
        else if (found == 1)
            snprintf(second, sizeof(second), "%s", de->d_name);
        found++;
    }
    closedir(d);
    if (found == 0)
        return pfx_error(err, SP_E_NOT_FOUND, "no %s" DEV_PREFIX "*-%s device", device_dir, volume_id);
    if (found > 1)
        return pfx_error(err, SP_E_STATE,
                         "%d devices in %s belong to volume %s (%s, %s%s): the system id is needed to choose",
                         found, device_dir, volume_id, first, second, found > 2 ? ", ..." : "");
    n = snprintf(buf, buf_len, "%s/%s", device_dir, first);
    if (n < 0 || (size_t)n >= buf_len)
        return pfx_error(err, SP_E_INVALID, "device path of volume %s does not fit in %zu bytes", volume_id,
                         buf_len);
    return SP_OK;
}

sp_status pfx_device_size(const char *path, uint64_t *size, sp_error *err)
{
    struct stat sb;
    uint64_t bytes = 0;
    int fd;

    if (stat(path, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return pfx_error(err, SP_E_NOT_FOUND, "%s does not exist", path);
        return pfx_error(err, SP_E_IO, "cannot stat %s: %s", path, strerror(errno));
    }
    if (S_ISREG(sb.st_mode)) {
        *size = (uint64_t)sb.st_size;
        return SP_OK;
    }
    if (!S_ISBLK(sb.st_mode))
        return pfx_error(err, SP_E_INVALID, "%s is neither a block device nor a regular file", path);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pfx_error(err, errno == ENOENT || errno == ENXIO ? SP_E_NOT_FOUND : SP_E_IO,
                         "cannot open %s: %s", path, strerror(errno));
    if (ioctl(fd, BLKGETSIZE64, &bytes) != 0) {
        int e = errno;
        close(fd);
        return pfx_error(err, SP_E_IO, "cannot read the size of %s: %s", path, strerror(e));
    }
    close(fd);
    *size = bytes;
    return SP_OK;
}

/* --- waiting ----------------------------------------------------------------------------- */

typedef struct waiter {
    const pfx_sdc_wait *w;
    char system_id[PFX_SDC_ID_MAX + 1]; /* "" until known */
    char path[SP_PATH_MAX];             /* the device, once known */
    char who[160];                      /* the SDC, for messages */
    int rescans;
    char rescan_problem[320]; /* why the last rescan failed, "" when it worked */
    int zero_size;            /* the device was seen, with size 0 */
} waiter;

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void describe_sdc(const pfx_sdc_wait *w, char *buf, size_t len)
{
    char id[48] = "", host[96] = "";

    if (w->sdc_id != NULL && w->sdc_id[0] != '\0')
        pfx_printable(w->sdc_id, strlen(w->sdc_id), id, sizeof(id));
    if (w->host_name != NULL && w->host_name[0] != '\0')
        pfx_printable(w->host_name, strlen(w->host_name), host, sizeof(host));
    if (id[0] != '\0' && host[0] != '\0')
        snprintf(buf, len, "SDC %s on host %s", id, host);
    else if (id[0] != '\0')
        snprintf(buf, len, "SDC %s", id);
    else if (host[0] != '\0')
        snprintf(buf, len, "the SDC on host %s", host);
    else
        snprintf(buf, len, "this host's SDC");
}

static sp_status waiter_init(waiter *wt, const pfx_sdc_wait *w, sp_error *err)
{
    memset(wt, 0, sizeof(*wt));
    wt->w = w;
    describe_sdc(w, wt->who, sizeof(wt->who));
    if (!pfx_sdc_id_ok(w->volume_id))
        return pfx_error(err, SP_E_INVALID, "volume id is not a PowerFlex id (hex digits)");
    if (w->system_id != NULL && w->system_id[0] != '\0') {
        if (!pfx_sdc_id_ok(w->system_id))
            return pfx_error(err, SP_E_INVALID, "system id of volume %s is not a PowerFlex id (hex digits)",
                             w->volume_id);
        snprintf(wt->system_id, sizeof(wt->system_id), "%s", w->system_id);
        return pfx_sdc_device_path(w->device_dir, wt->system_id, w->volume_id, wt->path, sizeof(wt->path),
                                   err);
    }
    if (dev_dir(w->device_dir)[0] != '/')
        return pfx_error(err, SP_E_INVALID, "device directory %s is not an absolute path",
                         dev_dir(w->device_dir));
    return SP_OK;
}

static void rescan(waiter *wt, int64_t deadline)
{
    int64_t left = deadline - pfx_now_ms();
    unsigned timeout = left < 1000 ? 1000u : left > DRV_CFG_TIMEOUT_MS ? DRV_CFG_TIMEOUT_MS : (unsigned)left;
    sp_status st;
    sp_error e;

    wt->rescans++;
    st = pfx_sdc_rescan(wt->w->sdc_home, timeout, &e);
    if (st == SP_OK) {
        wt->rescan_problem[0] = '\0';
    } else if (!(st == SP_E_TIMEOUT && timeout < DRV_CFG_TIMEOUT_MS)) {
        /* (A rescan cut short by the wait's own end, on a slow host, says nothing of drv_cfg.) */
        size_t n = strlen(e.message) < sizeof(wt->rescan_problem) ? strlen(e.message)
                                                                  : sizeof(wt->rescan_problem) - 1;
        /* Logged once per distinct reason, not every few seconds. */
        if (strncmp(wt->rescan_problem, e.message, n) != 0 || wt->rescan_problem[n] != '\0')
            pfx_log(SP_LOG_WARN, "rescan of %s while waiting for volume %s: %s", wt->who, wt->w->volume_id,
                    e.message);
        memcpy(wt->rescan_problem, e.message, n);
        wt->rescan_problem[n] = '\0';
    }
    if (wt->system_id[0] == '\0') {
        /* CloudStack's order: the SDC's own list first, a look at the device names after. */
        pfx_sdc_vol *vols = NULL;
        size_t n = 0;
        if (pfx_sdc_query_vols(wt->w->sdc_home, &vols, &n, &e) == SP_OK) {
            for (size_t i = 0; i < n; i++) {
                if (strcmp(vols[i].volume_id, wt->w->volume_id) == 0) {
                    memcpy(wt->system_id, vols[i].system_id, sizeof(wt->system_id));
                    pfx_sdc_device_path(wt->w->device_dir, wt->system_id, wt->w->volume_id, wt->path,
                                        sizeof(wt->path), NULL);
                    break;
                }
            }
        }
        free(vols);
    }
}

/* Looks for the device once. *present: it exists (and, when want_size, has a size above 0). */
static sp_status look(waiter *wt, int want_size, int *present, uint64_t *size, sp_error *err)
{
    sp_error e;
    sp_status s;

    *present = 0;
    if (wt->system_id[0] == '\0') {
        s = pfx_sdc_find_device(wt->w->device_dir, wt->w->volume_id, wt->path, sizeof(wt->path), &e);
        if (s == SP_E_NOT_FOUND) {
            wt->path[0] = '\0';
            return SP_OK;
        }
        if (s == SP_E_STATE && !want_size) {
            *present = 1;
            return SP_OK;
        }
        if (s != SP_OK) {
            if (err != NULL)
                *err = e;
            return s;
        }
    }
    s = pfx_device_size(wt->path, size, &e);
    if (s == SP_E_NOT_FOUND)
        return SP_OK;
    if (s != SP_OK) {
        if (err != NULL)
            *err = e;
        return s;
    }
    if (want_size && *size == 0) {
        wt->zero_size = 1;
        return SP_OK;
    }
    *present = 1;
    return SP_OK;
}

static void where(const waiter *wt, char *buf, size_t len)
{
    if (wt->system_id[0] != '\0')
        snprintf(buf, len, "%s", wt->path);
    else
        snprintf(buf, len, "%s/" DEV_PREFIX "*-%s", dev_dir(wt->w->device_dir), wt->w->volume_id);
}

static sp_status wait_for(const pfx_sdc_wait *w, int want_present, char *path_out, size_t path_len,
                          uint64_t *size_out, sp_error *err)
{
    waiter wt;
    int64_t start, deadline, next_rescan;
    unsigned poll_ms = w->poll_ms != 0 ? w->poll_ms : PFX_SDC_POLL_MS_DEFAULT;
    unsigned rescan_ms = w->rescan_ms != 0 ? w->rescan_ms : PFX_SDC_RESCAN_MS_DEFAULT;
    char place[SP_PATH_MAX + 32], extra[400] = "";
    uint64_t size = 0;
    sp_status s;

    s = waiter_init(&wt, w, err);
    if (s != SP_OK)
        return s;
    start = pfx_now_ms();
    deadline = start + (int64_t)w->wait_s * 1000;
    rescan(&wt, deadline);
    next_rescan = pfx_now_ms() + rescan_ms;
    for (;;) {
        int present;
        int64_t now;

        s = look(&wt, want_present, &present, &size, err);
        if (s != SP_OK)
            return pfx_error_prefix(err, "waiting for volume %s on %s", w->volume_id, wt.who);
        if (present == want_present)
            break;
        now = pfx_now_ms();
        if (now >= deadline)
            goto timeout;
        if (now >= next_rescan) {
            rescan(&wt, deadline);
            next_rescan = pfx_now_ms() + rescan_ms;
        }
        now = pfx_now_ms();
        sleep_ms(deadline - now < poll_ms ? deadline - now : poll_ms);
    }
    if (want_present) {
        if (path_out != NULL) {
            int n = snprintf(path_out, path_len, "%s", wt.path);
            if (n < 0 || (size_t)n >= path_len)
                return pfx_error(err, SP_E_INVALID, "device path %s does not fit in %zu bytes", wt.path,
                                 path_len);
        }
        if (size_out != NULL)
            *size_out = size;
        pfx_log(SP_LOG_DEBUG, "volume %s is %s (%llu bytes) after %lld ms", w->volume_id, wt.path,
                (unsigned long long)size, (long long)(pfx_now_ms() - start));
    }
    return SP_OK;

timeout:
    where(&wt, place, sizeof(place));
    if (wt.rescan_problem[0] != '\0')
        snprintf(extra, sizeof(extra), "; the last rescan failed: %s", wt.rescan_problem);
    if (!want_present)
        return pfx_error(err, SP_E_TIMEOUT,
                         "volume %s is still present on %s as %s after %u s (%d rescans)%s", w->volume_id,
                         wt.who, place, w->wait_s, wt.rescans, extra);
    if (wt.zero_size)
        return pfx_error(err, SP_E_TIMEOUT,
                         "volume %s appeared on %s as %s but its size stayed 0 for %u s "
                         "(%s; %d rescans)%s",
                         w->volume_id, wt.who, place, w->wait_s, PFX_SETTING_DISK_WAIT, wt.rescans, extra);
    return pfx_error(err, SP_E_TIMEOUT, "volume %s did not appear on %s as %s within %u s (%s; %d rescans)%s",
                     w->volume_id, wt.who, place, w->wait_s, PFX_SETTING_DISK_WAIT, wt.rescans, extra);
}

sp_status pfx_sdc_wait_device(const pfx_sdc_wait *w, char *path_out, size_t path_len, uint64_t *size,
                              sp_error *err)
{
    return wait_for(w, 1, path_out, path_len, size, err);
}

sp_status pfx_sdc_wait_device_gone(const pfx_sdc_wait *w, sp_error *err)
{
    return wait_for(w, 0, NULL, 0, NULL, err);
}
