/* Command-line parsing for powerflex-sim (see options.h). */
#include <config.h>
#include "options.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* Each address of --mdm-ips is shorter than this. */
#define SIM_MDM_IP_LEN_OPT 48

void sim_config_usage(FILE *out)
{
    fputs("Usage: powerflex-sim [OPTION]...\n"
          "Emulates a PowerFlex (ScaleIO) 3.5 REST gateway and the SDCs of KVM hosts.\n"
          "\n"
          "Serving:\n"
          "  --listen HOST:PORT       address to bind (port 0 picks a free one; IPv6 as [::1]:0);\n"
          "                           the first stdout line is 'listening on https://HOST:PORT'\n"
          "  --tls-cert PEM           server certificate (chain) in PEM\n"
          "  --tls-key PEM            its private key in PEM\n"
          "  --plain-http             serve plain HTTP instead of HTTPS (no certificate needed)\n"
          "  --user NAME              gateway user (default admin)\n"
          "  --role ROLE              its role: Administrator (default), SuperUser, Configure,\n"
          "                           FrontEndConfigure, BackEndConfigure, Security or Monitor\n"
          "  --account NAME:PASSWORD:ROLE\n"
          "                           a further gateway user; repeatable\n"
          "  --max-sessions N         at most N live tokens; a login beyond answers errorCode 252\n"
          "  --password SECRET        gateway password\n"
          "  --password-file FILE     read the password from the first line of FILE\n"
          "  --latency-ms N           add N ms to every /api request\n"
          "  --token-ttl SECONDS      absolute token lifetime (default 28800; fractions allowed)\n"
          "  --idle-ttl SECONDS       idle token lifetime, refreshed by every call (default 600)\n"
          "  --api 3.5|4.x            the gateway release to behave as (default 3.5). 4.x adds\n"
          "                           POST /rest/auth/login (JSON credentials, access_token answered,\n"
          "                           sent as Authorization: Bearer), POST /rest/auth/logout, and\n"
          "                           answers 401, 404 and injected 500/503 with HTML pages\n"
          "\n"
          "The system:\n"
          "  --system-id HEX16        system id (random when absent)\n"
          "  --pool NAME:SIZE_GIB[:DOMAIN]\n"
          "                           a storage pool of SIZE_GIB raw capacity in protection domain\n"
          "                           DOMAIN (default domain1); repeatable; default pool1:1024\n"
          "  --spare-percent N        spare percentage of every pool (default 10)\n"
          "  --overprovision RATIO    volume allocation limit as RATIO x net capacity (default 0.84,\n"
          "                           as a captured pool shows)\n"
          "  --sdc IP[:GUID[:DEVDIR]] an SDC (a KVM host); repeatable. DEVDIR overrides where its\n"
          "                           device entries appear\n"
          "  --sdcs-detached          SDCs start outside the MDMs (disconnected, no device entries)\n"
          "                           until their drv_cfg --add_mdm joins them\n"
          "  --mdm-ips MASTER,SLAVE[,TIEBREAKER]\n"
          "                           the MDM cluster's addresses (default 10.A.B.11-13, A.B a hash\n"
          "                           of the system id); drv_cfg --add_mdm --ip takes the first two\n"
          "  --state-dir DIR          where volume data files live (a temporary dir when absent)\n"
          "  --volatile               the state is not saved as requests change it (a simulator that\n"
          "                           is never restarted: benchmarks of the client)\n"
          "  --sdc-device-dir DIR     mapped volumes appear as DIR/<sdc id>/emc-vol-<system>-<volume>\n"
          "                           (default <state dir>/devices)\n"
          "  --device-delay-ms N      a device entry appears N ms after the mapping (or at a rescan)\n"
          "  --migration-ms N         duration of a V-Tree migration (default 500)\n"
          "  --migration-slots N      migrations running at once, the rest queue (default 0: no limit)\n"
          "  --migration-fail-at F    a migration fails (Paused, MigrationError) when F (0..1) of it\n"
          "                           is copied (default 0: never)\n"
          "  --migration-fail-p P     probability that a migration fails at F (default 1)\n"
          "  --migration-pause-ms N   a graceful pause takes N ms, a forceful one N/5 (default 100)\n"
          "  --removal-ms N           a removal keeps its V-Tree busy N ms: removals in it answer\n"
          "                           errorCode 212 meanwhile (default 0)\n"
          "  --loop-devices           device entries are loop block devices (root and /dev/loop*\n"
          "                           needed; default: symbolic links to the data files)\n"
          "  --seed N                 seed for ids and fault probabilities (deterministic runs)\n"
          "\n"
          "Faults (repeatable; also at run time with POST /sim/faults):\n"
          "  --fault SPEC             SPEC is [METHOD ]PATH-TEMPLATE:KIND[:KEY=VALUE|:FLAG]...\n"
          "                           PATH-TEMPLATE is a path with ids written {id}\n"
          "                           (e.g. /api/instances/Volume::{id}/action/addMappedSdc), '*' for\n"
          "                           any path, or a prefix ending in '*'. METHOD is optional.\n"
          "                           KIND: latency (ms=N), http500, http502, http503, http504,\n"
          "                           html (status=N), empty (status=N), busy, drop, malformed,\n"
          "                           truncate, expire-tokens, device-delay (ms=N), readonly\n"
          "                           KEYS: p=PROBABILITY, nth=N (only the Nth match), from=N (Nth and\n"
          "                           later), count=N (at most N times), once (= count=1),\n"
          "                           after (execute the request before failing), volume=ID (readonly)\n"
          "                           e.g. 'POST "
          "/api/instances/Volume::{id}/action/addMappedSdc:http500:nth=2'\n"
          "\n"
          "  --help                   this text\n"
          "  --version                print the version\n"
          "\n"
          "Control endpoints (loopback only, no auth): GET /sim/stats, POST /sim/stats/reset,\n"
          "POST /sim/expire-tokens, GET|POST|DELETE /sim/faults, GET /sim/volumes,\n"
          "POST /sim/volumes/ID/readonly, GET /sim/sdc/SDC, POST /sim/sdc/SDC/rescan,\n"
          "GET /sim/sdc/SDC/volumes, POST /sim/sdc, GET|POST /sim/modes. See powerflex-sim(1).\n",
          out);
}

