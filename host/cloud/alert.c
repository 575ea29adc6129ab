/* alert.c - CloudStack's alerts, kept pending while a command runs and written after it: the
 * command's rollback must not take back the news that a host's SDC is disconnected. */
#include "config.h"

#include "alert.h"

#include "api.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct host_alert {
    int type;
    int64_t host_id, pool_id;
    char subject[256];
    char status[300];
    struct host_alert *next;
};

void host_alert_raise(host_cs *cs, int type, int64_t host_id, int64_t pool_id, const char *subject,
                      const char *status)
{
    struct host_alert *a = calloc(1, sizeof(*a)), **tail = &cs->alerts;

    if (a == NULL) {
        fprintf(stderr, "cs-harness: out of memory raising an alert: %s\n", subject);
        return;
    }
    a->type = type;
    a->host_id = host_id;
    a->pool_id = pool_id;
    snprintf(a->subject, sizeof(a->subject), "%s", subject);
    snprintf(a->status, sizeof(a->status), "%s", status != NULL ? status : "");
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = a;
}

void host_alerts_flush(host_cs *cs)
{
    char err[256];

    if (cs->alerts == NULL || host_store_begin(cs->db, err, sizeof(err)) != 0)
        return;
    while (cs->alerts != NULL) {
        struct host_alert *a = cs->alerts;
        cs->alerts = a->next;
        if (a->pool_id != 0)
            host_sql_run(cs->db, err, sizeof(err),
                         "UPDATE pool_host SET status = ? WHERE pool_id = ? AND host_id = ?", "tii",
                         a->status, a->pool_id, a->host_id);
        host_sql_run(cs->db, err, sizeof(err),
                     "INSERT INTO alert(type, host_id, subject, description, created) VALUES (?, ?, ?, ?, ?)",
                     "iitti", (int64_t)a->type, a->host_id, a->subject, a->status, host_now());
        host_event(cs, "ALERT.HOST", "%s: %s", a->subject, a->status);
        free(a);
    }
    if (host_store_commit(cs->db, err, sizeof(err)) != 0)
        host_store_rollback(cs->db);
}

void host_alerts_discard(host_cs *cs)
{
    while (cs->alerts != NULL) {
        struct host_alert *a = cs->alerts;
        cs->alerts = a->next;
        free(a);
    }
}

/* listAlerts [type=N]: newest last, as CloudStack's AlertResponse (description is the subject). */
static int list_alerts(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256], created[32];
    int64_t type = 0, n = 0;
    sqlite3_stmt *st;

    if (host_param_num(cmd, "type", 0, 0, INT32_MAX, &type, e) != 0)
        return -1;
    if (host_sql_int(cs->db, &n, err, sizeof(err), "SELECT count(*) FROM alert WHERE (?1 = 0 OR type = ?1)",
                     "i", type) < 0)
        return host_fail_db(e, err);
    if (n == 0)
        return 0;
    st = host_sql_prepare(cs->db, err, sizeof(err),
                          "SELECT a.id, a.type, a.subject, a.description, a.created, coalesce(h.uuid, ''), "
                          "coalesce(h.name, '') FROM alert a LEFT JOIN host h ON h.id = a.host_id "
                          "WHERE (?1 = 0 OR a.type = ?1) ORDER BY a.id",
                          "i", type);
    if (st == NULL)
        return host_fail_db(e, err);
    host_jsonw_int(w, "count", n);
    host_jsonw_array_begin(w, "alert");
    while (sqlite3_step(st) == SQLITE_ROW) {
        host_timestamp(sqlite3_column_int64(st, 4), created);
        host_jsonw_object_begin(w, NULL);
        host_jsonw_int(w, "id", sqlite3_column_int64(st, 0));
        host_jsonw_int(w, "type", sqlite3_column_int64(st, 1));
        host_jsonw_string(w, "name",
                          sqlite3_column_int64(st, 1) == HOST_ALERT_TYPE_HOST ? "ALERT.HOST" : "ALERT");
        host_jsonw_string(w, "description", host_col_text(st, 2));
        host_jsonw_string(w, "sent", created);
        /* Harness fields: the host and the whole reason (CloudStack mails the latter). */
        if (*host_col_text(st, 5)) {
            host_jsonw_string(w, "hostid", host_col_text(st, 5));
            host_jsonw_string(w, "hostname", host_col_text(st, 6));
        }
        host_jsonw_string(w, "content", host_col_text(st, 3));
        host_jsonw_object_end(w);
    }
    sqlite3_finalize(st);
    host_jsonw_array_end(w);
    return 0;
}

const host_api host_api_alert[] = {
    {"listAlerts", list_alerts, 0},
    {NULL, NULL, 0},
};
