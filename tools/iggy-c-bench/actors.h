/* The actors of a benchmark kind (producers, consumers, producing consumers), one thread and
 * one client (two for a producing consumer) each, laid out as iggy-bench's
 * benchmarks/common.rs lays them out: streams, groups, finish conditions and rate limits. */
#ifndef IGGY_C_BENCH_ACTORS_H
#define IGGY_C_BENCH_ACTORS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "args.h"
#include "clients.h"
#include "metrics.h"
#include "pacing.h"

typedef struct actor {
    actor_kind_t kind;
    uint32_t id;
    uint32_t stream_idx; /* bench-stream-N */
    uint32_t partitions;
    int64_t group_id;    /* numeric group id, -1: a single consumer */
    bool e2e_latency;    /* consumers: now minus the first message's origin_timestamp */
    uint64_t rate_limit; /* bytes/s for this actor, 0: none */
    finish_t *send_finish, *poll_finish;
    finish_t own_send, own_poll; /* unless shared */
    const bench_ctx_t *ctx;

    /* progress, read by the main thread while it runs */
    _Atomic uint64_t sent_messages, polled_messages, user_bytes;
    _Atomic int state; /* ACTOR_RUNNING, ACTOR_DONE, ACTOR_FAILED */
    char error[512];

    records_t records;
    individual_metrics_t metrics;
    pthread_t thread;
    bool started;
} actor_t;

enum { ACTOR_RUNNING, ACTOR_DONE, ACTOR_FAILED };

typedef struct plan {
    actor_t *actors;
    size_t count;
    finish_t shared_send, shared_poll, empty;
} plan_t;

/* Lay out the actors of a->kind (not started). */
int plan_build(plan_t *p, const bench_args_t *a, const bench_ctx_t *ctx);
/* Start one thread per actor. */
int plan_start(plan_t *p, char *err, size_t cap);
/* Join every started thread. */
void plan_join(plan_t *p);
void plan_free(plan_t *p);

#endif
