/* Security guarantees (SECURITY.md): TLS verification and host name checks are on by default;
 * passwords, tokens and encryption keys are wiped from every buffer libiggy frees and never
 * appear in logs, error details or errstr; every length read from the wire is bounded by a
 * configurable limit (message.max.bytes for frames, poll.max.decompressed.* for inflated
 * payloads).
 *
 * "Wiped" is checked through the allocator hook: every block libiggy frees is scanned for
 * each secret (tests/support/test_alloc.c). The mock servers run in child processes forked
 * before any thread exists, so every block the hook sees here is the client's (the mock
 * allocates through the same hook and keeps the passwords it checks). Memory OpenSSL, zstd
 * and the C library allocate themselves is outside the hook and not scanned. IGGY_TEST_SERVER
 * is ignored: these checks need servers with test certificates and a known root password. */
#include <check.h>
#include <openssl/pem.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iggy/iggy.h>
#include <iggy/mock.h>

#include "test_alloc.h"
#include "test_main.h"
#include "test_mock_child.h"
#include "test_pki.h"

#define ROOT_PW "R00t-secret-7x9q"
#define CONF_PW "c0nf-secret-4kz1"
#define CONF_PW_OLD "0ld-secret-m2p8"
#define CS_PW "cstr-secret-w6n3"
#define USER_PW "us3r-secret-b5t0"
#define USER_PW_NEW "n3w-secret-q8r2"
#define WRONG_PW "wr0ng-secret-h3j7"
#define CONF_TOKEN "t0ken-secret-y1u5"

static const uint8_t KEY[32] = {0xa7, 0x13, 0x5c, 0xe2, 0x09, 0x4b, 0x8d, 0x71, 0x3e, 0xf0, 0x26,
                                0x99, 0xc4, 0x5a, 0x12, 0x6b, 0xd8, 0x37, 0x80, 0x1f, 0xe9, 0x44,
                                0xb2, 0x0c, 0x75, 0xaa, 0x61, 0x3d, 0xf6, 0x28, 0x9e, 0x53};

static test_pki_t g_pki;
static char g_self_key[64]; /* the key of the self-signed certificate (other_ca) */
static test_mock_child_t g_plain, g_tls, g_self;

#define OK(expr)                                                                                   \
    do {                                                                                           \
        iggy_err_t e_ = (expr);                                                                    \
        ck_assert_msg(e_ == IGGY_OK, "%s: %s [%s]", #expr, iggy_err2name(e_),                      \
                      iggy_last_error_detail());                                                   \
    } while (0)

static iggy_conf_t *conf_for(const char *addr, const char *const *props)
{
    iggy_conf_t *conf;
    char err[256];
    OK(iggy_conf_new(&conf));
    OK(iggy_conf_set(conf, "bootstrap.servers", addr, err, sizeof err));
    OK(iggy_conf_set(conf, "username", "iggy", err, sizeof err));
    OK(iggy_conf_set(conf, "password", ROOT_PW, err, sizeof err));
    OK(iggy_conf_set(conf, "heartbeat.interval.ms", "0", err, sizeof err));
    OK(iggy_conf_set(conf, "request.timeout.ms", "5000", err, sizeof err));
    for (size_t i = 0; props && props[i]; i += 2)
        ck_assert_msg(iggy_conf_set(conf, props[i], props[i + 1], err, sizeof err) == IGGY_OK,
                      "%s=%s: %s", props[i], props[i + 1], err);
    return conf;
}

static iggy_client_t *client_for(const char *addr, const char *const *props)
{
    iggy_conf_t *conf = conf_for(addr, props);
    iggy_client_t *c;
    char err[256];
    ck_assert_msg(iggy_client_new(conf, &c, err, sizeof err) == IGGY_OK, "%s", err);
    iggy_conf_destroy(conf);
    return c;
}

static void unique(char *buf, size_t cap, const char *prefix)
{
    static unsigned n;
    snprintf(buf, cap, "%s-%d-%u", prefix, (int)getpid(), ++n);
}

/* ---------------------------------------------------------------- secrets in memory */

