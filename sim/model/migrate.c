/* V-Tree migration state machine (see migrate.h). A migration waits for a slot when
 * --migration-slots are all taken (PendingMigration with a queue position), is PendingMigration
 * for the first fifth of --migration-ms, then copies (MigrationNormal) for the rest, and ends
 * NotInMigration with the pool switched. Progress is counted in copy milliseconds, so a pause
 * keeps what was copied, a resume goes on from there and a rollback takes as long to undo it.
 * Every phase runs on the migrations' clock, so time held (POST /sim/migrations) does not count. */
#include <config.h>
#include "migrate.h"
#include "capacity.h"

#include <stdio.h>
#include <string.h>

/* The migrations' clock: monotonic time less the time they were held. */
static int64_t mig_clock(const struct sim_model *m, int64_t now_ms)
{
    return now_ms - m->mig_held_total - (m->migrations_held ? now_ms - m->mig_held_since : 0);
}

void sim_migrate_hold(struct sim_model *m, bool held, int64_t now_ms)
{
    if (held == m->migrations_held)
        return;
    if (held)
        m->mig_held_since = now_ms;
    else
        m->mig_held_total += now_ms - m->mig_held_since;
    m->migrations_held = held;
}

static bool running(const struct sim_vtree *t)
{
    return t->mig != SIM_MIG_NONE && t->mig != SIM_MIG_PAUSED && !t->mig_queued;
}

static int running_count(struct sim_model *m)
{
    int n = 0;
    for (size_t i = 0; i < m->nvtrees; i++)
        if (running(m->vtrees[i]))
            n++;
    return n;
}

enum sim_err sim_migrate_start(struct sim_model *m, struct sim_volume *v, struct sim_pool *dest,
                               enum sim_conv conv)
{
    struct sim_vtree *t = v->vtree;
    int64_t now = mig_clock(m, sim_now_ms());
    bool thick_after = conv == SIM_CONV_THICK_TO_THIN   ? false
                       : conv == SIM_CONV_THIN_TO_THICK ? true
                                                        : t->thick;
    if (t->mig != SIM_MIG_NONE) {
        if (t->mig_rollback)
            return dest == t->mig_src ? SIM_E_MIGRATING_SAME : SIM_E_MIGRATING_OTHER;
        if (dest == t->mig_src) {
            /* Back to where it started: a rollback, which needs the migration paused. */
            if (t->mig != SIM_MIG_PAUSED)
                return SIM_E_MIG_MUST_PAUSE;
            t->mig_rollback = true;
            t->mig_queued = false;
            t->mig = SIM_MIG_NORMAL;
            t->mig_pause_reason[0] = '\0';
            t->mig_last_ms = now;
            return SIM_OK;
        }
        return t->mig_dest == dest ? SIM_E_MIGRATING_SAME : SIM_E_MIGRATING_OTHER;
    }
    if (dest == t->pool)
        return SIM_E_MIGRATE_SAME_POOL;
    {
        uint64_t base_kb = 0;
        for (size_t i = 0; i < m->nvols; i++)
            if (m->vols[i]->vtree == t && m->vols[i]->type != SIM_VOL_SNAPSHOT)
                base_kb += m->vols[i]->size_kb;
        int e = sim_capacity_check(m, dest, base_kb, thick_after);
        if (e)
            return (enum sim_err)e;
    }
    t->mig = SIM_MIG_PENDING;
    t->mig_src = t->pool;
    t->mig_dest = dest;
    t->mig_conv = conv;
    t->mig_rollback = false;
    t->mig_seq = ++m->migration_seq;
    t->mig_total_ms = m->migration_ms - m->migration_ms / 5;
    t->mig_done_ms = 0;
    t->mig_fail_ms = -1;
    t->mig_pause_reason[0] = '\0';
    if (m->migration_fail_at > 0 &&
        (double)(sim_model_rand(m) >> 11) / (double)(UINT64_C(1) << 53) < m->migration_fail_p)
        t->mig_fail_ms = (int64_t)((double)t->mig_total_ms * m->migration_fail_at);
    t->mig_queued = m->migration_slots > 0 && running_count(m) >= m->migration_slots;
    t->mig_phase_end = now + m->migration_ms / 5;
    t->mig_last_ms = now;
    return SIM_OK;
}

