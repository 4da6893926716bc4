/**
 * @file consumer.h
 * @brief The high-level consumer: one stream and topic, as a single consumer or as a member of a
 *        consumer group, with positions, auto-commit, rebalance callbacks and recovery.
 *
 * A consumer is created on a client (iggy_consumer_new()) and takes a connection of its own
 * for its lifetime (the client's `connections` setting: a group member is a session, so give
 * every consumer of one group on one client its own connection; consumers beyond the number of
 * connections share one, and share its membership).
 *
 * **Single consumer** (consumer.group empty): identified by consumer.id (a number, or a name the
 * server hashes); reads consumer.partition, or every partition of the topic (new partitions are
 * picked up at consumer.sync.interval.ms).
 *
 * **Group member** (consumer.group set): the group is created when missing
 * (consumer.group.create) and joined on the consumer's connection. The assignment is synced on
 * the first poll, every consumer.sync.interval.ms, after a new session (reconnect, server
 * restart, leader move: the client re-joins on its own), on a fence (a poll answered with the
 * re-sync sentinel: one re-sync and a retry) and after "not a member" (5006: join again).
 *
 * **Reading.** iggy_consumer_poll() returns the next batch of one partition into the caller's
 * reusable batch (zero allocations per poll in steady state); iggy_consumer_next() returns one
 * message at a time; iggy_consumer_run() calls a handler per message until
 * iggy_consumer_stop() or the handler asks to stop. Partitions are read in turn. After the
 * first read of a partition (the starting point of consumer.start, or the group's stored
 * offset for a member), the consumer reads on from its own position: the offset after the
 * last message it returned. With consumer.allow.replay=false (the default) a message at or
 * below that position is never returned twice.
 *
 * **Committing** (storing the consumed offset on the server), consumer.auto.commit:
 * - `disabled`: only iggy_consumer_commit() and iggy_consumer_store_offset();
 * - `interval`: every consumer.auto.commit.interval.ms, checked on each call, and at close;
 * - `when`: on consumer.auto.commit.trigger: `polling` (the server stores the offset as it
 *   serves a batch; a partition's first read, which is relative to the stored offset, is
 *   stored by the consumer once it has arrived, so that a lost reply is read again),
 *   `consuming_all` (when the last message of a batch is returned),
 *   `consuming_each` (when each message is returned: one store per message),
 *   `consuming_nth` (when a message whose offset is a multiple of consumer.auto.commit.nth is
 *   returned);
 * - `after`: like `when` with a consuming_* trigger, but after the message was handled:
 *   iggy_consumer_run()'s handler returned, or, for iggy_consumer_poll() and
 *   iggy_consumer_next(), the application came back for more (or closed);
 * - `interval_or_when`, `interval_or_after`: both, whichever comes first.
 *
 * The default is `interval` (1 s) with the `consuming_all` trigger, like librdkafka's
 * auto-commit: the last offset returned is stored once a second, on revoke and at close. The
 * Rust SDK's default, interval_or_when with the `polling` trigger, lets the server store the
 * offset as it serves a batch: if that reply is lost with its connection, the group hands the
 * partition on past a batch nobody read. Choose it only where that is acceptable.
 * An offset is never stored below one this consumer stored. Commits are synchronous calls on
 * the consumer's connection; a failed automatic commit is logged and tried again at the next
 * trigger.
 *
 * **Rebalance callbacks** (iggy_conf_set_rebalance_cb()): `REVOKED` with the partitions lost,
 * after the last message returned from them and before they are dropped, while they can still
 * be committed (the consumer then commits what its mode promises, so the server can hand them
 * over at once); `ASSIGNED` with the partitions gained, before the first read from them. A
 * single consumer gets one ASSIGNED for its partitions; close gives a final REVOKED.
 *
 * **Delivery is at least once**: after a crash, a rebalance or a reconnect, messages after the
 * last stored offset are read again (by this or another member). allow.replay=false drops the
 * repeats this consumer can recognise (its own position), not those another member stored.
 *
 * @threadsafe A consumer is used by one thread at a time: poll, next, run, commit,
 *             store_offset, partitions and close must not run concurrently.
 *             iggy_consumer_stats() may be called from any thread while it runs.
 *             iggy_consumer_stop() may be called from any thread at any time before close.
 *             Rebalance callbacks run on the thread that called the consumer.
 */
