#include <openssl/crypto.h>
#include <stdalign.h>
#include <stddef.h>

#include <iggy/types.h>

#include "codec/iggy_resp.h"
#include "iggy_alloc.h"
#include "iggy_error_internal.h"

#define RESULT_MAGIC 0x16617E5Au

/* Hidden in front of every result block. */
typedef struct result_hdr {
    size_t cap; /* bytes usable after the header */
    const iggy_resp_ops_t *ops;
    uint32_t magic;
} result_hdr_t;

#define HDR_SIZE ((sizeof(result_hdr_t) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))

static result_hdr_t *hdr_of(const void *result)
{
    return (result_hdr_t *)(void *)((uint8_t *)(uintptr_t)result - HDR_SIZE);
}

void iggy_result_destroy(const void *result)
{
    result_hdr_t *h;
    if (!result)
        return;
    h = hdr_of(result);
    if (h->magic != RESULT_MAGIC)
        return; /* not ours, or destroyed twice: never free what we did not allocate */
    h->magic = 0;
    if (h->ops == &iggy_resp_raw_pat)
        OPENSSL_cleanse((uint8_t *)h + HDR_SIZE, h->cap); /* the only copy of a new token */
    iggy_mem_free(h);
}

iggy_err_t iggy_resp_unmarshal(const iggy_resp_ops_t *ops, const uint8_t *payload, size_t len,
                               void **inout)
{
    return iggy_resp_unmarshal_ctx(ops, payload, len, NULL, inout);
}

iggy_err_t iggy_resp_unmarshal_ctx(const iggy_resp_ops_t *ops, const uint8_t *payload, size_t len,
                                   void *ctx, void **inout)
{
    alignas(max_align_t) uint8_t scratch[512];
    iggy_arena_t a = {NULL, 0, 0, 0};
    size_t cap;
    iggy_reader_t r;
    result_hdr_t *h = NULL;
    void *root;
    iggy_err_t err;

    /* Pass 1: validate and size. The root struct is written to scratch. */
    if (ops->size > sizeof scratch)
        return iggy_fail(IGGY_ERR__STATE, "%s: root struct too large", ops->name);
    iggy_arena_alloc(&a, ops->size, alignof(max_align_t));
    iggy_rd_init(&r, payload, len, ops->name);
    r.opts = ctx;
    memset(scratch, 0, ops->size);
    err = ops->decode(&r, &a, scratch);
    if (err != IGGY_OK)
        return err;

    /* Reuse the caller's previous block when it is ours and big enough. */
    if (*inout) {
        result_hdr_t *old = hdr_of(*inout);
        if (old->magic == RESULT_MAGIC && old->ops == ops && old->cap >= a.used)
            h = old;
    }
    if (!h) {
        /* Replacing a caller's block: grow with headroom so reuse settles quickly. */
        cap = a.used;
        if (*inout && hdr_of(*inout)->magic == RESULT_MAGIC && hdr_of(*inout)->cap * 2 > cap)
            cap = hdr_of(*inout)->cap * 2;
        h = iggy_mem_alloc(HDR_SIZE + cap);
        if (!h)
            return iggy_fail(IGGY_ERR__NO_MEMORY, "%s: cannot allocate %zu bytes", ops->name, cap);
        h->cap = cap;
        h->ops = ops;
        h->magic = RESULT_MAGIC;
        if (*inout)
            iggy_result_destroy(*inout);
    }

    /* Pass 2: copy out. Same bytes, same path: it cannot fail. */
    a.base = (uint8_t *)h + HDR_SIZE;
    a.cap = h->cap;
    a.used = 0;
    root = iggy_arena_alloc(&a, ops->size, alignof(max_align_t));
    memset(root, 0, ops->size);
    iggy_rd_init(&r, payload, len, ops->name);
    r.opts = ctx;
    err = ops->decode(&r, &a, root);
    if (err != IGGY_OK) {
        /* Unreachable unless a decoder is not deterministic: fail closed. */
        iggy_result_destroy(root);
        *inout = NULL;
        return iggy_fail(IGGY_ERR__STATE, "%s: fill pass disagreed with measure pass", ops->name);
    }
    *inout = root;
    return IGGY_OK;
}

void *iggy_result_alloc(size_t size)
{
    result_hdr_t *h = iggy_mem_calloc(1, HDR_SIZE + size);
    if (!h)
        return NULL;
    h->cap = size;
    h->ops = NULL;
    h->magic = RESULT_MAGIC;
    return (uint8_t *)h + HDR_SIZE;
}
