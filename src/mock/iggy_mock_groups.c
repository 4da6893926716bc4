/* Consumer groups: lifetimes, membership, cooperative rebalancing with pending hand-offs
 * (apache/iggy core/metadata/src/stm/consumer_group.rs), the group handlers (admin.md §6). */
#include <string.h>

#include "iggy_alloc.h"
#include "mock/iggy_mock_state_internal.h"

/* ---------------------------------------------------------------- lifetime, membership */

static void member_clear(iggy_mock_member_t *m)
{
    iggy_mock_free(m->partitions);
    iggy_mock_free(m->pending);
    m->partitions = NULL;
    m->pending = NULL;
    m->partitions_count = m->pending_count = 0;
}

void iggy_mock_group_free(iggy_mock_group_t *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->members_count; i++)
        member_clear(&g->members[i]);
    iggy_mock_free(g->members);
    iggy_mock_free(g);
}

bool iggy_mock_member_owns(const iggy_mock_member_t *m, uint32_t partition)
{
    for (size_t i = 0; i < m->partitions_count; i++)
        if (m->partitions[i] == partition)
            return true;
    return false;
}

static bool member_pending(const iggy_mock_member_t *m, uint32_t partition)
{
    for (size_t i = 0; i < m->pending_count; i++)
        if (m->pending[i].partition == partition)
            return true;
    return false;
}

bool iggy_mock_member_pollable(const iggy_mock_member_t *m, uint32_t partition)
{
    return iggy_mock_member_owns(m, partition) && !member_pending(m, partition);
}

static iggy_mock_member_t *member_by_id(iggy_mock_group_t *g, uint32_t id)
{
    for (size_t i = 0; i < g->members_count; i++)
        if (g->members[i].id == id)
            return &g->members[i];
    return NULL;
}

static bool member_add(iggy_mock_member_t *m, uint32_t partition)
{
    uint32_t *arr = iggy_mem_realloc(m->partitions, (m->partitions_count + 1) * sizeof *arr);
    if (!arr)
        return false;
    m->partitions = arr;
    arr[m->partitions_count++] = partition;
    return true;
}

static void member_drop(iggy_mock_member_t *m, uint32_t partition)
{
    size_t n = 0;
    for (size_t i = 0; i < m->partitions_count; i++)
        if (m->partitions[i] != partition)
            m->partitions[n++] = m->partitions[i];
    m->partitions_count = n;
}

/* Round-robin over the members in id order: partition k goes to member k % n, with no
 * hand-off (the real server's rebalance_members, for leaves and repartitions: whoever
 * left cannot drain, so the new owner re-reads from the commit; at-least-once). */
