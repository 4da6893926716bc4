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

/* Copy out a message that has no user headers and is not sealed: the common case, kept off
 * the transform path (iggy_message_fill) so a poll reply costs one walk per arena pass. */
static inline void fill_plain(iggy_arena_t *a, const iggy_batch_frame_t *f, iggy_message_t *m)
{
    m->payload = iggy_arena_bytes(a, f->payload, f->payload_len);
    m->payload_len = f->payload_len;
    m->raw_headers = NULL;
    m->raw_headers_len = 0;
    m->headers.count = 0;
    m->headers.entries = NULL;
    m->error = IGGY_OK;
}

static void fill_fields(iggy_message_t *m, const iggy_batch_record_t *rec,
                        const iggy_batch_frame_t *f)
{
    m->offset = rec->base_offset + f->offset_delta; /* sliced records: delta may be > 0 */
    m->timestamp = rec->base_timestamp;             /* one broker time per record */
    m->origin_timestamp = rec->origin_timestamp + f->timestamp_delta;
    m->id = f->id;
    m->checksum = f->checksum;
}

/* Measure pass over one record's frames: validate each frame and size what the fill pass will
 * copy (a plain message needs its lengths only). Returns the frames counted. */
static iggy_err_t measure_frames(iggy_reader_t *frames, iggy_arena_t *a,
                                 const iggy_poll_decode_opts_t *o, const iggy_batch_record_t *rec,
                                 uint32_t *count)
{
    const bool sealed = o && o->key;
    const uint8_t *p = frames->p + frames->off, *end = frames->p + frames->len;
    uint32_t n = 0;
    while (p < end) {
        size_t left = (size_t)(end - p), len;
        iggy_batch_frame_t f;
        iggy_frame_fault_t fault;
        if (!sealed && left >= IGGY_FRAME_HEADER_SIZE && iggy_le64(p + IGGY_FH_RESERVED) == 0) {
            uint32_t plen = iggy_le32(p + IGGY_FH_PAYLOAD_LENGTH);
            if (iggy_le32(p + IGGY_FH_HEADERS_LENGTH) == 0 &&
                plen <= left - IGGY_FRAME_HEADER_SIZE) {
                a->used += (size_t)plen + 1; /* what iggy_arena_bytes will take */
                p += IGGY_FRAME_HEADER_SIZE + (size_t)plen;
                n++;
                continue;
            }
        }
        fault = iggy_batch_frame_parse(p, left, &f, &len);
        if (fault != IGGY_FRAME_OK) {
            frames->off = (size_t)(p - frames->p);
            return iggy_rd_bad(frames, iggy_frame_fault_text(fault));
        }
        {
            iggy_message_t scratch;
            fill_fields(&scratch, rec, &f);
            IGGY_TRY(iggy_message_fill(o, a, &f, &scratch, frames->ctx));
        }
        p += len;
        n++;
    }
    *count = n;
    return IGGY_OK;
}

/* Fill pass over one record's frames, into msgs: the measure pass validated these very bytes. */
static iggy_err_t fill_frames(const iggy_reader_t *frames, iggy_arena_t *a,
                              const iggy_poll_decode_opts_t *o, const iggy_batch_record_t *rec,
                              iggy_message_t *msgs)
{
    const bool sealed = o && o->key;
    const uint8_t *p = frames->p + frames->off, *end = frames->p + frames->len;
    for (iggy_message_t *m = msgs; p < end; m++) {
        iggy_batch_frame_t f;
        size_t len;
        if (iggy_batch_frame_parse(p, (size_t)(end - p), &f, &len) != IGGY_FRAME_OK)
            return iggy_fail(IGGY_ERR__STATE, "%s: reply changed between passes", frames->ctx);
        fill_fields(m, rec, &f);
        if (!sealed && !f.user_headers_len)
            fill_plain(a, &f, m);
        else /* opened, decompressed and headers parsed as the poll asked */
            IGGY_TRY(iggy_message_fill(o, a, &f, m, frames->ctx));
        p += len;
    }
    return IGGY_OK;
}

/* [partition_id u32][current_offset u64][messages_count u32] then batch records, each
 * 256-byte header + frames, walked by batch_length. One walk per arena pass: the measure pass
 * validates, counts and sizes (the message array is reserved after the walk, when its length
 * is known); the fill pass places the array first (IGGY_ARENA_LEADING_SIZE keeps both totals
 * equal) and copies out. */
static iggy_err_t dec_polled_messages(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    const iggy_poll_decode_opts_t *o = r->opts;
    const bool measuring = iggy_arena_measuring(a);
    iggy_polled_messages_t *res = out;
    iggy_message_t *msgs;
    size_t n = 0;

    /* Go, C# and Node read a 0-byte body as an empty poll of partition 0; the server never
     * sends one with status 0 (messages.md §4.6). */
    if (iggy_rd_left(r) == 0)
        return IGGY_OK;
    iggy_poll_transform_begin(o, measuring, iggy_rd_left(r));
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

    msgs = iggy_arena_alloc(a, measuring ? 0 : IGGY_ARENA_LEADING_SIZE(iggy_message_t, a->note),
                            alignof(max_align_t));
    while (iggy_rd_left(r)) {
        iggy_batch_record_t rec;
        iggy_reader_t frames;
        uint32_t in_record = 0;

        IGGY_TRY(iggy_batch_read_record(r, &rec, &frames));
        IGGY_TRY(iggy_rd_check_count(&frames, rec.message_count, IGGY_FRAME_HEADER_SIZE));
        if (!measuring) {
            /* The measure pass counted these frames (rec.message_count, checked below). */
            if (n + rec.message_count > a->note)
                return iggy_fail(IGGY_ERR__STATE, "%s: reply changed between passes", r->ctx);
            /* An empty record fills nothing; msgs is NULL when the reply holds no message
             * at all (no arithmetic on it then). */
            if (rec.message_count)
                IGGY_TRY(fill_frames(&frames, a, o, &rec, msgs + n));
            n += rec.message_count;
            continue;
        }
        /* Opt-in integrity check, once per reply (the measure pass). */
        if (o && o->verify_checksums)
            IGGY_TRY(iggy_batch_verify(rec.bytes, (size_t)rec.batch_length));
        IGGY_TRY(measure_frames(&frames, a, o, &rec, &in_record));
        if (in_record != rec.message_count)
            return iggy_fail(IGGY_ERR__BAD_MSG,
                             "%s: batch record ending at offset %zu declares %u messages but "
                             "holds %u",
                             r->ctx, frames.len, rec.message_count, in_record);
        n += in_record;
    }
    if (measuring) {
        a->note = n;
        a->used += IGGY_ARENA_LEADING_SIZE(iggy_message_t, n);
    }
    res->count = n;
    res->messages = n ? msgs : NULL;
    return iggy_rd_end(r);
}

const iggy_resp_ops_t iggy_resp_polled_messages = {
    "poll_messages reply", sizeof(iggy_polled_messages_t), dec_polled_messages};
