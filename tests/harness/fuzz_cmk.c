/* fuzz_cmk.c - libFuzzer target for the harness's command language: a cmk line parsed with
 * variables bound (maps, quotes, expansions), then the same bytes as an assert expression checked
 * against a fixed response and as a JSON path. Nothing may crash, leak or read out of bounds. */
#include "config.h"

#include "cmk.h"
#include "jpath.h"
#include "vars.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int expand(void *ctx, const char *name, size_t len, host_buf *out, char *err, size_t errlen)
{
    const char *v = host_vars_get(ctx, name, len);
    (void)err;
    (void)errlen;
    if (v == NULL)
        return -1;
    host_buf_adds(out, v);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char doc[] =
        "{\"count\": 2, \"storagepool\": [{\"state\": \"Up\", \"a.b\": {\"c\": [1, 2]}}, {}]}";
    host_vars *vars = host_vars_new();
    host_cmd cmd;
    host_assert a;
    host_buf out = HOST_BUF_INIT;
    char err[256], msg[1024];
    const sp_kv *kv;

    if (vars == NULL)
        return 0;
    host_vars_set(vars, "pf1.gateway", "127.0.0.1:443");
    host_vars_set(vars, "x", "$x \"quoted\" 'single'");
    if (host_cmk_parse((const char *)data, size, expand, vars, &cmd, err, sizeof(err)) == 1) {
        host_cmd_map(&cmd, "details", &kv);
        host_cmd_get(&cmd, "name");
        host_cmd_free(&cmd);
    }
    if (memchr(data, '\0', size) == NULL) {
        if (host_assert_parse((const char *)data, size, expand, vars, &a, err, sizeof(err)) == 0) {
            host_assert_check(&a, doc, msg, sizeof(msg));
            host_assert_free(&a);
        }
        if (size > 0)
            host_jpath_lookup(doc, (const char *)data, size, &out, err, sizeof(err));
    }
    host_buf_free(&out);
    host_vars_free(vars);
    return 0;
}
