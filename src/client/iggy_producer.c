/* The high-level producer (include/iggy/producer.h). Each partition has a queue of chunks; a
 * chunk is one future batch (at most producer.batch.length messages and batch.bytes bytes),
 * holding copies of its messages. Shard workers send the head chunk of their partitions, one
 * at a time, resend it after retriable failures, and report every message. Chunks are recycled,
 * so a steady flow allocates nothing per message. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include <iggy/commands.h>
#include <iggy/producer.h>

#include "client/iggy_client_internal.h"
#include "client/iggy_messages_internal.h"
#include "codec/iggy_batch.h"
#include "codec/iggy_message_transform.h"
#include "codec/iggy_primitives.h"
#include "codec/iggy_resp.h"
#include "iggy_alloc.h"
#include "iggy_conf_internal.h"
#include "iggy_error_internal.h"

#define MODE_DIRECT 0
#define BACKPRESSURE_BLOCK 0
#define BACKPRESSURE_BLOCK_TIMEOUT 1
#define KV_RECORD_HEAD 10u /* key kind u8, key length u32, value kind u8, value length u32 */
#define LATENCY_BUCKETS 512
#define CHUNK_BYTES_MIN 16384u /* a new chunk's first byte buffer */

/* One queued message; its bytes are a frame in its chunk. */
typedef struct record {
    void *opaque;
    int64_t enqueued_us;
} record_t;

/* A future batch: its messages laid out as the wire's frames at enqueue (codec/iggy_batch.h),
 * so a send is the prefix, the 256-byte batch header and these bytes without another copy. */
typedef struct chunk {
    struct chunk *next;
    uint32_t partition;
    record_t *recs;
    size_t n, cap;
    uint8_t *bytes; /* n frames */
    size_t len, bytes_cap;
    int64_t first_us;       /* when its first message was queued: the linger clock */
    bool ids_minted;        /* ids {0,0} minted in the frames: every resend carries the same ids */
    iggy_batch_plan_t plan; /* kept as messages arrive: the seal needs no extra walk */
    bool sealed;            /* checksums and deltas written, header below valid */
    uint8_t header[IGGY_BATCH_HEADER_SIZE];
} chunk_t;

typedef struct part_queue {
    chunk_t *head, *tail;
} part_queue_t;

typedef struct shard {
    struct iggy_producer_s *p;
    size_t index;
    pthread_t thread;
    bool started;
    iggy_conn_reservation_t conn;
    pthread_cond_t wake; /* new messages, a flush, destroy */
    /* Worker-owned scratch, reused for every batch. */
    iggy_send_message_t *msgs;
    size_t msgs_cap;
    iggy_kv_t *kvs;
    size_t kvs_cap;
    iggy_raw_block_t *blocks; /* each message's user-headers block */
    size_t blocks_cap;
    iggy_send_confirmations_t *confirmations;
    iggy_delivery_report_t *reports; /* a batch's reports for the callback (producer_new) */
} shard_t;

struct iggy_producer_s {
    iggy_client_t *client;
    /* Settings, read once from the conf. */
    bool direct;
    size_t batch_length, batch_bytes;
    int64_t linger_us;
    uint64_t max_messages, max_bytes;
    int64_t backpressure, backpressure_timeout_ms;
    uint32_t retries;
    int64_t backoff_ms, backoff_max_ms, shutdown_timeout_ms;
    iggy_delivery_report_cb_t *cb;
    void *cb_opaque;
    bool errors_only; /* producer.delivery.reports=errors: no report for a delivered message */
    char stream_name[256], topic_name[256];
    iggy_identifier_t stream, topic;
    iggy_send_opts_t opts;
    bool has_opts;
    bool transforms; /* compression or encryption: batches go through the messages API */
    uint8_t key[32];

    pthread_mutex_t lock;    /* everything below */
    pthread_cond_t space;    /* the buffer has room again */
    pthread_cond_t progress; /* messages were reported (flush, destroy) */
    pthread_cond_t reports_ready;
    part_queue_t *parts;
    size_t nparts;
    chunk_t *free_chunks;
    shard_t *shards;
    size_t nshards;
    uint64_t queued_messages, queued_bytes, enqueued, reported;
    uint32_t flushing; /* callers in flush: linger is skipped meanwhile */
    bool stopping;     /* destroy: drain, then stop */
    bool abandon;      /* destroy's deadline passed: stop after the batch in flight */
    uint64_t batches_sent, resends, delivered, failed;
    uint64_t latency[LATENCY_BUCKETS];
    iggy_delivery_report_t *ring; /* reports for iggy_producer_poll_reports() */
    size_t ring_head, ring_len, ring_cap;
};

static int64_t now_us(void)
{
    return iggy_mono_us();
}

/* Wait on cond (p->lock held) until the monotonic time until_us (0: no limit). */
static void wait_until(iggy_producer_t *p, pthread_cond_t *cond, int64_t until_us)
{
    if (!until_us) {
        pthread_cond_wait(cond, &p->lock);
    } else {
        struct timespec ts = iggy_mono_timespec_us(until_us);
        pthread_cond_timedwait(cond, &p->lock, &ts);
    }
}

/* ---------------------------------------------------------------- latency */

/* Log-linear buckets: 16 per power of two, so a percentile is within ~6%. */
static size_t latency_bucket(uint64_t us)
{
    unsigned log;
    if (us < 16)
        return (size_t)us;
    log = (unsigned)(63 - __builtin_clzll(us)) - 4; /* the shift that leaves 16..31 */
    return ((size_t)log + 1) * 16 + (size_t)((us >> log) - 16);
}

static uint64_t bucket_upper_us(size_t b)
{
    if (b < 16)
        return b;
    return ((uint64_t)(b % 16 + 16) << (b / 16 - 1)) + ((1ull << (b / 16 - 1)) - 1);
}

