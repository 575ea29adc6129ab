/* client.h - this host's storage client (the SDC) and a pool's system: joining the system's MDMs
 * when a volume of it is first needed on the host and leaving when the last one is gone
 * (CloudStack's powerflex.connect.on.demand), within storage.pool.connected.clients.limit.
 * Threads: everything here may run concurrently; changes for one system are serialised by a lock
 * of that system (CloudStack's PowerFlexSDC-SystemId lock). */
#ifndef PFX_CLIENT_H
#define PFX_CLIENT_H

#include "adaptor_impl.h"
#include "poolhandle.h"
#include "storage_plugin.h"

#include <stdint.h>

#define PFX_CONNECTED_SDC_COUNT "ConnectedSDCCount" /* the custom statistic */

/* powerflex.connect.on.demand for the pool (the host walks pool -> zone -> global). */
int pfx_client_on_demand(sp_pool *pool);

/* Joins this host's SDC to the pool's system unless it is joined (drv_cfg --query_mdms, or what
 * this process did last), then waits for drv_cfg and the gateway to see it connected.
 * *joined_now (may be NULL) says whether this call joined it. SP_E_NO_SPACE at the limit. */
sp_status pfx_client_prepare(sp_pool *pool, const sp_host_ref *host, const pfx_host_cfg *cfg, char *sdc_id,
                             size_t sdc_id_len, int *joined_now, sp_error *err);

/* Leaves the pool's system unless a volume of it is still mapped to this host's SDC (SP_E_BUSY,
 * nothing changed). SP_OK when the SDC was not joined. */
sp_status pfx_client_unprepare(sp_pool *pool, const sp_host_ref *host, const pfx_host_cfg *cfg,
                               sp_error *err);

/* Forgets what this process knew of SDCs' memberships of the system (a pool of it was closed: the
 * host may reopen it after other processes changed them); the next prepare asks drv_cfg again. */
void pfx_client_forget_system(const char *system_id);

/* The tables' methods. */
sp_status pfx_drv_check_host_access(sp_pool *pool, const sp_host_ref *host, sp_error *err);
sp_status pfx_drv_custom_stats(sp_pool *pool, sp_kv_sink sink, void *sink_ctx, sp_error *err);
sp_status pfx_ad_prepare_client(sp_pool *pool, const sp_host_ref *host, char *client_id_out, sp_error *err);
sp_status pfx_ad_unprepare_client(sp_pool *pool, const sp_host_ref *host, sp_error *err);

#endif
