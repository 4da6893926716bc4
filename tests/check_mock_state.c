/* The mock server's state and handlers, driven directly: request bodies come from the
 * client encoders (or the golden vectors), payloads are decoded with the client decoders
 * and compared byte for byte with the vectors wherever a vector documents the reply. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "codec/iggy_batch.h"
#include "codec/iggy_frame.h"
#include "codec_helpers.h"
#include "mock/iggy_mock_state.h"
#include "test_main.h"

#define T0 1750000000000000ull /* created_at of the admin vectors */
#define T_USER 1700000000000000ull

static iggy_mock_state_t *st;
static iggy_mock_conn_t croot, calice, cthird;
static uint64_t g_now;

/* ---------------------------------------------------------------- harness */

typedef struct res {
    iggy_mock_outcome_t o;
    uint8_t *p;
    size_t len;
    uint8_t op; /* reply_operation after the handler */
} res_t;

static res_t call_raw(iggy_mock_conn_t *c, iggy_cmd_t cmd, const void *body, size_t len)
{
    res_t r;
    iggy_writer_t w = test_writer();
    iggy_mock_call_t call;
    memset(&call, 0, sizeof call);
    call.st = st;
    call.conn = c;
    call.cmd = &iggy_cmds[cmd];
    call.out = &w;
    call.now_us = g_now++;
    call.reply_operation = iggy_cmds[cmd].operation;
    iggy_rd_init(&call.body, body, len, iggy_cmds[cmd].name);
    ck_assert_ptr_nonnull(iggy_mock_state_handler(cmd));
    r.o = iggy_mock_state_handler(cmd)(&call);
    ck_assert_int_eq(iggy_wr_status(&w), IGGY_OK);
    r.len = w.len;
    r.p = malloc(w.len + 1);
    ck_assert_ptr_nonnull(r.p);
    if (w.len)
        memcpy(r.p, w.data, w.len);
    r.op = call.reply_operation;
    iggy_wr_release(&w);
    return r;
}

static res_t call_w(iggy_mock_conn_t *c, iggy_cmd_t cmd, iggy_writer_t *body)
{
    res_t r;
    ck_assert_msg(iggy_wr_status(body) == IGGY_OK, "encoder failed: %s", iggy_last_error_detail());
    r = call_raw(c, cmd, body->data, body->len);
    iggy_wr_release(body);
    return r;
}

static res_t call_empty(iggy_mock_conn_t *c, iggy_cmd_t cmd)
{
    return call_raw(c, cmd, "", 0);
}

static void expect(res_t r, iggy_mock_channel_t ch, uint32_t code)
{
    ck_assert_msg(r.o.channel == ch && r.o.code == code, "want channel %d code %u, got %d %u",
                  (int)ch, code, (int)r.o.channel, r.o.code);
    free(r.p);
}

static void expect_ok_empty(res_t r)
{
    ck_assert_uint_eq(r.len, 0);
    expect(r, MOCK_OK, 0);
}

static res_t ok(res_t r)
{
    ck_assert_msg(r.o.channel == MOCK_OK, "want MOCK_OK, got channel %d code %u", (int)r.o.channel,
                  r.o.code);
    return r;
}

/* The payload equals the vector's bytes (after its result section when framed). */
static void expect_vector(res_t r, const char *name, int framed)
{
    size_t len;
    const uint8_t *want = reply_payload(vector_get(name), framed, &len);
    ck_assert_msg(r.o.channel == MOCK_OK, "%s: channel %d code %u", name, (int)r.o.channel,
                  r.o.code);
    for (size_t i = 0; i < len && i < r.len; i++)
        ck_assert_msg(r.p[i] == want[i], "%s: first difference at payload byte %zu", name, i);
    ck_assert_msg(r.len == len, "%s: payload %zu bytes, vector %zu", name, r.len, len);
    free(r.p);
}

static void *decode(iggy_cmd_t cmd, res_t r)
{
    void *out = decode_ok(iggy_cmds[cmd].resp, r.p, r.len);
    free(r.p);
    return out;
}

static res_t login_as(iggy_mock_conn_t *c, uint32_t version, const char *user, const char *pw)
{
    iggy_writer_t b = test_writer();
    iggy_enc_login_register(&b, version, "c-sdk", "0.1.0", user, pw);
    return call_w(c, IGGY_CMD_LOGIN_REGISTER, &b);
}

static res_t login_pat(iggy_mock_conn_t *c, const char *token)
{
    iggy_writer_t b = test_writer();
    iggy_enc_login_register_with_pat(&b, 0x2C00, "c-sdk", "0.1.0", token);
    return call_w(c, IGGY_CMD_LOGIN_REGISTER_WITH_PAT, &b);
}

static void login_root(iggy_mock_conn_t *c)
{
    res_t r = login_as(c, 0x2C00, "iggy", "iggy");
    ck_assert_int_eq(r.o.channel, MOCK_OK);
    free(r.p);
}

static void conn_init(iggy_mock_conn_t *c, uint32_t id)
{
    memset(c, 0, sizeof *c);
    c->conn_id = id;
    c->transport = 1;
    snprintf(c->address, sizeof c->address, "127.0.0.1:%u", 50000u + id - 1);
    iggy_mock_state_conn_opened(st, c);
}

static res_t create_stream(iggy_mock_conn_t *c, const char *name)
{
    iggy_writer_t b = test_writer();
    iggy_enc_create_stream(&b, name, NULL, 0);
    return call_w(c, IGGY_CMD_CREATE_STREAM, &b);
}

static res_t create_topic_opts(iggy_mock_conn_t *c, uint32_t stream, uint32_t parts,
                               const char *name, const iggy_kv_t *opts, size_t n)
{
    iggy_writer_t b = test_writer();
    iggy_identifier_t s = iggy_id_num(stream);
    iggy_enc_create_topic(&b, &s, parts, name, opts, n);
    return call_w(c, IGGY_CMD_CREATE_TOPIC, &b);
}

static res_t create_topic(iggy_mock_conn_t *c, uint32_t stream, uint32_t parts, const char *name)
{
    return create_topic_opts(c, stream, parts, name, NULL, 0);
}

static res_t topic_ref_cmd(iggy_mock_conn_t *c, iggy_cmd_t cmd, uint32_t stream, uint32_t topic)
{
    iggy_writer_t b = test_writer();
    iggy_identifier_t s = iggy_id_num(stream), t = iggy_id_num(topic);
    iggy_enc_topic_ref(&b, &s, &t);
    return call_w(c, cmd, &b);
}

static res_t stream_ref_cmd(iggy_mock_conn_t *c, iggy_cmd_t cmd, uint32_t stream)
{
    iggy_writer_t b = test_writer();
    iggy_identifier_t s = iggy_id_num(stream);
    iggy_enc_stream_ref(&b, &s);
    return call_w(c, cmd, &b);
}

static res_t group_cmd(iggy_mock_conn_t *c, iggy_cmd_t cmd, uint32_t stream, uint32_t topic,
                       uint32_t group)
{
    iggy_writer_t b = test_writer();
    iggy_identifier_t s = iggy_id_num(stream), t = iggy_id_num(topic), g = iggy_id_num(group);
    iggy_enc_group_ref(&b, &s, &t, &g);
    return call_w(c, cmd, &b);
}

static iggy_kv_t kv(const char *key, uint8_t kind, const void *value, uint32_t len)
{
    iggy_kv_t e = {IGGY_KV_STRING,        kind, (uint32_t)strlen(key), len, (const uint8_t *)key,
                   (const uint8_t *)value};
    return e;
}

static iggy_kv_t kvs(const char *key, const char *value)
{
    return kv(key, IGGY_KV_STRING, value, (uint32_t)strlen(value));
}

/* Send n messages ("m<i>") to an explicit partition; returns the base offset. */
static uint64_t send_n(iggy_mock_conn_t *c, uint32_t stream, uint32_t topic, uint32_t partition,
                       size_t n)
{
    iggy_send_message_t *m = calloc(n, sizeof *m);
    char(*payload)[24] = calloc(n, 24);
    iggy_writer_t b = test_writer();
    iggy_identifier_t s = iggy_id_num(stream), t = iggy_id_num(topic);
    iggy_partitioning_t part = {IGGY_PARTITIONING_PARTITION_ID, partition, NULL, 0};
    iggy_send_confirmations_t *conf;
    uint64_t base;
    for (size_t i = 0; i < n; i++) {
        snprintf(payload[i], 24, "m%zu", i);
        m[i].id.lo = i + 1;
        m[i].origin_timestamp = 1000 + i;
        m[i].payload = payload[i];
        m[i].payload_len = (uint32_t)strlen(payload[i]);
    }
    iggy_enc_send_messages(&b, &s, &t, &part, m, n, g_now);
    conf = decode(IGGY_CMD_SEND_MESSAGES, ok(call_w(c, IGGY_CMD_SEND_MESSAGES, &b)));
    ck_assert_uint_eq(conf->count, 1);
    ck_assert_uint_eq(conf->items[0].partition_id, partition);
    base = conf->items[0].base_offset;
    iggy_result_destroy(conf);
    free(m);
    free(payload);
    return base;
}

static res_t poll_req(iggy_mock_conn_t *c, const iggy_consumer_ref_t *consumer, uint32_t stream,
                      uint32_t topic, const uint32_t *partition, iggy_polling_kind_t kind,
                      uint64_t value, uint32_t count, int auto_commit)
{
    iggy_writer_t b = test_writer();
    iggy_identifier_t s = iggy_id_num(stream), t = iggy_id_num(topic);
    iggy_polling_strategy_t strat = {kind, value};
    iggy_enc_poll_messages(&b, consumer, &s, &t, partition, &strat, count, auto_commit);
    return call_w(c, IGGY_CMD_POLL_MESSAGES, &b);
}

static iggy_polled_messages_t *poll_ok(iggy_mock_conn_t *c, const iggy_consumer_ref_t *consumer,
                                       uint32_t partition, iggy_polling_kind_t kind, uint64_t value,
                                       uint32_t count, int auto_commit)
{
    res_t r = ok(poll_req(c, consumer, 0, 0, &partition, kind, value, count, auto_commit));
    ck_assert_int_eq(iggy_poll_body_verify(r.p, r.len), IGGY_OK); /* restamped checksums */
    return decode(IGGY_CMD_POLL_MESSAGES, r);
}

