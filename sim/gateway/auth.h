/* Gateway sessions: login with user and password hands out tokens; every later call presents a
 * token, which dies after an idle period, an absolute lifetime, logout or a forced expiry. */
#ifndef SIM_AUTH_H
#define SIM_AUTH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_token;

/* What a token came from: GET /api/login (sent back as the basic-auth password, or as a Bearer
 * token on 4.x as goscaleio does) or POST /rest/auth/login of 4.x (access token, Bearer only). */
enum sim_token_kind { SIM_TOKEN_LEGACY = 1, SIM_TOKEN_ACCESS = 2 };

struct sim_auth {
	pthread_mutex_t lock;
	char *user, *password;
	int64_t ttl_ms, idle_ms;
	struct sim_token *tokens;
	size_t ntokens;
	uint64_t logins;
	uint64_t bearer_calls; /* calls authenticated with Authorization: Bearer */
};

void sim_auth_init(struct sim_auth *a, const char *user, const char *password, int64_t ttl_ms,
		   int64_t idle_ms);
void sim_auth_destroy(struct sim_auth *a);
/* A new legacy token (malloc'd) for the right credentials, NULL otherwise. */
char *sim_auth_login(struct sim_auth *a, const char *user, const char *password);
/* 4.x: a new access token and its refresh token (both malloc'd) for the right credentials;
 * false otherwise. */
bool sim_auth_login_access(struct sim_auth *a, const char *user, const char *password,
			   char **access, char **refresh);
/* True when the token is live and of one of the kinds (a mask of sim_token_kind); refreshes
 * its idle time. */
bool sim_auth_check(struct sim_auth *a, const char *token, unsigned kinds);
void sim_auth_logout(struct sim_auth *a, const char *token);
/* 4.x logout: drops the access token whose refresh token this is; false when none is. */
bool sim_auth_logout_refresh(struct sim_auth *a, const char *refresh);
void sim_auth_count_bearer(struct sim_auth *a);
uint64_t sim_auth_bearer_calls(struct sim_auth *a);
void sim_auth_expire_all(struct sim_auth *a);
uint64_t sim_auth_logins(struct sim_auth *a);
void sim_auth_reset_counter(struct sim_auth *a);

#endif