static void watch_all(void)
{
    test_fail_watch_clear();
    test_fail_watch("root password", ROOT_PW, strlen(ROOT_PW));
    test_fail_watch("conf password", CONF_PW, strlen(CONF_PW));
    test_fail_watch("replaced conf password", CONF_PW_OLD, strlen(CONF_PW_OLD));
    test_fail_watch("connection-string password", CS_PW, strlen(CS_PW));
    test_fail_watch("new user's password", USER_PW, strlen(USER_PW));
    test_fail_watch("changed password", USER_PW_NEW, strlen(USER_PW_NEW));
    test_fail_watch("wrong password", WRONG_PW, strlen(WRONG_PW));
    test_fail_watch("conf token", CONF_TOKEN, strlen(CONF_TOKEN));
    test_fail_watch("encryption key", KEY, sizeof KEY);
}

static void assert_no_secret_freed(const char *when)
{
    const char *which = NULL;
    size_t hits = test_fail_watch_hits(&which);
    ck_assert_msg(hits == 0, "%s: %zu freed block(s) still held a secret, first: the %s", when,
                  hits, which ? which : "?");
}

/* ---------------------------------------------------------------- TLS */

/* A TLS connect through the client with these properties: its outcome, the detail in why. */
static iggy_err_t tls_connect(const char *addr, const char *const *props, char *why, size_t cap)
{
    static const char *const base[] = {"tls.enabled", "true", "reconnect.max.retries", "0", NULL};
    iggy_conf_t *conf = conf_for(addr, base);
    iggy_client_t *c;
    iggy_err_t e;
    char err[256];
    for (size_t i = 0; props && props[i]; i += 2)
        ck_assert_msg(iggy_conf_set(conf, props[i], props[i + 1], err, sizeof err) == IGGY_OK, "%s",
                      err);
    ck_assert_msg(iggy_client_new(conf, &c, err, sizeof err) == IGGY_OK, "%s", err);
    iggy_conf_destroy(conf);
    e = iggy_client_connect(c);
    snprintf(why, cap, "%s", iggy_last_error_detail());
    if (e == IGGY_OK) {
        iggy_client_info_t *me = NULL;
        e = iggy_get_me(c, &me); /* logged in over the verified channel */
        iggy_result_destroy(me);
    }
    iggy_client_destroy(c);
    return e;
}

START_TEST(tls_verification_is_on_by_default)
{
    iggy_conf_t *conf;
    char v[16], why[512];
    size_t n = sizeof v;
    const char *const with_ca[] = {"tls.ca.file", g_pki.ca_path, NULL};
    const char *const with_ca_and_name[] = {"tls.ca.file", g_pki.ca_path, "tls.server.name",
                                            "localhost", NULL};
    const char *const wrong_name[] = {"tls.ca.file", g_pki.ca_path, "tls.server.name",
                                      "wrong.example", NULL};

    watch_all(); /* the logins below go over TLS */
    OK(iggy_conf_new(&conf));
    OK(iggy_conf_get(conf, "tls.verify", v, &n));
    ck_assert_str_eq(v, "true");
    iggy_conf_destroy(conf);

    /* No CA configured: the system's trust store knows neither the test CA nor a
     * self-signed certificate. */
    ck_assert_int_eq(tls_connect(g_tls.addr, NULL, why, sizeof why), IGGY_ERR__TLS_VERIFY);
    ck_assert_msg(strstr(why, "verif") != NULL, "detail: %s", why);
    ck_assert_int_eq(tls_connect(g_self.addr, NULL, why, sizeof why), IGGY_ERR__TLS_VERIFY);
    ck_assert_msg(strstr(why, "self") != NULL || strstr(why, "verif") != NULL, "detail: %s", why);
    /* A CA configured does not make another self-signed certificate trusted. */
    ck_assert_int_eq(tls_connect(g_self.addr, with_ca, why, sizeof why), IGGY_ERR__TLS_VERIFY);
    /* The right CA and the wrong host name. */
    ck_assert_int_eq(tls_connect(g_tls.addr, wrong_name, why, sizeof why), IGGY_ERR__TLS_VERIFY);
    ck_assert_msg(strstr(why, "hostname mismatch") != NULL, "detail: %s", why);
    /* The right CA: the address' own host (127.0.0.1, an IP SAN) and localhost pass. */
    ck_assert_int_eq(tls_connect(g_tls.addr, with_ca, why, sizeof why), IGGY_OK);
    ck_assert_int_eq(tls_connect(g_tls.addr, with_ca_and_name, why, sizeof why), IGGY_OK);
    assert_no_secret_freed("TLS clients");
    test_fail_watch_clear();
}
END_TEST

