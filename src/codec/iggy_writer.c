#include "codec/iggy_writer.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "iggy_error_internal.h"

iggy_err_t iggy_wr_init(iggy_writer_t *w, iggy_pool_t *pool, size_t hint, size_t limit)
{
    w->pool = pool;
    w->len = 0;
    w->limit = limit;
    w->tail = NULL;
    w->tail_len = 0;
    w->secret = false;
    w->err = iggy_pool_get(pool, hint, &w->data, &w->cap);
    return w->err;
}

void iggy_wr_set_tail(iggy_writer_t *w, const uint8_t *tail, size_t len)
{
    if (w->err != IGGY_OK)
        return;
    if (len > w->limit || w->len > w->limit - len) {
        iggy_wr_failf(w, IGGY_ERR__MSG_TOO_LARGE,
                      "request of %zu bytes exceeds the %zu-byte frame limit", w->len + len,
                      w->limit);
        return;
    }
    w->tail = tail;
    w->tail_len = len;
}

void iggy_wr_release(iggy_writer_t *w)
{
    if (w->data) {
        if (w->secret)
            OPENSSL_cleanse(w->data, w->len);
        iggy_pool_put(w->pool, w->data);
        w->data = NULL;
        w->cap = 0;
    }
}

void iggy_wr_fail(iggy_writer_t *w, iggy_err_t err)
{
    if (w->err == IGGY_OK)
        w->err = err;
}

void iggy_wr_failf(iggy_writer_t *w, iggy_err_t err, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    if (w->err != IGGY_OK)
        return;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    w->err = iggy_fail(err, "%s", detail);
}

uint8_t *iggy_wr_grow(iggy_writer_t *w, size_t n)
{
    uint8_t *p;
    if (w->err != IGGY_OK)
        return NULL;
    if (n > w->limit - w->len) {
        iggy_wr_failf(w, IGGY_ERR__MSG_TOO_LARGE,
                      "request of at least %zu bytes exceeds the %zu-byte frame limit", w->len + n,
                      w->limit);
        return NULL;
    }
    if (w->len + n > w->cap) {
        uint8_t *bigger;
        size_t cap, want = w->cap * 2 > w->len + n ? w->cap * 2 : w->len + n;
        if (want > w->limit)
            want = w->limit;
        iggy_err_t err = iggy_pool_get(w->pool, want, &bigger, &cap);
        if (err != IGGY_OK) {
            iggy_wr_fail(w, err);
            return NULL;
        }
        memcpy(bigger, w->data, w->len);
        if (w->secret)
            OPENSSL_cleanse(w->data, w->len);
        iggy_pool_put(w->pool, w->data);
        w->data = bigger;
        w->cap = cap;
    }
    p = w->data + w->len;
    w->len += n;
    return p;
}

void iggy_wr_u8(iggy_writer_t *w, uint8_t v)
{
    uint8_t *p = iggy_wr_grow(w, 1);
    if (p)
        *p = v;
}

void iggy_wr_u16(iggy_writer_t *w, uint16_t v)
{
    uint8_t *p = iggy_wr_grow(w, 2);
    if (p)
        iggy_put_le16(p, v);
}

void iggy_wr_u32(iggy_writer_t *w, uint32_t v)
{
    uint8_t *p = iggy_wr_grow(w, 4);
    if (p)
        iggy_put_le32(p, v);
}

void iggy_wr_u64(iggy_writer_t *w, uint64_t v)
{
    uint8_t *p = iggy_wr_grow(w, 8);
    if (p)
        iggy_put_le64(p, v);
}

void iggy_wr_bytes(iggy_writer_t *w, const void *src, size_t n)
{
    uint8_t *p = iggy_wr_grow(w, n);
    if (p && n)
        memcpy(p, src, n);
}

void iggy_wr_zeros(iggy_writer_t *w, size_t n)
{
    uint8_t *p = iggy_wr_grow(w, n);
    if (p && n)
        memset(p, 0, n);
}
