/* The RPC path through an in-memory transport: borrow, encode, stamp, exchange, decode
 * through the vtable, return every buffer. Includes the ghost-message regression
 * (apache/iggy#3499). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iggy/version.h>

#include "client/iggy_client_internal.h"
#include "test_transport_mem.h"
#include "codec/iggy_codec.h"
#include "codec/iggy_frame.h"
#include "codec_helpers.h"
#include "test_main.h"

static const iggy_u128_t CLIENT_SEQ = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};

typedef struct fixture {
    iggy_pool_t *pool;
    iggy_mem_transport_t *mt;
    iggy_client_t *c;
} fixture_t;

static fixture_t setup(bool stamp)
{
    fixture_t f;
    iggy_client_opts_t o;
    iggy_client_opts_default(&o);
    o.stamp_checksums = stamp;
    ck_assert_int_eq(iggy_pool_new(&f.pool, 256, 1 << 20, 8, IGGY_MAX_FRAME_SIZE), IGGY_OK);
    ck_assert_int_eq(iggy_mem_transport_new(&f.mt), IGGY_OK);
    ck_assert_int_eq(
        iggy_client_new_with_transport(&f.c, &o, iggy_mem_transport_as_transport(f.mt), f.pool),
        IGGY_OK);
    return f;
}

static uint64_t pool_in_use(const fixture_t *f)
{
    iggy_pool_stats_t st;
    iggy_pool_get_stats(f->pool, &st);
    return st.in_use;
}

static void teardown(fixture_t *f)
{
    ck_assert_uint_eq(pool_in_use(f), 0);
    iggy_client_free(f->c);
    iggy_pool_destroy(f->pool);
}

/* Queue a reply frame built from a header + body. */
static void push_reply(fixture_t *f, uint8_t operation, uint32_t status, const uint8_t *body,
                       size_t len)
{
    uint8_t *frame = malloc(IGGY_HEADER_SIZE + len);
    iggy_frame_encode_reply(frame, &CLIENT_SEQ, 0, operation, status, (uint32_t)len, 0, 0);
    if (len)
        memcpy(frame + IGGY_HEADER_SIZE, body, len);
    ck_assert_int_eq(iggy_mem_transport_push(f->mt, frame, IGGY_HEADER_SIZE + len, 1), IGGY_OK);
    free(frame);
}

static void push_vector(fixture_t *f, const char *name)
{
    const test_vector_t *v = vector_get(name);
    ck_assert_int_eq(iggy_mem_transport_push(f->mt, v->bytes, v->len, 1), IGGY_OK);
}

static const iggy_login_result_t *login(fixture_t *f)
{
    iggy_rpc_t rpc;
    void *out = NULL;
    push_vector(f, "login_reply");
    ck_assert_int_eq(iggy_rpc_begin(f->c, IGGY_CMD_LOGIN_REGISTER, &rpc), IGGY_OK);
    iggy_enc_login_register(&rpc.w, IGGY_PROTOCOL_VERSION, "c-sdk", "0.1.0", "iggy", "iggy");
    ck_assert_int_eq(iggy_rpc_end(&rpc, &out), IGGY_OK);
    return out;
}

/* The n-th written request, compared with a request_frame vector. The client id is
 * random per login, so bytes 128..143 are compared separately when given. */
static void assert_request_is(fixture_t *f, size_t n, const char *vector, const iggy_u128_t *id)
{
    size_t len;
    const uint8_t *req = iggy_mem_transport_request(f->mt, n, &len);
    const test_vector_t *v = vector_get(vector);
    uint8_t copy[IGGY_HEADER_SIZE];
    ck_assert_ptr_nonnull(req);
    ck_assert_uint_eq(len, v->len);
    memcpy(copy, req, IGGY_HEADER_SIZE);
    if (id) {
        ck_assert_uint_eq(iggy_le64(req + 128), id->lo);
        ck_assert_uint_eq(iggy_le64(req + 136), id->hi);
        memcpy(copy + 128, v->bytes + 128, 16);
    }
    ck_assert_msg(memcmp(copy, v->bytes, IGGY_HEADER_SIZE) == 0, "%s: header differs", vector);
    ck_assert_msg(
        memcmp(req + IGGY_HEADER_SIZE, v->bytes + IGGY_HEADER_SIZE, len - IGGY_HEADER_SIZE) == 0,
        "%s: body differs", vector);
}