/* Every conf path that takes a secret: set, replace, connection string, dup, dump, get. */
START_TEST(conf_secrets_are_wiped)
{
    iggy_conf_t *conf, *copy;
    char *dump, v[64], err[256];
    size_t n = sizeof v;
    watch_all();
    OK(iggy_conf_new(&conf));
    OK(iggy_conf_set(conf, "password", CONF_PW_OLD, err, sizeof err));
    OK(iggy_conf_set(conf, "password", CONF_PW, err, sizeof err)); /* the old one is freed */
    OK(iggy_conf_set(conf, "personal.access.token", CONF_TOKEN, err, sizeof err));
    OK(iggy_conf_get(conf, "password", v, &n));
    ck_assert_str_eq(v, "***");
    dump = iggy_conf_dump(conf);
    ck_assert_ptr_nonnull(dump);
    ck_assert_ptr_null(strstr(dump, CONF_PW));
    ck_assert_ptr_null(strstr(dump, CONF_TOKEN));
    iggy_free(dump);
    OK(iggy_conf_dup(conf, &copy));
    OK(iggy_conf_set_connection_string(copy, "iggy://someone:" CS_PW "@127.0.0.1:8090", err,
                                       sizeof err));
    iggy_conf_destroy(copy);
    iggy_conf_destroy(conf);
    assert_no_secret_freed("conf");
    test_fail_watch_clear();
}
END_TEST

/* A client's whole life with every secret it can hold: credentials from the conf, the
 * automatic and an explicit login, a user created with a password and the password changed,
 * a new token created and used, a wrong password, messages sealed and opened with a key, and a
 * consumer holding the key; then nothing libiggy freed may still hold any of them. */
START_TEST(client_secrets_are_wiped)
{
    /* no spare buffers: every buffer a call returns is freed (and scanned) at once */
    static const char *const pool_props[] = {"pool.spare.count", "0", NULL};
    iggy_client_t *c, *bad;
    iggy_raw_pat_t *pat = NULL;
    iggy_user_t *user = NULL;
    iggy_polled_messages_t *batch = NULL;
    iggy_consumer_t *k = NULL;
    iggy_conf_t *kc;
    iggy_send_message_t m = {{0, 0}, 0, "sealed payload", 14, NULL, 0};
    iggy_send_opts_t so;
    iggy_poll_opts_t po;
    iggy_consumer_ref_t who = {IGGY_CONSUMER_SINGLE, iggy_id_num(1)};
    iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
    iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    char stream[64], topic[64], uname[64], tname[64], err[256];
    iggy_identifier_t s, t, u;
    uint32_t part0 = 0;

    watch_all();
    unique(stream, sizeof stream, "sec-s");
    unique(topic, sizeof topic, "sec-t");
    unique(uname, sizeof uname, "sec-u");
    unique(tname, sizeof tname, "sec-p");
    s = iggy_id_name(stream);
    t = iggy_id_name(topic);
    u = iggy_id_name(uname);

    c = client_for(g_plain.addr, pool_props);
    OK(iggy_client_connect(c));                    /* automatic login */
    OK(iggy_login_user(c, "iggy", ROOT_PW, NULL)); /* explicit login */
    OK(iggy_create_user(c, uname, USER_PW, IGGY_USER_ACTIVE, NULL, &user));
    OK(iggy_change_password(c, &u, USER_PW, USER_PW_NEW));
    /* The token is known only once created: a client of its own creates it and does nothing
     * more, so its reply buffer is freed (and scanned) when that client is destroyed. */
    {
        iggy_client_t *pc = client_for(g_plain.addr, NULL);
        OK(iggy_create_personal_access_token(pc, tname, 0, &pat));
        test_fail_watch("new token", pat->token, strlen(pat->token));
        iggy_client_destroy(pc);
    }
    OK(iggy_login_with_personal_access_token(c, pat->token, NULL));
    iggy_result_destroy(pat);
    OK(iggy_delete_personal_access_token(c, tname));
    OK(iggy_create_stream(c, stream, NULL));
    OK(iggy_create_topic(c, &s, topic, 1, NULL, NULL));
    memset(&so, 0, sizeof so);
    so.encryption_key = KEY;
    OK(iggy_send_messages(c, &s, &t, &p0, &m, 1, &so, NULL));
    memset(&po, 0, sizeof po);
    po.encryption_key = KEY;
    OK(iggy_poll_messages(c, &who, &s, &t, &part0, &first, 10, false, &po, &batch));
    ck_assert_uint_eq(batch->count, 1);
    ck_assert_int_eq(batch->messages[0].error, IGGY_OK);
    iggy_result_destroy(batch);
    batch = NULL;
    OK(iggy_conf_new(&kc));
    OK(iggy_conf_set(kc, "consumer.start", "first", err, sizeof err));
    OK(iggy_consumer_new(c, kc, &s, &t, &po, &k, err, sizeof err));
    iggy_conf_destroy(kc);
    OK(iggy_consumer_poll(k, 1000, &batch));
    ck_assert_uint_eq(batch->count, 1);
    OK(iggy_consumer_close(k));
    iggy_result_destroy(batch);
    OK(iggy_delete_user(c, &u));
    OK(iggy_delete_stream(c, &s));
    iggy_result_destroy(user);

    /* a refused password: the server evicts the connection */
    {
        const char *const wrong[] = {"password", WRONG_PW, "reconnect.max.retries", "0", NULL};
        bad = client_for(g_plain.addr, wrong);
        ck_assert_int_eq(iggy_client_connect(bad), IGGY_ERR_INVALID_CREDENTIALS);
        iggy_client_destroy(bad);
    }
    iggy_client_destroy(c);
    assert_no_secret_freed("client");
    test_fail_watch_clear();
}
END_TEST

