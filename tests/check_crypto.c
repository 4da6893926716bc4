/* AES-256-GCM in the Rust SDK's format (src/codec/iggy_crypto.c): round trips, the sealed
 * vectors the Rust aes-gcm crate produced (tests/data/aes256gcm_vectors.txt), refusal of wrong
 * keys, truncated, modified and unencrypted input, nonce freshness, key parsing and zero
 * steady-state allocation. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iggy/alloc.h>
#include <iggy/error.h>

#include "codec/iggy_crypto.h"
#include "test_alloc.h"
#include "test_data.h"
#include "test_main.h"

typedef struct vec {
    uint8_t key[32];
    uint8_t *plain, *sealed;
    size_t plain_len, sealed_len;
} vec_t;

/* Loads the Rust-produced vectors; the caller frees with free_vectors. */
static vec_t *load_vectors(size_t *count)
{
    FILE *f = fopen(test_data_path("aes256gcm_vectors.txt"), "r");
    char *line = NULL;
    size_t cap = 0, n = 0;
    vec_t *v = calloc(64, sizeof(*v));
    ck_assert_msg(f != NULL, "cannot open %s", test_data_path("aes256gcm_vectors.txt"));
    while (getline(&line, &cap, f) > 0) {
        char *k, *p, *s, *save = NULL;
        size_t kn;
        uint8_t *key;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        ck_assert_uint_lt(n, 64);
        k = strtok_r(line, " \n", &save);
        p = strtok_r(NULL, " \n", &save);
        s = strtok_r(NULL, " \n", &save);
        ck_assert(k && p && s);
        key = test_unhex(k, &kn);
        ck_assert_uint_eq(kn, 32);
        memcpy(v[n].key, key, 32);
        free(key);
        v[n].plain = test_unhex(p, &v[n].plain_len);
        v[n].sealed = test_unhex(s, &v[n].sealed_len);
        n++;
    }
    free(line);
    fclose(f);
    *count = n;
    return v;
}

static void free_vectors(vec_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].plain);
        free(v[i].sealed);
    }
    free(v);
}

static void expect_refused(iggy_crypto_ctx_t *ctx, const uint8_t *key, const uint8_t *src, size_t n,
                           const char *needle)
{
    uint8_t *dst = malloc(n + 1);
    size_t len = 777;
    memset(dst, 0xEE, n + 1);
    ck_assert_int_eq(iggy_decrypt(ctx, key, src, n, dst, &len), IGGY_ERR_CANNOT_DECRYPT_DATA);
    ck_assert_msg(strstr(iggy_last_error_detail(), needle) != NULL, "detail '%s' lacks '%s'",
                  iggy_last_error_detail(), needle);
    ck_assert_uint_eq(len, 777);
    /* No unauthenticated plaintext is left behind. */
    if (n >= IGGY_CRYPTO_OVERHEAD)
        for (size_t i = 0; i < n - IGGY_CRYPTO_OVERHEAD; i++)
            ck_assert_uint_eq(dst[i], 0);
    free(dst);
}

/* ---- tests ----------------------------------------------------------------------------- */
START_TEST(round_trip_and_layout)
{
    static const size_t sizes[] = {0, 1, 12, 15, 16, 17, 255, 4096, 1 << 20};
    uint8_t key[32];
    iggy_crypto_ctx_t *ctx = iggy_crypto_ctx_new();
    ck_assert_ptr_nonnull(ctx);
    ck_assert_int_eq(IGGY_CRYPTO_OVERHEAD, 28);
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(0xA0 + i);
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        size_t n = sizes[s], len = 0;
        uint8_t *src = malloc(n + 1), *sealed = malloc(n + IGGY_CRYPTO_OVERHEAD + 1),
                *back = malloc(n + 2);
        for (size_t i = 0; i < n; i++)
            src[i] = (uint8_t)(i * 31 + 7);
        sealed[n + IGGY_CRYPTO_OVERHEAD] = 0xC3; /* canary after n + 28 */
        back[n] = 0xC3;
        ck_assert_int_eq(iggy_encrypt(ctx, key, src, n, sealed), IGGY_OK);
        ck_assert_uint_eq(sealed[n + IGGY_CRYPTO_OVERHEAD], 0xC3);
        /* Ciphertext differs from the plaintext (CTR keystream). */
        ck_assert(n < 16 || memcmp(sealed + 12, src, n) != 0);
        ck_assert_int_eq(iggy_decrypt(ctx, key, sealed, n + IGGY_CRYPTO_OVERHEAD, back, &len),
                         IGGY_OK);
        ck_assert_uint_eq(len, n);
        ck_assert(n == 0 || memcmp(back, src, n) == 0);
        ck_assert_uint_eq(back[n], 0xC3);
        free(src);
        free(sealed);
        free(back);
    }
    iggy_crypto_ctx_free(ctx);
}
END_TEST

