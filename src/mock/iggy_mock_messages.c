/* send_messages, poll_messages and flush_unsaved_buffer (messages.md §3-§5). Batches are
 * stored as the stamped records a poll serves back, sliced when a range starts or ends
 * inside one. */
#include <string.h>

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "codec/iggy_batch.h"

#include <iggy/messages.h>
#include "iggy_alloc.h"
#include "mock/iggy_mock_state_internal.h"

/* Batch header offsets (messages.md §3.2). */
#define BH_PARTITION_ID 0
#define BH_BASE_OFFSET 8
#define BH_BASE_TIMESTAMP 16
#define BH_BATCH_LENGTH 32
#define BH_CHECKSUM 40
#define BH_MESSAGE_COUNT 48
#define BH_RESERVED 52

/* Batch checksum = XXH3(header bytes 0..40 ‖ 48..52 ‖ frame checksums) over a record whose
 * frames are already known to tile it (§3.4). */
static uint64_t record_checksum(const uint8_t *rec, size_t len)
{
    XXH3_state_t st;
    size_t off = IGGY_BATCH_HEADER_SIZE;
    XXH3_INITSTATE(&st);
    XXH3_64bits_reset(&st);
    XXH3_64bits_update(&st, rec, BH_CHECKSUM);
    XXH3_64bits_update(&st, rec + BH_MESSAGE_COUNT, 4);
    while (off + IGGY_FRAME_HEADER_SIZE <= len) {
        const uint8_t *f = rec + off;
        XXH3_64bits_update(&st, f, 8); /* the frame's stored checksum */
        off += IGGY_FRAME_HEADER_SIZE + (size_t)iggy_le32(f + 36) + iggy_le32(f + 32);
    }
    return XXH3_64bits_digest(&st);
}

/* Everything the real server drops silently: layout, counts, checksums (§3.5). */
static bool batch_admissible(const uint8_t *b, size_t len, uint32_t meta_count)
{
    if (len < IGGY_BATCH_HEADER_SIZE || iggy_le64(b + BH_BATCH_LENGTH) != len)
        return false;
    if (iggy_le32(b + BH_MESSAGE_COUNT) == 0 || iggy_le32(b + BH_MESSAGE_COUNT) != meta_count)
        return false;
    for (size_t i = BH_RESERVED; i < IGGY_BATCH_HEADER_SIZE; i++)
        if (b[i])
            return false;
    return iggy_batch_verify(b, len) == IGGY_OK; /* tiling, frame reserved, checksums */
}

static bool append_record(iggy_mock_partition_t *p, const iggy_mock_topic_t *t, uint8_t *bytes,
                          size_t len, uint32_t count, uint64_t ts)
{
    iggy_mock_record_t *rec;
    if (!iggy_mock_reserve((void **)&p->records, &p->records_cap, p->records_count + 1,
                           sizeof(iggy_mock_record_t)))
        return false;
    /* Roll to a new segment once the active one would pass segment_size. */
    if (p->segment_bytes > 0 && p->segment_bytes + len > t->segment_size) {
        p->segments++;
        p->segment_bytes = 0;
    }
    rec = &p->records[p->records_count++];
    rec->bytes = bytes;
    rec->len = len;
    rec->base_offset = p->next_offset;
    rec->base_timestamp = ts;
    rec->count = count;
    rec->segment = p->segments - 1;
    p->segment_bytes += len;
    p->next_offset += count;
    p->last_timestamp = ts;
    p->size_bytes += len;
    p->messages_count += count;
    return true;
}

