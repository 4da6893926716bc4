/* Per-frame rules of framing-and-session.md §5, the §3 replay cache and reply building.
 * Commands themselves run in the iggy_mock_<group>.c handlers. */
#include "mock/iggy_mock_dispatch.h"

#include <string.h>

#include <iggy/version.h>
#include <xxhash.h>

#include "codec/iggy_primitives.h"
#include "codec/iggy_reader.h"
#include "codec/iggy_writer.h"
#include "iggy_alloc.h"
#include "iggy_clock.h"

#define CODE_PING 1u
#define CODE_LOGOUT 39u
#define CODE_LOGIN_REGISTER 40u

/* Status, result and eviction codes the dispatcher itself answers with (errors.tsv,
 * eviction_reasons.tsv). */
enum {
    STATUS_ERROR = 1,
    STATUS_INVALID_COMMAND = 3,
    STATUS_INVALID_FORMAT = 4,
    STATUS_FEATURE_UNAVAILABLE = 5,
    STATUS_UNAUTHENTICATED = 40,
    RESULT_NOT_COMMITTED = 57,
    RESULT_NOT_ACCEPTED = 58, /* TransientNotAccepted: a backup refuses writes */
    RESULT_ALREADY_APPLIED = 59,
    EVICT_NO_SESSION = 1,
    EVICT_INVALID_OPERATION = 4,
    EVICT_MALFORMED_LOGIN = 15,
    EVICT_INCOMPATIBLE_PROTOCOL = 14,
};

/* ------------------------------------------------------------------ replies */

void iggy_mock_reply_free(iggy_mock_reply_t *r)
{
    iggy_mem_free(r->buf);
    r->buf = NULL;
    r->len = 0;
    r->evict = false;
}

static bool reply_alloc(iggy_mock_reply_t *r, size_t body_len)
{
    r->len = IGGY_HEADER_SIZE + body_len;
    r->buf = iggy_mem_alloc(r->len);
    r->evict = false;
    return r->buf != NULL;
}

/* Reply header; request_checksum and timestamp are echoed (§1.3), the codec leaves them 0. */
static void reply_header(iggy_mock_reply_t *r, const iggy_mock_request_t *req,
                         const iggy_u128_t *client, uint8_t operation, uint32_t status, uint64_t op,
                         uint64_t commit)
{
    iggy_frame_encode_reply(r->buf, client, req->h.request, operation, status,
                            (uint32_t)(r->len - IGGY_HEADER_SIZE), op, commit);
    memcpy(r->buf + IGGY_FRAME_OFF_REP_CHECKSUM, req->frame + IGGY_FRAME_OFF_REQ_CHECKSUM, 16);
    memcpy(r->buf + IGGY_FRAME_OFF_REP_TIMESTAMP, req->frame + IGGY_FRAME_OFF_REQ_TIMESTAMP, 8);
}

/* A pre-commit deny: the status in the header, no body. */
static bool reply_status(iggy_mock_reply_t *r, const iggy_mock_request_t *req,
                         const iggy_u128_t *client, uint32_t status, uint64_t op, uint64_t commit)
{
    if (!reply_alloc(r, 0))
        return false;
    reply_header(r, req, client, req->h.operation, status, op, commit);
    return true;
}

/* A committed rejection: status 0 and the result section [1][0][code]. */
static bool reply_reject(iggy_mock_reply_t *r, const iggy_mock_request_t *req, uint8_t operation,
                         uint32_t code, uint64_t op, uint64_t commit)
{
    if (!reply_alloc(r, 12))
        return false;
    reply_header(r, req, &req->h.client, operation, 0, op, commit);
    iggy_put_le32(r->buf + IGGY_HEADER_SIZE, 1);
    iggy_put_le32(r->buf + IGGY_HEADER_SIZE + 4, 0);
    iggy_put_le32(r->buf + IGGY_HEADER_SIZE + 8, code);
    return true;
}

