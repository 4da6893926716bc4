#include <openssl/rand.h>
#include <string.h>
#include <xxhash.h>

#include "client/iggy_client_internal.h"
#include "codec/iggy_frame.h"
#include "iggy_alloc.h"
#include "iggy_error_internal.h"

#define REQUEST_BUF_HINT 4096u

void iggy_client_opts_default(iggy_client_opts_t *o)
{
    o->max_frame_size = IGGY_MAX_FRAME_SIZE;
    o->request_timeout_ms = 30000;
    o->stamp_checksums = true;
}

iggy_err_t iggy_client_new_with_transport(iggy_client_t **out, const iggy_client_opts_t *opts,
                                          iggy_transport_t transport, iggy_pool_t *pool)
{
    iggy_client_t *c = iggy_mem_calloc(1, sizeof *c);
    iggy_err_t err;
    *out = NULL;
    if (!c)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "client: no memory");
    if (opts)
        c->opts = *opts;
    else
        iggy_client_opts_default(&c->opts);
    if (!pool) {
        err = iggy_pool_new(&pool, REQUEST_BUF_HINT, 4u * 1024 * 1024, 4, c->opts.max_frame_size);
        if (err != IGGY_OK) {
            iggy_mem_free(c);
            return err;
        }
        c->own_pool = true;
    }
    /* The server drops frames with client id 0, Ping before login included. */
    err = iggy_random_client_id(&c->sess.client_id);
    if (err != IGGY_OK) {
        if (c->own_pool)
            iggy_pool_destroy(pool);
        iggy_mem_free(c);
        return err;
    }
    pthread_mutex_init(&c->lock, NULL);
    c->pool = pool;
    c->transport = transport;
    c->sess.counter = 1;
    c->sess.connected = true;
    *out = c;
    return IGGY_OK;
}

