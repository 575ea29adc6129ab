/* What the MDM does to volumes: create, remove, resize, rename, snapshot, overwrite, map, limit
 * and migrate, with the array's rules and refusals. All take the model lock held. */
#ifndef SIM_VOLOPS_H
#define SIM_VOLOPS_H

#include "errors.h"
#include "model.h"

/* name rules: SIM_OK, SIM_E_LONG_NAME, SIM_E_INVALID_NAME or SIM_E_NAME_IN_USE (other than self) */
enum sim_err sim_name_check(struct sim_model *m, const char *name, const struct sim_volume *self);

enum sim_err sim_volume_create(struct sim_model *m, const char *name, struct sim_pool *pool, uint64_t size_kb,
                               bool thick, struct sim_volume **out);

enum sim_remove_mode {
    SIM_RM_ONLY_ME,
    SIM_RM_INCLUDING_DESCENDANTS,
    SIM_RM_DESCENDANTS_ONLY,
    SIM_RM_WHOLE_VTREE
};
enum sim_err sim_volume_remove(struct sim_model *m, struct sim_volume *v, enum sim_remove_mode mode);
/* busy_check false: the caller checked and marks the V-Trees itself (a group removal). */
enum sim_err sim_volume_remove_ex(struct sim_model *m, struct sim_volume *v, enum sim_remove_mode mode,
                                  bool busy_check);
/* --removal-ms: a removal keeps what is left of its V-Tree busy (errorCode 212) for a while. */
bool sim_removal_busy(struct sim_model *m, const struct sim_vtree *t);
void sim_removal_mark(struct sim_model *m, const char *vtree_id);
enum sim_err sim_volume_resize(struct sim_model *m, struct sim_volume *v, uint64_t size_gib);
enum sim_err sim_volume_rename(struct sim_model *m, struct sim_volume *v, const char *name);

struct sim_snapdef {
    const char *volume_id;
    const char *name; /* may be NULL */
};
/* Creates one consistency group; ids[i] receives the snapshot of defs[i]. */
enum sim_err sim_snapshot_create(struct sim_model *m, const struct sim_snapdef *defs, size_t n,
                                 sim_idbuf group_out, sim_idbuf *ids_out);
enum sim_err sim_snapshot_remove_group(struct sim_model *m, const char *group, size_t *removed);
enum sim_err sim_volume_overwrite(struct sim_model *m, struct sim_volume *dst, const char *src_id);

/* Many objects at once, for scale tests: n thin volumes of size_kb named "vol-<k>-<suffix>"
 * (k counting on from the model's bulk counter), each in a V-Tree of its own, and nsnaps
 * snapshots "snap-<k>-<suffix>" spread over them in turn (none over 126 in a V-Tree). Names are
 * not checked one by one against the model (that would cost n^2): one pass refuses the call
 * (SIM_E_NAME_IN_USE) when any name it would give is taken. Capacity is not checked. Their data files are
 * created empty (sparse). *vols and *snaps (n and nsnaps entries, the caller frees them) point at the new
 * objects. */
enum sim_err sim_volume_bulk(struct sim_model *m, struct sim_pool *pool, size_t n, size_t nsnaps,
                             uint64_t size_kb, const char *suffix, struct sim_volume ***vols,
                             struct sim_volume ***snaps);

/* sdc == NULL maps to all SDCs. */
enum sim_err sim_map_add(struct sim_model *m, struct sim_volume *v, struct sim_sdc *sdc, bool allow_multiple,
                         const char *access_mode);
enum sim_err sim_map_remove(struct sim_model *m, struct sim_volume *v, struct sim_sdc *sdc);
/* iops/bw < 0: leave unchanged */
enum sim_err sim_map_limits(struct sim_model *m, struct sim_volume *v, struct sim_sdc *sdc, int64_t iops,
                            int64_t bw_kbps);
void sim_volume_set_readonly(struct sim_volume *v, bool readonly);

#endif
