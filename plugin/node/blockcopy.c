/* blockcopy.c - RAW to RAW block copy (a sparse-aware read/write loop, or qemu-img convert) and
 * its verification by reading both sides back. */
#include "config.h"

#include "blockcopy.h"

#include "error.h"
#include "proc.h"
#include "qemuimg.h"
#include "sdc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PFX_BLOCKCOPY_CHUNK
#define PFX_BLOCKCOPY_CHUNK ((size_t)1 << 20)
#endif
#define CHUNK PFX_BLOCKCOPY_CHUNK         /* per read; see bench_blockcopy for the choice */
#define BLOCK ((size_t)4096)              /* zero detection granularity, as qemu-img's -S 4k */
#define ALIGN ((size_t)4096)              /* O_DIRECT buffer and offset alignment */
#define REPORT_EVERY ((uint64_t)64 << 20) /* progress granularity, and how soon a cancel is seen */
#define OWN_SIZE UINT64_MAX
#ifndef PFX_BLOCKCOPY_RING
#define PFX_BLOCKCOPY_RING 4
#endif
#define RING PFX_BLOCKCOPY_RING /* chunks a read-ahead thread may be ahead by */

typedef struct side {
    const char *path;
    int fd;
    int is_dev;
    uint64_t size;
} side;

typedef struct ticker {
    const sp_progress *progress;
    const char *phase;
    uint64_t total;
    uint64_t last;
} ticker;

static double seconds(void)
{
    return (double)pfx_now_ms() / 1000.0;
}

/* Reports when REPORT_EVERY more bytes are done (and at the end). 1: the host said stop. */
static int tick(ticker *t, uint64_t done)
{
    if (t->progress == NULL || t->progress->report == NULL)
        return 0;
    if (done < t->total && done - t->last < REPORT_EVERY)
        return 0;
    t->last = done;
    return t->progress->report(t->progress->ctx, t->phase, done, t->total) != 0;
}

static void side_close(side *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

/* Opens a side; a device O_DIRECT when io_len, the bytes that will pass through it (OWN_SIZE: its
 * size), keeps every request aligned (a file of odd size copied onto a device ends in a partial
 * block). */
static sp_status side_open(side *s, const char *path, int flags, uint64_t io_len, sp_error *err)
{
    struct stat sb;
    sp_status st;

    s->path = path;
    s->fd = -1;
    st = pfx_device_size(path, &s->size, err);
    if (st != SP_OK)
        return st;
    if (stat(path, &sb) != 0)
        return pfx_error(err, SP_E_IO, "cannot stat %s: %s", path, strerror(errno));
    s->is_dev = S_ISBLK(sb.st_mode);
    if (io_len == OWN_SIZE)
        io_len = s->size;
    if (s->is_dev && io_len % ALIGN == 0) {
        s->fd = open(path, flags | O_CLOEXEC | O_DIRECT);
        if (s->fd < 0 && errno != EINVAL)
            return pfx_error(err, SP_E_IO, "cannot open %s: %s", path, strerror(errno));
    }
    if (s->fd < 0)
        s->fd = open(path, flags | O_CLOEXEC);
    if (s->fd < 0)
        return pfx_error(err, errno == ENOENT ? SP_E_NOT_FOUND : SP_E_IO, "cannot open %s: %s", path,
                         strerror(errno));
    return SP_OK;
}

static sp_status read_full(const side *s, unsigned char *buf, size_t n, uint64_t off, sp_error *err)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = pread(s->fd, buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return pfx_error(err, SP_E_IO, "reading %s at byte %llu: %s", s->path,
                             (unsigned long long)(off + got), strerror(errno));
        if (r == 0)
            return pfx_error(err, SP_E_IO, "%s ends at byte %llu, before byte %llu", s->path,
                             (unsigned long long)(off + got), (unsigned long long)(off + n));
        got += (size_t)r;
    }
    return SP_OK;
}

static sp_status write_full(const side *s, const unsigned char *buf, size_t n, uint64_t off, sp_error *err)
{
    size_t put = 0;

    while (put < n) {
        ssize_t w = pwrite(s->fd, buf + put, n - put, (off_t)(off + put));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return pfx_error(err, w == 0 || errno == ENOSPC ? SP_E_NO_SPACE : SP_E_IO,
                             "writing %s at byte %llu: %s", s->path, (unsigned long long)(off + put),
                             w == 0 ? "nothing written" : strerror(errno));
        put += (size_t)w;
    }
    return SP_OK;
}

