/* Small helpers shared by the simulator's modules: clocks, allocation, formatting, ids.
 * Allocation failure is fatal here: the simulator is a test tool and has no way to degrade. */
#ifndef SIM_UTIL_H
#define SIM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_ID_LEN 16

int64_t sim_now_ms(void); /* monotonic */
int64_t sim_wall_s(void); /* epoch seconds */

void *sim_xmalloc(size_t n);
void *sim_xcalloc(size_t n, size_t sz);
void *sim_xrealloc(void *p, size_t n);
char *sim_xstrdup(const char *s);
char *sim_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Bounded copy; false when src did not fit. */
bool sim_strlcpy(char *dst, const char *src, size_t size);

bool sim_is_hex_id(const char *s); /* 1..16 hex digits */

/* Parses a decimal integer (optionally signed) occupying the whole string. */
bool sim_parse_i64(const char *s, int64_t *out);

/* Base64 (standard alphabet); decode returns a malloc'd NUL-terminated buffer or NULL. */
char *sim_b64_encode(const unsigned char *in, size_t n);
char *sim_b64_decode(const char *in, size_t *out_len);

/* Creates dir and its parents (mode 0755). 0 or -errno. */
int sim_mkdir_p(const char *path);
/* Removes a directory tree, clearing immutable flags on the way. */
void sim_rm_rf(const char *path);

#endif
