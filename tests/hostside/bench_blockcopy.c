/* bench_blockcopy.c - times the block copy against "cp --sparse=always" on the same source, and
 * the ways to verify a copy. Without arguments it is a quick check run by make check (64 MiB,
 * one round, no timing asserted); the figures in blockcopy.h come from
 *     tests/hostside/bench_blockcopy --size 1024 --rounds 5
 * Options: --size MiB, --rounds N, --dir DIR (scratch space), --src DEV --dst DEV (existing
 * devices or files instead of generated ones; dst must read as zeros: it is overwritten). */
#include "config.h"

#include "hs_util.h"

#include "blockcopy.h"
#include "checksum.h"
#include "proc.h"
#include "qemuimg.h"
#include "sdc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MIB (UINT64_C(1) << 20)
#define MAX_ROUNDS 20

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A volume of `size` bytes, half data in islands of 1 to 16 MiB, half holes. */
static int make_source(const char *path, uint64_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    uint64_t *buf = malloc(16 * MIB), off = 0;
    int data = 1;

    if (fd < 0 || buf == NULL || ftruncate(fd, (off_t)size) != 0)
        return -1;
    while (off < size) {
        uint64_t len = (1 + next_rand() % 16) * MIB;
        if (len > size - off)
            len = size - off;
        if (data) {
            for (size_t i = 0; i < len / 8; i++)
                buf[i] = next_rand() | 1; /* never a zero word: all of it is data */
            if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len)
                return -1;
        }
        off += len;
        data = !data;
    }
    free(buf);
    return close(fd);
}

static uint64_t allocated(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_blocks * 512 : 0;
}

static int is_dev(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISBLK(sb.st_mode);
}

static int sync_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC), rc;

    if (fd < 0)
        return -1;
    rc = fdatasync(fd);
    close(fd);
    return rc;
}

/* Clears a device target between runs (a file target is simply removed). */
static int reset_target(const char *path)
{
    if (!is_dev(path))
        return unlink(path) == 0 || access(path, F_OK) != 0 ? 0 : -1;
    {
        char prog[256];
        const char *argv[] = {prog, "--zeroout", "-f", path, NULL}; /* blkdiscard -z: BLKZEROOUT */
        char *out;
        if (pfx_proc_find_program("blkdiscard", prog, sizeof(prog), NULL) != SP_OK)
            return -1;
        out = hs_run(argv);
        free(out);
        return out != NULL ? 0 : -1;
    }
}

static double t_cp(const char *cp, const char *src, const char *dst, int flush)
{
    const char *argv[] = {cp, "--sparse=always", src, dst, NULL};
    double t0;

    sync(); /* earlier runs' dirty pages are not written back during this one */
    t0 = now_s();
    char *out = hs_run(argv);

    if (out == NULL || (flush && sync_file(dst) != 0))
        return -1;
    free(out);
    return now_s() - t0;
}

