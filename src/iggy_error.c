#include "iggy_error_internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char t_detail[512];
static _Thread_local char t_unknown[48];

static const iggy_err_desc_t g_descs[] = {
    {IGGY_ERR__BAD_MSG, "IGGY_ERR__BAD_MSG", "Malformed message from peer"},
    {IGGY_ERR__TRANSPORT, "IGGY_ERR__TRANSPORT", "Transport failure"},
    {IGGY_ERR__TIMED_OUT, "IGGY_ERR__TIMED_OUT", "Operation timed out"},
    {IGGY_ERR__NO_MEMORY, "IGGY_ERR__NO_MEMORY", "Out of memory"},
    {IGGY_ERR__INVALID_ARG, "IGGY_ERR__INVALID_ARG", "Invalid argument"},
    {IGGY_ERR__STATE, "IGGY_ERR__STATE", "Invalid state for this call"},
    {IGGY_ERR__MSG_TOO_LARGE, "IGGY_ERR__MSG_TOO_LARGE", "Message or frame too large"},
    {IGGY_ERR__BAD_COMPRESSION, "IGGY_ERR__BAD_COMPRESSION", "Bad compressed data"},
    {IGGY_ERR__UNSUPPORTED, "IGGY_ERR__UNSUPPORTED", "Unsupported feature"},
    {IGGY_ERR__NOT_FOUND, "IGGY_ERR__NOT_FOUND", "Resource not found"},
    {IGGY_ERR__EVICTED, "IGGY_ERR__EVICTED", "Session evicted by the server"},
    {IGGY_ERR__DESTROYED, "IGGY_ERR__DESTROYED", "Client destroyed during the call"},
    {IGGY_ERR__POOL_MISUSE, "IGGY_ERR__POOL_MISUSE", "Buffer returned twice or to the wrong pool"},
    {IGGY_ERR__UNKNOWN_STATUS, "IGGY_ERR__UNKNOWN_STATUS", "Unknown status from the server"},
    {IGGY_ERR__TLS_VERIFY, "IGGY_ERR__TLS_VERIFY", "TLS certificate verification failed"},
    {IGGY_ERR__QUEUE_FULL, "IGGY_ERR__QUEUE_FULL", "Producer queue full"},
    {IGGY_ERR__OFFSET_OUT_OF_RANGE, "IGGY_ERR__OFFSET_OUT_OF_RANGE",
     "Consumer position past the end of a partition"},
    {IGGY_OK, "IGGY_OK", "Success"},
#define IGGY_ROW(code, name, text) {(iggy_err_t)(code), name, text},
#include "iggy_error_table.inc"
};

static const iggy_err_desc_t *find(iggy_err_t err)
{
    /* Local rows first, then the server rows sorted by code: binary search those. */
    size_t n = sizeof g_descs / sizeof g_descs[0];
    size_t lo = 0, hi = n;
    if (err <= IGGY_OK) {
        for (size_t i = 0; i < n && g_descs[i].code <= IGGY_OK; i++)
            if (g_descs[i].code == err)
                return &g_descs[i];
        return NULL;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g_descs[mid].code <= IGGY_OK || g_descs[mid].code < err)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && g_descs[lo].code == err ? &g_descs[lo] : NULL;
}

const char *iggy_err2str(iggy_err_t err)
{
    const iggy_err_desc_t *d = find(err);
    if (d)
        return d->desc;
    snprintf(t_unknown, sizeof t_unknown, "%s error %d", err > 0 ? "server" : "local", (int)err);
    return t_unknown;
}

const char *iggy_err2name(iggy_err_t err)
{
    const iggy_err_desc_t *d = find(err);
    return d ? d->name : "IGGY_ERR_UNKNOWN";
}

void iggy_get_err_descs(const iggy_err_desc_t **descs, size_t *cnt)
{
    *descs = g_descs;
    *cnt = sizeof g_descs / sizeof g_descs[0];
}

bool iggy_err_is_retriable(iggy_err_t err)
{
    switch ((int)err) {
    case IGGY_ERR__TRANSPORT:
    case IGGY_ERR__TIMED_OUT:
    case IGGY_ERR_DISCONNECTED:
    case IGGY_ERR_CANNOT_ESTABLISH_CONNECTION:
    case IGGY_ERR_STALE_CLIENT:
    case IGGY_ERR_NOT_CONNECTED:
    case IGGY_ERR_TRANSIENT_NOT_COMMITTED:
    case IGGY_ERR_TRANSIENT_NOT_ACCEPTED:
    case IGGY_ERR_CONNECTION_CLOSED:
    case IGGY_ERR_EMPTY_RESPONSE:
        return true;
    default:
        return false;
    }
}

bool iggy_err_is_fatal(iggy_err_t err)
{
    switch ((int)err) {
    case IGGY_ERR__NO_MEMORY:
    case IGGY_ERR__POOL_MISUSE:
    case IGGY_ERR__DESTROYED:
    case IGGY_ERR__TLS_VERIFY:
    case IGGY_ERR_INCOMPATIBLE_PROTOCOL_VERSION:
    case IGGY_ERR_INVALID_CREDENTIALS:
    case IGGY_ERR_INVALID_PERSONAL_ACCESS_TOKEN:
    case IGGY_ERR_PERSONAL_ACCESS_TOKEN_EXPIRED:
        return true;
    default:
        return false;
    }
}

iggy_err_t iggy_err_from_wire(uint32_t code, const char *what)
{
    /* Only codes of the server's table are server errors: anything else (a value that would
     * be negative as int among them) must not pass for a local error. */
    if (code > 0 && code <= INT32_MAX) {
        const iggy_err_desc_t *d = find((iggy_err_t)code);
        if (d)
            return iggy_fail(d->code, "%s: %s (%u)", what, d->desc, code);
    }
    return iggy_fail(IGGY_ERR__UNKNOWN_STATUS, "%s: %u (0x%08x) is not in the server's error table",
                     what, code, code);
}

const char *iggy_last_error_detail(void)
{
    return t_detail;
}

iggy_err_t iggy_fail(iggy_err_t err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t_detail, sizeof t_detail, fmt, ap);
    va_end(ap);
    return err;
}

iggy_err_t iggy_fail_errstr(iggy_err_t err, char *errstr, size_t errstr_size)
{
    if (errstr && errstr_size)
        snprintf(errstr, errstr_size, "%s", t_detail);
    return err;
}

void iggy_detail_clear(void)
{
    t_detail[0] = '\0';
}
