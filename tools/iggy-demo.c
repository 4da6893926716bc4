/* The libiggy demo: start the bundled mock server unless IGGY_ADDR points at a real one,
 * create a stream and a topic, produce 10 000 messages, consume them back, and prove that
 * what was consumed equals what was sent.
 *
 *   iggy-demo [-n MESSAGES] [-b BATCH] [-s PAYLOAD_BYTES]
 *   IGGY_ADDR=host:port IGGY_USERNAME=iggy IGGY_PASSWORD=iggy iggy-demo
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#include <iggy/iggy.h>
#include <iggy/mock.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what, iggy_err_t err)
{
    fprintf(stderr, "iggy-demo: %s: %s (%s, %d): %s\n", what, iggy_err2str(err), iggy_err2name(err),
            (int)err, iggy_last_error_detail());
    return 1;
}

/* Deterministic payload i: "message <i> " then filler up to size bytes. */
static size_t make_payload(uint8_t *buf, size_t size, uint64_t i)
{
    int n = snprintf((char *)buf, size, "message %llu ", (unsigned long long)i);
    size_t len = n > 0 && (size_t)n < size ? (size_t)n : size;
    for (size_t k = len; k < size; k++)
        buf[k] = (uint8_t)('a' + (i + k) % 26);
    return size > len ? size : len;
}

