/* iggycat: a kcat-style command-line client for Apache Iggy over libiggy.
 *
 *   iggycat -b host:port -u USER -p PASS -L [-J]      list the metadata
 *   iggycat -b iggy://user:pass@host:port stream list
 *   iggycat -b host:port topic create STREAM NAME PARTITIONS
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

#include <iggy/iggy.h>

#define EXIT_FAIL 1
#define EXIT_USAGE 2

/* Modes: -L lists metadata, a subcommand runs an admin call. -P and -C (produce and
 * consume) are reserved for a later version. */
typedef enum mode {
    MODE_NONE,
    MODE_LIST,
    MODE_PRODUCE,
    MODE_CONSUME,
} iggycat_mode_t;

typedef struct opts {
    iggycat_mode_t mode;
    bool json;
    bool user_set;
    const char *broker;
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
               "  -P, -C         produce / consume: not implemented yet\n"
               "  -h             print this help\n"
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

static int run(iggy_client_t *c, const opts_t *o, int argc, char **argv)
{
    if (o->mode == MODE_LIST)
        return cmd_list_all(c, o);
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
    opts_t o = {MODE_NONE, false, false, NULL};
    iggy_conf_t *conf = NULL;
    iggy_client_t *c = NULL;
    const char *user = NULL, *pass = NULL;
    char errstr[256];
    int opt, rc = 0;

    if (iggy_conf_new(&conf) != IGGY_OK) {
        fprintf(stderr, "iggycat: out of memory\n");
        return EXIT_FAIL;
    }
    /* A short-lived CLI needs no keep-alive thread. */
    set_prop(conf, "heartbeat.interval.ms", "0");
    while (rc == 0 && (opt = getopt(argc, argv, "+b:u:p:X:LJPCh")) != -1) {
        switch (opt) {
        case 'b':
            o.broker = optarg;
            rc = set_broker(conf, optarg);
            break;
        case 'u':
            user = optarg;
            break;
        case 'p':
            pass = optarg;
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
    if (rc == 0 && (o.mode == MODE_PRODUCE || o.mode == MODE_CONSUME))
        rc = usage_error("%s: produce and consume modes are not implemented yet",
                         o.mode == MODE_PRODUCE ? "-P" : "-C");
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
