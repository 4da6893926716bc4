/* The high-level consumer (include/iggy/consumer.h): positions, auto-commit, the group
 * assignment and rebalance callbacks, over the poll, group and offset calls on a connection
 * reserved for the consumer (a group member is that connection's session). */
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iggy/consumer.h>

#include "client/iggy_client_internal.h"
#include "client/iggy_commands_internal.h"
#include "client/iggy_messages_internal.h"
#include "codec/iggy_primitives.h"
#include "iggy_alloc.h"
#include "iggy_clock.h"
#include "iggy_conf_internal.h"
#include "iggy_error_internal.h"

/* The conf enums, in their rows' order (src/iggy_conf.c). */
enum { START_NEXT, START_FIRST, START_LAST, START_OFFSET, START_TIMESTAMP };
enum { RESET_EARLIEST, RESET_LATEST, RESET_ERROR };
enum { AC_DISABLED, AC_INTERVAL, AC_WHEN, AC_AFTER, AC_INTERVAL_OR_WHEN, AC_INTERVAL_OR_AFTER };
enum { TRIG_POLLING, TRIG_ALL, TRIG_EACH, TRIG_NTH };

/* One partition the consumer holds. */
typedef struct part {
    uint32_t id;
    bool started;  /* read once: reads go on from next */
    uint64_t next; /* offset of the next message to read */
    bool has_consumed;
    uint64_t last_consumed;
    bool has_stored;
    uint64_t last_stored;
    uint64_t high_watermark;
    bool has_pending; /* an `after` mode: returned, handled once the application comes back */
    uint64_t pending;
} part_t;

struct iggy_consumer_s {
    iggy_client_t *client;
    iggy_conn_reservation_t conn;
    char stream_name[256], topic_name[256], group_name[256], id_name[256];
    iggy_identifier_t stream, topic;
    iggy_consumer_ref_t ref; /* the group, or the single consumer */
    bool is_group;
    iggy_poll_opts_t poll_opts;
    uint8_t key[32];

    /* Settings. */
    bool group_create, allow_replay;
    int64_t partition; /* a single consumer's one partition, or -1 */
    uint32_t batch_length;
    int start, offset_reset, auto_commit, trigger;
    uint64_t start_value, nth;
    int64_t commit_interval_ms, poll_interval_ms, poll_idle_ms, retry_interval_ms;
    int64_t sync_interval_ms;
    iggy_rebalance_cb_t *rebalance_cb;
    void *rebalance_opaque;

    /* Partitions held, ascending by id. */
    part_t *parts;
    size_t nparts, parts_cap;
    size_t cursor;
    bool synced;    /* the partition set was learned at least once */
    bool need_sync; /* a fence, a new session or "not a member" asks for a re-sync now */
    int64_t next_sync_ms, next_commit_ms, last_poll_ms;
    uint64_t logins_seen; /* the reserved connection's session count at the last sync */
    iggy_group_assignment_t *assignment;
    iggy_topic_t *topic_info;
    uint32_t *ids; /* partition ids handed to a callback */
    size_t ids_cap;
    uint32_t *set; /* the partition set a sync learned */
    size_t set_cap;

    /* iggy_consumer_next() and iggy_consumer_run(): the consumer's own batch. */
    iggy_polled_messages_t *own;
    size_t own_pos;

    pthread_mutex_t lock; /* stopped and the wake-up */
    pthread_cond_t wake;
    bool stopped;
    bool closing;
    iggy_consumer_stats_t stats;
};

/* Counters are written by the consumer's thread and read by any (statistics): relaxed atomics. */
#define STAT_ADD(c, field, n) __atomic_add_fetch(&(c)->stats.field, (uint64_t)(n), __ATOMIC_RELAXED)

static bool interval_mode(const iggy_consumer_t *c)
{
    return c->auto_commit == AC_INTERVAL || c->auto_commit == AC_INTERVAL_OR_WHEN ||
           c->auto_commit == AC_INTERVAL_OR_AFTER;
}

static bool when_mode(const iggy_consumer_t *c)
{
    return c->auto_commit == AC_WHEN || c->auto_commit == AC_INTERVAL_OR_WHEN;
}

static bool after_mode(const iggy_consumer_t *c)
{
    return c->auto_commit == AC_AFTER || c->auto_commit == AC_INTERVAL_OR_AFTER;
}

static bool is_stopped(iggy_consumer_t *c)
{
    bool s;
    pthread_mutex_lock(&c->lock);
    s = c->stopped;
    pthread_mutex_unlock(&c->lock);
    return s;
}

/* Wait until the monotonic ms deadline, or a stop. */
static void pause_until(iggy_consumer_t *c, int64_t until_ms)
{
    struct timespec ts = iggy_mono_timespec_us(until_ms * 1000);
    pthread_mutex_lock(&c->lock);
    while (!c->stopped && iggy_now_ms() < until_ms)
        pthread_cond_timedwait(&c->wake, &c->lock, &ts);
    pthread_mutex_unlock(&c->lock);
}

