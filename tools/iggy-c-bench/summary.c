#include "summary.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "humanize.h"
#include "report.h"

#define WIDE_LAYOUT_THRESHOLD 140
#define MAX_ROWS 24
#define MAX_COLS 12
#define CELL 96

typedef struct table {
    char cell[MAX_ROWS][MAX_COLS][CELL];
    int rows, cols;
} table_t;

static unsigned terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
        return ws.ws_col;
    return 80;
}

__attribute__((format(printf, 4, 5))) static void cell(table_t *t, int row, int col,
                                                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->cell[row][col], CELL, fmt, ap);
    va_end(ap);
    if (row >= t->rows)
        t->rows = row + 1;
    if (col >= t->cols)
        t->cols = col + 1;
}

static void rule(const int *w, int cols, const char *left, const char *mid, const char *right)
{
    fputs(left, stdout);
    for (int c = 0; c < cols; c++) {
        for (int i = 0; i < w[c] + 2; i++)
            fputs("\xe2\x94\x80", stdout); /* ─ */
        fputs(c + 1 < cols ? mid : right, stdout);
    }
    fputc('\n', stdout);
}

/* A box-drawn table with a rule between rows (comfy-table's UTF8_FULL look). */
static void table_print(const table_t *t)
{
    int w[MAX_COLS] = {0};
    for (int r = 0; r < t->rows; r++)
        for (int c = 0; c < t->cols; c++) {
            int len = (int)strlen(t->cell[r][c]);
            if (len > w[c])
                w[c] = len;
        }
    rule(w, t->cols, "\xe2\x94\x8c", "\xe2\x94\xac", "\xe2\x94\x90");
    for (int r = 0; r < t->rows; r++) {
        for (int c = 0; c < t->cols; c++)
            printf("\xe2\x94\x82 %-*s ", w[c], t->cell[r][c]);
        printf("\xe2\x94\x82\n");
        if (r + 1 < t->rows)
            rule(w, t->cols, "\xe2\x94\x9c", "\xe2\x94\xbc", "\xe2\x94\xa4");
    }
    rule(w, t->cols, "\xe2\x94\x94", "\xe2\x94\xb4", "\xe2\x94\x98");
}

static const char *const latency_names[] = {"p50", "p90",    "p95", "p99", "p999",   "p9999",
                                            "avg", "median", "min", "max", "std dev"};

static void latency_values(const latency_stats_t *l, double v[11])
{
    v[0] = l->p50;
    v[1] = l->p90;
    v[2] = l->p95;
    v[3] = l->p99;
    v[4] = l->p999;
    v[5] = l->p9999;
    v[6] = l->avg;
    v[7] = l->median;
    v[8] = l->min;
    v[9] = l->max;
    v[10] = l->std_dev;
}

static void latency_table_wide(const latency_stats_t *l)
{
    table_t t;
    double v[11];
    memset(&t, 0, sizeof t);
    latency_values(l, v);
    cell(&t, 0, 0, "Latency");
    cell(&t, 1, 0, "(ms)");
    for (int i = 0; i < 11; i++) {
        cell(&t, 0, i + 1, "%s", latency_names[i]);
        cell(&t, 1, i + 1, "%.2f", v[i]);
    }
    table_print(&t);
}

static int latency_rows_narrow(table_t *t, int row, const latency_stats_t *l)
{
    double v[11];
    latency_values(l, v);
    cell(t, row, 0, "Latency");
    cell(t, row++, 1, "%s", "");
    for (int i = 0; i < 11; i++) {
        cell(t, row, 0, "%s", latency_names[i]);
        cell(t, row++, 1, "%.2f ms", v[i]);
    }
    return row;
}

static const char *actor_title(actor_kind_t k)
{
    return k == ACTOR_PRODUCER   ? "Producer"
           : k == ACTOR_CONSUMER ? "Consumer"
                                 : "ProducingConsumer";
}

