/* The mock's fault engine: the queue iggy_mock_push_fault() fills, and what a taken fault
 * does to a request. Pre-dispatch kinds answer instead of the command; post-dispatch kinds
 * let it run and change how its reply goes out. The engine decides, the server's I/O acts
 * (waits, writes, closes, resets). Not thread-safe: the caller holds the mock's lock. */
#ifndef IGGY_MOCK_FAULTS_H
#define IGGY_MOCK_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iggy/mock.h>

#include "mock/iggy_mock_dispatch.h"

typedef struct iggy_mock_fault {
    uint32_t code;    /* wire command code; 0 = any */
    uint32_t conn_id; /* 0 = any connection */
    uint32_t param;
    uint32_t count; /* requests left to hit */
    iggy_mock_fault_kind_t kind;
    struct iggy_mock_fault *next;
} iggy_mock_fault_t;

/* Faults in push order: the first match is consumed first. */
typedef struct iggy_mock_faults {
    iggy_mock_fault_t *head;
} iggy_mock_faults_t;

/* Queue a fault (validated: kind, count > 0, an eviction reason or a command byte <= 255). */
iggy_err_t iggy_mock_faults_push(iggy_mock_faults_t *q, uint32_t code, uint32_t conn_id,
                                 iggy_mock_fault_kind_t kind, uint32_t param, uint32_t count);
void iggy_mock_faults_clear(iggy_mock_faults_t *q);
/* Consume one hit of the first fault matching a request's code and connection (a FOREVER
 * count is never used up); *out is a copy (next is meaningless). False when none matches. */
bool iggy_mock_faults_take(iggy_mock_faults_t *q, uint32_t code, uint32_t conn_id,
                           iggy_mock_fault_t *out);

/* What a fault does before the command runs. */
typedef enum iggy_mock_pre {
    IGGY_MOCK_PRE_DISPATCH, /* run the command; a post-dispatch kind then shapes its reply */
    IGGY_MOCK_PRE_DELAY,    /* wait param ms (without the lock), then run it unfaulted */
    IGGY_MOCK_PRE_REPLY,    /* send *out instead (status, result code, eviction) */
    IGGY_MOCK_PRE_GARBAGE,  /* send *out (a header no client accepts), then stall */
    IGGY_MOCK_PRE_CLOSE,    /* close without a reply (also: no memory for *out) */
    IGGY_MOCK_PRE_SWALLOW,  /* no reply; later frames are still served */
} iggy_mock_pre_t;

iggy_mock_pre_t iggy_mock_fault_before(const iggy_mock_fault_t *f, const iggy_mock_dispatcher_t *d,
                                       const iggy_mock_session_t *s, const iggy_mock_request_t *req,
                                       iggy_mock_reply_t *out);

/* What the connection does once the planned bytes are written. A failed write closes. */
typedef enum iggy_mock_then {
    IGGY_MOCK_THEN_CONTINUE, /* serve the next frame */
    IGGY_MOCK_THEN_CLOSE,
    IGGY_MOCK_THEN_RESET, /* close with RST, even when the write failed */
    IGGY_MOCK_THEN_STALL, /* read and discard until the peer goes away */
} iggy_mock_then_t;

/* How a (non-silent) reply goes out. */
typedef struct iggy_mock_send_plan {
    bool previous;     /* write the previous reply on this connection instead of this one */
    bool twice;        /* write it twice, back to back in one write */
    size_t len;        /* bytes of the reply to write (a prefix when cut short) */
    size_t piece;      /* 0: in one write; else pieces of this many bytes ... */
    uint32_t pause_ms; /* ... with this pause between them */
    iggy_mock_then_t then;
} iggy_mock_send_plan_t;

/* Plan the sending of r under fault f (NULL: as is). Eviction frames are never mangled.
 * May rewrite r's size field (truncated, oversized, wrong size) or its command byte (wrong
 * command). has_previous: a reply was sent before
 * on this connection. */
iggy_mock_send_plan_t iggy_mock_fault_after(const iggy_mock_fault_t *f, iggy_mock_reply_t *r,
                                            bool has_previous);

#endif