static part_t *find_part(iggy_consumer_t *c, uint32_t id)
{
    size_t lo = 0, hi = c->nparts;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->parts[mid].id == id)
            return &c->parts[mid];
        if (c->parts[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static bool grow_ids(iggy_consumer_t *c, size_t n)
{
    uint32_t *bigger;
    if (n <= c->ids_cap)
        return true;
    bigger = iggy_mem_realloc(c->ids, n * sizeof *bigger);
    if (!bigger)
        return false;
    c->ids = bigger;
    c->ids_cap = n;
    return true;
}

/* ---------------------------------------------------------------- committing */

/* Store offset for p (never below what this consumer stored). */
static iggy_err_t store(iggy_consumer_t *c, part_t *p, uint64_t offset)
{
    iggy_err_t err;
    uint32_t id = p->id;
    if (p->has_stored && offset <= p->last_stored && !c->allow_replay)
        return IGGY_OK;
    err = iggy_offset_store_via(c->client, &c->conn, &c->ref, &c->stream, &c->topic, &id, offset,
                                IGGY_ACK_QUORUM);
    if (err == IGGY_OK) {
        STAT_ADD(c, commits, 1);
        p->has_stored = true;
        p->last_stored = offset;
    } else {
        STAT_ADD(c, commit_failures, 1);
        iggy_log(c->client, IGGY_LOG_WARNING, "consumer", "partition %u: storing offset %llu: %s",
                 id, (unsigned long long)offset, iggy_last_error_detail());
    }
    return err;
}

static iggy_err_t commit_part(iggy_consumer_t *c, part_t *p)
{
    if (!p->has_consumed || (p->has_stored && p->last_stored >= p->last_consumed))
        return IGGY_OK;
    return store(c, p, p->last_consumed);
}

/* Store every partition's consumed offset. A server that cannot be reached is not tried once
 * per partition (each try can take a whole request timeout): the first such failure ends the
 * round; the next trigger tries again. */
static iggy_err_t commit_all(iggy_consumer_t *c)
{
    iggy_err_t first = IGGY_OK;
    for (size_t i = 0; i < c->nparts; i++) {
        iggy_err_t err = commit_part(c, &c->parts[i]);
        if (err != IGGY_OK && first == IGGY_OK)
            first = err;
        if (iggy_err_is_retriable(err))
            break;
    }
    return first;
}

/* `after` modes: what was returned before is handled now that the application is back. */
static void settle_pending(iggy_consumer_t *c)
{
    if (!after_mode(c))
        return;
    for (size_t i = 0; i < c->nparts; i++) {
        part_t *p = &c->parts[i];
        if (!p->has_pending)
            continue;
        p->has_pending = false;
        (void)store(c, p, p->pending);
    }
}

/* The interval of the interval modes, checked on every call. */
static void commit_on_interval(iggy_consumer_t *c)
{
    int64_t now = iggy_now_ms();
    if (!interval_mode(c) || now < c->next_commit_ms)
        return;
    c->next_commit_ms = now + c->commit_interval_ms;
    (void)commit_all(c);
}

/* A message at offset of p was handed to the application (when) or handled (after). */
static void on_consumed(iggy_consumer_t *c, part_t *p, uint64_t offset, bool last_of_batch)
{
    bool fire = false;
    switch (c->trigger) {
    case TRIG_ALL:
        fire = last_of_batch;
        break;
    case TRIG_EACH:
        fire = true;
        break;
    case TRIG_NTH:
        fire = offset % c->nth == 0;
        break;
    default:
        break;
    }
    if (fire)
        (void)store(c, p, offset);
}

/* ---------------------------------------------------------------- the partition set */

static void callback(iggy_consumer_t *c, iggy_rebalance_event_t ev, const uint32_t *ids, size_t n)
{
    if (c->rebalance_cb && n)
        c->rebalance_cb(c, ev, ids, n, c->rebalance_opaque);
}

/* An identifier as text: its name, or its number. */
static const char *id_text(const iggy_identifier_t *id, char *buf, size_t cap)
{
    if (id->name)
        return id->name;
    snprintf(buf, cap, "%u", id->numeric);
    return buf;
}

/* Log a partition set change (a rebalance in a group) with the partitions it names. */
static void log_set_change(iggy_consumer_t *c, const char *what, const uint32_t *ids, size_t n,
                           size_t held)
{
    /* A group's changes are rebalances; a single consumer's follow the topic's partitions. */
    const char *ctx = c->is_group ? "group" : "consumer";
    int level = c->is_group ? IGGY_LOG_INFO : IGGY_LOG_DEBUG;
    char list[256], who[256], stream[256], topic[256];
    size_t len = 0, i = 0;
    if (!iggy_log_on(&c->client->log, level, ctx))
        return;
    list[0] = '\0';
    /* Each id takes at most 11 bytes: the room left always holds one more and the ",...". */
    for (; i < n && len < sizeof list - 16; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%u", i ? "," : "", ids[i]);
    if (i < n)
        snprintf(list + len, sizeof list - len, ",...");
    iggy_log(c->client, level, ctx, "%s %s on %s/%s: %zu partition(s) %s: %s (now holding %zu)",
             c->is_group ? "group" : "consumer", id_text(&c->ref.id, who, sizeof who),
             id_text(&c->stream, stream, sizeof stream), id_text(&c->topic, topic, sizeof topic), n,
             what, list, held);
}

/* Make the held set exactly ids[0..n) (ascending, no repeats): REVOKED for the lost ones
 * (then their commit and removal), ASSIGNED for the new ones. */
static iggy_err_t apply_set(iggy_consumer_t *c, const uint32_t *ids, size_t n)
{
    size_t lost = 0, gained = 0, k = 0;
    if (!grow_ids(c, c->nparts + n))
        return iggy_fail(IGGY_ERR__NO_MEMORY, "consumer: no memory for the assignment");
    for (size_t i = 0; i < c->nparts; i++) {
        bool still = false;
        for (size_t j = 0; j < n && !still; j++)
            still = ids[j] == c->parts[i].id;
        if (!still)
            c->ids[lost++] = c->parts[i].id;
    }
    if (lost) {
        STAT_ADD(c, rebalances, 1);
        log_set_change(c, "revoked", c->ids, lost, c->nparts - lost);
        settle_pending(c);
        callback(c, IGGY_REBALANCE_REVOKED, c->ids, lost);
        /* Committing what was consumed lets the server hand the partitions over now instead
         * of after its rebalancing timeout. A partition already moved answers "not found". */
        if (c->auto_commit != AC_DISABLED)
            for (size_t i = 0; i < lost; i++) {
                part_t *p = find_part(c, c->ids[i]);
                if (p)
                    (void)commit_part(c, p);
            }
        for (size_t i = 0; i < c->nparts; i++) {
            bool gone = false;
            for (size_t j = 0; j < lost && !gone; j++)
                gone = c->ids[j] == c->parts[i].id;
            if (!gone)
                c->parts[k++] = c->parts[i];
        }
        c->nparts = k;
        /* next()'s batch from a revoked partition is not returned any further. */
        if (c->own && c->own_pos < c->own->count && !find_part(c, c->own->partition_id))
            c->own_pos = c->own->count;
    }
    for (size_t j = 0; j < n; j++)
        if (!find_part(c, ids[j]))
            c->ids[gained++] = ids[j];
    if (gained) {
        size_t want = c->nparts + gained;
        if (want > c->parts_cap) {
            part_t *bigger = iggy_mem_realloc(c->parts, want * sizeof *bigger);
            if (!bigger)
                return iggy_fail(IGGY_ERR__NO_MEMORY, "consumer: no memory for partitions");
            c->parts = bigger;
            c->parts_cap = want;
        }
        for (size_t j = 0; j < gained; j++) {
            /* Insert in order. */
            size_t at = c->nparts;
            while (at > 0 && c->parts[at - 1].id > c->ids[j]) {
                c->parts[at] = c->parts[at - 1];
                at--;
            }
            memset(&c->parts[at], 0, sizeof c->parts[at]);
            c->parts[at].id = c->ids[j];
            c->nparts++;
        }
        if (c->synced)
            STAT_ADD(c, rebalances, 1);
        log_set_change(c, "assigned", c->ids, gained, c->nparts);
        callback(c, IGGY_REBALANCE_ASSIGNED, c->ids, gained);
    }
    c->synced = true;
    return IGGY_OK;
}

static uint32_t *set_room(iggy_consumer_t *c, size_t n)
{
    if (n > c->set_cap) {
        uint32_t *bigger = iggy_mem_realloc(c->set, n * sizeof *bigger);
        if (!bigger)
            return NULL;
        c->set = bigger;
        c->set_cap = n;
    }
    return c->set ? c->set : (uint32_t *)&c->set_cap; /* n == 0: any valid pointer */
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static iggy_err_t join(iggy_consumer_t *c)
{
    iggy_err_t err =
        iggy_group_join_via(c->client, &c->conn, true, &c->stream, &c->topic, &c->ref.id);
    if ((err == IGGY_ERR_CONSUMER_GROUP_NAME_NOT_FOUND ||
         err == IGGY_ERR_CONSUMER_GROUP_ID_NOT_FOUND) &&
        c->group_create && c->ref.id.name) {
        err = iggy_create_consumer_group(c->client, &c->stream, &c->topic, c->ref.id.name, NULL);
        if (err == IGGY_OK || err == IGGY_ERR_CONSUMER_GROUP_NAME_ALREADY_EXISTS)
            err = iggy_group_join_via(c->client, &c->conn, true, &c->stream, &c->topic, &c->ref.id);
    }
    return err;
}

static uint64_t conn_logins(const iggy_consumer_t *c)
{
    return __atomic_load_n(&c->client->conns[c->conn.index].logins, __ATOMIC_RELAXED);
}

/* Learn the partition set: the group assignment, or the topic's partitions. */
static iggy_err_t sync_set(iggy_consumer_t *c)
{
    iggy_err_t err;
    c->need_sync = false;
    c->next_sync_ms = iggy_now_ms() + c->sync_interval_ms;
    if (!c->is_group) {
        uint32_t n;
        if (c->partition >= 0) {
            uint32_t one = (uint32_t)c->partition;
            return apply_set(c, &one, 1);
        }
        err = iggy_get_topic(c->client, &c->stream, &c->topic, &c->topic_info);
        if (err != IGGY_OK)
            return err;
        n = c->topic_info->partitions_count;
        {
            uint32_t *ids = set_room(c, n);
            if (!ids)
                return iggy_fail(IGGY_ERR__NO_MEMORY, "consumer: no memory for partitions");
            for (uint32_t i = 0; i < n; i++)
                ids[i] = c->topic_info->partitions ? c->topic_info->partitions[i].id : i;
            qsort(ids, n, sizeof *ids, cmp_u32);
            return apply_set(c, ids, n);
        }
    }
    STAT_ADD(c, syncs, 1);
    c->logins_seen = conn_logins(c);
    err =
        iggy_group_sync_via(c->client, &c->conn, &c->stream, &c->topic, &c->ref.id, &c->assignment);
    if (err == IGGY_ERR__NOT_FOUND) {
        /* Not a member (evicted, or a session the server did not see us join in): join. */
        STAT_ADD(c, rejoins, 1);
        iggy_log(c->client, IGGY_LOG_INFO, "group", "consumer: not a member, joining again");
        err = join(c);
        if (err == IGGY_OK)
            err = iggy_group_sync_via(c->client, &c->conn, &c->stream, &c->topic, &c->ref.id,
                                      &c->assignment);
    }
    if (err != IGGY_OK)
        return err;
    {
        size_t n = c->assignment->partitions_count, m = 0;
        uint32_t *ids = set_room(c, n);
        if (!ids)
            return iggy_fail(IGGY_ERR__NO_MEMORY, "consumer: no memory for the assignment");
        if (n) /* no partitions: the array is NULL */
            memcpy(ids, c->assignment->partitions, n * sizeof *ids);
        qsort(ids, n, sizeof *ids, cmp_u32);
        for (size_t i = 0; i < n; i++)
            if (m == 0 || ids[m - 1] != ids[i])
                ids[m++] = ids[i];
        return apply_set(c, ids, m);
    }
}

/* When the next re-sync is due. A member holding no partition looks again soon (every
 * STARVING_SYNC_MS): the server hands partitions over to it once their last owner has
 * committed (cooperative rebalance) and tells nobody, and it has no partition to be fenced
 * on. */
enum { STARVING_SYNC_MS = 100 };

static int64_t sync_due_ms(const iggy_consumer_t *c)
{
    int64_t soon = c->next_sync_ms - c->sync_interval_ms + STARVING_SYNC_MS;
    return c->is_group && !c->nparts && soon < c->next_sync_ms ? soon : c->next_sync_ms;
}

/* Before a read: re-sync when it is due or asked for, commit on the interval. */
static iggy_err_t maintain(iggy_consumer_t *c)
{
    if (c->is_group && c->synced && conn_logins(c) != c->logins_seen) {
        /* A new session: the client re-joined and the assignment may differ. A partition that
         * stays ours reads on from our own position, not from the group's stored offset: the
         * server stores as it serves, so that offset can be past a batch whose reply was lost
         * (the connection went with it). At worst a repeat of what another member read while
         * we were away, never a skip. */
        c->need_sync = true;
    }
    if (!c->synced || c->need_sync || iggy_now_ms() >= sync_due_ms(c))
        IGGY_TRY(sync_set(c));
    commit_on_interval(c);
    return IGGY_OK;
}

/* ---------------------------------------------------------------- reading */

static iggy_polling_strategy_t strategy_for(const iggy_consumer_t *c, const part_t *p)
{
    iggy_polling_strategy_t s;
    memset(&s, 0, sizeof s);
    if (p->started) {
        s.kind = IGGY_POLL_OFFSET;
        s.value = p->next;
        return s;
    }
    if (c->is_group) {
        s.kind = IGGY_POLL_NEXT; /* after the group's stored offset: where the last owner was */
        return s;
    }
    switch (c->start) {
    case START_FIRST:
        s.kind = IGGY_POLL_FIRST;
        break;
    case START_LAST:
        s.kind = IGGY_POLL_LAST;
        break;
    case START_OFFSET:
        s.kind = IGGY_POLL_OFFSET;
        s.value = c->start_value;
        break;
    case START_TIMESTAMP:
        s.kind = IGGY_POLL_TIMESTAMP;
        s.value = c->start_value;
        break;
    default:
        s.kind = IGGY_POLL_NEXT;
        break;
    }
    return s;
}

/* A position past the end (purged messages, a recreated topic): consumer.offset.reset. */
static iggy_err_t reset_position(iggy_consumer_t *c, part_t *p, uint64_t hw)
{
    STAT_ADD(c, offset_resets, 1);
    p->has_consumed = false; /* a position past the end is never committed */
    if (c->offset_reset == RESET_ERROR)
        return iggy_fail(IGGY_ERR__OFFSET_OUT_OF_RANGE,
                         "consumer: partition %u: position %llu is past its end (%llu)", p->id,
                         (unsigned long long)p->next, (unsigned long long)hw);
    iggy_log(c->client, IGGY_LOG_WARNING, "consumer",
             "partition %u: position %llu is past its end (%llu): reading from the %s", p->id,
             (unsigned long long)p->next, (unsigned long long)hw,
             c->offset_reset == RESET_LATEST ? "latest" : "earliest");
    p->next = c->offset_reset == RESET_LATEST ? hw + 1 : 0;
    p->has_stored = false; /* what was stored refers to messages that are gone */
    return IGGY_OK;
}

/* Whether err is worth another try after a pause (the server may come back). */
static bool recoverable(iggy_err_t err)
{
    return iggy_err_is_retriable(err) || err == IGGY_ERR__EVICTED ||
           err == IGGY_ERR_UNAUTHENTICATED || err == IGGY_ERR_CONSUMER_GROUP_MEMBER_NOT_FOUND ||
           err == IGGY_ERR_RESOURCE_NOT_FOUND || err == IGGY_ERR_PARTITION_NOT_FOUND;
}

/* One poll of partition p into *batch: IGGY_OK with the messages to return (maybe none). */
static iggy_err_t poll_part(iggy_consumer_t *c, part_t *p, iggy_polled_messages_t **batch)
{
    iggy_polling_strategy_t s = strategy_for(c, p);
    bool poll_trigger = when_mode(c) && c->trigger == TRIG_POLLING;
    /* A read relative to the stored offset (NEXT) is never stored by the server as it serves:
     * were the reply lost, the client's retry would start after messages nobody received.
     * The polling trigger's store for it is made once the batch is here. */
    bool relative = s.kind == IGGY_POLL_NEXT;
    bool server_commit = poll_trigger && !relative;
    size_t skip = 0;
    iggy_polled_messages_t *b;
    iggy_err_t err;

    if (c->poll_interval_ms > 0) {
        int64_t at = c->last_poll_ms + c->poll_interval_ms;
        if (iggy_now_ms() < at)
            pause_until(c, at);
    }
    c->last_poll_ms = iggy_now_ms();
    STAT_ADD(c, polls, 1);
    err = iggy_messages_poll_via(c->client, &c->conn, &c->ref, &c->stream, &c->topic, p->id, &s,
                                 c->batch_length, server_commit, &c->poll_opts, batch);
    if (err != IGGY_OK)
        return err;
    b = *batch;
    if (b->partition_id == IGGY_PARTITION_RESYNC) {
        /* Fenced: the assignment moved on. One re-sync, then the caller reads again. */
        c->need_sync = true;
        STAT_ADD(c, errors_recovered, 1);
        b->count = 0;
        return IGGY_OK;
    }
    p->high_watermark = b->current_offset;
    if (b->count == 0) {
        if (p->started && p->next > b->current_offset + 1)
            return reset_position(c, p, b->current_offset);
        return IGGY_OK;
    }
    if (server_commit) {
        p->has_stored = true; /* the server stored the last offset it served */
        p->last_stored = b->messages[b->count - 1].offset;
    } else if (poll_trigger) {
        store(c, p, b->messages[b->count - 1].offset); /* a failure is logged, tried again */
    }
    if (!c->allow_replay && p->has_consumed)
        while (skip < b->count && b->messages[skip].offset <= p->last_consumed)
            skip++;
    STAT_ADD(c, replays_dropped, skip);
    b->messages += skip;
    b->count -= skip;
    if (b->count) {
        p->started = true;
        p->next = b->messages[b->count - 1].offset + 1;
    } else if (skip) {
        p->started = true;
        p->next = p->last_consumed + 1;
    }
    return IGGY_OK;
}

/* The next batch with messages, from the partitions in turn, until deadline (0: one round;
 * < 0: none). An empty *batch on IGGY_OK means the time ran out or a stop came. */
static iggy_err_t read_batch(iggy_consumer_t *c, int64_t timeout_ms, iggy_polled_messages_t **batch)
{
    int64_t deadline = timeout_ms < 0 ? -1 : iggy_now_ms() + timeout_ms;
    iggy_err_t last = IGGY_OK;
    int fences = 0;
    if (c->closing)
        return iggy_fail(IGGY_ERR__STATE, "consumer: closing");
    settle_pending(c);
    for (;;) {
        size_t tried = 0;
        bool fenced = false;
        iggy_err_t err;
        if (is_stopped(c))
            break;
        err = maintain(c);
        for (; err == IGGY_OK && tried < c->nparts && !is_stopped(c); tried++) {
            part_t *p = &c->parts[c->cursor++ % c->nparts];
            err = poll_part(c, p, batch);
            if (err != IGGY_OK)
                break;
            if (c->need_sync) {
                fenced = true;
                break;
            }
            if ((*batch)->count)
                return IGGY_OK;
        }
        if (err == IGGY_OK && fenced && ++fences <= 2) {
            /* One re-sync, then read again at once (a server fencing on and on gets the idle
             * pause below instead of a busy loop). */
            err = maintain(c);
            if (err == IGGY_OK)
                continue;
        }
        if (err != IGGY_OK) {
            /* Whatever went wrong (a lost session, "not a member", a partition gone), the next
             * round starts from a fresh view of the partitions (a sync joins again if needed). */
            c->need_sync = true;
            if (!recoverable(err))
                return err;
            last = err;
            STAT_ADD(c, errors_recovered, 1);
            iggy_log(c->client, IGGY_LOG_INFO, "consumer", "recovering from: %s",
                     iggy_last_error_detail());
            if (deadline >= 0 && iggy_now_ms() >= deadline)
                return last;
            pause_until(c, deadline >= 0 && deadline < iggy_now_ms() + c->retry_interval_ms
                               ? deadline
                               : iggy_now_ms() + c->retry_interval_ms);
            continue;
        }
        last = IGGY_OK;
        if (deadline >= 0 && iggy_now_ms() >= deadline)
            break;
        {
            /* Nothing new anywhere (or nothing held): pause, at most until the deadline. */
            int64_t until =
                iggy_now_ms() + (c->nparts ? c->poll_idle_ms : c->poll_idle_ms * 10 + 10);
            if (deadline >= 0 && until > deadline)
                until = deadline;
            pause_until(c, until);
        }
    }
    if (*batch)
        (*batch)->count = 0;
    else if (last == IGGY_OK) /* nothing was polled at all (no partition held): still a batch */
        return iggy_messages_empty_poll(batch);
    return last;
}

/* The messages of batch were handed to the application. */
static void handed_out(iggy_consumer_t *c, const iggy_polled_messages_t *b, size_t from, size_t n,
                       bool batch_done)
{
    part_t *p = find_part(c, b->partition_id);
    if (!p || !n)
        return;
    p->has_consumed = true;
    p->last_consumed = b->messages[from + n - 1].offset;
    STAT_ADD(c, messages, n);
    if (when_mode(c) && c->trigger != TRIG_POLLING) {
        if (c->trigger == TRIG_NTH) {
            for (size_t i = n; i-- > 0;)
                if (b->messages[from + i].offset % c->nth == 0) {
                    on_consumed(c, p, b->messages[from + i].offset, false);
                    break;
                }
        } else {
            on_consumed(c, p, p->last_consumed, batch_done);
        }
    }
    if (after_mode(c)) {
        p->has_pending = true;
        p->pending = p->last_consumed;
        if (c->trigger == TRIG_NTH) {
            /* Only offsets at a multiple of n are stored. */
            p->has_pending = false;
            for (size_t i = n; i-- > 0;)
                if (b->messages[from + i].offset % c->nth == 0) {
                    p->has_pending = true;
                    p->pending = b->messages[from + i].offset;
                    break;
                }
        } else if (c->trigger == TRIG_ALL && !batch_done) {
            p->has_pending = false;
        }
    }
}

iggy_err_t iggy_consumer_poll(iggy_consumer_t *c, int64_t timeout_ms,
                              iggy_polled_messages_t **batch)
{
    iggy_err_t err;
    if (!c || !batch)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "consumer poll: NULL argument");
    err = read_batch(c, timeout_ms, batch);
    if (err == IGGY_OK && *batch && (*batch)->count)
        handed_out(c, *batch, 0, (*batch)->count, true);
    return err;
}

iggy_err_t iggy_consumer_next(iggy_consumer_t *c, int64_t timeout_ms, const iggy_message_t **msg,
                              uint32_t *partition_id)
{
    const iggy_message_t *m;
    iggy_err_t err;
    if (!c || !msg)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "consumer next: NULL argument");
    *msg = NULL;
    if (!c->own || c->own_pos >= c->own->count) {
        c->own_pos = 0;
        err = read_batch(c, timeout_ms, &c->own);
        if (err != IGGY_OK || !c->own || !c->own->count)
            return err;
    } else {
        settle_pending(c);
        commit_on_interval(c);
    }
    m = &c->own->messages[c->own_pos++];
    handed_out(c, c->own, c->own_pos - 1, 1, c->own_pos == c->own->count);
    if (partition_id)
        *partition_id = c->own->partition_id;
    *msg = m;
    return IGGY_OK;
}

iggy_err_t iggy_consumer_run(iggy_consumer_t *c, iggy_message_handler_t *handler, void *opaque)
{
    if (!c || !handler)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "consumer run: NULL argument");
    for (;;) {
        const iggy_message_t *m;
        uint32_t partition;
        iggy_err_t err = iggy_consumer_next(c, 1000, &m, &partition);
        if (err != IGGY_OK) {
            if (!recoverable(err))
                return err;
            continue; /* logged; read_batch paused already */
        }
        if (!m) {
            if (is_stopped(c))
                return IGGY_OK;
            continue;
        }
        if (handler(m, partition, opaque) != 0) {
            settle_pending(c); /* the stopping message was handled */
            return IGGY_OK;
        }
    }
}

void iggy_consumer_stop(iggy_consumer_t *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->stopped = true;
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
}

iggy_err_t iggy_consumer_commit(iggy_consumer_t *c)
{
    if (!c)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "consumer commit: NULL consumer");
    for (size_t i = 0; i < c->nparts; i++)
        c->parts[i].has_pending = false; /* covered by the commit */
    return commit_all(c);
}

