/* Admin codecs (streams, topics, partitions, segments, consumer groups, consumer offsets)
 * against the golden vectors of admin.md §10: every request encoder reproduces its vector
 * byte for byte, every reply decoder yields every documented field, and invalid input
 * fails with a detail. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/iggy_cmd_topics.h"
#include "codec/iggy_frame.h"
#include "codec_helpers.h"
#include "test_main.h"
#include "iggy_error_internal.h"

/* created_at of every vector: 1750000000000000 µs */
#define T0 1750000000000000ull
#define GIB 1073741824ull
#define MIB 1048576ull

/* ---------------------------------------------------------------- helpers */

static iggy_kv_t kv(const char *key, uint8_t kind, const void *value, uint32_t value_len)
{
    iggy_kv_t e = {IGGY_KV_STRING,        kind,
                   (uint32_t)strlen(key), value_len,
                   (const uint8_t *)key,  (const uint8_t *)value};
    return e;
}

/* Assert decoding fails with BAD_MSG and a detail, leaving the result untouched. */
static void expect_bad(const iggy_resp_ops_t *ops, const uint8_t *p, size_t len)
{
    void *out = NULL;
    iggy_err_t err;
    iggy_detail_clear();
    err = iggy_resp_unmarshal(ops, p, len, &out);
    ck_assert_msg(err == IGGY_ERR__BAD_MSG, "%s: %zu bytes: want BAD_MSG, got %s", ops->name, len,
                  iggy_err2name(err));
    ck_assert_ptr_null(out);
    ck_assert_msg(iggy_last_error_detail()[0] != '\0', "%s: no error detail", ops->name);
}

/* Expect BAD_MSG with a detail containing needle (for the mutation tests). */
static void expect_bad_detail(const iggy_resp_ops_t *ops, const uint8_t *p, size_t len,
                              const char *needle)
{
    expect_bad(ops, p, len);
    ck_assert_msg(strstr(iggy_last_error_detail(), needle) != NULL, "detail \"%s\" lacks \"%s\"",
                  iggy_last_error_detail(), needle);
}

/* A mutable, exact-size heap copy of len bytes (so ASan sees any over-read), followed by
 * extra zero bytes. */
static uint8_t *copy_of(const uint8_t *p, size_t len, size_t extra)
{
    uint8_t *c = calloc(1, len + extra ? len + extra : 1);
    ck_assert_ptr_nonnull(c);
    memcpy(c, p, len);
    return c;
}

static void assert_key(const iggy_kv_t *e, const char *key)
{
    size_t n = strlen(key);
    ck_assert_uint_eq(e->key_kind, IGGY_KV_STRING);
    ck_assert_uint_eq(e->key_len, n);
    ck_assert_msg(memcmp(e->key, key, n) == 0, "key is not %s", key);
    ck_assert_uint_eq(e->key[n], 0); /* NUL-terminated copy */
}

static void assert_kv_u64(const iggy_kv_t *e, const char *key, uint64_t v)
{
    assert_key(e, key);
    ck_assert_uint_eq(e->value_kind, IGGY_KV_UINT64);
    ck_assert_uint_eq(e->value_len, 8);
    ck_assert_uint_eq(iggy_le64(e->value), v);
}

static void assert_kv_u32(const iggy_kv_t *e, const char *key, uint32_t v)
{
    assert_key(e, key);
    ck_assert_uint_eq(e->value_kind, IGGY_KV_UINT32);
    ck_assert_uint_eq(e->value_len, 4);
    ck_assert_uint_eq(iggy_le32(e->value), v);
}

static void assert_kv_bool(const iggy_kv_t *e, const char *key, int v)
{
    assert_key(e, key);
    ck_assert_uint_eq(e->value_kind, IGGY_KV_BOOL);
    ck_assert_uint_eq(e->value_len, 1);
    ck_assert_uint_eq(e->value[0], (unsigned)v);
}

static void assert_kv_str(const iggy_kv_t *e, const char *key, const char *v)
{
    assert_key(e, key);
    ck_assert_uint_eq(e->value_kind, IGGY_KV_STRING);
    ck_assert_uint_eq(e->value_len, strlen(v));
    ck_assert_str_eq((const char *)e->value, v); /* bytes + NUL */
}

/* The server's default derived block (admin.md §4.0), sorted by key. skip_explicit leaves
 * out compression_algorithm and message_expiry (set explicitly by create_topic_body). */
static void assert_derived_defaults(const iggy_kv_list_t *l, int skip_explicit)
{
    size_t i = 0;
    ck_assert_uint_eq(l->count, skip_explicit ? 6 : 8);
    ck_assert_ptr_nonnull(l->entries);
    if (!skip_explicit)
        assert_kv_str(&l->entries[i++], "compression_algorithm", "none");
    assert_kv_bool(&l->entries[i++], "enforce_fsync", 0);
    assert_kv_u64(&l->entries[i++], "max_topic_size", UINT64_MAX);
    if (!skip_explicit)
        assert_kv_u64(&l->entries[i++], "message_expiry", UINT64_MAX);
    assert_kv_u32(&l->entries[i++], "messages_required_to_save", 1024);
    assert_kv_bool(&l->entries[i++], "preallocate_segments", 0);
    assert_kv_u64(&l->entries[i++], "segment_size", GIB);
    assert_kv_u64(&l->entries[i++], "size_of_messages_required_to_save", MIB);
    ck_assert_uint_eq(i, l->count);
}

static void assert_no_options(const iggy_kv_list_t *l)
{
    ck_assert_uint_eq(l->count, 0);
    ck_assert_ptr_null(l->entries);
}

/* The default topic "t" of the get_stream/get_topic(s) vectors: id 0, 1 partition,
 * never expires, compression none, unlimited size, empty. */
