/* The fault matrix: every fault kind of the mock against every command family and against the
 * high-level producer and consumer. A cell arms one fault (or moves the leader), makes the
 * call and checks that it ends with the documented outcome within the request deadline, and
 * that the next call (fault cleared) succeeds, on a new connection when the fault cost the
 * old one. The producer must have written every message it reported delivered (read back
 * from the mock) and report the rest failed; the consumer must read every offset once, in
 * order. The matrix is printed (rows = faults, columns = families) and every cell asserted.
 * Needs the mock (SKIPPED against a real server). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iggy/consumer.h>
#include <iggy/iggy.h>
#include <iggy/mock.h>
#include <iggy/producer.h>

#include "iggy_clock.h"
#include "test_main.h"
#include "test_server.h"

#define SLACK_MS 1500 /* scheduling (valgrind, sanitizers) on top of the deadline */
#define POLL_MSGS 10  /* messages in a poll or offsets cell's partition */
#define BATCH 20      /* messages a producer cell sends per batch */
#define GROUP_PARTS 3 /* partitions of a consumer cell's topic (read in turn) */
#define GROUP_PER 15  /* messages per partition there, read 5 at a time */
#define GROUP_MSGS (GROUP_PARTS * GROUP_PER)

static test_server_t srv;
static test_leak_guard_t guard;
static int deadline_ms; /* request.timeout.ms of every client here */

/* ---------------------------------------------------------------- columns */

typedef enum {
    COL_PING,
    COL_LOGIN,
    COL_STREAMS,
    COL_TOPICS,
    COL_PARTITIONS,
    COL_GROUPS,
    COL_OFFSETS,
    COL_SEND,
    COL_POLL,
    COL_PRODUCER,
    COL_CONSUMER,
    COL_CONSUMER_READING,
    NCOLS
} col_t;

static const struct {
    const char *name;
    uint32_t code;  /* the wire command the fault is armed on */
    bool retriable; /* a read or a login: the client may send it again on a new connection */
} cols[NCOLS] = {
    [COL_PING] = {"ping", 1, true},
    [COL_LOGIN] = {"login", 40, true},
    [COL_STREAMS] = {"streams", 202, false},
    [COL_TOPICS] = {"topics", 302, false},
    [COL_PARTITIONS] = {"partitions", 402, false},
    [COL_GROUPS] = {"groups", 602, false},
    [COL_OFFSETS] = {"offsets", 121, false},
    [COL_SEND] = {"send", 101, false},
    [COL_POLL] = {"poll", 100, true},
    [COL_PRODUCER] = {"producer", 101, false},
    [COL_CONSUMER] = {"consumer", 100, true},
    [COL_CONSUMER_READING] = {"consumer+", 100, true},
};

/* ---------------------------------------------------------------- rows */

typedef enum {
    WAITS = 1,  /* the outcome comes at the deadline, not before */
    DROPS = 2,  /* the connection is lost: the next call runs on a new one */
    CLOSES = 4, /* the server closes the connection after a good reply */
    LEADER = 8, /* no fault: the cluster leader moves to node 1 */
    HALF = 16,  /* the outcome comes after half the deadline (58 replays, then a leader check) */
} row_flags_t;

typedef struct row {
    const char *name;
    iggy_mock_fault_kind_t kind;
    uint32_t param, count;
    unsigned flags;
} row_t;

#define ONCE 1u
#define FOREVER IGGY_MOCK_FAULT_FOREVER
#define EVICT_ROW(n, label)                                                                        \
    {                                                                                              \
        "evict " #n " " label, IGGY_MOCK_FAULT_EVICT, n, ONCE, DROPS                               \
    }

