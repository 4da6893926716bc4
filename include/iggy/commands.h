/**
 * @file commands.h
 * @brief One function per command of binary protocol 0.11: system, users, personal
 *        access tokens, streams, topics, partitions, segments, consumer groups, consumer
 *        offsets, and a raw escape hatch.
 *
 * Every function is named after its wire command in snake_case and shares these rules:
 * - It returns ::IGGY_OK, a local error (negative: IGGY_ERR__INVALID_ARG for a NULL or
 *   out-of-range argument, IGGY_ERR__TRANSPORT, IGGY_ERR__TIMED_OUT, IGGY_ERR__NO_MEMORY,
 *   IGGY_ERR__BAD_MSG, IGGY_ERR__DESTROYED) or the server's code verbatim (positive), and
 *   sets the thread-local detail (iggy_last_error_detail()). Every command except Ping
 *   needs a logged-in session: without credentials it fails with IGGY_ERR_UNAUTHENTICATED
 *   (40). IGGY_ERR_UNAUTHORIZED (41) is possible on every command but Ping and GetMe.
 * - "Not found" replies that the server sends as an empty body map to IGGY_ERR__NOT_FOUND.
 * - Identifiers (::iggy_identifier_t) address a resource by numeric id or by name (names
 *   are 1..255 bytes, matched exactly).
 * - Inputs are borrowed for the call. A result is one block the caller frees with
 *   iggy_result_destroy(); a non-NULL *out on entry must be a libiggy result (or NULL) and
 *   is reused when large enough (getline style), otherwise replaced; on failure *out is
 *   left as it was.
 * - All functions are thread-safe. A call takes one of the client's idle connections (conf
 *   `connections`, default 1) for its whole exchange, or waits for one until its deadline;
 *   calls about a consumer group the client joined run on the connection that joined it.
 */
#ifndef IGGY_COMMANDS_H
#define IGGY_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iggy/client.h>
#include <iggy/error.h>
#include <iggy/export.h>
#include <iggy/types.h>

IGGY_BEGIN_DECLS

/* ================================================================ system */

/**
 * @brief GetStats (10): server process and resource statistics.
 * @param client the client.
 * @param out receives the statistics.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG (NULL argument); IGGY_ERR_UNAUTHENTICATED (40);
 *          IGGY_ERR_UNAUTHORIZED (41) without manage_servers or read_servers.
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_get_stats(iggy_client_t *client, iggy_stats_t **out);

/**
 * @brief GetMe (20): the calling connection as the server sees it, with its consumer
 *        group memberships.
 * @param client the client.
 * @param out receives the client record.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_UNAUTHENTICATED (40).
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_get_me(iggy_client_t *client, iggy_client_info_t **out);

/**
 * @brief GetClient (21): one connected client by its numeric id (GetMe's client_id).
 * @param client the client.
 * @param client_id the connection id.
 * @param out receives the client record with its memberships.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR__NOT_FOUND (empty reply: no such
 *          client); IGGY_ERR_UNAUTHORIZED (41) without server-info permission.
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_get_client(iggy_client_t *client, uint32_t client_id,
                                       iggy_client_info_t **out);

/**
 * @brief GetClients (22): every connected client (records carry membership counts only).
 * @param client the client.
 * @param out receives the list (count 0 when empty).
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_UNAUTHORIZED (41) without server-info
 *          permission.
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_get_clients(iggy_client_t *client, iggy_client_info_list_t **out);

/**
 * @brief GetClusterMetadata (12): the cluster name and its nodes (one "iggy-node" when
 *        clustering is off).
 * @param client the client.
 * @param out receives the metadata.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_UNAUTHENTICATED (40).
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_get_cluster_metadata(iggy_client_t *client,
                                                 iggy_cluster_metadata_t **out);

/**
 * @brief DescribeOptions (13): the option catalog of a scope (keys, kinds, defaults,
 *        descriptions). Topics have 8 keys; streams and users none today.
 * @param client the client.
 * @param scope IGGY_OPTIONS_TOPIC, IGGY_OPTIONS_STREAM or IGGY_OPTIONS_USER.
 * @param out receives the descriptions.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG (NULL out, scope not 1..3);
 *          IGGY_ERR_INVALID_COMMAND (3) if the server refuses the scope.
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_describe_options(iggy_client_t *client, iggy_options_scope_t scope,
                                             iggy_option_descriptions_t **out);

/**
 * @brief GetSnapshotFile (11): a ZIP archive of server diagnostics.
 * @param client the client.
 * @param compression archive compression (IGGY_SNAPSHOT_STORED ... IGGY_SNAPSHOT_XZ).
 * @param types the content types to include (1..255 entries; IGGY_SNAPSHOT_ALL for all).
 * @param types_count number of entries in @p types.
 * @param out receives the raw archive bytes.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG (NULL argument, unknown compression or type,
 *          count not 1..255); IGGY_ERR_UNAUTHORIZED (41) without server-info permission;
 *          IGGY_ERR_INVALID_COMMAND (3); IGGY_ERR_SNAPSHOT_FILE_COMPLETION_FAILED (9000)
 *          when the archive exceeds the frame limit.
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_get_snapshot_file(iggy_client_t *client,
                                              iggy_snapshot_compression_t compression,
                                              const iggy_snapshot_type_t *types, size_t types_count,
                                              iggy_raw_reply_t **out);

/* ================================================================ users */

