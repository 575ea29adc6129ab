/* session.c - running cmk lines: API commands in one transaction each, and scenario helpers.
 * A line fails loudly (non-zero exit) unless "expect error" announced the failure. */
#include "config.h"

#include "session.h"

#include "alert.h"
#include "api.h"
#include "cfg.h"
#include "cmk.h"
#include "input.h"
#include "jpath.h"
#include "mask.h"
#include "migrate.h"
#include "poolh.h"
#include "runprog.h"
#include "secret.h"
#include "seeding.h"
#include "settle.h"
#include "sim.h"
#include "simproc.h"
#include "store.h"
#include "undo.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void host_session_init(host_session *s, host_cs *cs)
{
    memset(s, 0, sizeof(*s));
    s->cs = cs;
    s->source = "-";
    /* CSH_<name>=value in the environment binds $<name>: how a runner hands a scenario the
     * paths it made (images to register, a scratch dir). */
    for (char **env = environ; *env != NULL; env++) {
        const char *eq = strchr(*env, '=');
        char name[128];
        if (strncmp(*env, "CSH_", 4) != 0 || eq == NULL || (size_t)(eq - *env - 4) >= sizeof(name))
            continue;
        memcpy(name, *env + 4, (size_t)(eq - *env - 4));
        name[eq - *env - 4] = '\0';
        host_vars_set(cs->vars, name, eq + 1);
    }
}

void host_session_free(host_session *s)
{
    free(s->expect_text);
    free(s->crash_at);
    s->expect_text = s->crash_at = NULL;
}

static int expand(void *ctx, const char *name, size_t len, host_buf *out, char *err, size_t errlen)
{
    host_cs *cs = ctx;
    const char *v;

    /* $_.path reads a field of the last response: "set vol=$_.volume.id". */
    if (len > 2 && name[0] == '_' && (name[1] == '.' || name[1] == '[')) {
        if (cs->last == NULL) {
            snprintf(err, errlen, "$%.*s: there is no last response yet", (int)len, name);
            return -1;
        }
        if (host_jpath_lookup(cs->last, name + 2 - (name[1] == '['), len - 2 + (name[1] == '['), out, err,
                              errlen) != 0)
            return -1;
        return 0;
    }
    v = host_vars_get(cs->vars, name, len);
    if (v == NULL) {
        snprintf(err, errlen, "variable $%.*s is not set", (int)(len > 64 ? 64 : len), name);
        return -1;
    }
    host_buf_adds(out, v);
    return 0;
}

static void set_last(host_cs *cs, const char *json)
{
    char *copy = strdup(json);
    if (copy == NULL)
        return;
    free(cs->last);
    cs->last = copy;
}