void iggy_client_free(iggy_client_t *c)
{
    if (!c)
        return;
    if (c->transport.ops)
        c->transport.ops->destroy(c->transport.ctx);
    if (c->own_pool)
        iggy_pool_destroy(c->pool);
    pthread_mutex_destroy(&c->lock);
    iggy_mem_free(c);
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

iggy_err_t iggy_rpc_begin(iggy_client_t *c, iggy_cmd_t cmd, iggy_rpc_t *rpc)
{
    rpc->client = c;
    rpc->cmd = &iggy_cmds[cmd];
    IGGY_TRY(iggy_wr_init(&rpc->w, c->pool, REQUEST_BUF_HINT, c->opts.max_frame_size));
    iggy_wr_grow(&rpc->w, IGGY_HEADER_SIZE);
    return iggy_wr_status(&rpc->w);
}

/* Drop the connection after a fault that leaves the byte stream unusable. */
static void drop_connection(iggy_client_t *c)
{
    if (c->transport.ops && c->sess.connected)
        c->transport.ops->close(c->transport.ctx);
    c->sess.connected = false;
    c->sess.logged_in = false;
    c->sess.session = 0;
}

/* Write the frame and read one reply header + body (borrowed from the pool). */
static iggy_err_t exchange(iggy_client_t *c, const iggy_cmd_desc_t *cmd, iggy_writer_t *w,
                           uint64_t request, iggy_frame_header_t *rh, uint8_t **body)
{
    uint8_t hdr[IGGY_HEADER_SIZE];
    size_t body_len, cap;
    int64_t deadline =
        c->opts.request_timeout_ms > 0 ? iggy_now_ms() + c->opts.request_timeout_ms : 0;
    struct iovec iov = {w->data, w->len};
    iggy_err_t err;

    *body = NULL;
    if (!c->sess.connected)
        return iggy_fail(IGGY_ERR_NOT_CONNECTED, "%s: not connected", cmd->name);
    err = c->transport.ops->writev(c->transport.ctx, &iov, 1, deadline);
    if (err == IGGY_OK)
        err = c->transport.ops->read(c->transport.ctx, hdr, sizeof hdr, deadline);
    if (err == IGGY_OK)
        err = iggy_frame_decode_reply(hdr, c->opts.max_frame_size, rh);
    if (err != IGGY_OK) {
        drop_connection(c);
        return err;
    }
    if (rh->command == IGGY_FRAME_EVICTION) {
        drop_connection(c);
        return iggy_eviction_to_err(rh->reason, rh->server_protocol_max, rh->server_protocol_min);
    }
    if (rh->request != request) {
        /* A reply to something else: framing can no longer be trusted. */
        drop_connection(c);
        return iggy_fail(IGGY_ERR__BAD_MSG, "%s: reply echoes request %llu, sent %llu", cmd->name,
                         (unsigned long long)rh->request, (unsigned long long)request);
    }
    body_len = rh->size - IGGY_HEADER_SIZE;
    if (body_len == 0)
        return IGGY_OK;
    err = iggy_pool_get(c->pool, body_len, body, &cap);
    if (err == IGGY_OK)
        err = c->transport.ops->read(c->transport.ctx, *body, body_len, deadline);
    if (err != IGGY_OK) {
        iggy_pool_put(c->pool, *body);
        *body = NULL;
        drop_connection(c);
    }
    return err;
}

/* Decode a reply body: status, result section, empty-body meaning, then the vtable. */
static iggy_err_t decode_reply(const iggy_cmd_desc_t *cmd, const iggy_frame_header_t *rh,
                               const uint8_t *body, void **out)
{
    size_t len = rh->size - IGGY_HEADER_SIZE, off = 0;
    if (rh->status != 0)
        return iggy_fail((iggy_err_t)rh->status, "%s: server status %u (%s)", cmd->name, rh->status,
                         iggy_err2str((iggy_err_t)rh->status));
    if (iggy_op_is_result_framed(rh->operation, len)) {
        iggy_err_t err = iggy_result_section_strip(body, len, &off);
        if (err != IGGY_OK)
            return err;
    } else if (rh->operation == IGGY_OP_REGISTER) {
        return iggy_fail(IGGY_ERR_UNAUTHENTICATED, "%s: empty login reply", cmd->name);
    }
    if (len - off == 0 && (cmd->flags & IGGY_CMDF_EMPTY_NOT_FOUND))
        return iggy_fail(IGGY_ERR__NOT_FOUND, "%s: not found", cmd->name);
    if (!cmd->resp || !out)
        return IGGY_OK;
    return iggy_resp_unmarshal(cmd->resp, body ? body + off : NULL, len - off, out);
}

iggy_err_t iggy_rpc_end(iggy_rpc_t *rpc, void **out)
{
    iggy_client_t *c = rpc->client;
    const iggy_cmd_desc_t *cmd = rpc->cmd;
    iggy_request_header_t h;
    iggy_frame_header_t rh;
    uint8_t *body = NULL;
    iggy_err_t err = iggy_wr_status(&rpc->w);

    if (err != IGGY_OK) {
        iggy_wr_release(&rpc->w);
        return err;
    }
    memset(&h, 0, sizeof h);
    h.operation = cmd->operation;
    h.code = cmd->code;
    h.body_len = (uint32_t)(rpc->w.len - IGGY_HEADER_SIZE);

    pthread_mutex_lock(&c->lock);
    switch (iggy_counter_rule(cmd->operation)) {
    case IGGY_COUNTER_ZERO:
        /* Every login gets a fresh random client id. */
        err = iggy_random_client_id(&c->sess.client_id);
        h.request = 0;
        h.session = 0;
        break;
    case IGGY_COUNTER_NEXT:
        if (!c->sess.logged_in) {
            /* The server would evict the session (NoSession): refuse before sending. */
            err = iggy_fail(IGGY_ERR_UNAUTHENTICATED, "%s: not logged in", cmd->name);
            break;
        }
        h.request = c->sess.counter++;
        h.session = c->sess.session;
        break;
    case IGGY_COUNTER_CURRENT:
        if (cmd->operation != IGGY_OP_NON_REPLICATED && !c->sess.logged_in) {
            err = iggy_fail(IGGY_ERR_UNAUTHENTICATED, "%s: not logged in", cmd->name);
            break;
        }
        h.request = c->sess.counter;
        h.session = c->sess.session;
        break;
    }
    if (err == IGGY_OK) {
        if (c->opts.stamp_checksums && iggy_counter_rule(cmd->operation) != IGGY_COUNTER_CURRENT)
            h.request_checksum = XXH3_64bits(rpc->w.data + IGGY_HEADER_SIZE, h.body_len);
        h.client = c->sess.client_id;
        iggy_frame_encode_request(rpc->w.data, &h);
        err = exchange(c, cmd, &rpc->w, h.request, &rh, &body);
    }
    if (err == IGGY_OK) {
        err = decode_reply(cmd, &rh, body, out);
        if (err == IGGY_OK && cmd->operation == IGGY_OP_REGISTER && out && *out) {
            const iggy_login_result_t *lr = *out;
            c->sess.session = lr->session;
            c->sess.counter = 1;
            c->sess.logged_in = true;
        } else if (err == IGGY_OK && cmd->operation == IGGY_OP_LOGOUT) {
            c->sess.logged_in = false;
            c->sess.session = 0;
        }
    }
    pthread_mutex_unlock(&c->lock);

    iggy_pool_put(c->pool, body);
    iggy_wr_release(&rpc->w);
    return err;
}
