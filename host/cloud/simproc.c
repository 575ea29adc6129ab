/* simproc.c - simulator processes for scenarios and the demo.
 * A simulator the harness starts dies with it (PR_SET_PDEATHSIG) unless --keep-sims; its state
 * is recorded so that a restarted harness can find one that is still running. */
#include "config.h"

#include "simproc.h"

#include "cfg.h"
#include "fsutil.h"
#include "http.h"
#include "jsonw.h"
#include "runprog.h"
#include "secret.h"
#include "simlaunch.h"
#include "store.h"
#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void simproc_free(host_simproc *p)
{
    if (p == NULL)
        return;
    if (p->password != NULL)
        host_wipe(p->password, strlen(p->password));
    free(p->name);
    free(p->gateway);
    free(p->control);
    free(p->cafile);
    free(p->user);
    free(p->password);
    free(p->first_pool);
    free(p->dir);
    free(p);
}

host_simproc *host_sim_find(host_cs *cs, const char *name)
{
    for (host_simproc *p = cs->sims; p != NULL; p = p->next)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

static int bind_vars(host_cs *cs, host_simproc *p, host_err *e)
{
    static const char hex[] = "0123456789ABCDEF";
    host_buf enc = HOST_BUF_INIT, url = HOST_BUF_INIT;
    char var[160];
    int rc = 0;

    /* The URL's password is percent-encoded, as the seed's powerflex://admin:P%40ssword123@... */
    for (const unsigned char *c = (const unsigned char *)p->password; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            strchr("-._~", *c)) {
            host_buf_addc(&enc, (char)*c);
        } else {
            host_buf_addc(&enc, '%');
            host_buf_addc(&enc, hex[*c >> 4]);
            host_buf_addc(&enc, hex[*c & 15]);
        }
    }
    host_buf_printf(&url, "powerflex://%s:%s@%s/%s", p->user, host_buf_str(&enc), p->gateway, p->first_pool);
    {
        /* The port alone, to reach the same gateway under another name (localhost). */
        const char *colon = strrchr(p->gateway, ':');
        const char *keys[] = {"gateway", "cafile", "user", "password", "url", "control", "port"};
        const char *vals[] = {p->gateway,
                              p->cafile,
                              p->user,
                              p->password,
                              host_buf_str(&url),
                              p->control,
                              colon != NULL ? colon + 1 : ""};
        for (int i = 0; i < 7 && rc == 0; i++) {
            snprintf(var, sizeof(var), "%s.%s", p->name, keys[i]);
            if (host_vars_set(cs->vars, var, vals[i]) != 0)
                rc = host_fail(e, HOST_E_INTERNAL, "cannot bind $%s", var);
        }
    }
    host_wipe(enc.s, enc.len);
    host_buf_free(&enc);
    host_wipe(url.s, url.len);
    host_buf_free(&url);
    return rc;
}

static int record(host_cs *cs, host_simproc *p, host_err *e)
{
    char err[256], *sealed = host_secret_seal(cs->key, p->password);
    int rc;

    if (sealed == NULL)
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    rc = host_sql_run(
        cs->db, err, sizeof(err),
        "INSERT OR REPLACE INTO sim(name, pid, gateway, control, cafile, user, password, dir, created) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "titttttti", p->name, (int64_t)p->pid, p->gateway, p->control, p->cafile, p->user, sealed, p->dir,
        host_now());
    free(sealed);
    if (rc < 0)
        return host_fail_db(e, err);
    return 0;
}

/* Rewrites every host's SDC configuration for the simulators now running. */
static int write_all_sdc_conf(host_cs *cs, host_err *e)
{
    char err[256];
    sqlite3_stmt *st = host_sql_prepare(cs->db, err, sizeof(err), "SELECT id FROM host ORDER BY id", "");
    int rc = 0;

    if (st == NULL)
        return host_fail_db(e, err);
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
        rc = host_sims_write_sdc_conf(cs, sqlite3_column_int64(st, 0), e);
    sqlite3_finalize(st);
    return rc;
}

