/* The 256-byte header codec, result sections and eviction mapping, against the golden
 * frames of framing-and-session.md §14 and messages.md §11. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "codec/iggy_cmd_table.h"
#include "codec/iggy_frame.h"
#include "codec_helpers.h"
#include "test_main.h"

/* client id whose LE bytes are 00 01 .. 0f (framing-and-session vectors) */
static const iggy_u128_t CLIENT_SEQ = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};

static void assert_header_is(const iggy_request_header_t *h, const char *name)
{
    uint8_t out[IGGY_HEADER_SIZE];
    const test_vector_t *v = vector_get(name);
    iggy_frame_encode_request(out, h);
    ck_assert_msg(v->len >= IGGY_HEADER_SIZE, "%s shorter than a header", name);
    ck_assert_msg(memcmp(out, v->bytes, IGGY_HEADER_SIZE) == 0, "%s: header bytes differ", name);
}

START_TEST(request_headers_match_vectors)
{
    iggy_request_header_t h = {0};
    const test_vector_t *v;

    h.client = CLIENT_SEQ;
    h.request = 1;
    h.operation = IGGY_OP_NON_REPLICATED;
    h.code = 1;
    assert_header_is(&h, "ping_request");

    h.code = 10;
    assert_header_is(&h, "get_stats_request_unauthenticated");

    h.code = 20;
    h.session = 5;
    assert_header_is(&h, "get_me_request");

    h.code = 13;
    h.body_len = 1;
    assert_header_is(&h, "describe_options_request");

    memset(&h, 0, sizeof h);
    h.client = CLIENT_SEQ;
    h.operation = IGGY_OP_LOGOUT;
    h.request = 2;
    h.session = 5;
    assert_header_is(&h, "logout_request");

    /* Go's golden header: client bytes 01..10, CreateStream, request 2, session 11. */
    memset(&h, 0, sizeof h);
    h.client.lo = 0x0807060504030201ull;
    h.client.hi = 0x100f0e0d0c0b0a09ull;
    h.operation = 128;
    h.request = 2;
    h.session = 11;
    h.code = 202; /* must NOT be written: replicated ops carry no code */
    h.body_len = 4;
    assert_header_is(&h, "go_golden_request_header");

    /* Stamped requests: checksum = XXH3-64 of the body. */
    v = vector_get("create_user_request_stamped");
    memset(&h, 0, sizeof h);
    h.client = CLIENT_SEQ;
    h.operation = 141;
    h.request = 1;
    h.session = 5;
    h.body_len = (uint32_t)(v->len - IGGY_HEADER_SIZE);
    h.request_checksum = XXH3_64bits(v->bytes + IGGY_HEADER_SIZE, h.body_len);
    ck_assert_uint_eq(h.request_checksum, 0x12ed9532c5892a18ull);
    assert_header_is(&h, "create_user_request_stamped");

    v = vector_get("login_register_request_stamped");
    memset(&h, 0, sizeof h);
    h.client = CLIENT_SEQ;
    h.operation = IGGY_OP_REGISTER;
    h.body_len = (uint32_t)(v->len - IGGY_HEADER_SIZE);
    h.request_checksum = XXH3_64bits(v->bytes + IGGY_HEADER_SIZE, h.body_len);
    ck_assert_uint_eq(h.request_checksum, 0x9bdab50046817879ull);
    assert_header_is(&h, "login_register_request_stamped");
}
END_TEST

START_TEST(logout_checksum_of_empty_body)
{
    /* framing-and-session.md §4: XXH3-64 of an empty body. */
    ck_assert_uint_eq(XXH3_64bits("", 0), 0x2D06800538D394C2ull);
}
END_TEST

START_TEST(request_header_roundtrip)
{
    uint8_t out[IGGY_HEADER_SIZE];
    iggy_frame_header_t d;
    iggy_request_header_t h = {{0x1122, 0x3344}, 0xabcdef, 17, 99, 300, 12, 2};
    iggy_frame_encode_request(out, &h);
    ck_assert_int_eq(iggy_frame_decode_request(out, IGGY_MAX_FRAME_SIZE, &d), IGGY_OK);
    ck_assert_uint_eq(d.size, 268);
    ck_assert_uint_eq(d.command, IGGY_FRAME_REQUEST);
    ck_assert_uint_eq(d.client.lo, 0x1122);
    ck_assert_uint_eq(d.client.hi, 0x3344);
    ck_assert_uint_eq(d.request_checksum, 0xabcdef);
    ck_assert_uint_eq(d.request, 17);
    ck_assert_uint_eq(d.session, 99);
    ck_assert_uint_eq(d.code, 300);
    ck_assert_uint_eq(d.operation, 2);
}
END_TEST

