/* Allocation-failure torture (nghttp2's failmalloc): for each operation, fail its Nth
 * allocation through the libiggy allocator hook for every N = 1, 2, ... until it completes
 * without reaching N. Each N must end cleanly: the operation's normal outcome, or
 * IGGY_ERR__NO_MEMORY with a detail string; no crash; no leak (the hook's live-block count is
 * back to its baseline once the client is destroyed; ASan and valgrind see the rest); and the
 * same client then does the operation again with a working allocator.
 *
 * Covered: client create + connect + login (TCP and TLS), every row of the command table (a
 * test checks that none is missing), sends (partition, balanced, key, compressed, encrypted),
 * polls (new block, reused batch, compressed, encrypted, group, verified), the high-level
 * producer (new, send, flush, destroy; background and direct) and consumer (new, poll, commit,
 * close; single and group).
 *
 * Only libiggy's own allocations go through the hook: OpenSSL, zstd, lz4 and snappy allocate
 * with their own malloc and are not failed here.
 *
 * The server is the built-in mock (libiggy_mock), run in a child process forked before any
 * thread exists, so every allocation the hook sees in this process is the client's (the mock
 * allocates through the same hook); IGGY_TEST_SERVER is ignored. Under IGGY_TEST_LIGHT=1 the
 * points past the first 200 of an operation are sampled (about 100 more of them). */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <iggy/iggy.h>
#include <iggy/mock.h>

#include "codec/iggy_cmd_table.h"
#include "iggy_error_internal.h"
#include "test_alloc.h"
#include "test_main.h"
#include "test_mock_child.h"
#include "test_pki.h"

#define FULL_POINTS 200 /* always exercised one by one */

/* ---------------------------------------------------------------- the mock, in a child */

static test_mock_child_t g_mock, g_tls_mock;
static const char *g_addr, *g_tls_addr;
static test_pki_t g_pki;
static bool g_light;

/* ---------------------------------------------------------------- one operation's context */

typedef struct ctx {
    iggy_client_t *c;
    /* fixture */
    char stream[64], topic[64], group[64], user[64], pat[64], name[64], name2[64];
    iggy_identifier_t s, t, g, u;
    uint32_t client_id;
    char token[128];
    iggy_polled_messages_t *batch; /* a reusable poll batch */
    /* what the armed run saw */
    char detail[512];
    bool detail_elsewhere; /* the error came from another thread (a delivery report) */
} ctx_t;

/* Fixture parts an operation needs, set up (without failures) on the client before each run. */
enum {
    FIX_TOPIC = 1u << 0,    /* a stream and a topic of 2 partitions */
    FIX_MSGS = 1u << 1,     /* 3 messages in each partition */
    FIX_ZSTD = 1u << 2,     /* ... sent zstd-compressed */
    FIX_SEALED = 1u << 3,   /* ... sent encrypted */
    FIX_GROUP = 1u << 4,    /* a consumer group on the topic */
    FIX_JOINED = 1u << 5,   /* ... joined by the client */
    FIX_OFFSET = 1u << 6,   /* a stored offset of consumer "torture" on partition 0 */
    FIX_USER = 1u << 7,     /* a user (password "secret-1") */
    FIX_PAT = 1u << 8,      /* a personal access token of root, its token in ctx->token */
    FIX_CLIENT = 1u << 9,   /* ctx->client_id is this client's id */
    FIX_BATCH = 1u << 10,   /* ctx->batch is a batch of a previous poll, large enough */
    FIX_NOCLIENT = 1u << 15 /* the run makes its own client */
};

typedef struct op {
    const char *name;
    int cmd;      /* the command-table row it covers, or -1 */
    unsigned fix; /* FIX_* */
    const char *const *props;
    iggy_err_t (*run)(ctx_t *);
    void (*setup)(ctx_t *); /* extra setup after the fixture (no failures) */
    void (*after)(ctx_t *); /* right after each run (no failures) */
    iggy_err_t want;        /* its outcome without failures */
} op_t;

