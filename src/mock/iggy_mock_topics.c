/* Topics with the option catalog, partitions and segments (admin.md §4, §5). */
#include <string.h>

#include "iggy_alloc.h"
#include "iggy_humantime.h"
#include "mock/iggy_mock_state_internal.h"

#define KIB 1024ull
#define MIB (1024ull * 1024ull)
#define GIB (1024ull * 1024ull * 1024ull)

/* ---------------------------------------------------------------- option catalog */

/* Sorted byte-wise by key: the order the derived block is emitted in. */
const iggy_mock_catalog_entry_t iggy_mock_topic_catalog[8] = {
    {"compression_algorithm",
     IGGY_KV_STRING,
     4,
     {'n', 'o', 'n', 'e'},
     "Topic compression algorithm: none or gzip (metadata only)"},
    {"enforce_fsync", IGGY_KV_BOOL, 1, {0}, "Fsync every write to the partition's segment"},
    {"max_topic_size",
     IGGY_KV_UINT64,
     8,
     {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
     "Maximum topic size in bytes; u64::MAX = unlimited"},
    {"message_expiry",
     IGGY_KV_UINT64,
     8,
     {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
     "Message retention in microseconds; u64::MAX = never expire"},
    {"messages_required_to_save",
     IGGY_KV_UINT32,
     4,
     {0x00, 0x04, 0, 0},
     "Messages buffered before a flush to disk"},
    {"preallocate_segments", IGGY_KV_BOOL, 1, {0}, "Reserve segment file space up front"},
    {"segment_size",
     IGGY_KV_UINT64,
     8,
     {0, 0, 0, 0x40, 0, 0, 0, 0},
     "Segment size in bytes (1 MiB..1 GiB, a multiple of 512)"},
    {"size_of_messages_required_to_save",
     IGGY_KV_UINT64,
     8,
     {0, 0, 0x10, 0, 0, 0, 0, 0},
     "Bytes buffered before a flush to disk"},
};

enum {
    OPT_COMPRESSION,
    OPT_FSYNC,
    OPT_MAX_SIZE,
    OPT_EXPIRY,
    OPT_MSGS_TO_SAVE,
    OPT_PREALLOCATE,
    OPT_SEGMENT_SIZE,
    OPT_SIZE_TO_SAVE,
};

static int catalog_index(const uint8_t *key, size_t len)
{
    for (int i = 0; i < 8; i++)
        if (strlen(iggy_mock_topic_catalog[i].key) == len &&
            memcmp(iggy_mock_topic_catalog[i].key, key, len) == 0)
            return i;
    return -1;
}

static bool ieq(const uint8_t *p, size_t n, const char *s)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c - 'A' + 'a');
        if (c != (uint8_t)s[i])
            return false;
    }
    return true;
}

static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* Decimal integer with optional fraction; *frac_num / *frac_den is the fraction. */
static bool parse_number(const uint8_t *p, size_t n, size_t *i, uint64_t *whole, uint64_t *frac_num,
                         uint64_t *frac_den)
{
    size_t start = *i;
    *whole = 0;
    *frac_num = 0;
    *frac_den = 1;
    while (*i < n && p[*i] >= '0' && p[*i] <= '9') {
        if (*whole > (UINT64_MAX - 9) / 10)
            return false;
        *whole = *whole * 10 + (uint64_t)(p[*i] - '0');
        (*i)++;
    }
    if (*i == start)
        return false;
    if (*i < n && p[*i] == '.') {
        (*i)++;
        while (*i < n && p[*i] >= '0' && p[*i] <= '9') {
            if (*frac_den < 1000000000000ull) {
                *frac_num = *frac_num * 10 + (uint64_t)(p[*i] - '0');
                *frac_den *= 10;
            }
            (*i)++;
        }
    }
    return true;
}

/* Byte size string ("1 GiB", "2GB", "4096"): decimal units are powers of 1000, *i units
 * powers of 1024, case-insensitive. */
