/* JSON output shared by the command-line tools (iggycat -J, iggy-c-bench's report.json). */
#ifndef IGGY_TOOL_JSON_H
#define IGGY_TOOL_JSON_H

#include <stddef.h>
#include <stdio.h>

/* Write s (NULL: "") as a JSON string: quotes, backslashes and control characters escaped,
 * invalid UTF-8 replaced by U+FFFD, so the output always parses. */
void tool_json_string(FILE *f, const char *s);

/* The same for the n bytes at s, which may hold NULs (written as \u0000). */
void tool_json_string_n(FILE *f, const char *s, size_t n);

#endif
