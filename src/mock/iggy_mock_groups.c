/* Consumer groups: lifetimes, membership and rebalancing, the group handlers (admin.md §6). */
#include <string.h>

#include "iggy_alloc.h"
#include "mock/iggy_mock_state_internal.h"

/* ---------------------------------------------------------------- lifetime, membership */

void iggy_mock_group_free(iggy_mock_group_t *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->members_count; i++)
        iggy_mock_free(g->members[i].partitions);
    iggy_mock_free(g->members);
    iggy_mock_free(g);
}

/* Round-robin over the members in id order: partition k goes to member k % n. The real
 * server rebalances cooperatively with hand-offs; the final assignment is the same shape. */
void iggy_mock_group_rebalance(iggy_mock_topic_t *t, iggy_mock_group_t *g)
{
    size_t n = g->members_count;
    for (size_t i = 0; i < n; i++) {
        iggy_mock_member_t *m = &g->members[i];
        size_t want = t->partitions_count / n + (i < t->partitions_count % n ? 1 : 0);
        iggy_mock_free(m->partitions);
        m->partitions = want ? iggy_mock_alloc(want * sizeof(uint32_t)) : NULL;
        m->partitions_count = 0;
        /* On no memory the member owns nothing until the next rebalance. */
        for (size_t p = i; m->partitions && p < t->partitions_count; p += n)
            m->partitions[m->partitions_count++] = t->partitions[p]->id;
    }
    g->generation++;
}

void iggy_mock_topic_rebalance_all(iggy_mock_topic_t *t)
{
    for (size_t i = 0; i < t->groups_count; i++)
        iggy_mock_group_rebalance(t, t->groups[i]);
}

static void remove_member(iggy_mock_topic_t *t, iggy_mock_group_t *g, iggy_mock_member_t *m)
{
    size_t i = (size_t)(m - g->members);
    iggy_mock_free(m->partitions);
    memmove(&g->members[i], &g->members[i + 1], (g->members_count - i - 1) * sizeof *m);
    g->members_count--;
    iggy_mock_group_rebalance(t, g);
}

void iggy_mock_drop_memberships(iggy_mock_state_t *st, uint32_t conn_id)
{
    for (size_t s = 0; s < st->streams_cap; s++) {
        iggy_mock_stream_t *stream = st->streams[s];
        for (size_t ti = 0; stream && ti < stream->topics_cap; ti++) {
            iggy_mock_topic_t *t = stream->topics[ti];
            for (size_t gi = 0; t && gi < t->groups_count; gi++) {
                iggy_mock_member_t *m = iggy_mock_member_of(t->groups[gi], conn_id);
                if (m)
                    remove_member(t, t->groups[gi], m);
            }
        }
    }
}

/* ---------------------------------------------------------------- group handlers */

typedef struct gref {
    iggy_identifier_t sid, tid, gid;
    iggy_mock_name_t sn, tn, gn;
} gref_t;

static bool rd_topic_ref(iggy_reader_t *r, gref_t *g)
{
    return iggy_mock_rd_id(r, &g->sid, &g->sn) && iggy_mock_rd_id(r, &g->tid, &g->tn);
}

static bool rd_group_ref(iggy_reader_t *r, gref_t *g)
{
    return rd_topic_ref(r, g) && iggy_mock_rd_id(r, &g->gid, &g->gn) && iggy_rd_end(r) == IGGY_OK;
}

/* Resolve stream and topic; committed ops reject, reads deny with a status. */
static bool resolve_topic(iggy_mock_call_t *call, gref_t *g, bool committed, iggy_mock_stream_t **s,
                          iggy_mock_topic_t **t, iggy_mock_outcome_t *o)
{
    *s = iggy_mock_stream_find(call->st, &g->sid, &g->sn);
    *t = iggy_mock_topic_find(*s, &g->tid, &g->tn);
    if (!*s || !*t) {
        uint32_t code = !*s ? E_STREAM_NOT_FOUND : E_TOPIC_NOT_FOUND;
        *o = committed ? iggy_mock_reject(code) : iggy_mock_status(code);
        return false;
    }
    return true;
}

