#include "clients.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacing.h"
#include "iggy_clock.h"

#define TOPIC_NAME "topic-1"
/* The high-level consumer's wait for a batch: iggy-bench's high-level client gives up on a
 * batch after a second without messages. */
#define HL_POLL_TIMEOUT_MS 1000

static int fail(char *err, size_t cap, const char *what, iggy_err_t e)
{
    const char *detail = iggy_last_error_detail();
    snprintf(err, cap, "%s: %s (%s, %d)%s%s", what, iggy_err2str(e), iggy_err2name(e), (int)e,
             detail && *detail ? ": " : "", detail ? detail : "");
    return -1;
}

static int conf_set(iggy_conf_t *conf, const char *name, const char *value, char *err, size_t cap)
{
    char why[256];
    if (iggy_conf_set(conf, name, value, why, sizeof why) != IGGY_OK) {
        snprintf(err, cap, "conf %s=%s: %s", name, value, why);
        return -1;
    }
    return 0;
}

int ctx_init(bench_ctx_t *ctx, const bench_args_t *a, char *err, size_t cap)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->args = a;
    if (iggy_conf_new(&ctx->conf) != IGGY_OK) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    /* iggy-bench keeps Nagle on unless --nodelay; libiggy's default is the opposite */
    if (conf_set(ctx->conf, "bootstrap.servers", a->server_address, err, cap) ||
        conf_set(ctx->conf, "username", a->username, err, cap) ||
        conf_set(ctx->conf, "password", a->password, err, cap) ||
        conf_set(ctx->conf, "socket.nodelay", a->nodelay ? "true" : "false", err, cap) ||
        (a->tls &&
         (conf_set(ctx->conf, "tls.enabled", "true", err, cap) ||
          conf_set(ctx->conf, "tls.server.name", a->tls_domain, err, cap) ||
          conf_set(ctx->conf, "tls.verify", a->tls_validate_certificate ? "true" : "false", err,
                   cap) ||
          (a->tls_ca_file && conf_set(ctx->conf, "tls.ca.file", a->tls_ca_file, err, cap))))) {
        ctx_free(ctx);
        return -1;
    }
    return 0;
}

void ctx_free(bench_ctx_t *ctx)
{
    iggy_conf_destroy(ctx->conf);
    ctx->conf = NULL;
}

int ctx_client(const bench_ctx_t *ctx, const iggy_conf_t *conf, iggy_client_t **out, char *err,
               size_t cap)
{
    char why[256];
    iggy_err_t e;
    *out = NULL;
    if ((e = iggy_client_new(conf ? conf : ctx->conf, out, why, sizeof why)) != IGGY_OK) {
        snprintf(err, cap, "client: %s", why);
        return -1;
    }
    if ((e = iggy_client_connect(*out)) != IGGY_OK) {
        char what[300];
        snprintf(what, sizeof what, "cannot connect and log in to %s", ctx->args->server_address);
        iggy_client_destroy(*out);
        *out = NULL;
        return fail(err, cap, what, e);
    }
    return 0;
}

/* ---------------------------------------------------------------- batches */

static uint64_t next_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

int batch_gen_init(batch_gen_t *g, numparam_t size, numparam_t count, uint64_t seed, bool ids_once)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    memset(g, 0, sizeof *g);
    g->size = size;
    g->count = count;
    g->fixed = numparam_fixed(size) && numparam_fixed(count);
    g->rng = seed ? seed : 0x9E3779B97F4A7C15ull;
    g->payload = malloc(size.max ? size.max : 1);
    g->msgs = calloc(count.max ? count.max : 1, sizeof *g->msgs);
    if (!g->payload || !g->msgs)
        return -1;
    for (uint32_t i = 0; i < size.max; i++)
        g->payload[i] = (uint8_t)alnum[next_rand(&g->rng) % (sizeof alnum - 1)];
    for (uint32_t i = 0; i < count.max; i++) {
        g->msgs[i].payload = g->payload;
        g->msgs[i].payload_len = size.max;
    }
    /* upstream's SDK mints the ids of its reused batch on the first send and resends them;
     * minting them here once does the same (id 0 would have libiggy mint on every send) */
    if (ids_once && g->fixed)
        for (uint32_t i = 0; i < count.max; i++) {
            g->msgs[i].id.lo = next_rand(&g->rng);
            g->msgs[i].id.hi = (next_rand(&g->rng) & ~0xF000ull) | 0x4000ull; /* v4 */
        }
    g->n = count.max;
    g->user_bytes = (uint64_t)count.max * size.max;
    g->total_bytes = (uint64_t)count.max * (BENCH_MESSAGE_HEADER_BYTES + size.max);
    return 0;
}

