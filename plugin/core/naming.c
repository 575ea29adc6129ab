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
        return pfx_error(err, SP_E_INVALID, "pool uuid \"%.64s\" has characters PowerFlex names refuse",
                         pool_uuid);
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

/* "<prefix>-<ids>-<pool key>-<identifier>", refused when PowerFlex would not take it. */
static sp_status build(const char *prefix, const char *ids, const char *pool_key, const char *identifier,
                       char *buf, size_t buf_len, sp_error *err)
{
    char full[256];
    int n;

    if (identifier == NULL || identifier[0] == '\0')
        return pfx_error(err, SP_E_INVALID, "setting custom.cs.identifier is empty; volume names need it");
    if (!pfx_name_chars_ok(identifier))
        return pfx_error(err, SP_E_INVALID,
                         "setting custom.cs.identifier \"%.64s\" has spaces or control characters, which "
                         "PowerFlex names refuse",
                         identifier);
    n = snprintf(full, sizeof(full), "%s-%s-%s-%s", prefix, ids, pool_key, identifier);
    if (n < 0 || (size_t)n >= sizeof(full) || n > PFX_NAME_MAX_LEN)
        return pfx_error(err, SP_E_INVALID,
                         "name \"%.200s\" for %s %s would be %d characters; PowerFlex allows at most %d "
                         "(shorten custom.cs.identifier)",
                         full, prefix, ids, n, PFX_NAME_MAX_LEN);
    if ((size_t)n >= buf_len)
        return pfx_error(err, SP_E_INTERNAL, "name buffer of %zu bytes is too small", buf_len);
    memcpy(buf, full, (size_t)n + 1);
    return SP_OK;
}

sp_status pfx_object_name(sp_volume_kind kind, uint64_t id, uint64_t parent_id, const char *pool_key,
                          const char *identifier, char *buf, size_t buf_len, sp_error *err)
{
    const char *prefix = prefix_of(kind);
    char ids[64];

    if (prefix == NULL)
        return pfx_error(err, SP_E_INVALID, "unknown volume kind %d", (int)kind);
    if (kind == SP_VOLUME_VM_SNAPSHOT)
        snprintf(ids, sizeof(ids), "%" PRIu64 "-%" PRIu64, id, parent_id);
    else
        snprintf(ids, sizeof(ids), "%" PRIu64, id);
    return build(prefix, ids, pool_key, identifier, buf, buf_len, err);
}

sp_status pfx_template_name(uint64_t id, unsigned variant, const char *pool_key, const char *identifier,
                            char *buf, size_t buf_len, sp_error *err)
{
    char ids[64];

    if (variant == 0)
        snprintf(ids, sizeof(ids), "%" PRIu64, id);
    else
        snprintf(ids, sizeof(ids), "%" PRIu64 "v%u", id, variant);
    return build("tmpl", ids, pool_key, identifier, buf, buf_len, err);
}

sp_status pfx_safety_name(const char *vmsnap_name, char *buf, size_t buf_len, sp_error *err)
{
    static const char prefix[] = "vmsnap-";
    int n;

    if (strncmp(vmsnap_name, prefix, sizeof(prefix) - 1) != 0)
        return pfx_error(err, SP_E_INVALID,
                         "snapshot %.64s is not a VM snapshot of this installation (no vmsnap- name); its "
                         "revert has no name for its safety copy",
                         vmsnap_name);
    n = snprintf(buf, buf_len, "rvt-%s", vmsnap_name + sizeof(prefix) - 1);
    if (n < 0 || (size_t)n >= buf_len)
        return pfx_error(err, SP_E_INTERNAL, "name buffer of %zu bytes is too small", buf_len);
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

sp_status pfx_name_rekey(const char *name, const char *identifier, const char *new_key, char *buf, size_t len,
                         sp_error *err)
{
    size_t nl = strlen(name), il = strlen(identifier);

    if (!pfx_name_is_ours(name, NULL, identifier) || strlen(new_key) != 4)
        return pfx_error(err, SP_E_INVALID,
                         "\"%.64s\" is not a name of this installation ending -<key>-%.32s", name,
                         identifier);
    if (nl >= len)
        return pfx_error(err, SP_E_INTERNAL, "name buffer of %zu bytes is too small", len);
    memcpy(buf, name, nl + 1);
    /* ...-<key>-<identifier>: the key is the 4 characters before "-<identifier>". */
    memcpy(buf + nl - il - 5, new_key, 4);
    return SP_OK;
}
