#include "metrics.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HISTOGRAM_BINS 50
#define HISTOGRAM_RANGE_FACTOR 1.5

bool records_push(records_t *r, const record_t *rec)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 1024;
        record_t *v = realloc(r->v, cap * sizeof *v);
        if (!v)
            return false;
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = *rec;
    return true;
}

void records_free(records_t *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

static double round3(double v)
{
    return round(v * 1000.0) / 1000.0;
}

static bool series_alloc(series_t *s, size_t n)
{
    s->n = 0;
    s->p = n ? malloc(n * sizeof *s->p) : NULL;
    return !n || s->p;
}

static void series_free(series_t *s)
{
    free(s->p);
    s->p = NULL;
    s->n = 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double percentile(const double *sorted, size_t n, double p)
{
    double rank, lower, upper, weight;
    if (!n)
        return 0.0;
    rank = p / 100.0 * (double)(n - 1);
    lower = fmin(fmax(floor(rank), 0.0), (double)(n - 1));
    upper = fmin(fmax(ceil(rank), 0.0), (double)(n - 1));
    weight = rank - lower;
    return fma(sorted[(size_t)lower], 1.0 - weight, sorted[(size_t)upper] * weight);
}

/* ---------------------------------------------------------------- time series */

typedef enum { DELTA_BYTES, DELTA_MESSAGES } delta_t;

/* Spread each pair of consecutive records' delta evenly over its span, in buckets; the first
 * record has no predecessor, so its own batch is never counted. */
static void throughput_series(series_t *out, const records_t *r, uint64_t bucket_us, delta_t d)
{
    uint64_t max_time = 0, buckets, *values;
    memset(out, 0, sizeof *out);
    if (r->n < 2)
        return;
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].elapsed_us > max_time)
            max_time = r->v[i].elapsed_us;
    buckets = (max_time + bucket_us - 1) / bucket_us;
    if (!buckets || !(values = calloc(buckets, sizeof *values)))
        return;
    for (size_t i = 1; i < r->n; i++) {
        const record_t *prev = &r->v[i - 1], *cur = &r->v[i];
        uint64_t dt = cur->elapsed_us > prev->elapsed_us ? cur->elapsed_us - prev->elapsed_us : 0;
        uint64_t pv = d == DELTA_BYTES ? prev->user_bytes : prev->messages;
        uint64_t cv = d == DELTA_BYTES ? cur->user_bytes : cur->messages;
        uint64_t dv = cv > pv ? cv - pv : 0, remaining, t;
        double per_us;
        if (!dt)
            continue;
        per_us = (double)dv / (double)dt;
        remaining = dt;
        t = prev->elapsed_us;
        while (remaining > 0) {
            uint64_t bi = t / bucket_us, bstart, bend, ostart, oend, overlap, used;
            if (bi >= buckets)
                break;
            bstart = bi * bucket_us;
            bend = bstart + bucket_us;
            ostart = t > bstart ? t : bstart;
            oend = t + remaining < bend ? t + remaining : bend;
            overlap = oend > ostart ? oend - ostart : 0;
            if (overlap)
                values[bi] += (uint64_t)round(per_us * (double)overlap);
            used = oend > t ? oend - t : 0;
            remaining = remaining > used ? remaining - used : 0;
            t = oend;
        }
    }
    if (series_alloc(out, buckets)) {
        double bucket_s = (double)bucket_us / 1000000.0;
        for (uint64_t i = 0; i < buckets; i++) {
            double v;
            if (!values[i])
                continue;
            v = d == DELTA_BYTES ? (double)values[i] / 1000000.0 / bucket_s
                                 : (double)values[i] / bucket_s;
            out->p[out->n].time_s = (double)(i * bucket_us) / 1000000.0;
            out->p[out->n].value = round3(v);
            out->n++;
        }
    }
    free(values);
}

/* The average latency of the records in each bucket (a record at the very end of the last
 * bucket falls outside it and is dropped, as upstream does). */
