/* naming.c - names of CloudStack objects on PowerFlex.
 * The scheme is CloudStack's, so volumes made by either stay recognisable on a shared array. */
#include "config.h"

#include "naming.h"

#include "error.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

sp_status pfx_pool_key(const char *pool_uuid, char key[5], sp_error *err)
{
    const char *dash;
    size_t first;

    if (pool_uuid == NULL)
        return pfx_error(err, SP_E_INVALID, "pool uuid is missing; the pool key is taken from it");
    dash = strchr(pool_uuid, '-');
    first = dash != NULL ? (size_t)(dash - pool_uuid) : strlen(pool_uuid);
    /* CloudStack: uuid.split("-")[0].substring(4): the rest of the first group after 4 chars. */
    if (first != 8)
        return pfx_error(err, SP_E_INVALID,
                         "pool uuid \"%.64s\" does not start with a group of 8 characters; the pool key is "
                         "characters 5 to 8 of it",
                         pool_uuid);
    memcpy(key, pool_uuid + 4, 4);
    key[4] = '\0';
    if (!pfx_name_chars_ok(key))
        return pfx_error(err, SP_E_INVALID, "pool uuid \"%.64s\" has characters PowerFlex names refuse", pool_uuid);
    return SP_OK;
}

int pfx_name_chars_ok(const char *s)
{
    for (; *s; s++)
        if (!isgraph((unsigned char)*s))
            return 0;
    return 1;
}

static const char *prefix_of(sp_volume_kind kind)
{
    switch (kind) {
    case SP_VOLUME_DATA:
    case SP_VOLUME_ROOT: return "vol";
    case SP_VOLUME_TEMPLATE: return "tmpl";
    case SP_VOLUME_SNAPSHOT: return "snap";
    case SP_VOLUME_VM_SNAPSHOT: return "vmsnap";
    }
    return NULL;
}

sp_status pfx_object_name(sp_volume_kind kind, uint64_t id, uint64_t parent_id, const char *pool_key,
                          const char *identifier, char *buf, size_t buf_len, sp_error *err)
{
    const char *prefix = prefix_of(kind);
    char full[256];
    int n;

    if (prefix == NULL)
        return pfx_error(err, SP_E_INVALID, "unknown volume kind %d", (int)kind);
    if (identifier == NULL || identifier[0] == '\0')
        return pfx_error(err, SP_E_INVALID, "setting custom.cs.identifier is empty; volume names need it");
    if (!pfx_name_chars_ok(identifier))
        return pfx_error(err, SP_E_INVALID,
                         "setting custom.cs.identifier \"%.64s\" has spaces or control characters, which "
                         "PowerFlex names refuse",
                         identifier);
    if (kind == SP_VOLUME_VM_SNAPSHOT)
        n = snprintf(full, sizeof(full), "%s-%" PRIu64 "-%" PRIu64 "-%s-%s", prefix, id, parent_id, pool_key,
                     identifier);
    else
        n = snprintf(full, sizeof(full), "%s-%" PRIu64 "-%s-%s", prefix, id, pool_key, identifier);
    if (n < 0 || (size_t)n >= sizeof(full) || n > PFX_NAME_MAX_LEN)
        return pfx_error(err, SP_E_INVALID,
                         "name \"%.200s\" for %s %" PRIu64 " would be %d characters; PowerFlex allows at most %d "
                         "(shorten custom.cs.identifier)",
                         full, prefix, id, n, PFX_NAME_MAX_LEN);
    if ((size_t)n >= buf_len)
        return pfx_error(err, SP_E_INTERNAL, "name buffer of %zu bytes is too small", buf_len);
    memcpy(buf, full, (size_t)n + 1);
    return SP_OK;
}

int pfx_name_is_ours(const char *name, const char *pool_key, const char *identifier)
{
    static const char *prefixes[] = {"vol-", "tmpl-", "snap-", "vmsnap-", "rvt-"};
    size_t nl = strlen(name), il = strlen(identifier), kl = 4;
    const char *key;
    int prefixed = 0;

    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            prefixed = 1;
    /* ...-<key>-<identifier>: the key is 4 characters between two dashes. */
    if (!prefixed || il == 0 || nl < il + kl + 3 || strcmp(name + nl - il, identifier) != 0)
        return 0;
    key = name + nl - il - kl - 1;
    if (key[-1] != '-' || key[kl] != '-')
        return 0;
    return pool_key == NULL || strncmp(key, pool_key, kl) == 0;
}