int main(int argc, char **argv)
{
    size_t total = 10000, batch = 1000, size = 100, produced = 0, consumed = 0;
    const char *addr = getenv("IGGY_ADDR");
    const char *user = getenv("IGGY_USERNAME"), *pass = getenv("IGGY_PASSWORD");
    iggy_mock_t *mock = NULL;
    iggy_conf_t *conf = NULL;
    iggy_client_t *client = NULL;
    iggy_send_message_t *msgs;
    uint8_t *payloads;
    XXH3_state_t *sent_hash = XXH3_createState(), *got_hash = XXH3_createState();
    char stream_name[64], err_text[256];
    iggy_identifier_t stream, topic = iggy_id_name("events");
    iggy_polled_messages_t *polled = NULL;
    iggy_consumer_ref_t consumer = {IGGY_CONSUMER_SINGLE, {NULL, 1}};
    uint32_t partition = 0;
    double t0, t1, t2;
    int opt, rc = 1;
    iggy_err_t err;

    while ((opt = getopt(argc, argv, "n:b:s:h")) != -1) {
        switch (opt) {
        case 'n':
            total = strtoul(optarg, NULL, 10);
            break;
        case 'b':
            batch = strtoul(optarg, NULL, 10);
            break;
        case 's':
            size = strtoul(optarg, NULL, 10);
            break;
        default:
            fprintf(stderr, "usage: %s [-n MESSAGES] [-b BATCH] [-s PAYLOAD_BYTES]\n", argv[0]);
            return 2;
        }
    }
    if (!total || !batch || size < 16) {
        fprintf(stderr, "iggy-demo: -n and -b must be > 0 and -s >= 16\n");
        return 2;
    }
    if (!user || !*user)
        user = "iggy";
    if (!pass || !*pass)
        pass = "iggy";

    if (!addr || !*addr) {
        iggy_mock_opts_t mo;
        memset(&mo, 0, sizeof mo);
        mo.username = user;
        mo.password = pass;
        if ((err = iggy_mock_new(&mo, &mock)) != IGGY_OK)
            return fail("start the mock server", err);
        addr = iggy_mock_address(mock, 0);
        printf("server:    bundled mock server on %s (set IGGY_ADDR to use a real one)\n", addr);
    } else {
        printf("server:    %s\n", addr);
    }

    iggy_conf_new(&conf);
    if (iggy_conf_set(conf, "bootstrap.servers", addr, err_text, sizeof err_text) != IGGY_OK ||
        iggy_conf_set(conf, "username", user, err_text, sizeof err_text) != IGGY_OK ||
        iggy_conf_set(conf, "password", pass, err_text, sizeof err_text) != IGGY_OK) {
        fprintf(stderr, "iggy-demo: %s\n", err_text);
        goto out;
    }
    if ((err = iggy_client_new(conf, &client, err_text, sizeof err_text)) != IGGY_OK) {
        fail("create the client", err);
        goto out;
    }
    if ((err = iggy_client_connect(client)) != IGGY_OK) {
        fail("connect and log in", err);
        goto out;
    }

    snprintf(stream_name, sizeof stream_name, "demo-%ld", (long)time(NULL));
    stream = iggy_id_name(stream_name);
    if ((err = iggy_create_stream(client, stream_name, NULL)) != IGGY_OK) {
        fail("create stream", err);
        goto out;
    }
    if ((err = iggy_create_topic(client, &stream, "events", 1, NULL, NULL)) != IGGY_OK) {
        fail("create topic", err);
        goto out;
    }
    printf("created:   stream \"%s\", topic \"events\" (1 partition)\n", stream_name);

    msgs = calloc(batch, sizeof *msgs);
    payloads = malloc(batch * size);
    XXH3_64bits_reset(sent_hash);
    XXH3_64bits_reset(got_hash);

    /* Produce. */
    t0 = now_s();
    while (produced < total) {
        size_t n = total - produced < batch ? total - produced : batch;
        iggy_partitioning_t where = {IGGY_PARTITIONING_PARTITION_ID, partition, NULL, 0};
        for (size_t i = 0; i < n; i++) {
            uint8_t *p = payloads + i * size;
            size_t len = make_payload(p, size, produced + i);
            memset(&msgs[i], 0, sizeof msgs[i]);
            msgs[i].payload = p;
            msgs[i].payload_len = (uint32_t)len;
            XXH3_64bits_update(sent_hash, p, len);
        }
        if ((err = iggy_send_messages(client, &stream, &topic, &where, msgs, n, NULL, NULL)) !=
            IGGY_OK) {
            fail("send messages", err);
            goto out_free;
        }
        produced += n;
    }
    t1 = now_s();

    /* Consume everything back, from offset 0, into one reused batch. */
    while (consumed < produced) {
        iggy_polling_strategy_t from = {IGGY_POLL_OFFSET, consumed};
        if ((err = iggy_poll_messages_into(client, &consumer, &stream, &topic, &partition, &from,
                                           (uint32_t)batch, false, NULL, &polled)) != IGGY_OK) {
            fail("poll messages", err);
            goto out_free;
        }
        if (polled->count == 0) {
            fprintf(stderr, "iggy-demo: poll returned no messages at offset %zu of %zu\n", consumed,
                    produced);
            goto out_free;
        }
        for (size_t i = 0; i < polled->count; i++) {
            const iggy_message_t *m = &polled->messages[i];
            if (m->offset != consumed) {
                fprintf(stderr, "iggy-demo: expected offset %zu, got %llu\n", consumed,
                        (unsigned long long)m->offset);
                goto out_free;
            }
            XXH3_64bits_update(got_hash, m->payload, m->payload_len);
            consumed++;
        }
    }
    t2 = now_s();

    {
        uint64_t sent = XXH3_64bits_digest(sent_hash), got = XXH3_64bits_digest(got_hash);
        double mb = (double)(produced * size) / 1e6;
        printf("produced:  %zu messages of %zu bytes in %.3f s (%.0f msg/s, %.1f MB/s)\n", produced,
               size, t1 - t0, produced / (t1 - t0), mb / (t1 - t0));
        printf("consumed:  %zu messages in %.3f s (%.0f msg/s, %.1f MB/s)\n", consumed, t2 - t1,
               consumed / (t2 - t1), mb / (t2 - t1));
        printf("digest:    sent %016llx, consumed %016llx: %s\n", (unsigned long long)sent,
               (unsigned long long)got, sent == got ? "IDENTICAL" : "DIFFERENT");
        rc = sent == got && consumed == produced ? 0 : 1;
    }
    iggy_delete_stream(client, &stream);

out_free:
    free(msgs);
    free(payloads);
out:
    iggy_result_destroy(polled);
    iggy_client_destroy(client);
    iggy_conf_destroy(conf);
    iggy_mock_destroy(mock);
    XXH3_freeState(sent_hash);
    XXH3_freeState(got_hash);
    return rc;
}
