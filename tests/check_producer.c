/* The high-level producer: a delivery report for every message, every delivered message in the
 * log once (or, after a fault that hides the outcome of an applied batch, possibly twice, and
 * counted), order per partition, backpressure, faults, and shutdown while the server is away.
 * Each message's payload is its sequence number; its report's opaque is that number + 1. Tests
 * that need fault injection print SKIPPED against a real server. */
#include <check.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iggy/iggy.h>
#include <iggy/mock.h>

#include "test_main.h"
#include "test_server.h"

#define CODE_SEND 101u

static test_server_t srv;
static test_leak_guard_t guard;

/* What the reports said, per sequence number. */
typedef struct ledger {
    pthread_mutex_t lock;
    size_t n;
    uint32_t *reports; /* reports per message */
    iggy_err_t *err;
    uint32_t *partition;
    uint64_t *offset;
    uint32_t *attempts;
    size_t total, delivered, failed;
} ledger_t;

static void ledger_init(ledger_t *l, size_t n)
{
    memset(l, 0, sizeof *l);
    pthread_mutex_init(&l->lock, NULL);
    l->n = n;
    l->reports = calloc(n, sizeof *l->reports);
    l->err = calloc(n, sizeof *l->err);
    l->partition = calloc(n, sizeof *l->partition);
    l->offset = calloc(n, sizeof *l->offset);
    l->attempts = calloc(n, sizeof *l->attempts);
    ck_assert(l->reports && l->err && l->partition && l->offset && l->attempts);
}

static void ledger_free(ledger_t *l)
{
    free(l->reports);
    free(l->err);
    free(l->partition);
    free(l->offset);
    free(l->attempts);
    pthread_mutex_destroy(&l->lock);
}

static void record(ledger_t *l, const iggy_delivery_report_t *r)
{
    size_t seq = (size_t)(uintptr_t)r->msg_opaque - 1;
    pthread_mutex_lock(&l->lock);
    ck_assert_uint_lt(seq, l->n);
    l->reports[seq]++;
    l->err[seq] = r->err;
    l->partition[seq] = r->partition_id;
    l->offset[seq] = r->offset;
    l->attempts[seq] = r->attempts;
    l->total++;
    if (r->err == IGGY_OK)
        l->delivered++;
    else if (l->failed++ == 0 && getenv("IGGY_TEST_DEBUG"))
        fprintf(stderr, "first failure: %s (%d) after %u attempt(s)\n", iggy_err2name(r->err),
                (int)r->err, r->attempts);
    pthread_mutex_unlock(&l->lock);
}

static void on_report(const iggy_delivery_report_t *r, void *opaque)
{
    record(opaque, r);
}

static bool begin_mock(const char *what)
{
    return test_begin_mock_only(&srv, &guard, NULL, what);
}

static void begin(void)
{
    test_begin(&srv, &guard, NULL);
}

static void finish(void)
{
    test_end(&srv, &guard);
}

static void print_log(int level, const char *facility, const char *msg, void *opaque)
{
    (void)opaque;
    fprintf(stderr, "log %d %s: %s\n", level, facility, msg);
}

/* A client whose conf carries the producer settings and (when l is set) the callback. */
static iggy_client_t *client_for(const char *const *props, ledger_t *l)
{
    iggy_conf_t *conf = test_conf(&srv, true, props);
    iggy_client_t *c;
    char err[256];
    if (l)
        iggy_conf_set_delivery_report_cb(conf, on_report, l);
    if (getenv("IGGY_TEST_DEBUG"))
        iggy_conf_set_log_cb(conf, print_log, NULL);
    ck_assert_msg(iggy_client_new(conf, &c, err, sizeof err) == IGGY_OK, "%s", err);
    iggy_conf_destroy(conf);
    return c;
}

static iggy_producer_t *producer_on(iggy_client_t *c, const char *stream)
{
    iggy_identifier_t s = iggy_id_name(stream), t = iggy_id_name("t");
    iggy_producer_t *p = NULL;
    char err[256];
    ck_assert_msg(iggy_producer_new(c, NULL, &s, &t, NULL, &p, err, sizeof err) == IGGY_OK, "%s",
                  err);
    return p;
}

