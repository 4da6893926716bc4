/* Internal allocation entry points; every library allocation goes through these so that
 * iggy_set_allocator() (counting and failing allocators in tests) sees all of them. */
#ifndef IGGY_INTERNAL_ALLOC_H
#define IGGY_INTERNAL_ALLOC_H

#include <stddef.h>

void *iggy_mem_alloc(size_t size);
void *iggy_mem_calloc(size_t nmemb, size_t size);
void *iggy_mem_realloc(void *ptr, size_t size);
void iggy_mem_free(void *ptr);
char *iggy_mem_strdup(const char *s);
/* Wipe a NUL-terminated secret (password, token) with OPENSSL_cleanse, then free it. NULL is a
 * no-op. */
void iggy_mem_free_secret(char *s);

#endif
