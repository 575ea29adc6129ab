/* template_fetch.h - a template's image made ready on this KVM host: a file on secondary storage
 * read in place, or a direct-download URL fetched into the host cache; checked against its checksum
 * and read by the image inspector (imageinspect.h) before qemu-img describes it (format as
 * declared, virtual size, no backing file, no data file, not encrypted).
 *
 * Downloads use libcurl: http and https only (redirects too), certificates and host names verified
 * against the system's CA store, to a 0600 temporary file under
 * <host.cache.location>/powerflex-templates/ that pfx_template_release deletes. Failed, cancelled
 * or refused downloads leave nothing behind. Messages show a URL without its user info and query.
 *
 * Sizing the template volume: the host creates it (Driver.create_volume, kind TEMPLATE) before it
 * calls copy_image_to_volume, and must size it to at least the image's virtual size (the template's
 * "size" as CloudStack records it after download; pfx_template_virtual_size gives it for a file).
 * The Adaptor refuses a volume that is smaller and says what size is needed.
 * Threads: calls are independent and may run concurrently. */
#ifndef PFX_TEMPLATE_FETCH_H
#define PFX_TEMPLATE_FETCH_H

#include "qemuimg.h"
#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>

#define PFX_TEMPLATE_DIR "powerflex-templates" /* under host.cache.location, for downloads */

typedef struct pfx_template_local {
    char path[SP_PATH_MAX];   /* the image to read */
    int temporary;            /* 1: a download, deleted by pfx_template_release */
    sp_image_format format;   /* as declared by the host (RAW or QCOW2) */
    pfx_image_facts facts;    /* from qemu-img info with that format */
    char origin[SP_PATH_MAX]; /* the file, or the URL without user info and query, for messages */
} pfx_template_local;

/* Makes src readable at out->path: a local file (absolute path to a regular file) is used as it is;
 * a URL is downloaded under cache_dir (progress phase "download", bytes done / total, total 0 when
 * the server did not say). A given checksum is then checked (phase "checksum"); then the image's
 * header is inspected in our own code (a file under /proc, /sys or /dev, or not a regular file, is
 * refused there too), and only then does qemu-img info open it, with -f and under limits.
 *   SP_E_INVALID    neither or both of path and url, a relative path, a scheme other than http(s),
 *                   ISO format, a malformed checksum, an image the inspector refuses (another
 *                   format's header, a backing or data file, ...; the reason in the message), or
 *                   one qemu-img reads differently
 *   SP_E_NOT_FOUND  the file is missing, or the server answered 404
 *   SP_E_TLS        the server's certificate did not verify
 *   SP_E_IO         a checksum mismatch, qemu-img failing on the image, a failed download (the
 *                   HTTP status or libcurl's reason in the message)
 *   SP_E_NO_SPACE   the host cache filled up
 *   SP_E_CANCELLED  the progress callback said stop
 * out is always initialised; release it with pfx_template_release whatever the status. */
sp_status pfx_template_fetch(const sp_image_source *src, const char *cache_dir, const sp_progress *progress,
                             pfx_template_local *out, sp_error *err);

/* Deletes a downloaded file; a local source is left alone. Safe to call twice. */
void pfx_template_release(pfx_template_local *t);

/* The virtual size of an image file in the given format (RAW or QCOW2): what a template volume
 * must at least hold. */
sp_status pfx_template_virtual_size(const char *path, sp_image_format format, uint64_t *size, sp_error *err);

/* Writes url into buf without "user:password@" and without its query and fragment, for messages
 * and logs (which must not carry secrets or signed tokens). */
void pfx_template_url_display(const char *url, char *buf, size_t buf_len);

#endif
