/* copyjournal.c - records of copies in flight, written durably (temp, fsync, rename, fsync of the
 * directory) and read back distrustfully (format, version, checksum). */
#include "config.h"

#include "copyjournal.h"

#include "checksum.h"
#include "error.h"
#include "hostsvc.h"
#include "settings.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "pfx-copy-journal "
#define JOURNAL_VERSION "1"
#define SUFFIX ".copy"
#define FILE_MAX 65536 /* a record is under 2 KiB; anything far larger is not one */

static const char *const phase_names[] = {
    [PFX_COPY_CREATED_TARGET] = "created-target",
    [PFX_COPY_COPYING] = "copying",
    [PFX_COPY_VERIFIED] = "verified",
    [PFX_COPY_DONE] = "done",
};

const char *pfx_copy_phase_name(pfx_copy_phase phase)
{
    return phase >= PFX_COPY_CREATED_TARGET && phase <= PFX_COPY_DONE ? phase_names[phase] : "unknown";
}

int pfx_copy_phase_parse(const char *name, pfx_copy_phase *phase)
{
    for (int p = PFX_COPY_CREATED_TARGET; p <= PFX_COPY_DONE; p++) {
        if (strcmp(name, phase_names[p]) == 0) {
            *phase = (pfx_copy_phase)p;
            return 1;
        }
    }
    return 0;
}

int pfx_copy_phase_rolls_back(pfx_copy_phase phase)
{
    return phase < PFX_COPY_VERIFIED;
}

