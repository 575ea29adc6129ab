/* State file of the simulator (see persist.h). */
#include <config.h>
#include "persist.h"
#include "json.h"
#include "migrate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
    if (fd < 0)
        return -errno;
    if (fsync(fd) != 0)
        rc = -errno;
    close(fd);
    return rc;
}

int sim_persist_save(struct sim_model *m)
{
    sim_jw *w;
    char *text, *path, *tmp;
    FILE *f;
    int rc = 0;
    /* A temporary directory goes at exit, and a volatile simulator is never started again on its
     * state: neither is saved (the file is the whole state, written and synced per change). */
    if (m->state_dir_temp || m->volatile_state)
        return 0;
    w = sim_jw_new();
    sim_jw_obj(w);
    sim_jw_kint(w, "format", 1);
    sim_jw_kstr(w, "systemId", m->system_id);
    sim_jw_kint(w, "idCounter", m->id_counter);
    sim_jw_key(w, "pools");
    sim_jw_arr(w);
    for (size_t i = 0; i < m->npools; i++) {
        sim_jw_obj(w);
        sim_jw_kstr(w, "id", m->pools[i]->id);
        sim_jw_kstr(w, "name", m->pools[i]->name);
        sim_jw_kstr(w, "domain", m->pools[i]->pd->name);
        sim_jw_kstr(w, "domainId", m->pools[i]->pd->id);
        sim_jw_kint(w, "rawKb", (int64_t)m->pools[i]->raw_kb);
        sim_jw_obj_end(w);
    }
    sim_jw_arr_end(w);
    sim_jw_key(w, "sdcs");
    sim_jw_arr(w);
    for (size_t i = 0; i < m->nsdcs; i++) {
        sim_jw_obj(w);
        sim_jw_kstr(w, "id", m->sdcs[i]->id);
        sim_jw_kstr(w, "ip", m->sdcs[i]->ip);
        sim_jw_kstr(w, "guid", m->sdcs[i]->guid);
        sim_jw_kstr(w, "name", m->sdcs[i]->name);
        sim_jw_kstr(w, "devdir", m->sdcs[i]->devdir);
        sim_jw_kbool(w, "detached", m->sdcs[i]->detached);
        sim_jw_obj_end(w);
    }
    sim_jw_arr_end(w);
    sim_jw_key(w, "vtrees");
    sim_jw_arr(w);
    for (size_t i = 0; i < m->nvtrees; i++) {
        const struct sim_vtree *t = m->vtrees[i];
        sim_jw_obj(w);
        sim_jw_kstr(w, "id", t->id);
        /* A migration in flight is saved as done: it would have finished by now. A paused,
         * failed or rolling back one is saved as never started. */
        sim_jw_kstr(w, "pool", sim_migrate_ends_in_dest(t) ? t->mig_dest->id : t->pool->id);
        sim_jw_kbool(w, "thick",
                     sim_migrate_ends_in_dest(t) && t->mig_conv != SIM_CONV_NONE
                         ? t->mig_conv == SIM_CONV_THIN_TO_THICK
                         : t->thick);
        sim_jw_kstr(w, "root", t->root_id);
        sim_jw_obj_end(w);
    }
    sim_jw_arr_end(w);
    sim_jw_key(w, "volumes");
    sim_jw_arr(w);
    for (size_t i = 0; i < m->nvols; i++) {
        const struct sim_volume *v = m->vols[i];
        sim_jw_obj(w);
        sim_jw_kstr(w, "id", v->id);
        sim_jw_kstr(w, "name", v->name);
        sim_jw_kint(w, "sizeKb", (int64_t)v->size_kb);
        sim_jw_kint(w, "type", v->type);
        sim_jw_kstr(w, "vtree", v->vtree->id);
        sim_jw_kstr(w, "ancestor", v->ancestor);
        sim_jw_kstr(w, "group", v->group);
        sim_jw_kint(w, "created", v->created);
        sim_jw_kbool(w, "mapAll", v->map_all);
        sim_jw_kbool(w, "readOnly", v->readonly);
        sim_jw_kstr(w, "accessLimit", v->access_limit);
        sim_jw_key(w, "maps");
        sim_jw_arr(w);
        for (size_t j = 0; j < v->nmaps; j++) {
            sim_jw_obj(w);
            sim_jw_kstr(w, "sdc", v->maps[j].sdc->id);
            sim_jw_kint(w, "iops", v->maps[j].iops);
            sim_jw_kint(w, "bwKbps", v->maps[j].bw_kbps);
            sim_jw_kstr(w, "access", v->maps[j].access);
            /* a pending entry is there by the time anyone looks after a restart */
            sim_jw_obj_end(w);
        }
        sim_jw_arr_end(w);
        sim_jw_obj_end(w);
    }
    sim_jw_arr_end(w);
    sim_jw_obj_end(w);
    text = sim_jw_finish(w);
    path = sim_fmt("%s/%s", m->state_dir, SIM_STATE_FILE);
    tmp = sim_fmt("%s.tmp", path);
    /* Written whole under another name, synced, then renamed over the old file and the rename
     * synced: a kill (or a power cut) leaves the old state or the new one, never half of one. */
    f = fopen(tmp, "w");
    if (!f || fputs(text, f) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = -errno;
    if (f && fclose(f) != 0 && !rc)
        rc = -errno;
    if (!rc && rename(tmp, path) != 0)
        rc = -errno;
    if (!rc)
        rc = sync_dir(m->state_dir);
    if (rc) {
        fprintf(stderr, "powerflex-sim: cannot save %s: %s\n", path, strerror(-rc));
        unlink(tmp);
    }
    free(text);
    free(path);
    free(tmp);
    return rc;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = sim_xmalloc((size_t)n + 1);
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
        }
    }
    fclose(f);
    return buf;
}

