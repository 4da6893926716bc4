/* iggycat: a kcat-style command-line client for Apache Iggy over libiggy.
 *
 *   iggycat -b host:port -u USER -p PASS -L [-J]      list the metadata
 *   iggycat -b iggy://user:pass@host:port stream list
 *   iggycat -b host:port topic create STREAM NAME PARTITIONS
 *   iggycat -b host:port -P -t STREAM/TOPIC [-k KEY | -p PARTITION] [-z CODEC] < lines
 *   iggycat -b host:port -C -t STREAM/TOPIC [-p PARTITION] [-o OFFSET] [-e]
 *
 * Exit codes: 0 success, 1 a failed call (the reason on stderr), 2 a usage error. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iggy/iggy.h>

#define EXIT_FAIL 1
#define EXIT_USAGE 2

/* Modes: -L lists metadata, -P produces stdin lines, -C consumes payloads to stdout, a
 * subcommand runs an admin call. */
typedef enum mode {
    MODE_NONE,
    MODE_LIST,
    MODE_PRODUCE,
    MODE_CONSUME,
} iggycat_mode_t;

/* Where -o starts a consumer. */
typedef enum start_kind {
    START_BEGINNING,
    START_END,
    START_OFFSET,
} start_kind_t;

typedef struct opts {
    iggycat_mode_t mode;
    bool json;
    bool user_set;
    const char *broker;
    const char *topic;           /* -t STREAM/TOPIC */
    const char *key;             /* -k */
    bool partition_set;          /* -p after -P/-C */
    uint32_t partition;          /* -p after -P/-C */
    iggy_compression_codec_t zc; /* -z */
    start_kind_t start;          /* -o */
    uint64_t start_offset;
    bool exit_at_end; /* -e */
} opts_t;

static void usage(FILE *f)
{
    fprintf(f, "Usage: iggycat [options] -L [-J]\n"
               "       iggycat [options] <command> [args...]\n"
               "\n"
               "A kcat-style client for Apache Iggy (binary protocol over TCP).\n"
               "\n"
               "Connection:\n"
               "  -b BROKER      host:port (default 127.0.0.1:8090), or a connection string\n"
               "                 iggy://USER:PASS@host:port?options\n"
               "  -u USER        username (default: iggy, unless -b or -X give credentials)\n"
               "  -p PASS        password (default: iggy)\n"
               "  -X PROP=VALUE  set any client configuration property (repeatable);\n"
               "                 -X list prints every property with its current value\n"
               "\n"
               "Modes:\n"
               "  -L             list streams, topics, partitions and consumer groups\n"
               "  -J             print JSON instead of text (with -L and the list commands)\n"
               "  -P             produce: every stdin line becomes one message\n"
               "  -C             consume: every payload is written to stdout, one per line\n"
               "  -h             print this help\n"
               "\n"
               "Produce and consume (-P, -C):\n"
               "  -t STREAM/TOPIC  the topic (ids or names)\n"
               "  -p PARTITION   the partition; after -P or -C, -p is the partition (before\n"
               "                 them it is the password). -C default: 0; -P default: balanced\n"
               "  -k KEY         (-P) messages key: the partition is XXH32(KEY) %% partitions\n"
               "  -z CODEC       (-P) compress payloads: zstd, snappy or lz4 (marked per message;\n"
               "                 -C decompresses marked payloads)\n"
               "  -o OFFSET      (-C) start at beginning (default), end, or an absolute offset\n"
               "  -e             (-C) exit at the end of the partition instead of waiting\n"
               "\n"
               "Commands (numbers are ids, anything else is a name):\n"
               "  ping\n"
               "  stream create NAME\n"
               "  stream delete STREAM\n"
               "  stream list\n"
               "  topic create STREAM NAME PARTITIONS\n"
               "  topic delete STREAM TOPIC\n"
               "  topic list STREAM\n"
               "\n"
               "Exit status: 0 success, 1 the server or the connection refused, 2 usage error.\n");
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "iggycat: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'iggycat -h' for help.\n");
    return EXIT_USAGE;
}

/* "Stream name already exists (IGGY_ERR_STREAM_NAME_ALREADY_EXISTS, 1012)": server codes
 * read best from their symbolic name; local errors carry the library's detail. */
