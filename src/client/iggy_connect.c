/* Opening connections: seed addresses, TCP or TLS, exponential backoff with jitter.
 * conn->lock is held by the caller throughout. */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/iggy_client_internal.h"
#include "iggy_conf_internal.h"
#include "iggy_error_internal.h"
#include "net/iggy_tcp.h"
#include "net/iggy_tls.h"

/* Split "host:port" or "[v6]:port" into its parts. */
static iggy_err_t parse_address(const char *addr, char *host, size_t cap, uint16_t *port)
{
    const char *colon, *end;
    size_t hlen;
    long p;
    char *stop;
    if (addr[0] == '[') {
        end = strchr(addr, ']');
        if (!end || end[1] != ':')
            return iggy_fail(IGGY_ERR__INVALID_ARG, "bad address \"%s\"", addr);
        colon = end + 1;
        addr++;
        hlen = (size_t)(end - addr);
    } else {
        colon = strrchr(addr, ':');
        if (!colon)
            return iggy_fail(IGGY_ERR__INVALID_ARG, "address \"%s\" has no port", addr);
        hlen = (size_t)(colon - addr);
    }
    p = strtol(colon + 1, &stop, 10);
    if (hlen == 0 || hlen >= cap || *stop || p <= 0 || p > 65535)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "bad address \"%s\"", addr);
    memcpy(host, addr, hlen);
    host[hlen] = '\0';
    *port = (uint16_t)p;
    return IGGY_OK;
}

/* The n-th comma-separated seed (wrapping), trimmed. */
static void nth_seed(const char *list, size_t n, char *out, size_t cap)
{
    size_t count = 1, idx;
    const char *p = list;
    for (const char *q = list; *q; q++)
        count += *q == ',';
    idx = n % count;
    for (size_t i = 0; i < idx; i++)
        p = strchr(p, ',') + 1;
    while (*p == ' ')
        p++;
    snprintf(out, cap, "%.*s", (int)strcspn(p, ", "), p);
}

void iggy_conn_drop(iggy_conn_t *conn)
{
    pthread_mutex_lock(&conn->fd_lock);
    conn->fd = -1;
    pthread_mutex_unlock(&conn->fd_lock);
    if (conn->transport.ops)
        conn->transport.ops->close(conn->transport.ctx);
    if (conn->sess.logged_in)
        conn->sess.resume = true;
    conn->sess.connected = false;
    conn->sess.logged_in = false;
    conn->sess.session = 0;
}

/* One connection attempt to host:port; on success the connection replaces the old one.
 * *logged is set when the failure was logged here (a TLS handshake). */
static iggy_err_t connect_to(iggy_client_t *c, iggy_conn_t *conn, const char *host, uint16_t port,
                             int64_t deadline_ms, bool *logged)
{
    const iggy_conf_t *conf = c->conf;
    int64_t connect_timeout = conf->connect_timeout_ms, now = iggy_now_ms();
    iggy_transport_t t = {NULL, NULL};
    iggy_err_t err;
    int fd = -1;

    if (deadline_ms && deadline_ms - now < connect_timeout)
        connect_timeout = deadline_ms > now ? deadline_ms - now : 1;
    err = iggy_tcp_connect(host, port, connect_timeout, conf->tcp_nodelay, &fd);
    if (err != IGGY_OK)
        return err;
    if (c->tls)
        err = iggy_tls_transport_new_ctx(fd, c->tls,
                                         conf->tls_server_name[0] ? conf->tls_server_name : host,
                                         now + connect_timeout, &t);
    else
        err = iggy_tcp_transport_new(fd, &t);
    if (err != IGGY_OK && c->tls) {
        *logged = true;
        iggy_log(c, err == IGGY_ERR__TLS_VERIFY ? IGGY_LOG_ERR : IGGY_LOG_WARNING, "tls",
                 "connection %zu: TLS handshake with %s:%u failed: %s", conn->index, host, port,
                 iggy_last_error_detail());
    }
    if (err != IGGY_OK)
        return err; /* the transport constructors own fd even on failure */

    /* Replace the old transport; publish the fd so destroy can wake blocked I/O. */
    if (conn->transport.ops)
        conn->transport.ops->destroy(conn->transport.ctx);
    conn->transport = t;
    pthread_mutex_lock(&conn->fd_lock);
    conn->fd = fd;
    /* Under fd_lock too: the statistics read the peer without taking the connection. */
    snprintf(conn->host, sizeof conn->host, "%s", host);
    conn->port = port;
    pthread_mutex_unlock(&conn->fd_lock);
    if (iggy_client_destroying(c)) {
        iggy_conn_drop(conn);
        return iggy_fail(IGGY_ERR__DESTROYED, "client destroyed while connecting");
    }
    conn->sess.connected = true;
    conn->sess.logged_in = false;
    conn->sess.session = 0;
    conn->last_activity_ms = iggy_now_ms();
    if (__atomic_fetch_add(&conn->counters.connects, 1, __ATOMIC_RELAXED) == 0) {
        iggy_log(c, IGGY_LOG_DEBUG, "conn", "connection %zu: connected to %s:%u%s", conn->index,
                 host, port, c->tls ? " (TLS)" : "");
    } else {
        __atomic_add_fetch(&conn->counters.reconnects, 1, __ATOMIC_RELAXED);
        iggy_log(c, IGGY_LOG_INFO, "conn", "connection %zu: reconnected to %s:%u%s", conn->index,
                 host, port, c->tls ? " (TLS)" : "");
    }
    if (!conn->sess.resume) {
        conn->sess.counter = 1;
        IGGY_TRY(iggy_random_client_id(&conn->sess.client_id));
    }
    return IGGY_OK;
}