bool iggy_mock_reply_eviction(const iggy_u128_t *client, uint8_t reason, iggy_mock_reply_t *out)
{
    /* The window travels only with IncompatibleProtocol (§1.4, §8.5). */
    uint32_t v = reason == EVICT_INCOMPATIBLE_PROTOCOL ? IGGY_PROTOCOL_VERSION : 0;
    if (!reply_alloc(out, 0))
        return false;
    iggy_frame_encode_eviction(out->buf, client, reason, v, v);
    out->evict = true;
    return true;
}

bool iggy_mock_reply_status(const iggy_mock_dispatcher_t *d, const iggy_mock_session_t *s,
                            const iggy_mock_request_t *req, uint32_t status, iggy_mock_reply_t *out)
{
    return reply_status(out, req, &req->h.client, status, s->conn.session, d->commit);
}

bool iggy_mock_reply_reject(const iggy_mock_dispatcher_t *d, const iggy_mock_session_t *s,
                            const iggy_mock_request_t *req, uint32_t code, iggy_mock_reply_t *out)
{
    return reply_reject(out, req, req->h.operation, code, s->conn.session, d->commit);
}

iggy_u128_t iggy_mock_transport_id(const iggy_mock_session_t *s)
{
    iggy_u128_t id = {s->conn.conn_id, 0};
    return id;
}

/* ------------------------------------------------------------------ framing, validation */

bool iggy_mock_frame_body_len(const uint8_t hdr[IGGY_HEADER_SIZE], size_t *body_len)
{
    iggy_frame_header_t h;
    if (iggy_frame_decode_request(hdr, IGGY_MAX_FRAME_SIZE, &h) != IGGY_OK)
        return false; /* size outside [256, 64 MiB]: the server's reader exits */
    if (h.command > IGGY_FRAME_COMMAND_MAX)
        return false;
    *body_len = h.size - IGGY_HEADER_SIZE;
    return true;
}

/* Header validation (§1.2): a failure is answered with silence. */
static bool header_valid(const iggy_frame_header_t *h)
{
    if (h->client.lo == 0 && h->client.hi == 0)
        return false;
    if (h->release != 0)
        return false;
    if (!iggy_op_declared(h->operation))
        return false;
    if (h->operation == IGGY_OP_REGISTER)
        return h->session == 0 && h->request == 0;
    if (h->operation == IGGY_OP_NON_REPLICATED)
        return true;
    return h->session > 0 && h->request > 0;
}

/* The wire code of a validated request: counting and fault matching speak codes, while
 * only NonReplicated requests carry one on the wire. */
static uint32_t request_code(const iggy_frame_header_t *h)
{
    const iggy_cmd_desc_t *d;
    if (h->operation == IGGY_OP_NON_REPLICATED)
        return h->code;
    if (h->operation == IGGY_OP_REGISTER)
        return CODE_LOGIN_REGISTER;
    if (h->operation == IGGY_OP_LOGOUT)
        return CODE_LOGOUT;
    d = iggy_cmd_by_operation(h->operation);
    return d ? d->code : 0;
}

bool iggy_mock_request_parse(const uint8_t *frame, size_t frame_len, iggy_mock_request_t *req)
{
    memset(req, 0, sizeof *req);
    if (frame_len < IGGY_HEADER_SIZE ||
        iggy_frame_decode_request(frame, IGGY_MAX_FRAME_SIZE, &req->h) != IGGY_OK ||
        req->h.size != frame_len)
        return false;
    if (req->h.command != IGGY_FRAME_REQUEST || !header_valid(&req->h))
        return false;
    req->frame = frame;
    req->body = frame + IGGY_HEADER_SIZE;
    req->body_len = frame_len - IGGY_HEADER_SIZE;
    req->code = request_code(&req->h);
    return true;
}

/* §4: 0 skips the check; otherwise the u128 must be XXH3-64 of the body. */
static bool checksum_ok(const iggy_mock_request_t *req)
{
    const iggy_frame_header_t *h = &req->h;
    if (h->request_checksum == 0 && h->request_checksum_hi == 0)
        return true;
    return h->request_checksum_hi == 0 &&
           h->request_checksum == (uint64_t)XXH3_64bits(req->body, req->body_len);
}

