/* System command codecs (framing-and-session.md §10) against the golden vectors of §14:
 * DescribeOptions, GetClient and GetSnapshotFile encoders; GetMe/GetClient, GetClients,
 * GetStats, GetClusterMetadata, DescribeOptions and raw reply decoders. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <iggy/error.h>
#include <iggy/types.h>

#include "codec_helpers.h"
#include "test_main.h"

/* ---------------------------------------------------------------- helpers */

/* The writer holds exactly want[0..n). */
static void expect_bytes(iggy_writer_t *w, const uint8_t *want, size_t n)
{
    ck_assert_msg(iggy_wr_status(w) == IGGY_OK, "encoder failed: %s", iggy_last_error_detail());
    ck_assert_uint_eq(w->len, n);
    ck_assert(memcmp(w->data, want, n) == 0);
    iggy_wr_release(w);
}

/* Decoding fails with BAD_MSG and a detail, and nothing is returned. */
static void expect_bad_msg(const iggy_resp_ops_t *ops, const uint8_t *p, size_t len)
{
    void *out = NULL;
    iggy_err_t err = iggy_resp_unmarshal(ops, p, len, &out);
    ck_assert_msg(err == IGGY_ERR__BAD_MSG, "%s: expected BAD_MSG, got %s", ops->name,
                  iggy_err2name(err));
    ck_assert_ptr_null(out);
    ck_assert_uint_gt(strlen(iggy_last_error_detail()), 0);
}

/* ---------------------------------------------------------------- encoders */

START_TEST(describe_options_request_vector)
{
    /* describe_options_request body: 256 1 body.scope u8 = 1 (topic) */
    iggy_writer_t w = test_writer();
    iggy_enc_describe_options(&w, IGGY_OPTIONS_TOPIC);
    assert_writer_matches(&w, "describe_options_request");
}
END_TEST

START_TEST(get_client_body_vector)
{
    /* get_client_body: 0 4 client_id u32 = 1 */
    iggy_writer_t w = test_writer();
    iggy_enc_get_client(&w, 1);
    assert_writer_matches(&w, "get_client_body");
}
END_TEST

START_TEST(describe_options_other_scopes)
{
    /* §10.5: [scope u8], 2 = stream, 3 = user */
    static const uint8_t stream[] = {0x02}, user[] = {0x03};
    iggy_writer_t w = test_writer();
    iggy_enc_describe_options(&w, IGGY_OPTIONS_STREAM);
    expect_bytes(&w, stream, sizeof stream);
    w = test_writer();
    iggy_enc_describe_options(&w, IGGY_OPTIONS_USER);
    expect_bytes(&w, user, sizeof user);
}
END_TEST

START_TEST(snapshot_request_layout)
{
    /* §10.3: [compression u8][types_count u8][type u8 x count] */
    static const uint8_t types[] = {IGGY_SNAPSHOT_FILESYSTEM_OVERVIEW, IGGY_SNAPSHOT_SERVER_CONFIG,
                                    IGGY_SNAPSHOT_ALL};
    static const uint8_t want[] = {0x04, 0x03, 0x01, 0x06, 0x64};
    iggy_writer_t w = test_writer();
    iggy_enc_get_snapshot_file(&w, IGGY_SNAPSHOT_ZSTD, types, 3);
    expect_bytes(&w, want, sizeof want);
}
END_TEST

