/* Volume lifecycle: create, remove (four modes), resize, rename (see volops.h). */
#include <config.h>
#include "capacity.h"
#include "datafile.h"
#include "devices.h"
#include "volops.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VOLUME_KB (UINT64_C(1) << 40) /* 1 PiB, the 3.x volume size limit */

enum sim_err sim_name_check(struct sim_model *m, const char *name, const struct sim_volume *self)
{
    struct sim_volume *other;
    if (strlen(name) > 31)
        return SIM_E_LONG_NAME;
    for (const char *p = name; *p; p++)
        if (!isgraph((unsigned char)*p) || (unsigned char)*p > 126)
            return SIM_E_INVALID_NAME;
    other = *name ? sim_find_volume_by_name(m, name) : NULL;
    if (other && other != self)
        return SIM_E_NAME_IN_USE;
    return SIM_OK;
}

enum sim_err sim_volume_create(struct sim_model *m, const char *name, struct sim_pool *pool, uint64_t size_kb,
                               bool thick, struct sim_volume **out)
{
    enum sim_err e = sim_name_check(m, name, NULL);
    struct sim_volume *v;
    uint64_t rounded;
    int rc;
    if (e)
        return e;
    if (size_kb == 0)
        return SIM_E_SIZE_ILLEGAL;
    if (size_kb > MAX_VOLUME_KB)
        return SIM_E_SIZE_TOO_LARGE;
    rounded = (size_kb + SIM_KB_PER_8GIB - 1) / SIM_KB_PER_8GIB * SIM_KB_PER_8GIB;
    e = (enum sim_err)sim_capacity_check(m, pool, rounded, thick);
    if (e)
        return e;
    v = sim_xcalloc(1, sizeof(*v));
    sim_model_new_id(m, v->id);
    sim_strlcpy(v->name, name, sizeof(v->name));
    v->size_kb = rounded;
    v->type = thick ? SIM_VOL_THICK : SIM_VOL_THIN;
    v->created = sim_wall_s();
    strcpy(v->access_limit, "ReadWrite");
    v->path = sim_fmt("%s/%s.img", m->state_dir, v->id);
    rc = sim_data_create(v->path, rounded * 1024);
    if (rc) {
        free(v->path);
        free(v);
        return SIM_E_INTERNAL;
    }
    v->vtree = sim_model_add_vtree(m, pool, thick);
    sim_strlcpy(v->vtree->root_id, v->id, sizeof(v->vtree->root_id));
    sim_model_add_volume(m, v);
    *out = v;
    return SIM_OK;
}

static struct sim_volume *bulk_one(struct sim_model *m, const char *prefix, const char *suffix,
                                   uint64_t size_kb, enum sim_vtype type, struct sim_vtree *t,
                                   const struct sim_volume *ancestor)
{
    struct sim_volume *v = sim_xcalloc(1, sizeof(*v));
    sim_model_new_id(m, v->id);
    snprintf(v->name, sizeof(v->name), "%s-%u-%s", prefix, ++m->bulk_counter, suffix);
    v->size_kb = size_kb;
    v->type = type;
    v->vtree = t;
    if (ancestor)
        memcpy(v->ancestor, ancestor->id, sizeof(v->ancestor));
    v->created = sim_wall_s();
    strcpy(v->access_limit, "ReadWrite");
    v->path = sim_fmt("%s/%s.img", m->state_dir, v->id);
    if (sim_data_create(v->path, size_kb * 1024) != 0) {
        sim_volume_free(v);
        return NULL;
    }
    sim_model_add_volume(m, v);
    return v;
}

