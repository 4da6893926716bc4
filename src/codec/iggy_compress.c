/* Payload compression: zstd frames, raw snappy, LZ4 frames. See iggy_compress.h. */
#include "codec/iggy_compress.h"

#include <lz4frame.h>
#include <snappy-c.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <xxhash.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_decompressBound */
#include <zstd.h>
#include <zstd_errors.h>

#include "iggy_alloc.h"
#include "iggy_error_internal.h"

struct iggy_compress_ctx {
    ZSTD_CCtx *zc;
    ZSTD_DCtx *zd;
    LZ4F_cctx *lc;
    LZ4F_dctx *ld;
    uint64_t decompress_calls;
};

/* The LZ4 frame magic and the header fields this module reads (LZ4 frame format §3). */
#define LZ4_MAGIC 0x184D2204u
#define LZ4_FLG_VERSION_MASK 0xC0u
#define LZ4_FLG_VERSION_01 0x40u
#define LZ4_FLG_INDEPENDENT 0x20u
#define LZ4_FLG_BLOCK_CHECKSUM 0x10u
#define LZ4_FLG_CONTENT_SIZE 0x08u
#define LZ4_FLG_DICT_ID 0x01u
#define LZ4_FLG_RESERVED 0x02u
#define LZ4_BD_64KB 0x40u
#define LZ4_BD_RESERVED 0x8Fu
#define LZ4_EMPTY_FRAME_SIZE 19u /* magic, FLG, BD, content size 0, HC, end mark */

static void lz4_prefs(LZ4F_preferences_t *p, int level, size_t n)
{
    memset(p, 0, sizeof(*p));
    p->frameInfo.blockSizeID = LZ4F_max64KB; /* lz4_flex's default too */
    p->frameInfo.blockMode = LZ4F_blockIndependent;
    p->frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    p->frameInfo.contentSize = (unsigned long long)n; /* 0 = not written; see lz4_empty */
    p->compressionLevel = level;
    p->autoFlush = 1; /* blocks go straight to dst: no staging buffer in the context */
}

