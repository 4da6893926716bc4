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
#include "iggy_hist.h"
#include "iggy_log.h"

/* Per-connection session (framing-and-session.md §3). */
typedef struct iggy_session {
    iggy_u128_t client_id; /* random non-zero id: new for each identity, kept to resume */
    uint64_t session;      /* from the login reply; 0 before login */
    uint64_t counter;      /* next request id (every request but a login); 1 after login */
    bool logged_in;
    bool connected;
    /* The connection was lost (or moved to the leader) while logged in: the automatic login
     * that follows presents the same client id and the request ids go on, so the server binds
     * the new transport to the same client entry (framing-and-session.md §3). After a server
     * restart that entry still holds the consumer-group memberships of the old session; a new
     * id would leave them behind as members nobody polls. An explicit login or logout starts a
     * new identity instead. */
    bool resume;
} iggy_session_t;

typedef struct iggy_client_opts {
    size_t max_frame_size;      /* both directions, header included */
    int64_t request_timeout_ms; /* per request, across header and body reads; 0 = none */
    /* Stamp request_checksum (XXH3-64 of the body) on Register, Logout and metadata
     * writes, as the Rust SDK does, so a replayed request id with other arguments is
     * caught by the server. */
    bool stamp_checksums;
} iggy_client_opts_t;

/* Counters of one connection (relaxed atomics). */
typedef struct iggy_conn_counters {
    uint64_t requests, errors, bytes_sent, bytes_received, connects;
    uint64_t rtt_sum_us, rtt_count, rtt_max_us;
    uint64_t reconnects, connect_failures, disconnects, evictions, retries, transient_replays;
    iggy_hist_t rtt; /* round trips, for percentiles */
} iggy_conn_counters_t;

/* One lockstep connection: one request in flight, with its own session and login. A client
 * has conf `connections` of them (iggy_conns.c hands them out). */
typedef struct iggy_conn {
    pthread_mutex_t lock; /* held from send to reply, and while (re)connecting */
    size_t index;         /* in the client's array */
    iggy_transport_t transport;
    iggy_session_t sess;
    pthread_mutex_t fd_lock; /* guards fd against shutdown() from iggy_client_destroy */
    int fd;                  /* socket under the transport, -1 if none or not a socket */
    char host[256];          /* node currently (or last) connected to */
    uint16_t port;
    size_t seed_cursor; /* next bootstrap address to try */
    int64_t last_activity_ms;

    /* Under the client's conns_lock (iggy_conns.c). */
    bool busy;               /* taken by a call or the heartbeat */
    uint32_t pinned_waiters; /* calls waiting for this very connection */
    pthread_cond_t idle;     /* signalled for a pinned waiter when this connection is handed back */
    uint32_t reservations;   /* pins held: unpinned calls use it only when nothing else is idle */
    bool was_open;           /* connected when last handed back: preferred over unopened ones */

    /* The reconnect policy (iggy_connect.c): every connection opened goes through it. */
    uint32_t failures;       /* failed or lost connections since a call last got its reply */
    int64_t next_attempt_ms; /* backoff: no connection attempt before this */
    int64_t call_opens;      /* connections the call in progress opened or sent on */
    bool call_inherited;     /* the connection predates the call and it has sent nothing */
    bool call_gave_up;       /* the call in progress spent its retry budget or deadline */
    iggy_err_t last_cause;   /* why the last connection failed or was lost */
    char last_cause_detail[384];

    /* Under fd_lock: the cancel token of the call running on this connection (NULL: none). */
    struct iggy_call_cancel *call_cancel;

    iggy_conn_counters_t counters;
    uint64_t logins; /* atomic: sessions this connection logged in; memberships record it */
} iggy_conn_t;

typedef struct iggy_client_s iggy_client_t;
typedef struct iggy_messages_state iggy_messages_state_t;

struct iggy_client_s {
    iggy_conf_t *conf; /* our copy; NULL for a fixed transport (tests) */
    iggy_client_opts_t opts;
    iggy_pool_t *pool;
    bool own_pool;
    bool fixed_transport; /* no reconnects: the transport was handed in */

