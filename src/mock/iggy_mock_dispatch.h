/* The mock server's per-frame rules without any I/O: framing-and-session.md §5 (header
 * validation, request checksum, the login gate, routing to a handler), the metadata replay
 * cache of §3, cluster roles (58 on a backup) and reply building. Bytes in, bytes out: the
 * server's connection threads feed it complete frames and write what it returns, and tests
 * call it directly. Not thread-safe: the caller holds the lock that guards the state. */
#ifndef IGGY_MOCK_DISPATCH_H
#define IGGY_MOCK_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/iggy_frame.h"
#include "mock/iggy_mock_state.h"
#include "pool/iggy_pool.h"

/* What every connection shares: the state and the commit counter replies carry. The leader
 * is read from the state's cluster view, the node from each session. */
typedef struct iggy_mock_dispatcher {
    iggy_mock_state_t *st;
    iggy_pool_t *pool; /* handler output buffers */
    uint64_t commit;   /* bumped by applied writes and new sessions */
} iggy_mock_dispatcher_t;

/* One connection's protocol state: what the handlers see. Zero it, then set conn.conn_id,
 * conn.transport, conn.address and conn.node. The §3 replay window is not here: it belongs
 * to the client entry the connection is bound to, so that a resumed session keeps it. */
typedef struct iggy_mock_session {
    iggy_mock_conn_t conn; /* the state keeps a pointer to it while the connection is open */
} iggy_mock_session_t;

/* A request whose header passed validation; body points into the caller's frame. */
typedef struct iggy_mock_request {
    const uint8_t *frame; /* the 256-byte header, echoed field by field into the reply */
    iggy_frame_header_t h;
    const uint8_t *body;
    size_t body_len;
    uint32_t code; /* wire command code, for counting and fault matching; 0 = none */
} iggy_mock_request_t;

/* The answer to a request: buf NULL means silence (no reply at all). */
typedef struct iggy_mock_reply {
    uint8_t *buf; /* header + body, from iggy_mem_alloc; the receiver frees it */
    size_t len;
    bool evict; /* an eviction frame: the connection closes after sending it */
} iggy_mock_reply_t;

void iggy_mock_reply_free(iggy_mock_reply_t *r);

/* Framing, before the body is read: the body length a header announces. False when the
 * connection must close without a reply (size outside [256, 64 MiB], command byte > 29). */
bool iggy_mock_frame_body_len(const uint8_t hdr[IGGY_HEADER_SIZE], size_t *body_len);

/* Decode and validate a complete frame (header, then frame_len - 256 body bytes). False:
 * drop it silently (another command byte than Request, client 0, release != 0, undeclared
 * operation, session or request ids the operation forbids or needs). */
bool iggy_mock_request_parse(const uint8_t *frame, size_t frame_len, iggy_mock_request_t *req);

/* Answer a parsed request: run it against the state (or replay it) and build the reply,
 * which may be silence or an eviction. False only on no memory (close the connection). */
bool iggy_mock_dispatch_request(iggy_mock_dispatcher_t *d, iggy_mock_session_t *s,
                                const iggy_mock_request_t *req, iggy_mock_reply_t *out);

/* Parse, then dispatch: the whole per-frame path when no fault intervenes. An invalid
 * header yields silence. */
bool iggy_mock_dispatch(iggy_mock_dispatcher_t *d, iggy_mock_session_t *s, const uint8_t *frame,
                        size_t frame_len, iggy_mock_reply_t *out);

/* Replies a fault substitutes for the command's own, with the header fields (op, commit)
 * the dispatcher would use. False on no memory. */
bool iggy_mock_reply_status(const iggy_mock_dispatcher_t *d, const iggy_mock_session_t *s,
                            const iggy_mock_request_t *req, uint32_t status,
                            iggy_mock_reply_t *out);
bool iggy_mock_reply_reject(const iggy_mock_dispatcher_t *d, const iggy_mock_session_t *s,
                            const iggy_mock_request_t *req, uint32_t code, iggy_mock_reply_t *out);
/* An eviction frame for client (the request's, or the transport id when none applies). */
bool iggy_mock_reply_eviction(const iggy_u128_t *client, uint8_t reason, iggy_mock_reply_t *out);

/* The client id the server uses where the request's own is not trusted: the transport's. */
iggy_u128_t iggy_mock_transport_id(const iggy_mock_session_t *s);

#endif
