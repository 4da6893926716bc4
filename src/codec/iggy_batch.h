/* Batch records (messages.md §3.2-§3.4, §4.3-§4.5): the 256-byte batch header plus
 * frames of [48-byte message header][payload][user headers] that send_messages carries
 * and poll replies return as stored. This file owns the layout: the producer-side batch
 * writer (checksums included), the record/frame walker used by the poll decoder, the
 * opt-in checksum verifier and the client-side key partitioner.
 *
 * Message ids minted by the writer (caller id {0,0}) are UUID v4 from OpenSSL's
 * RAND_bytes with the version (byte 6 = 0x4_) and variant (byte 8 = 0b10xx_xxxx) bits set.
 * The 16 UUID bytes are stored in canonical order as the u128's little-endian wire bytes
 * (the Go SDK's choice, messages.md §8): the id's LE bytes read as a UUID string give the
 * UUID. Rust (u128 of the UUID, LE), Java and Node differ; ids are opaque to the server. */
#ifndef IGGY_BATCH_H
#define IGGY_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <iggy/types.h>

#include "codec/iggy_primitives.h"
#include "codec/iggy_reader.h"
#include "codec/iggy_writer.h"

#define IGGY_BATCH_HEADER_SIZE 256u /* partition..message_count + 204 reserved bytes */
#define IGGY_BATCH_META_SIZE 44u    /* hashed header fields: bytes 0..40 and 48..52 */
#define IGGY_FRAME_HEADER_SIZE 48u  /* checksum, id, deltas, lengths, reserved */
#define IGGY_POLL_PREFIX_SIZE 16u   /* [partition_id u32][current_offset u64][count u32] */

/* A pre-encoded (or opaque) user-headers block, written verbatim into a frame. */
typedef struct iggy_raw_block {
    const uint8_t *data;
    uint32_t len;
} iggy_raw_block_t;

/* Append one batch record for messages[0..count) to w: header, frames, every checksum.
 * Ids {0,0} are minted (UUID v4, see above) and origin_timestamp 0 becomes now_us; the
 * caller's array is never written. raw_headers, when non-NULL, gives each message's
 * user-headers block verbatim (e.g. forwarding a polled message's raw_headers, or the
 * opaque bytes of the cross-SDK golden vector); a message may then have no typed headers.
 * Errors are left in w: IGGY_ERR__INVALID_ARG for bad input (count 0 or above u32, NULL
 * payload with a length, timestamps more than u32::MAX µs apart, bad headers),
 * IGGY_ERR__MSG_TOO_LARGE past w->limit or u32::MAX bytes. The whole record is reserved
 * up front, so the buffer grows at most once and every byte is written once. */
void iggy_batch_write(iggy_writer_t *w, const iggy_send_message_t *messages, size_t count,
                      const iggy_raw_block_t *raw_headers, uint64_t now_us);

/* The batch layout in pieces, for a producer that lays frames out as messages arrive and
 * sends them without another copy (iggy_batch_write is built from the same pieces):
 *
 * Lay out message m as frame index at dst (48 + payload_len + hlen bytes): the caller's id
 * ({0,0}: minted at the seal), offset_delta = index, the lengths, the payload and the user
 * headers (raw verbatim, else the typed headers as TLV: validated by the caller, hlen from
 * iggy_kv_block_size). The checksum and timestamp_delta wait for the seal; origin_us is kept
 * in the reserved bytes until then. */
static inline void iggy_batch_frame_put(uint8_t *dst, const iggy_send_message_t *m, uint32_t index,
                                        uint64_t origin_us, const iggy_raw_block_t *raw,
                                        uint32_t hlen);
/* A laid-out (not yet sealed) frame at f as a message: id, origin timestamp, payload
 * (pointing into the frame), no typed headers; *headers gets its user-headers block. Returns
 * the frame's length. */
size_t iggy_batch_frame_view(const uint8_t *f, iggy_send_message_t *m, iggy_raw_block_t *headers);
/* Mint every {0,0} id among the laid-out frames[0..len) in place: UUID v7 at now_us, else v4
 * (see above). Done before a first send, so resends carry the same ids. */
iggy_err_t iggy_batch_frames_mint_ids(uint8_t *frames, size_t len, bool v7, uint64_t now_us);
/* What a seal needs to know about the laid-out frames: their smallest and largest origin
 * timestamps and how many ids are {0,0} (kept by whoever lays the frames out). */
