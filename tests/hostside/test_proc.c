/* test_proc.c - running programs: exit codes, stderr in errors, bounded output without deadlock,
 * time limits that kill the whole process group, cancellation, and arguments that no shell sees. */
#include "config.h"

#include "hs_util.h"

#include "proc.h"

#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define SH "/bin/sh"

static sp_status run_sh(const char *script, const pfx_proc_opts *o, pfx_proc_result *res, sp_error *err)
{
    const char *argv[] = {SH, "-c", script, NULL};
    return pfx_proc_run(argv, o, res, err);
}

static void test_exit_codes(void)
{
    pfx_proc_result res;
    sp_error err;

    CU_ASSERT_EQUAL(run_sh("exit 0", NULL, &res, &err), SP_OK);
    CU_ASSERT_TRUE(res.exited);
    CU_ASSERT_EQUAL(res.exit_code, 0);
    pfx_proc_result_free(&res);

    CU_ASSERT_EQUAL(run_sh("exit 42", NULL, &res, &err), SP_OK); /* ran: the status is the caller's */
    CU_ASSERT_TRUE(res.exited);
    CU_ASSERT_EQUAL(res.exit_code, 42);
    pfx_proc_result_free(&res);

    CU_ASSERT_EQUAL(run_sh("kill -9 $$", NULL, &res, &err), SP_OK);
    CU_ASSERT_FALSE(res.exited);
    CU_ASSERT_EQUAL(res.term_signal, 9);
    CU_ASSERT_EQUAL(pfx_proc_failed((const char *const[]){SH, "-c", "x", NULL}, &res, &err), SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "killed by signal 9"));
    pfx_proc_result_free(&res);

    {
        const char *argv[] = {SH, "-c", "echo partial; exit 3", NULL};
        CU_ASSERT_EQUAL(pfx_proc_run_ok(argv, NULL, &res, &err), SP_E_IO);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "sh exited with status 3"));
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "(no error output)"));
        CU_ASSERT_STRING_EQUAL(res.out, "partial\n"); /* output is kept for the caller */
        pfx_proc_result_free(&res);
    }
}

static void test_stderr_in_error(void)
{
    const char *argv[] = {
        SH, "-c", "echo fine; echo '  first problem' >&2; printf 'second\\tproblem\\n\\n' >&2; exit 2", NULL};
    pfx_proc_result res;
    sp_error err;

    CU_ASSERT_EQUAL(pfx_proc_run_ok(argv, NULL, &res, &err), SP_E_IO);
    CU_ASSERT_EQUAL(err.status, SP_E_IO);
    /* trimmed, line breaks shown, the program named */
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "sh exited with status 2: first problem | second problem"));
    CU_ASSERT_EQUAL(err.message[strlen(err.message) - 1], 'm');
    CU_ASSERT_STRING_EQUAL(res.err, "  first problem\nsecond\tproblem\n\n");
    pfx_proc_result_free(&res);
}

static void test_stderr_tail_kept(void)
{
    /* 200 KB of noise, then the line that explains the failure. */
    pfx_proc_result res;
    sp_error err;

    CU_ASSERT_EQUAL(
        run_sh("i=0; while [ $i -lt 2000 ]; do echo 'noise noise noise noise noise noise noise noise noise "
               "noise noise noise noise noise noise noise noise noise noise' >&2; i=$((i+1)); done; "
               "echo 'the real reason' >&2; exit 1",
               NULL, &res, &err),
        SP_OK);
    CU_ASSERT_EQUAL(res.err_len, PFX_PROC_STDERR_TAIL);
    CU_ASSERT_TRUE(res.err_truncated);
    CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "the real reason\n"));
    CU_ASSERT_EQUAL(pfx_proc_failed((const char *const[]){SH, "-c", "x", NULL}, &res, &err), SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "the real reason"));
    CU_ASSERT_TRUE(strlen(err.message) < SP_ERROR_MESSAGE_MAX);
    pfx_proc_result_free(&res);
}

