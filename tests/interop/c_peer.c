/*
 * Interop peer for libiggy (tests/interop/run_interop.py): produces a described set of
 * messages, consumes and dumps them as JSON, and sends keyed messages, so that traffic
 * can be crossed with the official Go and Python SDKs.
 *
 *   c_peer produce SPEC.txt       send the spec's batches to its partition; prints JSON
 *   c_peer consume SPEC.txt       poll every partition from offset 0; prints JSON
 *   c_peer produce-keys SPEC.txt  one message per key (MessagesKey); prints JSON
 *   c_peer setup SPEC.txt         create the spec's stream (if missing) and topic
 *
 * SPEC.txt is line based (written by run_interop.py):
 *   stream NAME | topic NAME | partitions N | partition P | batch
 *   msg ID_DECIMAL ORIGIN_TS PAYLOAD_HEX      (a message of the current batch)
 *   hdr KEY KIND VALUE_HEX                    (a string-keyed header of the last message)
 *   key KEY                                   (for produce-keys)
 * The server is IGGY_ADDR (host:port), the user IGGY_USERNAME / IGGY_PASSWORD (iggy/iggy).
 */
#define _POSIX_C_SOURCE 200809L /* strdup, nanosleep */

#include <iggy/iggy.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_MSGS 512
#define MAX_HDRS 4096
#define MAX_BATCHES 64
#define MAX_KEYS 256

typedef struct spec_msg {
    iggy_u128_t id;
    uint64_t origin;
    uint8_t *payload;
    uint32_t payload_len;
    size_t hdr_first, hdr_count;
} spec_msg_t;

typedef struct spec {
    char stream[256], topic[256];
    uint32_t partitions, partition;
    spec_msg_t msgs[MAX_MSGS];
    size_t nmsgs;
    size_t batch_start[MAX_BATCHES];
    size_t nbatches;
    iggy_kv_t hdrs[MAX_HDRS];
    size_t nhdrs;
    char *keys[MAX_KEYS];
    size_t nkeys;
} spec_t;

static spec_t g_spec;

