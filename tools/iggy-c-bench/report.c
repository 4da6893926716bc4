#include "report.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "humanize.h"
#include "json.h"
#include "pacing.h"
#include "iggy_clock.h"

#define DEFAULT_REMARK "libiggy"

extern char **environ;
#define SINGLE_NODE_CLUSTER_NAME "single-node"

/* ---------------------------------------------------------------- strings */

typedef struct sbuf {
    char *p;
    size_t cap, len;
} sbuf_t;

__attribute__((format(printf, 2, 3))) static void sb_add(sbuf_t *s, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (s->len >= s->cap)
        return;
    va_start(ap, fmt);
    n = vsnprintf(s->p + s->len, s->cap - s->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        s->len = s->len + (size_t)n < s->cap ? s->len + (size_t)n : s->cap - 1;
}

static void data_volume_identifier(const bench_args_t *a, char *buf, size_t cap)
{
    if (a->total_data)
        snprintf(buf, cap, "%lluB", (unsigned long long)a->total_data);
    else
        snprintf(buf, cap, "%u", a->message_batches);
}

static void pretty_name(report_t *r, const bench_args_t *a)
{
    sbuf_t s = {r->pretty_name, sizeof r->pretty_name, 0};
    char size[32], mpb[32];
    uint32_t p = args_producers(a), c = args_consumers(a);
    switch (a->kind) {
    case KIND_PINNED_PRODUCER:
    case KIND_BALANCED_PRODUCER:
        sb_add(&s, "%u producers", p);
        break;
    case KIND_PINNED_CONSUMER:
    case KIND_BALANCED_CONSUMER_GROUP:
        sb_add(&s, "%u consumers", c);
        break;
    case KIND_PINNED_PRODUCER_AND_CONSUMER:
    case KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP:
        sb_add(&s, "%u producers/%u consumers", p, c);
        break;
    case KIND_END_TO_END_PRODUCING_CONSUMER:
        sb_add(&s, "%u producing consumers", p);
        break;
    case KIND_END_TO_END_PRODUCING_CONSUMER_GROUP:
        /* upstream labels the consumer count as groups here */
        sb_add(&s, "%u producing consumers/%u consumer groups", p, c);
        break;
    }
    numparam_str(a->message_size, size, sizeof size);
    numparam_str(a->messages_per_batch, mpb, sizeof mpb);
    sb_add(&s, ", %sB msgs, %s msgs/batch", size, mpb);
    if (r->remark)
        sb_add(&s, " (%s)", r->remark);
}

static void params_identifier(report_t *r, const bench_args_t *a)
{
    sbuf_t s = {r->params_identifier, sizeof r->params_identifier, 0};
    char size[32], mpb[32], volume[32];
    numparam_str(a->message_size, size, sizeof size);
    numparam_str(a->messages_per_batch, mpb, sizeof mpb);
    data_volume_identifier(a, volume, sizeof volume);
    sb_add(&s, "%s_TCP_", kind_display_name(a->kind));
    for (const char *c = r->remark; *c; c++)
        sb_add(&s, "%c", *c == ' ' ? '_' : *c);
    sb_add(&s, "_%s_%s_%s_%u_%u_%u_%u_%u", mpb, volume, size, args_producers(a), args_consumers(a),
           args_streams(a), args_partitions(a), args_consumer_groups(a));
    if (r->cluster)
        sb_add(&s, "_cluster%zu", r->nodes_count);
}

/* The command that repeats this run (upstream's recreate_bench_command, with this tool's name
 * and flags it accepts). */
static void bench_command(report_t *r, const bench_args_t *a)
{
    sbuf_t s = {r->bench_command, sizeof r->bench_command, 0};
    char buf[64];
    const char *host_end = strrchr(a->server_address, ':');
    size_t host_len = host_end ? (size_t)(host_end - a->server_address) : 0;
    uint32_t streams = args_streams(a), partitions = args_partitions(a);
    bool balanced = a->kind == KIND_BALANCED_PRODUCER || a->kind == KIND_BALANCED_CONSUMER_GROUP ||
                    a->kind == KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP;

    if ((host_len == 9 && !strncmp(a->server_address, "localhost", 9)) ||
        (host_len == 9 && !strncmp(a->server_address, "127.0.0.1", 9)))
        for (char **e = environ; *e; e++)
            if (!strncmp(*e, "IGGY_", 5))
                sb_add(&s, "%s ", *e);
    sb_add(&s, "iggy-c-bench");
    if (a->high_level_api)
        sb_add(&s, " --high-level-api");
    if (!numparam_fixed(a->messages_per_batch) || a->messages_per_batch.min != 1000) {
        numparam_str(a->messages_per_batch, buf, sizeof buf);
        sb_add(&s, " --messages-per-batch %s", buf);
    }
    if (a->message_batches && a->message_batches != 1000)
        sb_add(&s, " --message-batches %u", a->message_batches);
    if (a->total_data && a->total_data != 8000000) {
        hz_byte_size(a->total_data, buf, sizeof buf);
        sb_add(&s, " --total-data '%s'", buf);
    }
    if (!numparam_fixed(a->message_size) || a->message_size.min != 1000) {
        numparam_str(a->message_size, buf, sizeof buf);
        sb_add(&s, " --message-size %s", buf);
    }
    if (a->rate_limit_set) {
        hz_byte_size(a->rate_limit, buf, sizeof buf);
        sb_add(&s, " --rate-limit '%s'", buf);
    }
    if (a->warmup_us) {
        hz_duration(a->warmup_us, buf, sizeof buf);
        sb_add(&s, " --warmup-time '%s'", buf);
    }
    sb_add(&s, " %s", kind_cli_name(a->kind));
    switch (a->kind) {
    case KIND_PINNED_PRODUCER:
    case KIND_BALANCED_PRODUCER:
        if (a->producers != 8)
            sb_add(&s, " --producers %u", a->producers);
        break;
    case KIND_END_TO_END_PRODUCING_CONSUMER:
        if (a->producers != 8)
            sb_add(&s, " --producing-consumers %u", a->producers);
        break;
    case KIND_PINNED_CONSUMER:
    case KIND_BALANCED_CONSUMER_GROUP:
        if (a->consumers != 8)
            sb_add(&s, " --consumers %u", a->consumers);
        break;
    default:
        if (a->producers != 8)
            sb_add(&s, " --producers %u", a->producers);
        if (a->consumers != 8)
            sb_add(&s, " --consumers %u", a->consumers);
    }
    if (streams != (balanced ? 1u : 8u))
        sb_add(&s, " --streams %u", streams);
    if ((a->kind == KIND_PINNED_PRODUCER_AND_CONSUMER || a->kind == KIND_BALANCED_PRODUCER ||
         a->kind == KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP ||
         a->kind == KIND_END_TO_END_PRODUCING_CONSUMER_GROUP) &&
        partitions != (balanced || a->kind == KIND_END_TO_END_PRODUCING_CONSUMER_GROUP ? 24u : 1u))
        sb_add(&s, " --partitions %u", partitions);
    if (args_consumer_groups(a) && args_consumer_groups(a) != 1)
        sb_add(&s, " --consumer-groups %u", args_consumer_groups(a));
    if (a->max_topic_size) {
        hz_byte_size(a->max_topic_size, buf, sizeof buf);
        sb_add(&s, " --max-topic-size '%s'", buf);
    }
    sb_add(&s, " tcp");
    if (strcmp(a->server_address, "127.0.0.1:8090"))
        sb_add(&s, " --server-address %s", a->server_address);
    if (a->nodelay)
        sb_add(&s, " --nodelay");
    sb_add(&s, " output -o %s", a->output ? a->output_dir : "performance_results");
    sb_add(&s, " --remark '%s'", r->remark);
}

/* ---------------------------------------------------------------- build */

static int by_actor(const void *x, const void *y)
{
    const individual_metrics_t *a = *(const individual_metrics_t *const *)x;
    const individual_metrics_t *b = *(const individual_metrics_t *const *)y;
    if (a->actor_kind != b->actor_kind)
        return a->actor_kind < b->actor_kind ? -1 : 1;
    return a->actor_id < b->actor_id ? -1 : a->actor_id > b->actor_id;
}

static void cluster_info(report_t *r, iggy_client_t *admin)
{
    static const char *const statuses[] = {"healthy",     "starting",    "stopping",
                                           "unreachable", "maintenance", "unknown"};
    iggy_cluster_metadata_t *md = NULL;
    if (iggy_get_cluster_metadata(admin, &md) != IGGY_OK) {
        fprintf(stderr, "cluster metadata unavailable, assuming single node: %s\n",
                iggy_last_error_detail());
        return;
    }
    if (md->nodes_count > 1 || strcmp(md->name ? md->name : "", SINGLE_NODE_CLUSTER_NAME)) {
        r->cluster = true;
        snprintf(r->cluster_name, sizeof r->cluster_name, "%s", md->name ? md->name : "");
        r->nodes = calloc(md->nodes_count ? md->nodes_count : 1, sizeof *r->nodes);
        if (r->nodes) {
            r->nodes_count = md->nodes_count;
            for (size_t i = 0; i < md->nodes_count; i++) {
                const iggy_cluster_node_t *n = &md->nodes[i];
                snprintf(r->nodes[i].name, sizeof r->nodes[i].name, "%s", n->name ? n->name : "");
                snprintf(r->nodes[i].role, sizeof r->nodes[i].role, "%s",
                         n->role == IGGY_NODE_LEADER ? "leader" : "follower");
                snprintf(r->nodes[i].status, sizeof r->nodes[i].status, "%s",
                         statuses[n->status < 5 ? n->status : 5]);
            }
        }
    }
    iggy_result_destroy(md);
}

int report_build(report_t *r, const bench_args_t *a, const individual_metrics_t *const *metrics,
                 size_t count, iggy_client_t *admin)
{
    const individual_metrics_t **by_kind[3];
    size_t n_kind[3] = {0, 0, 0};
    static const group_kind_t kinds[3] = {GROUP_PRODUCERS, GROUP_CONSUMERS,
                                          GROUP_PRODUCING_CONSUMERS};

    memset(r, 0, sizeof *r);
    sysinfo_uuid_v4(r->uuid);
    sysinfo_rfc3339(iggy_now_us(), r->timestamp, sizeof r->timestamp);
    if (iggy_get_stats(admin, &r->stats) != IGGY_OK) {
        fprintf(stderr, "warning: GetStats failed (%s); server_stats holds defaults\n",
                iggy_last_error_detail());
        r->stats = NULL;
    }
    r->remark = a->remark ? a->remark : DEFAULT_REMARK;
    snprintf(r->gitref, sizeof r->gitref, "%s",
             a->gitref                                   ? a->gitref
             : r->stats && r->stats->iggy_server_version ? r->stats->iggy_server_version
                                                         : "unknown_iggy_version");
    snprintf(r->gitref_date, sizeof r->gitref_date, "%s",
             a->gitref_date ? a->gitref_date : r->timestamp);
    sysinfo_hardware(&r->hardware);
    if (a->output) {
        if (a->identifier)
            snprintf(r->identifier, sizeof r->identifier, "%s", a->identifier);
        else
            sysinfo_hostname(r->identifier, sizeof r->identifier);
    }
    if (a->rate_limit_set)
        hz_byte_size(a->rate_limit, r->rate_limit, sizeof r->rate_limit);
    cluster_info(r, admin);

    r->individual = malloc((count ? count : 1) * sizeof *r->individual);
    for (int k = 0; k < 3; k++)
        by_kind[k] = malloc((count ? count : 1) * sizeof *by_kind[k]);
    if (!r->individual || !by_kind[0] || !by_kind[1] || !by_kind[2]) {
        for (int k = 0; k < 3; k++)
            free(by_kind[k]);
        return -1;
    }
    memcpy(r->individual, metrics, count * sizeof *r->individual);
    r->individual_count = count;
    qsort(r->individual, count, sizeof *r->individual, by_actor);
    for (size_t i = 0; i < count; i++) {
        int k = (int)r->individual[i]->actor_kind;
        by_kind[k][n_kind[k]++] = r->individual[i];
        r->message_batches += r->individual[i]->total_message_batches;
    }
    for (int k = 0; k < 3; k++) {
        if (!n_kind[k])
            continue;
        group_from_individual(&r->groups[r->groups_count], by_kind[k], n_kind[k],
                              a->moving_average_window);
        r->groups[r->groups_count++].kind = kinds[k];
    }
    if ((a->kind == KIND_PINNED_PRODUCER_AND_CONSUMER ||
         a->kind == KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP) &&
        n_kind[ACTOR_PRODUCER] && n_kind[ACTOR_CONSUMER]) {
        /* producers then consumers, as one group */
        group_from_individual(&r->groups[r->groups_count], r->individual,
                              n_kind[ACTOR_PRODUCER] + n_kind[ACTOR_CONSUMER],
                              a->moving_average_window);
        r->groups[r->groups_count++].kind = GROUP_PRODUCERS_AND_CONSUMERS;
    }
    for (int k = 0; k < 3; k++)
        free(by_kind[k]);

    pretty_name(r, a);
    params_identifier(r, a);
    bench_command(r, a);
    return 0;
}

void report_free(report_t *r)
{
    for (size_t i = 0; i < r->groups_count; i++)
        group_metrics_free(&r->groups[i]);
    iggy_result_destroy(r->stats);
    free(r->nodes);
    free(r->individual);
    memset(r, 0, sizeof *r);
}

uint64_t report_total_messages(const report_t *r)
{
    uint64_t n = 0;
    for (size_t i = 0; i < r->individual_count; i++)
        n += r->individual[i]->total_messages;
    return n;
}

uint64_t report_total_user_bytes(const report_t *r)
{
    uint64_t n = 0;
    for (size_t i = 0; i < r->individual_count; i++)
        n += r->individual[i]->total_user_data_bytes;
    return n;
}

void report_dir_name(const report_t *r, const bench_args_t *a, char *buf, size_t cap)
{
    static const char *const dir_kinds[] = {
        "pinned_producer",
        "pinned_consumer",
        "pinned_producer_and_consumer",
        "balanced_producer",
        "balanced_consumer_group",
        "balanced_producer_and_consumer", /* sic: upstream's name for bpcg directories */
        "end_to_end_producing_consumer",
        "end_to_end_producing_consumer_group",
    };
    sbuf_t s = {buf, cap, 0};
    char size[32], mpb[32], volume[32];
    uint32_t actors;
    switch (a->kind) {
    case KIND_PINNED_CONSUMER:
    case KIND_BALANCED_CONSUMER_GROUP:
        actors = args_consumers(a);
        break;
    case KIND_PINNED_PRODUCER_AND_CONSUMER:
    case KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP:
        actors = args_producers(a) + args_consumers(a);
        break;
    default:
        actors = args_producers(a);
    }
    numparam_str(a->message_size, size, sizeof size);
    numparam_str(a->messages_per_batch, mpb, sizeof mpb);
    if (a->total_data)
        hz_byte_size(a->total_data, volume, sizeof volume);
    else
        snprintf(volume, sizeof volume, "%u", a->message_batches);
    buf[0] = '\0';
    sb_add(&s, "%s_%u_%s_%s_%s_tcp_%s", dir_kinds[a->kind], actors, size, mpb, volume, r->remark);
    if (a->gitref)
        sb_add(&s, "_%s", a->gitref);
    if (r->identifier[0])
        sb_add(&s, "_%s", r->identifier);
    sb_add(&s, "_");
    for (const char *c = r->hardware.cpu_name; *c; c++)
        sb_add(&s, "%c", *c == ' ' ? '_' : (char)tolower((unsigned char)*c));
    if (r->cluster)
        sb_add(&s, "_cluster%zu", r->nodes_count);
}

/* ---------------------------------------------------------------- JSON */

static void write_series(json_t *j, const char *key, const series_t *s)
{
    json_object_begin(j, key);
    json_array_begin(j, "points");
    for (size_t i = 0; i < s->n; i++) {
        json_object_begin(j, NULL);
        json_f64(j, "time_s", s->p[i].time_s);
        json_f64(j, "value", s->p[i].value);
        json_object_end(j);
    }
    json_array_end(j);
    json_object_end(j);
}

static void write_numparam(json_t *j, const char *key, numparam_t p)
{
    char buf[32];
    if (numparam_fixed(p)) {
        json_u64(j, key, p.min);
    } else {
        numparam_str(p, buf, sizeof buf);
        json_string(j, key, buf);
    }
}

static void write_server_stats(json_t *j, const iggy_stats_t *st)
{
    json_object_begin(j, "server_stats");
    json_u64(j, "process_id", st ? st->process_id : 0);
    json_f32(j, "cpu_usage", st ? st->cpu_usage : 0.0f);
    json_f32(j, "total_cpu_usage", st ? st->total_cpu_usage : 0.0f);
    json_u64(j, "memory_usage", st ? st->memory_usage : 0);
    json_u64(j, "total_memory", st ? st->total_memory : 0);
    json_u64(j, "available_memory", st ? st->available_memory : 0);
    json_u64(j, "run_time", st ? st->run_time : 0);
    json_u64(j, "start_time", st ? st->start_time : 0);
    json_u64(j, "read_bytes", st ? st->read_bytes : 0);
    json_u64(j, "written_bytes", st ? st->written_bytes : 0);
    json_u64(j, "messages_size_bytes", st ? st->messages_size_bytes : 0);
    json_u64(j, "streams_count", st ? st->streams_count : 0);
    json_u64(j, "topics_count", st ? st->topics_count : 0);
    json_u64(j, "partitions_count", st ? st->partitions_count : 0);
    json_u64(j, "segments_count", st ? st->segments_count : 0);
    json_u64(j, "messages_count", st ? st->messages_count : 0);
    json_u64(j, "clients_count", st ? st->clients_count : 0);
    json_u64(j, "consumer_groups_count", st ? st->consumer_groups_count : 0);
    json_string(j, "hostname", st && st->hostname ? st->hostname : "unknown_hostname");
    json_string(j, "os_name", st && st->os_name ? st->os_name : "unknown_os_name");
    json_string(j, "os_version", st && st->os_version ? st->os_version : "unknown_os_version");
    json_string(j, "kernel_version",
                st && st->kernel_version ? st->kernel_version : "unknown_kernel_version");
    json_string(j, "iggy_server_version",
                st && st->iggy_server_version ? st->iggy_server_version : "unknown_iggy_version");
    if (st && st->iggy_server_semver)
        json_u64(j, "iggy_server_semver", st->iggy_server_semver);
    else
        json_null(j, "iggy_server_semver");
    json_object_begin(j, "cache_metrics");
    for (size_t i = 0; st && i < st->cache_metrics_count; i++) {
        const iggy_cache_metric_t *c = &st->cache_metrics[i];
        char key[48];
        snprintf(key, sizeof key, "%u-%u-%u", c->stream_id, c->topic_id, c->partition_id);
        json_object_begin(j, key);
        json_u64(j, "hits", c->hits);
        json_u64(j, "misses", c->misses);
        json_f32(j, "hit_ratio", c->hit_ratio);
        json_object_end(j);
    }
    json_object_end(j);
    json_object_end(j);
}

static void write_params(json_t *j, const report_t *r, const bench_args_t *a)
{
    json_object_begin(j, "params");
    json_string(j, "benchmark_kind", kind_snake_name(a->kind));
    json_string(j, "transport", "tcp");
    json_string(j, "server_address", a->server_address);
    json_string(j, "remark", r->remark);
    json_string(j, "extra_info", a->extra_info);
    json_string(j, "gitref", r->gitref);
    json_string(j, "gitref_date", r->gitref_date);
    write_numparam(j, "messages_per_batch", a->messages_per_batch);
    json_u64(j, "message_batches", r->message_batches);
    write_numparam(j, "message_size", a->message_size);
    json_u64(j, "producers", args_producers(a));
    json_u64(j, "consumers", args_consumers(a));
    json_u64(j, "streams", args_streams(a));
    json_u64(j, "partitions", args_partitions(a));
    json_u64(j, "consumer_groups", args_consumer_groups(a));
    json_string(j, "rate_limit", r->rate_limit[0] ? r->rate_limit : NULL);
    json_string(j, "pretty_name", r->pretty_name);
    json_string(j, "bench_command", r->bench_command);
    json_string(j, "params_identifier", r->params_identifier);
    json_object_end(j);
}

static const char *group_kind_name(group_kind_t k)
{
    static const char *const names[] = {"producers", "consumers", "producers_and_consumers",
                                        "producing_consumers"};
    return names[k];
}

static const char *actor_kind_name(actor_kind_t k)
{
    static const char *const names[] = {"producer", "consumer", "producing_consumer"};
    return names[k];
}

static void write_group(json_t *j, const group_metrics_t *g)
{
    const latency_stats_t *l = &g->lat;
    json_object_begin(j, NULL);
    json_object_begin(j, "summary");
    json_string(j, "kind", group_kind_name(g->kind));
    json_f64_round3(j, "total_throughput_megabytes_per_second", g->total_mb_s);
    json_f64_round3(j, "total_throughput_messages_per_second", g->total_msg_s);
    json_f64_round3(j, "average_throughput_megabytes_per_second", g->average_mb_s);
    json_f64_round3(j, "average_throughput_messages_per_second", g->average_msg_s);
    json_f64_round3(j, "average_p50_latency_ms", l->p50);
    json_f64_round3(j, "average_p90_latency_ms", l->p90);
    json_f64_round3(j, "average_p95_latency_ms", l->p95);
    json_f64_round3(j, "average_p99_latency_ms", l->p99);
    json_f64_round3(j, "average_p999_latency_ms", l->p999);
    json_f64_round3(j, "average_p9999_latency_ms", l->p9999);
    json_f64_round3(j, "average_latency_ms", l->avg);
    json_f64_round3(j, "average_median_latency_ms", l->median);
    json_f64_round3(j, "min_latency_ms", l->min);
    json_f64_round3(j, "max_latency_ms", l->max);
    json_f64_round3(j, "std_dev_latency_ms", l->std_dev);
    json_object_end(j);
    write_series(j, "avg_throughput_mb_ts", &g->avg_throughput_mb_ts);
    write_series(j, "avg_throughput_msg_ts", &g->avg_throughput_msg_ts);
    write_series(j, "avg_latency_ts", &g->avg_latency_ts);
    if (g->has_distribution) {
        const latency_distribution_t *d = &g->distribution;
        json_object_begin(j, "latency_distribution");
        json_array_begin(j, "bins");
        for (size_t i = 0; i < d->bins_count; i++) {
            json_object_begin(j, NULL);
            json_f64_round3(j, "edge_ms", d->bins[i].edge_ms);
            json_f64_round3(j, "density", d->bins[i].density);
            json_object_end(j);
        }
        json_array_end(j);
        json_object_begin(j, "log_normal_params");
        json_f64_round3(j, "mu", d->mu);
        json_f64_round3(j, "sigma", d->sigma);
        json_object_end(j);
        json_object_begin(j, "percentiles");
        json_f64_round3(j, "p05_ms", d->p05);
        json_f64_round3(j, "p50_ms", d->p50);
        json_f64_round3(j, "p95_ms", d->p95);
        json_f64_round3(j, "p99_ms", d->p99);
        json_object_end(j);
        json_object_end(j);
    }
    json_object_end(j);
}

static void write_individual(json_t *j, const individual_metrics_t *m)
{
    const latency_stats_t *l = &m->lat;
    json_object_begin(j, NULL);
    json_object_begin(j, "summary");
    json_string(j, "benchmark_kind", kind_snake_name(m->benchmark_kind));
    json_string(j, "actor_kind", actor_kind_name(m->actor_kind));
    json_u64(j, "actor_id", m->actor_id);
    json_f64_round3(j, "total_time_secs", m->total_time_secs);
    json_u64(j, "total_user_data_bytes", m->total_user_data_bytes);
    json_u64(j, "total_bytes", m->total_bytes);
    json_u64(j, "total_messages", m->total_messages);
    json_u64(j, "total_message_batches", m->total_message_batches);
    json_f64_round3(j, "throughput_megabytes_per_second", m->throughput_mb_s);
    json_f64_round3(j, "throughput_messages_per_second", m->throughput_msg_s);
    json_f64_round3(j, "p50_latency_ms", l->p50);
    json_f64_round3(j, "p90_latency_ms", l->p90);
    json_f64_round3(j, "p95_latency_ms", l->p95);
    json_f64_round3(j, "p99_latency_ms", l->p99);
    json_f64_round3(j, "p999_latency_ms", l->p999);
    json_f64_round3(j, "p9999_latency_ms", l->p9999);
    json_f64_round3(j, "avg_latency_ms", l->avg);
    json_f64_round3(j, "median_latency_ms", l->median);
    json_f64_round3(j, "min_latency_ms", l->min);
    json_f64_round3(j, "max_latency_ms", l->max);
    json_f64_round3(j, "std_dev_latency_ms", l->std_dev);
    json_object_end(j);
    write_series(j, "throughput_mb_ts", &m->throughput_mb_ts);
    write_series(j, "throughput_msg_ts", &m->throughput_msg_ts);
    write_series(j, "latency_ts", &m->latency_ts);
    json_object_end(j);
}

static void write_report(FILE *f, const report_t *r, const bench_args_t *a)
{
    json_t j;
    json_init(&j, f);
    json_object_begin(&j, NULL);
    json_string(&j, "uuid", r->uuid);
    json_string(&j, "timestamp", r->timestamp);
    write_server_stats(&j, r->stats);
    json_object_begin(&j, "hardware");
    json_string(&j, "identifier", r->identifier[0] ? r->identifier : NULL);
    json_string(&j, "cpu_name", r->hardware.cpu_name);
    json_u64(&j, "cpu_cores", r->hardware.cpu_cores);
    json_u64(&j, "total_memory_mb", r->hardware.total_memory_mb);
    json_string(&j, "os_name", r->hardware.os_name);
    json_string(&j, "os_version", r->hardware.os_version);
    json_object_end(&j);
    write_params(&j, r, a);
    if (r->cluster) {
        json_object_begin(&j, "cluster");
        json_string(&j, "name", r->cluster_name);
        json_array_begin(&j, "nodes");
        for (size_t i = 0; i < r->nodes_count; i++) {
            json_object_begin(&j, NULL);
            json_string(&j, "name", r->nodes[i].name);
            json_string(&j, "role", r->nodes[i].role);
            json_string(&j, "status", r->nodes[i].status);
            json_object_end(&j);
        }
        json_array_end(&j);
        json_object_end(&j);
    }
    json_array_begin(&j, "group_metrics");
    for (size_t i = 0; i < r->groups_count; i++)
        write_group(&j, &r->groups[i]);
    json_array_end(&j);
    json_array_begin(&j, "individual_metrics");
    for (size_t i = 0; i < r->individual_count; i++)
        write_individual(&j, r->individual[i]);
    json_array_end(&j);
    json_object_end(&j);
}

static int mkdir_p(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            buf[i] = c;
        }
    }
    return 0;
}