static int fail(const char *what, iggy_err_t err)
{
    const char *name = iggy_err2name(err);
    char text[256];
    if ((int)err > 0 && strncmp(name, "IGGY_ERR_", 9) == 0 && strcmp(name, "IGGY_ERR_UNKNOWN")) {
        size_t n = 0;
        for (const char *p = name + 9; *p && n + 1 < sizeof text; p++, n++) {
            char ch = *p == '_' ? ' ' : *p;
            text[n] = n == 0 || ch < 'A' || ch > 'Z' ? ch : (char)(ch - 'A' + 'a');
        }
        text[n] = '\0';
    } else {
        snprintf(text, sizeof text, "%s", iggy_err2str(err));
    }
    if ((int)err < 0 && iggy_last_error_detail()[0])
        fprintf(stderr, "iggycat: %s: %s: %s (%s, %d)\n", what, text, iggy_last_error_detail(),
                name, (int)err);
    else
        fprintf(stderr, "iggycat: %s: %s (%s, %d)\n", what, text, name, (int)err);
    return EXIT_FAIL;
}

/* A number is an id, anything else a name (the string is borrowed). */
static iggy_identifier_t parse_id(const char *s)
{
    char *end;
    unsigned long long v;
    if (s[0] >= '0' && s[0] <= '9') {
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno == 0 && *end == '\0' && v <= UINT32_MAX)
            return iggy_id_num((uint32_t)v);
    }
    return iggy_id_name(s);
}

static bool parse_u32(const char *s, uint32_t *out)
{
    char *end;
    unsigned long long v;
    if (!(s[0] >= '0' && s[0] <= '9'))
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* ---------------------------------------------------------------- JSON output */

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *p)
{
    size_t n;
    if (p[0] < 0x80)
        return 1;
    if ((p[0] & 0xE0) == 0xC0 && p[0] >= 0xC2)
        n = 2;
    else if ((p[0] & 0xF0) == 0xE0)
        n = 3;
    else if ((p[0] & 0xF8) == 0xF0 && p[0] <= 0xF4)
        n = 4;
    else
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* A JSON string: quotes, backslashes and control characters escaped; invalid UTF-8
 * becomes U+FFFD so the output always parses. */
static void json_str(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    fputc('"', f);
    while (*p) {
        size_t n;
        switch (*p) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        default:
            if (*p < 0x20 || *p == 0x7F) {
                fprintf(f, "\\u%04x", *p);
                break;
            }
            n = utf8_len(p);
            if (n == 0) {
                fputs("\\ufffd", f);
                break;
            }
            fwrite(p, 1, n, f);
            p += n;
            continue;
        }
        p++;
    }
    fputc('"', f);
}

static void json_topic_fields(FILE *f, const iggy_topic_t *t)
{
    fprintf(f, "\"id\":%u,\"name\":", t->id);
    json_str(f, t->name);
    fprintf(f,
            ",\"created_at\":%llu,\"partitions_count\":%u,\"message_expiry\":%llu,"
            "\"compression_algorithm\":%u,\"max_topic_size\":%llu,\"size_bytes\":%llu,"
            "\"messages_count\":%llu",
            (unsigned long long)t->created_at, t->partitions_count,
            (unsigned long long)t->message_expiry, t->compression_algorithm,
            (unsigned long long)t->max_topic_size, (unsigned long long)t->size_bytes,
            (unsigned long long)t->messages_count);
}

static void json_stream_fields(FILE *f, const iggy_stream_t *s)
{
    fprintf(f, "\"id\":%u,\"name\":", s->id);
    json_str(f, s->name);
    fprintf(f,
            ",\"created_at\":%llu,\"topics_count\":%u,\"size_bytes\":%llu,\"messages_count\":%llu",
            (unsigned long long)s->created_at, s->topics_count, (unsigned long long)s->size_bytes,
            (unsigned long long)s->messages_count);
}

/* ---------------------------------------------------------------- -L */

