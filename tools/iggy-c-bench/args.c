#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iggy/iggy.h>

#include "humanize.h"

/* iggy-bench's defaults (core/bench/src/args/defaults.rs). */
#define DEFAULT_MESSAGES_PER_BATCH 1000
#define DEFAULT_MESSAGE_BATCHES 1000
#define DEFAULT_MESSAGE_SIZE 1000
#define DEFAULT_PINNED_STREAMS 8
#define DEFAULT_BALANCED_STREAMS 1
#define DEFAULT_BALANCED_PARTITIONS 24
#define DEFAULT_ACTORS 8
#define DEFAULT_CONSUMER_GROUPS 1
#define DEFAULT_SAMPLING_US 10000
#define DEFAULT_MA_WINDOW 20
#define DEFAULT_TCP_ADDRESS "127.0.0.1:8090"

#define EXIT_USAGE 2

enum { LEVEL_GLOBAL, LEVEL_KIND, LEVEL_TCP, LEVEL_OUTPUT };

/* Option ids. */
enum {
    O_HELP = 1,
    O_VERSION,
    /* global */
    O_MESSAGE_SIZE,
    O_MESSAGES_PER_BATCH,
    O_MESSAGE_BATCHES,
    O_TOTAL_DATA,
    O_RATE_LIMIT,
    O_WARMUP,
    O_SAMPLING,
    O_MA_WINDOW,
    O_HIGH_LEVEL,
    O_USERNAME,
    O_PASSWORD,
    O_PRETTY,
    O_REUSE,
    O_FSYNC,
    /* kind */
    O_STREAMS,
    O_PARTITIONS,
    O_PRODUCERS,
    O_CONSUMERS,
    O_GROUPS,
    O_MAX_TOPIC_SIZE,
    O_EXPIRY,
    O_READ_AMP,
    /* tcp */
    O_SERVER_ADDRESS,
    O_NODELAY,
    O_TLS,
    O_TLS_DOMAIN,
    O_TLS_VALIDATE,
    O_TLS_CA_FILE,
    /* output */
    O_OUTPUT_DIR,
    O_IDENTIFIER,
    O_REMARK,
    O_EXTRA_INFO,
    O_GITREF,
    O_GITREF_DATE,
    O_OPEN_CHARTS,
};

/* Kind masks for kind options. */
#define K(k) (1u << (k))
#define K_ALL 0xFFu
#define K_PRODUCING                                                                                \
    (K(KIND_PINNED_PRODUCER) | K(KIND_PINNED_PRODUCER_AND_CONSUMER) | K(KIND_BALANCED_PRODUCER) |  \
     K(KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP) | K(KIND_END_TO_END_PRODUCING_CONSUMER) |        \
     K(KIND_END_TO_END_PRODUCING_CONSUMER_GROUP))

typedef struct opt {
    char shrt;
    const char *lng;
    const char *value; /* the value's name for messages, or NULL for a flag */
    int id;
    unsigned kinds; /* kind options only */
} opt_t;

static const opt_t global_opts[] = {
    {'m', "message-size", "MESSAGE_SIZE", O_MESSAGE_SIZE, 0},
    {'P', "messages-per-batch", "MESSAGES_PER_BATCH", O_MESSAGES_PER_BATCH, 0},
    {'b', "message-batches", "MESSAGE_BATCHES", O_MESSAGE_BATCHES, 0},
    {'T', "total-data", "TOTAL_DATA", O_TOTAL_DATA, 0},
    {'r', "rate-limit", "RATE_LIMIT", O_RATE_LIMIT, 0},
    {'w', "warmup-time", "WARMUP_TIME", O_WARMUP, 0},
    {'t', "sampling-time", "SAMPLING_TIME", O_SAMPLING, 0},
    {'W', "moving-average-window", "MOVING_AVERAGE_WINDOW", O_MA_WINDOW, 0},
    {'H', "high-level-api", NULL, O_HIGH_LEVEL, 0},
    {'u', "username", "USERNAME", O_USERNAME, 0},
    {'p', "password", "PASSWORD", O_PASSWORD, 0},
    {0, "pretty", NULL, O_PRETTY, 0},
    {0, "reuse-streams", NULL, O_REUSE, 0},
    {0, "enforce-fsync", NULL, O_FSYNC, 0},
    {'h', "help", NULL, O_HELP, 0},
    {'V', "version", NULL, O_VERSION, 0},
    {0, NULL, NULL, 0, 0},
};