static void latency_series(series_t *out, const records_t *r, uint64_t bucket_us)
{
    uint64_t max_time = 0, buckets, *sum, *count;
    memset(out, 0, sizeof *out);
    if (r->n < 2)
        return;
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].elapsed_us > max_time)
            max_time = r->v[i].elapsed_us;
    buckets = (max_time + bucket_us - 1) / bucket_us;
    if (!buckets)
        return;
    sum = calloc(buckets, sizeof *sum);
    count = calloc(buckets, sizeof *count);
    if (sum && count && series_alloc(out, buckets)) {
        for (size_t i = 0; i < r->n; i++) {
            uint64_t bi = r->v[i].elapsed_us / bucket_us;
            if (bi >= buckets)
                continue;
            sum[bi] += r->v[i].latency_us;
            count[bi]++;
        }
        for (uint64_t i = 0; i < buckets; i++) {
            if (!count[i])
                continue;
            out->p[out->n].time_s = (double)(i * bucket_us) / 1000000.0;
            out->p[out->n].value = round3((double)sum[i] / (double)count[i] / 1000.0);
            out->n++;
        }
    }
    free(sum);
    free(count);
}

/* A trailing simple moving average (shorter at the start), rounded to 3 places. */
static void moving_average(series_t *out, const series_t *in, uint32_t window)
{
    double sum = 0;
    size_t len = 0, head = 0;
    if (!series_alloc(out, in->n))
        return;
    for (size_t i = 0; i < in->n; i++) {
        sum += in->p[i].value;
        len++;
        if (len > window) {
            sum -= in->p[head++].value;
            len--;
        }
        out->p[i].time_s = in->p[i].time_s;
        out->p[i].value = round3(sum / (double)len);
    }
    out->n = in->n;
}

/* The union of the series' times; at each the sum (or mean) of the series that have it. The
 * series are sorted by time, so one cursor per series finds the same points as upstream's scan. */
static void aggregate(series_t *out, const series_t *const *in, size_t n, bool mean)
{
    size_t total = 0, *cur = calloc(n ? n : 1, sizeof *cur);
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++)
        total += in[i]->n;
    if (!cur || !series_alloc(out, total)) {
        free(cur);
        return;
    }
    for (;;) {
        double t = INFINITY, sum = 0;
        size_t matched = 0;
        for (size_t i = 0; i < n; i++)
            if (cur[i] < in[i]->n && in[i]->p[cur[i]].time_s < t)
                t = in[i]->p[cur[i]].time_s;
        if (t == INFINITY)
            break;
        for (size_t i = 0; i < n; i++) {
            if (cur[i] < in[i]->n && fabs(in[i]->p[cur[i]].time_s - t) < DBL_EPSILON) {
                sum += in[i]->p[cur[i]].value;
                matched++;
            }
            while (cur[i] < in[i]->n && in[i]->p[cur[i]].time_s <= t)
                cur[i]++;
        }
        out->p[out->n].time_s = t;
        out->p[out->n].value = mean ? (matched ? sum / (double)matched : 0.0) : sum;
        out->n++;
    }
    free(cur);
}

static bool series_min(const series_t *s, double *out)
{
    if (!s->n)
        return false;
    *out = s->p[0].value;
    for (size_t i = 1; i < s->n; i++)
        if (s->p[i].value < *out)
            *out = s->p[i].value;
    return true;
}

static bool series_max(const series_t *s, double *out)
{
    if (!s->n)
        return false;
    *out = s->p[0].value;
    for (size_t i = 1; i < s->n; i++)
        if (s->p[i].value > *out)
            *out = s->p[i].value;
    return true;
}

/* Population standard deviation of the points' values; none below two points. */
static double series_std_dev(const series_t *s)
{
    double sum = 0, mean, var = 0;
    if (s->n < 2)
        return 0.0;
    for (size_t i = 0; i < s->n; i++)
        sum += s->p[i].value;
    mean = sum / (double)s->n;
    for (size_t i = 0; i < s->n; i++) {
        double d = s->p[i].value - mean;
        var += d * d;
    }
    return sqrt(var / (double)s->n);
}

static double series_mean(const series_t *s)
{
    double sum = 0;
    for (size_t i = 0; i < s->n; i++)
        sum += s->p[i].value;
    return sum / (double)s->n;
}

/* ---------------------------------------------------------------- individual */

