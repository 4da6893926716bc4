/* Request encoders for every command of binary protocol 0.11 (bodies only; the frame
 * header is written by the RPC path). Each writes into a pool-backed writer and leaves
 * IGGY_ERR__INVALID_ARG (with detail) in it for invalid arguments. Commands with an empty
 * body (Ping, GetStats, GetClusterMetadata, GetMe, GetClients, GetUsers,
 * GetPersonalAccessTokens, GetStreams, LogoutUser) have no encoder. */
#ifndef IGGY_CODEC_H
#define IGGY_CODEC_H

#include <stdint.h>

#include <iggy/types.h>

#include "codec/iggy_primitives.h"
#include "codec/iggy_writer.h"

/* ---- system (iggy_cmd_system.c) */
void iggy_enc_get_snapshot_file(iggy_writer_t *w, uint8_t compression, const uint8_t *types,
                                size_t types_count);
void iggy_enc_describe_options(iggy_writer_t *w, uint8_t scope);
void iggy_enc_get_client(iggy_writer_t *w, uint32_t client_id);

/* ---- users, sessions and tokens (iggy_cmd_users.c) */
void iggy_enc_login_register(iggy_writer_t *w, uint32_t protocol_version, const char *sdk_name,
                             const char *sdk_version, const char *username, const char *password);
void iggy_enc_login_register_with_pat(iggy_writer_t *w, uint32_t protocol_version,
                                      const char *sdk_name, const char *sdk_version,
                                      const char *token);
void iggy_enc_get_user(iggy_writer_t *w, const iggy_identifier_t *user);
/* permissions NULL = none. */
void iggy_enc_create_user(iggy_writer_t *w, const char *username, const char *password,
                          uint8_t status, const iggy_permissions_t *permissions);
void iggy_enc_delete_user(iggy_writer_t *w, const iggy_identifier_t *user);
/* username NULL = unchanged; status 0 = unchanged. */
void iggy_enc_update_user(iggy_writer_t *w, const iggy_identifier_t *user, const char *username,
                          uint8_t status);
/* permissions NULL = clear. */
void iggy_enc_update_permissions(iggy_writer_t *w, const iggy_identifier_t *user,
                                 const iggy_permissions_t *permissions);
void iggy_enc_change_password(iggy_writer_t *w, const iggy_identifier_t *user,
                              const char *current_password, const char *new_password);
/* expiry: duration in µs; 0 = server default; IGGY_EXPIRY_NEVER = never. */
void iggy_enc_create_personal_access_token(iggy_writer_t *w, const char *name, uint64_t expiry);
void iggy_enc_delete_personal_access_token(iggy_writer_t *w, const char *name);

/* ---- streams (iggy_cmd_streams.c) */
void iggy_enc_get_stream(iggy_writer_t *w, const iggy_identifier_t *stream);
void iggy_enc_create_stream(iggy_writer_t *w, const char *name, const iggy_kv_t *options,
                            size_t options_count);
void iggy_enc_update_stream(iggy_writer_t *w, const iggy_identifier_t *stream, const char *name,
                            const iggy_kv_t *options, size_t options_count);
/* DeleteStream, PurgeStream and GetTopics share this body: [stream_id]. */
void iggy_enc_stream_ref(iggy_writer_t *w, const iggy_identifier_t *stream);

/* ---- topics, partitions, segments (iggy_cmd_topics.c) */
/* GetTopic, DeleteTopic, PurgeTopic and GetConsumerGroups share [stream_id][topic_id]. */
void iggy_enc_topic_ref(iggy_writer_t *w, const iggy_identifier_t *stream,
                        const iggy_identifier_t *topic);
void iggy_enc_create_topic(iggy_writer_t *w, const iggy_identifier_t *stream,
                           uint32_t partitions_count, const char *name, const iggy_kv_t *options,
                           size_t options_count);
void iggy_enc_update_topic(iggy_writer_t *w, const iggy_identifier_t *stream,
                           const iggy_identifier_t *topic, const char *name,
                           const iggy_kv_t *options, size_t options_count);
/* CreatePartitions and DeletePartitions. */
void iggy_enc_partitions(iggy_writer_t *w, const iggy_identifier_t *stream,
                         const iggy_identifier_t *topic, uint32_t partitions_count);
void iggy_enc_delete_segments(iggy_writer_t *w, const iggy_identifier_t *stream,
                              const iggy_identifier_t *topic, uint32_t partition_id,
                              uint32_t segments_count);

/* ---- consumer groups (iggy_cmd_groups.c) */
/* Get/Delete/Join/Leave/SyncConsumerGroup share [stream_id][topic_id][group_id]. */
#define IGGY_GROUP_REF_MAX (3 * (2 + 255)) /* three identifiers, 255-byte names at most */
void iggy_enc_group_ref(iggy_writer_t *w, const iggy_identifier_t *stream,
                        const iggy_identifier_t *topic, const iggy_identifier_t *group);
void iggy_enc_create_consumer_group(iggy_writer_t *w, const iggy_identifier_t *stream,
                                    const iggy_identifier_t *topic, const char *name);

/* ---- consumer offsets (iggy_cmd_offsets.c); partition_id NULL = None */
void iggy_enc_get_consumer_offset(iggy_writer_t *w, const iggy_consumer_ref_t *consumer,
                                  const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                                  const uint32_t *partition_id);
void iggy_enc_store_consumer_offset(iggy_writer_t *w, const iggy_consumer_ref_t *consumer,
                                    const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                                    const uint32_t *partition_id, uint64_t offset, uint8_t ack);
void iggy_enc_delete_consumer_offset(iggy_writer_t *w, const iggy_consumer_ref_t *consumer,
                                     const iggy_identifier_t *stream,
                                     const iggy_identifier_t *topic, const uint32_t *partition_id,
                                     uint8_t ack);

/* ---- messages (iggy_cmd_messages.c, iggy_batch.c) */
void iggy_enc_poll_messages(iggy_writer_t *w, const iggy_consumer_ref_t *consumer,
                            const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                            const uint32_t *partition_id, const iggy_polling_strategy_t *strategy,
                            uint32_t count, int auto_commit);
void iggy_enc_flush_unsaved_buffer(iggy_writer_t *w, const iggy_identifier_t *stream,
                                   const iggy_identifier_t *topic, uint32_t partition_id,
                                   int fsync);
/* Metadata section + one batch record with checksums. Messages with id {0,0} get a
 * minted UUID v4 and origin_timestamp 0 becomes now_us; the caller's array is not
 * modified. */
void iggy_enc_send_messages(iggy_writer_t *w, const iggy_identifier_t *stream,
                            const iggy_identifier_t *topic, const iggy_partitioning_t *partitioning,
                            const iggy_send_message_t *messages, size_t count, uint64_t now_us);

#endif
