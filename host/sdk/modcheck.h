/* modcheck.h - checks a plugin file before the dynamic loader maps it.
 * glibc's dlopen crashes the process (SIGBUS) on a truncated ELF, so the harness looks first. */
#ifndef HOST_MODCHECK_H
#define HOST_MODCHECK_H

#include <stddef.h>

/* Checks that `path` is a complete ELF shared object for this machine, or a libtool .la file
 * whose shared object is. Returns 0, or -1 with the reason in errbuf. */
int host_module_check(const char *path, char *errbuf, size_t errbuf_len);

#endif