static const row_t rows[] = {
    {"close before reply", IGGY_MOCK_FAULT_CLOSE, 0, ONCE, DROPS},
    {"close inside reply", IGGY_MOCK_FAULT_CLOSE_MID_REPLY, 0, ONCE, DROPS},
    {"close after reply", IGGY_MOCK_FAULT_CLOSE_AFTER_REPLY, 0, ONCE, DROPS | CLOSES},
    {"reset inside reply", IGGY_MOCK_FAULT_RESET_MID_REPLY, 0, ONCE, DROPS},
    {"half header, hang", IGGY_MOCK_FAULT_HANG_MID_REPLY, 0, ONCE, WAITS | DROPS},
    {"short body, hang", IGGY_MOCK_FAULT_TRUNCATED, 0, ONCE, WAITS | DROPS},
    {"trickle 16B/1ms", IGGY_MOCK_FAULT_TRICKLE, 1, ONCE, 0},
    {"delay 50ms", IGGY_MOCK_FAULT_DELAY, 50, ONCE, 0},
    {"duplicated reply", IGGY_MOCK_FAULT_DUPLICATE_REPLY, 0, ONCE, DROPS},
    {"stale reply", IGGY_MOCK_FAULT_STALE_REPLY, 0, ONCE, DROPS},
    {"wrong command", IGGY_MOCK_FAULT_WRONG_COMMAND, 0, ONCE, DROPS},
    {"wrong size", IGGY_MOCK_FAULT_WRONG_SIZE, 0, ONCE, DROPS},
    {"oversized", IGGY_MOCK_FAULT_OVERSIZED, 0, ONCE, DROPS},
    {"garbage", IGGY_MOCK_FAULT_GARBAGE, 0, ONCE, DROPS},
    EVICT_ROW(0, "Reserved"),
    EVICT_ROW(1, "NoSession"),
    EVICT_ROW(2, "ReleaseTooLow"),
    EVICT_ROW(3, "ReleaseTooHigh"),
    EVICT_ROW(4, "BadOperation"),
    EVICT_ROW(5, "BadBody"),
    EVICT_ROW(6, "BadBodySize"),
    EVICT_ROW(7, "SessionTooLow"),
    EVICT_ROW(8, "ReleaseMismatch"),
    EVICT_ROW(9, "BadCredentials"),
    EVICT_ROW(10, "BadToken"),
    EVICT_ROW(11, "UserInactive"),
    EVICT_ROW(12, "SessionError"),
    EVICT_ROW(13, "StaleClient"),
    EVICT_ROW(14, "Protocol"),
    EVICT_ROW(15, "MalformedLogin"),
    {"status 57 forever", IGGY_MOCK_FAULT_STATUS, 57, FOREVER, WAITS},
    {"status 58 forever", IGGY_MOCK_FAULT_STATUS, 58, FOREVER, HALF},
    {"stall", IGGY_MOCK_FAULT_STALL, 0, ONCE, WAITS | DROPS},
    {"leader moves", 0, 0, 0, LEADER},
};
#define NROWS (sizeof rows / sizeof rows[0])

/* What an eviction reason means to the caller (eviction_reasons.tsv): the mock sends its own
 * protocol window with IncompatibleProtocol, so reason 14 is the version error. */
static iggy_err_t eviction_error(uint32_t reason)
{
    switch (reason) {
    case 1:
    case 7:
    case 8:
    case 11:
    case 12:
        return IGGY_ERR_UNAUTHENTICATED;
    case 9:
        return IGGY_ERR_INVALID_CREDENTIALS;
    case 10:
        return IGGY_ERR_INVALID_PERSONAL_ACCESS_TOKEN;
    case 13:
        return IGGY_ERR_STALE_CLIENT;
    case 14:
        return IGGY_ERR_INCOMPATIBLE_PROTOCOL_VERSION;
    case 15:
        return IGGY_ERR_INVALID_FORMAT;
    default:
        return IGGY_ERR_INVALID_COMMAND;
    }
}

/* The documented outcome of one call of column col under row r. A lost connection is
 * recovered inside the call only for a request that may run twice (reads, logins), and only
 * for causes that a new connection cures (transport, StaleClient, a lost session); a reply
 * that does not answer the request is BAD_MSG; a deadline passed is TIMED_OUT; a transient
 * outcome replayed until the deadline is that outcome. */
