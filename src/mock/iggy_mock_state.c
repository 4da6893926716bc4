/* Mock state: lifecycle, the client table, connections, the handler table and the helpers
 * every handler file shares (decoding, lookups, permissions, shared encoders). */
#include <string.h>
#include <time.h>

#include "iggy_alloc.h"
#include "mock/iggy_mock_state_internal.h"

/* ---------------------------------------------------------------- allocation */

void *iggy_mock_alloc(size_t n)
{
    return iggy_mem_alloc(n ? n : 1);
}

void *iggy_mock_calloc(size_t n, size_t size)
{
    return iggy_mem_calloc(n ? n : 1, size ? size : 1);
}

void iggy_mock_free(void *p)
{
    iggy_mem_free(p);
}

int iggy_mock_reserve(void **arr, size_t *cap, size_t need, size_t elem)
{
    size_t ncap;
    void *p;
    if (need <= *cap)
        return 1;
    ncap = *cap ? *cap : 4;
    while (ncap < need)
        ncap *= 2;
    p = iggy_mem_realloc(*arr, ncap * elem);
    if (!p)
        return 0;
    /* Slot arrays rely on NULL for free ids. */
    memset((uint8_t *)p + *cap * elem, 0, (ncap - *cap) * elem);
    *arr = p;
    *cap = ncap;
    return 1;
}

static uint64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t iggy_mock_next_op(iggy_mock_state_t *st)
{
    return ++st->op;
}

/* ---------------------------------------------------------------- lifecycle */

iggy_mock_state_t *iggy_mock_state_new(const char *root_username, const char *root_password)
{
    iggy_mock_state_t *st = iggy_mock_calloc(1, sizeof *st);
    iggy_mock_user_t *root;
    size_t ul = root_username ? strlen(root_username) : 0;
    size_t pl = root_password ? strlen(root_password) : 0;

    if (!st)
        return NULL;
    if (ul == 0 || ul > 255 || pl > 255)
        goto fail;
    root = iggy_mock_calloc(1, sizeof *root);
    if (!root ||
        !iggy_mock_reserve((void **)&st->users, &st->users_cap, 1, sizeof(iggy_mock_user_t *))) {
        iggy_mock_free(root);
        goto fail;
    }
    st->start_us = wall_us();
    st->rebalancing_timeout_us = 30000000u; /* consumer_group.rebalancing_timeout = "30s" */
    root->id = 0;
    root->created_at = st->start_us;
    root->status = IGGY_USER_ACTIVE;
    iggy_mock_name_set(&root->name, (const uint8_t *)root_username, ul);
    root->password_len = (uint8_t)pl;
    memcpy(root->password, root_password, pl);
    /* The real server gives root every global permission (Permissions::root()). */
    root->has_perms = true;
    {
        iggy_global_permissions_t *g = &root->perms.global;
        g->manage_servers = g->read_servers = g->manage_users = g->read_users = true;
        g->manage_streams = g->read_streams = g->manage_topics = g->read_topics = true;
        g->poll_messages = g->send_messages = true;
    }
    st->users[0] = root;
    st->cluster.nodes = 1;
    st->cluster.leader = 0;
    memcpy(st->cluster.ip[0], "127.0.0.1", 10);
    st->cluster.tcp_port[0] = 8090;
    return st;
fail:
    iggy_mock_free(st);
    return NULL;
}

static void user_free(iggy_mock_user_t *u)
{
    if (!u)
        return;
    iggy_mock_free(u->perms_block);
    iggy_mock_free(u->pats);
    iggy_mock_free(u);
}

static void stream_free(iggy_mock_stream_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->topics_cap; i++)
        iggy_mock_topic_free(s->topics[i]);
    iggy_mock_free(s->topics);
    iggy_mock_free(s);
}

void iggy_mock_state_free(iggy_mock_state_t *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->users_cap; i++)
        user_free(st->users[i]);
    iggy_mock_free(st->users);
    for (size_t i = 0; i < st->streams_cap; i++)
        stream_free(st->streams[i]);
    iggy_mock_free(st->streams);
    iggy_mock_free(st->conns);
    for (size_t i = 0; i < st->clients_count; i++) {
        if (st->clients[i]->conn)
            st->clients[i]->conn->client = NULL;
        iggy_mock_free(st->clients[i]->replay.reply);
        iggy_mock_free(st->clients[i]);
    }
    iggy_mock_free(st->clients);
    iggy_mock_free(st);
}

