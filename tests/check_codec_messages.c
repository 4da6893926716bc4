/* Messages codec: send (batch records, checksums, ids), poll, flush, send confirmations,
 * polled-message decoding, the checksum verifier and key partitioning, against the
 * messages vectors of shared/protocol/vectors.txt (messages.md §11). */
#include <check.h>

#include <iggy/messages.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lz4frame.h>
#include <snappy-c.h>
#include <xxhash.h>
#include <zstd.h>

#include <iggy/alloc.h>

#include "codec/iggy_batch.h"
#include "codec/iggy_compress.h"
#include "codec/iggy_message_transform.h"
#include "codec_helpers.h"
#include "test_main.h"

/* ---------------------------------------------------------------- helpers */

static const uint8_t HDR_BYTES[] = "user-header-bytes"; /* the golden's opaque 17 bytes */
static const uint8_t U32_3[4] = {3, 0, 0, 0};

static iggy_kv_t kv(uint8_t kk, const char *k, uint8_t vk, const void *v, uint32_t vlen)
{
    iggy_kv_t e;
    e.key_kind = kk;
    e.key = (const uint8_t *)k;
    e.key_len = (uint32_t)strlen(k);
    e.value_kind = vk;
    e.value = (const uint8_t *)v;
    e.value_len = vlen;
    return e;
}

static iggy_send_message_t msg(uint64_t id_lo, uint64_t id_hi, uint64_t origin, const char *payload)
{
    iggy_send_message_t m;
    memset(&m, 0, sizeof m);
    m.id.lo = id_lo;
    m.id.hi = id_hi;
    m.origin_timestamp = origin;
    m.payload = payload;
    m.payload_len = payload ? (uint32_t)strlen(payload) : 0;
    return m;
}

/* content-type = String "text/plain", retries = Uint32 3 (user_headers_block). */
static const iggy_kv_t *two_headers(void)
{
    static iggy_kv_t h[2];
    h[0] = kv(IGGY_KV_STRING, "content-type", IGGY_KV_STRING, "text/plain", 10);
    h[1] = kv(IGGY_KV_STRING, "retries", IGGY_KV_UINT32, U32_3, 4);
    return h;
}

static void expect_writer_err(iggy_writer_t *w, iggy_err_t want)
{
    const char *d = iggy_last_error_detail();
    ck_assert_msg(iggy_wr_status(w) == want, "want %s, got %s (%s)", iggy_err2name(want),
                  iggy_err2name(iggy_wr_status(w)), d ? d : "");
    ck_assert_ptr_nonnull(d);
    ck_assert_int_gt((int)strlen(d), 0);
    iggy_wr_release(w);
}

static void expect_bad_msg(const iggy_resp_ops_t *ops, const uint8_t *p, size_t len)
{
    void *out = NULL;
    iggy_err_t err = iggy_resp_unmarshal(ops, p, len, &out);
    const char *d = iggy_last_error_detail();
    ck_assert_msg(err == IGGY_ERR__BAD_MSG, "%s: %zu bytes: want BAD_MSG, got %s", ops->name, len,
                  iggy_err2name(err));
    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_gt((int)strlen(d), 0);
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(d);
    memcpy(d, p, n);
    return d;
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Independent batch checksum (messages.md §3.4): one-shot XXH3 over meta44 ‖ checksums. */
static uint64_t batch_checksum_of(const uint8_t *rec, size_t len)
{
    uint32_t n = get32(rec + 48);
    size_t off = 256, k = 44;
    uint8_t *buf = malloc(44 + 8 * (size_t)n + 1);
    uint64_t h;
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, rec, 40);
    memcpy(buf + 40, rec + 48, 4);
    for (uint32_t i = 0; i < n; i++) {
        memcpy(buf + k, rec + off, 8);
        k += 8;
        off += 48 + get32(rec + off + 36) + get32(rec + off + 32);
    }
    ck_assert_uint_eq(off, len);
    h = XXH3_64bits(buf, k);
    free(buf);
    return h;
}

static void assert_bytes(const uint8_t *got, size_t got_len, const void *want, size_t want_len)
{
    ck_assert_uint_eq(got_len, want_len);
    if (want_len) {
        ck_assert_ptr_nonnull(got);
        ck_assert_int_eq(memcmp(got, want, want_len), 0);
    }
}

static void assert_kv(const iggy_kv_t *e, uint8_t kk, const char *k, uint8_t vk, const void *v,
                      uint32_t vlen)
{
    ck_assert_uint_eq(e->key_kind, kk);
    assert_bytes(e->key, e->key_len, k, strlen(k));
    ck_assert_uint_eq(e->value_kind, vk);
    assert_bytes(e->value, e->value_len, v, vlen);
}

/* ---------------------------------------------------------------- send encoders */

static void encode_balanced_golden(iggy_writer_t *w)
{
    iggy_identifier_t s = iggy_id_num(1), t = iggy_id_num(2);
    iggy_partitioning_t p = {IGGY_PARTITIONING_BALANCED, 0, NULL, 0};
    iggy_send_message_t m[2] = {msg(7, 0, 1000, "first-payload"),
                                msg(8, 0, 1050, "second-payload")};
    iggy_raw_block_t raw[2] = {{NULL, 0}, {HDR_BYTES, 17}};
    iggy_enc_send_messages_raw(w, &s, &t, &p, m, 2, raw, 999999);
}

START_TEST(send_body_balanced_vector)
{
    iggy_writer_t w = test_writer();
    encode_balanced_golden(&w);
    assert_writer_matches(&w, "send_messages_body_balanced");
}
END_TEST

START_TEST(send_request_vector)
{
    iggy_writer_t w = test_writer();
    encode_balanced_golden(&w);
    assert_writer_matches(&w, "send_messages_request");
}
END_TEST

START_TEST(send_body_partition_headers_vector)
{
    iggy_writer_t w = test_writer();
    iggy_identifier_t s = iggy_id_num(1), t = iggy_id_num(2);
    iggy_partitioning_t p = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    iggy_send_message_t m[2] = {
        msg(0x090a0b0c0d0e0f10ull, 0x0102030405060708ull, 1700000000000000ull, "hello"),
        msg(2, 0, 1700000000000250ull, "world")};
    m[1].headers = two_headers();
    m[1].headers_count = 2;
    iggy_enc_send_messages(&w, &s, &t, &p, m, 2, 1);
    assert_writer_matches(&w, "send_messages_body_partition_headers");
}
END_TEST

START_TEST(send_body_named_key_vector)
{
    iggy_writer_t w = test_writer();
    iggy_identifier_t s = iggy_id_name("orders"), t = iggy_id_name("eu");
    iggy_partitioning_t p = {IGGY_PARTITIONING_MESSAGES_KEY, 0, (const uint8_t *)"order-42", 8};
    iggy_send_message_t m = msg(42, 0, 1700000000123456ull, "{\"order\":42}");
    iggy_enc_send_messages(&w, &s, &t, &p, &m, 1, 1);
    assert_writer_matches(&w, "send_messages_body_named_key");
}
END_TEST

START_TEST(send_records_verify)
{
    /* The producer records of the send vectors pass the checksum verifier. */
    const char *names[] = {"send_messages_body_balanced", "send_messages_body_partition_headers",
                           "send_messages_body_named_key"};
    for (size_t i = 0; i < 3; i++) {
        const test_vector_t *v = vector_get(names[i]);
        size_t off = 4 + get32(v->bytes); /* metadata_length covers messages_count */
        ck_assert_int_eq(iggy_batch_verify(v->bytes + off, v->len - off), IGGY_OK);
        ck_assert_uint_eq(get64(v->bytes + off + 40),
                          batch_checksum_of(v->bytes + off, v->len - off));
    }
}
END_TEST

START_TEST(user_headers_block_vectors)
{
    iggy_writer_t w = test_writer();
    iggy_kv_t single = kv(IGGY_KV_STRING, "key1", IGGY_KV_RAW, "value1", 6);
    const test_vector_t *v = vector_get("user_headers_block");
    const test_vector_t *body = vector_get("send_messages_body_partition_headers");

    ck_assert_uint_eq(iggy_kv_block_size(two_headers(), 2), 53);
    iggy_enc_kv_block(&w, two_headers(), 2);
    assert_writer_matches(&w, "user_headers_block");
    /* The same block sits after msg[1]'s payload in the send vector (offset 388). */
    ck_assert_int_eq(memcmp(body->bytes + 388, v->bytes, v->len), 0);
    ck_assert(iggy_user_headers_valid(v->bytes, v->len));

    w = test_writer();
    iggy_enc_kv_block(&w, &single, 1);
    assert_writer_matches(&w, "user_headers_block_single");
    v = vector_get("user_headers_block_single");
    ck_assert(iggy_user_headers_valid(v->bytes, v->len));
}
END_TEST

START_TEST(partitioning_vectors)
{
    iggy_writer_t w = test_writer();
    iggy_partitioning_t b = {IGGY_PARTITIONING_BALANCED, 0, NULL, 0};
    iggy_partitioning_t p1 = {IGGY_PARTITIONING_PARTITION_ID, 1, NULL, 0};
    iggy_enc_partitioning(&w, &b);
    assert_writer_matches(&w, "partitioning_balanced");
    w = test_writer();
    iggy_enc_partitioning(&w, &p1);
    assert_writer_matches(&w, "partitioning_partition_1");
}
END_TEST

/* ---------------------------------------------------------------- poll and flush encoders */

