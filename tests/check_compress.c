/* Payload compression (src/codec/iggy_compress.c): round trips, payloads written by other
 * implementations (tests/data/compression_vectors.txt), decompression bombs and frames that
 * lie about their size, the exact-size rule, codec names, bounded and zero steady-state
 * allocation. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lz4frame.h>
#include <xxhash.h>
#include <zstd.h>

#include <iggy/alloc.h>
#include <iggy/compression.h>
#include <iggy/error.h>

#include "codec/iggy_compress.h"
#include "test_alloc.h"
#include "test_data.h"
#include "test_main.h"

/* ---- helpers ------------------------------------------------------------------------- */
static const iggy_compression_codec_t codecs[] = {
    IGGY_COMPRESSION_CODEC_NONE, IGGY_COMPRESSION_CODEC_ZSTD, IGGY_COMPRESSION_CODEC_SNAPPY,
    IGGY_COMPRESSION_CODEC_LZ4};
#define NCODECS (sizeof(codecs) / sizeof(codecs[0]))
#define LIMIT ((size_t)16 << 20) /* the consumer's limit in these tests: 16 MiB */
#define GUARD 64
#define CANARY 0xA5

/* A buffer of n bytes followed by GUARD canary bytes; guard_ok() checks them. */
static uint8_t *guarded(size_t n)
{
    uint8_t *p = malloc(n + GUARD);
    ck_assert_ptr_nonnull(p);
    memset(p + n, CANARY, GUARD);
    return p;
}

static int guard_ok(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < GUARD; i++)
        if (p[n + i] != CANARY)
            return 0;
    return 1;
}

/* True when p[from..to) still holds the canary. */
static int untouched(const uint8_t *p, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (p[i] != CANARY)
            return 0;
    return 1;
}

static void fill_text(uint8_t *p, size_t n, unsigned seed)
{
    static const char *words[] = {"iggy ",    "stream ",  "topic ", "partition ", "offset ",
                                  "message ", "{\"id\":", "42,",    "\"ts\":",    "1700000000}\n"};
    size_t i = 0;
    while (i < n) {
        seed = seed * 1103515245u + 12345u;
        const char *w = words[(seed >> 16) % 10];
        for (size_t k = 0; w[k] && i < n; k++)
            p[i++] = (uint8_t)w[k];
    }
}

