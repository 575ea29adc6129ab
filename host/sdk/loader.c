/* loader.c - loading a storage plugin module with libltdl and checking its ABI.
 * A foreign or broken module yields an error message, never a call through a bad pointer. */
#include "config.h"

#include "loader.h"

#include "modcheck.h"

#include <ltdl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct host_plugin {
    lt_dlhandle module;
    const sp_plugin *descriptor;
    char *path;
};

static pthread_mutex_t ltdl_lock = PTHREAD_MUTEX_INITIALIZER;
static int ltdl_users;

static int ltdl_acquire(void)
{
    int rc = 0;

    pthread_mutex_lock(&ltdl_lock);
    if (ltdl_users == 0 && lt_dlinit() != 0)
        rc = -1;
    else
        ltdl_users++;
    pthread_mutex_unlock(&ltdl_lock);
    return rc;
}

static void ltdl_release(void)
{
    pthread_mutex_lock(&ltdl_lock);
    if (ltdl_users > 0 && --ltdl_users == 0)
        lt_dlexit();
    pthread_mutex_unlock(&ltdl_lock);
}

/* Checks one vtable's header: same major, at least the size it had in this major's .0. */
static int check_table(const char *what, const void *table, size_t min_size, char *errbuf, size_t errbuf_len)
{
    const struct {
        uint32_t abi_version;
        uint32_t struct_size;
    } *head = table;

    if (table == NULL) {
        snprintf(errbuf, errbuf_len, "the plugin has no %s table", what);
        return -1;
    }
    if (SP_ABI_MAJOR(head->abi_version) != SP_ABI_VERSION_MAJOR) {
        snprintf(errbuf, errbuf_len, "the plugin's %s table is ABI %u.%u; this host speaks %u.x", what,
                 SP_ABI_MAJOR(head->abi_version), SP_ABI_MINOR(head->abi_version), SP_ABI_VERSION_MAJOR);
        return -1;
    }
    if (head->struct_size < min_size) {
        snprintf(errbuf, errbuf_len, "the plugin's %s table is %u bytes; ABI %u.0 needs at least %zu", what,
                 head->struct_size, SP_ABI_VERSION_MAJOR, min_size);
        return -1;
    }
    return 0;
}

static int check_descriptor(const sp_plugin *d, char *errbuf, size_t errbuf_len)
{
    if (SP_ABI_MAJOR(d->abi_version) != SP_ABI_VERSION_MAJOR) {
        snprintf(errbuf, errbuf_len, "the plugin speaks ABI %u.%u; this host speaks %u.%u",
                 SP_ABI_MAJOR(d->abi_version), SP_ABI_MINOR(d->abi_version), SP_ABI_VERSION_MAJOR,
                 SP_ABI_VERSION_MINOR);
        return -1;
    }
    if (d->struct_size < SP_PLUGIN_SIZE_2_0) {
        snprintf(errbuf, errbuf_len, "the plugin descriptor is %u bytes; ABI %u.0 needs at least %zu",
                 d->struct_size, SP_ABI_VERSION_MAJOR, (size_t)SP_PLUGIN_SIZE_2_0);
        return -1;
    }
    if (d->name == NULL || d->version == NULL || d->shutdown == NULL) {
        snprintf(errbuf, errbuf_len, "the plugin descriptor lacks its name, version or shutdown");
        return -1;
    }
    if (check_table("lifecycle", d->lifecycle, SP_LIFECYCLE_OPS_SIZE_2_0, errbuf, errbuf_len) != 0 ||
        check_table("driver", d->driver, SP_DRIVER_OPS_SIZE_2_0, errbuf, errbuf_len) != 0 ||
        check_table("adaptor", d->adaptor, SP_ADAPTOR_OPS_SIZE_2_0, errbuf, errbuf_len) != 0 ||
        check_table("pool", d->pool, SP_POOL_OPS_SIZE_2_0, errbuf, errbuf_len) != 0)
        return -1;
    /* Host utilities are optional: a plugin may bundle none. */
    if (d->hostutil != NULL &&
        check_table("host utilities", d->hostutil, SP_HOSTUTIL_OPS_SIZE_2_0, errbuf, errbuf_len) != 0)
        return -1;
    return 0;
}

host_plugin *host_plugin_load(const char *path, const sp_host_services *services, char *errbuf,
                              size_t errbuf_len)
{
    host_plugin *p = NULL;
    sp_plugin_init_fn init;
    sp_error err;
    sp_status st;
    const char *why;

    if (path == NULL || *path == '\0') {
        snprintf(errbuf, errbuf_len, "no plugin path given");
        return NULL;
    }
    if (ltdl_acquire() != 0) {
        snprintf(errbuf, errbuf_len, "libltdl could not start: %s", lt_dlerror());
        return NULL;
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL || (p->path = strdup(path)) == NULL) {
        snprintf(errbuf, errbuf_len, "out of memory");
        goto fail;
    }
    /* An existing file is checked, then opened as given; a bare name gets libltdl's search for
     * .la and .so. */
    if (access(path, F_OK) == 0) {
        if (host_module_check(path, errbuf, errbuf_len) != 0)
            goto fail;
        p->module = lt_dlopen(path);
    } else {
        p->module = lt_dlopenext(path);
    }
    if (p->module == NULL) {
        why = lt_dlerror();
        snprintf(errbuf, errbuf_len, "cannot load plugin %s: %s", path, why != NULL ? why : "unknown error");
        goto fail;
    }
    /* A function pointer read through a data pointer: POSIX guarantees this works. */
    *(void **)&init = lt_dlsym(p->module, SP_PLUGIN_ENTRY_SYMBOL);
    if (init == NULL) {
        snprintf(errbuf, errbuf_len, "%s is not a storage plugin: it has no %s symbol", path,
                 SP_PLUGIN_ENTRY_SYMBOL);
        goto fail;
    }
    memset(&err, 0, sizeof(err));
    st = init(SP_ABI_VERSION, services, &p->descriptor, &err);
    if (st != SP_OK || p->descriptor == NULL) {
        err.message[sizeof(err.message) - 1] = '\0';
        snprintf(errbuf, errbuf_len, "plugin %s refused to start (status %d): %s", path, (int)st,
                 err.message[0] ? err.message : "no reason given");
        p->descriptor = NULL;
        goto fail;
    }
    if (check_descriptor(p->descriptor, errbuf, errbuf_len) != 0) {
        /* The plugin started; let it release what it took even though we will not use it. */
        if (p->descriptor->struct_size >= SP_PLUGIN_SIZE_2_0 && p->descriptor->shutdown != NULL)
            p->descriptor->shutdown();
        p->descriptor = NULL;
        goto fail;
    }
    return p;

fail:
    if (p != NULL) {
        if (p->module != NULL)
            lt_dlclose(p->module);
        free(p->path);
        free(p);
    }
    ltdl_release();
    return NULL;
}

void host_plugin_unload(host_plugin *p)
{
    if (p == NULL)
        return;
    if (p->descriptor != NULL)
        p->descriptor->shutdown();
    lt_dlclose(p->module);
    free(p->path);
    free(p);
    ltdl_release();
}

const sp_plugin *host_plugin_descriptor(const host_plugin *p)
{
    return p->descriptor;
}

const char *host_plugin_path(const host_plugin *p)
{
    return p->path;
}
