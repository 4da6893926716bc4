/* The logging core (iggy_log.h) and the default stderr logger. */
#include "iggy_log.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>

#include "iggy_clock.h"

void iggy_log_emit(const iggy_logger_t *lg, int level, const char *facility, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    /* Every facility the library uses is a documented context (debug builds check it). */
    assert(iggy_log_ctx_bit(facility) != IGGY_LOGC_OTHER);
    if (!lg->cb)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lg->cb(level, facility, msg, lg->opaque);
}

int iggy_log_parse_contexts(const char *list, uint32_t *bits, char *bad, size_t bad_size)
{
    uint32_t b = 0;
    const char *p = list;
    *bits = 0;
    while (*p) {
        char name[32];
        size_t n;
        p += strspn(p, " ,");
        n = strcspn(p, " ,");
        if (!n)
            break;
        snprintf(name, sizeof name, "%.*s", (int)n, p);
        if (n < sizeof name && strcmp(name, "all") == 0) {
            b |= IGGY_LOGC_ALL;
        } else {
            uint32_t bit = n < sizeof name ? iggy_log_ctx_bit(name) : IGGY_LOGC_OTHER;
            if (bit == IGGY_LOGC_OTHER) {
                if (bad && bad_size)
                    snprintf(bad, bad_size, "%.*s", (int)n, p);
                return -1;
            }
            b |= bit;
        }
        p += n;
    }
    *bits = b;
    return 0;
}

void iggy_logger_init(iggy_logger_t *lg, iggy_log_cb_t *cb, void *opaque, int64_t level,
                      const char *debug)
{
    uint32_t bits = 0;
    lg->cb = cb;
    lg->opaque = opaque;
    /* debug was validated when it was set: an unknown name cannot be here. */
    if (debug)
        (void)iggy_log_parse_contexts(debug, &bits, NULL, 0);
    lg->level = cb ? (int)(level < IGGY_LOG_DEBUG ? level : IGGY_LOG_DEBUG - 1) : -1;
    lg->debug = cb ? bits : 0;
}

void iggy_log_print(int level, const char *facility, const char *msg, void *opaque)
{
    char line[1200];
    uint64_t now = iggy_now_us();
    int n;
    (void)opaque;
    n = snprintf(line, sizeof line, "%%%d|%llu.%03u|%s| %s\n", level,
                 (unsigned long long)(now / 1000000u), (unsigned)(now / 1000u % 1000u),
                 facility ? facility : "", msg ? msg : "");
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line) {
        n = (int)sizeof line - 1;
        line[n - 1] = '\n';
    }
    /* One call on the stream: lines from concurrent threads do not interleave. */
    fwrite(line, 1, (size_t)n, stderr);
}
