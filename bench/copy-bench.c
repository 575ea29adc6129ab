/* copy-bench.c - the plugin's copies side by side with what users would run instead, in one run,
 * against two simulated PowerFlex systems it starts itself:
 *   across  Adaptor.copy_volume_across (journal, create the target, map and connect both volumes,
 *           copy, flush, verify every byte, unmap) against "qemu-img convert -n -m 16 -W -f raw
 *           -O raw" of the source's data file onto an equal fresh target, then fdatasync of it
 *           (qemu-img's convert does not flush by default; the plugin's copy only counts once it is
 *           on stable storage and verified, so qemu-img is timed to the same point, and also
 *           printed without its flush);
 *   seed    Adaptor.copy_image_to_volume of a QCOW2 template onto a new template volume against
 *           "qemu-img convert -n -f qcow2 -O raw -m 16 -W" of it onto an equal fresh target;
 *   medium  dd's direct sequential write (with fdatasync) and read on the file system that holds
 *           the volumes, and the copy's speed against that write rate (its data at dd's rate over
 *           its time; buffered writeback of whole stripes can outrun dd's 4 MiB direct writes).
 * The source volume's first --size MiB are half data, half holes, in islands of 1 to 16 MiB of
 * random bytes (the rest of the volume, which the array rounds to 8 GiB, is never written); the
 * template is --size MiB virtual, built the same way. Each round runs both sides of each pair,
 * in alternating order, after a round that is not counted, with the page cache warm and a sync
 * before each run.
 * Without arguments, the benchmark: --size 1024 --rounds 5 (make bench or make bench-copy). With
 * --quick, one round of 64 MiB: the check make check runs (tests/adaptor/copy-smoke.sh).
 * Last line: copy_s=X qemu_s=Y ratio=R seed_s=A qemu_seed_s=B seed_ratio=C read_mbs=D write_mbs=E
 * copy_share=F, medians; ratios are qemu-img's time over the plugin's (above 1: the plugin is
 * faster) and copy_share the time of its data at dd's direct write rate over the copy's time. */
#include "config.h"

#include "adfix.h"
#include "hs_util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MIB (UINT64_C(1) << 20)
#define MAX_ROUNDS 20

static adfix F;

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

/* Half data, half holes, over the first size bytes of the device. */
static int fill(const char *dev, uint64_t size, uint64_t *data)
{
    int fd = open(dev, O_WRONLY | O_CLOEXEC), is_data = 1;
    uint64_t *buf = malloc(16 * MIB), off = 0;

    *data = 0;
    if (fd < 0 || buf == NULL)
        return -1;
    while (off < size) {
        uint64_t len = (1 + next_rand() % 16) * MIB;
        if (len > size - off)
            len = size - off;
        if (is_data) {
            for (size_t i = 0; i < len / 8; i++)
                buf[i] = next_rand() | 1;
            if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len)
                return -1;
            *data += len;
        }
        off += len;
        is_data = !is_data;
    }
    free(buf);
    if (fsync(fd) != 0)
        return -1;
    return close(fd);
}

static int flush_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC), rc;
    if (fd < 0)
        return -1;
    rc = fdatasync(fd);
    close(fd);
    return rc;
}

/* Runs argv and waits; its wall time in seconds, or -1 when it fails. */
static double t_run(const char *const *argv)
{
    double t0 = now_s();
    char *out = hs_run(argv);

    if (out == NULL)
        return -1;
    free(out);
    return now_s() - t0;
}

/* A fresh sparse file of size bytes: the "equal target" of the comparisons, as the simulator
 * makes a new thin volume's data file. */
static int fresh_target(const char *path, uint64_t size)
{
    unlink(path);
    return hs_sparse(path, size);
}

/* qemu-img convert -n -m 16 -W -f raw -O raw src dst, then fdatasync of dst: the copy CloudStack
 * users would run by hand, timed to the point where its copy is on stable storage (qemu-img's
 * default cache mode for convert, unsafe, never flushes). */
static double t_qemu_across(const char *src, const char *dst, uint64_t size, double *unflushed)
{
    const char *argv[] = {hs_qemu_img(), "convert", "-n",  "-m", "16", "-W", "-f",
                          "raw",         "-O",      "raw", src,  dst,  NULL};
    double t0, t;

    if (fresh_target(dst, size) != 0)
        return -1;
    sync();
    t0 = now_s();
    if ((t = t_run(argv)) < 0 || flush_file(dst) != 0)
        return -1;
    *unflushed = t;
    t = now_s() - t0;
    /* Its pages go back now, as the plugin's target's do when the volume is deleted: on a VM,
     * writing into pages the guest has not touched for a while costs several times more (the
     * host takes free guest memory back), so each side must find the other's freed pages. */
    unlink(dst);
    return t;
}

