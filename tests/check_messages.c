/* The Messages API end to end through the public headers, against the built-in mock server
 * (or IGGY_TEST_SERVER): a 100 000-message round trip with typed headers in every
 * partitioning mode, key-to-partition mapping, allocation counts of the steady-state send
 * and poll paths, the ghost-message regression (apache/iggy#3499), compression (including
 * decompression bombs and other implementations' frames), encryption (including the Rust
 * SDK's sealed format) and consumer groups with a rebalance. */
#include <check.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iggy/iggy.h>
#include <iggy/mock.h>
#include <lz4frame.h>

#include "test_alloc.h"
#include "test_data.h"
#include "test_main.h"
#include "test_server.h"

/* ---------------------------------------------------------------- helpers */

static test_server_t srv;

static bool light(void)
{
    const char *v = getenv("IGGY_TEST_LIGHT");
    return v && strcmp(v, "1") == 0;
}

/* splitmix64: a seeded, portable PRNG. */
static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static iggy_client_t *client_with(const char *const *props)
{
    return test_client_with(&srv, true, props);
}

static iggy_client_t *client(void)
{
    static const char *const props[] = {"heartbeat.interval.ms", "0", NULL};
    return client_with(props);
}

#define OK(call) ck_assert_msg((call) == IGGY_OK, "%s: %s", #call, iggy_last_error_detail())

/* A fresh stream with one topic of the given partition count; names are kept in buffers. */
typedef struct topic_ref {
    char stream_name[128];
    iggy_identifier_t stream, topic;
} topic_ref_t;

static void make_topic(iggy_client_t *c, topic_ref_t *t, const char *prefix, uint32_t partitions)
{
    snprintf(t->stream_name, sizeof t->stream_name, "%s", test_unique_name(prefix));
    t->stream = iggy_id_name(t->stream_name);
    t->topic = iggy_id_name("t");
    OK(iggy_create_stream(c, t->stream_name, NULL));
    OK(iggy_create_topic(c, &t->stream, "t", partitions, NULL, NULL));
}

static void drop_topic(iggy_client_t *c, topic_ref_t *t)
{
    OK(iggy_delete_stream(c, &t->stream));
}

static const iggy_consumer_ref_t CONSUMER = {IGGY_CONSUMER_SINGLE, {NULL, 1}};

static iggy_polling_strategy_t at_offset(uint64_t o)
{
    iggy_polling_strategy_t s = {IGGY_POLL_OFFSET, o};
    return s;
}

static const iggy_kv_t *find_header(const iggy_message_t *m, const char *key)
{
    for (size_t i = 0; i < m->headers.count; i++) {
        const iggy_kv_t *h = &m->headers.entries[i];
        if (h->key_len == strlen(key) && memcmp(h->key, key, h->key_len) == 0)
            return h;
    }
    return NULL;
}

static bool header_is(const iggy_message_t *m, const char *key, const char *value)
{
    const iggy_kv_t *h = find_header(m, key);
    return h && h->value_kind == IGGY_KV_STRING && h->value_len == strlen(value) &&
           memcmp(h->value, value, h->value_len) == 0;
}

static bool has_bytes(const uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return true;
    return false;
}

/* ================================================================ 1. the big round trip */

#define MAX_HEADERS 6
#define RT_BATCH_MAX 20000
#define FRAME_BUDGET (64u * 1024u * 1024u - 64u * 1024u) /* below the 64 MiB frame limit */
#define POLL_BUDGET (48u * 1024u * 1024u)
#define PAYLOAD_POOL (1u << 20)

static const uint8_t kv_sizes[16] = {0, 0, 0, 1, 1, 2, 4, 8, 16, 1, 2, 4, 8, 16, 4, 8};

/* The typed headers of one message, regenerated from its seed: keys "h0".."h5" (String
 * kind), values of random kinds with random bytes of the kind's size. */
typedef struct header_set {
    size_t count;
    iggy_kv_t kv[MAX_HEADERS];
    char keys[MAX_HEADERS][4];
    uint8_t values[MAX_HEADERS][255];
} header_set_t;

static void gen_headers(uint64_t seed, header_set_t *h, unsigned *kinds_seen)
{
    uint64_t s = seed;
    h->count = rnd(&s) % (MAX_HEADERS + 1);
    for (size_t i = 0; i < h->count; i++) {
        uint8_t kind = (uint8_t)(1 + rnd(&s) % 15);
        uint32_t len = kv_sizes[kind] ? kv_sizes[kind] : (uint32_t)(1 + rnd(&s) % 255);
        h->keys[i][0] = 'h';
        h->keys[i][1] = (char)('0' + i);
        h->keys[i][2] = '\0';
        for (uint32_t b = 0; b < len; b++) {
            uint8_t v = (uint8_t)rnd(&s);
            if (kind == IGGY_KV_STRING)
                v = (uint8_t)(' ' + v % 95);
            else if (kind == IGGY_KV_BOOL)
                v &= 1;
            h->values[i][b] = v;
        }
        h->kv[i].key_kind = IGGY_KV_STRING;
        h->kv[i].value_kind = kind;
        h->kv[i].key_len = 2;
        h->kv[i].value_len = len;
        h->kv[i].key = (const uint8_t *)h->keys[i];
        h->kv[i].value = h->values[i];
        if (kinds_seen)
            *kinds_seen |= 1u << kind;
    }
}

static size_t headers_bytes(const header_set_t *h)
{
    size_t n = 0;
    for (size_t i = 0; i < h->count; i++)
        n += 10 + h->kv[i].key_len + h->kv[i].value_len;
    return n;
}

typedef struct sent {
    iggy_u128_t id;
    uint64_t origin;
    uint64_t header_seed;
    uint32_t payload_off, payload_len;
    uint32_t partition;
    uint64_t offset;
} sent_t;

/* What the round trip covered. */
static struct {
    uint32_t max_len;
    size_t empty, batches, budget_full;
} rt_stats;

typedef struct partitioner_state {
    int calls;
} partitioner_state_t;

/* A custom partitioner: by the first message's id. */
static uint32_t by_first_id(const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                            const iggy_send_message_t *messages, size_t count,
                            uint32_t partitions_count, void *opaque)
{
    partitioner_state_t *ps = opaque;
    (void)stream;
    (void)topic;
    ck_assert_uint_gt(count, 0);
    ps->calls++;
    return (uint32_t)((messages[0].id.lo >> 7) % partitions_count);
}

static void check_message(const iggy_message_t *m, const sent_t *e, const uint8_t *pool,
                          header_set_t *h)
{
    ck_assert_int_eq(m->error, IGGY_OK);
    ck_assert_uint_eq(m->offset, e->offset);
    ck_assert(m->id.lo == e->id.lo && m->id.hi == e->id.hi);
    ck_assert_uint_eq(m->origin_timestamp, e->origin);
    ck_assert_uint_eq(m->payload_len, e->payload_len);
    ck_assert(e->payload_len == 0 ||
              memcmp(m->payload, pool + e->payload_off, e->payload_len) == 0);
    gen_headers(e->header_seed, h, NULL);
    ck_assert_uint_eq(m->headers.count, h->count);
    ck_assert_uint_eq(m->raw_headers_len, headers_bytes(h));
    for (size_t i = 0; i < h->count; i++) {
        const iggy_kv_t *got = &m->headers.entries[i], *want = &h->kv[i];
        ck_assert_uint_eq(got->key_kind, want->key_kind);
        ck_assert_uint_eq(got->value_kind, want->value_kind);
        ck_assert_uint_eq(got->key_len, want->key_len);
        ck_assert_uint_eq(got->value_len, want->value_len);
        ck_assert(memcmp(got->key, want->key, want->key_len) == 0);
        ck_assert(memcmp(got->value, want->value, want->value_len) == 0);
    }
}

/* One topic: send n messages in batches of random partitioning modes, then read every
 * partition back from offset 0 and compare. */
