/* Throughput of T threads sharing one client with 1 and with N connections (conf
 * `connections`). Runs alternate A B A B so both settings see the same machine; the report is
 * the median of the runs and the ratio of the medians.
 *
 *   bench_connections [--threads 4] [--connections 4] [--runs 5] [--seconds 2]
 *                     [--workload ping|send|poll] [--delay-ms 0]
 *
 * Against the bundled mock unless IGGY_ADDR=host:port is set (IGGY_USERNAME / IGGY_PASSWORD,
 * default iggy / iggy). --delay-ms makes the mock hold every request that long (a stand-in for
 * network latency; mock only). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iggy/iggy.h>
#include <iggy/mock.h>

#include "bench_common.h"

#define MAX_THREADS 64
#define SEND_BATCH 10
#define PAYLOAD_BYTES 256

typedef enum { WORK_PING, WORK_SEND, WORK_POLL } workload_t;

typedef struct settings {
    int threads, connections, runs;
    double seconds;
    workload_t work;
    unsigned delay_ms;
    char addr[256], user[64], pass[64];
    iggy_mock_t *mock;
} settings_t;

typedef struct worker {
    iggy_client_t *c;
    const settings_t *s;
    int index;
    volatile int *stop;
    uint64_t calls;
    iggy_err_t err;
} worker_t;

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    iggy_identifier_t stream = iggy_id_name("bench-connections"), topic = iggy_id_name("t");
    iggy_partitioning_t part = {IGGY_PARTITIONING_PARTITION_ID, (uint32_t)w->index, NULL, 0};
    iggy_consumer_ref_t consumer = {IGGY_CONSUMER_SINGLE, iggy_id_num((uint32_t)w->index + 1)};
    iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
    iggy_polled_messages_t *batch = NULL;
    iggy_send_message_t msgs[SEND_BATCH];
    char payload[PAYLOAD_BYTES];
    uint32_t partition = (uint32_t)w->index;

    memset(payload, 'x', sizeof payload);
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < SEND_BATCH; i++) {
        msgs[i].payload = payload;
        msgs[i].payload_len = sizeof payload;
    }
    w->err = IGGY_OK;
    while (!__atomic_load_n(w->stop, __ATOMIC_RELAXED) && w->err == IGGY_OK) {
        switch (w->s->work) {
        case WORK_PING:
            w->err = iggy_ping(w->c);
            break;
        case WORK_SEND:
            w->err = iggy_send_messages(w->c, &stream, &topic, &part, msgs, SEND_BATCH, NULL, NULL);
            break;
        case WORK_POLL:
            w->err = iggy_poll_messages_into(w->c, &consumer, &stream, &topic, &partition, &first,
                                             SEND_BATCH, false, NULL, &batch);
            break;
        }
        if (w->err == IGGY_OK)
            w->calls++;
    }
    iggy_result_destroy(batch);
    return NULL;
}

static iggy_client_t *new_client(const settings_t *s, int connections)
{
    iggy_conf_t *conf = NULL;
    iggy_client_t *c = NULL;
    char err[256], n[16];
    snprintf(n, sizeof n, "%d", connections);
    if (iggy_conf_new(&conf) != IGGY_OK ||
        iggy_conf_set(conf, "bootstrap.servers", s->addr, err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "username", s->user, err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "password", s->pass, err, sizeof err) != IGGY_OK ||
        (connections > 1 && iggy_conf_set(conf, "connections", n, err, sizeof err) != IGGY_OK) ||
        iggy_client_new(conf, &c, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "client: %s\n", err);
        exit(1);
    }
    iggy_conf_destroy(conf);
    return c;
}

/* The stream, topic (a partition per thread) and, for polls, messages to read. */
static void prepare(const settings_t *s)
{
    iggy_client_t *c = new_client(s, 1);
    iggy_identifier_t stream = iggy_id_name("bench-connections"), topic = iggy_id_name("t");
    iggy_send_message_t msgs[SEND_BATCH];
    char payload[PAYLOAD_BYTES];
    iggy_err_t err;
    (void)iggy_delete_stream(c, &stream);
    err = iggy_create_stream(c, "bench-connections", NULL);
    if (err == IGGY_OK)
        err = iggy_create_topic(c, &stream, "t", (uint32_t)s->threads, NULL, NULL);
    memset(payload, 'x', sizeof payload);
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < SEND_BATCH; i++) {
        msgs[i].payload = payload;
        msgs[i].payload_len = sizeof payload;
    }
    for (int p = 0; p < s->threads && err == IGGY_OK; p++) {
        iggy_partitioning_t part = {IGGY_PARTITIONING_PARTITION_ID, (uint32_t)p, NULL, 0};
        err = iggy_send_messages(c, &stream, &topic, &part, msgs, SEND_BATCH, NULL, NULL);
    }
    if (err != IGGY_OK) {
        fprintf(stderr, "setup: %s\n", iggy_last_error_detail());
        exit(1);
    }
    iggy_client_destroy(c);
}

