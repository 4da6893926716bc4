/* System commands (framing-and-session.md §10): Ping, GetStats, GetSnapshotFile,
 * GetClusterMetadata, DescribeOptions, GetMe, GetClient, GetClients. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "mock/iggy_mock_state_internal.h"

iggy_mock_outcome_t iggy_mock_h_ping(iggy_mock_call_t *call)
{
    (void)call;
    return iggy_mock_ok(); /* header-only reply; allowed before login */
}

/* ---------------------------------------------------------------- GetStats */

static void wr_str32(iggy_writer_t *w, const char *s)
{
    size_t n = strlen(s);
    iggy_wr_u32(w, (uint32_t)n);
    iggy_wr_bytes(w, s, n);
}

static void wr_f32(iggy_writer_t *w, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    iggy_wr_u32(w, u);
}

iggy_mock_outcome_t iggy_mock_h_get_stats(iggy_mock_call_t *call)
{
    iggy_mock_state_t *st = call->st;
    uint32_t streams = 0, topics = 0, partitions = 0, segments = 0, groups = 0;
    uint64_t msgs = 0, size = 0;
    struct utsname un;
    char host[256] = "localhost";

    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_call_allowed(call, PERM_READ_SERVERS, 0, 0))
        return iggy_mock_status(E_UNAUTHORIZED);
    for (size_t s = 0; s < st->streams_cap; s++) {
        iggy_mock_stream_t *stream = st->streams[s];
        if (!stream)
            continue;
        streams++;
        for (size_t t = 0; t < stream->topics_cap; t++) {
            iggy_mock_topic_t *topic = stream->topics[t];
            if (!topic)
                continue;
            topics++;
            groups += (uint32_t)topic->groups_count;
            for (size_t p = 0; p < topic->partitions_count; p++) {
                iggy_mock_partition_t *part = topic->partitions[p];
                uint32_t segs = part->segments - part->first_segment;
                partitions++;
                segments += segs ? segs : 1;
                msgs += part->messages_count;
                size += part->size_bytes;
            }
        }
    }
    if (uname(&un) != 0) {
        strcpy(un.sysname, "Linux");
        strcpy(un.release, "unknown");
        strcpy(un.version, "unknown");
    }
    if (gethostname(host, sizeof host - 1) != 0)
        strcpy(host, "localhost");
    host[sizeof host - 1] = '\0';

    iggy_writer_t *w = call->out;
    iggy_wr_u32(w, (uint32_t)getpid()); /* 0   process_id */
    wr_f32(w, 0.0f);                    /* 4   cpu_usage */
    wr_f32(w, 0.0f);                    /* 8   total_cpu_usage */
    iggy_wr_u64(w, 0);                  /* 12  memory_usage */
    iggy_wr_u64(w, 0);                  /* 20  total_memory */
    iggy_wr_u64(w, 0);                  /* 28  available_memory */
    iggy_wr_u64(w, call->now_us > st->start_us ? call->now_us - st->start_us : 0); /* 36 */
    iggy_wr_u64(w, st->start_us);              /* 44  start_time µs */
    iggy_wr_u64(w, 0);                         /* 52  read_bytes */
    iggy_wr_u64(w, size);                      /* 60  written_bytes */
    iggy_wr_u64(w, size);                      /* 68  messages_size_bytes */
    iggy_wr_u32(w, streams);                   /* 76  streams_count */
    iggy_wr_u32(w, topics);                    /* 80  topics_count */
    iggy_wr_u32(w, partitions);                /* 84  partitions_count */
    iggy_wr_u32(w, segments);                  /* 88  segments_count */
    iggy_wr_u64(w, msgs);                      /* 92  messages_count */
    iggy_wr_u32(w, (uint32_t)st->conns_count); /* 100 clients_count */
    iggy_wr_u32(w, groups);                    /* 104 consumer_groups_count */
    wr_str32(w, host);                         /* 108 hostname */
    wr_str32(w, un.sysname);                   /* os_name */
    wr_str32(w, un.version);                   /* os_version */
    wr_str32(w, un.release);                   /* kernel_version */
    wr_str32(w, MOCK_SERVER_VERSION);          /* iggy_server_version */
    iggy_wr_u32(w, MOCK_SERVER_SEMVER);        /* iggy_server_semver */
    iggy_wr_u32(w, 0);                         /* cache_metrics_count */
    iggy_wr_u32(w, 1);                         /* threads_count */
    iggy_wr_u64(w, 0);                         /* free_disk_space */
    iggy_wr_u64(w, 0);                         /* total_disk_space */
    return iggy_mock_ok();
}

/* ---------------------------------------------------------------- GetSnapshotFile */

static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

/* A tiny stored (uncompressed) ZIP with one text file, whatever compression was asked:
 * enough for clients that save or list the archive. */
