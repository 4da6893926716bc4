/* The client end to end over TCP against the built-in mock server (or IGGY_TEST_SERVER):
 * sessions, reconnects, heartbeats, every injected fault, TLS, leader redirection,
 * threads, destroy while calls are blocked, and no leaked buffers, fds or threads. */
#include <check.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <iggy/iggy.h>
#include <iggy/mock.h>

#include "client/iggy_client_internal.h"
#include "codec/iggy_codec.h"
#include "test_main.h"
#include "test_pki.h"
#include "test_server.h"

/* ---- small RPC helpers (the public per-command API arrives with the command issue) */

static iggy_err_t get_me(iggy_client_t *c, iggy_client_info_t **out)
{
    iggy_rpc_t rpc;
    iggy_err_t err = iggy_rpc_begin(c, IGGY_CMD_GET_ME, &rpc);
    return err ? err : iggy_rpc_end(&rpc, (void **)out);
}

static iggy_err_t create_stream(iggy_client_t *c, const char *name)
{
    iggy_rpc_t rpc;
    iggy_stream_t *s = NULL;
    iggy_err_t err = iggy_rpc_begin(c, IGGY_CMD_CREATE_STREAM, &rpc);
    if (err)
        return err;
    iggy_enc_create_stream(&rpc.w, name, NULL, 0);
    err = iggy_rpc_end(&rpc, (void **)&s);
    iggy_result_destroy(s);
    return err;
}

static iggy_err_t delete_stream(iggy_client_t *c, const char *name)
{
    iggy_rpc_t rpc;
    iggy_identifier_t id = iggy_id_name(name);
    iggy_err_t err = iggy_rpc_begin(c, IGGY_CMD_DELETE_STREAM, &rpc);
    if (err)
        return err;
    iggy_enc_stream_ref(&rpc.w, &id);
    return iggy_rpc_end(&rpc, NULL);
}

static iggy_err_t create_topic(iggy_client_t *c, const char *stream, const char *name,
                               uint32_t partitions)
{
    iggy_rpc_t rpc;
    iggy_topic_t *t = NULL;
    iggy_identifier_t sid = iggy_id_name(stream);
    iggy_err_t err = iggy_rpc_begin(c, IGGY_CMD_CREATE_TOPIC, &rpc);
    if (err)
        return err;
    iggy_enc_create_topic(&rpc.w, &sid, partitions, name, NULL, 0);
    err = iggy_rpc_end(&rpc, (void **)&t);
    iggy_result_destroy(t);
    return err;
}

static iggy_err_t group_call(iggy_client_t *c, iggy_cmd_t cmd, const char *stream,
                             const char *topic, const char *group, void **out)
{
    iggy_rpc_t rpc;
    iggy_identifier_t s = iggy_id_name(stream), t = iggy_id_name(topic), g = iggy_id_name(group);
    iggy_err_t err = iggy_rpc_begin(c, cmd, &rpc);
    if (err)
        return err;
    if (cmd == IGGY_CMD_CREATE_CONSUMER_GROUP)
        iggy_enc_create_consumer_group(&rpc.w, &s, &t, group);
    else
        iggy_enc_group_ref(&rpc.w, &s, &t, &g);
    return iggy_rpc_end(&rpc, out);
}

static uint64_t pool_in_use(iggy_client_t *c)
{
    iggy_pool_stats_t st;
    iggy_pool_get_stats(c->pool, &st);
    return st.in_use;
}

/* Every test: a server, and no fds or threads left behind at the end. */
static test_server_t srv;
static test_leak_guard_t guard;

static void start(const iggy_mock_opts_t *opts)
{
    test_begin(&srv, &guard, opts);
}

static void finish(void)
{
    test_end(&srv, &guard);
}

/* Start the mock for a test that needs it; false (after SKIPPED and cleanup) against a
 * real server. */
static bool start_mock_only(const iggy_mock_opts_t *opts, const char *what)
{
    return test_begin_mock_only(&srv, &guard, opts, what);
}

static iggy_client_t *client_with(bool login, const char *const *props)
{
    return test_client_with(&srv, login, props);
}

static void destroy_client(iggy_client_t *c)
{
    ck_assert_uint_eq(pool_in_use(c), 0);
    iggy_client_destroy(c);
}