static iggy_err_t expected(const row_t *r, col_t col)
{
    bool again = cols[col].retriable;
    iggy_err_t e;
    if (r->flags & LEADER)
        return IGGY_OK;
    switch (r->kind) {
    case IGGY_MOCK_FAULT_CLOSE:
    case IGGY_MOCK_FAULT_CLOSE_MID_REPLY:
    case IGGY_MOCK_FAULT_RESET_MID_REPLY:
        return again ? IGGY_OK : IGGY_ERR__TRANSPORT;
    case IGGY_MOCK_FAULT_HANG_MID_REPLY:
    case IGGY_MOCK_FAULT_TRUNCATED:
    case IGGY_MOCK_FAULT_STALL:
        return IGGY_ERR__TIMED_OUT;
    case IGGY_MOCK_FAULT_STALE_REPLY:
    case IGGY_MOCK_FAULT_WRONG_COMMAND:
    case IGGY_MOCK_FAULT_WRONG_SIZE:
    case IGGY_MOCK_FAULT_OVERSIZED:
    case IGGY_MOCK_FAULT_GARBAGE:
        return IGGY_ERR__BAD_MSG;
    case IGGY_MOCK_FAULT_EVICT:
        e = eviction_error(r->param);
        return again && (e == IGGY_ERR_STALE_CLIENT || e == IGGY_ERR_UNAUTHENTICATED) ? IGGY_OK : e;
    case IGGY_MOCK_FAULT_STATUS:
        return r->param == 57 ? IGGY_ERR_TRANSIENT_NOT_COMMITTED : IGGY_ERR_TRANSIENT_NOT_ACCEPTED;
    default:
        return IGGY_OK; /* the reply comes, late, in pieces or with a close behind it */
    }
}

/* A producer resends a batch after what iggy_err_is_retriable() calls retriable (and a lost
 * session); everything else fails the batch. */
static bool producer_resends(iggy_err_t e)
{
    return e == IGGY_OK || iggy_err_is_retriable(e) || e == IGGY_ERR_UNAUTHENTICATED;
}

/* ---------------------------------------------------------------- cells */

typedef struct cell {
    char text[24];     /* what the matrix shows */
    char failure[400]; /* empty when the cell holds */
} cell_t;

static cell_t matrix[NROWS][NCOLS];

static void cell_fail(cell_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void cell_fail(cell_t *c, const char *fmt, ...)
{
    va_list ap;
    if (c->failure[0])
        return; /* the first failure is the one to see */
    va_start(ap, fmt);
    vsnprintf(c->failure, sizeof c->failure, fmt, ap);
    va_end(ap);
}

/* IGGY_ERR__TRANSPORT -> TRANSPORT, IGGY_ERR_STALE_CLIENT -> STALE_CLIENT. */
static const char *short_name(iggy_err_t e)
{
    const char *n = iggy_err2name(e);
    if (e == IGGY_OK)
        return "OK";
    if (strncmp(n, "IGGY_ERR_", 9) == 0)
        n += 9;
    while (*n == '_')
        n++;
    return n;
}

static iggy_client_t *cell_client(const char *connections)
{
    char timeout[16];
    snprintf(timeout, sizeof timeout, "%d", deadline_ms);
    {
        const char *props[] = {"request.timeout.ms",
                               timeout,
                               "reconnect.backoff.ms",
                               "5",
                               "reconnect.backoff.max.ms",
                               "20",
                               "heartbeat.interval.ms",
                               "0", /* no background pings to take a fault armed on Ping */
                               "connections",
                               connections,
                               NULL};
        return test_client_with(&srv, true, props);
    }
}

/* Until the mock holds at most n connections (closed ones go away asynchronously). */
static bool wait_connections_at_most(size_t n)
{
    for (int i = 0; i < 400; i++) {
        if (iggy_mock_connection_count(srv.mock) <= n)
            return true;
        test_sleep_ms(5);
    }
    return false;
}

static void arm(const row_t *r, col_t col)
{
    if (r->flags & LEADER)
        ck_assert_int_eq(iggy_mock_set_leader(srv.mock, 1), IGGY_OK);
    else
        ck_assert_int_eq(
            iggy_mock_push_fault(srv.mock, cols[col].code, 0, r->kind, r->param, r->count),
            IGGY_OK);
}

static void disarm(void)
{
    iggy_mock_clear_faults(srv.mock);
    ck_assert_int_eq(iggy_mock_set_leader(srv.mock, 0), IGGY_OK);
}

static void send_texts(iggy_client_t *c, const char *stream, const char *prefix, uint32_t n,
                       uint32_t partition)
{
    iggy_identifier_t s = iggy_id_name(stream), t = iggy_id_name("t");
    iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, partition, NULL, 0};
    iggy_send_message_t *m = calloc(n, sizeof *m);
    char(*text)[16] = calloc(n, sizeof *text);
    ck_assert(m && text);
    for (uint32_t i = 0; i < n; i++) {
        snprintf(text[i], sizeof text[i], "%s%u", prefix, i);
        m[i].payload = text[i];
        m[i].payload_len = strlen(text[i]);
    }
    ck_assert_msg(iggy_send_messages(c, &s, &t, &p0, m, n, NULL, NULL) == IGGY_OK, "%s",
                  iggy_last_error_detail());
    free(m);
    free(text);
}