typedef struct phases {
    double copy_end, verify_end;
} phases;

static int on_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    phases *p = ctx;
    if (done == total && strcmp(phase, "copy") == 0)
        p->copy_end = now_s();
    else if (done == total && strcmp(phase, "verify") == 0)
        p->verify_end = now_s();
    return 0;
}

static double t_copy(const sp_volume_info *src, uint64_t id, phases *ph, double *tail)
{
    sp_volume_spec spec = SP_INIT(sp_volume_spec);
    sp_volume_info out = SP_INIT(sp_volume_info);
    sp_error e;
    double t0, t1;
    sp_status st;

    spec = (sp_volume_spec)SP_INIT(sp_volume_spec);
    spec.kind = SP_VOLUME_DATA;
    spec.id = id;
    spec.size_bytes = src->size_bytes;
    spec.provisioning = SP_PROVISION_THIN;
    memset(ph, 0, sizeof(*ph));
    sync();
    t0 = now_s();
    st = F.sp->adaptor->copy_volume_across(F.pool[0], &(sp_volume_ref){src->path}, F.pool[1], &spec, &F.host,
                                           &(sp_progress){on_progress, ph}, &out, &e);
    t1 = now_s();
    if (st != SP_OK) {
        fprintf(stderr, "copy_volume_across: %s\n", e.message);
        return -1;
    }
    *tail = t1 - ph->verify_end;
    ph->verify_end -= ph->copy_end;
    ph->copy_end -= t0;
    if (F.sp->driver->delete_volume(F.pool[1], &(sp_volume_ref){out.path}, &e) != SP_OK) {
        fprintf(stderr, "delete_volume: %s\n", e.message);
        return -1;
    }
    return t1 - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    double c[MAX_ROUNDS];

    memcpy(c, v, (size_t)n * sizeof(*v));
    qsort(c, (size_t)n, sizeof(*c), cmp_double);
    return n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
}

static int make_source(uint64_t size, sp_volume_info *src, char *file, size_t len, uint64_t *datap)
{
    sp_volume_spec spec = SP_INIT(sp_volume_spec);
    sp_disk_info d = SP_INIT(sp_disk_info);
    sp_error e;
    uint64_t data = 0;
    int maps;

    spec = (sp_volume_spec)SP_INIT(sp_volume_spec);
    spec.kind = SP_VOLUME_DATA;
    spec.id = 1;
    spec.size_bytes = size;
    spec.provisioning = SP_PROVISION_THIN;
    if (F.sp->driver->create_volume(F.pool[0], &spec, src, &e) != SP_OK ||
        F.sp->driver->grant_access(F.pool[0], &(sp_volume_ref){src->path}, &F.host, NULL, 0, &e) != SP_OK ||
        F.sp->adaptor->connect_volume(F.pool[0], &(sp_volume_ref){src->path}, &F.host, &d, &e) != SP_OK) {
        fprintf(stderr, "source: %s\n", e.message);
        return -1;
    }
    if (fill(d.path, size, &data) != 0) {
        fprintf(stderr, "cannot write the source through %s\n", d.path);
        return -1;
    }
    if (F.sp->driver->revoke_access(F.pool[0], &(sp_volume_ref){src->path}, &F.host, &e) != SP_OK ||
        F.sp->adaptor->disconnect_volume(F.pool[0], &(sp_volume_ref){src->path}, &F.host, &e) != SP_OK) {
        fprintf(stderr, "source: %s\n", e.message);
        return -1;
    }
    if (!adfix_sim_volume(&F, 0, src->id, &maps, file, len))
        return -1;
    printf("source volume %s: %llu GiB; its first %llu MiB hold %llu MiB of data in 1-16 MiB islands\n",
           src->path, (unsigned long long)(src->size_bytes >> 30), (unsigned long long)(size / MIB),
           (unsigned long long)(data / MIB));
    *datap = data;
    return 0;
}

/* --- template seeding ------------------------------------------------------------------- */

/* A QCOW2 template of size bytes virtual, half data in islands like the source volume's, made
 * from a RAW file with qemu-img (compression off, as templates registered in CloudStack mostly
 * are). */
static int make_image(const char *dir, uint64_t size, char *img, size_t len, uint64_t *data)
{
    char raw[1200];
    const char *conv[] = {hs_qemu_img(), "convert", "-f", "raw", "-O", "qcow2", raw, img, NULL};
    char *out;

    snprintf(raw, sizeof(raw), "%s/template.raw", dir);
    snprintf(img, len, "%s/template.qcow2", dir);
    if (hs_sparse(raw, size) != 0 || fill(raw, size, data) != 0)
        return -1;
    out = hs_run(conv);
    unlink(raw);
    if (out == NULL)
        return -1;
    free(out);
    return 0;
}

