/* iggy-c-bench: libiggy's mirror of iggy-bench (apache/iggy core/bench): the same command line,
 * scenarios, timed regions, metrics, stdout summary and report.json, driven through the public
 * libiggy API. docs/BENCHMARKING.md tells how it maps to iggy-bench.
 *
 * Exit status: 0 done, 1 the benchmark failed (the reason on stderr), 2 a usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <iggy/iggy.h>

#include "iggy_clock.h"
#include "actors.h"
#include "args.h"
#include "clients.h"
#include "humanize.h"
#include "report.h"
#include "setup.h"
#include "summary.h"

#define PROGRESS_TICK_MS 10
#define PROGRESS_EVERY_MS 1000

static void print_info(const bench_args_t *a)
{
    char mpb[32], size[32], data[64] = "", rate[80] = "";
    numparam_str(a->messages_per_batch, mpb, sizeof mpb);
    numparam_str(a->message_size, size, sizeof size);
    if (a->total_data) {
        char t[32];
        hz_byte_size(a->total_data, t, sizeof t);
        snprintf(data, sizeof data, "total data to send: %s", t);
    } else {
        snprintf(data, sizeof data, "total batches to send: %u", a->message_batches);
    }
    if (a->rate_limit_set) {
        char t[32];
        hz_byte_size(a->rate_limit, t, sizeof t);
        snprintf(rate, sizeof rate, ", global rate limit: %s/s", t);
    }
    fprintf(stderr,
            "Starting benchmark %s (%s API) on tcp %s: streams: %u, partitions: %u, producers: "
            "%u, consumers: %u, consumer groups: %u, message size: %s b, messages per batch: %s, "
            "%s%s\n",
            kind_display_name(a->kind), a->high_level_api ? "high-level" : "low-level",
            a->server_address, args_streams(a), args_partitions(a), args_producers(a),
            args_consumers(a), args_consumer_groups(a), size, mpb, data, rate);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Wait for the actors, a progress line on stderr every second. Returns the first failed actor,
 * or NULL when all are done. */
static actor_t *monitor(plan_t *p)
{
    bool tty = isatty(STDERR_FILENO);
    int64_t start = iggy_mono_us(), next = start + PROGRESS_EVERY_MS * 1000;
    bool printed = false;
    for (;;) {
        size_t done = 0;
        uint64_t sent = 0, polled = 0, bytes = 0;
        for (size_t i = 0; i < p->count; i++) {
            actor_t *x = &p->actors[i];
            int st = atomic_load(&x->state);
            if (st == ACTOR_FAILED)
                return x;
            done += st == ACTOR_DONE;
            sent += atomic_load_explicit(&x->sent_messages, memory_order_relaxed);
            polled += atomic_load_explicit(&x->polled_messages, memory_order_relaxed);
            bytes += atomic_load_explicit(&x->user_bytes, memory_order_relaxed);
        }
        if (done == p->count) {
            if (printed && tty)
                fputc('\n', stderr);
            return NULL;
        }
        if (iggy_mono_us() >= next) {
            double secs = (double)(iggy_mono_us() - start) / 1e6;
            char data[32];
            hz_count(bytes, "B", data, sizeof data);
            fprintf(stderr,
                    "%s[%.1f s] %zu/%zu actors done, %llu messages sent, %llu polled, %s "
                    "of user data (%.2f MB/s)%s",
                    tty ? "\r" : "", secs, done, p->count, (unsigned long long)sent,
                    (unsigned long long)polled, data, (double)bytes / 1e6 / secs, tty ? "" : "\n");
            fflush(stderr);
            printed = true;
            next += PROGRESS_EVERY_MS * 1000;
        }
        sleep_ms(PROGRESS_TICK_MS);
    }
}

int main(int argc, char **argv)
{
    bench_args_t a;
    bench_ctx_t ctx;
    iggy_client_t *admin = NULL;
    plan_t plan;
    report_t report;
    const individual_metrics_t **metrics;
    actor_t *failed;
    char err[1024], path[4300];
    int rc = args_parse(&a, argc, argv);

    if (rc >= 0)
        return rc;
    setvbuf(stdout, NULL, _IOLBF, 0);
    fprintf(stderr, "iggy-c-bench %s, libiggy %s\n", IGGY_VERSION_STR, iggy_version_str());
    if (a.open_charts)
        fprintf(stderr, "note: --open-charts is accepted for compatibility; iggy-c-bench writes "
                        "report.json and draws no charts\n");
    if (ctx_init(&ctx, &a, err, sizeof err)) {
        fprintf(stderr, "Benchmark failed with error: %s\n", err);
        return 1;
    }
    if (ctx_client(&ctx, NULL, &admin, err, sizeof err)) {
        fprintf(stderr, "Benchmark failed with error: %s\n", err);
        ctx_free(&ctx);
        return 1;
    }
    print_info(&a);
    if (setup_kind(admin, &a, err, sizeof err)) {
        fprintf(stderr, "Benchmark failed with error: %s\n", err);
        iggy_client_destroy(admin);
        ctx_free(&ctx);
        return 1;
    }
    if (plan_build(&plan, &a, &ctx) || plan_start(&plan, err, sizeof err)) {
        fprintf(stderr, "Benchmark failed with error: %s\n", plan.actors ? err : "out of memory");
        return 1;
    }
    if ((failed = monitor(&plan)) != NULL) {
        /* as upstream: the first failed actor ends the run, the others are not waited for */
        fprintf(stderr, "\nBenchmark failed with error: %s #%u: %s\n",
                failed->kind == ACTOR_PRODUCER   ? "Producer"
                : failed->kind == ACTOR_CONSUMER ? "Consumer"
                                                 : "ProducingConsumer",
                failed->id, failed->error);
        return 1;
    }
    plan_join(&plan);

    metrics = malloc(plan.count * sizeof *metrics);
    if (!metrics) {
        fprintf(stderr, "Benchmark failed with error: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < plan.count; i++)
        metrics[i] = &plan.actors[i].metrics;
    if (report_build(&report, &a, metrics, plan.count, admin)) {
        fprintf(stderr, "Benchmark failed with error: out of memory for the report\n");
        return 1;
    }
    summary_print(&report, &a);
    rc = 0;
    if (a.output) {
        if (report_write(&report, &a, admin, path, sizeof path)) {
            fprintf(stderr, "Failed to write the report to %s\n", path);
            rc = 1;
        } else {
            fprintf(stderr, "Report written to %s\n", path);
        }
    }
    report_free(&report);
    free(metrics);
    plan_free(&plan);
    iggy_client_destroy(admin);
    ctx_free(&ctx);
    return rc;
}
