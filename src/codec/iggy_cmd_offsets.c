/* Consumer offsets (admin.md §7): request encoders and the offset decoder. The consumer
 * comes first; store and delete end with a mandatory ack byte. */
#include "codec/iggy_codec.h"
#include "codec/iggy_resp.h"
#include "iggy_error_internal.h"

/* ---------------------------------------------------------------- encoders */

/* [Consumer][stream_id][topic_id][flag u8][partition u32]: the prefix of all three. */
static void enc_offset_target(iggy_writer_t *w, const iggy_consumer_ref_t *consumer,
                              const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                              const uint32_t *partition_id)
{
    iggy_enc_consumer(w, consumer);
    iggy_enc_identifier(w, stream);
    iggy_enc_identifier(w, topic);
    iggy_enc_optional_partition(w, partition_id);
}

/* The server fails to decode ack levels above 1, so refuse them here. */
static void enc_ack(iggy_writer_t *w, uint8_t ack)
{
    if (ack != IGGY_ACK_NONE && ack != IGGY_ACK_QUORUM) {
        iggy_wr_failf(w, IGGY_ERR__INVALID_ARG, "ack level %u must be 0 (none) or 1 (quorum)", ack);
        return;
    }
    iggy_wr_u8(w, ack);
}

void iggy_enc_get_consumer_offset(iggy_writer_t *w, const iggy_consumer_ref_t *consumer,
                                  const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                                  const uint32_t *partition_id)
{
    enc_offset_target(w, consumer, stream, topic, partition_id);
}

void iggy_enc_store_consumer_offset(iggy_writer_t *w, const iggy_consumer_ref_t *consumer,
                                    const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                                    const uint32_t *partition_id, uint64_t offset, uint8_t ack)
{
    enc_offset_target(w, consumer, stream, topic, partition_id);
    iggy_wr_u64(w, offset);
    enc_ack(w, ack);
}

void iggy_enc_delete_consumer_offset(iggy_writer_t *w, const iggy_consumer_ref_t *consumer,
                                     const iggy_identifier_t *stream,
                                     const iggy_identifier_t *topic, const uint32_t *partition_id,
                                     uint8_t ack)
{
    enc_offset_target(w, consumer, stream, topic, partition_id);
    enc_ack(w, ack);
}

/* ---------------------------------------------------------------- decoders */

/* GetConsumerOffset: exactly 20 bytes. */
static iggy_err_t dec_consumer_offset(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_consumer_offset_t *o = out;
    (void)a;
    IGGY_TRY(iggy_rd_u32(r, &o->partition_id));   /* 0  u32 partition_id */
    IGGY_TRY(iggy_rd_u64(r, &o->current_offset)); /* 4  u64 current_offset */
    IGGY_TRY(iggy_rd_u64(r, &o->stored_offset));  /* 12 u64 stored_offset */
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_consumer_offset = {"ConsumerOffset", sizeof(iggy_consumer_offset_t),
                                                   dec_consumer_offset};