int host_sim_spawn(host_cs *cs, const host_sim_spec *spec, host_simproc **out, host_err *e)
{
    char *ca = NULL, *cert = NULL, *key = NULL, *prog = NULL, *log = NULL, *pwfile = NULL, *state = NULL,
         err[512];
    char **argv = NULL;
    size_t argc = 0, cap;
    host_simproc *p = NULL;
    sqlite3_stmt *st = NULL;
    pid_t pid;
    int rc = -1;

    *out = NULL;
    if (host_sim_find(cs, spec->name) != NULL)
        return host_fail(e, HOST_E_PARAM, "simulator %s is already running", spec->name);
    prog = host_find_program(cs, "powerflex-sim");
    if (prog == NULL)
        return host_fail(
            e, HOST_E_INTERNAL,
            "powerflex-sim not found beside cs-harness (build tree: sim/; or set POWERFLEX_SIM)");
    if (host_pki_ensure(cs, &ca, &cert, &key, e) != 0)
        goto out;
    p = calloc(1, sizeof(*p));
    if (p == NULL || (p->name = strdup(spec->name)) == NULL || (p->user = strdup(spec->user)) == NULL ||
        (p->password = strdup(spec->password)) == NULL || (p->cafile = strdup(ca)) == NULL ||
        asprintf(&p->dir, "%s/sims/%s", cs->workdir, spec->name) < 0 ||
        asprintf(&log, "%s/sim.log", p->dir) < 0 || asprintf(&pwfile, "%s/password", p->dir) < 0 ||
        asprintf(&state, "%s/state", p->dir) < 0 ||
        (p->first_pool = strndup(spec->pools, strcspn(spec->pools, ":,"))) == NULL)
        goto nomem;
    if (host_mkdirs(state) != 0) {
        host_fail(e, HOST_E_INTERNAL, "cannot create %s: %s", state, strerror(errno));
        goto out;
    }
    if (host_write_file(pwfile, spec->password, strlen(spec->password), 0600) != 0) {
        host_fail(e, HOST_E_INTERNAL, "cannot write %s: %s", pwfile, strerror(errno));
        goto out;
    }
    cap = 8 + spec->n_extra;
    argv = calloc(cap, sizeof(*argv));
    if (argv == NULL)
        goto nomem;
#define ARG(s) argv[argc++] = (char *)(s)
    if (spec->system != NULL) {
        ARG("--system-id");
        ARG(spec->system);
    }
    for (size_t i = 0; i < spec->n_extra; i++)
        ARG(spec->extra[i]);
    /* SDCs join the system's MDMs only when their host needs it (drv_cfg --add_mdm). */
    ARG("--sdcs-detached");
    /* Every harness host is an SDC of the system, its device entries in the host's device dir. */
    st = host_sql_prepare(cs->db, err, sizeof(err), "SELECT ip, sdc_guid, uuid FROM host ORDER BY id", "");
    if (st == NULL) {
        host_fail_db(e, err);
        goto out;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        char devdir[1024], *arg;
        if (host_config_get(cs, HOST_SIM_DEVICE_DIR, SP_SCOPE_HOST, host_col_text(st, 2), devdir,
                            sizeof(devdir)) != 0)
            continue;
        if (argc + 4 >= cap) {
            char **na = realloc(argv, (cap *= 2) * sizeof(*na));
            if (na == NULL)
                goto nomem;
            argv = na;
        }
        if (asprintf(&arg, "%s:%s:%s", host_col_text(st, 0), host_col_text(st, 1), devdir) < 0)
            goto nomem;
        ARG("--sdc");
        ARG(arg);
    }
    sqlite3_finalize(st);
    st = NULL;
    {
        char *copy = strdup(spec->pools), *save = NULL;
        if (copy == NULL)
            goto nomem;
        for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
            if (argc + 3 >= cap) {
                char **na = realloc(argv, (cap *= 2) * sizeof(*na));
                if (na == NULL) {
                    free(copy);
                    goto nomem;
                }
                argv = na;
            }
            ARG("--pool");
            ARG(strdup(t));
        }
        free(copy);
    }
    argv[argc] = NULL;
#undef ARG
    {
        /* A simulator a kept session started outlives this process (--keep-sims); any other dies
         * with it. */
        host_sim_launch l = {.exe = prog,
                             .cert = cert,
                             .key = key,
                             .user = spec->user,
                             .password_file = pwfile,
                             .state_dir = state,
                             .extra = argv,
                             .n_extra = argc,
                             .log = log,
                             .die_with_parent = !cs->keep_sims,
                             .new_session = cs->keep_sims,
                             .wait_ms = 20000};
        pid = host_sim_launch_start(&l, &p->control, err, sizeof(err));
    }
    if (pid < 0) {
        host_fail(e, HOST_E_INTERNAL, "cannot start powerflex-sim: %s", err);
        goto out;
    }
    p->pid = pid;
    p->child = 1;
    if ((p->gateway = host_sim_hostport(p->control)) == NULL) {
        host_stop(pid, 1, 10000);
        goto nomem;
    }
    p->next = cs->sims;
    cs->sims = p;
    *out = p;
    p = NULL;
    if (record(cs, *out, e) != 0 || bind_vars(cs, *out, e) != 0 || write_all_sdc_conf(cs, e) != 0)
        goto out;
    rc = 0;
    goto out;
