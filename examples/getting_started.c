/* Getting started with libiggy: connect, create a stream and a topic, send messages by key,
 * poll them back into a reused batch, and clean up.
 *
 *   getting_started [host:port]   (default: $IGGY_ADDR, else an embedded mock; user iggy/iggy)
 */
#include <stdio.h>
#include <string.h>

#include "example.h"

static int run(const example_server_t *srv)
{
    iggy_conf_t *conf = example_conf(srv);
    iggy_client_t *client;
    char err[256];
    iggy_identifier_t stream = iggy_id_name("getting-started"), topic = iggy_id_name("orders");
    const char *key = "customer-7";
    iggy_partitioning_t by_key = {IGGY_PARTITIONING_MESSAGES_KEY, 0, (const uint8_t *)key,
                                  strlen(key)};
    iggy_send_message_t msgs[3];
    iggy_consumer_ref_t me = {IGGY_CONSUMER_SINGLE, {NULL, 1}};
    iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
    iggy_polled_messages_t *batch = NULL; /* reused by every poll: no allocation per poll */
    uint32_t partition;
    int rc = 1;

    if (!conf)
        return 1;
    if (iggy_client_new(conf, &client, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "client: %s\n", err);
        iggy_conf_destroy(conf);
        return 1;
    }
    iggy_conf_destroy(conf); /* the client keeps its own copy */

    /* The first call connects and logs in (auto-login from the connection string). */
    if (example_check(iggy_create_stream(client, "getting-started", NULL), "create stream") ||
        example_check(iggy_create_topic(client, &stream, "orders", 3, NULL, NULL), "create topic"))
        goto out;

    for (int i = 0; i < 3; i++) {
        static const char *payloads[] = {"created", "paid", "shipped"};
        memset(&msgs[i], 0, sizeof msgs[i]); /* id 0: the library mints a UUID */
        msgs[i].payload = payloads[i];
        msgs[i].payload_len = (uint32_t)strlen(payloads[i]);
    }
    if (example_check(iggy_send_messages(client, &stream, &topic, &by_key, msgs, 3, NULL, NULL),
                      "send"))
        goto cleanup;

    /* The key always maps to the same partition, in every official SDK too. */
    partition = iggy_partition_for_key((const uint8_t *)key, strlen(key), 3);
    if (example_check(iggy_poll_messages_into(client, &me, &stream, &topic, &partition, &first, 100,
                                              true, NULL, &batch),
                      "poll"))
        goto cleanup;
    printf("partition %u holds %zu messages for %s:\n", partition, batch->count, key);
    for (size_t i = 0; i < batch->count; i++)
        printf("  offset %llu: %.*s\n", (unsigned long long)batch->messages[i].offset,
               (int)batch->messages[i].payload_len, (const char *)batch->messages[i].payload);
    rc = batch->count == 3 ? 0 : 1;

cleanup:
    if (example_check(iggy_delete_stream(client, &stream), "delete stream"))
        rc = 1;
out:
    iggy_result_destroy(batch);
    iggy_client_destroy(client);
    return rc;
}

int main(int argc, char **argv)
{
    return example_main(argc, argv, run);
}
