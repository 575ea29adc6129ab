/* gateway_parse.h - one parser per gateway object: a response body in, a typed struct out.
 * Unknown fields are ignored; a missing required field or a wrong JSON type is SP_E_PROTOCOL. */
#ifndef PFX_GATEWAY_PARSE_H
#define PFX_GATEWAY_PARSE_H

#include "gateway_types.h"
#include "json.h"

/* Every parser takes a body of len bytes with buf[len] == '\0' (see pfx_json_parse), fills *out
 * (zeroed first; on failure left zeroed, with nothing to free) and returns SP_OK or an error
 * that names the object and the field. */

/* A body that is a bare JSON string: the token of /login, the version, queryIdByKey's id.
 * `what` names it in messages. The value must fit in len - 1 bytes. */
sp_status pfx_gw_parse_string(const char *buf, size_t len, const char *what, char *out, size_t out_len,
                              sp_error *err);

/* An error body. Unlike the others it never fails on content: fields that are missing or of the
 * wrong type are left empty. Returns SP_E_PROTOCOL only when the body is not a JSON object. */
sp_status pfx_gw_parse_error_body(const char *buf, size_t len, pfx_gw_error_body *out, sp_error *err);

/* volumeType's word as the enum (PFX_GW_VOLUME_OTHER for a word this client does not know). */
pfx_gw_volume_type pfx_gw_volume_type_of(const char *type_name);

sp_status pfx_gw_parse_volume(const char *buf, size_t len, pfx_gw_volume *out, sp_error *err);
sp_status pfx_gw_parse_volume_list(const char *buf, size_t len, pfx_gw_volume_list *out, sp_error *err);
/* The answer of queryBySelectedIds: an array of volumes in any order, put in the order of the n
 * distinct ids asked for (out->items[i] is ids[i]; out->n is n). An id the answer lacks is
 * SP_E_NOT_FOUND naming it; objects not asked for, or answered twice, are dropped. */
sp_status pfx_gw_parse_volumes_by_ids(const char *buf, size_t len, const char *const *ids, size_t n,
                                      pfx_gw_volume_list *out, sp_error *err);
sp_status pfx_gw_parse_volume_stats(const char *buf, size_t len, pfx_gw_volume_stats *out, sp_error *err);
/* {"id": "..."}: the answer of a create. */
sp_status pfx_gw_parse_created_id(const char *buf, size_t len, char *out, size_t out_len, sp_error *err);
sp_status pfx_gw_parse_snapshot_group(const char *buf, size_t len, pfx_gw_snapshot_group *out, sp_error *err);
/* {"numberOfVolumes": N}: the answer of removeConsistencyGroupSnapshots. */
sp_status pfx_gw_parse_removed_count(const char *buf, size_t len, uint64_t *out, sp_error *err);
sp_status pfx_gw_parse_vtree(const char *buf, size_t len, pfx_gw_vtree *out, sp_error *err);
sp_status pfx_gw_parse_vtree_stats(const char *buf, size_t len, pfx_gw_vtree_stats *out, sp_error *err);

sp_status pfx_gw_parse_pool(const char *buf, size_t len, pfx_gw_pool *out, sp_error *err);
sp_status pfx_gw_parse_pool_list(const char *buf, size_t len, pfx_gw_pool_list *out, sp_error *err);
sp_status pfx_gw_parse_pool_stats(const char *buf, size_t len, pfx_gw_pool_stats *out, sp_error *err);
sp_status pfx_gw_parse_protection_domain(const char *buf, size_t len, pfx_gw_protection_domain *out,
                                         sp_error *err);
sp_status pfx_gw_parse_system(const char *buf, size_t len, pfx_gw_system *out, sp_error *err);
sp_status pfx_gw_parse_system_list(const char *buf, size_t len, pfx_gw_system_list *out, sp_error *err);
sp_status pfx_gw_parse_sdc(const char *buf, size_t len, pfx_gw_sdc *out, sp_error *err);
sp_status pfx_gw_parse_sdc_list(const char *buf, size_t len, pfx_gw_sdc_list *out, sp_error *err);

/* ---- shared by the parser files ----------------------------------------------------------- */

/* Reads one object node into out (already zeroed); `what` names it in messages. */
typedef sp_status (*pfx_gw_item_parser)(yajl_val node, const char *what, void *out, sp_error *err);
/* Releases what one parsed item owns (NULL when items own nothing). */
typedef void (*pfx_gw_item_clear)(void *item);

/* Parses a document that must be a JSON object and hands it to parse_item. */
sp_status pfx_gw_parse_object_doc(const char *buf, size_t len, const char *what, pfx_gw_item_parser item,
                                  void *out, sp_error *err);

/* The shape of every one-object parser: *out (size bytes) zeroed, parsed by item, and zeroed
 * again on failure. */
sp_status pfx_gw_parse_object_into(const char *buf, size_t len, const char *what, pfx_gw_item_parser item,
                                   void *out, size_t size, sp_error *err);

/* An optional figure of a statistics object, read into the pfx_gw_opt_u64 at offset; old_key
 * (or NULL) is what older gateways call it: the first key present wins. */
typedef struct pfx_gw_counter {
    const char *key;
    const char *old_key;
    size_t offset;
} pfx_gw_counter;

/* Reads the n figures of the table from node into the struct at out. */
sp_status pfx_gw_parse_counters(yajl_val node, const char *what, const pfx_gw_counter *table, size_t n,
                                void *out, sp_error *err);

/* Parses a document that must be a JSON array of objects into a calloc'd array of n items of
 * item_size bytes (*items NULL when empty). On failure everything is released. */
sp_status pfx_gw_parse_array_doc(const char *buf, size_t len, const char *what, size_t item_size,
                                 pfx_gw_item_parser item, pfx_gw_item_clear clear, void **items, size_t *n,
                                 sp_error *err);

#endif
