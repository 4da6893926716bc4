/* The client core: session state, the connection's lock and the RPC path. */
#ifndef IGGY_CLIENT_INTERNAL_H
#define IGGY_CLIENT_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include <iggy/types.h>

#include "client/iggy_transport.h"
#include "codec/iggy_cmd_table.h"
#include "codec/iggy_writer.h"
#include "pool/iggy_pool.h"

/* Per-connection session (framing-and-session.md §3). */
typedef struct iggy_session {
    iggy_u128_t client_id; /* fresh random non-zero id per login */
    uint64_t session;      /* from the login reply; 0 before login */
    uint64_t counter;      /* next id a metadata op uses; 1 after login */
    bool logged_in;
    bool connected;
} iggy_session_t;

typedef struct iggy_client_opts {
    size_t max_frame_size;      /* both directions, header included */
    int64_t request_timeout_ms; /* per request, across header and body reads */
    /* Stamp request_checksum (XXH3-64 of the body) on Register, Logout and metadata
     * writes, as the Rust SDK does, so a replayed request id with other arguments is
     * caught by the server. */
    bool stamp_checksums;
} iggy_client_opts_t;

typedef struct iggy_client_s iggy_client_t;

struct iggy_client_s {
    pthread_mutex_t lock; /* held from send to reply: lockstep */
    iggy_pool_t *pool;
    bool own_pool;
    iggy_transport_t transport;
    iggy_session_t sess;
    iggy_client_opts_t opts;
};

/* Default options: 64 MiB frames, 30 s per request, checksums stamped. */
void iggy_client_opts_default(iggy_client_opts_t *o);

/* A client over an already-connected transport (tests, and the net layer). pool may be
 * NULL (the client creates its own). The client takes the transport. */
iggy_err_t iggy_client_new_with_transport(iggy_client_t **out, const iggy_client_opts_t *opts,
                                          iggy_transport_t transport, iggy_pool_t *pool);
void iggy_client_free(iggy_client_t *c);

/* A request being built. */
typedef struct iggy_rpc {
    iggy_client_t *client;
    const iggy_cmd_desc_t *cmd;
    iggy_writer_t w; /* header space reserved; encoders append the body */
} iggy_rpc_t;

/* Borrow a request buffer from the pool and reserve the 256-byte header. */
iggy_err_t iggy_rpc_begin(iggy_client_t *c, iggy_cmd_t cmd, iggy_rpc_t *rpc);

/* Finish: check the encoder's status, stamp the header, exchange under the lock, decode
 * the reply through the command's response vtable into *out (reusing a previous result
 * there, getline style), and return both buffers to the pool on every path. out may be
 * NULL for commands without a payload. */
iggy_err_t iggy_rpc_end(iggy_rpc_t *rpc, void **out);

/* A random non-zero u128 from OpenSSL's CSPRNG. */
iggy_err_t iggy_random_client_id(iggy_u128_t *out);

#endif
