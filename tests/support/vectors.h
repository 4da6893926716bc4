/* Loads ../shared/protocol/vectors.txt (path compiled in, or $IGGY_VECTORS) for tests. */
#ifndef IGGY_TEST_VECTORS_H
#define IGGY_TEST_VECTORS_H

#include <stddef.h>
#include <stdint.h>

typedef struct test_vector {
    char name[96];
    char kind[32];
    size_t len;
    uint8_t *bytes;
} test_vector_t;

/* All vectors in file order; loads on first use and aborts the test run if the file is
 * missing or malformed (a vector test must never pass silently). */
const test_vector_t *vectors_all(size_t *count);
/* The named vector; aborts when it does not exist. Prints "vector <name>" so the test
 * output shows each vector exercised. */
const test_vector_t *vector_get(const char *name);

#endif
