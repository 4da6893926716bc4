/* A single consumer with stored offsets: read part of a topic, commit, stop; a second
 * consumer with the same identity resumes right after the committed offsets.
 *
 *   consumer [host:port]   (default: $IGGY_ADDR, else an embedded mock; user iggy/iggy)
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "example.h"

#define PARTITIONS 2
#define PER_PARTITION 5
#define FIRST_READ 6 /* the first consumer stops after this many messages */

static int produce(iggy_client_t *client, const iggy_identifier_t *stream,
                   const iggy_identifier_t *topic)
{
    for (uint32_t p = 0; p < PARTITIONS; p++) {
        iggy_partitioning_t to_p = {IGGY_PARTITIONING_PARTITION_ID, p, NULL, 0};
        iggy_send_message_t msgs[PER_PARTITION];
        char text[PER_PARTITION][32];
        for (int i = 0; i < PER_PARTITION; i++) {
            memset(&msgs[i], 0, sizeof msgs[i]);
            msgs[i].payload = text[i];
            msgs[i].payload_len = (uint32_t)snprintf(text[i], sizeof text[i], "p%u-m%d", p, i);
        }
        if (example_check(
                iggy_send_messages(client, stream, topic, &to_p, msgs, PER_PARTITION, NULL, NULL),
                "send"))
            return 1;
    }
    return 0;
}

/* Reads up to `limit` messages one at a time (1 s wait each); returns how many, or -1. */
static int consume(iggy_consumer_t *c, const char *who, int limit)
{
    int n = 0;
    while (n < limit) {
        const iggy_message_t *msg;
        uint32_t partition;
        if (example_check(iggy_consumer_next(c, 1000, &msg, &partition), who))
            return -1;
        if (!msg)
            break; /* nothing more within the wait */
        printf("%s: partition %u offset %llu: %.*s\n", who, partition,
               (unsigned long long)msg->offset, (int)msg->payload_len, (const char *)msg->payload);
        n++;
    }
    return n;
}

/* The consumer's own view: what it consumed and stored, and the lag. */
static int show_partitions(iggy_consumer_t *c, const char *who)
{
    iggy_consumer_partition_t parts[PARTITIONS];
    size_t count;
    if (example_check(iggy_consumer_partitions(c, parts, PARTITIONS, &count), "partitions"))
        return 1;
    for (size_t i = 0; i < count && i < PARTITIONS; i++)
        printf("%s: partition %u stored %s%llu lag %llu\n", who, parts[i].partition_id,
               parts[i].has_stored ? "" : "none ", (unsigned long long)parts[i].last_stored,
               (unsigned long long)parts[i].lag);
    return 0;
}

static int run(const example_server_t *srv)
{
    iggy_conf_t *conf = example_conf(srv);
    char err[256];
    iggy_client_t *client;
    iggy_identifier_t stream = iggy_id_name("consumer-example"), topic = iggy_id_name("reports");
    iggy_consumer_ref_t me = {IGGY_CONSUMER_SINGLE, {NULL, 7}};
    iggy_consumer_t *c = NULL;
    iggy_consumer_offset_t *off = NULL;
    int first = 0, second = 0, rc = 1;

    if (!conf)
        return 1;
    /* A single consumer (no consumer.group) with numeric identity 7: the server keys its stored
     * offsets by it. It reads every partition, starting after the stored offset (`next`), and
     * stores offsets only when told to (auto.commit disabled). */
    if (iggy_conf_set(conf, "consumer.id", "7", err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "consumer.start", "next", err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "consumer.auto.commit", "disabled", err, sizeof err) != IGGY_OK ||
        iggy_client_new(conf, &client, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "%s\n", err);
        iggy_conf_destroy(conf);
        return 1;
    }
    iggy_conf_destroy(conf);

    if (example_check(iggy_create_stream(client, "consumer-example", NULL), "create stream") ||
        example_check(iggy_create_topic(client, &stream, "reports", PARTITIONS, NULL, NULL),
                      "create topic") ||
        produce(client, &stream, &topic))
        goto out;

    /* First run: read FIRST_READ messages, commit them, close. */
    if (iggy_consumer_new(client, NULL, &stream, &topic, NULL, &c, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "consumer: %s\n", err);
        goto out;
    }
    if ((first = consume(c, "first ", FIRST_READ)) < 0 ||
        example_check(iggy_consumer_commit(c), "commit") || show_partitions(c, "first "))
        goto out;
    if (example_check(iggy_consumer_close(c), "close")) {
        c = NULL;
        goto out;
    }
    c = NULL;

    /* The offsets are on the server: any client can read them (GetConsumerOffset). */
    for (uint32_t p = 0; p < PARTITIONS; p++) {
        if (example_check(iggy_get_consumer_offset(client, &me, &stream, &topic, &p, &off),
                          "get offset"))
            goto out;
        printf("server: consumer 7 partition %u stored offset %llu of %llu\n", off->partition_id,
               (unsigned long long)off->stored_offset, (unsigned long long)off->current_offset);
    }

    /* Second run, same identity: it resumes after the stored offsets and reads the rest. */
    if (iggy_consumer_new(client, NULL, &stream, &topic, NULL, &c, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "consumer: %s\n", err);
        goto out;
    }
    if ((second = consume(c, "second", PARTITIONS * PER_PARTITION)) < 0)
        goto out;
    printf("first read %d, second read %d of %d messages\n", first, second,
           PARTITIONS * PER_PARTITION);
    rc = first == FIRST_READ && second == PARTITIONS * PER_PARTITION - FIRST_READ ? 0 : 1;

out:
    if (c && example_check(iggy_consumer_close(c), "close"))
        rc = 1;
    iggy_result_destroy(off);
    if (example_check(iggy_delete_stream(client, &stream), "delete stream"))
        rc = 1;
    iggy_client_destroy(client);
    return rc;
}

int main(int argc, char **argv)
{
    return example_main(argc, argv, run);
}
