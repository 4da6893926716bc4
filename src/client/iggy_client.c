/* The public client: creation, lifecycle, heartbeat, login and logout. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <iggy/client.h>

#include "client/iggy_client_internal.h"
#include "client/iggy_rpc_internal.h"
#include "codec/iggy_codec.h"
#include "codec/iggy_frame.h"
#include "iggy_alloc.h"
#include "iggy_conf_internal.h"
#include "iggy_error_internal.h"
#include "net/iggy_tls.h"

/* ---------------------------------------------------------------- lifecycle */

iggy_err_t iggy_client_enter(iggy_client_t *c)
{
    iggy_err_t err = IGGY_OK;
    pthread_mutex_lock(&c->life_lock);
    if (c->destroying)
        err = iggy_fail(IGGY_ERR__DESTROYED, "client is being destroyed");
    else
        c->active_calls++;
    pthread_mutex_unlock(&c->life_lock);
    return err;
}

void iggy_client_leave(iggy_client_t *c)
{
    pthread_mutex_lock(&c->life_lock);
    if (--c->active_calls == 0 && c->destroying)
        pthread_cond_broadcast(&c->life_cond);
    pthread_mutex_unlock(&c->life_lock);
}

bool iggy_client_destroying(iggy_client_t *c)
{
    bool d;
    pthread_mutex_lock(&c->life_lock);
    d = c->destroying;
    pthread_mutex_unlock(&c->life_lock);
    return d;
}

void iggy_client_sleep(iggy_client_t *c, int64_t ms)
{
    struct timespec until = iggy_mono_timespec_us((iggy_now_ms() + ms) * 1000);
    pthread_mutex_lock(&c->life_lock);
    while (!c->destroying &&
           pthread_cond_timedwait(&c->life_cond, &c->life_lock, &until) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&c->life_lock);
}

static iggy_err_t client_alloc(iggy_client_t **out, const iggy_client_opts_t *opts,
                               iggy_pool_t *pool, size_t initial, size_t spare_max,
                               size_t spare_count, size_t connections)
{
    pthread_condattr_t ca;
    iggy_client_t *c = iggy_mem_calloc(1, sizeof *c);
    iggy_err_t err;
    *out = NULL;
    if (!c)
        return iggy_fail(IGGY_ERR__NO_MEMORY, "client: no memory");
    c->opts = *opts;
    if (!pool) {
        err = iggy_pool_new(&pool, initial, spare_max, spare_count, c->opts.max_frame_size);
        if (err != IGGY_OK) {
            iggy_mem_free(c);
            return err;
        }
        c->own_pool = true;
    }
    c->pool = pool;
    err = iggy_conns_init(c, connections);
    if (err != IGGY_OK) {
        if (c->own_pool)
            iggy_pool_destroy(pool);
        iggy_mem_free(c);
        return err;
    }
    pthread_mutex_init(&c->cred_lock, NULL);
    pthread_mutex_init(&c->life_lock, NULL);
    pthread_mutex_init(&c->groups_lock, NULL);
    pthread_mutex_init(&c->stats_lock, NULL);
    c->created_us = iggy_mono_us();
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->life_cond, &ca);
    pthread_condattr_destroy(&ca);
    *out = c;
    return IGGY_OK;
}

iggy_err_t iggy_client_new_with_transport(iggy_client_t **out, const iggy_client_opts_t *opts,
                                          iggy_transport_t transport, iggy_pool_t *pool)
{
    iggy_client_opts_t def;
    iggy_client_t *c;
    if (!opts) {
        iggy_client_opts_default(&def);
        opts = &def;
    }
    IGGY_TRY(client_alloc(&c, opts, pool, 4096, 4u << 20, 4, 1));
    c->fixed_transport = true;
    c->conns[0].transport = transport;
    c->conns[0].sess.connected = true;
    c->conns[0].was_open = true;
    *out = c;
    return IGGY_OK;
}

/* Replace the kept credentials, all or nothing: on IGGY_ERR__NO_MEMORY the old ones stay.
 * The old copies are wiped before they are freed. */
static iggy_err_t set_credentials(iggy_client_t *c, const char *user, const char *pass,
                                  const char *token, bool from_conf)
{
    char *u = NULL, *p = NULL, *t = NULL;
    if ((user && (!(u = iggy_mem_strdup(user)) || !(p = iggy_mem_strdup(pass ? pass : "")))) ||
        (token && !(t = iggy_mem_strdup(token)))) {
        iggy_mem_free(u);
        iggy_mem_free_secret(p);
        iggy_mem_free_secret(t);
        return iggy_fail(IGGY_ERR__NO_MEMORY, "client: out of memory keeping the credentials");
    }
    pthread_mutex_lock(&c->cred_lock);
    c->cred_from_conf = from_conf;
    iggy_mem_free(c->username);
    iggy_mem_free_secret(c->password);
    iggy_mem_free_secret(c->token);
    c->username = u;
    c->password = p;
    c->token = t;
    pthread_mutex_unlock(&c->cred_lock);
    return IGGY_OK;
}

