#include "codec/iggy_primitives.h"

#include <stddef.h>
#include <string.h>

#include "iggy_error_internal.h"

static void invalid(iggy_writer_t *w, const char *what, const char *reason)
{
    iggy_wr_failf(w, IGGY_ERR__INVALID_ARG, "%s %s", what, reason);
}

void iggy_enc_name(iggy_writer_t *w, const char *name, const char *what)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > IGGY_MAX_NAME_LEN) {
        invalid(w, what, "must be 1..255 bytes");
        return;
    }
    iggy_wr_u8(w, (uint8_t)n);
    iggy_wr_bytes(w, name, n);
}

void iggy_enc_short_string(iggy_writer_t *w, const char *s, const char *what)
{
    size_t n = s ? strlen(s) : 0;
    if (n > IGGY_MAX_NAME_LEN) {
        invalid(w, what, "must be at most 255 bytes");
        return;
    }
    iggy_wr_u8(w, (uint8_t)n);
    iggy_wr_bytes(w, s, n);
}

void iggy_enc_identifier(iggy_writer_t *w, const iggy_identifier_t *id)
{
    if (!id) {
        invalid(w, "identifier", "is NULL");
        return;
    }
    if (id->name) {
        iggy_wr_u8(w, 2);
        iggy_enc_name(w, id->name, "identifier name");
    } else {
        iggy_wr_u8(w, 1);
        iggy_wr_u8(w, 4);
        iggy_wr_u32(w, id->numeric);
    }
}

void iggy_enc_consumer(iggy_writer_t *w, const iggy_consumer_ref_t *c)
{
    if (!c || (c->kind != IGGY_CONSUMER_SINGLE && c->kind != IGGY_CONSUMER_GROUP)) {
        invalid(w, "consumer", "kind must be 1 (consumer) or 2 (group)");
        return;
    }
    iggy_wr_u8(w, (uint8_t)c->kind);
    iggy_enc_identifier(w, &c->id);
}

void iggy_enc_partitioning(iggy_writer_t *w, const iggy_partitioning_t *p)
{
    switch (p ? p->kind : 0) {
    case IGGY_PARTITIONING_BALANCED:
        iggy_wr_u8(w, 1);
        iggy_wr_u8(w, 0);
        return;
    case IGGY_PARTITIONING_PARTITION_ID:
        iggy_wr_u8(w, 2);
        iggy_wr_u8(w, 4);
        iggy_wr_u32(w, p->partition_id);
        return;
    case IGGY_PARTITIONING_MESSAGES_KEY:
        if (!p->key || p->key_len == 0 || p->key_len > IGGY_MAX_NAME_LEN) {
            invalid(w, "messages key", "must be 1..255 bytes");
            return;
        }
        iggy_wr_u8(w, 3);
        iggy_wr_u8(w, (uint8_t)p->key_len);
        iggy_wr_bytes(w, p->key, p->key_len);
        return;
    default:
        invalid(w, "partitioning", "kind must be 1..3");
    }
}

void iggy_enc_polling_strategy(iggy_writer_t *w, const iggy_polling_strategy_t *s)
{
    if (!s || s->kind < IGGY_POLL_OFFSET || s->kind > IGGY_POLL_NEXT) {
        invalid(w, "polling strategy", "kind must be 1..5");
        return;
    }
    iggy_wr_u8(w, (uint8_t)s->kind);
    iggy_wr_u64(w, s->value);
}

void iggy_enc_optional_partition(iggy_writer_t *w, const uint32_t *partition_id)
{
    iggy_wr_u8(w, partition_id ? 1 : 0);
    iggy_wr_u32(w, partition_id ? *partition_id : 0);
}

iggy_err_t iggy_id_copy(const iggy_identifier_t *in, char *name, size_t cap, iggy_identifier_t *out)
{
    size_t len;
    if (!in->name) {
        *out = *in;
        return IGGY_OK;
    }
    len = strlen(in->name);
    if (len >= cap)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "name of %zu bytes, longer than %zu", len, cap - 1);
    memcpy(name, in->name, len + 1);
    *out = iggy_id_name(name);
    return IGGY_OK;
}

static int kv_valid(const iggy_kv_t *e)
{
    return e->key_kind != 0 && e->value_kind != 0 && e->key && e->value && e->key_len >= 1 &&
           e->key_len <= IGGY_MAX_NAME_LEN && e->value_len >= 1 &&
           e->value_len <= IGGY_MAX_NAME_LEN;
}

size_t iggy_kv_block_size(const iggy_kv_t *entries, size_t count)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        n += 10 + (size_t)entries[i].key_len + entries[i].value_len;
    return n;
}