iggy_mock_outcome_t iggy_mock_h_get_consumer_group(iggy_mock_call_t *call)
{
    gref_t g;
    iggy_mock_outcome_t o;
    iggy_mock_stream_t *s;
    iggy_mock_topic_t *t;
    iggy_mock_group_t *grp;

    MOCK_REQUIRE_AUTH(call);
    if (!rd_group_ref(&call->body, &g))
        return iggy_mock_status(E_INVALID_COMMAND);
    if (!resolve_topic(call, &g, false, &s, &t, &o))
        return o;
    if (!iggy_mock_call_allowed(call, PERM_READ_TOPIC, s->id, t->id))
        return iggy_mock_status(E_UNAUTHORIZED);
    grp = iggy_mock_group_find(t, &g.gid, &g.gn);
    if (grp)
        iggy_mock_wr_group(call->out, t, grp, true);
    return iggy_mock_ok(); /* empty body = no such group */
}

iggy_mock_outcome_t iggy_mock_h_get_consumer_groups(iggy_mock_call_t *call)
{
    gref_t g;
    iggy_mock_outcome_t o;
    iggy_mock_stream_t *s;
    iggy_mock_topic_t *t;

    MOCK_REQUIRE_AUTH(call);
    if (!rd_topic_ref(&call->body, &g) || iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_status(E_INVALID_COMMAND);
    if (!resolve_topic(call, &g, false, &s, &t, &o))
        return o;
    if (!iggy_mock_call_allowed(call, PERM_READ_TOPIC, s->id, t->id))
        return iggy_mock_status(E_UNAUTHORIZED);
    for (size_t i = 0; i < t->groups_count; i++)
        iggy_mock_wr_group(call->out, t, t->groups[i], false);
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_create_consumer_group(iggy_mock_call_t *call)
{
    gref_t g;
    iggy_mock_name_t name;
    iggy_mock_outcome_t o;
    iggy_mock_stream_t *s;
    iggy_mock_topic_t *t;
    iggy_mock_group_t *grp, **arr;

    MOCK_REQUIRE_AUTH(call);
    if (!rd_topic_ref(&call->body, &g) || !iggy_mock_rd_name(&call->body, &name) ||
        iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_evict(EVICT_INVALID_REQUEST_BODY);
    iggy_mock_next_op(call->st);
    if (!resolve_topic(call, &g, true, &s, &t, &o))
        return o;
    if (!iggy_mock_call_allowed(call, PERM_READ_TOPIC, s->id, t->id))
        return iggy_mock_reject(E_UNAUTHORIZED);
    for (size_t i = 0; i < t->groups_count; i++)
        if (iggy_mock_name_eq(&t->groups[i]->name, (const uint8_t *)name.s, name.len))
            return iggy_mock_reject(E_GROUP_NAME_EXISTS);
    grp = iggy_mock_calloc(1, sizeof *grp);
    arr = grp ? iggy_mem_realloc(t->groups, (t->groups_count + 1) * sizeof *arr) : NULL;
    if (!arr) {
        iggy_mock_free(grp);
        return iggy_mock_reject(E_ERROR);
    }
    t->groups = arr;
    grp->id = t->next_group_id++; /* monotonic, never reused */
    grp->name = name;
    t->groups[t->groups_count++] = grp;
    iggy_mock_wr_group(call->out, t, grp, true);
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_delete_consumer_group(iggy_mock_call_t *call)
{
    gref_t g;
    iggy_mock_outcome_t o;
    iggy_mock_stream_t *s;
    iggy_mock_topic_t *t;
    iggy_mock_group_t *grp;
    size_t idx;

    MOCK_REQUIRE_AUTH(call);
    if (!rd_group_ref(&call->body, &g))
        return iggy_mock_evict(EVICT_INVALID_REQUEST_BODY);
    iggy_mock_next_op(call->st);
    if (!resolve_topic(call, &g, true, &s, &t, &o))
        return o;
    if (!iggy_mock_call_allowed(call, PERM_READ_TOPIC, s->id, t->id))
        return iggy_mock_reject(E_UNAUTHORIZED);
    grp = iggy_mock_group_find(t, &g.gid, &g.gn);
    if (!grp)
        return iggy_mock_reject(E_GROUP_NOT_FOUND);
    for (size_t p = 0; p < t->partitions_count; p++) {
        iggy_mock_offset_t *off = iggy_mock_offset_find(t->partitions[p], 2, grp->id);
        if (off)
            iggy_mock_offset_remove(t->partitions[p], off); /* the group's offsets are reclaimed */
    }
    for (idx = 0; t->groups[idx] != grp; idx++)
        ;
    memmove(&t->groups[idx], &t->groups[idx + 1], (t->groups_count - idx - 1) * sizeof grp);
    t->groups_count--;
    iggy_mock_group_free(grp);
    return iggy_mock_ok();
}

static iggy_mock_outcome_t membership_op(iggy_mock_call_t *call, bool join)
{
    gref_t g;
    iggy_mock_outcome_t o;
    iggy_mock_stream_t *s;
    iggy_mock_topic_t *t;
    iggy_mock_group_t *grp;
    iggy_mock_member_t *m, *arr;
    uint32_t id = 0;
    size_t pos;

    MOCK_REQUIRE_AUTH(call);
    if (!rd_group_ref(&call->body, &g))
        return iggy_mock_evict(EVICT_INVALID_REQUEST_BODY);
    iggy_mock_next_op(call->st);
    if (!resolve_topic(call, &g, true, &s, &t, &o))
        return o;
    if (!iggy_mock_call_allowed(call, PERM_READ_TOPIC, s->id, t->id) &&
        !iggy_mock_call_allowed(call, PERM_POLL, s->id, t->id))
        return iggy_mock_reject(E_UNAUTHORIZED);
    grp = iggy_mock_group_find(t, &g.gid, &g.gn);
    if (!grp)
        return iggy_mock_reject(E_GROUP_NOT_FOUND);
    m = iggy_mock_member_of(grp, call->conn->conn_id);
    if (!join) {
        if (!m)
            return iggy_mock_reject(E_GROUP_MEMBER_NOT_FOUND);
        remove_member(t, grp, m);
        return iggy_mock_ok();
    }
    if (m)
        return iggy_mock_ok(); /* idempotent */
    /* Lowest free member id; members stay sorted by id. */
    for (pos = 0; pos < grp->members_count && grp->members[pos].id == id; pos++)
        id++;
    arr = iggy_mem_realloc(grp->members, (grp->members_count + 1) * sizeof *arr);
    if (!arr)
        return iggy_mock_reject(E_ERROR);
    grp->members = arr;
    memmove(&arr[pos + 1], &arr[pos], (grp->members_count - pos) * sizeof *arr);
    memset(&arr[pos], 0, sizeof *arr);
    arr[pos].id = id;
    arr[pos].conn_id = call->conn->conn_id;
    grp->members_count++;
    iggy_mock_group_rebalance(t, grp);
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_join_consumer_group(iggy_mock_call_t *call)
{
    return membership_op(call, true);
}

iggy_mock_outcome_t iggy_mock_h_leave_consumer_group(iggy_mock_call_t *call)
{
    return membership_op(call, false);
}

iggy_mock_outcome_t iggy_mock_h_sync_consumer_group(iggy_mock_call_t *call)
{
    gref_t g;
    iggy_mock_stream_t *s;
    iggy_mock_topic_t *t;
    iggy_mock_group_t *grp;
    iggy_mock_member_t *m;

    MOCK_REQUIRE_AUTH(call);
    /* Empty body for everything that is not "a member": undecodable, missing, not joined. */
    if (!rd_group_ref(&call->body, &g))
        return iggy_mock_ok();
    s = iggy_mock_stream_find(call->st, &g.sid, &g.sn);
    t = iggy_mock_topic_find(s, &g.tid, &g.tn);
    grp = iggy_mock_group_find(t, &g.gid, &g.gn);
    m = grp ? iggy_mock_member_of(grp, call->conn->conn_id) : NULL;
    if (!m)
        return iggy_mock_ok();
    iggy_wr_u64(call->out, grp->generation);               /* generation */
    iggy_wr_u32(call->out, (uint32_t)m->partitions_count); /* partitions_count */
    for (size_t i = 0; i < m->partitions_count; i++)
        iggy_wr_u32(call->out, m->partitions[i]);
    return iggy_mock_ok();
}
