/* Decoding a poll reply as the client's poll path does (src/client/iggy_messages.c,
 * poll_once), with every check the poll, decompress and decrypt targets share: the outcome
 * is IGGY_OK or IGGY_ERR__BAD_MSG with a detail; every message's bytes are readable; a
 * message's error is one a transform may leave; and the reply's decompression stays within
 * its budget: output, work, the inflate buffer and the memory held while decoding. */
#ifndef IGGY_FUZZ_POLL_COMMON_H
#define IGGY_FUZZ_POLL_COMMON_H

#include <iggy/types.h>

#include "codec/iggy_batch.h"
#include "codec/iggy_message_transform.h"
#include "codec/iggy_primitives.h"
#include "codec/iggy_writer.h"
#include "fuzz_common.h"
#include "iggy_error_internal.h"

#define FUZZ_SMALL_BUDGET (256u << 10)
#define FUZZ_SMALL_MAX (64u << 10)
#define FUZZ_KEEP_MAX (16u << 20) /* the client frees a larger inflate buffer after a poll */

/* What the client keeps per transform slot, reused across inputs as across polls. */
typedef struct fuzz_poll_ctx {
    iggy_compress_ctx_t *comp;
    iggy_crypto_ctx_t *crypto;
    iggy_scratch_t scratch;
    iggy_inflate_state_t inflate;
} fuzz_poll_ctx_t;

static inline fuzz_poll_ctx_t *fuzz_poll_ctx(void)
{
    static fuzz_poll_ctx_t c;
    if (!c.comp) {
        c.comp = iggy_compress_ctx_new();
        c.crypto = iggy_crypto_ctx_new();
        FUZZ_CHECK(c.comp && c.crypto, "transform contexts");
    }
    return &c;
}

/* The options FUZZ_POLL_* flags describe (NULL for FUZZ_POLL_NO_OPTS). */
static inline iggy_poll_decode_opts_t *fuzz_poll_opts(unsigned flags, iggy_poll_decode_opts_t *d)
{
    fuzz_poll_ctx_t *c = fuzz_poll_ctx();
    if (flags & FUZZ_POLL_NO_OPTS)
        return NULL;
    memset(d, 0, sizeof *d);
    d->verify_checksums = (flags & FUZZ_POLL_VERIFY) != 0;
    d->key = (flags & FUZZ_POLL_DECRYPT) ? FUZZ_KEY : NULL;
    d->decompress = (flags & FUZZ_POLL_DECOMPRESS) != 0;
    d->max_decompressed = (flags & FUZZ_POLL_SMALL_MAX) ? FUZZ_SMALL_MAX : 0;
    d->reply_budget = (flags & FUZZ_POLL_SMALL_BUDGET) ? FUZZ_SMALL_BUDGET : 0;
    d->comp = c->comp;
    d->crypto = c->crypto;
    d->scratch = &c->scratch;
    d->inflate = &c->inflate;
    return d;
}

static inline void fuzz_check_message(const iggy_message_t *m, size_t max_payload)
{
    FUZZ_CHECK(m->error == IGGY_OK || m->error == IGGY_ERR__BAD_COMPRESSION ||
                   m->error == IGGY_ERR_CANNOT_DECRYPT_DATA,
               "message error %d", m->error);
    FUZZ_CHECK(m->payload != NULL || m->payload_len == 0, "NULL payload of %u bytes",
               m->payload_len);
    FUZZ_CHECK(m->payload_len <= max_payload, "payload of %u bytes, limit %zu", m->payload_len,
               max_payload);
    fuzz_touch(m->payload, m->payload_len);
    fuzz_touch(m->raw_headers, m->raw_headers_len);
    FUZZ_CHECK(m->headers.count == 0 || m->headers.entries, "headers without entries");
    for (size_t i = 0; i < m->headers.count; i++) {
        const iggy_kv_t *kv = &m->headers.entries[i];
        FUZZ_CHECK(kv->key_len >= 1 && kv->key_len <= 255 && kv->value_len >= 1 &&
                       kv->value_len <= 255,
                   "header %zu: key %u bytes, value %u bytes", i, kv->key_len, kv->value_len);
        fuzz_touch(kv->key, kv->key_len);
        fuzz_touch(kv->value, kv->value_len);
    }
}

/* Decode body[0..len) with the flags' options into *out (a previous result is reused, as
 * the client's batch is), checking everything above. Returns the decoder's outcome. */