/* Adaptor.copy_image_to_volume onto a new template volume, from end to end (the image checked
 * with qemu-img info, the volume read, mapped, written, unmapped). */
static double t_seed(const char *img, uint64_t size, uint64_t id)
{
    sp_image_source src = {SP_SIZED(sp_image_source), .format = SP_FORMAT_QCOW2, .path = img};
    sp_volume_spec spec = SP_INIT(sp_volume_spec);
    sp_volume_info vol = SP_INIT(sp_volume_info);
    sp_error e;
    double t0, t;

    spec.kind = SP_VOLUME_TEMPLATE;
    spec.id = id;
    spec.size_bytes = size;
    spec.provisioning = SP_PROVISION_THIN;
    if (F.sp->driver->create_volume(F.pool[1], &spec, &vol, &e) != SP_OK) {
        fprintf(stderr, "template volume: %s\n", e.message);
        return -1;
    }
    sync();
    t0 = now_s();
    if (F.sp->adaptor->copy_image_to_volume(F.pool[1], &src, &(sp_volume_ref){vol.path}, &F.host, NULL, &e) !=
        SP_OK) {
        fprintf(stderr, "copy_image_to_volume: %s\n", e.message);
        return -1;
    }
    t = now_s() - t0;
    if (F.sp->driver->delete_volume(F.pool[1], &(sp_volume_ref){vol.path}, &e) != SP_OK) {
        fprintf(stderr, "delete_volume: %s\n", e.message);
        return -1;
    }
    return t;
}

/* qemu-img convert -f qcow2 -O raw -m 16 -W onto an equal fresh target (-n: a volume exists
 * before it is written, as the file stands for one). Neither side flushes: qemu-img's convert
 * does not by default, nor does the seeding of a file-backed volume. */
static double t_qemu_seed(const char *img, const char *dst, uint64_t size)
{
    const char *argv[] = {hs_qemu_img(), "convert", "-n", "-f", "qcow2", "-O", "raw",
                          "-m",          "16",      "-W", img,  dst,     NULL};

    double t;

    if (fresh_target(dst, size) != 0)
        return -1;
    sync();
    t = t_run(argv);
    unlink(dst); /* see t_qemu_across */
    return t;
}

/* --- the medium ------------------------------------------------------------------------ */

/* dd's sequential direct write (with its fdatasync) and read of mib MiB in dir: what the file
 * system under the volumes' data files can do, in MB/s (10^6 bytes). */