/**
 * @brief GetUser (31): one user with its permissions.
 * @param client the client.
 * @param user the user by numeric id (root is 0) or username.
 * @param out receives the user.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR__NOT_FOUND (empty reply: no such
 *          user); IGGY_ERR_UNAUTHORIZED (41) for another user without read_users or
 *          manage_users.
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_get_user(iggy_client_t *client, const iggy_identifier_t *user,
                                     iggy_user_t **out);

/**
 * @brief GetUsers (32): every user (records carry no permissions).
 * @param client the client.
 * @param out receives the list.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_UNAUTHORIZED (41) without read_users or
 *          manage_users.
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_get_users(iggy_client_t *client, iggy_user_list_t **out);

/**
 * @brief CreateUser (33): create a user.
 * @param client the client.
 * @param username 3..50 bytes.
 * @param password the plaintext password (0..255 bytes; the server hashes it).
 * @param status IGGY_USER_ACTIVE or IGGY_USER_INACTIVE.
 * @param permissions the user's permissions, or NULL for none.
 * @param out receives the created user, or NULL to discard it.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG (NULL username or password, status not 1..2,
 *          strings over 255 bytes); IGGY_ERR_INVALID_USERNAME (43);
 *          IGGY_ERR_USER_ALREADY_EXISTS (46); IGGY_ERR_USERS_LIMIT_REACHED (55);
 *          IGGY_ERR_INVALID_OPTION_VALUE (4042); IGGY_ERR_UNAUTHORIZED (41) without
 *          manage_users.
 * @remark Inputs borrowed; *out (when given) is one block the caller frees with
 *         iggy_result_destroy(); a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_create_user(iggy_client_t *client, const char *username,
                                        const char *password, iggy_user_status_t status,
                                        const iggy_permissions_t *permissions, iggy_user_t **out);

/**
 * @brief UpdateUser (35): rename a user and/or change its status.
 * @param client the client.
 * @param user the user by id or name.
 * @param username the new username (3..50 bytes), or NULL to keep it.
 * @param status the new status, or 0 to keep it.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_RESOURCE_NOT_FOUND (20) no such user;
 *          IGGY_ERR_INVALID_USERNAME (43); IGGY_ERR_USER_ALREADY_EXISTS (46) name taken;
 *          IGGY_ERR_UNAUTHORIZED (41) without manage_users.
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_update_user(iggy_client_t *client, const iggy_identifier_t *user,
                                        const char *username, iggy_user_status_t status);

/**
 * @brief DeleteUser (34): delete a user.
 * @param client the client.
 * @param user the user by id or name.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_RESOURCE_NOT_FOUND (20);
 *          IGGY_ERR_CANNOT_DELETE_USER (48) for root; IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_delete_user(iggy_client_t *client, const iggy_identifier_t *user);

/**
 * @brief UpdatePermissions (36): replace a user's permissions.
 * @param client the client.
 * @param user the user by id or name.
 * @param permissions the new permission set, or NULL to clear every permission.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_RESOURCE_NOT_FOUND (20);
 *          IGGY_ERR_CANNOT_CHANGE_PERMISSIONS (49) for root; IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_update_permissions(iggy_client_t *client, const iggy_identifier_t *user,
                                               const iggy_permissions_t *permissions);

/**
 * @brief ChangePassword (37): change a user's password (your own is always allowed).
 * @param client the client.
 * @param user the user by id or name.
 * @param current_password the current password.
 * @param new_password the new password.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_RESOURCE_NOT_FOUND (20);
 *          IGGY_ERR_INVALID_CREDENTIALS (42) wrong current password;
 *          IGGY_ERR_UNAUTHORIZED (41) for another user without manage_users.
 * @remark Inputs borrowed. Automatic re-login keeps using the password given at login.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_change_password(iggy_client_t *client, const iggy_identifier_t *user,
                                            const char *current_password, const char *new_password);

/* ================================================================ personal access tokens */

