/* Consumer groups (admin.md §6): request encoders and the group decoders. */
#include <stdalign.h>

#include "codec/iggy_codec.h"
#include "codec/iggy_resp.h"
#include "iggy_error_internal.h"

/* Smallest records: ConsumerGroupResponse with a 1-byte name; a member with no partitions. */
#define GROUP_RESPONSE_MIN_SIZE 14u
#define GROUP_MEMBER_MIN_SIZE 8u

/* ---------------------------------------------------------------- encoders */

void iggy_enc_group_ref(iggy_writer_t *w, const iggy_identifier_t *stream,
                        const iggy_identifier_t *topic, const iggy_identifier_t *group)
{
    iggy_enc_identifier(w, stream);
    iggy_enc_identifier(w, topic);
    iggy_enc_identifier(w, group);
}

void iggy_enc_create_consumer_group(iggy_writer_t *w, const iggy_identifier_t *stream,
                                    const iggy_identifier_t *topic, const char *name)
{
    iggy_enc_identifier(w, stream);
    iggy_enc_identifier(w, topic);
    iggy_enc_name(w, name, "consumer group name");
}

/* ---------------------------------------------------------------- decoders */

/* [n u32][n x u32 partition id]; shared by members and the sync assignment. */
static iggy_err_t dec_partition_ids(iggy_reader_t *r, iggy_arena_t *a, uint32_t *count,
                                    const uint32_t **out)
{
    uint32_t *arr, scratch;
    IGGY_TRY(iggy_rd_u32(r, count));
    IGGY_TRY(iggy_rd_check_count(r, *count, sizeof(uint32_t)));
    arr = IGGY_ARENA_ARRAY(a, uint32_t, *count);
    for (uint32_t i = 0; i < *count; i++)
        IGGY_TRY(iggy_rd_u32(r, IGGY_ARENA_SLOT(arr, i, &scratch)));
    *out = arr;
    return IGGY_OK;
}

/* One ConsumerGroupResponse (13 + N bytes) without members. */
static iggy_err_t dec_group_response(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_consumer_group_t *g = out;
    IGGY_TRY(iggy_rd_u32(r, &g->id));               /* 0  u32 id */
    IGGY_TRY(iggy_rd_u32(r, &g->partitions_count)); /* 4  u32 topic's partitions_count */
    IGGY_TRY(iggy_rd_u32(r, &g->members_count));    /* 8  u32 members_count */
    IGGY_TRY(iggy_dec_name(r, a, &g->name, 0));     /* 12 u8 name_len, 13 name */
    g->members = NULL;
    return IGGY_OK;
}

/* GetConsumerGroup and the CreateConsumerGroup reply: ConsumerGroupDetails = group +
 * exactly members_count member records (variable length, so count-driven). */
static iggy_err_t dec_group(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_consumer_group_t *g = out;
    iggy_consumer_group_member_t *members, scratch;

    IGGY_TRY(dec_group_response(r, a, g));
    IGGY_TRY(iggy_rd_check_count(r, g->members_count, GROUP_MEMBER_MIN_SIZE));
    members = IGGY_ARENA_ARRAY(a, iggy_consumer_group_member_t, g->members_count);
    for (uint32_t i = 0; i < g->members_count; i++) {
        iggy_consumer_group_member_t *m = IGGY_ARENA_SLOT(members, i, &scratch);
        IGGY_TRY(iggy_rd_u32(r, &m->id)); /* 0 u32 member id, then [n u32][n x u32] */
        IGGY_TRY(dec_partition_ids(r, a, &m->partitions_count, &m->partitions));
    }
    g->members = members;
    return iggy_rd_end(r);
}

/* GetConsumerGroups: ConsumerGroupResponse* to the end, no count prefix, no members. */
static iggy_err_t dec_group_list(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_consumer_group_list_t *l = out;
    void *arr;
    IGGY_TRY(iggy_dec_records(r, a, sizeof(iggy_consumer_group_t), alignof(iggy_consumer_group_t),
                              dec_group_response, &l->count, &arr));
    l->groups = arr;
    return iggy_rd_end(r);
}

/* SyncConsumerGroup: [generation u64][n u32][n x u32]. Trailing bytes are rejected. */
static iggy_err_t dec_assignment(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_group_assignment_t *s = out;
    IGGY_TRY(iggy_rd_u64(r, &s->generation));                                /* 0 u64 generation */
    IGGY_TRY(dec_partition_ids(r, a, &s->partitions_count, &s->partitions)); /* 8 u32 n, 12 ids */
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_consumer_group = {"ConsumerGroup", sizeof(iggy_consumer_group_t),
                                                  dec_group};
const iggy_resp_ops_t iggy_resp_consumer_group_list = {
    "ConsumerGroups", sizeof(iggy_consumer_group_list_t), dec_group_list};
const iggy_resp_ops_t iggy_resp_group_assignment = {
    "GroupAssignment", sizeof(iggy_group_assignment_t), dec_assignment};
