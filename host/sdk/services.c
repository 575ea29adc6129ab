/* services.c - the host services table the harness lends a plugin: logging and settings.
 * A plugin may call both callbacks from any thread, so the settings map is locked. */
#include "config.h"

#include "services.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct setting {
    sp_scope scope;
    char *scope_id;
    char *key;
    char *value;
    struct setting *next;
} setting;

/* Chained by a hash of (scope, scope id, key): an installation of thousands of pools holds tens
 * of thousands of pool-scope settings, and the harness's start-up sets them all (one list searched
 * on every set made that start-up quadratic). */
#define SETTING_BUCKETS 4096

struct host_settings {
    pthread_mutex_t lock;
    setting *buckets[SETTING_BUCKETS];
};

static unsigned bucket(sp_scope scope, const char *scope_id, const char *key)
{
    uint32_t h = 2166136261u ^ (uint32_t)scope;

    if (scope != SP_SCOPE_GLOBAL)
        for (const char *p = scope_id; *p != '\0'; p++)
            h = (h ^ (unsigned char)*p) * 16777619u;
    h = (h ^ 0xff) * 16777619u;
    for (const char *p = key; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h % SETTING_BUCKETS;
}

static const char *level_names[] = {"ERROR", "WARN", "INFO", "DEBUG"};

static int log_enabled_cb(void *ctx, sp_log_level level)
{
    host_services *svc = ctx;

    return level <= svc->max_level && svc->log_file != NULL;
}

static void log_cb(void *ctx, sp_log_level level, const char *message)
{
    host_services *svc = ctx;
    char *masked;

    if (level > svc->max_level || svc->log_file == NULL)
        return;
    if (svc->log_filter == NULL) {
        fprintf(svc->log_file, "[%s] %s\n", (unsigned)level < 4 ? level_names[level] : "?", message);
        fflush(svc->log_file);
        return;
    }
    masked = svc->log_filter(message);
    fprintf(svc->log_file, "[%s] %s\n", (unsigned)level < 4 ? level_names[level] : "?",
            masked != NULL ? masked : "(log line withheld: out of memory while filtering it)");
    fflush(svc->log_file);
    free(masked);
}

static int same_scope(const setting *s, sp_scope scope, const char *scope_id)
{
    if (s->scope != scope)
        return 0;
    if (scope == SP_SCOPE_GLOBAL)
        return 1;
    return scope_id != NULL && strcmp(s->scope_id, scope_id) == 0;
}

static setting *find(const host_settings *set, sp_scope scope, const char *scope_id, const char *key)
{
    if (scope != SP_SCOPE_GLOBAL && scope_id == NULL)
        return NULL;
    for (setting *s = set->buckets[bucket(scope, scope_id, key)]; s != NULL; s = s->next)
        if (same_scope(s, scope, scope_id) && strcmp(s->key, key) == 0)
            return s;
    return NULL;
}

/* Answers from the narrowest scope that has the key: pool or host, then zone (when the pool's
 * zone is recorded as setting "zone" of the pool), then global. */
static int get_setting_cb(void *ctx, sp_scope scope, const char *scope_id, const char *key, char *buf,
                          size_t buf_len)
{
    host_services *svc = ctx;
    host_settings *set = svc->settings;
    const setting *s = NULL;
    int rc = 0;

    pthread_mutex_lock(&set->lock);
    if (scope_id != NULL)
        s = find(set, scope, scope_id, key);
    if (s == NULL && scope == SP_SCOPE_POOL && scope_id != NULL) {
        const setting *zone = find(set, SP_SCOPE_POOL, scope_id, "zone");
        if (zone != NULL)
            s = find(set, SP_SCOPE_ZONE, zone->value, key);
    }
    if (s == NULL && scope != SP_SCOPE_HOST)
        s = find(set, SP_SCOPE_GLOBAL, NULL, key);
    if (s != NULL) {
        size_t n = strlen(s->value);
        if (n + 1 > buf_len) {
            rc = -1;
        } else {
            memcpy(buf, s->value, n + 1);
            rc = 1;
        }
    }
    pthread_mutex_unlock(&set->lock);
    return rc;
}

int host_services_init(host_services *svc)
{
    memset(svc, 0, sizeof(*svc));
    svc->settings = calloc(1, sizeof(*svc->settings));
    if (svc->settings == NULL)
        return -1;
    pthread_mutex_init(&svc->settings->lock, NULL);
    svc->max_level = SP_LOG_WARN;
    svc->log_file = stderr;
    svc->table.abi_version = SP_ABI_VERSION;
    svc->table.struct_size = sizeof(sp_host_services);
    svc->table.host_ctx = svc;
    svc->table.log = log_cb;
    svc->table.get_setting = get_setting_cb;
    svc->table.log_enabled = log_enabled_cb;
    return 0;
}

static void setting_free(setting *s)
{
    free(s->scope_id);
    free(s->key);
    free(s->value);
    free(s);
}

void host_settings_clear(host_services *svc)
{
    pthread_mutex_lock(&svc->settings->lock);
    for (size_t i = 0; i < SETTING_BUCKETS; i++) {
        for (setting *s = svc->settings->buckets[i], *next; s != NULL; s = next) {
            next = s->next;
            setting_free(s);
        }
        svc->settings->buckets[i] = NULL;
    }
    pthread_mutex_unlock(&svc->settings->lock);
}

void host_services_free(host_services *svc)
{
    if (svc->settings == NULL)
        return;
    host_settings_clear(svc);
    pthread_mutex_destroy(&svc->settings->lock);
    free(svc->settings);
    svc->settings = NULL;
}

int host_setting_set(host_services *svc, sp_scope scope, const char *scope_id, const char *key,
                     const char *value)
{
    host_settings *set = svc->settings;
    setting **pp;
    int rc = 0;

    if (scope == SP_SCOPE_GLOBAL)
        scope_id = "";
    if (scope_id == NULL)
        return -1;
    pthread_mutex_lock(&set->lock);
    for (pp = &set->buckets[bucket(scope, scope_id, key)]; *pp != NULL; pp = &(*pp)->next)
        if (same_scope(*pp, scope, scope_id) && strcmp((*pp)->key, key) == 0)
            break;
    if (value == NULL) {
        if (*pp != NULL) {
            setting *gone = *pp;
            *pp = gone->next;
            setting_free(gone);
        }
    } else if (*pp != NULL) {
        char *v = strdup(value);
        if (v == NULL) {
            rc = -1;
        } else {
            free((*pp)->value);
            (*pp)->value = v;
        }
    } else {
        setting *s = calloc(1, sizeof(*s));
        if (s == NULL || (s->scope_id = strdup(scope_id)) == NULL || (s->key = strdup(key)) == NULL ||
            (s->value = strdup(value)) == NULL) {
            if (s != NULL)
                setting_free(s);
            rc = -1;
        } else {
            s->scope = scope;
            s->next = NULL; /* appended at the end of its chain, where the search stopped */
            *pp = s;
        }
    }
    pthread_mutex_unlock(&set->lock);
    return rc;
}

const char *host_setting_get(const host_services *svc, sp_scope scope, const char *scope_id, const char *key)
{
    const setting *s;

    pthread_mutex_lock(&svc->settings->lock);
    s = find(svc->settings, scope, scope == SP_SCOPE_GLOBAL ? "" : scope_id, key);
    pthread_mutex_unlock(&svc->settings->lock);
    return s != NULL ? s->value : NULL;
}
