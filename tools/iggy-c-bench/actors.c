#include "actors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"
#include "iggy_clock.h"

/* ---------------------------------------------------------------- layout */

/* The total rate split evenly; nothing left per actor means no limit (upstream's
 * rate_limit_per_actor). */
static uint64_t rate_per_actor(const bench_args_t *a, uint64_t actors)
{
    if (!a->rate_limit_set || !a->rate_limit || !actors)
        return 0;
    return a->rate_limit / actors;
}

static actor_t *add(plan_t *p, const bench_ctx_t *ctx, actor_kind_t kind, uint32_t id)
{
    actor_t *x = &p->actors[p->count++];
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->id = id;
    x->group_id = -1;
    x->ctx = ctx;
    atomic_init(&x->sent_messages, 0);
    atomic_init(&x->polled_messages, 0);
    atomic_init(&x->user_bytes, 0);
    atomic_init(&x->state, ACTOR_RUNNING);
    return x;
}

static void add_producers(plan_t *p, const bench_args_t *a, const bench_ctx_t *ctx)
{
    uint32_t producers = args_producers(a), streams = args_streams(a);
    uint32_t partitions = args_partitions(a);
    uint64_t rate = rate_per_actor(a, (uint64_t)producers + args_consumers(a));
    finish_init(&p->shared_send, a, FINISH_SHARED);
    for (uint32_t i = 1; i <= producers; i++) {
        actor_t *x = add(p, ctx, ACTOR_PRODUCER, i);
        x->stream_idx = 1 + (i - 1) % streams;
        x->partitions = partitions;
        x->rate_limit = rate;
        /* several partitions: all producers share one budget */
        if (partitions > 1) {
            x->send_finish = &p->shared_send;
        } else {
            finish_init(&x->own_send, a, FINISH_PER_PRODUCER);
            x->send_finish = &x->own_send;
        }
    }
}

static void add_consumers(plan_t *p, const bench_args_t *a, const bench_ctx_t *ctx)
{
    uint32_t consumers = args_consumers(a), groups = args_consumer_groups(a);
    bool e2e = a->kind == KIND_PINNED_PRODUCER_AND_CONSUMER ||
               a->kind == KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP;
    uint64_t rate = rate_per_actor(a, (uint64_t)args_producers(a) + consumers);
    /* consumers measuring end to end may go a bit faster, so no queue builds up */
    if (rate && e2e)
        rate = (uint64_t)((double)rate * (double)a->read_amplification);
    finish_init(&p->shared_poll, a, FINISH_SHARED);
    for (uint32_t i = 1; i <= consumers; i++) {
        actor_t *x = add(p, ctx, ACTOR_CONSUMER, i);
        x->e2e_latency = e2e;
        x->rate_limit = rate;
        if (groups) {
            x->stream_idx = 1 + (i - 1) % groups;
            x->group_id = i % groups; /* server ids start at 0 */
            x->poll_finish = &p->shared_poll;
        } else {
            x->stream_idx = i;
            finish_init(&x->own_poll, a, FINISH_PER_CONSUMER);
            x->poll_finish = &x->own_poll;
        }
    }
}

static void add_producing_consumers(plan_t *p, const bench_args_t *a, const bench_ctx_t *ctx)
{
    uint32_t n = args_producers(a), streams = args_streams(a);
    uint64_t rate = rate_per_actor(a, n);
    for (uint32_t i = 1; i <= n; i++) {
        actor_t *x = add(p, ctx, ACTOR_PRODUCING_CONSUMER, i);
        x->stream_idx = 1 + (i - 1) % streams;
        x->partitions = args_partitions(a);
        x->e2e_latency = true;
        x->rate_limit = rate;
        finish_init(&x->own_send, a, FINISH_PER_PRODUCING_CONSUMER);
        finish_init(&x->own_poll, a, FINISH_PER_PRODUCING_CONSUMER);
        x->send_finish = &x->own_send;
        x->poll_finish = &x->own_poll;
    }
}

