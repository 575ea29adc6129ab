/* Gateway sessions: login with user and password hands out tokens; every later call presents a
 * token, which dies after an idle period, an absolute lifetime, logout or a forced expiry. */
#ifndef SIM_AUTH_H
#define SIM_AUTH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_token;

struct sim_auth {
	pthread_mutex_t lock;
	char *user, *password;
	int64_t ttl_ms, idle_ms;
	struct sim_token *tokens;
	size_t ntokens;
	uint64_t logins;
};

void sim_auth_init(struct sim_auth *a, const char *user, const char *password, int64_t ttl_ms,
		   int64_t idle_ms);
void sim_auth_destroy(struct sim_auth *a);
/* A new token (malloc'd) for the right credentials, NULL otherwise. */
char *sim_auth_login(struct sim_auth *a, const char *user, const char *password);
/* True when the token is live; refreshes its idle time. */
bool sim_auth_check(struct sim_auth *a, const char *token);
void sim_auth_logout(struct sim_auth *a, const char *token);
void sim_auth_expire_all(struct sim_auth *a);
uint64_t sim_auth_logins(struct sim_auth *a);
void sim_auth_reset_counter(struct sim_auth *a);

#endif
