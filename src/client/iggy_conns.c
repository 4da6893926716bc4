/* The client's connections: a call takes an idle one (or the one it is pinned to) and hands
 * it back when done, so calls from different threads run in parallel, one per connection.
 * Unopened connections are used only when every open one is busy: a client used from one
 * thread keeps one session however many connections it may have. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "client/iggy_client_internal.h"
#include "iggy_alloc.h"
#include "iggy_error_internal.h"

iggy_err_t iggy_conns_init(iggy_client_t *c, size_t n)
{
    pthread_condattr_t ca;
    c->conns = iggy_mem_calloc(n, sizeof *c->conns);
    if (!c->conns)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "client: no memory for %zu connections", n);
    for (size_t i = 0; i < n; i++) {
        iggy_conn_t *conn = &c->conns[i];
        /* The server drops frames with client id 0, Ping before login included. */
        iggy_err_t err = iggy_random_client_id(&conn->sess.client_id);
        if (err != IGGY_OK) {
            iggy_mem_free(c->conns);
            c->conns = NULL;
            return err;
        }
        conn->index = i;
        conn->fd = -1;
        conn->sess.counter = 1;
    }
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    for (size_t i = 0; i < n; i++) {
        pthread_mutex_init(&c->conns[i].lock, NULL);
        pthread_mutex_init(&c->conns[i].fd_lock, NULL);
        pthread_cond_init(&c->conns[i].idle, &ca);
    }
    c->nconns = n;
    pthread_mutex_init(&c->conns_lock, NULL);
    pthread_cond_init(&c->conns_cond, &ca);
    pthread_condattr_destroy(&ca);
    return IGGY_OK;
}

void iggy_conns_free(iggy_client_t *c)
{
    if (!c->conns)
        return;
    for (size_t i = 0; i < c->nconns; i++) {
        iggy_conn_t *conn = &c->conns[i];
        if (conn->transport.ops)
            conn->transport.ops->destroy(conn->transport.ctx);
        pthread_mutex_destroy(&conn->lock);
        pthread_mutex_destroy(&conn->fd_lock);
        pthread_cond_destroy(&conn->idle);
    }
    pthread_mutex_destroy(&c->conns_lock);
    pthread_cond_destroy(&c->conns_cond);
    iggy_mem_free(c->conns);
    c->conns = NULL;
}

/* The idle connection an unpinned call should take, or NULL: open before unopened (no new
 * session while one is idle), unreserved before reserved, fewest reservations first. */
static iggy_conn_t *pick_idle(iggy_client_t *c)
{
    iggy_conn_t *best = NULL;
    for (size_t i = 0; i < c->nconns; i++) {
        iggy_conn_t *conn = &c->conns[i];
        if (conn->busy)
            continue;
        if (!best || (conn->reservations < best->reservations) ||
            (conn->reservations == best->reservations && conn->was_open && !best->was_open))
            best = conn;
    }
    return best;
}

/* The connection a call may take now, or NULL. */
static iggy_conn_t *take_now(iggy_client_t *c, int pin)
{
    if (pin >= 0)
        return c->conns[pin].busy ? NULL : &c->conns[pin];
    return pick_idle(c);
}

/* Wait (conns_lock held) for a hand-back that may suit this call: pinned calls on their
 * connection's condition, others on the client's. Returns false at the deadline. */
static bool wait_turn(iggy_client_t *c, int pin, int64_t deadline)
{
    struct timespec until = iggy_mono_timespec_us(deadline * 1000);
    pthread_cond_t *cond = pin >= 0 ? &c->conns[pin].idle : &c->conns_cond;
    uint32_t *waiters = pin >= 0 ? &c->conns[pin].pinned_waiters : &c->unpinned_waiters;
    int rc = 0;
    (*waiters)++;
    if (!deadline)
        pthread_cond_wait(cond, &c->conns_lock);
    else
        rc = pthread_cond_timedwait(cond, &c->conns_lock, &until);
    (*waiters)--;
    return rc != ETIMEDOUT;
}

/* Wake one waiter a newly idle connection can serve: one pinned to it, else an unpinned
 * one. One wake per hand-back: waking every waiter would only have them queue again. */
static void wake_one(iggy_client_t *c, iggy_conn_t *conn)
{
    if (conn->pinned_waiters)
        pthread_cond_signal(&conn->idle);
    else if (c->unpinned_waiters)
        pthread_cond_signal(&c->conns_cond);
}

