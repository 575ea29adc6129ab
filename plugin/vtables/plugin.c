/* plugin.c - ABI negotiation and the plugin's descriptor.
 * The only process-wide state: the host's services and libcurl's global init. One host owns the
 * plugin at a time: a second sp_plugin_init with other services is refused until shutdown, so it
 * can never take the first host's logging and settings away from it. */
#include "config.h"

#include "plugin.h"

#include "adaptor_impl.h"
#include "error.h"
#include "hostsvc.h"
#include "settings.h"

#include <curl/curl.h>
#include <pthread.h>

static void plugin_shutdown(void);

static const sp_plugin descriptor = {
    .abi_version = SP_ABI_VERSION,
    .struct_size = sizeof(sp_plugin),
    .name = PFX_PLUGIN_NAME,
    .version = PACKAGE_VERSION,
    .lifecycle = &pfx_lifecycle_ops,
    .driver = &pfx_driver_ops,
    .adaptor = &pfx_adaptor_ops,
    .pool = &pfx_pool_ops,
    .shutdown = plugin_shutdown,
    .describe = pfx_describe,
    .hostutil = &pfx_hostutil_ops,
};

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static int curl_ready;
static unsigned starts;               /* sp_plugin_init calls not yet matched by a shutdown */
static const sp_host_services *owner; /* the services of those calls */

sp_status pfx_plugin_init(uint32_t host_abi_version, const sp_host_services *services, const sp_plugin **out,
                          sp_error *err)
{
    sp_status st = SP_OK;

    if (out == NULL)
        return pfx_error(err, SP_E_INVALID, "sp_plugin_init: out must not be NULL");
    *out = NULL;
    if (SP_ABI_MAJOR(host_abi_version) != SP_ABI_VERSION_MAJOR)
        return pfx_error(err, SP_E_VERSION,
                         "%s plugin speaks storage plugin ABI %u.%u; the host speaks %u.%u (major "
                         "versions differ)",
                         PFX_PLUGIN_NAME, SP_ABI_VERSION_MAJOR, SP_ABI_VERSION_MINOR,
                         SP_ABI_MAJOR(host_abi_version), SP_ABI_MINOR(host_abi_version));
    if (services != NULL && (SP_ABI_MAJOR(services->abi_version) != SP_ABI_VERSION_MAJOR ||
                             services->struct_size < SP_HOST_SERVICES_SIZE_2_0))
        return pfx_error(err, SP_E_VERSION,
                         "host services table is version %u.%u with %u bytes; version %u.x with at "
                         "least %zu bytes is needed",
                         SP_ABI_MAJOR(services->abi_version), SP_ABI_MINOR(services->abi_version),
                         services->struct_size, SP_ABI_VERSION_MAJOR, (size_t)SP_HOST_SERVICES_SIZE_2_0);

    pthread_mutex_lock(&init_lock);
    if (starts > 0 && services != owner) {
        pthread_mutex_unlock(&init_lock);
        return pfx_error(
            err, SP_E_BUSY,
            "%s plugin is already started in this process with another host's services; it keeps "
            "those until its shutdown",
            PFX_PLUGIN_NAME);
    }
    if (!curl_ready) {
        CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
        if (rc != CURLE_OK)
            st = pfx_error(err, SP_E_INTERNAL, "libcurl global init failed: %s", curl_easy_strerror(rc));
        else
            curl_ready = 1;
    }
    if (st == SP_OK) {
        pfx_hostsvc_set(services);
        owner = services;
        starts++;
    }
    pthread_mutex_unlock(&init_lock);
    if (st == SP_OK)
        *out = &descriptor;
    return st;
}

/* Ends one start; the last one releases the services and libcurl. */
static void plugin_shutdown(void)
{
    pthread_mutex_lock(&init_lock);
    if (starts > 0 && --starts > 0) {
        pthread_mutex_unlock(&init_lock);
        return;
    }
    owner = NULL;
    pfx_ad_sdc_list_forget();
    pfx_hostsvc_reset();
    if (curl_ready) {
        curl_global_cleanup();
        curl_ready = 0;
    }
    pthread_mutex_unlock(&init_lock);
}
