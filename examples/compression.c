/* Client-side payload compression: the sender compresses each payload (zstd, snappy or lz4)
 * and marks it with the user header "iggy-compression"; a consumer inflates marked payloads
 * on its own. Payloads shorter than compression_min_bytes travel raw, marked "none".
 *
 *   compression [host:port]   (default: $IGGY_ADDR, else an embedded mock; user iggy/iggy)
 */
#include <stdio.h>
#include <string.h>

#include "example.h"

#define CODECS 3
#define SIZE 8192

/* The value of the message's iggy-compression header, or "(no header)". */
static const char *codec_header(const iggy_message_t *m, char *buf, size_t cap)
{
    for (size_t i = 0; i < m->headers.count; i++) {
        const iggy_kv_t *h = &m->headers.entries[i];
        if (h->key_len == strlen(IGGY_COMPRESSION_HEADER_KEY) &&
            !memcmp(h->key, IGGY_COMPRESSION_HEADER_KEY, h->key_len)) {
            snprintf(buf, cap, "%.*s", (int)h->value_len, (const char *)h->value);
            return buf;
        }
    }
    return "(no header)";
}

static int run(const example_server_t *srv)
{
    static const iggy_compression_codec_t codecs[CODECS] = {
        IGGY_COMPRESSION_CODEC_ZSTD, IGGY_COMPRESSION_CODEC_SNAPPY, IGGY_COMPRESSION_CODEC_LZ4};
    iggy_conf_t *conf = example_conf(srv);
    char err[256], text[SIZE], name[32];
    iggy_client_t *client;
    iggy_identifier_t stream = iggy_id_name("compression-example"), topic = iggy_id_name("logs");
    iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    iggy_consumer_ref_t me = {IGGY_CONSUMER_SINGLE, {NULL, 1}};
    iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
    iggy_polled_messages_t *stored = NULL, *inflated = NULL;
    iggy_poll_opts_t as_stored;
    iggy_send_message_t msgs[2];
    int rc = 1;

    if (!conf)
        return 1;
    if (iggy_client_new(conf, &client, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "client: %s\n", err);
        iggy_conf_destroy(conf);
        return 1;
    }
    iggy_conf_destroy(conf);
    if (example_check(iggy_create_stream(client, "compression-example", NULL), "create stream") ||
        example_check(iggy_create_topic(client, &stream, "logs", 1, NULL, NULL), "create topic"))
        goto out;

    /* A repetitive 8 KiB log text (compresses well) and a short one (stays raw). */
    for (size_t i = 0; i < SIZE; i++)
        text[i] = "GET /index.html 200\n"[i % 20];
    memset(msgs, 0, sizeof msgs);
    msgs[0].payload = text;
    msgs[0].payload_len = SIZE;
    msgs[1].payload = "ok";
    msgs[1].payload_len = 2;
    for (int c = 0; c < CODECS; c++) {
        iggy_send_opts_t opts;
        memset(&opts, 0, sizeof opts);
        opts.compression = codecs[c];
        opts.compression_min_bytes = 64; /* smaller payloads are not worth compressing */
        if (example_check(iggy_send_messages(client, &stream, &topic, &p0, msgs, 2, &opts, NULL),
                          "send"))
            goto out;
    }

    /* Poll twice: once leaving payloads as stored (no_decompress), once as the consumer sees
     * them (inflated, the default). */
    memset(&as_stored, 0, sizeof as_stored);
    as_stored.no_decompress = true;
    if (example_check(iggy_poll_messages(client, &me, &stream, &topic, &p0.partition_id, &first,
                                         100, false, &as_stored, &stored),
                      "poll as stored") ||
        example_check(iggy_poll_messages(client, &me, &stream, &topic, &p0.partition_id, &first,
                                         100, false, NULL, &inflated),
                      "poll"))
        goto out;
    if (stored->count != 2 * CODECS || inflated->count != 2 * CODECS) {
        fprintf(stderr, "expected %d messages, polled %zu and %zu\n", 2 * CODECS, stored->count,
                inflated->count);
        goto out;
    }
    rc = 0;
    for (size_t i = 0; i < inflated->count; i++) {
        const iggy_message_t *s = &stored->messages[i], *m = &inflated->messages[i];
        const void *want = i % 2 ? "ok" : text;
        uint32_t want_len = i % 2 ? 2 : SIZE;
        int same = m->error == IGGY_OK && m->payload_len == want_len &&
                   !memcmp(m->payload, want, want_len);
        printf("offset %llu: %s, %u bytes stored, %u bytes read back, %s\n",
               (unsigned long long)m->offset, codec_header(s, name, sizeof name), s->payload_len,
               m->payload_len, same ? "identical" : "DIFFERENT");
        if (!same)
            rc = 1;
    }
out:
    iggy_result_destroy(stored);
    iggy_result_destroy(inflated);
    if (example_check(iggy_delete_stream(client, &stream), "delete stream"))
        rc = 1;
    iggy_client_destroy(client);
    return rc;
}

int main(int argc, char **argv)
{
    return example_main(argc, argv, run);
}