static const char *s_of(yajl_val o, const char *k)
{
    yajl_val v = sim_jr_get(o, k);
    return v && YAJL_IS_STRING(v) ? v->u.string : NULL;
}

static int64_t i_of(yajl_val o, const char *k)
{
    yajl_val v = sim_jr_get(o, k);
    return v && YAJL_IS_INTEGER(v) ? (int64_t)YAJL_GET_INTEGER(v) : 0;
}

static bool b_of(yajl_val o, const char *k)
{
    yajl_val v = sim_jr_get(o, k);
    return v && YAJL_IS_TRUE(v);
}

static yajl_val arr_of(yajl_val o, const char *k)
{
    yajl_val v = sim_jr_get(o, k);
    return v && YAJL_IS_ARRAY(v) ? v : NULL;
}

static bool id_ok(const char *s)
{
    return s && strlen(s) == SIM_ID_LEN && sim_is_hex_id(s);
}

static void load_pools(struct sim_model *m, yajl_val pools)
{
    for (size_t i = 0; pools && i < pools->u.array.len; i++) {
        yajl_val o = pools->u.array.values[i];
        const char *id = s_of(o, "id"), *name = s_of(o, "name"), *dom = s_of(o, "domain");
        const char *dom_id = s_of(o, "domainId");
        struct sim_pool *p = NULL;
        struct sim_pd *pd;
        if (!id_ok(id) || !name || !dom)
            continue;
        pd = sim_model_add_pd(m, dom);
        if (id_ok(dom_id))
            sim_strlcpy(pd->id, dom_id, sizeof(pd->id));
        for (size_t j = 0; j < m->npools && !p; j++)
            if (m->pools[j]->pd == pd && !strcmp(m->pools[j]->name, name))
                p = m->pools[j];
        if (!p) {
            p = sim_xcalloc(1, sizeof(*p));
            p->name = sim_xstrdup(name);
            p->pd = pd;
            p->raw_kb = (uint64_t)i_of(o, "rawKb");
            m->pools = sim_xrealloc(m->pools, (m->npools + 1) * sizeof(*m->pools));
            m->pools[m->npools++] = p;
        }
        sim_strlcpy(p->id, id, sizeof(p->id));
    }
}

static void load_sdcs(struct sim_model *m, yajl_val sdcs)
{
    for (size_t i = 0; sdcs && i < sdcs->u.array.len; i++) {
        yajl_val o = sdcs->u.array.values[i];
        const char *id = s_of(o, "id"), *ip = s_of(o, "ip"), *guid = s_of(o, "guid");
        const char *name = s_of(o, "name"), *dir = s_of(o, "devdir");
        struct sim_sdc *s;
        if (!id_ok(id) || !ip || !guid)
            continue;
        s = sim_find_sdc_by_ip(m, ip);
        if (!s) {
            s = sim_xcalloc(1, sizeof(*s));
            s->ip = sim_xstrdup(ip);
            s->guid = sim_xstrdup(guid);
            s->devdir = dir ? sim_xstrdup(dir) : NULL;
            m->sdcs = sim_xrealloc(m->sdcs, (m->nsdcs + 1) * sizeof(*m->sdcs));
            m->sdcs[m->nsdcs++] = s;
        }
        sim_strlcpy(s->id, id, sizeof(s->id));
        s->detached = b_of(o, "detached");
        if (name) {
            free(s->name);
            s->name = sim_xstrdup(name);
        }
    }
}

