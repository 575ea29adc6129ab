/* plugininfo.h - what `cs-harness info` says of a plugin: its identity, ABI version and every
 * setting and pool detail it publishes through describe. */
#ifndef HOST_PLUGININFO_H
#define HOST_PLUGININFO_H

#include "jsonw.h"
#include "loader.h"

/* Writes {"plugin": {...}} into w. 0, or -1 with errbuf when the plugin's describe fails. */
int host_plugin_info(const host_plugin *plugin, host_jsonw *w, char *errbuf, size_t errlen);

#endif