nomem:
    host_fail(e, HOST_E_INTERNAL, "out of memory");
out:
    if (st != NULL)
        sqlite3_finalize(st);
    if (argv != NULL) {
        /* --sdc and --pool values were allocated here; the rest are borrowed. */
        for (size_t i = 0; i + 1 < argc; i++)
            if (strcmp(argv[i], "--sdc") == 0 || strcmp(argv[i], "--pool") == 0)
                free(argv[++i]);
        free(argv);
    }
    simproc_free(p);
    free(ca);
    free(cert);
    free(key);
    free(prog);
    free(log);
    free(pwfile);
    free(state);
    return rc;
}

static void terminate(host_simproc *p)
{
    host_stop(p->pid, p->child, 10000);
}

int host_sim_stop(host_cs *cs, const char *name, host_err *e)
{
    char err[256];

    for (host_simproc **pp = &cs->sims; *pp != NULL; pp = &(*pp)->next)
        if (strcmp((*pp)->name, name) == 0) {
            host_simproc *p = *pp;
            *pp = p->next;
            terminate(p);
            simproc_free(p);
            if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM sim WHERE name = ?", "t", name) < 0)
                return host_fail_db(e, err);
            return write_all_sdc_conf(cs, e);
        }
    return host_fail(e, HOST_E_PARAM, "no simulator named %s is running", name);
}

void host_sims_stop_all(host_cs *cs)
{
    while (cs->sims != NULL) {
        host_simproc *p = cs->sims;
        cs->sims = p->next;
        if (!cs->keep_sims) {
            char err[128];
            terminate(p);
            if (cs->db != NULL)
                host_sql_run(cs->db, err, sizeof(err), "DELETE FROM sim WHERE name = ?", "t", p->name);
        } else if (p->child) {
            /* Left running on purpose: a later harness adopts it. */
        }
        simproc_free(p);
    }
}

/* The command line of a running process, as an argv (one malloc'd block; *argv[0] is it). */
static char **process_argv(pid_t pid)
{
    char path[64], *buf = NULL, **argv = NULL;
    size_t len = 0, n = 0;
    ssize_t got;
    int fd;

    snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return NULL;
    buf = malloc(65536);
    while (buf != NULL && len < 65535 && (got = read(fd, buf + len, 65535 - len)) > 0)
        len += (size_t)got;
    close(fd);
    if (buf == NULL || len == 0 || len >= 65535) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    for (size_t i = 0; i < len; i++)
        n += buf[i] == '\0';
    argv = malloc((n + 2) * sizeof(*argv) + len + 1);
    if (argv != NULL) {
        char *copy = (char *)(argv + n + 2), *q = copy;
        size_t k = 0;
        memcpy(copy, buf, len + 1);
        while (q < copy + len) {
            argv[k++] = q;
            q += strlen(q) + 1;
        }
        argv[k] = NULL;
    }
    free(buf);
    return argv;
}

