/* configdrive.c - staging a config drive's files, running the ISO tool, and publishing the ISO
 * atomically under host.cache.location; the zone settings rule. */
#include "config.h"

#include "configdrive.h"

#include "copyjournal.h"
#include "error.h"
#include "hostsvc.h"
#include "proc.h"
#include "settings.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define VM_NAME_MAX 200
#define ISO_PATH_MAX 255
#define COMPONENT_MAX 64 /* Joliet's limit on a name */
#define TOOL_TIMEOUT_MS 60000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char tool_override[SP_PATH_MAX];

/* --- where it goes ----------------------------------------------------------------------- */

pfx_configdrive_location pfx_configdrive_location_for(const pfx_configdrive_settings *s,
                                                      int pool_supports_config_drive)
{
    if (s->force_host_cache_use)
        return PFX_CONFIGDRIVE_HOST_CACHE;
    if (!s->primary_pool_enabled)
        return PFX_CONFIGDRIVE_SECONDARY;
    if (pool_supports_config_drive)
        return PFX_CONFIGDRIVE_PRIMARY_POOL;
    return s->use_host_cache_on_unsupported_pool ? PFX_CONFIGDRIVE_HOST_CACHE : PFX_CONFIGDRIVE_SECONDARY;
}

const char *pfx_configdrive_location_name(pfx_configdrive_location loc)
{
    switch (loc) {
    case PFX_CONFIGDRIVE_SECONDARY: return "secondary";
    case PFX_CONFIGDRIVE_PRIMARY_POOL: return "primary pool";
    case PFX_CONFIGDRIVE_HOST_CACHE: return "host cache";
    }
    return "unknown";
}

static int load_bool(const char *zone_uuid, const char *key, int def)
{
    char buf[16];

    if (!pfx_setting_str(SP_SCOPE_ZONE, zone_uuid, key, NULL, buf, sizeof(buf)) || buf[0] == '\0')
        return def;
    if (strcasecmp(buf, "true") == 0)
        return 1;
    if (strcasecmp(buf, "false") == 0)
        return 0;
    pfx_log(SP_LOG_WARN, "setting %s=\"%s\" is neither true nor false; using %s", key, buf,
            def ? "true" : "false");
    return def;
}

void pfx_configdrive_settings_load(const char *zone_uuid, pfx_configdrive_settings *out)
{
    const pfx_configdrive_settings def = PFX_CONFIGDRIVE_SETTINGS_DEFAULT;

    out->primary_pool_enabled =
        load_bool(zone_uuid, PFX_SETTING_CONFIGDRIVE_PRIMARY_POOL, def.primary_pool_enabled);
    out->use_host_cache_on_unsupported_pool = load_bool(
        zone_uuid, PFX_SETTING_CONFIGDRIVE_HOST_CACHE_UNSUPPORTED, def.use_host_cache_on_unsupported_pool);
    out->force_host_cache_use =
        load_bool(zone_uuid, PFX_SETTING_CONFIGDRIVE_FORCE_HOST_CACHE, def.force_host_cache_use);
}

/* --- names ------------------------------------------------------------------------------- */

