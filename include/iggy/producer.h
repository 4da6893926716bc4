/**
 * @file producer.h
 * @brief The high-level producer: batching, routing, retries, bounded memory and a delivery
 *        report for every message.
 *
 * A producer sends to one stream and topic through a client. Its settings are `producer.*`
 * properties of the same iggy_conf_t as the client's (docs/CONFIGURATION.md):
 *
 * - **direct** mode: iggy_producer_send() sends at once, in chunks of producer.batch.length
 *   messages, and reports each message before it returns.
 * - **background** mode (the default): iggy_producer_send() copies the messages into the
 *   producer's queue and returns. producer.shards worker threads, each on a connection of its
 *   own (conf `connections` of the client should be at least producer.shards for them to run in
 *   parallel), batch them by count (producer.batch.length), by bytes (producer.batch.bytes) and
 *   by time (producer.linger.ms). Partition p belongs to shard p % shards, and a shard has one
 *   batch in flight, so the messages of one partition are written in the order they were
 *   queued.
 *
 * **Delivery reports.** Every message given to iggy_producer_send() gets exactly one report:
 * delivered (with its partition and offset) or failed (with the error). With a callback set by
 * iggy_conf_set_delivery_report_cb() the report is passed to it: from the worker thread that
 * sent the batch (background), from the calling thread (direct), or from the thread running
 * iggy_producer_destroy() for messages still queued then. Without a callback the reports queue up
 * until iggy_producer_poll_reports() takes them. With producer.delivery.reports=errors only
 * failed messages are reported (librdkafka's delivery.report.only.error): an application that
 * needs no per-message offsets awaits delivery with iggy_producer_flush() and still learns of
 * every failure, without the cost of a report per delivered message.
 *
 * **Delivery guarantee.** Batches are resent after retriable failures (producer.retries, with
 * backoff) only by the shard that owns the partition, before any later batch of that
 * partition, so a resend never reorders a partition. The partition plane does not deduplicate:
 * a resend after an unknown outcome (a connection lost after the batch was written) may write
 * the batch twice. So the producer is at-least-once; with producer.retries=0 it is at-most-once
 * (a batch whose outcome is unknown is reported failed and may still be in the log).
 *
 * @threadsafe iggy_producer_send(), _flush(), _poll_reports() and _stats() may be called from any
 *             threads at once; iggy_producer_destroy() must not race with the others.
 */
#ifndef IGGY_PRODUCER_H
#define IGGY_PRODUCER_H

#include <stddef.h>
#include <stdint.h>

#include <iggy/client.h>
#include <iggy/conf.h>
#include <iggy/export.h>
#include <iggy/messages.h>
#include <iggy/types.h>

IGGY_BEGIN_DECLS

/** Opaque producer. */
typedef struct iggy_producer_s iggy_producer_t;

/** What happened to one message. */
typedef struct iggy_delivery_report {
    void *msg_opaque;      /**< the pointer given with the message to iggy_producer_send() */
    iggy_err_t err;        /**< IGGY_OK: written; otherwise why it was not (or may not be) */
    uint32_t partition_id; /**< the partition it was routed to */
    uint64_t offset;       /**< its offset in the partition (valid when err is IGGY_OK) */
    uint32_t attempts;     /**< sends of its batch (0: never sent) */
    uint64_t latency_us;   /**< from iggy_producer_send() to this report */
} iggy_delivery_report_t;

/**
 * @brief A delivery report callback. The report is valid only during the call.
 * @param report what happened to one message.
 * @param opaque the pointer given to iggy_conf_set_delivery_report_cb().
 * @warning It runs on a producer's worker thread (background mode) and must not call the
 *          producer; it may call the client.
 */
typedef void(iggy_delivery_report_cb_t)(const iggy_delivery_report_t *report, void *opaque);

/**
 * @brief Set the delivery report callback of producers created with this conf (NULL: reports
 *        are queued for iggy_producer_poll_reports()).
 * @param conf the configuration.
 * @param cb the callback, or NULL.
 * @param opaque passed to every call of @p cb.
 * @threadsafe no (a conf is single-threaded)
 */
IGGY_EXTERN void iggy_conf_set_delivery_report_cb(iggy_conf_t *conf, iggy_delivery_report_cb_t *cb,
                                                  void *opaque);

/** Producer counters (a snapshot; destroy with iggy_result_destroy()). */
typedef struct iggy_producer_stats {
    uint64_t queued_messages; /**< messages given to send and not yet reported */
    uint64_t queued_bytes;    /**< their payload and user-header bytes */
    uint64_t batches_sent;    /**< SendMessages calls that succeeded */
    uint64_t retries;         /**< batch resends */
    uint64_t delivered;       /**< messages reported delivered so far */
    uint64_t failed;          /**< messages reported failed so far */
    uint64_t latency_p50_us;  /**< median send-to-report latency of delivered messages, µs */
    uint64_t latency_p99_us;  /**< 99th percentile of that latency, µs */
} iggy_producer_stats_t;