/* Queue messages [from, to) in sends of per_send, balanced (each send to the next partition). */
static iggy_err_t send_range(iggy_producer_t *p, size_t from, size_t to, size_t per_send,
                             uint64_t *payloads)
{
    iggy_send_message_t msgs[256];
    void *opaques[256];
    ck_assert_uint_le(per_send, 256);
    for (size_t seq = from; seq < to;) {
        size_t n = 0;
        for (; n < per_send && seq < to; n++, seq++) {
            payloads[seq] = seq;
            memset(&msgs[n], 0, sizeof msgs[n]);
            msgs[n].payload = &payloads[seq];
            msgs[n].payload_len = sizeof payloads[seq];
            opaques[n] = (void *)(uintptr_t)(seq + 1);
        }
        iggy_err_t err = iggy_producer_send(p, NULL, msgs, n, opaques);
        if (err != IGGY_OK)
            return err;
    }
    return IGGY_OK;
}

/* Room for the first id seen of each message (freed at exit of the test process). */
static iggy_u128_t *ids_scratch(size_t n)
{
    static iggy_u128_t *ids;
    static size_t cap;
    if (n > cap) {
        free(ids);
        ids = calloc(n, sizeof *ids);
        ck_assert_ptr_nonnull(ids);
        cap = n;
    }
    memset(ids, 0, n * sizeof *ids);
    return ids;
}

/* Read every partition back: count each sequence number, check that the reports' offsets point
 * at the right messages and that each partition holds its messages in queueing order. Returns
 * how many sequence numbers appear more than once. */
static size_t audit_log(iggy_client_t *c, const char *stream, uint32_t partitions,
                        const ledger_t *l, uint32_t *seen, iggy_u128_t *ids)
{
    iggy_identifier_t s = iggy_id_name(stream), t = iggy_id_name("t");
    iggy_consumer_ref_t reader = {IGGY_CONSUMER_SINGLE, iggy_id_num(1)};
    iggy_polled_messages_t *b = NULL;
    uint8_t *matched = calloc(l->n, 1);
    size_t dups = 0;
    ck_assert_ptr_nonnull(matched);
    for (uint32_t part = 0; part < partitions; part++) {
        uint64_t next = 0;
        int64_t last = -1;
        for (;;) {
            iggy_polling_strategy_t from = {IGGY_POLL_OFFSET, next};
            ck_assert_int_eq(
                iggy_poll_messages_into(c, &reader, &s, &t, &part, &from, 1000, false, NULL, &b),
                IGGY_OK);
            if (b->count == 0)
                break;
            for (size_t i = 0; i < b->count; i++) {
                const iggy_message_t *m = &b->messages[i];
                uint64_t seq;
                ck_assert_uint_eq(m->payload_len, sizeof seq);
                memcpy(&seq, m->payload, sizeof seq);
                ck_assert_uint_lt(seq, l->n);
                /* A resent batch carries the ids it was first sent with. */
                if (seen[seq]++) {
                    dups++;
                    ck_assert(ids[seq].lo == m->id.lo && ids[seq].hi == m->id.hi);
                } else {
                    ids[seq] = m->id;
                }
                /* A delivered message's report names one of its copies. */
                if (l->err[seq] == IGGY_OK && l->partition[seq] == part &&
                    l->offset[seq] == m->offset)
                    matched[seq] = 1;
                /* Queueing order per partition; a duplicate re-writes an earlier batch. */
                if (seen[seq] == 1) {
                    ck_assert_msg((int64_t)seq > last, "partition %u: %" PRIu64 " after %" PRId64,
                                  part, seq, last);
                    last = (int64_t)seq;
                }
                next = m->offset + 1;
            }
        }
    }
    iggy_result_destroy(b);
    for (size_t seq = 0; seq < l->n; seq++)
        ck_assert_msg(l->err[seq] != IGGY_OK || matched[seq],
                      "message %zu: reported at partition %u offset %" PRIu64 ", not found there",
                      seq, l->partition[seq], l->offset[seq]);
    free(matched);
    return dups;
}

