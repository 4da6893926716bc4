/* Login, user, permission and personal access token codecs (framing-and-session.md §8, §11)
 * against the golden vectors of §14. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <iggy/error.h>
#include <iggy/types.h>

#include "codec_helpers.h"
#include "test_main.h"

#define PROTO_0_11_0 0x00002C00u

/* ---------------------------------------------------------------- helpers */

static void expect_bytes(iggy_writer_t *w, const buf_t *want)
{
    ck_assert_msg(iggy_wr_status(w) == IGGY_OK, "encoder failed: %s", iggy_last_error_detail());
    ck_assert_uint_eq(w->len, want->n);
    ck_assert(memcmp(w->data, want->b, want->n) == 0);
    iggy_wr_release(w);
}

static void expect_bad_msg(const iggy_resp_ops_t *ops, const uint8_t *p, size_t len)
{
    void *out = NULL;
    iggy_err_t err = iggy_resp_unmarshal(ops, p, len, &out);
    ck_assert_msg(err == IGGY_ERR__BAD_MSG, "%s: expected BAD_MSG, got %s", ops->name,
                  iggy_err2name(err));
    ck_assert_ptr_null(out);
    ck_assert_uint_gt(strlen(iggy_last_error_detail()), 0);
}

/* The permissions_block vector's content, field by field from its comments. */
static const iggy_topic_permissions_t PB_TOPICS[2] = {
    {.topic_id = 10, .manage_topic = 1, .read_topic = 0, .poll_messages = 1, .send_messages = 0},
    {.topic_id = 20, .manage_topic = 0, .read_topic = 1, .poll_messages = 0, .send_messages = 1},
};
static const iggy_stream_permissions_t PB_STREAMS[2] = {
    {.stream_id = 1,
     .manage_stream = 1,
     .read_stream = 0,
     .manage_topics = 1,
     .read_topics = 0,
     .poll_messages = 1,
     .send_messages = 0,
     .topics_count = 2,
     .topics = PB_TOPICS},
    {.stream_id = 2,
     .manage_stream = 0,
     .read_stream = 1,
     .manage_topics = 0,
     .read_topics = 1,
     .poll_messages = 0,
     .send_messages = 1,
     .topics_count = 0,
     .topics = NULL},
};
static const iggy_permissions_t PB = {
    .global = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    .streams_count = 2,
    .streams = PB_STREAMS,
};

/* Asserts every field the permissions_block comments document. */
static void assert_permissions_block(const iggy_permissions_t *p)
{
    const iggy_global_permissions_t *g = &p->global;
    const iggy_stream_permissions_t *s;
    ck_assert(g->manage_servers && g->read_servers && g->manage_users && g->read_users);
    ck_assert(g->manage_streams && g->read_streams && g->manage_topics && g->read_topics);
    ck_assert(g->poll_messages && g->send_messages);
    ck_assert_uint_eq(p->streams_count, 2);
    s = &p->streams[0];
    ck_assert_uint_eq(s->stream_id, 1);
    ck_assert(s->manage_stream && !s->read_stream && s->manage_topics && !s->read_topics);
    ck_assert(s->poll_messages && !s->send_messages);
    ck_assert_uint_eq(s->topics_count, 2);
    ck_assert_uint_eq(s->topics[0].topic_id, 10);
    ck_assert(s->topics[0].manage_topic && !s->topics[0].read_topic);
    ck_assert(s->topics[0].poll_messages && !s->topics[0].send_messages);
    ck_assert_uint_eq(s->topics[1].topic_id, 20);
    ck_assert(!s->topics[1].manage_topic && s->topics[1].read_topic);
    ck_assert(!s->topics[1].poll_messages && s->topics[1].send_messages);
    s = &p->streams[1];
    ck_assert_uint_eq(s->stream_id, 2);
    ck_assert(!s->manage_stream && s->read_stream && !s->manage_topics && s->read_topics);
    ck_assert(!s->poll_messages && s->send_messages);
    ck_assert_uint_eq(s->topics_count, 0);
    ck_assert_ptr_null(s->topics);
}