iggy_err_t iggy_consumer_store_offset(iggy_consumer_t *c, uint32_t partition_id, uint64_t offset)
{
    part_t *p;
    if (!c)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "consumer store: NULL consumer");
    p = find_part(c, partition_id);
    if (!p)
        return iggy_fail(IGGY_ERR__INVALID_ARG,
                         "consumer store: partition %u is not one of the consumer's", partition_id);
    {
        /* An explicit store may go backwards: it is the application's decision. */
        bool had = p->has_stored;
        p->has_stored = false;
        iggy_err_t err = store(c, p, offset);
        if (err != IGGY_OK)
            p->has_stored = had;
        return err;
    }
}

iggy_err_t iggy_consumer_seek(iggy_consumer_t *c, uint32_t partition_id, uint64_t offset)
{
    part_t *p;
    if (!c)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "consumer seek: NULL consumer");
    p = find_part(c, partition_id);
    if (!p)
        return iggy_fail(IGGY_ERR__INVALID_ARG,
                         "consumer seek: partition %u is not one of the consumer's", partition_id);
    p->started = true;
    p->next = offset;
    /* Going back asks for those messages again: the replay filter must not drop them. */
    if (p->has_consumed && offset <= p->last_consumed)
        p->has_consumed = false;
    /* next()'s batch holds messages from the old position: they are not returned. */
    if (c->own && c->own_pos < c->own->count && c->own->partition_id == partition_id)
        c->own_pos = c->own->count;
    return IGGY_OK;
}

