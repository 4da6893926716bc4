/* Per-batch records and the metrics iggy-bench derives from them (core/bench/src/analytics):
 * time series in sampling-time buckets with a trailing moving average, latency percentiles by
 * linear interpolation, group aggregates and the latency histogram, quirks included. */
#ifndef IGGY_C_BENCH_METRICS_H
#define IGGY_C_BENCH_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "args.h"

/* One batch, cumulative counts (BenchmarkRecord). */
typedef struct record {
    uint64_t elapsed_us, latency_us, messages, batches, user_bytes, total_bytes;
} record_t;

typedef struct records {
    record_t *v;
    size_t n, cap;
} records_t;

bool records_push(records_t *r, const record_t *rec);
void records_free(records_t *r);

typedef struct point {
    double time_s, value;
} point_t;

typedef struct series {
    point_t *p;
    size_t n;
} series_t;

typedef enum actor_kind {
    ACTOR_PRODUCER,
    ACTOR_CONSUMER,
    ACTOR_PRODUCING_CONSUMER,
} actor_kind_t;

typedef struct latency_stats {
    double p50, p90, p95, p99, p999, p9999, avg, median, min, max, std_dev;
} latency_stats_t;

typedef struct individual_metrics {
    bench_kind_t benchmark_kind;
    actor_kind_t actor_kind;
    uint32_t actor_id;
    double total_time_secs;
    uint64_t total_user_data_bytes, total_bytes, total_messages, total_message_batches;
    double throughput_mb_s, throughput_msg_s;
    latency_stats_t lat;
    series_t throughput_mb_ts, throughput_msg_ts, latency_ts;
    double *raw_latencies_ms; /* sorted; not in the report */
    size_t raw_count;
} individual_metrics_t;

typedef enum group_kind {
    GROUP_PRODUCERS,
    GROUP_CONSUMERS,
    GROUP_PRODUCERS_AND_CONSUMERS,
    GROUP_PRODUCING_CONSUMERS,
} group_kind_t;

typedef struct histogram_bin {
    double edge_ms, density;
} histogram_bin_t;

typedef struct latency_distribution {
    histogram_bin_t *bins;
    size_t bins_count;
    double mu, sigma;
    double p05, p50, p95, p99;
} latency_distribution_t;

typedef struct group_metrics {
    group_kind_t kind;
    double total_mb_s, total_msg_s, average_mb_s, average_msg_s;
    latency_stats_t lat; /* percentiles, avg and median are means over the actors */
    series_t avg_throughput_mb_ts, avg_throughput_msg_ts, avg_latency_ts;
    bool has_distribution;
    latency_distribution_t distribution;
} group_metrics_t;

/* Metrics of one actor from its records (empty records: all zero). */
void metrics_from_records(individual_metrics_t *m, const records_t *r, bench_kind_t bk,
                          actor_kind_t ak, uint32_t actor_id, uint64_t sampling_us,
                          uint32_t ma_window);
void individual_metrics_free(individual_metrics_t *m);

/* Aggregates of n actors (n > 0); kind from the first actor. */
void group_from_individual(group_metrics_t *g, const individual_metrics_t *const *actors, size_t n,
                           uint32_t ma_window);
void group_metrics_free(group_metrics_t *g);

double percentile(const double *sorted, size_t n, double p);

#endif