iggy_mock_outcome_t iggy_mock_h_get_snapshot_file(iggy_mock_call_t *call)
{
    static const char fname[] = "iggy_mock_snapshot.txt";
    char text[160];
    uint8_t compression, types_count;
    const uint8_t *types;
    uint32_t crc, tlen, nlen = (uint32_t)(sizeof fname - 1), cd_off, cd_len;
    iggy_writer_t *w = call->out;

    MOCK_REQUIRE_AUTH(call);
    if (iggy_rd_u8(&call->body, &compression) != IGGY_OK ||
        iggy_rd_u8(&call->body, &types_count) != IGGY_OK ||
        iggy_rd_bytes(&call->body, types_count, &types) != IGGY_OK ||
        iggy_rd_end(&call->body) != IGGY_OK || compression < 1 || compression > 6)
        return iggy_mock_status(E_INVALID_COMMAND);
    for (size_t i = 0; i < types_count; i++)
        if (!((types[i] >= 1 && types[i] <= 6) || types[i] == 100))
            return iggy_mock_status(E_INVALID_COMMAND);
    if (!iggy_mock_call_allowed(call, PERM_READ_SERVERS, 0, 0))
        return iggy_mock_status(E_UNAUTHORIZED);
    tlen = (uint32_t)snprintf(text, sizeof text, "iggy mock server %s snapshot, %u type(s)\n",
                              MOCK_SERVER_VERSION, (unsigned)types_count);
    crc = crc32_ieee((const uint8_t *)text, tlen);

    /* local file header */
    iggy_wr_u32(w, 0x04034b50u);
    iggy_wr_u16(w, 20);   /* version needed */
    iggy_wr_u16(w, 0);    /* flags */
    iggy_wr_u16(w, 0);    /* method: stored */
    iggy_wr_u16(w, 0);    /* time */
    iggy_wr_u16(w, 0x21); /* date 1980-01-01 */
    iggy_wr_u32(w, crc);
    iggy_wr_u32(w, tlen);
    iggy_wr_u32(w, tlen);
    iggy_wr_u16(w, (uint16_t)nlen);
    iggy_wr_u16(w, 0);
    iggy_wr_bytes(w, fname, nlen);
    iggy_wr_bytes(w, text, tlen);
    /* central directory */
    cd_off = (uint32_t)w->len;
    iggy_wr_u32(w, 0x02014b50u);
    iggy_wr_u16(w, 20);
    iggy_wr_u16(w, 20);
    iggy_wr_u16(w, 0);
    iggy_wr_u16(w, 0);
    iggy_wr_u16(w, 0);
    iggy_wr_u16(w, 0x21);
    iggy_wr_u32(w, crc);
    iggy_wr_u32(w, tlen);
    iggy_wr_u32(w, tlen);
    iggy_wr_u16(w, (uint16_t)nlen);
    iggy_wr_u16(w, 0); /* extra */
    iggy_wr_u16(w, 0); /* comment */
    iggy_wr_u16(w, 0); /* disk */
    iggy_wr_u16(w, 0); /* internal attributes */
    iggy_wr_u32(w, 0); /* external attributes */
    iggy_wr_u32(w, 0); /* local header offset */
    iggy_wr_bytes(w, fname, nlen);
    cd_len = (uint32_t)w->len - cd_off;
    /* end of central directory */
    iggy_wr_u32(w, 0x06054b50u);
    iggy_wr_u16(w, 0);
    iggy_wr_u16(w, 0);
    iggy_wr_u16(w, 1);
    iggy_wr_u16(w, 1);
    iggy_wr_u32(w, cd_len);
    iggy_wr_u32(w, cd_off);
    iggy_wr_u16(w, 0);
    return iggy_mock_ok();
}

/* ---------------------------------------------------------------- GetClusterMetadata */

static void wr_node(iggy_writer_t *w, const char *name, const char *ip, uint16_t tcp_port,
                    uint8_t role)
{
    wr_str32(w, name);
    wr_str32(w, ip[0] ? ip : "127.0.0.1");
    iggy_wr_u16(w, tcp_port); /* tcp */
    iggy_wr_u16(w, 0);        /* quic: disabled */
    iggy_wr_u16(w, 0);        /* http: disabled */
    iggy_wr_u16(w, 0);        /* websocket: disabled */
    iggy_wr_u8(w, role);
    iggy_wr_u8(w, 0); /* Healthy */
}

iggy_mock_outcome_t iggy_mock_h_get_cluster_metadata(iggy_mock_call_t *call)
{
    const iggy_mock_cluster_t *c = &call->st->cluster;
    iggy_writer_t *w = call->out;
    uint32_t n = c->nodes ? c->nodes : 1;

    MOCK_REQUIRE_AUTH(call);
    if (n > MOCK_MAX_NODES)
        n = MOCK_MAX_NODES;
    if (n == 1) {
        wr_str32(w, "single-node");
        iggy_wr_u32(w, 1);
        wr_node(w, "iggy-node", c->ip[0], c->tcp_port[0], IGGY_NODE_LEADER);
        return iggy_mock_ok();
    }
    wr_str32(w, "iggy-cluster");
    iggy_wr_u32(w, n);
    for (uint32_t i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "iggy-node-%u", (unsigned)i);
        wr_node(w, name, c->ip[i], c->tcp_port[i],
                i == c->leader ? IGGY_NODE_LEADER : IGGY_NODE_FOLLOWER);
    }
    return iggy_mock_ok();
}