/**
 * @brief GetPersonalAccessTokens (41): the caller's tokens (names and expiry, never the
 *        token itself).
 * @param client the client.
 * @param out receives the list (count 0 when none).
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_UNAUTHENTICATED (40).
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_get_personal_access_tokens(iggy_client_t *client,
                                                       iggy_pat_list_t **out);

/**
 * @brief CreatePersonalAccessToken (42): mint a token for the caller. The reply is the
 *        only time the raw token is ever sent; log in with it through
 *        iggy_login_with_personal_access_token().
 * @param client the client.
 * @param name token name, 1..255 bytes, unique per user.
 * @param expiry_us lifetime in microseconds from now; 0 = server default;
 *        IGGY_EXPIRY_NEVER = never expires.
 * @param out receives the raw token (required).
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_PERSONAL_ACCESS_TOKEN_ALREADY_EXISTS
 *          (51); IGGY_ERR_PERSONAL_ACCESS_TOKENS_LIMIT_REACHED (52);
 *          IGGY_ERR_INVALID_PERSONAL_ACCESS_TOKEN_EXPIRY (56).
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough. Never log the token.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_create_personal_access_token(iggy_client_t *client, const char *name,
                                                         uint64_t expiry_us, iggy_raw_pat_t **out);

/**
 * @brief DeletePersonalAccessToken (43): delete one of the caller's tokens.
 * @param client the client.
 * @param name the token name.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_RESOURCE_NOT_FOUND (20) no such token.
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_delete_personal_access_token(iggy_client_t *client, const char *name);

/* ================================================================ streams */

/**
 * @brief GetStream (200): one stream with its topics (no partitions).
 * @param client the client.
 * @param stream the stream by id or name.
 * @param out receives the stream.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR__NOT_FOUND (empty reply: no such
 *          stream); IGGY_ERR_UNAUTHORIZED (41) without read permission on the stream.
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_get_stream(iggy_client_t *client, const iggy_identifier_t *stream,
                                       iggy_stream_t **out);

/**
 * @brief GetStreams (201): every stream, ascending id (topics not included).
 * @param client the client.
 * @param out receives the list (count 0 when there are none).
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_get_streams(iggy_client_t *client, iggy_stream_list_t **out);

/**
 * @brief CreateStream (202): create a stream; the server assigns the lowest free id.
 * @param client the client.
 * @param name 1..255 bytes, unique.
 * @param out receives the created stream, or NULL to discard it.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG (NULL client, empty or too long name);
 *          IGGY_ERR_STREAM_NAME_ALREADY_EXISTS (1012); IGGY_ERR_TOO_MANY_STREAMS (1020);
 *          IGGY_ERR_UNAUTHORIZED (41) without manage_streams.
 * @remark Inputs borrowed; *out (when given) is one block the caller frees with
 *         iggy_result_destroy(); a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_create_stream(iggy_client_t *client, const char *name,
                                          iggy_stream_t **out);

/**
 * @brief UpdateStream (204): rename a stream (renaming to the current name is allowed).
 * @param client the client.
 * @param stream the stream by id or name.
 * @param name the new name, 1..255 bytes.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_STREAM_ID_NOT_FOUND (1009);
 *          IGGY_ERR_STREAM_NAME_ALREADY_EXISTS (1012); IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_update_stream(iggy_client_t *client, const iggy_identifier_t *stream,
                                          const char *name);

/**
 * @brief DeleteStream (203): delete a stream with all its topics, partitions and groups.
 *        Its id will be reused.
 * @param client the client.
 * @param stream the stream by id or name.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_STREAM_ID_NOT_FOUND (1009);
 *          IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_delete_stream(iggy_client_t *client, const iggy_identifier_t *stream);

/**
 * @brief PurgeStream (205): wipe every message and consumer offset under a stream; the
 *        metadata stays.
 * @param client the client.
 * @param stream the stream by id or name.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_STREAM_ID_NOT_FOUND (1009);
 *          IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_purge_stream(iggy_client_t *client, const iggy_identifier_t *stream);

/* ================================================================ topics */

