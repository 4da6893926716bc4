/* System commands: snapshots, DescribeOptions, clients, stats, cluster metadata and raw
 * replies (framing-and-session.md §10). */
#include <string.h>

#include <iggy/types.h>

#include <stdalign.h>

#include "codec/iggy_codec.h"
#include "codec/iggy_resp.h"
#include "iggy_error_internal.h"

static void invalid(iggy_writer_t *w, const char *what)
{
    iggy_wr_failf(w, IGGY_ERR__INVALID_ARG, "%s", what);
}

/* ---------------------------------------------------------------- encoders */

static int snapshot_type_valid(uint8_t t)
{
    return (t >= IGGY_SNAPSHOT_FILESYSTEM_OVERVIEW && t <= IGGY_SNAPSHOT_SERVER_CONFIG) ||
           t == IGGY_SNAPSHOT_ALL;
}

void iggy_enc_get_snapshot_file(iggy_writer_t *w, uint8_t compression, const uint8_t *types,
                                size_t types_count)
{
    if (compression < IGGY_SNAPSHOT_STORED || compression > IGGY_SNAPSHOT_XZ) {
        invalid(w, "snapshot compression must be 1..6");
        return;
    }
    /* The count is a u8 on the wire; an empty list would ask for nothing. */
    if (types_count == 0 || types_count > 255 || !types) {
        invalid(w, "snapshot types must be a non-NULL list of 1..255 codes");
        return;
    }
    for (size_t i = 0; i < types_count; i++) {
        if (!snapshot_type_valid(types[i])) {
            iggy_wr_failf(w, IGGY_ERR__INVALID_ARG, "snapshot type %zu is %u, not 1..6 or 100", i,
                          types[i]);
            return;
        }
    }
    iggy_wr_u8(w, compression);
    iggy_wr_u8(w, (uint8_t)types_count);
    iggy_wr_bytes(w, types, types_count);
}

void iggy_enc_describe_options(iggy_writer_t *w, uint8_t scope)
{
    if (scope < IGGY_OPTIONS_TOPIC || scope > IGGY_OPTIONS_USER) {
        invalid(w, "options scope must be 1 (topic), 2 (stream) or 3 (user)");
        return;
    }
    iggy_wr_u8(w, scope);
}

void iggy_enc_get_client(iggy_writer_t *w, uint32_t client_id)
{
    iggy_wr_u32(w, client_id);
}

/* ---------------------------------------------------------------- GetStats */

