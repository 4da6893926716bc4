/* Fault classes a hostile server or proxy produces, each through the mock's fault
 * injection: replies that do not answer the request in flight, connections lost mid-reply
 * (the reconnect policy), statuses outside the server's table, and consumer-group
 * memberships lost with a session. Every test needs the mock (SKIPPED against a real server). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iggy/iggy.h>
#include <iggy/mock.h>

#include "client/iggy_client_internal.h"
#include "test_main.h"
#include "test_server.h"

#define CODE_GET_ME 20u
#define CODE_CREATE_STREAM 202u
#define CODE_LOGIN 40u
#define CODE_POLL 100u
#define CODE_JOIN_GROUP 604u

static test_server_t srv;
static test_leak_guard_t guard;

/* Start the mock; false (after SKIPPED) against a real server. */
static bool start(const char *what)
{
    return test_begin_mock_only(&srv, &guard, NULL, what);
}

static void finish(void)
{
    test_end(&srv, &guard);
}

static iggy_client_t *client_with(const char *const *props)
{
    return test_client_with(&srv, true, props);
}

static iggy_err_t get_me(iggy_client_t *c)
{
    iggy_client_info_t *me = NULL;
    iggy_err_t err = iggy_get_me(c, &me);
    iggy_result_destroy(me);
    return err;
}

static void get_me_ok(iggy_client_t *c)
{
    ck_assert_msg(get_me(c) == IGGY_OK, "GetMe: %s", iggy_last_error_detail());
}

static void assert_detail_has(const char *what)
{
    ck_assert_msg(strstr(iggy_last_error_detail(), what) != NULL, "detail \"%s\" lacks \"%s\"",
                  iggy_last_error_detail(), what);
}

/* A stream "s" with topic "t" of `partitions` partitions; n messages "m<offset>" in
 * partition 0. */
static void topic_with_messages(iggy_client_t *c, uint32_t partitions, uint32_t n)
{
    iggy_identifier_t s = iggy_id_name("s"), t = iggy_id_name("t");
    iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    ck_assert_int_eq(iggy_create_stream(c, "s", NULL), IGGY_OK);
    ck_assert_int_eq(iggy_create_topic(c, &s, "t", partitions, NULL, NULL), IGGY_OK);
    for (uint32_t i = 0; i < n; i++) {
        char text[32];
        iggy_send_message_t m = {0};
        snprintf(text, sizeof text, "m%u", i);
        m.payload = text;
        m.payload_len = strlen(text);
        ck_assert_int_eq(iggy_send_messages(c, &s, &t, &p0, &m, 1, NULL, NULL), IGGY_OK);
    }
}

/* Poll one message at offset from partition 0: IGGY_OK only with exactly that message. */
static iggy_err_t poll_one(iggy_client_t *c, uint64_t offset, iggy_polled_messages_t **batch)
{
    iggy_identifier_t s = iggy_id_name("s"), t = iggy_id_name("t");
    iggy_consumer_ref_t me = {IGGY_CONSUMER_SINGLE, iggy_id_num(1)};
    iggy_polling_strategy_t at = {IGGY_POLL_OFFSET, offset};
    uint32_t p0 = 0;
    iggy_err_t err = iggy_poll_messages_into(c, &me, &s, &t, &p0, &at, 1, false, NULL, batch);
    if (err == IGGY_OK) {
        char want[32];
        snprintf(want, sizeof want, "m%llu", (unsigned long long)offset);
        ck_assert_uint_eq((*batch)->count, 1);
        ck_assert_msg((*batch)->messages[0].offset == offset,
                      "poll at %llu answered with offset %llu: another call's reply",
                      (unsigned long long)offset, (unsigned long long)(*batch)->messages[0].offset);
        ck_assert_uint_eq((*batch)->messages[0].payload_len, strlen(want));
        ck_assert(memcmp((*batch)->messages[0].payload, want, strlen(want)) == 0);
    }
    return err;
}

/* ---------------------------------------------------------------- stale replies */