static void poll_std(const char *vector, iggy_polling_kind_t kind, uint64_t value, int auto_commit)
{
    iggy_writer_t w = test_writer();
    iggy_consumer_ref_t c = {IGGY_CONSUMER_SINGLE, iggy_id_num(1)};
    iggy_identifier_t s = iggy_id_num(1), t = iggy_id_num(2);
    uint32_t part = 0;
    iggy_polling_strategy_t st = {kind, value};
    iggy_enc_poll_messages(&w, &c, &s, &t, &part, &st, 10, auto_commit);
    assert_writer_matches(&w, vector);
}

START_TEST(poll_body_vectors)
{
    poll_std("poll_body_offset", IGGY_POLL_OFFSET, 100, 0);
    poll_std("poll_body_timestamp", IGGY_POLL_TIMESTAMP, 1700000000000000ull, 0);
    poll_std("poll_body_first", IGGY_POLL_FIRST, 0, 0);
    poll_std("poll_body_last", IGGY_POLL_LAST, 0, 0);
    poll_std("poll_body_next_auto_commit", IGGY_POLL_NEXT, 0, 1);
    poll_std("poll_messages_request", IGGY_POLL_NEXT, 0, 1);
}
END_TEST

START_TEST(poll_body_group_vector)
{
    iggy_writer_t w = test_writer();
    iggy_consumer_ref_t c = {IGGY_CONSUMER_GROUP, iggy_id_name("analytics")};
    iggy_identifier_t s = iggy_id_num(1), t = iggy_id_num(2);
    uint32_t part = 3;
    iggy_polling_strategy_t st = {IGGY_POLL_NEXT, 0};
    iggy_enc_poll_messages(&w, &c, &s, &t, &part, &st, 100, 1);
    assert_writer_matches(&w, "poll_body_group");
}
END_TEST

START_TEST(poll_body_no_partition_vector)
{
    iggy_writer_t w = test_writer();
    iggy_consumer_ref_t c = {IGGY_CONSUMER_SINGLE, iggy_id_num(1)};
    iggy_identifier_t s = iggy_id_num(1), t = iggy_id_num(2);
    iggy_polling_strategy_t st = {IGGY_POLL_FIRST, 0};
    iggy_enc_poll_messages(&w, &c, &s, &t, NULL, &st, 1, 0);
    assert_writer_matches(&w, "poll_body_no_partition");
}
END_TEST

START_TEST(poll_body_go_vector)
{
    iggy_writer_t w = test_writer();
    iggy_consumer_ref_t c = {IGGY_CONSUMER_SINGLE, iggy_id_num(42)};
    iggy_identifier_t s = iggy_id_name("test_stream_id"), t = iggy_id_name("test_topic_id");
    uint32_t part = 123;
    iggy_polling_strategy_t st = {IGGY_POLL_FIRST, 0};
    iggy_enc_poll_messages(&w, &c, &s, &t, &part, &st, 100, 1);
    assert_writer_matches(&w, "poll_body_go");
}
END_TEST

START_TEST(flush_body_vector)
{
    iggy_writer_t w = test_writer();
    iggy_identifier_t s = iggy_id_num(1), t = iggy_id_num(2);
    iggy_enc_flush_unsaved_buffer(&w, &s, &t, 3, 1);
    assert_writer_matches(&w, "flush_unsaved_buffer_body");
}
END_TEST

START_TEST(poll_invalid_input)
{
    iggy_writer_t w = test_writer();
    iggy_consumer_ref_t c = {(iggy_consumer_kind_t)3, iggy_id_num(1)};
    iggy_identifier_t s = iggy_id_num(1), t = iggy_id_num(2);
    iggy_polling_strategy_t st = {IGGY_POLL_FIRST, 0}, bad = {(iggy_polling_kind_t)0, 0};
    iggy_enc_poll_messages(&w, &c, &s, &t, NULL, &st, 1, 0);
    expect_writer_err(&w, IGGY_ERR__INVALID_ARG);
    c.kind = IGGY_CONSUMER_SINGLE;
    w = test_writer();
    iggy_enc_poll_messages(&w, &c, &s, &t, NULL, &bad, 1, 0);
    expect_writer_err(&w, IGGY_ERR__INVALID_ARG);
}
END_TEST

/* ---------------------------------------------------------------- replies */

START_TEST(poll_reply_golden)
{
    const test_vector_t *v = vector_get("poll_reply_body_golden");
    const iggy_polled_messages_t *r = decode_ok(&iggy_resp_polled_messages, v->bytes, v->len);
    const iggy_message_t *m;

    ck_assert_uint_eq(r->partition_id, 3);
    ck_assert_uint_eq(r->current_offset, 101);
    ck_assert_uint_eq(r->declared_count, 2);
    ck_assert_uint_eq(r->count, 2);
    m = &r->messages[0];
    ck_assert_uint_eq(m->offset, 100);
    ck_assert_uint_eq(m->timestamp, 5000);
    ck_assert_uint_eq(m->origin_timestamp, 1000);
    ck_assert_uint_eq(m->id.lo, 7);
    ck_assert_uint_eq(m->id.hi, 0);
    ck_assert_uint_eq(m->checksum, 0x7596755a20b9d2bfull);
    assert_bytes(m->payload, m->payload_len, "first-payload", 13);
    ck_assert_ptr_null(m->raw_headers);
    ck_assert_uint_eq(m->raw_headers_len, 0);
    ck_assert_uint_eq(m->headers.count, 0);
    m = &r->messages[1];
    ck_assert_uint_eq(m->offset, 101);
    ck_assert_uint_eq(m->timestamp, 5000);
    ck_assert_uint_eq(m->origin_timestamp, 1050);
    ck_assert_uint_eq(m->id.lo, 8);
    ck_assert_uint_eq(m->id.hi, 0);
    ck_assert_uint_eq(m->checksum, 0xc0b78e751c7e6bd6ull);
    assert_bytes(m->payload, m->payload_len, "second-payload", 14);
    /* Not a TLV block: kept raw, no parsed entries, and the poll still succeeds. */
    assert_bytes(m->raw_headers, m->raw_headers_len, HDR_BYTES, 17);
    ck_assert_uint_eq(m->headers.count, 0);
    ck_assert_ptr_null(m->headers.entries);
    /* Copies, not views into the reply buffer. */
    ck_assert(m->payload < v->bytes || m->payload >= v->bytes + v->len);
    ck_assert(m->raw_headers < v->bytes || m->raw_headers >= v->bytes + v->len);
    iggy_result_destroy(r);
}
END_TEST

static void assert_world_message(const iggy_message_t *m)
{
    const test_vector_t *hb = vector_get("user_headers_block");
    ck_assert_uint_eq(m->offset, 42);
    ck_assert_uint_eq(m->timestamp, 1700000000001000ull);
    ck_assert_uint_eq(m->origin_timestamp, 1700000000000250ull);
    ck_assert_uint_eq(m->id.lo, 2);
    ck_assert_uint_eq(m->id.hi, 0);
    ck_assert_uint_eq(m->checksum, 0x3f16a14963ec4e48ull);
    assert_bytes(m->payload, m->payload_len, "world", 5);
    assert_bytes(m->raw_headers, m->raw_headers_len, hb->bytes, hb->len);
    ck_assert_uint_eq(m->headers.count, 2);
    assert_kv(&m->headers.entries[0], IGGY_KV_STRING, "content-type", IGGY_KV_STRING, "text/plain",
              10);
    assert_kv(&m->headers.entries[1], IGGY_KV_STRING, "retries", IGGY_KV_UINT32, U32_3, 4);
    /* Result strings are NUL-terminated. */
    ck_assert_str_eq((const char *)m->headers.entries[0].value, "text/plain");
}

START_TEST(poll_reply_headers)
{
    const test_vector_t *v = vector_get("poll_reply_body_headers");
    const iggy_polled_messages_t *r = decode_ok(&iggy_resp_polled_messages, v->bytes, v->len);
    const iggy_message_t *m = &r->messages[0];

    ck_assert_uint_eq(r->partition_id, 3);
    ck_assert_uint_eq(r->current_offset, 42);
    ck_assert_uint_eq(r->declared_count, 2);
    ck_assert_uint_eq(r->count, 2);
    ck_assert_uint_eq(m->offset, 41);
    ck_assert_uint_eq(m->timestamp, 1700000000001000ull);
    ck_assert_uint_eq(m->origin_timestamp, 1700000000000000ull);
    ck_assert_uint_eq(m->id.lo, 0x090a0b0c0d0e0f10ull);
    ck_assert_uint_eq(m->id.hi, 0x0102030405060708ull);
    ck_assert_uint_eq(m->checksum, 0x3d8965a4553428adull);
    assert_bytes(m->payload, m->payload_len, "hello", 5);
    ck_assert_ptr_null(m->raw_headers);
    ck_assert_uint_eq(m->headers.count, 0);
    assert_world_message(&r->messages[1]);
    iggy_result_destroy(r);
}
END_TEST

START_TEST(poll_reply_sliced)
{
    const test_vector_t *v = vector_get("poll_reply_body_sliced");
    const iggy_polled_messages_t *r = decode_ok(&iggy_resp_polled_messages, v->bytes, v->len);
    ck_assert_uint_eq(r->partition_id, 3);
    ck_assert_uint_eq(r->current_offset, 42);
    ck_assert_uint_eq(r->declared_count, 1);
    ck_assert_uint_eq(r->count, 1);
    assert_world_message(&r->messages[0]); /* 41 + offset_delta 1 */
    iggy_result_destroy(r);
}
END_TEST

