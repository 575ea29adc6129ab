/* fuzz_url.c - libFuzzer target for the pool URL parser (powerflex://user:pass@gateway[:port]/pool).
 * Checks what must hold for any text: a status; on success every part non-empty and equal to an
 * independent split of the input, gateway/host/port consistent, and a re-encoded URL parsing back
 * to the same parts; on refusal nothing left allocated and a message that never carries the user
 * info (neither its text nor anything that depends on it). */
#include "config.h"

#include "url.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SCHEME "powerflex://"

/* Shorter user info could occur in a fixed message by chance; those are covered by the canary
 * comparison instead (the message must not change when the user info's bytes change). */
#define MIN_LEAK_CHECK 8

#define CHECK(cond, what)                                                                                    \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "fuzz_url: property violated: %s (%s)\n", what, #cond);                          \
            abort();                                                                                         \
        }                                                                                                    \
    } while (0)

/* The parts of a URL found the simple way: the authority runs to the first '/', the user info to
 * the last '@' before it, the user name to the first ':' in the user info. */
typedef struct split {
    int has_password;
    const char *user, *password, *hostport, *path; /* path NULL when there is no '/' */
    size_t user_len, password_len, hostport_len, userinfo_len;
} split;

static int split_url(const char *text, split *s)
{
    const char *authority, *slash, *end, *at = NULL, *colon;

    memset(s, 0, sizeof(*s));
    if (strncasecmp(text, SCHEME, strlen(SCHEME)) != 0)
        return 0;
    authority = text + strlen(SCHEME);
    slash = strchr(authority, '/');
    end = slash != NULL ? slash : authority + strlen(authority);
    for (const char *p = authority; p < end; p++)
        if (*p == '@')
            at = p;
    if (at == NULL)
        return 0;
    s->userinfo_len = (size_t)(at - authority);
    s->hostport = at + 1;
    s->hostport_len = (size_t)(end - at - 1);
    s->path = slash != NULL ? slash + 1 : NULL;
    s->user = authority;
    colon = memchr(authority, ':', s->userinfo_len);
    if (colon == NULL) {
        s->user_len = s->userinfo_len;
        return 1;
    }
    s->has_password = 1;
    s->user_len = (size_t)(colon - authority);
    s->password = colon + 1;
    s->password_len = (size_t)(at - colon - 1);
    return 1;
}

static int hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Plain %XX decoding; NULL when an escape is malformed. */
static char *decode(const char *s, size_t len)
{
    char *out = malloc(len + 1), *o = out;

    if (out == NULL)
        abort();
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '%') {
            *o++ = s[i];
            continue;
        }
        if (len - i < 3 || hex((unsigned char)s[i + 1]) < 0 || hex((unsigned char)s[i + 2]) < 0) {
            free(out);
            return NULL;
        }
        *o++ = (char)(hex((unsigned char)s[i + 1]) * 16 + hex((unsigned char)s[i + 2]));
        i += 2;
    }
    *o = '\0';
    return out;
}

static int equals_decoded(const char *value, const char *raw, size_t len)
{
    char *d = decode(raw, len);
    int same = d != NULL && strcmp(d, value) == 0;
    free(d);
    return same;
}

static void encode(char *out, const char *s)
{
    static const char digits[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            *out++ = (char)c;
        } else {
            *out++ = '%';
            *out++ = digits[c >> 4];
            *out++ = digits[c & 15];
        }
    }
    *out = '\0';
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
            return 1;
    return 0;
}

static int nonempty(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static int contains(const char *hay, const char *needle, size_t len)
{
    char *n;
    int found;

    if (len < MIN_LEAK_CHECK)
        return 0;
    n = strndup(needle, len);
    if (n == NULL)
        abort();
    found = strstr(hay, n) != NULL;
    free(n);
    return found;
}

/* strcmp without libFuzzer's interception, which would feed the messages back into the inputs
 * as dictionary words (and a password made of the parser's own words is no leak). */
static int same_text(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b)
        a++, b++;
    return *a == *b;
}

static int is_cleared(const pfx_url *u)
{
    return u->user == NULL && u->password == NULL && u->host == NULL && u->gateway == NULL &&
           u->pool == NULL && u->port == 0;
}