void summary_actor_line(const bench_args_t *a, const individual_metrics_t *m, uint64_t messages,
                        uint64_t batches)
{
    char msgs[32], nb[32], mpb[32], size[32];
    const latency_stats_t *l = &m->lat;
    hz_count(messages, "", msgs, sizeof msgs);
    hz_count(batches, "", nb, sizeof nb);
    numparam_str(a->messages_per_batch, mpb, sizeof mpb);
    hz_byte_size(m->total_user_data_bytes, size, sizeof size);
    if (a->pretty) {
        table_t t;
        memset(&t, 0, sizeof t);
        flockfile(stdout);
        if (terminal_width() >= WIDE_LAYOUT_THRESHOLD) {
            int c = 0;
            cell(&t, 0, c++, "%s #%u", actor_title(m->actor_kind), m->actor_id);
            cell(&t, 0, c++, "%s msgs%s", msgs,
                 m->actor_kind == ACTOR_PRODUCING_CONSUMER ? " (sent & recv)" : "");
            cell(&t, 0, c++, "%s x %s", nb, mpb);
            cell(&t, 0, c++, "%s", size);
            if (m->actor_kind == ACTOR_PRODUCER)
                cell(&t, 0, c++, "%.2f s", m->total_time_secs);
            cell(&t, 0, c, "%.2f MB/s", m->throughput_mb_s);
            printf("\n");
            table_print(&t);
            latency_table_wide(l);
        } else {
            int r = 0;
            cell(&t, r, 0, "%s #%u", actor_title(m->actor_kind), m->actor_id);
            cell(&t, r++, 1, "%s", "");
            cell(&t, r, 0, "Summary");
            cell(&t, r++, 1, "%s", "");
            cell(&t, r, 0, "%s",
                 m->actor_kind == ACTOR_PRODUCER   ? "Messages"
                 : m->actor_kind == ACTOR_CONSUMER ? "Messages (polled)"
                                                   : "Messages (sent & received)");
            cell(&t, r++, 1, "%s", msgs);
            cell(&t, r, 0, "Batches");
            cell(&t, r++, 1, "%s x %s", nb, mpb);
            cell(&t, r, 0, "Total Size");
            cell(&t, r++, 1, "%s", size);
            cell(&t, r, 0, "Duration");
            cell(&t, r++, 1, "%.2f s", m->total_time_secs);
            cell(&t, r, 0, "Throughput");
            cell(&t, r++, 1, "%s", "");
            cell(&t, r, 0, "MB/s");
            cell(&t, r++, 1, "%.2f", m->throughput_mb_s);
            latency_rows_narrow(&t, r, l);
            printf("\n");
            table_print(&t);
        }
        funlockfile(stdout);
        fflush(stdout);
        return;
    }
    printf("%s #%u \xe2\x86\x92 %s %s messages%s %s batches of %s messages in %.2f s, total size: "
           "%s, average throughput: %.2f MB/s, p50 latency: %.2f ms, p90 latency: %.2f ms, p95 "
           "latency: %.2f ms, p99 latency: %.2f ms, p999 latency: %.2f ms, p9999 latency: %.2f "
           "ms, average latency: %.2f ms, median latency: %.2f ms, min latency: %.2f ms, max "
           "latency: %.2f ms, std dev latency: %.2f ms\n",
           actor_title(m->actor_kind), m->actor_id,
           m->actor_kind == ACTOR_PRODUCER   ? "sent"
           : m->actor_kind == ACTOR_CONSUMER ? "polled"
                                             : "sent and received",
           msgs, m->actor_kind == ACTOR_CONSUMER ? "," : " in", nb, mpb, m->total_time_secs, size,
           m->throughput_mb_s, l->p50, l->p90, l->p95, l->p99, l->p999, l->p9999, l->avg, l->median,
           l->min, l->max, l->std_dev);
    fflush(stdout);
}

static const char *group_prefix(group_kind_t k)
{
    switch (k) {
    case GROUP_PRODUCERS:
        return "Producers Results";
    case GROUP_CONSUMERS:
        return "Consumers Results";
    case GROUP_PRODUCERS_AND_CONSUMERS:
        return "Aggregate Results";
    default:
        return "Producing Consumer Results";
    }
}

static const char *group_actor(group_kind_t k)
{
    switch (k) {
    case GROUP_PRODUCERS:
        return "Producer";
    case GROUP_CONSUMERS:
        return "Consumer";
    case GROUP_PRODUCERS_AND_CONSUMERS:
        return "Actor";
    default:
        return "Producing Consumer";
    }
}

