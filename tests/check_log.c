/* Logging: the callback gets the lines of connects, reconnects, evictions, retries (the RPC
 * path's and the producer's), rebalances, leader redirection, TLS handshake failures and
 * resumed sessions; conf `debug` enables debug lines per context and `log.level` filters the
 * rest; the default logger writes to stderr; no password or token ever reaches a line. Every
 * test needs the mock's fault injection (SKIPPED against a real server). */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iggy/iggy.h>
#include <iggy/mock.h>

#include "test_main.h"
#include "test_pki.h"
#include "test_server.h"

#define CODE_PING 1u
#define CODE_GET_ME 20u
#define CODE_SEND 101u
#define CODE_CREATE_STREAM 202u

static test_server_t srv;
static test_leak_guard_t guard;

/* ---------------------------------------------------------------- captured lines */

typedef struct line {
    int level;
    char facility[32];
    char msg[1024];
} line_t;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static line_t *g_lines;
static size_t g_nlines, g_cap;

/* The callback: may run on library threads (heartbeat, producer workers), hence the lock. */
static void capture(int level, const char *facility, const char *msg, void *opaque)
{
    (void)opaque;
    pthread_mutex_lock(&g_lock);
    if (g_nlines == g_cap) {
        g_cap = g_cap ? g_cap * 2 : 256;
        g_lines = realloc(g_lines, g_cap * sizeof *g_lines);
        ck_assert_ptr_nonnull(g_lines);
    }
    g_lines[g_nlines].level = level;
    snprintf(g_lines[g_nlines].facility, sizeof g_lines[g_nlines].facility, "%s", facility);
    snprintf(g_lines[g_nlines].msg, sizeof g_lines[g_nlines].msg, "%s", msg);
    g_nlines++;
    pthread_mutex_unlock(&g_lock);
}

static void clear_lines(void)
{
    pthread_mutex_lock(&g_lock);
    g_nlines = 0;
    pthread_mutex_unlock(&g_lock);
}

static void free_lines(void)
{
    pthread_mutex_lock(&g_lock);
    free(g_lines);
    g_lines = NULL;
    g_nlines = g_cap = 0;
    pthread_mutex_unlock(&g_lock);
}

/* Lines at level (-1: any) of facility (NULL: any) whose message contains needle (NULL: any). */
static size_t count_lines(int level, const char *facility, const char *needle)
{
    size_t n = 0;
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < g_nlines; i++)
        if ((level < 0 || g_lines[i].level == level) &&
            (!facility || strcmp(g_lines[i].facility, facility) == 0) &&
            (!needle || strstr(g_lines[i].msg, needle)))
            n++;
    pthread_mutex_unlock(&g_lock);
    return n;
}

static void dump_lines(void)
{
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < g_nlines; i++)
        fprintf(stderr, "  captured %d %s: %s\n", g_lines[i].level, g_lines[i].facility,
                g_lines[i].msg);
    pthread_mutex_unlock(&g_lock);
}

static void expect_line(int level, const char *facility, const char *needle)
{
    if (count_lines(level, facility, needle) == 0) {
        dump_lines();
        ck_abort_msg("no log line at level %d, context %s, containing \"%s\"", level, facility,
                     needle);
    }
}

/* ---------------------------------------------------------------- fixtures */

static bool start(const char *what)
{
    clear_lines();
    return test_begin_mock_only(&srv, &guard, NULL, what);
}

static void finish(void)
{
    test_end(&srv, &guard);
    free_lines();
}

/* A client for srv (auto-login) logging into capture, with extra properties. */
static iggy_client_t *client_with(const char *const *props)
{
    iggy_conf_t *conf = test_conf(&srv, true, props);
    iggy_client_t *c;
    char err[256];
    iggy_conf_set_log_cb(conf, capture, NULL);
    ck_assert_msg(iggy_client_new(conf, &c, err, sizeof err) == IGGY_OK, "%s", err);
    iggy_conf_destroy(conf);
    return c;
}

static iggy_err_t get_me(iggy_client_t *c)
{
    iggy_client_info_t *me = NULL;
    iggy_err_t err = iggy_get_me(c, &me);
    iggy_result_destroy(me);
    return err;
}