START_TEST(opens_vectors_sealed_by_the_rust_aes_gcm_crate)
{
    size_t n, empty = 0, kib = 0;
    vec_t *v = load_vectors(&n);
    iggy_crypto_ctx_t *ctx = iggy_crypto_ctx_new();
    ck_assert_uint_ge(n, 5);
    for (size_t i = 0; i < n; i++) {
        uint8_t *out = malloc(v[i].sealed_len + 1);
        size_t len = 0;
        ck_assert_uint_eq(v[i].sealed_len, v[i].plain_len + IGGY_CRYPTO_OVERHEAD);
        ck_assert_msg(iggy_decrypt(ctx, v[i].key, v[i].sealed, v[i].sealed_len, out, &len) ==
                          IGGY_OK,
                      "vector %zu: %s", i, iggy_last_error_detail());
        ck_assert_uint_eq(len, v[i].plain_len);
        ck_assert(len == 0 || memcmp(out, v[i].plain, len) == 0);
        empty += v[i].plain_len == 0;
        kib += v[i].plain_len == 1024;
        free(out);
    }
    ck_assert_uint_ge(empty, 1);
    ck_assert_uint_ge(kib, 1);
    iggy_crypto_ctx_free(ctx);
    free_vectors(v, n);
}
END_TEST

START_TEST(tampering_wrong_keys_and_plaintext_are_refused)
{
    size_t n;
    vec_t *v = load_vectors(&n);
    iggy_crypto_ctx_t *ctx = iggy_crypto_ctx_new();
    for (size_t i = 0; i < n; i++) {
        uint8_t wrong[32], *s = v[i].sealed;
        size_t sn = v[i].sealed_len;
        memcpy(wrong, v[i].key, 32);
        wrong[31] ^= 1;
        expect_refused(ctx, wrong, s, sn, "authentication failed");
        /* Every flipped byte: nonce, ciphertext, tag. */
        for (size_t k = 0; k < sn; k += (sn > 200 ? 37 : 1)) {
            s[k] ^= 0x80;
            expect_refused(ctx, v[i].key, s, sn, "authentication failed");
            s[k] ^= 0x80;
        }
        s[sn - 1] ^= 1; /* the tag's last byte */
        expect_refused(ctx, v[i].key, s, sn, "authentication failed");
        s[sn - 1] ^= 1;
        /* Truncated anywhere, including below nonce + tag. */
        expect_refused(ctx, v[i].key, s, sn - 1, "");
        for (size_t k = 0; k < IGGY_CRYPTO_OVERHEAD; k++)
            expect_refused(ctx, v[i].key, s, k, "shorter than nonce + tag");
        /* Unencrypted input (a consumer with a key reading a clear message). */
        if (v[i].plain_len >= IGGY_CRYPTO_OVERHEAD)
            expect_refused(ctx, v[i].key, v[i].plain, v[i].plain_len, "authentication failed");
        else
            expect_refused(ctx, v[i].key, v[i].plain, v[i].plain_len, "shorter than");
    }
    /* The context still works after all those failures. */
    {
        uint8_t out[64];
        size_t len;
        ck_assert_int_eq(iggy_decrypt(ctx, v[0].key, v[0].sealed, v[0].sealed_len, out, &len),
                         IGGY_OK);
        ck_assert_uint_eq(len, v[0].plain_len);
    }
    iggy_crypto_ctx_free(ctx);
    free_vectors(v, n);
}
END_TEST

START_TEST(nonces_are_fresh)
{
    uint8_t key[32] = {1}, a[28 + 12], b[28 + 12];
    const uint8_t *msg = (const uint8_t *)"Hello World!";
    iggy_crypto_ctx_t *ctx = iggy_crypto_ctx_new();
    ck_assert_int_eq(iggy_encrypt(ctx, key, msg, 12, a), IGGY_OK);
    ck_assert_int_eq(iggy_encrypt(ctx, key, msg, 12, b), IGGY_OK);
    ck_assert(memcmp(a, b, 12) != 0);           /* nonce */
    ck_assert(memcmp(a + 12, b + 12, 28) != 0); /* ciphertext and tag */
    /* 1000 nonces, no repeats (a repeated GCM nonce under one key is catastrophic). */
    {
        static uint8_t seen[1000][12];
        for (int i = 0; i < 1000; i++) {
            ck_assert_int_eq(iggy_encrypt(ctx, key, msg, 12, a), IGGY_OK);
            memcpy(seen[i], a, 12);
            for (int j = 0; j < i; j++)
                ck_assert(memcmp(seen[i], seen[j], 12) != 0);
        }
    }
    iggy_crypto_ctx_free(ctx);
}
END_TEST

