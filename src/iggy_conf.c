#include "iggy_conf_internal.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iggy/alloc.h>
#include <iggy/version.h>

#include "iggy_alloc.h"
#include "iggy_error_internal.h"
#include "iggy_humantime.h"
#include "iggy_log.h"

typedef enum prop_type { PROP_STR, PROP_INT, PROP_BOOL, PROP_ENUM } prop_type_t;

#define PROP_SECRET 0x1u
#define PROP_LOG_CONTEXTS 0x2u /* a list of IGGY_LOG_CONTEXTS names, or all */

typedef struct prop {
    const char *name;
    prop_type_t type;
    size_t offset;
    int64_t min, max;
    const char *def;
    unsigned flags;
    const char *desc;
    const char *choices; /* PROP_ENUM: "a|b|c"; the field holds the index (int64_t) */
} prop_t;

#define F(field) offsetof(struct iggy_conf_s, field)
#define I64MAX INT64_MAX

/* One row per property: validation, defaults, dump and docs all come from here. */
static const prop_t PROPS[] = {
    {"bootstrap.servers", PROP_STR, F(bootstrap_servers), 0, 0, "127.0.0.1:8090", 0,
     "Comma-separated seed addresses host:port (IPv6 as [addr]:port)", NULL},
    {"username", PROP_STR, F(username), 0, 0, "", 0, "User for automatic login (3..50 bytes)",
     NULL},
    {"password", PROP_STR, F(password), 0, 0, "", PROP_SECRET, "Password for automatic login",
     NULL},
    {"personal.access.token", PROP_STR, F(personal_access_token), 0, 0, "", PROP_SECRET,
     "Personal access token for automatic login (used when set)", NULL},
    {"auto.login", PROP_BOOL, F(auto_login), 0, 1, "true", 0,
     "Log in with the configured credentials on every new connection (an explicit login's are "
     "always re-used: on reconnects and on the client's other connections)",
     NULL},
    {"tls.enabled", PROP_BOOL, F(tls_enabled), 0, 1, "false", 0, "Connect over TLS", NULL},
    {"tls.ca.file", PROP_STR, F(tls_ca_file), 0, 0, "", 0,
     "PEM file of trusted CAs (empty: system defaults)", NULL},
    {"tls.server.name", PROP_STR, F(tls_server_name), 0, 0, "", 0,
     "Name for SNI and certificate checks (empty: the address' host)", NULL},
    {"tls.verify", PROP_BOOL, F(tls_verify), 0, 1, "true", 0,
     "Verify the server certificate and host name; turning it off is logged", NULL},
    {"socket.connect.timeout.ms", PROP_INT, F(connect_timeout_ms), 1, 3600000, "10000", 0,
     "TCP (and TLS handshake) connect timeout", NULL},
    {"request.timeout.ms", PROP_INT, F(request_timeout_ms), 0, I64MAX, "30000", 0,
     "Deadline per request across write, header and body reads; 0 = none", NULL},
    {"reconnect.backoff.ms", PROP_INT, F(reconnect_backoff_ms), 0, 3600000, "100", 0,
     "Delay before reconnecting after a failure; doubles per consecutive failure, with jitter",
     NULL},
    {"reconnect.backoff.max.ms", PROP_INT, F(reconnect_backoff_max_ms), 0, 3600000, "5000", 0,
     "Upper bound of the reconnect delay", NULL},
    {"reconnect.max.retries", PROP_INT, F(reconnect_max_retries), -1, I64MAX, "-1", 0,
     "Reconnects one call may make (after a lost reply, a refused connection, an eviction) "
     "before failing with the last cause; -1 = unlimited within the request deadline",
     NULL},
    {"heartbeat.interval.ms", PROP_INT, F(heartbeat_interval_ms), 0, 3600000, "5000", 0,
     "Ping when the connection has been idle this long; 0 = off (server evicts at ~36 s)", NULL},
    {"message.max.bytes", PROP_INT, F(message_max_bytes), 4096, 67108864, "67108864", 0,
     "Largest frame sent or accepted, header included", NULL},
    {"poll.max.decompressed.bytes", PROP_INT, F(poll_max_decompressed_bytes), 1024, 17179869184LL,
     "67108864", 0,
     "Largest decompressed payload a poll accepts per message; a larger one keeps its bytes as "
     "received with IGGY_ERR__BAD_COMPRESSION (iggy_poll_opts_t.max_decompressed_bytes overrides)",
     NULL},
    {"poll.max.decompressed.reply.bytes", PROP_INT, F(poll_max_decompressed_reply_bytes), 0,
     17179869184LL, "0", 0,
     "Decompressed bytes one poll reply may produce in all; 0 = 16 times the reply's size, 4 MiB "
     "to 64 MiB (iggy_poll_opts_t.max_decompressed_reply_bytes overrides)",
     NULL},
    {"leader.redirects.max", PROP_INT, F(leader_redirects_max), 0, 100, "3", 0,
     "Cluster leader redirects before failing", NULL},
    {"client.sdk.name", PROP_STR, F(sdk_name), 0, 0, "c-sdk", 0,
     "SDK name announced at login (1..255 bytes)", NULL},
    {"client.sdk.version", PROP_STR, F(sdk_version), 0, 0, IGGY_VERSION_STR, 0,
     "SDK version announced at login (1..255 bytes)", NULL},
    {"request.checksum", PROP_BOOL, F(request_checksum), 0, 1, "true", 0,
     "Stamp XXH3-64 request checksums on logins and metadata writes", NULL},
    {"connections", PROP_INT, F(connections), 1, 64, "1", 0,
     "Lockstep connections per client, each with its own session: calls from different threads "
     "run in parallel on idle ones; unopened ones open only when every open one is busy",
     NULL},
    {"socket.nodelay", PROP_BOOL, F(tcp_nodelay), 0, 1, "true", 0,
     "Set TCP_NODELAY on every connection (on by default: lockstep traffic stalls behind Nagle)",
     NULL},
    {"pool.buffer.initial.bytes", PROP_INT, F(pool_buffer_initial_bytes), 256, 67108864, "4096", 0,
     "Smallest pooled buffer", NULL},
    {"pool.spare.max.bytes", PROP_INT, F(pool_spare_max_bytes), 256, 67108864, "4194304", 0,
     "Largest buffer kept for reuse; larger ones are freed on return", NULL},
    {"pool.spare.count", PROP_INT, F(pool_spare_count), 0, 1024, "4", 0,
     "Spare buffers kept per size class", NULL},
    {"producer.mode", PROP_ENUM, F(producer_mode), 0, 0, "background", 0,
     "direct: iggy_producer_send() sends at once, in chunks of producer.batch.length; background: "
     "it queues and returns, worker threads batch and send",
     "direct|background"},
    {"producer.batch.length", PROP_INT, F(producer_batch_length), 1, 100000, "1000", 0,
     "Most messages in one batch (one SendMessages)", NULL},
    {"producer.batch.bytes", PROP_INT, F(producer_batch_bytes), 1024, 67108864, "1048576", 0,
     "Most payload and header bytes in one batch (a larger single message goes alone)", NULL},
    {"producer.linger.ms", PROP_INT, F(producer_linger_ms), 0, 60000, "1", 0,
     "Background: how long a batch that is not full waits for more messages", NULL},
    {"producer.shards", PROP_INT, F(producer_shards), 1, 64, "1", 0,
     "Background worker threads; partition p goes to shard p % shards, one batch in flight per "
     "shard (so per partition), each shard on a connection of its own",
     NULL},
    {"producer.buffer.max.messages", PROP_INT, F(producer_buffer_max_messages), 1, I64MAX,
     "1000000", 0, "Most messages queued and not yet reported", NULL},
    {"producer.buffer.max.bytes", PROP_INT, F(producer_buffer_max_bytes), 1024, I64MAX, "33554432",
     0, "Most payload and header bytes queued and not yet reported", NULL},
    {"producer.backpressure", PROP_ENUM, F(producer_backpressure), 0, 0, "block", 0,
     "When the buffer is full: block until there is room, block up to "
     "producer.backpressure.timeout.ms, or fail at once (IGGY_ERR__QUEUE_FULL)",
     "block|block_timeout|fail"},
    {"producer.backpressure.timeout.ms", PROP_INT, F(producer_backpressure_timeout_ms), 0, 3600000,
     "1000", 0, "The wait of producer.backpressure=block_timeout", NULL},
    {"producer.retries", PROP_INT, F(producer_retries), 0, 1000, "3", 0,
     "Resends of a batch after a retriable failure (0 = at most once); a resend after an unknown "
     "outcome may duplicate it",
     NULL},
    {"producer.retry.backoff.ms", PROP_INT, F(producer_retry_backoff_ms), 0, 3600000, "100", 0,
     "Pause before the first resend; doubles per resend", NULL},
    {"producer.retry.backoff.max.ms", PROP_INT, F(producer_retry_backoff_max_ms), 0, 3600000,
     "10000", 0, "Upper bound of the resend pause", NULL},
    {"producer.create.topic", PROP_BOOL, F(producer_create_topic), 0, 1, "false", 0,
     "Create the stream and topic (named identifiers) when they do not exist", NULL},
    {"producer.create.topic.partitions", PROP_INT, F(producer_create_topic_partitions), 1, 100000,
     "1", 0, "Partitions of a topic the producer creates", NULL},
    {"producer.shutdown.timeout.ms", PROP_INT, F(producer_shutdown_timeout_ms), 0, 3600000, "5000",
     0, "iggy_producer_destroy() drains this long, then reports what is left as failed", NULL},
    {"producer.delivery.reports", PROP_ENUM, F(producer_delivery_reports), 0, 0, "all", 0,
     "Which messages get a delivery report (callback or iggy_producer_poll_reports()): all, or "
     "only the failed ones (like librdkafka's delivery.report.only.error; delivered messages "
     "are still counted by iggy_producer_stats() and awaited by iggy_producer_flush())",
     "all|errors"},
    {"consumer.group", PROP_STR, F(consumer_group), 0, 0, "", 0,
     "Consumer group (numeric id or name) the consumer joins; empty: a single consumer", NULL},
    {"consumer.group.create", PROP_BOOL, F(consumer_group_create), 0, 1, "true", 0,
     "Create consumer.group (by name) when it does not exist", NULL},
    {"consumer.id", PROP_STR, F(consumer_id), 0, 0, "0", 0,
     "A single consumer's identity (numeric id or name): its stored offsets are keyed by it", NULL},
    {"consumer.partition", PROP_INT, F(consumer_partition), -1, 4294967294LL, "-1", 0,
     "A single consumer's partition; -1: every partition of the topic", NULL},
    {"consumer.batch.length", PROP_INT, F(consumer_batch_length), 1, 1000000, "1000", 0,
     "Most messages one poll asks for", NULL},
    {"consumer.start", PROP_ENUM, F(consumer_start), 0, 0, "next", 0,
     "Where a partition is first read: next (after the stored offset, or from the start), first, "
     "last (the newest consumer.batch.length messages), offset or timestamp (consumer.start.value)",
     "next|first|last|offset|timestamp"},
    {"consumer.start.value", PROP_INT, F(consumer_start_value), 0, I64MAX, "0", 0,
     "The offset, or the broker timestamp in microseconds, of consumer.start", NULL},
    {"consumer.offset.reset", PROP_ENUM, F(consumer_offset_reset), 0, 0, "earliest", 0,
     "A position past the end of a partition (its messages were purged or the topic recreated): "
     "read from the earliest message, from the latest, or fail with IGGY_ERR__OFFSET_OUT_OF_RANGE",
     "earliest|latest|error"},
    {"consumer.allow.replay", PROP_BOOL, F(consumer_allow_replay), 0, 1, "false", 0,
     "Return messages at or below the consumer's position again when the server serves them", NULL},
    {"consumer.auto.commit", PROP_ENUM, F(consumer_auto_commit), 0, 0, "interval", 0,
     "When offsets are stored: never (disabled), every consumer.auto.commit.interval.ms, when "
     "consumer.auto.commit.trigger fires, after the message was handled, or an interval and "
     "either (include/iggy/consumer.h)",
     "disabled|interval|when|after|interval_or_when|interval_or_after"},
    {"consumer.auto.commit.trigger", PROP_ENUM, F(consumer_auto_commit_trigger), 0, 0,
     "consuming_all", 0,
     "What triggers a when/after commit: the server stores on poll (polling; not with after; a "
     "lost reply can skip its batch in a group), "
     "the last message of a batch, each message, or each message at a multiple of "
     "consumer.auto.commit.nth",
     "polling|consuming_all|consuming_each|consuming_nth"},
    {"consumer.auto.commit.interval.ms", PROP_INT, F(consumer_auto_commit_interval_ms), 1, 86400000,
     "1000", 0, "The interval of the interval modes", NULL},
    {"consumer.auto.commit.nth", PROP_INT, F(consumer_auto_commit_nth), 1, I64MAX, "1000", 0,
     "N of the consuming_nth trigger", NULL},
    {"consumer.poll.interval.ms", PROP_INT, F(consumer_poll_interval_ms), 0, 3600000, "0", 0,
     "Least time between two polls", NULL},
    {"consumer.poll.idle.ms", PROP_INT, F(consumer_poll_idle_ms), 0, 60000, "5", 0,
     "Pause after a round in which no partition had new messages", NULL},
    {"consumer.retry.interval.ms", PROP_INT, F(consumer_retry_interval_ms), 0, 3600000, "1000", 0,
     "Pause before trying again after an error the consumer recovers from", NULL},
    {"consumer.sync.interval.ms", PROP_INT, F(consumer_sync_interval_ms), 10, 3600000, "1000", 0,
     "How often a group member re-syncs its assignment (and a single consumer re-reads the "
     "partition count)",
     NULL},
    {"debug", PROP_STR, F(debug), 0, 0, "", PROP_LOG_CONTEXTS,
     "Contexts whose debug lines are logged (at any log.level), comma-separated: " IGGY_LOG_CONTEXTS
     " or all (include/iggy/log.h)",
     NULL},
    {"log.level", PROP_INT, F(log_level), 0, 7, "6", 0,
     "Syslog level up to which error, warning, notice and info lines are logged (3 errors, 4 "
     "warnings, 6 info); the log callback defaults to stderr (iggy_conf_set_log_cb)",
     NULL},
    {"statistics.interval.ms", PROP_INT, F(statistics_interval_ms), 0, 86400000, "0", 0,
     "Call the statistics callback (iggy_conf_set_stats_cb) with the client's JSON statistics "
     "this often, from a thread of the client's; 0 = never (no thread)",
     NULL},
};
#define NPROPS (sizeof PROPS / sizeof PROPS[0])

