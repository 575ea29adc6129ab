/* test_seed.c - templates through the Adaptor: QCOW2 and RAW files (made here with qemu-img and
 * qemu-io) and an http URL written onto template volumes and read back on the PowerFlex device,
 * checksums, a volume too small, two seedings of one target at once making one copy, and the
 * template taken back into a QCOW2 file with the same data. */
#include "config.h"

#include "adfix.h"
#include "hs_util.h"

#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB (UINT64_C(1) << 20)

static adfix F;
static char *work;      /* images made by the tests */
static char qcow[1024]; /* 64 MiB QCOW2: 0xab over [0, 1M), 0x5c over [40M, 42M) */
static sp_volume_info tmpl = SP_INIT(sp_volume_info); /* the volume qcow was seeded onto */

static const sp_adaptor_ops *ad(void)
{
    return F.sp->adaptor;
}

static int run_ok(const char *const *argv)
{
    char *out = hs_run(argv);
    free(out);
    return out != NULL ? 0 : -1;
}

/* 1 when len bytes at off of path all equal byte. */
static int filled(const char *path, uint64_t off, uint64_t len, int byte)
{
    unsigned char buf[65536];
    int fd = open(path, O_RDONLY | O_CLOEXEC), ok = fd >= 0;

    while (ok && len > 0) {
        size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
        ok = pread(fd, buf, n, (off_t)off) == (ssize_t)n;
        for (size_t i = 0; ok && i < n; i++)
            ok = buf[i] == (unsigned char)byte;
        off += n;
        len -= n;
    }
    if (fd >= 0)
        close(fd);
    return ok;
}

typedef struct seen {
    int copy, download, checksum;
    uint64_t last_done, last_total;
    sem_t *started; /* posted at the first copy report, when set */
    int hold_ms;
} seen;

static int on_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    seen *s = ctx;

    if (strcmp(phase, "copy") == 0) {
        if (s->copy++ == 0 && s->started != NULL) {
            sem_post(s->started);
            usleep((useconds_t)s->hold_ms * 1000);
        }
        s->last_done = done;
        s->last_total = total;
    } else if (strcmp(phase, "download") == 0) {
        s->download++;
    } else if (strcmp(phase, "checksum") == 0) {
        s->checksum++;
    }
    return 0;
}

/* Maps the volume to the host, runs check(device), unmaps. */
static void on_device(int pool, const char *path, void (*check)(const char *dev))
{
    sp_disk_info d = SP_INIT(sp_disk_info);
    sp_error e;

    if (adfix_grant(&F, pool, path, &F.host) != 0)
        return;
    CU_ASSERT_EQUAL(ad()->connect_volume(F.pool[pool], &(sp_volume_ref){path}, &F.host, &d, &e), SP_OK);
    check(d.path);
    adfix_revoke(&F, pool, path, &F.host);
    CU_ASSERT_EQUAL(ad()->disconnect_volume(F.pool[pool], &(sp_volume_ref){path}, &F.host, &e), SP_OK);
}

static void unmapped(int pool, const char *path)
{
    int maps = -1;
    CU_ASSERT_TRUE(adfix_sim_volume(&F, pool, adfix_id(path), &maps, NULL, 0));
    CU_ASSERT_EQUAL(maps, 0);
}

static void check_qcow_data(const char *dev)
{
    CU_ASSERT_TRUE(filled(dev, 0, MIB, 0xab));
    CU_ASSERT_TRUE(filled(dev, MIB, 39 * MIB, 0));
    CU_ASSERT_TRUE(filled(dev, 40 * MIB, 2 * MIB, 0x5c));
    CU_ASSERT_TRUE(filled(dev, 42 * MIB, 4 * MIB, 0));
}