START_TEST(a_million_messages_each_reported_and_written_once)
{
    const char *light = getenv("IGGY_TEST_LIGHT");
    size_t n = light && *light == '1' ? 100000 : 1000000;
    const char *props[] = {"producer.create.topic", "true", "producer.create.topic.partitions", "6",
                           NULL};
    char stream[128];
    uint64_t *payloads = malloc(n * sizeof *payloads);
    uint32_t *seen = calloc(n, sizeof *seen);
    iggy_producer_stats_t *st = NULL;
    iggy_producer_t *p;
    iggy_client_t *c;
    ledger_t l;
    ck_assert(payloads && seen);
    begin();
    ledger_init(&l, n);
    c = client_for(props, &l);
    snprintf(stream, sizeof stream, "%s",
             srv.real ? test_unique_name("producer-1m") : "producer-1m");
    p = producer_on(c, stream);
    ck_assert_int_eq(send_range(p, 0, n, 100, payloads), IGGY_OK);
    ck_assert_int_eq(iggy_producer_flush(p, 120000), IGGY_OK);
    ck_assert_uint_eq(l.total, n);
    ck_assert_uint_eq(l.delivered, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(l.reports[i], 1);
    ck_assert_int_eq(iggy_producer_stats(p, &st), IGGY_OK);
    ck_assert_uint_eq(st->delivered, n);
    ck_assert_uint_eq(st->failed, 0);
    ck_assert_uint_eq(st->queued_messages, 0);
    ck_assert_uint_eq(st->queued_bytes, 0);
    ck_assert_uint_ge(st->batches_sent, n / 1000);
    ck_assert_uint_le(st->latency_p50_us, st->latency_p99_us);
    iggy_result_destroy(st);
    iggy_producer_destroy(p);

    ck_assert_uint_eq(audit_log(c, stream, 6, &l, seen, ids_scratch(l.n)), 0);
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(seen[i], 1);
    {
        iggy_identifier_t s = iggy_id_name(stream);
        ck_assert_int_eq(iggy_delete_stream(c, &s), IGGY_OK);
    }
    iggy_client_destroy(c);
    ledger_free(&l);
    free(payloads);
    free(seen);
    finish();
}
END_TEST

START_TEST(direct_mode_sends_in_batches_before_returning)
{
    const char *props[] = {
        "producer.mode", "direct", "producer.batch.length", "1000", "producer.create.topic",
        "true",          NULL};
    uint64_t payloads[2500];
    uint32_t seen[2500] = {0};
    uint64_t sends;
    iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    iggy_send_message_t msgs[2500];
    void *opaques[2500];
    iggy_producer_t *p;
    iggy_client_t *c;
    ledger_t l;
    if (!begin_mock("direct_mode_sends_in_batches_before_returning"))
        return;
    ledger_init(&l, 2500);
    c = client_for(props, &l);
    p = producer_on(c, "direct");
    for (size_t i = 0; i < 2500; i++) {
        payloads[i] = i;
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].payload = &payloads[i];
        msgs[i].payload_len = sizeof payloads[i];
        opaques[i] = (void *)(uintptr_t)(i + 1);
    }
    sends = iggy_mock_request_count(srv.mock, CODE_SEND);
    ck_assert_int_eq(iggy_producer_send(p, &p0, msgs, 2500, opaques), IGGY_OK);
    /* Reported before the call returned, in three batches, offsets 0..2499. */
    ck_assert_uint_eq(l.delivered, 2500);
    ck_assert_uint_eq(iggy_mock_request_count(srv.mock, CODE_SEND), sends + 3);
    for (size_t i = 0; i < 2500; i++)
        ck_assert_uint_eq(l.offset[i], i);
    iggy_producer_destroy(p);
    ck_assert_uint_eq(audit_log(c, "direct", 1, &l, seen, ids_scratch(l.n)), 0);
    iggy_client_destroy(c);
    ledger_free(&l);
    finish();
}
END_TEST

