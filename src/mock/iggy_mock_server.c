/* The mock server's I/O: nodes, listeners, connection threads, TLS, wake-ups, the
 * housekeeper and the public API of <iggy/mock.h>. What a frame means is decided by the
 * dispatcher (iggy_mock_dispatch.c) and what a fault does by the fault engine
 * (iggy_mock_faults.c); this file moves the bytes and carries out their decisions.
 *
 * Threads: one acceptor per node that is up, one thread per connection, one housekeeper
 * (joins finished connection threads, heartbeat eviction, consumer-group hand-offs). Only a
 * connection's own thread touches its socket; others set a flag and write the connection's wake
 * pipe. m->lock guards the state, the connection list, faults and counters; nothing waits on a
 * socket or a timer while holding it. */
#include <iggy/mock.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "codec/iggy_cmd_table.h"
#include "codec/iggy_frame.h"
#include "iggy_alloc.h"
#include "iggy_clock.h"
#include "iggy_error_internal.h"
#include "mock/iggy_mock_dispatch.h"
#include "mock/iggy_mock_faults.h"
#include "mock/iggy_mock_state.h"
#include "net/iggy_fd.h"
#include "net/iggy_tcp.h"
#include "pool/iggy_pool.h"

#define HANDSHAKE_TIMEOUT_MS 5000
#define DEFAULT_HEARTBEAT_MS 36000
#define DEFAULT_REBALANCING_MS 30000
#define LISTEN_BACKLOG 64
#define EVICT_STALE_CLIENT 13

typedef struct node node_t;

typedef struct conn {
    iggy_mock_session_t sess; /* protocol state; sess.conn is what the state sees */
    struct iggy_mock_s *m;
    node_t *node;
    int fd;
    int wake[2]; /* [0] polled by the connection thread */
    SSL *ssl;
    pthread_t th;
    /* under m->lock */
    bool open;          /* registered with the state, counted */
    bool finished;      /* thread done: join and free */
    bool stop;          /* close now (destroy, set_down) */
    uint8_t evict;      /* non-zero: send this eviction and close (heartbeat) */
    uint8_t evicting;   /* thread-owned copy of evict once it has been seen */
    int64_t last_rx_ms; /* monotonic time of the last frame */
    /* thread-owned */
    uint8_t *sent; /* the last reply sent, for IGGY_MOCK_FAULT_STALE_REPLY */
    size_t sent_len, sent_cap;
    bool reset; /* close with RST (IGGY_MOCK_FAULT_RESET_MID_REPLY) */
    struct conn *next;
} conn_t;

struct node {
    struct iggy_mock_s *m;
    uint32_t index;
    uint16_t port;
    char address[80];
    int lfd;
    int wake[2];
    pthread_t th;
    bool up;
};

struct iggy_mock_s {
    pthread_mutex_t admin; /* serialises set_down / set_up */
    pthread_mutex_t lock;  /* state, connections, faults, counters */
    iggy_mock_dispatcher_t disp;
    SSL_CTX *tls;
    char host[64];
    uint32_t nodes_n;
    node_t nodes[MOCK_MAX_NODES];
    conn_t *conns;
    size_t open_conns;
    uint32_t next_conn_id;
    uint32_t leader;
    int64_t heartbeat_ms;
    int64_t rebalancing_ms;
    iggy_mock_faults_t faults;
    uint64_t counts[IGGY_CMD__NUM];
    uint64_t total;
    uint32_t in_flight;     /* requests read whose reply is not written yet */
    uint32_t in_flight_max; /* the most at once since start or the last reset */
    pthread_t hk;
    int hk_wake[2];
    bool hk_stop;
};

/* ------------------------------------------------------------------ small helpers */

static void block_sigpipe(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* OpenSSL writes with write(2) */
}

static void update_cluster(iggy_mock_t *m)
{
    iggy_mock_cluster_t *c = iggy_mock_state_cluster(m->disp.st);
    c->nodes = m->nodes_n;
    c->leader = m->leader;
    for (uint32_t i = 0; i < m->nodes_n; i++) {
        snprintf(c->ip[i], sizeof c->ip[i], "%s", m->host);
        c->tcp_port[i] = m->nodes[i].port;
    }
}

