/* The buffer pool: concurrency, statistics, ceilings, misuse detection, poisoning. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool/iggy_pool.h"
#include "test_main.h"

#ifndef IGGY_POOL_ENABLED
#define IGGY_POOL_ENABLED 1
#endif

#define THREADS 8
#define CYCLES 100000

typedef struct worker {
    iggy_pool_t *pool;
    unsigned seed;
    uint64_t borrowed, returned, corrupt;
} worker_t;

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    uint8_t *held[4] = {0};
    size_t held_len[4] = {0};
    uint8_t held_tag[4] = {0};
    for (int i = 0; i < CYCLES; i++) {
        int slot = i & 3;
        size_t cap;
        if (held[slot]) {
            /* The buffer must still hold exactly what this thread wrote: no other thread
             * may have been handed it while we held it. */
            for (size_t k = 0; k < held_len[slot]; k++)
                if (held[slot][k] != held_tag[slot])
                    w->corrupt++;
            if (iggy_pool_put(w->pool, held[slot]) == IGGY_OK)
                w->returned++;
            held[slot] = NULL;
        }
        size_t want = 1 + ((size_t)rand_r(&w->seed) % 70000);
        if (iggy_pool_get(w->pool, want, &held[slot], &cap) == IGGY_OK) {
            if (cap < want)
                w->corrupt++;
            held_len[slot] = want < 256 ? want : 256;
            held_tag[slot] = (uint8_t)(rand_r(&w->seed) + slot);
            memset(held[slot], held_tag[slot], held_len[slot]);
            w->borrowed++;
        }
    }
    for (int slot = 0; slot < 4; slot++)
        if (held[slot] && iggy_pool_put(w->pool, held[slot]) == IGGY_OK)
            w->returned++;
    return NULL;
}

START_TEST(eight_threads_borrow_and_return)
{
    iggy_pool_t *p;
    pthread_t t[THREADS];
    worker_t w[THREADS];
    iggy_pool_stats_t st;
    uint64_t borrowed = 0, returned = 0, corrupt = 0;

    ck_assert_int_eq(iggy_pool_new(&p, 4096, 64 * 1024, 16, 1 << 20), IGGY_OK);
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker_t){p, (unsigned)(i * 7919 + 1), 0, 0, 0};
        pthread_create(&t[i], NULL, worker_main, &w[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        borrowed += w[i].borrowed;
        returned += w[i].returned;
        corrupt += w[i].corrupt;
    }
    iggy_pool_get_stats(p, &st);
    ck_assert_uint_eq(borrowed, (uint64_t)THREADS * CYCLES);
    ck_assert_uint_eq(returned, borrowed);
    ck_assert_uint_eq(corrupt, 0);
    ck_assert_uint_eq(st.borrows, borrowed);
    ck_assert_uint_eq(st.returns, returned);
    ck_assert_uint_eq(st.in_use, 0);
    ck_assert_uint_le(st.high_water, THREADS * 4);
    ck_assert_uint_ge(st.high_water, 1);
    /* Every borrow is a hit or a miss; every return is kept or discarded. */
    ck_assert_uint_le(st.misses, st.borrows);
    ck_assert_uint_eq(st.returns, st.discards + (st.borrows - st.misses) + st.spare);
    if (IGGY_POOL_ENABLED)
        ck_assert_uint_lt(st.misses, st.borrows / 10); /* reuse actually happens */
    else
        ck_assert_uint_eq(st.misses, st.borrows);
    iggy_pool_destroy(p);
}
END_TEST

START_TEST(reuse_and_size_classes)
{
    iggy_pool_t *p;
    uint8_t *a, *b;
    size_t cap;
    iggy_pool_stats_t st;
    ck_assert_int_eq(iggy_pool_new(&p, 1000, 1 << 16, 4, 1 << 20), IGGY_OK);
    ck_assert_int_eq(iggy_pool_get(p, 10, &a, &cap), IGGY_OK);
    ck_assert_uint_eq(cap, 1024); /* smallest class, rounded to a power of two */
    ck_assert_int_eq(iggy_pool_put(p, a), IGGY_OK);
    ck_assert_int_eq(iggy_pool_get(p, 1024, &b, &cap), IGGY_OK);
    if (IGGY_POOL_ENABLED)
        ck_assert_ptr_eq(a, b); /* LIFO reuse within a class */
    ck_assert_int_eq(iggy_pool_put(p, b), IGGY_OK);
    ck_assert_int_eq(iggy_pool_get(p, 1025, &b, &cap), IGGY_OK);
    ck_assert_uint_eq(cap, 2048);
    ck_assert_int_eq(iggy_pool_put(p, b), IGGY_OK);
    iggy_pool_get_stats(p, &st);
    ck_assert_uint_eq(st.borrows, 3);
    ck_assert_uint_eq(st.in_use, 0);
    ck_assert_uint_eq(st.misses, IGGY_POOL_ENABLED ? 2 : 3);
    iggy_pool_destroy(p);
}
END_TEST

