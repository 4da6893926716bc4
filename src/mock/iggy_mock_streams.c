/* Streams (admin.md §3), and the stream/topic references every admin handler reads. */
#include "mock/iggy_mock_state_internal.h"

/* ---------------------------------------------------------------- stream and topic references */

bool iggy_mock_rd_stream_ref(iggy_reader_t *r, iggy_mock_ref_t *ref)
{
    return iggy_mock_rd_id(r, &ref->sid, &ref->sn);
}

bool iggy_mock_rd_topic_ref(iggy_reader_t *r, iggy_mock_ref_t *ref)
{
    return iggy_mock_rd_id(r, &ref->sid, &ref->sn) && iggy_mock_rd_id(r, &ref->tid, &ref->tn);
}

bool iggy_mock_resolve_committed(iggy_mock_call_t *call, const iggy_mock_ref_t *ref,
                                 bool need_topic, iggy_mock_stream_t **s, iggy_mock_topic_t **t,
                                 iggy_mock_outcome_t *o)
{
    *s = iggy_mock_stream_find(call->st, &ref->sid, &ref->sn);
    if (!*s) {
        *o = iggy_mock_reject(E_STREAM_NOT_FOUND);
        return false;
    }
    if (!need_topic)
        return true;
    *t = iggy_mock_topic_find(*s, &ref->tid, &ref->tn);
    if (!*t) {
        *o = iggy_mock_reject(E_TOPIC_NOT_FOUND);
        return false;
    }
    return true;
}

static bool stream_name_taken(iggy_mock_state_t *st, const iggy_mock_name_t *n,
                              const iggy_mock_stream_t *except)
{
    for (size_t i = 0; i < st->streams_cap; i++) {
        iggy_mock_stream_t *s = st->streams[i];
        if (s && s != except && iggy_mock_name_eq(&s->name, (const uint8_t *)n->s, n->len))
            return true;
    }
    return false;
}

/* ---------------------------------------------------------------- streams */

iggy_mock_outcome_t iggy_mock_h_get_stream(iggy_mock_call_t *call)
{
    iggy_mock_ref_t ref;
    iggy_mock_stream_t *s;
    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_stream_ref(&call->body, &ref) || iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_status(E_INVALID_COMMAND);
    s = iggy_mock_stream_find(call->st, &ref.sid, &ref.sn);
    if (!s)
        return iggy_mock_ok(); /* empty body = not found, reported before permissions */
    if (!iggy_mock_call_allowed(call, PERM_READ_STREAM, s->id, 0))
        return iggy_mock_status(E_UNAUTHORIZED);
    iggy_mock_wr_stream(call->out, s);
    for (size_t i = 0; i < s->topics_cap; i++)
        if (s->topics[i])
            iggy_mock_wr_topic_header(call->out, s->topics[i]);
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_get_streams(iggy_mock_call_t *call)
{
    MOCK_REQUIRE_AUTH(call);
    if (iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_status(E_INVALID_COMMAND);
    if (!iggy_mock_call_allowed(call, PERM_READ_STREAMS, 0, 0))
        return iggy_mock_status(E_UNAUTHORIZED);
    for (size_t i = 0; i < call->st->streams_cap; i++)
        if (call->st->streams[i])
            iggy_mock_wr_stream(call->out, call->st->streams[i]);
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_create_stream(iggy_mock_call_t *call)
{
    iggy_mock_state_t *st = call->st;
    iggy_mock_name_t name;
    iggy_mock_outcome_t o;
    iggy_mock_stream_t *s;
    size_t id;

    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_name(&call->body, &name))
        return iggy_mock_status(E_INVALID_COMMAND);
    if (!iggy_mock_rd_no_options(&call->body, &o))
        return o;
    iggy_mock_next_op(st);
    if (!iggy_mock_call_allowed(call, PERM_CREATE_STREAM, 0, 0))
        return iggy_mock_reject(E_UNAUTHORIZED);
    if (stream_name_taken(st, &name, NULL))
        return iggy_mock_reject(E_STREAM_NAME_EXISTS);
    if (!iggy_mock_lowest_free_slot((void ***)&st->streams, &st->streams_cap, MOCK_MAX_STREAMS,
                                    &id))
        return iggy_mock_reject(id >= MOCK_MAX_STREAMS ? E_TOO_MANY_STREAMS : E_ERROR);
    s = iggy_mock_calloc(1, sizeof *s);
    if (!s)
        return iggy_mock_reject(E_ERROR);
    s->id = (uint32_t)id;
    s->created_at = call->now_us;
    s->name = name;
    st->streams[id] = s;
    iggy_mock_wr_stream(call->out, s);
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_update_stream(iggy_mock_call_t *call)
{
    iggy_mock_ref_t ref;
    iggy_mock_name_t name;
    iggy_mock_outcome_t o;
    iggy_mock_stream_t *s;

    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_stream_ref(&call->body, &ref) || !iggy_mock_rd_name(&call->body, &name))
        return iggy_mock_status(E_INVALID_COMMAND);
    if (!iggy_mock_rd_no_options(&call->body, &o))
        return o;
    iggy_mock_next_op(call->st);
    if (!iggy_mock_resolve_committed(call, &ref, false, &s, NULL, &o))
        return o;
    if (!iggy_mock_call_allowed(call, PERM_MANAGE_STREAM, s->id, 0))
        return iggy_mock_reject(E_UNAUTHORIZED);
    if (stream_name_taken(call->st, &name, s))
        return iggy_mock_reject(E_STREAM_NAME_EXISTS);
    s->name = name;
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_delete_stream(iggy_mock_call_t *call)
{
    iggy_mock_ref_t ref;
    iggy_mock_outcome_t o;
    iggy_mock_stream_t *s;

    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_stream_ref(&call->body, &ref) || iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_evict(EVICT_INVALID_REQUEST_BODY);
    iggy_mock_next_op(call->st);
    if (!iggy_mock_resolve_committed(call, &ref, false, &s, NULL, &o))
        return o;
    if (!iggy_mock_call_allowed(call, PERM_MANAGE_STREAM, s->id, 0))
        return iggy_mock_reject(E_UNAUTHORIZED);
    call->st->streams[s->id] = NULL; /* the id is reused by the next create */
    for (size_t i = 0; i < s->topics_cap; i++)
        iggy_mock_topic_free(s->topics[i]);
    iggy_mock_free(s->topics);
    iggy_mock_free(s);
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_purge_stream(iggy_mock_call_t *call)
{
    iggy_mock_ref_t ref;
    iggy_mock_outcome_t o;
    iggy_mock_stream_t *s;

    MOCK_REQUIRE_AUTH(call);
    if (!iggy_mock_rd_stream_ref(&call->body, &ref) || iggy_rd_end(&call->body) != IGGY_OK)
        return iggy_mock_evict(EVICT_INVALID_REQUEST_BODY);
    iggy_mock_next_op(call->st);
    if (!iggy_mock_resolve_committed(call, &ref, false, &s, NULL, &o))
        return o;
    if (!iggy_mock_call_allowed(call, PERM_MANAGE_STREAM, s->id, 0))
        return iggy_mock_reject(E_UNAUTHORIZED);
    for (size_t i = 0; i < s->topics_cap; i++) {
        iggy_mock_topic_t *t = s->topics[i];
        for (size_t p = 0; t && p < t->partitions_count; p++)
            iggy_mock_partition_wipe(t->partitions[p]);
        if (t)
            iggy_mock_topic_settle(call->st, t, call->now_us); /* nothing is in flight */
    }
    return iggy_mock_ok();
}
