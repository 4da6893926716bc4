/* Statistics: iggy_client_stats_json() parses as JSON (a strict parser below) and its counters
 * match what the test did, producers and consumers appear while they run, the percentiles
 * come from a histogram that keeps its error bound, and the statistics callback fires at its
 * interval from a thread of its own that stops with the client. Fault-injecting tests need the
 * mock (SKIPPED against a real server). */
#include <check.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iggy/iggy.h>
#include <iggy/mock.h>

#include "iggy_clock.h"
#include "iggy_hist.h"
#include "test_main.h"
#include "test_server.h"

#define CODE_GET_ME 20u

static test_server_t srv;
static test_leak_guard_t guard;

/* ---------------------------------------------------------------- a strict JSON parser */

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype_t;

typedef struct jv {
    jtype_t t;
    bool b;
    unsigned long long num; /* the library writes unsigned integers only */
    char *str;
    size_t n;
    struct jv *items; /* array items or object values */
    char **keys;      /* object keys */
} jv_t;

typedef struct jp {
    const char *p;
    const char *err;
} jp_t;

static void ws(jp_t *j)
{
    while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
        j->p++;
}

static bool json_fail(jp_t *j, const char *why)
{
    if (!j->err)
        j->err = why;
    return false;
}

static bool parse_value(jp_t *j, jv_t *v, int depth);
static void jv_free(jv_t *v);

static bool parse_string(jp_t *j, char **out)
{
    size_t cap = 16, len = 0;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    if (*j->p != '"') {
        free(s);
        return json_fail(j, "expected a string");
    }
    j->p++;
    for (;;) {
        unsigned char ch = (unsigned char)*j->p++;
        if (len + 8 > cap) {
            cap *= 2;
            s = realloc(s, cap);
            ck_assert_ptr_nonnull(s);
        }
        if (ch == '"')
            break;
        if (ch < 0x20) {
            free(s);
            return json_fail(j, ch ? "raw control character in a string" : "unterminated string");
        }
        if (ch == '\\') {
            char e = *j->p++;
            const char *map = strchr("\"\\/bfnrt", e);
            if (e == 'u') {
                unsigned code = 0;
                for (int i = 0; i < 4; i++, j->p++) {
                    if (!isxdigit((unsigned char)*j->p)) {
                        free(s);
                        return json_fail(j, "bad \\u escape");
                    }
                    code = code * 16 + (unsigned)(isdigit((unsigned char)*j->p)
                                                      ? *j->p - '0'
                                                      : (tolower((unsigned char)*j->p) - 'a' + 10));
                }
                s[len++] = code < 0x80 ? (char)code : '?';
            } else if (e && map) {
                s[len++] = "\"\\/\b\f\n\r\t"[map - "\"\\/bfnrt"];
            } else {
                free(s);
                return json_fail(j, "bad escape");
            }
            continue;
        }
        s[len++] = (char)ch;
    }
    s[len] = '\0';
    *out = s;
    return true;
}

static bool parse_number(jp_t *j, jv_t *v)
{
    const char *start = j->p;
    char *end;
    if (*j->p == '-')
        return json_fail(j, "negative number (the library writes none)");
    if (!isdigit((unsigned char)*j->p))
        return json_fail(j, "expected a value");
    if (*j->p == '0' && isdigit((unsigned char)j->p[1]))
        return json_fail(j, "leading zero");
    v->t = J_NUM;
    v->num = strtoull(start, &end, 10);
    j->p = end;
    if (*j->p == '.' || *j->p == 'e' || *j->p == 'E')
        return json_fail(j, "non-integer number (the library writes none)");
    return true;
}

