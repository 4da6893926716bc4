#include "net/iggy_fd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "iggy_clock.h"
#include "iggy_error_internal.h"

const char *iggy_strerror(int errnum, char *buf, size_t cap)
{
    /* XSI strerror_r (we build with _POSIX_C_SOURCE, not _GNU_SOURCE). */
    if (strerror_r(errnum, buf, cap) != 0)
        snprintf(buf, cap, "errno %d", errnum);
    return buf;
}

void iggy_sockaddr_name(const struct sockaddr *sa, char *buf, size_t cap)
{
    char ip[INET6_ADDRSTRLEN];
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        snprintf(buf, cap, "%s:%u", ip, (unsigned)ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
        snprintf(buf, cap, "[%s]:%u", ip, (unsigned)ntohs(in6->sin6_port));
    } else {
        snprintf(buf, cap, "?");
    }
}

void iggy_fd_peer_name(int fd, char *buf, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0) {
        snprintf(buf, cap, "?");
        return;
    }
    iggy_sockaddr_name((const struct sockaddr *)&ss, buf, cap);
}

int iggy_fd_set_nonblock_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    fl = fcntl(fd, F_GETFD);
    if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
        return -1;
    return 0;
}

/* Milliseconds left for poll(): -1 = forever, 0 = expired. */
static int poll_timeout(int64_t deadline_ms)
{
    int64_t left;
    if (deadline_ms == 0)
        return -1;
    left = deadline_ms - iggy_now_ms();
    if (left <= 0)
        return 0;
    return left > INT_MAX ? INT_MAX : (int)left;
}

iggy_err_t iggy_fd_wait(int fd, short events, int64_t deadline_ms, const char *what,
                        const char *peer)
{
    for (;;) {
        struct pollfd p = {.fd = fd, .events = events, .revents = 0};
        int timeout = poll_timeout(deadline_ms);
        int rc;
        if (timeout == 0 && deadline_ms != 0) {
            /* One last non-waiting look so an already-ready fd still wins. */
            rc = poll(&p, 1, 0);
            if (rc > 0)
                break;
            return iggy_fail(IGGY_ERR__TIMED_OUT, "%s %s: timed out", what, peer);
        }
        rc = poll(&p, 1, timeout);
        if (rc > 0) {
            if (p.revents & POLLNVAL)
                return iggy_fail(IGGY_ERR__TRANSPORT, "%s %s: socket not open", what, peer);
            break;
        }
        if (rc < 0 && errno != EINTR) {
            char eb[128];
            return iggy_fail(IGGY_ERR__TRANSPORT, "%s %s: poll: %s", what, peer,
                             iggy_strerror(errno, eb, sizeof eb));
        }
        /* rc == 0 or EINTR: loop re-checks the deadline. */
    }
    return IGGY_OK;
}

iggy_fd_ready_t iggy_fd_wait_or_wake(int fd, short events, int wake_fd, int64_t deadline_ms)
{
    for (;;) {
        /* poll() skips negative fds, so an unwatched side is simply -1. */
        struct pollfd p[2] = {{fd, events, 0}, {wake_fd, POLLIN, 0}};
        int timeout = poll_timeout(deadline_ms);
        int rc;
        if (timeout == 0 && deadline_ms != 0)
            return IGGY_FD_TIMEOUT;
        rc = poll(p, 2, timeout);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return IGGY_FD_POLL_ERR;
        if (p[1].revents)
            return IGGY_FD_WOKEN;
        if (p[0].revents)
            return IGGY_FD_READY;
    }
}

int iggy_fd_pipe(int p[2])
{
    p[0] = p[1] = -1;
    if (pipe(p) != 0)
        return -1;
    if (iggy_fd_set_nonblock_cloexec(p[0]) != 0 || iggy_fd_set_nonblock_cloexec(p[1]) != 0) {
        iggy_fd_close_pair(p);
        return -1;
    }
    return 0;
}

void iggy_fd_close_pair(int p[2])
{
    if (p[0] >= 0)
        close(p[0]);
    if (p[1] >= 0)
        close(p[1]);
    p[0] = p[1] = -1;
}

void iggy_fd_poke(int write_fd)
{
    const uint8_t b = 1;
    ssize_t n = write(write_fd, &b, 1);
    (void)n; /* EAGAIN: the pipe is full, so the reader is already signalled */
}

void iggy_fd_drain(int read_fd)
{
    uint8_t buf[64];
    while (read(read_fd, buf, sizeof buf) > 0)
        ;
}
