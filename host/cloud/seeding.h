/* seeding.h - markers of template copies being written onto pools, as harnesses before the intent
 * journal (intent.h, which now announces a copy) left them: <workdir>/seeding/<template id>-<pool
 * id>, written before the template volume was created. A start still resolves the ones it finds:
 * a copy that is not recorded in template_pool holds part of the image and is deleted. */
#ifndef HOST_SEEDING_H
#define HOST_SEEDING_H

#include "cs.h"
#include "jsonw.h"

/* Removes the marker (no error when absent). */
void host_seeding_clear(host_cs *cs, int64_t template_id, int64_t pool_id);
/* At start, inside the recovery transaction: for each marker whose copy is not in template_pool,
 * deletes the pool's template volume if there is one, then the marker; markers of recorded copies
 * just go. Best effort per marker: one that cannot be resolved now (pool unreachable) stays for
 * the next start and is reported with outcome "left" and the reason. Writes an array "seedings"
 * to w when there was any marker. Returns 0, or -1 when the database fails. */
int host_seeding_recover(host_cs *cs, host_jsonw *w, host_err *e);

#endif
