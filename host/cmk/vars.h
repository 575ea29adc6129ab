/* vars.h - scenario variables: "set name=value" and "sim start" bind them, "$name" reads them.
 * A small ordered map; names are case-sensitive and may contain dots ("pf1.gateway"). */
#ifndef HOST_VARS_H
#define HOST_VARS_H

#include <stddef.h>

typedef struct host_vars host_vars;

host_vars *host_vars_new(void);
void host_vars_free(host_vars *v);

/* Binds (or rebinds) name to a copy of value. 0, or -1 when out of memory or the name is not
 * [A-Za-z_][A-Za-z0-9_.]*. */
int host_vars_set(host_vars *v, const char *name, const char *value);
/* The value of name (len bytes), borrowed until it is rebound; NULL when unbound. */
const char *host_vars_get(const host_vars *v, const char *name, size_t len);
/* Whether name is a valid variable name. */
int host_vars_valid_name(const char *name);

#endif
