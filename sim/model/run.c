/* The model's life: building it from the options (or from the state a previous run saved),
 * the tick that moves time-driven state on, and tearing it down (see run.h). */
#include <config.h>
#include "run.h"
#include "datafile.h"
#include "devices.h"
#include "loopdev.h"
#include "migrate.h"
#include "persist.h"
#include "volops.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static char *new_guid(struct sim_model *m)
{
    uint64_t a = sim_model_rand(m), b = sim_model_rand(m);
    return sim_fmt("%08X-%04X-%04X-%04X-%012llX", (unsigned)(a >> 32), (unsigned)((a >> 16) & 0xffff),
                   (unsigned)(a & 0xffff), (unsigned)(b >> 48),
                   (unsigned long long)(b & UINT64_C(0xffffffffffff)));
}

/* --mdm-ips, or addresses of the system's own (10.A.B.11 to 13, A.B a hash of its id) so that
 * every simulated system has MDMs of its own that a drv_cfg can tell apart. */
static void set_mdm_ips(struct sim_model *m, const char *given)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    unsigned a, b;
    if (given) {
        const char *p = given;
        for (int i = 0; i < 3 && *p; i++) {
            size_t n = strcspn(p, ",");
            if (n >= SIM_MDM_IP_LEN)
                n = SIM_MDM_IP_LEN - 1;
            memcpy(m->mdm_ips[i], p, n);
            m->mdm_ips[i][n] = '\0';
            p += strcspn(p, ",");
            if (*p == ',')
                p++;
        }
        if (m->mdm_ips[2][0] == '\0')
            snprintf(m->mdm_ips[2], SIM_MDM_IP_LEN, "%s", m->mdm_ips[1]);
        return;
    }
    for (const char *p = m->system_id; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    a = (h >> 8) & 0xff;
    b = h & 0xff;
    for (int i = 0; i < 3; i++)
        snprintf(m->mdm_ips[i], SIM_MDM_IP_LEN, "10.%u.%u.%d", a, b, 11 + i);
}

static int absolutize(char **path, char *err, size_t errsz)
{
    char *abs = realpath(*path, NULL);
    if (!abs) {
        snprintf(err, errsz, "cannot resolve %s: %s", *path, strerror(errno));
        return -1;
    }
    free(*path);
    *path = abs;
    return 0;
}

