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

#include "tool_json.h"
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
    bool list_conf;              /* -X list, printed once every option is applied */
    char *broker;                /* bootstrap.servers without credentials, for display */
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
               "                 -X list prints every property with its effective value.\n"
               "                 iggycat fails fast by default (socket.connect.timeout.ms=2000,\n"
               "                 reconnect.max.retries=2, reconnect.backoff.max.ms=1000,\n"
               "                 request.timeout.ms=5000); -X or -b options override that\n"
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

/* ---------------------------------------------------------------- secrets */

/* Every password and token iggycat was given (spans of argv, which outlives every use).
 * Diagnostics are scrubbed of them, since library errors echo addresses and user input
 * verbatim; the conf itself already reads secrets back as "***". */
#define MAX_SECRETS 32
static struct {
    const char *p;
    size_t n;
} secrets[MAX_SECRETS];
static size_t n_secrets;

static void add_secret(const char *p, size_t n)
{
    if (n > 0 && n_secrets < MAX_SECRETS) {
        secrets[n_secrets].p = p;
        secrets[n_secrets++].n = n;
    }
}

/* The userinfo of each comma-separated address ("user:pass@host:port"): a bare -b or
 * bootstrap.servers may carry one, and the library echoes addresses in its errors. */
static void add_address_secrets(const char *list)
{
    while (*list) {
        size_t len = strcspn(list, ",");
        const char *at = NULL;
        for (const char *q = list; q < list + len; q++)
            if (*q == '@')
                at = q;
        if (at) {
            const char *colon = memchr(list, ':', (size_t)(at - list));
            add_secret(list, (size_t)(at - list));
            if (colon)
                add_secret(colon + 1, (size_t)(at - colon - 1));
        }
        list += len + (list[len] == ',');
    }
}

/* The credentials of a connection string "scheme://CREDS@host:port?...": "user:pass" (the
 * password too) or a token. Taken before parsing, so even a rejected string is covered. */
static void add_connection_string_secrets(const char *cs)
{
    const char *creds = strstr(cs, "://"), *end;
    if (!creds)
        return;
    creds += 3;
    end = strrchr(creds, '@');
    if (end) {
        const char *colon = memchr(creds, ':', (size_t)(end - creds));
        add_secret(creds, (size_t)(end - creds));
        if (colon)
            add_secret(colon + 1, (size_t)(end - colon - 1));
    }
}

/* A copy of s with every secret replaced by "***" (longest match first), or NULL when out
 * of memory. The caller frees it. */
static char *scrub(const char *s)
{
    size_t len = strlen(s), o = 0;
    char *out = malloc(3 * len + 1); /* "***" may replace a single character */
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t best = 0;
        for (size_t k = 0; k < n_secrets; k++)
            if (secrets[k].n > best && secrets[k].n <= len - i &&
                memcmp(s + i, secrets[k].p, secrets[k].n) == 0)
                best = secrets[k].n;
        if (best) {
            memcpy(out + o, "***", 3);
            o += 3;
            i += best;
        } else {
            out[o++] = s[i++];
        }
    }
    out[o] = '\0';
    return out;
}

/* Write s scrubbed; a message that cannot be scrubbed is dropped, never printed raw. */
static void put_scrubbed(FILE *f, const char *s)
{
    char *clean = scrub(s);
    fputs(clean ? clean : "(output withheld: out of memory)\n", f);
    free(clean);
}