static bool parse_bytes(const uint8_t *p, size_t n, uint64_t *out)
{
    static const struct {
        const char *unit;
        uint64_t mult;
    } units[] = {{"", 1},
                 {"b", 1},
                 {"k", 1000ull},
                 {"kb", 1000ull},
                 {"kib", KIB},
                 {"m", 1000000ull},
                 {"mb", 1000000ull},
                 {"mib", MIB},
                 {"g", 1000000000ull},
                 {"gb", 1000000000ull},
                 {"gib", GIB},
                 {"t", 1000000000000ull},
                 {"tb", 1000000000000ull},
                 {"tib", GIB * 1024ull},
                 {"p", 1000000000000000ull},
                 {"pb", 1000000000000000ull},
                 {"pib", GIB * 1024ull * 1024ull}};
    size_t i = 0;
    uint64_t whole, fn, fd;
    while (i < n && is_space(p[i]))
        i++;
    if (!parse_number(p, n, &i, &whole, &fn, &fd))
        return false;
    while (i < n && is_space(p[i]))
        i++;
    while (n > i && is_space(p[n - 1]))
        n--;
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        if (!ieq(p + i, n - i, units[u].unit))
            continue;
        if (whole && units[u].mult > UINT64_MAX / whole)
            return false;
        *out = whole * units[u].mult +
               (fn ? (uint64_t)((double)fn / (double)fd * (double)units[u].mult) : 0);
        return true;
    }
    return false;
}

/* humantime duration ("7 days", "5s", "1h 30m") to µs; at most u32::MAX seconds. */
static bool parse_duration(const uint8_t *p, size_t n, uint64_t *out_us)
{
    uint64_t ns;
    if (!iggy_humantime_ns(p, n, (uint64_t)UINT32_MAX * 1000000000ull, &ns))
        return false;
    *out_us = ns / 1000u;
    return true;
}

static bool parse_uint_string(const uint8_t *p, size_t n, uint64_t *out)
{
    size_t i = 0;
    uint64_t fn, fd;
    return parse_number(p, n, &i, out, &fn, &fd) && fn == 0 && fd == 1 && i == n;
}