static iggy_err_t dec_stats(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_stats_t *s = out;
    iggy_cache_metric_t *metrics, scratch;
    uint32_t count;

    IGGY_TRY(iggy_rd_u32(r, &s->process_id));              /* 0   u32 */
    IGGY_TRY(iggy_rd_f32(r, &s->cpu_usage));               /* 4   f32 */
    IGGY_TRY(iggy_rd_f32(r, &s->total_cpu_usage));         /* 8   f32 */
    IGGY_TRY(iggy_rd_u64(r, &s->memory_usage));            /* 12  u64 */
    IGGY_TRY(iggy_rd_u64(r, &s->total_memory));            /* 20  u64 */
    IGGY_TRY(iggy_rd_u64(r, &s->available_memory));        /* 28  u64 */
    IGGY_TRY(iggy_rd_u64(r, &s->run_time));                /* 36  u64 µs */
    IGGY_TRY(iggy_rd_u64(r, &s->start_time));              /* 44  u64 unix µs */
    IGGY_TRY(iggy_rd_u64(r, &s->read_bytes));              /* 52  u64 */
    IGGY_TRY(iggy_rd_u64(r, &s->written_bytes));           /* 60  u64 */
    IGGY_TRY(iggy_rd_u64(r, &s->messages_size_bytes));     /* 68  u64 */
    IGGY_TRY(iggy_rd_u32(r, &s->streams_count));           /* 76  u32 */
    IGGY_TRY(iggy_rd_u32(r, &s->topics_count));            /* 80  u32 */
    IGGY_TRY(iggy_rd_u32(r, &s->partitions_count));        /* 84  u32 */
    IGGY_TRY(iggy_rd_u32(r, &s->segments_count));          /* 88  u32 */
    IGGY_TRY(iggy_rd_u64(r, &s->messages_count));          /* 92  u64 */
    IGGY_TRY(iggy_rd_u32(r, &s->clients_count));           /* 100 u32 */
    IGGY_TRY(iggy_rd_u32(r, &s->consumer_groups_count));   /* 104 u32; fixed prefix ends at 108 */
    IGGY_TRY(iggy_dec_string32(r, a, &s->hostname));       /* u32 len + bytes */
    IGGY_TRY(iggy_dec_string32(r, a, &s->os_name));        /* u32 len + bytes */
    IGGY_TRY(iggy_dec_string32(r, a, &s->os_version));     /* u32 len + bytes */
    IGGY_TRY(iggy_dec_string32(r, a, &s->kernel_version)); /* u32 len + bytes */
    IGGY_TRY(iggy_dec_string32(r, a, &s->iggy_server_version)); /* u32 len + bytes */
    IGGY_TRY(iggy_rd_u32(r, &s->iggy_server_semver));           /* u32, 0 = absent */
    IGGY_TRY(iggy_rd_u32(r, &count));                           /* u32 cache_metrics_count */
    IGGY_TRY(iggy_rd_check_count(r, count, 32));
    metrics = IGGY_ARENA_ARRAY(a, iggy_cache_metric_t, count);
    for (uint32_t i = 0; i < count; i++) {
        iggy_cache_metric_t *m = IGGY_ARENA_SLOT(metrics, i, &scratch);
        IGGY_TRY(iggy_rd_u32(r, &m->stream_id));    /* +0  u32 */
        IGGY_TRY(iggy_rd_u32(r, &m->topic_id));     /* +4  u32 */
        IGGY_TRY(iggy_rd_u32(r, &m->partition_id)); /* +8  u32 */
        IGGY_TRY(iggy_rd_u64(r, &m->hits));         /* +12 u64 */
        IGGY_TRY(iggy_rd_u64(r, &m->misses));       /* +20 u64 */
        IGGY_TRY(iggy_rd_f32(r, &m->hit_ratio));    /* +28 f32 */
    }
    s->cache_metrics_count = count;
    s->cache_metrics = metrics;
    IGGY_TRY(iggy_rd_u32(r, &s->threads_count));    /* u32 */
    IGGY_TRY(iggy_rd_u64(r, &s->free_disk_space));  /* u64 */
    IGGY_TRY(iggy_rd_u64(r, &s->total_disk_space)); /* u64 */
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_stats = {"GetStats reply", sizeof(iggy_stats_t), dec_stats};

/* ---------------------------------------------------------------- GetClusterMetadata */

/* Smallest node record: two empty u32-prefixed strings, four ports, role, status. */
#define CLUSTER_NODE_MIN_SIZE 18u

static iggy_err_t dec_cluster_metadata(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_cluster_metadata_t *m = out;
    iggy_cluster_node_t *nodes, scratch;
    uint32_t count;

    IGGY_TRY(iggy_dec_string32(r, a, &m->name)); /* 0 u32 len + cluster name */
    IGGY_TRY(iggy_rd_u32(r, &count));            /* u32 nodes_count */
    IGGY_TRY(iggy_rd_check_count(r, count, CLUSTER_NODE_MIN_SIZE));
    nodes = IGGY_ARENA_ARRAY(a, iggy_cluster_node_t, count);
    for (uint32_t i = 0; i < count; i++) {
        iggy_cluster_node_t *n = IGGY_ARENA_SLOT(nodes, i, &scratch);
        IGGY_TRY(iggy_dec_string32(r, a, &n->name));  /* u32 len + node name */
        IGGY_TRY(iggy_dec_string32(r, a, &n->ip));    /* u32 len + advertised ip */
        IGGY_TRY(iggy_rd_u16(r, &n->tcp_port));       /* u16, 0 = disabled */
        IGGY_TRY(iggy_rd_u16(r, &n->quic_port));      /* u16 */
        IGGY_TRY(iggy_rd_u16(r, &n->http_port));      /* u16 */
        IGGY_TRY(iggy_rd_u16(r, &n->websocket_port)); /* u16 */
        IGGY_TRY(iggy_rd_u8(r, &n->role));            /* u8 0 leader, 1 follower */
        if (n->role > IGGY_NODE_FOLLOWER)
            return iggy_rd_bad(r, "unknown cluster node role");
        IGGY_TRY(iggy_rd_u8(r, &n->status)); /* u8 0..5 */
        if (n->status > 5)
            return iggy_rd_bad(r, "unknown cluster node status");
    }
    m->nodes_count = count;
    m->nodes = nodes;
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_cluster_metadata = {
    "GetClusterMetadata reply", sizeof(iggy_cluster_metadata_t), dec_cluster_metadata};

/* ---------------------------------------------------------------- DescribeOptions */

/* Smallest entry: 1-byte key with its u8 length, kind, two empty u32-prefixed fields. */
#define OPTION_DESC_MIN_SIZE 11u

static iggy_err_t dec_option_descriptions(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_option_descriptions_t *d = out;
    iggy_option_description_t *entries, scratch;
    uint32_t count;

    IGGY_TRY(iggy_rd_u32(r, &count)); /* 0 u32 count */
    IGGY_TRY(iggy_rd_check_count(r, count, OPTION_DESC_MIN_SIZE));
    entries = IGGY_ARENA_ARRAY(a, iggy_option_description_t, count);
    for (uint32_t i = 0; i < count; i++) {
        iggy_option_description_t *e = IGGY_ARENA_SLOT(entries, i, &scratch);
        uint32_t len;
        const uint8_t *p;
        IGGY_TRY(iggy_dec_name(r, a, &e->key, 0)); /* u8 len + key (1..255) */
        IGGY_TRY(iggy_rd_u8(r, &e->kind));         /* u8 value kind, carried through */
        IGGY_TRY(iggy_rd_u32(r, &len));            /* u32 default_len */
        IGGY_TRY(iggy_rd_bytes(r, len, &p));       /* default value bytes */
        e->default_value = iggy_arena_bytes(a, p, len);
        e->default_value_len = len;
        IGGY_TRY(iggy_dec_string32(r, a, &e->description)); /* u32 len + UTF-8 */
    }
    d->count = count;
    d->entries = entries;
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_option_descriptions = {
    "DescribeOptions reply", sizeof(iggy_option_descriptions_t), dec_option_descriptions};

/* ---------------------------------------------------------------- GetMe / GetClient(s) */

/* ClientResponse: client_id, user_id, transport, address, consumer_groups_count. */
#define CLIENT_MIN_SIZE 17u
#define CLIENT_GROUP_SIZE 12u

static iggy_err_t dec_client_response(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_client_info_t *c = out;
    IGGY_TRY(iggy_rd_u32(r, &c->client_id)); /* +0 u32 */
    IGGY_TRY(iggy_rd_u32(r, &c->user_id));   /* +4 u32, 0xFFFFFFFF = no user */
    IGGY_TRY(iggy_rd_u8(r, &c->transport));  /* +8 u8 1 TCP, 2 QUIC, 3 HTTP, 4 WebSocket */
    if (c->transport < 1 || c->transport > 4)
        return iggy_rd_bad(r, "unknown client transport");
    IGGY_TRY(iggy_dec_string32(r, a, &c->address));      /* +9 u32 len + "ip:port" */
    IGGY_TRY(iggy_rd_u32(r, &c->consumer_groups_count)); /* u32 */
    c->consumer_groups = NULL;
    return IGGY_OK;
}

/* ClientDetailsResponse: a ClientResponse followed by its group memberships. */
static iggy_err_t dec_client_info(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_client_info_t *c = out;
    iggy_client_group_t *groups, scratch;

    IGGY_TRY(dec_client_response(r, a, c));
    IGGY_TRY(iggy_rd_check_count(r, c->consumer_groups_count, CLIENT_GROUP_SIZE));
    groups = IGGY_ARENA_ARRAY(a, iggy_client_group_t, c->consumer_groups_count);
    for (uint32_t i = 0; i < c->consumer_groups_count; i++) {
        iggy_client_group_t *g = IGGY_ARENA_SLOT(groups, i, &scratch);
        IGGY_TRY(iggy_rd_u32(r, &g->stream_id)); /* +0 u32 */
        IGGY_TRY(iggy_rd_u32(r, &g->topic_id));  /* +4 u32 */
        IGGY_TRY(iggy_rd_u32(r, &g->group_id));  /* +8 u32 */
    }
    c->consumer_groups = groups;
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_client_info = {"client details reply", sizeof(iggy_client_info_t),
                                               dec_client_info};

/* ClientResponse records to the end of the body, no count prefix. */
static iggy_err_t dec_client_info_list(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_client_info_list_t *l = out;
    void *arr;
    IGGY_TRY(iggy_dec_records(r, a, sizeof(iggy_client_info_t), alignof(iggy_client_info_t),
                              dec_client_response, &l->count, &arr));
    l->clients = arr;
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_client_info_list = {
    "GetClients reply", sizeof(iggy_client_info_list_t), dec_client_info_list};

/* ---------------------------------------------------------------- raw replies */

/* The whole payload, copied (snapshot archives, raw commands). */
static iggy_err_t dec_raw(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_raw_reply_t *raw = out;
    size_t len = iggy_rd_left(r);
    const uint8_t *p;
    uint8_t *copy;

    IGGY_TRY(iggy_rd_bytes(r, len, &p));
    copy = iggy_arena_alloc(a, len, 1);
    if (copy)
        memcpy(copy, p, len);
    raw->len = len;
    raw->data = copy;
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_raw = {"raw reply", sizeof(iggy_raw_reply_t), dec_raw};
