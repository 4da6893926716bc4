/* Consumer offsets (admin.md §7): per-partition storage keyed by consumer or group, each
 * group's last polled offset next to its committed one, and the get / store / delete
 * handlers. */
#include <string.h>

#include <xxhash.h>

#include "iggy_alloc.h"
#include "mock/iggy_mock_state_internal.h"

/* ---------------------------------------------------------------- storage */

iggy_mock_offset_t *iggy_mock_offset_find(iggy_mock_partition_t *p, uint8_t kind, uint32_t key)
{
    for (size_t i = 0; i < p->offsets_count; i++)
        if (p->offsets[i].kind == kind && p->offsets[i].key == key)
            return &p->offsets[i];
    return NULL;
}

bool iggy_mock_offset_store(iggy_mock_partition_t *p, uint8_t kind, uint32_t key, uint64_t offset)
{
    iggy_mock_offset_t *o = iggy_mock_offset_find(p, kind, key), *arr;
    if (o) {
        o->offset = offset;
        return true;
    }
    arr = iggy_mem_realloc(p->offsets, (p->offsets_count + 1) * sizeof *arr);
    if (!arr)
        return false;
    p->offsets = arr;
    arr[p->offsets_count].kind = kind;
    arr[p->offsets_count].key = key;
    arr[p->offsets_count].offset = offset;
    p->offsets_count++;
    return true;
}

void iggy_mock_offset_remove(iggy_mock_partition_t *p, iggy_mock_offset_t *o)
{
    size_t i = (size_t)(o - p->offsets);
    memmove(&p->offsets[i], &p->offsets[i + 1], (p->offsets_count - i - 1) * sizeof *o);
    p->offsets_count--;
}

/* last_polled: ephemeral, like the server's (never persisted, cleared by a purge). */

static iggy_mock_offset_t *polled_find(iggy_mock_partition_t *p, uint32_t group_id)
{
    for (size_t i = 0; i < p->polled_count; i++)
        if (p->polled[i].key == group_id)
            return &p->polled[i];
    return NULL;
}

void iggy_mock_polled_note(iggy_mock_partition_t *p, uint32_t group_id, uint64_t offset)
{
    iggy_mock_offset_t *o = polled_find(p, group_id), *arr;
    if (o) {
        if (offset > o->offset)
            o->offset = offset;
        return;
    }
    /* On no memory the partition just looks drained: a join then moves it at once and
     * the new owner re-reads from the commit (at-least-once). */
    arr = iggy_mem_realloc(p->polled, (p->polled_count + 1) * sizeof *arr);
    if (!arr)
        return;
    p->polled = arr;
    arr[p->polled_count].kind = 2;
    arr[p->polled_count].key = group_id;
    arr[p->polled_count].offset = offset;
    p->polled_count++;
}

void iggy_mock_polled_clear(iggy_mock_partition_t *p, uint32_t group_id)
{
    iggy_mock_offset_t *o = polled_find(p, group_id);
    size_t i;
    if (!o)
        return;
    i = (size_t)(o - p->polled);
    memmove(&p->polled[i], &p->polled[i + 1], (p->polled_count - i - 1) * sizeof *o);
    p->polled_count--;
}

bool iggy_mock_group_drained(iggy_mock_partition_t *p, uint32_t group_id)
{
    iggy_mock_offset_t *polled = polled_find(p, group_id);
    iggy_mock_offset_t *committed = iggy_mock_offset_find(p, 2, group_id);
    return !polled || (committed && committed->offset >= polled->offset);
}

/* ---------------------------------------------------------------- handlers */

typedef struct oreq {
    uint8_t kind;
    iggy_identifier_t cid;
    iggy_mock_name_t cn;
    iggy_mock_ref_t ref;
    uint8_t flag;
    uint32_t partition;
} oreq_t;

/* [Consumer][stream][topic][flag u8][partition u32] */
static bool rd_offset_req(iggy_reader_t *r, oreq_t *q)
{
    if (iggy_rd_u8(r, &q->kind) != IGGY_OK || (q->kind != 1 && q->kind != 2) ||
        !iggy_mock_rd_id(r, &q->cid, &q->cn) || !iggy_mock_rd_topic_ref(r, &q->ref) ||
        iggy_rd_u8(r, &q->flag) != IGGY_OK || iggy_rd_u32(r, &q->partition) != IGGY_OK)
        return false;
    return true;
}

static bool rd_ack(iggy_reader_t *r)
{
    uint8_t ack;
    return iggy_rd_u8(r, &ack) == IGGY_OK && ack <= 1 && iggy_rd_end(r) == IGGY_OK;
}

/* The offset key: numeric consumer id, XXH32 of a named one, or the group's id. */
static uint32_t consumer_key(const oreq_t *q, const iggy_mock_group_t *grp)
{
    if (q->kind == 2)
        return grp->id;
    return q->cid.name ? XXH32(q->cn.s, q->cn.len, 0) : q->cid.numeric;
}