static int all_zero(const unsigned char *p, size_t n)
{
    /* The first 16 bytes rule out most data blocks at once; memcmp against itself shifted by 16
     * then checks the rest with glibc's vectorised compare. */
    static const unsigned char zero[16];

    if (n <= 16)
        return memcmp(p, zero, n) == 0;
    return memcmp(p, zero, 16) == 0 && memcmp(p, p + 16, n - 16) == 0;
}

/* Writes buf (n bytes at off) to the target, leaving out all-zero blocks when the target is
 * known to be zero there: runs of data blocks become one write, runs of zero blocks none. */
static sp_status put(const side *dst, const unsigned char *buf, size_t n, uint64_t off, int skip_zero,
                     pfx_blockcopy_stats *st, sp_error *err)
{
    size_t i = 0;

    if (!skip_zero) {
        st->written += n;
        return write_full(dst, buf, n, off, err);
    }
    while (i < n) {
        size_t start = i;
        int zero = all_zero(buf + i, n - i < BLOCK ? n - i : BLOCK);
        do
            i += n - i < BLOCK ? n - i : BLOCK;
        while (i < n && all_zero(buf + i, n - i < BLOCK ? n - i : BLOCK) == zero);
        if (zero) {
            st->skipped += i - start;
        } else {
            sp_status s = write_full(dst, buf + start, i - start, off + start, err);
            if (s != SP_OK)
                return s;
            st->written += i - start;
        }
    }
    return SP_OK;
}

/* Writes zeros over [off, off + len) of a target that is not known to be zero. */
static sp_status zero_range(const side *dst, const unsigned char *zeros, uint64_t off, uint64_t len,
                            pfx_blockcopy_stats *st, sp_error *err)
{
    while (len > 0) {
        size_t n = len < CHUNK ? (size_t)len : CHUNK;
        sp_status s = write_full(dst, zeros, n, off, err);
        if (s != SP_OK)
            return s;
        st->written += n;
        off += n;
        len -= n;
    }
    return SP_OK;
}

/* The next data extent of the source at or after off: [*data, *hole). Devices and file systems
 * without SEEK_DATA are all data. */
static void next_extent(const side *src, int *seekable, uint64_t off, uint64_t *data, uint64_t *hole)
{
    off_t d, h;

    *data = off;
    *hole = src->size;
    if (!*seekable)
        return;
    d = lseek(src->fd, (off_t)off, SEEK_DATA);
    if (d < 0) {
        if (errno == ENXIO)
            *data = src->size; /* only a hole is left */
        else
            *seekable = 0;
        return;
    }
    h = lseek(src->fd, d, SEEK_HOLE);
    *data = (uint64_t)d < src->size ? (uint64_t)d : src->size;
    if (h >= 0 && (uint64_t)h < src->size)
        *hole = (uint64_t)h;
}

/* --- reading in chunks -----------------------------------------------------------------------
 * A reader hands out [0, end) of one side in order, as chunks of up to CHUNK bytes; with
 * `extents`, the holes of a regular file come as chunks without data (hole = 1, any length).
 * Threaded, it reads ahead into a ring of RING buffers while the caller uses the chunks before:
 * reads then overlap writes (copy) or the other side's reads (verify), which is what keeps both
 * directions busy when every O_DIRECT request waits for the array. Between cached files the
 * copy is bound by memory copies instead, and one thread with one buffer is faster (no hand-over,
 * the buffer stays in cache), so it reads in the caller's thread, one chunk at a time. */

typedef struct chunk {
    uint64_t off;
    uint64_t len;
    int hole;
    unsigned char *buf;
} chunk;

typedef struct reader {
    const side *s;
    uint64_t end;
    int threaded;
    int seekable;
    uint64_t off, data, hole; /* where reading is, and the current extent */
    pthread_t thread;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    chunk ring[RING];
    unsigned char *bufs[RING];
    unsigned nbufs;
    unsigned head, tail; /* chunks [head, tail) are ready; the producer fills tail */
    int stop, done;
    sp_status status;
    sp_error err;
} reader;

/* Reads the next chunk into c (c->buf set by the caller). 1: a chunk, 0: the end, -1: a read
 * error, in r->err. Only the producing thread calls it. */