int host_sim_restart(host_cs *cs, const char *name, int sig, host_err *e)
{
    host_simproc *p = host_sim_find(cs, name);
    /* Started again through the launcher (simlaunch.h) as it was started: the launcher's own
     * options read back into its fields, the caller's options as they were, and the port it had. */
    host_sim_launch l = {.die_with_parent = !cs->keep_sims, .new_session = cs->keep_sims, .wait_ms = 20000};
    char **argv = NULL, **extra = NULL, *log = NULL, *url = NULL, *gateway = NULL, err[512];
    size_t argc = 0, n = 0;
    pid_t pid;
    int rc = -1;

    if (p == NULL)
        return host_fail(e, HOST_E_PARAM, "no simulator named %s is running", name);
    if ((argv = process_argv(p->pid)) == NULL || strstr(argv[0], "powerflex-sim") == NULL) {
        host_fail(e, HOST_E_INTERNAL, "simulator %s (process %ld) cannot be read back to restart it", name,
                  (long)p->pid);
        goto out;
    }
    while (argv[argc] != NULL)
        argc++;
    if ((extra = calloc(argc + 3, sizeof(*extra))) == NULL || asprintf(&log, "%s/sim.log", p->dir) < 0) {
        log = NULL;
        goto nomem;
    }
    l.exe = argv[0];
    for (size_t i = 1; i < argc; i++) {
        const char *o = argv[i], **field = NULL;
        if (strcmp(o, "--tls-cert") == 0)
            field = &l.cert;
        else if (strcmp(o, "--tls-key") == 0)
            field = &l.key;
        else if (strcmp(o, "--user") == 0)
            field = &l.user;
        else if (strcmp(o, "--password-file") == 0)
            field = &l.password_file;
        else if (strcmp(o, "--password") == 0)
            field = &l.password;
        else if (strcmp(o, "--state-dir") == 0)
            field = &l.state_dir;
        if (field != NULL && i + 1 < argc)
            *field = argv[++i];
        else if (strcmp(o, "--listen") == 0 && i + 1 < argc)
            i++; /* the launcher's; the port it had is given below */
        else
            extra[n++] = argv[i];
    }
    if (l.cert == NULL || l.key == NULL) {
        host_fail(e, HOST_E_INTERNAL, "simulator %s: no certificate in its command line to restart it with",
                  name);
        goto out;
    }
    extra[n++] = "--listen"; /* the last --listen is the one the simulator takes */
    extra[n++] = p->gateway;
    l.extra = extra;
    l.n_extra = n;
    l.log = log;
    if (sig != SIGTERM)
        kill(p->pid, sig);
    host_stop(p->pid, p->child, 10000);
    if ((pid = host_sim_launch_start(&l, &url, err, sizeof(err))) < 0) {
        host_fail(e, HOST_E_INTERNAL, "cannot restart simulator %s: %s", name, err);
        goto out;
    }
    if ((gateway = host_sim_hostport(url)) == NULL || strcmp(gateway, p->gateway) != 0) {
        host_fail(e, HOST_E_INTERNAL, "simulator %s came back on %s, not %s", name, url, p->gateway);
        host_stop(pid, 1, 10000);
        goto out;
    }
    p->pid = pid;
    p->child = 1;
    rc = record(cs, p, e);
    goto out;
nomem:
    host_fail(e, HOST_E_INTERNAL, "out of memory");
out:
    free(argv);
    free(extra);
    free(log);
    free(url);
    free(gateway);
    return rc;
}

static int is_simulator(pid_t pid)
{
    char path[64], cmd[4096];
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    n = read(fd, cmd, sizeof(cmd) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    cmd[n] = '\0';
    return strstr(cmd, "powerflex-sim") != NULL;
}

int host_sims_adopt(host_cs *cs, host_err *e)
{
    char err[256];
    sqlite3_stmt *st =
        host_sql_prepare(cs->db, err, sizeof(err),
                         "SELECT name, pid, gateway, control, cafile, user, password, dir FROM sim", "");
    int changed = 0, rc = 0;

    if (st == NULL)
        return host_fail_db(e, err);
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = host_col_text(st, 0);
        pid_t pid = (pid_t)sqlite3_column_int64(st, 1);
        host_simproc *p;
        if (host_sim_find(cs, name) != NULL)
            continue;
        if (kill(pid, 0) != 0 || !is_simulator(pid)) {
            changed = 1;
            continue;
        }
        p = calloc(1, sizeof(*p));
        if (p == NULL || (p->name = strdup(name)) == NULL ||
            (p->gateway = strdup(host_col_text(st, 2))) == NULL ||
            (p->control = strdup(host_col_text(st, 3))) == NULL ||
            (p->cafile = strdup(host_col_text(st, 4))) == NULL ||
            (p->user = strdup(host_col_text(st, 5))) == NULL ||
            (p->password = host_secret_open(cs->key, host_col_text(st, 6))) == NULL ||
            (p->dir = strdup(host_col_text(st, 7))) == NULL || (p->first_pool = strdup("")) == NULL) {
            simproc_free(p);
            rc = host_fail(e, HOST_E_INTERNAL, "cannot adopt simulator %s", name);
            break;
        }
        p->pid = pid;
        p->next = cs->sims;
        cs->sims = p;
        rc = bind_vars(cs, p, e);
    }
    sqlite3_finalize(st);
    if (rc == 0 && changed) {
        /* Simulators that are gone are forgotten, and no host lists them as its systems. */
        if (host_sql_run(cs->db, err, sizeof(err),
                         "DELETE FROM sim WHERE name NOT IN (SELECT value FROM json_each(?))", "t", "[]") < 0)
            return host_fail_db(e, err);
        for (host_simproc *p = cs->sims; p != NULL && rc == 0; p = p->next)
            rc = record(cs, p, e);
        if (rc == 0)
            rc = write_all_sdc_conf(cs, e);
    }
    return rc;
}

/* Makes the host an SDC of every running simulator (POST /sim/sdc; an SDC it already has is
 * kept): a host installed after a system started is an SDC of it, as on a real one. */
