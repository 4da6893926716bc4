/* The mock server core: sockets, TLS, framing, the per-frame rules of
 * framing-and-session.md §5, sessions' transport side, metadata dedup, cluster roles and
 * fault injection. Commands themselves run in iggy_mock_state*.c under m->lock.
 *
 * Threads: one acceptor per node that is up, one thread per connection, one housekeeper
 * (joins finished connection threads, heartbeat eviction). Only a connection's own
 * thread touches its socket; others set a flag and write the connection's wake pipe. */
#include <iggy/mock.h>
#include <iggy/version.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
#include <xxhash.h>

#include "iggy_clock.h"
#include "codec/iggy_cmd_table.h"
#include "codec/iggy_frame.h"
#include "codec/iggy_reader.h"
#include "codec/iggy_writer.h"
#include "iggy_alloc.h"
#include "iggy_error_internal.h"
#include "mock/iggy_mock_state.h"
#include "pool/iggy_pool.h"

#define HANDSHAKE_TIMEOUT_MS 5000
#define DEFAULT_HEARTBEAT_MS 36000
#define CODE_LOGIN_REGISTER 40u
#define CODE_LOGOUT 39u

/* Header offsets the frame codec does not expose (echoed verbatim into replies). */

typedef struct fault {
    uint32_t code, conn_id, param, count;
    iggy_mock_fault_kind_t kind;
    struct fault *next;
} fault_t;

typedef struct node node_t;