void batch_gen_free(batch_gen_t *g)
{
    free(g->payload);
    free(g->msgs);
    memset(g, 0, sizeof *g);
}

static void stamp(batch_gen_t *g)
{
    uint64_t now = iggy_now_us();
    for (size_t i = 0; i < g->n; i++)
        g->msgs[i].origin_timestamp = now;
}

/* The low-level batch: the fixed one restamped, or a fresh one of random sizes. */
static void batch_next(batch_gen_t *g)
{
    if (!g->fixed) {
        g->n = numparam_get(g->count, &g->rng);
        g->user_bytes = g->total_bytes = 0;
        for (size_t i = 0; i < g->n; i++) {
            uint32_t len = numparam_get(g->size, &g->rng);
            g->msgs[i].payload_len = len;
            g->user_bytes += len;
            g->total_bytes += BENCH_MESSAGE_HEADER_BYTES + len;
        }
    }
    stamp(g);
}

/* The high-level batch: always the largest count and size (iggy-bench's generate_owned_batch). */
static void batch_owned(batch_gen_t *g)
{
    if (!g->fixed) {
        for (uint32_t i = 0; i < g->count.max; i++)
            g->msgs[i].payload_len = g->size.max;
        g->n = g->count.max;
        g->user_bytes = (uint64_t)g->count.max * g->size.max;
        g->total_bytes = (uint64_t)g->count.max * (BENCH_MESSAGE_HEADER_BYTES + g->size.max);
    }
    stamp(g);
}

/* ---------------------------------------------------------------- producing */

static void stream_name(char *buf, size_t cap, uint32_t idx)
{
    snprintf(buf, cap, "bench-stream-%u", idx);
}

int producer_client_open(producer_client_t *pc, const bench_ctx_t *ctx, uint32_t stream_idx,
                         uint32_t partitions, char *err, size_t cap)
{
    const bench_args_t *a = ctx->args;
    iggy_conf_t *conf = NULL;
    char why[256], v[32];
    iggy_err_t e;
    int rc = -1;

    memset(pc, 0, sizeof *pc);
    pc->high_level = a->high_level_api;
    stream_name(pc->stream_name, sizeof pc->stream_name, stream_idx);
    pc->stream = iggy_id_name(pc->stream_name);
    pc->topic = iggy_id_name(TOPIC_NAME);
    pc->pinned = partitions <= 1;
    pc->partition0.kind = IGGY_PARTITIONING_PARTITION_ID;
    pc->partition0.partition_id = 0;
    if (!pc->high_level)
        return ctx_client(ctx, NULL, &pc->client, err, cap);

    /* Background mode, one batch of -P messages per send: batch.length and batch.bytes hold a
     * whole batch, so each send is one SendMessages, sent as soon as it is queued. */
    {
        uint64_t batch_bytes = (uint64_t)a->messages_per_batch.max *
                               (BENCH_MESSAGE_HEADER_BYTES + a->message_size.max);
        uint64_t buffer_bytes;
        if (batch_bytes < 1048576)
            batch_bytes = 1048576;
        if (batch_bytes > 67108864)
            batch_bytes = 67108864;
        buffer_bytes = batch_bytes * 2 > 33554432 ? batch_bytes * 2 : 33554432;
        if (iggy_conf_dup(ctx->conf, &conf) != IGGY_OK) {
            snprintf(err, cap, "out of memory");
            return -1;
        }
        snprintf(v, sizeof v, "%u", a->messages_per_batch.max);
        if (conf_set(conf, "producer.mode", "background", err, cap) ||
            conf_set(conf, "producer.batch.length", v, err, cap) ||
            conf_set(conf, "producer.linger.ms", "0", err, cap) ||
            conf_set(conf, "producer.create.topic", "true", err, cap) ||
            /* only failures are reported: a batch is awaited with a flush, as iggy-bench
             * awaits the Rust producer's send */
            conf_set(conf, "producer.delivery.reports", "errors", err, cap))
            goto out;
        snprintf(v, sizeof v, "%llu", (unsigned long long)batch_bytes);
        if (conf_set(conf, "producer.batch.bytes", v, err, cap))
            goto out;
        snprintf(v, sizeof v, "%llu", (unsigned long long)buffer_bytes);
        if (conf_set(conf, "producer.buffer.max.bytes", v, err, cap))
            goto out;
        snprintf(v, sizeof v, "%u", partitions ? partitions : 1);
        if (conf_set(conf, "producer.create.topic.partitions", v, err, cap))
            goto out;
    }
    pc->reports_cap = a->messages_per_batch.max;
    pc->reports = malloc(pc->reports_cap * sizeof *pc->reports);
    if (!pc->reports) {
        snprintf(err, cap, "out of memory");
        goto out;
    }
    if (ctx_client(ctx, conf, &pc->client, err, cap))
        goto out;
    if ((e = iggy_producer_new(pc->client, conf, &pc->stream, &pc->topic, NULL, &pc->producer, why,
                               sizeof why)) != IGGY_OK) {
        snprintf(err, cap, "producer on %s: %s", pc->stream_name, why);
        goto out;
    }
    rc = 0;
out:
    iggy_conf_destroy(conf);
    return rc;
}

