/* /sim control endpoints (see control.h and powerflex-sim(1)). */
#include <config.h>
#include "control.h"
#include "datafile.h"
#include "devices.h"
#include "json.h"
#include "run.h"
#include "volops.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void volumes(struct sim_control *c, struct sim_resp *rs)
{
	struct sim_model *m = c->model;
	sim_jw *w = sim_jw_new();
	sim_jw_arr(w);
	for (size_t i = 0; i < m->nvols; i++) {
		const struct sim_volume *v = m->vols[i];
		sim_jw_obj(w);
		sim_jw_kstr(w, "id", v->id);
		sim_jw_kstr(w, "name", v->name);
		sim_jw_kint(w, "sizeInKb", (int64_t)v->size_kb);
		sim_jw_kstr(w, "volumeType", sim_vtype_name(v->type));
		sim_jw_kstr(w, "vtreeId", v->vtree->id);
		sim_jw_kstr(w, "storagePoolId", v->vtree->pool->id);
		sim_jw_kstr(w, "ancestorVolumeId", v->ancestor[0] ? v->ancestor : NULL);
		sim_jw_kstr(w, "consistencyGroupId", v->group[0] ? v->group : NULL);
		sim_jw_kstr(w, "path", v->path);
		sim_jw_kbool(w, "readOnly", v->readonly);
		sim_jw_kbool(w, "readOnlyEnforced", v->readonly && v->readonly_enforced);
		sim_jw_key(w, "mappings");
		sim_jw_arr(w);
		for (size_t j = 0; j < v->nmaps; j++) {
			char *dev = sim_dev_path(m, v->maps[j].sdc, v);
			sim_jw_obj(w);
			sim_jw_kstr(w, "sdcId", v->maps[j].sdc->id);
			sim_jw_kstr(w, "sdcIp", v->maps[j].sdc->ip);
			sim_jw_kstr(w, "device", dev);
			sim_jw_kbool(w, "present", v->maps[j].present);
			sim_jw_kint(w, "iopsLimit", v->maps[j].iops);
			sim_jw_kint(w, "bandwidthLimitInKbps", v->maps[j].bw_kbps);
			sim_jw_obj_end(w);
			free(dev);
		}
		sim_jw_arr_end(w);
		sim_jw_obj_end(w);
	}
	sim_jw_arr_end(w);
	sim_resp_json(rs, sim_jw_finish(w));
}

static void sdc_info(struct sim_control *c, struct sim_sdc *s, struct sim_resp *rs, bool with_vols)
{
	struct sim_model *m = c->model;
	sim_jw *w = sim_jw_new();
	sim_jw_obj(w);
	sim_jw_kstr(w, "id", s->id);
	sim_jw_kstr(w, "ip", s->ip);
	sim_jw_kstr(w, "guid", s->guid);
	sim_jw_kstr(w, "systemId", m->system_id);
	sim_jw_kstr(w, "deviceDir", s->devdir);
	sim_jw_kbool(w, "connected", sim_sdc_online(s));
	sim_jw_kbool(w, "joined", !s->detached);
	/* What drv_cfg --add_mdm --ip is given for this system: its master and slave MDMs. */
	sim_jw_key(w, "mdmIps");
	sim_jw_arr(w);
	sim_jw_str(w, m->mdm_ips[0]);
	sim_jw_str(w, m->mdm_ips[1]);
	sim_jw_arr_end(w);
	if (with_vols) {
		/* What the SDC knows: mappings whose device entry is there. */
		sim_jw_key(w, "volumes");
		sim_jw_arr(w);
		for (size_t i = 0; i < m->nvols; i++) {
			struct sim_mapping *mp = sim_volume_mapping(m->vols[i], s);
			if (mp && mp->present)
				sim_jw_str(w, m->vols[i]->id);
		}
		sim_jw_arr_end(w);
	}
	sim_jw_obj_end(w);
	sim_resp_json(rs, sim_jw_finish(w));
}

static struct sim_sdc *find_sdc(struct sim_model *m, const char *key, size_t len)
{
	char buf[64];
	if (len >= sizeof(buf))
		return NULL;
	memcpy(buf, key, len);
	buf[len] = '\0';
	struct sim_sdc *s = sim_find_sdc(m, buf);
	return s ? s : sim_find_sdc_by_ip(m, buf);
}

static yajl_val parse_body(const char *body, struct sim_resp *rs)
{
	char err[128];
	yajl_val v = sim_jr_parse(body, err, sizeof(err));
	if (!v)
		sim_resp_err(rs, SIM_E_BAD_REQUEST, "Malformed JSON request body");
	return v;
}