/* ---------------------------------------------------------------- sessions */

START_TEST(ping_login_logout)
{
    iggy_client_t *c;
    iggy_login_result_t *lr = NULL;
    iggy_client_info_t *me = NULL;
    start(NULL);
    c = test_client(&srv, false);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK); /* before login */
    ck_assert_int_eq(get_me(c, &me), IGGY_ERR_UNAUTHENTICATED);
    ck_assert_int_eq(iggy_login_user(c, srv.username, srv.password, &lr), IGGY_OK);
    ck_assert_uint_gt(lr->session, 0);
    ck_assert_ptr_nonnull(lr->server_version);
    ck_assert_int_eq(get_me(c, &me), IGGY_OK);
    ck_assert_uint_eq(me->user_id, lr->user_id);
    iggy_result_destroy(me);
    me = NULL;
    ck_assert_int_eq(iggy_logout_user(c), IGGY_OK);
    ck_assert_int_eq(get_me(c, &me), IGGY_ERR_UNAUTHENTICATED);
    /* A new login after logout uses a fresh client id and gets a new session. */
    {
        iggy_login_result_t *again = NULL;
        iggy_u128_t before = c->conns[0].sess.client_id;
        ck_assert_int_eq(iggy_login_user(c, srv.username, srv.password, &again), IGGY_OK);
        ck_assert(again->session != lr->session);
        ck_assert(before.lo != c->conns[0].sess.client_id.lo ||
                  before.hi != c->conns[0].sess.client_id.hi);
        iggy_result_destroy(again);
    }
    iggy_result_destroy(lr);
    destroy_client(c);
    finish();
}
END_TEST

/* A login on a connection that is already logged in: the server would answer with the
 * connection's existing session, so the client logs out first and the new session's request
 * ids start again at 1. Without the logout, a metadata write after the second login repeats
 * an id at or below the old session's watermark and the server drops it silently (a timeout;
 * found by check_alloc_torture). */
START_TEST(a_second_login_on_a_logged_in_connection)
{
    static const char *const props[] = {"request.timeout.ms", "3000", NULL};
    iggy_client_t *c;
    iggy_login_result_t *first = NULL, *second = NULL;
    char a[64], b[64], d[64];
    start(NULL);
    snprintf(a, sizeof a, "%s", test_unique_name("relogin-a"));
    snprintf(b, sizeof b, "%s", test_unique_name("relogin-b"));
    snprintf(d, sizeof d, "%s", test_unique_name("relogin-c"));
    c = client_with(false, props);
    ck_assert_int_eq(iggy_login_user(c, srv.username, srv.password, &first), IGGY_OK);
    ck_assert_int_eq(create_stream(c, a), IGGY_OK);
    ck_assert_int_eq(create_stream(c, b), IGGY_OK);
    ck_assert_int_eq(iggy_login_user(c, srv.username, srv.password, &second), IGGY_OK);
    ck_assert(second->session != first->session);
    ck_assert_int_eq(create_stream(c, d), IGGY_OK);
    ck_assert_int_eq(delete_stream(c, a), IGGY_OK);
    ck_assert_int_eq(delete_stream(c, b), IGGY_OK);
    ck_assert_int_eq(delete_stream(c, d), IGGY_OK);
    iggy_result_destroy(first);
    iggy_result_destroy(second);
    destroy_client(c);
    finish();
}
END_TEST

static const iggy_command_stats_t *command_stats(const iggy_client_stats_t *st, uint32_t code)
{
    for (size_t i = 0; i < st->commands_count; i++)
        if (st->commands[i].code == code)
            return &st->commands[i];
    return NULL;
}