/* The producer keeps a copy of its send options' encryption key (producer.h: "Copied (the key
 * too)"); destroy must wipe it. */
START_TEST(producer_wipes_its_key)
{
    iggy_client_t *c;
    iggy_producer_t *p = NULL;
    iggy_send_opts_t so;
    iggy_send_message_t m = {{0, 0}, 0, "x", 1, NULL, 0};
    char stream[64], topic[64], err[256];
    iggy_identifier_t s, t;
    watch_all();
    unique(stream, sizeof stream, "sec-s");
    unique(topic, sizeof topic, "sec-t");
    s = iggy_id_name(stream);
    t = iggy_id_name(topic);
    c = client_for(g_plain.addr, NULL);
    OK(iggy_create_stream(c, stream, NULL));
    OK(iggy_create_topic(c, &s, topic, 1, NULL, NULL));
    memset(&so, 0, sizeof so);
    so.encryption_key = KEY;
    OK(iggy_producer_new(c, NULL, &s, &t, &so, &p, err, sizeof err));
    OK(iggy_producer_send(p, NULL, &m, 1, NULL));
    OK(iggy_producer_flush(p, 5000));
    iggy_producer_destroy(p);
    OK(iggy_delete_stream(c, &s));
    iggy_client_destroy(c);
    assert_no_secret_freed("producer");
    test_fail_watch_clear();
}
END_TEST

/* ---------------------------------------------------------------- secrets in text */

static char g_log[1 << 16];
static size_t g_log_len;

static void collect(int level, const char *facility, const char *msg, void *opaque)
{
    int n;
    (void)opaque;
    n = snprintf(g_log + g_log_len, sizeof g_log - g_log_len, "%d %s %s\n", level, facility, msg);
    if (n > 0 && (size_t)n < sizeof g_log - g_log_len)
        g_log_len += (size_t)n;
}

static void assert_clean(const char *what, const char *text)
{
    static const char *const secrets[] = {ROOT_PW, CONF_PW, CS_PW, WRONG_PW, CONF_TOKEN, NULL};
    for (size_t i = 0; secrets[i]; i++)
        ck_assert_msg(strstr(text, secrets[i]) == NULL, "%s holds a secret: %s", what, text);
}