static void assert_topic_t(const iggy_topic_t *t)
{
    ck_assert_uint_eq(t->id, 0);
    ck_assert_uint_eq(t->created_at, T0);
    ck_assert_uint_eq(t->partitions_count, 1);
    ck_assert_uint_eq(t->message_expiry, IGGY_EXPIRY_NEVER);
    ck_assert_uint_eq(t->compression_algorithm, IGGY_COMPRESSION_NONE);
    ck_assert_uint_eq(t->max_topic_size, IGGY_SIZE_UNLIMITED);
    ck_assert_uint_eq(t->size_bytes, 0);
    ck_assert_uint_eq(t->messages_count, 0);
    ck_assert_str_eq(t->name, "t");
    assert_no_options(&t->explicit_options);
}

/* The topic "orders" of create_topic_reply_body / topic_header_block. */
static void assert_topic_orders_header(const iggy_topic_t *t)
{
    ck_assert_uint_eq(t->id, 0);
    ck_assert_uint_eq(t->created_at, T0);
    ck_assert_uint_eq(t->partitions_count, 3);
    ck_assert_uint_eq(t->message_expiry, 86400000000ull);
    ck_assert_uint_eq(t->compression_algorithm, IGGY_COMPRESSION_GZIP);
    ck_assert_uint_eq(t->max_topic_size, IGGY_SIZE_UNLIMITED);
    ck_assert_uint_eq(t->size_bytes, 0);
    ck_assert_uint_eq(t->messages_count, 0);
    ck_assert_str_eq(t->name, "orders");
    ck_assert_uint_eq(t->explicit_options.count, 2);
    assert_kv_str(&t->explicit_options.entries[0], "compression_algorithm", "gzip");
    assert_kv_u64(&t->explicit_options.entries[1], "message_expiry", 86400000000ull);
    assert_derived_defaults(&t->derived_options, 1);
}

static void assert_partition(const iggy_partition_t *p, uint32_t id, uint32_t segments,
                             uint64_t current_offset, uint64_t size, uint64_t messages)
{
    ck_assert_uint_eq(p->id, id);
    ck_assert_uint_eq(p->created_at, T0);
    ck_assert_uint_eq(p->segments_count, segments);
    ck_assert_uint_eq(p->current_offset, current_offset);
    ck_assert_uint_eq(p->size_bytes, size);
    ck_assert_uint_eq(p->messages_count, messages);
}

/* Every proper prefix of a count-driven payload is malformed. */
static void expect_all_truncations_bad(const iggy_resp_ops_t *ops, const uint8_t *p, size_t len)
{
    for (size_t n = 0; n < len; n++) {
        uint8_t *c = copy_of(p, n, 0);
        expect_bad(ops, c, n);
        free(c);
    }
}

/* Test-only vtables around the shared block decoders. */
static iggy_err_t dec_topic_header_only(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    IGGY_TRY(iggy_dec_topic_header(r, a, out));
    return iggy_rd_end(r);
}

static iggy_err_t dec_options_block(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    IGGY_TRY(iggy_dec_kv_block(r, a, iggy_rd_left(r), 1, out));
    return iggy_rd_end(r);
}

static const iggy_resp_ops_t topic_header_ops = {"TopicHeader", sizeof(iggy_topic_t),
                                                 dec_topic_header_only};
static const iggy_resp_ops_t options_block_ops = {"OptionsBlock", sizeof(iggy_kv_list_t),
                                                  dec_options_block};

/* ---------------------------------------------------------------- primitives */

START_TEST(enc_identifiers_and_options_block)
{
    iggy_identifier_t one = iggy_id_num(1), orders = iggy_id_name("orders");
    uint8_t yes = 1, seg[8];
    iggy_kv_t opts[2];
    iggy_writer_t w;
    const test_vector_t *v;
    const iggy_kv_list_t *l;

    w = test_writer();
    iggy_enc_identifier(&w, &one);
    assert_writer_matches(&w, "identifier_numeric_1");

    w = test_writer();
    iggy_enc_identifier(&w, &orders);
    assert_writer_matches(&w, "identifier_string_orders");

    /* enforce_fsync = Bool true, segment_size = Uint64 1 GiB */
    iggy_put_le64(seg, GIB);
    opts[0] = kv("enforce_fsync", IGGY_KV_BOOL, &yes, 1);
    opts[1] = kv("segment_size", IGGY_KV_UINT64, seg, 8);
    w = test_writer();
    iggy_enc_kv_block(&w, opts, 2);
    ck_assert_uint_eq(iggy_kv_block_size(opts, 2), 54);
    assert_writer_matches(&w, "options_block_golden");

    /* and back */
    v = vector_get("options_block_golden");
    l = decode_ok(&options_block_ops, v->bytes, v->len);
    ck_assert_uint_eq(l->count, 2);
    assert_kv_bool(&l->entries[0], "enforce_fsync", 1);
    assert_kv_u64(&l->entries[1], "segment_size", GIB);
    iggy_result_destroy(l);
}
END_TEST

START_TEST(dec_topic_default_derived_options)
{
    const test_vector_t *v = vector_get("topic_default_derived_options");
    const iggy_kv_list_t *l;
    ck_assert_uint_eq(v->len, 274);
    l = decode_ok(&options_block_ops, v->bytes, v->len);
    assert_derived_defaults(l, 0);
    iggy_result_destroy(l);
}
END_TEST

/* ---------------------------------------------------------------- stream encoders */

START_TEST(detail_describes_the_first_invalid_argument)
{
    /* Two bad arguments: the writer keeps the first code and the first detail. */
    iggy_writer_t w = test_writer();
    iggy_enc_create_topic(&w, NULL, 1, "", NULL, 0);
    expect_invalid(&w, "identifier");
    w = test_writer();
    iggy_enc_create_topic(&w, &(iggy_identifier_t){"", 0}, 1, "topic", NULL, 0);
    expect_invalid(&w, "identifier name");
}
END_TEST

