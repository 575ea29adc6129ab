/* Token store (see auth.h). Tokens look like real ones, base64("user:epoch-ms:32 hex"). */
#include <config.h>
#include "auth.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>

struct sim_token {
    char *value;
    char *refresh; /* access tokens only */
    enum sim_token_kind kind;
    int64_t created, last;
    bool may_write;
};

struct sim_user {
    char *name, *password, *role;
};

void sim_auth_init(struct sim_auth *a, const char *user, const char *password, int64_t ttl_ms,
                   int64_t idle_ms)
{
    memset(a, 0, sizeof(*a));
    pthread_mutex_init(&a->lock, NULL);
    a->ttl_ms = ttl_ms;
    a->idle_ms = idle_ms;
    sim_auth_set_user(a, user, password, "Administrator");
}

void sim_auth_destroy(struct sim_auth *a)
{
    for (size_t i = 0; i < a->ntokens; i++) {
        free(a->tokens[i].value);
        free(a->tokens[i].refresh);
    }
    free(a->tokens);
    for (size_t i = 0; i < a->nusers; i++) {
        free(a->users[i].name);
        free(a->users[i].password);
        free(a->users[i].role);
    }
    free(a->users);
    pthread_mutex_destroy(&a->lock);
}

void sim_auth_set_user(struct sim_auth *a, const char *user, const char *password, const char *role)
{
    struct sim_user *u = NULL;
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < a->nusers && !u; i++)
        if (!strcmp(a->users[i].name, user))
            u = &a->users[i];
    if (!u) {
        a->users = sim_xrealloc(a->users, (a->nusers + 1) * sizeof(*a->users));
        u = &a->users[a->nusers++];
        u->name = sim_xstrdup(user);
    } else {
        free(u->password);
        free(u->role);
    }
    u->password = sim_xstrdup(password);
    u->role = sim_xstrdup(role);
    pthread_mutex_unlock(&a->lock);
}

void sim_auth_set_max_sessions(struct sim_auth *a, int n)
{
    pthread_mutex_lock(&a->lock);
    a->max_sessions = n;
    pthread_mutex_unlock(&a->lock);
}

int sim_auth_max_sessions(struct sim_auth *a)
{
    int n;
    pthread_mutex_lock(&a->lock);
    n = a->max_sessions;
    pthread_mutex_unlock(&a->lock);
    return n;
}

/* Roles that may change volumes, mappings and snapshots (the front end of the array). */
static bool role_may_write(const char *role)
{
    return !strcmp(role, "Administrator") || !strcmp(role, "SuperUser") || !strcmp(role, "Configure") ||
           !strcmp(role, "FrontEndConfigure");
}

static void drop_at(struct sim_auth *a, size_t i)
{
    free(a->tokens[i].value);
    free(a->tokens[i].refresh);
    a->tokens[i] = a->tokens[--a->ntokens];
}

static void purge(struct sim_auth *a, int64_t now)
{
    for (size_t i = 0; i < a->ntokens;) {
        if (now - a->tokens[i].created >= a->ttl_ms || now - a->tokens[i].last >= a->idle_ms)
            drop_at(a, i);
        else
            i++;
    }
}

/* base64("user:epoch-ms:32 hex"): every token names its user, as real ones do. */
static char *new_token_text(const char *user)
{
    unsigned char rnd[16];
    char hex[33], *raw, *token;
    struct timeval tv;
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        for (size_t i = 0; i < sizeof(rnd); i++)
            rnd[i] = (unsigned char)(rand() & 0xff);
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
    gettimeofday(&tv, NULL);
    raw = sim_fmt("%s:%lld:%s", user, (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000, hex);
    token = sim_b64_encode((const unsigned char *)raw, strlen(raw));
    free(raw);
    return token;
}

/* Whether user and password name a user; *may_write receives its role's right to change. */
static bool credentials_ok(struct sim_auth *a, const char *user, const char *password, bool *may_write)
{
    bool found = false;
    if (!user || !password)
        return false;
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < a->nusers && !found; i++)
        if (!strcmp(user, a->users[i].name) && !strcmp(password, a->users[i].password)) {
            found = true;
            *may_write = role_may_write(a->users[i].role);
        }
    pthread_mutex_unlock(&a->lock);
    return found;
}