/* One option value: 0 ok (value in *v, *sentinel for "use the default"), else 4042. */
static uint32_t parse_option(int idx, uint8_t kind, const uint8_t *p, size_t n, uint64_t *v,
                             bool *sentinel)
{
    *sentinel = false;
    switch (idx) {
    case OPT_COMPRESSION:
        if (kind == IGGY_KV_STRING && ieq(p, n, "none"))
            *v = IGGY_COMPRESSION_NONE;
        else if (kind == IGGY_KV_STRING && ieq(p, n, "gzip"))
            *v = IGGY_COMPRESSION_GZIP;
        else if (kind == IGGY_KV_UINT8 && n == 1 && (p[0] == 1 || p[0] == 2))
            *v = p[0];
        else
            return E_INVALID_OPTION_VALUE;
        return 0;
    case OPT_FSYNC:
    case OPT_PREALLOCATE:
        if (kind == IGGY_KV_BOOL && n == 1 && p[0] <= 1)
            *v = p[0];
        else if (kind == IGGY_KV_STRING && (ieq(p, n, "true") || ieq(p, n, "false")))
            *v = ieq(p, n, "true");
        else
            return E_INVALID_OPTION_VALUE;
        return 0;
    case OPT_EXPIRY:
        if (kind == IGGY_KV_UINT64 && n == 8)
            *v = iggy_le64(p);
        else if (kind == IGGY_KV_STRING &&
                 (ieq(p, n, "none") || ieq(p, n, "unlimited") || ieq(p, n, "never_expire")))
            *v = UINT64_MAX;
        else if (kind == IGGY_KV_STRING &&
                 (ieq(p, n, "default") || ieq(p, n, "server_default") || ieq(p, n, "0")))
            *v = 0;
        else if (kind != IGGY_KV_STRING || !parse_duration(p, n, v))
            return E_INVALID_OPTION_VALUE;
        *sentinel = *v == 0;
        return 0;
    case OPT_MAX_SIZE:
        if (kind == IGGY_KV_UINT64 && n == 8)
            *v = iggy_le64(p);
        else if (kind == IGGY_KV_STRING && ieq(p, n, "unlimited"))
            *v = UINT64_MAX;
        else if (kind == IGGY_KV_STRING && ieq(p, n, "server_default"))
            *v = 0;
        else if (kind != IGGY_KV_STRING || !parse_bytes(p, n, v))
            return E_INVALID_OPTION_VALUE;
        *sentinel = *v == 0;
        return 0;
    case OPT_SEGMENT_SIZE:
    case OPT_SIZE_TO_SAVE:
        if (kind == IGGY_KV_UINT64 && n == 8)
            *v = iggy_le64(p);
        else if (kind != IGGY_KV_STRING || !parse_bytes(p, n, v))
            return E_INVALID_OPTION_VALUE;
        *sentinel = *v == 0;
        if (*sentinel)
            return 0;
        if (idx == OPT_SEGMENT_SIZE && (*v < MIB || *v > GIB || *v % 512 != 0))
            return E_INVALID_OPTION_VALUE;
        if (idx == OPT_SIZE_TO_SAVE && *v > GIB)
            return E_INVALID_OPTION_VALUE;
        return 0;
    case OPT_MSGS_TO_SAVE:
        if (kind == IGGY_KV_UINT32 && n == 4)
            *v = iggy_le32(p);
        else if (kind != IGGY_KV_STRING || !parse_uint_string(p, n, v))
            return E_INVALID_OPTION_VALUE;
        if (*v < 1 || *v > 16777216u)
            return E_INVALID_OPTION_VALUE;
        return 0;
    }
    return E_UNSUPPORTED_OPTION_KEY;
}

/* ---- options maps */

static void opt_fill(iggy_mock_opt_t *o, const char *key, uint8_t kind, const uint8_t *v, size_t n)
{
    iggy_mock_name_set(&o->key, (const uint8_t *)key, strlen(key));
    o->kind = kind;
    o->len = (uint8_t)n;
    memcpy(o->value, v, n);
}

/* Insert or replace keeping byte-wise key order. */
static bool opts_set(iggy_mock_topic_opts_t *m, const char *key, uint8_t kind, const uint8_t *v,
                     size_t n)
{
    size_t kl = strlen(key), i;
    iggy_mock_opt_t *items;
    for (i = 0; i < m->count; i++) {
        iggy_mock_opt_t *e = &m->items[i];
        size_t min = e->key.len < kl ? e->key.len : kl;
        int c = memcmp(e->key.s, key, min);
        if (c == 0 && e->key.len == kl) {
            opt_fill(e, key, kind, v, n);
            return true;
        }
        if (c > 0 || (c == 0 && e->key.len > kl))
            break;
    }
    items = iggy_mem_realloc(m->items, (m->count + 1) * sizeof *items);
    if (!items)
        return false;
    m->items = items;
    memmove(&items[i + 1], &items[i], (m->count - i) * sizeof *items);
    opt_fill(&items[i], key, kind, v, n);
    m->count++;
    return true;
}

static void opts_remove(iggy_mock_topic_opts_t *m, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < m->count; i++) {
        if (iggy_mock_name_eq(&m->items[i].key, (const uint8_t *)key, kl)) {
            memmove(&m->items[i], &m->items[i + 1], (m->count - i - 1) * sizeof *m->items);
            m->count--;
            return;
        }
    }
}