static uint64_t latency_percentile(const iggy_producer_t *p, double q)
{
    uint64_t total = 0, seen = 0, want;
    for (size_t i = 0; i < LATENCY_BUCKETS; i++)
        total += p->latency[i];
    if (!total)
        return 0;
    want = (uint64_t)((double)total * q);
    if (want >= total)
        want = total - 1;
    for (size_t i = 0; i < LATENCY_BUCKETS; i++) {
        seen += p->latency[i];
        if (seen > want)
            return bucket_upper_us(i);
    }
    return 0;
}

/* ---------------------------------------------------------------- reports */

/* Room in the report ring for n more (p->lock held); false when it cannot grow. */
static bool ring_reserve(iggy_producer_t *p, size_t n)
{
    size_t cap = p->ring_cap ? p->ring_cap : 1024, first;
    iggy_delivery_report_t *grown;
    if (p->ring_len + n <= p->ring_cap)
        return true;
    while (cap < p->ring_len + n)
        cap *= 2;
    grown = iggy_mem_alloc(cap * sizeof *grown);
    if (!grown)
        return false;
    first = p->ring_cap - p->ring_head < p->ring_len ? p->ring_cap - p->ring_head : p->ring_len;
    if (p->ring_len) {
        memcpy(grown, p->ring + p->ring_head, first * sizeof *grown);
        memcpy(grown + first, p->ring, (p->ring_len - first) * sizeof *grown);
    }
    iggy_mem_free(p->ring);
    p->ring = grown;
    p->ring_cap = cap;
    p->ring_head = 0;
    return true;
}

/* The ring slot for the next report (room reserved, p->lock held). */
static iggy_delivery_report_t *ring_push(iggy_producer_t *p)
{
    size_t at = p->ring_head + p->ring_len++;
    return &p->ring[at < p->ring_cap ? at : at - p->ring_cap];
}

static void log_dropped(iggy_producer_t *p, size_t dropped)
{
    iggy_log(p->client, IGGY_LOG_ERR, "producer", "no memory to queue %zu delivery report(s)",
             dropped);
}

/* Hand reports to the callback, or queue them for polling. Called without p->lock. */
static void deliver(iggy_producer_t *p, const iggy_delivery_report_t *r, size_t n)
{
    size_t kept = 0, wanted = n;
    if (p->errors_only) {
        wanted = 0;
        for (size_t i = 0; i < n; i++)
            wanted += r[i].err != IGGY_OK;
        if (!wanted)
            return;
    }
    if (p->cb) {
        for (size_t i = 0; i < n; i++)
            if (!p->errors_only || r[i].err != IGGY_OK)
                p->cb(&r[i], p->cb_opaque);
        return;
    }
    pthread_mutex_lock(&p->lock);
    (void)ring_reserve(p, wanted);
    for (size_t i = 0; i < n && p->ring_len < p->ring_cap; i++)
        if (!p->errors_only || r[i].err != IGGY_OK) {
            *ring_push(p) = r[i];
            kept++;
        }
    pthread_cond_broadcast(&p->reports_ready);
    pthread_mutex_unlock(&p->lock);
    if (kept < wanted)
        log_dropped(p, wanted - kept);
}

/* Count n reported messages (p->lock held): frees buffer room. */
static void count_reported(iggy_producer_t *p, size_t n, uint64_t bytes)
{
    p->queued_messages -= n;
    p->queued_bytes -= bytes;
    p->reported += n;
}

/* Wake senders waiting for room and flushers (after count_reported; best after unlocking, so
 * a woken thread does not block at once on p->lock). */
static void wake_reported(iggy_producer_t *p)
{
    pthread_cond_broadcast(&p->space);
    pthread_cond_broadcast(&p->progress);
}

/* Microseconds from since to now (monotonic), 0 if now reads earlier. */
static uint64_t elapsed_us(int64_t now, int64_t since)
{
    return now > since ? (uint64_t)(now - since) : 0;
}

/* The report of message i of chunk c, whose SendMessages ended with err at now. */
static iggy_delivery_report_t chunk_report(const chunk_t *c, size_t i, iggy_err_t err,
                                           uint32_t attempts, uint64_t base, int64_t now)
{
    return (iggy_delivery_report_t){c->recs[i].opaque, err,
                                    c->partition,      base + i,
                                    attempts,          elapsed_us(now, c->recs[i].enqueued_us)};
}

static void latency_add(iggy_producer_t *p, uint64_t us, uint64_t count)
{
    size_t b = latency_bucket(us);
    p->latency[b < LATENCY_BUCKETS ? b : LATENCY_BUCKETS - 1] += count;
}

/* Count reports r[0..n) (p->lock held). */
static void account_reported(iggy_producer_t *p, const iggy_delivery_report_t *r, size_t n,
                             uint64_t bytes)
{
    for (size_t i = 0; i < n; i++) {
        if (r[i].err == IGGY_OK) {
            p->delivered++;
            latency_add(p, r[i].latency_us, 1);
        } else {
            p->failed++;
        }
    }
    count_reported(p, n, bytes);
    wake_reported(p);
}

/* ---------------------------------------------------------------- sending one batch */

static size_t kv_bytes(const iggy_kv_t *h, size_t n)
{
    size_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += KV_RECORD_HEAD + h[i].key_len + h[i].value_len;
    return sum;
}

static size_t message_bytes(const iggy_send_message_t *m)
{
    return m->payload_len + kv_bytes(m->headers, m->headers_count);
}

static bool grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    void *grown;
    size_t ncap = *cap ? *cap : 64;
    if (need <= *cap)
        return true;
    while (ncap < need)
        ncap *= 2;
    grown = iggy_mem_realloc(*arr, ncap * elem);
    if (!grown)
        return false;
    *arr = grown;
    *cap = ncap;
    return true;
}

/* Ids {0,0} minted once in the chunk's frames, before its first send. */
static iggy_err_t mint_ids(iggy_producer_t *p, chunk_t *c)
{
    bool v7 = p->has_opts && p->opts.message_ids == IGGY_MESSAGE_ID_UUID_V7;
    if (c->ids_minted)
        return IGGY_OK;
    IGGY_TRY(iggy_batch_frames_mint_ids(c->bytes, c->len, v7, iggy_now_us()));
    c->ids_minted = true;
    return IGGY_OK;
}