START_TEST(login_then_requests_follow_the_session_rules)
{
    fixture_t f = setup(false);
    const iggy_login_result_t *lr = login(&f);
    iggy_rpc_t rpc;
    size_t len;
    const uint8_t *req;

    ck_assert_uint_eq(lr->session, 5);
    ck_assert(f.c->conns[0].sess.logged_in);
    ck_assert_uint_eq(f.c->conns[0].sess.session, 5);
    ck_assert_uint_eq(f.c->conns[0].sess.counter, 1);
    ck_assert(f.c->conns[0].sess.client_id.lo != 0 || f.c->conns[0].sess.client_id.hi != 0);
    /* The login frame is the vector but for the random client id. */
    assert_request_is(&f, 0, "login_register_request", &f.c->conns[0].sess.client_id);
    iggy_result_destroy(lr);

    /* Reads carry the next request id and the session, code in the header. */
    f.c->conns[0].sess.client_id = CLIENT_SEQ;
    push_reply(&f, IGGY_OP_NON_REPLICATED, 0, vector_get("get_me_reply_body")->bytes,
               vector_get("get_me_reply_body")->len);
    ck_assert_int_eq(iggy_rpc_begin(f.c, IGGY_CMD_GET_ME, &rpc), IGGY_OK);
    {
        void *me = NULL;
        ck_assert_int_eq(iggy_rpc_end(&rpc, &me), IGGY_OK);
        ck_assert_uint_eq(((const iggy_client_info_t *)me)->client_id, 1);
        iggy_result_destroy(me);
    }
    assert_request_is(&f, 1, "get_me_request", NULL);
    ck_assert_uint_eq(f.c->conns[0].sess.counter, 2);

    /* A metadata write takes the next id too (gaps are allowed, §3). */
    push_reply(&f, 130, 0, (const uint8_t *)"\0\0\0\0", 4);
    ck_assert_int_eq(iggy_rpc_begin(f.c, IGGY_CMD_DELETE_STREAM, &rpc), IGGY_OK);
    iggy_enc_stream_ref(&rpc.w, &(iggy_identifier_t){NULL, 1});
    ck_assert_int_eq(iggy_rpc_end(&rpc, NULL), IGGY_OK);
    req = iggy_mem_transport_request(f.mt, 2, &len);
    ck_assert_uint_eq(iggy_le64(req + 168), 2);
    ck_assert_uint_eq(req[176], 130);
    ck_assert_uint_eq(iggy_le32(req + 196), 0); /* no code for replicated ops */
    ck_assert_uint_eq(f.c->conns[0].sess.counter, 3);

    /* Logout uses the next id and ends the session (the vector's id is 2). */
    f.c->conns[0].sess.counter = 2;
    push_vector(&f, "logout_reply");
    ck_assert_int_eq(iggy_rpc_begin(f.c, IGGY_CMD_LOGOUT_USER, &rpc), IGGY_OK);
    ck_assert_int_eq(iggy_rpc_end(&rpc, NULL), IGGY_OK);
    assert_request_is(&f, 3, "logout_request", NULL);
    ck_assert(!f.c->conns[0].sess.logged_in);
    teardown(&f);
}
END_TEST

START_TEST(stamped_checksums_match_the_rust_sdk)
{
    fixture_t f = setup(true);
    iggy_rpc_t rpc;
    const iggy_login_result_t *lr = login(&f);
    assert_request_is(&f, 0, "login_register_request_stamped", &f.c->conns[0].sess.client_id);
    iggy_result_destroy(lr);

    f.c->conns[0].sess.client_id = CLIENT_SEQ;
    push_vector(&f, "create_user_reply");
    ck_assert_int_eq(iggy_rpc_begin(f.c, IGGY_CMD_CREATE_USER, &rpc), IGGY_OK);
    {
        const test_vector_t *v = vector_get("create_user_request_stamped");
        void *user = NULL;
        /* Re-encode the vector's body through the raw writer: the user encoder's own
         * vector test lives in check_codec_users. */
        iggy_wr_bytes(&rpc.w, v->bytes + IGGY_HEADER_SIZE, v->len - IGGY_HEADER_SIZE);
        ck_assert_int_eq(iggy_rpc_end(&rpc, &user), IGGY_OK);
        iggy_result_destroy(user);
    }
    assert_request_is(&f, 1, "create_user_request_stamped", NULL);
    teardown(&f);
}
END_TEST

/* apache/iggy#3499: a poll with messages, then an empty poll, through one client and one
 * pool, must yield zero messages, and the first result must not change. */