static inline iggy_err_t fuzz_poll_decode(const uint8_t *body, size_t len, unsigned flags,
                                          iggy_polled_messages_t **out)
{
    fuzz_poll_ctx_t *c = fuzz_poll_ctx();
    iggy_poll_decode_opts_t d, *o = fuzz_poll_opts(flags, &d);
    size_t budget = 0, cap_before = c->inflate.out.cap, base, held, allowed, max_payload;
    iggy_err_t err;

    if (o && o->decompress)
        budget = o->reply_budget ? o->reply_budget : iggy_inflate_default_budget(len);
    max_payload = len;
    if (o && o->decompress) {
        size_t max = o->max_decompressed ? o->max_decompressed : (64u << 20);
        max_payload = max > len ? max : len;
    }
    iggy_detail_clear();
    base = fuzz_peak_begin();
    err = iggy_resp_unmarshal_ctx(&iggy_resp_polled_messages, len ? body : NULL, len, o,
                                  (void **)out);
    held = fuzz_alloc.peak - base;
    FUZZ_CHECK(err == IGGY_OK || err == IGGY_ERR__BAD_MSG, "poll decode error %d", (int)err);
    FUZZ_CHECK_DETAIL(err);
    if (budget && len) { /* an empty body never reaches the transforms */
        const iggy_inflate_state_t *st = &c->inflate;
        FUZZ_CHECK(st->budget == budget, "budget %zu, want %zu", st->budget, budget);
        FUZZ_CHECK(st->used <= budget, "inflated %zu bytes, budget %zu", st->used, budget);
        FUZZ_CHECK(st->charged <= 2 * budget, "inflate work %zu bytes, budget %zu", st->charged,
                   budget);
        FUZZ_CHECK(st->out.cap <= (cap_before > budget ? cap_before : budget),
                   "inflate buffer %zu bytes, budget %zu (was %zu)", st->out.cap, budget,
                   cap_before);
    }
    /* The inflate buffer and the copies of what it produced, plus a bounded multiple of the
     * reply (message structs, header entries, plaintexts). */
    allowed = 2 * budget + 16 * len + (1u << 20);
    FUZZ_CHECK(held <= allowed, "decoding held %zu bytes, allowed %zu (budget %zu, reply %zu)",
               held, allowed, budget, len);
    if (err == IGGY_OK) {
        const iggy_polled_messages_t *res = *out;
        FUZZ_CHECK(res->count <= len / IGGY_FRAME_HEADER_SIZE, "%zu messages in %zu bytes",
                   res->count, len);
        FUZZ_CHECK(res->count == 0 || res->messages, "messages NULL");
        for (size_t i = 0; i < res->count; i++)
            fuzz_check_message(&res->messages[i], max_payload);
        if (o && o->verify_checksums) {
            iggy_err_t v = iggy_poll_body_verify(body, len);
            FUZZ_CHECK(v == IGGY_OK, "decoded with verification, iggy_poll_body_verify %d", (int)v);
        }
    }
    if (c->inflate.out.cap > FUZZ_KEEP_MAX)
        iggy_scratch_free(&c->inflate.out);
    return err;
}

/* A poll reply body of one batch record holding copies messages, each with payload and the
 * user-headers block headers (unchecked checksums: a reply the server stored). Free it. */
static inline uint8_t *fuzz_poll_reply(const uint8_t *payload, size_t plen, const uint8_t *headers,
                                       size_t hlen, unsigned copies, size_t *len)
{
    size_t frame = IGGY_FRAME_HEADER_SIZE + plen + hlen;
    size_t record = IGGY_BATCH_HEADER_SIZE + copies * frame;
    uint8_t *b, *p;
    *len = IGGY_POLL_PREFIX_SIZE + record;
    b = calloc(1, *len);
    FUZZ_CHECK(b != NULL, "calloc %zu", *len);
    iggy_put_le32(b, 1);           /* partition_id */
    iggy_put_le64(b + 4, copies);  /* current_offset */
    iggy_put_le32(b + 12, copies); /* messages_count */
    p = b + IGGY_POLL_PREFIX_SIZE;
    iggy_put_le64(p + 0, 1);       /* partition_id */
    iggy_put_le64(p + 32, record); /* batch_length */
    iggy_put_le32(p + 48, copies); /* message_count */
    p += IGGY_BATCH_HEADER_SIZE;
    for (unsigned i = 0; i < copies; i++, p += frame) {
        iggy_put_le64(p + IGGY_FH_ID, i + 1);
        iggy_put_le32(p + IGGY_FH_OFFSET_DELTA, i);
        iggy_put_le32(p + IGGY_FH_HEADERS_LENGTH, (uint32_t)hlen);
        iggy_put_le32(p + IGGY_FH_PAYLOAD_LENGTH, (uint32_t)plen);
        if (plen)
            memcpy(p + IGGY_FRAME_HEADER_SIZE, payload, plen);
        if (hlen)
            memcpy(p + IGGY_FRAME_HEADER_SIZE + plen, headers, hlen);
    }
    return b;
}

#endif
