/* iggy-soak: a background producer and a consumer group of two or more members run for
 * IGGY_SOAK_SECONDS (default 600) while connections are cut, faults are injected and the
 * server restarts. At the end every acknowledged message must have been consumed (lost = 0),
 * and the process must hold no more memory, file descriptors or threads than a small
 * tolerance above where it began.
 *
 * Target: the embedded mock by default, run in a child process so that its message log does
 * not count in this process' RSS (it is stopped and started on the same port with its state,
 * iggy_mock_set_down/set_up, and injects faults); or a real server with IGGY_TEST_SERVER=
 * host:port (IGGY_TEST_USERNAME / IGGY_TEST_PASSWORD, default iggy / iggy), where only the
 * client side cuts its connections (restart that server from outside to test restarts).
 *
 * Knobs: IGGY_SOAK_SECONDS, IGGY_SOAK_RATE (messages per second, default 500),
 * IGGY_SOAK_PARTITIONS (3), IGGY_SOAK_MEMBERS (2). Exit status 0 only when nothing was lost
 * and nothing grew. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <iggy/consumer.h>
#include <iggy/iggy.h>
#include <iggy/mock.h>
#include <iggy/producer.h>

#include "client/iggy_client_internal.h" /* the connections' sockets, to cut them */

#define MAX_MEMBERS 8
#define SEND_CHUNK 10          /* messages per iggy_producer_send() */
#define DRAIN_SECONDS 120      /* how long consumers may take to catch up at the end */
#define RSS_TOLERANCE_KB 16384 /* steady-state growth allowed on top of 10% */
#define FD_TOLERANCE 2         /* a reconnect in progress at the sample */

/* Under ASan (its quarantine holds freed memory) and TSan RSS says nothing about leaks. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RSS_CHECKED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define RSS_CHECKED 0
#endif
#endif
#ifndef RSS_CHECKED
#define RSS_CHECKED 1
#endif

/* TSan's runtime starts a background thread of its own with the first thread we create. */
#if defined(__SANITIZE_THREAD__)
#define RUNTIME_THREADS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RUNTIME_THREADS 1
#endif
#endif
#ifndef RUNTIME_THREADS
#define RUNTIME_THREADS 0
#endif

/* ---------------------------------------------------------------- settings */

static struct {
    int seconds, rate, partitions, members;
    bool real;
    char addr[256], user[128], pass[128], stream[64];
} cfg;