/** An optional u8 (used only when @c set is true). */
typedef struct iggy_optional_u8 {
    bool set;      /**< true: @c value is used; false: the field is left out */
    uint8_t value; /**< the value (when @c set) */
} iggy_optional_u8_t;

/** An optional u32 (used only when @c set is true). */
typedef struct iggy_optional_u32 {
    bool set;       /**< true: @c value is used; false: the field is left out */
    uint32_t value; /**< the value (when @c set) */
} iggy_optional_u32_t;

/** An optional u64 (used only when @c set is true). */
typedef struct iggy_optional_u64 {
    bool set;       /**< true: @c value is used; false: the field is left out */
    uint64_t value; /**< the value (when @c set) */
} iggy_optional_u64_t;

/** An optional bool (used only when @c set is true). */
typedef struct iggy_optional_bool {
    bool set;   /**< true: @c value is used; false: the field is left out */
    bool value; /**< the value (when @c set) */
} iggy_optional_bool_t;

/** A set optional u8.
 * @param v the value.
 * @returns the optional, with @c set true. */
static inline iggy_optional_u8_t iggy_some_u8(uint8_t v)
{
    iggy_optional_u8_t o = {true, v};
    return o;
}

/** A set optional u32.
 * @param v the value.
 * @returns the optional, with @c set true. */
static inline iggy_optional_u32_t iggy_some_u32(uint32_t v)
{
    iggy_optional_u32_t o = {true, v};
    return o;
}

/** A set optional u64.
 * @param v the value.
 * @returns the optional, with @c set true. */
static inline iggy_optional_u64_t iggy_some_u64(uint64_t v)
{
    iggy_optional_u64_t o = {true, v};
    return o;
}

/** A set optional bool.
 * @param v the value.
 * @returns the optional, with @c set true. */
static inline iggy_optional_bool_t iggy_some_bool(bool v)
{
    iggy_optional_bool_t o = {true, v};
    return o;
}

/**
 * @brief Typed topic settings for iggy_create_topic() and iggy_update_topic(): one field
 *        per key of the topic option catalog (admin.md §4.1). Unset fields are not sent
 *        (the server keeps or derives its defaults).
 *
 * Initialise with iggy_topic_config_init(), then set fields, e.g.
 * `cfg.message_expiry = iggy_some_u64(60000000);`. The set fields are sent as typed
 * option entries in byte-wise key order, followed by @c raw_options as given (for keys
 * this version does not know; they must not repeat a typed key).
 *
 * Only compression_algorithm, message_expiry and max_topic_size may be changed by
 * iggy_update_topic(); the other keys are create-only.
 */