/* Entries in a TLV user-headers block (well-formed: the producer wrote it). */
static size_t kv_count(const iggy_raw_block_t *b)
{
    size_t n = 0;
    for (uint32_t off = 0; off < b->len; n++) {
        uint32_t kl, vl;
        memcpy(&kl, b->data + off + 1, 4);
        memcpy(&vl, b->data + off + 5 + kl, 4);
        off += KV_RECORD_HEAD + kl + vl;
    }
    return n;
}

/* The messages of chunk c as the messages API takes them, pointing into its frames (for the
 * payload transforms: compression, encryption). */
static iggy_err_t view_chunk(shard_t *s, chunk_t *c)
{
    size_t nkv = 0, off = 0;
    IGGY_TRY(mint_ids(s->p, c));
    if (!grow((void **)&s->msgs, &s->msgs_cap, c->n, sizeof *s->msgs) ||
        !grow((void **)&s->blocks, &s->blocks_cap, c->n, sizeof *s->blocks))
        return iggy_fail(IGGY_ERR__NO_MEMORY, "producer: no memory for a batch view");
    for (size_t i = 0; i < c->n; i++) {
        off += iggy_batch_frame_view(c->bytes + off, &s->msgs[i], &s->blocks[i]);
        nkv += kv_count(&s->blocks[i]);
    }
    if (!grow((void **)&s->kvs, &s->kvs_cap, nkv ? nkv : 1, sizeof *s->kvs))
        return iggy_fail(IGGY_ERR__NO_MEMORY, "producer: no memory for a batch view");
    nkv = 0;
    for (size_t i = 0; i < c->n; i++) {
        iggy_send_message_t *m = &s->msgs[i];
        const uint8_t *h = s->blocks[i].data, *end = h + s->blocks[i].len;
        m->headers = h < end ? &s->kvs[nkv] : NULL;
        m->headers_count = 0;
        while (h < end) {
            iggy_kv_t *kv = &s->kvs[nkv++];
            kv->key_kind = h[0];
            memcpy(&kv->key_len, h + 1, 4);
            kv->key = h + 5;
            kv->value_kind = h[5 + kv->key_len];
            memcpy(&kv->value_len, h + 6 + kv->key_len, 4);
            kv->value = h + 10 + kv->key_len;
            h = kv->value + kv->value_len;
            m->headers_count++;
        }
    }
    return IGGY_OK;
}

/* Whether a failed batch may go again: a transient outcome or a lost connection or session (an
 * eviction ends the session; the next attempt logs in again). */
static bool resendable(iggy_err_t err)
{
    return iggy_err_is_retriable(err) || err == IGGY_ERR_UNAUTHENTICATED;
}

/* Pause ms before a resend: a shard until the pause is over (its wake-ups for new messages do
 * not cut it short) or destroy gives up on the queue (false); direct mode (s NULL) sleeps. */
static bool backoff(iggy_producer_t *p, shard_t *s, int64_t ms)
{
    int64_t until = now_us() + ms * 1000;
    bool go_on;
    if (!s) {
        iggy_client_sleep(p->client, ms);
        return true;
    }
    pthread_mutex_lock(&p->lock);
    while (!p->abandon && now_us() < until)
        wait_until(p, &s->wake, until);
    go_on = !p->abandon;
    pthread_mutex_unlock(&p->lock);
    return go_on;
}

/* One batch to partition, resent after retriable failures with doubling pauses (a shard's
 * pause ends early when destroy gives up; s is NULL in direct mode). *base is the batch's first
 * offset when it was written. */
static iggy_err_t send_batch(iggy_producer_t *p, shard_t *s, uint32_t partition, chunk_t *c,
                             const iggy_send_message_t *msgs, size_t n,
                             iggy_send_confirmations_t **confs, uint32_t *attempts, uint64_t *base)
{
    int64_t pause = p->backoff_ms;
    iggy_err_t err;
    for (*attempts = 1;; (*attempts)++) {
        if (c && c->sealed)
            err = iggy_messages_send_sealed(p->client, &s->conn, &p->stream, &p->topic, partition,
                                            c->header, c->bytes, c->len, (uint32_t)c->n, confs);
        else
            err = iggy_messages_send_to(p->client, s ? &s->conn : NULL, &p->stream, &p->topic,
                                        partition, msgs, n, p->has_opts ? &p->opts : NULL, confs);
        if (err == IGGY_OK || !resendable(err) || *attempts > p->retries)
            break;
        pthread_mutex_lock(&p->lock);
        p->resends++;
        pthread_mutex_unlock(&p->lock);
        iggy_log(p->client, IGGY_LOG_INFO, "producer",
                 "partition %u: batch of %zu failed (%s), resending", partition, n,
                 iggy_last_error_detail());
        if (!backoff(p, s, pause))
            break;
        pause = pause * 2 < p->backoff_max_ms ? pause * 2 : p->backoff_max_ms;
    }
    *base = 0;
    if (err == IGGY_OK)
        for (size_t i = 0; i < (*confs)->count; i++)
            if ((*confs)->items[i].partition_id == partition)
                *base = (*confs)->items[i].base_offset;
    if (err != IGGY_OK)
        iggy_log(p->client, IGGY_LOG_WARNING, "producer", "partition %u: %zu message(s) failed: %s",
                 partition, n, iggy_last_error_detail());
    return err;
}

/* Ready chunk c for its first send: without payload transforms its frames are sealed in
 * place (sent as they are); with them, a view for the messages API. */
