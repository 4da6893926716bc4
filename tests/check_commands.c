/* The public command surface (include/iggy/commands.h) end to end over TCP against the
 * built-in mock server, or a real server when IGGY_TEST_SERVER is set: every command's
 * success path and its documented failures, permissions, numeric and named identifiers,
 * typed topic options, raw commands and result reuse. Resource names are unique per run
 * so a shared real server works; checks that need the mock print SKIPPED. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iggy/iggy.h>
#include <iggy/mock.h>

#include "client/iggy_client_internal.h"
#include "codec/iggy_codec.h"
#include "iggy_clock.h"
#include "test_main.h"
#include "test_server.h"

#define EXPECT(expr, want)                                                                         \
    do {                                                                                           \
        iggy_err_t got_ = (expr);                                                                  \
        ck_assert_msg(got_ == (want), "%s: got %s (%d) [%s], want %s (%d)", #expr,                 \
                      iggy_err2name(got_), (int)got_, iggy_last_error_detail(),                    \
                      iggy_err2name(want), (int)(want));                                           \
    } while (0)
#define OK(expr) EXPECT(expr, IGGY_OK)

#define MIB (1024ull * 1024ull)
#define GIB (1024ull * MIB)

/* ---------------------------------------------------------------- fixture */

static test_server_t srv;
static test_leak_guard_t guard;

static void start(void)
{
    test_leak_guard_begin(&guard);
    test_server_start(&srv, NULL);
}

static void finish(void)
{
    test_server_stop(&srv);
    test_leak_guard_end(&guard);
}

static iggy_client_t *client_with(bool login, const char *const *props)
{
    iggy_conf_t *conf = test_conf(&srv, login, props);
    iggy_client_t *c;
    char err[256];
    ck_assert_msg(iggy_client_new(conf, &c, err, sizeof err) == IGGY_OK, "%s", err);
    iggy_conf_destroy(conf);
    return c;
}

/* A client logged in as another user (no automatic root credentials). */
static iggy_client_t *client_as(const char *user, const char *pass)
{
    const char *const props[] = {"username", user, "password", pass, NULL};
    return client_with(false, props);
}

static void destroy_client(iggy_client_t *c)
{
    iggy_pool_stats_t st;
    iggy_pool_get_stats(c->pool, &st);
    ck_assert_uint_eq(st.in_use, 0); /* every request and reply buffer went back */
    iggy_client_destroy(c);
}

/* A unique resource name (test_unique_name's buffer is static). */
static void uniq(char *buf, size_t cap, const char *prefix)
{
    snprintf(buf, cap, "%s", test_unique_name(prefix));
}

/* Requests the mock received; a real server cannot count, so "nothing was sent" checks
 * hold trivially there (said once). */
static uint64_t requests(uint32_t code)
{
    static bool said;
    if (srv.mock)
        return iggy_mock_request_count(srv.mock, code);
    if (!said)
        said = test_skip_unless_mock(&srv, "request counting (nothing-sent checks)");
    return 0;
}

/* A stream and a topic under it, by name. */
typedef struct fixture {
    char stream[128], topic[128];
    iggy_identifier_t s, t;
    uint32_t stream_id, topic_id;
} fixture_t;

static void make_topic(iggy_client_t *c, fixture_t *f, uint32_t partitions)
{
    iggy_stream_t *s = NULL;
    iggy_topic_t *t = NULL;
    uniq(f->stream, sizeof f->stream, "cmd-s");
    uniq(f->topic, sizeof f->topic, "cmd-t");
    f->s = iggy_id_name(f->stream);
    f->t = iggy_id_name(f->topic);
    OK(iggy_create_stream(c, f->stream, &s));
    OK(iggy_create_topic(c, &f->s, f->topic, partitions, NULL, &t));
    f->stream_id = s->id;
    f->topic_id = t->id;
    iggy_result_destroy(s);
    iggy_result_destroy(t);
}

static void drop_topic(iggy_client_t *c, fixture_t *f)
{
    OK(iggy_delete_stream(c, &f->s));
}