START_TEST(ghost_message_regression)
{
    fixture_t f = setup(false);
    const test_vector_t *golden = vector_get("poll_reply_body_golden");
    const test_vector_t *empty = vector_get("poll_reply_body_empty");
    const iggy_polled_messages_t *first = NULL, *second = NULL, *reused = NULL;
    iggy_consumer_ref_t consumer = {IGGY_CONSUMER_SINGLE, {NULL, 1}};
    iggy_identifier_t stream = {NULL, 1}, topic = {NULL, 2};
    iggy_polling_strategy_t next = {IGGY_POLL_NEXT, 0};
    uint32_t partition = 0;
    uint8_t saved[64];
    iggy_rpc_t rpc;

    iggy_result_destroy(login(&f));
    for (int round = 0; round < 3; round++) {
        const iggy_polled_messages_t **out = round == 0 ? &first : round == 1 ? &second : &reused;
        const test_vector_t *v = round == 0 ? golden : empty;
        if (round == 2)
            reused = first; /* the caller passes its previous result back for reuse */
        push_reply(&f, IGGY_OP_NON_REPLICATED, 0, v->bytes, v->len);
        ck_assert_int_eq(iggy_rpc_begin(f.c, IGGY_CMD_POLL_MESSAGES, &rpc), IGGY_OK);
        iggy_enc_poll_messages(&rpc.w, &consumer, &stream, &topic, &partition, &next, 10, 1);
        ck_assert_int_eq(iggy_rpc_end(&rpc, (void **)out), IGGY_OK);
        ck_assert_uint_eq(pool_in_use(&f), 0);
        if (round == 0) {
            ck_assert_uint_eq(first->count, 2);
            ck_assert_uint_eq(first->messages[0].payload_len, 13);
            memcpy(saved, first->messages[0].payload, 13);
        }
    }
    ck_assert_uint_eq(second->count, 0);
    ck_assert_uint_eq(second->declared_count, 0);
    ck_assert_ptr_null(second->messages);
    /* Reusing the caller's block: still zero messages, counts from the current reply. */
    ck_assert_uint_eq(reused->count, 0);
    ck_assert_uint_eq(reused->partition_id, second->partition_id);
    first = NULL; /* its block now holds `reused` */

    /* Two independent results: mutating one cannot touch the other. */
    {
        const iggy_polled_messages_t *a = NULL, *b = NULL;
        for (int i = 0; i < 2; i++) {
            push_reply(&f, IGGY_OP_NON_REPLICATED, 0, golden->bytes, golden->len);
            ck_assert_int_eq(iggy_rpc_begin(f.c, IGGY_CMD_POLL_MESSAGES, &rpc), IGGY_OK);
            iggy_enc_poll_messages(&rpc.w, &consumer, &stream, &topic, &partition, &next, 10, 1);
            ck_assert_int_eq(iggy_rpc_end(&rpc, (void **)(i ? &b : &a)), IGGY_OK);
        }
        ck_assert_ptr_ne(a->messages[0].payload, b->messages[0].payload);
        memset((uint8_t *)(uintptr_t)a->messages[0].payload, 'X', a->messages[0].payload_len);
        ck_assert(memcmp(b->messages[0].payload, saved, 13) == 0);
        /* Nothing in a result points into the transport's buffers. */
        iggy_result_destroy(a);
        iggy_result_destroy(b);
    }
    iggy_result_destroy(second);
    iggy_result_destroy(reused);
    teardown(&f);
}
END_TEST

/* Run one GetStream RPC that is expected to fail with want; in-use must return to 0. */
static void expect_failure(fixture_t *f, iggy_err_t want, const char *what)
{
    iggy_rpc_t rpc;
    void *out = NULL;
    ck_assert_int_eq(iggy_rpc_begin(f->c, IGGY_CMD_GET_STREAM, &rpc), IGGY_OK);
    iggy_enc_get_stream(&rpc.w, &(iggy_identifier_t){NULL, 0});
    ck_assert_msg(iggy_rpc_end(&rpc, &out) == want, "%s: want %s, detail %s", what,
                  iggy_err2name(want), iggy_last_error_detail());
    ck_assert_ptr_null(out);
    ck_assert_msg(pool_in_use(f) == 0, "%s leaked a pool buffer", what);
    ck_assert_msg(iggy_last_error_detail()[0] != '\0', "%s: no detail", what);
}