typedef struct iggy_topic_config {
    /** IGGY_COMPRESSION_NONE (1) or IGGY_COMPRESSION_GZIP (2); sent as Uint8. */
    iggy_optional_u8_t compression_algorithm;
    /** Retention by age in µs; IGGY_EXPIRY_NEVER = never; 0 = server default (create
     *  only); sent as Uint64. */
    iggy_optional_u64_t message_expiry;
    /** Size cap in bytes; IGGY_SIZE_UNLIMITED; 0 = server default (create only); at least
     *  the segment size (else IGGY_ERR_INVALID_TOPIC_SIZE 1019); sent as Uint64. */
    iggy_optional_u64_t max_topic_size;
    /** Segment size in bytes: 1 MiB..1 GiB and a multiple of 512, or 0 = default; Uint64.
     *  Create only. */
    iggy_optional_u64_t segment_size;
    /** fsync every write; Bool. Create only. */
    iggy_optional_bool_t enforce_fsync;
    /** Flush threshold in messages, 1..16777216; Uint32. Create only. */
    iggy_optional_u32_t messages_required_to_save;
    /** Flush threshold in bytes, at most 1 GiB (0 = default); Uint64. Create only. */
    iggy_optional_u64_t size_of_messages_required_to_save;
    /** Reserve segment space up front (segment_size × partitions ≤ 64 GiB); Bool.
     *  Create only. */
    iggy_optional_bool_t preallocate_segments;
    /** Extra option entries appended as given (borrowed), or NULL. */
    const iggy_kv_t *raw_options;
    /** Number of entries in @c raw_options. */
    size_t raw_options_count;
} iggy_topic_config_t;

/**
 * @brief Mark every field of @p config unset (no typed keys, no raw options).
 * @param config the configuration to initialise (NULL is a no-op).
 * @threadsafe yes, for distinct configs.
 */
IGGY_EXTERN void iggy_topic_config_init(iggy_topic_config_t *config);

/**
 * @brief GetTopic (300): one topic with its partitions.
 * @param client the client.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param out receives the topic; the effective settings are explicit_options ∪
 *        derived_options, the fixed fields hold the resolved expiry and size.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR__NOT_FOUND (empty reply: stream or
 *          topic missing); IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_get_topic(iggy_client_t *client, const iggy_identifier_t *stream,
                                      const iggy_identifier_t *topic, iggy_topic_t **out);

/**
 * @brief GetTopics (301): every topic of a stream (no partitions). A missing stream gives
 *        an empty list, not an error (use iggy_get_stream() to tell the two apart).
 * @param client the client.
 * @param stream the stream by id or name.
 * @param out receives the list.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_get_topics(iggy_client_t *client, const iggy_identifier_t *stream,
                                       iggy_topic_list_t **out);

/**
 * @brief CreateTopic (302): create a topic; the server assigns the lowest free id.
 * @param client the client.
 * @param stream the stream by id or name.
 * @param name 1..255 bytes, unique in the stream.
 * @param partitions_count 0..1000 partitions (0 is legal).
 * @param config typed settings, or NULL for the server defaults.
 * @param out receives the created topic with its partitions, or NULL to discard it.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG (NULL argument, bad name, a config value the
 *          server refuses: compression not 1..2, segment_size outside 1 MiB..1 GiB or not a
 *          multiple of 512, messages_required_to_save outside 1..16777216,
 *          size_of_messages_required_to_save over 1 GiB, a raw key repeating a key);
 *          IGGY_ERR_STREAM_ID_NOT_FOUND (1009); IGGY_ERR_TOPIC_NAME_ALREADY_EXISTS (2013);
 *          IGGY_ERR_TOO_MANY_TOPICS (2021); IGGY_ERR_TOO_MANY_PARTITIONS (2015);
 *          IGGY_ERR_INVALID_TOPIC_SIZE (1019); IGGY_ERR_UNSUPPORTED_OPTION_KEY (4041);
 *          IGGY_ERR_INVALID_OPTION_VALUE (4042); IGGY_ERR_INVALID_PARTITIONS_COUNT (2019);
 *          IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed; *out (when given) is one block the caller frees with
 *         iggy_result_destroy(); a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_create_topic(iggy_client_t *client, const iggy_identifier_t *stream,
                                         const char *name, uint32_t partitions_count,
                                         const iggy_topic_config_t *config, iggy_topic_t **out);

/**
 * @brief UpdateTopic (304): rename a topic and patch its settings.
 * @param client the client.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param name the name to set (mandatory: pass the current name to keep it).
 * @param config settings to change, or NULL for none: only compression_algorithm,
 *        message_expiry and max_topic_size (never 0 here); raw options are passed through.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG (NULL argument, a create-only key set, expiry or
 *          size 0, compression not 1..2); IGGY_ERR_STREAM_ID_NOT_FOUND (1009);
 *          IGGY_ERR_TOPIC_ID_NOT_FOUND (2010); IGGY_ERR_TOPIC_NAME_ALREADY_EXISTS (2013);
 *          IGGY_ERR_INVALID_TOPIC_SIZE (1019); IGGY_ERR_UNSUPPORTED_OPTION_KEY (4041);
 *          IGGY_ERR_INVALID_OPTION_VALUE (4042); IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_update_topic(iggy_client_t *client, const iggy_identifier_t *stream,
                                         const iggy_identifier_t *topic, const char *name,
                                         const iggy_topic_config_t *config);

/**
 * @brief DeleteTopic (303): delete a topic and its consumer groups; its id will be reused.
 * @param client the client.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_STREAM_ID_NOT_FOUND (1009);
 *          IGGY_ERR_TOPIC_ID_NOT_FOUND (2010); IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_delete_topic(iggy_client_t *client, const iggy_identifier_t *stream,
                                         const iggy_identifier_t *topic);

/**
 * @brief PurgeTopic (305): wipe a topic's messages and consumer offsets; partitions and
 *        groups stay.
 * @param client the client.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_STREAM_ID_NOT_FOUND (1009);
 *          IGGY_ERR_TOPIC_ID_NOT_FOUND (2010); IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_purge_topic(iggy_client_t *client, const iggy_identifier_t *stream,
                                        const iggy_identifier_t *topic);

/* ================================================================ partitions, segments */

