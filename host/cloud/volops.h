/* volops.h - what happens to one volume on the array and on hosts: placing and creating it
 * (templates seeded once per pool), granting and connecting it to the host running its VM,
 * revoking it, and deleting it. Every step undoes itself when it fails half way. */
#ifndef HOST_VOLOPS_H
#define HOST_VOLOPS_H

#include "cs.h"
#include "poolh.h"

/* A volume row as the operations need it. */
typedef struct host_vol {
    int64_t id;
    char uuid[40];
    char name[256];
    char type[12]; /* ROOT or DATADISK (CloudStack's Volume.Type) */
    char state[16];
    int64_t vm_id;
    int64_t pool_id; /* 0 while Allocated */
    int64_t zone_id;
    int64_t offering_id;
    int64_t template_id;
    char path[SP_PATH_MAX];
    uint64_t size;
    char provisioning[8]; /* thin, sparse or fat */
    char iops[32];
    char bw[32];
} host_vol;

int host_vol_load(host_cs *cs, int64_t id, host_vol *v, host_err *e);

/* What an offering gives the volumes made with it. */
typedef struct host_offering_row {
    char kind[16];        /* service or disk */
    char provisioning[8]; /* thin, sparse or fat */
    char iops[32];        /* QoS detail strings, "" when unlimited */
    char bw[32];
    char tags[512];
    int64_t disksize; /* bytes; 0 for a customized disk offering */
    int customized;
} host_offering_row;

int host_offering_load(host_cs *cs, int64_t id, host_offering_row *o, host_err *e);

/* Inserts an Allocated DATA volume of disk offering `offering` in zone: the offering's size, or
 * size_bytes for a customized one (required there, refused elsewhere), its provisioning and QoS.
 * vm 0: detached; else attached at deviceid. name NULL: the volume's uuid. *out: the row id. */
int host_volume_new_data(host_cs *cs, const char *name, int64_t zone, int64_t offering, int64_t size_bytes,
                         int64_t vm, int64_t deviceid, int64_t *out, host_err *e);
/* The volume's QoS as the plugin takes it (strings borrowed from v). */
sp_qos host_vol_qos(const host_vol *v);
sp_provisioning host_provisioning(const char *type);

/* Places an Allocated volume on a pool reachable from cluster_id (the allocator) and creates it
 * there: a DATA volume blank, a ROOT volume from its template (seeding the template on the pool
 * through host_id when needed) or blank for an ISO. The volume becomes Ready. */
int host_vol_realize(host_cs *cs, int64_t volume_id, int64_t cluster_id, int64_t host_id, host_err *e);

/* Deletes the volume on the array (Driver.delete_volume unmaps it first). The row stays. */
int host_vol_delete_on_array(host_cs *cs, const host_vol *v, host_err *e);
/* The same once the running command has committed (undo.h): for a command whose rows would lose
 * the volume's last trace before the delete (a reinstall, an expunge), so a kill before its commit
 * leaves the volume in place and in the rows, and one after it leaves the delete to the next start. */
int host_vol_delete_after_commit(host_cs *cs, const host_vol *v, host_err *e);

/* Grants the volume to host_id with its QoS (allow_multiple during a live migration), connects
 * it there and records the device. Undone when connecting fails. */
int host_access_grant(host_cs *cs, int64_t volume_id, int64_t host_id, int allow_multiple, host_err *e);
/* Revokes the volume from host_id, waits for its device to go, forgets the device. */
int host_access_revoke(host_cs *cs, int64_t volume_id, int64_t host_id, host_err *e);
/* Revokes the volume from every host the harness granted it to. */
int host_access_revoke_all(host_cs *cs, int64_t volume_id, host_err *e);

/* A host that reaches pool_id (Up, its SDC connected), preferring `prefer`; 0 when none. */
int host_pick_host_for_pool(host_cs *cs, int64_t pool_id, int64_t prefer, int64_t *out, host_err *e);

/* Reverts the volumes of VM snapshot vm_snapshot_id on the array (Driver.revert_vm_snapshot) and
 * records what they hold (api_snapshot.c). The VM must be stopped. 0, or -1 with e. */
int host_vmsnapshot_revert(host_cs *cs, int64_t vm_snapshot_id, host_err *e);

/* The seeded copy of a template on a pool, seeding it through host_id when there is none. */
int host_template_seed(host_cs *cs, int64_t template_id, int64_t pool_id, int64_t host_id, char *path,
                       size_t pathlen, host_err *e);

#endif