enum sim_err sim_migrate_pause(struct sim_model *m, struct sim_volume *v, bool forcefully)
{
    struct sim_vtree *t = v->vtree;
    int64_t now = mig_clock(m, sim_now_ms());
    switch (t->mig) {
    case SIM_MIG_NONE: return SIM_E_MIG_NOT_FOUND;
    case SIM_MIG_PAUSED:
    case SIM_MIG_PAUSING_GRACEFUL:
    case SIM_MIG_PAUSING_FORCED: return SIM_E_MIG_PAUSED;
    case SIM_MIG_PENDING:
        /* Nothing copied yet: there is nothing to finish first. */
        t->mig = SIM_MIG_PAUSED;
        t->mig_queued = false;
        return SIM_OK;
    case SIM_MIG_NORMAL: break;
    }
    t->mig = forcefully ? SIM_MIG_PAUSING_FORCED : SIM_MIG_PAUSING_GRACEFUL;
    t->mig_phase_end = now + (forcefully ? m->migration_pause_ms / 5 : m->migration_pause_ms);
    return SIM_OK;
}

enum sim_err sim_migrate_resume(struct sim_model *m, struct sim_volume *v)
{
    struct sim_vtree *t = v->vtree;
    int64_t now = mig_clock(m, sim_now_ms());
    if (t->mig == SIM_MIG_NONE)
        return SIM_E_MIG_NOT_FOUND;
    if (t->mig != SIM_MIG_PAUSED)
        return SIM_E_MIGRATING_SAME;
    t->mig_pause_reason[0] = '\0';
    t->mig_last_ms = now;
    if (t->mig_done_ms == 0 && !t->mig_rollback) {
        t->mig = SIM_MIG_PENDING;
        t->mig_queued = m->migration_slots > 0 && running_count(m) >= m->migration_slots;
        t->mig_phase_end = now + m->migration_ms / 5;
    } else {
        t->mig = SIM_MIG_NORMAL;
    }
    return SIM_OK;
}

static void clear(struct sim_model *m, struct sim_vtree *t)
{
    t->mig = SIM_MIG_NONE;
    t->mig_src = t->mig_dest = NULL;
    t->mig_conv = SIM_CONV_NONE;
    t->mig_rollback = false;
    t->mig_queued = false;
    t->mig_pause_reason[0] = '\0';
    m->dirty = true;
}

static void finish(struct sim_model *m, struct sim_vtree *t)
{
    if (t->mig_rollback) {
        /* Undone: the V-Tree never left its pool and keeps its type. */
        clear(m, t);
        return;
    }
    t->pool = t->mig_dest;
    if (t->mig_conv == SIM_CONV_THICK_TO_THIN || t->mig_conv == SIM_CONV_THIN_TO_THICK) {
        t->thick = t->mig_conv == SIM_CONV_THIN_TO_THICK;
        for (size_t i = 0; i < m->nvols; i++)
            if (m->vols[i]->vtree == t && m->vols[i]->type != SIM_VOL_SNAPSHOT)
                m->vols[i]->type = t->thick ? SIM_VOL_THICK : SIM_VOL_THIN;
    }
    clear(m, t);
}

