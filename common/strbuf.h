/* strbuf.h - a growing NUL-terminated byte buffer for text built from outside data.
 * Every append checks for overflow and remembers a failure instead of truncating silently. */
#ifndef HOST_STRBUF_H
#define HOST_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct host_buf {
    char *s; /* owned; NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t cap;
    int failed; /* out of memory: the content is incomplete */
} host_buf;

#define HOST_BUF_INIT                                                                                        \
    {                                                                                                        \
        NULL, 0, 0, 0                                                                                        \
    }

void host_buf_add(host_buf *b, const char *s, size_t n);
void host_buf_adds(host_buf *b, const char *s);
void host_buf_addc(host_buf *b, char c);
void host_buf_printf(host_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void host_buf_reset(host_buf *b);
/* The text ("" when empty); borrowed until the next change. */
const char *host_buf_str(const host_buf *b);
/* Hands the text to the caller (malloc'd; NULL on failure) and resets b. */
char *host_buf_take(host_buf *b);
void host_buf_free(host_buf *b);

#endif
