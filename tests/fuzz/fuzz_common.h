/* What every fuzz target shares (docs/FUZZING.md): invariant checks that abort, a counting
 * allocator installed through iggy_set_allocator (so memory budgets are asserted, not
 * hoped for), a small input cursor, a PRNG seeded from the input, and the conventions
 * (first-byte selectors, the fixed key) that tests/fuzz/gen_corpus.c writes seeds for.
 * Header-only: each target is one .c file, built as a libFuzzer binary (IGGY_FUZZ=ON) and
 * as a plain replay program (tests/fuzz/replay_main.c). Single-threaded, like libFuzzer. */
#ifndef IGGY_FUZZ_COMMON_H
#define IGGY_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iggy/alloc.h>
#include <iggy/error.h>

#include "codec/iggy_resp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test: on failure print where and why, then abort (a crash
 * for libFuzzer and for the replay program alike). */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz invariant failed at %s:%d: %s: ", __FILE__, __LINE__, #cond);    \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, " [detail: %s]\n", iggy_last_error_detail());                          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A failure must come with its detail string. */
#define FUZZ_CHECK_DETAIL(err)                                                                     \
    FUZZ_CHECK((err) == IGGY_OK || iggy_last_error_detail()[0] != '\0', "error %d without detail", \
               (int)(err))

/* ---------------------------------------------------------------- counting allocator */

/* Live and peak bytes the library holds through iggy_mem_*; each block carries its size in
 * a 16-byte prefix (max_align_t alignment is kept). */
typedef struct fuzz_alloc_stats {
    size_t live, peak;
} fuzz_alloc_stats_t;

static fuzz_alloc_stats_t fuzz_alloc;

#define FUZZ_ALLOC_PREFIX 16u

static inline void fuzz_alloc_add(size_t n)
{
    fuzz_alloc.live += n;
    if (fuzz_alloc.live > fuzz_alloc.peak)
        fuzz_alloc.peak = fuzz_alloc.live;
}

static void *fuzz_malloc(size_t n)
{
    uint8_t *p;
    if (n > SIZE_MAX - FUZZ_ALLOC_PREFIX)
        return NULL;
    p = malloc(n + FUZZ_ALLOC_PREFIX);
    if (!p)
        return NULL;
    memcpy(p, &n, sizeof n);
    fuzz_alloc_add(n);
    return p + FUZZ_ALLOC_PREFIX;
}

static void *fuzz_calloc(size_t nmemb, size_t size)
{
    void *p;
    if (size && nmemb > SIZE_MAX / size)
        return NULL;
    p = fuzz_malloc(nmemb * size);
    if (p)
        memset(p, 0, nmemb * size);
    return p;
}

static void fuzz_free(void *ptr)
{
    uint8_t *p = ptr;
    size_t n;
    if (!p)
        return;
    p -= FUZZ_ALLOC_PREFIX;
    memcpy(&n, p, sizeof n);
    fuzz_alloc.live -= n;
    free(p);
}

static void *fuzz_realloc(void *ptr, size_t n)
{
    uint8_t *p = ptr, *q;
    size_t old;
    if (!p)
        return fuzz_malloc(n);
    if (n > SIZE_MAX - FUZZ_ALLOC_PREFIX)
        return NULL;
    p -= FUZZ_ALLOC_PREFIX;
    memcpy(&old, p, sizeof old);
    q = realloc(p, n + FUZZ_ALLOC_PREFIX);
    if (!q)
        return NULL;
    memcpy(q, &n, sizeof n);
    fuzz_alloc.live -= old;
    fuzz_alloc_add(n);
    return q + FUZZ_ALLOC_PREFIX;
}

/* Call first in every LLVMFuzzerTestOneInput: installs the allocator once, before any other
 * libiggy call. */
static inline void fuzz_setup(void)
{
    static bool done;
    static const iggy_allocator_t a = {fuzz_malloc, fuzz_calloc, fuzz_realloc, fuzz_free};
    if (done)
        return;
    done = true;
    FUZZ_CHECK(iggy_set_allocator(&a) == 0, "iggy_set_allocator");
}

/* Start measuring the peak of what is allocated from now on. */
static inline size_t fuzz_peak_begin(void)
{
    fuzz_alloc.peak = fuzz_alloc.live;
    return fuzz_alloc.live;
}