/* ---------------------------------------------------------------- login */

START_TEST(login_register_vectors)
{
    /* sdk "c-sdk" "0.1.0", user iggy / password iggy, protocol 0x2c00, context length 0 */
    static const char *names[] = {"login_register_body", "login_register_request"};
    for (size_t i = 0; i < 2; i++) {
        iggy_writer_t w = test_writer();
        iggy_enc_login_register(&w, PROTO_0_11_0, "c-sdk", "0.1.0", "iggy", "iggy");
        assert_writer_matches(&w, names[i]);
    }
}
END_TEST

START_TEST(login_with_pat_layout)
{
    /* §8.4: ClientVersionInfo + [token_len u8][token] + [context_len u32 = 0] */
    const test_vector_t *v = vector_get("login_register_body");
    buf_t want = {.n = 0};
    iggy_writer_t w = test_writer();
    put_bytes(&want, v->bytes, 16); /* the same ClientVersionInfo prefix (0..15) */
    put_str8(&want, "tok-123");
    put_u32(&want, 0);
    iggy_enc_login_register_with_pat(&w, PROTO_0_11_0, "c-sdk", "0.1.0", "tok-123");
    expect_bytes(&w, &want);
}
END_TEST

START_TEST(login_reply_vectors)
{
    /* login_reply_body is result-framed; login_reply is the same body behind a header. */
    static const char *names[] = {"login_reply_body", "login_reply"};
    for (size_t i = 0; i < 2; i++) {
        size_t len;
        const uint8_t *p = reply_payload(vector_get(names[i]), 1, &len);
        iggy_login_result_t *l = decode_ok(&iggy_resp_login, p, len);
        ck_assert_uint_eq(l->user_id, 0);                      /* root */
        ck_assert_uint_eq(l->session, 5);                      /* session u64 = 5 */
        ck_assert_uint_eq(l->server_protocol_version, 0x2c00); /* 0.11.0 */
        ck_assert_str_eq(l->server_version, "0.9.0-edge.5");   /* 12 bytes */
        iggy_result_destroy(l);
    }
}
END_TEST

/* ---------------------------------------------------------------- user encoders */

START_TEST(create_user_vectors)
{
    iggy_writer_t w = test_writer();
    /* alice / secret, status 1 (Active), has_permissions 0, empty options block */
    iggy_enc_create_user(&w, "alice", "secret", IGGY_USER_ACTIVE, NULL);
    assert_writer_matches(&w, "create_user_body");
    w = test_writer();
    iggy_enc_create_user(&w, "alice", "secret", IGGY_USER_ACTIVE, NULL);
    assert_writer_matches(&w, "create_user_request");
    /* u / p, status 0 (sent raw; server treats it as Active), no permissions */
    w = test_writer();
    iggy_enc_create_user(&w, "u", "p", 0, NULL);
    assert_writer_matches(&w, "create_user_body_minimal_status0");
    /* u / p, Active, no permissions */
    w = test_writer();
    iggy_enc_create_user(&w, "u", "p", IGGY_USER_ACTIVE, NULL);
    assert_writer_matches(&w, "create_user_body_minimal_active");
}
END_TEST

START_TEST(identifier_vectors)
{
    iggy_identifier_t root = iggy_id_num(0), one = iggy_id_num(1), n123 = iggy_id_num(123);
    iggy_identifier_t hello = iggy_id_name("Hello");
    iggy_writer_t w = test_writer();
    iggy_enc_get_user(&w, &root); /* kind 1, length 4, value 0 */
    assert_writer_matches(&w, "get_user_body_root");
    w = test_writer();
    iggy_enc_get_user(&w, &one); /* kind 1, length 4, value 1 */
    assert_writer_matches(&w, "get_user_body_id1");
    w = test_writer();
    iggy_enc_get_user(&w, &hello); /* kind 2, length 5, "Hello" */
    assert_writer_matches(&w, "identifier_string_hello");
    w = test_writer();
    iggy_enc_delete_user(&w, &n123); /* kind 1, length 4, value 123 */
    assert_writer_matches(&w, "identifier_numeric_123");
    w = test_writer();
    iggy_enc_delete_user(&w, &hello);
    assert_writer_matches(&w, "identifier_string_hello");
}
END_TEST