    /* The connections (iggy_conns.c): a call takes an idle one, or waits. */
    iggy_conn_t *conns;
    size_t nconns;
    pthread_mutex_t conns_lock; /* busy, reservations, was_open, waiter counts */
    pthread_cond_t conns_cond;  /* a connection became idle for an unpinned waiter */
    uint32_t unpinned_waiters;
    struct iggy_tls_ctx *tls; /* trust settings, built once when TLS is on */

    /* Consumer groups this client joined: re-joined on every new session (iggy_groups.c). */
    pthread_mutex_t groups_lock;
    struct iggy_membership *memberships;
    size_t nmemberships;
    size_t memberships_cap;      /* entries allocated */
    size_t memberships_reserved; /* joins in flight holding room for one entry each */
    uint64_t session_epoch;      /* atomic: logins so far; group caches re-sync when it moves */

    /* Credentials for automatic (re-)login; set from conf or by an explicit login. */
    pthread_mutex_t cred_lock;
    char *username, *password, *token;
    bool cred_from_conf; /* used only with auto.login; an explicit login's always are */

    /* Lifecycle: calls in progress and destruction. */
    pthread_mutex_t life_lock;
    pthread_cond_t life_cond;
    int active_calls;
    bool destroying;
    bool heartbeat_running;
    pthread_t heartbeat_thread;

    /* Counters (atomics): per command (table index; the last slot counts raw codes); the
     * byte, connect and round-trip counters are per connection. */
    uint64_t cmd_requests[IGGY_CMD__NUM + 1], cmd_errors[IGGY_CMD__NUM + 1];

    /* Send/poll caches and transform contexts, created on first use (iggy_messages.c). */
    iggy_messages_state_t *messages;

    /* Logging, resolved from the conf at creation (iggy_log.h; no callback for a fixed
     * transport). */
    iggy_logger_t log;

    /* Statistics (iggy_stats.c): the producers and consumers running on the client, for the
     * JSON, and the thread that calls the conf's statistics callback. */
    pthread_mutex_t stats_lock; /* attached */
    struct iggy_stats_attached *attached;
    size_t nattached;
    int64_t created_us; /* iggy_mono_us() at creation */
    bool stats_running;
    pthread_t stats_thread;
};

/* Default options: 64 MiB frames, 30 s per request, checksums stamped. */
void iggy_client_opts_default(iggy_client_opts_t *o);

/* A client over an already-connected transport (tests). pool may be NULL (the client
 * creates its own). The client takes the transport and never reconnects. */
iggy_err_t iggy_client_new_with_transport(iggy_client_t **out, const iggy_client_opts_t *opts,
                                          iggy_transport_t transport, iggy_pool_t *pool);
void iggy_client_free(iggy_client_t *c);

/* A token that lets another thread give up a call in flight (a producer's destroy): the call
 * returns IGGY_ERR__DESTROYED at its next step, and a socket read or write in progress is cut
 * off by shutting the connection down (its session is then gone; the outcome of a request
 * already sent is unknown). */
typedef struct iggy_call_cancel {
    bool cancelled; /* atomic */
} iggy_call_cancel_t;

/* Cancel every call that runs, or will run, with token. Thread-safe. */
void iggy_call_cancel(iggy_client_t *c, iggy_call_cancel_t *token);

