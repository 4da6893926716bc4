/* The logging core: a logger resolved once per client from its conf, and a test of level and
 * context that runs before anything is formatted. */
#ifndef IGGY_LOG_INTERNAL_H
#define IGGY_LOG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <iggy/log.h>

#include "iggy_error_internal.h"

/* Context bits for conf `debug`; a facility outside IGGY_LOG_CONTEXTS maps to OTHER, which
 * only `all` enables. */
enum {
    IGGY_LOGC_CONN = 1u << 0,
    IGGY_LOGC_TLS = 1u << 1,
    IGGY_LOGC_SESSION = 1u << 2,
    IGGY_LOGC_RPC = 1u << 3,
    IGGY_LOGC_PRODUCER = 1u << 4,
    IGGY_LOGC_CONSUMER = 1u << 5,
    IGGY_LOGC_GROUP = 1u << 6,
    IGGY_LOGC_OTHER = 1u << 7,
    IGGY_LOGC_ALL = (1u << 8) - 1
};

typedef struct iggy_logger {
    iggy_log_cb_t *cb;
    void *opaque;
    int level;      /* error .. info lines at or below it are emitted; -1 without a callback */
    uint32_t debug; /* IGGY_LOGC_ bits whose debug lines are emitted; 0 without a callback */
} iggy_logger_t;

/* The bit of a facility. Inlined with a literal, the comparisons fold to a constant. */
static inline uint32_t iggy_log_ctx_bit(const char *facility)
{
    const char *f = facility;
    return !strcmp(f, IGGY_LOG_CTX_CONN)       ? IGGY_LOGC_CONN
           : !strcmp(f, IGGY_LOG_CTX_TLS)      ? IGGY_LOGC_TLS
           : !strcmp(f, IGGY_LOG_CTX_SESSION)  ? IGGY_LOGC_SESSION
           : !strcmp(f, IGGY_LOG_CTX_RPC)      ? IGGY_LOGC_RPC
           : !strcmp(f, IGGY_LOG_CTX_PRODUCER) ? IGGY_LOGC_PRODUCER
           : !strcmp(f, IGGY_LOG_CTX_CONSUMER) ? IGGY_LOGC_CONSUMER
           : !strcmp(f, IGGY_LOG_CTX_GROUP)    ? IGGY_LOGC_GROUP
                                               : IGGY_LOGC_OTHER;
}

/* Whether a line would be emitted: one comparison for every level but debug, and for debug
 * while no context is enabled. */
static inline bool iggy_log_on(const iggy_logger_t *lg, int level, const char *facility)
{
    if (level < IGGY_LOG_DEBUG)
        return level <= lg->level;
    return lg->debug != 0 && (lg->debug & iggy_log_ctx_bit(facility)) != 0;
}

/* Format and hand one line to the callback (call only after iggy_log_on said yes). */
void iggy_log_emit(const iggy_logger_t *lg, int level, const char *facility, const char *fmt, ...)
    IGGY_PRINTF(4, 5);

#define IGGY_LOG(lg, level, facility, ...)                                                         \
    do {                                                                                           \
        const iggy_logger_t *log_lg_ = (lg);                                                       \
        if (iggy_log_on(log_lg_, (level), (facility)))                                             \
            iggy_log_emit(log_lg_, (level), (facility), __VA_ARGS__);                              \
    } while (0)

/* Parse conf `debug` ("conn, rpc", "all", ""): 0 and the bits, or -1 with the first unknown
 * name in bad. */
int iggy_log_parse_contexts(const char *list, uint32_t *bits, char *bad, size_t bad_size);

/* A logger for a callback (NULL: logs nothing), conf `log.level` and conf `debug`. */
void iggy_logger_init(iggy_logger_t *lg, iggy_log_cb_t *cb, void *opaque, int64_t level,
                      const char *debug);

#endif