static void count_request(iggy_mock_t *m, uint32_t code)
{
    const iggy_cmd_desc_t *d = iggy_cmd_by_code(code);
    m->total++;
    if (d)
        m->counts[d - iggy_cmds]++;
}

/* ------------------------------------------------------------------ connection I/O */

typedef enum { IO_OK, IO_EOF, IO_STOP } io_t;

/* Why the connection thread was woken: stop wins over a pending eviction. The pipe is
 * drained before the flags are read so that a poke racing with us is never lost. */
static io_t check_wake(conn_t *c)
{
    io_t r = IO_OK;
    iggy_fd_drain(c->wake[0]);
    pthread_mutex_lock(&c->m->lock);
    if (c->stop) {
        r = IO_STOP;
    } else if (c->evict) {
        c->evicting = c->evict; /* evict stays set: the housekeeper flags only once */
        r = IO_STOP;
    }
    pthread_mutex_unlock(&c->m->lock);
    return r;
}

/* Wait for events on the socket or a wake-up; deadline_ms 0 = none. */
static io_t wait_fd(conn_t *c, short events, int64_t deadline_ms)
{
    for (;;) {
        switch (iggy_fd_wait_or_wake(c->fd, events, c->wake[0], deadline_ms)) {
        case IGGY_FD_READY:
            return IO_OK;
        case IGGY_FD_WOKEN:
            if (check_wake(c) != IO_OK)
                return IO_STOP;
            break;
        default:
            return IO_EOF;
        }
    }
}

static io_t conn_read(conn_t *c, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        if (c->ssl) {
            int r = SSL_read(c->ssl, buf + got, (int)(n - got > 1 << 30 ? 1 << 30 : n - got));
            if (r > 0) {
                got += (size_t)r;
                continue;
            }
            switch (SSL_get_error(c->ssl, r)) {
            case SSL_ERROR_WANT_READ:
                break;
            case SSL_ERROR_WANT_WRITE:
                if (wait_fd(c, POLLOUT, 0) != IO_OK)
                    return IO_STOP;
                continue;
            default:
                ERR_clear_error();
                return IO_EOF;
            }
        } else {
            ssize_t r = recv(c->fd, buf + got, n - got, 0);
            if (r > 0) {
                got += (size_t)r;
                continue;
            }
            if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
                return IO_EOF;
        }
        {
            io_t w = wait_fd(c, POLLIN, 0);
            if (w != IO_OK)
                return w;
        }
    }
    return IO_OK;
}

/* Write everything; a stop request abandons the write (the peer may never read). */
static io_t conn_write(conn_t *c, const uint8_t *buf, size_t n)
{
    size_t put = 0;
    while (put < n) {
        short want = POLLOUT;
        if (c->ssl) {
            int r = SSL_write(c->ssl, buf + put, (int)(n - put > 1 << 30 ? 1 << 30 : n - put));
            if (r > 0) {
                put += (size_t)r;
                continue;
            }
            switch (SSL_get_error(c->ssl, r)) {
            case SSL_ERROR_WANT_WRITE:
                break;
            case SSL_ERROR_WANT_READ:
                want = POLLIN;
                break;
            default:
                ERR_clear_error();
                return IO_EOF;
            }
        } else {
            ssize_t r = send(c->fd, buf + put, n - put, MSG_NOSIGNAL);
            if (r > 0) {
                put += (size_t)r;
                continue;
            }
            if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                return IO_EOF;
        }
        if (wait_fd(c, want, 0) != IO_OK)
            return IO_STOP;
    }
    return IO_OK;
}

/* A DELAY fault: sleep without the lock (other connections keep being served), but wake
 * for destroy/set_down. */
static io_t conn_sleep(conn_t *c, uint32_t ms)
{
    int64_t deadline = iggy_now_ms() + ms;
    while (iggy_fd_wait_or_wake(-1, 0, c->wake[0], deadline) == IGGY_FD_WOKEN)
        if (check_wake(c) != IO_OK)
            return IO_STOP;
    return IO_OK;
}

/* A duplicated reply: both copies in one write, so the second is already on the wire when
 * the peer has read the first. */
static io_t conn_write_twice(conn_t *c, const uint8_t *buf, size_t n)
{
    uint8_t *two = iggy_mem_alloc(2 * n);
    io_t io;
    if (!two)
        return IO_EOF;
    memcpy(two, buf, n);
    memcpy(two + n, buf, n);
    io = conn_write(c, two, 2 * n);
    iggy_mem_free(two);
    return io;
}

