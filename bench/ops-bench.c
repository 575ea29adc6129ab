/* ops-bench.c - gateway requests per plugin operation, next to the fewest the PowerFlex REST API
 * allows for it. Each Driver operation, and the Lifecycle, Pool and Adaptor operations that reach
 * the gateway or the host's SDC, runs once through the plugin's ABI against two simulated systems
 * (ops-fixture.c), with the simulators' counters reset just before the call and read just after.
 *
 * Steady state is what counts: pools opened, attached and logged in beforehand (token held,
 * connection open, the host's SDC id cached), as in a host that has been running. Each call is
 * also made on a handle opened just before it ("cold": a first login, SDC look-ups).
 * Objects a call needs are made before the counters are reset, and removed after they are read.
 *
 *   bench/ops-bench        (make bench; needs $top_builddir, default the tree it is built in)
 * One line per operation:
 *   op NAME requests=N minimum=M cold=C ok|OVER|UNDER|FAILED: the requests it made
 * then "  cold: ..." when the cold call made others, and last:
 *   ops=N at_minimum=N over_minimum=N under_minimum=N failed=N
 * Exit status 1 when an operation failed, made more requests than its minimum, or fewer (then the
 * minimum written here is wrong, or the plugin skipped a step). */
#include "config.h"

#include "ops-fixture.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GIB (UINT64_C(1) << 30)
#define MAX_MADE 8

typedef struct made {
    int pool;
    char path[SP_PATH_MAX];
} made;

/* One call's world: the handles it runs on, what was made for it, what it returned. */
typedef struct ctx {
    of_fixture *f;
    const sp_plugin *sp;
    sp_pool *pool[OF_POOLS]; /* warm, or opened just now */
    sp_volume_info vol[2], snap[2], out;
    uint64_t template_id;
    sp_snapshot_group_info group;
    char image_out[PATH_MAX];
    sp_pool *opened; /* Lifecycle.open's handle */
    of_details sunk; /* what initialize or update handed back */
    made made[MAX_MADE];
    size_t n_made;
    int has_group;
} ctx;

typedef struct op {
    const char *name;
    int minimum;
    int (*prepare)(ctx *c); /* on the warm handles, not counted; 0 or -1 */
    sp_status (*run)(ctx *c, sp_error *err);
} op;

static uint64_t next_id = 1000;

/* --- objects made before a call (warm handles, not counted) --------------------------------- */

static void remember(ctx *c, int pool, const char *path)
{
    if (c->n_made < MAX_MADE && path[0] != '\0') {
        c->made[c->n_made].pool = pool;
        snprintf(c->made[c->n_made].path, sizeof(c->made[c->n_made].path), "%s", path);
        c->n_made++;
    }
}

static int failed(const char *what, const sp_error *err)
{
    fprintf(stderr, "ops-bench: preparing: %s: %s\n", what, err->message);
    return -1;
}

static int make_volume(ctx *c, sp_volume_kind kind, sp_volume_info *out)
{
    sp_volume_spec spec = {SP_SIZED(sp_volume_spec), .kind = kind, .id = next_id++, .size_bytes = 8 * GIB,
                           .provisioning = SP_PROVISION_THIN};
    sp_error err;

    if (kind == SP_VOLUME_TEMPLATE)
        c->template_id = spec.id;
    if (c->sp->driver->create_volume(c->f->warm[OF_MAIN], &spec, out, &err) != SP_OK)
        return failed("create_volume", &err);
    remember(c, OF_MAIN, out->path);
    return 0;
}

static int prep_volume(ctx *c)
{
    return make_volume(c, SP_VOLUME_DATA, &c->vol[0]);
}

static int prep_template(ctx *c)
{
    return make_volume(c, SP_VOLUME_TEMPLATE, &c->vol[0]);
}

static int prep_snapshot(ctx *c)
{
    sp_error err;

    if (prep_volume(c) != 0)
        return -1;
    if (c->sp->driver->create_snapshot(c->f->warm[OF_MAIN], &(sp_volume_ref){c->vol[0].path}, next_id++,
                                       &c->snap[0], &err) != SP_OK)
        return failed("create_snapshot", &err);
    remember(c, OF_MAIN, c->snap[0].path);
    return 0;
}

