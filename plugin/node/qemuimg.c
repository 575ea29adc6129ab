/* qemuimg.c - running qemu-img info, convert and compare through proc, with its "-p" progress
 * turned into sp_progress reports. */
#include "config.h"

#include "qemuimg.h"

#include "error.h"
#include "hostsvc.h"
#include "json.h"
#include "proc.h"

#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define INFO_TIMEOUT_MS 60000
#define HELP_TIMEOUT_MS 30000
#define REREPORT_MS 1000 /* a silent qemu-img still gives the host a chance to cancel this often */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char override[SP_PATH_MAX];
static char tiz_path[SP_PATH_MAX]; /* the program whose --help answers are cached */
static int tiz_yes;                /* it has --target-is-zero */
static int par_yes;                /* it has -m num_coroutines and -W */

void pfx_qemuimg_set_program(const char *path)
{
    pthread_mutex_lock(&lock);
    snprintf(override, sizeof(override), "%s", path != NULL ? path : "");
    pthread_mutex_unlock(&lock);
}

sp_status pfx_qemuimg_program(char *buf, size_t buf_len, sp_error *err)
{
    int n = -1;

    pthread_mutex_lock(&lock);
    if (override[0] != '\0')
        n = snprintf(buf, buf_len, "%s", override);
    pthread_mutex_unlock(&lock);
    if (n >= 0) {
        if ((size_t)n >= buf_len)
            return pfx_error(err, SP_E_INVALID, "the qemu-img path does not fit in %zu bytes", buf_len);
        return SP_OK;
    }
    return pfx_proc_find_program("qemu-img", buf, buf_len, err);
}

static const char *fmt_name(sp_image_format f)
{
    switch (f) {
    case SP_FORMAT_RAW: return "raw";
    case SP_FORMAT_QCOW2: return "qcow2";
    case SP_FORMAT_ISO: return "raw"; /* an ISO is a raw image to qemu-img */
    case SP_FORMAT_LUKS: return NULL; /* opened only through its key (luks.c) */
    }
    return NULL;
}

/* --- info -------------------------------------------------------------------------------- */

sp_status pfx_qemuimg_parse_info(const char *json, pfx_image_facts *out, sp_error *err)
{
    yajl_val tree = NULL;
    sp_status s;

    memset(out, 0, sizeof(*out));
    s = pfx_json_parse(json, strlen(json), "qemu-img info", &tree, err);
    if (s != SP_OK)
        return s;
    if (!YAJL_IS_OBJECT(tree)) {
        s = pfx_error(err, SP_E_PROTOCOL, "qemu-img info printed %s, not an object",
                      pfx_json_type_name(tree));
        goto out;
    }
    s = pfx_json_u64(tree, "qemu-img info", "virtual-size", PFX_JSON_REQUIRED, &out->virtual_size, NULL, err);
    if (s == SP_OK)
        s = pfx_json_u64(tree, "qemu-img info", "actual-size", PFX_JSON_OPTIONAL, &out->actual_size, NULL,
                         err);
    if (s == SP_OK)
        s = pfx_json_str(tree, "qemu-img info", "format", PFX_JSON_REQUIRED, out->format, sizeof(out->format),
                         err);
    if (s == SP_OK)
        s = pfx_json_str(tree, "qemu-img info", "backing-filename", PFX_JSON_OPTIONAL, out->backing_file,
                         sizeof(out->backing_file), err);
    if (s == SP_OK)
        s = pfx_json_bool(tree, "qemu-img info", "encrypted", PFX_JSON_OPTIONAL, &out->encrypted, NULL, err);
    if (s == SP_OK) {
        yajl_val spec = NULL, data = NULL;
        s = pfx_json_object(tree, "qemu-img info", "format-specific", PFX_JSON_OPTIONAL, &spec, err);
        if (s == SP_OK && spec != NULL)
            s = pfx_json_object(spec, "qemu-img info format-specific", "data", PFX_JSON_OPTIONAL, &data, err);
        if (s == SP_OK && data != NULL)
            s = pfx_json_str(data, "qemu-img info format-specific data", "data-file", PFX_JSON_OPTIONAL,
                             out->data_file, sizeof(out->data_file), err);
    }
out:
    yajl_tree_free(tree);
    return s;
}