/* A trickled reply: pieces of `piece` bytes, pause_ms apart. */
static io_t conn_trickle(conn_t *c, const uint8_t *buf, size_t n, size_t piece, uint32_t pause_ms)
{
    for (size_t off = 0; off < n; off += piece) {
        io_t io;
        if (off && (io = conn_sleep(c, pause_ms)) != IO_OK)
            return io;
        io = conn_write(c, buf + off, n - off < piece ? n - off : piece);
        if (io != IO_OK)
            return io;
    }
    return IO_OK;
}

/* Stall: read and discard until the peer closes or we are told to stop. */
static void drain_until_closed(conn_t *c)
{
    uint8_t buf[4096];
    for (;;) {
        if (c->ssl) {
            int r = SSL_read(c->ssl, buf, sizeof buf);
            if (r > 0)
                continue;
            int e = SSL_get_error(c->ssl, r);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
                ERR_clear_error();
                return;
            }
        } else {
            ssize_t r = recv(c->fd, buf, sizeof buf, 0);
            if (r > 0)
                continue;
            if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
                return;
        }
        if (wait_fd(c, POLLIN, 0) != IO_OK)
            return;
    }
}

static bool tls_handshake(conn_t *c)
{
    int64_t deadline = iggy_now_ms() + HANDSHAKE_TIMEOUT_MS;
    c->ssl = SSL_new(c->m->tls);
    if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1)
        return false;
    for (;;) {
        int r = SSL_accept(c->ssl), e;
        short want;
        if (r == 1)
            return true;
        e = SSL_get_error(c->ssl, r);
        if (e == SSL_ERROR_WANT_READ)
            want = POLLIN;
        else if (e == SSL_ERROR_WANT_WRITE)
            want = POLLOUT;
        else
            break;
        if (wait_fd(c, want, deadline) != IO_OK)
            break;
    }
    ERR_clear_error();
    return false;
}

/* ------------------------------------------------------------------ connection thread */

typedef enum { NEXT_CONTINUE, NEXT_CLOSE, NEXT_STALL } next_t;

/* Keep a copy of the reply just sent: a later stale-reply fault sends it again. */
static void remember_sent(conn_t *c, const iggy_mock_reply_t *r)
{
    if (r->len > c->sent_cap) {
        uint8_t *grown = iggy_mem_realloc(c->sent, r->len);
        if (!grown)
            return;
        c->sent = grown;
        c->sent_cap = r->len;
    }
    memcpy(c->sent, r->buf, r->len);
    c->sent_len = r->len;
}

/* Send a reply the way the fault engine plans it (f NULL: as is). */
static next_t send_reply(conn_t *c, iggy_mock_reply_t *r, const iggy_mock_fault_t *f)
{
    iggy_mock_send_plan_t p;
    const uint8_t *bytes;
    size_t len;
    io_t io;

    if (!r->buf)
        return NEXT_CONTINUE; /* silence */
    p = iggy_mock_fault_after(f, r, c->sent_len > 0);
    bytes = p.previous ? c->sent : r->buf;
    len = p.previous ? c->sent_len : p.len;
    if (p.twice)
        io = conn_write_twice(c, bytes, len);
    else if (p.piece)
        io = conn_trickle(c, bytes, len, p.piece, p.pause_ms);
    else
        io = conn_write(c, bytes, len);
    switch (p.then) {
    case IGGY_MOCK_THEN_RESET:
        /* Linger 0 and no shutdown: the close sends RST instead of FIN. */
        iggy_tcp_set_abortive_close(c->fd);
        c->reset = true;
        return NEXT_CLOSE;
    case IGGY_MOCK_THEN_CLOSE:
        return NEXT_CLOSE;
    case IGGY_MOCK_THEN_STALL:
        return io == IO_OK ? NEXT_STALL : NEXT_CLOSE;
    case IGGY_MOCK_THEN_CONTINUE:
    default:
        if (io != IO_OK)
            return NEXT_CLOSE;
        remember_sent(c, r);
        return NEXT_CONTINUE;
    }
}

