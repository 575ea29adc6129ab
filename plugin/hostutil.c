/* hostutil.c - the Host utilities vtable: work of the KVM host's agent that is not storage, which
 * this plugin bundles because it already runs programs on the host (the config drive's ISO tool). */
#include "config.h"

#include "adaptor_impl.h"
#include "configdrive.h"
#include "error.h"
#include "plugin.h"

static sp_status create_config_drive(const sp_host_ref *host, const char *vm_name, const sp_kv *files,
                                     size_t n_files, char *iso_path_out, size_t iso_path_len, sp_error *err)
{
    pfx_host_cfg cfg;
    sp_status st;

    PFX_ERR_GUARD(err);
    if ((st = pfx_ad_host_cfg(host, &cfg, err)) != SP_OK)
        return st;
    if (files == NULL && n_files > 0)
        return pfx_error(err, SP_E_INVALID, "create_config_drive: %zu files announced, none given", n_files);
    st = pfx_configdrive_build(cfg.cache_dir, vm_name, files, n_files, iso_path_out, iso_path_len, err);
    if (st != SP_OK)
        return pfx_error_prefix(err, "config drive of VM %.200s on host %s", vm_name != NULL ? vm_name : "(none)",
                                host->name != NULL && host->name[0] != '\0' ? host->name : host->uuid);
    return SP_OK;
}

const sp_hostutil_ops pfx_hostutil_ops = {
    .abi_version = SP_ABI_VERSION,
    .struct_size = sizeof(sp_hostutil_ops),
    .create_config_drive = create_config_drive,
};