START_TEST(client_stats_count_what_happened)
{
    iggy_client_t *c;
    iggy_client_info_t *me = NULL;
    iggy_client_stats_t *st = NULL;
    const iggy_command_stats_t *ping, *getme, *create;
    start(NULL);
    c = client_with(true, NULL);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    ck_assert_int_eq(get_me(c, &me), IGGY_OK);
    iggy_result_destroy(me);
    ck_assert_int_eq(create_stream(c, test_unique_name("stats")), IGGY_OK);
    ck_assert_int_eq(create_stream(c, ""), IGGY_ERR__INVALID_ARG); /* never sent */
    ck_assert_int_eq(iggy_client_stats(c, &st), IGGY_OK);
    ping = command_stats(st, 1);
    getme = command_stats(st, 20);
    create = command_stats(st, 202);
    ck_assert_ptr_nonnull(ping);
    ck_assert_ptr_nonnull(getme);
    ck_assert_ptr_nonnull(create);
    ck_assert_uint_eq(ping->requests, 3);
    ck_assert_uint_eq(ping->errors, 0);
    ck_assert_str_eq(ping->name, "Ping");
    ck_assert_uint_eq(getme->requests, 1);
    ck_assert_uint_eq(create->requests, 2);
    ck_assert_uint_eq(create->errors, 1);
    ck_assert_uint_ge(st->requests, 6);
    ck_assert_uint_eq(st->errors, 1);
    ck_assert_uint_eq(st->connects, 1);
    ck_assert_uint_ge(st->bytes_sent, 5 * 256);
    ck_assert_uint_ge(st->bytes_received, 5 * 256);
    ck_assert_uint_gt(st->rtt_max_us, 0);
    ck_assert_uint_le(st->rtt_avg_us, st->rtt_max_us);
    ck_assert_uint_eq(st->pool_in_use, 0);
    ck_assert_uint_gt(st->pool_borrows, 0);
    iggy_result_destroy(st);
    destroy_client(c);
    finish();
}
END_TEST

START_TEST(wrong_password)
{
    iggy_client_t *c;
    start(NULL);
    c = test_client(&srv, false);
    ck_assert_int_eq(iggy_login_user(c, srv.username, "definitely-wrong", NULL),
                     IGGY_ERR_INVALID_CREDENTIALS);
    ck_assert(iggy_err_is_fatal(IGGY_ERR_INVALID_CREDENTIALS));
    /* The eviction closed the connection; the client reconnects for the next call. */
    ck_assert_int_eq(iggy_login_user(c, srv.username, srv.password, NULL), IGGY_OK);
    destroy_client(c);
    finish();
}
END_TEST

START_TEST(incompatible_protocol_version)
{
    iggy_client_t *c;
    iggy_rpc_t rpc;
    void *out = NULL;
    start(NULL);
    c = test_client(&srv, false);
    ck_assert_int_eq(iggy_rpc_begin(c, IGGY_CMD_LOGIN_REGISTER, &rpc), IGGY_OK);
    /* 0.9.0 packed: the server accepts only 0.11.x. */
    iggy_enc_login_register(&rpc.w, 0x2400, "c-sdk", "0.1.0", srv.username, srv.password);
    ck_assert_int_eq(iggy_rpc_end(&rpc, &out), IGGY_ERR_INCOMPATIBLE_PROTOCOL_VERSION);
    ck_assert_ptr_nonnull(strstr(iggy_last_error_detail(), "0.11.0"));
    ck_assert_ptr_null(out);
    destroy_client(c);
    finish();
}
END_TEST

START_TEST(auto_login_from_conf_and_connection_string)
{
    iggy_client_t *c;
    iggy_client_info_t *me = NULL;
    iggy_conf_t *conf;
    char cs[1024], err[256];
    start(NULL);
    c = client_with(true, NULL);
    ck_assert_int_eq(get_me(c, &me), IGGY_OK); /* connects and logs in on first use */
    iggy_result_destroy(me);
    me = NULL;
    destroy_client(c);

    snprintf(cs, sizeof cs, "iggy+tcp://%s:%s@%s?heartbeat_interval=1s", srv.username, srv.password,
             srv.addr);
    ck_assert_int_eq(iggy_conf_new(&conf), IGGY_OK);
    ck_assert_int_eq(iggy_conf_set_connection_string(conf, cs, err, sizeof err), IGGY_OK);
    ck_assert_int_eq(iggy_client_new(conf, &c, err, sizeof err), IGGY_OK);
    iggy_conf_destroy(conf);
    me = NULL;
    ck_assert_int_eq(get_me(c, &me), IGGY_OK);
    iggy_result_destroy(me);
    me = NULL;
    destroy_client(c);
    finish();
}
END_TEST