static void fill_random(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

/* Compress src with codec into a fresh buffer (caller frees). */
static uint8_t *pack(iggy_compress_ctx_t *ctx, iggy_compression_codec_t c, int level,
                     const uint8_t *src, size_t n, size_t *len)
{
    size_t bound = iggy_compress_bound(c, n);
    uint8_t *dst = malloc(bound ? bound : 1);
    ck_assert_ptr_nonnull(dst);
    ck_assert_msg(iggy_compress(ctx, c, level, src, n, dst, bound, len) == IGGY_OK, "%s: %s",
                  iggy_codec_name(c), iggy_last_error_detail());
    ck_assert_uint_le(*len, bound);
    return dst;
}

static void expect_bad(iggy_err_t err, const char *needle)
{
    ck_assert_int_eq(err, IGGY_ERR__BAD_COMPRESSION);
    ck_assert_msg(strstr(iggy_last_error_detail(), needle) != NULL, "detail '%s' lacks '%s'",
                  iggy_last_error_detail(), needle);
}

/* ---- names ----------------------------------------------------------------------------- */
START_TEST(codec_names)
{
    static const struct {
        const char *name;
        iggy_compression_codec_t c;
    } rows[] = {{"none", IGGY_COMPRESSION_CODEC_NONE},
                {"zstd", IGGY_COMPRESSION_CODEC_ZSTD},
                {"snappy", IGGY_COMPRESSION_CODEC_SNAPPY},
                {"lz4", IGGY_COMPRESSION_CODEC_LZ4}};
    static const char *bad[] = {"ZSTD", "Lz4", "zstd ", " zstd", "zst", "lz4f", "gzip", "s2", ""};
    iggy_compression_codec_t c;
    ck_assert_str_eq(IGGY_COMPRESSION_HEADER_KEY, "iggy-compression");
    for (size_t i = 0; i < 4; i++) {
        ck_assert_str_eq(iggy_codec_name(rows[i].c), rows[i].name);
        c = (iggy_compression_codec_t)99;
        ck_assert_int_eq(
            iggy_codec_from_name((const uint8_t *)rows[i].name, strlen(rows[i].name), &c), 0);
        ck_assert_int_eq(c, rows[i].c);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_int_eq(iggy_codec_from_name((const uint8_t *)bad[i], strlen(bad[i]), &c), -1);
    /* Not NUL-terminated: only n bytes count. */
    ck_assert_int_eq(iggy_codec_from_name((const uint8_t *)"lz4XYZ", 3, &c), 0);
    ck_assert_int_eq(c, IGGY_COMPRESSION_CODEC_LZ4);
    ck_assert_int_eq(iggy_codec_from_name((const uint8_t *)"zstd\0", 5, &c), -1);
    ck_assert_int_eq(iggy_codec_from_name(NULL, 0, &c), -1);
    ck_assert_str_eq(iggy_codec_name((iggy_compression_codec_t)42), "none");
}
END_TEST

/* ---- round trips ----------------------------------------------------------------------- */
static void round_trip(iggy_compress_ctx_t *ctx, iggy_compression_codec_t c, int level,
                       const uint8_t *src, size_t n)
{
    size_t len, size = 12345, got = 0;
    uint8_t *z = pack(ctx, c, level, src, n, &len);
    uint8_t *out = guarded(n);
    ck_assert_msg(iggy_decompressed_size(c, z, len, LIMIT, &size) == IGGY_OK, "%s n=%zu: %s",
                  iggy_codec_name(c), n, iggy_last_error_detail());
    ck_assert_uint_eq(size, n);
    ck_assert_msg(iggy_decompress(ctx, c, z, len, out, n) == IGGY_OK, "%s n=%zu: %s",
                  iggy_codec_name(c), n, iggy_last_error_detail());
    ck_assert(n == 0 || memcmp(out, src, n) == 0);
    ck_assert(guard_ok(out, n));
    memset(out, 0, n);
    ck_assert_int_eq(iggy_decompress_bounded(ctx, c, z, len, out, n, &got), IGGY_OK);
    ck_assert_uint_eq(got, n);
    ck_assert(n == 0 || memcmp(out, src, n) == 0);
    ck_assert(guard_ok(out, n));
    free(out);
    free(z);
}

START_TEST(round_trips_every_codec)
{
    iggy_compress_ctx_t *ctx = iggy_compress_ctx_new();
    const size_t mib = (size_t)1 << 20;
    uint8_t *text = malloc(mib), *noise = malloc(mib);
    static const int levels[][2] = {{0, 1}, {0, 19}, {0, 0}, {0, 9}}; /* per codec: 2 levels */
    ck_assert_ptr_nonnull(ctx);
    fill_text(text, mib, 7);
    fill_random(noise, mib, 11);
    for (size_t i = 0; i < NCODECS; i++) {
        iggy_compression_codec_t c = codecs[i];
        for (int l = 0; l < 2; l++) {
            int level = levels[i][l];
            round_trip(ctx, c, level, NULL, 0);                 /* empty */
            round_trip(ctx, c, level, (const uint8_t *)"x", 1); /* tiny */
            round_trip(ctx, c, level, (const uint8_t *)"Hello World!", 12);
            round_trip(ctx, c, level, noise, 4096);   /* incompressible */
            round_trip(ctx, c, level, text, 100000);  /* several LZ4 blocks */
            if (level != 19)                          /* zstd -19 on 1 MiB is slow */
                round_trip(ctx, c, level, text, mib); /* large */
            round_trip(ctx, c, level, noise, mib);    /* large, incompressible */
        }
    }
    /* Compressible input really shrinks (the codecs are not just copying). */
    for (size_t i = 1; i < NCODECS; i++) {
        size_t len;
        uint8_t *z = pack(ctx, codecs[i], 0, text, mib, &len);
        ck_assert_msg(len < mib / 2, "%s: %zu", iggy_codec_name(codecs[i]), len);
        free(z);
    }
    free(text);
    free(noise);
    iggy_compress_ctx_free(ctx);
}
END_TEST

START_TEST(output_buffer_below_bound_is_refused)
{
    iggy_compress_ctx_t *ctx = iggy_compress_ctx_new();
    uint8_t src[100], dst[512];
    size_t len;
    memset(src, 'a', sizeof src);
    for (size_t i = 0; i < NCODECS; i++) {
        size_t bound = iggy_compress_bound(codecs[i], sizeof src);
        ck_assert_uint_ge(bound, i == 0 ? sizeof src : sizeof src + 1);
        ck_assert_uint_le(bound, sizeof dst);
        ck_assert_int_eq(iggy_compress(ctx, codecs[i], 0, src, sizeof src, dst, bound - 1, &len),
                         IGGY_ERR__INVALID_ARG);
        ck_assert_ptr_nonnull(strstr(iggy_last_error_detail(), "buffer"));
    }
    ck_assert_int_eq(iggy_compress(ctx, (iggy_compression_codec_t)9, 0, src, 1, dst, 512, &len),
                     IGGY_ERR__INVALID_ARG);
    ck_assert_uint_eq(iggy_compress_bound((iggy_compression_codec_t)9, 10), 0);
    iggy_compress_ctx_free(ctx);
}
END_TEST

START_TEST(decodes_payloads_from_other_implementations)
{
    iggy_compress_ctx_t *ctx = iggy_compress_ctx_new();
    FILE *f = fopen(test_data_path("compression_vectors.txt"), "r");
    char *line = NULL;
    size_t cap = 0, rows = 0, per[4][2] = {{0}};
    ck_assert_msg(f != NULL, "cannot open %s", test_data_path("compression_vectors.txt"));
    while (getline(&line, &cap, f) > 0) {
        char *codec, *kind, *plain, *packed;
        iggy_compression_codec_t c;
        size_t pn, zn, size = 0, got = 0;
        uint8_t *p, *z, *out;
        int sized;
        if (!test_compression_row(line, &codec, &kind, &plain, &packed))
            continue;
        ck_assert_int_eq(iggy_codec_from_name((const uint8_t *)codec, strlen(codec), &c), 0);
        sized = strcmp(kind, "sized") == 0;
        p = test_unhex(plain, &pn);
        z = test_unhex(packed, &zn);
        out = guarded(pn);
        if (sized) {
            ck_assert_msg(iggy_decompressed_size(c, z, zn, LIMIT, &size) == IGGY_OK, "%s %zu: %s",
                          codec, pn, iggy_last_error_detail());
            ck_assert_uint_eq(size, pn);
            ck_assert_msg(iggy_decompress(ctx, c, z, zn, out, pn) == IGGY_OK, "%s %zu: %s", codec,
                          pn, iggy_last_error_detail());
        } else {
            /* No declared size (streaming zstd, lz4 frame without contentSize): the size
             * check refuses; the bounded decoder reads it under a trusted cap. */
            uint8_t *big = guarded(LIMIT / 16);
            expect_bad(iggy_decompressed_size(c, z, zn, LIMIT, &size), "no content size");
            ck_assert_msg(iggy_decompress_bounded(ctx, c, z, zn, big, LIMIT / 16, &got) == IGGY_OK,
                          "%s %zu: %s", codec, pn, iggy_last_error_detail());
            ck_assert_uint_eq(got, pn);
            ck_assert(pn == 0 || memcmp(big, p, pn) == 0);
            ck_assert(guard_ok(big, LIMIT / 16));
            if (pn > 0)
                expect_bad(iggy_decompress_bounded(ctx, c, z, zn, out, pn - 1, &got),
                           "exceeds the");
            free(big);
            /* The exact decoder accepts it too once the size is known from elsewhere. */
            ck_assert_int_eq(iggy_decompress(ctx, c, z, zn, out, pn), IGGY_OK);
        }
        ck_assert(pn == 0 || memcmp(out, p, pn) == 0);
        ck_assert(guard_ok(out, pn));
        /* One byte short of the real size is refused without writing past dst. */
        if (pn > 0) {
            out[pn - 1] = CANARY;
            ck_assert_int_eq(iggy_decompress(ctx, c, z, zn, out, pn - 1),
                             IGGY_ERR__BAD_COMPRESSION);
            ck_assert(guard_ok(out, pn - 1));
        }
        per[c - 1][sized]++;
        rows++;
        free(p);
        free(z);
        free(out);
    }
    free(line);
    fclose(f);
    ck_assert_uint_ge(rows, 30);
    for (int c = 0; c < 3; c++)
        ck_assert_msg(per[c][1] >= 5, "codec %d: %zu sized vectors", c + 1, per[c][1]);
    ck_assert_uint_ge(per[0][0], 5); /* zstd unsized */
    ck_assert_uint_ge(per[2][0], 5); /* lz4 unsized */
    iggy_compress_ctx_free(ctx);
}
END_TEST

/* ---- bombs and liars ------------------------------------------------------------------- */
/* A real zstd bomb: a single-segment frame declaring `declared` bytes whose RLE blocks
 * (4 bytes each, 128 KiB of output each) produce `actual` bytes. 1 GiB takes 32 KiB. */
static uint8_t *zstd_rle_frame(uint64_t declared, uint64_t actual, size_t *len)
{
    const uint64_t blk = 128 * 1024;
    size_t nblocks = (size_t)((actual + blk - 1) / blk), pos = 0;
    uint8_t *f = malloc(13 + 4 * (nblocks ? nblocks : 1));
    ck_assert_ptr_nonnull(f);
    f[pos++] = 0x28, f[pos++] = 0xB5, f[pos++] = 0x2F, f[pos++] = 0xFD;
    f[pos++] = 0xE0; /* FCS field 8 bytes, single segment */
    for (int i = 0; i < 8; i++)
        f[pos++] = (uint8_t)(declared >> (8 * i));
    if (nblocks == 0) { /* one empty raw last block */
        f[pos++] = 0x01, f[pos++] = 0, f[pos++] = 0;
    }
    for (size_t b = 0; b < nblocks; b++) {
        uint64_t sz = (b + 1 < nblocks) ? blk : actual - blk * (nblocks - 1);
        uint32_t h = (uint32_t)(sz << 3) | (1u << 1) | (b + 1 == nblocks ? 1u : 0u);
        f[pos++] = (uint8_t)h, f[pos++] = (uint8_t)(h >> 8), f[pos++] = (uint8_t)(h >> 16);
        f[pos++] = 'Z';
    }
    *len = pos;
    return f;
}

/* Rewrites the snappy preamble (a varint) to `declared`. */
static uint8_t *snappy_relabel(const uint8_t *z, size_t n, uint64_t declared, size_t *len)
{
    size_t skip = 0, pos = 0;
    uint8_t *f = malloc(n + 10);
    while (skip < n && (z[skip] & 0x80))
        skip++;
    skip++;
    do {
        f[pos++] = (uint8_t)((declared & 0x7F) | (declared > 0x7F ? 0x80 : 0));
        declared >>= 7;
    } while (declared);
    memcpy(f + pos, z + skip, n - skip);
    *len = pos + n - skip;
    return f;
}

/* Rewrites the content size of one of our LZ4 frames (FLG 0x6C: content size present) and
 * recomputes the header checksum, so only the declared size lies. */
static void lz4_relabel(uint8_t *z, uint64_t declared)
{
    ck_assert_uint_eq(z[4] & 0x08, 0x08);
    for (int i = 0; i < 8; i++)
        z[6 + i] = (uint8_t)(declared >> (8 * i));
    z[14] = (uint8_t)(XXH32(z + 4, 10, 0) >> 8);
}

START_TEST(bombs_are_refused_before_allocation)
{
    const uint64_t gib = (uint64_t)1 << 30;
    const size_t cap = (size_t)1 << 20;
    iggy_compress_ctx_t *ctx;
    uint8_t *out = guarded(cap), *z, *bomb, small[2048];
    size_t zn, bn, size = 0, got = 0;

    ck_assert_int_eq(iggy_set_allocator(&test_counting_allocator), 0);
    ctx = iggy_compress_ctx_new();
    ck_assert_ptr_nonnull(ctx);
    fill_text(small, sizeof small, 3);

    /* zstd: a 32 KiB frame that really expands to 1 GiB. */
    bomb = zstd_rle_frame(gib, gib, &bn);
    ck_assert_uint_lt(bn, 40000);
    test_alloc_begin();
    expect_bad(iggy_decompressed_size(IGGY_COMPRESSION_CODEC_ZSTD, bomb, bn, LIMIT, &size),
               "decompressed size 1073741824 exceeds the 16777216-byte limit");
    expect_bad(iggy_decompress(ctx, IGGY_COMPRESSION_CODEC_ZSTD, bomb, bn, out, cap),
               "exceeds the 1048576-byte limit");
    expect_bad(iggy_decompress_bounded(ctx, IGGY_COMPRESSION_CODEC_ZSTD, bomb, bn, out, cap, &got),
               "exceeds the 1048576-byte limit");
    test_alloc_end();
    ck_assert(guard_ok(out, cap));
    ck_assert_msg(test_alloc_peak() < ((size_t)4 << 20), "largest allocation %zu",
                  test_alloc_peak());
    free(bomb);
    /* ... and frames whose declared size lies either way. */
    bomb = zstd_rle_frame(100, cap, &bn); /* declares 100, carries 1 MiB */
    ck_assert_int_eq(iggy_decompressed_size(IGGY_COMPRESSION_CODEC_ZSTD, bomb, bn, LIMIT, &size),
                     IGGY_OK);
    ck_assert_uint_eq(size, 100);
    memset(out, CANARY, cap);
    ck_assert_int_eq(iggy_decompress(ctx, IGGY_COMPRESSION_CODEC_ZSTD, bomb, bn, out, 100),
                     IGGY_ERR__BAD_COMPRESSION);
    ck_assert(untouched(out, 100, cap + GUARD)); /* nothing past the 100 bytes */
    ck_assert_int_eq(
        iggy_decompress_bounded(ctx, IGGY_COMPRESSION_CODEC_ZSTD, bomb, bn, out, cap, &got),
        IGGY_ERR__BAD_COMPRESSION);
    free(bomb);
    bomb = zstd_rle_frame(cap, 100, &bn); /* declares 1 MiB, carries 100 */
    ck_assert_int_eq(iggy_decompress(ctx, IGGY_COMPRESSION_CODEC_ZSTD, bomb, bn, out, cap),
                     IGGY_ERR__BAD_COMPRESSION);
    free(bomb);

    /* snappy: a preamble declaring 1 GiB in front of a small body. */
    z = pack(ctx, IGGY_COMPRESSION_CODEC_SNAPPY, 0, small, sizeof small, &zn);
    bomb = snappy_relabel(z, zn, gib, &bn);
    test_alloc_begin();
    expect_bad(iggy_decompressed_size(IGGY_COMPRESSION_CODEC_SNAPPY, bomb, bn, LIMIT, &size),
               "decompressed size 1073741824 exceeds the 16777216-byte limit");
    expect_bad(iggy_decompress(ctx, IGGY_COMPRESSION_CODEC_SNAPPY, bomb, bn, out, cap),
               "exceeds the 1048576-byte limit");
    test_alloc_end();
    ck_assert_uint_lt(test_alloc_peak(), (size_t)1 << 20);
    free(bomb);
    for (int d = -1; d <= 1; d += 2) { /* off by one either way */
        bomb = snappy_relabel(z, zn, sizeof small + (size_t)d, &bn);
        ck_assert_int_eq(
            iggy_decompressed_size(IGGY_COMPRESSION_CODEC_SNAPPY, bomb, bn, LIMIT, &size), IGGY_OK);
        memset(out, CANARY, cap);
        ck_assert_int_eq(iggy_decompress(ctx, IGGY_COMPRESSION_CODEC_SNAPPY, bomb, bn, out, size),
                         IGGY_ERR__BAD_COMPRESSION);
        ck_assert(untouched(out, size, cap + GUARD));
        free(bomb);
    }
    free(z);

    /* lz4: a frame declaring 1 GiB; and frames off by one either way. */
    z = pack(ctx, IGGY_COMPRESSION_CODEC_LZ4, 0, small, sizeof small, &zn);
    lz4_relabel(z, gib);
    test_alloc_begin();
    expect_bad(iggy_decompressed_size(IGGY_COMPRESSION_CODEC_LZ4, z, zn, LIMIT, &size),
               "decompressed size 1073741824 exceeds the 16777216-byte limit");
    ck_assert_int_eq(
        iggy_decompress_bounded(ctx, IGGY_COMPRESSION_CODEC_LZ4, z, zn, out, cap, &got),
        IGGY_ERR__BAD_COMPRESSION);
    test_alloc_end();
    ck_assert_uint_lt(test_alloc_peak(), (size_t)1 << 20);
    for (int d = -1; d <= 1; d += 2) {
        lz4_relabel(z, sizeof small + (size_t)d);
        ck_assert_int_eq(iggy_decompressed_size(IGGY_COMPRESSION_CODEC_LZ4, z, zn, LIMIT, &size),
                         IGGY_OK);
        memset(out, CANARY, cap);
        ck_assert_int_eq(iggy_decompress(ctx, IGGY_COMPRESSION_CODEC_LZ4, z, zn, out, size),
                         IGGY_ERR__BAD_COMPRESSION);
        ck_assert(untouched(out, size, cap + GUARD));
    }
    free(z);
    /* lz4: a real 1 MiB frame relabelled as 1 GiB stops at a smaller trusted cap. */
    {
        uint8_t *zeros = calloc(1, cap);
        z = pack(ctx, IGGY_COMPRESSION_CODEC_LZ4, 0, zeros, cap, &zn);
        lz4_relabel(z, gib);
        expect_bad(
            iggy_decompress_bounded(ctx, IGGY_COMPRESSION_CODEC_LZ4, z, zn, out, cap / 2, &got),
            "exceeds the 524288-byte limit");
        ck_assert(guard_ok(out, cap / 2));
        free(z);
        free(zeros);
    }
    /* Nothing above was allocated by the declared sizes through the iggy allocator either:
     * the codec allocates only its context there. */
    iggy_compress_ctx_free(ctx);
    ck_assert_int_eq(iggy_set_allocator(NULL), 0);
    free(out);
}
END_TEST

START_TEST(exact_size_is_required)
{
    iggy_compress_ctx_t *ctx = iggy_compress_ctx_new();
    uint8_t src[1000];
    fill_text(src, sizeof src, 5);
    for (size_t i = 0; i < NCODECS; i++) {
        iggy_compression_codec_t c = codecs[i];
        size_t zn, got;
        uint8_t *z = pack(ctx, c, 0, src, sizeof src, &zn), *out = guarded(sizeof src + 1);
        memset(out, CANARY, sizeof src + 1);
        expect_bad(iggy_decompress(ctx, c, z, zn, out, sizeof src - 1), "");
        ck_assert(untouched(out, sizeof src - 1, sizeof src + 1 + GUARD));
        expect_bad(iggy_decompress(ctx, c, z, zn, out, sizeof src + 1), "");
        ck_assert(guard_ok(out, sizeof src + 1));
        ck_assert_int_eq(iggy_decompress(ctx, c, z, zn, out, sizeof src), IGGY_OK);
        ck_assert_mem_eq(out, src, sizeof src);
        /* The limit applies to the declared size. */
        expect_bad(iggy_decompressed_size(c, z, zn, sizeof src - 1, &got),
                   "decompressed size 1000 exceeds the 999-byte limit");
        /* Trailing bytes after the frame are refused (not for NONE or raw snappy, which
         * have no end marker of their own). */
        if (c == IGGY_COMPRESSION_CODEC_ZSTD || c == IGGY_COMPRESSION_CODEC_LZ4) {
            uint8_t *tail = malloc(zn + 1);
            memcpy(tail, z, zn);
            tail[zn] = 0;
            expect_bad(iggy_decompress(ctx, c, tail, zn + 1, out, sizeof src), "after the frame");
            /* Truncated at every length. */
            for (size_t k = 0; k < zn; k++)
                ck_assert_int_eq(iggy_decompress(ctx, c, z, k, out, sizeof src),
                                 IGGY_ERR__BAD_COMPRESSION);
            free(tail);
        }
        free(z);
        free(out);
    }
    iggy_compress_ctx_free(ctx);
}
END_TEST

START_TEST(garbage_and_corruption_are_refused)
{
    iggy_compress_ctx_t *ctx = iggy_compress_ctx_new();
    uint8_t noise[512], out[4096], src[1000];
    size_t size;
    fill_random(noise, sizeof noise, 99);
    fill_text(src, sizeof src, 8);
    for (size_t i = 1; i < NCODECS; i++) {
        iggy_compression_codec_t c = codecs[i];
        size_t zn;
        uint8_t *z;
        /* Random bytes and plaintext are not frames. */
        ck_assert_int_ne(iggy_decompress(ctx, c, noise, sizeof noise, out, 100), IGGY_OK);
        ck_assert_int_ne(iggy_decompress(ctx, c, src, sizeof src, out, 1000), IGGY_OK);
        ck_assert_int_eq(iggy_decompressed_size(c, NULL, 0, LIMIT, &size),
                         IGGY_ERR__BAD_COMPRESSION);
        /* Every single-byte flip is either refused or (snappy has no checksum) decodes to
         * exactly the declared size: never past dst, never a crash. */
        z = pack(ctx, c, 0, src, sizeof src, &zn);
        for (size_t k = 0; k < zn; k++) {
            iggy_err_t err;
            z[k] ^= 0x5A;
            if (iggy_decompressed_size(c, z, zn, sizeof out, &size) == IGGY_OK) {
                err = iggy_decompress(ctx, c, z, zn, out, size);
                ck_assert(err == IGGY_OK || err == IGGY_ERR__BAD_COMPRESSION);
                /* LZ4's content checksum: accepted only if the output is the original (a
                 * flipped match offset can point at identical bytes in repetitive text). */
                if (c == IGGY_COMPRESSION_CODEC_LZ4 && err == IGGY_OK)
                    ck_assert_msg(size == sizeof src && memcmp(out, src, size) == 0,
                                  "lz4 flip at %zu of %zu accepted", k, zn);
            }
            z[k] ^= 0x5A;
        }
        ck_assert_int_eq(iggy_decompress(ctx, c, z, zn, out, sizeof src), IGGY_OK);
        free(z);
    }
    iggy_compress_ctx_free(ctx);
}
END_TEST

/* ---- allocation ------------------------------------------------------------------------ */
START_TEST(steady_state_allocates_nothing)
{
    const size_t n = 256 * 1024;
    uint8_t *src = malloc(n), *z, *out = malloc(n);
    iggy_compress_ctx_t *ctx;
    size_t bound = iggy_compress_bound(IGGY_COMPRESSION_CODEC_ZSTD, n), zn;
    bool hook_live = test_alloc_malloc_hook_live();
    ck_assert_int_eq(iggy_set_allocator(&test_counting_allocator), 0);
    test_alloc_begin();
    ctx = iggy_compress_ctx_new();
    ck_assert_uint_ge(test_alloc_end(), 1); /* the context came through the hook */
    if (iggy_compress_bound(IGGY_COMPRESSION_CODEC_LZ4, n) > bound)
        bound = iggy_compress_bound(IGGY_COMPRESSION_CODEC_LZ4, n);
    if (iggy_compress_bound(IGGY_COMPRESSION_CODEC_SNAPPY, n) > bound)
        bound = iggy_compress_bound(IGGY_COMPRESSION_CODEC_SNAPPY, n);
    z = malloc(bound);
    fill_text(src, n, 1);
    for (size_t i = 1; i < NCODECS; i++) {
        iggy_compression_codec_t c = codecs[i];
        for (int round = 0; round < 2; round++) { /* round 0 warms the contexts up */
            size_t comp = 0, dec = 0;
            for (int k = 0; k < 20; k++) {
                iggy_err_t e1, e2;
                /* (no ck_assert inside the window: Check itself allocates there) */
                test_alloc_begin();
                e1 = iggy_compress(ctx, c, 1, src, n - (size_t)k, z, bound, &zn);
                comp += test_alloc_end();
                test_alloc_begin();
                e2 = iggy_decompress(ctx, c, z, zn, out, n - (size_t)k);
                dec += test_alloc_end();
                ck_assert_int_eq(e1, IGGY_OK);
                ck_assert_int_eq(e2, IGGY_OK);
            }
            if (round == 0)
                continue;
            ck_assert_msg(dec == 0, "%s: %zu allocations in 20 decompressions", iggy_codec_name(c),
                          dec);
            if (c == IGGY_COMPRESSION_CODEC_SNAPPY) /* C++ operator new is not hooked */
                fprintf(stderr, "snappy compression: not counted (libsnappy allocates its "
                                "working memory with operator new on every call)\n");
            else
                ck_assert_msg(comp == 0, "%s: %zu allocations in 20 compressions",
                              iggy_codec_name(c), comp);
        }
    }
    if (!hook_live)
        fprintf(stderr, "SKIPPED counting libzstd/liblz4-internal mallocs (sanitizer or valgrind "
                        "owns malloc); only the iggy allocator hook was counted\n");
    iggy_compress_ctx_free(ctx);
    ck_assert_int_eq(iggy_set_allocator(NULL), 0);
    free(src);
    free(z);
    free(out);
}
END_TEST

/* ---- bounds of frames without a declared size ------------------------------------------ */

/* An LZ4 frame of src without a content size, blocks of 64 KiB (lz4_flex's default); stored
 * blocks when the data does not compress. */
static uint8_t *lz4_unsized(const uint8_t *src, size_t n, size_t *len)
{
    LZ4F_preferences_t p;
    size_t cap;
    uint8_t *dst;
    memset(&p, 0, sizeof p);
    p.frameInfo.blockSizeID = LZ4F_max64KB;
    p.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
    cap = LZ4F_compressFrameBound(n, &p);
    dst = malloc(cap);
    ck_assert_ptr_nonnull(dst);
    *len = LZ4F_compressFrame(dst, cap, src, n, &p);
    ck_assert(!LZ4F_isError(*len));
    ck_assert_uint_eq(dst[4] & 0x08, 0);
    return dst;
}

START_TEST(decompressed_bound_reads_block_headers)
{
    const size_t n = 200000; /* four 64 KiB blocks, the last one partial */
    iggy_compress_ctx_t *ctx = iggy_compress_ctx_new();
    uint8_t *text = malloc(n), *noise = malloc(n), *out = guarded(n), *z;
    FILE *f = fopen(test_data_path("compression_vectors.txt"), "r");
    char *line = NULL;
    size_t cap = 0, zn, got = 0, unsized = 0, bound;
    uint64_t calls;

    ck_assert(ctx && text && noise && f);
    fill_text(text, n, 9);
    fill_random(noise, n, 9);
    /* LZ4: compressed blocks count at most the block size, stored ones exactly. */
    z = lz4_unsized(text, n, &zn);
    ck_assert_uint_eq(iggy_decompressed_bound(IGGY_COMPRESSION_CODEC_LZ4, z, zn), 4u << 16);
    /* Cut short: what the blocks present can produce, plus one partial block. */
    ck_assert_uint_le(iggy_decompressed_bound(IGGY_COMPRESSION_CODEC_LZ4, z, zn / 2), 4u << 16);
    ck_assert_uint_ge(iggy_decompressed_bound(IGGY_COMPRESSION_CODEC_LZ4, z, zn / 2), 1u << 16);
    free(z);
    z = lz4_unsized(noise, n, &zn);
    ck_assert_uint_eq(iggy_decompressed_bound(IGGY_COMPRESSION_CODEC_LZ4, z, zn), n);
    free(z);
    /* zstd without a content size: blocks x min(window, 128 KiB). */
    {
        ZSTD_CCtx *zc = ZSTD_createCCtx();
        size_t zcap = ZSTD_compressBound(n);
        z = malloc(zcap);
        ck_assert(zc && z);
        ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(zc, ZSTD_c_contentSizeFlag, 0)));
        zn = ZSTD_compress2(zc, z, zcap, text, n);
        ck_assert(!ZSTD_isError(zn));
        ZSTD_freeCCtx(zc);
        bound = iggy_decompressed_bound(IGGY_COMPRESSION_CODEC_ZSTD, z, zn);
        ck_assert_uint_ge(bound, n);
        ck_assert_uint_le(bound, n + (128u << 10));
        ck_assert_uint_eq(iggy_decompressed_bound(IGGY_COMPRESSION_CODEC_ZSTD, z, zn - 1),
                          SIZE_MAX);
        free(z);
    }
    /* Frames that declare their size, other codecs and garbage: no bound from here. */
    z = pack(ctx, IGGY_COMPRESSION_CODEC_LZ4, 0, text, n, &zn);
    ck_assert_uint_eq(iggy_decompressed_bound(IGGY_COMPRESSION_CODEC_LZ4, z, zn), SIZE_MAX);
    free(z);
    z = pack(ctx, IGGY_COMPRESSION_CODEC_SNAPPY, 0, text, n, &zn);
    ck_assert_uint_eq(iggy_decompressed_bound(IGGY_COMPRESSION_CODEC_SNAPPY, z, zn), SIZE_MAX);
    free(z);
    ck_assert_uint_eq(iggy_decompressed_bound(IGGY_COMPRESSION_CODEC_ZSTD, noise, 64), SIZE_MAX);
    ck_assert_uint_eq(iggy_decompressed_bound(IGGY_COMPRESSION_CODEC_LZ4, NULL, 0), SIZE_MAX);

    /* Every unsized frame of the other implementations decodes into a buffer of its bound. */
    while (getline(&line, &cap, f) > 0) {
        char *codec, *kind, *plain, *packed;
        iggy_compression_codec_t c;
        size_t pn;
        uint8_t *p, *big;
        if (!test_compression_row(line, &codec, &kind, &plain, &packed))
            continue;
        if (strcmp(kind, "unsized") != 0)
            continue;
        ck_assert_int_eq(iggy_codec_from_name((const uint8_t *)codec, strlen(codec), &c), 0);
        p = test_unhex(plain, &pn);
        z = test_unhex(packed, &zn);
        bound = iggy_decompressed_bound(c, z, zn);
        ck_assert_msg(bound >= pn && bound < SIZE_MAX, "%s %zu bytes: bound %zu", codec, pn, bound);
        big = guarded(bound);
        ck_assert_msg(iggy_decompress_bounded(ctx, c, z, zn, big, bound, &got) == IGGY_OK,
                      "%s %zu: %s", codec, pn, iggy_last_error_detail());
        ck_assert(got == pn && (pn == 0 || memcmp(big, p, pn) == 0) && guard_ok(big, bound));
        unsized++;
        free(big);
        free(p);
        free(z);
    }
    ck_assert_uint_ge(unsized, 10);

    /* The context counts every decompression that reached a codec, failed ones too. */
    calls = iggy_compress_ctx_decompress_calls(ctx);
    z = pack(ctx, IGGY_COMPRESSION_CODEC_ZSTD, 0, text, 1000, &zn);
    ck_assert_int_eq(iggy_decompress(ctx, IGGY_COMPRESSION_CODEC_ZSTD, z, zn, out, 1000), IGGY_OK);
    ck_assert_int_eq(iggy_decompress(ctx, IGGY_COMPRESSION_CODEC_ZSTD, z, zn, out, 999),
                     IGGY_ERR__BAD_COMPRESSION);
    ck_assert_int_eq(
        iggy_decompress_bounded(ctx, IGGY_COMPRESSION_CODEC_ZSTD, z, zn, out, 1000, &got), IGGY_OK);
    ck_assert_uint_eq(iggy_compress_ctx_decompress_calls(ctx), calls + 3);
    ck_assert_uint_eq(iggy_compress_ctx_decompress_calls(NULL), 0);
    free(z);
    free(line);
    fclose(f);
    free(text);
    free(noise);
    free(out);
    iggy_compress_ctx_free(ctx);
}
END_TEST