/* A complete frame: validate, fault, dispatch, reply. */
static next_t handle_frame(conn_t *c, const uint8_t *frame, size_t frame_len)
{
    iggy_mock_t *m = c->m;
    iggy_mock_request_t req;
    iggy_mock_reply_t r = {NULL, 0, false};
    iggy_mock_fault_t f;
    iggy_mock_pre_t pre = IGGY_MOCK_PRE_DISPATCH;
    bool has_fault, ok;
    next_t next;

    if (!iggy_mock_request_parse(frame, frame_len, &req))
        return NEXT_CONTINUE; /* ignored / dropped silently */
    pthread_mutex_lock(&m->lock);
    count_request(m, req.code);
    has_fault = iggy_mock_faults_take(&m->faults, req.code, c->sess.conn.conn_id, &f);
    if (has_fault)
        pre = iggy_mock_fault_before(&f, &m->disp, &c->sess, &req, &r);
    pthread_mutex_unlock(&m->lock);

    switch (pre) {
    case IGGY_MOCK_PRE_DELAY:
        if (conn_sleep(c, f.param) != IO_OK)
            return NEXT_CLOSE;
        has_fault = false; /* then handled normally */
        break;
    case IGGY_MOCK_PRE_REPLY:
        next = send_reply(c, &r, NULL);
        iggy_mock_reply_free(&r);
        return next;
    case IGGY_MOCK_PRE_GARBAGE:
        next = conn_write(c, r.buf, r.len) == IO_OK ? NEXT_STALL : NEXT_CLOSE;
        iggy_mock_reply_free(&r);
        return next;
    case IGGY_MOCK_PRE_CLOSE:
        return NEXT_CLOSE;
    case IGGY_MOCK_PRE_SWALLOW:
        return NEXT_CONTINUE;
    case IGGY_MOCK_PRE_DISPATCH:
    default:
        break;
    }

    pthread_mutex_lock(&m->lock);
    ok = iggy_mock_dispatch_request(&m->disp, &c->sess, &req, &r);
    pthread_mutex_unlock(&m->lock);
    next = ok ? send_reply(c, &r, has_fault ? &f : NULL) : NEXT_CLOSE;
    iggy_mock_reply_free(&r);
    return next;
}

/* Read one frame and handle it. From the moment it is read until its reply is written (or
 * it is dropped) it counts as in flight. */
static next_t serve_frame(conn_t *c)
{
    iggy_mock_t *m = c->m;
    uint8_t hdr[IGGY_HEADER_SIZE];
    uint8_t *frame;
    size_t body_len;
    next_t next;

    if (conn_read(c, hdr, sizeof hdr) != IO_OK)
        return NEXT_CLOSE;
    if (!iggy_mock_frame_body_len(hdr, &body_len))
        return NEXT_CLOSE;
    frame = iggy_mem_alloc(IGGY_HEADER_SIZE + body_len);
    if (!frame)
        return NEXT_CLOSE;
    memcpy(frame, hdr, sizeof hdr);
    if (body_len && conn_read(c, frame + IGGY_HEADER_SIZE, body_len) != IO_OK) {
        iggy_mem_free(frame);
        return NEXT_CLOSE;
    }
    pthread_mutex_lock(&m->lock);
    c->last_rx_ms = iggy_now_ms();
    if (++m->in_flight > m->in_flight_max)
        m->in_flight_max = m->in_flight;
    pthread_mutex_unlock(&m->lock);

    next = handle_frame(c, frame, IGGY_HEADER_SIZE + body_len);
    iggy_mem_free(frame);

    pthread_mutex_lock(&m->lock);
    m->in_flight--;
    pthread_mutex_unlock(&m->lock);
    return next;
}