/* A VM's ROOT and DATA volumes. */
static int prep_two_volumes(ctx *c)
{
    return make_volume(c, SP_VOLUME_ROOT, &c->vol[0]) != 0 ? -1 : make_volume(c, SP_VOLUME_DATA, &c->vol[1]);
}

static int prep_group(ctx *c)
{
    sp_volume_ref refs[2];
    uint64_t ids[2];
    sp_error err;

    if (prep_two_volumes(c) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        refs[i].path = c->vol[i].path;
        ids[i] = next_id++;
    }
    if (c->sp->driver->create_vm_snapshot(c->f->warm[OF_MAIN], next_id++, refs, ids, 2, &c->group, c->snap,
                                          &err) != SP_OK)
        return failed("create_vm_snapshot", &err);
    c->has_group = 1;
    return 0;
}

static int prep_granted(ctx *c)
{
    sp_error err;

    if (prep_volume(c) != 0)
        return -1;
    if (c->sp->driver->grant_access(c->f->warm[OF_MAIN], &(sp_volume_ref){c->vol[0].path}, &c->f->host, NULL,
                                    0, &err) != SP_OK)
        return failed("grant_access", &err);
    return 0;
}

static int prep_connected(ctx *c)
{
    sp_disk_info disk = SP_INIT(sp_disk_info);
    sp_error err;

    if (prep_granted(c) != 0)
        return -1;
    if (c->sp->adaptor->connect_volume(c->f->warm[OF_MAIN], &(sp_volume_ref){c->vol[0].path}, &c->f->host,
                                       &disk, &err) != SP_OK)
        return failed("connect_volume", &err);
    return 0;
}

/* Connected, then access revoked: what disconnect_volume finds. */
static int prep_revoked(ctx *c)
{
    sp_error err;

    if (prep_connected(c) != 0)
        return -1;
    if (c->sp->driver->revoke_access(c->f->warm[OF_MAIN], &(sp_volume_ref){c->vol[0].path}, &c->f->host,
                                     &err) != SP_OK)
        return failed("revoke_access", &err);
    return 0;
}

/* Removes what was made, newest first (a snapshot before its volume), with the warm handles. */
static void clean_up(ctx *c)
{
    sp_error err;

    if (c->has_group &&
        c->sp->driver->delete_vm_snapshot(c->f->warm[OF_MAIN], c->group.group_id, &err) != SP_OK)
        fprintf(stderr, "ops-bench: cleaning up group %s: %s\n", c->group.group_id, err.message);
    while (c->n_made > 0) {
        made *m = &c->made[--c->n_made];
        if (c->sp->driver->delete_volume(c->f->warm[m->pool], &(sp_volume_ref){m->path}, &err) != SP_OK)
            fprintf(stderr, "ops-bench: cleaning up %s: %s\n", m->path, err.message);
    }
    if (c->image_out[0] != '\0')
        unlink(c->image_out);
    if (c->opened != NULL)
        c->sp->lifecycle->close(c->opened);
    of_details_free(&c->sunk);
}

/* --- the calls counted ---------------------------------------------------------------------- */

static sp_volume_ref ref0(ctx *c)
{
    return (sp_volume_ref){c->vol[0].path};
}

static sp_status run_initialize(ctx *c, sp_error *err)
{
    char url[512];
    sp_kv cafile;
    sp_pool_create_params p = SP_INIT(sp_pool_create_params);
    sp_capacity cap = SP_INIT(sp_capacity);

    of_create_params(c->f, OF_MAIN, url, sizeof(url), &cafile, &p);
    return c->sp->lifecycle->initialize(&p, of_details_sink, &c->sunk, &cap, err);
}

static sp_status run_open(ctx *c, sp_error *err)
{
    return of_open(c->f, OF_MAIN, &c->opened, err);
}

static sp_status run_attach(ctx *c, sp_error *err)
{
    sp_host_attach_result res = SP_INIT(sp_host_attach_result);

    return c->sp->lifecycle->attach(c->pool[OF_MAIN], SP_POOL_SCOPE_ZONE, &c->f->host, 1, &res, err);
}

/* The credentials the pool has, as an operator re-enters them. */
static sp_status run_update(ctx *c, sp_error *err)
{
    tsim *s = c->f->sim[0];
    sp_kv kv[] = {{"powerflex.gw.username", tsim_user(s)}, {"powerflex.gw.password", tsim_password(s)}};

    return c->sp->lifecycle->update(c->pool[OF_MAIN], kv, 2, of_details_sink, &c->sunk, err);
}