static iggy_frame_header_t decode_reply_vector(const char *name)
{
    iggy_frame_header_t h;
    const test_vector_t *v = vector_get(name);
    iggy_err_t err = iggy_frame_decode_reply(v->bytes, IGGY_MAX_FRAME_SIZE, &h);
    ck_assert_msg(err == IGGY_OK, "%s: %s", name, iggy_last_error_detail());
    ck_assert_uint_eq(h.size, v->len);
    return h;
}

START_TEST(reply_headers_decode)
{
    iggy_frame_header_t h = decode_reply_vector("ping_reply");
    ck_assert_uint_eq(h.command, IGGY_FRAME_REPLY);
    ck_assert_uint_eq(h.request, 1);
    ck_assert_uint_eq(h.operation, 2);
    ck_assert_uint_eq(h.status, 0);
    ck_assert_uint_eq(h.commit, 42);
    ck_assert_uint_eq(h.client.lo, CLIENT_SEQ.lo);
    ck_assert_uint_eq(h.client.hi, CLIENT_SEQ.hi);

    h = decode_reply_vector("login_reply");
    ck_assert_uint_eq(h.request, 0);
    ck_assert_uint_eq(h.operation, IGGY_OP_REGISTER);
    ck_assert_uint_eq(h.op, 5);
    ck_assert(iggy_op_is_result_framed(h.operation, h.size - IGGY_HEADER_SIZE));

    h = decode_reply_vector("logout_reply");
    ck_assert_uint_eq(h.request, 2);
    ck_assert_uint_eq(h.operation, IGGY_OP_LOGOUT);
    ck_assert_uint_eq(h.op, 5);
    ck_assert_uint_eq(h.commit, 7);
    ck_assert(!iggy_op_is_result_framed(h.operation, 0));

    h = decode_reply_vector("deny_unauthenticated_reply");
    ck_assert_uint_eq(h.status, 40);
    ck_assert_uint_eq(h.client.lo, 1);
    ck_assert_uint_eq(h.client.hi, 0);

    h = decode_reply_vector("poll_denied_reply");
    ck_assert_uint_eq(h.status, 3007);
    ck_assert_uint_eq(h.op, 7);
    ck_assert_uint_eq(h.commit, 12);
    ck_assert_uint_eq(h.client.lo, 0x9900aabbccddeeffull);
    ck_assert_uint_eq(h.client.hi, 0x1122334455667788ull);

    h = decode_reply_vector("poll_empty_reply");
    ck_assert_uint_eq(h.status, 0);
    ck_assert_uint_eq(h.size, 272);
    ck_assert(!iggy_op_is_result_framed(h.operation, 16));
}
END_TEST

static iggy_err_t strip_reply_vector(const char *name, uint8_t *operation)
{
    size_t off;
    iggy_frame_header_t h = decode_reply_vector(name);
    const test_vector_t *v = vector_get(name);
    *operation = h.operation;
    ck_assert(iggy_op_is_result_framed(h.operation, h.size - IGGY_HEADER_SIZE));
    return iggy_result_section_strip(v->bytes + IGGY_HEADER_SIZE, v->len - IGGY_HEADER_SIZE, &off);
}

START_TEST(committed_rejections_in_result_sections)
{
    uint8_t op;
    ck_assert_int_eq(strip_reply_vector("create_user_rejected_reply", &op),
                     IGGY_ERR_USER_ALREADY_EXISTS);
    ck_assert_uint_eq(op, 141);
    ck_assert_int_eq(strip_reply_vector("transient_not_accepted_reply", &op),
                     IGGY_ERR_TRANSIENT_NOT_ACCEPTED);
    ck_assert(iggy_err_is_retriable(IGGY_ERR_TRANSIENT_NOT_ACCEPTED));
}
END_TEST

