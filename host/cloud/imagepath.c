/* imagepath.c - the image directories of cs-harness and the check of a local template or ISO
 * path against them: a tenant's URL must not make the harness copy any other file of the host. */
#include "config.h"

#include "imagepath.h"

#include "cfg.h"
#include "dirlist.h"
#include "imageinspect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int host_image_dir_add(host_cs *cs, const char *dir, host_err *e)
{
    struct stat sb;
    char *real, **grown;

    if (dir == NULL || dir[0] == '\0')
        return host_fail(e, HOST_E_PARAM, "--image-dir takes a directory");
    real = realpath(dir, NULL);
    if (real == NULL)
        return host_fail(e, HOST_E_PARAM, "--image-dir %s: %s", dir, strerror(errno));
    if (stat(real, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        free(real);
        return host_fail(e, HOST_E_PARAM, "--image-dir %s is not a directory", dir);
    }
    grown = realloc(cs->image_dirs, (cs->n_image_dirs + 1) * sizeof(*grown));
    if (grown == NULL) {
        free(real);
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    }
    cs->image_dirs = grown;
    cs->image_dirs[cs->n_image_dirs++] = real;
    return 0;
}

void host_image_dirs_free(host_cs *cs)
{
    for (size_t i = 0; i < cs->n_image_dirs; i++)
        free(cs->image_dirs[i]);
    free(cs->image_dirs);
    cs->image_dirs = NULL;
    cs->n_image_dirs = 0;
}

/* Strictly inside dir (a resolved directory). */
static int inside(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    if (n == 1 && dir[0] == '/')
        return path[0] == '/' && path[1] != '\0';
    return strncmp(path, dir, n) == 0 && path[n] == '/';
}

static int inside_entry(const char *entry, size_t len, void *ctx)
{
    const char *path = ctx;
    char *dir = strndup(entry, len), *real = dir != NULL ? realpath(dir, NULL) : NULL;
    int in = real != NULL && inside(path, real);

    free(real);
    free(dir);
    return in;
}

static int allowed(host_cs *cs, const char *real)
{
    char dirs[4096];
    char *work = cs->workdir != NULL ? realpath(cs->workdir, NULL) : NULL;
    int ok = work != NULL && inside(real, work);

    free(work);
    for (size_t i = 0; !ok && i < cs->n_image_dirs; i++)
        ok = inside(real, cs->image_dirs[i]);
    if (!ok && host_config_get(cs, HOST_CFG_IMAGE_DIRS, SP_SCOPE_GLOBAL, NULL, dirs, sizeof(dirs)) == 0)
        ok = host_dirlist_each(dirs, inside_entry, (void *)real) != 0;
    return ok;
}

/* Where the open fd really is: a directory swapped for a symlink between the check of the path
 * and the open would otherwise go unseen. */
static int opened_path(int fd, char *buf, size_t len)
{
    char link[64];
    ssize_t n;

    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = readlink(link, buf, len - 1);
    if (n < 0 || (size_t)n >= len - 1)
        return -1;
    buf[n] = '\0';
    return 0;
}

int host_image_open(host_cs *cs, const char *url, const char *path, int *fd, host_err *e)
{
    struct stat sb;
    char *real, now[4096];

    *fd = -1;
    if (path[0] != '/')
        return host_fail(e, HOST_E_PARAM, "url %s: give an absolute path, a file:// URL or an http(s) URL",
                         url);
    if (host_dirlist_has_dotdot(path, strlen(path)))
        return host_fail(e, HOST_E_PARAM, "url %s: a path with a '..' component is not taken", url);
    real = realpath(path, NULL);
    if (real == NULL)
        return host_fail(e, HOST_E_PARAM, "url %s: cannot read %s: %s", url, path, strerror(errno));
    if (pfx_image_path_forbidden(real)) {
        host_fail(e, HOST_E_PARAM, "url %s: files under /proc, /sys and /dev are never images", url);
        goto fail;
    }
    if (stat(real, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        host_fail(e, HOST_E_PARAM, "url %s is not a regular file", url);
        goto fail;
    }
    if (!allowed(cs, real)) {
        if (strcmp(real, path) != 0)
            host_fail(
                e, HOST_E_PARAM,
                "url %s resolves to %s, outside the harness's image directories (its work dir, --image-dir, "
                "%s): a symlink may not lead out of them",
                url, real, HOST_CFG_IMAGE_DIRS);
        else
            host_fail(e, HOST_E_PARAM,
                      "url %s is outside the harness's image directories (its work dir, --image-dir, %s)",
                      url, HOST_CFG_IMAGE_DIRS);
        goto fail;
    }
    *fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
    if (*fd < 0) {
        host_fail(e, HOST_E_PARAM, "url %s: cannot read %s: %s", url, real, strerror(errno));
        goto fail;
    }
    if (fstat(*fd, &sb) != 0 || !S_ISREG(sb.st_mode) || opened_path(*fd, now, sizeof(now)) != 0 ||
        strcmp(now, real) != 0) {
        host_fail(e, HOST_E_PARAM, "url %s changed while it was opened; not taken", url);
        goto fail;
    }
    free(real);
    return 0;
fail:
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
    free(real);
    return -1;
}
