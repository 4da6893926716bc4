/* Administration: streams, topics and partitions; users and their permissions; personal
 * access tokens (create, log in with one, list, delete).
 *
 *   admin [host:port]   (default: $IGGY_ADDR, else an embedded mock; user iggy/iggy)
 */
#include <stdio.h>
#include <string.h>

#include "example.h"

/* A client for the server with no credentials in its conf (it logs in explicitly). */
static iggy_client_t *plain_client(const example_server_t *srv)
{
    iggy_conf_t *conf;
    iggy_client_t *client = NULL;
    char err[256];
    if (example_check(iggy_conf_new(&conf), "conf"))
        return NULL;
    if (iggy_conf_set(conf, "bootstrap.servers", srv->addr, err, sizeof err) != IGGY_OK ||
        iggy_client_new(conf, &client, err, sizeof err) != IGGY_OK)
        fprintf(stderr, "client: %s\n", err);
    iggy_conf_destroy(conf);
    return client;
}

static int streams_and_topics(iggy_client_t *root, const iggy_identifier_t *stream)
{
    iggy_identifier_t topic = iggy_id_name("orders");
    iggy_topic_config_t cfg;
    iggy_topic_t *t = NULL;
    iggy_stream_list_t *streams = NULL;
    int rc = 1;

    /* A topic with typed settings: keep messages for one hour, at most 1 GiB. */
    iggy_topic_config_init(&cfg);
    cfg.message_expiry = iggy_some_u64(3600ull * 1000 * 1000);
    cfg.max_topic_size = iggy_some_u64(1ull << 30);
    if (example_check(iggy_create_stream(root, "admin-example", NULL), "create stream") ||
        example_check(iggy_create_topic(root, stream, "orders", 2, &cfg, NULL), "create topic") ||
        /* Two more partitions, then a day of retention (the name must be given again). */
        example_check(iggy_create_partitions(root, stream, &topic, 2), "create partitions"))
        goto out;
    iggy_topic_config_init(&cfg);
    cfg.message_expiry = iggy_some_u64(24ull * 3600 * 1000 * 1000);
    if (example_check(iggy_update_topic(root, stream, &topic, "orders", &cfg), "update topic") ||
        example_check(iggy_get_topic(root, stream, &topic, &t), "get topic"))
        goto out;
    printf("topic %s: %u partitions, expiry %llu s, max size %llu bytes\n", t->name,
           t->partitions_count, (unsigned long long)(t->message_expiry / 1000000),
           (unsigned long long)t->max_topic_size);

    if (example_check(iggy_get_streams(root, &streams), "get streams"))
        goto out;
    for (size_t i = 0; i < streams->count; i++)
        if (!strcmp(streams->streams[i].name, "admin-example"))
            printf("stream %s: id %u, %u topic(s)\n", streams->streams[i].name,
                   streams->streams[i].id, streams->streams[i].topics_count);
    rc = t->partitions_count == 4 ? 0 : 1;
out:
    iggy_result_destroy(t);
    iggy_result_destroy(streams);
    return rc;
}

static int users(const example_server_t *srv, iggy_client_t *root)
{
    iggy_identifier_t reader = iggy_id_name("reader");
    iggy_permissions_t perms;
    iggy_user_t *user = NULL;
    iggy_client_t *as_reader = NULL;
    iggy_err_t denied;
    int rc = 1;

    /* A user who may read streams and topics and poll messages, nothing else. */
    memset(&perms, 0, sizeof perms);
    perms.global.read_streams = true;
    perms.global.read_topics = true;
    perms.global.poll_messages = true;
    if (example_check(
            iggy_create_user(root, "reader", "first-secret", IGGY_USER_ACTIVE, &perms, &user),
            "create user"))
        goto out;
    printf("user %s: id %u, active %s, may poll %s, may send %s\n", user->username, user->id,
           user->status == IGGY_USER_ACTIVE ? "yes" : "no",
           user->permissions && user->permissions->global.poll_messages ? "yes" : "no",
           user->permissions && user->permissions->global.send_messages ? "yes" : "no");
    if (example_check(iggy_change_password(root, &reader, "first-secret", "second-secret"),
                      "change password"))
        goto out;

    /* Log in as the new user on a client of its own: reading works, managing does not. */
    if (!(as_reader = plain_client(srv)) ||
        example_check(iggy_login_user(as_reader, "reader", "second-secret", NULL), "login"))
        goto out;
    denied = iggy_create_stream(as_reader, "not-allowed", NULL);
    printf("reader creating a stream: %s\n", iggy_err2name(denied));
    if (denied != IGGY_ERR_UNAUTHORIZED)
        goto out;
    rc = 0;
out:
    iggy_client_destroy(as_reader);
    iggy_result_destroy(user);
    if (example_check(iggy_delete_user(root, &reader), "delete user"))
        rc = 1;
    return rc;
}

static int tokens(const example_server_t *srv, iggy_client_t *root)
{
    iggy_raw_pat_t *pat = NULL;
    iggy_pat_list_t *list = NULL;
    iggy_login_result_t *login = NULL;
    iggy_client_t *with_token = NULL;
    iggy_err_t refused;
    int rc = 1;

    /* The raw token is sent only once, in this reply: store it safely, never log it. */
    if (example_check(iggy_create_personal_access_token(root, "ci-token", IGGY_EXPIRY_NEVER, &pat),
                      "create token") ||
        example_check(iggy_get_personal_access_tokens(root, &list), "list tokens"))
        goto out;
    for (size_t i = 0; i < list->count; i++)
        printf("token %s: %s\n", list->tokens[i].name,
               list->tokens[i].expiry_at ? "expires" : "never expires");

    /* A token logs in as its user, like a password. */
    if (!(with_token = plain_client(srv)) ||
        example_check(iggy_login_with_personal_access_token(with_token, pat->token, &login),
                      "login with token"))
        goto out;
    printf("logged in with the token as user %u (server %s)\n", login->user_id,
           login->server_version);

    /* Once deleted, the token is refused. */
    if (example_check(iggy_delete_personal_access_token(root, "ci-token"), "delete token"))
        goto out;
    refused = iggy_login_with_personal_access_token(with_token, pat->token, NULL);
    printf("deleted token: %s\n", iggy_err2name(refused));
    rc = refused == IGGY_ERR_INVALID_PERSONAL_ACCESS_TOKEN ? 0 : 1;
out:
    iggy_client_destroy(with_token);
    iggy_result_destroy(login);
    iggy_result_destroy(list);
    iggy_result_destroy(pat);
    return rc;
}

int main(int argc, char **argv)
{
    example_server_t srv;
    iggy_conf_t *conf;
    iggy_client_t *root = NULL;
    iggy_identifier_t stream = iggy_id_name("admin-example");
    char err[256];
    int rc = 1;

    if (example_server_start(&srv, argc, argv, "IGGY_ADDR", NULL, NULL))
        return 1;
    if ((conf = example_conf(&srv)) != NULL) {
        if (iggy_client_new(conf, &root, err, sizeof err) != IGGY_OK)
            fprintf(stderr, "client: %s\n", err);
        iggy_conf_destroy(conf);
    }
    if (root) {
        rc = streams_and_topics(root, &stream) || users(&srv, root) || tokens(&srv, root);
        if (example_check(iggy_delete_stream(root, &stream), "delete stream"))
            rc = 1;
        iggy_client_destroy(root);
    }
    example_server_stop(&srv);
    return rc;
}
