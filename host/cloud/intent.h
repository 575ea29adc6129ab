/* intent.h - the write-ahead intent journal: before the harness asks the plugin to change an array,
 * it records, durably, what is about to happen and how to recognise it afterwards (the command's
 * number, the kind of change, the pool, the object's kind and id, which name the plugin's object
 * after, its path, the host of a mapping). A command's number is stored in its own transaction
 * (table command) when it commits, so an intent whose command is not there never committed.
 *
 * The journal is a second SQLite database beside the harness's (FILE.intent; in memory without
 * --db), written in autocommit mode with synchronous=FULL: a record is on disk before the change
 * it announces is asked for. settle.c resolves the records (see host/README.md, Crash safety). */
#ifndef HOST_INTENT_H
#define HOST_INTENT_H

#include "cs.h"

typedef enum host_intent_kind {
    HOST_INTENT_CREATE = 1,    /* an object (spec_kind, obj_id) is being made on pool */
    HOST_INTENT_VMSNAP_CREATE, /* VM snapshot obj_id of the volumes listed in ids */
    HOST_INTENT_DELETE,        /* the object at path is being deleted */
    HOST_INTENT_VMSNAP_DELETE, /* the snapshots of VM snapshot obj_id (group path) are being deleted */
    HOST_INTENT_DELETE_AFTER,  /* the object at path is deleted once the command has committed */
    HOST_INTENT_RESIZE,        /* volume obj_id at path grows */
    HOST_INTENT_MAP,           /* path's mapping to host_id changes (grant, revoke, a short-lived map) */
    HOST_INTENT_REVERT,        /* volume parent_id at path is overwritten by snapshot obj_id */
    HOST_INTENT_VMSNAP_REVERT  /* the volumes of VM snapshot obj_id are overwritten by its snapshots */
} host_intent_kind;

typedef struct host_intent {
    int64_t id;  /* the journal's (0 until recorded) */
    int64_t cmd; /* the command's number */
    host_intent_kind kind;
    int64_t pool_id;
    char obj[16];  /* "volume", "snapshot", "template" or "vmsnapshot" */
    int spec_kind; /* a create: the sp_volume_kind the plugin names it by */
    int64_t obj_id;
    int64_t parent_id;
    int64_t host_id;
    char path[SP_PATH_MAX]; /* the object's path (a create's, once known), a VM snapshot's group */
    char ids[512];          /* a VM snapshot's volumes: "12,13" */
    char state[16];         /* "open"; "repair": its command's rollback could not resolve it */
    char why[512];          /* why it is still open (repair) */
} host_intent;

/* Opens the journal for cs (cs->db_path + ".intent", or in memory). 0, or -1 with e. */
int host_intent_open(host_cs *cs, host_err *e);
void host_intent_close(host_cs *cs);

/* Records it (autocommit, synced) and sets it->id. 0, or -1 with e. */
int host_intent_add(host_cs *cs, host_intent *it, host_err *e);
/* Every record, oldest first (*out malloc'd). 0, or -1 with e. */
int host_intent_list(host_cs *cs, host_intent **out, size_t *n, host_err *e);
/* The largest command number in the journal (0 when empty). */
int host_intent_max_cmd(host_cs *cs, int64_t *out, host_err *e);
/* Forgets one record (its change is resolved, or its command committed). */
void host_intent_forget(host_cs *cs, int64_t id);
/* Forgets every record of a committed command but its deletes after commit. */
void host_intent_forget_cmd(host_cs *cs, int64_t cmd);
/* Keeps one record for a repair: state "repair", why. */
void host_intent_keep(host_cs *cs, int64_t id, const char *why);

/* The names settle.c reports records by. */
const char *host_intent_kind_name(host_intent_kind kind);

#endif