static const prop_t *find_prop(const char *name)
{
    for (size_t i = 0; i < NPROPS; i++)
        if (strcmp(PROPS[i].name, name) == 0)
            return &PROPS[i];
    return NULL;
}

static void set_err(char *errstr, size_t size, const char *msg)
{
    if (errstr && size)
        snprintf(errstr, size, "%s", msg);
}

static iggy_err_t conf_fail(char *errstr, size_t size, iggy_err_t err, const char *msg)
{
    set_err(errstr, size, msg);
    return iggy_fail(err, "%s", msg);
}

static int parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes")) {
        *out = true;
        return 0;
    }
    if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no")) {
        *out = false;
        return 0;
    }
    return -1;
}

static int parse_int(const char *v, int64_t *out)
{
    char *end;
    long long n;
    errno = 0;
    n = strtoll(v, &end, 10);
    if (errno || end == v || *end)
        return -1;
    *out = n;
    return 0;
}

/* The position of value among "a|b|c", or -1. */
static int64_t choice_index(const char *choices, const char *value)
{
    size_t len = strlen(value);
    int64_t i = 0;
    for (const char *c = choices; *c; i++) {
        size_t n = strcspn(c, "|");
        if (n == len && strncmp(c, value, n) == 0)
            return i;
        c += n + (c[n] == '|');
    }
    return -1;
}

