/* The public command surface (include/iggy/commands.h): one thin wrapper per command over
 * the RPC path. Wrappers check the client and out pointers; encoders check everything
 * that goes on the wire (identifiers, names, kinds) and the RPC path reports it. */
#include <string.h>

#include <iggy/commands.h>

#include "client/iggy_client_internal.h"
#include "client/iggy_commands_internal.h"
#include "client/iggy_rpc_internal.h"
#include "codec/iggy_codec.h"
#include "codec/iggy_frame.h"
#include "codec/iggy_resp.h"
#include "iggy_alloc.h"
#include "iggy_error_internal.h"

/* ---------------------------------------------------------------- shared shapes */

static iggy_err_t begin(iggy_client_t *c, iggy_cmd_t cmd, iggy_rpc_t *rpc)
{
    if (!c)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "%s: client is NULL", iggy_cmds[cmd].name);
    return iggy_rpc_begin(c, cmd, rpc);
}

/* Reads hand back a result: out is required. */
static iggy_err_t need_out(iggy_cmd_t cmd, const void *out)
{
    if (!out)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "%s: out is NULL", iggy_cmds[cmd].name);
    return IGGY_OK;
}

/* A command without a request body (GetStats, GetMe, GetStreams, ...). */
static iggy_err_t call_empty(iggy_client_t *c, iggy_cmd_t cmd, void **out)
{
    iggy_rpc_t rpc;
    IGGY_TRY(need_out(cmd, out));
    IGGY_TRY(begin(c, cmd, &rpc));
    return iggy_rpc_end(&rpc, out);
}

/* [stream_id]: GetStream, GetTopics, DeleteStream, PurgeStream. */
static iggy_err_t call_stream(iggy_client_t *c, iggy_cmd_t cmd, const iggy_identifier_t *stream,
                              void **out)
{
    iggy_rpc_t rpc;
    IGGY_TRY(begin(c, cmd, &rpc));
    if (cmd == IGGY_CMD_GET_STREAM)
        iggy_enc_get_stream(&rpc.w, stream);
    else
        iggy_enc_stream_ref(&rpc.w, stream);
    return iggy_rpc_end(&rpc, out);
}

/* [stream_id][topic_id]: GetTopic, GetConsumerGroups, DeleteTopic, PurgeTopic. */
static iggy_err_t call_topic(iggy_client_t *c, iggy_cmd_t cmd, const iggy_identifier_t *stream,
                             const iggy_identifier_t *topic, void **out)
{
    iggy_rpc_t rpc;
    IGGY_TRY(begin(c, cmd, &rpc));
    iggy_enc_topic_ref(&rpc.w, stream, topic);
    return iggy_rpc_end(&rpc, out);
}

/* [stream_id][topic_id][group_id]: Get/Delete/Join/Leave/SyncConsumerGroup. */
static iggy_err_t call_group(iggy_client_t *c, iggy_cmd_t cmd, const iggy_identifier_t *stream,
                             const iggy_identifier_t *topic, const iggy_identifier_t *group,
                             void **out)
{
    iggy_rpc_t rpc;
    IGGY_TRY(begin(c, cmd, &rpc));
    iggy_enc_group_ref(&rpc.w, stream, topic, group);
    if (cmd == IGGY_CMD_SYNC_CONSUMER_GROUP)
        iggy_rpc_pin_group(&rpc, stream, topic, group); /* the member's session */
    return iggy_rpc_end(&rpc, out);
}

/* [user_id]: GetUser, DeleteUser. */
static iggy_err_t call_user(iggy_client_t *c, iggy_cmd_t cmd, const iggy_identifier_t *user,
                            void **out)
{
    iggy_rpc_t rpc;
    IGGY_TRY(begin(c, cmd, &rpc));
    if (cmd == IGGY_CMD_GET_USER)
        iggy_enc_get_user(&rpc.w, user);
    else
        iggy_enc_delete_user(&rpc.w, user);
    return iggy_rpc_end(&rpc, out);
}

/* [stream_id][topic_id][count]: CreatePartitions, DeletePartitions. */
static iggy_err_t call_partitions(iggy_client_t *c, iggy_cmd_t cmd, const iggy_identifier_t *stream,
                                  const iggy_identifier_t *topic, uint32_t count)
{
    iggy_rpc_t rpc;
    IGGY_TRY(begin(c, cmd, &rpc));
    iggy_enc_partitions(&rpc.w, stream, topic, count);
    return iggy_rpc_end(&rpc, NULL);
}

/* ---------------------------------------------------------------- system */

iggy_err_t iggy_get_stats(iggy_client_t *c, iggy_stats_t **out)
{
    return call_empty(c, IGGY_CMD_GET_STATS, (void **)out);
}

iggy_err_t iggy_get_me(iggy_client_t *c, iggy_client_info_t **out)
{
    return call_empty(c, IGGY_CMD_GET_ME, (void **)out);
}