START_TEST(invalid_encoder_input)
{
    static const uint8_t ok_types[] = {IGGY_SNAPSHOT_TEST};
    static const uint8_t bad_types[] = {IGGY_SNAPSHOT_TEST, 7};
    static uint8_t many[256];
    iggy_writer_t w;

    w = test_writer();
    iggy_enc_describe_options(&w, 0);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_describe_options(&w, 4);
    expect_invalid(&w, NULL);

    w = test_writer();
    iggy_enc_get_snapshot_file(&w, 0, ok_types, 1);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_get_snapshot_file(&w, 7, ok_types, 1);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_get_snapshot_file(&w, IGGY_SNAPSHOT_STORED, NULL, 1);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_get_snapshot_file(&w, IGGY_SNAPSHOT_STORED, ok_types, 0);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_get_snapshot_file(&w, IGGY_SNAPSHOT_STORED, bad_types, 2);
    expect_invalid(&w, NULL);
    memset(many, IGGY_SNAPSHOT_TEST, sizeof many);
    w = test_writer();
    iggy_enc_get_snapshot_file(&w, IGGY_SNAPSHOT_STORED, many, sizeof many);
    expect_invalid(&w, NULL);
}
END_TEST

/* ---------------------------------------------------------------- GetMe / GetClient(s) */

static void assert_get_me(const iggy_client_info_t *c)
{
    ck_assert_uint_eq(c->client_id, 1);              /* 0 4 client_id u32 = 1 */
    ck_assert_uint_eq(c->user_id, 0);                /* 4 4 user_id u32 = 0 (root) */
    ck_assert_uint_eq(c->transport, 1);              /* 8 1 transport u8 = 1 (TCP) */
    ck_assert_str_eq(c->address, "127.0.0.1:50000"); /* 9 4 + 13 15 address */
    ck_assert_uint_eq(c->consumer_groups_count, 0);  /* 28 4 consumer_groups_count = 0 */
    ck_assert_ptr_null(c->consumer_groups);
}

START_TEST(get_me_reply_vectors)
{
    static const char *names[] = {"get_me_reply_body", "get_me_reply"};
    for (size_t i = 0; i < 2; i++) {
        size_t len;
        const uint8_t *p = reply_payload(vector_get(names[i]), 0, &len);
        iggy_client_info_t *c = decode_ok(&iggy_resp_client_info, p, len);
        assert_get_me(c);
        iggy_result_destroy(c);
    }
}
END_TEST

START_TEST(client_details_with_groups)
{
    buf_t b = {.n = 0};
    iggy_client_info_t *c;
    put_u32(&b, 7);          /* client_id */
    put_u32(&b, 0xFFFFFFFF); /* user_id: no user */
    put_u8(&b, 4);           /* WebSocket */
    put_str32(&b, "[::1]:9");
    put_u32(&b, 2);
    put_u32(&b, 1), put_u32(&b, 2), put_u32(&b, 3);
    put_u32(&b, 0), put_u32(&b, 0), put_u32(&b, 9);
    c = decode_ok(&iggy_resp_client_info, b.b, b.n);
    ck_assert_uint_eq(c->client_id, 7);
    ck_assert_uint_eq(c->user_id, IGGY_USER_NONE);
    ck_assert_uint_eq(c->transport, 4);
    ck_assert_str_eq(c->address, "[::1]:9");
    ck_assert_uint_eq(c->consumer_groups_count, 2);
    ck_assert_ptr_nonnull(c->consumer_groups);
    ck_assert_uint_eq(c->consumer_groups[0].stream_id, 1);
    ck_assert_uint_eq(c->consumer_groups[0].topic_id, 2);
    ck_assert_uint_eq(c->consumer_groups[0].group_id, 3);
    ck_assert_uint_eq(c->consumer_groups[1].stream_id, 0);
    ck_assert_uint_eq(c->consumer_groups[1].topic_id, 0);
    ck_assert_uint_eq(c->consumer_groups[1].group_id, 9);
    iggy_result_destroy(c);
}
END_TEST