START_TEST(reconnect_after_restart_relogs_in)
{
    iggy_client_t *c;
    iggy_client_info_t *me = NULL;
    uint64_t first_session;
    if (!start_mock_only(NULL, "reconnect_after_restart_relogs_in"))
        return;
    c = test_client(&srv, false);
    ck_assert_int_eq(iggy_login_user(c, srv.username, srv.password, NULL), IGGY_OK);
    first_session = c->conns[0].sess.session;
    ck_assert_int_eq(iggy_mock_set_down(srv.mock, 0), IGGY_OK);
    ck_assert_int_eq(iggy_mock_set_up(srv.mock, 0), IGGY_OK);
    /* The old connection is dead; the read is retried on a new one, logged in again. */
    ck_assert_int_eq(get_me(c, &me), IGGY_OK);
    ck_assert_uint_ne(c->conns[0].sess.session, first_session);
    iggy_result_destroy(me);
    me = NULL;
    destroy_client(c);
    finish();
}
END_TEST

START_TEST(server_down_gives_an_error_within_the_deadline)
{
    static const char *const props[] = {"request.timeout.ms", "800", "reconnect.backoff.ms", "50",
                                        NULL};
    iggy_client_t *c;
    int64_t t0;
    iggy_err_t err;
    if (!start_mock_only(NULL, "server_down_gives_an_error_within_the_deadline"))
        return;
    c = client_with(true, props);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    ck_assert_int_eq(iggy_mock_set_down(srv.mock, 0), IGGY_OK);
    t0 = iggy_now_ms();
    err = iggy_ping(c);
    ck_assert_msg(err == IGGY_ERR__TIMED_OUT || err == IGGY_ERR__TRANSPORT, "got %s",
                  iggy_err2name(err));
    ck_assert_int_lt(iggy_now_ms() - t0, 800 + 500);
    ck_assert_int_eq(iggy_mock_set_up(srv.mock, 0), IGGY_OK);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    destroy_client(c);
    finish();
}
END_TEST

START_TEST(bounded_reconnect_retries_give_up_early)
{
    static const char *const props[] = {"request.timeout.ms",
                                        "10000",
                                        "reconnect.backoff.ms",
                                        "20",
                                        "reconnect.backoff.max.ms",
                                        "40",
                                        "reconnect.max.retries",
                                        "2",
                                        NULL};
    iggy_client_t *c;
    int64_t t0;
    if (!start_mock_only(NULL, "bounded_reconnect_retries_give_up_early"))
        return;
    c = client_with(true, props);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    ck_assert_int_eq(iggy_mock_set_down(srv.mock, 0), IGGY_OK);
    /* The dropped connection is noticed by the first ping; the next one reconnects:
     * three refused attempts with 20-40 ms pauses, long before the 10 s deadline. */
    (void)iggy_ping(c);
    t0 = iggy_now_ms();
    ck_assert_int_eq(iggy_ping(c), IGGY_ERR__TRANSPORT);
    ck_assert_ptr_nonnull(strstr(iggy_last_error_detail(), "refused"));
    ck_assert_int_lt(iggy_now_ms() - t0, 2000);
    ck_assert_int_eq(iggy_mock_set_up(srv.mock, 0), IGGY_OK);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    destroy_client(c);
    finish();
}
END_TEST

