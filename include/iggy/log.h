/**
 * @file log.h
 * @brief Logging: one callback, syslog levels and named contexts (librdkafka's `log_cb`,
 *        `log_level` and `debug=`).
 *
 * Every line the library logs has a level and a context (the callback's `facility`):
 * - Levels IGGY_LOG_ERR .. IGGY_LOG_INFO are emitted when they are at or below conf
 *   `log.level` (default 6, IGGY_LOG_INFO).
 * - IGGY_LOG_DEBUG lines are emitted only for the contexts named in conf `debug`
 *   (`debug=conn,rpc`, or `debug=all`), whatever `log.level` says.
 *
 * As in librdkafka, a new conf logs to stderr (iggy_log_print()): errors, warnings and
 * informational lines by default, and the debug lines of the contexts in `debug`. Give your
 * own callback with iggy_conf_set_log_cb(), or silence the library with
 * `iggy_conf_set_log_cb(conf, NULL, NULL)` (or `log.level=0` and an empty `debug`).
 *
 * A disabled line costs one comparison: levels and contexts are tested before anything is
 * formatted. The library never logs passwords, tokens, keys or message contents.
 */
#ifndef IGGY_LOG_H
#define IGGY_LOG_H

#include <iggy/export.h>

IGGY_BEGIN_DECLS

/** Opaque configuration object (created and set through conf.h). */
typedef struct iggy_conf_s iggy_conf_t;

/** Log level: an error (syslog numbering, as the other IGGY_LOG_ levels). */
#define IGGY_LOG_ERR 3
/** Log level: a warning, e.g. a failed automatic commit that will be retried. */
#define IGGY_LOG_WARNING 4
/** Log level: a normal but significant event. */
#define IGGY_LOG_NOTICE 5
/** Log level: information: reconnects, retries, rebalances, leader changes. */
#define IGGY_LOG_INFO 6
/** Log level: debugging detail, emitted only for the contexts in conf `debug`. */
#define IGGY_LOG_DEBUG 7

/** Context: opening and losing connections, backoff, evictions, heartbeats. */
#define IGGY_LOG_CTX_CONN "conn"
/** Context: TLS handshakes and certificate checks. */
#define IGGY_LOG_CTX_TLS "tls"
/** Context: logins, resumed sessions, cluster leader redirection. */
#define IGGY_LOG_CTX_SESSION "session"
/** Context: requests: each call's outcome and time (debug), retries and transient replays. */
#define IGGY_LOG_CTX_RPC "rpc"
/** Context: the producer: batch resends and failures. */
#define IGGY_LOG_CTX_PRODUCER "producer"
/** Context: the consumer: polls, offset commits and resets, recovered errors. */
#define IGGY_LOG_CTX_CONSUMER "consumer"
/** Context: consumer groups: joins, re-joins, partition assignment changes (rebalances). */
#define IGGY_LOG_CTX_GROUP "group"
/** Every context, as conf `debug` accepts them (plus `all`). */
#define IGGY_LOG_CONTEXTS "conn,tls,session,rpc,producer,consumer,group"

/**
 * @brief Log callback.
 * @param level one of the IGGY_LOG_ levels (IGGY_LOG_ERR .. IGGY_LOG_DEBUG).
 * @param facility the context of the line: one of the IGGY_LOG_CTX_ names, e.g. "conn".
 * @param msg the message (NUL-terminated, no trailing newline); valid only during the call.
 * @param opaque the pointer given to iggy_conf_set_log_cb().
 * @remark Called from whichever thread the event happens on: the caller's own (any client,
 *         producer or consumer call), the client's heartbeat thread, a producer's worker
 *         threads (producer.mode=background). Calls may run concurrently: the callback must
 *         be thread-safe, should return quickly, and must not call back into libiggy.
 */
typedef void(iggy_log_cb_t)(int level, const char *facility, const char *msg, void *opaque);

/**
 * @brief Set the log callback. A new conf has iggy_log_print() (stderr); NULL logs nothing.
 * @param conf the configuration.
 * @param cb the callback, or NULL to silence the library.
 * @param opaque passed to every call of @p cb.
 * @remark A client keeps the callback, `log.level` and `debug` its conf had at
 *         iggy_client_new(); its producers and consumers log through it (the conf given to
 *         iggy_producer_new() or iggy_consumer_new() does not change that).
 * @threadsafe no (a conf is single-threaded)
 */
IGGY_EXTERN void iggy_conf_set_log_cb(iggy_conf_t *conf, iggy_log_cb_t *cb, void *opaque);

/**
 * @brief The default log callback: writes `%LEVEL|SECONDS.MILLIS|FACILITY| MSG` and a newline
 *        to stderr in one write, as librdkafka's rd_kafka_log_print does.
 * @param level the line's level.
 * @param facility the line's context.
 * @param msg the message.
 * @param opaque unused.
 * @threadsafe yes
 */
IGGY_EXTERN void iggy_log_print(int level, const char *facility, const char *msg, void *opaque);

IGGY_END_DECLS

#endif