/* ------------------------------------------------------------------ handlers */

static bool op_has(uint8_t operation, unsigned flags)
{
    return (iggy_op_flags(operation) & flags) != 0;
}

/* Run a command's handler and turn its outcome into a reply (*o says which channel, for the
 * replay cache). */
static bool run_handler(iggy_mock_dispatcher_t *d, iggy_mock_session_t *s,
                        const iggy_cmd_desc_t *cmd, const iggy_mock_request_t *req,
                        iggy_mock_reply_t *r, iggy_mock_outcome_t *o)
{
    const iggy_frame_header_t *h = &req->h;
    iggy_mock_handler_t fn = iggy_mock_state_handler((iggy_cmd_t)(cmd - iggy_cmds));
    iggy_writer_t w;
    iggy_mock_call_t call;
    bool was_bound = s->conn.authenticated, ok;
    uint64_t op, commit;

    if (!fn) {
        *o = (iggy_mock_outcome_t){MOCK_STATUS, STATUS_INVALID_COMMAND};
        return reply_status(r, req, &h->client, STATUS_INVALID_COMMAND, s->conn.session, d->commit);
    }
    if (iggy_wr_init(&w, d->pool, 256, IGGY_MAX_FRAME_SIZE - IGGY_HEADER_SIZE - 4) != IGGY_OK)
        return false;
    memset(&call, 0, sizeof call);
    call.st = d->st;
    call.conn = &s->conn;
    call.cmd = cmd;
    call.out = &w;
    call.now_us = iggy_now_us();
    call.reply_operation = h->operation;
    iggy_rd_init(&call.body, req->body, req->body_len, cmd->name);
    if (h->operation == IGGY_OP_REGISTER && !was_bound)
        s->conn.client_id = h->client; /* the login handler binds this id */
    *o = fn(&call);
    if (o->channel == MOCK_OK && iggy_wr_status(&w) != IGGY_OK)
        *o = (iggy_mock_outcome_t){MOCK_STATUS, STATUS_ERROR};
    if ((o->channel == MOCK_OK || o->channel == MOCK_REJECT) &&
        op_has(h->operation, IGGY_CMDF_METADATA | IGGY_CMDF_PARTITION))
        d->commit++;
    if (h->operation == IGGY_OP_REGISTER && !was_bound && s->conn.authenticated)
        d->commit++; /* a committed Register; its entry brings its own replay window */
    if (h->operation == IGGY_OP_LOGOUT && o->channel == MOCK_OK && s->conn.authenticated) {
        iggy_mock_state_logged_out(d->st, &s->conn);
        s->conn.authenticated = false;
    }
    op = op_has(h->operation, IGGY_CMDF_READ | IGGY_CMDF_SESSION) ? s->conn.session : d->commit;
    commit = d->commit > s->conn.session ? d->commit : s->conn.session;

    switch (o->channel) {
    case MOCK_OK: {
        bool framed = iggy_op_is_result_framed(call.reply_operation, w.len + 4);
        size_t pre = framed ? 4 : 0;
        ok = reply_alloc(r, pre + w.len);
        if (ok) {
            reply_header(r, req, &h->client, call.reply_operation, 0, op, commit);
            if (framed)
                memset(r->buf + IGGY_HEADER_SIZE, 0, 4); /* result section: count 0 */
            if (w.len)
                memcpy(r->buf + IGGY_HEADER_SIZE + pre, w.data, w.len);
        }
        break;
    }
    case MOCK_STATUS:
        ok = reply_status(r, req, &h->client, o->code, op, commit);
        break;
    case MOCK_REJECT:
        ok = reply_reject(r, req, call.reply_operation, o->code, op, commit);
        break;
    case MOCK_EVICT:
        ok = iggy_mock_reply_eviction(&h->client, (uint8_t)o->code, r);
        break;
    case MOCK_SILENCE:
    default:
        ok = true; /* r stays empty */
        break;
    }
    iggy_wr_release(&w);
    return ok;
}

