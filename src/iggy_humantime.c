#include "iggy_humantime.h"

#include <string.h>

static bool is_blank(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool iggy_humantime_ns(const uint8_t *p, size_t n, uint64_t limit_ns, uint64_t *out_ns)
{
    static const struct {
        const char *unit;
        uint64_t ns;
    } units[] = {{"nsec", 1},
                 {"ns", 1},
                 {"usec", 1000ull},
                 {"us", 1000ull},
                 {"msec", 1000000ull},
                 {"ms", 1000000ull},
                 {"seconds", 1000000000ull},
                 {"second", 1000000000ull},
                 {"secs", 1000000000ull},
                 {"sec", 1000000000ull},
                 {"s", 1000000000ull},
                 {"minutes", 60000000000ull},
                 {"minute", 60000000000ull},
                 {"mins", 60000000000ull},
                 {"min", 60000000000ull},
                 {"m", 60000000000ull},
                 {"hours", 3600000000000ull},
                 {"hour", 3600000000000ull},
                 {"hrs", 3600000000000ull},
                 {"hr", 3600000000000ull},
                 {"h", 3600000000000ull},
                 {"days", 86400000000000ull},
                 {"day", 86400000000000ull},
                 {"d", 86400000000000ull},
                 {"weeks", 604800000000000ull},
                 {"week", 604800000000000ull},
                 {"w", 604800000000000ull},
                 {"months", 2630016000000000ull},
                 {"month", 2630016000000000ull},
                 {"M", 2630016000000000ull},
                 {"years", 31557600000000000ull},
                 {"year", 31557600000000000ull},
                 {"y", 31557600000000000ull}};
    size_t i = 0;
    uint64_t total = 0;
    bool any = false;

    while (i < n) {
        uint64_t v = 0;
        size_t start, unit_start;
        bool matched = false;
        while (i < n && is_blank(p[i]))
            i++;
        if (i == n)
            break;
        for (start = i; i < n && is_digit(p[i]); i++) {
            if (v > (UINT64_MAX - 9) / 10)
                return false;
            v = v * 10 + (uint64_t)(p[i] - '0');
        }
        if (i == start)
            return false;
        if (i < n && p[i] == '.') /* only a zero fraction: "1.0s" */
            for (i++; i < n && is_digit(p[i]); i++)
                if (p[i] != '0')
                    return false;
        while (i < n && is_blank(p[i]))
            i++;
        for (unit_start = i; i < n && is_alpha(p[i]); i++)
            ;
        for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
            if (strlen(units[u].unit) == i - unit_start &&
                memcmp(units[u].unit, p + unit_start, i - unit_start) == 0) {
                if (v > (limit_ns - total) / units[u].ns)
                    return false;
                total += v * units[u].ns;
                matched = true;
                break;
            }
        }
        if (!matched)
            return false;
        any = true;
    }
    if (!any)
        return false;
    *out_ns = total;
    return true;
}