iggy_mock_cluster_t *iggy_mock_state_cluster(iggy_mock_state_t *st)
{
    return &st->cluster;
}

/* ---------------------------------------------------------------- client table */

iggy_mock_client_t *iggy_mock_client_find(iggy_mock_state_t *st, const iggy_u128_t *id)
{
    if (id->lo == 0 && id->hi == 0)
        return NULL;
    for (size_t i = 0; i < st->clients_count; i++)
        if (st->clients[i]->id.lo == id->lo && st->clients[i]->id.hi == id->hi)
            return st->clients[i];
    return NULL;
}

iggy_mock_client_t *iggy_mock_client_new(iggy_mock_state_t *st, const iggy_u128_t *id,
                                         uint32_t user_id)
{
    iggy_mock_client_t *e;
    if (!iggy_mock_reserve((void **)&st->clients, &st->clients_cap, st->clients_count + 1,
                           sizeof(iggy_mock_client_t *)))
        return NULL;
    e = iggy_mock_calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->key = ++st->next_client_key;
    e->id = *id;
    e->user_id = user_id;
    st->clients[st->clients_count++] = e;
    return e;
}

/* The connection no longer holds an entry; unauthenticate it too when it stays open. */
static void conn_unbind(iggy_mock_conn_t *conn, bool unauthenticate)
{
    if (conn->client) {
        conn->client->conn = NULL;
        conn->client = NULL;
    }
    if (unauthenticate) {
        conn->authenticated = false;
        conn->user_id = 0;
    }
}

void iggy_mock_client_bind(iggy_mock_state_t *st, iggy_mock_client_t *e, iggy_mock_conn_t *conn)
{
    (void)st;
    if (e->conn && e->conn != conn)
        conn_unbind(e->conn, true); /* demoted: its next replicated op gets NoSession */
    conn_unbind(conn, false);
    e->conn = conn;
    conn->client = e;
    conn->authenticated = true;
    conn->user_id = e->user_id;
    conn->session = e->epoch;
}

/* The real server's Logout apply: remove_client, then remove_consumer_group_member. */
static void client_remove(iggy_mock_state_t *st, iggy_mock_client_t *e)
{
    iggy_mock_drop_memberships(st, e->key);
    if (e->conn)
        conn_unbind(e->conn, false);
    for (size_t i = 0; i < st->clients_count; i++) {
        if (st->clients[i] == e) {
            memmove(&st->clients[i], &st->clients[i + 1],
                    (st->clients_count - i - 1) * sizeof(iggy_mock_client_t *));
            st->clients_count--;
            break;
        }
    }
    iggy_mock_free(e->replay.reply);
    iggy_mock_free(e);
}

size_t iggy_mock_state_clients_count(const iggy_mock_state_t *st)
{
    return st->clients_count;
}

iggy_mock_replay_t *iggy_mock_state_replay(iggy_mock_state_t *st, const iggy_mock_conn_t *conn)
{
    (void)st;
    return conn->client ? &conn->client->replay : NULL;
}

/* ---------------------------------------------------------------- connections */

void iggy_mock_state_conn_opened(iggy_mock_state_t *st, iggy_mock_conn_t *conn)
{
    for (size_t i = 0; i < st->conns_count; i++)
        if (st->conns[i] == conn)
            return;
    /* On no memory the connection just does not show up in GetClients. */
    if (!iggy_mock_reserve((void **)&st->conns, &st->conns_cap, st->conns_count + 1,
                           sizeof(iggy_mock_conn_t *)))
        return;
    st->conns[st->conns_count++] = conn;
}

static void conn_forget(iggy_mock_state_t *st, iggy_mock_conn_t *conn)
{
    for (size_t i = 0; i < st->conns_count; i++) {
        if (st->conns[i] == conn) {
            memmove(&st->conns[i], &st->conns[i + 1],
                    (st->conns_count - i - 1) * sizeof(iggy_mock_conn_t *));
            st->conns_count--;
            break;
        }
    }
}