static int register_sdc(host_cs *cs, const char *uuid, const char *ip, const char *guid, host_err *e)
{
    char devdir[1024], url[600], err[512];
    host_jsonw body;
    int rc = 0;

    if (host_config_get(cs, HOST_SIM_DEVICE_DIR, SP_SCOPE_HOST, uuid, devdir, sizeof(devdir)) != 0)
        return 0;
    host_jsonw_init(&body, 0);
    host_jsonw_object_begin(&body, NULL);
    host_jsonw_string(&body, "ip", ip);
    host_jsonw_string(&body, "guid", guid);
    host_jsonw_string(&body, "deviceDir", devdir);
    host_jsonw_object_end(&body);
    if (body.failed) {
        host_jsonw_free(&body);
        return host_fail(e, HOST_E_INTERNAL, "registering host %s as an SDC: out of memory", ip);
    }
    for (host_simproc *p = cs->sims; p != NULL && rc == 0; p = p->next) {
        host_buf out = HOST_BUF_INIT;
        long status = 0;
        snprintf(url, sizeof(url), "%s/sim/sdc", p->control);
        if (host_http("POST", url, p->cafile, host_jsonw_text(&body), &out, &status, err, sizeof(err)) != 0 ||
            status != 200)
            rc = host_fail(e, HOST_E_UNAVAILABLE, "simulator %s: registering host %s as an SDC: %s", p->name,
                           ip, status ? host_buf_str(&out) : err);
        host_buf_free(&out);
    }
    host_jsonw_free(&body);
    return rc;
}

int host_sims_write_sdc_conf(host_cs *cs, int64_t host_id, host_err *e)
{
    char err[256], uuid[40], ip[64], guid[64], home[1024], *dir = NULL, *conf = NULL, *link = NULL,
                                                           *prog = NULL;
    host_buf text = HOST_BUF_INIT;
    int rc = -1;

    if (host_sql_text(cs->db, uuid, sizeof(uuid), err, sizeof(err), "SELECT uuid FROM host WHERE id = ?", "i",
                      host_id) <= 0 ||
        host_sql_text(cs->db, ip, sizeof(ip), err, sizeof(err), "SELECT ip FROM host WHERE id = ?", "i",
                      host_id) <= 0 ||
        host_sql_text(cs->db, guid, sizeof(guid), err, sizeof(err), "SELECT sdc_guid FROM host WHERE id = ?",
                      "i", host_id) <= 0)
        return host_fail(e, HOST_E_INTERNAL, "host %lld is not in the database", (long long)host_id);
    if (host_config_get(cs, HOST_SIM_SDC_HOME, SP_SCOPE_HOST, uuid, home, sizeof(home)) != 0)
        return host_fail(e, HOST_E_INTERNAL, "host %s has no SDC home", uuid);
    /* A host whose SDC home is outside the work dir is a real host's: leave it alone. */
    if (strncmp(home, cs->workdir, strlen(cs->workdir)) != 0)
        return 0;
    if (register_sdc(cs, uuid, ip, guid, e) != 0)
        return -1;
    if (asprintf(&dir, "%s/cfg", home) < 0 || asprintf(&conf, "%s/cfg/sim_sdc.conf", home) < 0 ||
        asprintf(&link, "%s/bin/drv_cfg", home) < 0)
        goto nomem;
    host_buf_printf(&text, "# written by cs-harness: the simulated systems this host is an SDC of\nguid=%s\n",
                    guid);
    for (host_simproc *p = cs->sims; p != NULL; p = p->next)
        host_buf_printf(&text, "url=%s sdc=%s ca=%s\n", p->control, ip, p->cafile);
    if (text.failed)
        goto nomem;
    if (host_mkdirs(dir) != 0 || host_write_file(conf, text.s, text.len, 0644) != 0) {
        host_fail(e, HOST_E_INTERNAL, "cannot write %s: %s", conf, strerror(errno));
        goto out;
    }
    prog = host_find_program(cs, "drv_cfg");
    if (prog != NULL) {
        char *bindir = NULL;
        if (asprintf(&bindir, "%s/bin", home) < 0)
            goto nomem;
        host_mkdirs(bindir);
        free(bindir);
        unlink(link);
        if (symlink(prog, link) != 0) {
            host_fail(e, HOST_E_INTERNAL, "cannot link %s: %s", link, strerror(errno));
            goto out;
        }
    }
    rc = 0;
    goto out;
nomem:
    host_fail(e, HOST_E_INTERNAL, "out of memory");
out:
    host_buf_free(&text);
    free(dir);
    free(conf);
    free(link);
    free(prog);
    return rc;
}
