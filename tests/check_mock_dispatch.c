/* The mock's dispatcher driven directly, with no sockets or threads: request frames come
 * from the frame codec and the client encoders, replies are read back with the codec's
 * reply decoder. Covers the per-frame rules of framing-and-session.md §5, the replay cache
 * of §3 and the leader role. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <iggy/version.h>
#include <xxhash.h>

#include "codec/iggy_cmd_table.h"
#include "codec/iggy_frame.h"
#include "codec_helpers.h"
#include "mock/iggy_mock_dispatch.h"
#include "test_main.h"

#define CLIENT_LO 0x1111u
#define CONN_ID 7u

static iggy_mock_dispatcher_t disp;
static iggy_mock_session_t sess;
static iggy_pool_t *pool;

static void setup(void)
{
    memset(&disp, 0, sizeof disp);
    memset(&sess, 0, sizeof sess);
    disp.st = iggy_mock_state_new("iggy", "iggy");
    ck_assert_ptr_nonnull(disp.st);
    ck_assert_int_eq(iggy_pool_new(&pool, 4096, 1u << 20, 8, IGGY_MAX_FRAME_SIZE), IGGY_OK);
    disp.pool = pool;
    sess.conn.conn_id = CONN_ID;
    sess.conn.transport = 1;
    strcpy(sess.conn.address, "127.0.0.1:40000");
    iggy_mock_state_conn_opened(disp.st, &sess.conn);
}

static void teardown(void)
{
    iggy_mock_state_conn_closed(disp.st, &sess.conn);
    iggy_mock_state_free(disp.st);
    iggy_pool_destroy(pool);
}

/* ---------------------------------------------------------------- requests */

typedef struct frame {
    uint8_t *p;
    size_t len;
} frame_t;

/* What a request header carries; zero fields are left zero. */
typedef struct req_spec {
    uint64_t client_lo; /* 0 = a zero client id */
    uint8_t operation;
    uint32_t code;
    uint64_t request, session;
    bool stamp;             /* request_checksum = XXH3-64 of the body */
    uint64_t checksum_bias; /* added to the stamp: a wrong checksum */
} req_spec_t;

static frame_t frame_of(const req_spec_t *q, const void *body, size_t len)
{
    iggy_request_header_t h;
    frame_t f;
    memset(&h, 0, sizeof h);
    if (q->client_lo)
        h.client = (iggy_u128_t){q->client_lo, 0xC0FFEE};
    h.operation = q->operation;
    h.code = q->code;
    h.request = q->request;
    h.session = q->session;
    h.body_len = (uint32_t)len;
    if (q->stamp)
        h.request_checksum = (uint64_t)XXH3_64bits(body, len) + q->checksum_bias;
    f.len = IGGY_HEADER_SIZE + len;
    f.p = malloc(f.len);
    ck_assert_ptr_nonnull(f.p);
    iggy_frame_encode_request(f.p, &h);
    if (len)
        memcpy(f.p + IGGY_HEADER_SIZE, body, len);
    return f;
}

/* A copy, for sending the identical bytes twice. */
static frame_t frame_dup(frame_t f)
{
    frame_t d = {malloc(f.len), f.len};
    ck_assert_ptr_nonnull(d.p);
    memcpy(d.p, f.p, f.len);
    return d;
}

/* A request with the body an encoder wrote (the writer is released). */
static frame_t frame_w(const req_spec_t *q, iggy_writer_t *w)
{
    frame_t f;
    ck_assert_msg(iggy_wr_status(w) == IGGY_OK, "encoder: %s", iggy_last_error_detail());
    f = frame_of(q, w->data, w->len);
    iggy_wr_release(w);
    return f;
}

static frame_t ping_frame(void)
{
    req_spec_t q = {CLIENT_LO, IGGY_OP_NON_REPLICATED, iggy_cmds[IGGY_CMD_PING].code, 1, 0, false,
                    0};
    return frame_of(&q, NULL, 0);
}

/* CreateStream as a stamped metadata write with the given request id. */
static frame_t create_stream_frame(const char *name, uint64_t request, uint64_t session)
{
    req_spec_t q = {
        CLIENT_LO, iggy_cmds[IGGY_CMD_CREATE_STREAM].operation, 0, request, session, true, 0};
    iggy_writer_t w = test_writer();
    iggy_enc_create_stream(&w, name, NULL, 0);
    return frame_w(&q, &w);
}

