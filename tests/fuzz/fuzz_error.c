/* fuzz_error.c - libFuzzer target for error answers: the error body parser and the mapping of a
 * whole refusal (status, reason, body) to an sp_status and message. The first two bytes pick the
 * HTTP status and whether the answer claims to be HTML. A refusal must map to an error status whose
 * message starts with "gateway returned <status>". */
#include "config.h"

#include "gateway_error.h"
#include "gateway_parse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const long statuses[] = {400, 401, 403, 404, 405, 409, 429, 500,
                                    502, 503, 504, 204, 302, 418, 422, 599};
    pfx_gw_error_body eb;
    pfx_gw_http_reply r;
    sp_error e;
    sp_status st;
    char *buf;
    size_t len;

    if (size < 2)
        return 0;
    len = size - 2;
    buf = malloc(len + 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data + 2, len);
    buf[len] = '\0';

    pfx_gw_parse_error_body(buf, len, &eb, &e);
    memset(&r, 0, sizeof(r));
    r.status = statuses[data[0] % (sizeof(statuses) / sizeof(statuses[0]))];
    r.html = data[1] & 1;
    memcpy(r.reason, "Reason", 7);
    r.body = buf;
    r.len = len;
    memset(&e, 0, sizeof(e));
    st = pfx_gw_error_from_reply(&r, &e);
    if (memchr(e.message, '\0', sizeof(e.message)) == NULL)
        abort(); /* messages are always terminated */
    if (r.status >= 300) {
        char head[48];
        /* a refusal is never success, and its message starts with the HTTP status */
        snprintf(head, sizeof(head), "gateway returned %ld", r.status);
        if (st == SP_OK || e.status != st || e.http_status != r.status ||
            strncmp(e.message, head, strlen(head)) != 0)
            abort();
    }
    pfx_gw_error_from_reply(&r, NULL);
    free(buf);
    return 0;
}