typedef struct iggy_batch_plan {
    uint64_t origin_min, origin_max;
    size_t zero_ids;
} iggy_batch_plan_t;
/* Seal count laid-out frames in place (ids still {0,0} are minted, timestamp deltas from the
 * smallest origin, every checksum) and write the 256-byte batch header to header. A sealed
 * batch can be sent again as it is. IGGY_ERR__INVALID_ARG when the origins span more than
 * u32::MAX µs. */
iggy_err_t iggy_batch_seal_planned(uint8_t *frames, size_t len, uint32_t count,
                                   const iggy_batch_plan_t *plan,
                                   uint8_t header[IGGY_BATCH_HEADER_SIZE]);

/* send_messages up to its batch record: metadata length, stream, topic, partitioning and
 * messages_count (the record follows: header and frames). Defined in iggy_cmd_messages.c. */
void iggy_enc_send_messages_prefix(iggy_writer_t *w, const iggy_identifier_t *stream,
                                   const iggy_identifier_t *topic,
                                   const iggy_partitioning_t *partitioning, size_t count);

/* send_messages body with per-message raw user-headers blocks (raw_headers may be NULL:
 * that is iggy_enc_send_messages). Defined in iggy_cmd_messages.c. */
void iggy_enc_send_messages_raw(iggy_writer_t *w, const iggy_identifier_t *stream,
                                const iggy_identifier_t *topic,
                                const iggy_partitioning_t *partitioning,
                                const iggy_send_message_t *messages, size_t count,
                                const iggy_raw_block_t *raw_headers, uint64_t now_us);

/* ---- walking received records */

/* Frame header offsets inside a frame (messages.md §3.3). */
#define IGGY_FH_CHECKSUM 0
#define IGGY_FH_ID 8
#define IGGY_FH_OFFSET_DELTA 24
#define IGGY_FH_TIMESTAMP_DELTA 28
#define IGGY_FH_HEADERS_LENGTH 32
#define IGGY_FH_PAYLOAD_LENGTH 36
#define IGGY_FH_RESERVED 40

/* A batch header as received (fields stamped by the server included). */
typedef struct iggy_batch_record {
    uint64_t partition_id;
    uint64_t base_offset;
    uint64_t base_timestamp;   /* broker append time, shared by every message */
    uint64_t origin_timestamp; /* frames add their timestamp_delta */
    uint64_t batch_length;     /* whole record, header included */
    uint64_t checksum;
    uint32_t message_count;
    const uint8_t *bytes; /* the whole record (batch_length bytes), borrowed */
} iggy_batch_record_t;

/* One frame, borrowed from the record. */
typedef struct iggy_batch_frame {
    uint64_t checksum;
    iggy_u128_t id;
    uint32_t offset_delta;
    uint32_t timestamp_delta;
    const uint8_t *payload;
    uint32_t payload_len;
    const uint8_t *user_headers; /* payload_len bytes after the payload */
    uint32_t user_headers_len;
} iggy_batch_frame_t;

/* Why a frame does not parse (iggy_batch_frame_parse). */
typedef enum iggy_frame_fault {
    IGGY_FRAME_OK = 0,
    IGGY_FRAME_CUT,      /* header cut by the end of its record */
    IGGY_FRAME_RESERVED, /* reserved bytes not zero */
    IGGY_FRAME_OVERRUN,  /* payload and user headers overrun the record */
} iggy_frame_fault_t;

/* Parse the frame at p, with left bytes up to the end of its record, into f; its length
 * (header, payload, headers) goes to *len. Inline: the poll decoder runs it per message. */
