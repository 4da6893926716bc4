/* The frame layer (src/codec/iggy_frame.c, iggy_cmd_table.c) over a byte stream, in both
 * directions, the way the two readers use it: read 256 bytes, decode the header, read
 * size - 256 more. Replies as the client's RPC path takes them (src/client/iggy_rpc.c:
 * eviction, operation match, header status, result section, an empty body's meaning, the
 * command's vtable) and requests as the mock server's reader does (frame body length,
 * header validation). Byte 0: the command choice and a small max frame size (FUZZ_FRAME_*).
 *
 * The stream arrives in pieces, three ways: whole, byte by byte, and in random splits
 * seeded from the input. Neither reader keeps state across reads but what it was told to
 * read, so each way must give the very same outcomes (a hash over every decision); each
 * header decode's guarantees are checked where they are used. */
#include "codec/iggy_cmd_table.h"
#include "codec/iggy_frame.h"
#include "fuzz_common.h"
#include "iggy_error_internal.h"
#include "mock/iggy_mock_dispatch.h"

/* A reader's buffer: bytes delivered and not yet consumed, and how many it waits for. */
typedef struct reader {
    uint8_t *buf;
    size_t have, want;
    bool dead;       /* the connection was dropped: later bytes are never read */
    uint64_t log;    /* hash of every outcome */
    unsigned frames; /* frames taken */
} reader_t;

static void note(reader_t *r, uint64_t v)
{
    fuzz_mix(&r->log, v);
}

/* The request row a reply answers (the client knows what it sent): the sel-th of the rows
 * whose request operation this reply operation answers. */
static const iggy_cmd_desc_t *answered(uint8_t operation, unsigned sel)
{
    unsigned n = 0;
    for (int pass = 0; pass < 2; pass++) {
        unsigned k = 0;
        for (size_t i = 0; i < IGGY_CMD__NUM; i++) {
            if (!iggy_op_reply_matches(iggy_cmds[i].operation, operation))
                continue;
            if (pass == 1 && k == sel % n)
                return &iggy_cmds[i];
            k++;
        }
        n = k;
        if (!n)
            return NULL;
    }
    return NULL;
}

/* What the RPC path does with one reply frame (exchange, reply_outcome, decode_reply). */
static void client_frame(reader_t *r, const uint8_t *frame, const iggy_frame_header_t *h,
                         unsigned sel)
{
    const iggy_cmd_desc_t *cmd;
    const uint8_t *body = frame + IGGY_HEADER_SIZE;
    size_t len = h->size - IGGY_HEADER_SIZE, off = 0;
    iggy_err_t err;

    if (h->command == IGGY_FRAME_EVICTION) {
        FUZZ_CHECK(h->size == IGGY_HEADER_SIZE, "eviction of %u bytes", h->size);
        err = iggy_eviction_to_err(h->reason, h->server_protocol_max, h->server_protocol_min);
        FUZZ_CHECK(err != IGGY_OK, "an eviction mapped to IGGY_OK");
        FUZZ_CHECK_DETAIL(err);
        note(r, (uint64_t)err);
        note(r, (uintptr_t)iggy_eviction_reason_name(h->reason)[0]);
        r->dead = true;
        return;
    }
    FUZZ_CHECK(h->command == IGGY_FRAME_REPLY, "decoded command %u", h->command);
    FUZZ_CHECK(h->status == 0 || len == 0, "status %u with %zu body bytes", h->status, len);
    cmd = answered(h->operation, sel + r->frames);
    note(r, cmd ? (uint64_t)(cmd - iggy_cmds) : 999);
    if (!cmd) { /* answers no request: the client drops the connection */
        r->dead = true;
        return;
    }
    if (h->status != 0) {
        err = iggy_err_from_wire(h->status, "fuzz");
        FUZZ_CHECK(err != IGGY_OK, "status %u mapped to IGGY_OK", h->status);
        note(r, (uint64_t)err);
        return;
    }
    if (iggy_op_is_result_framed(h->operation, len)) {
        iggy_detail_clear();
        err = iggy_result_section_strip(body, len, &off);
        FUZZ_CHECK_DETAIL(err);
        note(r, (uint64_t)err);
        if (err == IGGY_ERR__BAD_MSG) {
            r->dead = true;
            return;
        }
        if (err != IGGY_OK)
            return; /* a committed rejection */
        FUZZ_CHECK(off <= len, "result section of %zu bytes in a %zu-byte body", off, len);
    }
    if ((cmd->flags & IGGY_CMDF_LOGIN) && !iggy_op_is_result_framed(h->operation, len)) {
        note(r, IGGY_ERR_UNAUTHENTICATED);
        return;
    }
    if (len == off && (cmd->flags & IGGY_CMDF_EMPTY_NOT_FOUND)) {
        note(r, IGGY_ERR__NOT_FOUND);
        return;
    }
    if (cmd->resp) {
        void *out = NULL;
        uint8_t *payload = fuzz_dup(body + off, len - off);
        iggy_detail_clear();
        err = iggy_resp_unmarshal(cmd->resp, payload, len - off, &out);
        FUZZ_CHECK(err == IGGY_OK || err == IGGY_ERR__BAD_MSG, "%s: error %d", cmd->name, (int)err);
        FUZZ_CHECK_DETAIL(err);
        note(r, (uint64_t)err);
        iggy_result_destroy(out);
        free(payload);
        if (err == IGGY_ERR__BAD_MSG)
            r->dead = true;
    }
}