void iggy_mock_group_rebalance(iggy_mock_topic_t *t, iggy_mock_group_t *g)
{
    size_t n = g->members_count;
    for (size_t i = 0; i < n; i++) {
        iggy_mock_member_t *m = &g->members[i];
        size_t want = t->partitions_count / n + (i < t->partitions_count % n ? 1 : 0);
        member_clear(m);
        m->partitions = want ? iggy_mock_alloc(want * sizeof(uint32_t)) : NULL;
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

static bool member_owns_nothing(const iggy_mock_member_t *m)
{
    return m->partitions_count == 0;
}

static bool revocation_target(const iggy_mock_group_t *g, uint32_t id)
{
    for (size_t i = 0; i < g->members_count; i++)
        for (size_t j = 0; j < g->members[i].pending_count; j++)
            if (g->members[i].pending[j].target == id)
                return true;
    return false;
}

static bool owned_by_any(const iggy_mock_group_t *g, uint32_t partition)
{
    for (size_t i = 0; i < g->members_count; i++)
        if (iggy_mock_member_owns(&g->members[i], partition))
            return true;
    return false;
}

/* Move the excess partition from source member `src` to idle member `dst`: at once when
 * nothing is in flight on it, otherwise as a pending revocation the source drains first.
 * On no memory the source keeps it. */
static void hand_off(iggy_mock_topic_t *t, iggy_mock_group_t *g, iggy_mock_member_t *src,
                     iggy_mock_member_t *dst, uint32_t partition, uint64_t now_us)
{
    if (!iggy_mock_group_drained(iggy_mock_partition_get(t, partition), g->id)) {
        iggy_mock_revocation_t *arr =
            iggy_mem_realloc(src->pending, (src->pending_count + 1) * sizeof *arr);
        if (!arr)
            return;
        src->pending = arr;
        arr[src->pending_count].partition = partition;
        arr[src->pending_count].target = dst->id;
        arr[src->pending_count].created_at = now_us;
        src->pending_count++;
    } else if (member_add(dst, partition)) {
        member_drop(src, partition);
    }
}

/* A partition leaving an over-assigned member (index source). */
typedef struct excess {
    uint32_t partition;
    size_t source;
} excess_t;

/* The cooperative rebalance of a join (the real server's rebalance_cooperative): give
 * unassigned partitions to members owning nothing, then move each over-assigned member's
 * excess to the idle members that are not already waiting for a hand-off. Members are
 * visited in id order, as the server walks its member slab. */
static void rebalance_join(iggy_mock_topic_t *t, iggy_mock_group_t *g, uint64_t now_us)
{
    size_t n = g->members_count, np = t->partitions_count, nidle = 0, nexcess = 0, k = 0;
    size_t fair, remainder;
    iggy_mock_member_t **idle;
    excess_t *excess;

    g->generation++;
    if (n == 0 || np == 0)
        return;
    idle = iggy_mock_alloc(n * sizeof *idle);
    excess = iggy_mock_alloc(np * sizeof *excess);
    if (!idle || !excess) {
        iggy_mock_free(idle);
        iggy_mock_free(excess);
        iggy_mock_group_rebalance(t, g); /* no memory: the eager shape is still consistent */
        return;
    }

    /* A last_polled past the commit on a partition nobody owns is the residue of a removed
     * member, to be re-read rather than protected (the server's gather_in_flight). */
    for (size_t p = 0; p < np; p++)
        if (!owned_by_any(g, t->partitions[p]->id))
            iggy_mock_polled_clear(t->partitions[p], g->id);

    for (size_t i = 0; i < n; i++)
        if (member_owns_nothing(&g->members[i]))
            idle[nidle++] = &g->members[i];
    for (size_t p = 0; nidle && p < np; p++) {
        uint32_t pid = t->partitions[p]->id;
        if (!owned_by_any(g, pid) && member_add(idle[k % nidle], pid))
            k++;
    }

    nidle = 0;
    for (size_t i = 0; i < n; i++)
        if (member_owns_nothing(&g->members[i]) && !revocation_target(g, g->members[i].id))
            idle[nidle++] = &g->members[i];
    /* Collect every member's excess first, then deal it round-robin over the idle
     * members, so that one member's excess spreads instead of landing on one. */
    fair = np / n;
    remainder = np % n;
    for (size_t i = 0; nidle && i < n; i++) {
        const iggy_mock_member_t *src = &g->members[i];
        size_t effective = src->partitions_count - src->pending_count;
        size_t allowed = remainder ? fair + 1 : fair, over;
        if (effective > fair && remainder)
            remainder--;
        if (effective <= allowed)
            continue;
        over = effective - allowed; /* from the end of its list, skipping pending ones */
        for (size_t j = src->partitions_count; over && j-- > 0;) {
            if (member_pending(src, src->partitions[j]))
                continue;
            excess[nexcess].partition = src->partitions[j];
            excess[nexcess++].source = i;
            over--;
        }
    }
    for (size_t e = 0; e < nexcess; e++)
        hand_off(t, g, &g->members[excess[e].source], idle[e % nidle], excess[e].partition, now_us);
    iggy_mock_free(excess);
    iggy_mock_free(idle);
}

/* Move a pending partition from its source to its target; a target that is gone means a
 * full rebalance (complete_revocation). */
static void complete_revocation(iggy_mock_topic_t *t, iggy_mock_group_t *g, iggy_mock_member_t *src,
                                size_t k)
{
    iggy_mock_revocation_t r = src->pending[k];
    iggy_mock_member_t *dst = member_by_id(g, r.target);

    memmove(&src->pending[k], &src->pending[k + 1], (src->pending_count - k - 1) * sizeof r);
    src->pending_count--;
    if (!dst || !member_add(dst, r.partition)) {
        iggy_mock_group_rebalance(t, g);
        return;
    }
    member_drop(src, r.partition);
    g->generation++;
}

void iggy_mock_group_settle(iggy_mock_state_t *st, iggy_mock_topic_t *t, iggy_mock_group_t *g,
                            uint64_t now_us)
{
    bool again = true;
    while (again) { /* a completion can rebalance everything: rescan from the start */
        again = false;
        for (size_t i = 0; !again && i < g->members_count; i++) {
            iggy_mock_member_t *m = &g->members[i];
            for (size_t k = 0; !again && k < m->pending_count; k++) {
                iggy_mock_partition_t *p = iggy_mock_partition_get(t, m->pending[k].partition);
                uint64_t age =
                    now_us > m->pending[k].created_at ? now_us - m->pending[k].created_at : 0;
                if (!p) { /* not reached: repartitions rebalance fully */
                    iggy_mock_group_rebalance(t, g);
                    return;
                }
                if (iggy_mock_group_drained(p, g->id) || age >= st->rebalancing_timeout_us) {
                    complete_revocation(t, g, m, k);
                    again = true;
                }
            }
        }
    }
}

void iggy_mock_topic_settle(iggy_mock_state_t *st, iggy_mock_topic_t *t, uint64_t now_us)
{
    for (size_t i = 0; i < t->groups_count; i++)
        iggy_mock_group_settle(st, t, t->groups[i], now_us);
}

static void remove_member(iggy_mock_topic_t *t, iggy_mock_group_t *g, iggy_mock_member_t *m)
{
    size_t i = (size_t)(m - g->members);
    member_clear(m);
    memmove(&g->members[i], &g->members[i + 1], (g->members_count - i - 1) * sizeof *m);
    g->members_count--;
    iggy_mock_group_rebalance(t, g); /* drops every pending hand-off, to or from m */
}

void iggy_mock_drop_memberships(iggy_mock_state_t *st, uint32_t key)
{
    for (size_t s = 0; s < st->streams_cap; s++) {
        iggy_mock_stream_t *stream = st->streams[s];
        for (size_t ti = 0; stream && ti < stream->topics_cap; ti++) {
            iggy_mock_topic_t *t = stream->topics[ti];
            for (size_t gi = 0; t && gi < t->groups_count; gi++) {
                iggy_mock_member_t *m = iggy_mock_member_of(t->groups[gi], key);
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
        iggy_mock_polled_clear(t->partitions[p], grp->id);
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
    /* The member is the caller's client entry (the server adds the VSR client id). */
    m = iggy_mock_member_of(grp, iggy_mock_conn_key(call->conn));
    if (!join) {
        if (!m)
            return iggy_mock_reject(E_GROUP_MEMBER_NOT_FOUND);
        remove_member(t, grp, m);
        return iggy_mock_ok();
    }
    if (m)
        return iggy_mock_ok(); /* idempotent */
    if (!call->conn->client)
        return iggy_mock_reject(E_ERROR); /* not reached: a bound connection has an entry */
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
    arr[pos].client = call->conn->client->key;
    grp->members_count++;
    rebalance_join(t, grp, call->now_us);
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
    m = grp ? iggy_mock_member_of(grp, iggy_mock_conn_key(call->conn)) : NULL;
    if (!m)
        return iggy_mock_ok();
    /* The pollable partitions: owned minus those pending hand-off. */
    iggy_wr_u64(call->out, grp->generation);                                    /* generation */
    iggy_wr_u32(call->out, (uint32_t)(m->partitions_count - m->pending_count)); /* count */
    for (size_t i = 0; i < m->partitions_count; i++)
        if (!member_pending(m, m->partitions[i]))
            iggy_wr_u32(call->out, m->partitions[i]);
    return iggy_mock_ok();
}
