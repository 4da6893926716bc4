/* The mock's fault engine on its own: queue matching and consumption, which kinds answer
 * before the command runs, and how post-dispatch kinds shape the sending of a reply. The
 * byte-level effects on a socket are covered over TCP by check_mock_server. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "codec/iggy_frame.h"
#include "codec/iggy_primitives.h"
#include "mock/iggy_mock_faults.h"
#include "test_main.h"

static iggy_mock_faults_t q;

static void teardown(void)
{
    iggy_mock_faults_clear(&q);
}

/* A reply of body_len zero bytes behind a real reply header. */
static iggy_mock_reply_t reply_of(size_t body_len)
{
    iggy_mock_reply_t r;
    iggy_u128_t client = {1, 0};
    r.len = IGGY_HEADER_SIZE + body_len;
    r.buf = calloc(1, r.len);
    ck_assert_ptr_nonnull(r.buf);
    r.evict = false;
    iggy_frame_encode_reply(r.buf, &client, 1, IGGY_OP_NON_REPLICATED, 0, (uint32_t)body_len, 0, 0);
    return r;
}

/* The size field a reply header now announces. */
static uint32_t announced_size(const iggy_mock_reply_t *r)
{
    iggy_frame_header_t h;
    ck_assert_int_eq(iggy_frame_decode_reply(r->buf, UINT32_MAX, &h), IGGY_OK);
    return h.size;
}

static iggy_mock_fault_t fault(iggy_mock_fault_kind_t kind, uint32_t param)
{
    iggy_mock_fault_t f;
    memset(&f, 0, sizeof f);
    f.kind = kind;
    f.param = param;
    f.count = 1;
    return f;
}

START_TEST(queue_matches_in_push_order_and_counts_down)
{
    iggy_mock_fault_t f;
    ck_assert_int_eq(iggy_mock_faults_push(&q, 0, 0, IGGY_MOCK_FAULT_STATUS, 0, 0),
                     IGGY_ERR__INVALID_ARG); /* count 0 */
    ck_assert_int_eq(iggy_mock_faults_push(&q, 0, 0, IGGY_MOCK_FAULT_EVICT, 256, 1),
                     IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_mock_faults_push(&q, 0, 0, (iggy_mock_fault_kind_t)99, 0, 1),
                     IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_mock_faults_push(&q, 10, 0, IGGY_MOCK_FAULT_STATUS, 41, 2), IGGY_OK);
    ck_assert_int_eq(iggy_mock_faults_push(&q, 0, 3, IGGY_MOCK_FAULT_CLOSE, 0, 1), IGGY_OK);

    ck_assert(!iggy_mock_faults_take(&q, 1, 1, &f)); /* neither code 10 nor connection 3 */
    ck_assert(iggy_mock_faults_take(&q, 1, 3, &f));  /* any code on connection 3 */
    ck_assert_int_eq(f.kind, IGGY_MOCK_FAULT_CLOSE);
    ck_assert(!iggy_mock_faults_take(&q, 1, 3, &f)); /* used up */
    for (int i = 0; i < 2; i++) {
        ck_assert(iggy_mock_faults_take(&q, 10, 5, &f));
        ck_assert_int_eq(f.kind, IGGY_MOCK_FAULT_STATUS);
        ck_assert_uint_eq(f.param, 41);
        ck_assert_ptr_null(f.next);
    }
    ck_assert(!iggy_mock_faults_take(&q, 10, 5, &f));
    ck_assert_ptr_null(q.head);
}
END_TEST

START_TEST(clear_drops_everything)
{
    iggy_mock_fault_t f;
    ck_assert_int_eq(iggy_mock_faults_push(&q, 0, 0, IGGY_MOCK_FAULT_STALL, 0, 5), IGGY_OK);
    iggy_mock_faults_clear(&q);
    ck_assert(!iggy_mock_faults_take(&q, 1, 1, &f));
}
END_TEST