#ifndef IGGY_CONSUMER_H
#define IGGY_CONSUMER_H

#include <iggy/client.h>
#include <iggy/messages.h>

IGGY_BEGIN_DECLS

/** Opaque high-level consumer. */
typedef struct iggy_consumer_s iggy_consumer_t;

/** What a rebalance callback is told. */
typedef enum iggy_rebalance_event {
    IGGY_REBALANCE_ASSIGNED = 1, /**< the partitions are now this consumer's */
    IGGY_REBALANCE_REVOKED = 2,  /**< the partitions are no longer this consumer's */
} iggy_rebalance_event_t;

/**
 * @brief A rebalance callback. Runs on the thread that called the consumer (poll, next, run
 *        or close).
 * @param consumer the consumer: the callback may call iggy_consumer_commit(),
 *        iggy_consumer_store_offset(), iggy_consumer_seek() and iggy_consumer_partitions() on
 *        it (nothing else).
 * @param event IGGY_REBALANCE_ASSIGNED or IGGY_REBALANCE_REVOKED.
 * @param partitions the partitions gained or lost (ascending), valid during the call.
 * @param count number of entries in @p partitions.
 * @param opaque the pointer given to iggy_conf_set_rebalance_cb().
 */
typedef void iggy_rebalance_cb_t(iggy_consumer_t *consumer, iggy_rebalance_event_t event,
                                 const uint32_t *partitions, size_t count, void *opaque);

/**
 * @brief Set the rebalance callback of consumers created with this conf (NULL: none).
 * @param conf the configuration.
 * @param cb the callback, or NULL.
 * @param opaque passed to every call of @p cb.
 * @threadsafe no (a conf is single-threaded)
 */
IGGY_EXTERN void iggy_conf_set_rebalance_cb(iggy_conf_t *conf, iggy_rebalance_cb_t *cb,
                                            void *opaque);

/**
 * @brief Create a consumer on a client for one stream and topic.
 * @param client the client to read through; it must outlive the consumer.
 * @param conf the consumer.* settings and the rebalance callback; NULL: the client's conf.
 *        Copied.
 * @param stream, topic what to read (copied).
 * @param poll_opts decryption key, checksum verification and decompression limits for every
 *        poll (as for iggy_poll_messages()); NULL = defaults. Copied (the key too).
 * @param out receives the consumer.
 * @param errstr receives a readable reason on failure (may be NULL).
 * @param errstr_size size of @p errstr in bytes.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG (settings that do not go together, such as
 *          auto.commit=after with the polling trigger); IGGY_ERR__NO_MEMORY; the server's
 *          error when the group cannot be created or joined (IGGY_ERR_STREAM_ID_NOT_FOUND,
 *          IGGY_ERR_TOPIC_ID_NOT_FOUND, ...). A single consumer contacts the server only at
 *          its first poll.
 * @remark The caller owns the consumer and ends it with iggy_consumer_close().
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_consumer_new(iggy_client_t *client, const iggy_conf_t *conf,
                                         const iggy_identifier_t *stream,
                                         const iggy_identifier_t *topic,
                                         const iggy_poll_opts_t *poll_opts, iggy_consumer_t **out,
                                         char *errstr, size_t errstr_size);

/**
 * @brief Read the next messages: one partition's next batch (up to consumer.batch.length),
 *        waiting up to timeout_ms for any.
 * @param consumer the consumer.
 * @param batch the caller's reusable batch (NULL the first time; destroy it once with
 *        iggy_result_destroy()). On IGGY_OK it holds the messages (count may be 0: nothing
 *        within the timeout, or iggy_consumer_stop() was called) of partition
 *        (*batch)->partition_id.
 * @param timeout_ms 0: one round over the partitions without waiting; < 0: no limit.
 * @returns IGGY_OK; IGGY_ERR__OFFSET_OUT_OF_RANGE with consumer.offset.reset=error; the last
 *          error when the server could not be reached until the timeout (transport, timeout,
 *          not the leader); IGGY_ERR_STREAM_ID_NOT_FOUND / IGGY_ERR_TOPIC_ID_NOT_FOUND when the
 *          topic is gone; IGGY_ERR__STATE after close began.
 * @threadsafe no (see the file comment)
 */
