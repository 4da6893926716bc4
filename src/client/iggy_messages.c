/* Sending and polling: client-side partitioning, payload transforms, group assignments. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <iggy/commands.h>
#include <iggy/messages.h>

#include "client/iggy_client_internal.h"
#include "client/iggy_messages_internal.h"
#include "client/iggy_rpc_internal.h"
#include "codec/iggy_batch.h"
#include "codec/iggy_codec.h"
#include "codec/iggy_message_transform.h"
#include "codec/iggy_resp.h"
#include "iggy_alloc.h"
#include "iggy_conf_internal.h"
#include "iggy_error_internal.h"

#define POLL_INFLATE_KEEP_MAX (16u << 20) /* kept between polls; larger is freed */
#define IDKEY_MAX 300 /* "s" + 255-byte name, or "n" + number; two of them plus a group */

/* Cached partition count and balanced cursor per (stream, topic). */
typedef struct topic_entry {
    char key[IDKEY_MAX * 2];
    uint32_t partitions;
    uint64_t cursor;
} topic_entry_t;

/* Cached assignment per (stream, topic, group) for group polls. */
typedef struct group_entry {
    char key[IDKEY_MAX * 3];
    uint64_t epoch; /* the client's session epoch when synced: a new session re-syncs */
    uint64_t generation;
    uint32_t count;
    uint32_t partitions[64]; /* the first 64 assigned partitions are polled in turn */
    uint32_t cursor;
} group_entry_t;

/* What transforming payloads needs (codec contexts, scratch space). A call takes one for its
 * own and gives it back, so sends and polls on different connections transform in parallel;
 * there are as many as calls ever transformed at once. */
typedef struct transform_slot {
    iggy_compress_ctx_t *comp;
    iggy_crypto_ctx_t *crypto;
    iggy_scratch_t send_scratch, poll_scratch;
    iggy_inflate_state_t poll_inflate;
    iggy_send_message_t *prepared;
    iggy_raw_block_t *raw;
    size_t prepared_cap;
    struct transform_slot *next; /* in the free list */
} transform_slot_t;

struct iggy_messages_state {
    pthread_mutex_t lock; /* caches and the free transform slots */
    topic_entry_t *topics;
    size_t ntopics, topics_cap;
    group_entry_t *groups;
    size_t ngroups, groups_cap;
    transform_slot_t *free_slots;
};

iggy_err_t iggy_messages_state_get(iggy_client_t *c, iggy_messages_state_t **out)
{
    iggy_messages_state_t *st;
    pthread_mutex_lock(&c->cred_lock); /* a lock every client has: guards lazy creation */
    st = c->messages;
    if (!st) {
        st = iggy_mem_calloc(1, sizeof *st);
        if (st) {
            pthread_mutex_init(&st->lock, NULL);
            c->messages = st;
        }
    }
    pthread_mutex_unlock(&c->cred_lock);
    *out = st;
    return st ? IGGY_OK : iggy_fail(IGGY_ERR__NO_MEMORY, "messages: no memory");
}

static void slot_free(transform_slot_t *t)
{
    iggy_compress_ctx_free(t->comp);
    iggy_crypto_ctx_free(t->crypto);
    iggy_scratch_free(&t->send_scratch);
    iggy_scratch_free(&t->poll_scratch);
    iggy_inflate_state_free(&t->poll_inflate);
    iggy_mem_free(t->prepared);
    iggy_mem_free(t->raw);
    iggy_mem_free(t);
}

/* A transform slot for this call: a free one, else a new one; NULL without memory. */
static transform_slot_t *slot_take(iggy_messages_state_t *st)
{
    transform_slot_t *t;
    pthread_mutex_lock(&st->lock);
    t = st->free_slots;
    if (t)
        st->free_slots = t->next;
    pthread_mutex_unlock(&st->lock);
    if (!t) {
        t = iggy_mem_calloc(1, sizeof *t);
        if (!t)
            return NULL;
    }
    if (!t->comp)
        t->comp = iggy_compress_ctx_new();
    if (!t->crypto)
        t->crypto = iggy_crypto_ctx_new();
    if (!t->comp || !t->crypto) {
        slot_free(t);
        return NULL;
    }
    return t;
}