/* Canonical re-encoding of a parsed value (string forms become their typed kind). */
static bool opts_set_canonical(iggy_mock_topic_opts_t *m, int idx, uint64_t v)
{
    uint8_t b[8];
    const char *key = iggy_mock_topic_catalog[idx].key;
    switch (idx) {
    case OPT_COMPRESSION:
        return opts_set(m, key, IGGY_KV_STRING,
                        (const uint8_t *)(v == IGGY_COMPRESSION_GZIP ? "gzip" : "none"), 4);
    case OPT_FSYNC:
    case OPT_PREALLOCATE:
        b[0] = (uint8_t)v;
        return opts_set(m, key, IGGY_KV_BOOL, b, 1);
    case OPT_MSGS_TO_SAVE:
        iggy_put_le32(b, (uint32_t)v);
        return opts_set(m, key, IGGY_KV_UINT32, b, 4);
    default:
        iggy_put_le64(b, v);
        return opts_set(m, key, IGGY_KV_UINT64, b, 8);
    }
}

/* ---------------------------------------------------------------- object lifetimes */

iggy_mock_partition_t *iggy_mock_partition_new(uint32_t id, uint64_t now_us)
{
    iggy_mock_partition_t *p = iggy_mock_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->id = id;
    p->created_at = now_us;
    p->segments = 1;
    return p;
}

void iggy_mock_partition_wipe(iggy_mock_partition_t *p)
{
    for (size_t i = 0; i < p->records_count; i++)
        iggy_mock_free(p->records[i].bytes);
    iggy_mock_free(p->records);
    iggy_mock_free(p->offsets);
    iggy_mock_free(p->polled);
    p->records = NULL;
    p->records_count = p->records_cap = 0;
    p->offsets = NULL;
    p->offsets_count = 0;
    p->polled = NULL;
    p->polled_count = 0;
    p->next_offset = 0;
    p->size_bytes = 0;
    p->messages_count = 0;
    p->segments = 1;
    p->first_segment = 0;
    p->segment_bytes = 0;
    /* last_timestamp stays: broker timestamps remain monotonic across a purge */
}

void iggy_mock_partition_free(iggy_mock_partition_t *p)
{
    if (!p)
        return;
    iggy_mock_partition_wipe(p);
    iggy_mock_free(p);
}

void iggy_mock_topic_free(iggy_mock_topic_t *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->partitions_count; i++)
        iggy_mock_partition_free(t->partitions[i]);
    iggy_mock_free(t->partitions);
    for (size_t i = 0; i < t->groups_count; i++)
        iggy_mock_group_free(t->groups[i]);
    iggy_mock_free(t->groups);
    iggy_mock_free(t->explicit_opts.items);
    iggy_mock_free(t->derived_opts.items);
    iggy_mock_free(t);
}

/* Append partitions up to total `n`; false on no memory (nothing half-added survives). */
static bool add_partitions(iggy_mock_topic_t *t, size_t n, uint64_t now_us)
{
    size_t old = t->partitions_count;
    iggy_mock_partition_t **arr = iggy_mem_realloc(t->partitions, (n ? n : 1) * sizeof *arr);
    if (!arr)
        return false;
    t->partitions = arr;
    for (size_t i = old; i < n; i++) {
        arr[i] = iggy_mock_partition_new((uint32_t)i, now_us);
        if (!arr[i]) {
            for (size_t j = old; j < i; j++)
                iggy_mock_partition_free(arr[j]);
            return false;
        }
    }
    t->partitions_count = n;
    return true;
}
static bool topic_name_taken(const iggy_mock_stream_t *s, const iggy_mock_name_t *n,
                             const iggy_mock_topic_t *except)
{
    for (size_t i = 0; i < s->topics_cap; i++) {
        iggy_mock_topic_t *t = s->topics[i];
        if (t && t != except && iggy_mock_name_eq(&t->name, (const uint8_t *)n->s, n->len))
            return true;
    }
    return false;
}

/* ---------------------------------------------------------------- topics */