/* Ping one connection when it has been idle for the interval (conn is taken). */
static void heartbeat_one(iggy_client_t *c, iggy_conn_t *conn, int64_t interval)
{
    if (!conn->sess.connected || iggy_now_ms() - conn->last_activity_ms < interval)
        return;
    if (iggy_internal_call(c, conn, IGGY_CMD_PING, NULL, NULL, NULL,
                           iggy_deadline_after(c->opts.request_timeout_ms)) != IGGY_OK)
        iggy_log(c, IGGY_LOG_WARNING, "conn", "heartbeat on connection %zu failed: %s", conn->index,
                 iggy_last_error_detail());
}

static void *heartbeat_main(void *arg)
{
    iggy_client_t *c = arg;
    int64_t interval = c->conf->heartbeat_interval_ms;
    int64_t tick = interval / 4 > 0 ? interval / 4 : 1;
    while (!iggy_client_destroying(c)) {
        iggy_client_sleep(c, tick);
        for (size_t i = 0; i < c->nconns && !iggy_client_destroying(c); i++) {
            /* Never queue behind a call: a busy connection is not idle anyway. */
            iggy_conn_t *conn = iggy_conn_try_acquire(c, i);
            if (!conn)
                continue;
            heartbeat_one(c, conn, interval);
            iggy_conn_release(c, conn);
        }
    }
    return NULL;
}

iggy_err_t iggy_client_new(const iggy_conf_t *conf, iggy_client_t **out, char *errstr,
                           size_t errstr_size)
{
    iggy_conf_t *copy = NULL;
    iggy_client_opts_t o;
    iggy_client_t *c;
    iggy_err_t err;

    *out = NULL;
    err = conf ? iggy_conf_dup(conf, &copy) : iggy_conf_new(&copy);
    if (err != IGGY_OK)
        goto fail;
    iggy_client_opts_default(&o);
    o.max_frame_size = (size_t)copy->message_max_bytes;
    o.request_timeout_ms = copy->request_timeout_ms;
    o.stamp_checksums = copy->request_checksum;
    err = client_alloc(&c, &o, NULL, (size_t)copy->pool_buffer_initial_bytes,
                       (size_t)copy->pool_spare_max_bytes, (size_t)copy->pool_spare_count,
                       (size_t)copy->connections);
    if (err != IGGY_OK) {
        iggy_conf_destroy(copy);
        goto fail;
    }
    c->conf = copy;
    iggy_logger_init(&c->log, copy->log_cb, copy->log_opaque, copy->log_level, copy->debug);
    if (copy->personal_access_token[0])
        err = set_credentials(c, NULL, NULL, copy->personal_access_token, true);
    else if (copy->username[0])
        err = set_credentials(c, copy->username, copy->password, NULL, true);
    if (err != IGGY_OK) {
        iggy_client_destroy(c);
        goto fail;
    }
    if (copy->tls_enabled) {
        /* Once per client: the CA file is read here, not on every reconnect. */
        iggy_tls_opts_t to = {copy->tls_ca_file[0] ? copy->tls_ca_file : NULL, NULL,
                              copy->tls_verify};
        err = iggy_tls_ctx_new(&to, &c->tls);
        if (err != IGGY_OK) {
            iggy_client_destroy(c);
            goto fail;
        }
        if (!copy->tls_verify)
            iggy_log(c, IGGY_LOG_WARNING, "tls",
                     "TLS certificate verification is OFF (tls.verify=false): the server is not "
                     "authenticated");
    }
    if (copy->heartbeat_interval_ms > 0) {
        if (pthread_create(&c->heartbeat_thread, NULL, heartbeat_main, c) != 0) {
            iggy_client_destroy(c);
            err = iggy_fail(IGGY_ERR__NO_MEMORY, "client: cannot start the heartbeat thread");
            goto fail;
        }
        c->heartbeat_running = true;
    }
    if ((err = iggy_stats_start(c)) != IGGY_OK) {
        iggy_client_destroy(c);
        goto fail;
    }
    *out = c;
    return IGGY_OK;
fail:
    if (errstr && errstr_size)
        snprintf(errstr, errstr_size, "%s", iggy_last_error_detail());
    return err;
}

void iggy_client_free(iggy_client_t *c)
{
    iggy_client_destroy(c);
}