/* ---------------------------------------------------------------- DescribeOptions */

iggy_mock_outcome_t iggy_mock_h_describe_options(iggy_mock_call_t *call)
{
    /* The catalog's DescribeOptions order (§10.5), not the sorted block order. */
    static const unsigned order[8] = {0, 3, 2, 6, 1, 4, 7, 5};
    uint8_t scope;
    iggy_writer_t *w = call->out;

    MOCK_REQUIRE_AUTH(call);
    if (iggy_rd_u8(&call->body, &scope) != IGGY_OK || iggy_rd_end(&call->body) != IGGY_OK ||
        scope < 1 || scope > 3)
        return iggy_mock_status(E_INVALID_COMMAND);
    if (scope != 1) {
        iggy_wr_u32(w, 0); /* streams and users have no keys */
        return iggy_mock_ok();
    }
    iggy_wr_u32(w, 8);
    for (size_t i = 0; i < 8; i++) {
        const iggy_mock_catalog_entry_t *e = &iggy_mock_topic_catalog[order[i]];
        size_t kl = strlen(e->key);
        iggy_wr_u8(w, (uint8_t)kl);
        iggy_wr_bytes(w, e->key, kl);
        iggy_wr_u8(w, e->kind);
        iggy_wr_u32(w, e->default_len);
        iggy_wr_bytes(w, e->default_value, e->default_len);
        wr_str32(w, e->description);
    }
    return iggy_mock_ok();
}

/* ---------------------------------------------------------------- clients */

/* Visit every (stream, topic, group) client entry key is a member of, in id order. */
static uint32_t memberships(iggy_mock_state_t *st, uint32_t key, iggy_writer_t *w)
{
    uint32_t n = 0;
    for (size_t s = 0; s < st->streams_cap; s++) {
        iggy_mock_stream_t *stream = st->streams[s];
        if (!stream)
            continue;
        for (size_t t = 0; t < stream->topics_cap; t++) {
            iggy_mock_topic_t *topic = stream->topics[t];
            if (!topic)
                continue;
            for (size_t g = 0; g < topic->groups_count; g++) {
                if (!iggy_mock_member_of(topic->groups[g], key))
                    continue;
                n++;
                if (w) {
                    iggy_wr_u32(w, stream->id);
                    iggy_wr_u32(w, topic->id);
                    iggy_wr_u32(w, topic->groups[g]->id);
                }
            }
        }
    }
    return n;
}

/* ClientResponse, plus the membership list for ClientDetailsResponse (§10.6). */
static void wr_client(iggy_mock_state_t *st, iggy_writer_t *w, const iggy_mock_conn_t *c,
                      bool details)
{
    size_t al = strnlen(c->address, sizeof c->address);
    iggy_wr_u32(w, c->conn_id);                                     /* client_id */
    iggy_wr_u32(w, c->authenticated ? c->user_id : IGGY_USER_NONE); /* user_id */
    iggy_wr_u8(w, c->transport ? c->transport : 1);                 /* transport */
    iggy_wr_u32(w, (uint32_t)al);                                   /* address_len */
    iggy_wr_bytes(w, c->address, al);                               /* address */
    iggy_wr_u32(w, memberships(st, iggy_mock_conn_key(c), NULL));   /* consumer_groups_count */
    if (details)
        memberships(st, iggy_mock_conn_key(c), w);
}

iggy_mock_outcome_t iggy_mock_h_get_me(iggy_mock_call_t *call)
{
    MOCK_REQUIRE_AUTH(call);
    wr_client(call->st, call->out, call->conn, true);
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_get_client(iggy_mock_call_t *call)
{
    uint32_t id;
    MOCK_REQUIRE_AUTH(call);
    if (iggy_rd_u32(&call->body, &id) != IGGY_OK || iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_status(E_INVALID_COMMAND);
    if (!iggy_mock_call_allowed(call, PERM_READ_SERVERS, 0, 0))
        return iggy_mock_status(E_UNAUTHORIZED);
    for (size_t i = 0; i < call->st->conns_count; i++) {
        if (call->st->conns[i]->conn_id == id) {
            wr_client(call->st, call->out, call->st->conns[i], true);
            break;
        }
    }
    return iggy_mock_ok(); /* empty body = no such client */
}

iggy_mock_outcome_t iggy_mock_h_get_clients(iggy_mock_call_t *call)
{
    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_call_allowed(call, PERM_READ_SERVERS, 0, 0))
        return iggy_mock_status(E_UNAUTHORIZED);
    for (size_t i = 0; i < call->st->conns_count; i++)
        wr_client(call->st, call->out, call->st->conns[i], false);
    return iggy_mock_ok();
}
