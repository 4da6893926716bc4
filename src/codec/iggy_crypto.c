/* AES-256-GCM sealing in the Rust SDK's layout. See iggy_crypto.h. */
#include "codec/iggy_crypto.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "iggy_alloc.h"
#include "iggy_error_internal.h"

struct iggy_crypto_ctx {
    EVP_CIPHER_CTX *evp; /* bound to AES-256-GCM once; each call only sets key and nonce */
};

/* EVP lengths are int: feed long inputs in chunks. */
#define CHUNK ((size_t)1 << 30)

iggy_crypto_ctx_t *iggy_crypto_ctx_new(void)
{
    iggy_crypto_ctx_t *ctx = iggy_mem_calloc(1, sizeof(*ctx));
    if (!ctx)
        return NULL;
    ctx->evp = EVP_CIPHER_CTX_new();
    /* The default GCM IV length is 12, the Rust SDK's nonce size. */
    if (!ctx->evp || EVP_CipherInit_ex(ctx->evp, EVP_aes_256_gcm(), NULL, NULL, NULL, 1) != 1) {
        iggy_crypto_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

void iggy_crypto_ctx_free(iggy_crypto_ctx_t *ctx)
{
    if (!ctx)
        return;
    EVP_CIPHER_CTX_free(ctx->evp);
    iggy_mem_free(ctx);
}

/* Runs the keyed cipher over src[0..n) into dst; false on an OpenSSL failure. n == 0 must
 * skip EVP_CipherUpdate: a NULL output there would mean AAD. */
static int run(EVP_CIPHER_CTX *c, const uint8_t *src, size_t n, uint8_t *dst)
{
    size_t done = 0;
    while (done < n) {
        size_t step = n - done < CHUNK ? n - done : CHUNK;
        int out = 0;
        if (EVP_CipherUpdate(c, dst + done, &out, src + done, (int)step) != 1 ||
            (size_t)out != step)
            return 0;
        done += step;
    }
    return 1;
}

iggy_err_t iggy_encrypt(iggy_crypto_ctx_t *ctx, const uint8_t key[IGGY_CRYPTO_KEY_SIZE],
                        const uint8_t *src, size_t n, uint8_t *dst)
{
    uint8_t *nonce = dst, *body = dst + IGGY_CRYPTO_NONCE_SIZE;
    int fin = 0;
    if (!ctx || !key || !dst || (!src && n))
        return iggy_fail(IGGY_ERR__INVALID_ARG, "iggy_encrypt: missing argument");
    if (n > SIZE_MAX - IGGY_CRYPTO_OVERHEAD)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "iggy_encrypt: %zu bytes is too long", n);
    if (RAND_bytes(nonce, IGGY_CRYPTO_NONCE_SIZE) != 1)
        return iggy_fail(IGGY_ERR_CANNOT_ENCRYPT_DATA, "AES-256-GCM: no random nonce");
    if (EVP_CipherInit_ex(ctx->evp, NULL, NULL, key, nonce, 1) != 1 ||
        !run(ctx->evp, src, n, body) || EVP_CipherFinal_ex(ctx->evp, body + n, &fin) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx->evp, EVP_CTRL_GCM_GET_TAG, IGGY_CRYPTO_TAG_SIZE, body + n) != 1)
        return iggy_fail(IGGY_ERR_CANNOT_ENCRYPT_DATA, "AES-256-GCM: encryption failed");
    return IGGY_OK;
}