START_TEST(ceiling_frees_oversize_and_max_cap_refuses)
{
    iggy_pool_t *p;
    uint8_t *a;
    size_t cap;
    iggy_pool_stats_t st;
    ck_assert_int_eq(iggy_pool_new(&p, 4096, 16384, 4, 1 << 20), IGGY_OK);
    ck_assert_int_eq(iggy_pool_get(p, 100000, &a, &cap), IGGY_OK);
    ck_assert_uint_eq(cap, 100000); /* above the ceiling: exact size, not a class */
    ck_assert_int_eq(iggy_pool_put(p, a), IGGY_OK);
    iggy_pool_get_stats(p, &st);
    ck_assert_uint_eq(st.discards, 1);
    ck_assert_uint_eq(st.spare, 0);
    ck_assert_int_eq(iggy_pool_get(p, (1 << 20) + 1, &a, &cap), IGGY_ERR__MSG_TOO_LARGE);
    ck_assert_ptr_null(a);
    iggy_pool_get_stats(p, &st);
    ck_assert_uint_eq(st.in_use, 0);
    iggy_pool_destroy(p);
}
END_TEST

START_TEST(spare_count_is_bounded)
{
    iggy_pool_t *p;
    uint8_t *bufs[10];
    size_t cap;
    iggy_pool_stats_t st;
    ck_assert_int_eq(iggy_pool_new(&p, 4096, 4096, 3, 1 << 20), IGGY_OK);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(iggy_pool_get(p, 4096, &bufs[i], &cap), IGGY_OK);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(iggy_pool_put(p, bufs[i]), IGGY_OK);
    iggy_pool_get_stats(p, &st);
    ck_assert_uint_eq(st.spare, IGGY_POOL_ENABLED ? 3 : 0);
    ck_assert_uint_eq(st.discards, IGGY_POOL_ENABLED ? 7 : 10);
    iggy_pool_destroy(p);
}
END_TEST

START_TEST(double_return_and_foreign_pointer_refused)
{
    iggy_pool_t *p, *other;
    uint8_t *a, *foreign_block;
    size_t cap;
    iggy_pool_stats_t st;
    ck_assert_int_eq(iggy_pool_new(&p, 4096, 1 << 16, 4, 1 << 20), IGGY_OK);
    ck_assert_int_eq(iggy_pool_new(&other, 4096, 1 << 16, 4, 1 << 20), IGGY_OK);

    /* A foreign pointer with a readable (zeroed) area in front of it. */
    foreign_block = calloc(1, 256);
    ck_assert_int_eq(iggy_pool_put(p, foreign_block + 128), IGGY_ERR__POOL_MISUSE);
    free(foreign_block);

    ck_assert_int_eq(iggy_pool_get(other, 100, &a, &cap), IGGY_OK);
    ck_assert_int_eq(iggy_pool_put(p, a), IGGY_ERR__POOL_MISUSE); /* wrong pool */
    ck_assert_int_eq(iggy_pool_put(other, a), IGGY_OK);
    if (IGGY_POOL_ENABLED) {
        /* Kept as a spare, so its header is still readable: the second return is caught. */
        ck_assert_int_eq(iggy_pool_put(other, a), IGGY_ERR__POOL_MISUSE);
        ck_assert_ptr_nonnull(strstr(iggy_last_error_detail(), "twice"));
    } else {
        fprintf(stderr, "SKIPPED double-return detection: IGGY_POOL=OFF frees on return "
                        "(ASan/valgrind catch a second return there)\n");
    }
    iggy_pool_get_stats(other, &st);
    ck_assert_uint_eq(st.returns, 1);
    ck_assert_uint_eq(st.in_use, 0);
    ck_assert_int_eq(iggy_pool_put(p, NULL), IGGY_OK);
    iggy_pool_destroy(p);
    iggy_pool_destroy(other);
}
END_TEST

START_TEST(returned_buffers_are_poisoned_in_debug_builds)
{
#if !defined(NDEBUG) && !defined(IGGY_ASAN) && IGGY_POOL_ENABLED
    iggy_pool_t *p;
    uint8_t *a;
    size_t cap;
    ck_assert_int_eq(iggy_pool_new(&p, 4096, 1 << 16, 4, 1 << 20), IGGY_OK);
    ck_assert_int_eq(iggy_pool_get(p, 64, &a, &cap), IGGY_OK);
    memset(a, 0x42, cap);
    ck_assert_int_eq(iggy_pool_put(p, a), IGGY_OK);
    ck_assert_int_eq(iggy_pool_get(p, 64, &a, &cap), IGGY_OK);
    for (size_t i = 0; i < cap; i++)
        ck_assert_uint_eq(a[i], 0xDD);
    ck_assert_int_eq(iggy_pool_put(p, a), IGGY_OK);
    iggy_pool_destroy(p);
#else
    fprintf(stderr, "SKIPPED poison fill check: only in debug builds with the pool on "
                    "(ASan builds poison with ASAN_POISON_MEMORY_REGION instead)\n");
#endif
}
END_TEST

START_TEST(invalid_configuration)
{
    iggy_pool_t *p;
    ck_assert_int_eq(iggy_pool_new(&p, 0, 1024, 1, 1024), IGGY_ERR__INVALID_ARG);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(iggy_pool_new(&p, 4096, 1024, 1, 1 << 20), IGGY_ERR__INVALID_ARG);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, eight_threads_borrow_and_return);
    tcase_add_test(tc, reuse_and_size_classes);
    tcase_add_test(tc, ceiling_frees_oversize_and_max_cap_refuses);
    tcase_add_test(tc, spare_count_is_bounded);
    tcase_add_test(tc, double_return_and_foreign_pointer_refused);
    tcase_add_test(tc, returned_buffers_are_poisoned_in_debug_builds);
    tcase_add_test(tc, invalid_configuration);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
