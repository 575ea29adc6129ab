/* vars.c - scenario variables: an ordered list, because scenarios bind a few dozen at most.
 * Lookups take a length so that the parser can look up a name inside a line without copying. */
#include "config.h"

#include "vars.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct var {
    char *name;
    char *value;
    struct var *next;
} var;

struct host_vars {
    var *head;
};

host_vars *host_vars_new(void)
{
    return calloc(1, sizeof(host_vars));
}

void host_vars_free(host_vars *v)
{
    if (v == NULL)
        return;
    for (var *x = v->head, *next; x != NULL; x = next) {
        next = x->next;
        free(x->name);
        free(x->value);
        free(x);
    }
    free(v);
}

int host_vars_valid_name(const char *name)
{
    if (!(isalpha((unsigned char)name[0]) || name[0] == '_'))
        return 0;
    for (const char *p = name; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '.'))
            return 0;
    return name[strlen(name) - 1] != '.';
}

static var *find(const host_vars *v, const char *name, size_t len)
{
    for (var *x = v->head; x != NULL; x = x->next)
        if (strlen(x->name) == len && memcmp(x->name, name, len) == 0)
            return x;
    return NULL;
}

int host_vars_set(host_vars *v, const char *name, const char *value)
{
    var *x;
    char *nv;

    if (!host_vars_valid_name(name))
        return -1;
    if ((nv = strdup(value)) == NULL)
        return -1;
    x = find(v, name, strlen(name));
    if (x != NULL) {
        free(x->value);
        x->value = nv;
        return 0;
    }
    x = calloc(1, sizeof(*x));
    if (x == NULL || (x->name = strdup(name)) == NULL) {
        free(x);
        free(nv);
        return -1;
    }
    x->value = nv;
    x->next = v->head;
    v->head = x;
    return 0;
}

const char *host_vars_get(const host_vars *v, const char *name, size_t len)
{
    var *x = find(v, name, len);
    return x != NULL ? x->value : NULL;
}
