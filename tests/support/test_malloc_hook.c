#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <stdlib.h>

#include "test_alloc.h"

/* Process-wide malloc counter.
 * zstd, liblz4 and snappy allocate with malloc, not through iggy_set_allocator, so the test
 * executable interposes malloc/calloc/realloc (forwarding with RTLD_NEXT: to mimalloc's
 * override when it is loaded, else glibc) and counts calls and the largest request.
 * Sanitizer builds keep their own interceptors: there only the iggy allocator is counted. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define NO_MALLOC_HOOK 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || defined(IGGY_ASAN)
#define NO_MALLOC_HOOK 1
#endif

#ifndef NO_MALLOC_HOOK
#define HAVE_MALLOC_HOOK 1
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static _Alignas(16) unsigned char boot[4096]; /* dlsym's own allocations while resolving */
static size_t boot_used;
static int resolving;

static void *boot_alloc(size_t n)
{
    void *p;
    n = (n + 15) & ~(size_t)15;
    if (boot_used + n > sizeof boot)
        return NULL;
    p = boot + boot_used;
    boot_used += n;
    return p;
}

static void resolve(void)
{
    resolving = 1;
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    resolving = 0;
}

void *malloc(size_t n)
{
    if (!real_malloc) {
        if (resolving)
            return boot_alloc(n);
        resolve();
    }
    test_alloc_note(n);
    return real_malloc(n);
}

void *calloc(size_t a, size_t b)
{
    if (!real_calloc) {
        if (resolving)
            return boot_alloc(a * b); /* static storage is already zero */
        resolve();
    }
    test_alloc_note(a * b);
    return real_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
    if (!real_realloc)
        resolve();
    test_alloc_note(n);
    return real_realloc(p, n);
}

void free(void *p)
{
    if ((unsigned char *)p >= boot && (unsigned char *)p < boot + sizeof boot)
        return;
    if (!real_free)
        resolve();
    if (p)
        real_free(p);
}
#endif

bool test_alloc_malloc_hook_live(void)
{
#ifdef HAVE_MALLOC_HOOK
    /* valgrind replaces malloc even inside the executable: probe whether ours runs. */
    void *volatile p;
    size_t seen;
    test_alloc_begin();
    p = malloc(16);
    seen = test_alloc_end();
    free(p);
    return seen > 0;
#else
    return false;
#endif
}