static void assert_offsets(const iggy_polled_messages_t *pm, uint64_t first, size_t n)
{
    ck_assert_uint_eq(pm->count, n);
    ck_assert_uint_eq(pm->declared_count, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(pm->messages[i].offset, first + i);
}

static void setup(void)
{
    st = iggy_mock_state_new("iggy", "iggy");
    ck_assert_ptr_nonnull(st);
    g_now = T0;
    conn_init(&croot, 1);
    conn_init(&calice, 2);
    conn_init(&cthird, 3);
    free(ok(login_as(&croot, 0x2C00, "iggy", "iggy")).p);
}

static void teardown(void)
{
    iggy_mock_state_conn_closed(st, &croot);
    iggy_mock_state_conn_closed(st, &calice);
    iggy_mock_state_conn_closed(st, &cthird);
    iggy_mock_state_free(st);
    st = NULL;
}

/* alice: a user without permissions, logged in on calice. */
static void make_alice(const iggy_permissions_t *perms)
{
    iggy_writer_t b = test_writer();
    iggy_enc_create_user(&b, "alice", "secret", IGGY_USER_ACTIVE, perms);
    free(ok(call_w(&croot, IGGY_CMD_CREATE_USER, &b)).p);
    free(ok(login_as(&calice, 0x2C00, "alice", "secret")).p);
}

/* ---------------------------------------------------------------- login, session */

START_TEST(login_and_version_gate)
{
    res_t r;
    iggy_login_result_t *lr;
    uint8_t masked[64];
    size_t vlen;
    const uint8_t *want = reply_payload(vector_get("login_reply_body"), 1, &vlen);
    uint64_t s1 = croot.session, s3;

    ck_assert(croot.authenticated);
    ck_assert_uint_gt(s1, 0);
    /* An already bound connection gets its existing session back. */
    r = ok(login_as(&croot, 0x2C00, "iggy", "iggy"));
    ck_assert_uint_eq(r.len, vlen);
    memcpy(masked, want, vlen);
    iggy_put_le64(masked + 4, s1); /* mask: the session number */
    ck_assert_mem_eq(r.p, masked, vlen);
    lr = decode(IGGY_CMD_LOGIN_REGISTER, r);
    ck_assert_uint_eq(lr->user_id, 0);
    ck_assert_uint_eq(lr->session, s1);
    ck_assert_uint_eq(lr->server_protocol_version, 0x2C00);
    ck_assert_str_eq(lr->server_version, "0.9.0-edge.5");
    iggy_result_destroy(lr);

    /* Version gate: 0.11.0..0.11.1023 only. */
    expect(login_as(&cthird, 0x2400, "iggy", "iggy"), MOCK_EVICT, 14);
    expect(login_as(&cthird, 0x3000, "iggy", "iggy"), MOCK_EVICT, 14);
    expect(login_as(&cthird, 0x2BFF, "iggy", "iggy"), MOCK_EVICT, 14);
    ck_assert(!cthird.authenticated);
    /* Credentials: bad password 9, malformed 15, sessions strictly increase. */
    expect(login_as(&cthird, 0x2C00, "iggy", "nope"), MOCK_EVICT, 9);
    expect(login_as(&cthird, 0x2C00, "nobody", "iggy"), MOCK_EVICT, 9);
    expect(login_as(&cthird, 0x2C00, "ig", "iggy"), MOCK_EVICT, 9); /* username < 3 */
    expect(call_empty(&cthird, IGGY_CMD_LOGIN_REGISTER), MOCK_EVICT, 15);
    {
        const test_vector_t *v = vector_get("login_register_body");
        free(ok(call_raw(&cthird, IGGY_CMD_LOGIN_REGISTER, v->bytes, v->len)).p);
    }
    s3 = cthird.session;
    ck_assert_uint_gt(s3, s1);
    ck_assert(cthird.authenticated);
    ck_assert_uint_eq(cthird.user_id, 0);
    free(ok(login_as(&calice, 0x2FFF, "iggy", "iggy")).p);
    ck_assert_uint_gt(calice.session, s3);

    /* Logout unbinds; reads then get 40, replicated ops NoSession; Ping still works. */
    expect_ok_empty(call_empty(&cthird, IGGY_CMD_LOGOUT_USER));
    ck_assert(!cthird.authenticated);
    expect(call_empty(&cthird, IGGY_CMD_GET_ME), MOCK_STATUS, 40);
    expect(create_stream(&cthird, "x"), MOCK_EVICT, 1);
    expect_ok_empty(call_empty(&cthird, IGGY_CMD_PING));
    expect_ok_empty(call_empty(&cthird, IGGY_CMD_LOGOUT_USER)); /* unbound: empty ok */
}
END_TEST

START_TEST(pat_lifecycle_and_login)
{
    iggy_writer_t b;
    iggy_raw_pat_t *pat;
    char token[128];
    res_t r;

    g_now = 1755000000000000ull;
    b = test_writer();
    iggy_enc_create_personal_access_token(&b, "ci", 0);
    pat = decode(IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN,
                 ok(call_w(&croot, IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN, &b)));
    ck_assert_uint_eq(strlen(pat->token), 68);
    ck_assert_int_eq(pat->token[67], '='); /* 50 bytes, standard base64 with padding */
    strcpy(token, pat->token);
    iggy_result_destroy(pat);
    g_now = 1755000000000000ull;
    b = test_writer();
    iggy_enc_create_personal_access_token(&b, "tmp", 600000000ull);
    free(ok(call_w(&croot, IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN, &b)).p);
    expect_vector(call_empty(&croot, IGGY_CMD_GET_PERSONAL_ACCESS_TOKENS), "get_pats_reply_body",
                  0);
    b = test_writer();
    iggy_enc_create_personal_access_token(&b, "ci", IGGY_EXPIRY_NEVER);
    expect(call_w(&croot, IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN, &b), MOCK_REJECT, 51);
    {
        const test_vector_t *v = vector_get("create_pat_body"); /* "ci" again */
        expect(call_raw(&croot, IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN, v->bytes, v->len),
               MOCK_REJECT, 51);
    }

    /* PAT login (the server tries the password shape first). */
    r = ok(login_pat(&cthird, token));
    ck_assert(cthird.authenticated);
    ck_assert_uint_eq(cthird.user_id, 0);
    free(r.p);
    expect(login_pat(&calice, "not-a-token"), MOCK_EVICT, 10);

    /* Delete, then the token is dead; deleting again is 20. */
    b = test_writer();
    iggy_enc_delete_personal_access_token(&b, "ci");
    free(ok(call_w(&croot, IGGY_CMD_DELETE_PERSONAL_ACCESS_TOKEN, &b)).p);
    b = test_writer();
    iggy_enc_delete_personal_access_token(&b, "ci");
    expect(call_w(&croot, IGGY_CMD_DELETE_PERSONAL_ACCESS_TOKEN, &b), MOCK_REJECT, 20);
    expect(login_pat(&calice, token), MOCK_EVICT, 10);

    /* Expired token: InvalidToken too. */
    g_now = 1755000000000000ull + 600000001ull;
    {
        iggy_pat_list_t *l = decode(IGGY_CMD_GET_PERSONAL_ACCESS_TOKENS,
                                    ok(call_empty(&croot, IGGY_CMD_GET_PERSONAL_ACCESS_TOKENS)));
        ck_assert_uint_eq(l->count, 1);
        ck_assert_uint_eq(l->tokens[0].expiry_at, 1755000600000000ull);
        iggy_result_destroy(l);
    }

    /* Per-user limit 100: status 52 before consensus. */
    for (int i = 0; i < 99; i++) {
        char name[16];
        snprintf(name, sizeof name, "t%d", i);
        b = test_writer();
        iggy_enc_create_personal_access_token(&b, name, 0);
        free(ok(call_w(&croot, IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN, &b)).p);
    }
    b = test_writer();
    iggy_enc_create_personal_access_token(&b, "one-too-many", 0);
    expect(call_w(&croot, IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN, &b), MOCK_STATUS, 52);
}
END_TEST

/* ---------------------------------------------------------------- users */

START_TEST(users_crud_and_errors)
{
    const test_vector_t *v;
    iggy_writer_t b;
    iggy_identifier_t id;
    iggy_user_list_t *ul;
    iggy_user_t *u;

    g_now = T_USER;
    v = vector_get("create_user_body");
    expect_vector(call_raw(&croot, IGGY_CMD_CREATE_USER, v->bytes, v->len),
                  "create_user_reply_body", 1);
    expect(call_raw(&croot, IGGY_CMD_CREATE_USER, v->bytes, v->len), MOCK_REJECT, 46);
    v = vector_get("create_user_body_minimal_active"); /* "u": too short */
    expect(call_raw(&croot, IGGY_CMD_CREATE_USER, v->bytes, v->len), MOCK_REJECT, 43);
    v = vector_get("create_user_body_minimal_status0");
    expect(call_raw(&croot, IGGY_CMD_CREATE_USER, v->bytes, v->len), MOCK_REJECT, 43);
    expect(call_raw(&croot, IGGY_CMD_CREATE_USER,
                    "\x05"
                    "al",
                    3),
           MOCK_STATUS, 3);
    {
        /* Users accept no option keys. */
        static const uint8_t body[] = {3, 'b', 'o', 'b', 3,   'p', 'w', 'd', 1, 0, 2,
                                       1, 0,   0,   0,   'k', 2,   1,   0,   0, 0, 'v'};
        expect(call_raw(&croot, IGGY_CMD_CREATE_USER, body, sizeof body), MOCK_STATUS, 4041);
    }

    /* GetUser: by id and by name; missing = empty. */
    v = vector_get("get_user_body_id1");
    u = decode(IGGY_CMD_GET_USER, ok(call_raw(&croot, IGGY_CMD_GET_USER, v->bytes, v->len)));
    ck_assert_str_eq(u->username, "alice");
    ck_assert_ptr_null(u->permissions);
    iggy_result_destroy(u);
    v = vector_get("get_user_body_root");
    u = decode(IGGY_CMD_GET_USER, ok(call_raw(&croot, IGGY_CMD_GET_USER, v->bytes, v->len)));
    ck_assert_uint_eq(u->id, 0);
    ck_assert_ptr_nonnull(u->permissions);
    ck_assert(u->permissions->global.manage_servers);
    iggy_result_destroy(u);
    b = test_writer();
    id = iggy_id_num(42);
    iggy_enc_get_user(&b, &id);
    expect_ok_empty(call_w(&croot, IGGY_CMD_GET_USER, &b));

    /* alice (no permissions): reads get status 41, writes result 41; herself is fine. */
    free(ok(login_as(&calice, 0x2C00, "alice", "secret")).p);
    expect(call_empty(&calice, IGGY_CMD_GET_USERS), MOCK_STATUS, 41);
    v = vector_get("get_user_body_root");
    expect(call_raw(&calice, IGGY_CMD_GET_USER, v->bytes, v->len), MOCK_STATUS, 41);
    v = vector_get("get_user_body_id1");
    free(ok(call_raw(&calice, IGGY_CMD_GET_USER, v->bytes, v->len)).p);
    b = test_writer();
    iggy_enc_create_user(&b, "mallory", "secret", 1, NULL);
    expect(call_w(&calice, IGGY_CMD_CREATE_USER, &b), MOCK_REJECT, 41);
    b = test_writer();
    id = iggy_id_num(1);
    iggy_enc_change_password(&b, &id, "wrong", "newpass");
    expect(call_w(&calice, IGGY_CMD_CHANGE_PASSWORD, &b), MOCK_REJECT, 42);
    b = test_writer();
    iggy_enc_change_password(&b, &id, "secret", "newpass");
    free(ok(call_w(&calice, IGGY_CMD_CHANGE_PASSWORD, &b)).p);
    expect(login_as(&cthird, 0x2C00, "alice", "secret"), MOCK_EVICT, 9);
    free(ok(login_as(&cthird, 0x2C00, "alice", "newpass")).p);

    /* Update, permissions, delete. */
    b = test_writer();
    iggy_enc_update_user(&b, &id, "alicia", 0);
    free(ok(call_w(&croot, IGGY_CMD_UPDATE_USER, &b)).p);
    b = test_writer();
    iggy_enc_update_user(&b, &id, "iggy", 0);
    expect(call_w(&croot, IGGY_CMD_UPDATE_USER, &b), MOCK_REJECT, 46);
    b = test_writer();
    iggy_enc_update_user(&b, &id, "al", 0);
    expect(call_w(&croot, IGGY_CMD_UPDATE_USER, &b), MOCK_REJECT, 43);
    {
        iggy_permissions_t p;
        memset(&p, 0, sizeof p);
        p.global.read_users = true;
        b = test_writer();
        iggy_enc_update_permissions(&b, &id, &p);
        free(ok(call_w(&croot, IGGY_CMD_UPDATE_PERMISSIONS, &b)).p);
        ul = decode(IGGY_CMD_GET_USERS, ok(call_empty(&calice, IGGY_CMD_GET_USERS)));
        ck_assert_uint_eq(ul->count, 2);
        ck_assert_str_eq(ul->users[1].username, "alicia");
        iggy_result_destroy(ul);
        b = test_writer();
        id = iggy_id_num(0);
        iggy_enc_update_permissions(&b, &id, &p);
        expect(call_w(&croot, IGGY_CMD_UPDATE_PERMISSIONS, &b), MOCK_REJECT, 49);
    }
    b = test_writer();
    iggy_enc_delete_user(&b, &id);
    expect(call_w(&croot, IGGY_CMD_DELETE_USER, &b), MOCK_REJECT, 48);
    b = test_writer();
    id = iggy_id_num(9);
    iggy_enc_delete_user(&b, &id);
    expect(call_w(&croot, IGGY_CMD_DELETE_USER, &b), MOCK_REJECT, 20);

    /* Inactive users cannot log in (password shape: 9). */
    b = test_writer();
    id = iggy_id_name("alicia");
    iggy_enc_update_user(&b, &id, NULL, IGGY_USER_INACTIVE);
    free(ok(call_w(&croot, IGGY_CMD_UPDATE_USER, &b)).p);
    iggy_mock_state_logged_out(st, &calice);
    expect(login_as(&calice, 0x2C00, "alicia", "newpass"), MOCK_EVICT, 9);

    /* Deleted ids are reused (lowest free). */
    b = test_writer();
    iggy_enc_delete_user(&b, &id);
    free(ok(call_w(&croot, IGGY_CMD_DELETE_USER, &b)).p);
    b = test_writer();
    iggy_enc_create_user(&b, "carol", "secret", 1, NULL);
    u = decode(IGGY_CMD_CREATE_USER, ok(call_w(&croot, IGGY_CMD_CREATE_USER, &b)));
    ck_assert_uint_eq(u->id, 1);
    iggy_result_destroy(u);
}
END_TEST

START_TEST(inactive_user_pat_login)
{
    iggy_writer_t b;
    iggy_raw_pat_t *pat;
    iggy_identifier_t id = iggy_id_name("alice");
    char token[80];

    make_alice(NULL);
    b = test_writer();
    iggy_enc_create_personal_access_token(&b, "mine", 0);
    pat = decode(IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN,
                 ok(call_w(&calice, IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN, &b)));
    strcpy(token, pat->token);
    iggy_result_destroy(pat);
    free(ok(login_pat(&cthird, token)).p);
    ck_assert_uint_eq(cthird.user_id, 1);
    b = test_writer();
    iggy_enc_update_user(&b, &id, NULL, IGGY_USER_INACTIVE);
    free(ok(call_w(&croot, IGGY_CMD_UPDATE_USER, &b)).p);
    iggy_mock_state_logged_out(st, &cthird);
    expect(login_pat(&cthird, token), MOCK_EVICT, 11);
}
END_TEST

/* ---------------------------------------------------------------- streams */

START_TEST(streams_crud_ids_and_channels)
{
    const test_vector_t *v;
    iggy_stream_list_t *sl;
    iggy_writer_t b;
    iggy_identifier_t id;

    g_now = T0;
    v = vector_get("create_stream_body");
    expect_vector(call_raw(&croot, IGGY_CMD_CREATE_STREAM, v->bytes, v->len),
                  "create_stream_reply_body", 1);
    expect(call_raw(&croot, IGGY_CMD_CREATE_STREAM, v->bytes, v->len), MOCK_REJECT, 1012);
    {
        iggy_kv_t o = kvs("retention", "1d");
        b = test_writer();
        iggy_enc_create_stream(&b, "with-options", &o, 1);
        expect(call_w(&croot, IGGY_CMD_CREATE_STREAM, &b), MOCK_STATUS, 4041);
    }
    expect(call_raw(&croot, IGGY_CMD_CREATE_STREAM, "\x00", 1), MOCK_STATUS, 3);
    expect(call_raw(&croot, IGGY_CMD_CREATE_STREAM, "\x02\xff\xfe", 3), MOCK_STATUS, 3);

    /* Missing stream: empty body; get_topics: count 0. */
    expect_ok_empty(stream_ref_cmd(&croot, IGGY_CMD_GET_STREAM, 7));
    expect_vector(stream_ref_cmd(&croot, IGGY_CMD_GET_TOPICS, 7), "get_topics_reply_body_empty", 0);
    expect(call_raw(&croot, IGGY_CMD_GET_STREAM, "\xff\x04\x01\x00\x00\x00", 6), MOCK_STATUS, 3);

    /* Id reuse: lowest free id. */
    free(ok(create_stream(&croot, "one")).p);
    free(ok(create_stream(&croot, "two")).p);
    v = vector_get("delete_stream_body_by_name"); /* "orders": missing */
    expect(call_raw(&croot, IGGY_CMD_DELETE_STREAM, v->bytes, v->len), MOCK_REJECT, 1009);
    free(ok(stream_ref_cmd(&croot, IGGY_CMD_DELETE_STREAM, 0)).p);
    {
        iggy_stream_t *s = decode(IGGY_CMD_CREATE_STREAM, ok(create_stream(&croot, "orders")));
        ck_assert_uint_eq(s->id, 0);
        iggy_result_destroy(s);
    }
    v = vector_get("update_stream_body"); /* stream 0 -> orders-v2 */
    free(ok(call_raw(&croot, IGGY_CMD_UPDATE_STREAM, v->bytes, v->len)).p);
    b = test_writer();
    id = iggy_id_num(0);
    iggy_enc_update_stream(&b, &id, "one", NULL, 0);
    expect(call_w(&croot, IGGY_CMD_UPDATE_STREAM, &b), MOCK_REJECT, 1012);
    v = vector_get("update_stream_body_go");
    expect(call_raw(&croot, IGGY_CMD_UPDATE_STREAM, v->bytes, v->len), MOCK_REJECT, 1009);
    v = vector_get("purge_stream_body");
    free(ok(call_raw(&croot, IGGY_CMD_PURGE_STREAM, v->bytes, v->len)).p);
    expect(stream_ref_cmd(&croot, IGGY_CMD_PURGE_STREAM, 77), MOCK_REJECT, 1009);
    sl = decode(IGGY_CMD_GET_STREAMS, ok(call_empty(&croot, IGGY_CMD_GET_STREAMS)));
    ck_assert_uint_eq(sl->count, 3);
    ck_assert_str_eq(sl->streams[0].name, "orders-v2");
    ck_assert_str_eq(sl->streams[2].name, "two");
    iggy_result_destroy(sl);

    /* Permissions: metadata writes are result 41, reads status 41 (when the stream exists). */
    make_alice(NULL);
    expect(create_stream(&calice, "mine"), MOCK_REJECT, 41);
    expect(stream_ref_cmd(&calice, IGGY_CMD_DELETE_STREAM, 0), MOCK_REJECT, 41);
    expect(stream_ref_cmd(&calice, IGGY_CMD_GET_STREAM, 0), MOCK_STATUS, 41);
    expect_ok_empty(stream_ref_cmd(&calice, IGGY_CMD_GET_STREAM, 9));
    expect(call_empty(&calice, IGGY_CMD_GET_STREAMS), MOCK_STATUS, 41);
}
END_TEST

/* ---------------------------------------------------------------- topics */

START_TEST(topics_defaults_vectors)
{
    const test_vector_t *v, *derived = vector_get("topic_default_derived_options");
    res_t r;

    g_now = T0;
    free(ok(create_stream(&croot, "orders")).p);
    g_now = T0;
    r = ok(create_topic(&croot, 0, 1, "t"));
    ck_assert_uint_eq(r.op, 64);
    /* The default topic's derived block is exactly the 274-byte vector: header 50 + name 1,
     * explicit_len 0, derived_len, block. */
    ck_assert_uint_ge(r.len, 59 + derived->len);
    ck_assert_uint_eq(iggy_le32(r.p + 51), 0);
    ck_assert_uint_eq(iggy_le32(r.p + 55), derived->len);
    ck_assert_mem_eq(r.p + 59, derived->bytes, derived->len);
    free(r.p);
    expect_vector(topic_ref_cmd(&croot, IGGY_CMD_GET_TOPIC, 0, 0), "get_topic_reply_body_default",
                  0);
    expect_vector(stream_ref_cmd(&croot, IGGY_CMD_GET_TOPICS, 0), "get_topics_reply_body", 0);
    v = vector_get("get_stream_body");
    expect_vector(call_raw(&croot, IGGY_CMD_GET_STREAM, v->bytes, v->len), "get_stream_reply_body",
                  0);

    /* create_topic with gzip + 1 day: explicit canonical block, derived the rest. */
    g_now = T0;
    free(ok(topic_ref_cmd(&croot, IGGY_CMD_DELETE_TOPIC, 0, 0)).p);
    g_now = T0;
    v = vector_get("create_topic_body");
    r = call_raw(&croot, IGGY_CMD_CREATE_TOPIC, v->bytes, v->len);
    ck_assert_uint_eq(r.op, 64);
    expect_vector(r, "create_topic_reply_body", 1);
    expect(call_raw(&croot, IGGY_CMD_CREATE_TOPIC, v->bytes, v->len), MOCK_REJECT, 2013);
    v = vector_get("create_topic_body_minimal"); /* stream "orders", "events" */
    free(ok(call_raw(&croot, IGGY_CMD_CREATE_TOPIC, v->bytes, v->len)).p);
    v = vector_get("create_topic_body_go_defaults"); /* stream "stream": missing */
    r = call_raw(&croot, IGGY_CMD_CREATE_TOPIC, v->bytes, v->len);
    ck_assert_uint_eq(r.op, 64);
    expect(r, MOCK_REJECT, 1009);
    v = vector_get("get_topic_body"); /* by name */
    {
        iggy_topic_t *t =
            decode(IGGY_CMD_GET_TOPIC, ok(call_raw(&croot, IGGY_CMD_GET_TOPIC, v->bytes, v->len)));
        ck_assert_uint_eq(t->partitions_count, 3);
        ck_assert_uint_eq(t->partitions[2].segments_count, 1);
        iggy_result_destroy(t);
    }
    v = vector_get("get_topics_body");
    {
        iggy_topic_list_t *tl = decode(IGGY_CMD_GET_TOPICS,
                                       ok(call_raw(&croot, IGGY_CMD_GET_TOPICS, v->bytes, v->len)));
        ck_assert_uint_eq(tl->count, 2);
        iggy_result_destroy(tl);
    }
    /* Topic ids are reused. */
    v = vector_get("delete_topic_body");
    free(ok(call_raw(&croot, IGGY_CMD_DELETE_TOPIC, v->bytes, v->len)).p);
    expect(call_raw(&croot, IGGY_CMD_DELETE_TOPIC, v->bytes, v->len), MOCK_REJECT, 2010);
    {
        iggy_topic_t *t = decode(IGGY_CMD_CREATE_TOPIC, ok(create_topic(&croot, 0, 2, "again")));
        ck_assert_uint_eq(t->id, 0);
        iggy_result_destroy(t);
    }
    v = vector_get("purge_topic_body"); /* topic "orders": deleted */
    expect(call_raw(&croot, IGGY_CMD_PURGE_TOPIC, v->bytes, v->len), MOCK_REJECT, 2010);
    expect_ok_empty(topic_ref_cmd(&croot, IGGY_CMD_GET_TOPIC, 0, 9));
}
END_TEST

START_TEST(topic_options_catalog)
{
    iggy_topic_t *t;
    uint8_t u64b[8], u32b[4], one = 1;
    const iggy_kv_t *e;
    iggy_writer_t b;
    iggy_identifier_t s0 = iggy_id_num(0), t0 = iggy_id_num(0);
    res_t r;

    free(ok(create_stream(&croot, "s")).p);
    /* Pre-commit checks, each a status. */
    iggy_put_le64(u64b, 0);
    {
        iggy_kv_t o = kvs("partitions_count", "3");
        expect(create_topic_opts(&croot, 0, 1, "x", &o, 1), MOCK_STATUS, 4041);
        o = kvs("no_such_key", "3");
        expect(create_topic_opts(&croot, 0, 1, "x", &o, 1), MOCK_STATUS, 4041);
        iggy_put_le64(u64b, 1000);
        o = kv("segment_size", IGGY_KV_UINT64, u64b, 8);
        expect(create_topic_opts(&croot, 0, 1, "x", &o, 1), MOCK_STATUS, 4042);
        o = kv("segment_size", IGGY_KV_UINT32, u64b, 4); /* wrong kind */
        expect(create_topic_opts(&croot, 0, 1, "x", &o, 1), MOCK_STATUS, 4042);
        o = kvs("compression_algorithm", "zstd");
        expect(create_topic_opts(&croot, 0, 1, "x", &o, 1), MOCK_STATUS, 4042);
        o = kv("enforce_fsync", IGGY_KV_BOOL, "\x02", 1);
        expect(create_topic_opts(&croot, 0, 1, "x", &o, 1), MOCK_STATUS, 4042);
        iggy_put_le32(u32b, 0);
        o = kv("messages_required_to_save", IGGY_KV_UINT32, u32b, 4);
        expect(create_topic_opts(&croot, 0, 1, "x", &o, 1), MOCK_STATUS, 4042);
        iggy_put_le64(u64b, 1048576);
        o = kv("max_topic_size", IGGY_KV_UINT64, u64b, 8); /* below the 1 GiB segment */
        expect(create_topic_opts(&croot, 0, 1, "x", &o, 1), MOCK_STATUS, 1019);
        o = kv("preallocate_segments", IGGY_KV_BOOL, &one, 1); /* 1 GiB x 65 > 64 GiB */
        expect(create_topic_opts(&croot, 0, 65, "x", &o, 1), MOCK_STATUS, 4042);
        free(ok(create_topic_opts(&croot, 0, 64, "prealloc", &o, 1)).p);
    }
    expect(create_topic(&croot, 0, 1001, "x"), MOCK_STATUS, 2015);
    free(ok(create_topic(&croot, 0, 0, "no-partitions")).p);

    /* String forms are re-encoded canonically; zero sentinels go to the derived block. */
    {
        iggy_kv_t o[5];
        iggy_put_le64(u64b, 0);
        o[0] = kvs("segment_size", "128MiB");
        o[1] = kvs("max_topic_size", "1 GiB");
        o[2] = kvs("message_expiry", "7 days");
        o[3] = kv("size_of_messages_required_to_save", IGGY_KV_UINT64, u64b, 8); /* sentinel */
        o[4] = kv("compression_algorithm", IGGY_KV_UINT8, "\x02", 1);
        t = decode(IGGY_CMD_CREATE_TOPIC, ok(create_topic_opts(&croot, 0, 1, "typed", o, 5)));
    }
    ck_assert_uint_eq(t->message_expiry, 604800000000ull);
    ck_assert_uint_eq(t->max_topic_size, 1073741824ull);
    ck_assert_uint_eq(t->compression_algorithm, 2);
    ck_assert_uint_eq(t->explicit_options.count, 4);
    ck_assert_uint_eq(t->derived_options.count, 4);
    e = t->explicit_options.entries; /* sorted byte-wise */
    ck_assert_str_eq((const char *)e[0].key, "compression_algorithm");
    ck_assert_uint_eq(e[0].value_kind, IGGY_KV_STRING);
    ck_assert_mem_eq(e[0].value, "gzip", 4);
    ck_assert_str_eq((const char *)e[1].key, "max_topic_size");
    ck_assert_uint_eq(e[1].value_kind, IGGY_KV_UINT64);
    ck_assert_uint_eq(iggy_le64(e[1].value), 1073741824ull);
    ck_assert_str_eq((const char *)e[2].key, "message_expiry");
    ck_assert_uint_eq(iggy_le64(e[2].value), 604800000000ull);
    ck_assert_str_eq((const char *)e[3].key, "segment_size");
    ck_assert_uint_eq(iggy_le64(e[3].value), 134217728ull);
    e = t->derived_options.entries;
    ck_assert_str_eq((const char *)e[3].key, "size_of_messages_required_to_save");
    ck_assert_uint_eq(iggy_le64(e[3].value), 1048576ull);
    iggy_result_destroy(t);

    /* update_topic: only three keys; 1019 against the topic's segment size; a patch. */
    {
        iggy_kv_t o = kvs("segment_size", "2MiB");
        b = test_writer();
        iggy_enc_update_topic(&b, &s0, &t0, "prealloc", &o, 1);
        expect(call_w(&croot, IGGY_CMD_UPDATE_TOPIC, &b), MOCK_STATUS, 4041);
        iggy_put_le64(u64b, 4563);
        o = kv("max_topic_size", IGGY_KV_UINT64, u64b, 8);
        b = test_writer();
        iggy_enc_update_topic(&b, &s0, &t0, "prealloc", &o, 1);
        expect(call_w(&croot, IGGY_CMD_UPDATE_TOPIC, &b), MOCK_STATUS, 1019);
    }
    {
        const test_vector_t *v = vector_get("update_topic_body"); /* rename orders, 1 hour */
        free(ok(call_raw(&croot, IGGY_CMD_UPDATE_TOPIC, v->bytes, v->len)).p);
        v = vector_get("update_topic_body_go"); /* stream "stream": missing */
        r = call_raw(&croot, IGGY_CMD_UPDATE_TOPIC, v->bytes, v->len);
        ck_assert_int_eq(r.o.channel, MOCK_REJECT);
        free(r.p);
    }
    t = decode(IGGY_CMD_GET_TOPIC, ok(topic_ref_cmd(&croot, IGGY_CMD_GET_TOPIC, 0, 0)));
    ck_assert_str_eq(t->name, "orders");
    ck_assert_uint_eq(t->message_expiry, 3600000000ull);
    ck_assert_uint_eq(t->explicit_options.count, 2); /* preallocate_segments + expiry */
    ck_assert_str_eq((const char *)t->explicit_options.entries[0].key, "message_expiry");
    ck_assert_uint_eq(t->derived_options.count, 6);
    iggy_result_destroy(t);
    b = test_writer();
    iggy_enc_update_topic(&b, &s0, &t0, "typed", NULL, 0);
    expect(call_w(&croot, IGGY_CMD_UPDATE_TOPIC, &b), MOCK_REJECT, 2013);

    /* Permissions: create topic needs manage rights (result 41); reads status 41. */
    make_alice(NULL);
    expect(create_topic(&calice, 0, 1, "nope"), MOCK_REJECT, 41);
    expect(topic_ref_cmd(&calice, IGGY_CMD_GET_TOPIC, 0, 0), MOCK_STATUS, 41);
    expect(stream_ref_cmd(&calice, IGGY_CMD_GET_TOPICS, 0), MOCK_STATUS, 41);
    expect(topic_ref_cmd(&calice, IGGY_CMD_PURGE_TOPIC, 0, 0), MOCK_REJECT, 41);
}
END_TEST

/* ---------------------------------------------------------------- partitions, segments */

START_TEST(partitions_and_segments)
{
    const test_vector_t *v;
    iggy_topic_t *t;
    iggy_writer_t b;
    iggy_identifier_t s0 = iggy_id_num(0), t0 = iggy_id_num(0);
    res_t r;
    uint8_t seg[8];
    static uint8_t big[600 * 1024];
    iggy_consumer_ref_t c1 = {IGGY_CONSUMER_SINGLE, {NULL, 1}};
    iggy_polled_messages_t *pm;

    free(ok(create_stream(&croot, "s")).p);
    iggy_put_le64(seg, 1048576); /* 1 MiB segments */
    {
        iggy_kv_t o = kv("segment_size", IGGY_KV_UINT64, seg, 8);
        free(ok(create_topic_opts(&croot, 0, 1, "t", &o, 1)).p);
    }
    v = vector_get("create_partitions_body"); /* add 2 */
    r = call_raw(&croot, IGGY_CMD_CREATE_PARTITIONS, v->bytes, v->len);
    ck_assert_uint_eq(r.op, 65);
    expect_ok_empty(r);
    v = vector_get("delete_partitions_body"); /* remove the last 1 */
    expect_ok_empty(call_raw(&croot, IGGY_CMD_DELETE_PARTITIONS, v->bytes, v->len));
    b = test_writer();
    iggy_enc_partitions(&b, &s0, &t0, 0);
    expect(call_w(&croot, IGGY_CMD_CREATE_PARTITIONS, &b), MOCK_STATUS, 2015);
    b = test_writer();
    iggy_enc_partitions(&b, &s0, &t0, 1001);
    expect(call_w(&croot, IGGY_CMD_DELETE_PARTITIONS, &b), MOCK_STATUS, 2015);
    b = test_writer();
    iggy_enc_partitions(&b, &s0, &t0, 5);
    expect(call_w(&croot, IGGY_CMD_DELETE_PARTITIONS, &b), MOCK_REJECT, 2019);
    t = decode(IGGY_CMD_GET_TOPIC, ok(topic_ref_cmd(&croot, IGGY_CMD_GET_TOPIC, 0, 0)));
    ck_assert_uint_eq(t->partitions_count, 2);
    ck_assert_uint_eq(t->partitions[1].id, 1);
    iggy_result_destroy(t);

    /* Three 600 KiB batches roll 1 MiB segments: 3 segments. */
    for (int i = 0; i < 3; i++) {
        iggy_send_message_t m;
        iggy_partitioning_t part = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
        memset(&m, 0, sizeof m);
        m.id.lo = (uint64_t)i + 1;
        m.payload = big;
        m.payload_len = sizeof big;
        b = test_writer();
        iggy_enc_send_messages(&b, &s0, &t0, &part, &m, 1, g_now);
        free(ok(call_w(&croot, IGGY_CMD_SEND_MESSAGES, &b)).p);
    }
    t = decode(IGGY_CMD_GET_TOPIC, ok(topic_ref_cmd(&croot, IGGY_CMD_GET_TOPIC, 0, 0)));
    ck_assert_uint_eq(t->partitions[0].segments_count, 3);
    ck_assert_uint_eq(t->partitions[0].current_offset, 2);
    ck_assert_uint_eq(t->partitions[0].messages_count, 3);
    iggy_result_destroy(t);
    /* Delete up to 5 segments: only the 2 sealed ones go. */
    b = test_writer();
    iggy_enc_delete_segments(&b, &s0, &t0, 0, 5);
    r = call_w(&croot, IGGY_CMD_DELETE_SEGMENTS, &b);
    ck_assert_uint_eq(r.op, 68);
    expect_ok_empty(r);
    t = decode(IGGY_CMD_GET_TOPIC, ok(topic_ref_cmd(&croot, IGGY_CMD_GET_TOPIC, 0, 0)));
    ck_assert_uint_eq(t->partitions[0].segments_count, 1);
    ck_assert_uint_eq(t->partitions[0].messages_count, 1);
    ck_assert_uint_eq(t->partitions[0].current_offset, 2);
    iggy_result_destroy(t);
    pm = poll_ok(&croot, &c1, 0, IGGY_POLL_FIRST, 0, 10, 0);
    assert_offsets(pm, 2, 1);
    iggy_result_destroy(pm);
    pm = poll_ok(&croot, &c1, 0, IGGY_POLL_OFFSET, 0, 10, 0); /* removed: from the oldest */
    assert_offsets(pm, 2, 1);
    iggy_result_destroy(pm);

    v = vector_get("delete_segments_body"); /* partition 1 exists, nothing to delete */
    r = call_raw(&croot, IGGY_CMD_DELETE_SEGMENTS, v->bytes, v->len);
    ck_assert_uint_eq(r.op, 68);
    expect_ok_empty(r);
    b = test_writer();
    iggy_enc_delete_segments(&b, &s0, &t0, 9, 1);
    expect(call_w(&croot, IGGY_CMD_DELETE_SEGMENTS, &b), MOCK_REJECT, 3007);
    v = vector_get("delete_segments_body_go"); /* stream "stream": missing */
    expect(call_raw(&croot, IGGY_CMD_DELETE_SEGMENTS, v->bytes, v->len), MOCK_REJECT, 1009);
    /* Undecodable: an empty, unframed 138 reply. */
    r = call_raw(&croot, IGGY_CMD_DELETE_SEGMENTS, "\x01\x04", 2);
    ck_assert_uint_eq(r.op, 138);
    expect_ok_empty(r);
    make_alice(NULL);
    v = vector_get("create_partitions_body");
    expect(call_raw(&calice, IGGY_CMD_CREATE_PARTITIONS, v->bytes, v->len), MOCK_REJECT, 41);
}
END_TEST

/* ---------------------------------------------------------------- send / poll */

/* Stream 1 / topic 2 with 4 partitions, as the message vectors assume. */
static void make_stream1_topic2(void)
{
    free(ok(create_stream(&croot, "zero")).p);
    free(ok(create_stream(&croot, "orders")).p);
    free(ok(create_topic(&croot, 1, 1, "a")).p);
    free(ok(create_topic(&croot, 1, 1, "b")).p);
    free(ok(create_topic(&croot, 1, 4, "eu")).p);
}

START_TEST(send_poll_vectors)
{
    const test_vector_t *v;
    uint8_t *body;
    iggy_consumer_ref_t c1 = {IGGY_CONSUMER_SINGLE, {NULL, 1}};
    uint32_t p3 = 3;
    iggy_writer_t b;
    iggy_identifier_t s1 = iggy_id_num(1), t2 = iggy_id_num(2);
    iggy_polling_strategy_t strat = {IGGY_POLL_OFFSET, 41};

    g_now = 1000;
    make_stream1_topic2();
    ck_assert_uint_eq(send_n(&croot, 1, 2, 3, 4), 0);
    /* The fifth message: confirmation [1][1][2][3][4]. */
    {
        iggy_send_message_t m;
        iggy_partitioning_t part = {IGGY_PARTITIONING_PARTITION_ID, 3, NULL, 0};
        memset(&m, 0, sizeof m);
        m.id.lo = 99;
        m.payload = "x";
        m.payload_len = 1;
        b = test_writer();
        iggy_enc_send_messages(&b, &s1, &t2, &part, &m, 1, g_now);
        expect_vector(call_w(&croot, IGGY_CMD_SEND_MESSAGES, &b), "send_messages_reply_body", 0);
    }
    ck_assert_uint_eq(send_n(&croot, 1, 2, 3, 36), 5);

    /* The partition/headers batch, routed to partition 3 (metadata is not checksummed) and
     * stamped at 1700000000001000: the stored record equals poll_reply_body_headers. */
    v = vector_get("send_messages_body_partition_headers");
    body = malloc(v->len);
    memcpy(body, v->bytes, v->len);
    iggy_put_le32(body + 18, 3);
    g_now = 1700000000001000ull;
    free(ok(call_raw(&croot, IGGY_CMD_SEND_MESSAGES, body, v->len)).p);
    free(body);
    b = test_writer();
    iggy_enc_poll_messages(&b, &c1, &s1, &t2, &p3, &strat, 10, 0);
    expect_vector(call_w(&croot, IGGY_CMD_POLL_MESSAGES, &b), "poll_reply_body_headers", 0);
    /* Offset(42) starts inside the record: the slice of the vector, checksum rewritten. */
    strat.value = 42;
    b = test_writer();
    iggy_enc_poll_messages(&b, &c1, &s1, &t2, &p3, &strat, 10, 0);
    expect_vector(call_w(&croot, IGGY_CMD_POLL_MESSAGES, &b), "poll_reply_body_sliced", 0);
    /* Past the end: the 16-byte empty poll with the high-water mark. */
    strat.value = 43;
    b = test_writer();
    iggy_enc_poll_messages(&b, &c1, &s1, &t2, &p3, &strat, 10, 0);
    expect_vector(call_w(&croot, IGGY_CMD_POLL_MESSAGES, &b), "poll_reply_body_empty", 0);
}
END_TEST

START_TEST(send_poll_golden_balanced)
{
    const test_vector_t *v = vector_get("send_messages_body_balanced");
    iggy_send_confirmations_t *conf;
    uint8_t *bad;

    g_now = 1000;
    make_stream1_topic2();
    ck_assert_uint_eq(send_n(&croot, 1, 2, 3, 100), 0);
    /* Balanced: a per-topic cursor from partition 0. */
    for (uint32_t i = 0; i < 3; i++) {
        conf = decode(IGGY_CMD_SEND_MESSAGES,
                      ok(call_raw(&croot, IGGY_CMD_SEND_MESSAGES, v->bytes, v->len)));
        ck_assert_uint_eq(conf->items[0].partition_id, i);
        ck_assert_uint_eq(conf->items[0].stream_id, 1);
        ck_assert_uint_eq(conf->items[0].topic_id, 2);
        iggy_result_destroy(conf);
    }
    g_now = 5000;
    conf = decode(IGGY_CMD_SEND_MESSAGES,
                  ok(call_raw(&croot, IGGY_CMD_SEND_MESSAGES, v->bytes, v->len)));
    ck_assert_uint_eq(conf->items[0].partition_id, 3);
    ck_assert_uint_eq(conf->items[0].base_offset, 100);
    iggy_result_destroy(conf);
    {
        iggy_consumer_ref_t c1 = {IGGY_CONSUMER_SINGLE, {NULL, 1}};
        uint32_t p3 = 3;
        iggy_identifier_t s1 = iggy_id_num(1), t2 = iggy_id_num(2);
        iggy_polling_strategy_t strat = {IGGY_POLL_OFFSET, 100};
        iggy_writer_t b = test_writer();
        iggy_enc_poll_messages(&b, &c1, &s1, &t2, &p3, &strat, 10, 0);
        expect_vector(call_w(&croot, IGGY_CMD_POLL_MESSAGES, &b), "poll_reply_body_golden", 0);
    }

    /* Silent drops: a bad frame checksum, a count mismatch, a trailing byte, a non-zero
     * reserved byte, metadata_length past the metadata. */
    bad = malloc(v->len + 1);
    memcpy(bad, v->bytes, v->len);
    bad[330] ^= 1; /* payload byte of message 0 */
    expect(call_raw(&croot, IGGY_CMD_SEND_MESSAGES, bad, v->len), MOCK_SILENCE, 0);
    memcpy(bad, v->bytes, v->len);
    bad[18] = 3; /* messages_count 3 != batch 2 */
    expect(call_raw(&croot, IGGY_CMD_SEND_MESSAGES, bad, v->len), MOCK_SILENCE, 0);
    memcpy(bad, v->bytes, v->len);
    bad[v->len] = 0;
    expect(call_raw(&croot, IGGY_CMD_SEND_MESSAGES, bad, v->len + 1), MOCK_SILENCE, 0);
    memcpy(bad, v->bytes, v->len);
    bad[22 + 100] = 1; /* batch header reserved */
    expect(call_raw(&croot, IGGY_CMD_SEND_MESSAGES, bad, v->len), MOCK_SILENCE, 0);
    memcpy(bad, v->bytes, v->len);
    bad[0] = 19; /* metadata_length one byte too long */
    expect(call_raw(&croot, IGGY_CMD_SEND_MESSAGES, bad, v->len), MOCK_SILENCE, 0);
    memcpy(bad, v->bytes, v->len);
    bad[0] = 10; /* too short: metadata does not decode -> 20 */
    expect(call_raw(&croot, IGGY_CMD_SEND_MESSAGES, bad, v->len), MOCK_STATUS, 20);
    memcpy(bad, v->bytes, v->len);
    bad[6] = 9; /* unknown stream: 20, not 1009 */
    expect(call_raw(&croot, IGGY_CMD_SEND_MESSAGES, bad, v->len), MOCK_STATUS, 20);
    free(bad);
    v = vector_get("send_messages_body_named_key"); /* "orders"/"eu", key order-42 */
    conf = decode(IGGY_CMD_SEND_MESSAGES,
                  ok(call_raw(&croot, IGGY_CMD_SEND_MESSAGES, v->bytes, v->len)));
    ck_assert_uint_eq(conf->items[0].partition_id, XXH32("order-42", 8, 0) % 4);
    iggy_result_destroy(conf);
    {
        /* Unknown partition id: 20. */
        iggy_send_message_t m;
        iggy_partitioning_t part = {IGGY_PARTITIONING_PARTITION_ID, 4, NULL, 0};
        iggy_identifier_t s1 = iggy_id_num(1), t2 = iggy_id_num(2);
        iggy_writer_t b = test_writer();
        memset(&m, 0, sizeof m);
        m.payload = "x";
        m.payload_len = 1;
        iggy_enc_send_messages(&b, &s1, &t2, &part, &m, 1, g_now);
        expect(call_w(&croot, IGGY_CMD_SEND_MESSAGES, &b), MOCK_STATUS, 20);
    }
}
END_TEST

START_TEST(poll_strategies)
{
    iggy_consumer_ref_t c1 = {IGGY_CONSUMER_SINGLE, {NULL, 1}};
    iggy_consumer_ref_t named = {IGGY_CONSUMER_SINGLE, {"worker", 0}};
    iggy_polled_messages_t *pm;
    uint64_t ts_b;
    uint32_t p0 = 0, p9 = 9;
    const test_vector_t *v;

    free(ok(create_stream(&croot, "s")).p);
    free(ok(create_topic(&croot, 0, 2, "t")).p);
    /* Empty partition / count 0: [pid][0][0]. */
    pm = poll_ok(&croot, &c1, 0, IGGY_POLL_FIRST, 0, 10, 0);
    ck_assert_uint_eq(pm->count, 0);
    iggy_result_destroy(pm);
    ck_assert_uint_eq(send_n(&croot, 0, 0, 0, 3), 0); /* batch A: offsets 0..2 */
    g_now += 1000;
    ck_assert_uint_eq(send_n(&croot, 0, 0, 0, 4), 3); /* batch B: offsets 3..6 */

    pm = poll_ok(&croot, &c1, 0, IGGY_POLL_OFFSET, 1, 4, 0); /* slices of A and of B */
    assert_offsets(pm, 1, 4);
    ck_assert_uint_eq(pm->current_offset, 6);
    ck_assert_mem_eq(pm->messages[0].payload, "m1", 2);
    ck_assert_mem_eq(pm->messages[2].payload, "m0", 2); /* first frame of B */
    iggy_result_destroy(pm);
    pm = poll_ok(&croot, &c1, 0, IGGY_POLL_FIRST, 0, 2, 0);
    assert_offsets(pm, 0, 2);
    iggy_result_destroy(pm);
    pm = poll_ok(&croot, &c1, 0, IGGY_POLL_LAST, 0, 3, 0);
    assert_offsets(pm, 4, 3);
    ts_b = pm->messages[0].timestamp;
    iggy_result_destroy(pm);
    pm = poll_ok(&croot, &c1, 0, IGGY_POLL_LAST, 0, 100, 0);
    assert_offsets(pm, 0, 7);
    ck_assert_uint_lt(pm->messages[0].timestamp, ts_b); /* strictly monotonic per partition */
    iggy_result_destroy(pm);
    pm = poll_ok(&croot, &c1, 0, IGGY_POLL_TIMESTAMP, ts_b, 100, 0); /* whole batch B */
    assert_offsets(pm, 3, 4);
    iggy_result_destroy(pm);
    pm = poll_ok(&croot, &c1, 0, IGGY_POLL_TIMESTAMP, ts_b + 1, 100, 0);
    ck_assert_uint_eq(pm->count, 0);
    iggy_result_destroy(pm);

    /* Next + auto_commit: the stored offset moves to the last served one at once. */
    pm = poll_ok(&croot, &named, 0, IGGY_POLL_NEXT, 0, 2, 1);
    assert_offsets(pm, 0, 2);
    iggy_result_destroy(pm);
    pm = poll_ok(&croot, &named, 0, IGGY_POLL_NEXT, 0, 4, 1);
    assert_offsets(pm, 2, 4);
    iggy_result_destroy(pm);
    pm = poll_ok(&croot, &named, 0, IGGY_POLL_NEXT, 0, 4, 0); /* no commit: served again */
    assert_offsets(pm, 6, 1);
    iggy_result_destroy(pm);
    pm = poll_ok(&croot, &named, 0, IGGY_POLL_NEXT, 0, 4, 1);
    assert_offsets(pm, 6, 1);
    iggy_result_destroy(pm);
    pm = poll_ok(&croot, &named, 0, IGGY_POLL_NEXT, 0, 4, 0); /* nothing after 6 */
    ck_assert_uint_eq(pm->count, 0);
    ck_assert_uint_eq(pm->current_offset, 6);
    iggy_result_destroy(pm);
    /* The named consumer's slot is XXH32("worker"): numeric consumer shares it. */
    {
        iggy_consumer_ref_t hashed = {IGGY_CONSUMER_SINGLE, {NULL, XXH32("worker", 6, 0)}};
        iggy_consumer_offset_t *co;
        iggy_identifier_t s0 = iggy_id_num(0), t0 = iggy_id_num(0);
        iggy_writer_t b = test_writer();
        iggy_enc_get_consumer_offset(&b, &hashed, &s0, &t0, NULL);
        co = decode(IGGY_CMD_GET_CONSUMER_OFFSET,
                    ok(call_w(&croot, IGGY_CMD_GET_CONSUMER_OFFSET, &b)));
        ck_assert_uint_eq(co->stored_offset, 6);
        iggy_result_destroy(co);
    }

    pm = poll_ok(&croot, &c1, 0, IGGY_POLL_OFFSET, 0, 0, 0); /* count 0 */
    ck_assert_uint_eq(pm->count, 0);
    iggy_result_destroy(pm);
    /* Errors: 1009 / 2010 / 3007 with an empty body; undecodable: 16 zero bytes. */
    expect(poll_req(&croot, &c1, 5, 0, &p0, IGGY_POLL_FIRST, 0, 1, 0), MOCK_STATUS, 1009);
    expect(poll_req(&croot, &c1, 0, 5, &p0, IGGY_POLL_FIRST, 0, 1, 0), MOCK_STATUS, 2010);
    expect(poll_req(&croot, &c1, 0, 0, &p9, IGGY_POLL_FIRST, 0, 1, 0), MOCK_STATUS, 3007);
    {
        static const uint8_t zero16[16] = {0};
        res_t r = ok(call_raw(&croot, IGGY_CMD_POLL_MESSAGES, "\x01\x01", 2));
        ck_assert_uint_eq(r.len, 16);
        ck_assert_mem_eq(r.p, zero16, 16);
        free(r.p);
    }
    v = vector_get("poll_body_no_partition"); /* stream 1: missing here */
    expect(call_raw(&croot, IGGY_CMD_POLL_MESSAGES, v->bytes, v->len), MOCK_STATUS, 1009);
    expect(poll_req(&croot, &c1, 0, 0, NULL, IGGY_POLL_FIRST, 0, 1, 0), MOCK_OK, 0);

    /* Flush always fails with 5. */
    {
        iggy_identifier_t s0 = iggy_id_num(0), t0 = iggy_id_num(0);
        iggy_writer_t b = test_writer();
        iggy_enc_flush_unsaved_buffer(&b, &s0, &t0, 0, 1);
        expect(call_w(&croot, IGGY_CMD_FLUSH_UNSAVED_BUFFER, &b), MOCK_STATUS, 5);
    }
    /* Permissions: poll and send denied with status 41. */
    make_alice(NULL);
    expect(poll_req(&calice, &c1, 0, 0, &p0, IGGY_POLL_FIRST, 0, 1, 0), MOCK_STATUS, 41);
    {
        iggy_send_message_t m;
        iggy_partitioning_t part = {IGGY_PARTITIONING_BALANCED, 0, NULL, 0};
        iggy_identifier_t s0 = iggy_id_num(0), t0 = iggy_id_num(0);
        iggy_writer_t b = test_writer();
        memset(&m, 0, sizeof m);
        m.payload = "x";
        m.payload_len = 1;
        iggy_enc_send_messages(&b, &s0, &t0, &part, &m, 1, g_now);
        expect(call_w(&calice, IGGY_CMD_SEND_MESSAGES, &b), MOCK_STATUS, 41);
    }
}
END_TEST

/* ---------------------------------------------------------------- offsets */

START_TEST(consumer_offsets)
{
    const test_vector_t *v;
    iggy_consumer_ref_t c7 = {IGGY_CONSUMER_SINGLE, {NULL, 7}};
    iggy_identifier_t s0 = iggy_id_num(0), t0 = iggy_id_num(0);
    uint32_t p0 = 0, p1 = 1, p5 = 5;
    iggy_writer_t b;

    free(ok(create_stream(&croot, "s")).p);
    free(ok(create_topic(&croot, 0, 3, "t")).p);
    ck_assert_uint_eq(send_n(&croot, 0, 0, 1, 100), 0);

    /* Nothing stored: empty; unknown stream: empty; unknown partition: 3007. */
    v = vector_get("get_consumer_offset_body_no_partition"); /* consumer 7, partition 0 */
    expect_ok_empty(call_raw(&croot, IGGY_CMD_GET_CONSUMER_OFFSET, v->bytes, v->len));
    b = test_writer();
    iggy_enc_get_consumer_offset(&b, &c7, &s0, &t0, &p5);
    expect(call_w(&croot, IGGY_CMD_GET_CONSUMER_OFFSET, &b), MOCK_STATUS, 3007);
    expect_ok_empty(call_raw(&croot, IGGY_CMD_GET_CONSUMER_OFFSET, "\x09", 1));

    /* store: beyond current -> 4100; empty partition -> 4100; no partition -> 20. */
    b = test_writer();
    iggy_enc_store_consumer_offset(&b, &c7, &s0, &t0, &p1, 100, 1);
    expect(call_w(&croot, IGGY_CMD_STORE_CONSUMER_OFFSET, &b), MOCK_STATUS, 4100);
    b = test_writer();
    iggy_enc_store_consumer_offset(&b, &c7, &s0, &t0, &p0, 0, 1);
    expect(call_w(&croot, IGGY_CMD_STORE_CONSUMER_OFFSET, &b), MOCK_STATUS, 4100);
    v = vector_get("store_consumer_offset_body_consumer"); /* partition 0 */
    expect(call_raw(&croot, IGGY_CMD_STORE_CONSUMER_OFFSET, v->bytes, v->len), MOCK_STATUS, 4100);
    b = test_writer();
    iggy_enc_store_consumer_offset(&b, &c7, &s0, &t0, NULL, 1, 1);
    expect(call_w(&croot, IGGY_CMD_STORE_CONSUMER_OFFSET, &b), MOCK_STATUS, 20);
    b = test_writer();
    iggy_enc_store_consumer_offset(&b, &c7, &s0, &t0, &p1, 42, 1);
    expect_ok_empty(call_w(&croot, IGGY_CMD_STORE_CONSUMER_OFFSET, &b));
    b = test_writer();
    iggy_enc_get_consumer_offset(&b, &c7, &s0, &t0, &p1);
    expect_vector(call_w(&croot, IGGY_CMD_GET_CONSUMER_OFFSET, &b),
                  "get_consumer_offset_reply_body", 0);

    /* delete: ok, then 3021; without partition 20. */
    b = test_writer();
    iggy_enc_delete_consumer_offset(&b, &c7, &s0, &t0, NULL, 1);
    expect(call_w(&croot, IGGY_CMD_DELETE_CONSUMER_OFFSET, &b), MOCK_STATUS, 20);
    b = test_writer();
    iggy_enc_delete_consumer_offset(&b, &c7, &s0, &t0, &p1, 1);
    expect_ok_empty(call_w(&croot, IGGY_CMD_DELETE_CONSUMER_OFFSET, &b));
    b = test_writer();
    iggy_enc_delete_consumer_offset(&b, &c7, &s0, &t0, &p1, 1);
    expect(call_w(&croot, IGGY_CMD_DELETE_CONSUMER_OFFSET, &b), MOCK_STATUS, 3021);
    v = vector_get("delete_consumer_offset_body_named"); /* worker-1, partition 0 */
    expect(call_raw(&croot, IGGY_CMD_DELETE_CONSUMER_OFFSET, v->bytes, v->len), MOCK_STATUS, 3021);

    /* Group offsets need an owned partition (status 20 otherwise). */
    free(ok(call_raw(&croot, IGGY_CMD_CREATE_CONSUMER_GROUP,
                     vector_get("create_consumer_group_body")->bytes,
                     vector_get("create_consumer_group_body")->len))
             .p);
    v = vector_get("store_consumer_offset_body_group"); /* billing, partition 1, 42 */
    expect(call_raw(&croot, IGGY_CMD_STORE_CONSUMER_OFFSET, v->bytes, v->len), MOCK_STATUS, 20);
    expect_ok_empty(group_cmd(&croot, IGGY_CMD_JOIN_CONSUMER_GROUP, 0, 0, 0));
    expect_ok_empty(call_raw(&croot, IGGY_CMD_STORE_CONSUMER_OFFSET, v->bytes, v->len));
    v = vector_get("get_consumer_offset_body_group"); /* group 0, partition 1 */
    login_root(&cthird);
    {
        iggy_consumer_offset_t *co =
            decode(IGGY_CMD_GET_CONSUMER_OFFSET,
                   ok(call_raw(&cthird, IGGY_CMD_GET_CONSUMER_OFFSET, v->bytes, v->len)));
        ck_assert_uint_eq(co->stored_offset, 42); /* anyone may read a group offset */
        iggy_result_destroy(co);
    }
    make_alice(NULL);
    expect(call_raw(&calice, IGGY_CMD_GET_CONSUMER_OFFSET, v->bytes, v->len), MOCK_STATUS, 41);
    b = test_writer();
    iggy_enc_store_consumer_offset(&b, &c7, &s0, &t0, &p1, 1, 1);
    expect(call_w(&calice, IGGY_CMD_STORE_CONSUMER_OFFSET, &b), MOCK_STATUS, 41);
}
END_TEST

/* ---------------------------------------------------------------- consumer groups */

START_TEST(consumer_groups)
{
    const test_vector_t *v;
    iggy_group_assignment_t *ga;
    iggy_consumer_ref_t grp = {IGGY_CONSUMER_GROUP, {"billing", 0}};
    uint32_t p1 = 1;
    res_t r;

    login_root(&calice);
    login_root(&cthird);
    free(ok(create_stream(&croot, "s")).p);
    free(ok(create_topic(&croot, 0, 3, "t")).p);
    expect(group_cmd(&croot, IGGY_CMD_GET_CONSUMER_GROUP, 5, 0, 0), MOCK_STATUS, 1009);
    expect(group_cmd(&croot, IGGY_CMD_GET_CONSUMER_GROUP, 0, 5, 0), MOCK_STATUS, 2010);
    expect(topic_ref_cmd(&croot, IGGY_CMD_GET_CONSUMER_GROUPS, 9, 0), MOCK_STATUS, 1009);
    expect_ok_empty(group_cmd(&croot, IGGY_CMD_GET_CONSUMER_GROUP, 0, 0, 0));
    expect_ok_empty(topic_ref_cmd(&croot, IGGY_CMD_GET_CONSUMER_GROUPS, 0, 0));

    v = vector_get("create_consumer_group_body");
    expect_vector(call_raw(&croot, IGGY_CMD_CREATE_CONSUMER_GROUP, v->bytes, v->len),
                  "create_consumer_group_reply_body", 1);
    expect(call_raw(&croot, IGGY_CMD_CREATE_CONSUMER_GROUP, v->bytes, v->len), MOCK_REJECT, 5004);
    v = vector_get("create_consumer_group_body_grp"); /* stream 1: missing */
    expect(call_raw(&croot, IGGY_CMD_CREATE_CONSUMER_GROUP, v->bytes, v->len), MOCK_REJECT, 1009);

    /* Join: round robin, generation bumps, idempotent. */
    v = vector_get("join_consumer_group_body");
    expect_ok_empty(call_raw(&calice, IGGY_CMD_JOIN_CONSUMER_GROUP, v->bytes, v->len));
    v = vector_get("sync_consumer_group_body");
    ga = decode(IGGY_CMD_SYNC_CONSUMER_GROUP,
                ok(call_raw(&calice, IGGY_CMD_SYNC_CONSUMER_GROUP, v->bytes, v->len)));
    ck_assert_uint_eq(ga->generation, 1);
    ck_assert_uint_eq(ga->partitions_count, 3);
    iggy_result_destroy(ga);
    expect_ok_empty(group_cmd(&cthird, IGGY_CMD_JOIN_CONSUMER_GROUP, 0, 0, 0));
    expect_ok_empty(group_cmd(&cthird, IGGY_CMD_JOIN_CONSUMER_GROUP, 0, 0, 0));
    /* Nothing polled: the excess from the end of calice's list moves at once. */
    ga = decode(IGGY_CMD_SYNC_CONSUMER_GROUP,
                ok(call_raw(&calice, IGGY_CMD_SYNC_CONSUMER_GROUP, v->bytes, v->len)));
    ck_assert_uint_eq(ga->generation, 2);
    ck_assert_uint_eq(ga->partitions_count, 2);
    ck_assert_uint_eq(ga->partitions[0], 0);
    ck_assert_uint_eq(ga->partitions[1], 1);
    iggy_result_destroy(ga);
    ga = decode(IGGY_CMD_SYNC_CONSUMER_GROUP,
                ok(call_raw(&cthird, IGGY_CMD_SYNC_CONSUMER_GROUP, v->bytes, v->len)));
    ck_assert_uint_eq(ga->partitions_count, 1);
    ck_assert_uint_eq(ga->partitions[0], 2);
    iggy_result_destroy(ga);
    /* A leave rebalances round-robin: member 0 gets 0 and 2, member 1 gets 1. */
    expect_ok_empty(group_cmd(&croot, IGGY_CMD_JOIN_CONSUMER_GROUP, 0, 0, 0));
    expect_ok_empty(group_cmd(&croot, IGGY_CMD_LEAVE_CONSUMER_GROUP, 0, 0, 0));
    v = vector_get("get_consumer_group_body_by_name");
    expect_vector(call_raw(&croot, IGGY_CMD_GET_CONSUMER_GROUP, v->bytes, v->len),
                  "get_consumer_group_reply_body", 0);
    expect_ok_empty(group_cmd(&croot, IGGY_CMD_SYNC_CONSUMER_GROUP, 0, 0, 0)); /* not a member */
    expect_ok_empty(call_raw(&croot, IGGY_CMD_SYNC_CONSUMER_GROUP, "\x01", 1));
    {
        iggy_writer_t b = test_writer();
        iggy_identifier_t s0 = iggy_id_num(0), t0 = iggy_id_num(0);
        iggy_enc_create_consumer_group(&b, &s0, &t0, "audit");
        free(ok(call_w(&croot, IGGY_CMD_CREATE_CONSUMER_GROUP, &b)).p);
    }

    /* GetMe carries the memberships. */
    {
        iggy_client_info_t *me = decode(IGGY_CMD_GET_ME, ok(call_empty(&calice, IGGY_CMD_GET_ME)));
        ck_assert_uint_eq(me->consumer_groups_count, 1);
        ck_assert_uint_eq(me->consumer_groups[0].group_id, 0);
        iggy_result_destroy(me);
    }
    ck_assert(iggy_mock_state_conn_has_memberships(st, &calice));
    ck_assert(!iggy_mock_state_conn_has_memberships(st, &croot));

    /* Group polls: owned partition ok; not owned: RESYNC; no partition: zeros. */
    send_n(&croot, 0, 0, 1, 2);
    {
        iggy_polled_messages_t *pm =
            decode(IGGY_CMD_POLL_MESSAGES,
                   ok(poll_req(&cthird, &grp, 0, 0, &p1, IGGY_POLL_NEXT, 0, 10, 1)));
        ck_assert_uint_eq(pm->count, 2);
        iggy_result_destroy(pm);
    }
    r = ok(poll_req(&calice, &grp, 0, 0, &p1, IGGY_POLL_NEXT, 0, 10, 0));
    ck_assert_uint_eq(r.len, 16);
    ck_assert_uint_eq(iggy_le32(r.p), IGGY_PARTITION_RESYNC);
    expect_vector(r, "poll_reply_body_resync", 0);
    r = ok(poll_req(&calice, &grp, 0, 0, NULL, IGGY_POLL_NEXT, 0, 10, 0));
    ck_assert_uint_eq(r.len, 16);
    ck_assert_uint_eq(iggy_le32(r.p), 0);
    free(r.p);

    /* Leave: 5006 for a non-member; the rest rebalance. */
    expect(group_cmd(&croot, IGGY_CMD_LEAVE_CONSUMER_GROUP, 0, 0, 0), MOCK_REJECT, 5006);
    v = vector_get("leave_consumer_group_body_by_name"); /* "orders"/"t": missing */
    expect(call_raw(&cthird, IGGY_CMD_LEAVE_CONSUMER_GROUP, v->bytes, v->len), MOCK_REJECT, 1009);
    expect_ok_empty(group_cmd(&cthird, IGGY_CMD_LEAVE_CONSUMER_GROUP, 0, 0, 0));
    ga = decode(IGGY_CMD_SYNC_CONSUMER_GROUP,
                ok(group_cmd(&calice, IGGY_CMD_SYNC_CONSUMER_GROUP, 0, 0, 0)));
    ck_assert_uint_eq(ga->generation, 5);
    ck_assert_uint_eq(ga->partitions_count, 3);
    iggy_result_destroy(ga);
    /* The group's Next continues from its offset (auto-committed by cthird). */
    {
        iggy_polled_messages_t *pm =
            decode(IGGY_CMD_POLL_MESSAGES,
                   ok(poll_req(&calice, &grp, 0, 0, &p1, IGGY_POLL_NEXT, 0, 10, 0)));
        ck_assert_uint_eq(pm->count, 0);
        iggy_result_destroy(pm);
    }
    /* create_partitions rebalances and bumps the generation. */
    free(ok(topic_ref_cmd(&croot, IGGY_CMD_GET_CONSUMER_GROUPS, 0, 0)).p);
    {
        iggy_writer_t b = test_writer();
        iggy_identifier_t s0 = iggy_id_num(0), t0 = iggy_id_num(0);
        iggy_enc_partitions(&b, &s0, &t0, 1);
        free(ok(call_w(&croot, IGGY_CMD_CREATE_PARTITIONS, &b)).p);
    }
    ga = decode(IGGY_CMD_SYNC_CONSUMER_GROUP,
                ok(group_cmd(&calice, IGGY_CMD_SYNC_CONSUMER_GROUP, 0, 0, 0)));
    ck_assert_uint_eq(ga->generation, 6);
    ck_assert_uint_eq(ga->partitions_count, 4);
    iggy_result_destroy(ga);

    /* Disconnect ends the membership. */
    iggy_mock_state_conn_closed(st, &calice);
    ck_assert(!iggy_mock_state_conn_has_memberships(st, &calice));
    expect_ok_empty(group_cmd(&calice, IGGY_CMD_SYNC_CONSUMER_GROUP, 0, 0, 0));

    v = vector_get("delete_consumer_group_body");
    expect_ok_empty(call_raw(&croot, IGGY_CMD_DELETE_CONSUMER_GROUP, v->bytes, v->len));
    expect(call_raw(&croot, IGGY_CMD_DELETE_CONSUMER_GROUP, v->bytes, v->len), MOCK_REJECT, 5000);
    expect(group_cmd(&croot, IGGY_CMD_JOIN_CONSUMER_GROUP, 0, 0, 0), MOCK_REJECT, 5000);
    {
        iggy_writer_t b = test_writer();
        iggy_identifier_t s0 = iggy_id_num(0), t0 = iggy_id_num(0);
        iggy_enc_create_consumer_group(&b, &s0, &t0, "third");
        free(ok(call_w(&croot, IGGY_CMD_CREATE_CONSUMER_GROUP, &b)).p);
    }
    {
        iggy_consumer_group_list_t *gl =
            decode(IGGY_CMD_GET_CONSUMER_GROUPS,
                   ok(call_raw(&croot, IGGY_CMD_GET_CONSUMER_GROUPS,
                               vector_get("get_consumer_groups_body")->bytes,
                               vector_get("get_consumer_groups_body")->len)));
        ck_assert_uint_eq(gl->count, 2);
        ck_assert_uint_eq(gl->groups[0].id, 1);
        ck_assert_uint_eq(gl->groups[1].id, 2); /* monotonic, never reused */
        iggy_result_destroy(gl);
    }
}
END_TEST

START_TEST(consumer_groups_vector_list)
{
    iggy_writer_t b = test_writer();
    iggy_identifier_t s0 = iggy_id_num(0), t0 = iggy_id_num(0);

    login_root(&calice);
    login_root(&cthird);
    free(ok(create_stream(&croot, "s")).p);
    free(ok(create_topic(&croot, 0, 3, "t")).p);
    free(ok(call_raw(&croot, IGGY_CMD_CREATE_CONSUMER_GROUP,
                     vector_get("create_consumer_group_body")->bytes,
                     vector_get("create_consumer_group_body")->len))
             .p);
    iggy_enc_create_consumer_group(&b, &s0, &t0, "audit");
    free(ok(call_w(&croot, IGGY_CMD_CREATE_CONSUMER_GROUP, &b)).p);
    expect_ok_empty(group_cmd(&calice, IGGY_CMD_JOIN_CONSUMER_GROUP, 0, 0, 0));
    expect_ok_empty(group_cmd(&cthird, IGGY_CMD_JOIN_CONSUMER_GROUP, 0, 0, 0));
    expect_vector(topic_ref_cmd(&croot, IGGY_CMD_GET_CONSUMER_GROUPS, 0, 0),
                  "get_consumer_groups_reply_body", 0);
    /* Logout drops memberships too. */
    iggy_mock_state_logged_out(st, &cthird);
    ck_assert(!iggy_mock_state_conn_has_memberships(st, &cthird));
}
END_TEST

/* ---------------------------------------------------------------- cooperative rebalance */

static const iggy_consumer_ref_t billing = {IGGY_CONSUMER_GROUP, {"billing", 0}};

/* Stream 0 / topic 0 with parts partitions and group 0 "billing"; calice and cthird log in. */
static void make_group_topic(uint32_t parts)
{
    login_root(&calice);
    login_root(&cthird);
    free(ok(create_stream(&croot, "s")).p);
    free(ok(create_topic(&croot, 0, parts, "t")).p);
    free(ok(call_raw(&croot, IGGY_CMD_CREATE_CONSUMER_GROUP,
                     vector_get("create_consumer_group_body")->bytes,
                     vector_get("create_consumer_group_body")->len))
             .p);
}

static void join(iggy_mock_conn_t *c)
{
    expect_ok_empty(group_cmd(c, IGGY_CMD_JOIN_CONSUMER_GROUP, 0, 0, 0));
}

static void leave(iggy_mock_conn_t *c)
{
    expect_ok_empty(group_cmd(c, IGGY_CMD_LEAVE_CONSUMER_GROUP, 0, 0, 0));
}

/* SyncConsumerGroup says exactly generation gen and partitions want[0..n). */
static void expect_sync(iggy_mock_conn_t *c, uint64_t gen, const uint32_t *want, size_t n)
{
    iggy_group_assignment_t *ga = decode(IGGY_CMD_SYNC_CONSUMER_GROUP,
                                         ok(group_cmd(c, IGGY_CMD_SYNC_CONSUMER_GROUP, 0, 0, 0)));
    ck_assert_uint_eq(ga->generation, gen);
    ck_assert_uint_eq(ga->partitions_count, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(ga->partitions[i], want[i]);
    iggy_result_destroy(ga);
}

/* A group poll (Next, up to 10) on one partition: the messages served, or -1 for the
 * re-sync sentinel. */
static int group_poll(iggy_mock_conn_t *c, uint32_t partition, int auto_commit)
{
    res_t r = ok(poll_req(c, &billing, 0, 0, &partition, IGGY_POLL_NEXT, 0, 10, auto_commit));
    iggy_polled_messages_t *pm;
    int n;
    ck_assert_uint_ge(r.len, 16);
    if (iggy_le32(r.p) == IGGY_PARTITION_RESYNC) {
        ck_assert_uint_eq(r.len, 16);
        free(r.p);
        return -1;
    }
    ck_assert_uint_eq(iggy_le32(r.p), partition);
    pm = decode(IGGY_CMD_POLL_MESSAGES, r);
    n = (int)pm->count;
    iggy_result_destroy(pm);
    return n;
}

static res_t group_store(iggy_mock_conn_t *c, uint32_t partition, uint64_t offset)
{
    iggy_writer_t b = test_writer();
    iggy_identifier_t s0 = iggy_id_num(0), t0 = iggy_id_num(0);
    iggy_enc_store_consumer_offset(&b, &billing, &s0, &t0, &partition, offset, 1);
    return call_w(c, IGGY_CMD_STORE_CONSUMER_OFFSET, &b);
}

/* GetConsumerGroup: each of the topic's parts partitions owned by exactly one member. */
static void expect_owned_once(uint32_t parts)
{
    unsigned seen[16] = {0};
    iggy_consumer_group_t *g = decode(IGGY_CMD_GET_CONSUMER_GROUP,
                                      ok(group_cmd(&croot, IGGY_CMD_GET_CONSUMER_GROUP, 0, 0, 0)));
    ck_assert_uint_le(parts, 16);
    for (uint32_t i = 0; i < g->members_count; i++)
        for (uint32_t j = 0; j < g->members[i].partitions_count; j++) {
            ck_assert_uint_lt(g->members[i].partitions[j], parts);
            seen[g->members[i].partitions[j]]++;
        }
    for (uint32_t p = 0; p < parts; p++)
        ck_assert_msg(seen[p] == 1, "partition %u owned %u times", p, seen[p]);
    iggy_result_destroy(g);
}

/* calice owns 0 and 1 and has polled 0..2 of partition 1 without committing; cthird joins:
 * partition 1 is pending hand-off from calice to cthird (generation 2). */
static void make_pending_handoff(void)
{
    make_group_topic(2);
    send_n(&croot, 0, 0, 1, 3);
    join(&calice);
    ck_assert_int_eq(group_poll(&calice, 1, 0), 3);
    join(&cthird);
    expect_sync(&calice, 2, (const uint32_t[]){0}, 1);
    expect_sync(&cthird, 2, NULL, 0);
}

START_TEST(group_join_hands_off_after_commit)
{
    make_pending_handoff();
    /* The source stops polling it; the target does not own it yet. */
    ck_assert_int_eq(group_poll(&calice, 1, 0), -1);
    ck_assert_int_eq(group_poll(&cthird, 1, 0), -1);
    ck_assert_int_eq(group_poll(&calice, 0, 0), 0);
    /* GetConsumerGroup keeps listing the owner (the server lists owned partitions). */
    {
        iggy_consumer_group_t *g =
            decode(IGGY_CMD_GET_CONSUMER_GROUP,
                   ok(group_cmd(&croot, IGGY_CMD_GET_CONSUMER_GROUP, 0, 0, 0)));
        ck_assert_uint_eq(g->members_count, 2);
        ck_assert_uint_eq(g->members[0].partitions_count, 2);
        ck_assert_uint_eq(g->members[1].partitions_count, 0);
        iggy_result_destroy(g);
    }
    /* Only the owner commits; a commit short of what it polled keeps the hand-off pending. */
    expect(group_store(&cthird, 1, 2), MOCK_STATUS, 20);
    expect_ok_empty(group_store(&calice, 1, 1));
    expect_sync(&calice, 2, (const uint32_t[]){0}, 1);
    expect_sync(&cthird, 2, NULL, 0);
    /* Committing what it polled completes the hand-off. */
    expect_ok_empty(group_store(&calice, 1, 2));
    expect_sync(&calice, 3, (const uint32_t[]){0}, 1);
    expect_sync(&cthird, 3, (const uint32_t[]){1}, 1);
    expect(group_store(&calice, 1, 2), MOCK_STATUS, 20);
    ck_assert_int_eq(group_poll(&calice, 1, 0), -1);
    ck_assert_int_eq(group_poll(&cthird, 1, 0), 0); /* continues after the commit */
    send_n(&croot, 0, 0, 1, 2);
    ck_assert_int_eq(group_poll(&cthird, 1, 1), 2);
    expect_owned_once(2);
}
END_TEST

START_TEST(group_join_moves_drained_partitions_at_once)
{
    make_group_topic(4);
    send_n(&croot, 0, 0, 1, 2);
    send_n(&croot, 0, 0, 2, 2);
    send_n(&croot, 0, 0, 3, 2);
    join(&calice);
    expect_sync(&calice, 1, (const uint32_t[]){0, 1, 2, 3}, 4);
    ck_assert_int_eq(group_poll(&calice, 1, 0), 2); /* in flight, but within calice's share */
    ck_assert_int_eq(group_poll(&calice, 2, 1), 2); /* auto-committed */
    ck_assert_int_eq(group_poll(&calice, 3, 0), 2);
    expect_ok_empty(group_store(&calice, 3, 1)); /* committed what it polled */
    join(&cthird);
    /* The excess, 3 then 2 from the end of calice's list, has nothing in flight. */
    expect_sync(&calice, 2, (const uint32_t[]){0, 1}, 2);
    expect_sync(&cthird, 2, (const uint32_t[]){3, 2}, 2);
    ck_assert_int_eq(group_poll(&cthird, 3, 0), 0);
    expect_owned_once(4);
}
END_TEST

START_TEST(group_join_skips_members_awaiting_a_handoff)
{
    make_group_topic(3);
    send_n(&croot, 0, 0, 1, 3);
    send_n(&croot, 0, 0, 2, 3);
    join(&calice);
    ck_assert_int_eq(group_poll(&calice, 1, 0), 3);
    ck_assert_int_eq(group_poll(&calice, 2, 0), 3);
    join(&cthird); /* 2 pending to cthird */
    expect_sync(&calice, 2, (const uint32_t[]){0, 1}, 2);
    join(&croot); /* cthird already awaits 2: 1 goes pending to croot */
    expect_sync(&calice, 3, (const uint32_t[]){0}, 1);
    expect_sync(&cthird, 3, NULL, 0);
    expect_sync(&croot, 3, NULL, 0);
    expect_ok_empty(group_store(&calice, 1, 2));
    expect_sync(&croot, 4, (const uint32_t[]){1}, 1);
    expect_sync(&cthird, 4, NULL, 0);
    expect_ok_empty(group_store(&calice, 2, 2));
    expect_sync(&cthird, 5, (const uint32_t[]){2}, 1);
    expect_sync(&calice, 5, (const uint32_t[]){0}, 1);
    expect_owned_once(3);
}
END_TEST

START_TEST(group_handoff_times_out)
{
    iggy_mock_state_set_rebalancing_timeout(st, 1000); /* 1 ms */
    make_pending_handoff();
    iggy_mock_state_tick(st, g_now + 500);
    expect_sync(&cthird, 2, NULL, 0);
    iggy_mock_state_tick(st, g_now + 1000);
    expect_sync(&calice, 3, (const uint32_t[]){0}, 1);
    expect_sync(&cthird, 3, (const uint32_t[]){1}, 1);
    ck_assert_int_eq(group_poll(&cthird, 1, 0), 3); /* nothing was committed: re-read */
    expect_owned_once(2);
}
END_TEST

START_TEST(group_handoff_dropped_when_source_leaves)
{
    make_pending_handoff();
    join(&croot); /* cthird already awaits a hand-off: croot gets nothing */
    expect_sync(&croot, 3, NULL, 0);
    expect_sync(&calice, 3, (const uint32_t[]){0}, 1);
    leave(&calice);
    /* Round-robin over cthird (member 1) and croot (member 2), nothing pending. */
    expect_sync(&cthird, 4, (const uint32_t[]){0}, 1);
    expect_sync(&croot, 4, (const uint32_t[]){1}, 1);
    ck_assert_int_eq(group_poll(&croot, 1, 0), 3);
    expect_owned_once(2);
    /* A store by the member that left completes nothing. */
    expect(group_store(&calice, 1, 2), MOCK_STATUS, 20);
    expect_sync(&croot, 4, (const uint32_t[]){1}, 1);
}
END_TEST

START_TEST(group_handoff_dropped_when_target_leaves)
{
    make_pending_handoff();
    iggy_mock_state_conn_closed(st, &cthird); /* a disconnect drops the membership */
    expect_sync(&calice, 3, (const uint32_t[]){0, 1}, 2);
    expect_owned_once(2);
    ck_assert_int_eq(group_poll(&calice, 1, 0), 3); /* polls it again, from the commit */
    expect_ok_empty(group_store(&calice, 1, 2));
    expect_sync(&calice, 3, (const uint32_t[]){0, 1}, 2);
}
END_TEST

START_TEST(group_last_polled_of_a_gone_member_is_not_in_flight)
{
    make_group_topic(2);
    send_n(&croot, 0, 0, 1, 3);
    join(&calice);
    ck_assert_int_eq(group_poll(&calice, 1, 0), 3);
    leave(&calice); /* nobody owns 1 now; what calice polled is to be re-read */
    join(&cthird);
    expect_sync(&cthird, 3, (const uint32_t[]){0, 1}, 2);
    join(&croot);
    expect_sync(&cthird, 4, (const uint32_t[]){0}, 1);
    expect_sync(&croot, 4, (const uint32_t[]){1}, 1);
    ck_assert_int_eq(group_poll(&croot, 1, 0), 3);
}
END_TEST

START_TEST(group_purge_completes_handoff)
{
    make_pending_handoff();
    /* A purge forgets what was polled: nothing is in flight, the hand-off completes. */
    free(ok(topic_ref_cmd(&croot, IGGY_CMD_PURGE_TOPIC, 0, 0)).p);
    expect_sync(&calice, 3, (const uint32_t[]){0}, 1);
    expect_sync(&cthird, 3, (const uint32_t[]){1}, 1);
}
END_TEST

/* ---------------------------------------------------------------- system */

START_TEST(system_commands)
{
    iggy_stats_t *stats;
    iggy_cluster_metadata_t *cm;
    iggy_option_descriptions_t *od;
    iggy_client_info_list_t *cl;
    iggy_writer_t b;
    res_t r;

    expect_ok_empty(call_empty(&croot, IGGY_CMD_PING));
    /* GetMe for connection 1 at 127.0.0.1:50000 as root: exactly the vector. */
    expect_vector(call_empty(&croot, IGGY_CMD_GET_ME), "get_me_reply_body", 0);
    {
        const test_vector_t *v = vector_get("get_client_body");
        expect_vector(call_raw(&croot, IGGY_CMD_GET_CLIENT, v->bytes, v->len), "get_me_reply_body",
                      0);
    }
    b = test_writer();
    iggy_enc_get_client(&b, 77);
    expect_ok_empty(call_w(&croot, IGGY_CMD_GET_CLIENT, &b));
    cl = decode(IGGY_CMD_GET_CLIENTS, ok(call_empty(&croot, IGGY_CMD_GET_CLIENTS)));
    ck_assert_uint_eq(cl->count, 3);
    ck_assert_uint_eq(cl->clients[1].user_id, IGGY_USER_NONE);
    ck_assert_str_eq(cl->clients[2].address, "127.0.0.1:50002");
    iggy_result_destroy(cl);

    free(ok(create_stream(&croot, "s")).p);
    free(ok(create_topic(&croot, 0, 2, "t")).p);
    free(ok(call_raw(&croot, IGGY_CMD_CREATE_CONSUMER_GROUP,
                     vector_get("create_consumer_group_body")->bytes,
                     vector_get("create_consumer_group_body")->len))
             .p);
    send_n(&croot, 0, 0, 1, 5);
    r = ok(call_empty(&croot, IGGY_CMD_GET_STATS));
    ck_assert_uint_gt(r.len, 108);
    stats = decode(IGGY_CMD_GET_STATS, r);
    ck_assert_uint_eq(stats->streams_count, 1);
    ck_assert_uint_eq(stats->topics_count, 1);
    ck_assert_uint_eq(stats->partitions_count, 2);
    ck_assert_uint_eq(stats->segments_count, 2);
    ck_assert_uint_eq(stats->messages_count, 5);
    ck_assert_uint_eq(stats->clients_count, 3);
    ck_assert_uint_eq(stats->consumer_groups_count, 0 + 1);
    ck_assert_str_eq(stats->iggy_server_version, "0.9.0-edge.5");
    ck_assert_uint_eq(stats->iggy_server_semver, 9000);
    iggy_result_destroy(stats);

    /* Single node: the vector except the ports this mock does not serve (quic/http/ws). */
    r = ok(call_empty(&croot, IGGY_CMD_GET_CLUSTER_METADATA));
    {
        size_t len;
        const uint8_t *want = reply_payload(vector_get("get_cluster_metadata_reply_body"), 0, &len);
        ck_assert_uint_eq(r.len, len);
        ck_assert_mem_eq(r.p, want, 47);
        ck_assert_mem_eq(r.p + 53, want + 53, 2);
    }
    free(r.p);
    {
        iggy_mock_cluster_t *c = iggy_mock_state_cluster(st);
        c->nodes = 3;
        c->leader = 1;
        strcpy(c->ip[1], "10.0.0.2");
        c->tcp_port[1] = 9001;
    }
    cm = decode(IGGY_CMD_GET_CLUSTER_METADATA,
                ok(call_empty(&croot, IGGY_CMD_GET_CLUSTER_METADATA)));
    ck_assert_uint_eq(cm->nodes_count, 3);
    ck_assert_uint_eq(cm->nodes[0].role, IGGY_NODE_FOLLOWER);
    ck_assert_uint_eq(cm->nodes[1].role, IGGY_NODE_LEADER);
    ck_assert_str_eq(cm->nodes[1].ip, "10.0.0.2");
    ck_assert_uint_eq(cm->nodes[1].tcp_port, 9001);
    iggy_result_destroy(cm);

    /* DescribeOptions: 8 topic keys with the derived defaults; streams/users none. */
    {
        const test_vector_t *v = vector_get("describe_options_request");
        od = decode(IGGY_CMD_DESCRIBE_OPTIONS,
                    ok(call_raw(&croot, IGGY_CMD_DESCRIBE_OPTIONS, v->bytes + 256, 1)));
    }
    ck_assert_uint_eq(od->count, 8);
    ck_assert_str_eq(od->entries[0].key, "compression_algorithm");
    ck_assert_str_eq(od->entries[1].key, "message_expiry");
    ck_assert_uint_eq(od->entries[1].kind, IGGY_KV_UINT64);
    ck_assert_str_eq(od->entries[7].key, "preallocate_segments");
    iggy_result_destroy(od);
    b = test_writer();
    iggy_enc_describe_options(&b, IGGY_OPTIONS_STREAM);
    r = ok(call_w(&croot, IGGY_CMD_DESCRIBE_OPTIONS, &b));
    ck_assert_uint_eq(r.len, 4);
    free(r.p);
    expect(call_raw(&croot, IGGY_CMD_DESCRIBE_OPTIONS, "\x07", 1), MOCK_STATUS, 3);

    /* Snapshot: a tiny stored ZIP. */
    {
        uint8_t types[1] = {IGGY_SNAPSHOT_ALL};
        b = test_writer();
        iggy_enc_get_snapshot_file(&b, IGGY_SNAPSHOT_DEFLATED, types, 1);
        r = ok(call_w(&croot, IGGY_CMD_GET_SNAPSHOT_FILE, &b));
        ck_assert_uint_gt(r.len, 22);
        ck_assert_mem_eq(r.p, "PK\x03\x04", 4);
        ck_assert_mem_eq(r.p + r.len - 22, "PK\x05\x06", 4);
        free(r.p);
        expect(call_raw(&croot, IGGY_CMD_GET_SNAPSHOT_FILE, "\x09\x01\x01", 3), MOCK_STATUS, 3);
    }

    /* Server-info permission. */
    make_alice(NULL);
    expect(call_empty(&calice, IGGY_CMD_GET_STATS), MOCK_STATUS, 41);
    expect(call_empty(&calice, IGGY_CMD_GET_CLIENTS), MOCK_STATUS, 41);
    free(ok(call_empty(&calice, IGGY_CMD_GET_ME)).p);
    free(ok(call_empty(&calice, IGGY_CMD_GET_CLUSTER_METADATA)).p);
    expect(call_empty(&cthird, IGGY_CMD_GET_CLUSTER_METADATA), MOCK_STATUS, 40);
}
END_TEST

/* ---------------------------------------------------------------- scoped permissions */

START_TEST(scoped_permissions)
{
    iggy_permissions_t p;
    iggy_stream_permissions_t sp;
    iggy_topic_permissions_t tp;
    iggy_consumer_ref_t c1 = {IGGY_CONSUMER_SINGLE, {NULL, 1}};
    uint32_t p0 = 0;

    free(ok(create_stream(&croot, "s0")).p);
    free(ok(create_stream(&croot, "s1")).p);
    free(ok(create_topic(&croot, 0, 1, "t0")).p);
    free(ok(create_topic(&croot, 0, 1, "t1")).p);
    free(ok(create_topic(&croot, 1, 1, "x")).p);
    /* Stream 0: read; topic 1 of stream 0: send only. */
    memset(&p, 0, sizeof p);
    memset(&sp, 0, sizeof sp);
    memset(&tp, 0, sizeof tp);
    tp.topic_id = 1;
    tp.send_messages = true;
    sp.stream_id = 0;
    sp.read_stream = true;
    sp.topics_count = 1;
    sp.topics = &tp;
    p.streams_count = 1;
    p.streams = &sp;
    make_alice(&p);
    free(ok(stream_ref_cmd(&calice, IGGY_CMD_GET_STREAM, 0)).p);
    expect(stream_ref_cmd(&calice, IGGY_CMD_GET_STREAM, 1), MOCK_STATUS, 41);
    free(ok(topic_ref_cmd(&calice, IGGY_CMD_GET_TOPIC, 0, 1)).p);
    expect(topic_ref_cmd(&calice, IGGY_CMD_GET_TOPIC, 1, 0), MOCK_STATUS, 41);
    expect(topic_ref_cmd(&calice, IGGY_CMD_DELETE_TOPIC, 0, 1), MOCK_REJECT, 41);
    ck_assert_uint_eq(send_n(&calice, 0, 1, 0, 1), 0); /* topic 1: send_messages */
    free(ok(poll_req(&calice, &c1, 0, 0, &p0, IGGY_POLL_FIRST, 0, 1, 0)).p);
    expect(poll_req(&calice, &c1, 1, 0, &p0, IGGY_POLL_FIRST, 0, 1, 0), MOCK_STATUS, 41);
}
END_TEST

static Suite *iggy_mock_state_suite(void)
{
    Suite *s = suite_create("iggy_mock_state");
    TCase *tc = tcase_create("handlers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, login_and_version_gate);
    tcase_add_test(tc, pat_lifecycle_and_login);
    tcase_add_test(tc, users_crud_and_errors);
    tcase_add_test(tc, inactive_user_pat_login);
    tcase_add_test(tc, streams_crud_ids_and_channels);
    tcase_add_test(tc, topics_defaults_vectors);
    tcase_add_test(tc, topic_options_catalog);
    tcase_add_test(tc, partitions_and_segments);
    tcase_add_test(tc, send_poll_vectors);
    tcase_add_test(tc, send_poll_golden_balanced);
    tcase_add_test(tc, poll_strategies);
    tcase_add_test(tc, consumer_offsets);
    tcase_add_test(tc, consumer_groups);
    tcase_add_test(tc, consumer_groups_vector_list);
    tcase_add_test(tc, group_join_hands_off_after_commit);
    tcase_add_test(tc, group_join_moves_drained_partitions_at_once);
    tcase_add_test(tc, group_join_skips_members_awaiting_a_handoff);
    tcase_add_test(tc, group_handoff_times_out);
    tcase_add_test(tc, group_handoff_dropped_when_source_leaves);
    tcase_add_test(tc, group_handoff_dropped_when_target_leaves);
    tcase_add_test(tc, group_last_polled_of_a_gone_member_is_not_in_flight);
    tcase_add_test(tc, group_purge_completes_handoff);
    tcase_add_test(tc, system_commands);
    tcase_add_test(tc, scoped_permissions);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(iggy_mock_state_suite());
}