/* Stream `stream` with topic "t" (one partition) and n messages "m<offset>". */
static void make_topic_of(iggy_client_t *c, const char *stream, uint32_t partitions, uint32_t n)
{
    iggy_identifier_t s = iggy_id_name(stream);
    ck_assert_msg(iggy_create_stream(c, stream, NULL) == IGGY_OK, "%s", iggy_last_error_detail());
    ck_assert_msg(iggy_create_topic(c, &s, "t", partitions, NULL, NULL) == IGGY_OK, "%s",
                  iggy_last_error_detail());
    for (uint32_t p = 0; n && p < partitions; p++)
        send_texts(c, stream, "m", n, p);
}

static void make_topic(iggy_client_t *c, const char *stream, uint32_t n)
{
    make_topic_of(c, stream, 1, n);
}

/* Partition 0 of stream/t from offset 0 (at most 1000 messages). */
static iggy_polled_messages_t *read_all(iggy_client_t *c, const char *stream)
{
    iggy_identifier_t s = iggy_id_name(stream), t = iggy_id_name("t");
    iggy_consumer_ref_t me = {IGGY_CONSUMER_SINGLE, iggy_id_num(99)};
    iggy_polling_strategy_t from0 = {IGGY_POLL_OFFSET, 0};
    iggy_polled_messages_t *b = NULL;
    uint32_t p0 = 0;
    ck_assert_msg(iggy_poll_messages(c, &me, &s, &t, &p0, &from0, 1000, false, NULL, &b) == IGGY_OK,
                  "%s", iggy_last_error_detail());
    return b;
}

static bool payload_is(const iggy_message_t *m, const char *want)
{
    return m->payload_len == strlen(want) && memcmp(m->payload, want, m->payload_len) == 0;
}

/* The call of a command column; attempt 1 runs under the fault, 2 after it. Checks what a
 * successful reply carried. */