iggy_compress_ctx_t *iggy_compress_ctx_new(void)
{
    iggy_compress_ctx_t *ctx = iggy_mem_calloc(1, sizeof(*ctx));
    if (!ctx)
        return NULL;
    ctx->zc = ZSTD_createCCtx();
    ctx->zd = ZSTD_createDCtx();
    if (!ctx->zc || !ctx->zd ||
        LZ4F_isError(LZ4F_createCompressionContext(&ctx->lc, LZ4F_VERSION)) ||
        LZ4F_isError(LZ4F_createDecompressionContext(&ctx->ld, LZ4F_VERSION))) {
        iggy_compress_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

void iggy_compress_ctx_free(iggy_compress_ctx_t *ctx)
{
    if (!ctx)
        return;
    ZSTD_freeCCtx(ctx->zc);
    ZSTD_freeDCtx(ctx->zd);
    if (ctx->lc)
        LZ4F_freeCompressionContext(ctx->lc);
    if (ctx->ld)
        LZ4F_freeDecompressionContext(ctx->ld);
    iggy_mem_free(ctx);
}

const char *iggy_codec_name(iggy_compression_codec_t codec)
{
    switch (codec) {
    case IGGY_COMPRESSION_CODEC_ZSTD:
        return "zstd";
    case IGGY_COMPRESSION_CODEC_SNAPPY:
        return "snappy";
    case IGGY_COMPRESSION_CODEC_LZ4:
        return "lz4";
    case IGGY_COMPRESSION_CODEC_NONE:
    default:
        return "none";
    }
}

int iggy_codec_from_name(const uint8_t *s, size_t n, iggy_compression_codec_t *out)
{
    static const iggy_compression_codec_t all[] = {
        IGGY_COMPRESSION_CODEC_NONE, IGGY_COMPRESSION_CODEC_ZSTD, IGGY_COMPRESSION_CODEC_SNAPPY,
        IGGY_COMPRESSION_CODEC_LZ4};
    if (!s && n)
        return -1;
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        const char *name = iggy_codec_name(all[i]);
        if (strlen(name) == n && memcmp(name, s, n) == 0) {
            if (out)
                *out = all[i];
            return 0;
        }
    }
    return -1;
}

size_t iggy_compress_bound(iggy_compression_codec_t codec, size_t n)
{
    switch (codec) {
    case IGGY_COMPRESSION_CODEC_NONE:
        return n;
    case IGGY_COMPRESSION_CODEC_ZSTD: {
        size_t b = ZSTD_compressBound(n);
        return ZSTD_isError(b) ? 0 : b;
    }
    case IGGY_COMPRESSION_CODEC_SNAPPY:
        /* snappy lengths are a u32 varint; keep well clear of its 32-bit arithmetic. */
        if (n > 0x7FFFFFFFu)
            return 0;
        return snappy_max_compressed_length(n);
    case IGGY_COMPRESSION_CODEC_LZ4: {
        LZ4F_preferences_t p;
        if (n > 0x7E000000u) /* LZ4_MAX_INPUT_SIZE */
            return 0;
        lz4_prefs(&p, 0, n);
        size_t b = LZ4F_compressFrameBound(n, &p);
        return b < LZ4_EMPTY_FRAME_SIZE ? LZ4_EMPTY_FRAME_SIZE : b;
    }
    default:
        return 0;
    }
}

static iggy_err_t bad_codec(iggy_compression_codec_t codec)
{
    return iggy_fail(IGGY_ERR__INVALID_ARG, "unknown compression codec %d", (int)codec);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
    return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* liblz4 treats contentSize 0 as "unknown" and omits the field, so an empty payload is
 * written by hand as a frame that DECLARES 0 bytes: every frame we write has a size. */
static size_t lz4_empty(uint8_t *dst)
{
    put_le32(dst, LZ4_MAGIC);
    dst[4] = LZ4_FLG_VERSION_01 | LZ4_FLG_INDEPENDENT | LZ4_FLG_CONTENT_SIZE;
    dst[5] = LZ4_BD_64KB;
    memset(dst + 6, 0, 8);
    dst[14] = (uint8_t)(XXH32(dst + 4, 10, 0) >> 8);
    put_le32(dst + 15, 0); /* end mark */
    return LZ4_EMPTY_FRAME_SIZE;
}

static iggy_err_t lz4_compress(iggy_compress_ctx_t *ctx, int level, const uint8_t *src, size_t n,
                               uint8_t *dst, size_t dst_cap, size_t *out_len)
{
    LZ4F_preferences_t p;
    size_t pos, r;
    if (n == 0) {
        *out_len = lz4_empty(dst);
        return IGGY_OK;
    }
    lz4_prefs(&p, level, n);
    r = LZ4F_compressBegin(ctx->lc, dst, dst_cap, &p);
    if (LZ4F_isError(r))
        goto fail;
    pos = r;
    r = LZ4F_compressUpdate(ctx->lc, dst + pos, dst_cap - pos, src, n, NULL);
    if (LZ4F_isError(r))
        goto fail;
    pos += r;
    r = LZ4F_compressEnd(ctx->lc, dst + pos, dst_cap - pos, NULL);
    if (LZ4F_isError(r))
        goto fail;
    *out_len = pos + r;
    return IGGY_OK;
fail:
    return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "lz4 compression failed: %s", LZ4F_getErrorName(r));
}

iggy_err_t iggy_compress(iggy_compress_ctx_t *ctx, iggy_compression_codec_t codec, int level,
                         const uint8_t *src, size_t n, uint8_t *dst, size_t dst_cap,
                         size_t *out_len)
{
    size_t bound, r;
    static const uint8_t empty[1] = {0};
    if (!out_len || (!src && n) ||
        (!ctx && codec != IGGY_COMPRESSION_CODEC_NONE && codec != IGGY_COMPRESSION_CODEC_SNAPPY))
        return iggy_fail(IGGY_ERR__INVALID_ARG, "iggy_compress: missing argument");
    if (codec > IGGY_COMPRESSION_CODEC_LZ4 || codec < IGGY_COMPRESSION_CODEC_NONE)
        return bad_codec(codec);
    bound = iggy_compress_bound(codec, n);
    if (bound == 0 && n != 0)
        return iggy_fail(IGGY_ERR__MSG_TOO_LARGE, "%zu bytes are too many for %s", n,
                         iggy_codec_name(codec));
    if (!dst || dst_cap < bound)
        return iggy_fail(IGGY_ERR__INVALID_ARG,
                         "%s compression needs a %zu-byte buffer for %zu bytes, got %zu",
                         iggy_codec_name(codec), bound, n, dst ? dst_cap : 0);
    if (!src)
        src = empty;
    switch (codec) {
    case IGGY_COMPRESSION_CODEC_NONE:
        if (n)
            memcpy(dst, src, n);
        *out_len = n;
        return IGGY_OK;
    case IGGY_COMPRESSION_CODEC_ZSTD:
        /* The one-shot API writes the frame content size (also 0 for an empty input). */
        r = ZSTD_compressCCtx(ctx->zc, dst, dst_cap, src, n, level);
        if (ZSTD_isError(r))
            return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "zstd compression failed: %s",
                             ZSTD_getErrorName(r));
        *out_len = r;
        return IGGY_OK;
    case IGGY_COMPRESSION_CODEC_SNAPPY: {
        size_t out = dst_cap;
        if (snappy_compress((const char *)src, n, (char *)dst, &out) != SNAPPY_OK)
            return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "snappy compression failed");
        *out_len = out;
        return IGGY_OK;
    }
    case IGGY_COMPRESSION_CODEC_LZ4:
    default:
        return lz4_compress(ctx, level, src, n, dst, dst_cap, out_len);
    }
}

