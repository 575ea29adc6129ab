/* cs.c - the harness's state while it plays CloudStack: opening and closing it, error helpers.
 * Everything a command needs hangs off host_cs; nothing is global, so tests can open several. */
#include "config.h"

#include "cs.h"

#include "cfg.h"
#include "fsutil.h"
#include "intent.h"
#include "poolh.h"
#include "secret.h"
#include "sim.h"
#include "store.h"
#include "undo.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int host_fail(host_err *e, int code, const char *fmt, ...)
{
    va_list ap;

    if (e == NULL)
        return -1;
    e->code = code;
    e->unsupported = 0;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof(e->text), fmt, ap);
    va_end(ap);
    return -1;
}

static int code_of(sp_status st)
{
    switch (st) {
    case SP_E_INVALID:
    case SP_E_NOT_FOUND:
    case SP_E_EXISTS:
    case SP_E_STATE:
        return HOST_E_PARAM;
    case SP_E_UNSUPPORTED:
        return HOST_E_UNSUPPORTED;
    case SP_E_NO_SPACE:
        return HOST_E_CAPACITY;
    case SP_E_TIMEOUT:
    case SP_E_UNAVAILABLE:
    case SP_E_AUTH:
    case SP_E_TLS:
        return HOST_E_UNAVAILABLE;
    case SP_E_BUSY:
        return HOST_E_IN_USE;
    default:
        return HOST_E_INTERNAL;
    }
}

int host_fail_sp(host_err *e, sp_status st, const sp_error *se, const char *fmt, ...)
{
    char what[512];
    va_list ap;

    if (e == NULL)
        return -1;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    e->code = code_of(st);
    e->unsupported = st == SP_E_UNSUPPORTED;
    snprintf(e->text, sizeof(e->text), "%s: %.*s", what, (int)sizeof(se->message),
             se != NULL && se->message[0] ? se->message : "the plugin gave no reason");
    return -1;
}

int host_fail_db(host_err *e, const char *err)
{
    return host_fail(e, HOST_E_INTERNAL, "%s", err);
}

int64_t host_now(void)
{
    return (int64_t)time(NULL);
}

void host_timestamp(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S+0000", &tm);
}

int host_cs_open(host_cs *cs, const char *db_path, const char *workdir, host_err *e)
{
    char err[512], *keypath = NULL;

    memset(cs, 0, sizeof(*cs));
    if (host_services_init(&cs->svc) != 0)
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    if ((cs->vars = host_vars_new()) == NULL)
        goto nomem;
    if (db_path != NULL && (cs->db_path = strdup(db_path)) == NULL)
        goto nomem;
    if (workdir != NULL) {
        if (mkdir(workdir, 0700) != 0 && errno != EEXIST) {
            host_fail(e, HOST_E_INTERNAL, "cannot create work dir %s: %s", workdir, strerror(errno));
            goto fail;
        }
        cs->workdir = realpath(workdir, NULL);
        if (cs->workdir == NULL) {
            host_fail(e, HOST_E_INTERNAL, "work dir %s: %s", workdir, strerror(errno));
            goto fail;
        }
    } else {
        const char *tmp = getenv("TMPDIR");
        if (asprintf(&cs->workdir, "%s/cs-harness-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp") < 0) {
            cs->workdir = NULL;
            goto nomem;
        }
        if (mkdtemp(cs->workdir) == NULL) {
            host_fail(e, HOST_E_INTERNAL, "cannot create a temporary work dir: %s", strerror(errno));
            free(cs->workdir);
            cs->workdir = NULL;
            goto fail;
        }
        cs->workdir_temp = 1;
    }
    if (host_store_open(db_path, &cs->db, err, sizeof(err)) != 0) {
        host_fail(e, HOST_E_INTERNAL, "%s", err);
        goto fail;
    }
    if (host_intent_open(cs, e) != 0)
        goto fail;
    if (db_path != NULL && asprintf(&keypath, "%s.key", db_path) < 0) {
        keypath = NULL;
        goto nomem;
    }
    if (host_secret_key(keypath, cs->key, err, sizeof(err)) != 0) {
        host_fail(e, HOST_E_INTERNAL, "%s", err);
        goto fail;
    }
    free(keypath);
    keypath = NULL;
    if (host_config_load(cs, e) != 0)
        goto fail;
    return 0;
nomem:
    host_fail(e, HOST_E_INTERNAL, "out of memory");
fail:
    free(keypath);
    host_cs_close(cs);
    return -1;
}

int host_cs_load_plugin(host_cs *cs, const char *path, host_err *e)
{
    char err[1024];

    cs->plugin = host_plugin_load(path, &cs->svc.table, err, sizeof(err));
    if (cs->plugin == NULL)
        return host_fail(e, HOST_E_INTERNAL, "%s", err);
    cs->sp = host_plugin_descriptor(cs->plugin);
    free(cs->plugin_path);
    cs->plugin_path = strdup(path);
    return 0;
}

void host_cs_close(host_cs *cs)
{
    host_undo_clear(cs);
    host_pools_close_all(cs);
    host_plugin_unload(cs->plugin);
    cs->plugin = NULL;
    cs->sp = NULL;
    host_sims_stop_all(cs);
    if (cs->db != NULL)
        host_store_close(cs->db);
    cs->db = NULL;
    host_intent_close(cs);
    if (cs->workdir_temp && cs->workdir != NULL)
        host_remove_tree(cs->workdir);
    free(cs->workdir);
    free(cs->db_path);
    free(cs->self_exe);
    free(cs->plugin_path);
    free(cs->last);
    host_vars_free(cs->vars);
    host_services_free(&cs->svc);
    host_wipe(cs->key, sizeof(cs->key));
    memset(cs, 0, sizeof(*cs));
}
