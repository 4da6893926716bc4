#include "pacing.h"
#include "iggy_clock.h"

void finish_init(finish_t *f, const bench_args_t *a, finish_mode_t mode)
{
    uint64_t p = args_producers(a), c = args_consumers(a), factor = 1, multiplier = 1;
    switch (mode) {
    case FINISH_SHARED:
        factor = 1;
        break;
    case FINISH_SHARED_HALF:
        factor = 2;
        break;
    case FINISH_PER_PRODUCER:
        factor = p;
        break;
    case FINISH_PER_CONSUMER:
        factor = c;
        break;
    case FINISH_PER_PRODUCING_CONSUMER:
        factor = p * 2;
        break;
    }
    /* iggy-bench scales -b by this before dividing by the factor: with producers and consumers
     * of one kind (ppc) each actor gets b * (p + c) / p batches, not b. */
    switch (a->kind) {
    case KIND_PINNED_PRODUCER:
    case KIND_BALANCED_PRODUCER:
    case KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP:
        multiplier = p;
        break;
    case KIND_PINNED_CONSUMER:
    case KIND_BALANCED_CONSUMER_GROUP:
        multiplier = c;
        break;
    case KIND_PINNED_PRODUCER_AND_CONSUMER:
        multiplier = p + c;
        break;
    case KIND_END_TO_END_PRODUCING_CONSUMER:
    case KIND_END_TO_END_PRODUCING_CONSUMER_GROUP:
        multiplier = p * 2;
        break;
    }
    if (!factor)
        factor = 1;
    f->mode = mode;
    if (a->total_data) {
        f->by_bytes = true;
        f->total = a->total_data / factor;
    } else {
        f->by_bytes = false;
        f->total = (uint64_t)a->message_batches * multiplier / factor;
    }
    atomic_init(&f->left, (int64_t)f->total);
}

void finish_init_empty(finish_t *f)
{
    f->by_bytes = false;
    f->total = 0;
    f->mode = FINISH_SHARED;
    atomic_init(&f->left, 0);
}

bool finish_done(finish_t *f)
{
    return atomic_load_explicit(&f->left, memory_order_relaxed) <= 0;
}

bool finish_account(finish_t *f, uint64_t user_bytes)
{
    atomic_fetch_sub(&f->left, f->by_bytes ? (int64_t)user_bytes : 1);
    return atomic_load(&f->left) <= 0;
}

const char *finish_mode_name(finish_mode_t m)
{
    static const char *const names[] = {"shared", "shared-half", "per-producer", "per-consumer",
                                        "per-producing-consumer"};
    return names[m];
}

void rate_limiter_init(rate_limiter_t *r, uint64_t bytes_per_second)
{
    if (bytes_per_second > UINT32_MAX)
        bytes_per_second = UINT32_MAX;
    r->us_per_byte = 1e6 / (double)bytes_per_second;
    /* the full one-second burst is spent at the start, so nothing bursts */
    r->tat_us = (double)iggy_mono_us() + 1e6;
}

void rate_limiter_wait(rate_limiter_t *r, uint64_t bytes)
{
    double need = (double)bytes * r->us_per_byte, now = (double)iggy_mono_us();
    double allowed_at = r->tat_us + need - 1e6;
    if (allowed_at > now) {
        double wait = allowed_at - now;
        struct timespec ts = {(time_t)(wait / 1e6),
                              (long)((wait - (double)(time_t)(wait / 1e6) * 1e6) * 1000)};
        while (nanosleep(&ts, &ts) != 0) {
        }
        now = (double)iggy_mono_us();
    }
    r->tat_us = (r->tat_us > now ? r->tat_us : now) + need;
}
