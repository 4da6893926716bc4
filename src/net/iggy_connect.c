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
    conn->sess.connected = false;
    conn->sess.logged_in = false;
    conn->sess.session = 0;
}

iggy_err_t iggy_conn_connect_to(iggy_client_t *c, iggy_conn_t *conn, const char *host,
                                uint16_t port, int64_t deadline_ms)
{
    const iggy_conf_t *conf = c->conf;
    int64_t connect_timeout = conf->connect_timeout_ms, now = iggy_now_ms();
    iggy_transport_t t = {NULL, NULL};
    iggy_err_t err;
    int fd = -1;

    if (deadline_ms && deadline_ms - now < connect_timeout)
        connect_timeout = deadline_ms > now ? deadline_ms - now : 1;
    err = iggy_tcp_connect(host, port, connect_timeout, &fd);
    if (err != IGGY_OK)
        return err;
    if (conf->tls_enabled) {
        iggy_tls_opts_t o = {conf->tls_ca_file[0] ? conf->tls_ca_file : NULL,
                             conf->tls_server_name[0] ? conf->tls_server_name : host,
                             conf->tls_verify};
        err = iggy_tls_transport_new(fd, &o, now + connect_timeout, &t);
    } else {
        err = iggy_tcp_transport_new(fd, &t);
    }
    if (err != IGGY_OK)
        return err; /* the transport constructors own fd even on failure */

    /* Replace the old transport; publish the fd so destroy can wake blocked I/O. */
    if (conn->transport.ops)
        conn->transport.ops->destroy(conn->transport.ctx);
    conn->transport = t;
    pthread_mutex_lock(&conn->fd_lock);
    conn->fd = fd;
    pthread_mutex_unlock(&conn->fd_lock);
    if (iggy_client_destroying(c)) {
        iggy_conn_drop(conn);
        return iggy_fail(IGGY_ERR__DESTROYED, "client destroyed while connecting");
    }
    snprintf(conn->host, sizeof conn->host, "%s", host);
    conn->port = port;
    conn->sess.connected = true;
    conn->sess.logged_in = false;
    conn->sess.session = 0;
    conn->sess.counter = 1;
    conn->last_activity_ms = iggy_now_ms();
    __atomic_add_fetch(&c->connects, 1, __ATOMIC_RELAXED);
    IGGY_TRY(iggy_random_client_id(&conn->sess.client_id));
    iggy_log(c, IGGY_LOG_DEBUG, "net", "connected to %s:%u%s", host, port,
             conf->tls_enabled ? " (TLS)" : "");
    return IGGY_OK;
}

/* Full jitter in [delay/2, delay]: spreads reconnect storms. */
static int64_t backoff_delay(const iggy_conf_t *conf, int attempt)
{
    int64_t d = conf->reconnect_backoff_ms;
    uint32_t r = 0;
    for (int i = 1; i < attempt && d < conf->reconnect_backoff_max_ms; i++)
        d *= 2;
    if (d > conf->reconnect_backoff_max_ms)
        d = conf->reconnect_backoff_max_ms;
    if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
        r = (uint32_t)rand();
    return d / 2 + (d > 1 ? (int64_t)(r % (uint32_t)(d / 2 + 1)) : 0);
}

iggy_err_t iggy_conn_connect(iggy_client_t *c, iggy_conn_t *conn, int64_t deadline_ms)
{
    const iggy_conf_t *conf = c->conf;
    char addr[300], host[256];
    uint16_t port = 0;
    iggy_err_t err;
    for (int attempt = 1;; attempt++) {
        int64_t delay;
        if (iggy_client_destroying(c))
            return iggy_fail(IGGY_ERR__DESTROYED, "client destroyed while connecting");
        nth_seed(conf->bootstrap_servers, conn->seed_cursor, addr, sizeof addr);
        err = parse_address(addr, host, sizeof host, &port);
        if (err != IGGY_OK)
            return err;
        err = iggy_conn_connect_to(c, conn, host, port, deadline_ms);
        if (err == IGGY_OK || err == IGGY_ERR__DESTROYED)
            return err;
        iggy_log(c, IGGY_LOG_WARNING, "net", "connect %s failed (attempt %d): %s", addr, attempt,
                 iggy_last_error_detail());
        conn->seed_cursor++;
        if (conf->reconnect_max_retries >= 0 && attempt > conf->reconnect_max_retries)
            return err;
        delay = backoff_delay(conf, attempt);
        if (deadline_ms && iggy_now_ms() + delay >= deadline_ms) {
            char last[512];
            if (err == IGGY_ERR__TIMED_OUT)
                return err;
            snprintf(last, sizeof last, "%s", iggy_last_error_detail());
            return iggy_fail(IGGY_ERR__TIMED_OUT,
                             "could not connect before the deadline; last error: %s", last);
        }
        iggy_client_sleep(c, delay);
    }
}