/* One topic's partitions and consumer groups, as text or JSON. */
static iggy_err_t list_topic(iggy_client_t *c, const opts_t *o, const iggy_stream_t *s,
                             const iggy_topic_t *th, iggy_topic_t **t,
                             iggy_consumer_group_list_t **groups)
{
    iggy_identifier_t sid = iggy_id_num(s->id), tid = iggy_id_num(th->id);
    iggy_err_t err = iggy_get_topic(c, &sid, &tid, t);
    if (err == IGGY_OK)
        err = iggy_get_consumer_groups(c, &sid, &tid, groups);
    if (err != IGGY_OK)
        return err;
    if (o->json) {
        fputc('{', stdout);
        json_topic_fields(stdout, *t);
        fputs(",\"partitions\":[", stdout);
        for (uint32_t i = 0; i < (*t)->partitions_count; i++) {
            const iggy_partition_t *p = &(*t)->partitions[i];
            fprintf(
                stdout,
                "%s{\"id\":%u,\"created_at\":%llu,\"segments_count\":%u,\"current_offset\":%llu,"
                "\"size_bytes\":%llu,\"messages_count\":%llu}",
                i ? "," : "", p->id, (unsigned long long)p->created_at, p->segments_count,
                (unsigned long long)p->current_offset, (unsigned long long)p->size_bytes,
                (unsigned long long)p->messages_count);
        }
        fputs("],\"consumer_groups\":[", stdout);
        for (size_t i = 0; i < (*groups)->count; i++) {
            const iggy_consumer_group_t *g = &(*groups)->groups[i];
            fprintf(stdout, "%s{\"id\":%u,\"name\":", i ? "," : "", g->id);
            json_str(stdout, g->name);
            fprintf(stdout, ",\"members_count\":%u,\"partitions_count\":%u}", g->members_count,
                    g->partitions_count);
        }
        fputs("]}", stdout);
        return IGGY_OK;
    }
    printf("    topic %u \"%s\" with %u partition%s, %llu messages, %llu bytes\n", (*t)->id,
           (*t)->name, (*t)->partitions_count, (*t)->partitions_count == 1 ? "" : "s",
           (unsigned long long)(*t)->messages_count, (unsigned long long)(*t)->size_bytes);
    for (uint32_t i = 0; i < (*t)->partitions_count; i++) {
        const iggy_partition_t *p = &(*t)->partitions[i];
        printf("      partition %u: %u segment%s, offset %llu, %llu messages, %llu bytes\n", p->id,
               p->segments_count, p->segments_count == 1 ? "" : "s",
               (unsigned long long)p->current_offset, (unsigned long long)p->messages_count,
               (unsigned long long)p->size_bytes);
    }
    for (size_t i = 0; i < (*groups)->count; i++) {
        const iggy_consumer_group_t *g = &(*groups)->groups[i];
        printf("      consumer group %u \"%s\": %u member%s\n", g->id, g->name, g->members_count,
               g->members_count == 1 ? "" : "s");
    }
    return IGGY_OK;
}

static int cmd_list_all(iggy_client_t *c, const opts_t *o)
{
    iggy_stream_list_t *streams = NULL;
    iggy_stream_t *s = NULL;
    iggy_topic_t *t = NULL;
    iggy_consumer_group_list_t *groups = NULL;
    size_t printed = 0;
    iggy_err_t err = iggy_get_streams(c, &streams);
    if (err != IGGY_OK)
        return fail("list streams", err);
    if (o->json) {
        fputs("{\"broker\":", stdout);
        json_str(stdout, o->broker ? o->broker : "");
        fputs(",\"streams\":[", stdout);
    } else {
        printf("Metadata from %s:\n %zu stream%s:\n", o->broker ? o->broker : "127.0.0.1:8090",
               streams->count, streams->count == 1 ? "" : "s");
    }
    /* Results are passed back in, so the loop reuses its blocks (getline style). */
    for (size_t i = 0; i < streams->count && err == IGGY_OK; i++) {
        iggy_identifier_t sid = iggy_id_num(streams->streams[i].id);
        err = iggy_get_stream(c, &sid, &s);
        if (err == IGGY_ERR__NOT_FOUND) { /* deleted since the listing */
            err = IGGY_OK;
            continue;
        }
        if (err != IGGY_OK)
            break;
        if (o->json) {
            fputs(printed++ ? ",{" : "{", stdout);
            json_stream_fields(stdout, s);
            fputs(",\"topics\":[", stdout);
        } else {
            printf("  stream %u \"%s\" with %u topic%s, %llu messages, %llu bytes\n", s->id,
                   s->name, s->topics_count, s->topics_count == 1 ? "" : "s",
                   (unsigned long long)s->messages_count, (unsigned long long)s->size_bytes);
        }
        for (uint32_t j = 0; j < s->topics_count && err == IGGY_OK; j++) {
            if (o->json && j)
                fputc(',', stdout);
            err = list_topic(c, o, s, &s->topics[j], &t, &groups);
        }
        if (o->json)
            fputs("]}", stdout);
    }
    if (o->json)
        fputs("]}\n", stdout);
    iggy_result_destroy(groups);
    iggy_result_destroy(t);
    iggy_result_destroy(s);
    iggy_result_destroy(streams);
    return err == IGGY_OK ? 0 : fail("list metadata", err);
}