void iggy_mock_state_conn_closed(iggy_mock_state_t *st, iggy_mock_conn_t *conn)
{
    /* The disconnect logout of a running server (dispatch.rs submit_disconnect_logout): only
     * for a connection still bound, as the entry's holder. */
    if (conn->client)
        client_remove(st, conn->client);
    conn_forget(st, conn);
}

void iggy_mock_state_conn_stopped(iggy_mock_state_t *st, iggy_mock_conn_t *conn)
{
    conn_unbind(conn, false); /* the entry stays, bound to nothing */
    conn_forget(st, conn);
}

void iggy_mock_state_logged_out(iggy_mock_state_t *st, iggy_mock_conn_t *conn)
{
    if (conn->client)
        client_remove(st, conn->client);
    conn_unbind(conn, true);
}

bool iggy_mock_state_conn_has_memberships(iggy_mock_state_t *st, const iggy_mock_conn_t *conn)
{
    uint32_t key = iggy_mock_conn_key(conn);
    if (!key)
        return false;
    for (size_t s = 0; s < st->streams_cap; s++) {
        iggy_mock_stream_t *stream = st->streams[s];
        if (!stream)
            continue;
        for (size_t t = 0; t < stream->topics_cap; t++) {
            iggy_mock_topic_t *topic = stream->topics[t];
            if (!topic)
                continue;
            for (size_t g = 0; g < topic->groups_count; g++)
                if (iggy_mock_member_of(topic->groups[g], key))
                    return true;
        }
    }
    return false;
}

bool iggy_mock_need_auth(const iggy_mock_call_t *call, iggy_mock_outcome_t *o)
{
    if (call->conn->authenticated)
        return false;
    /* Replicated ops on an unbound connection: Eviction(NoSession); reads: deny 40. */
    if (call->cmd && call->cmd->operation != 2)
        *o = iggy_mock_evict(EVICT_NO_SESSION);
    else
        *o = iggy_mock_status(E_UNAUTHENTICATED);
    return true;
}

/* ---------------------------------------------------------------- periodic work */

void iggy_mock_state_set_rebalancing_timeout(iggy_mock_state_t *st, uint64_t us)
{
    st->rebalancing_timeout_us = us;
}

void iggy_mock_state_tick(iggy_mock_state_t *st, uint64_t now_us)
{
    for (size_t s = 0; s < st->streams_cap; s++) {
        iggy_mock_stream_t *stream = st->streams[s];
        for (size_t t = 0; stream && t < stream->topics_cap; t++)
            if (stream->topics[t])
                iggy_mock_topic_settle(st, stream->topics[t], now_us);
    }
}

/* ---------------------------------------------------------------- handler table */

