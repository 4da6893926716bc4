/* The high-level consumer: starting points, every auto-commit mode across a restart of the
 * consumer, a group of three where one member leaves and another joins (every message at least
 * once, order per partition, rebalance callbacks against the server's view), a server restart
 * in the middle of a group run, faults, offset resets, stop from another thread and zero
 * allocations per poll. Each message's payload is {partition u32, offset u32} so a test can
 * tell where it came from. Tests that need fault injection print SKIPPED against a real server. */
#include <check.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iggy/iggy.h>
#include <iggy/mock.h>

#include "test_alloc.h"
#include "test_main.h"
#include "test_server.h"

#define CODE_POLL 100u
#define MAX_PARTS 8

static test_server_t srv;
static test_leak_guard_t guard;

static void print_log(int level, const char *facility, const char *msg, void *opaque)
{
    (void)opaque;
    fprintf(stderr, "log %d %s: %s\n", level, facility, msg);
}

static iggy_client_t *client_with(const char *const *props)
{
    iggy_conf_t *conf = test_conf(&srv, true, props);
    iggy_client_t *c;
    char err[256];
    if (getenv("IGGY_TEST_DEBUG"))
        iggy_conf_set_log_cb(conf, print_log, NULL);
    ck_assert_msg(iggy_client_new(conf, &c, err, sizeof err) == IGGY_OK, "%s", err);
    iggy_conf_destroy(conf);
    return c;
}

static const char *stream_name(const char *prefix)
{
    static char buf[128];
    snprintf(buf, sizeof buf, "%s", srv.real ? test_unique_name(prefix) : prefix);
    return buf;
}

/* A fresh stream with topic "t" of partitions partitions, each holding per_partition messages
 * with payload {partition, offset}. */
static void fill(iggy_client_t *c, const char *stream, uint32_t partitions, uint32_t per_partition)
{
    iggy_identifier_t s = iggy_id_name(stream), t = iggy_id_name("t");
    iggy_send_message_t msgs[1000];
    uint32_t payloads[1000][2];
    (void)iggy_delete_stream(c, &s);
    ck_assert_int_eq(iggy_create_stream(c, stream, NULL), IGGY_OK);
    ck_assert_int_eq(iggy_create_topic(c, &s, "t", partitions, NULL, NULL), IGGY_OK);
    for (uint32_t p = 0; p < partitions; p++) {
        iggy_partitioning_t where = {IGGY_PARTITIONING_PARTITION_ID, p, NULL, 0};
        for (uint32_t off = 0; off < per_partition;) {
            uint32_t n = per_partition - off < 1000 ? per_partition - off : 1000;
            for (uint32_t i = 0; i < n; i++) {
                payloads[i][0] = p;
                payloads[i][1] = off + i;
                memset(&msgs[i], 0, sizeof msgs[i]);
                msgs[i].payload = (const uint8_t *)payloads[i];
                msgs[i].payload_len = sizeof payloads[i];
            }
            ck_assert_int_eq(iggy_send_messages(c, &s, &t, &where, msgs, n, NULL, NULL), IGGY_OK);
            off += n;
        }
    }
}

static void drop_stream(iggy_client_t *c, const char *stream)
{
    iggy_identifier_t s = iggy_id_name(stream);
    ck_assert_int_eq(iggy_delete_stream(c, &s), IGGY_OK);
}

static void payload_of(const iggy_message_t *m, uint32_t *partition, uint32_t *offset)
{
    ck_assert_uint_eq(m->payload_len, 8);
    memcpy(partition, m->payload, 4);
    memcpy(offset, m->payload + 4, 4);
}

/* A consumer on c for stream/t with the given extra settings (and callback). */
static iggy_consumer_t *consumer_on(iggy_client_t *c, const char *stream, const char *const *props,
                                    iggy_rebalance_cb_t *cb, void *opaque)
{
    iggy_conf_t *conf = test_conf(&srv, true, props);
    iggy_identifier_t s = iggy_id_name(stream), t = iggy_id_name("t");
    iggy_consumer_t *k = NULL;
    char err[256];
    if (cb)
        iggy_conf_set_rebalance_cb(conf, cb, opaque);
    ck_assert_msg(iggy_consumer_new(c, conf, &s, &t, NULL, &k, err, sizeof err) == IGGY_OK, "%s",
                  err);
    iggy_conf_destroy(conf);
    return k;
}

/* ================================================================ single consumer */

typedef struct events {
    uint32_t assigned[MAX_PARTS * 4], revoked[MAX_PARTS * 4];
    size_t nassigned, nrevoked;
} events_t;

static void record_events(iggy_consumer_t *k, iggy_rebalance_event_t ev, const uint32_t *ids,
                          size_t n, void *opaque)
{
    events_t *e = opaque;
    (void)k;
    for (size_t i = 0; i < n; i++) {
        if (ev == IGGY_REBALANCE_ASSIGNED && e->nassigned < MAX_PARTS * 4)
            e->assigned[e->nassigned++] = ids[i];
        else if (ev == IGGY_REBALANCE_REVOKED && e->nrevoked < MAX_PARTS * 4)
            e->revoked[e->nrevoked++] = ids[i];
    }
}