static iggy_err_t prepare_chunk(shard_t *s, chunk_t *c)
{
    iggy_producer_t *p = s->p;
    if (c->sealed)
        return IGGY_OK;
    if (p->transforms)
        return view_chunk(s, c);
    if (p->has_opts && p->opts.message_ids == IGGY_MESSAGE_ID_UUID_V7)
        IGGY_TRY(mint_ids(p, c)); /* v4 ids are minted by the seal, in the same pass */
    if (c->ids_minted)
        c->plan.zero_ids = 0; /* v7 ids went in already */
    IGGY_TRY(iggy_batch_seal_planned(c->bytes, c->len, (uint32_t)c->n, &c->plan, c->header));
    c->sealed = true;
    return IGGY_OK;
}

/* Report and count every message of chunk c, the outcome err of its one SendMessages.
 * Without a callback each report is written once, straight into the ring, under one hold of
 * p->lock; latencies go to the histogram in runs of equal enqueue time (a send's messages
 * share one). */
static void report_chunk(iggy_producer_t *p, chunk_t *c, iggy_delivery_report_t *scratch,
                         iggy_err_t err, uint32_t attempts, uint64_t base)
{
    uint64_t bytes = c->len - IGGY_FRAME_HEADER_SIZE * c->n; /* as counted in */
    int64_t now = now_us();
    size_t kept = c->n;
    if (err == IGGY_OK && p->errors_only) {
        pthread_mutex_lock(&p->lock);
    } else if (p->cb) {
        for (size_t i = 0; i < c->n; i++)
            scratch[i] = chunk_report(c, i, err, attempts, base, now);
        deliver(p, scratch, c->n);
        pthread_mutex_lock(&p->lock);
    } else {
        pthread_mutex_lock(&p->lock);
        (void)ring_reserve(p, c->n);
        kept = p->ring_cap - p->ring_len < c->n ? p->ring_cap - p->ring_len : c->n;
        for (size_t i = 0; i < kept; i++)
            *ring_push(p) = chunk_report(c, i, err, attempts, base, now);
    }
    if (err == IGGY_OK) {
        p->batches_sent++;
        p->delivered += c->n;
        for (size_t i = 0; i < c->n;) {
            int64_t at = c->recs[i].enqueued_us;
            size_t run = 1;
            while (i + run < c->n && c->recs[i + run].enqueued_us == at)
                run++;
            latency_add(p, elapsed_us(now, at), run);
            i += run;
        }
    } else {
        p->failed += c->n;
    }
    count_reported(p, c->n, bytes);
    pthread_mutex_unlock(&p->lock);
    if (!p->cb && (err != IGGY_OK || !p->errors_only))
        pthread_cond_broadcast(&p->reports_ready);
    wake_reported(p);
    if (kept < c->n)
        log_dropped(p, c->n - kept);
}

/* Send chunk c (resending after retriable failures) and report its messages. The outcome of
 * one SendMessages is the outcome of every message in it. */
static void send_chunk(shard_t *s, chunk_t *c, iggy_delivery_report_t *reports)
{
    iggy_producer_t *p = s->p;
    uint32_t attempts = 0;
    uint64_t base = 0;
    iggy_err_t err = prepare_chunk(s, c); /* a chunk that failed here was never sent */
    if (err == IGGY_OK)
        err = send_batch(p, s, c->partition, c, s->msgs, c->n, &s->confirmations, &attempts, &base);
    report_chunk(p, c, reports, err, attempts, base);
}

/* ---------------------------------------------------------------- queues */

static void chunk_free(chunk_t *c)
{
    iggy_mem_free(c->recs);
    iggy_mem_free(c->bytes);
    iggy_mem_free(c);
}

/* An empty chunk for partition (recycled when possible); p->lock held. */
static chunk_t *chunk_take(iggy_producer_t *p, uint32_t partition)
{
    chunk_t *c = p->free_chunks;
    if (c) {
        p->free_chunks = c->next;
    } else {
        c = iggy_mem_calloc(1, sizeof *c);
        if (!c)
            return NULL;
        c->recs = iggy_mem_alloc(p->batch_length * sizeof *c->recs);
        if (!c->recs) {
            iggy_mem_free(c);
            return NULL;
        }
        c->cap = p->batch_length;
    }
    c->next = NULL;
    c->partition = partition;
    c->n = c->len = 0;
    c->ids_minted = c->sealed = false;
    c->plan.origin_min = UINT64_MAX;
    c->plan.origin_max = 0;
    c->plan.zero_ids = 0;
    return c;
}

static void chunk_recycle(iggy_producer_t *p, chunk_t *c)
{
    /* A chunk that held one oversized message does not keep its memory. */
    if (c->bytes_cap > 2 * p->batch_bytes) {
        iggy_mem_free(c->bytes);
        c->bytes = NULL;
        c->bytes_cap = 0;
    }
    c->next = p->free_chunks;
    p->free_chunks = c;
}

static shard_t *shard_of(iggy_producer_t *p, uint32_t partition)
{
    return &p->shards[partition % p->nshards];
}

/* Bytes of message m as a frame (its headers validated). */
static inline size_t frame_bytes(const iggy_send_message_t *m, size_t *hlen)
{
    *hlen = m->headers_count ? kv_bytes(m->headers, m->headers_count) : 0;
    return IGGY_FRAME_HEADER_SIZE + m->payload_len + *hlen;
}

/* The tail of a queue as it was before a send, to undo a send that fails part-way. */
typedef struct queue_mark {
    chunk_t *tail;
    size_t n, len;
    iggy_batch_plan_t plan;
} queue_mark_t;

static queue_mark_t queue_mark(const part_queue_t *q)
{
    queue_mark_t m = {q->tail, 0, 0, {0, 0, 0}};
    if (q->tail) {
        m.n = q->tail->n;
        m.len = q->tail->len;
        m.plan = q->tail->plan;
    }
    return m;
}

