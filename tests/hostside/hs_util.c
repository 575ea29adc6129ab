/* hs_util.c - scratch directories, files, programs and the CUnit main for the host-side suites.
 * Test code: failures to set up print a line and exit 99 (automake's "hard error"). */
#include "config.h"

#include "hs_util.h"

#include "proc.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int hs_main(const char *suite, const hs_test *tests)
{
    CU_pSuite s;
    unsigned failures;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    s = CU_add_suite(suite, NULL, NULL);
    for (const hs_test *t = tests; t->name != NULL; t++)
        CU_add_test(s, t->name, t->fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failures == 0 ? 0 : 1;
}

char *hs_mkdtemp(const char *tag)
{
    const char *base = getenv("TMPDIR");
    char *p;

    if (base == NULL || base[0] != '/')
        base = "/tmp";
    if (asprintf(&p, "%s/pfx-%s-XXXXXX", base, tag) < 0)
        exit(99);
    if (mkdtemp(p) == NULL) {
        fprintf(stderr, "mkdtemp %s: %s\n", p, strerror(errno));
        exit(99);
    }
    return p;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

void hs_rmtree(const char *path)
{
    if (path != NULL)
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *hs_path(const char *a, const char *b)
{
    static char bufs[8][1024];
    static unsigned next;
    char *buf = bufs[next++ % 8];

    snprintf(buf, sizeof(bufs[0]), "%s/%s", a, b);
    return buf;
}

int hs_write(const char *path, const char *content, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int ok;

    if (fd < 0)
        return -1;
    ok = write(fd, content, len) == (ssize_t)len;
    return (close(fd) == 0 && ok) ? 0 : -1;
}

int hs_write_str(const char *path, const char *content)
{
    return hs_write(path, content, strlen(content));
}

char *hs_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rbe");
    char *buf = NULL;
    size_t cap = 0, n = 0, r;

    if (f == NULL)
        return NULL;
    do {
        if (n + 4096 + 1 > cap) {
            char *g = realloc(buf, cap = cap * 2 + 8192);
            if (g == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = g;
        }
        r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
    } while (r > 0);
    fclose(f);
    buf[n] = '\0';
    if (len != NULL)
        *len = n;
    return buf;
}

int hs_fill(const char *path, uint64_t offset, uint64_t len, int byte)
{
    char block[65536];
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

    if (fd < 0)
        return -1;
    memset(block, byte, sizeof(block));
    while (len > 0) {
        size_t n = len < sizeof(block) ? (size_t)len : sizeof(block);
        if (pwrite(fd, block, n, (off_t)offset) != (ssize_t)n) {
            close(fd);
            return -1;
        }
        offset += n;
        len -= n;
    }
    return close(fd);
}

int hs_sparse(const char *path, uint64_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    if (fd < 0)
        return -1;
    if (ftruncate(fd, (off_t)size) != 0) {
        close(fd);
        return -1;
    }
    return close(fd);
}

const char *hs_srcdir(void)
{
    const char *s = getenv("top_srcdir");

    return (s != NULL && s[0] != '\0') ? s : HS_TOP_SRCDIR;
}

static const char *find(const char *name, char *buf, size_t len)
{
    if (pfx_proc_find_program(name, buf, len, NULL) != SP_OK)
        return NULL;
    return buf;
}

const char *hs_qemu_img(void)
{
    static char buf[512];
    const char *env = getenv("QEMU_IMG");

    if (env != NULL && env[0] == '/' && access(env, X_OK) == 0)
        return env;
    return find("qemu-img", buf, sizeof(buf));
}

const char *hs_qemu_io(void)
{
    static char buf[512];
    const char *img = hs_qemu_img();

    /* qemu-io ships beside qemu-img. */
    if (img != NULL) {
        const char *slash = strrchr(img, '/');
        snprintf(buf, sizeof(buf), "%.*s/qemu-io", (int)(slash - img), img);
        if (access(buf, X_OK) == 0)
            return buf;
    }
    return find("qemu-io", buf, sizeof(buf));
}

const char *hs_isoinfo(void)
{
    static char buf[512];

    return find("isoinfo", buf, sizeof(buf));
}

char *hs_run(const char *const *argv)
{
    pfx_proc_result res;
    sp_error err;
    char *out = NULL;

    if (pfx_proc_run_ok(argv, NULL, &res, &err) == SP_OK) {
        out = res.out != NULL ? res.out : strdup("");
        res.out = NULL;
    } else {
        fprintf(stderr, "%s\n", err.message);
    }
    pfx_proc_result_free(&res);
    return out;
}

int64_t hs_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
