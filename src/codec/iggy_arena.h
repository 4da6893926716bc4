/* The two-pass result arena behind every response unmarshal.
 *
 * A decoder runs twice over the same reply bytes. Pass 1 (measure: base == NULL) validates
 * every length against the bytes actually present and only adds up the space the result
 * needs; nothing is allocated, so a hostile length cannot force a big allocation. Pass 2
 * (fill) runs over ONE block of exactly that size and copies the data out; it cannot fail,
 * because pass 1 already walked the same path. The reply buffer is then free to go back to
 * the pool: nothing in the result points into it. */
#ifndef IGGY_ARENA_H
#define IGGY_ARENA_H

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct iggy_arena {
    uint8_t *base; /* NULL while measuring */
    size_t cap;
    size_t used;
    /* What the measure pass learned for the fill pass (a decoder's own use: the poll decoder
     * keeps its message count here, so the fill pass needs no counting walk). */
    size_t note;
} iggy_arena_t;

static inline int iggy_arena_measuring(const iggy_arena_t *a)
{
    return a->base == NULL;
}

/* Reserve size bytes aligned to align; NULL while measuring. */
static inline void *iggy_arena_alloc(iggy_arena_t *a, size_t size, size_t align)
{
    size_t off = (a->used + (align - 1)) & ~(align - 1);
    a->used = off + size;
    if (!a->base || !size)
        return NULL;
    return a->base + off;
}

/* An array of n elements of type T, or NULL while measuring (or when n is 0). */
#define IGGY_ARENA_ARRAY(a, T, n) ((T *)iggy_arena_alloc((a), sizeof(T) * (size_t)(n), alignof(T)))

/* Space for an array of n T placed FIRST by the fill pass but reserved LAST by the measure
 * pass (which learns n on the way): its size is rounded to max_align_t, so everything after
 * it lies at the same alignment in both passes and the totals agree. */
#define IGGY_ARENA_LEADING_SIZE(T, n)                                                              \
    (((sizeof(T) * (size_t)(n)) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))

/* Element i of arr, or the scratch element while measuring: decoders always have a
 * place to write fields, and only the fill pass writes into the arena. */
#define IGGY_ARENA_SLOT(arr, i, scratch) ((arr) ? &(arr)[i] : (scratch))

/* A NUL-terminated copy of n bytes; NULL while measuring. */
static inline const char *iggy_arena_str(iggy_arena_t *a, const uint8_t *src, size_t n)
{
    char *d = (char *)iggy_arena_alloc(a, n + 1, 1);
    if (d) {
        if (n)
            memcpy(d, src, n);
        d[n] = '\0';
    }
    return d;
}

/* A copy of n bytes followed by a NUL (for byte values that users may print). */
static inline const uint8_t *iggy_arena_bytes(iggy_arena_t *a, const uint8_t *src, size_t n)
{
    return (const uint8_t *)iggy_arena_str(a, src, n);
}

#endif