static void add_producing_consumer_groups(plan_t *p, const bench_args_t *a, const bench_ctx_t *ctx)
{
    uint32_t producers = args_producers(a), consumers = args_consumers(a);
    uint32_t total = producers > consumers ? producers : consumers;
    uint32_t groups = args_consumer_groups(a);
    finish_init(&p->shared_send, a, FINISH_SHARED_HALF);
    finish_init(&p->shared_poll, a, FINISH_SHARED_HALF);
    finish_init_empty(&p->empty);
    for (uint32_t i = 1; i <= total; i++) {
        actor_t *x = add(p, ctx, ACTOR_PRODUCING_CONSUMER, i);
        bool produce = i <= producers, consume = i <= consumers;
        x->stream_idx = 1 + (i - 1) % groups;
        x->partitions = args_partitions(a);
        x->e2e_latency = true;
        x->send_finish = produce ? &p->shared_send : &p->empty;
        x->poll_finish = consume ? &p->shared_poll : &p->empty;
        x->rate_limit = produce ? rate_per_actor(a, producers) : 0;
        /* each stream has exactly one group, and server ids start at 0 */
        x->group_id = consume ? 0 : -1;
    }
}

int plan_build(plan_t *p, const bench_args_t *a, const bench_ctx_t *ctx)
{
    size_t cap = (size_t)args_producers(a) + args_consumers(a) + 1;
    memset(p, 0, sizeof *p);
    finish_init_empty(&p->empty);
    p->actors = calloc(cap, sizeof *p->actors);
    if (!p->actors)
        return -1;
    switch (a->kind) {
    case KIND_PINNED_PRODUCER:
    case KIND_BALANCED_PRODUCER:
        add_producers(p, a, ctx);
        break;
    case KIND_PINNED_CONSUMER:
    case KIND_BALANCED_CONSUMER_GROUP:
        add_consumers(p, a, ctx);
        break;
    case KIND_PINNED_PRODUCER_AND_CONSUMER:
    case KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP:
        add_producers(p, a, ctx);
        add_consumers(p, a, ctx);
        break;
    case KIND_END_TO_END_PRODUCING_CONSUMER:
        add_producing_consumers(p, a, ctx);
        break;
    case KIND_END_TO_END_PRODUCING_CONSUMER_GROUP:
        add_producing_consumer_groups(p, a, ctx);
        break;
    }
    return 0;
}

/* ---------------------------------------------------------------- runs */

static void *actor_fail(actor_t *x)
{
    atomic_store(&x->state, ACTOR_FAILED);
    return NULL;
}

static bool record(actor_t *x, int64_t start, uint64_t latency_us, uint64_t messages,
                   uint64_t batches, uint64_t user_bytes, uint64_t total_bytes)
{
    record_t r = {
        (uint64_t)(iggy_mono_us() - start), latency_us, messages, batches, user_bytes, total_bytes};
    if (!records_push(&x->records, &r)) {
        snprintf(x->error, sizeof x->error, "out of memory for records");
        return false;
    }
    return true;
}

static void finish_metrics(actor_t *x, uint64_t messages, uint64_t batches)
{
    const bench_args_t *a = x->ctx->args;
    metrics_from_records(&x->metrics, &x->records, a->kind, x->kind, x->id, a->sampling_us,
                         a->moving_average_window);
    summary_actor_line(a, &x->metrics, messages, batches);
}

/* Running totals of one actor's recorded batches. */
typedef struct run_totals {
    uint64_t messages, batches, user, total;
} run_totals_t;

/* Account one recorded batch of a producer or consumer: totals, the record, the progress
 * counter the progress line reads, pacing. 1 when the run is finished, 0 to go on, -1 on
 * failure (x->error says why). */
static int account_batch(actor_t *x, run_totals_t *t, const batch_metrics_t *m, int64_t start,
                         _Atomic uint64_t *progress, rate_limiter_t *rl, finish_t *finish)
{
    t->messages += m->messages;
    t->batches++;
    t->user += m->user_bytes;
    t->total += m->total_bytes;
    if (!record(x, start, m->latency_us, t->messages, t->batches, t->user, t->total))
        return -1;
    atomic_store_explicit(progress, t->messages, memory_order_relaxed);
    atomic_store_explicit(&x->user_bytes, t->user, memory_order_relaxed);
    if (x->rate_limit)
        rate_limiter_wait(rl, m->user_bytes);
    return finish_account(finish, m->user_bytes) ? 1 : 0;
}

