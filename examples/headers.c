/* Typed user headers: one message carries a header of every kind the protocol has, and the
 * consumer decodes each by its kind. Values travel as little-endian bytes; keys are strings.
 *
 *   headers [host:port]   (default: $IGGY_ADDR, else an embedded mock; user iggy/iggy)
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "example.h"

#define KINDS 15

/* Little-endian bytes of an unsigned value (n bytes; the 128-bit kinds take two halves). */
static void put_le(uint8_t *out, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(v >> (8 * (i % 8)));
}

static uint64_t get_le(const uint8_t *in, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 8; i++)
        v |= (uint64_t)in[i] << (8 * i);
    return v;
}

static iggy_kv_t header(const char *key, iggy_kv_kind_t kind, const void *value, uint32_t len)
{
    iggy_kv_t h;
    h.key_kind = IGGY_KV_STRING; /* string keys: what every SDK reads back by name */
    h.value_kind = (uint8_t)kind;
    h.key = (const uint8_t *)key;
    h.key_len = (uint32_t)strlen(key);
    h.value = value;
    h.value_len = len;
    return h;
}

/* Print one polled header as its kind says. */
static void print_header(const iggy_kv_t *h)
{
    const uint8_t *v = h->value;
    uint64_t u = get_le(v, h->value_len);
    printf("  %.*s = ", (int)h->key_len, (const char *)h->key);
    switch (h->value_kind) {
    case IGGY_KV_RAW:
        for (uint32_t i = 0; i < h->value_len; i++)
            printf("%02x", v[i]);
        break;
    case IGGY_KV_STRING:
        printf("\"%.*s\"", (int)h->value_len, (const char *)v);
        break;
    case IGGY_KV_BOOL:
        printf("%s", v[0] ? "true" : "false");
        break;
    case IGGY_KV_INT8:
        printf("%d", (int8_t)v[0]);
        break;
    case IGGY_KV_INT16:
        printf("%d", (int16_t)u);
        break;
    case IGGY_KV_INT32:
        printf("%" PRId32, (int32_t)u);
        break;
    case IGGY_KV_INT64:
        printf("%" PRId64, (int64_t)u);
        break;
    case IGGY_KV_UINT8:
    case IGGY_KV_UINT16:
    case IGGY_KV_UINT32:
    case IGGY_KV_UINT64:
        printf("%" PRIu64, u);
        break;
    case IGGY_KV_INT128:
    case IGGY_KV_UINT128: /* two 64-bit halves, low first */
        printf("0x%016" PRIx64 "%016" PRIx64, get_le(v + 8, 8), u);
        break;
    case IGGY_KV_FLOAT32: {
        float f;
        uint32_t bits = (uint32_t)u;
        memcpy(&f, &bits, sizeof f);
        printf("%g", (double)f);
        break;
    }
    case IGGY_KV_FLOAT64: {
        double d;
        memcpy(&d, &u, sizeof d);
        printf("%g", d);
        break;
    }
    default:
        printf("(kind %u, %u bytes)", h->value_kind, h->value_len);
    }
    printf("\n");
}

static int run(const example_server_t *srv)
{
    iggy_conf_t *conf = example_conf(srv);
    char err[256];
    iggy_client_t *client;
    iggy_identifier_t stream = iggy_id_name("headers-example"), topic = iggy_id_name("events");
    iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    iggy_consumer_ref_t me = {IGGY_CONSUMER_SINGLE, {NULL, 1}};
    iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
    iggy_polled_messages_t *batch = NULL;
    uint8_t raw[3] = {0xca, 0xfe, 0x01}, yes = 1, i8 = (uint8_t)-5, u8 = 200;
    uint8_t i16[2], i32[4], i64[8], u16[2], u32[4], u64[8], i128[16], u128[16], f32[4], f64[8];
    float pi32 = 3.25f;
    double e64 = -0.5;
    uint32_t f32_bits;
    uint64_t f64_bits;
    iggy_kv_t h[KINDS];
    iggy_send_message_t msg;
    int rc = 1;

    if (!conf)
        return 1;
    if (iggy_client_new(conf, &client, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "client: %s\n", err);
        iggy_conf_destroy(conf);
        return 1;
    }
    iggy_conf_destroy(conf);

    put_le(i16, (uint64_t)(int64_t)-300, 2);
    put_le(i32, (uint64_t)(int64_t)-70000, 4);
    put_le(i64, (uint64_t)INT64_MIN, 8);
    put_le(u16, 65535, 2);
    put_le(u32, 4000000000u, 4);
    put_le(u64, UINT64_MAX, 8);
    put_le(i128, (uint64_t)-1, 16); /* -1: every byte 0xff */
    put_le(u128, 1, 8);             /* 2^64 + 1: low half 1, high half 1 */
    put_le(u128 + 8, 1, 8);
    memcpy(&f32_bits, &pi32, sizeof f32_bits);
    put_le(f32, f32_bits, 4);
    memcpy(&f64_bits, &e64, sizeof f64_bits);
    put_le(f64, f64_bits, 8);
    h[0] = header("raw", IGGY_KV_RAW, raw, sizeof raw);
    h[1] = header("string", IGGY_KV_STRING, "héllo", (uint32_t)strlen("héllo"));
    h[2] = header("bool", IGGY_KV_BOOL, &yes, 1);
    h[3] = header("int8", IGGY_KV_INT8, &i8, 1);
    h[4] = header("int16", IGGY_KV_INT16, i16, 2);
    h[5] = header("int32", IGGY_KV_INT32, i32, 4);
    h[6] = header("int64", IGGY_KV_INT64, i64, 8);
    h[7] = header("int128", IGGY_KV_INT128, i128, 16);
    h[8] = header("uint8", IGGY_KV_UINT8, &u8, 1);
    h[9] = header("uint16", IGGY_KV_UINT16, u16, 2);
    h[10] = header("uint32", IGGY_KV_UINT32, u32, 4);
    h[11] = header("uint64", IGGY_KV_UINT64, u64, 8);
    h[12] = header("uint128", IGGY_KV_UINT128, u128, 16);
    h[13] = header("float32", IGGY_KV_FLOAT32, f32, 4);
    h[14] = header("float64", IGGY_KV_FLOAT64, f64, 8);

    memset(&msg, 0, sizeof msg);
    msg.payload = "order 1";
    msg.payload_len = 7;
    msg.headers = h;
    msg.headers_count = KINDS;
    if (example_check(iggy_create_stream(client, "headers-example", NULL), "create stream") ||
        example_check(iggy_create_topic(client, &stream, "events", 1, NULL, NULL),
                      "create topic") ||
        example_check(iggy_send_messages(client, &stream, &topic, &p0, &msg, 1, NULL, NULL),
                      "send") ||
        example_check(iggy_poll_messages_into(client, &me, &stream, &topic, &p0.partition_id,
                                              &first, 10, false, NULL, &batch),
                      "poll"))
        goto out;
    if (batch->count != 1) {
        fprintf(stderr, "expected 1 message, polled %zu\n", batch->count);
        goto out;
    }
    /* The library parses the headers block into typed entries (raw_headers keeps the bytes). */
    printf("message %.*s has %zu headers:\n", (int)batch->messages[0].payload_len,
           (const char *)batch->messages[0].payload, batch->messages[0].headers.count);
    for (size_t i = 0; i < batch->messages[0].headers.count; i++)
        print_header(&batch->messages[0].headers.entries[i]);
    rc = batch->messages[0].headers.count == KINDS ? 0 : 1;
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
