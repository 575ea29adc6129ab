/* input.h - where command lines come from: bounded lines from a stream, and script files that
 * `source` may read. Input is outside data: a line has a cap, a read error is an error. */
#ifndef HOST_INPUT_H
#define HOST_INPUT_H

#include "strbuf.h"

#include <stddef.h>
#include <stdio.h>

/* The longest command line taken (bytes before its newline). */
#define HOST_LINE_MAX ((size_t)1 << 20)

/* Reads one line (with its newline, if any) from in into line, which is reset first; at most
 * max bytes before the newline. 1: a line; 0: end of input; -1 with the reason in err: a read
 * error (ENOMEM, EIO, EISDIR, ...), a line longer than max (the input is then left mid-line:
 * callers stop reading it), or out of memory. */
int host_input_line(FILE *in, host_buf *line, size_t max, char *err, size_t errlen);

/* Opens a command file to read: only a regular file (a FIFO, a device such as /dev/zero or a
 * directory is refused without blocking). The stream, or NULL with the reason in err. */
FILE *host_input_open_script(const char *path, char *err, size_t errlen);

#endif