static iggy_err_t call(iggy_client_t *c, col_t col, const char *stream, int attempt, cell_t *cell)
{
    iggy_identifier_t s = iggy_id_name(stream), t = iggy_id_name("t");
    iggy_consumer_ref_t one = {IGGY_CONSUMER_SINGLE, iggy_id_num(1)};
    uint32_t p0 = 0;
    char name[64];
    iggy_err_t err;
    switch (col) {
    case COL_PING:
        return iggy_ping(c);
    case COL_LOGIN:
        return iggy_login_user(c, srv.username, srv.password, NULL);
    case COL_STREAMS:
        snprintf(name, sizeof name, "%s-%d", stream, attempt);
        return iggy_create_stream(c, name, NULL);
    case COL_TOPICS:
        snprintf(name, sizeof name, "t%d", attempt);
        return iggy_create_topic(c, &s, name, 1, NULL, NULL);
    case COL_PARTITIONS:
        return iggy_create_partitions(c, &s, &t, 1);
    case COL_GROUPS:
        snprintf(name, sizeof name, "g%d", attempt);
        return iggy_create_consumer_group(c, &s, &t, name, NULL);
    case COL_OFFSETS: {
        iggy_consumer_offset_t *o = NULL;
        err = iggy_store_consumer_offset(c, &one, &s, &t, &p0, (uint64_t)attempt, IGGY_ACK_QUORUM);
        if (err == IGGY_OK && attempt == 2) {
            ck_assert_int_eq(iggy_get_consumer_offset(c, &one, &s, &t, &p0, &o), IGGY_OK);
            if (o->stored_offset != 2)
                cell_fail(cell, "stored offset %llu after storing 2",
                          (unsigned long long)o->stored_offset);
            iggy_result_destroy(o);
        }
        return err;
    }
    case COL_SEND: {
        iggy_partitioning_t part0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
        iggy_send_message_t m = {0};
        snprintf(name, sizeof name, "k%d", attempt);
        m.payload = name;
        m.payload_len = strlen(name);
        err = iggy_send_messages(c, &s, &t, &part0, &m, 1, NULL, NULL);
        if (err == IGGY_OK && attempt == 2) {
            iggy_polled_messages_t *b = read_all(c, stream);
            /* k1 at most once or twice (an unknown outcome), then k2 last. */
            if (b->count == 0 || b->count > 3 || !payload_is(&b->messages[b->count - 1], "k2"))
                cell_fail(cell, "log after the sends: %zu messages, last not k2", b->count);
            iggy_result_destroy(b);
        }
        return err;
    }
    case COL_POLL: {
        iggy_polling_strategy_t at = {IGGY_POLL_OFFSET, (uint64_t)(2 + attempt)};
        iggy_polled_messages_t *b = NULL;
        err = iggy_poll_messages(c, &one, &s, &t, &p0, &at, 1, false, NULL, &b);
        if (err == IGGY_OK) {
            char want[16];
            snprintf(want, sizeof want, "m%d", 2 + attempt);
            if (b->count != 1 || b->messages[0].offset != (uint64_t)(2 + attempt) ||
                !payload_is(&b->messages[0], want))
                cell_fail(cell, "poll at %d: %zu messages, first at %llu", 2 + attempt, b->count,
                          b->count ? (unsigned long long)b->messages[0].offset : 0ull);
        }
        iggy_result_destroy(b);
        return err;
    }
    default:
        ck_abort_msg("not a command column");
        return IGGY_ERR__STATE;
    }
}

static void prepare(iggy_client_t *c, col_t col, const char *stream)
{
    iggy_identifier_t s = iggy_id_name(stream);
    switch (col) {
    case COL_TOPICS:
        ck_assert_int_eq(iggy_create_stream(c, stream, NULL), IGGY_OK);
        break;
    case COL_PARTITIONS:
    case COL_GROUPS:
    case COL_SEND:
        make_topic(c, stream, 0);
        break;
    case COL_OFFSETS:
    case COL_POLL:
        make_topic(c, stream, POLL_MSGS);
        break;
    default:
        break;
    }
    (void)s;
}

static void command_cell(size_t ri, col_t col)
{
    const row_t *r = &rows[ri];
    cell_t *cell = &matrix[ri][col];
    iggy_err_t want = expected(r, col), err;
    char stream[32];
    uint64_t connects;
    int64_t t0, took;
    iggy_client_t *c;

    snprintf(stream, sizeof stream, "fm%zu-%d", ri, (int)col);
    ck_assert(wait_connections_at_most(0));
    c = cell_client("1");
    prepare(c, col, stream);
    ck_assert_int_eq(iggy_ping(c), IGGY_OK); /* the reply a stale-reply fault sends again */
    connects = test_client_connects(c);
    arm(r, col);
    t0 = iggy_now_ms();
    err = call(c, col, stream, 1, cell);
    took = iggy_now_ms() - t0;
    snprintf(cell->text, sizeof cell->text, "%s", short_name(err));
    if (err != want)
        cell_fail(cell, "got %s (%s), want %s", short_name(err), iggy_last_error_detail(),
                  short_name(want));
    if (took > deadline_ms + SLACK_MS)
        cell_fail(cell, "took %lld ms with a %d ms deadline", (long long)took, deadline_ms);
    if ((r->flags & WAITS) && took < deadline_ms - 60)
        cell_fail(cell, "%s after %lld ms, before the %d ms deadline", short_name(err),
                  (long long)took, deadline_ms);
    if ((r->flags & HALF) && took < deadline_ms / 2 - 60)
        cell_fail(cell, "%s after %lld ms, before half the %d ms deadline", short_name(err),
                  (long long)took, deadline_ms);
    disarm();
    /* The server closed the connection after a good reply: the next call must notice and
     * go on a new one (not race the close with its request). A login's own leader check may
     * have noticed already. */
    if ((r->flags & CLOSES) && test_client_connects(c) == connects && !wait_connections_at_most(0))
        cell_fail(cell, "the mock kept the connection");
    err = call(c, col, stream, 2, cell);
    if (err != IGGY_OK)
        cell_fail(cell, "next call: %s (%s)", short_name(err), iggy_last_error_detail());
    if ((r->flags & DROPS) && test_client_connects(c) <= connects)
        cell_fail(cell, "the next call did not reconnect");
    if (!(r->flags & (DROPS | LEADER)) && test_client_connects(c) != connects)
        cell_fail(cell, "reconnected though the connection was fine");
    iggy_client_destroy(c);
}

