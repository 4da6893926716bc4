/**
 * @file types.h
 * @brief Request arguments and read-only result types.
 *
 * Results are allocated by the library as ONE block each and released by one
 * iggy_result_destroy() call (or the typed *_destroy alias). Every pointer inside a result
 * points into that block. Users never allocate, embed, copy or sizeof result structs; new
 * fields are only appended. Strings in results are NUL-terminated copies; the length
 * field, where given, excludes the NUL.
 */
#ifndef IGGY_TYPES_H
#define IGGY_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iggy/export.h>

IGGY_BEGIN_DECLS

/** An unsigned 128-bit integer (message ids, client ids), little-endian halves. */
typedef struct iggy_u128 {
    uint64_t lo; /**< low 64 bits */
    uint64_t hi; /**< high 64 bits */
} iggy_u128_t;

/* ---------------------------------------------------------------- request primitives */

/**
 * @brief Addresses a stream, topic, consumer group or user by numeric id or by name.
 * When @c name is non-NULL the name is used (1..255 UTF-8 bytes), else @c numeric.
 * Ids are 0-based; 0 is a valid id.
 */
typedef struct iggy_identifier {
    const char *name; /**< name, or NULL for a numeric identifier */
    uint32_t numeric; /**< numeric id, used when name is NULL */
} iggy_identifier_t;

/** A numeric identifier.
 * @param id the numeric id.
 * @returns the identifier. */
static inline iggy_identifier_t iggy_id_num(uint32_t id)
{
    iggy_identifier_t i = {NULL, id};
    return i;
}

/** An identifier by name; the string is borrowed for the call.
 * @param name the name (1..255 bytes, NUL-terminated).
 * @returns the identifier. */
static inline iggy_identifier_t iggy_id_name(const char *name)
{
    iggy_identifier_t i = {name, 0};
    return i;
}

/** Consumer kinds. */
typedef enum iggy_consumer_kind {
    IGGY_CONSUMER_SINGLE = 1, /**< an individual consumer */
    IGGY_CONSUMER_GROUP = 2,  /**< a consumer group */
} iggy_consumer_kind_t;

/** Who polls and owns offsets (kind + identifier), as on the wire. The high-level consumer
 *  object is iggy_consumer_t (consumer.h). */
typedef struct iggy_consumer_ref {
    iggy_consumer_kind_t kind; /**< a single consumer or a consumer group */
    iggy_identifier_t id;      /**< the consumer's id or name, or the group's */
} iggy_consumer_ref_t;

/** Partitioning kinds as on the wire. */
typedef enum iggy_partitioning_kind {
    IGGY_PARTITIONING_BALANCED = 1,     /**< server round-robin */
    IGGY_PARTITIONING_PARTITION_ID = 2, /**< explicit partition id */
    IGGY_PARTITIONING_MESSAGES_KEY = 3, /**< XXH32(key) % partitions */
} iggy_partitioning_kind_t;

/** Where a batch goes. */
typedef struct iggy_partitioning {
    iggy_partitioning_kind_t kind; /**< how the partition is chosen */
    uint32_t partition_id;         /**< for PARTITION_ID */
    const uint8_t *key;            /**< for MESSAGES_KEY: 1..255 bytes, borrowed */
    size_t key_len;                /**< for MESSAGES_KEY: length of @c key in bytes */
} iggy_partitioning_t;

/** Polling strategy kinds. */
typedef enum iggy_polling_kind {
    IGGY_POLL_OFFSET = 1,    /**< from value (an offset) */
    IGGY_POLL_TIMESTAMP = 2, /**< batches with broker timestamp >= value (µs) */
    IGGY_POLL_FIRST = 3,     /**< from the oldest retained message */
    IGGY_POLL_LAST = 4,      /**< the last @c count messages */
    IGGY_POLL_NEXT = 5,      /**< after the consumer's stored offset */
} iggy_polling_kind_t;

/** A polling strategy (kind and value). */
typedef struct iggy_polling_strategy {
    iggy_polling_kind_t kind; /**< where to start */
    uint64_t value;           /**< the offset (OFFSET) or µs timestamp (TIMESTAMP); else 0 */
} iggy_polling_strategy_t;

