/* The socket layer over loopback only (127.0.0.1, ::1, localhost): non-blocking connect,
 * the TCP transport (exact reads, full writes, deadlines, EOF, SIGPIPE), and the TLS
 * transport against an in-process server whose CA and certificate are generated here. */
#include <check.h>
#include <netdb.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "net/iggy_tcp.h"
#include "net/iggy_tls.h"
#include "test_main.h"
#include "test_pki.h"
#include "test_server.h"

/* ---- helpers ---- */

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

#define FD_GUARD_BEGIN const int fds_before_ = count_fds()
#define FD_GUARD_END ck_assert_int_eq(count_fds(), fds_before_)

/* Listen on a loopback address, port chosen by the kernel; -1 if the family is unavailable. */
static int listen_on(int family, int backlog, uint16_t *port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd = socket(family, SOCK_STREAM, 0), one = 1;
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&ss, 0, sizeof ss);
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_addr = in6addr_loopback;
        len = sizeof *in6;
    }
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, backlog) != 0) {
        close(fd);
        return -1;
    }
    len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                    : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

/* Accept one connection within 3 s; the result is blocking with 5 s I/O timeouts so a
 * broken test fails instead of hanging. */
static int accept_within(int lfd)
{
    struct pollfd p = {.fd = lfd, .events = POLLIN, .revents = 0};
    struct timeval tv = {5, 0};
    int fd;
    if (poll(&p, 1, 3000) != 1)
        return -1;
    fd = accept(lfd, NULL, NULL);
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    return fd;
}

static int recv_all(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, buf + got, n - got, 0);
        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

static int send_all(int fd, const uint8_t *buf, size_t n)
{
    size_t off = 0;
    while (off < n) {
        ssize_t w = send(fd, buf + off, n - off, MSG_NOSIGNAL);
        if (w <= 0) {
            if (w < 0 && errno == EINTR)
                continue;
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 31u + 7u);
}

static int64_t in_ms(int64_t ms)
{
    return iggy_now_ms() + ms;
}

static void assert_detail_has(const char *needle)
{
    const char *d = iggy_last_error_detail();
    ck_assert_msg(d && strstr(d, needle), "detail \"%s\" lacks \"%s\"", d ? d : "(null)", needle);
}

/* ---- TCP: connect and exchange ---- */

typedef struct chunk_writer {
    int fd;
    const char *chunks[4];
    int delay_ms;
} chunk_writer_t;

/* Sends each chunk as its own write, pausing between them, so the reader sees pieces. */
static void *chunk_writer_main(void *arg)
{
    chunk_writer_t *w = arg;
    for (int i = 0; i < 4 && w->chunks[i]; i++) {
        test_sleep_ms(w->delay_ms);
        if (send_all(w->fd, (const uint8_t *)w->chunks[i], strlen(w->chunks[i])) != 0)
            break;
    }
    return NULL;
}

static void exchange_over(int family, const char *host)
{
    uint16_t port = 0;
    int lfd = listen_on(family, 8, &port), cfd = -1, sfd, v = 0;
    socklen_t vl = sizeof v;
    iggy_transport_t tr;
    uint8_t got[32];
    pthread_t th;
    chunk_writer_t w = {.chunks = {"abcd", "efgh", "ijkl", NULL}, .delay_ms = 30};
    char hello[] = "hel", world[] = "lo world";
    struct iovec iov[3] = {{hello, 3}, {NULL, 0}, {world, 8}};

    ck_assert_int_ge(lfd, 0);
    ck_assert_int_eq(iggy_tcp_connect(host, port, 2000, true, &cfd), IGGY_OK);
    sfd = accept_within(lfd);
    ck_assert_int_ge(sfd, 0);

    /* The socket is left non-blocking, close-on-exec, no Nagle, keepalive on. */
    ck_assert(fcntl(cfd, F_GETFL) & O_NONBLOCK);
    ck_assert(fcntl(cfd, F_GETFD) & FD_CLOEXEC);
    ck_assert_int_eq(getsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &v, &vl), 0);
    ck_assert_int_ne(v, 0);
    ck_assert_int_eq(getsockopt(cfd, SOL_SOCKET, SO_KEEPALIVE, &v, &vl), 0);
    ck_assert_int_ne(v, 0);

    ck_assert_int_eq(iggy_tcp_transport_new(cfd, &tr), IGGY_OK);
    ck_assert_str_eq(tr.ops->name, "tcp");

    ck_assert_int_eq(tr.ops->writev(tr.ctx, iov, 3, in_ms(2000)), IGGY_OK);
    ck_assert_int_eq(recv_all(sfd, got, 11), 0);
    ck_assert_int_eq(memcmp(got, "hello world", 11), 0);

    /* One exact read spanning three delayed writes, then a read inside one. */
    w.fd = sfd;
    ck_assert_int_eq(pthread_create(&th, NULL, chunk_writer_main, &w), 0);
    ck_assert_int_eq(tr.ops->read(tr.ctx, got, 10, in_ms(3000)), IGGY_OK);
    ck_assert_int_eq(memcmp(got, "abcdefghij", 10), 0);
    ck_assert_int_eq(tr.ops->read(tr.ctx, got, 2, in_ms(3000)), IGGY_OK);
    ck_assert_int_eq(memcmp(got, "kl", 2), 0);
    pthread_join(th, NULL);

    /* n = 0 and empty iov are no-ops. */
    ck_assert_int_eq(tr.ops->read(tr.ctx, got, 0, in_ms(100)), IGGY_OK);
    ck_assert_int_eq(tr.ops->writev(tr.ctx, iov, 0, in_ms(100)), IGGY_OK);

    tr.ops->destroy(tr.ctx);
    close(sfd);
    close(lfd);
}

