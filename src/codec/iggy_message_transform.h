/* Client-side payload transforms, sans-IO: on send, compress (marked with the user header
 * `iggy-compression`) and then seal with AES-256-GCM; on poll, open and then decompress,
 * bounded. A message that cannot be opened or decompressed keeps its place and carries the
 * error (messages.md §7). */
#ifndef IGGY_MESSAGE_TRANSFORM_H
#define IGGY_MESSAGE_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iggy/compression.h>
#include <iggy/types.h>

#include "codec/iggy_arena.h"
#include "codec/iggy_batch.h"
#include "codec/iggy_compress.h"
#include "codec/iggy_crypto.h"
#include "pool/iggy_pool.h"

/* A growable byte buffer owned by the caller (reused across calls: no steady-state
 * allocation). */
typedef struct iggy_scratch {
    uint8_t *data;
    size_t cap;
} iggy_scratch_t;

iggy_err_t iggy_scratch_reserve(iggy_scratch_t *s, size_t cap);
void iggy_scratch_free(iggy_scratch_t *s);

/* A reply's decompression, done once: the measure pass inflates every compressed payload
 * into out (back to back, never past the reply's budget) and records each outcome; the fill
 * pass copies from there. Owned by the caller and reused across replies (no steady-state
 * allocation). */
typedef struct iggy_inflate_state {
    iggy_scratch_t out;     /* decompressed payloads of the reply in decoding */
    iggy_scratch_t records; /* one outcome per compressed payload, in message order */
    size_t count, cursor;   /* records made (measure), replayed (fill) */
    size_t used;            /* bytes of out in use */
    size_t budget, charged; /* the reply's decompression budget and what it has spent */
} iggy_inflate_state_t;

void iggy_inflate_state_free(iggy_inflate_state_t *st);

/* The default per-reply budget: 16 times the reply's size, at least 4 MiB, at most 64 MiB. */
size_t iggy_inflate_default_budget(size_t reply_len);

/* Poll decode options, handed to the poll decoder as reader->opts. */
typedef struct iggy_poll_decode_opts {
    bool verify_checksums;
    const uint8_t *key; /* NULL: no decryption */
    bool decompress;
    size_t max_decompressed; /* per message; 0 = 64 MiB */
    size_t reply_budget;     /* decompressed bytes one reply may produce; 0 = the default */
    iggy_compress_ctx_t *comp;
    iggy_crypto_ctx_t *crypto;
    iggy_scratch_t *scratch;       /* plaintexts while decoding */
    iggy_inflate_state_t *inflate; /* required when decompress is set */
} iggy_poll_decode_opts_t;

/* Start one arena pass of a reply of reply_len bytes (the poll decoder calls it): the measure
 * pass resets the budget and the records, the fill pass replays them. o may be NULL. */
void iggy_poll_transform_begin(const iggy_poll_decode_opts_t *o, bool measuring, size_t reply_len);

/* Fill m's payload, raw headers and parsed headers from frame f, applying o (NULL: copy as
 * received). Runs in both arena passes and takes the same path in both. Only structural
 * problems fail; transform failures land in m->error. */
iggy_err_t iggy_message_fill(const iggy_poll_decode_opts_t *o, iggy_arena_t *a,
                             const iggy_batch_frame_t *f, iggy_message_t *m, const char *ctx);

/* Send side: the transformed messages (payload and user-headers block pointing into
 * scratch) ready for iggy_enc_send_messages_raw. */
typedef struct iggy_send_transform {
    iggy_compression_codec_t codec;
    int level;
    size_t min_bytes;
    const uint8_t *key;
    bool mint_v7; /* mint UUID v7 ids for messages sent with id {0,0} */
    uint64_t now_us;
} iggy_send_transform_t;

/* Transform messages[0..count) into out[] / raw[] (caller arrays of count entries), with
 * bytes in scratch; pool lends a temporary buffer for encoding header blocks. */
iggy_err_t iggy_send_transform(const iggy_send_transform_t *t, iggy_compress_ctx_t *comp,
                               iggy_crypto_ctx_t *crypto, iggy_pool_t *pool,
                               iggy_scratch_t *scratch, const iggy_send_message_t *messages,
                               size_t count, iggy_send_message_t *out, iggy_raw_block_t *raw);

/* A UUID v7 (RFC 9562) for the given time, stored in UUID byte order. */
iggy_err_t iggy_uuid_v7(uint64_t now_us, iggy_u128_t *out);

#endif
