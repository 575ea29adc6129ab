/* num.h - whole numbers from outside (API parameters, settings): one parser with range checks for
 * all of them, and the GB to bytes conversion, so that no size wraps or turns negative. */
#ifndef HOST_NUM_H
#define HOST_NUM_H

#include <stddef.h>
#include <stdint.h>

#define HOST_GIB (UINT64_C(1) << 30)
/* The largest size in GB whose bytes fit the database's (and SQLite's) signed 64-bit integers. */
#define HOST_GB_MAX ((uint64_t)INT64_MAX / HOST_GIB)

/* Reads s as a whole decimal number in [min, max]: ASCII digits only, so an empty value, a sign,
 * blanks, hex, an exponent or trailing text are refused, as is a value outside the range (never
 * wrapped). 0 with *out, or -1 with the reason in why ("is not a whole number", "is too large
 * (at most N)", ...; without the value, which the caller names). */
int host_num_parse(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *why, size_t whylen);

/* gb GiB in bytes; -1 when that does not fit in int64_t. */
int host_num_gb_to_bytes(uint64_t gb, int64_t *bytes);

#endif
