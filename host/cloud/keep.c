/* keep.c - statements that stand whatever becomes of the running command (see keep.h). */
#include "config.h"

#include "keep.h"

#include "store.h"

#include <stdio.h>
#include <stdlib.h>

struct host_keep {
    const char *sql;
    int64_t id;
    struct host_keep *next;
};

void host_keep_sql(host_cs *cs, const char *sql, int64_t id)
{
    struct host_keep *k = calloc(1, sizeof(*k)), **tail = &cs->keep;

    if (k == NULL) {
        fprintf(stderr, "cs-harness: out of memory keeping \"%s\" for row %lld\n", sql, (long long)id);
        return;
    }
    k->sql = sql;
    k->id = id;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = k;
}

void host_keep_apply(host_cs *cs)
{
    char err[256];

    if (cs->keep == NULL)
        return;
    if (host_store_begin(cs->db, err, sizeof(err)) != 0) {
        fprintf(stderr, "cs-harness: %s\n", err);
        host_keep_discard(cs);
        return;
    }
    while (cs->keep != NULL) {
        struct host_keep *k = cs->keep;
        cs->keep = k->next;
        if (host_sql_run(cs->db, err, sizeof(err), k->sql, "i", k->id) < 0)
            fprintf(stderr, "cs-harness: %s\n", err);
        free(k);
    }
    if (host_store_commit(cs->db, err, sizeof(err)) != 0) {
        fprintf(stderr, "cs-harness: %s\n", err);
        host_store_rollback(cs->db);
    }
}

void host_keep_discard(host_cs *cs)
{
    while (cs->keep != NULL) {
        struct host_keep *k = cs->keep;
        cs->keep = k->next;
        free(k);
    }
}