/**
 * @brief CreatePartitions (402): append partitions (ids continue from the highest).
 * @param client the client.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param partitions_count 1..1000.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_TOO_MANY_PARTITIONS (2015) for 0 or
 *          over 1000; IGGY_ERR_STREAM_ID_NOT_FOUND (1009); IGGY_ERR_TOPIC_ID_NOT_FOUND
 *          (2010); IGGY_ERR_INVALID_PARTITIONS_COUNT (2019);
 *          IGGY_ERR_PARTITION_ID_SPACE_EXHAUSTED (3013); IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_create_partitions(iggy_client_t *client,
                                              const iggy_identifier_t *stream,
                                              const iggy_identifier_t *topic,
                                              uint32_t partitions_count);

/**
 * @brief DeletePartitions (403): remove the last @p partitions_count partitions.
 * @param client the client.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param partitions_count 1..1000, at most the existing count.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_TOO_MANY_PARTITIONS (2015);
 *          IGGY_ERR_INVALID_PARTITIONS_COUNT (2019) more than exist;
 *          IGGY_ERR_STREAM_ID_NOT_FOUND (1009); IGGY_ERR_TOPIC_ID_NOT_FOUND (2010);
 *          IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_delete_partitions(iggy_client_t *client,
                                              const iggy_identifier_t *stream,
                                              const iggy_identifier_t *topic,
                                              uint32_t partitions_count);

/**
 * @brief DeleteSegments (503): remove the oldest sealed segments of a partition
 *        ("nothing to delete" is a success).
 * @param client the client.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param partition_id the partition.
 * @param segments_count how many segments to remove.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_STREAM_ID_NOT_FOUND (1009);
 *          IGGY_ERR_TOPIC_ID_NOT_FOUND (2010); IGGY_ERR_PARTITION_NOT_FOUND (3007);
 *          IGGY_ERR_TRANSIENT_NOT_ACCEPTED (58) when the partition did not catch up within
 *          the retry window; IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_delete_segments(iggy_client_t *client, const iggy_identifier_t *stream,
                                            const iggy_identifier_t *topic, uint32_t partition_id,
                                            uint32_t segments_count);

/* ================================================================ consumer groups */