static void *conn_main(void *arg)
{
    conn_t *c = arg;
    iggy_mock_t *m = c->m;
    next_t next = NEXT_CONTINUE;

    block_sigpipe();
    if (m->tls && !tls_handshake(c))
        next = NEXT_CLOSE;
    while (next == NEXT_CONTINUE)
        next = serve_frame(c);
    if (next == NEXT_STALL)
        drain_until_closed(c);
    if (c->evicting) {
        iggy_mock_reply_t r;
        iggy_u128_t tid = iggy_mock_transport_id(&c->sess);
        if (iggy_mock_reply_eviction(&tid, c->evicting, &r)) {
            conn_write(c, r.buf, r.len);
            iggy_mock_reply_free(&r);
        }
    }
    if (c->ssl) {
        SSL_free(c->ssl);
        c->ssl = NULL;
        ERR_clear_error();
    }
    if (!c->reset)
        shutdown(c->fd, SHUT_RDWR);
    close(c->fd);
    c->fd = -1;

    pthread_mutex_lock(&m->lock);
    /* Closed by set_down (or destroy): the server stops, and nobody is logged out, as after
     * a restart of the real server its client entries and group members survive. Any other
     * close happens on a running server, which logs the connection's client out. */
    if (c->stop)
        iggy_mock_state_conn_stopped(m->disp.st, &c->sess.conn);
    else
        iggy_mock_state_conn_closed(m->disp.st, &c->sess.conn);
    c->open = false;
    m->open_conns--;
    c->finished = true;
    pthread_mutex_unlock(&m->lock);
    iggy_fd_poke(m->hk_wake[1]); /* let the housekeeper join us */
    return NULL;
}

static void conn_free(conn_t *c)
{
    iggy_fd_close_pair(c->wake);
    if (c->fd >= 0)
        close(c->fd);
    iggy_mem_free(c->sent);
    iggy_mem_free(c);
}

/* ------------------------------------------------------------------ acceptor */

static void accept_one(node_t *n)
{
    iggy_mock_t *m = n->m;
    int fd = accept(n->lfd, NULL, NULL);
    conn_t *c;
    if (fd < 0)
        return;
    iggy_fd_set_nonblock_cloexec(fd);
    iggy_tcp_set_nodelay(fd);
    c = iggy_mem_calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return;
    }
    c->m = m;
    c->node = n;
    c->fd = fd;
    c->wake[0] = c->wake[1] = -1;
    c->sess.conn.transport = 1;
    c->sess.conn.node = n->index;
    iggy_fd_peer_name(fd, c->sess.conn.address, sizeof c->sess.conn.address);
    if (iggy_fd_pipe(c->wake) != 0) {
        conn_free(c);
        return;
    }
    pthread_mutex_lock(&m->lock);
    if (!n->up) {
        pthread_mutex_unlock(&m->lock);
        conn_free(c);
        return;
    }
    c->sess.conn.conn_id = ++m->next_conn_id;
    c->last_rx_ms = iggy_now_ms();
    iggy_mock_state_conn_opened(m->disp.st, &c->sess.conn);
    c->open = true;
    m->open_conns++;
    if (pthread_create(&c->th, NULL, conn_main, c) != 0) {
        iggy_mock_state_conn_closed(m->disp.st, &c->sess.conn);
        m->open_conns--;
        pthread_mutex_unlock(&m->lock);
        conn_free(c);
        return;
    }
    c->next = m->conns;
    m->conns = c;
    pthread_mutex_unlock(&m->lock);
}

static void *acceptor_main(void *arg)
{
    node_t *n = arg;
    block_sigpipe();
    /* A wake-up (node_stop) or a failing poll ends the acceptor. */
    while (iggy_fd_wait_or_wake(n->lfd, POLLIN, n->wake[0], 0) == IGGY_FD_READY)
        accept_one(n);
    return NULL;
}

static iggy_err_t node_listen(node_t *n, const char *host, uint16_t port)
{
    IGGY_TRY(iggy_tcp_listen(host, port, LISTEN_BACKLOG, &n->lfd, &n->port));
    snprintf(n->address, sizeof n->address, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host,
             (unsigned)n->port);
    return IGGY_OK;
}

static iggy_err_t node_start(node_t *n, uint16_t port)
{
    iggy_mock_t *m = n->m;
    char eb[128];
    IGGY_TRY(node_listen(n, m->host, port));
    if (iggy_fd_pipe(n->wake) != 0) {
        close(n->lfd);
        n->lfd = -1;
        return iggy_fail(IGGY_ERR__TRANSPORT, "mock: pipe: %s",
                         iggy_strerror(errno, eb, sizeof eb));
    }
    pthread_mutex_lock(&m->lock);
    n->up = true;
    update_cluster(m);
    pthread_mutex_unlock(&m->lock);
    if (pthread_create(&n->th, NULL, acceptor_main, n) != 0) {
        pthread_mutex_lock(&m->lock);
        n->up = false;
        pthread_mutex_unlock(&m->lock);
        close(n->lfd);
        n->lfd = -1;
        iggy_fd_close_pair(n->wake);
        return iggy_fail(IGGY_ERR__NO_MEMORY, "mock: cannot start the acceptor thread");
    }
    return IGGY_OK;
}