iggy_err_t iggy_get_client(iggy_client_t *c, uint32_t client_id, iggy_client_info_t **out)
{
    iggy_rpc_t rpc;
    IGGY_TRY(need_out(IGGY_CMD_GET_CLIENT, out));
    IGGY_TRY(begin(c, IGGY_CMD_GET_CLIENT, &rpc));
    iggy_enc_get_client(&rpc.w, client_id);
    return iggy_rpc_end(&rpc, (void **)out);
}

iggy_err_t iggy_get_clients(iggy_client_t *c, iggy_client_info_list_t **out)
{
    return call_empty(c, IGGY_CMD_GET_CLIENTS, (void **)out);
}

iggy_err_t iggy_get_cluster_metadata(iggy_client_t *c, iggy_cluster_metadata_t **out)
{
    return call_empty(c, IGGY_CMD_GET_CLUSTER_METADATA, (void **)out);
}

iggy_err_t iggy_describe_options(iggy_client_t *c, iggy_options_scope_t scope,
                                 iggy_option_descriptions_t **out)
{
    iggy_rpc_t rpc;
    IGGY_TRY(need_out(IGGY_CMD_DESCRIBE_OPTIONS, out));
    if (scope < IGGY_OPTIONS_TOPIC || scope > IGGY_OPTIONS_USER)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "DescribeOptions: scope %d is not 1..3",
                         (int)scope);
    IGGY_TRY(begin(c, IGGY_CMD_DESCRIBE_OPTIONS, &rpc));
    iggy_enc_describe_options(&rpc.w, (uint8_t)scope);
    return iggy_rpc_end(&rpc, (void **)out);
}

iggy_err_t iggy_get_snapshot_file(iggy_client_t *c, iggy_snapshot_compression_t compression,
                                  const iggy_snapshot_type_t *types, size_t types_count,
                                  iggy_raw_reply_t **out)
{
    uint8_t codes[255];
    iggy_rpc_t rpc;
    IGGY_TRY(need_out(IGGY_CMD_GET_SNAPSHOT_FILE, out));
    if (!types || types_count == 0 || types_count > sizeof codes)
        return iggy_fail(IGGY_ERR__INVALID_ARG,
                         "GetSnapshotFile: types must be a non-NULL list of 1..255 codes");
    for (size_t i = 0; i < types_count; i++) {
        if ((unsigned)types[i] > UINT8_MAX)
            return iggy_fail(IGGY_ERR__INVALID_ARG, "GetSnapshotFile: type %zu is %d", i,
                             (int)types[i]);
        codes[i] = (uint8_t)types[i]; /* the encoder checks the codes themselves */
    }
    if ((unsigned)compression > UINT8_MAX)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "GetSnapshotFile: compression %d is not 1..6",
                         (int)compression);
    IGGY_TRY(begin(c, IGGY_CMD_GET_SNAPSHOT_FILE, &rpc));
    iggy_enc_get_snapshot_file(&rpc.w, (uint8_t)compression, codes, types_count);
    return iggy_rpc_end(&rpc, (void **)out);
}

/* ---------------------------------------------------------------- users */

iggy_err_t iggy_get_user(iggy_client_t *c, const iggy_identifier_t *user, iggy_user_t **out)
{
    IGGY_TRY(need_out(IGGY_CMD_GET_USER, out));
    return call_user(c, IGGY_CMD_GET_USER, user, (void **)out);
}

iggy_err_t iggy_get_users(iggy_client_t *c, iggy_user_list_t **out)
{
    return call_empty(c, IGGY_CMD_GET_USERS, (void **)out);
}

static bool user_status_valid(iggy_user_status_t status)
{
    return status == IGGY_USER_ACTIVE || status == IGGY_USER_INACTIVE;
}

iggy_err_t iggy_create_user(iggy_client_t *c, const char *username, const char *password,
                            iggy_user_status_t status, const iggy_permissions_t *permissions,
                            iggy_user_t **out)
{
    iggy_rpc_t rpc;
    if (!user_status_valid(status))
        return iggy_fail(IGGY_ERR__INVALID_ARG,
                         "CreateUser: status %d is not 1 (active) or 2 "
                         "(inactive)",
                         (int)status);
    IGGY_TRY(begin(c, IGGY_CMD_CREATE_USER, &rpc));
    iggy_enc_create_user(&rpc.w, username, password, (uint8_t)status, permissions);
    return iggy_rpc_end(&rpc, (void **)out);
}

iggy_err_t iggy_update_user(iggy_client_t *c, const iggy_identifier_t *user, const char *username,
                            iggy_user_status_t status)
{
    iggy_rpc_t rpc;
    if (status != 0 && !user_status_valid(status))
        return iggy_fail(IGGY_ERR__INVALID_ARG, "UpdateUser: status %d is not 0 (keep), 1 or 2",
                         (int)status);
    IGGY_TRY(begin(c, IGGY_CMD_UPDATE_USER, &rpc));
    iggy_enc_update_user(&rpc.w, user, username, (uint8_t)status);
    return iggy_rpc_end(&rpc, NULL);
}

