/* Messages: send_messages (101, operation 160), poll_messages (100), flush_unsaved_buffer
 * (102) request bodies, and the send-confirmation and polled-messages replies
 * (messages.md §3-§5). The batch record layout itself lives in iggy_batch.c. */
#include <string.h>

#include "codec/iggy_batch.h"
#include "codec/iggy_message_transform.h"
#include "codec/iggy_codec.h"
#include "codec/iggy_resp.h"
#include "iggy_error_internal.h"

/* ---------------------------------------------------------------- requests */

void iggy_enc_poll_messages(iggy_writer_t *w, const iggy_consumer_ref_t *consumer,
                            const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                            const uint32_t *partition_id, const iggy_polling_strategy_t *strategy,
                            uint32_t count, int auto_commit)
{
    iggy_enc_consumer(w, consumer);               /* [kind u8][identifier] */
    iggy_enc_identifier(w, stream);               /* stream id */
    iggy_enc_identifier(w, topic);                /* topic id */
    iggy_enc_optional_partition(w, partition_id); /* [flag u8][partition u32] */
    iggy_enc_polling_strategy(w, strategy);       /* [kind u8][value u64] */
    iggy_wr_u32(w, count);                        /* count u32 */
    iggy_wr_u8(w, auto_commit ? 1 : 0);           /* auto_commit u8 */
}

void iggy_enc_flush_unsaved_buffer(iggy_writer_t *w, const iggy_identifier_t *stream,
                                   const iggy_identifier_t *topic, uint32_t partition_id, int fsync)
{
    iggy_enc_identifier(w, stream);
    iggy_enc_identifier(w, topic);
    iggy_wr_u32(w, partition_id); /* always present, no flag */
    iggy_wr_u8(w, fsync ? 1 : 0);
}

void iggy_enc_send_messages_prefix(iggy_writer_t *w, const iggy_identifier_t *stream,
                                   const iggy_identifier_t *topic,
                                   const iggy_partitioning_t *partitioning, size_t count)
{
    size_t meta_off;
    uint8_t *p;

    /* Refuse an impossible count before the metadata writes it (the batch writer
     * re-checks it with the messages). */
    if (count == 0 || count > UINT32_MAX) {
        iggy_wr_failf(w, IGGY_ERR__INVALID_ARG,
                      "send_messages: message count %zu outside 1..4294967295", count);
        return;
    }
    meta_off = w->len;
    p = iggy_wr_grow(w, 4); /* metadata_length u32, patched below */
    if (!p)
        return;
    iggy_enc_identifier(w, stream);
    iggy_enc_identifier(w, topic);
    iggy_enc_partitioning(w, partitioning);
    iggy_wr_u32(w, (uint32_t)count); /* messages_count = batch message_count */
    if (iggy_wr_status(w) != IGGY_OK)
        return;
    /* The length excludes its own 4 bytes; patch by offset (the buffer may have moved). */
    iggy_put_le32(w->data + meta_off, (uint32_t)(w->len - meta_off - 4));
}

void iggy_enc_send_messages_raw(iggy_writer_t *w, const iggy_identifier_t *stream,
                                const iggy_identifier_t *topic,
                                const iggy_partitioning_t *partitioning,
                                const iggy_send_message_t *messages, size_t count,
                                const iggy_raw_block_t *raw_headers, uint64_t now_us)
{
    iggy_enc_send_messages_prefix(w, stream, topic, partitioning, count);
    if (iggy_wr_status(w) == IGGY_OK)
        iggy_batch_write(w, messages, count, raw_headers, now_us);
}

void iggy_enc_send_messages(iggy_writer_t *w, const iggy_identifier_t *stream,
                            const iggy_identifier_t *topic, const iggy_partitioning_t *partitioning,
                            const iggy_send_message_t *messages, size_t count, uint64_t now_us)
{
    iggy_enc_send_messages_raw(w, stream, topic, partitioning, messages, count, NULL, now_us);
}

/* ---------------------------------------------------------------- send confirmations */

#define CONFIRMATION_SIZE 20u

/* [count u32] + count x [stream_id u32][topic_id u32][partition_id u32][base_offset u64].
 * An empty body is the legacy success reply: no confirmations. */