START_TEST(a_single_consumer_reads_every_partition_in_order)
{
    enum { PARTS = 3, PER = 2500 };
    const char *props[] = {"consumer.batch.length", "300", "consumer.id", "reader", NULL};
    uint32_t next[PARTS] = {0};
    iggy_polled_messages_t *batch = NULL;
    iggy_consumer_partition_t info[PARTS];
    const char *stream;
    iggy_consumer_t *k;
    iggy_client_t *c;
    events_t ev;
    size_t total = 0, count;

    test_begin(&srv, &guard, NULL);
    c = client_with(NULL);
    stream = stream_name("consumer-single");
    fill(c, stream, PARTS, PER);
    memset(&ev, 0, sizeof ev);
    k = consumer_on(c, stream, props, record_events, &ev);
    while (total < PARTS * PER) {
        ck_assert_int_eq(iggy_consumer_poll(k, 5000, &batch), IGGY_OK);
        ck_assert_uint_gt(batch->count, 0);
        ck_assert_uint_le(batch->count, 300);
        for (size_t i = 0; i < batch->count; i++) {
            uint32_t p, off;
            payload_of(&batch->messages[i], &p, &off);
            ck_assert_uint_eq(p, batch->partition_id);
            ck_assert_uint_eq(off, batch->messages[i].offset);
            ck_assert_uint_eq(off, next[p]); /* in order, none skipped, none twice */
            next[p]++;
        }
        total += batch->count;
    }
    /* Nothing more: a poll with a short timeout comes back empty. */
    ck_assert_int_eq(iggy_consumer_poll(k, 50, &batch), IGGY_OK);
    ck_assert_uint_eq(batch->count, 0);
    ck_assert_uint_eq(ev.nassigned, PARTS);
    for (uint32_t p = 0; p < PARTS; p++)
        ck_assert_uint_eq(ev.assigned[p], p);
    ck_assert_int_eq(iggy_consumer_partitions(k, info, PARTS, &count), IGGY_OK);
    ck_assert_uint_eq(count, PARTS);
    for (uint32_t p = 0; p < PARTS; p++) {
        ck_assert_uint_eq(info[p].partition_id, p);
        ck_assert(info[p].has_consumed);
        ck_assert_uint_eq(info[p].last_consumed, PER - 1);
        ck_assert_uint_eq(info[p].high_watermark, PER - 1);
        ck_assert_uint_eq(info[p].lag, 0);
    }
    ck_assert_int_eq(iggy_consumer_close(k), IGGY_OK);
    ck_assert_uint_eq(ev.nrevoked, PARTS); /* close gives a final REVOKED */
    iggy_result_destroy(batch);
    drop_stream(c, stream);
    iggy_client_destroy(c);
    test_end(&srv, &guard);
}
END_TEST

/* The first offset a fresh consumer with these settings reads from partition 0. */
static uint64_t first_offset(iggy_client_t *c, const char *stream, const char *const *props)
{
    const iggy_message_t *m = NULL;
    iggy_consumer_t *k = consumer_on(c, stream, props, NULL, NULL);
    ck_assert_int_eq(iggy_consumer_next(k, 5000, &m, NULL), IGGY_OK);
    ck_assert_ptr_nonnull(m);
    {
        uint64_t off = m->offset;
        ck_assert_int_eq(iggy_consumer_close(k), IGGY_OK);
        return off;
    }
}

START_TEST(starting_points_are_honoured)
{
    const char *stream;
    iggy_client_t *c;
    char at[32];
    test_begin(&srv, &guard, NULL);
    c = client_with(NULL);
    stream = stream_name("consumer-start");
    fill(c, stream, 1, 1000);
    {
        const char *first[] = {"consumer.start", "first", "consumer.auto.commit", "disabled", NULL};
        const char *last[] = {
            "consumer.start", "last", "consumer.batch.length", "10", "consumer.auto.commit",
            "disabled",       NULL};
        const char *offset[] = {
            "consumer.start", "offset", "consumer.start.value", "640", "consumer.auto.commit",
            "disabled",       NULL};
        const char *next[] = {"consumer.start", "next", "consumer.auto.commit", "disabled", NULL};
        ck_assert_uint_eq(first_offset(c, stream, first), 0);
        ck_assert_uint_eq(first_offset(c, stream, last), 990); /* the newest batch.length */
        ck_assert_uint_eq(first_offset(c, stream, offset), 640);
        ck_assert_uint_eq(first_offset(c, stream, next), 0); /* nothing stored yet */
    }
    {
        /* A timestamp between two stored batches starts at the second one. */
        iggy_identifier_t s = iggy_id_name(stream), t = iggy_id_name("t");
        iggy_send_message_t m;
        uint32_t payload[2] = {0, 1000};
        uint64_t cut;
        iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
        test_sleep_ms(5);
        {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            cut = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
        }
        test_sleep_ms(5);
        memset(&m, 0, sizeof m);
        m.payload = (const uint8_t *)payload;
        m.payload_len = sizeof payload;
        ck_assert_int_eq(iggy_send_messages(c, &s, &t, &p0, &m, 1, NULL, NULL), IGGY_OK);
        snprintf(at, sizeof at, "%" PRIu64, cut);
        {
            const char *ts[] = {
                "consumer.start", "timestamp", "consumer.start.value", at, "consumer.auto.commit",
                "disabled",       NULL};
            ck_assert_uint_eq(first_offset(c, stream, ts), 1000);
        }
    }
    drop_stream(c, stream);
    iggy_client_destroy(c);
    test_end(&srv, &guard);
}
END_TEST

/* ASSIGNED callback: partition p starts (p + 1) * 10 messages before its end of 100. */
static void seek_before_end(iggy_consumer_t *k, iggy_rebalance_event_t ev, const uint32_t *ids,
                            size_t n, void *opaque)
{
    size_t *calls = opaque;
    if (ev != IGGY_REBALANCE_ASSIGNED)
        return;
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(iggy_consumer_seek(k, ids[i], 100 - (ids[i] + 1) * 10), IGGY_OK);
    (*calls)++;
}

