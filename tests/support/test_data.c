#include "test_data.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef IGGY_TEST_DATA_DEFAULT
#define IGGY_TEST_DATA_DEFAULT "tests/data"
#endif

const char *test_data_path(const char *name)
{
    static char buf[4096];
    const char *dir = getenv("IGGY_TEST_DATA_DIR");
    snprintf(buf, sizeof buf, "%s/%s", dir && *dir ? dir : IGGY_TEST_DATA_DEFAULT, name);
    return buf;
}

uint8_t *test_unhex(const char *s, size_t *n)
{
    const char *star = strchr(s, '*');
    size_t hlen = star ? (size_t)(star - s) : strlen(s), reps = star ? strtoul(star + 1, 0, 10) : 1;
    uint8_t *unit, *out;
    if (strcmp(s, "-") == 0) {
        *n = 0;
        return malloc(1);
    }
    ck_assert_uint_eq(hlen % 2, 0);
    unit = malloc(hlen / 2 + 1);
    for (size_t i = 0; i < hlen / 2; i++) {
        unsigned v;
        ck_assert_int_eq(sscanf(s + 2 * i, "%2x", &v), 1);
        unit[i] = (uint8_t)v;
    }
    *n = hlen / 2 * reps;
    out = malloc(*n + 1);
    for (size_t r = 0; r < reps; r++)
        memcpy(out + r * (hlen / 2), unit, hlen / 2);
    free(unit);
    return out;
}

bool test_compression_row(char *line, char **codec, char **kind, char **plain, char **packed)
{
    char *save = NULL;
    if (line[0] == '#' || line[0] == '\n')
        return false;
    *codec = strtok_r(line, " \n", &save);
    *kind = strtok_r(NULL, " \n", &save);
    *plain = strtok_r(NULL, " \n", &save);
    *packed = strtok_r(NULL, " \n", &save);
    ck_assert_msg(*codec && *kind && *plain && *packed, "short compression vector row");
    return true;
}
