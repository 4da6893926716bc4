/* Several lockstep connections per client (conf `connections`): calls from different threads
 * run in parallel on idle connections, each with its own session; a client used from one
 * thread keeps one; calls about a joined consumer group go on the member's connection; a
 * logout ends every session; reserved connections serve their pinned calls. Tests that need
 * the mock's fault injection or its in-flight counter print SKIPPED against a real server. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iggy/iggy.h>
#include <iggy/mock.h>

#include "client/iggy_client_internal.h"
#include "client/iggy_rpc_internal.h"
#include "test_main.h"
#include "test_server.h"

#define CODE_PING 1u
#define CODE_POLL 100u
#define DELAY_MS 300u

static test_server_t srv;
static test_leak_guard_t guard;

static void begin(void)
{
    test_begin(&srv, &guard, NULL);
}

/* Start the mock; false (after SKIPPED) against a real server. */
static bool begin_mock(const char *what)
{
    return test_begin_mock_only(&srv, &guard, NULL, what);
}

static void finish(void)
{
    test_end(&srv, &guard);
}

static iggy_client_t *client_with_connections(const char *n)
{
    const char *props[] = {"connections", n, NULL};
    return test_client_with(&srv, true, props);
}

static iggy_client_stats_t *stats_of(iggy_client_t *c)
{
    iggy_client_stats_t *st = NULL;
    ck_assert_int_eq(iggy_client_stats(c, &st), IGGY_OK);
    return st;
}

/* Threads that each make one call at the same moment. */
typedef struct burst {
    iggy_client_t *c;
    pthread_barrier_t start;
    iggy_err_t errs[16];
    int calls_per_thread;
} burst_t;

typedef struct burst_arg {
    burst_t *b;
    int index;
} burst_arg_t;

static void *burst_main(void *arg)
{
    burst_arg_t *a = arg;
    pthread_barrier_wait(&a->b->start);
    a->b->errs[a->index] = IGGY_OK;
    for (int i = 0; i < a->b->calls_per_thread; i++) {
        iggy_err_t err = iggy_ping(a->b->c);
        if (err != IGGY_OK)
            a->b->errs[a->index] = err;
    }
    return NULL;
}

/* n threads, each pinging calls times at once; every call must succeed. */
static void ping_burst(iggy_client_t *c, int n, int calls)
{
    pthread_t th[16];
    burst_arg_t args[16];
    burst_t b;
    ck_assert_int_le(n, 16);
    memset(&b, 0, sizeof b);
    b.c = c;
    b.calls_per_thread = calls;
    pthread_barrier_init(&b.start, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        args[i].b = &b;
        args[i].index = i;
        ck_assert_int_eq(pthread_create(&th[i], NULL, burst_main, &args[i]), 0);
    }
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&b.start);
    for (int i = 0; i < n; i++)
        ck_assert_msg(b.errs[i] == IGGY_OK, "thread %d: %d", i, (int)b.errs[i]);
}

/* Every open connection logged in once, before the delayed pings (which then overlap). */
static void warm_up(iggy_client_t *c, int connections)
{
    iggy_mock_clear_faults(srv.mock);
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_PING, 0, IGGY_MOCK_FAULT_DELAY, DELAY_MS,
                                          (uint32_t)connections),
                     IGGY_OK);
    ping_burst(c, connections, 1);
}

START_TEST(eight_threads_keep_four_connections_busy)
{
    iggy_client_t *c;
    iggy_client_stats_t *st;
    uint64_t requests = 0;
    if (!begin_mock("eight_threads_keep_four_connections_busy"))
        return;
    c = client_with_connections("4");
    warm_up(c, 4);

    /* 8 threads, 4 connections, every ping held 300 ms by the mock: 4 are in flight at once,
     * never more. */
    iggy_mock_reset_in_flight_max(srv.mock);
    ck_assert_int_eq(
        iggy_mock_push_fault(srv.mock, CODE_PING, 0, IGGY_MOCK_FAULT_DELAY, DELAY_MS, 16), IGGY_OK);
    ping_burst(c, 8, 2);
    ck_assert_uint_eq(iggy_mock_in_flight_max(srv.mock), 4);

    st = stats_of(c);
    ck_assert_uint_eq(st->connections_count, 4);
    ck_assert_uint_eq(st->connects, 4);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_uint_eq(st->connections[i].index, i);
        ck_assert_uint_eq(st->connections[i].connects, 1); /* one session each */
        ck_assert_uint_gt(st->connections[i].requests, 0);
        requests += st->connections[i].requests;
    }
    ck_assert_uint_eq(requests, st->requests);
    ck_assert_uint_eq(iggy_mock_connection_count(srv.mock), 4);
    iggy_result_destroy(st);
    iggy_client_destroy(c);
    finish();
}
END_TEST

