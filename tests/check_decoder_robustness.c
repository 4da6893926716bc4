/* Every reply vector through its response vtable, then every truncation, byte flips,
 * 0xFFFFFFFF length fields and random garbage: decoders return IGGY_OK or
 * IGGY_ERR__BAD_MSG with a detail, never read out of bounds (ASan), and a hostile length
 * never drives a large allocation (measured through the allocator hook). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <iggy/alloc.h>

#include "codec/iggy_frame.h"
#include "codec_helpers.h"
#include "test_alloc.h"
#include "test_main.h"

typedef struct reply_case {
    const char *vector;
    const iggy_resp_ops_t *ops;
    int framed;         /* body starts with a result section */
    int prefixes_parse; /* count-less lists: a prefix at a record boundary is a valid list */
    iggy_err_t expect;  /* what the whole vector decodes to */
} reply_case_t;

/* Every reply_body / reply_frame vector of vectors.txt. Header-only frames (ping, deny,
 * logout) and result-section-only bodies have no payload vtable: decoded by check_frame. */
static const reply_case_t CASES[] = {
    {"login_reply_body", &iggy_resp_login, 1, 0, IGGY_OK},
    {"login_reply", &iggy_resp_login, 1, 0, IGGY_OK},
    {"get_me_reply_body", &iggy_resp_client_info, 0, 0, IGGY_OK},
    {"get_me_reply", &iggy_resp_client_info, 0, 0, IGGY_OK},
    {"create_user_reply_body", &iggy_resp_user, 1, 0, IGGY_OK},
    {"create_user_reply", &iggy_resp_user, 1, 0, IGGY_OK},
    {"get_stats_reply_body", &iggy_resp_stats, 0, 0, IGGY_OK},
    {"get_cluster_metadata_reply_body", &iggy_resp_cluster_metadata, 0, 0, IGGY_OK},
    {"create_pat_reply_body", &iggy_resp_raw_pat, 1, 0, IGGY_OK},
    {"get_pats_reply_body", &iggy_resp_pat_list, 0, 1, IGGY_OK},
    {"get_user_reply_body", &iggy_resp_user, 0, 0, IGGY_OK},
    {"create_stream_reply_body", &iggy_resp_stream, 1, 0, IGGY_OK},
    {"get_streams_reply_body", &iggy_resp_stream_list, 0, 1, IGGY_OK},
    {"get_stream_reply_body", &iggy_resp_stream, 0, 0, IGGY_OK},
    {"get_stream_reply_body_minimal", &iggy_resp_stream, 0, 0, IGGY_OK},
    {"create_topic_reply_body", &iggy_resp_topic, 1, 0, IGGY_OK},
    {"get_topics_reply_body", &iggy_resp_topic_list, 0, 0, IGGY_OK},
    {"get_topics_reply_body_empty", &iggy_resp_topic_list, 0, 0, IGGY_OK},
    {"get_topics_reply_body_minimal", &iggy_resp_topic_list, 0, 0, IGGY_OK},
    {"get_topic_reply_body_minimal", &iggy_resp_topic, 0, 0, IGGY_OK},
    {"get_topic_reply_body_default", &iggy_resp_topic, 0, 0, IGGY_OK},
    {"create_consumer_group_reply_body", &iggy_resp_consumer_group, 1, 0, IGGY_OK},
    {"get_consumer_group_reply_body", &iggy_resp_consumer_group, 0, 0, IGGY_OK},
    {"get_consumer_groups_reply_body", &iggy_resp_consumer_group_list, 0, 1, IGGY_OK},
    {"sync_consumer_group_reply_body", &iggy_resp_group_assignment, 0, 0, IGGY_OK},
    {"get_consumer_offset_reply_body", &iggy_resp_consumer_offset, 0, 0, IGGY_OK},
    {"committed_rejection_1012", &iggy_resp_stream, 1, 0, IGGY_ERR_STREAM_NAME_ALREADY_EXISTS},
    {"poll_reply_body_golden", &iggy_resp_polled_messages, 0, 1, IGGY_OK},
    {"poll_reply_body_headers", &iggy_resp_polled_messages, 0, 1, IGGY_OK},
    {"poll_reply_body_sliced", &iggy_resp_polled_messages, 0, 1, IGGY_OK},
    {"poll_reply_body_empty", &iggy_resp_polled_messages, 0, 1, IGGY_OK},
    {"poll_reply_body_resync", &iggy_resp_polled_messages, 0, 1, IGGY_OK},
    {"poll_empty_reply", &iggy_resp_polled_messages, 0, 1, IGGY_OK},
    {"send_messages_reply_body", &iggy_resp_send_confirmations, 0, 1, IGGY_OK},
};
#define NCASES (sizeof CASES / sizeof CASES[0])

