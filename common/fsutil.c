/* fsutil.c - small file-system helpers for the harness's work dir.
 * Files are written through rename so that a killed harness never leaves half a file. */
#include "config.h"

#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int host_mkdirs(const char *path)
{
    char *copy = strdup(path);
    int rc = 0;

    if (copy == NULL)
        return -1;
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
            rc = -1;
            break;
        }
        *p = '/';
    }
    if (rc == 0 && mkdir(copy, 0755) != 0 && errno != EEXIST)
        rc = -1;
    free(copy);
    return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int host_write_file(const char *path, const char *content, size_t len, int mode)
{
    char *tmp = NULL;
    int fd, saved;

    if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
        return -1;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        goto fail;
    if (write_all(fd, content, len) != 0 || fchmod(fd, (mode_t)mode) != 0) {
        saved = errno;
        close(fd);
        errno = saved;
        goto fail;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0)
        goto fail;
    free(tmp);
    return 0;
fail:
    saved = errno;
    unlink(tmp);
    free(tmp);
    errno = saved;
    return -1;
}

static int all_zero(const char *p, size_t n)
{
    return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

int host_copy_fd(int in, const char *dst, int mode)
{
    char buf[65536];
    int out, rc = -1, saved;
    off_t end = 0;
    ssize_t n;

    out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (out < 0)
        return -1;
    /* Zero blocks become holes: a sparse image stays sparse on secondary storage. */
    while ((n = read(in, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
        if (n < 0)
            continue;
        if (all_zero(buf, (size_t)n)) {
            if (lseek(out, n, SEEK_CUR) < 0)
                goto out;
        } else if (write_all(out, buf, (size_t)n) != 0) {
            goto out;
        }
        end += n;
    }
    if (n == 0 && ftruncate(out, end) == 0)
        rc = 0;
out:
    saved = errno;
    if (close(out) != 0 && rc == 0) {
        saved = errno;
        rc = -1;
    }
    errno = saved;
    return rc;
}

int host_copy_file(const char *src, const char *dst, int mode)
{
    int in, rc, saved;

    in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    rc = host_copy_fd(in, dst, mode);
    saved = errno;
    close(in);
    errno = saved;
    return rc;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void host_remove_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int64_t host_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}