static void assert_empty_poll(const uint8_t *p, size_t len, uint32_t partition, uint64_t current)
{
    const iggy_polled_messages_t *r = decode_ok(&iggy_resp_polled_messages, p, len);
    ck_assert_uint_eq(r->partition_id, partition);
    ck_assert_uint_eq(r->current_offset, current);
    ck_assert_uint_eq(r->declared_count, 0);
    ck_assert_uint_eq(r->count, 0);
    ck_assert_ptr_null(r->messages);
    iggy_result_destroy(r);
}

START_TEST(poll_reply_empty_variants)
{
    const test_vector_t *v = vector_get("poll_reply_body_empty");
    const uint8_t *p;
    size_t len;
    assert_empty_poll(v->bytes, v->len, 3, 42);
    v = vector_get("poll_reply_body_resync");
    assert_empty_poll(v->bytes, v->len, IGGY_PARTITION_RESYNC, 0);
    v = vector_get("poll_empty_reply");
    p = reply_payload(v, 0, &len);
    ck_assert_uint_eq(len, 16);
    assert_empty_poll(p, len, 3, 42);
    /* 0-byte body: empty poll of partition 0 (Go/C#/Node). */
    assert_empty_poll(NULL, 0, 0, 0);
}
END_TEST

START_TEST(send_confirmations_vector)
{
    const test_vector_t *v = vector_get("send_messages_reply_body");
    const iggy_send_confirmations_t *r = decode_ok(&iggy_resp_send_confirmations, v->bytes, v->len);
    ck_assert_uint_eq(r->count, 1);
    ck_assert_uint_eq(r->items[0].stream_id, 1);
    ck_assert_uint_eq(r->items[0].topic_id, 2);
    ck_assert_uint_eq(r->items[0].partition_id, 3);
    ck_assert_uint_eq(r->items[0].base_offset, 4);
    iggy_result_destroy(r);
}
END_TEST

START_TEST(send_confirmations_edge_cases)
{
    static const uint8_t zero[4] = {0}, trailing[5] = {0}, bogus[4] = {0xff, 0xff, 0xff, 0xff},
                         shortw[3] = {1, 0, 0};
    uint8_t two[44] = {2};
    const iggy_send_confirmations_t *r = decode_ok(&iggy_resp_send_confirmations, NULL, 0);
    ck_assert_uint_eq(r->count, 0);
    ck_assert_ptr_null(r->items);
    iggy_result_destroy(r);
    r = decode_ok(&iggy_resp_send_confirmations, zero, 4);
    ck_assert_uint_eq(r->count, 0);
    iggy_result_destroy(r);
    for (int i = 0; i < 2; i++) {
        put32(two + 4 + 20 * i, 10 + i);
        put32(two + 8 + 20 * i, 20 + i);
        put32(two + 12 + 20 * i, 30 + i);
        put64(two + 16 + 20 * i, 0x100000000ull + i);
    }
    r = decode_ok(&iggy_resp_send_confirmations, two, sizeof two);
    ck_assert_uint_eq(r->count, 2);
    ck_assert_uint_eq(r->items[1].stream_id, 11);
    ck_assert_uint_eq(r->items[1].topic_id, 21);
    ck_assert_uint_eq(r->items[1].partition_id, 31);
    ck_assert_uint_eq(r->items[1].base_offset, 0x100000001ull);
    iggy_result_destroy(r);
    expect_bad_msg(&iggy_resp_send_confirmations, trailing, sizeof trailing);
    expect_bad_msg(&iggy_resp_send_confirmations, bogus, sizeof bogus);
    expect_bad_msg(&iggy_resp_send_confirmations, shortw, sizeof shortw);
    expect_bad_msg(&iggy_resp_send_confirmations, two, sizeof two - 1);
}
END_TEST

/* ---------------------------------------------------------------- verifier */

START_TEST(checksum_verifier)
{
    const char *names[] = {"poll_reply_body_golden", "poll_reply_body_headers",
                           "poll_reply_body_sliced"};
    for (size_t i = 0; i < 3; i++) {
        const test_vector_t *v = vector_get(names[i]);
        uint8_t *b = dup_bytes(v->bytes, v->len);
        ck_assert_int_eq(iggy_poll_body_verify(v->bytes, v->len), IGGY_OK);
        ck_assert_int_eq(iggy_batch_verify(v->bytes + 16, v->len - 16), IGGY_OK);
        /* A flipped payload byte (the last byte of the record), a flipped stamped header
         * field (base_offset) and a flipped batch checksum are each caught. */
        b[v->len - 1] ^= 1;
        ck_assert_int_eq(iggy_batch_verify(b + 16, v->len - 16), IGGY_ERR__BAD_MSG);
        ck_assert_int_eq(iggy_poll_body_verify(b, v->len), IGGY_ERR__BAD_MSG);
        b[v->len - 1] ^= 1;
        b[16 + 8] ^= 0x80;
        ck_assert_int_eq(iggy_batch_verify(b + 16, v->len - 16), IGGY_ERR__BAD_MSG);
        b[16 + 8] ^= 0x80;
        b[16 + 40] ^= 1;
        ck_assert_int_eq(iggy_batch_verify(b + 16, v->len - 16), IGGY_ERR__BAD_MSG);
        b[16 + 40] ^= 1;
        ck_assert_int_eq(iggy_batch_verify(b + 16, v->len - 16), IGGY_OK);
        free(b);
    }
    ck_assert_int_eq(iggy_poll_body_verify(vector_get("poll_reply_body_empty")->bytes, 16),
                     IGGY_OK);
}
END_TEST

START_TEST(user_headers_validity)
{
    /* Byte arrays that are not valid header blocks (C# HeaderEncryptionTests). */
    static const uint8_t b0[] = {16, 0, 0, 0}, b1[] = {2}, b2[] = {2, 0, 0, 0, 0},
                         b3[] = {2, 100, 0, 0, 0, 1, 2}, b4[] = {2, 1, 0, 0, 0, 65},
                         b5[] = {2, 1, 0, 0, 0, 65, 0}, b6[] = {2, 1, 0, 0, 0, 65, 2, 1},
                         b7[] = {2, 1, 0, 0, 0, 65, 2, 0, 0, 0, 0},
                         b8[] = {2, 1, 0, 0, 0, 65, 2, 100, 0, 0, 0},
                         kind0[] = {0, 1, 0, 0, 0, 42, 2, 1, 0, 0, 0, 65},
                         ok16[] = {6, 1, 0, 0, 0, 65, 16, 1, 0, 0, 0, 66};
    const struct {
        const uint8_t *p;
        size_t n;
    } bad[] = {{b0, sizeof b0}, {b1, sizeof b1},       {b2, sizeof b2}, {b3, sizeof b3},
               {b4, sizeof b4}, {b5, sizeof b5},       {b6, sizeof b6}, {b7, sizeof b7},
               {b8, sizeof b8}, {kind0, sizeof kind0}, {HDR_BYTES, 17}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!iggy_user_headers_valid(bad[i].p, bad[i].n), "case %zu", i);
    ck_assert(!iggy_user_headers_valid(NULL, 0));
    /* Unknown kinds >= 16 pass structural validation. */
    ck_assert(iggy_user_headers_valid(ok16, sizeof ok16));
}
END_TEST

/* ---------------------------------------------------------------- round trip */

#define RT_COUNT 40

