#include "humanize.h"

#include "iggy_humantime.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static bool is_zero_word(const char *s)
{
    static const char *const words[] = {"0", "none", "unlimited", "disabled"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (!strcasecmp(s, words[i]))
            return true;
    return false;
}

bool hz_parse_size(const char *s, uint64_t *out)
{
    static const struct {
        const char *unit;
        double mult;
    } units[] = {
        {"", 1},        {"b", 1},        {"k", 1e3},      {"kb", 1e3},     {"ki", 1024},
        {"kib", 1024},  {"m", 1e6},      {"mb", 1e6},     {"mi", 0x1p20},  {"mib", 0x1p20},
        {"g", 1e9},     {"gb", 1e9},     {"gi", 0x1p30},  {"gib", 0x1p30}, {"t", 1e12},
        {"tb", 1e12},   {"ti", 0x1p40},  {"tib", 0x1p40}, {"p", 1e15},     {"pb", 1e15},
        {"pi", 0x1p50}, {"pib", 0x1p50},
    };
    const char *p = skip_blanks(s);
    char unit[8];
    size_t ul = 0;
    double v = 0, frac = 0.1;
    bool digits = false;

    if (is_zero_word(p)) {
        *out = 0;
        return true;
    }
    for (; isdigit((unsigned char)*p); p++, digits = true)
        v = v * 10 + (*p - '0');
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++, frac /= 10, digits = true)
            v += (*p - '0') * frac;
    if (!digits)
        return false;
    p = skip_blanks(p);
    while (isalpha((unsigned char)*p) && ul < sizeof unit - 1)
        unit[ul++] = (char)tolower((unsigned char)*p++);
    unit[ul] = '\0';
    if (*skip_blanks(p))
        return false;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        if (!strcmp(unit, units[i].unit)) {
            double bytes = v * units[i].mult;
            if (bytes >= 18446744073709551615.0)
                return false;
            *out = (uint64_t)bytes;
            return true;
        }
    }
    return false;
}

/* humantime, the library's parser (src/iggy_humantime.c: the Rust SDK's grammar), after
 * iggy-bench's zero words and, for IggyDuration, lowercasing. */
static bool parse_duration(const char *s, bool lower, uint64_t *out_us)
{
    char buf[128];
    const char *p;
    uint64_t total_ns;
    size_t n = strlen(s);

    if (n >= sizeof buf)
        return false;
    for (size_t i = 0; i <= n; i++)
        buf[i] = lower ? (char)tolower((unsigned char)s[i]) : s[i];
    p = skip_blanks(buf);
    if (is_zero_word(p)) {
        *out_us = 0;
        return true;
    }
    if (!iggy_humantime_ns((const uint8_t *)p, strlen(p), UINT64_MAX, &total_ns))
        return false;
    *out_us = total_ns / 1000;
    return true;
}

bool hz_parse_duration_us(const char *s, uint64_t *out_us)
{
    return parse_duration(s, true, out_us);
}

bool hz_parse_duration_us_exact(const char *s, uint64_t *out_us)
{
    return parse_duration(s, false, out_us);
}

void hz_byte_size(uint64_t bytes, char *buf, size_t cap)
{
    static const char *const units[] = {"KB", "MB", "GB", "TB", "PB", "EB"};
    double v = (double)bytes;
    int u = -1;
    if (bytes < 1000) {
        snprintf(buf, cap, "%llu B", (unsigned long long)bytes);
        return;
    }
    while (u < 5 && v >= 1000) {
        v /= 1000;
        u++;
    }
    snprintf(buf, cap, "%.2f %s", v, units[u]);
}

void hz_count(uint64_t v, const char *unit, char *buf, size_t cap)
{
    static const char *const scales[] = {"k", "M", "G", "T", "P", "E"};
    double x = (double)v, r;
    int s = -1;
    if (x < 999.95) {
        snprintf(buf, cap, "%llu%s", (unsigned long long)v, unit);
        return;
    }
    while (s < 5 && x >= 999.95) {
        x /= 1000;
        s++;
    }
    r = round(x * 10) / 10;
    if (r == floor(r))
        snprintf(buf, cap, "%.0f%s%s", r, scales[s], unit);
    else
        snprintf(buf, cap, "%.1f%s%s", r, scales[s], unit);
}

void hz_duration(uint64_t us, char *buf, size_t cap)
{
    static const struct {
        uint64_t secs;
        const char *one, *many;
    } big[] = {{31557600, "year", "years"},
               {2630016, "month", "months"},
               {86400, "day", "days"},
               {3600, "h", "h"},
               {60, "m", "m"},
               {1, "s", "s"}};
    uint64_t secs = us / 1000000, rest_us = us % 1000000;
    size_t len = 0;
    buf[0] = '\0';
    if (!us) {
        snprintf(buf, cap, "0s");
        return;
    }
    for (size_t i = 0; i < sizeof big / sizeof *big; i++) {
        uint64_t n = secs / big[i].secs;
        secs %= big[i].secs;
        if (n && len < cap)
            len += (size_t)snprintf(buf + len, cap - len, "%s%llu%s", len ? " " : "",
                                    (unsigned long long)n, n == 1 ? big[i].one : big[i].many);
    }
    if (rest_us / 1000 && len < cap)
        len += (size_t)snprintf(buf + len, cap - len, "%s%llums", len ? " " : "",
                                (unsigned long long)(rest_us / 1000));
    if (rest_us % 1000 && len < cap)
        snprintf(buf + len, cap - len, "%s%lluus", len ? " " : "",
                 (unsigned long long)(rest_us % 1000));
}