START_TEST(pool_is_whole_after_every_outcome)
{
    fixture_t f = setup(false);
    iggy_u128_t any = {1, 0};
    uint8_t frame[IGGY_HEADER_SIZE + 8];
    iggy_rpc_t rpc;
    void *out = NULL;

    iggy_result_destroy(login(&f));
    ck_assert_uint_eq(pool_in_use(&f), 0);

    push_reply(&f, IGGY_OP_NON_REPLICATED, 1009, NULL, 0);
    expect_failure(&f, IGGY_ERR_STREAM_ID_NOT_FOUND, "status");

    push_reply(&f, IGGY_OP_NON_REPLICATED, 0, NULL, 0);
    expect_failure(&f, IGGY_ERR__NOT_FOUND, "empty body");

    /* A committed rejection in a metadata reply. */
    push_vector(&f, "create_user_rejected_reply");
    ck_assert_int_eq(iggy_rpc_begin(f.c, IGGY_CMD_CREATE_USER, &rpc), IGGY_OK);
    iggy_enc_create_user(&rpc.w, "alice", "secret", IGGY_USER_ACTIVE, NULL);
    ck_assert_int_eq(iggy_rpc_end(&rpc, &out), IGGY_ERR_USER_ALREADY_EXISTS);
    ck_assert_uint_eq(pool_in_use(&f), 0);

    /* Invalid arguments never reach the wire. */
    {
        size_t before = iggy_mem_transport_request_count(f.mt);
        ck_assert_int_eq(iggy_rpc_begin(f.c, IGGY_CMD_GET_STREAM, &rpc), IGGY_OK);
        iggy_enc_get_stream(&rpc.w, &(iggy_identifier_t){"", 0});
        ck_assert_int_eq(iggy_rpc_end(&rpc, &out), IGGY_ERR__INVALID_ARG);
        ck_assert_uint_eq(iggy_mem_transport_request_count(f.mt), before);
        ck_assert_uint_eq(pool_in_use(&f), 0);
    }

    /* A reply echoing another request id: dropped connection, bad message. */
    iggy_frame_encode_reply(frame, &any, 77, IGGY_OP_NON_REPLICATED, 0, 0, 0, 0);
    ck_assert_int_eq(iggy_mem_transport_push(f.mt, frame, IGGY_HEADER_SIZE, 0), IGGY_OK);
    expect_failure(&f, IGGY_ERR__BAD_MSG, "request id mismatch");
    ck_assert(!f.c->conns[0].sess.connected);
    ck_assert(!f.c->conns[0].sess.logged_in);
    expect_failure(&f, IGGY_ERR_NOT_CONNECTED, "after the drop");

    teardown(&f);
}
END_TEST

/* A reply that does not decode, or whose header does not answer the request, means the
 * framing can no longer be trusted: the connection goes, the call fails with BAD_MSG. */