START_TEST(batch_round_trip)
{
    static uint8_t payloads[RT_COUNT][600];
    iggy_send_message_t m[RT_COUNT], copy[RT_COUNT];
    iggy_kv_t hdrs[RT_COUNT][3];
    static const uint8_t i64v[8] = {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t f64v[8] = {0, 0, 0, 0, 0, 0, 0xf8, 0x3f}; /* 1.5 */
    static const uint8_t u128v[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t boolv[1] = {1};
    const uint64_t now = 1750000000000000ull, base_ts = 1750000000500000ull;
    iggy_identifier_t s = iggy_id_num(1), t = iggy_id_num(2);
    iggy_partitioning_t p = {IGGY_PARTITIONING_PARTITION_ID, 5, NULL, 0};
    iggy_writer_t w = test_writer();
    uint8_t *body;
    size_t rec_off, rec_len, body_len;
    uint64_t origin_min = UINT64_MAX;
    const iggy_polled_messages_t *r;

    srand(12345);
    for (int i = 0; i < RT_COUNT; i++) {
        uint32_t len = (uint32_t)(rand() % 600);
        for (uint32_t k = 0; k < len; k++)
            payloads[i][k] = (uint8_t)rand();
        memset(&m[i], 0, sizeof m[i]);
        m[i].payload = len ? payloads[i] : NULL;
        m[i].payload_len = len;
        /* Every 5th message leaves id and origin to the library. */
        if (i % 5 != 0) {
            m[i].id.lo = (uint64_t)rand() << 32 | (uint64_t)rand();
            m[i].id.hi = (uint64_t)i;
            m[i].origin_timestamp = now - 1000000 + (uint64_t)(rand() % 2000000);
        }
        switch (i % 4) {
        case 1:
            hdrs[i][0] = kv(IGGY_KV_STRING, "trace", IGGY_KV_STRING, "abc-123", 7);
            m[i].headers_count = 1;
            break;
        case 2:
            hdrs[i][0] = kv(IGGY_KV_STRING, "i64", IGGY_KV_INT64, i64v, 8);
            hdrs[i][1] = kv(IGGY_KV_STRING, "f64", IGGY_KV_FLOAT64, f64v, 8);
            hdrs[i][2] = kv(IGGY_KV_INT32, "k", IGGY_KV_UINT128, u128v, 16);
            m[i].headers_count = 3;
            break;
        case 3:
            hdrs[i][0] = kv(IGGY_KV_STRING, "flag", IGGY_KV_BOOL, boolv, 1);
            hdrs[i][1] = kv(IGGY_KV_STRING, "blob", IGGY_KV_RAW, payloads[i], 1);
            m[i].headers_count = payloads[i][0] ? 2 : 1;
            break;
        default:
            break;
        }
        m[i].headers = m[i].headers_count ? hdrs[i] : NULL;
        {
            uint64_t o = m[i].origin_timestamp ? m[i].origin_timestamp : now;
            origin_min = o < origin_min ? o : origin_min;
        }
    }
    memcpy(copy, m, sizeof m);

    iggy_enc_send_messages(&w, &s, &t, &p, m, RT_COUNT, now);
    ck_assert_int_eq(iggy_wr_status(&w), IGGY_OK);
    ck_assert_int_eq(memcmp(copy, m, sizeof m), 0); /* caller's array untouched */
    ck_assert_uint_eq(get32(w.data), 22);           /* 6 + 6 + 6 (PartitionId) + 4 */
    ck_assert_uint_eq(get32(w.data + 4 + 18), RT_COUNT);
    rec_off = 4 + 22;
    rec_len = w.len - rec_off;
    ck_assert_int_eq(iggy_batch_verify(w.data + rec_off, rec_len), IGGY_OK);
    ck_assert_uint_eq(get64(w.data + rec_off + 24), origin_min);
    ck_assert_uint_eq(get64(w.data + rec_off + 32), rec_len);

    /* Serve it back as the broker would: stamp partition, base offset, base timestamp,
     * recompute the batch checksum independently, prefix the 16-byte poll header. */
    body_len = 16 + rec_len;
    body = malloc(body_len);
    ck_assert_ptr_nonnull(body);
    put32(body, 5);
    put64(body + 4, 1000 + RT_COUNT - 1);
    put32(body + 12, RT_COUNT);
    memcpy(body + 16, w.data + rec_off, rec_len);
    iggy_wr_release(&w);
    put64(body + 16, 5);
    put64(body + 16 + 8, 1000);
    put64(body + 16 + 16, base_ts);
    ck_assert_int_eq(iggy_batch_verify(body + 16, rec_len), IGGY_ERR__BAD_MSG);
    put64(body + 16 + 40, batch_checksum_of(body + 16, rec_len));
    ck_assert_int_eq(iggy_poll_body_verify(body, body_len), IGGY_OK);

    r = decode_ok(&iggy_resp_polled_messages, body, body_len);
    ck_assert_uint_eq(r->partition_id, 5);
    ck_assert_uint_eq(r->current_offset, 1000 + RT_COUNT - 1);
    ck_assert_uint_eq(r->declared_count, RT_COUNT);
    ck_assert_uint_eq(r->count, RT_COUNT);
    for (int i = 0; i < RT_COUNT; i++) {
        const iggy_message_t *g = &r->messages[i];
        ck_assert_uint_eq(g->offset, 1000 + (uint64_t)i);
        ck_assert_uint_eq(g->timestamp, base_ts);
        ck_assert_uint_eq(g->origin_timestamp, m[i].origin_timestamp ? m[i].origin_timestamp : now);
        if (m[i].id.lo || m[i].id.hi) {
            ck_assert_uint_eq(g->id.lo, m[i].id.lo);
            ck_assert_uint_eq(g->id.hi, m[i].id.hi);
        } else {
            /* Minted UUID v4; LE bytes = UUID bytes: byte 6 = version, byte 8 = variant. */
            ck_assert_uint_eq((g->id.lo >> 52) & 0xF, 4);
            ck_assert_uint_eq(g->id.hi & 0xC0, 0x80);
        }
        assert_bytes(g->payload, g->payload_len, m[i].payload, m[i].payload_len);
        ck_assert_uint_eq(g->headers.count, m[i].headers_count);
        ck_assert_uint_eq(g->raw_headers_len, iggy_kv_block_size(m[i].headers, m[i].headers_count));
        if (!m[i].headers_count)
            ck_assert_ptr_null(g->raw_headers);
        for (size_t k = 0; k < m[i].headers_count; k++) {
            const iggy_kv_t *e = &m[i].headers[k];
            ck_assert_uint_eq(g->headers.entries[k].key_kind, e->key_kind);
            ck_assert_uint_eq(g->headers.entries[k].value_kind, e->value_kind);
            assert_bytes(g->headers.entries[k].key, g->headers.entries[k].key_len, e->key,
                         e->key_len);
            assert_bytes(g->headers.entries[k].value, g->headers.entries[k].value_len, e->value,
                         e->value_len);
        }
    }
    iggy_result_destroy(r);
    free(body);
}
END_TEST

START_TEST(multi_record_poll)
{
    /* Two records back to back (the golden record twice, the second re-based at 102 and
     * timestamp 6000): offsets 100, 101, 102, 103; timestamps per record. */
    const test_vector_t *v = vector_get("poll_reply_body_golden");
    size_t rec = v->len - 16, len = 16 + 2 * rec;
    uint8_t *b = malloc(len);
    const iggy_polled_messages_t *r;
    ck_assert_ptr_nonnull(b);
    memcpy(b, v->bytes, v->len);
    memcpy(b + v->len, v->bytes + 16, rec);
    put32(b + 12, 4);
    put64(b + 16 + rec + 8, 102);
    put64(b + 16 + rec + 16, 6000);
    r = decode_ok(&iggy_resp_polled_messages, b, len);
    ck_assert_uint_eq(r->count, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(r->messages[i].offset, 100 + (uint64_t)i);
    ck_assert_uint_eq(r->messages[1].timestamp, 5000);
    ck_assert_uint_eq(r->messages[2].timestamp, 6000);
    ck_assert_uint_eq(r->messages[3].origin_timestamp, 1050);
    assert_bytes(r->messages[3].payload, r->messages[3].payload_len, "second-payload", 14);
    iggy_result_destroy(r);
    free(b);
}
END_TEST

/* ---------------------------------------------------------------- ids, timestamps */

START_TEST(mint_ids_and_timestamps)
{
    iggy_identifier_t s = iggy_id_num(1), t = iggy_id_num(2);
    iggy_partitioning_t p = {IGGY_PARTITIONING_BALANCED, 0, NULL, 0};
    iggy_send_message_t m[3] = {msg(0, 0, 0, "a"), msg(0, 0, 0, "b"), msg(5, 0, 0, "c")}, copy[3];
    const uint64_t now = 1700000000000000ull;
    iggy_writer_t w = test_writer();
    const uint8_t *rec, *f0, *f1, *f2;

    m[2].origin_timestamp = now + 77;
    memcpy(copy, m, sizeof m);
    iggy_enc_send_messages(&w, &s, &t, &p, m, 3, now);
    ck_assert_int_eq(iggy_wr_status(&w), IGGY_OK);
    ck_assert_int_eq(memcmp(copy, m, sizeof m), 0);
    rec = w.data + 4 + 18;
    ck_assert_uint_eq(get64(rec + 24), now); /* origin 0 became now */
    f0 = rec + 256;
    f1 = f0 + 49;
    f2 = f1 + 49;
    for (const uint8_t *f = f0; f != f2; f += 49) {
        ck_assert_uint_eq(f[8 + 6] >> 4, 4);      /* UUID version 4 */
        ck_assert_uint_eq(f[8 + 8] & 0xC0, 0x80); /* RFC 4122 variant */
        ck_assert_uint_eq(get32(f + 28), 0);
    }
    ck_assert_int_ne(memcmp(f0 + 8, f1 + 8, 16), 0);
    ck_assert_uint_eq(get64(f2 + 8), 5);
    ck_assert_uint_eq(get64(f2 + 16), 0);
    ck_assert_uint_eq(get32(f2 + 24), 2);  /* offset_delta = index */
    ck_assert_uint_eq(get32(f2 + 28), 77); /* timestamp_delta */
    ck_assert_int_eq(iggy_batch_verify(rec, w.len - (size_t)(rec - w.data)), IGGY_OK);
    iggy_wr_release(&w);
}
END_TEST

/* ---------------------------------------------------------------- partitioning */

START_TEST(partition_for_key_xxh32)
{
    static uint8_t all[256];
    const struct {
        const char *key;
        uint32_t h;
    } known[] = {{"", 0x02cc5d05},
                 {"a", 0x550d7456},
                 {"abc", 0x32d153ff},
                 {"abcd", 0xa3643705},
                 {"user-123", 0x0cc9ec8c},
                 {"order-42", 0xbbc33ad1},
                 {"order-key-1", 0x0d3fe0e1},
                 {"order-key", 0x43a01006},
                 {"message digest", 0x7c948494},
                 {"abcdefghijklmnopqrstuvwxyz", 0x63a14d5f},
                 {"0123456789abcdef", 0xc2c45b69},
                 {"0123456789abcdefghijklmnopqrstuvwxyz", 0x9aa38e7e},
                 {"Nobody inspects the spammish repetition", 0xe2293b2f}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        const uint8_t *k = (const uint8_t *)known[i].key;
        size_t n = strlen(known[i].key);
        /* Every published value is below 0xFFFFFFFF, so % UINT32_MAX exposes the hash. */
        ck_assert_uint_eq(iggy_partition_for_key(k, n, UINT32_MAX), known[i].h);
        ck_assert_uint_eq(iggy_partition_for_key(k, n, 3), known[i].h % 3);
        ck_assert_uint_eq(iggy_partition_for_key(k, n, 1), 0);
        ck_assert_uint_eq(iggy_partition_for_key(k, n, 0), 0);
    }
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    ck_assert_uint_eq(iggy_partition_for_key(all, 256, UINT32_MAX), 0x59441253);
    /* "order-42" -> partition 1 of a 3-partition topic (messages.md §11). */
    ck_assert_uint_eq(iggy_partition_for_key((const uint8_t *)"order-42", 8, 3), 1);
    /* Stable: same key, same partition, every call. */
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(iggy_partition_for_key((const uint8_t *)"user-123", 8, 7),
                          0x0cc9ec8cu % 7);
}
END_TEST

/* ---------------------------------------------------------------- malformed replies */

START_TEST(malformed_poll_replies)
{
    const test_vector_t *v = vector_get("poll_reply_body_golden");
    const size_t n = v->len;
    uint8_t *b;

    /* Every truncation, including 1..15-byte bodies. */
    for (size_t len = 1; len < n; len++)
        expect_bad_msg(&iggy_resp_polled_messages, v->bytes, len);

    b = dup_bytes(v->bytes, n);
    put64(b + 16 + 32, 255); /* batch_length below 256 */
    expect_bad_msg(&iggy_resp_polled_messages, b, n);
    put64(b + 16 + 32, n - 16 + 1); /* past the body */
    expect_bad_msg(&iggy_resp_polled_messages, b, n);
    put64(b + 16 + 32, UINT64_MAX);
    expect_bad_msg(&iggy_resp_polled_messages, b, n);
    put64(b + 16 + 32, n - 16 - 1); /* frames no longer tile the record */
    expect_bad_msg(&iggy_resp_polled_messages, b, n);
    memcpy(b, v->bytes, n);

    b[16 + 256 + 40] = 1; /* frame reserved */
    expect_bad_msg(&iggy_resp_polled_messages, b, n);
    ck_assert_ptr_nonnull(strstr(iggy_last_error_detail(), "reserved"));
    b[16 + 256 + 40] = 0;
    b[16 + 256 + 61 + 47] = 0x80; /* second frame's reserved, last byte */
    expect_bad_msg(&iggy_resp_polled_messages, b, n);
    memcpy(b, v->bytes, n);

    put32(b + 12, UINT32_MAX); /* hostile declared count */
    expect_bad_msg(&iggy_resp_polled_messages, b, n);
    memcpy(b, v->bytes, n);
    put32(b + 16 + 48, UINT32_MAX); /* hostile record message_count */
    expect_bad_msg(&iggy_resp_polled_messages, b, n);
    put32(b + 16 + 48, 3); /* record count disagrees with its frames */
    expect_bad_msg(&iggy_resp_polled_messages, b, n);
    put32(b + 16 + 48, 1);
    expect_bad_msg(&iggy_resp_polled_messages, b, n);
    memcpy(b, v->bytes, n);

    put32(b + 16 + 256 + 36, UINT32_MAX); /* payload_length past the record */
    expect_bad_msg(&iggy_resp_polled_messages, b, n);
    memcpy(b, v->bytes, n);
    put32(b + 16 + 256 + 61 + 32, 18); /* user headers overrun the record */
    expect_bad_msg(&iggy_resp_polled_messages, b, n);
    free(b);

    /* A trailing byte after the last record. */
    b = malloc(n + 1);
    ck_assert_ptr_nonnull(b);
    memcpy(b, v->bytes, n);
    b[n] = 0;
    expect_bad_msg(&iggy_resp_polled_messages, b, n + 1);
    free(b);
}
END_TEST

/* ---------------------------------------------------------------- invalid send input */

START_TEST(invalid_send_input)
{
    static uint8_t key256[256], big[2000];
    iggy_identifier_t s = iggy_id_num(1), t = iggy_id_num(2);
    iggy_partitioning_t bal = {IGGY_PARTITIONING_BALANCED, 0, NULL, 0};
    iggy_partitioning_t key = {IGGY_PARTITIONING_MESSAGES_KEY, 0, key256, 256};
    iggy_send_message_t m[2] = {msg(1, 0, 1000, "x"), msg(2, 0, 1000, "y")};
    iggy_kv_t badkv = kv(IGGY_KV_STRING, "", IGGY_KV_STRING, "v", 1);
    iggy_raw_block_t raw[2] = {{NULL, 0}, {NULL, 3}};
    iggy_writer_t w;

    w = test_writer();
    iggy_enc_send_messages(&w, &s, &t, &bal, m, 0, 1);
    expect_writer_err(&w, IGGY_ERR__INVALID_ARG);
    ck_assert_uint_eq(w.len, 0);

    w = test_writer();
    iggy_enc_send_messages(&w, &s, &t, &bal, NULL, 2, 1);
    expect_writer_err(&w, IGGY_ERR__INVALID_ARG);

    m[1].payload = NULL; /* NULL payload with a length */
    w = test_writer();
    iggy_enc_send_messages(&w, &s, &t, &bal, m, 2, 1);
    expect_writer_err(&w, IGGY_ERR__INVALID_ARG);
    m[1] = msg(2, 0, 1000, "y");

    w = test_writer();
    iggy_enc_send_messages(&w, &s, &t, &key, m, 2, 1); /* 256-byte key */
    expect_writer_err(&w, IGGY_ERR__INVALID_ARG);

    m[1].origin_timestamp = 1000 + (uint64_t)UINT32_MAX + 1; /* delta past u32 */
    w = test_writer();
    iggy_enc_send_messages(&w, &s, &t, &bal, m, 2, 1);
    expect_writer_err(&w, IGGY_ERR__INVALID_ARG);
    m[1].origin_timestamp = 1000 + (uint64_t)UINT32_MAX; /* exactly u32::MAX is fine */
    w = test_writer();
    iggy_enc_send_messages(&w, &s, &t, &bal, m, 2, 1);
    ck_assert_int_eq(iggy_wr_status(&w), IGGY_OK);
    ck_assert_uint_eq(get32(w.data + 4 + 18 + 256 + 49 + 28), UINT32_MAX);
    iggy_wr_release(&w);
    m[1].origin_timestamp = 1000;

    m[1].headers_count = 1; /* headers NULL with a count */
    w = test_writer();
    iggy_enc_send_messages(&w, &s, &t, &bal, m, 2, 1);
    expect_writer_err(&w, IGGY_ERR__INVALID_ARG);
    m[1].headers = &badkv; /* empty key */
    w = test_writer();
    iggy_enc_send_messages(&w, &s, &t, &bal, m, 2, 1);
    expect_writer_err(&w, IGGY_ERR__INVALID_ARG);
    w = test_writer(); /* typed and raw headers together */
    iggy_enc_send_messages_raw(&w, &s, &t, &bal, m, 2, raw, 1);
    expect_writer_err(&w, IGGY_ERR__INVALID_ARG);
    m[1].headers = NULL;
    m[1].headers_count = 0;
    w = test_writer(); /* raw block NULL with a length */
    iggy_enc_send_messages_raw(&w, &s, &t, &bal, m, 2, raw, 1);
    expect_writer_err(&w, IGGY_ERR__INVALID_ARG);

    /* Past the writer's frame limit: MSG_TOO_LARGE before any batch byte is written. */
    m[0].payload = big;
    m[0].payload_len = sizeof big;
    w = test_writer();
    w.limit = 1024;
    iggy_enc_send_messages(&w, &s, &t, &bal, m, 2, 1);
    expect_writer_err(&w, IGGY_ERR__MSG_TOO_LARGE);
}
END_TEST

START_TEST(empty_payload_and_many_messages)
{
    /* A 0-byte payload is legal on the wire; 7 one-byte messages = 621 bytes (Node). */
    iggy_identifier_t s = iggy_id_num(1), t = iggy_id_num(2);
    iggy_partitioning_t bal = {IGGY_PARTITIONING_BALANCED, 0, NULL, 0};
    iggy_send_message_t m[7];
    iggy_writer_t w = test_writer();
    for (int i = 0; i < 7; i++)
        m[i] = msg((uint64_t)i + 1, 0, 1000, "z");
    iggy_enc_send_messages(&w, &s, &t, &bal, m, 7, 1);
    ck_assert_int_eq(iggy_wr_status(&w), IGGY_OK);
    ck_assert_uint_eq(w.len, 621);
    iggy_wr_release(&w);

    m[0] = msg(1, 0, 1000, NULL);
    w = test_writer();
    iggy_enc_send_messages(&w, &s, &t, &bal, m, 1, 1);
    ck_assert_int_eq(iggy_wr_status(&w), IGGY_OK);
    ck_assert_uint_eq(w.len, 4 + 18 + 256 + 48);
    ck_assert_int_eq(iggy_batch_verify(w.data + 22, w.len - 22), IGGY_OK);
    iggy_wr_release(&w);
}
END_TEST

START_TEST(send_after_reserved_header)
{
    /* The RPC path reserves the 256-byte frame header first: offsets must be relative. */
    iggy_writer_t w = test_writer();
    const test_vector_t *v = vector_get("send_messages_body_balanced");
    iggy_wr_zeros(&w, 256);
    encode_balanced_golden(&w);
    ck_assert_int_eq(iggy_wr_status(&w), IGGY_OK);
    ck_assert_uint_eq(w.len, 256 + v->len);
    ck_assert_int_eq(memcmp(w.data + 256, v->bytes, v->len), 0);
    iggy_wr_release(&w);
}
END_TEST

/* Both arena passes meet every payload, but each compressed payload is inflated once per
 * reply: the measure pass records the outcome, the fill pass copies it. */
START_TEST(each_compressed_payload_is_inflated_once_per_reply)
{
    enum { N = 50 };
    static uint8_t frames[N][128];
    char texts[N][32];
    iggy_send_message_t m[N];
    iggy_kv_t h[N];
    iggy_writer_t w = test_writer();
    iggy_inflate_state_t st;
    iggy_poll_decode_opts_t o;
    iggy_polled_messages_t *out = NULL;
    ZSTD_CCtx *z = ZSTD_createCCtx();

    memset(&st, 0, sizeof st);
    memset(&o, 0, sizeof o);
    for (int i = 0; i < N; i++) {
        size_t len = (size_t)snprintf(texts[i], sizeof texts[i], "payload number %02d", i);
        size_t zn;
        /* Odd ones declare no content size (streaming encoders do that). */
        ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_contentSizeFlag, i % 2 == 0)));
        zn = ZSTD_compress2(z, frames[i], sizeof frames[i], texts[i], len);
        ck_assert(!ZSTD_isError(zn));
        m[i] = msg((uint64_t)i + 1, 0, 1000, NULL);
        m[i].payload = frames[i];
        m[i].payload_len = (uint32_t)zn;
        h[i] = kv(IGGY_KV_STRING, IGGY_COMPRESSION_HEADER_KEY, IGGY_KV_STRING, "zstd", 4);
        m[i].headers = &h[i];
        m[i].headers_count = 1;
    }
    ZSTD_freeCCtx(z);
    iggy_wr_u32(&w, 0);     /* partition */
    iggy_wr_u64(&w, N - 1); /* current offset */
    iggy_wr_u32(&w, N);     /* messages */
    iggy_batch_write(&w, m, N, NULL, 1000);
    ck_assert_int_eq(iggy_wr_status(&w), IGGY_OK);

    o.decompress = true;
    o.comp = iggy_compress_ctx_new();
    o.inflate = &st;
    ck_assert_ptr_nonnull(o.comp);
    for (int reply = 1; reply <= 2; reply++) {
        ck_assert_int_eq(
            iggy_resp_unmarshal_ctx(&iggy_resp_polled_messages, w.data, w.len, &o, (void **)&out),
            IGGY_OK);
        ck_assert_uint_eq(out->count, N);
        for (int i = 0; i < N; i++) {
            ck_assert_int_eq(out->messages[i].error, IGGY_OK);
            ck_assert_uint_eq(out->messages[i].payload_len, strlen(texts[i]));
            ck_assert(memcmp(out->messages[i].payload, texts[i], strlen(texts[i])) == 0);
        }
        ck_assert_uint_eq(iggy_compress_ctx_decompress_calls(o.comp),
                          (uint64_t)N * (uint64_t)reply);
    }
    iggy_result_destroy(out);
    iggy_inflate_state_free(&st);
    iggy_compress_ctx_free(o.comp);
    iggy_wr_release(&w);
}
END_TEST