/* ---------------------------------------------------------------- producer */

static void producer_cell(size_t ri)
{
    const row_t *r = &rows[ri];
    cell_t *cell = &matrix[ri][COL_PRODUCER];
    iggy_err_t want = expected(r, COL_SEND);
    char stream[32], timeout[16];
    const char *props[] = {"request.timeout.ms",
                           timeout,
                           "reconnect.backoff.ms",
                           "5",
                           "reconnect.backoff.max.ms",
                           "20",
                           "heartbeat.interval.ms",
                           "0",
                           "producer.retries",
                           "2",
                           "producer.retry.backoff.ms",
                           "10",
                           "producer.linger.ms",
                           "1",
                           NULL};
    iggy_identifier_t s, t = iggy_id_name("t");
    iggy_send_message_t msgs[2 * BATCH];
    char texts[2 * BATCH][16];
    void *opaques[2 * BATCH];
    iggy_delivery_report_t reports[2 * BATCH];
    int seen[2 * BATCH] = {0};
    size_t got = 0, delivered_a = 0, failed_a = 0;
    iggy_err_t failure = IGGY_OK;
    iggy_polled_messages_t *log;
    iggy_producer_t *p = NULL;
    iggy_client_t *admin, *c;
    iggy_conf_t *conf;
    char err[256];
    int64_t t0, took;

    snprintf(stream, sizeof stream, "fm%zu-producer", ri);
    snprintf(timeout, sizeof timeout, "%d", deadline_ms);
    s = iggy_id_name(stream);
    ck_assert(wait_connections_at_most(0));
    admin = cell_client("1");
    make_topic(admin, stream, 0);
    conf = test_conf(&srv, true, props);
    ck_assert_int_eq(iggy_client_new(conf, &c, err, sizeof err), IGGY_OK);
    ck_assert_msg(iggy_producer_new(c, conf, &s, &t, NULL, &p, err, sizeof err) == IGGY_OK, "%s",
                  err);
    iggy_conf_destroy(conf);
    for (size_t i = 0; i < 2 * BATCH; i++) {
        snprintf(texts[i], sizeof texts[i], "%c%zu", i < BATCH ? 'a' : 'b', i);
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].payload = texts[i];
        msgs[i].payload_len = strlen(texts[i]);
        opaques[i] = &texts[i];
    }
    arm(r, COL_PRODUCER);
    t0 = iggy_now_ms();
    ck_assert_int_eq(iggy_producer_send(p, NULL, msgs, BATCH, opaques), IGGY_OK);
    /* Three attempts, each within a deadline, and their pauses. */
    ck_assert_int_eq(iggy_producer_flush(p, 3 * (deadline_ms + SLACK_MS)), IGGY_OK);
    took = iggy_now_ms() - t0;
    disarm();
    ck_assert_int_eq(iggy_producer_send(p, NULL, msgs + BATCH, BATCH, opaques + BATCH), IGGY_OK);
    ck_assert_int_eq(iggy_producer_flush(p, 10000), IGGY_OK);
    while (got < 2 * BATCH) {
        size_t n = iggy_producer_poll_reports(p, reports + got, 2 * BATCH - got, 1000);
        if (n == 0)
            break;
        got += n;
    }
    iggy_producer_destroy(p);
    iggy_client_destroy(c);

    /* Every message once; every one reported delivered is in the log at its offset. */
    log = read_all(admin, stream);
    if (got != 2 * BATCH)
        cell_fail(cell, "%zu reports for %d messages", got, 2 * BATCH);
    for (size_t i = 0; i < got; i++) {
        size_t m = (size_t)((char(*)[16])reports[i].msg_opaque - texts);
        if (m >= 2 * BATCH || seen[m]++) {
            cell_fail(cell, "a report for message %zu, twice or unknown", m);
            continue;
        }
        if (reports[i].err != IGGY_OK) {
            if (m >= BATCH)
                cell_fail(cell, "%s failed after the fault: %s", texts[m],
                          short_name(reports[i].err));
            else
                failed_a++;
            failure = reports[i].err;
            continue;
        }
        if (m < BATCH)
            delivered_a++;
        if (reports[i].offset >= log->count ||
            !payload_is(&log->messages[reports[i].offset], texts[m]))
            cell_fail(cell, "%s reported delivered at %llu, the log has %s there", texts[m],
                      (unsigned long long)reports[i].offset,
                      reports[i].offset < log->count ? "another message" : "nothing");
    }
    iggy_result_destroy(log);
    snprintf(cell->text, sizeof cell->text, "%zu/%zu", delivered_a, failed_a);
    /* Resent until delivered, or failed with the call's own error (a fault that never ends
     * outlasts every resend). */
    if (producer_resends(want) && r->count != FOREVER) {
        if (delivered_a != BATCH)
            cell_fail(cell, "%zu of %d delivered under a resendable fault", delivered_a, BATCH);
    } else if (failed_a == 0 || failure != want) {
        cell_fail(cell, "%zu failed (%s), want the batch failed with %s", failed_a,
                  short_name(failure), short_name(want));
    }
    if (r->count == FOREVER && delivered_a)
        cell_fail(cell, "delivered under a fault that never ends");
    if (took > 3 * (deadline_ms + SLACK_MS))
        cell_fail(cell, "the faulted batch took %lld ms", (long long)took);
    iggy_client_destroy(admin);
}