static void test_seed_qcow2(void)
{
    const char *create[] = {hs_qemu_img(), "create", "-q", "-f", "qcow2", qcow, "64M", NULL};
    const char *fill[] = {
        hs_qemu_io(), "-f", "qcow2", "-c", "write -q -P 0xab 0 1M", "-c", "write -q -P 0x5c 40M 2M",
        qcow,         NULL};
    sp_image_source src = {SP_SIZED(sp_image_source), .path = qcow, .format = SP_FORMAT_QCOW2};
    seen s;
    sp_error e;
    sp_status st;

    snprintf(qcow, sizeof(qcow), "%s/t1.qcow2", work);
    CU_ASSERT_EQUAL_FATAL(run_ok(create), 0);
    CU_ASSERT_EQUAL_FATAL(run_ok(fill), 0);
    if (adfix_create(&F, 0, SP_VOLUME_TEMPLATE, 201, 64 * MIB, &tmpl) != 0)
        return;
    memset(&s, 0, sizeof(s));
    st = ad()->copy_image_to_volume(F.pool[0], &src, &(sp_volume_ref){tmpl.path}, &F.host,
                                    &(sp_progress){on_progress, &s}, &e);
    if (st != SP_OK)
        fprintf(stderr, "seed: %s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(st, SP_OK);
    CU_ASSERT(s.copy > 0);
    CU_ASSERT_EQUAL(s.last_total, 64 * MIB);
    CU_ASSERT_EQUAL(s.last_done, 64 * MIB);
    unmapped(0, tmpl.path);
    on_device(0, tmpl.path, check_qcow_data);
}

static char raw[1024];

static void check_raw_data(const char *dev)
{
    CU_ASSERT_TRUE(adfix_check_pattern(dev, 0, MIB, 11));
    CU_ASSERT_TRUE(adfix_check_pattern(dev, 8 * MIB, MIB, 12));
    CU_ASSERT_TRUE(filled(dev, MIB, 7 * MIB, 0));
    CU_ASSERT_TRUE(filled(dev, 9 * MIB, 3 * MIB, 0));
    CU_ASSERT_TRUE(filled(dev, 12 * MIB, 512 * 1024, 0x3c));
    CU_ASSERT_TRUE(filled(dev, 12 * MIB + 512 * 1024, 3 * MIB + 512 * 1024, 0));
}

static void scribble(const char *dev)
{
    CU_ASSERT_EQUAL(adfix_write_pattern(dev, 2 * MIB, MIB, 99), 0);
}

static void test_seed_raw_checksum(void)
{
    const char *create[] = {hs_qemu_img(), "create", "-q", "-f", "raw", raw, "16M", NULL};
    const char *fill[] = {hs_qemu_io(), "-f", "raw", "-c", "write -q -P 0x3c 12M 512K", raw, NULL};
    char hex[65], sum[80], bad[80];
    sp_image_source src = {SP_SIZED(sp_image_source), .path = raw, .checksum = sum, .format = SP_FORMAT_RAW};
    sp_volume_info v = SP_INIT(sp_volume_info);
    seen s;
    sp_error e;

    snprintf(raw, sizeof(raw), "%s/t2.raw", work);
    CU_ASSERT_EQUAL_FATAL(run_ok(create), 0);
    CU_ASSERT_EQUAL_FATAL(adfix_write_pattern(raw, 0, MIB, 11), 0);
    CU_ASSERT_EQUAL_FATAL(adfix_write_pattern(raw, 8 * MIB, MIB, 12), 0);
    CU_ASSERT_EQUAL_FATAL(run_ok(fill), 0);
    CU_ASSERT_EQUAL_FATAL(adfix_sha256(raw, 0, 16 * MIB, hex), 0);
    snprintf(sum, sizeof(sum), "sha256:%s", hex);
    if (adfix_create(&F, 0, SP_VOLUME_TEMPLATE, 202, 16 * MIB, &v) != 0)
        return;
    /* A wrong checksum: nothing is written, nothing stays mapped. */
    snprintf(bad, sizeof(bad), "md5:%032x", 42);
    src.checksum = bad;
    CU_ASSERT_EQUAL(ad()->copy_image_to_volume(F.pool[0], &src, &(sp_volume_ref){v.path}, &F.host, NULL, &e),
                    SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "checksum mismatch"));
    unmapped(0, v.path);
    /* Leftovers of an earlier attempt where the image has zeros: the seeding must clear them. */
    on_device(0, v.path, scribble);
    src.checksum = sum;
    memset(&s, 0, sizeof(s));
    CU_ASSERT_EQUAL_FATAL(ad()->copy_image_to_volume(F.pool[0], &src, &(sp_volume_ref){v.path}, &F.host,
                                                     &(sp_progress){on_progress, &s}, &e),
                          SP_OK);
    CU_ASSERT(s.checksum > 0);
    unmapped(0, v.path);
    on_device(0, v.path, check_raw_data);
    adfix_delete(&F, 0, v.path);
}

