/* Streams (admin.md §3): request encoders and the StreamResponse decoders. */
#include <stdalign.h>

#include "codec/iggy_codec.h"
#include "codec/iggy_cmd_topics.h"
#include "codec/iggy_resp.h"
#include "iggy_error_internal.h"

/* ---------------------------------------------------------------- encoders */

void iggy_enc_get_stream(iggy_writer_t *w, const iggy_identifier_t *stream)
{
    iggy_enc_identifier(w, stream);
}

void iggy_enc_stream_ref(iggy_writer_t *w, const iggy_identifier_t *stream)
{
    iggy_enc_identifier(w, stream);
}

/* Options are passed through: the server, not the client, owns the (today empty) catalog
 * of stream keys and answers 4041 for any key. */
void iggy_enc_create_stream(iggy_writer_t *w, const char *name, const iggy_kv_t *options,
                            size_t options_count)
{
    iggy_enc_name(w, name, "stream name");
    iggy_enc_kv_block(w, options, options_count); /* unprefixed, runs to the end */
}

void iggy_enc_update_stream(iggy_writer_t *w, const iggy_identifier_t *stream, const char *name,
                            const iggy_kv_t *options, size_t options_count)
{
    iggy_enc_identifier(w, stream);
    iggy_enc_name(w, name, "stream name");
    iggy_enc_kv_block(w, options, options_count); /* unprefixed, runs to the end */
}

/* ---------------------------------------------------------------- decoders */

/* One StreamResponse without topics; offsets are relative to the record. */
static iggy_err_t dec_stream_response(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_stream_t *s = out;
    IGGY_TRY(iggy_rd_u32(r, &s->id));                /* 0  u32 id */
    IGGY_TRY(iggy_rd_u64(r, &s->created_at));        /* 4  u64 created_at (µs) */
    IGGY_TRY(iggy_rd_u32(r, &s->topics_count));      /* 12 u32 topics_count */
    IGGY_TRY(iggy_rd_u64(r, &s->size_bytes));        /* 16 u64 size_bytes */
    IGGY_TRY(iggy_rd_u64(r, &s->messages_count));    /* 24 u64 messages_count */
    IGGY_TRY(iggy_dec_name(r, a, &s->name, 0));      /* 32 u8 name_len, 33 name */
    IGGY_TRY(iggy_dec_options32(r, a, &s->options)); /* 33+N u32 options_len + TLV */
    s->topics = NULL;
    return IGGY_OK;
}

/* GetStream and the CreateStream reply: StreamResponse + exactly topics_count
 * TopicHeaders. Topic headers are variable-length, so the count drives the walk. */
static iggy_err_t dec_stream(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_stream_t *s = out;
    iggy_topic_t *topics, scratch;

    IGGY_TRY(dec_stream_response(r, a, s));
    IGGY_TRY(iggy_rd_check_count(r, s->topics_count, IGGY_TOPIC_HEADER_MIN_SIZE));
    topics = IGGY_ARENA_ARRAY(a, iggy_topic_t, s->topics_count);
    for (uint32_t i = 0; i < s->topics_count; i++)
        IGGY_TRY(iggy_dec_topic_header(r, a, IGGY_ARENA_SLOT(topics, i, &scratch)));
    s->topics = topics;
    return iggy_rd_end(r);
}

/* GetStreams: StreamResponse* to the end, no count prefix and no topics. */
static iggy_err_t dec_stream_list(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_stream_list_t *l = out;
    void *arr;
    IGGY_TRY(iggy_dec_records(r, a, sizeof(iggy_stream_t), alignof(iggy_stream_t),
                              dec_stream_response, &l->count, &arr));
    l->streams = arr;
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_stream = {"Stream", sizeof(iggy_stream_t), dec_stream};
const iggy_resp_ops_t iggy_resp_stream_list = {"Streams", sizeof(iggy_stream_list_t),
                                               dec_stream_list};
