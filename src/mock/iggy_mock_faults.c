/* Fault queue and fault decisions (iggy_mock_faults.h). */
#include "mock/iggy_mock_faults.h"

#include "codec/iggy_primitives.h"
#include "iggy_alloc.h"
#include "iggy_clock.h"
#include "iggy_error_internal.h"

/* ------------------------------------------------------------------ queue */

iggy_err_t iggy_mock_faults_push(iggy_mock_faults_t *q, uint32_t code, uint32_t conn_id,
                                 iggy_mock_fault_kind_t kind, uint32_t param, uint32_t count)
{
    iggy_mock_fault_t *f, **pp;
    if (count == 0 || kind < IGGY_MOCK_FAULT_STATUS || kind > IGGY_MOCK_FAULT_WRONG_SIZE)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "mock: bad fault (kind %d, count %u)", (int)kind,
                         count);
    if (kind == IGGY_MOCK_FAULT_EVICT && param > 255)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "mock: eviction reason %u above 255", param);
    if (kind == IGGY_MOCK_FAULT_WRONG_COMMAND && param > 255)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "mock: command byte %u above 255", param);
    f = iggy_mem_calloc(1, sizeof *f);
    if (!f)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "mock: out of memory");
    f->code = code;
    f->conn_id = conn_id;
    f->kind = kind;
    f->param = param;
    f->count = count;
    for (pp = &q->head; *pp; pp = &(*pp)->next)
        ;
    *pp = f;
    return IGGY_OK;
}

void iggy_mock_faults_clear(iggy_mock_faults_t *q)
{
    while (q->head) {
        iggy_mock_fault_t *f = q->head;
        q->head = f->next;
        iggy_mem_free(f);
    }
}

bool iggy_mock_faults_take(iggy_mock_faults_t *q, uint32_t code, uint32_t conn_id,
                           iggy_mock_fault_t *out)
{
    for (iggy_mock_fault_t **pp = &q->head; *pp; pp = &(*pp)->next) {
        iggy_mock_fault_t *f = *pp;
        if ((f->code && f->code != code) || (f->conn_id && f->conn_id != conn_id))
            continue;
        *out = *f;
        out->next = NULL;
        if (f->count != IGGY_MOCK_FAULT_FOREVER && --f->count == 0) {
            *pp = f->next;
            iggy_mem_free(f);
        }
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------ before dispatch */

/* 256 xorshift bytes whose command byte is neither Reply nor Eviction. */
static bool garbage_header(iggy_mock_reply_t *out)
{
    uint32_t x = (uint32_t)iggy_now_us() | 1u;
    out->len = IGGY_HEADER_SIZE;
    out->evict = false;
    out->buf = iggy_mem_alloc(out->len);
    if (!out->buf)
        return false;
    for (size_t i = 0; i < out->len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out->buf[i] = (uint8_t)x;
    }
    out->buf[IGGY_FRAME_OFF_COMMAND] = 0xEE;
    return true;
}

iggy_mock_pre_t iggy_mock_fault_before(const iggy_mock_fault_t *f, const iggy_mock_dispatcher_t *d,
                                       const iggy_mock_session_t *s, const iggy_mock_request_t *req,
                                       iggy_mock_reply_t *out)
{
    bool ok;
    out->buf = NULL;
    out->len = 0;
    out->evict = false;
    switch (f->kind) {
    case IGGY_MOCK_FAULT_DELAY:
        return IGGY_MOCK_PRE_DELAY;
    case IGGY_MOCK_FAULT_STATUS:
        ok = iggy_mock_reply_status(d, s, req, f->param, out);
        break;
    case IGGY_MOCK_FAULT_REJECT:
        ok = iggy_mock_reply_reject(d, s, req, f->param, out);
        break;
    case IGGY_MOCK_FAULT_EVICT:
        ok = iggy_mock_reply_eviction(&req->h.client, (uint8_t)f->param, out);
        break;
    case IGGY_MOCK_FAULT_CLOSE:
        return IGGY_MOCK_PRE_CLOSE;
    case IGGY_MOCK_FAULT_GARBAGE:
        return garbage_header(out) ? IGGY_MOCK_PRE_GARBAGE : IGGY_MOCK_PRE_CLOSE;
    case IGGY_MOCK_FAULT_STALL:
        return IGGY_MOCK_PRE_SWALLOW;
    default:
        return IGGY_MOCK_PRE_DISPATCH; /* a post-dispatch kind */
    }
    return ok ? IGGY_MOCK_PRE_REPLY : IGGY_MOCK_PRE_CLOSE;
}

/* ------------------------------------------------------------------ after dispatch */

iggy_mock_send_plan_t iggy_mock_fault_after(const iggy_mock_fault_t *f, iggy_mock_reply_t *r,
                                            bool has_previous)
{
    iggy_mock_send_plan_t p = {
        false, false, r->len, 0, 0, r->evict ? IGGY_MOCK_THEN_CLOSE : IGGY_MOCK_THEN_CONTINUE};
    size_t body = r->len - IGGY_HEADER_SIZE;
    if (!f || r->evict)
        return p;
    switch (f->kind) {
    case IGGY_MOCK_FAULT_DUPLICATE_REPLY:
        p.twice = true;
        break;
    case IGGY_MOCK_FAULT_STALE_REPLY:
        /* The previous reply instead of this one, as a confused proxy would. */
        p.previous = has_previous;
        break;
    case IGGY_MOCK_FAULT_RESET_MID_REPLY:
        p.len = f->param && f->param < r->len ? f->param : IGGY_HEADER_SIZE / 2;
        p.then = IGGY_MOCK_THEN_RESET;
        break;
    case IGGY_MOCK_FAULT_CLOSE_MID_REPLY:
        p.len = body ? IGGY_HEADER_SIZE + body / 2 : IGGY_HEADER_SIZE / 2;
        p.then = IGGY_MOCK_THEN_CLOSE;
        break;
    case IGGY_MOCK_FAULT_TRUNCATED:
        /* The header promises 100 bytes that never come. */
        iggy_put_le32(r->buf + IGGY_FRAME_OFF_SIZE, (uint32_t)r->len + 100);
        p.then = IGGY_MOCK_THEN_STALL;
        break;
    case IGGY_MOCK_FAULT_OVERSIZED:
        iggy_put_le32(r->buf + IGGY_FRAME_OFF_SIZE, IGGY_MAX_FRAME_SIZE + 1);
        p.len = IGGY_HEADER_SIZE;
        p.then = IGGY_MOCK_THEN_STALL;
        break;
    case IGGY_MOCK_FAULT_CLOSE_AFTER_REPLY:
        p.then = IGGY_MOCK_THEN_CLOSE;
        break;
    case IGGY_MOCK_FAULT_HANG_MID_REPLY:
        p.len = f->param && f->param < r->len ? f->param : IGGY_HEADER_SIZE / 2;
        p.then = IGGY_MOCK_THEN_STALL;
        break;
    case IGGY_MOCK_FAULT_TRICKLE:
        p.piece = IGGY_MOCK_TRICKLE_BYTES;
        p.pause_ms = f->param ? f->param : 1;
        break;
    case IGGY_MOCK_FAULT_WRONG_COMMAND:
        r->buf[IGGY_FRAME_OFF_COMMAND] = (uint8_t)(f->param ? f->param : IGGY_FRAME_REQUEST);
        break;
    case IGGY_MOCK_FAULT_WRONG_SIZE:
        iggy_put_le32(r->buf + IGGY_FRAME_OFF_SIZE, f->param ? f->param : IGGY_HEADER_SIZE - 1);
        break;
    default:
        break;
    }
    return p;
}