int producer_client_send(producer_client_t *pc, batch_gen_t *g, batch_metrics_t *m, char *err,
                         size_t cap)
{
    int64_t t0;
    iggy_err_t e;
    if (!pc->high_level) {
        batch_next(g);
        if (!g->n)
            return 0;
        t0 = iggy_mono_us();
        e = iggy_send_messages(pc->client, &pc->stream, &pc->topic,
                               pc->pinned ? &pc->partition0 : NULL, g->msgs, g->n, NULL, NULL);
        m->latency_us = (uint64_t)(iggy_mono_us() - t0);
        if (e != IGGY_OK)
            return fail(err, cap, "send messages", e);
    } else {
        size_t failed;
        batch_owned(g);
        if (!g->n)
            return 0;
        /* iggy-bench times its high-level send until the messages are written; here that is
         * the send plus a flush: every message of the batch is reported or delivered */
        t0 = iggy_mono_us();
        e = iggy_producer_send(pc->producer, pc->pinned ? &pc->partition0 : NULL, g->msgs, g->n,
                               NULL);
        if (e != IGGY_OK)
            return fail(err, cap, "producer send", e);
        if ((e = iggy_producer_flush(pc->producer, -1)) != IGGY_OK)
            return fail(err, cap, "producer flush", e);
        failed = iggy_producer_poll_reports(pc->producer, pc->reports, pc->reports_cap, 0);
        if (failed)
            return fail(err, cap, "delivery failed", pc->reports[0].err);
        m->latency_us = (uint64_t)(iggy_mono_us() - t0);
    }
    m->messages = (uint32_t)g->n;
    m->user_bytes = g->user_bytes;
    m->total_bytes = g->total_bytes;
    return 1;
}

void producer_client_close(producer_client_t *pc)
{
    iggy_producer_destroy(pc->producer);
    iggy_client_destroy(pc->client);
    free(pc->reports);
    memset(pc, 0, sizeof *pc);
}

/* ---------------------------------------------------------------- consuming */

static int consumer_conf(iggy_conf_t *conf, const bench_args_t *a, uint32_t consumer_id, bool group,
                         uint32_t stream_idx, char *err, size_t cap)
{
    char v[64];
    snprintf(v, sizeof v, "%u", a->messages_per_batch.max);
    /* no pause between empty polls, as upstream's consumer without a poll interval */
    if (conf_set(conf, "consumer.batch.length", v, err, cap) ||
        conf_set(conf, "consumer.poll.idle.ms", "0", err, cap))
        return -1;
    if (group) {
        /* the group the benchmark created on this stream; joined, auto-commit on polling */
        snprintf(v, sizeof v, "cg-%u", stream_idx);
        return conf_set(conf, "consumer.group", v, err, cap) ||
                       conf_set(conf, "consumer.group.create", "true", err, cap) ||
                       conf_set(conf, "consumer.auto.commit", "when", err, cap) ||
                       conf_set(conf, "consumer.auto.commit.trigger", "polling", err, cap)
                   ? -1
                   : 0;
    }
    snprintf(v, sizeof v, "hl_consumer_%u", consumer_id);
    return conf_set(conf, "consumer.id", v, err, cap) ||
                   conf_set(conf, "consumer.partition", "0", err, cap) ||
                   conf_set(conf, "consumer.start", "offset", err, cap) ||
                   conf_set(conf, "consumer.start.value", "0", err, cap) ||
                   conf_set(conf, "consumer.auto.commit", "disabled", err, cap)
               ? -1
               : 0;
}