/* Keeps a new token unless max_sessions are live; false then. */
static bool store(struct sim_auth *a, const char *value, const char *refresh, enum sim_token_kind kind,
                  bool may_write)
{
    int64_t now = sim_now_ms();
    pthread_mutex_lock(&a->lock);
    purge(a, now);
    if (a->max_sessions > 0 && a->ntokens >= (size_t)a->max_sessions) {
        pthread_mutex_unlock(&a->lock);
        return false;
    }
    a->tokens = sim_xrealloc(a->tokens, (a->ntokens + 1) * sizeof(*a->tokens));
    a->tokens[a->ntokens].value = sim_xstrdup(value);
    a->tokens[a->ntokens].refresh = refresh ? sim_xstrdup(refresh) : NULL;
    a->tokens[a->ntokens].kind = kind;
    a->tokens[a->ntokens].created = now;
    a->tokens[a->ntokens].last = now;
    a->tokens[a->ntokens].may_write = may_write;
    a->ntokens++;
    a->logins++;
    pthread_mutex_unlock(&a->lock);
    return true;
}

char *sim_auth_login(struct sim_auth *a, const char *user, const char *password)
{
    enum sim_login why;
    return sim_auth_login_ex(a, user, password, &why);
}

char *sim_auth_login_ex(struct sim_auth *a, const char *user, const char *password, enum sim_login *why)
{
    char *token;
    bool may_write = false;
    *why = SIM_LOGIN_BAD;
    if (!credentials_ok(a, user, password, &may_write))
        return NULL;
    token = new_token_text(user);
    if (!store(a, token, NULL, SIM_TOKEN_LEGACY, may_write)) {
        free(token);
        *why = SIM_LOGIN_TOO_MANY;
        return NULL;
    }
    *why = SIM_LOGIN_OK;
    return token;
}

bool sim_auth_login_access(struct sim_auth *a, const char *user, const char *password, char **access,
                           char **refresh, enum sim_login *why)
{
    char *body, *rbody;
    bool may_write = false;
    *access = *refresh = NULL;
    *why = SIM_LOGIN_BAD;
    if (!credentials_ok(a, user, password, &may_write))
        return false;
    /* Shaped like the JWTs PowerFlex Manager hands out: header.payload.signature. */
    body = new_token_text(user);
    rbody = new_token_text(user);
    *access = sim_fmt("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.%s.%08x", body, (unsigned)rand());
    *refresh = sim_fmt("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.%s.%08x", rbody, (unsigned)rand());
    free(body);
    free(rbody);
    if (!store(a, *access, *refresh, SIM_TOKEN_ACCESS, may_write)) {
        free(*access);
        free(*refresh);
        *access = *refresh = NULL;
        *why = SIM_LOGIN_TOO_MANY;
        return false;
    }
    *why = SIM_LOGIN_OK;
    return true;
}

bool sim_auth_check(struct sim_auth *a, const char *token, unsigned kinds, bool *may_write)
{
    bool ok = false;
    int64_t now = sim_now_ms();
    if (!token)
        return false;
    pthread_mutex_lock(&a->lock);
    purge(a, now);
    for (size_t i = 0; i < a->ntokens; i++)
        if (!strcmp(a->tokens[i].value, token)) {
            ok = (a->tokens[i].kind & kinds) != 0;
            if (ok) {
                a->tokens[i].last = now;
                if (may_write)
                    *may_write = a->tokens[i].may_write;
            }
            break;
        }
    pthread_mutex_unlock(&a->lock);
    return ok;
}

void sim_auth_logout(struct sim_auth *a, const char *token)
{
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < a->ntokens; i++)
        if (!strcmp(a->tokens[i].value, token)) {
            drop_at(a, i);
            break;
        }
    pthread_mutex_unlock(&a->lock);
}

bool sim_auth_logout_refresh(struct sim_auth *a, const char *refresh)
{
    bool found = false;
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < a->ntokens; i++)
        if (a->tokens[i].refresh && !strcmp(a->tokens[i].refresh, refresh)) {
            drop_at(a, i);
            found = true;
            break;
        }
    pthread_mutex_unlock(&a->lock);
    return found;
}

void sim_auth_count_bearer(struct sim_auth *a)
{
    pthread_mutex_lock(&a->lock);
    a->bearer_calls++;
    pthread_mutex_unlock(&a->lock);
}

uint64_t sim_auth_bearer_calls(struct sim_auth *a)
{
    uint64_t n;
    pthread_mutex_lock(&a->lock);
    n = a->bearer_calls;
    pthread_mutex_unlock(&a->lock);
    return n;
}

void sim_auth_expire_all(struct sim_auth *a)
{
    pthread_mutex_lock(&a->lock);
    while (a->ntokens)
        drop_at(a, a->ntokens - 1);
    pthread_mutex_unlock(&a->lock);
}

uint64_t sim_auth_logins(struct sim_auth *a)
{
    uint64_t n;
    pthread_mutex_lock(&a->lock);
    n = a->logins;
    pthread_mutex_unlock(&a->lock);
    return n;
}

void sim_auth_reset_counter(struct sim_auth *a)
{
    pthread_mutex_lock(&a->lock);
    a->logins = 0;
    a->bearer_calls = 0;
    pthread_mutex_unlock(&a->lock);
}