static iggy_client_stats_t *stats(iggy_client_t *c)
{
    iggy_client_stats_t *st = NULL;
    ck_assert_int_eq(iggy_client_stats(c, &st), IGGY_OK);
    return st;
}

/* ---------------------------------------------------------------- connections */

START_TEST(connect_and_reconnect_after_a_close_are_logged)
{
    static const char *const props[] = {"debug", "conn", "reconnect.backoff.ms", "1", NULL};
    iggy_client_stats_t *st;
    iggy_client_t *c;
    if (!start("connect_and_reconnect_after_a_close_are_logged"))
        return;
    c = client_with(props);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    expect_line(IGGY_LOG_DEBUG, "conn", "connection 0: connected to 127.0.0.1:");
    ck_assert_uint_eq(count_lines(-1, "conn", "reconnected"), 0);

    /* The mock closes instead of answering: the read goes again on a new connection. */
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_GET_ME, 0, IGGY_MOCK_FAULT_CLOSE, 0, 1),
                     IGGY_OK);
    ck_assert_int_eq(get_me(c), IGGY_OK);
    expect_line(IGGY_LOG_INFO, "conn", "connection 0 to 127.0.0.1:");
    expect_line(IGGY_LOG_INFO, "conn", " lost: ");
    expect_line(IGGY_LOG_INFO, "rpc", "GetMe: connection lost");
    expect_line(IGGY_LOG_INFO, "rpc", "retrying on a new connection");
    expect_line(IGGY_LOG_INFO, "conn", "connection 0: reconnected to 127.0.0.1:");
    ck_assert_uint_eq(count_lines(IGGY_LOG_INFO, "conn", "reconnected"), 1);

    st = stats(c);
    ck_assert_uint_eq(st->connects, 2);
    ck_assert_uint_eq(st->reconnects, 1);
    ck_assert_uint_eq(st->disconnects, 1);
    ck_assert_uint_eq(st->retries, 1);
    ck_assert_uint_eq(st->evictions, 0);
    ck_assert_uint_eq(st->connections[0].reconnects, 1);
    iggy_result_destroy(st);
    iggy_client_destroy(c);
    finish();
}
END_TEST

START_TEST(an_eviction_is_logged)
{
    iggy_client_stats_t *st;
    iggy_client_t *c;
    if (!start("an_eviction_is_logged"))
        return;
    c = client_with(NULL);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    /* StaleClient (13): the connection is gone; the read runs again on a new one. */
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_GET_ME, 0, IGGY_MOCK_FAULT_EVICT, 13, 1),
                     IGGY_OK);
    ck_assert_int_eq(get_me(c), IGGY_OK);
    expect_line(IGGY_LOG_WARNING, "conn", "connection 0: evicted by 127.0.0.1:");
    expect_line(IGGY_LOG_WARNING, "conn", "(StaleClient) during GetMe");
    expect_line(IGGY_LOG_INFO, "conn", "reconnected");
    st = stats(c);
    ck_assert_uint_eq(st->evictions, 1);
    ck_assert_uint_eq(st->disconnects, 1);
    ck_assert_uint_eq(st->reconnects, 1);
    iggy_result_destroy(st);
    iggy_client_destroy(c);
    finish();
}
END_TEST

START_TEST(a_resumed_session_is_logged)
{
    static const char *const props[] = {"debug", "session", "reconnect.backoff.ms", "1", NULL};
    iggy_client_t *c;
    if (!start("a_resumed_session_is_logged"))
        return;
    c = client_with(props);
    ck_assert_int_eq(get_me(c), IGGY_OK);
    expect_line(IGGY_LOG_DEBUG, "session", "connection 0: logged in to 127.0.0.1:");
    ck_assert_uint_eq(count_lines(-1, "session", "resumed"), 0);
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_GET_ME, 0, IGGY_MOCK_FAULT_CLOSE, 0, 1),
                     IGGY_OK);
    ck_assert_int_eq(get_me(c), IGGY_OK);
    expect_line(IGGY_LOG_DEBUG, "session", "connection 0: session resumed on 127.0.0.1:");
    /* debug=session only: the connection's own debug lines stay off. */
    ck_assert_uint_eq(count_lines(IGGY_LOG_DEBUG, "conn", NULL), 0);
    iggy_client_destroy(c);
    finish();
}
END_TEST

