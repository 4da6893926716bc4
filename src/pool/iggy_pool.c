#include "pool/iggy_pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "iggy_alloc.h"
#include "iggy_error_internal.h"

#ifndef IGGY_POOL_ENABLED
#define IGGY_POOL_ENABLED 1
#endif

#if defined(IGGY_ASAN)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define POOL_CLASSES 32
#define MAGIC_LIVE 0x1667B0FFu
#define MAGIC_SPARE 0x1667DEADu

/* Sits right before the data; data stays 16-byte aligned. */
typedef struct buf_hdr {
    struct buf_hdr *next;
    const iggy_pool_t *owner;
    size_t cap;
    uint32_t magic;
    int32_t cls; /* -1: not a pooled class, freed on return */
} buf_hdr_t;

#define HDR_SIZE ((sizeof(buf_hdr_t) + 15u) & ~(size_t)15u)

struct iggy_pool {
    pthread_mutex_t lock;
    size_t min_cls_cap;
    size_t max_spare_cap;
    size_t max_spare;
    size_t max_cap;
    int ncls;
    buf_hdr_t *free_list[POOL_CLASSES];
    size_t free_count[POOL_CLASSES];
    iggy_pool_stats_t st;
};

static size_t round_pow2(size_t v)
{
    size_t r = 64;
    while (r < v && r < ((size_t)1 << 62))
        r <<= 1;
    return r;
}

static uint8_t *data_of(buf_hdr_t *h)
{
    return (uint8_t *)h + HDR_SIZE;
}

static buf_hdr_t *hdr_of(uint8_t *data)
{
    return (buf_hdr_t *)(void *)(data - HDR_SIZE);
}

iggy_err_t iggy_pool_new(iggy_pool_t **out, size_t initial_cap, size_t max_spare_cap,
                         size_t max_spare, size_t max_cap)
{
    iggy_pool_t *p;
    *out = NULL;
    if (!initial_cap || max_spare_cap < initial_cap || max_cap < initial_cap)
        return iggy_fail(IGGY_ERR__INVALID_ARG,
                         "pool: need 0 < initial_cap <= max_spare_cap, max_cap");
    p = iggy_mem_calloc(1, sizeof *p);
    if (!p)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "pool: no memory");
    pthread_mutex_init(&p->lock, NULL);
    p->min_cls_cap = round_pow2(initial_cap);
    p->max_spare_cap = max_spare_cap;
    p->max_spare = max_spare;
    p->max_cap = max_cap;
    for (size_t c = p->min_cls_cap; c <= max_spare_cap && p->ncls < POOL_CLASSES; c <<= 1)
        p->ncls++;
    *out = p;
    return IGGY_OK;
}

static void free_buf(buf_hdr_t *h)
{
    h->magic = 0;
    iggy_mem_free(h);
}

void iggy_pool_destroy(iggy_pool_t *p)
{
    if (!p)
        return;
    for (int c = 0; c < p->ncls; c++) {
        buf_hdr_t *h = p->free_list[c];
        while (h) {
            buf_hdr_t *next = h->next;
            UNPOISON(data_of(h), h->cap);
            free_buf(h);
            h = next;
        }
    }
    pthread_mutex_destroy(&p->lock);
    iggy_mem_free(p);
}

/* Class index for a request, or -1 when it is above the spare ceiling. */
static int class_for(const iggy_pool_t *p, size_t min_cap, size_t *cls_cap)
{
    size_t c = p->min_cls_cap;
    for (int i = 0; i < p->ncls; i++, c <<= 1) {
        if (c >= min_cap) {
            *cls_cap = c;
            return i;
        }
    }
    *cls_cap = min_cap;
    return -1;
}

iggy_err_t iggy_pool_get(iggy_pool_t *p, size_t min_cap, uint8_t **buf, size_t *cap)
{
    size_t cls_cap;
    int cls;
    buf_hdr_t *h = NULL;

    *buf = NULL;
    if (min_cap > p->max_cap)
        return iggy_fail(IGGY_ERR__MSG_TOO_LARGE, "pool: %zu bytes requested, limit %zu", min_cap,
                         p->max_cap);
    cls = class_for(p, min_cap ? min_cap : 1, &cls_cap);

    pthread_mutex_lock(&p->lock);
    if (IGGY_POOL_ENABLED && cls >= 0 && p->free_list[cls]) {
        h = p->free_list[cls];
        p->free_list[cls] = h->next;
        p->free_count[cls]--;
        p->st.spare--;
    } else {
        p->st.misses++;
    }
    pthread_mutex_unlock(&p->lock);

    if (h) {
        UNPOISON(data_of(h), h->cap);
    } else {
        h = iggy_mem_alloc(HDR_SIZE + cls_cap);
        if (!h)
            return iggy_fail(IGGY_ERR__NO_MEMORY, "pool: cannot allocate %zu bytes", cls_cap);
        h->owner = p;
        h->cap = cls_cap;
        h->cls = cls;
    }
    h->next = NULL;
    h->magic = MAGIC_LIVE;

    pthread_mutex_lock(&p->lock);
    p->st.borrows++;
    p->st.in_use++;
    if (p->st.in_use > p->st.high_water)
        p->st.high_water = p->st.in_use;
    pthread_mutex_unlock(&p->lock);

    *buf = data_of(h);
    *cap = h->cap;
    return IGGY_OK;
}

iggy_err_t iggy_pool_put(iggy_pool_t *p, uint8_t *buf)
{
    buf_hdr_t *h;
    bool keep = false;

    if (!buf)
        return IGGY_OK;
    h = hdr_of(buf);
    /* Best effort: a foreign pointer may not have a readable header at all; pointers we
     * handed out always do. */
    pthread_mutex_lock(&p->lock);
    if (h->owner != p || (h->magic != MAGIC_LIVE && h->magic != MAGIC_SPARE)) {
        pthread_mutex_unlock(&p->lock);
        return iggy_fail(IGGY_ERR__POOL_MISUSE, "pool: %p was not borrowed from this pool",
                         (void *)buf);
    }
    if (h->magic == MAGIC_SPARE) {
        pthread_mutex_unlock(&p->lock);
        return iggy_fail(IGGY_ERR__POOL_MISUSE, "pool: %p returned twice", (void *)buf);
    }
    p->st.returns++;
    p->st.in_use--;
    if (IGGY_POOL_ENABLED && h->cls >= 0 && p->free_count[h->cls] < p->max_spare) {
        keep = true;
        h->magic = MAGIC_SPARE;
#ifndef NDEBUG
        memset(buf, 0xDD, h->cap); /* stale reads show up as 0xDD, never as old data */
#endif
        POISON(buf, h->cap);
        h->next = p->free_list[h->cls];
        p->free_list[h->cls] = h;
        p->free_count[h->cls]++;
        p->st.spare++;
    } else {
        p->st.discards++;
    }
    pthread_mutex_unlock(&p->lock);
    if (!keep)
        free_buf(h);
    return IGGY_OK;
}

void iggy_pool_get_stats(iggy_pool_t *p, iggy_pool_stats_t *st)
{
    pthread_mutex_lock(&p->lock);
    *st = p->st;
    pthread_mutex_unlock(&p->lock);
}