void metrics_from_records(individual_metrics_t *m, const records_t *r, bench_kind_t bk,
                          actor_kind_t ak, uint32_t actor_id, uint64_t sampling_us,
                          uint32_t ma_window)
{
    const record_t *last;
    series_t raw_mb, raw_msg;
    double sum = 0;
    size_t half;

    memset(m, 0, sizeof *m);
    m->benchmark_kind = bk;
    m->actor_kind = ak;
    m->actor_id = actor_id;
    if (!r->n)
        return;
    last = &r->v[r->n - 1];
    m->total_time_secs = (double)last->elapsed_us / 1000000.0;
    m->total_user_data_bytes = last->user_bytes;
    m->total_bytes = last->total_bytes;
    m->total_messages = last->messages;
    m->total_message_batches = last->batches;

    throughput_series(&raw_mb, r, sampling_us, DELTA_BYTES);
    throughput_series(&raw_msg, r, sampling_us, DELTA_MESSAGES);
    moving_average(&m->throughput_mb_ts, &raw_mb, ma_window);
    moving_average(&m->throughput_msg_ts, &raw_msg, ma_window);
    series_free(&raw_mb);
    series_free(&raw_msg);
    latency_series(&m->latency_ts, r, sampling_us);

    if (m->throughput_mb_ts.n)
        m->throughput_mb_s = series_mean(&m->throughput_mb_ts);
    else if (m->total_time_secs > 0)
        m->throughput_mb_s = (double)m->total_user_data_bytes / 1000000.0 / m->total_time_secs;
    if (m->throughput_msg_ts.n)
        m->throughput_msg_s = series_mean(&m->throughput_msg_ts);
    else if (m->total_time_secs > 0)
        m->throughput_msg_s = (double)m->total_messages / m->total_time_secs;

    m->raw_latencies_ms = malloc(r->n * sizeof *m->raw_latencies_ms);
    if (!m->raw_latencies_ms)
        return;
    m->raw_count = r->n;
    for (size_t i = 0; i < r->n; i++)
        m->raw_latencies_ms[i] = (double)r->v[i].latency_us / 1000.0;
    qsort(m->raw_latencies_ms, r->n, sizeof *m->raw_latencies_ms, cmp_double);

    m->lat.p50 = percentile(m->raw_latencies_ms, r->n, 50.0);
    m->lat.p90 = percentile(m->raw_latencies_ms, r->n, 90.0);
    m->lat.p95 = percentile(m->raw_latencies_ms, r->n, 95.0);
    m->lat.p99 = percentile(m->raw_latencies_ms, r->n, 99.0);
    m->lat.p999 = percentile(m->raw_latencies_ms, r->n, 99.9);
    m->lat.p9999 = percentile(m->raw_latencies_ms, r->n, 99.99);
    for (size_t i = 0; i < r->n; i++)
        sum += m->raw_latencies_ms[i];
    m->lat.avg = sum / (double)r->n;
    half = r->n / 2;
    m->lat.median = r->n % 2 ? m->raw_latencies_ms[half]
                             : (m->raw_latencies_ms[half - 1] + m->raw_latencies_ms[half]) / 2;
    /* min, max and std dev come from the bucketed series, not the samples */
    if (!series_min(&m->latency_ts, &m->lat.min))
        m->lat.min = 0;
    if (!series_max(&m->latency_ts, &m->lat.max))
        m->lat.max = 0;
    m->lat.std_dev = series_std_dev(&m->latency_ts);
}

void individual_metrics_free(individual_metrics_t *m)
{
    series_free(&m->throughput_mb_ts);
    series_free(&m->throughput_msg_ts);
    series_free(&m->latency_ts);
    free(m->raw_latencies_ms);
    m->raw_latencies_ms = NULL;
    m->raw_count = 0;
}

/* ---------------------------------------------------------------- group */

static void distribution(latency_distribution_t *d, const double *sorted, size_t n)
{
    double min_val, max_val, range, width, ln_sum = 0, var = 0;
    size_t positive = 0, idx = 0;

    d->p05 = percentile(sorted, n, 5.0);
    d->p50 = percentile(sorted, n, 50.0);
    d->p95 = percentile(sorted, n, 95.0);
    d->p99 = percentile(sorted, n, 99.0);

    for (size_t i = 0; i < n; i++)
        if (sorted[i] > 0) {
            ln_sum += log(sorted[i]);
            positive++;
        }
    if (positive) {
        d->mu = ln_sum / (double)positive;
        for (size_t i = 0; i < n; i++)
            if (sorted[i] > 0) {
                double diff = log(sorted[i]) - d->mu;
                var += diff * diff;
            }
        d->sigma = sqrt(var / (double)positive);
    }

    min_val = sorted[0];
    max_val = fmin(d->p99 * HISTOGRAM_RANGE_FACTOR, sorted[n - 1]);
    range = max_val - min_val;
    if (range <= 0) {
        d->bins = malloc(sizeof *d->bins);
        if (d->bins) {
            d->bins[0].edge_ms = min_val;
            d->bins[0].density = 1.0;
            d->bins_count = 1;
        }
        return;
    }
    width = range / HISTOGRAM_BINS;
    d->bins = malloc(HISTOGRAM_BINS * sizeof *d->bins);
    if (!d->bins)
        return;
    d->bins_count = HISTOGRAM_BINS;
    for (size_t i = 0; i < HISTOGRAM_BINS; i++) {
        double edge = fma((double)i, width, min_val);
        double upper = i == HISTOGRAM_BINS - 1 ? INFINITY : edge + width;
        uint64_t count = 0;
        while (idx < n && sorted[idx] < upper) {
            count++;
            idx++;
        }
        d->bins[i].edge_ms = edge;
        d->bins[i].density = (double)count / ((double)n * width);
    }
}