START_TEST(heartbeat_keeps_a_group_member_alive)
{
    iggy_mock_opts_t o = {0};
    static const char *const with_hb[] = {"heartbeat.interval.ms", "200", NULL};
    static const char *const without_hb[] = {"heartbeat.interval.ms", "0", NULL};
    iggy_client_t *alive, *silent;
    iggy_group_assignment_t *a = NULL;
    o.heartbeat_timeout_ms = 1000;
    if (!start_mock_only(&o, "heartbeat_keeps_a_group_member_alive (short window)"))
        return;
    alive = client_with(true, with_hb);
    silent = client_with(true, without_hb);
    ck_assert_int_eq(create_stream(alive, "hb"), IGGY_OK);
    ck_assert_int_eq(create_topic(alive, "hb", "t", 2), IGGY_OK);
    ck_assert_int_eq(group_call(alive, IGGY_CMD_CREATE_CONSUMER_GROUP, "hb", "t", "g", NULL),
                     IGGY_OK);
    ck_assert_int_eq(group_call(alive, IGGY_CMD_JOIN_CONSUMER_GROUP, "hb", "t", "g", NULL),
                     IGGY_OK);
    ck_assert_int_eq(group_call(silent, IGGY_CMD_JOIN_CONSUMER_GROUP, "hb", "t", "g", NULL),
                     IGGY_OK);
    test_sleep_ms(2500); /* well past the 1 s eviction window */
    /* The pinging member kept its session and its membership. */
    ck_assert_uint_eq(iggy_mock_connection_count(srv.mock), 1);
    ck_assert_int_eq(group_call(alive, IGGY_CMD_SYNC_CONSUMER_GROUP, "hb", "t", "g", (void **)&a),
                     IGGY_OK);
    ck_assert_uint_eq(a->partitions_count, 2); /* the evicted member's share came back */
    iggy_result_destroy(a);
    destroy_client(alive);
    destroy_client(silent);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- faults */

typedef struct fault_case {
    iggy_mock_fault_kind_t kind;
    uint32_t param;
    iggy_err_t want; /* for a read (GetMe) */
} fault_case_t;

START_TEST(every_fault_gives_its_error_without_hanging)
{
    static const char *const props[] = {"request.timeout.ms", "700", NULL};
    static const fault_case_t CASES[] = {
        {IGGY_MOCK_FAULT_STATUS, 1009, IGGY_ERR_STREAM_ID_NOT_FOUND},
        {IGGY_MOCK_FAULT_DELAY, 2000, IGGY_ERR__TIMED_OUT},
        {IGGY_MOCK_FAULT_TRUNCATED, 0, IGGY_ERR__TIMED_OUT},
        {IGGY_MOCK_FAULT_OVERSIZED, 0, IGGY_ERR__BAD_MSG},
        {IGGY_MOCK_FAULT_GARBAGE, 0, IGGY_ERR__BAD_MSG},
        {IGGY_MOCK_FAULT_STALL, 0, IGGY_ERR__TIMED_OUT},
    };
    iggy_client_t *c;
    if (!start_mock_only(NULL, "every_fault_gives_its_error_without_hanging"))
        return;
    /* Retrying a read on a new connection would hide the fault: one attempt only. */
    c = client_with(true, props);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        iggy_client_info_t *me = NULL;
        int64_t t0 = iggy_now_ms();
        iggy_err_t err;
        ck_assert_int_eq(iggy_mock_push_fault(srv.mock, 20, 0, CASES[i].kind, CASES[i].param, 1),
                         IGGY_OK);
        err = get_me(c, &me);
        iggy_mock_clear_faults(srv.mock);
        ck_assert_msg(err == CASES[i].want, "fault %d: got %s (%s), want %s", CASES[i].kind,
                      iggy_err2name(err), iggy_last_error_detail(), iggy_err2name(CASES[i].want));
        ck_assert_msg(iggy_last_error_detail()[0] != '\0', "fault %d: no detail", CASES[i].kind);
        ck_assert_int_lt(iggy_now_ms() - t0, 700 + 700);
        ck_assert_ptr_null(me);
        ck_assert_uint_eq(pool_in_use(c), 0);
        /* The client recovers on the next call. */
        ck_assert_int_eq(get_me(c, &me), IGGY_OK);
        iggy_result_destroy(me);
        me = NULL;
    }
    destroy_client(c);
    finish();
}
END_TEST

START_TEST(closed_connection_retries_reads_but_not_writes)
{
    iggy_client_t *c;
    iggy_client_info_t *me = NULL;
    if (!start_mock_only(NULL, "closed_connection_retries_reads_but_not_writes"))
        return;
    c = client_with(true, NULL);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    /* A read is idempotent: retried on a new connection, logged in again. */
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, 20, 0, IGGY_MOCK_FAULT_CLOSE, 0, 1), IGGY_OK);
    ck_assert_int_eq(get_me(c, &me), IGGY_OK);
    iggy_result_destroy(me);
    me = NULL;
    /* An eviction ends the session; a read is retried on a new, logged-in connection. */
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, 20, 0, IGGY_MOCK_FAULT_EVICT, 13, 1), IGGY_OK);
    ck_assert_int_eq(get_me(c, &me), IGGY_OK);
    iggy_result_destroy(me);
    me = NULL;
    /* A write is not: the eviction surfaces as StaleClient. */
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, 202, 0, IGGY_MOCK_FAULT_EVICT, 13, 1), IGGY_OK);
    ck_assert_int_eq(create_stream(c, "evicted"), IGGY_ERR_STALE_CLIENT);
    /* A metadata write whose outcome is unknown is never replayed on a new connection. */
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, 202, 0, IGGY_MOCK_FAULT_CLOSE_MID_REPLY, 0, 1),
                     IGGY_OK);
    ck_assert_int_eq(create_stream(c, "once"), IGGY_ERR__TRANSPORT);
    ck_assert_uint_eq(iggy_mock_request_count(srv.mock, 202), 2);
    destroy_client(c);
    finish();
}
END_TEST