static bool parse_items(jp_t *j, jv_t *v, bool object, int depth)
{
    char close = object ? '}' : ']';
    j->p++;
    ws(j);
    if (*j->p == close) {
        j->p++;
        return true;
    }
    for (;;) {
        v->items = realloc(v->items, (v->n + 1) * sizeof *v->items);
        ck_assert_ptr_nonnull(v->items);
        memset(&v->items[v->n], 0, sizeof v->items[v->n]);
        if (object) {
            v->keys = realloc(v->keys, (v->n + 1) * sizeof *v->keys);
            ck_assert_ptr_nonnull(v->keys);
            ws(j);
            if (!parse_string(j, &v->keys[v->n]))
                return false;
            for (size_t i = 0; i < v->n; i++)
                if (strcmp(v->keys[i], v->keys[v->n]) == 0) {
                    free(v->keys[v->n]);
                    return json_fail(j, "duplicate key");
                }
            ws(j);
            if (*j->p++ != ':') {
                free(v->keys[v->n]);
                return json_fail(j, "expected ':'");
            }
        }
        if (!parse_value(j, &v->items[v->n], depth + 1)) {
            /* What the failed value holds is freed here; v itself stays freeable. */
            jv_free(&v->items[v->n]);
            if (object)
                free(v->keys[v->n]);
            return false;
        }
        v->n++;
        ws(j);
        if (*j->p == ',') {
            j->p++;
            continue;
        }
        if (*j->p == close) {
            j->p++;
            return true;
        }
        return json_fail(j, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static bool parse_value(jp_t *j, jv_t *v, int depth)
{
    memset(v, 0, sizeof *v);
    if (depth > 32)
        return json_fail(j, "too deep");
    ws(j);
    switch (*j->p) {
    case '{':
        v->t = J_OBJ;
        return parse_items(j, v, true, depth);
    case '[':
        v->t = J_ARR;
        return parse_items(j, v, false, depth);
    case '"':
        v->t = J_STR;
        return parse_string(j, &v->str);
    case 't':
    case 'f':
    case 'n': {
        static const char *const words[] = {"true", "false", "null"};
        for (int i = 0; i < 3; i++)
            if (strncmp(j->p, words[i], strlen(words[i])) == 0) {
                v->t = i == 2 ? J_NULL : J_BOOL;
                v->b = i == 0;
                j->p += strlen(words[i]);
                return true;
            }
        return json_fail(j, "bad literal");
    }
    default:
        return parse_number(j, v);
    }
}

static void jv_free(jv_t *v)
{
    for (size_t i = 0; i < v->n; i++) {
        jv_free(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
}

/* Parse the whole text (nothing may follow the value); fails the test when it is not JSON. */
static jv_t parse_json(const char *text)
{
    jp_t j = {text, NULL};
    jv_t v;
    bool ok = parse_value(&j, &v, 0);
    ws(&j);
    if (ok && *j.p)
        ok = json_fail(&j, "text after the value");
    ck_assert_msg(ok, "not JSON (%s) at offset %ld: %.60s", j.err, (long)(j.p - text), j.p);
    ck_assert_int_eq(v.t, J_OBJ);
    return v;
}

static const jv_t *get(const jv_t *obj, const char *key)
{
    ck_assert_int_eq(obj->t, J_OBJ);
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return &obj->items[i];
    ck_abort_msg("no key \"%s\"", key);
    return NULL;
}

static unsigned long long num(const jv_t *obj, const char *key)
{
    const jv_t *v = get(obj, key);
    ck_assert_msg(v->t == J_NUM, "\"%s\" is not a number", key);
    return v->num;
}

static const char *str(const jv_t *obj, const char *key)
{
    const jv_t *v = get(obj, key);
    ck_assert_msg(v->t == J_STR, "\"%s\" is not a string", key);
    return v->str;
}

static const jv_t *arr(const jv_t *obj, const char *key)
{
    const jv_t *v = get(obj, key);
    ck_assert_msg(v->t == J_ARR, "\"%s\" is not an array", key);
    return v;
}

/* The element of array a whose "name" is name. */
static const jv_t *named(const jv_t *a, const char *name)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(str(&a->items[i], "name"), name) == 0)
            return &a->items[i];
    ck_abort_msg("no command \"%s\"", name);
    return NULL;
}

static jv_t stats_json(iggy_client_t *c)
{
    char *text = NULL;
    size_t len = 0;
    jv_t v;
    ck_assert_int_eq(iggy_client_stats_json(c, &text, &len), IGGY_OK);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(len, strlen(text));
    v = parse_json(text);
    iggy_free(text);
    return v;
}

START_TEST(the_parser_rejects_what_is_not_json)
{
    static const char *const bad[] = {
        "{",           "{\"a\":1,}", "{\"a\" 1}",   "{\"a\":01}",        "{\"a\":\"x\x01\"}",
        "{\"a\":1} x", "[1]",        "{\"a\":tru}", "{\"a\":1,\"a\":2}", "{\"a\":\"\\q\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        jp_t j = {bad[i], NULL};
        jv_t v;
        bool ok = parse_value(&j, &v, 0);
        ws(&j);
        ck_assert_msg(!ok || *j.p || v.t != J_OBJ, "accepted: %s", bad[i]);
        jv_free(&v); /* a failed parse leaves a freeable partial value */
    }
    {
        jv_t v = parse_json(" {\"a\":[1,{\"b\":null}],\"c\":\"x\\\"y\\u0041\",\"d\":true} ");
        ck_assert_uint_eq(arr(&v, "a")->n, 2);
        ck_assert_str_eq(str(&v, "c"), "x\"yA");
        jv_free(&v);
    }
}
END_TEST

/* ---------------------------------------------------------------- client counters */

static iggy_client_t *client_with(const char *const *props)
{
    return test_client_with(&srv, true, props);
}

static iggy_err_t get_me(iggy_client_t *c)
{
    iggy_client_info_t *me = NULL;
    iggy_err_t err = iggy_get_me(c, &me);
    iggy_result_destroy(me);
    return err;
}

static void check_rtt(const jv_t *rtt, uint64_t min_count)
{
    ck_assert_uint_ge(num(rtt, "count"), min_count);
    ck_assert_uint_gt(num(rtt, "max"), 0);
    ck_assert_uint_le(num(rtt, "p50"), num(rtt, "p90"));
    ck_assert_uint_le(num(rtt, "p90"), num(rtt, "p99"));
    ck_assert_uint_le(num(rtt, "p99"), num(rtt, "max"));
    ck_assert_uint_le(num(rtt, "avg"), num(rtt, "max"));
}

START_TEST(the_json_matches_what_was_done)
{
    static const char *const props[] = {
        "connections", "2", "heartbeat.interval.ms", "0", "reconnect.backoff.ms", "1", NULL};
    iggy_identifier_t missing = iggy_id_name("no-such-stream");
    iggy_client_stats_t *st = NULL;
    iggy_stream_t *sd = NULL;
    const jv_t *conns, *cmds, *c0, *c1;
    iggy_client_t *c;
    jv_t v;
    if (!test_begin_mock_only(&srv, &guard, NULL, "the_json_matches_what_was_done"))
        return;
    c = client_with(props);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(iggy_ping(c), IGGY_OK);
    ck_assert_int_eq(get_me(c), IGGY_OK);
    ck_assert_int_ne(iggy_get_stream(c, &missing, &sd), IGGY_OK);
    iggy_result_destroy(sd);
    ck_assert_int_eq(iggy_mock_push_fault(srv.mock, CODE_GET_ME, 0, IGGY_MOCK_FAULT_CLOSE, 0, 1),
                     IGGY_OK);
    ck_assert_int_eq(get_me(c), IGGY_OK);

    v = stats_json(c);
    ck_assert_str_eq(str(&v, "type"), "client");
    ck_assert_uint_gt(num(&v, "ts_us"), 1600000000000000ull);
    ck_assert_uint_gt(num(&v, "uptime_us"), 0);
    ck_assert_uint_eq(num(&v, "requests"), 8); /* 5 Ping, 2 GetMe, 1 GetStream */
    ck_assert_uint_eq(num(&v, "errors"), 1);
    ck_assert_uint_eq(num(&v, "connects"), 2);
    ck_assert_uint_eq(num(&v, "reconnects"), 1);
    ck_assert_uint_eq(num(&v, "disconnects"), 1);
    ck_assert_uint_eq(num(&v, "retries"), 1);
    ck_assert_uint_eq(num(&v, "evictions"), 0);
    ck_assert_uint_eq(num(&v, "connect_failures"), 0);
    ck_assert_uint_eq(num(&v, "transient_replays"), 0);
    ck_assert_uint_gt(num(&v, "bytes_sent"), 8 * 256); /* every frame has a 256-byte header */
    ck_assert_uint_gt(num(&v, "bytes_received"), 7 * 256);
    check_rtt(get(&v, "rtt_us"), 8);
    ck_assert_uint_gt(num(get(&v, "pool"), "borrows"), 0);
    (void)num(get(&v, "pool"), "misses");
    (void)num(get(&v, "pool"), "in_use");
    (void)num(get(&v, "pool"), "high_water");

    cmds = arr(&v, "commands");
    ck_assert_uint_eq(cmds->n, 3);
    ck_assert_uint_eq(num(named(cmds, "Ping"), "requests"), 5);
    ck_assert_uint_eq(num(named(cmds, "Ping"), "code"), 1);
    ck_assert_uint_eq(num(named(cmds, "GetMe"), "requests"), 2);
    ck_assert_uint_eq(num(named(cmds, "GetStream"), "errors"), 1);

    /* One thread used one connection; the second slot never opened. */
    ck_assert_uint_eq(num(&v, "connections_count"), 2);
    ck_assert_uint_eq(num(&v, "connections_open"), 1);
    conns = arr(&v, "connections");
    ck_assert_uint_eq(conns->n, 2);
    c0 = &conns->items[0];
    c1 = &conns->items[1];
    ck_assert_uint_eq(num(c0, "index"), 0);
    ck_assert(get(c0, "open")->t == J_BOOL && get(c0, "open")->b);
    ck_assert_str_eq(str(c0, "peer"), iggy_mock_address(srv.mock, 0));
    ck_assert_uint_eq(num(c0, "requests"), 8);
    ck_assert_uint_eq(num(c0, "reconnects"), 1);
    check_rtt(get(c0, "rtt_us"), 8);
    ck_assert(get(c1, "open")->t == J_BOOL && !get(c1, "open")->b);
    ck_assert_int_eq(get(c1, "peer")->t, J_NULL);
    ck_assert_uint_eq(num(c1, "requests"), 0);
    ck_assert_uint_eq(num(get(c1, "rtt_us"), "count"), 0);
    ck_assert_uint_eq(arr(&v, "producers")->n, 0);
    ck_assert_uint_eq(arr(&v, "consumers")->n, 0);

    /* The struct says the same (nothing ran in between). */
    ck_assert_int_eq(iggy_client_stats(c, &st), IGGY_OK);
    ck_assert_uint_eq(st->requests, num(&v, "requests"));
    ck_assert_uint_eq(st->bytes_sent, num(&v, "bytes_sent"));
    ck_assert_uint_eq(st->reconnects, 1);
    ck_assert_uint_eq(st->rtt_p50_us, num(get(&v, "rtt_us"), "p50"));
    ck_assert_uint_eq(st->rtt_p99_us, num(get(&v, "rtt_us"), "p99"));
    ck_assert_uint_eq(st->rtt_max_us, num(get(&v, "rtt_us"), "max"));
    ck_assert_uint_eq(st->connections[0].rtt_p90_us, num(get(c0, "rtt_us"), "p90"));
    iggy_result_destroy(st);
    jv_free(&v);
    iggy_client_destroy(c);
    test_end(&srv, &guard);
}
END_TEST

START_TEST(producers_and_consumers_appear_while_they_run)
{
    static const char *const props[] = {
        "producer.mode", "direct", "producer.create.topic", "true", "consumer.group.create",
        "true",          NULL};
    static const char *const group[] = {"consumer.group", "jg", NULL};
    iggy_identifier_t s = iggy_id_name("js"), t = iggy_id_name("jt");
    iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    iggy_send_message_t msgs[10];
    iggy_polled_messages_t *batch = NULL;
    iggy_stream_t *sd = NULL;
    iggy_identifier_t sid;
    iggy_producer_t *p = NULL;
    iggy_consumer_t *k = NULL, *kg = NULL;
    iggy_conf_t *gconf;
    const jv_t *pr, *cr;
    iggy_client_t *c;
    size_t got = 0;
    char err[256];
    jv_t v;
    test_begin(&srv, &guard, NULL);
    c = client_with(props);
    if (srv.real) /* names must not clash on a shared server */
        (void)iggy_delete_stream(c, &s);
    ck_assert_msg(iggy_producer_new(c, NULL, &s, &t, NULL, &p, err, sizeof err) == IGGY_OK, "%s",
                  err);
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < 10; i++) {
        msgs[i].payload = (const uint8_t *)"payload";
        msgs[i].payload_len = 7;
    }
    ck_assert_int_eq(iggy_producer_send(p, &p0, msgs, 10, NULL), IGGY_OK);
    /* A single consumer by the stream's numeric id, a group member by names. */
    ck_assert_int_eq(iggy_get_stream(c, &s, &sd), IGGY_OK);
    sid = iggy_id_num(sd->id);
    ck_assert_msg(iggy_consumer_new(c, NULL, &sid, &t, NULL, &k, err, sizeof err) == IGGY_OK, "%s",
                  err);
    gconf = test_conf(&srv, true, group);
    ck_assert_msg(iggy_consumer_new(c, gconf, &s, &t, NULL, &kg, err, sizeof err) == IGGY_OK, "%s",
                  err);
    iggy_conf_destroy(gconf);
    for (int i = 0; i < 50 && got < 10; i++) {
        ck_assert_int_eq(iggy_consumer_poll(k, 100, &batch), IGGY_OK);
        got += batch->count;
    }
    ck_assert_uint_eq(got, 10);

    v = stats_json(c);
    ck_assert_uint_eq(arr(&v, "producers")->n, 1);
    pr = &arr(&v, "producers")->items[0];
    ck_assert_str_eq(str(pr, "stream"), "js");
    ck_assert_str_eq(str(pr, "topic"), "jt");
    ck_assert_uint_eq(num(pr, "delivered"), 10);
    ck_assert_uint_eq(num(pr, "failed"), 0);
    ck_assert_uint_eq(num(pr, "batches_sent"), 1);
    ck_assert_uint_eq(num(pr, "queued_messages"), 0);
    ck_assert_uint_le(num(get(pr, "latency_us"), "p50"), num(get(pr, "latency_us"), "p99"));
    ck_assert_uint_eq(arr(&v, "consumers")->n, 2);
    for (size_t i = 0; i < 2; i++) {
        cr = &arr(&v, "consumers")->items[i];
        if (get(cr, "group")->t == J_NULL) {
            ck_assert_int_eq(get(cr, "stream")->t, J_NUM);
            ck_assert_uint_eq(num(cr, "stream"), sd->id);
            ck_assert_uint_eq(num(cr, "messages"), 10);
            ck_assert_uint_ge(num(cr, "polls"), 1);
        } else {
            ck_assert_str_eq(str(cr, "stream"), "js");
            ck_assert_str_eq(str(cr, "group"), "jg");
            ck_assert_uint_eq(num(cr, "messages"), 0);
        }
        ck_assert_str_eq(str(cr, "topic"), "jt");
    }
    jv_free(&v);

    iggy_producer_destroy(p);
    ck_assert_int_eq(iggy_consumer_close(k), IGGY_OK);
    v = stats_json(c);
    ck_assert_uint_eq(arr(&v, "producers")->n, 0);
    ck_assert_uint_eq(arr(&v, "consumers")->n, 1);
    jv_free(&v);
    ck_assert_int_eq(iggy_consumer_close(kg), IGGY_OK);
    v = stats_json(c);
    ck_assert_uint_eq(arr(&v, "consumers")->n, 0);
    jv_free(&v);
    iggy_result_destroy(batch);
    iggy_result_destroy(sd);
    ck_assert_int_eq(iggy_delete_stream(c, &s), IGGY_OK);
    iggy_client_destroy(c);
    test_end(&srv, &guard);
}
END_TEST

START_TEST(bad_arguments_are_refused)
{
    char *text = (char *)"untouched";
    iggy_client_t *c;
    ck_assert_int_eq(iggy_client_stats_json(NULL, &text, NULL), IGGY_ERR__INVALID_ARG);
    ck_assert_ptr_null(text);
    test_begin(&srv, &guard, NULL);
    c = client_with(NULL);
    ck_assert_int_eq(iggy_client_stats_json(c, NULL, NULL), IGGY_ERR__INVALID_ARG);
    iggy_client_destroy(c);
    test_end(&srv, &guard);
}
END_TEST

/* ---------------------------------------------------------------- the histogram */

START_TEST(histogram_percentiles_keep_their_error_bound)
{
    static uint64_t counts[IGGY_HIST_BUCKETS];
    iggy_hist_t *h = calloc(1, sizeof *h);
    uint64_t total;
    ck_assert_ptr_nonnull(h);
    /* Every value lands in a bucket whose upper bound is at most 1/8 above it. */
    for (uint64_t v = 0; v < 200000; v += 1 + v / 64) {
        size_t b = iggy_hist_bucket(v);
        ck_assert_uint_ge(iggy_hist_bucket_max(b), v);
        if (b)
            ck_assert_uint_lt(iggy_hist_bucket_max(b - 1), v);
        ck_assert_uint_le(iggy_hist_bucket_max(b) - v, v / 8);
    }
    ck_assert_uint_eq(iggy_hist_bucket(UINT64_MAX), IGGY_HIST_BUCKETS - 1);
    for (uint64_t v = 1; v <= 1000; v++)
        iggy_hist_add(h, v);
    memset(counts, 0, sizeof counts);
    total = iggy_hist_merge(h, counts);
    ck_assert_uint_eq(total, 1000);
    ck_assert_uint_eq(iggy_hist_quantile(counts, 0, 0.5), 0);
    ck_assert_uint_ge(iggy_hist_quantile(counts, total, 0.50), 500);
    ck_assert_uint_le(iggy_hist_quantile(counts, total, 0.50), 500 + 500 / 8);
    ck_assert_uint_ge(iggy_hist_quantile(counts, total, 0.90), 900);
    ck_assert_uint_le(iggy_hist_quantile(counts, total, 0.90), 900 + 900 / 8);
    ck_assert_uint_ge(iggy_hist_quantile(counts, total, 0.99), 990);
    ck_assert_uint_le(iggy_hist_quantile(counts, total, 0.99), 990 + 990 / 8);
    ck_assert_uint_ge(iggy_hist_quantile(counts, total, 1.0), 1000);
    free(h);
}
END_TEST

/* ---------------------------------------------------------------- the statistics callback */

typedef struct calls {
    pthread_mutex_t lock;
    int n;
    bool bad_json, on_caller;
    pthread_t caller;
    unsigned long long max_requests;
} calls_t;

static void on_stats(const char *json, size_t len, void *opaque)
{
    calls_t *k = opaque;
    jv_t v = parse_json(json);
    pthread_mutex_lock(&k->lock);
    k->n++;
    k->bad_json |= strlen(json) != len;
    k->on_caller |= pthread_equal(pthread_self(), k->caller) != 0;
    if (num(&v, "requests") > k->max_requests)
        k->max_requests = num(&v, "requests");
    pthread_mutex_unlock(&k->lock);
    jv_free(&v);
}

static int calls_now(calls_t *k)
{
    int n;
    pthread_mutex_lock(&k->lock);
    n = k->n;
    pthread_mutex_unlock(&k->lock);
    return n;
}

static iggy_client_t *client_with_stats(const char *interval, calls_t *k)
{
    const char *props[] = {"statistics.interval.ms", interval, "heartbeat.interval.ms", "0", NULL};
    iggy_conf_t *conf = test_conf(&srv, true, props);
    iggy_client_t *c;
    char err[256];
    if (k)
        iggy_conf_set_stats_cb(conf, on_stats, k);
    ck_assert_msg(iggy_client_new(conf, &c, err, sizeof err) == IGGY_OK, "%s", err);
    iggy_conf_destroy(conf);
    return c;
}

START_TEST(the_stats_callback_fires_at_its_interval_and_stops_at_destroy)
{
    calls_t k;
    iggy_identifier_t s = iggy_id_name("cbs"), t = iggy_id_name("t");
    iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    iggy_send_message_t m;
    iggy_polled_messages_t *batch = NULL;
    iggy_producer_t *p = NULL;
    iggy_consumer_t *cons = NULL;
    iggy_client_t *c;
    int threads, after, n;
    int64_t started, elapsed;
    char err[256];
    memset(&k, 0, sizeof k);
    pthread_mutex_init(&k.lock, NULL);
    k.caller = pthread_self();
    test_begin(&srv, &guard, NULL);
    threads = test_count_threads();

    /* No thread without a callback, or with interval 0. */
    c = client_with_stats("50", NULL);
    ck_assert_int_eq(test_count_threads(), threads);
    iggy_client_destroy(c);
    c = client_with_stats("0", &k);
    ck_assert_int_eq(test_count_threads(), threads);
    test_sleep_ms(120);
    ck_assert_int_eq(calls_now(&k), 0);
    iggy_client_destroy(c);

    /* With both: one thread, a call every 50 ms while a producer and a consumer run (their
     * counters are read from the statistics thread as they change). */
    started = iggy_now_ms();
    c = client_with_stats("50", &k);
    ck_assert_int_eq(test_count_threads(), threads + 1);
    if (srv.real)
        (void)iggy_delete_stream(c, &s);
    ck_assert_int_eq(iggy_create_stream(c, "cbs", NULL), IGGY_OK);
    ck_assert_int_eq(iggy_create_topic(c, &s, "t", 1, NULL, NULL), IGGY_OK);
    ck_assert_msg(iggy_producer_new(c, NULL, &s, &t, NULL, &p, err, sizeof err) == IGGY_OK, "%s",
                  err);
    ck_assert_msg(iggy_consumer_new(c, NULL, &s, &t, NULL, &cons, err, sizeof err) == IGGY_OK, "%s",
                  err);
    memset(&m, 0, sizeof m);
    m.payload = (const uint8_t *)"tick";
    m.payload_len = 4;
    while (iggy_now_ms() - started < 600) {
        ck_assert_int_eq(iggy_producer_send(p, &p0, &m, 1, NULL), IGGY_OK);
        ck_assert_int_eq(iggy_consumer_poll(cons, 10, &batch), IGGY_OK);
    }
    ck_assert_int_eq(iggy_producer_flush(p, 10000), IGGY_OK);
    iggy_producer_destroy(p);
    ck_assert_int_eq(iggy_consumer_close(cons), IGGY_OK);
    iggy_result_destroy(batch);
    ck_assert_int_eq(iggy_delete_stream(c, &s), IGGY_OK);
    elapsed = iggy_now_ms() - started;
    n = calls_now(&k);
    /* ~elapsed / 50 calls; a loaded machine may delay some, never add any. */
    ck_assert_msg(n >= 4 && n <= elapsed / 50 + 1, "%d calls in %lld ms", n, (long long)elapsed);

    iggy_client_destroy(c);
    after = calls_now(&k);
    test_sleep_ms(200);
    ck_assert_int_eq(calls_now(&k), after); /* none after destroy returned */
    ck_assert_int_eq(test_settle_threads(threads), threads);
    pthread_mutex_lock(&k.lock);
    ck_assert(!k.bad_json);
    ck_assert(!k.on_caller); /* from the client's own thread */
    ck_assert_uint_gt(k.max_requests, 0);
    pthread_mutex_unlock(&k.lock);
    pthread_mutex_destroy(&k.lock);
    test_end(&srv, &guard);
}
END_TEST

static Suite *stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("stats");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, the_parser_rejects_what_is_not_json);
    tcase_add_test(tc, the_json_matches_what_was_done);
    tcase_add_test(tc, producers_and_consumers_appear_while_they_run);
    tcase_add_test(tc, bad_arguments_are_refused);
    tcase_add_test(tc, histogram_percentiles_keep_their_error_bound);
    tcase_add_test(tc, the_stats_callback_fires_at_its_interval_and_stops_at_destroy);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(stats_suite());
}