static void *run_producer(void *arg)
{
    actor_t *x = arg;
    const bench_args_t *a = x->ctx->args;
    producer_client_t pc;
    batch_gen_t g;
    batch_metrics_t m;
    rate_limiter_t rl;
    run_totals_t t = {0, 0, 0, 0};
    int64_t start;
    int rc;

    if (producer_client_open(&pc, x->ctx, x->stream_idx, x->partitions, x->error,
                             sizeof x->error) ||
        batch_gen_init(&g, a->message_size, a->messages_per_batch, 0x51ED2701ull * x->id,
                       !a->high_level_api)) {
        if (!x->error[0])
            snprintf(x->error, sizeof x->error, "out of memory for the batch");
        return actor_fail(x);
    }
    if (a->warmup_us) {
        int64_t end = iggy_mono_us() + (int64_t)a->warmup_us;
        while (iggy_mono_us() < end)
            if (producer_client_send(&pc, &g, &m, x->error, sizeof x->error) < 0)
                return actor_fail(x);
    }
    if (x->rate_limit)
        rate_limiter_init(&rl, x->rate_limit);
    start = iggy_mono_us();
    while (!finish_done(x->send_finish)) {
        if ((rc = producer_client_send(&pc, &g, &m, x->error, sizeof x->error)) < 0)
            return actor_fail(x);
        if (!rc)
            continue;
        if ((rc = account_batch(x, &t, &m, start, &x->sent_messages, &rl, x->send_finish)) < 0)
            return actor_fail(x);
        if (rc)
            break;
    }
    producer_client_close(&pc);
    batch_gen_free(&g);
    finish_metrics(x, t.messages, t.batches);
    atomic_store(&x->state, ACTOR_DONE);
    return NULL;
}

static void *run_consumer(void *arg)
{
    actor_t *x = arg;
    const bench_args_t *a = x->ctx->args;
    consumer_client_t cc;
    batch_metrics_t m;
    rate_limiter_t rl;
    run_totals_t t = {0, 0, 0, 0};
    int64_t start;
    int rc;

    if (consumer_client_open(&cc, x->ctx, x->id, x->group_id, x->stream_idx, x->e2e_latency,
                             x->error, sizeof x->error))
        return actor_fail(x);
    if (a->warmup_us) {
        int64_t end = iggy_mono_us() + (int64_t)a->warmup_us;
        while (iggy_mono_us() < end)
            if (consumer_client_poll(&cc, &m, x->error, sizeof x->error) < 0)
                return actor_fail(x);
    }
    if (x->rate_limit)
        rate_limiter_init(&rl, x->rate_limit);
    start = iggy_mono_us();
    while (!finish_done(x->poll_finish)) {
        if ((rc = consumer_client_poll(&cc, &m, x->error, sizeof x->error)) < 0)
            return actor_fail(x);
        if (!rc)
            continue; /* empty polls are not recorded, and there is no sleep */
        if ((rc = account_batch(x, &t, &m, start, &x->polled_messages, &rl, x->poll_finish)) < 0)
            return actor_fail(x);
        if (rc)
            break;
    }
    consumer_client_close(&cc);
    finish_metrics(x, t.messages, t.batches);
    atomic_store(&x->state, ACTOR_DONE);
    return NULL;
}

/* Sends and polls in turn; only polls are recorded, with the cumulative counts of both (so its
 * throughput is sent plus received). A pinned one waits for its own batch before the next. */