START_TEST(a_transient_replay_is_logged)
{
    static const char *const props[] = {"debug", "rpc", NULL};
    iggy_client_stats_t *st;
    iggy_client_t *c;
    if (!start("a_transient_replay_is_logged"))
        return;
    c = client_with(props);
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_CREATE_STREAM, 0, IGGY_MOCK_FAULT_REJECT,
                                          IGGY_ERR_TRANSIENT_NOT_COMMITTED, 1),
                     IGGY_OK);
    ck_assert_int_eq(iggy_create_stream(c, "replayed", NULL), IGGY_OK);
    expect_line(IGGY_LOG_DEBUG, "rpc", "CreateStream: transient 57, replaying");
    /* Each call's outcome, at debug level in the rpc context. */
    expect_line(IGGY_LOG_DEBUG, "rpc", "CreateStream on connection 0: IGGY_OK in ");
    st = stats(c);
    ck_assert_uint_eq(st->transient_replays, 1);
    ck_assert_uint_eq(st->retries, 0);
    iggy_result_destroy(st);
    iggy_client_destroy(c);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- producer */

START_TEST(a_producer_retry_and_failure_are_logged)
{
    static const char *const props[] = {"producer.mode",
                                        "direct",
                                        "producer.create.topic",
                                        "true",
                                        "producer.retries",
                                        "2",
                                        "producer.retry.backoff.ms",
                                        "1",
                                        "reconnect.backoff.ms",
                                        "1",
                                        NULL};
    iggy_identifier_t s = iggy_id_name("ps"), t = iggy_id_name("pt");
    iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    iggy_send_message_t m;
    iggy_producer_stats_t *ps = NULL;
    iggy_producer_t *p = NULL;
    iggy_client_t *c;
    char err[256];
    if (!start("a_producer_retry_and_failure_are_logged"))
        return;
    c = client_with(props);
    ck_assert_msg(iggy_producer_new(c, NULL, &s, &t, NULL, &p, err, sizeof err) == IGGY_OK, "%s",
                  err);
    memset(&m, 0, sizeof m);
    m.payload = (const uint8_t *)"x";
    m.payload_len = 1;

    /* A lost connection: not resent by the RPC path (a write), resent by the producer. */
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_SEND, 0, IGGY_MOCK_FAULT_CLOSE, 0, 1),
                     IGGY_OK);
    ck_assert_int_eq(iggy_producer_send(p, &p0, &m, 1, NULL), IGGY_OK);
    expect_line(IGGY_LOG_INFO, "producer", "partition 0: batch of 1 failed (");
    expect_line(IGGY_LOG_INFO, "producer", "resending");
    ck_assert_int_eq(iggy_producer_stats(p, &ps), IGGY_OK);
    ck_assert_uint_eq(ps->retries, 1);
    iggy_result_destroy(ps);

    /* A refusal that no resend can fix: one failure line, no resend. */
    clear_lines();
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_SEND, 0, IGGY_MOCK_FAULT_STATUS,
                                          IGGY_ERR_INVALID_COMMAND, 1),
                     IGGY_OK);
    ck_assert_int_ne(iggy_producer_send(p, &p0, &m, 1, NULL), IGGY_OK);
    expect_line(IGGY_LOG_WARNING, "producer", "partition 0: 1 message(s) failed: ");
    ck_assert_uint_eq(count_lines(-1, "producer", "resending"), 0);
    iggy_producer_destroy(p);
    iggy_client_destroy(c);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- groups and cluster */

