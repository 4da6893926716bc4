/* How -C writes a message: a kcat-style -f format, or one JSON object per line (-J).
 *   %s payload   %S payload bytes   %k key   %K key bytes   %t STREAM/TOPIC   %p partition
 *   %o offset    %T broker timestamp (ms since the epoch)   %i message id (32 hex digits)
 *   %h headers as name=value,...   %% a percent sign;   \n \t \r \\ escapes */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "iggycat.h"
#include "tool_json.h"

struct icat_format {
    char *text; /* escapes resolved; %-tokens validated and kept */
};

icat_format_t *icat_format_new(const char *fmt, char *why, size_t why_size)
{
    icat_format_t *f = calloc(1, sizeof *f);
    size_t o = 0;
    if (!f || !(f->text = malloc(strlen(fmt) + 1))) {
        free(f);
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    for (const char *p = fmt; *p; p++) {
        if (*p == '\\') {
            static const char from[] = "ntr\\", to[] = "\n\t\r\\";
            const char *e = p[1] ? strchr(from, p[1]) : NULL;
            if (!e) {
                snprintf(why, why_size, "unknown escape '\\%.1s' (known: \\n \\t \\r \\\\)", p + 1);
                icat_format_destroy(f);
                return NULL;
            }
            f->text[o++] = to[e - from];
            p++;
        } else if (*p == '%') {
            if (!p[1] || !strchr("sSkKtpoTih%", p[1])) {
                snprintf(why, why_size,
                         "unknown token '%%%.1s' (known: %%s %%S %%k %%K %%t %%p %%o %%T %%i %%h "
                         "%%%%)",
                         p + 1);
                icat_format_destroy(f);
                return NULL;
            }
            f->text[o++] = '%';
            f->text[o++] = *++p;
        } else {
            f->text[o++] = *p;
        }
    }
    f->text[o] = '\0';
    return f;
}

void icat_format_destroy(icat_format_t *f)
{
    if (f)
        free(f->text);
    free(f);
}

const uint8_t *icat_message_key(const iggy_message_t *m, size_t *len)
{
    size_t kl = strlen(ICAT_KEY_HEADER);
    for (size_t i = 0; i < m->headers.count; i++) {
        const iggy_kv_t *h = &m->headers.entries[i];
        if (h->key_len == kl && memcmp(h->key, ICAT_KEY_HEADER, kl) == 0) {
            *len = h->value_len;
            return h->value;
        }
    }
    *len = 0;
    return NULL;
}

/* A little-endian integer of n bytes. */
static uint64_t le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

size_t icat_header_text(const iggy_kv_t *h, char *buf, size_t cap)
{
    static const uint8_t width[] = {
        [IGGY_KV_INT8] = 1,  [IGGY_KV_INT16] = 2,  [IGGY_KV_INT32] = 4,  [IGGY_KV_INT64] = 8,
        [IGGY_KV_UINT8] = 1, [IGGY_KV_UINT16] = 2, [IGGY_KV_UINT32] = 4, [IGGY_KV_UINT64] = 8};
    uint8_t kind = h->value_kind;
    size_t n;
    int w = -1;
    if (kind == IGGY_KV_STRING) {
        n = h->value_len < cap ? h->value_len : cap;
        memcpy(buf, h->value, n);
        return n;
    }
    if (kind == IGGY_KV_BOOL && h->value_len == 1) {
        w = snprintf(buf, cap, "%s", h->value[0] ? "true" : "false");
    } else if (kind < sizeof width && width[kind] && h->value_len == width[kind]) {
        uint64_t v = le(h->value, width[kind]);
        unsigned bits = 8u * width[kind];
        if (kind >= IGGY_KV_UINT8)
            w = snprintf(buf, cap, "%" PRIu64, v);
        else
            w = snprintf(buf, cap, "%" PRId64,
                         bits < 64 && (v >> (bits - 1)) ? (int64_t)(v - (1ull << bits))
                                                        : (int64_t)v);
    } else if (kind == IGGY_KV_FLOAT32 && h->value_len == 4) {
        uint32_t bits = (uint32_t)le(h->value, 4);
        float v;
        memcpy(&v, &bits, sizeof v);
        w = snprintf(buf, cap, "%g", (double)v);
    } else if (kind == IGGY_KV_FLOAT64 && h->value_len == 8) {
        uint64_t bits = le(h->value, 8);
        double v;
        memcpy(&v, &bits, sizeof v);
        w = snprintf(buf, cap, "%g", v);
    }
    if (w >= 0)
        return (size_t)w < cap ? (size_t)w : cap - 1;
    /* Raw, 128-bit and unknown kinds: the bytes as stored, in hex. */
    n = (size_t)snprintf(buf, cap, "0x");
    for (uint32_t i = 0; i < h->value_len && n + 3 <= cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%02x", h->value[i]);
    return n;
}

static void write_headers(FILE *out, const iggy_message_t *m)
{
    char text[ICAT_HEADER_TEXT];
    for (size_t i = 0; i < m->headers.count; i++) {
        const iggy_kv_t *h = &m->headers.entries[i];
        if (i)
            fputc(',', out);
        fwrite(h->key, 1, h->key_len, out);
        fputc('=', out);
        fwrite(text, 1, icat_header_text(h, text, sizeof text), out);
    }
}

static void write_id(FILE *out, iggy_u128_t id)
{
    fprintf(out, "%016" PRIx64 "%016" PRIx64, id.hi, id.lo);
}

static void write_json(FILE *out, const char *topic, uint32_t partition, const iggy_message_t *m)
{
    char text[ICAT_HEADER_TEXT];
    size_t klen;
    const uint8_t *key = icat_message_key(m, &klen);
    fputs("{\"topic\":", out);
    tool_json_string(out, topic);
    fprintf(out,
            ",\"partition\":%" PRIu32 ",\"offset\":%" PRIu64 ",\"timestamp\":%" PRIu64
            ",\"origin_timestamp\":%" PRIu64 ",\"id\":\"",
            partition, m->offset, m->timestamp, m->origin_timestamp);
    write_id(out, m->id);
    fputs("\",\"headers\":{", out);
    for (size_t i = 0; i < m->headers.count; i++) {
        const iggy_kv_t *h = &m->headers.entries[i];
        if (i)
            fputc(',', out);
        tool_json_string_n(out, (const char *)h->key, h->key_len);
        fputc(':', out);
        tool_json_string_n(out, text, icat_header_text(h, text, sizeof text));
    }
    fputs("},\"key\":", out);
    if (key)
        tool_json_string_n(out, (const char *)key, klen);
    else
        fputs("null", out);
    fputs(",\"payload\":", out);
    tool_json_string_n(out, (const char *)m->payload, m->payload_len);
    fputs("}\n", out);
}

void icat_format_message(FILE *out, const icat_format_t *f, const char *topic, uint32_t partition,
                         const iggy_message_t *m)
{
    size_t klen;
    const uint8_t *key;
    if (!f) {
        write_json(out, topic, partition, m);
        return;
    }
    for (const char *p = f->text; *p; p++) {
        if (*p != '%') {
            fputc(*p, out);
            continue;
        }
        switch (*++p) {
        case 's':
            fwrite(m->payload, 1, m->payload_len, out);
            break;
        case 'S':
            fprintf(out, "%" PRIu32, m->payload_len);
            break;
        case 'k':
            key = icat_message_key(m, &klen);
            if (key)
                fwrite(key, 1, klen, out);
            break;
        case 'K':
            icat_message_key(m, &klen);
            fprintf(out, "%zu", klen);
            break;
        case 't':
            fputs(topic, out);
            break;
        case 'p':
            fprintf(out, "%" PRIu32, partition);
            break;
        case 'o':
            fprintf(out, "%" PRIu64, m->offset);
            break;
        case 'T':
            fprintf(out, "%" PRIu64, m->timestamp / 1000);
            break;
        case 'i':
            write_id(out, m->id);
            break;
        case 'h':
            write_headers(out, m);
            break;
        default: /* '%' */
            fputc('%', out);
            break;
        }
    }
}