static void vsay(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static void vsay(const char *fmt, va_list ap)
{
    va_list cp;
    int n;
    char *msg;
    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    msg = n >= 0 ? malloc((size_t)n + 2) : NULL;
    if (!msg) {
        fputs("iggycat: (message withheld: out of memory)\n", stderr);
        return;
    }
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    memcpy(msg + n, "\n", 2);
    fputs("iggycat: ", stderr);
    put_scrubbed(stderr, msg);
    free(msg);
}

/* Every diagnostic goes through here: "iggycat: " + the scrubbed message + newline. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try 'iggycat -h' for help.\n");
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
        say("%s: %s: %s (%s, %d)", what, text, iggy_last_error_detail(), name, (int)err);
    else
        say("%s: %s (%s, %d)", what, text, name, (int)err);
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

static void json_topic_fields(FILE *f, const iggy_topic_t *t)
{
    fprintf(f, "\"id\":%u,\"name\":", t->id);
    tool_json_string(f, t->name);
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
    tool_json_string(f, s->name);
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
            tool_json_string(stdout, g->name);
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
        tool_json_string(stdout, o->broker);
        fputs(",\"streams\":[", stdout);
    } else {
        printf("Metadata from %s:\n %zu stream%s:\n", o->broker, streams->count,
               streams->count == 1 ? "" : "s");
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
        say("out of memory");
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
        say("reading stdin: %s", strerror(errno));
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
        say("produced %zu message%s", sent, sent == 1 ? "" : "s");
    return rc;
}

/* The offset after the partition's last message (0 when it is empty). *wraps is set when
 * that last message sits at 2^64-1, so no later offset exists. */
static iggy_err_t partition_end(iggy_client_t *c, const iggy_identifier_t *stream,
                                const iggy_identifier_t *topic, uint32_t partition, uint64_t *out,
                                bool *wraps)
{
    iggy_topic_t *t = NULL;
    iggy_err_t err = iggy_get_topic(c, stream, topic, &t);
    if (err != IGGY_OK)
        return err;
    *out = 0;
    *wraps = false;
    for (uint32_t i = 0; i < t->partitions_count; i++) {
        const iggy_partition_t *p = &t->partitions[i];
        if (p->id != partition || p->messages_count == 0)
            continue;
        *wraps = p->current_offset == UINT64_MAX;
        *out = *wraps ? UINT64_MAX : p->current_offset + 1;
    }
    iggy_result_destroy(t);
    return IGGY_OK;
}

/* Check a reply to a poll from offset `from` and compute where the next poll starts. Its
 * offsets must rise strictly from `from` on: then every non-empty reply moves the consumer
 * forward, so a server that repeats, rewinds or wraps offsets cannot make it loop or print
 * a message twice. Returns false, with the reason in why, for a reply that breaks this. */
static bool next_poll_offset(const iggy_polled_messages_t *b, uint64_t from, uint64_t *next,
                             char *why, size_t why_size)
{
    uint64_t want = from;
    for (size_t i = 0; i < b->count; i++) {
        uint64_t off = b->messages[i].offset;
        if (off < want) {
            if (i == 0)
                snprintf(why, why_size,
                         "a poll from offset %llu returned offset %llu, which was already "
                         "consumed (the server does not advance)",
                         (unsigned long long)from, (unsigned long long)off);
            else
                snprintf(why, why_size,
                         "a poll from offset %llu returned offset %llu after offset %llu "
                         "(offsets must increase)",
                         (unsigned long long)from, (unsigned long long)off,
                         (unsigned long long)(want - 1));
            return false;
        }
        if (off == UINT64_MAX) {
            snprintf(why, why_size,
                     "a poll from offset %llu returned offset %llu: the next offset would wrap "
                     "past 2^64-1",
                     (unsigned long long)from, (unsigned long long)off);
            return false;
        }
        want = off + 1;
    }
    *next = want;
    return true;
}

/* -C: payloads to stdout, one per line, from -o on; -e stops at the end of the partition. */
static int cmd_consume(iggy_client_t *c, const opts_t *o)
{
    char buf[1024];
    iggy_identifier_t stream, topic;
    iggy_consumer_ref_t consumer = {IGGY_CONSUMER_SINGLE, {NULL, 0}};
    iggy_polled_messages_t *batch = NULL;
    iggy_poll_opts_t po;
    uint32_t partition = o->partition_set ? o->partition : 0;
    uint64_t next = o->start == START_OFFSET ? o->start_offset : 0;
    size_t consumed = 0;
    iggy_err_t err = IGGY_OK;
    char why[256] = "";
    bool wraps = false;
    int rc = split_topic(o->topic, buf, sizeof buf, &stream, &topic);
    if (rc)
        return rc;
    if (o->start == START_END)
        err = partition_end(c, &stream, &topic, partition, &next, &wraps);
    if (wraps)
        snprintf(why, sizeof why,
                 "-o end: the partition's last offset is 2^64-1, the next offset would wrap");
    memset(&po, 0, sizeof po); /* decompress marked payloads */
    while (err == IGGY_OK && !why[0]) {
        iggy_polling_strategy_t s = {IGGY_POLL_OFFSET, next};
        err = iggy_poll_messages_into(c, &consumer, &stream, &topic, &partition, &s, CONSUME_COUNT,
                                      false, &po, &batch);
        if (err != IGGY_OK)
            break;
        /* Validate the whole reply first: a bad one prints nothing. */
        if (!next_poll_offset(batch, s.value, &next, why, sizeof why))
            break;
        for (size_t i = 0; i < batch->count; i++) {
            const iggy_message_t *m = &batch->messages[i];
            if (m->error != IGGY_OK)
                say("offset %llu: %s (payload as received)", (unsigned long long)m->offset,
                    iggy_err2str(m->error));
            if (m->payload_len)
                fwrite(m->payload, 1, m->payload_len, stdout);
            fputc('\n', stdout);
            consumed++;
        }
        if (batch->count == 0 || next > batch->current_offset) {
            /* At the end of the partition: stop (-e) or wait before asking again. */
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
        say("writing stdout: %s", strerror(errno));
        return EXIT_FAIL;
    }
    if (err != IGGY_OK)
        return fail("consume", err);
    if (why[0]) {
        say("consume: %s", why);
        return EXIT_FAIL;
    }
    say("consumed %zu message%s, reached offset %llu", consumed, consumed == 1 ? "" : "s",
        (unsigned long long)next);
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

/* A command a user waits on should fail within seconds when nothing answers; the library's
 * defaults (reconnect without limit within a 30 s request deadline) suit services riding out
 * a server restart. Set before any option, so -X and the connection string override them. */
static const struct {
    const char *name, *value;
} CLI_DEFAULTS[] = {
    {"heartbeat.interval.ms", "0"},        /* a short-lived CLI needs no keep-alive thread */
    {"socket.connect.timeout.ms", "2000"}, /* per attempt, for hosts that drop SYNs */
    {"reconnect.max.retries", "2"},        /* three attempts, not "until the deadline" */
    {"reconnect.backoff.max.ms", "1000"},  /* retries stay at most 1 s apart */
    {"request.timeout.ms", "5000"},        /* bounds connecting too: the deadline covers it */
};

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
        say("%s: %s", name, errstr);
        return EXIT_USAGE;
    }
    return 0;
}

/* Whether the library keeps a property secret: set on a scratch conf, it reads back as
 * "***". This follows the library's table instead of a list of names here. */
static bool is_secret_prop(const char *name, const char *value)
{
    iggy_conf_t *tmp = NULL;
    char v[8];
    size_t n = sizeof v;
    bool secret = value[0] && iggy_conf_new(&tmp) == IGGY_OK &&
                  iggy_conf_set(tmp, name, value, NULL, 0) == IGGY_OK &&
                  iggy_conf_get(tmp, name, v, &n) == IGGY_OK && strcmp(v, "***") == 0;
    iggy_conf_destroy(tmp);
    return secret;
}

/* Apply one -X prop=value; -X list only takes note (main prints the final conf). */
static int set_x(iggy_conf_t *conf, opts_t *o, char *arg)
{
    char *eq = strchr(arg, '=');
    if (strcmp(arg, "list") == 0) {
        o->list_conf = true;
        return 0;
    }
    if (!eq || eq == arg)
        return usage_error("-X expects PROP=VALUE, got '%s'", arg);
    *eq = '\0';
    if (is_secret_prop(arg, eq + 1))
        add_secret(eq + 1, strlen(eq + 1));
    if (strcmp(arg, "bootstrap.servers") == 0)
        add_address_secrets(eq + 1);
    return set_prop(conf, arg, eq + 1);
}

static int set_broker(iggy_conf_t *conf, const char *broker)
{
    char errstr[256];
    if (!strstr(broker, "://")) {
        add_address_secrets(broker);
        return set_prop(conf, "bootstrap.servers", broker);
    }
    add_connection_string_secrets(broker);
    if (iggy_conf_set_connection_string(conf, broker, errstr, sizeof errstr) != IGGY_OK) {
        say("-b: %s", errstr);
        return EXIT_USAGE;
    }
    return 0;
}

/* -u/-p, else the default root credentials unless -b or -X gave some (like iggy-cli). */
static int apply_credentials(iggy_conf_t *conf, const char *user, const char *pass)
{
    int rc = 0;
    if (user || pass) {
        rc = set_prop(conf, "username", user ? user : "iggy");
        if (rc == 0)
            rc = set_prop(conf, "password", pass ? pass : "iggy");
        return rc;
    }
    if (!conf_has(conf, "username") && !conf_has(conf, "personal.access.token")) {
        rc = set_prop(conf, "username", "iggy");
        if (rc == 0)
            rc = set_prop(conf, "password", "iggy");
    }
    return rc;
}

/* The broker as -L shows it, in text and JSON alike: bootstrap.servers with any
 * "userinfo@" dropped from each address. NULL when out of memory; the caller frees it. */
static char *broker_display(const iggy_conf_t *conf)
{
    size_t n = 512, o = 0;
    char *raw = malloc(n), *out = NULL;
    /* Too small: n now holds the size needed (rare, so probing last keeps no stale detail). */
    if (raw && iggy_conf_get(conf, "bootstrap.servers", raw, &n) == IGGY_ERR__MSG_TOO_LARGE) {
        free(raw);
        raw = malloc(n);
        if (raw && iggy_conf_get(conf, "bootstrap.servers", raw, &n) != IGGY_OK)
            raw[0] = '\0';
    }
    if (raw) {
        for (const char *p = raw; *p;) {
            size_t len = strcspn(p, ",");
            const char *start = p;
            for (size_t k = 0; k < len; k++)
                if (p[k] == '@')
                    start = p + k + 1;
            memmove(raw + o, start, (size_t)(p + len - start));
            o += (size_t)(p + len - start);
            p += len;
            if (*p == ',') {
                raw[o++] = ',';
                p++;
            }
        }
        raw[o] = '\0';
        out = scrub(raw);
    }
    free(raw);
    return out;
}

/* -X list: every property with its effective value; secrets print as "***". */
static int list_conf(const iggy_conf_t *conf)
{
    char *dump = iggy_conf_dump(conf);
    if (!dump) {
        say("out of memory");
        return EXIT_FAIL;
    }
    put_scrubbed(stdout, dump);
    iggy_free(dump);
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
        say("out of memory");
        return EXIT_FAIL;
    }
    for (size_t i = 0; i < sizeof CLI_DEFAULTS / sizeof CLI_DEFAULTS[0]; i++)
        set_prop(conf, CLI_DEFAULTS[i].name, CLI_DEFAULTS[i].value);
    while (rc == 0 && (opt = getopt(argc, argv, "+b:u:p:X:LJPCht:k:z:o:e")) != -1) {
        switch (opt) {
        case 'b':
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
                add_secret(pass, strlen(pass));
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
            rc = set_x(conf, &o, optarg);
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
    if (rc == 0 && o.list_conf) {
        rc = apply_credentials(conf, user, pass);
        if (rc == 0)
            rc = list_conf(conf);
        iggy_conf_destroy(conf);
        return rc;
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
    if (rc == 0)
        rc = apply_credentials(conf, user, pass);
    if (rc == 0 && !(o.broker = broker_display(conf))) {
        say("out of memory");
        rc = EXIT_FAIL;
    }
    if (rc == 0 && iggy_client_new(conf, &c, errstr, sizeof errstr) != IGGY_OK) {
        say("%s", errstr);
        rc = EXIT_FAIL;
    }
    if (rc == 0)
        rc = run(c, &o, argc - optind, argv + optind);
    fflush(stdout);
    iggy_client_destroy(c);
    iggy_conf_destroy(conf);
    free(o.broker);
    return rc;
}