bool iggy_kv_block_valid(const iggy_kv_t *entries, size_t count, size_t *bad)
{
    if (count && !entries) {
        *bad = 0;
        return false;
    }
    for (size_t i = 0; i < count; i++)
        if (!kv_valid(&entries[i])) {
            *bad = i;
            return false;
        }
    return true;
}

uint8_t *iggy_kv_block_put(uint8_t *dst, const iggy_kv_t *entries, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const iggy_kv_t *e = &entries[i];
        *dst++ = e->key_kind;
        iggy_put_le32(dst, e->key_len);
        memcpy(dst + 4, e->key, e->key_len);
        dst += 4 + e->key_len;
        *dst++ = e->value_kind;
        iggy_put_le32(dst, e->value_len);
        memcpy(dst + 4, e->value, e->value_len);
        dst += 4 + e->value_len;
    }
    return dst;
}

void iggy_enc_kv_block(iggy_writer_t *w, const iggy_kv_t *entries, size_t count)
{
    size_t bad;
    uint8_t *p;
    if (count && !entries) {
        invalid(w, "key/value block", "entries is NULL");
        return;
    }
    if (!iggy_kv_block_valid(entries, count, &bad)) {
        iggy_wr_failf(w, IGGY_ERR__INVALID_ARG,
                      "key/value entry %zu: kinds must be non-zero and key and "
                      "value 1..255 bytes",
                      bad);
        return;
    }
    p = iggy_wr_grow(w, iggy_kv_block_size(entries, count));
    if (p)
        iggy_kv_block_put(p, entries, count);
}

size_t iggy_permissions_size(const iggy_permissions_t *p)
{
    size_t n = 11;
    for (size_t i = 0; i < p->streams_count; i++)
        n += 12 + 9 * p->streams[i].topics_count;
    return n;
}

void iggy_enc_permissions(iggy_writer_t *w, const iggy_permissions_t *p)
{
    const iggy_global_permissions_t *g = &p->global;
    const bool global[10] = {g->manage_servers, g->read_servers, g->manage_users,  g->read_users,
                             g->manage_streams, g->read_streams, g->manage_topics, g->read_topics,
                             g->poll_messages,  g->send_messages};
    for (int i = 0; i < 10; i++)
        iggy_wr_u8(w, global[i] ? 1 : 0);
    iggy_wr_u8(w, p->streams_count ? 1 : 0);
    for (size_t s = 0; s < p->streams_count; s++) {
        const iggy_stream_permissions_t *sp = &p->streams[s];
        const bool flags[6] = {sp->manage_stream, sp->read_stream,   sp->manage_topics,
                               sp->read_topics,   sp->poll_messages, sp->send_messages};
        iggy_wr_u32(w, sp->stream_id);
        for (int i = 0; i < 6; i++)
            iggy_wr_u8(w, flags[i] ? 1 : 0);
        iggy_wr_u8(w, sp->topics_count ? 1 : 0);
        for (size_t t = 0; t < sp->topics_count; t++) {
            const iggy_topic_permissions_t *tp = &sp->topics[t];
            iggy_wr_u32(w, tp->topic_id);
            iggy_wr_u8(w, tp->manage_topic ? 1 : 0);
            iggy_wr_u8(w, tp->read_topic ? 1 : 0);
            iggy_wr_u8(w, tp->poll_messages ? 1 : 0);
            iggy_wr_u8(w, tp->send_messages ? 1 : 0);
            iggy_wr_u8(w, t + 1 < sp->topics_count ? 1 : 0);
        }
        iggy_wr_u8(w, s + 1 < p->streams_count ? 1 : 0);
    }
}

/* ---------------------------------------------------------------- decoders */

iggy_err_t iggy_dec_name(iggy_reader_t *r, iggy_arena_t *a, const char **out, int allow_empty)
{
    uint8_t n;
    const uint8_t *p;
    IGGY_TRY(iggy_rd_u8(r, &n));
    if (n == 0 && !allow_empty)
        return iggy_rd_bad(r, "empty name");
    IGGY_TRY(iggy_rd_bytes(r, n, &p));
    *out = iggy_arena_str(a, p, n);
    return IGGY_OK;
}

iggy_err_t iggy_dec_string32(iggy_reader_t *r, iggy_arena_t *a, const char **out)
{
    uint32_t n;
    const uint8_t *p;
    IGGY_TRY(iggy_rd_u32(r, &n));
    IGGY_TRY(iggy_rd_bytes(r, n, &p));
    *out = iggy_arena_str(a, p, n);
    return IGGY_OK;
}

