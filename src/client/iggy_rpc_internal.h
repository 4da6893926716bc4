/* Pieces of the RPC path shared by the session layer (login, leader settlement). */
#ifndef IGGY_RPC_INTERNAL_H
#define IGGY_RPC_INTERNAL_H

#include "client/iggy_client_internal.h"

/* A request buffer from the pool with the 256-byte header reserved (stamped once the
 * connection is known): the one setup of every request, public or the library's own. */
iggy_err_t iggy_request_writer(iggy_client_t *c, size_t hint, iggy_writer_t *w);

/* Absolute monotonic deadline timeout_ms from now; 0 = none. */
int64_t iggy_deadline_after(int64_t timeout_ms);

/* Stamp w's header for conn's session, exchange, replay transients, decode into *out.
 * conn->lock is held; w keeps its buffer (the caller releases it). *sent (may be NULL) is
 * set once bytes of the request may have reached the server. A reply that does not answer
 * this request or does not decode loses the connection (IGGY_ERR__BAD_MSG). */
iggy_err_t iggy_call_on_conn(iggy_client_t *c, iggy_conn_t *conn, const iggy_cmd_desc_t *cmd,
                             iggy_writer_t *w, void *decode_opts, void **out, int64_t deadline,
                             bool *sent);

/* The login body (Register with a password, or with a token when token is set) announcing
 * the client's SDK name and version: explicit and automatic logins alike. */
void iggy_enc_login(iggy_writer_t *w, const iggy_client_t *c, const char *username,
                    const char *password, const char *token);

/* A body encoder for iggy_internal_call. */
typedef void (*iggy_encode_fn)(iggy_writer_t *w, void *arg);
/* Run one command of the library's own (login, metadata, re-join) on conn with a body
 * built by enc (NULL: empty), under conn->lock. */
iggy_err_t iggy_internal_call(iggy_client_t *c, iggy_conn_t *conn, iggy_cmd_t cmd,
                              iggy_encode_fn enc, void *arg, void **out, int64_t deadline);

/* Before sending cmd: connect when disconnected and log in automatically when the client
 * has credentials (not for login commands themselves). conn->lock is held. */
iggy_err_t iggy_session_ensure(iggy_client_t *c, iggy_conn_t *conn, const iggy_cmd_desc_t *cmd,
                               int64_t deadline);

/* After an explicit login succeeded on conn: settle on the cluster leader. */
iggy_err_t iggy_session_after_login(iggy_client_t *c, iggy_conn_t *conn, const iggy_cmd_desc_t *cmd,
                                    iggy_writer_t *w, int64_t deadline);

/* Re-check the leader (after result 58); true when conn moved to another node and is
 * logged in there, so the request should be re-stamped and sent again. */
bool iggy_session_settle_leader(iggy_client_t *c, iggy_conn_t *conn, int64_t deadline);

/* Consumer-group memberships (iggy_groups.c). */

/* Remember a group the caller joined on connection conn (the JoinConsumerGroup body: stream,
 * topic, group). */
void iggy_membership_add(iggy_client_t *c, size_t conn, const uint8_t *ref, size_t len);
/* Forget a group the caller left on connection conn, or deleted (conn < 0: on every
 * connection). */
void iggy_membership_remove(iggy_client_t *c, long conn, const uint8_t *ref, size_t len);
/* A connection that joined this group (identified as it was when joined), or -1. */
int iggy_membership_conn(iggy_client_t *c, const iggy_identifier_t *stream,
                         const iggy_identifier_t *topic, const iggy_identifier_t *group);
/* Pin a call about a group to the connection that joined it (a member's session); no pin
 * when the client never joined it. The consumer form pins only for group consumers. */
void iggy_rpc_pin_group(iggy_rpc_t *rpc, const iggy_identifier_t *stream,
                        const iggy_identifier_t *topic, const iggy_identifier_t *group);
void iggy_rpc_pin_consumer(iggy_rpc_t *rpc, const iggy_consumer_ref_t *consumer,
                           const iggy_identifier_t *stream, const iggy_identifier_t *topic);
/* After a new session on conn: join every group it had joined again (conn->lock is held). A
 * group that no longer exists is forgotten; other failures are returned. */
iggy_err_t iggy_memberships_rejoin(iggy_client_t *c, iggy_conn_t *conn, int64_t deadline);
/* Free the list (destroy). */
void iggy_memberships_free(iggy_client_t *c);

#endif
