/* Gateway URL shapes: /api/types/<T>/instances[...] and /api/instances/<T>::<id>[...] parsed
 * into their parts, and the "{id}" templates used for statistics and fault matching. */
#ifndef SIM_ROUTE_H
#define SIM_ROUTE_H

#include <stdbool.h>

enum sim_route_kind {
    SIM_R_NONE,
    SIM_R_LOGIN,
    SIM_R_LOGOUT,
    SIM_R_VERSION,
    SIM_R_TYPE_LIST,      /* /api/types/T/instances */
    SIM_R_TYPE_ACTION,    /* /api/types/T/instances/action/A */
    SIM_R_TYPE_GETBYNAME, /* /api/types/T/instances/getByName::ARG */
    SIM_R_INSTANCE,       /* /api/instances/T::ID */
    SIM_R_INSTANCE_REL,   /* /api/instances/T::ID/relationships/R */
    SIM_R_INSTANCE_ACTION /* /api/instances/T::ID/action/A, or /api/instances/T/action/A */
};

struct sim_route {
    enum sim_route_kind kind;
    char type[64];
    bool has_id;
    char id[128];
    char name[64]; /* action or relationship */
    char arg[512]; /* getByName argument */
};

/* false when the path is not a gateway URL shape (answer 404). */
bool sim_route_parse(const char *path, struct sim_route *r);
/* Whether a request changes the array: a POST that creates (/api/types/T/instances) or an action
 * other than the query actions (login and reads are GETs). */
bool sim_route_mutates(const char *method, const char *path);
/* The path with every "::<id>" written "::{id}" (malloc'd). */
char *sim_route_template(const char *path);

#endif