static void slot_give(iggy_messages_state_t *st, transform_slot_t *t)
{
    /* A reply that inflated a lot (a bomb up to its budget) leaves no large buffer behind. */
    if (t->poll_inflate.out.cap > POLL_INFLATE_KEEP_MAX)
        iggy_scratch_free(&t->poll_inflate.out);
    pthread_mutex_lock(&st->lock);
    t->next = st->free_slots;
    st->free_slots = t;
    pthread_mutex_unlock(&st->lock);
}

void iggy_messages_state_free(iggy_messages_state_t *st)
{
    if (!st)
        return;
    iggy_mem_free(st->topics);
    iggy_mem_free(st->groups);
    while (st->free_slots) {
        transform_slot_t *t = st->free_slots;
        st->free_slots = t->next;
        slot_free(t);
    }
    pthread_mutex_destroy(&st->lock);
    iggy_mem_free(st);
}

static void id_key(const iggy_identifier_t *id, char *out, size_t cap)
{
    size_t n = strlen(out);
    if (id->name)
        snprintf(out + n, cap - n, "s%s\x1f", id->name);
    else
        snprintf(out + n, cap - n, "n%u\x1f", id->numeric);
}

/* Find or add a cache entry (arrays grow once; steady state does not allocate). */
static void *cache_slot(void **arr, size_t *n, size_t *cap, size_t elem, const char *key,
                        size_t key_off)
{
    char *base = *arr;
    for (size_t i = 0; i < *n; i++)
        if (strcmp(base + i * elem + key_off, key) == 0)
            return base + i * elem;
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        char *grown = iggy_mem_realloc(*arr, ncap * elem);
        if (!grown)
            return NULL;
        *arr = base = grown;
        *cap = ncap;
    }
    memset(base + *n * elem, 0, elem);
    snprintf(base + *n * elem + key_off, IDKEY_MAX * 2, "%s", key);
    return base + (*n)++ * elem;
}

/* The topic's partition count, from the cache or GetTopic. */
static iggy_err_t partitions_of(iggy_client_t *c, iggy_messages_state_t *st,
                                const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                                bool refresh, uint32_t *count, uint64_t *cursor)
{
    char key[IDKEY_MAX * 2] = "";
    topic_entry_t *e;
    iggy_topic_t *t = NULL;
    iggy_rpc_t rpc;
    iggy_err_t err;

    id_key(stream, key, sizeof key);
    id_key(topic, key, sizeof key);
    pthread_mutex_lock(&st->lock);
    e = cache_slot((void **)&st->topics, &st->ntopics, &st->topics_cap, sizeof *e, key, 0);
    if (e && e->partitions && !refresh) {
        *count = e->partitions;
        *cursor = e->cursor++;
        pthread_mutex_unlock(&st->lock);
        return IGGY_OK;
    }
    pthread_mutex_unlock(&st->lock);
    if (!e)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "messages: no memory for the topic cache");

    IGGY_TRY(iggy_rpc_begin(c, IGGY_CMD_GET_TOPIC, &rpc));
    iggy_enc_topic_ref(&rpc.w, stream, topic);
    err = iggy_rpc_end(&rpc, (void **)&t);
    if (err == IGGY_ERR__NOT_FOUND)
        err = iggy_fail(IGGY_ERR_RESOURCE_NOT_FOUND, "SendMessages: stream or topic not found");
    if (err != IGGY_OK)
        return err;
    *count = t->partitions_count;
    iggy_result_destroy(t);
    if (*count == 0)
        return iggy_fail(IGGY_ERR_INVALID_PARTITIONS_COUNT,
                         "SendMessages: topic has no partitions");
    pthread_mutex_lock(&st->lock);
    e = cache_slot((void **)&st->topics, &st->ntopics, &st->topics_cap, sizeof *e, key, 0);
    if (e) {
        e->partitions = *count;
        *cursor = e->cursor++;
    }
    pthread_mutex_unlock(&st->lock);
    return IGGY_OK;
}