START_TEST(enc_streams)
{
    iggy_identifier_t s0 = iggy_id_num(0), orders = iggy_id_name("orders"),
                      stream = iggy_id_name("stream");
    iggy_writer_t w;

    w = test_writer();
    iggy_enc_create_stream(&w, "test", NULL, 0);
    assert_writer_matches(&w, "create_stream_body");

    w = test_writer();
    iggy_enc_update_stream(&w, &s0, "orders-v2", NULL, 0);
    assert_writer_matches(&w, "update_stream_body");

    w = test_writer();
    iggy_enc_update_stream(&w, &stream, "update_stream", NULL, 0);
    assert_writer_matches(&w, "update_stream_body_go");

    w = test_writer();
    iggy_enc_stream_ref(&w, &orders);
    assert_writer_matches(&w, "delete_stream_body_by_name");

    w = test_writer();
    iggy_enc_get_stream(&w, &s0);
    assert_writer_matches(&w, "get_stream_body");

    w = test_writer();
    iggy_enc_stream_ref(&w, &s0);
    assert_writer_matches(&w, "purge_stream_body");

    w = test_writer();
    iggy_enc_stream_ref(&w, &s0); /* GetTopics shares [stream_id] */
    assert_writer_matches(&w, "get_topics_body");
}
END_TEST

/* ---------------------------------------------------------------- topic encoders */

START_TEST(enc_topics)
{
    iggy_identifier_t s0 = iggy_id_num(0), t0 = iggy_id_num(0), t1 = iggy_id_num(1),
                      orders = iggy_id_name("orders"), stream = iggy_id_name("stream");
    uint8_t day[8], hour[8], hundred[8];
    iggy_kv_t opts[2];
    iggy_writer_t w;

    /* stream 0, 3 partitions, "orders", compression "gzip", expiry 1 day */
    iggy_put_le64(day, 86400000000ull);
    opts[0] = kv("compression_algorithm", IGGY_KV_STRING, "gzip", 4);
    opts[1] = kv("message_expiry", IGGY_KV_UINT64, day, 8);
    w = test_writer();
    iggy_enc_create_topic(&w, &s0, 3, "orders", opts, 2);
    assert_writer_matches(&w, "create_topic_body");

    w = test_writer();
    iggy_enc_create_topic(&w, &orders, 1, "events", NULL, 0);
    assert_writer_matches(&w, "create_topic_body_minimal");

    w = test_writer();
    iggy_enc_create_topic(&w, &stream, 2, "topic", NULL, 0);
    assert_writer_matches(&w, "create_topic_body_go_defaults");

    w = test_writer();
    iggy_enc_topic_ref(&w, &s0, &orders);
    assert_writer_matches(&w, "get_topic_body");

    /* keep name "orders", expiry 1 hour */
    iggy_put_le64(hour, 3600000000ull);
    opts[0] = kv("message_expiry", IGGY_KV_UINT64, hour, 8);
    w = test_writer();
    iggy_enc_update_topic(&w, &s0, &t0, "orders", opts, 1);
    assert_writer_matches(&w, "update_topic_body");

    /* Go golden: message_expiry 100 then max_topic_size 100 (insertion order) */
    iggy_put_le64(hundred, 100);
    opts[0] = kv("message_expiry", IGGY_KV_UINT64, hundred, 8);
    opts[1] = kv("max_topic_size", IGGY_KV_UINT64, hundred, 8);
    w = test_writer();
    iggy_enc_update_topic(&w, &stream, &t1, "update_topic", opts, 2);
    assert_writer_matches(&w, "update_topic_body_go");

    w = test_writer();
    iggy_enc_topic_ref(&w, &s0, &t0);
    assert_writer_matches(&w, "delete_topic_body");

    w = test_writer();
    iggy_enc_topic_ref(&w, &s0, &orders);
    assert_writer_matches(&w, "purge_topic_body");

    w = test_writer();
    iggy_enc_topic_ref(&w, &s0, &t0); /* GetConsumerGroups shares [stream_id][topic_id] */
    assert_writer_matches(&w, "get_consumer_groups_body");
}
END_TEST

START_TEST(enc_partitions_and_segments)
{
    iggy_identifier_t s0 = iggy_id_num(0), t0 = iggy_id_num(0), t1 = iggy_id_num(1),
                      stream = iggy_id_name("stream");
    iggy_writer_t w;

    w = test_writer();
    iggy_enc_partitions(&w, &s0, &t0, 2);
    assert_writer_matches(&w, "create_partitions_body");

    w = test_writer();
    iggy_enc_partitions(&w, &s0, &t0, 1);
    assert_writer_matches(&w, "delete_partitions_body");

    w = test_writer();
    iggy_enc_delete_segments(&w, &s0, &t0, 1, 2);
    assert_writer_matches(&w, "delete_segments_body");

    w = test_writer();
    iggy_enc_delete_segments(&w, &stream, &t1, 2, 3);
    assert_writer_matches(&w, "delete_segments_body_go");
}
END_TEST

/* ---------------------------------------------------------------- group encoders */

START_TEST(enc_groups)
{
    iggy_identifier_t s0 = iggy_id_num(0), t0 = iggy_id_num(0), g0 = iggy_id_num(0),
                      s1 = iggy_id_num(1), t2 = iggy_id_num(2), billing = iggy_id_name("billing"),
                      orders = iggy_id_name("orders"), t = iggy_id_name("t");
    iggy_writer_t w;

    w = test_writer();
    iggy_enc_create_consumer_group(&w, &s0, &t0, "billing");
    assert_writer_matches(&w, "create_consumer_group_body");

    w = test_writer();
    iggy_enc_create_consumer_group(&w, &s1, &t2, "grp");
    assert_writer_matches(&w, "create_consumer_group_body_grp");

    w = test_writer();
    iggy_enc_group_ref(&w, &s0, &t0, &billing);
    assert_writer_matches(&w, "get_consumer_group_body_by_name");

    w = test_writer();
    iggy_enc_group_ref(&w, &s0, &t0, &g0);
    assert_writer_matches(&w, "join_consumer_group_body");

    w = test_writer();
    iggy_enc_group_ref(&w, &s0, &t0, &g0);
    assert_writer_matches(&w, "delete_consumer_group_body");

    w = test_writer();
    iggy_enc_group_ref(&w, &s0, &t0, &g0);
    assert_writer_matches(&w, "sync_consumer_group_body");

    w = test_writer();
    iggy_enc_group_ref(&w, &orders, &t, &billing);
    assert_writer_matches(&w, "leave_consumer_group_body_by_name");
}
END_TEST

