/**
 * @file compression.h
 * @brief Client-side payload compression codecs, marked per message by a user header.
 *
 * Iggy itself never compresses message payloads (the topic `compression_algorithm` is
 * metadata only, messages.md §7.1). Like the official Rust `message-compression` example,
 * libiggy compresses each payload on the client and marks it with the String user header
 * ::IGGY_COMPRESSION_HEADER_KEY whose value names the codec ("zstd", "snappy" or "lz4").
 * A consumer decompresses only payloads that carry the header; the size a compressed
 * payload declares is checked against a limit before anything is allocated for it.
 *
 * Formats: zstd frames (RFC 8878), raw snappy (the length-prefixed block format, not the
 * framing format), LZ4 frames (the LZ4 frame format, as the Rust example's lz4_flex
 * FrameEncoder writes them).
 */
#ifndef IGGY_COMPRESSION_H
#define IGGY_COMPRESSION_H

#include <iggy/export.h>

IGGY_BEGIN_DECLS

/** The user-header key (String kind) that marks a compressed payload. */
#define IGGY_COMPRESSION_HEADER_KEY "iggy-compression"

/** A payload compression codec. The header value is the codec's lowercase name. */
typedef enum iggy_compression_codec {
    IGGY_COMPRESSION_CODEC_NONE = 0, /**< Not compressed; header value "none" (or no header) */
    IGGY_COMPRESSION_CODEC_ZSTD,     /**< Zstandard frame; header value "zstd" */
    IGGY_COMPRESSION_CODEC_SNAPPY,   /**< Raw snappy block; header value "snappy" */
    IGGY_COMPRESSION_CODEC_LZ4,      /**< LZ4 frame format; header value "lz4" */
} iggy_compression_codec_t;

IGGY_END_DECLS

#endif