/* ---------------------------------------------------------------- consumer */

/* A group member reads GROUP_PARTS partitions in turn. The fault is armed after the first
 * batch (COL_CONSUMER: it hits the first read of the next partition, relative to the group's
 * stored offset) or after a whole round (COL_CONSUMER_READING: it hits a read from the
 * member's own position). */
static void consumer_cell(size_t ri, col_t col)
{
    const row_t *r = &rows[ri];
    cell_t *cell = &matrix[ri][col];
    int warm = col == COL_CONSUMER ? 1 : GROUP_PARTS;
    char stream[32], timeout[16];
    const char *props[] = {"request.timeout.ms",
                           timeout,
                           "reconnect.backoff.ms",
                           "5",
                           "reconnect.backoff.max.ms",
                           "20",
                           "heartbeat.interval.ms",
                           "0",
                           "consumer.group",
                           "g",
                           "consumer.batch.length",
                           "5",
                           "consumer.retry.interval.ms",
                           "20",
                           NULL};
    iggy_identifier_t s, t = iggy_id_name("t");
    iggy_polled_messages_t *batch = NULL;
    iggy_consumer_t *k = NULL;
    iggy_client_t *c;
    iggy_conf_t *conf;
    uint64_t next[GROUP_PARTS] = {0}, got = 0;
    int errors = 0;
    iggy_err_t last = IGGY_OK;
    int64_t until = 0;
    char err[256];

    snprintf(stream, sizeof stream, "fm%zu-consumer%d", ri, warm);
    snprintf(timeout, sizeof timeout, "%d", deadline_ms);
    s = iggy_id_name(stream);
    ck_assert(wait_connections_at_most(0));
    conf = test_conf(&srv, true, props);
    ck_assert_int_eq(iggy_client_new(conf, &c, err, sizeof err), IGGY_OK);
    make_topic_of(c, stream, GROUP_PARTS, GROUP_PER);
    ck_assert_msg(iggy_consumer_new(c, conf, &s, &t, NULL, &k, err, sizeof err) == IGGY_OK, "%s",
                  err);
    iggy_conf_destroy(conf);
    for (int n = 1; got < GROUP_MSGS && (n <= warm || iggy_now_ms() < until); n++) {
        iggy_err_t e = iggy_consumer_poll(k, n <= warm ? 5000 : 1000, &batch);
        uint32_t p;
        if (n <= warm)
            ck_assert_int_eq(e, IGGY_OK);
        if (n == warm) {
            arm(r, col);
            until = iggy_now_ms() + 10000;
        }
        if (e != IGGY_OK) {
            errors++;
            last = e;
            disarm(); /* a fault forever ends once the consumer has reported it */
            continue;
        }
        p = batch->partition_id;
        for (size_t i = 0; i < batch->count; i++) {
            if (p >= GROUP_PARTS || batch->messages[i].offset != next[p % GROUP_PARTS]) {
                cell_fail(cell, "partition %u: read offset %llu, expected %llu", p,
                          (unsigned long long)batch->messages[i].offset,
                          (unsigned long long)next[p % GROUP_PARTS]);
                next[p % GROUP_PARTS] = batch->messages[i].offset;
            }
            next[p % GROUP_PARTS]++;
            got++;
        }
    }
    disarm();
    if (errors)
        snprintf(cell->text, sizeof cell->text, "%llu e%d", (unsigned long long)got, errors);
    else
        snprintf(cell->text, sizeof cell->text, "%llu", (unsigned long long)got);
    for (uint32_t p = 0; p < GROUP_PARTS; p++)
        if (next[p] != GROUP_PER)
            cell_fail(cell, "partition %u read up to %llu of %d (last error %s: %s)", p,
                      (unsigned long long)next[p], GROUP_PER, short_name(last),
                      iggy_last_error_detail());
    if (r->count == FOREVER && errors == 0)
        cell_fail(cell, "a poll never failed under a fault that never ends");
    if (errors > 2)
        cell_fail(cell, "%d failed polls (last %s)", errors, short_name(last));
    ck_assert_int_eq(iggy_consumer_close(k), IGGY_OK);
    iggy_result_destroy(batch);
    iggy_client_destroy(c);
}

