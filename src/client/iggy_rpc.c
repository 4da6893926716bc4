/* The RPC path: borrow, encode, stamp, exchange, replay transients, decode, return. */
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include <iggy/version.h>

#include "client/iggy_client_internal.h"
#include "client/iggy_rpc_internal.h"
#include "codec/iggy_codec.h"
#include "codec/iggy_frame.h"
#include "iggy_alloc.h"
#include "iggy_conf_internal.h"
#include "iggy_error_internal.h"

#define REQUEST_BUF_HINT 4096u
#define TRANSIENT_PAUSE_MS 50 /* SDKs replay 57/58 every 50 ms */
#define NOT_ACCEPTED_WINDOW_MS                                                                     \
    2000 /* 58 this long (at most half the budget): re-check the leader */

void iggy_client_opts_default(iggy_client_opts_t *o)
{
    o->max_frame_size = IGGY_MAX_FRAME_SIZE;
    o->request_timeout_ms = 30000;
    o->stamp_checksums = true;
}

iggy_err_t iggy_random_client_id(iggy_u128_t *out)
{
    uint8_t b[16];
    do {
        if (RAND_bytes(b, sizeof b) != 1)
            return iggy_fail(IGGY_ERR__STATE, "no randomness for a client id");
        memcpy(&out->lo, b, 8);
        memcpy(&out->hi, b + 8, 8);
    } while (out->lo == 0 && out->hi == 0);
    return IGGY_OK;
}

iggy_err_t iggy_request_writer(iggy_client_t *c, size_t hint, iggy_writer_t *w)
{
    iggy_err_t err = iggy_wr_init(w, c->pool, hint, c->opts.max_frame_size);
    if (err != IGGY_OK)
        return err;
    iggy_wr_grow(w, IGGY_HEADER_SIZE); /* stamped once the connection is known */
    err = iggy_wr_status(w);
    if (err != IGGY_OK)
        iggy_wr_release(w);
    return err;
}

iggy_err_t iggy_rpc_begin(iggy_client_t *c, iggy_cmd_t cmd, iggy_rpc_t *rpc)
{
    return iggy_rpc_begin_desc(c, &iggy_cmds[cmd], rpc);
}

iggy_err_t iggy_rpc_begin_desc(iggy_client_t *c, const iggy_cmd_desc_t *desc, iggy_rpc_t *rpc)
{
    iggy_err_t err;
    rpc->client = c;
    rpc->cmd = desc;
    rpc->decode_opts = NULL;
    rpc->pin = -1;
    rpc->conn_used = -1;
    rpc->cancel = NULL;
    /* The call counts as in progress from here: destroy waits for its buffers to return. */
    IGGY_TRY(iggy_client_enter(c));
    err = iggy_request_writer(c, REQUEST_BUF_HINT, &rpc->w);
    if (err != IGGY_OK)
        iggy_rpc_abort(rpc);
    else
        rpc->w.secret = (desc->flags & IGGY_CMDF_SECRET) != 0;
    return err;
}

void iggy_rpc_abort(iggy_rpc_t *rpc)
{
    iggy_wr_release(&rpc->w);
    iggy_client_leave(rpc->client);
}

int64_t iggy_deadline_after(int64_t timeout_ms)
{
    return timeout_ms > 0 ? iggy_now_ms() + timeout_ms : 0;
}

static bool deadline_passed(int64_t deadline)
{
    return deadline && iggy_now_ms() >= deadline;
}

/* Write the frame and read one reply header + body (borrowed from the pool). A stream that
 * is not quiet before the write, any failure, and any reply that does not answer this very
 * request (request id, operation) loses the connection: framing can no longer be trusted.
 * *sent is set once bytes may have reached the server. */
