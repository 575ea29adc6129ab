/* drv_cfg: the SDC's command-line tool as CloudStack's KVM agent uses it (--rescan,
 * --query_vols, --query_guid, --query_mdms, --add_mdm, --remove_mdm), answering for the
 * simulated systems listed in sim_sdc.conf. */
#include <config.h>
#include "sdcconf.h"
#include "util.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_tree.h>

struct buf {
    char *data;
    size_t len;
};

static size_t collect(char *p, size_t sz, size_t n, void *arg)
{
    struct buf *b = arg;
    b->data = sim_xrealloc(b->data, b->len + sz * n + 1);
    memcpy(b->data + b->len, p, sz * n);
    b->len += sz * n;
    b->data[b->len] = '\0';
    return sz * n;
}

/* Calls the simulator's SDC endpoint (POST with body, "{}" when NULL); the parsed JSON answer
 * or NULL with a message printed. */
static yajl_val call_body(const struct sim_sdc_system *sys, const char *method, const char *what,
                          const char *body)
{
    CURL *h = curl_easy_init();
    struct buf b = {NULL, 0};
    char *url = sim_fmt("%s/sim/sdc/%s%s", sys->url, sys->sdc, what);
    char errbuf[CURL_ERROR_SIZE] = "", perr[128];
    long status = 0;
    yajl_val v = NULL;
    CURLcode rc;
    if (!h)
        goto out;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (!strcmp(method, "POST"))
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "{}");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (sys->ca)
        curl_easy_setopt(h, CURLOPT_CAINFO, sys->ca);
    rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        fprintf(stderr, "drv_cfg: %s: %s\n", url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        fprintf(stderr, "drv_cfg: %s: HTTP %ld %s\n", url, status, b.data ? b.data : "");
        goto out;
    }
    v = yajl_tree_parse(b.data ? b.data : "", perr, sizeof(perr));
    if (!v)
        fprintf(stderr, "drv_cfg: %s: malformed answer\n", url);
out:
    curl_easy_cleanup(h);
    free(b.data);
    free(url);
    return v;
}

static yajl_val call(const struct sim_sdc_system *sys, const char *method, const char *what)
{
    return call_body(sys, method, what, NULL);
}

static const char *str_field(yajl_val v, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val s = yajl_tree_get(v, path, yajl_t_string);
    return s ? s->u.string : NULL;
}

static int query_vols(const struct sim_sdcconf *conf)
{
    yajl_val *answers = sim_xcalloc(conf->n, sizeof(*answers));
    size_t total = 0;
    int rc = 0;
    for (size_t i = 0; i < conf->n; i++) {
        const char *path[] = {"volumes", NULL};
        yajl_val vols;
        answers[i] = call(&conf->systems[i], "GET", "/volumes");
        vols = answers[i] ? yajl_tree_get(answers[i], path, yajl_t_array) : NULL;
        if (!vols) {
            rc = 1;
            goto out;
        }
        total += vols->u.array.len;
    }
    printf("Retrieved %zu volume(s)\n", total);
    for (size_t i = 0; i < conf->n; i++) {
        const char *path[] = {"volumes", NULL};
        yajl_val vols = yajl_tree_get(answers[i], path, yajl_t_array);
        const char *mdm = str_field(answers[i], "systemId");
        for (size_t j = 0; j < vols->u.array.len; j++)
            if (YAJL_IS_STRING(vols->u.array.values[j]))
                printf("VOL-ID %s MDM-ID %s\n", vols->u.array.values[j]->u.string, mdm ? mdm : "");
    }
out:
    for (size_t i = 0; i < conf->n; i++)
        yajl_tree_free(answers[i]);
    free(answers);
    return rc;
}

static int rescan(const struct sim_sdcconf *conf)
{
    for (size_t i = 0; i < conf->n; i++) {
        yajl_val v = call(&conf->systems[i], "POST", "/rescan");
        if (!v)
            return 1;
        yajl_tree_free(v);
    }
    /* The one line the real tool prints on success (not from a capture: see powerflex-sim(1)). */
    printf("Calling kernel module to refresh MDM configuration\n");
    return 0;
}