iggy_mock_outcome_t iggy_mock_h_get_topic(iggy_mock_call_t *call)
{
    iggy_mock_ref_t ref;
    iggy_mock_stream_t *s;
    iggy_mock_topic_t *t;
    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_topic_ref(&call->body, &ref) || iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_status(E_INVALID_COMMAND);
    s = iggy_mock_stream_find(call->st, &ref.sid, &ref.sn);
    t = iggy_mock_topic_find(s, &ref.tid, &ref.tn);
    if (!t)
        return iggy_mock_ok(); /* missing stream or topic: empty body */
    if (!iggy_mock_call_allowed(call, PERM_READ_TOPIC, s->id, t->id))
        return iggy_mock_status(E_UNAUTHORIZED);
    iggy_mock_wr_topic_header(call->out, t);
    for (size_t i = 0; i < t->partitions_count; i++)
        iggy_mock_wr_partition(call->out, t->partitions[i], false);
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_get_topics(iggy_mock_call_t *call)
{
    iggy_mock_ref_t ref;
    iggy_mock_stream_t *s;
    uint32_t n = 0;
    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_stream_ref(&call->body, &ref) || iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_status(E_INVALID_COMMAND);
    s = iggy_mock_stream_find(call->st, &ref.sid, &ref.sn);
    if (!s) {
        iggy_wr_u32(call->out, 0); /* a missing stream is count 0, never an error */
        return iggy_mock_ok();
    }
    if (!iggy_mock_call_allowed(call, PERM_READ_TOPICS, s->id, 0))
        return iggy_mock_status(E_UNAUTHORIZED);
    for (size_t i = 0; i < s->topics_cap; i++)
        n += s->topics[i] != NULL;
    iggy_wr_u32(call->out, n); /* count prefix: get_topics only */
    for (size_t i = 0; i < s->topics_cap; i++)
        if (s->topics[i])
            iggy_mock_wr_topic_header(call->out, s->topics[i]);
    return iggy_mock_ok();
}

/* Parsed create_topic options: per catalog entry, present/value/sentinel. */
typedef struct topic_opts {
    bool present[8];
    bool sentinel[8];
    uint64_t value[8];
} topic_opts_t;

/* Validate a request options block against the catalog (4041/4042); allowed = bitmask of
 * accepted catalog indexes. */
static uint32_t parse_topic_options(const iggy_kv_t *e, size_t n, unsigned allowed, topic_opts_t *o)
{
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < n; i++) {
        int idx = catalog_index(e[i].key, e[i].key_len);
        uint32_t err;
        if (idx < 0 || !(allowed & (1u << idx)))
            return E_UNSUPPORTED_OPTION_KEY;
        err = parse_option(idx, e[i].value_kind, e[i].value, e[i].value_len, &o->value[idx],
                           &o->sentinel[idx]);
        if (err)
            return err;
        o->present[idx] = true;
    }
    return 0;
}

static bool explicit_set(const topic_opts_t *o, int idx)
{
    return o->present[idx] && !o->sentinel[idx];
}