iggy_err_t iggy_delete_user(iggy_client_t *c, const iggy_identifier_t *user)
{
    return call_user(c, IGGY_CMD_DELETE_USER, user, NULL);
}

iggy_err_t iggy_update_permissions(iggy_client_t *c, const iggy_identifier_t *user,
                                   const iggy_permissions_t *permissions)
{
    iggy_rpc_t rpc;
    IGGY_TRY(begin(c, IGGY_CMD_UPDATE_PERMISSIONS, &rpc));
    iggy_enc_update_permissions(&rpc.w, user, permissions);
    return iggy_rpc_end(&rpc, NULL);
}

iggy_err_t iggy_change_password(iggy_client_t *c, const iggy_identifier_t *user,
                                const char *current_password, const char *new_password)
{
    iggy_rpc_t rpc;
    IGGY_TRY(begin(c, IGGY_CMD_CHANGE_PASSWORD, &rpc));
    iggy_enc_change_password(&rpc.w, user, current_password, new_password);
    return iggy_rpc_end(&rpc, NULL);
}

/* ---------------------------------------------------------------- personal access tokens */

iggy_err_t iggy_get_personal_access_tokens(iggy_client_t *c, iggy_pat_list_t **out)
{
    return call_empty(c, IGGY_CMD_GET_PERSONAL_ACCESS_TOKENS, (void **)out);
}

iggy_err_t iggy_create_personal_access_token(iggy_client_t *c, const char *name, uint64_t expiry_us,
                                             iggy_raw_pat_t **out)
{
    iggy_rpc_t rpc;
    /* The raw token is sent once; discarding it would leave an unusable token behind. */
    IGGY_TRY(need_out(IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN, out));
    IGGY_TRY(begin(c, IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN, &rpc));
    iggy_enc_create_personal_access_token(&rpc.w, name, expiry_us);
    return iggy_rpc_end(&rpc, (void **)out);
}

iggy_err_t iggy_delete_personal_access_token(iggy_client_t *c, const char *name)
{
    iggy_rpc_t rpc;
    IGGY_TRY(begin(c, IGGY_CMD_DELETE_PERSONAL_ACCESS_TOKEN, &rpc));
    iggy_enc_delete_personal_access_token(&rpc.w, name);
    return iggy_rpc_end(&rpc, NULL);
}

/* ---------------------------------------------------------------- streams */

iggy_err_t iggy_get_stream(iggy_client_t *c, const iggy_identifier_t *stream, iggy_stream_t **out)
{
    IGGY_TRY(need_out(IGGY_CMD_GET_STREAM, out));
    return call_stream(c, IGGY_CMD_GET_STREAM, stream, (void **)out);
}

iggy_err_t iggy_get_streams(iggy_client_t *c, iggy_stream_list_t **out)
{
    return call_empty(c, IGGY_CMD_GET_STREAMS, (void **)out);
}

iggy_err_t iggy_create_stream(iggy_client_t *c, const char *name, iggy_stream_t **out)
{
    iggy_rpc_t rpc;
    IGGY_TRY(begin(c, IGGY_CMD_CREATE_STREAM, &rpc));
    iggy_enc_create_stream(&rpc.w, name, NULL, 0); /* streams have no option keys */
    return iggy_rpc_end(&rpc, (void **)out);
}

iggy_err_t iggy_update_stream(iggy_client_t *c, const iggy_identifier_t *stream, const char *name)
{
    iggy_rpc_t rpc;
    IGGY_TRY(begin(c, IGGY_CMD_UPDATE_STREAM, &rpc));
    iggy_enc_update_stream(&rpc.w, stream, name, NULL, 0);
    return iggy_rpc_end(&rpc, NULL);
}

iggy_err_t iggy_delete_stream(iggy_client_t *c, const iggy_identifier_t *stream)
{
    return call_stream(c, IGGY_CMD_DELETE_STREAM, stream, NULL);
}

iggy_err_t iggy_purge_stream(iggy_client_t *c, const iggy_identifier_t *stream)
{
    return call_stream(c, IGGY_CMD_PURGE_STREAM, stream, NULL);
}

/* ---------------------------------------------------------------- topic options */

#define TOPIC_KEYS 8
#define MIB (1024ull * 1024ull)
#define GIB (1024ull * MIB)
#define MESSAGES_REQUIRED_TO_SAVE_MAX 16777216u