/* ---------------------------------------------------------------- replies */

typedef struct reply {
    iggy_mock_reply_t raw;
    iggy_frame_header_t h;
    const uint8_t *body;
    size_t body_len;
} reply_t;

static reply_t dispatch(frame_t f)
{
    reply_t r;
    memset(&r, 0, sizeof r);
    ck_assert(iggy_mock_dispatch(&disp, &sess, f.p, f.len, &r.raw));
    free(f.p);
    if (r.raw.buf) {
        ck_assert_int_eq(iggy_frame_decode_reply(r.raw.buf, IGGY_MAX_FRAME_SIZE, &r.h), IGGY_OK);
        ck_assert_uint_eq(r.h.size, r.raw.len);
        r.body = r.raw.buf + IGGY_HEADER_SIZE;
        r.body_len = r.raw.len - IGGY_HEADER_SIZE;
    }
    return r;
}

/* Free a reply the test has checked. */
static void done(reply_t r)
{
    iggy_mock_reply_free(&r.raw);
}

static void expect_silence(frame_t f)
{
    reply_t r = dispatch(f);
    ck_assert_ptr_null(r.raw.buf);
}

/* A header-only reply with this status. */
static reply_t expect_status(frame_t f, uint32_t status)
{
    reply_t r = dispatch(f);
    ck_assert_ptr_nonnull(r.raw.buf);
    ck_assert_int_eq(r.h.command, IGGY_FRAME_REPLY);
    ck_assert_uint_eq(r.h.status, status);
    ck_assert_uint_eq(r.body_len, 0);
    ck_assert(!r.raw.evict);
    return r;
}

/* A status-0 reply whose result section carries code (0 = success). */
static reply_t expect_result(frame_t f, uint32_t code)
{
    reply_t r = dispatch(f);
    size_t off;
    ck_assert_ptr_nonnull(r.raw.buf);
    ck_assert_int_eq(r.h.command, IGGY_FRAME_REPLY);
    ck_assert_uint_eq(r.h.status, 0);
    ck_assert_int_eq((int)iggy_result_section_strip(r.body, r.body_len, &off), (int)code);
    return r;
}

static void expect_eviction(frame_t f, uint8_t reason)
{
    reply_t r = dispatch(f);
    ck_assert_ptr_nonnull(r.raw.buf);
    ck_assert(r.raw.evict);
    ck_assert_int_eq(r.h.command, IGGY_FRAME_EVICTION);
    ck_assert_uint_eq(r.h.reason, reason);
    iggy_mock_reply_free(&r.raw);
}

/* Log in as iggy/iggy; returns the session. */
static uint64_t login(void)
{
    req_spec_t q = {CLIENT_LO, IGGY_OP_REGISTER, 0, 0, 0, true, 0};
    iggy_writer_t w = test_writer();
    iggy_login_result_t *res;
    reply_t r;
    size_t off;
    uint64_t session;

    iggy_enc_login_register(&w, IGGY_PROTOCOL_VERSION, "c-sdk", "0.1.0", "iggy", "iggy");
    r = expect_result(frame_w(&q, &w), 0);
    ck_assert_int_eq(iggy_result_section_strip(r.body, r.body_len, &off), IGGY_OK);
    res = decode_ok(&iggy_resp_login, r.body + off, r.body_len - off);
    session = res->session;
    ck_assert_uint_gt(session, 0);
    ck_assert(sess.conn.authenticated);
    iggy_result_destroy(res);
    iggy_mock_reply_free(&r.raw);
    return session;
}

/* Streams in the state, read back through GetStreams. */
static size_t streams_count(void)
{
    req_spec_t q = {CLIENT_LO, IGGY_OP_NON_REPLICATED, iggy_cmds[IGGY_CMD_GET_STREAMS].code,
                    1,         sess.conn.session,      false,
                    0};
    reply_t r = dispatch(frame_of(&q, NULL, 0));
    iggy_stream_list_t *list;
    size_t n;
    ck_assert_ptr_nonnull(r.raw.buf);
    ck_assert_uint_eq(r.h.status, 0);
    ck_assert(!iggy_op_is_result_framed(r.h.operation, r.body_len)); /* a bare list */
    list = decode_ok(&iggy_resp_stream_list, r.body, r.body_len);
    n = list->count;
    iggy_result_destroy(list);
    iggy_mock_reply_free(&r.raw);
    return n;
}

/* ---------------------------------------------------------------- §5 framing and headers */