/* ---------------------------------------------------------------- offset encoders */

START_TEST(enc_offsets)
{
    iggy_identifier_t s0 = iggy_id_num(0), t0 = iggy_id_num(0);
    iggy_consumer_ref_t group_billing = {IGGY_CONSUMER_GROUP, iggy_id_name("billing")};
    iggy_consumer_ref_t consumer7 = {IGGY_CONSUMER_SINGLE, iggy_id_num(7)};
    iggy_consumer_ref_t group0 = {IGGY_CONSUMER_GROUP, iggy_id_num(0)};
    iggy_consumer_ref_t worker = {IGGY_CONSUMER_SINGLE, iggy_id_name("worker-1")};
    uint32_t p0 = 0, p1 = 1;
    iggy_writer_t w;

    w = test_writer();
    iggy_enc_store_consumer_offset(&w, &group_billing, &s0, &t0, &p1, 42, IGGY_ACK_QUORUM);
    assert_writer_matches(&w, "store_consumer_offset_body_group");

    w = test_writer();
    iggy_enc_store_consumer_offset(&w, &consumer7, &s0, &t0, &p0, 42, IGGY_ACK_QUORUM);
    assert_writer_matches(&w, "store_consumer_offset_body_consumer");

    w = test_writer();
    iggy_enc_get_consumer_offset(&w, &consumer7, &s0, &t0, NULL);
    assert_writer_matches(&w, "get_consumer_offset_body_no_partition");

    w = test_writer();
    iggy_enc_get_consumer_offset(&w, &group0, &s0, &t0, &p1);
    assert_writer_matches(&w, "get_consumer_offset_body_group");

    w = test_writer();
    iggy_enc_delete_consumer_offset(&w, &worker, &s0, &t0, &p0, IGGY_ACK_QUORUM);
    assert_writer_matches(&w, "delete_consumer_offset_body_named");
}
END_TEST

/* ---------------------------------------------------------------- invalid encoder input */

START_TEST(enc_invalid_input)
{
    char long_name[257];
    iggy_identifier_t s0 = iggy_id_num(0), t0 = iggy_id_num(0), empty_id = iggy_id_name(""),
                      long_id = iggy_id_name(long_name);
    iggy_consumer_ref_t consumer7 = {IGGY_CONSUMER_SINGLE, iggy_id_num(7)};
    iggy_consumer_ref_t bad_kind = {(iggy_consumer_kind_t)3, iggy_id_num(7)};
    iggy_kv_t bad_kv = kv("segment_size", IGGY_KV_UINT64, "", 0);
    uint32_t p0 = 0;
    iggy_writer_t w;

    memset(long_name, 'a', 256);
    long_name[256] = '\0';

    /* names: empty, NULL, 256 bytes; 255 is the maximum */
    w = test_writer();
    iggy_enc_create_stream(&w, "", NULL, 0);
    expect_invalid(&w, "stream name");
    w = test_writer();
    iggy_enc_create_stream(&w, NULL, NULL, 0);
    expect_invalid(&w, "stream name");
    w = test_writer();
    iggy_enc_create_stream(&w, long_name, NULL, 0);
    expect_invalid(&w, "stream name");
    w = test_writer();
    long_name[255] = '\0';
    iggy_enc_create_stream(&w, long_name, NULL, 0);
    ck_assert_int_eq(iggy_wr_status(&w), IGGY_OK);
    ck_assert_uint_eq(w.len, 256);
    ck_assert_uint_eq(w.data[0], 255);
    iggy_wr_release(&w);
    long_name[255] = 'a';

    w = test_writer();
    iggy_enc_update_stream(&w, &s0, long_name, NULL, 0);
    expect_invalid(&w, "stream name");
    w = test_writer();
    iggy_enc_create_topic(&w, &s0, 1, "", NULL, 0);
    expect_invalid(&w, "topic name");
    w = test_writer();
    iggy_enc_update_topic(&w, &s0, &t0, long_name, NULL, 0);
    expect_invalid(&w, "topic name");
    w = test_writer();
    iggy_enc_create_consumer_group(&w, &s0, &t0, long_name);
    expect_invalid(&w, "consumer group name");
    w = test_writer();
    iggy_enc_create_consumer_group(&w, &s0, &t0, "");
    expect_invalid(&w, "consumer group name");

    /* identifiers: NULL, empty name, 256-byte name */
    w = test_writer();
    iggy_enc_get_stream(&w, NULL);
    expect_invalid(&w, "identifier");
    w = test_writer();
    iggy_enc_stream_ref(&w, &empty_id);
    expect_invalid(&w, "identifier");
    w = test_writer();
    iggy_enc_stream_ref(&w, &long_id);
    expect_invalid(&w, "identifier");
    w = test_writer();
    iggy_enc_update_stream(&w, NULL, "x", NULL, 0);
    expect_invalid(&w, "identifier");
    w = test_writer();
    iggy_enc_create_topic(&w, NULL, 1, "x", NULL, 0);
    expect_invalid(&w, "identifier");
    w = test_writer();
    iggy_enc_update_topic(&w, &s0, NULL, "x", NULL, 0);
    expect_invalid(&w, "identifier");
    w = test_writer();
    iggy_enc_topic_ref(&w, &s0, NULL);
    expect_invalid(&w, "identifier");
    w = test_writer();
    iggy_enc_partitions(&w, NULL, &t0, 1);
    expect_invalid(&w, "identifier");
    w = test_writer();
    iggy_enc_delete_segments(&w, &s0, NULL, 0, 1);
    expect_invalid(&w, "identifier");
    w = test_writer();
    iggy_enc_group_ref(&w, &s0, &t0, NULL);
    expect_invalid(&w, "identifier");
    w = test_writer();
    iggy_enc_create_consumer_group(&w, NULL, &t0, "g");
    expect_invalid(&w, "identifier");
    w = test_writer();
    iggy_enc_get_consumer_offset(&w, &consumer7, NULL, &t0, NULL);
    expect_invalid(&w, "identifier");
    w = test_writer();
    iggy_enc_store_consumer_offset(&w, &consumer7, &s0, NULL, &p0, 1, IGGY_ACK_QUORUM);
    expect_invalid(&w, "identifier");

    /* consumers and ack levels */
    w = test_writer();
    iggy_enc_get_consumer_offset(&w, NULL, &s0, &t0, &p0);
    expect_invalid(&w, "consumer");
    w = test_writer();
    iggy_enc_delete_consumer_offset(&w, &bad_kind, &s0, &t0, &p0, IGGY_ACK_QUORUM);
    expect_invalid(&w, "consumer");
    w = test_writer();
    iggy_enc_store_consumer_offset(&w, &consumer7, &s0, &t0, &p0, 1, 2);
    expect_invalid(&w, "ack");
    w = test_writer();
    iggy_enc_delete_consumer_offset(&w, &consumer7, &s0, &t0, &p0, 255);
    expect_invalid(&w, "ack");
    w = test_writer();
    iggy_enc_delete_consumer_offset(&w, &consumer7, &s0, &t0, &p0, IGGY_ACK_NONE);
    ck_assert_int_eq(iggy_wr_status(&w), IGGY_OK);
    ck_assert_uint_eq(w.data[w.len - 1], 0); /* ack is the last byte */
    iggy_wr_release(&w);

    /* options: an empty value, and entries NULL with a count */
    w = test_writer();
    iggy_enc_create_topic(&w, &s0, 1, "t", &bad_kv, 1);
    expect_invalid(&w, "key/value");
    w = test_writer();
    iggy_enc_update_topic(&w, &s0, &t0, "t", NULL, 1);
    expect_invalid(&w, "key/value");
    w = test_writer();
    iggy_enc_create_stream(&w, "s", &bad_kv, 1);
    expect_invalid(&w, "key/value");
}
END_TEST

