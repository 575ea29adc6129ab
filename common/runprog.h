/* runprog.h - running external programs (openssl, qemu-img) from an argv, never through a shell,
 * with their output captured or sent to a log file. */
#ifndef HOST_RUNPROG_H
#define HOST_RUNPROG_H

#include "strbuf.h"

#include <stddef.h>

/* Runs argv[0] (looked up in PATH) and waits. stdout goes to out when not NULL (else to
 * /dev/null); stderr to the file log when not NULL (else /dev/null). Returns the exit status,
 * or -1 with err when it could not run or died of a signal. */
int host_run(char *const argv[], host_buf *out, const char *log, char *err, size_t errlen);

#endif
