/* File-descriptor helpers shared by the transports and by any server-side socket code:
 * flags, waits under a deadline, wake-up pipes, names, errno text. They know nothing of
 * clients, servers or the protocol. Deadlines are absolute iggy_now_ms() values (0 = none). */
#ifndef IGGY_FD_H
#define IGGY_FD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <iggy/error.h>

/* Thread-safe strerror. */
const char *iggy_strerror(int errnum, char *buf, size_t cap);

/* "ip:port" or "[ip6]:port" for an address, "?" for another family. */
void iggy_sockaddr_name(const struct sockaddr *sa, char *buf, size_t cap);
/* The same for a socket's peer, "?" if unknown. */
void iggy_fd_peer_name(int fd, char *buf, size_t cap);

/* O_NONBLOCK and FD_CLOEXEC on fd; 0 or -1 (errno set). */
int iggy_fd_set_nonblock_cloexec(int fd);

/* Wait until fd is ready for events (POLLIN/POLLOUT) or the deadline passes.
 * IGGY_OK also on POLLERR/POLLHUP: the next syscall reports the real error.
 * what names the operation in the timeout detail. */
iggy_err_t iggy_fd_wait(int fd, short events, int64_t deadline_ms, const char *what,
                        const char *peer);

/* An interruptible wait: until fd has events, wake_fd turns readable, or the deadline
 * passes. Either fd may be -1 (not watched). A readable wake_fd wins over a ready fd so a
 * stop request is never starved by a busy peer; the caller drains it. */
typedef enum iggy_fd_ready {
    IGGY_FD_READY,    /* fd has one of events (or an error the next syscall reports) */
    IGGY_FD_WOKEN,    /* wake_fd is readable */
    IGGY_FD_TIMEOUT,  /* the deadline passed */
    IGGY_FD_POLL_ERR, /* poll() itself failed */
} iggy_fd_ready_t;
iggy_fd_ready_t iggy_fd_wait_or_wake(int fd, short events, int wake_fd, int64_t deadline_ms);

/* A wake-up pipe: both ends non-blocking and close-on-exec, so a poke never blocks and a
 * drain never waits. 0, or -1 with p[] left at -1. */
int iggy_fd_pipe(int p[2]);
/* Close both ends of a pipe (skipping -1) and set them to -1. */
void iggy_fd_close_pair(int p[2]);
/* Make a wake-up pipe's read end readable (a full pipe is already signalled). */
void iggy_fd_poke(int write_fd);
/* Read a wake-up pipe empty. */
void iggy_fd_drain(int read_fd);

#endif