static int has_control(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

int pfx_configdrive_vm_name_ok(const char *name)
{
    size_t n = name != NULL ? strlen(name) : 0;

    return n >= 1 && n <= VM_NAME_MAX && name[0] != '.' && strchr(name, '/') == NULL &&
           strstr(name, "..") == NULL && !has_control(name);
}

int pfx_configdrive_path_ok(const char *path)
{
    const char *c;
    size_t n = path != NULL ? strlen(path) : 0;

    if (n == 0 || n > ISO_PATH_MAX || has_control(path) || strchr(path, '\\') != NULL)
        return 0;
    if (strncmp(path, "openstack/", 10) != 0 && strncmp(path, "cloudstack/", 11) != 0)
        return 0;
    for (c = path; *c != '\0';) {
        size_t len = strcspn(c, "/");
        if (len == 0 || len > COMPONENT_MAX || (len == 1 && c[0] == '.') ||
            (len == 2 && c[0] == '.' && c[1] == '.'))
            return 0;
        c += len;
        if (*c == '/') {
            c++;
            if (*c == '\0')
                return 0; /* a trailing '/' names a directory, not a file */
        }
    }
    return 1;
}

static sp_status check_place(const char *cache_dir, const char *vm_name, sp_error *err)
{
    char q[80];

    if (cache_dir == NULL || cache_dir[0] != '/')
        return pfx_error(err, SP_E_INVALID, "%s \"%s\" is not an absolute path", PFX_SETTING_HOST_CACHE,
                         cache_dir != NULL ? cache_dir : "");
    if (!pfx_configdrive_vm_name_ok(vm_name)) {
        pfx_printable(vm_name, SIZE_MAX, q, sizeof(q));
        return pfx_error(err, SP_E_INVALID, "VM name \"%s\" cannot name a config drive file", q);
    }
    return SP_OK;
}

sp_status pfx_configdrive_iso_path(const char *cache_dir, const char *vm_name, char *buf, size_t buf_len,
                                   sp_error *err)
{
    sp_status s = check_place(cache_dir, vm_name, err);
    int n;

    if (s != SP_OK)
        return s;
    n = snprintf(buf, buf_len, "%s/" PFX_CONFIGDRIVE_DIR "/%s.iso", cache_dir, vm_name);
    if (n < 0 || (size_t)n >= buf_len)
        return pfx_error(err, SP_E_INVALID, "config drive path for VM %s does not fit in %zu bytes", vm_name,
                         buf_len);
    return SP_OK;
}

/* --- files ------------------------------------------------------------------------------- */

static sp_status write_file(const char *path, const char *content, size_t len, const char *shown_name,
                            sp_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    sp_status s;

    if (fd < 0) {
        if (errno == EEXIST)
            return pfx_error(err, SP_E_INVALID,
                             "config drive file %s is given twice (or is also a directory)", shown_name);
        if (errno == ENOTDIR)
            return pfx_error(err, SP_E_INVALID, "config drive file %s lies under a path given as a file",
                             shown_name);
        return pfx_error(err, SP_E_IO, "cannot write %s: %s", path, strerror(errno));
    }
    s = pfx_write_all(fd, content, len, path, err);
    if (close(fd) != 0 && s == SP_OK)
        s = pfx_error(err, SP_E_IO, "cannot write %s: %s", path, strerror(errno));
    return s;
}

/* Writes one file of the drive into the staging directory, creating its parents. */
static sp_status stage(const char *stage_dir, const char *rel, const char *content, sp_error *err)
{
    char path[SP_PATH_MAX + ISO_PATH_MAX + 2], *slash;
    sp_status s;
    int n = snprintf(path, sizeof(path), "%s/%s", stage_dir, rel);

    if (n < 0 || (size_t)n >= sizeof(path))
        return pfx_error(err, SP_E_INVALID, "config drive path %s is too long", rel);
    slash = strrchr(path, '/');
    *slash = '\0';
    s = pfx_make_private_dirs(path, 0, err); /* a staging tree: nothing in it needs to outlive a crash */
    *slash = '/';
    if (s != SP_OK)
        return pfx_error_prefix(err, "config drive file %s", rel);
    return write_file(path, content, strlen(content), rel, err);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

static void remove_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* --- the ISO tool ------------------------------------------------------------------------ */

void pfx_configdrive_set_iso_tool(const char *path)
{
    pthread_mutex_lock(&lock);
    snprintf(tool_override, sizeof(tool_override), "%s", path != NULL ? path : "");
    pthread_mutex_unlock(&lock);
}

static sp_status find_tool(char *buf, size_t len, sp_error *err)
{
    static const char *const tools[] = {"genisoimage", "mkisofs", "xorriso"};
    int n = -1;

    pthread_mutex_lock(&lock);
    if (tool_override[0] != '\0')
        n = snprintf(buf, len, "%s", tool_override);
    pthread_mutex_unlock(&lock);
    if (n >= 0)
        return (size_t)n < len ? SP_OK : pfx_error(err, SP_E_INVALID, "the ISO tool's path is too long");
    for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
        if (pfx_proc_find_program(tools[i], buf, len, NULL) == SP_OK)
            return SP_OK;
    return pfx_error(err, SP_E_NOT_FOUND,
                     "no ISO tool (genisoimage, mkisofs or xorriso) in /usr/bin, /usr/local/bin, "
                     "/bin, /usr/sbin or /sbin: install the Debian package genisoimage");
}

static sp_status make_iso(const char *tool, const char *stage_dir, const char *iso, sp_error *err)
{
    const char *base = strrchr(tool, '/');
    const char *argv[24];
    pfx_proc_opts o = {.timeout_ms = TOOL_TIMEOUT_MS};
    pfx_proc_result res;
    size_t n = 0;
    sp_status s;

    argv[n++] = tool;
    if (strcmp(base != NULL ? base + 1 : tool, "xorriso") == 0) {
        argv[n++] = "-as";
        argv[n++] = "mkisofs";
    }
    /* CloudStack's options: Rock Ridge (-r: files readable by all, owned by root) and Joliet
     * names, relaxed ISO 9660 names as a last resort for old readers. */
    argv[n++] = "-quiet";
    argv[n++] = "-o";
    argv[n++] = iso;
    argv[n++] = "-V";
    argv[n++] = PFX_CONFIGDRIVE_LABEL;
    argv[n++] = "-input-charset";
    argv[n++] = "utf-8";
    argv[n++] = "-J";
    argv[n++] = "-r";
    argv[n++] = "-l";
    argv[n++] = "-ldots";
    argv[n++] = "-allow-lowercase";
    argv[n++] = "-allow-multidot";
    argv[n++] = stage_dir;
    argv[n] = NULL;
    s = pfx_proc_run_ok(argv, &o, &res, err);
    pfx_proc_result_free(&res);
    return s;
}

/* --- build ------------------------------------------------------------------------------- */

static int given(const sp_kv *files, size_t n, const char *path)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(files[i].key, path) == 0)
            return 1;
    return 0;
}