/* Answers of qemu-img info on regular files, by the file's identity and change times: a template
 * seeded onto several pools is opened by one qemu-img info, not one per pool (each is a process
 * start, 15-40 ms, beside a copy of 150 ms). Any write or metadata change moves the file's ctime,
 * which no caller can set, and a file put in its place has another inode: either is a new key. */
#define INFO_CACHE 16

typedef struct info_entry {
    int used;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
    sp_image_format format;
    char prog[SP_PATH_MAX];
    pfx_image_facts facts;
    uint64_t stamp;
} info_entry;

static info_entry info_cache[INFO_CACHE];
static uint64_t info_clock;

static int same_key(const info_entry *c, const struct stat *sb, sp_image_format format, const char *prog)
{
    return c->used && c->dev == sb->st_dev && c->ino == sb->st_ino && c->size == sb->st_size &&
           c->mtime.tv_sec == sb->st_mtim.tv_sec && c->mtime.tv_nsec == sb->st_mtim.tv_nsec &&
           c->ctime.tv_sec == sb->st_ctim.tv_sec && c->ctime.tv_nsec == sb->st_ctim.tv_nsec &&
           c->format == format && strcmp(c->prog, prog) == 0;
}

static int info_remembered(const struct stat *sb, sp_image_format format, const char *prog,
                           pfx_image_facts *out)
{
    int hit = 0;

    pthread_mutex_lock(&lock);
    for (int i = 0; i < INFO_CACHE && !hit; i++)
        if (same_key(&info_cache[i], sb, format, prog)) {
            *out = info_cache[i].facts;
            info_cache[i].stamp = ++info_clock;
            hit = 1;
        }
    pthread_mutex_unlock(&lock);
    return hit;
}

static void info_remember(const struct stat *sb, sp_image_format format, const char *prog,
                          const pfx_image_facts *facts)
{
    info_entry *slot = &info_cache[0];

    pthread_mutex_lock(&lock);
    for (int i = 0; i < INFO_CACHE; i++)
        if (!info_cache[i].used || info_cache[i].stamp < slot->stamp) {
            slot = &info_cache[i];
            if (!slot->used)
                break;
        }
    memset(slot, 0, sizeof(*slot));
    slot->used = 1;
    slot->dev = sb->st_dev;
    slot->ino = sb->st_ino;
    slot->size = sb->st_size;
    slot->mtime = sb->st_mtim;
    slot->ctime = sb->st_ctim;
    slot->format = format;
    snprintf(slot->prog, sizeof(slot->prog), "%s", prog);
    slot->facts = *facts;
    slot->stamp = ++info_clock;
    pthread_mutex_unlock(&lock);
}