static const char *HEADER_ONLY[] = {"ping_reply",
                                    "deny_unauthenticated_reply",
                                    "logout_reply",
                                    "create_user_rejected_reply",
                                    "transient_not_accepted_reply",
                                    "poll_denied_reply"};

/* The bytes a decoder sees: the body minus header and result section. */
static const uint8_t *payload_of(const reply_case_t *c, size_t *len, iggy_err_t *section)
{
    const test_vector_t *v = vector_get(c->vector);
    const uint8_t *p = v->bytes;
    size_t n = v->len, off = 0;
    *section = IGGY_OK;
    if (strcmp(v->kind, "reply_frame") == 0) {
        p += IGGY_HEADER_SIZE;
        n -= IGGY_HEADER_SIZE;
    }
    if (c->framed) {
        *section = iggy_result_section_strip(p, n, &off);
        if (*section != IGGY_OK)
            off = n;
    }
    *len = n - off;
    return p + off;
}

static iggy_err_t decode(const iggy_resp_ops_t *ops, const uint8_t *p, size_t len)
{
    void *out = NULL;
    iggy_err_t err = iggy_resp_unmarshal(ops, p, len, &out);
    if (err == IGGY_OK)
        ck_assert_ptr_nonnull(out);
    else
        ck_assert_ptr_null(out);
    iggy_result_destroy(out);
    return err;
}

static void assert_ok_or_bad_msg(iggy_err_t err, const char *what, const char *vector, size_t at)
{
    ck_assert_msg(err == IGGY_OK || err == IGGY_ERR__BAD_MSG, "%s %s@%zu: unexpected %s", what,
                  vector, at, iggy_err2name(err));
    if (err == IGGY_ERR__BAD_MSG)
        ck_assert_msg(iggy_last_error_detail()[0] != '\0', "%s %s@%zu: no detail", what, vector,
                      at);
}

START_TEST(every_reply_vector_has_a_case)
{
    size_t n;
    const test_vector_t *all = vectors_all(&n);
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        if (strncmp(all[i].kind, "reply", 5) != 0)
            continue;
        for (size_t k = 0; k < NCASES; k++)
            found |= strcmp(CASES[k].vector, all[i].name) == 0;
        for (size_t k = 0; k < sizeof HEADER_ONLY / sizeof HEADER_ONLY[0]; k++)
            found |= strcmp(HEADER_ONLY[k], all[i].name) == 0;
        ck_assert_msg(found, "reply vector %s is not covered by the robustness test", all[i].name);
    }
}
END_TEST

START_TEST(whole_vectors_decode)
{
    for (size_t k = 0; k < NCASES; k++) {
        size_t len;
        iggy_err_t section, err;
        const uint8_t *p = payload_of(&CASES[k], &len, &section);
        err = section != IGGY_OK ? section : decode(CASES[k].ops, p, len);
        ck_assert_msg(err == CASES[k].expect, "%s: got %s (%s), want %s", CASES[k].vector,
                      iggy_err2name(err), iggy_last_error_detail(), iggy_err2name(CASES[k].expect));
    }
}
END_TEST