static inline iggy_frame_fault_t iggy_batch_frame_parse(const uint8_t *p, size_t left,
                                                        iggy_batch_frame_t *f, size_t *len)
{
    if (left < IGGY_FRAME_HEADER_SIZE)
        return IGGY_FRAME_CUT;
    if (iggy_le64(p + IGGY_FH_RESERVED) != 0)
        return IGGY_FRAME_RESERVED;
    f->checksum = iggy_le64(p + IGGY_FH_CHECKSUM);
    f->id.lo = iggy_le64(p + IGGY_FH_ID); /* u128 LE */
    f->id.hi = iggy_le64(p + IGGY_FH_ID + 8);
    f->offset_delta = iggy_le32(p + IGGY_FH_OFFSET_DELTA);
    f->timestamp_delta = iggy_le32(p + IGGY_FH_TIMESTAMP_DELTA);
    f->user_headers_len = iggy_le32(p + IGGY_FH_HEADERS_LENGTH);
    f->payload_len = iggy_le32(p + IGGY_FH_PAYLOAD_LENGTH);
    if ((uint64_t)f->payload_len + f->user_headers_len > left - IGGY_FRAME_HEADER_SIZE)
        return IGGY_FRAME_OVERRUN;
    f->payload = p + IGGY_FRAME_HEADER_SIZE; /* payload, then user headers */
    f->user_headers = f->payload + f->payload_len;
    *len = IGGY_FRAME_HEADER_SIZE + (size_t)f->payload_len + f->user_headers_len;
    return IGGY_FRAME_OK;
}

/* The detail of a frame fault. */
const char *iggy_frame_fault_text(iggy_frame_fault_t fault);

/* Read the record at r's position: a full 256-byte header and 256 <= batch_length <=
 * what is left. *frames becomes a reader over the record's frames (offsets stay relative
 * to r's range, for error details) and r moves past the record. */
iggy_err_t iggy_batch_read_record(iggy_reader_t *r, iggy_batch_record_t *rec,
                                  iggy_reader_t *frames);

/* Read the next frame: a full 48-byte header, reserved u64 = 0, payload and user headers
 * inside the record. */
iggy_err_t iggy_batch_read_frame(iggy_reader_t *frames, iggy_batch_frame_t *f);

/* Walk a record's frames to the end; they must tile it exactly and number exactly
 * rec->message_count (a hostile message_count is rejected before walking). */
iggy_err_t iggy_batch_count_frames(const iggy_batch_record_t *rec, iggy_reader_t frames,
                                   uint32_t *count);

/* Opt-in checksum check of one received record (messages.md §4.5): every frame checksum
 * and the batch checksum, with the header fields as received. IGGY_ERR__BAD_MSG with a
 * detail on a layout error or a mismatch. */
iggy_err_t iggy_batch_verify(const uint8_t *record, size_t len);

/* The same over every record of a poll reply body (16-byte prefix, then records). */
iggy_err_t iggy_poll_body_verify(const uint8_t *body, size_t len);

/* 1 when p[0..len) is a well-formed user-headers TLV block (messages.md §6: kinds non-zero,
 * lengths 1..255, key/value pairs, no trailing bytes); 0 otherwise, and for len 0. Never
 * fails: a non-TLV block is legal on the wire and kept raw. */
int iggy_user_headers_valid(const uint8_t *p, size_t len);

/* iggy_partition_for_key() is public: include/iggy/messages.h. */

/* Inline: the producer lays out every message through it (one call per message otherwise). */
static inline void iggy_batch_frame_put(uint8_t *dst, const iggy_send_message_t *m, uint32_t index,
                                        uint64_t origin_us, const iggy_raw_block_t *raw,
                                        uint32_t hlen)
{
    uint8_t *p = dst + IGGY_FRAME_HEADER_SIZE;
    /* Every header byte is stored (no memset): checksum and delta are placeholders. */
    iggy_put_le64(dst + IGGY_FH_CHECKSUM, 0);
    iggy_put_le64(dst + IGGY_FH_ID, m->id.lo);
    iggy_put_le64(dst + IGGY_FH_ID + 8, m->id.hi);
    iggy_put_le32(dst + IGGY_FH_OFFSET_DELTA, index);
    iggy_put_le32(dst + IGGY_FH_TIMESTAMP_DELTA, 0);
    iggy_put_le32(dst + IGGY_FH_HEADERS_LENGTH, hlen);
    iggy_put_le32(dst + IGGY_FH_PAYLOAD_LENGTH, m->payload_len);
    iggy_put_le64(dst + IGGY_FH_RESERVED, origin_us); /* until the seal turns it into a delta */
    if (m->payload_len)                               /* payload first, then headers */
        memcpy(p, m->payload, m->payload_len);
    p += m->payload_len;
    if (raw) {
        if (hlen)
            memcpy(p, raw->data, hlen);
    } else if (m->headers_count) {
        iggy_kv_block_put(p, m->headers, m->headers_count);
    }
}

#endif