static const iggy_mock_handler_t handlers[IGGY_CMD__NUM] = {
    [IGGY_CMD_PING] = iggy_mock_h_ping,
    [IGGY_CMD_GET_STATS] = iggy_mock_h_get_stats,
    [IGGY_CMD_GET_SNAPSHOT_FILE] = iggy_mock_h_get_snapshot_file,
    [IGGY_CMD_GET_CLUSTER_METADATA] = iggy_mock_h_get_cluster_metadata,
    [IGGY_CMD_DESCRIBE_OPTIONS] = iggy_mock_h_describe_options,
    [IGGY_CMD_GET_ME] = iggy_mock_h_get_me,
    [IGGY_CMD_GET_CLIENT] = iggy_mock_h_get_client,
    [IGGY_CMD_GET_CLIENTS] = iggy_mock_h_get_clients,
    [IGGY_CMD_GET_USER] = iggy_mock_h_get_user,
    [IGGY_CMD_GET_USERS] = iggy_mock_h_get_users,
    [IGGY_CMD_CREATE_USER] = iggy_mock_h_create_user,
    [IGGY_CMD_DELETE_USER] = iggy_mock_h_delete_user,
    [IGGY_CMD_UPDATE_USER] = iggy_mock_h_update_user,
    [IGGY_CMD_UPDATE_PERMISSIONS] = iggy_mock_h_update_permissions,
    [IGGY_CMD_CHANGE_PASSWORD] = iggy_mock_h_change_password,
    [IGGY_CMD_LOGOUT_USER] = iggy_mock_h_logout,
    [IGGY_CMD_LOGIN_REGISTER] = iggy_mock_h_login,
    [IGGY_CMD_GET_PERSONAL_ACCESS_TOKENS] = iggy_mock_h_get_pats,
    [IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN] = iggy_mock_h_create_pat,
    [IGGY_CMD_DELETE_PERSONAL_ACCESS_TOKEN] = iggy_mock_h_delete_pat,
    /* Register cannot tell 40 from 45: both run the same shape-driven login (§8.5). */
    [IGGY_CMD_LOGIN_REGISTER_WITH_PAT] = iggy_mock_h_login,
    [IGGY_CMD_POLL_MESSAGES] = iggy_mock_h_poll_messages,
    [IGGY_CMD_SEND_MESSAGES] = iggy_mock_h_send_messages,
    [IGGY_CMD_FLUSH_UNSAVED_BUFFER] = iggy_mock_h_flush_unsaved_buffer,
    [IGGY_CMD_GET_CONSUMER_OFFSET] = iggy_mock_h_get_consumer_offset,
    [IGGY_CMD_STORE_CONSUMER_OFFSET] = iggy_mock_h_store_consumer_offset,
    [IGGY_CMD_DELETE_CONSUMER_OFFSET] = iggy_mock_h_delete_consumer_offset,
    [IGGY_CMD_GET_STREAM] = iggy_mock_h_get_stream,
    [IGGY_CMD_GET_STREAMS] = iggy_mock_h_get_streams,
    [IGGY_CMD_CREATE_STREAM] = iggy_mock_h_create_stream,
    [IGGY_CMD_DELETE_STREAM] = iggy_mock_h_delete_stream,
    [IGGY_CMD_UPDATE_STREAM] = iggy_mock_h_update_stream,
    [IGGY_CMD_PURGE_STREAM] = iggy_mock_h_purge_stream,
    [IGGY_CMD_GET_TOPIC] = iggy_mock_h_get_topic,
    [IGGY_CMD_GET_TOPICS] = iggy_mock_h_get_topics,
    [IGGY_CMD_CREATE_TOPIC] = iggy_mock_h_create_topic,
    [IGGY_CMD_DELETE_TOPIC] = iggy_mock_h_delete_topic,
    [IGGY_CMD_UPDATE_TOPIC] = iggy_mock_h_update_topic,
    [IGGY_CMD_PURGE_TOPIC] = iggy_mock_h_purge_topic,
    [IGGY_CMD_CREATE_PARTITIONS] = iggy_mock_h_create_partitions,
    [IGGY_CMD_DELETE_PARTITIONS] = iggy_mock_h_delete_partitions,
    [IGGY_CMD_DELETE_SEGMENTS] = iggy_mock_h_delete_segments,
    [IGGY_CMD_GET_CONSUMER_GROUP] = iggy_mock_h_get_consumer_group,
    [IGGY_CMD_GET_CONSUMER_GROUPS] = iggy_mock_h_get_consumer_groups,
    [IGGY_CMD_CREATE_CONSUMER_GROUP] = iggy_mock_h_create_consumer_group,
    [IGGY_CMD_DELETE_CONSUMER_GROUP] = iggy_mock_h_delete_consumer_group,
    [IGGY_CMD_JOIN_CONSUMER_GROUP] = iggy_mock_h_join_consumer_group,
    [IGGY_CMD_LEAVE_CONSUMER_GROUP] = iggy_mock_h_leave_consumer_group,
    [IGGY_CMD_SYNC_CONSUMER_GROUP] = iggy_mock_h_sync_consumer_group,
};

iggy_mock_handler_t iggy_mock_state_handler(iggy_cmd_t cmd)
{
    if ((unsigned)cmd >= IGGY_CMD__NUM)
        return NULL;
    return handlers[cmd];
}

/* ---------------------------------------------------------------- decoding helpers */

bool iggy_mock_utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0) {
            k = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i <= k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + j] & 0x3F);
        }
        /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return false;
        i += k + 1;
    }
    return true;
}