enum sim_err sim_volume_bulk(struct sim_model *m, struct sim_pool *pool, size_t n, size_t nsnaps,
                             uint64_t size_kb, const char *suffix, struct sim_volume ***vols,
                             struct sim_volume ***snaps)
{
    size_t sl = strlen(suffix);
    *vols = sim_xcalloc(n + 1, sizeof(**vols));
    *snaps = sim_xcalloc(nsnaps + 1, sizeof(**snaps));
    if (n == 0 && nsnaps > 0)
        return SIM_E_BAD_REQUEST;
    if (n > 0 && (nsnaps + n - 1) / n + 1 > 126)
        return SIM_E_TOO_MANY_SNAPS;
    /* "snap-4294967295-" and the suffix must fit a name. */
    if (sl == 0 || 16 + sl > 31)
        return SIM_E_LONG_NAME;
    for (const char *p = suffix; *p; p++)
        if (!isgraph((unsigned char)*p) || (unsigned char)*p > 126)
            return SIM_E_INVALID_NAME;
    /* The names to come are "<vol|snap>-<k>-<suffix>" for the next n + nsnaps numbers: one pass
     * over the model finds any already taken. */
    for (size_t i = 0; i < m->nvols; i++) {
        const char *nm = m->vols[i]->name, *dash = strchr(nm, '-');
        size_t nl = strlen(nm);
        unsigned long k;
        if (nl <= sl + 1 || strcmp(nm + nl - sl, suffix) || nm[nl - sl - 1] != '-' || !dash)
            continue;
        k = strtoul(dash + 1, NULL, 10);
        if (k > m->bulk_counter && k <= m->bulk_counter + n + nsnaps)
            return SIM_E_NAME_IN_USE;
    }
    for (size_t i = 0; i < n; i++) {
        struct sim_vtree *t = sim_model_add_vtree(m, pool, false);
        struct sim_volume *v = bulk_one(m, "vol", suffix, size_kb, SIM_VOL_THIN, t, NULL);
        if (!v)
            return SIM_E_INTERNAL;
        sim_strlcpy(t->root_id, v->id, sizeof(t->root_id));
        (*vols)[i] = v;
    }
    for (size_t i = 0; i < nsnaps; i++) {
        struct sim_volume *base = (*vols)[i % n];
        struct sim_volume *s = bulk_one(m, "snap", suffix, size_kb, SIM_VOL_SNAPSHOT, base->vtree, base);
        if (!s)
            return SIM_E_INTERNAL;
        (*snaps)[i] = s;
    }
    return SIM_OK;
}

static bool is_descendant(struct sim_model *m, const struct sim_volume *v, const char *ancestor_id)
{
    /* Walk up the ancestor chain; V-Trees are shallow so this stays cheap. */
    const struct sim_volume *cur = v;
    for (size_t guard = 0; cur && cur->ancestor[0] && guard < m->nvols + 1; guard++) {
        if (!strcmp(cur->ancestor, ancestor_id))
            return true;
        cur = sim_find_volume(m, cur->ancestor);
    }
    return false;
}

/* Removes one volume: its device entries, data, and re-parents its children. */
static void drop_one(struct sim_model *m, struct sim_volume *v)
{
    struct sim_vtree *t = v->vtree;
    for (size_t i = 0; i < m->nvols; i++)
        if (!strcmp(m->vols[i]->ancestor, v->id))
            memcpy(m->vols[i]->ancestor, v->ancestor, sizeof(v->ancestor));
    for (size_t i = 0; i < v->nmaps; i++)
        sim_dev_remove(m, v, &v->maps[i]);
    sim_data_remove(v->path);
    if (!strcmp(t->root_id, v->id)) {
        /* The tree lives on under its oldest remaining base-less member. */
        t->root_id[0] = '\0';
        for (size_t i = 0; i < m->nvols; i++)
            if (m->vols[i] != v && m->vols[i]->vtree == t && !m->vols[i]->ancestor[0]) {
                memcpy(t->root_id, m->vols[i]->id, sizeof(t->root_id));
                break;
            }
    }
    sim_model_drop_volume(m, v);
    sim_model_drop_vtree_if_empty(m, t);
}