START_TEST(result_section_rules)
{
    size_t off = 99;
    const uint8_t ok[] = {0, 0, 0, 0, 0xaa};
    const uint8_t ok_entry[] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbb};
    const uint8_t short_count[] = {2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    const uint8_t hostile[] = {0xff, 0xff, 0xff, 0xff};
    ck_assert_int_eq(iggy_result_section_strip(ok, sizeof ok, &off), IGGY_OK);
    ck_assert_uint_eq(off, 4);
    ck_assert_int_eq(iggy_result_section_strip(ok_entry, sizeof ok_entry, &off), IGGY_OK);
    ck_assert_uint_eq(off, 12);
    ck_assert_int_eq(iggy_result_section_strip(short_count, sizeof short_count, &off),
                     IGGY_ERR__BAD_MSG);
    ck_assert_int_eq(iggy_result_section_strip(hostile, sizeof hostile, &off), IGGY_ERR__BAD_MSG);
    ck_assert_int_eq(iggy_result_section_strip(ok, 0, &off), IGGY_ERR__BAD_MSG);
    ck_assert_int_eq(iggy_result_section_strip(ok, 3, &off), IGGY_ERR__BAD_MSG);
    ck_assert_str_ne(iggy_last_error_detail(), "");
}
END_TEST

START_TEST(result_framing_by_reply_operation)
{
    /* admin.md §1.2: 64..68 and 128..149 except 138; 161, 162; Register when non-empty. */
    for (unsigned op = 0; op < 256; op++) {
        int want = (op >= 64 && op <= 68) || (op >= 128 && op <= 149 && op != 138) || op == 161 ||
                   op == 162;
        ck_assert_int_eq(iggy_op_is_result_framed((uint8_t)op, 4), want || op == 1);
    }
    ck_assert(!iggy_op_is_result_framed(1, 0));
    ck_assert(!iggy_op_is_result_framed(160, 24));
}
END_TEST

START_TEST(evictions_map_to_sdk_errors)
{
    iggy_frame_header_t h = decode_reply_vector("eviction_incompatible_protocol");
    ck_assert_uint_eq(h.command, IGGY_FRAME_EVICTION);
    ck_assert_uint_eq(h.reason, 14);
    ck_assert_uint_eq(h.server_protocol_max, 0x2c00);
    ck_assert_uint_eq(h.server_protocol_min, 0x2c00);
    ck_assert_int_eq(iggy_eviction_to_err(h.reason, h.server_protocol_max, h.server_protocol_min),
                     IGGY_ERR_INCOMPATIBLE_PROTOCOL_VERSION);
    ck_assert_ptr_nonnull(strstr(iggy_last_error_detail(), "0.11.0"));

    h = decode_reply_vector("eviction_malformed_login");
    ck_assert_uint_eq(h.reason, 15);
    ck_assert_int_eq(iggy_eviction_to_err(h.reason, 0, 0), IGGY_ERR_INVALID_FORMAT);

    h = decode_reply_vector("eviction_invalid_credentials");
    ck_assert_uint_eq(h.reason, 9);
    ck_assert_int_eq(iggy_eviction_to_err(h.reason, 0, 0), IGGY_ERR_INVALID_CREDENTIALS);
}
END_TEST

START_TEST(eviction_table_matches_tsv)
{
    /* Every row of eviction_reasons.tsv ends with the IggyError code it maps to. */
    char path[4096], line[512];
    const char *vec = IGGY_VECTORS_PATH;
    FILE *f;
    int rows = 0;
    snprintf(path, sizeof path, "%.*s/eviction_reasons.tsv", (int)(strrchr(vec, '/') - vec), vec);
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    while (fgets(line, sizeof line, f)) {
        unsigned reason;
        const char *maps = strstr(line, "maps to ");
        if (sscanf(line, "%u", &reason) != 1 || !maps)
            continue;
        const char *digits = maps + strcspn(maps, "0123456789");
        long code = strtol(digits, NULL, 10);
        iggy_err_t got = iggy_eviction_to_err((uint8_t)reason, 0x2c00, 0x2c00);
        ck_assert_msg(got == code, "reason %u: got %d, tsv says %ld", reason, got, code);
        rows++;
    }
    fclose(f);
    ck_assert_int_eq(rows, 16);
    /* Unknown reasons are not reconnectable: InvalidCommand. */
    ck_assert_int_eq(iggy_eviction_to_err(200, 0, 0), IGGY_ERR_INVALID_COMMAND);
    /* A degenerate window degrades IncompatibleProtocol to Unauthenticated. */
    ck_assert_int_eq(iggy_eviction_to_err(14, 0, 0), IGGY_ERR_UNAUTHENTICATED);
}
END_TEST