START_TEST(key_parsing)
{
    uint8_t key[32], expect[32];
    memset(key, 0x77, sizeof key);
    for (int i = 0; i < 32; i++)
        expect[i] = (uint8_t)i;
    ck_assert_int_eq(
        iggy_key_parse("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", key), 0);
    ck_assert_mem_eq(key, expect, 32);
    memset(key, 0, sizeof key);
    ck_assert_int_eq(
        iggy_key_parse("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", key), 0);
    ck_assert_mem_eq(key, expect, 32);
    /* base64 of 0x00..0x1f, and of 32 x 0x01 (the key in the Rust SDK's own test) */
    memset(key, 0, sizeof key);
    ck_assert_int_eq(iggy_key_parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", key), 0);
    ck_assert_mem_eq(key, expect, 32);
    ck_assert_int_eq(iggy_key_parse("AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=", key), 0);
    memset(expect, 1, sizeof expect);
    ck_assert_mem_eq(key, expect, 32);
    /* Refused: wrong lengths, bad digits, non-canonical or unpadded base64, 16/24-byte keys. */
    {
        static const char *bad[] = {
            "",
            "00",
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1",
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00",
            "g00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh*=",
            "AAECAwQFBgcICQoLDA0ODw==",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYX",
            "0123456789abcdef0123456789abcdef",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            memset(key, 0x55, sizeof key);
            ck_assert_msg(iggy_key_parse(bad[i], key) == -1, "accepted '%s'", bad[i]);
            ck_assert_ptr_nonnull(strstr(iggy_last_error_detail(), "64 hex digits"));
            for (int k = 0; k < 32; k++)
                ck_assert_uint_eq(key[k], 0x55);
        }
    }
    ck_assert_int_eq(iggy_key_parse(NULL, key), -1);
}
END_TEST

START_TEST(steady_state_allocates_nothing)
{
    uint8_t key[32] = {9}, src[4096], sealed[4096 + 28], out[4096];
    size_t len;
    int bad = 0;
    bool hook_live = test_alloc_malloc_hook_live();
    iggy_crypto_ctx_t *ctx;
    size_t calls = 0;
    ck_assert_int_eq(iggy_set_allocator(&test_counting_allocator), 0);
    test_alloc_begin();
    ctx = iggy_crypto_ctx_new();
    ck_assert_uint_ge(test_alloc_end(), 1); /* the context came through the hook */
    memset(src, 'q', sizeof src);
    for (int round = 0; round < 2; round++) { /* round 0 warms OpenSSL's DRBG up */
        test_alloc_begin();
        /* No ck_assert inside the window: Check itself allocates there. */
        for (int i = 0; i < 100; i++) {
            size_t n = sizeof src - (size_t)i;
            bad += iggy_encrypt(ctx, key, src, n, sealed) != IGGY_OK;
            bad += iggy_decrypt(ctx, key, sealed, n + 28, out, &len) != IGGY_OK || len != n;
        }
        calls = test_alloc_end();
        ck_assert_int_eq(bad, 0);
    }
    ck_assert_msg(calls == 0, "%zu allocations in 100 encrypt+decrypt after warm-up", calls);
    if (!hook_live)
        fprintf(stderr, "SKIPPED counting OpenSSL-internal mallocs (sanitizer or valgrind owns "
                        "malloc); only the iggy allocator hook was counted\n");
    iggy_crypto_ctx_free(ctx);
    ck_assert_int_eq(iggy_set_allocator(NULL), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("crypto");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, round_trip_and_layout);
    tcase_add_test(tc, opens_vectors_sealed_by_the_rust_aes_gcm_crate);
    tcase_add_test(tc, tampering_wrong_keys_and_plaintext_are_refused);
    tcase_add_test(tc, nonces_are_fresh);
    tcase_add_test(tc, key_parsing);
    tcase_add_test(tc, steady_state_allocates_nothing);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
