/* undo.c - taking back a failed command's changes on the array, newest first.
 * Kept per command in host_cs; a command that commits clears it. */
#include "config.h"

#include "undo.h"

#include "clients.h"
#include "poolh.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct host_undo {
    host_undo_kind kind;
    int64_t pool_id;
    int64_t host_id;
    char *path;
    char *iops;
    char *bw;
    struct host_undo *next;
};

static void entry_free(struct host_undo *u)
{
    free(u->path);
    free(u->iops);
    free(u->bw);
    free(u);
}

static int journal_path(const host_cs *cs, char *out, size_t len)
{
    int n;
    if (cs->workdir == NULL)
        return -1;
    n = snprintf(out, len, "%s/undo.journal", cs->workdir);
    return n > 0 && (size_t)n < len ? 0 : -1;
}

/* One line per step: command number, kind, pool, host, path, iops, bw (tab-separated; none of
 * them holds a tab or a newline). Without a journal the step is still undone in this process. */
static void journal_append(host_cs *cs, const struct host_undo *u)
{
    char path[4096], line[SP_PATH_MAX + 256];
    int fd, n;

    if (cs->undo_seq <= 0 || journal_path(cs, path, sizeof(path)) != 0 || strpbrk(u->path, "\t\n") != NULL)
        return;
    n = snprintf(line, sizeof(line), "%" PRId64 "\t%d\t%" PRId64 "\t%" PRId64 "\t%s\t%s\t%s\n", cs->undo_seq,
                 (int)u->kind, u->pool_id, u->host_id, u->path, u->iops, u->bw);
    if (n <= 0 || (size_t)n >= sizeof(line))
        return;
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, line, (size_t)n) != n)
        fprintf(stderr, "cs-harness: cannot record an undo step in %s: %s\n", path, strerror(errno));
    if (fd >= 0)
        close(fd);
}

static void journal_end(host_cs *cs)
{
    char path[4096];
    if (cs->undo_seq > 0 && journal_path(cs, path, sizeof(path)) == 0)
        (void)unlink(path);
    cs->undo_seq = 0;
    cs->undo_pushed = 0;
}

int host_undo_begin(host_cs *cs, host_err *e)
{
    char err[256];
    int64_t seq = 0;

    if (host_sql_int(cs->db, &seq, err, sizeof(err), "SELECT coalesce(max(value), 0) FROM meta WHERE key = 'command'",
                     "") < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "INSERT OR REPLACE INTO meta(key, value) VALUES ('command', ?)", "i",
                     seq + 1) < 0)
        return host_fail_db(e, err);
    cs->undo_seq = seq + 1;
    cs->undo_pushed = 0;
    return 0;
}

void host_undo_push(host_cs *cs, host_undo_kind kind, int64_t pool_id, const char *path, int64_t host_id,
                    const char *iops, const char *bw)
{
    struct host_undo *u = calloc(1, sizeof(*u));

    if (u == NULL || (u->path = strdup(path != NULL ? path : "")) == NULL ||
        (u->iops = strdup(iops != NULL ? iops : "")) == NULL ||
        (u->bw = strdup(bw != NULL ? bw : "")) == NULL) {
        fprintf(stderr, "cs-harness: out of memory recording how to undo a change of %s\n",
                path != NULL ? path : "?");
        if (u != NULL)
            entry_free(u);
        return;
    }
    u->kind = kind;
    u->pool_id = pool_id;
    u->host_id = host_id;
    u->next = cs->undo;
    cs->undo = u;
    journal_append(cs, u);
    cs->undo_pushed++;
    /* --crash-at undo:N: killed right after the Nth step of a command is on record. */
    if (cs->crash_phase != NULL && strcmp(cs->crash_phase, "undo") == 0 && cs->undo_pushed >= cs->crash_pct) {
        fprintf(stderr, "cs-harness: --crash-at undo:%u reached; killing this process\n", cs->crash_pct);
        fflush(stderr);
        kill(getpid(), SIGKILL);
    }
}

static void warn(host_cs *cs, const char *what, const char *path, const char *why)
{
    char line[1200];
    snprintf(line, sizeof(line), "undo after a failed command: cannot %s %.300s: %.800s", what, path, why);
    cs->svc.table.log(&cs->svc, SP_LOG_WARN, line);
}

