/* storage_plugin_types.c - a shared object whose one exported function takes every type of
 * storage_plugin.h, so that abidw records them all: the ABI baseline (abi/storage_plugin.abi) is
 * made from it, and tests/abi/abidiff.sh compares each build's with it. A type added to the
 * header is added here too (that test fails until it is). Never installed, never called. */
#include "storage_plugin.h"

void sp_abi_types(sp_status status, const sp_error *error, const sp_kv *kv, sp_kv_sink sink,
                  sp_progress_fn progress_fn, const sp_progress *progress, sp_log_level level, sp_scope scope,
                  sp_setting_kind setting_kind, sp_value_type value_type, const sp_setting_desc *setting_desc,
                  const sp_host_services *services, const sp_pool *pool, sp_volume_kind volume_kind,
                  sp_provisioning provisioning, sp_image_format image_format, const sp_volume_ref *volume_ref,
                  const sp_volume_info *volume_info, const sp_qos *qos, const sp_volume_spec *volume_spec,
                  const sp_host_ref *host_ref, const sp_host_attach_result *attach_result,
                  const sp_capacity *capacity, sp_pool_scope pool_scope,
                  const sp_pool_create_params *create_params, sp_migration_kind migration_kind,
                  const sp_snapshot_group_info *group_info, const sp_image_source *image_source,
                  const sp_image_info *image_info, const sp_disk_info *disk_info,
                  const sp_volume_stats *volume_stats, const sp_encryption *encryption,
                  const sp_lifecycle_ops *lifecycle, const sp_driver_ops *driver,
                  const sp_adaptor_ops *adaptor, const sp_hostutil_ops *hostutil, const sp_pool_ops *pool_ops,
                  const sp_plugin *plugin, sp_plugin_init_fn init) __attribute__((visibility("default")));

void sp_abi_types(sp_status status, const sp_error *error, const sp_kv *kv, sp_kv_sink sink,
                  sp_progress_fn progress_fn, const sp_progress *progress, sp_log_level level, sp_scope scope,
                  sp_setting_kind setting_kind, sp_value_type value_type, const sp_setting_desc *setting_desc,
                  const sp_host_services *services, const sp_pool *pool, sp_volume_kind volume_kind,
                  sp_provisioning provisioning, sp_image_format image_format, const sp_volume_ref *volume_ref,
                  const sp_volume_info *volume_info, const sp_qos *qos, const sp_volume_spec *volume_spec,
                  const sp_host_ref *host_ref, const sp_host_attach_result *attach_result,
                  const sp_capacity *capacity, sp_pool_scope pool_scope,
                  const sp_pool_create_params *create_params, sp_migration_kind migration_kind,
                  const sp_snapshot_group_info *group_info, const sp_image_source *image_source,
                  const sp_image_info *image_info, const sp_disk_info *disk_info,
                  const sp_volume_stats *volume_stats, const sp_encryption *encryption,
                  const sp_lifecycle_ops *lifecycle, const sp_driver_ops *driver,
                  const sp_adaptor_ops *adaptor, const sp_hostutil_ops *hostutil, const sp_pool_ops *pool_ops,
                  const sp_plugin *plugin, sp_plugin_init_fn init)
{
    (void)status, (void)error, (void)kv, (void)sink, (void)progress_fn, (void)progress, (void)level,
        (void)scope;
    (void)setting_kind, (void)value_type, (void)setting_desc, (void)services, (void)pool, (void)volume_kind;
    (void)provisioning, (void)image_format, (void)volume_ref, (void)volume_info, (void)qos, (void)volume_spec;
    (void)host_ref, (void)attach_result, (void)capacity, (void)pool_scope, (void)create_params,
        (void)migration_kind;
    (void)group_info, (void)image_source, (void)image_info, (void)disk_info, (void)volume_stats,
        (void)encryption;
    (void)lifecycle;
    (void)driver, (void)adaptor, (void)hostutil, (void)pool_ops, (void)plugin, (void)init;
}