START_TEST(secrets_never_in_logs_or_details)
{
    static const char *const strings[] = {"iggy://u:" CS_PW "@127.0.0.1:notaport",
                                          "iggy://u:" CS_PW "@127.0.0.1:1?bogus=1",
                                          "iggy://u:" CS_PW
                                          "@127.0.0.1:1?tls=true&heartbeat_interval=soon",
                                          "iggy+quic://u:" CS_PW "@127.0.0.1:1",
                                          "iggy://u:" CS_PW "@@127.0.0.1:1",
                                          "iggy://u:" CS_PW ":x@127.0.0.1:1",
                                          "iggy://u:" CS_PW "@[::1]:1",
                                          "iggy://" CONF_TOKEN "@127.0.0.1",
                                          "http://u:" CS_PW "@127.0.0.1:1",
                                          NULL};
    const char *const debug_all[] = {"debug", "all", "reconnect.max.retries", "0", NULL};
    iggy_conf_t *conf;
    iggy_client_t *c;
    char err[512];
    iggy_err_t e;

    OK(iggy_conf_new(&conf));
    for (size_t i = 0; strings[i]; i++) {
        err[0] = '\0';
        e = iggy_conf_set_connection_string(conf, strings[i], err, sizeof err);
        ck_assert_msg(e != IGGY_OK, "accepted: %s", strings[i]);
        assert_clean("errstr", err);
        assert_clean("the error detail", iggy_last_error_detail());
    }
    iggy_conf_destroy(conf);

    g_log_len = 0;
    g_log[0] = '\0';
    /* a wrong password, with every debug log context on */
    conf = conf_for(g_plain.addr, debug_all);
    OK(iggy_conf_set(conf, "password", WRONG_PW, err, sizeof err));
    iggy_conf_set_log_cb(conf, collect, NULL);
    ck_assert_int_eq(iggy_client_new(conf, &c, err, sizeof err), IGGY_OK);
    e = iggy_client_connect(c);
    ck_assert_int_eq(e, IGGY_ERR_INVALID_CREDENTIALS);
    assert_clean("the error detail", iggy_last_error_detail());
    e = iggy_login_user(c, "iggy", WRONG_PW, NULL);
    ck_assert_int_ne(e, IGGY_OK);
    assert_clean("the error detail", iggy_last_error_detail());
    /* and the right one, then a token that does not exist */
    OK(iggy_login_user(c, "iggy", ROOT_PW, NULL));
    e = iggy_login_with_personal_access_token(c, CONF_TOKEN, NULL);
    ck_assert_int_ne(e, IGGY_OK);
    assert_clean("the error detail", iggy_last_error_detail());
    iggy_client_destroy(c);
    iggy_conf_destroy(conf);
    ck_assert_uint_gt(g_log_len, 0); /* the log did run */
    assert_clean("the log", g_log);
}
END_TEST

/* ---------------------------------------------------------------- bounded lengths */

static iggy_err_t send_payload(iggy_client_t *c, const iggy_identifier_t *s,
                               const iggy_identifier_t *t, const void *data, uint32_t len,
                               iggy_compression_codec_t codec)
{
    iggy_send_message_t m = {{0, 0}, 0, data, len, NULL, 0};
    iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    iggy_send_opts_t so;
    memset(&so, 0, sizeof so);
    so.compression = codec;
    return iggy_send_messages(c, s, t, &p0, &m, 1, &so, NULL);
}

static iggy_err_t poll_all(iggy_client_t *c, const iggy_identifier_t *s, const iggy_identifier_t *t,
                           const iggy_poll_opts_t *o, iggy_polled_messages_t **b)
{
    iggy_consumer_ref_t who = {IGGY_CONSUMER_SINGLE, iggy_id_num(3)};
    iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
    uint32_t p0 = 0;
    iggy_result_destroy(*b); /* each poll returns a new block */
    *b = NULL;
    return iggy_poll_messages(c, &who, s, t, &p0, &first, 100, false, o, b);
}

/* message.max.bytes bounds frames both ways: a larger request is refused before it is sent,
 * a reply announcing more is refused before its body is read (and the connection dropped:
 * the stream can no longer be framed); the client then goes on. */