/* One timed run: calls per second of every thread together. */
static double run_once(const settings_t *s, int connections)
{
    pthread_t th[MAX_THREADS];
    worker_t w[MAX_THREADS];
    volatile int stop = 0;
    iggy_client_t *c = new_client(s, connections);
    uint64_t calls = 0;
    double start, elapsed;

    /* Connect and log in every connection outside the timed region. */
    for (int i = 0; i < connections; i++)
        if (iggy_ping(c) != IGGY_OK) {
            fprintf(stderr, "connect: %s\n", iggy_last_error_detail());
            exit(1);
        }
    if (s->mock && s->delay_ms)
        iggy_mock_push_fault(s->mock, 0, 0, IGGY_MOCK_FAULT_DELAY, s->delay_ms, UINT32_MAX);
    start = bench_now_s();
    for (int i = 0; i < s->threads; i++) {
        w[i] = (worker_t){c, s, i, &stop, 0, IGGY_OK};
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    }
    while (bench_now_s() - start < s->seconds) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < s->threads; i++) {
        pthread_join(th[i], NULL);
        if (w[i].err != IGGY_OK) {
            fprintf(stderr, "thread %d: %s\n", i, iggy_last_error_detail());
            exit(1);
        }
        calls += w[i].calls;
    }
    elapsed = bench_now_s() - start;
    if (s->mock)
        iggy_mock_clear_faults(s->mock);
    iggy_client_destroy(c);
    return (double)calls / elapsed;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_connections [--threads N] [--connections N] [--runs N] "
                    "[--seconds S] [--workload ping|send|poll] [--delay-ms MS]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static const char *names[] = {"ping", "send", "poll"};
    settings_t s = {4, 4, 5, 2.0, WORK_PING, 0, "", "iggy", "iggy", NULL};
    double one[64], many[64];
    const char *addr = getenv("IGGY_ADDR");

    for (int i = 1; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        if (!strcmp(argv[i], "--threads"))
            s.threads = atoi(v);
        else if (!strcmp(argv[i], "--connections"))
            s.connections = atoi(v);
        else if (!strcmp(argv[i], "--runs"))
            s.runs = atoi(v);
        else if (!strcmp(argv[i], "--seconds"))
            s.seconds = atof(v);
        else if (!strcmp(argv[i], "--delay-ms"))
            s.delay_ms = (unsigned)atoi(v);
        else if (!strcmp(argv[i], "--workload"))
            s.work = !strcmp(v, "send") ? WORK_SEND : !strcmp(v, "poll") ? WORK_POLL : WORK_PING;
        else
            usage();
    }
    if (s.threads < 1 || s.threads > MAX_THREADS || s.connections < 1 || s.connections > 64 ||
        s.runs < 1 || s.runs > 64 || s.seconds <= 0)
        usage();
    if (addr && *addr) {
        snprintf(s.addr, sizeof s.addr, "%s", addr);
        if (getenv("IGGY_USERNAME"))
            snprintf(s.user, sizeof s.user, "%s", getenv("IGGY_USERNAME"));
        if (getenv("IGGY_PASSWORD"))
            snprintf(s.pass, sizeof s.pass, "%s", getenv("IGGY_PASSWORD"));
        s.delay_ms = 0;
    } else {
        iggy_mock_opts_t o;
        memset(&o, 0, sizeof o);
        if (iggy_mock_new(&o, &s.mock) != IGGY_OK) {
            fprintf(stderr, "mock: %s\n", iggy_last_error_detail());
            return 1;
        }
        snprintf(s.addr, sizeof s.addr, "%s", iggy_mock_address(s.mock, 0));
    }
    prepare(&s);
    printf("# %d threads, one client, workload %s, %d runs of %.1f s, server %s%s\n", s.threads,
           names[s.work], s.runs, s.seconds, s.mock ? "mock " : "", s.addr);
    for (int r = 0; r < s.runs; r++) {
        one[r] = run_once(&s, 1);
        many[r] = run_once(&s, s.connections);
        printf("run %d: 1 connection %.0f calls/s, %d connections %.0f calls/s\n", r + 1, one[r],
               s.connections, many[r]);
        fflush(stdout);
    }
    {
        double m1 = bench_median(one, s.runs), mn = bench_median(many, s.runs);
        printf("median: 1 connection %.0f calls/s, %d connections %.0f calls/s, ratio %.2fx\n", m1,
               s.connections, mn, mn / m1);
    }
    iggy_mock_destroy(s.mock);
    return 0;
}