iggy_mock_outcome_t iggy_mock_h_create_topic(iggy_mock_call_t *call)
{
    iggy_mock_state_t *st = call->st;
    iggy_reader_t *r = &call->body;
    iggy_mock_ref_t ref;
    uint32_t partitions, err;
    iggy_mock_name_t name;
    iggy_kv_t *entries;
    size_t n, id;
    topic_opts_t o;
    uint64_t segment_size;
    iggy_mock_outcome_t out;
    iggy_mock_stream_t *s;
    iggy_mock_topic_t *t;

    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_stream_ref(r, &ref) || iggy_rd_u32(r, &partitions) != IGGY_OK ||
        !iggy_mock_rd_name(r, &name) || !iggy_mock_rd_options(r, &entries, &n))
        return iggy_mock_status(E_INVALID_COMMAND);
    err = parse_topic_options(entries, n, 0xFFu, &o);
    iggy_mock_free(entries);
    if (err)
        return iggy_mock_status(err);
    segment_size = explicit_set(&o, OPT_SEGMENT_SIZE) ? o.value[OPT_SEGMENT_SIZE] : GIB;
    if (explicit_set(&o, OPT_PREALLOCATE) && o.value[OPT_PREALLOCATE] &&
        segment_size * partitions > 64 * GIB) /* <= 2^30 * 2^32: no overflow */
        return iggy_mock_status(E_INVALID_OPTION_VALUE);
    if (partitions > MOCK_MAX_PARTITIONS_PER_REQUEST)
        return iggy_mock_status(E_TOO_MANY_PARTITIONS);
    if (explicit_set(&o, OPT_MAX_SIZE) && o.value[OPT_MAX_SIZE] < segment_size)
        return iggy_mock_status(E_INVALID_TOPIC_SIZE);

    iggy_mock_next_op(st);
    call->reply_operation = 64; /* CreateTopicWithAssignments */
    if (!iggy_mock_resolve_committed(call, &ref, false, &s, NULL, &out))
        return out;
    if (!iggy_mock_call_allowed(call, PERM_CREATE_TOPIC, s->id, 0))
        return iggy_mock_reject(E_UNAUTHORIZED);
    if (topic_name_taken(s, &name, NULL))
        return iggy_mock_reject(E_TOPIC_NAME_EXISTS);
    if (!iggy_mock_lowest_free_slot((void ***)&s->topics, &s->topics_cap, MOCK_MAX_TOPICS, &id))
        return iggy_mock_reject(id >= MOCK_MAX_TOPICS ? E_TOO_MANY_TOPICS : E_ERROR);
    t = iggy_mock_calloc(1, sizeof *t);
    if (!t)
        return iggy_mock_reject(E_ERROR);
    t->id = (uint32_t)id;
    t->created_at = call->now_us;
    t->name = name;
    t->compression = explicit_set(&o, OPT_COMPRESSION) ? (uint8_t)o.value[OPT_COMPRESSION]
                                                       : IGGY_COMPRESSION_NONE;
    t->message_expiry = explicit_set(&o, OPT_EXPIRY) ? o.value[OPT_EXPIRY] : UINT64_MAX;
    t->max_topic_size = explicit_set(&o, OPT_MAX_SIZE) ? o.value[OPT_MAX_SIZE] : UINT64_MAX;
    t->segment_size = segment_size;
    for (int i = 0; i < 8; i++) {
        const iggy_mock_catalog_entry_t *c = &iggy_mock_topic_catalog[i];
        bool ok = explicit_set(&o, i) ? opts_set_canonical(&t->explicit_opts, i, o.value[i])
                                      : opts_set(&t->derived_opts, c->key, c->kind,
                                                 c->default_value, c->default_len);
        if (!ok) {
            iggy_mock_topic_free(t);
            return iggy_mock_reject(E_ERROR);
        }
    }
    if (!add_partitions(t, partitions, call->now_us)) {
        iggy_mock_topic_free(t);
        return iggy_mock_reject(E_ERROR);
    }
    s->topics[id] = t;
    iggy_mock_wr_topic_header(call->out, t);
    for (size_t i = 0; i < t->partitions_count; i++)
        iggy_mock_wr_partition(call->out, t->partitions[i], true);
    return iggy_mock_ok();
}

/* The topic a committed write names, when the caller may manage it; else false with the
 * outcome to answer in *o (not found, unauthorized). */
static bool managed_topic(iggy_mock_call_t *call, const iggy_mock_ref_t *ref,
                          iggy_mock_stream_t **s, iggy_mock_topic_t **t, iggy_mock_outcome_t *o)
{
    if (!iggy_mock_resolve_committed(call, ref, true, s, t, o))
        return false;
    if (!iggy_mock_call_allowed(call, PERM_MANAGE_TOPIC, (*s)->id, (*t)->id)) {
        *o = iggy_mock_reject(E_UNAUTHORIZED);
        return false;
    }
    return true;
}