void iggy_mock_name_set(iggy_mock_name_t *n, const uint8_t *p, size_t len)
{
    n->len = (uint8_t)len;
    memcpy(n->s, p, len);
    n->s[len] = '\0';
}

bool iggy_mock_name_eq(const iggy_mock_name_t *n, const uint8_t *p, size_t len)
{
    return n->len == len && memcmp(n->s, p, len) == 0;
}

void iggy_mock_wr_name(iggy_writer_t *w, const iggy_mock_name_t *n)
{
    iggy_wr_u8(w, n->len);
    iggy_wr_bytes(w, n->s, n->len);
}

bool iggy_mock_rd_name(iggy_reader_t *r, iggy_mock_name_t *out)
{
    uint8_t n;
    const uint8_t *p;
    if (iggy_rd_u8(r, &n) != IGGY_OK || n == 0 || iggy_rd_bytes(r, n, &p) != IGGY_OK ||
        !iggy_mock_utf8_valid(p, n))
        return false;
    iggy_mock_name_set(out, p, n);
    return true;
}

bool iggy_mock_rd_id(iggy_reader_t *r, iggy_identifier_t *id, iggy_mock_name_t *name)
{
    const uint8_t *p;
    size_t n;
    if (iggy_dec_identifier(r, id, &p, &n) != IGGY_OK)
        return false;
    name->len = 0;
    name->s[0] = '\0';
    if (p) {
        if (!iggy_mock_utf8_valid(p, n))
            return false;
        iggy_mock_name_set(name, p, n);
        id->name = name->s;
    }
    return true;
}

/* One TLV: [kind u8 != 0][len u32 1..255][bytes]. */
static bool rd_tlv(iggy_reader_t *r, uint8_t *kind, uint32_t *len, const uint8_t **p)
{
    return iggy_rd_u8(r, kind) == IGGY_OK && *kind != 0 && iggy_rd_u32(r, len) == IGGY_OK &&
           *len >= 1 && *len <= 255 && iggy_rd_bytes(r, *len, p) == IGGY_OK;
}

bool iggy_mock_rd_options(iggy_reader_t *r, iggy_kv_t **entries, size_t *count)
{
    size_t left = iggy_rd_left(r), n = 0, cap = 0;
    iggy_kv_t *arr = NULL;

    *entries = NULL;
    *count = 0;
    if (left > IGGY_OPTIONS_MAX_BYTES)
        return false;
    while (iggy_rd_left(r)) {
        iggy_kv_t e;
        uint32_t kl, vl;
        if (!rd_tlv(r, &e.key_kind, &kl, &e.key) || e.key_kind != IGGY_KV_STRING ||
            !iggy_mock_utf8_valid(e.key, kl) || !rd_tlv(r, &e.value_kind, &vl, &e.value))
            goto bad;
        e.key_len = kl;
        e.value_len = vl;
        for (size_t i = 0; i < n; i++)
            if (arr[i].key_len == kl && memcmp(arr[i].key, e.key, kl) == 0)
                goto bad; /* duplicate keys are a decode error */
        if (n == IGGY_OPTIONS_MAX_ENTRIES ||
            !iggy_mock_reserve((void **)&arr, &cap, n + 1, sizeof(iggy_kv_t)))
            goto bad;
        arr[n++] = e;
    }
    *entries = arr;
    *count = n;
    return true;
bad:
    iggy_mock_free(arr);
    return false;
}

/* ---------------------------------------------------------------- lookups */

iggy_mock_user_t *iggy_mock_user_by_id(iggy_mock_state_t *st, const iggy_identifier_t *id,
                                       const iggy_mock_name_t *n)
{
    if (!id->name)
        return id->numeric < st->users_cap ? st->users[id->numeric] : NULL;
    for (size_t i = 0; i < st->users_cap; i++)
        if (st->users[i] && iggy_mock_name_eq(&st->users[i]->name, (const uint8_t *)n->s, n->len))
            return st->users[i];
    return NULL;
}