/* Write choice i of "a|b|c" into buf. */
static void choice_name(const char *choices, int64_t i, char *buf, size_t size)
{
    const char *c = choices;
    for (; i > 0 && *c; i--)
        c += strcspn(c, "|") + (c[strcspn(c, "|")] == '|');
    snprintf(buf, size, "%.*s", (int)strcspn(c, "|"), c);
}

static iggy_err_t apply(iggy_conf_t *conf, const prop_t *p, const char *value, char *errstr,
                        size_t size)
{
    char msg[256];
    void *field = (char *)conf + p->offset;
    switch (p->type) {
    case PROP_STR: {
        char *copy;
        uint32_t bits;
        char bad[64];
        if ((p->flags & PROP_LOG_CONTEXTS) &&
            iggy_log_parse_contexts(value, &bits, bad, sizeof bad) != 0) {
            snprintf(msg, sizeof msg, "%s: unknown context \"%s\" (expected %s or all)", p->name,
                     bad, IGGY_LOG_CONTEXTS);
            return conf_fail(errstr, size, IGGY_ERR__INVALID_ARG, msg);
        }
        copy = iggy_mem_strdup(value);
        if (!copy)
            return conf_fail(errstr, size, IGGY_ERR__NO_MEMORY, "out of memory");
        if (p->flags & PROP_SECRET)
            iggy_mem_free_secret(*(char **)field);
        else
            iggy_mem_free(*(char **)field);
        *(char **)field = copy;
        return IGGY_OK;
    }
    case PROP_BOOL: {
        bool b;
        if (parse_bool(value, &b) != 0) {
            snprintf(msg, sizeof msg, "%s: expected true or false, got \"%s\"", p->name, value);
            return conf_fail(errstr, size, IGGY_ERR__INVALID_ARG, msg);
        }
        *(bool *)field = b;
        return IGGY_OK;
    }
    case PROP_ENUM: {
        int64_t i = choice_index(p->choices, value);
        if (i < 0) {
            snprintf(msg, sizeof msg, "%s: expected one of %s, got \"%s\"", p->name, p->choices,
                     value);
            return conf_fail(errstr, size, IGGY_ERR__INVALID_ARG, msg);
        }
        *(int64_t *)field = i;
        return IGGY_OK;
    }
    case PROP_INT: {
        int64_t n;
        if (parse_int(value, &n) != 0 || n < p->min || n > p->max) {
            snprintf(msg, sizeof msg,
                     "%s: expected an integer in %" PRId64 "..%" PRId64 ", got \"%s\"", p->name,
                     p->min, p->max, value);
            return conf_fail(errstr, size, IGGY_ERR__INVALID_ARG, msg);
        }
        *(int64_t *)field = n;
        return IGGY_OK;
    }
    }
    return IGGY_ERR__STATE;
}