static void report(host_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(host_session *s, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;

    /* A report may carry values the scenario gave (an assert's expected URL): masked too. */
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    host_mask_inplace(msg, sizeof(msg));
    fprintf(stderr, "%s:%ld: %s\n", s->source, s->line, msg);
    fflush(stderr);
}

static void print_error(host_session *s, const host_err *e)
{
    host_jsonw w;
    host_jsonw_init(&w, 1);
    host_jsonw_object_begin(&w, NULL);
    host_write_error(&w, e->code, e->text);
    host_jsonw_object_end(&w);
    host_output_error(stderr, host_jsonw_text(&w), s->display, e->code, host_cserrorcode(e->code), e->text);
    fflush(stderr);
    set_last(s->cs, host_jsonw_text(&w));
    host_jsonw_free(&w);
}

/* A successful answer: filtered as cmk's filter= asks (the filtered answer is the one later
 * lines read, as a cmk user sees it), remembered, and printed as the display says. */
static void answer(host_session *s, const char *json, const char *filter)
{
    char *filtered = filter != NULL && *filter ? host_output_filter(json, filter) : NULL;
    const char *text = filtered != NULL ? filtered : json;

    set_last(s->cs, text);
    if (!s->quiet)
        host_output_print(stdout, text, s->display, filter);
    fflush(stdout);
    free(filtered);
}

/* Settles a command's outcome against a pending "expect error". Returns 0 or -1. */
static int settle(host_session *s, int rc, const host_err *e)
{
    if (!s->expect_error) {
        if (rc != 0) {
            print_error(s, e);
            report(s, "%s",
                   e->unsupported ? "command failed: the plugin does not provide this yet"
                                  : "command failed");
            if (e->unsupported)
                s->unsupported = 1;
        }
        return rc;
    }
    s->expect_error = 0;
    if (rc == 0) {
        report(s, "%s", "expected an error, but the command succeeded");
        return -1;
    }
    print_error(s, e);
    if (s->expect_code != 0 && s->expect_code != e->code) {
        report(s, "expected error code %d, got %d", s->expect_code, e->code);
        return -1;
    }
    if (s->expect_text != NULL && strstr(e->text, s->expect_text) == NULL) {
        report(s, "the error text does not contain \"%s\"", s->expect_text);
        return -1;
    }
    fprintf(stderr, "%s:%ld: failed as expected\n", s->source, s->line);
    return 0;
}

static int run_api(host_session *s, const host_api *api, host_cmd *cmd)
{
    host_cs *cs = s->cs;
    host_jsonw w;
    host_err e;
    char err[512];
    int rc, txn = !(api->flags & HOST_API_OWN_TXN);

    memset(&e, 0, sizeof(e));
    /* A malformed number is refused before anything starts, as CloudStack's API layer does. */
    if (host_param_check_numbers(cmd, &e) != 0)
        return settle(s, -1, &e);
    host_jsonw_init(&w, 1);
    host_jsonw_object_begin(&w, NULL);
    rc = txn ? host_store_begin(cs->db, err, sizeof(err)) : 0;
    if (rc != 0)
        host_fail_db(&e, err);
    else if (!txn || (rc = host_undo_begin(cs, &e)) == 0)
        rc = api->fn(cs, cmd, &w, &e);
    host_jsonw_object_end(&w);
    if (rc == 0 && w.failed)
        rc = host_fail(&e, HOST_E_INTERNAL, "out of memory writing the response");
    if (rc == 0 && txn && host_store_commit(cs->db, err, sizeof(err)) != 0)
        rc = host_fail_db(&e, err);
    if (rc != 0) {
        host_err reload;
        /* The rows first, then the array is made to agree with them: what the command changed is
         * taken back, or recorded where it cannot be (undo.h). */
        host_store_rollback(cs->db);
        host_settle_failed(cs, &e);
        /* Settings a failed command changed are back in the database; mirror them again. */
        host_config_load(cs, &reload);
    } else {
        host_settle_committed(cs);
        answer(s, host_jsonw_text(&w), host_cmd_get(cmd, "filter"));
    }
    host_alerts_flush(cs);
    host_jsonw_free(&w);
    return settle(s, rc, &e);
}

/* Runs a helper that answers with JSON like an API but is not one (sim, restart). */
static int run_helper(host_session *s, int (*fn)(host_cs *, host_cmd *, host_jsonw *, host_err *),
                      host_cmd *cmd)
{
    host_jsonw w;
    host_err e;
    int rc;

    memset(&e, 0, sizeof(e));
    host_jsonw_init(&w, 1);
    host_jsonw_object_begin(&w, NULL);
    rc = fn(s->cs, cmd, &w, &e);
    host_jsonw_object_end(&w);
    if (rc == 0)
        answer(s, host_jsonw_text(&w), host_cmd_get(cmd, "filter"));
    host_jsonw_free(&w);
    return settle(s, rc, &e);
}

static int restart_helper(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    if (cmd->n_words != 2 || strcasecmp(cmd->words[1], "harness") != 0)
        return host_fail(e, HOST_E_PARAM, "usage: restart harness");
    return host_session_restart(cs, w, e);
}

int host_session_restart(host_cs *cs, host_jsonw *w, host_err *e)
{
    char err[512];
    int rc;

    host_pools_close_all(cs);
    if (host_config_load(cs, e) != 0 || host_sims_adopt(cs, e) != 0)
        return -1;
    host_jsonw_object_begin(w, "restart");
    /* What a killed command left on the array goes first, as its rollback would have taken it
     * (in a transaction of its own). */
    rc = host_settle_recover(cs, w, e);
    if (rc == 0 && host_store_begin(cs->db, err, sizeof(err)) != 0)
        rc = host_fail_db(e, err);
    else if (rc == 0)
        rc = host_recover(cs, w, e);
    if (rc == 0)
        rc = host_seeding_recover(cs, w, e);
    if (rc == 0 && host_store_commit(cs->db, err, sizeof(err)) != 0)
        rc = host_fail_db(e, err);
    if (rc != 0)
        host_store_rollback(cs->db);
    host_jsonw_object_end(w);
    return rc;
}

/* Quotes a value so that host_cmk_parse reads it back unchanged. */
static void quote(host_buf *b, const char *v)
{
    host_buf_addc(b, '"');
    for (; *v; v++) {
        if (*v == '"' || *v == '\\' || *v == '$')
            host_buf_addc(b, '\\');
        host_buf_addc(b, *v);
    }
    host_buf_addc(b, '"');
}

/* "expect crash": runs the command in a child harness on the same database and work dir, which
 * kills itself (SIGKILL) at the given progress point; then this process restarts as a new
 * harness would, resolving what the child left half done. */
static int run_crashing_child(host_session *s, host_cmd *cmd)
{
    host_cs *cs = s->cs;
    host_buf line = HOST_BUF_INIT;
    char **argv = calloc(16 + 2 * cs->n_image_dirs, sizeof(*argv));
    int argc = 0, pipefd[2] = {-1, -1}, status = 0, rc = -1;
    pid_t pid;
    ssize_t wr;
    host_err e;

    memset(&e, 0, sizeof(e));
    if (argv == NULL) {
        report(s, "%s", "out of memory");
        goto out;
    }
    if (cs->db_path == NULL || cs->self_exe == NULL || cs->plugin_path == NULL) {
        report(s, "%s", "expect crash needs --db FILE (the child harness shares the database)");
        goto out;
    }
    for (size_t i = 0; i < cmd->n_words; i++)
        host_buf_printf(&line, "%s ", cmd->words[i]);
    for (size_t i = 0; i < cmd->n_params; i++) {
        host_buf_printf(&line, "%s=", cmd->params[i].key);
        quote(&line, cmd->params[i].value);
        host_buf_addc(&line, ' ');
    }
    host_buf_addc(&line, '\n');
    argv[argc++] = cs->self_exe;
    argv[argc++] = "--plugin";
    argv[argc++] = cs->plugin_path;
    argv[argc++] = "--db";
    argv[argc++] = cs->db_path;
    argv[argc++] = "--workdir";
    argv[argc++] = cs->workdir;
    argv[argc++] = "--crash-at";
    argv[argc++] = s->crash_at;
    argv[argc++] = "--keep-sims";
    for (size_t i = 0; i < cs->n_image_dirs; i++) {
        argv[argc++] = "--image-dir";
        argv[argc++] = cs->image_dirs[i];
    }
    argv[argc++] = "run";
    argv[argc++] = "-";
    argv[argc] = NULL;
    {
        char err[512];
        host_spawn_opts o = {.in_fd = &pipefd[1]};
        if ((pid = host_spawn(argv, &o, err, sizeof(err))) < 0) {
            report(s, "cannot start a child harness: %s", err);
            goto out;
        }
    }
    wr = write(pipefd[1], host_buf_str(&line), line.len);
    close(pipefd[1]);
    pipefd[1] = -1;
    (void)wr;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    rc = -1;
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
        report(s, "the child harness was to die at %s but ended normally", s->crash_at);
        if (strncmp(s->crash_at, "request:", 8) == 0)
            host_sims_crashpoint(cs, NULL, 0, NULL, 1, NULL, &e);
        goto out;
    }
    fprintf(stderr, "%s:%ld: the child harness was killed at %s; restarting\n", s->source, s->line,
            s->crash_at);
    rc = run_helper(s, restart_helper, &(host_cmd){.words = (char *[]){"restart", "harness"}, .n_words = 2});
out:
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    host_buf_free(&line);
    free(argv);
    free(s->crash_at);
    s->crash_at = NULL;
    return rc;
}