sp_status pfx_qemuimg_info(const char *path, sp_image_format format, pfx_image_facts *out, sp_error *err)
{
    struct stat sb;
    int cacheable;
    char prog[SP_PATH_MAX];
    const char *argv[10], *f = fmt_name(format);
    pfx_proc_opts o = {.timeout_ms = INFO_TIMEOUT_MS,
                       .limits = {.cpu_s = PFX_QEMUIMG_INFO_CPU_S, .as_bytes = PFX_QEMUIMG_INFO_AS_BYTES}};
    pfx_proc_result res;
    size_t n = 0;
    sp_status s;

    memset(out, 0, sizeof(*out));
    memset(&res, 0, sizeof(res));
    if (f == NULL)
        return pfx_error(err, SP_E_INVALID, "unknown image format %d", (int)format);
    s = pfx_qemuimg_program(prog, sizeof(prog), err);
    if (s != SP_OK)
        return s;
    /* Stat before qemu-img reads: a change after it gives the file a key this answer is not under. */
    cacheable = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
    if (cacheable && info_remembered(&sb, format, prog, out))
        return SP_OK;
    argv[n++] = prog;
    argv[n++] = "info";
    argv[n++] = "--output=json";
    argv[n++] = "-f";
    argv[n++] = f;
    argv[n++] = "--";
    argv[n++] = path;
    argv[n] = NULL;
    s = pfx_proc_run(argv, &o, &res, err);
    if (s == SP_OK && !res.exited && (res.term_signal == SIGKILL || res.term_signal == SIGXCPU))
        s = pfx_error(err, SP_E_INVALID,
                      "qemu-img info was killed past its limits (%u s of CPU, %" PRIu64
                      " MiB of address space): the image is refused",
                      PFX_QEMUIMG_INFO_CPU_S, PFX_QEMUIMG_INFO_AS_BYTES >> 20);
    else if (s == SP_OK && (!res.exited || res.exit_code != 0))
        s = pfx_proc_failed(argv, &res, err);
    if (s == SP_OK && res.out_truncated)
        s = pfx_error(err, SP_E_PROTOCOL, "qemu-img info printed more than %zu bytes",
                      (size_t)PFX_PROC_STDOUT_MAX_DEFAULT);
    if (s == SP_OK)
        s = pfx_qemuimg_parse_info(res.out != NULL ? res.out : "", out, err);
    if (s == SP_OK && cacheable)
        info_remember(&sb, format, prog, out);
    if (s != SP_OK)
        pfx_error_prefix(err, "image %s", path);
    pfx_proc_result_free(&res);
    return s;
}

/* --- map --------------------------------------------------------------------------------- */

#define MAP_EXTENTS_MAX 1000000 /* a map longer than this is not copied by hand */

sp_status pfx_qemuimg_parse_map(const char *json, uint64_t virtual_size, uint64_t file_size,
                                pfx_image_extent **out, size_t *n, int *copyable, sp_error *err)
{
    yajl_val tree = NULL;
    pfx_image_extent *ext = NULL;
    uint64_t end = 0;
    size_t count = 0;
    sp_status s;

    *out = NULL;
    *n = 0;
    *copyable = 1;
    if ((s = pfx_json_parse(json, strlen(json), "qemu-img map", &tree, err)) != SP_OK)
        return s;
    if (!YAJL_IS_ARRAY(tree)) {
        s = pfx_error(err, SP_E_PROTOCOL, "qemu-img map did not print a list");
        goto out;
    }
    if (tree->u.array.len > MAP_EXTENTS_MAX)
        *copyable = 0;
    for (size_t i = 0; i < tree->u.array.len; i++) {
        yajl_val e = tree->u.array.values[i];
        uint64_t start = 0, length = 0, depth = 0, offset = 0;
        int data = 0, has_offset = 0;
        if (!YAJL_IS_OBJECT(e)) {
            s = pfx_error(err, SP_E_PROTOCOL, "qemu-img map: range %zu is not an object", i);
            goto out;
        }
        if ((s = pfx_json_u64(e, "qemu-img map", "start", PFX_JSON_REQUIRED, &start, NULL, err)) != SP_OK ||
            (s = pfx_json_u64(e, "qemu-img map", "length", PFX_JSON_REQUIRED, &length, NULL, err)) != SP_OK ||
            (s = pfx_json_u64(e, "qemu-img map", "depth", PFX_JSON_REQUIRED, &depth, NULL, err)) != SP_OK ||
            (s = pfx_json_bool(e, "qemu-img map", "data", PFX_JSON_REQUIRED, &data, NULL, err)) != SP_OK ||
            (s = pfx_json_u64(e, "qemu-img map", "offset", PFX_JSON_OPTIONAL, &offset, &has_offset, err)) !=
                SP_OK)
            goto out;
        if (start != end || length == 0 || length > virtual_size - start) {
            s = pfx_error(err, SP_E_PROTOCOL,
                          "qemu-img map: range %zu (%" PRIu64 "+%" PRIu64 ") does not follow byte %" PRIu64
                          " inside the image's %" PRIu64 " bytes",
                          i, start, length, end, virtual_size);
            goto out;
        }
        end = start + length;
        if (depth != 0 || (data && (!has_offset || offset > file_size || length > file_size - offset)))
            *copyable = 0;
        if (!data || !*copyable)
            continue;
        if (count % 64 == 0) {
            pfx_image_extent *grown = realloc(ext, (count + 64) * sizeof(*grown));
            if (grown == NULL) {
                s = pfx_error(err, SP_E_NOMEM, "no memory for the map of an image");
                goto out;
            }
            ext = grown;
        }
        ext[count++] = (pfx_image_extent){start, length, offset};
    }
    if (end != virtual_size) {
        s = pfx_error(err, SP_E_PROTOCOL,
                      "qemu-img map ends at byte %" PRIu64 ", not at the image's %" PRIu64, end,
                      virtual_size);
        goto out;
    }
    s = SP_OK;
out:
    yajl_tree_free(tree);
    if (s == SP_OK && *copyable) {
        *out = ext;
        *n = count;
    } else {
        free(ext);
    }
    return s;
}