static int medium(const char *dir, unsigned mib, double *read_mbs, double *write_mbs)
{
    char of[1200], ofarg[1300], ifarg[1300], count[32];
    const char *w[] = {"/bin/dd",      "if=/dev/zero",   ofarg,         "bs=4M", count,
                       "oflag=direct", "conv=fdatasync", "status=none", NULL};
    const char *r[] = {"/bin/dd", ifarg, "of=/dev/null", "bs=4M", "iflag=direct", "status=none", NULL};
    double tw, tr;

    snprintf(of, sizeof(of), "%s/dd.img", dir);
    snprintf(ofarg, sizeof(ofarg), "of=%s", of);
    snprintf(ifarg, sizeof(ifarg), "if=%s", of);
    snprintf(count, sizeof(count), "count=%u", mib / 4);
    sync();
    tw = t_run(w);
    tr = tw > 0 ? t_run(r) : -1;
    unlink(of);
    if (tw <= 0 || tr <= 0)
        return -1;
    *write_mbs = (double)(mib / 4 * 4) * (double)MIB / 1e6 / tw;
    *read_mbs = (double)(mib / 4 * 4) * (double)MIB / 1e6 / tr;
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t size = 1024 * MIB, data = 0, img_data = 0;
    int rounds = 5, rc = 1;
    char file[1024], img[1200], qdst[1200], sdst[1200], *dir, *fdir, *slash;
    double copy_t[MAX_ROUNDS], q_t[MAX_ROUNDS], qu_t[MAX_ROUNDS], seed_t[MAX_ROUNDS], qs_t[MAX_ROUNDS];
    double read_mbs = 0, write_mbs = 0;
    sp_volume_info src = SP_INIT(sp_volume_info);

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--size") == 0 && i + 1 < argc)
            size = strtoull(argv[++i], NULL, 10) * MIB;
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--quick") == 0)
            size = 64 * MIB, rounds = 1;
        else {
            fprintf(stderr, "usage: %s [--quick | [--size MiB] [--rounds N]]\n", argv[0]);
            return 2;
        }
    }
    if (rounds < 1 || rounds > MAX_ROUNDS || size == 0 || size > 8 * ADFIX_GIB)
        return 2;
    if (access("/bin/dd", X_OK) != 0)
        return 77;
    adfix_start(&F, NULL, NULL);
    dir = hs_mkdtemp("copybench");
    if (make_source(size, &src, file, sizeof(file), &data) != 0)
        goto out;
    /* The comparisons' targets go where the simulator keeps its volumes: one file system. */
    fdir = strdup(file);
    if (fdir == NULL || (slash = strrchr(fdir, '/')) == NULL)
        goto out;
    *slash = '\0';
    snprintf(qdst, sizeof(qdst), "%s/qemu-across.img", fdir);
    snprintf(sdst, sizeof(sdst), "%s/qemu-seed.img", fdir);
    if (make_image(dir, size, img, sizeof(img), &img_data) != 0) {
        fprintf(stderr, "cannot make the QCOW2 template\n");
        goto out_fdir;
    }
    if (medium(fdir, size > 512 * MIB ? 512 : (unsigned)(size / MIB), &read_mbs, &write_mbs) != 0) {
        fprintf(stderr, "dd failed in %s\n", fdir);
        goto out_fdir;
    }
    printf("medium (dd, 4 MiB direct I/O in %s): read %.0f MB/s, write %.0f MB/s (with fdatasync)\n", fdir,
           read_mbs, write_mbs);
    printf("template %s: %llu MiB virtual, %llu MiB of data\n", img, (unsigned long long)(size / MIB),
           (unsigned long long)(img_data / MIB));
    printf("%d round(s), each side in turn first; page cache warm; sync before each run\n", rounds);
    {
        /* One round that is not counted. On the VM these figures come from, writing into page
         * cache pages the run has not used yet was at times 3-7 times slower (perf: the time is
         * in copying into the new pages: copy_folio_from_iter_atomic), and most often in the
         * first rounds. */
        phases ph;
        double tail, unflushed;
        if (t_qemu_across(file, qdst, src.size_bytes, &unflushed) < 0 || t_copy(&src, 99, &ph, &tail) < 0 ||
            t_seed(img, size, 99) < 0 || t_qemu_seed(img, sdst, src.size_bytes) < 0)
            goto out_fdir;
    }
    for (int r = 0; r < rounds; r++) {
        phases ph;
        double tail = 0;
        if (r % 2 == 0 && ((q_t[r] = t_qemu_across(file, qdst, src.size_bytes, &qu_t[r])) < 0 ||
                           (qs_t[r] = t_qemu_seed(img, sdst, src.size_bytes)) < 0))
            goto out_fdir;
        if ((copy_t[r] = t_copy(&src, 100 + (uint64_t)r, &ph, &tail)) < 0 ||
            (seed_t[r] = t_seed(img, size, 100 + (uint64_t)r)) < 0)
            goto out_fdir;
        if (r % 2 == 1 && ((q_t[r] = t_qemu_across(file, qdst, src.size_bytes, &qu_t[r])) < 0 ||
                           (qs_t[r] = t_qemu_seed(img, sdst, src.size_bytes)) < 0))
            goto out_fdir;
        unlink(qdst);
        unlink(sdst);
        printf("round %d: copy_volume_across %.3f s (to copied %.3f, flush+verify %.3f, unmap and the rest "
               "%.3f) "
               "| qemu-img %.3f s (%.3f unflushed) || copy_image_to_volume %.3f s | qemu-img %.3f s\n",
               r + 1, copy_t[r], ph.copy_end, ph.verify_end, tail, q_t[r], qu_t[r], seed_t[r], qs_t[r]);
    }
    {
        double c = median(copy_t, rounds), q = median(q_t, rounds), s = median(seed_t, rounds),
               qs = median(qs_t, rounds);
        /* The copy's data written once at the medium's direct rate (a buffered copy may beat it). */
        double floor_s = (double)data / 1e6 / write_mbs;
        printf("medians: copy_volume_across %.3f s, qemu-img convert + fdatasync %.3f s (%.3f unflushed); "
               "copy_image_to_volume %.3f s, qemu-img convert %.3f s\n",
               c, q, median(qu_t, rounds), s, qs);
        printf(
            "the medium: %llu MiB at dd's direct write rate of %.0f MB/s take %.3f s; the copy ran at %.0f%% "
            "of that rate, "
            "qemu-img at %.0f%%\n",
            (unsigned long long)(data / MIB), write_mbs, floor_s, 100 * floor_s / c, 100 * floor_s / q);
        printf(
            "copy_s=%.3f qemu_s=%.3f ratio=%.2f seed_s=%.3f qemu_seed_s=%.3f seed_ratio=%.2f read_mbs=%.0f "
            "write_mbs=%.0f copy_share=%.2f\n",
            c, q, q / c, s, qs, qs / s, read_mbs, write_mbs, floor_s / c);
    }
    rc = 0;
out_fdir:
    unlink(qdst);
    unlink(sdst);
    free(fdir);
out:
    adfix_stop(&F);
    hs_rmtree(dir);
    free(dir);
    return rc;
}
