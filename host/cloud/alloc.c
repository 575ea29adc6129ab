/* alloc.c - CloudStack's storage pool allocator (ClusterScope then ZoneWide allocators, with
 * StorageManager's capacity checks). Selection is one indexed query per scope over pool rows
 * whose aggregates triggers keep current, so it stays fast with millions of volumes. */
#include "config.h"

#include "alloc.h"

#include "api.h"
#include "cfg.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int host_alloc_limits_load(host_cs *cs, int64_t zone_id, host_alloc_limits *out, host_err *e)
{
    char zuuid[40], err[256];

    if (host_sql_text(cs->db, zuuid, sizeof(zuuid), err, sizeof(err), "SELECT uuid FROM zone WHERE id = ?",
                      "i", zone_id) < 0)
        return host_fail_db(e, err);
    out->capacity_threshold = host_config_double(cs, HOST_CFG_CAPACITY_THRESHOLD, SP_SCOPE_ZONE, zuuid);
    out->allocated_threshold = host_config_double(cs, HOST_CFG_ALLOCATED_THRESHOLD, SP_SCOPE_ZONE, zuuid);
    out->factor = host_config_double(cs, HOST_CFG_OVERPROVISIONING, SP_SCOPE_ZONE, zuuid);
    return 0;
}

/* The tags as a JSON array for json_each(); NULL when out of memory. */
static char *tags_json(const char *tags, int *count)
{
    size_t n = tags != NULL ? strlen(tags) : 0;
    char *out = malloc(n * 2 + 3), *o = out;
    const char *p = tags;

    *count = 0;
    if (out == NULL)
        return NULL;
    *o++ = '[';
    while (p != NULL && *p) {
        const char *end;
        p += strspn(p, " ,");
        end = p + strcspn(p, ",");
        while (end > p && end[-1] == ' ')
            end--;
        if (end > p) {
            if (*count > 0)
                *o++ = ',';
            *o++ = '"';
            for (const char *c = p; c < end; c++) {
                if (*c == '"' || *c == '\\')
                    *o++ = '\\';
                *o++ = *c;
            }
            *o++ = '"';
            (*count)++;
        }
        p = end + strcspn(end, ",");
    }
    *o++ = ']';
    *o = '\0';
    return out;
}

/* The capacity conditions, shared by selection and by the per-pool check (as SQL over `p`).
 * CloudStack refuses a pool when used/total > capacity threshold, or when
 * (allocated + asked) / (total x factor) > allocated threshold; the factor is 1 for pools that
 * cannot be over-provisioned. */
#define CAPACITY_SQL                                                                                         \
    "p.capacity_total > 0 AND p.capacity_used <= :capth * p.capacity_total "                                 \
    "AND p.allocated + :size + (CASE WHEN :tmpl != 0 AND NOT EXISTS (SELECT 1 FROM template_pool tp "        \
    "WHERE tp.template_id = :tmpl AND tp.pool_id = p.id) THEN :tsize ELSE 0 END) "                           \
    "<= :allocth * p.capacity_total * (CASE WHEN p.thin THEN coalesce(p.overprov, :factor) ELSE 1 END)"

#define TAGS_SQL                                                                                             \
    "(:ntags = 0 OR (SELECT count(*) FROM pool_tag t WHERE t.pool_id = p.id AND t.tag IN "                   \
    "(SELECT value FROM json_each(:tags))) = :ntags)"

/* The pools carrying every tag, as a set found once per statement (the subquery does not depend on
 * `p`) for a scan of the whole zone: counted per pool, a zone of 10,000 pools ran it 10,000 times. */
#define TAGS_SET_SQL                                                                                         \
    "p.id IN (SELECT t.pool_id FROM pool_tag t WHERE t.tag IN (SELECT value FROM json_each(:tags)) "         \
    "GROUP BY t.pool_id HAVING count(*) = :ntags)"

/* Every rule verdict() applies, as one value over `p` (1: suitable), for the zone scan. A CASE
 * stops at the first rule a pool fails (an AND chain evaluates every term, the tag set's lookup
 * included), and the zone's pool_verdict index holds every column read: a third less work a row,
 * which in a zone of 10,000 pools is most of findStoragePoolsForMigration's time. */
#define OK_SQL                                                                                               \
    "CASE WHEN p.id = :exclude OR p.zone_id != :zone OR p.state != 'Up' OR (p.scope = 'CLUSTER' AND "        \
    ":any = 0 AND coalesce(p.cluster_id, 0) != :cluster) THEN 0 WHEN :ntags != 0 AND NOT (" TAGS_SET_SQL     \
    ") THEN 0 ELSE (" CAPACITY_SQL ") END"