iggy_err_t iggy_consumer_partitions(iggy_consumer_t *c, iggy_consumer_partition_t *out, size_t cap,
                                    size_t *count)
{
    if (!c || !count || (cap && !out))
        return iggy_fail(IGGY_ERR__INVALID_ARG, "consumer partitions: NULL argument");
    *count = c->nparts;
    for (size_t i = 0; i < c->nparts && i < cap; i++) {
        const part_t *p = &c->parts[i];
        iggy_consumer_partition_t *o = &out[i];
        memset(o, 0, sizeof *o);
        o->partition_id = p->id;
        o->has_consumed = p->has_consumed;
        o->last_consumed = p->last_consumed;
        o->has_stored = p->has_stored;
        o->last_stored = p->last_stored;
        o->high_watermark = p->high_watermark;
        if (!p->has_consumed)
            o->lag = p->high_watermark + (p->high_watermark || p->started ? 1 : 0);
        else
            o->lag =
                p->high_watermark > p->last_consumed ? p->high_watermark - p->last_consumed : 0;
    }
    return IGGY_OK;
}

void iggy_consumer_stats(const iggy_consumer_t *c, iggy_consumer_stats_t *out)
{
    if (!out)
        return;
    if (!c) {
        memset(out, 0, sizeof *out);
        return;
    }
#define STAT_GET(field) out->field = __atomic_load_n(&c->stats.field, __ATOMIC_RELAXED)
    STAT_GET(polls);
    STAT_GET(messages);
    STAT_GET(replays_dropped);
    STAT_GET(commits);
    STAT_GET(commit_failures);
    STAT_GET(syncs);
    STAT_GET(rebalances);
    STAT_GET(rejoins);
    STAT_GET(offset_resets);
    STAT_GET(errors_recovered);
#undef STAT_GET
}

