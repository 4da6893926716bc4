/* Counting allocations made on the calling thread while counting is on: through the iggy
 * allocator hook (test_counting_allocator), and, when a test links the malloc interposer
 * (test_alloc_malloc_hook_live), through malloc itself, so library-internal allocations
 * (zstd, liblz4, OpenSSL) count too. Only the calling thread counts: the in-process mock
 * server allocates through the same hook. */
#ifndef IGGY_TEST_ALLOC_H
#define IGGY_TEST_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

#include <iggy/alloc.h>

extern const iggy_allocator_t test_counting_allocator;

/* Reset the counters and count this thread's allocations until test_alloc_end(). */
void test_alloc_begin(void);
/* Stop counting; returns the number of allocations since test_alloc_begin(). */
size_t test_alloc_end(void);
/* The largest single allocation seen since test_alloc_begin(). */
size_t test_alloc_peak(void);

/* Record one allocation of n bytes (the hooks call it). */
void test_alloc_note(size_t n);

/* Links the process-wide malloc interposer; true when it sees malloc calls (not under
 * sanitizers or valgrind, which own malloc). */
bool test_alloc_malloc_hook_live(void);

/* A failing allocator for allocation-failure torture (nghttp2's failmalloc): while armed,
 * every allocation made through the iggy hook by any thread of the process is counted and the
 * Nth one returns NULL. Blocks carry a small header, so the number of live blocks is exact
 * whichever thread frees them. Install it once, before any other libiggy call. */
extern const iggy_allocator_t test_failing_allocator;

/* Count allocations from now and fail the nth one (1-based; 0 = never fail). */
void test_fail_arm(size_t nth);
/* Stop counting; returns the allocations seen since test_fail_arm(). */
size_t test_fail_disarm(void);
/* Whether the armed allocation failed (since the last test_fail_arm()). */
bool test_fail_fired(void);
/* Blocks allocated through test_failing_allocator and not yet freed. */
long test_fail_live(void);

/* Secrets to look for in every block freed through test_failing_allocator (up to 16; they are
 * copied). A block that still holds one when it is freed was not wiped. Not thread-safe
 * against frees running meanwhile: set them while the library is idle. */
void test_fail_watch(const char *label, const void *secret, size_t len);
void test_fail_watch_clear(void);
/* Freed blocks that held a watched secret since the last clear; *label (may be NULL) names
 * the first one found. */
size_t test_fail_watch_hits(const char **label);

#endif