/* A request being built. */
typedef struct iggy_rpc {
    iggy_client_t *client;
    const iggy_cmd_desc_t *cmd;
    iggy_writer_t w;   /* header space reserved; encoders append the body */
    void *decode_opts; /* handed to the response decoder (reader->opts); NULL by default */
    int pin;           /* connection index the call must use; -1 (the default) = any idle */
    int conn_used;     /* set by iggy_rpc_end: the connection the call ran on (-1: none) */
    iggy_call_cancel_t *cancel; /* NULL (the default): the call cannot be cancelled */
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

/* The connection set (iggy_conns.c). */

/* Create the client's n connections (no socket is opened yet). */
iggy_err_t iggy_conns_init(iggy_client_t *c, size_t n);
/* Close and free them (destroy; no call is running). */
void iggy_conns_free(iggy_client_t *c);
/* Take a connection for one call and lock it: connection pin when pin >= 0, else an idle one,
 * preferring open and unreserved connections. Waits for one to become idle until the deadline
 * (IGGY_ERR__TIMED_OUT) or destroy (IGGY_ERR__DESTROYED). */
iggy_err_t iggy_conn_acquire(iggy_client_t *c, int pin, int64_t deadline, iggy_conn_t **out);
/* Take connection index only if it is idle now (the heartbeat); NULL otherwise. */
iggy_conn_t *iggy_conn_try_acquire(iggy_client_t *c, size_t index);
/* Unlock and hand back a connection taken by either acquire. */
void iggy_conn_release(iggy_client_t *c, iggy_conn_t *conn);
/* Wake every call waiting for a connection (destroy). */
void iggy_conns_wake(iggy_client_t *c);
/* Close every open connection but except's (-1: all), waiting for calls on them to end: after
 * an explicit login or logout, their sessions belong to the old identity. The next call on
 * each reconnects and logs in as the client now does. */
void iggy_conns_drop_others(iggy_client_t *c, int except);

/* A connection reserved for one user (a producer's sender, a consumer): calls pinned to it run
 * only there, in order, and unpinned calls avoid it while an unreserved one is idle. */
typedef struct iggy_conn_reservation {
    iggy_client_t *client;
    int index;
    iggy_call_cancel_t cancel; /* the holder's calls (iggy_rpc_via), cancelled together */
} iggy_conn_reservation_t;
/* Reserve the least-reserved connection (with one connection, the one: it is then shared). */
void iggy_conn_reserve(iggy_client_t *c, iggy_conn_reservation_t *out);
/* Give a reservation back. */
void iggy_conn_unreserve(iggy_conn_reservation_t *r);
/* Run rpc on r's connection, cancellable by iggy_call_cancel(c, &r->cancel). r NULL: any
 * connection, not cancellable. */
void iggy_rpc_via(iggy_rpc_t *rpc, iggy_conn_reservation_t *r);

/* Count one finished call of cmd on conn (NULL when it got no connection; err: its outcome). */
void iggy_stats_call(iggy_client_t *c, iggy_conn_t *conn, const iggy_cmd_desc_t *cmd,
                     iggy_err_t err);
/* Count one exchange on conn: bytes each way and its round-trip time. */
void iggy_stats_exchange(iggy_conn_t *conn, size_t sent, size_t received, int64_t rtt_us);

/* What runs on a client and reports into its JSON statistics. */
typedef enum iggy_stats_kind { IGGY_STATS_PRODUCER, IGGY_STATS_CONSUMER } iggy_stats_kind_t;
/* Register a producer or consumer (group: its consumer group, or NULL). Best effort: without
 * memory it is left out of the JSON. */
void iggy_stats_attach(iggy_client_t *c, iggy_stats_kind_t kind, void *obj,
                       const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                       const iggy_identifier_t *group);
/* Unregister it (a no-op when it is not registered); once this returns, the statistics no
 * longer read it. */
void iggy_stats_detach(iggy_client_t *c, void *obj);
/* Start the statistics thread when the conf asks for one; stop it (destroy has begun). */
iggy_err_t iggy_stats_start(iggy_client_t *c);
void iggy_stats_stop(iggy_client_t *c);
/* Free what attach kept (destroy). */
void iggy_stats_free(iggy_client_t *c);

/* Log a line at level in context facility (an IGGY_LOG_CTX_ name) through the client's
 * logger; nothing is formatted unless the level and context are enabled. */
#define iggy_log(c, level, facility, ...) IGGY_LOG(&(c)->log, level, facility, __VA_ARGS__)

#endif