IGGY_EXTERN iggy_err_t iggy_consumer_poll(iggy_consumer_t *consumer, int64_t timeout_ms,
                                          iggy_polled_messages_t **batch);

/**
 * @brief Read one message, waiting up to timeout_ms.
 * @param consumer the consumer.
 * @param timeout_ms 0: do not wait; < 0: no limit.
 * @param msg receives the message, or NULL when none came within the timeout or after
 *        iggy_consumer_stop(); valid until the next call on this consumer.
 * @param partition_id receives its partition (may be NULL).
 * @returns as iggy_consumer_poll().
 * @threadsafe no
 */
IGGY_EXTERN iggy_err_t iggy_consumer_next(iggy_consumer_t *consumer, int64_t timeout_ms,
                                          const iggy_message_t **msg, uint32_t *partition_id);

/**
 * @brief A message handler for iggy_consumer_run(): return 0 to go on, anything else to stop
 *        (the message counts as handled). Runs on the thread that called iggy_consumer_run().
 * @param msg the message, valid during the call.
 * @param partition_id its partition.
 * @param opaque the pointer given to iggy_consumer_run().
 * @returns 0 to go on; non-zero to stop.
 */
typedef int iggy_message_handler_t(const iggy_message_t *msg, uint32_t partition_id, void *opaque);

/**
 * @brief Call handler for every message until iggy_consumer_stop() or the handler returns
 *        non-zero. Errors the consumer can recover from (a lost connection, a server restart,
 *        a rebalance) are logged and retried every consumer.retry.interval.ms.
 * @param consumer the consumer.
 * @param handler called for every message.
 * @param opaque passed to every call of @p handler.
 * @returns IGGY_OK when stopped; otherwise an error it cannot recover from (the topic is
 *          gone, IGGY_ERR__OFFSET_OUT_OF_RANGE with offset.reset=error, authentication).
 * @threadsafe no
 */
IGGY_EXTERN iggy_err_t iggy_consumer_run(iggy_consumer_t *consumer, iggy_message_handler_t *handler,
                                         void *opaque);

/**
 * @brief Make a waiting or running poll, next or run return soon (a request in flight is
 *        finished first); later calls return at once with nothing. Does not close.
 * @param consumer the consumer.
 * @threadsafe yes, from any thread (also from a signal-driven thread), until close.
 */
IGGY_EXTERN void iggy_consumer_stop(iggy_consumer_t *consumer);

/**
 * @brief Store the last consumed offset of every partition where it is above the stored one.
 * @param consumer the consumer.
 * @returns IGGY_OK; the first error (the other partitions are still tried).
 * @threadsafe no
 */
IGGY_EXTERN iggy_err_t iggy_consumer_commit(iggy_consumer_t *consumer);

/**
 * @brief Store offset for partition_id (it must be one of the consumer's partitions).
 * @param consumer the consumer.
 * @param partition_id the partition.
 * @param offset the offset to store (the last one processed).
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG for a partition the consumer does not hold; the
 *          server's error (IGGY_ERR_RESOURCE_NOT_FOUND when a group no longer owns it).
 * @threadsafe no
 */
IGGY_EXTERN iggy_err_t iggy_consumer_store_offset(iggy_consumer_t *consumer, uint32_t partition_id,
                                                  uint64_t offset);