void group_from_individual(group_metrics_t *g, const individual_metrics_t *const *actors, size_t n,
                           uint32_t ma_window)
{
    const series_t **ts = calloc(n ? n : 1, sizeof *ts);
    series_t sum;
    size_t pooled = 0;
    double *all;

    memset(g, 0, sizeof *g);
    switch (actors[0]->actor_kind) {
    case ACTOR_PRODUCER:
        g->kind = GROUP_PRODUCERS;
        break;
    case ACTOR_CONSUMER:
        g->kind = GROUP_CONSUMERS;
        break;
    default:
        g->kind = GROUP_PRODUCING_CONSUMERS;
    }
    for (size_t i = 0; i < n; i++) {
        const individual_metrics_t *m = actors[i];
        g->total_mb_s += m->throughput_mb_s;
        g->total_msg_s += m->throughput_msg_s;
        g->lat.p50 += m->lat.p50;
        g->lat.p90 += m->lat.p90;
        g->lat.p95 += m->lat.p95;
        g->lat.p99 += m->lat.p99;
        g->lat.p999 += m->lat.p999;
        g->lat.p9999 += m->lat.p9999;
        g->lat.avg += m->lat.avg;
        g->lat.median += m->lat.median;
        if (i == 0 || m->lat.min < g->lat.min)
            g->lat.min = m->lat.min;
        if (i == 0 || m->lat.max > g->lat.max)
            g->lat.max = m->lat.max;
        pooled += m->raw_count;
    }
    g->average_mb_s = g->total_mb_s / (double)n;
    g->average_msg_s = g->total_msg_s / (double)n;
    g->lat.p50 /= (double)n;
    g->lat.p90 /= (double)n;
    g->lat.p95 /= (double)n;
    g->lat.p99 /= (double)n;
    g->lat.p999 /= (double)n;
    g->lat.p9999 /= (double)n;
    g->lat.avg /= (double)n;
    g->lat.median /= (double)n;

    if (ts) {
        for (size_t i = 0; i < n; i++)
            ts[i] = &actors[i]->throughput_mb_ts;
        aggregate(&sum, ts, n, false);
        moving_average(&g->avg_throughput_mb_ts, &sum, ma_window);
        series_free(&sum);
        for (size_t i = 0; i < n; i++)
            ts[i] = &actors[i]->throughput_msg_ts;
        aggregate(&sum, ts, n, false);
        moving_average(&g->avg_throughput_msg_ts, &sum, ma_window);
        series_free(&sum);
        for (size_t i = 0; i < n; i++)
            ts[i] = &actors[i]->latency_ts;
        aggregate(&sum, ts, n, true);
        moving_average(&g->avg_latency_ts, &sum, ma_window);
        series_free(&sum);
        free(ts);
    }
    g->lat.std_dev = series_std_dev(&g->avg_latency_ts);

    if (!pooled || !(all = malloc(pooled * sizeof *all)))
        return;
    pooled = 0;
    for (size_t i = 0; i < n; i++) {
        if (actors[i]->raw_count)
            memcpy(all + pooled, actors[i]->raw_latencies_ms, actors[i]->raw_count * sizeof *all);
        pooled += actors[i]->raw_count;
    }
    qsort(all, pooled, sizeof *all, cmp_double);
    distribution(&g->distribution, all, pooled);
    g->has_distribution = true;
    free(all);
}

void group_metrics_free(group_metrics_t *g)
{
    series_free(&g->avg_throughput_mb_ts);
    series_free(&g->avg_throughput_msg_ts);
    series_free(&g->avg_latency_ts);
    free(g->distribution.bins);
    memset(g, 0, sizeof *g);
}
