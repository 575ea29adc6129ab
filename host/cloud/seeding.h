/* seeding.h - the journal of template copies being written onto pools. A template volume is
 * created, then filled through a host, then recorded in template_pool by the command's
 * transaction; a harness killed in between leaves a volume with partial data that nothing
 * records. A marker file <workdir>/seeding/<template id>-<pool id> is written before the volume
 * is created and read by the next harness start, which deletes such a volume. */
#ifndef HOST_SEEDING_H
#define HOST_SEEDING_H

#include "cs.h"
#include "jsonw.h"

/* Writes the marker for (template, pool). 0, or -1 with e set. */
int host_seeding_mark(host_cs *cs, int64_t template_id, int64_t pool_id, host_err *e);
/* Removes the marker (no error when absent). */
void host_seeding_clear(host_cs *cs, int64_t template_id, int64_t pool_id);
/* At start, inside the recovery transaction: for each marker whose copy is not in template_pool,
 * deletes the pool's template volume if there is one, then the marker; markers of recorded copies
 * just go. Best effort per marker: one that cannot be resolved now (pool unreachable) stays for
 * the next start and is reported with outcome "left" and the reason. Writes an array "seedings"
 * to w when there was any marker. Returns 0, or -1 when the database fails. */
int host_seeding_recover(host_cs *cs, host_jsonw *w, host_err *e);

#endif