/* ---------------------------------------------------------------- commands */

static int cmd_ping(iggy_client_t *c)
{
    iggy_err_t err = iggy_ping(c);
    if (err != IGGY_OK)
        return fail("ping", err);
    printf("pong\n");
    return 0;
}

static int cmd_stream(iggy_client_t *c, const opts_t *o, int argc, char **argv)
{
    const char *verb = argc > 0 ? argv[0] : "";
    iggy_err_t err;
    if (strcmp(verb, "create") == 0 && argc == 2) {
        iggy_stream_t *s = NULL;
        err = iggy_create_stream(c, argv[1], &s);
        if (err != IGGY_OK)
            return fail("create stream", err);
        printf("Stream \"%s\" created with id %u\n", s->name, s->id);
        iggy_result_destroy(s);
        return 0;
    }
    if (strcmp(verb, "delete") == 0 && argc == 2) {
        iggy_identifier_t id = parse_id(argv[1]);
        err = iggy_delete_stream(c, &id);
        if (err != IGGY_OK)
            return fail("delete stream", err);
        printf("Stream %s deleted\n", argv[1]);
        return 0;
    }
    if (strcmp(verb, "list") == 0 && argc == 1) {
        iggy_stream_list_t *l = NULL;
        err = iggy_get_streams(c, &l);
        if (err != IGGY_OK)
            return fail("list streams", err);
        if (o->json)
            fputc('[', stdout);
        else
            printf("%-6s %-32s %8s %12s %14s\n", "ID", "NAME", "TOPICS", "MESSAGES", "BYTES");
        for (size_t i = 0; i < l->count; i++) {
            const iggy_stream_t *s = &l->streams[i];
            if (o->json) {
                fputs(i ? ",{" : "{", stdout);
                json_stream_fields(stdout, s);
                fputc('}', stdout);
            } else {
                printf("%-6u %-32s %8u %12llu %14llu\n", s->id, s->name, s->topics_count,
                       (unsigned long long)s->messages_count, (unsigned long long)s->size_bytes);
            }
        }
        if (o->json)
            fputs("]\n", stdout);
        iggy_result_destroy(l);
        return 0;
    }
    return usage_error("stream: expected 'create NAME', 'delete STREAM' or 'list'");
}

static int cmd_topic(iggy_client_t *c, const opts_t *o, int argc, char **argv)
{
    const char *verb = argc > 0 ? argv[0] : "";
    iggy_err_t err;
    if (strcmp(verb, "create") == 0 && argc == 4) {
        iggy_identifier_t sid = parse_id(argv[1]);
        iggy_topic_t *t = NULL;
        uint32_t partitions;
        if (!parse_u32(argv[3], &partitions))
            return usage_error("topic create: PARTITIONS must be a number, got '%s'", argv[3]);
        err = iggy_create_topic(c, &sid, argv[2], partitions, NULL, &t);
        if (err != IGGY_OK)
            return fail("create topic", err);
        printf("Topic \"%s\" created in stream %s with id %u and %u partition%s\n", t->name,
               argv[1], t->id, t->partitions_count, t->partitions_count == 1 ? "" : "s");
        iggy_result_destroy(t);
        return 0;
    }
    if (strcmp(verb, "delete") == 0 && argc == 3) {
        iggy_identifier_t sid = parse_id(argv[1]), tid = parse_id(argv[2]);
        err = iggy_delete_topic(c, &sid, &tid);
        if (err != IGGY_OK)
            return fail("delete topic", err);
        printf("Topic %s deleted from stream %s\n", argv[2], argv[1]);
        return 0;
    }
    if (strcmp(verb, "list") == 0 && argc == 2) {
        /* GetStream (not GetTopics) so that a missing stream is an error, not "no topics". */
        iggy_identifier_t sid = parse_id(argv[1]);
        iggy_stream_t *s = NULL;
        err = iggy_get_stream(c, &sid, &s);
        if (err != IGGY_OK)
            return fail("list topics", err);
        if (o->json)
            fputc('[', stdout);
        else
            printf("%-6s %-32s %10s %12s %14s\n", "ID", "NAME", "PARTITIONS", "MESSAGES", "BYTES");
        for (uint32_t i = 0; i < s->topics_count; i++) {
            const iggy_topic_t *t = &s->topics[i];
            if (o->json) {
                fputs(i ? ",{" : "{", stdout);
                json_topic_fields(stdout, t);
                fputc('}', stdout);
            } else {
                printf("%-6u %-32s %10u %12llu %14llu\n", t->id, t->name, t->partitions_count,
                       (unsigned long long)t->messages_count, (unsigned long long)t->size_bytes);
            }
        }
        if (o->json)
            fputs("]\n", stdout);
        iggy_result_destroy(s);
        return 0;
    }
    return usage_error(
        "topic: expected 'create STREAM NAME PARTITIONS', 'delete STREAM TOPIC' or 'list STREAM'");
}