/* Client-side partitioning, like the official SDKs: only a partition id goes on the wire. */
static iggy_err_t resolve_partition(iggy_client_t *c, iggy_messages_state_t *st,
                                    const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                                    const iggy_partitioning_t *p, const iggy_send_message_t *msgs,
                                    size_t count, const iggy_send_opts_t *opts, bool refresh,
                                    uint32_t *out)
{
    uint32_t partitions = 0;
    uint64_t cursor = 0;
    iggy_partitioning_kind_t kind = p ? p->kind : IGGY_PARTITIONING_BALANCED;
    if (!(opts && opts->partitioner) && kind == IGGY_PARTITIONING_PARTITION_ID) {
        *out = p->partition_id;
        return IGGY_OK;
    }
    if (kind == IGGY_PARTITIONING_MESSAGES_KEY && (!p->key || !p->key_len || p->key_len > 255))
        return iggy_fail(IGGY_ERR__INVALID_ARG, "SendMessages: messages key must be 1..255 bytes");
    if (kind < IGGY_PARTITIONING_BALANCED || kind > IGGY_PARTITIONING_MESSAGES_KEY)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "SendMessages: partitioning kind must be 1..3");
    IGGY_TRY(partitions_of(c, st, stream, topic, refresh, &partitions, &cursor));
    if (opts && opts->partitioner) {
        *out = opts->partitioner(stream, topic, msgs, count, partitions, opts->partitioner_opaque);
        if (*out >= partitions)
            return iggy_fail(IGGY_ERR__INVALID_ARG,
                             "SendMessages: partitioner returned %u of %u partitions", *out,
                             partitions);
    } else if (kind == IGGY_PARTITIONING_MESSAGES_KEY) {
        *out = iggy_partition_for_key(p->key, p->key_len, partitions);
    } else {
        *out = (uint32_t)(cursor % partitions);
    }
    return IGGY_OK;
}

static bool needs_transform(const iggy_send_opts_t *o)
{
    return o && (o->compression != IGGY_COMPRESSION_CODEC_NONE || o->encryption_key ||
                 o->message_ids == IGGY_MESSAGE_ID_UUID_V7);
}

/* Encode the send body, transforming payloads first when the options ask for it. */
static iggy_err_t encode_send(iggy_client_t *c, iggy_messages_state_t *st, iggy_rpc_t *rpc,
                              const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                              const iggy_partitioning_t *where, const iggy_send_message_t *msgs,
                              size_t count, const iggy_send_opts_t *opts)
{
    iggy_send_transform_t t;
    transform_slot_t *slot;
    iggy_err_t err = IGGY_OK;
    uint64_t now = iggy_now_us();
    if (!needs_transform(opts)) {
        iggy_enc_send_messages(&rpc->w, stream, topic, where, msgs, count, now);
        return iggy_wr_status(&rpc->w);
    }
    t.codec = opts->compression;
    t.level = opts->compression_level;
    t.min_bytes = opts->compression_min_bytes;
    t.key = opts->encryption_key;
    t.mint_v7 = opts->message_ids == IGGY_MESSAGE_ID_UUID_V7;
    t.now_us = now;
    slot = slot_take(st);
    if (!slot)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "SendMessages: no memory for transforms");
    if (count > slot->prepared_cap) {
        iggy_send_message_t *p = iggy_mem_realloc(slot->prepared, count * sizeof *p);
        iggy_raw_block_t *r = p ? iggy_mem_realloc(slot->raw, count * sizeof *r) : NULL;
        if (p)
            slot->prepared = p;
        if (r) {
            slot->raw = r;
            slot->prepared_cap = count;
        }
    }
    if (count > slot->prepared_cap)
        err = iggy_fail(IGGY_ERR__NO_MEMORY, "SendMessages: no memory for transforms");
    if (err == IGGY_OK)
        err = iggy_send_transform(&t, slot->comp, slot->crypto, c->pool, &slot->send_scratch, msgs,
                                  count, slot->prepared, slot->raw);
    if (err == IGGY_OK) {
        /* The writer copies everything: the slot is free again after this. */
        iggy_enc_send_messages_raw(&rpc->w, stream, topic, where, slot->prepared, count, slot->raw,
                                   now);
        err = iggy_wr_status(&rpc->w);
    }
    slot_give(st, slot);
    return err;
}

iggy_err_t iggy_messages_route(iggy_client_t *c, const iggy_identifier_t *stream,
                               const iggy_identifier_t *topic,
                               const iggy_partitioning_t *partitioning,
                               const iggy_send_message_t *messages, size_t count,
                               const iggy_send_opts_t *opts, bool refresh, uint32_t *partition)
{
    iggy_messages_state_t *st;
    IGGY_TRY(iggy_messages_state_get(c, &st));
    return resolve_partition(c, st, stream, topic, partitioning, messages, count, opts, refresh,
                             partition);
}

