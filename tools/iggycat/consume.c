/* -C on the high-level consumer: every partition of the topic by default (consumer.partition
 * -1), one with -p, or as a member of a consumer group with -G (offsets stored every second
 * and at exit). -o picks the starting point of each partition: consumer.start for beginning,
 * an offset, a timestamp and the stored offset; end and -N need each partition's end, so
 * they seek every partition from the ASSIGNED callback (iggy_consumer_seek). -e ends once a
 * round over every partition finds nothing new; -c after that many messages. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "iggycat.h"

typedef struct consume_ctx {
    iggy_client_t *client;
    const icat_opts_t *o;
    iggy_identifier_t stream, topic;
    iggy_err_t err; /* the callback's failure */
    char why[160];  /* or its reason */
} consume_ctx_t;

/* The offset after partition p's last message (0 when it never had one); false when that
 * message sits at 2^64-1, which has no next offset. */
static bool partition_end(const iggy_topic_t *t, uint32_t id, uint64_t *end)
{
    *end = 0;
    for (uint32_t i = 0; i < t->partitions_count; i++) {
        const iggy_partition_t *p = &t->partitions[i];
        if (p->id != id)
            continue;
        if (p->current_offset == UINT64_MAX)
            return false;
        if (p->current_offset > 0 || p->messages_count > 0)
            *end = p->current_offset + 1;
    }
    return true;
}

/* -o end and -o -N: before the first read of the partitions, seek each to its place. */
static void on_rebalance(iggy_consumer_t *k, iggy_rebalance_event_t ev, const uint32_t *ids,
                         size_t n, void *opaque)
{
    consume_ctx_t *ctx = opaque;
    iggy_topic_t *t = NULL;
    iggy_err_t err;
    if (ev != IGGY_REBALANCE_ASSIGNED ||
        (ctx->o->start != START_END && ctx->o->start != START_RELATIVE))
        return;
    err = iggy_get_topic(ctx->client, &ctx->stream, &ctx->topic, &t);
    for (size_t i = 0; i < n && err == IGGY_OK; i++) {
        uint64_t end, at;
        if (!partition_end(t, ids[i], &end)) {
            snprintf(ctx->why, sizeof ctx->why,
                     "-o: partition %u's last offset is 2^64-1, the next offset would wrap",
                     ids[i]);
            break;
        }
        at = ctx->o->start == START_END  ? end
             : end > ctx->o->start_value ? end - ctx->o->start_value
                                         : 0;
        err = iggy_consumer_seek(k, ids[i], at);
    }
    if (err != IGGY_OK && ctx->err == IGGY_OK)
        ctx->err = err;
    iggy_result_destroy(t);
}

static int set(iggy_conf_t *conf, const char *name, const char *value)
{
    char errstr[256];
    if (iggy_conf_set(conf, name, value, errstr, sizeof errstr) != IGGY_OK) {
        icat_say("%s: %s", name, errstr);
        return EXIT_USAGE;
    }
    return 0;
}

/* The consumer.* settings the options stand for. */
static int configure(iggy_conf_t *conf, const icat_opts_t *o)
{
    static const char *const starts[] = {
        [START_BEGINNING] = "first", [START_END] = "first",           [START_OFFSET] = "offset",
        [START_RELATIVE] = "first",  [START_TIMESTAMP] = "timestamp", [START_STORED] = "next"};
    char v[32];
    int rc = 0;
    if (o->group) {
        rc = set(conf, "consumer.group", o->group);
    } else {
        snprintf(v, sizeof v, "%lld", o->partition_set ? (long long)o->partition : -1LL);
        rc = set(conf, "consumer.partition", v);
        if (rc == 0)
            rc = set(conf, "consumer.start", starts[o->start]);
        if (rc == 0 && (o->start == START_OFFSET || o->start == START_TIMESTAMP)) {
            uint64_t value = o->start == START_TIMESTAMP ? o->start_value * 1000 : o->start_value;
            snprintf(v, sizeof v, "%" PRIu64, value);
            rc = set(conf, "consumer.start.value", v);
        }
    }
    /* A group member and -o stored keep their place on the server (every second and at exit);
     * any other read leaves no trace there. */
    if (rc == 0 && !o->user_auto_commit)
        rc = set(conf, "consumer.auto.commit",
                 o->group || o->start == START_STORED ? "interval" : "disabled");
    return rc;
}

