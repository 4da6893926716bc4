/* Topics, partitions and segments (admin.md §4, §5): request encoders, the TopicHeader
 * decoder shared with GetStream, and the topic decoders. */
#include "codec/iggy_cmd_topics.h"

#include "codec/iggy_codec.h"
#include "codec/iggy_resp.h"
#include "iggy_error_internal.h"

#define PARTITION_RESPONSE_SIZE 40u

/* ---------------------------------------------------------------- encoders */

void iggy_enc_topic_ref(iggy_writer_t *w, const iggy_identifier_t *stream,
                        const iggy_identifier_t *topic)
{
    iggy_enc_identifier(w, stream);
    iggy_enc_identifier(w, topic);
}

/* partitions_count is not range-checked here: the server owns the 0..=1000 limit and
 * reports it as status 2015. Options are passed through for the same reason (4041/4042). */
void iggy_enc_create_topic(iggy_writer_t *w, const iggy_identifier_t *stream,
                           uint32_t partitions_count, const char *name, const iggy_kv_t *options,
                           size_t options_count)
{
    iggy_enc_identifier(w, stream);
    iggy_wr_u32(w, partitions_count);
    iggy_enc_name(w, name, "topic name");
    iggy_enc_kv_block(w, options, options_count); /* unprefixed, runs to the end */
}

void iggy_enc_update_topic(iggy_writer_t *w, const iggy_identifier_t *stream,
                           const iggy_identifier_t *topic, const char *name,
                           const iggy_kv_t *options, size_t options_count)
{
    iggy_enc_identifier(w, stream);
    iggy_enc_identifier(w, topic);
    iggy_enc_name(w, name, "topic name"); /* mandatory: the current name keeps it */
    iggy_enc_kv_block(w, options, options_count);
}

void iggy_enc_partitions(iggy_writer_t *w, const iggy_identifier_t *stream,
                         const iggy_identifier_t *topic, uint32_t partitions_count)
{
    iggy_enc_identifier(w, stream);
    iggy_enc_identifier(w, topic);
    iggy_wr_u32(w, partitions_count);
}

void iggy_enc_delete_segments(iggy_writer_t *w, const iggy_identifier_t *stream,
                              const iggy_identifier_t *topic, uint32_t partition_id,
                              uint32_t segments_count)
{
    iggy_enc_identifier(w, stream);
    iggy_enc_identifier(w, topic);
    iggy_wr_u32(w, partition_id);
    iggy_wr_u32(w, segments_count);
}

/* ---------------------------------------------------------------- decoders */

iggy_err_t iggy_dec_topic_header(iggy_reader_t *r, iggy_arena_t *a, iggy_topic_t *t)
{
    IGGY_TRY(iggy_rd_u32(r, &t->id));                         /* 0  u32 id */
    IGGY_TRY(iggy_rd_u64(r, &t->created_at));                 /* 4  u64 created_at (µs) */
    IGGY_TRY(iggy_rd_u32(r, &t->partitions_count));           /* 12 u32 partitions_count */
    IGGY_TRY(iggy_rd_u64(r, &t->message_expiry));             /* 16 u64 message_expiry (µs) */
    IGGY_TRY(iggy_rd_u8(r, &t->compression_algorithm));       /* 24 u8 compression, raw */
    IGGY_TRY(iggy_rd_u64(r, &t->max_topic_size));             /* 25 u64 max_topic_size */
    IGGY_TRY(iggy_rd_u64(r, &t->size_bytes));                 /* 33 u64 size_bytes */
    IGGY_TRY(iggy_rd_u64(r, &t->messages_count));             /* 41 u64 messages_count */
    IGGY_TRY(iggy_dec_name(r, a, &t->name, 0));               /* 49 u8 name_len, 50 name */
    IGGY_TRY(iggy_dec_options32(r, a, &t->explicit_options)); /* 50+N u32 len + TLV */
    IGGY_TRY(iggy_dec_options32(r, a, &t->derived_options));  /* 54+N+E u32 len + TLV */
    t->partitions = NULL;
    return IGGY_OK;
}

static iggy_err_t dec_partition(iggy_reader_t *r, iggy_partition_t *p)
{
    IGGY_TRY(iggy_rd_u32(r, &p->id));             /* 0  u32 id */
    IGGY_TRY(iggy_rd_u64(r, &p->created_at));     /* 4  u64 created_at (µs) */
    IGGY_TRY(iggy_rd_u32(r, &p->segments_count)); /* 12 u32 segments_count */
    IGGY_TRY(iggy_rd_u64(r, &p->current_offset)); /* 16 u64 current_offset */
    IGGY_TRY(iggy_rd_u64(r, &p->size_bytes));     /* 24 u64 size_bytes */
    IGGY_TRY(iggy_rd_u64(r, &p->messages_count)); /* 32 u64 messages_count */
    return IGGY_OK;
}

/* GetTopic and the CreateTopic reply: TopicHeader + exactly partitions_count
 * 40-byte PartitionResponses (count-driven: a mismatch is malformed). */
static iggy_err_t dec_topic(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_topic_t *t = out;
    iggy_partition_t *parts, scratch;

    IGGY_TRY(iggy_dec_topic_header(r, a, t));
    IGGY_TRY(iggy_rd_check_count(r, t->partitions_count, PARTITION_RESPONSE_SIZE));
    parts = IGGY_ARENA_ARRAY(a, iggy_partition_t, t->partitions_count);
    for (uint32_t i = 0; i < t->partitions_count; i++)
        IGGY_TRY(dec_partition(r, IGGY_ARENA_SLOT(parts, i, &scratch)));
    t->partitions = parts;
    return iggy_rd_end(r);
}

/* GetTopics: u32 count + count TopicHeaders, no partitions. */
static iggy_err_t dec_topic_list(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_topic_list_t *l = out;
    iggy_topic_t *arr, scratch;
    uint32_t count;

    IGGY_TRY(iggy_rd_u32(r, &count)); /* 0 u32 topics_count */
    IGGY_TRY(iggy_rd_check_count(r, count, IGGY_TOPIC_HEADER_MIN_SIZE));
    arr = IGGY_ARENA_ARRAY(a, iggy_topic_t, count);
    for (uint32_t i = 0; i < count; i++)
        IGGY_TRY(iggy_dec_topic_header(r, a, IGGY_ARENA_SLOT(arr, i, &scratch)));
    l->count = count;
    l->topics = arr;
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_topic = {"Topic", sizeof(iggy_topic_t), dec_topic};
const iggy_resp_ops_t iggy_resp_topic_list = {"Topics", sizeof(iggy_topic_list_t), dec_topic_list};
