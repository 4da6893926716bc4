#include "codec/iggy_message_transform.h"

#include <openssl/rand.h>
#include <string.h>

#include "codec/iggy_primitives.h"
#include "codec/iggy_reader.h"
#include "codec/iggy_writer.h"
#include "iggy_alloc.h"
#include "iggy_error_internal.h"

#define DEFAULT_MAX_DECOMPRESSED (64u * 1024u * 1024u)

iggy_err_t iggy_scratch_reserve(iggy_scratch_t *s, size_t cap)
{
    uint8_t *p;
    if (cap <= s->cap)
        return IGGY_OK;
    if (cap < 2 * s->cap)
        cap = 2 * s->cap;
    p = iggy_mem_realloc(s->data, cap);
    if (!p)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "scratch: cannot grow to %zu bytes", cap);
    s->data = p;
    s->cap = cap;
    return IGGY_OK;
}

void iggy_scratch_free(iggy_scratch_t *s)
{
    iggy_mem_free(s->data);
    s->data = NULL;
    s->cap = 0;
}

/* ---------------------------------------------------------------- poll side */

/* The codec named by a String-kind `iggy-compression` header, if the block has one. */
static int find_codec(const uint8_t *block, size_t len, iggy_compression_codec_t *codec)
{
    static const size_t KEY_LEN = sizeof IGGY_COMPRESSION_HEADER_KEY - 1;
    size_t off = 0;
    while (off + 10 <= len) {
        uint8_t kk = block[off], vk;
        uint32_t kl = iggy_le32(block + off + 1), vl;
        const uint8_t *k = block + off + 5, *v;
        if (off + 5 + kl + 5 > len)
            return 0;
        vk = block[off + 5 + kl];
        vl = iggy_le32(block + off + 6 + kl);
        v = block + off + 10 + kl;
        if (off + 10 + kl + vl > len)
            return 0;
        if (kk == IGGY_KV_STRING && vk == IGGY_KV_STRING && kl == KEY_LEN &&
            memcmp(k, IGGY_COMPRESSION_HEADER_KEY, KEY_LEN) == 0)
            return iggy_codec_from_name(v, vl, codec) == 0;
        off += 10 + (size_t)kl + vl;
    }
    return 0;
}

/* Copy the user-headers block as received, parsing it when it is a well-formed block. */
static iggy_err_t fill_headers(iggy_arena_t *a, const uint8_t *headers, uint32_t hlen,
                               iggy_message_t *m, const char *ctx)
{
    m->raw_headers = NULL;
    m->raw_headers_len = 0;
    m->headers.count = 0;
    m->headers.entries = NULL;
    if (!hlen)
        return IGGY_OK;
    m->raw_headers = iggy_arena_bytes(a, headers, hlen);
    m->raw_headers_len = hlen;
    /* Opaque or encrypted blocks are legal on the wire: parse only a valid TLV block. */
    if (iggy_user_headers_valid(headers, hlen)) {
        iggy_reader_t hr;
        iggy_rd_init(&hr, headers, hlen, ctx);
        return iggy_dec_kv_block(&hr, a, hlen, 0, &m->headers);
    }
    return IGGY_OK;
}

/* Copy payload and headers as received. */
static iggy_err_t fill_raw(iggy_arena_t *a, const uint8_t *payload, uint32_t plen,
                           const uint8_t *headers, uint32_t hlen, iggy_message_t *m,
                           const char *ctx)
{
    m->payload = iggy_arena_bytes(a, payload, plen);
    m->payload_len = plen;
    return fill_headers(a, headers, hlen, m, ctx);
}

/* One compressed payload's outcome (the measure pass records, the fill pass replays). */
typedef struct inflate_record {
    size_t off;
    size_t len;
    iggy_err_t err;
} inflate_record_t;

#define MIN_REPLY_BUDGET (4u * 1024u * 1024u)
#define REPLY_BUDGET_FACTOR 16u

size_t iggy_inflate_default_budget(size_t reply_len)
{
    size_t b = reply_len > DEFAULT_MAX_DECOMPRESSED / REPLY_BUDGET_FACTOR
                   ? DEFAULT_MAX_DECOMPRESSED
                   : reply_len * REPLY_BUDGET_FACTOR;
    return b < MIN_REPLY_BUDGET ? MIN_REPLY_BUDGET : b;
}

void iggy_inflate_state_free(iggy_inflate_state_t *st)
{
    iggy_scratch_free(&st->out);
    iggy_scratch_free(&st->records);
    memset(st, 0, sizeof *st);
}

void iggy_poll_transform_begin(const iggy_poll_decode_opts_t *o, bool measuring, size_t reply_len)
{
    iggy_inflate_state_t *st = o ? o->inflate : NULL;
    if (!st)
        return;
    st->cursor = 0;
    if (!measuring)
        return;
    st->count = st->used = st->charged = 0;
    st->budget = o->reply_budget ? o->reply_budget : iggy_inflate_default_budget(reply_len);
}