START_TEST(permissions_block_encodes)
{
    iggy_writer_t w = test_writer();
    ck_assert_uint_eq(iggy_permissions_size(&PB), vector_get("permissions_block")->len);
    iggy_enc_permissions(&w, &PB);
    assert_writer_matches(&w, "permissions_block");
}
END_TEST

START_TEST(create_user_with_permissions)
{
    /* §11.4: ... [status][has_permissions = 1][permissions_len u32][permissions] */
    const test_vector_t *minimal = vector_get("create_user_body_minimal_active");
    const test_vector_t *pb = vector_get("permissions_block");
    buf_t want = {.n = 0};
    iggy_writer_t w = test_writer();
    put_bytes(&want, minimal->bytes, 5); /* u / p / status 1 */
    put_u8(&want, 1);
    put_u32(&want, (uint32_t)pb->len);
    put_bytes(&want, pb->bytes, pb->len);
    iggy_enc_create_user(&w, "u", "p", IGGY_USER_ACTIVE, &PB);
    expect_bytes(&w, &want);
}
END_TEST

START_TEST(update_permissions_layout)
{
    /* §11.7: [user_id][has_permissions u8]([perm_len u32][permissions] if 1) */
    const test_vector_t *id1 = vector_get("get_user_body_id1");
    const test_vector_t *pb = vector_get("permissions_block");
    iggy_identifier_t one = iggy_id_num(1);
    buf_t want = {.n = 0};
    iggy_writer_t w = test_writer();

    put_bytes(&want, id1->bytes, id1->len);
    put_u8(&want, 1);
    put_u32(&want, (uint32_t)pb->len);
    put_bytes(&want, pb->bytes, pb->len);
    iggy_enc_update_permissions(&w, &one, &PB);
    expect_bytes(&w, &want);

    want.n = 0;
    put_bytes(&want, id1->bytes, id1->len);
    put_u8(&want, 0); /* clear */
    w = test_writer();
    iggy_enc_update_permissions(&w, &one, NULL);
    expect_bytes(&w, &want);
}
END_TEST

START_TEST(update_user_layout)
{
    /* §11.6: [user_id][has_username]([username])[has_status]([status]), no trailing byte */
    const test_vector_t *id1 = vector_get("get_user_body_id1");
    iggy_identifier_t one = iggy_id_num(1);
    buf_t want = {.n = 0};
    iggy_writer_t w = test_writer();

    put_bytes(&want, id1->bytes, id1->len);
    put_u8(&want, 1);
    put_str8(&want, "bob");
    put_u8(&want, 1);
    put_u8(&want, IGGY_USER_INACTIVE);
    iggy_enc_update_user(&w, &one, "bob", IGGY_USER_INACTIVE);
    expect_bytes(&w, &want);

    want.n = 0;
    put_bytes(&want, id1->bytes, id1->len);
    put_u8(&want, 0);
    put_u8(&want, 0);
    w = test_writer();
    iggy_enc_update_user(&w, &one, NULL, 0);
    expect_bytes(&w, &want);
}
END_TEST

START_TEST(change_password_layout)
{
    /* §11.8: [user_id][current_len u8][current][new_len u8][new]; empty is legal on the wire */
    iggy_identifier_t hello = iggy_id_name("Hello");
    const test_vector_t *id = vector_get("identifier_string_hello");
    buf_t want = {.n = 0};
    iggy_writer_t w = test_writer();
    put_bytes(&want, id->bytes, id->len);
    put_str8(&want, "old");
    put_u8(&want, 0);
    iggy_enc_change_password(&w, &hello, "old", "");
    expect_bytes(&w, &want);
}
END_TEST

