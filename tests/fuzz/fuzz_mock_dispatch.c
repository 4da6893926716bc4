/* The mock's request dispatcher (src/mock/iggy_mock_dispatch.c and the handlers behind it):
 * frames in, replies out, no crash, on a fresh state per input. Byte 0's FUZZ_MOCK_* bits:
 * log in first (iggy/iggy), put the session on a backup node, and REWRITE, which changes
 * how the rest reads:
 *   without REWRITE  the byte stream a connection carries, cut into frames as the server's
 *                    reader does (iggy_mock_frame_body_len); it stops where the server would
 *                    close the connection;
 *   with REWRITE     records [body_len u16][256-byte header][body]: the harness writes each
 *                    header's size, and after a login its client id and session, so mutated
 *                    bodies keep reaching the handlers.
 * Every reply is a well-formed Reply or Eviction frame of the length it says, and a
 * successful reply decodes through the client's own vtable for the command. */
#include <iggy/version.h>

#include "codec/iggy_cmd_table.h"
#include "codec/iggy_codec.h"
#include "codec/iggy_frame.h"
#include "fuzz_common.h"
#include "iggy_error_internal.h"
#include "mock/iggy_mock_dispatch.h"

static const iggy_u128_t CLIENT = {0x1111, 0xC0FFEE};

/* The command a validated request runs, as the dispatcher picks it (NULL: none). */
static const iggy_cmd_desc_t *request_cmd(const iggy_mock_request_t *req)
{
    if (req->h.operation == IGGY_OP_NON_REPLICATED)
        return iggy_cmd_by_code(req->h.code);
    if (req->h.operation == IGGY_OP_REGISTER)
        return &iggy_cmds[IGGY_CMD_LOGIN_REGISTER];
    return iggy_cmd_by_operation(req->h.operation);
}

/* The highest metadata-write request id sent on this input: a request at or below it may
 * be answered from the replay cache with the reply to another command (§3), which a client
 * that never reuses an id cannot meet. */
static uint64_t g_metadata_watermark;

/* The reply is a frame the client reads, and a success decodes as the client decodes it. */
static void check_reply(const iggy_mock_request_t *req, const iggy_mock_reply_t *r)
{
    bool replayable = false;
    iggy_frame_header_t h;
    const iggy_cmd_desc_t *cmd;
    const uint8_t *body;
    size_t len, off = 0;
    iggy_err_t err;

    FUZZ_CHECK(r->len >= IGGY_HEADER_SIZE, "reply of %zu bytes", r->len);
    err = iggy_frame_decode_reply(r->buf, IGGY_MAX_FRAME_SIZE, &h);
    FUZZ_CHECK(err == IGGY_OK, "the client refuses the reply header: %d", (int)err);
    FUZZ_CHECK(h.size == r->len, "reply header says %u bytes, reply has %zu", h.size, r->len);
    FUZZ_CHECK(r->evict == (h.command == IGGY_FRAME_EVICTION), "evict %d, command %u", r->evict,
               h.command);
    if (iggy_op_flags(req->h.operation) & IGGY_CMDF_METADATA) {
        replayable = req->h.request <= g_metadata_watermark;
        if (req->h.request > g_metadata_watermark)
            g_metadata_watermark = req->h.request;
    }
    if (r->evict || h.status != 0 || replayable)
        return;
    cmd = request_cmd(req);
    body = r->buf + IGGY_HEADER_SIZE;
    len = r->len - IGGY_HEADER_SIZE;
    if (!cmd || !cmd->resp || req->h.operation == IGGY_OP_LOGOUT)
        return;
    if (iggy_op_is_result_framed(h.operation, len)) {
        err = iggy_result_section_strip(body, len, &off);
        FUZZ_CHECK(err != IGGY_ERR__BAD_MSG, "%s: result section does not parse", cmd->name);
        if (err != IGGY_OK)
            return; /* a committed rejection */
    }
    if (len == off && (cmd->flags & (IGGY_CMDF_EMPTY_NOT_FOUND | IGGY_CMDF_LOGIN)))
        return; /* not found; an empty login reply is refused by the session layer */
    {
        void *out = NULL;
        iggy_detail_clear();
        err = iggy_resp_unmarshal(cmd->resp, len > off ? body + off : NULL, len - off, &out);
        FUZZ_CHECK(err == IGGY_OK, "%s: the client cannot decode the mock's reply (%zu bytes)",
                   cmd->name, len - off);
        iggy_result_destroy(out);
    }
}

/* One frame through the dispatcher; false when the connection ends. */
static bool feed(iggy_mock_dispatcher_t *d, iggy_mock_session_t *s, const uint8_t *frame,
                 size_t len)
{
    iggy_mock_request_t req;
    iggy_mock_reply_t r;
    bool evicted;
    if (!iggy_mock_request_parse(frame, len, &req))
        return true; /* dropped silently */
    FUZZ_CHECK(iggy_mock_dispatch_request(d, s, &req, &r), "dispatch: no memory");
    if (!r.buf)
        return true; /* silence */
    check_reply(&req, &r);
    evicted = r.evict;
    iggy_mock_reply_free(&r);
    return !evicted;
}