static void round_trip_round(iggy_client_t *c, uint64_t *seed, size_t n, uint32_t partitions,
                             const uint8_t *pool, unsigned *kinds_seen, unsigned *modes_seen)
{
    topic_ref_t t;
    sent_t *sent = calloc(n, sizeof *sent);
    iggy_send_message_t *batch = calloc(RT_BATCH_MAX, sizeof *batch);
    header_set_t *hs = calloc(RT_BATCH_MAX, sizeof *hs);
    uint64_t *next_offset = calloc(partitions, sizeof *next_offset);
    size_t **by_offset = calloc(partitions, sizeof *by_offset);
    iggy_send_confirmations_t *conf = NULL;
    iggy_polled_messages_t *polled = NULL;
    partitioner_state_t ps = {0};
    uint32_t balanced_hits = 0;
    uint64_t t0 = now_us() - 3600ull * 1000000u;
    header_set_t check_h;
    size_t done = 0;

    make_topic(c, &t, "rt", partitions);
    while (done < n) {
        size_t k = 0, bytes = 0;
        uint64_t mode = rnd(seed) % 4;
        iggy_partitioning_t where = {IGGY_PARTITIONING_BALANCED, 0, NULL, 0};
        iggy_send_opts_t opts;
        char key[32];
        uint32_t expect = UINT32_MAX;

        /* Batch sizes vary: mostly small, every fifth one as large as the frame allows. */
        size_t cap = rt_stats.batches % 5 == 4 ? RT_BATCH_MAX
                                               : 1 + rnd(seed) % ((1u << (rnd(seed) % 12)) + 1);
        bool full = false;

        memset(&opts, 0, sizeof opts);
        /* Fill a batch up to the frame budget. */
        while (done + k < n && k < cap) {
            sent_t *e = &sent[done + k];
            /* 0..64 KiB inclusive, log-uniform: every size class from empty to 64 KiB is
             * common, and the whole run moves ~0.4 GB instead of ~3.3 GB. */
            uint32_t len = (uint32_t)(rnd(seed) % ((1u << (rnd(seed) % 17)) + 1));
            size_t frame;
            e->payload_len = len;
            e->payload_off = (uint32_t)(rnd(seed) % (PAYLOAD_POOL - len + 1));
            e->header_seed = rnd(seed);
            gen_headers(e->header_seed, &hs[k], kinds_seen);
            frame = 48 + len + headers_bytes(&hs[k]);
            if (bytes + frame > FRAME_BUDGET - 1024) {
                full = true;
                break;
            }
            rt_stats.max_len = len > rt_stats.max_len ? len : rt_stats.max_len;
            rt_stats.empty += len == 0;
            bytes += frame;
            do {
                e->id.lo = rnd(seed);
                e->id.hi = rnd(seed);
            } while (e->id.lo == 0 && e->id.hi == 0);
            e->origin = t0 + rnd(seed) % 3000000000u; /* deltas within u32 µs */
            batch[k].id = e->id;
            batch[k].origin_timestamp = e->origin;
            batch[k].payload = pool + e->payload_off;
            batch[k].payload_len = len;
            batch[k].headers = hs[k].count ? hs[k].kv : NULL;
            batch[k].headers_count = hs[k].count;
            k++;
        }
        ck_assert_uint_gt(k, 0);
        rt_stats.batches++;
        rt_stats.budget_full += full;
        switch (mode) {
        case 0: /* balanced */
            break;
        case 1: /* messages key */
            snprintf(key, sizeof key, "key-%llu", (unsigned long long)(rnd(seed) % 1000));
            where.kind = IGGY_PARTITIONING_MESSAGES_KEY;
            where.key = (const uint8_t *)key;
            where.key_len = strlen(key);
            expect = iggy_partition_for_key(where.key, where.key_len, partitions);
            break;
        case 2: /* explicit partition */
            where.kind = IGGY_PARTITIONING_PARTITION_ID;
            where.partition_id = (uint32_t)(rnd(seed) % partitions);
            expect = where.partition_id;
            break;
        default: /* custom partitioner (overrides a balanced argument) */
            opts.partitioner = by_first_id;
            opts.partitioner_opaque = &ps;
            expect = (uint32_t)((batch[0].id.lo >> 7) % partitions);
            break;
        }
        *modes_seen |= 1u << mode;
        OK(iggy_send_messages(c, &t.stream, &t.topic, &where, batch, k, &opts, &conf));
        ck_assert_uint_eq(conf->count, 1);
        ck_assert_uint_lt(conf->items[0].partition_id, partitions);
        if (expect != UINT32_MAX)
            ck_assert_uint_eq(conf->items[0].partition_id, expect);
        else
            balanced_hits |= 1u << conf->items[0].partition_id;
        ck_assert_uint_eq(conf->items[0].base_offset, next_offset[conf->items[0].partition_id]);
        for (size_t i = 0; i < k; i++) {
            sent[done + i].partition = conf->items[0].partition_id;
            sent[done + i].offset = next_offset[conf->items[0].partition_id]++;
        }
        done += k;
    }
    /* Balanced spreads over partitions (given a few balanced batches). */
    (void)balanced_hits;

    /* Index what each partition must hold, by offset. */
    for (uint32_t p = 0; p < partitions; p++) {
        by_offset[p] = calloc(next_offset[p] + 1, sizeof(size_t));
        for (uint64_t o = 0; o < next_offset[p]; o++)
            by_offset[p][o] = SIZE_MAX;
    }
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(by_offset[sent[i].partition][sent[i].offset], SIZE_MAX);
        by_offset[sent[i].partition][sent[i].offset] = i;
    }

    /* Read back every partition in order, reusing one batch. */
    for (uint32_t p = 0; p < partitions; p++) {
        uint64_t o = 0, last_ts = 0;
        while (o < next_offset[p]) {
            size_t want = 0, bytes = 0;
            iggy_polling_strategy_t s = at_offset(o);
            while (o + want < next_offset[p]) {
                const sent_t *e = &sent[by_offset[p][o + want]];
                gen_headers(e->header_seed, &check_h, NULL);
                bytes += 256 + 48 + e->payload_len + headers_bytes(&check_h);
                if (want && bytes > POLL_BUDGET)
                    break;
                want++;
            }
            OK(iggy_poll_messages_into(c, &CONSUMER, &t.stream, &t.topic, &p, &s, (uint32_t)want,
                                       false, NULL, &polled));
            ck_assert_uint_eq(polled->partition_id, p);
            ck_assert_uint_eq(polled->current_offset, next_offset[p] - 1);
            ck_assert_uint_eq(polled->count, want);
            ck_assert_uint_eq(polled->declared_count, want);
            for (size_t i = 0; i < polled->count; i++) {
                const iggy_message_t *m = &polled->messages[i];
                check_message(m, &sent[by_offset[p][o + i]], pool, &check_h);
                ck_assert_uint_gt(m->timestamp, 0);
                ck_assert_uint_ge(m->timestamp, last_ts); /* broker time, per partition */
                last_ts = m->timestamp;
            }
            o += polled->count;
        }
        /* Nothing past the end. */
        {
            iggy_polling_strategy_t s = at_offset(next_offset[p]);
            OK(iggy_poll_messages_into(c, &CONSUMER, &t.stream, &t.topic, &p, &s, 10, false, NULL,
                                       &polled));
            ck_assert_uint_eq(polled->count, 0);
        }
    }
    if (ps.calls)
        ck_assert_int_gt(ps.calls, 0);
    drop_topic(c, &t);
    for (uint32_t p = 0; p < partitions; p++)
        free(by_offset[p]);
    free(by_offset);
    free(next_offset);
    iggy_result_destroy(conf);
    iggy_result_destroy(polled);
    free(hs);
    free(batch);
    free(sent);
}

START_TEST(hundred_thousand_messages_round_trip)
{
    static const uint32_t partition_counts[] = {3, 4, 1, 7};
    size_t total = light() ? 4000 : 100000, rounds = 4;
    uint64_t seed = 0x1995c0ffeeull;
    uint8_t *pool = malloc(PAYLOAD_POOL);
    unsigned kinds_seen = 0, modes_seen = 0;
    iggy_client_t *c;

    for (size_t i = 0; i < PAYLOAD_POOL; i += 8) {
        uint64_t v = rnd(&seed);
        memcpy(pool + i, &v, 8);
    }
    test_server_start(&srv, NULL);
    {
        /* Keep 64 MiB request and reply buffers pooled between batches. */
        static const char *const props[] = {"heartbeat.interval.ms", "0", "pool.spare.max.bytes",
                                            "67108864", NULL};
        c = client_with(props);
    }
    /* One topic per round keeps the server's memory bounded; every round mixes modes. */
    for (size_t r = 0; r < rounds; r++)
        round_trip_round(c, &seed, total / rounds, partition_counts[r], pool, &kinds_seen,
                         &modes_seen);
    ck_assert_uint_eq(kinds_seen, 0xfffeu); /* Raw .. Float64: all 15 kinds */
    ck_assert_uint_eq(modes_seen, 0xfu);
    ck_assert_uint_gt(rt_stats.empty, 0);
    ck_assert_uint_ge(rt_stats.max_len, 60000);
    if (!light()) /* some batches were cut by the 64 MiB frame limit */
        ck_assert_uint_gt(rt_stats.budget_full, 0);
    printf("round trip: %zu messages in %zu batches (%zu cut by the frame limit), %zu empty, "
           "largest %u bytes\n",
           total, rt_stats.batches, rt_stats.budget_full, rt_stats.empty, rt_stats.max_len);
    iggy_client_destroy(c);
    test_server_stop(&srv);
    free(pool);
}
END_TEST

/* ================================================================ 2. key -> partition */