/**
 * @brief GetConsumerGroup (600): one group with its members and their partitions.
 * @param client the client.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param group the group by id or name.
 * @param out receives the group.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR__NOT_FOUND (empty reply: no such
 *          group); IGGY_ERR_STREAM_ID_NOT_FOUND (1009); IGGY_ERR_TOPIC_ID_NOT_FOUND (2010);
 *          IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_get_consumer_group(iggy_client_t *client,
                                               const iggy_identifier_t *stream,
                                               const iggy_identifier_t *topic,
                                               const iggy_identifier_t *group,
                                               iggy_consumer_group_t **out);

/**
 * @brief GetConsumerGroups (601): every group of a topic (no member lists).
 * @param client the client.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param out receives the list (count 0 when none).
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_STREAM_ID_NOT_FOUND (1009);
 *          IGGY_ERR_TOPIC_ID_NOT_FOUND (2010); IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_get_consumer_groups(iggy_client_t *client,
                                                const iggy_identifier_t *stream,
                                                const iggy_identifier_t *topic,
                                                iggy_consumer_group_list_t **out);

/**
 * @brief CreateConsumerGroup (602): create a group (ids are monotonic, never reused).
 * @param client the client.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param name 1..255 bytes, unique in the topic.
 * @param out receives the created group (no members), or NULL to discard it.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_STREAM_ID_NOT_FOUND (1009);
 *          IGGY_ERR_TOPIC_ID_NOT_FOUND (2010); IGGY_ERR_CONSUMER_GROUP_NAME_ALREADY_EXISTS
 *          (5004); IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed; *out (when given) is one block the caller frees with
 *         iggy_result_destroy(); a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_create_consumer_group(iggy_client_t *client,
                                                  const iggy_identifier_t *stream,
                                                  const iggy_identifier_t *topic, const char *name,
                                                  iggy_consumer_group_t **out);

/**
 * @brief DeleteConsumerGroup (603): delete a group and its stored offsets.
 * @param client the client.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param group the group by id or name.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_STREAM_ID_NOT_FOUND (1009);
 *          IGGY_ERR_TOPIC_ID_NOT_FOUND (2010); IGGY_ERR_CONSUMER_GROUP_ID_NOT_FOUND (5000);
 *          IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_delete_consumer_group(iggy_client_t *client,
                                                  const iggy_identifier_t *stream,
                                                  const iggy_identifier_t *topic,
                                                  const iggy_identifier_t *group);

/**
 * @brief JoinConsumerGroup (604): make this connection a member (idempotent). Membership
 *        ends on logout, disconnect or heartbeat eviction.
 * @param client the client.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param group the group by id or name.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_STREAM_ID_NOT_FOUND (1009);
 *          IGGY_ERR_TOPIC_ID_NOT_FOUND (2010); IGGY_ERR_CONSUMER_GROUP_ID_NOT_FOUND (5000);
 *          IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_join_consumer_group(iggy_client_t *client,
                                                const iggy_identifier_t *stream,
                                                const iggy_identifier_t *topic,
                                                const iggy_identifier_t *group);

/**
 * @brief LeaveConsumerGroup (605): end this connection's membership.
 * @param client the client.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param group the group by id or name.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_STREAM_ID_NOT_FOUND (1009);
 *          IGGY_ERR_TOPIC_ID_NOT_FOUND (2010); IGGY_ERR_CONSUMER_GROUP_ID_NOT_FOUND (5000);
 *          IGGY_ERR_CONSUMER_GROUP_MEMBER_NOT_FOUND (5006) when not a member;
 *          IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_leave_consumer_group(iggy_client_t *client,
                                                 const iggy_identifier_t *stream,
                                                 const iggy_identifier_t *topic,
                                                 const iggy_identifier_t *group);

/**
 * @brief SyncConsumerGroup (606): this member's pollable partitions and the group
 *        generation (re-sync when the generation changes or a poll says so).
 * @param client the client.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param group the group by id or name.
 * @param out receives the assignment.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR__NOT_FOUND (empty reply: not a member,
 *          or the group, topic or stream is missing).
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_sync_consumer_group(iggy_client_t *client,
                                                const iggy_identifier_t *stream,
                                                const iggy_identifier_t *topic,
                                                const iggy_identifier_t *group,
                                                iggy_group_assignment_t **out);

/* ================================================================ consumer offsets */