static int fill(reader *r, chunk *c)
{
    if (r->off >= r->end)
        return 0;
    if (r->off >= r->hole) {
        next_extent(r->s, &r->seekable, r->off, &r->data, &r->hole);
        if (r->hole > r->end)
            r->hole = r->end;
        if (r->data > r->end)
            r->data = r->end;
    }
    c->off = r->off;
    c->hole = r->data > r->off;
    if (c->hole) {
        c->len = r->data - r->off;
    } else {
        c->len = r->hole - r->off < CHUNK ? r->hole - r->off : CHUNK;
        r->status = read_full(r->s, c->buf, (size_t)c->len, c->off, &r->err);
        if (r->status != SP_OK)
            return -1;
    }
    r->off += c->len;
    return 1;
}

/* Publishes what fill did; with the lock held. */
static void push(reader *r, const chunk *c, int rc)
{
    if (rc > 0) {
        r->ring[r->tail % RING] = *c;
        r->tail++;
    } else {
        r->done = 1;
    }
}

static void *reader_main(void *arg)
{
    reader *r = arg;
    int rc;

    do {
        chunk c = {.off = 0};
        int stop;

        pthread_mutex_lock(&r->mu);
        while (r->tail - r->head == r->nbufs && !r->stop)
            pthread_cond_wait(&r->cv, &r->mu);
        stop = r->stop;
        c.buf = r->bufs[r->tail % r->nbufs]; /* the slot is the producer's until pushed */
        pthread_mutex_unlock(&r->mu);
        rc = stop ? 0 : fill(r, &c);
        pthread_mutex_lock(&r->mu);
        push(r, &c, rc);
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
    } while (rc > 0);
    return NULL;
}

static sp_status reader_start(reader *r, const side *s, uint64_t end, int extents, int threaded,
                              sp_error *err)
{
    memset(r, 0, sizeof(*r));
    r->s = s;
    r->end = end;
    r->seekable = extents;
    r->threaded = threaded;
    r->nbufs = threaded ? RING : 1;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    for (unsigned i = 0; i < r->nbufs; i++)
        if (posix_memalign((void **)&r->bufs[i], ALIGN, CHUNK) != 0)
            return pfx_error(err, SP_E_NOMEM, "no memory to read %s", s->path);
    posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    if (threaded) {
        if (pthread_create(&r->thread, NULL, reader_main, r) != 0)
            return pfx_error(err, SP_E_NOMEM, "cannot start a thread to read %s", s->path);
        r->started = 1;
    }
    return SP_OK;
}

/* The next chunk in order, or NULL at the end or on a read error (then *status says which). */
static const chunk *reader_next(reader *r, sp_status *status, sp_error *err)
{
    const chunk *c = NULL;

    pthread_mutex_lock(&r->mu);
    if (!r->threaded && r->head == r->tail && !r->done) {
        chunk n = {.buf = r->bufs[0]};
        push(r, &n, fill(r, &n));
    }
    while (r->head == r->tail && !r->done)
        pthread_cond_wait(&r->cv, &r->mu);
    if (r->head != r->tail)
        c = &r->ring[r->head % RING];
    *status = c == NULL ? r->status : SP_OK;
    if (c == NULL && r->status != SP_OK && err != NULL)
        *err = r->err;
    pthread_mutex_unlock(&r->mu);
    return c;
}

