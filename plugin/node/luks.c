/* luks.c - formatting, growing, filling and comparing encrypted disks with qemu-img (luks.h).
 *
 * Two choices differ from CloudStack's agent, both said in the README:
 *   - QCOW2 is made without preallocation=metadata: with it every cluster reads as allocated, so a
 *     copy or a comparison decrypts (and a copy rewrites) the whole volume where the guest never
 *     wrote; without it unwritten clusters read as zeros and are skipped.
 *   - A thick volume's LUKS is made by qemu-img's luks driver rather than cryptsetup luksFormat
 *     (qemu-img writes LUKS1, which qemu and cryptsetup both open), so hosts need no cryptsetup;
 *     and the key slot's iteration time is short (PFX_LUKS_ITER_MS): the passphrases are random
 *     384-bit strings, which key stretching cannot make stronger, while every open pays for it. */
#include "config.h"

#include "luks.h"

#include "error.h"
#include "hostsvc.h"
#include "proc.h"
#include "qemuimg.h"
#include "sdc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define PFX_LUKS_ITER_MS "100"
#define SECRET_ID "sec0"

uint64_t pfx_luks_usable(uint64_t raw)
{
    uint64_t reserve = 128 * MIB + (raw / GIB) * UINT64_C(200704);

    return raw > reserve ? raw - reserve : 0;
}

/* ---- key files ----------------------------------------------------------------------------- */

sp_status pfx_luks_key_open(const char *parent_dir, const pfx_secret *passphrase, pfx_luks_key *k,
                            sp_error *err)
{
    const char *v = pfx_secret_value(passphrase);
    size_t len = pfx_secret_len(passphrase), off = 0;
    int fd;

    memset(k, 0, sizeof(*k));
    if (len == 0)
        return pfx_error(err, SP_E_INVALID, "an encrypted volume needs a passphrase");
    if (parent_dir == NULL || parent_dir[0] != '/')
        return pfx_error(err, SP_E_INVALID, "key files need an absolute directory");
    if (mkdir(parent_dir, 0700) != 0 && errno != EEXIST)
        return pfx_error(err, SP_E_IO, "cannot create %s: %s", parent_dir, strerror(errno));
    if (snprintf(k->dir, sizeof(k->dir), "%s/pfx-key.XXXXXX", parent_dir) >= (int)sizeof(k->dir) ||
        mkdtemp(k->dir) == NULL) {
        k->dir[0] = '\0';
        return pfx_error(err, SP_E_IO, "cannot make a private directory in %s: %s", parent_dir,
                         strerror(errno));
    }
    if (snprintf(k->file, sizeof(k->file), "%s/key", k->dir) >= (int)sizeof(k->file)) {
        k->file[0] = '\0';
        pfx_luks_key_close(k);
        return pfx_error(err, SP_E_INVALID, "key directory under %s: path too long", parent_dir);
    }
    fd = open(k->file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        sp_status st = pfx_error(err, SP_E_IO, "cannot create key file %s: %s", k->file, strerror(errno));
        pfx_luks_key_close(k);
        return st;
    }
    while (off < len) {
        ssize_t n = write(fd, v + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            sp_status st = pfx_error(err, SP_E_IO, "writing key file %s: %s", k->file, strerror(errno));
            close(fd);
            pfx_luks_key_close(k);
            return st;
        }
        off += (size_t)n;
    }
    close(fd);
    k->len = len;
    return SP_OK;
}

void pfx_luks_key_close(pfx_luks_key *k)
{
    if (k->dir[0] == '\0')
        return;
    if (k->file[0] != '\0') {
        int fd = open(k->file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            static const char zeros[256];
            for (size_t left = k->len; left > 0;) {
                ssize_t n = write(fd, zeros, left < sizeof(zeros) ? left : sizeof(zeros));
                if (n <= 0)
                    break;
                left -= (size_t)n;
            }
            fdatasync(fd);
            close(fd);
        }
        unlink(k->file);
    }
    rmdir(k->dir);
    memset(k, 0, sizeof(*k));
}