START_TEST(before_dispatch_kinds)
{
    iggy_mock_dispatcher_t d;
    iggy_mock_session_t s;
    iggy_mock_request_t req;
    iggy_mock_reply_t r;
    iggy_request_header_t rh;
    iggy_frame_header_t h;
    iggy_mock_fault_t f;
    uint8_t frame[IGGY_HEADER_SIZE];

    memset(&d, 0, sizeof d);
    memset(&s, 0, sizeof s);
    memset(&rh, 0, sizeof rh);
    d.commit = 9;
    s.conn.session = 4;
    rh.client = (iggy_u128_t){77, 1};
    rh.operation = IGGY_OP_NON_REPLICATED;
    rh.code = 1;
    rh.request = 3;
    iggy_frame_encode_request(frame, &rh);
    ck_assert(iggy_mock_request_parse(frame, sizeof frame, &req));

    f = fault(IGGY_MOCK_FAULT_STATUS, 41);
    ck_assert_int_eq(iggy_mock_fault_before(&f, &d, &s, &req, &r), IGGY_MOCK_PRE_REPLY);
    ck_assert_int_eq(iggy_frame_decode_reply(r.buf, IGGY_MAX_FRAME_SIZE, &h), IGGY_OK);
    ck_assert_uint_eq(h.status, 41);
    ck_assert_uint_eq(h.request, 3);
    ck_assert_uint_eq(h.op, 4);
    ck_assert_uint_eq(h.commit, 9);
    iggy_mock_reply_free(&r);

    f = fault(IGGY_MOCK_FAULT_EVICT, 13);
    ck_assert_int_eq(iggy_mock_fault_before(&f, &d, &s, &req, &r), IGGY_MOCK_PRE_REPLY);
    ck_assert(r.evict);
    ck_assert_int_eq(iggy_frame_decode_reply(r.buf, IGGY_MAX_FRAME_SIZE, &h), IGGY_OK);
    ck_assert_uint_eq(h.reason, 13);
    iggy_mock_reply_free(&r);

    f = fault(IGGY_MOCK_FAULT_GARBAGE, 0);
    ck_assert_int_eq(iggy_mock_fault_before(&f, &d, &s, &req, &r), IGGY_MOCK_PRE_GARBAGE);
    ck_assert_uint_eq(r.len, IGGY_HEADER_SIZE);
    ck_assert_int_ne(iggy_frame_decode_reply(r.buf, IGGY_MAX_FRAME_SIZE, &h), IGGY_OK);
    iggy_mock_reply_free(&r);

    f = fault(IGGY_MOCK_FAULT_DELAY, 300);
    ck_assert_int_eq(iggy_mock_fault_before(&f, &d, &s, &req, &r), IGGY_MOCK_PRE_DELAY);
    f = fault(IGGY_MOCK_FAULT_CLOSE, 0);
    ck_assert_int_eq(iggy_mock_fault_before(&f, &d, &s, &req, &r), IGGY_MOCK_PRE_CLOSE);
    f = fault(IGGY_MOCK_FAULT_STALL, 0);
    ck_assert_int_eq(iggy_mock_fault_before(&f, &d, &s, &req, &r), IGGY_MOCK_PRE_SWALLOW);
    f = fault(IGGY_MOCK_FAULT_DUPLICATE_REPLY, 0);
    ck_assert_int_eq(iggy_mock_fault_before(&f, &d, &s, &req, &r), IGGY_MOCK_PRE_DISPATCH);
    ck_assert_ptr_null(r.buf);
}
END_TEST