static const opt_t kind_opts[] = {
    {'s', "streams", "STREAMS", O_STREAMS, K_ALL},
    {'a', "partitions", "PARTITIONS", O_PARTITIONS,
     K(KIND_PINNED_PRODUCER_AND_CONSUMER) | K(KIND_BALANCED_PRODUCER) |
         K(KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP) |
         K(KIND_END_TO_END_PRODUCING_CONSUMER_GROUP)},
    {'p', "producers", "PRODUCERS", O_PRODUCERS,
     K_PRODUCING & ~K(KIND_END_TO_END_PRODUCING_CONSUMER)},
    {'p', "producing-consumers", "PRODUCING_CONSUMERS", O_PRODUCERS,
     K(KIND_END_TO_END_PRODUCING_CONSUMER)},
    {'c', "consumers", "CONSUMERS", O_CONSUMERS,
     K(KIND_PINNED_CONSUMER) | K(KIND_PINNED_PRODUCER_AND_CONSUMER) |
         K(KIND_BALANCED_CONSUMER_GROUP) | K(KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP) |
         K(KIND_END_TO_END_PRODUCING_CONSUMER_GROUP)},
    {'g', "consumer-groups", "CONSUMER_GROUPS", O_GROUPS,
     K(KIND_BALANCED_CONSUMER_GROUP) | K(KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP) |
         K(KIND_END_TO_END_PRODUCING_CONSUMER_GROUP)},
    {'T', "max-topic-size", "MAX_TOPIC_SIZE", O_MAX_TOPIC_SIZE, K_PRODUCING},
    {'e', "message-expiry", "MESSAGE_EXPIRY", O_EXPIRY, K_PRODUCING},
    {'R', "read-amplification", "READ_AMPLIFICATION", O_READ_AMP,
     K(KIND_PINNED_PRODUCER_AND_CONSUMER) | K(KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP)},
    {'h', "help", NULL, O_HELP, K_ALL},
    {0, NULL, NULL, 0, 0},
};

static const opt_t tcp_opts[] = {
    {0, "server-address", "SERVER_ADDRESS", O_SERVER_ADDRESS, 0},
    {0, "nodelay", NULL, O_NODELAY, 0},
    {0, "tls", NULL, O_TLS, 0},
    {0, "tls-domain", "TLS_DOMAIN", O_TLS_DOMAIN, 0},
    {0, "tls-validate-certificate", NULL, O_TLS_VALIDATE, 0},
    {0, "tls-ca-file", "TLS_CA_FILE", O_TLS_CA_FILE, 0},
    {'h', "help", NULL, O_HELP, 0},
    {0, NULL, NULL, 0, 0},
};

static const opt_t output_opts[] = {
    {'o', "output-dir", "OUTPUT_DIR", O_OUTPUT_DIR, 0},
    {0, "identifier", "IDENTIFIER", O_IDENTIFIER, 0},
    {0, "remark", "REMARK", O_REMARK, 0},
    {0, "extra-info", "EXTRA_INFO", O_EXTRA_INFO, 0},
    {0, "gitref", "GITREF", O_GITREF, 0},
    {0, "gitref-date", "GITREF_DATE", O_GITREF_DATE, 0},
    {'c', "open-charts", NULL, O_OPEN_CHARTS, 0},
    {'h', "help", NULL, O_HELP, 0},
    {0, NULL, NULL, 0, 0},
};

static const struct {
    const char *name, *alias, *about;
} kinds[] = {
    [KIND_PINNED_PRODUCER] = {"pinned-producer", "pp", "Pinned producer benchmark"},
    [KIND_PINNED_CONSUMER] = {"pinned-consumer", "pc", "Pinned consumer benchmark"},
    [KIND_PINNED_PRODUCER_AND_CONSUMER] = {"pinned-producer-and-consumer", "ppc",
                                           "Pinned producer and consumer benchmark"},
    [KIND_BALANCED_PRODUCER] = {"balanced-producer", "bp", "Balanced producer benchmark"},
    [KIND_BALANCED_CONSUMER_GROUP] = {"balanced-consumer-group", "bcg",
                                      "Balanced consumer group benchmark"},
    [KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP] =
        {"balanced-producer-and-consumer-group", "bpcg",
         "N producers sending to M partitions in K streams, L consumers polling from P consumer "
         "groups"},
    [KIND_END_TO_END_PRODUCING_CONSUMER] = {"end-to-end-producing-consumer", "e2e",
                                            "N producing consumers sending and polling to/from M "
                                            "streams"},
    [KIND_END_TO_END_PRODUCING_CONSUMER_GROUP] = {"end-to-end-producing-consumer-group", "e2ecg",
                                                  "N producing consumers assigned to M consumer "
                                                  "groups sending and polling to/from K streams"},
};

static const char *const snake_names[] = {
    "pinned_producer",
    "pinned_consumer",
    "pinned_producer_and_consumer",
    "balanced_producer",
    "balanced_consumer_group",
    "balanced_producer_and_consumer_group",
    "end_to_end_producing_consumer",
    "end_to_end_producing_consumer_group",
};

static const char *const display_names[] = {
    "Pinned Producer",
    "Pinned Consumer",
    "Pinned Producer And Consumer",
    "Balanced Producer",
    "Balanced Consumer Group",
    "Balanced Producer And Consumer Group",
    "End To End Producing Consumer",
    "End To End Producing Consumer Group",
};

const char *kind_cli_name(bench_kind_t k)
{
    return kinds[k].name;
}

const char *kind_snake_name(bench_kind_t k)
{
    return snake_names[k];
}