/* ------------------------------------------------------------------ replay cache (§3) */

/* The window is the client entry's (iggy_mock_state.h), so a resumed session replays what
 * its previous connection applied. Same id -> the cached reply (or silence when the
 * checksum says the arguments changed), an older id -> 59. Returns true when it answered;
 * *ok is false on no memory. */
static bool replay_answer(const iggy_mock_dispatcher_t *d, const iggy_mock_session_t *s,
                          const iggy_mock_request_t *req, iggy_mock_reply_t *r, bool *ok)
{
    const iggy_frame_header_t *h = &req->h;
    const iggy_mock_replay_t *rp = iggy_mock_state_replay(d->st, &s->conn);
    *ok = true;
    if (!rp)
        return false;
    if (h->request == rp->watermark && rp->reply) {
        if (h->request_checksum != 0 && h->request_checksum != rp->checksum)
            return true; /* id reused for different arguments: dropped */
        r->buf = iggy_mem_alloc(rp->reply_len);
        if (!r->buf) {
            *ok = false;
            return true;
        }
        memcpy(r->buf, rp->reply, rp->reply_len);
        r->len = rp->reply_len;
        r->evict = false;
        return true;
    }
    if (h->request <= rp->watermark) {
        *ok = reply_reject(r, req, h->operation, RESULT_ALREADY_APPLIED, 0, d->commit);
        return true;
    }
    return false;
}

/* Whether an outcome was committed: only those replies are replayed. Not committed (57) and
 * not admitted (58) must run again when the client retries. */
static bool outcome_committed(const iggy_mock_outcome_t *o)
{
    switch (o->channel) {
    case MOCK_OK:
        return true;
    case MOCK_STATUS:
        return o->code == 0;
    case MOCK_REJECT:
        return o->code != RESULT_NOT_COMMITTED && o->code != RESULT_NOT_ACCEPTED;
    default:
        return false;
    }
}

/* Remember an applied metadata reply for replays of the same request id. */
static void replay_store(iggy_mock_dispatcher_t *d, iggy_mock_session_t *s,
                         const iggy_mock_request_t *req, const iggy_mock_reply_t *r,
                         const iggy_mock_outcome_t *o)
{
    iggy_mock_replay_t *rp = iggy_mock_state_replay(d->st, &s->conn);
    uint8_t *copy;
    if (!rp || !r->buf || r->evict || !outcome_committed(o))
        return;
    copy = iggy_mem_alloc(r->len);
    if (!copy)
        return;
    memcpy(copy, r->buf, r->len);
    iggy_mem_free(rp->reply);
    rp->reply = copy;
    rp->reply_len = r->len;
    rp->checksum = req->h.request_checksum;
    rp->watermark = req->h.request;
}

/* ------------------------------------------------------------------ the §5 table */

/* NonReplicated requests: legacy logins evict, only Ping works before login. */
static bool dispatch_non_replicated(iggy_mock_dispatcher_t *d, iggy_mock_session_t *s,
                                    const iggy_mock_request_t *req, iggy_mock_reply_t *r)
{
    const iggy_frame_header_t *h = &req->h;
    iggy_u128_t tid = iggy_mock_transport_id(s);
    const iggy_cmd_desc_t *cmd;
    iggy_mock_outcome_t o;

    if (h->code == IGGY_CODE_LEGACY_LOGIN_USER || h->code == IGGY_CODE_LEGACY_LOGIN_PAT)
        return iggy_mock_reply_eviction(&h->client, EVICT_MALFORMED_LOGIN, r);
    if (!s->conn.authenticated && h->code != CODE_PING)
        return reply_status(r, req, &tid, STATUS_UNAUTHENTICATED, 0, 0);
    /* Login and logout travel as their own operations; their codes here are no-ops. */
    if (h->code == CODE_LOGOUT || h->code == CODE_LOGIN_REGISTER)
        return reply_status(r, req, &h->client, 0, s->conn.session, d->commit);
    cmd = iggy_cmd_by_code(h->code);
    if (!cmd)
        return reply_status(r, req, &h->client, STATUS_INVALID_COMMAND, s->conn.session, d->commit);
    if (!(cmd->flags & IGGY_CMDF_READ)) /* a write's code sent as a read */
        return reply_status(r, req, &h->client, STATUS_FEATURE_UNAVAILABLE, s->conn.session,
                            d->commit);
    return run_handler(d, s, cmd, req, r, &o);
}