START_TEST(replies_that_do_not_fit_drop_the_connection)
{
    static const struct {
        uint8_t operation;
        const char *body;
        size_t len;
        const char *what;
    } cases[] = {
        {IGGY_OP_NON_REPLICATED, "\1\2\3", 3, "malformed body"},
        {130, "\0\0\0\0", 4, "reply operation of another request"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture_t f = setup(false);
        iggy_result_destroy(login(&f));
        push_reply(&f, cases[i].operation, 0, (const uint8_t *)cases[i].body, cases[i].len);
        expect_failure(&f, IGGY_ERR__BAD_MSG, cases[i].what);
        ck_assert_msg(!f.c->conns[0].sess.connected, "%s: connection kept", cases[i].what);
        ck_assert_uint_eq(pool_in_use(&f), 0);
        teardown(&f);
    }
}
END_TEST

/* Every request on a connection carries its own request id, so a reply can only answer the
 * request it echoes. */
START_TEST(every_request_gets_its_own_id)
{
    fixture_t f = setup(false);
    uint64_t seen[6];
    size_t n = 0;
    iggy_result_destroy(login(&f));
    for (int i = 0; i < 3; i++) {
        iggy_rpc_t rpc;
        push_reply(&f, IGGY_OP_NON_REPLICATED, 0, NULL, 0);
        ck_assert_int_eq(iggy_rpc_begin(f.c, IGGY_CMD_PING, &rpc), IGGY_OK);
        ck_assert_int_eq(iggy_rpc_end(&rpc, NULL), IGGY_OK);
        push_reply(&f, 130, 0, (const uint8_t *)"\0\0\0\0", 4);
        ck_assert_int_eq(iggy_rpc_begin(f.c, IGGY_CMD_DELETE_STREAM, &rpc), IGGY_OK);
        iggy_enc_stream_ref(&rpc.w, &(iggy_identifier_t){NULL, 1});
        ck_assert_int_eq(iggy_rpc_end(&rpc, NULL), IGGY_OK);
    }
    for (size_t r = 1; r < iggy_mem_transport_request_count(f.mt); r++) {
        size_t len;
        const uint8_t *req = iggy_mem_transport_request(f.mt, r, &len);
        seen[n] = iggy_le64(req + 168);
        ck_assert_uint_gt(seen[n], 0);
        if (n > 0) /* strictly increasing: metadata ids stay above the server's watermark */
            ck_assert_uint_gt(seen[n], seen[n - 1]);
        n++;
    }
    ck_assert_uint_eq(n, 6);
    teardown(&f);
}
END_TEST

START_TEST(evictions_and_transport_faults_drop_the_session)
{
    fixture_t f = setup(false);
    iggy_rpc_t rpc;
    void *out = NULL;

    iggy_result_destroy(login(&f));
    push_vector(&f, "eviction_invalid_credentials");
    expect_failure(&f, IGGY_ERR_INVALID_CREDENTIALS, "eviction");
    ck_assert(!f.c->conns[0].sess.logged_in);
    teardown(&f);

    f = setup(false);
    iggy_result_destroy(login(&f));
    iggy_mem_transport_fail_next_read(f.mt, IGGY_ERR__TIMED_OUT);
    expect_failure(&f, IGGY_ERR__TIMED_OUT, "timeout");
    ck_assert(!f.c->conns[0].sess.connected);
    teardown(&f);

    /* A truncated reply body: the transport runs dry mid-frame. */
    f = setup(false);
    iggy_result_destroy(login(&f));
    {
        const test_vector_t *v = vector_get("get_me_reply");
        ck_assert_int_eq(iggy_mem_transport_push(f.mt, v->bytes, v->len - 5, 1), IGGY_OK);
    }
    ck_assert_int_eq(iggy_rpc_begin(f.c, IGGY_CMD_GET_ME, &rpc), IGGY_OK);
    ck_assert_int_eq(iggy_rpc_end(&rpc, &out), IGGY_ERR__TRANSPORT);
    ck_assert_ptr_null(out);
    teardown(&f);
}
END_TEST

START_TEST(replicated_ops_need_a_session)
{
    fixture_t f = setup(false);
    iggy_rpc_t rpc;
    ck_assert_int_eq(iggy_rpc_begin(f.c, IGGY_CMD_CREATE_STREAM, &rpc), IGGY_OK);
    iggy_enc_create_stream(&rpc.w, "orders", NULL, 0);
    ck_assert_int_eq(iggy_rpc_end(&rpc, NULL), IGGY_ERR_UNAUTHENTICATED);
    ck_assert_uint_eq(iggy_mem_transport_request_count(f.mt), 0);
    /* Reads go out and the server answers 40 itself. */
    push_vector(&f, "deny_unauthenticated_reply");
    ck_assert_int_eq(iggy_rpc_begin(f.c, IGGY_CMD_GET_STATS, &rpc), IGGY_OK);
    ck_assert_int_eq(iggy_rpc_end(&rpc, NULL), IGGY_ERR_UNAUTHENTICATED);
    assert_request_is(&f, 0, "get_stats_request_unauthenticated", &f.c->conns[0].sess.client_id);
    teardown(&f);
}
END_TEST

START_TEST(ping_before_login)
{
    fixture_t f = setup(false);
    iggy_rpc_t rpc;
    f.c->conns[0].sess.client_id = CLIENT_SEQ;
    push_vector(&f, "ping_reply");
    ck_assert_int_eq(iggy_rpc_begin(f.c, IGGY_CMD_PING, &rpc), IGGY_OK);
    ck_assert_int_eq(iggy_rpc_end(&rpc, NULL), IGGY_OK);
    assert_request_is(&f, 0, "ping_request", NULL);
    teardown(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rpc");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, login_then_requests_follow_the_session_rules);
    tcase_add_test(tc, stamped_checksums_match_the_rust_sdk);
    tcase_add_test(tc, ghost_message_regression);
    tcase_add_test(tc, pool_is_whole_after_every_outcome);
    tcase_add_test(tc, evictions_and_transport_faults_drop_the_session);
    tcase_add_test(tc, replies_that_do_not_fit_drop_the_connection);
    tcase_add_test(tc, every_request_gets_its_own_id);
    tcase_add_test(tc, replicated_ops_need_a_session);
    tcase_add_test(tc, ping_before_login);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
