/* secret.h - an owned secret (password, token) whose memory is wiped when it is freed.
 * Secrets never reach a log line or an error message: only code that sends them reads them. */
#ifndef PFX_SECRET_H
#define PFX_SECRET_H

#include <stddef.h>

typedef struct pfx_secret pfx_secret;

/* Copies len bytes of s into a new secret (NUL-terminated; s need not be). Returns NULL when out
 * of memory. The caller owns the result and releases it with pfx_secret_free. */
pfx_secret *pfx_secret_new(const char *s, size_t len);

/* pfx_secret_new(s, strlen(s)); s == NULL gives an empty secret. */
pfx_secret *pfx_secret_from_str(const char *s);

/* A new secret holding the same bytes, or NULL when out of memory (or when s is NULL). */
pfx_secret *pfx_secret_dup(const pfx_secret *s);

/* The NUL-terminated value, borrowed: valid until the secret is freed. Never NULL for a valid
 * secret. Do not copy it into memory that is not wiped afterwards. */
const char *pfx_secret_value(const pfx_secret *s);
size_t pfx_secret_len(const pfx_secret *s);

/* 1 when both hold the same bytes (compared in constant time for equal lengths). */
int pfx_secret_equal(const pfx_secret *a, const pfx_secret *b);

/* Wipes and frees; NULL is allowed. */
void pfx_secret_free(pfx_secret *s);

/* Wipes len bytes at p (which the caller keeps); for temporary copies such as headers. */
void pfx_secret_wipe(void *p, size_t len);

#endif
