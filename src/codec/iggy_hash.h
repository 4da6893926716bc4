/* XXH3-64 for frame checksums, through libxxhash's header.
 * Up to 240 bytes XXH3 is scalar code: it is inlined here (no call, no length dispatch).
 * Longer inputs use its AVX2 kernels when the CPU has them (iggy_hash.c): Debian's
 * libxxhash XXH3_64bits is SSE2-only, about 2x slower on a 1 KB frame. */
#ifndef IGGY_HASH_H
#define IGGY_HASH_H

#include <stddef.h>
#include <stdint.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* Largest input XXH3 hashes without its vector loop (XXH3_MIDSIZE_MAX in xxhash.h). */
#define IGGY_HASH_INLINE_MAX 240

/** XXH3-64 of an input of more than IGGY_HASH_INLINE_MAX bytes (iggy_hash.c). */
uint64_t iggy_hash64_long(const void *data, size_t len);

/** XXH3-64, seed 0. */
static inline uint64_t iggy_hash64(const void *data, size_t len)
{
    return len <= IGGY_HASH_INLINE_MAX ? XXH3_64bits(data, len) : iggy_hash64_long(data, len);
}

#endif