/* One TLV: [kind u8][len u32][bytes], kind != 0, len 1..255. */
static iggy_err_t read_tlv(iggy_reader_t *r, uint8_t *kind, uint32_t *len, const uint8_t **p)
{
    IGGY_TRY(iggy_rd_u8(r, kind));
    if (*kind == 0)
        return iggy_rd_bad(r, "key/value kind 0");
    IGGY_TRY(iggy_rd_u32(r, len));
    if (*len == 0 || *len > IGGY_MAX_NAME_LEN)
        return iggy_rd_bad(r, "key/value length outside 1..255");
    return iggy_rd_bytes(r, *len, p);
}

iggy_err_t iggy_dec_kv_block(iggy_reader_t *r, iggy_arena_t *a, size_t len, int strict_keys,
                             iggy_kv_list_t *out)
{
    iggy_reader_t sub;
    size_t count = 0;
    iggy_kv_t *arr, scratch;
    const uint8_t *block;

    IGGY_TRY(iggy_rd_bytes(r, len, &block));
    /* Count entries first (the block has no count prefix). */
    iggy_rd_init(&sub, block, len, r->ctx);
    while (iggy_rd_left(&sub)) {
        uint8_t kk, vk;
        uint32_t kl, vl;
        const uint8_t *kp, *vp;
        IGGY_TRY(read_tlv(&sub, &kk, &kl, &kp));
        if (strict_keys && kk != IGGY_KV_STRING)
            return iggy_rd_bad(&sub, "option key is not a string");
        if (!iggy_rd_left(&sub))
            return iggy_rd_bad(&sub, "key without a value");
        IGGY_TRY(read_tlv(&sub, &vk, &vl, &vp));
        count++;
    }
    arr = IGGY_ARENA_ARRAY(a, iggy_kv_t, count);
    iggy_rd_init(&sub, block, len, r->ctx);
    for (size_t i = 0; i < count; i++) {
        iggy_kv_t *e = IGGY_ARENA_SLOT(arr, i, &scratch);
        const uint8_t *kp, *vp;
        uint8_t kk, vk;
        uint32_t kl, vl;
        IGGY_TRY(read_tlv(&sub, &kk, &kl, &kp));
        IGGY_TRY(read_tlv(&sub, &vk, &vl, &vp));
        e->key_kind = kk;
        e->key_len = kl;
        e->key = iggy_arena_bytes(a, kp, kl);
        e->value_kind = vk;
        e->value_len = vl;
        e->value = iggy_arena_bytes(a, vp, vl);
    }
    out->count = count;
    out->entries = arr;
    return IGGY_OK;
}

iggy_err_t iggy_dec_options32(iggy_reader_t *r, iggy_arena_t *a, iggy_kv_list_t *out)
{
    uint32_t len;
    IGGY_TRY(iggy_rd_u32(r, &len));
    if (len > IGGY_OPTIONS_MAX_BYTES)
        return iggy_rd_bad(r, "options block larger than 100000 bytes");
    return iggy_dec_kv_block(r, a, len, 1, out);
}

static iggy_err_t rd_bool(iggy_reader_t *r, bool *v)
{
    uint8_t b;
    IGGY_TRY(iggy_rd_u8(r, &b));
    *v = b != 0;
    return IGGY_OK;
}

static iggy_err_t rd_flag(iggy_reader_t *r, uint8_t *v)
{
    IGGY_TRY(iggy_rd_u8(r, v));
    if (*v > 1)
        return iggy_rd_bad(r, "permissions continuation flag is not 0 or 1");
    return IGGY_OK;
}

/* Walk the topic records of one stream; counts them, fills arr when non-NULL. */
static iggy_err_t dec_topic_perms(iggy_reader_t *r, iggy_topic_permissions_t *arr, size_t *count)
{
    uint8_t more = 1;
    size_t n = 0;
    while (more) {
        iggy_topic_permissions_t scratch, *t = IGGY_ARENA_SLOT(arr, n, &scratch);
        IGGY_TRY(iggy_rd_u32(r, &t->topic_id));
        IGGY_TRY(rd_bool(r, &t->manage_topic));
        IGGY_TRY(rd_bool(r, &t->read_topic));
        IGGY_TRY(rd_bool(r, &t->poll_messages));
        IGGY_TRY(rd_bool(r, &t->send_messages));
        IGGY_TRY(rd_flag(r, &more));
        n++;
    }
    *count = n;
    return IGGY_OK;
}

/* Walk the stream records; pass 0 counts streams and topics per stream, the copy pass
 * fills. Kept as one routine so both passes read exactly the same bytes. */