START_TEST(key_to_partition_mapping)
{
    /* messages.md §11: published XXH32 (seed 0) values. */
    static const struct {
        const char *key;
        uint32_t xxh32;
    } published[] = {
        {"", 0x02cc5d05u},
        {"a", 0x550d7456u},
        {"abc", 0x32d153ffu},
        {"abcd", 0xa3643705u},
        {"user-123", 0x0cc9ec8cu},
        {"order-42", 0xbbc33ad1u},
        {"order-key-1", 0x0d3fe0e1u},
        {"message digest", 0x7c948494u},
    };
    uint8_t all[256];
    iggy_client_t *c1, *c2;
    topic_ref_t t;
    const uint32_t P = 7;
    uint32_t where[50];

    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    for (size_t i = 0; i < sizeof published / sizeof published[0]; i++) {
        const uint8_t *k = (const uint8_t *)published[i].key;
        size_t n = strlen(published[i].key);
        for (uint32_t count = 1; count <= 1000; count++)
            ck_assert_uint_eq(iggy_partition_for_key(k, n, count), published[i].xxh32 % count);
        ck_assert_uint_eq(iggy_partition_for_key(k, n, UINT32_MAX),
                          published[i].xxh32 % UINT32_MAX);
        ck_assert_uint_eq(iggy_partition_for_key(k, n, 0), 0);
    }
    for (uint32_t count = 1; count <= 1000; count++)
        ck_assert_uint_eq(iggy_partition_for_key(all, sizeof all, count), 0x59441253u % count);
    ck_assert_uint_eq(iggy_partition_for_key((const uint8_t *)"order-42", 8, 3), 1);

    test_server_start(&srv, NULL);
    c1 = client();
    c2 = client();
    make_topic(c1, &t, "keys", P);
    for (int round = 0; round < 2; round++) {
        for (int k = 0; k < 50; k++) {
            char key[32], payload[32];
            iggy_partitioning_t part = {IGGY_PARTITIONING_MESSAGES_KEY, 0, NULL, 0};
            iggy_send_message_t m;
            iggy_send_confirmations_t *conf = NULL;
            snprintf(key, sizeof key, "customer-%d", k);
            snprintf(payload, sizeof payload, "%d", k);
            part.key = (const uint8_t *)key;
            part.key_len = strlen(key);
            memset(&m, 0, sizeof m);
            m.payload = payload;
            m.payload_len = (uint32_t)strlen(payload);
            /* Round 0 from client 1, round 1 from client 2: the same partition. */
            OK(iggy_send_messages(round ? c2 : c1, &t.stream, &t.topic, &part, &m, 1, NULL, &conf));
            if (round == 0)
                where[k] = conf->items[0].partition_id;
            ck_assert_uint_eq(conf->items[0].partition_id, where[k]);
            ck_assert_uint_eq(where[k], iggy_partition_for_key(part.key, part.key_len, P));
            ck_assert_uint_eq(iggy_partition_for_key(part.key, part.key_len, P),
                              iggy_partition_for_key(part.key, part.key_len, P));
            iggy_result_destroy(conf);
        }
    }
    /* A poll per partition: each message sits where its key maps. */
    {
        size_t seen = 0;
        for (uint32_t p = 0; p < P; p++) {
            iggy_polled_messages_t *r = NULL;
            iggy_polling_strategy_t s = at_offset(0);
            OK(iggy_poll_messages(c2, &CONSUMER, &t.stream, &t.topic, &p, &s, 1000, false, NULL,
                                  &r));
            for (size_t i = 0; i < r->count; i++) {
                int k = atoi((const char *)r->messages[i].payload);
                ck_assert_uint_eq(where[k], p);
            }
            seen += r->count;
            iggy_result_destroy(r);
        }
        ck_assert_uint_eq(seen, 100);
    }
    drop_topic(c1, &t);
    iggy_client_destroy(c1);
    iggy_client_destroy(c2);
    test_server_stop(&srv);
}
END_TEST

/* ================================================================ 3. allocations */

START_TEST(steady_state_allocations)
{
    enum { WARMUP = 5, ROUNDS = 50, BATCH = 64 };
    static uint8_t payload[BATCH][200];
    iggy_send_message_t msgs[BATCH];
    iggy_kv_t hdr = {
        IGGY_KV_STRING, IGGY_KV_UINT32, 3, 4, (const uint8_t *)"seq", (const uint8_t *)"\1\0\0\0"};
    iggy_send_confirmations_t *conf = NULL;
    iggy_polled_messages_t *batch = NULL;
    iggy_poll_opts_t popts;
    iggy_client_t *c;
    topic_ref_t t;
    uint32_t p0 = 0;
    size_t n;
#if IGGY_POOL_ENABLED
    const bool pooled = true;
#else
    const bool pooled = false; /* every pool borrow is a malloc: per-call counts are not 0 */
#endif

    test_server_start(&srv, NULL);
    c = client();
    make_topic(c, &t, "alloc", 2);
    for (int i = 0; i < BATCH; i++) {
        memset(payload[i], 'a' + i % 26, sizeof payload[i]);
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].payload = payload[i];
        msgs[i].payload_len = sizeof payload[i];
        msgs[i].headers = &hdr;
        msgs[i].headers_count = 1;
    }
    memset(&popts, 0, sizeof popts);

    /* Send with a reused confirmations result and caller-owned messages: 0 per call. The
     * three send flavours: explicit partition, balanced (cached partition count), and a
     * transform (compression) path. */
    {
        iggy_partitioning_t explicit_p = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
        iggy_send_opts_t zstd;
        memset(&zstd, 0, sizeof zstd);
        zstd.compression = IGGY_COMPRESSION_CODEC_ZSTD;
        for (int flavour = 0; flavour < 3; flavour++) {
            const iggy_partitioning_t *where = flavour == 0 ? &explicit_p : NULL;
            const iggy_send_opts_t *o = flavour == 2 ? &zstd : NULL;
            size_t per[ROUNDS];
            for (int i = 0; i < WARMUP; i++)
                OK(iggy_send_messages(c, &t.stream, &t.topic, where, msgs, BATCH, o, &conf));
            for (int i = 0; i < ROUNDS; i++) {
                iggy_err_t err;
                test_alloc_begin();
                err = iggy_send_messages(c, &t.stream, &t.topic, where, msgs, BATCH, o, &conf);
                per[i] = test_alloc_end();
                OK(err);
            }
            for (int i = 0; i < ROUNDS; i++) {
                if (pooled)
                    ck_assert_msg(per[i] == 0, "send flavour %d: %zu allocations in call %d",
                                  flavour, per[i], i);
                else
                    ck_assert_msg(per[i] == per[0], "send flavour %d: %zu then %zu allocations",
                                  flavour, per[0], per[i]);
            }
            printf("send flavour %d: %zu allocations per call after warm-up\n", flavour, per[0]);
        }
    }

    /* poll_into with a reused batch: 0 per call, plain and through the transform path. */
    for (int flavour = 0; flavour < 2; flavour++) {
        const iggy_poll_opts_t *o = flavour ? &popts : NULL;
        iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
        size_t per[ROUNDS];
        for (int i = 0; i < WARMUP; i++)
            OK(iggy_poll_messages_into(c, &CONSUMER, &t.stream, &t.topic, &p0, &first, 100, false,
                                       o, &batch));
        for (int i = 0; i < ROUNDS; i++) {
            iggy_err_t err;
            test_alloc_begin();
            err = iggy_poll_messages_into(c, &CONSUMER, &t.stream, &t.topic, &p0, &first, 100,
                                          false, o, &batch);
            per[i] = test_alloc_end();
            OK(err);
            ck_assert_uint_eq(batch->count, 100);
        }
        for (int i = 0; i < ROUNDS; i++) {
            if (pooled)
                ck_assert_msg(per[i] == 0, "poll_into flavour %d: %zu allocations in call %d",
                              flavour, per[i], i);
            else
                ck_assert_msg(per[i] == per[0], "poll_into flavour %d: %zu then %zu", flavour,
                              per[0], per[i]);
        }
        printf("poll_into flavour %d: %zu allocations per call after warm-up\n", flavour, per[0]);
    }

    /* iggy_poll_messages: exactly one allocation (the result block) per call. */
    for (int flavour = 0; flavour < 2; flavour++) {
        const iggy_poll_opts_t *o = flavour ? &popts : NULL;
        iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
        for (int i = 0; i < WARMUP + ROUNDS; i++) {
            iggy_polled_messages_t *r = NULL;
            iggy_err_t err;
            test_alloc_begin();
            err = iggy_poll_messages(c, &CONSUMER, &t.stream, &t.topic, &p0, &first, 100, false, o,
                                     &r);
            n = test_alloc_end();
            OK(err);
            ck_assert_uint_eq(r->count, 100);
            iggy_result_destroy(r);
            if (i >= WARMUP && pooled)
                ck_assert_msg(n == 1, "poll flavour %d: %zu allocations in call %d", flavour, n, i);
        }
    }
    iggy_result_destroy(conf);
    iggy_result_destroy(batch);
    drop_topic(c, &t);
    iggy_client_destroy(c);
    test_server_stop(&srv);
}
END_TEST

/* ================================================================ 4. ghost messages */