START_TEST(reports_can_be_polled)
{
    const char *props[] = {"producer.create.topic", "true", "producer.create.topic.partitions", "2",
                           NULL};
    uint64_t payloads[300];
    iggy_delivery_report_t got[64];
    iggy_producer_t *p;
    iggy_client_t *c;
    size_t total = 0, n;
    char stream[128];
    ledger_t l;
    begin();
    ledger_init(&l, 300);
    c = client_for(props, NULL);
    snprintf(stream, sizeof stream, "%s",
             srv.real ? test_unique_name("producer-poll") : "producer-poll");
    p = producer_on(c, stream);
    ck_assert_int_eq(send_range(p, 0, 300, 30, payloads), IGGY_OK);
    ck_assert_int_eq(iggy_producer_flush(p, 30000), IGGY_OK);
    while ((n = iggy_producer_poll_reports(p, got, 64, 0)) > 0) {
        for (size_t i = 0; i < n; i++)
            record(&l, &got[i]);
        total += n;
    }
    ck_assert_uint_eq(total, 300);
    ck_assert_uint_eq(l.delivered, 300);
    for (size_t i = 0; i < 300; i++)
        ck_assert_uint_eq(l.reports[i], 1);
    ck_assert_uint_eq(iggy_producer_poll_reports(p, got, 64, 50), 0); /* waits, then none */
    iggy_producer_destroy(p);
    {
        iggy_identifier_t s = iggy_id_name(stream);
        ck_assert_int_eq(iggy_delete_stream(c, &s), IGGY_OK);
    }
    iggy_client_destroy(c);
    ledger_free(&l);
    finish();
}
END_TEST

static double elapsed_ms(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

/* A producer with a 10-message buffer in front of a server that holds every send 300 ms. */
static iggy_producer_t *slow_tiny_producer(iggy_client_t **c, ledger_t *l, const char *mode)
{
    const char *props[] = {"producer.create.topic",
                           "true",
                           "producer.buffer.max.messages",
                           "10",
                           "producer.backpressure",
                           mode,
                           "producer.backpressure.timeout.ms",
                           "150",
                           "producer.linger.ms",
                           "0",
                           NULL};
    iggy_producer_t *p;
    *c = client_for(props, l);
    p = producer_on(*c, "tiny");
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_SEND, 0, IGGY_MOCK_FAULT_DELAY, 300, 100),
                     IGGY_OK);
    return p;
}

START_TEST(backpressure_modes_behave_as_documented)
{
    uint64_t payloads[40];
    struct timespec t0;
    iggy_producer_t *p;
    iggy_client_t *c;
    ledger_t l;
    if (!begin_mock("backpressure_modes_behave_as_documented"))
        return;

    /* fail: a full buffer refuses at once, and the refused messages get no report. */
    ledger_init(&l, 40);
    p = slow_tiny_producer(&c, &l, "fail");
    ck_assert_int_eq(send_range(p, 0, 10, 10, payloads), IGGY_OK);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(send_range(p, 10, 11, 1, payloads), IGGY_ERR__QUEUE_FULL);
    ck_assert(elapsed_ms(&t0) < 100);
    ck_assert_int_eq(iggy_producer_flush(p, 10000), IGGY_OK);
    ck_assert_uint_eq(l.delivered, 10);
    ck_assert_uint_eq(l.reports[10], 0);
    iggy_producer_destroy(p);
    iggy_client_destroy(c);
    ledger_free(&l);

    /* block_timeout: waits the timeout, then refuses. */
    ledger_init(&l, 40);
    p = slow_tiny_producer(&c, &l, "block_timeout");
    ck_assert_int_eq(send_range(p, 0, 10, 10, payloads), IGGY_OK);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(send_range(p, 10, 11, 1, payloads), IGGY_ERR__QUEUE_FULL);
    ck_assert(elapsed_ms(&t0) >= 140);
    ck_assert_int_eq(iggy_producer_flush(p, 10000), IGGY_OK);
    iggy_producer_destroy(p);
    iggy_client_destroy(c);
    ledger_free(&l);

    /* block: waits for room as long as it takes; nothing is refused. */
    ledger_init(&l, 40);
    p = slow_tiny_producer(&c, &l, "block");
    ck_assert_int_eq(send_range(p, 0, 40, 5, payloads), IGGY_OK);
    ck_assert_int_eq(iggy_producer_flush(p, 20000), IGGY_OK);
    ck_assert_uint_eq(l.delivered, 40);
    iggy_producer_destroy(p);
    iggy_client_destroy(c);
    ledger_free(&l);
    finish();
}
END_TEST