const char *kind_display_name(bench_kind_t k)
{
    return display_names[k];
}

/* ---------------------------------------------------------------- help */

static void help_global(void)
{
    printf("Benchmarking CLI for Iggy message streaming platform (libiggy's iggy-c-bench)\n\n"
           "Usage: iggy-c-bench [OPTIONS] <COMMAND>\n\nCommands:\n");
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
        printf("  %-38s %s [alias: %s]\n", kinds[k].name, kinds[k].about, kinds[k].alias);
    printf("  %-38s %s\n", "examples", "Print examples [alias: e]");
    printf("  %-38s %s\n", "help", "Print this message or the help of the given subcommand(s)");
    printf(
        "\nOptions:\n"
        "  -m, --message-size <MESSAGE_SIZE>      Message size in bytes, a value or a range (e.g. "
        "\"200..500\") [default: 1000]\n"
        "  -P, --messages-per-batch <N>           Number of messages per batch [default: 1000]\n"
        "  -b, --message-batches <N>              Number of message batches per actor (exclusive "
        "with -T) [default: 1000]\n"
        "  -T, --total-data <TOTAL_DATA>          Total size of all messages to process "
        "(aggregate, e.g. 1GB)\n"
        "  -r, --rate-limit <RATE_LIMIT>          Optional total rate limit (aggregate, e.g. "
        "50KB, 10MB, 1GB)\n"
        "  -w, --warmup-time <WARMUP_TIME>        Warmup time, e.g. \"1s\", \"2m\" [default: "
        "0s]\n"
        "  -t, --sampling-time <SAMPLING_TIME>    Sampling time and time series bucket size "
        "[default: 10ms]\n"
        "  -W, --moving-average-window <N>        Window of the moving average of time series "
        "[default: 20]\n"
        "  -H, --high-level-api                   Use the high-level producer and consumer "
        "(include/iggy/producer.h, consumer.h)\n"
        "  -u, --username <USERNAME>              Username for server authentication [default: "
        "iggy]\n"
        "  -p, --password <PASSWORD>              Password for server authentication [default: "
        "iggy]\n"
        "      --pretty                           Pretty table output for benchmark results\n"
        "      --reuse-streams                    Reuse existing bench streams instead of "
        "deleting and recreating them\n"
        "      --enforce-fsync                    Fsync every write on the benchmark topic (set "
        "at topic creation)\n"
        "  -h, --help                             Print help\n"
        "  -V, --version                          Print version\n");
}

static void help_kind(bench_kind_t k)
{
    printf("%s\n\nUsage: iggy-c-bench %s [OPTIONS] <COMMAND>\n\nCommands:\n  tcp\n  help\n"
           "(http, quic and web-socket are iggy-bench transports that libiggy does not speak)\n\n"
           "Options:\n",
           kinds[k].about, kinds[k].name);
    for (const opt_t *o = kind_opts; o->id; o++) {
        char left[64];
        if (!(o->kinds & K(k)))
            continue;
        if (o->value)
            snprintf(left, sizeof left, "-%c, --%s <%s>", o->shrt, o->lng, o->value);
        else
            snprintf(left, sizeof left, "-%c, --%s", o->shrt, o->lng);
        printf("  %-48s", left);
        switch (o->id) {
        case O_STREAMS:
            if (k == KIND_PINNED_PRODUCER || k == KIND_PINNED_PRODUCER_AND_CONSUMER)
                printf("Number of streams [default: the number of producers]\n");
            else if (k == KIND_PINNED_CONSUMER)
                printf("Number of streams [default: the number of consumers]\n");
            else if (k == KIND_END_TO_END_PRODUCING_CONSUMER)
                printf("Number of streams [default: 8]\n");
            else
                printf("Number of streams [default: 1]\n");
            break;
        case O_PARTITIONS:
            printf("Number of partitions [default: %d]\n",
                   k == KIND_PINNED_PRODUCER_AND_CONSUMER ? 1 : DEFAULT_BALANCED_PARTITIONS);
            break;
        case O_PRODUCERS:
            printf("Number of %s [default: 8]\n",
                   k == KIND_END_TO_END_PRODUCING_CONSUMER ? "producing consumers" : "producers");
            break;
        case O_CONSUMERS:
            printf("Number of consumers [default: 8]\n");
            break;
        case O_GROUPS:
            printf("Number of consumer groups [default: 1]\n");
            break;
        case O_MAX_TOPIC_SIZE:
            printf("Max topic size, e.g. \"1GiB\" [default: unlimited]\n");
            break;
        case O_EXPIRY:
            printf("Topic message expiry time, e.g. \"1s\", \"5min\" [default: never]\n");
            break;
        case O_READ_AMP:
            printf("Consumer rate limit multiplier relative to the producer rate [default: "
                   "1.05]\n");
            break;
        default:
            printf("Print help\n");
        }
    }
}

