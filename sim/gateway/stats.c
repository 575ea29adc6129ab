/* Request counters (see stats.h). */
#include <config.h>
#include "stats.h"
#include "json.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct sim_stat_entry {
    char *key;
    uint64_t count;
};

void sim_stats_init(struct sim_stats *s)
{
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
}

void sim_stats_destroy(struct sim_stats *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->entries[i].key);
    free(s->entries);
    pthread_mutex_destroy(&s->lock);
}

void sim_stats_count(struct sim_stats *s, const char *method, const char *template_path)
{
    char *key = sim_fmt("%s %s", method, template_path);
    pthread_mutex_lock(&s->lock);
    s->total++;
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->entries[i].key, key)) {
            s->entries[i].count++;
            free(key);
            key = NULL;
            break;
        }
    if (key) {
        s->entries = sim_xrealloc(s->entries, (s->n + 1) * sizeof(*s->entries));
        s->entries[s->n].key = key;
        s->entries[s->n].count = 1;
        s->n++;
    }
    pthread_mutex_unlock(&s->lock);
}

void sim_stats_reset(struct sim_stats *s)
{
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->n; i++)
        free(s->entries[i].key);
    free(s->entries);
    s->entries = NULL;
    s->n = 0;
    s->total = 0;
    pthread_mutex_unlock(&s->lock);
}

char *sim_stats_json(struct sim_stats *s, uint64_t logins, uint64_t bearer)
{
    sim_jw *w = sim_jw_new();
    pthread_mutex_lock(&s->lock);
    sim_jw_obj(w);
    sim_jw_kint(w, "total", (int64_t)s->total);
    sim_jw_kint(w, "logins", (int64_t)logins);
    sim_jw_kint(w, "bearer", (int64_t)bearer);
    sim_jw_key(w, "requests");
    sim_jw_obj(w);
    for (size_t i = 0; i < s->n; i++)
        sim_jw_kint(w, s->entries[i].key, (int64_t)s->entries[i].count);
    sim_jw_obj_end(w);
    sim_jw_obj_end(w);
    pthread_mutex_unlock(&s->lock);
    return sim_jw_finish(w);
}
