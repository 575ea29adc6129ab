/* test_blockcopy.c - block copy of a sparse source with data islands, by both methods, onto fresh
 * and dirty targets; verification that catches a corrupted or not-really-zero target; sizes,
 * progress, cancel. Files stand in for devices. */
#include "config.h"

#include "hs_util.h"

#include "blockcopy.h"
#include "qemuimg.h"

#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB (UINT64_C(1) << 20)
#define SIZE (48 * MIB + 4096 * 3 + 123) /* not a whole number of blocks */

static char *dir;
static char src[600];

/* Islands of data in holes: aligned and not, a block of zeros written as data, the very end. */
static int make_source(const char *path)
{
    if (hs_sparse(path, SIZE) != 0)
        return -1;
    return hs_fill(path, 0, 4096, 0x11) | hs_fill(path, 1 * MIB + 7, 70000, 0x22) |
           hs_fill(path, 8 * MIB, 3 * MIB, 0x33) | hs_fill(path, 20 * MIB, 64 * 1024, 0) |
           hs_fill(path, 20 * MIB + 64 * 1024, 5, 0x44) | hs_fill(path, 33 * MIB - 1, 2, 0x55) |
           hs_fill(path, SIZE - 200, 200, 0x66);
}

static int same_bytes(const char *a, const char *b, uint64_t len)
{
    size_t la, lb;
    char *x = hs_read(a, &la), *y = hs_read(b, &lb);
    int ok = x != NULL && y != NULL && la >= len && lb >= len && memcmp(x, y, (size_t)len) == 0;

    free(x);
    free(y);
    return ok;
}

static uint64_t allocated(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_blocks * 512 : UINT64_MAX;
}

static void poke(const char *path, uint64_t off, int byte)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    unsigned char b = (unsigned char)byte;

    CU_ASSERT_FATAL(fd >= 0 && pwrite(fd, &b, 1, (off_t)off) == 1);
    close(fd);
}

static void test_native_fresh_target(void)
{
    const char *dst = strdup(hs_path(dir, "native.raw"));
    pfx_blockcopy_opts o = {.src = src, .dst = dst, .create = 1, .method = PFX_BLOCKCOPY_AUTO};
    pfx_blockcopy_stats st;
    sp_error err;

    unlink(dst);
    CU_ASSERT_EQUAL(pfx_blockcopy_run(&o, &st, &err), SP_OK);
    CU_ASSERT_EQUAL(st.method, PFX_BLOCKCOPY_NATIVE); /* a file target */
    CU_ASSERT_EQUAL(st.size, SIZE);
    CU_ASSERT_TRUE(same_bytes(src, dst, SIZE));
    {
        struct stat sb;
        CU_ASSERT_EQUAL(stat(dst, &sb), 0);
        CU_ASSERT_EQUAL((uint64_t)sb.st_size, SIZE);
    }
    /* only the islands were written; the holes and the 64 KiB of written zeros were not */
    CU_ASSERT_EQUAL(st.written + st.skipped, SIZE);
    CU_ASSERT_TRUE(st.written < 4 * MIB);
    CU_ASSERT_TRUE(st.skipped > 44 * MIB);
    CU_ASSERT_TRUE(allocated(dst) <= 4 * MIB);

    /* create refuses to overwrite */
    CU_ASSERT_EQUAL(pfx_blockcopy_copy(&o, &st, &err), SP_E_EXISTS);
    free((char *)dst);
}

static void test_qemu_img_method(void)
{
    const char *dst = strdup(hs_path(dir, "qemu.raw"));
    pfx_blockcopy_opts o = {.src = src, .dst = dst, .target_is_zero = 1, .method = PFX_BLOCKCOPY_QEMU_IMG};
    pfx_blockcopy_stats st;
    sp_error err;

    if (hs_qemu_img() == NULL)
        return;
    pfx_qemuimg_set_program(hs_qemu_img());
    CU_ASSERT_EQUAL_FATAL(hs_sparse(dst, SIZE + 8 * MIB), 0); /* larger, as an 8 GiB-rounded volume is */
    hs_fill(dst, SIZE, 8 * MIB, 0x77);                        /* beyond the copy: must stay */
    CU_ASSERT_EQUAL(pfx_blockcopy_run(&o, &st, &err), SP_OK);
    CU_ASSERT_EQUAL(st.method, PFX_BLOCKCOPY_QEMU_IMG);
    CU_ASSERT_TRUE(same_bytes(src, dst, SIZE));
    CU_ASSERT_TRUE(allocated(dst) <= 4 * MIB + 8 * MIB);
    {
        size_t len;
        unsigned char *b = (unsigned char *)hs_read(dst, &len);
        /* qemu-img works in 512-byte sectors: an unaligned file source ends with its last sector
         * padded with zeros (devices are always aligned) */
        CU_ASSERT_TRUE(b != NULL && len == SIZE + 8 * MIB && b[(SIZE + 511) / 512 * 512] == 0x77 &&
                       b[len - 1] == 0x77);
        free(b);
    }
    free((char *)dst);
}

