/* Diagnostics and argument parsing. Every diagnostic goes through icat_vsay(), which scrubs
 * the passwords and tokens iggycat was given: library errors echo addresses and user input
 * verbatim; the conf itself already reads secrets back as "***". */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "iggycat.h"

volatile sig_atomic_t icat_stop;

/* ---------------------------------------------------------------- secrets */

#define MAX_SECRETS 32
static struct {
    const char *p;
    size_t n;
} secrets[MAX_SECRETS];
static size_t n_secrets;

void icat_add_secret(const char *p, size_t n)
{
    if (n > 0 && n_secrets < MAX_SECRETS) {
        secrets[n_secrets].p = p;
        secrets[n_secrets++].n = n;
    }
}

void icat_add_address_secrets(const char *list)
{
    while (*list) {
        size_t len = strcspn(list, ",");
        const char *at = NULL;
        for (const char *q = list; q < list + len; q++)
            if (*q == '@')
                at = q;
        if (at) {
            const char *colon = memchr(list, ':', (size_t)(at - list));
            icat_add_secret(list, (size_t)(at - list));
            if (colon)
                icat_add_secret(colon + 1, (size_t)(at - colon - 1));
        }
        list += len + (list[len] == ',');
    }
}

/* Taken before parsing, so even a rejected string is covered: "user:pass" (the password too)
 * or a token. */
void icat_add_connection_string_secrets(const char *cs)
{
    const char *creds = strstr(cs, "://"), *end;
    if (!creds)
        return;
    creds += 3;
    end = strrchr(creds, '@');
    if (end) {
        const char *colon = memchr(creds, ':', (size_t)(end - creds));
        icat_add_secret(creds, (size_t)(end - creds));
        if (colon)
            icat_add_secret(colon + 1, (size_t)(end - colon - 1));
    }
}

/* Longest match first. */
char *icat_scrub(const char *s)
{
    size_t len = strlen(s), o = 0;
    char *out = malloc(3 * len + 1); /* "***" may replace a single character */
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t best = 0;
        for (size_t k = 0; k < n_secrets; k++)
            if (secrets[k].n > best && secrets[k].n <= len - i &&
                memcmp(s + i, secrets[k].p, secrets[k].n) == 0)
                best = secrets[k].n;
        if (best) {
            memcpy(out + o, "***", 3);
            o += 3;
            i += best;
        } else {
            out[o++] = s[i++];
        }
    }
    out[o] = '\0';
    return out;
}

void icat_put_scrubbed(FILE *f, const char *s)
{
    char *clean = icat_scrub(s);
    fputs(clean ? clean : "(output withheld: out of memory)\n", f);
    free(clean);
}

/* ---------------------------------------------------------------- diagnostics */

void icat_vsay(const char *fmt, va_list ap)
{
    va_list cp;
    int n;
    char *msg, *clean = NULL;
    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (msg) {
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
        clean = icat_scrub(msg);
    }
    /* One call, so lines from the producer's threads do not interleave; the prefix stays out
     * of the scrubbing (a password may well be "iggy"). */
    fprintf(stderr, "iggycat: %s\n", clean ? clean : "(message withheld: out of memory)");
    free(clean);
    free(msg);
}

void icat_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    icat_vsay(fmt, ap);
    va_end(ap);
}

int icat_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    icat_vsay(fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try 'iggycat -h' for help.\n");
    return EXIT_USAGE;
}

/* "Stream name already exists (IGGY_ERR_STREAM_NAME_ALREADY_EXISTS, 1012)": server codes
 * read best from their symbolic name; local errors carry the library's detail. */
int icat_fail(const char *what, iggy_err_t err)
{
    const char *name = iggy_err2name(err);
    char text[256];
    if ((int)err > 0 && strncmp(name, "IGGY_ERR_", 9) == 0 && strcmp(name, "IGGY_ERR_UNKNOWN")) {
        size_t n = 0;
        for (const char *p = name + 9; *p && n + 1 < sizeof text; p++, n++) {
            char ch = *p == '_' ? ' ' : *p;
            text[n] = n == 0 || ch < 'A' || ch > 'Z' ? ch : (char)(ch - 'A' + 'a');
        }
        text[n] = '\0';
    } else {
        snprintf(text, sizeof text, "%s", iggy_err2str(err));
    }
    if ((int)err < 0 && iggy_last_error_detail()[0])
        icat_say("%s: %s: %s (%s, %d)", what, text, iggy_last_error_detail(), name, (int)err);
    else
        icat_say("%s: %s (%s, %d)", what, text, name, (int)err);
    return EXIT_FAIL;
}

void icat_log(int level, const char *facility, const char *msg, void *opaque)
{
    const icat_opts_t *o = opaque;
    if (level <= IGGY_LOG_WARNING ? o->quiet : !o->verbose)
        return;
    icat_say("%s: %s", facility, msg);
}

void icat_stop_signals(bool block)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

/* ---------------------------------------------------------------- parsing */

iggy_identifier_t icat_parse_id(const char *s)
{
    uint32_t v;
    if (icat_parse_u32(s, &v))
        return iggy_id_num(v);
    return iggy_id_name(s);
}

bool icat_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (!(s[0] >= '0' && s[0] <= '9'))
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = (uint64_t)v;
    return true;
}

bool icat_parse_u32(const char *s, uint32_t *out)
{
    uint64_t v;
    if (!icat_parse_u64(s, &v) || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

int icat_split_topic(const char *arg, char *buf, size_t cap, iggy_identifier_t *stream,
                     iggy_identifier_t *topic)
{
    char *slash;
    if (strlen(arg) >= cap)
        return icat_usage_error("-t: '%s' is too long", arg);
    memcpy(buf, arg, strlen(arg) + 1);
    slash = strchr(buf, '/');
    if (!slash || slash == buf || !slash[1] || strchr(slash + 1, '/'))
        return icat_usage_error("-t expects STREAM/TOPIC, got '%s'", arg);
    *slash = '\0';
    *stream = icat_parse_id(buf);
    *topic = icat_parse_id(slash + 1);
    return 0;
}