int pfx_copyjournal_key_ok(const char *key)
{
    size_t n = key != NULL ? strlen(key) : 0;

    if (n == 0 || n > PFX_COPY_KEY_MAX || key[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

/* --- durable files ----------------------------------------------------------------------- */

sp_status pfx_sync_path(const char *path, sp_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return pfx_error(err, SP_E_IO, "cannot open %s to sync it: %s", path, strerror(errno));
    rc = fsync(fd);
    close(fd);
    if (rc != 0)
        return pfx_error(err, SP_E_IO, "cannot sync %s: %s", path, strerror(errno));
    return SP_OK;
}

sp_status pfx_make_private_dirs(const char *path, int durable, sp_error *err)
{
    char buf[SP_PATH_MAX * 2];
    struct stat sb;
    size_t n = strlen(path);

    if (path[0] != '/')
        return pfx_error(err, SP_E_INVALID, "%s is not an absolute path", path);
    if (n >= sizeof(buf))
        return pfx_error(err, SP_E_INVALID, "path %s is too long", path);
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1;; p++) {
        char c = *p;
        if (c != '/' && c != '\0')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) == 0) {
            if (!durable)
                goto next;
            /* The new entry is durable only once its parent is synced. */
            char *slash = strrchr(buf, '/');
            sp_status s;
            *slash = '\0';
            s = pfx_sync_path(slash == buf ? "/" : buf, err);
            *slash = '/';
            if (s != SP_OK)
                return s;
        } else if (errno != EEXIST || stat(buf, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            return pfx_error(err, errno == EEXIST || errno == ENOTDIR ? SP_E_INVALID : SP_E_IO,
                             "cannot create directory %s: %s", buf,
                             errno == EEXIST ? "a file of that name exists" : strerror(errno));
        }
    next:
        *p = c;
        if (c == '\0')
            return SP_OK;
    }
}

/* --- paths ------------------------------------------------------------------------------- */

static sp_status journal_dir(const char *cache_dir, char *buf, size_t len, sp_error *err)
{
    int n;

    if (cache_dir == NULL || cache_dir[0] != '/')
        return pfx_error(err, SP_E_INVALID, "%s \"%s\" is not an absolute path", PFX_SETTING_HOST_CACHE,
                         cache_dir != NULL ? cache_dir : "");
    n = snprintf(buf, len, "%s/" PFX_COPYJOURNAL_DIR, cache_dir);
    if (n < 0 || (size_t)n >= len)
        return pfx_error(err, SP_E_INVALID, "%s %s is too long", PFX_SETTING_HOST_CACHE, cache_dir);
    return SP_OK;
}

static sp_status record_paths(const char *cache_dir, const char *key, char *dir, char *file, char *tmp,
                              sp_error *err)
{
    sp_status s = journal_dir(cache_dir, dir, SP_PATH_MAX, err);

    if (s != SP_OK)
        return s;
    if (!pfx_copyjournal_key_ok(key))
        return pfx_error(err, SP_E_INVALID,
                         "copy record key is not made of [A-Za-z0-9_.-] (1 to %d, no leading '.')",
                         PFX_COPY_KEY_MAX);
    if (snprintf(file, SP_PATH_MAX, "%s/%s" SUFFIX, dir, key) >= SP_PATH_MAX ||
        snprintf(tmp, SP_PATH_MAX, "%s/.%s.tmp", dir, key) >= SP_PATH_MAX)
        return pfx_error(err, SP_E_INVALID, "copy record paths under %s are too long", dir);
    return SP_OK;
}

/* --- format ------------------------------------------------------------------------------ */

static int value_ok(const char *v, size_t max)
{
    size_t n = strlen(v);

    if (n == 0 || n >= max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return 0;
    return 1;
}

static sp_status format(const pfx_copy_record *rec, int64_t now, char *buf, size_t len, size_t *out_len,
                        sp_error *err)
{
    char sum[65];
    int n, m;

    n = snprintf(buf, len,
                 MAGIC JOURNAL_VERSION
                 "\nkey=%s\nphase=%s\nsource_pool=%s\nsource_volume=%s\ntarget_pool=%s\ntarget_volume=%s\n"
                 "updated=%" PRId64 "\n",
                 rec->key, pfx_copy_phase_name(rec->phase), rec->source_pool, rec->source_volume,
                 rec->target_pool, rec->target_volume, now);
    if (n >= 0 && rec->source_in_use && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, "source_in_use=1\n");
    if (n < 0 || (size_t)n + 72 >= len)
        return pfx_error(err, SP_E_INVALID, "copy record %s is too large", rec->key);
    pfx_sha256_hex(buf, (size_t)n, sum);
    m = snprintf(buf + n, len - (size_t)n, "sha256=%s\n", sum);
    *out_len = (size_t)n + (size_t)m;
    return SP_OK;
}

static sp_status damaged(const char *file, sp_error *err, const char *why)
{
    return pfx_error(err, SP_E_PROTOCOL, "copy record %s is damaged: %s", file, why);
}

/* Copies a value into a record field; 0 when it does not fit or is not a clean value. */
static int set_field(char *dst, size_t max, const char *v, size_t n)
{
    if (n == 0 || n >= max || memchr(v, '\0', n) != NULL)
        return 0;
    memcpy(dst, v, n);
    dst[n] = '\0';
    return value_ok(dst, max);
}

static sp_status parse(const char *file, const char *key, const char *text, size_t len, pfx_copy_record *rec,
                       sp_error *err)
{
    const char *sum_line, *p, *end;
    char want[65], got[65];
    unsigned seen = 0;
    size_t hdr = strlen(MAGIC JOURNAL_VERSION "\n");

    memset(rec, 0, sizeof(*rec));
    if (len == 0)
        return damaged(file, err, "it is empty (a write cut short?)");
    if (memchr(text, '\0', len) != NULL)
        return damaged(file, err, "it contains a NUL byte");
    if (text[len - 1] != '\n')
        return damaged(file, err, "it does not end with a line break (a write cut short?)");
    for (sum_line = text + len - 1; sum_line > text && sum_line[-1] != '\n'; sum_line--)
        ;
    if ((size_t)(text + len - sum_line) != 7 + 64 + 1 || strncmp(sum_line, "sha256=", 7) != 0)
        return damaged(file, err, "its last line is not its checksum (a write cut short?)");
    memcpy(want, sum_line + 7, 64);
    want[64] = '\0';
    pfx_sha256_hex(text, (size_t)(sum_line - text), got);
    if (strcmp(want, got) != 0)
        return damaged(file, err, "its checksum does not match its contents");
    if (len < hdr || strncmp(text, MAGIC, strlen(MAGIC)) != 0)
        return damaged(file, err, "it is not a copy record");
    if (strncmp(text, MAGIC JOURNAL_VERSION "\n", hdr) != 0)
        return pfx_error(err, SP_E_PROTOCOL, "copy record %s has a format version this plugin does not read",
                         file);

    for (p = text + hdr; p < sum_line; p = end + 1) {
        const char *eq;
        size_t kl, vl;
        int ok = 1, bit = -1;

        end = memchr(p, '\n', (size_t)(sum_line - p));
        eq = memchr(p, '=', (size_t)(end - p));
        if (eq == NULL)
            return damaged(file, err, "a line is not key=value");
        kl = (size_t)(eq - p);
        vl = (size_t)(end - eq - 1);
#define IS(k) (kl == strlen(k) && memcmp(p, k, kl) == 0)
        if (IS("key")) {
            bit = 0;
            ok = set_field(rec->key, sizeof(rec->key), eq + 1, vl) && strcmp(rec->key, key) == 0;
        } else if (IS("phase")) {
            char ph[32];
            bit = 1;
            ok = set_field(ph, sizeof(ph), eq + 1, vl) && pfx_copy_phase_parse(ph, &rec->phase);
        } else if (IS("source_pool")) {
            bit = 2;
            ok = set_field(rec->source_pool, sizeof(rec->source_pool), eq + 1, vl);
        } else if (IS("source_volume")) {
            bit = 3;
            ok = set_field(rec->source_volume, sizeof(rec->source_volume), eq + 1, vl);
        } else if (IS("target_pool")) {
            bit = 4;
            ok = set_field(rec->target_pool, sizeof(rec->target_pool), eq + 1, vl);
        } else if (IS("target_volume")) {
            bit = 5;
            ok = set_field(rec->target_volume, sizeof(rec->target_volume), eq + 1, vl);
        } else if (IS("source_in_use")) {
            bit = 7;
            ok = vl == 1 && (eq[1] == '0' || eq[1] == '1');
            rec->source_in_use = ok && eq[1] == '1';
        } else if (IS("updated")) {
            char num[24], *e;
            bit = 6;
            ok = set_field(num, sizeof(num), eq + 1, vl);
            if (ok) {
                errno = 0;
                rec->updated = (int64_t)strtoll(num, &e, 10);
                ok = errno == 0 && *e == '\0';
            }
        }
#undef IS
        /* Keys a later version adds are skipped: the checksum already vouches for the file. */
        if (bit < 0)
            continue;
        if (seen & (1u << bit))
            return damaged(file, err, "a field appears twice");
        seen |= 1u << bit;
        if (!ok) {
            char why[96];
            snprintf(why, sizeof(why), "field \"%.*s\" has a bad value", (int)(kl < 32 ? kl : 32), p);
            return damaged(file, err, why);
        }
    }
    if ((seen & 0x7f) != 0x7f)
        return damaged(file, err, "a required field is missing");
    return SP_OK;
}

/* --- operations -------------------------------------------------------------------------- */

sp_status pfx_write_all(int fd, const void *buf, size_t len, const char *path, sp_error *err)
{
    size_t done = 0;

    while (done < len) {
        ssize_t w = write(fd, (const char *)buf + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return pfx_error(err, w < 0 && errno != ENOSPC ? SP_E_IO : SP_E_NO_SPACE, "cannot write %s: %s",
                             path, w < 0 ? strerror(errno) : "nothing written");
        done += (size_t)w;
    }
    return SP_OK;
}

sp_status pfx_copyjournal_write(const char *cache_dir, const pfx_copy_record *rec, sp_error *err)
{
    char dir[SP_PATH_MAX], file[SP_PATH_MAX], tmp[SP_PATH_MAX], text[4096];
    size_t len = 0;
    int fd = -1;
    sp_status s;

    s = record_paths(cache_dir, rec->key, dir, file, tmp, err);
    if (s != SP_OK)
        return s;
    if (rec->phase < PFX_COPY_CREATED_TARGET || rec->phase > PFX_COPY_DONE)
        return pfx_error(err, SP_E_INVALID, "copy record %s: unknown phase %d", rec->key, (int)rec->phase);
    if (!value_ok(rec->source_pool, sizeof(rec->source_pool)) ||
        !value_ok(rec->source_volume, sizeof(rec->source_volume)) ||
        !value_ok(rec->target_pool, sizeof(rec->target_pool)) ||
        !value_ok(rec->target_volume, sizeof(rec->target_volume)))
        return pfx_error(err, SP_E_INVALID,
                         "copy record %s: pools and volumes must be given, without control characters",
                         rec->key);
    s = format(rec, (int64_t)time(NULL), text, sizeof(text), &len, err);
    if (s == SP_OK)
        s = pfx_make_private_dirs(dir, 1, err);
    if (s != SP_OK)
        return s;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return pfx_error(err, SP_E_IO, "cannot create %s: %s", tmp, strerror(errno));
    s = pfx_write_all(fd, text, len, tmp, err);
    if (s == SP_OK && fsync(fd) != 0)
        s = pfx_error(err, SP_E_IO, "cannot sync %s: %s", tmp, strerror(errno));
    if (close(fd) != 0 && s == SP_OK)
        s = pfx_error(err, SP_E_IO, "cannot write %s: %s", tmp, strerror(errno));
    if (s == SP_OK && rename(tmp, file) != 0)
        s = pfx_error(err, SP_E_IO, "cannot rename %s to %s: %s", tmp, file, strerror(errno));
    if (s != SP_OK) {
        unlink(tmp);
        return s;
    }
    return pfx_sync_path(dir, err);
}

sp_status pfx_copyjournal_read(const char *cache_dir, const char *key, pfx_copy_record *out, sp_error *err)
{
    char dir[SP_PATH_MAX], file[SP_PATH_MAX], tmp[SP_PATH_MAX], *text = NULL;
    struct stat sb;
    size_t len = 0;
    int fd;
    sp_status s;

    memset(out, 0, sizeof(*out));
    s = record_paths(cache_dir, key, dir, file, tmp, err);
    if (s != SP_OK)
        return s;
    fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return pfx_error(err, SP_E_NOT_FOUND, "no copy record %s", file);
        return pfx_error(err, SP_E_IO, "cannot open %s: %s", file, strerror(errno));
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        s = damaged(file, err, "it is not a regular file");
        goto out;
    }
    if (sb.st_size > FILE_MAX) {
        s = damaged(file, err, "it is far too large to be a copy record");
        goto out;
    }
    text = malloc((size_t)sb.st_size + 1);
    if (text == NULL) {
        s = pfx_error(err, SP_E_NOMEM, "no memory to read %s", file);
        goto out;
    }
    while (len < (size_t)sb.st_size) {
        ssize_t r = read(fd, text + len, (size_t)sb.st_size - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            s = pfx_error(err, SP_E_IO, "cannot read %s: %s", file, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    text[len] = '\0';
    s = parse(file, key, text, len, out, err);
out:
    free(text);
    close(fd);
    if (s != SP_OK)
        memset(out, 0, sizeof(*out));
    return s;
}

sp_status pfx_copyjournal_set_phase(const char *cache_dir, const char *key, pfx_copy_phase phase,
                                    sp_error *err)
{
    pfx_copy_record rec;
    sp_status s = pfx_copyjournal_read(cache_dir, key, &rec, err);

    if (s != SP_OK)
        return s;
    if (phase < rec.phase)
        return pfx_error(err, SP_E_STATE, "copy record %s is at %s and cannot go back to %s", key,
                         pfx_copy_phase_name(rec.phase), pfx_copy_phase_name(phase));
    if (phase == rec.phase)
        return SP_OK;
    rec.phase = phase;
    return pfx_copyjournal_write(cache_dir, &rec, err);
}

sp_status pfx_copyjournal_remove(const char *cache_dir, const char *key, sp_error *err)
{
    char dir[SP_PATH_MAX], file[SP_PATH_MAX], tmp[SP_PATH_MAX];
    sp_status s = record_paths(cache_dir, key, dir, file, tmp, err);

    if (s != SP_OK)
        return s;
    if (unlink(tmp) != 0 && errno != ENOENT)
        return pfx_error(err, SP_E_IO, "cannot delete %s: %s", tmp, strerror(errno));
    if (unlink(file) != 0) {
        if (errno == ENOENT)
            return SP_OK;
        return pfx_error(err, SP_E_IO, "cannot delete %s: %s", file, strerror(errno));
    }
    return pfx_sync_path(dir, err);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

sp_status pfx_copyjournal_list(const char *cache_dir, pfx_copyjournal_each each, void *ctx, sp_error *err)
{
    char dir[SP_PATH_MAX];
    char **names = NULL;
    size_t n = 0, cap = 0;
    DIR *d;
    struct dirent *de;
    sp_status s = journal_dir(cache_dir, dir, sizeof(dir), err);

    if (s != SP_OK)
        return s;
    d = opendir(dir);
    if (d == NULL) {
        if (errno == ENOENT)
            return SP_OK;
        return pfx_error(err, SP_E_IO, "cannot list %s: %s", dir, strerror(errno));
    }
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len <= strlen(SUFFIX) ||
            strcmp(de->d_name + len - strlen(SUFFIX), SUFFIX) != 0)
            continue; /* ".", "..", temporary files, strangers */
        if (n == cap) {
            char **grown = realloc(names, (cap = cap * 2 + 16) * sizeof(*names));
            if (grown == NULL) {
                s = pfx_error(err, SP_E_NOMEM, "no memory to list %s", dir);
                goto out;
            }
            names = grown;
        }
        names[n] = strndup(de->d_name, len - strlen(SUFFIX));
        if (names[n] == NULL) {
            s = pfx_error(err, SP_E_NOMEM, "no memory to list %s", dir);
            goto out;
        }
        n++;
    }
    if (n > 1) /* names is NULL when the directory holds no record: qsort must not see it */
        qsort(names, n, sizeof(*names), by_name);
    for (size_t i = 0; i < n; i++) {
        pfx_copy_record rec;
        sp_error problem;
        if (pfx_copyjournal_read(cache_dir, names[i], &rec, &problem) == SP_OK) {
            each(ctx, names[i], &rec, NULL);
        } else {
            pfx_log(SP_LOG_WARN, "%s", problem.message);
            each(ctx, names[i], NULL, &problem);
        }
    }
out:
    closedir(d);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return s;
}