static iggy_err_t exchange(iggy_client_t *c, iggy_conn_t *conn, const iggy_cmd_desc_t *cmd,
                           const iggy_writer_t *w, uint64_t request, int64_t deadline,
                           iggy_frame_header_t *rh, uint8_t **body, bool *sent)
{
    uint8_t hdr[IGGY_HEADER_SIZE];
    size_t body_len, cap;
    struct iovec iov[2] = {{w->data, w->len}, {(void *)(uintptr_t)w->tail, w->tail_len}};
    const iggy_transport_ops_t *ops = conn->transport.ops;
    iggy_err_t err;

    int64_t started = iggy_mono_us();

    *body = NULL;
    if (!conn->sess.connected)
        return iggy_fail(IGGY_ERR_NOT_CONNECTED, "%s: not connected", cmd->name);
    /* Bytes before our request (a duplicated or late reply, an eviction) or a closed peer:
     * drop now, before anything is sent, so the call can go on a new connection. */
    if (ops->check_quiet && (err = ops->check_quiet(conn->transport.ctx)) != IGGY_OK) {
        iggy_log(c, IGGY_LOG_DEBUG, "conn", "%s: %s; reconnecting", cmd->name,
                 iggy_last_error_detail());
        return iggy_conn_lost(c, conn, err);
    }
    *sent = true;
    iggy_conn_call_sending(conn);
    err = ops->writev(conn->transport.ctx, iov, w->tail_len ? 2 : 1, deadline);
    if (err == IGGY_OK)
        err = ops->read(conn->transport.ctx, hdr, sizeof hdr, deadline);
    if (err == IGGY_OK)
        err = iggy_frame_decode_reply(hdr, c->opts.max_frame_size, rh);
    if (err != IGGY_OK)
        return iggy_conn_lost(c, conn, err);
    conn->last_activity_ms = iggy_now_ms();
    if (rh->command == IGGY_FRAME_EVICTION) {
        __atomic_add_fetch(&conn->counters.evictions, 1, __ATOMIC_RELAXED);
        iggy_log(c, IGGY_LOG_WARNING, "conn", "connection %zu: evicted by %s:%u (%s) during %s",
                 conn->index, conn->host, conn->port, iggy_eviction_reason_name(rh->reason),
                 cmd->name);
        return iggy_conn_lost(
            c, conn,
            iggy_eviction_to_err(rh->reason, rh->server_protocol_max, rh->server_protocol_min));
    }
    if (rh->request != request)
        return iggy_conn_lost(c, conn,
                              iggy_fail(IGGY_ERR__BAD_MSG,
                                        "%s: reply echoes request %llu, sent %llu (a reply to "
                                        "another request: dropping the connection)",
                                        cmd->name, (unsigned long long)rh->request,
                                        (unsigned long long)request));
    if (!iggy_op_reply_matches(cmd->operation, rh->operation))
        return iggy_conn_lost(c, conn,
                              iggy_fail(IGGY_ERR__BAD_MSG,
                                        "%s: reply operation %u does not answer request "
                                        "operation %u (dropping the connection)",
                                        cmd->name, rh->operation, cmd->operation));
    body_len = rh->size - IGGY_HEADER_SIZE;
    if (body_len) {
        err = iggy_pool_get(c->pool, body_len, body, &cap);
        if (err == IGGY_OK)
            err = ops->read(conn->transport.ctx, *body, body_len, deadline);
        if (err != IGGY_OK) {
            iggy_pool_put(c->pool, *body);
            *body = NULL;
            return iggy_conn_lost(c, conn, err);
        }
    }
    iggy_stats_exchange(conn, w->len + w->tail_len, rh->size, iggy_mono_us() - started);
    return IGGY_OK;
}

/* The outcome a reply carries, with its detail: the header status, or the committed result of
 * a result-framed body; *off is where the payload starts. IGGY_ERR__BAD_MSG for a result
 * section that does not fit its body. */
static iggy_err_t reply_outcome(const iggy_cmd_desc_t *cmd, const iggy_frame_header_t *rh,
                                const uint8_t *body, size_t *off)
{
    size_t len = rh->size - IGGY_HEADER_SIZE;
    iggy_err_t err;
    *off = 0;
    if (rh->status != 0) {
        char what[96];
        snprintf(what, sizeof what, "%s: server status", cmd->name);
        return iggy_err_from_wire(rh->status, what);
    }
    if (!iggy_op_is_result_framed(rh->operation, len))
        return IGGY_OK;
    err = iggy_result_section_strip(body, len, off);
    if (err != IGGY_OK && err != IGGY_ERR__BAD_MSG) {
        char why[256];
        snprintf(why, sizeof why, "%s", iggy_last_error_detail());
        return iggy_fail(err, "%s: rejected by the server: %s", cmd->name, why);
    }
    return err;
}

/* Decode the payload of a successful reply (from off): what an empty body means, then the
 * command's vtable. */