/* One fault on one SendMessages in the middle of a run: every message reported, every
 * delivered one in the log, duplicates only where the outcome was hidden after applying. */
/* producer.delivery.reports=errors: delivered messages are counted and awaited by a flush but
 * reported to nobody; failed ones are reported, through the callback or the poll. */
START_TEST(errors_only_reports_name_only_failures)
{
    const char *props[] = {"producer.create.topic",
                           "true",
                           "producer.create.topic.partitions",
                           "2",
                           "producer.batch.length",
                           "30",
                           "producer.retries",
                           "0",
                           "producer.delivery.reports",
                           "errors",
                           NULL};
    uint64_t payloads[330];
    iggy_delivery_report_t got[64];
    iggy_producer_stats_t *st = NULL;
    for (int with_cb = 0; with_cb < 2; with_cb++) {
        size_t n, failed = 0;
        iggy_producer_t *p;
        iggy_client_t *c;
        ledger_t l;
        if (!begin_mock("errors_only_reports_name_only_failures"))
            return;
        ledger_init(&l, 330);
        c = client_for(props, with_cb ? &l : NULL);
        p = producer_on(c, "producer-errors-only");
        ck_assert_int_eq(send_range(p, 0, 300, 30, payloads), IGGY_OK);
        ck_assert_int_eq(iggy_producer_flush(p, 30000), IGGY_OK);
        ck_assert_uint_eq(iggy_producer_poll_reports(p, got, 64, 0), 0);
        ck_assert_uint_eq(l.total, 0);
        iggy_result_destroy(st); /* a snapshot per call */
        st = NULL;
        ck_assert_int_eq(iggy_producer_stats(p, &st), IGGY_OK);
        ck_assert_uint_eq(st->delivered, 300);
        ck_assert_uint_eq(st->queued_messages, 0);
        /* One send of 30 (one batch) refused by the server with an error that is not
         * retriable (1, generic): 30 failure reports. */
        ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_SEND, 0, IGGY_MOCK_FAULT_STATUS, 1, 1),
                         IGGY_OK);
        ck_assert_int_eq(send_range(p, 300, 330, 30, payloads), IGGY_OK);
        ck_assert_int_eq(iggy_producer_flush(p, 30000), IGGY_OK);
        while ((n = iggy_producer_poll_reports(p, got, 64, 0)) > 0) {
            for (size_t i = 0; i < n; i++) {
                size_t seq = (size_t)(uintptr_t)got[i].msg_opaque - 1;
                ck_assert_int_ne(got[i].err, IGGY_OK);
                ck_assert_uint_ge(seq, 300);
                ck_assert_uint_lt(seq, 330);
            }
            failed += n;
        }
        if (with_cb) {
            ck_assert_uint_eq(failed, 0); /* the callback took them */
            ck_assert_uint_eq(l.total, 30);
            ck_assert_uint_eq(l.failed, 30);
            for (size_t i = 300; i < 330; i++)
                ck_assert_uint_eq(l.reports[i], 1);
        } else {
            ck_assert_uint_eq(failed, 30);
        }
        iggy_result_destroy(st); /* a snapshot per call */
        st = NULL;
        ck_assert_int_eq(iggy_producer_stats(p, &st), IGGY_OK);
        ck_assert_uint_eq(st->delivered, 300);
        ck_assert_uint_eq(st->failed, 30);
        iggy_result_destroy(st);
        st = NULL;
        iggy_producer_destroy(p);
        iggy_client_destroy(c);
        ledger_free(&l);
        finish();
    }
}
END_TEST

