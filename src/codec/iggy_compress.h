/* Payload compression (sans-IO; public codec enum in include/iggy/compression.h).
 *
 * Producer: dst = pool buffer of iggy_compress_bound(codec, n) bytes, iggy_compress(), then
 * add the user header IGGY_COMPRESSION_HEADER_KEY = iggy_codec_name(codec).
 * Consumer: iggy_codec_from_name(header value) -> codec; iggy_decompressed_size(codec, src,
 * n, max, &len) reads the size the frame DECLARES and refuses it above max (STYLE.md §9,
 * librdkafka rd_kafka_zstd_decompress); only then allocate len bytes and call
 * iggy_decompress(ctx, codec, src, n, dst, len), which refuses any frame whose real output
 * is not exactly len bytes. No function here allocates by a size read from the input.
 *
 * Frames that declare no size (a zstd frame from a streaming encoder, an LZ4 frame from
 * lz4_flex's FrameEncoder as in the Rust example) make iggy_decompressed_size fail; for
 * them iggy_decompress_bounded() decodes into a caller buffer of a TRUSTED capacity (the
 * configured limit) and fails once the output would pass it.
 *
 * Level: zstd 0 = library default (3), negative = fast modes; lz4 0 = fast, >= 3 = HC;
 * snappy ignores it.
 *
 * Allocation: the context (iggy_mem_alloc) holds a ZSTD_CCtx, a ZSTD_DCtx and LZ4F
 * compression/decompression contexts created by those libraries; after the first call of a
 * kind, zstd and lz4 calls allocate nothing. snappy's C API allocates its working memory
 * inside libsnappy on every compression (decompression allocates nothing). */
#ifndef IGGY_CODEC_COMPRESS_H
#define IGGY_CODEC_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include <iggy/compression.h>
#include <iggy/error.h>

typedef struct iggy_compress_ctx iggy_compress_ctx_t;

/* One context per thread (not thread-safe); NULL on allocation failure. */
iggy_compress_ctx_t *iggy_compress_ctx_new(void);
void iggy_compress_ctx_free(iggy_compress_ctx_t *ctx); /* NULL ok */

/* "zstd", "snappy", "lz4", "none" ("none" also for out-of-range values). */
const char *iggy_codec_name(iggy_compression_codec_t codec);

/* Exact, case-sensitive match of a header value (not NUL-terminated) against the four names;
 * 0 and *out set on a match, -1 otherwise. */
int iggy_codec_from_name(const uint8_t *s, size_t n, iggy_compression_codec_t *out);

/* Largest output iggy_compress can produce for n input bytes; 0 if n is too large for the
 * codec (snappy and lz4 take at most ~2 GiB) or the codec is unknown. */
size_t iggy_compress_bound(iggy_compression_codec_t codec, size_t n);

/* Compress src[0..n) into dst[0..dst_cap); *out_len receives the compressed size. Zstd and
 * LZ4 frames always declare their content size. dst_cap must be at least
 * iggy_compress_bound(codec, n) (else IGGY_ERR__INVALID_ARG); NONE copies. */
iggy_err_t iggy_compress(iggy_compress_ctx_t *ctx, iggy_compression_codec_t codec, int level,
                         const uint8_t *src, size_t n, uint8_t *dst, size_t dst_cap,
                         size_t *out_len);

/* The decompressed size the frame header declares (zstd content size, snappy varint, LZ4
 * contentSize). Fails with IGGY_ERR__BAD_COMPRESSION and a detail when the header is
 * malformed, declares no size, or declares more than max. Reads only the header. */
iggy_err_t iggy_decompressed_size(iggy_compression_codec_t codec, const uint8_t *src, size_t n,
                                  size_t max, size_t *out);

/* Decompress into dst[0..dst_len_exact); fails with IGGY_ERR__BAD_COMPRESSION unless the
 * input is one well-formed frame (nothing trailing) producing exactly dst_len_exact bytes.
 * Never writes past dst + dst_len_exact. */
iggy_err_t iggy_decompress(iggy_compress_ctx_t *ctx, iggy_compression_codec_t codec,
                           const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len_exact);

/* Decompress a frame whether or not it declares its size, into dst[0..dst_cap) where dst_cap
 * is a trusted limit; *out_len receives the real size. Output beyond dst_cap ->
 * IGGY_ERR__BAD_COMPRESSION ("exceeds the N-byte limit"); a declared size that disagrees
 * with the output is refused too, and so is a frame of unknown size producing more than
 * iggy_decompressed_bound() ("more than the N bytes its blocks allow": a corrupt frame). */
iggy_err_t iggy_decompress_bounded(iggy_compress_ctx_t *ctx, iggy_compression_codec_t codec,
                                   const uint8_t *src, size_t n, uint8_t *dst, size_t dst_cap,
                                   size_t *out_len);

/* 1 when src starts a zstd or LZ4 frame that declares no content size (streaming
 * encoders, e.g. the Rust example's lz4_flex output): decode it with
 * iggy_decompress_bounded into a buffer of the configured limit. */
int iggy_compress_size_unknown(iggy_compression_codec_t codec, const uint8_t *src, size_t n);

/* For a frame iggy_compress_size_unknown() reports: an upper bound on what decoding it can
 * produce (before it succeeds or fails), read from its block headers without decoding (zstd:
 * blocks x min(window, 128 KiB), as ZSTD_decompressBound; LZ4: uncompressed blocks exactly,
 * compressed ones at most the frame's block size). Lets a small frame get a small buffer,
 * and be charged little when it fails, instead of the whole limit. SIZE_MAX for any other
 * input, or when the headers do not read: the decoder has the last word. Never fails. */
size_t iggy_decompressed_bound(iggy_compression_codec_t codec, const uint8_t *src, size_t n);

/* Decompressions run through ctx (iggy_decompress and iggy_decompress_bounded calls that
 * reached a codec, failed ones included): tests count them to check that a poll reply
 * inflates each payload once. */
uint64_t iggy_compress_ctx_decompress_calls(const iggy_compress_ctx_t *ctx);

#endif
