/* simlaunch.c - starting powerflex-sim (see simlaunch.h). */
#include "config.h"

#include "simlaunch.h"

#include "runprog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

/* Polls the log for "listening on URL" while the process lives. */
static int wait_listening(pid_t pid, const char *log, unsigned wait_ms, char **url, char *err, size_t errlen)
{
    static const char mark[] = "listening on ";
    struct timespec delay = {0, 20 * 1000 * 1000};

    for (unsigned waited = 0; waited <= wait_ms; waited += 20) {
        FILE *f = fopen(log, "r");
        char line[512];
        int status;
        if (f != NULL) {
            while (fgets(line, sizeof(line), f) != NULL) {
                const char *p = strstr(line, mark);
                if (p != NULL) {
                    p += strlen(mark);
                    *url = strndup(p, strcspn(p, " \r\n"));
                    fclose(f);
                    if (*url == NULL)
                        snprintf(err, errlen, "out of memory");
                    return *url != NULL ? 0 : -1;
                }
            }
            fclose(f);
        }
        if (waitpid(pid, &status, WNOHANG) == pid) {
            snprintf(err, errlen, "powerflex-sim exited at start-up (see %s)", log);
            return 1;
        }
        nanosleep(&delay, NULL);
    }
    snprintf(err, errlen, "powerflex-sim did not say where it listens within %u s (see %s)", wait_ms / 1000,
             log);
    return -1;
}

pid_t host_sim_launch_start(const host_sim_launch *l, char **url, char *err, size_t errlen)
{
    host_spawn_opts o = {.log = l->log, .die_with_parent = l->die_with_parent, .new_session = l->new_session};
    char **argv = calloc(16 + l->n_extra, sizeof(*argv));
    size_t n = 0;
    pid_t pid = -1;
    int rc;

    *url = NULL;
    if (argv == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
#define ARG(s) argv[n++] = (char *)(s)
    ARG(l->exe);
    ARG("--listen");
    ARG("127.0.0.1:0");
    ARG("--tls-cert");
    ARG(l->cert);
    ARG("--tls-key");
    ARG(l->key);
    if (l->user != NULL) {
        ARG("--user");
        ARG(l->user);
    }
    if (l->password_file != NULL) {
        ARG("--password-file");
        ARG(l->password_file);
    } else if (l->password != NULL) {
        ARG("--password");
        ARG(l->password);
    }
    if (l->state_dir != NULL) {
        ARG("--state-dir");
        ARG(l->state_dir);
    }
    for (size_t i = 0; i < l->n_extra; i++)
        ARG(l->extra[i]);
    argv[n] = NULL;
#undef ARG
    pid = host_spawn(argv, &o, err, errlen);
    free(argv);
    if (pid < 0)
        return -1;
    rc = wait_listening(pid, l->log, l->wait_ms, url, err, errlen);
    if (rc != 0) {
        if (rc < 0)
            host_stop(pid, 1, 2000);
        return -1;
    }
    return pid;
}

char *host_sim_hostport(const char *url)
{
    const char *p = strstr(url, "://");

    p = p != NULL ? p + 3 : url;
    return strndup(p, strcspn(p, "/"));
}