iggy_err_t iggy_decrypt(iggy_crypto_ctx_t *ctx, const uint8_t key[IGGY_CRYPTO_KEY_SIZE],
                        const uint8_t *src, size_t n, uint8_t *dst, size_t *out_len)
{
    size_t len;
    int fin = 0;
    uint8_t tag[IGGY_CRYPTO_TAG_SIZE], none[1];
    if (!ctx || !key || !out_len || (!src && n))
        return iggy_fail(IGGY_ERR__INVALID_ARG, "iggy_decrypt: missing argument");
    if (n < IGGY_CRYPTO_OVERHEAD)
        return iggy_fail(IGGY_ERR_CANNOT_DECRYPT_DATA,
                         "AES-256-GCM: %zu bytes is shorter than nonce + tag (%d bytes)", n,
                         IGGY_CRYPTO_OVERHEAD);
    len = n - IGGY_CRYPTO_OVERHEAD;
    if (!dst && len)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "iggy_decrypt: missing output buffer");
    if (!dst)
        dst = none;
    memcpy(tag, src + n - IGGY_CRYPTO_TAG_SIZE, sizeof tag); /* ctrl takes a non-const tag */
    if (EVP_CipherInit_ex(ctx->evp, NULL, NULL, key, src, 0) != 1 ||
        !run(ctx->evp, src + IGGY_CRYPTO_NONCE_SIZE, len, dst) ||
        EVP_CIPHER_CTX_ctrl(ctx->evp, EVP_CTRL_GCM_SET_TAG, IGGY_CRYPTO_TAG_SIZE, tag) != 1)
        return iggy_fail(IGGY_ERR_CANNOT_DECRYPT_DATA, "AES-256-GCM: decryption failed");
    if (EVP_CipherFinal_ex(ctx->evp, dst + len, &fin) != 1) {
        OPENSSL_cleanse(dst, len);
        return iggy_fail(IGGY_ERR_CANNOT_DECRYPT_DATA,
                         "AES-256-GCM: authentication failed for %zu sealed bytes (wrong key, "
                         "modified data, or data that was never encrypted)",
                         n);
    }
    *out_len = len;
    return IGGY_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int iggy_key_parse(const char *text, uint8_t key[IGGY_CRYPTO_KEY_SIZE])
{
    uint8_t k[IGGY_CRYPTO_KEY_SIZE];
    size_t len;
    if (!text || !key) {
        iggy_fail(IGGY_ERR__INVALID_ARG, "iggy_key_parse: missing argument");
        return -1;
    }
    len = strlen(text);
    if (len == 2 * IGGY_CRYPTO_KEY_SIZE) {
        for (size_t i = 0; i < IGGY_CRYPTO_KEY_SIZE; i++) {
            int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
            if (hi < 0 || lo < 0)
                goto bad;
            k[i] = (uint8_t)(hi << 4 | lo);
        }
    } else if (len == 44 && text[43] == '=' && text[42] != '=') {
        /* 32 bytes = 10 groups of 3 plus 2 bytes: 42 symbols, then a symbol holding 2 bits
         * whose low 2 bits must be zero (canonical), then one '='. */
        uint32_t acc = 0;
        size_t o = 0;
        for (size_t i = 0; i < 43; i++) {
            int v = b64val(text[i]);
            if (v < 0)
                goto bad;
            acc = acc << 6 | (uint32_t)v;
            if (i % 4 == 3) {
                k[o++] = (uint8_t)(acc >> 16);
                k[o++] = (uint8_t)(acc >> 8);
                k[o++] = (uint8_t)acc;
                acc = 0;
            }
        }
        /* 43 = 10 * 4 + 3: three symbols left = 18 bits = 2 bytes + 2 padding bits. */
        if (acc & 3)
            goto bad;
        k[o++] = (uint8_t)(acc >> 10);
        k[o++] = (uint8_t)(acc >> 2);
        if (o != IGGY_CRYPTO_KEY_SIZE)
            goto bad;
    } else {
        goto bad;
    }
    memcpy(key, k, sizeof k);
    OPENSSL_cleanse(k, sizeof k);
    return 0;
bad:
    OPENSSL_cleanse(k, sizeof k);
    iggy_fail(IGGY_ERR_INVALID_ENCRYPTION_KEY,
              "encryption key must be 64 hex digits or the padded base64 of 32 bytes "
              "(got %zu characters)",
              len);
    return -1;
}