iggy_mock_stream_t *iggy_mock_stream_find(iggy_mock_state_t *st, const iggy_identifier_t *id,
                                          const iggy_mock_name_t *n)
{
    if (!id->name)
        return id->numeric < st->streams_cap ? st->streams[id->numeric] : NULL;
    for (size_t i = 0; i < st->streams_cap; i++)
        if (st->streams[i] &&
            iggy_mock_name_eq(&st->streams[i]->name, (const uint8_t *)n->s, n->len))
            return st->streams[i];
    return NULL;
}

iggy_mock_topic_t *iggy_mock_topic_find(iggy_mock_stream_t *s, const iggy_identifier_t *id,
                                        const iggy_mock_name_t *n)
{
    if (!s)
        return NULL;
    if (!id->name)
        return id->numeric < s->topics_cap ? s->topics[id->numeric] : NULL;
    for (size_t i = 0; i < s->topics_cap; i++)
        if (s->topics[i] && iggy_mock_name_eq(&s->topics[i]->name, (const uint8_t *)n->s, n->len))
            return s->topics[i];
    return NULL;
}

iggy_mock_group_t *iggy_mock_group_find(iggy_mock_topic_t *t, const iggy_identifier_t *id,
                                        const iggy_mock_name_t *n)
{
    if (!t)
        return NULL;
    for (size_t i = 0; i < t->groups_count; i++) {
        iggy_mock_group_t *g = t->groups[i];
        if (id->name ? iggy_mock_name_eq(&g->name, (const uint8_t *)n->s, n->len)
                     : g->id == id->numeric)
            return g;
    }
    return NULL;
}

iggy_mock_partition_t *iggy_mock_partition_get(iggy_mock_topic_t *t, uint32_t id)
{
    return t && id < t->partitions_count ? t->partitions[id] : NULL;
}

iggy_mock_member_t *iggy_mock_member_of(iggy_mock_group_t *g, uint32_t key)
{
    for (size_t i = 0; key && i < g->members_count; i++)
        if (g->members[i].client == key)
            return &g->members[i];
    return NULL;
}

/* ---------------------------------------------------------------- permissions */

static const iggy_stream_permissions_t *stream_perms(const iggy_mock_user_t *u, uint32_t stream_id)
{
    for (size_t i = 0; i < u->perms.streams_count; i++)
        if (u->perms.streams[i].stream_id == stream_id)
            return &u->perms.streams[i];
    return NULL;
}

static const iggy_topic_permissions_t *topic_perms(const iggy_stream_permissions_t *s,
                                                   uint32_t topic_id)
{
    for (size_t i = 0; s && i < s->topics_count; i++)
        if (s->topics[i].topic_id == topic_id)
            return &s->topics[i];
    return NULL;
}

/* The permissioner of the real server: global flags first, then the stream's record,
 * then the topic's record. */
bool iggy_mock_allowed(iggy_mock_state_t *st, uint32_t user_id, iggy_mock_perm_t perm,
                       uint32_t stream_id, uint32_t topic_id)
{
    const iggy_mock_user_t *u;
    const iggy_global_permissions_t *g;
    const iggy_stream_permissions_t *s;
    const iggy_topic_permissions_t *t;

    if (user_id == 0)
        return true; /* root */
    u = user_id < st->users_cap ? st->users[user_id] : NULL;
    if (!u || !u->has_perms)
        return false;
    g = &u->perms.global;
    s = stream_perms(u, stream_id);
    t = topic_perms(s, topic_id);
    switch (perm) {
    case PERM_READ_SERVERS:
        return g->manage_servers || g->read_servers;
    case PERM_READ_USERS:
        return g->manage_users || g->read_users;
    case PERM_MANAGE_USERS:
        return g->manage_users;
    case PERM_READ_STREAMS:
        return g->manage_streams || g->read_streams;
    case PERM_CREATE_STREAM:
        return g->manage_streams;
    case PERM_READ_STREAM:
        return g->manage_streams || g->read_streams || (s && (s->manage_stream || s->read_stream));
    case PERM_MANAGE_STREAM:
        return g->manage_streams || (s && s->manage_stream);
    case PERM_READ_TOPICS:
        return g->manage_streams || g->read_streams || g->manage_topics || g->read_topics ||
               (s && (s->manage_stream || s->read_stream || s->manage_topics || s->read_topics));
    case PERM_CREATE_TOPIC:
        return g->manage_streams || g->manage_topics ||
               (s && (s->manage_stream || s->manage_topics));
    case PERM_READ_TOPIC:
        return g->manage_streams || g->read_streams || g->manage_topics || g->read_topics ||
               (s && (s->manage_stream || s->read_stream || s->manage_topics || s->read_topics)) ||
               (t && (t->manage_topic || t->read_topic));
    case PERM_MANAGE_TOPIC:
        return g->manage_streams || g->manage_topics ||
               (s && (s->manage_stream || s->manage_topics)) || (t && t->manage_topic);
    case PERM_POLL:
        return g->manage_streams || g->read_streams || g->manage_topics || g->read_topics ||
               g->poll_messages ||
               (s && (s->manage_stream || s->read_stream || s->manage_topics || s->read_topics ||
                      s->poll_messages)) ||
               (t && (t->manage_topic || t->read_topic || t->poll_messages));
    case PERM_SEND:
        return g->manage_streams || g->manage_topics || g->send_messages ||
               (s && (s->manage_stream || s->manage_topics || s->send_messages)) ||
               (t && (t->manage_topic || t->send_messages));
    }
    return false;
}