static int env_int(const char *name, int def, int lo, int hi)
{
    const char *v = getenv(name);
    long n;
    if (!v || !*v)
        return def;
    n = strtol(v, NULL, 10);
    return n < lo ? lo : n > hi ? hi : (int)n;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---------------------------------------------------------------- /proc/self */

typedef struct usage {
    long rss_kb;
    int fds, threads;
} usage_t;

static long status_field(const char *key)
{
    char line[256];
    long v = -1;
    size_t n = strlen(key);
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0) {
            v = strtol(line + n, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

static usage_t usage_now(void)
{
    usage_t u;
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    u.fds = 0;
    if (d) {
        while ((e = readdir(d)) != NULL)
            if (e->d_name[0] != '.')
                u.fds++;
        closedir(d);
        u.fds--; /* the directory itself */
    }
    u.rss_kb = status_field("VmRSS:");
    u.threads = (int)status_field("Threads:");
    return u;
}

/* Joined threads leave /proc/self/task a moment later. */
static usage_t usage_settled(int want_threads)
{
    usage_t u = usage_now();
    for (int i = 0; i < 200 && u.threads > want_threads; i++) {
        sleep_ms(10);
        u = usage_now();
    }
    return u;
}

/* ---------------------------------------------------------------- the mock, in a child */

typedef struct mock_cmd {
    char op; /* 'F' fault, 'R' restart (down for param ms, then up), 'Q' quit */
    uint32_t code, kind, param, count;
} mock_cmd_t;

static int mock_cmd_fd = -1, mock_ack_fd = -1;
static pid_t mock_pid = -1;

static bool read_full(int fd, void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

static bool write_full(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static void mock_child(int cmd_fd, int ack_fd)
{
    iggy_mock_opts_t o;
    iggy_mock_t *m = NULL;
    mock_cmd_t c;
    uint16_t port;
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    memset(&o, 0, sizeof o);
    o.username = cfg.user;
    o.password = cfg.pass;
    if (iggy_mock_new(&o, &m) != IGGY_OK) {
        fprintf(stderr, "soak: mock: %s\n", iggy_last_error_detail());
        _exit(1);
    }
    port = iggy_mock_port(m, 0);
    write_full(ack_fd, &port, sizeof port);
    while (read_full(cmd_fd, &c, sizeof c) && c.op != 'Q') {
        char ok = 1;
        if (c.op == 'F')
            ok = iggy_mock_push_fault(m, c.code, 0, (iggy_mock_fault_kind_t)c.kind, c.param,
                                      c.count) == IGGY_OK;
        else if (c.op == 'R') {
            ok = iggy_mock_set_down(m, 0) == IGGY_OK;
            sleep_ms((int)c.param);
            ok = iggy_mock_set_up(m, 0) == IGGY_OK && ok;
        }
        write_full(ack_fd, &ok, 1);
    }
    iggy_mock_destroy(m);
    _exit(0);
}

/* Start the mock child before any thread exists (fork copies only the calling thread). */
static bool mock_start(void)
{
    int cmd[2], ack[2];
    uint16_t port;
    if (pipe(cmd) != 0 || pipe(ack) != 0)
        return false;
    mock_pid = fork();
    if (mock_pid < 0)
        return false;
    if (mock_pid == 0) {
        close(cmd[1]);
        close(ack[0]);
        mock_child(cmd[0], ack[1]);
    }
    close(cmd[0]);
    close(ack[1]);
    mock_cmd_fd = cmd[1];
    mock_ack_fd = ack[0];
    if (!read_full(mock_ack_fd, &port, sizeof port))
        return false;
    snprintf(cfg.addr, sizeof cfg.addr, "127.0.0.1:%u", (unsigned)port);
    return true;
}

static bool mock_send(char op, uint32_t code, iggy_mock_fault_kind_t kind, uint32_t param,
                      uint32_t count)
{
    mock_cmd_t c = {op, code, (uint32_t)kind, param, count};
    char ok = 0;
    return write_full(mock_cmd_fd, &c, sizeof c) && read_full(mock_ack_fd, &ok, 1) && ok;
}

static void mock_stop(void)
{
    int st;
    if (mock_pid <= 0)
        return;
    mock_send('Q', 0, 0, 0, 0);
    close(mock_cmd_fd);
    close(mock_ack_fd);
    waitpid(mock_pid, &st, 0);
}

/* ---------------------------------------------------------------- bookkeeping */

/* Per sequence number: acknowledged (a delivered report), and how often consumed. */
static uint8_t *acked, *consumed;
static uint32_t *acked_partition; /* where the report said it went, to explain a loss */
static uint64_t *acked_offset;
static size_t capacity;
static pthread_mutex_t book = PTHREAD_MUTEX_INITIALIZER;
static atomic_ullong n_sent, n_acked, n_failed, n_consumed, n_dups, n_foreign, n_poll_errors;
static atomic_int stop_producing, stop_consuming;

static void on_report(const iggy_delivery_report_t *r, void *opaque)
{
    uint64_t seq = (uint64_t)(uintptr_t)r->msg_opaque - 1;
    (void)opaque;
    if (r->err != IGGY_OK) {
        atomic_fetch_add(&n_failed, 1);
        return;
    }
    pthread_mutex_lock(&book);
    if (seq < capacity && !acked[seq]) {
        acked[seq] = 1;
        acked_partition[seq] = r->partition_id;
        acked_offset[seq] = r->offset;
        atomic_fetch_add(&n_acked, 1);
    }
    pthread_mutex_unlock(&book);
}

static void on_message(const iggy_message_t *m)
{
    char text[32];
    uint64_t seq;
    size_t n = m->payload_len < sizeof text - 1 ? m->payload_len : sizeof text - 1;
    memcpy(text, m->payload, n);
    text[n] = 0;
    if (strncmp(text, "soak ", 5) != 0) {
        atomic_fetch_add(&n_foreign, 1);
        return;
    }
    seq = strtoull(text + 5, NULL, 10);
    pthread_mutex_lock(&book);
    if (seq >= capacity) {
        atomic_fetch_add(&n_foreign, 1);
    } else if (consumed[seq]++ == 0) {
        atomic_fetch_add(&n_consumed, 1);
    } else {
        atomic_fetch_add(&n_dups, 1);
        if (consumed[seq] == 0)
            consumed[seq] = 255; /* saturate */
    }
    pthread_mutex_unlock(&book);
}

/* ---------------------------------------------------------------- clients */

static iggy_conf_t *conf_for(const char *const *props)
{
    iggy_conf_t *conf;
    char err[256];
    const char *base[] = {"bootstrap.servers",
                          cfg.addr,
                          "username",
                          cfg.user,
                          "password",
                          cfg.pass,
                          "request.timeout.ms",
                          "5000",
                          "reconnect.backoff.ms",
                          "50",
                          "reconnect.backoff.max.ms",
                          "1000",
                          NULL};
    if (iggy_conf_new(&conf) != IGGY_OK)
        return NULL;
    for (const char *const *p = base; *p; p += 2)
        if (iggy_conf_set(conf, p[0], p[1], err, sizeof err) != IGGY_OK)
            goto bad;
    for (const char *const *p = props; p && *p; p += 2)
        if (iggy_conf_set(conf, p[0], p[1], err, sizeof err) != IGGY_OK)
            goto bad;
    return conf;
bad:
    fprintf(stderr, "soak: conf: %s\n", err);
    iggy_conf_destroy(conf);
    return NULL;
}

static iggy_client_t *client_for(const iggy_conf_t *conf)
{
    iggy_client_t *c = NULL;
    char err[256];
    if (!conf || iggy_client_new(conf, &c, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "soak: client: %s\n", conf ? err : "no conf");
        return NULL;
    }
    return c;
}

/* Cut every connection of a client, as a network failure would (the client notices on its
 * next read or write and reconnects). */
static void drop_connections(iggy_client_t *c)
{
    for (size_t i = 0; i < c->nconns; i++) {
        iggy_conn_t *conn = &c->conns[i];
        pthread_mutex_lock(&conn->fd_lock);
        if (conn->fd >= 0)
            shutdown(conn->fd, SHUT_RDWR);
        pthread_mutex_unlock(&conn->fd_lock);
    }
}

/* ---------------------------------------------------------------- producer */

static iggy_client_t *prod_client;
static iggy_producer_t *producer;

static void *producer_main(void *arg)
{
    int64_t start = now_ms();
    uint64_t seq = 0;
    (void)arg;
    while (!atomic_load(&stop_producing) && seq + SEND_CHUNK <= capacity) {
        iggy_send_message_t msgs[SEND_CHUNK];
        char texts[SEND_CHUNK][48];
        void *opaques[SEND_CHUNK];
        int64_t due;
        iggy_err_t err;
        for (int i = 0; i < SEND_CHUNK; i++) {
            snprintf(texts[i], sizeof texts[i], "soak %" PRIu64 " ................",
                     seq + (uint64_t)i);
            memset(&msgs[i], 0, sizeof msgs[i]);
            msgs[i].payload = texts[i];
            msgs[i].payload_len = strlen(texts[i]);
            opaques[i] = (void *)(uintptr_t)(seq + (uint64_t)i + 1);
        }
        err = iggy_producer_send(producer, NULL, msgs, SEND_CHUNK, opaques);
        if (err == IGGY_OK) {
            seq += SEND_CHUNK;
            atomic_fetch_add(&n_sent, SEND_CHUNK);
        } else {
            fprintf(stderr, "soak: send refused: %s\n", iggy_last_error_detail());
            sleep_ms(100);
        }
        /* Paced to cfg.rate messages per second. */
        due = start + (int64_t)(seq * 1000 / (uint64_t)cfg.rate);
        if (due > now_ms())
            sleep_ms((int)(due - now_ms()));
    }
    return NULL;
}

/* ---------------------------------------------------------------- consumers */

typedef struct member {
    int index;
    iggy_client_t *client;
    iggy_consumer_t *consumer;
    pthread_t th;
} member_t;

static void *member_main(void *arg)
{
    member_t *m = arg;
    iggy_polled_messages_t *batch = NULL;
    while (!atomic_load(&stop_consuming)) {
        iggy_err_t err = iggy_consumer_poll(m->consumer, 200, &batch);
        if (err != IGGY_OK) {
            atomic_fetch_add(&n_poll_errors, 1);
            sleep_ms(50);
            continue;
        }
        for (size_t i = 0; i < batch->count; i++)
            on_message(&batch->messages[i]);
    }
    iggy_result_destroy(batch);
    return NULL;
}

static bool member_start(member_t *m, int index)
{
    char err[256];
    /* Offsets stored only for what the member has been given (after, consuming_all): with
     * the polling trigger the server stores as it serves, and a member whose reply is lost
     * with its connection hands the partition over past that batch. */
    const char *props[] = {"consumer.group",
                           "soak",
                           "consumer.batch.length",
                           "200",
                           "consumer.retry.interval.ms",
                           "100",
                           "consumer.auto.commit",
                           "interval_or_after",
                           "consumer.auto.commit.trigger",
                           "consuming_all",
                           NULL};
    iggy_conf_t *conf = conf_for(props);
    iggy_identifier_t s = iggy_id_name(cfg.stream), t = iggy_id_name("t");
    m->index = index;
    m->client = client_for(conf);
    if (!m->client) {
        iggy_conf_destroy(conf);
        return false;
    }
    if (iggy_consumer_new(m->client, conf, &s, &t, NULL, &m->consumer, err, sizeof err) !=
        IGGY_OK) {
        fprintf(stderr, "soak: consumer %d: %s\n", index, err);
        iggy_conf_destroy(conf);
        return false;
    }
    iggy_conf_destroy(conf);
    return pthread_create(&m->th, NULL, member_main, m) == 0;
}

/* ---------------------------------------------------------------- disturbances */

static uint64_t n_faults, n_restarts, n_drops;
static uint32_t rnd = 2463534242u;

static uint32_t next_rand(void)
{
    rnd ^= rnd << 13;
    rnd ^= rnd >> 17;
    rnd ^= rnd << 5;
    return rnd;
}

/* One mock fault on the producer's or the consumers' traffic. */
static void inject_fault(void)
{
    static const struct {
        uint32_t code;
        iggy_mock_fault_kind_t kind;
        uint32_t param, count;
    } faults[] = {
        {101, IGGY_MOCK_FAULT_CLOSE, 0, 1},
        {101, IGGY_MOCK_FAULT_CLOSE_MID_REPLY, 0, 1},
        {101, IGGY_MOCK_FAULT_RESET_MID_REPLY, 0, 1},
        {101, IGGY_MOCK_FAULT_STATUS, 57, 3},
        {101, IGGY_MOCK_FAULT_DUPLICATE_REPLY, 0, 1},
        {101, IGGY_MOCK_FAULT_CLOSE_AFTER_REPLY, 0, 1},
        {100, IGGY_MOCK_FAULT_CLOSE, 0, 1},
        {100, IGGY_MOCK_FAULT_RESET_MID_REPLY, 0, 1},
        {100, IGGY_MOCK_FAULT_TRICKLE, 1, 1},
        {100, IGGY_MOCK_FAULT_STALE_REPLY, 0, 1},
        {100, IGGY_MOCK_FAULT_EVICT, 13, 1},
        {121, IGGY_MOCK_FAULT_CLOSE, 0, 1},
        {606, IGGY_MOCK_FAULT_CLOSE_MID_REPLY, 0, 1},
        {0, IGGY_MOCK_FAULT_DELAY, 300, 1},
        {0, IGGY_MOCK_FAULT_GARBAGE, 0, 1},
    };
    size_t i = next_rand() % (sizeof faults / sizeof faults[0]);
    if (mock_send('F', faults[i].code, faults[i].kind, faults[i].param, faults[i].count))
        n_faults++;
}

/* For each run of lost messages (acknowledged, never consumed): where the report put them,
 * whether the log has them there, and the group's stored offset of that partition. */
static void explain_losses(iggy_client_t *admin)
{
    iggy_identifier_t s = iggy_id_name(cfg.stream), t = iggy_id_name("t");
    iggy_consumer_ref_t probe = {IGGY_CONSUMER_SINGLE, iggy_id_num(424242)};
    iggy_consumer_ref_t group = {IGGY_CONSUMER_GROUP, iggy_id_name("soak")};
    int runs = 0;
    for (size_t i = 0; i < capacity && runs < 10; i++) {
        size_t j = i;
        uint32_t part;
        iggy_polling_strategy_t at;
        iggy_polled_messages_t *b = NULL;
        iggy_consumer_offset_t *o = NULL;
        iggy_err_t e;
        char text[32];
        if (!acked[i] || consumed[i])
            continue;
        while (j + 1 < capacity && acked[j + 1] && !consumed[j + 1])
            j++;
        part = acked_partition[i];
        at = (iggy_polling_strategy_t){IGGY_POLL_OFFSET, acked_offset[i]};
        e = iggy_poll_messages(admin, &probe, &s, &t, &part, &at, 1, false, NULL, &b);
        snprintf(text, sizeof text, "soak %zu ", i);
        printf("soak: lost seq %zu..%zu: partition %u offsets %llu..%llu; the log there: %s", i, j,
               part, (unsigned long long)acked_offset[i], (unsigned long long)acked_offset[j],
               e != IGGY_OK    ? iggy_err2name(e)
               : b->count == 0 ? "nothing"
               : (b->messages[0].payload_len >= strlen(text) &&
                  memcmp(b->messages[0].payload, text, strlen(text)) == 0)
                   ? "that message"
                   : "another message");
        iggy_result_destroy(b);
        if (iggy_get_consumer_offset(admin, &group, &s, &t, &part, &o) == IGGY_OK && o)
            printf("; group stored %llu, partition at %llu", (unsigned long long)o->stored_offset,
                   (unsigned long long)o->current_offset);
        iggy_result_destroy(o);
        printf("\n");
        runs++;
        i = j;
    }
}

/* ---------------------------------------------------------------- main */

static void print_usage(const char *when, usage_t u)
{
    printf("soak: %-6s rss %ld kB, fds %d, threads %d\n", when, u.rss_kb, u.fds, u.threads);
}

static void progress(int64_t t0)
{
    printf("soak: t=%llds sent %llu acked %llu failed %llu consumed %llu dups %llu poll-errors "
           "%llu faults %llu restarts %llu drops %llu\n",
           (long long)((now_ms() - t0) / 1000), (unsigned long long)atomic_load(&n_sent),
           (unsigned long long)atomic_load(&n_acked), (unsigned long long)atomic_load(&n_failed),
           (unsigned long long)atomic_load(&n_consumed), (unsigned long long)atomic_load(&n_dups),
           (unsigned long long)atomic_load(&n_poll_errors), (unsigned long long)n_faults,
           (unsigned long long)n_restarts, (unsigned long long)n_drops);
    fflush(stdout);
}

int main(void)
{
    const char *real = getenv("IGGY_TEST_SERVER"), *u = getenv("IGGY_TEST_USERNAME"),
               *p = getenv("IGGY_TEST_PASSWORD");
    const char *prod_props[] = {"connections",
                                "2",
                                "producer.retries",
                                "30",
                                "producer.retry.backoff.ms",
                                "100",
                                "producer.retry.backoff.max.ms",
                                "2000",
                                NULL};
    member_t members[MAX_MEMBERS];
    usage_t u_start, u_warm = {0, 0, 0}, u_end, u_after;
    iggy_client_t *admin;
    iggy_conf_t *conf;
    pthread_t prod_th;
    int64_t t0, end, next_fault, next_restart, next_drop, next_progress, warm_at;
    int restart_every, bad = 0;
    uint64_t lost = 0, acked_total;
    char err[256];

    setvbuf(stdout, NULL, _IOLBF, 0);
    cfg.seconds = env_int("IGGY_SOAK_SECONDS", 600, 1, 7 * 86400);
    cfg.rate = env_int("IGGY_SOAK_RATE", 500, 10, 100000);
    cfg.partitions = env_int("IGGY_SOAK_PARTITIONS", 3, 1, 64);
    cfg.members = env_int("IGGY_SOAK_MEMBERS", 2, 2, MAX_MEMBERS);
    snprintf(cfg.user, sizeof cfg.user, "%s", u && *u ? u : "iggy");
    snprintf(cfg.pass, sizeof cfg.pass, "%s", p && *p ? p : "iggy");
    snprintf(cfg.stream, sizeof cfg.stream, "soak-%ld-%lld", (long)getpid(), (long long)time(NULL));
    if (real && *real) {
        cfg.real = true;
        snprintf(cfg.addr, sizeof cfg.addr, "%s", real);
    } else if (!mock_start()) {
        fprintf(stderr, "soak: cannot start the mock\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);

    /* Preallocated and touched, so the bookkeeping is in the starting RSS. */
    capacity = (size_t)cfg.rate * (size_t)cfg.seconds * 3 / 2 + 10 * SEND_CHUNK;
    acked = calloc(capacity, 1);
    consumed = calloc(capacity, 1);
    acked_partition = calloc(capacity, sizeof *acked_partition);
    acked_offset = calloc(capacity, sizeof *acked_offset);
    if (!acked || !consumed || !acked_partition || !acked_offset)
        return 2;
    memset(acked, 0, capacity);
    memset(consumed, 0, capacity);
    memset(acked_partition, 0, capacity * sizeof *acked_partition);
    memset(acked_offset, 0, capacity * sizeof *acked_offset);

    u_start = usage_now();
    printf("soak: %s %s, %d s, %d msg/s, %d partitions, %d members, stream %s\n",
           cfg.real ? "server" : "mock", cfg.addr, cfg.seconds, cfg.rate, cfg.partitions,
           cfg.members, cfg.stream);
    print_usage("start", u_start);

    conf = conf_for(NULL);
    admin = client_for(conf);
    iggy_conf_destroy(conf);
    if (!admin)
        return 2;
    {
        iggy_identifier_t s = iggy_id_name(cfg.stream);
        if (iggy_create_stream(admin, cfg.stream, NULL) != IGGY_OK ||
            iggy_create_topic(admin, &s, "t", (uint32_t)cfg.partitions, NULL, NULL) != IGGY_OK) {
            fprintf(stderr, "soak: setup: %s\n", iggy_last_error_detail());
            return 2;
        }
    }

    conf = conf_for(prod_props);
    iggy_conf_set_delivery_report_cb(conf, on_report, NULL);
    prod_client = client_for(conf);
    if (!prod_client)
        return 2;
    {
        iggy_identifier_t s = iggy_id_name(cfg.stream), t = iggy_id_name("t");
        if (iggy_producer_new(prod_client, conf, &s, &t, NULL, &producer, err, sizeof err) !=
            IGGY_OK) {
            fprintf(stderr, "soak: producer: %s\n", err);
            return 2;
        }
    }
    iggy_conf_destroy(conf);
    for (int i = 0; i < cfg.members; i++)
        if (!member_start(&members[i], i))
            return 2;
    if (pthread_create(&prod_th, NULL, producer_main, NULL) != 0)
        return 2;

    t0 = now_ms();
    end = t0 + (int64_t)cfg.seconds * 1000;
    restart_every = cfg.seconds / 8 < 4 ? 4 : cfg.seconds / 8 > 60 ? 60 : cfg.seconds / 8;
    next_fault = t0 + 1500;
    next_restart = t0 + restart_every * 1000;
    next_drop = t0 + 3500;
    next_progress = t0 + 10000;
    warm_at = t0 + (cfg.seconds < 20 ? 2000 : cfg.seconds * 100); /* at 10% */
    while (now_ms() < end) {
        int64_t now = now_ms();
        if (!u_warm.rss_kb && now >= warm_at) {
            u_warm = usage_now();
            print_usage("warm", u_warm);
        }
        if (!cfg.real && now >= next_fault) {
            inject_fault();
            next_fault = now + 500 + next_rand() % 2000;
        }
        if (!cfg.real && now >= next_restart && now + 3000 < end) {
            if (mock_send('R', 0, 0, 300 + next_rand() % 1200, 0))
                n_restarts++;
            next_restart = now_ms() + restart_every * 1000;
        }
        if (now >= next_drop) {
            int who = (int)(next_rand() % (uint32_t)(cfg.members + 1));
            drop_connections(who == cfg.members ? prod_client : members[who].client);
            n_drops++;
            next_drop = now + 3000 + next_rand() % 6000;
        }
        if (now >= next_progress) {
            progress(t0);
            next_progress = now + 10000;
        }
        sleep_ms(50);
    }

    /* Stop producing, let every report in, then let the group catch up. */
    atomic_store(&stop_producing, 1);
    pthread_join(prod_th, NULL);
    if (iggy_producer_flush(producer, 120000) != IGGY_OK)
        fprintf(stderr, "soak: flush: %s\n", iggy_last_error_detail());
    u_end = usage_now();
    print_usage("end", u_end);
    iggy_producer_destroy(producer);
    iggy_client_destroy(prod_client);
    acked_total = atomic_load(&n_acked);
    for (int64_t until = now_ms() + DRAIN_SECONDS * 1000; now_ms() < until;) {
        size_t missing = 0;
        pthread_mutex_lock(&book);
        for (size_t i = 0; i < capacity && !missing; i++)
            missing += acked[i] && !consumed[i];
        pthread_mutex_unlock(&book);
        if (!missing)
            break;
        sleep_ms(250);
    }
    atomic_store(&stop_consuming, 1);
    for (int i = 0; i < cfg.members; i++) {
        pthread_join(members[i].th, NULL);
        if (iggy_consumer_close(members[i].consumer) != IGGY_OK)
            fprintf(stderr, "soak: consumer %d close: %s\n", i, iggy_last_error_detail());
        iggy_client_destroy(members[i].client);
    }
    explain_losses(admin);
    {
        iggy_identifier_t s = iggy_id_name(cfg.stream);
        if (iggy_delete_stream(admin, &s) != IGGY_OK)
            fprintf(stderr, "soak: cleanup: %s\n", iggy_last_error_detail());
    }
    iggy_client_destroy(admin);
    mock_stop();
    u_after = usage_settled(u_start.threads);

    for (size_t i = 0; i < capacity; i++)
        lost += acked[i] && !consumed[i];
    progress(t0);
    printf("soak: sent %llu, acknowledged %llu, failed %llu, consumed %llu, lost %llu, "
           "duplicates %llu, foreign %llu\n",
           (unsigned long long)atomic_load(&n_sent), (unsigned long long)acked_total,
           (unsigned long long)atomic_load(&n_failed), (unsigned long long)atomic_load(&n_consumed),
           (unsigned long long)lost, (unsigned long long)atomic_load(&n_dups),
           (unsigned long long)atomic_load(&n_foreign));
    print_usage("after", u_after);
    printf("soak: rss start %ld kB, warm %ld kB, end %ld kB, after %ld kB; fds start %d, end %d, "
           "after %d; threads start %d, end %d, after %d\n",
           u_start.rss_kb, u_warm.rss_kb, u_end.rss_kb, u_after.rss_kb, u_start.fds, u_end.fds,
           u_after.fds, u_start.threads, u_end.threads, u_after.threads);

    if (lost) {
        printf("soak: FAIL: %llu acknowledged messages never consumed\n", (unsigned long long)lost);
        bad = 1;
    }
    if (acked_total == 0 || atomic_load(&n_sent) == 0) {
        printf("soak: FAIL: nothing was acknowledged\n");
        bad = 1;
    }
    if (atomic_load(&n_sent) != acked_total + atomic_load(&n_failed)) {
        printf("soak: FAIL: %llu messages sent but %llu reports\n",
               (unsigned long long)atomic_load(&n_sent),
               (unsigned long long)(acked_total + atomic_load(&n_failed)));
        bad = 1;
    }
    if (!RSS_CHECKED)
        printf("soak: RSS growth not checked: built with a sanitizer\n");
    else if (u_warm.rss_kb &&
             u_end.rss_kb > u_warm.rss_kb + u_warm.rss_kb / 10 + RSS_TOLERANCE_KB) {
        printf("soak: FAIL: RSS grew from %ld kB to %ld kB while running\n", u_warm.rss_kb,
               u_end.rss_kb);
        bad = 1;
    }
    if (u_warm.rss_kb &&
        (u_end.fds > u_warm.fds + FD_TOLERANCE || u_end.threads > u_warm.threads)) {
        printf("soak: FAIL: fds %d -> %d, threads %d -> %d while running\n", u_warm.fds, u_end.fds,
               u_warm.threads, u_end.threads);
        bad = 1;
    }
    if (u_after.fds > u_start.fds || u_after.threads > u_start.threads + RUNTIME_THREADS) {
        printf("soak: FAIL: fds %d -> %d, threads %d -> %d after teardown\n", u_start.fds,
               u_after.fds, u_start.threads, u_after.threads);
        bad = 1;
    }
    printf("soak: %s\n", bad ? "FAIL" : "PASS");
    free(acked);
    free(consumed);
    free(acked_partition);
    free(acked_offset);
    return bad;
}
