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
	for (size_t i = 0; i < a->ntokens; i++)
		free(a->tokens[i].value);
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
	return !strcmp(role, "Administrator") || !strcmp(role, "SuperUser") ||
	       !strcmp(role, "Configure") || !strcmp(role, "FrontEndConfigure");
}

static void drop_at(struct sim_auth *a, size_t i)
{
	free(a->tokens[i].value);
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

char *sim_auth_login(struct sim_auth *a, const char *user, const char *password)
{
	enum sim_login why;
	return sim_auth_login_ex(a, user, password, &why);
}

char *sim_auth_login_ex(struct sim_auth *a, const char *user, const char *password, enum sim_login *why)
{
	unsigned char rnd[16];
	char hex[33], *raw, *token;
	struct timeval tv;
	int64_t now = sim_now_ms();
	bool may_write = false, found = false;
	*why = SIM_LOGIN_BAD;
	if (!user || !password)
		return NULL;
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < a->nusers && !found; i++)
		if (!strcmp(user, a->users[i].name) && !strcmp(password, a->users[i].password)) {
			found = true;
			may_write = role_may_write(a->users[i].role);
		}
	pthread_mutex_unlock(&a->lock);
	if (!found)
		return NULL;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		for (size_t i = 0; i < sizeof(rnd); i++)
			rnd[i] = (unsigned char)(rand() & 0xff);
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	gettimeofday(&tv, NULL);
	raw = sim_fmt("%s:%lld:%s", user, (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000, hex);
	token = sim_b64_encode((const unsigned char *)raw, strlen(raw));
	free(raw);
	pthread_mutex_lock(&a->lock);
	purge(a, now);
	if (a->max_sessions > 0 && a->ntokens >= (size_t)a->max_sessions) {
		pthread_mutex_unlock(&a->lock);
		free(token);
		*why = SIM_LOGIN_TOO_MANY;
		return NULL;
	}
	a->tokens = sim_xrealloc(a->tokens, (a->ntokens + 1) * sizeof(*a->tokens));
	a->tokens[a->ntokens].value = sim_xstrdup(token);
	a->tokens[a->ntokens].created = now;
	a->tokens[a->ntokens].last = now;
	a->tokens[a->ntokens].may_write = may_write;
	a->ntokens++;
	a->logins++;
	pthread_mutex_unlock(&a->lock);
	*why = SIM_LOGIN_OK;
	return token;
}

bool sim_auth_check(struct sim_auth *a, const char *token)
{
	return sim_auth_check_ex(a, token, NULL);
}

bool sim_auth_check_ex(struct sim_auth *a, const char *token, bool *may_write)
{
	bool ok = false;
	int64_t now = sim_now_ms();
	if (!token)
		return false;
	pthread_mutex_lock(&a->lock);
	purge(a, now);
	for (size_t i = 0; i < a->ntokens; i++)
		if (!strcmp(a->tokens[i].value, token)) {
			a->tokens[i].last = now;
			ok = true;
			if (may_write)
				*may_write = a->tokens[i].may_write;
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
	pthread_mutex_unlock(&a->lock);
}