START_TEST(a_rebalance_is_logged)
{
    static const char *const props[] = {"consumer.group", "g1", "consumer.sync.interval.ms", "10",
                                        NULL};
    iggy_identifier_t s = iggy_id_name("rs"), t = iggy_id_name("t");
    iggy_polled_messages_t *batch = NULL;
    iggy_consumer_t *k1 = NULL, *k2 = NULL;
    iggy_client_t *c1, *c2;
    iggy_conf_t *conf;
    char err[256];
    if (!start("a_rebalance_is_logged"))
        return;
    c1 = client_with(NULL);
    c2 = client_with(NULL);
    ck_assert_int_eq(iggy_create_stream(c1, "rs", NULL), IGGY_OK);
    ck_assert_int_eq(iggy_create_topic(c1, &s, "t", 2, NULL, NULL), IGGY_OK);
    conf = test_conf(&srv, true, props);
    ck_assert_msg(iggy_consumer_new(c1, conf, &s, &t, NULL, &k1, err, sizeof err) == IGGY_OK, "%s",
                  err);
    ck_assert_int_eq(iggy_consumer_poll(k1, 100, &batch), IGGY_OK);
    expect_line(IGGY_LOG_INFO, "group", "group g1 on rs/t: 2 partition(s) assigned: ");
    expect_line(IGGY_LOG_INFO, "group", "(now holding 2)");

    /* A second member: the first gives one partition up at its next sync. */
    ck_assert_msg(iggy_consumer_new(c2, conf, &s, &t, NULL, &k2, err, sizeof err) == IGGY_OK, "%s",
                  err);
    for (int i = 0; i < 100 && count_lines(IGGY_LOG_INFO, "group", "revoked") == 0; i++) {
        ck_assert_int_eq(iggy_consumer_poll(k1, 20, &batch), IGGY_OK);
        ck_assert_int_eq(iggy_consumer_poll(k2, 20, &batch), IGGY_OK);
    }
    expect_line(IGGY_LOG_INFO, "group", "group g1 on rs/t: 1 partition(s) revoked: ");
    expect_line(IGGY_LOG_INFO, "group", "(now holding 1)");
    iggy_result_destroy(batch);
    ck_assert_int_eq(iggy_consumer_close(k1), IGGY_OK);
    ck_assert_int_eq(iggy_consumer_close(k2), IGGY_OK);
    iggy_conf_destroy(conf);
    iggy_client_destroy(c1);
    iggy_client_destroy(c2);
    finish();
}
END_TEST

START_TEST(a_leader_redirection_is_logged)
{
    iggy_mock_opts_t o = {0};
    const char *props[] = {"bootstrap.servers", NULL, NULL};
    char want[128];
    iggy_client_t *c;
    o.nodes = 2;
    clear_lines();
    if (!test_begin_mock_only(&srv, &guard, &o, "a_leader_redirection_is_logged"))
        return;
    /* Seeded with the follower: the client moves to the leader (node 0) after login. */
    props[1] = iggy_mock_address(srv.mock, 1);
    c = client_with(props);
    ck_assert_int_eq(get_me(c), IGGY_OK);
    snprintf(want, sizeof want, "connection 0: leader is %s, leaving %s",
             iggy_mock_address(srv.mock, 0), iggy_mock_address(srv.mock, 1));
    expect_line(IGGY_LOG_INFO, "session", want);
    iggy_client_destroy(c);
    finish();
}
END_TEST

START_TEST(a_tls_handshake_failure_is_logged)
{
    static const char *props[] = {"tls.enabled",           "true", "tls.ca.file", NULL,
                                  "reconnect.max.retries", "0",    NULL};
    iggy_mock_opts_t o = {0};
    iggy_client_stats_t *st;
    test_pki_t pki;
    iggy_client_t *c;
    if (getenv("IGGY_TEST_SERVER")) {
        printf("SKIPPED a_tls_handshake_failure_is_logged: needs the mock server with a test CA\n");
        return;
    }
    clear_lines();
    test_pki_create(&pki);
    o.tls_cert_file = pki.cert_path;
    o.tls_key_file = pki.key_path;
    test_begin(&srv, &guard, &o);
    props[3] = pki.other_ca_path; /* a CA that did not sign the server's certificate */
    c = client_with(props);
    ck_assert_int_eq(iggy_ping(c), IGGY_ERR__TLS_VERIFY);
    expect_line(IGGY_LOG_ERR, "tls", "connection 0: TLS handshake with 127.0.0.1:");
    expect_line(IGGY_LOG_ERR, "tls", " failed: ");
    st = stats(c);
    ck_assert_uint_eq(st->connect_failures, 1);
    ck_assert_uint_eq(st->connects, 0);
    iggy_result_destroy(st);
    iggy_client_destroy(c);
    finish();
    test_pki_destroy(&pki);
}
END_TEST