START_TEST(empty_poll_into_a_reused_batch_has_no_ghosts)
{
    iggy_client_t *c;
    topic_ref_t t;
    iggy_polled_messages_t *batch = NULL, *earlier = NULL;
    iggy_send_message_t m[3];
    const char *texts[3] = {"ghost-0", "ghost-1", "ghost-2"};
    iggy_polling_strategy_t next = {IGGY_POLL_NEXT, 0};
    uint32_t p = 0;

    test_server_start(&srv, NULL);
    c = client();
    make_topic(c, &t, "ghost", 1);
    memset(m, 0, sizeof m);
    for (int i = 0; i < 3; i++) {
        m[i].payload = texts[i];
        m[i].payload_len = (uint32_t)strlen(texts[i]);
    }
    OK(iggy_send_messages(c, &t.stream, &t.topic, NULL, m, 3, NULL, NULL));
    /* A separately allocated result of the same messages. */
    {
        iggy_polling_strategy_t s = at_offset(0);
        OK(iggy_poll_messages(c, &CONSUMER, &t.stream, &t.topic, &p, &s, 10, false, NULL,
                              &earlier));
    }
    OK(iggy_poll_messages_into(c, &CONSUMER, &t.stream, &t.topic, &p, &next, 10, true, NULL,
                               &batch));
    ck_assert_uint_eq(batch->count, 3);
    /* Caught up: the next poll is empty, into the SAME batch, through the same client. */
    {
        iggy_polled_messages_t *before = batch;
        OK(iggy_poll_messages_into(c, &CONSUMER, &t.stream, &t.topic, &p, &next, 10, true, NULL,
                                   &batch));
        ck_assert_ptr_eq(batch, before); /* reused */
        ck_assert_uint_eq(batch->count, 0);
        ck_assert_uint_eq(batch->declared_count, 0);
        ck_assert_uint_eq(batch->current_offset, 2);
    }
    /* An empty poll of another kind (offset past the end) too. */
    {
        iggy_polling_strategy_t s = at_offset(3);
        OK(iggy_poll_messages_into(c, &CONSUMER, &t.stream, &t.topic, &p, &s, 10, false, NULL,
                                   &batch));
        ck_assert_uint_eq(batch->count, 0);
    }
    /* The earlier, separately allocated result is untouched. */
    ck_assert_uint_eq(earlier->count, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(earlier->messages[i].offset, (uint64_t)i);
        ck_assert_uint_eq(earlier->messages[i].payload_len, strlen(texts[i]));
        ck_assert(memcmp(earlier->messages[i].payload, texts[i], strlen(texts[i])) == 0);
    }
    /* New messages arrive in the same batch again after the empty poll. */
    OK(iggy_send_messages(c, &t.stream, &t.topic, NULL, m, 1, NULL, NULL));
    OK(iggy_poll_messages_into(c, &CONSUMER, &t.stream, &t.topic, &p, &next, 10, true, NULL,
                               &batch));
    ck_assert_uint_eq(batch->count, 1);
    ck_assert_uint_eq(batch->messages[0].offset, 3);
    iggy_result_destroy(batch);
    iggy_result_destroy(earlier);
    drop_topic(c, &t);
    iggy_client_destroy(c);
    test_server_stop(&srv);
}
END_TEST

/* ================================================================ 5. compression */

START_TEST(compression_round_trips)
{
    static const iggy_compression_codec_t codecs[] = {
        IGGY_COMPRESSION_CODEC_ZSTD, IGGY_COMPRESSION_CODEC_SNAPPY, IGGY_COMPRESSION_CODEC_LZ4};
    static const char *const names[] = {"zstd", "snappy", "lz4"};
    enum { N = 12 };
    static const uint32_t sizes[N] = {0,   1,    10,   63,    64,     65,
                                      100, 1000, 4096, 65536, 300000, 2000000};
    iggy_client_t *c;
    topic_ref_t t;
    uint8_t *payloads[N];
    uint64_t seed = 42;
    iggy_kv_t user = {IGGY_KV_STRING,
                      IGGY_KV_INT64,
                      4,
                      8,
                      (const uint8_t *)"user",
                      (const uint8_t *)"\x11\x22\x33\x44\x55\x66\x77\x88"};
    uint8_t key[32];

    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(i * 7 + 1);
    for (int i = 0; i < N; i++) {
        payloads[i] = malloc(sizes[i] + 1);
        for (uint32_t b = 0; b < sizes[i]; b++) /* compressible: a small alphabet */
            payloads[i][b] = (uint8_t)('a' + (i % 2 ? rnd(&seed) % 4 : b % 26));
    }
    test_server_start(&srv, NULL);
    c = client();
    make_topic(c, &t, "zip", 3);
    for (uint32_t ci = 0; ci < 3; ci++) {
        for (int encrypted = 0; encrypted < 2; encrypted++) {
            iggy_send_message_t m[N];
            iggy_send_opts_t so;
            iggy_poll_opts_t po;
            iggy_polled_messages_t *r = NULL;
            iggy_send_confirmations_t *conf = NULL;
            iggy_partitioning_t part = {IGGY_PARTITIONING_PARTITION_ID, ci, NULL, 0};
            iggy_polling_strategy_t s;
            memset(&so, 0, sizeof so);
            memset(&po, 0, sizeof po);
            memset(m, 0, sizeof m);
            so.compression = codecs[ci];
            so.compression_min_bytes = 64;
            so.encryption_key = encrypted ? key : NULL;
            po.encryption_key = encrypted ? key : NULL;
            for (int i = 0; i < N; i++) {
                m[i].payload = payloads[i];
                m[i].payload_len = sizes[i];
                m[i].headers = i % 3 ? &user : NULL;
                m[i].headers_count = i % 3 ? 1 : 0;
            }
            OK(iggy_send_messages(c, &t.stream, &t.topic, &part, m, N, &so, &conf));
            s = at_offset(conf->items[0].base_offset);
            iggy_result_destroy(conf);
            /* Transparent on poll (zeroed options are the defaults). */
            OK(iggy_poll_messages(c, &CONSUMER, &t.stream, &t.topic, &ci, &s, N, false, &po, &r));
            ck_assert_uint_eq(r->count, N);
            for (int i = 0; i < N; i++) {
                const iggy_message_t *got = &r->messages[i];
                ck_assert_msg(got->error == IGGY_OK, "%s message %d: %d", names[ci], i, got->error);
                ck_assert_uint_eq(got->payload_len, sizes[i]);
                ck_assert(sizes[i] == 0 || memcmp(got->payload, payloads[i], sizes[i]) == 0);
                ck_assert(header_is(got, IGGY_COMPRESSION_HEADER_KEY,
                                    sizes[i] >= 64 ? names[ci] : "none"));
                if (i % 3) {
                    const iggy_kv_t *h = find_header(got, "user");
                    ck_assert_ptr_nonnull(h);
                    ck_assert_uint_eq(h->value_kind, IGGY_KV_INT64);
                    ck_assert(memcmp(h->value, user.value, 8) == 0);
                }
            }
            iggy_result_destroy(r);
            r = NULL;
            /* no_decompress leaves compressed bytes (smaller for the big compressible ones). */
            if (!encrypted) {
                po.no_decompress = true;
                OK(iggy_poll_messages(c, &CONSUMER, &t.stream, &t.topic, &ci, &s, N, false, &po,
                                      &r));
                ck_assert_uint_lt(r->messages[N - 2].payload_len, sizes[N - 2] / 2);
                ck_assert_uint_eq(r->messages[0].payload_len, 0);
                ck_assert_uint_eq(r->messages[3].payload_len, 63); /* below the minimum: raw */
                ck_assert(memcmp(r->messages[3].payload, payloads[3], 63) == 0);
                iggy_result_destroy(r);
            }
        }
    }
    drop_topic(c, &t);
    iggy_client_destroy(c);
    test_server_stop(&srv);
    for (int i = 0; i < N; i++)
        free(payloads[i]);
}
END_TEST

START_TEST(compressed_poll_with_null_options_decompresses)
{
    /* opts NULL must behave like zeroed options, whose default is to decompress. */
    iggy_client_t *c;
    topic_ref_t t;
    static uint8_t payload[1000];
    iggy_send_message_t m;
    iggy_send_opts_t so;
    iggy_polled_messages_t *r = NULL;
    iggy_polling_strategy_t s = at_offset(0);
    uint32_t p = 0;

    memset(payload, 'z', sizeof payload);
    memset(&m, 0, sizeof m);
    memset(&so, 0, sizeof so);
    m.payload = payload;
    m.payload_len = sizeof payload;
    so.compression = IGGY_COMPRESSION_CODEC_ZSTD;
    test_server_start(&srv, NULL);
    c = client();
    make_topic(c, &t, "zipnull", 1);
    OK(iggy_send_messages(c, &t.stream, &t.topic, NULL, &m, 1, &so, NULL));
    OK(iggy_poll_messages(c, &CONSUMER, &t.stream, &t.topic, &p, &s, 1, false, NULL, &r));
    ck_assert_uint_eq(r->count, 1);
    ck_assert_int_eq(r->messages[0].error, IGGY_OK);
    ck_assert_msg(r->messages[0].payload_len == sizeof payload,
                  "poll with opts NULL returned %u compressed bytes instead of %zu",
                  r->messages[0].payload_len, sizeof payload);
    iggy_result_destroy(r);
    drop_topic(c, &t);
    iggy_client_destroy(c);
    test_server_stop(&srv);
}
END_TEST

/* A zstd frame of `blocks` RLE blocks of 128 KiB zeros (8192: 1 GiB of output from ~32 KiB).
 * fcs is the declared content size (4-byte field), or UINT64_MAX for none (window
 * descriptor). */