iggy_err_t iggy_conf_new(iggy_conf_t **out)
{
    iggy_conf_t *c = iggy_mem_calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "conf: out of memory");
    for (size_t i = 0; i < NPROPS; i++) {
        if (apply(c, &PROPS[i], PROPS[i].def, NULL, 0) != IGGY_OK) {
            iggy_conf_destroy(c);
            return IGGY_ERR__NO_MEMORY;
        }
    }
    c->log_cb = iggy_log_print; /* librdkafka's default: stderr */
    *out = c;
    return IGGY_OK;
}

void iggy_conf_destroy(iggy_conf_t *conf)
{
    if (!conf)
        return;
    for (size_t i = 0; i < NPROPS; i++) {
        char *v;
        if (PROPS[i].type != PROP_STR)
            continue;
        v = *(char **)((char *)conf + PROPS[i].offset);
        if (PROPS[i].flags & PROP_SECRET)
            iggy_mem_free_secret(v);
        else
            iggy_mem_free(v);
    }
    iggy_mem_free(conf);
}

iggy_err_t iggy_conf_dup(const iggy_conf_t *conf, iggy_conf_t **out)
{
    iggy_conf_t *c = iggy_mem_alloc(sizeof *c);
    *out = NULL;
    if (!c)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "conf: out of memory");
    *c = *conf;
    for (size_t i = 0; i < NPROPS; i++)
        if (PROPS[i].type == PROP_STR)
            *(char **)((char *)c + PROPS[i].offset) = NULL;
    for (size_t i = 0; i < NPROPS; i++) {
        if (PROPS[i].type != PROP_STR)
            continue;
        if (apply(c, &PROPS[i], *(char *const *)((const char *)conf + PROPS[i].offset), NULL, 0) !=
            IGGY_OK) {
            iggy_conf_destroy(c);
            return iggy_fail(IGGY_ERR__NO_MEMORY, "conf: out of memory");
        }
    }
    *out = c;
    return IGGY_OK;
}