static iggy_err_t dec_stream_perms(iggy_reader_t *r, iggy_arena_t *a,
                                   iggy_stream_permissions_t *arr, size_t *count)
{
    uint8_t more = 1;
    size_t n = 0;
    while (more) {
        iggy_stream_permissions_t scratch, *s = IGGY_ARENA_SLOT(arr, n, &scratch);
        uint8_t has_topics;
        IGGY_TRY(iggy_rd_u32(r, &s->stream_id));
        IGGY_TRY(rd_bool(r, &s->manage_stream));
        IGGY_TRY(rd_bool(r, &s->read_stream));
        IGGY_TRY(rd_bool(r, &s->manage_topics));
        IGGY_TRY(rd_bool(r, &s->read_topics));
        IGGY_TRY(rd_bool(r, &s->poll_messages));
        IGGY_TRY(rd_bool(r, &s->send_messages));
        IGGY_TRY(rd_flag(r, &has_topics));
        s->topics_count = 0;
        s->topics = NULL;
        if (has_topics) {
            /* Count this stream's topics, then allocate and fill them. */
            size_t start = r->off, nt;
            iggy_topic_permissions_t *topics;
            IGGY_TRY(dec_topic_perms(r, NULL, &nt));
            topics = IGGY_ARENA_ARRAY(a, iggy_topic_permissions_t, nt);
            if (topics) {
                r->off = start;
                IGGY_TRY(dec_topic_perms(r, topics, &nt));
            }
            s->topics_count = nt;
            s->topics = topics;
        }
        IGGY_TRY(rd_flag(r, &more));
        n++;
    }
    *count = n;
    return IGGY_OK;
}

iggy_err_t iggy_dec_permissions(iggy_reader_t *r, iggy_arena_t *a, size_t len,
                                iggy_permissions_t *out)
{
    iggy_reader_t sub;
    const uint8_t *block;
    iggy_global_permissions_t *g = &out->global;
    bool *global[10] = {&g->manage_servers, &g->read_servers, &g->manage_users,  &g->read_users,
                        &g->manage_streams, &g->read_streams, &g->manage_topics, &g->read_topics,
                        &g->poll_messages,  &g->send_messages};
    uint8_t has_streams;

    IGGY_TRY(iggy_rd_bytes(r, len, &block));
    iggy_rd_init(&sub, block, len, r->ctx);
    for (int i = 0; i < 10; i++)
        IGGY_TRY(rd_bool(&sub, global[i]));
    IGGY_TRY(rd_flag(&sub, &has_streams));
    out->streams_count = 0;
    out->streams = NULL;
    if (has_streams) {
        size_t start = sub.off, ns;
        iggy_arena_t counting = {NULL, 0, 0, 0};
        iggy_stream_permissions_t *streams;
        /* Count streams without touching the real arena, then decode for real. */
        IGGY_TRY(dec_stream_perms(&sub, &counting, NULL, &ns));
        streams = IGGY_ARENA_ARRAY(a, iggy_stream_permissions_t, ns);
        sub.off = start;
        IGGY_TRY(dec_stream_perms(&sub, a, streams, &ns));
        out->streams_count = ns;
        out->streams = streams;
    }
    return iggy_rd_end(&sub);
}

iggy_err_t iggy_dec_identifier(iggy_reader_t *r, iggy_identifier_t *out, const uint8_t **name,
                               size_t *name_len)
{
    uint8_t kind, len;
    const uint8_t *p;
    IGGY_TRY(iggy_rd_u8(r, &kind));
    IGGY_TRY(iggy_rd_u8(r, &len));
    *name = NULL;
    *name_len = 0;
    out->name = NULL;
    out->numeric = 0;
    if (kind == 1) {
        if (len != 4)
            return iggy_rd_bad(r, "numeric identifier length is not 4");
        return iggy_rd_u32(r, &out->numeric);
    }
    if (kind != 2)
        return iggy_rd_bad(r, "identifier kind is not 1 or 2");
    if (len == 0)
        return iggy_rd_bad(r, "empty string identifier");
    IGGY_TRY(iggy_rd_bytes(r, len, &p));
    *name = p;
    *name_len = len;
    return IGGY_OK;
}

iggy_err_t iggy_dec_records(iggy_reader_t *r, iggy_arena_t *a, size_t elem_size, size_t elem_align,
                            iggy_dec_record_fn dec, size_t *count, void **arr)
{
    _Alignas(max_align_t) uint8_t scratch[512];
    iggy_arena_t counting = {NULL, 0, 0, 0};
    size_t start = r->off, n = 0;
    uint8_t *base;

    if (elem_size > sizeof scratch)
        return iggy_fail(IGGY_ERR__STATE, "%s: record struct too large", r->ctx);
    while (iggy_rd_left(r)) {
        IGGY_TRY(dec(r, &counting, scratch));
        n++;
    }
    base = iggy_arena_alloc(a, elem_size * n, elem_align);
    r->off = start;
    for (size_t i = 0; i < n; i++)
        IGGY_TRY(dec(r, a, base ? base + i * elem_size : scratch));
    *count = n;
    *arr = base;
    return IGGY_OK;
}
