/* A log-linear histogram of microsecond durations: 8 buckets per power of two (a percentile
 * read from it is within 12.5% above the true value), exact below 8 us, the last bucket
 * open-ended (2^40 us, about 12 days). Writers add with relaxed atomics, so a reader may
 * snapshot it while other threads record: no lock on the path that records. */
#ifndef IGGY_HIST_H
#define IGGY_HIST_H

#include <stddef.h>
#include <stdint.h>

#define IGGY_HIST_BUCKETS 312 /* 8 exact, then 8 per power of two from 2^3 to 2^40 */

typedef struct iggy_hist {
    uint64_t b[IGGY_HIST_BUCKETS];
} iggy_hist_t;

static inline size_t iggy_hist_bucket(uint64_t us)
{
    unsigned log;
    size_t b;
    if (us < 8)
        return (size_t)us;
    log = (unsigned)(63 - __builtin_clzll(us)); /* >= 3 */
    b = (size_t)(log - 2) * 8 + (size_t)((us >> (log - 3)) - 8);
    return b < IGGY_HIST_BUCKETS ? b : IGGY_HIST_BUCKETS - 1;
}

/* The largest value bucket b holds. */
static inline uint64_t iggy_hist_bucket_max(size_t b)
{
    unsigned log, sub;
    if (b < 8)
        return b;
    log = (unsigned)(b / 8) + 2;
    sub = (unsigned)(b % 8);
    return ((uint64_t)(8 + sub) << (log - 3)) + ((1ull << (log - 3)) - 1);
}

static inline void iggy_hist_add(iggy_hist_t *h, uint64_t us)
{
    __atomic_add_fetch(&h->b[iggy_hist_bucket(us)], 1, __ATOMIC_RELAXED);
}

/* Add h's counts into sum (a snapshot, read with relaxed loads); returns how many h holds. */
static inline uint64_t iggy_hist_merge(const iggy_hist_t *h, uint64_t *sum)
{
    uint64_t total = 0;
    for (size_t i = 0; i < IGGY_HIST_BUCKETS; i++) {
        uint64_t n = __atomic_load_n(&h->b[i], __ATOMIC_RELAXED);
        sum[i] += n;
        total += n;
    }
    return total;
}

/* The q-quantile (0 < q <= 1) of counts holding total values: the upper bound of the bucket
 * the ceil(q * total)-th smallest value falls in; 0 when empty. */
static inline uint64_t iggy_hist_quantile(const uint64_t *counts, uint64_t total, double q)
{
    uint64_t rank = (uint64_t)((double)total * q), seen = 0;
    if (!total)
        return 0;
    if ((double)rank < (double)total * q)
        rank++;
    if (rank < 1)
        rank = 1;
    for (size_t i = 0; i < IGGY_HIST_BUCKETS; i++) {
        seen += counts[i];
        if (seen >= rank)
            return iggy_hist_bucket_max(i);
    }
    return iggy_hist_bucket_max(IGGY_HIST_BUCKETS - 1);
}

#endif
