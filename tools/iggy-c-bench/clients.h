/* The benchmark's side of libiggy: connections, the batch generator, and the producing and
 * consuming clients each actor drives, low-level (iggy_send_messages, iggy_poll_messages_into)
 * or high-level (iggy_producer_t, iggy_consumer_t) as -H says. Each call times one batch the
 * way iggy-bench's actors/{producer,consumer}/client/{low,high}_level.rs do. */
#ifndef IGGY_C_BENCH_CLIENTS_H
#define IGGY_C_BENCH_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iggy/iggy.h>

#include "args.h"

/* iggy-bench counts a message as the SDK's 64-byte header plus payload and user headers. */
#define BENCH_MESSAGE_HEADER_BYTES 64u

typedef struct bench_ctx {
    const bench_args_t *args;
    iggy_conf_t *conf; /* address, credentials, TCP options: what every client is made from */
} bench_ctx_t;

int ctx_init(bench_ctx_t *ctx, const bench_args_t *a, char *err, size_t cap);
void ctx_free(bench_ctx_t *ctx);
/* A connected, logged-in client (connect and login are never timed). conf NULL: ctx->conf. */
int ctx_client(const bench_ctx_t *ctx, const iggy_conf_t *conf, iggy_client_t **out, char *err,
               size_t cap);

/* One batch of random alphanumeric payload, built once and resent with origin_timestamp
 * restamped when sizes are fixed; rebuilt per batch when -m or -P is a range. ids_once: the
 * fixed batch's message ids are minted once and resent (the low-level path); else they are 0
 * and the library mints them per send. */
typedef struct batch_gen {
    numparam_t size, count;
    bool fixed;
    uint64_t rng;
    uint8_t *payload; /* size.max random bytes every message slices */
    iggy_send_message_t *msgs;
    size_t n;
    uint64_t user_bytes, total_bytes;
} batch_gen_t;

int batch_gen_init(batch_gen_t *g, numparam_t size, numparam_t count, uint64_t seed, bool ids_once);
void batch_gen_free(batch_gen_t *g);

typedef struct batch_metrics {
    uint32_t messages;
    uint64_t user_bytes, total_bytes, latency_us;
} batch_metrics_t;

typedef struct producer_client {
    bool high_level;
    iggy_client_t *client;
    char stream_name[32];
    iggy_identifier_t stream, topic;
    iggy_partitioning_t partition0;
    bool pinned; /* one partition: partition 0; else balanced */
    iggy_producer_t *producer;
    iggy_delivery_report_t *reports;
    size_t reports_cap;
} producer_client_t;

int producer_client_open(producer_client_t *pc, const bench_ctx_t *ctx, uint32_t stream_idx,
                         uint32_t partitions, char *err, size_t cap);
/* 1: a batch was sent and m filled; 0: nothing to send; -1: error (in err). */
int producer_client_send(producer_client_t *pc, batch_gen_t *g, batch_metrics_t *m, char *err,
                         size_t cap);
void producer_client_close(producer_client_t *pc);

typedef struct consumer_client {
    bool high_level, group, e2e_latency;
    iggy_client_t *client;
    char stream_name[32];
    iggy_identifier_t stream, topic;
    iggy_consumer_ref_t ref;
    iggy_polling_strategy_t strategy;
    bool auto_commit;
    numparam_t count;
    uint64_t rng;
    iggy_polled_messages_t *batch;
    iggy_consumer_t *consumer;
} consumer_client_t;

/* group_id < 0: a single consumer polling partition 0 by offset (auto-commit off); else a
 * member of that group polling next (auto-commit on). */
int consumer_client_open(consumer_client_t *cc, const bench_ctx_t *ctx, uint32_t consumer_id,
                         int64_t group_id, uint32_t stream_idx, bool e2e_latency, char *err,
                         size_t cap);
/* 1: a non-empty batch and m filled; 0: nothing polled; -1: error (in err). */
int consumer_client_poll(consumer_client_t *cc, batch_metrics_t *m, char *err, size_t cap);
void consumer_client_close(consumer_client_t *cc);

#endif