static void test_huge_output_bounded(void)
{
    pfx_proc_result res;
    sp_error err;
    pfx_proc_opts o = {0};
    int64_t t0 = hs_now_ms();

    /* 3 MB on stderr first: reading only stdout would deadlock on a full stderr pipe. */
    CU_ASSERT_EQUAL(
        run_sh("head -c 3000000 /dev/zero >&2; head -c 5000000 /dev/zero | tr '\\0' x; echo end >&2", NULL,
               &res, &err),
        SP_OK);
    CU_ASSERT_TRUE(res.exited);
    CU_ASSERT_EQUAL(res.exit_code, 0);
    CU_ASSERT_EQUAL(res.out_len, PFX_PROC_STDOUT_MAX_DEFAULT);
    CU_ASSERT_TRUE(res.out_truncated);
    CU_ASSERT_EQUAL(res.out[res.out_len], '\0');
    CU_ASSERT_EQUAL(res.out[res.out_len - 1], 'x');
    CU_ASSERT_TRUE(res.err_truncated);
    CU_ASSERT_STRING_EQUAL(res.err + res.err_len - 4, "end\n");
    pfx_proc_result_free(&res);

    o.stdout_max = 10;
    CU_ASSERT_EQUAL(run_sh("echo 0123456789abcdef", &o, &res, &err), SP_OK);
    CU_ASSERT_EQUAL(res.out_len, 10);
    CU_ASSERT_STRING_EQUAL(res.out, "0123456789");
    CU_ASSERT_TRUE(res.out_truncated);
    pfx_proc_result_free(&res);
    CU_ASSERT_TRUE(hs_now_ms() - t0 < 60000);
}

static void test_timeout_kills_group(void)
{
    pfx_proc_result res;
    sp_error err;
    /* Time enough for sh to say it started on a slow machine; the sleeps far outlast it. */
    pfx_proc_opts o = {.timeout_ms = 5000};
    int64_t t0 = hs_now_ms();

    /* The background sleep inherits our pipes: only killing the group ends it in time. */
    CU_ASSERT_EQUAL(run_sh("echo started >&2; sleep 600 & sleep 600; wait", &o, &res, &err), SP_E_TIMEOUT);
    CU_ASSERT_TRUE(hs_now_ms() - t0 >= 5000);
    CU_ASSERT_TRUE(hs_now_ms() - t0 < 300000);
    CU_ASSERT_EQUAL(err.status, SP_E_TIMEOUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "sh did not finish within 5.000 s and was killed: started"));
    CU_ASSERT_FALSE(res.exited);
    CU_ASSERT_EQUAL(res.term_signal, 9);
    pfx_proc_result_free(&res);

    /* A program that exits leaving a helper on its output is not waited for beyond a grace. */
    t0 = hs_now_ms();
    CU_ASSERT_EQUAL(run_sh("sleep 600 & echo done", NULL, &res, &err), SP_OK);
    CU_ASSERT_TRUE(hs_now_ms() - t0 < 300000);
    CU_ASSERT_STRING_EQUAL(res.out, "done\n");
    CU_ASSERT_EQUAL(res.exit_code, 0);
    pfx_proc_result_free(&res);
}

static void test_no_shell(void)
{
    char *dir = hs_mkdtemp("proc");
    char canary[512], evil1[1200], evil2[1200];
    const char *argv[] = {"/usr/bin/printf", "[%s]\\n", evil1, evil2, "a\nb", "*", "", NULL};
    pfx_proc_result res;
    sp_error err;
    char expect[4096];

    snprintf(canary, sizeof(canary), "%s/canary", dir);
    snprintf(evil1, sizeof(evil1), "x; rm -rf %s; touch %s", dir, canary);
    snprintf(evil2, sizeof(evil2), "$(touch %s)`touch %s`", canary, canary);
    CU_ASSERT_EQUAL(pfx_proc_run_ok(argv, NULL, &res, &err), SP_OK);
    snprintf(expect, sizeof(expect), "[%s]\n[%s]\n[a\nb]\n[*]\n[]\n", evil1, evil2);
    CU_ASSERT_STRING_EQUAL(res.out, expect);
    CU_ASSERT_EQUAL(access(canary, F_OK), -1);
    CU_ASSERT_EQUAL(access(dir, F_OK), 0);
    pfx_proc_result_free(&res);
    hs_rmtree(dir);
    free(dir);
}