iggy_mock_outcome_t iggy_mock_h_send_messages(iggy_mock_call_t *call)
{
    iggy_reader_t *r = &call->body, meta;
    uint32_t meta_len, count, pid;
    const uint8_t *meta_bytes, *key = NULL, *batch;
    uint8_t pkind, plen;
    iggy_identifier_t sid, tid;
    iggy_mock_name_t sn, tn;
    iggy_mock_stream_t *s;
    iggy_mock_topic_t *t;
    iggy_mock_partition_t *p;
    uint8_t *copy;
    size_t blen;
    uint64_t ts;
    iggy_writer_t *w = call->out;

    MOCK_REQUIRE_AUTH(call);
    if (iggy_rd_u32(r, &meta_len) != IGGY_OK)
        return iggy_mock_status(E_RESOURCE_NOT_FOUND);
    if (iggy_rd_bytes(r, meta_len, &meta_bytes) != IGGY_OK)
        return iggy_mock_silence(); /* metadata_length past the body */
    iggy_rd_init(&meta, meta_bytes, meta_len, "send_messages metadata");
    if (!iggy_mock_rd_id(&meta, &sid, &sn) || !iggy_mock_rd_id(&meta, &tid, &tn) ||
        iggy_rd_u8(&meta, &pkind) != IGGY_OK || iggy_rd_u8(&meta, &plen) != IGGY_OK ||
        iggy_rd_bytes(&meta, plen, &key) != IGGY_OK || iggy_rd_u32(&meta, &count) != IGGY_OK)
        return iggy_mock_status(E_RESOURCE_NOT_FOUND);
    if (iggy_rd_left(&meta))
        return iggy_mock_silence(); /* metadata_length larger than the metadata */
    if (!((pkind == 1 && plen == 0) || (pkind == 2 && plen == 4) || (pkind == 3 && plen > 0)))
        return iggy_mock_status(E_RESOURCE_NOT_FOUND);
    s = iggy_mock_stream_find(call->st, &sid, &sn);
    t = iggy_mock_topic_find(s, &tid, &tn);
    if (!t || t->partitions_count == 0)
        return iggy_mock_status(E_RESOURCE_NOT_FOUND); /* 20, never 1009/2010/3007 */
    if (pkind == 1)
        pid = (uint32_t)(t->balanced_cursor % t->partitions_count);
    else if (pkind == 2)
        pid = iggy_le32(key);
    else
        pid = iggy_partition_for_key(key, plen, (uint32_t)t->partitions_count);
    p = iggy_mock_partition_get(t, pid);
    if (!p)
        return iggy_mock_status(E_RESOURCE_NOT_FOUND);
    if (!iggy_mock_call_allowed(call, PERM_SEND, s->id, t->id))
        return iggy_mock_status(E_UNAUTHORIZED);
    blen = iggy_rd_left(r);
    if (iggy_rd_bytes(r, blen, &batch) != IGGY_OK || !batch_admissible(batch, blen, count))
        return iggy_mock_silence();

    copy = iggy_mock_alloc(blen);
    if (!copy)
        return iggy_mock_silence(); /* like an overflowing partition queue */
    memcpy(copy, batch, blen);
    ts = call->now_us > p->last_timestamp ? call->now_us : p->last_timestamp + 1;
    iggy_put_le64(copy + BH_PARTITION_ID, pid);
    iggy_put_le64(copy + BH_BASE_OFFSET, p->next_offset);
    iggy_put_le64(copy + BH_BASE_TIMESTAMP, ts);
    iggy_put_le64(copy + BH_CHECKSUM, record_checksum(copy, blen));
    {
        uint64_t base = p->next_offset;
        if (!append_record(p, t, copy, blen, count, ts)) {
            iggy_mock_free(copy);
            return iggy_mock_silence();
        }
        if (pkind == 1)
            t->balanced_cursor++;
        iggy_wr_u32(w, 1);     /* confirmations_count */
        iggy_wr_u32(w, s->id); /* stream_id (numeric, even when sent by name) */
        iggy_wr_u32(w, t->id); /* topic_id */
        iggy_wr_u32(w, pid);   /* partition_id */
        iggy_wr_u64(w, base);  /* base_offset */
    }
    return iggy_mock_ok();
}

/* ---------------------------------------------------------------- poll */

static iggy_mock_outcome_t empty_poll(iggy_writer_t *w, uint32_t pid, uint64_t current)
{
    iggy_wr_u32(w, pid);     /* 0  partition_id */
    iggy_wr_u64(w, current); /* 4  current_offset */
    iggy_wr_u32(w, 0);       /* 12 messages_count */
    return iggy_mock_ok();
}

/* Copy the frames of rec whose offsets fall in [from, to] as one record, rewriting
 * batch_length, message_count and the batch checksum; frames keep their deltas. */
static uint32_t write_slice(iggy_writer_t *w, const iggy_mock_record_t *rec, uint64_t from,
                            uint64_t to, uint64_t *last)
{
    size_t hoff = w->len, off = IGGY_BATCH_HEADER_SIZE;
    uint32_t n = 0;
    iggy_wr_bytes(w, rec->bytes, IGGY_BATCH_HEADER_SIZE);
    while (off + IGGY_FRAME_HEADER_SIZE <= rec->len) {
        const uint8_t *f = rec->bytes + off;
        size_t flen = IGGY_FRAME_HEADER_SIZE + (size_t)iggy_le32(f + 36) + iggy_le32(f + 32);
        uint64_t o = rec->base_offset + iggy_le32(f + 24);
        if (o >= from && o <= to) {
            iggy_wr_bytes(w, f, flen);
            n++;
            if (o > *last)
                *last = o;
        }
        off += flen;
    }
    if (iggy_wr_status(w) != IGGY_OK)
        return n;
    iggy_put_le64(w->data + hoff + BH_BATCH_LENGTH, w->len - hoff);
    iggy_put_le32(w->data + hoff + BH_MESSAGE_COUNT, n);
    iggy_put_le64(w->data + hoff + BH_CHECKSUM, record_checksum(w->data + hoff, w->len - hoff));
    return n;
}