/* A topic config as option entries: typed keys in byte-wise order, then raw options. */
typedef struct topic_opts {
    iggy_kv_t typed[TOPIC_KEYS];
    uint8_t values[TOPIC_KEYS][8]; /* little-endian value bytes of typed[i] */
    size_t typed_count;
    iggy_kv_t *merged; /* typed + raw when raw options are present (heap) */
    const iggy_kv_t *entries;
    size_t count;
} topic_opts_t;

static void add_typed(topic_opts_t *o, const char *key, uint8_t kind, uint64_t v, uint32_t width)
{
    iggy_kv_t *e = &o->typed[o->typed_count];
    uint8_t *p = o->values[o->typed_count];
    for (uint32_t i = 0; i < width; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    e->key_kind = IGGY_KV_STRING;
    e->value_kind = kind;
    e->key = (const uint8_t *)key;
    e->key_len = (uint32_t)strlen(key);
    e->value = p;
    e->value_len = width;
    o->typed_count++;
}

static bool key_eq(const iggy_kv_t *a, const iggy_kv_t *b)
{
    return a->key && b->key && a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0;
}

/* The first set key that only CreateTopic accepts (UpdateTopic answers 4041), or NULL. */
static const char *create_only_key(const iggy_topic_config_t *cfg)
{
    if (cfg->segment_size.set)
        return "segment_size";
    if (cfg->enforce_fsync.set)
        return "enforce_fsync";
    if (cfg->messages_required_to_save.set)
        return "messages_required_to_save";
    if (cfg->size_of_messages_required_to_save.set)
        return "size_of_messages_required_to_save";
    if (cfg->preallocate_segments.set)
        return "preallocate_segments";
    return NULL;
}

/* Refuse locally what the server refuses with 4041/4042 and no hint of the key. */
static iggy_err_t topic_opts_check(const char *cmd, const iggy_topic_config_t *cfg, bool update)
{
    if (cfg->compression_algorithm.set &&
        cfg->compression_algorithm.value != IGGY_COMPRESSION_NONE &&
        cfg->compression_algorithm.value != IGGY_COMPRESSION_GZIP)
        return iggy_fail(IGGY_ERR__INVALID_ARG,
                         "%s: compression_algorithm %u is not 1 (none) or 2 (gzip)", cmd,
                         cfg->compression_algorithm.value);
    if (update) {
        const char *create_only = create_only_key(cfg);
        if (create_only)
            return iggy_fail(IGGY_ERR__INVALID_ARG,
                             "%s: %s can only be set when the topic is created", cmd, create_only);
        /* 0 would leave the fixed field unchanged but store 0 in the explicit map. */
        if (cfg->message_expiry.set && cfg->message_expiry.value == 0)
            return iggy_fail(IGGY_ERR__INVALID_ARG, "%s: message_expiry 0 is not allowed on update",
                             cmd);
        if (cfg->max_topic_size.set && cfg->max_topic_size.value == 0)
            return iggy_fail(IGGY_ERR__INVALID_ARG, "%s: max_topic_size 0 is not allowed on update",
                             cmd);
        return IGGY_OK;
    }
    if (cfg->segment_size.set && cfg->segment_size.value != 0 &&
        (cfg->segment_size.value < MIB || cfg->segment_size.value > GIB ||
         cfg->segment_size.value % 512 != 0))
        return iggy_fail(IGGY_ERR__INVALID_ARG,
                         "%s: segment_size %llu must be 1 MiB..1 GiB and a multiple of 512", cmd,
                         (unsigned long long)cfg->segment_size.value);
    if (cfg->messages_required_to_save.set &&
        (cfg->messages_required_to_save.value < 1 ||
         cfg->messages_required_to_save.value > MESSAGES_REQUIRED_TO_SAVE_MAX))
        return iggy_fail(IGGY_ERR__INVALID_ARG, "%s: messages_required_to_save %u is not 1..%u",
                         cmd, cfg->messages_required_to_save.value, MESSAGES_REQUIRED_TO_SAVE_MAX);
    if (cfg->size_of_messages_required_to_save.set &&
        cfg->size_of_messages_required_to_save.value > GIB)
        return iggy_fail(IGGY_ERR__INVALID_ARG,
                         "%s: size_of_messages_required_to_save %llu is over 1 GiB", cmd,
                         (unsigned long long)cfg->size_of_messages_required_to_save.value);
    return IGGY_OK;
}

/* Raw options: present when counted, and no key twice (the server answers status 3). */
static iggy_err_t topic_opts_check_raw(const char *cmd, const topic_opts_t *o,
                                       const iggy_topic_config_t *cfg)
{
    const iggy_kv_t *raw = cfg->raw_options;
    size_t n = cfg->raw_options_count;
    if (n && !raw)
        return iggy_fail(IGGY_ERR__INVALID_ARG,
                         "%s: raw_options is NULL but raw_options_count "
                         "is %zu",
                         cmd, n);
    if (n > IGGY_OPTIONS_MAX_ENTRIES - o->typed_count)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "%s: more than %u option entries", cmd,
                         IGGY_OPTIONS_MAX_ENTRIES);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < o->typed_count; j++)
            if (key_eq(&raw[i], &o->typed[j]))
                return iggy_fail(IGGY_ERR__INVALID_ARG,
                                 "%s: raw option %zu repeats the typed key %.*s", cmd, i,
                                 (int)o->typed[j].key_len, (const char *)o->typed[j].key);
        for (size_t j = 0; j < i; j++)
            if (key_eq(&raw[i], &raw[j]))
                return iggy_fail(IGGY_ERR__INVALID_ARG, "%s: raw options %zu and %zu share a key",
                                 cmd, j, i);
    }
    return IGGY_OK;
}