START_TEST(one_connection_serialises_the_same_threads)
{
    iggy_client_t *c;
    if (!begin_mock("one_connection_serialises_the_same_threads"))
        return;
    c = client_with_connections("1");
    warm_up(c, 1);
    iggy_mock_reset_in_flight_max(srv.mock);
    ck_assert_int_eq(
        iggy_mock_push_fault(srv.mock, CODE_PING, 0, IGGY_MOCK_FAULT_DELAY, DELAY_MS / 3, 8),
        IGGY_OK);
    ping_burst(c, 8, 1);
    ck_assert_uint_eq(iggy_mock_in_flight_max(srv.mock), 1);
    ck_assert_uint_eq(iggy_mock_connection_count(srv.mock), 1);
    iggy_client_destroy(c);
    finish();
}
END_TEST

START_TEST(one_thread_opens_one_connection)
{
    iggy_client_t *c;
    iggy_client_stats_t *st;
    begin();
    c = client_with_connections("4");
    for (int i = 0; i < 20; i++)
        ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    st = stats_of(c);
    /* Unopened connections open only when every open one is busy. */
    ck_assert_uint_eq(st->connects, 1);
    ck_assert_uint_eq(st->connections[0].requests, 20);
    for (size_t i = 1; i < 4; i++)
        ck_assert_uint_eq(st->connections[i].requests, 0);
    iggy_result_destroy(st);
    iggy_client_destroy(c);
    finish();
}
END_TEST

static void topic_with_messages(iggy_client_t *c, const char *stream, uint32_t n)
{
    iggy_identifier_t s = iggy_id_name(stream), t = iggy_id_name("t");
    iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    ck_assert_int_eq(iggy_create_stream(c, stream, NULL), IGGY_OK);
    ck_assert_int_eq(iggy_create_topic(c, &s, "t", 2, NULL, NULL), IGGY_OK);
    for (uint32_t i = 0; i < n; i++) {
        char text[32];
        iggy_send_message_t m = {0};
        snprintf(text, sizeof text, "m%u", i);
        m.payload = text;
        m.payload_len = strlen(text);
        ck_assert_int_eq(iggy_send_messages(c, &s, &t, &p0, &m, 1, NULL, NULL), IGGY_OK);
    }
}

static iggy_err_t group_poll(iggy_client_t *c, const char *stream, iggy_polled_messages_t **batch)
{
    iggy_identifier_t s = iggy_id_name(stream), t = iggy_id_name("t");
    iggy_consumer_ref_t g = {IGGY_CONSUMER_GROUP, iggy_id_name("g")};
    iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
    return iggy_poll_messages_into(c, &g, &s, &t, NULL, &first, 10, false, NULL, batch);
}

static uint64_t requests_on(iggy_client_t *c, size_t conn)
{
    iggy_client_stats_t *st = stats_of(c);
    uint64_t n = st->connections[conn].requests;
    iggy_result_destroy(st);
    return n;
}

static uint32_t members_of_g(iggy_client_t *c, const char *stream)
{
    iggy_identifier_t s = iggy_id_name(stream), t = iggy_id_name("t"), g = iggy_id_name("g");
    iggy_consumer_group_t *info = NULL;
    uint32_t n;
    ck_assert_int_eq(iggy_get_consumer_group(c, &s, &t, &g, &info), IGGY_OK);
    n = info->members_count;
    iggy_result_destroy(info);
    return n;
}