START_TEST(test_tcp_exchange_ipv4)
{
    FD_GUARD_BEGIN;
    exchange_over(AF_INET, "127.0.0.1");
    FD_GUARD_END;
}
END_TEST

START_TEST(test_tcp_exchange_localhost)
{
    /* "localhost" may resolve to ::1 first; the listener is IPv4 only, so this also
     * exercises falling through to the next address. */
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo("localhost", "80", &hints, &res) != 0) {
        /* A root without /etc/hosts (a bare debootstrap) cannot resolve it at all. */
        printf("SKIPPED test_tcp_exchange_localhost: \"localhost\" does not resolve here\n");
        return;
    }
    freeaddrinfo(res);
    FD_GUARD_BEGIN;
    exchange_over(AF_INET, "localhost");
    FD_GUARD_END;
}
END_TEST

START_TEST(test_tcp_exchange_ipv6)
{
    uint16_t port;
    int probe;
    FD_GUARD_BEGIN;
    probe = listen_on(AF_INET6, 1, &port);
    if (probe < 0) {
        printf("SKIPPED ipv6: cannot listen on [::1]: %s\n", strerror(errno));
        return;
    }
    close(probe);
    exchange_over(AF_INET6, "::1");
    exchange_over(AF_INET6, "[::1]");
    FD_GUARD_END;
}
END_TEST

/* ---- TCP: bulk transfer (EAGAIN / POLLOUT paths, > 64 iovecs) ---- */

#define BULK_IOVS 300
#define BULK_PIECE 16384
#define BULK_TOTAL ((size_t)BULK_IOVS * BULK_PIECE)

typedef struct bulk_peer {
    int fd;
    int ok;
} bulk_peer_t;

/* Drains BULK_TOTAL bytes, checks them, then sends them back. */
static void *bulk_peer_main(void *arg)
{
    bulk_peer_t *b = arg;
    uint8_t *buf = malloc(BULK_TOTAL);
    if (!buf)
        return NULL;
    if (recv_all(b->fd, buf, BULK_TOTAL) == 0) {
        b->ok = 1;
        for (size_t i = 0; i < BULK_TOTAL; i++)
            if (buf[i] != pattern(i)) {
                b->ok = 0;
                break;
            }
        send_all(b->fd, buf, BULK_TOTAL);
    }
    free(buf);
    return NULL;
}