static iggy_err_t too_big(const char *codec, uint64_t size, size_t max)
{
    return iggy_fail(IGGY_ERR__BAD_COMPRESSION,
                     "%s: decompressed size %llu exceeds the %zu-byte limit", codec,
                     (unsigned long long)size, max);
}

/* Reads the LZ4 frame descriptor by hand: no decompression context is needed, and an
 * explicit content size of 0 stays distinct from "no size" (LZ4F_getFrameInfo reports both
 * as 0). The header checksum is verified; liblz4 validates everything again when decoding. */
static iggy_err_t lz4_declared_size(const uint8_t *src, size_t n, uint64_t *out)
{
    size_t hlen;
    uint8_t flg, bd;
    if (n < 7 || get_le32(src) != LZ4_MAGIC)
        return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "lz4: not an LZ4 frame (%zu bytes)", n);
    flg = src[4];
    bd = src[5];
    if ((flg & LZ4_FLG_VERSION_MASK) != LZ4_FLG_VERSION_01 || (flg & LZ4_FLG_RESERVED) ||
        (bd & LZ4_BD_RESERVED) || (bd >> 4) < 4)
        return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "lz4: bad frame descriptor %02x %02x", flg, bd);
    hlen = 4 + 2 + ((flg & LZ4_FLG_CONTENT_SIZE) ? 8 : 0) + ((flg & LZ4_FLG_DICT_ID) ? 4 : 0) + 1;
    if (n < hlen)
        return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "lz4: truncated frame header");
    if (src[hlen - 1] != (uint8_t)(XXH32(src + 4, hlen - 5, 0) >> 8))
        return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "lz4: frame header checksum mismatch");
    if (!(flg & LZ4_FLG_CONTENT_SIZE))
        return iggy_fail(IGGY_ERR__BAD_COMPRESSION,
                         "lz4: frame declares no content size; size unknown up front");
    *out = get_le64(src + 6);
    return IGGY_OK;
}