static iggy_err_t budget_spent(const iggy_inflate_state_t *st, size_t want, const char *ctx)
{
    /* The code a payload over the per-message limit gets too: refused decompression. */
    return iggy_fail(IGGY_ERR__BAD_COMPRESSION,
                     "%s: the reply's decompression budget is spent (%zu of %zu bytes produced, "
                     "%zu bytes of work done; this payload needs %s%zu more)",
                     ctx, st->used, st->budget, st->charged, want ? "" : "more than ", want);
}

/* 2 * b, saturating: a budget near SIZE_MAX means no limit, never a wrapped-around one. */
static size_t twice(size_t b)
{
    return b > SIZE_MAX / 2 ? SIZE_MAX : 2 * b;
}

/* Where offset off of st->out starts; NULL while out has no buffer (only 0-byte payloads
 * then: never NULL + 0). */
static uint8_t *out_at(const iggy_inflate_state_t *st, size_t off)
{
    return st->out.data ? st->out.data + off : NULL;
}

/* Grow st->out to hold want bytes (want <= the budget): doubling for reuse, but never past
 * the reply's budget. */
static iggy_err_t out_reserve(iggy_inflate_state_t *st, size_t want)
{
    size_t cap = st->out.cap;
    uint8_t *p;
    if (want <= cap)
        return IGGY_OK;
    cap = twice(cap);
    if (cap > st->budget)
        cap = st->budget;
    if (cap < want)
        cap = want;
    p = iggy_mem_realloc(st->out.data, cap);
    if (!p)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "poll: cannot grow the inflate buffer to %zu bytes",
                         cap);
    st->out.data = p;
    st->out.cap = cap;
    return IGGY_OK;
}

/* Inflate one payload into st->out; the outcome goes to *rec. What a reply's payloads
 * produce is bounded by its budget, and the work of inflating (frames that fail included) by
 * twice the budget, so one bomb cannot starve the honest payloads after it and a reply of
 * bombs stops. Returns an error only for a structural failure. */
static iggy_err_t inflate_once(const iggy_poll_decode_opts_t *o, iggy_compression_codec_t codec,
                               const uint8_t *payload, uint32_t plen, inflate_record_t *rec,
                               const char *ctx)
{
    iggy_inflate_state_t *st = o->inflate;
    size_t max = o->max_decompressed ? o->max_decompressed : DEFAULT_MAX_DECOMPRESSED;
    size_t out_left = st->budget > st->used ? st->budget - st->used : 0;
    size_t work = twice(st->budget), work_left = work > st->charged ? work - st->charged : 0;
    size_t left = out_left < work_left ? out_left : work_left, need = 0;
    iggy_err_t err;

    rec->off = st->used;
    rec->len = 0;
    if (iggy_compress_size_unknown(codec, payload, plen)) {
        /* No size up front: decode into what the limits still allow, and no more than its
         * blocks can produce (a small frame reserves, and if it fails costs, little). */
        size_t cap = max < left ? max : left, bound;
        if (left == 0) {
            rec->err = budget_spent(st, 0, ctx);
            return IGGY_OK;
        }
        bound = iggy_decompressed_bound(codec, payload, plen);
        if (bound < cap)
            cap = bound;
        err = out_reserve(st, st->used + cap);
        if (err == IGGY_OK) {
            err = iggy_decompress_bounded(o->comp, codec, payload, plen, out_at(st, st->used), cap,
                                          &need);
            if (err != IGGY_OK) {
                /* It may have produced up to cap bytes before failing: charge them. */
                st->charged += cap;
                if (cap == left && cap < max)
                    err = budget_spent(st, 0, ctx);
            }
        }
    } else {
        err = iggy_decompressed_size(codec, payload, plen, max, &need);
        if (err == IGGY_OK && need > left)
            err = budget_spent(st, need, ctx);
        if (err == IGGY_OK)
            err = out_reserve(st, st->used + need);
        if (err == IGGY_OK) {
            err = iggy_decompress(o->comp, codec, payload, plen, out_at(st, st->used), need);
            if (err != IGGY_OK)
                st->charged += need; /* a frame that lies about its size still cost that */
        }
    }
    rec->err = err;
    if (err == IGGY_OK) {
        rec->len = need;
        st->used += need;
        st->charged += need;
    }
    return IGGY_OK;
}

/* The outcome of the next compressed payload: made now while measuring, replayed while
 * filling (both passes meet the payloads in the same order). */