static sp_status run_create(ctx *c, sp_error *err)
{
    sp_volume_spec spec = {SP_SIZED(sp_volume_spec), .kind = SP_VOLUME_DATA, .id = next_id++,
                           .size_bytes = 3 * GIB};
    sp_status st = c->sp->driver->create_volume(c->pool[OF_MAIN], &spec, &c->out, err);

    remember(c, OF_MAIN, st == SP_OK ? c->out.path : "");
    return st;
}

static sp_status run_delete(ctx *c, sp_error *err)
{
    sp_volume_ref r = ref0(c);

    return c->sp->driver->delete_volume(c->pool[OF_MAIN], &r, err);
}

static sp_status run_resize(ctx *c, sp_error *err)
{
    sp_volume_ref r = ref0(c);

    return c->sp->driver->resize_volume(c->pool[OF_MAIN], &r, 16 * GIB, &c->out, err);
}

static sp_status run_get(ctx *c, sp_error *err)
{
    sp_volume_ref r = ref0(c);

    return c->sp->driver->get_volume(c->pool[OF_MAIN], &r, &c->out, err);
}

static sp_status run_find_template(ctx *c, sp_error *err)
{
    return c->sp->driver->find_template(c->pool[OF_MAIN], c->template_id, &c->out, err);
}

static sp_status from_template(ctx *c, uint64_t size, sp_error *err)
{
    sp_volume_spec spec = {SP_SIZED(sp_volume_spec), .kind = SP_VOLUME_ROOT, .id = next_id++,
                           .size_bytes = size};
    sp_volume_ref r = ref0(c);
    sp_status st = c->sp->driver->create_volume_from_template(c->pool[OF_MAIN], &r, &spec, &c->out, err);

    remember(c, OF_MAIN, st == SP_OK ? c->out.path : "");
    return st;
}

static sp_status run_from_template(ctx *c, sp_error *err)
{
    return from_template(c, 8 * GIB, err);
}

static sp_status run_from_template_grown(ctx *c, sp_error *err)
{
    return from_template(c, 20 * GIB, err);
}

static sp_status run_snapshot(ctx *c, sp_error *err)
{
    sp_volume_ref r = ref0(c);
    sp_status st = c->sp->driver->create_snapshot(c->pool[OF_MAIN], &r, next_id++, &c->out, err);

    remember(c, OF_MAIN, st == SP_OK ? c->out.path : "");
    return st;
}

static sp_status run_revert(ctx *c, sp_error *err)
{
    sp_volume_ref r = ref0(c), s = {c->snap[0].path};

    return c->sp->driver->revert_snapshot(c->pool[OF_MAIN], &r, &s, err);
}

static sp_status run_delete_snapshot(ctx *c, sp_error *err)
{
    sp_volume_ref s = {c->snap[0].path};

    return c->sp->driver->delete_snapshot(c->pool[OF_MAIN], &s, err);
}

static sp_status run_vm_snapshot(ctx *c, sp_error *err)
{
    sp_volume_ref refs[2] = {{c->vol[0].path}, {c->vol[1].path}};
    uint64_t ids[2] = {next_id, next_id + 1};
    sp_status st;

    next_id += 2;
    st =
        c->sp->driver->create_vm_snapshot(c->pool[OF_MAIN], next_id++, refs, ids, 2, &c->group, c->snap, err);
    c->has_group = st == SP_OK;
    return st;
}

static sp_status run_revert_vm(ctx *c, sp_error *err)
{
    sp_volume_ref vols[2] = {{c->vol[0].path}, {c->vol[1].path}},
                  snaps[2] = {{c->snap[0].path}, {c->snap[1].path}};

    return c->sp->driver->revert_vm_snapshot(c->pool[OF_MAIN], vols, snaps, 2, err);
}

static sp_status run_delete_vm(ctx *c, sp_error *err)
{
    sp_status st = c->sp->driver->delete_vm_snapshot(c->pool[OF_MAIN], c->group.group_id, err);

    c->has_group = st != SP_OK;
    return st;
}