iggy_err_t iggy_conf_set(iggy_conf_t *conf, const char *name, const char *value, char *errstr,
                         size_t errstr_size)
{
    const prop_t *p;
    char msg[256];
    if (!conf || !name || !value)
        return conf_fail(errstr, errstr_size, IGGY_ERR__INVALID_ARG, "NULL argument");
    p = find_prop(name);
    if (!p) {
        snprintf(msg, sizeof msg, "unknown property \"%s\"", name);
        return conf_fail(errstr, errstr_size, IGGY_ERR__INVALID_ARG, msg);
    }
    return apply(conf, p, value, errstr, errstr_size);
}

static void format_value(const iggy_conf_t *conf, const prop_t *p, char *buf, size_t size)
{
    const void *field = (const char *)conf + p->offset;
    switch (p->type) {
    case PROP_STR: {
        const char *s = *(char *const *)field;
        snprintf(buf, size, "%s", (p->flags & PROP_SECRET) && s[0] ? "***" : s);
        break;
    }
    case PROP_BOOL:
        snprintf(buf, size, "%s", *(const bool *)field ? "true" : "false");
        break;
    case PROP_INT:
        snprintf(buf, size, "%" PRId64, *(const int64_t *)field);
        break;
    case PROP_ENUM:
        choice_name(p->choices, *(const int64_t *)field, buf, size);
        break;
    }
}