/* --secret object and option strings ----------------------------------------------------- */

/* Copies s into buf at *o doubling commas (qemu's option syntax). 0 when it does not fit. */
static int put_escaped(char *buf, size_t len, size_t *o, const char *s)
{
    for (; *s != '\0'; s++) {
        size_t need = *s == ',' ? 2 : 1;
        if (*o + need >= len)
            return 0;
        buf[(*o)++] = *s;
        if (*s == ',')
            buf[(*o)++] = ',';
    }
    buf[*o] = '\0';
    return 1;
}

static sp_status with_path(const char *prefix, const char *path, char *buf, size_t len, sp_error *err)
{
    size_t o = (size_t)snprintf(buf, len, "%s", prefix);

    if (o >= len || !put_escaped(buf, len, &o, path))
        return pfx_error(err, SP_E_INVALID, "path %.200s is too long for qemu's options", path);
    return SP_OK;
}

static sp_status secret_object(const pfx_luks_key *k, char *buf, size_t len, sp_error *err)
{
    return with_path("secret,id=" SECRET_ID ",format=raw,file=", k->file, buf, len, err);
}

sp_status pfx_luks_image_opts(const char *device, pfx_luks_kind kind, char *buf, size_t len, sp_error *err)
{
    if (kind == PFX_LUKS_QCOW2)
        return with_path("driver=qcow2,encrypt.key-secret=" SECRET_ID ",file.filename=", device, buf, len,
                         err);
    if (kind == PFX_LUKS_RAW)
        return with_path("driver=luks,key-secret=" SECRET_ID ",file.filename=", device, buf, len, err);
    return pfx_error(err, SP_E_INVALID, "%s is not an encrypted disk", device);
}

/* ---- probe --------------------------------------------------------------------------------- */

sp_status pfx_luks_probe(const char *device, pfx_luks_kind *kind, sp_error *err)
{
    unsigned char h[64];
    ssize_t n;
    int fd = open(device, O_RDONLY | O_CLOEXEC);

    *kind = PFX_LUKS_NONE;
    if (fd < 0)
        return pfx_error(err, errno == ENOENT ? SP_E_NOT_FOUND : SP_E_IO, "cannot open %s: %s", device,
                         strerror(errno));
    n = pread(fd, h, sizeof(h), 0);
    close(fd);
    if (n < 0)
        return pfx_error(err, SP_E_IO, "reading %s: %s", device, strerror(errno));
    if (n >= 36 && memcmp(h, "QFI\xfb", 4) == 0) {
        /* crypt_method, big endian at byte 32: 2 is LUKS (1 the old AES, refused here). */
        uint32_t method = (uint32_t)h[32] << 24 | (uint32_t)h[33] << 16 | (uint32_t)h[34] << 8 | h[35];
        if (method == 2)
            *kind = PFX_LUKS_QCOW2;
    } else if (n >= 6 && memcmp(h, "LUKS\xba\xbe", 6) == 0) {
        *kind = PFX_LUKS_RAW;
    }
    return SP_OK;
}

/* ---- qemu-img ------------------------------------------------------------------------------ */

static sp_status run(const char *const *argv, const char *what, const char *device, sp_error *err)
{
    int code;
    sp_status st = pfx_qemuimg_run(argv, NULL, what, 0, 0, 0, &code, err);

    if (st != SP_OK)
        pfx_error_prefix(err, "%s %s", what, device);
    return st;
}

/* The device's size (a block device's or a file's), 1 when it could be read. */
static int device_size_ok(const char *device, uint64_t *size)
{
    return pfx_device_size(device, size, NULL) == SP_OK;
}