/* Close the listener and every connection of the node; join their threads. */
static void node_stop(node_t *n)
{
    iggy_mock_t *m = n->m;
    conn_t *mine = NULL, **pp;

    pthread_mutex_lock(&m->lock);
    if (!n->up) {
        pthread_mutex_unlock(&m->lock);
        return;
    }
    n->up = false;
    pthread_mutex_unlock(&m->lock);
    iggy_fd_poke(n->wake[1]);
    pthread_join(n->th, NULL);
    close(n->lfd);
    n->lfd = -1;
    iggy_fd_close_pair(n->wake);

    pthread_mutex_lock(&m->lock);
    for (pp = &m->conns; *pp;) {
        conn_t *c = *pp;
        if (c->node != n) {
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        c->stop = true;
        iggy_fd_poke(c->wake[1]);
        c->next = mine;
        mine = c;
    }
    pthread_mutex_unlock(&m->lock);
    while (mine) {
        conn_t *c = mine;
        mine = c->next;
        pthread_join(c->th, NULL);
        conn_free(c);
    }
}

/* ------------------------------------------------------------------ housekeeper */

static void *housekeeper_main(void *arg)
{
    iggy_mock_t *m = arg;
    block_sigpipe();
    for (;;) {
        conn_t *done = NULL, **pp;
        int64_t now, hb;
        int tick;

        pthread_mutex_lock(&m->lock);
        if (m->hk_stop) {
            pthread_mutex_unlock(&m->lock);
            break;
        }
        now = iggy_now_ms();
        hb = m->heartbeat_ms;
        iggy_mock_state_tick(m->disp.st, iggy_now_us()); /* hand-offs drained or timed out */
        for (pp = &m->conns; *pp;) {
            conn_t *c = *pp;
            if (c->finished) {
                *pp = c->next;
                c->next = done;
                done = c;
                continue;
            }
            /* Heartbeat (§6): only silent connections holding a group membership. */
            if (c->open && !c->stop && !c->evict && now - c->last_rx_ms >= hb &&
                iggy_mock_state_conn_has_memberships(m->disp.st, &c->sess.conn)) {
                c->evict = EVICT_STALE_CLIENT;
                iggy_fd_poke(c->wake[1]);
            }
            pp = &c->next;
        }
        pthread_mutex_unlock(&m->lock);
        while (done) {
            conn_t *c = done;
            done = c->next;
            pthread_join(c->th, NULL);
            conn_free(c);
        }
        tick = (int)((hb < m->rebalancing_ms ? hb : m->rebalancing_ms) / 4);
        tick = tick < 5 ? 5 : tick > 100 ? 100 : tick;
        if (iggy_fd_wait_or_wake(-1, 0, m->hk_wake[0], iggy_now_ms() + tick) == IGGY_FD_WOKEN)
            iggy_fd_drain(m->hk_wake[0]);
    }
    return NULL;
}

/* ------------------------------------------------------------------ public API */

static iggy_err_t tls_setup(iggy_mock_t *m, const iggy_mock_opts_t *o)
{
    m->tls = SSL_CTX_new(TLS_server_method());
    if (!m->tls)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "mock: SSL_CTX_new failed");
    SSL_CTX_set_min_proto_version(m->tls, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(m->tls, o->tls_cert_file) != 1 ||
        SSL_CTX_use_PrivateKey_file(m->tls, o->tls_key_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(m->tls) != 1) {
        char err[256];
        ERR_error_string_n(ERR_get_error(), err, sizeof err);
        ERR_clear_error();
        return iggy_fail(IGGY_ERR__INVALID_ARG, "mock: cannot load TLS cert %s / key %s: %s",
                         o->tls_cert_file, o->tls_key_file, err);
    }
    return IGGY_OK;
}

iggy_err_t iggy_mock_new(const iggy_mock_opts_t *opts, iggy_mock_t **out)
{
    iggy_mock_opts_t o;
    iggy_mock_t *m;
    iggy_err_t err;

    if (!out)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "mock: out is NULL");
    *out = NULL;
    memset(&o, 0, sizeof o);
    if (opts)
        o = *opts;
    if (o.nodes == 0)
        o.nodes = 1;
    if (o.nodes > MOCK_MAX_NODES)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "mock: %u nodes, at most %d", o.nodes,
                         MOCK_MAX_NODES);
    if (!o.host)
        o.host = "127.0.0.1";
    if (strlen(o.host) >= sizeof m->host)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "mock: host too long");
    if ((o.tls_cert_file == NULL) != (o.tls_key_file == NULL))
        return iggy_fail(IGGY_ERR__INVALID_ARG, "mock: TLS needs both a cert and a key file");
    if (o.port && (uint32_t)o.port + o.nodes - 1 > 65535)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "mock: port range overflows");

    m = iggy_mem_calloc(1, sizeof *m);
    if (!m)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "mock: out of memory");
    pthread_mutex_init(&m->admin, NULL);
    pthread_mutex_init(&m->lock, NULL);
    m->hk_wake[0] = m->hk_wake[1] = -1;
    snprintf(m->host, sizeof m->host, "%s", o.host);
    m->nodes_n = o.nodes;
    m->heartbeat_ms = o.heartbeat_timeout_ms > 0 ? o.heartbeat_timeout_ms : DEFAULT_HEARTBEAT_MS;
    m->rebalancing_ms =
        o.rebalancing_timeout_ms > 0 ? o.rebalancing_timeout_ms : DEFAULT_REBALANCING_MS;
    for (uint32_t i = 0; i < MOCK_MAX_NODES; i++) {
        m->nodes[i].m = m;
        m->nodes[i].index = i;
        m->nodes[i].lfd = -1;
        m->nodes[i].wake[0] = m->nodes[i].wake[1] = -1;
    }
    m->disp.st =
        iggy_mock_state_new(o.username ? o.username : "iggy", o.password ? o.password : "iggy");
    if (!m->disp.st) {
        iggy_mock_destroy(m);
        return iggy_fail(IGGY_ERR__NO_MEMORY, "mock: cannot create the state");
    }
    iggy_mock_state_set_rebalancing_timeout(m->disp.st, (uint64_t)m->rebalancing_ms * 1000u);
    err = iggy_pool_new(&m->disp.pool, 4096, 1u << 20, 8, IGGY_MAX_FRAME_SIZE);
    if (err != IGGY_OK) {
        iggy_mock_destroy(m);
        return err;
    }
    if (o.tls_cert_file && (err = tls_setup(m, &o)) != IGGY_OK) {
        iggy_mock_destroy(m);
        return err;
    }
    if (iggy_fd_pipe(m->hk_wake) != 0 || pthread_create(&m->hk, NULL, housekeeper_main, m) != 0) {
        iggy_fd_close_pair(m->hk_wake);
        iggy_mock_destroy(m);
        return iggy_fail(IGGY_ERR__NO_MEMORY, "mock: cannot start the housekeeper");
    }
    for (uint32_t i = 0; i < o.nodes; i++) {
        err = node_start(&m->nodes[i], o.port ? (uint16_t)(o.port + i) : 0);
        if (err != IGGY_OK) {
            iggy_mock_destroy(m);
            return err;
        }
    }
    *out = m;
    return IGGY_OK;
}

