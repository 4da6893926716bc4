/* Client-side AES-256-GCM in the Rust SDK's format (messages.md §7.3; apache/iggy
 * core/common/src/utils/crypto.rs, Aes256GcmEncryptor): sealed = nonce(12) || ciphertext ||
 * tag(16), a fresh random nonce per call (OpenSSL RAND_bytes), no AAD, 32-byte key. The
 * caller seals the payload and, separately, a non-empty user-headers block, before encoding
 * the batch, so lengths and checksums describe the sealed bytes.
 *
 * Sans-IO; one context per thread (not thread-safe). The context keeps one EVP_CIPHER_CTX
 * initialised for AES-256-GCM, and each call only re-keys it, so after the first call
 * sealing and opening allocate nothing. src and dst must not overlap. */
#ifndef IGGY_CODEC_CRYPTO_H
#define IGGY_CODEC_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include <iggy/error.h>

#define IGGY_CRYPTO_KEY_SIZE 32
#define IGGY_CRYPTO_NONCE_SIZE 12
#define IGGY_CRYPTO_TAG_SIZE 16
#define IGGY_CRYPTO_OVERHEAD 28 /* nonce + tag */

typedef struct iggy_crypto_ctx iggy_crypto_ctx_t;

/* NULL on allocation failure. */
iggy_crypto_ctx_t *iggy_crypto_ctx_new(void);
void iggy_crypto_ctx_free(iggy_crypto_ctx_t *ctx); /* NULL ok */

/* Seal src[0..n) into dst[0..n + IGGY_CRYPTO_OVERHEAD). Failure (no randomness, OpenSSL
 * error): IGGY_ERR_CANNOT_ENCRYPT_DATA (71) with a detail. */
iggy_err_t iggy_encrypt(iggy_crypto_ctx_t *ctx, const uint8_t key[IGGY_CRYPTO_KEY_SIZE],
                        const uint8_t *src, size_t n, uint8_t *dst);

/* Open sealed src[0..n) into dst[0..n - IGGY_CRYPTO_OVERHEAD); *out_len = n - 28. Input
 * shorter than 28 bytes, a wrong key, any modified byte or plaintext that was never sealed
 * -> IGGY_ERR_CANNOT_DECRYPT_DATA (72, the Rust SDK's error) with a detail; dst is then
 * zeroed, so unauthenticated plaintext never reaches the caller. */
iggy_err_t iggy_decrypt(iggy_crypto_ctx_t *ctx, const uint8_t key[IGGY_CRYPTO_KEY_SIZE],
                        const uint8_t *src, size_t n, uint8_t *dst, size_t *out_len);

/* Parse a key given as text: 64 hex digits (either case) or the standard, padded base64 of
 * 32 bytes (44 characters, the Rust SDK's from_base64_key). 0 on success; -1 (and a detail)
 * otherwise, key untouched. */
int iggy_key_parse(const char *text, uint8_t key[IGGY_CRYPTO_KEY_SIZE]);

#endif