/* One "set": display (or cmk's older name, output) chooses how answers print; any other name
 * binds $NAME, as cmk keeps its own options. */
static int set_one(host_session *s, const char *name, const char *value)
{
    if (strcasecmp(name, "display") == 0 || strcasecmp(name, "output") == 0) {
        if (host_display_parse(value, &s->display) != 0) {
            report(s, "set %s: unknown format %s (json, table or text)", name, value);
            return -1;
        }
        return 0;
    }
    if (host_vars_set(s->cs->vars, name, value) != 0) {
        report(s, "cannot set variable %s (names are letters, digits, _ and .)", name);
        return -1;
    }
    return 0;
}

/* "set NAME=VALUE ..." (the scenario form) or cmk's "set NAME VALUE" ("set display table"). */
static int do_set(host_session *s, host_cmd *cmd)
{
    if (cmd->n_words == 3 && cmd->n_params == 0)
        return set_one(s, cmd->words[1], cmd->words[2]);
    if (cmd->n_words != 1 || cmd->n_params == 0) {
        report(s, "%s",
               "usage: set NAME=VALUE [NAME=VALUE ...] | set NAME VALUE (set display json|table|text)");
        return -1;
    }
    for (size_t i = 0; i < cmd->n_params; i++)
        if (set_one(s, cmd->params[i].key, cmd->params[i].value) != 0)
            return -1;
    return 0;
}

