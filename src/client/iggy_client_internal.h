/* The client core: connections, sessions, lifecycle and the RPC path. */
#ifndef IGGY_CLIENT_INTERNAL_H
#define IGGY_CLIENT_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include <iggy/conf.h>
#include <iggy/types.h>

#include "net/iggy_transport.h"
#include "codec/iggy_cmd_table.h"
#include "codec/iggy_writer.h"
#include "pool/iggy_pool.h"

/* Per-connection session (framing-and-session.md §3). */
typedef struct iggy_session {
    iggy_u128_t client_id; /* fresh random non-zero id per login */
    uint64_t session;      /* from the login reply; 0 before login */
    uint64_t counter;      /* next request id (every request but a login); 1 after login */
    bool logged_in;
    bool connected;
} iggy_session_t;

typedef struct iggy_client_opts {
    size_t max_frame_size;      /* both directions, header included */
    int64_t request_timeout_ms; /* per request, across header and body reads; 0 = none */
    /* Stamp request_checksum (XXH3-64 of the body) on Register, Logout and metadata
     * writes, as the Rust SDK does, so a replayed request id with other arguments is
     * caught by the server. */
    bool stamp_checksums;
} iggy_client_opts_t;

/* One lockstep connection: one request in flight, serialised by lock. A client owns one
 * today; the layout allows several (a producer thread, parallel consumers). */
typedef struct iggy_conn {
    pthread_mutex_t lock; /* held from send to reply, and while (re)connecting */
    iggy_transport_t transport;
    iggy_session_t sess;
    pthread_mutex_t fd_lock; /* guards fd against shutdown() from iggy_client_destroy */
    int fd;                  /* socket under the transport, -1 if none or not a socket */
    char host[256];          /* node currently (or last) connected to */
    uint16_t port;
    size_t seed_cursor; /* next bootstrap address to try */
    int64_t last_activity_ms;

    /* The reconnect policy (iggy_connect.c): every connection opened goes through it. */
    uint32_t failures;       /* failed or lost connections since a call last got its reply */
    int64_t next_attempt_ms; /* backoff: no connection attempt before this */
    int64_t call_opens;      /* connections the call in progress opened or sent on */
    bool call_inherited;     /* the connection predates the call and it has sent nothing */
    bool call_gave_up;       /* the call in progress spent its retry budget or deadline */
    iggy_err_t last_cause;   /* why the last connection failed or was lost */
    char last_cause_detail[384];
} iggy_conn_t;

typedef struct iggy_client_s iggy_client_t;
typedef struct iggy_messages_state iggy_messages_state_t;

struct iggy_client_s {
    iggy_conf_t *conf; /* our copy; NULL for a fixed transport (tests) */
    iggy_client_opts_t opts;
    iggy_pool_t *pool;
    bool own_pool;
    bool fixed_transport; /* no reconnects: the transport was handed in */
    iggy_conn_t conn;
    struct iggy_tls_ctx *tls; /* trust settings, built once when TLS is on */

    /* Consumer groups this client joined: re-joined on every new session (iggy_groups.c). */
    pthread_mutex_t groups_lock;
    struct iggy_membership *memberships;
    size_t nmemberships;
    uint64_t session_epoch; /* atomic: logins so far; group caches re-sync when it moves */

    /* Credentials for automatic (re-)login; set from conf or by an explicit login. */
    pthread_mutex_t cred_lock;
    char *username, *password, *token;

    /* Lifecycle: calls in progress and destruction. */
    pthread_mutex_t life_lock;
    pthread_cond_t life_cond;
    int active_calls;
    bool destroying;
    bool heartbeat_running;
    pthread_t heartbeat_thread;

    /* Counters (atomics): per command (table index; the last slot counts raw codes). */
    uint64_t cmd_requests[IGGY_CMD__NUM + 1], cmd_errors[IGGY_CMD__NUM + 1];
    uint64_t bytes_sent, bytes_received, connects, rtt_sum_us, rtt_count, rtt_max_us;

    /* Send/poll caches and transform contexts, created on first use (iggy_messages.c). */
    iggy_messages_state_t *messages;
};

/* Default options: 64 MiB frames, 30 s per request, checksums stamped. */
void iggy_client_opts_default(iggy_client_opts_t *o);

/* A client over an already-connected transport (tests). pool may be NULL (the client
 * creates its own). The client takes the transport and never reconnects. */
iggy_err_t iggy_client_new_with_transport(iggy_client_t **out, const iggy_client_opts_t *opts,
                                          iggy_transport_t transport, iggy_pool_t *pool);