/** Value kinds of option entries and user headers (wire codes). */
typedef enum iggy_kv_kind {
    IGGY_KV_RAW = 1,      /**< opaque bytes (1..255) */
    IGGY_KV_STRING = 2,   /**< UTF-8 text without a NUL (1..255 bytes) */
    IGGY_KV_BOOL = 3,     /**< 1 byte: 0 false, 1 true */
    IGGY_KV_INT8 = 4,     /**< 1-byte signed integer */
    IGGY_KV_INT16 = 5,    /**< 2-byte little-endian signed integer */
    IGGY_KV_INT32 = 6,    /**< 4-byte little-endian signed integer */
    IGGY_KV_INT64 = 7,    /**< 8-byte little-endian signed integer */
    IGGY_KV_INT128 = 8,   /**< 16-byte little-endian signed integer */
    IGGY_KV_UINT8 = 9,    /**< 1-byte unsigned integer */
    IGGY_KV_UINT16 = 10,  /**< 2-byte little-endian unsigned integer */
    IGGY_KV_UINT32 = 11,  /**< 4-byte little-endian unsigned integer */
    IGGY_KV_UINT64 = 12,  /**< 8-byte little-endian unsigned integer */
    IGGY_KV_UINT128 = 13, /**< 16-byte little-endian unsigned integer */
    IGGY_KV_FLOAT32 = 14, /**< 4-byte little-endian IEEE 754 binary32 */
    IGGY_KV_FLOAT64 = 15, /**< 8-byte little-endian IEEE 754 binary64 */
} iggy_kv_kind_t;

/**
 * @brief A typed key/value entry: one option of an options block or one message user
 *        header. Keys and values are 1..255 bytes; integers are little-endian bytes.
 * In results, @c key and @c value are additionally NUL-terminated.
 */
typedef struct iggy_kv {
    uint8_t key_kind;     /**< IGGY_KV_STRING for options and interoperable headers */
    uint8_t value_kind;   /**< an iggy_kv_kind_t code; unknown codes are carried through */
    uint32_t key_len;     /**< 1..255 */
    uint32_t value_len;   /**< 1..255 */
    const uint8_t *key;   /**< key bytes */
    const uint8_t *value; /**< value bytes */
} iggy_kv_t;

/** A list of key/value entries. */
typedef struct iggy_kv_list {
    size_t count;             /**< number of entries */
    const iggy_kv_t *entries; /**< entries, NULL when count is 0 */
} iggy_kv_list_t;

/** Global permissions (each true or false). */
typedef struct iggy_global_permissions {
    bool manage_servers; /**< change server state (and everything read_servers allows) */
    bool read_servers;   /**< read server information: stats, clients, snapshots */
    bool manage_users;   /**< create, update and delete users and their permissions */
    bool read_users;     /**< read every user */
    bool manage_streams; /**< create, update, delete and purge every stream */
    bool read_streams;   /**< read every stream */
    bool manage_topics;  /**< create, update, delete and purge every topic */
    bool read_topics;    /**< read every topic */
    bool poll_messages;  /**< poll from every topic */
    bool send_messages;  /**< send to every topic */
} iggy_global_permissions_t;

/** Permissions on one topic. */
typedef struct iggy_topic_permissions {
    uint32_t topic_id;  /**< the topic these rights are for */
    bool manage_topic;  /**< update, delete and purge the topic */
    bool read_topic;    /**< read the topic */
    bool poll_messages; /**< poll from the topic */
    bool send_messages; /**< send to the topic */
} iggy_topic_permissions_t;

/** Permissions on one stream and its topics. */
typedef struct iggy_stream_permissions {
    uint32_t stream_id;                     /**< the stream these rights are for */
    bool manage_stream;                     /**< update, delete and purge the stream */
    bool read_stream;                       /**< read the stream */
    bool manage_topics;                     /**< manage every topic of the stream */
    bool read_topics;                       /**< read every topic of the stream */
    bool poll_messages;                     /**< poll from every topic of the stream */
    bool send_messages;                     /**< send to every topic of the stream */
    size_t topics_count;                    /**< number of entries in @c topics */
    const iggy_topic_permissions_t *topics; /**< per-topic rights, or NULL when none */
} iggy_stream_permissions_t;

/** A user's full permission set; used for requests and in results. */
typedef struct iggy_permissions {
    iggy_global_permissions_t global;         /**< server-wide rights */
    size_t streams_count;                     /**< number of entries in @c streams */
    const iggy_stream_permissions_t *streams; /**< per-stream rights, or NULL when none */
} iggy_permissions_t;