iggy_err_t iggy_messages_send_to(iggy_client_t *c, iggy_conn_reservation_t *via,
                                 const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                                 uint32_t partition, const iggy_send_message_t *messages,
                                 size_t count, const iggy_send_opts_t *opts,
                                 iggy_send_confirmations_t **out)
{
    iggy_partitioning_t where = {IGGY_PARTITIONING_PARTITION_ID, partition, NULL, 0};
    iggy_messages_state_t *st;
    iggy_rpc_t rpc;
    iggy_err_t err;
    IGGY_TRY(iggy_messages_state_get(c, &st));
    IGGY_TRY(iggy_rpc_begin(c, IGGY_CMD_SEND_MESSAGES, &rpc));
    iggy_rpc_via(&rpc, via);
    err = encode_send(c, st, &rpc, stream, topic, &where, messages, count, opts);
    if (err != IGGY_OK) {
        iggy_rpc_abort(&rpc);
        return err;
    }
    return iggy_rpc_end(&rpc, (void **)out);
}

iggy_err_t iggy_messages_send_sealed(iggy_client_t *c, iggy_conn_reservation_t *via,
                                     const iggy_identifier_t *stream,
                                     const iggy_identifier_t *topic, uint32_t partition,
                                     const uint8_t *header, const uint8_t *frames, size_t len,
                                     uint32_t count, iggy_send_confirmations_t **out)
{
    iggy_partitioning_t where = {IGGY_PARTITIONING_PARTITION_ID, partition, NULL, 0};
    iggy_rpc_t rpc;
    IGGY_TRY(iggy_rpc_begin(c, IGGY_CMD_SEND_MESSAGES, &rpc));
    iggy_rpc_via(&rpc, via);
    iggy_enc_send_messages_prefix(&rpc.w, stream, topic, &where, count);
    iggy_wr_bytes(&rpc.w, header, IGGY_BATCH_HEADER_SIZE);
    iggy_wr_set_tail(&rpc.w, frames, len);
    return iggy_rpc_end(&rpc, (void **)out);
}

iggy_err_t iggy_send_messages(iggy_client_t *c, const iggy_identifier_t *stream,
                              const iggy_identifier_t *topic,
                              const iggy_partitioning_t *partitioning,
                              const iggy_send_message_t *messages, size_t count,
                              const iggy_send_opts_t *opts, iggy_send_confirmations_t **out)
{
    bool cached = (opts && opts->partitioner) ||
                  !(partitioning && partitioning->kind == IGGY_PARTITIONING_PARTITION_ID);
    if (!c || !stream || !topic || (!messages && count))
        return iggy_fail(IGGY_ERR__INVALID_ARG, "SendMessages: NULL argument");
    if (count == 0)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "SendMessages: no messages");
    for (int attempt = 0;; attempt++) {
        uint32_t partition;
        iggy_err_t err = iggy_messages_route(c, stream, topic, partitioning, messages, count, opts,
                                             attempt > 0, &partition);
        if (err == IGGY_OK)
            err = iggy_messages_send_to(c, NULL, stream, topic, partition, messages, count, opts,
                                        out);
        /* 20 is a pre-commit deny (never applied): the cached partition count may be
         * stale after partitions were deleted; refresh it once and resend. */
        if (err == IGGY_ERR_RESOURCE_NOT_FOUND && cached && attempt == 0)
            continue;
        return err;
    }
}

/* ---------------------------------------------------------------- polling */