void iggy_client_free(iggy_client_t *c);

/* A request being built. */
typedef struct iggy_rpc {
    iggy_client_t *client;
    const iggy_cmd_desc_t *cmd;
    iggy_writer_t w;   /* header space reserved; encoders append the body */
    void *decode_opts; /* handed to the response decoder (reader->opts); NULL by default */
} iggy_rpc_t;

/* Enter the client (IGGY_ERR__DESTROYED once destroy has begun), borrow a request buffer
 * from the pool and reserve the 256-byte header. Every successful begin is followed by
 * exactly one iggy_rpc_end or iggy_rpc_abort. */
iggy_err_t iggy_rpc_begin(iggy_client_t *c, iggy_cmd_t cmd, iggy_rpc_t *rpc);

/* Give up on a begun request: return its buffer and leave the client. */
void iggy_rpc_abort(iggy_rpc_t *rpc);
/* The same for a descriptor outside iggy_cmds[] (raw commands: unknown codes, the raw
 * reply vtable). desc must outlive iggy_rpc_end(). */
iggy_err_t iggy_rpc_begin_desc(iggy_client_t *c, const iggy_cmd_desc_t *desc, iggy_rpc_t *rpc);

/* Finish: check the encoder's status, take the connection, (re)connect and log in when
 * needed, stamp the header, exchange, replay transient outcomes (57 on the same bytes,
 * 58 then a leader re-check), decode the reply through the command's vtable into *out
 * (reusing a previous result there, getline style), and return both buffers to the pool
 * on every path. out may be NULL for commands without a payload. */
iggy_err_t iggy_rpc_end(iggy_rpc_t *rpc, void **out);

/* A random non-zero u128 from OpenSSL's CSPRNG. */
iggy_err_t iggy_random_client_id(iggy_u128_t *out);

/* Lifecycle guards for public calls: enter fails with IGGY_ERR__DESTROYED once
 * iggy_client_destroy() has started. */
iggy_err_t iggy_client_enter(iggy_client_t *c);
void iggy_client_leave(iggy_client_t *c);
bool iggy_client_destroying(iggy_client_t *c);
/* Sleep up to ms, waking early when the client is being destroyed. */
void iggy_client_sleep(iggy_client_t *c, int64_t ms);

/* Connection management (iggy_connect.c); conn->lock is held for all of it.
 *
 * The one way a connection is opened: to host:port, or to the next bootstrap seed when host
 * is NULL, TCP or TLS. It applies the reconnect policy: no attempt before the backoff since
 * the last failure has passed (exponential, with jitter), at most 1 + reconnect.max.retries
 * attempts per call, never past the deadline. When it gives up it returns the last real
 * cause (refused, reset, evicted, ...) with its detail and marks the call as given up.
 * Certificate verification failures fail at once. */
iggy_err_t iggy_conn_open(iggy_client_t *c, iggy_conn_t *conn, const char *host, uint16_t port,
                          int64_t deadline_ms);
/* A call starts: a fresh retry budget (the backoff carries over from earlier failures). */
void iggy_conn_call_begin(iggy_conn_t *conn);
/* The call is about to send on conn: a connection it found open counts as its first attempt
 * now, not before (one found dead before anything was sent cost the call nothing). */
void iggy_conn_call_sending(iggy_conn_t *conn);
/* A call got its reply on a live connection: the connection is healthy again. */
void iggy_conn_call_succeeded(iggy_conn_t *conn);
/* The connection failed or can no longer be trusted (cause and the thread's detail say
 * why): drop it and schedule the next attempt after the backoff. Returns cause. */
iggy_err_t iggy_conn_lost(iggy_client_t *c, iggy_conn_t *conn, iggy_err_t cause);
/* Drop the connection on purpose (the socket is closed; the session is gone). */
void iggy_conn_drop(iggy_conn_t *conn);

/* The client's messages state (created on first use, under cred_lock); freed by destroy. */
iggy_err_t iggy_messages_state_get(iggy_client_t *c, iggy_messages_state_t **out);
void iggy_messages_state_free(iggy_messages_state_t *st);

/* Count one finished call of cmd (err: its outcome). */
void iggy_stats_call(iggy_client_t *c, const iggy_cmd_desc_t *cmd, iggy_err_t err);
/* Count one exchange: bytes each way and its round-trip time. */
void iggy_stats_exchange(iggy_client_t *c, size_t sent, size_t received, int64_t rtt_us);

/* Log through the conf's callback (no-op without one). */
void iggy_log(const iggy_client_t *c, int level, const char *facility, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
