/* End-to-end encryption: the sender seals each payload (and its user headers) with
 * AES-256-GCM under a 32-byte key, in the Rust SDK's format; the server only ever stores
 * ciphertext. A consumer with the key reads plaintext; one without it reads ciphertext; one
 * with the wrong key gets the message with IGGY_ERR_CANNOT_DECRYPT_DATA in its error field.
 *
 *   encryption [host:port]   (default: $IGGY_ADDR, else an embedded mock; user iggy/iggy)
 */
#include <stdio.h>
#include <string.h>

#include "example.h"

static int poll_with(iggy_client_t *client, const iggy_identifier_t *stream,
                     const iggy_identifier_t *topic, const uint8_t *key, const char *who,
                     iggy_polled_messages_t **batch)
{
    iggy_consumer_ref_t me = {IGGY_CONSUMER_SINGLE, {NULL, 1}};
    iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
    uint32_t p0 = 0;
    iggy_poll_opts_t opts;
    const iggy_message_t *m;
    memset(&opts, 0, sizeof opts);
    opts.encryption_key = key; /* NULL: payloads as stored */
    if (example_check(iggy_poll_messages_into(client, &me, stream, topic, &p0, &first, 10, false,
                                              &opts, batch),
                      "poll"))
        return 1;
    if ((*batch)->count != 1) {
        fprintf(stderr, "%s: expected 1 message, polled %zu\n", who, (*batch)->count);
        return 1;
    }
    m = &(*batch)->messages[0];
    printf("%s: %u bytes, error %s, %s\n", who, m->payload_len, iggy_err2name((iggy_err_t)m->error),
           m->payload_len == 20 && !memcmp(m->payload, "card 4111-1111-1111", 20)
               ? "plaintext \"card 4111-1111-1111\""
               : "not the plaintext");
    return 0;
}

static int run(const example_server_t *srv)
{
    iggy_conf_t *conf = example_conf(srv);
    char err[256];
    iggy_client_t *client;
    iggy_identifier_t stream = iggy_id_name("encryption-example"), topic = iggy_id_name("cards");
    iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    iggy_polled_messages_t *batch = NULL;
    iggy_send_opts_t opts;
    iggy_send_message_t msg;
    uint8_t key[32], wrong[32];
    int rc = 1;

    if (!conf)
        return 1;
    if (iggy_client_new(conf, &client, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "client: %s\n", err);
        iggy_conf_destroy(conf);
        return 1;
    }
    iggy_conf_destroy(conf);

    /* A fixed key for the example; a real one comes from a key store, never from code. */
    for (int i = 0; i < 32; i++) {
        key[i] = (uint8_t)(i * 7 + 1);
        wrong[i] = (uint8_t)(i * 7 + 2);
    }
    memset(&opts, 0, sizeof opts);
    opts.encryption_key = key;
    memset(&msg, 0, sizeof msg);
    msg.payload = "card 4111-1111-1111"; /* 19 characters and the NUL: 20 bytes */
    msg.payload_len = 20;
    if (example_check(iggy_create_stream(client, "encryption-example", NULL), "create stream") ||
        example_check(iggy_create_topic(client, &stream, "cards", 1, NULL, NULL), "create topic") ||
        example_check(iggy_send_messages(client, &stream, &topic, &p0, &msg, 1, &opts, NULL),
                      "send"))
        goto out;

    if (poll_with(client, &stream, &topic, key, "right key", &batch))
        goto out;
    rc = batch->messages[0].error == IGGY_OK && batch->messages[0].payload_len == 20 &&
                 !memcmp(batch->messages[0].payload, msg.payload, 20)
             ? 0
             : 1;
    if (poll_with(client, &stream, &topic, NULL, "no key   ", &batch))
        goto fail;
    if (batch->messages[0].payload_len == 20 &&
        !memcmp(batch->messages[0].payload, msg.payload, 20))
        rc = 1; /* the stored bytes must not be the plaintext */
    if (poll_with(client, &stream, &topic, wrong, "wrong key", &batch))
        goto fail;
    if (batch->messages[0].error != IGGY_ERR_CANNOT_DECRYPT_DATA)
        rc = 1;
    goto out;
fail:
    rc = 1;
out:
    iggy_result_destroy(batch);
    if (example_check(iggy_delete_stream(client, &stream), "delete stream"))
        rc = 1;
    iggy_client_destroy(client);
    return rc;
}

int main(int argc, char **argv)
{
    return example_main(argc, argv, run);
}