/* ---------------------------------------------------------------- shared encoders */

uint64_t iggy_mock_topic_size(const iggy_mock_topic_t *t, uint64_t *messages)
{
    uint64_t size = 0, msgs = 0;
    for (size_t i = 0; i < t->partitions_count; i++) {
        size += t->partitions[i]->size_bytes;
        msgs += t->partitions[i]->messages_count;
    }
    if (messages)
        *messages = msgs;
    return size;
}

/* StreamResponse (admin.md §3.0). */
void iggy_mock_wr_stream(iggy_writer_t *w, const iggy_mock_stream_t *s)
{
    uint64_t size = 0, msgs = 0;
    uint32_t topics = 0;
    for (size_t i = 0; i < s->topics_cap; i++) {
        uint64_t m;
        if (!s->topics[i])
            continue;
        topics++;
        size += iggy_mock_topic_size(s->topics[i], &m);
        msgs += m;
    }
    iggy_wr_u32(w, s->id);          /* 0  id */
    iggy_wr_u64(w, s->created_at);  /* 4  created_at µs */
    iggy_wr_u32(w, topics);         /* 12 topics_count */
    iggy_wr_u64(w, size);           /* 16 size_bytes */
    iggy_wr_u64(w, msgs);           /* 24 messages_count */
    iggy_mock_wr_name(w, &s->name); /* 32 name_len, 33 name */
    iggy_wr_u32(w, 0);              /* options_len: streams accept no keys */
}

static void wr_opts(iggy_writer_t *w, const iggy_mock_topic_opts_t *o)
{
    uint32_t len = 0;
    for (size_t i = 0; i < o->count; i++)
        len += 10u + o->items[i].key.len + o->items[i].len;
    iggy_wr_u32(w, len);
    for (size_t i = 0; i < o->count; i++) {
        const iggy_mock_opt_t *e = &o->items[i];
        iggy_wr_u8(w, IGGY_KV_STRING);
        iggy_wr_u32(w, e->key.len);
        iggy_wr_bytes(w, e->key.s, e->key.len);
        iggy_wr_u8(w, e->kind);
        iggy_wr_u32(w, e->len);
        iggy_wr_bytes(w, e->value, e->len);
    }
}

/* TopicHeader (admin.md §4.0). */
void iggy_mock_wr_topic_header(iggy_writer_t *w, const iggy_mock_topic_t *t)
{
    uint64_t msgs, size = iggy_mock_topic_size(t, &msgs);
    iggy_wr_u32(w, t->id);                         /* 0  id */
    iggy_wr_u64(w, t->created_at);                 /* 4  created_at */
    iggy_wr_u32(w, (uint32_t)t->partitions_count); /* 12 partitions_count */
    iggy_wr_u64(w, t->message_expiry);             /* 16 message_expiry µs */
    iggy_wr_u8(w, t->compression);                 /* 24 compression */
    iggy_wr_u64(w, t->max_topic_size);             /* 25 max_topic_size */
    iggy_wr_u64(w, size);                          /* 33 size_bytes */
    iggy_wr_u64(w, msgs);                          /* 41 messages_count */
    iggy_mock_wr_name(w, &t->name);                /* 49 name_len, 50 name */
    wr_opts(w, &t->explicit_opts);                 /* explicit block, u32-prefixed */
    wr_opts(w, &t->derived_opts);                  /* derived block, u32-prefixed */
}