static void run_with_fault(iggy_mock_fault_kind_t kind, uint32_t param, bool may_duplicate)
{
    enum { N = 2000 };
    const char *props[] = {"producer.create.topic",
                           "true",
                           "producer.create.topic.partitions",
                           "3",
                           "producer.batch.length",
                           "100",
                           "producer.retry.backoff.ms",
                           "20",
                           NULL};
    uint64_t payloads[N];
    uint32_t seen[N] = {0};
    iggy_producer_t *p;
    iggy_client_t *c;
    size_t dups;
    ledger_t l;
    ledger_init(&l, N);
    c = client_for(props, &l);
    p = producer_on(c, "faulty");
    ck_assert_int_eq(send_range(p, 0, N / 2, 50, payloads), IGGY_OK);
    ck_assert_int_eq(iggy_producer_flush(p, 30000), IGGY_OK);
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_SEND, 0, kind, param, 1), IGGY_OK);
    ck_assert_int_eq(send_range(p, N / 2, N, 50, payloads), IGGY_OK);
    ck_assert_int_eq(iggy_producer_flush(p, 30000), IGGY_OK);
    ck_assert_uint_eq(l.total, N);
    for (size_t i = 0; i < N; i++)
        ck_assert_uint_eq(l.reports[i], 1);
    ck_assert_uint_eq(l.delivered, N); /* the retries cover one fault */
    iggy_producer_destroy(p);
    dups = audit_log(c, "faulty", 3, &l, seen, ids_scratch(l.n));
    for (size_t i = 0; i < N; i++)
        ck_assert_uint_ge(seen[i], 1);
    if (!may_duplicate)
        ck_assert_uint_eq(dups, 0);
    else
        printf("fault %d: %zu duplicate message(s) in the log (an applied batch resent)\n",
               (int)kind, dups);
    ck_assert_uint_le(dups, 100); /* at most the one batch that met the fault */
    {
        iggy_identifier_t s = iggy_id_name("faulty");
        ck_assert_int_eq(iggy_delete_stream(c, &s), IGGY_OK);
    }
    iggy_client_destroy(c);
    ledger_free(&l);
}

START_TEST(faults_are_retried_and_reported)
{
    if (!begin_mock("faults_are_retried_and_reported"))
        return;
    run_with_fault(IGGY_MOCK_FAULT_RESET_MID_REPLY, 0, true);
    run_with_fault(IGGY_MOCK_FAULT_CLOSE_MID_REPLY, 0, true);
    run_with_fault(IGGY_MOCK_FAULT_EVICT, 7, false);
    /* The partition plane answers transient outcomes in the header status (a result section
     * is for metadata writes). */
    run_with_fault(IGGY_MOCK_FAULT_STATUS, 57, false);
    run_with_fault(IGGY_MOCK_FAULT_STATUS, 58, false);
    run_with_fault(IGGY_MOCK_FAULT_CLOSE, 0, false);
    finish();
}
END_TEST

START_TEST(a_server_down_and_back_loses_nothing)
{
    enum { N = 3000 };
    const char *props[] = {"producer.create.topic",
                           "true",
                           "producer.batch.length",
                           "100",
                           "producer.retries",
                           "50",
                           "producer.retry.backoff.ms",
                           "20",
                           "producer.retry.backoff.max.ms",
                           "100",
                           "request.timeout.ms",
                           "500",
                           NULL};
    uint64_t payloads[N];
    uint32_t seen[N] = {0};
    iggy_producer_t *p;
    iggy_client_t *c;
    ledger_t l;
    if (!begin_mock("a_server_down_and_back_loses_nothing"))
        return;
    ledger_init(&l, N);
    c = client_for(props, &l);
    p = producer_on(c, "downup");
    ck_assert_int_eq(send_range(p, 0, N / 3, 50, payloads), IGGY_OK);
    ck_assert_int_eq(iggy_mock_set_down(srv.mock, 0), IGGY_OK);
    ck_assert_int_eq(send_range(p, N / 3, 2 * N / 3, 50, payloads), IGGY_OK);
    ck_assert_int_eq(iggy_producer_flush(p, 300), IGGY_ERR__TIMED_OUT);
    ck_assert_int_eq(iggy_mock_set_up(srv.mock, 0), IGGY_OK);
    ck_assert_int_eq(send_range(p, 2 * N / 3, N, 50, payloads), IGGY_OK);
    ck_assert_int_eq(iggy_producer_flush(p, 30000), IGGY_OK);
    ck_assert_uint_eq(l.delivered, N);
    iggy_producer_destroy(p);
    audit_log(c, "downup", 1, &l, seen, ids_scratch(l.n));
    for (size_t i = 0; i < N; i++)
        ck_assert_uint_ge(seen[i], 1);
    iggy_client_destroy(c);
    ledger_free(&l);
    finish();
}
END_TEST