void iggy_mock_destroy(iggy_mock_t *m)
{
    if (!m)
        return;
    for (uint32_t i = 0; i < m->nodes_n; i++)
        node_stop(&m->nodes[i]);
    if (m->hk_wake[1] >= 0) {
        pthread_mutex_lock(&m->lock);
        m->hk_stop = true;
        pthread_mutex_unlock(&m->lock);
        iggy_fd_poke(m->hk_wake[1]);
        pthread_join(m->hk, NULL);
        iggy_fd_close_pair(m->hk_wake);
    }
    while (m->conns) { /* finished threads the housekeeper had not joined yet */
        conn_t *c = m->conns;
        m->conns = c->next;
        pthread_join(c->th, NULL);
        conn_free(c);
    }
    iggy_mock_faults_clear(&m->faults);
    if (m->disp.st)
        iggy_mock_state_free(m->disp.st);
    if (m->disp.pool)
        iggy_pool_destroy(m->disp.pool);
    if (m->tls)
        SSL_CTX_free(m->tls);
    pthread_mutex_destroy(&m->lock);
    pthread_mutex_destroy(&m->admin);
    iggy_mem_free(m);
}

const char *iggy_mock_address(const iggy_mock_t *m, uint32_t node)
{
    if (!m || node >= m->nodes_n)
        return NULL;
    return m->nodes[node].address;
}