START_TEST(client_list)
{
    const test_vector_t *v = vector_get("get_me_reply_body");
    buf_t b = {.n = 0};
    iggy_client_info_list_t *l;

    /* The get_me body is also a valid ClientResponse record (count 0, no groups). */
    put_bytes(&b, v->bytes, v->len);
    put_u32(&b, 2);
    put_u32(&b, IGGY_USER_NONE);
    put_u8(&b, 2);
    put_str32(&b, "10.0.0.2:1");
    put_u32(&b, 5); /* a count only: GetClients records carry no memberships */
    l = decode_ok(&iggy_resp_client_info_list, b.b, b.n);
    ck_assert_uint_eq(l->count, 2);
    assert_get_me(&l->clients[0]);
    ck_assert_uint_eq(l->clients[1].client_id, 2);
    ck_assert_uint_eq(l->clients[1].user_id, IGGY_USER_NONE);
    ck_assert_uint_eq(l->clients[1].transport, 2);
    ck_assert_str_eq(l->clients[1].address, "10.0.0.2:1");
    ck_assert_uint_eq(l->clients[1].consumer_groups_count, 5);
    ck_assert_ptr_null(l->clients[1].consumer_groups);
    iggy_result_destroy(l);

    /* Empty body = empty list. */
    l = decode_ok(&iggy_resp_client_info_list, NULL, 0);
    ck_assert_uint_eq(l->count, 0);
    ck_assert_ptr_null(l->clients);
    iggy_result_destroy(l);
}
END_TEST

/* ---------------------------------------------------------------- GetStats */

START_TEST(get_stats_reply_vector)
{
    const test_vector_t *v = vector_get("get_stats_reply_body");
    iggy_stats_t *s = decode_ok(&iggy_resp_stats, v->bytes, v->len);
    ck_assert_uint_eq(s->process_id, 4242);
    ck_assert(s->cpu_usage == 1.5f);
    ck_assert(s->total_cpu_usage == 12.25f);
    ck_assert_uint_eq(s->memory_usage, 104857600ull);
    ck_assert_uint_eq(s->total_memory, 17179869184ull);
    ck_assert_uint_eq(s->available_memory, 8589934592ull);
    ck_assert_uint_eq(s->run_time, 3600000000ull);
    ck_assert_uint_eq(s->start_time, 1755000000000000ull);
    ck_assert_uint_eq(s->read_bytes, 1024);
    ck_assert_uint_eq(s->written_bytes, 2048);
    ck_assert_uint_eq(s->messages_size_bytes, 0);
    ck_assert_uint_eq(s->streams_count, 0);
    ck_assert_uint_eq(s->topics_count, 0);
    ck_assert_uint_eq(s->partitions_count, 0);
    ck_assert_uint_eq(s->segments_count, 0);
    ck_assert_uint_eq(s->messages_count, 0);
    ck_assert_uint_eq(s->clients_count, 1);
    ck_assert_uint_eq(s->consumer_groups_count, 0);
    ck_assert_str_eq(s->hostname, "host");
    ck_assert_str_eq(s->os_name, "Linux");
    ck_assert_str_eq(s->os_version, "12");
    ck_assert_str_eq(s->kernel_version, "6.1.0");
    ck_assert_str_eq(s->iggy_server_version, "0.9.0-edge.5");
    ck_assert_uint_eq(s->iggy_server_semver, 9000);
    ck_assert_uint_eq(s->cache_metrics_count, 0);
    ck_assert_ptr_null(s->cache_metrics);
    ck_assert_uint_eq(s->threads_count, 16);
    ck_assert_uint_eq(s->free_disk_space, 1ull << 30);
    ck_assert_uint_eq(s->total_disk_space, 2ull << 30);
    iggy_result_destroy(s);
}
END_TEST

/* get_stats_reply_body up to (not including) cache_metrics_count at offset 160. */
static void stats_prefix(buf_t *b)
{
    const test_vector_t *v = vector_get("get_stats_reply_body");
    b->n = 0;
    put_bytes(b, v->bytes, 160);
}