static sp_status run_grant_qos(ctx *c, sp_error *err)
{
    sp_volume_ref r = ref0(c);
    sp_qos qos = {.bandwidth_limit_mbps = "90", .iops_limit = "9000"};

    return c->sp->driver->grant_access(c->pool[OF_MAIN], &r, &c->f->host, &qos, 0, err);
}

static sp_status run_grant(ctx *c, sp_error *err)
{
    sp_volume_ref r = ref0(c);

    return c->sp->driver->grant_access(c->pool[OF_MAIN], &r, &c->f->host, NULL, 0, err);
}

static sp_status run_revoke(ctx *c, sp_error *err)
{
    sp_volume_ref r = ref0(c);

    return c->sp->driver->revoke_access(c->pool[OF_MAIN], &r, &c->f->host, err);
}

static sp_status run_migration_kind(ctx *c, sp_error *err)
{
    sp_migration_kind kind;
    sp_status st = c->sp->driver->migration_kind(c->pool[OF_MAIN], c->pool[OF_NATIVE], &kind, err);

    if (st == SP_OK && kind != SP_MIGRATE_NATIVE) {
        snprintf(err->message, sizeof(err->message), "migration_kind answered %d, not NATIVE", (int)kind);
        return SP_E_INTERNAL;
    }
    return st;
}

static sp_status run_migrate(ctx *c, sp_error *err)
{
    sp_volume_ref r = ref0(c);
    sp_status st =
        c->sp->driver->migrate_volume(c->pool[OF_MAIN], &r, c->pool[OF_NATIVE], NULL, &c->out, err);

    if (st == SP_OK) /* now in the other pool: removed through its handle */
        c->made[0].pool = OF_NATIVE;
    return st;
}

static sp_status run_capacity(ctx *c, sp_error *err)
{
    sp_capacity cap = SP_INIT(sp_capacity);

    return c->sp->driver->get_capacity(c->pool[OF_MAIN], &cap, err);
}

static void count_volume(void *arg, const sp_volume_info *vol)
{
    (void)vol;
    ++*(size_t *)arg;
}

static sp_status run_list(ctx *c, sp_error *err)
{
    size_t n = 0;

    return c->sp->driver->list_volumes(c->pool[OF_MAIN], count_volume, &n, err);
}

static sp_status run_pool_capacity(ctx *c, sp_error *err)
{
    sp_capacity cap = SP_INIT(sp_capacity);

    return c->sp->pool->get_capacity(c->pool[OF_MAIN], &cap, err);
}

static sp_status run_volume_stats(ctx *c, sp_error *err)
{
    sp_volume_ref r = ref0(c);
    sp_volume_stats vs = SP_INIT(sp_volume_stats);

    return c->sp->pool->get_volume_stats(c->pool[OF_MAIN], &r, &vs, err);
}

static sp_status run_connect(ctx *c, sp_error *err)
{
    sp_volume_ref r = ref0(c);
    sp_disk_info disk = SP_INIT(sp_disk_info);

    return c->sp->adaptor->connect_volume(c->pool[OF_MAIN], &r, &c->f->host, &disk, err);
}

static sp_status run_physical_disk(ctx *c, sp_error *err)
{
    sp_volume_ref r = ref0(c);
    sp_disk_info disk = SP_INIT(sp_disk_info);

    return c->sp->adaptor->get_physical_disk(c->pool[OF_MAIN], &r, &c->f->host, &disk, err);
}

static sp_status run_disconnect(ctx *c, sp_error *err)
{
    sp_volume_ref r = ref0(c);

    return c->sp->adaptor->disconnect_volume(c->pool[OF_MAIN], &r, &c->f->host, err);
}

static sp_status run_seed(ctx *c, sp_error *err)
{
    sp_volume_ref r = ref0(c);
    sp_image_source src = {SP_SIZED(sp_image_source), .path = c->f->image, .format = SP_FORMAT_RAW};

    return c->sp->adaptor->copy_image_to_volume(c->pool[OF_MAIN], &src, &r, &c->f->host, NULL, err);
}

static sp_status run_to_image(ctx *c, sp_error *err)
{
    sp_volume_ref r = ref0(c);
    sp_image_info info = SP_INIT(sp_image_info);

    snprintf(c->image_out, sizeof(c->image_out), "%s/volume-%" PRIu64 ".qcow2", c->f->dir, next_id++);
    return c->sp->adaptor->copy_volume_to_image(c->pool[OF_MAIN], &r, &c->f->host, c->image_out, NULL, &info,
                                                err);
}

