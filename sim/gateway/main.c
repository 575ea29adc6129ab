/* powerflex-sim: a PowerFlex 3.5 gateway and SDC emulation for tests and benchmarks.
 * Starts the server, prints where it listens, runs until SIGTERM/SIGINT. */
#include <config.h>
#include "control.h"
#include "crash.h"
#include "run.h"
#include "server.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ticker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    struct sim_model *model;
};

/* Time-driven state (late devices, migrations) advances even when no request arrives. */
static void *tick_loop(void *arg)
{
    struct ticker *t = arg;
    pthread_mutex_lock(&t->lock);
    while (!t->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 5 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&t->cond, &t->lock, &ts);
        if (t->stop)
            break;
        pthread_mutex_unlock(&t->lock);
        sim_model_lock(t->model);
        sim_model_tick(t->model, sim_now_ms());
        sim_model_unlock(t->model);
        pthread_mutex_lock(&t->lock);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

int main(int argc, char **argv)
{
    struct sim_config cfg;
    struct sim_model model;
    struct sim_auth auth;
    struct sim_stats stats;
    struct sim_faults faults;
    struct sim_crash crash;
    struct sim_control ctl = {&model, &auth, &stats, &faults, &crash};
    struct sim_server *srv = NULL;
    struct ticker tk;
    char err[512] = "", *url = NULL;
    sigset_t set;
    int sig, rc = 1;
    bool model_ok = false, ticking = false;

    switch (sim_config_parse(&cfg, argc, argv, stdout, err, sizeof(err))) {
    case SIM_CONFIG_EXIT_OK: sim_config_free(&cfg); return 0;
    case SIM_CONFIG_ERROR:
        fprintf(stderr, "powerflex-sim: %s\n", err);
        sim_config_free(&cfg);
        return 2;
    case SIM_CONFIG_OK: break;
    }
    /* Every thread inherits this mask, so only sigwait below sees the signals. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    sim_auth_init(&auth, cfg.user, cfg.password, cfg.token_ttl_ms, cfg.idle_ttl_ms);
    sim_auth_set_user(&auth, cfg.user, cfg.password, cfg.role);
    for (size_t i = 0; i < cfg.naccounts; i++)
        sim_auth_set_user(&auth, cfg.accounts[i].name, cfg.accounts[i].password, cfg.accounts[i].role);
    sim_auth_set_max_sessions(&auth, cfg.max_sessions);
    sim_stats_init(&stats);
    sim_faults_init(&faults, cfg.seed);
    sim_crash_init(&crash);
    model_ok = true; /* destroy copes with a partly built model */
    if (sim_model_init(&model, &cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "powerflex-sim: %s\n", err);
        goto out;
    }
    for (size_t i = 0; i < cfg.nfaults; i++)
        if (sim_faults_add_spec(&faults, cfg.faults[i], err, sizeof(err))) {
            fprintf(stderr, "powerflex-sim: --fault: %s\n", err);
            goto out;
        }
    srv = sim_server_start(&cfg, &ctl, &url, err, sizeof(err));
    if (!srv) {
        fprintf(stderr, "powerflex-sim: %s\n", err);
        goto out;
    }
    memset(&tk, 0, sizeof(tk));
    tk.model = &model;
    pthread_mutex_init(&tk.lock, NULL);
    pthread_cond_init(&tk.cond, NULL);
    if (pthread_create(&tk.thread, NULL, tick_loop, &tk) != 0) {
        fprintf(stderr, "powerflex-sim: cannot start the ticker thread\n");
        goto out;
    }
    ticking = true;
    printf("listening on %s\n", url);
    fflush(stdout);
    fprintf(stderr, "powerflex-sim: system %s, state in %s, devices in %s\n", model.system_id,
            model.state_dir, model.device_dir);
    do {
        if (sigwait(&set, &sig) != 0)
            break;
    } while (sig != SIGTERM && sig != SIGINT);
    rc = 0;
out:
    sim_server_stop(srv);
    if (ticking) {
        pthread_mutex_lock(&tk.lock);
        tk.stop = true;
        pthread_cond_signal(&tk.cond);
        pthread_mutex_unlock(&tk.lock);
        pthread_join(tk.thread, NULL);
        pthread_mutex_destroy(&tk.lock);
        pthread_cond_destroy(&tk.cond);
    }
    if (model_ok)
        sim_model_destroy(&model);
    sim_faults_destroy(&faults);
    sim_crash_destroy(&crash);
    sim_stats_destroy(&stats);
    sim_auth_destroy(&auth);
    free(url);
    sim_config_free(&cfg);
    return rc;
}
