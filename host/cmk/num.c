/* num.c - whole numbers from outside: digits only, range-checked before they can wrap. */
#include "config.h"

#include "num.h"

#include <inttypes.h>
#include <stdio.h>

int host_num_parse(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *why, size_t whylen)
{
    uint64_t v = 0;
    const char *p = s;

    if (s == NULL || *s == '\0') {
        snprintf(why, whylen, "is empty; give a whole number");
        return -1;
    }
    if (*s == '-') {
        snprintf(why, whylen, "is negative; give a whole number from %" PRIu64 " to %" PRIu64, min, max);
        return -1;
    }
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v) || v > max) {
            /* Reads on to tell a long number from trailing junk after a long number. */
            while (*p >= '0' && *p <= '9')
                p++;
            if (*p != '\0')
                break;
            snprintf(why, whylen, "is too large (at most %" PRIu64 ")", max);
            return -1;
        }
    }
    if (p == s || *p != '\0') {
        snprintf(why, whylen, "is not a whole number (digits only: no sign, blank, hex or unit)");
        return -1;
    }
    if (v < min) {
        snprintf(why, whylen, "is too small (at least %" PRIu64 ")", min);
        return -1;
    }
    *out = v;
    return 0;
}

int host_num_gb_to_bytes(uint64_t gb, int64_t *bytes)
{
    uint64_t b;

    if (__builtin_mul_overflow(gb, HOST_GIB, &b) || b > (uint64_t)INT64_MAX)
        return -1;
    *bytes = (int64_t)b;
    return 0;
}
