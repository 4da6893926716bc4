/* Group and offset calls on a reserved connection, for the high-level consumer: a consumer's
 * membership is its connection's session, so every call about it goes there. */
#ifndef IGGY_COMMANDS_INTERNAL_H
#define IGGY_COMMANDS_INTERNAL_H

#include <iggy/commands.h>

#include "client/iggy_client_internal.h"

/* JoinConsumerGroup (join) or LeaveConsumerGroup on via, keeping the client's membership list
 * (re-joined on every new session of that connection) in step. */
iggy_err_t iggy_group_join_via(iggy_client_t *c, iggy_conn_reservation_t *via, bool join,
                               const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                               const iggy_identifier_t *group);
/* SyncConsumerGroup on via: the member's pollable partitions (IGGY_ERR__NOT_FOUND: not a
 * member). */
iggy_err_t iggy_group_sync_via(iggy_client_t *c, iggy_conn_reservation_t *via,
                               const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                               const iggy_identifier_t *group, iggy_group_assignment_t **out);
/* Get or StoreConsumerOffset on via (NULL: as the public calls route them). */
iggy_err_t iggy_offset_get_via(iggy_client_t *c, iggy_conn_reservation_t *via,
                               const iggy_consumer_ref_t *consumer, const iggy_identifier_t *stream,
                               const iggy_identifier_t *topic, const uint32_t *partition_id,
                               iggy_consumer_offset_t **out);
iggy_err_t iggy_offset_store_via(iggy_client_t *c, iggy_conn_reservation_t *via,
                                 const iggy_consumer_ref_t *consumer,
                                 const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                                 const uint32_t *partition_id, uint64_t offset, uint8_t ack);

#endif
