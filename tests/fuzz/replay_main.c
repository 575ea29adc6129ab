/* replay_main.c - runs a libFuzzer target's LLVMFuzzerTestOneInput on saved inputs, so every
 * build (gcc, sanitizers, no libFuzzer) replays the regression corpus and the seeds.
 * Usage: replay_<target> FILE|DIR...  (a directory contributes its files, in name order) */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A hang is a finding too; without this a stuck input would stall make check. */
#define DEFAULT_TIMEOUT_S 60

static unsigned timeout_s = DEFAULT_TIMEOUT_S;

static int read_all(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL, *bigger;
    size_t cap = 0, n = 0, got;

    if (f == NULL)
        return -1;
    for (;;) {
        if (n == cap) {
            cap = cap == 0 ? 4096 : cap * 2;
            bigger = realloc(buf, cap);
            if (bigger == NULL)
                goto fail;
            buf = bigger;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f))
        goto fail;
    fclose(f);
    /* An exactly sized copy, so that ASan sees a read past the input's end. */
    *out = malloc(n == 0 ? 1 : n);
    if (*out == NULL) {
        free(buf);
        return -1;
    }
    memcpy(*out, buf, n);
    free(buf);
    *len = n;
    return 0;
fail:
    free(buf);
    fclose(f);
    return -1;
}

static int run_file(const char *path, unsigned *count)
{
    uint8_t *data;
    size_t len;

    errno = 0;
    if (read_all(path, &data, &len) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno != 0 ? errno : EIO));
        return -1;
    }
    /* Named before the call: a crash's report then follows the input that caused it. */
    printf("replay: %s (%zu bytes)\n", path, len);
    fflush(stdout);
    alarm(timeout_s);
    LLVMFuzzerTestOneInput(data, len);
    alarm(0);
    free(data);
    (*count)++;
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_dot(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

static int run_dir(const char *dir, unsigned *count)
{
    struct dirent **names;
    int n, status = 0;

    n = scandir(dir, &names, skip_dot, by_name);
    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        int w = snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);

        if (w < 0 || (size_t)w >= sizeof(path)) {
            fprintf(stderr, "replay: %s/%s: path too long\n", dir, names[i]->d_name);
            status = -1;
        } else if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && run_file(path, count) != 0) {
            status = -1;
        }
        free(names[i]);
    }
    free(names);
    return status;
}

int main(int argc, char **argv)
{
    const char *t = getenv("REPLAY_TIMEOUT");
    unsigned count = 0;
    int status = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    if (t != NULL && atoi(t) > 0)
        timeout_s = (unsigned)atoi(t);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            status = 1;
        } else if (S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) != 0 : run_file(argv[i], &count) != 0) {
            status = 1;
        }
    }
    /* Replaying nothing proves nothing. */
    if (count == 0) {
        fprintf(stderr, "replay: no inputs found\n");
        status = 1;
    }
    printf("replay: %u inputs, %s\n", count, status == 0 ? "all passed" : "errors above");
    return status;
}
