/**
 * @file alloc.h
 * @brief The allocator every libiggy allocation goes through (default: mimalloc).
 */
#ifndef IGGY_ALLOC_H
#define IGGY_ALLOC_H

#include <stddef.h>

#include <iggy/export.h>

IGGY_BEGIN_DECLS

/** Allocator hooks. All four must be set; they must be thread-safe. */
typedef struct iggy_allocator {
    void *(*malloc_fn)(size_t size);               /**< as malloc(); never called with 0 */
    void *(*calloc_fn)(size_t nmemb, size_t size); /**< as calloc(); never called with a 0 */
    void *(*realloc_fn)(void *ptr, size_t size);   /**< as realloc(); never called with 0 */
    void (*free_fn)(void *ptr);                    /**< as free(); never called with NULL */
} iggy_allocator_t;

/**
 * @brief Replace the allocator. Call once, before any other libiggy call, or not at all.
 * @param alloc the hooks, copied; NULL restores the default (mimalloc).
 * @returns 0 on success, -1 if a hook is missing.
 * @threadsafe no: memory allocated with one allocator must be freed with the same one.
 */
IGGY_EXTERN int iggy_set_allocator(const iggy_allocator_t *alloc);

/**
 * @brief Free memory that libiggy allocated and documented as caller-freed with iggy_free.
 *        Never pass it to free(). NULL is a no-op.
 * @param ptr the memory, or NULL.
 * @threadsafe yes
 */
IGGY_EXTERN void iggy_free(void *ptr);

IGGY_END_DECLS

#endif