START_TEST(pat_encoders)
{
    buf_t want = {.n = 0};
    iggy_writer_t w = test_writer();
    /* name "ci", expiry u64 = 0 (server default) */
    iggy_enc_create_personal_access_token(&w, "ci", 0);
    assert_writer_matches(&w, "create_pat_body");
    w = test_writer();
    iggy_enc_create_personal_access_token(&w, "ci", 0);
    assert_writer_matches(&w, "create_pat_request");

    /* §11.9: never expires = u64::MAX */
    put_str8(&want, "ci");
    put_u64(&want, IGGY_EXPIRY_NEVER);
    w = test_writer();
    iggy_enc_create_personal_access_token(&w, "ci", IGGY_EXPIRY_NEVER);
    expect_bytes(&w, &want);

    /* §11.9: DeletePersonalAccessToken [name_len u8][name] */
    want.n = 0;
    put_str8(&want, "ci");
    w = test_writer();
    iggy_enc_delete_personal_access_token(&w, "ci");
    expect_bytes(&w, &want);
}
END_TEST

START_TEST(invalid_encoder_input)
{
    char long_name[257];
    iggy_identifier_t one = iggy_id_num(1), empty = iggy_id_name("");
    iggy_stream_permissions_t no_topics[1] = {{.stream_id = 1, .topics_count = 1}};
    iggy_permissions_t null_streams = {.streams_count = 1, .streams = NULL};
    iggy_permissions_t null_topics = {.streams_count = 1, .streams = no_topics};
    iggy_writer_t w;

    memset(long_name, 'a', 256);
    long_name[256] = '\0';

    /* login */
    w = test_writer();
    iggy_enc_login_register(&w, PROTO_0_11_0, "c-sdk", "0.1.0", NULL, "iggy");
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_login_register(&w, PROTO_0_11_0, "c-sdk", "0.1.0", "", "iggy");
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_login_register(&w, PROTO_0_11_0, "c-sdk", "0.1.0", long_name, "iggy");
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_login_register(&w, PROTO_0_11_0, "c-sdk", "0.1.0", "iggy", NULL);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_login_register(&w, PROTO_0_11_0, "c-sdk", "0.1.0", "iggy", long_name);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_login_register(&w, PROTO_0_11_0, "", "0.1.0", "iggy", "iggy");
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_login_register(&w, PROTO_0_11_0, "c-sdk", NULL, "iggy", "iggy");
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_login_register_with_pat(&w, PROTO_0_11_0, "c-sdk", "0.1.0", NULL);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_login_register_with_pat(&w, PROTO_0_11_0, "c-sdk", "0.1.0", long_name);
    expect_invalid(&w, NULL);

    /* identifiers */
    w = test_writer();
    iggy_enc_get_user(&w, NULL);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_get_user(&w, &empty);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_delete_user(&w, NULL);
    expect_invalid(&w, NULL);

    /* create / update user */
    w = test_writer();
    iggy_enc_create_user(&w, "", "p", 1, NULL);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_create_user(&w, "u", NULL, 1, NULL);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_create_user(&w, "u", "p", 1, &null_streams);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_create_user(&w, "u", "p", 1, &null_topics);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_update_user(&w, &one, "", 0);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_update_user(&w, &one, NULL, 3);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_update_user(&w, NULL, "bob", 1);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_update_permissions(&w, &one, &null_topics);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_update_permissions(&w, NULL, NULL);
    expect_invalid(&w, NULL);

    /* passwords */
    w = test_writer();
    iggy_enc_change_password(&w, &one, NULL, "new");
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_change_password(&w, &one, "old", NULL);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_change_password(&w, &one, "old", long_name);
    expect_invalid(&w, NULL);

    /* tokens */
    w = test_writer();
    iggy_enc_create_personal_access_token(&w, "", 0);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_create_personal_access_token(&w, long_name, 0);
    expect_invalid(&w, NULL);
    w = test_writer();
    iggy_enc_delete_personal_access_token(&w, NULL);
    expect_invalid(&w, NULL);
}
END_TEST

/* ---------------------------------------------------------------- user decoders */

