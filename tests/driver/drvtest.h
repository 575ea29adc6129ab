/* drvtest.h - common ground of the Lifecycle, Driver and Pool suites: the PowerFlex module
 * loaded through the ABI as a host loads it, simulators, pools made with Lifecycle.initialize
 * and opened from the details it sank, and what the suites read back from the simulator. */
#ifndef DRVTEST_H
#define DRVTEST_H

#include "services.h"
#include "simproc.h"
#include "storage_plugin.h"

#include <CUnit/Basic.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#define DT_POOL_UUID "fd5227cb-5538-4fef-8427-4aa97786ccbc"
#define DT_POOL_UUID2 "0c1d9a3e-77aa-4b1f-9c2e-1b2c3d4e5f60"
#define DT_POOL_KEY "27cb" /* characters 5 to 8 of DT_POOL_UUID */
#define DT_IDENT "ab12"    /* custom.cs.identifier */
#define DT_ZONE "zone-1"
#define DT_HOST1_IP "10.0.0.1"
#define DT_HOST2_IP "10.0.0.2"
#define GIB ((uint64_t)1 << 30)

extern const sp_lifecycle_ops *LC;
extern const sp_driver_ops *DRV;
extern const sp_pool_ops *POOLOPS;

/* Loads $top_builddir/plugin/powerflex.la with host services whose log goes to a temp file and
 * custom.cs.identifier = DT_IDENT. Exits 99 when the module cannot be loaded. */
void dt_load(void);
/* Unloads it and checks the log: no line may hold any string given to dt_secret(). Returns the
 * number of leaks found (printed). */
int dt_unload(void);
host_services *dt_services(void);
void dt_secret(const char *s);

/* A simulator with SDCs DT_HOST1_IP and DT_HOST2_IP and the extra arguments; exits 99 when it
 * does not start. Its password is registered as a secret. */
tsim *dt_sim(const char *const *extra);

/* powerflex://<user>:<password, %-encoded>@127.0.0.1:PORT/<pool>; password NULL: the sim's. */
char *dt_url(tsim *s, const char *pool, const char *password);

/* Pool details as the host stores them (what initialize sank). */
typedef struct dt_details {
    size_t n;
    sp_kv kv[32];
} dt_details;
void dt_sink(void *ctx, const char *key, const char *value);
const char *dt_detail(const dt_details *d, const char *key);
void dt_details_set(dt_details *d, const char *key, const char *value);
void dt_details_free(dt_details *d);

/* Create params for a zone-wide KVM pool with the sim's CA as powerflex.gw.cafile. */
typedef struct dt_params {
    sp_pool_create_params p;
    sp_kv details[1];
} dt_params;
void dt_params_init(dt_params *pp, tsim *s, const char *url, const char *uuid);

/* initialize + open; details_out (may be NULL) receives what was sunk. NULL (and why on
 * stderr) when either step fails. */
sp_pool *dt_pool(tsim *s, const char *pool_name, const char *uuid, dt_details *details_out, sp_capacity *cap);

/* Spec of a volume; qos strings may be NULL. */
sp_volume_spec dt_spec(sp_volume_kind kind, uint64_t id, uint64_t size, sp_provisioning prov);
sp_host_ref dt_host(const char *ip);

/* --- the simulator's view ------------------------------------------------------------------- */

/* Requests the gateway has answered so far, logins excluded. */
int dt_requests(tsim *s);
int dt_logins(tsim *s);
/* Count of one request template ("POST /api/instances/Volume::{id}/action/addMappedSdc"). */
int dt_count(tsim *s, const char *key);
int dt_fault(tsim *s, const char *spec);
void dt_clear_faults(tsim *s);
/* POST /sim/sdc/<ip>/state {"connected": ...}. */
int dt_sdc_connected(tsim *s, const char *ip, int connected);
/* The SDC id of ip (malloc'd), the system id (malloc'd). */
char *dt_sdc_id(tsim *s, const char *ip);
char *dt_system_id(tsim *s);

/* GET /sim/volumes parsed; free with yajl_tree_free. */
yajl_val dt_volumes(tsim *s);
/* The element with this id or name (borrowed from list), or NULL. */
yajl_val dt_vol_by_id(yajl_val list, const char *id);
yajl_val dt_vol_by_name(yajl_val list, const char *name);
size_t dt_vol_count(yajl_val list);
const char *dt_jstr(yajl_val obj, const char *key);
int64_t dt_jint(yajl_val obj, const char *key);
/* Number of mappings of a volume in the list (-1 when the volume is absent); the mapping to
 * the SDC with ip, or NULL. */
int dt_mappings(yajl_val vol);
yajl_val dt_mapping(yajl_val vol, const char *ip);

/* GET on /api/<path> as the sim's user (a login of its own); parsed, or NULL. */
yajl_val dt_api_get(tsim *s, const char *path);
/* POST on /api/<path>; the HTTP status. */
int dt_api_post(tsim *s, const char *path, const char *body);
/* The pool statistics object for a pool id, parsed (free the returned root). */
yajl_val dt_pool_stats(tsim *s, const char *pool_id);

/* The device of a volume mapped to the SDC with ip, once it is there (5 s deadline):
 * writes its path into buf. 0 when it appeared. */
int dt_wait_device(tsim *s, const char *vol_id, const char *ip, char *buf, size_t len);
/* Writes 4 KiB of `byte` at offset; reads them back: 1 when all 4 KiB are `byte`. */
int dt_write_block(const char *dev, uint64_t offset, unsigned char byte);
int dt_block_is(const char *dev, uint64_t offset, unsigned char byte);

/* "<id>" from "<id>:<name>" into buf. */
void dt_path_id(const char *path, char *buf, size_t len);

/* Runs the tests as one CUnit suite between setup and teardown; the process exit status. */
typedef struct dt_test {
    const char *name;
    void (*fn)(void);
} dt_test;
int dt_run(const char *suite, int (*setup)(void), int (*teardown)(void), const dt_test *tests);

#endif