sp_status pfx_qemuimg_map(const char *path, sp_image_format format, uint64_t virtual_size, uint64_t file_size,
                          pfx_image_extent **out, size_t *n, int *copyable, sp_error *err)
{
    char prog[SP_PATH_MAX];
    const char *f = fmt_name(format);
    const char *argv[] = {prog, "map", "--output=json", "-f", f, "--", path, NULL};
    pfx_proc_opts o = {.timeout_ms = INFO_TIMEOUT_MS,
                       .limits = {.cpu_s = PFX_QEMUIMG_INFO_CPU_S, .as_bytes = PFX_QEMUIMG_INFO_AS_BYTES}};
    pfx_proc_result res;
    sp_status s;

    *out = NULL;
    *n = 0;
    *copyable = 0;
    memset(&res, 0, sizeof(res));
    if (f == NULL)
        return pfx_error(err, SP_E_INVALID, "unknown image format %d", (int)format);
    if ((s = pfx_qemuimg_program(prog, sizeof(prog), err)) != SP_OK)
        return s;
    /* A map too long for the captured output is no error: the image goes through convert. */
    o.stdout_max = (size_t)64 << 20;
    s = pfx_proc_run(argv, &o, &res, err);
    if (s == SP_OK && (!res.exited || res.exit_code != 0))
        s = pfx_proc_failed(argv, &res, err);
    if (s == SP_OK && !res.out_truncated)
        s = pfx_qemuimg_parse_map(res.out != NULL ? res.out : "", virtual_size, file_size, out, n, copyable,
                                  err);
    if (s != SP_OK)
        pfx_error_prefix(err, "image %s", path);
    pfx_proc_result_free(&res);
    return s;
}

/* --- help -------------------------------------------------------------------------------- */

/* What `qemu-img --help` says it has, asked once per program: --target-is-zero (*tiz) and
 * parallel out-of-order writes, -m and -W (*par). */
static sp_status probe(int *tiz, int *par, sp_error *err)
{
    char prog[SP_PATH_MAX];
    const char *argv[] = {prog, "--help", NULL};
    pfx_proc_opts o = {.timeout_ms = HELP_TIMEOUT_MS};
    pfx_proc_result res;
    int cached = 0;
    sp_status s;

    *tiz = *par = 0;
    s = pfx_qemuimg_program(prog, sizeof(prog), err);
    if (s != SP_OK)
        return s;
    pthread_mutex_lock(&lock);
    if (strcmp(tiz_path, prog) == 0) {
        *tiz = tiz_yes;
        *par = par_yes;
        cached = 1;
    }
    pthread_mutex_unlock(&lock);
    if (cached)
        return SP_OK;
    /* Older qemu-img versions exit 1 after --help, so only the text counts. */
    s = pfx_proc_run(argv, &o, &res, err);
    if (s == SP_OK) {
        *tiz = res.out != NULL && strstr(res.out, "--target-is-zero") != NULL;
        *par = res.out != NULL && strstr(res.out, "[-m num_coroutines]") != NULL &&
               strstr(res.out, "[-W]") != NULL;
        pthread_mutex_lock(&lock);
        snprintf(tiz_path, sizeof(tiz_path), "%s", prog);
        tiz_yes = *tiz;
        par_yes = *par;
        pthread_mutex_unlock(&lock);
    }
    pfx_proc_result_free(&res);
    return s;
}

