/* dirlist.c - comma-separated lists of directories in settings (harness.image.directories):
 * their value check and walking their entries. */
#include "config.h"

#include "dirlist.h"

#include <string.h>

struct check {
    const char *name;
    host_err *e;
};

int host_dirlist_has_dotdot(const char *p, size_t len)
{
    const char *end = p + len;

    while (p < end) {
        const char *slash = memchr(p, '/', (size_t)(end - p)), *c_end = slash != NULL ? slash : end;
        if (c_end - p == 2 && p[0] == '.' && p[1] == '.')
            return 1;
        p = c_end + 1;
    }
    return 0;
}

/* Calls fn on each trimmed, non-empty entry of a comma-separated list; stops at its non-zero. */
int host_dirlist_each(const char *list, int (*fn)(const char *entry, size_t len, void *ctx), void *ctx)
{
    const char *p = list;

    while (*p != '\0') {
        const char *comma = strchr(p, ','), *end = comma != NULL ? comma : p + strlen(p);
        const char *b = p, *t = end;
        int rc;
        while (b < t && (*b == ' ' || *b == '\t'))
            b++;
        while (t > b && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if (t > b && (rc = fn(b, (size_t)(t - b), ctx)) != 0)
            return rc;
        p = comma != NULL ? comma + 1 : end;
    }
    return 0;
}

static int check_entry(const char *entry, size_t len, void *ctx)
{
    const struct check *c = ctx;

    if (entry[0] != '/' || host_dirlist_has_dotdot(entry, len))
        return host_fail(
            c->e, HOST_E_PARAM,
            "configuration %s takes comma-separated absolute directories without '..', not '%.*s'", c->name,
            (int)(len > 300 ? 300 : len), entry);
    return 0;
}

int host_dirlist_check(const char *name, const char *value, host_err *e)
{
    struct check c = {name, e};
    return host_dirlist_each(value, check_entry, &c) != 0 ? -1 : 0;
}
