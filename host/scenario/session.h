/* session.h - running cmk lines: API commands in one transaction each, and the scenario helpers
 * (set, assert, expect, sim, check, restart) that make command files self-checking. */
#ifndef HOST_SESSION_H
#define HOST_SESSION_H

#include "cs.h"
#include "output.h"

#include <stdio.h>

typedef struct host_session {
    host_cs *cs;          /* borrowed */
    int keep_going;       /* go on after a failed line (the shell always does) */
    int echo;             /* print each line (passwords masked) to stderr before running it */
    int quiet;            /* do not print successful responses */
    host_display display; /* how answers are printed: -o / "set display" (json by default) */
    int failures;         /* lines that failed so far */
    int unsupported;      /* a command failed because the plugin does not provide a method yet */
    const char *source;   /* file name for messages */
    long line;            /* current line number */
    /* "expect error": the next command must fail (optionally with this code and text). */
    int expect_error;
    int expect_code;
    char *expect_text;
    /* "expect crash at=PHASE:PCT": the next command runs in a child harness that dies there. */
    char *crash_at;
} host_session;

void host_session_init(host_session *s, host_cs *cs);
void host_session_free(host_session *s);

/* Runs one line. Returns 0, or -1 when it failed (the failure was printed and counted). */
int host_session_line(host_session *s, const char *line, size_t len);

/* Runs every line of in. `prompt` non-NULL: print it before each line (interactive shell).
 * Stops at the first failure unless keep_going. Returns 0 when no line failed, else -1. */
int host_session_run(host_session *s, FILE *in, const char *source, const char *prompt);

/* What a restarted harness does first: reopen pool handles lazily, reload settings, rebind
 * simulators and resolve operations a kill interrupted. Writes what it resolved into w. */
int host_session_restart(host_cs *cs, host_jsonw *w, host_err *e);

#endif