START_TEST(group_calls_go_on_the_members_connection)
{
    iggy_identifier_t s, t = iggy_id_name("t"), g = iggy_id_name("g");
    iggy_polled_messages_t *batch = NULL;
    iggy_conn_reservation_t r;
    iggy_client_t *c;
    const char *stream;
    uint64_t on0, on1;
    begin();
    c = client_with_connections("2");
    stream = srv.real ? test_unique_name("conns-group") : "s";
    s = iggy_id_name(stream);
    topic_with_messages(c, stream, 4);
    ck_assert_int_eq(iggy_create_consumer_group(c, &s, &t, "g", NULL), IGGY_OK);

    /* Connection 0 reserved, so the join runs on connection 1: its session is the member. */
    iggy_conn_reserve(c, &r);
    ck_assert_int_eq(r.index, 0);
    ck_assert_int_eq(iggy_join_consumer_group(c, &s, &t, &g), IGGY_OK);
    iggy_conn_unreserve(&r);
    ck_assert_int_eq(iggy_membership_conn(c, &s, &t, &g), 1);
    ck_assert_uint_eq(members_of_g(c, stream), 1);

    /* Both connections are idle and open: unpinned calls take connection 0; the group's polls
     * go on connection 1. */
    on0 = requests_on(c, 0);
    on1 = requests_on(c, 1);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(group_poll(c, stream, &batch), IGGY_OK);
    ck_assert_uint_eq(requests_on(c, 0), on0);
    ck_assert_uint_ge(requests_on(c, 1), on1 + 5);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    ck_assert_uint_eq(requests_on(c, 0), on0 + 1);

    if (srv.mock) {
        /* A restart ends both sessions; the member's connection re-joins, once. */
        ck_assert_int_eq(iggy_mock_set_down(srv.mock, 0), IGGY_OK);
        ck_assert_int_eq(iggy_mock_set_up(srv.mock, 0), IGGY_OK);
        ck_assert_int_eq(group_poll(c, stream, &batch), IGGY_OK);
        ck_assert_int_eq(iggy_ping(c), IGGY_OK); /* connection 0 reconnects, joins nothing */
        ck_assert_uint_eq(members_of_g(c, stream), 1);
        ck_assert_int_eq(iggy_membership_conn(c, &s, &t, &g), 1);
    } else {
        printf("SKIPPED group_calls_go_on_the_members_connection (restart part): needs the mock "
               "server\n");
    }

    /* Leaving goes on the member's connection too: the group ends up empty. */
    ck_assert_int_eq(iggy_leave_consumer_group(c, &s, &t, &g), IGGY_OK);
    ck_assert_uint_eq(members_of_g(c, stream), 0);
    ck_assert_int_eq(iggy_delete_stream(c, &s), IGGY_OK);
    iggy_result_destroy(batch);
    iggy_client_destroy(c);
    finish();
}
END_TEST

START_TEST(logout_ends_every_session)
{
    iggy_client_info_t *me = NULL;
    iggy_conn_reservation_t r, r1;
    iggy_client_stats_t *st;
    iggy_client_t *c;
    begin();
    c = client_with_connections("2");
    ck_assert_int_eq(iggy_login_user(c, srv.username, srv.password, NULL), IGGY_OK);
    iggy_conn_reserve(c, &r); /* connection 0: unpinned calls go on connection 1 */
    ck_assert_int_eq(iggy_get_me(c, &me), IGGY_OK);
    st = stats_of(c);
    ck_assert_uint_eq(st->connections[1].connects, 1);
    ck_assert_uint_eq(st->connections[1].requests, 1);
    iggy_result_destroy(st);

    /* The logout runs on connection 1; connection 0 is closed with its session. */
    ck_assert_int_eq(iggy_logout_user(c), IGGY_OK);
    if (srv.mock) {
        for (int i = 0; i < 200 && iggy_mock_connection_count(srv.mock) != 1; i++)
            test_sleep_ms(10);
        ck_assert_uint_eq(iggy_mock_connection_count(srv.mock), 1);
    }
    ck_assert_int_eq(iggy_get_me(c, &me), IGGY_ERR_UNAUTHENTICATED); /* on connection 1 */
    iggy_conn_reserve(c, &r1);
    ck_assert_int_eq(r1.index, 1);
    iggy_conn_unreserve(&r); /* now unpinned calls go on connection 0 */
    ck_assert_int_eq(iggy_get_me(c, &me), IGGY_ERR_UNAUTHENTICATED);
    st = stats_of(c);
    ck_assert_uint_eq(st->connections[0].connects, 2); /* reopened, not logged in */
    iggy_result_destroy(st);
    iggy_conn_unreserve(&r1);
    iggy_result_destroy(me);
    iggy_client_destroy(c);
    finish();
}
END_TEST