START_TEST(after_dispatch_plans)
{
    iggy_mock_reply_t r = reply_of(40);
    iggy_mock_fault_t f;
    iggy_mock_send_plan_t p;

    p = iggy_mock_fault_after(NULL, &r, true);
    ck_assert(!p.previous && !p.twice);
    ck_assert_uint_eq(p.len, r.len);
    ck_assert_int_eq(p.then, IGGY_MOCK_THEN_CONTINUE);

    f = fault(IGGY_MOCK_FAULT_DUPLICATE_REPLY, 0);
    ck_assert(iggy_mock_fault_after(&f, &r, false).twice);
    f = fault(IGGY_MOCK_FAULT_STALE_REPLY, 0);
    ck_assert(iggy_mock_fault_after(&f, &r, true).previous);
    ck_assert(!iggy_mock_fault_after(&f, &r, false).previous); /* nothing sent before */

    f = fault(IGGY_MOCK_FAULT_CLOSE_MID_REPLY, 0);
    p = iggy_mock_fault_after(&f, &r, false);
    ck_assert_uint_eq(p.len, IGGY_HEADER_SIZE + 20);
    ck_assert_int_eq(p.then, IGGY_MOCK_THEN_CLOSE);

    f = fault(IGGY_MOCK_FAULT_RESET_MID_REPLY, 10);
    p = iggy_mock_fault_after(&f, &r, false);
    ck_assert_uint_eq(p.len, 10);
    ck_assert_int_eq(p.then, IGGY_MOCK_THEN_RESET);
    f = fault(IGGY_MOCK_FAULT_RESET_MID_REPLY, 0);
    ck_assert_uint_eq(iggy_mock_fault_after(&f, &r, false).len, IGGY_HEADER_SIZE / 2);

    f = fault(IGGY_MOCK_FAULT_TRUNCATED, 0);
    p = iggy_mock_fault_after(&f, &r, false);
    ck_assert_uint_eq(p.len, r.len);
    ck_assert_int_eq(p.then, IGGY_MOCK_THEN_STALL);
    ck_assert_uint_eq(announced_size(&r), r.len + 100);

    f = fault(IGGY_MOCK_FAULT_OVERSIZED, 0);
    p = iggy_mock_fault_after(&f, &r, false);
    ck_assert_uint_eq(p.len, IGGY_HEADER_SIZE);
    ck_assert_uint_eq(announced_size(&r), IGGY_MAX_FRAME_SIZE + 1);
    free(r.buf);

    /* An eviction frame goes out untouched, then the connection closes. */
    r = reply_of(0);
    r.evict = true;
    f = fault(IGGY_MOCK_FAULT_TRUNCATED, 0);
    p = iggy_mock_fault_after(&f, &r, true);
    ck_assert_uint_eq(p.len, r.len);
    ck_assert_int_eq(p.then, IGGY_MOCK_THEN_CLOSE);
    ck_assert_uint_eq(announced_size(&r), r.len);
    free(r.buf);
}
END_TEST

START_TEST(a_forever_count_never_runs_out)
{
    iggy_mock_fault_t f;
    ck_assert_int_eq(
        iggy_mock_faults_push(&q, 1, 0, IGGY_MOCK_FAULT_STATUS, 57, IGGY_MOCK_FAULT_FOREVER),
        IGGY_OK);
    ck_assert_int_eq(iggy_mock_faults_push(&q, 1, 0, IGGY_MOCK_FAULT_STATUS, 41, 1), IGGY_OK);
    for (int i = 0; i < 1000; i++) {
        ck_assert(iggy_mock_faults_take(&q, 1, 7, &f));
        ck_assert_uint_eq(f.param, 57); /* the later fault never gets its turn */
    }
    ck_assert_uint_eq(q.head->count, IGGY_MOCK_FAULT_FOREVER);
    iggy_mock_faults_clear(&q);
    ck_assert(!iggy_mock_faults_take(&q, 1, 7, &f));
}
END_TEST

