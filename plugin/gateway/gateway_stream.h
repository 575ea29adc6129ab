/* gateway_stream.h - a volume list parsed as it arrives: yajl's callback parser fed with the
 * answer's bytes in whatever pieces the transport hands over, each volume passed on as soon as its
 * object closes and then forgotten. A pool's list (tens of MB for tens of thousands of volumes and
 * snapshots) is thus never held whole, neither as text nor as a tree: memory is one volume's.
 *
 * Fields, types and checks are those of pfx_gw_parse_volume_list (gateway_parse_volume.c): a
 * required field missing or null, a wrong JSON type, a string too long for its buffer, a number
 * that is not a whole number in 0..2^64-1 are SP_E_PROTOCOL naming the item and the field; unknown
 * fields (of any shape) are skipped; a field given twice counts once, the first time, as the tree
 * parser reads it. Nesting deeper than PFX_JSON_MAX_DEPTH and comments are refused, as a body
 * given to pfx_json_parse is. Volumes passed on before an error stay passed on: a caller that
 * needs all or nothing collects and drops what it got when the parse fails. */
#ifndef PFX_GATEWAY_STREAM_H
#define PFX_GATEWAY_STREAM_H

#include "gateway_types.h"

#include <stddef.h>

typedef struct pfx_gw_volume_stream pfx_gw_volume_stream;

/* Receives one volume, valid only during the call. A status other than SP_OK stops the parse and
 * is what feed returns (with the callback's err). */
typedef sp_status (*pfx_gw_volume_each)(void *ctx, const pfx_gw_volume *v, sp_error *err);

/* `what` names the document in messages ("volumes of storage pool X"); copied. NULL when out of
 * memory. */
pfx_gw_volume_stream *pfx_gw_volume_stream_new(const char *what, pfx_gw_volume_each each, void *ctx);

/* The next len bytes of the answer. After an error every later call returns it again. */
sp_status pfx_gw_volume_stream_feed(pfx_gw_volume_stream *s, const char *buf, size_t len, sp_error *err);

/* The answer ended: SP_OK when it was one complete JSON array of volume objects. *count (may be
 * NULL) gets the number of volumes passed on. */
sp_status pfx_gw_volume_stream_finish(pfx_gw_volume_stream *s, size_t *count, sp_error *err);

void pfx_gw_volume_stream_free(pfx_gw_volume_stream *s);

/* The whole of a body in one go (tests and the fuzz target). */
sp_status pfx_gw_parse_volume_each(const char *buf, size_t len, pfx_gw_volume_each each, void *ctx,
                                   size_t *count, sp_error *err);

#endif