START_TEST(transient_57_replays_the_same_request)
{
    iggy_client_t *c;
    if (!start_mock_only(NULL, "transient_57_replays_the_same_request"))
        return;
    c = client_with(true, NULL);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, 202, 0, IGGY_MOCK_FAULT_REJECT, 57, 3),
                     IGGY_OK);
    ck_assert_int_eq(create_stream(c, "replayed"), IGGY_OK);
    ck_assert_uint_eq(iggy_mock_request_count(srv.mock, 202), 4);
    /* Applied exactly once: a second create reports the name as taken. */
    ck_assert_int_eq(create_stream(c, "replayed"), IGGY_ERR_STREAM_NAME_ALREADY_EXISTS);
    destroy_client(c);
    finish();
}
END_TEST

START_TEST(transient_58_until_the_deadline)
{
    static const char *const props[] = {"request.timeout.ms", "600", NULL};
    iggy_client_t *c;
    int64_t t0;
    if (!start_mock_only(NULL, "transient_58_until_the_deadline"))
        return;
    c = client_with(true, props);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, 202, 0, IGGY_MOCK_FAULT_REJECT, 58, 1000),
                     IGGY_OK);
    t0 = iggy_now_ms();
    ck_assert_int_eq(create_stream(c, "never"), IGGY_ERR_TRANSIENT_NOT_ACCEPTED);
    ck_assert_int_lt(iggy_now_ms() - t0, 600 + 500);
    ck_assert_uint_gt(iggy_mock_request_count(srv.mock, 202), 1);
    iggy_mock_clear_faults(srv.mock);
    destroy_client(c);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- TLS */

static int g_tls_warnings;

static void count_warnings(int level, const char *facility, const char *msg, void *opaque)
{
    (void)facility;
    (void)opaque;
    if (level == IGGY_LOG_WARNING && strstr(msg, "verification is OFF"))
        g_tls_warnings++;
}