static uint8_t *zstd_zeros(uint64_t fcs, size_t blocks, size_t *len)
{
    uint8_t *b = malloc(16 + blocks * 4), *p = b;
    *p++ = 0x28;
    *p++ = 0xb5;
    *p++ = 0x2f;
    *p++ = 0xfd;
    if (fcs == UINT64_MAX) {
        *p++ = 0x00; /* no FCS, not single segment */
        *p++ = 0x38; /* window 128 KiB */
    } else if (fcs < 256) {
        *p++ = 0x20; /* single segment, 1-byte FCS */
        *p++ = (uint8_t)fcs;
    } else {
        *p++ = 0xa0; /* single segment, 4-byte FCS */
        for (int i = 0; i < 4; i++)
            *p++ = (uint8_t)(fcs >> (8 * i));
    }
    for (size_t i = 0; i < blocks; i++) {
        uint32_t h = (uint32_t)(i == blocks - 1) | (1u << 1) | (131072u << 3); /* RLE */
        *p++ = (uint8_t)h;
        *p++ = (uint8_t)(h >> 8);
        *p++ = (uint8_t)(h >> 16);
        *p++ = 0; /* the repeated byte */
    }
    *len = (size_t)(p - b);
    return b;
}

static uint8_t *zstd_bomb(uint64_t fcs, size_t *len)
{
    return zstd_zeros(fcs, 8192, len);
}

/* Send raw messages, each with the marker header (codec name) and a payload. */
static void send_marked(iggy_client_t *c, topic_ref_t *t, uint32_t partition,
                        const char *const *codec, const uint8_t *const *payload, const size_t *len,
                        size_t n)
{
    iggy_send_message_t *m = calloc(n, sizeof *m);
    iggy_kv_t *h = calloc(n, sizeof *h);
    iggy_partitioning_t part = {IGGY_PARTITIONING_PARTITION_ID, partition, NULL, 0};
    for (size_t i = 0; i < n; i++) {
        m[i].payload = payload[i];
        m[i].payload_len = (uint32_t)len[i];
        if (codec[i]) {
            h[i].key_kind = IGGY_KV_STRING;
            h[i].value_kind = IGGY_KV_STRING;
            h[i].key = (const uint8_t *)IGGY_COMPRESSION_HEADER_KEY;
            h[i].key_len = (uint32_t)strlen(IGGY_COMPRESSION_HEADER_KEY);
            h[i].value = (const uint8_t *)codec[i];
            h[i].value_len = (uint32_t)strlen(codec[i]);
            m[i].headers = &h[i];
            m[i].headers_count = 1;
        }
    }
    OK(iggy_send_messages(c, &t->stream, &t->topic, &part, m, n, NULL, NULL));
    free(h);
    free(m);
}

START_TEST(decompression_bombs_are_refused_per_message)
{
    /* Bombs: honest 1 GiB declaration, a lie (declares 100 bytes), and no declared size.
     * Each sits between good messages in ONE batch. */
    static const char *const kinds[] = {"declares 1 GiB", "declares 100 B", "declares nothing"};
    uint64_t fcs[] = {1ull << 30, 100, UINT64_MAX};
    uint8_t good_zstd[] = {0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x0c, 0x61, 0x00, 0x00, 'H', 'e',
                           'l',  'l',  'o',  ' ',  'W',  'o',  'r',  'l',  'd',  '!'};

    for (int k = 0; k < 3; k++) {
        for (int limit = 0; limit < 2; limit++) {
            iggy_client_t *c;
            topic_ref_t t;
            size_t bomb_len, lens[4];
            uint8_t *bomb = zstd_bomb(fcs[k], &bomb_len);
            const uint8_t *payloads[4] = {(const uint8_t *)"plain", bomb, good_zstd,
                                          (const uint8_t *)"after"};
            const char *const codecs[4] = {NULL, "zstd", "zstd", "none"};
            iggy_poll_opts_t po;
            iggy_polled_messages_t *r = NULL;
            iggy_polling_strategy_t s = at_offset(0);
            uint32_t p = 0;
            size_t largest;
            iggy_err_t err;

            lens[0] = 5;
            lens[1] = bomb_len;
            lens[2] = sizeof good_zstd;
            lens[3] = 5;
            memset(&po, 0, sizeof po);
            po.max_decompressed_bytes = limit ? 1u << 20 : 0; /* 1 MiB, or the 64 MiB default */
            test_server_start(&srv, NULL);
            c = client();
            make_topic(c, &t, "bomb", 1);
            send_marked(c, &t, 0, codecs, payloads, lens, 4);
            test_alloc_begin();
            err = iggy_poll_messages(c, &CONSUMER, &t.stream, &t.topic, &p, &s, 10, false, &po, &r);
            test_alloc_end();
            largest = test_alloc_peak();
            ck_assert_msg(err == IGGY_OK, "%s: %s", kinds[k], iggy_last_error_detail());
            ck_assert_uint_eq(r->count, 4);
            ck_assert_int_eq(r->messages[0].error, IGGY_OK);
            ck_assert(r->messages[0].payload_len == 5 &&
                      memcmp(r->messages[0].payload, "plain", 5) == 0);
            ck_assert_msg(r->messages[1].error == IGGY_ERR__BAD_COMPRESSION,
                          "%s (limit %d): error %d, payload %u bytes", kinds[k], limit,
                          r->messages[1].error, r->messages[1].payload_len);
            /* The refused message keeps its place and its bytes as received. */
            ck_assert_uint_eq(r->messages[1].offset, 1);
            ck_assert_uint_eq(r->messages[1].payload_len, bomb_len);
            ck_assert(memcmp(r->messages[1].payload, bomb, bomb_len) == 0);
            ck_assert_int_eq(r->messages[2].error, IGGY_OK);
            ck_assert(r->messages[2].payload_len == 12 &&
                      memcmp(r->messages[2].payload, "Hello World!", 12) == 0);
            ck_assert_int_eq(r->messages[3].error, IGGY_OK);
            ck_assert(r->messages[3].payload_len == 5 &&
                      memcmp(r->messages[3].payload, "after", 5) == 0);
            /* Memory stays bounded by the configured limit, never by the bomb. */
            ck_assert_msg(largest <= (limit ? (2u << 20) : (64u << 20) + 4096),
                          "%s (limit %d): largest allocation %zu bytes", kinds[k], limit, largest);
            printf("bomb %s, limit %s: largest allocation %zu bytes\n", kinds[k],
                   limit ? "1 MiB" : "default", largest);
            iggy_result_destroy(r);
            drop_topic(c, &t);
            iggy_client_destroy(c);
            test_server_stop(&srv);
            free(bomb);
        }
    }
}
END_TEST

/* One poll of n zstd frames of `blocks` x 128 KiB zeros each (declaring fcs), between a
 * good first and last message, under reply budget `budget` (0 = default). Returns the
 * largest single allocation the poll made; *decoded counts the frames that inflated. */
static size_t poll_many_frames(uint64_t fcs, size_t blocks, size_t n, size_t budget,
                               size_t *decoded)
{
    iggy_client_t *c;
    topic_ref_t t;
    size_t frame_len, largest, total = n + 2;
    uint8_t *frame = zstd_zeros(fcs, blocks, &frame_len);
    const uint8_t **payloads = calloc(total, sizeof *payloads);
    const char **codecs = calloc(total, sizeof *codecs);
    size_t *lens = calloc(total, sizeof *lens);
    iggy_poll_opts_t po;
    iggy_polled_messages_t *r = NULL;
    iggy_polling_strategy_t s = at_offset(0);
    uint32_t p = 0;

    for (size_t i = 0; i < total; i++) {
        bool edge = i == 0 || i == total - 1;
        payloads[i] = edge ? (const uint8_t *)"edge" : frame;
        lens[i] = edge ? 4 : frame_len;
        codecs[i] = edge ? NULL : "zstd";
    }
    test_server_start(&srv, NULL);
    c = client();
    make_topic(c, &t, "budget", 1);
    send_marked(c, &t, 0, codecs, payloads, lens, total);
    memset(&po, 0, sizeof po);
    po.max_decompressed_reply_bytes = budget;
    test_alloc_begin();
    OK(iggy_poll_messages(c, &CONSUMER, &t.stream, &t.topic, &p, &s, (uint32_t)total, false, &po,
                          &r));
    test_alloc_end();
    largest = test_alloc_peak();
    ck_assert_uint_eq(r->count, total);
    *decoded = 0;
    for (size_t i = 0; i < total; i++) {
        const iggy_message_t *m = &r->messages[i];
        ck_assert_uint_eq(m->offset, i); /* every message keeps its place */
        if (i == 0 || i == total - 1) {
            ck_assert_int_eq(m->error, IGGY_OK);
            ck_assert(m->payload_len == 4 && memcmp(m->payload, "edge", 4) == 0);
        } else if (m->error == IGGY_OK) {
            ck_assert_uint_eq(m->payload_len, blocks * 131072);
            (*decoded)++;
        } else {
            /* Refused: its bytes as received. */
            ck_assert_int_eq(m->error, IGGY_ERR__BAD_COMPRESSION);
            ck_assert_uint_eq(m->payload_len, frame_len);
            ck_assert(memcmp(m->payload, frame, frame_len) == 0);
        }
    }
    iggy_result_destroy(r);
    drop_topic(c, &t);
    iggy_client_destroy(c);
    test_server_stop(&srv);
    free(frame);
    free(payloads);
    free(codecs);
    free(lens);
    return largest;
}