START_TEST(framing_closes_on_bad_size_or_command)
{
    frame_t f = ping_frame();
    size_t body_len = 99;
    ck_assert(iggy_mock_frame_body_len(f.p, &body_len));
    ck_assert_uint_eq(body_len, 0);
    iggy_put_le32(f.p + IGGY_FRAME_OFF_SIZE, IGGY_HEADER_SIZE - 1);
    ck_assert(!iggy_mock_frame_body_len(f.p, &body_len));
    iggy_put_le32(f.p + IGGY_FRAME_OFF_SIZE, IGGY_MAX_FRAME_SIZE + 1);
    ck_assert(!iggy_mock_frame_body_len(f.p, &body_len));
    iggy_put_le32(f.p + IGGY_FRAME_OFF_SIZE, IGGY_HEADER_SIZE);
    f.p[IGGY_FRAME_OFF_COMMAND] = IGGY_FRAME_COMMAND_MAX + 1;
    ck_assert(!iggy_mock_frame_body_len(f.p, &body_len));
    free(f.p);
}
END_TEST

START_TEST(invalid_header_gets_silence)
{
    req_spec_t zero_client = {0, IGGY_OP_NON_REPLICATED, 1, 1, 0, false, 0};
    req_spec_t undeclared = {CLIENT_LO, 250, 0, 1, 1, false, 0};
    req_spec_t register_with_ids = {CLIENT_LO, IGGY_OP_REGISTER, 0, 1, 0, false, 0};
    req_spec_t write_without_session = {
        CLIENT_LO, iggy_cmds[IGGY_CMD_CREATE_STREAM].operation, 0, 1, 0, false, 0};
    frame_t f;
    iggy_mock_request_t req;

    expect_silence(frame_of(&zero_client, NULL, 0));
    expect_silence(frame_of(&undeclared, NULL, 0));
    expect_silence(frame_of(&register_with_ids, NULL, 0));
    expect_silence(frame_of(&write_without_session, NULL, 0));
    /* A release other than 0. */
    f = ping_frame();
    iggy_put_le32(f.p + IGGY_FRAME_OFF_REQ_RELEASE, 1);
    ck_assert(!iggy_mock_request_parse(f.p, f.len, &req));
    expect_silence(f);
    /* A command byte in range but not Request. */
    f = ping_frame();
    f.p[IGGY_FRAME_OFF_COMMAND] = IGGY_FRAME_REPLY;
    expect_silence(f);
    /* None of it touched the session. */
    ck_assert(!sess.conn.authenticated);
    ck_assert_uint_eq(disp.commit, 0);
}
END_TEST

START_TEST(parse_names_the_wire_code)
{
    frame_t f = ping_frame();
    iggy_mock_request_t req;
    ck_assert(iggy_mock_request_parse(f.p, f.len, &req));
    ck_assert_uint_eq(req.code, iggy_cmds[IGGY_CMD_PING].code);
    ck_assert_uint_eq(req.body_len, 0);
    free(f.p);
    f = create_stream_frame("s", 1, 1);
    ck_assert(iggy_mock_request_parse(f.p, f.len, &req));
    ck_assert_uint_eq(req.code, iggy_cmds[IGGY_CMD_CREATE_STREAM].code);
    ck_assert_ptr_eq(req.body, f.p + IGGY_HEADER_SIZE);
    ck_assert_uint_eq(req.body_len, f.len - IGGY_HEADER_SIZE);
    /* A truncated buffer is not a frame. */
    ck_assert(!iggy_mock_request_parse(f.p, f.len - 1, &req));
    free(f.p);
}
END_TEST

START_TEST(ping_answers_before_login)
{
    reply_t r = expect_status(ping_frame(), 0);
    ck_assert_uint_eq(r.h.request, 1); /* echoed */
    ck_assert_int_eq(r.h.operation, IGGY_OP_NON_REPLICATED);
    ck_assert_uint_eq(r.h.client.lo, CLIENT_LO);
    iggy_mock_reply_free(&r.raw);
}
END_TEST

