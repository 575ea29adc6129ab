/* drv_cfg: the SDC's command-line tool as CloudStack's KVM agent uses it (--rescan,
 * --query_vols, --query_guid, --query_mdms), answering for the simulated systems listed in
 * sim_sdc.conf. */
#include <config.h>
#include "sdcconf.h"
#include "util.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Calls the simulator's SDC endpoint; the parsed JSON answer or NULL with a message printed. */
static yajl_val call(const struct sim_sdc_system *sys, const char *method, const char *what)
{
	CURL *h = curl_easy_init();
	struct buf b = { NULL, 0 };
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
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "{}");
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

static const char *str_field(yajl_val v, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val s = yajl_tree_get(v, path, yajl_t_string);
	return s ? s->u.string : NULL;
}

static int query_vols(const struct sim_sdcconf *conf)
{
	yajl_val *answers = sim_xcalloc(conf->n, sizeof(*answers));
	size_t total = 0;
	int rc = 0;
	for (size_t i = 0; i < conf->n; i++) {
		const char *path[] = { "volumes", NULL };
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
		const char *path[] = { "volumes", NULL };
		yajl_val vols = yajl_tree_get(answers[i], path, yajl_t_array);
		const char *mdm = str_field(answers[i], "systemId");
		for (size_t j = 0; j < vols->u.array.len; j++)
			if (YAJL_IS_STRING(vols->u.array.values[j]))
				printf("VOL-ID %s MDM-ID %s\n", vols->u.array.values[j]->u.string,
				       mdm ? mdm : "");
	}
out:
	for (size_t i = 0; i < conf->n; i++)
		yajl_tree_free(answers[i]);
	free(answers);
	return rc;
}

/* "Retrieved N mdm(s)", then per system, as a real SDC prints it (a public capture):
 * MDM-ID d7f6c6427c56ab0f SDC ID 59f89f6100000005 INSTALLATION ID 295ee6f776af5e4c IPs [0]-a [1]-b */
static int query_mdms(const struct sim_sdcconf *conf)
{
	yajl_val *answers = sim_xcalloc(conf->n, sizeof(*answers));
	int rc = 0;
	for (size_t i = 0; i < conf->n; i++)
		if (!(answers[i] = call(&conf->systems[i], "GET", ""))) {
			rc = 1;
			goto out;
		}
	printf("Retrieved %zu mdm(s)\n", conf->n);
	for (size_t i = 0; i < conf->n; i++) {
		const char *path[] = { "mdmIps", NULL };
		yajl_val ips = yajl_tree_get(answers[i], path, yajl_t_array);
		const char *sys = str_field(answers[i], "systemId"), *id = str_field(answers[i], "id");
		const char *inst = str_field(answers[i], "installationId");
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

static void usage(FILE *out)
{
	fputs("Usage: drv_cfg --rescan | --query_vols | --query_guid | --query_mdms | --help | --version\n"
	      "Emulated SDC tool of powerflex-sim; reads <sdc home>/cfg/sim_sdc.conf\n"
	      "(or $SIM_SDC_CONF). See powerflex-sim(1).\n",
	      out);
}

int main(int argc, char **argv)
{
	struct sim_sdcconf conf;
	char err[512], *path;
	int rc;
	if (argc != 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("drv_cfg (powerflex-sim) %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--rescan") && strcmp(argv[1], "--query_vols") &&
	    strcmp(argv[1], "--query_guid") && strcmp(argv[1], "--query_mdms")) {
		fprintf(stderr, "drv_cfg: unknown option %s\n", argv[1]);
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
	if (!strcmp(argv[1], "--rescan"))
		rc = rescan(&conf);
	else if (!strcmp(argv[1], "--query_vols"))
		rc = query_vols(&conf);
	else if (!strcmp(argv[1], "--query_mdms"))
		rc = query_mdms(&conf);
	else
		rc = query_guid(&conf);
	curl_global_cleanup();
	sim_sdcconf_free(&conf);
	return rc;
}