static sp_status run_across(ctx *c, sp_error *err)
{
    sp_volume_ref r = ref0(c);
    sp_volume_spec spec = {SP_SIZED(sp_volume_spec), .kind = SP_VOLUME_DATA, .id = next_id++,
                           .size_bytes = 8 * GIB};
    sp_status st = c->sp->adaptor->copy_volume_across(c->pool[OF_MAIN], &r, c->pool[OF_OTHER], &spec,
                                                      &c->f->host, NULL, &c->out, err);

    remember(c, OF_OTHER, st == SP_OK ? c->out.path : "");
    return st;
}

/* --- whole workflows: the plugin calls CloudStack makes for each, in its order ------------------ */

static sp_status grant_connect(ctx *c, const sp_host_ref *host, int multiple, sp_error *err)
{
    sp_volume_ref r = {c->out.path[0] != '\0' ? c->out.path : c->vol[0].path};
    sp_qos qos = {.bandwidth_limit_mbps = "90", .iops_limit = "9000"};
    sp_disk_info disk = SP_INIT(sp_disk_info);
    sp_status st = c->sp->driver->grant_access(c->pool[OF_MAIN], &r, host, &qos, multiple, err);

    return st != SP_OK ? st : c->sp->adaptor->connect_volume(c->pool[OF_MAIN], &r, host, &disk, err);
}

static sp_status revoke_disconnect(ctx *c, const sp_host_ref *host, sp_error *err)
{
    sp_volume_ref r = ref0(c);
    sp_status st = c->sp->driver->revoke_access(c->pool[OF_MAIN], &r, host, err);

    return st != SP_OK ? st : c->sp->adaptor->disconnect_volume(c->pool[OF_MAIN], &r, host, err);
}

/* Deploy from a template already on the pool: the ROOT volume from it, granted with the
 * offering's QoS to the host, connected there. */
static sp_status run_deploy_seeded(ctx *c, sp_error *err)
{
    sp_status st = from_template(c, 8 * GIB, err);

    return st != SP_OK ? st : grant_connect(c, &c->f->host, 0, err);
}

/* Deploy from a template not yet on the pool: its template volume, the image written onto it,
 * then as above. */
static sp_status run_deploy_unseeded(ctx *c, sp_error *err)
{
    sp_volume_spec spec = {SP_SIZED(sp_volume_spec), .kind = SP_VOLUME_TEMPLATE, .id = next_id++,
                           .size_bytes = 8 * GIB};
    sp_image_source src = {SP_SIZED(sp_image_source), .path = c->f->image, .format = SP_FORMAT_RAW};
    sp_status st;

    c->template_id = spec.id;
    if ((st = c->sp->driver->create_volume(c->pool[OF_MAIN], &spec, &c->vol[0], err)) != SP_OK)
        return st;
    remember(c, OF_MAIN, c->vol[0].path);
    if ((st = c->sp->adaptor->copy_image_to_volume(c->pool[OF_MAIN], &src, &(sp_volume_ref){c->vol[0].path},
                                                   &c->f->host, NULL, err)) != SP_OK)
        return st;
    return run_deploy_seeded(c, err);
}

/* Start: the stopped VM's volume granted (with QoS) and connected on the host chosen. */
static sp_status run_start(ctx *c, sp_error *err)
{
    return grant_connect(c, &c->f->host, 0, err);
}

/* Stop: access revoked, the host's device gone. */
static sp_status run_stop(ctx *c, sp_error *err)
{
    return revoke_disconnect(c, &c->f->host, err);
}

/* Live migration to another host: granted there too while both hosts have it, connected there,
 * then revoked and disconnected on the source. */
static sp_status run_live_migrate(ctx *c, sp_error *err)
{
    sp_status st = grant_connect(c, &c->f->host2, 1, err);

    return st != SP_OK ? st : revoke_disconnect(c, &c->f->host, err);
}

/* A VM snapshot of ROOT and DATA, then the VM put back to it (stopped, as KVM reverts). */
static sp_status run_vm_snapshot_revert(ctx *c, sp_error *err)
{
    sp_status st = run_vm_snapshot(c, err);

    return st != SP_OK ? st : run_revert_vm(c, err);
}