START_TEST(a_reply_cannot_inflate_past_its_budget)
{
    size_t decoded, largest;
    /* 30 honest frames of 8 MiB each (under the 64 MiB per-message limit) in a ~8 KiB reply:
     * 240 MiB in all if nothing bounded the reply. The default budget (4 MiB here) takes
     * none of them; nothing near their total is ever allocated. */
    largest = poll_many_frames(64 * 131072, 64, 30, 0, &decoded);
    ck_assert_uint_eq(decoded, 0);
    ck_assert_msg(largest <= (16u << 20), "largest allocation %zu bytes", largest);
    /* An explicit budget of 20 MiB takes two of them, then refuses the rest. */
    largest = poll_many_frames(64 * 131072, 64, 30, 20u << 20, &decoded);
    ck_assert_uint_eq(decoded, 2);
    ck_assert_msg(largest <= (48u << 20), "largest allocation %zu bytes", largest);
    /* The same frames without a declared size: the same bounds. */
    largest = poll_many_frames(UINT64_MAX, 64, 30, 20u << 20, &decoded);
    ck_assert_uint_eq(decoded, 2);
    ck_assert_msg(largest <= (48u << 20), "largest allocation %zu bytes", largest);
}
END_TEST

START_TEST(declared_sizes_never_size_an_allocation)
{
    size_t decoded, largest;
    /* 40 frames that declare 60 MiB each and really hold 128 KiB: 2.4 GB of result space if
     * declarations were trusted. */
    largest = poll_many_frames(60u << 20, 1, 40, 0, &decoded);
    ck_assert_uint_eq(decoded, 0);
    ck_assert_msg(largest <= (16u << 20), "largest allocation %zu bytes", largest);
}
END_TEST

START_TEST(unsized_frames_inflate_into_what_the_budget_allows)
{
    size_t decoded, largest;
    /* 500 frames without a declared size, 128 KiB each: they are inflated into what the
     * budget allows (never a 64 MiB scratch each), the first ones decode, the rest are
     * refused once the budget is spent. */
    largest = poll_many_frames(UINT64_MAX, 1, 500, 0, &decoded);
    ck_assert_uint_ge(decoded, 1);
    ck_assert_uint_lt(decoded, 500);
    ck_assert_msg(largest <= (16u << 20), "largest allocation %zu bytes", largest);
    /* A budget large enough takes them all. */
    largest = poll_many_frames(UINT64_MAX, 1, 500, 64u << 20, &decoded);
    ck_assert_uint_eq(decoded, 500);
}
END_TEST

/* Polling, into a reused batch, a reply over 1 MiB (a default budget above 16 MiB) of LZ4
 * frames without a declared size (what the Rust example's lz4_flex writes) allocates nothing
 * after warm-up: each frame reserves what its blocks can produce, not the whole budget, so
 * the inflate buffer stays small enough to be kept between polls. */
START_TEST(unsized_frames_poll_without_steady_state_allocations)
{
    enum { N = 1100, PLAIN = 2000, WARMUP = 3, ROUNDS = 10 };
    static uint8_t text[PLAIN];
    const uint8_t **payloads = calloc(N, sizeof *payloads);
    const char **codecs = calloc(N, sizeof *codecs);
    size_t *lens = calloc(N, sizeof *lens), frame_len, per[ROUNDS], reply = 0;
    uint8_t *frame;
    uint64_t seed = 99;
    iggy_client_t *c;
    topic_ref_t t;
    iggy_polled_messages_t *batch = NULL;
    iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
    iggy_poll_opts_t po;
    uint32_t p = 0;
#if IGGY_POOL_ENABLED
    const bool pooled = true;
#else
    const bool pooled = false; /* every pool borrow is a malloc: per-call counts are not 0 */
#endif

    ck_assert(payloads && codecs && lens);
    for (size_t k = 0; k < PLAIN; k++)
        text[k] = (uint8_t)('a' + rnd(&seed) % 16);
    {
        LZ4F_preferences_t lp;
        size_t cap;
        memset(&lp, 0, sizeof lp); /* contentSize 0: the frame declares no size */
        lp.frameInfo.blockSizeID = LZ4F_max64KB;
        cap = LZ4F_compressFrameBound(PLAIN, &lp);
        frame = malloc(cap);
        ck_assert_ptr_nonnull(frame);
        frame_len = LZ4F_compressFrame(frame, cap, text, PLAIN, &lp);
        ck_assert(!LZ4F_isError(frame_len));
        ck_assert_uint_eq(frame[4] & 0x08, 0);
    }
    for (size_t i = 0; i < N; i++) {
        payloads[i] = frame;
        lens[i] = frame_len;
        codecs[i] = "lz4";
        reply += 48 + frame_len;
    }
    ck_assert_uint_gt(reply, 1u << 20);
    memset(&po, 0, sizeof po);
    test_server_start(&srv, NULL);
    c = client();
    make_topic(c, &t, "unsized", 1);
    send_marked(c, &t, 0, codecs, payloads, lens, N);
    for (int i = 0; i < WARMUP; i++) {
        OK(iggy_poll_messages_into(c, &CONSUMER, &t.stream, &t.topic, &p, &first, N, false, &po,
                                   &batch));
        ck_assert_uint_eq(batch->count, N);
        for (size_t m = 0; m < N; m++)
            ck_assert(batch->messages[m].error == IGGY_OK &&
                      batch->messages[m].payload_len == PLAIN &&
                      memcmp(batch->messages[m].payload, text, PLAIN) == 0);
    }
    for (int i = 0; i < ROUNDS; i++) {
        iggy_err_t err;
        test_alloc_begin();
        err = iggy_poll_messages_into(c, &CONSUMER, &t.stream, &t.topic, &p, &first, N, false, &po,
                                      &batch);
        per[i] = test_alloc_end();
        OK(err);
        ck_assert_uint_eq(batch->count, N);
    }
    for (int i = 0; i < ROUNDS; i++) {
        if (pooled)
            ck_assert_msg(per[i] == 0, "unsized poll_into: %zu allocations in call %d", per[i], i);
        else
            ck_assert_msg(per[i] == per[0], "unsized poll_into: %zu then %zu", per[0], per[i]);
    }
    iggy_result_destroy(batch);
    drop_topic(c, &t);
    iggy_client_destroy(c);
    test_server_stop(&srv);
    free(frame);
    free(payloads);
    free(codecs);
    free(lens);
}
END_TEST

START_TEST(other_implementations_frames_decode_through_poll)
{
    FILE *f = fopen(test_data_path("compression_vectors.txt"), "r");
    char *line = NULL;
    size_t cap = 0, rows = 0, unsized = 0;
    iggy_client_t *c;
    topic_ref_t t;
    uint64_t offset = 0;
    uint32_t p = 0;

    ck_assert_msg(f != NULL, "cannot open %s", test_data_path("compression_vectors.txt"));
    test_server_start(&srv, NULL);
    c = client();
    make_topic(c, &t, "vectors", 1);
    while (getline(&line, &cap, f) > 0) {
        char *codec, *kind, *plain, *packed;
        size_t pn, zn;
        uint8_t *pt, *z;
        const char *codecs[1];
        const uint8_t *payloads[1];
        iggy_polled_messages_t *r = NULL;
        iggy_polling_strategy_t s = at_offset(offset);
        iggy_poll_opts_t po;
        if (!test_compression_row(line, &codec, &kind, &plain, &packed))
            continue;
        pt = test_unhex(plain, &pn);
        z = test_unhex(packed, &zn);
        codecs[0] = codec;
        payloads[0] = z;
        send_marked(c, &t, 0, codecs, payloads, &zn, 1);
        memset(&po, 0, sizeof po);
        OK(iggy_poll_messages(c, &CONSUMER, &t.stream, &t.topic, &p, &s, 1, false, &po, &r));
        ck_assert_uint_eq(r->count, 1);
        ck_assert_msg(r->messages[0].error == IGGY_OK, "%s %s (%zu bytes of plaintext): error %d",
                      codec, kind, pn, r->messages[0].error);
        ck_assert_uint_eq(r->messages[0].payload_len, pn);
        ck_assert(pn == 0 || memcmp(r->messages[0].payload, pt, pn) == 0);
        /* Under a limit below the plaintext, a frame is refused per message. */
        if (pn > 16) {
            iggy_result_destroy(r);
            r = NULL;
            po.max_decompressed_bytes = pn - 1;
            OK(iggy_poll_messages(c, &CONSUMER, &t.stream, &t.topic, &p, &s, 1, false, &po, &r));
            ck_assert_msg(r->messages[0].error == IGGY_ERR__BAD_COMPRESSION,
                          "%s %s over the limit: error %d", codec, kind, r->messages[0].error);
            ck_assert_uint_eq(r->messages[0].payload_len, zn);
        }
        iggy_result_destroy(r);
        unsized += strcmp(kind, "unsized") == 0;
        rows++;
        offset++;
        free(pt);
        free(z);
    }
    free(line);
    fclose(f);
    ck_assert_uint_ge(rows, 40);
    ck_assert_uint_ge(unsized, 10);
    drop_topic(c, &t);
    iggy_client_destroy(c);
    test_server_stop(&srv);
}
END_TEST