static void help_tcp(void)
{
    printf("Usage: iggy-c-bench <KIND> tcp [OPTIONS] [COMMAND]\n\nCommands:\n"
           "  output  Output results to a directory subcommand\n  help\n\nOptions:\n"
           "      --server-address <SERVER_ADDRESS>  Address of the TCP iggy-server [default: "
           "127.0.0.1:8090]\n"
           "      --nodelay                          Disable Nagle's algorithm\n"
           "      --tls                              Enable TLS encryption\n"
           "      --tls-domain <TLS_DOMAIN>          TLS domain name [default: localhost]\n"
           "      --tls-validate-certificate         Validate TLS certificate\n"
           "      --tls-ca-file <TLS_CA_FILE>        Path to CA certificate file for TLS "
           "validation\n"
           "  -h, --help                             Print help\n");
}

static void help_output(void)
{
    printf("Output results to a directory subcommand\n\n"
           "Usage: iggy-c-bench <KIND> tcp output [OPTIONS]\n\nOptions:\n"
           "  -o, --output-dir <OUTPUT_DIR>    Output directory path for storing benchmark "
           "results [default: performance_results]\n"
           "      --identifier <IDENTIFIER>    Identifier for the benchmark run [default: the "
           "hostname]\n"
           "      --remark <REMARK>            Additional remark for the benchmark [default: "
           "libiggy]\n"
           "      --extra-info <EXTRA_INFO>    Extra information\n"
           "      --gitref <GITREF>            Git reference used for note in the results "
           "[default: the server version]\n"
           "      --gitref-date <GITREF_DATE>  Git reference date [default: the report time]\n"
           "  -c, --open-charts                Accepted for compatibility; iggy-c-bench draws "
           "no charts\n"
           "  -h, --help                       Print help\n");
}

static void print_examples(void)
{
    printf(
        "EXAMPLES:\n\n"
        "1) Pinned Mode Benchmarking (one stream per producer or consumer):\n\n"
        "    $ iggy-c-bench pinned-producer --streams 10 --producers 10 tcp\n"
        "    $ iggy-c-bench pinned-consumer --streams 10 --consumers 10 tcp\n"
        "    $ iggy-c-bench pinned-producer-and-consumer --streams 10 --producers 10 "
        "--consumers 10 tcp\n"
        "    $ iggy-c-bench -T 10GB pp --producers 5 tcp\n\n"
        "2) Balanced Mode Benchmarking:\n\n"
        "    $ iggy-c-bench balanced-producer --partitions 24 --producers 6 tcp\n"
        "    $ iggy-c-bench balanced-consumer-group --consumers 6 tcp\n"
        "    $ iggy-c-bench balanced-producer-and-consumer-group --partitions 24 --producers 6 "
        "--consumers 6 tcp\n\n"
        "3) End-to-End Benchmarking:\n\n"
        "    $ iggy-c-bench end-to-end-producing-consumer --producers 12 --streams 12 tcp\n"
        "    $ iggy-c-bench end-to-end-producing-consumer-group --partitions 24 --producers 6 "
        "tcp\n\n"
        "4) Advanced Configuration (global options go before the benchmark command):\n\n"
        "    $ iggy-c-bench --message-size 1000 --messages-per-batch 100 --message-batches 1000 "
        "\\\n        --rate-limit 100MB balanced-producer --streams 5 --producers 5 tcp\n"
        "    $ iggy-c-bench --message-size 100..1000 --messages-per-batch 100 --total-data 1GB "
        "\\\n        balanced-producer --streams 5 --producers 5 tcp\n"
        "    $ iggy-c-bench -H pp -p 1 tcp          # the high-level producer\n\n"
        "5) Remote Server Benchmarking:\n\n"
        "    $ iggy-c-bench --username admin --password secret pinned-producer --streams 5 "
        "--producers 5 \\\n        tcp --server-address 192.168.1.100:8090 --nodelay\n\n"
        "6) Output Data and Results (report.json under ./performance_results):\n\n"
        "    $ iggy-c-bench pinned-producer --streams 10 --producers 10 tcp output\n"
        "    $ iggy-c-bench balanced-producer --partitions 24 --producers 6 tcp output \\\n"
        "        --identifier \"prod-test-$(date +%%Y%%m%%d)\" --remark libiggy-production-config "
        "\\\n        --gitref \"$(git rev-parse --short HEAD)\" --gitref-date \"$(git show -s "
        "--format=%%cI HEAD)\"\n\n"
        "7) Help:\n\n"
        "    $ iggy-c-bench --help\n"
        "    $ iggy-c-bench pinned-producer --help\n"
        "    $ iggy-c-bench pinned-producer tcp --help\n"
        "    $ iggy-c-bench pinned-producer tcp output --help\n");
}

/* ---------------------------------------------------------------- values */

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "error: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n\nFor more information, try '--help'.\n");
    return EXIT_USAGE;
}

static int bad_value(const opt_t *o, const char *v, const char *why)
{
    char name[96];
    snprintf(name, sizeof name, "--%s <%s>", o->lng, o->value);
    fprintf(stderr,
            "error: invalid value '%s' for '%s': %s\n\nFor more information, try "
            "'--help'.\n",
            v, name, why);
    return EXIT_USAGE;
}