/* Put the queue back as marked (p->lock held, so no shard took what was added since). */
static void queue_undo(iggy_producer_t *p, part_queue_t *q, const queue_mark_t *m)
{
    chunk_t *c = m->tail ? m->tail->next : q->head;
    while (c) {
        chunk_t *next = c->next;
        chunk_recycle(p, c);
        c = next;
    }
    if (m->tail) {
        m->tail->next = NULL;
        m->tail->n = m->n;
        m->tail->len = m->len;
        m->tail->plan = m->plan;
    } else {
        q->head = NULL;
    }
    q->tail = m->tail;
}

/* Copy msgs[0..count) to the tail of their partition's queue (p->lock held), a run of
 * messages at a time: a chunk grows once per run and the frames are laid out in one tight
 * loop. All or nothing: on an error the queue is as it was. */
static iggy_err_t append_all(iggy_producer_t *p, part_queue_t *q, uint32_t partition,
                             const iggy_send_message_t *msgs, size_t count, void *const *opaques,
                             int64_t t, uint64_t wall_us)
{
    queue_mark_t mark = queue_mark(q);
    size_t i = 0;
    while (i < count) {
        chunk_t *c = q->tail;
        size_t hlen, need = frame_bytes(&msgs[i], &hlen), run_bytes = need, k = 1, room;
        uint64_t omin, omax;
        uint8_t *dst;
        if (!c || c->n == c->cap || (c->n && c->len + need > p->batch_bytes)) {
            chunk_t *fresh = chunk_take(p, partition);
            if (!fresh) {
                queue_undo(p, q, &mark);
                return iggy_fail(IGGY_ERR__NO_MEMORY, "producer: no memory for a batch");
            }
            fresh->first_us = t;
            if (c)
                c->next = fresh;
            else
                q->head = fresh;
            q->tail = c = fresh;
        }
        /* The run that fits in c: by count, and by bytes (its first message always). */
        room = c->cap - c->n < count - i ? c->cap - c->n : count - i;
        while (k < room) {
            size_t b = frame_bytes(&msgs[i + k], &hlen);
            if (c->len + run_bytes + b > p->batch_bytes)
                break;
            run_bytes += b;
            k++;
        }
        if (!c->bytes_cap && run_bytes < CHUNK_BYTES_MIN && p->batch_bytes >= CHUNK_BYTES_MIN)
            (void)grow((void **)&c->bytes, &c->bytes_cap, CHUNK_BYTES_MIN, 1); /* fewer regrowths */
        if (!grow((void **)&c->bytes, &c->bytes_cap, c->len + run_bytes, 1)) {
            queue_undo(p, q, &mark);
            return iggy_fail(IGGY_ERR__NO_MEMORY, "producer: no memory for a message");
        }
        dst = c->bytes + c->len;
        omin = c->plan.origin_min;
        omax = c->plan.origin_max;
        for (size_t j = 0; j < k; j++) {
            const iggy_send_message_t *m = &msgs[i + j];
            uint64_t origin = m->origin_timestamp ? m->origin_timestamp : wall_us;
            record_t *r = &c->recs[c->n + j];
            size_t len = frame_bytes(m, &hlen);
            r->opaque = opaques ? opaques[i + j] : NULL;
            r->enqueued_us = t;
            iggy_batch_frame_put(dst, m, (uint32_t)(c->n + j), origin, NULL, (uint32_t)hlen);
            dst += len;
            omin = origin < omin ? origin : omin;
            omax = origin > omax ? origin : omax;
            c->plan.zero_ids += m->id.lo == 0 && m->id.hi == 0;
        }
        c->plan.origin_min = omin;
        c->plan.origin_max = omax;
        c->len += run_bytes;
        c->n += k;
        i += k;
    }
    return IGGY_OK;
}

static part_queue_t *queue_of(iggy_producer_t *p, uint32_t partition)
{
    if (partition >= p->nparts) {
        size_t n = (size_t)partition + 1;
        part_queue_t *grown = iggy_mem_realloc(p->parts, n * sizeof *grown);
        if (!grown)
            return NULL;
        memset(grown + p->nparts, 0, (n - p->nparts) * sizeof *grown);
        p->parts = grown;
        p->nparts = n;
    }
    return &p->parts[partition];
}

/* The head chunk a shard should send now, detached from its queue; else NULL and *next_us the
 * earliest linger deadline (0: none). p->lock held. */
static chunk_t *ready_chunk(iggy_producer_t *p, shard_t *s, int64_t *next_us)
{
    int64_t t = now_us();
    part_queue_t *best = NULL;
    *next_us = 0;
    for (size_t i = s->index; i < p->nparts; i += p->nshards) {
        part_queue_t *q = &p->parts[i];
        chunk_t *c = q->head;
        int64_t due;
        if (!c || !c->n)
            continue;
        due = c->first_us + p->linger_us;
        if (c != q->tail || c->n == c->cap || p->flushing || p->stopping || due <= t) {
            if (!best || c->first_us < best->head->first_us)
                best = q;
        } else if (!*next_us || due < *next_us) {
            *next_us = due;
        }
    }
    if (best) {
        chunk_t *c = best->head;
        best->head = c->next;
        if (best->tail == c)
            best->tail = NULL;
        c->next = NULL;
        return c;
    }
    return NULL;
}