static int query_guid(const struct sim_sdcconf *conf)
{
    yajl_val v;
    const char *guid;
    if (conf->guid) {
        printf("%s\n", conf->guid);
        return 0;
    }
    v = call(&conf->systems[0], "GET", "");
    guid = v ? str_field(v, "guid") : NULL;
    if (guid)
        printf("%s\n", guid);
    yajl_tree_free(v);
    return guid ? 0 : 1;
}

/* ---- MDMs: which systems this SDC has joined ----------------------------------------- */

static bool ip_in(const char *ip, yajl_val ips)
{
    for (size_t i = 0; ips && i < ips->u.array.len; i++)
        if (YAJL_IS_STRING(ips->u.array.values[i]) && !strcmp(ips->u.array.values[i]->u.string, ip))
            return true;
    return false;
}

static yajl_val mdm_ips(yajl_val info)
{
    const char *path[] = {"mdmIps", NULL};
    return info ? yajl_tree_get(info, path, yajl_t_array) : NULL;
}

static bool joined(yajl_val info)
{
    const char *path[] = {"joined", NULL};
    yajl_val v = info ? yajl_tree_get(info, path, yajl_t_true) : NULL;
    return v != NULL;
}

/* "Retrieved N mdm(s)", then per system the SDC joined, as a real SDC prints it (a public capture):
 * MDM-ID d7f6c6427c56ab0f SDC ID 59f89f6100000005 INSTALLATION ID 295ee6f776af5e4c IPs [0]-a [1]-b */
static int query_mdms(const struct sim_sdcconf *conf)
{
    yajl_val *answers = sim_xcalloc(conf->n, sizeof(*answers));
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; i < conf->n; i++) {
        answers[i] = call(&conf->systems[i], "GET", "");
        if (!answers[i]) {
            rc = 1;
            goto out;
        }
        n += joined(answers[i]);
    }
    printf("Retrieved %zu mdm(s)\n", n);
    for (size_t i = 0; i < conf->n; i++) {
        yajl_val ips = mdm_ips(answers[i]);
        const char *sys = str_field(answers[i], "systemId"), *id = str_field(answers[i], "id");
        const char *inst = str_field(answers[i], "installationId");
        if (!joined(answers[i]))
            continue;
        printf("MDM-ID %s SDC ID %s INSTALLATION ID %s IPs", sys ? sys : "", id ? id : "0000000000000000",
               inst ? inst : "0000000000000000");
        for (size_t j = 0; ips && j < ips->u.array.len; j++)
            if (YAJL_IS_STRING(ips->u.array.values[j]))
                printf(" [%zu]-%s", j, ips->u.array.values[j]->u.string);
        printf("\n");
    }
out:
    for (size_t i = 0; i < conf->n; i++)
        yajl_tree_free(answers[i]);
    free(answers);
    return rc;
}