uint16_t iggy_mock_port(const iggy_mock_t *m, uint32_t node)
{
    if (!m || node >= m->nodes_n)
        return 0;
    return m->nodes[node].port;
}

iggy_err_t iggy_mock_set_leader(iggy_mock_t *m, uint32_t node)
{
    if (!m || node >= m->nodes_n)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "mock: no node %u", node);
    pthread_mutex_lock(&m->lock);
    m->leader = node;
    update_cluster(m);
    pthread_mutex_unlock(&m->lock);
    return IGGY_OK;
}

iggy_err_t iggy_mock_set_down(iggy_mock_t *m, uint32_t node)
{
    if (!m || node >= m->nodes_n)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "mock: no node %u", node);
    pthread_mutex_lock(&m->admin);
    node_stop(&m->nodes[node]);
    pthread_mutex_unlock(&m->admin);
    return IGGY_OK;
}

iggy_err_t iggy_mock_set_up(iggy_mock_t *m, uint32_t node)
{
    iggy_err_t err = IGGY_OK;
    bool up;
    if (!m || node >= m->nodes_n)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "mock: no node %u", node);
    pthread_mutex_lock(&m->admin);
    pthread_mutex_lock(&m->lock);
    up = m->nodes[node].up;
    pthread_mutex_unlock(&m->lock);
    if (!up)
        err = node_start(&m->nodes[node], m->nodes[node].port);
    pthread_mutex_unlock(&m->admin);
    return err;
}

iggy_err_t iggy_mock_push_fault(iggy_mock_t *m, uint32_t command_code, uint32_t conn_id,
                                iggy_mock_fault_kind_t kind, uint32_t param, uint32_t count)
{
    iggy_err_t err;
    if (!m)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "mock: bad fault (kind %d, count %u)", (int)kind,
                         count);
    pthread_mutex_lock(&m->lock);
    err = iggy_mock_faults_push(&m->faults, command_code, conn_id, kind, param, count);
    pthread_mutex_unlock(&m->lock);
    return err;
}

void iggy_mock_clear_faults(iggy_mock_t *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    iggy_mock_faults_clear(&m->faults);
    pthread_mutex_unlock(&m->lock);
}

void iggy_mock_set_heartbeat_timeout(iggy_mock_t *m, int64_t ms)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    m->heartbeat_ms = ms > 0 ? ms : DEFAULT_HEARTBEAT_MS;
    pthread_mutex_unlock(&m->lock);
    iggy_fd_poke(m->hk_wake[1]);
}

uint64_t iggy_mock_request_count(const iggy_mock_t *m, uint32_t command_code)
{
    iggy_mock_t *mm = (iggy_mock_t *)m; /* the lock lives inside; the mock is not const */
    const iggy_cmd_desc_t *d;
    uint64_t n = 0;
    if (!m)
        return 0;
    d = command_code ? iggy_cmd_by_code(command_code) : NULL;
    pthread_mutex_lock(&mm->lock);
    if (!command_code)
        n = mm->total;
    else if (d)
        n = mm->counts[d - iggy_cmds];
    pthread_mutex_unlock(&mm->lock);
    return n;
}

size_t iggy_mock_connection_count(const iggy_mock_t *m)
{
    iggy_mock_t *mm = (iggy_mock_t *)m;
    size_t n;
    if (!m)
        return 0;
    pthread_mutex_lock(&mm->lock);
    n = mm->open_conns;
    pthread_mutex_unlock(&mm->lock);
    return n;
}

uint32_t iggy_mock_in_flight_max(const iggy_mock_t *m)
{
    iggy_mock_t *mm = (iggy_mock_t *)m;
    uint32_t n;
    if (!m)
        return 0;
    pthread_mutex_lock(&mm->lock);
    n = mm->in_flight_max;
    pthread_mutex_unlock(&mm->lock);
    return n;
}

void iggy_mock_reset_in_flight_max(iggy_mock_t *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    m->in_flight_max = m->in_flight;
    pthread_mutex_unlock(&m->lock);
}
