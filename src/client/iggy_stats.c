/* Client counters: relaxed atomics on the call path, a snapshot block for callers, the same
 * as JSON (with the producers and consumers running on the client), and the thread that hands
 * that JSON to the conf's statistics callback. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <iggy/alloc.h>
#include <iggy/client.h>
#include <iggy/consumer.h>
#include <iggy/producer.h>
#include <iggy/stats.h>

#include "client/iggy_client_internal.h"
#include "codec/iggy_resp.h"
#include "iggy_alloc.h"
#include "iggy_conf_internal.h"
#include "iggy_error_internal.h"

#define ADD(field, v) __atomic_add_fetch(&(field), (uint64_t)(v), __ATOMIC_RELAXED)
#define GET(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

/* Table index of a command; raw commands outside the table share the last slot. */
static size_t slot_of(const iggy_cmd_desc_t *cmd)
{
    if (cmd >= iggy_cmds && cmd < iggy_cmds + IGGY_CMD__NUM)
        return (size_t)(cmd - iggy_cmds);
    return IGGY_CMD__NUM;
}

void iggy_stats_call(iggy_client_t *c, iggy_conn_t *conn, const iggy_cmd_desc_t *cmd,
                     iggy_err_t err)
{
    size_t i = slot_of(cmd);
    ADD(c->cmd_requests[i], 1);
    if (err != IGGY_OK)
        ADD(c->cmd_errors[i], 1);
    if (conn) {
        ADD(conn->counters.requests, 1);
        if (err != IGGY_OK)
            ADD(conn->counters.errors, 1);
    }
}