START_TEST(reply_shaping_kinds)
{
    iggy_mock_reply_t r = reply_of(40);
    iggy_mock_fault_t f;
    iggy_mock_send_plan_t p;
    iggy_frame_header_t h;

    ck_assert_int_eq(iggy_mock_faults_push(&q, 0, 0, IGGY_MOCK_FAULT_WRONG_COMMAND, 256, 1),
                     IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_mock_faults_push(
                         &q, 0, 0, (iggy_mock_fault_kind_t)(IGGY_MOCK_FAULT_WRONG_SIZE + 1), 0, 1),
                     IGGY_ERR__INVALID_ARG);

    /* None of them stops the command: they all shape its reply. */
    for (int k = IGGY_MOCK_FAULT_CLOSE_AFTER_REPLY; k <= IGGY_MOCK_FAULT_WRONG_SIZE; k++) {
        iggy_mock_reply_t none;
        f = fault((iggy_mock_fault_kind_t)k, 0);
        ck_assert_int_eq(iggy_mock_fault_before(&f, NULL, NULL, NULL, &none),
                         IGGY_MOCK_PRE_DISPATCH);
        ck_assert_ptr_null(none.buf);
    }

    f = fault(IGGY_MOCK_FAULT_CLOSE_AFTER_REPLY, 0);
    p = iggy_mock_fault_after(&f, &r, false);
    ck_assert_uint_eq(p.len, r.len);
    ck_assert_uint_eq(p.piece, 0);
    ck_assert_int_eq(p.then, IGGY_MOCK_THEN_CLOSE);

    f = fault(IGGY_MOCK_FAULT_HANG_MID_REPLY, 0);
    p = iggy_mock_fault_after(&f, &r, false);
    ck_assert_uint_eq(p.len, IGGY_HEADER_SIZE / 2);
    ck_assert_int_eq(p.then, IGGY_MOCK_THEN_STALL);
    f = fault(IGGY_MOCK_FAULT_HANG_MID_REPLY, 270);
    ck_assert_uint_eq(iggy_mock_fault_after(&f, &r, false).len, 270);
    f = fault(IGGY_MOCK_FAULT_HANG_MID_REPLY, 5000); /* past the end: half the header */
    ck_assert_uint_eq(iggy_mock_fault_after(&f, &r, false).len, IGGY_HEADER_SIZE / 2);

    f = fault(IGGY_MOCK_FAULT_TRICKLE, 0);
    p = iggy_mock_fault_after(&f, &r, false);
    ck_assert_uint_eq(p.len, r.len);
    ck_assert_uint_eq(p.piece, IGGY_MOCK_TRICKLE_BYTES);
    ck_assert_uint_eq(p.pause_ms, 1);
    ck_assert_int_eq(p.then, IGGY_MOCK_THEN_CONTINUE);
    f = fault(IGGY_MOCK_FAULT_TRICKLE, 20);
    ck_assert_uint_eq(iggy_mock_fault_after(&f, &r, false).pause_ms, 20);
    ck_assert_uint_eq(announced_size(&r), r.len); /* the bytes are untouched */

    f = fault(IGGY_MOCK_FAULT_WRONG_COMMAND, 0);
    p = iggy_mock_fault_after(&f, &r, false);
    ck_assert_uint_eq(p.len, r.len);
    ck_assert_int_eq(p.then, IGGY_MOCK_THEN_CONTINUE);
    ck_assert_uint_eq(r.buf[IGGY_FRAME_OFF_COMMAND], IGGY_FRAME_REQUEST);
    ck_assert_int_eq(iggy_frame_decode_reply(r.buf, IGGY_MAX_FRAME_SIZE, &h), IGGY_ERR__BAD_MSG);
    f = fault(IGGY_MOCK_FAULT_WRONG_COMMAND, 200);
    iggy_mock_fault_after(&f, &r, false);
    ck_assert_uint_eq(r.buf[IGGY_FRAME_OFF_COMMAND], 200);
    r.buf[IGGY_FRAME_OFF_COMMAND] = IGGY_FRAME_REPLY;

    f = fault(IGGY_MOCK_FAULT_WRONG_SIZE, 0);
    p = iggy_mock_fault_after(&f, &r, false);
    ck_assert_uint_eq(p.len, r.len); /* sent whole, announced wrong */
    ck_assert_int_eq(p.then, IGGY_MOCK_THEN_CONTINUE);
    ck_assert_uint_eq(iggy_le32(r.buf + IGGY_FRAME_OFF_SIZE), IGGY_HEADER_SIZE - 1);
    ck_assert_int_eq(iggy_frame_decode_reply(r.buf, IGGY_MAX_FRAME_SIZE, &h), IGGY_ERR__BAD_MSG);
    f = fault(IGGY_MOCK_FAULT_WRONG_SIZE, IGGY_HEADER_SIZE + 10);
    iggy_mock_fault_after(&f, &r, false);
    ck_assert_uint_eq(announced_size(&r), IGGY_HEADER_SIZE + 10);
    free(r.buf);

    /* An eviction frame is never reshaped. */
    r = reply_of(0);
    r.evict = true;
    for (int k = IGGY_MOCK_FAULT_CLOSE_AFTER_REPLY; k <= IGGY_MOCK_FAULT_WRONG_SIZE; k++) {
        f = fault((iggy_mock_fault_kind_t)k, 0);
        p = iggy_mock_fault_after(&f, &r, true);
        ck_assert_uint_eq(p.len, r.len);
        ck_assert_uint_eq(p.piece, 0);
        ck_assert_int_eq(p.then, IGGY_MOCK_THEN_CLOSE);
        ck_assert_uint_eq(announced_size(&r), r.len);
        ck_assert_uint_eq(r.buf[IGGY_FRAME_OFF_COMMAND], IGGY_FRAME_REPLY);
    }
    free(r.buf);
}
END_TEST

static Suite *mock_fault_engine_suite(void)
{
    Suite *s = suite_create("mock_fault_engine");
    TCase *tc = tcase_create("engine");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, queue_matches_in_push_order_and_counts_down);
    tcase_add_test(tc, clear_drops_everything);
    tcase_add_test(tc, before_dispatch_kinds);
    tcase_add_test(tc, after_dispatch_plans);
    tcase_add_test(tc, a_forever_count_never_runs_out);
    tcase_add_test(tc, reply_shaping_kinds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(mock_fault_engine_suite());
}
