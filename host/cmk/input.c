/* input.c - command lines from a stream, bounded, and script files that are regular files. */
#include "config.h"

#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int host_input_line(FILE *in, host_buf *line, size_t max, char *err, size_t errlen)
{
    int c = EOF, saved = 0;

    host_buf_reset(line);
    flockfile(in);
    for (;;) {
        errno = 0;
        c = getc_unlocked(in);
        if (c == EOF) {
            saved = errno;
            break;
        }
        if (c != '\n' && line->len >= max) {
            funlockfile(in);
            snprintf(err, errlen, "the line is longer than %zu bytes; refused", max);
            return -1;
        }
        host_buf_addc(line, (char)c);
        if (c == '\n' || line->failed)
            break;
    }
    funlockfile(in);
    if (line->failed) {
        snprintf(err, errlen, "out of memory reading a line");
        return -1;
    }
    /* EOF from a failed read is an error, never the end of a script that then "passed". */
    if (c == EOF && ferror(in)) {
        snprintf(err, errlen, "read error: %s", strerror(saved != 0 ? saved : EIO));
        return -1;
    }
    return c == EOF && line->len == 0 ? 0 : 1;
}

FILE *host_input_open_script(const char *path, char *err, size_t errlen)
{
    struct stat st;
    FILE *f;
    int fd, flags;

    /* O_NONBLOCK so that a FIFO without a writer cannot hang the open before fstat refuses it. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s is not a regular file (it is a %s); a command file must be one", path,
                 S_ISDIR(st.st_mode)    ? "directory"
                 : S_ISFIFO(st.st_mode) ? "FIFO"
                 : S_ISCHR(st.st_mode)  ? "character device"
                 : S_ISBLK(st.st_mode)  ? "block device"
                 : S_ISSOCK(st.st_mode) ? "socket"
                                        : "special file");
        close(fd);
        return NULL;
    }
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 || (f = fdopen(fd, "r")) == NULL) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    return f;
}