/* ---------------------------------------------------------------- stream decoders */

START_TEST(dec_create_stream_reply)
{
    const test_vector_t *v = vector_get("create_stream_reply_body");
    size_t len;
    const uint8_t *p = reply_payload(v, 1, &len);
    const iggy_stream_t *s;

    ck_assert_uint_eq(len, 41); /* 4-byte result section stripped */
    s = decode_ok(&iggy_resp_stream, p, len);
    ck_assert_uint_eq(s->id, 0);
    ck_assert_uint_eq(s->created_at, T0);
    ck_assert_uint_eq(s->topics_count, 0);
    ck_assert_uint_eq(s->size_bytes, 0);
    ck_assert_uint_eq(s->messages_count, 0);
    ck_assert_str_eq(s->name, "test");
    assert_no_options(&s->options);
    ck_assert_ptr_null(s->topics);
    iggy_result_destroy(s);
    expect_all_truncations_bad(&iggy_resp_stream, p, len);
}
END_TEST

START_TEST(dec_get_streams_reply)
{
    const test_vector_t *v = vector_get("get_streams_reply_body");
    const iggy_stream_list_t *l = decode_ok(&iggy_resp_stream_list, v->bytes, v->len);
    const iggy_stream_t *s;

    ck_assert_uint_eq(l->count, 2);
    s = &l->streams[0];
    ck_assert_uint_eq(s->id, 0);
    ck_assert_uint_eq(s->created_at, T0);
    ck_assert_uint_eq(s->topics_count, 1);
    ck_assert_uint_eq(s->size_bytes, 1024);
    ck_assert_uint_eq(s->messages_count, 10);
    ck_assert_str_eq(s->name, "orders");
    assert_no_options(&s->options);
    ck_assert_ptr_null(s->topics); /* the list carries no topics */
    s = &l->streams[1];
    ck_assert_uint_eq(s->id, 1);
    ck_assert_uint_eq(s->created_at, T0 + 1);
    ck_assert_uint_eq(s->topics_count, 0);
    ck_assert_uint_eq(s->size_bytes, 0);
    ck_assert_uint_eq(s->messages_count, 0);
    ck_assert_str_eq(s->name, "logs");
    assert_no_options(&s->options);
    ck_assert_ptr_null(s->topics);
    iggy_result_destroy(l);

    /* no streams: empty body (the RPC path passes NULL for a bodiless reply) */
    l = decode_ok(&iggy_resp_stream_list, v->bytes, 0);
    ck_assert_uint_eq(l->count, 0);
    ck_assert_ptr_null(l->streams);
    iggy_result_destroy(l);
    l = decode_ok(&iggy_resp_stream_list, NULL, 0);
    ck_assert_uint_eq(l->count, 0);
    iggy_result_destroy(l);

    /* one stream: a record boundary */
    l = decode_ok(&iggy_resp_stream_list, v->bytes, 43);
    ck_assert_uint_eq(l->count, 1);
    ck_assert_str_eq(l->streams[0].name, "orders");
    iggy_result_destroy(l);

    /* every cut inside a record is malformed */
    for (size_t n = 1; n < v->len; n++) {
        if (n != 43) {
            uint8_t *c = copy_of(v->bytes, n, 0);
            expect_bad(&iggy_resp_stream_list, c, n);
            free(c);
        }
    }
}
END_TEST

START_TEST(dec_get_stream_reply)
{
    const test_vector_t *v = vector_get("get_stream_reply_body");
    const iggy_stream_t *s = decode_ok(&iggy_resp_stream, v->bytes, v->len);
    const iggy_topic_t *t;

    ck_assert_uint_eq(s->id, 0);
    ck_assert_uint_eq(s->created_at, T0);
    ck_assert_uint_eq(s->topics_count, 1);
    ck_assert_uint_eq(s->size_bytes, 0);
    ck_assert_uint_eq(s->messages_count, 0);
    ck_assert_str_eq(s->name, "orders");
    assert_no_options(&s->options);
    ck_assert_ptr_nonnull(s->topics);
    t = &s->topics[0];
    assert_topic_t(t);
    assert_derived_defaults(&t->derived_options, 0);
    ck_assert_ptr_null(t->partitions);
    iggy_result_destroy(s);
    expect_all_truncations_bad(&iggy_resp_stream, v->bytes, v->len);
}
END_TEST

