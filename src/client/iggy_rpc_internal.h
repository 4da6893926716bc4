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

/* Before a join is sent: room for one more membership and a copy of ref (the
 * JoinConsumerGroup body: stream, topic, group) into *copy, so that a join the server confirms
 * is always remembered. IGGY_ERR__NO_MEMORY, else pass *copy to exactly one of _add (the join
 * succeeded) or _unreserve. */
iggy_err_t iggy_membership_reserve(iggy_client_t *c, const uint8_t *ref, size_t len,
                                   uint8_t **copy);
/* Remember a group the caller joined on connection conn; takes copy and the reservation. */
void iggy_membership_add(iggy_client_t *c, size_t conn, uint8_t *copy, size_t len);
/* Give a reservation back (the join failed); frees copy. */
void iggy_membership_unreserve(iggy_client_t *c, uint8_t *copy);
/* Forget a group the caller left on connection conn, or deleted (conn < 0: on every
 * connection). */
void iggy_membership_remove(iggy_client_t *c, long conn, const uint8_t *ref, size_t len);
/* A connection that joined this group (identified as it was when joined), -1 when none, or -2
 * when there was no memory to look (the detail is set). */
int iggy_membership_conn(iggy_client_t *c, const iggy_identifier_t *stream,
                         const iggy_identifier_t *topic, const iggy_identifier_t *group);
/* Pin a call about a group to the connection that joined it (a member's session); no pin
 * when the client never joined it. The consumer form pins only for group consumers. Without
 * memory to look, the call fails with IGGY_ERR__NO_MEMORY (the writer's sticky error) rather
 * than going to a connection that may not be the member. */
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