void iggy_stats_exchange(iggy_conn_t *conn, size_t sent, size_t received, int64_t rtt_us)
{
    iggy_conn_counters_t *k = &conn->counters;
    uint64_t rtt = rtt_us > 0 ? (uint64_t)rtt_us : 0, max;
    ADD(k->bytes_sent, sent);
    ADD(k->bytes_received, received);
    ADD(k->rtt_sum_us, rtt);
    ADD(k->rtt_count, 1);
    iggy_hist_add(&k->rtt, rtt);
    max = GET(k->rtt_max_us);
    while (rtt > max && !__atomic_compare_exchange_n(&k->rtt_max_us, &max, rtt, true,
                                                     __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

/* A bucket's upper bound is no answer above the largest value seen. */
static uint64_t clamp(uint64_t v, uint64_t max)
{
    return v < max ? v : max;
}

/* One connection's row; its sums are added to the client's totals, its round trips to the
 * client's histogram (hist). */
static void connection_row(iggy_conn_t *conn, iggy_connection_stats_t *row, uint64_t *rtt_sum,
                           uint64_t *rtt_count, iggy_client_stats_t *st, uint64_t *hist)
{
    iggy_conn_counters_t *k = &conn->counters;
    uint64_t sum = GET(k->rtt_sum_us), count = GET(k->rtt_count);
    uint64_t own[IGGY_HIST_BUCKETS] = {0}, n = iggy_hist_merge(&k->rtt, own);
    for (size_t i = 0; i < IGGY_HIST_BUCKETS; i++)
        hist[i] += own[i];
    row->reconnects = GET(k->reconnects);
    row->connect_failures = GET(k->connect_failures);
    row->disconnects = GET(k->disconnects);
    row->evictions = GET(k->evictions);
    row->retries = GET(k->retries);
    row->transient_replays = GET(k->transient_replays);
    st->reconnects += row->reconnects;
    st->connect_failures += row->connect_failures;
    st->disconnects += row->disconnects;
    st->evictions += row->evictions;
    st->retries += row->retries;
    st->transient_replays += row->transient_replays;
    row->index = (uint32_t)conn->index;
    row->requests = GET(k->requests);
    row->errors = GET(k->errors);
    row->bytes_sent = GET(k->bytes_sent);
    row->bytes_received = GET(k->bytes_received);
    row->connects = GET(k->connects);
    row->rtt_avg_us = count ? sum / count : 0;
    row->rtt_max_us = GET(k->rtt_max_us);
    row->rtt_p50_us = clamp(iggy_hist_quantile(own, n, 0.50), row->rtt_max_us);
    row->rtt_p90_us = clamp(iggy_hist_quantile(own, n, 0.90), row->rtt_max_us);
    row->rtt_p99_us = clamp(iggy_hist_quantile(own, n, 0.99), row->rtt_max_us);
    st->bytes_sent += row->bytes_sent;
    st->bytes_received += row->bytes_received;
    st->connects += row->connects;
    if (row->rtt_max_us > st->rtt_max_us)
        st->rtt_max_us = row->rtt_max_us;
    *rtt_sum += sum;
    *rtt_count += count;
}

iggy_err_t iggy_client_stats(iggy_client_t *c, iggy_client_stats_t **out)
{
    iggy_client_stats_t *st;
    iggy_command_stats_t *cmds;
    iggy_connection_stats_t *conns;
    iggy_pool_stats_t ps;
    size_t used = 0;
    uint64_t rtt_sum = 0, rtt_count = 0, hist[IGGY_HIST_BUCKETS] = {0}, in_hist = 0;

    if (!c || !out)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "client stats: NULL argument");
    /* One block: the struct, room for every command row, then one row per connection. */
    st = iggy_result_alloc(sizeof *st + (IGGY_CMD__NUM + 1) * sizeof *cmds +
                           c->nconns * sizeof *conns);
    if (!st)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "client stats: no memory");
    cmds = (iggy_command_stats_t *)(void *)(st + 1);
    conns = (iggy_connection_stats_t *)(void *)(cmds + IGGY_CMD__NUM + 1);
    for (size_t i = 0; i <= IGGY_CMD__NUM; i++) {
        uint64_t requests = GET(c->cmd_requests[i]);
        if (!requests)
            continue;
        cmds[used].code = i < IGGY_CMD__NUM ? iggy_cmds[i].code : 0;
        cmds[used].name = i < IGGY_CMD__NUM ? iggy_cmds[i].name : "RawCommand";
        cmds[used].requests = requests;
        cmds[used].errors = GET(c->cmd_errors[i]);
        st->requests += requests;
        st->errors += cmds[used].errors;
        used++;
    }
    st->commands_count = used;
    st->commands = used ? cmds : NULL;
    for (size_t i = 0; i < c->nconns; i++)
        connection_row(&c->conns[i], &conns[i], &rtt_sum, &rtt_count, st, hist);
    st->connections_count = c->nconns;
    st->connections = conns;
    st->rtt_avg_us = rtt_count ? rtt_sum / rtt_count : 0;
    for (size_t i = 0; i < IGGY_HIST_BUCKETS; i++)
        in_hist += hist[i];
    st->rtt_p50_us = clamp(iggy_hist_quantile(hist, in_hist, 0.50), st->rtt_max_us);
    st->rtt_p90_us = clamp(iggy_hist_quantile(hist, in_hist, 0.90), st->rtt_max_us);
    st->rtt_p99_us = clamp(iggy_hist_quantile(hist, in_hist, 0.99), st->rtt_max_us);
    iggy_pool_get_stats(c->pool, &ps);
    st->pool_borrows = ps.borrows;
    st->pool_misses = ps.misses;
    st->pool_in_use = ps.in_use;
    st->pool_high_water = ps.high_water;
    *out = st;
    return IGGY_OK;
}

/* ---------------------------------------------------------------- producers and consumers */

/* An identifier as JSON: a name as a string, a numeric id as a number. */
typedef struct id_text {
    bool named;
    char text[256];
} id_text_t;

struct iggy_stats_attached {
    iggy_stats_kind_t kind;
    void *obj;
    id_text_t stream, topic, group;
    bool has_group;
};

static void id_text(const iggy_identifier_t *id, id_text_t *out)
{
    out->named = id->name != NULL;
    if (id->name)
        snprintf(out->text, sizeof out->text, "%s", id->name);
    else
        snprintf(out->text, sizeof out->text, "%u", id->numeric);
}

void iggy_stats_attach(iggy_client_t *c, iggy_stats_kind_t kind, void *obj,
                       const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                       const iggy_identifier_t *group)
{
    struct iggy_stats_attached *grown;
    pthread_mutex_lock(&c->stats_lock);
    grown = iggy_mem_realloc(c->attached, (c->nattached + 1) * sizeof *grown);
    if (grown) {
        struct iggy_stats_attached *a = &grown[c->nattached++];
        memset(a, 0, sizeof *a);
        a->kind = kind;
        a->obj = obj;
        id_text(stream, &a->stream);
        id_text(topic, &a->topic);
        if (group) {
            a->has_group = true;
            id_text(group, &a->group);
        }
        c->attached = grown;
    }
    pthread_mutex_unlock(&c->stats_lock);
}

void iggy_stats_detach(iggy_client_t *c, void *obj)
{
    pthread_mutex_lock(&c->stats_lock);
    for (size_t i = 0; i < c->nattached; i++)
        if (c->attached[i].obj == obj) {
            c->attached[i] = c->attached[--c->nattached];
            break;
        }
    pthread_mutex_unlock(&c->stats_lock);
}

void iggy_stats_free(iggy_client_t *c)
{
    iggy_mem_free(c->attached);
    c->attached = NULL;
    c->nattached = 0;
}

/* ---------------------------------------------------------------- JSON */

typedef struct json {
    char *p;
    size_t len, cap;
    bool oom;
} json_t;

static bool json_room(json_t *j, size_t n)
{
    char *grown;
    size_t cap;
    if (j->oom)
        return false;
    if (j->len + n + 1 <= j->cap)
        return true;
    cap = j->cap ? j->cap : 4096;
    while (cap < j->len + n + 1)
        cap *= 2;
    grown = iggy_mem_realloc(j->p, cap);
    if (!grown) {
        j->oom = true;
        return false;
    }
    j->p = grown;
    j->cap = cap;
    return true;
}

static void json_add(json_t *j, const char *fmt, ...) IGGY_PRINTF(2, 3);
static void json_add(json_t *j, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !json_room(j, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(j->p + j->len, j->cap - j->len, fmt, ap);
    va_end(ap);
    j->len += (size_t)n;
}

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void json_str(json_t *j, const char *s)
{
    json_add(j, "\"");
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            json_add(j, "\\%c", ch);
        else if (ch < 0x20)
            json_add(j, "\\u%04x", ch);
        else if (json_room(j, 1))
            j->p[j->len++] = (char)ch, j->p[j->len] = '\0';
    }
    json_add(j, "\"");
}

/* sep, then "key": and the identifier. */
static void json_id(json_t *j, const char *sep, const char *key, const id_text_t *id)
{
    json_add(j, "%s\"%s\":", sep, key);
    if (id->named)
        json_str(j, id->text);
    else
        json_add(j, "%s", id->text);
}

#define U64(x) ((unsigned long long)(x))

static void json_rtt(json_t *j, uint64_t count, uint64_t avg, uint64_t p50, uint64_t p90,
                     uint64_t p99, uint64_t max)
{
    json_add(j,
             "\"rtt_us\":{\"count\":%llu,\"avg\":%llu,\"p50\":%llu,\"p90\":%llu,\"p99\":%llu,"
             "\"max\":%llu}",
             U64(count), U64(avg), U64(p50), U64(p90), U64(p99), U64(max));
}

/* The counters a connection row and the totals share. */
static void json_counters(json_t *j, uint64_t requests, uint64_t errors, uint64_t sent,
                          uint64_t received, uint64_t connects, uint64_t reconnects,
                          uint64_t connect_failures, uint64_t disconnects, uint64_t evictions,
                          uint64_t retries, uint64_t replays)
{
    json_add(j,
             "\"requests\":%llu,\"errors\":%llu,\"bytes_sent\":%llu,\"bytes_received\":%llu,"
             "\"connects\":%llu,\"reconnects\":%llu,\"connect_failures\":%llu,"
             "\"disconnects\":%llu,\"evictions\":%llu,\"retries\":%llu,"
             "\"transient_replays\":%llu,",
             U64(requests), U64(errors), U64(sent), U64(received), U64(connects), U64(reconnects),
             U64(connect_failures), U64(disconnects), U64(evictions), U64(retries), U64(replays));
}

static void json_connection(json_t *j, iggy_conn_t *conn, const iggy_connection_stats_t *r)
{
    char peer[300] = "";
    bool open;
    pthread_mutex_lock(&conn->fd_lock);
    open = conn->fd >= 0;
    if (open)
        snprintf(peer, sizeof peer, "%s:%u", conn->host, conn->port);
    pthread_mutex_unlock(&conn->fd_lock);
    json_add(j, "{\"index\":%u,\"open\":%s,\"peer\":", r->index, open ? "true" : "false");
    if (open)
        json_str(j, peer);
    else
        json_add(j, "null");
    json_add(j, ",");
    json_counters(j, r->requests, r->errors, r->bytes_sent, r->bytes_received, r->connects,
                  r->reconnects, r->connect_failures, r->disconnects, r->evictions, r->retries,
                  r->transient_replays);
    json_rtt(j, GET(conn->counters.rtt_count), r->rtt_avg_us, r->rtt_p50_us, r->rtt_p90_us,
             r->rtt_p99_us, r->rtt_max_us);
    json_add(j, "}");
}

static void json_producer(json_t *j, const struct iggy_stats_attached *a)
{
    iggy_producer_stats_t *ps = NULL;
    if (iggy_producer_stats(a->obj, &ps) != IGGY_OK) {
        j->oom = true;
        return;
    }
    json_id(j, "{", "stream", &a->stream);
    json_id(j, ",", "topic", &a->topic);
    json_add(j,
             ",\"queued_messages\":%llu,\"queued_bytes\":%llu,\"batches_sent\":%llu,"
             "\"retries\":%llu,\"delivered\":%llu,\"failed\":%llu,"
             "\"latency_us\":{\"p50\":%llu,\"p99\":%llu}}",
             U64(ps->queued_messages), U64(ps->queued_bytes), U64(ps->batches_sent),
             U64(ps->retries), U64(ps->delivered), U64(ps->failed), U64(ps->latency_p50_us),
             U64(ps->latency_p99_us));
    iggy_result_destroy(ps);
}

static void json_consumer(json_t *j, const struct iggy_stats_attached *a)
{
    iggy_consumer_stats_t cs;
    iggy_consumer_stats(a->obj, &cs);
    json_id(j, "{", "stream", &a->stream);
    json_id(j, ",", "topic", &a->topic);
    if (a->has_group)
        json_id(j, ",", "group", &a->group);
    else
        json_add(j, ",\"group\":null");
    json_add(j,
             ",\"polls\":%llu,\"messages\":%llu,\"replays_dropped\":%llu,\"commits\":%llu,"
             "\"commit_failures\":%llu,\"syncs\":%llu,\"rebalances\":%llu,\"rejoins\":%llu,"
             "\"offset_resets\":%llu,\"errors_recovered\":%llu}",
             U64(cs.polls), U64(cs.messages), U64(cs.replays_dropped), U64(cs.commits),
             U64(cs.commit_failures), U64(cs.syncs), U64(cs.rebalances), U64(cs.rejoins),
             U64(cs.offset_resets), U64(cs.errors_recovered));
}

/* Producers or consumers (kind) as a JSON array under key. */
static void json_attached(json_t *j, iggy_client_t *c, iggy_stats_kind_t kind, const char *key)
{
    bool first = true;
    json_add(j, ",\"%s\":[", key);
    pthread_mutex_lock(&c->stats_lock);
    for (size_t i = 0; i < c->nattached; i++) {
        if (c->attached[i].kind != kind)
            continue;
        json_add(j, first ? "" : ",");
        first = false;
        if (kind == IGGY_STATS_PRODUCER)
            json_producer(j, &c->attached[i]);
        else
            json_consumer(j, &c->attached[i]);
    }
    pthread_mutex_unlock(&c->stats_lock);
    json_add(j, "]");
}

iggy_err_t iggy_client_stats_json(iggy_client_t *c, char **out, size_t *len)
{
    iggy_client_stats_t *st = NULL;
    json_t j = {NULL, 0, 0, false};
    uint64_t rtt_count = 0;
    size_t open = 0;

    if (out)
        *out = NULL;
    if (!c || !out)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "client stats json: NULL argument");
    IGGY_TRY(iggy_client_stats(c, &st));
    for (size_t i = 0; i < c->nconns; i++) {
        rtt_count += GET(c->conns[i].counters.rtt_count);
        pthread_mutex_lock(&c->conns[i].fd_lock);
        open += c->conns[i].fd >= 0;
        pthread_mutex_unlock(&c->conns[i].fd_lock);
    }
    json_add(&j, "{\"type\":\"client\",\"ts_us\":%llu,\"uptime_us\":%llu,", U64(iggy_now_us()),
             U64(iggy_mono_us() - c->created_us));
    json_add(&j, "\"connections_count\":%zu,\"connections_open\":%zu,", st->connections_count,
             open);
    json_counters(&j, st->requests, st->errors, st->bytes_sent, st->bytes_received, st->connects,
                  st->reconnects, st->connect_failures, st->disconnects, st->evictions, st->retries,
                  st->transient_replays);
    json_rtt(&j, rtt_count, st->rtt_avg_us, st->rtt_p50_us, st->rtt_p90_us, st->rtt_p99_us,
             st->rtt_max_us);
    json_add(&j, ",\"pool\":{\"borrows\":%llu,\"misses\":%llu,\"in_use\":%llu,\"high_water\":%llu}",
             U64(st->pool_borrows), U64(st->pool_misses), U64(st->pool_in_use),
             U64(st->pool_high_water));
    json_add(&j, ",\"commands\":[");
    for (size_t i = 0; i < st->commands_count; i++) {
        const iggy_command_stats_t *k = &st->commands[i];
        json_add(&j, "%s{\"name\":", i ? "," : "");
        json_str(&j, k->name);
        json_add(&j, ",\"code\":%u,\"requests\":%llu,\"errors\":%llu}", k->code, U64(k->requests),
                 U64(k->errors));
    }
    json_add(&j, "],\"connections\":[");
    for (size_t i = 0; i < st->connections_count; i++) {
        json_add(&j, i ? "," : "");
        json_connection(&j, &c->conns[i], &st->connections[i]);
    }
    json_add(&j, "]");
    json_attached(&j, c, IGGY_STATS_PRODUCER, "producers");
    json_attached(&j, c, IGGY_STATS_CONSUMER, "consumers");
    json_add(&j, "}");
    iggy_result_destroy(st);
    if (j.oom || !j.p) {
        iggy_mem_free(j.p);
        return iggy_fail(IGGY_ERR__NO_MEMORY, "client stats json: no memory");
    }
    *out = j.p;
    if (len)
        *len = j.len;
    return IGGY_OK;
}