START_TEST(seek_sets_where_a_partition_is_read)
{
    enum { PARTS = 3, PER = 100 };
    const char *all[] = {"consumer.start", "first", "consumer.auto.commit", "disabled", NULL};
    const char *one[] = {"consumer.start",
                         "first",
                         "consumer.auto.commit",
                         "disabled",
                         "consumer.batch.length",
                         "50",
                         "consumer.partition",
                         "1",
                         NULL};
    uint32_t next[PARTS], seen[PARTS] = {0};
    iggy_polled_messages_t *batch = NULL;
    const iggy_message_t *m = NULL;
    const char *stream;
    iggy_consumer_t *k;
    iggy_client_t *c;
    size_t calls = 0;
    uint32_t part = 0;

    test_begin(&srv, &guard, NULL);
    c = client_with(NULL);
    stream = stream_name("consumer-seek");
    fill(c, stream, PARTS, PER);
    /* From the ASSIGNED callback: each partition starts where it was sought, not at first. */
    k = consumer_on(c, stream, all, seek_before_end, &calls);
    for (uint32_t p = 0; p < PARTS; p++)
        next[p] = PER - (p + 1) * 10;
    for (;;) {
        ck_assert_int_eq(iggy_consumer_poll(k, 200, &batch), IGGY_OK);
        if (batch->count == 0)
            break;
        for (size_t i = 0; i < batch->count; i++) {
            uint32_t p, off;
            payload_of(&batch->messages[i], &p, &off);
            ck_assert_uint_eq(off, next[p]);
            next[p]++;
            seen[p]++;
        }
    }
    ck_assert_uint_eq(calls, 1);
    for (uint32_t p = 0; p < PARTS; p++) {
        ck_assert_uint_eq(next[p], PER);
        ck_assert_uint_eq(seen[p], (p + 1) * 10);
    }
    /* Back over what was read: returned again despite the replay filter. */
    ck_assert_int_eq(iggy_consumer_seek(k, 0, 95), IGGY_OK);
    ck_assert_int_eq(iggy_consumer_poll(k, 1000, &batch), IGGY_OK);
    ck_assert_uint_eq(batch->partition_id, 0);
    ck_assert_uint_eq(batch->count, 5);
    ck_assert_uint_eq(batch->messages[0].offset, 95);
    ck_assert_int_eq(iggy_consumer_seek(k, 7, 0), IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_consumer_seek(NULL, 0, 0), IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_consumer_close(k), IGGY_OK);

    /* next(): what was buffered from the old position is dropped. */
    k = consumer_on(c, stream, one, NULL, NULL);
    ck_assert_int_eq(iggy_consumer_next(k, 5000, &m, &part), IGGY_OK);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(part, 1);
    ck_assert_uint_eq(m->offset, 0); /* 0..49 buffered */
    ck_assert_int_eq(iggy_consumer_seek(k, 1, 98), IGGY_OK);
    ck_assert_int_eq(iggy_consumer_next(k, 5000, &m, NULL), IGGY_OK);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(m->offset, 98);
    ck_assert_int_eq(iggy_consumer_next(k, 5000, &m, NULL), IGGY_OK);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(m->offset, 99);
    ck_assert_int_eq(iggy_consumer_next(k, 100, &m, NULL), IGGY_OK);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(iggy_consumer_close(k), IGGY_OK);
    iggy_result_destroy(batch);
    drop_stream(c, stream);
    iggy_client_destroy(c);
    test_end(&srv, &guard);
}
END_TEST

/* ================================================================ auto-commit */

typedef struct commit_case {
    const char *mode, *trigger;
    bool run;          /* through iggy_consumer_run (after modes), else iggy_consumer_next */
    uint64_t expected; /* where a restarted consumer begins after 250 of 0..999 */
} commit_case_t;

static int stop_at_250(const iggy_message_t *m, uint32_t partition, void *opaque)
{
    size_t *n = opaque;
    (void)m;
    (void)partition;
    return ++*n == 250;
}

START_TEST(every_auto_commit_mode_resumes_where_it_promises)
{
    /* batch.length 100: 250 messages are batches 0-99, 100-199 and half of 200-299. */
    static const commit_case_t cases[] = {
        {"disabled", "polling", false, 0},
        {"interval", "polling", false, 250},         /* at close */
        {"when", "polling", false, 300},             /* the server stores as it serves */
        {"when", "consuming_all", false, 200},       /* the last whole batch */
        {"when", "consuming_each", false, 250},      /* each message returned */
        {"when", "consuming_nth", false, 201},       /* offset 200 is the last multiple of 100 */
        {"after", "consuming_all", true, 200},       /* batch 200-299 not all handled */
        {"after", "consuming_each", true, 250},      /* each handled message */
        {"after", "consuming_nth", true, 201},       /* 200 handled */
        {"interval_or_when", "polling", false, 300}, /* never stored below 299 again */
        {"interval_or_after", "consuming_nth", true, 250}, /* the interval's close commit */
    };
    const char *stream;
    iggy_client_t *c;
    test_begin(&srv, &guard, NULL);
    c = client_with(NULL);
    stream = stream_name("consumer-commit");
    fill(c, stream, 1, 1000);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const commit_case_t *k = &cases[i];
        char id[32];
        const char *props[] = {"consumer.id",
                               id,
                               "consumer.batch.length",
                               "100",
                               "consumer.auto.commit",
                               k->mode,
                               "consumer.auto.commit.trigger",
                               k->trigger,
                               "consumer.auto.commit.nth",
                               "100",
                               "consumer.auto.commit.interval.ms",
                               "3600000",
                               NULL};
        const char *resume[] = {"consumer.id", id, "consumer.auto.commit", "disabled", NULL};
        iggy_consumer_t *cons;
        snprintf(id, sizeof id, "commit-%zu", i);
        cons = consumer_on(c, stream, props, NULL, NULL);
        if (k->run) {
            size_t n = 0;
            ck_assert_int_eq(iggy_consumer_run(cons, stop_at_250, &n), IGGY_OK);
            ck_assert_uint_eq(n, 250);
        } else {
            for (uint64_t want = 0; want < 250; want++) {
                const iggy_message_t *m = NULL;
                ck_assert_int_eq(iggy_consumer_next(cons, 5000, &m, NULL), IGGY_OK);
                ck_assert_ptr_nonnull(m);
                ck_assert_uint_eq(m->offset, want);
            }
        }
        ck_assert_int_eq(iggy_consumer_close(cons), IGGY_OK);
        ck_assert_msg(first_offset(c, stream, resume) == k->expected,
                      "%s/%s resumed at %" PRIu64 ", expected %" PRIu64, k->mode, k->trigger,
                      first_offset(c, stream, resume), k->expected);
    }
    {
        /* Manual: commit() stores the last consumed; store_offset() any offset. */
        const char *manual[] = {
            "consumer.id", "manual", "consumer.batch.length", "100", "consumer.auto.commit",
            "disabled",    NULL};
        const char *resume[] = {"consumer.id", "manual", "consumer.auto.commit", "disabled", NULL};
        iggy_consumer_t *cons = consumer_on(c, stream, manual, NULL, NULL);
        const iggy_message_t *m = NULL;
        for (int i = 0; i < 42; i++)
            ck_assert_int_eq(iggy_consumer_next(cons, 5000, &m, NULL), IGGY_OK);
        ck_assert_int_eq(iggy_consumer_commit(cons), IGGY_OK);
        ck_assert_int_eq(iggy_consumer_close(cons), IGGY_OK);
        ck_assert_uint_eq(first_offset(c, stream, resume), 42);
        cons = consumer_on(c, stream, manual, NULL, NULL);
        ck_assert_int_eq(iggy_consumer_next(cons, 5000, &m, NULL), IGGY_OK);
        ck_assert_int_eq(iggy_consumer_store_offset(cons, 0, 9), IGGY_OK);
        ck_assert_int_eq(iggy_consumer_store_offset(cons, 5, 9), IGGY_ERR__INVALID_ARG);
        ck_assert_int_eq(iggy_consumer_close(cons), IGGY_OK);
        ck_assert_uint_eq(first_offset(c, stream, resume), 10);
    }
    drop_stream(c, stream);
    iggy_client_destroy(c);
    test_end(&srv, &guard);
}
END_TEST