START_TEST(shutdown_while_unreachable_reports_everything_failed)
{
    const char *props[] = {"producer.create.topic",
                           "true",
                           "producer.retries",
                           "1000",
                           "producer.retry.backoff.ms",
                           "50",
                           "request.timeout.ms",
                           "300",
                           "producer.shutdown.timeout.ms",
                           "200",
                           NULL};
    uint64_t payloads[500];
    struct timespec t0;
    iggy_producer_t *p;
    iggy_client_t *c;
    ledger_t l;
    if (!begin_mock("shutdown_while_unreachable_reports_everything_failed"))
        return;
    ledger_init(&l, 500);
    c = client_for(props, &l);
    p = producer_on(c, "unreachable");
    ck_assert_int_eq(iggy_mock_set_down(srv.mock, 0), IGGY_OK);
    ck_assert_int_eq(send_range(p, 0, 500, 25, payloads), IGGY_OK);
    ck_assert_int_eq(iggy_producer_flush(p, 200), IGGY_ERR__TIMED_OUT);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    iggy_producer_destroy(p);
    ck_assert(elapsed_ms(&t0) < 2000); /* the drain timeout, not one more request */
    ck_assert_uint_eq(l.total, 500);
    ck_assert_uint_eq(l.failed, 500);
    for (size_t i = 0; i < 500; i++) {
        ck_assert_uint_eq(l.reports[i], 1);
        ck_assert_int_ne(l.err[i], IGGY_OK);
    }
    iggy_client_destroy(c);
    ledger_free(&l);
    finish();
}
END_TEST

START_TEST(destroy_gives_up_a_batch_in_flight)
{
    /* A server that never answers, a long request timeout and a short drain: destroy must not
     * wait for the request, and the batch in flight is reported failed like the queue. */
    const char *props[] = {"producer.create.topic",
                           "true",
                           "request.timeout.ms",
                           "30000",
                           "producer.shutdown.timeout.ms",
                           "200",
                           NULL};
    uint64_t payloads[40];
    struct timespec t0;
    iggy_producer_t *p;
    iggy_client_t *c;
    ledger_t l;
    if (!begin_mock("destroy_gives_up_a_batch_in_flight"))
        return;
    ledger_init(&l, 40);
    c = client_for(props, &l);
    p = producer_on(c, "stalled");
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_SEND, 0, IGGY_MOCK_FAULT_STALL, 0, 1),
                     IGGY_OK);
    ck_assert_int_eq(send_range(p, 0, 40, 10, payloads), IGGY_OK);
    test_sleep_ms(100); /* the first batch is on the wire */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    iggy_producer_destroy(p);
    ck_assert(elapsed_ms(&t0) < 2000);
    ck_assert_uint_eq(l.total, 40);
    ck_assert_uint_eq(l.failed, 40);
    for (size_t i = 0; i < 40; i++) {
        ck_assert_uint_eq(l.reports[i], 1);
        ck_assert_int_eq(l.err[i], IGGY_ERR__DESTROYED);
    }
    {
        /* The client goes on: the cut connection is replaced on the next call. */
        iggy_identifier_t s = iggy_id_name("stalled");
        ck_assert_int_eq(iggy_delete_stream(c, &s), IGGY_OK);
    }
    iggy_client_destroy(c);
    ledger_free(&l);
    finish();
}
END_TEST