iggy_err_t iggy_conn_acquire(iggy_client_t *c, int pin, int64_t deadline, iggy_conn_t **out)
{
    iggy_conn_t *conn;
    bool in_time = true;
    *out = NULL;
    if (pin >= (int)c->nconns)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "connection %d of %zu", pin, c->nconns);
    if (c->nconns == 1) {
        /* One connection (the default): its mutex is the queue. Four threads sharing it ran
         * about 1.4x faster this way than through the idle-connection hand-off, and on a par
         * with the single-connection client before it (bench/bench_connections). */
        pthread_mutex_lock(&c->conns[0].lock);
        *out = &c->conns[0];
        return IGGY_OK;
    }
    pthread_mutex_lock(&c->conns_lock);
    while (!(conn = take_now(c, pin)) && in_time && !iggy_client_destroying(c))
        in_time = wait_turn(c, pin, deadline);
    if (conn)
        conn->busy = true;
    else if (pin >= 0 && c->unpinned_waiters)
        /* A wake meant for this connection may have gone to us: pass it on. */
        pthread_cond_signal(&c->conns_cond);
    pthread_mutex_unlock(&c->conns_lock);
    if (!conn) {
        if (iggy_client_destroying(c))
            return iggy_fail(IGGY_ERR__DESTROYED,
                             "client destroyed while waiting for a connection");
        return iggy_fail(IGGY_ERR__TIMED_OUT,
                         "no idle connection before the request deadline (%zu connection(s), all "
                         "busy)",
                         c->nconns);
    }
    pthread_mutex_lock(&conn->lock);
    *out = conn;
    return IGGY_OK;
}

iggy_conn_t *iggy_conn_try_acquire(iggy_client_t *c, size_t index)
{
    iggy_conn_t *conn = &c->conns[index];
    if (c->nconns == 1)
        return pthread_mutex_trylock(&conn->lock) == 0 ? conn : NULL;
    pthread_mutex_lock(&c->conns_lock);
    if (conn->busy)
        conn = NULL;
    else
        conn->busy = true;
    pthread_mutex_unlock(&c->conns_lock);
    if (conn)
        pthread_mutex_lock(&conn->lock);
    return conn;
}

void iggy_conn_release(iggy_client_t *c, iggy_conn_t *conn)
{
    bool open = conn->sess.connected; /* read under conn->lock, published under conns_lock */
    pthread_mutex_unlock(&conn->lock);
    if (c->nconns == 1)
        return;
    pthread_mutex_lock(&c->conns_lock);
    conn->busy = false;
    conn->was_open = open;
    wake_one(c, conn);
    pthread_mutex_unlock(&c->conns_lock);
}

void iggy_conns_wake(iggy_client_t *c)
{
    pthread_mutex_lock(&c->conns_lock);
    pthread_cond_broadcast(&c->conns_cond);
    for (size_t i = 0; i < c->nconns; i++)
        pthread_cond_broadcast(&c->conns[i].idle);
    pthread_mutex_unlock(&c->conns_lock);
}

void iggy_conns_drop_others(iggy_client_t *c, int except)
{
    for (size_t i = 0; i < c->nconns; i++) {
        iggy_conn_t *conn;
        if ((int)i == except)
            continue;
        pthread_mutex_lock(&c->conns_lock);
        if (!c->conns[i].was_open && !c->conns[i].busy) {
            /* Never opened or already closed: nothing to drop, but a lost session must not be
             * resumed under the new identity (idle: no call holds it while we hold the lock). */
            c->conns[i].sess.resume = false;
            pthread_mutex_unlock(&c->conns_lock);
            continue;
        }
        pthread_mutex_unlock(&c->conns_lock);
        if (iggy_conn_acquire(c, (int)i, 0, &conn) != IGGY_OK)
            return; /* destroyed */
        if (conn->sess.connected) {
            iggy_log(c, IGGY_LOG_DEBUG, "session", "connection %zu: closed for the new identity",
                     i);
            iggy_conn_drop(conn);
        }
        conn->sess.resume = false;
        iggy_conn_release(c, conn);
    }
}

void iggy_conn_reserve(iggy_client_t *c, iggy_conn_reservation_t *out)
{
    size_t best = 0;
    pthread_mutex_lock(&c->conns_lock);
    for (size_t i = 1; i < c->nconns; i++)
        if (c->conns[i].reservations < c->conns[best].reservations)
            best = i;
    c->conns[best].reservations++;
    pthread_mutex_unlock(&c->conns_lock);
    out->client = c;
    out->index = (int)best;
    out->cancel.cancelled = false;
}

void iggy_rpc_via(iggy_rpc_t *rpc, iggy_conn_reservation_t *r)
{
    rpc->pin = r ? r->index : -1;
    rpc->cancel = r ? &r->cancel : NULL;
}

void iggy_conn_unreserve(iggy_conn_reservation_t *r)
{
    iggy_client_t *c = r->client;
    if (!c || r->index < 0)
        return;
    pthread_mutex_lock(&c->conns_lock);
    if (c->conns[r->index].reservations > 0)
        c->conns[r->index].reservations--;
    pthread_mutex_unlock(&c->conns_lock);
    r->index = -1;
}