/* ================================================================ groups */

typedef struct shared {
    pthread_mutex_t lock;
    uint32_t parts, per_part;
    uint8_t *seen; /* parts * per_part counters */
    size_t distinct, duplicates, order_breaks;
} shared_t;

typedef struct member {
    shared_t *sh;
    iggy_client_t *client;
    iggy_consumer_t *consumer;
    pthread_t thread;
    const char *stream;
    bool held[MAX_PARTS];
    int64_t last[MAX_PARTS]; /* last offset read while held, -1 after a change */
    size_t consumed;
    int stopping; /* atomic: member_stop asked */
    iggy_err_t result;
} member_t;

static void member_rebalance(iggy_consumer_t *k, iggy_rebalance_event_t ev, const uint32_t *ids,
                             size_t n, void *opaque)
{
    member_t *m = opaque;
    (void)k;
    pthread_mutex_lock(&m->sh->lock);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_lt(ids[i], MAX_PARTS);
        ck_assert(m->held[ids[i]] == (ev == IGGY_REBALANCE_REVOKED)); /* in step */
        m->held[ids[i]] = ev == IGGY_REBALANCE_ASSIGNED;
        m->last[ids[i]] = -1;
    }
    pthread_mutex_unlock(&m->sh->lock);
}

static void *member_main(void *arg)
{
    member_t *m = arg;
    iggy_polled_messages_t *batch = NULL;
    for (;;) {
        iggy_err_t err = iggy_consumer_poll(m->consumer, 200, &batch);
        if (err == IGGY_OK) {
            /* Counted even when a stop came meanwhile: these were read. */
            pthread_mutex_lock(&m->sh->lock);
            for (size_t i = 0; i < batch->count; i++) {
                uint32_t p, off;
                payload_of(&batch->messages[i], &p, &off);
                if (p != batch->partition_id || off != batch->messages[i].offset ||
                    p >= m->sh->parts || off >= m->sh->per_part) {
                    m->sh->order_breaks++;
                    continue;
                }
                /* Ascending while held; a jump forward is fine when another member read
                 * the gap meanwhile (every message is checked to be read at least once). */
                if (m->last[p] >= 0 && (int64_t)off <= m->last[p])
                    m->sh->order_breaks++;
                m->last[p] = off;
                if (m->sh->seen[(size_t)p * m->sh->per_part + off]++ == 0)
                    m->sh->distinct++;
                else
                    m->sh->duplicates++;
            }
            m->consumed += batch->count;
            pthread_mutex_unlock(&m->sh->lock);
        }
        if (__atomic_load_n(&m->stopping, __ATOMIC_ACQUIRE)) {
            m->result = IGGY_ERR__STATE; /* ran until stopped */
            break;
        }
        if (err != IGGY_OK && !iggy_err_is_retriable(err)) {
            m->result = err;
            break;
        }
    }
    iggy_result_destroy(batch);
    return NULL;
}

static const char *const group_props[] = {"consumer.group",
                                          "workers",
                                          "consumer.sync.interval.ms",
                                          "100",
                                          "consumer.batch.length",
                                          "500",
                                          "consumer.poll.idle.ms",
                                          "2",
                                          "consumer.retry.interval.ms",
                                          "50",
                                          NULL};

static void member_start(member_t *m, shared_t *sh, const char *stream)
{
    memset(m, 0, sizeof *m);
    m->sh = sh;
    m->stream = stream;
    for (int i = 0; i < MAX_PARTS; i++)
        m->last[i] = -1;
    m->client = client_with((const char *const[]){"reconnect.backoff.ms", "20",
                                                  "reconnect.backoff.max.ms", "200", NULL});
    m->consumer = consumer_on(m->client, stream, group_props, member_rebalance, m);
    ck_assert_int_eq(pthread_create(&m->thread, NULL, member_main, m), 0);
}

/* Stop the members' threads first (an assertion must not leave one running against this
 * stack frame), then close each consumer (REVOKED for all, leave) and free its client. */
static void members_stop(member_t *const *ms, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        __atomic_store_n(&ms[i]->stopping, 1, __ATOMIC_RELEASE);
        iggy_consumer_stop(ms[i]->consumer);
    }
    for (size_t i = 0; i < n; i++)
        pthread_join(ms[i]->thread, NULL);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(iggy_consumer_close(ms[i]->consumer), IGGY_OK);
        for (int k = 0; k < MAX_PARTS; k++)
            ck_assert(!ms[i]->held[k]);
        iggy_client_destroy(ms[i]->client);
    }
}

static size_t distinct_now(shared_t *sh)
{
    size_t d;
    pthread_mutex_lock(&sh->lock);
    d = sh->distinct;
    pthread_mutex_unlock(&sh->lock);
    return d;
}

/* Whether want distinct messages were read within seconds. */
static bool wait_distinct(shared_t *sh, size_t want, int seconds)
{
    for (int i = 0; i < seconds * 100 && distinct_now(sh) < want; i++)
        test_sleep_ms(10);
    return distinct_now(sh) >= want;
}

/* The members' partitions (from their callbacks) are the server's member lists, and together
 * each partition exactly once. Retried while a rebalance settles. */
