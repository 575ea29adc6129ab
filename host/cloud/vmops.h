/* vmops.h - a VM's lifecycle as CloudStack's orchestrator runs it: choosing a host, creating its
 * volumes, making them follow the VM (granted and connected only where it runs), system VMs. */
#ifndef HOST_VMOPS_H
#define HOST_VMOPS_H

#include "cs.h"

/* Starts a Stopped VM on host_hint (0: the first suitable host, fewest running VMs first):
 * creates its Allocated volumes, grants and connects every volume there, builds its config
 * drive. Undoes the array side on failure. */
int host_vm_start(host_cs *cs, int64_t vm_id, int64_t host_hint, host_err *e);
/* Stops a Running VM: disconnects and revokes its volumes on its host. */
int host_vm_stop(host_cs *cs, int64_t vm_id, host_err *e);
/* Deletes a VM snapshot: its group on the array, then its rows (api_snapshot.c). */
int host_vmsnapshot_delete(host_cs *cs, int64_t vmsnapshot_id, host_err *e);
/* Stops every running VM with a volume on pool_id (before maintenance). */
int host_vm_stop_on_pool(host_cs *cs, int64_t pool_id, host_err *e);

/* Creates a VM row and its ROOT volume (Allocated) from a template or ISO with the offering;
 * root_size 0 = the template's (or the disk offering's, for an ISO). Returns the VM id. */
int host_vm_create(host_cs *cs, const char *name, const char *type, int64_t zone_id, int64_t offering_id,
                   int64_t template_id, int64_t root_offering_id, uint64_t root_size, const char *userdata,
                   int64_t *vm_id, host_err *e);

/* The zone's system VMs (secondary storage VM, console proxy) from its SYSTEM template, when the
 * zone is Enabled and the template registered; nothing otherwise. */
int host_vm_system_deploy(host_cs *cs, int64_t zone_id, host_err *e);
/* The zone's guest network router, from the SYSTEM template (none without one: an L2 network). */
int host_router_ensure(host_cs *cs, int64_t zone_id, host_err *e);
/* The id of a built-in system offering ("router", "secondarystoragevm", "consoleproxy"). */
int host_system_offering(host_cs *cs, const char *kind, int64_t *out, host_err *e);

/* Builds the VM's config drive where the zone's settings put it (host cache or secondary
 * storage; PowerFlex pools cannot hold one) and records it; removes an old one first. */
int host_configdrive_build(host_cs *cs, int64_t vm_id, int64_t host_id, host_err *e);
/* Removes the VM's config drive ISO (when on host_id's cache, or any when host_id is 0). */
void host_configdrive_remove(host_cs *cs, int64_t vm_id, int64_t host_id);

#endif