/* ================================================================ 6. encryption */

START_TEST(encryption_round_trip_and_failures_keep_their_place)
{
    uint8_t key[32], wrong[32];
    iggy_client_t *c;
    topic_ref_t t;
    iggy_kv_t hdrs[2] = {
        {IGGY_KV_STRING, IGGY_KV_STRING, 5, 6, (const uint8_t *)"trace", (const uint8_t *)"abc123"},
        {IGGY_KV_STRING, IGGY_KV_FLOAT64, 5, 8, (const uint8_t *)"score",
         (const uint8_t *)"\0\0\0\0\0\0\xf0\x3f"}};
    iggy_send_message_t m;
    iggy_send_opts_t so;
    iggy_poll_opts_t po;
    iggy_polled_messages_t *r = NULL;
    iggy_polling_strategy_t next = {IGGY_POLL_NEXT, 0};
    const char *secret = "the secret payload of a sealed message";
    uint32_t p = 0;
    static const uint8_t plain40[40] = "an unencrypted message of forty bytes...";

    for (int i = 0; i < 32; i++) {
        key[i] = (uint8_t)(0xa0 + i);
        wrong[i] = (uint8_t)(0x10 + i);
    }
    test_server_start(&srv, NULL);
    c = client();
    make_topic(c, &t, "crypt", 1);
    memset(&m, 0, sizeof m);
    memset(&so, 0, sizeof so);
    memset(&po, 0, sizeof po);
    m.payload = secret;
    m.payload_len = (uint32_t)strlen(secret);
    m.headers = hdrs;
    m.headers_count = 2;
    /* offset 0: sealed with the key; 1: sealed with another key; 2: plain (40 bytes);
     * 3: plain, shorter than a sealed payload; 4: sealed with the key, no headers. */
    so.encryption_key = key;
    OK(iggy_send_messages(c, &t.stream, &t.topic, NULL, &m, 1, &so, NULL));
    so.encryption_key = wrong;
    OK(iggy_send_messages(c, &t.stream, &t.topic, NULL, &m, 1, &so, NULL));
    {
        iggy_send_message_t plain[2];
        memset(plain, 0, sizeof plain);
        plain[0].payload = plain40;
        plain[0].payload_len = sizeof plain40;
        plain[1].payload = "short";
        plain[1].payload_len = 5;
        OK(iggy_send_messages(c, &t.stream, &t.topic, NULL, plain, 2, NULL, NULL));
    }
    so.encryption_key = key;
    m.headers = NULL;
    m.headers_count = 0;
    OK(iggy_send_messages(c, &t.stream, &t.topic, NULL, &m, 1, &so, NULL));

    /* Without the key: the bytes on the wire are sealed (payload and headers). */
    {
        iggy_polling_strategy_t s = at_offset(0);
        OK(iggy_poll_messages(c, &CONSUMER, &t.stream, &t.topic, &p, &s, 1, false, &po, &r));
        ck_assert_uint_eq(r->messages[0].payload_len, strlen(secret) + 28);
        ck_assert(!has_bytes(r->messages[0].payload, r->messages[0].payload_len, "secret"));
        ck_assert_uint_eq(r->messages[0].headers.count, 0);
        ck_assert_uint_gt(r->messages[0].raw_headers_len, 28);
        ck_assert(!has_bytes(r->messages[0].raw_headers, r->messages[0].raw_headers_len, "trace"));
        iggy_result_destroy(r);
        r = NULL;
    }
    /* With the key, Next + auto-commit: every message keeps its offset; failures carry 72. */
    po.encryption_key = key;
    OK(iggy_poll_messages(c, &CONSUMER, &t.stream, &t.topic, &p, &next, 100, true, &po, &r));
    ck_assert_uint_eq(r->count, 5);
    for (size_t i = 0; i < 5; i++)
        ck_assert_uint_eq(r->messages[i].offset, i);
    ck_assert_int_eq(r->messages[0].error, IGGY_OK);
    ck_assert(r->messages[0].payload_len == strlen(secret) &&
              memcmp(r->messages[0].payload, secret, strlen(secret)) == 0);
    ck_assert_uint_eq(r->messages[0].headers.count, 2);
    ck_assert(header_is(&r->messages[0], "trace", "abc123"));
    {
        const iggy_kv_t *h = find_header(&r->messages[0], "score");
        ck_assert_ptr_nonnull(h);
        ck_assert_uint_eq(h->value_kind, IGGY_KV_FLOAT64);
        ck_assert(memcmp(h->value, hdrs[1].value, 8) == 0);
    }
    ck_assert_int_eq(r->messages[1].error, IGGY_ERR_CANNOT_DECRYPT_DATA);
    ck_assert_int_eq(r->messages[2].error, IGGY_ERR_CANNOT_DECRYPT_DATA);
    ck_assert_int_eq(r->messages[3].error, IGGY_ERR_CANNOT_DECRYPT_DATA);
    /* Failed messages carry the bytes as received. */
    ck_assert(r->messages[2].payload_len == sizeof plain40 &&
              memcmp(r->messages[2].payload, plain40, sizeof plain40) == 0);
    ck_assert(r->messages[3].payload_len == 5 && memcmp(r->messages[3].payload, "short", 5) == 0);
    ck_assert_uint_eq(r->messages[1].payload_len, strlen(secret) + 28);
    ck_assert_int_eq(r->messages[4].error, IGGY_OK);
    ck_assert(r->messages[4].payload_len == strlen(secret) &&
              memcmp(r->messages[4].payload, secret, strlen(secret)) == 0);
    ck_assert_uint_eq(r->messages[4].headers.count, 0);
    iggy_result_destroy(r);
    r = NULL;
    /* The consumer kept its place: the next Next poll continues after offset 4. */
    OK(iggy_poll_messages(c, &CONSUMER, &t.stream, &t.topic, &p, &next, 100, true, &po, &r));
    ck_assert_uint_eq(r->count, 0);
    iggy_result_destroy(r);
    r = NULL;
    so.encryption_key = key;
    OK(iggy_send_messages(c, &t.stream, &t.topic, NULL, &m, 1, &so, NULL));
    OK(iggy_poll_messages(c, &CONSUMER, &t.stream, &t.topic, &p, &next, 100, true, &po, &r));
    ck_assert_uint_eq(r->count, 1);
    ck_assert_uint_eq(r->messages[0].offset, 5);
    ck_assert_int_eq(r->messages[0].error, IGGY_OK);
    iggy_result_destroy(r);
    drop_topic(c, &t);
    iggy_client_destroy(c);
    test_server_stop(&srv);
}
END_TEST

START_TEST(rust_sdk_sealed_messages_decrypt_through_poll)
{
    FILE *f = fopen(test_data_path("aes256gcm_vectors.txt"), "r");
    char *line = NULL;
    size_t cap = 0, rows = 0;
    iggy_client_t *c;
    topic_ref_t t;
    uint32_t p = 0;

    ck_assert_msg(f != NULL, "cannot open %s", test_data_path("aes256gcm_vectors.txt"));
    test_server_start(&srv, NULL);
    c = client();
    make_topic(c, &t, "rustseal", 1);
    while (getline(&line, &cap, f) > 0) {
        char *khex, *phex, *shex, *save = NULL;
        size_t kn, pn, sn;
        uint8_t *key, *pt, *sealed;
        iggy_send_message_t m;
        iggy_poll_opts_t po;
        iggy_polled_messages_t *r = NULL;
        iggy_polling_strategy_t s = at_offset(rows);
        if (line[0] == '#' || line[0] == '\n')
            continue;
        khex = strtok_r(line, " \n", &save);
        phex = strtok_r(NULL, " \n", &save);
        shex = strtok_r(NULL, " \n", &save);
        ck_assert(khex && phex && shex);
        key = test_unhex(khex, &kn);
        pt = test_unhex(phex, &pn);
        sealed = test_unhex(shex, &sn);
        ck_assert_uint_eq(kn, 32);
        memset(&m, 0, sizeof m);
        m.payload = sealed;
        m.payload_len = (uint32_t)sn;
        OK(iggy_send_messages(c, &t.stream, &t.topic, NULL, &m, 1, NULL, NULL)); /* raw */
        memset(&po, 0, sizeof po);
        po.encryption_key = key;
        OK(iggy_poll_messages(c, &CONSUMER, &t.stream, &t.topic, &p, &s, 1, false, &po, &r));
        ck_assert_uint_eq(r->count, 1);
        ck_assert_msg(r->messages[0].error == IGGY_OK, "vector %zu: error %d", rows,
                      r->messages[0].error);
        ck_assert_uint_eq(r->messages[0].payload_len, pn);
        ck_assert(pn == 0 || memcmp(r->messages[0].payload, pt, pn) == 0);
        ck_assert_uint_eq(r->messages[0].headers.count, 0);
        iggy_result_destroy(r);
        free(key);
        free(pt);
        free(sealed);
        rows++;
    }
    free(line);
    fclose(f);
    ck_assert_uint_ge(rows, 5);
    drop_topic(c, &t);
    iggy_client_destroy(c);
    test_server_stop(&srv);
}
END_TEST

/* ================================================================ 7. consumer groups */

