#include "codec_helpers.h"

#include <stdio.h>

#include "codec/iggy_frame.h"

static iggy_pool_t *g_pool;

iggy_writer_t test_writer(void)
{
    iggy_writer_t w;
    if (!g_pool)
        ck_assert_int_eq(iggy_pool_new(&g_pool, 256, 1 << 20, 8, IGGY_MAX_FRAME_SIZE), IGGY_OK);
    ck_assert_int_eq(iggy_wr_init(&w, g_pool, 256, IGGY_MAX_FRAME_SIZE), IGGY_OK);
    return w;
}

static void hexdump_diff(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
    size_t n = got_len < want_len ? got_len : want_len;
    for (size_t i = 0; i < n; i++) {
        if (got[i] != want[i]) {
            fprintf(stderr, "first difference at byte %zu: got %02x want %02x\n", i, got[i],
                    want[i]);
            return;
        }
    }
    fprintf(stderr, "lengths differ: got %zu want %zu\n", got_len, want_len);
}

void assert_writer_matches(iggy_writer_t *w, const char *vector_name)
{
    const test_vector_t *v = vector_get(vector_name);
    const uint8_t *want = v->bytes;
    size_t want_len = v->len;
    ck_assert_msg(iggy_wr_status(w) == IGGY_OK, "%s: encoder failed: %s", vector_name,
                  iggy_last_error_detail());
    if (strcmp(v->kind, "request_frame") == 0) {
        want += IGGY_HEADER_SIZE;
        want_len -= IGGY_HEADER_SIZE;
    }
    if (w->len != want_len || memcmp(w->data, want, want_len) != 0) {
        hexdump_diff(w->data, w->len, want, want_len);
        ck_abort_msg("%s: encoded bytes differ from the vector", vector_name);
    }
    iggy_wr_release(w);
}

const uint8_t *reply_payload(const test_vector_t *v, int result_framed, size_t *len)
{
    const uint8_t *p = v->bytes;
    size_t n = v->len, off = 0;
    if (strcmp(v->kind, "reply_frame") == 0) {
        p += IGGY_HEADER_SIZE;
        n -= IGGY_HEADER_SIZE;
    }
    if (result_framed)
        ck_assert_int_eq(iggy_result_section_strip(p, n, &off), IGGY_OK);
    *len = n - off;
    return p + off;
}

void *decode_ok(const iggy_resp_ops_t *ops, const uint8_t *p, size_t len)
{
    void *out = NULL;
    iggy_err_t err = iggy_resp_unmarshal(ops, p, len, &out);
    ck_assert_msg(err == IGGY_OK, "%s: decode failed: %s (%s)", ops->name, iggy_err2name(err),
                  iggy_last_error_detail());
    ck_assert_ptr_nonnull(out);
    return out;
}

void put_u8(buf_t *b, uint8_t v)
{
    ck_assert_uint_lt(b->n, sizeof b->b);
    b->b[b->n++] = v;
}

void put_u16(buf_t *b, uint16_t v)
{
    put_u8(b, (uint8_t)v);
    put_u8(b, (uint8_t)(v >> 8));
}

void put_u32(buf_t *b, uint32_t v)
{
    put_u16(b, (uint16_t)v);
    put_u16(b, (uint16_t)(v >> 16));
}

void put_u64(buf_t *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

void put_bytes(buf_t *b, const void *p, size_t n)
{
    ck_assert_uint_le(b->n + n, sizeof b->b);
    if (n)
        memcpy(b->b + b->n, p, n);
    b->n += n;
}

void put_str8(buf_t *b, const char *s)
{
    put_u8(b, (uint8_t)strlen(s));
    put_bytes(b, s, strlen(s));
}

void put_str32(buf_t *b, const char *s)
{
    put_u32(b, (uint32_t)strlen(s));
    put_bytes(b, s, strlen(s));
}

void expect_invalid(iggy_writer_t *w, const char *needle)
{
    const char *detail = iggy_last_error_detail();
    ck_assert_int_eq(iggy_wr_status(w), IGGY_ERR__INVALID_ARG);
    ck_assert_msg(detail[0] != '\0', "no error detail");
    ck_assert_msg(!needle || strstr(detail, needle) != NULL, "detail \"%s\" lacks \"%s\"", detail,
                  needle);
    iggy_wr_release(w);
}
