/* Sessions over connections: automatic login after every (re)connect and settling on the
 * cluster leader (framing-and-session.md §8, §13). conn->lock is held throughout. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <iggy/version.h>

#include "client/iggy_rpc_internal.h"
#include "codec/iggy_codec.h"
#include "codec/iggy_frame.h"
#include "iggy_alloc.h"
#include "iggy_conf_internal.h"
#include "iggy_error_internal.h"

#define LEADERLESS_POLL_MS 250
#define LEADERLESS_WAIT_MS 5000

iggy_err_t iggy_internal_call(iggy_client_t *c, iggy_conn_t *conn, iggy_cmd_t cmd,
                              iggy_encode_fn enc, void *arg, void **out, int64_t deadline)
{
    iggy_writer_t w;
    iggy_err_t err = iggy_request_writer(c, 512, &w);
    if (err != IGGY_OK)
        return err;
    w.secret = (iggy_cmds[cmd].flags & IGGY_CMDF_SECRET) != 0;
    if (enc)
        enc(&w, arg);
    err = iggy_wr_status(&w);
    if (err == IGGY_OK)
        err = iggy_call_on_conn(c, conn, &iggy_cmds[cmd], &w, NULL, out, deadline, NULL);
    iggy_wr_release(&w);
    return err;
}

typedef struct login_args {
    const iggy_client_t *c;
    const char *username, *password, *token;
} login_args_t;

void iggy_enc_login(iggy_writer_t *w, const iggy_client_t *c, const char *username,
                    const char *password, const char *token)
{
    const char *name = c->conf ? c->conf->sdk_name : "c-sdk";
    const char *version = c->conf ? c->conf->sdk_version : IGGY_VERSION_STR;
    if (token)
        iggy_enc_login_register_with_pat(w, IGGY_PROTOCOL_VERSION, name, version, token);
    else
        iggy_enc_login_register(w, IGGY_PROTOCOL_VERSION, name, version, username, password);
}

static void enc_login(iggy_writer_t *w, void *arg)
{
    login_args_t *a = arg;
    iggy_enc_login(w, a->c, a->username, a->password, a->token);
}

/* Log in with the stored credentials; IGGY_ERR__STATE when there are none. */
static iggy_err_t auto_login(iggy_client_t *c, iggy_conn_t *conn, int64_t deadline)
{
    login_args_t a = {c, NULL, NULL, NULL};
    void *result = NULL;
    iggy_err_t err;
    char *user = NULL, *pass = NULL, *token = NULL;

    bool have;

    pthread_mutex_lock(&c->cred_lock);
    have = c->token || c->username;
    if (c->token)
        token = iggy_mem_strdup(c->token);
    else if (c->username)
        user = iggy_mem_strdup(c->username), pass = iggy_mem_strdup(c->password);
    pthread_mutex_unlock(&c->cred_lock);
    if (!have)
        return IGGY_ERR__STATE;
    if (!token && (!user || !pass)) {
        iggy_mem_free(user);
        iggy_mem_free_secret(pass);
        return iggy_fail(IGGY_ERR__NO_MEMORY, "login: out of memory copying the credentials");
    }
    a.username = user;
    a.password = pass;
    a.token = token;
    bool resumed = conn->sess.resume; /* the login clears it */
    err = iggy_internal_call(c, conn,
                             token ? IGGY_CMD_LOGIN_REGISTER_WITH_PAT : IGGY_CMD_LOGIN_REGISTER,
                             enc_login, &a, &result, deadline);
    iggy_result_destroy(result);
    iggy_mem_free(user);
    iggy_mem_free_secret(pass);
    iggy_mem_free_secret(token);
    if (err == IGGY_OK && resumed)
        iggy_log(c, IGGY_LOG_DEBUG, "session",
                 "connection %zu: session resumed on %s:%u (same client id, request ids go on)",
                 conn->index, conn->host, conn->port);
    else if (err == IGGY_OK)
        iggy_log(c, IGGY_LOG_DEBUG, "session", "connection %zu: logged in to %s:%u", conn->index,
                 conn->host, conn->port);
    else
        iggy_log(c, IGGY_LOG_WARNING, "session",
                 "connection %zu: automatic login to %s:%u failed: %s", conn->index, conn->host,
                 conn->port, iggy_last_error_detail());
    return err;
}

/* Whether the client logs in by itself: with the conf's credentials when auto.login is on, and
 * always with those of an explicit login (on reconnects and on its other connections). */
static bool has_credentials(iggy_client_t *c)
{
    bool has;
    pthread_mutex_lock(&c->cred_lock);
    has = (c->token || c->username) && !(c->cred_from_conf && c->conf && !c->conf->auto_login);
    pthread_mutex_unlock(&c->cred_lock);
    return has;
}

