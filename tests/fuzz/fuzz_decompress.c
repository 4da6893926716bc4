/* Decompression of every codec (src/codec/iggy_compress.c): byte 0 picks the codec, a
 * per-message limit and a number of copies (FUZZ_DECOMP_BYTE); the rest is one compressed
 * payload. First the codec API on its own: a declared size above the limit is refused
 * before anything is allocated, exact decoding produces exactly the declared size, bounded
 * decoding never passes its capacity nor the bound iggy_decompressed_bound promised, and
 * both agree. Then the poll path: a reply of that many copies of the payload, marked with
 * the codec, decoded as the client does under the library's per-reply budget (the default,
 * 16 x the reply, at least 4 MiB), which fuzz_poll_common.h checks for output, work and
 * memory; a bomb repeated in a reply cannot pass it. */
#include "fuzz_poll_common.h"

static const size_t LIMITS[4] = {64u << 10, 1u << 20, 4u << 20, 16u << 20};
#define BOUNDED_CAP_MAX (256u << 10) /* what the bounded check decodes into at most */

/* The codec API alone; returns the exact decoding (malloc'd, *n bytes) or NULL. */
static uint8_t *codec_api(iggy_compress_ctx_t *ctx, iggy_compression_codec_t codec,
                          const uint8_t *src, size_t n, size_t limit, size_t *exact_len)
{
    size_t declared = 0, bound, cap, got = 0;
    uint8_t *exact = NULL, *bounded;
    int unknown = iggy_compress_size_unknown(codec, src, n);
    iggy_err_t err;

    iggy_detail_clear();
    err = iggy_decompressed_size(codec, src, n, limit, &declared);
    FUZZ_CHECK(err == IGGY_OK || err == IGGY_ERR__BAD_COMPRESSION, "size: %d", (int)err);
    FUZZ_CHECK_DETAIL(err);
    FUZZ_CHECK(err != IGGY_OK || declared <= limit, "declared %zu above limit %zu", declared,
               limit);
    FUZZ_CHECK(!(unknown && err == IGGY_OK), "a frame of unknown size declared %zu", declared);
    if (err == IGGY_OK) {
        exact = malloc(declared ? declared : 1);
        FUZZ_CHECK(exact != NULL, "malloc %zu", declared);
        err = iggy_decompress(ctx, codec, src, n, exact, declared);
        FUZZ_CHECK(err == IGGY_OK || err == IGGY_ERR__BAD_COMPRESSION, "exact: %d", (int)err);
        FUZZ_CHECK_DETAIL(err);
        if (err != IGGY_OK) {
            free(exact);
            exact = NULL;
        }
    }

    bound = iggy_decompressed_bound(codec, src, n);
    FUZZ_CHECK(unknown || bound == SIZE_MAX, "a bound %zu for a frame of known size", bound);
    cap = limit < BOUNDED_CAP_MAX ? limit : BOUNDED_CAP_MAX;
    bounded = malloc(cap);
    FUZZ_CHECK(bounded != NULL, "malloc %zu", cap);
    iggy_detail_clear();
    err = iggy_decompress_bounded(ctx, codec, src, n, bounded, cap, &got);
    FUZZ_CHECK(err == IGGY_OK || err == IGGY_ERR__BAD_COMPRESSION, "bounded: %d", (int)err);
    FUZZ_CHECK_DETAIL(err);
    if (err == IGGY_OK) {
        FUZZ_CHECK(got <= cap, "bounded: %zu bytes into %zu", got, cap);
        FUZZ_CHECK(!unknown || got <= bound, "bounded: %zu bytes, bound %zu", got, bound);
        FUZZ_CHECK(!exact || (got == declared && memcmp(bounded, exact, got) == 0),
                   "bounded (%zu bytes) and exact (%zu bytes) disagree", got, declared);
    } else {
        FUZZ_CHECK(!exact || declared > cap, "exact decoded %zu bytes, bounded into %zu failed",
                   declared, cap);
    }
    free(bounded);
    *exact_len = declared;
    return exact;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_poll_ctx_t *c;
    iggy_compression_codec_t codec;
    size_t limit, n, exact_len = 0, reply_len, hlen;
    unsigned copies;
    uint8_t *src, *exact, *reply, headers[64];
    iggy_polled_messages_t *out = NULL;
    iggy_kv_t marker;
    iggy_err_t err;

    fuzz_setup();
    if (size < 1)
        return 0;
    c = fuzz_poll_ctx();
    codec = (iggy_compression_codec_t)(data[0] & 3u);
    limit = LIMITS[(data[0] >> 2) & 3u];
    copies = 1u + (data[0] >> 4);
    n = size - 1;
    src = fuzz_dup(data + 1, n);
    exact = codec_api(c->comp, codec, src, n, limit, &exact_len);

    marker.key_kind = IGGY_KV_STRING;
    marker.value_kind = IGGY_KV_STRING;
    marker.key = (const uint8_t *)IGGY_COMPRESSION_HEADER_KEY;
    marker.key_len = sizeof IGGY_COMPRESSION_HEADER_KEY - 1;
    marker.value = (const uint8_t *)iggy_codec_name(codec);
    marker.value_len = (uint32_t)strlen(iggy_codec_name(codec));
    hlen = (size_t)(iggy_kv_block_put(headers, &marker, 1) - headers);
    reply = fuzz_poll_reply(src, n, headers, hlen, copies, &reply_len);
    {
        /* FUZZ_POLL_SMALL_MAX and the default per-message limit bracket the limits here. */
        unsigned flags = FUZZ_POLL_DECOMPRESS | (limit <= FUZZ_SMALL_MAX ? FUZZ_POLL_SMALL_MAX : 0);
        err = fuzz_poll_decode(reply, reply_len, flags, &out);
    }
    FUZZ_CHECK(err == IGGY_OK, "a well-formed reply did not decode: %d", (int)err);
    FUZZ_CHECK(out->count == copies, "%zu messages, built %u", out->count, copies);
    for (size_t i = 0; i < out->count; i++) {
        const iggy_message_t *m = &out->messages[i];
        /* A payload the codec API decoded within the poll's limit comes out the same, unless
         * the reply's budget ran out first. */
        if (m->error == IGGY_OK && exact && codec != IGGY_COMPRESSION_CODEC_NONE)
            FUZZ_CHECK(m->payload_len == exact_len && memcmp(m->payload, exact, exact_len) == 0,
                       "message %zu: %u bytes, the codec API gave %zu", i, m->payload_len,
                       exact_len);
        if (m->error != IGGY_OK)
            FUZZ_CHECK(m->payload_len == n && (n == 0 || memcmp(m->payload, src, n) == 0),
                       "message %zu: failed (%d) but its payload is not the bytes received", i,
                       m->error);
    }
    iggy_result_destroy(out);
    free(reply);
    free(exact);
    free(src);
    return 0;
}
