/* The messages API's routing and sending, for the producer. */
#ifndef IGGY_MESSAGES_INTERNAL_H
#define IGGY_MESSAGES_INTERNAL_H

#include <iggy/messages.h>

#include "client/iggy_client_internal.h"

/* The partition iggy_send_messages() would send these messages to (balanced cursor, key hash,
 * explicit id, custom partitioner); refresh re-reads the topic's partition count. */
iggy_err_t iggy_messages_route(iggy_client_t *c, const iggy_identifier_t *stream,
                               const iggy_identifier_t *topic,
                               const iggy_partitioning_t *partitioning,
                               const iggy_send_message_t *messages, size_t count,
                               const iggy_send_opts_t *opts, bool refresh, uint32_t *partition);

/* One SendMessages to a known partition, on the reserved connection via (NULL: any idle one;
 * cancellable through it), with the payload transforms of opts. */
iggy_err_t iggy_messages_send_to(iggy_client_t *c, iggy_conn_reservation_t *via,
                                 const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                                 uint32_t partition, const iggy_send_message_t *messages,
                                 size_t count, const iggy_send_opts_t *opts,
                                 iggy_send_confirmations_t **out);

/* One SendMessages of a batch already laid out and sealed (codec/iggy_batch.h: header and
 * frames, sent from where they are without a copy) to a known partition on via. */
iggy_err_t iggy_messages_send_sealed(iggy_client_t *c, iggy_conn_reservation_t *via,
                                     const iggy_identifier_t *stream,
                                     const iggy_identifier_t *topic, uint32_t partition,
                                     const uint8_t *header, const uint8_t *frames, size_t len,
                                     uint32_t count, iggy_send_confirmations_t **out);

/* One PollMessages of one partition on the reserved connection via, with the payload
 * transforms of opts, into the caller's reusable batch (as iggy_poll_messages_into()). */
iggy_err_t iggy_messages_poll_via(iggy_client_t *c, iggy_conn_reservation_t *via,
                                  const iggy_consumer_ref_t *consumer,
                                  const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                                  uint32_t partition, const iggy_polling_strategy_t *strategy,
                                  uint32_t count, bool auto_commit, const iggy_poll_opts_t *opts,
                                  iggy_polled_messages_t **batch);

/* The empty batch of a group poll by a member holding no partition (partition
 * IGGY_PARTITION_UNASSIGNED): decoded from an empty poll body, so the caller's reusable batch
 * is used as for any reply; no request is sent. */
iggy_err_t iggy_messages_empty_poll(iggy_polled_messages_t **batch);

#endif