iggy_mock_outcome_t iggy_mock_h_get_consumer_offset(iggy_mock_call_t *call)
{
    oreq_t q;
    iggy_mock_stream_t *s;
    iggy_mock_topic_t *t;
    iggy_mock_group_t *grp = NULL;
    iggy_mock_partition_t *p;
    iggy_mock_offset_t *off;
    uint32_t pid;

    MOCK_REQUIRE_AUTH(call);
    if (!rd_offset_req(&call->body, &q) || iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_ok(); /* undecodable: empty, like "nothing stored" */
    s = iggy_mock_stream_find(call->st, &q.ref.sid, &q.ref.sn);
    t = iggy_mock_topic_find(s, &q.ref.tid, &q.ref.tn);
    if (!t)
        return iggy_mock_ok();
    if (q.kind == 2 && !(grp = iggy_mock_group_find(t, &q.cid, &q.cn)))
        return iggy_mock_ok();
    pid = q.flag == 1 ? q.partition : 0; /* None reads partition 0 */
    p = iggy_mock_partition_get(t, pid);
    if (!p)
        return iggy_mock_status(E_PARTITION_NOT_FOUND);
    if (!iggy_mock_call_allowed(call, PERM_POLL, s->id, t->id))
        return iggy_mock_status(E_UNAUTHORIZED);
    off = iggy_mock_offset_find(p, q.kind, consumer_key(&q, grp));
    if (!off)
        return iggy_mock_ok();
    iggy_wr_u32(call->out, pid);                                     /* 0  partition_id */
    iggy_wr_u64(call->out, p->next_offset ? p->next_offset - 1 : 0); /* 4  current_offset */
    iggy_wr_u64(call->out, off->offset);                             /* 12 stored_offset */
    return iggy_mock_ok();
}

/* Route a store/delete: anything that does not resolve (partition None included, or a
 * group partition the caller does not own) is a bare status 20. A partition pending
 * hand-off away from the caller is still owned: its commit is what completes the hand-off. */
static bool route_offset_write(iggy_mock_call_t *call, const oreq_t *q, iggy_mock_topic_t **t,
                               iggy_mock_group_t **grp, iggy_mock_partition_t **p, uint32_t *key,
                               iggy_mock_outcome_t *o)
{
    iggy_mock_stream_t *s = iggy_mock_stream_find(call->st, &q->ref.sid, &q->ref.sn);

    *t = iggy_mock_topic_find(s, &q->ref.tid, &q->ref.tn);
    *grp = NULL;
    *o = iggy_mock_status(E_RESOURCE_NOT_FOUND);
    if (!*t || q->flag != 1 || !(*p = iggy_mock_partition_get(*t, q->partition)))
        return false;
    if (q->kind == 2) {
        iggy_mock_member_t *m;
        *grp = iggy_mock_group_find(*t, &q->cid, &q->cn);
        m = *grp ? iggy_mock_member_of(*grp, iggy_mock_conn_key(call->conn)) : NULL;
        if (!m || !iggy_mock_member_owns(m, q->partition))
            return false;
    }
    if (!iggy_mock_call_allowed(call, PERM_POLL, s->id, (*t)->id)) {
        *o = iggy_mock_status(E_UNAUTHORIZED);
        return false;
    }
    *key = consumer_key(q, *grp);
    return true;
}

iggy_mock_outcome_t iggy_mock_h_store_consumer_offset(iggy_mock_call_t *call)
{
    oreq_t q;
    uint64_t offset;
    iggy_mock_topic_t *t;
    iggy_mock_group_t *grp;
    iggy_mock_partition_t *p;
    uint32_t key;
    iggy_mock_outcome_t o;

    MOCK_REQUIRE_AUTH(call);
    if (!rd_offset_req(&call->body, &q) || iggy_rd_u64(&call->body, &offset) != IGGY_OK ||
        !rd_ack(&call->body))
        return iggy_mock_status(E_RESOURCE_NOT_FOUND); /* cannot be routed */
    if (!route_offset_write(call, &q, &t, &grp, &p, &key, &o))
        return o;
    if (p->next_offset == 0 || offset > p->next_offset - 1)
        return iggy_mock_status(E_INVALID_OFFSET);
    if (!iggy_mock_offset_store(p, q.kind, key, offset))
        return iggy_mock_status(E_ERROR);
    if (grp)
        iggy_mock_group_settle(call->st, t, grp, call->now_us); /* may complete a hand-off */
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_delete_consumer_offset(iggy_mock_call_t *call)
{
    oreq_t q;
    iggy_mock_topic_t *t;
    iggy_mock_group_t *grp;
    iggy_mock_partition_t *p;
    iggy_mock_offset_t *off;
    uint32_t key;
    iggy_mock_outcome_t o;

    MOCK_REQUIRE_AUTH(call);
    if (!rd_offset_req(&call->body, &q) || !rd_ack(&call->body))
        return iggy_mock_status(E_RESOURCE_NOT_FOUND);
    if (!route_offset_write(call, &q, &t, &grp, &p, &key, &o))
        return o;
    off = iggy_mock_offset_find(p, q.kind, key);
    if (!off)
        return iggy_mock_status(E_OFFSET_NOT_FOUND);
    iggy_mock_offset_remove(p, off);
    return iggy_mock_ok();
}
