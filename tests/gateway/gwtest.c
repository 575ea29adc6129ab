/* gwtest.c - shared helpers of the gateway client's tests: fixtures, log capture, secret checks.
 * The log table is process-wide because the plugin's host services are. */
#include "config.h"

#include "gwtest.h"

#include "hostsvc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *gwt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        goto out;
    buf = malloc((size_t)n + 1);
    if (buf == NULL)
        goto out;
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
        goto out;
    }
    buf[n] = '\0';
    if (len != NULL)
        *len = (size_t)n;
out:
    fclose(f);
    return buf;
}

char *gwt_fixture(const char *name, size_t *len)
{
    char path[1024];
    char *buf;

    snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, name);
    buf = gwt_read_file(path, len);
    if (buf == NULL) {
        fprintf(stderr, "cannot read fixture %s\n", path);
        exit(99);
    }
    return buf;
}

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char **lines;
static size_t n_lines, cap_lines;
static char *secrets[32];
static size_t n_secrets;

static void record(void *ctx, sp_log_level level, const char *message)
{
    char *copy = strdup(message);

    if (getenv("GWT_VERBOSE") != NULL)
        fprintf(stderr, "[log %d] %s\n", (int)level, message);
    pthread_mutex_lock(&log_lock);
    if (copy != NULL && n_lines == cap_lines) {
        size_t cap = cap_lines ? cap_lines * 2 : 256;
        char **nl = realloc(lines, cap * sizeof(*nl));
        if (nl == NULL) {
            free(copy);
            copy = NULL;
        } else {
            lines = nl;
            cap_lines = cap;
        }
    }
    if (copy != NULL)
        lines[n_lines++] = copy;
    pthread_mutex_unlock(&log_lock);
}

static int no_setting(void *ctx, sp_scope scope, const char *scope_id, const char *key, char *buf,
                      size_t buf_len)
{
    return 0;
}

static const sp_host_services capture_services = {
    .abi_version = SP_ABI_VERSION,
    .struct_size = sizeof(sp_host_services),
    .host_ctx = NULL,
    .log = record,
    .get_setting = no_setting,
};

void gwt_log_capture_start(void)
{
    pfx_hostsvc_set(&capture_services);
}

void gwt_add_secret(const char *s)
{
    if (s == NULL || strlen(s) < 4)
        return;
    pthread_mutex_lock(&log_lock);
    for (size_t i = 0; i < n_secrets; i++)
        if (strcmp(secrets[i], s) == 0)
            goto out;
    if (n_secrets < sizeof(secrets) / sizeof(secrets[0]))
        secrets[n_secrets++] = strdup(s);
out:
    pthread_mutex_unlock(&log_lock);
}

static int has_secret(const char *text)
{
    for (size_t i = 0; i < n_secrets; i++)
        if (secrets[i] != NULL && strstr(text, secrets[i]) != NULL)
            return 1;
    return 0;
}

int gwt_error_clean(const sp_error *err)
{
    int clean;

    pthread_mutex_lock(&log_lock);
    clean = !has_secret(err->message);
    pthread_mutex_unlock(&log_lock);
    if (!clean)
        fprintf(stderr, "secret in error message: %s\n", err->message);
    return clean;
}

size_t gwt_log_count(const char *needle)
{
    size_t n = 0;

    pthread_mutex_lock(&log_lock);
    for (size_t i = 0; i < n_lines; i++)
        if (needle == NULL || strstr(lines[i], needle) != NULL)
            n++;
    pthread_mutex_unlock(&log_lock);
    return n;
}

size_t gwt_log_leaks(void)
{
    size_t leaks = 0;

    pthread_mutex_lock(&log_lock);
    for (size_t i = 0; i < n_lines; i++)
        if (has_secret(lines[i])) {
            fprintf(stderr, "secret in log line: %s\n", lines[i]);
            leaks++;
        }
    pthread_mutex_unlock(&log_lock);
    return leaks;
}

void gwt_log_capture_stop(void)
{
    pfx_hostsvc_reset();
    pthread_mutex_lock(&log_lock);
    for (size_t i = 0; i < n_lines; i++)
        free(lines[i]);
    free(lines);
    lines = NULL;
    n_lines = cap_lines = 0;
    for (size_t i = 0; i < n_secrets; i++)
        free(secrets[i]);
    n_secrets = 0;
    pthread_mutex_unlock(&log_lock);
}
