/* A consumer group with rebalance callbacks: two members share a topic's four partitions.
 * The first member starts alone and owns them all; when the second joins, the server moves
 * some partitions to it and the callbacks say which. Each member is a connection of its own
 * (the client's `connections` setting), so one client can hold both.
 *
 *   consumer_group [host:port]   (default: $IGGY_ADDR, else an embedded mock; user iggy/iggy)
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "example.h"

#define PARTITIONS 4
#define MESSAGES 4000

typedef struct member {
    const char *name;
    size_t read;
    int assigned, revoked; /* callbacks seen */
} member_t;

/* Runs on the thread that polls this consumer, before the first read of new partitions and
 * after the last read of lost ones (which may still be committed here). */
static void on_rebalance(iggy_consumer_t *consumer, iggy_rebalance_event_t event,
                         const uint32_t *partitions, size_t count, void *opaque)
{
    member_t *m = opaque;
    printf("%s: %s", m->name, event == IGGY_REBALANCE_ASSIGNED ? "assigned" : "revoked ");
    for (size_t i = 0; i < count; i++)
        printf(" %u", partitions[i]);
    printf("\n");
    if (event == IGGY_REBALANCE_ASSIGNED) {
        m->assigned++;
    } else {
        m->revoked++;
        /* What was read from them stays read; a failure is logged and the next owner reads
         * those messages again (at least once). */
        if (iggy_consumer_commit(consumer) != IGGY_OK)
            fprintf(stderr, "%s: commit on revoke: %s\n", m->name, iggy_last_error_detail());
    }
}

static iggy_consumer_t *join(iggy_client_t *client, const iggy_conf_t *conf, member_t *m)
{
    iggy_identifier_t stream = iggy_id_name("group-example"), topic = iggy_id_name("jobs");
    iggy_conf_t *mine;
    iggy_consumer_t *consumer = NULL;
    char err[256];
    /* Each member gets its own copy of the conf, with its own callback argument. */
    if (example_check(iggy_conf_dup(conf, &mine), "conf"))
        return NULL;
    iggy_conf_set_rebalance_cb(mine, on_rebalance, m);
    if (iggy_consumer_new(client, mine, &stream, &topic, NULL, &consumer, err, sizeof err) !=
        IGGY_OK)
        fprintf(stderr, "%s cannot join: %s\n", m->name, err);
    iggy_conf_destroy(mine);
    return consumer;
}

/* Polls one member once (up to 100 ms); returns the messages read, or -1 on an error. */
static long poll_member(iggy_consumer_t *c, member_t *m, iggy_polled_messages_t **batch)
{
    if (example_check(iggy_consumer_poll(c, 100, batch), m->name))
        return -1;
    m->read += (*batch)->count;
    return (long)(*batch)->count;
}

static int produce_jobs(iggy_client_t *client)
{
    iggy_identifier_t stream = iggy_id_name("group-example"), topic = iggy_id_name("jobs");
    for (int i = 0; i < MESSAGES; i += 100) {
        iggy_send_message_t msgs[100];
        char text[100][24];
        for (int k = 0; k < 100; k++) {
            int n = snprintf(text[k], sizeof text[k], "job %d", i + k);
            memset(&msgs[k], 0, sizeof msgs[k]);
            msgs[k].payload = (const uint8_t *)text[k];
            msgs[k].payload_len = (uint32_t)n;
        }
        /* NULL partitioning: balanced over the partitions. */
        if (example_check(iggy_send_messages(client, &stream, &topic, NULL, msgs, 100, NULL, NULL),
                          "send"))
            return 1;
    }
    return 0;
}

static int run(const example_server_t *srv)
{
    iggy_conf_t *conf = example_conf(srv);
    char err[256];
    iggy_client_t *client;
    iggy_identifier_t stream = iggy_id_name("group-example");
    iggy_polled_messages_t *batch = NULL;
    member_t first = {"first ", 0, 0, 0}, second = {"second", 0, 0, 0};
    iggy_consumer_t *a = NULL, *b = NULL;
    size_t total = 0;
    int idle = 0, rc = 1;

    if (!conf)
        return 1;
    if (iggy_conf_set(conf, "connections", "2", err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "consumer.group", "workers", err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "consumer.batch.length", "250", err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "consumer.sync.interval.ms", "200", err, sizeof err) != IGGY_OK ||
        iggy_client_new(conf, &client, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "%s\n", err);
        iggy_conf_destroy(conf);
        return 1;
    }

    /* A fresh topic with MESSAGES jobs spread over its partitions. */
    (void)iggy_delete_stream(client, &stream); /* left over from an earlier run, if any */
    if (example_check(iggy_create_stream(client, "group-example", NULL), "create stream") ||
        example_check(iggy_create_topic(client, &stream, "jobs", PARTITIONS, NULL, NULL),
                      "create topic") ||
        produce_jobs(client))
        goto out;

    if (!(a = join(client, conf, &first)))
        goto out;
    /* Both poll from this one thread in turn here; a real application would give each its
     * own thread (a consumer is used by one thread at a time). */
    while (idle < 10) {
        long got_a, got_b = 0;
        if ((got_a = poll_member(a, &first, &batch)) < 0)
            goto out;
        if (!b && total >= MESSAGES / 4 && !(b = join(client, conf, &second)))
            goto out; /* the server moves partitions to the second member */
        if (b && (got_b = poll_member(b, &second, &batch)) < 0)
            goto out;
        total += (size_t)(got_a + got_b);
        idle = got_a + got_b ? 0 : idle + 1;
    }
    {
        /* Close commits, says REVOKED and leaves the group (and frees, even on an error). */
        iggy_err_t closed_a = iggy_consumer_close(a), closed_b = iggy_consumer_close(b);
        a = b = NULL;
        if (example_check(closed_a, "close first") || example_check(closed_b, "close second"))
            goto out;
    }
    printf("read %zu jobs (first %zu, second %zu)\n", total, first.read, second.read);
    /* At least once: a job is read again only if its member went away before committing. */
    rc = total >= MESSAGES && second.read > 0 && second.assigned > 0 && first.revoked > 0 ? 0 : 1;

out:
    (void)iggy_consumer_close(a);
    (void)iggy_consumer_close(b);
    iggy_result_destroy(batch);
    if (example_check(iggy_delete_stream(client, &stream), "delete stream"))
        rc = 1;
    iggy_client_destroy(client);
    iggy_conf_destroy(conf);
    return rc;
}

int main(int argc, char **argv)
{
    return example_main(argc, argv, run);
}