/**
 * @brief GetConsumerOffset (120): a consumer's (or group's) stored offset and the
 *        partition's current offset.
 * @param client the client.
 * @param consumer the consumer or group.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param partition_id the partition, or NULL (the server reads partition 0).
 * @param out receives the offsets.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR__NOT_FOUND (empty reply: no offset
 *          stored, or the stream, topic or group is missing); IGGY_ERR_PARTITION_NOT_FOUND
 *          (3007); IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed; *out is one block the caller frees with iggy_result_destroy();
 *         a non-NULL *out on entry is reused when large enough.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_get_consumer_offset(
    iggy_client_t *client, const iggy_consumer_ref_t *consumer, const iggy_identifier_t *stream,
    const iggy_identifier_t *topic, const uint32_t *partition_id, iggy_consumer_offset_t **out);

/**
 * @brief StoreConsumerOffset (121): commit a consumer's offset on a partition.
 * @param client the client.
 * @param consumer the consumer, or a group this connection is a member of and that owns
 *        the partition.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param partition_id the partition (required in practice: NULL makes the server answer
 *        IGGY_ERR_RESOURCE_NOT_FOUND).
 * @param offset the offset, at most the partition's current offset.
 * @param ack IGGY_ACK_QUORUM (what every SDK sends) or IGGY_ACK_NONE.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG (NULL argument, ack not 0..1);
 *          IGGY_ERR_RESOURCE_NOT_FOUND (20) when the partition, stream or topic does not
 *          resolve or the group does not own it; IGGY_ERR_INVALID_OFFSET (4100);
 *          IGGY_ERR_TRANSIENT_NOT_ACCEPTED (58); IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed. Partition operations have no reply cache: a replay after a
 *         lost reply may apply twice (harmless for the same offset).
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_store_consumer_offset(
    iggy_client_t *client, const iggy_consumer_ref_t *consumer, const iggy_identifier_t *stream,
    const iggy_identifier_t *topic, const uint32_t *partition_id, uint64_t offset, uint8_t ack);

/**
 * @brief DeleteConsumerOffset (122): forget a consumer's stored offset on a partition.
 * @param client the client.
 * @param consumer the consumer or group.
 * @param stream the stream by id or name.
 * @param topic the topic by id or name.
 * @param partition_id the partition (required in practice, as for store).
 * @param ack IGGY_ACK_QUORUM or IGGY_ACK_NONE.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG; IGGY_ERR_RESOURCE_NOT_FOUND (20);
 *          IGGY_ERR_CONSUMER_OFFSET_NOT_FOUND (3021) when none is stored;
 *          IGGY_ERR_UNAUTHORIZED (41).
 * @remark Inputs borrowed.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_delete_consumer_offset(iggy_client_t *client,
                                                   const iggy_consumer_ref_t *consumer,
                                                   const iggy_identifier_t *stream,
                                                   const iggy_identifier_t *topic,
                                                   const uint32_t *partition_id, uint8_t ack);

/* ================================================================ raw */

/**
 * @brief Send any command code with a caller-encoded body and get the reply body back
 *        undecoded (after any result section). Known codes go with their operation from
 *        the command table; unknown codes go as NonReplicated reads (the server answers
 *        IGGY_ERR_INVALID_COMMAND for codes it does not know). An empty reply is a
 *        success with len 0 (no "not found" mapping).
 * @param client the client.
 * @param code the wire command code.
 * @param body the request body, or NULL when @p len is 0.
 * @param len body length in bytes.
 * @param out receives the reply body, or NULL to discard it.
 * @returns IGGY_OK; IGGY_ERR__INVALID_ARG (NULL client, NULL body with len > 0);
 *          IGGY_ERR_INVALID_COMMAND (3) locally, without sending anything, for the session
 *          codes 38, 39, 40, 44 and 45 (use iggy_login_user(),
 *          iggy_login_with_personal_access_token() and iggy_logout_user());
 *          IGGY_ERR__MSG_TOO_LARGE over the frame limit; any server code verbatim.
 * @remark Inputs borrowed; *out (when given) is one block the caller frees with
 *         iggy_result_destroy(); a non-NULL *out on entry is reused when large enough.
 * @warning A malformed replicated body can make the server evict the session.
 * @threadsafe yes
 */
IGGY_EXTERN iggy_err_t iggy_send_raw_command(iggy_client_t *client, uint32_t code, const void *body,
                                             size_t len, iggy_raw_reply_t **out);

IGGY_END_DECLS

#endif