/* The next partition of the caller's group assignment (syncing when needed). */
static iggy_err_t group_partition(iggy_client_t *c, iggy_messages_state_t *st,
                                  const iggy_consumer_ref_t *consumer,
                                  const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                                  bool resync, uint32_t *out)
{
    char key[IDKEY_MAX * 3] = "";
    group_entry_t *e;
    iggy_group_assignment_t *a = NULL;
    iggy_rpc_t rpc;
    iggy_err_t err;
    uint64_t epoch = __atomic_load_n(&c->session_epoch, __ATOMIC_RELAXED);

    id_key(stream, key, sizeof key);
    id_key(topic, key, sizeof key);
    id_key(&consumer->id, key, sizeof key);
    pthread_mutex_lock(&st->lock);
    e = cache_slot((void **)&st->groups, &st->ngroups, &st->groups_cap, sizeof *e, key,
                   offsetof(group_entry_t, key));
    if (e && e->count && !resync && e->epoch == epoch) {
        *out = e->partitions[e->cursor++ % e->count];
        pthread_mutex_unlock(&st->lock);
        return IGGY_OK;
    }
    pthread_mutex_unlock(&st->lock);
    if (!e)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "PollMessages: no memory for the group cache");

    IGGY_TRY(iggy_rpc_begin(c, IGGY_CMD_SYNC_CONSUMER_GROUP, &rpc));
    iggy_enc_group_ref(&rpc.w, stream, topic, &consumer->id);
    iggy_rpc_pin_group(&rpc, stream, topic, &consumer->id);
    err = iggy_rpc_end(&rpc, (void **)&a);
    if (err == IGGY_ERR__NOT_FOUND)
        return iggy_fail(IGGY_ERR_CONSUMER_GROUP_MEMBER_NOT_FOUND,
                         "PollMessages: not a member of the consumer group (join it first)");
    if (err != IGGY_OK)
        return err;
    pthread_mutex_lock(&st->lock);
    e = cache_slot((void **)&st->groups, &st->ngroups, &st->groups_cap, sizeof *e, key,
                   offsetof(group_entry_t, key));
    if (e) {
        e->epoch = epoch;
        e->generation = a->generation;
        e->count = a->partitions_count < 64 ? a->partitions_count : 64;
        if (e->count) /* no partitions: the array is NULL */
            memcpy(e->partitions, a->partitions, e->count * sizeof(uint32_t));
    }
    *out = e && e->count ? e->partitions[e->cursor++ % e->count] : IGGY_PARTITION_RESYNC;
    pthread_mutex_unlock(&st->lock);
    iggy_result_destroy(a);
    if (*out == IGGY_PARTITION_RESYNC)
        *out = IGGY_PARTITION_UNASSIGNED; /* a member, holding nothing now */
    return IGGY_OK;
}

iggy_err_t iggy_messages_empty_poll(iggy_polled_messages_t **batch)
{
    uint8_t body[IGGY_POLL_PREFIX_SIZE] = {0};
    iggy_put_le32(body, IGGY_PARTITION_UNASSIGNED);
    return iggy_resp_unmarshal(&iggy_resp_polled_messages, body, sizeof body, (void **)batch);
}

static iggy_err_t poll_once(iggy_client_t *c, iggy_messages_state_t *st,
                            iggy_conn_reservation_t *via, const iggy_consumer_ref_t *consumer,
                            const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                            const uint32_t *partition_id, const iggy_polling_strategy_t *strategy,
                            uint32_t count, bool auto_commit, const iggy_poll_opts_t *opts,
                            iggy_polled_messages_t **out)
{
    static const iggy_poll_opts_t defaults; /* NULL options = zeroed options (decompress) */
    iggy_poll_decode_opts_t d;
    transform_slot_t *slot;
    bool transform;
    iggy_rpc_t rpc;
    iggy_err_t err;

    if (!opts)
        opts = &defaults;
    transform = opts->verify_checksums || opts->encryption_key || !opts->no_decompress;

    IGGY_TRY(iggy_rpc_begin(c, IGGY_CMD_POLL_MESSAGES, &rpc));
    iggy_enc_poll_messages(&rpc.w, consumer, stream, topic, partition_id, strategy, count,
                           auto_commit);
    if (via)
        iggy_rpc_via(&rpc, via);
    else
        iggy_rpc_pin_consumer(&rpc, consumer, stream, topic);
    if (!transform)
        return iggy_rpc_end(&rpc, (void **)out);
    memset(&d, 0, sizeof d);
    d.verify_checksums = opts->verify_checksums;
    d.key = opts->encryption_key;
    d.decompress = !opts->no_decompress;
    /* the call's limits, else the client's (conf poll.max.decompressed.*) */
    d.max_decompressed = opts->max_decompressed_bytes
                             ? opts->max_decompressed_bytes
                             : (c->conf ? (size_t)c->conf->poll_max_decompressed_bytes : 0);
    d.reply_budget = opts->max_decompressed_reply_bytes
                         ? opts->max_decompressed_reply_bytes
                         : (c->conf ? (size_t)c->conf->poll_max_decompressed_reply_bytes : 0);
    slot = slot_take(st);
    if (!slot) {
        iggy_rpc_abort(&rpc);
        return iggy_fail(IGGY_ERR__NO_MEMORY, "PollMessages: no memory for transforms");
    }
    d.comp = slot->comp;
    d.crypto = slot->crypto;
    d.scratch = &slot->poll_scratch;
    d.inflate = &slot->poll_inflate;
    rpc.decode_opts = &d;
    err = iggy_rpc_end(&rpc, (void **)out);
    slot_give(st, slot);
    return err;
}