START_TEST(test_tcp_bulk)
{
    uint16_t port;
    int lfd, cfd, sfd;
    iggy_transport_t tr;
    uint8_t *src, *dst;
    struct iovec iov[BULK_IOVS];
    bulk_peer_t peer = {0};
    pthread_t th;
    FD_GUARD_BEGIN;

    lfd = listen_on(AF_INET, 8, &port);
    ck_assert_int_ge(lfd, 0);
    ck_assert_int_eq(iggy_tcp_connect("127.0.0.1", port, 2000, true, &cfd), IGGY_OK);
    sfd = accept_within(lfd);
    ck_assert_int_ge(sfd, 0);
    ck_assert_int_eq(iggy_tcp_transport_new(cfd, &tr), IGGY_OK);

    src = malloc(BULK_TOTAL);
    dst = malloc(BULK_TOTAL);
    ck_assert_ptr_nonnull(src);
    ck_assert_ptr_nonnull(dst);
    for (size_t i = 0; i < BULK_TOTAL; i++)
        src[i] = pattern(i);
    for (int i = 0; i < BULK_IOVS; i++) {
        iov[i].iov_base = src + (size_t)i * BULK_PIECE;
        iov[i].iov_len = BULK_PIECE;
    }
    peer.fd = sfd;
    ck_assert_int_eq(pthread_create(&th, NULL, bulk_peer_main, &peer), 0);
    ck_assert_int_eq(tr.ops->writev(tr.ctx, iov, BULK_IOVS, in_ms(10000)), IGGY_OK);
    ck_assert_int_eq(tr.ops->read(tr.ctx, dst, BULK_TOTAL, in_ms(10000)), IGGY_OK);
    pthread_join(th, NULL);
    ck_assert_int_eq(peer.ok, 1);
    ck_assert_int_eq(memcmp(src, dst, BULK_TOTAL), 0);

    free(src);
    free(dst);
    tr.ops->destroy(tr.ctx);
    close(sfd);
    close(lfd);
    FD_GUARD_END;
}
END_TEST

/* ---- TCP: failures ---- */

START_TEST(test_tcp_refused)
{
    uint16_t port;
    int lfd, fd = 123;
    char want[64];
    FD_GUARD_BEGIN;

    /* A port that was just free: nothing listens there now. */
    lfd = listen_on(AF_INET, 1, &port);
    ck_assert_int_ge(lfd, 0);
    close(lfd);
    ck_assert_int_eq(iggy_tcp_connect("127.0.0.1", port, 2000, true, &fd), IGGY_ERR__TRANSPORT);
    ck_assert_int_eq(fd, -1);
    snprintf(want, sizeof want, "connect 127.0.0.1:%u", (unsigned)port);
    assert_detail_has(want);
    assert_detail_has("refused");
    FD_GUARD_END;
}
END_TEST

START_TEST(test_tcp_bad_args)
{
    int fd;
    iggy_transport_t tr;
    FD_GUARD_BEGIN;
    ck_assert_int_eq(iggy_tcp_connect("", 80, 100, true, &fd), IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_tcp_connect(NULL, 80, 100, true, &fd), IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_tcp_connect("127.0.0.1", 0, 100, true, &fd), IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_tcp_transport_new(-1, &tr), IGGY_ERR__INVALID_ARG);
    ck_assert_ptr_null(tr.ops);
    FD_GUARD_END;
}
END_TEST

/* Connects and accepts; returns the transport and the server's end. */
static void tcp_pair(int *lfd, int *sfd, iggy_transport_t *tr)
{
    uint16_t port;
    int cfd;
    *lfd = listen_on(AF_INET, 8, &port);
    ck_assert_int_ge(*lfd, 0);
    ck_assert_int_eq(iggy_tcp_connect("127.0.0.1", port, 2000, true, &cfd), IGGY_OK);
    *sfd = accept_within(*lfd);
    ck_assert_int_ge(*sfd, 0);
    ck_assert_int_eq(iggy_tcp_transport_new(cfd, tr), IGGY_OK);
}