/* Copies (or, rolling back, uncopies) from mig_last_ms to now; true when the end was reached. */
static bool advance(struct sim_vtree *t, int64_t now_ms)
{
    int64_t dt = now_ms - t->mig_last_ms;
    t->mig_last_ms = now_ms;
    if (dt <= 0)
        return t->mig_rollback ? t->mig_done_ms <= 0 : t->mig_done_ms >= t->mig_total_ms;
    if (t->mig_rollback) {
        t->mig_done_ms = t->mig_done_ms > dt ? t->mig_done_ms - dt : 0;
        return t->mig_done_ms == 0;
    }
    t->mig_done_ms += dt;
    if (t->mig_fail_ms >= 0 && t->mig_done_ms >= t->mig_fail_ms && t->mig_fail_ms < t->mig_total_ms) {
        /* The array stops the copy; what it copied stays until a resume or a rollback. */
        t->mig_done_ms = t->mig_fail_ms;
        t->mig_fail_ms = -1;
        t->mig = SIM_MIG_PAUSED;
        snprintf(t->mig_pause_reason, sizeof(t->mig_pause_reason), "MigrationError");
        return false;
    }
    if (t->mig_done_ms >= t->mig_total_ms) {
        t->mig_done_ms = t->mig_total_ms;
        return true;
    }
    return false;
}

static struct sim_vtree *first_queued(struct sim_model *m)
{
    struct sim_vtree *best = NULL;
    for (size_t i = 0; i < m->nvtrees; i++) {
        struct sim_vtree *t = m->vtrees[i];
        if (t->mig_queued && (!best || t->mig_seq < best->mig_seq))
            best = t;
    }
    return best;
}

void sim_migrate_tick(struct sim_model *m, int64_t now_ms)
{
    struct sim_vtree *q;
    now_ms = mig_clock(m, now_ms);
    while ((q = first_queued(m)) && (m->migration_slots <= 0 || running_count(m) < m->migration_slots)) {
        q->mig_queued = false;
        q->mig_phase_end = now_ms + m->migration_ms / 5;
        q->mig_last_ms = now_ms;
    }
    for (size_t i = 0; i < m->nvtrees; i++) {
        struct sim_vtree *t = m->vtrees[i];
        switch (t->mig) {
        case SIM_MIG_NONE:
        case SIM_MIG_PAUSED: break;
        case SIM_MIG_PENDING:
            if (t->mig_queued || now_ms < t->mig_phase_end)
                break;
            /* The copy starts at the end of the pending phase. */
            t->mig = SIM_MIG_NORMAL;
            t->mig_last_ms = t->mig_phase_end;
            /* fall through */
        case SIM_MIG_NORMAL:
            if (advance(t, now_ms))
                finish(m, t);
            break;
        case SIM_MIG_PAUSING_GRACEFUL:
            /* The piece being copied is finished first. */
            if (advance(t, now_ms < t->mig_phase_end ? now_ms : t->mig_phase_end)) {
                finish(m, t);
                break;
            }
            if (t->mig == SIM_MIG_PAUSING_GRACEFUL && now_ms >= t->mig_phase_end)
                t->mig = SIM_MIG_PAUSED;
            break;
        case SIM_MIG_PAUSING_FORCED:
            if (now_ms >= t->mig_phase_end)
                t->mig = SIM_MIG_PAUSED;
            break;
        }
    }
}

const char *sim_migrate_status(const struct sim_vtree *t)
{
    switch (t->mig) {
    case SIM_MIG_PENDING: return "PendingMigration";
    case SIM_MIG_NORMAL: return "MigrationNormal";
    case SIM_MIG_PAUSING_GRACEFUL: return "GracefullyPausing";
    case SIM_MIG_PAUSING_FORCED: return "ForcefullyPausing";
    case SIM_MIG_PAUSED: return "Paused";
    case SIM_MIG_NONE: break;
    }
    return "NotInMigration";
}

int64_t sim_migrate_queue_position(struct sim_model *m, const struct sim_vtree *t)
{
    int64_t pos = 1;
    if (!t->mig_queued)
        return 0;
    for (size_t i = 0; i < m->nvtrees; i++)
        if (m->vtrees[i]->mig_queued && m->vtrees[i]->mig_seq < t->mig_seq)
            pos++;
    return pos;
}

bool sim_migrate_ends_in_dest(const struct sim_vtree *t)
{
    return !t->mig_rollback && (t->mig == SIM_MIG_PENDING || t->mig == SIM_MIG_NORMAL);
}