static void *shard_main(void *arg)
{
    shard_t *s = arg;
    iggy_producer_t *p = s->p;
    pthread_mutex_lock(&p->lock);
    while (!p->abandon) {
        int64_t next_us = 0;
        chunk_t *c = ready_chunk(p, s, &next_us);
        if (!c) {
            if (p->stopping && !next_us)
                break;
            wait_until(p, &s->wake, next_us);
            continue;
        }
        pthread_mutex_unlock(&p->lock);
        send_chunk(s, c, s->reports);
        pthread_mutex_lock(&p->lock);
        chunk_recycle(p, c);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* ---------------------------------------------------------------- public API */

static bool missing(iggy_err_t err)
{
    return err == IGGY_ERR__NOT_FOUND || err == IGGY_ERR_STREAM_ID_NOT_FOUND ||
           err == IGGY_ERR_STREAM_NAME_NOT_FOUND || err == IGGY_ERR_TOPIC_ID_NOT_FOUND ||
           err == IGGY_ERR_TOPIC_NAME_NOT_FOUND || err == IGGY_ERR_RESOURCE_NOT_FOUND;
}

/* producer.create.topic: the stream and topic exist afterwards (or the error says why not). */
static iggy_err_t ensure_topic(iggy_producer_t *p, uint32_t partitions)
{
    iggy_topic_t *t = NULL;
    iggy_stream_t *st = NULL;
    iggy_err_t err = iggy_get_topic(p->client, &p->stream, &p->topic, &t);
    iggy_result_destroy(t);
    if (!missing(err))
        return err;
    if (!p->stream.name || !p->topic.name)
        return iggy_fail(err, "producer: the topic is missing and only named identifiers can be "
                              "created");
    err = iggy_get_stream(p->client, &p->stream, &st);
    iggy_result_destroy(st);
    st = NULL;
    if (missing(err))
        err = iggy_create_stream(p->client, p->stream.name, &st);
    iggy_result_destroy(st);
    if (err != IGGY_OK && err != IGGY_ERR_STREAM_NAME_ALREADY_EXISTS)
        return err;
    t = NULL;
    err = iggy_create_topic(p->client, &p->stream, p->topic.name, partitions, NULL, &t);
    iggy_result_destroy(t);
    return err == IGGY_ERR_TOPIC_NAME_ALREADY_EXISTS ? IGGY_OK : err;
}

static void read_settings(iggy_producer_t *p, const iggy_conf_t *conf)
{
    p->direct = conf->producer_mode == MODE_DIRECT;
    p->batch_length = (size_t)conf->producer_batch_length;
    p->batch_bytes = (size_t)conf->producer_batch_bytes;
    p->linger_us = conf->producer_linger_ms * 1000;
    p->max_messages = (uint64_t)conf->producer_buffer_max_messages;
    p->max_bytes = (uint64_t)conf->producer_buffer_max_bytes;
    p->backpressure = conf->producer_backpressure;
    p->backpressure_timeout_ms = conf->producer_backpressure_timeout_ms;
    p->retries = (uint32_t)conf->producer_retries;
    p->backoff_ms = conf->producer_retry_backoff_ms;
    p->backoff_max_ms = conf->producer_retry_backoff_max_ms;
    p->shutdown_timeout_ms = conf->producer_shutdown_timeout_ms;
    p->cb = conf->delivery_cb;
    p->cb_opaque = conf->delivery_opaque;
    p->errors_only = conf->producer_delivery_reports == 1;
    p->nshards = p->direct ? 0 : (size_t)conf->producer_shards;
}

static iggy_err_t start_shards(iggy_producer_t *p)
{
    pthread_condattr_t ca;
    p->shards = iggy_mem_calloc(p->nshards ? p->nshards : 1, sizeof *p->shards);
    if (!p->shards)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "producer: no memory for its shards");
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    for (size_t i = 0; i < p->nshards; i++) {
        shard_t *s = &p->shards[i];
        s->p = p;
        s->index = i;
        s->conn.index = -1;
        pthread_cond_init(&s->wake, &ca);
        iggy_conn_reserve(p->client, &s->conn);
    }
    pthread_condattr_destroy(&ca);
    /* Before any thread starts: a shard without it could never report, so never send. */
    for (size_t i = 0; i < p->nshards; i++)
        if (!(p->shards[i].reports =
                  iggy_mem_alloc(p->batch_length * sizeof *p->shards[i].reports)))
            return iggy_fail(IGGY_ERR__NO_MEMORY, "producer: no memory for delivery reports");
    for (size_t i = 0; i < p->nshards; i++) {
        if (pthread_create(&p->shards[i].thread, NULL, shard_main, &p->shards[i]) != 0)
            return iggy_fail(IGGY_ERR__NO_MEMORY, "producer: cannot start a worker thread");
        p->shards[i].started = true;
    }
    return IGGY_OK;
}

iggy_err_t iggy_producer_new(iggy_client_t *client, const iggy_conf_t *conf,
                             const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                             const iggy_send_opts_t *send_opts, iggy_producer_t **out, char *errstr,
                             size_t errstr_size)
{
    pthread_condattr_t ca;
    iggy_producer_t *p;
    iggy_conf_t *defaults = NULL;
    iggy_err_t err;

    if (out)
        *out = NULL;
    if (!client || !stream || !topic || !out) {
        err = iggy_fail(IGGY_ERR__INVALID_ARG, "producer: NULL argument");
        goto fail_early;
    }
    if (!conf)
        conf = client->conf;
    if (!conf) {
        err = iggy_conf_new(&defaults);
        if (err != IGGY_OK)
            goto fail_early;
        conf = defaults;
    }
    p = iggy_mem_calloc(1, sizeof *p);
    if (!p) {
        iggy_conf_destroy(defaults);
        err = iggy_fail(IGGY_ERR__NO_MEMORY, "producer: no memory");
        goto fail_early;
    }
    p->client = client;
    read_settings(p, conf);
    pthread_mutex_init(&p->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->space, &ca);
    pthread_cond_init(&p->progress, &ca);
    pthread_cond_init(&p->reports_ready, &ca);
    pthread_condattr_destroy(&ca);
    err = iggy_id_copy(stream, p->stream_name, sizeof p->stream_name, &p->stream);
    if (err == IGGY_OK)
        err = iggy_id_copy(topic, p->topic_name, sizeof p->topic_name, &p->topic);
    if (err == IGGY_OK && send_opts) {
        p->opts = *send_opts;
        p->has_opts = true;
        p->transforms = send_opts->compression != IGGY_COMPRESSION_CODEC_NONE ||
                        send_opts->encryption_key != NULL;
        if (send_opts->encryption_key) {
            memcpy(p->key, send_opts->encryption_key, sizeof p->key);
            p->opts.encryption_key = p->key;
        }
    }
    if (err == IGGY_OK && conf->producer_create_topic)
        err = ensure_topic(p, (uint32_t)conf->producer_create_topic_partitions);
    iggy_conf_destroy(defaults);
    if (err == IGGY_OK) {
        /* Learn the partition count now: routing a send needs it, the server may be away then. */
        uint32_t ignored;
        err = iggy_messages_route(client, &p->stream, &p->topic, NULL, NULL, 0, NULL, false,
                                  &ignored);
    }
    if (err == IGGY_OK)
        err = start_shards(p);
    if (err != IGGY_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", iggy_last_error_detail());
        iggy_producer_destroy(p); /* may log and overwrite the detail */
        return iggy_fail_errstr(iggy_fail(err, "%s", why), errstr, errstr_size);
    }
    iggy_stats_attach(client, IGGY_STATS_PRODUCER, p, &p->stream, &p->topic, NULL);
    *out = p;
    return IGGY_OK;
fail_early:
    return iggy_fail_errstr(err, errstr, errstr_size);
}

/* Wait for room for count messages of bytes (p->lock held). */
static iggy_err_t wait_for_room(iggy_producer_t *p, size_t count, uint64_t bytes)
{
    int64_t until = p->backpressure == BACKPRESSURE_BLOCK_TIMEOUT
                        ? now_us() + p->backpressure_timeout_ms * 1000
                        : 0;
    /* An empty buffer takes any one send, however large, or it could never go. */
    while (p->queued_messages && (p->queued_messages + count > p->max_messages ||
                                  p->queued_bytes + bytes > p->max_bytes)) {
        if (p->stopping)
            return iggy_fail(IGGY_ERR__STATE, "producer: being destroyed");
        if (p->backpressure != BACKPRESSURE_BLOCK &&
            (p->backpressure != BACKPRESSURE_BLOCK_TIMEOUT || now_us() >= until))
            return iggy_fail(
                IGGY_ERR__QUEUE_FULL, "producer: buffer full (%llu messages, %llu bytes queued)",
                (unsigned long long)p->queued_messages, (unsigned long long)p->queued_bytes);
        wait_until(p, &p->space, until);
    }
    return p->stopping ? iggy_fail(IGGY_ERR__STATE, "producer: being destroyed") : IGGY_OK;
}

/* Direct mode: send in chunks of batch.length from the caller's thread, reporting each. */
static iggy_err_t send_direct(iggy_producer_t *p, uint32_t partition,
                              const iggy_send_message_t *msgs, size_t count, void *const *opaques)
{
    iggy_err_t first = IGGY_OK;
    iggy_send_confirmations_t *confs = NULL;
    iggy_delivery_report_t reports[64];
    int64_t started = now_us();
    for (size_t off = 0; off < count; off += p->batch_length) {
        size_t n = count - off < p->batch_length ? count - off : p->batch_length;
        uint32_t attempts = 0;
        uint64_t base = 0;
        iggy_err_t err =
            send_batch(p, NULL, partition, NULL, msgs + off, n, &confs, &attempts, &base);
        if (first == IGGY_OK)
            first = err;
        for (size_t i = 0; i < n;) {
            size_t k = 0;
            for (; k < 64 && i < n; k++, i++)
                reports[k] = (iggy_delivery_report_t){
                    opaques ? opaques[off + i] : NULL, err, partition, base + i, attempts,
                    elapsed_us(now_us(), started)};
            deliver(p, reports, k);
            pthread_mutex_lock(&p->lock);
            p->queued_messages += k; /* counted in and out at once: direct queues nothing */
            p->enqueued += k;
            account_reported(p, reports, k, 0);
            if (err == IGGY_OK && i == n)
                p->batches_sent++;
            pthread_mutex_unlock(&p->lock);
        }
    }
    iggy_result_destroy(confs);
    return first;
}

iggy_err_t iggy_producer_send(iggy_producer_t *p, const iggy_partitioning_t *partitioning,
                              const iggy_send_message_t *msgs, size_t count, void *const *opaques)
{
    uint32_t partition;
    uint64_t bytes = 0;
    part_queue_t *q;
    int64_t t;
    uint64_t wall;
    iggy_err_t err;

    if (!p || (!msgs && count))
        return iggy_fail(IGGY_ERR__INVALID_ARG, "producer send: NULL argument");
    if (!count)
        return IGGY_OK;
    for (size_t i = 0; i < count; i++) {
        size_t bad;
        if ((!msgs[i].payload && msgs[i].payload_len) ||
            (!msgs[i].headers && msgs[i].headers_count))
            return iggy_fail(IGGY_ERR__INVALID_ARG, "producer send: message %zu: NULL pointer", i);
        if (msgs[i].headers_count &&
            !iggy_kv_block_valid(msgs[i].headers, msgs[i].headers_count, &bad))
            return iggy_fail(IGGY_ERR__INVALID_ARG,
                             "producer send: message %zu: header %zu: kinds must be non-zero "
                             "and key and value 1..255 bytes",
                             i, bad);
        bytes += message_bytes(&msgs[i]);
    }
    IGGY_TRY(iggy_messages_route(p->client, &p->stream, &p->topic, partitioning, msgs, count,
                                 p->has_opts ? &p->opts : NULL, false, &partition));
    if (p->direct)
        return send_direct(p, partition, msgs, count, opaques);

    pthread_mutex_lock(&p->lock);
    err = wait_for_room(p, count, bytes);
    q = err == IGGY_OK ? queue_of(p, partition) : NULL;
    if (err == IGGY_OK && !q)
        err = iggy_fail(IGGY_ERR__NO_MEMORY, "producer: no memory for partition %u", partition);
    t = now_us();
    wall = iggy_now_us(); /* the origin timestamp of messages that have none */
    if (err == IGGY_OK)
        err = append_all(p, q, partition, msgs, count, opaques, t, wall);
    if (err == IGGY_OK) {
        p->queued_messages += count;
        p->queued_bytes += bytes;
        p->enqueued += count;
    }
    pthread_mutex_unlock(&p->lock);
    /* After unlocking: the woken shard takes p->lock at once. */
    pthread_cond_signal(&shard_of(p, partition)->wake);
    return err;
}

iggy_err_t iggy_producer_flush(iggy_producer_t *p, int64_t timeout_ms)
{
    int64_t until = timeout_ms >= 0 ? now_us() + timeout_ms * 1000 : 0;
    iggy_err_t err = IGGY_OK;
    uint64_t target;
    if (!p)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "producer flush: NULL producer");
    pthread_mutex_lock(&p->lock);
    target = p->enqueued;
    p->flushing++;
    for (size_t i = 0; i < p->nshards; i++)
        pthread_cond_signal(&p->shards[i].wake);
    while (p->reported < target && !p->direct) {
        if (until && now_us() >= until) {
            err = iggy_fail(IGGY_ERR__TIMED_OUT, "producer flush: %llu message(s) still queued",
                            (unsigned long long)(target - p->reported));
            break;
        }
        wait_until(p, &p->progress, until);
    }
    p->flushing--;
    pthread_mutex_unlock(&p->lock);
    return err;
}

