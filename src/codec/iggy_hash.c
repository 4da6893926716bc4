#include "codec/iggy_hash.h"

#include "codec/iggy_hash_avx2.h"

/* The AVX2 build of XXH3 when the CPU has it, else the portable (SSE2 on x86-64) one.
 * Deliberately not libxxhash's own run-time dispatch (XXH3_64bits_dispatch): it picks
 * AVX-512, which runs several times slower than AVX2 when each frame is hashed right after
 * its payload is copied (the writer's fused pass), and the static archive lacks it. */
uint64_t iggy_hash64_long(const void *data, size_t len)
{
#ifdef IGGY_HASH_AVX2
    if (__builtin_cpu_supports("avx2")) /* a load and a test: libgcc reads cpuid at start-up */
        return iggy_hash64_avx2(data, len);
#endif
    return XXH3_64bits(data, len);
}
