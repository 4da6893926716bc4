#include "tool_json.h"

#include <stddef.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (of the n bytes left), or 0. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
    size_t n;
    if (p[0] < 0x80)
        return 1;
    if ((p[0] & 0xE0) == 0xC0 && p[0] >= 0xC2)
        n = 2;
    else if ((p[0] & 0xF0) == 0xE0)
        n = 3;
    else if ((p[0] & 0xF8) == 0xF0 && p[0] <= 0xF4)
        n = 4;
    else
        return 0;
    if (n > left)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

void tool_json_string(FILE *f, const char *s)
{
    s = s ? s : "";
    tool_json_string_n(f, s, strlen(s));
}

void tool_json_string_n(FILE *f, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)(s ? s : ""), *end = p + (s ? len : 0);
    fputc('"', f);
    while (p < end) {
        size_t n;
        switch (*p) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        default:
            if (*p < 0x20 || *p == 0x7F) {
                fprintf(f, "\\u%04x", *p);
                break;
            }
            n = utf8_len(p, (size_t)(end - p));
            if (n == 0) {
                fputs("\\ufffd", f);
                break;
            }
            fwrite(p, 1, n, f);
            p += n;
            continue;
        }
        p++;
    }
    fputc('"', f);
}