/* Lower-case, with localhost spelled 127.0.0.1 (§13.2: never use DNS to compare). */
static void normalize_host(const char *in, char *out, size_t cap)
{
    size_t i = 0;
    if (in[0] == '[')
        in++;
    for (; in[i] && in[i] != ']' && i + 1 < cap; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[i] = '\0';
    if (strcmp(out, "localhost") == 0)
        snprintf(out, cap, "127.0.0.1");
}

/* One leader check. *moved is set when conn now sits on another node, logged in. */
static iggy_err_t check_leader_once(iggy_client_t *c, iggy_conn_t *conn, int64_t deadline,
                                    bool *moved, bool *leaderless)
{
    iggy_cluster_metadata_t *md = NULL;
    const iggy_cluster_node_t *leader = NULL;
    char a[256], b[256], host[256];
    uint16_t port;
    iggy_err_t err;

    *moved = *leaderless = false;
    err = iggy_internal_call(c, conn, IGGY_CMD_GET_CLUSTER_METADATA, NULL, NULL, (void **)&md,
                             deadline);
    if (err != IGGY_OK)
        return err;
    if (md->nodes_count <= 1) {
        iggy_result_destroy(md);
        return IGGY_OK;
    }
    for (size_t i = 0; i < md->nodes_count; i++)
        if (md->nodes[i].role == IGGY_NODE_LEADER && md->nodes[i].status == 0) {
            leader = &md->nodes[i];
            break;
        }
    if (!leader) {
        *leaderless = true;
        iggy_result_destroy(md);
        return IGGY_OK;
    }
    normalize_host(leader->ip, a, sizeof a);
    normalize_host(conn->host, b, sizeof b);
    snprintf(host, sizeof host, "%s", leader->ip);
    port = leader->tcp_port;
    iggy_result_destroy(md);
    if (strcmp(a, b) == 0 && port == conn->port)
        return IGGY_OK;
    iggy_log(c, IGGY_LOG_INFO, "session", "connection %zu: leader is %s:%u, leaving %s:%u",
             conn->index, host, port, conn->host, conn->port);
    iggy_conn_drop(conn);
    err = iggy_conn_open(c, conn, host, port, deadline);
    if (err == IGGY_OK)
        err = auto_login(c, conn, deadline);
    if (err == IGGY_OK)
        *moved = true;
    return err;
}

/* Settle on the leader: follow at most leader.redirects.max redirects; wait out a
 * leaderless cluster briefly. A failing metadata call is not fatal (stay). */
static iggy_err_t settle_leader(iggy_client_t *c, iggy_conn_t *conn, int64_t deadline,
                                bool *moved_any)
{
    int64_t max = c->conf ? c->conf->leader_redirects_max : 3;
    int64_t leaderless_until = iggy_now_ms() + LEADERLESS_WAIT_MS;
    *moved_any = false;
    for (int64_t redirects = 0;;) {
        bool moved, leaderless;
        iggy_err_t err = check_leader_once(c, conn, deadline, &moved, &leaderless);
        if (err != IGGY_OK && !moved) {
            if (!conn->sess.connected)
                return err; /* lost the connection while redirecting */
            return IGGY_OK;
        }
        if (leaderless) {
            if (iggy_now_ms() >= leaderless_until || (deadline && iggy_now_ms() >= deadline))
                return IGGY_OK;
            iggy_client_sleep(c, LEADERLESS_POLL_MS);
            continue;
        }
        if (!moved)
            return IGGY_OK;
        *moved_any = true;
        if (++redirects > max)
            return iggy_fail(IGGY_ERR_NOT_CONNECTED, "leader redirection: more than %lld redirects",
                             (long long)max);
    }
}

/* Settle a new session: on the cluster leader, with the caller's consumer groups joined
 * again (a new session has no memberships; re-joining is a no-op when none is stale). */
static iggy_err_t settle(iggy_client_t *c, iggy_conn_t *conn, int64_t deadline, bool *moved)
{
    IGGY_TRY(settle_leader(c, conn, deadline, moved));
    return iggy_memberships_rejoin(c, conn, deadline);
}

iggy_err_t iggy_session_ensure(iggy_client_t *c, iggy_conn_t *conn, const iggy_cmd_desc_t *cmd,
                               int64_t deadline)
{
    bool is_login = (cmd->flags & IGGY_CMDF_LOGIN) != 0;
    bool moved;
    iggy_err_t err;

    if (iggy_client_destroying(c))
        return iggy_fail(IGGY_ERR__DESTROYED, "%s: client destroyed", cmd->name);
    if (!conn->sess.connected) {
        if (c->fixed_transport)
            return iggy_fail(IGGY_ERR_NOT_CONNECTED, "%s: not connected", cmd->name);
        IGGY_TRY(iggy_conn_open(c, conn, NULL, 0, deadline));
    }
    if (is_login || conn->sess.logged_in || (cmd->flags & IGGY_CMDF_SESSION))
        return IGGY_OK;
    if (c->fixed_transport || !has_credentials(c))
        return IGGY_OK; /* the server answers 40 itself, or the caller logs in */
    err = auto_login(c, conn, deadline);
    if (err == IGGY_OK)
        err = settle(c, conn, deadline, &moved);
    return err;
}

iggy_err_t iggy_session_after_login(iggy_client_t *c, iggy_conn_t *conn, const iggy_cmd_desc_t *cmd,
                                    iggy_writer_t *w, int64_t deadline)
{
    bool moved;
    (void)cmd;
    (void)w;
    if (c->fixed_transport || !has_credentials(c))
        return IGGY_OK;
    return settle(c, conn, deadline, &moved);
}

bool iggy_session_settle_leader(iggy_client_t *c, iggy_conn_t *conn, int64_t deadline)
{
    bool moved = false;
    if (c->fixed_transport || !conn->sess.logged_in)
        return false;
    if (settle(c, conn, deadline, &moved) != IGGY_OK)
        return false;
    return moved;
}