static void die(const char *what, iggy_err_t err)
{
    const char *detail = iggy_last_error_detail();
    fprintf(stderr, "c_peer: FAIL: %s: %s (%d)%s%s\n", what, iggy_err2str(err), (int)err,
            detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static void fail(const char *what)
{
    fprintf(stderr, "c_peer: FAIL: %s\n", what);
    exit(1);
}

static uint8_t *from_hex(const char *hex, uint32_t *len)
{
    size_t n = strlen(hex) / 2;
    uint8_t *out = malloc(n ? n : 1);
    if (!out)
        fail("out of memory");
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            fail("bad hex in spec");
        out[i] = (uint8_t)v;
    }
    *len = (uint32_t)n;
    return out;
}

/* u128 as four 32-bit limbs, most significant first, for decimal conversion in plain C11. */
static iggy_u128_t parse_u128(const char *dec)
{
    uint32_t limb[4] = {0, 0, 0, 0};
    for (const char *p = dec; *p; p++) {
        if (*p < '0' || *p > '9')
            fail("bad message id in spec");
        uint64_t carry = (uint64_t)(*p - '0');
        for (int i = 3; i >= 0; i--) {
            uint64_t v = (uint64_t)limb[i] * 10 + carry;
            limb[i] = (uint32_t)v;
            carry = v >> 32;
        }
        if (carry)
            fail("message id over 128 bits");
    }
    iggy_u128_t id = {((uint64_t)limb[2] << 32) | limb[3], ((uint64_t)limb[0] << 32) | limb[1]};
    return id;
}

static void print_u128(iggy_u128_t id)
{
    uint32_t limb[4] = {(uint32_t)(id.hi >> 32), (uint32_t)id.hi, (uint32_t)(id.lo >> 32),
                        (uint32_t)id.lo};
    char buf[48];
    int pos = (int)sizeof(buf) - 1;
    buf[pos] = '\0';
    do {
        uint64_t rem = 0;
        for (int i = 0; i < 4; i++) {
            uint64_t v = (rem << 32) | limb[i];
            limb[i] = (uint32_t)(v / 10);
            rem = v % 10;
        }
        buf[--pos] = (char)('0' + (int)rem);
    } while (limb[0] | limb[1] | limb[2] | limb[3]);
    printf("\"%s\"", buf + pos);
}

static void read_spec(const char *path)
{
    spec_t *s = &g_spec;
    FILE *f = fopen(path, "r");
    if (!f)
        fail("cannot open spec");
    char line[4096], a[1024], b[1024], c[2048];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (sscanf(line, "stream %255s", s->stream) == 1 ||
            sscanf(line, "topic %255s", s->topic) == 1 ||
            sscanf(line, "partitions %" SCNu32, &s->partitions) == 1 ||
            sscanf(line, "partition %" SCNu32, &s->partition) == 1)
            continue;
        if (!strcmp(line, "batch")) {
            if (s->nbatches == MAX_BATCHES)
                fail("too many batches");
            s->batch_start[s->nbatches++] = s->nmsgs;
        } else if (sscanf(line, "msg %1023s %1023s %2047s", a, b, c) == 3) {
            if (s->nmsgs == MAX_MSGS)
                fail("too many messages");
            spec_msg_t *m = &s->msgs[s->nmsgs++];
            m->id = parse_u128(a);
            m->origin = strtoull(b, NULL, 10);
            m->payload = from_hex(c, &m->payload_len);
            m->hdr_first = s->nhdrs;
        } else if (sscanf(line, "hdr %1023s %1023s %2047s", a, b, c) == 3) {
            if (!s->nmsgs || s->nhdrs == MAX_HDRS)
                fail("header without a message");
            iggy_kv_t *h = &s->hdrs[s->nhdrs++];
            h->key_kind = IGGY_KV_STRING;
            h->value_kind = (uint8_t)atoi(b);
            h->key = (const uint8_t *)strdup(a);
            h->key_len = (uint32_t)strlen(a);
            h->value = from_hex(c, &h->value_len);
            s->msgs[s->nmsgs - 1].hdr_count++;
        } else if (sscanf(line, "key %1023s", a) == 1) {
            if (s->nkeys == MAX_KEYS)
                fail("too many keys");
            s->keys[s->nkeys++] = strdup(a);
        } else if (line[0]) {
            fail("unknown spec line");
        }
    }
    fclose(f);
}

static iggy_client_t *connect_client(void)
{
    const char *addr = getenv("IGGY_ADDR");
    const char *user = getenv("IGGY_USERNAME"), *pass = getenv("IGGY_PASSWORD");
    if (!addr || !*addr)
        fail("IGGY_ADDR is not set");
    iggy_conf_t *conf;
    char errstr[256];
    if (iggy_conf_new(&conf) != IGGY_OK)
        fail("iggy_conf_new");
    if (iggy_conf_set(conf, "bootstrap.servers", addr, errstr, sizeof errstr) != IGGY_OK ||
        iggy_conf_set(conf, "client.sdk.name", "libiggy-interop", errstr, sizeof errstr) != IGGY_OK)
        fail(errstr);
    iggy_client_t *client;
    iggy_err_t err = iggy_client_new(conf, &client, errstr, sizeof errstr);
    iggy_conf_destroy(conf);
    if (err != IGGY_OK)
        die("iggy_client_new", err);
    err =
        iggy_login_user(client, user && *user ? user : "iggy", pass && *pass ? pass : "iggy", NULL);
    if (err != IGGY_OK)
        die("iggy_login_user", err);
    return client;
}

static void cmd_setup(iggy_client_t *client)
{
    spec_t *s = &g_spec;
    iggy_stream_t *stream = NULL;
    iggy_identifier_t sid = iggy_id_name(s->stream);
    iggy_err_t err = iggy_get_stream(client, &sid, &stream);
    if (err != IGGY_OK && err != IGGY_ERR__NOT_FOUND)
        die("iggy_get_stream", err);
    if (err == IGGY_ERR__NOT_FOUND) {
        err = iggy_create_stream(client, s->stream, &stream);
        if (err != IGGY_OK)
            die("iggy_create_stream", err);
    }
    iggy_result_destroy(stream);
    iggy_topic_t *topic = NULL;
    err = iggy_create_topic(client, &sid, s->topic, s->partitions, NULL, &topic);
    if (err != IGGY_OK)
        die("iggy_create_topic", err);
    iggy_result_destroy(topic);
    printf("{\"ok\": true}\n");
}

