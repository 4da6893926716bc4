/* When actors stop (iggy-bench's BenchmarkFinishCondition) and how fast they may go (its
 * rate limiter). */
#ifndef IGGY_C_BENCH_PACING_H
#define IGGY_C_BENCH_PACING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "args.h"

typedef enum finish_mode {
    FINISH_SHARED,      /* one counter for all actors */
    FINISH_SHARED_HALF, /* half the work, shared */
    FINISH_PER_PRODUCER,
    FINISH_PER_CONSUMER,
    FINISH_PER_PRODUCING_CONSUMER,
} finish_mode_t;

typedef struct finish {
    bool by_bytes;  /* -T: user bytes; else batches */
    uint64_t total; /* per actor, or for all sharing it */
    _Atomic int64_t left;
    finish_mode_t mode;
} finish_t;

/* The condition for mode (counts scaled exactly as iggy-bench scales them). */
void finish_init(finish_t *f, const bench_args_t *a, finish_mode_t mode);
/* An already satisfied condition (an actor that only consumes or only produces). */
void finish_init_empty(finish_t *f);
bool finish_done(finish_t *f);
/* Account one batch; true when the work is done. */
bool finish_account(finish_t *f, uint64_t user_bytes);
const char *finish_mode_name(finish_mode_t m);

/* GCRA over bytes with one second of burst, starting with the bucket drained (as iggy-bench's
 * governor limiter is). */
typedef struct rate_limiter {
    double us_per_byte;
    double tat_us; /* theoretical arrival time, monotonic us */
} rate_limiter_t;

void rate_limiter_init(rate_limiter_t *r, uint64_t bytes_per_second);
void rate_limiter_wait(rate_limiter_t *r, uint64_t bytes);

#endif