size_t iggy_producer_poll_reports(iggy_producer_t *p, iggy_delivery_report_t *out, size_t cap,
                                  int64_t timeout_ms)
{
    int64_t until = timeout_ms > 0 ? now_us() + timeout_ms * 1000 : 0;
    size_t n = 0;
    if (!p || !out || !cap)
        return 0;
    pthread_mutex_lock(&p->lock);
    while (!p->ring_len && timeout_ms != 0 && (!until || now_us() < until))
        wait_until(p, &p->reports_ready, until);
    while (n < cap && p->ring_len) { /* at most two runs: up to the ring's end, then from 0 */
        size_t run = p->ring_cap - p->ring_head;
        run = run < p->ring_len ? run : p->ring_len;
        run = run < cap - n ? run : cap - n;
        memcpy(out + n, p->ring + p->ring_head, run * sizeof *out);
        n += run;
        p->ring_len -= run;
        p->ring_head += run;
        if (p->ring_head == p->ring_cap)
            p->ring_head = 0;
    }
    pthread_mutex_unlock(&p->lock);
    return n;
}

iggy_err_t iggy_producer_stats(iggy_producer_t *p, iggy_producer_stats_t **out)
{
    iggy_producer_stats_t *st;
    if (!p || !out)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "producer stats: NULL argument");
    st = iggy_result_alloc(sizeof *st);
    if (!st)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "producer stats: no memory");
    pthread_mutex_lock(&p->lock);
    st->queued_messages = p->queued_messages;
    st->queued_bytes = p->queued_bytes;
    st->batches_sent = p->batches_sent;
    st->retries = p->resends;
    st->delivered = p->delivered;
    st->failed = p->failed;
    st->latency_p50_us = latency_percentile(p, 0.50);
    st->latency_p99_us = latency_percentile(p, 0.99);
    pthread_mutex_unlock(&p->lock);
    *out = st;
    return IGGY_OK;
}