static iggy_err_t topic_opts_build(const char *cmd, const iggy_topic_config_t *cfg, bool update,
                                   topic_opts_t *o)
{
    memset(o, 0, sizeof *o);
    if (!cfg)
        return IGGY_OK;
    IGGY_TRY(topic_opts_check(cmd, cfg, update));
    /* Byte-wise key order, as the Rust SDK and the server emit them. */
    if (cfg->compression_algorithm.set)
        add_typed(o, "compression_algorithm", IGGY_KV_UINT8, cfg->compression_algorithm.value, 1);
    if (cfg->enforce_fsync.set)
        add_typed(o, "enforce_fsync", IGGY_KV_BOOL, cfg->enforce_fsync.value ? 1 : 0, 1);
    if (cfg->max_topic_size.set)
        add_typed(o, "max_topic_size", IGGY_KV_UINT64, cfg->max_topic_size.value, 8);
    if (cfg->message_expiry.set)
        add_typed(o, "message_expiry", IGGY_KV_UINT64, cfg->message_expiry.value, 8);
    if (cfg->messages_required_to_save.set)
        add_typed(o, "messages_required_to_save", IGGY_KV_UINT32,
                  cfg->messages_required_to_save.value, 4);
    if (cfg->preallocate_segments.set)
        add_typed(o, "preallocate_segments", IGGY_KV_BOOL, cfg->preallocate_segments.value ? 1 : 0,
                  1);
    if (cfg->segment_size.set)
        add_typed(o, "segment_size", IGGY_KV_UINT64, cfg->segment_size.value, 8);
    if (cfg->size_of_messages_required_to_save.set)
        add_typed(o, "size_of_messages_required_to_save", IGGY_KV_UINT64,
                  cfg->size_of_messages_required_to_save.value, 8);
    IGGY_TRY(topic_opts_check_raw(cmd, o, cfg));
    o->entries = o->typed;
    o->count = o->typed_count;
    if (cfg->raw_options_count) {
        o->count = o->typed_count + cfg->raw_options_count;
        o->merged = iggy_mem_calloc(o->count, sizeof *o->merged);
        if (!o->merged)
            return iggy_fail(IGGY_ERR__NO_MEMORY, "%s: no memory for %zu options", cmd, o->count);
        memcpy(o->merged, o->typed, o->typed_count * sizeof *o->merged);
        memcpy(o->merged + o->typed_count, cfg->raw_options,
               cfg->raw_options_count * sizeof *o->merged);
        o->entries = o->merged;
    }
    return IGGY_OK;
}

static void topic_opts_free(topic_opts_t *o)
{
    iggy_mem_free(o->merged);
    o->merged = NULL;
}

void iggy_topic_config_init(iggy_topic_config_t *config)
{
    if (config)
        memset(config, 0, sizeof *config);
}

/* ---------------------------------------------------------------- topics */

iggy_err_t iggy_get_topic(iggy_client_t *c, const iggy_identifier_t *stream,
                          const iggy_identifier_t *topic, iggy_topic_t **out)
{
    IGGY_TRY(need_out(IGGY_CMD_GET_TOPIC, out));
    return call_topic(c, IGGY_CMD_GET_TOPIC, stream, topic, (void **)out);
}

iggy_err_t iggy_get_topics(iggy_client_t *c, const iggy_identifier_t *stream,
                           iggy_topic_list_t **out)
{
    IGGY_TRY(need_out(IGGY_CMD_GET_TOPICS, out));
    return call_stream(c, IGGY_CMD_GET_TOPICS, stream, (void **)out);
}

iggy_err_t iggy_create_topic(iggy_client_t *c, const iggy_identifier_t *stream, const char *name,
                             uint32_t partitions_count, const iggy_topic_config_t *config,
                             iggy_topic_t **out)
{
    topic_opts_t o;
    iggy_rpc_t rpc;
    iggy_err_t err = topic_opts_build("CreateTopic", config, false, &o);
    if (err == IGGY_OK)
        err = begin(c, IGGY_CMD_CREATE_TOPIC, &rpc);
    if (err == IGGY_OK) {
        iggy_enc_create_topic(&rpc.w, stream, partitions_count, name, o.entries, o.count);
        err = iggy_rpc_end(&rpc, (void **)out);
    }
    topic_opts_free(&o);
    return err;
}