static iggy_err_t decode_reply(const iggy_cmd_desc_t *cmd, const iggy_frame_header_t *rh,
                               const uint8_t *body, size_t off, void *decode_opts, void **out)
{
    size_t len = rh->size - IGGY_HEADER_SIZE;
    if ((cmd->flags & IGGY_CMDF_LOGIN) && !iggy_op_is_result_framed(rh->operation, len))
        return iggy_fail(IGGY_ERR_UNAUTHENTICATED, "%s: empty login reply", cmd->name);
    if (len - off == 0 && (cmd->flags & IGGY_CMDF_EMPTY_NOT_FOUND))
        return iggy_fail(IGGY_ERR__NOT_FOUND, "%s: not found", cmd->name);
    if (!cmd->resp || !out)
        return IGGY_OK;
    return iggy_resp_unmarshal_ctx(cmd->resp, body ? body + off : NULL, len - off, decode_opts,
                                   out);
}

/* Stamp the header for the connection's session. */
static iggy_err_t stamp(iggy_client_t *c, iggy_conn_t *conn, const iggy_cmd_desc_t *cmd,
                        iggy_writer_t *w, uint64_t *request)
{
    iggy_request_header_t h;
    memset(&h, 0, sizeof h);
    h.operation = cmd->operation;
    h.code = cmd->code;
    h.body_len = (uint32_t)(w->len - IGGY_HEADER_SIZE + w->tail_len);
    /* Every request but a login takes the next id of one per-connection sequence, so each
     * reply can be told apart from any other (framing-and-session.md §3: metadata ids may
     * have gaps; reads and partition ops are only echoed, as the Java SDK relies on). */
    switch (iggy_counter_rule(cmd->operation)) {
    case IGGY_COUNTER_ZERO:
        /* A new identity gets a fresh random client id; a resumed one keeps its own. */
        if (!conn->sess.resume)
            IGGY_TRY(iggy_random_client_id(&conn->sess.client_id));
        break;
    case IGGY_COUNTER_NEXT:
    case IGGY_COUNTER_CURRENT:
        /* Only reads may go before login; anything else the server would evict (NoSession). */
        if (!(cmd->flags & IGGY_CMDF_READ) && !conn->sess.logged_in)
            return iggy_fail(IGGY_ERR_UNAUTHENTICATED, "%s: not logged in", cmd->name);
        h.request = conn->sess.counter++;
        h.session = conn->sess.session;
        break;
    }
    if (c->opts.stamp_checksums && iggy_counter_rule(cmd->operation) != IGGY_COUNTER_CURRENT) {
        XXH3_state_t st;
        XXH3_INITSTATE(&st);
        XXH3_64bits_reset(&st);
        XXH3_64bits_update(&st, w->data + IGGY_HEADER_SIZE, w->len - IGGY_HEADER_SIZE);
        if (w->tail_len)
            XXH3_64bits_update(&st, w->tail, w->tail_len);
        h.request_checksum = XXH3_64bits_digest(&st);
    }
    h.client = conn->sess.client_id;
    iggy_frame_encode_request(w->data, &h);
    *request = h.request;
    return IGGY_OK;
}

/* Apply a decoded login or logout to the session. */
static void update_session(iggy_client_t *c, iggy_conn_t *conn, const iggy_cmd_desc_t *cmd,
                           void **out)
{
    if ((cmd->flags & IGGY_CMDF_LOGIN) && out && *out) {
        const iggy_login_result_t *lr = *out;
        conn->sess.session = lr->session;
        if (!conn->sess.resume)
            conn->sess.counter = 1; /* resumed: ids go on above the entry's watermark */
        conn->sess.resume = false;
        conn->sess.logged_in = true;
        __atomic_add_fetch(&conn->logins, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&c->session_epoch, 1, __ATOMIC_RELAXED);
    } else if (cmd->flags & IGGY_CMDF_LOGOUT) {
        conn->sess.logged_in = false;
        conn->sess.session = 0;
        conn->sess.resume = false;
    }
}