static int do_assert(host_session *s, const char *text, size_t len)
{
    host_assert a;
    char msg[1024];
    int rc;

    if (host_assert_parse(text, len, expand, s->cs, &a, msg, sizeof(msg)) != 0) {
        report(s, "%s", msg);
        return -1;
    }
    rc = host_assert_check(&a, s->cs->last, msg, sizeof(msg));
    host_assert_free(&a);
    if (rc != 0) {
        report(s, "%s", msg);
        return -1;
    }
    return 0;
}

static int do_expect(host_session *s, host_cmd *cmd)
{
    const char *v;

    if (cmd->n_words == 2 && strcasecmp(cmd->words[1], "crash") == 0) {
        v = host_cmd_get(cmd, "at");
        if (v == NULL || strchr(v, ':') == NULL) {
            report(s, "%s",
                   "usage: expect crash at=PHASE:PERCENT (e.g. at=copy:50) | "
                   "at=request:K[:applied|before|after]");
            return -1;
        }
        free(s->crash_at);
        s->crash_at = strdup(v);
        return s->crash_at != NULL ? 0 : -1;
    }
    if (cmd->n_words != 2 || strcasecmp(cmd->words[1], "error") != 0) {
        report(s, "%s", "usage: expect error [code=N] [text~=WORDS] | expect crash at=PHASE:PERCENT");
        return -1;
    }
    s->expect_error = 1;
    s->expect_code = 0;
    free(s->expect_text);
    s->expect_text = NULL;
    for (size_t i = 0; i < cmd->n_params; i++) {
        if (strcasecmp(cmd->params[i].key, "code") == 0) {
            s->expect_code = atoi(cmd->params[i].value);
        } else if (strcasecmp(cmd->params[i].key, "text~") == 0 ||
                   strcasecmp(cmd->params[i].key, "text") == 0) {
            s->expect_text = strdup(cmd->params[i].value);
        } else {
            report(s, "expect error: unknown parameter %s (code=, text~=)", cmd->params[i].key);
            s->expect_error = 0;
            return -1;
        }
    }
    return 0;
}

/* "source file=NAME" (or "source NAME"): runs another cmk file (relative to this one) in this
 * session, so that scenarios share their set-up. Only a regular file is read. */
static int do_source(host_session *s, host_cmd *cmd)
{
    const char *file = host_cmd_get(cmd, "file"), *slash = strrchr(s->source, '/');
    const char *saved_source = s->source;
    long saved_line = s->line;
    char *path = NULL, err[512];
    FILE *in;
    int rc;

    if (file == NULL && cmd->n_words == 2 && cmd->n_params == 0)
        file = cmd->words[1];
    if (file == NULL || *file == '\0' || cmd->n_words > 2 || (cmd->n_words == 2 && file != cmd->words[1])) {
        report(s, "%s", "usage: source file=NAME.cmk (or source NAME.cmk)");
        return -1;
    }
    if (file[0] == '/' || slash == NULL)
        path = strdup(file);
    else if (asprintf(&path, "%.*s/%s", (int)(slash - s->source), s->source, file) < 0)
        path = NULL;
    if (path == NULL)
        return -1;
    in = host_input_open_script(path, err, sizeof(err));
    if (in == NULL) {
        report(s, "source: %s", err);
        free(path);
        return -1;
    }
    rc = host_session_run(s, in, path, NULL);
    fclose(in);
    s->source = saved_source;
    s->line = saved_line;
    free(path);
    return rc;
}