static void test_seed_refusals(void)
{
    char big[1024], backed[1024];
    const char *mk_big[] = {hs_qemu_img(), "create", "-q", "-f", "qcow2", big, "9G", NULL};
    const char *mk_backed[] = {hs_qemu_img(), "create", "-q",    "-f",   "qcow2", "-b",
                               qcow,          "-F",     "qcow2", backed, NULL};
    sp_image_source src = {SP_SIZED(sp_image_source), .path = big, .format = SP_FORMAT_QCOW2};
    sp_volume_info v = SP_INIT(sp_volume_info);
    sp_error e;

    snprintf(big, sizeof(big), "%s/big.qcow2", work);
    snprintf(backed, sizeof(backed), "%s/backed.qcow2", work);
    CU_ASSERT_EQUAL_FATAL(run_ok(mk_big), 0);
    CU_ASSERT_EQUAL_FATAL(run_ok(mk_backed), 0);
    if (adfix_create(&F, 0, SP_VOLUME_TEMPLATE, 203, MIB, &v) != 0)
        return;
    /* 9 GiB of virtual size do not fit an 8 GiB volume: the size needed is named. */
    CU_ASSERT_EQUAL(ad()->copy_image_to_volume(F.pool[0], &src, &(sp_volume_ref){v.path}, &F.host, NULL, &e),
                    SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "9663676416"));
    /* A template with a backing file would read another file of the host. */
    src.path = backed;
    CU_ASSERT_EQUAL(ad()->copy_image_to_volume(F.pool[0], &src, &(sp_volume_ref){v.path}, &F.host, NULL, &e),
                    SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "backing file"));
    /* A RAW file declared QCOW2 is not taken for one. */
    src.path = raw;
    CU_ASSERT_EQUAL(ad()->copy_image_to_volume(F.pool[0], &src, &(sp_volume_ref){v.path}, &F.host, NULL, &e),
                    SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "no QCOW2 header"));
    src.path = "relative/file.qcow2";
    CU_ASSERT_EQUAL(ad()->copy_image_to_volume(F.pool[0], &src, &(sp_volume_ref){v.path}, &F.host, NULL, &e),
                    SP_E_INVALID);
    src.url = "ftp://example.invalid/x.qcow2";
    src.path = NULL;
    CU_ASSERT_EQUAL(ad()->copy_image_to_volume(F.pool[0], &src, &(sp_volume_ref){v.path}, &F.host, NULL, &e),
                    SP_E_INVALID);
    unmapped(0, v.path);
    adfix_delete(&F, 0, v.path);
}

/* --- a small HTTP server for direct downloads -------------------------------------------------- */

typedef struct httpd {
    int fd;
    int port;
    int requests;
    pthread_t thread;
} httpd;

static void serve_one(int c)
{
    char req[2048], path[1024], *file = NULL, head[256];
    size_t n = 0, len = 0;
    ssize_t r;

    while (n < sizeof(req) - 1 && (r = read(c, req + n, sizeof(req) - 1 - n)) > 0) {
        n += (size_t)r;
        req[n] = '\0';
        if (strstr(req, "\r\n\r\n") != NULL)
            break;
    }
    req[n] = '\0';
    if (sscanf(req, "GET /%1000s ", path) == 1 && strchr(path, '/') == NULL)
        file = hs_read(hs_path(work, path), &len);
    if (file == NULL) {
        const char *nf = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        if (write(c, nf, strlen(nf)) < 0)
            return;
        return;
    }
    snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", len);
    if (write(c, head, strlen(head)) >= 0) {
        for (size_t off = 0; off < len;) {
            r = write(c, file + off, len - off);
            if (r <= 0)
                break;
            off += (size_t)r;
        }
    }
    free(file);
}

static void *httpd_loop(void *arg)
{
    httpd *h = arg;
    int c;

    while ((c = accept(h->fd, NULL, NULL)) >= 0) {
        h->requests++;
        serve_one(c);
        close(c);
    }
    return NULL;
}