/* The client's reader: a header, then its body; anything that does not decode ends it. */
static void client_take(reader_t *r, size_t max_frame, unsigned sel)
{
    iggy_frame_header_t h;
    iggy_err_t err;
    while (!r->dead && r->have >= r->want) {
        if (r->want == IGGY_HEADER_SIZE) {
            iggy_detail_clear();
            err = iggy_frame_decode_reply(r->buf, max_frame, &h);
            FUZZ_CHECK(err == IGGY_OK || err == IGGY_ERR__BAD_MSG, "decode_reply: %d", (int)err);
            FUZZ_CHECK_DETAIL(err);
            note(r, (uint64_t)err);
            if (err != IGGY_OK) {
                r->dead = true;
                return;
            }
            FUZZ_CHECK(h.size >= IGGY_HEADER_SIZE && h.size <= max_frame, "size %u", h.size);
            r->want = h.size;
            if (r->have < r->want)
                return;
        } else {
            /* The header was decoded when want was set: decode it again for its fields. */
            FUZZ_CHECK(iggy_frame_decode_reply(r->buf, max_frame, &h) == IGGY_OK, "re-decode");
        }
        client_frame(r, r->buf, &h, sel);
        r->frames++;
        memmove(r->buf, r->buf + r->want, r->have - r->want);
        r->have -= r->want;
        r->want = IGGY_HEADER_SIZE;
    }
}

/* The mock server's reader: a header's body length, the whole frame, header validation. */
static void server_take(reader_t *r)
{
    while (!r->dead && r->have >= r->want) {
        if (r->want == IGGY_HEADER_SIZE) {
            size_t body;
            if (!iggy_mock_frame_body_len(r->buf, &body)) {
                note(r, 1);
                r->dead = true;
                return;
            }
            FUZZ_CHECK(body <= IGGY_MAX_FRAME_SIZE - IGGY_HEADER_SIZE, "body %zu", body);
            r->want = IGGY_HEADER_SIZE + body;
            if (r->have < r->want)
                return;
        }
        {
            iggy_mock_request_t req;
            bool ok = iggy_mock_request_parse(r->buf, r->want, &req);
            note(r, ok);
            if (ok) {
                FUZZ_CHECK(req.body_len == r->want - IGGY_HEADER_SIZE && req.h.size == r->want,
                           "request of %zu bytes parsed as %zu + 256", r->want, req.body_len);
                note(r, req.code);
                note(r, req.h.operation);
            }
        }
        r->frames++;
        memmove(r->buf, r->buf + r->want, r->have - r->want);
        r->have -= r->want;
        r->want = IGGY_HEADER_SIZE;
    }
}

/* Deliver the stream in pieces (plan 0: whole, 1: byte by byte, 2: random) to both
 * readers; returns the two outcome hashes combined. */
static uint64_t run(const uint8_t *s, size_t n, int plan, size_t max_frame, unsigned sel)
{
    reader_t c = {malloc(n ? n : 1), 0, IGGY_HEADER_SIZE, false, 0, 0};
    reader_t m = {malloc(n ? n : 1), 0, IGGY_HEADER_SIZE, false, 0, 0};
    uint64_t rng = fuzz_seed(s, n), out = 0;
    FUZZ_CHECK(c.buf && m.buf, "malloc");
    for (size_t pos = 0; pos < n;) {
        size_t piece = n - pos;
        if (plan == 1)
            piece = 1;
        else if (plan == 2) {
            uint64_t x = fuzz_rand(&rng);
            /* mostly short pieces, sometimes one up to a whole frame and more */
            piece = (size_t)(x & 7) == 0 ? (size_t)(x >> 8) % 600 + 1 : (size_t)(x >> 8) % 16 + 1;
            if (piece > n - pos)
                piece = n - pos;
        }
        memcpy(c.buf + c.have, s + pos, piece);
        memcpy(m.buf + m.have, s + pos, piece);
        c.have += piece;
        m.have += piece;
        pos += piece;
        client_take(&c, max_frame, sel);
        server_take(&m);
    }
    fuzz_mix(&out, c.log);
    fuzz_mix(&out, c.frames);
    fuzz_mix(&out, c.dead ? 1 : c.have);
    fuzz_mix(&out, m.log);
    fuzz_mix(&out, m.frames);
    fuzz_mix(&out, m.dead ? 1 : m.have);
    free(c.buf);
    free(m.buf);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t max_frame;
    unsigned sel;
    uint64_t whole, bytes, split;
    fuzz_setup();
    if (size < 1)
        return 0;
    sel = data[0] & 0x7fu;
    max_frame = (data[0] & FUZZ_FRAME_SMALL) ? FUZZ_FRAME_SMALL_MAX : IGGY_MAX_FRAME_SIZE;
    whole = run(data + 1, size - 1, 0, max_frame, sel);
    bytes = run(data + 1, size - 1, 1, max_frame, sel);
    split = run(data + 1, size - 1, 2, max_frame, sel);
    FUZZ_CHECK(whole == bytes && whole == split,
               "outcomes differ by delivery: whole %016llx, byte by byte %016llx, split %016llx",
               (unsigned long long)whole, (unsigned long long)bytes, (unsigned long long)split);
    return 0;
}
