#include "net/iggy_tcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iggy_alloc.h"
#include "iggy_error_internal.h"

/* iovecs handed to one sendmsg(); the rest follow in the next call. */
#define TCP_IOV_BATCH 64

/* Outcome of one address: 0 connected, else an iggy error with the detail set. */
static iggy_err_t connect_one(const struct addrinfo *ai, int64_t deadline_ms, bool nodelay,
                              int *fd_out)
{
    char name[INET6_ADDRSTRLEN + 16], eb[128];
    int fd, one = 1, soerr = 0;
    socklen_t len = sizeof soerr;
    iggy_err_t err;

    iggy_sockaddr_name(ai->ai_addr, name, sizeof name);
#ifdef SOCK_CLOEXEC
    /* Atomic close-on-exec: no window for a fork in another thread. */
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
#else
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
#endif
    if (fd < 0)
        return iggy_fail(IGGY_ERR__TRANSPORT, "connect %s: socket: %s", name,
                         iggy_strerror(errno, eb, sizeof eb));
    if (iggy_fd_set_nonblock_cloexec(fd) != 0) {
        err = iggy_fail(IGGY_ERR__TRANSPORT, "connect %s: fcntl: %s", name,
                        iggy_strerror(errno, eb, sizeof eb));
        goto fail;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS && errno != EINTR) {
            err = iggy_fail(IGGY_ERR__TRANSPORT, "connect %s: %s", name,
                            iggy_strerror(errno, eb, sizeof eb));
            goto fail;
        }
        /* Writable means the handshake finished, one way or the other (hiredis
         * redisContextWaitReady); SO_ERROR says which. */
        err = iggy_fd_wait(fd, POLLOUT, deadline_ms, "connect", name);
        if (err != IGGY_OK)
            goto fail;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
            soerr = errno;
        if (soerr != 0) {
            err = iggy_fail(IGGY_ERR__TRANSPORT, "connect %s: %s", name,
                            iggy_strerror(soerr, eb, sizeof eb));
            goto fail;
        }
    }
    /* Lockstep request/reply stalls behind Nagle (socket.nodelay, on by default). */
    if ((nodelay && iggy_tcp_set_nodelay(fd) != 0) ||
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) != 0) {
        err = iggy_fail(IGGY_ERR__TRANSPORT, "connect %s: setsockopt: %s", name,
                        iggy_strerror(errno, eb, sizeof eb));
        goto fail;
    }
    *fd_out = fd;
    return IGGY_OK;
fail:
    close(fd);
    return err;
}