enum {
    OPT_LISTEN = 256,
    OPT_CERT,
    OPT_KEY,
    OPT_PLAIN,
    OPT_USER,
    OPT_PASSWORD,
    OPT_PASSWORD_FILE,
    OPT_SYSTEM_ID,
    OPT_POOL,
    OPT_SDC,
    OPT_STATE_DIR,
    OPT_DEVICE_DIR,
    OPT_DEVICE_DELAY,
    OPT_TOKEN_TTL,
    OPT_IDLE_TTL,
    OPT_LATENCY,
    OPT_FAULT,
    OPT_SEED,
    OPT_SPARE,
    OPT_MIGRATION,
    OPT_OVERPROVISION,
    OPT_HELP,
    OPT_VERSION,
    OPT_MIG_SLOTS,
    OPT_MIG_FAIL_AT,
    OPT_MIG_FAIL_P,
    OPT_MIG_PAUSE,
    OPT_REMOVAL,
    OPT_ROLE,
    OPT_ACCOUNT,
    OPT_MAX_SESSIONS,
    OPT_LOOP,
    OPT_API,
    OPT_MDM_IPS,
    OPT_SDCS_DETACHED,
    OPT_VOLATILE
};

static const struct option options[] = {{"listen", required_argument, NULL, OPT_LISTEN},
                                        {"tls-cert", required_argument, NULL, OPT_CERT},
                                        {"tls-key", required_argument, NULL, OPT_KEY},
                                        {"plain-http", no_argument, NULL, OPT_PLAIN},
                                        {"user", required_argument, NULL, OPT_USER},
                                        {"password", required_argument, NULL, OPT_PASSWORD},
                                        {"password-file", required_argument, NULL, OPT_PASSWORD_FILE},
                                        {"system-id", required_argument, NULL, OPT_SYSTEM_ID},
                                        {"pool", required_argument, NULL, OPT_POOL},
                                        {"sdc", required_argument, NULL, OPT_SDC},
                                        {"state-dir", required_argument, NULL, OPT_STATE_DIR},
                                        {"sdc-device-dir", required_argument, NULL, OPT_DEVICE_DIR},
                                        {"device-delay-ms", required_argument, NULL, OPT_DEVICE_DELAY},
                                        {"token-ttl", required_argument, NULL, OPT_TOKEN_TTL},
                                        {"idle-ttl", required_argument, NULL, OPT_IDLE_TTL},
                                        {"latency-ms", required_argument, NULL, OPT_LATENCY},
                                        {"fault", required_argument, NULL, OPT_FAULT},
                                        {"seed", required_argument, NULL, OPT_SEED},
                                        {"spare-percent", required_argument, NULL, OPT_SPARE},
                                        {"migration-ms", required_argument, NULL, OPT_MIGRATION},
                                        {"overprovision", required_argument, NULL, OPT_OVERPROVISION},
                                        {"migration-slots", required_argument, NULL, OPT_MIG_SLOTS},
                                        {"migration-fail-at", required_argument, NULL, OPT_MIG_FAIL_AT},
                                        {"migration-fail-p", required_argument, NULL, OPT_MIG_FAIL_P},
                                        {"migration-pause-ms", required_argument, NULL, OPT_MIG_PAUSE},
                                        {"removal-ms", required_argument, NULL, OPT_REMOVAL},
                                        {"role", required_argument, NULL, OPT_ROLE},
                                        {"account", required_argument, NULL, OPT_ACCOUNT},
                                        {"max-sessions", required_argument, NULL, OPT_MAX_SESSIONS},
                                        {"loop-devices", no_argument, NULL, OPT_LOOP},
                                        {"help", no_argument, NULL, OPT_HELP},
                                        {"version", no_argument, NULL, OPT_VERSION},
                                        {"api", required_argument, NULL, OPT_API},
                                        {"mdm-ips", required_argument, NULL, OPT_MDM_IPS},
                                        {"sdcs-detached", no_argument, NULL, OPT_SDCS_DETACHED},
                                        {"volatile", no_argument, NULL, OPT_VOLATILE},
                                        {NULL, 0, NULL, 0}};

