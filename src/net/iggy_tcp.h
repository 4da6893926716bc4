/* TCP sockets: non-blocking connect under a deadline, and a plain TCP transport.
 * Deadlines are absolute CLOCK_MONOTONIC milliseconds from iggy_now_ms() (0 = none). */
#ifndef IGGY_TCP_H
#define IGGY_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "net/iggy_transport.h"

/* Resolve host (name, IPv4 or IPv6 literal, with or without [brackets]) and connect to the
 * first address that answers. connect_timeout_ms <= 0 means no limit (resolution itself is
 * never bounded). On success *fd_out is a connected, non-blocking, close-on-exec socket with
 * SO_KEEPALIVE, and TCP_NODELAY when nodelay is set. IGGY_ERR__TIMED_OUT when the deadline
 * passes, IGGY_ERR__TRANSPORT for resolve/refused/unreachable, IGGY_ERR__INVALID_ARG for a bad
 * host or port 0. */
iggy_err_t iggy_tcp_connect(const char *host, uint16_t port, int64_t connect_timeout_ms,
                            bool nodelay, int *fd_out);

/* Wrap a connected socket; the transport owns fd from now on, even on failure. */
iggy_err_t iggy_tcp_transport_new(int fd, iggy_transport_t *out);

/* Shared by the TLS transport. */

/* Wait until fd is ready for events (POLLIN/POLLOUT) or the deadline passes.
 * IGGY_OK also on POLLERR/POLLHUP: the next syscall reports the real error.
 * what names the operation in the timeout detail. */
iggy_err_t iggy_fd_wait(int fd, short events, int64_t deadline_ms, const char *what,
                        const char *peer);
/* "ip:port" or "[ip6]:port" for a socket's peer, "?" if unknown. */
void iggy_fd_peer_name(int fd, char *buf, size_t cap);
/* Thread-safe strerror. */
const char *iggy_strerror(int errnum, char *buf, size_t cap);

#endif