START_TEST(every_truncation_is_rejected)
{
    for (size_t k = 0; k < NCASES; k++) {
        size_t len;
        iggy_err_t section;
        const uint8_t *p = payload_of(&CASES[k], &len, &section);
        if (section != IGGY_OK)
            continue;
        for (size_t cut = 0; cut < len; cut++) {
            /* A heap copy of exactly cut bytes, so ASan sees any read past the end. */
            uint8_t *copy = malloc(cut ? cut : 1);
            iggy_err_t err;
            memcpy(copy, p, cut);
            err = decode(CASES[k].ops, copy, cut);
            free(copy);
            assert_ok_or_bad_msg(err, "truncation", CASES[k].vector, cut);
            if (!CASES[k].prefixes_parse)
                ck_assert_msg(err == IGGY_ERR__BAD_MSG, "%s cut at %zu of %zu decoded",
                              CASES[k].vector, cut, len);
        }
    }
}
END_TEST

/* Mutate a heap copy with fn at every offset and decode it. */
static void mutate_everywhere(void (*fn)(uint8_t *p, size_t len, size_t at), size_t span,
                              const char *what)
{
    for (size_t k = 0; k < NCASES; k++) {
        size_t len;
        iggy_err_t section;
        const uint8_t *p = payload_of(&CASES[k], &len, &section);
        if (section != IGGY_OK || len < span)
            continue;
        for (size_t at = 0; at + span <= len; at++) {
            uint8_t *copy = malloc(len);
            iggy_err_t err;
            memcpy(copy, p, len);
            fn(copy, len, at);
            iggy_set_allocator(&test_counting_allocator);
            test_alloc_begin();
            err = decode(CASES[k].ops, copy, len);
            test_alloc_end();
            iggy_set_allocator(NULL);
            free(copy);
            assert_ok_or_bad_msg(err, what, CASES[k].vector, at);
            /* One result block at most a small multiple of the input: a length field
             * can never buy more memory than the bytes that back it. */
            ck_assert_msg(test_alloc_peak() <= 64 * len + 4096,
                          "%s %s@%zu: allocated %zu bytes for a %zu-byte payload", what,
                          CASES[k].vector, at, test_alloc_peak(), len);
        }
    }
}

static void flip_byte(uint8_t *p, size_t len, size_t at)
{
    (void)len;
    p[at] ^= 0xFF;
}

static void max_u32(uint8_t *p, size_t len, size_t at)
{
    (void)len;
    memset(p + at, 0xFF, 4);
}

static void max_u8(uint8_t *p, size_t len, size_t at)
{
    (void)len;
    p[at] = 0xFF;
}

START_TEST(flipped_bytes)
{
    mutate_everywhere(flip_byte, 1, "flip");
}
END_TEST

START_TEST(hostile_u32_lengths)
{
    mutate_everywhere(max_u32, 4, "u32max");
}
END_TEST

START_TEST(hostile_u8_lengths)
{
    mutate_everywhere(max_u8, 1, "u8max");
}
END_TEST

START_TEST(random_garbage)
{
    unsigned seed = 12345;
    for (size_t k = 0; k < NCASES; k++) {
        for (int round = 0; round < 300; round++) {
            size_t len = (size_t)rand_r(&seed) % 600;
            uint8_t *buf = malloc(len ? len : 1);
            iggy_err_t err;
            for (size_t i = 0; i < len; i++)
                buf[i] = (uint8_t)rand_r(&seed);
            /* Small counts are more interesting than random 32-bit ones. */
            if (len >= 4 && (round & 1))
                memset(buf, 0, 3);
            err = decode(CASES[k].ops, buf, len);
            free(buf);
            assert_ok_or_bad_msg(err, "garbage", CASES[k].vector, (size_t)round);
        }
    }
}
END_TEST