static iggy_err_t next_inflated(const iggy_poll_decode_opts_t *o, iggy_arena_t *a,
                                iggy_compression_codec_t codec, const uint8_t *payload,
                                uint32_t plen, inflate_record_t *rec, const char *ctx)
{
    iggy_inflate_state_t *st = o->inflate;
    if (!st)
        return iggy_fail(IGGY_ERR__STATE, "%s: no inflate state", ctx);
    if (iggy_arena_measuring(a)) {
        IGGY_TRY(iggy_scratch_reserve(&st->records, (st->count + 1) * sizeof *rec));
        IGGY_TRY(inflate_once(o, codec, payload, plen, rec, ctx));
        memcpy(st->records.data + st->count++ * sizeof *rec, rec, sizeof *rec);
        return IGGY_OK;
    }
    if (st->cursor >= st->count)
        return iggy_fail(IGGY_ERR__STATE, "%s: fill pass met an unmeasured payload", ctx);
    memcpy(rec, st->records.data + st->cursor++ * sizeof *rec, sizeof *rec);
    return IGGY_OK;
}

iggy_err_t iggy_message_fill(const iggy_poll_decode_opts_t *o, iggy_arena_t *a,
                             const iggy_batch_frame_t *f, iggy_message_t *m, const char *ctx)
{
    const uint8_t *payload = f->payload, *headers = f->user_headers;
    uint32_t plen = f->payload_len, hlen = f->user_headers_len;
    iggy_compression_codec_t codec = IGGY_COMPRESSION_CODEC_NONE;
    inflate_record_t rec;
    iggy_err_t err;

    m->error = IGGY_OK;
    if (!o || (!o->key && !o->decompress))
        return fill_raw(a, payload, plen, headers, hlen, m, ctx);

    if (o->key) {
        /* Open payload and header block into scratch: plaintexts are shorter. */
        size_t pt_len, ht_len = 0;
        if (plen < IGGY_CRYPTO_OVERHEAD || (hlen && hlen < IGGY_CRYPTO_OVERHEAD)) {
            m->error = iggy_fail(IGGY_ERR_CANNOT_DECRYPT_DATA,
                                 "%s: message shorter than a sealed payload (not encrypted?)", ctx);
            return fill_raw(a, payload, plen, headers, hlen, m, ctx);
        }
        IGGY_TRY(iggy_scratch_reserve(o->scratch, (size_t)plen + hlen));
        err = iggy_decrypt(o->crypto, o->key, payload, plen, o->scratch->data, &pt_len);
        if (err == IGGY_OK && hlen)
            err =
                iggy_decrypt(o->crypto, o->key, headers, hlen, o->scratch->data + pt_len, &ht_len);
        if (err != IGGY_OK) {
            m->error = err;
            return fill_raw(a, payload, plen, headers, hlen, m, ctx);
        }
        payload = o->scratch->data;
        plen = (uint32_t)pt_len;
        headers = o->scratch->data + pt_len;
        hlen = (uint32_t)ht_len;
    }
    if (!o->decompress || !hlen || !find_codec(headers, hlen, &codec) ||
        codec == IGGY_COMPRESSION_CODEC_NONE)
        return fill_raw(a, payload, plen, headers, hlen, m, ctx);

    /* Inflated once per reply, within the per-message limit and the reply's budget; the
     * arena is sized from what the bytes really produced. */
    IGGY_TRY(next_inflated(o, a, codec, payload, plen, &rec, ctx));
    if (rec.err != IGGY_OK) {
        m->error = rec.err;
        return fill_raw(a, payload, plen, headers, hlen, m, ctx);
    }
    m->payload = iggy_arena_bytes(a, out_at(o->inflate, rec.off), rec.len);
    m->payload_len = (uint32_t)rec.len;
    return fill_headers(a, headers, hlen, m, ctx);
}

/* ---------------------------------------------------------------- send side */

iggy_err_t iggy_uuid_v7(uint64_t now_us, iggy_u128_t *out)
{
    uint8_t b[16];
    uint64_t ms = now_us / 1000;
    if (RAND_bytes(b + 6, 10) != 1)
        return iggy_fail(IGGY_ERR__STATE, "no randomness for a message id");
    for (int i = 0; i < 6; i++)
        b[i] = (uint8_t)(ms >> (8 * (5 - i)));
    b[6] = (uint8_t)(0x70 | (b[6] & 0x0f)); /* version 7 */
    b[8] = (uint8_t)(0x80 | (b[8] & 0x3f)); /* RFC variant */
    /* UUID byte order in the u128's little-endian bytes, as for v4 ids. */
    memcpy(&out->lo, b, 8);
    memcpy(&out->hi, b + 8, 8);
    return IGGY_OK;
}