iggy_mock_outcome_t iggy_mock_h_poll_messages(iggy_mock_call_t *call)
{
    iggy_reader_t *r = &call->body;
    uint8_t ckind, flag, skind, auto_commit;
    iggy_identifier_t cid, sid, tid;
    iggy_mock_name_t cn, sn, tn;
    uint32_t pid, count, key = 0;
    uint64_t value, commit, start, end, first, last = 0;
    iggy_mock_stream_t *s;
    iggy_mock_topic_t *t;
    iggy_mock_group_t *grp = NULL;
    iggy_mock_partition_t *p;
    iggy_writer_t *w = call->out;
    size_t count_off;
    uint32_t served = 0;

    MOCK_REQUIRE_AUTH(call);
    if (iggy_rd_u8(r, &ckind) != IGGY_OK || (ckind != 1 && ckind != 2) ||
        !iggy_mock_rd_id(r, &cid, &cn) || !iggy_mock_rd_id(r, &sid, &sn) ||
        !iggy_mock_rd_id(r, &tid, &tn) || iggy_rd_u8(r, &flag) != IGGY_OK ||
        iggy_rd_u32(r, &pid) != IGGY_OK || iggy_rd_u8(r, &skind) != IGGY_OK || skind < 1 ||
        skind > 5 || iggy_rd_u64(r, &value) != IGGY_OK || iggy_rd_u32(r, &count) != IGGY_OK ||
        iggy_rd_u8(r, &auto_commit) != IGGY_OK || iggy_rd_end(r) != IGGY_OK)
        return empty_poll(w, 0, 0); /* undecodable: the 16-byte empty poll */
    s = iggy_mock_stream_find(call->st, &sid, &sn);
    if (!s)
        return iggy_mock_status(E_STREAM_NOT_FOUND);
    t = iggy_mock_topic_find(s, &tid, &tn);
    if (!t)
        return iggy_mock_status(E_TOPIC_NOT_FOUND);
    if (!iggy_mock_call_allowed(call, PERM_POLL, s->id, t->id))
        return iggy_mock_status(E_UNAUTHORIZED);
    if (ckind == 2) {
        iggy_mock_member_t *m;
        grp = iggy_mock_group_find(t, &cid, &cn);
        if (!grp || flag != 1)
            return empty_poll(w, 0, 0); /* groups need an explicit partition */
        m = iggy_mock_member_of(grp, iggy_mock_conn_key(call->conn));
        /* Pending hand-off: the source stops polling so that it can drain and commit. */
        if (!m || !iggy_mock_member_pollable(m, pid))
            return empty_poll(w, IGGY_PARTITION_RESYNC, 0);
        key = grp->id;
    } else {
        if (flag != 1)
            pid = 0;
        key = cid.name ? XXH32(cn.s, cn.len, 0) : cid.numeric;
    }
    p = iggy_mock_partition_get(t, pid);
    if (!p)
        return iggy_mock_status(E_PARTITION_NOT_FOUND);
    if (p->next_offset == 0 || count == 0)
        return empty_poll(w, pid, p->next_offset ? p->next_offset - 1 : 0);
    commit = p->next_offset - 1;
    first = p->records_count ? p->records[0].base_offset : p->next_offset;

    switch (skind) {
    case 1: /* Offset */
        start = value;
        break;
    case 2: /* Timestamp: whole batches whose broker timestamp >= value */
        start = UINT64_MAX;
        for (size_t i = 0; i < p->records_count; i++) {
            if (p->records[i].base_timestamp >= value) {
                start = p->records[i].base_offset;
                break;
            }
        }
        break;
    case 3: /* First */
        start = first;
        break;
    case 4: /* Last: the last count messages */
        start = commit >= (uint64_t)count - 1 ? commit - ((uint64_t)count - 1) : 0;
        break;
    default: { /* Next */
        iggy_mock_offset_t *off = iggy_mock_offset_find(p, ckind, key);
        start = off ? off->offset + 1 : 0;
        break;
    }
    }
    if (start > commit)
        return empty_poll(w, pid, commit);
    if (start < first)
        start = first; /* removed offsets are served from the oldest retained one */
    end = commit - start >= (uint64_t)count - 1 ? start + ((uint64_t)count - 1) : commit;

    iggy_wr_u32(w, pid);    /* 0  partition_id */
    iggy_wr_u64(w, commit); /* 4  current_offset: the high-water mark */
    count_off = w->len;
    iggy_wr_u32(w, 0); /* 12 messages_count, patched below */
    for (size_t i = 0; i < p->records_count; i++) {
        const iggy_mock_record_t *rec = &p->records[i];
        uint64_t rlast = rec->base_offset + rec->count - 1;
        if (rlast < start || rec->base_offset > end)
            continue;
        if (rec->base_offset >= start && rlast <= end) {
            iggy_wr_bytes(w, rec->bytes, rec->len); /* whole stored record */
            served += rec->count;
            last = rlast;
        } else {
            served += write_slice(w, rec, start, end, &last);
        }
    }
    if (iggy_wr_status(w) == IGGY_OK)
        iggy_put_le32(w->data + count_off, served);
    if (grp && served)
        iggy_mock_polled_note(p, key, last); /* what a hand-off waits to see committed */
    if (auto_commit && served)
        iggy_mock_offset_store(p, ckind, key, last); /* immediately, so Next continues after it */
    return iggy_mock_ok();
}

iggy_mock_outcome_t iggy_mock_h_flush_unsaved_buffer(iggy_mock_call_t *call)
{
    MOCK_REQUIRE_AUTH(call);
    return iggy_mock_status(E_FEATURE_UNAVAILABLE); /* no on-demand flush in 0.9 (§5) */
}
