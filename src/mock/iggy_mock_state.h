/* The mock server's in-memory Iggy: every command of protocol 0.11 with the real server's
 * semantics (../shared/protocol/). The dispatcher (iggy_mock_dispatch.c) validates frames
 * and calls the handlers; the server (iggy_mock_server.c) owns sockets, threads and fault
 * injection. This module owns the state and one handler per command, grouped like the
 * codec's iggy_cmd_<group>.c files. All calls happen with the state lock held by the caller. */
#ifndef IGGY_MOCK_STATE_H
#define IGGY_MOCK_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include <iggy/types.h>

#include "codec/iggy_cmd_table.h"
#include "codec/iggy_reader.h"
#include "codec/iggy_writer.h"

typedef struct iggy_mock_state iggy_mock_state_t;

/* A client-table entry (iggy_mock_state_internal.h): what a login creates and a resume
 * binds again. */
typedef struct iggy_mock_client iggy_mock_client_t;

/* What the core knows about one client connection; handlers read and update it. */
typedef struct iggy_mock_conn {
    uint32_t conn_id;           /* transport id: GetMe's client_id; unique per server lifetime */
    uint8_t transport;          /* 1 = TCP (TLS included) */
    char address[64];           /* peer "ip:port" */
    bool authenticated;         /* bound by a successful login */
    uint32_t user_id;           /* valid when authenticated */
    iggy_u128_t client_id;      /* the login frame's client id */
    uint64_t session;           /* session number handed out at login */
    uint32_t node;              /* index of the node (cluster mode) the connection is on */
    iggy_mock_client_t *client; /* the client-table entry bound to it; NULL when unbound */
} iggy_mock_conn_t;

/* A client entry's replay window (framing-and-session.md §3): the highest metadata request
 * id applied and the reply to it. It belongs to the entry, not to the connection, so a
 * resumed session keeps it. The real server keeps a ring of replies
 * (core/consensus/src/client_table.rs); the mock keeps the latest only, so every older id
 * is answered 59 RequestAlreadyApplied. */
typedef struct iggy_mock_replay {
    uint64_t watermark;
    uint8_t *reply; /* NULL until a reply is cached */
    size_t reply_len;
    uint64_t checksum; /* that request's checksum: a different one is a reused id */
} iggy_mock_replay_t;

/* How a handler answered. */
typedef enum iggy_mock_channel {
    MOCK_OK,      /* success: status 0; result section added for result-framed operations */
    MOCK_STATUS,  /* pre-commit deny: header status = code, empty body */
    MOCK_REJECT,  /* committed rejection: status 0, result section [1][0][code] */
    MOCK_EVICT,   /* eviction frame with reason = code; the core closes the connection */
    MOCK_SILENCE, /* no reply at all (the real server drops the frame) */
} iggy_mock_channel_t;

typedef struct iggy_mock_outcome {
    iggy_mock_channel_t channel;
    uint32_t code; /* error code, or eviction reason for MOCK_EVICT */
} iggy_mock_outcome_t;

/* One request being handled. */
typedef struct iggy_mock_call {
    iggy_mock_state_t *st;
    iggy_mock_conn_t *conn;
    const iggy_cmd_desc_t *cmd;
    iggy_reader_t body;      /* the request body */
    iggy_writer_t *out;      /* success payload (the core adds any result section) */
    uint64_t now_us;         /* wall clock, µs */
    uint8_t reply_operation; /* preset to the request operation; CreateTopic sets 64, etc. */
} iggy_mock_call_t;

typedef iggy_mock_outcome_t (*iggy_mock_handler_t)(iggy_mock_call_t *call);

/* Cluster view the core keeps current; GetClusterMetadata reports it. */
#define MOCK_MAX_NODES 8
typedef struct iggy_mock_cluster {
    uint32_t nodes;  /* 1 = single node: cluster "single-node", node "iggy-node" */
    uint32_t leader; /* index of the leader node */
    char ip[MOCK_MAX_NODES][64];
    uint16_t tcp_port[MOCK_MAX_NODES];
} iggy_mock_cluster_t;

/* Create the state with the root user (id 0) and its password. NULL on no memory. */
iggy_mock_state_t *iggy_mock_state_new(const char *root_username, const char *root_password);
void iggy_mock_state_free(iggy_mock_state_t *st);

/* The cluster view (owned by the state; the core writes it under the lock). */
iggy_mock_cluster_t *iggy_mock_state_cluster(iggy_mock_state_t *st);

/* Handler for a command (every row of iggy_cmds[], login and logout included). */
iggy_mock_handler_t iggy_mock_state_handler(iggy_cmd_t cmd);

/* Connection lifecycle. A connection appears in GetClients while open. A login binds it
 * to a client-table entry keyed by the login's client id; consumer-group members are
 * entries, not connections.
 * - conn_closed: the connection of a running server went (client close, reset, eviction):
 *   the server logs its entry out, which leaves every group it joined. An entry another
 *   connection has taken over since (a resume) is not this connection's to end.
 * - conn_stopped: the server stopped under it (set_down, a restart with persistence):
 *   nobody is logged out; the entry and its memberships survive with no connection until
 *   a login resumes it, for good otherwise (no heartbeat applies to it).
 * - logged_out: a Logout: the entry goes (and its memberships), the connection is unbound. */
void iggy_mock_state_conn_opened(iggy_mock_state_t *st, iggy_mock_conn_t *conn);
void iggy_mock_state_conn_closed(iggy_mock_state_t *st, iggy_mock_conn_t *conn);
void iggy_mock_state_conn_stopped(iggy_mock_state_t *st, iggy_mock_conn_t *conn);
void iggy_mock_state_logged_out(iggy_mock_state_t *st, iggy_mock_conn_t *conn);
/* Whether the connection's entry holds a consumer-group membership (heartbeat eviction
 * applies). */
bool iggy_mock_state_conn_has_memberships(iggy_mock_state_t *st, const iggy_mock_conn_t *conn);
/* The replay window of the entry bound to the connection; NULL when none is. */
iggy_mock_replay_t *iggy_mock_state_replay(iggy_mock_state_t *st, const iggy_mock_conn_t *conn);
/* Client-table entries, bound to a connection or not (restored after a restart). */
size_t iggy_mock_state_clients_count(const iggy_mock_state_t *st);

/* How long a partition pending hand-off waits for its source to commit what it polled
 * (default 30 s, the server's consumer_group.rebalancing_timeout). */
void iggy_mock_state_set_rebalancing_timeout(iggy_mock_state_t *st, uint64_t us);
/* Periodic work (the server's reconciler): complete the pending consumer-group hand-offs
 * that are drained or timed out at now_us (wall clock, like iggy_mock_call_t.now_us). */
void iggy_mock_state_tick(iggy_mock_state_t *st, uint64_t now_us);

#endif
