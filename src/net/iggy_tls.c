#include "net/iggy_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "iggy_alloc.h"
#include "iggy_error_internal.h"
#include "net/iggy_tcp.h"

/* One TLS record of plaintext: small iovecs (the 256-byte header) are coalesced up to this. */
#define TLS_WBUF_SIZE 16384

struct iggy_tls_ctx {
    SSL_CTX *ssl_ctx;
    bool verify;
};

typedef struct tls_transport {
    int fd;
    SSL *ssl;      /* holds its own reference to the SSL_CTX */
    int sys_errno; /* last socket errno seen by the BIO */
    int eof;       /* the BIO saw the peer close */
    int broken;    /* a fatal error or timeout: no close_notify on close */
    char peer[INET6_ADDRSTRLEN + 16];
    size_t wlen;
    uint8_t wbuf[TLS_WBUF_SIZE];
} tls_transport_t;

/* ---- process-wide, immutable after pthread_once ---- */

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static BIO_METHOD *g_bio_method;

/* A socket BIO that sends with MSG_NOSIGNAL: OpenSSL's own uses write(), which raises
 * SIGPIPE on a dead peer. */
static int bio_write_ex(BIO *b, const char *buf, size_t len, size_t *written)
{
    tls_transport_t *t = BIO_get_data(b);
    ssize_t n;
    BIO_clear_retry_flags(b);
    do
        n = send(t->fd, buf, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            BIO_set_retry_write(b);
        else
            t->sys_errno = errno;
        return 0;
    }
    *written = (size_t)n;
    return 1;
}

static int bio_read_ex(BIO *b, char *buf, size_t len, size_t *readbytes)
{
    tls_transport_t *t = BIO_get_data(b);
    ssize_t n;
    BIO_clear_retry_flags(b);
    do
        n = recv(t->fd, buf, len, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            BIO_set_retry_read(b);
        else
            t->sys_errno = errno;
        return 0;
    }
    if (n == 0) {
        t->eof = 1;
        return 0;
    }
    *readbytes = (size_t)n;
    return 1;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    tls_transport_t *t = BIO_get_data(b);
    (void)num;
    (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_EOF: /* lets OpenSSL report "unexpected eof" rather than a bare syscall error */
        return t ? t->eof : 0;
    default:
        return 0;
    }
}

static void tls_init_once(void)
{
    BIO_METHOD *m;
    if (OPENSSL_init_ssl(0, NULL) != 1)
        return;
    m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "iggy socket");
    if (!m)
        return;
    if (BIO_meth_set_write_ex(m, bio_write_ex) != 1 || BIO_meth_set_read_ex(m, bio_read_ex) != 1 ||
        BIO_meth_set_ctrl(m, bio_ctrl) != 1) {
        BIO_meth_free(m);
        return;
    }
    g_bio_method = m;
}

/* ---- errors ---- */

/* Map a failed SSL call to an iggy error with a detail, and empty the thread's error queue. */
static iggy_err_t tls_fail(tls_transport_t *t, const char *what, int ssl_err)
{
    unsigned long e = ERR_peek_error();
    char reason[256] = "", eb[128];
    iggy_err_t err;

    t->broken = 1;
    if (e)
        ERR_error_string_n(e, reason, sizeof reason);
    if (ssl_err == SSL_ERROR_ZERO_RETURN || (ssl_err == SSL_ERROR_SYSCALL && !e && t->eof) ||
        (e && ERR_GET_LIB(e) == ERR_LIB_SSL &&
         ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
        err = iggy_fail(IGGY_ERR__TRANSPORT, "TLS %s %s: connection closed by peer", what, t->peer);
    } else if (ssl_err == SSL_ERROR_SYSCALL && t->sys_errno) {
        err = iggy_fail(IGGY_ERR__TRANSPORT, "TLS %s %s: %s", what, t->peer,
                        iggy_strerror(t->sys_errno, eb, sizeof eb));
    } else {
        long vr = t->ssl ? SSL_get_verify_result(t->ssl) : X509_V_OK;
        if (vr != X509_V_OK && t->ssl && SSL_get_verify_mode(t->ssl) != SSL_VERIFY_NONE)
            err = iggy_fail(IGGY_ERR__TLS_VERIFY,
                            "TLS %s %s: certificate verification failed: %s (%s)", what, t->peer,
                            X509_verify_cert_error_string(vr), reason);
        else
            err = iggy_fail(IGGY_ERR__TRANSPORT, "TLS %s %s: %s", what, t->peer,
                            e ? reason : "SSL error");
    }
    ERR_clear_error();
    return err;
}

/* After a failed SSL call: wait for the socket as OpenSSL asks, or map the error. */
static iggy_err_t tls_wait_or_fail(tls_transport_t *t, int rc, int64_t deadline_ms,
                                   const char *what)
{
    int ssl_err = SSL_get_error(t->ssl, rc);
    char label[64];
    iggy_err_t err;
    switch (ssl_err) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        snprintf(label, sizeof label, "TLS %s", what);
        err = iggy_fd_wait(t->fd, ssl_err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline_ms,
                           label, t->peer);
        if (err != IGGY_OK)
            t->broken = 1;
        return err;
    default:
        return tls_fail(t, what, ssl_err);
    }
}