static bool assignment_settles(iggy_client_t *c, const char *stream, member_t **live, size_t nlive,
                               uint32_t parts, char *why, size_t why_cap)
{
    iggy_identifier_t s = iggy_id_name(stream), t = iggy_id_name("t"), g = iggy_id_name("workers");
    for (int attempt = 0; attempt < 100; attempt++) {
        iggy_consumer_group_t *grp = NULL;
        uint32_t owners[MAX_PARTS] = {0};
        bool ok = true;
        if (iggy_get_consumer_group(c, &s, &t, &g, &grp) != IGGY_OK) {
            snprintf(why, why_cap, "GetConsumerGroup: %s", iggy_last_error_detail());
            return false;
        }
        ok = grp->members_count == nlive;
        snprintf(why, why_cap, "%u members, %zu live", grp->members_count, nlive);
        pthread_mutex_lock(&live[0]->sh->lock);
        for (size_t i = 0; ok && i < nlive; i++)
            for (uint32_t p = 0; p < parts; p++)
                owners[p] += live[i]->held[p];
        for (uint32_t p = 0; ok && p < parts; p++)
            if (owners[p] != 1) {
                ok = false;
                snprintf(why, why_cap, "partition %u held by %u members", p, owners[p]);
            }
        /* Each server member's list is some live member's held set. */
        for (uint32_t k = 0; ok && k < grp->members_count; k++) {
            const iggy_consumer_group_member_t *sm = &grp->members[k];
            bool matched = false;
            for (size_t i = 0; i < nlive && !matched; i++) {
                uint32_t held = 0;
                bool all = true;
                for (uint32_t p = 0; p < parts; p++)
                    held += live[i]->held[p];
                for (uint32_t j = 0; j < sm->partitions_count; j++)
                    all = all && sm->partitions[j] < MAX_PARTS && live[i]->held[sm->partitions[j]];
                matched = all && held == sm->partitions_count;
            }
            if (!matched) {
                ok = false;
                snprintf(why, why_cap, "server member %u's %u partitions match no consumer", sm->id,
                         sm->partitions_count);
            }
        }
        pthread_mutex_unlock(&live[0]->sh->lock);
        iggy_result_destroy(grp);
        if (ok)
            return true;
        test_sleep_ms(50);
    }
    return false;
}

static void shared_init(shared_t *sh, uint32_t parts, uint32_t per_part)
{
    memset(sh, 0, sizeof *sh);
    pthread_mutex_init(&sh->lock, NULL);
    sh->parts = parts;
    sh->per_part = per_part;
    sh->seen = calloc((size_t)parts * per_part, 1);
    ck_assert_ptr_nonnull(sh->seen);
}

static void shared_free(shared_t *sh)
{
    free(sh->seen);
    pthread_mutex_destroy(&sh->lock);
}

START_TEST(a_group_of_three_survives_a_leave_and_a_join)
{
    const char *light = getenv("IGGY_TEST_LIGHT");
    const uint32_t parts = 6, per = light && *light == '1' ? 100000 / 6 : 1000000 / 6;
    const size_t total = (size_t)parts * per;
    member_t a, b, x, d;
    member_t *live[3];
    shared_t sh;
    const char *stream;
    iggy_client_t *admin;

    test_begin(&srv, &guard, NULL);
    admin = client_with(NULL);
    stream = stream_name("consumer-group");
    fill(admin, stream, parts, per);
    shared_init(&sh, parts, per);
    member_start(&a, &sh, stream);
    member_start(&b, &sh, stream);
    member_start(&x, &sh, stream);
    {
        member_t *const leaving[] = {&x};
        bool third = wait_distinct(&sh, total / 3, 120);
        members_stop(leaving, 1); /* one leaves mid-way */
        if (!third) {
            members_stop((member_t *const[]){&a, &b}, 2);
            ck_abort_msg("a third never read: %zu of %zu", sh.distinct, total);
        }
    }
    member_start(&d, &sh, stream); /* another joins */
    live[0] = &a;
    live[1] = &b;
    live[2] = &d;
    {
        char why[256] = "";
        bool all = wait_distinct(&sh, total, 300);
        bool settled = all && assignment_settles(admin, stream, live, 3, parts, why, sizeof why);
        members_stop(live, 3);
        ck_assert_msg(all, "%zu of %zu messages read", sh.distinct, total);
        ck_assert_msg(settled, "the assignment never settled: %s", why);
    }
    ck_assert_uint_gt(d.consumed, 0);
    printf("group: %zu messages, %zu read, %zu duplicates (at-least-once after the rebalances), "
           "%zu order breaks; members read %zu, %zu, %zu (left mid-way), %zu (joined)\n",
           total, sh.distinct, sh.duplicates, sh.order_breaks, a.consumed, b.consumed, x.consumed,
           d.consumed);
    ck_assert_uint_eq(sh.distinct, total);
    ck_assert_uint_eq(sh.order_breaks, 0);
    ck_assert_int_eq(a.result, IGGY_ERR__STATE); /* they ran until stopped */
    ck_assert_int_eq(d.result, IGGY_ERR__STATE);
    shared_free(&sh);
    drop_stream(admin, stream);
    iggy_client_destroy(admin);
    test_end(&srv, &guard);
}
END_TEST

START_TEST(a_server_restart_in_a_group_run_skips_nothing)
{
    const char *light = getenv("IGGY_TEST_LIGHT");
    const uint32_t parts = 6, per = light && *light == '1' ? 5000 : 20000;
    const size_t total = (size_t)parts * per;
    member_t a, b;
    member_t *live[2] = {&a, &b};
    shared_t sh;
    iggy_client_t *admin;
    if (!test_begin_mock_only(&srv, &guard, NULL, "a_server_restart_in_a_group_run_skips_nothing"))
        return;
    admin = client_with(NULL);
    fill(admin, "restart", parts, per);
    shared_init(&sh, parts, per);
    member_start(&a, &sh, "restart");
    member_start(&b, &sh, "restart");
    {
        char why[256] = "";
        bool third = wait_distinct(&sh, total / 3, 120), all = false, settled = false;
        if (third && iggy_mock_set_down(srv.mock, 0) == IGGY_OK) {
            test_sleep_ms(300);
            /* Without a resumed session the old members would stay, holding partitions nobody
             * reads. */
            all = iggy_mock_set_up(srv.mock, 0) == IGGY_OK && wait_distinct(&sh, total, 60);
            settled = all && assignment_settles(admin, "restart", live, 2, parts, why, sizeof why);
        }
        members_stop(live, 2);
        ck_assert_msg(all, "%zu of %zu messages read", sh.distinct, total);
        ck_assert_msg(settled, "the assignment never settled: %s", why);
    }
    printf("restart: %zu messages, %zu read, %zu duplicates, %zu order breaks\n", total,
           sh.distinct, sh.duplicates, sh.order_breaks);
    ck_assert_uint_eq(sh.order_breaks, 0);
    shared_free(&sh);
    drop_stream(admin, "restart");
    iggy_client_destroy(admin);
    test_end(&srv, &guard);
}
END_TEST

/* ================================================================ faults */

/* A single consumer (or a group member) reads 0..n-1 of one partition while fault hits one
 * poll: every message arrives, in order; repeats only as allow.replay=false cannot drop. */