/* Routes under /sim/sdc/<id or ip>[/...] and /sim/volumes/<id>/{readonly,corrupt}; lock held. */
static void model_routes(struct sim_control *c, const char *method, const char *path,
			 const char *body, struct sim_resp *rs)
{
	struct sim_model *m = c->model;
	bool get = !strcmp(method, "GET"), post = !strcmp(method, "POST");
	if (!strcmp(path, "/sim/volumes") && get) {
		volumes(c, rs);
		return;
	}
	if (!strcmp(path, "/sim/system") && get) {
		sim_jw *w = sim_jw_new();
		sim_jw_obj(w);
		sim_jw_kstr(w, "id", m->system_id);
		sim_jw_kstr(w, "stateDir", m->state_dir);
		sim_jw_kstr(w, "deviceDir", m->device_dir);
		sim_jw_obj_end(w);
		sim_resp_json(rs, sim_jw_finish(w));
		return;
	}
	if (!strncmp(path, "/sim/volumes/", 13) && post) {
		const char *id = path + 13, *slash = strchr(id, '/');
		char idbuf[SIM_ID_LEN + 1];
		struct sim_volume *v;
		yajl_val j, ro, off;
		bool corrupt = slash && !strcmp(slash, "/corrupt");
		if (!slash || (strcmp(slash, "/readonly") && !corrupt) || (size_t)(slash - id) > SIM_ID_LEN) {
			sim_resp_err(rs, SIM_E_NO_URL, NULL);
			return;
		}
		memcpy(idbuf, id, (size_t)(slash - id));
		idbuf[slash - id] = '\0';
		if (!(v = sim_find_volume(m, idbuf))) {
			sim_resp_err(rs, SIM_E_VOL_NOT_FOUND, NULL);
			return;
		}
		if (!(j = parse_body(body, rs)))
			return;
		if (corrupt) {
			off = sim_jr_get(j, "offset");
			int rc = off && !YAJL_IS_INTEGER(off) ? -EINVAL
				 : sim_data_corrupt(v->path, off ? (uint64_t)YAJL_GET_INTEGER(off) : 0);
			yajl_tree_free(j);
			if (rc != 0)
				sim_resp_err(rs, SIM_E_BAD_REQUEST, "offset must be a byte offset within the volume's data");
			else
				sim_resp_empty(rs);
			return;
		}
		ro = sim_jr_get(j, "readOnly");
		sim_volume_set_readonly(v, !ro || !YAJL_IS_FALSE(ro));
		m->dirty = true;
		yajl_tree_free(j);
		sim_resp_empty(rs);
		return;
	}
	if (!strncmp(path, "/sim/sdc/", 9)) {
		const char *key = path + 9, *slash = strchr(key, '/');
		size_t len = slash ? (size_t)(slash - key) : strlen(key);
		struct sim_sdc *s = find_sdc(m, key, len);
		if (!s) {
			sim_resp_err(rs, SIM_E_SDC_NOT_FOUND, NULL);
			return;
		}
		if (!slash && get) {
			sdc_info(c, s, rs, false);
		} else if (slash && !strcmp(slash, "/volumes") && get) {
			sdc_info(c, s, rs, true);
		} else if (slash && !strcmp(slash, "/rescan") && post) {
			sim_dev_rescan(m, s);
			sdc_info(c, s, rs, true);
		} else if (slash && !strcmp(slash, "/mdm") && post) {
			yajl_val j = parse_body(body, rs), joined;
			if (!j)
				return;
			joined = sim_jr_get(j, "joined");
			if (!joined || !(YAJL_IS_TRUE(joined) || YAJL_IS_FALSE(joined))) {
				yajl_tree_free(j);
				sim_resp_err(rs, SIM_E_BAD_REQUEST, "joined must be true or false");
				return;
			}
			sim_sdc_set_joined(m, s, YAJL_IS_TRUE(joined));
			yajl_tree_free(j);
			sdc_info(c, s, rs, true);
		} else if (slash && !strcmp(slash, "/state") && post) {
			yajl_val j = parse_body(body, rs), conn;
			if (!j)
				return;
			conn = sim_jr_get(j, "connected");
			s->disconnected = conn && YAJL_IS_FALSE(conn);
			yajl_tree_free(j);
			sdc_info(c, s, rs, false);
		} else {
			sim_resp_err(rs, SIM_E_NO_URL, NULL);
		}
		return;
	}
	sim_resp_err(rs, SIM_E_NO_URL, NULL);
}

void sim_control_handle(struct sim_control *c, const char *method, const char *path,
			const char *body, struct sim_resp *rs)
{
	bool get = !strcmp(method, "GET"), post = !strcmp(method, "POST");
	if (!strcmp(path, "/sim/stats") && get) {
		sim_resp_json(rs, sim_stats_json(c->stats, sim_auth_logins(c->auth),
						 sim_auth_bearer_calls(c->auth)));
	} else if (!strcmp(path, "/sim/stats/reset") && post) {
		sim_stats_reset(c->stats);
		sim_auth_reset_counter(c->auth);
		sim_resp_empty(rs);
	} else if (!strcmp(path, "/sim/expire-tokens") && post) {
		sim_auth_expire_all(c->auth);
		sim_resp_empty(rs);
	} else if (!strcmp(path, "/sim/faults")) {
		if (get) {
			sim_resp_json(rs, sim_faults_json(c->faults));
		} else if (!strcmp(method, "DELETE")) {
			sim_faults_clear(c->faults);
			sim_resp_empty(rs);
		} else if (post) {
			char err[256];
			yajl_val j = parse_body(body, rs);
			if (!j)
				return;
			if (sim_faults_add_json(c->faults, j, err, sizeof(err)))
				sim_resp_err(rs, SIM_E_BAD_REQUEST, err);
			else
				sim_resp_json(rs, sim_faults_json(c->faults));
			yajl_tree_free(j);
		} else {
			sim_resp_err(rs, SIM_E_METHOD, NULL);
		}
	} else {
		sim_model_lock(c->model);
		sim_model_tick(c->model, sim_now_ms());
		model_routes(c, method, path, body, rs);
		sim_model_unlock(c->model);
	}
}