/* ---------------------------------------------------------------- produce / consume */

#define PRODUCE_BATCH_COUNT 1000
#define PRODUCE_BATCH_BYTES (4u << 20)
#define CONSUME_COUNT 1000

/* "STREAM/TOPIC" into two identifiers (pointing into buf). */
static int split_topic(const char *arg, char *buf, size_t cap, iggy_identifier_t *stream,
                       iggy_identifier_t *topic)
{
    char *slash;
    if (!arg)
        return usage_error("%s needs -t STREAM/TOPIC", "-P/-C");
    if (strlen(arg) >= cap)
        return usage_error("-t: '%s' is too long", arg);
    memcpy(buf, arg, strlen(arg) + 1);
    slash = strchr(buf, '/');
    if (!slash || slash == buf || !slash[1] || strchr(slash + 1, '/'))
        return usage_error("-t expects STREAM/TOPIC, got '%s'", arg);
    *slash = '\0';
    *stream = parse_id(buf);
    *topic = parse_id(slash + 1);
    return 0;
}

typedef struct line_batch {
    iggy_send_message_t msgs[PRODUCE_BATCH_COUNT];
    char *lines[PRODUCE_BATCH_COUNT];
    size_t count, bytes;
} line_batch_t;

static iggy_err_t flush_lines(iggy_client_t *c, const opts_t *o, const iggy_identifier_t *stream,
                              const iggy_identifier_t *topic, line_batch_t *b,
                              iggy_send_confirmations_t **conf)
{
    iggy_partitioning_t where = {IGGY_PARTITIONING_BALANCED, 0, NULL, 0};
    iggy_send_opts_t so;
    iggy_err_t err;
    if (b->count == 0)
        return IGGY_OK;
    if (o->key) {
        where.kind = IGGY_PARTITIONING_MESSAGES_KEY;
        where.key = (const uint8_t *)o->key;
        where.key_len = strlen(o->key);
    } else if (o->partition_set) {
        where.kind = IGGY_PARTITIONING_PARTITION_ID;
        where.partition_id = o->partition;
    }
    memset(&so, 0, sizeof so);
    so.compression = o->zc;
    err = iggy_send_messages(c, stream, topic, &where, b->msgs, b->count, &so, conf);
    for (size_t i = 0; i < b->count; i++)
        free(b->lines[i]);
    b->count = 0;
    b->bytes = 0;
    return err;
}