int report_write(const report_t *r, const bench_args_t *a, iggy_client_t *admin, char *path,
                 size_t cap)
{
    char dir[4096], name[1024];
    FILE *f;
    iggy_raw_reply_t *zip = NULL;
    static const iggy_snapshot_type_t logs[] = {IGGY_SNAPSHOT_SERVER_LOGS};

    report_dir_name(r, a, name, sizeof name);
    snprintf(dir, sizeof dir, "%s/%s", a->output_dir, name);
    if (mkdir_p(dir) != 0) {
        snprintf(path, cap, "%s", dir);
        return -1;
    }
    snprintf(path, cap, "%s/report.json", dir);
    if (!(f = fopen(path, "w")))
        return -1;
    write_report(f, r, a);
    if (fclose(f) != 0)
        return -1;

    /* like upstream, the server's logs go next to the report; a failure is only reported */
    if (iggy_get_snapshot_file(admin, IGGY_SNAPSHOT_DEFLATED, logs, 1, &zip) == IGGY_OK) {
        char zpath[4200];
        FILE *z;
        snprintf(zpath, sizeof zpath, "%s/server_logs.zip", dir);
        if ((z = fopen(zpath, "wb"))) {
            if (fwrite(zip->data, 1, zip->len, z) != zip->len)
                fprintf(stderr, "Failed to write server logs to %s\n", zpath);
            fclose(z);
        }
        iggy_result_destroy(zip);
    } else {
        fprintf(stderr, "Failed to collect server logs: %s\n", iggy_last_error_detail());
    }
    return 0;
}