START_TEST(before_login_reads_denied_writes_evicted)
{
    req_spec_t read = {
        CLIENT_LO, IGGY_OP_NON_REPLICATED, iggy_cmds[IGGY_CMD_GET_STREAMS].code, 1, 0, false, 0};
    req_spec_t legacy = {
        CLIENT_LO, IGGY_OP_NON_REPLICATED, IGGY_CODE_LEGACY_LOGIN_USER, 1, 0, false, 0};
    reply_t r = expect_status(frame_of(&read, NULL, 0), 40);
    /* The deny names the transport, not the header's client, with op and commit 0. */
    ck_assert_uint_eq(r.h.client.lo, CONN_ID);
    ck_assert_uint_eq(r.h.client.hi, 0);
    ck_assert_uint_eq(r.h.op, 0);
    ck_assert_uint_eq(r.h.commit, 0);
    iggy_mock_reply_free(&r.raw);
    expect_eviction(create_stream_frame("s", 1, 1), 1); /* NoSession */
    expect_eviction(frame_of(&legacy, NULL, 0), 15);    /* MalformedLogin */
    (void)login();
    ck_assert_uint_eq(streams_count(), 0); /* the evicted write never ran */
}
END_TEST

/* ---------------------------------------------------------------- §3 replay cache */

START_TEST(metadata_write_replays_cached_reply)
{
    uint64_t session = login(), commit;
    frame_t f = create_stream_frame("orders", 1, session), again = frame_dup(f);
    reply_t first, second;

    first = expect_result(f, 0);
    ck_assert_uint_eq(first.h.request, 1);
    ck_assert_uint_eq(iggy_mock_state_replay(disp.st, &sess.conn)->watermark, 1);
    ck_assert_uint_eq(streams_count(), 1);
    commit = disp.commit;

    /* The identical bytes again: the identical reply, and nothing applied twice. */
    second = dispatch(again);
    ck_assert_ptr_nonnull(second.raw.buf);
    ck_assert_uint_eq(second.raw.len, first.raw.len);
    ck_assert_mem_eq(second.raw.buf, first.raw.buf, first.raw.len);
    ck_assert_uint_eq(disp.commit, commit);
    ck_assert_uint_eq(streams_count(), 1);
    iggy_mock_reply_free(&first.raw);
    iggy_mock_reply_free(&second.raw);
}
END_TEST

START_TEST(reused_request_id_rules)
{
    uint64_t session = login();
    req_spec_t unstamped = {
        CLIENT_LO, iggy_cmds[IGGY_CMD_CREATE_STREAM].operation, 0, 1, session, false, 0};
    iggy_writer_t w;
    reply_t first, replay;

    first = expect_result(create_stream_frame("orders", 1, session), 0);
    /* Same id, different arguments and checksum: dropped as a client bug. */
    expect_silence(create_stream_frame("payments", 1, session));
    ck_assert_uint_eq(streams_count(), 1);
    /* Same id without a checksum: nothing to compare, the cached reply again. */
    w = test_writer();
    iggy_enc_create_stream(&w, "payments", NULL, 0);
    replay = dispatch(frame_w(&unstamped, &w));
    ck_assert_ptr_nonnull(replay.raw.buf);
    ck_assert_uint_eq(replay.raw.len, first.raw.len);
    ck_assert_mem_eq(replay.raw.buf, first.raw.buf, first.raw.len);
    iggy_mock_reply_free(&replay.raw);
    iggy_mock_reply_free(&first.raw);
    /* A newer id applies; an id at or below the watermark whose reply is gone: 59. */
    done(expect_result(create_stream_frame("payments", 2, session), 0));
    ck_assert_uint_eq(streams_count(), 2);
    done(expect_result(create_stream_frame("refunds", 1, session), 59));
    ck_assert_uint_eq(streams_count(), 2);
}
END_TEST

/* A Register on another session of the same dispatcher (as root); returns the session. */
static uint64_t login_on(iggy_mock_session_t *other, uint64_t client_lo)
{
    req_spec_t q = {client_lo, IGGY_OP_REGISTER, 0, 0, 0, true, 0};
    iggy_writer_t w = test_writer();
    iggy_mock_reply_t raw;
    frame_t f;
    iggy_enc_login_register(&w, IGGY_PROTOCOL_VERSION, "c-sdk", "0.1.0", "iggy", "iggy");
    f = frame_w(&q, &w);
    ck_assert(iggy_mock_dispatch(&disp, other, f.p, f.len, &raw));
    free(f.p);
    ck_assert_ptr_nonnull(raw.buf);
    ck_assert(!raw.evict);
    ck_assert(other->conn.authenticated);
    iggy_mock_reply_free(&raw);
    return other->conn.session;
}