/* gateway is host[:port] or [host][:port]; the port is 1..65535 or 0 when none is written. */
static void check_gateway(const pfx_url *u)
{
    size_t hl = strlen(u->host);
    const char *rest;
    long port = 0;

    for (const char *p = u->host; *p; p++)
        CHECK(strchr("/@?#[] ", *p) == NULL, "no delimiters in the host");
    if (u->gateway[0] == '[') {
        CHECK(strchr(u->host, ':') != NULL, "a bracketed host is an IPv6 literal");
        CHECK(strncmp(u->gateway + 1, u->host, hl) == 0 && u->gateway[hl + 1] == ']', "gateway is [host]...");
        rest = u->gateway + hl + 2;
    } else {
        CHECK(strchr(u->host, ':') == NULL, "an unbracketed host has no ':'");
        CHECK(strncmp(u->gateway, u->host, hl) == 0, "gateway starts with the host");
        rest = u->gateway + hl;
    }
    if (*rest == '\0') {
        CHECK(u->port == 0, "no port written, port 0");
        return;
    }
    CHECK(*rest == ':' && rest[1] != '\0', "after the host only :port");
    for (rest++; *rest; rest++) {
        CHECK(isdigit((unsigned char)*rest) && port < 100000, "the port is decimal");
        port = port * 10 + (*rest - '0');
    }
    CHECK(port >= 1 && port <= 65535 && port == u->port, "the port is the gateway's");
}

static void check_same(const pfx_url *a, const pfx_url *b)
{
    CHECK(strcmp(a->user, b->user) == 0 && strcmp(a->password, b->password) == 0 &&
              strcmp(a->host, b->host) == 0 && strcmp(a->gateway, b->gateway) == 0 &&
              strcmp(a->pool, b->pool) == 0 && a->port == b->port,
          "a re-encoded URL parses to the same parts");
}

static void check_parsed(const char *text, const pfx_url *u)
{
    split s;
    char *again;
    size_t n;
    pfx_url u2;
    sp_error e2;

    CHECK(nonempty(u->user) && nonempty(u->password) && nonempty(u->host) && nonempty(u->gateway) &&
              nonempty(u->pool),
          "every part of an accepted URL is non-empty");
    CHECK(!has_control(u->user) && !has_control(u->password) && !has_control(u->pool) &&
              !has_control(u->gateway),
          "no control characters in an accepted URL's parts");
    CHECK(split_url(text, &s) && s.has_password && s.path != NULL,
          "accepted text has the scheme, user info and a path");
    CHECK(equals_decoded(u->user, s.user, s.user_len), "user is the decoded text before the first ':'");
    CHECK(equals_decoded(u->password, s.password, s.password_len), "password is the decoded user info rest");
    CHECK(strlen(u->gateway) == s.hostport_len && memcmp(u->gateway, s.hostport, s.hostport_len) == 0,
          "gateway is the text between the last '@' and the first '/'");
    CHECK(equals_decoded(u->pool, s.path, strlen(s.path)), "pool is the decoded path");
    check_gateway(u);
    {
        /* The harness masks with the same split: exactly the password's text is hidden. */
        size_t ms, me;
        CHECK(pfurl_secret_span(text, strlen(text), &ms, &me) && ms == (size_t)(s.password - text) &&
                  me == ms + s.password_len,
              "the mask covers exactly the parsed password");
    }

    /* every byte of user, password and pool may become %XX; then ':', '@', '/' and the NUL */
    n = strlen(SCHEME) + 3 * (strlen(u->user) + strlen(u->password) + strlen(u->pool)) + strlen(u->gateway) +
        4;
    again = malloc(n);
    if (again == NULL)
        abort();
    strcpy(again, SCHEME);
    encode(again + strlen(again), u->user);
    strcat(again, ":");
    encode(again + strlen(again), u->password);
    strcat(again, "@");
    strcat(again, u->gateway);
    strcat(again, "/");
    encode(again + strlen(again), u->pool);
    CHECK(pfx_url_parse(again, &u2, &e2) == SP_OK, "a re-encoded URL parses");
    check_same(u, &u2);
    pfx_url_clear(&u2);
    CHECK(is_cleared(&u2), "pfx_url_clear clears");
    free(again);
}

static void check_refused(sp_status st, const pfx_url *u, const sp_error *e)
{
    CHECK(st == SP_E_INVALID || st == SP_E_NOMEM, "a refusal is SP_E_INVALID (or SP_E_NOMEM)");
    CHECK(e->status == st, "the error carries the status returned");
    CHECK(memchr(e->message, '\0', sizeof(e->message)) != NULL && e->message[0] != '\0',
          "the message is non-empty and terminated");
    CHECK(strncmp(e->message, "pool URL", 8) == 0, "the message names the pool URL");
    CHECK(is_cleared(u), "a refused URL leaves *out cleared");
}

