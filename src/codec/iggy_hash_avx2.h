/* XXH3-64 compiled for AVX2 (iggy_hash_avx2.c, built with -mavx2 on x86-64 only). */
#ifndef IGGY_HASH_AVX2_H
#define IGGY_HASH_AVX2_H

#include <stddef.h>
#include <stdint.h>

#ifdef IGGY_HASH_AVX2
/** XXH3-64, seed 0; call only when the CPU supports AVX2. */
uint64_t iggy_hash64_avx2(const void *data, size_t len);
#endif

#endif