static void cmd_produce(iggy_client_t *client)
{
    spec_t *s = &g_spec;
    iggy_identifier_t sid = iggy_id_name(s->stream), tid = iggy_id_name(s->topic);
    iggy_partitioning_t part = {IGGY_PARTITIONING_PARTITION_ID, s->partition, NULL, 0};
    iggy_send_message_t batch[MAX_MSGS];
    printf("{\"confirmations\": [");
    for (size_t b = 0; b < s->nbatches; b++) {
        size_t first = s->batch_start[b];
        size_t end = b + 1 < s->nbatches ? s->batch_start[b + 1] : s->nmsgs;
        for (size_t i = first; i < end; i++) {
            const spec_msg_t *m = &s->msgs[i];
            iggy_send_message_t *o = &batch[i - first];
            memset(o, 0, sizeof *o);
            o->id = m->id;
            o->origin_timestamp = m->origin;
            o->payload = m->payload;
            o->payload_len = m->payload_len;
            o->headers = m->hdr_count ? &s->hdrs[m->hdr_first] : NULL;
            o->headers_count = m->hdr_count;
        }
        iggy_send_confirmations_t *conf = NULL;
        iggy_err_t err =
            iggy_send_messages(client, &sid, &tid, &part, batch, end - first, NULL, &conf);
        if (err != IGGY_OK)
            die("iggy_send_messages", err);
        for (size_t i = 0; i < conf->count; i++)
            printf("%s{\"partition\": %" PRIu32 ", \"base_offset\": %" PRIu64 "}",
                   b || i ? ", " : "", conf->items[i].partition_id, conf->items[i].base_offset);
        iggy_result_destroy(conf);
        struct timespec ts = {0, 3000000}; /* distinct broker timestamps per batch */
        nanosleep(&ts, NULL);
    }
    printf("]}\n");
}

static void cmd_produce_keys(iggy_client_t *client)
{
    spec_t *s = &g_spec;
    iggy_identifier_t sid = iggy_id_name(s->stream), tid = iggy_id_name(s->topic);
    printf("{\"partitions\": {");
    for (size_t k = 0; k < s->nkeys; k++) {
        const char *key = s->keys[k];
        iggy_partitioning_t part = {IGGY_PARTITIONING_MESSAGES_KEY, 0, (const uint8_t *)key,
                                    strlen(key)};
        iggy_send_message_t msg;
        memset(&msg, 0, sizeof msg);
        msg.payload = key;
        msg.payload_len = (uint32_t)strlen(key);
        iggy_send_confirmations_t *conf = NULL;
        iggy_err_t err = iggy_send_messages(client, &sid, &tid, &part, &msg, 1, NULL, &conf);
        if (err != IGGY_OK)
            die("iggy_send_messages(key)", err);
        if (conf->count != 1)
            fail("keyed send without exactly one confirmation");
        printf("%s\"%s\": %" PRIu32, k ? ", " : "", key, conf->items[0].partition_id);
        iggy_result_destroy(conf);
    }
    printf("}, \"computed\": {");
    for (size_t k = 0; k < s->nkeys; k++)
        printf(
            "%s\"%s\": %" PRIu32, k ? ", " : "", s->keys[k],
            iggy_partition_for_key((const uint8_t *)s->keys[k], strlen(s->keys[k]), s->partitions));
    printf("}}\n");
}

static void print_hex(const uint8_t *p, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    putchar('"');
}

static void print_json_string(const uint8_t *p, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"' || p[i] == '\\')
            printf("\\%c", p[i]);
        else if (p[i] < 0x20)
            printf("\\u%04x", p[i]);
        else
            putchar(p[i]);
    }
    putchar('"');
}

