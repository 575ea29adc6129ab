/* powerflex-sim process control for tests (see simproc.h). */
#include <config.h>
#include "simproc.h"
#include "jsonw.h"
#include "simlaunch.h"
#include "testca.h"
#include "thttp.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

struct tsim {
    pid_t pid;
    char *dir, *devdir, *url, *hostport;
    char *ca, *cert, *key;
    char *user, *password;
    bool api4;
    thttp *http;
};

/* Simulators still running at exit (a test that stopped at a fatal assertion) are stopped then,
 * so none outlives its test program. */
#define MAX_LIVE 64
static pid_t live[MAX_LIVE];

static void stop_leftovers(void)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i] > 0) {
            kill(live[i], SIGTERM);
            waitpid(live[i], NULL, 0);
            live[i] = 0;
        }
}

static void track(pid_t pid, bool add)
{
    static bool registered;
    if (!registered) {
        atexit(stop_leftovers);
        registered = true;
    }
    for (int i = 0; i < MAX_LIVE; i++)
        if (add ? live[i] == 0 : live[i] == pid) {
            live[i] = add ? pid : 0;
            return;
        }
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, f);
    if (vasprintf(&s, f, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}

static void rm_rf(const char *dir)
{
    const char *argv[] = {"rm", "-rf", dir, NULL};
    tca_run(argv, NULL);
}

static void free_sim(tsim *s)
{
    if (!s)
        return;
    thttp_free(s->http);
    free(s->dir);
    free(s->devdir);
    free(s->url);
    free(s->hostport);
    free(s->ca);
    free(s->cert);
    free(s->key);
    free(s->user);
    free(s->password);
    free(s);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *read_first_line(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];
    if (!f)
        return NULL;
    if (!fgets(line, sizeof(line), f)) {
        fclose(f);
        return NULL;
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    return strdup(line);
}

tsim *tsim_start(const char *const *extra_args)
{
    tsim *s = calloc(1, sizeof(*s));
    const char *tmp = getenv("TMPDIR"), *top = getenv("top_builddir");
    const char *api = getenv("PFX_TEST_SIM_API");
    const char **argv = NULL;
    char *tpl = NULL, *exe = NULL, *state = NULL, *log = NULL, *default_devdir = NULL;
    size_t nextra = 0, n = 0;
    unsigned char rnd[12];
    if (!s)
        return NULL;
    s->pid = -1;
    tpl = fmt("%s/tsim.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!tpl || !mkdtemp(tpl)) {
        fprintf(stderr, "tsim: cannot create a temp dir: %s\n", strerror(errno));
        goto fail;
    }
    s->dir = tpl;
    tpl = NULL;
    s->devdir = fmt("%s/devices", s->dir);
    state = fmt("%s/state", s->dir);
    default_devdir = strdup(s->devdir ? s->devdir : "");
    if (tca_make(s->dir, "127.0.0.1", "IP:127.0.0.1,DNS:localhost", &s->ca, &s->cert, &s->key))
        goto fail;
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        goto fail;
    s->password = fmt("Pw-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5],
                      rnd[6], rnd[7]);
    s->user = strdup("admin");
    for (size_t i = 0; extra_args && extra_args[i]; i++) {
        nextra++;
        if (!extra_args[i + 1])
            continue;
        if (!strcmp(extra_args[i], "--password")) {
            free(s->password);
            s->password = strdup(extra_args[i + 1]);
        } else if (!strcmp(extra_args[i], "--password-file")) {
            free(s->password);
            s->password = read_first_line(extra_args[i + 1]);
        } else if (!strcmp(extra_args[i], "--sdc-device-dir")) {
            free(s->devdir);
            s->devdir = strdup(extra_args[i + 1]);
        } else if (!strcmp(extra_args[i], "--user")) {
            free(s->user);
            s->user = strdup(extra_args[i + 1]);
        } else if (!strcmp(extra_args[i], "--api")) {
            api = extra_args[i + 1];
        }
    }
    s->api4 = api && !strcmp(api, "4.x");
    exe = fmt("%s/sim/powerflex-sim", top && *top ? top : ".");
    log = fmt("%s/sim.log", s->dir);
    argv = calloc(nextra + 5, sizeof(*argv));
    if (!argv || !exe || !log || !state || !default_devdir || !s->devdir || !s->password || !s->user)
        goto fail;
    argv[n++] = "--sdc-device-dir";
    argv[n++] = default_devdir;
    if (s->api4) {
        argv[n++] = "--api";
        argv[n++] = "4.x";
    }
    for (size_t i = 0; i < nextra; i++)
        argv[n++] = extra_args[i];
    argv[n] = NULL;
    {
        /* Sanitizer builds start slowly; the line is the only sign of life we wait for. */
        host_sim_launch l = {.exe = exe,
                             .cert = s->cert,
                             .key = s->key,
                             .password = s->password,
                             .state_dir = state,
                             .extra = (char *const *)argv,
                             .n_extra = n,
                             .log = log,
                             .die_with_parent = 1,
                             .wait_ms = 30000};
        char err[512];
        s->pid = host_sim_launch_start(&l, &s->url, err, sizeof(err));
        if (s->pid < 0) {
            fprintf(stderr, "tsim: %s\n", err);
            goto fail;
        }
    }
    track(s->pid, true);
    s->hostport = host_sim_hostport(s->url);
    s->http = s->url ? thttp_new(s->url, s->ca) : NULL;
    if (!s->url || !s->hostport || !s->http)
        goto fail;
    free(log);
    free(exe);
    free(state);
    free(default_devdir);
    free(argv);
    return s;
fail:
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        track(s->pid, false);
    }
    if (s->dir)
        rm_rf(s->dir);
    free(log);
    free(exe);
    free(state);
    free(default_devdir);
    free(argv);
    free(tpl);
    free_sim(s);
    return NULL;
}

const char *tsim_url(const tsim *s)
{
    return s->url;
}
const char *tsim_hostport(const tsim *s)
{
    return s->hostport;
}
const char *tsim_cafile(const tsim *s)
{
    return s->ca;
}
const char *tsim_dir(const tsim *s)
{
    return s->dir;
}
const char *tsim_device_dir(const tsim *s)
{
    return s->devdir;
}
const char *tsim_password(const tsim *s)
{
    return s->password;
}
const char *tsim_user(const tsim *s)
{
    return s->user;
}
int tsim_pid(const tsim *s)
{
    return (int)s->pid;
}
int tsim_api4(const tsim *s)
{
    return s->api4;
}

int tsim_control_body(tsim *s, const char *method, const char *path, const char *json_body, char **resp)
{
    return thttp_request(s->http, method, path, json_body, resp);
}

int tsim_control(tsim *s, const char *method, const char *path, const char *json_body)
{
    return thttp_request(s->http, method, path, json_body, NULL);
}

int tsim_fault(tsim *s, const char *spec)
{
    host_jsonw w;
    int rc = -1;
    host_jsonw_init(&w, 0);
    host_jsonw_object_begin(&w, NULL);
    host_jsonw_string(&w, "spec", spec);
    host_jsonw_object_end(&w);
    if (!w.failed)
        rc = thttp_request(s->http, "POST", "/sim/faults", host_jsonw_text(&w), NULL);
    host_jsonw_free(&w);
    return rc;
}

int tsim_clear_faults(tsim *s)
{
    return thttp_request(s->http, "DELETE", "/sim/faults", NULL, NULL);
}

int tsim_stats_count(tsim *s, const char *key)
{
    char *body = NULL, err[128];
    int st = thttp_request(s->http, "GET", "/sim/stats", NULL, &body), out = -1;
    yajl_val root, v;
    if (st != 200 || !body) {
        free(body);
        return -1;
    }
    root = yajl_tree_parse(body, err, sizeof(err));
    free(body);
    if (!root)
        return -1;
    if (!strcmp(key, "logins") || !strcmp(key, "total") || !strcmp(key, "bearer")) {
        const char *p[] = {key, NULL};
        v = yajl_tree_get(root, p, yajl_t_number);
    } else {
        const char *p[] = {"requests", key, NULL};
        v = yajl_tree_get(root, p, yajl_t_number);
        if (!v)
            out = 0;
    }
    if (v && YAJL_IS_INTEGER(v))
        out = (int)YAJL_GET_INTEGER(v);
    yajl_tree_free(root);
    return out;
}

int tsim_stop_status(tsim *s)
{
    int status = 0, rc = -1;
    int64_t deadline;
    if (!s)
        return -1;
    if (s->pid > 0) {
        track(s->pid, false);
        kill(s->pid, SIGTERM);
        deadline = now_ms() + 20000;
        for (;;) {
            pid_t r = waitpid(s->pid, &status, WNOHANG);
            if (r == s->pid) {
                rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
                break;
            }
            if (r < 0 && errno != EINTR)
                break;
            if (now_ms() > deadline) {
                fprintf(stderr, "tsim: simulator ignored SIGTERM; killing it\n");
                kill(s->pid, SIGKILL);
                waitpid(s->pid, &status, 0);
                break;
            }
            usleep(2000);
        }
    }
    if (s->dir)
        rm_rf(s->dir);
    free_sim(s);
    return rc;
}

void tsim_stop(tsim *s)
{
    (void)tsim_stop_status(s);
}
