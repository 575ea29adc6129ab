/* cs.h - the harness's state while it plays CloudStack: database, plugin, settings, work dir,
 * open pool handles and simulators, plus the error type every command handler returns. */
#ifndef HOST_CS_H
#define HOST_CS_H

#include "jsonw.h"
#include "loader.h"
#include "services.h"
#include "storage_plugin.h"
#include "vars.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

/* CloudStack's API error codes (ApiErrorCode). */
#define HOST_E_PARAM 431       /* a parameter is wrong or names nothing */
#define HOST_E_UNSUPPORTED 432 /* the action is not supported */
#define HOST_E_INTERNAL 530    /* the operation failed */
#define HOST_E_CAPACITY 533    /* no pool, host or space can take it */
#define HOST_E_UNAVAILABLE 534 /* a resource (gateway, host) is unavailable */
#define HOST_E_IN_USE 536      /* the resource is in use */

typedef struct host_err {
    int code;        /* one of HOST_E_*, 0 when no error */
    int unsupported; /* the plugin answered SP_E_UNSUPPORTED: a method it does not provide yet */
    char text[2048]; /* never contains a secret */
} host_err;

/* Fills e and returns -1, so handlers can `return host_fail(e, ...)`. */
int host_fail(host_err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same for a plugin failure: the code follows the status, the text is "<what>: <message>". */
int host_fail_sp(host_err *e, sp_status st, const sp_error *se, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same for a database failure (err holds sqlite's message). */
int host_fail_db(host_err *e, const char *err);

/* CloudStack's error answer: {"errorresponse": {"uuidList": [], "errorcode": N, "cserrorcode": C,
 * "errortext": ...}}, cserrorcode being the code of the Java exception CloudStack throws for
 * that error (CSExceptionErrorCode: 4350 InvalidParameterValue, 4250 CloudRuntime, ...). */
void host_write_error(host_jsonw *w, int code, const char *text);
int host_cserrorcode(int code);

typedef struct host_poolh host_poolh;     /* an open plugin pool handle (plugin_pools.c) */
typedef struct host_simproc host_simproc; /* a simulator the harness started (sim.c) */
struct host_undo;                         /* a change the running command announced (undo.c) */
struct host_alert;                        /* an alert waiting for its command to end (alert.c) */

typedef struct host_cs {
    sqlite3 *db;         /* owned */
    char *db_path;       /* owned; NULL: in memory */
    host_services svc;   /* settings the plugin reads; mirrors the config table */
    host_plugin *plugin; /* owned; NULL when none is loaded (unit tests) */
    const sp_plugin *sp; /* the plugin's descriptor, or NULL */
    char *workdir;       /* owned: hosts' state dirs, secondary storage, simulators */
    char **image_dirs;   /* owned, resolved: --image-dir, where templates may come from */
    size_t n_image_dirs;
    int workdir_temp;        /* remove workdir at exit */
    host_vars *vars;         /* owned */
    host_poolh *pools;       /* owned table of open handles (NULL until the first) */
    host_simproc *sims;      /* owned list */
    char *self_exe;          /* owned; this program's path, to find powerflex-sim beside it */
    char *plugin_path;       /* owned; passed on to a child harness */
    unsigned char key[32];   /* encrypts pool secrets at rest */
    int progress;            /* draw progress bars on stderr */
    int keep_sims;           /* leave simulators running at exit */
    const char *crash_phase; /* kill this process (SIGKILL) when this phase reaches crash_pct */
    unsigned crash_pct;
    char *last;                         /* owned; the last response's JSON text */
    sqlite3 *intents;                   /* owned; the write-ahead intent journal (intent.h) */
    struct host_undo *undo;             /* owned; the running command's announced changes, newest first */
    int undo_active;                    /* a command whose changes are journaled is running */
    int64_t undo_seq;                   /* its number (taken with its first change); 0: none yet */
    unsigned undo_pushed;               /* changes it made (for --crash-at undo:N) */
    struct host_alert *alerts;          /* owned; raised by the running command, written after it */
    struct host_cfg_plugin *cfg_plugin; /* owned; the settings the plugin published (cfg.c) */
} host_cs;

/* Seconds since the epoch, for "created" columns. */
int64_t host_now(void);
/* CloudStack's timestamp format of `t`: 2024-01-31T12:00:00+0000. */
void host_timestamp(int64_t t, char out[32]);

#endif
