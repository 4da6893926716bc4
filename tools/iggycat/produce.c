/* -P: every line of stdin (or of each FILE) becomes one message, handed to the high-level
 * producer in background mode: a worker batches by count, bytes and time (producer.linger.ms,
 * 100 ms by default here), so `tail -f log | iggycat -P` delivers each line within the linger
 * rather than at EOF. At EOF (or SIGINT/SIGTERM) the producer is flushed; the exit status is 1
 * when any delivery report failed. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "iggycat.h"

#define MAX_FAILURES_SHOWN 5

typedef struct produce_ctx {
    pthread_mutex_t lock;
    uint64_t delivered, failed;
} produce_ctx_t;

/* On a worker thread (or the destroying one): count, and show the first few failures. */
static void on_report(const iggy_delivery_report_t *r, void *opaque)
{
    produce_ctx_t *ctx = opaque;
    uint64_t failed;
    pthread_mutex_lock(&ctx->lock);
    if (r->err == IGGY_OK)
        ctx->delivered++;
    else
        ctx->failed++;
    failed = ctx->failed;
    pthread_mutex_unlock(&ctx->lock);
    if (r->err != IGGY_OK && failed <= MAX_FAILURES_SHOWN)
        icat_say("delivery to partition %u failed after %u attempt%s: %s (%s, %d)%s",
                 r->partition_id, r->attempts, r->attempts == 1 ? "" : "s", iggy_err2str(r->err),
                 iggy_err2name(r->err), (int)r->err,
                 failed == MAX_FAILURES_SHOWN ? " (further failures are only counted)" : "");
}

typedef struct line_state {
    const icat_opts_t *o;
    iggy_producer_t *p;
    iggy_kv_t headers[ICAT_MAX_HEADERS + 1];
    uint64_t queued, refused, lineno;
} line_state_t;

/* One line (without its newline) to the producer, which copies it. */
static iggy_err_t send_line(line_state_t *st, char *line, size_t n)
{
    const icat_opts_t *o = st->o;
    iggy_send_message_t m;
    iggy_partitioning_t where;
    const char *key = o->key, *payload = line;
    size_t klen = key ? strlen(key) : 0, plen = n, nh = o->nheaders;
    iggy_err_t err;
    st->lineno++;
    if (o->key_delim) {
        size_t dl = strlen(o->key_delim);
        const char *d = memmem(line, n, o->key_delim, dl);
        if (d) { /* "KEY<delim>PAYLOAD"; a line without the delimiter has no key */
            key = line;
            klen = (size_t)(d - line);
            payload = d + dl;
            plen = n - klen - dl;
        }
        if (klen == 0)
            key = NULL;
    }
    if (key && klen > 255) {
        icat_say("line %llu: the key is %zu bytes, at most 255 are allowed: not sent",
                 (unsigned long long)st->lineno, klen);
        st->refused++;
        return IGGY_OK;
    }
    if (plen > UINT32_MAX) {
        icat_say("line %llu: too long: not sent", (unsigned long long)st->lineno);
        st->refused++;
        return IGGY_OK;
    }
    if (key) {
        iggy_kv_t *h = &st->headers[nh++];
        h->key_kind = IGGY_KV_STRING;
        h->value_kind = IGGY_KV_STRING;
        h->key = (const uint8_t *)ICAT_KEY_HEADER;
        h->key_len = (uint32_t)strlen(ICAT_KEY_HEADER);
        h->value = (const uint8_t *)key;
        h->value_len = (uint32_t)klen;
    }
    memset(&m, 0, sizeof m);
    m.payload = payload;
    m.payload_len = (uint32_t)plen;
    m.headers = nh ? st->headers : NULL;
    m.headers_count = nh;
    memset(&where, 0, sizeof where);
    if (o->partition_set) {
        where.kind = IGGY_PARTITIONING_PARTITION_ID;
        where.partition_id = o->partition;
    } else if (key) {
        where.kind = IGGY_PARTITIONING_MESSAGES_KEY;
        where.key = (const uint8_t *)key;
        where.key_len = klen;
    }
    err = iggy_producer_send(st->p, where.kind ? &where : NULL, &m, 1, NULL);
    if (err == IGGY_OK)
        st->queued++;
    return err;
}