/* The fewest requests the PowerFlex 3.5 REST API allows for each operation as the ABI defines it
 * (from the PowerFlex 3.5 REST API reference: what each query and action returns and which ids it
 * needs), with the reason above each. Logins count as requests; in steady state there are none. */
static const op ops[] = {
    /* Login, the gateway's release (stored: it decides how handles log in, 3.x or 4.x), the pool
     * list (by name: getByName needs the domain's id first), its protection domain (the system
     * id), its Statistics (the capacity), the system (its MDM addresses, which hosts join it
     * with). A fresh client every time, by design. */
    {"Lifecycle.initialize", 6, NULL, run_initialize},
    /* The stored details are all it needs; the first call made with the handle logs in. */
    {"Lifecycle.open", 0, NULL, run_open},
    /* GET /types/Sdc/instances: every SDC with its IP, system and state, for any number of hosts. */
    {"Lifecycle.attach", 1, NULL, run_attach},
    /* GET /login with the credentials given: they are proven before they replace the old ones. */
    {"Lifecycle.update", 1, NULL, run_update},
    /* POST /types/Volume/instances: its answer's id, the name and the 8 GiB rounding make the result. */
    {"Driver.create_volume", 1, NULL, run_create},
    /* removeVolume ONLY_ME: the host revoked access first, so there is nothing to unmap. */
    {"Driver.delete_volume", 1, prep_volume, run_delete},
    /* setVolumeSize + GET volume: the result holds the V-Tree id and type, which the path does not. */
    {"Driver.resize_volume", 2, prep_volume, run_resize},
    /* GET volume + GET VTree Statistics: the used size is the V-Tree's netProvisionedAddressesInKb. */
    {"Driver.get_volume", 2, prep_volume, run_get},
    /* queryIdByKey (name to id) + GET volume; listing the pool is one request whose answer grows with it. */
    {"Driver.find_template", 2, prep_template, run_find_template},
    /* snapshotVolumes named as the new volume + GET it (its size and V-Tree are the template's). */
    {"Driver.create_volume_from_template", 2, prep_template, run_from_template},
    /* The same + setVolumeSize up to the size asked (24 GiB from an 8 GiB template). */
    {"Driver.create_volume_from_template (grown)", 3, prep_template, run_from_template_grown},
    /* snapshotVolumes + GET the snapshot: its size and V-Tree are the volume's, not in the path. */
    {"Driver.create_snapshot", 2, prep_volume, run_snapshot},
    /* overwriteVolumeContent: the array itself refuses a snapshot of another V-Tree. */
    {"Driver.revert_snapshot", 1, prep_snapshot, run_revert},
    /* removeVolume ONLY_ME: a snapshot is a volume of its V-Tree. */
    {"Driver.delete_snapshot", 1, prep_snapshot, run_delete_snapshot},
    /* One snapshotVolumes for the group + one queryBySelectedIds reading all its snapshots. */
    {"Driver.create_vm_snapshot (2 volumes)", 2, prep_two_volumes, run_vm_snapshot},
    /* snapshotVolumes of the present state (all or nothing needs a put-back), overwriteVolumeContent
     * per volume, removeConsistencyGroupSnapshots of that safety group. */
    {"Driver.revert_vm_snapshot (2 volumes)", 4, prep_group, run_revert_vm},
    /* removeConsistencyGroupSnapshots. */
    {"Driver.delete_vm_snapshot", 1, prep_group, run_delete_vm},
    /* addMappedSdc + setMappedSdcLimits (a map takes no limits); the host's SDC id is cached. */
    {"Driver.grant_access (QoS)", 2, prep_volume, run_grant_qos},
    /* addMappedSdc: a new mapping starts unlimited, and the answer tells an existing one (81). */
    {"Driver.grant_access (no QoS)", 1, prep_volume, run_grant},
    /* removeMappedSdc: its answer tells a mapping that was not there (84). */
    {"Driver.revoke_access", 1, prep_granted, run_revoke},
    /* Both pools' system and pool ids are in their stored details. */
    {"Driver.migration_kind", 0, NULL, run_migration_kind},
    /* GET volume (its V-Tree id), migrateVTree, GET VTree until NotInMigration (once: the simulator
     * migrates at once); that answer also names the pool the V-Tree is in now. Then, as
     * CloudStack renames what moved to the destination pool's key: GET the V-Tree's volumes (a
     * template copy's tree holds other VMs' ROOT disks) and setVolumeName for the one here. */
    {"Driver.migrate_volume (native)", 5, prep_volume, run_migrate},
    /* GET StoragePool Statistics. */
    {"Driver.get_capacity", 1, NULL, run_capacity},
    /* GET StoragePool relationships/Volume. */
    {"Driver.list_volumes", 1, prep_volume, run_list},
    /* GET StoragePool Statistics. */
    {"Pool.get_capacity", 1, NULL, run_pool_capacity},
    /* GET volume (size, V-Tree id) + GET VTree Statistics (used size). */
    {"Pool.get_volume_stats", 2, prep_volume, run_volume_stats},
    /* The host's device directory and drv_cfg: the gateway has nothing to add. */
    {"Adaptor.connect_volume", 0, prep_granted, run_connect},
    {"Adaptor.get_physical_disk", 0, prep_connected, run_physical_disk},
    {"Adaptor.disconnect_volume", 0, prep_revoked, run_disconnect},
    /* addMappedSdc and removeMappedSdc around the conversion, after GET Volume (the image must fit
     * before anything is written; it also names the V-Tree) and the V-Tree's statistics (a target
     * holding no data lets qemu-img skip the image's zeros instead of writing the whole disk). */
    {"Adaptor.copy_image_to_volume", 4, prep_template, run_seed},
    /* The same around qemu-img convert. */
    {"Adaptor.copy_volume_to_image", 2, prep_volume, run_to_image},
    /* Create the target (a name in use is refused by the create), map the source (its device gives
     * its size; a map elsewhere is refused, 297) and the target, unmap both. */
    {"Adaptor.copy_volume_across", 5, prep_volume, run_across},
    /* Whole workflows: the sum of their calls' minimums (each call is at its own). */
    /* create_volume_from_template 2 + grant_access with QoS 2 + connect_volume 0. */
    {"Workflow deploy VM (template on the pool)", 4, prep_template, run_deploy_seeded},
    /* create_volume (template) 1 + copy_image_to_volume 4 + the deploy above 4. */
    {"Workflow deploy VM (template not on the pool)", 9, NULL, run_deploy_unseeded},
    /* grant_access with QoS 2 + connect_volume 0. */
    {"Workflow start VM", 2, prep_volume, run_start},
    /* revoke_access 1 + disconnect_volume 0. */
    {"Workflow stop VM", 1, prep_connected, run_stop},
    /* grant_access with QoS on the destination 2 + connect 0 + revoke_access on the source 1 +
     * disconnect 0. */
    {"Workflow live migrate VM (host to host)", 3, prep_connected, run_live_migrate},
    /* create_vm_snapshot 2 + revert_vm_snapshot 4 (2 volumes). */
    {"Workflow VM snapshot + revert (2 volumes)", 6, prep_two_volumes, run_vm_snapshot_revert},
};