/* -P: one message per stdin line (without its newline), sent in batches. */
static int cmd_produce(iggy_client_t *c, const opts_t *o)
{
    char buf[1024];
    iggy_identifier_t stream, topic;
    line_batch_t *b;
    iggy_send_confirmations_t *conf = NULL;
    char *line = NULL;
    size_t cap = 0, sent = 0;
    ssize_t n;
    iggy_err_t err = IGGY_OK;
    int rc = split_topic(o->topic, buf, sizeof buf, &stream, &topic);
    if (rc)
        return rc;
    if (o->key && (!o->key[0] || strlen(o->key) > 255))
        return usage_error("-k: the key must be 1..255 bytes");
    b = calloc(1, sizeof *b);
    if (!b) {
        fprintf(stderr, "iggycat: out of memory\n");
        return EXIT_FAIL;
    }
    while (err == IGGY_OK && (n = getline(&line, &cap, stdin)) >= 0) {
        iggy_send_message_t *m = &b->msgs[b->count];
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        if ((size_t)n > UINT32_MAX) {
            err = IGGY_ERR__MSG_TOO_LARGE;
            break;
        }
        memset(m, 0, sizeof *m);
        m->payload = line;
        m->payload_len = (uint32_t)n;
        b->lines[b->count++] = line; /* the batch owns it now */
        b->bytes += (size_t)n + 64;
        line = NULL;
        cap = 0;
        if (b->count == PRODUCE_BATCH_COUNT || b->bytes >= PRODUCE_BATCH_BYTES) {
            sent += b->count;
            err = flush_lines(c, o, &stream, &topic, b, &conf);
        }
    }
    free(line);
    if (err == IGGY_OK && ferror(stdin)) {
        fprintf(stderr, "iggycat: reading stdin: %s\n", strerror(errno));
        rc = EXIT_FAIL;
    }
    if (err == IGGY_OK && rc == 0) {
        sent += b->count;
        err = flush_lines(c, o, &stream, &topic, b, &conf);
    } else {
        for (size_t i = 0; i < b->count; i++)
            free(b->lines[i]);
    }
    iggy_result_destroy(conf);
    free(b);
    if (err != IGGY_OK)
        return fail("produce", err);
    if (rc == 0)
        fprintf(stderr, "iggycat: produced %zu message%s\n", sent, sent == 1 ? "" : "s");
    return rc;
}

/* The offset after the partition's last message (0 when it is empty). */
static iggy_err_t partition_end(iggy_client_t *c, const iggy_identifier_t *stream,
                                const iggy_identifier_t *topic, uint32_t partition, uint64_t *out)
{
    iggy_topic_t *t = NULL;
    iggy_err_t err = iggy_get_topic(c, stream, topic, &t);
    if (err != IGGY_OK)
        return err;
    *out = 0;
    for (uint32_t i = 0; i < t->partitions_count; i++)
        if (t->partitions[i].id == partition && t->partitions[i].messages_count > 0)
            *out = t->partitions[i].current_offset + 1;
    iggy_result_destroy(t);
    return IGGY_OK;
}

/* -C: payloads to stdout, one per line, from -o on; -e stops at the end of the partition. */
static int cmd_consume(iggy_client_t *c, const opts_t *o)
{
    char buf[1024];
    iggy_identifier_t stream, topic;
    iggy_consumer_t consumer = {IGGY_CONSUMER_SINGLE, {NULL, 0}};
    iggy_polled_messages_t *batch = NULL;
    iggy_poll_opts_t po;
    uint32_t partition = o->partition_set ? o->partition : 0;
    uint64_t next = o->start == START_OFFSET ? o->start_offset : 0;
    size_t consumed = 0;
    iggy_err_t err = IGGY_OK;
    int rc = split_topic(o->topic, buf, sizeof buf, &stream, &topic);
    if (rc)
        return rc;
    if (o->start == START_END)
        err = partition_end(c, &stream, &topic, partition, &next);
    memset(&po, 0, sizeof po); /* decompress marked payloads */
    while (err == IGGY_OK) {
        iggy_polling_strategy_t s = {IGGY_POLL_OFFSET, next};
        err = iggy_poll_messages_into(c, &consumer, &stream, &topic, &partition, &s, CONSUME_COUNT,
                                      false, &po, &batch);
        if (err != IGGY_OK)
            break;
        for (size_t i = 0; i < batch->count; i++) {
            const iggy_message_t *m = &batch->messages[i];
            if (m->error != IGGY_OK)
                fprintf(stderr, "iggycat: offset %llu: %s (payload as received)\n",
                        (unsigned long long)m->offset, iggy_err2str(m->error));
            if (m->payload_len)
                fwrite(m->payload, 1, m->payload_len, stdout);
            fputc('\n', stdout);
            next = m->offset + 1;
            consumed++;
        }
        if (batch->count == 0 || next > batch->current_offset) {
            /* At the end of the partition. */
            fflush(stdout);
            if (o->exit_at_end)
                break;
            {
                struct timespec ts = {0, 100 * 1000000L};
                nanosleep(&ts, NULL);
            }
        }
    }
    iggy_result_destroy(batch);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "iggycat: writing stdout: %s\n", strerror(errno));
        return EXIT_FAIL;
    }
    if (err != IGGY_OK)
        return fail("consume", err);
    fprintf(stderr, "iggycat: consumed %zu message%s, reached offset %llu\n", consumed,
            consumed == 1 ? "" : "s", (unsigned long long)next);
    return 0;
}