static void assert_root_user(const iggy_user_t *u)
{
    ck_assert_uint_eq(u->id, 0);
    ck_assert_uint_eq(u->created_at, 1700000000000000ull);
    ck_assert_uint_eq(u->status, IGGY_USER_ACTIVE);
    ck_assert_str_eq(u->username, "iggy");
    ck_assert_uint_eq(u->options.count, 0);
    ck_assert_ptr_null(u->options.entries);
    ck_assert_ptr_null(u->permissions);
}

static void assert_alice(const iggy_user_t *u)
{
    ck_assert_uint_eq(u->id, 1);
    ck_assert_uint_eq(u->created_at, 1700000000000000ull);
    ck_assert_uint_eq(u->status, IGGY_USER_ACTIVE);
    ck_assert_str_eq(u->username, "alice");
    ck_assert_uint_eq(u->options.count, 0);
    ck_assert_ptr_null(u->permissions);
}

START_TEST(get_user_reply_vector)
{
    const test_vector_t *v = vector_get("get_user_reply_body");
    iggy_user_t *u = decode_ok(&iggy_resp_user, v->bytes, v->len);
    assert_root_user(u);
    iggy_result_destroy(u);
}
END_TEST

START_TEST(create_user_reply_vectors)
{
    static const char *names[] = {"create_user_reply_body", "create_user_reply"};
    for (size_t i = 0; i < 2; i++) {
        size_t len;
        const uint8_t *p = reply_payload(vector_get(names[i]), 1, &len);
        iggy_user_t *u = decode_ok(&iggy_resp_user, p, len);
        assert_alice(u);
        iggy_result_destroy(u);
    }
}
END_TEST

/* get_user_reply_body's UserResponse part (0..21) + 01 + [len u32] + permissions_block. */
static void user_with_permissions(buf_t *b)
{
    const test_vector_t *user = vector_get("get_user_reply_body");
    const test_vector_t *pb = vector_get("permissions_block");
    b->n = 0;
    put_bytes(b, user->bytes, 22);
    put_u8(b, 1);
    put_u32(b, (uint32_t)pb->len);
    put_bytes(b, pb->bytes, pb->len);
}

START_TEST(permissions_block_decodes_through_user)
{
    buf_t b;
    iggy_user_t *u;
    user_with_permissions(&b);
    u = decode_ok(&iggy_resp_user, b.b, b.n);
    ck_assert_str_eq(u->username, "iggy");
    ck_assert_uint_eq(u->id, 0);
    ck_assert_ptr_nonnull(u->permissions);
    assert_permissions_block(u->permissions);
    iggy_result_destroy(u);
}
END_TEST

START_TEST(permissions_block_decodes_directly)
{
    const test_vector_t *pb = vector_get("permissions_block");
    iggy_arena_t a = {NULL, 0, 0, 0};
    iggy_permissions_t measured, filled;
    iggy_reader_t r;
    void *block;

    /* Measure, then fill one block: the same two passes iggy_resp_unmarshal runs. */
    iggy_rd_init(&r, pb->bytes, pb->len, "permissions");
    ck_assert_int_eq(iggy_dec_permissions(&r, &a, pb->len, &measured), IGGY_OK);
    ck_assert_uint_eq(measured.streams_count, 2);
    block = malloc(a.used);
    ck_assert_ptr_nonnull(block);
    a.base = block;
    a.cap = a.used;
    a.used = 0;
    iggy_rd_init(&r, pb->bytes, pb->len, "permissions");
    ck_assert_int_eq(iggy_dec_permissions(&r, &a, pb->len, &filled), IGGY_OK);
    ck_assert_int_eq(iggy_rd_end(&r), IGGY_OK);
    ck_assert_uint_eq(a.used, a.cap);
    assert_permissions_block(&filled);
    free(block);
}
END_TEST