START_TEST(bad_reply_headers_rejected)
{
    uint8_t hdr[IGGY_HEADER_SIZE];
    iggy_frame_header_t h;
    iggy_u128_t c = {1, 0};

    iggy_frame_encode_reply(hdr, &c, 1, 2, 0, 0, 0, 0);
    ck_assert_int_eq(iggy_frame_decode_reply(hdr, IGGY_MAX_FRAME_SIZE, &h), IGGY_OK);

    iggy_put_le32(hdr + 48, 255); /* below the header size */
    ck_assert_int_eq(iggy_frame_decode_reply(hdr, IGGY_MAX_FRAME_SIZE, &h), IGGY_ERR__BAD_MSG);
    iggy_put_le32(hdr + 48, IGGY_MAX_FRAME_SIZE + 1); /* above the cap */
    ck_assert_int_eq(iggy_frame_decode_reply(hdr, IGGY_MAX_FRAME_SIZE, &h), IGGY_ERR__BAD_MSG);
    ck_assert_ptr_nonnull(strstr(iggy_last_error_detail(), "size"));

    iggy_frame_encode_reply(hdr, &c, 1, 2, 0, 0, 0, 0);
    hdr[60] = 5; /* a Request is not a reply */
    ck_assert_int_eq(iggy_frame_decode_reply(hdr, IGGY_MAX_FRAME_SIZE, &h), IGGY_ERR__BAD_MSG);

    iggy_frame_encode_reply(hdr, &c, 1, 2, 41, 10, 0, 0); /* status with a body */
    ck_assert_int_eq(iggy_frame_decode_reply(hdr, IGGY_MAX_FRAME_SIZE, &h), IGGY_ERR__BAD_MSG);

    iggy_frame_encode_eviction(hdr, &c, 13, 0, 0);
    iggy_put_le32(hdr + 48, 300); /* evictions are header-only */
    ck_assert_int_eq(iggy_frame_decode_reply(hdr, IGGY_MAX_FRAME_SIZE, &h), IGGY_ERR__BAD_MSG);
}
END_TEST

START_TEST(reply_and_eviction_encoders_match_vectors)
{
    uint8_t out[IGGY_HEADER_SIZE];
    iggy_u128_t transport = {1, 0};
    iggy_frame_encode_reply(out, &transport, 1, 2, 40, 0, 0, 0);
    ck_assert(memcmp(out, vector_get("deny_unauthenticated_reply")->bytes, IGGY_HEADER_SIZE) == 0);
    iggy_frame_encode_reply(out, &CLIENT_SEQ, 2, 3, 0, 0, 5, 7);
    ck_assert(memcmp(out, vector_get("logout_reply")->bytes, IGGY_HEADER_SIZE) == 0);
    iggy_frame_encode_eviction(out, &CLIENT_SEQ, 14, 0x2c00, 0x2c00);
    ck_assert(memcmp(out, vector_get("eviction_incompatible_protocol")->bytes, IGGY_HEADER_SIZE) ==
              0);
}
END_TEST

START_TEST(legacy_logins_have_no_command_row)
{
    /* The 0.9 server evicts codes 38/44 (MalformedLogin); the client never sends them. */
    const test_vector_t *req = vector_get("legacy_login_user_request");
    const test_vector_t *body = vector_get("legacy_login_user_body");
    iggy_frame_header_t h;
    ck_assert_int_eq(iggy_frame_decode_request(req->bytes, IGGY_MAX_FRAME_SIZE, &h), IGGY_OK);
    ck_assert_uint_eq(h.operation, IGGY_OP_NON_REPLICATED);
    ck_assert_uint_eq(h.code, IGGY_CODE_LEGACY_LOGIN_USER);
    ck_assert_uint_eq(h.size, req->len);
    ck_assert_uint_eq(body->len, 12);
    ck_assert_ptr_null(iggy_cmd_by_code(IGGY_CODE_LEGACY_LOGIN_USER));
    ck_assert_ptr_null(iggy_cmd_by_code(IGGY_CODE_LEGACY_LOGIN_PAT));
    ck_assert_ptr_nonnull(iggy_cmd_by_code(40));
    ck_assert_ptr_nonnull(iggy_cmd_by_code(45));
}
END_TEST

