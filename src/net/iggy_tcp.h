/* TCP sockets: non-blocking connect under a deadline, listening sockets, socket options, and
 * a plain TCP transport. The generic fd helpers (waits, names, errno text) are iggy_fd.h.
 * Deadlines are absolute CLOCK_MONOTONIC milliseconds from iggy_now_ms() (0 = none). */
#ifndef IGGY_TCP_H
#define IGGY_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "net/iggy_fd.h"
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

/* A listening, non-blocking, close-on-exec socket on host (name or literal, with or without
 * [brackets]) and port (0 = ephemeral), with SO_REUSEADDR; *port_out is the bound port.
 * IGGY_ERR__TRANSPORT when it cannot be resolved or bound. */
iggy_err_t iggy_tcp_listen(const char *host, uint16_t port, int backlog, int *fd_out,
                           uint16_t *port_out);

/* TCP_NODELAY: lockstep request/reply stalls behind Nagle. 0 or -1 (errno set). */
int iggy_tcp_set_nodelay(int fd);
/* Linger 0: the next close() resets the connection (RST) instead of closing it (FIN). */
int iggy_tcp_set_abortive_close(int fd);

#endif
