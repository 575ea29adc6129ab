/* test_qemuimg.c - qemu-img for real: info on QCOW2 and RAW images made here, conversions whose
 * bytes are read back, sparse targets, progress and cancel, compare, and the argv it is given. */
#include "config.h"

#include "hs_util.h"

#include "qemuimg.h"

#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB (UINT64_C(1) << 20)

static char *dir;
static char qcow[600]; /* 64 MiB QCOW2: 0xab at 0..1 MiB, 0xcd at 32..33 MiB */

static int run2(const char *const *argv)
{
    char *out = hs_run(argv);
    int ok = out != NULL;

    free(out);
    return ok ? 0 : -1;
}

static int make_images(void)
{
    const char *create[] = {hs_qemu_img(), "create", "-q", "-f", "qcow2", qcow, "64M", NULL};
    const char *write[] = {hs_qemu_io(),           "-f", "qcow2", "-c", "write -P 0xab 0 1M", "-c",
                           "write -P 0xcd 32M 1M", qcow, NULL};

    snprintf(qcow, sizeof(qcow), "%s/a b;$(x).qcow2", dir); /* a name no shell would survive */
    return run2(create) == 0 && run2(write) == 0 ? 0 : -1;
}

/* Checks that path holds the test pattern in its first 64 MiB. */
static int pattern_ok(const char *path, size_t expect_len)
{
    size_t len;
    unsigned char *b = (unsigned char *)hs_read(path, &len);
    int ok = b != NULL && len == expect_len;

    for (size_t i = 0; ok && i < 64 * MIB; i++) {
        unsigned char want = i < MIB ? 0xab : (i >= 32 * MIB && i < 33 * MIB) ? 0xcd : 0;
        if (b[i] != want) {
            fprintf(stderr, "%s: byte %zu is %#x, not %#x\n", path, i, b[i], want);
            ok = 0;
        }
    }
    free(b);
    return ok;
}

static uint64_t allocated(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 ? (uint64_t)sb.st_blocks * 512 : UINT64_MAX;
}

