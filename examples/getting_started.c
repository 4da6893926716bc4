/* Getting started with libiggy: connect, create a stream and a topic, send messages by key,
 * poll them back into a reused batch, and clean up.
 *
 *   getting_started [host:port]      (default: $IGGY_ADDR, else 127.0.0.1:8090; user iggy/iggy)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iggy/iggy.h>

static int check(iggy_err_t err, const char *what)
{
    if (err == IGGY_OK)
        return 0;
    fprintf(stderr, "%s: %s (%s): %s\n", what, iggy_err2str(err), iggy_err2name(err),
            iggy_last_error_detail());
    return 1;
}

int main(int argc, char **argv)
{
    const char *addr = argc > 1 ? argv[1] : getenv("IGGY_ADDR");
    char url[512], err[256];
    iggy_conf_t *conf;
    iggy_client_t *client;
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

    snprintf(url, sizeof url, "iggy://iggy:iggy@%s", addr && *addr ? addr : "127.0.0.1:8090");
    iggy_conf_new(&conf);
    if (iggy_conf_set_connection_string(conf, url, err, sizeof err) != IGGY_OK ||
        iggy_client_new(conf, &client, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "%s\n", err);
        iggy_conf_destroy(conf);
        return 1;
    }
    iggy_conf_destroy(conf); /* the client keeps its own copy */

    /* The first call connects and logs in (auto-login from the connection string). */
    if (check(iggy_create_stream(client, "getting-started", NULL), "create stream") ||
        check(iggy_create_topic(client, &stream, "orders", 3, NULL, NULL), "create topic"))
        goto out;

    for (int i = 0; i < 3; i++) {
        static const char *payloads[] = {"created", "paid", "shipped"};
        memset(&msgs[i], 0, sizeof msgs[i]); /* id 0: the library mints a UUID */
        msgs[i].payload = payloads[i];
        msgs[i].payload_len = (uint32_t)strlen(payloads[i]);
    }
    if (check(iggy_send_messages(client, &stream, &topic, &by_key, msgs, 3, NULL, NULL), "send"))
        goto cleanup;

    /* The key always maps to the same partition, in every official SDK too. */
    partition = iggy_partition_for_key((const uint8_t *)key, strlen(key), 3);
    if (check(iggy_poll_messages_into(client, &me, &stream, &topic, &partition, &first, 100, true,
                                      NULL, &batch),
              "poll"))
        goto cleanup;
    printf("partition %u holds %zu messages for %s:\n", partition, batch->count, key);
    for (size_t i = 0; i < batch->count; i++)
        printf("  offset %llu: %.*s\n", (unsigned long long)batch->messages[i].offset,
               (int)batch->messages[i].payload_len, (const char *)batch->messages[i].payload);
    rc = batch->count == 3 ? 0 : 1;

cleanup:
    check(iggy_delete_stream(client, &stream), "delete stream");
out:
    iggy_result_destroy(batch);
    iggy_client_destroy(client);
    return rc;
}