/**
 * @brief Create a producer on a client for one stream and topic.
 * @param client the client to send through; it must outlive the producer.
 * @param conf the producer.* settings (and the delivery callback); NULL: the client's conf.
 *        Copied.
 * @param stream, topic where to send (borrowed for the call: the producer keeps copies). With
 *        producer.create.topic=true and named identifiers, a missing stream and topic are
 *        created (producer.create.topic.partitions partitions).
 * @param send_opts compression, encryption, a custom partitioner and id minting for every
 *        message (as for iggy_send_messages()); NULL = none. Copied (the key too).
 * @param out receives the producer.
 * @param errstr receives a readable reason on failure (may be NULL).
 * @param errstr_size size of @p errstr in bytes.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR__NO_MEMORY; the server's error when the
 *          topic cannot be found or created.
 * @remark The caller owns the producer and destroys it with iggy_producer_destroy().
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_producer_new(iggy_client_t *client, const iggy_conf_t *conf,
                                         const iggy_identifier_t *stream,
                                         const iggy_identifier_t *topic,
                                         const iggy_send_opts_t *send_opts, iggy_producer_t **out,
                                         char *errstr, size_t errstr_size);

/**
 * @brief Send messages: all of them go to one partition, chosen by @p partitioning (NULL =
 *        balanced: the next partition per call), and each gets a delivery report.
 * @param producer the producer.
 * @param partitioning where to send (borrowed), or NULL for balanced.
 * @param messages the messages (copied in background mode; borrowed for the call).
 * @param count number of messages (0 is a no-op).
 * @param opaques count pointers handed back in the reports, or NULL (all NULL).
 * @returns background: IGGY_OK once queued (the messages are copied); IGGY_ERR__QUEUE_FULL when
 *          the buffer has no room and producer.backpressure says fail (or its timeout passed);
 *          direct: IGGY_OK when every message was written, else the first batch's error (every
 *          message is reported either way); IGGY_ERR__INVALID_ARG; IGGY_ERR__NO_MEMORY
 *          (background mode: all or nothing, none of the messages was queued);
 *          IGGY_ERR__STATE once destroy has begun. Messages refused here get no report.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_producer_send(iggy_producer_t *producer,
                                          const iggy_partitioning_t *partitioning,
                                          const iggy_send_message_t *messages, size_t count,
                                          void *const *opaques);

/**
 * @brief Wait until every message queued before this call has been reported (or, with
 *        producer.delivery.reports=errors, delivered or reported failed).
 * @param producer the producer.
 * @param timeout_ms at most this long; < 0 = no limit.
 * @returns IGGY_OK; IGGY_ERR__TIMED_OUT with the number of messages still queued in the detail.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_producer_flush(iggy_producer_t *producer, int64_t timeout_ms);

/**
 * @brief Take queued delivery reports (producers without a callback).
 * @param producer the producer.
 * @param out room for @p cap reports.
 * @param cap number of reports @p out has room for.
 * @param timeout_ms wait this long for a first report; 0 = do not wait; < 0 = no limit.
 * @returns the number of reports written to @p out (0 after the timeout).
 * @threadsafe yes
 */
IGGY_EXTERN size_t iggy_producer_poll_reports(iggy_producer_t *producer,
                                              iggy_delivery_report_t *out, size_t cap,
                                              int64_t timeout_ms);

/**
 * @brief Snapshot the producer's counters.
 * @param producer the producer.
 * @param out receives the snapshot; destroy it with iggy_result_destroy().
 * @returns IGGY_OK, IGGY_ERR__INVALID_ARG, IGGY_ERR__NO_MEMORY.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_producer_stats(iggy_producer_t *producer, iggy_producer_stats_t **out);

/**
 * @brief Drain for up to producer.shutdown.timeout.ms, report every message still queued as
 *        failed (IGGY_ERR__DESTROYED), stop the workers and free the producer. NULL is a no-op.
 *        Reports not yet polled are dropped.
 * @param producer the producer, or NULL.
 * @remark A batch still in flight when the drain time is up is given up as well: its
 *         connection is cut and its messages are reported IGGY_ERR__DESTROYED, though the
 *         server may have appended them (their outcome is unknown). destroy therefore returns
 *         within about producer.shutdown.timeout.ms, whatever request.timeout.ms is.
 * @threadsafe no: no other call on this producer may be running or start.
 */
IGGY_EXTERN void iggy_producer_destroy(iggy_producer_t *producer);

IGGY_END_DECLS

#endif