iggy_err_t iggy_conf_get(const iggy_conf_t *conf, const char *name, char *dest, size_t *dest_size)
{
    const prop_t *p = name ? find_prop(name) : NULL;
    char buf[1024];
    size_t need;
    if (!p)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "unknown property \"%s\"", name ? name : "");
    format_value(conf, p, buf, sizeof buf);
    need = strlen(buf) + 1;
    if (!dest || *dest_size < need) {
        *dest_size = need;
        return iggy_fail(IGGY_ERR__MSG_TOO_LARGE, "%s: value needs %zu bytes", name, need);
    }
    memcpy(dest, buf, need);
    *dest_size = need;
    return IGGY_OK;
}

void iggy_conf_set_log_cb(iggy_conf_t *conf, iggy_log_cb_t *cb, void *opaque)
{
    conf->log_cb = cb;
    conf->log_opaque = opaque;
}

void iggy_conf_set_stats_cb(iggy_conf_t *conf, iggy_stats_cb_t *cb, void *opaque)
{
    conf->stats_cb = cb;
    conf->stats_opaque = opaque;
}

void iggy_conf_set_rebalance_cb(iggy_conf_t *conf, iggy_rebalance_cb_t *cb, void *opaque)
{
    conf->rebalance_cb = cb;
    conf->rebalance_opaque = opaque;
}

void iggy_conf_set_delivery_report_cb(iggy_conf_t *conf, iggy_delivery_report_cb_t *cb,
                                      void *opaque)
{
    conf->delivery_cb = cb;
    conf->delivery_opaque = opaque;
}

char *iggy_conf_dump(const iggy_conf_t *conf)
{
    size_t cap = 4096, len = 0;
    char *out = iggy_mem_alloc(cap);
    if (!out)
        return NULL;
    out[0] = '\0';
    for (size_t i = 0; i < NPROPS; i++) {
        char val[1024], line[2048];
        int n;
        format_value(conf, &PROPS[i], val, sizeof val);
        n = snprintf(line, sizeof line, "%s=%s  # %s (default: %s)\n", PROPS[i].name, val,
                     PROPS[i].desc, (PROPS[i].flags & PROP_SECRET) ? "unset" : PROPS[i].def);
        if (n < 0)
            continue;
        if (len + (size_t)n + 1 > cap) {
            char *grown;
            cap = (len + (size_t)n + 1) * 2;
            grown = iggy_mem_realloc(out, cap);
            if (!grown) {
                iggy_mem_free(out);
                return NULL;
            }
            out = grown;
        }
        memcpy(out + len, line, (size_t)n + 1);
        len += (size_t)n;
    }
    return out;
}

/* ---------------------------------------------------------------- durations */