/* ---------------------------------------------------------------- filters */

/* One connect, one call, one reconnect with the given debug contexts; counts per context. */
static void run_with_debug(const char *debug)
{
    const char *props[] = {"debug", debug, "reconnect.backoff.ms", "1", NULL};
    iggy_client_t *c;
    clear_lines();
    c = client_with(props);
    ck_assert_int_eq(get_me(c), IGGY_OK);
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_GET_ME, 0, IGGY_MOCK_FAULT_CLOSE, 0, 1),
                     IGGY_OK);
    ck_assert_int_eq(get_me(c), IGGY_OK);
    iggy_client_destroy(c);
}

START_TEST(debug_contexts_filter_debug_lines)
{
    if (!start("debug_contexts_filter_debug_lines"))
        return;
    run_with_debug("");
    ck_assert_uint_eq(count_lines(IGGY_LOG_DEBUG, NULL, NULL), 0);
    ck_assert_uint_gt(count_lines(IGGY_LOG_INFO, "conn", "reconnected"), 0); /* info stays */

    run_with_debug("rpc");
    ck_assert_uint_gt(count_lines(IGGY_LOG_DEBUG, "rpc", "GetMe on connection 0"), 0);
    ck_assert_uint_eq(count_lines(IGGY_LOG_DEBUG, NULL, NULL),
                      count_lines(IGGY_LOG_DEBUG, "rpc", NULL));

    run_with_debug("conn, session");
    ck_assert_uint_gt(count_lines(IGGY_LOG_DEBUG, "conn", NULL), 0);
    ck_assert_uint_gt(count_lines(IGGY_LOG_DEBUG, "session", NULL), 0);
    ck_assert_uint_eq(count_lines(IGGY_LOG_DEBUG, "rpc", NULL), 0);

    run_with_debug("all");
    ck_assert_uint_gt(count_lines(IGGY_LOG_DEBUG, "conn", NULL), 0);
    ck_assert_uint_gt(count_lines(IGGY_LOG_DEBUG, "session", NULL), 0);
    ck_assert_uint_gt(count_lines(IGGY_LOG_DEBUG, "rpc", NULL), 0);
    finish();
}
END_TEST

START_TEST(log_level_filters_the_other_levels)
{
    static const char *const errors_only[] = {"log.level", "3", "reconnect.backoff.ms", "1", NULL};
    static const char *const warnings[] = {"log.level", "4", "reconnect.backoff.ms", "1", NULL};
    iggy_client_t *c;
    if (!start("log_level_filters_the_other_levels"))
        return;
    c = client_with(errors_only);
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_GET_ME, 0, IGGY_MOCK_FAULT_EVICT, 13, 1),
                     IGGY_OK);
    ck_assert_int_eq(get_me(c), IGGY_OK);
    ck_assert_uint_eq(count_lines(-1, NULL, NULL), 0); /* a warning and info lines: all filtered */
    iggy_client_destroy(c);

    c = client_with(warnings);
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_GET_ME, 0, IGGY_MOCK_FAULT_EVICT, 13, 1),
                     IGGY_OK);
    ck_assert_int_eq(get_me(c), IGGY_OK);
    expect_line(IGGY_LOG_WARNING, "conn", "evicted");
    ck_assert_uint_eq(count_lines(IGGY_LOG_INFO, NULL, NULL), 0);
    iggy_client_destroy(c);
    finish();
}
END_TEST