/* ---------------------------------------------------------------- life */

/* "42" is numeric id 42; anything else is a name. */
static iggy_err_t parse_id(const char *text, char *name, size_t cap, iggy_identifier_t *out)
{
    char *end;
    unsigned long long v;
    if (!text || !*text)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "consumer: empty identifier");
    v = strtoull(text, &end, 10);
    if (*end == '\0' && text[0] >= '0' && text[0] <= '9' && v <= UINT32_MAX) {
        *out = iggy_id_num((uint32_t)v);
        return IGGY_OK;
    }
    if (strlen(text) >= cap)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "consumer: name longer than 255 bytes");
    snprintf(name, cap, "%s", text);
    *out = iggy_id_name(name);
    return IGGY_OK;
}

static iggy_err_t read_settings(iggy_consumer_t *c, const iggy_conf_t *conf)
{
    c->group_create = conf->consumer_group_create;
    c->allow_replay = conf->consumer_allow_replay;
    c->partition = conf->consumer_partition;
    c->batch_length = (uint32_t)conf->consumer_batch_length;
    c->start = (int)conf->consumer_start;
    c->start_value = (uint64_t)conf->consumer_start_value;
    c->offset_reset = (int)conf->consumer_offset_reset;
    c->auto_commit = (int)conf->consumer_auto_commit;
    c->trigger = (int)conf->consumer_auto_commit_trigger;
    c->commit_interval_ms = conf->consumer_auto_commit_interval_ms;
    c->nth = (uint64_t)conf->consumer_auto_commit_nth;
    c->poll_interval_ms = conf->consumer_poll_interval_ms;
    c->poll_idle_ms = conf->consumer_poll_idle_ms;
    c->retry_interval_ms = conf->consumer_retry_interval_ms;
    c->sync_interval_ms = conf->consumer_sync_interval_ms;
    c->rebalance_cb = conf->rebalance_cb;
    c->rebalance_opaque = conf->rebalance_opaque;
    if (after_mode(c) && c->trigger == TRIG_POLLING)
        return iggy_fail(IGGY_ERR__INVALID_ARG,
                         "consumer: auto.commit=%s needs a consuming_* trigger (the server "
                         "stores on poll, before anything is handled)",
                         c->auto_commit == AC_AFTER ? "after" : "interval_or_after");
    c->is_group = conf->consumer_group && *conf->consumer_group;
    if (c->is_group) {
        c->ref.kind = IGGY_CONSUMER_GROUP;
        return parse_id(conf->consumer_group, c->group_name, sizeof c->group_name, &c->ref.id);
    }
    c->ref.kind = IGGY_CONSUMER_SINGLE;
    return parse_id(conf->consumer_id, c->id_name, sizeof c->id_name, &c->ref.id);
}