static void test_paths(void)
{
    const char *rel[] = {"sh", "-c", "echo via-path", NULL};
    const char *missing[] = {"/nonexistent/bin/qemu-img", "info", NULL};
    pfx_proc_opts o = {.search_path = 1};
    pfx_proc_result res;
    sp_error err;
    char buf[256];

    CU_ASSERT_EQUAL(pfx_proc_run(rel, NULL, &res, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "not an absolute path"));
    pfx_proc_result_free(&res);
    CU_ASSERT_EQUAL(pfx_proc_run(rel, &o, &res, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(res.out, "via-path\n");
    pfx_proc_result_free(&res);

    CU_ASSERT_EQUAL(pfx_proc_run(missing, NULL, &res, &err), SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cannot run /nonexistent/bin/qemu-img"));
    pfx_proc_result_free(&res);
    CU_ASSERT_EQUAL(pfx_proc_run((const char *const[]){NULL}, NULL, &res, &err), SP_E_INVALID);

    CU_ASSERT_EQUAL(pfx_proc_find_program("sh", buf, sizeof(buf), &err), SP_OK);
    CU_ASSERT_TRUE(strcmp(buf, "/usr/bin/sh") == 0 || strcmp(buf, "/bin/sh") == 0);
    CU_ASSERT_EQUAL(pfx_proc_find_program("no-such-program-pfx", buf, sizeof(buf), &err), SP_E_NOT_FOUND);
    CU_ASSERT_EQUAL(pfx_proc_find_program("../bin/sh", buf, sizeof(buf), &err), SP_E_INVALID);
}

typedef struct lines {
    char seen[16][64];
    int n;
    int stop_at;
} lines;

static int on_line(void *ctx, const char *line, size_t len)
{
    lines *l = ctx;

    if (l->n < 16) {
        CU_ASSERT_EQUAL(strlen(line), len);
        snprintf(l->seen[l->n], sizeof(l->seen[0]), "%s", line);
    }
    l->n++;
    return l->stop_at != 0 && l->n >= l->stop_at;
}

static void test_lines(void)
{
    lines l = {.n = 0};
    pfx_proc_opts o = {.on_line = on_line, .line_ctx = &l};
    pfx_proc_result res;
    sp_error err;
    int64_t t0;

    CU_ASSERT_EQUAL(
        run_sh("printf '    (0.00/100%%)\\r    (50.00/100%%)\\r\\nsecond\\n\\nlast'", &o, &res, &err), SP_OK);
    CU_ASSERT_EQUAL(l.n, 4);
    CU_ASSERT_STRING_EQUAL(l.seen[0], "    (0.00/100%)");
    CU_ASSERT_STRING_EQUAL(l.seen[1], "    (50.00/100%)");
    CU_ASSERT_STRING_EQUAL(l.seen[2], "second");
    CU_ASSERT_STRING_EQUAL(l.seen[3], "last"); /* a last line without terminator still counts */
    pfx_proc_result_free(&res);

    /* a line callback asking to stop ends a program that would run forever */
    memset(&l, 0, sizeof(l));
    l.stop_at = 3;
    t0 = hs_now_ms();
    CU_ASSERT_EQUAL(run_sh("while :; do echo tick; sleep 0.02; done", &o, &res, &err), SP_E_CANCELLED);
    CU_ASSERT_EQUAL(l.n, 3);
    CU_ASSERT_TRUE(hs_now_ms() - t0 < 60000);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cancelled"));
    pfx_proc_result_free(&res);
}

static int cancel_after(void *ctx)
{
    int64_t *when = ctx;
    return hs_now_ms() >= *when;
}

static void test_cancel(void)
{
    int64_t when = hs_now_ms() + 200, t0 = hs_now_ms();
    pfx_proc_opts o = {.cancel = cancel_after, .cancel_ctx = &when, .timeout_ms = 300000};
    pfx_proc_result res;
    sp_error err;

    CU_ASSERT_EQUAL(run_sh("sleep 600", &o, &res, &err), SP_E_CANCELLED);
    CU_ASSERT_TRUE(hs_now_ms() - t0 >= 200);
    CU_ASSERT_TRUE(hs_now_ms() - t0 < 300000); /* ended by the cancel, not the sleep */
    pfx_proc_result_free(&res);
}

static void test_child_descriptors(void)
{
    /* A descriptor opened without O_CLOEXEC (as a careless host might) stays out of the child;
     * stdin is /dev/null so a reader ends at once. */
    int leak = open("/dev/null", O_RDONLY);
    pfx_proc_result res;
    sp_error err;

    CU_ASSERT_TRUE_FATAL(leak > 2);
    CU_ASSERT_EQUAL(run_sh("cd /proc/self/fd && echo *; cat", NULL, &res, &err), SP_OK);
    /* the shell's own fds as the child sees them: 0 1 2 plus the one `echo *` lists the dir with */
    {
        char want[32];
        snprintf(want, sizeof(want), " %d ", leak);
        CU_ASSERT_PTR_NULL(strstr(res.out, want));
        CU_ASSERT_EQUAL(strncmp(res.out, "0 1 2", 5), 0);
    }
    pfx_proc_result_free(&res);
    close(leak);
}

/* Resource limits are set in the child before exec: the program runs under them, is killed past
 * the CPU limit, cannot allocate past the address space limit; the caller's own stay as they were. */
static void test_limits(void)
{
    pfx_proc_opts o = {.limits = {.cpu_s = 7, .as_bytes = (uint64_t)256 << 20}};
    pfx_proc_result res;
    struct rlimit before, after;
    sp_error err;
    char *dir = hs_mkdtemp("limits"), want[64];
    const char *junk = hs_path(dir, "not-a-program");
    int leak = open("/dev/null", O_RDONLY);

    CU_ASSERT_TRUE_FATAL(leak > 2);
    CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_CPU, &before), 0);
    CU_ASSERT_EQUAL(run_sh("ulimit -t; ulimit -v; cd /proc/self/fd && echo *", &o, &res, &err), SP_OK);
    CU_ASSERT_TRUE(res.exited && res.exit_code == 0);
    CU_ASSERT_EQUAL(strncmp(res.out, "7\n262144\n0 1 2", strlen("7\n262144\n0 1 2")), 0);
    snprintf(want, sizeof(want), " %d ", leak);
    CU_ASSERT_PTR_NULL(strstr(res.out, want)); /* no descriptor of ours either */
    pfx_proc_result_free(&res);
    CU_ASSERT_EQUAL(getrlimit(RLIMIT_CPU, &after), 0);
    CU_ASSERT_EQUAL(after.rlim_cur, before.rlim_cur);
    close(leak);

    /* A spinning program: the kernel kills it after 1 s of CPU (no wall-clock limit here). */
    o = (pfx_proc_opts){.limits = {.cpu_s = 1}};
    CU_ASSERT_EQUAL(run_sh("while :; do :; done", &o, &res, &err), SP_OK);
    CU_ASSERT_FALSE(res.exited);
    CU_ASSERT_EQUAL(res.term_signal, SIGKILL);
    pfx_proc_result_free(&res);

    /* An allocation past the address space limit fails. */
    o = (pfx_proc_opts){.limits = {.as_bytes = (uint64_t)64 << 20}};
    {
        const char *argv[] = {"/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1", NULL};
        CU_ASSERT_EQUAL(pfx_proc_run(argv, &o, &res, &err), SP_OK);
        CU_ASSERT_TRUE(res.exited && res.exit_code != 0);
        pfx_proc_result_free(&res);
    }

    /* Limits need the program's absolute path; a file that is no program fails to start. */
    o.search_path = 1;
    {
        const char *argv[] = {"sh", "-c", "exit 0", NULL};
        CU_ASSERT_EQUAL(pfx_proc_run(argv, &o, &res, &err), SP_E_INVALID);
        pfx_proc_result_free(&res);
    }
    o.search_path = 0;
    CU_ASSERT_FATAL(hs_write_str(junk, "not an executable format\n") == 0 && chmod(junk, 0755) == 0);
    {
        const char *argv[] = {junk, NULL};
        CU_ASSERT_EQUAL(pfx_proc_run(argv, &o, &res, &err), SP_E_IO);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cannot run"));
        pfx_proc_result_free(&res);
    }
    hs_rmtree(dir);
    free(dir);
}

static void test_printable(void)
{
    char buf[8];

    pfx_printable("ab\ncd", SIZE_MAX, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "ab?cd");
    pfx_printable("0123456789", SIZE_MAX, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "0123..."); /* cut, and says so */
    pfx_printable("0123456", SIZE_MAX, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "0123456");
    pfx_printable("0123456789", 3, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "012");
    pfx_printable(NULL, 5, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "");
    pfx_printable("abc\x7f", SIZE_MAX, buf, 2);
    CU_ASSERT_STRING_EQUAL(buf, "a");
}

int main(void)
{
    static const hs_test tests[] = {
        {"exit codes and signals", test_exit_codes},
        {"stderr is quoted in the error", test_stderr_in_error},
        {"stderr keeps its last 4 KiB", test_stderr_tail_kept},
        {"huge output is bounded, no deadlock", test_huge_output_bounded},
        {"timeout kills the process group", test_timeout_kills_group},
        {"arguments reach the program literally", test_no_shell},
        {"absolute paths, PATH only on request", test_paths},
        {"stdout lines, '\\r' progress, stop from a line", test_lines},
        {"cancel callback", test_cancel},
        {"no inherited descriptors", test_child_descriptors},
        {"resource limits in the child", test_limits},
        {"foreign text made printable for messages", test_printable},
        {NULL, NULL},
    };
    return hs_main("proc", tests);
}
