#include "test_alloc.h"

#include <execinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MAKE_MEM_DEFINED
#define VALGRIND_MAKE_MEM_DEFINED(p, n) ((void)(p), (void)(n))
#endif

static _Thread_local int t_on;
static _Thread_local size_t t_calls, t_peak;

void test_alloc_note(size_t n)
{
    if (!t_on)
        return;
    t_calls++;
    if (n > t_peak)
        t_peak = n;
}

void test_alloc_begin(void)
{
    t_calls = 0;
    t_peak = 0;
    t_on = 1;
}

size_t test_alloc_end(void)
{
    t_on = 0;
    return t_calls;
}

size_t test_alloc_peak(void)
{
    return t_peak;
}

static void *count_malloc(size_t n)
{
    test_alloc_note(n);
    return malloc(n);
}

static void *count_calloc(size_t a, size_t b)
{
    test_alloc_note(a * b);
    return calloc(a, b);
}

static void *count_realloc(void *p, size_t n)
{
    test_alloc_note(n);
    return realloc(p, n);
}

const iggy_allocator_t test_counting_allocator = {count_malloc, count_calloc, count_realloc, free};

/* ---------------------------------------------------------------- failing allocator */

#define FAIL_MAGIC 0x1667a110c8ed0001ull
#define FAIL_FREED 0xdeadf4eedull

typedef struct fail_hdr {
    _Alignas(16) uint64_t magic;
    uint64_t size;
} fail_hdr_t;

static int f_armed;
static size_t f_nth, f_seen;
static int f_fired;
static long f_live;

void test_fail_arm(size_t nth)
{
    __atomic_store_n(&f_seen, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&f_fired, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&f_nth, nth, __ATOMIC_SEQ_CST);
    __atomic_store_n(&f_armed, 1, __ATOMIC_SEQ_CST);
}

size_t test_fail_disarm(void)
{
    __atomic_store_n(&f_armed, 0, __ATOMIC_SEQ_CST);
    return __atomic_load_n(&f_seen, __ATOMIC_SEQ_CST);
}

bool test_fail_fired(void)
{
    return __atomic_load_n(&f_fired, __ATOMIC_SEQ_CST) != 0;
}

long test_fail_live(void)
{
    return __atomic_load_n(&f_live, __ATOMIC_SEQ_CST);
}

/* Whether this allocation is the one to fail. */
static bool fail_now(void)
{
    size_t n;
    if (!__atomic_load_n(&f_armed, __ATOMIC_SEQ_CST))
        return false;
    n = __atomic_add_fetch(&f_seen, 1, __ATOMIC_SEQ_CST);
    if (n != __atomic_load_n(&f_nth, __ATOMIC_SEQ_CST))
        return false;
    __atomic_store_n(&f_fired, 1, __ATOMIC_SEQ_CST);
    /* debugging: IGGY_TEST_FAIL_BACKTRACE=N prints where the Nth allocation failed (0: all) */
    if (getenv("IGGY_TEST_FAIL_BACKTRACE") &&
        (atol(getenv("IGGY_TEST_FAIL_BACKTRACE")) == 0 ||
         (size_t)atol(getenv("IGGY_TEST_FAIL_BACKTRACE")) == n)) {
        void *frames[32];
        backtrace_symbols_fd(frames, backtrace(frames, 32), 2);
        if (write(2, "--\n", 3) < 0)
            abort();
    }
    return true;
}

static void *fail_wrap(fail_hdr_t *h, size_t n)
{
    if (!h)
        return NULL;
    h->magic = FAIL_MAGIC;
    h->size = n;
    __atomic_add_fetch(&f_live, 1, __ATOMIC_SEQ_CST);
    return h + 1;
}

static fail_hdr_t *fail_hdr(void *p)
{
    fail_hdr_t *h = (fail_hdr_t *)p - 1;
    if (h->magic != FAIL_MAGIC)
        abort(); /* not ours, or freed twice */
    return h;
}

static void *fail_malloc(size_t n)
{
    if (fail_now() || n > SIZE_MAX - sizeof(fail_hdr_t))
        return NULL;
    return fail_wrap(malloc(sizeof(fail_hdr_t) + n), n);
}

static void *fail_calloc(size_t a, size_t b)
{
    if (fail_now() || (b && a > (SIZE_MAX - sizeof(fail_hdr_t)) / b))
        return NULL;
    return fail_wrap(calloc(1, sizeof(fail_hdr_t) + a * b), a * b);
}

static void *fail_realloc(void *p, size_t n)
{
    fail_hdr_t *h, *g;
    if (!p)
        return fail_malloc(n);
    if (fail_now() || n > SIZE_MAX - sizeof(fail_hdr_t))
        return NULL; /* the old block stays valid, as with realloc */
    h = fail_hdr(p);
    g = realloc(h, sizeof(fail_hdr_t) + n);
    if (!g)
        return NULL;
    g->size = n;
    return g + 1;
}

#define MAX_WATCH 16
static struct {
    char label[64];
    unsigned char bytes[256];
    size_t len;
} w_secrets[MAX_WATCH];
static int w_count;
static size_t w_hits;
static const char *w_first;

void test_fail_watch(const char *label, const void *secret, size_t len)
{
    if (w_count >= MAX_WATCH || len == 0 || len > sizeof w_secrets[0].bytes)
        abort();
    snprintf(w_secrets[w_count].label, sizeof w_secrets[0].label, "%s", label);
    memcpy(w_secrets[w_count].bytes, secret, len);
    w_secrets[w_count].len = len;
    __atomic_store_n(&w_count, w_count + 1, __ATOMIC_SEQ_CST);
}

void test_fail_watch_clear(void)
{
    __atomic_store_n(&w_count, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&w_hits, 0, __ATOMIC_SEQ_CST);
    w_first = NULL;
}

size_t test_fail_watch_hits(const char **label)
{
    if (label)
        *label = w_first;
    return __atomic_load_n(&w_hits, __ATOMIC_SEQ_CST);
}

static void watch_scan(const unsigned char *p, size_t n)
{
    int k = __atomic_load_n(&w_count, __ATOMIC_SEQ_CST);
    /* A block being freed may hold bytes never written (a pool buffer's tail): under
     * valgrind, reading them for the scan is fine. */
    if (k)
        VALGRIND_MAKE_MEM_DEFINED(p, n);
    for (int i = 0; i < k; i++) {
        size_t len = w_secrets[i].len;
        for (size_t off = 0; len <= n && off <= n - len; off++) {
            if (p[off] == w_secrets[i].bytes[0] && memcmp(p + off, w_secrets[i].bytes, len) == 0) {
                if (__atomic_fetch_add(&w_hits, 1, __ATOMIC_SEQ_CST) == 0)
                    w_first = w_secrets[i].label;
                return;
            }
        }
    }
}

static void fail_free(void *p)
{
    fail_hdr_t *h;
    if (!p)
        return;
    h = fail_hdr(p);
    watch_scan(p, h->size);
    h->magic = FAIL_FREED;
    __atomic_sub_fetch(&f_live, 1, __ATOMIC_SEQ_CST);
    free(h);
}

const iggy_allocator_t test_failing_allocator = {fail_malloc, fail_calloc, fail_realloc, fail_free};