START_TEST(tls_with_a_generated_ca)
{
    test_pki_t pki;
    iggy_mock_opts_t o = {0};
    iggy_client_t *c;
    iggy_client_info_t *me = NULL;
    const char *ok[] = {
        "tls.enabled",        "true", "tls.ca.file", NULL, "tls.server.name", "localhost",
        "request.timeout.ms", "3000", NULL};
    const char *wrong_host[] = {"tls.enabled",
                                "true",
                                "tls.ca.file",
                                NULL,
                                "tls.server.name",
                                "wrong.example",
                                "request.timeout.ms",
                                "1000",
                                "reconnect.max.retries",
                                "0",
                                NULL};
    const char *untrusted[] = {
        "tls.enabled",           "true", "tls.ca.file", NULL, "request.timeout.ms", "1000",
        "reconnect.max.retries", "0",    NULL};
    const char *no_verify[] = {"tls.enabled", "true", "tls.verify", "false", NULL};
    iggy_conf_t *conf;
    char err[256];

    if (getenv("IGGY_TEST_SERVER")) {
        printf("SKIPPED tls_with_a_generated_ca: needs the mock server with a test CA\n");
        return;
    }
    test_pki_create(&pki);
    o.tls_cert_file = pki.cert_path;
    o.tls_key_file = pki.key_path;
    start(&o);
    ok[3] = wrong_host[3] = pki.ca_path;
    untrusted[3] = pki.other_ca_path;

    c = client_with(true, ok);
    ck_assert_int_eq(get_me(c, &me), IGGY_OK);
    iggy_result_destroy(me);
    me = NULL;
    destroy_client(c);

    /* The trust settings are read once per client: a CA file that disappears after the
     * client was made does not break its reconnects. */
    {
        char ca_copy[] = "/tmp/iggy-ca-XXXXXX";
        const char *once[] = {"tls.enabled",     "true",      "tls.ca.file", ca_copy,
                              "tls.server.name", "localhost", NULL};
        FILE *in = fopen(pki.ca_path, "rb"), *out;
        char buf[8192];
        size_t n;
        int fd = mkstemp(ca_copy);
        ck_assert_int_ge(fd, 0);
        out = fdopen(fd, "wb");
        ck_assert_ptr_nonnull(in);
        ck_assert_ptr_nonnull(out);
        while ((n = fread(buf, 1, sizeof buf, in)) > 0)
            ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
        fclose(in);
        fclose(out);
        c = client_with(true, once);
        unlink(ca_copy);
        ck_assert_int_eq(iggy_ping(c), IGGY_OK);
        ck_assert_int_eq(iggy_mock_set_down(srv.mock, 0), IGGY_OK);
        ck_assert_int_eq(iggy_mock_set_up(srv.mock, 0), IGGY_OK);
        ck_assert_int_eq(get_me(c, &me), IGGY_OK);
        iggy_result_destroy(me);
        me = NULL;
        ck_assert_uint_ge(c->conns[0].counters.connects, 2);
        destroy_client(c);
    }

    c = client_with(true, wrong_host);
    ck_assert_int_eq(iggy_ping(c), IGGY_ERR__TLS_VERIFY);
    ck_assert_ptr_nonnull(strstr(iggy_last_error_detail(), "hostname mismatch"));
    destroy_client(c);

    c = client_with(true, untrusted);
    ck_assert_int_eq(iggy_ping(c), IGGY_ERR__TLS_VERIFY);
    ck_assert_ptr_nonnull(strstr(iggy_last_error_detail(), "verif"));
    destroy_client(c);

    /* Retrying cannot make a certificate verify: even with unlimited retries and a long
     * deadline the call fails at once, not when the deadline passes. */
    {
        const char *patient[] = {"tls.enabled",
                                 "true",
                                 "tls.ca.file",
                                 pki.other_ca_path,
                                 "request.timeout.ms",
                                 "30000",
                                 "reconnect.max.retries",
                                 "-1",
                                 NULL};
        int64_t started = iggy_now_ms();
        c = client_with(true, patient);
        ck_assert_int_eq(iggy_ping(c), IGGY_ERR__TLS_VERIFY);
        ck_assert_int_lt(iggy_now_ms() - started, 5000);
        destroy_client(c);
    }

    /* Turning verification off is explicit and logged. */
    conf = test_conf(&srv, true, no_verify);
    iggy_conf_set_log_cb(conf, count_warnings, NULL);
    g_tls_warnings = 0;
    ck_assert_int_eq(iggy_client_new(conf, &c, err, sizeof err), IGGY_OK);
    iggy_conf_destroy(conf);
    ck_assert_int_eq(g_tls_warnings, 1);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    destroy_client(c);

    finish();
    test_pki_destroy(&pki);
}
END_TEST

/* socket.nodelay decides TCP_NODELAY on every connection the client opens. */
START_TEST(socket_nodelay_is_honoured)
{
    static const char *const on[] = {"socket.nodelay", "true", NULL};
    static const char *const off[] = {"socket.nodelay", "false", NULL};
    const char *const *which[] = {on, off};
    start(NULL);
    for (int i = 0; i < 2; i++) {
        iggy_client_t *c = client_with(true, which[i]);
        int flag = -1;
        socklen_t len = sizeof flag;
        ck_assert_int_eq(iggy_ping(c), IGGY_OK);
        ck_assert_int_eq(getsockopt(c->conns[0].fd, IPPROTO_TCP, TCP_NODELAY, &flag, &len), 0);
        ck_assert_int_eq(flag != 0, i == 0);
        destroy_client(c);
    }
    finish();
}
END_TEST

/* ---------------------------------------------------------------- cluster */

