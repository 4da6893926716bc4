/* Pieces of the RPC path shared by the session layer (login, leader settlement). */
#ifndef IGGY_RPC_INTERNAL_H
#define IGGY_RPC_INTERNAL_H

#include "client/iggy_client_internal.h"

/* Absolute monotonic deadline timeout_ms from now; 0 = none. */
int64_t iggy_deadline_after(int64_t timeout_ms);

/* Stamp w's header for conn's session, exchange, replay transients, decode into *out.
 * conn->lock is held; w keeps its buffer (the caller releases it). */
iggy_err_t iggy_call_on_conn(iggy_client_t *c, iggy_conn_t *conn, const iggy_cmd_desc_t *cmd,
                             iggy_writer_t *w, void *decode_opts, void **out, int64_t deadline);

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

#endif
