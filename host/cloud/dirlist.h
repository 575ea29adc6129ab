/* dirlist.h - comma-separated lists of directories in settings: their value check (absolute
 * paths without "..") and a walk over their trimmed, non-empty entries. */
#ifndef HOST_DIRLIST_H
#define HOST_DIRLIST_H

#include "cs.h"

#include <stddef.h>

/* Whether the path p[0..len) has a ".." component. */
int host_dirlist_has_dotdot(const char *p, size_t len);

/* Calls fn on each trimmed, non-empty entry of list; stops at and returns its first non-zero. */
int host_dirlist_each(const char *list, int (*fn)(const char *entry, size_t len, void *ctx), void *ctx);

/* The value check of setting `name`: 0, or -1 with e (HOST_E_PARAM) naming the bad entry. */
int host_dirlist_check(const char *name, const char *value, host_err *e);

#endif
