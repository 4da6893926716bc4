/**
 * @file messages.h
 * @brief Sending and polling messages.
 *
 * Polled messages are copied out of the pooled reply buffer into one block the caller
 * owns outright. A caller that wants zero allocations per poll reuses its own batch with
 * iggy_poll_messages_into(); the library never hands out its transport buffers.
 */
#ifndef IGGY_MESSAGES_H
#define IGGY_MESSAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iggy/client.h>
#include <iggy/compression.h>
#include <iggy/error.h>
#include <iggy/export.h>
#include <iggy/types.h>

IGGY_BEGIN_DECLS

/**
 * @brief A custom partitioner: returns the partition id (0-based, < partitions_count) for
 *        a whole send call. Runs on the calling thread, during iggy_send_messages() (for a
 *        producer: during iggy_producer_send(), on the thread that calls it).
 * @param stream the stream of the send.
 * @param topic the topic of the send.
 * @param messages the messages of the call.
 * @param count number of messages.
 * @param partitions_count the topic's partition count (cached, refreshed on a miss).
 * @param opaque iggy_send_opts_t::partitioner_opaque.
 * @returns the partition id.
 */
typedef uint32_t(iggy_partitioner_cb_t)(const iggy_identifier_t *stream,
                                        const iggy_identifier_t *topic,
                                        const iggy_send_message_t *messages, size_t count,
                                        uint32_t partitions_count, void *opaque);

/** Message id minting for messages sent with id {0,0}. */
typedef enum iggy_message_id_kind {
    IGGY_MESSAGE_ID_UUID_V4 = 0, /**< random (default; what the Rust SDK mints) */
    IGGY_MESSAGE_ID_UUID_V7 = 7, /**< time-ordered: 48-bit ms timestamp, then random */
} iggy_message_id_kind_t;

/** Options of a send. Zero-initialise: every field's zero is the default. */
typedef struct iggy_send_opts {
    /** Compress payloads client-side and mark them with the user header
     *  `iggy-compression` (default: none, no header). */
    iggy_compression_codec_t compression;
    int compression_level;        /**< codec level; 0 = the codec's default */
    size_t compression_min_bytes; /**< shorter payloads go raw, marked "none" */
    /** AES-256-GCM key (32 bytes) in the Rust SDK's format, or NULL. Payload and user
     *  headers are sealed separately, each with a fresh nonce. */
    const uint8_t *encryption_key;
    iggy_partitioner_cb_t *partitioner; /**< overrides the partitioning argument */
    void *partitioner_opaque;           /**< passed to @c partitioner */
    iggy_message_id_kind_t message_ids; /**< how missing ids are minted */
} iggy_send_opts_t;

/**
 * @brief Send messages as one batch.
 *
 * Partitioning is resolved on the client like the official SDKs: balanced round-robin
 * per topic over a cached partition count (GetTopic, refreshed when the server answers
 * 20 for a missing partition), messages key = XXH32(key, seed 0) % partitions (the same
 * partition as every official SDK), or an explicit partition id. Messages with id {0,0}
 * get a UUID (v4 by default) and origin_timestamp 0 becomes now.
 *
 * @param client the client.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param partitioning where to send; NULL = balanced.
 * @param messages the messages (borrowed for the call).
 * @param count number of messages (at least 1).
 * @param opts compression, encryption, partitioner, id minting; NULL = defaults.
 * @param out receives the send confirmations (may be NULL); a non-NULL *out is reused.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG (no messages, bad key, header sizes);
 *          IGGY_ERR__MSG_TOO_LARGE when the request would exceed message.max.bytes
 *          (64 MiB), checked before anything is sent; IGGY_ERR_RESOURCE_NOT_FOUND (20) for
 *          an unknown stream, topic or partition; IGGY_ERR_UNAUTHORIZED (41); transport
 *          errors (a send whose outcome is unknown is never replayed on a new connection).
 * @remark messages and opts are borrowed for the call.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_send_messages(iggy_client_t *client, const iggy_identifier_t *stream,
                                          const iggy_identifier_t *topic,
                                          const iggy_partitioning_t *partitioning,
                                          const iggy_send_message_t *messages, size_t count,
                                          const iggy_send_opts_t *opts,
                                          iggy_send_confirmations_t **out);

/** Options of a poll. Zero-initialise: every field's zero is the default. */
typedef struct iggy_poll_opts {
    /** Verify every frame and batch checksum (XXH3-64) before decoding. Off by default:
     *  costs one hash pass over the reply (about 10-30 GB/s on one core). */
    bool verify_checksums;
    /** Key to decrypt payloads and headers sealed by the sender, or NULL. */
    const uint8_t *encryption_key;
    /** Largest decompressed payload accepted; 0 = the client's conf
     *  `poll.max.decompressed.bytes` (default 64 MiB). Larger is refused per message. */
    size_t max_decompressed_bytes;
    /** Decompressed bytes one poll reply may produce in all; 0 = the client's conf
     *  `poll.max.decompressed.reply.bytes`, whose default 0 means 16 times the reply's size,
     *  at least 4 MiB and at most 64 MiB. Each payload is inflated at most once; payloads
     *  past the budget keep their place with their bytes as received and
     *  IGGY_ERR__BAD_COMPRESSION in iggy_message_t.error (as over the per-message limit).
     *  Raise it along with max_decompressed_bytes to accept payloads above 64 MiB. */
    size_t max_decompressed_reply_bytes;
    /** Leave payloads marked `iggy-compression` compressed. */
    bool no_decompress;
} iggy_poll_opts_t;