START_TEST(test_tcp_read_deadline)
{
    int lfd, sfd;
    iggy_transport_t tr;
    uint8_t b[8];
    int64_t t0, dt;
    FD_GUARD_BEGIN;

    tcp_pair(&lfd, &sfd, &tr);
    /* The peer sends one byte of eight: partial data must not count as progress. */
    ck_assert_int_eq(send_all(sfd, (const uint8_t *)"x", 1), 0);
    t0 = iggy_now_ms();
    ck_assert_int_eq(tr.ops->read(tr.ctx, b, 8, t0 + 300), IGGY_ERR__TIMED_OUT);
    dt = iggy_now_ms() - t0;
    ck_assert_int_ge(dt, 290);
    ck_assert_int_lt(dt, 300 + 500);
    assert_detail_has("timed out");

    /* A deadline already in the past fails at once when nothing is buffered. */
    t0 = iggy_now_ms();
    ck_assert_int_eq(tr.ops->read(tr.ctx, b, 1, t0 - 1), IGGY_ERR__TIMED_OUT);
    ck_assert_int_lt(iggy_now_ms() - t0, 100);

    tr.ops->destroy(tr.ctx);
    close(sfd);
    close(lfd);
    FD_GUARD_END;
}
END_TEST

START_TEST(test_tcp_peer_close)
{
    int lfd, sfd;
    iggy_transport_t tr;
    uint8_t b[8];
    FD_GUARD_BEGIN;

    tcp_pair(&lfd, &sfd, &tr);
    ck_assert_int_eq(send_all(sfd, (const uint8_t *)"abc", 3), 0);
    close(sfd);
    ck_assert_int_eq(tr.ops->read(tr.ctx, b, 8, in_ms(2000)), IGGY_ERR__TRANSPORT);
    assert_detail_has("connection closed by peer");
    tr.ops->destroy(tr.ctx);
    close(lfd);
    FD_GUARD_END;
}
END_TEST