iggy_err_t iggy_call_on_conn(iggy_client_t *c, iggy_conn_t *conn, const iggy_cmd_desc_t *cmd,
                             iggy_writer_t *w, void *decode_opts, void **out, int64_t deadline,
                             bool *sent)
{
    bool sent_here = false;
    iggy_frame_header_t rh;
    uint8_t *body = NULL;
    size_t off;
    uint64_t request = 0;
    int64_t first_58 = 0, window_58 = NOT_ACCEPTED_WINDOW_MS;
    iggy_err_t err;

    IGGY_TRY(stamp(c, conn, cmd, w, &request));
    for (;;) {
        if (iggy_client_destroying(c))
            return iggy_fail(IGGY_ERR__DESTROYED, "%s: client destroyed", cmd->name);
        err = exchange(c, conn, cmd, w, request, deadline, &rh, &body, sent ? sent : &sent_here);
        if (err != IGGY_OK)
            return err;
        err = reply_outcome(cmd, &rh, body, &off);
        if (err == IGGY_ERR_TRANSIENT_NOT_COMMITTED || err == IGGY_ERR_TRANSIENT_NOT_ACCEPTED) {
            /* 57: replay the identical bytes on this connection until the deadline; the
             * server applies it once. 58: never admitted; replay briefly, then let the
             * caller re-check the leader. */
            int64_t now = iggy_now_ms();
            iggy_pool_put(c->pool, body);
            body = NULL;
            if (err == IGGY_ERR_TRANSIENT_NOT_ACCEPTED) {
                if (!first_58) {
                    first_58 = now;
                    /* At most half of what is left: a short deadline still leaves time to
                     * re-check the leader and follow it. */
                    if (deadline && (deadline - now) / 2 < window_58)
                        window_58 = (deadline - now) / 2;
                }
                if (now - first_58 >= window_58)
                    return iggy_fail(err, "%s: not accepted for %lld ms (not the leader?)",
                                     cmd->name, (long long)window_58);
            }
            if (deadline && now + TRANSIENT_PAUSE_MS >= deadline)
                return iggy_fail(err, "%s: transient outcome %d until the deadline", cmd->name,
                                 (int)err);
            __atomic_add_fetch(&conn->counters.transient_replays, 1, __ATOMIC_RELAXED);
            iggy_log(c, IGGY_LOG_DEBUG, "rpc", "%s: transient %d, replaying", cmd->name, (int)err);
            iggy_client_sleep(c, TRANSIENT_PAUSE_MS);
            continue;
        }
        if (err == IGGY_OK)
            err = decode_reply(cmd, &rh, body, off, decode_opts, out);
        if (body && (cmd->flags & IGGY_CMDF_SECRET))
            OPENSSL_cleanse(body, rh.size - IGGY_HEADER_SIZE); /* a new token */
        iggy_pool_put(c->pool, body);
        if (err == IGGY_OK)
            update_session(c, conn, cmd, out);
        else if (err == IGGY_ERR__BAD_MSG)
            /* A reply that does not decode: the framing can no longer be trusted. */
            iggy_conn_lost(c, conn, err);
        return err;
    }
}

/* Whether a request lost with its connection may run again on a new one: only when
 * running it twice is harmless (reads, logins). */
static bool safe_to_retry(const iggy_cmd_desc_t *cmd, iggy_err_t err)
{
    if (err != IGGY_ERR__TRANSPORT && err != IGGY_ERR__TIMED_OUT && err != IGGY_ERR_STALE_CLIENT &&
        err != IGGY_ERR_UNAUTHENTICATED && err != IGGY_ERR_NOT_CONNECTED)
        return false;
    return (cmd->flags & (IGGY_CMDF_READ | IGGY_CMDF_LOGIN)) != 0;
}

static bool cancelled(const iggy_rpc_t *rpc)
{
    return rpc->cancel && __atomic_load_n(&rpc->cancel->cancelled, __ATOMIC_ACQUIRE);
}

/* Publish (or clear) the call's cancel token on conn, where iggy_call_cancel() looks. */
static void set_call_cancel(iggy_conn_t *conn, iggy_call_cancel_t *token)
{
    pthread_mutex_lock(&conn->fd_lock);
    conn->call_cancel = token;
    pthread_mutex_unlock(&conn->fd_lock);
}

void iggy_call_cancel(iggy_client_t *c, iggy_call_cancel_t *token)
{
    /* Flag first, then look: a call publishes its token before it checks the flag, so it
     * either sees the flag or is found here. */
    __atomic_store_n(&token->cancelled, true, __ATOMIC_RELEASE);
    for (size_t i = 0; i < c->nconns; i++) {
        iggy_conn_t *conn = &c->conns[i];
        pthread_mutex_lock(&conn->fd_lock);
        if (conn->call_cancel == token && conn->fd >= 0)
            shutdown(conn->fd, SHUT_RDWR);
        pthread_mutex_unlock(&conn->fd_lock);
    }
}