static int run(iggy_client_t *c, const opts_t *o, int argc, char **argv)
{
    if (o->mode == MODE_LIST)
        return cmd_list_all(c, o);
    if (o->mode == MODE_PRODUCE)
        return cmd_produce(c, o);
    if (o->mode == MODE_CONSUME)
        return cmd_consume(c, o);
    if (strcmp(argv[0], "ping") == 0 && argc == 1)
        return cmd_ping(c);
    if (strcmp(argv[0], "stream") == 0)
        return cmd_stream(c, o, argc - 1, argv + 1);
    if (strcmp(argv[0], "topic") == 0)
        return cmd_topic(c, o, argc - 1, argv + 1);
    return usage_error("unknown command '%s'", argv[0]);
}

/* ---------------------------------------------------------------- main */

static bool conf_has(const iggy_conf_t *conf, const char *name)
{
    char v[8];
    size_t n = sizeof v;
    iggy_err_t err = iggy_conf_get(conf, name, v, &n);
    return err == IGGY_ERR__MSG_TOO_LARGE || (err == IGGY_OK && v[0] != '\0');
}

static int set_prop(iggy_conf_t *conf, const char *name, const char *value)
{
    char errstr[256];
    if (iggy_conf_set(conf, name, value, errstr, sizeof errstr) != IGGY_OK) {
        fprintf(stderr, "iggycat: %s: %s\n", name, errstr);
        return EXIT_USAGE;
    }
    return 0;
}

/* Apply one -X prop=value. */
static int set_x(iggy_conf_t *conf, char *arg)
{
    char *eq = strchr(arg, '=');
    if (strcmp(arg, "list") == 0) {
        char *dump = iggy_conf_dump(conf);
        if (dump) {
            fputs(dump, stdout);
            iggy_free(dump);
        }
        exit(0);
    }
    if (!eq || eq == arg)
        return usage_error("-X expects PROP=VALUE, got '%s'", arg);
    *eq = '\0';
    return set_prop(conf, arg, eq + 1);
}

static int set_broker(iggy_conf_t *conf, const char *broker)
{
    char errstr[256];
    if (!strstr(broker, "://"))
        return set_prop(conf, "bootstrap.servers", broker);
    if (iggy_conf_set_connection_string(conf, broker, errstr, sizeof errstr) != IGGY_OK) {
        fprintf(stderr, "iggycat: -b: %s\n", errstr);
        return EXIT_USAGE;
    }
    return 0;
}