/** User status codes. */
typedef enum iggy_user_status {
    IGGY_USER_ACTIVE = 1,   /**< the user may log in */
    IGGY_USER_INACTIVE = 2, /**< logins are refused (IGGY_ERR_USER_INACTIVE) */
} iggy_user_status_t;

/** Snapshot archive compression codes (GetSnapshotFile). */
typedef enum iggy_snapshot_compression {
    IGGY_SNAPSHOT_STORED = 1,   /**< ZIP entries stored uncompressed */
    IGGY_SNAPSHOT_DEFLATED = 2, /**< ZIP deflate */
    IGGY_SNAPSHOT_BZIP2 = 3,    /**< ZIP bzip2 */
    IGGY_SNAPSHOT_ZSTD = 4,     /**< ZIP zstd */
    IGGY_SNAPSHOT_LZMA = 5,     /**< ZIP lzma */
    IGGY_SNAPSHOT_XZ = 6,       /**< ZIP xz */
} iggy_snapshot_compression_t;

/** Snapshot content types (GetSnapshotFile). */
typedef enum iggy_snapshot_type {
    IGGY_SNAPSHOT_FILESYSTEM_OVERVIEW = 1, /**< a listing of the server's data directory */
    IGGY_SNAPSHOT_PROCESS_LIST = 2,        /**< the host's processes */
    IGGY_SNAPSHOT_RESOURCE_USAGE = 3,      /**< CPU, memory and disk usage */
    IGGY_SNAPSHOT_TEST = 4,                /**< a test entry (for checking the command) */
    IGGY_SNAPSHOT_SERVER_LOGS = 5,         /**< the server's log files */
    IGGY_SNAPSHOT_SERVER_CONFIG = 6,       /**< the server's effective configuration */
    IGGY_SNAPSHOT_ALL = 100,               /**< every type above */
} iggy_snapshot_type_t;

/** DescribeOptions scopes. */
typedef enum iggy_options_scope {
    IGGY_OPTIONS_TOPIC = 1,  /**< topic options (iggy_topic_config_t's keys) */
    IGGY_OPTIONS_STREAM = 2, /**< stream options (none on server 0.9) */
    IGGY_OPTIONS_USER = 3,   /**< user options (none on server 0.9) */
} iggy_options_scope_t;

/** Never-expires sentinel for personal access token expiry and topic message expiry. */
#define IGGY_EXPIRY_NEVER UINT64_MAX
/** Unlimited sentinel for max_topic_size. */
#define IGGY_SIZE_UNLIMITED UINT64_MAX
/** Partition id a group poll returns when the member must re-sync its assignment. */
#define IGGY_PARTITION_RESYNC UINT32_MAX
/** Partition id of the empty batch a group poll returns to a member that holds no partition
 *  now (more members than partitions, or a rebalance in progress): poll again later. */
#define IGGY_PARTITION_UNASSIGNED (UINT32_MAX - 1)
/** "No user" in client records. */
#define IGGY_USER_NONE UINT32_MAX
/** Ack level for consumer-offset writes: replicated to a quorum (what every SDK sends). */
#define IGGY_ACK_QUORUM 1
/** Ack level for consumer-offset writes: leader-local. */
#define IGGY_ACK_NONE 0

/** One message to send. Pointers are borrowed for the call. */
typedef struct iggy_send_message {
    iggy_u128_t id;            /**< message id; {0,0} lets the library mint a UUID v4 */
    uint64_t origin_timestamp; /**< µs since the epoch; 0 = now */
    const void *payload;       /**< payload bytes */
    uint32_t payload_len;      /**< payload length (0 is allowed on the wire) */
    const iggy_kv_t *headers;  /**< typed user headers, or NULL */
    size_t headers_count;      /**< number of headers */
} iggy_send_message_t;

/* ---------------------------------------------------------------- results */

/** Login reply. */
typedef struct iggy_login_result {
    uint32_t user_id;                 /**< 0 = root */
    uint64_t session;                 /**< session id for later request headers */
    uint32_t server_protocol_version; /**< packed, e.g. 0x2C00 */
    const char *server_version;       /**< e.g. "0.9.0-edge.5" */
} iggy_login_result_t;

/** One cache metrics entry of GetStats. */
typedef struct iggy_cache_metric {
    uint32_t stream_id;    /**< the partition's stream */
    uint32_t topic_id;     /**< the partition's topic */
    uint32_t partition_id; /**< the partition */
    uint64_t hits;         /**< cache hits */
    uint64_t misses;       /**< cache misses */
    float hit_ratio;       /**< hits / (hits + misses) */
} iggy_cache_metric_t;

