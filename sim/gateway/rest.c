/* /rest/auth of a 4.x gateway (PowerFlex Manager's login in front of /api): JSON credentials in,
 * an access and a refresh token out; logout takes the refresh token back. A 3.5 gateway has no
 * such path and answers 404. */
#include <config.h>
#include "api.h"

#include <stdlib.h>
#include <string.h>

static void rest_login(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs)
{
    char ubuf[64], pbuf[64];
    const char *user = sim_api_param(rq, "username", ubuf, sizeof(ubuf));
    const char *pass = sim_api_param(rq, "password", pbuf, sizeof(pbuf));
    char *access = NULL, *refresh = NULL;
    enum sim_login why = SIM_LOGIN_BAD;
    sim_jw *w;
    if (!user || !pass || !sim_auth_login_access(c->auth, user, pass, &access, &refresh, &why)) {
        if (why == SIM_LOGIN_TOO_MANY)
            sim_resp_err(rs, SIM_E_TOO_MANY_SESSIONS, NULL);
        else
            sim_resp_err(rs, SIM_E_UNAUTHORIZED, "Invalid user credentials");
        return;
    }
    w = sim_jw_new();
    sim_jw_obj(w);
    sim_jw_kstr(w, "access_token", access);
    sim_jw_kint(w, "expires_in", c->auth->ttl_ms / 1000);
    sim_jw_kint(w, "refresh_expires_in", c->auth->ttl_ms / 1000);
    sim_jw_kstr(w, "refresh_token", refresh);
    sim_jw_kstr(w, "token_type", "Bearer");
    sim_jw_kstr(w, "scope", "profile email");
    sim_jw_obj_end(w);
    sim_resp_json(rs, sim_jw_finish(w));
    free(access);
    free(refresh);
}

static void rest_logout(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs)
{
    char buf[64];
    const char *refresh;
    if (!rq->bearer || !sim_auth_check(c->auth, rq->bearer, SIM_TOKEN_ACCESS, NULL)) {
        sim_resp_err(rs, SIM_E_UNAUTHORIZED, NULL);
        return;
    }
    refresh = sim_api_param(rq, "refresh_token", buf, sizeof(buf));
    if (!refresh || !sim_auth_logout_refresh(c->auth, refresh)) {
        sim_resp_err(rs, SIM_E_BAD_REQUEST, "Invalid refresh token");
        return;
    }
    free(rs->body);
    rs->status = 204;
    rs->body = sim_xstrdup("");
}

void sim_rest_handle(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs)
{
    char perr[256];
    bool login = !strcmp(rq->path, "/rest/auth/login"), logout = !strcmp(rq->path, "/rest/auth/logout");
    if (!c->api4 || (!login && !logout)) {
        sim_resp_err(rs, SIM_E_NO_URL, NULL);
        return;
    }
    if (strcmp(rq->method, "POST")) {
        sim_resp_err(rs, SIM_E_METHOD, NULL);
        return;
    }
    rq->json = sim_jr_parse(rq->body, perr, sizeof(perr));
    if (!rq->json || !YAJL_IS_OBJECT(rq->json)) {
        sim_resp_err(rs, SIM_E_BAD_REQUEST, "Malformed JSON request body");
        return;
    }
    if (login)
        rest_login(c, rq, rs);
    else
        rest_logout(c, rq, rs);
}
