/**
 * @file error.h
 * @brief Error codes: negative values are raised by the client, positive values are
 *        Iggy server error codes carried verbatim, 0 is success.
 */
#ifndef IGGY_ERROR_H
#define IGGY_ERROR_H

#include <stdbool.h>
#include <stddef.h>

#include <iggy/error_codes.h>
#include <iggy/export.h>

IGGY_BEGIN_DECLS

/** One iggy_err_t member per server code: IGGY_ERR_<NAME> = code (used with
 *  IGGY_SERVER_ERROR_CODES). */
#define IGGY__SERVER_ERR_ENUM(name, code) IGGY_ERR_##name = code,

/**
 * @brief Result of every fallible libiggy call.
 *
 * Local (client-side) errors run from IGGY_ERR__BEGIN to IGGY_ERR__END and carry a
 * double underscore. Positive values are server codes exactly as the server sent
 * them, in a reply status, a result section or a mapped eviction: one member
 * IGGY_ERR_<NAME> per row of the server's error table (error_codes.h, docs/ERRORS.md).
 */
typedef enum iggy_err {
    IGGY_ERR__BEGIN = -200,               /**< Below every local code (not an error itself) */
    IGGY_ERR__BAD_MSG = -199,             /**< Malformed bytes from the peer (see detail) */
    IGGY_ERR__TRANSPORT = -198,           /**< Socket or TLS failure; the connection is gone */
    IGGY_ERR__TIMED_OUT = -197,           /**< Deadline passed; the connection was dropped */
    IGGY_ERR__NO_MEMORY = -196,           /**< An allocation failed */
    IGGY_ERR__INVALID_ARG = -195,         /**< A caller argument is invalid (see detail) */
    IGGY_ERR__STATE = -194,               /**< Call not valid in the current state */
    IGGY_ERR__MSG_TOO_LARGE = -193,       /**< Frame or buffer above its configured limit */
    IGGY_ERR__BAD_COMPRESSION = -192,     /**< Compressed payload could not be decoded */
    IGGY_ERR__UNSUPPORTED = -191,         /**< Feature not supported by this build or peer */
    IGGY_ERR__NOT_FOUND = -190,           /**< The server answered "not found" (empty body) */
    IGGY_ERR__EVICTED = -189,             /**< Session evicted with an unmapped reason */
    IGGY_ERR__DESTROYED = -188,           /**< The client was destroyed during the call */
    IGGY_ERR__POOL_MISUSE = -187,         /**< Double return or foreign pointer given to a pool */
    IGGY_ERR__UNKNOWN_STATUS = -186,      /**< The server sent a status outside its error table */
    IGGY_ERR__TLS_VERIFY = -185,          /**< TLS certificate or host name verification failed */
    IGGY_ERR__QUEUE_FULL = -184,          /**< A producer's queue has no room (backpressure) */
    IGGY_ERR__OFFSET_OUT_OF_RANGE = -183, /**< A consumer's position is past a partition's end */
    IGGY_ERR__END = -100,                 /**< Above every local code (not an error itself) */
    IGGY_OK = 0,                          /**< Success */
    IGGY_SERVER_ERROR_CODES(IGGY__SERVER_ERR_ENUM)
} iggy_err_t;

/**
 * @brief Short human-readable text for an error code.
 * @param err the code.
 * @returns A static string (never NULL). For a code outside the table, text such as
 *          "server error 12345" in a thread-local buffer, valid until the next
 *          iggy_err2str() call on the same thread.
 * @threadsafe yes
 */
IGGY_EXTERN const char *iggy_err2str(iggy_err_t err);

/**
 * @brief The symbolic name of an error code, e.g. "IGGY_ERR_STREAM_ID_NOT_FOUND".
 * @param err the code.
 * @returns A static string; "IGGY_ERR_UNKNOWN" for codes not in the table (never NULL).
 * @threadsafe yes
 */
IGGY_EXTERN const char *iggy_err2name(iggy_err_t err);

/** One row of the error table. */
typedef struct iggy_err_desc {
    iggy_err_t code;  /**< the code */
    const char *name; /**< symbolic name */
    const char *desc; /**< short description */
} iggy_err_desc_t;

/**
 * @brief The full table of known error codes, local and server.
 * @param[out] descs receives a pointer to a static array (do not free).
 * @param[out] cnt receives the number of rows.
 * @threadsafe yes
 */
IGGY_EXTERN void iggy_get_err_descs(const iggy_err_desc_t **descs, size_t *cnt);

/**
 * @brief True when retrying the same call later may succeed: IGGY_ERR__TRANSPORT,
 *        IGGY_ERR__TIMED_OUT, and the server codes DISCONNECTED (8),
 *        CANNOT_ESTABLISH_CONNECTION (9), STALE_CLIENT (30), NOT_CONNECTED (61),
 *        CONNECTION_CLOSED (206), EMPTY_RESPONSE (304) and the transient consensus outcomes
 *        TRANSIENT_NOT_COMMITTED (57) and TRANSIENT_NOT_ACCEPTED (58).
 * @param err the code.
 * @returns true for the codes above, false for every other code (IGGY_OK included).
 * @threadsafe yes
 */
IGGY_EXTERN bool iggy_err_is_retriable(iggy_err_t err);

/**
 * @brief True when the error means the client cannot recover on its own:
 *        IGGY_ERR__NO_MEMORY, IGGY_ERR__POOL_MISUSE, IGGY_ERR__DESTROYED,
 *        IGGY_ERR__TLS_VERIFY, IGGY_ERR_INCOMPATIBLE_PROTOCOL_VERSION,
 *        IGGY_ERR_INVALID_CREDENTIALS, IGGY_ERR_INVALID_PERSONAL_ACCESS_TOKEN and
 *        IGGY_ERR_PERSONAL_ACCESS_TOKEN_EXPIRED.
 * @param err the code.
 * @returns true for the codes above, false for every other code.
 * @threadsafe yes
 */
IGGY_EXTERN bool iggy_err_is_fatal(iggy_err_t err);

/**
 * @brief Detail text of the last error raised on the calling thread, e.g.
 *        "GetStream: short read at offset 17 (want 8, have 3)".
 * @returns A thread-local string, valid until the next libiggy call on this thread; "" when
 *          no call on this thread has failed yet. Read it right after a call that returned an
 *          error: a successful call does not clear it, so after a success it may still hold an
 *          older failure's detail.
 * @threadsafe yes (per thread)
 */
IGGY_EXTERN const char *iggy_last_error_detail(void);

IGGY_END_DECLS

#endif
