/* AES-256-GCM (src/codec/iggy_crypto.c); byte 0 % 4 picks the mode (FUZZ_DECRYPT_*):
 *   OPEN       the rest is a sealed payload opened with FUZZ_KEY: IGGY_OK with exactly
 *              n - 28 bytes, or IGGY_ERR_CANNOT_DECRYPT_DATA with a detail and no plaintext
 *              left in the output;
 *   ROUNDTRIP  a key (32 bytes) then a plaintext: seal, open to the same bytes, and a sealed
 *              copy with one byte flipped (where the input says) never opens;
 *   KEY_TEXT   the rest as key text (64 hex digits or padded base64): a parsed key writes
 *              back as the same hex text, a refused one leaves the key untouched;
 *   POLL       the rest as the sealed payload of a one-message poll reply decoded with the
 *              key (fuzz_poll_common.h): the message opens exactly when OPEN succeeds. */
#include "fuzz_poll_common.h"

static uint8_t *open_sealed(iggy_crypto_ctx_t *ctx, const uint8_t *key, const uint8_t *src,
                            size_t n, size_t *len, iggy_err_t *err)
{
    uint8_t *dst = calloc(1, n ? n : 1);
    FUZZ_CHECK(dst != NULL, "calloc %zu", n);
    *len = SIZE_MAX;
    iggy_detail_clear();
    *err = iggy_decrypt(ctx, key, src, n, dst, len);
    FUZZ_CHECK(*err == IGGY_OK || *err == IGGY_ERR_CANNOT_DECRYPT_DATA, "decrypt: %d", (int)*err);
    FUZZ_CHECK_DETAIL(*err);
    if (*err == IGGY_OK) {
        FUZZ_CHECK(*len == n - IGGY_CRYPTO_OVERHEAD, "opened %zu bytes of %zu", *len, n);
    } else {
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(dst[i] == 0, "byte %zu of a failed decryption is left in the output", i);
    }
    return dst;
}

static void roundtrip(iggy_crypto_ctx_t *ctx, const uint8_t *data, size_t size)
{
    uint8_t key[IGGY_CRYPTO_KEY_SIZE], *sealed, *opened;
    size_t n, len, flip;
    iggy_err_t err;

    if (size < IGGY_CRYPTO_KEY_SIZE + 1)
        return;
    memcpy(key, data, sizeof key);
    flip = data[IGGY_CRYPTO_KEY_SIZE];
    data += IGGY_CRYPTO_KEY_SIZE + 1;
    n = size - IGGY_CRYPTO_KEY_SIZE - 1;
    sealed = malloc(n + IGGY_CRYPTO_OVERHEAD);
    FUZZ_CHECK(sealed != NULL, "malloc");
    FUZZ_CHECK(iggy_encrypt(ctx, key, data, n, sealed) == IGGY_OK, "encrypt %zu bytes", n);
    opened = open_sealed(ctx, key, sealed, n + IGGY_CRYPTO_OVERHEAD, &len, &err);
    FUZZ_CHECK(err == IGGY_OK && len == n && (n == 0 || memcmp(opened, data, n) == 0),
               "round trip of %zu bytes", n);
    free(opened);
    sealed[flip % (n + IGGY_CRYPTO_OVERHEAD)] ^= 0x01;
    opened = open_sealed(ctx, key, sealed, n + IGGY_CRYPTO_OVERHEAD, &len, &err);
    FUZZ_CHECK(err == IGGY_ERR_CANNOT_DECRYPT_DATA, "a modified byte at %zu opened",
               flip % (n + IGGY_CRYPTO_OVERHEAD));
    free(opened);
    free(sealed);
}

static void key_text(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), hex[2 * IGGY_CRYPTO_KEY_SIZE + 1];
    uint8_t key[IGGY_CRYPTO_KEY_SIZE], again[IGGY_CRYPTO_KEY_SIZE];
    FUZZ_CHECK(text != NULL, "malloc");
    memcpy(text, data, size);
    text[size] = '\0';
    memset(key, 0xA5, sizeof key);
    iggy_detail_clear();
    if (iggy_key_parse(text, key) == 0) {
        for (size_t i = 0; i < sizeof key; i++)
            snprintf(hex + 2 * i, 3, "%02x", key[i]);
        FUZZ_CHECK(iggy_key_parse(hex, again) == 0 && memcmp(key, again, sizeof key) == 0,
                   "a parsed key does not parse back from its hex text");
    } else {
        FUZZ_CHECK(iggy_last_error_detail()[0] != '\0', "refused key text without detail");
        for (size_t i = 0; i < sizeof key; i++)
            FUZZ_CHECK(key[i] == 0xA5, "a refused key text wrote the key");
    }
    free(text);
}

static void poll(const uint8_t *data, size_t size)
{
    fuzz_poll_ctx_t *c = fuzz_poll_ctx();
    iggy_polled_messages_t *out = NULL;
    size_t len, reply_len;
    iggy_err_t err;
    uint8_t *src = fuzz_dup(data, size),
            *opened = open_sealed(c->crypto, FUZZ_KEY, src, size, &len, &err);
    uint8_t *reply = fuzz_poll_reply(src, size, NULL, 0, 1, &reply_len);
    FUZZ_CHECK(fuzz_poll_decode(reply, reply_len, FUZZ_POLL_DECRYPT, &out) == IGGY_OK,
               "a well-formed reply did not decode");
    FUZZ_CHECK(out->count == 1, "%zu messages", out->count);
    FUZZ_CHECK((out->messages[0].error == IGGY_OK) == (err == IGGY_OK),
               "poll opened: %d, iggy_decrypt: %d", out->messages[0].error, (int)err);
    if (err == IGGY_OK)
        FUZZ_CHECK(out->messages[0].payload_len == len &&
                       (len == 0 || memcmp(out->messages[0].payload, opened, len) == 0),
                   "the poll's plaintext differs");
    iggy_result_destroy(out);
    free(reply);
    free(opened);
    free(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_poll_ctx_t *c;
    fuzz_setup();
    if (size < 1)
        return 0;
    c = fuzz_poll_ctx();
    switch (data[0] % 4) {
    case FUZZ_DECRYPT_OPEN: {
        size_t len;
        iggy_err_t err;
        uint8_t *src = fuzz_dup(data + 1, size - 1);
        free(open_sealed(c->crypto, FUZZ_KEY, src, size - 1, &len, &err));
        free(src);
        break;
    }
    case FUZZ_DECRYPT_ROUNDTRIP:
        roundtrip(c->crypto, data + 1, size - 1);
        break;
    case FUZZ_DECRYPT_KEY_TEXT:
        key_text(data + 1, size - 1);
        break;
    default:
        poll(data + 1, size - 1);
        break;
    }
    return 0;
}
