/* seeding.c - markers of template copies in progress, and what a restarted harness does with
 * the ones a kill left (see seeding.h). */
#include "config.h"

#include "seeding.h"

#include "fsutil.h"
#include "poolh.h"
#include "pools.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int marker_path(const host_cs *cs, int64_t template_id, int64_t pool_id, char *out, size_t outlen)
{
    int n;

    if (template_id > 0)
        n = snprintf(out, outlen, "%s/seeding/%" PRId64 "-%" PRId64, cs->workdir, template_id, pool_id);
    else
        n = snprintf(out, outlen, "%s/seeding", cs->workdir);
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

void host_seeding_clear(host_cs *cs, int64_t template_id, int64_t pool_id)
{
    char path[4096];

    if (marker_path(cs, template_id, pool_id, path, sizeof(path)) == 0)
        (void)unlink(path);
}

/* One marker: 1 resolved (marker to remove), 0 left for the next start (why says why). */
static int resolve(host_cs *cs, int64_t template_id, int64_t pool_id, const char **outcome, char *why,
                   size_t whylen, host_err *e)
{
    char err[512];
    int64_t recorded = 0, exists = 0;
    sp_pool *pool;
    sp_volume_info info = SP_INIT(sp_volume_info);
    sp_error se;
    sp_status s;
    host_err pe;

    if (host_sql_int(cs->db, &recorded, err, sizeof(err),
                     "SELECT count(*) FROM template_pool WHERE template_id = ? AND pool_id = ?", "ii",
                     template_id, pool_id) < 0 ||
        host_sql_int(cs->db, &exists, err, sizeof(err), "SELECT count(*) FROM pool WHERE id = ?", "i",
                     pool_id) < 0)
        return host_fail_db(e, err);
    if (recorded > 0) {
        *outcome = "recorded";
        return 1;
    }
    if (exists == 0) {
        *outcome = "pool-gone";
        return 1;
    }
    memset(&pe, 0, sizeof(pe));
    if (host_pool_open(cs, pool_id, &pool, &pe) != 0) {
        snprintf(why, whylen, "%s", pe.text);
        return 0;
    }
    memset(&se, 0, sizeof(se));
    info = (sp_volume_info)SP_INIT(sp_volume_info);
    s = cs->sp->driver->find_template(pool, (uint64_t)template_id, &info, &se);
    if (s == SP_E_NOT_FOUND) {
        *outcome = "nothing-created";
        return 1;
    }
    if (s == SP_OK) {
        memset(&se, 0, sizeof(se));
        s = cs->sp->driver->delete_volume(pool, &(sp_volume_ref){info.path}, &se);
        if (s == SP_OK) {
            *outcome = "partial-copy-deleted";
            return 1;
        }
    }
    snprintf(why, whylen, "%s", se.message);
    return 0;
}

int host_seeding_recover(host_cs *cs, host_jsonw *w, host_err *e)
{
    char dir[4096];
    DIR *d;
    struct dirent *de;
    int any = 0, rc = 0;

    if (cs->workdir == NULL || marker_path(cs, 0, 0, dir, sizeof(dir)) != 0 || (d = opendir(dir)) == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        long long t = 0, p = 0;
        char tail = 0, why[sizeof(((host_err *)0)->text)] = "", uuid[40], tuuid[40] = "", err[512];
        const char *outcome = "left";
        int done;

        if (sscanf(de->d_name, "%lld-%lld%c", &t, &p, &tail) != 2 || t <= 0 || p <= 0)
            continue;
        if (!any && host_need_plugin(cs, e) != 0) {
            rc = -1;
            break;
        }
        done = resolve(cs, (int64_t)t, (int64_t)p, &outcome, why, sizeof(why), e);
        if (done < 0) {
            rc = -1;
            break;
        }
        if (!any)
            host_jsonw_array_begin(w, "seedings");
        any = 1;
        host_pool_uuid(cs, (int64_t)p, uuid);
        if (host_sql_text(cs->db, tuuid, sizeof(tuuid), err, sizeof(err),
                          "SELECT uuid FROM template WHERE id = ?", "i", (int64_t)t) <= 0)
            snprintf(tuuid, sizeof(tuuid), "%lld", t); /* the template itself is gone */
        host_jsonw_object_begin(w, NULL);
        host_jsonw_string(w, "templateid", tuuid);
        host_jsonw_string(w, "storageid", uuid);
        host_jsonw_string(w, "outcome", outcome);
        if (!done)
            host_jsonw_string(w, "reason", why);
        host_jsonw_object_end(w);
        if (done)
            host_seeding_clear(cs, (int64_t)t, (int64_t)p);
    }
    closedir(d);
    if (any)
        host_jsonw_array_end(w);
    return rc;
}
