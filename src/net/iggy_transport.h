/* A connected byte stream under the RPC path: TCP, TLS, or an in-memory script in tests.
 * Deadlines are absolute CLOCK_MONOTONIC milliseconds (0 = none). */
#ifndef IGGY_TRANSPORT_H
#define IGGY_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <iggy/error.h>

#include "iggy_clock.h" /* deadlines are iggy_now_ms() values */

typedef struct iggy_transport_ops {
    const char *name;
    /* Write every byte of iov or fail. */
    iggy_err_t (*writev)(void *ctx, const struct iovec *iov, int iovcnt, int64_t deadline_ms);
    /* Read exactly n bytes or fail. */
    iggy_err_t (*read)(void *ctx, uint8_t *buf, size_t n, int64_t deadline_ms);
    /* Between requests: IGGY_OK when nothing waits to be read, else why the stream can no
     * longer be trusted (bytes waiting: out of step; peer closed). Never blocks. NULL: no
     * check (in-memory scripts). */
    iggy_err_t (*check_quiet)(void *ctx);
    /* Drop the connection (the transport may be reconnected later). */
    void (*close)(void *ctx);
    /* Release everything. */
    void (*destroy)(void *ctx);
} iggy_transport_ops_t;

typedef struct iggy_transport {
    const iggy_transport_ops_t *ops;
    void *ctx;
} iggy_transport_t;

#endif
