/* Device entries of mapped volumes (see devices.h). */
#include <config.h>
#include "devices.h"
#include "loopdev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *sim_dev_path(const struct sim_model *m, const struct sim_sdc *sdc, const struct sim_volume *v)
{
    return sim_fmt("%s/emc-vol-%s-%s", sdc->devdir, m->system_id, v->id);
}

/* What a device entry points at: the volume's loop device (--loop-devices; made on first need
 * and shared by its mappings) or its data file. */
static const char *entry_target(struct sim_model *m, struct sim_volume *v)
{
    char why[256];
    if (!m->loop_devices)
        return v->path;
    if (!v->loop_dev[0]) {
        v->loop_fd = sim_loop_attach(v->path, v->loop_dev, why, sizeof(why));
        if (v->loop_fd < 0) {
            v->loop_dev[0] = '\0';
            fprintf(stderr, "powerflex-sim: volume %s: %s; its device entry is its data file\n", v->id, why);
            return v->path;
        }
    }
    return v->loop_dev;
}

static void make_entry(struct sim_model *m, struct sim_volume *v, struct sim_mapping *mp)
{
    char *path;
    const char *target;
    if (mp->sdc->detached) {
        /* An SDC outside the MDMs does not learn of its mappings: nothing appears until it
         * joins (sim_sdc_set_joined). */
        mp->present = false;
        mp->due_ms = 0;
        return;
    }
    path = sim_dev_path(m, mp->sdc, v);
    target = entry_target(m, v);
    if (symlink(target, path) != 0 && errno == EEXIST) {
        unlink(path);
        if (symlink(target, path) != 0)
            fprintf(stderr, "powerflex-sim: cannot create %s: %s\n", path, strerror(errno));
    }
    mp->present = true;
    mp->due_ms = 0;
    free(path);
}

void sim_dev_schedule(struct sim_model *m, struct sim_volume *v, struct sim_mapping *mp, int64_t delay_ms)
{
    mp->present = false;
    mp->due_ms = sim_now_ms() + delay_ms;
    if (delay_ms <= 0)
        make_entry(m, v, mp);
}

void sim_dev_remove(struct sim_model *m, struct sim_volume *v, struct sim_mapping *mp)
{
    if (mp->present) {
        bool shared = false;
        for (size_t i = 0; i < v->nmaps; i++)
            if (&v->maps[i] != mp && v->maps[i].present && !strcmp(v->maps[i].sdc->devdir, mp->sdc->devdir))
                shared = true;
        if (!shared) {
            char *path = sim_dev_path(m, mp->sdc, v);
            unlink(path);
            free(path);
        }
    }
    mp->present = false;
    mp->due_ms = 0;
    if (v->loop_dev[0]) {
        bool used = false;
        for (size_t i = 0; i < v->nmaps; i++)
            if (v->maps[i].present)
                used = true;
        if (!used) {
            sim_loop_detach(v->loop_fd);
            v->loop_dev[0] = '\0';
        }
    }
}

void sim_dev_resized(struct sim_volume *v)
{
    if (v->loop_dev[0])
        sim_loop_resize(v->loop_fd);
}

void sim_dev_rescan(struct sim_model *m, const struct sim_sdc *sdc)
{
    for (size_t i = 0; i < m->nvols; i++) {
        struct sim_volume *v = m->vols[i];
        for (size_t j = 0; j < v->nmaps; j++)
            if (v->maps[j].sdc == sdc && !v->maps[j].present)
                make_entry(m, v, &v->maps[j]);
    }
}

void sim_dev_tick(struct sim_model *m, int64_t now_ms)
{
    for (size_t i = 0; i < m->nvols; i++) {
        struct sim_volume *v = m->vols[i];
        for (size_t j = 0; j < v->nmaps; j++)
            if (!v->maps[j].present && v->maps[j].due_ms && v->maps[j].due_ms <= now_ms)
                make_entry(m, v, &v->maps[j]);
    }
}

void sim_dev_restore(struct sim_model *m)
{
    for (size_t i = 0; i < m->nvols; i++) {
        struct sim_volume *v = m->vols[i];
        for (size_t j = 0; j < v->nmaps; j++)
            if (v->maps[j].present)
                make_entry(m, v, &v->maps[j]);
    }
}

void sim_sdc_set_joined(struct sim_model *m, struct sim_sdc *s, bool joined)
{
    if (s->detached == !joined)
        return;
    s->detached = !joined;
    m->dirty = true;
    for (size_t i = 0; i < m->nvols; i++) {
        struct sim_mapping *mp = sim_volume_mapping(m->vols[i], s);
        if (!mp)
            continue;
        if (joined)
            sim_dev_schedule(m, m->vols[i], mp, 0);
        else
            sim_dev_remove(m, m->vols[i], mp);
    }
}