static void run_one(host_cs *cs, const struct host_undo *u)
{
    sp_volume_ref ref = {u->path};
    sp_pool *pool;
    host_href href;
    host_err e;
    sp_error se;
    sp_status s;

    memset(&e, 0, sizeof(e));
    memset(&se, 0, sizeof(se));
    if (host_pool_open(cs, u->pool_id, &pool, &e) != 0) {
        warn(cs, "reach the pool of", u->path, e.text);
        return;
    }
    switch (u->kind) {
    case HOST_UNDO_VOLUME:
        if ((s = cs->sp->driver->delete_volume(pool, &ref, &se)) != SP_OK)
            warn(cs, "delete volume", u->path, se.message);
        break;
    case HOST_UNDO_SNAPSHOT:
        if ((s = cs->sp->driver->delete_snapshot(pool, &ref, &se)) != SP_OK)
            warn(cs, "delete snapshot", u->path, se.message);
        break;
    case HOST_UNDO_VMSNAP:
        if ((s = cs->sp->driver->delete_vm_snapshot(pool, u->path, &se)) != SP_OK)
            warn(cs, "delete VM snapshot group", u->path, se.message);
        break;
    case HOST_UNDO_GRANT:
    case HOST_UNDO_REVOKE:
        if (host_href_load(cs, u->host_id, &href, &e) != 0) {
            warn(cs, "find the host of", u->path, e.text);
            break;
        }
        if (u->kind == HOST_UNDO_GRANT) {
            if ((s = cs->sp->driver->revoke_access(pool, &ref, &href.ref, &se)) != SP_OK)
                warn(cs, "revoke", u->path, se.message);
            memset(&se, 0, sizeof(se));
            if (s == SP_OK && (s = cs->sp->adaptor->disconnect_volume(pool, &ref, &href.ref, &se)) != SP_OK)
                warn(cs, "disconnect", u->path, se.message);
            if (s == SP_OK && host_client_release(cs, pool, u->pool_id, &href, 0, &e) != 0)
                warn(cs, "release the storage client for", u->path, e.text);
        } else {
            sp_qos qos = {u->bw[0] ? u->bw : NULL, u->iops[0] ? u->iops : NULL};
            sp_disk_info disk;
            if (host_client_prepare(cs, pool, u->pool_id, &href, 0, &e) != 0) {
                warn(cs, "prepare the storage client for", u->path, e.text);
                break;
            }
            /* Undos run newest first: a mapping being restored here may still share the volume
             * with a newer one that a later undo step removes (a failed live migration). */
            if ((s = cs->sp->driver->grant_access(pool, &ref, &href.ref, &qos, 1, &se)) != SP_OK) {
                warn(cs, "grant again", u->path, se.message);
                break;
            }
            memset(&se, 0, sizeof(se));
            if ((s = cs->sp->adaptor->connect_volume(pool, &ref, &href.ref, &disk, &se)) != SP_OK)
                warn(cs, "connect again", u->path, se.message);
        }
        break;
    }
}

void host_undo_run(host_cs *cs)
{
    while (cs->undo != NULL) {
        struct host_undo *u = cs->undo;
        cs->undo = u->next;
        if (cs->sp != NULL)
            run_one(cs, u);
        entry_free(u);
    }
    journal_end(cs);
}

void host_undo_clear(host_cs *cs)
{
    while (cs->undo != NULL) {
        struct host_undo *u = cs->undo;
        cs->undo = u->next;
        entry_free(u);
    }
    journal_end(cs);
}

int host_undo_recover(host_cs *cs, host_jsonw *w, host_err *e)
{
    char path[4096], line[SP_PATH_MAX + 256], err[256];
    int64_t committed = 0;
    unsigned n = 0;
    FILE *f;

    if (journal_path(cs, path, sizeof(path)) != 0 || (f = fopen(path, "re")) == NULL)
        return 0;
    if (host_sql_int(cs->db, &committed, err, sizeof(err),
                     "SELECT coalesce(max(value), 0) FROM meta WHERE key = 'command'", "") < 0) {
        fclose(f);
        return host_fail_db(e, err);
    }
    cs->undo_seq = 0; /* the steps read back are not journaled again */
    while (fgets(line, sizeof(line), f) != NULL) {
        char *field[7], *p = line, *t;
        int64_t seq;
        size_t k = 0;

        line[strcspn(line, "\n")] = '\0';
        while (k < 7 && (t = strsep(&p, "\t")) != NULL) /* keeps empty fields (iops, bw) */
            field[k++] = t;
        if (k != 7 || (seq = strtoll(field[0], NULL, 10)) <= committed)
            continue;
        host_undo_push(cs, (host_undo_kind)atoi(field[1]), strtoll(field[2], NULL, 10), field[4],
                       strtoll(field[3], NULL, 10), field[5], field[6]);
        n++;
    }
    fclose(f);
    if (n > 0 && host_need_plugin(cs, e) != 0) {
        host_undo_clear(cs);
        return -1;
    }
    host_undo_run(cs);
    (void)unlink(path);
    if (n > 0)
        host_jsonw_int(w, "undone", n);
    return 0;
}
