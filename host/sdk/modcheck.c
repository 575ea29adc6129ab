/* modcheck.c - checks a plugin file before the dynamic loader maps it.
 * Only headers and table bounds are read: enough to refuse truncated or foreign files. */
#include "config.h"

#include "modcheck.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if UINTPTR_MAX == 0xffffffffffffffffu
typedef Elf64_Ehdr ehdr_t;
typedef Elf64_Phdr phdr_t;
#define HOST_ELFCLASS ELFCLASS64
#else
typedef Elf32_Ehdr ehdr_t;
typedef Elf32_Phdr phdr_t;
#define HOST_ELFCLASS ELFCLASS32
#endif

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#elif defined(__i386__)
#define HOST_MACHINE EM_386
#else
#define HOST_MACHINE -1
#endif

static int fits(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

static int check_elf(int fd, const char *path, uint64_t size, char *errbuf, size_t errbuf_len)
{
    ehdr_t eh;
    phdr_t ph;

    if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh)) {
        snprintf(errbuf, errbuf_len, "%s is truncated: no complete ELF header", path);
        return -1;
    }
    if (eh.e_ident[EI_CLASS] != HOST_ELFCLASS || eh.e_type != ET_DYN ||
        (HOST_MACHINE != -1 && eh.e_machine != HOST_MACHINE)) {
        snprintf(errbuf, errbuf_len, "%s is not a shared object for this machine", path);
        return -1;
    }
    if (eh.e_phentsize != sizeof(phdr_t) || !fits(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(phdr_t), size)) {
        snprintf(errbuf, errbuf_len, "%s is truncated or damaged: program headers lie outside the file",
                 path);
        return -1;
    }
    if (eh.e_shnum != 0 && !fits(eh.e_shoff, (uint64_t)eh.e_shnum * eh.e_shentsize, size)) {
        snprintf(errbuf, errbuf_len, "%s is truncated: section headers lie outside the file", path);
        return -1;
    }
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * sizeof(ph))) !=
            (ssize_t)sizeof(ph)) {
            snprintf(errbuf, errbuf_len, "%s: cannot read program header %u", path, i);
            return -1;
        }
        if (ph.p_type == PT_LOAD && !fits(ph.p_offset, ph.p_filesz, size)) {
            snprintf(errbuf, errbuf_len, "%s is truncated: a loadable segment ends past the file's end",
                     path);
            return -1;
        }
    }
    return 0;
}

/* Finds dlname='...' in a libtool archive and returns the shared object's path (malloc'd). */
static char *la_shared_object(int fd, const char *path, char *errbuf, size_t errbuf_len)
{
    char text[8192];
    ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
    const char *p, *end;
    char dir[4096], *slash, *candidate = NULL;
    struct stat st;

    if (n <= 0) {
        snprintf(errbuf, errbuf_len, "%s: cannot read libtool file", path);
        return NULL;
    }
    text[n] = '\0';
    p = strstr(text, "\ndlname='");
    if (p == NULL || (end = strchr(p + 9, '\'')) == NULL || end == p + 9) {
        snprintf(errbuf, errbuf_len, "%s is a libtool file without a shared object (dlname)", path);
        return NULL;
    }
    p += 9;
    if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
        snprintf(errbuf, errbuf_len, "plugin path is too long");
        return NULL;
    }
    slash = strrchr(dir, '/');
    if (slash != NULL)
        *slash = '\0';
    else
        strcpy(dir, ".");
    /* libtool looks beside the .la (installed) and in .libs/ (build tree). */
    for (int pass = 0; pass < 2; pass++) {
        free(candidate);
        if (asprintf(&candidate, "%s/%s%.*s", dir, pass == 0 ? "" : ".libs/", (int)(end - p), p) < 0) {
            candidate = NULL;
            break;
        }
        if (stat(candidate, &st) == 0)
            return candidate;
    }
    free(candidate);
    snprintf(errbuf, errbuf_len, "%s names shared object %.*s, which does not exist", path, (int)(end - p),
             p);
    return NULL;
}

int host_module_check(const char *path, char *errbuf, size_t errbuf_len)
{
    unsigned char magic[4];
    struct stat st;
    int fd, rc = -1;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(errbuf, errbuf_len, "cannot open plugin %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(errbuf, errbuf_len, "plugin %s is not a regular file", path);
        goto out;
    }
    if (pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic)) {
        snprintf(errbuf, errbuf_len, "%s is too short to be a plugin", path);
        goto out;
    }
    if (memcmp(magic, ELFMAG, SELFMAG) == 0) {
        rc = check_elf(fd, path, (uint64_t)st.st_size, errbuf, errbuf_len);
    } else if (magic[0] == '#') {
        char *so = la_shared_object(fd, path, errbuf, errbuf_len);
        if (so != NULL) {
            rc = host_module_check(so, errbuf, errbuf_len);
            free(so);
        }
    } else {
        snprintf(errbuf, errbuf_len, "%s is neither an ELF shared object nor a libtool .la file", path);
    }
out:
    close(fd);
    return rc;
}
