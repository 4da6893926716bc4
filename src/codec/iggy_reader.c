#include "codec/iggy_reader.h"

#include <string.h>

#include "iggy_error_internal.h"

iggy_err_t iggy_rd_short(const iggy_reader_t *r, size_t want)
{
    return iggy_fail(IGGY_ERR__BAD_MSG, "%s: short read at offset %zu (want %zu, have %zu)", r->ctx,
                     r->off, want, r->len - r->off);
}

iggy_err_t iggy_rd_bad(const iggy_reader_t *r, const char *what)
{
    return iggy_fail(IGGY_ERR__BAD_MSG, "%s: %s at offset %zu", r->ctx, what, r->off);
}

static iggy_err_t need(const iggy_reader_t *r, size_t n)
{
    return n <= r->len - r->off ? IGGY_OK : iggy_rd_short(r, n);
}

iggy_err_t iggy_rd_u8(iggy_reader_t *r, uint8_t *v)
{
    IGGY_TRY(need(r, 1));
    *v = r->p[r->off++];
    return IGGY_OK;
}

iggy_err_t iggy_rd_u16(iggy_reader_t *r, uint16_t *v)
{
    IGGY_TRY(need(r, 2));
    *v = iggy_le16(r->p + r->off);
    r->off += 2;
    return IGGY_OK;
}

iggy_err_t iggy_rd_u32(iggy_reader_t *r, uint32_t *v)
{
    IGGY_TRY(need(r, 4));
    *v = iggy_le32(r->p + r->off);
    r->off += 4;
    return IGGY_OK;
}

iggy_err_t iggy_rd_u64(iggy_reader_t *r, uint64_t *v)
{
    IGGY_TRY(need(r, 8));
    *v = iggy_le64(r->p + r->off);
    r->off += 8;
    return IGGY_OK;
}

iggy_err_t iggy_rd_f32(iggy_reader_t *r, float *v)
{
    uint32_t bits;
    IGGY_TRY(iggy_rd_u32(r, &bits));
    memcpy(v, &bits, sizeof *v);
    return IGGY_OK;
}

iggy_err_t iggy_rd_bytes(iggy_reader_t *r, size_t n, const uint8_t **p)
{
    IGGY_TRY(need(r, n));
    *p = r->p ? r->p + r->off : NULL; /* an empty body may come as NULL */
    r->off += n;
    return IGGY_OK;
}

iggy_err_t iggy_rd_skip(iggy_reader_t *r, size_t n)
{
    IGGY_TRY(need(r, n));
    r->off += n;
    return IGGY_OK;
}

iggy_err_t iggy_rd_end(const iggy_reader_t *r)
{
    if (r->off != r->len)
        return iggy_fail(IGGY_ERR__BAD_MSG, "%s: %zu trailing bytes at offset %zu", r->ctx,
                         r->len - r->off, r->off);
    return IGGY_OK;
}

iggy_err_t iggy_rd_check_count(const iggy_reader_t *r, uint64_t count, size_t min_size)
{
    uint64_t left = r->len - r->off;
    if (min_size && count > left / min_size)
        return iggy_fail(IGGY_ERR__BAD_MSG,
                         "%s: count %llu at offset %zu cannot fit in %llu remaining bytes", r->ctx,
                         (unsigned long long)count, r->off, (unsigned long long)left);
    return IGGY_OK;
}
