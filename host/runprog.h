/* runprog.h - running external programs (openssl, qemu-img) from an argv, never through a shell,
 * with their output captured or sent to a log file. */
#ifndef HOST_RUNPROG_H
#define HOST_RUNPROG_H

#include "rlimitspawn.h"
#include "strbuf.h"

#include <stddef.h>

/* Runs argv[0] (looked up in PATH) and waits. stdout goes to out when not NULL (else to
 * /dev/null); stderr to the file log when not NULL (else /dev/null). Returns the exit status,
 * or -1 with err when it could not run or died of a signal. */
int host_run(char *const argv[], host_buf *out, const char *log, char *err, size_t errlen);

/* host_run for a program reading untrusted input (qemu-img info on a template): started under
 * the limits `lim` (see rlimitspawn.h; argv[0] without a '/' is looked up in PATH first), stdout
 * into out, stderr kept for err. Returns the exit status, or -1 with err when it could not run
 * or was killed (past its CPU limit: err says so). */
int host_run_limited(char *const argv[], const pfx_rlimits *lim, host_buf *out, char *err, size_t errlen);

#endif