static void test_dirty_target(void)
{
    const char *dst = strdup(hs_path(dir, "dirty.raw"));
    pfx_blockcopy_opts o = {.src = src, .dst = dst, .method = PFX_BLOCKCOPY_NATIVE};
    pfx_blockcopy_stats st;
    sp_error err;

    /* a reused target full of old data: the holes are written as zeros */
    CU_ASSERT_EQUAL_FATAL(hs_fill(dst, 0, SIZE, 0xee), 0);
    CU_ASSERT_EQUAL(pfx_blockcopy_run(&o, &st, &err), SP_OK);
    CU_ASSERT_TRUE(same_bytes(src, dst, SIZE));
    CU_ASSERT_EQUAL(st.written, SIZE);

    /* claiming such a target is zero is caught by the verification, not trusted */
    CU_ASSERT_EQUAL_FATAL(hs_fill(dst, 0, SIZE, 0xee), 0);
    o.target_is_zero = 1;
    CU_ASSERT_EQUAL(pfx_blockcopy_run(&o, &st, &err), SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "verification failed: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "dirty.raw differs from "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, " at byte 4096")); /* the first hole */
    free((char *)dst);
}

static void test_corruption_detected(void)
{
    const char *dst = strdup(hs_path(dir, "corrupt.raw"));
    pfx_blockcopy_opts o = {.src = src, .dst = dst, .create = 1};
    sp_error err;
    char want[64];

    unlink(dst);
    CU_ASSERT_EQUAL_FATAL(pfx_blockcopy_run(&o, NULL, &err), SP_OK);
    /* one byte in a data island, then one in a hole, then the last byte */
    poke(dst, 8 * MIB + 12345, 0x34);
    CU_ASSERT_EQUAL(pfx_blockcopy_verify(src, dst, SIZE, NULL, &err), SP_E_IO);
    snprintf(want, sizeof(want), " at byte %llu", (unsigned long long)(8 * MIB + 12345));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, want));
    poke(dst, 8 * MIB + 12345, 0x33);
    CU_ASSERT_EQUAL(pfx_blockcopy_verify(src, dst, SIZE, NULL, &err), SP_OK);
    poke(dst, 40 * MIB, 0x01);
    CU_ASSERT_EQUAL(pfx_blockcopy_verify(src, dst, SIZE, NULL, &err), SP_E_IO);
    poke(dst, 40 * MIB, 0x00);
    poke(dst, SIZE - 1, 0x67);
    CU_ASSERT_EQUAL(pfx_blockcopy_verify(src, dst, SIZE, NULL, &err), SP_E_IO);
    snprintf(want, sizeof(want), " at byte %llu", (unsigned long long)(SIZE - 1));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, want));
    /* a target shorter than what is verified */
    CU_ASSERT_EQUAL(truncate(dst, SIZE - 1), 0);
    CU_ASSERT_EQUAL(pfx_blockcopy_verify(src, dst, SIZE, NULL, &err), SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "corrupt.raw has"));
    free((char *)dst);
}

static void test_sizes_and_errors(void)
{
    const char *small = strdup(hs_path(dir, "small.raw"));
    const char *empty = strdup(hs_path(dir, "empty.raw"));
    const char *empty2 = strdup(hs_path(dir, "empty2.raw"));
    pfx_blockcopy_opts o = {.src = src, .dst = small};
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(hs_sparse(small, SIZE - 1), 0);
    CU_ASSERT_EQUAL(pfx_blockcopy_run(&o, NULL, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "fewer than the"));
    o.src = hs_path(dir, "missing.raw");
    CU_ASSERT_EQUAL(pfx_blockcopy_run(&o, NULL, &err), SP_E_NOT_FOUND);
    o.src = src;
    o.dst = hs_path(dir, "missing-target.raw");
    CU_ASSERT_EQUAL(pfx_blockcopy_run(&o, NULL, &err), SP_E_NOT_FOUND);

    /* an empty volume copies to an empty file */
    CU_ASSERT_EQUAL_FATAL(hs_sparse(empty, 0), 0);
    unlink(empty2);
    o = (pfx_blockcopy_opts){.src = empty, .dst = empty2, .create = 1};
    CU_ASSERT_EQUAL(pfx_blockcopy_run(&o, NULL, &err), SP_OK);
    free((char *)small);
    free((char *)empty);
    free((char *)empty2);
}