/** GetStats reply. Times are microseconds. */
typedef struct iggy_stats {
    uint32_t process_id;                      /**< the server's process id */
    float cpu_usage;                          /**< the server process' CPU usage, percent */
    float total_cpu_usage;                    /**< the host's CPU usage, percent */
    uint64_t memory_usage;                    /**< the server process' memory, bytes */
    uint64_t total_memory;                    /**< the host's memory, bytes */
    uint64_t available_memory;                /**< the host's available memory, bytes */
    uint64_t run_time;                        /**< server uptime, µs */
    uint64_t start_time;                      /**< server start, µs since the epoch */
    uint64_t read_bytes;                      /**< bytes the server read from disk */
    uint64_t written_bytes;                   /**< bytes the server wrote to disk */
    uint64_t messages_size_bytes;             /**< bytes of every stored message */
    uint32_t streams_count;                   /**< streams */
    uint32_t topics_count;                    /**< topics, all streams */
    uint32_t partitions_count;                /**< partitions, all topics */
    uint32_t segments_count;                  /**< segments, all partitions */
    uint64_t messages_count;                  /**< stored messages, all partitions */
    uint32_t clients_count;                   /**< connected clients */
    uint32_t consumer_groups_count;           /**< consumer groups, all topics */
    const char *hostname;                     /**< the host's name */
    const char *os_name;                      /**< operating system name */
    const char *os_version;                   /**< operating system version */
    const char *kernel_version;               /**< kernel version */
    const char *iggy_server_version;          /**< server version text, e.g. "0.9.0" */
    uint32_t iggy_server_semver;              /**< major*1000000 + minor*1000 + patch; 0 = absent */
    size_t cache_metrics_count;               /**< number of entries in @c cache_metrics */
    const iggy_cache_metric_t *cache_metrics; /**< per-partition cache counters (0.9 sends none) */
    uint32_t threads_count;                   /**< the server's threads */
    uint64_t free_disk_space;                 /**< free bytes on the data volume */
    uint64_t total_disk_space;                /**< size of the data volume, bytes */
} iggy_stats_t;

/** Cluster node role: the leader (metadata writes go to it). */
#define IGGY_NODE_LEADER 0
/** Cluster node role: a follower (a backup of the leader). */
#define IGGY_NODE_FOLLOWER 1

/** One node of the cluster metadata. */
typedef struct iggy_cluster_node {
    const char *name;        /**< node name */
    const char *ip;          /**< advertised address; IPv6 without brackets */
    uint16_t tcp_port;       /**< TCP port; 0 = disabled */
    uint16_t quic_port;      /**< QUIC port; 0 = disabled */
    uint16_t http_port;      /**< HTTP port; 0 = disabled */
    uint16_t websocket_port; /**< WebSocket port; 0 = disabled */
    uint8_t role;            /**< IGGY_NODE_LEADER or IGGY_NODE_FOLLOWER */
    /** 0 healthy, 1 starting, 2 stopping, 3 unreachable, 4 maintenance, 5 unknown */
    uint8_t status;
} iggy_cluster_node_t;

/** GetClusterMetadata reply. */
typedef struct iggy_cluster_metadata {
    const char *name;                 /**< cluster name */
    size_t nodes_count;               /**< number of entries in @c nodes */
    const iggy_cluster_node_t *nodes; /**< the nodes */
} iggy_cluster_metadata_t;

/** One entry of DescribeOptions. */
typedef struct iggy_option_description {
    const char *key;              /**< the option key */
    uint8_t kind;                 /**< iggy_kv_kind_t of the value */
    const uint8_t *default_value; /**< the default value's bytes (encoded as @c kind) */
    size_t default_value_len;     /**< length of @c default_value */
    const char *description;      /**< what the option does */
} iggy_option_description_t;

/** DescribeOptions reply. */
typedef struct iggy_option_descriptions {
    size_t count;                             /**< number of entries */
    const iggy_option_description_t *entries; /**< the options */
} iggy_option_descriptions_t;

/** A consumer group membership of a client. */
typedef struct iggy_client_group {
    uint32_t stream_id; /**< the group's stream */
    uint32_t topic_id;  /**< the group's topic */
    uint32_t group_id;  /**< the group */
} iggy_client_group_t;