static const char *kind_name(uint8_t k)
{
    static const char *names[] = {"?",      "raw",     "string",  "bool",   "int8",   "int16",
                                  "int32",  "int64",   "int128",  "uint8",  "uint16", "uint32",
                                  "uint64", "uint128", "float32", "float64"};
    return k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static uint64_t le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void print_value(const iggy_kv_t *h)
{
    const uint8_t *v = h->value;
    size_t n = h->value_len;
    switch (h->value_kind) {
    case IGGY_KV_STRING:
        print_json_string(v, n);
        return;
    case IGGY_KV_BOOL:
        if (n == 1) {
            printf(v[0] ? "true" : "false");
            return;
        }
        break;
    case IGGY_KV_INT32:
        if (n == 4) {
            printf("%" PRId32, (int32_t)(uint32_t)le(v, 4));
            return;
        }
        break;
    case IGGY_KV_INT64:
        if (n == 8) {
            printf("%" PRId64, (int64_t)le(v, 8));
            return;
        }
        break;
    case IGGY_KV_UINT32:
    case IGGY_KV_UINT64:
        if (n == 4 || n == 8) {
            printf("%" PRIu64, le(v, n));
            return;
        }
        break;
    case IGGY_KV_FLOAT32:
        if (n == 4) {
            uint32_t bits = (uint32_t)le(v, 4);
            float f;
            memcpy(&f, &bits, 4);
            printf("%.17g", (double)f);
            return;
        }
        break;
    case IGGY_KV_FLOAT64:
        if (n == 8) {
            uint64_t bits = le(v, 8);
            double d;
            memcpy(&d, &bits, 8);
            printf("%.17g", d);
            return;
        }
        break;
    default:
        break;
    }
    print_hex(v, n);
}

static void cmd_consume(iggy_client_t *client)
{
    spec_t *s = &g_spec;
    iggy_identifier_t sid = iggy_id_name(s->stream), tid = iggy_id_name(s->topic);
    iggy_consumer_ref_t consumer = {IGGY_CONSUMER_SINGLE, iggy_id_name("interop-c-dump")};
    iggy_poll_opts_t opts;
    memset(&opts, 0, sizeof opts);
    opts.verify_checksums = true;
    int first = 1;
    printf("{\"messages\": [");
    for (uint32_t p = 0; p < s->partitions; p++) {
        uint64_t next = 0;
        for (;;) {
            iggy_polling_strategy_t strat = {IGGY_POLL_OFFSET, next};
            iggy_polled_messages_t *polled = NULL;
            iggy_err_t err = iggy_poll_messages(client, &consumer, &sid, &tid, &p, &strat, 100,
                                                false, &opts, &polled);
            if (err != IGGY_OK)
                die("iggy_poll_messages", err);
            size_t count = polled->count;
            for (size_t i = 0; i < count; i++) {
                const iggy_message_t *m = &polled->messages[i];
                printf("%s\n{\"partition\": %" PRIu32 ", \"offset\": %" PRIu64
                       ", \"timestamp\": %" PRIu64 ", \"origin_timestamp\": %" PRIu64 ", \"id\": ",
                       first ? "" : ",", p, m->offset, m->timestamp, m->origin_timestamp);
                first = 0;
                print_u128(m->id);
                printf(", \"payload_hex\": ");
                print_hex(m->payload, m->payload_len);
                printf(", \"headers\": [");
                for (size_t h = 0; h < m->headers.count; h++) {
                    const iggy_kv_t *kv = &m->headers.entries[h];
                    printf("%s{\"key\": ", h ? ", " : "");
                    print_json_string(kv->key, kv->key_len);
                    printf(", \"key_kind\": \"%s\", \"kind\": \"%s\", \"value\": ",
                           kind_name(kv->key_kind), kind_name(kv->value_kind));
                    print_value(kv);
                    printf(", \"value_hex\": ");
                    print_hex(kv->value, kv->value_len);
                    printf("}");
                }
                printf("]}");
                next = m->offset + 1;
            }
            iggy_result_destroy(polled);
            if (!count)
                break;
        }
    }
    printf("]}\n");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: c_peer setup|produce|consume|produce-keys SPEC.txt\n");
        return 2;
    }
    read_spec(argv[2]);
    iggy_client_t *client = connect_client();
    if (!strcmp(argv[1], "setup"))
        cmd_setup(client);
    else if (!strcmp(argv[1], "produce"))
        cmd_produce(client);
    else if (!strcmp(argv[1], "consume"))
        cmd_consume(client);
    else if (!strcmp(argv[1], "produce-keys"))
        cmd_produce_keys(client);
    else
        fail("unknown command");
    iggy_client_destroy(client);
    return 0;
}
