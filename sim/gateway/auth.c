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
};

void sim_auth_init(struct sim_auth *a, const char *user, const char *password, int64_t ttl_ms,
		   int64_t idle_ms)
{
	memset(a, 0, sizeof(*a));
	pthread_mutex_init(&a->lock, NULL);
	a->user = sim_xstrdup(user);
	a->password = sim_xstrdup(password);
	a->ttl_ms = ttl_ms;
	a->idle_ms = idle_ms;
}

void sim_auth_destroy(struct sim_auth *a)
{
	for (size_t i = 0; i < a->ntokens; i++) {
		free(a->tokens[i].value);
		free(a->tokens[i].refresh);
	}
	free(a->tokens);
	free(a->user);
	free(a->password);
	pthread_mutex_destroy(&a->lock);
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

static bool credentials_ok(struct sim_auth *a, const char *user, const char *password)
{
	return user && password && !strcmp(user, a->user) && !strcmp(password, a->password);
}

static void store(struct sim_auth *a, const char *value, const char *refresh, enum sim_token_kind kind)
{
	int64_t now = sim_now_ms();
	pthread_mutex_lock(&a->lock);
	purge(a, now);
	a->tokens = sim_xrealloc(a->tokens, (a->ntokens + 1) * sizeof(*a->tokens));
	a->tokens[a->ntokens].value = sim_xstrdup(value);
	a->tokens[a->ntokens].refresh = refresh ? sim_xstrdup(refresh) : NULL;
	a->tokens[a->ntokens].kind = kind;
	a->tokens[a->ntokens].created = now;
	a->tokens[a->ntokens].last = now;
	a->ntokens++;
	a->logins++;
	pthread_mutex_unlock(&a->lock);
}

char *sim_auth_login(struct sim_auth *a, const char *user, const char *password)
{
	char *token;
	if (!credentials_ok(a, user, password))
		return NULL;
	token = new_token_text(user);
	store(a, token, NULL, SIM_TOKEN_LEGACY);
	return token;
}

bool sim_auth_login_access(struct sim_auth *a, const char *user, const char *password,
			   char **access, char **refresh)
{
	char *body, *rbody;
	*access = *refresh = NULL;
	if (!credentials_ok(a, user, password))
		return false;
	/* Shaped like the JWTs PowerFlex Manager hands out: header.payload.signature. */
	body = new_token_text(user);
	rbody = new_token_text(user);
	*access = sim_fmt("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.%s.%08x", body, (unsigned)rand());
	*refresh = sim_fmt("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.%s.%08x", rbody, (unsigned)rand());
	free(body);
	free(rbody);
	store(a, *access, *refresh, SIM_TOKEN_ACCESS);
	return true;
}

bool sim_auth_check(struct sim_auth *a, const char *token, unsigned kinds)
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
			if (ok)
				a->tokens[i].last = now;
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