/** A connected client (GetMe, GetClient, GetClients). */
typedef struct iggy_client_info {
    uint32_t client_id;             /**< the server's id of the connection */
    uint32_t user_id;               /**< IGGY_USER_NONE when not logged in */
    uint8_t transport;              /**< 1 TCP, 2 QUIC, 3 HTTP, 4 WebSocket */
    const char *address;            /**< the peer address, "ip:port" */
    uint32_t consumer_groups_count; /**< consumer groups the connection is a member of */
    /** memberships; NULL in GetClients records (the list carries counts only) */
    const iggy_client_group_t *consumer_groups;
} iggy_client_info_t;

/** GetClients reply. */
typedef struct iggy_client_info_list {
    size_t count;                      /**< number of entries in @c clients */
    const iggy_client_info_t *clients; /**< the clients */
} iggy_client_info_list_t;

/** A user (GetUser, GetUsers, CreateUser). */
typedef struct iggy_user {
    uint32_t id;            /**< user id (root is 0) */
    uint64_t created_at;    /**< µs since the epoch */
    uint8_t status;         /**< iggy_user_status_t, echoed raw */
    const char *username;   /**< the username */
    iggy_kv_list_t options; /**< the user's option entries (none on server 0.9) */
    /** NULL when the user has no permissions or in GetUsers records */
    const iggy_permissions_t *permissions;
} iggy_user_t;

/** GetUsers reply. */
typedef struct iggy_user_list {
    size_t count;             /**< number of entries in @c users */
    const iggy_user_t *users; /**< the users */
} iggy_user_list_t;

/** A personal access token listing entry. */
typedef struct iggy_pat {
    const char *name;   /**< token name */
    uint64_t expiry_at; /**< absolute µs; 0 = never expires */
} iggy_pat_t;

/** GetPersonalAccessTokens reply. */
typedef struct iggy_pat_list {
    size_t count;             /**< number of entries in @c tokens */
    const iggy_pat_t *tokens; /**< the tokens */
} iggy_pat_list_t;

/** CreatePersonalAccessToken reply: the only time the raw token is sent. */
typedef struct iggy_raw_pat {
    const char *token; /**< the secret token: keep it, never log it */
} iggy_raw_pat_t;

/** A partition. */
typedef struct iggy_partition {
    uint32_t id;             /**< partition id (0-based) */
    uint64_t created_at;     /**< µs since the epoch */
    uint32_t segments_count; /**< segments */
    uint64_t current_offset; /**< offset of the last message (0 when empty) */
    uint64_t size_bytes;     /**< stored bytes */
    uint64_t messages_count; /**< stored messages */
} iggy_partition_t;

/** Topic compression code "none" (metadata only; nothing compresses on the server). */
#define IGGY_COMPRESSION_NONE 1
/** Topic compression code "gzip" (metadata only; nothing compresses on the server). */
#define IGGY_COMPRESSION_GZIP 2

/** A topic (GetTopic, GetTopics, CreateTopic, and inside GetStream). */
typedef struct iggy_topic {
    uint32_t id;                     /**< topic id in its stream (0-based) */
    uint64_t created_at;             /**< µs since the epoch */
    uint32_t partitions_count;       /**< partitions */
    uint64_t message_expiry;         /**< µs; IGGY_EXPIRY_NEVER = never; 0 = server default */
    uint8_t compression_algorithm;   /**< IGGY_COMPRESSION_NONE or IGGY_COMPRESSION_GZIP */
    uint64_t max_topic_size;         /**< bytes; IGGY_SIZE_UNLIMITED; 0 = server default */
    uint64_t size_bytes;             /**< stored bytes */
    uint64_t messages_count;         /**< stored messages */
    const char *name;                /**< topic name */
    iggy_kv_list_t explicit_options; /**< keys the client set */
    iggy_kv_list_t derived_options;  /**< defaults the server filled in */
    /** partitions_count entries for GetTopic/CreateTopic; NULL in lists and GetStream */
    const iggy_partition_t *partitions;
} iggy_topic_t;

/** GetTopics reply. */
typedef struct iggy_topic_list {
    size_t count;               /**< number of entries in @c topics */
    const iggy_topic_t *topics; /**< the topics */
} iggy_topic_list_t;