int iggy_tcp_set_nodelay(int fd)
{
    int one = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int iggy_tcp_set_abortive_close(int fd)
{
    struct linger lg = {1, 0};
    return setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

/* "[::1]" -> "::1": getaddrinfo does not take brackets. False when host does not fit. */
static bool unbracket(const char *host, char *buf, size_t cap)
{
    size_t hlen = strlen(host);
    if (hlen >= cap)
        return false;
    if (host[0] == '[' && hlen > 2 && host[hlen - 1] == ']') {
        memcpy(buf, host + 1, hlen - 2);
        buf[hlen - 2] = '\0';
    } else {
        memcpy(buf, host, hlen + 1);
    }
    return true;
}

iggy_err_t iggy_tcp_connect(const char *host, uint16_t port, int64_t connect_timeout_ms,
                            bool nodelay, int *fd_out)
{
    char hostbuf[256], portstr[8];
    struct addrinfo hints, *res = NULL, *ai;
    int64_t deadline_ms = connect_timeout_ms > 0 ? iggy_now_ms() + connect_timeout_ms : 0;
    int rc;
    iggy_err_t err = IGGY_ERR__TRANSPORT;

    *fd_out = -1;
    if (!host || !*host || port == 0)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "connect: host must be non-empty and port > 0");
    if (!unbracket(host, hostbuf, sizeof hostbuf))
        return iggy_fail(IGGY_ERR__INVALID_ARG, "connect: host name too long");
    snprintf(portstr, sizeof portstr, "%u", (unsigned)port);

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    /* No AI_ADDRCONFIG: it hides ::1 on hosts with only loopback IPv6. */
    hints.ai_flags = AI_NUMERICSERV;
    rc = getaddrinfo(hostbuf, portstr, &hints, &res);
    if (rc != 0) {
        char eb[128];
        return iggy_fail(IGGY_ERR__TRANSPORT, "resolve %s: %s", hostbuf,
                         rc == EAI_SYSTEM ? iggy_strerror(errno, eb, sizeof eb) : gai_strerror(rc));
    }
    if (!res)
        return iggy_fail(IGGY_ERR__TRANSPORT, "resolve %s: no addresses", hostbuf);
    for (ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
            continue;
        err = connect_one(ai, deadline_ms, nodelay, fd_out);
        /* A timeout spends the whole budget; later addresses would get none. */
        if (err == IGGY_OK || err == IGGY_ERR__TIMED_OUT)
            break;
    }
    freeaddrinfo(res);
    return err;
}

iggy_err_t iggy_tcp_listen(const char *host, uint16_t port, int backlog, int *fd_out,
                           uint16_t *port_out)
{
    char hostbuf[256], portstr[8], eb[128];
    struct addrinfo hints, *ai = NULL;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int fd, one = 1, rc;

    *fd_out = -1;
    if (!host || !unbracket(host, hostbuf, sizeof hostbuf))
        return iggy_fail(IGGY_ERR__INVALID_ARG, "listen: host missing or too long");
    snprintf(portstr, sizeof portstr, "%u", (unsigned)port);
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    rc = getaddrinfo(hostbuf, portstr, &hints, &ai);
    if (rc != 0 || !ai)
        return iggy_fail(IGGY_ERR__TRANSPORT, "listen: cannot resolve %s: %s", hostbuf,
                         rc ? gai_strerror(rc) : "no addresses");
#ifdef SOCK_CLOEXEC
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
#else
    fd = socket(ai->ai_family, SOCK_STREAM, 0);
#endif
    if (fd < 0) {
        freeaddrinfo(ai);
        return iggy_fail(IGGY_ERR__TRANSPORT, "listen: socket: %s",
                         iggy_strerror(errno, eb, sizeof eb));
    }
    /* A restarted listener (a node brought back up) must get its port again at once. */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, backlog) != 0 ||
        iggy_fd_set_nonblock_cloexec(fd) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
        int e = errno;
        freeaddrinfo(ai);
        close(fd);
        return iggy_fail(IGGY_ERR__TRANSPORT, "listen: cannot listen on %s:%u: %s", hostbuf,
                         (unsigned)port, iggy_strerror(e, eb, sizeof eb));
    }
    freeaddrinfo(ai);
    *port_out =
        ntohs(ss.ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)(const void *)&ss)->sin6_port
                                       : ((const struct sockaddr_in *)(const void *)&ss)->sin_port);
    *fd_out = fd;
    return IGGY_OK;
}

/* ---- plain TCP transport ---- */

typedef struct tcp_transport {
    int fd;
    bool awaiting; /* a request went out, nothing read since: its reply is rarely here yet */
    char peer[INET6_ADDRSTRLEN + 16];
} tcp_transport_t;

static iggy_err_t tcp_closed(const tcp_transport_t *t, const char *what)
{
    return iggy_fail(IGGY_ERR__TRANSPORT, "%s %s: transport closed", what, t->peer);
}

static iggy_err_t tcp_writev(void *ctx, const struct iovec *iov, int iovcnt, int64_t deadline_ms)
{
    tcp_transport_t *t = ctx;
    int i = 0;
    size_t off = 0; /* bytes of iov[i] already sent */

    if (t->fd < 0)
        return tcp_closed(t, "write to");
    while (i < iovcnt) {
        struct iovec batch[TCP_IOV_BATCH];
        struct msghdr msg;
        int n = 0, j;
        ssize_t sent;
        char eb[128];

        for (j = i; j < iovcnt && n < TCP_IOV_BATCH; j++) {
            size_t skip = j == i ? off : 0;
            if (iov[j].iov_len == skip)
                continue;
            batch[n].iov_base = (uint8_t *)iov[j].iov_base + skip;
            batch[n].iov_len = iov[j].iov_len - skip;
            n++;
        }
        if (n == 0)
            break;
        memset(&msg, 0, sizeof msg);
        msg.msg_iov = batch;
        msg.msg_iovlen = (size_t)n;
        /* MSG_NOSIGNAL: a dead peer must be an error, not SIGPIPE. */
        sent = sendmsg(t->fd, &msg, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                IGGY_TRY(iggy_fd_wait(t->fd, POLLOUT, deadline_ms, "write to", t->peer));
                continue;
            }
            return iggy_fail(IGGY_ERR__TRANSPORT, "write to %s: %s", t->peer,
                             iggy_strerror(errno, eb, sizeof eb));
        }
        /* Advance (i, off) by sent bytes. */
        while (i < iovcnt && (size_t)sent >= iov[i].iov_len - off) {
            sent -= (ssize_t)(iov[i].iov_len - off);
            off = 0;
            i++;
        }
        off += (size_t)sent;
    }
    t->awaiting = true;
    return IGGY_OK;
}