iggy_err_t iggy_rpc_end(iggy_rpc_t *rpc, void **out)
{
    iggy_client_t *c = rpc->client;
    iggy_conn_t *conn;
    const iggy_cmd_desc_t *cmd = rpc->cmd;
    int64_t deadline = iggy_deadline_after(c->opts.request_timeout_ms);
    int64_t started = iggy_log_on(&c->log, IGGY_LOG_DEBUG, "rpc") ? iggy_mono_us() : 0;
    iggy_err_t err = iggy_wr_status(&rpc->w);

    if (err == IGGY_OK)
        err = iggy_conn_acquire(c, rpc->pin, deadline, &conn);
    if (err != IGGY_OK) {
        iggy_stats_call(c, NULL, cmd, err);
        iggy_rpc_abort(rpc);
        return err;
    }
    rpc->conn_used = (int)conn->index;
    iggy_conn_call_begin(conn);
    if (cmd->flags & IGGY_CMDF_LOGIN)
        conn->sess.resume = false; /* an explicit login is a new identity */
    if (rpc->cancel)
        set_call_cancel(conn, rpc->cancel);
    for (;;) {
        bool sent = false;
        if (cancelled(rpc)) {
            err = iggy_fail(IGGY_ERR__DESTROYED, "%s: cancelled", cmd->name);
            break;
        }
        err = iggy_session_ensure(c, conn, cmd, deadline);
        /* A bound connection answers a login with its existing session (§8.5 step 6): log
         * out first, as the SDKs do, so the login gets a session whose request ids start
         * at 1 again (else the next metadata write repeats an id and is dropped). */
        if (err == IGGY_OK && (cmd->flags & IGGY_CMDF_LOGIN) && conn->sess.logged_in)
            err = iggy_internal_call(c, conn, IGGY_CMD_LOGOUT_USER, NULL, NULL, NULL, deadline);
        if (err == IGGY_OK) {
            err = iggy_call_on_conn(c, conn, cmd, &rpc->w, rpc->decode_opts, out, deadline, &sent);
            if (err == IGGY_OK && (cmd->flags & IGGY_CMDF_LOGIN)) {
                err = iggy_session_after_login(c, conn, cmd, &rpc->w, deadline);
                /* The login was answered; a connection its leader check then finds out of step
                 * (a duplicated reply) or closed is lost before that check was sent, and a
                 * login may run again on a new one, whatever the cause. */
                if (err != IGGY_OK && !conn->sess.connected)
                    sent = false;
            }
            if (err == IGGY_ERR_TRANSIENT_NOT_ACCEPTED &&
                iggy_session_settle_leader(c, conn, deadline))
                continue; /* now on the leader: re-stamp under the new session */
        }
        if (conn->sess.connected) {
            if (sent)
                iggy_conn_call_succeeded(conn); /* a reply came back */
            break;
        }
        /* The connection is gone. Another round opens a new one through the reconnect
         * policy (iggy_conn_open), which bounds and paces every attempt; a request that may
         * have reached the server goes again only when running it twice is harmless. */
        if (err == IGGY_OK || c->fixed_transport || conn->call_gave_up || iggy_err_is_fatal(err) ||
            deadline_passed(deadline) || iggy_client_destroying(c) || cancelled(rpc) ||
            (sent && !safe_to_retry(cmd, err)))
            break;
        __atomic_add_fetch(&conn->counters.retries, 1, __ATOMIC_RELAXED);
        iggy_log(c, IGGY_LOG_INFO, "rpc", "%s: connection lost (%s), retrying on a new connection",
                 cmd->name, iggy_last_error_detail());
    }
    if (iggy_client_destroying(c) && err != IGGY_OK)
        err = iggy_fail(IGGY_ERR__DESTROYED, "%s: client destroyed during the call", cmd->name);
    else if (cancelled(rpc) && err != IGGY_OK && err != IGGY_ERR__DESTROYED)
        err = iggy_fail(IGGY_ERR__DESTROYED, "%s: cancelled (outcome unknown: %s)", cmd->name,
                        iggy_err2name(err));
    if (rpc->cancel)
        set_call_cancel(conn, NULL);
    if (started)
        iggy_log(c, IGGY_LOG_DEBUG, "rpc", "%s on connection %zu: %s in %lld us", cmd->name,
                 conn->index, iggy_err2name(err), (long long)(iggy_mono_us() - started));
    iggy_stats_call(c, conn, cmd, err);
    iggy_conn_release(c, conn);
    iggy_rpc_abort(rpc); /* buffers back to the pool, then leave */
    return err;
}
