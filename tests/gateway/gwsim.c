/* gwsim.c - starting powerflex-sim for the gateway client's tests and counting its requests.
 * Failures to start are hard errors (exit 99): a test that cannot reach its gateway proves nothing. */
#include "config.h"

#include "gwsim.h"

#include "gwtest.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tsim *gws_start(const char *const *extra_args)
{
    tsim *s = tsim_start(extra_args);

    if (s == NULL) {
        fprintf(stderr, "cannot start powerflex-sim\n");
        exit(99);
    }
    gwt_add_secret(tsim_password(s));
    /* base64("admin:") begins every token the simulator issues and every basic-auth header for
     * "admin": finding it in a log line means a token or an Authorization header leaked. */
    gwt_add_secret("YWRtaW46");
    return s;
}

const char *gws_release(tsim *s)
{
    return tsim_api4(s) ? "4.5" : "3.5";
}

pfx_gw_client *gws_client(tsim *s, unsigned timeout_s, unsigned max_connections)
{
    return gws_client_release(s, timeout_s, max_connections, gws_release(s));
}

pfx_gw_client *gws_client_release(tsim *s, unsigned timeout_s, unsigned max_connections, const char *release)
{
    pfx_gw_config cfg = {
        .gateway = tsim_hostport(s),
        .user = tsim_user(s),
        .password = tsim_password(s),
        .timeout_s = timeout_s,
        .max_connections = max_connections,
        .ca_file = tsim_cafile(s),
        .api_version = release,
    };
    pfx_gw_client *c = NULL;
    sp_error e;

    if (pfx_gw_client_new(&cfg, &c, &e) != SP_OK) {
        fprintf(stderr, "cannot create a client: %s\n", e.message);
        exit(99);
    }
    return c;
}

gws_mark gws_now(tsim *s)
{
    gws_mark m = {tsim_stats_count(s, "total"), tsim_stats_count(s, "logins")};

    return m;
}

int gws_requests_since(tsim *s, gws_mark m)
{
    return tsim_stats_count(s, "total") - m.total;
}

int gws_logins_since(tsim *s, gws_mark m)
{
    return tsim_stats_count(s, "logins") - m.logins;
}

int gws_fault(tsim *s, const char *spec)
{
    int rc = tsim_fault(s, spec);

    if (rc != 200)
        fprintf(stderr, "simulator refused fault \"%s\" (HTTP %d)\n", spec, rc);
    return rc == 200;
}

int gws_clear_faults(tsim *s)
{
    return tsim_clear_faults(s) == 200;
}
