/* Injected faults: rules that match requests by method and path template and then add latency,
 * fail (JSON, an HTML page, an empty body, a busy array), drop or mangle the answer, expire
 * tokens, delay devices or make data read-only. */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

enum sim_fault_kind {
    SIM_FAULT_LATENCY,
    SIM_FAULT_HTTP500,
    SIM_FAULT_HTTP503,
    SIM_FAULT_DROP,
    SIM_FAULT_MALFORMED,
    SIM_FAULT_TRUNCATE,
    SIM_FAULT_EXPIRE_TOKENS,
    SIM_FAULT_DEVICE_DELAY,
    SIM_FAULT_READONLY,
    SIM_FAULT_HTTP502,
    SIM_FAULT_HTTP504,
    SIM_FAULT_HTML,
    SIM_FAULT_EMPTY,
    SIM_FAULT_BUSY
};

struct sim_fault;

struct sim_faults {
    pthread_mutex_t lock;
    struct sim_fault *rules;
    size_t n;
    uint64_t prng;
};

/* What the matching rules ask for one request. */
struct sim_fault_actions {
    int64_t latency_ms;
    bool expire_tokens;
    int64_t device_delay_ms; /* -1: none */
    bool readonly;
    char readonly_volume[17];     /* "" : the volume in the request path */
    enum sim_fault_kind response; /* HTTP5xx, HTML, EMPTY, BUSY, DROP, MALFORMED, TRUNCATE, or
                                   * LATENCY = none */
    bool after;                   /* run the request before failing it */
    int status;                   /* html, empty: the HTTP status (0: 500) */
    int rc;                       /* busy: the errorCode (0: 212) */
};

void sim_faults_init(struct sim_faults *f, uint64_t seed);
void sim_faults_destroy(struct sim_faults *f);
/* Adds one rule from SPEC text (see powerflex-sim(1)); 0, or -1 with err set. */
int sim_faults_add_spec(struct sim_faults *f, const char *spec, char *err, size_t errsz);
/* Adds rules from JSON: {"spec":"..."}, an object of fields, or an array of either. */
int sim_faults_add_json(struct sim_faults *f, yajl_val v, char *err, size_t errsz);
void sim_faults_clear(struct sim_faults *f);
void sim_faults_eval(struct sim_faults *f, const char *method, const char *template_path,
                     const char *raw_path, struct sim_fault_actions *out);
char *sim_faults_json(struct sim_faults *f);

#endif
