/* main.c - cs-harness: loads a storage plugin and plays CloudStack's management server and KVM
 * agents against it. This file parses the command line and dispatches sub-commands. */
#include "config.h"

#include "jsonw.h"
#include "loader.h"
#include "services.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HOST_PLUGINDIR
#define HOST_PLUGINDIR "."
#endif

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cs-harness [--plugin PATH] [--log-level LEVEL] COMMAND [ARGS]\n"
            "\n"
            "Loads a storage plugin and plays CloudStack's orchestration against it.\n"
            "\n"
            "options:\n"
            "  --plugin PATH      the plugin module (.so or .la; default %s/powerflex)\n"
            "  --log-level LEVEL  error, warn (default), info or debug: plugin log lines on stderr\n"
            "  -h, --help         this text\n"
            "  --version          the harness's version\n"
            "\n"
            "commands:\n"
            "  info               print the plugin's name, version and ABI version as JSON\n",
            HOST_PLUGINDIR);
}

static int parse_level(const char *s, sp_log_level *out)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (sp_log_level)i;
            return 0;
        }
    return -1;
}

static void print_error(const char *code, const char *text)
{
    host_jsonw w;
    host_jsonw_init(&w, 1);
    host_jsonw_object_begin(&w, NULL);
    host_jsonw_object_begin(&w, "errorresponse");
    host_jsonw_string(&w, "errorcode", code);
    host_jsonw_string(&w, "errortext", text);
    host_jsonw_object_end(&w);
    host_jsonw_object_end(&w);
    fprintf(stderr, "%s\n", host_jsonw_text(&w));
    host_jsonw_free(&w);
}

static int cmd_info(const host_plugin *plugin)
{
    const sp_plugin *d = host_plugin_descriptor(plugin);
    char abi[32];
    host_jsonw w;
    int rc = 0;

    snprintf(abi, sizeof(abi), "%u.%u", SP_ABI_MAJOR(d->abi_version), SP_ABI_MINOR(d->abi_version));
    host_jsonw_init(&w, 1);
    host_jsonw_object_begin(&w, NULL);
    host_jsonw_object_begin(&w, "plugin");
    host_jsonw_string(&w, "name", d->name);
    host_jsonw_string(&w, "version", d->version);
    host_jsonw_string(&w, "abiversion", abi);
    host_jsonw_uint(&w, "abimajor", SP_ABI_MAJOR(d->abi_version));
    host_jsonw_uint(&w, "abiminor", SP_ABI_MINOR(d->abi_version));
    host_jsonw_string(&w, "path", host_plugin_path(plugin));
    host_jsonw_object_end(&w);
    host_jsonw_object_end(&w);
    if (w.failed)
        rc = 1;
    else
        printf("%s\n", host_jsonw_text(&w));
    host_jsonw_free(&w);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"plugin", required_argument, NULL, 'p'},
        {"log-level", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *plugin_path = HOST_PLUGINDIR "/powerflex";
    host_services svc;
    host_plugin *plugin = NULL;
    char errbuf[1024];
    sp_log_level level = SP_LOG_WARN;
    int c, rc = 1;

    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'p': plugin_path = optarg; break;
        case 'l':
            if (parse_level(optarg, &level) != 0) {
                print_error("431", "--log-level takes error, warn, info or debug");
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("cs-harness %s\n", PACKAGE_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    if (host_services_init(&svc) != 0) {
        print_error("530", "out of memory");
        return 1;
    }
    svc.max_level = level;
    plugin = host_plugin_load(plugin_path, &svc.table, errbuf, sizeof(errbuf));
    if (plugin == NULL) {
        print_error("530", errbuf);
        goto out;
    }
    if (strcmp(argv[optind], "info") == 0) {
        rc = cmd_info(plugin);
    } else {
        snprintf(errbuf, sizeof(errbuf), "unknown command: %s", argv[optind]);
        print_error("431", errbuf);
        rc = 2;
    }
out:
    host_plugin_unload(plugin);
    host_services_free(&svc);
    return rc;
}
