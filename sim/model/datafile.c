/* Sparse volume data files (see datafile.h). */
#include <config.h>
#include "datafile.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

int sim_data_create(const char *path, uint64_t size_bytes)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    int rc = 0;
    if (fd < 0)
        return -errno;
    if (ftruncate(fd, (off_t)size_bytes) != 0)
        rc = -errno;
    close(fd);
    if (rc)
        unlink(path);
    return rc;
}

int sim_data_resize(const char *path, uint64_t size_bytes)
{
    return truncate(path, (off_t)size_bytes) == 0 ? 0 : -errno;
}

int sim_data_corrupt(const char *path, uint64_t offset)
{
    unsigned char b;
    struct stat st;
    int fd = open(path, O_RDWR | O_CLOEXEC), rc = 0;
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) != 0)
        rc = -errno;
    else if (offset >= (uint64_t)st.st_size)
        rc = -EINVAL;
    else if (pread(fd, &b, 1, (off_t)offset) != 1)
        rc = -EIO;
    else {
        b ^= 0xff;
        if (pwrite(fd, &b, 1, (off_t)offset) != 1 || fdatasync(fd) != 0)
            rc = errno ? -errno : -EIO;
    }
    close(fd);
    return rc;
}

static int copy_range(int in, int out, off_t off, off_t len)
{
    off_t in_off = off, out_off = off;
    while (len > 0) {
        ssize_t n = copy_file_range(in, &in_off, out, &out_off, (size_t)len, 0);
        if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL))
            goto fallback;
        if (n < 0)
            return -errno;
        if (n == 0)
            break;
        len -= n;
    }
    return 0;
fallback : {
    char *buf = sim_xmalloc(1 << 20);
    int rc = 0;
    while (len > 0) {
        size_t want = len < (1 << 20) ? (size_t)len : (1 << 20);
        ssize_t n = pread(in, buf, want, in_off);
        if (n <= 0) {
            rc = n < 0 ? -errno : 0;
            break;
        }
        if (pwrite(out, buf, (size_t)n, out_off) != n) {
            rc = -EIO;
            break;
        }
        in_off += n;
        out_off += n;
        len -= n;
    }
    free(buf);
    return rc;
}
}

int sim_data_copy(const char *src, const char *dst)
{
    int in = -1, out = -1, rc = 0;
    struct stat sst, dstt;
    off_t pos = 0, limit;
    in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -errno;
    out = open(dst, O_WRONLY | O_CLOEXEC);
    if (out < 0) {
        rc = -errno;
        goto out;
    }
    if (fstat(in, &sst) != 0 || fstat(out, &dstt) != 0) {
        rc = -errno;
        goto out;
    }
    /* Punch everything by truncating to zero, then restore the size: dst becomes all holes. */
    if (ftruncate(out, 0) != 0 || ftruncate(out, dstt.st_size) != 0) {
        rc = -errno;
        goto out;
    }
    limit = sst.st_size < dstt.st_size ? sst.st_size : dstt.st_size;
    while (pos < limit) {
        off_t data = lseek(in, pos, SEEK_DATA);
        if (data < 0) {
            if (errno != ENXIO)
                rc = -errno;
            break;
        }
        if (data >= limit)
            break;
        off_t hole = lseek(in, data, SEEK_HOLE);
        if (hole < 0 || hole > limit)
            hole = limit;
        rc = copy_range(in, out, data, hole - data);
        if (rc)
            break;
        pos = hole;
    }
    if (!rc && fdatasync(out) != 0)
        rc = -errno;
out:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return rc;
}

static bool set_immutable(const char *path, bool on)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    int flags = 0;
    bool ok = false;
    if (fd < 0)
        return false;
    if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
        flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
        ok = ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    }
    close(fd);
    return ok;
}

void sim_data_remove(const char *path)
{
    /* Only an immutable file (a read-only volume's) refuses to go: its flag is lifted then, rather
     * than every file opened to look. */
    if (unlink(path) == 0 || errno != EPERM)
        return;
    set_immutable(path, false);
    unlink(path);
}

bool sim_data_set_readonly(const char *path, bool readonly)
{
    bool enforced;
    if (!readonly)
        set_immutable(path, false);
    chmod(path, readonly ? 0444 : 0644);
    if (!readonly)
        return true;
    /* Mode bits do not stop root; the immutable flag does where the filesystem has it. */
    enforced = set_immutable(path, true) || geteuid() != 0;
    return enforced;
}

struct extent {
    off_t start, end;
};

static int cmp_extent(const void *a, const void *b)
{
    const struct extent *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

uint64_t sim_data_union_kb(const char *const *paths, size_t n)
{
    struct extent *ex = NULL;
    size_t nex = 0, cap = 0;
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
        off_t pos = 0;
        if (fd < 0)
            continue;
        for (;;) {
            off_t data = lseek(fd, pos, SEEK_DATA), hole;
            if (data < 0)
                break;
            hole = lseek(fd, data, SEEK_HOLE);
            if (hole <= data)
                break;
            if (nex == cap) {
                cap = cap ? cap * 2 : 16;
                ex = sim_xrealloc(ex, cap * sizeof(*ex));
            }
            ex[nex].start = data;
            ex[nex].end = hole;
            nex++;
            pos = hole;
        }
        close(fd);
    }
    if (nex)
        qsort(ex, nex, sizeof(*ex), cmp_extent);
    for (size_t i = 0; i < nex;) {
        off_t s = ex[i].start, e = ex[i].end;
        size_t j = i + 1;
        while (j < nex && ex[j].start <= e) {
            if (ex[j].end > e)
                e = ex[j].end;
            j++;
        }
        total += (uint64_t)(e - s);
        i = j;
    }
    free(ex);
    return (total + 1023) / 1024;
}