static iggy_err_t tcp_read(void *ctx, uint8_t *buf, size_t n, int64_t deadline_ms)
{
    tcp_transport_t *t = ctx;
    size_t got = 0;

    if (t->fd < 0)
        return tcp_closed(t, "read from");
    if (t->awaiting) { /* wait first: a recv() now would almost always say EAGAIN */
        t->awaiting = false;
        IGGY_TRY(iggy_fd_wait(t->fd, POLLIN, deadline_ms, "read from", t->peer));
    }
    while (got < n) {
        ssize_t r = recv(t->fd, buf + got, n - got, 0);
        char eb[128];
        if (r > 0) {
            got += (size_t)r;
            continue;
        }
        if (r == 0)
            return iggy_fail(IGGY_ERR__TRANSPORT,
                             "read from %s: connection closed by peer (%zu of %zu bytes)", t->peer,
                             got, n);
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            IGGY_TRY(iggy_fd_wait(t->fd, POLLIN, deadline_ms, "read from", t->peer));
            continue;
        }
        return iggy_fail(IGGY_ERR__TRANSPORT, "read from %s: %s", t->peer,
                         iggy_strerror(errno, eb, sizeof eb));
    }
    return IGGY_OK;
}

/* Between requests nothing may wait to be read: bytes there mean the stream is out of step,
 * end of file that the peer closed it. Never blocks. */
static iggy_err_t tcp_check_quiet(void *ctx)
{
    tcp_transport_t *t = ctx;
    uint8_t b;
    ssize_t r;
    char eb[128];
    if (t->fd < 0)
        return tcp_closed(t, "check");
    do
        r = recv(t->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    while (r < 0 && errno == EINTR);
    if (r > 0)
        return iggy_fail(IGGY_ERR__BAD_MSG,
                         "%s: bytes waiting before a request was sent: the stream is out of step",
                         t->peer);
    if (r == 0)
        return iggy_fail(IGGY_ERR__TRANSPORT, "%s: connection closed by peer while idle", t->peer);
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return IGGY_OK;
    return iggy_fail(IGGY_ERR__TRANSPORT, "%s: %s", t->peer, iggy_strerror(errno, eb, sizeof eb));
}

static void tcp_close(void *ctx)
{
    tcp_transport_t *t = ctx;
    if (t->fd < 0)
        return;
    shutdown(t->fd, SHUT_RDWR);
    close(t->fd);
    t->fd = -1;
}

static void tcp_destroy(void *ctx)
{
    if (!ctx)
        return;
    tcp_close(ctx);
    iggy_mem_free(ctx);
}

static const iggy_transport_ops_t tcp_ops = {
    .name = "tcp",
    .writev = tcp_writev,
    .read = tcp_read,
    .check_quiet = tcp_check_quiet,
    .close = tcp_close,
    .destroy = tcp_destroy,
};

iggy_err_t iggy_tcp_transport_new(int fd, iggy_transport_t *out)
{
    tcp_transport_t *t;
    out->ops = NULL;
    out->ctx = NULL;
    if (fd < 0)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "tcp transport: invalid fd");
    t = iggy_mem_calloc(1, sizeof *t);
    if (!t) {
        close(fd);
        return iggy_fail(IGGY_ERR__NO_MEMORY, "tcp transport: no memory");
    }
    t->fd = fd;
    iggy_fd_peer_name(fd, t->peer, sizeof t->peer);
    out->ops = &tcp_ops;
    out->ctx = t;
    return IGGY_OK;
}