static double t_copy(pfx_blockcopy_method m, const char *src, const char *dst, int flush,
                     pfx_blockcopy_stats *st)
{
    pfx_blockcopy_opts o = {.src = src, .dst = dst, .method = m, .no_flush = !flush};
    sp_error err;
    double t0;

    if (is_dev(dst))
        o.target_is_zero = 1;
    else
        o.create = 1;
    sync();
    t0 = now_s();
    if (pfx_blockcopy_copy(&o, st, &err) != SP_OK) {
        fprintf(stderr, "copy: %s\n", err.message);
        return -1;
    }
    return now_s() - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v; the median. v[0] is then the best run, the figure least disturbed by other work. */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    uint64_t size = 64 * MIB;
    int rounds = 1, full = 0, rc = 1;
    const char *src_arg = NULL, *dst_arg = NULL, *base = NULL;
    char *dir = NULL, cp[256], src[1024], dst_cp[1024], dst_n[1024], dst_q[1024];
    double cp_t[MAX_ROUNDS], n_t[MAX_ROUNDS], q_t[MAX_ROUNDS], cps_t[MAX_ROUNDS], ns_t[MAX_ROUNDS];
    pfx_blockcopy_stats st;
    sp_error err;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--size") == 0 && i + 1 < argc)
            size = strtoull(argv[++i], NULL, 10) * MIB, full = 1;
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]), full = 1;
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            base = argv[++i];
        else if (strcmp(argv[i], "--src") == 0 && i + 1 < argc)
            src_arg = argv[++i], full = 1;
        else if (strcmp(argv[i], "--dst") == 0 && i + 1 < argc)
            dst_arg = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--size MiB] [--rounds N] [--dir DIR] [--src DEV --dst DEV]\n",
                    argv[0]);
            return 2;
        }
    }
    if (rounds < 1 || rounds > MAX_ROUNDS || size == 0 || (src_arg != NULL) != (dst_arg != NULL))
        return 2;
    if (pfx_proc_find_program("cp", cp, sizeof(cp), NULL) != SP_OK)
        return 77;
    if (base != NULL)
        setenv("TMPDIR", base, 1);
    dir = hs_mkdtemp("bench");
    if (src_arg != NULL) {
        snprintf(src, sizeof(src), "%s", src_arg);
        snprintf(dst_cp, sizeof(dst_cp), "%s", dst_arg);
        snprintf(dst_n, sizeof(dst_n), "%s", dst_arg);
        snprintf(dst_q, sizeof(dst_q), "%s", dst_arg);
        if (pfx_device_size(src, &size, &err) != SP_OK) {
            fprintf(stderr, "%s\n", err.message);
            goto out;
        }
    } else {
        snprintf(src, sizeof(src), "%s/src.raw", dir);
        snprintf(dst_cp, sizeof(dst_cp), "%s/cp.raw", dir);
        snprintf(dst_n, sizeof(dst_n), "%s/native.raw", dir);
        snprintf(dst_q, sizeof(dst_q), "%s/qemu.raw", dir);
        if (make_source(src, size) != 0) {
            fprintf(stderr, "cannot write the source in %s\n", dir);
            goto out;
        }
    }
    printf("source %s: %llu MiB, %llu MiB allocated; %d round(s), page cache warm, synced before each run\n",
           src, (unsigned long long)(size / MIB), (unsigned long long)(allocated(src) / MIB), rounds);

    for (int r = 0; r < rounds; r++) {
        /* unsynced, as cp leaves it; who goes first alternates */
        if (r % 2 == 0 && (reset_target(dst_cp) || (cp_t[r] = t_cp(cp, src, dst_cp, 0)) < 0))
            goto out;
        if (reset_target(dst_n) || (n_t[r] = t_copy(PFX_BLOCKCOPY_NATIVE, src, dst_n, 0, &st)) < 0)
            goto out;
        if (r % 2 == 1 && (reset_target(dst_cp) || (cp_t[r] = t_cp(cp, src, dst_cp, 0)) < 0))
            goto out;
        if (reset_target(dst_q) || (q_t[r] = t_copy(PFX_BLOCKCOPY_QEMU_IMG, src, dst_q, 0, NULL)) < 0)
            goto out;
        /* synced: cp followed by fdatasync, against the default (flushing) copy */
        if (reset_target(dst_cp) || (cps_t[r] = t_cp(cp, src, dst_cp, 1)) < 0 || reset_target(dst_n) ||
            (ns_t[r] = t_copy(PFX_BLOCKCOPY_NATIVE, src, dst_n, 1, &st)) < 0)
            goto out;
        if (!full)
            break;
    }
    if (!full)
        rounds = 1;
    {
        double c = median(cp_t, rounds), n = median(n_t, rounds), q = median(q_t, rounds);
        double cs = median(cps_t, rounds), ns = median(ns_t, rounds);
        printf("copy (median)        cp --sparse=always %.3f s | native %.3f s | qemu-img convert %.3f s\n",
               c, n, q);
        printf("copy (best)          cp --sparse=always %.3f s | native %.3f s | qemu-img convert %.3f s\n",
               cp_t[0], n_t[0], q_t[0]);
        printf("  cp_time/copy_time  native %.2f (best %.2f) | qemu-img %.2f (best %.2f)\n", c / n,
               cp_t[0] / n_t[0], c / q, cp_t[0] / q_t[0]);
        printf("copy + fdatasync     cp %.3f s | native %.3f s (ratio %.2f, best %.2f)\n", cs, ns, cs / ns,
               cps_t[0] / ns_t[0]);
        printf("native wrote %llu MiB, skipped %llu MiB; target allocation %llu MiB (cp's %llu MiB)\n",
               (unsigned long long)(st.written / MIB), (unsigned long long)(st.skipped / MIB),
               (unsigned long long)(allocated(dst_n) / MIB), (unsigned long long)(allocated(dst_cp) / MIB));
    }

    /* the copies are right: every byte compared */
    if (pfx_blockcopy_verify(src, dst_n, size, NULL, &err) != SP_OK ||
        (src_arg == NULL && (pfx_blockcopy_verify(src, dst_q, size, NULL, &err) != SP_OK ||
                             pfx_blockcopy_verify(dst_cp, dst_n, size, NULL, &err) != SP_OK))) {
        fprintf(stderr, "FAILED: %s\n", err.message);
        goto out;
    }
    {
        double t0 = now_s(), t_memcmp, t_sha, t_cmp;
        char h1[PFX_HASH_HEX_MAX], h2[PFX_HASH_HEX_MAX];
        int same = 0;
        pfx_blockcopy_verify(src, dst_n, size, NULL, &err);
        t_memcmp = now_s() - t0;
        t0 = now_s();
        pfx_checksum_range(src, PFX_HASH_SHA256, 0, size, NULL, h1, &err);
        pfx_checksum_range(dst_n, PFX_HASH_SHA256, 0, size, NULL, h2, &err);
        t_sha = now_s() - t0;
        t0 = now_s();
        if (pfx_qemuimg_compare(src, SP_FORMAT_RAW, dst_n, SP_FORMAT_RAW, 0, NULL, &same, &err) != SP_OK)
            fprintf(stderr, "qemu-img compare: %s\n", err.message);
        t_cmp = now_s() - t0;
        printf("verify               read+memcmp %.3f s | sha256 of both %.3f s | qemu-img compare %.3f s\n",
               t_memcmp, t_sha, t_cmp);
        if (strcmp(h1, h2) != 0 || !same) {
            fprintf(stderr, "FAILED: the verification methods disagree\n");
            goto out;
        }
    }
    rc = 0;
out:
    if (src_arg == NULL)
        hs_rmtree(dir);
    else
        rmdir(dir);
    free(dir);
    return rc;
}
