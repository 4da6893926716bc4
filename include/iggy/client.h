/**
 * @file client.h
 * @brief The client handle: connection, session and lifecycle.
 */
#ifndef IGGY_CLIENT_H
#define IGGY_CLIENT_H

#include <iggy/conf.h>
#include <iggy/error.h>
#include <iggy/export.h>
#include <iggy/types.h>

IGGY_BEGIN_DECLS

/** Opaque client. Safe to share between threads. Each connection carries one request at a
 *  time; with conf `connections` = N, calls from up to N threads run in parallel, each on an
 *  idle connection with its own session. */
typedef struct iggy_client_s iggy_client_t;

/**
 * @brief Create a client from a configuration (copied). No connection is made yet: the
 *        first call connects (or call iggy_client_connect()). With credentials in the
 *        conf (username/password or personal.access.token) and auto.login on, every
 *        (re)connect logs in automatically.
 * @param conf configuration, or NULL for the defaults.
 * @param out receives the client.
 * @param errstr receives a readable reason on failure (may be NULL).
 * @param errstr_size size of @p errstr in bytes.
 * @returns IGGY_OK; IGGY_ERR__NO_MEMORY; IGGY_ERR__INVALID_ARG for an unusable conf.
 * @remark The caller owns the client and the conf; destroy the client with
 *         iggy_client_destroy().
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_client_new(const iggy_conf_t *conf, iggy_client_t **out, char *errstr,
                                       size_t errstr_size);

/**
 * @brief Destroy a client. Calls blocked in other threads return IGGY_ERR__DESTROYED and
 *        this function waits for them to leave before freeing. NULL is a no-op.
 * @param client the client, or NULL.
 * @warning No thread may start a new call on the client once destroy has begun.
 * @threadsafe yes, with the warning above.
 */
IGGY_EXTERN void iggy_client_destroy(iggy_client_t *client);

/**
 * @brief Connect now (and log in automatically when configured), instead of on the first
 *        call. Retries with exponential backoff within request.timeout.ms.
 * @param client the client.
 * @returns IGGY_OK; IGGY_ERR__TRANSPORT / IGGY_ERR__TIMED_OUT when no address answers;
 *          a login error (e.g. IGGY_ERR_INVALID_CREDENTIALS) from the automatic login.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_client_connect(iggy_client_t *client);

/**
 * @brief Ping the server (works before login).
 * @param client the client.
 * @returns IGGY_OK or a transport/server error.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_ping(iggy_client_t *client);

/**
 * @brief Log in with a username and password; the credentials are kept for automatic
 *        re-login after a reconnect until iggy_logout_user(). The login runs on one
 *        connection; the client's other open connections are closed (their sessions had the
 *        old identity) and log in with these credentials when next used.
 * @param client the client.
 * @param username the user name (at most 255 bytes).
 * @param password the password (at most 255 bytes).
 * @param out receives the login result (user id, session, server version), or NULL.
 *        Destroy it with iggy_result_destroy().
 * @returns IGGY_OK; IGGY_ERR_INVALID_CREDENTIALS (42); IGGY_ERR_INCOMPATIBLE_PROTOCOL_VERSION
 *          (14003, detail names both version windows); IGGY_ERR__INVALID_ARG for names
 *          longer than 255 bytes; transport errors.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_login_user(iggy_client_t *client, const char *username,
                                       const char *password, iggy_login_result_t **out);

/**
 * @brief Log in with a personal access token; kept for automatic re-login.
 * @param client the client.
 * @param token the raw token (from iggy_create_personal_access_token()).
 * @param out receives the login result, or NULL; destroy it with iggy_result_destroy().
 * @returns as iggy_login_user(), with IGGY_ERR_INVALID_PERSONAL_ACCESS_TOKEN (53) for a
 *          bad token.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_login_with_personal_access_token(iggy_client_t *client,
                                                             const char *token,
                                                             iggy_login_result_t **out);

/**
 * @brief Log out and forget the kept credentials. The connection the logout ran on stays
 *        open; the client's other connections are closed, ending their sessions.
 * @param client the client.
 * @returns IGGY_OK; IGGY_ERR_UNAUTHENTICATED when not logged in.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_logout_user(iggy_client_t *client);

/**
 * @brief Snapshot the client's counters: requests and errors per command, bytes in and out,
 *        connections (reconnects, failed attempts, losses, evictions), retries, round-trip
 *        times (average, p50/p90/p99, max) and the buffer pool, in total and per connection
 *        (connections_count rows, one per conf `connections` slot). iggy_client_stats_json()
 *        (stats.h) gives the same as JSON.
 * @param client the client.
 * @param out receives one result block; destroy it with iggy_result_destroy().
 * @returns IGGY_OK, IGGY_ERR__INVALID_ARG, IGGY_ERR__NO_MEMORY.
 * @threadsafe yes (counters are read without stopping other calls)
 */
IGGY_EXTERN iggy_err_t iggy_client_stats(iggy_client_t *client, iggy_client_stats_t **out);

IGGY_END_DECLS

#endif