static void *run_producing_consumer(void *arg)
{
    actor_t *x = arg;
    const bench_args_t *a = x->ctx->args;
    producer_client_t pc;
    consumer_client_t cc;
    batch_gen_t g;
    batch_metrics_t m;
    rate_limiter_t rl;
    uint64_t rl_value = 0, sent_user = 0, sent_total = 0, sent_msgs = 0, sent_batches = 0;
    uint64_t recv_user = 0, recv_total = 0, recv_msgs = 0, recv_batches = 0;
    bool is_producer = x->send_finish->total > 0, is_consumer = x->poll_finish->total > 0;
    bool require_reply = is_producer && is_consumer && x->group_id < 0, awaiting = false;
    int64_t start;
    int rc;

    memset(&pc, 0, sizeof pc);
    memset(&cc, 0, sizeof cc);
    memset(&g, 0, sizeof g);
    if (is_producer && (producer_client_open(&pc, x->ctx, x->stream_idx, x->partitions, x->error,
                                             sizeof x->error) ||
                        batch_gen_init(&g, a->message_size, a->messages_per_batch,
                                       0x51ED2701ull * x->id, !a->high_level_api))) {
        if (!x->error[0])
            snprintf(x->error, sizeof x->error, "out of memory for the batch");
        return actor_fail(x);
    }
    if (is_consumer && consumer_client_open(&cc, x->ctx, x->id, x->group_id, x->stream_idx,
                                            x->e2e_latency, x->error, sizeof x->error))
        return actor_fail(x);
    if (x->rate_limit)
        rate_limiter_init(&rl, x->rate_limit);
    if (a->warmup_us) {
        int64_t end = iggy_mono_us() + (int64_t)a->warmup_us;
        while (iggy_mono_us() < end) {
            if (is_producer)
                (void)producer_client_send(&pc, &g, &m, x->error, sizeof x->error);
            if (is_consumer)
                (void)consumer_client_poll(&cc, &m, x->error, sizeof x->error);
        }
        x->error[0] = '\0'; /* upstream ignores warm-up errors here */
    }
    start = iggy_mono_us();
    while (!(finish_done(x->send_finish) && finish_done(x->poll_finish))) {
        if (is_producer && !finish_done(x->send_finish) && (!require_reply || !awaiting)) {
            if ((rc = producer_client_send(&pc, &g, &m, x->error, sizeof x->error)) < 0)
                return actor_fail(x);
            if (rc) {
                rl_value += m.user_bytes;
                sent_user += m.user_bytes;
                sent_total += m.total_bytes;
                sent_msgs += m.messages;
                sent_batches++;
                awaiting = is_consumer;
                atomic_store_explicit(&x->sent_messages, sent_msgs, memory_order_relaxed);
                (void)finish_account(x->send_finish, m.user_bytes);
            }
        }
        if (is_consumer && !finish_done(x->poll_finish)) {
            if ((rc = consumer_client_poll(&cc, &m, x->error, sizeof x->error)) < 0)
                return actor_fail(x);
            if (rc) {
                rl_value += m.user_bytes;
                recv_user += m.user_bytes;
                recv_total += m.total_bytes;
                recv_msgs += m.messages;
                recv_batches++;
                if (!record(x, start, m.latency_us, sent_msgs + recv_msgs,
                            sent_batches + recv_batches, sent_user + recv_user,
                            sent_total + recv_total))
                    return actor_fail(x);
                atomic_store_explicit(&x->polled_messages, recv_msgs, memory_order_relaxed);
                atomic_store_explicit(&x->user_bytes, sent_user + recv_user, memory_order_relaxed);
                if (x->rate_limit) {
                    rate_limiter_wait(&rl, rl_value);
                    rl_value = 0;
                }
                (void)finish_account(x->poll_finish, m.user_bytes);
                if (require_reply)
                    awaiting = false;
            }
        }
    }
    if (is_producer) {
        producer_client_close(&pc);
        batch_gen_free(&g);
    }
    if (is_consumer)
        consumer_client_close(&cc);
    finish_metrics(x, recv_msgs, recv_batches);
    atomic_store(&x->state, ACTOR_DONE);
    return NULL;
}

int plan_start(plan_t *p, char *err, size_t cap)
{
    for (size_t i = 0; i < p->count; i++) {
        actor_t *x = &p->actors[i];
        void *(*fn)(void *) = x->kind == ACTOR_PRODUCER   ? run_producer
                              : x->kind == ACTOR_CONSUMER ? run_consumer
                                                          : run_producing_consumer;
        if (pthread_create(&x->thread, NULL, fn, x) != 0) {
            snprintf(err, cap, "cannot start a thread for actor %zu", i + 1);
            return -1;
        }
        x->started = true;
    }
    return 0;
}

void plan_join(plan_t *p)
{
    for (size_t i = 0; i < p->count; i++)
        if (p->actors[i].started) {
            pthread_join(p->actors[i].thread, NULL);
            p->actors[i].started = false;
        }
}

void plan_free(plan_t *p)
{
    for (size_t i = 0; i < p->count; i++) {
        records_free(&p->actors[i].records);
        individual_metrics_free(&p->actors[i].metrics);
    }
    free(p->actors);
    memset(p, 0, sizeof *p);
}
