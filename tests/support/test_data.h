/* Reference data under tests/data/ (or $IGGY_TEST_DATA_DIR). */
#ifndef IGGY_TEST_DATA_H
#define IGGY_TEST_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The path of tests/data/<name> (a static buffer, valid until the next call). */
const char *test_data_path(const char *name);

/* Decode hex, "-" (empty) or HEX*N (the hex repeated N times); malloc'd, never NULL. */
uint8_t *test_unhex(const char *s, size_t *n);

/* One row of compression_vectors.txt: "codec kind plain packed" (hex fields). Splits line in
 * place; false for a comment or blank line, and fails the test on a short row. */
bool test_compression_row(char *line, char **codec, char **kind, char **plain, char **packed);

#endif