START_TEST(a_duplicated_reply_never_answers_a_later_call)
{
    iggy_client_t *c;
    iggy_polled_messages_t *batch = NULL;
    uint64_t before;
    int failed = 0;
    iggy_err_t err;
    if (!start("a_duplicated_reply_never_answers_a_later_call"))
        return;
    c = client_with(NULL);
    topic_with_messages(c, 1, 40);
    before = test_client_connects(c);
    /* Polls and reads interleaved, with duplicates of both kinds now and then. */
    for (uint64_t off = 0; off < 40; off++) {
        if (off % 10 == 3)
            ck_assert_int_eq(
                iggy_mock_push_fault(srv.mock, CODE_POLL, 0, IGGY_MOCK_FAULT_DUPLICATE_REPLY, 0, 1),
                IGGY_OK);
        if (off % 10 == 7) {
            ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_GET_ME, 0,
                                                  IGGY_MOCK_FAULT_DUPLICATE_REPLY, 0, 1),
                             IGGY_OK);
            get_me_ok(c);
        }
        /* Correct data (poll_one checks offset and payload) or a refused reply, never
         * another call's data. A duplicate usually waits on the socket before the next
         * request and the client moves to a new connection first; one still in flight then
         * arrives as the next reply and is refused by its request id. */
        err = poll_one(c, off, &batch);
        if (err != IGGY_OK) {
            ck_assert_int_eq(err, IGGY_ERR__BAD_MSG);
            failed++;
        }
    }
    ck_assert_int_le(failed, 8);
    /* Every duplicate cost its connection. */
    ck_assert_uint_ge(test_client_connects(c) - before, 8);
    iggy_result_destroy(batch);
    iggy_client_destroy(c);
    finish();
}
END_TEST

START_TEST(a_reply_to_an_earlier_request_is_rejected)
{
    iggy_client_t *c;
    iggy_polled_messages_t *batch = NULL;
    if (!start("a_reply_to_an_earlier_request_is_rejected"))
        return;
    c = client_with(NULL);
    topic_with_messages(c, 1, 10);
    ck_assert_int_eq(poll_one(c, 4, &batch), IGGY_OK);
    ck_assert_int_eq(
        iggy_mock_push_fault(srv.mock, CODE_POLL, 0, IGGY_MOCK_FAULT_STALE_REPLY, 0, 1), IGGY_OK);
    /* The poll at 5 is answered with the reply to the poll at 4: refused, not delivered. */
    ck_assert_int_eq(poll_one(c, 5, &batch), IGGY_ERR__BAD_MSG);
    assert_detail_has("reply echoes request");
    ck_assert(!c->conns[0].sess.connected);
    for (uint64_t off = 5; off < 10; off++)
        ck_assert_int_eq(poll_one(c, off, &batch), IGGY_OK);
    /* A read answered with the reply of a metadata write is refused the same way. */
    ck_assert_int_eq(iggy_create_stream(c, "other", NULL), IGGY_OK);
    ck_assert_int_eq(
        iggy_mock_push_fault(srv.mock, CODE_GET_ME, 0, IGGY_MOCK_FAULT_STALE_REPLY, 0, 1), IGGY_OK);
    ck_assert_int_eq(get_me(c), IGGY_ERR__BAD_MSG);
    get_me_ok(c);
    iggy_result_destroy(batch);
    iggy_client_destroy(c);
    finish();
}
END_TEST

/* The login reply comes twice: the login itself was answered, and the leader check after it
 * finds the copy on the stream. That costs the connection, not the login: it runs again on a
 * new one (it failed with BAD_MSG before). */
START_TEST(a_duplicated_login_reply_costs_the_connection_not_the_login)
{
    iggy_client_t *c;
    uint64_t before;
    if (!start("a_duplicated_login_reply_costs_the_connection_not_the_login"))
        return;
    c = client_with(NULL);
    get_me_ok(c);
    before = test_client_connects(c);
    ck_assert_int_eq(
        iggy_mock_push_fault(srv.mock, CODE_LOGIN, 0, IGGY_MOCK_FAULT_DUPLICATE_REPLY, 0, 1),
        IGGY_OK);
    ck_assert_msg(iggy_login_user(c, srv.username, srv.password, NULL) == IGGY_OK, "login: %s",
                  iggy_last_error_detail());
    ck_assert_uint_gt(test_client_connects(c), before);
    get_me_ok(c);
    iggy_client_destroy(c);
    finish();
}
END_TEST

/* A leader move under a deadline shorter than the 2 s of 58 replays after which the client
 * re-checks the leader: the re-check comes at half the budget, so the write follows the
 * leader with time to spare (it used to replay 58 until 50 ms before the deadline). */
