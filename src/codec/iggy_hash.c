#include "codec/iggy_hash.h"

/* libxxhash.so exports XXH3_64bits_dispatch (xxh_x86dispatch.h: AVX-512, AVX2 or SSE2 chosen
 * at run time); its static archive does not. A weak reference takes it when it is there and
 * falls back to the portable build otherwise, so both link. The header is not included: under
 * XXH_INLINE_ALL it would declare the function static. */
#if defined(__ELF__) && (defined(__x86_64__) || defined(__i386__))
extern XXH64_hash_t XXH3_64bits_dispatch(const void *input, size_t len) __attribute__((weak));
#define IGGY_HASH_DISPATCH 1
#endif

uint64_t iggy_hash64_long(const void *data, size_t len)
{
#ifdef IGGY_HASH_DISPATCH
    if (XXH3_64bits_dispatch)
        return XXH3_64bits_dispatch(data, len);
#endif
    return XXH3_64bits(data, len);
}
