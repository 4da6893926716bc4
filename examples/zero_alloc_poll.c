/* The zero-allocation poll loop: iggy_poll_messages_into() reuses the caller's batch, so once
 * the batch and the client's buffer pool have grown to the traffic, a poll allocates nothing.
 * An allocator hook (iggy_set_allocator) counts the library's allocations on this thread to
 * show it: the count per poll stays flat (0 with the buffer pool, the default build).
 * iggy_poll_messages(), for comparison, returns a new block each time.
 *
 *   zero_alloc_poll [host:port]   (default: $IGGY_ADDR, else an embedded mock; user iggy/iggy)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "example.h"

#define MESSAGES 1000
#define PER_POLL 100
#define WARMUP 3
#define ROUNDS 20

/* Counted on the polling thread only: the embedded mock's threads allocate through the same
 * hook (it is built on libiggy) and must not blur the figure. */
static _Thread_local int t_counting;
static _Thread_local size_t t_allocs;

static void *count_malloc(size_t n)
{
    t_allocs += t_counting;
    return malloc(n);
}

static void *count_calloc(size_t a, size_t b)
{
    t_allocs += t_counting;
    return calloc(a, b);
}

static void *count_realloc(void *p, size_t n)
{
    t_allocs += t_counting;
    return realloc(p, n);
}

static int fill(iggy_client_t *client, const iggy_identifier_t *stream,
                const iggy_identifier_t *topic)
{
    iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    static char text[PER_POLL][32];
    iggy_send_message_t msgs[PER_POLL];
    for (int i = 0; i < MESSAGES; i += PER_POLL) {
        for (int k = 0; k < PER_POLL; k++) {
            memset(&msgs[k], 0, sizeof msgs[k]);
            msgs[k].payload = text[k];
            msgs[k].payload_len = (uint32_t)snprintf(text[k], sizeof text[k], "tick %d", i + k);
        }
        if (example_check(
                iggy_send_messages(client, stream, topic, &p0, msgs, PER_POLL, NULL, NULL), "send"))
            return 1;
    }
    return 0;
}

static int run(const example_server_t *srv)
{
    iggy_conf_t *conf = example_conf(srv);
    char err[256];
    iggy_client_t *client;
    iggy_identifier_t stream = iggy_id_name("zero-alloc-example"), topic = iggy_id_name("ticks");
    iggy_consumer_ref_t me = {IGGY_CONSUMER_SINGLE, {NULL, 1}};
    uint32_t p0 = 0;
    iggy_polled_messages_t *batch = NULL; /* the one batch every poll reuses */
    size_t per_poll[ROUNDS], fresh = 0;
    uint64_t offset = 0, read = 0;
    int rc = 1;

    if (!conf)
        return 1;
    if (iggy_client_new(conf, &client, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "client: %s\n", err);
        iggy_conf_destroy(conf);
        return 1;
    }
    iggy_conf_destroy(conf);
    if (example_check(iggy_create_stream(client, "zero-alloc-example", NULL), "create stream") ||
        example_check(iggy_create_topic(client, &stream, "ticks", 1, NULL, NULL), "create topic") ||
        fill(client, &stream, &topic))
        goto out;

    /* The loop: read the partition PER_POLL messages at a time, from offset 0, round and round.
     * The first polls grow the batch and the pool; after them the count must not move. */
    for (int round = 0; round < WARMUP + ROUNDS; round++) {
        iggy_polling_strategy_t from = {IGGY_POLL_OFFSET, offset};
        iggy_err_t e;
        t_allocs = 0;
        t_counting = 1;
        e = iggy_poll_messages_into(client, &me, &stream, &topic, &p0, &from, PER_POLL, false, NULL,
                                    &batch);
        t_counting = 0;
        if (example_check(e, "poll"))
            goto out;
        if (round >= WARMUP)
            per_poll[round - WARMUP] = t_allocs;
        read += batch->count;
        offset = (offset + batch->count) % MESSAGES; /* back to the start at the end */
    }

    /* For comparison: the allocating variant makes a new result block per call. */
    {
        iggy_polling_strategy_t from = {IGGY_POLL_OFFSET, 0};
        iggy_polled_messages_t *block = NULL;
        iggy_err_t e;
        t_allocs = 0;
        t_counting = 1;
        e = iggy_poll_messages(client, &me, &stream, &topic, &p0, &from, PER_POLL, false, NULL,
                               &block);
        t_counting = 0;
        fresh = t_allocs;
        iggy_result_destroy(block);
        if (example_check(e, "poll (allocating)"))
            goto out;
    }

    {
        size_t lo = per_poll[0], hi = per_poll[0];
        for (int i = 1; i < ROUNDS; i++) {
            lo = per_poll[i] < lo ? per_poll[i] : lo;
            hi = per_poll[i] > hi ? per_poll[i] : hi;
        }
        printf("read %llu messages in %d polls of %d\n", (unsigned long long)read, WARMUP + ROUNDS,
               PER_POLL);
        printf("allocations per poll_into after %d warm-up polls: min %zu, max %zu (%s)\n", WARMUP,
               lo, hi, lo == hi ? "flat" : "NOT flat");
        printf("allocations of one iggy_poll_messages: %zu\n", fresh);
        rc = lo == hi && read == (uint64_t)(WARMUP + ROUNDS) * PER_POLL ? 0 : 1;
    }
out:
    iggy_result_destroy(batch);
    if (example_check(iggy_delete_stream(client, &stream), "delete stream"))
        rc = 1;
    iggy_client_destroy(client);
    return rc;
}

int main(int argc, char **argv)
{
    /* Set once, before any other libiggy call (the mock's start included). */
    static const iggy_allocator_t counting = {count_malloc, count_calloc, count_realloc, free};
    example_server_t srv;
    int rc;
    if (iggy_set_allocator(&counting) != 0) {
        fprintf(stderr, "iggy_set_allocator refused the hooks\n");
        return 1;
    }
    if (example_server_start(&srv, argc, argv, "IGGY_ADDR", NULL, NULL))
        return 1;
    rc = run(&srv);
    example_server_stop(&srv);
    return rc;
}