static void read_through_fault(iggy_mock_fault_kind_t kind, uint32_t param, bool group)
{
    enum { N = 3000 };
    const char *single[] = {"consumer.batch.length",
                            "100",
                            "consumer.retry.interval.ms",
                            "20",
                            "consumer.id",
                            "faulty",
                            NULL};
    const char *member[] = {"consumer.batch.length",
                            "100",
                            "consumer.retry.interval.ms",
                            "20",
                            "consumer.group",
                            "g",
                            NULL};
    iggy_polled_messages_t *batch = NULL;
    iggy_consumer_stats_t st;
    iggy_consumer_t *k;
    iggy_client_t *c = client_with((const char *const[]){"reconnect.backoff.ms", "10", NULL});
    uint32_t next = 0;
    uint64_t polls_before;
    fill(c, "faults", 1, N);
    polls_before = iggy_mock_request_count(srv.mock, CODE_POLL);
    k = consumer_on(c, "faults", group ? member : single, NULL, NULL);
    ck_assert_int_eq(iggy_consumer_poll(k, 5000, &batch), IGGY_OK);
    next = (uint32_t)batch->count;
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_POLL, 0, kind, param, 1), IGGY_OK);
    while (next < N) {
        iggy_err_t err = iggy_consumer_poll(k, 10000, &batch);
        ck_assert_msg(err == IGGY_OK, "fault %d: %s", (int)kind, iggy_last_error_detail());
        ck_assert_uint_gt(batch->count, 0);
        for (size_t i = 0; i < batch->count; i++)
            ck_assert_uint_eq(batch->messages[i].offset, next++);
    }
    iggy_consumer_stats(k, &st);
    if (kind == IGGY_MOCK_FAULT_STATUS && param == 5006)
        ck_assert_uint_ge(st.errors_recovered, 1); /* seen by the consumer: re-sync, read on */
    else /* the fault hit a poll that the client sent again */
        ck_assert_uint_gt(iggy_mock_request_count(srv.mock, CODE_POLL) - polls_before, st.polls);
    ck_assert_int_eq(iggy_consumer_close(k), IGGY_OK);
    iggy_result_destroy(batch);
    drop_stream(c, "faults");
    iggy_client_destroy(c);
}

START_TEST(faults_are_recovered_by_the_consumer)
{
    if (!test_begin_mock_only(&srv, &guard, NULL, "faults_are_recovered_by_the_consumer"))
        return;
    for (int group = 0; group < 2; group++) {
        read_through_fault(IGGY_MOCK_FAULT_RESET_MID_REPLY, 0, group);
        read_through_fault(IGGY_MOCK_FAULT_CLOSE, 0, group);
        read_through_fault(IGGY_MOCK_FAULT_EVICT, 7, group);
        read_through_fault(IGGY_MOCK_FAULT_STATUS, 58, group);
    }
    /* A member the server forgot (5006 on a poll) joins again and reads on. */
    read_through_fault(IGGY_MOCK_FAULT_STATUS, 5006, true);
    test_end(&srv, &guard);
}
END_TEST

START_TEST(a_fence_re_syncs_and_hands_partitions_over)
{
    /* A second member joins while the first reads: the first is fenced (or re-syncs on its
     * interval), gives up the partitions the server moved (REVOKED) and reads on from the
     * rest; the second reads the moved ones from the group's stored offsets. */
    enum { PARTS = 4, PER = 3000 };
    const char *props[] = {
        "consumer.group", "fence", "consumer.batch.length", "100", "consumer.sync.interval.ms",
        "3600000",        NULL};
    iggy_polled_messages_t *batch = NULL;
    events_t e1, e2;
    iggy_client_t *c1, *c2;
    iggy_consumer_t *k1, *k2;
    char stream[128];
    size_t total = 0;
    int idle = 0;
    test_begin(&srv, &guard, NULL);
    c1 = client_with(NULL);
    c2 = client_with(NULL);
    snprintf(stream, sizeof stream, "%s", stream_name("consumer-fence"));
    fill(c1, stream, PARTS, PER);
    memset(&e1, 0, sizeof e1);
    memset(&e2, 0, sizeof e2);
    k1 = consumer_on(c1, stream, props, record_events, &e1);
    for (int i = 0; i < 8; i++) {
        ck_assert_int_eq(iggy_consumer_poll(k1, 5000, &batch), IGGY_OK);
        total += batch->count;
    }
    ck_assert_uint_eq(e1.nassigned, PARTS);
    k2 = consumer_on(c2, stream, props, record_events, &e2);
    /* Both read until every message was read once by someone (the first's positions carry
     * on; the second starts at the group's stored offsets, so repeats are possible). */
    while (idle < 20) {
        size_t got = 0;
        ck_assert_int_eq(iggy_consumer_poll(k1, 50, &batch), IGGY_OK);
        got += batch->count;
        ck_assert_int_eq(iggy_consumer_poll(k2, 50, &batch), IGGY_OK);
        got += batch->count;
        total += got;
        idle = got ? 0 : idle + 1;
    }
    ck_assert_uint_ge(total, PARTS * PER);
    ck_assert_uint_gt(e1.nrevoked, 0);            /* the first gave some up */
    ck_assert_uint_eq(e1.nrevoked, e2.nassigned); /* and the second got exactly those */
    ck_assert_int_eq(iggy_consumer_close(k1), IGGY_OK);
    ck_assert_int_eq(iggy_consumer_close(k2), IGGY_OK);
    iggy_result_destroy(batch);
    drop_stream(c1, stream);
    iggy_client_destroy(c1);
    iggy_client_destroy(c2);
    test_end(&srv, &guard);
}
END_TEST