iggy_err_t iggy_update_topic(iggy_client_t *c, const iggy_identifier_t *stream,
                             const iggy_identifier_t *topic, const char *name,
                             const iggy_topic_config_t *config)
{
    topic_opts_t o;
    iggy_rpc_t rpc;
    iggy_err_t err = topic_opts_build("UpdateTopic", config, true, &o);
    if (err == IGGY_OK)
        err = begin(c, IGGY_CMD_UPDATE_TOPIC, &rpc);
    if (err == IGGY_OK) {
        iggy_enc_update_topic(&rpc.w, stream, topic, name, o.entries, o.count);
        err = iggy_rpc_end(&rpc, NULL);
    }
    topic_opts_free(&o);
    return err;
}

iggy_err_t iggy_delete_topic(iggy_client_t *c, const iggy_identifier_t *stream,
                             const iggy_identifier_t *topic)
{
    return call_topic(c, IGGY_CMD_DELETE_TOPIC, stream, topic, NULL);
}

iggy_err_t iggy_purge_topic(iggy_client_t *c, const iggy_identifier_t *stream,
                            const iggy_identifier_t *topic)
{
    return call_topic(c, IGGY_CMD_PURGE_TOPIC, stream, topic, NULL);
}

/* ---------------------------------------------------------------- partitions, segments */

iggy_err_t iggy_create_partitions(iggy_client_t *c, const iggy_identifier_t *stream,
                                  const iggy_identifier_t *topic, uint32_t partitions_count)
{
    return call_partitions(c, IGGY_CMD_CREATE_PARTITIONS, stream, topic, partitions_count);
}

iggy_err_t iggy_delete_partitions(iggy_client_t *c, const iggy_identifier_t *stream,
                                  const iggy_identifier_t *topic, uint32_t partitions_count)
{
    return call_partitions(c, IGGY_CMD_DELETE_PARTITIONS, stream, topic, partitions_count);
}

iggy_err_t iggy_delete_segments(iggy_client_t *c, const iggy_identifier_t *stream,
                                const iggy_identifier_t *topic, uint32_t partition_id,
                                uint32_t segments_count)
{
    iggy_rpc_t rpc;
    IGGY_TRY(begin(c, IGGY_CMD_DELETE_SEGMENTS, &rpc));
    iggy_enc_delete_segments(&rpc.w, stream, topic, partition_id, segments_count);
    return iggy_rpc_end(&rpc, NULL);
}

/* ---------------------------------------------------------------- consumer groups */

iggy_err_t iggy_get_consumer_group(iggy_client_t *c, const iggy_identifier_t *stream,
                                   const iggy_identifier_t *topic, const iggy_identifier_t *group,
                                   iggy_consumer_group_t **out)
{
    IGGY_TRY(need_out(IGGY_CMD_GET_CONSUMER_GROUP, out));
    return call_group(c, IGGY_CMD_GET_CONSUMER_GROUP, stream, topic, group, (void **)out);
}

iggy_err_t iggy_get_consumer_groups(iggy_client_t *c, const iggy_identifier_t *stream,
                                    const iggy_identifier_t *topic,
                                    iggy_consumer_group_list_t **out)
{
    IGGY_TRY(need_out(IGGY_CMD_GET_CONSUMER_GROUPS, out));
    return call_topic(c, IGGY_CMD_GET_CONSUMER_GROUPS, stream, topic, (void **)out);
}

iggy_err_t iggy_create_consumer_group(iggy_client_t *c, const iggy_identifier_t *stream,
                                      const iggy_identifier_t *topic, const char *name,
                                      iggy_consumer_group_t **out)
{
    iggy_rpc_t rpc;
    IGGY_TRY(begin(c, IGGY_CMD_CREATE_CONSUMER_GROUP, &rpc));
    iggy_enc_create_consumer_group(&rpc.w, stream, topic, name);
    return iggy_rpc_end(&rpc, (void **)out);
}

/* Join, leave or delete a group, keeping the list of memberships the client restores on
 * every new session (iggy_groups.c) in step with what the server confirmed. via: the
 * reserved connection of a consumer (NULL: the connection that joined, or any). */
