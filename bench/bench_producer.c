/* Background producer throughput, client CPU and allocations per message: one producer,
 * --per-send messages per iggy_producer_send() (1 by default; iggy-bench -H hands its
 * high-level producer 1000 at a time), 100-byte payloads, medians of several runs. Allocations are
 * counted through the library's allocator hook in steady state (after a warm-up), so they are
 * the client's own: the bundled mock runs in a child process.
 *
 *   bench_producer [--messages 2000000] [--runs 5] [--size 100] [--partitions 1]
 *                  [--buffer 1000000]   (producer.buffer.max.messages) [--per-send 1]
 *
 * Against IGGY_ADDR=host:port when set (IGGY_USERNAME / IGGY_PASSWORD, default iggy / iggy). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <iggy/iggy.h>
#include <iggy/mock.h>

#include "bench_common.h"

typedef struct result {
    double msgs_per_s, cpu_per_msg_us, allocs_per_msg;
} result_t;

static void on_report(const iggy_delivery_report_t *r, void *opaque)
{
    long *failed = opaque;
    if (r->err != IGGY_OK)
        (*failed)++;
}

static result_t run_once(const char *addr, const char *user, const char *pass, long messages,
                         int size, int partitions, long buffer, int per_send, int run)
{
    char err[256], name[64], parts[16], buf[24];
    iggy_conf_t *conf;
    iggy_client_t *c;
    iggy_producer_t *p;
    iggy_identifier_t stream, topic = iggy_id_name("t");
    iggy_send_message_t *m = calloc((size_t)per_send, sizeof *m);
    char *payload = malloc((size_t)size);
    long failed = 0, warm = messages / 10;
    double t0 = 0, c0 = 0, t1, c1;
    unsigned long a0 = 0;
    result_t r;

    snprintf(name, sizeof name, "bench-producer-%d", run);
    snprintf(parts, sizeof parts, "%d", partitions);
    snprintf(buf, sizeof buf, "%ld", buffer);
    stream = iggy_id_name(name);
    memset(payload, 'x', (size_t)size);
    iggy_conf_new(&conf);
    if (iggy_conf_set(conf, "bootstrap.servers", addr, err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "username", user, err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "password", pass, err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "producer.create.topic", "true", err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "producer.buffer.max.messages", buf, err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "producer.create.topic.partitions", parts, err, sizeof err) !=
            IGGY_OK) {
        fprintf(stderr, "conf: %s\n", err);
        exit(1);
    }
    iggy_conf_set_delivery_report_cb(conf, on_report, &failed);
    if (iggy_client_new(conf, &c, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "client: %s\n", err);
        exit(1);
    }
    iggy_conf_destroy(conf);
    (void)iggy_delete_stream(c, &stream);
    if (iggy_producer_new(c, NULL, &stream, &topic, NULL, &p, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "producer: %s\n", err);
        exit(1);
    }
    for (int k = 0; k < per_send; k++) {
        m[k].payload = payload;
        m[k].payload_len = (uint32_t)size;
    }
    warm -= warm % per_send;
    for (long i = 0; i < messages; i += per_send) {
        if (i == warm) {
            iggy_producer_flush(p, -1);
            t0 = bench_now_s();
            c0 = bench_cpu_s();
            a0 = bench_alloc_count();
            bench_count_allocs(1);
        }
        if (iggy_producer_send(p, NULL, m, (size_t)per_send, NULL) != IGGY_OK) {
            fprintf(stderr, "send: %s\n", iggy_last_error_detail());
            exit(1);
        }
    }
    iggy_producer_flush(p, -1);
    bench_count_allocs(0);
    t1 = bench_now_s();
    c1 = bench_cpu_s();
    r.msgs_per_s = (double)(messages - warm) / (t1 - t0);
    r.cpu_per_msg_us = (c1 - c0) * 1e6 / (double)(messages - warm);
    r.allocs_per_msg = (double)(bench_alloc_count() - a0) / (double)(messages - warm);
    iggy_producer_destroy(p);
    if (failed)
        fprintf(stderr, "warning: %ld messages failed\n", failed);
    (void)iggy_delete_stream(c, &stream);
    iggy_client_destroy(c);
    free(payload);
    free(m);
    return r;
}

int main(int argc, char **argv)
{
    long messages = 2000000;
    int runs = 5, size = 100, partitions = 1, per_send = 1;
    long buffer = 1000000;
    char addr[256] = "";
    double rate[32], cpu[32], allocs[32];
    pid_t mock = 0;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--messages"))
            messages = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--runs"))
            runs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--size"))
            size = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--partitions"))
            partitions = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--buffer"))
            buffer = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--per-send"))
            per_send = atoi(argv[i + 1]);
    }
    if (messages < 10 || runs < 1 || runs > 32 || size < 1 || partitions < 1 || buffer < 1 ||
        per_send < 1 || per_send > messages / 10 || messages % per_send) {
        fprintf(stderr,
                "usage: bench_producer [--messages N] [--runs N] [--size B] "
                "[--partitions N] [--buffer N] [--per-send N (a divisor of N, at most N/10)]\n");
        return 2;
    }
    if ((mock = bench_target(addr, sizeof addr)) < 0) {
        fprintf(stderr, "cannot start the mock\n");
        return 1;
    }
    bench_hook_allocator();
    printf("# background producer, %d message(s) per send, %d-byte payloads, %ld messages (10%% "
           "warm-up), %d partition(s), buffer %ld messages, %d runs, server %s%s\n",
           per_send, size, messages, partitions, buffer, runs, mock ? "mock (child process) " : "",
           addr);
    for (int r = 0; r < runs; r++) {
        result_t x = run_once(addr, bench_username(), bench_password(), messages, size, partitions,
                              buffer, per_send, r);
        rate[r] = x.msgs_per_s;
        cpu[r] = x.cpu_per_msg_us;
        allocs[r] = x.allocs_per_msg;
        printf("run %d: %.0f messages/s, client CPU %.3f us/message, %.4f allocations/message\n",
               r + 1, x.msgs_per_s, x.cpu_per_msg_us, x.allocs_per_msg);
        fflush(stdout);
    }
    printf("median: %.0f messages/s, client CPU %.3f us/message, %.4f allocations/message\n",
           bench_median(rate, runs), bench_median(cpu, runs), bench_median(allocs, runs));
    bench_target_stop(mock);
    return 0;
}
