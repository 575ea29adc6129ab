/* clients.h - the storage clients of KVM hosts (PowerFlex: their SDCs), as CloudStack's
 * ScaleIOSDCManager handles them: with powerflex.connect.on.demand a host's client connects to a
 * pool's array before its first volume there is granted and disconnects after the last one is
 * revoked; without it, clients connect when a pool is attached to their hosts. */
#ifndef HOST_CLIENTS_H
#define HOST_CLIENTS_H

#include "cs.h"
#include "poolh.h"

/* powerflex.connect.on.demand for the pool (pool -> zone -> global). */
int host_clients_on_demand(host_cs *cs, int64_t pool_id);

/* Before access to a volume of pool_id on the host: the plugin's prepare_client (on demand only
 * unless always). A refusal (the limit, an SDC that cannot join) fails with the plugin's reason. */
int host_client_prepare(host_cs *cs, sp_pool *pool, int64_t pool_id, const host_href *href, int always,
                        host_err *e);

/* After an access was revoked: when the host holds no other volume of pool_id, on demand, the
 * plugin's unprepare_client; a client still in use by another pool of its array stays (logged).
 * check_rows 0 skips the harness's own count (undo steps run while the failed command's rows are
 * still there): the plugin's look at the array decides alone. */
int host_client_release(host_cs *cs, sp_pool *pool, int64_t pool_id, const host_href *href, int check_rows,
                        host_err *e);

/* For placement: *ok = 0 with the plugin's reason in why when the host cannot be given access to
 * pool_id's volumes now (check_host_access). Plugins without the method: *ok = 1. */
int host_client_can_access(host_cs *cs, int64_t pool_id, int64_t host_id, int *ok, char *why, size_t whylen,
                           host_err *e);

#endif