START_TEST(dec_get_stream_reply_minimal)
{
    const test_vector_t *v = vector_get("get_stream_reply_body_minimal");
    const iggy_stream_t *s = decode_ok(&iggy_resp_stream, v->bytes, v->len);
    const iggy_topic_t *t;

    ck_assert_uint_eq(s->id, 0);
    ck_assert_uint_eq(s->created_at, T0);
    ck_assert_uint_eq(s->topics_count, 1);
    ck_assert_uint_eq(s->size_bytes, 0);
    ck_assert_uint_eq(s->messages_count, 0);
    ck_assert_str_eq(s->name, "s");
    assert_no_options(&s->options);
    ck_assert_ptr_nonnull(s->topics);
    t = &s->topics[0];
    assert_topic_t(t);
    assert_no_options(&t->derived_options);
    ck_assert_ptr_null(t->partitions);
    iggy_result_destroy(s);
    expect_all_truncations_bad(&iggy_resp_stream, v->bytes, v->len);
}
END_TEST

START_TEST(dec_stream_malformed)
{
    const test_vector_t *v = vector_get("get_stream_reply_body_minimal");
    uint8_t *c = copy_of(v->bytes, v->len, 0);

    /* topics_count (offset 12) hostile, too large, too small */
    iggy_put_le32(c + 12, 0xFFFFFFFFu);
    expect_bad_detail(&iggy_resp_stream, c, v->len, "count");
    iggy_put_le32(c + 12, 2);
    expect_bad_detail(&iggy_resp_stream, c, v->len, "count");
    iggy_put_le32(c + 12, 0);
    expect_bad_detail(&iggy_resp_stream, c, v->len, "trailing");
    iggy_put_le32(c + 12, 1);

    /* empty stream name (offset 32) */
    c[32] = 0;
    expect_bad_detail(&iggy_resp_stream, c, v->len, "empty name");
    c[32] = 1;

    /* stream options_len (offset 34) running past the body; above the 100000 cap */
    iggy_put_le32(c + 34, 1000);
    expect_bad_detail(&iggy_resp_stream, c, v->len, "short read");
    iggy_put_le32(c + 34, 0xFFFFFFFFu);
    expect_bad_detail(&iggy_resp_stream, c, v->len, "100000");
    iggy_put_le32(c + 34, 0);

    /* a trailing byte */
    free(c);
    c = copy_of(v->bytes, v->len, 1);
    expect_bad_detail(&iggy_resp_stream, c, v->len + 1, "trailing");
    free(c);
}
END_TEST

/* ---------------------------------------------------------------- topic decoders */

START_TEST(dec_create_topic_reply)
{
    const test_vector_t *v = vector_get("create_topic_reply_body");
    size_t len;
    const uint8_t *p = reply_payload(v, 1, &len);
    const iggy_topic_t *t = decode_ok(&iggy_resp_topic, p, len);

    assert_topic_orders_header(t);
    ck_assert_ptr_nonnull(t->partitions);
    for (uint32_t i = 0; i < 3; i++)
        assert_partition(&t->partitions[i], i, 0, 0, 0, 0); /* segments 0 at create */
    iggy_result_destroy(t);
    expect_all_truncations_bad(&iggy_resp_topic, p, len);
}
END_TEST

START_TEST(dec_topic_header_block)
{
    const test_vector_t *v = vector_get("topic_header_block");
    const iggy_topic_t *t = decode_ok(&topic_header_ops, v->bytes, v->len);
    assert_topic_orders_header(t);
    ck_assert_ptr_null(t->partitions);
    iggy_result_destroy(t);
    expect_all_truncations_bad(&topic_header_ops, v->bytes, v->len);
}
END_TEST

START_TEST(dec_get_topic_reply_minimal)
{
    const test_vector_t *v = vector_get("get_topic_reply_body_minimal");
    const iggy_topic_t *t = decode_ok(&iggy_resp_topic, v->bytes, v->len);
    assert_topic_t(t);
    assert_no_options(&t->derived_options);
    ck_assert_ptr_nonnull(t->partitions);
    assert_partition(&t->partitions[0], 0, 1, 99, 4096, 100);
    iggy_result_destroy(t);
    expect_all_truncations_bad(&iggy_resp_topic, v->bytes, v->len);
}
END_TEST

START_TEST(dec_get_topic_reply_default)
{
    const test_vector_t *v = vector_get("get_topic_reply_body_default");
    const iggy_topic_t *t = decode_ok(&iggy_resp_topic, v->bytes, v->len);
    assert_topic_t(t);
    assert_derived_defaults(&t->derived_options, 0);
    ck_assert_ptr_nonnull(t->partitions);
    assert_partition(&t->partitions[0], 0, 1, 0, 0, 0);
    iggy_result_destroy(t);
}
END_TEST

START_TEST(dec_get_topics_reply)
{
    const test_vector_t *v = vector_get("get_topics_reply_body");
    const iggy_topic_list_t *l = decode_ok(&iggy_resp_topic_list, v->bytes, v->len);
    ck_assert_uint_eq(l->count, 1);
    assert_topic_t(&l->topics[0]);
    assert_derived_defaults(&l->topics[0].derived_options, 0);
    ck_assert_ptr_null(l->topics[0].partitions);
    iggy_result_destroy(l);
    expect_all_truncations_bad(&iggy_resp_topic_list, v->bytes, v->len);

    v = vector_get("get_topics_reply_body_minimal");
    l = decode_ok(&iggy_resp_topic_list, v->bytes, v->len);
    ck_assert_uint_eq(l->count, 1);
    assert_topic_t(&l->topics[0]);
    assert_no_options(&l->topics[0].derived_options);
    ck_assert_ptr_null(l->topics[0].partitions);
    iggy_result_destroy(l);
    expect_all_truncations_bad(&iggy_resp_topic_list, v->bytes, v->len);

    v = vector_get("get_topics_reply_body_empty");
    l = decode_ok(&iggy_resp_topic_list, v->bytes, v->len);
    ck_assert_uint_eq(l->count, 0);
    ck_assert_ptr_null(l->topics);
    iggy_result_destroy(l);
    expect_all_truncations_bad(&iggy_resp_topic_list, v->bytes, v->len); /* never < 4 */
}
END_TEST