/* ---- transport ---- */

static iggy_err_t tls_closed(const tls_transport_t *t, const char *what)
{
    return iggy_fail(IGGY_ERR__TRANSPORT, "TLS %s %s: transport closed", what, t->peer);
}

static iggy_err_t tls_write_all(tls_transport_t *t, const uint8_t *p, size_t len,
                                int64_t deadline_ms)
{
    while (len > 0) {
        size_t w = 0;
        int rc;
        ERR_clear_error();
        t->sys_errno = 0;
        /* Without SSL_MODE_ENABLE_PARTIAL_WRITE success means all of len; a retry after
         * WANT_* passes the same p and len, as OpenSSL requires. */
        rc = SSL_write_ex(t->ssl, p, len, &w);
        if (rc == 1) {
            p += w;
            len -= w;
            continue;
        }
        IGGY_TRY(tls_wait_or_fail(t, rc, deadline_ms, "write to"));
    }
    return IGGY_OK;
}

static iggy_err_t tls_flush(tls_transport_t *t, int64_t deadline_ms)
{
    iggy_err_t err = IGGY_OK;
    if (t->wlen)
        err = tls_write_all(t, t->wbuf, t->wlen, deadline_ms);
    t->wlen = 0;
    return err;
}

static iggy_err_t tls_writev(void *ctx, const struct iovec *iov, int iovcnt, int64_t deadline_ms)
{
    tls_transport_t *t = ctx;
    if (!t->ssl)
        return tls_closed(t, "write to");
    t->wlen = 0;
    for (int i = 0; i < iovcnt; i++) {
        const uint8_t *p = iov[i].iov_base;
        size_t len = iov[i].iov_len;
        while (len > 0) {
            size_t take;
            if (t->wlen == 0 && len >= TLS_WBUF_SIZE) {
                /* Large piece: no copy. */
                IGGY_TRY(tls_write_all(t, p, len, deadline_ms));
                break;
            }
            take = TLS_WBUF_SIZE - t->wlen;
            if (take > len)
                take = len;
            memcpy(t->wbuf + t->wlen, p, take);
            t->wlen += take;
            p += take;
            len -= take;
            if (t->wlen == TLS_WBUF_SIZE)
                IGGY_TRY(tls_flush(t, deadline_ms));
        }
    }
    return tls_flush(t, deadline_ms);
}

static iggy_err_t tls_read(void *ctx, uint8_t *buf, size_t n, int64_t deadline_ms)
{
    tls_transport_t *t = ctx;
    size_t got = 0;
    if (!t->ssl)
        return tls_closed(t, "read from");
    while (got < n) {
        size_t r = 0;
        int rc;
        ERR_clear_error();
        t->sys_errno = 0;
        rc = SSL_read_ex(t->ssl, buf + got, n - got, &r);
        if (rc == 1) {
            got += r;
            continue;
        }
        IGGY_TRY(tls_wait_or_fail(t, rc, deadline_ms, "read from"));
    }
    return IGGY_OK;
}

/* Between requests nothing may wait to be read. One non-blocking peek asks OpenSSL, which
 * also digests records that carry no data (TLS 1.3 session tickets): data means the stream is
 * out of step, WANT_READ that it is quiet, anything else that the connection is gone. */