/* ---------------------------------------------------------------- reply decompression budget */

/* What one decode allocates through the iggy allocator: live bytes, their peak, the largest
 * single request. Requests above 1 GiB are noted and refused (never really made). */
static struct {
    size_t live, peak, largest;
} g_bytes;

#define BYTES_HDR 16 /* keeps max_align_t alignment; holds the block's size */
#define BYTES_REFUSE_ABOVE ((size_t)1 << 30)

static void bytes_note(size_t n)
{
    if (n > g_bytes.largest)
        g_bytes.largest = n;
}

static void bytes_grew(size_t old, size_t n)
{
    g_bytes.live = g_bytes.live - old + n;
    if (g_bytes.live > g_bytes.peak)
        g_bytes.peak = g_bytes.live;
}

static void *bytes_malloc(size_t n)
{
    uint8_t *p;
    bytes_note(n);
    if (n > BYTES_REFUSE_ABOVE || !(p = malloc(BYTES_HDR + n)))
        return NULL;
    memcpy(p, &n, sizeof n);
    bytes_grew(0, n);
    return p + BYTES_HDR;
}

static void *bytes_calloc(size_t a, size_t b)
{
    void *p;
    if (b && a > SIZE_MAX / b)
        return NULL;
    p = bytes_malloc(a * b);
    if (p)
        memset(p, 0, a * b);
    return p;
}