START_TEST(dec_topic_malformed)
{
    const test_vector_t *v = vector_get("get_topic_reply_body_minimal");
    uint8_t *c = copy_of(v->bytes, v->len, 0);

    /* partitions_count (offset 12): hostile, one too many, one too few */
    iggy_put_le32(c + 12, 0xFFFFFFFFu);
    expect_bad_detail(&iggy_resp_topic, c, v->len, "count");
    iggy_put_le32(c + 12, 2);
    expect_bad_detail(&iggy_resp_topic, c, v->len, "count");
    iggy_put_le32(c + 12, 0);
    expect_bad_detail(&iggy_resp_topic, c, v->len, "trailing");
    free(c);

    /* GetTopics count (offset 0) hostile */
    v = vector_get("get_topics_reply_body_minimal");
    c = copy_of(v->bytes, v->len, 0);
    iggy_put_le32(c, 0xFFFFFFFFu);
    expect_bad_detail(&iggy_resp_topic_list, c, v->len, "count");
    iggy_put_le32(c, 2);
    expect_bad_detail(&iggy_resp_topic_list, c, v->len, "count");
    free(c);

    /* options: the derived block of get_topic_reply_body_default starts at 59 */
    v = vector_get("get_topic_reply_body_default");
    c = copy_of(v->bytes, v->len, 0);
    c[59] = 1; /* first key kind Raw instead of String */
    expect_bad_detail(&iggy_resp_topic, c, v->len, "not a string");
    c[59] = 0; /* kind 0 */
    expect_bad_detail(&iggy_resp_topic, c, v->len, "kind 0");
    c[59] = 2;
    iggy_put_le32(c + 60, 0); /* key length 0 */
    expect_bad_detail(&iggy_resp_topic, c, v->len, "1..255");
    iggy_put_le32(c + 60, 21);
    iggy_put_le32(c + 55, 273); /* block cuts an entry short */
    expect_bad(&iggy_resp_topic, c, v->len);
    iggy_put_le32(c + 55, 0xFFFFFFFFu); /* derived_options_len hostile */
    expect_bad_detail(&iggy_resp_topic, c, v->len, "100000");
    iggy_put_le32(c + 55, 274);
    c[49] = 0; /* empty topic name */
    expect_bad_detail(&iggy_resp_topic, c, v->len, "empty name");
    c[49] = 1;
    free(c);

    /* the same bad key kind inside GetStream's topics is caught too */
    v = vector_get("get_stream_reply_body");
    c = copy_of(v->bytes, v->len, 0);
    c[102] = 1;
    expect_bad_detail(&iggy_resp_stream, c, v->len, "not a string");
    free(c);
}
END_TEST

/* ---------------------------------------------------------------- group decoders */

START_TEST(dec_create_consumer_group_reply)
{
    const test_vector_t *v = vector_get("create_consumer_group_reply_body");
    size_t len;
    const uint8_t *p = reply_payload(v, 1, &len);
    const iggy_consumer_group_t *g = decode_ok(&iggy_resp_consumer_group, p, len);
    ck_assert_uint_eq(g->id, 0);
    ck_assert_uint_eq(g->partitions_count, 3);
    ck_assert_uint_eq(g->members_count, 0);
    ck_assert_str_eq(g->name, "billing");
    ck_assert_ptr_null(g->members);
    iggy_result_destroy(g);
    expect_all_truncations_bad(&iggy_resp_consumer_group, p, len);
}
END_TEST

START_TEST(dec_get_consumer_group_reply)
{
    const test_vector_t *v = vector_get("get_consumer_group_reply_body");
    const iggy_consumer_group_t *g = decode_ok(&iggy_resp_consumer_group, v->bytes, v->len);
    const iggy_consumer_group_member_t *m;
    ck_assert_uint_eq(g->id, 0);
    ck_assert_uint_eq(g->partitions_count, 3);
    ck_assert_uint_eq(g->members_count, 2);
    ck_assert_str_eq(g->name, "billing");
    ck_assert_ptr_nonnull(g->members);
    m = &g->members[0];
    ck_assert_uint_eq(m->id, 0);
    ck_assert_uint_eq(m->partitions_count, 2);
    ck_assert_uint_eq(m->partitions[0], 0);
    ck_assert_uint_eq(m->partitions[1], 2);
    m = &g->members[1];
    ck_assert_uint_eq(m->id, 1);
    ck_assert_uint_eq(m->partitions_count, 1);
    ck_assert_uint_eq(m->partitions[0], 1);
    iggy_result_destroy(g);
    expect_all_truncations_bad(&iggy_resp_consumer_group, v->bytes, v->len);
}
END_TEST

START_TEST(dec_get_consumer_groups_reply)
{
    const test_vector_t *v = vector_get("get_consumer_groups_reply_body");
    const iggy_consumer_group_list_t *l =
        decode_ok(&iggy_resp_consumer_group_list, v->bytes, v->len);
    const iggy_consumer_group_t *g;
    ck_assert_uint_eq(l->count, 2);
    g = &l->groups[0];
    ck_assert_uint_eq(g->id, 0);
    ck_assert_uint_eq(g->partitions_count, 3);
    ck_assert_uint_eq(g->members_count, 2);
    ck_assert_str_eq(g->name, "billing");
    ck_assert_ptr_null(g->members); /* the list carries no members */
    g = &l->groups[1];
    ck_assert_uint_eq(g->id, 1);
    ck_assert_uint_eq(g->partitions_count, 3);
    ck_assert_uint_eq(g->members_count, 0);
    ck_assert_str_eq(g->name, "audit");
    ck_assert_ptr_null(g->members);
    iggy_result_destroy(l);

    l = decode_ok(&iggy_resp_consumer_group_list, v->bytes, 0); /* no groups */
    ck_assert_uint_eq(l->count, 0);
    ck_assert_ptr_null(l->groups);
    iggy_result_destroy(l);
    l = decode_ok(&iggy_resp_consumer_group_list, NULL, 0);
    ck_assert_uint_eq(l->count, 0);
    iggy_result_destroy(l);

    for (size_t n = 1; n < v->len; n++) {
        if (n != 20) { /* 20 = one whole record */
            uint8_t *c = copy_of(v->bytes, n, 0);
            expect_bad(&iggy_resp_consumer_group_list, c, n);
            free(c);
        }
    }
}
END_TEST