START_TEST(test_tcp_write_to_closed_peer)
{
    int lfd, sfd;
    iggy_transport_t tr;
    struct linger lg = {1, 0};
    static uint8_t chunk[65536];
    struct iovec iov = {chunk, sizeof chunk};
    iggy_err_t err = IGGY_OK;
    FD_GUARD_BEGIN;

    /* The default action: SIGPIPE would kill this process if the transport raised it. */
    signal(SIGPIPE, SIG_DFL);
    tcp_pair(&lfd, &sfd, &tr);
    /* Close with RST so the next send fails with EPIPE/ECONNRESET. */
    setsockopt(sfd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(sfd);
    test_sleep_ms(20);
    for (int i = 0; i < 100 && err == IGGY_OK; i++)
        err = tr.ops->writev(tr.ctx, &iov, 1, in_ms(2000));
    ck_assert_int_eq(err, IGGY_ERR__TRANSPORT);
    assert_detail_has("write to 127.0.0.1:");
    /* And again: a second failure is an error, not a signal. */
    ck_assert_int_eq(tr.ops->writev(tr.ctx, &iov, 1, in_ms(2000)), IGGY_ERR__TRANSPORT);
    tr.ops->destroy(tr.ctx);
    close(lfd);
    FD_GUARD_END;
}
END_TEST

START_TEST(test_tcp_close_idempotent)
{
    int lfd, sfd;
    iggy_transport_t tr;
    uint8_t b[1];
    struct iovec iov = {b, 1};
    FD_GUARD_BEGIN;

    tcp_pair(&lfd, &sfd, &tr);
    tr.ops->close(tr.ctx);
    tr.ops->close(tr.ctx);
    ck_assert_int_eq(tr.ops->read(tr.ctx, b, 1, in_ms(100)), IGGY_ERR__TRANSPORT);
    ck_assert_int_eq(tr.ops->writev(tr.ctx, &iov, 1, in_ms(100)), IGGY_ERR__TRANSPORT);
    assert_detail_has("closed");
    /* The peer sees EOF. */
    ck_assert_int_eq(recv(sfd, b, 1, 0), 0);
    tr.ops->destroy(tr.ctx);
    close(sfd);
    close(lfd);
    FD_GUARD_END;
}
END_TEST

START_TEST(test_tcp_connect_timeout)
{
    /* A listener with backlog 0 that never accepts: once its queue is full, Linux drops
     * further SYNs, so connect stays in progress (all on 127.0.0.1). */
    uint16_t port;
    int lfd, held[32], nheld = 0, timed_out = 0;
    FD_GUARD_BEGIN;

    lfd = listen_on(AF_INET, 0, &port);
    ck_assert_int_ge(lfd, 0);
    for (int i = 0; i < 32 && !timed_out; i++) {
        int fd = -1;
        int64_t t0 = iggy_now_ms(), dt;
        iggy_err_t err = iggy_tcp_connect("127.0.0.1", port, 250, true, &fd);
        dt = iggy_now_ms() - t0;
        if (err == IGGY_OK) {
            held[nheld++] = fd;
            continue;
        }
        ck_assert_int_eq(err, IGGY_ERR__TIMED_OUT);
        ck_assert_int_eq(fd, -1);
        ck_assert_int_ge(dt, 240);
        ck_assert_int_lt(dt, 250 + 500);
        assert_detail_has("timed out");
        timed_out = 1;
    }
    if (!timed_out)
        printf("SKIPPED connect timeout: the kernel accepted %d queued connections\n", nheld);
    for (int i = 0; i < nheld; i++)
        close(held[i]);
    close(lfd);
    FD_GUARD_END;
}
END_TEST

/* ---- TLS: generated PKI ---- */

static test_pki_t g_pki;

static void pki_setup(void)
{
    test_pki_create(&g_pki);
}

static void pki_teardown(void)
{
    test_pki_destroy(&g_pki);
}

/* ---- TLS: a one-connection server thread ---- */

typedef enum { SRV_ECHO, SRV_CLOSE_AFTER_HANDSHAKE } srv_mode_t;

typedef struct tls_server {
    int lfd;
    uint16_t port;
    srv_mode_t mode;
    pthread_t th;
    int handshake_ok;
    size_t echoed;
} tls_server_t;

static void *tls_server_main(void *arg)
{
    tls_server_t *s = arg;
    SSL_CTX *ctx;
    SSL *ssl;
    sigset_t set;
    int fd;

    /* The server uses OpenSSL's write(): keep a dead client from raising SIGPIPE here. */
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    fd = accept_within(s->lfd);
    if (fd < 0)
        return NULL;
    ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx, g_pki.srv_cert);
    SSL_CTX_use_PrivateKey(ctx, g_pki.srv_key);
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
        s->handshake_ok = 1;
        if (s->mode == SRV_ECHO) {
            char buf[4096];
            int n;
            while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) {
                if (SSL_write(ssl, buf, n) != n)
                    break;
                s->echoed += (size_t)n;
            }
        }
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    ERR_clear_error();
    return NULL;
}

static int tls_server_try_start(tls_server_t *s, srv_mode_t mode)
{
    memset(s, 0, sizeof *s);
    s->mode = mode;
    s->lfd = listen_on(AF_INET, 8, &s->port);
    if (s->lfd < 0)
        return -1;
    if (pthread_create(&s->th, NULL, tls_server_main, s) != 0) {
        close(s->lfd);
        return -1;
    }
    return 0;
}

static void tls_server_start(tls_server_t *s, srv_mode_t mode)
{
    ck_assert_int_eq(tls_server_try_start(s, mode), 0);
}

static void tls_server_stop(tls_server_t *s)
{
    pthread_join(s->th, NULL);
    close(s->lfd);
}

