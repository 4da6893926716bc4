#include "vectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef IGGY_VECTORS_PATH
#define IGGY_VECTORS_PATH "../shared/protocol/vectors.txt"
#endif

static test_vector_t *g_vectors;
static size_t g_count;

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "vectors: %s %s\n", msg, arg ? arg : "");
    abort();
}

static void load(void)
{
    const char *path = getenv("IGGY_VECTORS");
    FILE *f;
    char *line = NULL;
    size_t cap = 0;
    size_t alloc = 0;
    if (!path || !*path)
        path = IGGY_VECTORS_PATH;
    f = fopen(path, "r");
    if (!f)
        die("cannot open", path);
    while (getline(&line, &cap, f) != -1) {
        test_vector_t *v;
        char *hex = NULL;
        size_t hexcap = 0;
        ssize_t n;
        if (strncmp(line, "== ", 3) != 0)
            continue;
        if (g_count == alloc) {
            alloc = alloc ? alloc * 2 : 64;
            g_vectors = realloc(g_vectors, alloc * sizeof *g_vectors);
            if (!g_vectors)
                die("out of memory", NULL);
        }
        v = &g_vectors[g_count];
        memset(v, 0, sizeof *v);
        if (sscanf(line, "== %95s %31s %zu", v->name, v->kind, &v->len) != 3)
            die("bad header line:", line);
        n = getline(&hex, &hexcap, f);
        if (n < 0)
            die("missing hex for", v->name);
        while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
            hex[--n] = '\0';
        if ((size_t)n != 2 * v->len)
            die("hex length mismatch for", v->name);
        v->bytes = malloc(v->len ? v->len : 1);
        for (size_t i = 0; i < v->len; i++) {
            int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
            if (hi < 0 || lo < 0)
                die("bad hex digit in", v->name);
            v->bytes[i] = (uint8_t)(hi << 4 | lo);
        }
        free(hex);
        g_count++;
    }
    free(line);
    fclose(f);
    if (g_count == 0)
        die("no vectors in", path);
}

const test_vector_t *vectors_all(size_t *count)
{
    if (!g_vectors)
        load();
    *count = g_count;
    return g_vectors;
}

const test_vector_t *vector_get(const char *name)
{
    size_t n;
    const test_vector_t *all = vectors_all(&n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(all[i].name, name) == 0) {
            printf("vector %s\n", name);
            fflush(stdout);
            return &all[i];
        }
    }
    die("no such vector:", name);
    return NULL;
}