/* Report every message still queued as failed (workers stopped). */
static void fail_queued(iggy_producer_t *p)
{
    iggy_delivery_report_t r;
    for (size_t i = 0; i < p->nparts; i++) {
        chunk_t *c;
        while ((c = p->parts[i].head) != NULL) {
            p->parts[i].head = c->next;
            for (size_t k = 0; k < c->n; k++) {
                r = (iggy_delivery_report_t){c->recs[k].opaque,
                                             IGGY_ERR__DESTROYED,
                                             c->partition,
                                             0,
                                             0,
                                             elapsed_us(now_us(), c->recs[k].enqueued_us)};
                deliver(p, &r, 1);
                pthread_mutex_lock(&p->lock);
                account_reported(p, &r, 1, 0);
                pthread_mutex_unlock(&p->lock);
            }
            chunk_free(c);
        }
        p->parts[i].tail = NULL;
    }
}

void iggy_producer_destroy(iggy_producer_t *p)
{
    int64_t until;
    if (!p)
        return;
    iggy_stats_detach(p->client, p);
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    until = now_us() + p->shutdown_timeout_ms * 1000;
    for (size_t i = 0; i < p->nshards && p->shards; i++)
        pthread_cond_signal(&p->shards[i].wake);
    while (p->queued_messages && now_us() < until && p->shards && p->nshards)
        wait_until(p, &p->progress, until);
    p->abandon = true;
    for (size_t i = 0; i < p->nshards && p->shards; i++)
        pthread_cond_signal(&p->shards[i].wake);
    pthread_mutex_unlock(&p->lock);
    /* A batch still in flight is given up too (its outcome is then unknown). */
    for (size_t i = 0; i < p->nshards && p->shards; i++)
        if (p->shards[i].started)
            iggy_call_cancel(p->client, &p->shards[i].conn.cancel);
    for (size_t i = 0; i < p->nshards && p->shards; i++)
        if (p->shards[i].started)
            pthread_join(p->shards[i].thread, NULL);
    fail_queued(p);
    for (size_t i = 0; i < p->nshards && p->shards; i++) {
        shard_t *s = &p->shards[i];
        iggy_conn_unreserve(&s->conn);
        pthread_cond_destroy(&s->wake);
        iggy_mem_free(s->msgs);
        iggy_mem_free(s->kvs);
        iggy_mem_free(s->blocks);
        iggy_mem_free(s->reports);
        iggy_result_destroy(s->confirmations);
    }
    while (p->free_chunks) {
        chunk_t *c = p->free_chunks;
        p->free_chunks = c->next;
        chunk_free(c);
    }
    iggy_mem_free(p->shards);
    iggy_mem_free(p->parts);
    iggy_mem_free(p->ring);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->space);
    pthread_cond_destroy(&p->progress);
    pthread_cond_destroy(&p->reports_ready);
    OPENSSL_cleanse(p->key, sizeof p->key); /* the copy of the encryption key */
    iggy_mem_free(p);
}