int consumer_client_open(consumer_client_t *cc, const bench_ctx_t *ctx, uint32_t consumer_id,
                         int64_t group_id, uint32_t stream_idx, bool e2e_latency, char *err,
                         size_t cap)
{
    const bench_args_t *a = ctx->args;
    iggy_conf_t *conf = NULL;
    char why[256];
    iggy_err_t e;
    int rc = -1;

    memset(cc, 0, sizeof *cc);
    cc->high_level = a->high_level_api;
    cc->group = group_id >= 0;
    cc->e2e_latency = e2e_latency;
    cc->count = a->messages_per_batch;
    cc->rng = 0x2545F4914F6CDD1Dull ^ ((uint64_t)consumer_id << 17);
    stream_name(cc->stream_name, sizeof cc->stream_name, stream_idx);
    cc->stream = iggy_id_name(cc->stream_name);
    cc->topic = iggy_id_name(TOPIC_NAME);

    if (!cc->high_level) {
        if (ctx_client(ctx, NULL, &cc->client, err, cap))
            return -1;
        if (cc->group) {
            iggy_identifier_t gid = iggy_id_num((uint32_t)group_id);
            if ((e = iggy_join_consumer_group(cc->client, &cc->stream, &cc->topic, &gid)) !=
                IGGY_OK) {
                char what[96];
                snprintf(what, sizeof what, "Failed to join consumer group #%lld",
                         (long long)group_id);
                return fail(err, cap, what, e);
            }
            cc->ref.kind = IGGY_CONSUMER_GROUP;
            cc->ref.id = gid;
            cc->strategy.kind = IGGY_POLL_NEXT;
            cc->auto_commit = true;
        } else {
            cc->ref.kind = IGGY_CONSUMER_SINGLE;
            cc->ref.id = iggy_id_num(consumer_id);
            cc->strategy.kind = IGGY_POLL_OFFSET;
            cc->strategy.value = 0;
            cc->auto_commit = false;
        }
        return 0;
    }

    if (iggy_conf_dup(ctx->conf, &conf) != IGGY_OK) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    if (consumer_conf(conf, a, consumer_id, cc->group, stream_idx, err, cap) ||
        ctx_client(ctx, conf, &cc->client, err, cap))
        goto out;
    if ((e = iggy_consumer_new(cc->client, conf, &cc->stream, &cc->topic, NULL, &cc->consumer, why,
                               sizeof why)) != IGGY_OK) {
        snprintf(err, cap, "consumer on %s: %s", cc->stream_name, why);
        goto out;
    }
    rc = 0;
out:
    iggy_conf_destroy(conf);
    return rc;
}

int consumer_client_poll(consumer_client_t *cc, batch_metrics_t *m, char *err, size_t cap)
{
    static const uint32_t partition0 = 0;
    const iggy_polled_messages_t *b;
    int64_t t0, t1;
    iggy_err_t e;

    t0 = iggy_mono_us();
    if (!cc->high_level)
        e = iggy_poll_messages_into(
            cc->client, &cc->ref, &cc->stream, &cc->topic, cc->group ? NULL : &partition0,
            &cc->strategy, numparam_get(cc->count, &cc->rng), cc->auto_commit, NULL, &cc->batch);
    else
        e = iggy_consumer_poll(cc->consumer, HL_POLL_TIMEOUT_MS, &cc->batch);
    t1 = iggy_mono_us();
    if (e == IGGY_ERR_TOPIC_ID_NOT_FOUND)
        return 0; /* as upstream: the topic may not be there yet */
    if (e != IGGY_OK)
        return fail(err, cap, "poll messages", e);
    b = cc->batch;
    if (!b || !b->count)
        return 0;
    m->messages = (uint32_t)b->count;
    m->user_bytes = m->total_bytes = 0;
    for (size_t i = 0; i < b->count; i++) {
        m->user_bytes += b->messages[i].payload_len;
        m->total_bytes += BENCH_MESSAGE_HEADER_BYTES + b->messages[i].payload_len +
                          b->messages[i].raw_headers_len;
    }
    if (cc->e2e_latency) {
        uint64_t now = iggy_now_us(), origin = b->messages[0].origin_timestamp;
        m->latency_us = now > origin ? now - origin : 0;
    } else {
        m->latency_us = (uint64_t)(t1 - t0);
    }
    if (!cc->high_level && cc->strategy.kind == IGGY_POLL_OFFSET)
        cc->strategy.value += b->count;
    return 1;
}

void consumer_client_close(consumer_client_t *cc)
{
    if (cc->consumer)
        (void)iggy_consumer_close(cc->consumer);
    iggy_result_destroy(cc->batch);
    iggy_client_destroy(cc->client);
    memset(cc, 0, sizeof *cc);
}