sp_status pfx_configdrive_build(const char *cache_dir, const char *vm_name, const sp_kv *files,
                                size_t n_files, char *iso_out, size_t iso_out_len, sp_error *err)
{
    static const char *const empty_json[] = {"openstack/latest/vendor_data.json",
                                             "openstack/latest/network_data.json"};
    char dir[SP_PATH_MAX], iso[SP_PATH_MAX], tmp[SP_PATH_MAX], stage_dir[SP_PATH_MAX], tool[SP_PATH_MAX],
        q[80];
    int fd, have_tmp = 0, have_stage = 0;
    sp_status s;

    s = pfx_configdrive_iso_path(cache_dir, vm_name, iso, sizeof(iso), err);
    if (s != SP_OK)
        return s;
    for (size_t i = 0; i < n_files; i++) {
        if (files[i].key == NULL || files[i].value == NULL || !pfx_configdrive_path_ok(files[i].key)) {
            pfx_printable(files[i].key, SIZE_MAX, q, sizeof(q));
            return pfx_error(
                err, SP_E_INVALID,
                "config drive path \"%s\" is not allowed: it must be a relative path under openstack/ or "
                "cloudstack/ without \".\" or \"..\"",
                q);
        }
    }
    if (!given(files, n_files, "openstack/latest/meta_data.json"))
        return pfx_error(err, SP_E_INVALID, "config drive of VM %s lacks openstack/latest/meta_data.json",
                         vm_name);
    s = find_tool(tool, sizeof(tool), err);
    if (s != SP_OK)
        return s;

    snprintf(dir, sizeof(dir), "%s/" PFX_CONFIGDRIVE_DIR, cache_dir);
    s = pfx_make_private_dirs(dir, 1, err);
    if (s != SP_OK)
        return s;
    if (snprintf(stage_dir, sizeof(stage_dir), "%s/.stage-XXXXXX", dir) >= (int)sizeof(stage_dir) ||
        snprintf(tmp, sizeof(tmp), "%s/.%s.iso.XXXXXX", dir, vm_name) >= (int)sizeof(tmp))
        return pfx_error(err, SP_E_INVALID, "config drive paths under %s are too long", dir);
    if (mkdtemp(stage_dir) == NULL)
        return pfx_error(err, SP_E_IO, "cannot create a staging directory in %s: %s", dir, strerror(errno));
    have_stage = 1;

    for (size_t i = 0; i < n_files && s == SP_OK; i++)
        s = stage(stage_dir, files[i].key, files[i].value, err);
    for (size_t i = 0; i < sizeof(empty_json) / sizeof(empty_json[0]) && s == SP_OK; i++)
        if (!given(files, n_files, empty_json[i]))
            s = stage(stage_dir, empty_json[i], "{}", err);
    if (s == SP_OK) {
        char content[SP_PATH_MAX + 32];
        snprintf(content, sizeof(content), "%s/openstack/content", stage_dir);
        s = pfx_make_private_dirs(content, 0, err);
    }
    if (s != SP_OK)
        goto out;

    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        s = pfx_error(err, SP_E_IO, "cannot create a temporary file in %s: %s", dir, strerror(errno));
        goto out;
    }
    close(fd);
    have_tmp = 1;
    s = make_iso(tool, stage_dir, tmp, err);
    if (s == SP_OK)
        s = pfx_sync_path(tmp, err);
    if (s != SP_OK)
        goto out;
    if (rename(tmp, iso) != 0) {
        s = pfx_error(err, SP_E_IO, "cannot rename %s to %s: %s", tmp, iso, strerror(errno));
        goto out;
    }
    have_tmp = 0;
    s = pfx_sync_path(dir, err);
    if (s == SP_OK && iso_out != NULL && snprintf(iso_out, iso_out_len, "%s", iso) >= (int)iso_out_len)
        s = pfx_error(err, SP_E_INVALID, "config drive path %s does not fit in %zu bytes", iso, iso_out_len);
out:
    if (have_tmp)
        unlink(tmp);
    if (have_stage)
        remove_tree(stage_dir);
    if (s != SP_OK)
        pfx_error_prefix(err, "config drive of VM %s", vm_name);
    return s;
}

sp_status pfx_configdrive_remove(const char *cache_dir, const char *vm_name, sp_error *err)
{
    char iso[SP_PATH_MAX], dir[SP_PATH_MAX];
    sp_status s = pfx_configdrive_iso_path(cache_dir, vm_name, iso, sizeof(iso), err);

    if (s != SP_OK)
        return s;
    if (unlink(iso) != 0) {
        if (errno == ENOENT)
            return SP_OK;
        return pfx_error(err, SP_E_IO, "cannot delete %s: %s", iso, strerror(errno));
    }
    snprintf(dir, sizeof(dir), "%s/" PFX_CONFIGDRIVE_DIR, cache_dir);
    return pfx_sync_path(dir, err);
}