static iggy_err_t tls_connect(uint16_t port, const char *ca, const char *name, bool verify,
                              iggy_transport_t *tr)
{
    iggy_tls_opts_t o = {.ca_file = ca, .server_name = name, .verify = verify};
    int fd;
    iggy_err_t err = iggy_tcp_connect("127.0.0.1", port, 2000, true, &fd);
    if (err != IGGY_OK)
        return err;
    return iggy_tls_transport_new(fd, &o, in_ms(3000), tr);
}

/* Round trips through the echo server: a header-sized piece plus a body, several sizes. */
static void tls_echo_rounds(iggy_transport_t *tr)
{
    static uint8_t src[40000], dst[40000];
    static const size_t sizes[] = {1, 256, 300, 16384, 16640, 40000};
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = pattern(i);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k], head = n < 256 ? n : 256;
        struct iovec iov[3] = {{src, head}, {NULL, 0}, {src + head, n - head}};
        memset(dst, 0, n);
        ck_assert_int_eq(tr->ops->writev(tr->ctx, iov, 3, in_ms(3000)), IGGY_OK);
        ck_assert_int_eq(tr->ops->read(tr->ctx, dst, n, in_ms(3000)), IGGY_OK);
        ck_assert_int_eq(memcmp(src, dst, n), 0);
    }
}

static void tls_ok_case(const char *ca, const char *name, bool verify)
{
    tls_server_t s;
    iggy_transport_t tr;
    tls_server_start(&s, SRV_ECHO);
    ck_assert_msg(tls_connect(s.port, ca, name, verify, &tr) == IGGY_OK, "handshake: %s",
                  iggy_last_error_detail());
    ck_assert_str_eq(tr.ops->name, "tls");
    tls_echo_rounds(&tr);
    tr.ops->destroy(tr.ctx);
    tls_server_stop(&s);
    ck_assert_int_eq(s.handshake_ok, 1);
}

START_TEST(test_tls_verify_hostname)
{
    FD_GUARD_BEGIN;
    tls_ok_case(g_pki.ca_path, "localhost", true);
    FD_GUARD_END;
}
END_TEST

START_TEST(test_tls_verify_ip_san)
{
    FD_GUARD_BEGIN;
    tls_ok_case(g_pki.ca_path, "127.0.0.1", true);
    FD_GUARD_END;
}
END_TEST

START_TEST(test_tls_verify_off)
{
    FD_GUARD_BEGIN;
    /* Wrong name and an untrusted chain: both ignored. */
    tls_ok_case(g_pki.other_ca_path, "wrong.example", false);
    tls_ok_case(NULL, NULL, false);
    FD_GUARD_END;
}
END_TEST

static void tls_reject_case(const char *ca, const char *name, const char *why)
{
    tls_server_t s;
    iggy_transport_t tr;
    tls_server_start(&s, SRV_ECHO);
    ck_assert_int_eq(tls_connect(s.port, ca, name, true, &tr), IGGY_ERR__TLS_VERIFY);
    ck_assert_ptr_null(tr.ops);
    assert_detail_has("certificate verification failed");
    assert_detail_has(why);
    /* OpenSSL's own reason is there too. */
    assert_detail_has("certificate verify failed");
    tls_server_stop(&s);
    ck_assert_int_eq(s.handshake_ok, 0);
}

START_TEST(test_tls_wrong_hostname)
{
    FD_GUARD_BEGIN;
    tls_reject_case(g_pki.ca_path, "wrong.example", "hostname mismatch");
    tls_reject_case(g_pki.ca_path, "127.0.0.2", "IP address mismatch");
    FD_GUARD_END;
}
END_TEST

START_TEST(test_tls_untrusted_ca)
{
    FD_GUARD_BEGIN;
    tls_reject_case(g_pki.other_ca_path, "localhost", "local issuer");
    FD_GUARD_END;
}
END_TEST

