/* output.h - how answers are shown, as CloudMonkey shows them: "-o json|table|text" or
 * "set display ...", and "filter=a,b" keeping only those fields of each listed object. */
#ifndef HOST_OUTPUT_H
#define HOST_OUTPUT_H

#include <stdio.h>

typedef enum host_display { HOST_DISPLAY_JSON = 0, HOST_DISPLAY_TABLE, HOST_DISPLAY_TEXT } host_display;

/* "json", "table" or "text" (case-insensitive). 0, or -1 when unknown. */
int host_display_parse(const char *name, host_display *out);

/* cmk's filter: every array of objects at the top of the answer keeps only the fields named in
 * `keys` (comma-separated), in that order; other members stay. Returns the answer re-written
 * (pretty JSON, malloc'd), or NULL when json does not parse or memory runs out. */
char *host_output_filter(const char *json, const char *keys);

/* Prints an answer (JSON text) to out as `d` shows it. A table has one row per object of each
 * top-level array (a lone object is a one-row table), columns in `keys` order when given, else
 * every field in sorted order; text prints "field = value" lines, objects of a list separated by
 * a line of '='. Returns 0, or -1 when json does not parse (then it is printed as is). */
int host_output_print(FILE *out, const char *json, host_display d, const char *keys);

/* An error as the display shows it: JSON as answers are, else cmk's one line
 * "Error: (HTTP 431, error code 4350) text". */
void host_output_error(FILE *out, const char *json, host_display d, int code, int cscode, const char *text);

#endif