static iggy_err_t call_membership(iggy_client_t *c, iggy_conn_reservation_t *via, iggy_cmd_t cmd,
                                  const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                                  const iggy_identifier_t *group)
{
    uint8_t ref[IGGY_GROUP_REF_MAX], *copy = NULL;
    size_t len;
    iggy_rpc_t rpc;
    iggy_err_t err;
    IGGY_TRY(begin(c, cmd, &rpc));
    iggy_enc_group_ref(&rpc.w, stream, topic, group);
    if (via)
        iggy_rpc_via(&rpc, via);
    else
        iggy_rpc_pin_group(&rpc, stream, topic, group); /* leave or re-join as the member */
    len = rpc.w.len - IGGY_HEADER_SIZE;
    if (iggy_wr_status(&rpc.w) == IGGY_OK && len <= sizeof ref)
        memcpy(ref, rpc.w.data + IGGY_HEADER_SIZE, len);
    else
        len = 0; /* the call fails locally */
    if (cmd == IGGY_CMD_JOIN_CONSUMER_GROUP && iggy_wr_status(&rpc.w) == IGGY_OK &&
        (err = iggy_membership_reserve(c, ref, len, &copy)) != IGGY_OK) {
        iggy_rpc_abort(&rpc);
        return err; /* nothing sent: a join the client could not remember */
    }
    err = iggy_rpc_end(&rpc, NULL);
    if (copy && err == IGGY_OK)
        iggy_membership_add(c, (size_t)rpc.conn_used, copy, len);
    else if (copy)
        iggy_membership_unreserve(c, copy);
    else if (cmd == IGGY_CMD_DELETE_CONSUMER_GROUP && err == IGGY_OK)
        iggy_membership_remove(c, -1, ref, len);
    else if (cmd == IGGY_CMD_LEAVE_CONSUMER_GROUP &&
             (err == IGGY_OK || err == IGGY_ERR_CONSUMER_GROUP_MEMBER_NOT_FOUND))
        iggy_membership_remove(c, rpc.conn_used, ref, len);
    return err;
}

iggy_err_t iggy_delete_consumer_group(iggy_client_t *c, const iggy_identifier_t *stream,
                                      const iggy_identifier_t *topic,
                                      const iggy_identifier_t *group)
{
    return call_membership(c, NULL, IGGY_CMD_DELETE_CONSUMER_GROUP, stream, topic, group);
}

iggy_err_t iggy_join_consumer_group(iggy_client_t *c, const iggy_identifier_t *stream,
                                    const iggy_identifier_t *topic, const iggy_identifier_t *group)
{
    return call_membership(c, NULL, IGGY_CMD_JOIN_CONSUMER_GROUP, stream, topic, group);
}

iggy_err_t iggy_leave_consumer_group(iggy_client_t *c, const iggy_identifier_t *stream,
                                     const iggy_identifier_t *topic, const iggy_identifier_t *group)
{
    return call_membership(c, NULL, IGGY_CMD_LEAVE_CONSUMER_GROUP, stream, topic, group);
}

iggy_err_t iggy_sync_consumer_group(iggy_client_t *c, const iggy_identifier_t *stream,
                                    const iggy_identifier_t *topic, const iggy_identifier_t *group,
                                    iggy_group_assignment_t **out)
{
    IGGY_TRY(need_out(IGGY_CMD_SYNC_CONSUMER_GROUP, out));
    return call_group(c, IGGY_CMD_SYNC_CONSUMER_GROUP, stream, topic, group, (void **)out);
}

/* ---------------------------------------------------------------- consumer offsets */

/* Offset calls go on the consumer's reserved connection (via), else on the connection of the
 * group's member when the client joined it. */
static void route_offset_call(iggy_rpc_t *rpc, iggy_conn_reservation_t *via,
                              const iggy_consumer_ref_t *consumer, const iggy_identifier_t *stream,
                              const iggy_identifier_t *topic)
{
    if (via)
        iggy_rpc_via(rpc, via);
    else
        iggy_rpc_pin_consumer(rpc, consumer, stream, topic);
}

iggy_err_t iggy_offset_get_via(iggy_client_t *c, iggy_conn_reservation_t *via,
                               const iggy_consumer_ref_t *consumer, const iggy_identifier_t *stream,
                               const iggy_identifier_t *topic, const uint32_t *partition_id,
                               iggy_consumer_offset_t **out)
{
    iggy_rpc_t rpc;
    IGGY_TRY(need_out(IGGY_CMD_GET_CONSUMER_OFFSET, out));
    IGGY_TRY(begin(c, IGGY_CMD_GET_CONSUMER_OFFSET, &rpc));
    iggy_enc_get_consumer_offset(&rpc.w, consumer, stream, topic, partition_id);
    route_offset_call(&rpc, via, consumer, stream, topic);
    return iggy_rpc_end(&rpc, (void **)out);
}

iggy_err_t iggy_get_consumer_offset(iggy_client_t *c, const iggy_consumer_ref_t *consumer,
                                    const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                                    const uint32_t *partition_id, iggy_consumer_offset_t **out)
{
    return iggy_offset_get_via(c, NULL, consumer, stream, topic, partition_id, out);
}