START_TEST(dec_sync_consumer_group_reply)
{
    const test_vector_t *v = vector_get("sync_consumer_group_reply_body");
    const iggy_group_assignment_t *a = decode_ok(&iggy_resp_group_assignment, v->bytes, v->len);
    ck_assert_uint_eq(a->generation, 2);
    ck_assert_uint_eq(a->partitions_count, 2);
    ck_assert_uint_eq(a->partitions[0], 0);
    ck_assert_uint_eq(a->partitions[1], 2);
    iggy_result_destroy(a);
    expect_all_truncations_bad(&iggy_resp_group_assignment, v->bytes, v->len);
}
END_TEST

START_TEST(dec_group_malformed)
{
    const test_vector_t *v = vector_get("get_consumer_group_reply_body");
    uint8_t *c = copy_of(v->bytes, v->len, 0);

    iggy_put_le32(c + 8, 0xFFFFFFFFu); /* members_count */
    expect_bad_detail(&iggy_resp_consumer_group, c, v->len, "count");
    iggy_put_le32(c + 8, 3);
    expect_bad(&iggy_resp_consumer_group, c, v->len);
    iggy_put_le32(c + 8, 1);
    expect_bad_detail(&iggy_resp_consumer_group, c, v->len, "trailing");
    iggy_put_le32(c + 8, 2);
    iggy_put_le32(c + 24, 0xFFFFFFFFu); /* m[0].partitions_count */
    expect_bad_detail(&iggy_resp_consumer_group, c, v->len, "count");
    iggy_put_le32(c + 24, 2);
    c[12] = 0; /* empty group name */
    expect_bad_detail(&iggy_resp_consumer_group, c, v->len, "empty name");
    free(c);

    v = vector_get("sync_consumer_group_reply_body");
    c = copy_of(v->bytes, v->len, 0);
    iggy_put_le32(c + 8, 0xFFFFFFFFu); /* partitions_count */
    expect_bad_detail(&iggy_resp_group_assignment, c, v->len, "count");
    iggy_put_le32(c + 8, 1);
    expect_bad_detail(&iggy_resp_group_assignment, c, v->len, "trailing");
    free(c);
    c = copy_of(v->bytes, v->len, 1); /* trailing byte after the assignment */
    expect_bad_detail(&iggy_resp_group_assignment, c, v->len + 1, "trailing");
    free(c);
}
END_TEST

/* ---------------------------------------------------------------- offsets and rejections */

START_TEST(dec_get_consumer_offset_reply)
{
    const test_vector_t *v = vector_get("get_consumer_offset_reply_body");
    const iggy_consumer_offset_t *o = decode_ok(&iggy_resp_consumer_offset, v->bytes, v->len);
    uint8_t *c;
    ck_assert_uint_eq(o->partition_id, 1);
    ck_assert_uint_eq(o->current_offset, 99);
    ck_assert_uint_eq(o->stored_offset, 42);
    iggy_result_destroy(o);
    expect_all_truncations_bad(&iggy_resp_consumer_offset, v->bytes, v->len);
    c = copy_of(v->bytes, v->len, 1);
    expect_bad_detail(&iggy_resp_consumer_offset, c, v->len + 1, "trailing");
    free(c);
}
END_TEST

START_TEST(committed_rejection)
{
    const test_vector_t *v = vector_get("committed_rejection_1012");
    size_t off = 0;
    ck_assert_int_eq(iggy_result_section_strip(v->bytes, v->len, &off), 1012);
    ck_assert_str_ne(iggy_last_error_detail(), "");
}
END_TEST

static Suite *admin_suite(void)
{
    Suite *s = suite_create("codec_admin");
    TCase *enc = tcase_create("encoders");
    TCase *dec = tcase_create("decoders");

    tcase_add_test(enc, enc_identifiers_and_options_block);
    tcase_add_test(enc, enc_streams);
    tcase_add_test(enc, detail_describes_the_first_invalid_argument);
    tcase_add_test(enc, enc_topics);
    tcase_add_test(enc, enc_partitions_and_segments);
    tcase_add_test(enc, enc_groups);
    tcase_add_test(enc, enc_offsets);
    tcase_add_test(enc, enc_invalid_input);
    suite_add_tcase(s, enc);

    tcase_add_test(dec, dec_topic_default_derived_options);
    tcase_add_test(dec, dec_create_stream_reply);
    tcase_add_test(dec, dec_get_streams_reply);
    tcase_add_test(dec, dec_get_stream_reply);
    tcase_add_test(dec, dec_get_stream_reply_minimal);
    tcase_add_test(dec, dec_stream_malformed);
    tcase_add_test(dec, dec_create_topic_reply);
    tcase_add_test(dec, dec_topic_header_block);
    tcase_add_test(dec, dec_get_topic_reply_minimal);
    tcase_add_test(dec, dec_get_topic_reply_default);
    tcase_add_test(dec, dec_get_topics_reply);
    tcase_add_test(dec, dec_topic_malformed);
    tcase_add_test(dec, dec_create_consumer_group_reply);
    tcase_add_test(dec, dec_get_consumer_group_reply);
    tcase_add_test(dec, dec_get_consumer_groups_reply);
    tcase_add_test(dec, dec_sync_consumer_group_reply);
    tcase_add_test(dec, dec_group_malformed);
    tcase_add_test(dec, dec_get_consumer_offset_reply);
    tcase_add_test(dec, committed_rejection);
    suite_add_tcase(s, dec);
    return s;
}

int main(void)
{
    return test_run_suite(admin_suite());
}