static iggy_err_t tls_check_quiet(void *ctx)
{
    tls_transport_t *t = ctx;
    uint8_t b;
    size_t n = 0;
    int rc;
    if (!t->ssl)
        return tls_closed(t, "check");
    ERR_clear_error();
    t->sys_errno = 0;
    rc = SSL_peek_ex(t->ssl, &b, 1, &n);
    if (rc == 1)
        return iggy_fail(
            IGGY_ERR__BAD_MSG,
            "TLS %s: data waiting before a request was sent: the stream is out of step", t->peer);
    switch (SSL_get_error(t->ssl, rc)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        ERR_clear_error();
        return IGGY_OK;
    default:
        return tls_fail(t, "check of", SSL_get_error(t->ssl, rc));
    }
}

static void tls_close(void *ctx)
{
    tls_transport_t *t = ctx;
    if (t->ssl) {
        /* Best-effort close_notify; never waits (the socket is non-blocking). */
        if (!t->broken && SSL_is_init_finished(t->ssl))
            SSL_shutdown(t->ssl);
        SSL_free(t->ssl);
        t->ssl = NULL;
        ERR_clear_error();
    }
    if (t->fd >= 0) {
        shutdown(t->fd, SHUT_RDWR);
        close(t->fd);
        t->fd = -1;
    }
}

static void tls_destroy(void *ctx)
{
    tls_transport_t *t = ctx;
    if (!ctx)
        return;
    tls_close(ctx);
    /* the staging buffer still holds the last requests written (a login's password) */
    OPENSSL_cleanse(t->wbuf, sizeof t->wbuf);
    iggy_mem_free(ctx);
}

static const iggy_transport_ops_t tls_ops = {
    .name = "tls",
    .writev = tls_writev,
    .read = tls_read,
    .check_quiet = tls_check_quiet,
    .close = tls_close,
    .destroy = tls_destroy,
};

/* ---- setup ---- */

/* Fail context creation with OpenSSL's reason, then free the half-built context. */
static iggy_err_t ctx_fail(iggy_tls_ctx_t *ctx, const char *what)
{
    char reason[256] = "no reason";
    if (ERR_peek_error())
        ERR_error_string_n(ERR_peek_error(), reason, sizeof reason);
    ERR_clear_error();
    iggy_tls_ctx_free(ctx);
    return iggy_fail(IGGY_ERR__TRANSPORT, "TLS: %s: %s", what, reason);
}

iggy_err_t iggy_tls_ctx_new(const iggy_tls_opts_t *o, iggy_tls_ctx_t **out)
{
    iggy_tls_ctx_t *ctx;
    *out = NULL;
    pthread_once(&g_once, tls_init_once);
    if (!g_bio_method) {
        ERR_clear_error();
        return iggy_fail(IGGY_ERR__TRANSPORT, "TLS: OpenSSL initialisation failed");
    }
    ctx = iggy_mem_calloc(1, sizeof *ctx);
    if (!ctx)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "TLS: no memory");
    ctx->verify = o->verify;
    ERR_clear_error();
    ctx->ssl_ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx->ssl_ctx)
        return ctx_fail(ctx, "cannot create a context");
    if (SSL_CTX_set_min_proto_version(ctx->ssl_ctx, TLS1_2_VERSION) != 1)
        return ctx_fail(ctx, "cannot require TLS 1.2");
    if (o->verify) {
        SSL_CTX_set_verify(ctx->ssl_ctx, SSL_VERIFY_PEER, NULL);
        if (o->ca_file) {
            if (SSL_CTX_load_verify_locations(ctx->ssl_ctx, o->ca_file, NULL) != 1) {
                char what[300];
                snprintf(what, sizeof what, "cannot load CA file %s", o->ca_file);
                return ctx_fail(ctx, what);
            }
        } else if (SSL_CTX_set_default_verify_paths(ctx->ssl_ctx) != 1) {
            return ctx_fail(ctx, "cannot load the default CA paths");
        }
    } else {
        SSL_CTX_set_verify(ctx->ssl_ctx, SSL_VERIFY_NONE, NULL);
    }
    *out = ctx;
    return IGGY_OK;
}

void iggy_tls_ctx_free(iggy_tls_ctx_t *ctx)
{
    if (!ctx)
        return;
    SSL_CTX_free(ctx->ssl_ctx);
    iggy_mem_free(ctx);
}