START_TEST(the_debug_and_log_level_properties_are_validated)
{
    iggy_conf_t *conf;
    char err[256], val[128];
    size_t len = sizeof val;
    ck_assert_int_eq(iggy_conf_new(&conf), IGGY_OK);
    ck_assert_int_eq(iggy_conf_set(conf, "debug", "conn,bogus", err, sizeof err),
                     IGGY_ERR__INVALID_ARG);
    ck_assert_msg(strstr(err, "\"bogus\"") && strstr(err, IGGY_LOG_CONTEXTS), "errstr: %s", err);
    ck_assert_int_eq(iggy_conf_set(conf, "debug", IGGY_LOG_CONTEXTS, err, sizeof err), IGGY_OK);
    ck_assert_int_eq(iggy_conf_set(conf, "debug", " conn , rpc ", err, sizeof err), IGGY_OK);
    ck_assert_int_eq(iggy_conf_get(conf, "debug", val, &len), IGGY_OK);
    ck_assert_str_eq(val, " conn , rpc ");
    ck_assert_int_eq(iggy_conf_set(conf, "debug", "all", err, sizeof err), IGGY_OK);
    ck_assert_int_eq(iggy_conf_set(conf, "debug", "", err, sizeof err), IGGY_OK);
    ck_assert_int_eq(iggy_conf_set(conf, "log.level", "8", err, sizeof err), IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_conf_set(conf, "log.level", "7", err, sizeof err), IGGY_OK);
    iggy_conf_destroy(conf);
}
END_TEST

/* ---------------------------------------------------------------- the default logger */

/* Run a client that logs debug=conn with the default logger (or none: silent) while fd 2 goes
 * to a file, and return what reached it. */
