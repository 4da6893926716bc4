#include "iggy_alloc.h"

#include <iggy/alloc.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#if IGGY_USE_MIMALLOC
#include <mimalloc.h>
#define DEFAULT_ALLOCATOR                                                                          \
    {                                                                                              \
        mi_malloc, mi_calloc, mi_realloc, mi_free                                                  \
    }
#else
/* Sanitizer and valgrind builds: the system allocator, which they can see into. */
#define DEFAULT_ALLOCATOR                                                                          \
    {                                                                                              \
        malloc, calloc, realloc, free                                                              \
    }
#endif

static iggy_allocator_t g_alloc = DEFAULT_ALLOCATOR;

int iggy_set_allocator(const iggy_allocator_t *alloc)
{
    if (!alloc) {
        iggy_allocator_t def = DEFAULT_ALLOCATOR;
        g_alloc = def;
        return 0;
    }
    if (!alloc->malloc_fn || !alloc->calloc_fn || !alloc->realloc_fn || !alloc->free_fn)
        return -1;
    g_alloc = *alloc;
    return 0;
}

void iggy_free(void *ptr)
{
    if (ptr)
        g_alloc.free_fn(ptr);
}

void *iggy_mem_alloc(size_t size)
{
    return g_alloc.malloc_fn(size ? size : 1);
}

void *iggy_mem_calloc(size_t nmemb, size_t size)
{
    /* Same overflow rule as hiredis hi_calloc: refuse rather than wrap. */
    if (size && nmemb > (size_t)-1 / size)
        return NULL;
    return g_alloc.calloc_fn(nmemb ? nmemb : 1, size ? size : 1);
}

void *iggy_mem_realloc(void *ptr, size_t size)
{
    return g_alloc.realloc_fn(ptr, size ? size : 1);
}

void iggy_mem_free(void *ptr)
{
    if (ptr)
        g_alloc.free_fn(ptr);
}

char *iggy_mem_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = iggy_mem_alloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void iggy_mem_free_secret(char *s)
{
    if (!s)
        return;
    OPENSSL_cleanse(s, strlen(s));
    g_alloc.free_fn(s);
}