static void free_consumer(iggy_consumer_t *c)
{
    iggy_conn_unreserve(&c->conn);
    iggy_result_destroy(c->assignment);
    iggy_result_destroy(c->topic_info);
    iggy_result_destroy(c->own);
    iggy_mem_free(c->parts);
    iggy_mem_free(c->ids);
    iggy_mem_free(c->set);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->wake);
    OPENSSL_cleanse(c->key, sizeof c->key); /* the copy of the decryption key */
    iggy_mem_free(c);
}

iggy_err_t iggy_consumer_new(iggy_client_t *client, const iggy_conf_t *conf,
                             const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                             const iggy_poll_opts_t *poll_opts, iggy_consumer_t **out, char *errstr,
                             size_t errstr_size)
{
    pthread_condattr_t ca;
    iggy_conf_t *defaults = NULL;
    iggy_consumer_t *c;
    iggy_err_t err;

    if (out)
        *out = NULL;
    if (!client || !stream || !topic || !out) {
        err = iggy_fail(IGGY_ERR__INVALID_ARG, "consumer: NULL argument");
        goto fail_early;
    }
    if (!conf)
        conf = client->conf;
    if (!conf) {
        if ((err = iggy_conf_new(&defaults)) != IGGY_OK)
            goto fail_early;
        conf = defaults;
    }
    c = iggy_mem_calloc(1, sizeof *c);
    if (!c) {
        iggy_conf_destroy(defaults);
        err = iggy_fail(IGGY_ERR__NO_MEMORY, "consumer: no memory");
        goto fail_early;
    }
    c->client = client;
    c->conn.index = -1;
    pthread_mutex_init(&c->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->wake, &ca);
    pthread_condattr_destroy(&ca);
    err = read_settings(c, conf);
    iggy_conf_destroy(defaults);
    if (err == IGGY_OK)
        err = iggy_id_copy(stream, c->stream_name, sizeof c->stream_name, &c->stream);
    if (err == IGGY_OK)
        err = iggy_id_copy(topic, c->topic_name, sizeof c->topic_name, &c->topic);
    if (err == IGGY_OK && poll_opts) {
        c->poll_opts = *poll_opts;
        if (poll_opts->encryption_key) {
            memcpy(c->key, poll_opts->encryption_key, sizeof c->key);
            c->poll_opts.encryption_key = c->key;
        }
    }
    if (err == IGGY_OK) {
        iggy_conn_reserve(client, &c->conn);
        c->next_commit_ms = iggy_now_ms() + c->commit_interval_ms;
        if (c->is_group)
            err = join(c);
    }
    if (err != IGGY_OK) {
        free_consumer(c);
        return iggy_fail_errstr(err, errstr, errstr_size);
    }
    iggy_stats_attach(client, IGGY_STATS_CONSUMER, c, &c->stream, &c->topic,
                      c->is_group ? &c->ref.id : NULL);
    *out = c;
    return IGGY_OK;
fail_early:
    return iggy_fail_errstr(err, errstr, errstr_size);
}

iggy_err_t iggy_consumer_close(iggy_consumer_t *c)
{
    iggy_err_t first = IGGY_OK, err;
    if (!c)
        return IGGY_OK;
    iggy_stats_detach(c->client, c);
    c->closing = true;
    settle_pending(c);
    if (interval_mode(c)) {
        err = commit_all(c);
        if (first == IGGY_OK)
            first = err;
    }
    if (c->nparts && grow_ids(c, c->nparts)) {
        for (size_t i = 0; i < c->nparts; i++)
            c->ids[i] = c->parts[i].id;
        callback(c, IGGY_REBALANCE_REVOKED, c->ids, c->nparts);
    }
    if (c->is_group) {
        err = iggy_group_join_via(c->client, &c->conn, false, &c->stream, &c->topic, &c->ref.id);
        if (err == IGGY_ERR_CONSUMER_GROUP_MEMBER_NOT_FOUND)
            err = IGGY_OK; /* the session that joined is gone already */
        if (first == IGGY_OK)
            first = err;
    }
    free_consumer(c);
    return first;
}