static void login(iggy_mock_dispatcher_t *d, iggy_mock_session_t *s)
{
    iggy_request_header_t h;
    iggy_writer_t w;
    uint8_t *frame;
    FUZZ_CHECK(iggy_wr_init(&w, d->pool, 256, IGGY_MAX_FRAME_SIZE) == IGGY_OK, "writer");
    iggy_enc_login_register(&w, IGGY_PROTOCOL_VERSION, "fuzz", "0.1.0", "iggy", "iggy");
    FUZZ_CHECK(iggy_wr_status(&w) == IGGY_OK, "login encoder");
    memset(&h, 0, sizeof h);
    h.client = CLIENT;
    h.operation = IGGY_OP_REGISTER;
    h.body_len = (uint32_t)w.len;
    frame = malloc(IGGY_HEADER_SIZE + w.len);
    FUZZ_CHECK(frame != NULL, "malloc");
    iggy_frame_encode_request(frame, &h);
    memcpy(frame + IGGY_HEADER_SIZE, w.data, w.len);
    FUZZ_CHECK(feed(d, s, frame, IGGY_HEADER_SIZE + w.len), "login evicted");
    FUZZ_CHECK(s->conn.authenticated, "login as iggy/iggy failed");
    iggy_wr_release(&w);
    free(frame);
}

/* Records [body_len u16][header][body], each header's size (and, once logged in, client
 * id and session) written by the harness. */
static void feed_records(iggy_mock_dispatcher_t *d, iggy_mock_session_t *s, fuzz_in_t in)
{
    while (in.n >= 2 + IGGY_HEADER_SIZE) {
        size_t body = (size_t)in.p[0] | (size_t)in.p[1] << 8, len;
        uint8_t *frame;
        bool go_on;
        in.p += 2;
        in.n -= 2;
        if (body > in.n - IGGY_HEADER_SIZE)
            body = in.n - IGGY_HEADER_SIZE;
        len = IGGY_HEADER_SIZE + body;
        frame = fuzz_dup(in.p, len);
        iggy_put_le32(frame + IGGY_FRAME_OFF_SIZE, (uint32_t)len);
        if (s->conn.authenticated) {
            iggy_put_le64(frame + IGGY_FRAME_OFF_REQ_CLIENT, s->conn.client_id.lo);
            iggy_put_le64(frame + IGGY_FRAME_OFF_REQ_CLIENT + 8, s->conn.client_id.hi);
            if (frame[IGGY_FRAME_OFF_REQ_OPERATION] != IGGY_OP_REGISTER)
                iggy_put_le64(frame + IGGY_FRAME_OFF_REQ_SESSION, s->conn.session);
        }
        go_on = feed(d, s, frame, len);
        free(frame);
        in.p += len;
        in.n -= len;
        if (!go_on)
            return;
    }
}

/* The stream as the server's reader cuts it. */
static void feed_stream(iggy_mock_dispatcher_t *d, iggy_mock_session_t *s, fuzz_in_t in)
{
    while (in.n >= IGGY_HEADER_SIZE) {
        size_t body, len;
        uint8_t *frame;
        bool go_on;
        if (!iggy_mock_frame_body_len(in.p, &body) || body > in.n - IGGY_HEADER_SIZE)
            return; /* closed, or the peer went away mid-frame */
        len = IGGY_HEADER_SIZE + body;
        frame = fuzz_dup(in.p, len);
        go_on = feed(d, s, frame, len);
        free(frame);
        in.p += len;
        in.n -= len;
        if (!go_on)
            return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    iggy_mock_dispatcher_t d;
    iggy_mock_session_t s;
    fuzz_in_t in = {data, size};
    unsigned flags;

    fuzz_setup();
    if (size < 1)
        return 0;
    flags = fuzz_u8(&in);
    g_metadata_watermark = 0;
    memset(&d, 0, sizeof d);
    memset(&s, 0, sizeof s);
    d.st = iggy_mock_state_new("iggy", "iggy");
    FUZZ_CHECK(d.st != NULL, "iggy_mock_state_new");
    FUZZ_CHECK(iggy_pool_new(&d.pool, 4096, 1u << 20, 8, IGGY_MAX_FRAME_SIZE) == IGGY_OK, "pool");
    s.conn.conn_id = 7;
    s.conn.transport = 1;
    strcpy(s.conn.address, "127.0.0.1:40000");
    if (flags & FUZZ_MOCK_BACKUP) {
        iggy_mock_cluster_t *cl = iggy_mock_state_cluster(d.st);
        cl->nodes = 2;
        cl->leader = 1;
        s.conn.node = 0;
    }
    iggy_mock_state_conn_opened(d.st, &s.conn);
    if (flags & FUZZ_MOCK_LOGIN)
        login(&d, &s);
    if (flags & FUZZ_MOCK_REWRITE)
        feed_records(&d, &s, in);
    else
        feed_stream(&d, &s, in);
    iggy_mock_state_conn_closed(d.st, &s.conn);
    iggy_mock_state_free(d.st);
    iggy_pool_destroy(d.pool);
    return 0;
}