START_TEST(leader_redirection_and_moves)
{
    iggy_mock_opts_t o = {0};
    const char *props[] = {"bootstrap.servers", NULL, NULL};
    iggy_client_t *c;
    o.nodes = 3;
    if (!start_mock_only(&o, "leader_redirection_and_moves"))
        return;
    /* Seed with a follower: the client settles on the leader (node 0) after login. */
    props[1] = iggy_mock_address(srv.mock, 1);
    c = client_with(true, props);
    ck_assert_int_eq(create_stream(c, "s1"), IGGY_OK);
    ck_assert_uint_eq(c->conns[0].port, iggy_mock_port(srv.mock, 0));
    /* Move the leader: the next write gets 58, the client re-checks and follows. */
    ck_assert_int_eq(iggy_mock_set_leader(srv.mock, 2), IGGY_OK);
    ck_assert_int_eq(create_stream(c, "s2"), IGGY_OK);
    ck_assert_uint_eq(c->conns[0].port, iggy_mock_port(srv.mock, 2));
    ck_assert_int_eq(delete_stream(c, "s1"), IGGY_OK);
    destroy_client(c);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- threads */

#define THREADS 16
#define CALLS 200

static void *hammer(void *arg)
{
    iggy_client_t *c = arg;
    intptr_t failures = 0;
    for (int i = 0; i < CALLS; i++) {
        iggy_client_info_t *me = NULL;
        if (get_me(c, &me) != IGGY_OK || !me)
            failures++;
        iggy_result_destroy(me);
        me = NULL;
    }
    return (void *)failures;
}

START_TEST(sixteen_threads_share_one_client)
{
    pthread_t t[THREADS];
    iggy_client_t *c;
    start(NULL);
    c = client_with(true, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, hammer, c);
    for (int i = 0; i < THREADS; i++) {
        void *failures;
        pthread_join(t[i], &failures);
        ck_assert_ptr_null(failures);
    }
    destroy_client(c);
    finish();
}
END_TEST

static void *blocked_call(void *arg)
{
    iggy_client_t *c = arg;
    iggy_client_info_t *me = NULL;
    iggy_err_t err = get_me(c, &me);
    iggy_result_destroy(me);
    me = NULL;
    return (void *)(intptr_t)err;
}

START_TEST(destroy_while_calls_are_blocked)
{
    pthread_t t[4];
    iggy_client_t *c;
    if (!start_mock_only(NULL, "destroy_while_calls_are_blocked"))
        return;
    c = client_with(true, NULL);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, 20, 0, IGGY_MOCK_FAULT_STALL, 0, 100), IGGY_OK);
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, blocked_call, c);
    test_sleep_ms(300); /* one thread stalls in I/O, three wait for the connection */
    iggy_client_destroy(c);
    for (int i = 0; i < 4; i++) {
        void *err;
        pthread_join(t[i], &err);
        ck_assert_int_eq((iggy_err_t)(intptr_t)err, IGGY_ERR__DESTROYED);
    }
    finish();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("client");
    TCase *tc = tcase_create("e2e");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ping_login_logout);
    tcase_add_test(tc, a_second_login_on_a_logged_in_connection);
    tcase_add_test(tc, client_stats_count_what_happened);
    tcase_add_test(tc, wrong_password);
    tcase_add_test(tc, incompatible_protocol_version);
    tcase_add_test(tc, auto_login_from_conf_and_connection_string);
    tcase_add_test(tc, reconnect_after_restart_relogs_in);
    tcase_add_test(tc, server_down_gives_an_error_within_the_deadline);
    tcase_add_test(tc, bounded_reconnect_retries_give_up_early);
    tcase_add_test(tc, heartbeat_keeps_a_group_member_alive);
    tcase_add_test(tc, every_fault_gives_its_error_without_hanging);
    tcase_add_test(tc, closed_connection_retries_reads_but_not_writes);
    tcase_add_test(tc, transient_57_replays_the_same_request);
    tcase_add_test(tc, transient_58_until_the_deadline);
    tcase_add_test(tc, tls_with_a_generated_ca);
    tcase_add_test(tc, socket_nodelay_is_honoured);
    tcase_add_test(tc, leader_redirection_and_moves);
    tcase_add_test(tc, sixteen_threads_share_one_client);
    tcase_add_test(tc, destroy_while_calls_are_blocked);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