iggy_err_t iggy_decompressed_size(iggy_compression_codec_t codec, const uint8_t *src, size_t n,
                                  size_t max, size_t *out)
{
    uint64_t size = 0;
    if (!out || (!src && n))
        return iggy_fail(IGGY_ERR__INVALID_ARG, "iggy_decompressed_size: missing argument");
    switch (codec) {
    case IGGY_COMPRESSION_CODEC_NONE:
        size = n;
        break;
    case IGGY_COMPRESSION_CODEC_ZSTD: {
        unsigned long long fcs = n ? ZSTD_getFrameContentSize(src, n) : ZSTD_CONTENTSIZE_ERROR;
        if (fcs == ZSTD_CONTENTSIZE_ERROR)
            return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "zstd: not a zstd frame (%zu bytes)", n);
        if (fcs == ZSTD_CONTENTSIZE_UNKNOWN)
            return iggy_fail(IGGY_ERR__BAD_COMPRESSION,
                             "zstd: frame declares no content size; size unknown up front");
        size = fcs;
        break;
    }
    case IGGY_COMPRESSION_CODEC_SNAPPY: {
        size_t len;
        if (!n || snappy_uncompressed_length((const char *)src, n, &len) != SNAPPY_OK)
            return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "snappy: bad length preamble");
        size = len;
        break;
    }
    case IGGY_COMPRESSION_CODEC_LZ4:
        IGGY_TRY(lz4_declared_size(src, n, &size));
        break;
    default:
        return bad_codec(codec);
    }
    if (size > max)
        return too_big(iggy_codec_name(codec), size, max);
    *out = (size_t)size;
    return IGGY_OK;
}

/* liblz4 (1.9.4) LZ4F_resetDecompressionContext() leaves frameRemainingSize behind, and a
 * frame without a content size never overwrites it: after a frame that failed half-way the
 * next unsized frame would end in "frameSize_wrong". Decoding a frame that declares 0 bytes
 * sets it back to 0, without allocating. */
static void lz4_scrub(LZ4F_dctx *d)
{
    uint8_t frame[LZ4_EMPTY_FRAME_SIZE], none[1];
    size_t in = lz4_empty(frame), out = 0;
    LZ4F_resetDecompressionContext(d);
    (void)LZ4F_decompress(d, none, &out, frame, &in, NULL);
    LZ4F_resetDecompressionContext(d);
}

/* Decodes one LZ4 frame into dst[0..cap); *got = bytes written. The frame must end, with
 * nothing after it; output that does not fit is refused (never written past cap, *full set). */
static iggy_err_t lz4_decode(LZ4F_dctx *d, const uint8_t *src, size_t n, uint8_t *dst, size_t cap,
                             size_t *got, bool *full)
{
    size_t in_pos = 0, out_pos = 0, r = 1;
    LZ4F_resetDecompressionContext(d);
    while (r != 0) {
        size_t in = n - in_pos, out = cap - out_pos;
        r = LZ4F_decompress(d, dst + out_pos, &out, src + in_pos, &in, NULL);
        if (LZ4F_isError(r)) {
            lz4_scrub(d);
            return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "lz4: %s", LZ4F_getErrorName(r));
        }
        in_pos += in;
        out_pos += out;
        if (r != 0 && in == 0 && out == 0) {
            lz4_scrub(d);
            if (in_pos == n)
                return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "lz4: truncated frame");
            *full = true;
            return iggy_fail(IGGY_ERR__BAD_COMPRESSION,
                             "lz4: decompressed size exceeds the %zu-byte limit", cap);
        }
    }
    if (in_pos != n) /* the frame itself ended cleanly: no scrub needed */
        return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "lz4: %zu bytes after the frame", n - in_pos);
    *got = out_pos;
    return IGGY_OK;
}

/* Shared by the exact and the bounded entry points: decodes into dst[0..cap). *full tells
 * a failure for want of room from any other. */