static void *bytes_realloc(void *q, size_t n)
{
    uint8_t *p, *np;
    size_t old;
    if (!q)
        return bytes_malloc(n);
    bytes_note(n);
    p = (uint8_t *)q - BYTES_HDR;
    memcpy(&old, p, sizeof old);
    if (n > BYTES_REFUSE_ABOVE || !(np = realloc(p, BYTES_HDR + n)))
        return NULL;
    memcpy(np, &n, sizeof n);
    bytes_grew(old, n);
    return np + BYTES_HDR;
}

static void bytes_free(void *q)
{
    uint8_t *p;
    size_t n;
    if (!q)
        return;
    p = (uint8_t *)q - BYTES_HDR;
    memcpy(&n, p, sizeof n);
    g_bytes.live -= n;
    free(p);
}

static const iggy_allocator_t bytes_allocator = {bytes_malloc, bytes_calloc, bytes_realloc,
                                                 bytes_free};

/* A poll reply body (prefix, one batch record) of n messages: message i carries payloads[i]
 * and, when codecs[i] is set, the `iggy-compression` header naming it. In malloc'd memory:
 * no pool buffer outlives the call. */
static uint8_t *poll_reply_of(const uint8_t *const *payloads, const size_t *lens,
                              const char *const *codecs, size_t n, size_t *len)
{
    iggy_writer_t w = test_writer();
    iggy_send_message_t *m = calloc(n, sizeof *m);
    iggy_kv_t *h = calloc(n, sizeof *h);
    uint8_t *body;
    ck_assert(m && h);
    for (size_t i = 0; i < n; i++) {
        m[i] = msg((uint64_t)i + 1, 0, 1000, NULL);
        m[i].payload = payloads[i];
        m[i].payload_len = (uint32_t)lens[i];
        if (codecs[i]) {
            h[i] = kv(IGGY_KV_STRING, IGGY_COMPRESSION_HEADER_KEY, IGGY_KV_STRING, codecs[i],
                      (uint32_t)strlen(codecs[i]));
            m[i].headers = &h[i];
            m[i].headers_count = 1;
        }
    }
    iggy_wr_u32(&w, 0);               /* partition */
    iggy_wr_u64(&w, (uint64_t)n - 1); /* current offset */
    iggy_wr_u32(&w, (uint32_t)n);     /* messages */
    iggy_batch_write(&w, m, n, NULL, 1000);
    ck_assert_int_eq(iggy_wr_status(&w), IGGY_OK);
    body = dup_bytes(w.data, w.len);
    *len = w.len;
    iggy_wr_release(&w);
    free(m);
    free(h);
    return body;
}

/* What a reply decoded to, gathered while the byte-accounting allocator was on. */
typedef struct decoded {
    iggy_err_t err;
    size_t count, decoded; /* messages; of them, decoded payloads */
    iggy_err_t *msg_err;   /* per message */
    bool *as_expected;     /* decoded: the plaintext; refused: the bytes as received */
    size_t peak, largest;  /* live-byte peak, largest single request */
    uint64_t inflations;   /* decompression calls through the codec context */
    size_t inflate_cap;    /* the reusable inflate buffer afterwards */
    char detail[512];      /* the thread's last error detail after the decode */
} decoded_t;

/* Decode body as the client does (decompress on, a reply budget, one inflate state) under
 * the byte-accounting allocator. Message i decodes to plaintext of want_len[i] bytes hashing
 * to want_hash[i] (XXH64), or is refused with its raw[i] bytes as received. */
static void decode_reply(const uint8_t *body, size_t len, size_t budget, const uint8_t *const *raw,
                         const size_t *raw_len, const uint64_t *want_hash, const size_t *want_len,
                         size_t n, decoded_t *d)
{
    iggy_poll_decode_opts_t o;
    iggy_inflate_state_t st;
    iggy_polled_messages_t *out = NULL;
    const char *detail;

    memset(d, 0, sizeof *d);
    d->msg_err = calloc(n, sizeof *d->msg_err);
    d->as_expected = calloc(n, sizeof *d->as_expected);
    ck_assert(d->msg_err && d->as_expected);
    ck_assert_int_eq(iggy_set_allocator(&bytes_allocator), 0);
    memset(&g_bytes, 0, sizeof g_bytes);
    memset(&st, 0, sizeof st);
    memset(&o, 0, sizeof o);
    o.decompress = true;
    o.reply_budget = budget;
    o.comp = iggy_compress_ctx_new();
    o.inflate = &st;
    if (o.comp) {
        d->err = iggy_resp_unmarshal_ctx(&iggy_resp_polled_messages, body, len, &o, (void **)&out);
        detail = iggy_last_error_detail();
        snprintf(d->detail, sizeof d->detail, "%s", detail ? detail : "");
    } else {
        d->err = IGGY_ERR__NO_MEMORY;
    }
    d->peak = g_bytes.peak;
    d->largest = g_bytes.largest;
    d->inflations = iggy_compress_ctx_decompress_calls(o.comp);
    d->inflate_cap = st.out.cap;
    for (size_t i = 0; out && i < out->count && i < n; i++) {
        const iggy_message_t *m = &out->messages[i];
        d->msg_err[i] = m->error;
        if (m->error == IGGY_OK) {
            d->decoded++;
            d->as_expected[i] = m->payload_len == want_len[i] &&
                                XXH64(m->payload, m->payload_len, 0) == want_hash[i];
        } else {
            d->as_expected[i] =
                m->payload_len == raw_len[i] && memcmp(m->payload, raw[i], raw_len[i]) == 0;
        }
    }
    d->count = out ? out->count : 0;
    /* Everything the decode allocated goes back before the allocator is restored. */
    iggy_result_destroy(out);
    iggy_inflate_state_free(&st);
    iggy_compress_ctx_free(o.comp);
    ck_assert_int_eq(iggy_set_allocator(NULL), 0);
}

