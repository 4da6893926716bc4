#include "codec/iggy_batch.h"

#include <iggy/messages.h>

#include <string.h>

#include <openssl/rand.h>

#include "codec/iggy_hash.h" /* inline XXH3, so XXH3_state_t can live on the stack */
#include "codec/iggy_message_transform.h"
#include "codec/iggy_primitives.h"
#include "iggy_error_internal.h"

/* Batch header offsets (messages.md §3.2). */
#define BH_PARTITION_ID 0
#define BH_BASE_OFFSET 8
#define BH_BASE_TIMESTAMP 16
#define BH_ORIGIN_TIMESTAMP 24
#define BH_BATCH_LENGTH 32
#define BH_CHECKSUM 40
#define BH_MESSAGE_COUNT 48

static void invalid(iggy_writer_t *w, const char *fmt, size_t i)
{
    iggy_wr_failf(w, IGGY_ERR__INVALID_ARG, "send_messages: message %zu: %s", i, fmt);
}

/* ---------------------------------------------------------------- ids */

/* Random bytes for minted ids, fetched in chunks: OpenSSL's DRBG costs thousands of
 * instructions per call whatever its size (about 0.5 us), so one call serves up to 1024 ids,
 * a whole default batch. */
typedef struct id_source {
    uint8_t buf[16 * 1024];
    size_t pos, len;
    size_t wanted; /* ids still to mint in this batch: never fetch more than needed */
} id_source_t;

static int refill_ids(id_source_t *s)
{
    size_t n = s->wanted * 16 < sizeof s->buf ? s->wanted * 16 : sizeof s->buf;
    if (RAND_bytes(s->buf, (int)n) != 1)
        return -1;
    s->pos = 0;
    s->len = n;
    return 0;
}