START_TEST(get_stats_with_cache_metrics)
{
    buf_t b;
    iggy_stats_t *s;
    float ratio = 0.75f;
    uint32_t ratio_bits;
    memcpy(&ratio_bits, &ratio, sizeof ratio_bits);

    stats_prefix(&b);
    put_u32(&b, 1); /* cache_metrics_count */
    put_u32(&b, 1), put_u32(&b, 2), put_u32(&b, 3);
    put_u64(&b, 30), put_u64(&b, 10);
    put_u32(&b, ratio_bits);
    put_u32(&b, 8);
    put_u64(&b, 100), put_u64(&b, 200);
    s = decode_ok(&iggy_resp_stats, b.b, b.n);
    ck_assert_str_eq(s->iggy_server_version, "0.9.0-edge.5");
    ck_assert_uint_eq(s->cache_metrics_count, 1);
    ck_assert_uint_eq(s->cache_metrics[0].stream_id, 1);
    ck_assert_uint_eq(s->cache_metrics[0].topic_id, 2);
    ck_assert_uint_eq(s->cache_metrics[0].partition_id, 3);
    ck_assert_uint_eq(s->cache_metrics[0].hits, 30);
    ck_assert_uint_eq(s->cache_metrics[0].misses, 10);
    ck_assert(s->cache_metrics[0].hit_ratio == 0.75f);
    ck_assert_uint_eq(s->threads_count, 8);
    ck_assert_uint_eq(s->free_disk_space, 100);
    ck_assert_uint_eq(s->total_disk_space, 200);
    iggy_result_destroy(s);
}
END_TEST

/* ---------------------------------------------------------------- GetClusterMetadata */

START_TEST(get_cluster_metadata_reply_vector)
{
    const test_vector_t *v = vector_get("get_cluster_metadata_reply_body");
    iggy_cluster_metadata_t *m = decode_ok(&iggy_resp_cluster_metadata, v->bytes, v->len);
    ck_assert_str_eq(m->name, "single-node");
    ck_assert_uint_eq(m->nodes_count, 1);
    ck_assert_str_eq(m->nodes[0].name, "iggy-node");
    ck_assert_str_eq(m->nodes[0].ip, "127.0.0.1");
    ck_assert_uint_eq(m->nodes[0].tcp_port, 8090);
    ck_assert_uint_eq(m->nodes[0].quic_port, 8080);
    ck_assert_uint_eq(m->nodes[0].http_port, 3000);
    ck_assert_uint_eq(m->nodes[0].websocket_port, 8092);
    ck_assert_uint_eq(m->nodes[0].role, IGGY_NODE_LEADER);
    ck_assert_uint_eq(m->nodes[0].status, 0);
    iggy_result_destroy(m);
}
END_TEST

static void cluster_node(buf_t *b, const char *name, const char *ip, uint8_t role, uint8_t status)
{
    put_str32(b, name);
    put_str32(b, ip);
    put_u16(b, 1), put_u16(b, 0), put_u16(b, 3), put_u16(b, 4);
    put_u8(b, role);
    put_u8(b, status);
}

START_TEST(cluster_metadata_two_nodes)
{
    buf_t b = {.n = 0};
    iggy_cluster_metadata_t *m;
    put_str32(&b, "c");
    put_u32(&b, 2);
    cluster_node(&b, "a", "::1", IGGY_NODE_FOLLOWER, 3);
    cluster_node(&b, "b", "10.0.0.1", IGGY_NODE_LEADER, 5);
    m = decode_ok(&iggy_resp_cluster_metadata, b.b, b.n);
    ck_assert_str_eq(m->name, "c");
    ck_assert_uint_eq(m->nodes_count, 2);
    ck_assert_str_eq(m->nodes[0].name, "a");
    ck_assert_str_eq(m->nodes[0].ip, "::1");
    ck_assert_uint_eq(m->nodes[0].tcp_port, 1);
    ck_assert_uint_eq(m->nodes[0].quic_port, 0);
    ck_assert_uint_eq(m->nodes[0].http_port, 3);
    ck_assert_uint_eq(m->nodes[0].websocket_port, 4);
    ck_assert_uint_eq(m->nodes[0].role, IGGY_NODE_FOLLOWER);
    ck_assert_uint_eq(m->nodes[0].status, 3);
    ck_assert_str_eq(m->nodes[1].name, "b");
    ck_assert_str_eq(m->nodes[1].ip, "10.0.0.1");
    ck_assert_uint_eq(m->nodes[1].role, IGGY_NODE_LEADER);
    ck_assert_uint_eq(m->nodes[1].status, 5);
    iggy_result_destroy(m);
}
END_TEST