START_TEST(frame_cap_is_configurable)
{
    static const char *const capped[] = {"message.max.bytes", "4096", NULL};
    static char big[3000];
    iggy_client_t *c, *small;
    iggy_polled_messages_t *b = NULL;
    iggy_conf_t *conf;
    char stream[64], topic[64], err[256];
    iggy_identifier_t s, t;

    OK(iggy_conf_new(&conf));
    ck_assert_int_eq(iggy_conf_set(conf, "message.max.bytes", "4095", err, sizeof err),
                     IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_conf_set(conf, "message.max.bytes", "67108865", err, sizeof err),
                     IGGY_ERR__INVALID_ARG);
    iggy_conf_destroy(conf);

    unique(stream, sizeof stream, "cap-s");
    unique(topic, sizeof topic, "cap-t");
    s = iggy_id_name(stream);
    t = iggy_id_name(topic);
    memset(big, 'b', sizeof big);
    c = client_for(g_plain.addr, NULL);
    OK(iggy_create_stream(c, stream, NULL));
    OK(iggy_create_topic(c, &s, topic, 1, NULL, NULL));
    OK(send_payload(c, &s, &t, big, sizeof big, IGGY_COMPRESSION_CODEC_NONE));
    OK(send_payload(c, &s, &t, big, sizeof big, IGGY_COMPRESSION_CODEC_NONE));

    small = client_for(g_plain.addr, capped);
    OK(iggy_ping(small));
    {
        static char huge[5000];
        memset(huge, 'h', sizeof huge);
        ck_assert_int_eq(
            send_payload(small, &s, &t, huge, sizeof huge, IGGY_COMPRESSION_CODEC_NONE),
            IGGY_ERR__MSG_TOO_LARGE);
    }
    ck_assert_int_eq(poll_all(small, &s, &t, NULL, &b), IGGY_ERR__BAD_MSG); /* ~6 KB reply */
    ck_assert_msg(strstr(iggy_last_error_detail(), "4096") != NULL, "detail: %s",
                  iggy_last_error_detail());
    ck_assert_ptr_null(b);
    OK(iggy_ping(small)); /* on a new connection */
    iggy_client_destroy(small);
    OK(poll_all(c, &s, &t, NULL, &b)); /* the default cap takes it */
    ck_assert_uint_eq(b->count, 2);
    iggy_result_destroy(b);
    OK(iggy_delete_stream(c, &s));
    iggy_client_destroy(c);
}
END_TEST

/* poll.max.decompressed.bytes bounds one payload, poll.max.decompressed.reply.bytes a reply;
 * the call's own limits override them. Over a limit a message keeps its bytes as received and
 * carries IGGY_ERR__BAD_COMPRESSION. */
START_TEST(decompression_budget_is_configurable)
{
    static const char *const per_message[] = {"poll.max.decompressed.bytes", "65536", NULL};
    static const char *const per_reply[] = {"poll.max.decompressed.reply.bytes", "300000", NULL};
    static char plain[200000];
    iggy_client_t *c, *lim;
    iggy_polled_messages_t *b = NULL;
    iggy_poll_opts_t o;
    iggy_conf_t *conf;
    char stream[64], topic[64], err[256];
    iggy_identifier_t s, t;

    OK(iggy_conf_new(&conf));
    ck_assert_int_eq(iggy_conf_set(conf, "poll.max.decompressed.bytes", "1023", err, sizeof err),
                     IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(
        iggy_conf_set(conf, "poll.max.decompressed.reply.bytes", "-1", err, sizeof err),
        IGGY_ERR__INVALID_ARG);
    iggy_conf_destroy(conf);

    unique(stream, sizeof stream, "inf-s");
    unique(topic, sizeof topic, "inf-t");
    s = iggy_id_name(stream);
    t = iggy_id_name(topic);
    memset(plain, 'z', sizeof plain);
    c = client_for(g_plain.addr, NULL);
    OK(iggy_create_stream(c, stream, NULL));
    OK(iggy_create_topic(c, &s, topic, 1, NULL, NULL));
    OK(send_payload(c, &s, &t, plain, sizeof plain, IGGY_COMPRESSION_CODEC_ZSTD));
    OK(send_payload(c, &s, &t, plain, sizeof plain, IGGY_COMPRESSION_CODEC_ZSTD));

    /* defaults: both inflate */
    OK(poll_all(c, &s, &t, NULL, &b));
    ck_assert_uint_eq(b->count, 2);
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(b->messages[i].error, IGGY_OK);
        ck_assert_uint_eq(b->messages[i].payload_len, sizeof plain);
    }

    /* 64 KiB per message: neither */
    lim = client_for(g_plain.addr, per_message);
    OK(poll_all(lim, &s, &t, NULL, &b));
    ck_assert_uint_eq(b->count, 2);
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(b->messages[i].error, IGGY_ERR__BAD_COMPRESSION);
        ck_assert_uint_lt(b->messages[i].payload_len, sizeof plain); /* as received */
    }
    /* the call's limit wins */
    memset(&o, 0, sizeof o);
    o.max_decompressed_bytes = 1u << 20;
    OK(poll_all(lim, &s, &t, &o, &b));
    ck_assert_int_eq(b->messages[0].error, IGGY_OK);
    ck_assert_int_eq(b->messages[1].error, IGGY_OK);
    iggy_client_destroy(lim);

    /* 300 000 bytes per reply: the first fits, the second does not */
    lim = client_for(g_plain.addr, per_reply);
    OK(poll_all(lim, &s, &t, NULL, &b));
    ck_assert_int_eq(b->messages[0].error, IGGY_OK);
    ck_assert_uint_eq(b->messages[0].payload_len, sizeof plain);
    ck_assert_int_eq(b->messages[1].error, IGGY_ERR__BAD_COMPRESSION);
    o.max_decompressed_bytes = 0;
    o.max_decompressed_reply_bytes = 1u << 20;
    OK(poll_all(lim, &s, &t, &o, &b));
    ck_assert_int_eq(b->messages[1].error, IGGY_OK);
    iggy_client_destroy(lim);

    iggy_result_destroy(b);
    OK(iggy_delete_stream(c, &s));
    iggy_client_destroy(c);
}
END_TEST