static iggy_err_t decode(iggy_compress_ctx_t *ctx, iggy_compression_codec_t codec,
                         const uint8_t *src, size_t n, uint8_t *dst, size_t cap, size_t *got,
                         bool *full)
{
    *full = false;
    switch (codec) {
    case IGGY_COMPRESSION_CODEC_NONE:
        if (n > cap) {
            *full = true;
            return too_big("none", n, cap);
        }
        if (n)
            memcpy(dst, src, n);
        *got = n;
        return IGGY_OK;
    case IGGY_COMPRESSION_CODEC_ZSTD: {
        size_t fsize = n ? ZSTD_findFrameCompressedSize(src, n) : 0;
        size_t r;
        if (n == 0 || ZSTD_isError(fsize))
            return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "zstd: %s",
                             n ? ZSTD_getErrorName(fsize) : "empty input");
        if (fsize != n)
            return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "zstd: %zu bytes after the frame",
                             n - fsize);
        /* One-shot decoding writes straight into dst (no window buffer) and stops with
         * dstSize_tooSmall at cap; a frame whose content size disagrees with its blocks
         * fails as corruption. */
        r = ZSTD_decompressDCtx(ctx->zd, dst, cap, src, n);
        if (ZSTD_isError(r)) {
            if (ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall) {
                *full = true;
                return iggy_fail(IGGY_ERR__BAD_COMPRESSION,
                                 "zstd: decompressed size exceeds the %zu-byte limit", cap);
            }
            return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "zstd: %s", ZSTD_getErrorName(r));
        }
        *got = r;
        return IGGY_OK;
    }
    case IGGY_COMPRESSION_CODEC_SNAPPY: {
        size_t len, out = cap;
        if (!n || snappy_uncompressed_length((const char *)src, n, &len) != SNAPPY_OK)
            return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "snappy: bad length preamble");
        if (len > cap) {
            *full = true;
            return too_big("snappy", len, cap);
        }
        /* snappy refuses a stream whose decoded length differs from its preamble. */
        if (snappy_uncompress((const char *)src, n, (char *)dst, &out) != SNAPPY_OK)
            return iggy_fail(IGGY_ERR__BAD_COMPRESSION, "snappy: corrupt input");
        *got = out;
        return IGGY_OK;
    }
    case IGGY_COMPRESSION_CODEC_LZ4:
        return lz4_decode(ctx->ld, src, n, dst, cap, got, full);
    default:
        return bad_codec(codec);
    }
}

iggy_err_t iggy_decompress(iggy_compress_ctx_t *ctx, iggy_compression_codec_t codec,
                           const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len_exact)
{
    size_t got = 0;
    uint8_t none[1], empty[1] = {0};
    bool full;
    if (!ctx || (!src && n) || (!dst && dst_len_exact))
        return iggy_fail(IGGY_ERR__INVALID_ARG, "iggy_decompress: missing argument");
    /* The libraries do pointer arithmetic on dst and src: never hand them NULL. */
    ctx->decompress_calls++;
    IGGY_TRY(
        decode(ctx, codec, src ? src : empty, n, dst ? dst : none, dst_len_exact, &got, &full));
    if (got != dst_len_exact)
        return iggy_fail(IGGY_ERR__BAD_COMPRESSION,
                         "%s: decompressed to %zu bytes, expected exactly %zu",
                         iggy_codec_name(codec), got, dst_len_exact);
    return IGGY_OK;
}

iggy_err_t iggy_decompress_bounded(iggy_compress_ctx_t *ctx, iggy_compression_codec_t codec,
                                   const uint8_t *src, size_t n, uint8_t *dst, size_t dst_cap,
                                   size_t *out_len)
{
    uint8_t none[1], empty[1] = {0};
    size_t bound;
    bool full;
    iggy_err_t err;
    if (!ctx || !out_len || (!src && n) || (!dst && dst_cap))
        return iggy_fail(IGGY_ERR__INVALID_ARG, "iggy_decompress_bounded: missing argument");
    ctx->decompress_calls++;
    /* A frame of unknown size produces no more than its blocks allow: libzstd (1.5.4) would
     * decode a raw or RLE block larger than the frame's window, which the format calls
     * corrupt (found by fuzz_decompress). SIZE_MAX for every other frame. */
    bound = iggy_decompressed_bound(codec, src, n);
    err = decode(ctx, codec, src ? src : empty, n, dst ? dst : none,
                 bound < dst_cap ? bound : dst_cap, out_len, &full);
    if (err == IGGY_ERR__BAD_COMPRESSION && full && bound <= dst_cap)
        return iggy_fail(IGGY_ERR__BAD_COMPRESSION,
                         "%s: frame produces more than the %zu bytes its blocks allow (a block "
                         "larger than the frame's window): corrupt frame",
                         iggy_codec_name(codec), bound);
    return err;
}