START_TEST(compression_and_encryption_pass_through)
{
    const char *props[] = {"producer.create.topic", "true", NULL};
    static const uint8_t key[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    iggy_identifier_t s, t = iggy_id_name("t");
    iggy_send_opts_t so;
    iggy_poll_opts_t po;
    iggy_consumer_ref_t reader = {IGGY_CONSUMER_SINGLE, iggy_id_num(1)};
    iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
    iggy_polled_messages_t *b = NULL;
    iggy_producer_t *p = NULL;
    iggy_client_t *c;
    uint32_t part = 0;
    char stream[128], text[200][80];
    iggy_send_message_t m;
    ledger_t l;
    begin();
    ledger_init(&l, 200);
    c = client_for(props, &l);
    snprintf(stream, sizeof stream, "%s", srv.real ? test_unique_name("producer-zstd") : "zstd");
    s = iggy_id_name(stream);
    memset(&so, 0, sizeof so);
    so.compression = IGGY_COMPRESSION_CODEC_ZSTD;
    so.encryption_key = key;
    ck_assert_int_eq(iggy_producer_new(c, NULL, &s, &t, &so, &p, NULL, 0), IGGY_OK);
    for (size_t i = 0; i < 200; i++) {
        memset(&m, 0, sizeof m);
        m.payload_len = (uint32_t)snprintf(text[i], sizeof text[i],
                                           "message %zu, compressible compressible", i);
        m.payload = text[i];
        {
            void *op = (void *)(uintptr_t)(i + 1);
            ck_assert_int_eq(iggy_producer_send(p, NULL, &m, 1, &op), IGGY_OK);
        }
    }
    ck_assert_int_eq(iggy_producer_flush(p, 30000), IGGY_OK);
    ck_assert_uint_eq(l.delivered, 200);
    iggy_producer_destroy(p);
    /* Sealed on the wire: read raw, no payload is the plain text; opened with the key, all are. */
    ck_assert_int_eq(
        iggy_poll_messages_into(c, &reader, &s, &t, &part, &first, 200, false, NULL, &b), IGGY_OK);
    ck_assert_uint_eq(b->count, 200);
    for (size_t i = 0; i < b->count; i++)
        ck_assert(b->messages[i].payload_len != strlen(text[i]) ||
                  memcmp(b->messages[i].payload, text[i], strlen(text[i])) != 0);
    memset(&po, 0, sizeof po);
    po.encryption_key = key;
    ck_assert_int_eq(
        iggy_poll_messages_into(c, &reader, &s, &t, &part, &first, 200, false, &po, &b), IGGY_OK);
    ck_assert_uint_eq(b->count, 200);
    for (size_t i = 0; i < b->count; i++) {
        ck_assert_uint_eq(b->messages[i].payload_len, strlen(text[i]));
        ck_assert(memcmp(b->messages[i].payload, text[i], strlen(text[i])) == 0);
    }
    iggy_result_destroy(b);
    ck_assert_int_eq(iggy_delete_stream(c, &s), IGGY_OK);
    iggy_client_destroy(c);
    ledger_free(&l);
    finish();
}
END_TEST

START_TEST(settings_are_validated)
{
    iggy_conf_t *conf = NULL;
    char err[256], val[64];
    size_t len = sizeof val;
    ck_assert_int_eq(iggy_conf_new(&conf), IGGY_OK);
    ck_assert_int_eq(iggy_conf_get(conf, "producer.mode", val, &len), IGGY_OK);
    ck_assert_str_eq(val, "background");
    ck_assert_int_eq(iggy_conf_set(conf, "producer.mode", "eager", err, sizeof err),
                     IGGY_ERR__INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "direct|background"));
    ck_assert_int_eq(iggy_conf_set(conf, "producer.backpressure", "block_timeout", err, sizeof err),
                     IGGY_OK);
    len = sizeof val;
    ck_assert_int_eq(iggy_conf_get(conf, "producer.backpressure", val, &len), IGGY_OK);
    ck_assert_str_eq(val, "block_timeout");
    ck_assert_int_eq(iggy_conf_set(conf, "producer.batch.length", "0", err, sizeof err),
                     IGGY_ERR__INVALID_ARG);
    iggy_conf_destroy(conf);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("producer");
    TCase *tc = tcase_create("producer");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, a_million_messages_each_reported_and_written_once);
    tcase_add_test(tc, direct_mode_sends_in_batches_before_returning);
    tcase_add_test(tc, reports_can_be_polled);
    tcase_add_test(tc, errors_only_reports_name_only_failures);
    tcase_add_test(tc, backpressure_modes_behave_as_documented);
    tcase_add_test(tc, faults_are_retried_and_reported);
    tcase_add_test(tc, a_server_down_and_back_loses_nothing);
    tcase_add_test(tc, shutdown_while_unreachable_reports_everything_failed);
    tcase_add_test(tc, destroy_gives_up_a_batch_in_flight);
    tcase_add_test(tc, compression_and_encryption_pass_through);
    tcase_add_test(tc, settings_are_validated);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