/* Every line of f until EOF, -c or a stop. Returns 0, or EXIT_FAIL (reported). */
static int send_file(line_state_t *st, FILE *f, const char *name)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (!icat_stop && !(st->o->count_set && st->queued + st->refused >= st->o->count)) {
        iggy_err_t err;
        errno = 0;
        n = getline(&line, &cap, f);
        if (n < 0) {
            if (icat_stop || errno == EINTR) {
                clearerr(f);
                if (icat_stop)
                    break;
                continue;
            }
            if (ferror(f)) {
                icat_say("reading %s: %s", name, strerror(errno));
                rc = EXIT_FAIL;
            }
            break;
        }
        if (n > 0 && line[n - 1] == '\n')
            n--;
        err = send_line(st, line, (size_t)n);
        if (err != IGGY_OK) {
            rc = icat_fail("produce", err);
            break;
        }
    }
    free(line);
    return rc;
}

int icat_produce(iggy_client_t *c, iggy_conf_t *conf, const icat_opts_t *o, int nfiles,
                 char **files)
{
    char buf[1024], errstr[256];
    iggy_identifier_t stream, topic;
    iggy_send_opts_t so;
    produce_ctx_t ctx;
    line_state_t st;
    iggy_err_t err;
    int rc = icat_split_topic(o->topic, buf, sizeof buf, &stream, &topic);
    if (rc)
        return rc;
    memset(&ctx, 0, sizeof ctx);
    pthread_mutex_init(&ctx.lock, NULL);
    memset(&st, 0, sizeof st);
    st.o = o;
    memcpy(st.headers, o->headers, o->nheaders * sizeof o->headers[0]);
    memset(&so, 0, sizeof so);
    so.compression = o->zc;
    iggy_conf_set_delivery_report_cb(conf, on_report, &ctx);
    err = iggy_producer_new(c, conf, &stream, &topic, &so, &st.p, errstr, sizeof errstr);
    icat_stop_signals(false); /* the library's threads started with them blocked */
    if (err != IGGY_OK) {
        pthread_mutex_destroy(&ctx.lock);
        return icat_fail("produce", err);
    }
    if (nfiles == 0)
        rc = send_file(&st, stdin, "stdin");
    for (int i = 0; i < nfiles && rc == 0 && !icat_stop; i++) {
        FILE *f = strcmp(files[i], "-") == 0 ? stdin : fopen(files[i], "r");
        if (!f) {
            icat_say("%s: %s", files[i], strerror(errno));
            rc = EXIT_FAIL;
            break;
        }
        rc = send_file(&st, f, f == stdin ? "stdin" : files[i]);
        if (f != stdin)
            fclose(f);
    }
    /* Wait for every report (a stopped server still ends in reports: the retries are bounded),
     * then stop the workers. */
    err = iggy_producer_flush(st.p, -1);
    if (err != IGGY_OK)
        icat_fail("flush", err);
    iggy_producer_destroy(st.p);
    pthread_mutex_destroy(&ctx.lock);
    if (!o->quiet) {
        if (ctx.failed || st.refused)
            icat_say("produced %llu message%s; %llu failed, %llu not sent",
                     (unsigned long long)ctx.delivered, ctx.delivered == 1 ? "" : "s",
                     (unsigned long long)ctx.failed, (unsigned long long)st.refused);
        else
            icat_say("produced %llu message%s", (unsigned long long)ctx.delivered,
                     ctx.delivered == 1 ? "" : "s");
    }
    if (rc == 0 && (ctx.failed || st.refused || err != IGGY_OK))
        rc = EXIT_FAIL;
    return rc;
}
