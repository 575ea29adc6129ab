/* The /api surface of the emulated gateway: authentication, then dispatch of a parsed request
 * to the handler of its object type, producing a status and a JSON body. */
#ifndef SIM_API_H
#define SIM_API_H

#include <yajl/yajl_tree.h>

#include "auth.h"
#include "errors.h"
#include "json.h"
#include "model.h"
#include "route.h"

struct sim_ctx {
    struct sim_model *model;
    struct sim_auth *auth;
    const char *api_version; /* what GET /api/version answers */
    bool api4;               /* 4.x: Bearer tokens and /rest/auth */
};

struct sim_req {
    const char *method;
    const char *path;
    const char *body;
    const char *auth_user; /* from HTTP basic auth; NULL when absent */
    const char *auth_pass;
    const char *bearer; /* from "Authorization: Bearer"; NULL when absent */
    struct sim_route route;
    yajl_val json; /* parsed body of a POST (an object), else NULL */
};

struct sim_resp {
    int status;
    char *body;      /* malloc'd */
    char *volume_id; /* the volume the request acted on, when there is one (for faults) */
};

/* Handles one /api request (takes the model lock itself). */
void sim_api_handle(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs);
/* Handles one /rest request (4.x login and logout; 404 on 3.5). */
void sim_rest_handle(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs);

void sim_resp_err(struct sim_resp *rs, enum sim_err e, const char *msg);
void sim_resp_json(struct sim_resp *rs, char *body);
void sim_resp_empty(struct sim_resp *rs);
/* A quoted JSON string answer ("3.5", a token, an id). */
void sim_resp_string(struct sim_resp *rs, const char *s);

/* Type handlers, lock held; false when the route is not theirs. */
bool sim_api_volume(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs);
bool sim_api_objects(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs);

/* Helpers for handlers. */
const char *sim_api_param(struct sim_req *rq, const char *key, char *buf, size_t bufsz);
/* A required string parameter; answers 400 and returns NULL when missing. */
const char *sim_api_need(struct sim_req *rq, struct sim_resp *rs, const char *key, char *buf, size_t bufsz);
/* TRUE/True/true/FALSE/... or a JSON bool: 1, 0, or -1 when not a boolean. */
int sim_api_bool(const char *s);
/* {"ids":[...]} as a NULL-terminated array of the strings (borrowed); NULL when absent. */
const char **sim_api_ids(struct sim_req *rq, const char *key);
/* queryBySelectedIds's {"ids":[...]}: every entry a hex id that known() finds. Otherwise the
 * answer is set and NULL returned: 400 for a missing list or an entry that is not a hex id
 * string, `unknown` (the error the GET of that object gives) for the first id not found. */
const char **sim_api_selected_ids(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs,
                                  bool (*known)(struct sim_model *m, const char *id), enum sim_err unknown);
/* querySelectedStatistics for any object whose statistics render_one can write: for the "ids"
 * given, or with "allIds" for every id all_ids lists (a NULL-terminated malloc'd array of
 * borrowed ids; may be NULL for the System). */
typedef bool (*sim_stats_renderer)(sim_jw *w, struct sim_model *m, const char *id);
typedef const char **(*sim_ids_lister)(struct sim_model *m);
void sim_api_selected_stats(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs,
                            sim_stats_renderer render_one, sim_ids_lister all_ids, bool system);

#endif
