/* Consumer-group memberships. A membership belongs to a session on the server, so a new
 * session (reconnect, server restart, leader change) has none: the client remembers the
 * groups its caller joined, and on which of its connections, and joins them again there
 * before that connection's next call; group caches re-sync their assignment (the session
 * epoch moved). Calls about a joined group go on the connection that joined it. */
#include <string.h>

#include "client/iggy_client_internal.h"
#include "client/iggy_rpc_internal.h"
#include "codec/iggy_codec.h"
#include "codec/iggy_frame.h"
#include "iggy_alloc.h"
#include "iggy_error_internal.h"

/* The JoinConsumerGroup body (stream, topic, group identifiers), the connection whose session
 * joined it and that connection's login count then. */
typedef struct iggy_membership {
    uint8_t *ref;
    size_t len;
    size_t conn;
    uint64_t epoch;
} iggy_membership_t;

/* The membership of group ref on connection conn (conn < 0: on any connection). Several
 * connections of one client may be members of one group (one consumer each). */
static iggy_membership_t *find(iggy_client_t *c, const uint8_t *ref, size_t len, long conn)
{
    for (size_t i = 0; i < c->nmemberships; i++)
        if (c->memberships[i].len == len && memcmp(c->memberships[i].ref, ref, len) == 0 &&
            (conn < 0 || c->memberships[i].conn == (size_t)conn))
            return &c->memberships[i];
    return NULL;
}

static uint64_t epoch_of(const iggy_conn_t *conn)
{
    return __atomic_load_n(&conn->logins, __ATOMIC_RELAXED);
}

iggy_err_t iggy_membership_reserve(iggy_client_t *c, const uint8_t *ref, size_t len, uint8_t **copy)
{
    size_t need;
    *copy = iggy_mem_alloc(len ? len : 1);
    if (!*copy)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "JoinConsumerGroup: no memory to remember the group");
    memcpy(*copy, ref, len);
    pthread_mutex_lock(&c->groups_lock);
    need = c->nmemberships + c->memberships_reserved + 1;
    if (need > c->memberships_cap) {
        iggy_membership_t *grown = iggy_mem_realloc(c->memberships, need * sizeof *grown);
        if (!grown) {
            pthread_mutex_unlock(&c->groups_lock);
            iggy_mem_free(*copy);
            *copy = NULL;
            return iggy_fail(IGGY_ERR__NO_MEMORY,
                             "JoinConsumerGroup: no memory to remember the group");
        }
        c->memberships = grown;
        c->memberships_cap = need;
    }
    c->memberships_reserved++;
    pthread_mutex_unlock(&c->groups_lock);
    return IGGY_OK;
}

void iggy_membership_unreserve(iggy_client_t *c, uint8_t *copy)
{
    pthread_mutex_lock(&c->groups_lock);
    c->memberships_reserved--;
    pthread_mutex_unlock(&c->groups_lock);
    iggy_mem_free(copy);
}

void iggy_membership_add(iggy_client_t *c, size_t conn, uint8_t *copy, size_t len)
{
    iggy_membership_t *m;
    pthread_mutex_lock(&c->groups_lock);
    c->memberships_reserved--;
    m = find(c, copy, len, (long)conn);
    if (m) {
        iggy_mem_free(copy);
    } else {
        m = &c->memberships[c->nmemberships++]; /* room was reserved */
        m->ref = copy;
        m->len = len;
    }
    m->conn = conn;
    m->epoch = epoch_of(&c->conns[conn]);
    pthread_mutex_unlock(&c->groups_lock);
}

static void remove_locked(iggy_client_t *c, iggy_membership_t *m)
{
    iggy_mem_free(m->ref);
    *m = c->memberships[--c->nmemberships];
}

void iggy_membership_remove(iggy_client_t *c, long conn, const uint8_t *ref, size_t len)
{
    iggy_membership_t *m;
    pthread_mutex_lock(&c->groups_lock);
    while ((m = find(c, ref, len, conn)) != NULL)
        remove_locked(c, m);
    pthread_mutex_unlock(&c->groups_lock);
}

int iggy_membership_conn(iggy_client_t *c, const iggy_identifier_t *stream,
                         const iggy_identifier_t *topic, const iggy_identifier_t *group)
{
    iggy_writer_t w;
    int conn = -1;
    pthread_mutex_lock(&c->groups_lock);
    if (c->nmemberships == 0) {
        pthread_mutex_unlock(&c->groups_lock);
        return -1; /* the common case: no group joined, nothing to encode */
    }
    pthread_mutex_unlock(&c->groups_lock);
    if (iggy_wr_init(&w, c->pool, IGGY_GROUP_REF_MAX, IGGY_GROUP_REF_MAX) != IGGY_OK)
        return -2;
    iggy_enc_group_ref(&w, stream, topic, group);
    if (iggy_wr_status(&w) == IGGY_OK) {
        iggy_membership_t *m;
        pthread_mutex_lock(&c->groups_lock);
        m = find(c, w.data, w.len, -1);
        if (m)
            conn = (int)m->conn;
        pthread_mutex_unlock(&c->groups_lock);
    }
    iggy_wr_release(&w);
    return conn;
}