/**
 * @brief Poll messages into a new result block (one allocation).
 *
 * A consumer group poll with partition_id NULL uses the group assignment: the library
 * syncs it (SyncConsumerGroup), polls the assigned partitions in turn, and on the re-sync
 * sentinel partition (IGGY_PARTITION_RESYNC) re-syncs once and retries. A member that holds
 * no partition now (more members than partitions) gets an empty batch of partition
 * IGGY_PARTITION_UNASSIGNED, as the Rust SDK returns an empty poll; a client that is not a
 * member gets IGGY_ERR_CONSUMER_GROUP_MEMBER_NOT_FOUND. An empty reply always yields zero
 * messages. Messages that fail to decrypt or decompress keep their
 * place (offset, ids) and carry the error in iggy_message_t::error.
 *
 * @param client the client.
 * @param consumer who polls: a single consumer, or a group this client joined.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param partition_id partition, or NULL (single consumer: partition 0 on the server; group:
 *        from the assignment).
 * @param strategy where to start (offset, timestamp, first, last, next).
 * @param count the most messages to return.
 * @param auto_commit let the server store the consumer's offset of the last message
 *        returned.
 * @param opts checksum verification, decryption and decompression limits; NULL = defaults.
 * @param out receives the batch; destroy with iggy_result_destroy().
 * @returns IGGY_OK; IGGY_ERR_STREAM_ID_NOT_FOUND (1009), IGGY_ERR_TOPIC_ID_NOT_FOUND (2010),
 *          IGGY_ERR_PARTITION_NOT_FOUND (3007); IGGY_ERR__BAD_MSG (malformed reply or a
 *          failed checksum when verify_checksums is on); transport errors.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_poll_messages(
    iggy_client_t *client, const iggy_consumer_ref_t *consumer, const iggy_identifier_t *stream,
    const iggy_identifier_t *topic, const uint32_t *partition_id,
    const iggy_polling_strategy_t *strategy, uint32_t count, bool auto_commit,
    const iggy_poll_opts_t *opts, iggy_polled_messages_t **out);

/**
 * @brief Like iggy_poll_messages(), into the caller's reusable batch: *batch (NULL the first
 *        time) is reused when large enough and grown otherwise, so a steady-state poll
 *        loop performs zero heap allocations. Counts always come from the current reply.
 * @param client the client.
 * @param consumer who polls, as for iggy_poll_messages().
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param partition_id partition, or NULL, as for iggy_poll_messages().
 * @param strategy where to start.
 * @param count the most messages to return.
 * @param auto_commit let the server store the consumer's offset.
 * @param opts as for iggy_poll_messages(); NULL = defaults.
 * @param batch the caller's batch: *batch is NULL the first time, then the batch returned.
 * @returns as iggy_poll_messages().
 * @remark The caller owns *batch and destroys it once with iggy_result_destroy(). On error
 *         *batch is left as it was.
 * @threadsafe yes, for distinct batches.
 */
IGGY_EXTERN iggy_err_t iggy_poll_messages_into(
    iggy_client_t *client, const iggy_consumer_ref_t *consumer, const iggy_identifier_t *stream,
    const iggy_identifier_t *topic, const uint32_t *partition_id,
    const iggy_polling_strategy_t *strategy, uint32_t count, bool auto_commit,
    const iggy_poll_opts_t *opts, iggy_polled_messages_t **batch);

/**
 * @brief FlushUnsavedBuffer (code 102). The 0.9 server has no on-demand flush and always
 *        answers IGGY_ERR_FEATURE_UNAVAILABLE (5); durability is a topic setting
 *        (enforce_fsync, messages_required_to_save). Provided for completeness.
 * @param client the client.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param partition_id the partition.
 * @param fsync also fsync the flushed data.
 * @returns IGGY_ERR_FEATURE_UNAVAILABLE from a 0.9 server; transport errors.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_flush_unsaved_buffer(iggy_client_t *client,
                                                 const iggy_identifier_t *stream,
                                                 const iggy_identifier_t *topic,
                                                 uint32_t partition_id, bool fsync);

/**
 * @brief The partition a messages key maps to: XXH32(key, seed 0) % partitions_count, as
 *        every official SDK and the server compute it. 0 when partitions_count is 0.
 * @param key the key bytes.
 * @param len length of @p key.
 * @param partitions_count the topic's partition count.
 * @returns the partition id.
 * @threadsafe yes
 */
IGGY_EXTERN uint32_t iggy_partition_for_key(const uint8_t *key, size_t len,
                                            uint32_t partitions_count);

IGGY_END_DECLS

#endif