START_TEST(a_group_member_follows_a_leader_move)
{
    /* Three nodes sharing one state; the member is seeded with a follower, settles on the
     * leader, and the leader moves twice while it reads. */
    enum { PARTS = 3, PER = 4000 };
    iggy_mock_opts_t o;
    iggy_polled_messages_t *batch = NULL;
    /* Storing each batch's offset is a partition op: backups answer it with 58, so the member
     * follows the leader. */
    const char *props[] = {"consumer.group",
                           "leaders",
                           "consumer.batch.length",
                           "100",
                           "consumer.retry.interval.ms",
                           "20",
                           "consumer.auto.commit",
                           "when",
                           "consumer.auto.commit.trigger",
                           "consuming_all",
                           NULL};
    uint32_t next[PARTS] = {0};
    iggy_client_t *c;
    iggy_consumer_t *k;
    size_t total = 0;
    int moves = 0;
    memset(&o, 0, sizeof o);
    o.nodes = 3;
    if (!test_begin_mock_only(&srv, &guard, &o, "a_group_member_follows_a_leader_move"))
        return;
    c = client_with((const char *const[]){"bootstrap.servers", iggy_mock_address(srv.mock, 1),
                                          "reconnect.backoff.ms", "10", NULL});
    fill(c, "leaders", PARTS, PER);
    k = consumer_on(c, "leaders", props, NULL, NULL);
    while (total < PARTS * PER) {
        ck_assert_int_eq(iggy_consumer_poll(k, 10000, &batch), IGGY_OK);
        ck_assert_uint_gt(batch->count, 0);
        for (size_t i = 0; i < batch->count; i++) {
            uint32_t p, off;
            payload_of(&batch->messages[i], &p, &off);
            ck_assert_uint_eq(off, next[p]); /* one member: nothing skipped or repeated */
            next[p]++;
        }
        total += batch->count;
        if ((total > PARTS * PER / 3 && moves == 0) || (total > PARTS * PER * 2 / 3 && moves == 1))
            ck_assert_int_eq(iggy_mock_set_leader(srv.mock, (uint32_t)(++moves % 3 == 1 ? 2 : 1)),
                             IGGY_OK);
    }
    ck_assert_int_eq(moves, 2);
    {
        /* Seeded with a follower, then two moves: at least three more connections. */
        iggy_client_stats_t *st = NULL;
        ck_assert_int_eq(iggy_client_stats(c, &st), IGGY_OK);
        ck_assert_uint_ge(st->connects, 4);
        iggy_result_destroy(st);
    }
    ck_assert_int_eq(iggy_consumer_close(k), IGGY_OK);
    iggy_result_destroy(batch);
    drop_stream(c, "leaders");
    iggy_client_destroy(c);
    test_end(&srv, &guard);
}
END_TEST