static void test_info(void)
{
    pfx_image_facts info;
    sp_error err;
    const char *raw = hs_path(dir, "plain.raw");
    const char *child = hs_path(dir, "child.qcow2");
    const char *mkchild[] = {hs_qemu_img(), "create", "-q",    "-f",  "qcow2", "-b",
                             qcow,          "-F",     "qcow2", child, NULL};

    CU_ASSERT_EQUAL(pfx_qemuimg_info(qcow, SP_FORMAT_QCOW2, &info, &err), SP_OK);
    CU_ASSERT_EQUAL(info.virtual_size, 64 * MIB);
    CU_ASSERT_STRING_EQUAL(info.format, "qcow2");
    CU_ASSERT_TRUE(info.actual_size > 2 * MIB && info.actual_size < 8 * MIB);
    CU_ASSERT_STRING_EQUAL(info.backing_file, "");

    hs_sparse(raw, 3 * MIB + 512);
    CU_ASSERT_EQUAL(pfx_qemuimg_info(raw, SP_FORMAT_RAW, &info, &err), SP_OK);
    CU_ASSERT_EQUAL(info.virtual_size, 3 * MIB + 512);
    CU_ASSERT_STRING_EQUAL(info.format, "raw");
    /* told RAW, a QCOW2 file is read as the raw bytes it is, not followed */
    CU_ASSERT_EQUAL(pfx_qemuimg_info(qcow, SP_FORMAT_RAW, &info, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(info.format, "raw");
    CU_ASSERT_TRUE(info.virtual_size < 64 * MIB);

    CU_ASSERT_EQUAL_FATAL(run2(mkchild), 0);
    CU_ASSERT_EQUAL(pfx_qemuimg_info(child, SP_FORMAT_QCOW2, &info, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(info.backing_file, qcow);
    CU_ASSERT_STRING_EQUAL(info.data_file, "");
    CU_ASSERT_EQUAL(info.encrypted, 0);

    CU_ASSERT_EQUAL(pfx_qemuimg_info(hs_path(dir, "missing.qcow2"), SP_FORMAT_QCOW2, &info, &err), SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "missing.qcow2: qemu-img info exited with status 1: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "No such file"));
}

static void test_parse_info(void)
{
    pfx_image_facts info;
    sp_error err;

    CU_ASSERT_EQUAL(
        pfx_qemuimg_parse_info("{\"virtual-size\": 8589934592, \"format\": \"raw\"}", &info, &err), SP_OK);
    CU_ASSERT_EQUAL(info.virtual_size, UINT64_C(8589934592));
    CU_ASSERT_EQUAL(info.actual_size, 0);
    CU_ASSERT_EQUAL(pfx_qemuimg_parse_info("", &info, &err), SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_qemuimg_parse_info("{\"virtual-size\": 1", &info, &err), SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_qemuimg_parse_info("[1]", &info, &err), SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_qemuimg_parse_info("{\"format\": \"raw\"}", &info, &err), SP_E_PROTOCOL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "virtual-size"));
    CU_ASSERT_EQUAL(pfx_qemuimg_parse_info("{\"virtual-size\": -5, \"format\": \"raw\"}", &info, &err),
                    SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_qemuimg_parse_info("{\"virtual-size\": \"x\", \"format\": \"raw\"}", &info, &err),
                    SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_qemuimg_parse_info("{\"virtual-size\": 5, \"format\": 7}", &info, &err),
                    SP_E_PROTOCOL);
}

static void test_parse_progress(void)
{
    double p = -1;

    CU_ASSERT_TRUE(pfx_qemuimg_parse_progress("    (12.34/100%)", &p));
    CU_ASSERT_DOUBLE_EQUAL(p, 12.34, 1e-9);
    CU_ASSERT_TRUE(pfx_qemuimg_parse_progress("(100.00/100%)", &p));
    CU_ASSERT_DOUBLE_EQUAL(p, 100.0, 1e-9);
    CU_ASSERT_FALSE(pfx_qemuimg_parse_progress("    (12.34/100)", &p));
    CU_ASSERT_FALSE(pfx_qemuimg_parse_progress("(150.00/100%)", &p));
    CU_ASSERT_FALSE(pfx_qemuimg_parse_progress("(/100%)", &p));
    CU_ASSERT_FALSE(pfx_qemuimg_parse_progress("Images are identical.", &p));
}

typedef struct seen {
    int calls;
    uint64_t last, total;
    int ordered, cancel_at;
    char phase[16];
} seen;

static int on_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    seen *s = ctx;

    snprintf(s->phase, sizeof(s->phase), "%s", phase);
    if (done < s->last || done > total)
        s->ordered = 0;
    s->last = done;
    s->total = total;
    s->calls++;
    return s->cancel_at != 0 && s->calls >= s->cancel_at;
}

static void test_convert_to_new_file(void)
{
    const char *out = strdup(hs_path(dir, "out.raw"));
    seen s = {.ordered = 1};
    sp_progress p = {on_progress, &s};
    pfx_qemuimg_convert_opts o = {.src = qcow,
                                  .src_format = SP_FORMAT_QCOW2,
                                  .dst = out,
                                  .dst_format = SP_FORMAT_RAW,
                                  .progress = &p,
                                  .progress_total = 64 * MIB};
    sp_error err;

    CU_ASSERT_EQUAL(pfx_qemuimg_convert(&o, &err), SP_OK);
    CU_ASSERT_TRUE(pattern_ok(out, 64 * MIB));
    CU_ASSERT_TRUE(allocated(out) <= 4 * MIB); /* the 62 MiB of zeros were not written */
    CU_ASSERT_TRUE(s.calls >= 2);
    CU_ASSERT_TRUE(s.ordered);
    CU_ASSERT_EQUAL(s.last, 64 * MIB);
    CU_ASSERT_EQUAL(s.total, 64 * MIB);
    CU_ASSERT_STRING_EQUAL(s.phase, "copy");

    /* and back to QCOW2, as a template is made from a volume */
    o = (pfx_qemuimg_convert_opts){.src = out,
                                   .src_format = SP_FORMAT_RAW,
                                   .dst = hs_path(dir, "back.qcow2"),
                                   .dst_format = SP_FORMAT_QCOW2};
    CU_ASSERT_EQUAL(pfx_qemuimg_convert(&o, &err), SP_OK);
    {
        int same = 0;
        CU_ASSERT_EQUAL(pfx_qemuimg_compare(qcow, SP_FORMAT_QCOW2, hs_path(dir, "back.qcow2"),
                                            SP_FORMAT_QCOW2, 0, NULL, &same, &err),
                        SP_OK);
        CU_ASSERT_TRUE(same);
    }
    free((char *)out);
}

static void test_convert_onto_device(void)
{
    const char *dev = strdup(hs_path(dir, "dev-garbage"));
    const char *fresh = strdup(hs_path(dir, "dev-fresh"));
    pfx_qemuimg_convert_opts o = {
        .src = qcow, .src_format = SP_FORMAT_QCOW2, .dst = dev, .dst_format = SP_FORMAT_RAW, .dst_exists = 1};
    sp_error err;
    size_t len;
    unsigned char *b;

    /* An existing target full of old data, larger than the image: zeros are written over the old
     * data, and what lies past the image stays as it was. */
    CU_ASSERT_EQUAL_FATAL(hs_fill(dev, 0, 80 * MIB, 0xee), 0);
    CU_ASSERT_EQUAL(pfx_qemuimg_convert(&o, &err), SP_OK);
    CU_ASSERT_TRUE(pattern_ok(dev, 80 * MIB));
    b = (unsigned char *)hs_read(dev, &len);
    CU_ASSERT_TRUE(b != NULL && b[64 * MIB] == 0xee && b[80 * MIB - 1] == 0xee);
    free(b);

    /* A fresh (zero) target: zero areas are skipped, so it stays sparse. */
    CU_ASSERT_EQUAL_FATAL(hs_sparse(fresh, 80 * MIB), 0);
    o.dst = fresh;
    o.target_is_zero = 1;
    CU_ASSERT_EQUAL(pfx_qemuimg_convert(&o, &err), SP_OK);
    CU_ASSERT_TRUE(pattern_ok(fresh, 80 * MIB));
    CU_ASSERT_TRUE(allocated(fresh) <= 4 * MIB);

    /* too small a target */
    CU_ASSERT_EQUAL(hs_sparse(fresh, 10 * MIB), 0);
    CU_ASSERT_EQUAL(pfx_qemuimg_convert(&o, &err), SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "smaller than input"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "converting "));

    o.dst_exists = 0;
    CU_ASSERT_EQUAL(pfx_qemuimg_convert(&o, &err), SP_E_INVALID);
    free((char *)dev);
    free((char *)fresh);
}

static void test_convert_cancel(void)
{
    seen s = {.ordered = 1, .cancel_at = 1};
    sp_progress p = {on_progress, &s};
    pfx_qemuimg_convert_opts o = {.src = qcow,
                                  .src_format = SP_FORMAT_QCOW2,
                                  .dst = hs_path(dir, "cancelled.raw"),
                                  .dst_format = SP_FORMAT_RAW,
                                  .progress = &p};
    sp_error err;

    CU_ASSERT_EQUAL(pfx_qemuimg_convert(&o, &err), SP_E_CANCELLED);
    CU_ASSERT_EQUAL(s.calls, 1);
    CU_ASSERT_EQUAL(s.total, 10000); /* no total given: basis points */
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "qemu-img convert was cancelled"));
}