static int httpd_start(httpd *h)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);

    memset(h, 0, sizeof(*h));
    h->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (h->fd < 0 || bind(h->fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(h->fd, 8) != 0 ||
        getsockname(h->fd, (struct sockaddr *)&a, &al) != 0)
        return -1;
    h->port = ntohs(a.sin_port);
    return pthread_create(&h->thread, NULL, httpd_loop, h) == 0 ? 0 : -1;
}

static void httpd_stop(httpd *h)
{
    shutdown(h->fd, SHUT_RDWR);
    pthread_join(h->thread, NULL);
    close(h->fd);
}

static int dir_entries(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    int n = 0;

    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL)
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

static void test_seed_url(void)
{
    httpd h;
    char url[256], sum[80], hex[65];
    sp_image_source src = {SP_SIZED(sp_image_source), .url = url, .checksum = sum, .format = SP_FORMAT_QCOW2};
    sp_volume_info v = SP_INIT(sp_volume_info);
    seen s;
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(httpd_start(&h), 0);
    {
        struct stat sb;
        CU_ASSERT_EQUAL_FATAL(stat(qcow, &sb), 0);
        CU_ASSERT_EQUAL_FATAL(adfix_sha256(qcow, 0, (uint64_t)sb.st_size, hex), 0);
    }
    snprintf(sum, sizeof(sum), "sha256:%s", hex);
    if (adfix_create(&F, 0, SP_VOLUME_TEMPLATE, 204, 64 * MIB, &v) != 0)
        goto out;
    snprintf(url, sizeof(url), "http://user:secret@127.0.0.1:%d/missing.qcow2?token=xyz", h.port);
    CU_ASSERT_EQUAL(ad()->copy_image_to_volume(F.pool[0], &src, &(sp_volume_ref){v.path}, &F.host, NULL, &e),
                    SP_E_NOT_FOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "404"));
    CU_ASSERT_PTR_NULL(strstr(e.message, "secret")); /* no credentials or tokens in messages */
    CU_ASSERT_PTR_NULL(strstr(e.message, "xyz"));
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/t1.qcow2", h.port);
    memset(&s, 0, sizeof(s));
    CU_ASSERT_EQUAL(ad()->copy_image_to_volume(F.pool[0], &src, &(sp_volume_ref){v.path}, &F.host,
                                               &(sp_progress){on_progress, &s}, &e),
                    SP_OK);
    CU_ASSERT(s.download > 0);
    CU_ASSERT(s.copy > 0);
    CU_ASSERT(h.requests == 2);
    /* The download is gone once it is on the volume. */
    CU_ASSERT_EQUAL(dir_entries(hs_path(F.cache, "powerflex-templates")), 0);
    unmapped(0, v.path);
    on_device(0, v.path, check_qcow_data);
    adfix_delete(&F, 0, v.path);
out:
    httpd_stop(&h);
}

/* --- two seedings of one target at once ----------------------------------------------------------- */

typedef struct seeder {
    const char *path;
    seen s;
    sp_status st;
    sp_error e;
} seeder;

static void *seed_thread(void *arg)
{
    seeder *t = arg;
    sp_image_source src = {SP_SIZED(sp_image_source), .path = qcow, .format = SP_FORMAT_QCOW2};

    t->st = ad()->copy_image_to_volume(F.pool[0], &src, &(sp_volume_ref){t->path}, &F.host,
                                       &(sp_progress){on_progress, &t->s}, &t->e);
    return NULL;
}

