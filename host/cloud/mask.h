/* mask.h - passwords hidden in everything the harness shows or keeps: URLs (with the pool URL
 * syntax the plugin parses with, portable/poolurl), key=value secrets, echoed command lines. */
#ifndef HOST_MASK_H
#define HOST_MASK_H

#include <stddef.h>

/* Copies url with the secret of its user info (the password; the whole user info when it has no
 * ':') replaced by "*****" (malloc'd; NULL when out of memory). */
char *host_mask_url(const char *url);

/* Masks free text (a message, a log line): in every "scheme://" the user info's secret, up to
 * the last '@' before the next "scheme://" or the end (a password may hold '@', '/' and blanks,
 * so the mask errs on the side of hiding more), and the value of every secret key=value
 * (password=, details...password=, token=; a quoted value to its closing quote). malloc'd; NULL
 * when out of memory. */
char *host_mask_text(const char *text);

/* Masks text in place (cap bytes); when masking runs out of memory the text is replaced by a
 * notice instead of being shown unmasked. */
void host_mask_inplace(char *text, size_t cap);

/* A cmk command line as --echo shows it: read as host_cmk_parse reads it (variables left as
 * written), with secret parameters (password=, a details[i].value whose details[i].key is secret,
 * a URL's password) masked; the line as written when nothing needed masking, and masked as free
 * text when it cannot be read. malloc'd; NULL when out of memory. */
char *host_mask_cmd_line(const char *line, size_t len);

#endif
