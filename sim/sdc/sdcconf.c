/* sim_sdc.conf parsing (see sdcconf.h and powerflex-sim(1)). Lines are whitespace-separated
 * KEY=VALUE words: a line with url= and sdc= (and optionally ca=) declares one system; a line
 * guid=GUID sets the host's GUID. '#' starts a comment. */
#include <config.h>
#include "sdcconf.h"
#include "util.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *sim_sdcconf_path(const char *argv0)
{
    const char *env = getenv("SIM_SDC_CONF");
    char exe[PATH_MAX], *copy, *dir, *out;
    ssize_t n;
    if (env && *env)
        return sim_xstrdup(env);
    /* argv[0] keeps the <sdc home>/bin/drv_cfg spelling even when that is a symlink. */
    if (argv0 && strchr(argv0, '/')) {
        copy = sim_xstrdup(argv0);
    } else {
        n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n <= 0)
            return NULL;
        exe[n] = '\0';
        copy = sim_xstrdup(exe);
    }
    dir = dirname(copy);
    out = sim_fmt("%s/../cfg/sim_sdc.conf", dir);
    free(copy);
    return out;
}

int sim_sdcconf_load(const char *path, struct sim_sdcconf *conf, char *err, size_t errsz)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    int rc = 0;
    memset(conf, 0, sizeof(*conf));
    if (!f) {
        snprintf(err, errsz, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    while (getline(&line, &cap, f) >= 0) {
        struct sim_sdc_system sys = {NULL, NULL, NULL};
        char *save = NULL, *hash = strchr(line, '#'), *tok;
        bool any = false;
        lineno++;
        if (hash)
            *hash = '\0';
        for (tok = strtok_r(line, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
            char *eq = strchr(tok, '=');
            any = true;
            if (!eq || eq == tok || !eq[1]) {
                snprintf(err, errsz, "%s:%zu: expected KEY=VALUE, got '%s'", path, lineno, tok);
                rc = -1;
                break;
            }
            *eq = '\0';
            char **dst = !strcmp(tok, "url")    ? &sys.url
                         : !strcmp(tok, "sdc")  ? &sys.sdc
                         : !strcmp(tok, "ca")   ? &sys.ca
                         : !strcmp(tok, "guid") ? &conf->guid
                                                : NULL;
            if (!dst) {
                snprintf(err, errsz, "%s:%zu: unknown key '%s'", path, lineno, tok);
                rc = -1;
                break;
            }
            free(*dst);
            *dst = sim_xstrdup(eq + 1);
        }
        if (!rc && any && (sys.url || sys.sdc || sys.ca)) {
            if (!sys.url || !sys.sdc) {
                snprintf(err, errsz, "%s:%zu: a system needs url= and sdc=", path, lineno);
                rc = -1;
            } else {
                conf->systems = sim_xrealloc(conf->systems, (conf->n + 1) * sizeof(*conf->systems));
                conf->systems[conf->n++] = sys;
                continue;
            }
        }
        free(sys.url);
        free(sys.sdc);
        free(sys.ca);
        if (rc)
            break;
    }
    free(line);
    fclose(f);
    if (!rc && conf->n == 0) {
        snprintf(err, errsz, "%s: no system configured (need a line url=... sdc=...)", path);
        rc = -1;
    }
    if (rc)
        sim_sdcconf_free(conf);
    return rc;
}

void sim_sdcconf_free(struct sim_sdcconf *conf)
{
    for (size_t i = 0; i < conf->n; i++) {
        free(conf->systems[i].url);
        free(conf->systems[i].sdc);
        free(conf->systems[i].ca);
    }
    free(conf->systems);
    free(conf->guid);
    memset(conf, 0, sizeof(*conf));
}