typedef struct seen {
    int copy_calls, verify_calls, order_ok;
    uint64_t copy_last, verify_last, total;
    int cancel_phase; /* 0 none, 1 copy, 2 verify */
} seen;

static int on_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    seen *s = ctx;

    s->total = total;
    if (strcmp(phase, "copy") == 0) {
        if (s->verify_calls > 0 || done < s->copy_last)
            s->order_ok = 0;
        s->copy_calls++;
        s->copy_last = done;
        return s->cancel_phase == 1;
    }
    if (strcmp(phase, "verify") != 0 || done < s->verify_last)
        s->order_ok = 0;
    s->verify_calls++;
    s->verify_last = done;
    return s->cancel_phase == 2;
}

static void test_progress_and_cancel(void)
{
    const char *big = strdup(hs_path(dir, "big-src.raw")), *dst = strdup(hs_path(dir, "big-dst.raw"));
    seen s = {.order_ok = 1};
    sp_progress p = {on_progress, &s};
    pfx_blockcopy_opts o = {
        .src = big, .dst = dst, .create = 1, .progress = &p, .method = PFX_BLOCKCOPY_NATIVE};
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(hs_sparse(big, 256 * MIB), 0);
    hs_fill(big, 100 * MIB, MIB, 0x42);
    unlink(dst);
    CU_ASSERT_EQUAL(pfx_blockcopy_run(&o, NULL, &err), SP_OK);
    CU_ASSERT_TRUE(s.order_ok);
    /* At least the end; the stripes' threads may all finish before the reporting thread looks. */
    CU_ASSERT_TRUE(s.copy_calls >= 1);
    CU_ASSERT_TRUE(s.verify_calls >= 4); /* every byte is read: a report each 64 MiB */
    CU_ASSERT_EQUAL(s.copy_last, 256 * MIB);
    CU_ASSERT_EQUAL(s.verify_last, 256 * MIB);
    CU_ASSERT_EQUAL(s.total, 256 * MIB);

    unlink(dst);
    s = (seen){.order_ok = 1, .cancel_phase = 1};
    CU_ASSERT_EQUAL(pfx_blockcopy_run(&o, NULL, &err), SP_E_CANCELLED);
    CU_ASSERT_EQUAL(s.copy_calls, 1);
    CU_ASSERT_EQUAL(s.verify_calls, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cancelled"));
    CU_ASSERT_EQUAL(access(dst, F_OK), -1); /* the target it created is gone again */

    unlink(dst);
    s = (seen){.order_ok = 1, .cancel_phase = 2};
    CU_ASSERT_EQUAL(pfx_blockcopy_run(&o, NULL, &err), SP_E_CANCELLED);
    CU_ASSERT_EQUAL(s.verify_calls, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "verification of"));
    CU_ASSERT_EQUAL(access(dst, F_OK), -1);

    if (hs_qemu_img() != NULL) {
        unlink(dst);
        o.method = PFX_BLOCKCOPY_QEMU_IMG;
        s = (seen){.order_ok = 1, .cancel_phase = 1};
        CU_ASSERT_EQUAL(pfx_blockcopy_run(&o, NULL, &err), SP_E_CANCELLED);
        CU_ASSERT_EQUAL(s.copy_calls, 1);
    }
    unlink(dst);
    unlink(big);
    free((char *)big);
    free((char *)dst);
}

int main(void)
{
    static const hs_test tests[] = {
        {"native: sparse source onto a fresh target", test_native_fresh_target},
        {"qemu-img: onto a larger zero target", test_qemu_img_method},
        {"dirty target: zeros written; a false zero claim caught", test_dirty_target},
        {"verification finds a corrupted byte", test_corruption_detected},
        {"sizes and errors", test_sizes_and_errors},
        {"progress order and cancel in either phase", test_progress_and_cancel},
        {NULL, NULL},
    };
    int rc;

    dir = hs_mkdtemp("blockcopy");
    snprintf(src, sizeof(src), "%s/src.raw", dir);
    if (make_source(src) != 0)
        return 99;
    rc = hs_main("blockcopy", tests);
    hs_rmtree(dir);
    free(dir);
    return rc;
}