START_TEST(command_table_is_complete)
{
    /* Every row has a code, a name and an operation; codes are unique. */
    for (size_t i = 0; i < IGGY_CMD__NUM; i++) {
        ck_assert_uint_ne(iggy_cmds[i].code, 0);
        ck_assert_ptr_nonnull(iggy_cmds[i].name);
        ck_assert_uint_ne(iggy_cmds[i].operation, 0);
        ck_assert_ptr_eq(iggy_cmd_by_code(iggy_cmds[i].code), &iggy_cmds[i]);
        for (size_t k = i + 1; k < IGGY_CMD__NUM; k++)
            ck_assert_uint_ne(iggy_cmds[i].code, iggy_cmds[k].code);
    }
    ck_assert_uint_eq(IGGY_CMD__NUM, 49);
    ck_assert_int_eq(iggy_counter_rule(1), IGGY_COUNTER_ZERO);
    ck_assert_int_eq(iggy_counter_rule(3), IGGY_COUNTER_NEXT);
    ck_assert_int_eq(iggy_counter_rule(138), IGGY_COUNTER_NEXT);
    ck_assert_int_eq(iggy_counter_rule(160), IGGY_COUNTER_CURRENT);
    ck_assert_int_eq(iggy_counter_rule(161), IGGY_COUNTER_CURRENT);
    ck_assert_int_eq(iggy_counter_rule(2), IGGY_COUNTER_CURRENT);
}
END_TEST

/* The class the spec gives an operation byte (framing-and-session.md §2.2). */
static unsigned spec_class(uint8_t op)
{
    if (op == 1)
        return IGGY_CMDF_LOGIN;
    if (op == 2)
        return IGGY_CMDF_READ;
    if (op == 3)
        return IGGY_CMDF_LOGOUT;
    if (op >= 128 && op <= 149)
        return IGGY_CMDF_METADATA;
    if (op >= 160 && op <= 162)
        return IGGY_CMDF_PARTITION;
    return 0;
}

START_TEST(operation_classes_are_row_flags)
{
    /* Every row carries exactly the one class its operation byte has in the spec. */
    for (size_t i = 0; i < IGGY_CMD__NUM; i++)
        ck_assert_msg((iggy_cmds[i].flags & IGGY_CMDF_CLASSES) ==
                          spec_class(iggy_cmds[i].operation),
                      "%s: class flags 0x%x", iggy_cmds[i].name, iggy_cmds[i].flags);
    /* Every operation byte: the table's view agrees with the spec's, the committed reply
     * operations are declared but name no row, and every other byte is undeclared. */
    for (unsigned op = 0; op < 256; op++) {
        unsigned want = spec_class((uint8_t)op);
        bool committed = op >= 64 && op <= 68;
        ck_assert_uint_eq(iggy_op_flags((uint8_t)op) & IGGY_CMDF_CLASSES, want);
        ck_assert_int_eq(iggy_op_declared((uint8_t)op), want != 0 || committed);
        ck_assert_int_eq(iggy_cmd_by_operation((uint8_t)op) != NULL, want != 0);
        ck_assert_int_eq(iggy_op_reply_matches((uint8_t)op, (uint8_t)op), true);
        for (unsigned rep = 64; rep <= 68; rep++)
            ck_assert_int_eq(iggy_op_reply_matches((uint8_t)op, (uint8_t)rep),
                             op == rep || want == IGGY_CMDF_METADATA);
    }
    ck_assert_int_eq(iggy_op_reply_matches(160, 161), false);
    ck_assert_int_eq(iggy_op_reply_matches(2, 1), false);
}
END_TEST

static Suite *frame_suite(void)
{
    Suite *s = suite_create("frame");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, request_headers_match_vectors);
    tcase_add_test(tc, logout_checksum_of_empty_body);
    tcase_add_test(tc, operation_classes_are_row_flags);
    tcase_add_test(tc, request_header_roundtrip);
    tcase_add_test(tc, reply_headers_decode);
    tcase_add_test(tc, committed_rejections_in_result_sections);
    tcase_add_test(tc, result_section_rules);
    tcase_add_test(tc, result_framing_by_reply_operation);
    tcase_add_test(tc, evictions_map_to_sdk_errors);
    tcase_add_test(tc, eviction_table_matches_tsv);
    tcase_add_test(tc, bad_reply_headers_rejected);
    tcase_add_test(tc, reply_and_eviction_encoders_match_vectors);
    tcase_add_test(tc, legacy_logins_have_no_command_row);
    tcase_add_test(tc, command_table_is_complete);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(frame_suite());
}