/* Writes bytes [0, len) of the file `from` at the start of `to` (holes as zeros) and flushes. */
static sp_status copy_head(const char *from, const char *to, uint64_t len, sp_error *err)
{
    static __thread char buf[1 << 16];
    int in = open(from, O_RDONLY | O_CLOEXEC), out = open(to, O_WRONLY | O_CLOEXEC);
    sp_status st = SP_OK;

    if (in < 0 || out < 0) {
        st = pfx_error(err, SP_E_IO, "cannot open %s: %s", in < 0 ? from : to, strerror(errno));
        goto out;
    }
    for (uint64_t off = 0; off < len;) {
        size_t n = len - off < sizeof(buf) ? (size_t)(len - off) : sizeof(buf);
        ssize_t got = pread(in, buf, n, (off_t)off);
        if (got < 0) {
            st = pfx_error(err, SP_E_IO, "reading %s: %s", from, strerror(errno));
            goto out;
        }
        if ((size_t)got < n)
            memset(buf + got, 0, n - (size_t)got); /* past its end: zeros */
        if (pwrite(out, buf, n, (off_t)off) != (ssize_t)n) {
            st = pfx_error(err, SP_E_IO, "writing %s: %s", to, strerror(errno));
            goto out;
        }
        off += n;
    }
    if (fdatasync(out) != 0)
        st = pfx_error(err, SP_E_IO, "flushing %s: %s", to, strerror(errno));
out:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return st;
}

/* How much of a freshly made image must go onto the device: a QCOW2 file whole (its metadata,
 * holes included: they are zeros its tables mean); of a LUKS file its header, which ends where its
 * last data ends (the payload is never written when it is made). */
static sp_status head_length(const char *path, pfx_luks_kind kind, uint64_t *len, sp_error *err)
{
    struct stat sb;
    off_t hole = 0;
    int fd;

    if (stat(path, &sb) != 0)
        return pfx_error(err, SP_E_IO, "cannot read %s: %s", path, strerror(errno));
    *len = (uint64_t)sb.st_size;
    if (kind == PFX_LUKS_QCOW2)
        return SP_OK;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return pfx_error(err, SP_E_IO, "cannot open %s: %s", path, strerror(errno));
    *len = 0;
    for (off_t data = lseek(fd, 0, SEEK_DATA); data >= 0; data = lseek(fd, hole, SEEK_DATA)) {
        if ((hole = lseek(fd, data, SEEK_HOLE)) < 0)
            break;
        *len = (uint64_t)hole;
    }
    close(fd);
    if (*len == 0)
        return pfx_error(err, SP_E_PROTOCOL, "%s holds no LUKS header", path);
    return SP_OK;
}

sp_status pfx_luks_format(const char *device, pfx_luks_kind kind, uint64_t usable, const pfx_luks_key *k,
                          sp_error *err)
{
    char prog[SP_PATH_MAX], obj[SP_PATH_MAX + 64], size[32], tmp[SP_PATH_MAX];
    uint64_t head = 0, room = 0;
    const char *argv[12];
    size_t n = 0;
    sp_status st;

    if (kind != PFX_LUKS_QCOW2 && kind != PFX_LUKS_RAW)
        return pfx_error(err, SP_E_INVALID, "formatting %s: no encrypted format given", device);
    if (usable == 0)
        return pfx_error(err, SP_E_INVALID,
                         "formatting %s: the volume is too small to hold an encrypted disk", device);
    if ((st = pfx_qemuimg_program(prog, sizeof(prog), err)) != SP_OK ||
        (st = secret_object(k, obj, sizeof(obj), err)) != SP_OK)
        return st;
    if (snprintf(tmp, sizeof(tmp), "%s/image", k->dir) >= (int)sizeof(tmp))
        return pfx_error(err, SP_E_INVALID, "formatting %s: key directory path too long", device);
    snprintf(size, sizeof(size), "%" PRIu64, usable);
    /* The image is made in the private directory and only then written onto the device: qemu-img
     * create deletes its target when it fails (which for a device's /dev/disk/by-id link, or the
     * simulator's, removes the link) and cuts a regular file to the image's size. */
    argv[n++] = prog;
    argv[n++] = "create";
    argv[n++] = "-q";
    argv[n++] = "-f";
    argv[n++] = kind == PFX_LUKS_QCOW2 ? "qcow2" : "luks";
    argv[n++] = "--object";
    argv[n++] = obj;
    argv[n++] = "-o";
    argv[n++] = kind == PFX_LUKS_QCOW2 ? "encrypt.format=luks,encrypt.key-secret=" SECRET_ID
                                         ",encrypt.iter-time=" PFX_LUKS_ITER_MS
                                       : "key-secret=" SECRET_ID ",iter-time=" PFX_LUKS_ITER_MS;
    argv[n++] = tmp;
    argv[n++] = size;
    argv[n] = NULL;
    /* qemu-img times its key derivation to choose the iterations, and refuses when a round took no
     * measurable CPU time ("Unable to get accurate CPU usage"): it happens on a busy host, several
     * times in a row there, and passes when run again a little later (0.1 s, 0.2 s, ... 0.9 s). */
    for (int tries = 0;; tries++) {
        st = run(argv, "formatting", device, err);
        if (st == SP_OK || tries == 9 || err == NULL || strstr(err->message, "accurate CPU usage") == NULL)
            break;
        pfx_log(SP_LOG_INFO, "formatting %s: qemu-img could not time its key derivation; trying again",
                device);
        usleep((useconds_t)(tries + 1) * 100000);
    }
    if (st == SP_OK)
        st = head_length(tmp, kind, &head, err);
    if (st == SP_OK && device_size_ok(device, &room) && head > room)
        st = pfx_error(err, SP_E_NO_SPACE,
                       "formatting %s: its %" PRIu64 " bytes cannot hold the %" PRIu64 "-byte headers",
                       device, room, head);
    if (st == SP_OK)
        st = copy_head(tmp, device, head, err);
    unlink(tmp);
    return st;
}

