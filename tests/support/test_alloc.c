#include "test_alloc.h"

#include <stdlib.h>

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