START_TEST(a_leader_move_is_followed_within_a_short_deadline)
{
    static const char *const props[] = {"request.timeout.ms", "1000", NULL};
    iggy_mock_opts_t o = {0};
    iggy_client_t *c;
    int64_t t0, took;
    o.nodes = 2;
    if (!test_begin_mock_only(&srv, &guard, &o,
                              "a_leader_move_is_followed_within_a_short_deadline"))
        return;
    c = client_with(props);
    ck_assert_int_eq(iggy_create_stream(c, "before", NULL), IGGY_OK);
    ck_assert_int_eq(iggy_mock_set_leader(srv.mock, 1), IGGY_OK);
    t0 = iggy_now_ms();
    ck_assert_msg(iggy_create_stream(c, "after", NULL) == IGGY_OK, "%s", iggy_last_error_detail());
    took = iggy_now_ms() - t0;
    ck_assert_uint_eq(c->conns[0].port, iggy_mock_port(srv.mock, 1));
    ck_assert_msg(took < 800, "followed the leader after %lld ms of a 1000 ms deadline",
                  (long long)took);
    iggy_client_destroy(c);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- reconnect policy */

/* Logins the mock has seen so far. */
static uint64_t logins(void)
{
    return iggy_mock_request_count(srv.mock, CODE_LOGIN);
}

START_TEST(lost_replies_obey_the_reconnect_budget)
{
    static const struct {
        iggy_mock_fault_kind_t kind;
        uint32_t param;
        const char *retries, *timeout;
        iggy_err_t want;
        const char *cause;
    } cases[] = {
        /* Closed inside the header (GetMe has a body: half of it is sent). */
        {IGGY_MOCK_FAULT_CLOSE_MID_REPLY, 0, "0", "3000", IGGY_ERR__TRANSPORT, "closed by peer"},
        {IGGY_MOCK_FAULT_CLOSE_MID_REPLY, 0, "3", "10000", IGGY_ERR__TRANSPORT, "closed by peer"},
        /* No deadline at all: the budget alone ends the call. */
        {IGGY_MOCK_FAULT_CLOSE_MID_REPLY, 0, "2", "0", IGGY_ERR__TRANSPORT, "closed by peer"},
        {IGGY_MOCK_FAULT_RESET_MID_REPLY, 100, "1", "3000", IGGY_ERR__TRANSPORT, "read from"},
        {IGGY_MOCK_FAULT_RESET_MID_REPLY, 300, "1", "3000", IGGY_ERR__TRANSPORT, "read from"},
        /* StaleClient (13) and NoSession (1) evictions: the eviction is the named cause. */
        {IGGY_MOCK_FAULT_EVICT, 13, "2", "3000", IGGY_ERR_STALE_CLIENT, "StaleClient"},
        {IGGY_MOCK_FAULT_EVICT, 1, "2", "0", IGGY_ERR_UNAUTHENTICATED, "NoSession"},
    };
    if (!start("lost_replies_obey_the_reconnect_budget"))
        return;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *props[] = {"reconnect.max.retries",
                               cases[i].retries,
                               "request.timeout.ms",
                               cases[i].timeout,
                               "reconnect.backoff.ms",
                               "40",
                               "reconnect.backoff.max.ms",
                               "400",
                               NULL};
        long retries = strtol(cases[i].retries, NULL, 10);
        iggy_client_t *c = client_with(props);
        uint64_t logins_before;
        int64_t started;
        iggy_err_t err;

        get_me_ok(c); /* connected and logged in */
        logins_before = logins();
        ck_assert_int_eq(
            iggy_mock_push_fault(srv.mock, CODE_GET_ME, 0, cases[i].kind, cases[i].param, 100000),
            IGGY_OK);
        started = iggy_now_ms();
        err = get_me(c);
        ck_assert_msg(err == cases[i].want, "case %zu: %s (%s), want %s", i, iggy_err2name(err),
                      iggy_last_error_detail(), iggy_err2name(cases[i].want));
        assert_detail_has(cases[i].cause);
        /* One login per reconnect the budget allows, no more. */
        ck_assert_msg(logins() - logins_before <= (uint64_t)retries,
                      "case %zu: %llu logins with reconnect.max.retries=%ld", i,
                      (unsigned long long)(logins() - logins_before), retries);
        /* Paced: every reconnect waited its backoff (at least half of 40, 80, ... ms). */
        if (retries >= 2)
            ck_assert_int_ge(iggy_now_ms() - started, 20 + 40);
        iggy_mock_clear_faults(srv.mock);
        get_me_ok(c); /* the next call starts a fresh budget */
        iggy_client_destroy(c);
    }
    finish();
}
END_TEST