static int bind_req(sqlite3_stmt *st, const host_alloc_req *r, const host_alloc_limits *lim, const char *tags,
                    int ntags)
{
    struct {
        const char *name;
        int is_double;
        double d;
        int64_t i;
    } b[] = {
        {":capth", 1, lim->capacity_threshold, 0},
        {":allocth", 1, lim->allocated_threshold, 0},
        {":factor", 1, lim->factor, 0},
        {":size", 0, 0, (int64_t)r->size},
        {":tmpl", 0, 0, r->template_id},
        {":tsize", 0, 0, (int64_t)r->template_size},
        {":ntags", 0, 0, ntags},
        {":zone", 0, 0, r->zone_id},
        {":cluster", 0, 0, r->cluster_id},
        {":exclude", 0, 0, r->exclude_pool},
        {":any", 0, 0, r->any_cluster},
    };
    for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
        int idx = sqlite3_bind_parameter_index(st, b[i].name);
        if (idx == 0)
            continue;
        if ((b[i].is_double ? sqlite3_bind_double(st, idx, b[i].d) : sqlite3_bind_int64(st, idx, b[i].i)) !=
            SQLITE_OK)
            return -1;
    }
    {
        int idx = sqlite3_bind_parameter_index(st, ":tags");
        if (idx != 0 && sqlite3_bind_text(st, idx, tags, -1, SQLITE_TRANSIENT) != SQLITE_OK)
            return -1;
    }
    return 0;
}

