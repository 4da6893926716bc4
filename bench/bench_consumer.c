/* High-level consumer throughput, client CPU and allocations per poll: one single consumer
 * reading partition 0 from offset 0 with auto-commit disabled and --batch messages per poll
 * (what `iggy-bench -H pinned-consumer` does with the Rust SDK's IggyConsumer), medians of
 * several runs. Allocations are counted through the library's allocator hook after a warm-up.
 *
 *   bench_consumer [--messages 1000000] [--runs 5] [--size 100] [--batch 1000]
 *                  [--stream NAME --topic NAME]   (read an existing topic; default: fill one)
 *
 * Against IGGY_ADDR=host:port when set (IGGY_USERNAME / IGGY_PASSWORD, default iggy / iggy),
 * else the bundled mock in a child process. Without --stream the benchmark writes --messages
 * messages of --size bytes into stream bench-consumer, topic t (one partition) first; with
 * --stream bench-stream-1 --topic topic-1 it reads what `iggy-bench pinned-producer` wrote. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <iggy/iggy.h>

#include "bench_common.h"

typedef struct result {
    double msgs_per_s, cpu_per_msg_us, allocs_per_poll;
} result_t;

static iggy_client_t *connect_to(const char *addr, const char *user, const char *pass)
{
    char err[256];
    iggy_conf_t *conf;
    iggy_client_t *c;
    iggy_conf_new(&conf);
    if (iggy_conf_set(conf, "bootstrap.servers", addr, err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "username", user, err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "password", pass, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "conf: %s\n", err);
        exit(1);
    }
    if (iggy_client_new(conf, &c, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "client: %s\n", err);
        exit(1);
    }
    iggy_conf_destroy(conf);
    return c;
}

/* Write messages payloads of size bytes into a fresh stream/t with one partition. */
static void fill(iggy_client_t *c, const char *stream, long messages, int size)
{
    iggy_identifier_t s = iggy_id_name(stream), t = iggy_id_name("t");
    iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    iggy_send_message_t *m = calloc(1000, sizeof *m);
    char *payload = malloc((size_t)size);
    memset(payload, 'x', (size_t)size);
    for (int i = 0; i < 1000; i++) {
        m[i].payload = (const uint8_t *)payload;
        m[i].payload_len = (uint32_t)size;
    }
    (void)iggy_delete_stream(c, &s);
    if (iggy_create_stream(c, stream, NULL) != IGGY_OK ||
        iggy_create_topic(c, &s, "t", 1, NULL, NULL) != IGGY_OK) {
        fprintf(stderr, "topic: %s\n", iggy_last_error_detail());
        exit(1);
    }
    for (long done = 0; done < messages;) {
        size_t n = messages - done < 1000 ? (size_t)(messages - done) : 1000;
        if (iggy_send_messages(c, &s, &t, &p0, m, n, NULL, NULL) != IGGY_OK) {
            fprintf(stderr, "send: %s\n", iggy_last_error_detail());
            exit(1);
        }
        done += (long)n;
    }
    free(m);
    free(payload);
}

static result_t run_once(iggy_client_t *c, const char *stream, const char *topic, long messages,
                         int batch, int run)
{
    char err[256], id[64], len[16];
    iggy_identifier_t s = iggy_id_name(stream), t = iggy_id_name(topic);
    iggy_polled_messages_t *b = NULL;
    iggy_consumer_t *k;
    iggy_conf_t *conf;
    long got = 0, warm = messages / 10, polls = 0;
    double t0 = 0, c0 = 0, t1, c1;
    unsigned long a0 = 0;
    result_t r;

    snprintf(id, sizeof id, "bench-consumer-%d-%d", (int)getpid(), run);
    snprintf(len, sizeof len, "%d", batch);
    iggy_conf_new(&conf);
    if (iggy_conf_set(conf, "consumer.id", id, err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "consumer.partition", "0", err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "consumer.start", "first", err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "consumer.auto.commit", "disabled", err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "consumer.batch.length", len, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "conf: %s\n", err);
        exit(1);
    }
    if (iggy_consumer_new(c, conf, &s, &t, NULL, &k, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "consumer: %s\n", err);
        exit(1);
    }
    iggy_conf_destroy(conf);
    while (got < messages) {
        if (got >= warm && !t0) {
            t0 = bench_now_s();
            c0 = bench_cpu_s();
            a0 = bench_alloc_count();
            polls = 0;
            bench_count_allocs(1);
        }
        if (iggy_consumer_poll(k, 5000, &b) != IGGY_OK || b->count == 0) {
            fprintf(stderr, "poll: %s (after %ld messages)\n", iggy_last_error_detail(), got);
            exit(1);
        }
        got += (long)b->count;
        polls++;
    }
    bench_count_allocs(0);
    t1 = bench_now_s();
    c1 = bench_cpu_s();
    r.msgs_per_s = (double)(got - warm) / (t1 - t0);
    r.cpu_per_msg_us = (c1 - c0) * 1e6 / (double)(got - warm);
    r.allocs_per_poll = (double)(bench_alloc_count() - a0) / (double)(polls ? polls : 1);
    iggy_consumer_close(k);
    iggy_result_destroy(b);
    return r;
}

int main(int argc, char **argv)
{
    long messages = 1000000;
    int runs = 5, size = 100, batch = 1000;
    const char *stream = NULL, *topic = "t";
    char addr[256] = "";
    double rate[32], cpu[32], allocs[32];
    iggy_client_t *c;
    pid_t mock = 0;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--messages"))
            messages = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--runs"))
            runs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--size"))
            size = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--batch"))
            batch = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--stream"))
            stream = argv[i + 1];
        else if (!strcmp(argv[i], "--topic"))
            topic = argv[i + 1];
    }
    if (messages < 10 || runs < 1 || runs > 32 || size < 1 || batch < 1) {
        fprintf(stderr, "usage: bench_consumer [--messages N] [--runs N] [--size B] [--batch N] "
                        "[--stream NAME --topic NAME]\n");
        return 2;
    }
    if ((mock = bench_target(addr, sizeof addr)) < 0) {
        fprintf(stderr, "cannot start the mock\n");
        return 1;
    }
    bench_hook_allocator();
    c = connect_to(addr, bench_username(), bench_password());
    if (!stream) {
        stream = "bench-consumer";
        fill(c, stream, messages, size);
    }
    printf("# high-level consumer, partition 0 from offset 0, auto-commit disabled, %d per poll, "
           "%ld messages (10%% warm-up), %d runs, stream %s, server %s%s\n",
           batch, messages, runs, stream, mock ? "mock (child process) " : "", addr);
    for (int r = 0; r < runs; r++) {
        result_t x = run_once(c, stream, topic, messages, batch, r);
        rate[r] = x.msgs_per_s;
        cpu[r] = x.cpu_per_msg_us;
        allocs[r] = x.allocs_per_poll;
        printf("run %d: %.0f messages/s, client CPU %.3f us/message, %.4f allocations/poll\n",
               r + 1, x.msgs_per_s, x.cpu_per_msg_us, x.allocs_per_poll);
        fflush(stdout);
    }
    printf("median: %.0f messages/s, client CPU %.3f us/message, %.4f allocations/poll\n",
           bench_median(rate, runs), bench_median(cpu, runs), bench_median(allocs, runs));
    if (!strcmp(stream, "bench-consumer")) {
        iggy_identifier_t s = iggy_id_name(stream);
        (void)iggy_delete_stream(c, &s);
    }
    iggy_client_destroy(c);
    bench_target_stop(mock);
    return 0;
}
