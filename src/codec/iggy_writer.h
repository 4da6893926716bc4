/* Little-endian writer into a pool-borrowed buffer that grows by re-borrowing. Errors are
 * sticky: encoders write unconditionally and check iggy_wr_status() once at the end. */
#ifndef IGGY_WRITER_H
#define IGGY_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <iggy/error.h>

#include "pool/iggy_pool.h"

typedef struct iggy_writer {
    iggy_pool_t *pool;
    uint8_t *data; /* borrowed from pool */
    size_t cap;
    size_t len;
    size_t limit;   /* maximum total length (frame cap) */
    iggy_err_t err; /* first failure, sticky */
    /* Bytes that follow data[0..len) on the wire without being copied (a producer's batch
     * frames, laid out at enqueue): borrowed, NULL when none. */
    const uint8_t *tail;
    size_t tail_len;
    /* The request carries a password or token: every buffer it leaves (growth, release) is
     * wiped first. */
    bool secret;
} iggy_writer_t;

/** Borrow an initial buffer of at least hint bytes; writes may not exceed limit bytes. */
iggy_err_t iggy_wr_init(iggy_writer_t *w, iggy_pool_t *pool, size_t hint, size_t limit);
/** End the request with len borrowed bytes sent after the writer's own (not copied; they must
 *  stay valid until the request is answered). Fails the writer past its limit. */
void iggy_wr_set_tail(iggy_writer_t *w, const uint8_t *tail, size_t len);
/** Return the buffer to the pool (safe to call twice); wiped first when w->secret. */
void iggy_wr_release(iggy_writer_t *w);
/** Make room for n more bytes; returns a pointer to them (NULL once failed) and advances. */
uint8_t *iggy_wr_grow(iggy_writer_t *w, size_t n);
/** Set a sticky error (with detail already set by the caller) unless one is set. */
void iggy_wr_fail(iggy_writer_t *w, iggy_err_t err);
/** Set a sticky error and its detail, unless one is set: the detail always describes the
 * first failure, the one whose code the writer keeps. */
void iggy_wr_failf(iggy_writer_t *w, iggy_err_t err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline iggy_err_t iggy_wr_status(const iggy_writer_t *w)
{
    return w->err;
}

static inline void iggy_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* Little-endian stores: one unaligned store on a little-endian host. */
static inline void iggy_put_le32(uint8_t *p, uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, sizeof v);
#else
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
#endif
}

static inline void iggy_put_le64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, sizeof v);
#else
    iggy_put_le32(p, (uint32_t)v);
    iggy_put_le32(p + 4, (uint32_t)(v >> 32));
#endif
}

void iggy_wr_u8(iggy_writer_t *w, uint8_t v);
void iggy_wr_u16(iggy_writer_t *w, uint16_t v);
void iggy_wr_u32(iggy_writer_t *w, uint32_t v);
void iggy_wr_u64(iggy_writer_t *w, uint64_t v);
void iggy_wr_bytes(iggy_writer_t *w, const void *p, size_t n);
void iggy_wr_zeros(iggy_writer_t *w, size_t n);

#endif