/* Full jitter in [delay/2, delay]: spreads reconnect storms. */
static int64_t backoff_delay(const iggy_conf_t *conf, uint32_t failures)
{
    int64_t d = conf->reconnect_backoff_ms;
    uint32_t r = 0;
    for (uint32_t i = 1; i < failures && d < conf->reconnect_backoff_max_ms; i++)
        d *= 2;
    if (d > conf->reconnect_backoff_max_ms)
        d = conf->reconnect_backoff_max_ms;
    if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
        r = (uint32_t)rand();
    return d / 2 + (d > 1 ? (int64_t)(r % (uint32_t)(d / 2 + 1)) : 0);
}

void iggy_conn_call_begin(iggy_conn_t *conn)
{
    conn->call_opens = 0;
    conn->call_inherited = conn->sess.connected;
    conn->call_gave_up = false;
}

void iggy_conn_call_sending(iggy_conn_t *conn)
{
    if (conn->call_inherited) {
        conn->call_inherited = false;
        conn->call_opens++;
    }
}

void iggy_conn_call_succeeded(iggy_conn_t *conn)
{
    conn->failures = 0;
    conn->next_attempt_ms = 0;
}

iggy_err_t iggy_conn_lost(iggy_client_t *c, iggy_conn_t *conn, iggy_err_t cause)
{
    if (conn->sess.connected) {
        __atomic_add_fetch(&conn->counters.disconnects, 1, __ATOMIC_RELAXED);
        iggy_log(c, IGGY_LOG_INFO, "conn", "connection %zu to %s:%u lost: %s", conn->index,
                 conn->host, conn->port, iggy_last_error_detail());
    }
    iggy_conn_drop(conn);
    conn->last_cause = cause;
    snprintf(conn->last_cause_detail, sizeof conn->last_cause_detail, "%s",
             iggy_last_error_detail());
    if (conn->failures < UINT32_MAX)
        conn->failures++;
    if (c->conf)
        conn->next_attempt_ms = iggy_now_ms() + backoff_delay(c->conf, conn->failures);
    return cause;
}

/* Stop retrying: the last real cause, with how far the call got. */
static iggy_err_t give_up(iggy_conn_t *conn, const char *why)
{
    conn->call_gave_up = true;
    return iggy_fail(conn->last_cause ? conn->last_cause : IGGY_ERR_NOT_CONNECTED,
                     "%s after %lld attempt(s) in this call; last error: %s", why,
                     (long long)conn->call_opens,
                     conn->last_cause_detail[0] ? conn->last_cause_detail : "none");
}

iggy_err_t iggy_conn_open(iggy_client_t *c, iggy_conn_t *conn, const char *host, uint16_t port,
                          int64_t deadline_ms)
{
    const iggy_conf_t *conf = c->conf;
    for (;;) {
        char addr[300], seed_host[256];
        const char *h = host;
        uint16_t p = port;
        int64_t now = iggy_now_ms();
        iggy_err_t err;

        if (iggy_client_destroying(c))
            return iggy_fail(IGGY_ERR__DESTROYED, "client destroyed while connecting");
        if (conn->call_opens > 0 && conf->reconnect_max_retries >= 0 &&
            conn->call_opens > conf->reconnect_max_retries)
            return give_up(conn, "reconnect.max.retries reached");
        if (conn->next_attempt_ms > now) {
            int64_t wait = conn->next_attempt_ms - now;
            if (deadline_ms && conn->next_attempt_ms >= deadline_ms &&
                (conn->call_opens > 0 || deadline_ms <= now))
                return give_up(conn, "request deadline reached while backing off");
            /* Backoff carried over from earlier calls must not fail a call that has not tried
             * yet (the server may be back): its first attempt waits at most half its time. */
            if (deadline_ms && conn->call_opens == 0 && wait > (deadline_ms - now) / 2)
                wait = (deadline_ms - now) / 2;
            iggy_log(c, IGGY_LOG_DEBUG, "conn", "connection %zu: backing off %lld ms", conn->index,
                     (long long)wait);
            iggy_client_sleep(c, wait);
            if (iggy_client_destroying(c))
                continue;
            conn->next_attempt_ms = 0;
        }
        if (!h) {
            nth_seed(conf->bootstrap_servers, conn->seed_cursor, addr, sizeof addr);
            err = parse_address(addr, seed_host, sizeof seed_host, &p);
            if (err != IGGY_OK) {
                conn->call_gave_up = true;
                return err;
            }
            h = seed_host;
        }
        bool logged = false;
        conn->call_opens++;
        conn->call_inherited = false;
        err = connect_to(c, conn, h, p, deadline_ms, &logged);
        if (err == IGGY_OK)
            return IGGY_OK;
        if (err != IGGY_ERR__DESTROYED)
            __atomic_add_fetch(&conn->counters.connect_failures, 1, __ATOMIC_RELAXED);
        if (err == IGGY_ERR__DESTROYED || err == IGGY_ERR__TLS_VERIFY ||
            err == IGGY_ERR__INVALID_ARG || err == IGGY_ERR__NO_MEMORY) {
            /* Waiting cannot help: a certificate that does not verify stays so. */
            conn->call_gave_up = true;
            return err;
        }
        if (!logged)
            iggy_log(c, IGGY_LOG_WARNING, "conn",
                     "connection %zu: connect %s:%u failed (attempt %lld): %s", conn->index, h, p,
                     (long long)conn->call_opens, iggy_last_error_detail());
        if (!host)
            conn->seed_cursor++;
        iggy_conn_lost(c, conn, err);
    }
}