START_TEST(resumed_session_keeps_the_replay_window)
{
    uint64_t session = login(), resumed;
    frame_t f = create_stream_frame("orders", 1, session), again = frame_dup(f);
    iggy_mock_session_t next;
    reply_t first, replay;

    first = expect_result(f, 0);
    /* The server stops under the connection: its client entry survives, unbound. */
    iggy_mock_state_conn_stopped(disp.st, &sess.conn);
    ck_assert_ptr_null(iggy_mock_state_replay(disp.st, &sess.conn));
    ck_assert_uint_eq(iggy_mock_state_clients_count(disp.st), 1);
    memset(&next, 0, sizeof next);
    next.conn.conn_id = CONN_ID + 1;
    next.conn.transport = 1;
    iggy_mock_state_conn_opened(disp.st, &next.conn);
    resumed = login_on(&next, CLIENT_LO);
    ck_assert_uint_gt(resumed, session);
    ck_assert_uint_eq(iggy_mock_state_clients_count(disp.st), 1);
    ck_assert_uint_eq(iggy_mock_state_replay(disp.st, &next.conn)->watermark, 1);
    /* Request 1 again on the new connection: the entry's cached reply (a re-apply would
     * answer 1012, the name exists). */
    ck_assert(iggy_mock_dispatch(&disp, &next, again.p, again.len, &replay.raw));
    free(again.p);
    ck_assert_ptr_nonnull(replay.raw.buf);
    ck_assert_uint_eq(replay.raw.len, first.raw.len);
    ck_assert_mem_eq(replay.raw.buf, first.raw.buf, first.raw.len);
    iggy_mock_reply_free(&replay.raw);
    iggy_mock_reply_free(&first.raw);
    /* A running server's close logs the entry out. */
    iggy_mock_state_conn_closed(disp.st, &next.conn);
    ck_assert_uint_eq(iggy_mock_state_clients_count(disp.st), 0);
}
END_TEST

/* ---------------------------------------------------------------- cluster role, checksum */

START_TEST(backup_answers_58_and_does_not_cache_it)
{
    iggy_mock_cluster_t *cl = iggy_mock_state_cluster(disp.st);
    uint64_t session;
    frame_t f, again;

    cl->nodes = 2;
    cl->leader = 1;
    sess.conn.node = 0;
    session = login(); /* a backup still logs in */
    f = create_stream_frame("orders", 1, session);
    again = frame_dup(f);
    done(expect_result(f, 58));
    ck_assert_uint_eq(streams_count(), 0);
    /* Once this node leads, the same request runs: a 58 was never committed. */
    cl->leader = 0;
    done(expect_result(again, 0));
    ck_assert_uint_eq(streams_count(), 1);
}
END_TEST

START_TEST(bad_request_checksum_gets_status_4)
{
    req_spec_t ping = {CLIENT_LO, IGGY_OP_NON_REPLICATED, iggy_cmds[IGGY_CMD_PING].code, 1, 0, true,
                       1};
    req_spec_t write = {CLIENT_LO, iggy_cmds[IGGY_CMD_CREATE_STREAM].operation, 0, 1, 0, true, 1};
    iggy_writer_t w;

    done(expect_status(frame_of(&ping, NULL, 0), 4));
    write.session = login();
    w = test_writer();
    iggy_enc_create_stream(&w, "orders", NULL, 0);
    done(expect_status(frame_w(&write, &w), 4));
    ck_assert_uint_eq(streams_count(), 0);
    /* a denied request is not remembered */
    ck_assert_uint_eq(iggy_mock_state_replay(disp.st, &sess.conn)->watermark, 0);
}
END_TEST

static Suite *mock_dispatch_suite(void)
{
    Suite *s = suite_create("mock_dispatch");
    TCase *tc = tcase_create("dispatch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, framing_closes_on_bad_size_or_command);
    tcase_add_test(tc, invalid_header_gets_silence);
    tcase_add_test(tc, parse_names_the_wire_code);
    tcase_add_test(tc, ping_answers_before_login);
    tcase_add_test(tc, before_login_reads_denied_writes_evicted);
    tcase_add_test(tc, metadata_write_replays_cached_reply);
    tcase_add_test(tc, reused_request_id_rules);
    tcase_add_test(tc, resumed_session_keeps_the_replay_window);
    tcase_add_test(tc, backup_answers_58_and_does_not_cache_it);
    tcase_add_test(tc, bad_request_checksum_gets_status_4);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(mock_dispatch_suite());
}