/** A stream (GetStream, GetStreams, CreateStream). */
typedef struct iggy_stream {
    uint32_t id;             /**< stream id (0-based) */
    uint64_t created_at;     /**< µs since the epoch */
    uint32_t topics_count;   /**< topics */
    uint64_t size_bytes;     /**< stored bytes, all topics */
    uint64_t messages_count; /**< stored messages, all topics */
    const char *name;        /**< stream name */
    iggy_kv_list_t options;  /**< the stream's option entries (none on server 0.9) */
    /** topics_count topics for GetStream; NULL in GetStreams and CreateStream */
    const iggy_topic_t *topics;
} iggy_stream_t;

/** GetStreams reply. */
typedef struct iggy_stream_list {
    size_t count;                 /**< number of entries in @c streams */
    const iggy_stream_t *streams; /**< the streams */
} iggy_stream_list_t;

/** A consumer group member. */
typedef struct iggy_consumer_group_member {
    uint32_t id;                /**< member id: a 0-based slot in the group */
    uint32_t partitions_count;  /**< number of entries in @c partitions */
    const uint32_t *partitions; /**< the partitions assigned to the member */
} iggy_consumer_group_member_t;

/** A consumer group (GetConsumerGroup, GetConsumerGroups, CreateConsumerGroup). */
typedef struct iggy_consumer_group {
    uint32_t id;               /**< group id in its topic */
    uint32_t partitions_count; /**< the topic's partition count */
    uint32_t members_count;    /**< members now */
    const char *name;          /**< group name */
    /** members_count entries for GetConsumerGroup/Create; NULL in lists */
    const iggy_consumer_group_member_t *members;
} iggy_consumer_group_t;

/** GetConsumerGroups reply. */
typedef struct iggy_consumer_group_list {
    size_t count;                        /**< number of entries in @c groups */
    const iggy_consumer_group_t *groups; /**< the groups */
} iggy_consumer_group_list_t;

/** SyncConsumerGroup reply: the caller's pollable partitions. */
typedef struct iggy_group_assignment {
    uint64_t generation;        /**< the group generation; changes with every rebalance */
    uint32_t partitions_count;  /**< number of entries in @c partitions */
    const uint32_t *partitions; /**< the partitions this member may poll */
} iggy_group_assignment_t;

/** GetConsumerOffset reply. */
typedef struct iggy_consumer_offset {
    uint32_t partition_id;   /**< the partition */
    uint64_t current_offset; /**< partition high-water mark */
    uint64_t stored_offset;  /**< the consumer's committed offset */
} iggy_consumer_offset_t;

/** One send confirmation. */
typedef struct iggy_send_confirmation {
    uint32_t stream_id;    /**< the stream written to */
    uint32_t topic_id;     /**< the topic written to */
    uint32_t partition_id; /**< the partition written to */
    uint64_t base_offset;  /**< offset of the batch's first message */
} iggy_send_confirmation_t;

/** SendMessages reply. */
typedef struct iggy_send_confirmations {
    size_t count;                          /**< number of entries in @c items */
    const iggy_send_confirmation_t *items; /**< one per partition written */
} iggy_send_confirmations_t;

/** A polled message: owned by its iggy_polled_messages_t. */
typedef struct iggy_message {
    uint64_t offset;            /**< absolute offset in the partition */
    uint64_t timestamp;         /**< broker append time, µs (shared by a stored batch) */
    uint64_t origin_timestamp;  /**< producer time, µs */
    iggy_u128_t id;             /**< message id */
    uint64_t checksum;          /**< frame checksum as received */
    const uint8_t *payload;     /**< payload bytes (decrypted and decompressed when asked) */
    uint32_t payload_len;       /**< length of @c payload */
    const uint8_t *raw_headers; /**< the user-headers block as received, or NULL */
    uint32_t raw_headers_len;   /**< length of @c raw_headers */
    /** headers parsed from raw_headers; count 0 when absent or not a valid TLV block */
    iggy_kv_list_t headers;
    /** IGGY_OK, or why this message could not be decrypted or decompressed (its payload
     *  and headers are then the bytes as received) */
    int error;
} iggy_message_t;

/** PollMessages reply. All messages, payloads and headers live in this one block. */
typedef struct iggy_polled_messages {
    uint32_t partition_id;          /**< IGGY_PARTITION_RESYNC: re-sync the group assignment */
    uint64_t current_offset;        /**< partition high-water mark, not the last message */
    uint32_t declared_count;        /**< messages_count field of the reply */
    size_t count;                   /**< messages decoded */
    const iggy_message_t *messages; /**< the messages, ascending offsets */
} iggy_polled_messages_t;