/* --- measuring ------------------------------------------------------------------------------ */

typedef struct result {
    int ok;
    of_requests req;
    sp_error err;
} result;

/* System A's requests first, then B's ("B: ..."), each by method and path. */
static int cmp_count(const void *a, const void *b)
{
    const char *x = ((const of_count *)a)->key, *y = ((const of_count *)b)->key;
    int bx = strncmp(x, "B: ", 3) == 0, by = strncmp(y, "B: ", 3) == 0;

    return bx != by ? bx - by : strcmp(x, y);
}

/* "METHOD /api/template xN, ..." into buf. */
static void describe(of_requests *r, char *buf, size_t len)
{
    size_t o = 0;

    buf[0] = '\0';
    qsort(r->items, r->n, sizeof(r->items[0]), cmp_count);
    for (size_t i = 0; i < r->n && o < len; i++) {
        int n = snprintf(buf + o, len - o, "%s%s x%d", i > 0 ? ", " : "", r->items[i].key, r->items[i].n);
        if (n < 0)
            break;
        o += (size_t)n;
    }
    if (r->n == 0)
        snprintf(buf, len, "none");
}

/* Runs op once: on the warm handles, or on handles opened for it (cold). */
static void measure(of_fixture *f, const op *o, int cold, result *r)
{
    ctx c;
    sp_status st;

    memset(r, 0, sizeof(*r));
    memset(&c, 0, sizeof(c));
    for (int i = 0; i < 2; i++)
        c.vol[i] = c.snap[i] = (sp_volume_info)SP_INIT(sp_volume_info);
    c.out = (sp_volume_info)SP_INIT(sp_volume_info);
    c.group = (sp_snapshot_group_info)SP_INIT(sp_snapshot_group_info);
    c.f = f;
    c.sp = f->sp;
    for (int i = 0; i < OF_POOLS; i++) {
        if (!cold)
            c.pool[i] = f->warm[i];
        else if (of_open(f, i, &c.pool[i], &r->err) != SP_OK)
            goto out;
    }
    if (o->prepare != NULL && o->prepare(&c) != 0) {
        snprintf(r->err.message, sizeof(r->err.message), "could not make what the call needs (see above)");
        goto out;
    }
    if (of_stats_reset(f) != 0) {
        snprintf(r->err.message, sizeof(r->err.message), "the simulators did not reset their counters");
        goto out;
    }
    st = o->run(&c, &r->err);
    if (of_stats_read(f, &r->req) != 0) {
        snprintf(r->err.message, sizeof(r->err.message), "the simulators did not give their counters");
        goto out;
    }
    r->ok = st == SP_OK;
out:
    clean_up(&c);
    for (int i = 0; cold && i < OF_POOLS; i++)
        if (c.pool[i] != NULL)
            f->sp->lifecycle->close(c.pool[i]);
    /* Back to steady state should a call have dropped a token or a cached SDC id. */
    for (int i = 0; i < OF_POOLS; i++) {
        sp_capacity cap = SP_INIT(sp_capacity);
        sp_error err;
        if (f->sp->driver->get_capacity(f->warm[i], &cap, &err) != SP_OK)
            fprintf(stderr, "ops-bench: pool %s: %s\n", f->pool_uuid[i], err.message);
    }
}