iggy_err_t iggy_poll_messages_into(iggy_client_t *c, const iggy_consumer_ref_t *consumer,
                                   const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                                   const uint32_t *partition_id,
                                   const iggy_polling_strategy_t *strategy, uint32_t count,
                                   bool auto_commit, const iggy_poll_opts_t *opts,
                                   iggy_polled_messages_t **batch)
{
    iggy_messages_state_t *st;
    bool group;
    uint32_t partition;
    iggy_err_t err;

    if (!c || !consumer || !stream || !topic || !strategy || !batch)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "PollMessages: NULL argument");
    IGGY_TRY(iggy_messages_state_get(c, &st));
    group = consumer->kind == IGGY_CONSUMER_GROUP && !partition_id;
    if (!group)
        return poll_once(c, st, NULL, consumer, stream, topic, partition_id, strategy, count,
                         auto_commit, opts, batch);
    for (bool resync = false, rejoined = false;;) {
        err = group_partition(c, st, consumer, stream, topic, resync, &partition);
        if (err == IGGY_OK && partition == IGGY_PARTITION_UNASSIGNED)
            return iggy_messages_empty_poll(batch);
        if (err == IGGY_OK)
            err = poll_once(c, st, NULL, consumer, stream, topic, &partition, strategy, count,
                            auto_commit, opts, batch);
        /* The server lost our membership (a new session it did not see us re-join, an
         * eviction): join once more, re-sync, retry. Only for groups the caller joined. */
        if (err == IGGY_ERR_CONSUMER_GROUP_MEMBER_NOT_FOUND && !rejoined) {
            int member = iggy_membership_conn(c, stream, topic, &consumer->id);
            if (member == -2)
                return IGGY_ERR__NO_MEMORY; /* the detail is set */
            if (member >= 0) {
                rejoined = resync = true;
                IGGY_TRY(iggy_join_consumer_group(c, stream, topic, &consumer->id));
                continue;
            }
        }
        /* A rebalance fenced us (re-sync sentinel): sync once and retry. */
        if (err != IGGY_OK || (*batch)->partition_id != IGGY_PARTITION_RESYNC || resync)
            return err;
        resync = true;
    }
}

iggy_err_t iggy_messages_poll_via(iggy_client_t *c, iggy_conn_reservation_t *via,
                                  const iggy_consumer_ref_t *consumer,
                                  const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                                  uint32_t partition, const iggy_polling_strategy_t *strategy,
                                  uint32_t count, bool auto_commit, const iggy_poll_opts_t *opts,
                                  iggy_polled_messages_t **batch)
{
    iggy_messages_state_t *st;
    IGGY_TRY(iggy_messages_state_get(c, &st));
    return poll_once(c, st, via, consumer, stream, topic, &partition, strategy, count, auto_commit,
                     opts, batch);
}

iggy_err_t iggy_poll_messages(iggy_client_t *c, const iggy_consumer_ref_t *consumer,
                              const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                              const uint32_t *partition_id, const iggy_polling_strategy_t *strategy,
                              uint32_t count, bool auto_commit, const iggy_poll_opts_t *opts,
                              iggy_polled_messages_t **out)
{
    if (!out)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "PollMessages: NULL out");
    *out = NULL;
    return iggy_poll_messages_into(c, consumer, stream, topic, partition_id, strategy, count,
                                   auto_commit, opts, out);
}

iggy_err_t iggy_flush_unsaved_buffer(iggy_client_t *c, const iggy_identifier_t *stream,
                                     const iggy_identifier_t *topic, uint32_t partition_id,
                                     bool fsync)
{
    iggy_rpc_t rpc;
    if (!c || !stream || !topic)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "FlushUnsavedBuffer: NULL argument");
    IGGY_TRY(iggy_rpc_begin(c, IGGY_CMD_FLUSH_UNSAVED_BUFFER, &rpc));
    iggy_enc_flush_unsaved_buffer(&rpc.w, stream, topic, partition_id, fsync);
    return iggy_rpc_end(&rpc, NULL);
}