START_TEST(every_connection_follows_the_leader)
{
    iggy_mock_opts_t o = {0};
    const char *props[] = {"connections", "2", "bootstrap.servers", NULL, NULL};
    iggy_conn_reservation_t r;
    iggy_client_t *c;
    o.nodes = 3;
    if (!test_begin_mock_only(&srv, &guard, &o, "every_connection_follows_the_leader"))
        return;
    /* Seeded with a follower, each connection settles on the leader (node 0) at its login. */
    props[3] = iggy_mock_address(srv.mock, 1);
    c = test_client_with(&srv, true, props);
    ck_assert_int_eq(iggy_create_stream(c, "s1", NULL), IGGY_OK); /* connection 0 */
    iggy_conn_reserve(c, &r);
    ck_assert_int_eq(iggy_create_stream(c, "s2", NULL), IGGY_OK); /* connection 1 */
    iggy_conn_unreserve(&r);
    ck_assert_uint_eq(c->conns[0].port, iggy_mock_port(srv.mock, 0));
    ck_assert_uint_eq(c->conns[1].port, iggy_mock_port(srv.mock, 0));

    /* The leader moves: each connection meets 58 on its next write and follows on its own. */
    ck_assert_int_eq(iggy_mock_set_leader(srv.mock, 2), IGGY_OK);
    ck_assert_int_eq(iggy_create_stream(c, "s3", NULL), IGGY_OK);
    ck_assert_uint_eq(c->conns[0].port, iggy_mock_port(srv.mock, 2));
    ck_assert_uint_eq(c->conns[1].port, iggy_mock_port(srv.mock, 0)); /* not written on yet */
    iggy_conn_reserve(c, &r);
    ck_assert_int_eq(iggy_create_stream(c, "s4", NULL), IGGY_OK);
    iggy_conn_unreserve(&r);
    ck_assert_uint_eq(c->conns[1].port, iggy_mock_port(srv.mock, 2));
    iggy_client_destroy(c);
    finish();
}
END_TEST

/* A pinned call on a reserved connection, run from a thread. */
typedef struct pinned_call {
    iggy_conn_reservation_t *r;
    iggy_err_t err;
} pinned_call_t;

static void *pinned_ping_main(void *arg)
{
    pinned_call_t *p = arg;
    iggy_rpc_t rpc;
    p->err = iggy_rpc_begin(p->r->client, IGGY_CMD_PING, &rpc);
    if (p->err == IGGY_OK) {
        rpc.pin = p->r->index;
        p->err = iggy_rpc_end(&rpc, NULL);
    }
    return NULL;
}

START_TEST(a_reserved_connection_serves_its_pinned_calls)
{
    iggy_conn_reservation_t r;
    pinned_call_t p;
    iggy_client_t *c;
    pthread_t th;
    uint64_t pings;
    if (!begin_mock("a_reserved_connection_serves_its_pinned_calls"))
        return;
    c = client_with_connections("2");
    iggy_conn_reserve(c, &r);
    ck_assert_int_eq(r.index, 0);

    /* Unpinned calls avoid the reserved connection while another is free. */
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    ck_assert_uint_eq(requests_on(c, 0), 0);
    ck_assert_uint_eq(requests_on(c, 1), 3);

    /* A pinned call held by the mock does not hold up unpinned calls. */
    pings = iggy_mock_request_count(srv.mock, CODE_PING);
    ck_assert_int_eq(
        iggy_mock_push_fault(srv.mock, CODE_PING, 0, IGGY_MOCK_FAULT_DELAY, DELAY_MS, 1), IGGY_OK);
    p.r = &r;
    ck_assert_int_eq(pthread_create(&th, NULL, pinned_ping_main, &p), 0);
    while (iggy_mock_request_count(srv.mock, CODE_PING) == pings)
        test_sleep_ms(1);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    ck_assert_uint_eq(requests_on(c, 0), 0); /* the pinned one is still held */
    pthread_join(th, NULL);
    ck_assert_int_eq(p.err, IGGY_OK);
    ck_assert_uint_eq(requests_on(c, 0), 1);
    ck_assert_uint_eq(requests_on(c, 1), 4);

    /* A second reservation takes the other connection; with both reserved, unpinned calls
     * still run. */
    {
        iggy_conn_reservation_t r2;
        iggy_conn_reserve(c, &r2);
        ck_assert_int_eq(r2.index, 1);
        ck_assert_int_eq(iggy_ping(c), IGGY_OK);
        iggy_conn_unreserve(&r2);
        ck_assert_int_eq(r2.index, -1);
    }
    iggy_conn_unreserve(&r);
    iggy_client_destroy(c);
    finish();
}
END_TEST

