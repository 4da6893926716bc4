/* Thread-safe buffer pool: every RPC borrows its request and reply buffers here.
 *
 * Buffers come in power-of-two size classes from the pool's initial capacity up to its
 * spare ceiling. Returned buffers above the ceiling are freed, not kept. A borrow above
 * max_cap fails with IGGY_ERR__MSG_TOO_LARGE. With IGGY_POOL_ENABLED=0 every borrow is a
 * fresh allocation and every return a free, so ASan and valgrind see use-after-return. */
#ifndef IGGY_POOL_H
#define IGGY_POOL_H

#include <stddef.h>
#include <stdint.h>

#include <iggy/error.h>

typedef struct iggy_pool iggy_pool_t;

/** Pool counters (a snapshot). */
typedef struct iggy_pool_stats {
    uint64_t borrows;    /* successful iggy_pool_get calls */
    uint64_t returns;    /* successful iggy_pool_put calls */
    uint64_t misses;     /* borrows that had to allocate */
    uint64_t discards;   /* returns that freed the buffer (oversize or surplus) */
    uint64_t in_use;     /* borrowed and not yet returned */
    uint64_t high_water; /* maximum of in_use */
    uint64_t spare;      /* buffers kept for reuse */
} iggy_pool_stats_t;

/**
 * Create a pool. initial_cap: the smallest class (rounded up to a power of two, >= 64).
 * max_spare_cap: the largest buffer kept on return (the ceiling). max_spare: buffers kept
 * per class. max_cap: the largest buffer that may be borrowed at all.
 */
iggy_err_t iggy_pool_new(iggy_pool_t **out, size_t initial_cap, size_t max_spare_cap,
                         size_t max_spare, size_t max_cap);

/** Destroy the pool and its spare buffers. Buffers still borrowed are reported by stats. */
void iggy_pool_destroy(iggy_pool_t *p);

/** Borrow a buffer with at least min_cap bytes; *cap receives its capacity. */
iggy_err_t iggy_pool_get(iggy_pool_t *p, size_t min_cap, uint8_t **buf, size_t *cap);

/** Return a borrowed buffer (NULL is a no-op). A double return or a pointer this pool did
 * not hand out is refused with IGGY_ERR__POOL_MISUSE and nothing is freed. */
iggy_err_t iggy_pool_put(iggy_pool_t *p, uint8_t *buf);

/** Snapshot the counters. */
void iggy_pool_get_stats(iggy_pool_t *p, iggy_pool_stats_t *st);

#endif