START_TEST(user_with_options)
{
    const test_vector_t *user = vector_get("get_user_reply_body");
    buf_t b = {.n = 0};
    iggy_user_t *u;
    put_bytes(&b, user->bytes, 18); /* up to options_len */
    put_u32(&b, 12);                /* one TLV entry: "k" = "v" */
    put_u8(&b, IGGY_KV_STRING);
    put_u32(&b, 1);
    put_u8(&b, 'k');
    put_u8(&b, IGGY_KV_STRING);
    put_u32(&b, 1);
    put_u8(&b, 'v');
    put_u32(&b, 0); /* no permissions */
    u = decode_ok(&iggy_resp_user, b.b, b.n);
    ck_assert_uint_eq(u->options.count, 1);
    ck_assert_str_eq((const char *)u->options.entries[0].key, "k");
    ck_assert_str_eq((const char *)u->options.entries[0].value, "v");
    ck_assert_ptr_null(u->permissions);
    iggy_result_destroy(u);
}
END_TEST

START_TEST(user_list)
{
    const test_vector_t *root = vector_get("get_user_reply_body");
    const test_vector_t *alice = vector_get("create_user_reply_body");
    buf_t b = {.n = 0};
    iggy_user_list_t *l;

    /* UserResponse records: the bodies without their 4-byte permissions part. */
    put_bytes(&b, root->bytes, 22);
    put_bytes(&b, alice->bytes + 4, 23);
    l = decode_ok(&iggy_resp_user_list, b.b, b.n);
    ck_assert_uint_eq(l->count, 2);
    assert_root_user(&l->users[0]);
    assert_alice(&l->users[1]);
    iggy_result_destroy(l);

    l = decode_ok(&iggy_resp_user_list, NULL, 0);
    ck_assert_uint_eq(l->count, 0);
    ck_assert_ptr_null(l->users);
    iggy_result_destroy(l);
}
END_TEST

/* ---------------------------------------------------------------- token decoders */

START_TEST(create_pat_reply_vector)
{
    size_t len;
    const uint8_t *p = reply_payload(vector_get("create_pat_reply_body"), 1, &len);
    iggy_raw_pat_t *t = decode_ok(&iggy_resp_raw_pat, p, len);
    ck_assert_str_eq(t->token, "abcdEFGHabcdEFGHabcdEFGHabcdEFGH");
    ck_assert_uint_eq(strlen(t->token), 32);
    iggy_result_destroy(t);
}
END_TEST

START_TEST(get_pats_reply_vector)
{
    const test_vector_t *v = vector_get("get_pats_reply_body");
    iggy_pat_list_t *l = decode_ok(&iggy_resp_pat_list, v->bytes, v->len);
    ck_assert_uint_eq(l->count, 2);
    ck_assert_str_eq(l->tokens[0].name, "ci");
    ck_assert_uint_eq(l->tokens[0].expiry_at, 0); /* never */
    ck_assert_str_eq(l->tokens[1].name, "tmp");
    ck_assert_uint_eq(l->tokens[1].expiry_at, 1755000600000000ull);
    iggy_result_destroy(l);

    l = decode_ok(&iggy_resp_pat_list, NULL, 0); /* no tokens */
    ck_assert_uint_eq(l->count, 0);
    ck_assert_ptr_null(l->tokens);
    iggy_result_destroy(l);
}
END_TEST

/* ---------------------------------------------------------------- malformed replies */