/** Raw reply body of a raw command or a snapshot. */
typedef struct iggy_raw_reply {
    size_t len;          /**< body length in bytes */
    const uint8_t *data; /**< body bytes (NULL when len is 0) */
} iggy_raw_reply_t;

/** Counters of one command in iggy_client_stats_t. */
typedef struct iggy_command_stats {
    uint32_t code;     /**< wire command code */
    const char *name;  /**< e.g. "SendMessages" */
    uint64_t requests; /**< calls that reached the wire or failed on the way */
    uint64_t errors;   /**< calls that returned an error */
} iggy_command_stats_t;

/** Counters of one of the client's connections (conf `connections`) in iggy_client_stats_t. */
typedef struct iggy_connection_stats {
    uint32_t index;             /**< 0 .. connections - 1 */
    uint64_t requests;          /**< calls that ran on this connection */
    uint64_t errors;            /**< of those, calls that returned an error */
    uint64_t bytes_sent;        /**< bytes written, frame headers included */
    uint64_t bytes_received;    /**< bytes read, frame headers included */
    uint64_t connects;          /**< connections established on this slot */
    uint64_t rtt_avg_us;        /**< mean round trip (request written to reply read), µs */
    uint64_t rtt_max_us;        /**< longest round trip, µs */
    uint64_t reconnects;        /**< of connects, those after the slot's first */
    uint64_t connect_failures;  /**< connection attempts that failed (TLS handshakes included) */
    uint64_t disconnects;       /**< established connections lost (failure, eviction, bad stream) */
    uint64_t evictions;         /**< of disconnects, those by a server eviction frame */
    uint64_t retries;           /**< requests sent again on a new connection after a loss */
    uint64_t transient_replays; /**< requests replayed after a transient outcome (57, 58) */
    uint64_t rtt_p50_us;        /**< median round trip, µs (log-bucket histogram, within 12.5%) */
    uint64_t rtt_p90_us;        /**< 90th percentile round trip, µs */
    uint64_t rtt_p99_us;        /**< 99th percentile round trip, µs */
} iggy_connection_stats_t;

/** Client counters since iggy_client_new() (a snapshot); the totals sum every connection. */
typedef struct iggy_client_stats {
    uint64_t requests;        /**< calls, all commands */
    uint64_t errors;          /**< of those, calls that returned an error */
    uint64_t bytes_sent;      /**< bytes written, frame headers included */
    uint64_t bytes_received;  /**< bytes read, frame headers included */
    uint64_t connects;        /**< connections established (the first included) */
    uint64_t rtt_avg_us;      /**< mean round trip (request written to reply read), µs */
    uint64_t rtt_max_us;      /**< longest round trip, µs */
    uint64_t pool_borrows;    /**< buffers taken from the buffer pool */
    uint64_t pool_misses;     /**< of those, borrows the pool had no spare for (an allocation) */
    uint64_t pool_in_use;     /**< buffers borrowed now */
    uint64_t pool_high_water; /**< most buffers borrowed at once */
    size_t commands_count;    /**< commands with at least one request */
    const iggy_command_stats_t *commands; /**< per-command counters */
    size_t connections_count;             /**< the conf's `connections` (1 for a fixed transport) */
    const iggy_connection_stats_t *connections; /**< per-connection counters */
    uint64_t reconnects;                        /**< of connects, those after a slot's first */
    uint64_t connect_failures;  /**< connection attempts that failed (TLS handshakes included) */
    uint64_t disconnects;       /**< established connections lost (failure, eviction, bad stream) */
    uint64_t evictions;         /**< of disconnects, those by a server eviction frame */
    uint64_t retries;           /**< requests sent again on a new connection after a loss */
    uint64_t transient_replays; /**< requests replayed after a transient outcome (57, 58) */
    uint64_t rtt_p50_us;        /**< median round trip, µs (log-bucket histogram, within 12.5%) */
    uint64_t rtt_p90_us;        /**< 90th percentile round trip, µs */
    uint64_t rtt_p99_us;        /**< 99th percentile round trip, µs */
} iggy_client_stats_t;

/**
 * @brief Destroy any libiggy result (every struct above that the library returned).
 *        NULL is a no-op.
 * @param result the result, or NULL.
 * @threadsafe yes, for distinct results; a result must be destroyed exactly once.
 */
IGGY_EXTERN void iggy_result_destroy(const void *result);

IGGY_END_DECLS

#endif
