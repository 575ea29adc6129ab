/* imagepath.h - where cs-harness takes the files of templates and ISOs registered by local path or
 * file:// URL from: its image directories, never anywhere else on the host.
 *
 * The image directories are the work dir, every --image-dir DIR and every directory of the
 * global setting harness.image.directories (comma-separated). A path is taken when it is
 * absolute, has no ".." component, and realpath resolves it to a regular file inside one of them
 * (so a symlink leading out is refused) and outside /proc, /sys and /dev, which never hold images
 * even when named as an image directory. */
#ifndef HOST_IMAGEPATH_H
#define HOST_IMAGEPATH_H

#include "cs.h"

/* Adds DIR (the --image-dir option) to cs's image directories, resolved with realpath: -1 with e
 * when it is not an existing directory. */
int host_image_dir_add(host_cs *cs, const char *dir, host_err *e);

/* Frees cs's image directories (host_cs_close). */
void host_image_dirs_free(host_cs *cs);

/* Opens the local image `path` a registration names (`url` as given, for messages) after those
 * checks, and checks again that the open file is the one the path resolved to (a directory
 * swapped for a symlink in between is caught). 0 with *fd (read-only; the caller closes it), or
 * -1 with e (HOST_E_PARAM) saying why. */
int host_image_open(host_cs *cs, const char *url, const char *path, int *fd, host_err *e);

#endif