/* ---------------------------------------------------------------- DescribeOptions, raw */

START_TEST(option_descriptions)
{
    static const uint8_t empty[] = {0, 0, 0, 0}; /* streams and users: 00 00 00 00 */
    static const uint8_t expiry[8] = {0};
    buf_t b = {.n = 0};
    iggy_option_descriptions_t *d;

    d = decode_ok(&iggy_resp_option_descriptions, empty, sizeof empty);
    ck_assert_uint_eq(d->count, 0);
    ck_assert_ptr_null(d->entries);
    iggy_result_destroy(d);

    put_u32(&b, 2);
    put_u8(&b, 14);
    put_bytes(&b, "message_expiry", 14);
    put_u8(&b, IGGY_KV_UINT64);
    put_u32(&b, 8);
    put_bytes(&b, expiry, 8);
    put_str32(&b, "Message expiry in microseconds");
    put_u8(&b, 13);
    put_bytes(&b, "enforce_fsync", 13);
    put_u8(&b, IGGY_KV_BOOL);
    put_u32(&b, 0); /* no default */
    put_u32(&b, 0); /* empty description */
    d = decode_ok(&iggy_resp_option_descriptions, b.b, b.n);
    ck_assert_uint_eq(d->count, 2);
    ck_assert_str_eq(d->entries[0].key, "message_expiry");
    ck_assert_uint_eq(d->entries[0].kind, IGGY_KV_UINT64);
    ck_assert_uint_eq(d->entries[0].default_value_len, 8);
    ck_assert(memcmp(d->entries[0].default_value, expiry, 8) == 0);
    ck_assert_str_eq(d->entries[0].description, "Message expiry in microseconds");
    ck_assert_str_eq(d->entries[1].key, "enforce_fsync");
    ck_assert_uint_eq(d->entries[1].kind, IGGY_KV_BOOL);
    ck_assert_uint_eq(d->entries[1].default_value_len, 0);
    ck_assert_str_eq(d->entries[1].description, "");
    iggy_result_destroy(d);
}
END_TEST

START_TEST(raw_reply_copies_payload)
{
    static const uint8_t zip[] = {'P', 'K', 3, 4, 0, 0xff};
    iggy_raw_reply_t *raw = decode_ok(&iggy_resp_raw, zip, sizeof zip);
    ck_assert_uint_eq(raw->len, sizeof zip);
    ck_assert_ptr_ne(raw->data, zip);
    ck_assert(memcmp(raw->data, zip, sizeof zip) == 0);
    iggy_result_destroy(raw);

    raw = decode_ok(&iggy_resp_raw, NULL, 0);
    ck_assert_uint_eq(raw->len, 0);
    iggy_result_destroy(raw);
}
END_TEST

/* ---------------------------------------------------------------- malformed replies */