/* ---------------------------------------------------------------- the matrix */

static void print_matrix(void)
{
    printf("fault matrix (request deadline %d ms; producer: batch of %d delivered/failed; "
           "consumer: messages read of %d in %d partitions, eN = polls that failed)\n",
           deadline_ms, BATCH, GROUP_MSGS, GROUP_PARTS);
    printf("%-22s", "");
    for (int c = 0; c < NCOLS; c++)
        printf(" %-16s", cols[c].name);
    printf("\n");
    for (size_t r = 0; r < NROWS; r++) {
        printf("%-22s", rows[r].name);
        for (int c = 0; c < NCOLS; c++) {
            char shown[32];
            snprintf(shown, sizeof shown, "%s%s", matrix[r][c].failure[0] ? "!" : "",
                     matrix[r][c].text);
            printf(" %-16.16s", shown);
        }
        printf("\n");
    }
    fflush(stdout);
}

START_TEST(every_fault_against_every_family)
{
    iggy_mock_opts_t o;
    int failures = 0;
    const char *first = NULL;
    const char *light = getenv("IGGY_TEST_LIGHT");
    deadline_ms = light && *light == '1' ? 500 : 250;
    memset(&o, 0, sizeof o);
    o.nodes = 2; /* for the leader to move */
    if (!test_begin_mock_only(&srv, &guard, &o, "every_fault_against_every_family"))
        return;
    memset(matrix, 0, sizeof matrix);
    for (size_t r = 0; r < NROWS; r++) {
        for (int c = 0; c < COL_PRODUCER; c++)
            command_cell(r, (col_t)c);
        producer_cell(r);
        consumer_cell(r, COL_CONSUMER);
        consumer_cell(r, COL_CONSUMER_READING);
    }
    print_matrix();
    for (size_t r = 0; r < NROWS; r++)
        for (int c = 0; c < NCOLS; c++)
            if (matrix[r][c].failure[0]) {
                printf("FAIL [%s] x [%s]: %s\n", rows[r].name, cols[c].name, matrix[r][c].failure);
                if (!failures++)
                    first = matrix[r][c].failure;
            }
    ck_assert_msg(failures == 0, "%d cells failed; first: %s", failures, first);
    test_end(&srv, &guard);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fault_matrix");
    TCase *tc = tcase_create("matrix");
    tcase_set_timeout(tc, 280);
    tcase_add_test(tc, every_fault_against_every_family);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