iggy_err_t iggy_offset_store_via(iggy_client_t *c, iggy_conn_reservation_t *via,
                                 const iggy_consumer_ref_t *consumer,
                                 const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                                 const uint32_t *partition_id, uint64_t offset, uint8_t ack)
{
    iggy_rpc_t rpc;
    IGGY_TRY(begin(c, IGGY_CMD_STORE_CONSUMER_OFFSET, &rpc));
    iggy_enc_store_consumer_offset(&rpc.w, consumer, stream, topic, partition_id, offset, ack);
    route_offset_call(&rpc, via, consumer, stream, topic);
    return iggy_rpc_end(&rpc, NULL);
}

iggy_err_t iggy_store_consumer_offset(iggy_client_t *c, const iggy_consumer_ref_t *consumer,
                                      const iggy_identifier_t *stream,
                                      const iggy_identifier_t *topic, const uint32_t *partition_id,
                                      uint64_t offset, uint8_t ack)
{
    return iggy_offset_store_via(c, NULL, consumer, stream, topic, partition_id, offset, ack);
}

iggy_err_t iggy_group_join_via(iggy_client_t *c, iggy_conn_reservation_t *via, bool join,
                               const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                               const iggy_identifier_t *group)
{
    return call_membership(c, via,
                           join ? IGGY_CMD_JOIN_CONSUMER_GROUP : IGGY_CMD_LEAVE_CONSUMER_GROUP,
                           stream, topic, group);
}

iggy_err_t iggy_group_sync_via(iggy_client_t *c, iggy_conn_reservation_t *via,
                               const iggy_identifier_t *stream, const iggy_identifier_t *topic,
                               const iggy_identifier_t *group, iggy_group_assignment_t **out)
{
    iggy_rpc_t rpc;
    IGGY_TRY(need_out(IGGY_CMD_SYNC_CONSUMER_GROUP, out));
    IGGY_TRY(begin(c, IGGY_CMD_SYNC_CONSUMER_GROUP, &rpc));
    iggy_enc_group_ref(&rpc.w, stream, topic, group);
    iggy_rpc_via(&rpc, via);
    return iggy_rpc_end(&rpc, (void **)out);
}

iggy_err_t iggy_delete_consumer_offset(iggy_client_t *c, const iggy_consumer_ref_t *consumer,
                                       const iggy_identifier_t *stream,
                                       const iggy_identifier_t *topic, const uint32_t *partition_id,
                                       uint8_t ack)
{
    iggy_rpc_t rpc;
    IGGY_TRY(begin(c, IGGY_CMD_DELETE_CONSUMER_OFFSET, &rpc));
    iggy_enc_delete_consumer_offset(&rpc.w, consumer, stream, topic, partition_id, ack);
    iggy_rpc_pin_consumer(&rpc, consumer, stream, topic);
    return iggy_rpc_end(&rpc, NULL);
}

/* ---------------------------------------------------------------- raw */

/* Session commands the raw path refuses, as the Rust and Go SDKs do: 38 and 44 get an
 * eviction from a 0.9 server, and 39/40/45 would bypass the session layer. */
static bool is_session_code(uint32_t code)
{
    return code == IGGY_CODE_LEGACY_LOGIN_USER || code == 39 || code == 40 ||
           code == IGGY_CODE_LEGACY_LOGIN_PAT || code == 45;
}

iggy_err_t iggy_send_raw_command(iggy_client_t *c, uint32_t code, const void *body, size_t len,
                                 iggy_raw_reply_t **out)
{
    const iggy_cmd_desc_t *row;
    iggy_cmd_desc_t desc;
    iggy_rpc_t rpc;

    if (!c)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "SendRawCommand: client is NULL");
    if (len && !body)
        return iggy_fail(IGGY_ERR__INVALID_ARG, "SendRawCommand: body is NULL but len is %zu", len);
    if (is_session_code(code))
        return iggy_fail(IGGY_ERR_INVALID_COMMAND,
                         "SendRawCommand: code %u is a login/logout command; use "
                         "iggy_login_user(), iggy_login_with_personal_access_token() or "
                         "iggy_logout_user()",
                         code);
    /* Known codes keep their operation and flags; unknown ones are NonReplicated reads
     * (framing-and-session.md §2.1). Either way the body comes back undecoded, and an
     * empty body is an empty reply rather than "not found". */
    row = iggy_cmd_by_code(code);
    if (row) {
        desc = *row;
    } else {
        desc.code = code;
        desc.name = "RawCommand";
        desc.operation = IGGY_OP_NON_REPLICATED;
        desc.flags = IGGY_CMDF_READ;
    }
    desc.flags &= ~IGGY_CMDF_EMPTY_NOT_FOUND;
    desc.resp = &iggy_resp_raw;
    IGGY_TRY(iggy_rpc_begin_desc(c, &desc, &rpc));
    if (len)
        iggy_wr_bytes(&rpc.w, body, len);
    return iggy_rpc_end(&rpc, (void **)out);
}