static bool parse_seconds(const char *s, int64_t *ms)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || end == s || v < 0 || v > 1e9)
        return false;
    *ms = (int64_t)(v * 1000.0 + 0.5);
    return true;
}

static bool parse_nonneg(const char *s, int64_t max, int64_t *out)
{
    int64_t v;
    if (!sim_parse_i64(s, &v) || v < 0 || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_fraction(const char *s, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || end == s || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

bool sim_role_valid(const char *role)
{
    static const char *const roles[] = {"Monitor",       "Configure", "FrontEndConfigure", "BackEndConfigure",
                                        "Administrator", "SuperUser", "Security",          NULL};
    for (size_t i = 0; roles[i]; i++)
        if (!strcmp(role, roles[i]))
            return true;
    return false;
}

/* NAME:PASSWORD:ROLE; the role is the last field, so a password may hold ':'. */
static bool parse_account(struct sim_config *cfg, const char *arg)
{
    const char *c1 = strchr(arg, ':'), *c2 = strrchr(arg, ':');
    if (!c1 || c2 == c1 || c1 == arg || !sim_role_valid(c2 + 1))
        return false;
    cfg->accounts = sim_xrealloc(cfg->accounts, (cfg->naccounts + 1) * sizeof(*cfg->accounts));
    cfg->accounts[cfg->naccounts].name = strndup(arg, (size_t)(c1 - arg));
    cfg->accounts[cfg->naccounts].password = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
    cfg->accounts[cfg->naccounts].role = sim_xstrdup(c2 + 1);
    cfg->naccounts++;
    return true;
}

static bool parse_listen(struct sim_config *cfg, const char *arg)
{
    const char *colon;
    char *host;
    int64_t port;
    if (arg[0] == '[') {
        const char *rb = strchr(arg, ']');
        if (!rb || rb[1] != ':')
            return false;
        host = strndup(arg + 1, (size_t)(rb - arg - 1));
        colon = rb + 1;
    } else {
        colon = strrchr(arg, ':');
        if (!colon)
            return false;
        host = strndup(arg, (size_t)(colon - arg));
    }
    if (!host)
        return false;
    if (!parse_nonneg(colon + 1, 65535, &port) || !*host) {
        free(host);
        return false;
    }
    free(cfg->listen_host);
    cfg->listen_host = host;
    cfg->listen_port = (int)port;
    return true;
}

static bool parse_pool(struct sim_config *cfg, const char *arg)
{
    char *copy = sim_xstrdup(arg), *save = NULL;
    char *name = strtok_r(copy, ":", &save);
    char *size = strtok_r(NULL, ":", &save);
    char *domain = strtok_r(NULL, "", &save);
    int64_t gib;
    bool ok = name && size && parse_nonneg(size, INT64_C(1) << 40, &gib) && gib > 0 && strlen(name) <= 31 &&
              (!domain || (*domain && strlen(domain) <= 31));
    if (ok) {
        cfg->pools = sim_xrealloc(cfg->pools, (cfg->npools + 1) * sizeof(*cfg->pools));
        cfg->pools[cfg->npools].name = sim_xstrdup(name);
        cfg->pools[cfg->npools].size_gib = (uint64_t)gib;
        cfg->pools[cfg->npools].domain = sim_xstrdup(domain ? domain : "domain1");
        cfg->npools++;
    }
    free(copy);
    return ok;
}

/* IP[:GUID[:DEVDIR]]; an IPv6 address goes in brackets. DEVDIR may contain ':'. */
static bool parse_sdc(struct sim_config *cfg, const char *arg)
{
    char *ip = NULL, *guid = NULL, *dir = NULL;
    const char *rest;
    if (arg[0] == '[') {
        const char *rb = strchr(arg, ']');
        if (!rb)
            return false;
        ip = strndup(arg + 1, (size_t)(rb - arg - 1));
        rest = rb + 1;
        if (*rest && *rest != ':') {
            free(ip);
            return false;
        }
    } else {
        size_t n = strcspn(arg, ":");
        ip = strndup(arg, n);
        rest = arg + n;
    }
    if (*rest == ':') {
        rest++;
        size_t n = strcspn(rest, ":");
        if (n)
            guid = strndup(rest, n);
        rest += n;
        if (*rest == ':' && rest[1])
            dir = sim_xstrdup(rest + 1);
    }
    if (!ip || !*ip || strlen(ip) > 45) {
        free(ip);
        free(guid);
        free(dir);
        return false;
    }
    cfg->sdcs = sim_xrealloc(cfg->sdcs, (cfg->nsdcs + 1) * sizeof(*cfg->sdcs));
    cfg->sdcs[cfg->nsdcs].ip = ip;
    cfg->sdcs[cfg->nsdcs].guid = guid;
    cfg->sdcs[cfg->nsdcs].devdir = dir;
    cfg->nsdcs++;
    return true;
}

static char *read_password_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    if (!f)
        return NULL;
    n = getline(&line, &cap, f);
    fclose(f);
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = sim_xstrdup(v);
}

enum sim_config_result sim_config_parse(struct sim_config *cfg, int argc, char **argv, FILE *out, char *err,
                                        size_t errsz)
{
    int c;
    int64_t v = 0;
    memset(cfg, 0, sizeof(*cfg));
    cfg->listen_host = sim_xstrdup("127.0.0.1");
    cfg->listen_port = 443;
    cfg->user = sim_xstrdup("admin");
    cfg->token_ttl_ms = 28800 * 1000;
    cfg->idle_ttl_ms = 600 * 1000;
    cfg->migration_ms = 500;
    cfg->spare_percent = 10;
    /* A captured pool (csi-powerflex's statistics fixture) allows 117440512 KB of volumes on
     * (311424000 - 31141888) / 2 = 140141056 KB net: 0.84. */
    cfg->overprovision = 0.84;
    cfg->migration_fail_p = 1.0;
    cfg->migration_pause_ms = 100;
    cfg->role = sim_xstrdup("Administrator");
    cfg->api_version = sim_xstrdup("3.5");
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        const char *a = optarg;
        bool ok = true;
        switch (c) {
        case OPT_LISTEN: ok = parse_listen(cfg, a); break;
        case OPT_CERT: set_str(&cfg->tls_cert, a); break;
        case OPT_KEY: set_str(&cfg->tls_key, a); break;
        case OPT_PLAIN: cfg->plain_http = true; break;
        case OPT_USER: set_str(&cfg->user, a); break;
        case OPT_PASSWORD: set_str(&cfg->password, a); break;
        case OPT_PASSWORD_FILE:
            free(cfg->password);
            cfg->password = read_password_file(a);
            if (!cfg->password) {
                snprintf(err, errsz, "cannot read password file %s", a);
                return SIM_CONFIG_ERROR;
            }
            break;
        case OPT_SYSTEM_ID:
            ok = strlen(a) == SIM_ID_LEN && sim_is_hex_id(a);
            if (ok)
                set_str(&cfg->system_id, a);
            break;
        case OPT_POOL: ok = parse_pool(cfg, a); break;
        case OPT_SDC: ok = parse_sdc(cfg, a); break;
        case OPT_STATE_DIR: set_str(&cfg->state_dir, a); break;
        case OPT_DEVICE_DIR: set_str(&cfg->device_dir, a); break;
        case OPT_DEVICE_DELAY: ok = parse_nonneg(a, 86400000, &cfg->device_delay_ms); break;
        case OPT_TOKEN_TTL: ok = parse_seconds(a, &cfg->token_ttl_ms); break;
        case OPT_IDLE_TTL: ok = parse_seconds(a, &cfg->idle_ttl_ms); break;
        case OPT_LATENCY: ok = parse_nonneg(a, 3600000, &cfg->latency_ms); break;
        case OPT_MIGRATION: ok = parse_nonneg(a, 86400000, &cfg->migration_ms); break;
        case OPT_FAULT:
            cfg->faults = sim_xrealloc(cfg->faults, (cfg->nfaults + 1) * sizeof(char *));
            cfg->faults[cfg->nfaults++] = sim_xstrdup(a);
            break;
        case OPT_SEED:
            ok = parse_nonneg(a, INT64_MAX, &v);
            cfg->seed = (uint64_t)v;
            cfg->seed_given = true;
            break;
        case OPT_SPARE:
            ok = parse_nonneg(a, 99, &v);
            cfg->spare_percent = (int)v;
            break;
        case OPT_OVERPROVISION: ok = parse_fraction(a, 0.01, 1000, &cfg->overprovision); break;
        case OPT_MIG_SLOTS:
            ok = parse_nonneg(a, 1000, &v);
            cfg->migration_slots = (int)v;
            break;
        case OPT_MIG_FAIL_AT: ok = parse_fraction(a, 0, 1, &cfg->migration_fail_at); break;
        case OPT_MIG_FAIL_P: ok = parse_fraction(a, 0, 1, &cfg->migration_fail_p); break;
        case OPT_MIG_PAUSE: ok = parse_nonneg(a, 3600000, &cfg->migration_pause_ms); break;
        case OPT_REMOVAL: ok = parse_nonneg(a, 3600000, &cfg->removal_ms); break;
        case OPT_ROLE:
            ok = sim_role_valid(a);
            if (ok)
                set_str(&cfg->role, a);
            break;
        case OPT_ACCOUNT: ok = parse_account(cfg, a); break;
        case OPT_MAX_SESSIONS:
            ok = parse_nonneg(a, 100000, &v);
            cfg->max_sessions = (int)v;
            break;
        case OPT_LOOP: cfg->loop_devices = true; break;
        case OPT_API:
            ok = !strcmp(a, "3.5") || !strcmp(a, "4.x");
            if (ok) {
                set_str(&cfg->api_version, !strcmp(a, "4.x") ? "4.5" : a);
                cfg->api4 = !strcmp(a, "4.x");
            }
            break;
        case OPT_MDM_IPS:
            ok = strlen(a) < 3 * SIM_MDM_IP_LEN_OPT && strchr(a, ',') != NULL &&
                 strspn(a, "0123456789abcdefABCDEF.:,") == strlen(a);
            if (ok)
                set_str(&cfg->mdm_ips, a);
            break;
        case OPT_SDCS_DETACHED: cfg->sdcs_detached = true; break;
        case OPT_VOLATILE: cfg->volatile_state = true; break;
        case OPT_HELP: sim_config_usage(out); return SIM_CONFIG_EXIT_OK;
        case OPT_VERSION:
            fputs("powerflex-sim " PACKAGE_VERSION " (emulates PowerFlex gateway 3.5)\n", out);
            return SIM_CONFIG_EXIT_OK;
        default:
            snprintf(err, errsz, "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
            return SIM_CONFIG_ERROR;
        }
        if (!ok) {
            snprintf(err, errsz, "invalid value '%s' for %s", a ? a : "", argv[optind - 1]);
            return SIM_CONFIG_ERROR;
        }
    }
    if (optind < argc) {
        snprintf(err, errsz, "unexpected argument '%s'", argv[optind]);
        return SIM_CONFIG_ERROR;
    }
    if (!cfg->password) {
        snprintf(err, errsz, "a password is required: --password or --password-file");
        return SIM_CONFIG_ERROR;
    }
    if (!cfg->plain_http && (!cfg->tls_cert || !cfg->tls_key)) {
        snprintf(err, errsz, "HTTPS needs --tls-cert and --tls-key (or pass --plain-http)");
        return SIM_CONFIG_ERROR;
    }
    if (cfg->npools == 0 && !parse_pool(cfg, "pool1:1024")) {
        snprintf(err, errsz, "internal error creating the default pool");
        return SIM_CONFIG_ERROR;
    }
    return SIM_CONFIG_OK;
}

void sim_config_free(struct sim_config *cfg)
{
    free(cfg->listen_host);
    free(cfg->tls_cert);
    free(cfg->tls_key);
    free(cfg->user);
    free(cfg->password);
    free(cfg->system_id);
    for (size_t i = 0; i < cfg->npools; i++) {
        free(cfg->pools[i].name);
        free(cfg->pools[i].domain);
    }
    free(cfg->pools);
    for (size_t i = 0; i < cfg->nsdcs; i++) {
        free(cfg->sdcs[i].ip);
        free(cfg->sdcs[i].guid);
        free(cfg->sdcs[i].devdir);
    }
    free(cfg->sdcs);
    free(cfg->state_dir);
    free(cfg->device_dir);
    free(cfg->role);
    for (size_t i = 0; i < cfg->naccounts; i++) {
        free(cfg->accounts[i].name);
        free(cfg->accounts[i].password);
        free(cfg->accounts[i].role);
    }
    free(cfg->accounts);
    for (size_t i = 0; i < cfg->nfaults; i++)
        free(cfg->faults[i]);
    free(cfg->faults);
    free(cfg->api_version);
    free(cfg->mdm_ips);
    memset(cfg, 0, sizeof(*cfg));
}