/* ---------------------------------------------------------------- the statistics thread */

static void *stats_main(void *arg)
{
    iggy_client_t *c = arg;
    int64_t interval = c->conf->statistics_interval_ms, next = iggy_now_ms() + interval;
    while (!iggy_client_destroying(c)) {
        int64_t now = iggy_now_ms();
        char *json;
        size_t len;
        if (now < next) {
            iggy_client_sleep(c, next - now);
            continue;
        }
        /* A fixed rate; after a slow callback the next call comes one interval later. */
        next += interval;
        if (next <= now)
            next = now + interval;
        if (iggy_client_stats_json(c, &json, &len) != IGGY_OK)
            continue; /* no memory this time: the next interval tries again */
        c->conf->stats_cb(json, len, c->conf->stats_opaque);
        iggy_free(json);
    }
    return NULL;
}

iggy_err_t iggy_stats_start(iggy_client_t *c)
{
    if (!c->conf || !c->conf->stats_cb || c->conf->statistics_interval_ms <= 0)
        return IGGY_OK;
    if (pthread_create(&c->stats_thread, NULL, stats_main, c) != 0)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "client: cannot start the statistics thread");
    c->stats_running = true;
    return IGGY_OK;
}

void iggy_stats_stop(iggy_client_t *c)
{
    if (c->stats_running)
        pthread_join(c->stats_thread, NULL);
    c->stats_running = false;
}