START_TEST(result_reuse_is_getline_style)
{
    /* Decode a big reply, then a small one into the same block: the block is reused
     * and the counts are the small reply's. */
    size_t big_len, small_len;
    iggy_err_t s1, s2;
    const uint8_t *big = payload_of(&CASES[27], &big_len, &s1);     /* poll_reply_body_golden */
    const uint8_t *small = payload_of(&CASES[30], &small_len, &s2); /* poll_reply_body_empty */
    void *out = NULL, *first;
    ck_assert_str_eq(CASES[27].vector, "poll_reply_body_golden");
    ck_assert_str_eq(CASES[30].vector, "poll_reply_body_empty");
    ck_assert_int_eq(iggy_resp_unmarshal(&iggy_resp_polled_messages, big, big_len, &out), IGGY_OK);
    first = out;
    ck_assert_uint_gt(((const iggy_polled_messages_t *)out)->count, 0);
    ck_assert_int_eq(iggy_resp_unmarshal(&iggy_resp_polled_messages, small, small_len, &out),
                     IGGY_OK);
    ck_assert_ptr_eq(out, first);
    ck_assert_uint_eq(((const iggy_polled_messages_t *)out)->count, 0);
    /* A failed decode leaves the caller's block untouched. */
    ck_assert_int_eq(iggy_resp_unmarshal(&iggy_resp_polled_messages, big, 5, &out),
                     IGGY_ERR__BAD_MSG);
    ck_assert_ptr_eq(out, first);
    iggy_result_destroy(out);
}
END_TEST

/* Found by fuzz_resp/fuzz_poll (tests/fuzz/regressions/): a batch record holding no message
 * (batch_length 256, message_count 0) made the fill pass offset the message array, which is
 * NULL when the reply holds no message at all (clang UBSan: zero offset to a null pointer).
 * An empty record decodes to nothing, alone, repeated, or before a record with messages. */
START_TEST(empty_batch_records_decode_to_no_messages)
{
    size_t golden_len, len;
    iggy_err_t section;
    const uint8_t *golden = payload_of(&CASES[27], &golden_len, &section);
    uint8_t *body = calloc(1, golden_len + 2 * 256);
    void *out = NULL;
    const iggy_polled_messages_t *res, *want = NULL;
    ck_assert_str_eq(CASES[27].vector, "poll_reply_body_golden");
    ck_assert_ptr_nonnull(body);
    memcpy(body, golden, 16); /* the golden reply's prefix */
    for (int i = 0; i < 2; i++)
        body[16 + 256 * i + 33] = 1; /* batch_length 256: header only, message_count 0 */

    len = 16 + 256;
    ck_assert_int_eq(iggy_resp_unmarshal(&iggy_resp_polled_messages, body, len, &out), IGGY_OK);
    res = out;
    ck_assert_uint_eq(res->count, 0);
    ck_assert_ptr_null(res->messages);
    ck_assert_int_eq(iggy_resp_unmarshal(&iggy_resp_polled_messages, body, len + 256, &out),
                     IGGY_OK);
    ck_assert_uint_eq(((const iggy_polled_messages_t *)out)->count, 0);
    iggy_result_destroy(out);

    /* An empty record, then the golden reply's records: the same messages as without it. */
    out = NULL;
    ck_assert_int_eq(iggy_resp_unmarshal(&iggy_resp_polled_messages, golden, golden_len, &out),
                     IGGY_OK);
    want = out;
    memcpy(body + 16 + 256, golden + 16, golden_len - 16);
    out = NULL;
    ck_assert_int_eq(
        iggy_resp_unmarshal(&iggy_resp_polled_messages, body, 16 + 256 + golden_len - 16, &out),
        IGGY_OK);
    res = out;
    ck_assert_uint_gt(want->count, 0);
    ck_assert_uint_eq(res->count, want->count);
    for (size_t i = 0; i < res->count; i++) {
        ck_assert_uint_eq(res->messages[i].offset, want->messages[i].offset);
        ck_assert_uint_eq(res->messages[i].payload_len, want->messages[i].payload_len);
        ck_assert_mem_eq(res->messages[i].payload, want->messages[i].payload,
                         res->messages[i].payload_len);
    }
    iggy_result_destroy(out);
    iggy_result_destroy(want);
    free(body);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decoder_robustness");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, every_reply_vector_has_a_case);
    tcase_add_test(tc, whole_vectors_decode);
    tcase_add_test(tc, every_truncation_is_rejected);
    tcase_add_test(tc, flipped_bytes);
    tcase_add_test(tc, hostile_u32_lengths);
    tcase_add_test(tc, hostile_u8_lengths);
    tcase_add_test(tc, random_garbage);
    tcase_add_test(tc, result_reuse_is_getline_style);
    tcase_add_test(tc, empty_batch_records_decode_to_no_messages);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