static void test_compare(void)
{
    const char *raw = strdup(hs_path(dir, "cmp.raw"));
    pfx_qemuimg_convert_opts o = {
        .src = qcow, .src_format = SP_FORMAT_QCOW2, .dst = raw, .dst_format = SP_FORMAT_RAW};
    const char *poke[] = {hs_qemu_io(), "-f", "raw", "-c", "write -P 0x01 40M 512", raw, NULL};
    int same = -1;
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(pfx_qemuimg_convert(&o, &err), SP_OK);
    CU_ASSERT_EQUAL(pfx_qemuimg_compare(raw, SP_FORMAT_RAW, qcow, SP_FORMAT_QCOW2, 0, NULL, &same, &err),
                    SP_OK);
    CU_ASSERT_EQUAL(same, 1);
    CU_ASSERT_EQUAL(run2(poke), 0);
    CU_ASSERT_EQUAL(pfx_qemuimg_compare(raw, SP_FORMAT_RAW, qcow, SP_FORMAT_QCOW2, 0, NULL, &same, &err),
                    SP_OK);
    CU_ASSERT_EQUAL(same, 0);
    CU_ASSERT_EQUAL(pfx_qemuimg_compare(raw, SP_FORMAT_RAW, hs_path(dir, "none.raw"), SP_FORMAT_RAW, 0, NULL,
                                        &same, &err),
                    SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "comparing "));
    free((char *)raw);
}