/* Gives the chunk reader_next returned back to the reader. */
static void reader_release(reader *r)
{
    pthread_mutex_lock(&r->mu);
    r->head++;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static void reader_stop(reader *r)
{
    if (r->started) {
        pthread_mutex_lock(&r->mu);
        r->stop = 1;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
        pthread_join(r->thread, NULL);
    }
    for (unsigned i = 0; i < r->nbufs; i++)
        free(r->bufs[i]);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
}

/* --- copy -------------------------------------------------------------------------------- */

/* The copy runs in stripes of the source handed out in order to WORKERS threads, each of which
 * walks its stripe's data extents (SEEK_DATA/SEEK_HOLE on a regular file), reads them in CHUNK
 * pieces and writes them: as many requests in flight as workers on devices, and as many cores
 * busy copying pages between cached files. The caller's thread hands out nothing: it reports
 * progress (done = bytes of stripes and chunks finished, in any order) and says stop on a cancel
 * or a worker's error. */
#define STRIPE ((uint64_t)16 << 20)
#ifndef PFX_BLOCKCOPY_WORKERS
#define PFX_BLOCKCOPY_WORKERS 4
#endif
#define WORKERS PFX_BLOCKCOPY_WORKERS

typedef struct pcopy {
    const side *src, *dst;
    int skip_zero;
    uint64_t nstripes;
    unsigned char *finished; /* per stripe: copied (for the writeback thread; NULL: none runs) */
    uint64_t written_out;    /* stripes [0, written_out) handed to writeback */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t next;    /* the next stripe to hand out */
    uint64_t done;    /* bytes finished */
    int running;      /* workers not yet finished */
    int stop;         /* an error or a cancel: take no more chunks */
    sp_status status; /* the first error */
    sp_error err;
    pfx_blockcopy_stats st; /* written and skipped, summed */
} pcopy;

static int pcopy_stopped(pcopy *p)
{
    int stop;

    pthread_mutex_lock(&p->mu);
    stop = p->stop;
    pthread_mutex_unlock(&p->mu);
    return stop;
}

static void pcopy_progress(pcopy *p, uint64_t n)
{
    pthread_mutex_lock(&p->mu);
    p->done += n;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Copies [a, b) of the source: holes skipped (or zeroed on a target not known to be zero), data
 * read and written. */
static sp_status copy_stripe(pcopy *p, uint64_t a, uint64_t b, unsigned char *buf, unsigned char **zeros,
                             int *seekable, pfx_blockcopy_stats *st, sp_error *err)
{
    uint64_t pos = a;
    sp_status s = SP_OK;

    while (pos < b && s == SP_OK) {
        uint64_t data, hole;

        next_extent(p->src, seekable, pos, &data, &hole);
        if (data > b)
            data = b;
        if (hole > b)
            hole = b;
        if (data > pos) {
            if (p->skip_zero) {
                st->skipped += data - pos;
            } else {
                if (*zeros == NULL) {
                    if (posix_memalign((void **)zeros, ALIGN, CHUNK) != 0) {
                        *zeros = NULL;
                        return pfx_error(err, SP_E_NOMEM, "no memory to copy %s", p->src->path);
                    }
                    memset(*zeros, 0, CHUNK);
                }
                if ((s = zero_range(p->dst, *zeros, pos, data - pos, st, err)) != SP_OK)
                    break;
            }
            pcopy_progress(p, data - pos);
            pos = data;
        }
        while (pos < hole && s == SP_OK) {
            size_t n = hole - pos < CHUNK ? (size_t)(hole - pos) : CHUNK;
            if (pcopy_stopped(p))
                return SP_E_CANCELLED; /* the caller has the reason already */
            if ((s = read_full(p->src, buf, n, pos, err)) != SP_OK ||
                (s = put(p->dst, buf, n, pos, p->skip_zero, st, err)) != SP_OK)
                break;
            pcopy_progress(p, n);
            pos += n;
        }
    }
    return s;
}

/* Starts the writeback of the target's finished stripes, in order, as the copy goes: a copy into
 * page-cached pages otherwise leaves all of it to the flush after the copy, which was then the
 * longest step (bench/copy-bench). Its own thread, so that a congested device queue, where
 * sync_file_range waits, never holds up a worker (started by each worker, it made a copy after
 * another large write 5-8 times slower). It stops when the workers are done; the caller's flush
 * writes what is left. */
static void *writeback_main(void *arg)
{
    pcopy *p = arg;

    pthread_mutex_lock(&p->mu);
    for (;;) {
        uint64_t from = p->written_out, to = from;
        while (to < p->nstripes && p->finished[to])
            to++;
        if (to == from) {
            if (p->running == 0 || p->stop)
                break;
            pthread_cond_wait(&p->cv, &p->mu);
            continue;
        }
        p->written_out = to;
        pthread_mutex_unlock(&p->mu);
#ifdef SYNC_FILE_RANGE_WRITE
        (void)sync_file_range(p->dst->fd, (off_t)(from * STRIPE), (off_t)((to - from) * STRIPE),
                              SYNC_FILE_RANGE_WRITE);
#endif
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void *pcopy_main(void *arg)
{
    pcopy *p = arg;
    unsigned char *buf = NULL, *zeros = NULL;
    int seekable = !p->src->is_dev;
    pfx_blockcopy_stats st;
    sp_error err;
    sp_status s = SP_OK;

    memset(&st, 0, sizeof(st));
    if (posix_memalign((void **)&buf, ALIGN, CHUNK) != 0) {
        buf = NULL;
        s = pfx_error(&err, SP_E_NOMEM, "no memory to copy %s", p->src->path);
    }
    posix_fadvise(p->src->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    while (s == SP_OK) {
        uint64_t i, a, b;

        pthread_mutex_lock(&p->mu);
        i = p->stop ? p->nstripes : p->next++;
        pthread_mutex_unlock(&p->mu);
        if (i >= p->nstripes)
            break;
        a = i * STRIPE;
        b = p->src->size - a < STRIPE ? p->src->size : a + STRIPE;
        s = copy_stripe(p, a, b, buf, &zeros, &seekable, &st, &err);
        if (s == SP_OK && p->finished != NULL) {
            pthread_mutex_lock(&p->mu);
            p->finished[i] = 1;
            pthread_cond_broadcast(&p->cv);
            pthread_mutex_unlock(&p->mu);
        }
    }
    pthread_mutex_lock(&p->mu);
    p->st.written += st.written;
    p->st.skipped += st.skipped;
    if (s != SP_OK && s != SP_E_CANCELLED && p->status == SP_OK) {
        p->status = s;
        p->err = err;
    }
    if (s != SP_OK)
        p->stop = 1;
    p->running--;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    free(buf);
    free(zeros);
    return NULL;
}

static sp_status copy_native(const pfx_blockcopy_opts *o, side *src, side *dst, pfx_blockcopy_stats *st,
                             sp_error *err)
{
    pcopy p;
    pthread_t threads[WORKERS], wb;
    int started = 0, cancelled = 0, wb_started = 0;
    ticker t = {o->progress, "copy", src->size, 0};
    uint64_t done = 0;
    sp_status s;

    memset(&p, 0, sizeof(p));
    p.src = src;
    p.dst = dst;
    p.skip_zero = o->target_is_zero || o->create;
    p.nstripes = (src->size + STRIPE - 1) / STRIPE;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    /* Only a target written through the page cache has writeback to start (devices are O_DIRECT). */
    if (!dst->is_dev && p.nstripes > 1)
        p.finished = calloc(p.nstripes, 1);
    pthread_mutex_lock(&p.mu);
    for (int i = 0; i < WORKERS && (uint64_t)i < p.nstripes; i++) {
        p.running++;
        if (pthread_create(&threads[i], NULL, pcopy_main, &p) != 0) {
            p.running--;
            break;
        }
        started++;
    }
    if (started > 0 && p.finished != NULL)
        wb_started = pthread_create(&wb, NULL, writeback_main, &p) == 0;
    pthread_mutex_unlock(&p.mu);
    if (started == 0 && p.nstripes > 0) {
        /* No thread to be had: the copy runs here, reporting only at its end. */
        p.running = 1;
        pcopy_main(&p);
    }
    pthread_mutex_lock(&p.mu);
    for (;;) {
        while (p.running > 0 && (p.done == done || p.stop))
            pthread_cond_wait(&p.cv, &p.mu);
        if (p.running == 0 || p.stop)
            break;
        done = p.done;
        pthread_mutex_unlock(&p.mu);
        /* The end is reported once, below, after every worker is done. */
        cancelled = done < src->size && tick(&t, done);
        pthread_mutex_lock(&p.mu);
        if (cancelled) {
            p.stop = 1;
            break;
        }
    }
    pthread_mutex_unlock(&p.mu);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    if (wb_started) {
        pthread_mutex_lock(&p.mu);
        pthread_cond_broadcast(&p.cv);
        pthread_mutex_unlock(&p.mu);
        pthread_join(wb, NULL);
    }
    free(p.finished);
    st->written = p.st.written;
    st->skipped = p.st.skipped;
    s = p.status;
    if (s != SP_OK)
        *err = p.err;
    else if (cancelled)
        s = pfx_error(err, SP_E_CANCELLED, "copy of %s to %s cancelled at byte %llu", src->path, dst->path,
                      (unsigned long long)done);
    else if (tick(&t, src->size))
        s = pfx_error(err, SP_E_CANCELLED, "copy of %s cancelled at its end", src->path);
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    return s;
}

static sp_status copy_qemu(const pfx_blockcopy_opts *o, const side *src, sp_error *err)
{
    pfx_qemuimg_convert_opts q = {.src = o->src,
                                  .src_format = SP_FORMAT_RAW,
                                  .dst = o->dst,
                                  .dst_format = SP_FORMAT_RAW,
                                  .dst_exists = 1,
                                  .target_is_zero = o->target_is_zero || o->create,
                                  .progress_total = src->size,
                                  .phase = "copy",
                                  .progress = o->progress};

    return pfx_qemuimg_convert(&q, err);
}

/* AUTO: qemu-img for device targets, where its parallel requests keep an array busier than
 * our one read and one write in flight; the loop for files, where it is the faster. Without
 * qemu-img, the loop does both. */
static pfx_blockcopy_method choose(const side *dst)
{
    char prog[SP_PATH_MAX];

    if (dst->is_dev && pfx_qemuimg_program(prog, sizeof(prog), NULL) == SP_OK)
        return PFX_BLOCKCOPY_QEMU_IMG;
    return PFX_BLOCKCOPY_NATIVE;
}

static sp_status create_target(const char *path, uint64_t size, sp_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    if (fd < 0)
        return pfx_error(err, errno == EEXIST ? SP_E_EXISTS : SP_E_IO, "cannot create %s: %s", path,
                         strerror(errno));
    if (ftruncate(fd, (off_t)size) != 0) {
        int e = errno;
        close(fd);
        unlink(path);
        return pfx_error(err, e == EFBIG || e == ENOSPC ? SP_E_NO_SPACE : SP_E_IO,
                         "cannot size %s to %llu bytes: %s", path, (unsigned long long)size, strerror(e));
    }
    close(fd);
    return SP_OK;
}

sp_status pfx_blockcopy_copy(const pfx_blockcopy_opts *o, pfx_blockcopy_stats *stats, sp_error *err)
{
    side src = {.fd = -1}, dst = {.fd = -1};
    pfx_blockcopy_stats local;
    pfx_blockcopy_stats *st = stats != NULL ? stats : &local;
    double t0 = seconds();
    int created = 0;
    sp_status s;

    memset(st, 0, sizeof(*st));
    st->method = o->method;
    if (o->src == NULL || o->dst == NULL)
        return pfx_error(err, SP_E_INVALID, "a block copy needs a source and a target");
    s = side_open(&src, o->src, O_RDONLY, OWN_SIZE, err);
    if (s != SP_OK)
        goto out;
    if (o->create) {
        s = create_target(o->dst, src.size, err);
        if (s != SP_OK)
            goto out;
        created = 1;
    }
    s = side_open(&dst, o->dst, O_WRONLY, src.size, err);
    if (s != SP_OK)
        goto out;
    if (dst.size < src.size) {
        s = pfx_error(err, SP_E_INVALID, "target %s has %llu bytes, fewer than the %llu of source %s", o->dst,
                      (unsigned long long)dst.size, (unsigned long long)src.size, o->src);
        goto out;
    }
    st->size = src.size;
    if (st->method == PFX_BLOCKCOPY_AUTO)
        st->method = choose(&dst);
    if (st->method == PFX_BLOCKCOPY_QEMU_IMG)
        s = copy_qemu(o, &src, err);
    else
        s = copy_native(o, &src, &dst, st, err);
    if (s == SP_OK && !o->no_flush && fdatasync(dst.fd) != 0)
        s = pfx_error(err, SP_E_IO, "flushing %s: %s", o->dst, strerror(errno));
out:
    side_close(&src);
    side_close(&dst);
    /* A target this call created is this call's to take back. */
    if (s != SP_OK && created)
        unlink(o->dst);
    st->copy_s = seconds() - t0;
    return s;
}

/* --- image ranges ------------------------------------------------------------------------ */

typedef struct xcopy {
    const side *src, *dst;
    const pfx_image_extent *ext;
    size_t n;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next;     /* the range a piece is taken from next */
    uint64_t within; /* where in it */
    uint64_t done;
    int running, stop;
    sp_status status;
    sp_error err;
} xcopy;

/* The next piece: up to STRIPE bytes of one range. 0 when none is left or the copy stops. */
static int xcopy_take(xcopy *x, uint64_t *from, uint64_t *to, uint64_t *len)
{
    int got = 0;

    pthread_mutex_lock(&x->mu);
    if (!x->stop && x->next < x->n) {
        const pfx_image_extent *e = &x->ext[x->next];
        *len = e->length - x->within < STRIPE ? e->length - x->within : STRIPE;
        *from = e->offset + x->within;
        *to = e->start + x->within;
        x->within += *len;
        if (x->within == e->length) {
            x->next++;
            x->within = 0;
        }
        got = 1;
    }
    pthread_mutex_unlock(&x->mu);
    return got;
}

static void *xcopy_main(void *arg)
{
    xcopy *x = arg;
    unsigned char *buf = NULL;
    pfx_blockcopy_stats st;
    uint64_t from, to, len;
    sp_error err;
    sp_status s = SP_OK;

    memset(&st, 0, sizeof(st));
    if (posix_memalign((void **)&buf, ALIGN, CHUNK) != 0) {
        buf = NULL;
        s = pfx_error(&err, SP_E_NOMEM, "no memory to copy %s", x->src->path);
    }
    while (s == SP_OK && xcopy_take(x, &from, &to, &len)) {
        for (uint64_t p = 0; p < len && s == SP_OK; p += CHUNK) {
            size_t k = len - p < CHUNK ? (size_t)(len - p) : CHUNK;
            if ((s = read_full(x->src, buf, k, from + p, &err)) == SP_OK)
                s = put(x->dst, buf, k, to + p, 1, &st, &err);
        }
        pthread_mutex_lock(&x->mu);
        x->done += len;
        pthread_cond_broadcast(&x->cv);
        pthread_mutex_unlock(&x->mu);
    }
    pthread_mutex_lock(&x->mu);
    if (s != SP_OK && x->status == SP_OK) {
        x->status = s;
        x->err = err;
    }
    if (s != SP_OK)
        x->stop = 1;
    x->running--;
    pthread_cond_broadcast(&x->cv);
    pthread_mutex_unlock(&x->mu);
    free(buf);
    return NULL;
}

sp_status pfx_blockcopy_extents(const char *src_path, const char *dst_path, const pfx_image_extent *ext,
                                size_t n, uint64_t progress_total, const sp_progress *progress, sp_error *err)
{
    side src = {.fd = -1}, dst = {.fd = -1};
    xcopy x;
    pthread_t threads[WORKERS];
    uint64_t total = 0, end = 0, done = 0;
    int started = 0, cancelled = 0;
    ticker t = {progress, "copy", 0, 0};
    sp_status s;

    for (size_t i = 0; i < n; i++) {
        if (ext[i].length == 0 || ext[i].start < end || (ext[i].start | ext[i].length) % ALIGN != 0 ||
            ext[i].start + ext[i].length < ext[i].start || ext[i].offset + ext[i].length < ext[i].offset)
            return pfx_error(err, SP_E_INVALID, "range %zu of %s is empty, out of order or not aligned", i,
                             src_path);
        end = ext[i].start + ext[i].length;
        total += ext[i].length;
    }
    t.total = progress_total != 0 ? progress_total : total;
    if ((s = side_open(&src, src_path, O_RDONLY, OWN_SIZE, err)) != SP_OK)
        goto out;
    if ((s = side_open(&dst, dst_path, O_WRONLY, ALIGN, err)) != SP_OK)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (ext[i].offset + ext[i].length > src.size || ext[i].start + ext[i].length > dst.size) {
            s = pfx_error(err, SP_E_INVALID,
                          "range %zu of %s (%llu bytes at %llu, to %llu) lies outside the image (%llu "
                          "bytes) or the target (%llu)",
                          i, src_path, (unsigned long long)ext[i].length, (unsigned long long)ext[i].offset,
                          (unsigned long long)ext[i].start, (unsigned long long)src.size,
                          (unsigned long long)dst.size);
            goto out;
        }
    memset(&x, 0, sizeof(x));
    x.src = &src;
    x.dst = &dst;
    x.ext = ext;
    x.n = n;
    pthread_mutex_init(&x.mu, NULL);
    pthread_cond_init(&x.cv, NULL);
    pthread_mutex_lock(&x.mu);
    for (int i = 0; i < WORKERS && n > 0; i++) {
        x.running++;
        if (pthread_create(&threads[i], NULL, xcopy_main, &x) != 0) {
            x.running--;
            break;
        }
        started++;
    }
    pthread_mutex_unlock(&x.mu);
    if (started == 0 && n > 0) {
        x.running = 1;
        xcopy_main(&x);
    }
    pthread_mutex_lock(&x.mu);
    while (x.running > 0 && !x.stop) {
        if (x.done == done) {
            pthread_cond_wait(&x.cv, &x.mu);
            continue;
        }
        done = x.done;
        pthread_mutex_unlock(&x.mu);
        /* Reported over t.total, as qemu-img reports over the virtual size. */
        cancelled = done < total &&
                    tick(&t, total > 0 ? (uint64_t)((double)done / (double)total * (double)t.total) : 0);
        pthread_mutex_lock(&x.mu);
        if (cancelled)
            x.stop = 1;
    }
    pthread_mutex_unlock(&x.mu);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    s = x.status;
    if (s != SP_OK)
        *err = x.err;
    else if (cancelled)
        s = pfx_error(err, SP_E_CANCELLED, "copy of %s to %s cancelled at byte %llu", src_path, dst_path,
                      (unsigned long long)done);
    else if (tick(&t, t.total))
        s = pfx_error(err, SP_E_CANCELLED, "copy of %s cancelled at its end", src_path);
    pthread_cond_destroy(&x.cv);
    pthread_mutex_destroy(&x.mu);
out:
    side_close(&src);
    side_close(&dst);
    return s;
}

/* --- verify ------------------------------------------------------------------------------ */

sp_status pfx_blockcopy_verify(const char *src_path, const char *dst_path, uint64_t length,
                               const sp_progress *progress, sp_error *err)
{
    side src = {.fd = -1}, dst = {.fd = -1};
    reader a, b;
    int a_on = 0, b_on = 0;
    ticker t = {progress, "verify", length, 0};
    const chunk *ca, *cb;
    sp_status s, sa = SP_OK, sb = SP_OK;

    s = side_open(&src, src_path, O_RDONLY, length, err);
    if (s == SP_OK)
        s = side_open(&dst, dst_path, O_RDONLY, length, err);
    if (s == SP_OK && (src.size < length || dst.size < length))
        s = pfx_error(err, SP_E_IO, "verification needs %llu bytes but %s has %llu",
                      (unsigned long long)length, src.size < length ? src_path : dst_path,
                      (unsigned long long)(src.size < length ? src.size : dst.size));
    /* Both sides are read in full, in parallel: no hole is taken on trust. */
    if (s == SP_OK) {
        a_on = 1;
        s = reader_start(&a, &src, length, 0, 1, err);
    }
    if (s == SP_OK) {
        b_on = 1;
        s = reader_start(&b, &dst, length, 0, 1, err);
    }
    while (s == SP_OK) {
        ca = reader_next(&a, &sa, err);
        cb = reader_next(&b, &sb, sa == SP_OK ? err : NULL);
        if (ca == NULL || cb == NULL) {
            s = sa != SP_OK ? sa : sb;
            if (s == SP_OK && ca != cb)
                s = pfx_error(err, SP_E_INTERNAL, "verification of %s lost step with its source", dst_path);
            break;
        }
        if (memcmp(ca->buf, cb->buf, (size_t)ca->len) != 0) {
            size_t i = 0;
            while (ca->buf[i] == cb->buf[i])
                i++;
            s = pfx_error(err, SP_E_IO, "verification failed: %s differs from %s at byte %llu", dst_path,
                          src_path, (unsigned long long)(ca->off + i));
        } else if (tick(&t, ca->off + ca->len)) {
            s = pfx_error(err, SP_E_CANCELLED, "verification of %s cancelled at byte %llu", dst_path,
                          (unsigned long long)(ca->off + ca->len));
        }
        reader_release(&a);
        reader_release(&b);
    }
    if (s == SP_OK && length == 0 && tick(&t, 0))
        s = pfx_error(err, SP_E_CANCELLED, "verification of %s cancelled", dst_path);
    if (a_on)
        reader_stop(&a);
    if (b_on)
        reader_stop(&b);
    side_close(&src);
    side_close(&dst);
    return s;
}

sp_status pfx_blockcopy_run(const pfx_blockcopy_opts *o, pfx_blockcopy_stats *stats, sp_error *err)
{
    pfx_blockcopy_stats local;
    pfx_blockcopy_stats *st = stats != NULL ? stats : &local;
    double t0;
    sp_status s = pfx_blockcopy_copy(o, st, err);

    if (s != SP_OK)
        return s;
    t0 = seconds();
    s = pfx_blockcopy_verify(o->src, o->dst, st->size, o->progress, err);
    st->verify_s = seconds() - t0;
    if (s != SP_OK && o->create)
        unlink(o->dst);
    return s;
}