int iggy_compress_size_unknown(iggy_compression_codec_t codec, const uint8_t *src, size_t n)
{
    if (!src)
        return 0;
    if (codec == IGGY_COMPRESSION_CODEC_ZSTD)
        return ZSTD_getFrameContentSize(src, n) == ZSTD_CONTENTSIZE_UNKNOWN;
    if (codec == IGGY_COMPRESSION_CODEC_LZ4)
        return n >= 7 && get_le32(src) == LZ4_MAGIC && !(src[4] & LZ4_FLG_CONTENT_SIZE);
    return 0;
}

/* Walks the blocks of an LZ4 frame without a content size (LZ4 frame format §4-§5): each
 * block is a u32 size (high bit: stored uncompressed) and its data, then a u32 checksum when
 * the frame has block checksums; a zero word ends the frame. liblz4 refuses any block above
 * the frame's block size, so a compressed block produces at most that, and a frame cut
 * short at most what its blocks present (and one partial block) produce before it fails. */
static size_t lz4_unsized_bound(const uint8_t *src, size_t n)
{
    static const size_t block_max[4] = {64u << 10, 256u << 10, 1u << 20, 4u << 20};
    size_t pos, bmax, bound = 0;
    uint8_t flg, bd;
    if (n < 7 || get_le32(src) != LZ4_MAGIC)
        return SIZE_MAX;
    flg = src[4];
    bd = src[5];
    if ((flg & LZ4_FLG_VERSION_MASK) != LZ4_FLG_VERSION_01 || (flg & LZ4_FLG_RESERVED) ||
        (flg & LZ4_FLG_CONTENT_SIZE) || (bd & LZ4_BD_RESERVED) || (bd >> 4) < 4)
        return SIZE_MAX;
    bmax = block_max[(bd >> 4) - 4];
    pos = 4 + 2 + ((flg & LZ4_FLG_DICT_ID) ? 4 : 0) + 1; /* magic, FLG, BD, dict id, HC */
    if (pos > n)
        return SIZE_MAX;
    for (;;) {
        uint32_t word, len;
        size_t out;
        if (n - pos < 4)
            break; /* cut short */
        word = get_le32(src + pos);
        pos += 4;
        if (word == 0)
            return bound; /* end mark: the content checksum is the decoder's to check */
        len = word & 0x7FFFFFFFu;
        if (len > bmax)
            return bound; /* refused before this block is decoded */
        if (len > n - pos)
            break;
        pos += len;
        out = (word & 0x80000000u) ? len : bmax;
        if (bound > SIZE_MAX - out)
            return SIZE_MAX;
        bound += out;
        if (flg & LZ4_FLG_BLOCK_CHECKSUM) {
            if (n - pos < 4)
                return bound;
            pos += 4;
        }
    }
    return bound > SIZE_MAX - bmax ? SIZE_MAX : bound + bmax;
}

size_t iggy_decompressed_bound(iggy_compression_codec_t codec, const uint8_t *src, size_t n)
{
    if (!iggy_compress_size_unknown(codec, src, n))
        return SIZE_MAX;
    if (codec == IGGY_COMPRESSION_CODEC_ZSTD) {
        unsigned long long b = ZSTD_decompressBound(src, n);
        return b == ZSTD_CONTENTSIZE_ERROR || b > SIZE_MAX ? SIZE_MAX : (size_t)b;
    }
    return lz4_unsized_bound(src, n);
}

uint64_t iggy_compress_ctx_decompress_calls(const iggy_compress_ctx_t *ctx)
{
    return ctx ? ctx->decompress_calls : 0;
}
