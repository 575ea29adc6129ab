/* loader.h - loading a storage plugin module with libltdl and checking its ABI.
 * The harness's only door to a plugin: every table is checked here before anything calls it. */
#ifndef HOST_LOADER_H
#define HOST_LOADER_H

#include "storage_plugin.h"

#include <stddef.h>

typedef struct host_plugin host_plugin;

/* Opens the module at `path` (a .so, a libtool .la, or a name found on the module search path),
 * calls its entry symbol with this host's ABI version and `services` (borrowed: must outlive the
 * returned handle), and checks the descriptor and its tables. On failure returns NULL and
 * writes why into errbuf. The handle is owned by the caller: host_plugin_unload() releases it. */
host_plugin *host_plugin_load(const char *path, const sp_host_services *services, char *errbuf,
                              size_t errbuf_len);

/* Calls the plugin's shutdown, closes the module. NULL is a no-op. */
void host_plugin_unload(host_plugin *plugin);

/* The plugin's descriptor; valid until host_plugin_unload(). */
const sp_plugin *host_plugin_descriptor(const host_plugin *plugin);

/* The path the module was loaded from (as given). */
const char *host_plugin_path(const host_plugin *plugin);

#endif
