/* poolurl.h - the pool URL's syntax, powerflex://<user>:<url-encoded password>@<gateway>/<pool>, in
 * the one place that both the plugin (which parses it) and the harness (which masks it) read it. */
#ifndef POOLURL_H
#define POOLURL_H

#include <stddef.h>

/* Where the parts of "scheme://userinfo@host/path" lie, as offsets into the text. The user info
 * runs to the LAST '@' of the text, so a raw '@' (or '/') in a password stays in it. */
typedef struct pfurl_split {
    size_t auth;         /* the authority: just after "://" */
    int has_userinfo;    /* the text has an '@' after auth */
    size_t userinfo_end; /* that last '@' */
    int has_colon;       /* the user info has a ':' */
    size_t colon;        /* its first ':' */
    size_t host;         /* host[:port]: after the '@' (or at auth) ... */
    size_t host_end;     /* ... up to the next '/' or the end */
    int has_path;        /* a '/' ends the host */
    size_t path;         /* the byte after that '/' */
} pfurl_split;

/* Splits text[0..len) when it starts with "scheme://" (the scheme: letters, digits, '+', '-', '.',
 * possibly none). 1, or 0 (*out cleared) when there is no "://" at the start. */
int pfurl_split_text(const char *text, size_t len, pfurl_split *out);

/* The bytes of text[0..len) that hold a secret: the password (the user info after its first ':'),
 * or the whole user info when it has no ':' (a password may be all there is). 1 with
 * [*start, *end), or 0 when the text has no user info. */
int pfurl_secret_span(const char *text, size_t len, size_t *start, size_t *end);

/* text[0..len) with its secret span replaced by PFURL_MASK (malloc'd, NUL-terminated); a plain
 * copy when it has none. NULL when out of memory. */
#define PFURL_MASK "*****"
char *pfurl_mask(const char *text, size_t len);

/* A parsed pool URL; every member owned, release with pfurl_clear. */
typedef struct pfurl {
    char *user;     /* decoded */
    char *password; /* decoded; wiped by pfurl_clear */
    char *host;     /* without brackets for IPv6 literals */
    int port;       /* 0 when the URL gave none (HTTPS default) */
    char *gateway;  /* host[:port] as it goes into https://<gateway>/api, IPv6 in brackets */
    char *pool;     /* decoded, case kept */
} pfurl;

enum { PFURL_OK = 0, PFURL_INVALID = 1, PFURL_NOMEM = 2 };

/* Parses text into *out. On failure *out is left cleared and msg (msglen bytes, may be NULL)
 * says which part is wrong, never repeating the user info. PFURL_OK, PFURL_INVALID or PFURL_NOMEM. */
int pfurl_parse(const char *text, pfurl *out, char *msg, size_t msglen);

/* Frees the members, wiping the user and password first. Safe on a cleared struct. */
void pfurl_clear(pfurl *url);

/* Decodes %XX escapes of src[0..len) into a new NUL-terminated string (caller frees). NULL when
 * an escape is malformed, decodes to NUL or a control character, or memory runs out; *why (if
 * not NULL) then says which. */
char *pfurl_percent_decode(const char *src, size_t len, const char **why);

/* Overwrites n bytes at p in a way the compiler keeps. */
void pfurl_wipe(void *p, size_t n);

#endif