typedef struct conn {
    iggy_mock_conn_t mc; /* what the state sees */
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
    uint8_t *cache;     /* reply to the last applied metadata request */
    size_t cache_len;
    uint64_t cache_checksum;
    uint8_t *sent; /* thread-owned: the last reply sent, for IGGY_MOCK_FAULT_STALE_REPLY */
    size_t sent_len, sent_cap;
    bool reset; /* thread-owned: close with RST (IGGY_MOCK_FAULT_RESET_MID_REPLY) */
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
    iggy_mock_state_t *st;
    iggy_pool_t *pool;
    SSL_CTX *tls;
    char host[64];
    uint32_t nodes_n;
    node_t nodes[MOCK_MAX_NODES];
    conn_t *conns;
    size_t open_conns;
    uint32_t next_conn_id;
    uint32_t leader;
    uint64_t commit;
    int64_t heartbeat_ms;
    fault_t *faults;
    uint64_t counts[IGGY_CMD__NUM];
    uint64_t total;
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

static void poke(int fd)
{
    const uint8_t b = 1;
    ssize_t n = write(fd, &b, 1);
    (void)n; /* a full pipe is already signalled */
}

static int make_pipe(int p[2])
{
    if (pipe(p) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(p[i], F_SETFD, FD_CLOEXEC);
        fcntl(p[i], F_SETFL, fcntl(p[i], F_GETFL) | O_NONBLOCK);
    }
    return 0;
}

static void close_pipe(int p[2])
{
    if (p[0] >= 0)
        close(p[0]);
    if (p[1] >= 0)
        close(p[1]);
    p[0] = p[1] = -1;
}

static void update_cluster(iggy_mock_t *m)
{
    iggy_mock_cluster_t *c = iggy_mock_state_cluster(m->st);
    c->nodes = m->nodes_n;
    c->leader = m->leader;
    for (uint32_t i = 0; i < m->nodes_n; i++) {
        snprintf(c->ip[i], sizeof c->ip[i], "%s", m->host);
        c->tcp_port[i] = m->nodes[i].port;
    }
}

/* ------------------------------------------------------------------ connection I/O */

typedef enum { IO_OK, IO_EOF, IO_STOP } io_t;

/* Why the connection thread was woken: stop wins over a pending eviction. The pipe is
 * drained before the flags are read so that a poke racing with us is never lost. */
static io_t check_wake(conn_t *c)
{
    io_t r = IO_OK;
    uint8_t drain[16];
    while (read(c->wake[0], drain, sizeof drain) > 0)
        ;
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
        struct pollfd p[2] = {{c->fd, events, 0}, {c->wake[0], POLLIN, 0}};
        int timeout = -1, n;
        if (deadline_ms) {
            int64_t left = deadline_ms - iggy_now_ms();
            if (left <= 0)
                return IO_EOF;
            timeout = (int)left;
        }
        n = poll(p, 2, timeout);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return IO_EOF;
        if (p[1].revents && check_wake(c) != IO_OK)
            return IO_STOP;
        if (p[0].revents)
            return IO_OK;
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

/* A DELAY fault: sleep, but wake for destroy/set_down. */
static io_t conn_sleep(conn_t *c, uint32_t ms)
{
    int64_t deadline = iggy_now_ms() + ms;
    for (;;) {
        struct pollfd p = {c->wake[0], POLLIN, 0};
        int64_t left = deadline - iggy_now_ms();
        if (left <= 0)
            return IO_OK;
        if (poll(&p, 1, (int)left) > 0 && check_wake(c) != IO_OK)
            return IO_STOP;
    }
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

/* ------------------------------------------------------------------ replies */

/* One reply frame, built by the connection thread and owned by it. */
typedef struct reply {
    uint8_t *buf; /* header + body */
    size_t len;
    bool evict; /* eviction frame: close after sending */
} reply_t;

static iggy_u128_t transport_id(const conn_t *c)
{
    iggy_u128_t id = {c->mc.conn_id, 0};
    return id;
}

static bool reply_alloc(reply_t *r, size_t body_len)
{
    r->len = IGGY_HEADER_SIZE + body_len;
    r->buf = iggy_mem_alloc(r->len);
    r->evict = false;
    return r->buf != NULL;
}

/* Reply header; request_checksum and timestamp are echoed (§1.3), the codec leaves them 0. */
static void reply_header(reply_t *r, const uint8_t *req, const iggy_u128_t *client,
                         uint64_t request, uint8_t operation, uint32_t status, uint64_t op,
                         uint64_t commit)
{
    iggy_frame_encode_reply(r->buf, client, request, operation, status,
                            (uint32_t)(r->len - IGGY_HEADER_SIZE), op, commit);
    memcpy(r->buf + IGGY_FRAME_OFF_REP_CHECKSUM, req + IGGY_FRAME_OFF_REQ_CHECKSUM, 16);
    memcpy(r->buf + IGGY_FRAME_OFF_REP_TIMESTAMP, req + IGGY_FRAME_OFF_REQ_TIMESTAMP, 8);
}

static bool reply_status(reply_t *r, const uint8_t *req, const iggy_u128_t *client,
                         uint64_t request, uint8_t operation, uint32_t status, uint64_t op,
                         uint64_t commit)
{
    if (!reply_alloc(r, 0))
        return false;
    reply_header(r, req, client, request, operation, status, op, commit);
    return true;
}

static bool reply_reject(reply_t *r, const uint8_t *req, const iggy_u128_t *client,
                         uint64_t request, uint8_t operation, uint32_t code, uint64_t op,
                         uint64_t commit)
{
    if (!reply_alloc(r, 12))
        return false;
    reply_header(r, req, client, request, operation, 0, op, commit);
    iggy_put_le32(r->buf + IGGY_HEADER_SIZE, 1);
    iggy_put_le32(r->buf + IGGY_HEADER_SIZE + 4, 0);
    iggy_put_le32(r->buf + IGGY_HEADER_SIZE + 8, code);
    return true;
}

static bool reply_eviction(reply_t *r, const iggy_u128_t *client, uint8_t reason)
{
    /* The window travels only with IncompatibleProtocol (§1.4, §8.5). */
    uint32_t v = reason == 14 ? IGGY_PROTOCOL_VERSION : 0;
    if (!reply_alloc(r, 0))
        return false;
    iggy_frame_encode_eviction(r->buf, client, reason, v, v);
    r->evict = true;
    return true;
}

/* ------------------------------------------------------------------ faults */

static bool take_fault(iggy_mock_t *m, uint32_t code, uint32_t conn_id, fault_t *out)
{
    fault_t **pp = &m->faults;
    for (; *pp; pp = &(*pp)->next) {
        fault_t *f = *pp;
        if ((f->code && f->code != code) || (f->conn_id && f->conn_id != conn_id))
            continue;
        *out = *f;
        if (--f->count == 0) {
            *pp = f->next;
            iggy_mem_free(f);
        }
        return true;
    }
    return false;
}

static void count_request(iggy_mock_t *m, uint32_t code)
{
    const iggy_cmd_desc_t *d = iggy_cmd_by_code(code);
    m->total++;
    if (d)
        m->counts[d - iggy_cmds]++;
}

/* ------------------------------------------------------------------ dispatch */

static bool op_metadata(uint8_t op)
{
    return (iggy_op_flags(op) & IGGY_CMDF_METADATA) != 0;
}

/* Header validation (§1.2): a failure is answered with silence. */
static bool header_valid(const uint8_t *raw, const iggy_frame_header_t *h)
{
    if (h->client.lo == 0 && h->client.hi == 0)
        return false;
    if (iggy_le32(raw + IGGY_FRAME_OFF_REQ_RELEASE) != 0)
        return false;
    if (!iggy_op_declared(h->operation))
        return false;
    if (h->operation == IGGY_OP_REGISTER)
        return h->session == 0 && h->request == 0;
    if (h->operation == IGGY_OP_NON_REPLICATED)
        return true;
    return h->session > 0 && h->request > 0;
}

static bool checksum_ok(const uint8_t *raw, const uint8_t *body, size_t len)
{
    uint64_t lo = iggy_le64(raw + IGGY_FRAME_OFF_REQ_CHECKSUM),
             hi = iggy_le64(raw + IGGY_FRAME_OFF_REQ_CHECKSUM + 8);
    if (lo == 0 && hi == 0)
        return true;
    return hi == 0 && lo == (uint64_t)XXH3_64bits(body, len);
}

/* Run a command's handler under the lock and turn its outcome into a reply. */
static bool run_handler(conn_t *c, const iggy_cmd_desc_t *d, const uint8_t *raw,
                        const iggy_frame_header_t *h, const uint8_t *body, size_t body_len,
                        reply_t *r)
{
    iggy_mock_t *m = c->m;
    iggy_mock_handler_t fn = iggy_mock_state_handler((iggy_cmd_t)(d - iggy_cmds));
    iggy_writer_t w;
    iggy_mock_call_t call;
    iggy_mock_outcome_t o;
    bool was_bound = c->mc.authenticated, ok;
    uint64_t op, commit;

    if (!fn)
        return reply_status(r, raw, &h->client, h->request, h->operation, 3, c->mc.session,
                            m->commit);
    if (iggy_wr_init(&w, m->pool, 256, IGGY_MAX_FRAME_SIZE - IGGY_HEADER_SIZE - 4) != IGGY_OK)
        return false;
    memset(&call, 0, sizeof call);
    call.st = m->st;
    call.conn = &c->mc;
    call.cmd = d;
    call.out = &w;
    call.now_us = iggy_now_us();
    call.reply_operation = h->operation;
    iggy_rd_init(&call.body, body, body_len, d->name);
    if (h->operation == IGGY_OP_REGISTER && !was_bound)
        c->mc.client_id = h->client; /* the login handler binds this id */
    o = fn(&call);
    if (o.channel == MOCK_OK && iggy_wr_status(&w) != IGGY_OK)
        o = (iggy_mock_outcome_t){MOCK_STATUS, 1};
    if (o.channel == MOCK_OK || o.channel == MOCK_REJECT) {
        if (iggy_op_flags(h->operation) & (IGGY_CMDF_METADATA | IGGY_CMDF_PARTITION))
            m->commit++;
    }
    if (h->operation == IGGY_OP_REGISTER && !was_bound && c->mc.authenticated) {
        /* A new session: the dedup window starts over. */
        c->mc.last_request = 0;
        iggy_mem_free(c->cache);
        c->cache = NULL;
        m->commit++;
    }
    if (h->operation == IGGY_OP_LOGOUT && o.channel == MOCK_OK && c->mc.authenticated) {
        iggy_mock_state_logged_out(m->st, &c->mc);
        c->mc.authenticated = false;
    }
    op = (iggy_op_flags(h->operation) & (IGGY_CMDF_READ | IGGY_CMDF_SESSION)) ? c->mc.session
                                                                              : m->commit;
    commit = m->commit > c->mc.session ? m->commit : c->mc.session;

    switch (o.channel) {
    case MOCK_OK: {
        bool framed = iggy_op_is_result_framed(call.reply_operation, w.len + 4);
        size_t pre = framed ? 4 : 0;
        ok = reply_alloc(r, pre + w.len);
        if (ok) {
            reply_header(r, raw, &h->client, h->request, call.reply_operation, 0, op, commit);
            if (framed)
                memset(r->buf + IGGY_HEADER_SIZE, 0, 4);
            if (w.len)
                memcpy(r->buf + IGGY_HEADER_SIZE + pre, w.data, w.len);
        }
        break;
    }
    case MOCK_STATUS:
        ok = reply_status(r, raw, &h->client, h->request, h->operation, o.code, op, commit);
        break;
    case MOCK_REJECT:
        ok = reply_reject(r, raw, &h->client, h->request, call.reply_operation, o.code, op, commit);
        break;
    case MOCK_EVICT:
        ok = reply_eviction(r, &h->client, (uint8_t)o.code);
        break;
    case MOCK_SILENCE:
    default:
        r->buf = NULL;
        r->len = 0;
        ok = true;
        break;
    }
    iggy_wr_release(&w);
    return ok;
}

/* Metadata dedup (§3): same id -> the cached reply, older id -> 59. Called with the lock
 * held; returns true when it answered (r filled, or silence with r->buf NULL). */
static bool dedup_answer(conn_t *c, const uint8_t *raw, const iggy_frame_header_t *h, reply_t *r,
                         bool *fail)
{
    *fail = false;
    if (h->request == c->mc.last_request && c->cache) {
        if (h->request_checksum != 0 && h->request_checksum != c->cache_checksum) {
            r->buf = NULL; /* id reused for different arguments: dropped */
            return true;
        }
        r->buf = iggy_mem_alloc(c->cache_len);
        if (!r->buf) {
            *fail = true;
            return true;
        }
        memcpy(r->buf, c->cache, c->cache_len);
        r->len = c->cache_len;
        r->evict = false;
        return true;
    }
    if (h->request <= c->mc.last_request) {
        *fail = !reply_reject(r, raw, &h->client, h->request, h->operation, 59, 0, c->m->commit);
        return true;
    }
    return false;
}

/* Remember an applied metadata reply (status 0: committed, success or rejection). */
static void dedup_store(conn_t *c, const iggy_frame_header_t *h, const reply_t *r)
{
    if (!r->buf || r->evict || iggy_le32(r->buf + IGGY_FRAME_OFF_REP_STATUS) != 0)
        return;
    if (r->len >= IGGY_HEADER_SIZE + 12 && iggy_le32(r->buf + IGGY_HEADER_SIZE) == 1 &&
        (iggy_le32(r->buf + IGGY_HEADER_SIZE + 8) == 57 ||
         iggy_le32(r->buf + IGGY_HEADER_SIZE + 8) == 58))
        return; /* not committed / not admitted: a replay must run it */
    uint8_t *copy = iggy_mem_alloc(r->len);
    if (!copy)
        return;
    memcpy(copy, r->buf, r->len);
    iggy_mem_free(c->cache);
    c->cache = copy;
    c->cache_len = r->len;
    c->cache_checksum = h->request_checksum;
    c->mc.last_request = h->request;
}

/* The §5 table after header validation; the lock is held. Returns false on no memory. */
static bool dispatch(conn_t *c, const uint8_t *raw, const iggy_frame_header_t *h,
                     const uint8_t *body, size_t body_len, reply_t *r)
{
    iggy_mock_t *m = c->m;
    iggy_u128_t tid = transport_id(c);
    const iggy_cmd_desc_t *d;
    bool fail;

    r->buf = NULL;
    r->len = 0;
    r->evict = false;
    if (!checksum_ok(raw, body, body_len))
        return reply_status(r, raw, &h->client, h->request, h->operation, 4, c->mc.session,
                            m->commit);

    switch (h->operation) {
    case IGGY_OP_NON_REPLICATED:
        if (h->code == IGGY_CODE_LEGACY_LOGIN_USER || h->code == IGGY_CODE_LEGACY_LOGIN_PAT)
            return reply_eviction(r, &h->client, 15);
        if (!c->mc.authenticated && h->code != 1)
            return reply_status(r, raw, &tid, h->request, h->operation, 40, 0, 0);
        if (h->code == CODE_LOGOUT || h->code == CODE_LOGIN_REGISTER)
            return reply_status(r, raw, &h->client, h->request, h->operation, 0, c->mc.session,
                                m->commit);
        d = iggy_cmd_by_code(h->code);
        if (!d)
            return reply_status(r, raw, &h->client, h->request, h->operation, 3, c->mc.session,
                                m->commit);
        if (d->operation != IGGY_OP_NON_REPLICATED)
            return reply_status(r, raw, &h->client, h->request, h->operation, 5, c->mc.session,
                                m->commit);
        return run_handler(c, d, raw, h, body, body_len, r);
    case IGGY_OP_REGISTER:
        return run_handler(c, &iggy_cmds[IGGY_CMD_LOGIN_REGISTER], raw, h, body, body_len, r);
    case IGGY_OP_LOGOUT:
        if (!c->mc.authenticated)
            return reply_status(r, raw, &tid, h->request, h->operation, 0, 0, m->commit);
        return run_handler(c, &iggy_cmds[IGGY_CMD_LOGOUT_USER], raw, h, body, body_len, r);
    default:
        break;
    }

    if (!c->mc.authenticated)
        return reply_eviction(r, &tid, 1);
    d = iggy_cmd_by_operation(h->operation);
    if (!d) /* server-internal operations (64..68) are never accepted from a client */
        return reply_eviction(r, &tid, 4);
    if (c->node->index != m->leader) {
        if (op_metadata(h->operation))
            return reply_reject(r, raw, &h->client, h->request, h->operation, 58, c->mc.session,
                                m->commit);
        return reply_status(r, raw, &h->client, h->request, h->operation, 58, c->mc.session,
                            m->commit);
    }
    if (!op_metadata(h->operation))
        return run_handler(c, d, raw, h, body, body_len, r);
    if (dedup_answer(c, raw, h, r, &fail))
        return !fail;
    if (!run_handler(c, d, raw, h, body, body_len, r))
        return false;
    dedup_store(c, h, r);
    return true;
}

/* The wire code of a validated request, for counting and fault matching. */
static uint32_t request_code(const iggy_frame_header_t *h)
{
    const iggy_cmd_desc_t *d;
    if (h->operation == IGGY_OP_NON_REPLICATED)
        return h->code;
    if (h->operation == IGGY_OP_REGISTER)
        return CODE_LOGIN_REGISTER;
    if (h->operation == IGGY_OP_LOGOUT)
        return CODE_LOGOUT;
    d = iggy_cmd_by_operation(h->operation);
    return d ? d->code : 0;
}

/* ------------------------------------------------------------------ connection thread */

typedef enum { NEXT_CONTINUE, NEXT_CLOSE, NEXT_STALL } next_t;

/* Keep a copy of the reply just sent: a later stale-reply fault sends it again. */
static void remember_sent(conn_t *c, const reply_t *r)
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

/* Send a reply, mangled by a fault that lets the command run. */
static next_t send_reply(conn_t *c, reply_t *r, const fault_t *f)
{
    io_t io = IO_OK;
    if (!r->buf)
        return NEXT_CONTINUE;
    if (f && !r->evict) {
        switch (f->kind) {
        case IGGY_MOCK_FAULT_DUPLICATE_REPLY:
            if (conn_write(c, r->buf, r->len) != IO_OK)
                return NEXT_CLOSE;
            break; /* and once more below */
        case IGGY_MOCK_FAULT_STALE_REPLY:
            /* The previous reply instead of this one, as a confused proxy would. */
            if (c->sent_len) {
                io = conn_write(c, c->sent, c->sent_len);
                remember_sent(c, r);
                return io == IO_OK ? NEXT_CONTINUE : NEXT_CLOSE;
            }
            break;
        case IGGY_MOCK_FAULT_RESET_MID_REPLY: {
            struct linger lg = {1, 0};
            size_t part = f->param && f->param < r->len ? f->param : IGGY_HEADER_SIZE / 2;
            conn_write(c, r->buf, part);
            /* Linger 0 and no shutdown: the close sends RST instead of FIN. */
            setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
            c->reset = true;
            return NEXT_CLOSE;
        }
        case IGGY_MOCK_FAULT_CLOSE_MID_REPLY: {
            size_t body = r->len - IGGY_HEADER_SIZE;
            conn_write(c, r->buf, body ? IGGY_HEADER_SIZE + body / 2 : IGGY_HEADER_SIZE / 2);
            return NEXT_CLOSE;
        }
        case IGGY_MOCK_FAULT_TRUNCATED:
            iggy_put_le32(r->buf + IGGY_FRAME_OFF_SIZE, (uint32_t)r->len + 100);
            return conn_write(c, r->buf, r->len) == IO_OK ? NEXT_STALL : NEXT_CLOSE;
        case IGGY_MOCK_FAULT_OVERSIZED:
            iggy_put_le32(r->buf + IGGY_FRAME_OFF_SIZE, IGGY_MAX_FRAME_SIZE + 1);
            return conn_write(c, r->buf, IGGY_HEADER_SIZE) == IO_OK ? NEXT_STALL : NEXT_CLOSE;
        default:
            break;
        }
    }
    io = conn_write(c, r->buf, r->len);
    if (io != IO_OK || r->evict)
        return NEXT_CLOSE;
    remember_sent(c, r);
    return NEXT_CONTINUE;
}

/* Faults that answer instead of the command (it is not dispatched). */
static next_t apply_pre_fault(conn_t *c, const fault_t *f, const uint8_t *raw,
                              const iggy_frame_header_t *h, bool *handled)
{
    reply_t r = {NULL, 0, false};
    next_t next = NEXT_CONTINUE;
    uint64_t commit;
    *handled = true;
    pthread_mutex_lock(&c->m->lock);
    commit = c->m->commit;
    pthread_mutex_unlock(&c->m->lock);
    switch (f->kind) {
    case IGGY_MOCK_FAULT_STATUS:
        if (!reply_status(&r, raw, &h->client, h->request, h->operation, f->param, c->mc.session,
                          commit))
            return NEXT_CLOSE;
        break;
    case IGGY_MOCK_FAULT_REJECT:
        if (!reply_reject(&r, raw, &h->client, h->request, h->operation, f->param, c->mc.session,
                          commit))
            return NEXT_CLOSE;
        break;
    case IGGY_MOCK_FAULT_CLOSE:
        return NEXT_CLOSE;
    case IGGY_MOCK_FAULT_GARBAGE: {
        uint8_t junk[IGGY_HEADER_SIZE];
        uint32_t x = (uint32_t)iggy_now_us() | 1u;
        for (size_t i = 0; i < sizeof junk; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            junk[i] = (uint8_t)x;
        }
        junk[IGGY_FRAME_OFF_COMMAND] = 0xEE; /* never a valid Reply or Eviction command byte */
        return conn_write(c, junk, sizeof junk) == IO_OK ? NEXT_STALL : NEXT_CLOSE;
    }
    case IGGY_MOCK_FAULT_EVICT:
        if (!reply_eviction(&r, &h->client, (uint8_t)f->param))
            return NEXT_CLOSE;
        break;
    case IGGY_MOCK_FAULT_STALL:
        return NEXT_CONTINUE; /* swallowed; later frames are still handled */
    default:
        *handled = false;
        return NEXT_CONTINUE;
    }
    next = send_reply(c, &r, NULL);
    iggy_mem_free(r.buf);
    return next;
}

/* One frame: read, validate, fault, dispatch, reply. */
static next_t serve_frame(conn_t *c)
{
    iggy_mock_t *m = c->m;
    uint8_t raw[IGGY_HEADER_SIZE];
    uint8_t *body = NULL;
    iggy_frame_header_t h;
    size_t body_len;
    reply_t r = {NULL, 0, false};
    fault_t f;
    bool has_fault, handled = false, ok;
    next_t next;
    uint32_t code;

    if (conn_read(c, raw, sizeof raw) != IO_OK)
        return NEXT_CLOSE;
    if (iggy_frame_decode_request(raw, IGGY_MAX_FRAME_SIZE, &h) != IGGY_OK)
        return NEXT_CLOSE; /* size outside [256, 64 MiB] */
    if (h.command > IGGY_FRAME_COMMAND_MAX)
        return NEXT_CLOSE;
    body_len = h.size - IGGY_HEADER_SIZE;
    if (body_len) {
        body = iggy_mem_alloc(body_len);
        if (!body)
            return NEXT_CLOSE;
        if (conn_read(c, body, body_len) != IO_OK) {
            iggy_mem_free(body);
            return NEXT_CLOSE;
        }
    }
    pthread_mutex_lock(&m->lock);
    c->last_rx_ms = iggy_now_ms();
    pthread_mutex_unlock(&m->lock);
    if (h.command != IGGY_FRAME_REQUEST || !header_valid(raw, &h)) {
        iggy_mem_free(body);
        return NEXT_CONTINUE; /* ignored / dropped silently */
    }

    code = request_code(&h);
    pthread_mutex_lock(&m->lock);
    count_request(m, code);
    has_fault = take_fault(m, code, c->mc.conn_id, &f);
    pthread_mutex_unlock(&m->lock);

    if (has_fault && f.kind == IGGY_MOCK_FAULT_DELAY) {
        if (conn_sleep(c, f.param) != IO_OK) {
            iggy_mem_free(body);
            return NEXT_CLOSE;
        }
        has_fault = false;
    }
    if (has_fault) {
        next = apply_pre_fault(c, &f, raw, &h, &handled);
        if (handled) {
            iggy_mem_free(body);
            return next;
        }
    }

    pthread_mutex_lock(&m->lock);
    ok = dispatch(c, raw, &h, body, body_len, &r);
    pthread_mutex_unlock(&m->lock);
    iggy_mem_free(body);
    if (!ok)
        return NEXT_CLOSE;
    next = send_reply(c, &r, has_fault ? &f : NULL);
    iggy_mem_free(r.buf);
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
        reply_t r;
        iggy_u128_t tid = transport_id(c);
        if (reply_eviction(&r, &tid, c->evicting)) {
            conn_write(c, r.buf, r.len);
            iggy_mem_free(r.buf);
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
    iggy_mock_state_conn_closed(m->st, &c->mc);
    c->open = false;
    m->open_conns--;
    c->finished = true;
    pthread_mutex_unlock(&m->lock);
    poke(m->hk_wake[1]); /* let the housekeeper join us */
    return NULL;
}

static void conn_free(conn_t *c)
{
    close_pipe(c->wake);
    if (c->fd >= 0)
        close(c->fd);
    iggy_mem_free(c->cache);
    iggy_mem_free(c->sent);
    iggy_mem_free(c);
}

/* ------------------------------------------------------------------ acceptor */

static void peer_name(int fd, char *buf, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char ip[INET6_ADDRSTRLEN] = "?";
    uint16_t port = 0;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *in = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
            port = ntohs(in->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
            port = ntohs(in6->sin6_port);
        }
    }
    snprintf(buf, cap, ss.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, (unsigned)port);
}

static void accept_one(node_t *n)
{
    iggy_mock_t *m = n->m;
    int one = 1, fd = accept(n->lfd, NULL, NULL);
    conn_t *c;
    if (fd < 0)
        return;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c = iggy_mem_calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return;
    }
    c->m = m;
    c->node = n;
    c->fd = fd;
    c->wake[0] = c->wake[1] = -1;
    c->mc.transport = 1;
    c->mc.node = n->index;
    peer_name(fd, c->mc.address, sizeof c->mc.address);
    if (make_pipe(c->wake) != 0) {
        conn_free(c);
        return;
    }
    pthread_mutex_lock(&m->lock);
    if (!n->up) {
        pthread_mutex_unlock(&m->lock);
        conn_free(c);
        return;
    }
    c->mc.conn_id = ++m->next_conn_id;
    c->last_rx_ms = iggy_now_ms();
    iggy_mock_state_conn_opened(m->st, &c->mc);
    c->open = true;
    m->open_conns++;
    if (pthread_create(&c->th, NULL, conn_main, c) != 0) {
        iggy_mock_state_conn_closed(m->st, &c->mc);
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
    for (;;) {
        struct pollfd p[2] = {{n->lfd, POLLIN, 0}, {n->wake[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents)
            break;
        if (p[0].revents)
            accept_one(n);
    }
    return NULL;
}

static iggy_err_t node_listen(node_t *n, const char *host, uint16_t port)
{
    struct addrinfo hints, *ai = NULL;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char portstr[8];
    int fd, one = 1, rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(portstr, sizeof portstr, "%u", (unsigned)port);
    rc = getaddrinfo(host, portstr, &hints, &ai);
    if (rc != 0 || !ai)
        return iggy_fail(IGGY_ERR__TRANSPORT, "mock: cannot resolve %s: %s", host,
                         gai_strerror(rc));
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        freeaddrinfo(ai);
        return iggy_fail(IGGY_ERR__TRANSPORT, "mock: socket: %s", strerror(errno));
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 64) != 0) {
        int e = errno;
        freeaddrinfo(ai);
        close(fd);
        return iggy_fail(IGGY_ERR__TRANSPORT, "mock: cannot listen on %s:%u: %s", host,
                         (unsigned)port, strerror(e));
    }
    freeaddrinfo(ai);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    getsockname(fd, (struct sockaddr *)&ss, &len);
    n->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                             : ((struct sockaddr_in *)&ss)->sin_port);
    n->lfd = fd;
    snprintf(n->address, sizeof n->address, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host,
             (unsigned)n->port);
    return IGGY_OK;
}

static iggy_err_t node_start(node_t *n, uint16_t port)
{
    iggy_mock_t *m = n->m;
    IGGY_TRY(node_listen(n, m->host, port));
    if (make_pipe(n->wake) != 0) {
        close(n->lfd);
        n->lfd = -1;
        return iggy_fail(IGGY_ERR__TRANSPORT, "mock: pipe: %s", strerror(errno));
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
        close_pipe(n->wake);
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
    poke(n->wake[1]);
    pthread_join(n->th, NULL);
    close(n->lfd);
    n->lfd = -1;
    close_pipe(n->wake);

    pthread_mutex_lock(&m->lock);
    for (pp = &m->conns; *pp;) {
        conn_t *c = *pp;
        if (c->node != n) {
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        c->stop = true;
        poke(c->wake[1]);
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
        uint8_t drain[64];

        pthread_mutex_lock(&m->lock);
        if (m->hk_stop) {
            pthread_mutex_unlock(&m->lock);
            break;
        }
        now = iggy_now_ms();
        hb = m->heartbeat_ms;
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
                iggy_mock_state_conn_has_memberships(m->st, &c->mc)) {
                c->evict = 13;
                poke(c->wake[1]);
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
        tick = (int)(hb / 4);
        tick = tick < 5 ? 5 : tick > 100 ? 100 : tick;
        {
            struct pollfd p = {m->hk_wake[0], POLLIN, 0};
            if (poll(&p, 1, tick) > 0)
                while (read(m->hk_wake[0], drain, sizeof drain) > 0)
                    ;
        }
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
    for (uint32_t i = 0; i < MOCK_MAX_NODES; i++) {
        m->nodes[i].m = m;
        m->nodes[i].index = i;
        m->nodes[i].lfd = -1;
        m->nodes[i].wake[0] = m->nodes[i].wake[1] = -1;
    }
    m->st = iggy_mock_state_new(o.username ? o.username : "iggy", o.password ? o.password : "iggy");
    if (!m->st) {
        iggy_mock_destroy(m);
        return iggy_fail(IGGY_ERR__NO_MEMORY, "mock: cannot create the state");
    }
    err = iggy_pool_new(&m->pool, 4096, 1u << 20, 8, IGGY_MAX_FRAME_SIZE);
    if (err != IGGY_OK) {
        iggy_mock_destroy(m);
        return err;
    }
    if (o.tls_cert_file && (err = tls_setup(m, &o)) != IGGY_OK) {
        iggy_mock_destroy(m);
        return err;
    }
    if (make_pipe(m->hk_wake) != 0 || pthread_create(&m->hk, NULL, housekeeper_main, m) != 0) {
        close_pipe(m->hk_wake);
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
        poke(m->hk_wake[1]);
        pthread_join(m->hk, NULL);
        close_pipe(m->hk_wake);
    }
    while (m->conns) { /* finished threads the housekeeper had not joined yet */
        conn_t *c = m->conns;
        m->conns = c->next;
        pthread_join(c->th, NULL);
        conn_free(c);
    }
    while (m->faults) {
        fault_t *f = m->faults;
        m->faults = f->next;
        iggy_mem_free(f);
    }
    if (m->st)
        iggy_mock_state_free(m->st);
    if (m->pool)
        iggy_pool_destroy(m->pool);
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
    fault_t *f, **pp;
    if (!m || count == 0 || kind < IGGY_MOCK_FAULT_STATUS || kind > IGGY_MOCK_FAULT_RESET_MID_REPLY)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "mock: bad fault (kind %d, count %u)", (int)kind,
                         count);
    if (kind == IGGY_MOCK_FAULT_EVICT && param > 255)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "mock: eviction reason %u above 255", param);
    f = iggy_mem_calloc(1, sizeof *f);
    if (!f)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "mock: out of memory");
    f->code = command_code;
    f->conn_id = conn_id;
    f->kind = kind;
    f->param = param;
    f->count = count;
    pthread_mutex_lock(&m->lock);
    for (pp = &m->faults; *pp; pp = &(*pp)->next)
        ;
    *pp = f;
    pthread_mutex_unlock(&m->lock);
    return IGGY_OK;
}

void iggy_mock_clear_faults(iggy_mock_t *m)
{
    fault_t *f;
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    f = m->faults;
    m->faults = NULL;
    pthread_mutex_unlock(&m->lock);
    while (f) {
        fault_t *next = f->next;
        iggy_mem_free(f);
        f = next;
    }
}

void iggy_mock_set_heartbeat_timeout(iggy_mock_t *m, int64_t ms)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    m->heartbeat_ms = ms > 0 ? ms : DEFAULT_HEARTBEAT_MS;
    pthread_mutex_unlock(&m->lock);
    poke(m->hk_wake[1]);
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