/**
 * @brief Set where partition_id is read next: the next read of it polls from @p offset, in
 *        place of consumer.start (or the group's stored offset) and of the consumer's own
 *        position. Messages at or above @p offset are returned even if this consumer returned
 *        them before; messages of that partition still buffered for iggy_consumer_next() are
 *        dropped. Nothing is stored on the server.
 * @remark To start every partition at a chosen place (for example N messages before its end),
 *         seek from the IGGY_REBALANCE_ASSIGNED callback, which runs before the first read of
 *         the partitions it names. A group member's seek lasts while it holds the partition and
 *         its session lasts (a new session reads on from the group's stored offsets).
 * @param consumer the consumer.
 * @param partition_id one of the consumer's partitions.
 * @param offset the offset its next read starts at.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG for a NULL consumer or a partition the consumer does
 *          not hold. An offset past the partition's end is handled by consumer.offset.reset.
 * @threadsafe no
 */
IGGY_EXTERN iggy_err_t iggy_consumer_seek(iggy_consumer_t *consumer, uint32_t partition_id,
                                          uint64_t offset);

/** One partition as the consumer tracks it. */
typedef struct iggy_consumer_partition {
    uint32_t partition_id;   /**< the partition */
    bool has_consumed;       /**< a message of it was returned */
    uint64_t last_consumed;  /**< offset of the last message returned (if has_consumed) */
    bool has_stored;         /**< an offset was stored by this consumer or found stored */
    uint64_t last_stored;    /**< the stored offset (if has_stored) */
    uint64_t high_watermark; /**< the partition's current offset at the last poll */
    uint64_t lag;            /**< high_watermark minus last_consumed (all of it if none) */
} iggy_consumer_partition_t;

/**
 * @brief The consumer's partitions now, ascending.
 * @param consumer the consumer.
 * @param out room for cap entries (may be NULL with cap 0 to learn the count).
 * @param cap number of entries @p out has room for.
 * @param count receives how many partitions there are (may exceed cap).
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG.
 * @threadsafe no
 */
IGGY_EXTERN iggy_err_t iggy_consumer_partitions(iggy_consumer_t *consumer,
                                                iggy_consumer_partition_t *out, size_t cap,
                                                size_t *count);

/** Counters of a consumer. */
typedef struct iggy_consumer_stats {
    uint64_t polls;            /**< PollMessages sent */
    uint64_t messages;         /**< messages returned to the application */
    uint64_t replays_dropped;  /**< messages at or below the position, not returned */
    uint64_t commits;          /**< offsets stored (automatic and explicit) */
    uint64_t commit_failures;  /**< stores that failed */
    uint64_t syncs;            /**< group assignments synced */
    uint64_t rebalances;       /**< assignment changes seen */
    uint64_t rejoins;          /**< joins after "not a member" */
    uint64_t offset_resets;    /**< positions past the end reset by consumer.offset.reset */
    uint64_t errors_recovered; /**< errors retried (lost connections, fences, ...) */
} iggy_consumer_stats_t;

/**
 * @brief Snapshot the counters.
 * @param consumer the consumer.
 * @param out receives the counters (the caller's struct).
 * @threadsafe yes (the counters are atomics: any thread may read them while the consumer runs;
 *             the consumer must not be closed meanwhile)
 */
IGGY_EXTERN void iggy_consumer_stats(const iggy_consumer_t *consumer, iggy_consumer_stats_t *out);

/**
 * @brief Commit what the auto-commit mode promises (pending `after` messages, and the last
 *        consumed offsets with an interval mode), call the REVOKED callback for every
 *        partition, leave the group, give the connection back and free the consumer. NULL is
 *        a no-op.
 * @param consumer the consumer, or NULL.
 * @returns IGGY_OK; the first commit or leave error (the consumer is freed anyway). A commit
 *          round stops at the first failure to reach the server, so with the server away close
 *          takes about two request timeouts (the commit and the leave), not one per partition.
 * @threadsafe no: no other call on this consumer may be running (stop first).
 */
IGGY_EXTERN iggy_err_t iggy_consumer_close(iggy_consumer_t *consumer);

IGGY_END_DECLS

#endif