/* An outage: the node goes down, a call fails with the refused connection named (and each
 * of `detail`), the node comes back and the next call succeeds. */
static void outage(const char *what, const char *const *props, const char *const *detail)
{
    iggy_client_t *c;
    if (!start(what))
        return;
    c = client_with(props);
    get_me_ok(c);
    ck_assert_int_eq(iggy_mock_set_down(srv.mock, 0), IGGY_OK);
    ck_assert_int_eq(get_me(c), IGGY_ERR__TRANSPORT);
    assert_detail_has("refused");
    for (; *detail; detail++)
        assert_detail_has(*detail);
    ck_assert_int_eq(iggy_mock_set_up(srv.mock, 0), IGGY_OK);
    get_me_ok(c);
    iggy_client_destroy(c);
    finish();
}

START_TEST(a_refused_connection_is_the_named_cause)
{
    static const char *const props[] = {"request.timeout.ms",
                                        "20000",
                                        "reconnect.max.retries",
                                        "3",
                                        "reconnect.backoff.ms",
                                        "20",
                                        NULL};
    static const char *const detail[] = {"reconnect.max.retries", NULL};
    outage("a_refused_connection_is_the_named_cause", props, detail);
}
END_TEST

/* Backoff left by earlier failures never fails a call that has not tried yet: once the server
 * is back, the next call connects even when the backoff (1.5-3 s here) outlasts its deadline. */
START_TEST(a_server_that_is_back_is_used_at_once)
{
    static const char *const props[] = {"request.timeout.ms",
                                        "600",
                                        "reconnect.backoff.ms",
                                        "3000",
                                        "reconnect.backoff.max.ms",
                                        "3000",
                                        "reconnect.max.retries",
                                        "-1",
                                        NULL};
    static const char *const detail[] = {NULL};
    outage("a_server_that_is_back_is_used_at_once", props, detail);
}
END_TEST

/* ---------------------------------------------------------------- statuses */

START_TEST(unknown_statuses_are_not_local_errors)
{
    iggy_client_t *c;
    uint64_t before;
    if (!start("unknown_statuses_are_not_local_errors"))
        return;
    c = client_with(NULL);
    get_me_ok(c);
    before = test_client_connects(c);
    /* 0xFFFFFF3A is -198 as int: IGGY_ERR__TRANSPORT if taken at face value. */
    ck_assert_int_eq(
        iggy_mock_push_fault(srv.mock, CODE_GET_ME, 0, IGGY_MOCK_FAULT_STATUS, 0xFFFFFF3Au, 1),
        IGGY_OK);
    ck_assert_int_eq(get_me(c), IGGY_ERR__UNKNOWN_STATUS);
    assert_detail_has("4294967098");
    ck_assert_int_eq(
        iggy_mock_push_fault(srv.mock, CODE_GET_ME, 0, IGGY_MOCK_FAULT_STATUS, 70000u, 1), IGGY_OK);
    ck_assert_int_eq(get_me(c), IGGY_ERR__UNKNOWN_STATUS);
    assert_detail_has("70000");
    /* The same through a metadata write's result section. */
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_CREATE_STREAM, 0, IGGY_MOCK_FAULT_REJECT,
                                          0xFFFFFF3Au, 1),
                     IGGY_OK);
    ck_assert_int_eq(iggy_create_stream(c, "s", NULL), IGGY_ERR__UNKNOWN_STATUS);
    assert_detail_has("4294967098");
    /* A status of the table keeps its meaning. */
    ck_assert_int_eq(
        iggy_mock_push_fault(srv.mock, CODE_GET_ME, 0, IGGY_MOCK_FAULT_STATUS, 1009u, 1), IGGY_OK);
    ck_assert_int_eq(get_me(c), IGGY_ERR_STREAM_ID_NOT_FOUND);
    /* The connection was fine all along. */
    get_me_ok(c);
    ck_assert_uint_eq(test_client_connects(c), before);
    iggy_client_destroy(c);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- consumer groups */

