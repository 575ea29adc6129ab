/* Volume data as sparse files: creation, growth, sparse-aware copies, allocated-space figures
 * and the read-only switch, so the SDC emulation's devices read and write real bytes. */
#ifndef SIM_DATAFILE_H
#define SIM_DATAFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 0 or -errno. */
int sim_data_create(const char *path, uint64_t size_bytes);
int sim_data_resize(const char *path, uint64_t size_bytes);
/* Replaces dst's content with src's (sizes kept; dst beyond src reads zeros). Holes stay holes. */
int sim_data_copy(const char *src, const char *dst);
void sim_data_remove(const char *path);
/* KB allocated by the union of the files' data extents: blocks present in several files (a
 * snapshot and its source) count once, the way a V-Tree shares them. */
uint64_t sim_data_union_kb(const char *const *paths, size_t n);
/* Silent corruption for tests: inverts the byte at offset (within the file's size). 0 or -errno. */
int sim_data_corrupt(const char *path, uint64_t offset);
/* Makes the file unwritable, also for root (immutable flag). Returns true when enforced. */
bool sim_data_set_readonly(const char *path, bool readonly);

#endif
