/* The high-level producer: a background producer batches messages into a topic it creates,
 * and a delivery report callback learns where each message was written (or why not).
 *
 *   producer [host:port]   (default: $IGGY_ADDR, else an embedded mock; user iggy/iggy)
 */
#include <stdint.h>
#include <stdio.h>

#include "example.h"

#define MESSAGES 10000

typedef struct tally {
    long delivered, failed;
    uint64_t last_offset[3];
} tally_t;

/* Runs on the producer's worker thread: keep it short and do not call the producer. The
 * counters are read only after iggy_producer_destroy(), which joins that thread. */
static void on_delivery(const iggy_delivery_report_t *r, void *opaque)
{
    tally_t *t = opaque;
    if (r->err != IGGY_OK) {
        t->failed++;
        return;
    }
    t->delivered++;
    if (r->partition_id < 3)
        t->last_offset[r->partition_id] = r->offset;
}

static int run(const example_server_t *srv)
{
    iggy_conf_t *conf = example_conf(srv);
    char err[256];
    iggy_client_t *client;
    iggy_producer_t *producer;
    iggy_identifier_t stream = iggy_id_name("producer-example"), topic = iggy_id_name("events");
    tally_t tally = {0, 0, {0, 0, 0}};
    int sent = 0;

    if (!conf)
        return 1;
    /* Producer settings live in the client's conf: batch up to 500 messages or 2 ms, and create
     * the stream and topic (3 partitions) when they are missing. */
    if (iggy_conf_set(conf, "producer.batch.length", "500", err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "producer.linger.ms", "2", err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "producer.create.topic", "true", err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "producer.create.topic.partitions", "3", err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "conf: %s\n", err);
        iggy_conf_destroy(conf);
        return 1;
    }
    iggy_conf_set_delivery_report_cb(conf, on_delivery, &tally);
    if (iggy_client_new(conf, &client, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "client: %s\n", err);
        iggy_conf_destroy(conf);
        return 1;
    }
    iggy_conf_destroy(conf);
    if (iggy_producer_new(client, NULL, &stream, &topic, NULL, &producer, err, sizeof err) !=
        IGGY_OK) {
        fprintf(stderr, "producer: %s\n", err);
        iggy_client_destroy(client);
        return 1;
    }

    /* Each send goes to the next partition (balanced) and returns once the message is queued. */
    for (int i = 0; i < MESSAGES; i++) {
        char text[64];
        iggy_send_message_t m = {{0, 0}, 0, text, 0, NULL, 0};
        m.payload_len = (uint32_t)snprintf(text, sizeof text, "event %d", i);
        if (example_check(iggy_producer_send(producer, NULL, &m, 1, NULL), "send"))
            break;
        sent++;
    }
    (void)example_check(iggy_producer_flush(producer, 30000), "flush");
    iggy_producer_destroy(producer); /* the callback has seen every report when this returns */

    printf("producer: %ld delivered, %ld failed; last offsets %llu %llu %llu\n", tally.delivered,
           tally.failed, (unsigned long long)tally.last_offset[0],
           (unsigned long long)tally.last_offset[1], (unsigned long long)tally.last_offset[2]);
    (void)example_check(iggy_delete_stream(client, &stream), "delete stream");
    iggy_client_destroy(client);
    return sent == MESSAGES && tally.delivered == MESSAGES && tally.failed == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    return example_main(argc, argv, run);
}