START_TEST(malformed_replies)
{
    const test_vector_t *user = vector_get("get_user_reply_body");
    const test_vector_t *pats = vector_get("get_pats_reply_body");
    size_t login_len, pat_len;
    const uint8_t *login = reply_payload(vector_get("login_reply_body"), 1, &login_len);
    const uint8_t *pat = reply_payload(vector_get("create_pat_reply_body"), 1, &pat_len);
    buf_t b;

    /* Truncated bodies. */
    expect_bad_msg(&iggy_resp_login, login, login_len - 1);
    expect_bad_msg(&iggy_resp_login, login, 16);
    expect_bad_msg(&iggy_resp_user, user->bytes, user->len - 1);
    expect_bad_msg(&iggy_resp_user, user->bytes, 22); /* no permissions part */
    expect_bad_msg(&iggy_resp_user_list, user->bytes, 21);
    expect_bad_msg(&iggy_resp_pat_list, pats->bytes, pats->len - 1);
    expect_bad_msg(&iggy_resp_raw_pat, pat, pat_len - 1);
    expect_bad_msg(&iggy_resp_raw_pat, NULL, 0);
    user_with_permissions(&b);
    expect_bad_msg(&iggy_resp_user, b.b, b.n - 1);

    /* Trailing bytes. */
    b.n = 0;
    put_bytes(&b, login, login_len);
    put_u8(&b, 0);
    expect_bad_msg(&iggy_resp_login, b.b, b.n);
    b.n = 0;
    put_bytes(&b, user->bytes, user->len);
    put_u8(&b, 0);
    expect_bad_msg(&iggy_resp_user, b.b, b.n);
    b.n = 0;
    put_bytes(&b, pat, pat_len);
    put_u8(&b, 0);
    expect_bad_msg(&iggy_resp_raw_pat, b.b, b.n);

    /* Semantic errors: session 0 (offset 4), empty server version (16), empty username
     * (13), empty token, empty PAT name. */
    b.n = 0;
    put_bytes(&b, login, login_len);
    memset(b.b + 4, 0, 8);
    expect_bad_msg(&iggy_resp_login, b.b, b.n);
    b.n = 0;
    put_bytes(&b, login, 17);
    put_u8(&b, 0);
    expect_bad_msg(&iggy_resp_login, b.b, b.n);
    b.n = 0;
    put_bytes(&b, user->bytes, 13);
    put_u8(&b, 0);
    put_u32(&b, 0);
    put_u32(&b, 0);
    expect_bad_msg(&iggy_resp_user, b.b, b.n);
    expect_bad_msg(&iggy_resp_raw_pat, (const uint8_t *)"\0", 1);
    b.n = 0;
    put_u8(&b, 0);
    put_u64(&b, 0);
    expect_bad_msg(&iggy_resp_pat_list, b.b, b.n);

    /* Bad enum inside permissions: a continuation flag of 2 (has_streams at block 10). */
    user_with_permissions(&b);
    b.b[27 + 10] = 2;
    expect_bad_msg(&iggy_resp_user, b.b, b.n);

    /* Hostile lengths: permissions length (offset 23) and options length (18). */
    user_with_permissions(&b);
    memset(b.b + 23, 0xff, 4);
    expect_bad_msg(&iggy_resp_user, b.b, b.n);
    b.n = 0;
    put_bytes(&b, user->bytes, user->len);
    memset(b.b + 18, 0xff, 4);
    expect_bad_msg(&iggy_resp_user, b.b, b.n);
    expect_bad_msg(&iggy_resp_user_list, b.b, 22);
}
END_TEST

static Suite *codec_users_suite(void)
{
    Suite *s = suite_create("codec_users");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, login_register_vectors);
    tcase_add_test(tc, login_with_pat_layout);
    tcase_add_test(tc, login_reply_vectors);
    tcase_add_test(tc, create_user_vectors);
    tcase_add_test(tc, identifier_vectors);
    tcase_add_test(tc, permissions_block_encodes);
    tcase_add_test(tc, create_user_with_permissions);
    tcase_add_test(tc, update_permissions_layout);
    tcase_add_test(tc, update_user_layout);
    tcase_add_test(tc, change_password_layout);
    tcase_add_test(tc, pat_encoders);
    tcase_add_test(tc, invalid_encoder_input);
    tcase_add_test(tc, get_user_reply_vector);
    tcase_add_test(tc, create_user_reply_vectors);
    tcase_add_test(tc, permissions_block_decodes_through_user);
    tcase_add_test(tc, permissions_block_decodes_directly);
    tcase_add_test(tc, user_with_options);
    tcase_add_test(tc, user_list);
    tcase_add_test(tc, create_pat_reply_vector);
    tcase_add_test(tc, get_pats_reply_vector);
    tcase_add_test(tc, malformed_replies);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(codec_users_suite());
}