START_TEST(test_tls_bad_options)
{
    uint16_t port;
    int lfd, fd;
    iggy_transport_t tr;
    iggy_tls_opts_t o = {.ca_file = NULL, .server_name = NULL, .verify = true};
    FD_GUARD_BEGIN;

    lfd = listen_on(AF_INET, 8, &port);
    ck_assert_int_ge(lfd, 0);
    /* verify without a name to check: refused, and fd is closed all the same. */
    ck_assert_int_eq(iggy_tcp_connect("127.0.0.1", port, 2000, true, &fd), IGGY_OK);
    ck_assert_int_eq(iggy_tls_transport_new(fd, &o, in_ms(1000), &tr), IGGY_ERR__INVALID_ARG);
    /* A CA file that does not exist. */
    o.server_name = "localhost";
    o.ca_file = "/nonexistent/iggy-ca.pem";
    ck_assert_int_eq(iggy_tcp_connect("127.0.0.1", port, 2000, true, &fd), IGGY_OK);
    ck_assert_int_eq(iggy_tls_transport_new(fd, &o, in_ms(1000), &tr), IGGY_ERR__TRANSPORT);
    assert_detail_has("cannot load CA file /nonexistent/iggy-ca.pem");
    close(lfd);
    FD_GUARD_END;
}
END_TEST

START_TEST(test_tls_handshake_deadline)
{
    /* The kernel completes the TCP handshake but nobody speaks TLS. */
    uint16_t port;
    int lfd, fd;
    iggy_transport_t tr;
    iggy_tls_opts_t o = {.ca_file = g_pki.ca_path, .server_name = "localhost", .verify = true};
    int64_t t0, dt;
    FD_GUARD_BEGIN;

    lfd = listen_on(AF_INET, 8, &port);
    ck_assert_int_ge(lfd, 0);
    ck_assert_int_eq(iggy_tcp_connect("127.0.0.1", port, 2000, true, &fd), IGGY_OK);
    t0 = iggy_now_ms();
    ck_assert_int_eq(iggy_tls_transport_new(fd, &o, t0 + 300, &tr), IGGY_ERR__TIMED_OUT);
    dt = iggy_now_ms() - t0;
    ck_assert_int_ge(dt, 290);
    ck_assert_int_lt(dt, 300 + 500);
    assert_detail_has("TLS handshake with 127.0.0.1:");
    close(lfd);
    FD_GUARD_END;
}
END_TEST

START_TEST(test_tls_read_deadline_and_peer_close)
{
    tls_server_t s;
    iggy_transport_t tr;
    uint8_t b[4];
    int64_t t0, dt;
    FD_GUARD_BEGIN;

    /* An echo server that gets nothing sends nothing. */
    tls_server_start(&s, SRV_ECHO);
    ck_assert_int_eq(tls_connect(s.port, g_pki.ca_path, "localhost", true, &tr), IGGY_OK);
    t0 = iggy_now_ms();
    ck_assert_int_eq(tr.ops->read(tr.ctx, b, 4, t0 + 300), IGGY_ERR__TIMED_OUT);
    dt = iggy_now_ms() - t0;
    ck_assert_int_ge(dt, 290);
    ck_assert_int_lt(dt, 300 + 500);
    tr.ops->close(tr.ctx);
    tr.ops->close(tr.ctx);
    ck_assert_int_eq(tr.ops->read(tr.ctx, b, 4, in_ms(100)), IGGY_ERR__TRANSPORT);
    tr.ops->destroy(tr.ctx);
    tls_server_stop(&s);

    tls_server_start(&s, SRV_CLOSE_AFTER_HANDSHAKE);
    ck_assert_int_eq(tls_connect(s.port, g_pki.ca_path, "localhost", true, &tr), IGGY_OK);
    ck_assert_int_eq(tr.ops->read(tr.ctx, b, 4, in_ms(3000)), IGGY_ERR__TRANSPORT);
    assert_detail_has("connection closed by peer");
    tr.ops->destroy(tr.ctx);
    tls_server_stop(&s);
    FD_GUARD_END;
}
END_TEST

