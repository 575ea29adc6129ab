/* Request counters for tests and benchmarks: how many calls each "METHOD path-template" got,
 * so a test can assert the exact gateway traffic a client produced. */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct sim_stat_entry;

struct sim_stats {
    pthread_mutex_t lock;
    struct sim_stat_entry *entries;
    size_t n;
    uint64_t total;
};

void sim_stats_init(struct sim_stats *s);
void sim_stats_destroy(struct sim_stats *s);
void sim_stats_count(struct sim_stats *s, const char *method, const char *template_path);
void sim_stats_reset(struct sim_stats *s);
/* {"total":N,"logins":N,"bearer":N,"requests":{"GET /api/login":1,...}} (malloc'd); bearer
 * counts the calls authenticated with a Bearer token */
char *sim_stats_json(struct sim_stats *s, uint64_t logins, uint64_t bearer);

#endif
