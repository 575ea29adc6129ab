/* copyjournal.h - a crash-safe record of each cross-array copy in flight on this host, under
 * <host.cache.location>/powerflex-copies/, so that a copy cut short by a crash is finished or undone.
 *
 * Phases, in the only order they may advance, and what recovery must do at each (the policy is
 * the adaptor's recover_copies; this is the contract it implements):
 *   created-target  the target volume exists on the destination array; nothing copied yet.
 *                   -> roll back: delete the target. The source is untouched and still the volume.
 *   copying         blocks are being copied; the target holds an unknown mix.
 *                   -> roll back: delete the target, keep the source.
 *   verified        the copy is complete, flushed, and was read back equal to the source.
 *                   -> finish: the target is the volume; the host may now retire the source.
 *   done            the host took the target and retired the source; only the record is left.
 *                   -> remove the record.
 * A record that cannot be read (torn, damaged, or from a newer version) is reported with its
 * file name and never taken for a verified copy: the source is only ever given up on a record
 * that reads back whole and says "verified" or "done".
 *
 * One file per copy, "<key>.copy", text:
 *   pfx-copy-journal 1
 *   key=<key>
 *   phase=<phase>
 *   source_pool=..., source_volume=..., target_pool=..., target_volume=...
 *   updated=<unix seconds>
 *   source_in_use=1   (only when the source was mapped to this host before the copy: a running
 *                      VM's disk, which recovery must leave mapped; records without it read as 0)
 *   sha256=<hex of every byte above this line>
 * Each write goes to ".<key>.tmp", is fsync'ed, renamed over the record, and the directory is
 * fsync'ed: after a crash the record is the old one or the new one. The checksum catches the
 * rest (a file system that lost data, a hand edit).
 *
 * Threads: calls for different keys may run concurrently; one key is one copy, and its calls are
 * made in order by the one thread that runs that copy. */
#ifndef PFX_COPYJOURNAL_H
#define PFX_COPYJOURNAL_H

#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>

#define PFX_COPYJOURNAL_DIR "powerflex-copies" /* under host.cache.location */
#define PFX_COPY_KEY_MAX 64
#define PFX_COPY_POOL_MAX 128

typedef enum pfx_copy_phase {
    PFX_COPY_CREATED_TARGET = 1,
    PFX_COPY_COPYING = 2,
    PFX_COPY_VERIFIED = 3,
    PFX_COPY_DONE = 4
} pfx_copy_phase;

typedef struct pfx_copy_record {
    char key[PFX_COPY_KEY_MAX + 1]; /* names the record; [A-Za-z0-9_.-], no leading '.' */
    pfx_copy_phase phase;
    char source_pool[PFX_COPY_POOL_MAX]; /* the host's pool uuid */
    char source_volume[SP_PATH_MAX];     /* the volume path, "<volumeId>:<name>" */
    char target_pool[PFX_COPY_POOL_MAX];
    char target_volume[SP_PATH_MAX];
    int64_t updated;   /* unix seconds of the last write (set by write) */
    int source_in_use; /* the source was mapped to this host before the copy (a running VM's disk) */
} pfx_copy_record;

/* "created-target", "copying", "verified", "done". */
const char *pfx_copy_phase_name(pfx_copy_phase phase);
/* 1 and *phase set when name is one of the above, else 0. */
int pfx_copy_phase_parse(const char *name, pfx_copy_phase *phase);
/* Whether recovery rolls back (phase before verified) rather than finishes. */
int pfx_copy_phase_rolls_back(pfx_copy_phase phase);

int pfx_copyjournal_key_ok(const char *key);

/* Creates or replaces the record rec->key (fields must be non-empty and free of control
 * characters; updated is set to now). The directory is created 0700 when missing. */
sp_status pfx_copyjournal_write(const char *cache_dir, const pfx_copy_record *rec, sp_error *err);

/* Advances a record to `phase`. Going back (verified -> copying) is SP_E_STATE; the same phase
 * again is SP_OK. SP_E_NOT_FOUND when there is no record. */
sp_status pfx_copyjournal_set_phase(const char *cache_dir, const char *key, pfx_copy_phase phase,
                                    sp_error *err);

/* Reads one record. SP_E_NOT_FOUND when absent; SP_E_PROTOCOL when it is damaged (the message
 * says how). */
sp_status pfx_copyjournal_read(const char *cache_dir, const char *key, pfx_copy_record *out, sp_error *err);

/* Deletes a record (and a temporary file a crash left). An absent record is SP_OK. */
sp_status pfx_copyjournal_remove(const char *cache_dir, const char *key, sp_error *err);

/* Calls each(ctx, key, rec, problem) for every record, in key order: rec is the record, or NULL
 * when it is damaged, with problem (never NULL then) saying how. The strings and structs live
 * only during the call. A missing journal directory lists nothing. */
typedef void (*pfx_copyjournal_each)(void *ctx, const char *key, const pfx_copy_record *rec,
                                     const sp_error *problem);
sp_status pfx_copyjournal_list(const char *cache_dir, pfx_copyjournal_each each, void *ctx, sp_error *err);

/* --- durable files (also used by configdrive) ----------------------------------------------- */

/* mkdir -p: missing directories are created 0700; existing ones are left as they are. With
 * durable, the parent of each directory created is synced, so that it survives a crash. path
 * must be absolute. */
sp_status pfx_make_private_dirs(const char *path, int durable, sp_error *err);

/* Writes all of buf to fd (retrying short writes); SP_E_NO_SPACE or SP_E_IO naming path. */
sp_status pfx_write_all(int fd, const void *buf, size_t len, const char *path, sp_error *err);

/* fsync of a file, or of a directory (which makes renames and unlinks in it durable). */
sp_status pfx_sync_path(const char *path, sp_error *err);

#endif