START_TEST(malformed_replies)
{
    const test_vector_t *me = vector_get("get_me_reply_body");
    const test_vector_t *stats = vector_get("get_stats_reply_body");
    const test_vector_t *cl = vector_get("get_cluster_metadata_reply_body");
    buf_t b;

    /* Truncated bodies. */
    expect_bad_msg(&iggy_resp_client_info, me->bytes, me->len - 1);
    expect_bad_msg(&iggy_resp_client_info, NULL, 0); /* GetMe is never empty */
    expect_bad_msg(&iggy_resp_stats, stats->bytes, stats->len - 1);
    expect_bad_msg(&iggy_resp_stats, stats->bytes, 107);
    expect_bad_msg(&iggy_resp_cluster_metadata, cl->bytes, cl->len - 1);
    expect_bad_msg(&iggy_resp_client_info_list, me->bytes, me->len - 1);
    expect_bad_msg(&iggy_resp_option_descriptions, NULL, 0);

    /* Trailing bytes. */
    b.n = 0;
    put_bytes(&b, me->bytes, me->len);
    put_u8(&b, 0);
    expect_bad_msg(&iggy_resp_client_info, b.b, b.n);
    b.n = 0;
    put_bytes(&b, cl->bytes, cl->len);
    put_u8(&b, 0);
    expect_bad_msg(&iggy_resp_cluster_metadata, b.b, b.n);

    /* Bad enums: transport (offset 8), node role (53) and status (54). */
    b.n = 0;
    put_bytes(&b, me->bytes, me->len);
    b.b[8] = 0;
    expect_bad_msg(&iggy_resp_client_info, b.b, b.n);
    b.b[8] = 5;
    expect_bad_msg(&iggy_resp_client_info, b.b, b.n);
    expect_bad_msg(&iggy_resp_client_info_list, b.b, b.n);
    b.n = 0;
    put_bytes(&b, cl->bytes, cl->len);
    b.b[53] = 2;
    expect_bad_msg(&iggy_resp_cluster_metadata, b.b, b.n);
    b.b[53] = 0;
    b.b[54] = 6;
    expect_bad_msg(&iggy_resp_cluster_metadata, b.b, b.n);

    /* Hostile counts: nodes_count (offset 15), consumer_groups_count (28). */
    b.n = 0;
    put_bytes(&b, cl->bytes, cl->len);
    memset(b.b + 15, 0xff, 4);
    expect_bad_msg(&iggy_resp_cluster_metadata, b.b, b.n);
    b.n = 0;
    put_bytes(&b, me->bytes, me->len);
    memset(b.b + 28, 0xff, 4);
    expect_bad_msg(&iggy_resp_client_info, b.b, b.n);
    stats_prefix(&b);
    put_u32(&b, 0x10000000); /* cache_metrics_count */
    put_u32(&b, 16);
    put_u64(&b, 0), put_u64(&b, 0);
    expect_bad_msg(&iggy_resp_stats, b.b, b.n);
    b.n = 0;
    put_u32(&b, 0xFFFFFFFF); /* option descriptions count */
    put_u8(&b, 1);
    put_u8(&b, 'k');
    put_u8(&b, 2);
    put_u32(&b, 0), put_u32(&b, 0);
    expect_bad_msg(&iggy_resp_option_descriptions, b.b, b.n);

    /* A string length past the end (hostname_len at 108). */
    b.n = 0;
    put_bytes(&b, stats->bytes, stats->len);
    memset(b.b + 108, 0xff, 4);
    expect_bad_msg(&iggy_resp_stats, b.b, b.n);

    /* An option key must not be empty. */
    b.n = 0;
    put_u32(&b, 1);
    put_u8(&b, 0);
    put_u8(&b, 2);
    put_u32(&b, 0), put_u32(&b, 0), put_u8(&b, 0);
    expect_bad_msg(&iggy_resp_option_descriptions, b.b, b.n);
}
END_TEST

static Suite *codec_system_suite(void)
{
    Suite *s = suite_create("codec_system");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, describe_options_request_vector);
    tcase_add_test(tc, get_client_body_vector);
    tcase_add_test(tc, describe_options_other_scopes);
    tcase_add_test(tc, snapshot_request_layout);
    tcase_add_test(tc, invalid_encoder_input);
    tcase_add_test(tc, get_me_reply_vectors);
    tcase_add_test(tc, client_details_with_groups);
    tcase_add_test(tc, client_list);
    tcase_add_test(tc, get_stats_reply_vector);
    tcase_add_test(tc, get_stats_with_cache_metrics);
    tcase_add_test(tc, get_cluster_metadata_reply_vector);
    tcase_add_test(tc, cluster_metadata_two_nodes);
    tcase_add_test(tc, option_descriptions);
    tcase_add_test(tc, raw_reply_copies_payload);
    tcase_add_test(tc, malformed_replies);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(codec_system_suite());
}