static int first_pool(host_cs *cs, const char *sql, const host_alloc_req *r, const host_alloc_limits *lim,
                      const char *tags, int ntags, int64_t *out, host_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *out = 0;
    if (sqlite3_prepare_v2(cs->db, sql, -1, &st, NULL) != SQLITE_OK)
        return host_fail_db(e, sqlite3_errmsg(cs->db));
    if (bind_req(st, r, lim, tags, ntags) != 0) {
        sqlite3_finalize(st);
        return host_fail_db(e, sqlite3_errmsg(cs->db));
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return host_fail_db(e, sqlite3_errmsg(cs->db));
    return 0;
}

/* One pool's row as the checks read it: its state and place, its figures, and whether it carries
 * the tags and has room (the allocator's own SQL, evaluated per row). Columns in verdict()'s
 * order. */
#define CHECK_SQL                                                                                            \
    "SELECT p.id, p.state, p.scope, p.zone_id, coalesce(p.cluster_id, 0), p.capacity_total, "                \
    "p.capacity_used, p.allocated, CASE WHEN p.thin THEN coalesce(p.overprov, :factor) ELSE 1 END, "         \
    "(" TAGS_SQL "), (" CAPACITY_SQL ") FROM pool p "

/* The verdict on the row st stands on; `why` says why not. */
static void verdict(sqlite3_stmt *st, const host_alloc_req *r, const host_alloc_limits *lim, int *ok,
                    char *why, size_t whylen)
{
    const char *state = host_col_text(st, 1), *scope = host_col_text(st, 2);
    int64_t pool_id = sqlite3_column_int64(st, 0), zone = sqlite3_column_int64(st, 3),
            cluster = sqlite3_column_int64(st, 4), total = sqlite3_column_int64(st, 5),
            used = sqlite3_column_int64(st, 6), allocated = sqlite3_column_int64(st, 7);
    double factor = sqlite3_column_double(st, 8);
    int tag_ok = sqlite3_column_int(st, 9), cap_ok = sqlite3_column_int(st, 10);

    *ok = 0;
    why[0] = '\0';
    if (pool_id == r->exclude_pool) {
        snprintf(why, whylen, "it is the volume's current pool");
        return;
    }
    if (zone != r->zone_id) {
        snprintf(why, whylen, "it is in another zone");
        return;
    }
    if (strcmp(scope, "CLUSTER") == 0 && !r->any_cluster && cluster != r->cluster_id) {
        snprintf(why, whylen, "it is a cluster-wide pool of another cluster than the VM's host");
        return;
    }
    if (strcmp(state, "Up") != 0) {
        snprintf(why, whylen, "it is in state %s", state);
        return;
    }
    if (!tag_ok) {
        snprintf(why, whylen, "it does not carry all the storage tags %s", r->tags != NULL ? r->tags : "");
        return;
    }
    if (!cap_ok) {
        if (total <= 0)
            snprintf(why, whylen, "its capacity is unknown (0 bytes)");
        else if ((double)used > lim->capacity_threshold * (double)total)
            snprintf(why, whylen, "used capacity %.1f%% is above %s %.2f",
                     100.0 * (double)used / (double)total, HOST_CFG_CAPACITY_THRESHOLD,
                     lim->capacity_threshold);
        else
            snprintf(why, whylen,
                     "allocated %lld + asked %llu bytes would be above %s %.2f of %lld bytes x "
                     "over-provisioning %.2f",
                     (long long)allocated, (unsigned long long)r->size, HOST_CFG_ALLOCATED_THRESHOLD,
                     lim->allocated_threshold, (long long)total, factor);
        return;
    }
    *ok = 1;
}

/* CHECK_SQL + where, bound for r. */
static sqlite3_stmt *check_stmt(host_cs *cs, const char *where, const host_alloc_req *r,
                                const host_alloc_limits *lim, host_err *e)
{
    char sql[2048];
    char *tags;
    int ntags;
    sqlite3_stmt *st = NULL;

    snprintf(sql, sizeof(sql), "%s%s", CHECK_SQL, where);
    if ((tags = tags_json(r->tags, &ntags)) == NULL) {
        host_fail(e, HOST_E_INTERNAL, "out of memory");
        return NULL;
    }
    if (sqlite3_prepare_v2(cs->db, sql, -1, &st, NULL) != SQLITE_OK ||
        bind_req(st, r, lim, tags, ntags) != 0) {
        host_fail_db(e, sqlite3_errmsg(cs->db));
        sqlite3_finalize(st);
        st = NULL;
    }
    free(tags);
    return st;
}

struct host_alloc_checker {
    sqlite3_stmt *st; /* CHECK_SQL for one pool (:pool) */
    host_cs *cs;
    const host_alloc_req *r;
    const host_alloc_limits *lim;
};

host_alloc_checker *host_alloc_checker_new(host_cs *cs, const host_alloc_req *r, const host_alloc_limits *lim,
                                           host_err *e)
{
    host_alloc_checker *ck = calloc(1, sizeof(*ck));

    if (ck == NULL) {
        host_fail(e, HOST_E_INTERNAL, "out of memory");
        return NULL;
    }
    ck->cs = cs;
    ck->r = r;
    ck->lim = lim;
    if ((ck->st = check_stmt(cs, "WHERE p.id = :pool", r, lim, e)) == NULL) {
        free(ck);
        return NULL;
    }
    return ck;
}

int host_alloc_checker_run(host_alloc_checker *ck, int64_t pool_id, int *ok, char *why, size_t whylen,
                           host_err *e)
{
    int rc;

    *ok = 0;
    why[0] = '\0';
    sqlite3_reset(ck->st);
    sqlite3_bind_int64(ck->st, sqlite3_bind_parameter_index(ck->st, ":pool"), pool_id);
    rc = sqlite3_step(ck->st);
    if (rc == SQLITE_ROW)
        verdict(ck->st, ck->r, ck->lim, ok, why, whylen);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? host_fail(e, HOST_E_INTERNAL, "storage pool %lld vanished", (long long)pool_id)
                             : host_fail_db(e, sqlite3_errmsg(ck->cs->db));
}

void host_alloc_checker_free(host_alloc_checker *ck)
{
    if (ck == NULL)
        return;
    sqlite3_finalize(ck->st);
    free(ck);
}

int host_alloc_check(host_cs *cs, int64_t pool_id, const host_alloc_req *r, const host_alloc_limits *lim,
                     int *ok, char *why, size_t whylen, host_err *e)
{
    host_alloc_checker *ck = host_alloc_checker_new(cs, r, lim, e);
    int rc;

    *ok = 0;
    why[0] = '\0';
    if (ck == NULL)
        return -1;
    rc = host_alloc_checker_run(ck, pool_id, ok, why, whylen, e);
    host_alloc_checker_free(ck);
    return rc;
}

int host_alloc_check_zone(host_cs *cs, const host_alloc_req *r, const host_alloc_limits *lim,
                          host_alloc_each each, void *ctx, host_err *e)
{
    /* One column a row, the id and the verdict in its lowest bit: in a zone of 10,000 pools the
     * scan is most of findStoragePoolsForMigration's time, and each column read costs a lock. */
    sqlite3_stmt *st = NULL;
    char *tags;
    int rc, ntags;

    if ((tags = tags_json(r->tags, &ntags)) == NULL)
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    if (sqlite3_prepare_v2(cs->db,
                           "SELECT p.id * 2 + coalesce((" OK_SQL
                           "), 0) FROM pool p WHERE p.zone_id = :zone AND p.id != :exclude "
                           "ORDER BY p.id",
                           -1, &st, NULL) != SQLITE_OK ||
        bind_req(st, r, lim, tags, ntags) != 0) {
        free(tags);
        sqlite3_finalize(st);
        return host_fail_db(e, sqlite3_errmsg(cs->db));
    }
    free(tags);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t row = sqlite3_column_int64(st, 0);
        if (each(ctx, row / 2, (int)(row & 1), e) != 0) {
            sqlite3_finalize(st);
            return -1;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : host_fail_db(e, sqlite3_errmsg(cs->db));
}

/* Says why no pool in scope was suitable: the first few reasons, pool by pool. */
static int explain(host_cs *cs, const host_alloc_req *r, const host_alloc_limits *lim, char *why,
                   size_t whylen, host_err *e)
{
    char err[256], one[512];
    sqlite3_stmt *st;
    int64_t *ids;
    size_t n, used = 0;
    int ok;

    st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT id FROM pool WHERE zone_id = ?1 AND (scope = 'ZONE' OR ?3 OR cluster_id = ?2) ORDER BY id",
        "iii", r->zone_id, r->cluster_id, (int64_t)r->any_cluster);
    if (st == NULL)
        return host_fail_db(e, err);
    if (host_stmt_ids(cs, st, &ids, &n, e) != 0)
        return -1;
    if (n == 0)
        snprintf(why, whylen, "there is no storage pool in scope");
    else
        why[0] = '\0';
    /* Reasons for the first few pools only: a zone of thousands must not make a refusal slow. */
    for (size_t i = 0; i < n && i < 8 && used + 2 < whylen; i++) {
        char uuid[40], name[128];
        if (host_alloc_check(cs, ids[i], r, lim, &ok, one, sizeof(one), e) != 0) {
            free(ids);
            return -1;
        }
        if (ok)
            continue;
        host_sql_text(cs->db, uuid, sizeof(uuid), err, sizeof(err), "SELECT uuid FROM pool WHERE id = ?", "i",
                      ids[i]);
        host_sql_text(cs->db, name, sizeof(name), err, sizeof(err), "SELECT name FROM pool WHERE id = ?", "i",
                      ids[i]);
        used += (size_t)snprintf(why + used, whylen - used, "%spool %s: %s", used ? "; " : "", name, one);
        if (used >= whylen)
            used = whylen - 1;
    }
    if (n > 8 && used + 2 < whylen)
        snprintf(why + used, whylen - used, "; and %zu more pools", n - 8);
    free(ids);
    return 0;
}

int host_alloc_pool(host_cs *cs, const host_alloc_req *r, int64_t *out, char *why, size_t whylen, host_err *e)
{
    static const char *cluster_sql =
        "SELECT p.id FROM pool p WHERE p.cluster_id = :cluster AND p.state = 'Up' "
        "AND p.id != :exclude AND p.scope = 'CLUSTER' AND " TAGS_SQL " AND " CAPACITY_SQL
        " ORDER BY p.id LIMIT 1";
    static const char *any_cluster_sql =
        "SELECT p.id FROM pool p WHERE p.zone_id = :zone AND p.scope = 'CLUSTER' "
        "AND p.state = 'Up' AND p.id != :exclude AND " TAGS_SQL " AND " CAPACITY_SQL " ORDER BY p.id LIMIT 1";
    static const char *zone_sql =
        "SELECT p.id FROM pool p WHERE p.zone_id = :zone AND p.scope = 'ZONE' AND p.state = 'Up' "
        "AND p.id != :exclude AND " TAGS_SQL " AND " CAPACITY_SQL " ORDER BY p.id LIMIT 1";
    host_alloc_limits lim;
    char *tags;
    int ntags, rc = 0;

    *out = 0;
    if (whylen > 0)
        why[0] = '\0';
    if (host_alloc_limits_load(cs, r->zone_id, &lim, e) != 0)
        return -1;
    if ((tags = tags_json(r->tags, &ntags)) == NULL)
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    if (r->cluster_id != 0)
        rc = first_pool(cs, cluster_sql, r, &lim, tags, ntags, out, e);
    else if (r->any_cluster)
        rc = first_pool(cs, any_cluster_sql, r, &lim, tags, ntags, out, e);
    if (rc == 0 && *out == 0)
        rc = first_pool(cs, zone_sql, r, &lim, tags, ntags, out, e);
    free(tags);
    if (rc == 0 && *out == 0 && whylen > 0)
        rc = explain(cs, r, &lim, why, whylen, e);
    return rc;
}