static void decoded_free(decoded_t *d)
{
    free(d->msg_err);
    free(d->as_expected);
}

/* A deterministic byte stream for plaintexts. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static uint8_t *zstd_pack(const uint8_t *src, size_t n, int declare_size, size_t *zn)
{
    ZSTD_CCtx *z = ZSTD_createCCtx();
    size_t cap = ZSTD_compressBound(n);
    uint8_t *dst = malloc(cap);
    ck_assert(z && dst);
    ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_contentSizeFlag, declare_size)));
    *zn = ZSTD_compress2(z, dst, cap, src, n);
    ck_assert(!ZSTD_isError(*zn));
    ZSTD_freeCCtx(z);
    return dst;
}

/* An LZ4 frame of 64 KiB blocks with a content checksum; without a content size when
 * declare_size is 0 (what lz4_flex's FrameEncoder writes). */
static uint8_t *lz4_pack(const uint8_t *src, size_t n, int declare_size, size_t *zn)
{
    LZ4F_preferences_t p;
    size_t cap;
    uint8_t *dst;
    memset(&p, 0, sizeof p);
    p.frameInfo.blockSizeID = LZ4F_max64KB;
    p.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    p.frameInfo.contentSize = declare_size ? (unsigned long long)n : 0;
    cap = LZ4F_compressFrameBound(n, &p);
    dst = malloc(cap);
    ck_assert_ptr_nonnull(dst);
    *zn = LZ4F_compressFrame(dst, cap, src, n, &p);
    ck_assert(!LZ4F_isError(*zn));
    return dst;
}

/* Real zstd bombs made by libzstd: 16 MiB of zeros (RLE blocks) or of a repeated 1 KiB
 * pattern (compressed blocks), a few KiB each, half of them without a declared size. A
 * reply of eight never produces past its budget: the first ones decode, the rest keep their
 * bytes with an error, and what the decode allocates stays within twice the budget. */
START_TEST(real_zstd_bombs_stop_at_the_reply_budget)
{
    enum { BOMBS = 8, N = BOMBS + 2 };
    const size_t big = (size_t)16 << 20;
    uint8_t *plain = malloc(big), *packed[BOMBS];
    const uint8_t *payloads[N];
    size_t lens[N], want_len[N], body_len;
    uint64_t want_hash[N], seed = 7;
    const char *codecs[N];
    uint8_t *body;

    ck_assert_ptr_nonnull(plain);
    payloads[0] = (const uint8_t *)"first";
    payloads[N - 1] = (const uint8_t *)"last";
    for (int e = 0; e < 2; e++) {
        size_t i = e ? N - 1 : 0;
        lens[i] = want_len[i] = strlen((const char *)payloads[i]);
        want_hash[i] = XXH64(payloads[i], lens[i], 0);
        codecs[i] = NULL;
    }
    for (size_t b = 0; b < BOMBS; b++) {
        if (b % 2 == 0) {
            memset(plain, 0, big);
        } else {
            for (size_t k = 0; k < 1024; k++)
                plain[k] = (uint8_t)next_rand(&seed);
            for (size_t k = 1024; k < big; k++)
                plain[k] = plain[k - 1024];
        }
        packed[b] = zstd_pack(plain, big, (b / 2) % 2 == 0, &lens[b + 1]);
        ck_assert_uint_lt(lens[b + 1], 8192); /* a bomb: < 8 KiB for 16 MiB */
        payloads[b + 1] = packed[b];
        codecs[b + 1] = "zstd";
        want_len[b + 1] = big;
        want_hash[b + 1] = XXH64(plain, big, 0);
    }
    free(plain);
    body = poll_reply_of(payloads, lens, codecs, N, &body_len);

    for (int run = 0; run < 2; run++) {
        /* The default budget (4 MiB for this ~30 KiB reply) takes none; 40 MiB takes two. */
        size_t budget = run ? (size_t)40 << 20 : 0, room = run ? budget : (size_t)4 << 20;
        size_t takes = run ? 2 : 0;
        decoded_t d;
        decode_reply(body, body_len, budget, payloads, lens, want_hash, want_len, N, &d);
        ck_assert_msg(d.err == IGGY_OK, "decode: %s (%s)", iggy_err2name(d.err), d.detail);
        ck_assert_uint_eq(d.count, N);
        ck_assert_msg(d.decoded == takes + 2, "budget %zu: %zu of %d messages decoded", budget,
                      d.decoded, N);
        for (size_t i = 0; i < N; i++) {
            bool bomb = i > 0 && i < N - 1;
            iggy_err_t want = bomb && i > takes ? IGGY_ERR__BAD_COMPRESSION : IGGY_OK;
            ck_assert_msg(d.msg_err[i] == want, "budget %zu: message %zu: %s", budget, i,
                          iggy_err2name(d.msg_err[i]));
            ck_assert_msg(d.as_expected[i], "budget %zu: message %zu has the wrong bytes", budget,
                          i);
        }
        ck_assert_msg(strstr(d.detail, "budget") != NULL, "detail: %s", d.detail);
        /* Each bomb inflated at most once; memory within twice the budget and the reply. */
        ck_assert_uint_le(d.inflations, BOMBS);
        ck_assert_msg(d.peak <= 2 * room + body_len, "budget %zu: %zu bytes live at the peak",
                      budget, d.peak);
        ck_assert_msg(d.largest <= room + body_len, "budget %zu: a %zu-byte allocation", budget,
                      d.largest);
        decoded_free(&d);
    }
    for (size_t b = 0; b < BOMBS; b++)
        free(packed[b]);
    free(body);
}
END_TEST

/* Frames that only DECLARE 64 MiB (zstd, LZ4 and snappy, each holding 100 bytes): nothing is
 * sized by the declarations, whatever the budget; every one keeps its bytes with an error. */
START_TEST(declared_sizes_alone_never_size_an_allocation)
{
    enum { LIARS = 40, N = LIARS + 2 };
    const uint32_t lie = 64u << 20;
    uint8_t small[100], *frames[3];
    size_t frame_len[3], lens[N], want_len[N], body_len;
    const uint8_t *payloads[N];
    const char *codecs[N];
    uint64_t want_hash[N], seed = 11;
    uint8_t *body;

    for (size_t k = 0; k < sizeof small; k++)
        small[k] = (uint8_t)('a' + next_rand(&seed) % 26);
    /* zstd: single segment, 4-byte content size, one raw block of 100 bytes. */
    frames[0] = malloc(9 + 3 + sizeof small);
    memcpy(frames[0], "\x28\xb5\x2f\xfd\xa0", 5);
    put32(frames[0] + 5, lie);
    frames[0][9] = (uint8_t)((sizeof small << 3) | 1); /* raw, last */
    frames[0][10] = (uint8_t)(sizeof small >> 5);
    frames[0][11] = 0;
    memcpy(frames[0] + 12, small, sizeof small);
    frame_len[0] = 12 + sizeof small;
    /* LZ4: a real frame of the 100 bytes, its content size rewritten (checksum fixed). */
    frames[1] = lz4_pack(small, sizeof small, 1, &frame_len[1]);
    put64(frames[1] + 6, lie);
    frames[1][14] = (uint8_t)(XXH32(frames[1] + 4, 10, 0) >> 8);
    /* snappy: a literal of the 100 bytes behind a preamble of 64 MiB (varint 80 80 80 20). */
    {
        size_t cap = snappy_max_compressed_length(sizeof small), zn = cap;
        uint8_t *z = malloc(cap);
        ck_assert(z &&
                  snappy_compress((const char *)small, sizeof small, (char *)z, &zn) == SNAPPY_OK);
        ck_assert_uint_eq(z[0], sizeof small); /* a one-byte preamble */
        frames[2] = malloc(zn + 3);
        memcpy(frames[2], "\x80\x80\x80\x20", 4);
        memcpy(frames[2] + 4, z + 1, zn - 1);
        frame_len[2] = zn + 3;
        free(z);
    }
    for (size_t i = 0; i < N; i++) {
        static const char *const names[3] = {"zstd", "lz4", "snappy"};
        bool edge = i == 0 || i == N - 1;
        payloads[i] = edge ? small : frames[i % 3];
        lens[i] = edge ? sizeof small : frame_len[i % 3];
        codecs[i] = edge ? NULL : names[i % 3];
        want_len[i] = sizeof small;
        want_hash[i] = XXH64(small, sizeof small, 0);
    }
    body = poll_reply_of(payloads, lens, codecs, N, &body_len);

    for (int run = 0; run < 2; run++) {
        /* The default budget (4 MiB), then one that would admit a single declaration. */
        size_t budget = run ? (size_t)lie : 0, room = run ? budget : (size_t)4 << 20;
        decoded_t d;
        decode_reply(body, body_len, budget, payloads, lens, want_hash, want_len, N, &d);
        ck_assert_msg(d.err == IGGY_OK, "decode: %s (%s)", iggy_err2name(d.err), d.detail);
        ck_assert_uint_eq(d.count, N);
        ck_assert_uint_eq(d.decoded, 2);
        for (size_t i = 0; i < N; i++) {
            bool edge = i == 0 || i == N - 1;
            ck_assert_int_eq(d.msg_err[i], edge ? IGGY_OK : IGGY_ERR__BAD_COMPRESSION);
            ck_assert_msg(d.as_expected[i], "budget %zu: message %zu has the wrong bytes", budget,
                          i);
        }
        /* Never an allocation past the budget; no result space for the declarations. */
        ck_assert_msg(d.largest <= room, "budget %zu: a %zu-byte allocation", budget, d.largest);
        ck_assert_msg(d.peak <= room + 2 * body_len, "budget %zu: %zu bytes live at the peak",
                      budget, d.peak);
        decoded_free(&d);
    }
    for (int k = 0; k < 3; k++)
        free(frames[k]);
    free(body);
}
END_TEST

