/**
 * @file stats.h
 * @brief Statistics as JSON for monitoring: on demand, or pushed every
 *        `statistics.interval.ms` to a callback (librdkafka's `stats_cb`).
 *
 * The JSON is one object: the counters of iggy_client_stats() (totals, `rtt_us` percentiles,
 * `pool`, `commands`, one `connections` entry per slot) and those of the producers
 * (`producers`) and consumers (`consumers`) running on the client. docs/OBSERVABILITY.md
 * lists every key. Round-trip percentiles come from a log-bucket histogram (within 12.5%).
 *
 * Keys are only ever added. Strings are JSON-escaped; no credential ever appears.
 */
#ifndef IGGY_STATS_H
#define IGGY_STATS_H

#include <stddef.h>

#include <iggy/client.h>
#include <iggy/conf.h>
#include <iggy/error.h>
#include <iggy/export.h>

IGGY_BEGIN_DECLS

/**
 * @brief Statistics callback, called every conf `statistics.interval.ms`.
 * @param json the statistics (NUL-terminated JSON, the format of iggy_client_stats_json());
 *        valid only during the call.
 * @param json_len strlen(json).
 * @param opaque the pointer given to iggy_conf_set_stats_cb().
 * @remark Called from the client's statistics thread, one call at a time. It may call
 *         iggy_client_stats() and the other read-only calls, but must not destroy the client
 *         (iggy_client_destroy() waits for this thread).
 */
typedef void iggy_stats_cb_t(const char *json, size_t json_len, void *opaque);

/**
 * @brief Set the statistics callback. With it and a conf `statistics.interval.ms` above 0,
 *        iggy_client_new() starts a thread that calls it at that interval until
 *        iggy_client_destroy(); with either missing no thread is started.
 * @param conf the configuration.
 * @param cb the callback, or NULL (none).
 * @param opaque passed to every call of @p cb.
 * @threadsafe no (a conf is single-threaded)
 */
IGGY_EXTERN void iggy_conf_set_stats_cb(iggy_conf_t *conf, iggy_stats_cb_t *cb, void *opaque);

/**
 * @brief The client's statistics as JSON (the format above), with every producer and consumer
 *        that currently runs on it.
 * @param client the client.
 * @param out receives a NUL-terminated string; free it with iggy_free().
 * @param len receives strlen(*out) (may be NULL).
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR__NO_MEMORY (then *out is NULL).
 * @remark The caller owns *out.
 * @threadsafe yes (counters are read without stopping other calls)
 */
IGGY_EXTERN iggy_err_t iggy_client_stats_json(iggy_client_t *client, char **out, size_t *len);

IGGY_END_DECLS

#endif