/* PartitionResponse, 40 bytes (admin.md §4.0b); fresh = the create reply's shape. */
void iggy_mock_wr_partition(iggy_writer_t *w, const iggy_mock_partition_t *p, bool fresh)
{
    uint32_t segments = fresh ? 0 : (p->segments - p->first_segment);
    if (!fresh && segments == 0)
        segments = 1;              /* get_topic floors segments_count at 1 */
    iggy_wr_u32(w, p->id);         /* 0  id */
    iggy_wr_u64(w, p->created_at); /* 4  created_at */
    iggy_wr_u32(w, segments);      /* 12 segments_count */
    iggy_wr_u64(w, p->next_offset ? p->next_offset - 1 : 0); /* 16 current_offset */
    iggy_wr_u64(w, p->size_bytes);                           /* 24 size_bytes */
    iggy_wr_u64(w, p->messages_count);                       /* 32 messages_count */
}

/* ConsumerGroupResponse (+ members) (admin.md §6.0). */
void iggy_mock_wr_group(iggy_writer_t *w, const iggy_mock_topic_t *t, const iggy_mock_group_t *g,
                        bool members)
{
    iggy_wr_u32(w, g->id);                         /* 0  id */
    iggy_wr_u32(w, (uint32_t)t->partitions_count); /* 4  topic's partitions_count */
    iggy_wr_u32(w, (uint32_t)g->members_count);    /* 8  members_count */
    iggy_mock_wr_name(w, &g->name);                /* 12 name_len, 13 name */
    if (!members)
        return;
    /* Owned partitions, those pending hand-off included, as the real server lists its
     * members' `partitions`; SyncConsumerGroup is where the pollable subset shows. */
    for (size_t i = 0; i < g->members_count; i++) {
        const iggy_mock_member_t *m = &g->members[i];
        iggy_wr_u32(w, m->id);
        iggy_wr_u32(w, (uint32_t)m->partitions_count);
        for (size_t j = 0; j < m->partitions_count; j++)
            iggy_wr_u32(w, m->partitions[j]);
    }
}

/* UserResponse, or UserDetailsResponse when details (framing-and-session.md §11.1). */
void iggy_mock_wr_user(iggy_writer_t *w, const iggy_mock_user_t *u, bool details)
{
    iggy_wr_u32(w, u->id);          /* 0  id */
    iggy_wr_u64(w, u->created_at);  /* 4  created_at */
    iggy_wr_u8(w, u->status);       /* 12 status */
    iggy_mock_wr_name(w, &u->name); /* 13 username_len, 14 username */
    iggy_wr_u32(w, 0);              /* options_len: users have none */
    if (!details)
        return;
    if (!u->has_perms) {
        iggy_wr_u32(w, 0); /* flag 0 + 3 zero bytes */
        return;
    }
    iggy_wr_u8(w, 1);
    iggy_wr_u32(w, (uint32_t)iggy_permissions_size(&u->perms));
    iggy_enc_permissions(w, &u->perms);
}

bool iggy_mock_rd_no_options(iggy_reader_t *r, iggy_mock_outcome_t *o)
{
    iggy_kv_t *e;
    size_t n;
    if (!iggy_mock_rd_options(r, &e, &n)) {
        *o = iggy_mock_status(E_INVALID_COMMAND);
        return false;
    }
    iggy_mock_free(e);
    if (n) {
        *o = iggy_mock_status(E_UNSUPPORTED_OPTION_KEY);
        return false;
    }
    return true;
}

bool iggy_mock_lowest_free_slot(void ***arr, size_t *cap, size_t max, size_t *id)
{
    size_t i = 0;
    while (i < *cap && (*arr)[i])
        i++;
    *id = i;
    return i < max && iggy_mock_reserve((void **)arr, cap, i + 1, sizeof(void *));
}