/* A thousand LZ4 frames without a declared size (the Rust example's kind), some corrupt and
 * some cut short: each is inflated once per reply, the broken ones cost what their blocks
 * can produce (not the whole budget, so the good ones after them still decode), and the
 * inflate buffer holds what the frames produce, not the budget. */
START_TEST(unsized_frames_inflate_once_and_cost_what_their_blocks_hold)
{
    enum { N = 1000 };
    const uint8_t **payloads = calloc(N, sizeof *payloads);
    const char **codecs = calloc(N, sizeof *codecs);
    size_t *lens = calloc(N, sizeof *lens), *want_len = calloc(N, sizeof *want_len);
    uint64_t *want_hash = calloc(N, sizeof *want_hash), seed = 3;
    size_t body_len, total = 0, good = 0;
    uint8_t *body;
    decoded_t d;

    ck_assert(payloads && codecs && lens && want_len && want_hash);
    for (size_t i = 0; i < N; i++) {
        uint8_t text[300];
        size_t n = i == 1 ? 0 : 100 + next_rand(&seed) % 200, zn;
        uint8_t *z;
        for (size_t k = 0; k < n; k++)
            text[k] = (uint8_t)('a' + next_rand(&seed) % 8);
        z = lz4_pack(text, n, 0, &zn);
        ck_assert_uint_eq(z[4] & 0x08, 0); /* no content size */
        want_len[i] = n;
        want_hash[i] = XXH64(text, n, 0);
        if (i % 20 == 10)
            z[11] ^= 0x55; /* inside the first block: the content checksum fails */
        else if (i % 100 == 99)
            zn -= 6; /* cut inside the end mark */
        else
            total += n, good++;
        payloads[i] = z;
        lens[i] = zn;
        codecs[i] = "lz4";
    }
    body = poll_reply_of(payloads, lens, codecs, N, &body_len);
    decode_reply(body, body_len, 0, payloads, lens, want_hash, want_len, N, &d);
    ck_assert_msg(d.err == IGGY_OK, "decode: %s (%s)", iggy_err2name(d.err), d.detail);
    ck_assert_uint_eq(d.count, N);
    ck_assert_msg(d.decoded == good, "%zu of %zu good frames decoded", d.decoded, good);
    /* Once per reply: not once in the measure pass and again in the fill pass. */
    ck_assert_msg(d.inflations == N, "%llu decompressions for %d payloads",
                  (unsigned long long)d.inflations, N);
    for (size_t i = 0; i < N; i++) {
        bool broken = i % 20 == 10 || i % 100 == 99;
        ck_assert_msg(d.msg_err[i] == (broken ? IGGY_ERR__BAD_COMPRESSION : IGGY_OK),
                      "message %zu: %s", i, iggy_err2name(d.msg_err[i]));
        ck_assert_msg(d.as_expected[i], "message %zu has the wrong bytes", i);
    }
    /* The buffer grew (doubling) to what the frames produced plus a frame's bound, not to the
     * budget (4 MiB here). */
    ck_assert_msg(d.inflate_cap <= 2 * (total + (128u << 10)),
                  "inflate buffer of %zu bytes for %zu", d.inflate_cap, total);
    decoded_free(&d);
    for (size_t i = 0; i < N; i++)
        free((void *)(uintptr_t)payloads[i]);
    free(payloads);
    free(codecs);
    free(lens);
    free(want_len);
    free(want_hash);
    free(body);
}
END_TEST

/* The budget option: a small explicit budget refuses a payload the default accepts, and the
 * payloads after it that fit still decode. */
START_TEST(a_small_reply_budget_refuses_what_the_default_accepts)
{
    enum { N = 3 };
    static uint8_t text[N][256u << 10];
    const size_t sizes[N] = {256u << 10, 64u << 10, 1024};
    const uint8_t *payloads[N];
    const char *codecs[N] = {"zstd", "lz4", "zstd"};
    size_t lens[N], want_len[N], body_len;
    uint64_t want_hash[N], seed = 5;
    uint8_t *body;

    for (size_t i = 0; i < N; i++) {
        for (size_t k = 0; k < sizes[i]; k++)
            text[i][k] = (uint8_t)('a' + next_rand(&seed) % 4);
        /* the middle one without a declared size */
        payloads[i] = i == 1 ? lz4_pack(text[i], sizes[i], 0, &lens[i])
                             : zstd_pack(text[i], sizes[i], 1, &lens[i]);
        want_len[i] = sizes[i];
        want_hash[i] = XXH64(text[i], sizes[i], 0);
    }
    body = poll_reply_of(payloads, lens, codecs, N, &body_len);
    for (int run = 0; run < 2; run++) {
        size_t budget = run ? (size_t)128 << 10 : 0;
        decoded_t d;
        decode_reply(body, body_len, budget, payloads, lens, want_hash, want_len, N, &d);
        ck_assert_msg(d.err == IGGY_OK, "decode: %s (%s)", iggy_err2name(d.err), d.detail);
        ck_assert_uint_eq(d.count, N);
        ck_assert_int_eq(d.msg_err[0], run ? IGGY_ERR__BAD_COMPRESSION : IGGY_OK);
        ck_assert_int_eq(d.msg_err[1], IGGY_OK);
        ck_assert_int_eq(d.msg_err[2], IGGY_OK);
        for (size_t i = 0; i < N; i++)
            ck_assert_msg(d.as_expected[i], "budget %zu: message %zu has the wrong bytes", budget,
                          i);
        decoded_free(&d);
    }
    for (size_t i = 0; i < N; i++)
        free((void *)(uintptr_t)payloads[i]);
    free(body);
}
END_TEST

/* A budget near SIZE_MAX is no limit at all (the work allowance saturates, never wraps). */
START_TEST(a_budget_near_size_max_is_no_limit)
{
    static uint8_t text[4096];
    const uint8_t *payloads[1];
    const char *codecs[1] = {"zstd"};
    size_t lens[1], want_len[1] = {sizeof text}, body_len;
    uint64_t want_hash[1];
    const size_t budgets[] = {SIZE_MAX, SIZE_MAX / 2 + 1, SIZE_MAX / 2};
    uint8_t *body;

    memset(text, 'q', sizeof text);
    payloads[0] = zstd_pack(text, sizeof text, 1, &lens[0]);
    want_hash[0] = XXH64(text, sizeof text, 0);
    body = poll_reply_of(payloads, lens, codecs, 1, &body_len);
    for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
        decoded_t d;
        decode_reply(body, body_len, budgets[b], payloads, lens, want_hash, want_len, 1, &d);
        ck_assert_int_eq(d.err, IGGY_OK);
        ck_assert_msg(d.msg_err[0] == IGGY_OK, "budget %zu: %s (%s)", budgets[b],
                      iggy_err2name(d.msg_err[0]), d.detail);
        ck_assert(d.as_expected[0]);
        decoded_free(&d);
    }
    free((void *)(uintptr_t)payloads[0]);
    free(body);
}
END_TEST

static Suite *codec_messages_suite(void)
{
    Suite *s = suite_create("codec_messages");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, send_body_balanced_vector);
    tcase_add_test(tc, send_request_vector);
    tcase_add_test(tc, send_body_partition_headers_vector);
    tcase_add_test(tc, send_body_named_key_vector);
    tcase_add_test(tc, send_records_verify);
    tcase_add_test(tc, user_headers_block_vectors);
    tcase_add_test(tc, partitioning_vectors);
    tcase_add_test(tc, poll_body_vectors);
    tcase_add_test(tc, poll_body_group_vector);
    tcase_add_test(tc, poll_body_no_partition_vector);
    tcase_add_test(tc, poll_body_go_vector);
    tcase_add_test(tc, flush_body_vector);
    tcase_add_test(tc, poll_invalid_input);
    tcase_add_test(tc, poll_reply_golden);
    tcase_add_test(tc, poll_reply_headers);
    tcase_add_test(tc, poll_reply_sliced);
    tcase_add_test(tc, poll_reply_empty_variants);
    tcase_add_test(tc, send_confirmations_vector);
    tcase_add_test(tc, send_confirmations_edge_cases);
    tcase_add_test(tc, checksum_verifier);
    tcase_add_test(tc, user_headers_validity);
    tcase_add_test(tc, batch_round_trip);
    tcase_add_test(tc, multi_record_poll);
    tcase_add_test(tc, mint_ids_and_timestamps);
    tcase_add_test(tc, partition_for_key_xxh32);
    tcase_add_test(tc, malformed_poll_replies);
    tcase_add_test(tc, invalid_send_input);
    tcase_add_test(tc, empty_payload_and_many_messages);
    tcase_add_test(tc, send_after_reserved_header);
    tcase_add_test(tc, each_compressed_payload_is_inflated_once_per_reply);
    tcase_add_test(tc, real_zstd_bombs_stop_at_the_reply_budget);
    tcase_add_test(tc, declared_sizes_alone_never_size_an_allocation);
    tcase_add_test(tc, unsized_frames_inflate_once_and_cost_what_their_blocks_hold);
    tcase_add_test(tc, a_small_reply_budget_refuses_what_the_default_accepts);
    tcase_add_test(tc, a_budget_near_size_max_is_no_limit);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(codec_messages_suite());
}