/* Replicated requests: a session is required, backups refuse, metadata writes replay. */
static bool dispatch_replicated(iggy_mock_dispatcher_t *d, iggy_mock_session_t *s,
                                const iggy_mock_request_t *req, iggy_mock_reply_t *r)
{
    const iggy_frame_header_t *h = &req->h;
    iggy_u128_t tid = iggy_mock_transport_id(s);
    const iggy_cmd_desc_t *cmd;
    iggy_mock_outcome_t o;
    bool ok;

    if (!s->conn.authenticated)
        return iggy_mock_reply_eviction(&tid, EVICT_NO_SESSION, r);
    cmd = iggy_cmd_by_operation(h->operation);
    if (!cmd) /* server-internal operations (64..68) are never accepted from a client */
        return iggy_mock_reply_eviction(&tid, EVICT_INVALID_OPERATION, r);
    if (s->conn.node != iggy_mock_state_cluster(d->st)->leader) {
        if (op_has(h->operation, IGGY_CMDF_METADATA))
            return reply_reject(r, req, h->operation, RESULT_NOT_ACCEPTED, s->conn.session,
                                d->commit);
        return reply_status(r, req, &h->client, RESULT_NOT_ACCEPTED, s->conn.session, d->commit);
    }
    if (!op_has(h->operation, IGGY_CMDF_METADATA))
        return run_handler(d, s, cmd, req, r, &o);
    if (replay_answer(d, s, req, r, &ok))
        return ok;
    if (!run_handler(d, s, cmd, req, r, &o))
        return false;
    replay_store(d, s, req, r, &o);
    return true;
}

bool iggy_mock_dispatch_request(iggy_mock_dispatcher_t *d, iggy_mock_session_t *s,
                                const iggy_mock_request_t *req, iggy_mock_reply_t *out)
{
    const iggy_frame_header_t *h = &req->h;
    iggy_u128_t tid = iggy_mock_transport_id(s);
    iggy_mock_outcome_t o;

    out->buf = NULL;
    out->len = 0;
    out->evict = false;
    if (!checksum_ok(req))
        return reply_status(out, req, &h->client, STATUS_INVALID_FORMAT, s->conn.session,
                            d->commit);
    switch (h->operation) {
    case IGGY_OP_NON_REPLICATED:
        return dispatch_non_replicated(d, s, req, out);
    case IGGY_OP_REGISTER:
        return run_handler(d, s, &iggy_cmds[IGGY_CMD_LOGIN_REGISTER], req, out, &o);
    case IGGY_OP_LOGOUT:
        if (!s->conn.authenticated) /* nothing to end: acknowledged */
            return reply_status(out, req, &tid, 0, 0, d->commit);
        return run_handler(d, s, &iggy_cmds[IGGY_CMD_LOGOUT_USER], req, out, &o);
    default:
        return dispatch_replicated(d, s, req, out);
    }
}

bool iggy_mock_dispatch(iggy_mock_dispatcher_t *d, iggy_mock_session_t *s, const uint8_t *frame,
                        size_t frame_len, iggy_mock_reply_t *out)
{
    iggy_mock_request_t req;
    out->buf = NULL;
    out->len = 0;
    out->evict = false;
    if (!iggy_mock_request_parse(frame, frame_len, &req))
        return true; /* silence */
    return iggy_mock_dispatch_request(d, s, &req, out);
}
