/* In-memory transport for tests: replays recorded reply frames and records requests. */
#ifndef IGGY_TEST_TRANSPORT_MEM_H
#define IGGY_TEST_TRANSPORT_MEM_H

#include "net/iggy_transport.h"

typedef struct iggy_mem_transport iggy_mem_transport_t;

iggy_err_t iggy_mem_transport_new(iggy_mem_transport_t **out);
/* Queue one reply frame (copied). When echo is non-zero the reply's request field
 * (offset 200) is rewritten to the id of the request that reads it, as a server echoes. */
iggy_err_t iggy_mem_transport_push(iggy_mem_transport_t *t, const uint8_t *frame, size_t len,
                                   int echo);
/* Make the next read fail with err (a transport fault), once. */
void iggy_mem_transport_fail_next_read(iggy_mem_transport_t *t, iggy_err_t err);
/* Bytes of the n-th request written (0-based), or NULL. */
const uint8_t *iggy_mem_transport_request(const iggy_mem_transport_t *t, size_t n, size_t *len);
size_t iggy_mem_transport_request_count(const iggy_mem_transport_t *t);
/* Replies queued and not yet read completely. */
size_t iggy_mem_transport_pending(const iggy_mem_transport_t *t);
/* A transport view; destroying it destroys t. */
iggy_transport_t iggy_mem_transport_as_transport(iggy_mem_transport_t *t);

#endif