/* Mixed calls from many threads over one client (the TSan variant checks the locking). Every
 * result is checked as it comes (polled payloads are messages some thread sent, the stream
 * list holds the stream), and at the end every message sent is in the topic exactly once. */
typedef struct mixed {
    iggy_client_t *c;
    const char *stream;
    int index;
    iggy_err_t err;
    int ops;
    int sent; /* messages sent: "thread T message I" for I = 1, 5, 9, ... */
    char why[160];
} mixed_t;

/* Thread and message numbers of a payload one of the threads sent, or -1. */
static int parse_mixed(const iggy_message_t *msg, int *thread, int *i)
{
    char text[80];
    int used = 0;
    if (msg->error != IGGY_OK || msg->payload_len == 0 || msg->payload_len >= sizeof text)
        return -1;
    memcpy(text, msg->payload, msg->payload_len);
    text[msg->payload_len] = '\0';
    if (sscanf(text, "thread %d message %d, compressible compressible%n", thread, i, &used) != 2 ||
        used != (int)msg->payload_len)
        return -1;
    return 0;
}

static void *mixed_main(void *arg)
{
    mixed_t *m = arg;
    iggy_identifier_t s = iggy_id_name(m->stream), t = iggy_id_name("t");
    iggy_consumer_ref_t consumer = {IGGY_CONSUMER_SINGLE, iggy_id_num((uint32_t)m->index + 1)};
    iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
    iggy_partitioning_t balanced = {IGGY_PARTITIONING_BALANCED, 0, NULL, 0};
    iggy_send_opts_t zstd = {0};
    iggy_polled_messages_t *batch = NULL;
    iggy_stream_list_t *streams = NULL;
    uint32_t p0 = 0;
    zstd.compression = IGGY_COMPRESSION_CODEC_ZSTD;
    m->err = IGGY_OK;
    for (int i = 0; i < m->ops && m->err == IGGY_OK; i++) {
        char text[64];
        iggy_send_message_t msg = {0};
        snprintf(text, sizeof text, "thread %d message %d, compressible compressible", m->index, i);
        msg.payload = text;
        msg.payload_len = strlen(text);
        switch (i % 4) {
        case 0:
            m->err = iggy_ping(m->c);
            break;
        case 1:
            m->err = iggy_send_messages(m->c, &s, &t, &balanced, &msg, 1, &zstd, NULL);
            m->sent += m->err == IGGY_OK;
            break;
        case 2:
            m->err = iggy_poll_messages_into(m->c, &consumer, &s, &t, &p0, &first, 5, false, NULL,
                                             &batch);
            if (m->err == IGGY_OK && batch->count > 5)
                m->err = IGGY_ERR__STATE;
            for (size_t k = 0; m->err == IGGY_OK && k < batch->count; k++) {
                int th, n;
                if (parse_mixed(&batch->messages[k], &th, &n) != 0 || th < 0 || th >= 8) {
                    snprintf(m->why, sizeof m->why, "polled message %zu is nobody's", k);
                    m->err = IGGY_ERR__STATE;
                }
            }
            break;
        default:
            m->err = iggy_get_streams(m->c, &streams);
            if (m->err == IGGY_OK) {
                bool found = false;
                for (size_t k = 0; k < streams->count; k++)
                    found |= strcmp(streams->streams[k].name, m->stream) == 0;
                if (!found) {
                    snprintf(m->why, sizeof m->why, "the stream list lacks %s", m->stream);
                    m->err = IGGY_ERR__STATE;
                }
            }
            iggy_result_destroy(streams);
            streams = NULL;
            break;
        }
        if (m->err != IGGY_OK && !m->why[0])
            snprintf(m->why, sizeof m->why, "op %d: %s", i, iggy_last_error_detail());
    }
    iggy_result_destroy(batch);
    return NULL;
}