START_TEST(close_while_the_server_is_away_returns_soon)
{
    /* Six partitions with consumed offsets to commit at close, and no server: close tries once,
     * gives up on the round, still leaves and frees everything (the leak guard checks). */
    const char *props[] = {"consumer.batch.length",
                           "100",
                           "consumer.auto.commit",
                           "interval",
                           "consumer.auto.commit.interval.ms",
                           "3600000",
                           NULL};
    iggy_polled_messages_t *batch = NULL;
    iggy_consumer_t *k;
    iggy_client_t *c;
    struct timespec t0, t1;
    size_t read = 0;
    if (!test_begin_mock_only(&srv, &guard, NULL, "close_while_the_server_is_away_returns_soon"))
        return;
    c = client_with(
        (const char *const[]){"request.timeout.ms", "500", "reconnect.backoff.ms", "50", NULL});
    fill(c, "away", 6, 100);
    k = consumer_on(c, "away", props, NULL, NULL);
    while (read < 600) {
        ck_assert_int_eq(iggy_consumer_poll(k, 5000, &batch), IGGY_OK);
        read += batch->count;
    }
    ck_assert_int_eq(iggy_mock_set_down(srv.mock, 0), IGGY_OK);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_ne(iggy_consumer_close(k), IGGY_OK); /* the commit could not be made */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ck_assert((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 2500);
    ck_assert_int_eq(iggy_mock_set_up(srv.mock, 0), IGGY_OK);
    iggy_result_destroy(batch);
    drop_stream(c, "away");
    iggy_client_destroy(c);
    test_end(&srv, &guard);
}
END_TEST

/* ================================================================ the rest */

START_TEST(a_position_past_the_end_follows_offset_reset)
{
    const char *stream;
    iggy_client_t *c;
    test_begin(&srv, &guard, NULL);
    c = client_with(NULL);
    stream = stream_name("consumer-reset");
    for (int mode = 0; mode < 3; mode++) {
        static const char *const modes[] = {"earliest", "latest", "error"};
        const char *props[] = {"consumer.offset.reset",
                               modes[mode],
                               "consumer.batch.length",
                               "50",
                               "consumer.id",
                               "resetter",
                               NULL};
        iggy_identifier_t s = iggy_id_name(stream), t = iggy_id_name("t");
        iggy_polled_messages_t *batch = NULL;
        iggy_consumer_t *k;
        size_t read = 0;
        fill(c, stream, 1, 500);
        k = consumer_on(c, stream, props, NULL, NULL);
        while (read < 500) {
            ck_assert_int_eq(iggy_consumer_poll(k, 5000, &batch), IGGY_OK);
            read += batch->count;
        }
        /* The messages are purged and 20 new ones written: the position (500) is past the
         * end (19). */
        ck_assert_int_eq(iggy_purge_topic(c, &s, &t), IGGY_OK);
        {
            uint32_t payload[20][2];
            iggy_send_message_t msgs[20];
            iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
            for (uint32_t i = 0; i < 20; i++) {
                payload[i][0] = 0;
                payload[i][1] = i;
                memset(&msgs[i], 0, sizeof msgs[i]);
                msgs[i].payload = (const uint8_t *)payload[i];
                msgs[i].payload_len = 8;
            }
            ck_assert_int_eq(iggy_send_messages(c, &s, &t, &p0, msgs, 20, NULL, NULL), IGGY_OK);
        }
        if (mode == 0) {
            ck_assert_int_eq(iggy_consumer_poll(k, 5000, &batch), IGGY_OK);
            ck_assert_uint_eq(batch->count, 20);
            ck_assert_uint_eq(batch->messages[0].offset, 0);
        } else if (mode == 1) {
            ck_assert_int_eq(iggy_consumer_poll(k, 300, &batch), IGGY_OK);
            ck_assert_uint_eq(batch->count, 0); /* from the latest on: nothing yet */
        } else {
            ck_assert_int_eq(iggy_consumer_poll(k, 5000, &batch), IGGY_ERR__OFFSET_OUT_OF_RANGE);
        }
        {
            iggy_consumer_stats_t st;
            iggy_consumer_stats(k, &st);
            ck_assert_uint_eq(st.offset_resets, 1);
        }
        ck_assert_int_eq(iggy_consumer_close(k), IGGY_OK);
        iggy_result_destroy(batch);
    }
    drop_stream(c, stream);
    iggy_client_destroy(c);
    test_end(&srv, &guard);
}
END_TEST

typedef struct runner {
    iggy_consumer_t *k;
    iggy_err_t result;
    size_t handled;
} runner_t;

static int count_message(const iggy_message_t *m, uint32_t partition, void *opaque)
{
    runner_t *r = opaque;
    (void)m;
    (void)partition;
    __atomic_add_fetch(&r->handled, 1, __ATOMIC_RELAXED);
    return 0;
}

static void *run_main(void *arg)
{
    runner_t *r = arg;
    r->result = iggy_consumer_run(r->k, count_message, r);
    return NULL;
}

START_TEST(stop_from_another_thread_ends_run)
{
    const char *stream;
    iggy_client_t *c;
    runner_t r;
    pthread_t t;
    struct timespec t0, t1;
    test_begin(&srv, &guard, NULL);
    c = client_with(NULL);
    stream = stream_name("consumer-stop");
    fill(c, stream, 2, 700);
    memset(&r, 0, sizeof r);
    r.result = IGGY_ERR__STATE;
    r.k = consumer_on(c, stream, NULL, NULL, NULL);
    ck_assert_int_eq(pthread_create(&t, NULL, run_main, &r), 0);
    for (int i = 0; i < 500 && __atomic_load_n(&r.handled, __ATOMIC_RELAXED) < 1400; i++)
        test_sleep_ms(10);
    test_sleep_ms(100); /* run is now waiting for more */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    iggy_consumer_stop(r.k);
    pthread_join(t, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ck_assert_int_eq(r.result, IGGY_OK);
    ck_assert_uint_eq(r.handled, 1400);
    ck_assert((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 500);
    ck_assert_int_eq(iggy_consumer_close(r.k), IGGY_OK);
    drop_stream(c, stream);
    iggy_client_destroy(c);
    test_end(&srv, &guard);
}
END_TEST

START_TEST(a_steady_poll_loop_allocates_nothing)
{
    enum { ROUNDS = 40 };
    const char *props[] = {"consumer.batch.length", "50", "consumer.auto.commit", "disabled", NULL};
    iggy_polled_messages_t *batch = NULL;
    const char *stream;
    iggy_consumer_t *k;
    iggy_client_t *c;
    size_t per[ROUNDS];
#if IGGY_POOL_ENABLED
    const bool pooled = true;
#else
    const bool pooled = false;
#endif
    test_begin(&srv, &guard, NULL);
    c = client_with(NULL);
    stream = stream_name("consumer-alloc");
    fill(c, stream, 1, 50 * (ROUNDS + 5));
    k = consumer_on(c, stream, props, NULL, NULL);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(iggy_consumer_poll(k, 5000, &batch), IGGY_OK);
    for (int i = 0; i < ROUNDS; i++) {
        iggy_err_t err;
        test_alloc_begin();
        err = iggy_consumer_poll(k, 5000, &batch);
        per[i] = test_alloc_end();
        ck_assert_int_eq(err, IGGY_OK);
        ck_assert_uint_eq(batch->count, 50);
    }
    for (int i = 0; i < ROUNDS; i++)
        if (pooled)
            ck_assert_msg(per[i] == 0, "poll %d: %zu allocations", i, per[i]);
    printf("consumer poll: %zu allocations per poll after warm-up\n", per[0]);
    ck_assert_int_eq(iggy_consumer_close(k), IGGY_OK);
    iggy_result_destroy(batch);
    drop_stream(c, stream);
    iggy_client_destroy(c);
    test_end(&srv, &guard);
}
END_TEST

START_TEST(settings_are_validated)
{
    iggy_client_t *c;
    iggy_consumer_t *k = NULL;
    iggy_identifier_t s = iggy_id_name("nowhere"), t = iggy_id_name("t");
    char err[256] = "";
    iggy_conf_t *conf;
    test_begin(&srv, &guard, NULL);
    c = client_with(NULL);
    conf = test_conf(&srv, true,
                     (const char *const[]){"consumer.auto.commit", "after",
                                           "consumer.auto.commit.trigger", "polling", NULL});
    ck_assert_int_eq(iggy_consumer_new(c, conf, &s, &t, NULL, &k, err, sizeof err),
                     IGGY_ERR__INVALID_ARG);
    ck_assert_ptr_null(k);
    ck_assert_ptr_nonnull(strstr(err, "consuming_"));
    iggy_conf_destroy(conf);
    conf = test_conf(&srv, true, NULL);
    ck_assert_int_ne(iggy_conf_set(conf, "consumer.auto.commit", "sometimes", err, sizeof err),
                     IGGY_OK);
    ck_assert_int_ne(iggy_conf_set(conf, "consumer.batch.length", "0", err, sizeof err), IGGY_OK);
    ck_assert_int_eq(iggy_conf_set(conf, "consumer.group", "g", err, sizeof err), IGGY_OK);
    /* A group on a missing stream: the join fails with the server's error. */
    ck_assert_int_ne(iggy_consumer_new(c, conf, &s, &t, NULL, &k, err, sizeof err), IGGY_OK);
    ck_assert_ptr_null(k);
    iggy_conf_destroy(conf);
    iggy_client_destroy(c);
    test_end(&srv, &guard);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("consumer");
    TCase *tc = tcase_create("consumer");
    if (iggy_set_allocator(&test_counting_allocator) != 0)
        return 1;
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, a_single_consumer_reads_every_partition_in_order);
    tcase_add_test(tc, starting_points_are_honoured);
    tcase_add_test(tc, seek_sets_where_a_partition_is_read);
    tcase_add_test(tc, every_auto_commit_mode_resumes_where_it_promises);
    tcase_add_test(tc, a_group_of_three_survives_a_leave_and_a_join);
    tcase_add_test(tc, a_server_restart_in_a_group_run_skips_nothing);
    tcase_add_test(tc, faults_are_recovered_by_the_consumer);
    tcase_add_test(tc, a_fence_re_syncs_and_hands_partitions_over);
    tcase_add_test(tc, a_group_member_follows_a_leader_move);
    tcase_add_test(tc, close_while_the_server_is_away_returns_soon);
    tcase_add_test(tc, a_position_past_the_end_follows_offset_reset);
    tcase_add_test(tc, stop_from_another_thread_ends_run);
    tcase_add_test(tc, a_steady_poll_loop_allocates_nothing);
    tcase_add_test(tc, settings_are_validated);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