/* Poll every member in turn until `expect` new messages were seen in total; each payload is
 * a decimal index into seen[]. */
static void drain_group(iggy_client_t **members, int nmembers, const topic_ref_t *t,
                        const char *group, uint8_t *seen, size_t expect)
{
    iggy_consumer_ref_t gc = {IGGY_CONSUMER_GROUP, {group, 0}};
    iggy_polling_strategy_t next = {IGGY_POLL_NEXT, 0};
    size_t got = 0;
    int idle = 0;
    while (got < expect && idle < 200) {
        size_t before = got;
        for (int i = 0; i < nmembers; i++) {
            iggy_polled_messages_t *r = NULL;
            OK(iggy_poll_messages(members[i], &gc, &t->stream, &t->topic, NULL, &next, 7, true,
                                  NULL, &r));
            /* The re-sync sentinel never reaches the caller. */
            ck_assert_uint_ne(r->partition_id, IGGY_PARTITION_RESYNC);
            for (size_t k = 0; k < r->count; k++) {
                long idx = strtol((const char *)r->messages[k].payload, NULL, 10);
                ck_assert_msg(seen[idx] == 0, "message %ld seen twice", idx);
                seen[idx] = (uint8_t)(i + 1);
                got++;
            }
            iggy_result_destroy(r);
        }
        idle = got == before ? idle + 1 : 0;
    }
    ck_assert_uint_eq(got, expect);
}

static void send_indexed(iggy_client_t *c, const topic_ref_t *t, size_t from, size_t to,
                         uint32_t partitions)
{
    for (size_t i = from; i < to; i++) {
        char text[24];
        iggy_send_message_t m;
        iggy_partitioning_t part = {IGGY_PARTITIONING_PARTITION_ID, (uint32_t)(i % partitions),
                                    NULL, 0};
        snprintf(text, sizeof text, "%zu", i);
        memset(&m, 0, sizeof m);
        m.payload = text;
        m.payload_len = (uint32_t)strlen(text);
        OK(iggy_send_messages(c, &t->stream, &t->topic, &part, &m, 1, NULL, NULL));
    }
}

START_TEST(consumer_group_members_share_partitions_exactly_once)
{
    enum { P = 6, FIRST = 300, SECOND = 300 };
    iggy_client_t *members[3];
    topic_ref_t t;
    uint8_t *seen = calloc(FIRST + SECOND, 1);
    const char *group = "workers";
    uint64_t syncs_before = 0;
    int by_member[3] = {0, 0, 0};

    test_server_start(&srv, NULL);
    for (int i = 0; i < 3; i++)
        members[i] = client();
    make_topic(members[0], &t, "group", P);
    OK(iggy_create_consumer_group(members[0], &t.stream, &t.topic, group, NULL));
    {
        iggy_identifier_t g = iggy_id_name(group);
        OK(iggy_join_consumer_group(members[0], &t.stream, &t.topic, &g));
        OK(iggy_join_consumer_group(members[1], &t.stream, &t.topic, &g));
    }
    send_indexed(members[0], &t, 0, FIRST, P);
    drain_group(members, 2, &t, group, seen, FIRST);
    for (size_t i = 0; i < FIRST; i++) {
        ck_assert_msg(seen[i] != 0, "message %zu never seen", i);
        by_member[seen[i] - 1]++;
    }
    ck_assert_int_gt(by_member[0], 0); /* both members got a share */
    ck_assert_int_gt(by_member[1], 0);

    /* A third member joins: the others' assignments go stale; their next polls of a
     * partition they lost hit the re-sync sentinel, which the library handles. */
    if (srv.mock)
        syncs_before = iggy_mock_request_count(srv.mock, 606);
    {
        iggy_identifier_t g = iggy_id_name(group);
        OK(iggy_join_consumer_group(members[2], &t.stream, &t.topic, &g));
    }
    send_indexed(members[2], &t, FIRST, FIRST + SECOND, P);
    drain_group(members, 3, &t, group, seen, SECOND);
    memset(by_member, 0, sizeof by_member);
    for (size_t i = FIRST; i < FIRST + SECOND; i++) {
        ck_assert_msg(seen[i] != 0, "message %zu never seen", i);
        by_member[seen[i] - 1]++;
    }
    for (int m = 0; m < 3; m++)
        ck_assert_msg(by_member[m] > 0, "member %d got nothing after the rebalance", m);
    if (srv.mock) /* the two original members re-synced (plus the newcomer's first sync) */
        ck_assert_uint_ge(iggy_mock_request_count(srv.mock, 606) - syncs_before, 3);
    /* Nothing left, nothing delivered twice. */
    {
        iggy_consumer_ref_t gc = {IGGY_CONSUMER_GROUP, {group, 0}};
        iggy_polling_strategy_t next = {IGGY_POLL_NEXT, 0};
        for (int round = 0; round < 4; round++)
            for (int i = 0; i < 3; i++) {
                iggy_polled_messages_t *r = NULL;
                OK(iggy_poll_messages(members[i], &gc, &t.stream, &t.topic, NULL, &next, 7, true,
                                      NULL, &r));
                ck_assert_uint_eq(r->count, 0);
                iggy_result_destroy(r);
            }
    }
    drop_topic(members[0], &t);
    for (int i = 0; i < 3; i++)
        iggy_client_destroy(members[i]);
    test_server_stop(&srv);
    free(seen);
}
END_TEST

START_TEST(a_member_without_partitions_gets_an_empty_poll)
{
    /* One partition, two members: the one left without a partition gets an empty batch (as
     * the Rust SDK returns), not an error; a client that never joined gets 5006. */
    iggy_client_t *a, *b, *outsider;
    iggy_consumer_ref_t gc = {IGGY_CONSUMER_GROUP, {"pair", 0}};
    iggy_polling_strategy_t next = {IGGY_POLL_NEXT, 0};
    iggy_identifier_t g = iggy_id_name("pair");
    iggy_polled_messages_t *ra = NULL, *rb = NULL, *ro = NULL;
    topic_ref_t t;

    test_server_start(&srv, NULL);
    a = client();
    b = client();
    outsider = client();
    make_topic(a, &t, "lonely", 1);
    OK(iggy_create_consumer_group(a, &t.stream, &t.topic, "pair", NULL));
    OK(iggy_join_consumer_group(a, &t.stream, &t.topic, &g));
    OK(iggy_join_consumer_group(b, &t.stream, &t.topic, &g));
    send_indexed(a, &t, 0, 10, 1);
    OK(iggy_poll_messages(a, &gc, &t.stream, &t.topic, NULL, &next, 100, true, NULL, &ra));
    OK(iggy_poll_messages(b, &gc, &t.stream, &t.topic, NULL, &next, 100, true, NULL, &rb));
    /* Exactly one of them holds partition 0 and read the ten messages. */
    ck_assert_uint_eq(ra->count + rb->count, 10);
    {
        const iggy_polled_messages_t *idle = ra->count ? rb : ra;
        ck_assert_uint_eq(idle->count, 0);
        ck_assert_uint_eq(idle->partition_id, IGGY_PARTITION_UNASSIGNED);
    }
    ck_assert_int_eq(
        iggy_poll_messages(outsider, &gc, &t.stream, &t.topic, NULL, &next, 100, true, NULL, &ro),
        IGGY_ERR_CONSUMER_GROUP_MEMBER_NOT_FOUND);
    iggy_result_destroy(ra);
    iggy_result_destroy(rb);
    drop_topic(a, &t);
    iggy_client_destroy(a);
    iggy_client_destroy(b);
    iggy_client_destroy(outsider);
    test_server_stop(&srv);
}
END_TEST

/* ---------------------------------------------------------------- suite */

int main(void)
{
    Suite *s = suite_create("messages");
    TCase *tc = tcase_create("messages");
    /* Before anything is created: memory from one allocator is never freed by another. */
    if (iggy_set_allocator(&test_counting_allocator) != 0)
        return EXIT_FAILURE;
    tcase_set_timeout(tc, 280);
    tcase_add_test(tc, hundred_thousand_messages_round_trip);
    tcase_add_test(tc, key_to_partition_mapping);
    tcase_add_test(tc, steady_state_allocations);
    tcase_add_test(tc, empty_poll_into_a_reused_batch_has_no_ghosts);
    tcase_add_test(tc, compression_round_trips);
    tcase_add_test(tc, compressed_poll_with_null_options_decompresses);
    tcase_add_test(tc, decompression_bombs_are_refused_per_message);
    tcase_add_test(tc, other_implementations_frames_decode_through_poll);
    tcase_add_test(tc, a_reply_cannot_inflate_past_its_budget);
    tcase_add_test(tc, declared_sizes_never_size_an_allocation);
    tcase_add_test(tc, unsized_frames_inflate_into_what_the_budget_allows);
    tcase_add_test(tc, unsized_frames_poll_without_steady_state_allocations);
    tcase_add_test(tc, encryption_round_trip_and_failures_keep_their_place);
    tcase_add_test(tc, rust_sdk_sealed_messages_decrypt_through_poll);
    tcase_add_test(tc, consumer_group_members_share_partitions_exactly_once);
    tcase_add_test(tc, a_member_without_partitions_gets_an_empty_poll);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
