#include "json.h"

#include "tool_json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void json_init(json_t *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    j->f = f;
}

/* The comma and the key before a value. */
static void member(json_t *j, const char *key)
{
    if (j->depth > 0) {
        if (j->has_items[j->depth])
            fputc(',', j->f);
        j->has_items[j->depth] = true;
    }
    if (key) {
        tool_json_string(j->f, key);
        fputc(':', j->f);
    }
}

void json_object_begin(json_t *j, const char *key)
{
    member(j, key);
    fputc('{', j->f);
    if (j->depth < JSON_MAX_DEPTH - 1)
        j->has_items[++j->depth] = false;
}

void json_object_end(json_t *j)
{
    fputc('}', j->f);
    if (j->depth > 0)
        j->depth--;
}

void json_array_begin(json_t *j, const char *key)
{
    member(j, key);
    fputc('[', j->f);
    if (j->depth < JSON_MAX_DEPTH - 1)
        j->has_items[++j->depth] = false;
}

void json_array_end(json_t *j)
{
    fputc(']', j->f);
    if (j->depth > 0)
        j->depth--;
}

void json_string(json_t *j, const char *key, const char *value)
{
    member(j, key);
    if (value)
        tool_json_string(j->f, value);
    else
        fputs("null", j->f);
}

void json_u64(json_t *j, const char *key, uint64_t value)
{
    member(j, key);
    fprintf(j->f, "%llu", (unsigned long long)value);
}

void json_format_f64(double v, char *buf, size_t cap)
{
    double a = fabs(v);
    if (!isfinite(v)) {
        snprintf(buf, cap, "null");
        return;
    }
    if (v == 0) {
        snprintf(buf, cap, signbit(v) ? "-0.0" : "0.0");
        return;
    }
    if (a >= 1e-5 && a < 1e16) {
        for (int p = 1; p <= 17; p++) {
            snprintf(buf, cap, "%.*f", p, v);
            if (strtod(buf, NULL) == v)
                return;
        }
        return;
    }
    for (int p = 0; p <= 17; p++) {
        snprintf(buf, cap, "%.*e", p, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

void json_f64(json_t *j, const char *key, double value)
{
    char buf[64];
    member(j, key);
    json_format_f64(value, buf, sizeof buf);
    fputs(buf, j->f);
}

void json_f64_round3(json_t *j, const char *key, double value)
{
    json_f64(j, key, round(value * 1000.0) / 1000.0);
}

void json_f32(json_t *j, const char *key, float value)
{
    char buf[64];
    member(j, key);
    if (!isfinite(value)) {
        fputs("null", j->f);
        return;
    }
    if (value == 0) {
        fputs("0.0", j->f);
        return;
    }
    for (int p = 1; p <= 12; p++) {
        snprintf(buf, sizeof buf, "%.*f", p, (double)value);
        if (strtof(buf, NULL) == value)
            break;
    }
    fputs(buf, j->f);
}

void json_null(json_t *j, const char *key)
{
    member(j, key);
    fputs("null", j->f);
}