sp_status pfx_luks_size(const char *device, pfx_luks_kind kind, const pfx_luks_key *k, uint64_t *size,
                        sp_error *err)
{
    char prog[SP_PATH_MAX], obj[SP_PATH_MAX + 64], opts[SP_PATH_MAX + 96];
    const char *argv[] = {prog, "info", "--output=json", "--object", obj, "--image-opts", opts, NULL};
    pfx_proc_opts po = {.timeout_ms = 60000};
    pfx_proc_result res;
    pfx_image_facts f;
    sp_status st;

    *size = 0;
    if ((st = pfx_qemuimg_program(prog, sizeof(prog), err)) != SP_OK ||
        (st = secret_object(k, obj, sizeof(obj), err)) != SP_OK ||
        (st = pfx_luks_image_opts(device, kind, opts, sizeof(opts), err)) != SP_OK)
        return st;
    st = pfx_proc_run_ok(argv, &po, &res, err);
    if (st == SP_OK)
        st = pfx_qemuimg_parse_info(res.out != NULL ? res.out : "", &f, err);
    if (st == SP_OK)
        *size = f.virtual_size;
    else
        pfx_error_prefix(err, "reading the encrypted disk on %s", device);
    pfx_proc_result_free(&res);
    return st;
}

sp_status pfx_luks_grow(const char *device, pfx_luks_kind kind, uint64_t usable, const pfx_luks_key *k,
                        sp_error *err)
{
    char prog[SP_PATH_MAX], obj[SP_PATH_MAX + 64], opts[SP_PATH_MAX + 96], size[32];
    const char *argv[] = {prog, "resize", "-q", "--object", obj, "--image-opts", opts, size, NULL};
    uint64_t now = 0;
    sp_status st;

    if (kind == PFX_LUKS_RAW)
        return SP_OK;
    if ((st = pfx_luks_size(device, kind, k, &now, err)) != SP_OK)
        return st;
    if (usable <= now)
        return SP_OK;
    if ((st = pfx_qemuimg_program(prog, sizeof(prog), err)) != SP_OK ||
        (st = secret_object(k, obj, sizeof(obj), err)) != SP_OK ||
        (st = pfx_luks_image_opts(device, kind, opts, sizeof(opts), err)) != SP_OK)
        return st;
    snprintf(size, sizeof(size), "%" PRIu64, usable);
    return run(argv, "growing", device, err);
}

