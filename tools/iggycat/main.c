/* iggycat: a kcat-style command-line client for Apache Iggy over libiggy.
 *
 *   iggycat -b host:port -L [-t STREAM/TOPIC] [-J]        list the metadata
 *   iggycat -b host:port -P -t STREAM/TOPIC [-K :] < lines  produce
 *   iggycat -b host:port -C -t STREAM/TOPIC [-G g] [-o end] consume
 *   iggycat -b iggy://user:pass@host:port stream list      an admin command
 *
 * Exit codes: 0 success, 1 a failed call (the reason on stderr), 2 a usage error. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "iggycat.h"

static void usage(FILE *f)
{
    fprintf(
        f,
        "Usage: iggycat [options] -L [-t STREAM/TOPIC] [-J]\n"
        "       iggycat [options] -P -t STREAM/TOPIC [-p N | -k KEY | -K DELIM] [-H NAME=VALUE]\n"
        "               [-z CODEC] [-c N] [FILE...]\n"
        "       iggycat [options] -C -t STREAM/TOPIC [-p N | -G GROUP] [-o OFFSET] [-c N] [-e]\n"
        "               [-f FORMAT | -J] [-K DELIM]\n"
        "       iggycat [options] COMMAND [ARGS...]\n"
        "\n"
        "A kcat-style client for Apache Iggy (binary protocol over TCP).\n"
        "\n"
        "Connection:\n"
        "  -b BROKER      host:port (default 127.0.0.1:8090), or a connection string\n"
        "                 iggy://USER:PASS@host:port?options or iggy://TOKEN@host:port\n"
        "  -u USER        username (default: iggy, unless -b or -X give credentials)\n"
        "  -p PASS        password (default: iggy); after -P or -C, -p is the partition\n"
        "  -X PROP=VALUE  set any client configuration property (repeatable), such as\n"
        "                 producer.linger.ms or consumer.id; -X list prints every property\n"
        "                 with its effective value. iggycat's own defaults:\n"
        "                 socket.connect.timeout.ms=2000, reconnect.max.retries=2,\n"
        "                 reconnect.backoff.max.ms=1000, request.timeout.ms=5000,\n"
        "                 producer.linger.ms=100, consumer.poll.idle.ms=100\n"
        "  Passwords and tokens are never printed (diagnostics show them as ***).\n"
        "\n"
        "Modes:\n"
        "  -L             list the metadata: every stream and its topics with their partition\n"
        "                 ids, in 1 + (streams with topics) requests (GetStreams, then GetStream\n"
        "                 per stream: the protocol has no call that returns more at once).\n"
        "                 With -t STREAM/TOPIC: that topic's partitions (offsets, sizes) and\n"
        "                 consumer groups (GetStream, GetTopic, GetConsumerGroups)\n"
        "  -P             produce: every line of stdin, or of each FILE (- is stdin), becomes\n"
        "                 one message; sent within producer.linger.ms of being read, all\n"
        "                 flushed at EOF, SIGINT or SIGTERM. Exit status 1 if any delivery\n"
        "                 failed\n"
        "  -C             consume to stdout, by default every partition from the beginning,\n"
        "                 waiting for more; SIGINT stops it\n"
        "  -h, --help     print this help\n"
        "  -V, --version  print the version of iggycat and libiggy\n"
        "\n"
        "General:\n"
        "  -t STREAM/TOPIC  the topic (ids or names)\n"
        "  -J             JSON: -L, the list and get commands, and -C (one object per message:\n"
        "                 topic, partition, offset, timestamp and origin_timestamp (us), id,\n"
        "                 headers, key, payload)\n"
        "  -q             quiet: no summary lines on stderr (errors still print)\n"
        "  -v             verbose: the library's info log; -L reports its request count\n"
        "\n"
        "Produce (-P):\n"
        "  -p N           to partition N (default: balanced, the next partition per message)\n"
        "  -k KEY         one messages key for every message: partition XXH32(KEY) %% count\n"
        "  -K DELIM       each line is KEY DELIM PAYLOAD; the key routes the message as -k\n"
        "                 does (a line without DELIM has no key and goes balanced)\n"
        "                 The key travels as the String user header \"%s\" (Iggy messages\n"
        "                 have no key field), which -C's %%k and -J read back.\n"
        "  -H NAME=VALUE  a String user header on every message (repeatable)\n"
        "  -z CODEC       compress payloads: none, zstd, snappy or lz4 (the library's codecs;\n"
        "                 marked per message, -C decompresses them)\n"
        "  -c N           stop after N lines\n"
        "\n"
        "Consume (-C):\n"
        "  -p N           only partition N (default: every partition, new ones included)\n"
        "  -G GROUP       as a member of consumer group GROUP (created when missing; id or\n"
        "                 name): its partitions, from the group's stored offsets, stored every\n"
        "                 second and at exit. Not with -p or -o\n"
        "  -o OFFSET      where each partition starts: beginning (default), end (new messages\n"
        "                 only), N (absolute), -N (N before the end), s@MS (the first message\n"
        "                 at or after unix time MS milliseconds), stored (after the offset\n"
        "                 stored for consumer.id, which is then kept up to date)\n"
        "  -c N           exit after N messages\n"
        "  -e             exit once every partition is caught up\n"
        "  -K DELIM       print each message as KEY DELIM PAYLOAD (without -K or -f: the\n"
        "                 payload and a newline)\n"
        "  -f FORMAT      print each message with FORMAT: %%s payload, %%S its length, %%k key,\n"
        "                 %%K its length, %%t STREAM/TOPIC, %%p partition, %%o offset, %%T broker\n"
        "                 timestamp (ms), %%i message id (32 hex digits), %%h headers\n"
        "                 (name=value,...), %%%% a %%; escapes \\n \\t \\r \\\\\n"
        "\n",
        ICAT_KEY_HEADER);
    icat_admin_usage(f);
    fprintf(f, "\nExit status: 0 success, 1 the server or the connection refused (or a\n"
               "delivery failed), 2 usage error.\n");
}

/* A command a user waits on should fail within seconds when nothing answers; the library's
 * defaults (reconnect without limit within a 30 s request deadline) suit services riding out
 * a server restart. A producer lingers 100 ms (not 1) since a CLI gains nothing from 1 ms
 * batches, and an idle consumer polls every 100 ms (not 5). Set before any option, so -X and
 * the connection string override them. */