int iggy_parse_duration_ms(const char *s, int64_t *out_ms)
{
    uint64_t ns;
    if (!strcmp(s, "0") || !strcmp(s, "none") || !strcmp(s, "unlimited") ||
        !strcmp(s, "disabled")) {
        *out_ms = 0;
        return 0;
    }
    if (!iggy_humantime_ns((const uint8_t *)s, strlen(s), UINT64_MAX, &ns))
        return -1;
    *out_ms = (int64_t)(ns / 1000000u);
    return 0;
}

/* ---------------------------------------------------------------- connection strings */

/* Count occurrences of needle in hay. */
static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + len, needle))
        n++;
    return n;
}

typedef struct cs_option {
    const char *key;
    const char *prop; /* conf property it maps to */
    enum { CS_BOOL, CS_STRING, CS_DURATION, CS_RETRIES } kind;
} cs_option_t;

/* TCP keys of the Rust SDK's connection string (FEATURES.md). */
static const cs_option_t CS_OPTIONS[] = {
    {"tls", "tls.enabled", CS_BOOL},
    {"tls_domain", "tls.server.name", CS_STRING},
    {"tls_ca_file", "tls.ca.file", CS_STRING},
    {"reconnection_retries", "reconnect.max.retries", CS_RETRIES},
    {"reconnection_interval", "reconnect.backoff.ms", CS_DURATION},
    {"reestablish_after", "reconnect.backoff.max.ms", CS_DURATION},
    {"heartbeat_interval", "heartbeat.interval.ms", CS_DURATION},
    {"nodelay", "socket.nodelay", CS_BOOL},
};

static iggy_err_t cs_fail(char *errstr, size_t size, const char *why, const char *what)
{
    char msg[512];
    snprintf(msg, sizeof msg, "invalid connection string: %s%s%s%s", why, what ? " \"" : "",
             what ? what : "", what ? "\"" : "");
    return conf_fail(errstr, size, IGGY_ERR_INVALID_CONNECTION_STRING, msg);
}

static iggy_err_t cs_option(iggy_conf_t *c, char *kv, char *errstr, size_t size)
{
    char *eq = strchr(kv, '=');
    char num[32];
    const char *value;
    if (!eq || strchr(eq + 1, '=') || eq == kv)
        return cs_fail(errstr, size, "option is not key=value:", kv);
    *eq = '\0';
    value = eq + 1;
    for (size_t i = 0; i < sizeof CS_OPTIONS / sizeof CS_OPTIONS[0]; i++) {
        const cs_option_t *o = &CS_OPTIONS[i];
        int64_t ms;
        if (strcmp(o->key, kv) != 0)
            continue;
        switch (o->kind) {
        case CS_BOOL: /* true only for "true", as the Rust parser does */
            value = strcmp(value, "true") == 0 ? "true" : "false";
            break;
        case CS_STRING:
            break;
        case CS_DURATION:
            if (iggy_parse_duration_ms(value, &ms) != 0)
                return cs_fail(errstr, size, "bad duration for option", kv);
            snprintf(num, sizeof num, "%" PRId64, ms);
            value = num;
            break;
        case CS_RETRIES:
            if (strcmp(value, "unlimited") == 0) {
                value = "-1";
            } else {
                int64_t n;
                if (parse_int(value, &n) != 0 || n < 0 || n > UINT32_MAX)
                    return cs_fail(errstr, size, "bad retry count for option", kv);
            }
            break;
        }
        return iggy_conf_set(c, o->prop, value, errstr, size) == IGGY_OK
                   ? IGGY_OK
                   : cs_fail(errstr, size, "bad value for option", kv);
    }
    return cs_fail(errstr, size, "unknown option", kv);
}

