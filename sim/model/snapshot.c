/* Snapshots, consistency groups and overwriteVolumeContent (see volops.h). */
#include <config.h>
#include "datafile.h"
#include "volops.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SNAPS_IN_VTREE 126

enum sim_err sim_snapshot_create(struct sim_model *m, const struct sim_snapdef *defs, size_t n,
                                 sim_idbuf group_out, sim_idbuf *ids_out)
{
    struct sim_volume **src = sim_xcalloc(n, sizeof(*src));
    struct sim_volume **made = sim_xcalloc(n, sizeof(*made));
    enum sim_err e = SIM_OK;
    size_t nmade = 0;
    for (size_t i = 0; i < n; i++) {
        size_t nsnaps = 0;
        src[i] = sim_find_volume(m, defs[i].volume_id);
        if (!src[i]) {
            e = SIM_E_VOL_NOT_FOUND;
            goto out;
        }
        if (defs[i].name) {
            e = sim_name_check(m, defs[i].name, NULL);
            for (size_t j = 0; !e && j < i; j++)
                if (defs[j].name && *defs[i].name && !strcmp(defs[j].name, defs[i].name))
                    e = SIM_E_NAME_IN_USE;
            if (e)
                goto out;
        }
        sim_vtree_members(m, src[i]->vtree, &nsnaps);
        for (size_t j = 0; j < i; j++)
            if (src[j]->vtree == src[i]->vtree)
                nsnaps++;
        if (nsnaps + 1 > MAX_SNAPS_IN_VTREE) {
            e = SIM_E_TOO_MANY_SNAPS;
            goto out;
        }
    }
    sim_model_new_id(m, group_out);
    for (size_t i = 0; i < n; i++) {
        struct sim_volume *s = sim_xcalloc(1, sizeof(*s));
        sim_model_new_id(m, s->id);
        if (defs[i].name)
            sim_strlcpy(s->name, defs[i].name, sizeof(s->name));
        s->size_kb = src[i]->size_kb;
        s->type = SIM_VOL_SNAPSHOT;
        s->vtree = src[i]->vtree;
        memcpy(s->ancestor, src[i]->id, sizeof(s->ancestor));
        memcpy(s->group, group_out, sizeof(s->group));
        s->created = sim_wall_s();
        strcpy(s->access_limit, "ReadWrite");
        s->path = sim_fmt("%s/%s.img", m->state_dir, s->id);
        if (sim_data_create(s->path, s->size_kb * 1024) != 0 || sim_data_copy(src[i]->path, s->path) != 0) {
            sim_data_remove(s->path);
            free(s->path);
            free(s);
            e = SIM_E_INTERNAL;
            goto out;
        }
        made[nmade++] = s;
    }
    /* All copies made: publish the group at once, as the array does. */
    for (size_t i = 0; i < nmade; i++) {
        sim_model_add_volume(m, made[i]);
        memcpy(ids_out[i], made[i]->id, sizeof(sim_idbuf));
    }
    nmade = 0;
out:
    for (size_t i = 0; i < nmade; i++) {
        sim_data_remove(made[i]->path);
        free(made[i]->path);
        free(made[i]);
    }
    free(made);
    free(src);
    return e;
}

enum sim_err sim_snapshot_remove_group(struct sim_model *m, const char *group, size_t *removed)
{
    size_t n = 0, ntrees = 0;
    sim_idbuf *trees;
    *removed = 0;
    for (size_t i = 0; i < m->nvols; i++)
        if (m->vols[i]->group[0] && !strcasecmp(m->vols[i]->group, group)) {
            n++;
            if (m->vols[i]->nmaps)
                return SIM_E_VOL_MAPPED;
            if (sim_removal_busy(m, m->vols[i]->vtree))
                return SIM_E_REMOVE_IN_PROGRESS;
        }
    if (!n)
        return SIM_E_GROUP_NOT_FOUND;
    trees = sim_xcalloc(n, sizeof(*trees));
    for (size_t i = 0; i < m->nvols;) {
        struct sim_volume *v = m->vols[i];
        if (v->group[0] && !strcasecmp(v->group, group)) {
            memcpy(trees[ntrees++], v->vtree->id, sizeof(sim_idbuf));
            sim_volume_remove_ex(m, v, SIM_RM_ONLY_ME, false);
            (*removed)++;
            continue; /* the list shifted */
        }
        i++;
    }
    for (size_t i = 0; i < ntrees; i++)
        sim_removal_mark(m, trees[i]);
    free(trees);
    return SIM_OK;
}

enum sim_err sim_volume_overwrite(struct sim_model *m, struct sim_volume *dst, const char *src_id)
{
    struct sim_volume *src = sim_find_volume(m, src_id);
    if (!src)
        return SIM_E_VOL_NOT_FOUND;
    if (src == dst)
        return SIM_E_SELF_OVERWRITE;
    if (src->vtree != dst->vtree)
        return SIM_E_VTREE_MISMATCH;
    if (src->size_kb > dst->size_kb)
        return SIM_E_SRC_LARGER;
    return sim_data_copy(src->path, dst->path) ? SIM_E_INTERNAL : SIM_OK;
}