START_TEST(test_tls_write_to_closed_peer)
{
    tls_server_t s;
    iggy_transport_t tr;
    static uint8_t chunk[65536];
    struct iovec iov = {chunk, sizeof chunk};
    iggy_err_t err = IGGY_OK;
    FD_GUARD_BEGIN;

    signal(SIGPIPE, SIG_DFL);
    tls_server_start(&s, SRV_CLOSE_AFTER_HANDSHAKE);
    ck_assert_int_eq(tls_connect(s.port, g_pki.ca_path, "localhost", true, &tr), IGGY_OK);
    tls_server_stop(&s);
    for (int i = 0; i < 100 && err == IGGY_OK; i++)
        err = tr.ops->writev(tr.ctx, &iov, 1, in_ms(2000));
    ck_assert_int_eq(err, IGGY_ERR__TRANSPORT);
    tr.ops->destroy(tr.ctx);
    FD_GUARD_END;
}
END_TEST

/* Separate transports in parallel threads (run under TSan too). No ck_assert off the main
 * thread: failures are counted and checked after the join. */
static void *tls_parallel_main(void *arg)
{
    int *failures = arg;
    static const uint8_t msg[300] = {1, 2, 3};
    for (int i = 0; i < 3; i++) {
        tls_server_t s;
        iggy_transport_t tr;
        uint8_t back[sizeof msg];
        struct iovec iov = {(void *)msg, sizeof msg};
        if (tls_server_try_start(&s, SRV_ECHO) != 0) {
            (*failures)++;
            continue;
        }
        if (tls_connect(s.port, g_pki.ca_path, i % 2 ? "127.0.0.1" : "localhost", true, &tr) !=
            IGGY_OK) {
            (*failures)++;
        } else {
            if (tr.ops->writev(tr.ctx, &iov, 1, in_ms(3000)) != IGGY_OK ||
                tr.ops->read(tr.ctx, back, sizeof back, in_ms(3000)) != IGGY_OK ||
                memcmp(back, msg, sizeof msg) != 0)
                (*failures)++;
            tr.ops->destroy(tr.ctx);
        }
        tls_server_stop(&s);
    }
    return NULL;
}

START_TEST(test_tls_parallel)
{
    pthread_t th[4];
    int failures[4] = {0};
    FD_GUARD_BEGIN;
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, tls_parallel_main, &failures[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(failures[i], 0);
    }
    FD_GUARD_END;
}
END_TEST

static Suite *net_suite(void)
{
    Suite *s = suite_create("net");
    TCase *tcp = tcase_create("tcp");
    TCase *tls = tcase_create("tls");

    tcase_set_timeout(tcp, 30);
    tcase_add_test(tcp, test_tcp_exchange_ipv4);
    tcase_add_test(tcp, test_tcp_exchange_localhost);
    tcase_add_test(tcp, test_tcp_exchange_ipv6);
    tcase_add_test(tcp, test_tcp_bulk);
    tcase_add_test(tcp, test_tcp_refused);
    tcase_add_test(tcp, test_tcp_bad_args);
    tcase_add_test(tcp, test_tcp_read_deadline);
    tcase_add_test(tcp, test_tcp_peer_close);
    tcase_add_test(tcp, test_tcp_write_to_closed_peer);
    tcase_add_test(tcp, test_tcp_close_idempotent);
    tcase_add_test(tcp, test_tcp_connect_timeout);
    suite_add_tcase(s, tcp);

    tcase_set_timeout(tls, 30);
    tcase_add_unchecked_fixture(tls, pki_setup, pki_teardown);
    tcase_add_test(tls, test_tls_verify_hostname);
    tcase_add_test(tls, test_tls_verify_ip_san);
    tcase_add_test(tls, test_tls_verify_off);
    tcase_add_test(tls, test_tls_wrong_hostname);
    tcase_add_test(tls, test_tls_untrusted_ca);
    tcase_add_test(tls, test_tls_bad_options);
    tcase_add_test(tls, test_tls_handshake_deadline);
    tcase_add_test(tls, test_tls_read_deadline_and_peer_close);
    tcase_add_test(tls, test_tls_write_to_closed_peer);
    tcase_add_test(tls, test_tls_parallel);
    suite_add_tcase(s, tls);
    return s;
}

int main(void)
{
    return test_run_suite(net_suite());
}
