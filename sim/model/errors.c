/* Error table of the emulated gateway (see errors.h). Codes are the MDM return-code indexes the
 * clients know (the errorCode of the PowerFlex 3.5 REST API's error answers); 717/718 are the codes cinder
 * tolerates for migrateVTree, which real gateways return although the generated list disagrees. */
#include <config.h>
#include "errors.h"
#include "json.h"

static const struct sim_error_info table[] = {
    [SIM_OK] = {200, 0, "", NULL},
    [SIM_E_BAD_REQUEST] = {400, 0, "Bad request", NULL},
    [SIM_E_BAD_ID] = {400, 0, "id must be a hexadecimal number", NULL},
    [SIM_E_UNAUTHORIZED] = {401, 0, "Unauthorized", NULL},
    [SIM_E_NO_URL] = {404, 0, "The requested resource is not available", NULL},
    [SIM_E_METHOD] = {405, 0, "Method not allowed", NULL},
    [SIM_E_NOT_FOUND] = {500, 3, "Not found", NULL},
    [SIM_E_VOL_NOT_FOUND] = {500, 79, "Could not find the volume", NULL},
    [SIM_E_SDC_NOT_FOUND] = {500, 80, "Could not find the SDC", NULL},
    [SIM_E_ALREADY_MAPPED] = {500, 81, "The volume is already mapped to this SDC", NULL},
    [SIM_E_NOT_MAPPED] = {500, 84, "The volume is not mapped to SDC", NULL},
    [SIM_E_NAME_IN_USE] = {500, 99, "Volume name already in use. Please use a different name.", NULL},
    [SIM_E_VOL_MAPPED] = {500, 104, "Volume is mapped", NULL},
    [SIM_E_DECREASE] = {500, 133, "Volume capacity can only be increased", NULL},
    [SIM_E_PD_NOT_FOUND] = {500, 142, "Could not find Protection Domain", NULL},
    [SIM_E_POOL_NOT_FOUND] = {500, 171, "Could not find Storage Pool", NULL},
    [SIM_E_TOO_MANY_SNAPS] = {500, 182, "There are too many snapshots in the VTree",
                              "TOO_MANY_SNAPS_IN_VTREE"},
    [SIM_E_NOTHING_TO_DO] = {500, 183, "There are no volumes to delete", NULL},
    [SIM_E_GROUP_NOT_FOUND] =
        {500, 185,
         "No volumes were found under the given consistency group or the consistency group ID is not valid",
         NULL},
    [SIM_E_SIZE_TOO_LARGE] = {500, 190, "The volume size too large", NULL},
    [SIM_E_PD_POOL_MISMATCH] = {500, 197,
                                "The specified Storage Pool is not in the specified Protection Domain", NULL},
    [SIM_E_VTREE_MISMATCH] =
        {500, 198,
         "To overwrite the content of a volume, the source and target volumes must be from the same V-Tree.",
         NULL},
    [SIM_E_SYSTEM_MISMATCH] = {500, 202,
                               "The system ID that you provided does not match the actual system ID", NULL},
    [SIM_E_SIZE_ILLEGAL] = {500, 225,
                            "The specified volume size is illegal. Volume size must be in 8 GB blocks", NULL},
    [SIM_E_LONG_NAME] = {500, 226, "The given name exceeds the allowed length of 31 characters.", NULL},
    [SIM_E_INVALID_NAME] = {500, 227,
                            "The given name contains invalid characters. Use alphanumeric and punctuation "
                            "characters only. Spaces are not allowed.",
                            NULL},
    [SIM_E_VTREE_NOT_FOUND] = {500, 230, "Invalid VTree ID. Please try again with the correct ID.", NULL},
    [SIM_E_THROTTLE] = {500, 284,
                        "Invalid throttle parameters. Check the help output for the valid range and use "
                        "arguments that are within that range.",
                        NULL},
    [SIM_E_MULTI_MAPPING] = {500, 297,
                             "This volume is already mapped and may not be mapped to additional SDCs.", NULL},
    [SIM_E_CAPACITY] = {500, 300, "Requested volume size exceeds the volume allocation limit", NULL},
    [SIM_E_SELF_OVERWRITE] =
        {500, 330,
         "You cannot overwrite a volume with itself. Select a different volume in the V-Tree and try again.",
         NULL},
    [SIM_E_MIGRATING_SAME] = {500, 717, "The V-Tree is already undergoing migration to the same Storage Pool",
                              NULL},
    [SIM_E_MIGRATING_OTHER] =
        {500, 717,
         "The V-Tree is currently undergoing migration. You can either roll back the current migration or "
         "wait for it to complete before initiating another migration.",
         NULL},
    [SIM_E_MIGRATE_SAME_POOL] = {500, 718,
                                 "The destination Storage Pool and the source Storage Pool are the same.",
                                 NULL},
    [SIM_E_SRC_LARGER] = {500, 0, "The source volume is larger than the destination volume", NULL},
    [SIM_E_INTERNAL] = {500, 0, "Internal error", NULL},
    /* Codes past 185 are positions in the generated list (powerflex-sim(1) says which are
     * guesses); the messages are the list's own words. */
    [SIM_E_SYSTEM_BUSY] = {500, 164, "The system is busy. Retry later", NULL},
    [SIM_E_NO_PERMISSIONS] = {500, 168,
                              "You do not have permission to perform this operation. Please contact your "
                              "system administrator for assistance.",
                              NULL},
    [SIM_E_REMOVE_IN_PROGRESS] = {500, 212, "A volume removal operation is currently in progress. ", NULL},
    [SIM_E_TOO_MANY_SESSIONS] = {500, 252,
                                 "The maximum number of sessions is already open. Please close some other "
                                 "sessions, and then try again.",
                                 NULL},
    [SIM_E_MIG_NOT_FOUND] = {500, 790, "The V-Tree is not currently being migrated.", NULL},
    [SIM_E_MIG_PAUSED] = {500, 795, "The V-Tree migration is already paused.", NULL},
    [SIM_E_MIG_MUST_PAUSE] = {500, 815, "V-Tree migration must be paused before it can be rolled back.",
                              NULL},
};

const struct sim_error_info *sim_error_info(enum sim_err e)
{
    if ((size_t)e >= sizeof(table) / sizeof(table[0]))
        e = SIM_E_INTERNAL;
    return &table[e];
}

char *sim_error_body(enum sim_err e, const char *detail_msg)
{
    const struct sim_error_info *info = sim_error_info(e);
    sim_jw *w = sim_jw_new();
    const char *msg = detail_msg ? detail_msg : info->message;
    sim_jw_obj(w);
    if (info->rc_name) {
        /* Errors with details carry this literal message and the real one below. */
        sim_jw_kstr(w, "message", "Error with details");
        sim_jw_kint(w, "httpStatusCode", info->http);
        sim_jw_kint(w, "errorCode", info->code);
        sim_jw_key(w, "details");
        sim_jw_arr(w);
        sim_jw_obj(w);
        sim_jw_kint(w, "rc", info->code);
        sim_jw_kstr(w, "error", info->rc_name);
        sim_jw_kstr(w, "errorMessage", msg);
        sim_jw_obj_end(w);
        sim_jw_arr_end(w);
    } else {
        sim_jw_kstr(w, "message", msg);
        sim_jw_kint(w, "httpStatusCode", info->http);
        sim_jw_kint(w, "errorCode", info->code);
    }
    sim_jw_obj_end(w);
    return sim_jw_finish(w);
}