static iggy_err_t cs_parse(iggy_conf_t *c, char *s, char *errstr, size_t size)
{
    char *scheme = s, *rest, *creds, *addr, *query, *colon, *end;
    long port;
    iggy_err_t err;

    rest = strstr(s, "://");
    if (!rest || count_of(s, "://") != 1)
        return cs_fail(errstr, size, "expected exactly one \"://\"", NULL);
    *rest = '\0';
    rest += 3;
    if (strcmp(scheme, "iggy") != 0 && strcmp(scheme, "iggy+tcp") != 0) {
        if (!strcmp(scheme, "iggy+quic") || !strcmp(scheme, "iggy+http") ||
            !strcmp(scheme, "iggy+ws"))
            return cs_fail(errstr, size, "transport not supported by libiggy (TCP only):", scheme);
        return cs_fail(errstr, size, "unknown scheme", scheme);
    }
    if (count_of(rest, "@") != 1)
        return cs_fail(errstr, size, "expected exactly one \"@\"", NULL);
    creds = rest;
    addr = strchr(rest, '@');
    *addr++ = '\0';
    query = strchr(addr, '?');
    if (query)
        *query++ = '\0';

    /* host:port, port a u16; no brackets (the Rust grammar rejects IPv6 here) */
    colon = strchr(addr, ':');
    if (!colon || colon == addr || addr[0] == '[')
        return cs_fail(errstr, size, "address must be host:port:", addr);
    port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || port < 0 || port > 65535 || (*end && *end != ':'))
        return cs_fail(errstr, size, "bad port in", addr);
    if (*end == ':')
        *end = '\0'; /* text after a second ':' is ignored, as in the Rust parser */
    if ((err = iggy_conf_set(c, "bootstrap.servers", addr, errstr, size)) != IGGY_OK)
        return err;

    colon = strchr(creds, ':');
    if (colon) {
        if (strchr(colon + 1, ':'))
            return cs_fail(errstr, size, "credentials have more than one ':'", NULL);
        *colon = '\0';
        if (!creds[0] || !colon[1])
            return cs_fail(errstr, size, "empty username or password", NULL);
        if (iggy_conf_set(c, "username", creds, errstr, size) != IGGY_OK ||
            iggy_conf_set(c, "password", colon + 1, errstr, size) != IGGY_OK ||
            iggy_conf_set(c, "personal.access.token", "", errstr, size) != IGGY_OK)
            return IGGY_ERR__NO_MEMORY;
    } else {
        if (!creds[0])
            return cs_fail(errstr, size, "empty personal access token", NULL);
        if (iggy_conf_set(c, "personal.access.token", creds, errstr, size) != IGGY_OK ||
            iggy_conf_set(c, "username", "", errstr, size) != IGGY_OK ||
            iggy_conf_set(c, "password", "", errstr, size) != IGGY_OK)
            return IGGY_ERR__NO_MEMORY;
    }
    c->auto_login = true;

    if (query) {
        char *opt = query;
        if (!*query)
            return cs_fail(errstr, size, "empty option list after '?'", NULL);
        for (;;) {
            char *amp = strchr(opt, '&');
            if (amp)
                *amp = '\0';
            if (!*opt)
                return cs_fail(errstr, size, "empty option (stray '&')", NULL);
            if ((err = cs_option(c, opt, errstr, size)) != IGGY_OK)
                return err;
            if (!amp)
                break;
            opt = amp + 1;
        }
    }
    return IGGY_OK;
}

iggy_err_t iggy_conf_set_connection_string(iggy_conf_t *conf, const char *str, char *errstr,
                                           size_t errstr_size)
{
    iggy_conf_t *tmp;
    char *copy;
    size_t len;
    iggy_err_t err;
    if (!conf || !str)
        return cs_fail(errstr, errstr_size, "NULL argument", NULL);
    /* Parse into a copy so a failure leaves conf untouched. */
    if ((err = iggy_conf_dup(conf, &tmp)) != IGGY_OK)
        return err;
    copy = iggy_mem_strdup(str);
    if (!copy) {
        iggy_conf_destroy(tmp);
        return iggy_fail(IGGY_ERR__NO_MEMORY, "out of memory");
    }
    len = strlen(copy);
    err = cs_parse(tmp, copy, errstr, errstr_size);
    OPENSSL_cleanse(copy, len); /* the credentials, cut up by the parser */
    iggy_mem_free(copy);
    if (err == IGGY_OK) {
        /* Swap contents: conf takes tmp's fields, tmp takes the old ones to free. */
        struct iggy_conf_s old = *conf;
        *conf = *tmp;
        *tmp = old;
    }
    iggy_conf_destroy(tmp);
    return err;
}