iggy_err_t iggy_send_transform(const iggy_send_transform_t *t, iggy_compress_ctx_t *comp,
                               iggy_crypto_ctx_t *crypto, iggy_pool_t *pool,
                               iggy_scratch_t *scratch, const iggy_send_message_t *messages,
                               size_t count, iggy_send_message_t *out, iggy_raw_block_t *raw)
{
    /* Offsets into scratch while it may still move; pointers are fixed at the end. */
    size_t used = 0;
    iggy_err_t err = IGGY_OK;
    iggy_writer_t hw;

    for (size_t i = 0; i < count && err == IGGY_OK; i++) {
        const iggy_send_message_t *m = &messages[i];
        const uint8_t *payload = m->payload;
        size_t plen = m->payload_len, hlen, payload_off, header_off;
        iggy_compression_codec_t used_codec = IGGY_COMPRESSION_CODEC_NONE;

        out[i] = *m;
        if (t->mint_v7 && m->id.lo == 0 && m->id.hi == 0)
            IGGY_TRY(iggy_uuid_v7(t->now_us, &out[i].id));
        if (plen && !payload)
            return iggy_fail(IGGY_ERR__INVALID_ARG, "message %zu: NULL payload", i);

        /* 1. compress (marked either way, so consumers never guess) */
        if (t->codec != IGGY_COMPRESSION_CODEC_NONE && plen >= t->min_bytes && plen > 0) {
            size_t bound = iggy_compress_bound(t->codec, plen), clen;
            IGGY_TRY(iggy_scratch_reserve(scratch, used + bound));
            IGGY_TRY(iggy_compress(comp, t->codec, t->level, payload, plen, scratch->data + used,
                                   bound, &clen));
            payload_off = used;
            used += clen;
            plen = clen;
            payload = NULL;
            used_codec = t->codec;
        } else {
            payload_off = (size_t)-1; /* still the caller's bytes */
        }

        /* 2. the header block: the caller's typed headers plus the marker */
        IGGY_TRY(iggy_wr_init(&hw, pool, 512, (size_t)1 << 26));
        iggy_enc_kv_block(&hw, m->headers, m->headers_count);
        if (t->codec != IGGY_COMPRESSION_CODEC_NONE) {
            const char *name = iggy_codec_name(used_codec);
            iggy_kv_t marker = {IGGY_KV_STRING,
                                IGGY_KV_STRING,
                                sizeof IGGY_COMPRESSION_HEADER_KEY - 1,
                                (uint32_t)strlen(name),
                                (const uint8_t *)IGGY_COMPRESSION_HEADER_KEY,
                                (const uint8_t *)name};
            iggy_enc_kv_block(&hw, &marker, 1);
        }
        err = iggy_wr_status(&hw);
        hlen = hw.len;
        if (err == IGGY_OK)
            /* The plain header block, then (with a key) the sealed payload and the sealed
             * header block: hlen + (plen + 28) + (hlen + 28). */
            err = iggy_scratch_reserve(
                scratch, used + hlen + (t->key ? plen + hlen + 2 * IGGY_CRYPTO_OVERHEAD : 0));
        if (err != IGGY_OK) {
            iggy_wr_release(&hw);
            return err;
        }
        header_off = used;
        memcpy(scratch->data + used, hw.data, hlen);
        used += hlen;
        iggy_wr_release(&hw);

        /* 3. seal payload and header block separately, each with a fresh nonce */
        if (t->key) {
            const uint8_t *src = payload_off == (size_t)-1 ? payload : scratch->data + payload_off;
            size_t sealed = used;
            IGGY_TRY(iggy_encrypt(crypto, t->key, src, plen, scratch->data + sealed));
            payload_off = sealed;
            used += plen + IGGY_CRYPTO_OVERHEAD;
            plen += IGGY_CRYPTO_OVERHEAD;
            if (hlen) {
                size_t hs = used;
                IGGY_TRY(iggy_encrypt(crypto, t->key, scratch->data + header_off, hlen,
                                      scratch->data + hs));
                header_off = hs;
                used += hlen + IGGY_CRYPTO_OVERHEAD;
                hlen += IGGY_CRYPTO_OVERHEAD;
            }
        }
        if (plen > UINT32_MAX || hlen > UINT32_MAX)
            return iggy_fail(IGGY_ERR__MSG_TOO_LARGE, "message %zu too large", i);
        out[i].payload =
            payload_off == (size_t)-1 ? m->payload : (const void *)(uintptr_t)payload_off;
        out[i].payload_len = (uint32_t)plen;
        out[i].headers = NULL;
        out[i].headers_count = payload_off == (size_t)-1 ? 0 : 1; /* 1: payload is an offset */
        raw[i].data = (const uint8_t *)(uintptr_t)header_off;
        raw[i].len = (uint32_t)hlen;
    }
    /* scratch has stopped moving: turn offsets into pointers */
    for (size_t i = 0; i < count; i++) {
        if (out[i].headers_count)
            out[i].payload = scratch->data + (uintptr_t)out[i].payload;
        out[i].headers_count = 0;
        raw[i].data = scratch->data + (uintptr_t)raw[i].data;
    }
    return err;
}
