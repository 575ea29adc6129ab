/* sized.h - the ABI's sized value structs at the plugin's edge: a struct smaller than its 2.0
 * size is refused before anything reads or fills it (the growth rule of storage_plugin.h). */
#ifndef PFX_SIZED_H
#define PFX_SIZED_H

#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>

/* SP_OK when `s` (a sized struct: struct_size first) is NULL or at least min_size bytes by its
 * struct_size; else SP_E_VERSION naming the type and the method. NULL is left to the method's own
 * argument checks. */
sp_status pfx_sized_check(const void *s, size_t min_size, const char *type, const char *method,
                          sp_error *err);

/* The same for an array of n sized structs: element 0 gives the stride for all, and every element
 * must carry the same struct_size. */
sp_status pfx_sized_check_array(const void *base, size_t n, size_t min_size, const char *type,
                                const char *method, sp_error *err);

/* Element i of a caller's array of sized structs, stepped by `stride`: element 0's struct_size
 * read before anything was written (filling an element sets its struct_size to the plugin's size). */
#define PFX_AT(type, base, stride, i) ((type *)((uintptr_t)(base) + (uintptr_t)(i) * (uintptr_t)(stride)))

/* Refuses a sized struct `s` of type `T` smaller than SP_<T>_SIZE_2_0 (argument `min`). */
#define PFX_SIZED(s, T, min, method, err)                                                                    \
    do {                                                                                                     \
        sp_status pfx_sized_st_ = pfx_sized_check((s), (min), #T, (method), (err));                          \
        if (pfx_sized_st_ != SP_OK)                                                                          \
            return pfx_sized_st_;                                                                            \
    } while (0)

#endif