/* The SSL object of one connection: BIO over t->fd, SNI and the identity to verify. */
static iggy_err_t tls_setup(tls_transport_t *t, const iggy_tls_ctx_t *ctx, const char *sn)
{
    char name[256];
    size_t sl = sn ? strlen(sn) : 0;
    bool is_ip = false;
    BIO *bio;

    if (sl >= sizeof name)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "TLS: server_name too long");
    if (sl > 2 && sn[0] == '[' && sn[sl - 1] == ']') {
        memcpy(name, sn + 1, sl - 2);
        name[sl - 2] = '\0';
    } else if (sn) {
        memcpy(name, sn, sl + 1);
    } else {
        name[0] = '\0';
    }
    if (name[0]) {
        struct in6_addr a6;
        is_ip = inet_pton(AF_INET, name, &a6) == 1 || inet_pton(AF_INET6, name, &a6) == 1;
    }
    if (ctx->verify && !name[0])
        return iggy_fail(IGGY_ERR__INVALID_ARG,
                         "TLS: server_name is required when verification is on");

    ERR_clear_error();
    t->ssl = SSL_new(ctx->ssl_ctx);
    if (!t->ssl)
        return tls_fail(t, "setup for", SSL_ERROR_SSL);
    bio = BIO_new(g_bio_method);
    if (!bio)
        return tls_fail(t, "setup for", SSL_ERROR_SSL);
    BIO_set_data(bio, t);
    BIO_set_init(bio, 1);
    SSL_set_bio(t->ssl, bio, bio); /* the SSL owns bio now */

    /* SNI must not carry an IP literal (RFC 6066 §3). */
    if (name[0] && !is_ip && SSL_set_tlsext_host_name(t->ssl, name) != 1)
        return tls_fail(t, "setup for", SSL_ERROR_SSL);
    if (ctx->verify) {
        X509_VERIFY_PARAM *param = SSL_get0_param(t->ssl);
        int ok;
        if (is_ip) {
            ok = X509_VERIFY_PARAM_set1_ip_asc(param, name);
        } else {
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            ok = X509_VERIFY_PARAM_set1_host(param, name, 0);
        }
        if (ok != 1)
            return tls_fail(t, "setup for", SSL_ERROR_SSL);
    }
    SSL_set_connect_state(t->ssl);
    return IGGY_OK;
}

iggy_err_t iggy_tls_transport_new_ctx(int fd, const iggy_tls_ctx_t *ctx, const char *server_name,
                                      int64_t deadline_ms, iggy_transport_t *out)
{
    tls_transport_t *t;
    iggy_err_t err;

    out->ops = NULL;
    out->ctx = NULL;
    if (fd < 0 || !ctx) {
        if (fd >= 0)
            close(fd);
        return iggy_fail(IGGY_ERR__INVALID_ARG, "TLS: invalid fd or context");
    }
    t = iggy_mem_calloc(1, sizeof *t);
    if (!t) {
        close(fd);
        return iggy_fail(IGGY_ERR__NO_MEMORY, "TLS: no memory");
    }
    t->fd = fd;
    iggy_fd_peer_name(fd, t->peer, sizeof t->peer);

    err = tls_setup(t, ctx, server_name);
    while (err == IGGY_OK) {
        int rc;
        ERR_clear_error();
        t->sys_errno = 0;
        rc = SSL_do_handshake(t->ssl);
        if (rc == 1)
            break;
        err = tls_wait_or_fail(t, rc, deadline_ms, "handshake with");
    }
    if (err != IGGY_OK) {
        t->broken = 1;
        tls_destroy(t);
        return err;
    }
    out->ops = &tls_ops;
    out->ctx = t;
    return IGGY_OK;
}

iggy_err_t iggy_tls_transport_new(int fd, const iggy_tls_opts_t *o, int64_t deadline_ms,
                                  iggy_transport_t *out)
{
    iggy_tls_ctx_t *ctx;
    iggy_err_t err;
    out->ops = NULL;
    out->ctx = NULL;
    if (fd < 0 || !o) {
        if (fd >= 0)
            close(fd);
        return iggy_fail(IGGY_ERR__INVALID_ARG, "TLS: invalid fd or options");
    }
    err = iggy_tls_ctx_new(o, &ctx);
    if (err != IGGY_OK) {
        close(fd);
        return err;
    }
    err = iggy_tls_transport_new_ctx(fd, ctx, o->server_name, deadline_ms, out);
    iggy_tls_ctx_free(ctx); /* the connection's SSL keeps its own reference */
    return err;
}
