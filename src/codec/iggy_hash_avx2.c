/* libxxhash's XXH3 (its header, inlined) built with its AVX2 kernels: this file alone is
 * compiled with -mavx2, and iggy_hash.c calls it only on CPUs that have AVX2. */
#define XXH_INLINE_ALL
#define XXH_VECTOR XXH_AVX2
#include <xxhash.h>

#include "codec/iggy_hash_avx2.h"

uint64_t iggy_hash64_avx2(const void *data, size_t len)
{
    return XXH3_64bits(data, len);
}