static iggy_err_t group_poll(iggy_client_t *c, const char *group, iggy_polled_messages_t **batch)
{
    iggy_identifier_t s = iggy_id_name("s"), t = iggy_id_name("t");
    iggy_consumer_ref_t g = {IGGY_CONSUMER_GROUP, iggy_id_name(group)};
    iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
    return iggy_poll_messages_into(c, &g, &s, &t, NULL, &first, 10, false, NULL, batch);
}

START_TEST(consumer_groups_survive_a_restart)
{
    iggy_identifier_t s = iggy_id_name("s"), t = iggy_id_name("t"), g = iggy_id_name("g");
    iggy_polled_messages_t *batch = NULL;
    iggy_client_t *c;
    uint64_t joins;
    if (!start("consumer_groups_survive_a_restart"))
        return;
    c = client_with(NULL);
    topic_with_messages(c, 2, 5);
    ck_assert_int_eq(iggy_create_consumer_group(c, &s, &t, "g", NULL), IGGY_OK);
    ck_assert_int_eq(iggy_create_consumer_group(c, &s, &t, "never-joined", NULL), IGGY_OK);
    ck_assert_int_eq(iggy_join_consumer_group(c, &s, &t, &g), IGGY_OK);
    ck_assert_int_eq(group_poll(c, "g", &batch), IGGY_OK);

    for (int restart = 0; restart < 2; restart++) {
        joins = iggy_mock_request_count(srv.mock, CODE_JOIN_GROUP);
        /* The server restarts with its state, but without the sessions (and memberships). */
        ck_assert_int_eq(iggy_mock_set_down(srv.mock, 0), IGGY_OK);
        ck_assert_int_eq(iggy_mock_set_up(srv.mock, 0), IGGY_OK);
        for (int i = 0; i < 3; i++)
            ck_assert_int_eq(group_poll(c, "g", &batch), IGGY_OK);
        ck_assert_uint_eq(iggy_mock_request_count(srv.mock, CODE_JOIN_GROUP), joins + 1);
    }
    /* Membership is only restored, never invented. */
    ck_assert_int_eq(group_poll(c, "never-joined", &batch),
                     IGGY_ERR_CONSUMER_GROUP_MEMBER_NOT_FOUND);

    /* A member the server forgot without a new session (5006): one re-join, one retry. */
    joins = iggy_mock_request_count(srv.mock, CODE_JOIN_GROUP);
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_POLL, 0, IGGY_MOCK_FAULT_STATUS,
                                          IGGY_ERR_CONSUMER_GROUP_MEMBER_NOT_FOUND, 1),
                     IGGY_OK);
    ck_assert_int_eq(group_poll(c, "g", &batch), IGGY_OK);
    ck_assert_uint_eq(iggy_mock_request_count(srv.mock, CODE_JOIN_GROUP), joins + 1);

    /* After leaving, a restart brings no membership back. */
    ck_assert_int_eq(iggy_leave_consumer_group(c, &s, &t, &g), IGGY_OK);
    ck_assert_int_eq(iggy_mock_set_down(srv.mock, 0), IGGY_OK);
    ck_assert_int_eq(iggy_mock_set_up(srv.mock, 0), IGGY_OK);
    ck_assert_int_eq(group_poll(c, "g", &batch), IGGY_ERR_CONSUMER_GROUP_MEMBER_NOT_FOUND);
    iggy_result_destroy(batch);
    iggy_client_destroy(c);
    finish();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("faults");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, a_duplicated_reply_never_answers_a_later_call);
    tcase_add_test(tc, a_reply_to_an_earlier_request_is_rejected);
    tcase_add_test(tc, a_duplicated_login_reply_costs_the_connection_not_the_login);
    tcase_add_test(tc, a_leader_move_is_followed_within_a_short_deadline);
    tcase_add_test(tc, lost_replies_obey_the_reconnect_budget);
    tcase_add_test(tc, a_refused_connection_is_the_named_cause);
    tcase_add_test(tc, a_server_that_is_back_is_used_at_once);
    tcase_add_test(tc, unknown_statuses_are_not_local_errors);
    tcase_add_test(tc, consumer_groups_survive_a_restart);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
