/**
 * @file mock.h
 * @brief EXPERIMENTAL: a built-in Iggy mock server for tests and demos, speaking binary
 *        protocol 0.11 over TCP or TLS with fault injection (like librdkafka's mock
 *        cluster). It is a test double, never a replacement for the real server, and a
 *        library of its own: link libiggy_mock.a together with the static libiggy.a (it
 *        is not part of libiggy.so or libiggy.a). This header is outside the ABI promise
 *        and may change in any release.
 */
#ifndef IGGY_MOCK_H
#define IGGY_MOCK_H

#include <stddef.h>
#include <stdint.h>

#include <iggy/error.h>
#include <iggy/export.h>

IGGY_BEGIN_DECLS

/** Opaque mock server (one or more nodes sharing one in-memory state). */
typedef struct iggy_mock_s iggy_mock_t;

/** Mock options; zero-initialise, then set what you need. */
typedef struct iggy_mock_opts {
    const char *host;             /**< listen address; NULL = "127.0.0.1" */
    uint16_t port;                /**< first node's port; 0 = ephemeral for every node */
    uint32_t nodes;               /**< cluster nodes on consecutive (or ephemeral) ports; 0 = 1 */
    const char *username;         /**< root user; NULL = "iggy" */
    const char *password;         /**< root password; NULL = "iggy" */
    const char *tls_cert_file;    /**< PEM certificate: serve TLS when set (with tls_key_file) */
    const char *tls_key_file;     /**< PEM private key */
    int64_t heartbeat_timeout_ms; /**< evict silent group members after this; 0 = 36000 */
    /** after a join, a partition whose owner polled messages it has not committed is handed
     *  to the new member once the owner commits them, or after this; 0 = 30000 (the real
     *  server's consumer_group.rebalancing_timeout) */
    int64_t rebalancing_timeout_ms;
} iggy_mock_opts_t;

/**
 * @brief Start a mock server: bind every node, start its threads.
 * @param opts the options (copied; NULL = every default).
 * @param out receives the mock.
 * @returns IGGY_OK; IGGY_ERR__TRANSPORT when a port cannot be bound; IGGY_ERR__INVALID_ARG
 *          for bad options (TLS files unreadable, nodes > 8); IGGY_ERR__NO_MEMORY.
 * @remark The caller owns the mock and destroys it with iggy_mock_destroy().
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_mock_new(const iggy_mock_opts_t *opts, iggy_mock_t **out);

/**
 * @brief Stop every node, close every connection, free everything. NULL is a no-op.
 * @param m the mock, or NULL.
 * @threadsafe no: no other call on this mock may be running.
 */
IGGY_EXTERN void iggy_mock_destroy(iggy_mock_t *m);

/**
 * @brief The "host:port" a node listens on (valid until destroy).
 * @param m the mock.
 * @param node the node index (0-based).
 * @returns NULL for a node index out of range.
 * @threadsafe yes
 */
IGGY_EXTERN const char *iggy_mock_address(const iggy_mock_t *m, uint32_t node);

/**
 * @brief The TCP port of a node.
 * @param m the mock.
 * @param node the node index (0-based).
 * @returns the port, or 0 for a node index out of range.
 * @threadsafe yes
 */
IGGY_EXTERN uint16_t iggy_mock_port(const iggy_mock_t *m, uint32_t node);

/**
 * @brief Make @p node the cluster leader; the others answer metadata writes with result
 *        58 (TransientNotAccepted), as backups of the real server do.
 * @param m the mock.
 * @param node the node index (0-based).
 * @returns IGGY_OK or IGGY_ERR__INVALID_ARG.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_mock_set_leader(iggy_mock_t *m, uint32_t node);

/**
 * @brief Take a node down (close its listener and every connection on it) or bring it back
 *        up on the same port. State survives, as after a server restart with persistence:
 *        streams, messages and offsets, and also the client sessions and their consumer-group
 *        memberships (nobody is logged out). A login presenting a surviving client id of the
 *        same user resumes that session and its memberships; a member whose client never
 *        comes back keeps its partitions, as on the real 0.9 server.
 * @param m the mock.
 * @param node the node index (0-based).
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG for a node out of range; IGGY_ERR__TRANSPORT
 *          when set_up cannot bind the port again.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_mock_set_down(iggy_mock_t *m, uint32_t node);
/** @copydoc iggy_mock_set_down */
IGGY_EXTERN iggy_err_t iggy_mock_set_up(iggy_mock_t *m, uint32_t node);