/* Write m; false once stdout fails (errno says why). */
static bool emit(const icat_format_t *fmt, const char *topic, uint32_t partition,
                 const iggy_message_t *m)
{
    if (m->error != IGGY_OK)
        icat_say("partition %u offset %" PRIu64 ": %s (payload as received)", partition, m->offset,
                 iggy_err2str(m->error));
    icat_format_message(stdout, fmt, topic, partition, m);
    return !ferror(stdout);
}

/* The default format: the payload and a newline; with -K, the key and the delimiter first. */
static char *default_format(const icat_opts_t *o)
{
    const char *d = o->key_delim ? o->key_delim : "";
    char *f = malloc(strlen(d) * 2 + 8), *p = f;
    if (!f)
        return NULL;
    if (o->key_delim) {
        p += sprintf(p, "%%k");
        for (; *d; d++) {
            if (*d == '%' || *d == '\\')
                *p++ = *d; /* doubled: a literal */
            *p++ = *d;
        }
    }
    strcpy(p, "%s\\n");
    return f;
}

int icat_consume(iggy_client_t *c, iggy_conf_t *conf, const icat_opts_t *o)
{
    char buf[1024], errstr[256], why[256];
    consume_ctx_t ctx;
    icat_format_t *fmt = NULL;
    iggy_consumer_t *k = NULL;
    iggy_err_t err = IGGY_OK, shown = IGGY_OK;
    uint64_t printed = 0;
    int64_t wait_ms = 0;
    bool out_failed = false;
    int out_errno = 0, rc;

    memset(&ctx, 0, sizeof ctx);
    rc = icat_split_topic(o->topic, buf, sizeof buf, &ctx.stream, &ctx.topic);
    if (rc)
        return rc;
    ctx.client = c;
    ctx.o = o;
    if (!o->json) {
        char *dflt = o->format ? NULL : default_format(o);
        fmt = icat_format_new(o->format ? o->format : dflt ? dflt : "%s\\n", why, sizeof why);
        free(dflt);
        if (!fmt)
            return icat_usage_error("-f: %s", why);
    }
    rc = configure(conf, o);
    if (rc) {
        icat_format_destroy(fmt);
        return rc;
    }
    iggy_conf_set_rebalance_cb(conf, on_rebalance, &ctx);
    err = iggy_consumer_new(c, conf, &ctx.stream, &ctx.topic, NULL, &k, errstr, sizeof errstr);
    icat_stop_signals(false); /* the library's threads started with them blocked */
    if (err != IGGY_OK) {
        icat_format_destroy(fmt);
        return icat_fail("consume", err);
    }
    while (!icat_stop && !(o->count_set && printed >= o->count)) {
        const iggy_message_t *m = NULL;
        uint32_t partition = 0;
        err = iggy_consumer_next(k, wait_ms, &m, &partition);
        if (ctx.err != IGGY_OK || ctx.why[0])
            break;
        if (err != IGGY_OK) {
            /* Without -e a server that went away is waited for, as kcat waits for brokers. */
            if (o->exit_at_end || !iggy_err_is_retriable(err))
                break;
            if (err != shown)
                icat_fail("consume (retrying)", err);
            shown = err;
            err = IGGY_OK;
            wait_ms = 1000;
            continue;
        }
        shown = IGGY_OK;
        if (m) {
            if (!emit(fmt, o->topic, partition, m)) {
                out_failed = true;
                out_errno = errno;
                break;
            }
            printed++;
            wait_ms = 0;
            continue;
        }
        /* A round over every partition found nothing new: caught up. */
        if (fflush(stdout) != 0) {
            out_failed = true;
            out_errno = errno;
            break;
        }
        if (o->exit_at_end)
            break;
        wait_ms = 500;
    }
    if (!out_failed && fflush(stdout) != 0) {
        out_failed = true;
        out_errno = errno;
    }
    {
        iggy_err_t cerr = iggy_consumer_close(k); /* commits a group's (or -o stored) place */
        if (cerr != IGGY_OK && err == IGGY_OK)
            icat_fail("closing the consumer", cerr);
    }
    icat_format_destroy(fmt);
    if (out_failed && out_errno != EPIPE) { /* a closed pipe (| head) is a normal end */
        icat_say("writing stdout: %s", strerror(out_errno));
        return EXIT_FAIL;
    }
    if (ctx.why[0]) {
        icat_say("consume: %s", ctx.why);
        return EXIT_FAIL;
    }
    if (ctx.err != IGGY_OK)
        return icat_fail("consume: seeking", ctx.err);
    if (err != IGGY_OK)
        return icat_fail("consume", err);
    if (!o->quiet)
        icat_say("consumed %" PRIu64 " message%s", printed, printed == 1 ? "" : "s");
    return 0;
}