int sim_model_init(struct sim_model *m, const struct sim_config *cfg, char *err, size_t errsz)
{
    int rc;
    memset(m, 0, sizeof(*m));
    pthread_mutex_init(&m->lock, NULL);
    if (cfg->seed_given) {
        m->prng = cfg->seed;
    } else if (getrandom(&m->prng, sizeof(m->prng), 0) != (ssize_t)sizeof(m->prng)) {
        m->prng = (uint64_t)sim_now_ms() ^ ((uint64_t)getpid() << 32);
    }
    if (cfg->system_id) {
        sim_strlcpy(m->system_id, cfg->system_id, sizeof(m->system_id));
        for (char *p = m->system_id; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    } else {
        snprintf(m->system_id, sizeof(m->system_id), "%016llx", (unsigned long long)sim_model_rand(m));
    }
    m->system_name = sim_fmt("sim-%s", m->system_id);
    set_mdm_ips(m, cfg->mdm_ips);
    m->device_delay_ms = cfg->device_delay_ms;
    m->device_delay_override = -1;
    m->migration_ms = cfg->migration_ms;
    m->migration_slots = cfg->migration_slots;
    m->migration_fail_at = cfg->migration_fail_at;
    m->migration_fail_p = cfg->migration_fail_p;
    m->migration_pause_ms = cfg->migration_pause_ms;
    m->removal_ms = cfg->removal_ms;
    if (cfg->loop_devices) {
        char why[256];
        if (!sim_loop_available(why, sizeof(why))) {
            snprintf(err, errsz, "--loop-devices: %s", why);
            return -1;
        }
        m->loop_devices = true;
    }
    m->spare_pct = cfg->spare_percent;
    m->overprovision = cfg->overprovision;
    m->volatile_state = cfg->volatile_state;
    m->install_time = sim_wall_s();

    if (cfg->state_dir) {
        m->state_dir = sim_xstrdup(cfg->state_dir);
        rc = sim_mkdir_p(m->state_dir);
        if (rc) {
            snprintf(err, errsz, "cannot create state dir %s: %s", m->state_dir, strerror(-rc));
            return -1;
        }
    } else {
        const char *tmp = getenv("TMPDIR");
        char *tpl = sim_fmt("%s/powerflex-sim.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(tpl)) {
            snprintf(err, errsz, "cannot create a temporary state dir: %s", strerror(errno));
            free(tpl);
            return -1;
        }
        m->state_dir = tpl;
        m->state_dir_temp = true;
    }
    /* Device entries are symlinks to data files: they need absolute targets. */
    if (absolutize(&m->state_dir, err, errsz))
        return -1;
    m->device_dir = cfg->device_dir ? sim_xstrdup(cfg->device_dir) : sim_fmt("%s/devices", m->state_dir);
    rc = sim_mkdir_p(m->device_dir);
    if (rc || absolutize(&m->device_dir, err, errsz)) {
        if (rc)
            snprintf(err, errsz, "cannot create device dir %s: %s", m->device_dir, strerror(-rc));
        return -1;
    }

    for (size_t i = 0; i < cfg->npools; i++) {
        struct sim_pd *pd = sim_model_add_pd(m, cfg->pools[i].domain);
        for (size_t j = 0; j < m->npools; j++)
            if (m->pools[j]->pd == pd && !strcmp(m->pools[j]->name, cfg->pools[i].name)) {
                snprintf(err, errsz, "pool %s appears twice in domain %s", cfg->pools[i].name, pd->name);
                return -1;
            }
        struct sim_pool *p = sim_xcalloc(1, sizeof(*p));
        sim_model_new_id(m, p->id);
        p->name = sim_xstrdup(cfg->pools[i].name);
        p->pd = pd;
        p->raw_kb = cfg->pools[i].size_gib * 1024 * 1024;
        m->pools = sim_xrealloc(m->pools, (m->npools + 1) * sizeof(*m->pools));
        m->pools[m->npools++] = p;
    }
    for (size_t i = 0; i < cfg->nsdcs; i++) {
        struct sim_sdc *s = sim_xcalloc(1, sizeof(*s));
        sim_model_new_id(m, s->id);
        s->ip = sim_xstrdup(cfg->sdcs[i].ip);
        s->guid = cfg->sdcs[i].guid ? sim_xstrdup(cfg->sdcs[i].guid) : new_guid(m);
        for (char *p = s->guid; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        /* NULL until resolved below, once a saved state may have renumbered the SDC */
        s->devdir = cfg->sdcs[i].devdir ? sim_xstrdup(cfg->sdcs[i].devdir) : NULL;
        s->detached = cfg->sdcs_detached;
        m->sdcs = sim_xrealloc(m->sdcs, (m->nsdcs + 1) * sizeof(*m->sdcs));
        m->sdcs[m->nsdcs++] = s;
    }
    if (!m->state_dir_temp && sim_persist_load(m, cfg->system_id != NULL, err, errsz))
        return -1;
    for (size_t i = 0; i < m->nsdcs; i++) {
        struct sim_sdc *s = m->sdcs[i];
        if (!s->devdir)
            s->devdir = sim_fmt("%s/%s", m->device_dir, s->id);
        rc = sim_mkdir_p(s->devdir);
        if (rc) {
            snprintf(err, errsz, "cannot create device dir %s: %s", s->devdir, strerror(-rc));
            return -1;
        }
        if (absolutize(&s->devdir, err, errsz))
            return -1;
    }
    sim_dev_restore(m);
    return 0;
}

struct sim_sdc *sim_model_add_sdc(struct sim_model *m, const char *ip, const char *guid, const char *devdir,
                                  char *err, size_t errsz)
{
    struct sim_sdc *s = sim_find_sdc_by_ip(m, ip);
    int rc;
    if (s)
        return s;
    s = sim_xcalloc(1, sizeof(*s));
    sim_model_new_id(m, s->id);
    s->ip = sim_xstrdup(ip);
    s->guid = guid ? sim_xstrdup(guid) : new_guid(m);
    for (char *p = s->guid; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    s->devdir = devdir ? sim_xstrdup(devdir) : sim_fmt("%s/%s", m->device_dir, s->id);
    rc = sim_mkdir_p(s->devdir);
    if (rc || absolutize(&s->devdir, err, errsz)) {
        if (rc)
            snprintf(err, errsz, "cannot create device dir %s: %s", s->devdir, strerror(-rc));
        free(s->ip);
        free(s->guid);
        free(s->devdir);
        free(s);
        return NULL;
    }
    m->sdcs = sim_xrealloc(m->sdcs, (m->nsdcs + 1) * sizeof(*m->sdcs));
    m->sdcs[m->nsdcs++] = s;
    /* A volume mapped to all SDCs reaches the new one too. */
    for (size_t i = 0; i < m->nvols; i++)
        if (m->vols[i]->map_all)
            sim_map_add(m, m->vols[i], s, true, NULL);
    m->dirty = true;
    return s;
}

void sim_model_destroy(struct sim_model *m)
{
    if (m->dirty && m->state_dir)
        sim_persist_save(m);
    for (size_t i = 0; i < m->nvols; i++) {
        struct sim_volume *v = m->vols[i];
        for (size_t j = 0; j < v->nmaps; j++)
            sim_dev_remove(m, v, &v->maps[j]);
        if (m->state_dir_temp)
            sim_data_remove(v->path);
        else if (v->readonly)
            sim_data_set_readonly(v->path, false);
        sim_volume_free(v);
    }
    free(m->vols);
    for (size_t i = 0; i < m->nvtrees; i++)
        free(m->vtrees[i]);
    free(m->vtrees);
    for (size_t i = 0; i < m->nsdcs; i++) {
        free(m->sdcs[i]->ip);
        free(m->sdcs[i]->guid);
        free(m->sdcs[i]->devdir);
        free(m->sdcs[i]->name);
        free(m->sdcs[i]);
    }
    free(m->sdcs);
    for (size_t i = 0; i < m->npools; i++) {
        free(m->pools[i]->name);
        free(m->pools[i]);
    }
    free(m->pools);
    for (size_t i = 0; i < m->npds; i++) {
        free(m->pds[i]->name);
        free(m->pds[i]);
    }
    free(m->pds);
    if (m->state_dir_temp)
        sim_rm_rf(m->state_dir);
    free(m->state_dir);
    free(m->device_dir);
    free(m->system_name);
    pthread_mutex_destroy(&m->lock);
}

void sim_model_tick(struct sim_model *m, int64_t now_ms)
{
    sim_dev_tick(m, now_ms);
    sim_migrate_tick(m, now_ms);
    /* Saving after every request would make bulk creates quadratic; a short lag is harmless. */
    if (m->dirty && now_ms - m->saved_at >= 100) {
        sim_persist_save(m);
        m->dirty = false;
        m->saved_at = now_ms;
    }
}
