/* The command line of iggy-c-bench: iggy-bench's grammar, names, short flags, defaults and
 * validation (core/bench/src/args), and the per-kind properties derived from it. */
#ifndef IGGY_C_BENCH_ARGS_H
#define IGGY_C_BENCH_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum bench_kind {
    KIND_PINNED_PRODUCER,
    KIND_PINNED_CONSUMER,
    KIND_PINNED_PRODUCER_AND_CONSUMER,
    KIND_BALANCED_PRODUCER,
    KIND_BALANCED_CONSUMER_GROUP,
    KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP,
    KIND_END_TO_END_PRODUCING_CONSUMER,
    KIND_END_TO_END_PRODUCING_CONSUMER_GROUP,
} bench_kind_t;

/* A value or an inclusive range "a..b" (BenchmarkNumericParameter). */
typedef struct numparam {
    uint32_t min, max;
} numparam_t;

typedef enum expiry_kind {
    EXPIRY_NEVER,
    EXPIRY_SERVER_DEFAULT,
    EXPIRY_DURATION,
} expiry_kind_t;

typedef struct bench_args {
    /* global */
    numparam_t message_size, messages_per_batch;
    uint32_t message_batches; /* 0 when -T is given */
    uint64_t total_data;      /* -T; 0 = not given */
    uint64_t rate_limit;      /* -r bytes/s; 0 = none */
    bool rate_limit_set;
    uint64_t warmup_us, sampling_us;
    uint32_t moving_average_window;
    bool high_level_api, pretty, reuse_streams, enforce_fsync;
    const char *username, *password;

    /* kind */
    bench_kind_t kind;
    uint32_t streams; /* 0 = the kind's default (pinned: one per actor) */
    uint32_t partitions, producers, consumers, consumer_groups;
    uint64_t max_topic_size; /* 0 = not given */
    expiry_kind_t expiry;
    uint64_t expiry_us;
    float read_amplification;

    /* transport: tcp only */
    const char *server_address;
    bool nodelay, tls, tls_validate_certificate;
    const char *tls_domain, *tls_ca_file;

    /* output */
    bool output;
    const char *output_dir, *identifier, *remark, *extra_info, *gitref, *gitref_date;
    bool open_charts;
} bench_args_t;

/* Parse argv into a; prints help, examples or a usage error itself. Returns -1 to go on, or
 * the exit status (0 after help, 2 after a usage error). */
int args_parse(bench_args_t *a, int argc, char **argv);

/* A value of a numeric parameter: fixed, or uniform in the range (rng: a xorshift64 state). */
uint32_t numparam_get(numparam_t p, uint64_t *rng);
static inline bool numparam_fixed(numparam_t p)
{
    return p.min == p.max;
}
void numparam_str(numparam_t p, char *buf, size_t cap);

/* Per-kind properties (BenchmarkKindProps). */
uint32_t args_streams(const bench_args_t *a);
uint32_t args_partitions(const bench_args_t *a);
uint32_t args_producers(const bench_args_t *a);
uint32_t args_consumers(const bench_args_t *a);
uint32_t args_consumer_groups(const bench_args_t *a);
bool args_has_read_amplification(const bench_args_t *a);

const char *kind_cli_name(bench_kind_t k);     /* "pinned-producer" */
const char *kind_snake_name(bench_kind_t k);   /* "pinned_producer" */
const char *kind_display_name(bench_kind_t k); /* "Pinned Producer" */

#endif