static bool parse_u32(const char *s, uint32_t *out)
{
    char *end;
    unsigned long long v;
    if (!*s || *s == '-' || *s == '+')
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static int parse_nonzero(const opt_t *o, const char *v, uint32_t *out)
{
    if (!parse_u32(v, out))
        return bad_value(o, v, "invalid digit found in string");
    if (!*out)
        return bad_value(o, v, "number would be zero for non-zero type");
    return 0;
}

static int parse_numparam(const opt_t *o, const char *v, numparam_t *out)
{
    const char *dots = strstr(v, "..");
    char lo[32];
    if (!dots) {
        if (!parse_u32(v, &out->min))
            return bad_value(o, v, "Invalid value");
        out->max = out->min;
        return 0;
    }
    if ((size_t)(dots - v) >= sizeof lo || strstr(dots + 2, ".."))
        return bad_value(o, v, "Invalid range format. Expected format: min..max");
    memcpy(lo, v, (size_t)(dots - v));
    lo[dots - v] = '\0';
    if (!parse_u32(lo, &out->min))
        return bad_value(o, v, "Invalid minimum value");
    if (!parse_u32(dots + 2, &out->max))
        return bad_value(o, v, "Invalid maximum value");
    if (out->min > out->max)
        return bad_value(o, v, "Minimum value cannot be greater than maximum value");
    return 0;
}

uint32_t numparam_get(numparam_t p, uint64_t *rng)
{
    uint64_t x = *rng;
    if (p.min == p.max)
        return p.min;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *rng = x;
    return p.min + (uint32_t)(x % ((uint64_t)p.max - p.min + 1));
}

void numparam_str(numparam_t p, char *buf, size_t cap)
{
    if (p.min == p.max)
        snprintf(buf, cap, "%u", p.min);
    else
        snprintf(buf, cap, "%u..%u", p.min, p.max);
}

/* ---------------------------------------------------------------- kind properties */

uint32_t args_streams(const bench_args_t *a)
{
    if (a->streams)
        return a->streams;
    switch (a->kind) {
    case KIND_PINNED_PRODUCER:
    case KIND_PINNED_PRODUCER_AND_CONSUMER:
        return a->producers;
    case KIND_PINNED_CONSUMER:
        return a->consumers;
    case KIND_END_TO_END_PRODUCING_CONSUMER:
        return DEFAULT_PINNED_STREAMS;
    default:
        return DEFAULT_BALANCED_STREAMS;
    }
}

uint32_t args_partitions(const bench_args_t *a)
{
    switch (a->kind) {
    case KIND_PINNED_PRODUCER:
    case KIND_END_TO_END_PRODUCING_CONSUMER:
        return 1;
    case KIND_PINNED_CONSUMER:
    case KIND_BALANCED_CONSUMER_GROUP:
        return 0;
    default:
        return a->partitions;
    }
}

uint32_t args_producers(const bench_args_t *a)
{
    switch (a->kind) {
    case KIND_PINNED_CONSUMER:
    case KIND_BALANCED_CONSUMER_GROUP:
        return 0;
    default:
        return a->producers;
    }
}

uint32_t args_consumers(const bench_args_t *a)
{
    switch (a->kind) {
    case KIND_PINNED_PRODUCER:
    case KIND_BALANCED_PRODUCER:
        return 0;
    case KIND_END_TO_END_PRODUCING_CONSUMER:
        return a->producers;
    default:
        return a->consumers;
    }
}

uint32_t args_consumer_groups(const bench_args_t *a)
{
    switch (a->kind) {
    case KIND_BALANCED_CONSUMER_GROUP:
    case KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP:
    case KIND_END_TO_END_PRODUCING_CONSUMER_GROUP:
        return a->consumer_groups;
    default:
        return 0;
    }
}

bool args_has_read_amplification(const bench_args_t *a)
{
    return a->kind == KIND_PINNED_PRODUCER_AND_CONSUMER ||
           a->kind == KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP;
}

/* ---------------------------------------------------------------- parsing */

typedef struct parser {
    int argc, i;
    char **argv;
    bool batches_given, total_given;
} parser_t;

/* Find the option an argument names. *inline_value gets "=v" or the rest of a short cluster. */
static const opt_t *find_opt(const opt_t *table, unsigned kind_mask, const char *arg,
                             const char **inline_value, char *short_rest)
{
    *inline_value = NULL;
    if (arg[1] == '-') {
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        for (const opt_t *o = table; o->id; o++) {
            if (o->kinds && !(o->kinds & kind_mask))
                continue;
            if (strlen(o->lng) == len && !strncmp(o->lng, name, len)) {
                *inline_value = eq ? eq + 1 : NULL;
                return o;
            }
        }
        return NULL;
    }
    for (const opt_t *o = table; o->id; o++) {
        if (o->kinds && !(o->kinds & kind_mask))
            continue;
        if (o->shrt && o->shrt == arg[1]) {
            if (arg[2]) {
                if (o->value) {
                    *inline_value = arg[2] == '=' ? arg + 3 : arg + 2;
                } else {
                    /* "-Hm100": the flag, then the rest as another short cluster */
                    short_rest[0] = '-';
                    strncpy(short_rest + 1, arg + 2, 254);
                    short_rest[255] = '\0';
                }
            }
            return o;
        }
    }
    return NULL;
}

static int apply_global(bench_args_t *a, parser_t *ps, const opt_t *o, const char *v)
{
    int rc = 0;
    switch (o->id) {
    case O_MESSAGE_SIZE:
        return parse_numparam(o, v, &a->message_size);
    case O_MESSAGES_PER_BATCH:
        return parse_numparam(o, v, &a->messages_per_batch);
    case O_MESSAGE_BATCHES:
        ps->batches_given = true;
        return parse_nonzero(o, v, &a->message_batches);
    case O_TOTAL_DATA:
        ps->total_given = true;
        if (!hz_parse_size(v, &a->total_data))
            return bad_value(o, v, "expected a size such as 1000, 10MB or 1GiB");
        return 0;
    case O_RATE_LIMIT:
        if (!hz_parse_size(v, &a->rate_limit))
            return bad_value(o, v, "expected a size such as 50KB, 10MB or 1GB");
        a->rate_limit_set = true;
        return 0;
    case O_WARMUP:
        if (!hz_parse_duration_us(v, &a->warmup_us))
            return bad_value(o, v, "expected a duration such as 0s, 10ms or 2m");
        return 0;
    case O_SAMPLING:
        if (!hz_parse_duration_us(v, &a->sampling_us))
            return bad_value(o, v, "expected a duration such as 10ms or 1s");
        if (!a->sampling_us)
            return bad_value(o, v, "the sampling time must be at least 1us");
        return 0;
    case O_MA_WINDOW:
        if ((rc = parse_nonzero(o, v, &a->moving_average_window)) != 0)
            return rc;
        return 0;
    case O_HIGH_LEVEL:
        a->high_level_api = true;
        return 0;
    case O_USERNAME:
        a->username = v;
        return 0;
    case O_PASSWORD:
        a->password = v;
        return 0;
    case O_PRETTY:
        a->pretty = true;
        return 0;
    case O_REUSE:
        a->reuse_streams = true;
        return 0;
    case O_FSYNC:
        a->enforce_fsync = true;
        return 0;
    }
    return 0;
}

static int apply_kind(bench_args_t *a, const opt_t *o, const char *v)
{
    switch (o->id) {
    case O_STREAMS:
        return parse_nonzero(o, v, &a->streams);
    case O_PARTITIONS:
        return parse_nonzero(o, v, &a->partitions);
    case O_PRODUCERS:
        return parse_nonzero(o, v, &a->producers);
    case O_CONSUMERS:
        return parse_nonzero(o, v, &a->consumers);
    case O_GROUPS:
        return parse_nonzero(o, v, &a->consumer_groups);
    case O_MAX_TOPIC_SIZE:
        if (!hz_parse_size(v, &a->max_topic_size))
            return bad_value(o, v, "expected a size such as 1GiB");
        return 0;
    case O_EXPIRY:
        if (!strcmp(v, "unlimited") || !strcmp(v, "none") || !strcmp(v, "None") ||
            !strcmp(v, "Unlimited") || !strcmp(v, "never_expire")) {
            a->expiry = EXPIRY_NEVER;
        } else if (!strcmp(v, "default") || !strcmp(v, "server_default") || !strcmp(v, "Default") ||
                   !strcmp(v, "Server_default")) {
            a->expiry = EXPIRY_SERVER_DEFAULT;
        } else if (hz_parse_duration_us_exact(v, &a->expiry_us)) {
            if (a->expiry_us / 1000000 > UINT32_MAX)
                return bad_value(o, v, "Value too big for expiry time");
            a->expiry = EXPIRY_DURATION;
        } else {
            return bad_value(o, v, "expected a duration such as 1s, 5min or 1h");
        }
        return 0;
    case O_READ_AMP: {
        char *end;
        errno = 0;
        a->read_amplification = strtof(v, &end);
        if (errno || !*v || *end || !isfinite(a->read_amplification))
            return bad_value(o, v, "invalid float literal");
        return 0;
    }
    }
    return 0;
}

static int apply_tcp(bench_args_t *a, const opt_t *o, const char *v)
{
    switch (o->id) {
    case O_SERVER_ADDRESS:
        a->server_address = v;
        break;
    case O_NODELAY:
        a->nodelay = true;
        break;
    case O_TLS:
        a->tls = true;
        break;
    case O_TLS_DOMAIN:
        a->tls_domain = v;
        break;
    case O_TLS_VALIDATE:
        a->tls_validate_certificate = true;
        break;
    case O_TLS_CA_FILE:
        a->tls_ca_file = v;
        break;
    }
    return 0;
}

static int apply_output(bench_args_t *a, const opt_t *o, const char *v)
{
    switch (o->id) {
    case O_OUTPUT_DIR:
        a->output_dir = v;
        break;
    case O_IDENTIFIER:
        a->identifier = v;
        break;
    case O_REMARK:
        a->remark = v;
        break;
    case O_EXTRA_INFO:
        a->extra_info = v;
        break;
    case O_GITREF:
        a->gitref = v;
        break;
    case O_GITREF_DATE:
        a->gitref_date = v;
        break;
    case O_OPEN_CHARTS:
        a->open_charts = true;
        break;
    }
    return 0;
}

static void print_help(int level, bench_kind_t kind)
{
    switch (level) {
    case LEVEL_GLOBAL:
        help_global();
        break;
    case LEVEL_KIND:
        help_kind(kind);
        break;
    case LEVEL_TCP:
        help_tcp();
        break;
    default:
        help_output();
    }
}

/* Parse one level's options up to its subcommand (returned in *sub, NULL at the end). Returns
 * -1 to go on, or an exit status. */
static int parse_level(bench_args_t *a, parser_t *ps, int level, const char **sub)
{
    static const opt_t *const tables[] = {global_opts, kind_opts, tcp_opts, output_opts};
    char rest[256];
    *sub = NULL;
    while (ps->i < ps->argc) {
        const char *arg = ps->argv[ps->i++], *v;
        const opt_t *o;
        if (arg[0] != '-' || !arg[1]) {
            *sub = arg;
            return -1;
        }
        for (;;) {
            rest[0] = '\0';
            o = find_opt(tables[level], K(a->kind), arg, &v, rest);
            if (!o)
                return usage_error("unexpected argument '%s' found", arg);
            if (o->value && !v) {
                if (ps->i >= ps->argc) {
                    char name[96];
                    snprintf(name, sizeof name, "--%s <%s>", o->lng, o->value);
                    return usage_error("a value is required for '%s' but none was supplied", name);
                }
                v = ps->argv[ps->i++];
            }
            if (o->id == O_HELP) {
                print_help(level, a->kind);
                return 0;
            }
            if (o->id == O_VERSION) {
                printf("iggy-c-bench %s (libiggy %s)\n", IGGY_VERSION_STR, iggy_version_str());
                return 0;
            }
            {
                int rc = 0;
                if (level == LEVEL_GLOBAL)
                    rc = apply_global(a, ps, o, v);
                else if (level == LEVEL_KIND)
                    rc = apply_kind(a, o, v);
                else if (level == LEVEL_TCP)
                    rc = apply_tcp(a, o, v);
                else
                    rc = apply_output(a, o, v);
                if (rc)
                    return rc;
            }
            if (!rest[0] || !rest[1])
                break;
            arg = rest;
        }
    }
    return -1;
}

static void set_defaults(bench_args_t *a)
{
    memset(a, 0, sizeof *a);
    a->message_size.min = a->message_size.max = DEFAULT_MESSAGE_SIZE;
    a->messages_per_batch.min = a->messages_per_batch.max = DEFAULT_MESSAGES_PER_BATCH;
    a->sampling_us = DEFAULT_SAMPLING_US;
    a->moving_average_window = DEFAULT_MA_WINDOW;
    a->username = "iggy";
    a->password = "iggy";
    a->producers = a->consumers = DEFAULT_ACTORS;
    a->consumer_groups = DEFAULT_CONSUMER_GROUPS;
    a->expiry = EXPIRY_NEVER;
    a->read_amplification = 1.05f;
    a->server_address = DEFAULT_TCP_ADDRESS;
    a->tls_domain = "localhost";
    a->output_dir = "performance_results";
}

/* BenchmarkKindProps::validate and IggyBenchArgs::validate, with iggy-bench's messages. */
static int validate(bench_args_t *a, parser_t *ps)
{
    uint32_t streams = args_streams(a), groups = args_consumer_groups(a);
    char msg[256];
    if (ps->batches_given && ps->total_given)
        return usage_error("the argument '--message-batches <MESSAGE_BATCHES>' cannot be used "
                           "with '--total-data <TOTAL_DATA>'");
    if (!ps->total_given) {
        a->total_data = 0;
        if (!ps->batches_given)
            a->message_batches = DEFAULT_MESSAGE_BATCHES;
    } else {
        a->message_batches = 0;
        if (a->message_size.min == 0 || a->total_data / a->message_size.min <= 1)
            return usage_error("--total-messages-size must be at least 2x greater than "
                               "--message-size");
    }
    if (a->high_level_api && !numparam_fixed(a->messages_per_batch))
        return usage_error("High-level consumer API (--high-level-api) requires fixed batch "
                           "size, but random batch size was specified. Use a single value "
                           "instead of a range for --messages-per-batch.");
    if (a->messages_per_batch.min == 0 || a->message_size.max == 0)
        return usage_error("--messages-per-batch and --message-size must be at least 1");
    msg[0] = '\0';
    switch (a->kind) {
    case KIND_PINNED_PRODUCER:
        if (streams != a->producers)
            snprintf(msg, sizeof msg,
                     "For pinned producer, number of streams (%u) must be equal to the number "
                     "of producers (%u).",
                     streams, a->producers);
        break;
    case KIND_PINNED_CONSUMER:
        if (streams > a->consumers)
            snprintf(msg, sizeof msg,
                     "For pinned consumer, number of streams (%u) must be equal to the number "
                     "of consumers (%u).",
                     streams, a->consumers);
        break;
    case KIND_PINNED_PRODUCER_AND_CONSUMER:
        if (a->partitions > 1)
            snprintf(msg, sizeof msg, "For pinned producer, number of partitions must be 1, got %u",
                     a->partitions);
        else if (streams != a->producers)
            snprintf(msg, sizeof msg,
                     "In pinned producer and consumer, the number of producers (%u) must be "
                     "equal to the number of streams (%u).",
                     a->producers, streams);
        break;
    case KIND_BALANCED_PRODUCER:
        if (a->partitions < 2)
            snprintf(msg, sizeof msg,
                     "For balanced producer, number of partitions must be at least 2, got %u",
                     a->partitions);
        break;
    case KIND_BALANCED_CONSUMER_GROUP:
        if (groups < streams)
            snprintf(msg, sizeof msg,
                     "In balanced consumer group, consumer groups number (%u) must be greater "
                     "than or equal to the number of streams (%u)",
                     groups, streams);
        break;
    case KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP:
        if (groups < streams)
            snprintf(msg, sizeof msg,
                     "Consumer groups number must be less than or equal to the number of "
                     "streams.");
        else if (a->partitions < a->consumers)
            snprintf(msg, sizeof msg,
                     "Consumer number must be greater than the number of partitions.");
        break;
    case KIND_END_TO_END_PRODUCING_CONSUMER:
        if (streams > a->producers)
            snprintf(msg, sizeof msg,
                     "For producing consumer, number of streams (%u) must be less than or equal "
                     "to the number of producers (%u).",
                     streams, a->producers);
        break;
    case KIND_END_TO_END_PRODUCING_CONSUMER_GROUP:
        if (streams > a->producers)
            snprintf(msg, sizeof msg,
                     "For producing consumer group benchmark, number of streams (%u) must be "
                     "less than or equal to the number of producers (%u).",
                     streams, a->producers);
        else if (groups < streams)
            snprintf(msg, sizeof msg,
                     "For producing consumer group benchmark, consumer groups number (%u) must "
                     "be less than the number of streams (%u)",
                     groups, streams);
        break;
    }
    if (msg[0])
        return usage_error("%s", msg);
    return -1;
}

int args_parse(bench_args_t *a, int argc, char **argv)
{
    parser_t ps = {argc, 1, argv, false, false};
    const char *sub;
    int rc;
    bool kind_found = false;

    set_defaults(a);
    if ((rc = parse_level(a, &ps, LEVEL_GLOBAL, &sub)) >= 0)
        return rc;
    if (!sub) {
        help_global();
        return EXIT_USAGE;
    }
    if (!strcmp(sub, "examples") || !strcmp(sub, "e")) {
        print_examples();
        return 0;
    }
    if (!strcmp(sub, "help")) {
        help_global();
        return 0;
    }
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        if (!strcmp(sub, kinds[k].name) || !strcmp(sub, kinds[k].alias)) {
            a->kind = (bench_kind_t)k;
            kind_found = true;
        }
    }
    if (!kind_found)
        return usage_error("unrecognized subcommand '%s'", sub);
    a->partitions = a->kind == KIND_PINNED_PRODUCER_AND_CONSUMER ? 1 : DEFAULT_BALANCED_PARTITIONS;
    if ((rc = parse_level(a, &ps, LEVEL_KIND, &sub)) >= 0)
        return rc;
    if (!sub)
        return usage_error("'iggy-c-bench %s' requires a subcommand but one was not provided "
                           "(tcp)",
                           kinds[a->kind].name);
    if (!strcmp(sub, "help")) {
        help_kind(a->kind);
        return 0;
    }
    if (!strcmp(sub, "http") || !strcmp(sub, "quic") || !strcmp(sub, "web-socket") ||
        !strcmp(sub, "ws")) {
        fprintf(stderr,
                "error: transport '%s' is not supported: libiggy speaks the binary protocol "
                "over TCP only; use 'tcp'\n",
                sub);
        return EXIT_USAGE;
    }
    if (strcmp(sub, "tcp"))
        return usage_error("unrecognized subcommand '%s'", sub);
    if ((rc = parse_level(a, &ps, LEVEL_TCP, &sub)) >= 0)
        return rc;
    if (sub) {
        if (!strcmp(sub, "help")) {
            help_tcp();
            return 0;
        }
        if (strcmp(sub, "output"))
            return usage_error("unrecognized subcommand '%s'", sub);
        a->output = true;
        if ((rc = parse_level(a, &ps, LEVEL_OUTPUT, &sub)) >= 0)
            return rc;
        if (sub)
            return usage_error("unexpected argument '%s' found", sub);
    }
    return validate(a, &ps);
}