/* ---------------------------------------------------------------- input helpers */

/* A cursor over the input: bytes run out as zeros. */
typedef struct fuzz_in {
    const uint8_t *p;
    size_t n;
} fuzz_in_t;

static inline uint8_t fuzz_u8(fuzz_in_t *in)
{
    uint8_t v = 0;
    if (in->n) {
        v = in->p[0];
        in->p++;
        in->n--;
    }
    return v;
}

/* A heap copy of exactly n bytes (NULL for 0), so ASan sees a read one past the end. */
static inline uint8_t *fuzz_dup(const uint8_t *p, size_t n)
{
    uint8_t *d;
    if (!n)
        return NULL;
    d = malloc(n);
    FUZZ_CHECK(d != NULL, "malloc %zu", n);
    memcpy(d, p, n);
    return d;
}

/* xorshift64*, seeded from the input so every run of an input splits it the same way. */
static inline uint64_t fuzz_seed(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h ? h : 1;
}

static inline uint64_t fuzz_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

/* Mix a value into a running outcome hash (FNV-1a over its bytes). */
static inline void fuzz_mix(uint64_t *h, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        *h = (*h ^ ((v >> (8 * i)) & 0xff)) * 0x100000001b3ull;
}

/* Read every byte of a range: ASan reports one that is not addressable. */
static inline uint64_t fuzz_touch(const uint8_t *p, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i];
    return s;
}

/* ---------------------------------------------------------------- conventions */

/* The key the poll and decrypt targets open sealed payloads with; gen_corpus seals its
 * seeds with it. */
static const uint8_t FUZZ_KEY[32] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};

/* fuzz_poll: the first byte's bits pick the poll decode options. */
#define FUZZ_POLL_VERIFY 0x01u       /* verify_checksums */
#define FUZZ_POLL_DECRYPT 0x02u      /* open with FUZZ_KEY */
#define FUZZ_POLL_DECOMPRESS 0x04u   /* decompress marked payloads */
#define FUZZ_POLL_SMALL_BUDGET 0x08u /* reply budget 256 KiB instead of the default */
#define FUZZ_POLL_SMALL_MAX 0x10u    /* 64 KiB per message instead of 64 MiB */
#define FUZZ_POLL_REUSE 0x20u        /* decode again into the previous result (getline) */
#define FUZZ_POLL_NO_OPTS 0x40u      /* NULL options: the client's plain copy-out */

/* fuzz_decompress: byte 0 = codec (bits 0-1) | limit (bits 2-3) | copies - 1 (bits 4-7). */
#define FUZZ_DECOMP_BYTE(codec, limit_sel, copies)                                                 \
    ((uint8_t)(((codec)&3u) | (((limit_sel)&3u) << 2) | ((((copies)-1u) & 15u) << 4)))

/* fuzz_decrypt: byte 0 % 4 picks the mode. */
enum { FUZZ_DECRYPT_OPEN, FUZZ_DECRYPT_ROUNDTRIP, FUZZ_DECRYPT_KEY_TEXT, FUZZ_DECRYPT_POLL };

/* fuzz_conf: byte 0 & 1 picks the parser. */
enum { FUZZ_CONF_CONNECTION_STRING, FUZZ_CONF_SET };

/* fuzz_mock_dispatch: the first byte's bits. */
#define FUZZ_MOCK_LOGIN 0x01u   /* log in as iggy/iggy before the fuzzed frames */
#define FUZZ_MOCK_REWRITE 0x02u /* give each frame the session's client id and session */
#define FUZZ_MOCK_BACKUP 0x04u  /* the session is on a node that is not the leader */

/* fuzz_frame: byte 0 = command choice (bits 0-6) | small max frame (bit 7). */
#define FUZZ_FRAME_SMALL 0x80u
#define FUZZ_FRAME_SMALL_MAX 4096u

/* fuzz_resp: byte 0 % count picks one entry: every response vtable, then the primitive
 * blocks several replies embed (through the same two-pass unmarshal). */
typedef struct fuzz_resp_entry {
    const char *name;
    const iggy_resp_ops_t *ops;
} fuzz_resp_entry_t;

#endif