sp_status pfx_qemuimg_has_target_is_zero(int *yes, sp_error *err)
{
    int par;

    return probe(yes, &par, err);
}

/* --- progress ---------------------------------------------------------------------------- */

int pfx_qemuimg_parse_progress(const char *line, double *percent)
{
    char *end;
    double v;

    while (*line == ' ' || *line == '\t')
        line++;
    if (*line != '(')
        return 0;
    v = strtod(line + 1, &end);
    if (end == line + 1 || strncmp(end, "/100%)", 6) != 0 || !(v >= 0.0 && v <= 100.0))
        return 0;
    *percent = v;
    return 1;
}

typedef struct meter {
    const sp_progress *progress;
    const char *phase;
    uint64_t total;
    uint64_t done;
    int64_t last; /* when the host last heard from us, pfx_now_ms() */
} meter;

static int tell(meter *m)
{
    m->last = pfx_now_ms();
    return m->progress->report(m->progress->ctx, m->phase, m->done, m->total) != 0;
}

static int on_line(void *ctx, const char *line, size_t len)
{
    meter *m = ctx;
    double pct;
    uint64_t done;

    (void)len;
    if (!pfx_qemuimg_parse_progress(line, &pct))
        return 0;
    done = (uint64_t)((long double)m->total * pct / 100.0L);
    if (done > m->total)
        done = m->total;
    if (done == m->done && pfx_now_ms() - m->last < REREPORT_MS)
        return 0;
    m->done = done;
    return tell(m);
}

static int on_poll(void *ctx)
{
    meter *m = ctx;

    return pfx_now_ms() - m->last >= REREPORT_MS && tell(m);
}

sp_status pfx_qemuimg_run(const char *const *argv, const sp_progress *progress, const char *phase,
                          uint64_t total, unsigned timeout_s, int max_ok, int *exit_code, sp_error *err)
{
    meter m = {.progress = progress, .phase = phase, .total = total != 0 ? total : 10000};
    pfx_proc_opts o = {.timeout_ms = timeout_s * 1000u};
    pfx_proc_result res;
    sp_status s;

    m.last = pfx_now_ms();
    if (progress != NULL && progress->report != NULL) {
        o.on_line = on_line;
        o.line_ctx = &m;
        o.cancel = on_poll;
        o.cancel_ctx = &m;
    }
    s = pfx_proc_run(argv, &o, &res, err);
    *exit_code = res.exited ? res.exit_code : -1;
    if (s == SP_OK && (!res.exited || res.exit_code > max_ok))
        s = pfx_proc_failed(argv, &res, err);
    if (s == SP_OK && o.on_line != NULL && *exit_code == 0 && m.done != m.total) {
        m.done = m.total;
        if (tell(&m))
            s = pfx_error(err, SP_E_CANCELLED, "qemu-img %s was cancelled at its end", argv[1]);
    }
    pfx_proc_result_free(&res);
    return s;
}

int pfx_qemuimg_is_block_device(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 && S_ISBLK(sb.st_mode);
}

/* --- convert ----------------------------------------------------------------------------- */