static void group_print(const group_metrics_t *g, bool pretty)
{
    const latency_stats_t *l = &g->lat;
    double total_time = g->avg_throughput_mb_ts.n
                            ? g->avg_throughput_mb_ts.p[g->avg_throughput_mb_ts.n - 1].time_s
                            : 0.0;
    table_t t;
    if (!pretty) {
        printf("\n%s: Total throughput: %.2f MB/s, %.0f messages/s, average throughput per %s: "
               "%.2f MB/s, p50 latency: %.2f ms, p90 latency: %.2f ms, p95 latency: %.2f ms, "
               "p99 latency: %.2f ms, p999 latency: %.2f ms, p9999 latency: %.2f ms, average "
               "latency: %.2f ms, median latency: %.2f ms, min: %.2f ms, max: %.2f ms, std dev: "
               "%.2f ms, total time: %.2f s\n",
               group_prefix(g->kind), g->total_mb_s, g->total_msg_s, group_actor(g->kind),
               g->average_mb_s, l->p50, l->p90, l->p95, l->p99, l->p999, l->p9999, l->avg,
               l->median, l->min, l->max, l->std_dev, total_time);
        return;
    }
    memset(&t, 0, sizeof t);
    printf("\n");
    if (terminal_width() >= WIDE_LAYOUT_THRESHOLD) {
        cell(&t, 0, 0, "%s", group_prefix(g->kind));
        cell(&t, 0, 1, "%.2f s", total_time);
        cell(&t, 0, 2, "%.2f MB/s", g->total_mb_s);
        cell(&t, 0, 3, "%.0f msg/s", g->total_msg_s);
        cell(&t, 0, 4, "%.2f MB/s per %s", g->average_mb_s, group_actor(g->kind));
        printf("\n");
        table_print(&t);
        latency_table_wide(l);
    } else {
        int r = 0;
        cell(&t, r, 0, "%s", group_prefix(g->kind));
        cell(&t, r++, 1, "%s", "");
        cell(&t, r, 0, "Summary");
        cell(&t, r++, 1, "%s", "");
        cell(&t, r, 0, "Total Time");
        cell(&t, r++, 1, "%.2f s", total_time);
        cell(&t, r, 0, "Throughput");
        cell(&t, r++, 1, "%s", "");
        cell(&t, r, 0, "Total (MB/s)");
        cell(&t, r++, 1, "%.2f", g->total_mb_s);
        cell(&t, r, 0, "Total (msg/s)");
        cell(&t, r++, 1, "%.0f", g->total_msg_s);
        cell(&t, r, 0, "Avg per %s (MB/s)", group_actor(g->kind));
        cell(&t, r++, 1, "%.2f", g->average_mb_s);
        latency_rows_narrow(&t, r, l);
        printf("\n");
        table_print(&t);
    }
}

void summary_print(const report_t *r, const bench_args_t *a)
{
    uint32_t producers = args_producers(a), consumers = args_consumers(a);
    uint32_t partitions = args_partitions(a), groups = args_consumer_groups(a);
    char mpb[32], size[32], data[32];
    numparam_str(a->messages_per_batch, mpb, sizeof mpb);
    numparam_str(a->message_size, size, sizeof size);
    hz_count(report_total_user_bytes(r), "B", data, sizeof data);
    printf("\nBenchmark: %s, ", kind_display_name(a->kind));
    if (producers)
        printf(a->kind == KIND_END_TO_END_PRODUCING_CONSUMER ||
                       a->kind == KIND_END_TO_END_PRODUCING_CONSUMER_GROUP
                   ? "%u producing consumers, "
                   : "%u producers, ",
               producers);
    if (consumers)
        printf("%u consumers, ", consumers);
    printf("%u streams, 1 topic per stream, ", args_streams(a));
    if (partitions)
        printf("%u partitions per topic, ", partitions);
    if (groups)
        printf("%u consumer groups, ", groups);
    printf("%llu messages, %s messages per batch, %llu message batches, %s bytes per message, %s "
           "of data processed\n",
           (unsigned long long)report_total_messages(r), mpb,
           (unsigned long long)r->message_batches, size, data);
    for (size_t i = 0; i < r->groups_count; i++)
        group_print(&r->groups[i], a->pretty);
    fflush(stdout);
}
