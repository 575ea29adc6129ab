/* hs_util.h - what the host-side test suites share: scratch directories, small file helpers,
 * finding the programs and fixtures they need, and a CUnit main. */
#ifndef HS_UTIL_H
#define HS_UTIL_H

#include <CUnit/CUnit.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hs_test {
    const char *name;
    void (*fn)(void);
} hs_test;

/* Registers `tests` (ended by {NULL, NULL}) as one suite, runs it verbosely, returns the exit code
 * for automake (0 pass, 1 fail). */
int hs_main(const char *suite, const hs_test *tests);

/* A fresh directory under $TMPDIR (or /tmp); the path is malloc'd. Aborts the test on failure. */
char *hs_mkdtemp(const char *tag);
/* Removes a directory tree (never follows symlinks). */
void hs_rmtree(const char *path);

/* "<a>/<b>" in a static rotating buffer (enough for a handful at once). */
const char *hs_path(const char *a, const char *b);

int hs_write(const char *path, const char *content, size_t len);
int hs_write_str(const char *path, const char *content);
/* The whole file, NUL-terminated and malloc'd; *len may be NULL. NULL when unreadable. */
char *hs_read(const char *path, size_t *len);
/* Writes `len` bytes of `byte` at `offset` (the file is created if needed). */
int hs_fill(const char *path, uint64_t offset, uint64_t len, int byte);
/* Creates (or truncates) a sparse file of `size` bytes. */
int hs_sparse(const char *path, uint64_t size);

/* $top_srcdir (set by make check), else the source dir known at build time. */
const char *hs_srcdir(void);

/* qemu-img and qemu-io: $QEMU_IMG when set and absolute, else the fixed system dirs. NULL when
 * absent (the suite then skips with 77). */
const char *hs_qemu_img(void);
const char *hs_qemu_io(void);
const char *hs_isoinfo(void);

/* Runs argv (absolute argv[0]); returns its stdout (malloc'd) when it exits 0, else NULL. */
char *hs_run(const char *const *argv);

/* Monotonic milliseconds. */
int64_t hs_now_ms(void);

#endif