static char *stderr_of_a_client(bool silence)
{
    static const char *const props[] = {"debug", "conn", NULL};
    char path[] = "/tmp/iggy-log-XXXXXX", *text;
    int fd = mkstemp(path), saved;
    iggy_conf_t *conf = test_conf(&srv, true, props);
    iggy_client_t *c;
    char err[256];
    long size;
    FILE *f;
    ck_assert_int_ge(fd, 0);
    if (silence)
        iggy_conf_set_log_cb(conf, NULL, NULL);
    fflush(stderr);
    saved = dup(2);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fd, 2), 0);
    ck_assert_int_eq(iggy_client_new(conf, &c, err, sizeof err), IGGY_OK);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    iggy_client_destroy(c);
    fflush(stderr);
    ck_assert_int_ge(dup2(saved, 2), 0);
    close(saved);
    iggy_conf_destroy(conf);
    f = fdopen(fd, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = calloc(1, (size_t)size + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    unlink(path);
    return text;
}

START_TEST(the_default_logger_writes_to_stderr)
{
    char *text;
    if (!start("the_default_logger_writes_to_stderr"))
        return;
    text = stderr_of_a_client(false);
    /* librdkafka's line: %LEVEL|SECONDS.MILLIS|FACILITY| message */
    ck_assert_msg(strstr(text, "%7|") && strstr(text, "|conn| connection 0: connected to"),
                  "stderr: %s", text);
    free(text);
    text = stderr_of_a_client(true);
    ck_assert_msg(text[0] == '\0', "a NULL callback still logged: %s", text);
    free(text);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- secrets */

#define SECRET_PASSWORD "Pa55-never-logged-7f3a"
#define WRONG_PASSWORD "Wr0ng-never-logged-91c2"

/* No password or token reaches a log line, with every context at debug level, through
 * automatic logins, a re-login after a lost connection, explicit logins, a refused login and
 * a token login. */
START_TEST(no_credential_is_ever_logged)
{
    static const char *const props[] = {"debug", "all", "reconnect.backoff.ms", "1", NULL};
    iggy_mock_opts_t o = {0};
    iggy_raw_pat_t *pat = NULL;
    iggy_client_t *c, *t;
    iggy_conf_t *conf;
    char err[256], token[512];
    if (getenv("IGGY_TEST_SERVER")) {
        printf("SKIPPED no_credential_is_ever_logged: needs a mock with its own password\n");
        return;
    }
    clear_lines();
    test_leak_guard_begin(&guard);
    o.username = "secretive";
    o.password = SECRET_PASSWORD;
    ck_assert_int_eq(iggy_mock_new(&o, &srv.mock), IGGY_OK);
    ck_assert_int_eq(iggy_conf_new(&conf), IGGY_OK);
    ck_assert_int_eq(
        iggy_conf_set(conf, "bootstrap.servers", iggy_mock_address(srv.mock, 0), err, sizeof err),
        IGGY_OK);
    ck_assert_int_eq(iggy_conf_set(conf, "username", "secretive", err, sizeof err), IGGY_OK);
    ck_assert_int_eq(iggy_conf_set(conf, "password", SECRET_PASSWORD, err, sizeof err), IGGY_OK);
    for (const char *const *p = props; *p; p += 2)
        ck_assert_int_eq(iggy_conf_set(conf, p[0], p[1], err, sizeof err), IGGY_OK);
    iggy_conf_set_log_cb(conf, capture, NULL);
    ck_assert_int_eq(iggy_client_new(conf, &c, err, sizeof err), IGGY_OK);

    ck_assert_int_eq(get_me(c), IGGY_OK); /* automatic login */
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_GET_ME, 0, IGGY_MOCK_FAULT_CLOSE, 0, 1),
                     IGGY_OK);
    ck_assert_int_eq(get_me(c), IGGY_OK); /* re-login on the new connection */
    ck_assert_int_eq(iggy_login_user(c, "secretive", WRONG_PASSWORD, NULL),
                     IGGY_ERR_INVALID_CREDENTIALS);
    ck_assert_int_eq(iggy_login_user(c, "secretive", SECRET_PASSWORD, NULL), IGGY_OK);
    ck_assert_int_eq(iggy_create_personal_access_token(c, "logtoken", 0, &pat), IGGY_OK);
    snprintf(token, sizeof token, "%s", pat->token);
    iggy_result_destroy(pat);
    ck_assert_uint_gt(strlen(token), 8);

    /* A client that logs in with the token, automatically and explicitly. */
    ck_assert_int_eq(iggy_conf_set(conf, "username", "", err, sizeof err), IGGY_OK);
    ck_assert_int_eq(iggy_conf_set(conf, "password", "", err, sizeof err), IGGY_OK);
    ck_assert_int_eq(iggy_conf_set(conf, "personal.access.token", token, err, sizeof err), IGGY_OK);
    ck_assert_int_eq(iggy_client_new(conf, &t, err, sizeof err), IGGY_OK);
    ck_assert_int_eq(get_me(t), IGGY_OK);
    ck_assert_int_eq(iggy_login_with_personal_access_token(t, token, NULL), IGGY_OK);
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_GET_ME, 0, IGGY_MOCK_FAULT_CLOSE, 0, 1),
                     IGGY_OK);
    ck_assert_int_eq(get_me(t), IGGY_OK);
    iggy_client_destroy(t);
    iggy_client_destroy(c);
    iggy_conf_destroy(conf);
    iggy_mock_destroy(srv.mock);
    srv.mock = NULL;
    test_leak_guard_end(&guard);

    /* The logins did log (so the check below looks at real lines)... */
    ck_assert_uint_gt(count_lines(IGGY_LOG_DEBUG, "session", "logged in"), 1);
    ck_assert_uint_gt(count_lines(IGGY_LOG_DEBUG, "rpc", "LoginRegister on connection 0"), 0);
    ck_assert_uint_gt(count_lines(IGGY_LOG_INFO, "conn", "reconnected"), 1);
    /* ...and none of them holds a secret. */
    ck_assert_uint_eq(count_lines(-1, NULL, SECRET_PASSWORD), 0);
    ck_assert_uint_eq(count_lines(-1, NULL, WRONG_PASSWORD), 0);
    ck_assert_uint_eq(count_lines(-1, NULL, token), 0);
    free_lines();
}
END_TEST

static Suite *log_suite(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("log");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, connect_and_reconnect_after_a_close_are_logged);
    tcase_add_test(tc, an_eviction_is_logged);
    tcase_add_test(tc, a_resumed_session_is_logged);
    tcase_add_test(tc, a_transient_replay_is_logged);
    tcase_add_test(tc, a_producer_retry_and_failure_are_logged);
    tcase_add_test(tc, a_rebalance_is_logged);
    tcase_add_test(tc, a_leader_redirection_is_logged);
    tcase_add_test(tc, a_tls_handshake_failure_is_logged);
    tcase_add_test(tc, debug_contexts_filter_debug_lines);
    tcase_add_test(tc, log_level_filters_the_other_levels);
    tcase_add_test(tc, the_debug_and_log_level_properties_are_validated);
    tcase_add_test(tc, the_default_logger_writes_to_stderr);
    tcase_add_test(tc, no_credential_is_ever_logged);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(log_suite());
}