/* The file's lines, without any "mdm <ips>" line for these ips, plus one when add. */
static int rewrite_file(const char *file, const char *ips, bool add)
{
    FILE *in = fopen(file, "r"), *out;
    char *tmp = sim_fmt("%s.tmp", file), *line = NULL, *want = sim_fmt("mdm %s", ips);
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    out = fopen(tmp, "w");
    if (!out) {
        fprintf(stderr, "drv_cfg: cannot write %s\n", tmp);
        rc = 1;
        goto done;
    }
    while (in && (n = getline(&line, &cap, in)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (!strcasecmp(line, want))
            continue;
        fprintf(out, "%s\n", line);
    }
    if (add)
        fprintf(out, "%s\n", want);
    if (fclose(out) != 0 || rename(tmp, file) != 0) {
        fprintf(stderr, "drv_cfg: cannot update %s\n", file);
        rc = 1;
    }
done:
    if (in)
        fclose(in);
    free(line);
    free(tmp);
    free(want);
    return rc;
}

/* --add_mdm / --remove_mdm --ip IP[,IP...] [--file F]: the system whose MDMs these are takes
 * this SDC in or lets it go; the file keeps an "mdm IP,IP" line per joined cluster, as the real
 * drv_cfg.txt does. */
static int change_mdm(const struct sim_sdcconf *conf, const char *ips, const char *file, bool add)
{
    char *copy = sim_xstrdup(ips), *save = NULL, *first = strtok_r(copy, ",", &save);
    int rc = 1;
    for (size_t i = 0; first && i < conf->n; i++) {
        yajl_val info = call(&conf->systems[i], "GET", ""), res;
        if (!info)
            goto out;
        if (!ip_in(first, mdm_ips(info))) {
            yajl_tree_free(info);
            continue;
        }
        yajl_tree_free(info);
        res = call_body(&conf->systems[i], "POST", "/mdm", add ? "{\"joined\":true}" : "{\"joined\":false}");
        if (!res)
            goto out;
        yajl_tree_free(res);
        rc = file ? rewrite_file(file, ips, add) : 0;
        if (rc == 0)
            printf("%s MDM %s\n", add ? "Added" : "Removed", ips);
        goto out;
    }
    fprintf(stderr, "drv_cfg: no MDM answers at %s\n", ips);
out:
    free(copy);
    return rc;
}

static void usage(FILE *out)
{
    fputs("Usage: drv_cfg --rescan | --query_vols | --query_guid | --query_mdms | --help | --version\n"
          "       drv_cfg --add_mdm --ip IP[,IP...] [--file FILE]\n"
          "       drv_cfg --remove_mdm --ip IP[,IP...] [--file FILE]\n"
          "Emulated SDC tool of powerflex-sim; reads <sdc home>/cfg/sim_sdc.conf\n"
          "(or $SIM_SDC_CONF). See powerflex-sim(1).\n",
          out);
}

int main(int argc, char **argv)
{
    struct sim_sdcconf conf;
    const char *cmd = NULL, *ip = NULL, *file = NULL;
    char err[512], *path;
    int rc;
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--version")) {
            printf("drv_cfg (powerflex-sim) %s\n", PACKAGE_VERSION);
            return 0;
        } else if ((!strcmp(argv[i], "--ip") || !strcmp(argv[i], "--file")) && i + 1 < argc) {
            *(argv[i][2] == 'i' ? &ip : &file) = argv[i + 1];
            i++;
        } else if (!cmd && (!strcmp(argv[i], "--rescan") || !strcmp(argv[i], "--query_vols") ||
                            !strcmp(argv[i], "--query_guid") || !strcmp(argv[i], "--query_mdms") ||
                            !strcmp(argv[i], "--query_mdm") || !strcmp(argv[i], "--add_mdm") ||
                            !strcmp(argv[i], "--remove_mdm"))) {
            cmd = argv[i];
        } else {
            fprintf(stderr, "drv_cfg: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!cmd || ((!strcmp(cmd, "--add_mdm") || !strcmp(cmd, "--remove_mdm")) != (ip != NULL))) {
        usage(stderr);
        return 2;
    }
    path = sim_sdcconf_path(argv[0]);
    if (!path || sim_sdcconf_load(path, &conf, err, sizeof(err))) {
        fprintf(stderr, "drv_cfg: %s\n", path ? err : "cannot locate sim_sdc.conf");
        free(path);
        return 1;
    }
    free(path);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!strcmp(cmd, "--rescan"))
        rc = rescan(&conf);
    else if (!strcmp(cmd, "--query_vols"))
        rc = query_vols(&conf);
    else if (!strcmp(cmd, "--query_guid"))
        rc = query_guid(&conf);
    else if (!strcmp(cmd, "--add_mdm") || !strcmp(cmd, "--remove_mdm"))
        rc = change_mdm(&conf, ip, file, !strcmp(cmd, "--add_mdm"));
    else
        rc = query_mdms(&conf);
    curl_global_cleanup();
    sim_sdcconf_free(&conf);
    return rc;
}