/* Found by fuzz_decompress: a zstd frame without a content size whose RLE block (32769 bytes)
 * is larger than its 16 KiB window, which the format calls corrupt; libzstd decoded it anyway,
 * past the bound iggy_decompressed_bound() promises. The bounded decoder refuses it now, into
 * any buffer, while a block the window allows still decodes. */
START_TEST(a_zstd_block_larger_than_its_window_is_refused)
{
    static const uint8_t bad[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x20, 0x0b, 0x00, 0x04, 0x03};
    static const uint8_t good[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x20, 0x03, 0x00, 0x02, 0x03};
    const size_t cap = 1u << 20;
    iggy_compress_ctx_t *ctx = iggy_compress_ctx_new();
    uint8_t *out = guarded(cap);
    size_t got = 0;

    ck_assert_ptr_nonnull(ctx);
    ck_assert(iggy_compress_size_unknown(IGGY_COMPRESSION_CODEC_ZSTD, bad, sizeof bad));
    ck_assert_uint_eq(iggy_decompressed_bound(IGGY_COMPRESSION_CODEC_ZSTD, bad, sizeof bad), 16384);
    memset(out, CANARY, cap);
    expect_bad(
        iggy_decompress_bounded(ctx, IGGY_COMPRESSION_CODEC_ZSTD, bad, sizeof bad, out, cap, &got),
        "more than the 16384 bytes its blocks allow");
    ck_assert(untouched(out, 16384, cap) && guard_ok(out, cap));
    expect_bad(
        iggy_decompress_bounded(ctx, IGGY_COMPRESSION_CODEC_ZSTD, bad, sizeof bad, out, 1000, &got),
        "exceeds the 1000-byte limit");

    ck_assert_uint_eq(iggy_decompressed_bound(IGGY_COMPRESSION_CODEC_ZSTD, good, sizeof good),
                      16384);
    ck_assert_int_eq(iggy_decompress_bounded(ctx, IGGY_COMPRESSION_CODEC_ZSTD, good, sizeof good,
                                             out, cap, &got),
                     IGGY_OK);
    ck_assert_uint_eq(got, 16384);
    for (size_t i = 0; i < got; i++)
        ck_assert_uint_eq(out[i], 0x03);
    free(out);
    iggy_compress_ctx_free(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compress");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, codec_names);
    tcase_add_test(tc, round_trips_every_codec);
    tcase_add_test(tc, output_buffer_below_bound_is_refused);
    tcase_add_test(tc, decodes_payloads_from_other_implementations);
    tcase_add_test(tc, bombs_are_refused_before_allocation);
    tcase_add_test(tc, exact_size_is_required);
    tcase_add_test(tc, garbage_and_corruption_are_refused);
    tcase_add_test(tc, steady_state_allocates_nothing);
    tcase_add_test(tc, decompressed_bound_reads_block_headers);
    tcase_add_test(tc, a_zstd_block_larger_than_its_window_is_refused);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
