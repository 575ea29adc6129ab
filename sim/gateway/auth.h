/* Gateway sessions: login with user and password hands out tokens; every later call presents a
 * token, which dies after an idle period, an absolute lifetime, logout or a forced expiry. Each
 * user has a role, which says whether its tokens may change anything; the number of live
 * tokens may be capped. */
#ifndef SIM_AUTH_H
#define SIM_AUTH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_token;
struct sim_user;

/* What a token came from: GET /api/login (sent back as the basic-auth password, or as a Bearer
 * token on 4.x as goscaleio does) or POST /rest/auth/login of 4.x (access token, Bearer only). */
enum sim_token_kind { SIM_TOKEN_LEGACY = 1, SIM_TOKEN_ACCESS = 2 };

struct sim_auth {
    pthread_mutex_t lock;
    struct sim_user *users;
    size_t nusers;
    int64_t ttl_ms, idle_ms;
    struct sim_token *tokens;
    size_t ntokens;
    uint64_t logins;
    uint64_t bearer_calls; /* calls authenticated with Authorization: Bearer */
    int max_sessions;      /* 0: no limit */
};

enum sim_login { SIM_LOGIN_OK, SIM_LOGIN_BAD, SIM_LOGIN_TOO_MANY };

void sim_auth_init(struct sim_auth *a, const char *user, const char *password, int64_t ttl_ms,
                   int64_t idle_ms);
/* Adds a user, or changes the password and role of one (role: see sim_role_valid). */
void sim_auth_set_user(struct sim_auth *a, const char *user, const char *password, const char *role);
void sim_auth_set_max_sessions(struct sim_auth *a, int n);
int sim_auth_max_sessions(struct sim_auth *a);
void sim_auth_destroy(struct sim_auth *a);
/* A new legacy token (malloc'd) for the right credentials while fewer than max_sessions are
 * live; NULL otherwise, with *why saying which. */
char *sim_auth_login_ex(struct sim_auth *a, const char *user, const char *password, enum sim_login *why);
/* A new legacy token (malloc'd) for the right credentials, NULL otherwise. */
char *sim_auth_login(struct sim_auth *a, const char *user, const char *password);
/* 4.x: a new access token and its refresh token (both malloc'd) for the right credentials while
 * fewer than max_sessions are live; false otherwise, with *why saying which. */
bool sim_auth_login_access(struct sim_auth *a, const char *user, const char *password, char **access,
                           char **refresh, enum sim_login *why);
/* True when the token is live and of one of the kinds (a mask of sim_token_kind); refreshes
 * its idle time. *may_write (may be NULL) says whether its user's role allows changes. */
bool sim_auth_check(struct sim_auth *a, const char *token, unsigned kinds, bool *may_write);
void sim_auth_logout(struct sim_auth *a, const char *token);
/* 4.x logout: drops the access token whose refresh token this is; false when none is. */
bool sim_auth_logout_refresh(struct sim_auth *a, const char *refresh);
void sim_auth_count_bearer(struct sim_auth *a);
uint64_t sim_auth_bearer_calls(struct sim_auth *a);
void sim_auth_expire_all(struct sim_auth *a);
uint64_t sim_auth_logins(struct sim_auth *a);
void sim_auth_reset_counter(struct sim_auth *a);

#endif
