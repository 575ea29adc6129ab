/* The simulated system's object store (see model.h). */
#include <config.h>
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

uint64_t sim_model_rand(struct sim_model *m)
{
    return splitmix64(&m->prng);
}

void sim_model_new_id(struct sim_model *m, sim_idbuf out)
{
    /* Real ids look like a random-ish prefix and a sequence number: 694a2d140000000b. */
    uint32_t hi = (uint32_t)(sim_model_rand(m) >> 32);
    snprintf(out, sizeof(sim_idbuf), "%08x%08x", hi, ++m->id_counter);
}

struct sim_pd *sim_model_add_pd(struct sim_model *m, const char *name)
{
    struct sim_pd *pd = sim_find_pd_by_name(m, name);
    if (pd)
        return pd;
    pd = sim_xcalloc(1, sizeof(*pd));
    sim_model_new_id(m, pd->id);
    pd->name = sim_xstrdup(name);
    m->pds = sim_xrealloc(m->pds, (m->npds + 1) * sizeof(*m->pds));
    m->pds[m->npds++] = pd;
    return pd;
}

void sim_volume_free(struct sim_volume *v)
{
    free(v->maps);
    free(v->path);
    free(v);
}

void sim_model_lock(struct sim_model *m)
{
    pthread_mutex_lock(&m->lock);
}

void sim_model_unlock(struct sim_model *m)
{
    pthread_mutex_unlock(&m->lock);
}

struct sim_volume *sim_find_volume(struct sim_model *m, const char *id)
{
    for (size_t i = 0; i < m->nvols; i++)
        if (!strcasecmp(m->vols[i]->id, id))
            return m->vols[i];
    return NULL;
}

struct sim_volume *sim_find_volume_by_name(struct sim_model *m, const char *name)
{
    for (size_t i = 0; i < m->nvols; i++)
        if (!strcmp(m->vols[i]->name, name))
            return m->vols[i];
    return NULL;
}

struct sim_pool *sim_find_pool(struct sim_model *m, const char *id)
{
    for (size_t i = 0; i < m->npools; i++)
        if (!strcasecmp(m->pools[i]->id, id))
            return m->pools[i];
    return NULL;
}

struct sim_pd *sim_find_pd(struct sim_model *m, const char *id)
{
    for (size_t i = 0; i < m->npds; i++)
        if (!strcasecmp(m->pds[i]->id, id))
            return m->pds[i];
    return NULL;
}

struct sim_pd *sim_find_pd_by_name(struct sim_model *m, const char *name)
{
    for (size_t i = 0; i < m->npds; i++)
        if (!strcmp(m->pds[i]->name, name))
            return m->pds[i];
    return NULL;
}

struct sim_sdc *sim_find_sdc(struct sim_model *m, const char *id)
{
    for (size_t i = 0; i < m->nsdcs; i++)
        if (!strcasecmp(m->sdcs[i]->id, id))
            return m->sdcs[i];
    return NULL;
}

struct sim_sdc *sim_find_sdc_by_ip(struct sim_model *m, const char *ip)
{
    for (size_t i = 0; i < m->nsdcs; i++)
        if (!strcmp(m->sdcs[i]->ip, ip))
            return m->sdcs[i];
    return NULL;
}

struct sim_sdc *sim_find_sdc_by_guid(struct sim_model *m, const char *guid)
{
    for (size_t i = 0; i < m->nsdcs; i++)
        if (!strcasecmp(m->sdcs[i]->guid, guid))
            return m->sdcs[i];
    return NULL;
}

struct sim_vtree *sim_find_vtree(struct sim_model *m, const char *id)
{
    for (size_t i = 0; i < m->nvtrees; i++)
        if (!strcasecmp(m->vtrees[i]->id, id))
            return m->vtrees[i];
    return NULL;
}

/* The arrays grow by doubling: tens of thousands of volumes made one by one (or by
 * sim_volume_bulk) would otherwise be copied over and over. */
void sim_model_add_volume(struct sim_model *m, struct sim_volume *v)
{
    if (m->nvols == m->vols_cap) {
        m->vols_cap = m->vols_cap ? m->vols_cap * 2 : 64;
        m->vols = sim_xrealloc(m->vols, m->vols_cap * sizeof(*m->vols));
    }
    m->vols[m->nvols++] = v;
}

void sim_model_drop_volume(struct sim_model *m, struct sim_volume *v)
{
    for (size_t i = 0; i < m->nvols; i++) {
        if (m->vols[i] != v)
            continue;
        memmove(&m->vols[i], &m->vols[i + 1], (m->nvols - i - 1) * sizeof(*m->vols));
        m->nvols--;
        break;
    }
    sim_volume_free(v);
}

struct sim_vtree *sim_model_add_vtree(struct sim_model *m, struct sim_pool *pool, bool thick)
{
    struct sim_vtree *t = sim_xcalloc(1, sizeof(*t));
    sim_model_new_id(m, t->id);
    t->pool = pool;
    t->thick = thick;
    if (m->nvtrees == m->vtrees_cap) {
        m->vtrees_cap = m->vtrees_cap ? m->vtrees_cap * 2 : 64;
        m->vtrees = sim_xrealloc(m->vtrees, m->vtrees_cap * sizeof(*m->vtrees));
    }
    m->vtrees[m->nvtrees++] = t;
    return t;
}

size_t sim_vtree_members(struct sim_model *m, const struct sim_vtree *t, size_t *nsnaps)
{
    size_t n = 0, s = 0;
    for (size_t i = 0; i < m->nvols; i++) {
        if (m->vols[i]->vtree != t)
            continue;
        n++;
        if (m->vols[i]->type == SIM_VOL_SNAPSHOT)
            s++;
    }
    if (nsnaps)
        *nsnaps = s;
    return n;
}

void sim_model_drop_vtree_if_empty(struct sim_model *m, struct sim_vtree *t)
{
    if (sim_vtree_members(m, t, NULL))
        return;
    for (size_t i = 0; i < m->nvtrees; i++) {
        if (m->vtrees[i] != t)
            continue;
        memmove(&m->vtrees[i], &m->vtrees[i + 1], (m->nvtrees - i - 1) * sizeof(*m->vtrees));
        m->nvtrees--;
        break;
    }
    free(t);
}

bool sim_sdc_online(const struct sim_sdc *s)
{
    return !s->detached && !s->disconnected;
}

struct sim_mapping *sim_volume_mapping(struct sim_volume *v, const struct sim_sdc *sdc)
{
    for (size_t i = 0; i < v->nmaps; i++)
        if (v->maps[i].sdc == sdc)
            return &v->maps[i];
    return NULL;
}

const char *sim_vtype_name(enum sim_vtype t)
{
    switch (t) {
    case SIM_VOL_THICK: return "ThickProvisioned";
    case SIM_VOL_SNAPSHOT: return "Snapshot";
    case SIM_VOL_THIN: break;
    }
    return "ThinProvisioned";
}