static inline int mint_uuid_v4(id_source_t *s, uint8_t out[16])
{
    if (s->pos == s->len && refill_ids(s) != 0)
        return -1;
    memcpy(out, s->buf + s->pos, 16);
    s->pos += 16;
    s->wanted--;
    out[6] = (uint8_t)((out[6] & 0x0F) | 0x40); /* version 4 */
    out[8] = (uint8_t)((out[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    return 0;
}

/* ---------------------------------------------------------------- writer */

static uint64_t origin_of(const iggy_send_message_t *m, uint64_t now_us)
{
    return m->origin_timestamp ? m->origin_timestamp : now_us;
}

/* Validation pass over the caller's array (not the bytes): sizes, the batch's minimum
 * origin timestamp and the number of ids to mint. Returns 0 when w has failed. */
static int plan_batch(iggy_writer_t *w, const iggy_send_message_t *messages, size_t count,
                      const iggy_raw_block_t *raw, uint64_t now_us, uint64_t *frames_len,
                      iggy_batch_plan_t *plan)
{
    uint64_t lo = UINT64_MAX, hi = 0, total = 0;
    size_t zeros = 0;

    if (count == 0 || count > UINT32_MAX) {
        iggy_wr_failf(w, IGGY_ERR__INVALID_ARG,
                      "send_messages: message count %zu outside 1..4294967295", count);
        return 0;
    }
    if (!messages) {
        iggy_wr_failf(w, IGGY_ERR__INVALID_ARG, "send_messages: messages is NULL");
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        const iggy_send_message_t *m = &messages[i];
        uint64_t ts = origin_of(m, now_us), hlen;
        if (m->payload_len && !m->payload) {
            invalid(w, "payload is NULL with a non-zero payload_len", i);
            return 0;
        }
        if (m->headers_count && !m->headers) {
            invalid(w, "headers is NULL with a non-zero headers_count", i);
            return 0;
        }
        if (raw) {
            if (m->headers_count) {
                invalid(w, "has both typed headers and a raw headers block", i);
                return 0;
            }
            if (raw[i].len && !raw[i].data) {
                invalid(w, "raw headers block is NULL with a non-zero length", i);
                return 0;
            }
            hlen = raw[i].len;
        } else if (!m->headers_count) {
            hlen = 0;
        } else {
            size_t bad;
            if (!iggy_kv_block_valid(m->headers, m->headers_count, &bad)) {
                iggy_wr_failf(w, IGGY_ERR__INVALID_ARG,
                              "send_messages: message %zu: key/value entry %zu: kinds must be "
                              "non-zero and key and value 1..255 bytes",
                              i, bad);
                return 0;
            }
            hlen = iggy_kv_block_size(m->headers, m->headers_count);
            if (hlen > UINT32_MAX) {
                invalid(w, "user headers block larger than u32::MAX bytes", i);
                return 0;
            }
        }
        lo = ts < lo ? ts : lo;
        hi = ts > hi ? ts : hi;
        total += IGGY_FRAME_HEADER_SIZE + (uint64_t)m->payload_len + hlen;
        if (m->id.lo == 0 && m->id.hi == 0)
            zeros++;
    }
    /* timestamp_delta is a u32 of µs from the batch minimum (Rust error 4038). */
    if (hi - lo > UINT32_MAX) {
        iggy_wr_failf(w, IGGY_ERR__INVALID_ARG,
                      "send_messages: origin timestamps span %llu us, more than the "
                      "u32::MAX us a batch's timestamp_delta can hold",
                      (unsigned long long)(hi - lo));
        return 0;
    }
    if (total > UINT32_MAX - IGGY_BATCH_HEADER_SIZE) {
        iggy_wr_failf(w, IGGY_ERR__MSG_TOO_LARGE,
                      "send_messages: batch of %llu bytes exceeds u32::MAX",
                      (unsigned long long)total + IGGY_BATCH_HEADER_SIZE);
        return 0;
    }
    *frames_len = total;
    plan->origin_min = lo;
    plan->origin_max = hi;
    plan->zero_ids = zeros;
    return 1;
}

/* The frame at f: its whole length (header, payload, headers). */
static inline size_t frame_len(const uint8_t *f)
{
    return IGGY_FRAME_HEADER_SIZE + (size_t)iggy_le32(f + IGGY_FH_PAYLOAD_LENGTH) +
           iggy_le32(f + IGGY_FH_HEADERS_LENGTH);
}

size_t iggy_batch_frame_view(const uint8_t *f, iggy_send_message_t *m, iggy_raw_block_t *headers)
{
    memset(m, 0, sizeof *m);
    m->id.lo = iggy_le64(f + IGGY_FH_ID);
    m->id.hi = iggy_le64(f + IGGY_FH_ID + 8);
    m->origin_timestamp = iggy_le64(f + IGGY_FH_RESERVED);
    m->payload_len = iggy_le32(f + IGGY_FH_PAYLOAD_LENGTH);
    m->payload = f + IGGY_FRAME_HEADER_SIZE;
    headers->len = iggy_le32(f + IGGY_FH_HEADERS_LENGTH);
    headers->data = f + IGGY_FRAME_HEADER_SIZE + m->payload_len;
    return frame_len(f);
}

static inline bool zero_id(const uint8_t *f)
{
    return iggy_le64(f + IGGY_FH_ID) == 0 && iggy_le64(f + IGGY_FH_ID + 8) == 0;
}

iggy_err_t iggy_batch_frames_mint_ids(uint8_t *frames, size_t len, bool v7, uint64_t now_us)
{
    id_source_t ids;
    size_t zeros = 0;
    for (size_t off = 0; off < len; off += frame_len(frames + off))
        zeros += zero_id(frames + off);
    ids.pos = ids.len = 0;
    ids.wanted = zeros;
    for (size_t off = 0; zeros && off < len; off += frame_len(frames + off)) {
        uint8_t *f = frames + off;
        if (!zero_id(f))
            continue;
        if (v7) {
            iggy_u128_t id;
            IGGY_TRY(iggy_uuid_v7(now_us, &id));
            iggy_put_le64(f + IGGY_FH_ID, id.lo);
            iggy_put_le64(f + IGGY_FH_ID + 8, id.hi);
        } else if (mint_uuid_v4(&ids, f + IGGY_FH_ID) != 0) {
            return iggy_fail(IGGY_ERR__STATE, "send_messages: RAND_bytes failed minting an id");
        }
    }
    return IGGY_OK;
}

/* Sealing, one frame at a time, so the writer can seal each frame as it lays it out (hot in
 * cache, one pass) and a producer can seal frames it laid out earlier. */
typedef struct sealer {
    XXH3_state_t st;
    uint8_t pending[8 * 64]; /* frame checksums fed to the batch hash 64 at a time */
    size_t npending;
    uint64_t origin_min;
    id_source_t ids;
} sealer_t;

static iggy_err_t seal_begin(sealer_t *z, size_t len, uint32_t count, const iggy_batch_plan_t *plan,
                             uint8_t header[IGGY_BATCH_HEADER_SIZE])
{
    /* timestamp_delta is a u32 of µs from the batch minimum (Rust error 4038). */
    if (plan->origin_max - plan->origin_min > UINT32_MAX)
        return iggy_fail(IGGY_ERR__INVALID_ARG,
                         "send_messages: origin timestamps span %llu us, more than the u32::MAX "
                         "us a batch's timestamp_delta can hold",
                         (unsigned long long)(plan->origin_max - plan->origin_min));
    if (len > UINT32_MAX - IGGY_BATCH_HEADER_SIZE)
        return iggy_fail(IGGY_ERR__MSG_TOO_LARGE,
                         "send_messages: batch of %zu bytes exceeds "
                         "u32::MAX",
                         len + IGGY_BATCH_HEADER_SIZE);
    z->npending = 0;
    z->origin_min = plan->origin_min;
    z->ids.pos = z->ids.len = 0;
    z->ids.wanted = plan->zero_ids;
    /* Batch header: producer zeros for partition_id, base_offset and base_timestamp. */
    memset(header, 0, IGGY_BATCH_HEADER_SIZE);
    iggy_put_le64(header + BH_ORIGIN_TIMESTAMP, plan->origin_min);
    iggy_put_le64(header + BH_BATCH_LENGTH, IGGY_BATCH_HEADER_SIZE + len);
    iggy_put_le32(header + BH_MESSAGE_COUNT, count);
    /* Batch checksum = XXH3(meta44 ‖ frame checksums): meta44 is complete already, so
     * stream it first and feed the frame checksums as they are produced. */
    XXH3_INITSTATE(&z->st);
    XXH3_64bits_reset(&z->st);
    XXH3_64bits_update(&z->st, header, BH_CHECKSUM);
    XXH3_64bits_update(&z->st, header + BH_MESSAGE_COUNT, 4);
    return IGGY_OK;
}

/* Seal the laid-out frame f of flen bytes: its id if {0,0}, its delta, its checksum. */
static inline iggy_err_t seal_frame(sealer_t *z, uint8_t *f, size_t flen)
{
    uint64_t cs;
    if (z->ids.wanted && zero_id(f) && mint_uuid_v4(&z->ids, f + IGGY_FH_ID) != 0)
        return iggy_fail(IGGY_ERR__STATE, "send_messages: RAND_bytes failed minting an id");
    iggy_put_le32(f + IGGY_FH_TIMESTAMP_DELTA,
                  (uint32_t)(iggy_le64(f + IGGY_FH_RESERVED) - z->origin_min));
    iggy_put_le64(f + IGGY_FH_RESERVED, 0);
    cs = iggy_hash64(f + IGGY_FH_ID, flen - IGGY_FH_ID);
    iggy_put_le64(f + IGGY_FH_CHECKSUM, cs);
    iggy_put_le64(z->pending + 8 * z->npending++, cs);
    if (z->npending == sizeof z->pending / 8) {
        XXH3_64bits_update(&z->st, z->pending, sizeof z->pending);
        z->npending = 0;
    }
    return IGGY_OK;
}

static void seal_end(sealer_t *z, uint8_t header[IGGY_BATCH_HEADER_SIZE])
{
    XXH3_64bits_update(&z->st, z->pending, 8 * z->npending);
    iggy_put_le64(header + BH_CHECKSUM, XXH3_64bits_digest(&z->st));
}

iggy_err_t iggy_batch_seal_planned(uint8_t *frames, size_t len, uint32_t count,
                                   const iggy_batch_plan_t *plan,
                                   uint8_t header[IGGY_BATCH_HEADER_SIZE])
{
    sealer_t z;
    IGGY_TRY(seal_begin(&z, len, count, plan, header));
    for (size_t off = 0; off < len;) {
        size_t flen = frame_len(frames + off);
        IGGY_TRY(seal_frame(&z, frames + off, flen));
        off += flen;
    }
    seal_end(&z, header);
    return IGGY_OK;
}

void iggy_batch_write(iggy_writer_t *w, const iggy_send_message_t *messages, size_t count,
                      const iggy_raw_block_t *raw_headers, uint64_t now_us)
{
    uint64_t frames_len;
    iggy_batch_plan_t plan;
    size_t hdr_off, off;
    uint8_t *frames;
    sealer_t z;
    iggy_err_t err;

    if (iggy_wr_status(w) != IGGY_OK)
        return;
    if (!plan_batch(w, messages, count, raw_headers, now_us, &frames_len, &plan))
        return;
    /* Reserve the whole record now: the frame limit fails before any byte is written. */
    hdr_off = w->len;
    if (!iggy_wr_grow(w, IGGY_BATCH_HEADER_SIZE + (size_t)frames_len))
        return;
    frames = w->data + hdr_off + IGGY_BATCH_HEADER_SIZE;
    err = seal_begin(&z, (size_t)frames_len, (uint32_t)count, &plan, w->data + hdr_off);
    off = 0;
    for (size_t i = 0; err == IGGY_OK && i < count; i++) {
        const iggy_send_message_t *m = &messages[i];
        const iggy_raw_block_t *raw = raw_headers ? &raw_headers[i] : NULL;
        uint32_t hlen = raw ? raw->len
                        : m->headers_count
                            ? (uint32_t)iggy_kv_block_size(m->headers, m->headers_count)
                            : 0;
        size_t flen = IGGY_FRAME_HEADER_SIZE + (size_t)m->payload_len + hlen;
        /* Laid out and sealed at once, while the frame is in cache. */
        iggy_batch_frame_put(frames + off, m, (uint32_t)i, origin_of(m, now_us), raw, hlen);
        err = seal_frame(&z, frames + off, flen);
        off += flen;
    }
    if (err == IGGY_OK)
        seal_end(&z, w->data + hdr_off);
    else
        iggy_wr_fail(w, err);
}

/* ---------------------------------------------------------------- walker */

iggy_err_t iggy_batch_read_record(iggy_reader_t *r, iggy_batch_record_t *rec, iggy_reader_t *frames)
{
    size_t start = r->off, body;
    const uint8_t *h;

    if (iggy_rd_left(r) < IGGY_BATCH_HEADER_SIZE)
        return iggy_rd_bad(r, "batch record shorter than its 256-byte header");
    h = r->p + start;
    rec->partition_id = iggy_le64(h + BH_PARTITION_ID);         /* 0  u64 */
    rec->base_offset = iggy_le64(h + BH_BASE_OFFSET);           /* 8  u64 */
    rec->base_timestamp = iggy_le64(h + BH_BASE_TIMESTAMP);     /* 16 u64 */
    rec->origin_timestamp = iggy_le64(h + BH_ORIGIN_TIMESTAMP); /* 24 u64 */
    rec->batch_length = iggy_le64(h + BH_BATCH_LENGTH);         /* 32 u64 */
    rec->checksum = iggy_le64(h + BH_CHECKSUM);                 /* 40 u64 */
    rec->message_count = iggy_le32(h + BH_MESSAGE_COUNT);       /* 48 u32, 52..256 reserved */
    rec->bytes = h;
    if (rec->batch_length < IGGY_BATCH_HEADER_SIZE)
        return iggy_rd_bad(r, "batch_length below 256");
    if (rec->batch_length > iggy_rd_left(r))
        return iggy_rd_bad(r, "batch_length past the end of the body");
    body = (size_t)rec->batch_length - IGGY_BATCH_HEADER_SIZE;
    frames->p = r->p;
    frames->off = start + IGGY_BATCH_HEADER_SIZE;
    frames->len = frames->off + body;
    frames->ctx = r->ctx;
    r->off = frames->len;
    return IGGY_OK;
}

const char *iggy_frame_fault_text(iggy_frame_fault_t fault)
{
    switch (fault) {
    case IGGY_FRAME_CUT:
        return "message frame header cut by the end of its batch record";
    case IGGY_FRAME_RESERVED:
        return "message frame reserved bytes are not zero";
    case IGGY_FRAME_OVERRUN:
        return "message payload and user headers overrun the batch record";
    default:
        return "message frame is fine";
    }
}

iggy_err_t iggy_batch_read_frame(iggy_reader_t *frames, iggy_batch_frame_t *f)
{
    size_t len;
    iggy_frame_fault_t fault =
        iggy_batch_frame_parse(frames->p + frames->off, iggy_rd_left(frames), f, &len);
    if (fault != IGGY_FRAME_OK)
        return iggy_rd_bad(frames, iggy_frame_fault_text(fault));
    frames->off += len;
    return IGGY_OK;
}

iggy_err_t iggy_batch_count_frames(const iggy_batch_record_t *rec, iggy_reader_t frames,
                                   uint32_t *count)
{
    uint32_t n = 0;
    iggy_batch_frame_t f;

    IGGY_TRY(iggy_rd_check_count(&frames, rec->message_count, IGGY_FRAME_HEADER_SIZE));
    while (iggy_rd_left(&frames)) {
        IGGY_TRY(iggy_batch_read_frame(&frames, &f));
        n++;
    }
    if (n != rec->message_count)
        return iggy_fail(IGGY_ERR__BAD_MSG,
                         "%s: batch record ending at offset %zu declares %u messages but holds %u",
                         frames.ctx, frames.off, rec->message_count, n);
    *count = n;
    return IGGY_OK;
}

/* ---------------------------------------------------------------- verification */

static iggy_err_t verify_record(const iggy_batch_record_t *rec, iggy_reader_t frames)
{
    XXH3_state_t st;
    iggy_batch_frame_t f;
    uint32_t n;
    uint64_t sum;

    IGGY_TRY(iggy_batch_count_frames(rec, frames, &n));
    XXH3_INITSTATE(&st);
    XXH3_64bits_reset(&st);
    XXH3_64bits_update(&st, rec->bytes, BH_CHECKSUM);
    XXH3_64bits_update(&st, rec->bytes + BH_MESSAGE_COUNT, 4);
    while (iggy_rd_left(&frames)) {
        size_t start = frames.off;
        const uint8_t *fp = frames.p + start;
        IGGY_TRY(iggy_batch_read_frame(&frames, &f));
        sum = iggy_hash64(fp + IGGY_FH_ID, frames.off - start - IGGY_FH_ID);
        if (sum != f.checksum)
            return iggy_fail(IGGY_ERR__BAD_MSG,
                             "%s: message frame checksum mismatch at offset %zu (stored "
                             "0x%016llx, computed 0x%016llx)",
                             frames.ctx, start, (unsigned long long)f.checksum,
                             (unsigned long long)sum);
        XXH3_64bits_update(&st, fp + IGGY_FH_CHECKSUM, 8);
    }
    sum = XXH3_64bits_digest(&st);
    if (sum != rec->checksum)
        return iggy_fail(IGGY_ERR__BAD_MSG,
                         "%s: batch checksum mismatch (stored 0x%016llx, computed 0x%016llx)",
                         frames.ctx, (unsigned long long)rec->checksum, (unsigned long long)sum);
    return IGGY_OK;
}

iggy_err_t iggy_batch_verify(const uint8_t *record, size_t len)
{
    iggy_reader_t r, frames;
    iggy_batch_record_t rec;

    iggy_rd_init(&r, record, len, "batch record");
    IGGY_TRY(iggy_batch_read_record(&r, &rec, &frames));
    IGGY_TRY(iggy_rd_end(&r));
    return verify_record(&rec, frames);
}

iggy_err_t iggy_poll_body_verify(const uint8_t *body, size_t len)
{
    iggy_reader_t r, frames;
    iggy_batch_record_t rec;

    if (len == 0)
        return IGGY_OK;
    iggy_rd_init(&r, body, len, "poll reply");
    IGGY_TRY(iggy_rd_skip(&r, IGGY_POLL_PREFIX_SIZE));
    while (iggy_rd_left(&r)) {
        IGGY_TRY(iggy_batch_read_record(&r, &rec, &frames));
        IGGY_TRY(verify_record(&rec, frames));
    }
    return IGGY_OK;
}

/* ---------------------------------------------------------------- user headers, keys */

int iggy_user_headers_valid(const uint8_t *p, size_t len)
{
    size_t off = 0, tlvs = 0;

    if (len == 0 || !p)
        return 0;
    while (off < len) {
        uint32_t n;
        if (len - off < 5)
            return 0;
        n = iggy_le32(p + off + 1);
        if (p[off] == 0 || n == 0 || n > IGGY_MAX_NAME_LEN)
            return 0;
        off += 5;
        if (n > len - off)
            return 0;
        off += n;
        tlvs++;
    }
    return tlvs % 2 == 0; /* key, value, key, value, ... */
}

uint32_t iggy_partition_for_key(const uint8_t *key, size_t len, uint32_t partitions_count)
{
    if (partitions_count == 0)
        return 0;
    return XXH32(key, len, 0) % partitions_count;
}