static const uint8_t KEY[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

/* A name unique in this run. */
static void uniq(char *buf, size_t cap, const char *prefix)
{
    static unsigned n;
    snprintf(buf, cap, "%s-%d-%u", prefix, (int)getpid(), ++n);
}

/* A failed call's error, with the calling thread's detail kept for the checks. */
static iggy_err_t failed(ctx_t *x, iggy_err_t e)
{
    snprintf(x->detail, sizeof x->detail, "%s", iggy_last_error_detail());
    return e;
}

/* Checks outside the armed window: a failure here is a broken fixture, not the torture. */
#define FIX_OK(expr)                                                                               \
    do {                                                                                           \
        iggy_err_t e_ = (expr);                                                                    \
        ck_assert_msg(e_ == IGGY_OK, "fixture: %s: %s [%s]", #expr, iggy_err2name(e_),             \
                      iggy_last_error_detail());                                                   \
    } while (0)

static void payload(char *buf, size_t cap, unsigned i)
{
    /* compressible, and above the codecs' minimum */
    size_t n = (size_t)snprintf(buf, cap, "torture message %u ", i);
    while (n + 1 < cap) {
        buf[n] = (char)('a' + (n % 7));
        n++;
    }
    buf[n] = '\0';
}

static iggy_err_t send_some(iggy_client_t *c, const iggy_identifier_t *s,
                            const iggy_identifier_t *t, uint32_t partition, unsigned count,
                            const iggy_send_opts_t *opts)
{
    static char bufs[8][200];
    iggy_send_message_t m[8];
    iggy_kv_t h = {IGGY_KV_STRING,          IGGY_KV_STRING,          4, 5,
                   (const uint8_t *)"kind", (const uint8_t *)"probe"};
    iggy_partitioning_t p = {IGGY_PARTITIONING_PARTITION_ID, partition, NULL, 0};
    memset(m, 0, sizeof m);
    for (unsigned i = 0; i < count && i < 8; i++) {
        payload(bufs[i], sizeof bufs[i], i);
        m[i].payload = bufs[i];
        m[i].payload_len = (uint32_t)strlen(bufs[i]);
        m[i].headers = &h;
        m[i].headers_count = 1;
    }
    return iggy_send_messages(c, s, t, &p, m, count, opts, NULL);
}

static iggy_client_t *make_client(const char *const *props)
{
    iggy_conf_t *conf;
    iggy_client_t *c;
    char err[256];
    FIX_OK(iggy_conf_new(&conf));
    FIX_OK(iggy_conf_set(conf, "bootstrap.servers", g_addr, err, sizeof err));
    FIX_OK(iggy_conf_set(conf, "username", "iggy", err, sizeof err));
    FIX_OK(iggy_conf_set(conf, "password", "iggy", err, sizeof err));
    FIX_OK(iggy_conf_set(conf, "heartbeat.interval.ms", "0", err, sizeof err));
    FIX_OK(iggy_conf_set(conf, "reconnect.backoff.ms", "1", err, sizeof err));
    FIX_OK(iggy_conf_set(conf, "request.timeout.ms", "10000", err, sizeof err));
    for (size_t i = 0; props && props[i]; i += 2)
        ck_assert_msg(iggy_conf_set(conf, props[i], props[i + 1], err, sizeof err) == IGGY_OK, "%s",
                      err);
    ck_assert_msg(iggy_client_new(conf, &c, err, sizeof err) == IGGY_OK, "%s", err);
    iggy_conf_destroy(conf);
    FIX_OK(iggy_client_connect(c));
    return c;
}

static void fixture_up(ctx_t *x, unsigned fix)
{
    if (fix &
        (FIX_TOPIC | FIX_MSGS | FIX_ZSTD | FIX_SEALED | FIX_GROUP | FIX_JOINED | FIX_OFFSET)) {
        uniq(x->stream, sizeof x->stream, "ts");
        uniq(x->topic, sizeof x->topic, "tt");
        x->s = iggy_id_name(x->stream);
        x->t = iggy_id_name(x->topic);
        FIX_OK(iggy_create_stream(x->c, x->stream, NULL));
        FIX_OK(iggy_create_topic(x->c, &x->s, x->topic, 2, NULL, NULL));
    }
    if (fix & (FIX_MSGS | FIX_ZSTD | FIX_SEALED | FIX_OFFSET)) {
        iggy_send_opts_t o;
        memset(&o, 0, sizeof o);
        if (fix & FIX_ZSTD)
            o.compression = IGGY_COMPRESSION_CODEC_ZSTD;
        if (fix & FIX_SEALED)
            o.encryption_key = KEY;
        for (uint32_t p = 0; p < 2; p++)
            FIX_OK(send_some(x->c, &x->s, &x->t, p, 3, &o));
    }
    if (fix & (FIX_GROUP | FIX_JOINED)) {
        uniq(x->group, sizeof x->group, "tg");
        x->g = iggy_id_name(x->group);
        FIX_OK(iggy_create_consumer_group(x->c, &x->s, &x->t, x->group, NULL));
    }
    if (fix & FIX_JOINED)
        FIX_OK(iggy_join_consumer_group(x->c, &x->s, &x->t, &x->g));
    if (fix & FIX_OFFSET) {
        iggy_consumer_ref_t who = {IGGY_CONSUMER_SINGLE, iggy_id_name("torture")};
        const uint32_t p0 = 0;
        FIX_OK(iggy_store_consumer_offset(x->c, &who, &x->s, &x->t, &p0, 1, IGGY_ACK_QUORUM));
    }
    if (fix & FIX_USER) {
        uniq(x->user, sizeof x->user, "tu");
        x->u = iggy_id_name(x->user);
        FIX_OK(iggy_create_user(x->c, x->user, "secret-1", IGGY_USER_ACTIVE, NULL, NULL));
    }
    if (fix & FIX_PAT) {
        iggy_raw_pat_t *pat = NULL;
        uniq(x->pat, sizeof x->pat, "tp");
        FIX_OK(iggy_create_personal_access_token(x->c, x->pat, 0, &pat));
        snprintf(x->token, sizeof x->token, "%s", pat->token);
        iggy_result_destroy(pat);
    }
    if (fix & FIX_CLIENT) {
        iggy_client_info_t *me = NULL;
        FIX_OK(iggy_get_me(x->c, &me));
        x->client_id = me->client_id;
        iggy_result_destroy(me);
    }
    if (fix & FIX_BATCH) {
        iggy_consumer_ref_t who = {IGGY_CONSUMER_SINGLE, iggy_id_num(7)};
        iggy_polling_strategy_t from0 = {IGGY_POLL_OFFSET, 0};
        const uint32_t p0 = 0;
        FIX_OK(iggy_poll_messages_into(x->c, &who, &x->s, &x->t, &p0, &from0, 10, false, NULL,
                                       &x->batch));
    }
}

/* Remove what the fixture and the run created; failures are ignored (a run may have deleted
 * it, or left the client logged out). */
static void fixture_down(ctx_t *x)
{
    iggy_result_destroy(x->batch);
    x->batch = NULL;
    if (x->stream[0]) {
        iggy_identifier_t s = iggy_id_name(x->stream);
        (void)iggy_delete_stream(x->c, &s);
    }
    if (x->user[0])
        (void)iggy_delete_user(x->c, &x->u);
    if (x->pat[0])
        (void)iggy_delete_personal_access_token(x->c, x->pat);
    if (x->name[0] && strncmp(x->name, "tu", 2) == 0) {
        iggy_identifier_t u = iggy_id_name(x->name);
        (void)iggy_delete_user(x->c, &u);
    }
    if (x->name[0] && strncmp(x->name, "tp", 2) == 0)
        (void)iggy_delete_personal_access_token(x->c, x->name);
    if (x->name[0] && strncmp(x->name, "ts", 2) == 0) { /* created or renamed by the run */
        iggy_identifier_t s = iggy_id_name(x->name);
        (void)iggy_delete_stream(x->c, &s);
    }
    x->stream[0] = x->user[0] = x->pat[0] = x->name[0] = x->name2[0] = x->group[0] = '\0';
}

/* ---------------------------------------------------------------- operations: connect */

static iggy_err_t connect_with(ctx_t *x, const char *addr, bool tls, bool explicit_login)
{
    iggy_conf_t *conf = NULL;
    iggy_client_t *c = NULL;
    iggy_login_result_t *lr = NULL;
    char err[256] = "";
    iggy_err_t e;
    static const char *const base[] = {"heartbeat.interval.ms", "0", "reconnect.backoff.ms", "1",
                                       NULL};
    if ((e = iggy_conf_new(&conf)) != IGGY_OK)
        return failed(x, e);
    e = iggy_conf_set(conf, "bootstrap.servers", addr, err, sizeof err);
    for (size_t i = 0; e == IGGY_OK && base[i]; i += 2)
        e = iggy_conf_set(conf, base[i], base[i + 1], err, sizeof err);
    if (e == IGGY_OK && !explicit_login)
        e = iggy_conf_set(conf, "username", "iggy", err, sizeof err);
    if (e == IGGY_OK && !explicit_login)
        e = iggy_conf_set(conf, "password", "iggy", err, sizeof err);
    if (e == IGGY_OK && tls)
        e = iggy_conf_set(conf, "tls.enabled", "true", err, sizeof err);
    if (e == IGGY_OK && tls)
        e = iggy_conf_set(conf, "tls.ca.file", g_pki.ca_path, err, sizeof err);
    if (e == IGGY_OK && tls)
        e = iggy_conf_set(conf, "tls.server.name", "localhost", err, sizeof err);
    if (e != IGGY_OK) {
        snprintf(x->detail, sizeof x->detail, "conf: %s", err);
        iggy_conf_destroy(conf);
        return e;
    }
    e = iggy_client_new(conf, &c, err, sizeof err);
    iggy_conf_destroy(conf);
    if (e != IGGY_OK) {
        /* the reason is in errstr; the thread's detail must say it too */
        snprintf(x->detail, sizeof x->detail, "%s", err[0] ? iggy_last_error_detail() : "");
        return e;
    }
    e = iggy_client_connect(c);
    if (e == IGGY_OK && explicit_login)
        e = iggy_login_user(c, "iggy", "iggy", &lr);
    if (e == IGGY_OK)
        e = iggy_ping(c);
    if (e == IGGY_OK) {
        iggy_stream_list_t *l = NULL;
        e = iggy_get_streams(c, &l);
        iggy_result_destroy(l);
    }
    if (e != IGGY_OK)
        failed(x, e);
    iggy_result_destroy(lr);
    iggy_client_destroy(c);
    return e;
}

static iggy_err_t run_connect(ctx_t *x)
{
    return connect_with(x, g_addr, false, false);
}

static iggy_err_t run_connect_login(ctx_t *x)
{
    return connect_with(x, g_addr, false, true);
}

static iggy_err_t run_connect_tls(ctx_t *x)
{
    return connect_with(x, g_tls_addr, true, false);
}

static iggy_err_t run_conf_dup_dump(ctx_t *x)
{
    iggy_conf_t *a = NULL, *b = NULL;
    char *dump;
    iggy_err_t e = iggy_conf_new(&a);
    if (e == IGGY_OK)
        e = iggy_conf_set(a, "username", "someone", NULL, 0);
    if (e == IGGY_OK)
        e = iggy_conf_set_connection_string(a, "iggy://u1:p1@127.0.0.1:8090?tls=false", NULL, 0);
    if (e == IGGY_OK)
        e = iggy_conf_dup(a, &b);
    if (e == IGGY_OK) {
        dump = iggy_conf_dump(b);
        if (!dump)
            e = iggy_fail(IGGY_ERR__NO_MEMORY, "conf dump returned NULL");
        iggy_free(dump);
    }
    if (e != IGGY_OK)
        failed(x, e);
    iggy_conf_destroy(b);
    iggy_conf_destroy(a);
    return e;
}

/* ---------------------------------------------------------------- operations: commands */

#define RESULT_CALL(x, type, call)                                                                 \
    do {                                                                                           \
        type *r_ = NULL;                                                                           \
        iggy_err_t e_ = (call);                                                                    \
        if (e_ != IGGY_OK)                                                                         \
            failed((x), e_);                                                                       \
        iggy_result_destroy(r_);                                                                   \
        return e_;                                                                                 \
    } while (0)
#define PLAIN_CALL(x, call)                                                                        \
    do {                                                                                           \
        iggy_err_t e_ = (call);                                                                    \
        return e_ != IGGY_OK ? failed((x), e_) : e_;                                               \
    } while (0)

static iggy_err_t run_ping(ctx_t *x)
{
    PLAIN_CALL(x, iggy_ping(x->c));
}
static iggy_err_t run_get_stats(ctx_t *x)
{
    RESULT_CALL(x, iggy_stats_t, iggy_get_stats(x->c, &r_));
}
static iggy_err_t run_snapshot(ctx_t *x)
{
    static const iggy_snapshot_type_t types[] = {IGGY_SNAPSHOT_TEST};
    RESULT_CALL(x, iggy_raw_reply_t,
                iggy_get_snapshot_file(x->c, IGGY_SNAPSHOT_STORED, types, 1, &r_));
}
static iggy_err_t run_cluster(ctx_t *x)
{
    RESULT_CALL(x, iggy_cluster_metadata_t, iggy_get_cluster_metadata(x->c, &r_));
}
static iggy_err_t run_describe(ctx_t *x)
{
    RESULT_CALL(x, iggy_option_descriptions_t,
                iggy_describe_options(x->c, IGGY_OPTIONS_TOPIC, &r_));
}
static iggy_err_t run_get_me(ctx_t *x)
{
    RESULT_CALL(x, iggy_client_info_t, iggy_get_me(x->c, &r_));
}
static iggy_err_t run_get_client(ctx_t *x)
{
    RESULT_CALL(x, iggy_client_info_t, iggy_get_client(x->c, x->client_id, &r_));
}
static iggy_err_t run_get_clients(ctx_t *x)
{
    RESULT_CALL(x, iggy_client_info_list_t, iggy_get_clients(x->c, &r_));
}
static iggy_err_t run_get_user(ctx_t *x)
{
    RESULT_CALL(x, iggy_user_t, iggy_get_user(x->c, &x->u, &r_));
}
static iggy_err_t run_get_users(ctx_t *x)
{
    RESULT_CALL(x, iggy_user_list_t, iggy_get_users(x->c, &r_));
}
static iggy_err_t run_create_user(ctx_t *x)
{
    static const iggy_topic_permissions_t tp = {1, true, true, false, true};
    static const iggy_stream_permissions_t sp = {1, false, true, false, true, true, false, 1, &tp};
    static const iggy_permissions_t perms = {
        {false, true, false, true, false, true, false, true, true, false}, 1, &sp};
    uniq(x->name, sizeof x->name, "tu");
    RESULT_CALL(x, iggy_user_t,
                iggy_create_user(x->c, x->name, "secret-9", IGGY_USER_ACTIVE, &perms, &r_));
}
static iggy_err_t run_delete_user(ctx_t *x)
{
    PLAIN_CALL(x, iggy_delete_user(x->c, &x->u));
}
static iggy_err_t run_update_user(ctx_t *x)
{
    iggy_err_t e;
    uniq(x->name, sizeof x->name, "tu"); /* removed by fixture_down under either name */
    e = iggy_update_user(x->c, &x->u, x->name, IGGY_USER_INACTIVE);
    return e != IGGY_OK ? failed(x, e) : e;
}
static iggy_err_t run_update_permissions(ctx_t *x)
{
    static const iggy_permissions_t perms = {
        {false, true, false, true, false, true, false, true, true, true}, 0, NULL};
    PLAIN_CALL(x, iggy_update_permissions(x->c, &x->u, &perms));
}
static iggy_err_t run_change_password(ctx_t *x)
{
    PLAIN_CALL(x, iggy_change_password(x->c, &x->u, "secret-1", "secret-2"));
}
static void setup_logged_in(ctx_t *x)
{
    FIX_OK(iggy_login_user(x->c, "iggy", "iggy", NULL));
}
/* After a logout, or a login that failed (the client then forgets its credentials): log in
 * again so the fixture can be removed. */
static void relogin(ctx_t *x)
{
    FIX_OK(iggy_login_user(x->c, "iggy", "iggy", NULL));
}
static iggy_err_t run_logout(ctx_t *x)
{
    PLAIN_CALL(x, iggy_logout_user(x->c));
}
static iggy_err_t run_login(ctx_t *x)
{
    RESULT_CALL(x, iggy_login_result_t, iggy_login_user(x->c, "iggy", "iggy", &r_));
}
static iggy_err_t run_get_pats(ctx_t *x)
{
    RESULT_CALL(x, iggy_pat_list_t, iggy_get_personal_access_tokens(x->c, &r_));
}
static iggy_err_t run_create_pat(ctx_t *x)
{
    uniq(x->name, sizeof x->name, "tp");
    RESULT_CALL(x, iggy_raw_pat_t, iggy_create_personal_access_token(x->c, x->name, 0, &r_));
}
static iggy_err_t run_delete_pat(ctx_t *x)
{
    PLAIN_CALL(x, iggy_delete_personal_access_token(x->c, x->pat));
}
static iggy_err_t run_login_pat(ctx_t *x)
{
    RESULT_CALL(x, iggy_login_result_t, iggy_login_with_personal_access_token(x->c, x->token, &r_));
}
static iggy_err_t run_flush(ctx_t *x)
{
    PLAIN_CALL(x, iggy_flush_unsaved_buffer(x->c, &x->s, &x->t, 0, true));
}
static iggy_err_t run_get_offset(ctx_t *x)
{
    iggy_consumer_ref_t who = {IGGY_CONSUMER_SINGLE, iggy_id_name("torture")};
    const uint32_t p0 = 0;
    RESULT_CALL(x, iggy_consumer_offset_t,
                iggy_get_consumer_offset(x->c, &who, &x->s, &x->t, &p0, &r_));
}
static iggy_err_t run_store_offset(ctx_t *x)
{
    iggy_consumer_ref_t who = {IGGY_CONSUMER_SINGLE, iggy_id_name("torture")};
    const uint32_t p0 = 0;
    PLAIN_CALL(x, iggy_store_consumer_offset(x->c, &who, &x->s, &x->t, &p0, 2, IGGY_ACK_QUORUM));
}
static iggy_err_t run_delete_offset(ctx_t *x)
{
    iggy_consumer_ref_t who = {IGGY_CONSUMER_SINGLE, iggy_id_name("torture")};
    const uint32_t p0 = 0;
    PLAIN_CALL(x, iggy_delete_consumer_offset(x->c, &who, &x->s, &x->t, &p0, IGGY_ACK_QUORUM));
}
static iggy_err_t run_get_stream(ctx_t *x)
{
    RESULT_CALL(x, iggy_stream_t, iggy_get_stream(x->c, &x->s, &r_));
}
static iggy_err_t run_get_streams(ctx_t *x)
{
    RESULT_CALL(x, iggy_stream_list_t, iggy_get_streams(x->c, &r_));
}
static iggy_err_t run_create_stream(ctx_t *x)
{
    uniq(x->name, sizeof x->name, "ts");
    RESULT_CALL(x, iggy_stream_t, iggy_create_stream(x->c, x->name, &r_));
}
static iggy_err_t run_delete_stream(ctx_t *x)
{
    PLAIN_CALL(x, iggy_delete_stream(x->c, &x->s));
}
static iggy_err_t run_update_stream(ctx_t *x)
{
    iggy_err_t e;
    uniq(x->name, sizeof x->name, "ts"); /* removed by fixture_down under either name */
    e = iggy_update_stream(x->c, &x->s, x->name);
    return e != IGGY_OK ? failed(x, e) : e;
}
static iggy_err_t run_purge_stream(ctx_t *x)
{
    PLAIN_CALL(x, iggy_purge_stream(x->c, &x->s));
}
static iggy_err_t run_get_topic(ctx_t *x)
{
    RESULT_CALL(x, iggy_topic_t, iggy_get_topic(x->c, &x->s, &x->t, &r_));
}
static iggy_err_t run_get_topics(ctx_t *x)
{
    RESULT_CALL(x, iggy_topic_list_t, iggy_get_topics(x->c, &x->s, &r_));
}
static iggy_err_t run_create_topic(ctx_t *x)
{
    iggy_topic_config_t cfg;
    iggy_topic_config_init(&cfg);
    cfg.message_expiry = iggy_some_u64(3600000000ull);
    uniq(x->name2, sizeof x->name2, "tn");
    RESULT_CALL(x, iggy_topic_t, iggy_create_topic(x->c, &x->s, x->name2, 3, &cfg, &r_));
}
static iggy_err_t run_delete_topic(ctx_t *x)
{
    PLAIN_CALL(x, iggy_delete_topic(x->c, &x->s, &x->t));
}
static iggy_err_t run_update_topic(ctx_t *x)
{
    iggy_topic_config_t cfg;
    iggy_topic_config_init(&cfg);
    cfg.message_expiry = iggy_some_u64(7200000000ull);
    uniq(x->name2, sizeof x->name2, "tn"); /* removed with its stream */
    PLAIN_CALL(x, iggy_update_topic(x->c, &x->s, &x->t, x->name2, &cfg));
}
static iggy_err_t run_purge_topic(ctx_t *x)
{
    PLAIN_CALL(x, iggy_purge_topic(x->c, &x->s, &x->t));
}
static iggy_err_t run_create_partitions(ctx_t *x)
{
    PLAIN_CALL(x, iggy_create_partitions(x->c, &x->s, &x->t, 2));
}
static iggy_err_t run_delete_partitions(ctx_t *x)
{
    PLAIN_CALL(x, iggy_delete_partitions(x->c, &x->s, &x->t, 1));
}
static iggy_err_t run_delete_segments(ctx_t *x)
{
    PLAIN_CALL(x, iggy_delete_segments(x->c, &x->s, &x->t, 0, 1));
}
static iggy_err_t run_get_group(ctx_t *x)
{
    RESULT_CALL(x, iggy_consumer_group_t, iggy_get_consumer_group(x->c, &x->s, &x->t, &x->g, &r_));
}
static iggy_err_t run_get_groups(ctx_t *x)
{
    RESULT_CALL(x, iggy_consumer_group_list_t, iggy_get_consumer_groups(x->c, &x->s, &x->t, &r_));
}
static iggy_err_t run_create_group(ctx_t *x)
{
    uniq(x->name2, sizeof x->name2, "tg");
    RESULT_CALL(x, iggy_consumer_group_t,
                iggy_create_consumer_group(x->c, &x->s, &x->t, x->name2, &r_));
}
static iggy_err_t run_delete_group(ctx_t *x)
{
    PLAIN_CALL(x, iggy_delete_consumer_group(x->c, &x->s, &x->t, &x->g));
}
static iggy_err_t run_join_group(ctx_t *x)
{
    PLAIN_CALL(x, iggy_join_consumer_group(x->c, &x->s, &x->t, &x->g));
}
static iggy_err_t run_leave_group(ctx_t *x)
{
    PLAIN_CALL(x, iggy_leave_consumer_group(x->c, &x->s, &x->t, &x->g));
}
static iggy_err_t run_sync_group(ctx_t *x)
{
    RESULT_CALL(x, iggy_group_assignment_t,
                iggy_sync_consumer_group(x->c, &x->s, &x->t, &x->g, &r_));
}
static iggy_err_t run_raw_command(ctx_t *x)
{
    RESULT_CALL(x, iggy_raw_reply_t, iggy_send_raw_command(x->c, 10 /* GetStats */, NULL, 0, &r_));
}
static iggy_err_t run_client_stats(ctx_t *x)
{
    RESULT_CALL(x, iggy_client_stats_t, iggy_client_stats(x->c, &r_));
}

/* ---------------------------------------------------------------- operations: send and poll */

static iggy_err_t send_with(ctx_t *x, const iggy_partitioning_t *part, const iggy_send_opts_t *o)
{
    static char bufs[10][300];
    iggy_send_message_t m[10];
    iggy_kv_t h[2] = {
        {IGGY_KV_STRING, IGGY_KV_STRING, 4, 5, (const uint8_t *)"kind", (const uint8_t *)"probe"},
        {IGGY_KV_STRING, IGGY_KV_UINT8, 3, 1, (const uint8_t *)"num", (const uint8_t *)"\x07"}};
    iggy_send_confirmations_t *conf = NULL;
    iggy_err_t e;
    memset(m, 0, sizeof m);
    for (unsigned i = 0; i < 10; i++) {
        payload(bufs[i], sizeof bufs[i], i);
        m[i].payload = bufs[i];
        m[i].payload_len = (uint32_t)strlen(bufs[i]);
        m[i].headers = h;
        m[i].headers_count = 2;
    }
    e = iggy_send_messages(x->c, &x->s, &x->t, part, m, 10, o, &conf);
    if (e != IGGY_OK)
        failed(x, e);
    iggy_result_destroy(conf);
    return e;
}

static iggy_err_t run_send(ctx_t *x)
{
    iggy_partitioning_t p = {IGGY_PARTITIONING_PARTITION_ID, 1, NULL, 0};
    return send_with(x, &p, NULL);
}
static iggy_err_t run_send_balanced(ctx_t *x)
{
    return send_with(x, NULL, NULL);
}
static iggy_err_t run_send_key(ctx_t *x)
{
    iggy_partitioning_t p = {IGGY_PARTITIONING_MESSAGES_KEY, 0, (const uint8_t *)"order-42", 8};
    return send_with(x, &p, NULL);
}
static iggy_err_t run_send_codec(ctx_t *x, iggy_compression_codec_t codec, const uint8_t *key)
{
    iggy_send_opts_t o;
    memset(&o, 0, sizeof o);
    o.compression = codec;
    o.encryption_key = key;
    o.message_ids = IGGY_MESSAGE_ID_UUID_V7;
    return send_with(x, NULL, &o);
}
static iggy_err_t run_send_zstd(ctx_t *x)
{
    return run_send_codec(x, IGGY_COMPRESSION_CODEC_ZSTD, NULL);
}
static iggy_err_t run_send_lz4(ctx_t *x)
{
    return run_send_codec(x, IGGY_COMPRESSION_CODEC_LZ4, NULL);
}
static iggy_err_t run_send_snappy(ctx_t *x)
{
    return run_send_codec(x, IGGY_COMPRESSION_CODEC_SNAPPY, NULL);
}
static iggy_err_t run_send_sealed(ctx_t *x)
{
    return run_send_codec(x, IGGY_COMPRESSION_CODEC_NONE, KEY);
}
static iggy_err_t run_send_zstd_sealed(ctx_t *x)
{
    return run_send_codec(x, IGGY_COMPRESSION_CODEC_ZSTD, KEY);
}

static bool has_kind_header(const iggy_message_t *m)
{
    for (size_t i = 0; i < m->headers.count; i++)
        if (m->headers.entries[i].key_len == 4 && memcmp(m->headers.entries[i].key, "kind", 4) == 0)
            return true;
    return false;
}

/* The error a batch carries in its messages (decrypt/decompress), or IGGY_OK; and a batch
 * must hold what the fixture sent. */
static iggy_err_t batch_check(ctx_t *x, const iggy_polled_messages_t *b, size_t want)
{
    if (b->count != want)
        return iggy_fail(IGGY_ERR__STATE, "poll returned %zu messages, want %zu", b->count, want);
    for (size_t i = 0; i < b->count; i++) {
        if (b->messages[i].error != IGGY_OK) {
            snprintf(x->detail, sizeof x->detail, "message %zu carries %s", i,
                     iggy_err2name((iggy_err_t)b->messages[i].error));
            return (iggy_err_t)b->messages[i].error;
        }
        if (b->messages[i].payload_len < 16 ||
            memcmp(b->messages[i].payload, "torture message ", 16) != 0)
            return iggy_fail(IGGY_ERR__STATE, "message %zu: payload not as sent", i);
        if (!has_kind_header(&b->messages[i]))
            return iggy_fail(IGGY_ERR__STATE, "message %zu: the \"kind\" header is missing", i);
    }
    return IGGY_OK;
}

static iggy_err_t poll_with(ctx_t *x, bool into, bool group, const iggy_poll_opts_t *o)
{
    iggy_consumer_ref_t single = {IGGY_CONSUMER_SINGLE, iggy_id_num(7)};
    iggy_consumer_ref_t grp = {IGGY_CONSUMER_GROUP, x->g};
    iggy_polling_strategy_t from0 = {IGGY_POLL_OFFSET, 0};
    const uint32_t p1 = 1;
    iggy_polled_messages_t *b = NULL;
    iggy_err_t e;
    if (into) {
        e = iggy_poll_messages_into(x->c, group ? &grp : &single, &x->s, &x->t, group ? NULL : &p1,
                                    &from0, 10, false, o, &x->batch);
        if (e != IGGY_OK)
            return failed(x, e);
        e = batch_check(x, x->batch, 3);
        return e != IGGY_OK && !x->detail[0] ? failed(x, e) : e;
    }
    e = iggy_poll_messages(x->c, group ? &grp : &single, &x->s, &x->t, group ? NULL : &p1, &from0,
                           10, false, o, &b);
    if (e != IGGY_OK)
        return failed(x, e);
    e = batch_check(x, b, 3);
    if (e != IGGY_OK && !x->detail[0])
        failed(x, e);
    iggy_result_destroy(b);
    return e;
}

static iggy_err_t run_poll(ctx_t *x)
{
    return poll_with(x, false, false, NULL);
}
static iggy_err_t run_poll_into_new(ctx_t *x)
{
    return poll_with(x, true, false, NULL);
}
static iggy_err_t run_poll_into_reuse(ctx_t *x)
{
    return poll_with(x, true, false, NULL); /* FIX_BATCH: x->batch is already large enough */
}
static iggy_err_t run_poll_verified(ctx_t *x)
{
    iggy_poll_opts_t o;
    memset(&o, 0, sizeof o);
    o.verify_checksums = true;
    return poll_with(x, false, false, &o);
}
static iggy_err_t run_poll_zstd(ctx_t *x)
{
    return poll_with(x, false, false, NULL);
}
static iggy_err_t run_poll_zstd_reuse(ctx_t *x)
{
    return poll_with(x, true, false, NULL);
}
static iggy_err_t run_poll_sealed(ctx_t *x)
{
    iggy_poll_opts_t o;
    memset(&o, 0, sizeof o);
    o.encryption_key = KEY;
    return poll_with(x, false, false, &o);
}
static iggy_err_t run_poll_sealed_reuse(ctx_t *x)
{
    iggy_poll_opts_t o;
    memset(&o, 0, sizeof o);
    o.encryption_key = KEY;
    return poll_with(x, true, false, &o);
}
static iggy_err_t run_poll_group(ctx_t *x)
{
    /* the assignment is synced first; a member of a 2-partition group holds both and the
     * first poll reads partition 0 or 1, 3 messages either way */
    return poll_with(x, false, true, NULL);
}

/* ---------------------------------------------------------------- operations: producer */

typedef struct reports {
    pthread_mutex_t lock;
    size_t n;
    iggy_err_t first_err;
} reports_t;

static void on_report(const iggy_delivery_report_t *r, void *opaque)
{
    reports_t *rs = opaque;
    pthread_mutex_lock(&rs->lock);
    rs->n++;
    if (r->err != IGGY_OK && rs->first_err == IGGY_OK)
        rs->first_err = r->err;
    pthread_mutex_unlock(&rs->lock);
}

static iggy_err_t producer_with(ctx_t *x, const char *mode, bool zstd)
{
    static char bufs[20][120];
    iggy_conf_t *conf = NULL;
    iggy_producer_t *p = NULL;
    iggy_send_message_t m[20];
    iggy_send_opts_t so;
    reports_t rs = {PTHREAD_MUTEX_INITIALIZER, 0, IGGY_OK};
    char err[256] = "";
    iggy_err_t e;
    size_t sent = 0;

    memset(&so, 0, sizeof so);
    so.compression = zstd ? IGGY_COMPRESSION_CODEC_ZSTD : IGGY_COMPRESSION_CODEC_NONE;
    memset(m, 0, sizeof m);
    for (unsigned i = 0; i < 20; i++) {
        payload(bufs[i], sizeof bufs[i], i);
        m[i].payload = bufs[i];
        m[i].payload_len = (uint32_t)strlen(bufs[i]);
    }
    if ((e = iggy_conf_new(&conf)) != IGGY_OK)
        return failed(x, e);
    e = iggy_conf_set(conf, "producer.mode", mode, err, sizeof err);
    if (e == IGGY_OK)
        e = iggy_conf_set(conf, "producer.batch.length", "8", err, sizeof err);
    if (e == IGGY_OK)
        e = iggy_conf_set(conf, "producer.linger.ms", "0", err, sizeof err);
    if (e == IGGY_OK)
        e = iggy_conf_set(conf, "producer.retry.backoff.ms", "1", err, sizeof err);
    if (e != IGGY_OK) {
        failed(x, e);
        iggy_conf_destroy(conf);
        return e;
    }
    iggy_conf_set_delivery_report_cb(conf, on_report, &rs);
    e = iggy_producer_new(x->c, conf, &x->s, &x->t, &so, &p, err, sizeof err);
    iggy_conf_destroy(conf);
    if (e != IGGY_OK)
        return failed(x, e);
    for (unsigned k = 0; k < 2 && e == IGGY_OK; k++) {
        iggy_partitioning_t part = {IGGY_PARTITIONING_PARTITION_ID, k, NULL, 0};
        e = iggy_producer_send(p, &part, m + 10 * k, 10, NULL);
        if (e == IGGY_OK || strcmp(mode, "direct") == 0)
            sent += 10; /* direct mode reports every message either way */
    }
    if (e != IGGY_OK)
        failed(x, e);
    else if ((e = iggy_producer_flush(p, 5000)) != IGGY_OK)
        failed(x, e);
    iggy_producer_destroy(p);
    /* every message given to send got exactly one report */
    if (rs.n != sent) {
        snprintf(x->detail, sizeof x->detail, "%zu reports for %zu messages", rs.n, sent);
        return IGGY_ERR__STATE;
    }
    if (e == IGGY_OK && rs.first_err != IGGY_OK) {
        x->detail_elsewhere = true; /* set on the worker thread */
        return rs.first_err;
    }
    return e;
}

static iggy_err_t run_producer_bg(ctx_t *x)
{
    return producer_with(x, "background", false);
}
static iggy_err_t run_producer_direct(ctx_t *x)
{
    return producer_with(x, "direct", false);
}
static iggy_err_t run_producer_zstd(ctx_t *x)
{
    return producer_with(x, "background", true);
}

/* ---------------------------------------------------------------- operations: consumer */

static iggy_err_t consumer_with(ctx_t *x, bool group)
{
    iggy_conf_t *conf = NULL;
    iggy_consumer_t *k = NULL;
    iggy_polled_messages_t *b = NULL;
    char err[256] = "";
    size_t got = 0;
    iggy_err_t e, e2;

    if ((e = iggy_conf_new(&conf)) != IGGY_OK)
        return failed(x, e);
    e = iggy_conf_set(conf, "consumer.auto.commit", "disabled", err, sizeof err);
    if (e == IGGY_OK)
        e = iggy_conf_set(conf, "consumer.start", "first", err, sizeof err);
    if (e == IGGY_OK)
        e = iggy_conf_set(conf, "consumer.retry.interval.ms", "1", err, sizeof err);
    if (e == IGGY_OK && group)
        e = iggy_conf_set(conf, "consumer.group", x->group, err, sizeof err);
    if (e != IGGY_OK) {
        failed(x, e);
        iggy_conf_destroy(conf);
        return e;
    }
    e = iggy_consumer_new(x->c, conf, &x->s, &x->t, NULL, &k, err, sizeof err);
    iggy_conf_destroy(conf);
    if (e != IGGY_OK)
        return failed(x, e);
    /* two partitions of 3 messages each; a poll returns one partition's batch */
    for (int i = 0; i < 4 && e == IGGY_OK && got < 6; i++) {
        e = iggy_consumer_poll(k, 0, &b);
        if (e == IGGY_OK)
            got += b->count;
    }
    if (e != IGGY_OK)
        failed(x, e);
    else if (got != 6)
        e = failed(x, iggy_fail(IGGY_ERR__STATE, "consumer read %zu messages, want 6", got));
    else if ((e = iggy_consumer_commit(k)) != IGGY_OK)
        failed(x, e);
    e2 = iggy_consumer_close(k);
    iggy_result_destroy(b);
    if (e == IGGY_OK && e2 != IGGY_OK)
        e = failed(x, e2);
    return e;
}

static iggy_err_t run_consumer(ctx_t *x)
{
    return consumer_with(x, false);
}
static iggy_err_t run_consumer_group(ctx_t *x)
{
    uniq(x->group, sizeof x->group, "tg"); /* created by the consumer */
    return consumer_with(x, true);
}

/* ---------------------------------------------------------------- the table */

static const char *const four_conns[] = {"connections", "4", NULL};

#define T FIX_TOPIC
#define M (FIX_TOPIC | FIX_MSGS)
static const op_t OPS[] = {
    /* connect */
    {.name = "connect+login", .cmd = -1, .fix = FIX_NOCLIENT, .run = run_connect},
    {.name = "connect+explicit login", .cmd = -1, .fix = FIX_NOCLIENT, .run = run_connect_login},
    {.name = "connect+login over TLS", .cmd = -1, .fix = FIX_NOCLIENT, .run = run_connect_tls},
    {.name = "conf new/set/dup/dump", .cmd = -1, .fix = FIX_NOCLIENT, .run = run_conf_dup_dump},
    /* system */
    {.name = "Ping", .cmd = IGGY_CMD_PING, .fix = 0, .run = run_ping},
    {.name = "GetStats", .cmd = IGGY_CMD_GET_STATS, .fix = 0, .run = run_get_stats},
    {.name = "GetSnapshotFile", .cmd = IGGY_CMD_GET_SNAPSHOT_FILE, .fix = 0, .run = run_snapshot},
    {.name = "GetClusterMetadata",
     .cmd = IGGY_CMD_GET_CLUSTER_METADATA,
     .fix = 0,
     .run = run_cluster},
    {.name = "DescribeOptions", .cmd = IGGY_CMD_DESCRIBE_OPTIONS, .fix = 0, .run = run_describe},
    {.name = "GetMe", .cmd = IGGY_CMD_GET_ME, .fix = 0, .run = run_get_me},
    {.name = "GetClient", .cmd = IGGY_CMD_GET_CLIENT, .fix = FIX_CLIENT, .run = run_get_client},
    {.name = "GetClients", .cmd = IGGY_CMD_GET_CLIENTS, .fix = 0, .run = run_get_clients},
    {.name = "raw command", .cmd = -1, .fix = 0, .run = run_raw_command},
    {.name = "client stats (4 connections)",
     .cmd = -1,
     .fix = 0,
     .run = run_client_stats,
     .props = four_conns},
    /* users */
    {.name = "GetUser", .cmd = IGGY_CMD_GET_USER, .fix = FIX_USER, .run = run_get_user},
    {.name = "GetUsers", .cmd = IGGY_CMD_GET_USERS, .fix = FIX_USER, .run = run_get_users},
    {.name = "CreateUser", .cmd = IGGY_CMD_CREATE_USER, .fix = 0, .run = run_create_user},
    {.name = "DeleteUser", .cmd = IGGY_CMD_DELETE_USER, .fix = FIX_USER, .run = run_delete_user},
    {.name = "UpdateUser", .cmd = IGGY_CMD_UPDATE_USER, .fix = FIX_USER, .run = run_update_user},
    {.name = "UpdatePermissions",
     .cmd = IGGY_CMD_UPDATE_PERMISSIONS,
     .fix = FIX_USER,
     .run = run_update_permissions},
    {.name = "ChangePassword",
     .cmd = IGGY_CMD_CHANGE_PASSWORD,
     .fix = FIX_USER,
     .run = run_change_password},
    {.name = "LogoutUser",
     .cmd = IGGY_CMD_LOGOUT_USER,
     .fix = 0,
     .run = run_logout,
     .setup = setup_logged_in,
     .after = relogin},
    {.name = "LoginRegister",
     .cmd = IGGY_CMD_LOGIN_REGISTER,
     .fix = 0,
     .run = run_login,
     .after = relogin},
    {.name = "GetPersonalAccessTokens",
     .cmd = IGGY_CMD_GET_PERSONAL_ACCESS_TOKENS,
     .fix = FIX_PAT,
     .run = run_get_pats},
    {.name = "CreatePersonalAccessToken",
     .cmd = IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN,
     .fix = 0,
     .run = run_create_pat},
    {.name = "DeletePersonalAccessToken",
     .cmd = IGGY_CMD_DELETE_PERSONAL_ACCESS_TOKEN,
     .fix = FIX_PAT,
     .run = run_delete_pat},
    {.name = "LoginRegisterWithPat",
     .cmd = IGGY_CMD_LOGIN_REGISTER_WITH_PAT,
     .fix = FIX_PAT,
     .run = run_login_pat,
     .after = relogin},
    /* messages */
    {.name = "PollMessages", .cmd = IGGY_CMD_POLL_MESSAGES, .fix = M, .run = run_poll},
    {.name = "poll into a new batch", .cmd = -1, .fix = M, .run = run_poll_into_new},
    {.name = "poll into a reused batch",
     .cmd = -1,
     .fix = M | FIX_BATCH,
     .run = run_poll_into_reuse},
    {.name = "poll, checksums verified", .cmd = -1, .fix = M, .run = run_poll_verified},
    {.name = "poll zstd", .cmd = -1, .fix = T | FIX_ZSTD, .run = run_poll_zstd},
    {.name = "poll zstd into a reused batch",
     .cmd = -1,
     .fix = T | FIX_ZSTD | FIX_BATCH,
     .run = run_poll_zstd_reuse},
    {.name = "poll encrypted", .cmd = -1, .fix = T | FIX_SEALED, .run = run_poll_sealed},
    {.name = "poll encrypted into a reused batch",
     .cmd = -1,
     .fix = T | FIX_SEALED | FIX_BATCH,
     .run = run_poll_sealed_reuse},
    {.name = "poll as a group member", .cmd = -1, .fix = M | FIX_JOINED, .run = run_poll_group},
    {.name = "SendMessages", .cmd = IGGY_CMD_SEND_MESSAGES, .fix = T, .run = run_send},
    {.name = "send balanced", .cmd = -1, .fix = T, .run = run_send_balanced},
    {.name = "send by key", .cmd = -1, .fix = T, .run = run_send_key},
    {.name = "send zstd", .cmd = -1, .fix = T, .run = run_send_zstd},
    {.name = "send lz4", .cmd = -1, .fix = T, .run = run_send_lz4},
    {.name = "send snappy", .cmd = -1, .fix = T, .run = run_send_snappy},
    {.name = "send encrypted", .cmd = -1, .fix = T, .run = run_send_sealed},
    {.name = "send zstd + encrypted", .cmd = -1, .fix = T, .run = run_send_zstd_sealed},
    {.name = "FlushUnsavedBuffer",
     .cmd = IGGY_CMD_FLUSH_UNSAVED_BUFFER,
     .fix = T,
     .run = run_flush,
     .want = IGGY_ERR_FEATURE_UNAVAILABLE},
    /* offsets */
    {.name = "GetConsumerOffset",
     .cmd = IGGY_CMD_GET_CONSUMER_OFFSET,
     .fix = FIX_OFFSET,
     .run = run_get_offset},
    {.name = "StoreConsumerOffset",
     .cmd = IGGY_CMD_STORE_CONSUMER_OFFSET,
     .fix = M,
     .run = run_store_offset},
    {.name = "DeleteConsumerOffset",
     .cmd = IGGY_CMD_DELETE_CONSUMER_OFFSET,
     .fix = FIX_OFFSET,
     .run = run_delete_offset},
    /* streams */
    {.name = "GetStream", .cmd = IGGY_CMD_GET_STREAM, .fix = T, .run = run_get_stream},
    {.name = "GetStreams", .cmd = IGGY_CMD_GET_STREAMS, .fix = T, .run = run_get_streams},
    {.name = "CreateStream", .cmd = IGGY_CMD_CREATE_STREAM, .fix = 0, .run = run_create_stream},
    {.name = "DeleteStream", .cmd = IGGY_CMD_DELETE_STREAM, .fix = T, .run = run_delete_stream},
    {.name = "UpdateStream", .cmd = IGGY_CMD_UPDATE_STREAM, .fix = T, .run = run_update_stream},
    {.name = "PurgeStream", .cmd = IGGY_CMD_PURGE_STREAM, .fix = M, .run = run_purge_stream},
    /* topics */
    {.name = "GetTopic", .cmd = IGGY_CMD_GET_TOPIC, .fix = T, .run = run_get_topic},
    {.name = "GetTopics", .cmd = IGGY_CMD_GET_TOPICS, .fix = T, .run = run_get_topics},
    {.name = "CreateTopic", .cmd = IGGY_CMD_CREATE_TOPIC, .fix = T, .run = run_create_topic},
    {.name = "DeleteTopic", .cmd = IGGY_CMD_DELETE_TOPIC, .fix = T, .run = run_delete_topic},
    {.name = "UpdateTopic", .cmd = IGGY_CMD_UPDATE_TOPIC, .fix = T, .run = run_update_topic},
    {.name = "PurgeTopic", .cmd = IGGY_CMD_PURGE_TOPIC, .fix = M, .run = run_purge_topic},
    {.name = "CreatePartitions",
     .cmd = IGGY_CMD_CREATE_PARTITIONS,
     .fix = T,
     .run = run_create_partitions},
    {.name = "DeletePartitions",
     .cmd = IGGY_CMD_DELETE_PARTITIONS,
     .fix = T,
     .run = run_delete_partitions},
    {.name = "DeleteSegments",
     .cmd = IGGY_CMD_DELETE_SEGMENTS,
     .fix = M,
     .run = run_delete_segments},
    /* consumer groups */
    {.name = "GetConsumerGroup",
     .cmd = IGGY_CMD_GET_CONSUMER_GROUP,
     .fix = FIX_GROUP,
     .run = run_get_group},
    {.name = "GetConsumerGroups",
     .cmd = IGGY_CMD_GET_CONSUMER_GROUPS,
     .fix = FIX_GROUP,
     .run = run_get_groups},
    {.name = "CreateConsumerGroup",
     .cmd = IGGY_CMD_CREATE_CONSUMER_GROUP,
     .fix = T,
     .run = run_create_group},
    {.name = "DeleteConsumerGroup",
     .cmd = IGGY_CMD_DELETE_CONSUMER_GROUP,
     .fix = FIX_GROUP,
     .run = run_delete_group},
    {.name = "JoinConsumerGroup",
     .cmd = IGGY_CMD_JOIN_CONSUMER_GROUP,
     .fix = FIX_GROUP,
     .run = run_join_group},
    {.name = "LeaveConsumerGroup",
     .cmd = IGGY_CMD_LEAVE_CONSUMER_GROUP,
     .fix = FIX_JOINED,
     .run = run_leave_group},
    {.name = "SyncConsumerGroup",
     .cmd = IGGY_CMD_SYNC_CONSUMER_GROUP,
     .fix = FIX_JOINED,
     .run = run_sync_group},
    /* high level */
    {.name = "producer background: new, send, flush, destroy",
     .cmd = -1,
     .fix = T,
     .run = run_producer_bg},
    {.name = "producer direct: new, send, flush, destroy",
     .cmd = -1,
     .fix = T,
     .run = run_producer_direct},
    {.name = "producer zstd: new, send, flush, destroy",
     .cmd = -1,
     .fix = T,
     .run = run_producer_zstd},
    {.name = "consumer: new, poll, commit, close", .cmd = -1, .fix = M, .run = run_consumer},
    {.name = "consumer group: new, poll, commit, close",
     .cmd = -1,
     .fix = M,
     .run = run_consumer_group},
};
#undef T
#undef M
#define NOPS (sizeof OPS / sizeof OPS[0])

/* ---------------------------------------------------------------- the driver */

typedef struct outcome {
    iggy_err_t err;
    size_t seen;
    bool fired;
    char detail[512];
    bool detail_elsewhere;
} outcome_t;

static void ctx_begin(ctx_t *x, const op_t *op)
{
    memset(x, 0, sizeof *x);
    if (!(op->fix & FIX_NOCLIENT))
        x->c = make_client(op->props);
}

static void ctx_prepare(ctx_t *x, const op_t *op)
{
    if (op->fix & FIX_NOCLIENT)
        return;
    fixture_up(x, op->fix);
    if (op->setup)
        op->setup(x);
}

/* One run of op with its nth allocation failing (0: none). */
static void attempt(ctx_t *x, const op_t *op, size_t nth, outcome_t *out)
{
    x->detail[0] = '\0';
    x->detail_elsewhere = false;
    iggy_detail_clear();
    test_fail_arm(nth);
    out->err = op->run(x);
    out->seen = test_fail_disarm();
    out->fired = test_fail_fired();
    snprintf(out->detail, sizeof out->detail, "%s", x->detail);
    out->detail_elsewhere = x->detail_elsewhere;
    if (op->after)
        op->after(x);
}

/* The whole cycle for one N: a fresh client with the fixture, the armed run, then the same
 * operation on the same client with a working allocator; then nothing may be left. */
static void cycle(const op_t *op, size_t nth, iggy_err_t expected, outcome_t *out)
{
    long live0 = test_fail_live();
    ctx_t x;
    outcome_t again;
    ctx_begin(&x, op);
    ctx_prepare(&x, op);
    attempt(&x, op, nth, out);
    ck_assert_msg(out->err == expected || (out->fired && out->err == IGGY_ERR__NO_MEMORY),
                  "%s, allocation %zu failed: got %s [%s], want %s or IGGY_ERR__NO_MEMORY",
                  op->name, nth, iggy_err2name(out->err), out->detail, iggy_err2name(expected));
    if (out->err == IGGY_ERR__NO_MEMORY && !out->detail_elsewhere)
        ck_assert_msg(out->detail[0] != '\0', "%s, allocation %zu failed: no error detail",
                      op->name, nth);
    /* the client recovers: the operation again, without failures */
    if (!(op->fix & FIX_NOCLIENT))
        fixture_down(&x);
    ctx_prepare(&x, op);
    attempt(&x, op, 0, &again);
    ck_assert_msg(again.err == expected,
                  "%s, after allocation %zu failed: the next run got %s [%s], want %s", op->name,
                  nth, iggy_err2name(again.err), again.detail, iggy_err2name(expected));
    if (x.c) {
        fixture_down(&x);
        iggy_client_destroy(x.c);
    }
    ck_assert_msg(test_fail_live() == live0,
                  "%s, allocation %zu failed: %ld blocks still allocated after destroy", op->name,
                  nth, test_fail_live() - live0);
}

static void torture(const op_t *op)
{
    outcome_t o;
    iggy_err_t expected;
    size_t points, n = 1, runs = 0, nomem = 0, stride = 1;
    struct timespec t0, t1;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    cycle(op, 0, op->want, &o);
    expected = o.err;
    points = o.seen;
    if (g_light && points > FULL_POINTS)
        stride = (points - FULL_POINTS) / 100 + 1;
    for (;;) {
        cycle(op, n, expected, &o);
        runs++;
        if (!o.fired)
            break; /* the operation completed before its nth allocation */
        nomem += o.err == IGGY_ERR__NO_MEMORY;
        n += n < FULL_POINTS ? 1 : stride;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("torture %-48s %4zu allocation points, %4zu runs, %4zu no-memory, outcome %s, %.2f s\n",
           op->name, points, runs, nomem, iggy_err2name(expected),
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    fflush(stdout);
}

static void disarm(void)
{
    test_fail_disarm();
}

/* ---------------------------------------------------------------- tests */

START_TEST(every_command_row_is_tortured)
{
    for (size_t r = 0; r < IGGY_CMD__NUM; r++) {
        bool found = false;
        for (size_t i = 0; i < NOPS; i++)
            found |= OPS[i].cmd == (int)r;
        ck_assert_msg(found, "command %s (%u) has no torture operation", iggy_cmds[r].name,
                      iggy_cmds[r].code);
    }
}
END_TEST

START_TEST(torture_one)
{
    const char *only = getenv("IGGY_TEST_TORTURE_ONLY"); /* debugging: ops whose name has it */
    if (only && !strstr(OPS[_i].name, only))
        return;
    torture(&OPS[_i]);
}
END_TEST

START_TEST(the_hook_fails_and_counts)
{
    void *p;
    long live = test_fail_live();
    test_fail_arm(2);
    p = test_failing_allocator.malloc_fn(8);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_null(test_failing_allocator.malloc_fn(8));
    ck_assert(test_fail_fired());
    ck_assert_uint_eq(test_fail_disarm(), 2);
    ck_assert_int_eq(test_fail_live(), live + 1);
    test_failing_allocator.free_fn(p);
    ck_assert_int_eq(test_fail_live(), live);
}
END_TEST

/* The throwaway PKI of the TLS mock, made by a Check test of its own (test_pki asserts) in
 * this process, before the mock child is forked and before any thread exists. */
START_TEST(make_pki)
{
    test_pki_create(&g_pki);
}
END_TEST

int main(void)
{
    Suite *pre = suite_create("alloc_torture_pki"), *s = suite_create("alloc_torture");
    TCase *tp = tcase_create("pki"), *tc = tcase_create("torture");
    const char *light = getenv("IGGY_TEST_LIGHT");
    iggy_mock_opts_t tls;
    int rc, mock_rc, tls_rc;

    /* Before any other libiggy call: every block is then freed by the allocator that made it. */
    if (iggy_set_allocator(&test_failing_allocator) != 0)
        return EXIT_FAILURE;
    g_light = light && strcmp(light, "1") == 0;
    memset(&tls, 0, sizeof tls);
    signal(SIGPIPE, SIG_IGN);
    tcase_add_test(tp, make_pki);
    suite_add_tcase(pre, tp);
    if (test_run_nofork(pre) != 0)
        return EXIT_FAILURE;
    tls.tls_cert_file = g_pki.cert_path;
    tls.tls_key_file = g_pki.key_path;
    if (test_mock_child_start(&g_mock, NULL) != 0 ||
        test_mock_child_start(&g_tls_mock, &tls) != 0) {
        fprintf(stderr, "could not start the mock servers\n");
        return EXIT_FAILURE;
    }
    g_addr = g_mock.addr;
    g_tls_addr = g_tls_mock.addr;
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, NULL, disarm);
    tcase_add_test(tc, the_hook_fails_and_counts);
    tcase_add_test(tc, every_command_row_is_tortured);
    tcase_add_loop_test(tc, torture_one, 0, (int)NOPS);
    suite_add_tcase(s, tc);
    rc = test_run_suite(s);
    mock_rc = test_mock_child_stop(&g_mock);
    tls_rc = test_mock_child_stop(&g_tls_mock);
    test_pki_destroy(&g_pki);
    if (mock_rc != 0 || tls_rc != 0) {
        fprintf(stderr, "the mock server children exited with %d and %d\n", mock_rc, tls_rc);
        return EXIT_FAILURE;
    }
    return rc;
}