int main(int argc, char **argv)
{
    opts_t o;
    iggy_conf_t *conf = NULL;
    iggy_client_t *c = NULL;
    const char *user = NULL, *pass = NULL;
    char errstr[256];
    int opt, rc = 0;

    memset(&o, 0, sizeof o);
    o.mode = MODE_NONE;
    o.zc = IGGY_COMPRESSION_CODEC_NONE;
    o.start = START_BEGINNING;
    if (iggy_conf_new(&conf) != IGGY_OK) {
        fprintf(stderr, "iggycat: out of memory\n");
        return EXIT_FAIL;
    }
    /* A short-lived CLI needs no keep-alive thread. */
    set_prop(conf, "heartbeat.interval.ms", "0");
    while (rc == 0 && (opt = getopt(argc, argv, "+b:u:p:X:LJPCht:k:z:o:e")) != -1) {
        switch (opt) {
        case 'b':
            o.broker = optarg;
            rc = set_broker(conf, optarg);
            break;
        case 'u':
            user = optarg;
            break;
        case 'p':
            /* After -P or -C, -p names the partition (kcat style); before, the password. */
            if (o.mode == MODE_PRODUCE || o.mode == MODE_CONSUME) {
                if (!parse_u32(optarg, &o.partition))
                    rc = usage_error("-p: PARTITION must be a number, got '%s'", optarg);
                o.partition_set = true;
            } else {
                pass = optarg;
            }
            break;
        case 't':
            o.topic = optarg;
            break;
        case 'k':
            o.key = optarg;
            break;
        case 'z':
            if (strcmp(optarg, "zstd") == 0)
                o.zc = IGGY_COMPRESSION_CODEC_ZSTD;
            else if (strcmp(optarg, "snappy") == 0)
                o.zc = IGGY_COMPRESSION_CODEC_SNAPPY;
            else if (strcmp(optarg, "lz4") == 0)
                o.zc = IGGY_COMPRESSION_CODEC_LZ4;
            else
                rc = usage_error("-z: expected zstd, snappy or lz4, got '%s'", optarg);
            break;
        case 'o':
            if (strcmp(optarg, "beginning") == 0) {
                o.start = START_BEGINNING;
            } else if (strcmp(optarg, "end") == 0) {
                o.start = START_END;
            } else {
                char *end;
                errno = 0;
                o.start = START_OFFSET;
                o.start_offset = strtoull(optarg, &end, 10);
                if (errno || *end || !(optarg[0] >= '0' && optarg[0] <= '9'))
                    rc = usage_error("-o: expected beginning, end or an offset, got '%s'", optarg);
            }
            break;
        case 'e':
            o.exit_at_end = true;
            break;
        case 'X':
            rc = set_x(conf, optarg);
            break;
        case 'L':
            o.mode = MODE_LIST;
            break;
        case 'J':
            o.json = true;
            break;
        case 'P':
            o.mode = MODE_PRODUCE;
            break;
        case 'C':
            o.mode = MODE_CONSUME;
            break;
        case 'h':
            usage(stdout);
            iggy_conf_destroy(conf);
            return 0;
        default:
            rc = EXIT_USAGE;
            fprintf(stderr, "Try 'iggycat -h' for help.\n");
        }
    }
    if (rc == 0 && o.mode == MODE_NONE && optind >= argc)
        rc = usage_error("no command given (use -L, or a command such as 'stream list')");
    if (rc == 0 && (o.mode == MODE_PRODUCE || o.mode == MODE_CONSUME) && !o.topic)
        rc = usage_error("%s needs -t STREAM/TOPIC", o.mode == MODE_PRODUCE ? "-P" : "-C");
    if (rc == 0 && o.mode != MODE_PRODUCE && (o.key || o.zc != IGGY_COMPRESSION_CODEC_NONE))
        rc = usage_error("-k and -z only apply to -P");
    if (rc == 0 && o.mode != MODE_CONSUME && (o.exit_at_end || o.start != START_BEGINNING))
        rc = usage_error("-o and -e only apply to -C");
    if (rc == 0 && o.mode == MODE_PRODUCE && o.key && o.partition_set)
        rc = usage_error("-P: give -k KEY or -p PARTITION, not both");
    if (rc == 0 && o.mode != MODE_PRODUCE && o.mode != MODE_CONSUME && o.topic)
        rc = usage_error("-t only applies to -P and -C");
    if (rc == 0 && o.mode != MODE_NONE && optind < argc)
        rc = usage_error("unexpected argument '%s'", argv[optind]);
    if (rc == 0 && (user || pass))
        rc = set_prop(conf, "username", user ? user : "iggy");
    if (rc == 0 && (user || pass))
        rc = set_prop(conf, "password", pass ? pass : "iggy");
    /* Like iggy-cli: the default root credentials unless -b or -X gave some. */
    if (rc == 0 && !conf_has(conf, "username") && !conf_has(conf, "personal.access.token")) {
        rc = set_prop(conf, "username", "iggy");
        if (rc == 0)
            rc = set_prop(conf, "password", "iggy");
    }
    if (rc == 0 && iggy_client_new(conf, &c, errstr, sizeof errstr) != IGGY_OK) {
        fprintf(stderr, "iggycat: %s\n", errstr);
        rc = EXIT_FAIL;
    }
    if (rc == 0)
        rc = run(c, &o, argc - optind, argv + optind);
    fflush(stdout);
    iggy_client_destroy(c);
    iggy_conf_destroy(conf);
    return rc;
}