static void test_seed_twice_at_once(void)
{
    const char *maps_key = "POST /api/instances/Volume::{id}/action/addMappedSdc";
    seeder a, b;
    pthread_t ta, tb;
    sem_t started;
    sp_volume_info v = SP_INIT(sp_volume_info), v2 = SP_INIT(sp_volume_info);
    int maps0;

    if (adfix_create(&F, 0, SP_VOLUME_TEMPLATE, 205, 64 * MIB, &v) != 0)
        return;
    /* The host's second create for the same template finds the first's volume and adopts it. */
    if (adfix_create(&F, 0, SP_VOLUME_TEMPLATE, 205, 64 * MIB, &v2) != 0)
        return;
    CU_ASSERT_STRING_EQUAL(v.path, v2.path);
    maps0 = adfix_stat(&F, 0, maps_key);
    sem_init(&started, 0, 0);
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.path = v.path;
    b.path = v2.path;
    a.s.started = &started;
    a.s.hold_ms = 400;
    pthread_create(&ta, NULL, seed_thread, &a);
    sem_wait(&started); /* a is copying; b arrives now */
    pthread_create(&tb, NULL, seed_thread, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    sem_destroy(&started);
    CU_ASSERT_EQUAL(a.st, SP_OK);
    CU_ASSERT_EQUAL(b.st, SP_OK);
    CU_ASSERT(a.s.copy > 0);
    CU_ASSERT_EQUAL(b.s.copy, 0); /* b waited and did not copy */
    CU_ASSERT_EQUAL(adfix_stat(&F, 0, maps_key) - maps0, 1);
    unmapped(0, v.path);
    on_device(0, v.path, check_qcow_data);
    /* A third request later finds it done too, without mapping anything. */
    maps0 = adfix_stat(&F, 0, maps_key);
    memset(&b.s, 0, sizeof(b.s));
    seed_thread(&b);
    CU_ASSERT_EQUAL(b.st, SP_OK);
    CU_ASSERT_EQUAL(b.s.copy, 0);
    CU_ASSERT_EQUAL(adfix_stat(&F, 0, maps_key), maps0);
    adfix_delete(&F, 0, v.path);
}

/* --- back into a QCOW2 file --------------------------------------------------------------------- */

static void check_template_file(const char *file, const sp_image_info *info)
{
    const char *cmp[] = {hs_qemu_img(), "compare", "-q", "-f", "qcow2", "-F", "qcow2", qcow, file, NULL};
    char hex[65], want[80];
    struct stat sb;

    CU_ASSERT_EQUAL(run_ok(cmp), 0); /* same data (the rest of the 8 GiB reads as zeros) */
    CU_ASSERT_EQUAL_FATAL(stat(file, &sb), 0);
    CU_ASSERT_EQUAL(sb.st_mode & 0777, 0644);
    CU_ASSERT_STRING_EQUAL(info->path, file);
    CU_ASSERT_EQUAL(info->format, SP_FORMAT_QCOW2);
    CU_ASSERT_EQUAL(info->virtual_size_bytes, 8 * ADFIX_GIB);
    CU_ASSERT_EQUAL(info->physical_size_bytes, (uint64_t)sb.st_size);
    CU_ASSERT(info->physical_size_bytes < 16 * MIB); /* zeros were not stored */
    CU_ASSERT_EQUAL(adfix_sha256(file, 0, (uint64_t)sb.st_size, hex), 0);
    snprintf(want, sizeof(want), "sha256:%s", hex);
    CU_ASSERT_STRING_EQUAL(info->checksum, want);
}

static void test_template_from_volume(void)
{
    char out[1024], out2[1024];
    sp_image_info info = SP_INIT(sp_image_info);
    sp_volume_info snap = SP_INIT(sp_volume_info);
    seen s;
    sp_error e;
    sp_status st;

    snprintf(out, sizeof(out), "%s/templates/from-volume.qcow2", work);
    snprintf(out2, sizeof(out2), "%s/templates/from-snapshot.qcow2", work);
    mkdir(hs_path(work, "templates"), 0755);
    memset(&s, 0, sizeof(s));
    st = ad()->copy_volume_to_image(F.pool[0], &(sp_volume_ref){tmpl.path}, &F.host, out,
                                    &(sp_progress){on_progress, &s}, &info, &e);
    if (st != SP_OK)
        fprintf(stderr, "template: %s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(st, SP_OK);
    CU_ASSERT(s.copy > 0);
    check_template_file(out, &info);
    unmapped(0, tmpl.path);
    CU_ASSERT_EQUAL(dir_entries(hs_path(work, "templates")), 1); /* no temporary left */
    /* From a snapshot of it, the same. */
    CU_ASSERT_EQUAL_FATAL(
        F.sp->driver->create_snapshot(F.pool[0], &(sp_volume_ref){tmpl.path}, 301, &snap, &e), SP_OK);
    CU_ASSERT_EQUAL_FATAL(
        ad()->copy_volume_to_image(F.pool[0], &(sp_volume_ref){snap.path}, &F.host, out2, NULL, &info, &e),
        SP_OK);
    check_template_file(out2, &info);
    unmapped(0, snap.path);
    /* A directory that does not exist: refused before anything is mapped. */
    CU_ASSERT_EQUAL(ad()->copy_volume_to_image(F.pool[0], &(sp_volume_ref){tmpl.path}, &F.host,
                                               "/nonexistent/dir/t.qcow2", NULL, &info, &e),
                    SP_E_NOT_FOUND);
    F.sp->driver->delete_snapshot(F.pool[0], &(sp_volume_ref){snap.path}, &e);
}

/* Requests one system answered during a call. */
typedef struct counts {
    int total, get, vtree_stats, map, unmap, limits;
} counts;

static void counts_read(counts *c)
{
    c->total = adfix_stat(&F, 0, "total");
    c->get = adfix_stat(&F, 0, "GET /api/instances/Volume::{id}");
    c->vtree_stats = adfix_stat(&F, 0, "GET /api/instances/VTree::{id}/relationships/Statistics");
    c->map = adfix_stat(&F, 0, "POST /api/instances/Volume::{id}/action/addMappedSdc");
    c->unmap = adfix_stat(&F, 0, "POST /api/instances/Volume::{id}/action/removeMappedSdc");
    c->limits = adfix_stat(&F, 0, "POST /api/instances/Volume::{id}/action/setMappedSdcLimits");
}

static void counts_since(const counts *before, counts *d)
{
    counts now;
    counts_read(&now);
    d->total = now.total - before->total;
    d->get = now.get - before->get;
    d->vtree_stats = now.vtree_stats - before->vtree_stats;
    d->map = now.map - before->map;
    d->unmap = now.unmap - before->unmap;
    d->limits = now.limits - before->limits;
}

/* The gateway requests of each copy, and a mapping found in place (a VM running on this host,
 * with its offering's QoS) left as it was: not unmapped, its limits untouched, its device kept. */
static void test_requests_and_mappings_found(void)
{
    char out[1024], hex[65], sum[80];
    sp_image_source src = {SP_SIZED(sp_image_source), .path = raw, .format = SP_FORMAT_RAW};
    sp_qos qos = {"90", "9000"};
    sp_image_info info = SP_INIT(sp_image_info);
    sp_volume_info v = SP_INIT(sp_volume_info);
    counts c0, d;
    sp_error e;
    int maps = -1;

    snprintf(out, sizeof(out), "%s/templates/requests.qcow2", work);
    mkdir(hs_path(work, "templates"), 0755);
    /* A template from a volume no one has mapped: map and unmap, nothing read first. */
    counts_read(&c0);
    CU_ASSERT_EQUAL_FATAL(
        ad()->copy_volume_to_image(F.pool[0], &(sp_volume_ref){tmpl.path}, &F.host, out, NULL, &info, &e),
        SP_OK);
    counts_since(&c0, &d);
    CU_ASSERT_EQUAL(d.total, 2);
    CU_ASSERT_EQUAL(d.map, 1);
    CU_ASSERT_EQUAL(d.unmap, 1);
    CU_ASSERT_EQUAL(d.get, 0);
    CU_ASSERT_EQUAL(d.limits, 0);
    unmapped(0, tmpl.path);
    check_template_file(out, &info);
    unlink(out);

    /* The same volume mapped to this host with QoS: one request, the map answering "already mapped". */
    CU_ASSERT_EQUAL_FATAL(
        F.sp->driver->grant_access(F.pool[0], &(sp_volume_ref){tmpl.path}, &F.host, &qos, 0, &e), SP_OK);
    CU_ASSERT_EQUAL(adfix_sim_iops_limit(&F, 0, tmpl.id), 9000);
    counts_read(&c0);
    CU_ASSERT_EQUAL_FATAL(
        ad()->copy_volume_to_image(F.pool[0], &(sp_volume_ref){tmpl.path}, &F.host, out, NULL, &info, &e),
        SP_OK);
    counts_since(&c0, &d);
    CU_ASSERT_EQUAL(d.total, 1);
    CU_ASSERT_EQUAL(d.map, 1);
    CU_ASSERT_EQUAL(d.unmap, 0);
    CU_ASSERT_TRUE(adfix_sim_volume(&F, 0, tmpl.id, &maps, NULL, 0));
    CU_ASSERT_EQUAL(maps, 1);                                    /* still the VM's */
    CU_ASSERT_EQUAL(adfix_sim_iops_limit(&F, 0, tmpl.id), 9000); /* and still limited */
    check_template_file(out, &info);
    unlink(out);
    adfix_revoke(&F, 0, tmpl.path, &F.host);

    /* Seeding a fresh template volume: the size and V-Tree read, its statistics (all zeros?), map,
     * unmap; no limits on the fresh mapping. */
    if (adfix_create(&F, 0, SP_VOLUME_TEMPLATE, 206, 16 * MIB, &v) != 0)
        return;
    counts_read(&c0);
    CU_ASSERT_EQUAL_FATAL(
        ad()->copy_image_to_volume(F.pool[0], &src, &(sp_volume_ref){v.path}, &F.host, NULL, &e), SP_OK);
    counts_since(&c0, &d);
    CU_ASSERT_EQUAL(d.total, 4);
    CU_ASSERT_EQUAL(d.get, 1);
    CU_ASSERT_EQUAL(d.vtree_stats, 1);
    CU_ASSERT_EQUAL(d.map, 1);
    CU_ASSERT_EQUAL(d.unmap, 1);
    CU_ASSERT_EQUAL(d.limits, 0);
    unmapped(0, v.path);
    on_device(0, v.path, check_raw_data);
    /* Seeding it again (another source description: with its checksum) while it is mapped here:
     * the mapping stays, and the zeros of the image are written (the volume is not known to be
     * blank, so its statistics are not asked). */
    CU_ASSERT_EQUAL_FATAL(adfix_sha256(raw, 0, 16 * MIB, hex), 0);
    snprintf(sum, sizeof(sum), "sha256:%s", hex);
    src.checksum = sum;
    CU_ASSERT_EQUAL_FATAL(adfix_grant(&F, 0, v.path, &F.host), 0);
    counts_read(&c0);
    CU_ASSERT_EQUAL_FATAL(
        ad()->copy_image_to_volume(F.pool[0], &src, &(sp_volume_ref){v.path}, &F.host, NULL, &e), SP_OK);
    counts_since(&c0, &d);
    CU_ASSERT_EQUAL(d.total, 2);
    CU_ASSERT_EQUAL(d.get, 1);
    CU_ASSERT_EQUAL(d.map, 1);
    CU_ASSERT_EQUAL(d.unmap, 0);
    CU_ASSERT_TRUE(adfix_sim_volume(&F, 0, v.id, &maps, NULL, 0));
    CU_ASSERT_EQUAL(maps, 1);
    adfix_revoke(&F, 0, v.path, &F.host);
    on_device(0, v.path, check_raw_data);
    adfix_delete(&F, 0, v.path);

    /* A map the gateway fails once (without doing it) is sent again; the copy's mapping goes. */
    CU_ASSERT_EQUAL(adfix_fault(&F, 0, "POST /api/instances/Volume::{id}/action/addMappedSdc:http500:once"),
                    200);
    counts_read(&c0);
    CU_ASSERT_EQUAL(
        ad()->copy_volume_to_image(F.pool[0], &(sp_volume_ref){tmpl.path}, &F.host, out, NULL, &info, &e),
        SP_OK);
    counts_since(&c0, &d);
    adfix_clear_faults(&F, 0);
    CU_ASSERT_EQUAL(d.map, 2);
    CU_ASSERT_EQUAL(d.unmap, 1);
    unmapped(0, tmpl.path);
    unlink(out);
}

int main(void)
{
    static const hs_test tests[] = {
        {"seed a QCOW2 file, read back on the device", test_seed_qcow2},
        {"seed a RAW file with its checksum (and a wrong one)", test_seed_raw_checksum},
        {"refused: too small, backing file, wrong format, relative, ftp", test_seed_refusals},
        {"seed from an http URL (and a 404)", test_seed_url},
        {"two seedings of one target at once make one copy", test_seed_twice_at_once},
        {"template from the volume and from a snapshot", test_template_from_volume},
        {"requests per copy; a mapping found on this host stays as it was", test_requests_and_mappings_found},
        {NULL, NULL}};
    int rc;

    adfix_start(&F, NULL, NULL);
    work = hs_mkdtemp("seedimg");
    rc = hs_main("adaptor templates", tests);
    adfix_stop(&F);
    hs_rmtree(work);
    free(work);
    return rc;
}
