/* harness.c - bringing the harness's state up (database, key, work dir, settings, the plugin)
 * and down again (undo journal, pool handles, the plugin, simulators, the work dir).
 * Everything a command needs hangs off host_cs; nothing is global, so tests can open several. */
#include "config.h"

#include "harness.h"

#include "alert.h"
#include "cfg.h"
#include "fsutil.h"
#include "imagepath.h"
#include "intent.h"
#include "mask.h"
#include "poolh.h"
#include "secret.h"
#include "simproc.h"
#include "store.h"
#include "undo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int host_cs_open(host_cs *cs, const char *db_path, const char *workdir, host_err *e)
{
    char err[512], *keypath = NULL;

    memset(cs, 0, sizeof(*cs));
    if (host_services_init(&cs->svc) != 0)
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    cs->svc.log_filter = host_mask_text;
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
    /* The key first: a database whose key is refused is not even opened (opening it updates it). */
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
    if (host_store_open(db_path, &cs->db, err, sizeof(err)) != 0) {
        host_fail(e, HOST_E_INTERNAL, "%s", err);
        goto fail;
    }
    if (host_intent_open(cs, e) != 0)
        goto fail;
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
    return host_config_adopt_plugin(cs, e);
}

void host_cs_close(host_cs *cs)
{
    host_undo_clear(cs);
    host_alerts_discard(cs);
    host_pools_close_all(cs);
    host_config_drop_plugin(cs);
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
    host_image_dirs_free(cs);
    free(cs->db_path);
    free(cs->self_exe);
    free(cs->plugin_path);
    free(cs->last);
    host_vars_free(cs->vars);
    host_services_free(&cs->svc);
    host_wipe(cs->key, sizeof(cs->key));
    memset(cs, 0, sizeof(*cs));
}
