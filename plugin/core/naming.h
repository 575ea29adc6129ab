/* naming.h - names of CloudStack objects on PowerFlex: vol-, tmpl-, snap-, vmsnap- with the
 * pool key and the installation identifier. A name that would not fit is refused, never cut. */
#ifndef PFX_NAMING_H
#define PFX_NAMING_H

#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>

#define PFX_NAME_MAX_LEN 31 /* PowerFlex's limit for volume and snapshot names */

/* The pool key: characters 5 to 8 of the pool's UUID ("fd5227cb-..." -> "27cb"). */
sp_status pfx_pool_key(const char *pool_uuid, char key[5], sp_error *err);

/* Whether `s` holds only characters PowerFlex accepts in names (alphanumerics and punctuation,
 * no spaces or control characters). */
int pfx_name_chars_ok(const char *s);

/* Builds the array name for a volume of `kind` (DATA/ROOT -> vol-, TEMPLATE -> tmpl-,
 * SNAPSHOT -> snap-, VM_SNAPSHOT -> vmsnap-<id>-<parent_id>-) into buf. */
sp_status pfx_object_name(sp_volume_kind kind, uint64_t id, uint64_t parent_id, const char *pool_key,
                          const char *identifier, char *buf, size_t buf_len, sp_error *err);

/* The name of a copy of template `id` in a pool: variant 0 is tmpl-<id>-<key>-<identifier>, n is
 * tmpl-<id>v<n>-<key>-<identifier>. A V-Tree migration carries a copy to another pool of the
 * system under the name it was made with, and names are unique in a system: the pool it left takes
 * the first variant no other pool's copy holds when it needs a copy again. */
sp_status pfx_template_name(uint64_t id, unsigned variant, const char *pool_key, const char *identifier,
                            char *buf, size_t buf_len, sp_error *err);

/* The name of the safety copy a VM snapshot revert takes of one volume, from the name of the VM
 * snapshot's snapshot of it: vmsnap-<vmsnap id>-<volume id>-<key>-<identifier> gives
 * rvt-<vmsnap id>-<volume id>-<key>-<identifier> (shorter, so it always fits). The same revert
 * always takes the same names: one a kill left behind is found again, and list_volumes (check
 * storagepool) sees it as this installation's. */
sp_status pfx_safety_name(const char *vmsnap_name, char *buf, size_t buf_len, sp_error *err);

/* Whether an array name belongs to this installation: it ends in "-<pool_key>-<identifier>"
 * (any pool key when pool_key is NULL: a V-Tree migration moves a volume without renaming it)
 * and starts with one of the prefixes above (or rvt-, a VM snapshot revert's safety copy). */
int pfx_name_is_ours(const char *name, const char *pool_key, const char *identifier);

/* name (this installation's, "...-<key>-<identifier>") with its pool key replaced by new_key:
 * CloudStack renames a volume and its snapshots to the destination pool's key after a V-Tree
 * migration. SP_E_INVALID when name does not end so. */
sp_status pfx_name_rekey(const char *name, const char *identifier, const char *new_key, char *buf, size_t len,
                         sp_error *err);

#endif
