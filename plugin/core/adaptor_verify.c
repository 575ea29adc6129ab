/* adaptor_verify.c - comparing a copy with its source: devices read in full by blockcopy, regular
 * files compared wherever either of them has data (see adaptor_verify.h for why that is complete). */
#include "config.h"

#include "adaptor_verify.h"

#include "blockcopy.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK ((size_t)1 << 20)
#define REPORT_EVERY ((uint64_t)64 << 20)

typedef struct vfile {
    const char *path;
    int fd;
} vfile;

/* The next offset at or after pos where f has data, or `end` when there is none before it. A file
 * system that cannot tell says "data" (the caller then reads). */
static uint64_t next_data(const vfile *f, uint64_t pos, uint64_t end)
{
    off_t o = lseek(f->fd, (off_t)pos, SEEK_DATA);

    if (o < 0)
        return errno == ENXIO ? end : pos;
    return (uint64_t)o < end ? (uint64_t)o : end;
}

/* The end of the data run of f that starts at pos. */
static uint64_t next_hole(const vfile *f, uint64_t pos, uint64_t end)
{
    off_t o = lseek(f->fd, (off_t)pos, SEEK_HOLE);

    if (o < 0 || (uint64_t)o > end)
        return end;
    return (uint64_t)o > pos ? (uint64_t)o : end;
}

static sp_status read_at(const vfile *f, unsigned char *buf, size_t len, uint64_t off, sp_error *err)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = pread(f->fd, buf + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return pfx_error(err, SP_E_IO, "verification: reading %s at byte %llu: %s", f->path,
                             (unsigned long long)(off + got), strerror(errno));
        if (n == 0)
            return pfx_error(err, SP_E_IO, "verification: %s ends at byte %llu", f->path,
                             (unsigned long long)(off + got));
        got += (size_t)n;
    }
    return SP_OK;
}

static int report(const sp_progress *p, uint64_t done, uint64_t total, uint64_t *last)
{
    if (p == NULL || p->report == NULL || (done < total && done - *last < REPORT_EVERY))
        return 0;
    *last = done;
    return p->report(p->ctx, "verify", done, total) != 0;
}

static sp_status compare_range(const vfile *a, const vfile *b, uint64_t start, uint64_t end,
                               unsigned char *ba, unsigned char *bb, sp_error *err)
{
    sp_status st;

    for (uint64_t off = start; off < end;) {
        size_t len = end - off < CHUNK ? (size_t)(end - off) : CHUNK;
        if ((st = read_at(a, ba, len, off, err)) != SP_OK || (st = read_at(b, bb, len, off, err)) != SP_OK)
            return st;
        if (memcmp(ba, bb, len) != 0) {
            size_t i = 0;
            while (ba[i] == bb[i])
                i++;
            return pfx_error(err, SP_E_IO, "verification failed: %s differs from %s at byte %llu", b->path,
                             a->path, (unsigned long long)(off + i));
        }
        off += len;
    }
    return SP_OK;
}

static sp_status verify_files(const char *src, const char *dst, uint64_t length, const sp_progress *progress,
                              sp_error *err)
{
    vfile a = {src, -1}, b = {dst, -1};
    unsigned char *ba = NULL, *bb = NULL;
    uint64_t pos = 0, last = 0;
    struct stat sa, sb;
    sp_status st = SP_OK;

    a.fd = open(src, O_RDONLY | O_CLOEXEC);
    b.fd = open(dst, O_RDONLY | O_CLOEXEC);
    if (a.fd < 0 || b.fd < 0) {
        st = pfx_error(err, SP_E_IO, "verification: cannot open %s: %s", a.fd < 0 ? src : dst,
                       strerror(errno));
        goto out;
    }
    if (fstat(a.fd, &sa) != 0 || fstat(b.fd, &sb) != 0) {
        st = pfx_error(err, SP_E_IO, "verification: cannot stat %s or %s: %s", src, dst, strerror(errno));
        goto out;
    }
    if ((uint64_t)sa.st_size < length || (uint64_t)sb.st_size < length) {
        st = pfx_error(err, SP_E_IO, "verification needs %llu bytes but %s has %llu",
                       (unsigned long long)length, (uint64_t)sa.st_size < length ? src : dst,
                       (unsigned long long)((uint64_t)sa.st_size < length ? sa.st_size : sb.st_size));
        goto out;
    }
    ba = malloc(CHUNK);
    bb = malloc(CHUNK);
    if (ba == NULL || bb == NULL) {
        st = pfx_error(err, SP_E_NOMEM, "no memory to verify %s", dst);
        goto out;
    }
    while (pos < length) {
        uint64_t da = next_data(&a, pos, length), db = next_data(&b, pos, length);
        uint64_t start = da < db ? da : db, ea, eb, end;

        /* [pos, start) is a hole in both files: zeros on both sides. */
        if (start >= length)
            break;
        /* From start each side stays what it is (data or hole) until ea / eb. */
        ea = da == start ? next_hole(&a, start, length) : da;
        eb = db == start ? next_hole(&b, start, length) : db;
        end = ea < eb ? ea : eb;
        if ((st = compare_range(&a, &b, start, end, ba, bb, err)) != SP_OK)
            goto out;
        pos = end;
        if (report(progress, pos, length, &last)) {
            st = pfx_error(err, SP_E_CANCELLED, "verification of %s cancelled at byte %llu", dst,
                           (unsigned long long)pos);
            goto out;
        }
    }
    if (report(progress, length, length, &last))
        st = pfx_error(err, SP_E_CANCELLED, "verification of %s cancelled at its end", dst);
out:
    free(ba);
    free(bb);
    if (a.fd >= 0)
        close(a.fd);
    if (b.fd >= 0)
        close(b.fd);
    return st;
}

sp_status pfx_ad_verify(const char *src, const char *dst, uint64_t length, const sp_progress *progress,
                        sp_error *err)
{
    struct stat sa, sb;

    if (stat(src, &sa) == 0 && stat(dst, &sb) == 0 && S_ISREG(sa.st_mode) && S_ISREG(sb.st_mode))
        return verify_files(src, dst, length, progress, err);
    return pfx_blockcopy_verify(src, dst, length, progress, err);
}