/** Fault kinds, applied to the next matching requests. */
typedef enum iggy_mock_fault_kind {
    IGGY_MOCK_FAULT_STATUS = 1,        /**< deny with header status = param */
    IGGY_MOCK_FAULT_REJECT,            /**< result section with code = param (57, 58, ...) */
    IGGY_MOCK_FAULT_DELAY,             /**< handle normally, reply after param ms */
    IGGY_MOCK_FAULT_CLOSE,             /**< close the connection instead of replying */
    IGGY_MOCK_FAULT_CLOSE_MID_REPLY,   /**< send part of the reply, then close */
    IGGY_MOCK_FAULT_TRUNCATED,         /**< header announces more body than is sent, then stall */
    IGGY_MOCK_FAULT_OVERSIZED,         /**< header size above 64 MiB */
    IGGY_MOCK_FAULT_GARBAGE,           /**< 256 random bytes instead of a header */
    IGGY_MOCK_FAULT_EVICT,             /**< eviction frame with reason = param, then close */
    IGGY_MOCK_FAULT_STALL,             /**< never reply (the connection stays open) */
    IGGY_MOCK_FAULT_DUPLICATE_REPLY,   /**< handle normally and send the reply twice */
    IGGY_MOCK_FAULT_STALE_REPLY,       /**< handle normally, but send the reply to the previous
                                            request on this connection instead (if any) */
    IGGY_MOCK_FAULT_RESET_MID_REPLY,   /**< send param bytes of the reply (0 = half the header),
                                            then reset the connection (RST) */
    IGGY_MOCK_FAULT_CLOSE_AFTER_REPLY, /**< handle normally, send the whole reply, then close */
    IGGY_MOCK_FAULT_HANG_MID_REPLY,    /**< send param bytes of the reply (0 = half the
                                            header), then never send more (stay open) */
    IGGY_MOCK_FAULT_TRICKLE,           /**< handle normally, send the reply
                                            IGGY_MOCK_TRICKLE_BYTES at a time with a pause of
                                            param ms (0 = 1) between the pieces */
    IGGY_MOCK_FAULT_WRONG_COMMAND,     /**< handle normally, but the reply header's command
                                            byte is param (0 = 5, Request; at most 255) */
    IGGY_MOCK_FAULT_WRONG_SIZE,        /**< handle normally, but the reply header announces
                                            param bytes (0 = 255, below a header); the reply
                                            itself is sent whole */
} iggy_mock_fault_kind_t;

/** Bytes per piece of an IGGY_MOCK_FAULT_TRICKLE reply. */
#define IGGY_MOCK_TRICKLE_BYTES 16u

/** A fault count that never runs out: the fault hits every matching request until
 *  iggy_mock_clear_faults() (e.g. a status 57 or 58 forever). */
#define IGGY_MOCK_FAULT_FOREVER UINT32_MAX

/**
 * @brief Queue a fault for the next @p count requests with wire command code
 *        @p command_code (0 = any command) on connection @p conn_id (0 = any connection).
 *        Faults are consumed in push order; a count of IGGY_MOCK_FAULT_FOREVER never runs
 *        out.
 * @param m the mock.
 * @param command_code the wire command code to match, or 0 for any.
 * @param conn_id the mock's connection id to match, or 0 for any.
 * @param kind what to do.
 * @param param the kind's parameter (a status, a code, milliseconds or bytes: see the kind).
 * @param count how many matching requests get the fault (IGGY_MOCK_FAULT_FOREVER: all).
 * @returns IGGY_OK, IGGY_ERR__INVALID_ARG, IGGY_ERR__NO_MEMORY.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_mock_push_fault(iggy_mock_t *m, uint32_t command_code, uint32_t conn_id,
                                            iggy_mock_fault_kind_t kind, uint32_t param,
                                            uint32_t count);

/**
 * @brief Drop every queued fault.
 * @param m the mock.
 * @threadsafe yes
 */
IGGY_EXTERN void iggy_mock_clear_faults(iggy_mock_t *m);

/**
 * @brief Change the heartbeat eviction window at run time.
 * @param m the mock.
 * @param ms the new window in milliseconds.
 * @threadsafe yes
 */
IGGY_EXTERN void iggy_mock_set_heartbeat_timeout(iggy_mock_t *m, int64_t ms);

/**
 * @brief Requests received with wire command code @p command_code (0 = all), counting
 *        every node.
 * @param m the mock.
 * @param command_code the wire command code, or 0 for all.
 * @returns the number of requests.
 * @threadsafe yes
 */
IGGY_EXTERN uint64_t iggy_mock_request_count(const iggy_mock_t *m, uint32_t command_code);

/**
 * @brief Open client connections across every node.
 * @param m the mock.
 * @returns the number of connections.
 * @threadsafe yes
 */
IGGY_EXTERN size_t iggy_mock_connection_count(const iggy_mock_t *m);

/** @brief The most requests the mock held at once, across every node, since it started or
 *         since the last iggy_mock_reset_in_flight_max(): a request counts from the moment
 *         its frame has been read until its reply is written (a DELAY fault's wait included),
 *         or until it is dropped.
 * @param m the mock.
 * @returns the high-water mark of requests in flight.
 * @threadsafe yes */
IGGY_EXTERN uint32_t iggy_mock_in_flight_max(const iggy_mock_t *m);
/** @brief Start counting iggy_mock_in_flight_max() afresh (from the requests in flight now).
 * @param m the mock.
 * @threadsafe yes */
IGGY_EXTERN void iggy_mock_reset_in_flight_max(iggy_mock_t *m);

IGGY_END_DECLS

#endif