bool sim_removal_busy(struct sim_model *m, const struct sim_vtree *t)
{
    return m->removal_ms > 0 && t->removing_until > sim_now_ms();
}

void sim_removal_mark(struct sim_model *m, const char *vtree_id)
{
    struct sim_vtree *t = m->removal_ms > 0 ? sim_find_vtree(m, vtree_id) : NULL;
    if (t)
        t->removing_until = sim_now_ms() + m->removal_ms;
}

enum sim_err sim_volume_remove(struct sim_model *m, struct sim_volume *v, enum sim_remove_mode mode)
{
    return sim_volume_remove_ex(m, v, mode, true);
}

enum sim_err sim_volume_remove_ex(struct sim_model *m, struct sim_volume *v, enum sim_remove_mode mode,
                                  bool busy_check)
{
    struct sim_volume **set = sim_xcalloc(m->nvols, sizeof(*set));
    size_t n = 0;
    enum sim_err e = SIM_OK;
    sim_idbuf tree;
    for (size_t i = 0; i < m->nvols; i++) {
        struct sim_volume *x = m->vols[i];
        bool take = false;
        switch (mode) {
        case SIM_RM_ONLY_ME: take = x == v; break;
        case SIM_RM_INCLUDING_DESCENDANTS: take = x == v || is_descendant(m, x, v->id); break;
        case SIM_RM_DESCENDANTS_ONLY: take = x != v && is_descendant(m, x, v->id); break;
        case SIM_RM_WHOLE_VTREE: take = x->vtree == v->vtree; break;
        }
        if (take)
            set[n++] = x;
    }
    if (n == 0) {
        e = SIM_E_NOTHING_TO_DO;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (set[i]->nmaps) {
            e = SIM_E_VOL_MAPPED;
            goto out;
        }
    /* Every member of the set is in v's V-Tree. */
    if (busy_check && sim_removal_busy(m, v->vtree)) {
        e = SIM_E_REMOVE_IN_PROGRESS;
        goto out;
    }
    memcpy(tree, v->vtree->id, sizeof(tree));
    for (size_t i = 0; i < n; i++)
        drop_one(m, set[i]);
    if (busy_check)
        sim_removal_mark(m, tree);
out:
    free(set);
    return e;
}

enum sim_err sim_volume_resize(struct sim_model *m, struct sim_volume *v, uint64_t size_gib)
{
    uint64_t kb = size_gib * 1024 * 1024, rounded;
    enum sim_err e;
    if (size_gib > MAX_VOLUME_KB / 1024 / 1024)
        return SIM_E_SIZE_TOO_LARGE;
    /* Clients send multiples of 8; others round up like create does. */
    rounded = (kb + SIM_KB_PER_8GIB - 1) / SIM_KB_PER_8GIB * SIM_KB_PER_8GIB;
    if (rounded <= v->size_kb)
        return SIM_E_DECREASE;
    if (v->type != SIM_VOL_SNAPSHOT) {
        e = (enum sim_err)sim_capacity_check(m, v->vtree->pool, rounded - v->size_kb, v->vtree->thick);
        if (e)
            return e;
    }
    if (v->readonly)
        sim_data_set_readonly(v->path, false);
    e = sim_data_resize(v->path, rounded * 1024) ? SIM_E_INTERNAL : SIM_OK;
    if (v->readonly)
        v->readonly_enforced = sim_data_set_readonly(v->path, true);
    if (!e) {
        v->size_kb = rounded;
        sim_dev_resized(v);
    }
    return e;
}

enum sim_err sim_volume_rename(struct sim_model *m, struct sim_volume *v, const char *name)
{
    enum sim_err e = sim_name_check(m, name, v);
    if (e)
        return e;
    sim_strlcpy(v->name, name, sizeof(v->name));
    return SIM_OK;
}

void sim_volume_set_readonly(struct sim_volume *v, bool readonly)
{
    v->readonly = readonly;
    v->readonly_enforced = sim_data_set_readonly(v->path, readonly);
}