int host_session_line(host_session *s, const char *line, size_t len)
{
    host_cmd cmd;
    char err[1024];
    const char *p = line;
    int rc;

    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    while ((size_t)(p - line) < len && (*p == ' ' || *p == '\t'))
        p++;
    if (s->echo && (size_t)(p - line) < len && *p != '#') {
        char *masked = host_mask_cmd_line(line, len);
        fprintf(stderr, "> %s\n", masked != NULL ? masked : "(line not shown: out of memory)");
        fflush(stderr);
        free(masked);
    }
    /* assert takes an expression, not parameters: "assert count>2" has no '='. */
    if (len - (size_t)(p - line) >= 6 && strncasecmp(p, "assert", 6) == 0 &&
        ((size_t)(p - line) + 6 == len || p[6] == ' ' || p[6] == '\t')) {
        rc = do_assert(s, p + 6, len - (size_t)(p - line) - 6);
        goto done;
    }
    /* "expect error text~=words with blanks": the text runs to the end of the line. */
    if (len - (size_t)(p - line) >= 6 && strncasecmp(p, "expect", 6) == 0) {
        const char *t = strstr(p, "text~=");
        size_t skip = 6;
        if (t == NULL) {
            t = strstr(p, "text=");
            skip = 5;
        }
        if (t != NULL && (size_t)(t - line) < len) {
            host_buf text = HOST_BUF_INIT;
            rc = host_cmk_text(t + skip, len - (size_t)(t + skip - line), expand, s->cs, &text, err,
                               sizeof(err));
            if (rc == 0)
                rc = host_cmk_parse(line, (size_t)(t - line), expand, s->cs, &cmd, err, sizeof(err));
            if (rc < 0) {
                report(s, "%s", err);
            } else if (rc == 1) {
                rc = do_expect(s, &cmd);
                host_cmd_free(&cmd);
                if (rc == 0) {
                    free(s->expect_text);
                    s->expect_text = host_buf_take(&text);
                }
            } else {
                rc = -1;
            }
            host_buf_free(&text);
            goto done;
        }
    }
    rc = host_cmk_parse(line, len, expand, s->cs, &cmd, err, sizeof(err));
    if (rc == 0)
        return 0;
    if (rc < 0) {
        /* A line that cannot be read is a parameter error, which "expect error" may announce. */
        host_err e;
        host_fail(&e, HOST_E_PARAM, "%s", err);
        rc = settle(s, -1, &e);
        goto done;
    }
    if (strcasecmp(cmd.words[0], "set") == 0) {
        rc = do_set(s, &cmd);
    } else if (strcasecmp(cmd.words[0], "expect") == 0) {
        rc = do_expect(s, &cmd);
    } else if (s->crash_at != NULL) {
        rc = run_crashing_child(s, &cmd);
    } else if (strcasecmp(cmd.words[0], "sim") == 0) {
        rc = run_helper(s, host_sim_command, &cmd);
    } else if (strcasecmp(cmd.words[0], "source") == 0) {
        rc = do_source(s, &cmd);
    } else if (strcasecmp(cmd.words[0], "restart") == 0) {
        rc = run_helper(s, restart_helper, &cmd);
    } else {
        const host_api *api = host_api_find(cmd.words, cmd.n_words);
        if (api == NULL) {
            host_err e;
            host_buf words = HOST_BUF_INIT;
            for (size_t i = 0; i < cmd.n_words; i++)
                host_buf_printf(&words, "%s%s", i ? " " : "", cmd.words[i]);
            host_fail(&e, HOST_E_PARAM, "unknown command '%.200s': not an API this harness answers",
                      host_buf_str(&words));
            host_buf_free(&words);
            rc = settle(s, -1, &e);
        } else {
            rc = run_api(s, api, &cmd);
        }
    }
    host_cmd_free(&cmd);
done:
    if (rc != 0)
        s->failures++;
    return rc;
}

int host_session_run(host_session *s, FILE *in, const char *source, const char *prompt)
{
    host_buf buf = HOST_BUF_INIT;
    char err[256];
    int n, failed = 0;

    s->source = source;
    s->line = 0;
    for (;;) {
        const char *line;
        if (prompt != NULL) {
            fputs(prompt, stdout);
            fflush(stdout);
        }
        n = host_input_line(in, &buf, HOST_LINE_MAX, err, sizeof(err));
        if (n == 0)
            break;
        s->line++;
        if (n < 0) {
            /* Past a refused line the input cannot be trusted to be at a line's start. */
            report(s, "%s; the rest of %s is not read", err, source);
            s->failures++;
            failed = 1;
            break;
        }
        line = host_buf_str(&buf);
        if (prompt != NULL) {
            const char *t = line + strspn(line, " \t");
            if (strncmp(t, "exit", 4) == 0 || strncmp(t, "quit", 4) == 0)
                break;
        }
        if (host_session_line(s, line, buf.len) != 0) {
            failed = 1;
            if (!s->keep_going && prompt == NULL)
                break;
        }
    }
    if (s->expect_error && !failed) {
        report(s, "%s", "the file ended while an error was still expected");
        failed = 1;
    }
    /* Lines may have held passwords. */
    if (buf.s != NULL)
        host_wipe(buf.s, buf.cap);
    host_buf_free(&buf);
    return failed ? -1 : 0;
}