int main(int argc, char **argv)
{
    size_t n_ops = sizeof(ops) / sizeof(ops[0]), at = 0, over = 0, under = 0, failures = 0;
    char warm_text[4096], cold_text[4096];
    of_fixture f;
    int rc = 1;

    if (argc > 1) {
        fprintf(argc == 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr,
                "usage: ops-bench\n"
                "  Counts the gateway requests of each plugin operation against two powerflex-sim\n"
                "  systems, next to the fewest the REST API allows. Needs $top_builddir (default: the\n"
                "  build tree this program is in), qemu-img for the Adaptor's copies.\n");
        return argc == 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    if (of_start(&f) != 0)
        goto out;
    printf(
        "ops-bench: gateway requests per plugin operation through the ABI, two powerflex-sim systems\n"
        "requests: steady state (handles opened, attached and logged in before; the host's SDC id cached)\n"
        "cold: the same call on a handle opened just before it; minimum: the fewest the REST API allows\n");
    for (size_t i = 0; i < n_ops; i++) {
        const op *o = &ops[i];
        result warm, cold;
        const char *verdict;

        measure(&f, o, 0, &warm);
        measure(&f, o, 1, &cold);
        describe(&warm.req, warm_text, sizeof(warm_text));
        describe(&cold.req, cold_text, sizeof(cold_text));
        if (!warm.ok || !cold.ok) {
            verdict = "FAILED";
            failures++;
            fprintf(stderr, "ops-bench: %s (%s): %s\n", o->name, !warm.ok ? "steady state" : "cold",
                    !warm.ok ? warm.err.message : cold.err.message);
        } else if (warm.req.total > o->minimum) {
            verdict = "OVER";
            over++;
        } else if (warm.req.total < o->minimum) {
            verdict = "UNDER";
            under++;
        } else {
            verdict = "ok";
            at++;
        }
        printf("op %s requests=%d minimum=%d cold=%d %s: %s\n", o->name, warm.req.total, o->minimum,
               cold.req.total, verdict, warm_text);
        if (strcmp(warm_text, cold_text) != 0)
            printf("  cold: %s\n", cold_text);
        fflush(stdout);
        of_requests_free(&warm.req);
        of_requests_free(&cold.req);
    }
    printf("ops=%zu at_minimum=%zu over_minimum=%zu under_minimum=%zu failed=%zu\n", n_ops, at, over, under,
           failures);
    rc = over == 0 && under == 0 && failures == 0 ? 0 : 1;
out:
    of_stop(&f);
    return rc;
}
