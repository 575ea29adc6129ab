/* gateway_system.h - gateway calls about what surrounds volumes: the version, systems,
 * protection domains, storage pools and SDCs. Each makes exactly one request. */
#ifndef PFX_GATEWAY_SYSTEM_H
#define PFX_GATEWAY_SYSTEM_H

#include "gateway.h"

/* All functions: thread-safe; ids are PowerFlex ids (hex), checked before use (SP_E_INVALID);
 * out structs are zeroed first and owned by the caller (lists released with their *_clear);
 * errors name the object ("storage pool 1a2b...: gateway returned 500 (errorCode 171): ..."). */

/* GET /version: "3.5" into buf (digits and dots, validated). */
sp_status pfx_gw_version(pfx_gw_client *c, char *buf, size_t len, sp_error *err);

/* GET /types/System/instances; GET /instances/System::<id>. */
sp_status pfx_gw_list_systems(pfx_gw_client *c, pfx_gw_system_list *out, sp_error *err);
sp_status pfx_gw_system_get(pfx_gw_client *c, const char *system_id, pfx_gw_system *out, sp_error *err);

/* GET /instances/ProtectionDomain::<id>: its systemId is the pool's system. */
sp_status pfx_gw_protection_domain_get(pfx_gw_client *c, const char *pd_id, pfx_gw_protection_domain *out,
                                       sp_error *err);

/* GET /types/StoragePool/instances; GET /instances/StoragePool::<id>. */
sp_status pfx_gw_list_pools(pfx_gw_client *c, pfx_gw_pool_list *out, sp_error *err);
sp_status pfx_gw_pool_get(pfx_gw_client *c, const char *pool_id, pfx_gw_pool *out, sp_error *err);

/* The pool named `name` (case sensitive) within protection domain pd_id, or across the system
 * when pd_id is NULL: one list request. SP_E_NOT_FOUND when no pool has the name; across the
 * system, a name used in several protection domains is SP_E_INVALID (names are only unique
 * within a domain). */
sp_status pfx_gw_pool_find(pfx_gw_client *c, const char *pd_id, const char *name, pfx_gw_pool *out,
                           sp_error *err);

/* GET /instances/StoragePool::<id>/relationships/Statistics. */
sp_status pfx_gw_pool_get_stats(pfx_gw_client *c, const char *pool_id, pfx_gw_pool_stats *out, sp_error *err);

/* GET /types/Sdc/instances; GET /instances/Sdc::<id> (its state says whether it is connected). */
sp_status pfx_gw_list_sdcs(pfx_gw_client *c, pfx_gw_sdc_list *out, sp_error *err);
sp_status pfx_gw_sdc_get(pfx_gw_client *c, const char *sdc_id, pfx_gw_sdc *out, sp_error *err);

/* POST /types/Sdc/instances/action/queryIdByKey {"ip"}: the id of the SDC registered with ip
 * into buf. SP_E_NOT_FOUND when there is none. */
sp_status pfx_gw_sdc_id_by_ip(pfx_gw_client *c, const char *ip, char *buf, size_t len, sp_error *err);

#endif