static const char *format_name(sp_image_format f)
{
    switch (f) {
    case SP_FORMAT_RAW: return "raw";
    case SP_FORMAT_QCOW2: return "qcow2";
    default: return NULL;
    }
}

sp_status pfx_luks_convert(const char *src, sp_image_format src_format, pfx_luks_kind src_kind,
                           const char *dst, pfx_luks_kind dst_kind, const pfx_luks_key *k,
                           uint64_t progress_total, const sp_progress *progress, sp_error *err)
{
    char prog[SP_PATH_MAX], obj[SP_PATH_MAX + 64], sopts[SP_PATH_MAX + 96], dopts[SP_PATH_MAX + 96];
    const char *argv[20];
    size_t n = 0;
    int code;
    sp_status st;

    if ((st = pfx_qemuimg_program(prog, sizeof(prog), err)) != SP_OK ||
        (st = secret_object(k, obj, sizeof(obj), err)) != SP_OK ||
        (st = pfx_luks_image_opts(dst, dst_kind, dopts, sizeof(dopts), err)) != SP_OK ||
        (src_kind != PFX_LUKS_NONE &&
         (st = pfx_luks_image_opts(src, src_kind, sopts, sizeof(sopts), err)) != SP_OK))
        return st;
    argv[n++] = prog;
    argv[n++] = "convert";
    argv[n++] = "-p";
    argv[n++] = "-n";
    argv[n++] = "--object";
    argv[n++] = obj;
    if (src_kind == PFX_LUKS_NONE) {
        /* An image from secondary storage: its format is given, never probed. */
        if (format_name(src_format) == NULL)
            return pfx_error(err, SP_E_INVALID, "%s: only RAW and QCOW2 images go onto a volume", src);
        argv[n++] = "-f";
        argv[n++] = format_name(src_format);
    } else {
        argv[n++] = "--image-opts";
    }
    if (pfx_qemuimg_is_block_device(src)) {
        argv[n++] = "-T";
        argv[n++] = "none";
    }
    if (pfx_qemuimg_is_block_device(dst)) {
        argv[n++] = "-t";
        argv[n++] = "none";
    }
    argv[n++] = "--target-image-opts";
    argv[n++] = src_kind == PFX_LUKS_NONE ? src : sopts;
    argv[n++] = dopts;
    argv[n] = NULL;
    st = pfx_qemuimg_run(argv, progress, "copy", progress_total, 0, 0, &code, err);
    if (st != SP_OK && st != SP_E_CANCELLED)
        pfx_error_prefix(err, "writing %s into the encrypted disk on %s", src, dst);
    return st;
}

sp_status pfx_luks_compare(const char *a, pfx_luks_kind a_kind, const char *b, pfx_luks_kind b_kind,
                           const pfx_luks_key *k, const sp_progress *progress, int *identical, sp_error *err)
{
    char prog[SP_PATH_MAX], obj[SP_PATH_MAX + 64], aopts[SP_PATH_MAX + 96], bopts[SP_PATH_MAX + 96];
    const char *argv[] = {prog, "compare", "-p", "--object", obj, "--image-opts", aopts, bopts, NULL};
    int code = -1;
    sp_status st;

    *identical = 0;
    if ((st = pfx_qemuimg_program(prog, sizeof(prog), err)) != SP_OK ||
        (st = secret_object(k, obj, sizeof(obj), err)) != SP_OK ||
        (st = pfx_luks_image_opts(a, a_kind, aopts, sizeof(aopts), err)) != SP_OK ||
        (st = pfx_luks_image_opts(b, b_kind, bopts, sizeof(bopts), err)) != SP_OK)
        return st;
    st = pfx_qemuimg_run(argv, progress, "verify", 0, 0, 1, &code, err);
    if (st != SP_OK) {
        if (st != SP_E_CANCELLED)
            pfx_error_prefix(err, "comparing the encrypted disks on %s and %s", a, b);
        return st;
    }
    *identical = code == 0;
    return SP_OK;
}