static void load_volumes(struct sim_model *m, yajl_val trees, yajl_val vols)
{
    for (size_t i = 0; trees && i < trees->u.array.len; i++) {
        yajl_val o = trees->u.array.values[i];
        const char *id = s_of(o, "id"), *root = s_of(o, "root");
        struct sim_pool *p = s_of(o, "pool") ? sim_find_pool(m, s_of(o, "pool")) : NULL;
        struct sim_vtree *t;
        if (!id_ok(id) || !p)
            continue;
        t = sim_model_add_vtree(m, p, b_of(o, "thick"));
        sim_strlcpy(t->id, id, sizeof(t->id));
        sim_strlcpy(t->root_id, root ? root : "", sizeof(t->root_id));
    }
    for (size_t i = 0; vols && i < vols->u.array.len; i++) {
        yajl_val o = vols->u.array.values[i], maps = arr_of(o, "maps");
        const char *id = s_of(o, "id");
        struct sim_vtree *t = s_of(o, "vtree") ? sim_find_vtree(m, s_of(o, "vtree")) : NULL;
        struct sim_volume *v;
        struct stat st;
        char *path;
        if (!id_ok(id) || !t)
            continue;
        path = sim_fmt("%s/%s.img", m->state_dir, id);
        if (stat(path, &st) != 0) {
            fprintf(stderr, "powerflex-sim: saved volume %s has no data file; dropped\n", id);
            free(path);
            continue;
        }
        v = sim_xcalloc(1, sizeof(*v));
        sim_strlcpy(v->id, id, sizeof(v->id));
        sim_strlcpy(v->name, s_of(o, "name") ? s_of(o, "name") : "", sizeof(v->name));
        v->size_kb = (uint64_t)i_of(o, "sizeKb");
        v->type = (enum sim_vtype)i_of(o, "type");
        if (v->type != SIM_VOL_THICK && v->type != SIM_VOL_SNAPSHOT)
            v->type = SIM_VOL_THIN;
        v->vtree = t;
        sim_strlcpy(v->ancestor, s_of(o, "ancestor") ? s_of(o, "ancestor") : "", sizeof(v->ancestor));
        sim_strlcpy(v->group, s_of(o, "group") ? s_of(o, "group") : "", sizeof(v->group));
        v->created = i_of(o, "created");
        v->map_all = b_of(o, "mapAll");
        v->readonly = b_of(o, "readOnly");
        v->readonly_enforced = v->readonly; /* the file kept its flags */
        sim_strlcpy(v->access_limit, s_of(o, "accessLimit") ? s_of(o, "accessLimit") : "ReadWrite",
                    sizeof(v->access_limit));
        v->path = path;
        for (size_t j = 0; maps && j < maps->u.array.len; j++) {
            yajl_val mo = maps->u.array.values[j];
            struct sim_sdc *sdc = s_of(mo, "sdc") ? sim_find_sdc(m, s_of(mo, "sdc")) : NULL;
            struct sim_mapping *mp;
            if (!sdc)
                continue;
            v->maps = sim_xrealloc(v->maps, (v->nmaps + 1) * sizeof(*v->maps));
            mp = &v->maps[v->nmaps++];
            memset(mp, 0, sizeof(*mp));
            mp->sdc = sdc;
            mp->iops = i_of(mo, "iops");
            mp->bw_kbps = i_of(mo, "bwKbps");
            sim_strlcpy(mp->access, s_of(mo, "access") ? s_of(mo, "access") : "ReadWrite",
                        sizeof(mp->access));
            mp->present = true;
        }
        sim_model_add_volume(m, v);
    }
    /* V-Trees whose volumes were all lost go too. */
    for (size_t i = m->nvtrees; i-- > 0;)
        sim_model_drop_vtree_if_empty(m, m->vtrees[i]);
}

int sim_persist_load(struct sim_model *m, bool system_id_given, char *err, size_t errsz)
{
    char *path = sim_fmt("%s/%s", m->state_dir, SIM_STATE_FILE), *text, perr[256];
    const char *sys;
    yajl_val root = NULL;
    int rc = 0;
    text = slurp(path);
    if (!text) {
        if (errno != ENOENT) {
            snprintf(err, errsz, "cannot read %s: %s", path, strerror(errno));
            rc = -1;
        }
        goto out;
    }
    root = yajl_tree_parse(text, perr, sizeof(perr));
    if (!root || !YAJL_IS_OBJECT(root) || i_of(root, "format") != 1) {
        snprintf(err, errsz, "%s is not a simulator state file", path);
        rc = -1;
        goto out;
    }
    sys = s_of(root, "systemId");
    if (id_ok(sys) && strcasecmp(sys, m->system_id)) {
        if (system_id_given) {
            snprintf(err, errsz, "%s holds system %s, not the --system-id given", path, sys);
            rc = -1;
            goto out;
        }
        sim_strlcpy(m->system_id, sys, sizeof(m->system_id));
        free(m->system_name);
        m->system_name = sim_fmt("sim-%s", m->system_id);
    }
    if (i_of(root, "idCounter") > (int64_t)m->id_counter)
        m->id_counter = (uint32_t)i_of(root, "idCounter");
    load_pools(m, arr_of(root, "pools"));
    load_sdcs(m, arr_of(root, "sdcs"));
    load_volumes(m, arr_of(root, "vtrees"), arr_of(root, "volumes"));
    fprintf(stderr, "powerflex-sim: restored %zu volume(s) from %s\n", m->nvols, path);
out:
    if (root)
        yajl_tree_free(root);
    free(text);
    free(path);
    return rc;
}