iggy_mock_outcome_t iggy_mock_h_update_topic(iggy_mock_call_t *call)
{
    iggy_reader_t *r = &call->body;
    iggy_mock_ref_t ref;
    iggy_mock_name_t name;
    iggy_kv_t *entries;
    size_t n;
    topic_opts_t o;
    uint32_t err;
    iggy_mock_outcome_t out;
    iggy_mock_stream_t *s;
    iggy_mock_topic_t *t;
    const unsigned allowed = (1u << OPT_COMPRESSION) | (1u << OPT_EXPIRY) | (1u << OPT_MAX_SIZE);

    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_topic_ref(r, &ref) || !iggy_mock_rd_name(r, &name) ||
        !iggy_mock_rd_options(r, &entries, &n))
        return iggy_mock_status(E_INVALID_COMMAND);
    err = parse_topic_options(entries, n, allowed, &o);
    if (err) {
        iggy_mock_free(entries);
        return iggy_mock_status(err);
    }
    s = iggy_mock_stream_find(call->st, &ref.sid, &ref.sn);
    t = iggy_mock_topic_find(s, &ref.tid, &ref.tn);
    if (t && explicit_set(&o, OPT_MAX_SIZE) && o.value[OPT_MAX_SIZE] < t->segment_size) {
        iggy_mock_free(entries);
        return iggy_mock_status(E_INVALID_TOPIC_SIZE);
    }
    iggy_mock_next_op(call->st);
    if (!managed_topic(call, &ref, &s, &t, &out)) {
        iggy_mock_free(entries);
        return out;
    }
    if (topic_name_taken(s, &name, t)) {
        iggy_mock_free(entries);
        return iggy_mock_reject(E_TOPIC_NAME_EXISTS);
    }
    t->name = name;
    /* A patch that stores the client's bytes verbatim; 0 leaves the fixed field as is. */
    for (size_t i = 0; i < n; i++) {
        int idx = catalog_index(entries[i].key, entries[i].key_len);
        const char *key = iggy_mock_topic_catalog[idx].key;
        if (!opts_set(&t->explicit_opts, key, entries[i].value_kind, entries[i].value,
                      entries[i].value_len))
            break;
        opts_remove(&t->derived_opts, key);
        if (idx == OPT_COMPRESSION)
            t->compression = (uint8_t)o.value[idx];
        else if (idx == OPT_EXPIRY && o.value[idx])
            t->message_expiry = o.value[idx];
        else if (idx == OPT_MAX_SIZE && o.value[idx])
            t->max_topic_size = o.value[idx];
    }
    iggy_mock_free(entries);
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_delete_topic(iggy_mock_call_t *call)
{
    iggy_mock_ref_t ref;
    iggy_mock_outcome_t o;
    iggy_mock_stream_t *s;
    iggy_mock_topic_t *t;

    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_topic_ref(&call->body, &ref) || iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_evict(EVICT_INVALID_REQUEST_BODY);
    iggy_mock_next_op(call->st);
    if (!managed_topic(call, &ref, &s, &t, &o))
        return o;
    s->topics[t->id] = NULL; /* the id is reused; groups and offsets go with the topic */
    iggy_mock_topic_free(t);
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_purge_topic(iggy_mock_call_t *call)
{
    iggy_mock_ref_t ref;
    iggy_mock_outcome_t o;
    iggy_mock_stream_t *s;
    iggy_mock_topic_t *t;

    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_topic_ref(&call->body, &ref) || iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_evict(EVICT_INVALID_REQUEST_BODY);
    iggy_mock_next_op(call->st);
    if (!managed_topic(call, &ref, &s, &t, &o))
        return o;
    for (size_t p = 0; p < t->partitions_count; p++)
        iggy_mock_partition_wipe(t->partitions[p]);
    iggy_mock_topic_settle(call->st, t, call->now_us); /* nothing is in flight any more */
    return iggy_mock_ok();
}

/* ---------------------------------------------------------------- partitions, segments */

static iggy_mock_outcome_t partitions_op(iggy_mock_call_t *call, bool create)
{
    iggy_mock_ref_t ref;
    uint32_t count;
    iggy_mock_outcome_t o;
    iggy_mock_stream_t *s;
    iggy_mock_topic_t *t;

    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_topic_ref(&call->body, &ref) || iggy_rd_u32(&call->body, &count) != IGGY_OK ||
        iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_status(E_INVALID_COMMAND);
    if (count == 0 || count > MOCK_MAX_PARTITIONS_PER_REQUEST)
        return iggy_mock_status(E_TOO_MANY_PARTITIONS);
    iggy_mock_next_op(call->st);
    if (create)
        call->reply_operation = 65; /* CreatePartitionsWithAssignments */
    if (!managed_topic(call, &ref, &s, &t, &o))
        return o;
    if (create) {
        if (t->partitions_count + count > MOCK_MAX_PARTITION_ID)
            return iggy_mock_reject(E_PARTITION_ID_EXHAUSTED);
        if (!add_partitions(t, t->partitions_count + count, call->now_us))
            return iggy_mock_reject(E_ERROR);
    } else {
        if (count > t->partitions_count)
            return iggy_mock_reject(E_INVALID_PARTITIONS_COUNT);
        for (size_t i = t->partitions_count - count; i < t->partitions_count; i++)
            iggy_mock_partition_free(t->partitions[i]);
        t->partitions_count -= count; /* the highest ids go */
    }
    iggy_mock_topic_rebalance_all(t); /* drops every hand-off, of gone partitions too */
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_create_partitions(iggy_mock_call_t *call)
{
    return partitions_op(call, true);
}

iggy_mock_outcome_t iggy_mock_h_delete_partitions(iggy_mock_call_t *call)
{
    return partitions_op(call, false);
}

iggy_mock_outcome_t iggy_mock_h_delete_segments(iggy_mock_call_t *call)
{
    iggy_mock_ref_t ref;
    uint32_t partition_id, count, retained, drop;
    iggy_mock_outcome_t o;
    iggy_mock_stream_t *s;
    iggy_mock_topic_t *t;
    iggy_mock_partition_t *p;
    size_t keep = 0;

    MOCK_REQUIRE_AUTH(call);
    /* An undecodable body is acked with an empty, unframed 138 reply. */
    if (!iggy_mock_rd_topic_ref(&call->body, &ref) ||
        iggy_rd_u32(&call->body, &partition_id) != IGGY_OK ||
        iggy_rd_u32(&call->body, &count) != IGGY_OK || iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_ok();
    iggy_mock_next_op(call->st);
    call->reply_operation = 68; /* TruncatePartition */
    if (!managed_topic(call, &ref, &s, &t, &o))
        return o;
    p = iggy_mock_partition_get(t, partition_id);
    if (!p)
        return iggy_mock_reject(E_PARTITION_NOT_FOUND);
    /* Only sealed segments go: the newest (active) one always stays. */
    retained = p->segments - p->first_segment;
    drop = count < retained - 1 ? count : retained - 1;
    if (drop == 0)
        return iggy_mock_ok(); /* nothing to delete is a success */
    for (size_t i = 0; i < p->records_count; i++) {
        iggy_mock_record_t *rec = &p->records[i];
        if (rec->segment < p->first_segment + drop) {
            p->size_bytes -= rec->len;
            p->messages_count -= rec->count;
            iggy_mock_free(rec->bytes);
        } else {
            p->records[keep++] = *rec;
        }
    }
    p->records_count = keep;
    p->first_segment += drop;
    return iggy_mock_ok();
}