/* ---------------------------------------------------------------- main */

/* The PKI, and the self-signed certificate's key on disk, made by a Check test of its own
 * (test_pki asserts) before the mock children are forked. */
START_TEST(make_pki)
{
    int fd;
    FILE *f;
    test_pki_create(&g_pki);
    snprintf(g_self_key, sizeof g_self_key, "/tmp/iggy-sec-key-XXXXXX");
    fd = mkstemp(g_self_key);
    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(PEM_write_PrivateKey(f, g_pki.other_ca_key, NULL, NULL, 0, NULL, NULL), 1);
    fclose(f);
}
END_TEST

int main(void)
{
    Suite *pre = suite_create("security_pki"), *s = suite_create("security");
    TCase *tp = tcase_create("pki"), *tc = tcase_create("security");
    iggy_mock_opts_t plain, tls, self;
    int rc, st[3];

    /* Before any other libiggy call: the hook sees (and scans) every block libiggy frees. */
    if (iggy_set_allocator(&test_failing_allocator) != 0)
        return EXIT_FAILURE;
    signal(SIGPIPE, SIG_IGN);
    tcase_add_test(tp, make_pki);
    suite_add_tcase(pre, tp);
    if (test_run_nofork(pre) != 0)
        return EXIT_FAILURE;
    memset(&plain, 0, sizeof plain);
    plain.password = ROOT_PW;
    tls = plain;
    tls.tls_cert_file = g_pki.cert_path;
    tls.tls_key_file = g_pki.key_path;
    self = plain;
    self.tls_cert_file = g_pki.other_ca_path; /* a self-signed CA certificate */
    self.tls_key_file = g_self_key;
    if (test_mock_child_start(&g_plain, &plain) != 0 || test_mock_child_start(&g_tls, &tls) != 0 ||
        test_mock_child_start(&g_self, &self) != 0) {
        fprintf(stderr, "could not start the mock servers\n");
        return EXIT_FAILURE;
    }
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, tls_verification_is_on_by_default);
    tcase_add_test(tc, conf_secrets_are_wiped);
    tcase_add_test(tc, client_secrets_are_wiped);
    tcase_add_test(tc, producer_wipes_its_key);
    tcase_add_test(tc, secrets_never_in_logs_or_details);
    tcase_add_test(tc, frame_cap_is_configurable);
    tcase_add_test(tc, decompression_budget_is_configurable);
    suite_add_tcase(s, tc);
    rc = test_run_suite(s);
    st[0] = test_mock_child_stop(&g_plain);
    st[1] = test_mock_child_stop(&g_tls);
    st[2] = test_mock_child_stop(&g_self);
    unlink(g_self_key);
    test_pki_destroy(&g_pki);
    if (st[0] || st[1] || st[2]) {
        fprintf(stderr, "the mock server children exited with %d, %d, %d\n", st[0], st[1], st[2]);
        return EXIT_FAILURE;
    }
    return rc;
}
