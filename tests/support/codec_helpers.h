/* Shared helpers for codec tests: encode into a pool writer, decode through a vtable. */
#ifndef IGGY_TEST_CODEC_HELPERS_H
#define IGGY_TEST_CODEC_HELPERS_H

#include <check.h>
#include <string.h>

#include "codec/iggy_codec.h"
#include "codec/iggy_resp.h"
#include "pool/iggy_pool.h"
#include "vectors.h"

/* A fresh pool-backed writer (body only, no header reserved). */
iggy_writer_t test_writer(void);
/* Assert the writer holds exactly the named vector's bytes, then release it. For
 * request_frame vectors only the body after the 256-byte header is compared. */
void assert_writer_matches(iggy_writer_t *w, const char *vector_name);
/* The payload of a reply_body vector after its result section, if it has one. */
const uint8_t *reply_payload(const test_vector_t *v, int result_framed, size_t *len);
/* Decode bytes through ops; fails the test on error. Caller destroys the result. */
void *decode_ok(const iggy_resp_ops_t *ops, const uint8_t *p, size_t len);

/* A little-endian byte builder for hand-made reply bodies. */
typedef struct buf {
    uint8_t b[1024];
    size_t n;
} buf_t;

void put_u8(buf_t *b, uint8_t v);
void put_u16(buf_t *b, uint16_t v);
void put_u32(buf_t *b, uint32_t v);
void put_u64(buf_t *b, uint64_t v);
void put_bytes(buf_t *b, const void *p, size_t n);
void put_str8(buf_t *b, const char *s);  /* [len u8][bytes] */
void put_str32(buf_t *b, const char *s); /* [len u32][bytes] */

/* The encoder failed with IGGY_ERR__INVALID_ARG and a detail (containing needle, when not
 * NULL); releases the writer. */
void expect_invalid(iggy_writer_t *w, const char *needle);

#endif
