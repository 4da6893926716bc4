/* Bounds-checked little-endian reader over a borrowed byte range (sans-IO). Every
 * failure returns IGGY_ERR__BAD_MSG and sets the thread's detail string with the
 * context name, the offset and what was missing. */
#ifndef IGGY_READER_H
#define IGGY_READER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <iggy/error.h>

typedef struct iggy_reader {
    const uint8_t *p;
    size_t len;
    size_t off;
    const char *ctx; /* command or structure name for error details */
    void *opts;      /* per-call decode options (poll decryption, ...), or NULL */
} iggy_reader_t;

static inline void iggy_rd_init(iggy_reader_t *r, const void *p, size_t len, const char *ctx)
{
    r->p = (const uint8_t *)p;
    r->len = len;
    r->off = 0;
    r->ctx = ctx;
    r->opts = NULL;
}

static inline size_t iggy_rd_left(const iggy_reader_t *r)
{
    return r->len - r->off;
}

static inline uint16_t iggy_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

/* Little-endian loads: one unaligned load on a little-endian host (the compiler turns the
 * memcpy into a mov), byte by byte elsewhere. */
static inline uint32_t iggy_le32(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
#else
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
#endif
}

static inline uint64_t iggy_le64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
#else
    return (uint64_t)iggy_le32(p) | ((uint64_t)iggy_le32(p + 4) << 32);
#endif
}

/** Fail with "ctx: short read at offset X (want N, have M)". */
iggy_err_t iggy_rd_short(const iggy_reader_t *r, size_t want);
/** Fail with "ctx: <what> at offset X". */
iggy_err_t iggy_rd_bad(const iggy_reader_t *r, const char *what);

iggy_err_t iggy_rd_u8(iggy_reader_t *r, uint8_t *v);
iggy_err_t iggy_rd_u16(iggy_reader_t *r, uint16_t *v);
iggy_err_t iggy_rd_u32(iggy_reader_t *r, uint32_t *v);
iggy_err_t iggy_rd_u64(iggy_reader_t *r, uint64_t *v);
iggy_err_t iggy_rd_f32(iggy_reader_t *r, float *v);
/** Borrow n bytes in place (pointer into the reader's range). */
iggy_err_t iggy_rd_bytes(iggy_reader_t *r, size_t n, const uint8_t **p);
iggy_err_t iggy_rd_skip(iggy_reader_t *r, size_t n);
/** Require that the range is fully consumed. */
iggy_err_t iggy_rd_end(const iggy_reader_t *r);
/** Check that count elements of at least min_size bytes each could still fit; rejects
 * hostile counts before anything is sized from them. */
iggy_err_t iggy_rd_check_count(const iggy_reader_t *r, uint64_t count, size_t min_size);

#endif