sp_status pfx_qemuimg_convert(const pfx_qemuimg_convert_opts *o, sp_error *err)
{
    char prog[SP_PATH_MAX];
    const char *argv[24], *sf = fmt_name(o->src_format), *df = fmt_name(o->dst_format);
    size_t n = 0;
    int tiz = 0, par = 0, code;
    sp_status s;

    if (o->src == NULL || o->dst == NULL || sf == NULL || df == NULL)
        return pfx_error(err, SP_E_INVALID, "a conversion needs a source, a target and their formats");
    if (o->target_is_zero && !o->dst_exists)
        return pfx_error(err, SP_E_INVALID, "converting %s: a target known to be zero must exist already",
                         o->src);
    s = pfx_qemuimg_program(prog, sizeof(prog), err);
    if (s != SP_OK)
        return s;
    if (o->target_is_zero || o->dst_format == SP_FORMAT_RAW) {
        sp_error e;
        if (probe(&tiz, &par, &e) != SP_OK) {
            pfx_log(SP_LOG_WARN,
                    "cannot tell what this qemu-img offers (%s); zeros will be written, in order", e.message);
            tiz = par = 0;
        }
        tiz = tiz && o->target_is_zero;
    }
    argv[n++] = prog;
    argv[n++] = "convert";
    argv[n++] = "-p";
    if (o->dst_exists)
        argv[n++] = "-n";
    if (tiz)
        argv[n++] = "--target-is-zero";
    argv[n++] = "-f";
    argv[n++] = sf;
    argv[n++] = "-O";
    argv[n++] = df;
    if (pfx_qemuimg_is_block_device(o->src)) {
        argv[n++] = "-T";
        argv[n++] = "none";
    }
    if (pfx_qemuimg_is_block_device(o->dst)) {
        argv[n++] = "-t";
        argv[n++] = "none";
    }
    /* A RAW target is written with 16 requests in flight (qemu-img's default is 8), in any
     * order: nothing reads it before the copy is complete, and a copy cut short is discarded
     * whatever order it was written in. QCOW2 targets keep their clusters in order. */
    if (o->dst_format == SP_FORMAT_RAW && par) {
        argv[n++] = "-m";
        argv[n++] = "16";
        argv[n++] = "-W";
    }
    argv[n++] = "--";
    argv[n++] = o->src;
    argv[n++] = o->dst;
    argv[n] = NULL;
    s = pfx_qemuimg_run(argv, o->progress, o->phase != NULL ? o->phase : "copy", o->progress_total,
                        o->timeout_s, 0, &code, err);
    if (s != SP_OK && s != SP_E_CANCELLED)
        pfx_error_prefix(err, "converting %s to %s", o->src, o->dst);
    return s;
}

/* --- compare ----------------------------------------------------------------------------- */

sp_status pfx_qemuimg_compare(const char *a, sp_image_format a_format, const char *b,
                              sp_image_format b_format, int strict, const sp_progress *progress,
                              int *identical, sp_error *err)
{
    char prog[SP_PATH_MAX];
    const char *argv[16], *af = fmt_name(a_format), *bf = fmt_name(b_format);
    size_t n = 0;
    int code = -1;
    sp_status s;

    *identical = 0;
    if (a == NULL || b == NULL || af == NULL || bf == NULL)
        return pfx_error(err, SP_E_INVALID, "a comparison needs two images and their formats");
    s = pfx_qemuimg_program(prog, sizeof(prog), err);
    if (s != SP_OK)
        return s;
    argv[n++] = prog;
    argv[n++] = "compare";
    argv[n++] = "-p";
    if (strict)
        argv[n++] = "-s";
    argv[n++] = "-f";
    argv[n++] = af;
    argv[n++] = "-F";
    argv[n++] = bf;
    if (pfx_qemuimg_is_block_device(a) || pfx_qemuimg_is_block_device(b)) {
        argv[n++] = "-T";
        argv[n++] = "none";
    }
    argv[n++] = "--";
    argv[n++] = a;
    argv[n++] = b;
    argv[n] = NULL;
    s = pfx_qemuimg_run(argv, progress, "compare", 0, 0, 1, &code, err);
    if (s != SP_OK) {
        if (s != SP_E_CANCELLED)
            pfx_error_prefix(err, "comparing %s with %s", a, b);
        return s;
    }
    *identical = code == 0;
    return SP_OK;
}