/* The user info's bytes the parser only copies: not the first ':', not a '%' or the two bytes
 * after it (so every escape stays as valid or invalid as it was), no control characters and no
 * '?' or '#' (refused wherever they are). */
static int ordinary(const char *text, size_t i, size_t start, const char *first_colon)
{
    unsigned char c = (unsigned char)text[i];

    if (text + i == first_colon || c == '%' || c < 0x20 || c == 0x7f || c == '?' || c == '#')
        return 0;
    return !((i >= start + 1 && text[i - 1] == '%') || (i >= start + 2 && text[i - 2] == '%'));
}

/* The same text with every ordinary byte of the user info replaced: the parse takes the same
 * path, so the outcome must be the same, and a refusal's message identical. A message that
 * changed would have been made from the user info. A message containing the user name or the
 * password (MIN_LEAK_CHECK bytes or more) repeats it, unless the replacement changed that part
 * and the message stayed the same: then those words are the parser's own. */
static void check_canary(const char *text, sp_status st, const pfx_url *u, const sp_error *e)
{
    split s;
    char *t2;
    size_t off;
    const char *first_colon;
    int user_changed, password_changed;
    pfx_url c;
    sp_error e2;
    sp_status st2;

    if (!split_url(text, &s))
        return;
    t2 = strdup(text);
    if (t2 == NULL)
        abort();
    off = (size_t)(s.user - text);
    first_colon = s.has_password ? s.password - 1 : NULL;
    for (size_t i = off; i < off + s.userinfo_len; i++)
        if (ordinary(text, i, off, first_colon))
            t2[i] = text[i] == 'x' ? 'y' : 'x';
    user_changed = memcmp(t2 + off, text + off, s.user_len) != 0;
    password_changed = s.has_password && memcmp(t2 + (s.password - text), s.password, s.password_len) != 0;

    memset(&e2, 0, sizeof(e2));
    st2 = pfx_url_parse(t2, &c, &e2);
    CHECK(st2 == st, "the outcome does not depend on the user info's ordinary bytes");
    if (st == SP_OK) {
        CHECK(strcmp(c.host, u->host) == 0 && strcmp(c.gateway, u->gateway) == 0 &&
                  strcmp(c.pool, u->pool) == 0 && c.port == u->port,
              "the gateway and pool do not depend on the user info");
        CHECK(strlen(c.user) == strlen(u->user) && strlen(c.password) == strlen(u->password),
              "replaced bytes decode to the same lengths");
        pfx_url_clear(&c);
    } else {
        CHECK(same_text(e2.message, e->message), "the message does not depend on the user info");
        if (!user_changed)
            CHECK(!contains(e->message, s.user, s.user_len), "the message does not repeat the user name");
        if (s.has_password && !password_changed) {
            char *d = decode(s.password, s.password_len);
            CHECK(!contains(e->message, s.password, s.password_len),
                  "the message does not repeat the password");
            if (d != NULL)
                CHECK(!contains(e->message, d, strlen(d)),
                      "the message does not repeat the decoded password");
            free(d);
        }
    }
    free(t2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    pfx_url u;
    sp_error e;
    sp_status st;

    if (text == NULL)
        return 0;
    /* A C caller hands over a string: an embedded NUL ends it. */
    memcpy(text, data, size);
    text[size] = '\0';

    memset(&e, 0, sizeof(e));
    memset(&u, 0x5a, sizeof(u)); /* the parser must not rely on a cleared struct */
    st = pfx_url_parse(text, &u, &e);
    if (st == SP_OK)
        check_parsed(text, &u);
    else
        check_refused(st, &u, &e);
    check_canary(text, st, &u, &e);
    if (st == SP_OK)
        pfx_url_clear(&u);
    CHECK(is_cleared(&u), "pfx_url_clear clears");

    /* A caller that wants no message gets the same answer. */
    CHECK(pfx_url_parse(text, &u, NULL) == st, "the same status without an sp_error");
    pfx_url_clear(&u);
    if (size == 0)
        CHECK(pfx_url_parse(NULL, &u, &e) == SP_E_INVALID && is_cleared(&u), "NULL text is refused");
    free(text);
    return 0;
}
