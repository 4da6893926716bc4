/* A small streaming JSON writer: keys in the order written, numbers in the shortest form that
 * reads back exactly (as serde_json writes them), strings escaped. */
#ifndef IGGY_C_BENCH_JSON_H
#define IGGY_C_BENCH_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

typedef struct json {
    FILE *f;
    int depth;
    bool has_items[JSON_MAX_DEPTH];
} json_t;

void json_init(json_t *j, FILE *f);
/* key is NULL inside arrays and for the top level. */
void json_object_begin(json_t *j, const char *key);
void json_object_end(json_t *j);
void json_array_begin(json_t *j, const char *key);
void json_array_end(json_t *j);
void json_string(json_t *j, const char *key, const char *value); /* NULL: null */
void json_u64(json_t *j, const char *key, uint64_t value);
void json_f64(json_t *j, const char *key, double value); /* non-finite: null */
void json_f64_round3(json_t *j, const char *key, double value);
void json_f32(json_t *j, const char *key, float value);
void json_null(json_t *j, const char *key);

/* The shortest "%.Nf"-style text of v that reads back as v, with at least one decimal. */
void json_format_f64(double v, char *buf, size_t cap);

#endif