static const struct {
    const char *name, *value;
} CLI_DEFAULTS[] = {
    {"heartbeat.interval.ms", "0"},        /* a short-lived CLI needs no keep-alive thread */
    {"socket.connect.timeout.ms", "2000"}, /* per attempt, for hosts that drop SYNs */
    {"reconnect.max.retries", "2"},        /* three attempts, not "until the deadline" */
    {"reconnect.backoff.max.ms", "1000"},  /* retries stay at most 1 s apart */
    {"request.timeout.ms", "5000"},        /* bounds connecting too: the deadline covers it */
    {"producer.linger.ms", "100"},         {"consumer.poll.idle.ms", "100"},
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
        icat_say("%s: %s", name, errstr);
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
static int set_x(iggy_conf_t *conf, icat_opts_t *o, char *arg)
{
    char *eq = strchr(arg, '=');
    if (strcmp(arg, "list") == 0) {
        o->list_conf = true;
        return 0;
    }
    if (!eq || eq == arg)
        return icat_usage_error("-X expects PROP=VALUE, got '%s'", arg);
    *eq = '\0';
    if (is_secret_prop(arg, eq + 1))
        icat_add_secret(eq + 1, strlen(eq + 1));
    if (strcmp(arg, "bootstrap.servers") == 0)
        icat_add_address_secrets(eq + 1);
    if (strcmp(arg, "consumer.auto.commit") == 0)
        o->user_auto_commit = true;
    return set_prop(conf, arg, eq + 1);
}

static int set_broker(iggy_conf_t *conf, const char *broker)
{
    char errstr[256];
    if (!strstr(broker, "://")) {
        icat_add_address_secrets(broker);
        return set_prop(conf, "bootstrap.servers", broker);
    }
    icat_add_connection_string_secrets(broker);
    if (iggy_conf_set_connection_string(conf, broker, errstr, sizeof errstr) != IGGY_OK) {
        icat_say("-b: %s", errstr);
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
        out = icat_scrub(raw);
    }
    free(raw);
    return out;
}

/* -X list: every property with its effective value; secrets print as "***". */
static int list_conf(const iggy_conf_t *conf)
{
    char *dump = iggy_conf_dump(conf);
    if (!dump) {
        icat_say("out of memory");
        return EXIT_FAIL;
    }
    icat_put_scrubbed(stdout, dump);
    iggy_free(dump);
    return 0;
}

static int parse_codec(icat_opts_t *o, const char *arg)
{
    static const struct {
        const char *name;
        iggy_compression_codec_t codec;
    } codecs[] = {{"none", IGGY_COMPRESSION_CODEC_NONE},
                  {"zstd", IGGY_COMPRESSION_CODEC_ZSTD},
                  {"snappy", IGGY_COMPRESSION_CODEC_SNAPPY},
                  {"lz4", IGGY_COMPRESSION_CODEC_LZ4}};
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
        if (strcmp(arg, codecs[i].name) == 0) {
            o->zc = codecs[i].codec;
            o->zc_set = true;
            return 0;
        }
    return icat_usage_error("-z: expected none, zstd, snappy or lz4 (the codecs the library has), "
                            "got '%s'",
                            arg);
}

static int parse_offset(icat_opts_t *o, const char *arg)
{
    o->start_set = true;
    if (strcmp(arg, "beginning") == 0) {
        o->start = START_BEGINNING;
        return 0;
    }
    if (strcmp(arg, "end") == 0) {
        o->start = START_END;
        return 0;
    }
    if (strcmp(arg, "stored") == 0) {
        o->start = START_STORED;
        return 0;
    }
    if (arg[0] == '-' && icat_parse_u64(arg + 1, &o->start_value)) {
        o->start = START_RELATIVE;
        return 0;
    }
    if (strncmp(arg, "s@", 2) == 0 && icat_parse_u64(arg + 2, &o->start_value) &&
        o->start_value <= UINT64_MAX / 1000) {
        o->start = START_TIMESTAMP;
        return 0;
    }
    if (icat_parse_u64(arg, &o->start_value)) {
        o->start = START_OFFSET;
        return 0;
    }
    return icat_usage_error(
        "-o: expected beginning, end, stored, an offset, -N or s@UNIX_MS, got '%s'", arg);
}

/* -H NAME=VALUE: a String header pointing into argv. */
static int parse_header(icat_opts_t *o, char *arg)
{
    char *eq = strchr(arg, '=');
    iggy_kv_t *h;
    size_t kl, vl;
    if (!eq || eq == arg || !eq[1])
        return icat_usage_error("-H expects NAME=VALUE (both non-empty), got '%s'", arg);
    kl = (size_t)(eq - arg);
    vl = strlen(eq + 1);
    if (kl > 255 || vl > 255)
        return icat_usage_error("-H: a header name and value are at most 255 bytes each");
    if (kl == strlen(IGGY_COMPRESSION_HEADER_KEY) &&
        memcmp(arg, IGGY_COMPRESSION_HEADER_KEY, kl) == 0)
        return icat_usage_error("-H: %s is set by -z", IGGY_COMPRESSION_HEADER_KEY);
    if (o->nheaders == ICAT_MAX_HEADERS)
        return icat_usage_error("-H: at most %d headers", ICAT_MAX_HEADERS);
    h = &o->headers[o->nheaders++];
    h->key_kind = IGGY_KV_STRING;
    h->value_kind = IGGY_KV_STRING;
    h->key = (const uint8_t *)arg;
    h->key_len = (uint32_t)kl;
    h->value = (const uint8_t *)eq + 1;
    h->value_len = (uint32_t)vl;
    return 0;
}

/* Options that belong to other modes, after every option is known. */
static int check_combinations(const icat_opts_t *o, int nargs, const char *first_arg)
{
    bool p = o->mode == MODE_PRODUCE, c = o->mode == MODE_CONSUME, l = o->mode == MODE_LIST;
    bool admin = o->mode == MODE_NONE;
    bool has_key_header = false;
    if (admin && nargs == 0)
        return icat_usage_error("no command given (use -L, -P, -C, or a command such as "
                                "'stream list')");
    if ((p || c) && !o->topic)
        return icat_usage_error("%s needs -t STREAM/TOPIC", p ? "-P" : "-C");
    if (o->topic && admin)
        return icat_usage_error("-t only applies to -L, -P and -C");
    if (!p && (o->key || o->nheaders || o->zc_set))
        return icat_usage_error("-k, -H and -z only apply to -P");
    if (!p && !c && o->key_delim)
        return icat_usage_error("-K only applies to -P and -C");
    if (!p && !c && o->count_set)
        return icat_usage_error("-c only applies to -P and -C");
    if (!c && (o->start_set || o->exit_at_end || o->format))
        return icat_usage_error("-o, -e and -f only apply to -C");
    if (!c && !(admin && nargs > 0 && strcmp(first_arg, "offset") == 0) && o->group)
        return icat_usage_error("-G applies to -C and the offset commands");
    if (p && o->key && o->key_delim)
        return icat_usage_error("-P: give -k KEY or -K DELIM, not both");
    if (p && (o->key || o->key_delim) && o->partition_set)
        return icat_usage_error("-P: give a key (-k, -K) or -p PARTITION, not both");
    if (o->key_delim && !o->key_delim[0])
        return icat_usage_error("-K: the delimiter is empty");
    if (p && o->key && (!o->key[0] || strlen(o->key) > 255))
        return icat_usage_error("-k: the key must be 1..255 bytes");
    for (size_t i = 0; i < o->nheaders; i++)
        if (o->headers[i].key_len == strlen(ICAT_KEY_HEADER) &&
            memcmp(o->headers[i].key, ICAT_KEY_HEADER, o->headers[i].key_len) == 0)
            has_key_header = true;
    if (has_key_header && (o->key || o->key_delim))
        return icat_usage_error("-H %s=...: the key header is set by -k or -K", ICAT_KEY_HEADER);
    if (c && o->group && (o->partition_set || o->start_set))
        return icat_usage_error("-G: a group member reads its assigned partitions from the "
                                "group's stored offsets (no -p, no -o)");
    if (c && o->json && o->format)
        return icat_usage_error("-C: give -f FORMAT or -J, not both");
    if ((l || c) && nargs > 0)
        return icat_usage_error("unexpected argument '%s'", first_arg);
    return 0;
}

static void on_stop_signal(int sig)
{
    (void)sig;
    icat_stop = 1;
}

/* SIGINT and SIGTERM end -P and -C cleanly (flush, commit); they interrupt blocking reads,
 * so no SA_RESTART. A closed stdout (| head) shows as a write error, not SIGPIPE. */
static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    icat_stop_signals(true); /* until the producer's or consumer's threads are running */
}