/* A stand-in qemu-img that records its arguments and has no --target-is-zero. */
static void test_argv_and_old_qemu(void)
{
    const char *fake = strdup(hs_path(dir, "old-qemu-img"));
    const char *log = strdup(hs_path(dir, "old-qemu-img.log"));
    char script[1400];
    int yes = -1;
    sp_error err;
    char *calls;
    pfx_qemuimg_convert_opts o = {.src = "/dev/nonexistent-src",
                                  .src_format = SP_FORMAT_RAW,
                                  .dst = "/tmp/-dst",
                                  .dst_format = SP_FORMAT_RAW,
                                  .dst_exists = 1,
                                  .target_is_zero = 1};

    snprintf(script, sizeof(script),
             "#!/bin/sh\nfor a in \"$@\"; do printf '<%%s>' \"$a\"; done >>'%s'\necho >>'%s'\n"
             "[ \"$1\" = --help ] && echo 'convert [-n] [-p] [-f fmt] [-O output_fmt] filename "
             "output_filename'\nexit 0\n",
             log, log);
    CU_ASSERT_FATAL(hs_write_str(fake, script) == 0 && chmod(fake, 0755) == 0);
    pfx_qemuimg_set_program(fake);
    CU_ASSERT_EQUAL(pfx_qemuimg_has_target_is_zero(&yes, &err), SP_OK);
    CU_ASSERT_EQUAL(yes, 0);
    CU_ASSERT_EQUAL(pfx_qemuimg_has_target_is_zero(&yes, &err), SP_OK); /* remembered */
    CU_ASSERT_EQUAL(pfx_qemuimg_convert(&o, &err), SP_OK);
    calls = hs_read(log, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(calls);
    CU_ASSERT_STRING_EQUAL(calls,
                           "<--help>\n"
                           "<convert><-p><-n><-f><raw><-O><raw><--></dev/nonexistent-src></tmp/-dst>\n");
    free(calls);
    /* One that offers them: a RAW target is written zero-skipping, 16 requests at once, in any order. */
    {
        const char *fake2 = strdup(hs_path(dir, "new-qemu-img"));
        const char *log2 = strdup(hs_path(dir, "new-qemu-img.log"));
        snprintf(script, sizeof(script),
                 "#!/bin/sh\nfor a in \"$@\"; do printf '<%%s>' \"$a\"; done >>'%s'\necho >>'%s'\n"
                 "[ \"$1\" = --help ] && echo 'convert [--target-is-zero] [-n] [-p] [-m num_coroutines] [-W] "
                 "filename output_filename'\nexit 0\n",
                 log2, log2);
        CU_ASSERT_FATAL(hs_write_str(fake2, script) == 0 && chmod(fake2, 0755) == 0);
        pfx_qemuimg_set_program(fake2);
        CU_ASSERT_EQUAL(pfx_qemuimg_convert(&o, &err), SP_OK);
        calls = hs_read(log2, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(calls);
        CU_ASSERT_STRING_EQUAL(calls, "<--help>\n"
                                      "<convert><-p><-n><--target-is-zero><-f><raw><-O><raw><-m><16><-W><-->"
                                      "</dev/nonexistent-src></tmp/-dst>\n");
        free(calls);
        free((char *)fake2);
        free((char *)log2);
    }

    pfx_qemuimg_set_program(NULL); /* back to the system dirs */
    {
        char prog[512];
        CU_ASSERT_EQUAL(pfx_qemuimg_program(prog, sizeof(prog), &err), SP_OK);
        CU_ASSERT_EQUAL(prog[0], '/');
    }
    pfx_qemuimg_set_program(hs_qemu_img());
    CU_ASSERT_EQUAL(pfx_qemuimg_has_target_is_zero(&yes, &err), SP_OK);
    CU_ASSERT_EQUAL(yes, 1); /* qemu-img 5.0 and later */
    free((char *)fake);
    free((char *)log);
}

/* info: -f and --output=json always, under limits the program itself can see; what qemu-img
 * says about data files and encryption is read; a qemu-img killed past its limits refuses the
 * image. */
static void test_info_argv_and_limits(void)
{
    const char *fake = strdup(hs_path(dir, "info-qemu-img"));
    const char *log = strdup(hs_path(dir, "info-qemu-img.log"));
    char script[1400], want[900];
    pfx_image_facts info;
    sp_error err;
    char *calls;

    snprintf(script, sizeof(script),
             "#!/bin/sh\nfor a in \"$@\"; do printf '<%%s>' \"$a\"; done >>'%s'\n"
             "echo \" cpu=$(ulimit -t) as=$(ulimit -v)\" >>'%s'\n"
             "case \"$6\" in *spin*) kill -9 $$ ;; esac\n"
             "echo '{\"virtual-size\": 1048576, \"format\": \"qcow2\", \"encrypted\": true, "
             "\"format-specific\": {\"type\": \"qcow2\", \"data\": {\"data-file\": \"/etc/shadow\"}}}'\n",
             log, log);
    CU_ASSERT_FATAL(hs_write_str(fake, script) == 0 && chmod(fake, 0755) == 0);
    pfx_qemuimg_set_program(fake);
    CU_ASSERT_EQUAL(pfx_qemuimg_info("/images/-x.qcow2", SP_FORMAT_QCOW2, &info, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(info.data_file, "/etc/shadow");
    CU_ASSERT_EQUAL(info.encrypted, 1);
    CU_ASSERT_EQUAL(pfx_qemuimg_info("/images/spin.qcow2", SP_FORMAT_RAW, &info, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "killed past its limits"));
    calls = hs_read(log, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(calls);
    snprintf(want, sizeof(want),
             "<info><--output=json><-f><qcow2><--></images/-x.qcow2> cpu=%u as=%llu\n"
             "<info><--output=json><-f><raw><--></images/spin.qcow2> cpu=%u as=%llu\n",
             PFX_QEMUIMG_INFO_CPU_S, (unsigned long long)(PFX_QEMUIMG_INFO_AS_BYTES >> 10),
             PFX_QEMUIMG_INFO_CPU_S, (unsigned long long)(PFX_QEMUIMG_INFO_AS_BYTES >> 10));
    CU_ASSERT_STRING_EQUAL(calls, want);
    free(calls);
    pfx_qemuimg_set_program(hs_qemu_img());
    free((char *)fake);
    free((char *)log);
}

static int count_lines(const char *path)
{
    char *text = hs_read(path, NULL);
    int n = 0;

    for (const char *p = text; p != NULL && *p; p++)
        n += *p == '\n';
    free(text);
    return n;
}

/* info is asked of qemu-img once per file as it is: the same unchanged file (a template seeded
 * onto another pool) takes the answer given, a file written, touched or put in its place is asked
 * again, and so is one asked with another format or of another program. */
static void test_info_remembered(void)
{
    const char *fake = strdup(hs_path(dir, "count-qemu-img"));
    const char *fake2 = strdup(hs_path(dir, "count-qemu-img2"));
    const char *log = strdup(hs_path(dir, "count-qemu-img.log"));
    const char *img = strdup(hs_path(dir, "remembered.raw"));
    const char *other = strdup(hs_path(dir, "remembered-2.raw"));
    char script[900];
    pfx_image_facts info;
    sp_error err;
    struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};

    /* The size it prints is the file's: a stale answer would show the old one. */
    snprintf(script, sizeof(script),
             "#!/bin/sh\necho \"$6\" >>'%s'\n"
             "echo \"{\\\"virtual-size\\\": $(stat -c %%s \"$6\"), \\\"format\\\": \\\"raw\\\"}\"\n",
             log);
    CU_ASSERT_FATAL(hs_write_str(fake, script) == 0 && chmod(fake, 0755) == 0);
    CU_ASSERT_FATAL(hs_write_str(fake2, script) == 0 && chmod(fake2, 0755) == 0);
    CU_ASSERT_FATAL(hs_write_str(img, "0123456789") == 0 && hs_write_str(other, "abc") == 0);
    pfx_qemuimg_set_program(fake);
    CU_ASSERT_EQUAL(pfx_qemuimg_info(img, SP_FORMAT_RAW, &info, &err), SP_OK);
    CU_ASSERT_EQUAL(info.virtual_size, 10);
    CU_ASSERT_EQUAL(pfx_qemuimg_info(img, SP_FORMAT_RAW, &info, &err), SP_OK);
    CU_ASSERT_EQUAL(info.virtual_size, 10);
    CU_ASSERT_EQUAL(count_lines(log), 1);
    /* Written: asked again, and the new answer is the one remembered. */
    CU_ASSERT_FATAL(hs_write_str(img, "0123456789abcdef") == 0);
    CU_ASSERT_EQUAL(pfx_qemuimg_info(img, SP_FORMAT_RAW, &info, &err), SP_OK);
    CU_ASSERT_EQUAL(info.virtual_size, 16);
    CU_ASSERT_EQUAL(count_lines(log), 2);
    CU_ASSERT_EQUAL(pfx_qemuimg_info(img, SP_FORMAT_RAW, &info, &err), SP_OK);
    CU_ASSERT_EQUAL(count_lines(log), 2);
    /* Touched only: its change time moves. */
    CU_ASSERT_EQUAL(utimensat(AT_FDCWD, img, times, 0), 0);
    CU_ASSERT_EQUAL(pfx_qemuimg_info(img, SP_FORMAT_RAW, &info, &err), SP_OK);
    CU_ASSERT_EQUAL(count_lines(log), 3);
    /* Another file put in its place. */
    CU_ASSERT_EQUAL(rename(other, img), 0);
    CU_ASSERT_EQUAL(pfx_qemuimg_info(img, SP_FORMAT_RAW, &info, &err), SP_OK);
    CU_ASSERT_EQUAL(info.virtual_size, 3);
    CU_ASSERT_EQUAL(count_lines(log), 4);
    /* Another format, another program. */
    CU_ASSERT_EQUAL(pfx_qemuimg_info(img, SP_FORMAT_QCOW2, &info, &err), SP_OK);
    CU_ASSERT_EQUAL(count_lines(log), 5);
    pfx_qemuimg_set_program(fake2);
    CU_ASSERT_EQUAL(pfx_qemuimg_info(img, SP_FORMAT_RAW, &info, &err), SP_OK);
    CU_ASSERT_EQUAL(count_lines(log), 6);
    pfx_qemuimg_set_program(hs_qemu_img());
    free((char *)fake);
    free((char *)fake2);
    free((char *)log);
    free((char *)img);
    free((char *)other);
}

/* qemu-img map as the seeding would read it: data ranges with their offsets in the file handed
 * out only when every byte can be copied from the image file itself; a map that skips, overlaps
 * or overruns the image is refused. */
static void test_parse_map(void)
{
    static const char ok[] =
        "[{\"start\": 0, \"length\": 1048576, \"depth\": 0, \"present\": true, \"zero\": false, "
        "\"data\": true, \"offset\": 327680},\n"
        "{\"start\": 1048576, \"length\": 9437184, \"depth\": 0, \"present\": false, \"zero\": true, "
        "\"data\": false},\n"
        "{\"start\": 10485760, \"length\": 2097152, \"depth\": 0, \"present\": true, \"zero\": false, "
        "\"data\": true, \"offset\": 1376256},\n"
        "{\"start\": 12582912, \"length\": 54525952, \"depth\": 0, \"present\": false, \"zero\": true, "
        "\"data\": false}]";
    static const struct {
        const char *json;
        sp_status st;
        int copyable;
    } cases[] = {
        /* compressed: data without an offset */
        {"[{\"start\": 0, \"length\": 67108864, \"depth\": 0, \"data\": true}]", SP_OK, 0},
        /* from a backing file */
        {"[{\"start\": 0, \"length\": 67108864, \"depth\": 1, \"data\": true, \"offset\": 0}]", SP_OK, 0},
        /* past the end of the image file */
        {"[{\"start\": 0, \"length\": 67108864, \"depth\": 0, \"data\": true, \"offset\": 4096}]", SP_OK, 0},
        /* a gap, an overlap, a short map, an empty range, a range past the image, not a list */
        {"[{\"start\": 4096, \"length\": 67104768, \"depth\": 0, \"data\": false}]", SP_E_PROTOCOL, 0},
        {"[{\"start\": 0, \"length\": 8192, \"depth\": 0, \"data\": false},"
         "{\"start\": 4096, \"length\": 67104768, \"depth\": 0, \"data\": false}]",
         SP_E_PROTOCOL, 0},
        {"[{\"start\": 0, \"length\": 4096, \"depth\": 0, \"data\": false}]", SP_E_PROTOCOL, 0},
        {"[{\"start\": 0, \"length\": 0, \"depth\": 0, \"data\": false},"
         "{\"start\": 0, \"length\": 67108864, \"depth\": 0, \"data\": false}]",
         SP_E_PROTOCOL, 0},
        {"[{\"start\": 0, \"length\": 18446744073709551615, \"depth\": 0, \"data\": false}]", SP_E_PROTOCOL,
         0},
        {"{\"start\": 0}", SP_E_PROTOCOL, 0},
        {"[]", SP_E_PROTOCOL, 0},
    };
    pfx_image_extent *ext;
    size_t n;
    int copyable;
    sp_error err;

    CU_ASSERT_EQUAL(pfx_qemuimg_parse_map(ok, 64 << 20, 4 << 20, &ext, &n, &copyable, &err), SP_OK);
    CU_ASSERT_TRUE(copyable);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(ext[0].start, 0);
    CU_ASSERT_EQUAL(ext[0].length, 1048576);
    CU_ASSERT_EQUAL(ext[0].offset, 327680);
    CU_ASSERT_EQUAL(ext[1].start, 10485760);
    CU_ASSERT_EQUAL(ext[1].offset, 1376256);
    free(ext);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sp_status st = pfx_qemuimg_parse_map(cases[i].json, 64 << 20, 1 << 20, &ext, &n, &copyable, &err);
        CU_ASSERT_EQUAL(st, cases[i].st);
        if (st == SP_OK)
            CU_ASSERT_EQUAL(copyable, cases[i].copyable);
        CU_ASSERT_PTR_NULL(ext);
        CU_ASSERT_EQUAL(n, 0);
    }
}

int main(void)
{
    static const hs_test tests[] = {
        {"info: QCOW2, RAW, backing file, errors", test_info},
        {"info: JSON parsing", test_parse_info},
        {"progress lines", test_parse_progress},
        {"convert QCOW2 -> new RAW file and back", test_convert_to_new_file},
        {"convert onto an existing device, zero or not", test_convert_onto_device},
        {"convert: cancel kills qemu-img", test_convert_cancel},
        {"compare", test_compare},
        {"argv given; a qemu-img without --target-is-zero", test_argv_and_old_qemu},
        {"info: -f, JSON and limits always", test_info_argv_and_limits},
        {"info: one qemu-img per file as it is", test_info_remembered},
        {"map: data ranges copied from the image only when all can be", test_parse_map},
        {NULL, NULL},
    };
    int rc;

    if (hs_qemu_img() == NULL || hs_qemu_io() == NULL) {
        fprintf(stderr, "qemu-img or qemu-io not found (Debian package qemu-utils): skipped\n");
        return 77;
    }
    pfx_qemuimg_set_program(hs_qemu_img()); /* the one configure found */
    dir = hs_mkdtemp("qemuimg");
    if (make_images() != 0) {
        fprintf(stderr, "cannot make the test images\n");
        return 99;
    }
    rc = hs_main("qemuimg", tests);
    hs_rmtree(dir);
    free(dir);
    return rc;
}