void iggy_client_destroy(iggy_client_t *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->life_lock);
    c->destroying = true;
    pthread_cond_broadcast(&c->life_cond);
    pthread_mutex_unlock(&c->life_lock);
    /* Wake calls waiting for a connection, and calls (or heartbeat pings) blocked in socket
     * I/O: they see `destroying` and leave. */
    iggy_conns_wake(c);
    for (size_t i = 0; i < c->nconns; i++) {
        iggy_conn_t *conn = &c->conns[i];
        pthread_mutex_lock(&conn->fd_lock);
        if (conn->fd >= 0)
            shutdown(conn->fd, SHUT_RDWR);
        pthread_mutex_unlock(&conn->fd_lock);
    }
    if (c->heartbeat_running)
        pthread_join(c->heartbeat_thread, NULL);
    iggy_stats_stop(c);
    pthread_mutex_lock(&c->life_lock);
    while (c->active_calls > 0)
        pthread_cond_wait(&c->life_cond, &c->life_lock);
    pthread_mutex_unlock(&c->life_lock);

    iggy_conns_free(c);
    (void)set_credentials(c, NULL, NULL, NULL, false); /* allocates nothing: cannot fail */
    iggy_memberships_free(c);
    iggy_tls_ctx_free(c->tls);
    iggy_messages_state_free(c->messages);
    iggy_stats_free(c);
    if (c->own_pool)
        iggy_pool_destroy(c->pool);
    iggy_conf_destroy(c->conf);
    pthread_mutex_destroy(&c->cred_lock);
    pthread_mutex_destroy(&c->life_lock);
    pthread_mutex_destroy(&c->groups_lock);
    pthread_mutex_destroy(&c->stats_lock);
    pthread_cond_destroy(&c->life_cond);
    iggy_mem_free(c);
}

/* ---------------------------------------------------------------- calls */

iggy_err_t iggy_client_connect(iggy_client_t *c)
{
    return iggy_ping(c);
}

iggy_err_t iggy_ping(iggy_client_t *c)
{
    iggy_rpc_t rpc;
    IGGY_TRY(iggy_rpc_begin(c, IGGY_CMD_PING, &rpc));
    return iggy_rpc_end(&rpc, NULL);
}

static iggy_err_t login(iggy_client_t *c, const char *user, const char *pass, const char *token,
                        iggy_login_result_t **out)
{
    iggy_login_result_t *result = NULL;
    iggy_rpc_t rpc;
    iggy_err_t err;

    err =
        iggy_rpc_begin(c, token ? IGGY_CMD_LOGIN_REGISTER_WITH_PAT : IGGY_CMD_LOGIN_REGISTER, &rpc);
    if (err != IGGY_OK)
        return err;
    iggy_enc_login(&rpc.w, c, user, pass, token);
    /* Keep the credentials first: leader settlement after the login re-logs in with them. */
    err = set_credentials(c, user, pass, token, false);
    if (err != IGGY_OK) {
        iggy_rpc_abort(&rpc);
        return err;
    }
    err = iggy_rpc_end(&rpc, (void **)&result);
    if (err != IGGY_OK) {
        /* the reply may have been decoded before a later step failed (leader settlement) */
        iggy_result_destroy(result);
        (void)set_credentials(c, NULL, NULL, NULL, false);
        return err;
    }
    /* One identity per client: the other connections log in again as this user. */
    iggy_conns_drop_others(c, rpc.conn_used);
    if (out)
        *out = result;
    else
        iggy_result_destroy(result);
    return IGGY_OK;
}

iggy_err_t iggy_login_user(iggy_client_t *c, const char *username, const char *password,
                           iggy_login_result_t **out)
{
    if (!c || !username || !password)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "LoginUser: NULL argument");
    return login(c, username, password, NULL, out);
}

iggy_err_t iggy_login_with_personal_access_token(iggy_client_t *c, const char *token,
                                                 iggy_login_result_t **out)
{
    if (!c || !token)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "LoginWithPersonalAccessToken: NULL argument");
    return login(c, NULL, NULL, token, out);
}

iggy_err_t iggy_logout_user(iggy_client_t *c)
{
    iggy_rpc_t rpc;
    iggy_err_t err;
    IGGY_TRY(iggy_rpc_begin(c, IGGY_CMD_LOGOUT_USER, &rpc));
    err = iggy_rpc_end(&rpc, NULL);
    if (err == IGGY_OK) {
        (void)set_credentials(c, NULL, NULL, NULL, false);
        /* Every session of the client ends, not only the one the logout ran on. */
        iggy_conns_drop_others(c, rpc.conn_used);
    }
    return err;
}