/* Messages through the internal RPC path (the public send API is another issue). */
static void send_messages(iggy_client_t *c, const fixture_t *f, uint32_t partition, size_t n)
{
    iggy_send_message_t msgs[8];
    iggy_partitioning_t p = {IGGY_PARTITIONING_PARTITION_ID, partition, NULL, 0};
    struct timespec ts;
    void *conf = NULL;
    iggy_rpc_t rpc;
    ck_assert_uint_le(n, 8);
    memset(msgs, 0, sizeof msgs);
    for (size_t i = 0; i < n; i++) {
        msgs[i].payload = "payload";
        msgs[i].payload_len = 7;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    OK(iggy_rpc_begin(c, IGGY_CMD_SEND_MESSAGES, &rpc));
    iggy_enc_send_messages(&rpc.w, &f->s, &f->t, &p, msgs, n,
                           (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
    OK(iggy_rpc_end(&rpc, &conf));
    iggy_result_destroy(conf);
}

static const iggy_kv_t *find_kv(const iggy_kv_list_t *l, const char *key)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->entries[i].key_len == strlen(key) &&
            memcmp(l->entries[i].key, key, strlen(key)) == 0)
            return &l->entries[i];
    return NULL;
}

static uint64_t kv_uint(const iggy_kv_t *e)
{
    uint64_t v = 0;
    for (uint32_t i = e->value_len; i > 0; i--)
        v = (v << 8) | e->value[i - 1];
    return v;
}

/* ---------------------------------------------------------------- system */

START_TEST(system_commands)
{
    static const iggy_snapshot_type_t types[] = {IGGY_SNAPSHOT_TEST};
    static const char *const short_timeout[] = {"request.timeout.ms", "2000", NULL};
    iggy_client_t *c, *anon;
    iggy_stats_t *stats = NULL;
    iggy_client_info_t *me = NULL, *other = NULL;
    iggy_client_info_list_t *clients = NULL;
    iggy_cluster_metadata_t *meta = NULL;
    iggy_option_descriptions_t *desc = NULL;
    iggy_raw_reply_t *snap = NULL;
    bool found = false;

    start();
    c = client_with(true, NULL);
    OK(iggy_get_stats(c, &stats));
    ck_assert_ptr_nonnull(stats->iggy_server_version);
    ck_assert_uint_ge(stats->clients_count, 1);

    OK(iggy_get_me(c, &me));
    ck_assert_ptr_nonnull(me->address);
    ck_assert_uint_ne(me->user_id, IGGY_USER_NONE);
    OK(iggy_get_client(c, me->client_id, &other));
    ck_assert_uint_eq(other->client_id, me->client_id);
    ck_assert_str_eq(other->address, me->address);
    EXPECT(iggy_get_client(c, 0xFFFFFFF0u, &other), IGGY_ERR__NOT_FOUND);
    ck_assert_uint_eq(other->client_id, me->client_id); /* untouched on failure */

    OK(iggy_get_clients(c, &clients));
    for (size_t i = 0; i < clients->count; i++)
        found |= clients->clients[i].client_id == me->client_id;
    ck_assert(found);

    OK(iggy_get_cluster_metadata(c, &meta));
    ck_assert_uint_ge(meta->nodes_count, 1);
    ck_assert_ptr_nonnull(meta->name);

    OK(iggy_describe_options(c, IGGY_OPTIONS_TOPIC, &desc));
    ck_assert_uint_eq(desc->count, 8);
    OK(iggy_describe_options(c, IGGY_OPTIONS_STREAM, &desc)); /* reuses the block */
    ck_assert_uint_eq(desc->count, 0);
    EXPECT(iggy_describe_options(c, (iggy_options_scope_t)9, &desc), IGGY_ERR__INVALID_ARG);

    OK(iggy_get_snapshot_file(c, IGGY_SNAPSHOT_STORED, types, 1, &snap));
    ck_assert_uint_ge(snap->len, 4);
    ck_assert_mem_eq(snap->data, "PK\x03\x04", 4); /* a ZIP archive */
    EXPECT(iggy_get_snapshot_file(c, IGGY_SNAPSHOT_STORED, NULL, 0, &snap), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_snapshot_file(c, (iggy_snapshot_compression_t)9, types, 1, &snap),
           IGGY_ERR__INVALID_ARG);

    /* Without a session every command but Ping is refused (promptly: a short deadline
     * turns a client that retries 40 in a loop into a failure instead of a long hang). */
    anon = client_with(false, short_timeout);
    OK(iggy_ping(anon));
    EXPECT(iggy_get_stats(anon, &stats), IGGY_ERR_UNAUTHENTICATED);
    {
        iggy_stream_list_t *none = NULL;
        EXPECT(iggy_get_streams(anon, &none), IGGY_ERR_UNAUTHENTICATED);
        ck_assert_ptr_null(none);
    }
    EXPECT(iggy_create_stream(anon, "never", NULL), IGGY_ERR_UNAUTHENTICATED);
    destroy_client(anon);

    iggy_result_destroy(stats);
    iggy_result_destroy(me);
    iggy_result_destroy(other);
    iggy_result_destroy(clients);
    iggy_result_destroy(meta);
    iggy_result_destroy(desc);
    iggy_result_destroy(snap);
    destroy_client(c);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- users */

START_TEST(user_commands)
{
    char name[128], renamed[128];
    iggy_client_t *c, *u;
    iggy_user_t *user = NULL, *got = NULL;
    iggy_user_list_t *list = NULL;
    iggy_client_info_t *me = NULL;
    iggy_identifier_t by_name, by_id, missing = iggy_id_name("no-such-user-xyz"),
                                      root = iggy_id_num(0);
    iggy_permissions_t perms;
    bool listed = false;

    start();
    c = client_with(true, NULL);
    uniq(name, sizeof name, "u");
    uniq(renamed, sizeof renamed, "r");
    OK(iggy_create_user(c, name, "secret-1", IGGY_USER_ACTIVE, NULL, &user));
    ck_assert_str_eq(user->username, name);
    ck_assert_uint_eq(user->status, IGGY_USER_ACTIVE);
    ck_assert_ptr_null(user->permissions);
    by_name = iggy_id_name(name);
    by_id = iggy_id_num(user->id);

    OK(iggy_get_user(c, &by_name, &got));
    ck_assert_uint_eq(got->id, user->id);
    OK(iggy_get_user(c, &by_id, &got));
    ck_assert_str_eq(got->username, name);
    OK(iggy_get_users(c, &list));
    for (size_t i = 0; i < list->count; i++)
        listed |= list->users[i].id == user->id;
    ck_assert(listed);

    EXPECT(iggy_create_user(c, name, "secret-x", IGGY_USER_ACTIVE, NULL, NULL),
           IGGY_ERR_USER_ALREADY_EXISTS);
    EXPECT(iggy_create_user(c, "ab", "secret", IGGY_USER_ACTIVE, NULL, NULL),
           IGGY_ERR_INVALID_USERNAME);
    EXPECT(iggy_create_user(c, name, NULL, IGGY_USER_ACTIVE, NULL, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_create_user(c, name, "x", (iggy_user_status_t)7, NULL, NULL),
           IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_user(c, &missing, &got), IGGY_ERR__NOT_FOUND);

    /* Rename and deactivate, then reactivate keeping the name (NULL). */
    OK(iggy_update_user(c, &by_id, renamed, IGGY_USER_INACTIVE));
    OK(iggy_get_user(c, &by_id, &got));
    ck_assert_str_eq(got->username, renamed);
    ck_assert_uint_eq(got->status, IGGY_USER_INACTIVE);
    OK(iggy_update_user(c, &by_id, NULL, IGGY_USER_ACTIVE));
    OK(iggy_get_user(c, &by_id, &got));
    ck_assert_str_eq(got->username, renamed);
    ck_assert_uint_eq(got->status, IGGY_USER_ACTIVE);
    EXPECT(iggy_update_user(c, &missing, "whatever", 0), IGGY_ERR_RESOURCE_NOT_FOUND);
    EXPECT(iggy_update_user(c, &by_id, srv.username, 0), IGGY_ERR_USER_ALREADY_EXISTS);

    memset(&perms, 0, sizeof perms);
    perms.global.read_streams = true;
    perms.global.read_topics = true;
    OK(iggy_update_permissions(c, &by_id, &perms));
    OK(iggy_get_user(c, &by_id, &got));
    ck_assert_ptr_nonnull(got->permissions);
    ck_assert(got->permissions->global.read_streams);
    ck_assert(!got->permissions->global.manage_streams);
    OK(iggy_update_permissions(c, &by_id, NULL));
    OK(iggy_get_user(c, &by_id, &got));
    ck_assert_ptr_null(got->permissions);
    EXPECT(iggy_update_permissions(c, &missing, NULL), IGGY_ERR_RESOURCE_NOT_FOUND);
    EXPECT(iggy_update_permissions(c, &root, NULL), IGGY_ERR_CANNOT_CHANGE_PERMISSIONS);

    EXPECT(iggy_change_password(c, &by_id, "wrong", "secret-2"), IGGY_ERR_INVALID_CREDENTIALS);
    OK(iggy_change_password(c, &by_id, "secret-1", "secret-2"));
    EXPECT(iggy_change_password(c, &missing, "a", "b"), IGGY_ERR_RESOURCE_NOT_FOUND);
    u = client_as(renamed, "secret-2"); /* the new password works */
    OK(iggy_get_me(u, &me));
    ck_assert_uint_eq(me->user_id, user->id);
    destroy_client(u);

    EXPECT(iggy_delete_user(c, &root), IGGY_ERR_CANNOT_DELETE_USER);
    OK(iggy_delete_user(c, &by_id));
    EXPECT(iggy_get_user(c, &by_id, &got), IGGY_ERR__NOT_FOUND);
    EXPECT(iggy_delete_user(c, &by_id), IGGY_ERR_RESOURCE_NOT_FOUND);

    iggy_result_destroy(user);
    iggy_result_destroy(got);
    iggy_result_destroy(list);
    iggy_result_destroy(me);
    destroy_client(c);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- personal access tokens */

START_TEST(personal_access_token_commands)
{
    char name[128];
    iggy_client_t *c, *t;
    iggy_raw_pat_t *pat = NULL;
    iggy_pat_list_t *list = NULL;
    iggy_client_info_t *me = NULL;
    bool listed = false;

    start();
    c = client_with(true, NULL);
    uniq(name, sizeof name, "pat");
    OK(iggy_create_personal_access_token(c, name, 0, &pat));
    ck_assert_uint_gt(strlen(pat->token), 0);
    EXPECT(iggy_create_personal_access_token(c, name, IGGY_EXPIRY_NEVER, &pat),
           IGGY_ERR_PERSONAL_ACCESS_TOKEN_ALREADY_EXISTS);
    EXPECT(iggy_create_personal_access_token(c, name, 0, NULL), IGGY_ERR__INVALID_ARG);
    OK(iggy_get_personal_access_tokens(c, &list));
    for (size_t i = 0; i < list->count; i++)
        listed |= strcmp(list->tokens[i].name, name) == 0;
    ck_assert(listed);

    t = client_with(false, NULL);
    OK(iggy_login_with_personal_access_token(t, pat->token, NULL));
    OK(iggy_get_me(t, &me));
    destroy_client(t);

    OK(iggy_delete_personal_access_token(c, name));
    EXPECT(iggy_delete_personal_access_token(c, name), IGGY_ERR_RESOURCE_NOT_FOUND);
    EXPECT(iggy_delete_personal_access_token(c, ""), IGGY_ERR__INVALID_ARG);
    OK(iggy_get_personal_access_tokens(c, &list));
    for (size_t i = 0; i < list->count; i++)
        ck_assert_str_ne(list->tokens[i].name, name);

    iggy_result_destroy(pat);
    iggy_result_destroy(list);
    iggy_result_destroy(me);
    destroy_client(c);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- streams */

START_TEST(stream_commands)
{
    char a[128], b[128], renamed[128], long_name[300];
    iggy_client_t *c;
    iggy_stream_t *s = NULL, *got = NULL;
    iggy_stream_list_t *list = NULL;
    iggy_identifier_t id, by_name, missing = iggy_id_name("no-such-stream-xyz");
    int seen = 0;

    start();
    c = client_with(true, NULL);
    uniq(a, sizeof a, "sa");
    uniq(b, sizeof b, "sb");
    uniq(renamed, sizeof renamed, "sr");
    OK(iggy_create_stream(c, a, &s));
    ck_assert_str_eq(s->name, a);
    ck_assert_uint_eq(s->topics_count, 0);
    ck_assert_ptr_null(s->topics);
    OK(iggy_create_stream(c, b, NULL)); /* out may be NULL */
    EXPECT(iggy_create_stream(c, a, NULL), IGGY_ERR_STREAM_NAME_ALREADY_EXISTS);
    EXPECT(iggy_create_stream(c, "", NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_create_stream(c, NULL, NULL), IGGY_ERR__INVALID_ARG);
    memset(long_name, 'n', 256);
    long_name[256] = '\0';
    EXPECT(iggy_create_stream(c, long_name, NULL), IGGY_ERR__INVALID_ARG);

    id = iggy_id_num(s->id);
    by_name = iggy_id_name(a);
    OK(iggy_get_stream(c, &id, &got));
    ck_assert_str_eq(got->name, a);
    OK(iggy_get_stream(c, &by_name, &got));
    ck_assert_uint_eq(got->id, s->id);
    EXPECT(iggy_get_stream(c, &missing, &got), IGGY_ERR__NOT_FOUND);
    OK(iggy_get_streams(c, &list));
    for (size_t i = 0; i < list->count; i++)
        seen += !strcmp(list->streams[i].name, a) + !strcmp(list->streams[i].name, b);
    ck_assert_int_eq(seen, 2);

    OK(iggy_update_stream(c, &by_name, renamed));
    EXPECT(iggy_get_stream(c, &by_name, &got), IGGY_ERR__NOT_FOUND);
    OK(iggy_get_stream(c, &id, &got));
    ck_assert_str_eq(got->name, renamed);
    EXPECT(iggy_update_stream(c, &id, b), IGGY_ERR_STREAM_NAME_ALREADY_EXISTS);
    EXPECT(iggy_update_stream(c, &missing, "x"), IGGY_ERR_STREAM_ID_NOT_FOUND);
    OK(iggy_update_stream(c, &id, renamed)); /* the current name is allowed */

    OK(iggy_purge_stream(c, &id));
    EXPECT(iggy_purge_stream(c, &missing), IGGY_ERR_STREAM_ID_NOT_FOUND);
    OK(iggy_delete_stream(c, &id));
    EXPECT(iggy_delete_stream(c, &id), IGGY_ERR_STREAM_ID_NOT_FOUND);
    EXPECT(iggy_get_stream(c, &id, &got), IGGY_ERR__NOT_FOUND);
    by_name = iggy_id_name(b);
    OK(iggy_delete_stream(c, &by_name));

    iggy_result_destroy(s);
    iggy_result_destroy(got);
    iggy_result_destroy(list);
    destroy_client(c);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- topics */

START_TEST(topic_commands)
{
    char second[128], renamed[128];
    fixture_t f;
    iggy_client_t *c;
    iggy_topic_t *t = NULL;
    iggy_topic_list_t *list = NULL;
    iggy_topic_config_t cfg;
    iggy_identifier_t tid, missing = iggy_id_name("no-such-topic-xyz"),
                           no_stream = iggy_id_name("no-such-stream-xyz");

    start();
    c = client_with(true, NULL);
    make_topic(c, &f, 3);
    uniq(second, sizeof second, "t2");
    uniq(renamed, sizeof renamed, "tr");
    tid = iggy_id_num(f.topic_id);

    OK(iggy_get_topic(c, &f.s, &f.t, &t));
    ck_assert_str_eq(t->name, f.topic);
    ck_assert_uint_eq(t->partitions_count, 3);
    ck_assert_ptr_nonnull(t->partitions);
    for (uint32_t i = 0; i < 3; i++)
        ck_assert_uint_eq(t->partitions[i].id, i);
    /* A default topic shows the resolved "never" and "unlimited". */
    ck_assert(t->message_expiry == IGGY_EXPIRY_NEVER);
    ck_assert(t->max_topic_size == IGGY_SIZE_UNLIMITED);
    ck_assert_uint_eq(t->explicit_options.count, 0);
    ck_assert_uint_eq(t->derived_options.count, 8);

    OK(iggy_create_topic(c, &f.s, second, 0, NULL, NULL)); /* 0 partitions is legal */
    EXPECT(iggy_create_topic(c, &f.s, f.topic, 1, NULL, NULL), IGGY_ERR_TOPIC_NAME_ALREADY_EXISTS);
    EXPECT(iggy_create_topic(c, &no_stream, "t", 1, NULL, NULL), IGGY_ERR_STREAM_ID_NOT_FOUND);
    EXPECT(iggy_create_topic(c, &f.s, "big", 1001, NULL, NULL), IGGY_ERR_TOO_MANY_PARTITIONS);
    EXPECT(iggy_create_topic(c, &f.s, "", 1, NULL, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_create_topic(c, NULL, "t", 1, NULL, NULL), IGGY_ERR__INVALID_ARG);

    OK(iggy_get_topics(c, &f.s, &list));
    ck_assert_uint_eq(list->count, 2);
    ck_assert_ptr_null(list->topics[0].partitions);
    OK(iggy_get_topics(c, &no_stream, &list)); /* a missing stream lists nothing */
    ck_assert_uint_eq(list->count, 0);
    EXPECT(iggy_get_topic(c, &f.s, &missing, &t), IGGY_ERR__NOT_FOUND);
    EXPECT(iggy_get_topic(c, &no_stream, &f.t, &t), IGGY_ERR__NOT_FOUND);

    iggy_topic_config_init(&cfg);
    cfg.message_expiry = iggy_some_u64(3600000000ull);
    cfg.max_topic_size = iggy_some_u64(2 * GIB);
    cfg.compression_algorithm = iggy_some_u8(IGGY_COMPRESSION_GZIP);
    OK(iggy_update_topic(c, &f.s, &tid, renamed, &cfg));
    OK(iggy_get_topic(c, &f.s, &tid, &t));
    ck_assert_str_eq(t->name, renamed);
    ck_assert_uint_eq(t->message_expiry, 3600000000ull);
    ck_assert_uint_eq(t->max_topic_size, 2 * GIB);
    ck_assert_uint_eq(t->compression_algorithm, IGGY_COMPRESSION_GZIP);
    OK(iggy_update_topic(c, &f.s, &tid, renamed, NULL)); /* name only */
    EXPECT(iggy_update_topic(c, &f.s, &tid, second, NULL), IGGY_ERR_TOPIC_NAME_ALREADY_EXISTS);
    EXPECT(iggy_update_topic(c, &f.s, &missing, "x", NULL), IGGY_ERR_TOPIC_ID_NOT_FOUND);
    EXPECT(iggy_update_topic(c, &no_stream, &tid, "x", NULL), IGGY_ERR_STREAM_ID_NOT_FOUND);

    OK(iggy_purge_topic(c, &f.s, &tid));
    EXPECT(iggy_purge_topic(c, &f.s, &missing), IGGY_ERR_TOPIC_ID_NOT_FOUND);
    OK(iggy_delete_topic(c, &f.s, &tid));
    EXPECT(iggy_get_topic(c, &f.s, &tid, &t), IGGY_ERR__NOT_FOUND);
    EXPECT(iggy_delete_topic(c, &f.s, &tid), IGGY_ERR_TOPIC_ID_NOT_FOUND);
    EXPECT(iggy_delete_topic(c, &no_stream, &tid), IGGY_ERR_STREAM_ID_NOT_FOUND);

    drop_topic(c, &f);
    iggy_result_destroy(t);
    iggy_result_destroy(list);
    destroy_client(c);
    finish();
}
END_TEST

START_TEST(topic_options_round_trip)
{
    static const uint8_t size_le[8] = {0, 0, 0x40, 0, 0, 0, 0, 0}; /* 4 MiB */
    const iggy_kv_t raw[] = {{IGGY_KV_STRING, IGGY_KV_UINT64, 33, 8,
                              (const uint8_t *)"size_of_messages_required_to_save", size_le}};
    char name[128];
    fixture_t f;
    iggy_client_t *c;
    iggy_topic_t *t = NULL;
    iggy_topic_config_t cfg;
    const iggy_kv_t *e;
    uint64_t before;

    start();
    c = client_with(true, NULL);
    make_topic(c, &f, 1);
    uniq(name, sizeof name, "opts");

    iggy_topic_config_init(&cfg);
    cfg.compression_algorithm = iggy_some_u8(IGGY_COMPRESSION_GZIP);
    cfg.message_expiry = iggy_some_u64(60000000ull);
    cfg.max_topic_size = iggy_some_u64(2 * GIB);
    cfg.segment_size = iggy_some_u64(16 * MIB);
    cfg.enforce_fsync = iggy_some_bool(true);
    cfg.messages_required_to_save = iggy_some_u32(2048);
    cfg.preallocate_segments = iggy_some_bool(false);
    cfg.raw_options = raw;
    cfg.raw_options_count = 1;
    OK(iggy_create_topic(c, &f.s, name, 2, &cfg, &t));
    ck_assert_uint_eq(t->explicit_options.count, 8);
    ck_assert_uint_eq(t->derived_options.count, 0);

    /* get_topic shows them in the fixed fields and the explicit block. */
    {
        iggy_identifier_t tid = iggy_id_name(name);
        OK(iggy_get_topic(c, &f.s, &tid, &t));
    }
    ck_assert_uint_eq(t->compression_algorithm, IGGY_COMPRESSION_GZIP);
    ck_assert_uint_eq(t->message_expiry, 60000000ull);
    ck_assert_uint_eq(t->max_topic_size, 2 * GIB);
    ck_assert_uint_eq(t->explicit_options.count, 8);
    ck_assert_uint_eq(t->derived_options.count, 0);
    ck_assert_ptr_nonnull(find_kv(&t->explicit_options, "compression_algorithm"));
    e = find_kv(&t->explicit_options, "message_expiry");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->value_kind, IGGY_KV_UINT64);
    ck_assert_uint_eq(kv_uint(e), 60000000ull);
    e = find_kv(&t->explicit_options, "max_topic_size");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(kv_uint(e), 2 * GIB);
    e = find_kv(&t->explicit_options, "segment_size");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->value_kind, IGGY_KV_UINT64);
    ck_assert_uint_eq(kv_uint(e), 16 * MIB);
    e = find_kv(&t->explicit_options, "enforce_fsync");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->value_kind, IGGY_KV_BOOL);
    ck_assert_uint_eq(e->value_len, 1);
    ck_assert_uint_eq(e->value[0], 1);
    e = find_kv(&t->explicit_options, "messages_required_to_save");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->value_kind, IGGY_KV_UINT32);
    ck_assert_uint_eq(kv_uint(e), 2048);
    e = find_kv(&t->explicit_options, "size_of_messages_required_to_save");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(kv_uint(e), 4 * MIB);
    e = find_kv(&t->explicit_options, "preallocate_segments");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->value[0], 0);
    for (size_t i = 1; i < t->explicit_options.count; i++) { /* byte-wise sorted */
        const iggy_kv_t *p = &t->explicit_options.entries[i - 1],
                        *q = &t->explicit_options.entries[i];
        ck_assert_int_lt(strcmp((const char *)p->key, (const char *)q->key), 0);
    }

    /* Values the server refuses are refused here, before anything is sent. */
    before = requests(302);
    iggy_topic_config_init(&cfg);
    cfg.segment_size = iggy_some_u64(1000);
    EXPECT(iggy_create_topic(c, &f.s, "bad", 1, &cfg, NULL), IGGY_ERR__INVALID_ARG);
    cfg.segment_size = iggy_some_u64(2 * GIB);
    EXPECT(iggy_create_topic(c, &f.s, "bad", 1, &cfg, NULL), IGGY_ERR__INVALID_ARG);
    cfg.segment_size = iggy_some_u64(MIB + 100);
    EXPECT(iggy_create_topic(c, &f.s, "bad", 1, &cfg, NULL), IGGY_ERR__INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(iggy_last_error_detail(), "segment_size"));
    iggy_topic_config_init(&cfg);
    cfg.compression_algorithm = iggy_some_u8(3);
    EXPECT(iggy_create_topic(c, &f.s, "bad", 1, &cfg, NULL), IGGY_ERR__INVALID_ARG);
    iggy_topic_config_init(&cfg);
    cfg.messages_required_to_save = iggy_some_u32(0);
    EXPECT(iggy_create_topic(c, &f.s, "bad", 1, &cfg, NULL), IGGY_ERR__INVALID_ARG);
    iggy_topic_config_init(&cfg);
    cfg.size_of_messages_required_to_save = iggy_some_u64(4 * MIB);
    cfg.raw_options = raw; /* repeats a typed key */
    cfg.raw_options_count = 1;
    EXPECT(iggy_create_topic(c, &f.s, "bad", 1, &cfg, NULL), IGGY_ERR__INVALID_ARG);
    cfg.raw_options = NULL;
    EXPECT(iggy_create_topic(c, &f.s, "bad", 1, &cfg, NULL), IGGY_ERR__INVALID_ARG);
    ck_assert_uint_eq(requests(302), before);

    {
        iggy_identifier_t tid = iggy_id_name(name);
        before = requests(304);
        iggy_topic_config_init(&cfg);
        cfg.segment_size = iggy_some_u64(16 * MIB); /* create-only key */
        EXPECT(iggy_update_topic(c, &f.s, &tid, name, &cfg), IGGY_ERR__INVALID_ARG);
        iggy_topic_config_init(&cfg);
        cfg.enforce_fsync = iggy_some_bool(false);
        EXPECT(iggy_update_topic(c, &f.s, &tid, name, &cfg), IGGY_ERR__INVALID_ARG);
        iggy_topic_config_init(&cfg);
        cfg.message_expiry = iggy_some_u64(0);
        EXPECT(iggy_update_topic(c, &f.s, &tid, name, &cfg), IGGY_ERR__INVALID_ARG);
        iggy_topic_config_init(&cfg);
        cfg.max_topic_size = iggy_some_u64(0);
        EXPECT(iggy_update_topic(c, &f.s, &tid, name, &cfg), IGGY_ERR__INVALID_ARG);
        ck_assert_uint_eq(requests(304), before);
    }

    /* What only the server knows: an unknown raw key. */
    {
        const iggy_kv_t unknown[] = {
            {IGGY_KV_STRING, IGGY_KV_UINT8, 11, 1, (const uint8_t *)"no_such_key", size_le + 2}};
        iggy_topic_config_init(&cfg);
        cfg.raw_options = unknown;
        cfg.raw_options_count = 1;
        EXPECT(iggy_create_topic(c, &f.s, "unknown-key", 1, &cfg, NULL),
               IGGY_ERR_UNSUPPORTED_OPTION_KEY);
    }

    drop_topic(c, &f);
    iggy_result_destroy(t);
    destroy_client(c);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- partitions, segments */

START_TEST(partition_commands)
{
    fixture_t f;
    iggy_client_t *c;
    iggy_topic_t *t = NULL;
    iggy_identifier_t missing = iggy_id_name("no-such-topic-xyz"),
                      no_stream = iggy_id_name("no-such-stream-xyz");

    start();
    c = client_with(true, NULL);
    make_topic(c, &f, 2);
    OK(iggy_create_partitions(c, &f.s, &f.t, 3));
    OK(iggy_get_topic(c, &f.s, &f.t, &t));
    ck_assert_uint_eq(t->partitions_count, 5);
    ck_assert_uint_eq(t->partitions[4].id, 4);
    EXPECT(iggy_create_partitions(c, &f.s, &f.t, 0), IGGY_ERR_TOO_MANY_PARTITIONS);
    EXPECT(iggy_create_partitions(c, &f.s, &f.t, 1001), IGGY_ERR_TOO_MANY_PARTITIONS);
    EXPECT(iggy_create_partitions(c, &f.s, &missing, 1), IGGY_ERR_TOPIC_ID_NOT_FOUND);
    EXPECT(iggy_create_partitions(c, &no_stream, &f.t, 1), IGGY_ERR_STREAM_ID_NOT_FOUND);

    OK(iggy_delete_partitions(c, &f.s, &f.t, 2));
    OK(iggy_get_topic(c, &f.s, &f.t, &t));
    ck_assert_uint_eq(t->partitions_count, 3);
    ck_assert_uint_eq(t->partitions[2].id, 2); /* the highest ids went */
    EXPECT(iggy_delete_partitions(c, &f.s, &f.t, 10), IGGY_ERR_INVALID_PARTITIONS_COUNT);
    EXPECT(iggy_delete_partitions(c, &f.s, &f.t, 0), IGGY_ERR_TOO_MANY_PARTITIONS);
    EXPECT(iggy_delete_partitions(c, &f.s, &missing, 1), IGGY_ERR_TOPIC_ID_NOT_FOUND);

    send_messages(c, &f, 0, 3);
    OK(iggy_delete_segments(c, &f.s, &f.t, 0, 1)); /* nothing sealed: still a success */
    EXPECT(iggy_delete_segments(c, &f.s, &f.t, 99, 1), IGGY_ERR_PARTITION_NOT_FOUND);
    EXPECT(iggy_delete_segments(c, &f.s, &missing, 0, 1), IGGY_ERR_TOPIC_ID_NOT_FOUND);
    EXPECT(iggy_delete_segments(c, &no_stream, &f.t, 0, 1), IGGY_ERR_STREAM_ID_NOT_FOUND);

    drop_topic(c, &f);
    iggy_result_destroy(t);
    destroy_client(c);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- consumer groups */

START_TEST(consumer_group_commands)
{
    char name[128];
    fixture_t f;
    iggy_client_t *c;
    iggy_consumer_group_t *g = NULL, *got = NULL;
    iggy_consumer_group_list_t *list = NULL;
    iggy_group_assignment_t *a = NULL;
    iggy_identifier_t gid, gname, missing = iggy_id_name("no-such-group-xyz"),
                                  no_topic = iggy_id_name("no-such-topic-xyz"),
                                  no_stream = iggy_id_name("no-such-stream-xyz");

    start();
    c = client_with(true, NULL);
    make_topic(c, &f, 3);
    uniq(name, sizeof name, "g");
    OK(iggy_create_consumer_group(c, &f.s, &f.t, name, &g));
    ck_assert_str_eq(g->name, name);
    ck_assert_uint_eq(g->partitions_count, 3);
    ck_assert_uint_eq(g->members_count, 0);
    gid = iggy_id_num(g->id);
    gname = iggy_id_name(name);
    EXPECT(iggy_create_consumer_group(c, &f.s, &f.t, name, NULL),
           IGGY_ERR_CONSUMER_GROUP_NAME_ALREADY_EXISTS);
    EXPECT(iggy_create_consumer_group(c, &f.s, &no_topic, "g", NULL), IGGY_ERR_TOPIC_ID_NOT_FOUND);
    EXPECT(iggy_create_consumer_group(c, &no_stream, &f.t, "g", NULL),
           IGGY_ERR_STREAM_ID_NOT_FOUND);
    EXPECT(iggy_create_consumer_group(c, &f.s, &f.t, "", NULL), IGGY_ERR__INVALID_ARG);

    OK(iggy_get_consumer_group(c, &f.s, &f.t, &gname, &got));
    ck_assert_uint_eq(got->id, g->id);
    OK(iggy_get_consumer_groups(c, &f.s, &f.t, &list));
    ck_assert_uint_eq(list->count, 1);
    ck_assert_str_eq(list->groups[0].name, name);
    EXPECT(iggy_get_consumer_group(c, &f.s, &f.t, &missing, &got), IGGY_ERR__NOT_FOUND);
    EXPECT(iggy_get_consumer_group(c, &f.s, &no_topic, &gid, &got), IGGY_ERR_TOPIC_ID_NOT_FOUND);
    EXPECT(iggy_get_consumer_group(c, &no_stream, &f.t, &gid, &got), IGGY_ERR_STREAM_ID_NOT_FOUND);
    EXPECT(iggy_get_consumer_groups(c, &f.s, &no_topic, &list), IGGY_ERR_TOPIC_ID_NOT_FOUND);

    EXPECT(iggy_sync_consumer_group(c, &f.s, &f.t, &gid, &a), IGGY_ERR__NOT_FOUND); /* no member */
    OK(iggy_join_consumer_group(c, &f.s, &f.t, &gid));
    OK(iggy_join_consumer_group(c, &f.s, &f.t, &gname)); /* idempotent */
    OK(iggy_get_consumer_group(c, &f.s, &f.t, &gid, &got));
    ck_assert_uint_eq(got->members_count, 1);
    ck_assert_uint_eq(got->members[0].partitions_count, 3);
    OK(iggy_sync_consumer_group(c, &f.s, &f.t, &gname, &a));
    ck_assert_uint_eq(a->partitions_count, 3);
    EXPECT(iggy_join_consumer_group(c, &f.s, &f.t, &missing), IGGY_ERR_CONSUMER_GROUP_ID_NOT_FOUND);
    OK(iggy_leave_consumer_group(c, &f.s, &f.t, &gid));
    EXPECT(iggy_leave_consumer_group(c, &f.s, &f.t, &gid),
           IGGY_ERR_CONSUMER_GROUP_MEMBER_NOT_FOUND);
    EXPECT(iggy_sync_consumer_group(c, &f.s, &f.t, &gid, &a), IGGY_ERR__NOT_FOUND);

    OK(iggy_delete_consumer_group(c, &f.s, &f.t, &gname));
    EXPECT(iggy_delete_consumer_group(c, &f.s, &f.t, &gid), IGGY_ERR_CONSUMER_GROUP_ID_NOT_FOUND);
    EXPECT(iggy_get_consumer_group(c, &f.s, &f.t, &gid, &got), IGGY_ERR__NOT_FOUND);
    OK(iggy_get_consumer_groups(c, &f.s, &f.t, &list));
    ck_assert_uint_eq(list->count, 0);

    drop_topic(c, &f);
    iggy_result_destroy(g);
    iggy_result_destroy(got);
    iggy_result_destroy(list);
    iggy_result_destroy(a);
    destroy_client(c);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- consumer offsets */

START_TEST(consumer_offset_commands)
{
    char cname[128], gname[128];
    fixture_t f;
    iggy_client_t *c;
    iggy_consumer_offset_t *o = NULL;
    iggy_consumer_ref_t consumer, group;
    const uint32_t p0 = 0, p99 = 99;

    start();
    c = client_with(true, NULL);
    make_topic(c, &f, 1);
    uniq(cname, sizeof cname, "consumer");
    uniq(gname, sizeof gname, "og");
    consumer.kind = IGGY_CONSUMER_SINGLE;
    consumer.id = iggy_id_name(cname);
    group.kind = IGGY_CONSUMER_GROUP;
    group.id = iggy_id_name(gname);

    EXPECT(iggy_get_consumer_offset(c, &consumer, &f.s, &f.t, &p0, &o), IGGY_ERR__NOT_FOUND);
    EXPECT(iggy_store_consumer_offset(c, &consumer, &f.s, &f.t, &p0, 0, IGGY_ACK_QUORUM),
           IGGY_ERR_INVALID_OFFSET); /* the partition is empty */
    send_messages(c, &f, 0, 3);
    OK(iggy_store_consumer_offset(c, &consumer, &f.s, &f.t, &p0, 1, IGGY_ACK_QUORUM));
    OK(iggy_get_consumer_offset(c, &consumer, &f.s, &f.t, &p0, &o));
    ck_assert_uint_eq(o->partition_id, 0);
    ck_assert_uint_eq(o->stored_offset, 1);
    ck_assert_uint_eq(o->current_offset, 2);
    OK(iggy_get_consumer_offset(c, &consumer, &f.s, &f.t, NULL, &o)); /* None reads partition 0 */
    ck_assert_uint_eq(o->stored_offset, 1);
    EXPECT(iggy_store_consumer_offset(c, &consumer, &f.s, &f.t, &p0, 10, IGGY_ACK_QUORUM),
           IGGY_ERR_INVALID_OFFSET);
    EXPECT(iggy_store_consumer_offset(c, &consumer, &f.s, &f.t, NULL, 1, IGGY_ACK_QUORUM),
           IGGY_ERR_RESOURCE_NOT_FOUND);
    EXPECT(iggy_store_consumer_offset(c, &consumer, &f.s, &f.t, &p0, 1, 7), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_consumer_offset(c, &consumer, &f.s, &f.t, &p99, &o),
           IGGY_ERR_PARTITION_NOT_FOUND);

    /* A group offset needs a joined member owning the partition. */
    OK(iggy_create_consumer_group(c, &f.s, &f.t, gname, NULL));
    EXPECT(iggy_store_consumer_offset(c, &group, &f.s, &f.t, &p0, 1, IGGY_ACK_QUORUM),
           IGGY_ERR_RESOURCE_NOT_FOUND);
    OK(iggy_join_consumer_group(c, &f.s, &f.t, &group.id));
    OK(iggy_store_consumer_offset(c, &group, &f.s, &f.t, &p0, 2, IGGY_ACK_QUORUM));
    OK(iggy_get_consumer_offset(c, &group, &f.s, &f.t, &p0, &o));
    ck_assert_uint_eq(o->stored_offset, 2);

    OK(iggy_delete_consumer_offset(c, &consumer, &f.s, &f.t, &p0, IGGY_ACK_QUORUM));
    EXPECT(iggy_delete_consumer_offset(c, &consumer, &f.s, &f.t, &p0, IGGY_ACK_QUORUM),
           IGGY_ERR_CONSUMER_OFFSET_NOT_FOUND);
    EXPECT(iggy_get_consumer_offset(c, &consumer, &f.s, &f.t, &p0, &o), IGGY_ERR__NOT_FOUND);
    EXPECT(iggy_delete_consumer_offset(c, &consumer, &f.s, &f.t, NULL, IGGY_ACK_QUORUM),
           IGGY_ERR_RESOURCE_NOT_FOUND);

    drop_topic(c, &f);
    iggy_result_destroy(o);
    destroy_client(c);
    finish();
}
END_TEST

/* The partitions SyncConsumerGroup gives c, as a bit set (partitions < 32). */
static uint32_t assigned(iggy_client_t *c, const fixture_t *f, const iggy_identifier_t *g)
{
    iggy_group_assignment_t *a = NULL;
    uint32_t set = 0;
    OK(iggy_sync_consumer_group(c, &f->s, &f->t, g, &a));
    for (uint32_t i = 0; i < a->partitions_count; i++)
        set |= 1u << a->partitions[i];
    iggy_result_destroy(a);
    return set;
}

/* SyncConsumerGroup gives c the partitions in want within ms (the real server hands off
 * from its reconciler, the mock from its housekeeper); returns the ms it took. */
static int64_t wait_assigned(iggy_client_t *c, const fixture_t *f, const iggy_identifier_t *g,
                             uint32_t want, int ms)
{
    int64_t t0 = iggy_now_ms();
    uint32_t got;
    while ((got = assigned(c, f, g)) != want && iggy_now_ms() - t0 < ms)
        test_sleep_ms(10);
    ck_assert_msg(got == want, "assignment %#x, want %#x", got, want);
    return iggy_now_ms() - t0;
}

START_TEST(consumer_group_hands_off_cooperatively)
{
    char name[128];
    fixture_t f;
    iggy_client_t *c1, *c2;
    iggy_identifier_t gid;
    iggy_consumer_ref_t group;
    iggy_polling_strategy_t next = {IGGY_POLL_NEXT, 0};
    iggy_polled_messages_t *pm = NULL;
    iggy_mock_opts_t o;
    uint32_t p2 = 2, p3 = 3;

    memset(&o, 0, sizeof o);
    o.rebalancing_timeout_ms = 1000;
    test_leak_guard_begin(&guard);
    test_server_start(&srv, &o);
    c1 = client_with(true, NULL);
    c2 = client_with(true, NULL);
    make_topic(c1, &f, 4);
    uniq(name, sizeof name, "g");
    OK(iggy_create_consumer_group(c1, &f.s, &f.t, name, NULL));
    gid = iggy_id_name(name);
    group.kind = IGGY_CONSUMER_GROUP;
    group.id = gid;
    send_messages(c1, &f, 2, 2);
    send_messages(c1, &f, 3, 2);
    OK(iggy_join_consumer_group(c1, &f.s, &f.t, &gid));
    ck_assert_uint_eq(assigned(c1, &f, &gid), 0xf);
    OK(iggy_poll_messages_into(c1, &group, &f.s, &f.t, &p2, &next, 10, false, NULL, &pm));
    ck_assert_uint_eq(pm->count, 2);
    OK(iggy_poll_messages_into(c1, &group, &f.s, &f.t, &p3, &next, 10, false, NULL, &pm));
    ck_assert_uint_eq(pm->count, 2);

    /* c2's share, 3 and 2, holds messages c1 polled without committing: both wait. */
    OK(iggy_join_consumer_group(c2, &f.s, &f.t, &gid));
    ck_assert_uint_eq(assigned(c1, &f, &gid), 0x3);
    ck_assert_uint_eq(assigned(c2, &f, &gid), 0);
    OK(iggy_poll_messages_into(c1, &group, &f.s, &f.t, &p3, &next, 10, false, NULL, &pm));
    ck_assert_uint_eq(pm->partition_id, IGGY_PARTITION_RESYNC);
    /* c1 commits what it polled of 3: that one moves. */
    OK(iggy_store_consumer_offset(c1, &group, &f.s, &f.t, &p3, 1, IGGY_ACK_QUORUM));
    wait_assigned(c2, &f, &gid, 0x8, 5000);
    if (!test_skip_unless_mock(&srv, "rebalancing_timeout_ms")) {
        /* 2 is never committed: it moves once the rebalancing timeout is up. */
        int64_t took = wait_assigned(c2, &f, &gid, 0xc, 5000);
        ck_assert_int_ge(took, 500); /* not before the timeout */
        OK(iggy_poll_messages_into(c2, &group, &f.s, &f.t, &p2, &next, 10, false, NULL, &pm));
        ck_assert_uint_eq(pm->count, 2); /* re-read from the commit: at-least-once */
    }

    drop_topic(c1, &f);
    iggy_result_destroy(pm);
    destroy_client(c1);
    destroy_client(c2);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- permissions */

START_TEST(permissions_refused)
{
    char user[64], stream[128];
    fixture_t f;
    iggy_client_t *root, *weak;
    iggy_stats_t *stats = NULL;
    iggy_topic_t *t = NULL;
    iggy_consumer_group_list_t *groups = NULL;
    iggy_consumer_offset_t *off = NULL;
    iggy_client_info_list_t *clients = NULL;
    iggy_consumer_ref_t consumer = {IGGY_CONSUMER_SINGLE, {NULL, 1}};
    const uint32_t p0 = 0;
    iggy_user_t *self = NULL;
    iggy_user_list_t *users = NULL;
    iggy_stream_t *s = NULL;
    iggy_client_info_t *me = NULL;
    iggy_identifier_t sid, uid;

    start();
    root = client_with(true, NULL);
    uniq(user, sizeof user, "weak");
    uniq(stream, sizeof stream, "perm");
    OK(iggy_create_stream(root, stream, NULL));
    make_topic(root, &f, 1);
    OK(iggy_create_user(root, user, "weak-pass", IGGY_USER_ACTIVE, NULL, NULL));
    sid = iggy_id_name(stream);
    uid = iggy_id_name(user);

    weak = client_as(user, "weak-pass");
    OK(iggy_get_me(weak, &me));           /* needs only a session */
    OK(iggy_get_user(weak, &uid, &self)); /* reading yourself is always allowed */
    /* Reads are refused before commit: the header status. */
    EXPECT(iggy_get_users(weak, &users), IGGY_ERR_UNAUTHORIZED);
    ck_assert_msg(strstr(iggy_last_error_detail(), "server status"), "%s",
                  iggy_last_error_detail());
    EXPECT(iggy_get_stream(weak, &sid, &s), IGGY_ERR_UNAUTHORIZED);
    EXPECT(iggy_get_stats(weak, &stats), IGGY_ERR_UNAUTHORIZED);
    EXPECT(iggy_get_clients(weak, &clients), IGGY_ERR_UNAUTHORIZED);
    EXPECT(iggy_get_topic(weak, &f.s, &f.t, &t), IGGY_ERR_UNAUTHORIZED);
    EXPECT(iggy_get_consumer_groups(weak, &f.s, &f.t, &groups), IGGY_ERR_UNAUTHORIZED);
    EXPECT(iggy_get_consumer_offset(weak, &consumer, &f.s, &f.t, &p0, &off), IGGY_ERR_UNAUTHORIZED);
    EXPECT(iggy_store_consumer_offset(weak, &consumer, &f.s, &f.t, &p0, 0, IGGY_ACK_QUORUM),
           IGGY_ERR_UNAUTHORIZED);
    /* Metadata writes are refused at commit: the result section. */
    EXPECT(iggy_create_stream(weak, "weak-stream", NULL), IGGY_ERR_UNAUTHORIZED);
    ck_assert_msg(strstr(iggy_last_error_detail(), "rejected by the server"), "%s",
                  iggy_last_error_detail());
    EXPECT(iggy_delete_stream(weak, &sid), IGGY_ERR_UNAUTHORIZED);
    EXPECT(iggy_delete_user(weak, &uid), IGGY_ERR_UNAUTHORIZED);
    EXPECT(iggy_create_user(weak, "someone", "secret", IGGY_USER_ACTIVE, NULL, NULL),
           IGGY_ERR_UNAUTHORIZED);
    EXPECT(iggy_create_topic(weak, &f.s, "weak-topic", 1, NULL, NULL), IGGY_ERR_UNAUTHORIZED);
    EXPECT(iggy_create_partitions(weak, &f.s, &f.t, 1), IGGY_ERR_UNAUTHORIZED);
    EXPECT(iggy_create_consumer_group(weak, &f.s, &f.t, "weak-group", NULL), IGGY_ERR_UNAUTHORIZED);
    destroy_client(weak);

    OK(iggy_delete_user(root, &uid));
    OK(iggy_delete_stream(root, &sid));
    drop_topic(root, &f);
    iggy_result_destroy(stats);
    iggy_result_destroy(t);
    iggy_result_destroy(groups);
    iggy_result_destroy(off);
    iggy_result_destroy(clients);
    iggy_result_destroy(self);
    iggy_result_destroy(users);
    iggy_result_destroy(s);
    iggy_result_destroy(me);
    destroy_client(root);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- identifiers */

START_TEST(numeric_and_named_identifiers)
{
    char gname[128];
    fixture_t f;
    iggy_client_t *c;
    iggy_consumer_group_t *g = NULL;
    iggy_identifier_t sids[2], tids[2], gids[2];

    start();
    c = client_with(true, NULL);
    make_topic(c, &f, 1);
    uniq(gname, sizeof gname, "idg");
    OK(iggy_create_consumer_group(c, &f.s, &f.t, gname, &g));
    sids[0] = iggy_id_num(f.stream_id);
    sids[1] = iggy_id_name(f.stream);
    tids[0] = iggy_id_num(f.topic_id);
    tids[1] = iggy_id_name(f.topic);
    gids[0] = iggy_id_num(g->id);
    gids[1] = iggy_id_name(gname);
    for (int i = 0; i < 8; i++) {
        OK(iggy_get_consumer_group(c, &sids[i & 1], &tids[(i >> 1) & 1], &gids[(i >> 2) & 1], &g));
        ck_assert_str_eq(g->name, gname);
    }
    /* Names are exact, case-sensitive bytes. */
    {
        char upper[128];
        iggy_stream_t *s = NULL;
        iggy_identifier_t id;
        snprintf(upper, sizeof upper, "%s", f.stream);
        upper[0] = 'C';
        id = iggy_id_name(upper);
        EXPECT(iggy_get_stream(c, &id, &s), IGGY_ERR__NOT_FOUND);
        iggy_result_destroy(s);
    }
    drop_topic(c, &f);
    iggy_result_destroy(g);
    destroy_client(c);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- raw commands */

START_TEST(raw_commands)
{
    static const uint32_t refused[] = {38, 39, 40, 44, 45};
    char name[128];
    uint8_t body[256];
    iggy_client_t *c;
    iggy_raw_reply_t *r = NULL;
    iggy_stream_t *s = NULL;
    iggy_identifier_t sid;
    uint64_t sent;

    start();
    c = client_with(true, NULL);
    OK(iggy_send_raw_command(c, 1, NULL, 0, &r)); /* Ping */
    ck_assert_uint_eq(r->len, 0);
    OK(iggy_send_raw_command(c, 1, NULL, 0, NULL));

    sent = requests(0);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        EXPECT(iggy_send_raw_command(c, refused[i], "x", 1, &r), IGGY_ERR_INVALID_COMMAND);
        ck_assert_ptr_nonnull(strstr(iggy_last_error_detail(), "login"));
    }
    ck_assert_uint_eq(requests(0), sent); /* nothing went out */
    EXPECT(iggy_send_raw_command(c, 201, NULL, 4, &r), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_send_raw_command(NULL, 1, NULL, 0, &r), IGGY_ERR__INVALID_ARG);

    /* A replicated code keeps its operation: CreateStream with a hand-made body. */
    uniq(name, sizeof name, "raw");
    body[0] = (uint8_t)strlen(name);
    memcpy(body + 1, name, strlen(name));
    OK(iggy_send_raw_command(c, 202, body, 1 + strlen(name), &r));
    ck_assert_uint_ge(r->len, 37 + strlen(name)); /* StreamResponse after the result section */
    ck_assert_mem_eq(r->data + 33, name, strlen(name));
    sid = iggy_id_name(name);
    OK(iggy_get_stream(c, &sid, &s));

    /* A read: GetStream [kind 2][len][name]; an empty reply is not "not found" here. */
    body[0] = 2;
    body[1] = (uint8_t)strlen(name);
    memcpy(body + 2, name, strlen(name));
    OK(iggy_send_raw_command(c, 200, body, 2 + strlen(name), &r));
    ck_assert_uint_ge(r->len, 37);
    body[2] ^= 0x20; /* another name */
    OK(iggy_send_raw_command(c, 200, body, 2 + strlen(name), &r));
    ck_assert_uint_eq(r->len, 0);

    /* An unknown code goes as a NonReplicated read; the connection survives. */
    EXPECT(iggy_send_raw_command(c, 9999, NULL, 0, &r), IGGY_ERR_INVALID_COMMAND);
    OK(iggy_ping(c));

    OK(iggy_delete_stream(c, &sid));
    iggy_result_destroy(r);
    iggy_result_destroy(s);
    destroy_client(c);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- result reuse */

START_TEST(result_reuse)
{
    char a[128], b[128];
    iggy_client_t *c;
    iggy_stream_t *s = NULL, *first;
    iggy_stream_list_t *list = NULL;
    iggy_topic_list_t *topics;
    iggy_identifier_t ida, idb, missing = iggy_id_name("no-such-stream-xyz");

    start();
    c = client_with(true, NULL);
    uniq(a, sizeof a, "reuse-long-name-for-a-bigger-block");
    uniq(b, sizeof b, "rb");
    OK(iggy_create_stream(c, a, NULL));
    OK(iggy_create_stream(c, b, NULL));
    ida = iggy_id_name(a);
    idb = iggy_id_name(b);

    OK(iggy_get_stream(c, &ida, &s));
    first = s;
    OK(iggy_get_stream(c, &idb, &s)); /* smaller: the same block is reused */
    ck_assert_ptr_eq(s, first);
    ck_assert_str_eq(s->name, b);
    EXPECT(iggy_get_stream(c, &missing, &s), IGGY_ERR__NOT_FOUND);
    ck_assert_ptr_eq(s, first); /* left as it was on failure */
    ck_assert_str_eq(s->name, b);
    OK(iggy_get_stream(c, &ida, &s)); /* same size as the first: still fits */
    ck_assert_ptr_eq(s, first);
    ck_assert_str_eq(s->name, a);

    /* Counts always come from the current reply. */
    OK(iggy_get_streams(c, &list));
    ck_assert_uint_ge(list->count, 2);
    OK(iggy_delete_stream(c, &idb));
    {
        size_t before = list->count;
        OK(iggy_get_streams(c, &list));
        ck_assert_uint_eq(list->count, before - 1);
    }

    /* A result of another type is replaced (and freed), never misread. */
    topics = (iggy_topic_list_t *)s;
    OK(iggy_get_topics(c, &ida, &topics));
    ck_assert_ptr_ne((void *)topics, (void *)first);
    ck_assert_uint_eq(topics->count, 0);
    s = NULL;

    OK(iggy_delete_stream(c, &ida));
    iggy_result_destroy(topics);
    iggy_result_destroy(list);
    destroy_client(c);
    finish();
}
END_TEST

/* ---------------------------------------------------------------- argument checks */

START_TEST(null_arguments_are_refused_locally)
{
    iggy_client_t *c;
    iggy_identifier_t id = iggy_id_num(0);
    iggy_consumer_ref_t cons = {IGGY_CONSUMER_SINGLE, {NULL, 1}};
    void *out = NULL;
    uint64_t sent;

    start();
    c = client_with(true, NULL);
    OK(iggy_ping(c));
    sent = requests(0);
    /* NULL client */
    EXPECT(iggy_get_stats(NULL, (iggy_stats_t **)&out), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_me(NULL, (iggy_client_info_t **)&out), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_create_stream(NULL, "s", NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_delete_stream(NULL, &id), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_topic(NULL, &id, &id, (iggy_topic_t **)&out), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_join_consumer_group(NULL, &id, &id, &id), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_store_consumer_offset(NULL, &cons, &id, &id, NULL, 0, 1), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_create_user(NULL, "user", "pw", IGGY_USER_ACTIVE, NULL, NULL),
           IGGY_ERR__INVALID_ARG);
    /* NULL out for reads */
    EXPECT(iggy_get_stats(c, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_me(c, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_client(c, 1, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_clients(c, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_cluster_metadata(c, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_describe_options(c, IGGY_OPTIONS_TOPIC, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_user(c, &id, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_users(c, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_personal_access_tokens(c, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_stream(c, &id, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_streams(c, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_topic(c, &id, &id, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_topics(c, &id, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_consumer_group(c, &id, &id, &id, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_consumer_groups(c, &id, &id, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_sync_consumer_group(c, &id, &id, &id, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_get_consumer_offset(c, &cons, &id, &id, NULL, NULL), IGGY_ERR__INVALID_ARG);
    /* NULL identifiers, names and consumers */
    EXPECT(iggy_get_stream(c, NULL, (iggy_stream_t **)&out), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_update_stream(c, &id, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_delete_topic(c, &id, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_create_partitions(c, NULL, &id, 1), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_delete_segments(c, &id, NULL, 0, 1), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_create_consumer_group(c, &id, &id, NULL, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_leave_consumer_group(c, &id, &id, NULL), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_delete_consumer_offset(c, NULL, &id, &id, NULL, 1), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_update_user(c, NULL, "name", 0), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_change_password(c, &id, NULL, "x"), IGGY_ERR__INVALID_ARG);
    EXPECT(iggy_delete_personal_access_token(c, NULL), IGGY_ERR__INVALID_ARG);
    ck_assert_uint_eq(requests(0), sent);
    ck_assert_ptr_null(out);
    destroy_client(c);
    finish();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("commands");
    TCase *tc = tcase_create("e2e");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, system_commands);
    tcase_add_test(tc, user_commands);
    tcase_add_test(tc, personal_access_token_commands);
    tcase_add_test(tc, stream_commands);
    tcase_add_test(tc, topic_commands);
    tcase_add_test(tc, topic_options_round_trip);
    tcase_add_test(tc, partition_commands);
    tcase_add_test(tc, consumer_group_commands);
    tcase_add_test(tc, consumer_group_hands_off_cooperatively);
    tcase_add_test(tc, consumer_offset_commands);
    tcase_add_test(tc, permissions_refused);
    tcase_add_test(tc, numeric_and_named_identifiers);
    tcase_add_test(tc, raw_commands);
    tcase_add_test(tc, result_reuse);
    tcase_add_test(tc, null_arguments_are_refused_locally);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