void iggy_rpc_pin_group(iggy_rpc_t *rpc, const iggy_identifier_t *stream,
                        const iggy_identifier_t *topic, const iggy_identifier_t *group)
{
    int conn = iggy_membership_conn(rpc->client, stream, topic, group);
    if (conn >= 0)
        rpc->pin = conn;
    else if (conn == -2)
        iggy_wr_failf(&rpc->w, IGGY_ERR__NO_MEMORY, "%s: no memory to find the group's member",
                      rpc->cmd->name);
}

void iggy_rpc_pin_consumer(iggy_rpc_t *rpc, const iggy_consumer_ref_t *consumer,
                           const iggy_identifier_t *stream, const iggy_identifier_t *topic)
{
    if (consumer && consumer->kind == IGGY_CONSUMER_GROUP)
        iggy_rpc_pin_group(rpc, stream, topic, &consumer->id);
}

/* Whether an error means the group (or its stream or topic) is gone for good. */
static bool group_gone(iggy_err_t err)
{
    return err == IGGY_ERR_CONSUMER_GROUP_ID_NOT_FOUND ||
           err == IGGY_ERR_CONSUMER_GROUP_NAME_NOT_FOUND || err == IGGY_ERR_STREAM_ID_NOT_FOUND ||
           err == IGGY_ERR_STREAM_NAME_NOT_FOUND || err == IGGY_ERR_TOPIC_ID_NOT_FOUND ||
           err == IGGY_ERR_TOPIC_NAME_NOT_FOUND || err == IGGY_ERR_RESOURCE_NOT_FOUND;
}

static void enc_ref(iggy_writer_t *w, void *arg)
{
    const iggy_membership_t *m = arg;
    iggy_wr_bytes(w, m->ref, m->len);
}

iggy_err_t iggy_memberships_rejoin(iggy_client_t *c, iggy_conn_t *conn, int64_t deadline)
{
    uint64_t epoch = epoch_of(conn);
    for (;;) {
        iggy_membership_t m = {NULL, 0, 0, 0};
        iggy_err_t err;
        /* One stale membership of this connection at a time, copied out: the list may change
         * meanwhile. */
        pthread_mutex_lock(&c->groups_lock);
        for (size_t i = 0; i < c->nmemberships; i++)
            if (c->memberships[i].conn == conn->index && c->memberships[i].epoch != epoch) {
                m.len = c->memberships[i].len;
                m.ref = iggy_mem_alloc(m.len ? m.len : 1);
                if (m.ref)
                    memcpy(m.ref, c->memberships[i].ref, m.len);
                c->memberships[i].epoch = epoch; /* tried in this session */
                break;
            }
        pthread_mutex_unlock(&c->groups_lock);
        if (!m.ref)
            return m.len ? iggy_fail(IGGY_ERR__NO_MEMORY, "rejoin: no memory") : IGGY_OK;
        err =
            iggy_internal_call(c, conn, IGGY_CMD_JOIN_CONSUMER_GROUP, enc_ref, &m, NULL, deadline);
        if (err == IGGY_OK) {
            iggy_log(c, IGGY_LOG_INFO, "group",
                     "connection %zu: re-joined a consumer group in the new session", conn->index);
        } else if (group_gone(err)) {
            iggy_log(c, IGGY_LOG_WARNING, "group", "consumer group gone, forgetting it: %s",
                     iggy_last_error_detail());
            iggy_membership_remove(c, (long)conn->index, m.ref, m.len);
        } else {
            /* Not joined in this session: the next new session or a 5006 tries again. */
            pthread_mutex_lock(&c->groups_lock);
            {
                iggy_membership_t *again = find(c, m.ref, m.len, (long)conn->index);
                if (again)
                    again->epoch = 0;
            }
            pthread_mutex_unlock(&c->groups_lock);
            iggy_mem_free(m.ref);
            return err;
        }
        iggy_mem_free(m.ref);
    }
}

void iggy_memberships_free(iggy_client_t *c)
{
    for (size_t i = 0; i < c->nmemberships; i++)
        iggy_mem_free(c->memberships[i].ref);
    iggy_mem_free(c->memberships);
    c->memberships = NULL;
    c->nmemberships = c->memberships_cap = 0;
}
