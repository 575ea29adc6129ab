/* fsutil.h - small file-system helpers for the harness's work dir: nested directories, whole
 * files written atomically, copies and recursive removal. */
#ifndef HOST_FSUTIL_H
#define HOST_FSUTIL_H

#include <stddef.h>
#include <stdint.h>

/* mkdir -p with mode 0755. 0, or -1 with errno. */
int host_mkdirs(const char *path);
/* Writes content to path through a temporary file and rename. 0 or -1 with errno. */
int host_write_file(const char *path, const char *content, size_t len, int mode);
/* Copies src to dst (created with mode). 0 or -1 with errno. */
int host_copy_file(const char *src, const char *dst, int mode);
/* Copies what is left to read of the open file `in` to dst (created with mode; zero blocks left
 * as holes). 0 or -1 with errno. */
int host_copy_fd(int in, const char *dst, int mode);
/* rm -r (no error when absent). */
void host_remove_tree(const char *path);
/* Size of a file in bytes, or -1. */
int64_t host_file_size(const char *path);

#endif