START_TEST(many_threads_share_one_client)
{
    enum { THREADS = 8 };
    const char *light = getenv("IGGY_TEST_LIGHT");
    iggy_identifier_t s, t_id = iggy_id_name("t");
    pthread_t th[THREADS];
    mixed_t m[THREADS];
    iggy_client_stats_t *st;
    iggy_client_t *c;
    uint64_t sum = 0;
    const char *stream = NULL;
    begin();
    c = client_with_connections("4");
    stream = srv.real ? test_unique_name("conns") : "s";
    s = iggy_id_name(stream);
    ck_assert_int_eq(iggy_create_stream(c, stream, NULL), IGGY_OK);
    ck_assert_int_eq(iggy_create_topic(c, &s, "t", 3, NULL, NULL), IGGY_OK);
    for (int i = 0; i < THREADS; i++) {
        m[i].c = c;
        m[i].stream = stream;
        m[i].index = i;
        m[i].ops = light && *light == '1' ? 40 : 200;
        m[i].sent = 0;
        m[i].why[0] = '\0';
    }
    for (int i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, mixed_main, &m[i]), 0);
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        ck_assert_msg(m[i].err == IGGY_OK, "thread %d: %d (%s): %s", i, (int)m[i].err,
                      iggy_err2name(m[i].err), m[i].why);
        ck_assert_int_eq(m[i].sent, (m[i].ops + 2) / 4);
    }
    /* every message sent is in the topic once: read the three partitions from the start */
    {
        static unsigned char seen[THREADS][200];
        iggy_consumer_ref_t reader = {IGGY_CONSUMER_SINGLE, iggy_id_num(99)};
        iggy_polled_messages_t *b = NULL;
        size_t total = 0, want = 0;
        memset(seen, 0, sizeof seen);
        for (uint32_t p = 0; p < 3; p++) {
            iggy_polling_strategy_t from = {IGGY_POLL_OFFSET, 0};
            for (;;) {
                ck_assert_int_eq(
                    iggy_poll_messages_into(c, &reader, &s, &t_id, &p, &from, 100, false, NULL, &b),
                    IGGY_OK);
                if (b->count == 0)
                    break;
                for (size_t k = 0; k < b->count; k++) {
                    int who, n;
                    ck_assert_int_eq(parse_mixed(&b->messages[k], &who, &n), 0);
                    ck_assert(who >= 0 && who < THREADS && n >= 0 && n < 200 && n % 4 == 1);
                    ck_assert_msg(seen[who][n] == 0, "thread %d message %d twice", who, n);
                    seen[who][n] = 1;
                    total++;
                }
                from.value = b->messages[b->count - 1].offset + 1;
            }
        }
        for (int i = 0; i < THREADS; i++)
            want += (size_t)m[i].sent;
        ck_assert_uint_eq(total, want);
        iggy_result_destroy(b);
    }
    st = stats_of(c);
    for (size_t i = 0; i < st->connections_count; i++)
        sum += st->connections[i].requests;
    ck_assert_uint_eq(sum, st->requests);
    ck_assert_uint_eq(st->errors, 0);
    ck_assert_uint_le(st->connects, 4);
    ck_assert_uint_eq(st->pool_in_use, 0);
    iggy_result_destroy(st);
    ck_assert_int_eq(iggy_delete_stream(c, &s), IGGY_OK);
    iggy_client_destroy(c);
    finish();
}
END_TEST

START_TEST(connections_is_validated)
{
    iggy_conf_t *conf = NULL;
    char err[256];
    ck_assert_int_eq(iggy_conf_new(&conf), IGGY_OK);
    ck_assert_int_eq(iggy_conf_set(conf, "connections", "0", err, sizeof err),
                     IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_conf_set(conf, "connections", "65", err, sizeof err),
                     IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_conf_set(conf, "connections", "64", err, sizeof err), IGGY_OK);
    iggy_conf_destroy(conf);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("connections");
    TCase *tc = tcase_create("connections");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, eight_threads_keep_four_connections_busy);
    tcase_add_test(tc, one_connection_serialises_the_same_threads);
    tcase_add_test(tc, one_thread_opens_one_connection);
    tcase_add_test(tc, group_calls_go_on_the_members_connection);
    tcase_add_test(tc, logout_ends_every_session);
    tcase_add_test(tc, a_reserved_connection_serves_its_pinned_calls);
    tcase_add_test(tc, every_connection_follows_the_leader);
    tcase_add_test(tc, many_threads_share_one_client);
    tcase_add_test(tc, connections_is_validated);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