static int run(iggy_client_t *c, iggy_conf_t *conf, const icat_opts_t *o, int argc, char **argv)
{
    if (o->mode == MODE_LIST)
        return icat_list(c, o);
    if (o->mode == MODE_PRODUCE)
        return icat_produce(c, conf, o, argc, argv);
    if (o->mode == MODE_CONSUME)
        return icat_consume(c, conf, o);
    return icat_admin(c, o, argc, argv);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
    icat_opts_t o;
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
        icat_say("out of memory");
        return EXIT_FAIL;
    }
    for (size_t i = 0; i < sizeof CLI_DEFAULTS / sizeof CLI_DEFAULTS[0]; i++)
        set_prop(conf, CLI_DEFAULTS[i].name, CLI_DEFAULTS[i].value);
    while (rc == 0 && (opt = getopt_long(argc, argv, "+b:u:p:X:LJPCht:k:K:H:z:o:ec:f:G:qvV",
                                         longopts, NULL)) != -1) {
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
                if (!icat_parse_u32(optarg, &o.partition))
                    rc = icat_usage_error("-p: PARTITION must be a number, got '%s'", optarg);
                o.partition_set = true;
            } else {
                pass = optarg;
                icat_add_secret(pass, strlen(pass));
            }
            break;
        case 't':
            o.topic = optarg;
            break;
        case 'k':
            o.key = optarg;
            break;
        case 'K':
            o.key_delim = optarg;
            break;
        case 'H':
            rc = parse_header(&o, optarg);
            break;
        case 'z':
            rc = parse_codec(&o, optarg);
            break;
        case 'o':
            rc = parse_offset(&o, optarg);
            break;
        case 'e':
            o.exit_at_end = true;
            break;
        case 'c':
            if (!icat_parse_u64(optarg, &o.count))
                rc = icat_usage_error("-c: COUNT must be a number, got '%s'", optarg);
            o.count_set = true;
            break;
        case 'f':
            o.format = optarg;
            break;
        case 'G':
            if (!optarg[0])
                rc = icat_usage_error("-G: the group is empty");
            o.group = optarg;
            break;
        case 'q':
            o.quiet = true;
            break;
        case 'v':
            o.verbose = true;
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
        case 'V':
            printf("iggycat (libiggy %s)\n", iggy_version_str());
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
    if (rc == 0)
        rc = check_combinations(&o, argc - optind, optind < argc ? argv[optind] : "");
    if (rc == 0)
        rc = apply_credentials(conf, user, pass);
    if (rc == 0 && !(o.broker = broker_display(conf))) {
        icat_say("out of memory");
        rc = EXIT_FAIL;
    }
    if (rc == 0) {
        iggy_conf_set_log_cb(conf, icat_log, &o);
        if (o.mode == MODE_PRODUCE || o.mode == MODE_CONSUME)
            catch_signals();
    }
    if (rc == 0 && iggy_client_new(conf, &c, errstr, sizeof errstr) != IGGY_OK) {
        icat_say("%s", errstr);
        rc = EXIT_FAIL;
    }
    if (rc == 0)
        rc = run(c, conf, &o, argc - optind, argv + optind);
    fflush(stdout);
    iggy_client_destroy(c);
    iggy_conf_destroy(conf);
    free(o.broker);
    return rc;
}