static iggy_err_t dec_send_confirmations(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_send_confirmations_t *res = out;
    iggy_send_confirmation_t *arr, scratch;
    uint32_t count;

    if (iggy_rd_left(r) == 0)
        return IGGY_OK;
    IGGY_TRY(iggy_rd_u32(r, &count));
    IGGY_TRY(iggy_rd_check_count(r, count, CONFIRMATION_SIZE));
    arr = IGGY_ARENA_ARRAY(a, iggy_send_confirmation_t, count);
    for (uint32_t i = 0; i < count; i++) {
        iggy_send_confirmation_t *c = IGGY_ARENA_SLOT(arr, i, &scratch);
        IGGY_TRY(iggy_rd_u32(r, &c->stream_id));    /* +0  u32 */
        IGGY_TRY(iggy_rd_u32(r, &c->topic_id));     /* +4  u32 */
        IGGY_TRY(iggy_rd_u32(r, &c->partition_id)); /* +8  u32 */
        IGGY_TRY(iggy_rd_u64(r, &c->base_offset));  /* +12 u64 */
    }
    res->count = count;
    res->items = arr;
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_send_confirmations = {
    "send_messages reply", sizeof(iggy_send_confirmations_t), dec_send_confirmations};

/* ---------------------------------------------------------------- polled messages */

/* Walk every record after the 16-byte prefix. With msgs == NULL and count_only set it
 * only validates and counts; otherwise it fills slots (scratch while measuring) and sizes
 * or copies payloads and headers through the arena. Both uses read the same bytes. */
static iggy_err_t walk_records(iggy_reader_t *r, iggy_arena_t *a, iggy_message_t *msgs,
                               int count_only, size_t *count)
{
    size_t n = 0;

    while (iggy_rd_left(r)) {
        iggy_batch_record_t rec;
        iggy_reader_t frames;
        uint32_t in_record;

        IGGY_TRY(iggy_batch_read_record(r, &rec, &frames));
        IGGY_TRY(iggy_batch_count_frames(&rec, frames, &in_record));
        if (count_only) {
            const iggy_poll_decode_opts_t *o = r->opts;
            /* Opt-in integrity check, once per reply (the counting walk). */
            if (o && o->verify_checksums && iggy_arena_measuring(a))
                IGGY_TRY(iggy_batch_verify(rec.bytes, (size_t)rec.batch_length));
            n += in_record;
            continue;
        }
        for (uint32_t i = 0; i < in_record; i++, n++) {
            iggy_message_t scratch, *m = IGGY_ARENA_SLOT(msgs, n, &scratch);
            iggy_batch_frame_t f;
            IGGY_TRY(iggy_batch_read_frame(&frames, &f));
            memset(m, 0, sizeof *m);
            m->offset = rec.base_offset + f.offset_delta; /* sliced records: delta may be > 0 */
            m->timestamp = rec.base_timestamp;            /* one broker time per record */
            m->origin_timestamp = rec.origin_timestamp + f.timestamp_delta;
            m->id = f.id;
            m->checksum = f.checksum;
            /* Payload and headers, opened and decompressed when the poll asked for it. */
            IGGY_TRY(iggy_message_fill(r->opts, a, &f, m, r->ctx));
        }
    }
    *count = n;
    return IGGY_OK;
}

/* [partition_id u32][current_offset u64][messages_count u32] then batch records, each
 * 256-byte header + frames, walked by batch_length. */
static iggy_err_t dec_polled_messages(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    iggy_polled_messages_t *res = out;
    iggy_message_t *msgs;
    size_t records_off, n;

    /* Go, C# and Node read a 0-byte body as an empty poll of partition 0; the server never
     * sends one with status 0 (messages.md §4.6). */
    if (iggy_rd_left(r) == 0)
        return IGGY_OK;
    iggy_poll_transform_begin(r->opts, iggy_arena_measuring(a), iggy_rd_left(r));
    if (iggy_rd_left(r) < IGGY_POLL_PREFIX_SIZE)
        return iggy_fail(IGGY_ERR__BAD_MSG,
                         "%s: body of %zu bytes is shorter than the 16-byte "
                         "poll reply prefix",
                         r->ctx, iggy_rd_left(r));
    IGGY_TRY(iggy_rd_u32(r, &res->partition_id));   /* 0  u32 (0xFFFFFFFF: re-sync) */
    IGGY_TRY(iggy_rd_u64(r, &res->current_offset)); /* 4  u64 high-water mark */
    IGGY_TRY(iggy_rd_u32(r, &res->declared_count)); /* 12 u32 */
    /* The declared count is informational (count holds what was decoded), but one that
     * cannot fit in the body is a corrupt reply. */
    IGGY_TRY(iggy_rd_check_count(r, res->declared_count, IGGY_FRAME_HEADER_SIZE));

    /* Count first, then size the array, then fill. */
    records_off = r->off;
    IGGY_TRY(walk_records(r, a, NULL, 1, &n));
    msgs = IGGY_ARENA_ARRAY(a, iggy_message_t, n);
    r->off = records_off;
    IGGY_TRY(walk_records(r, a, msgs, 0, &n));
    res->count = n;
    res->messages = msgs;
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_polled_messages = {
    "poll_messages reply", sizeof(iggy_polled_messages_t), dec_polled_messages};
