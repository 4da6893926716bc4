/* Private layout of the mock server's in-memory state (iggy_mock_state.h) and the helpers
 * the per-concern handler files share. Everything here runs under the caller's state lock. */
#ifndef IGGY_MOCK_STATE_INTERNAL_H
#define IGGY_MOCK_STATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iggy/types.h>

#include "codec/iggy_primitives.h"
#include "mock/iggy_mock_state.h"

#define MOCK_PROTOCOL_VERSION 0x2C00u /* 0.11.0 */
#define MOCK_PROTOCOL_MAX 0x2FFFu     /* 0.11.1023: major.minor at most ours */
#define MOCK_SERVER_VERSION "0.9.0-edge.5"
#define MOCK_SERVER_SEMVER 9000u
#define MOCK_MAX_STREAMS (1u << 20)
#define MOCK_MAX_TOPICS 4096u
#define MOCK_MAX_PARTITION_ID 1000000u
#define MOCK_MAX_PARTITIONS_PER_REQUEST 1000u
#define MOCK_MAX_PATS_PER_USER 100u
#define MOCK_PAT_TOKEN_LEN 68u /* 50 random bytes, standard base64 with padding */

/* IggyError codes the handlers answer with (errors.tsv). */
enum {
    E_ERROR = 1,
    E_INVALID_COMMAND = 3,
    E_FEATURE_UNAVAILABLE = 5,
    E_RESOURCE_NOT_FOUND = 20,
    E_UNAUTHENTICATED = 40,
    E_UNAUTHORIZED = 41,
    E_INVALID_CREDENTIALS = 42,
    E_INVALID_USERNAME = 43,
    E_USER_ALREADY_EXISTS = 46,
    E_CANNOT_DELETE_USER = 48,
    E_CANNOT_CHANGE_PERMISSIONS = 49,
    E_PAT_ALREADY_EXISTS = 51,
    E_PAT_LIMIT = 52,
    E_PAT_INVALID_EXPIRY = 56,
    E_STREAM_NOT_FOUND = 1009,
    E_STREAM_NAME_EXISTS = 1012,
    E_INVALID_TOPIC_SIZE = 1019,
    E_TOO_MANY_STREAMS = 1020,
    E_TOPIC_NOT_FOUND = 2010,
    E_TOPIC_NAME_EXISTS = 2013,
    E_TOO_MANY_PARTITIONS = 2015,
    E_INVALID_PARTITIONS_COUNT = 2019,
    E_TOO_MANY_TOPICS = 2021,
    E_PARTITION_NOT_FOUND = 3007,
    E_PARTITION_ID_EXHAUSTED = 3013,
    E_OFFSET_NOT_FOUND = 3021,
    E_UNSUPPORTED_OPTION_KEY = 4041,
    E_INVALID_OPTION_VALUE = 4042,
    E_INVALID_OFFSET = 4100,
    E_GROUP_NOT_FOUND = 5000,
    E_GROUP_NAME_EXISTS = 5004,
    E_GROUP_MEMBER_NOT_FOUND = 5006,
};

/* Eviction reasons (eviction_reasons.tsv). */
enum {
    EVICT_NO_SESSION = 1,
    EVICT_INVALID_REQUEST_BODY = 5,
    EVICT_INVALID_CREDENTIALS = 9,
    EVICT_INVALID_TOKEN = 10,
    EVICT_USER_INACTIVE = 11,
    EVICT_SESSION_ERROR = 12,
    EVICT_INCOMPATIBLE_PROTOCOL = 14,
    EVICT_MALFORMED_LOGIN = 15,
};

/* A name as stored: 1..255 bytes, NUL-terminated for convenience. */
typedef struct iggy_mock_name {
    uint8_t len;
    char s[256];
} iggy_mock_name_t;

/* One option entry of a topic's explicit or derived block. */
typedef struct iggy_mock_opt {
    iggy_mock_name_t key;
    uint8_t kind;
    uint8_t len;
    uint8_t value[255];
} iggy_mock_opt_t;

/* An options map kept sorted byte-wise by key (the order the server emits). */
typedef struct iggy_mock_topic_opts {
    size_t count;
    iggy_mock_opt_t *items;
} iggy_mock_topic_opts_t;

typedef struct iggy_mock_pat {
    iggy_mock_name_t name;
    char token[MOCK_PAT_TOKEN_LEN + 1];
    uint64_t expiry_at; /* absolute µs, 0 = never */
} iggy_mock_pat_t;

typedef struct iggy_mock_user {
    uint32_t id;
    uint64_t created_at;
    uint8_t status; /* echoed raw; 2 = inactive, anything else active */
    iggy_mock_name_t name;
    uint8_t password_len;
    char password[256];
    bool has_perms;
    iggy_permissions_t perms; /* arrays live in perms_block */
    void *perms_block;
    size_t pats_count;
    iggy_mock_pat_t *pats;
} iggy_mock_user_t;

/* One stored batch record, stamped (partition_id, base_offset, base_timestamp, checksum). */
typedef struct iggy_mock_record {
    uint8_t *bytes;
    size_t len;
    uint64_t base_offset;
    uint64_t base_timestamp;
    uint32_t count;
    uint32_t segment; /* index of the segment the record landed in */
} iggy_mock_record_t;

/* A consumer offset: kind 1 = consumer (numeric or XXH32 of the name), 2 = group id. */
typedef struct iggy_mock_offset {
    uint8_t kind;
    uint32_t key;
    uint64_t offset;
} iggy_mock_offset_t;

typedef struct iggy_mock_partition {
    uint32_t id;
    uint64_t created_at;
    uint64_t next_offset;    /* offset the next message gets (= messages ever appended) */
    uint64_t last_timestamp; /* last base_timestamp handed out (strictly monotonic) */
    uint64_t size_bytes;
    uint64_t messages_count;
    uint32_t segments;      /* segments created (>= 1 once storage exists) */
    uint32_t first_segment; /* index of the oldest retained segment */
    uint64_t segment_bytes; /* bytes in the newest segment */
    bool has_storage;       /* false until the first append: create reply shows 0 segments */
    size_t records_count, records_cap;
    iggy_mock_record_t *records;
    size_t offsets_count;
    iggy_mock_offset_t *offsets;
    size_t polled_count;
    iggy_mock_offset_t *polled; /* per group (kind 2): highest offset a group poll served */
} iggy_mock_partition_t;

/* A partition the member still owns but hands to target once it has committed what it
 * polled, or after the rebalancing timeout. */
typedef struct iggy_mock_revocation {
    uint32_t partition;
    uint32_t target; /* member id */
    uint64_t created_at;
} iggy_mock_revocation_t;

typedef struct iggy_mock_member {
    uint32_t id;
    uint32_t client; /* the member's client-table entry (iggy_mock_client_t.key) */
    size_t partitions_count;
    uint32_t *partitions; /* owned, pending revocations included */
    size_t pending_count;
    iggy_mock_revocation_t *pending;
} iggy_mock_member_t;

typedef struct iggy_mock_group {
    uint32_t id;
    iggy_mock_name_t name;
    uint64_t generation;
    size_t members_count;
    iggy_mock_member_t *members; /* ascending member id */
} iggy_mock_group_t;

typedef struct iggy_mock_topic {
    uint32_t id;
    uint64_t created_at;
    iggy_mock_name_t name;
    uint64_t message_expiry; /* resolved fixed field */
    uint8_t compression;     /* 1 none, 2 gzip */
    uint64_t max_topic_size;
    uint64_t segment_size;
    iggy_mock_topic_opts_t explicit_opts, derived_opts;
    size_t partitions_count;
    iggy_mock_partition_t **partitions; /* index = partition id (0..n-1) */
    uint64_t balanced_cursor;
    uint32_t next_group_id;
    size_t groups_count;
    iggy_mock_group_t **groups; /* ascending id */
} iggy_mock_topic_t;

typedef struct iggy_mock_stream {
    uint32_t id;
    uint64_t created_at;
    iggy_mock_name_t name;
    size_t topics_cap;
    iggy_mock_topic_t **topics; /* index = topic id, NULL = free */
} iggy_mock_stream_t;

/* A client-table entry (apache/iggy core/consensus/src/client_table.rs): a login (Register)
 * creates it, keyed by the login frame's client id and owned by the logged-in user; a later
 * login presenting the same id as the same user resumes it (binds the new connection to
 * it, memberships and replay window included). A Logout, or the close of its connection on
 * a running server, removes it. A server restart (set_down) keeps it, unbound. */
struct iggy_mock_client {
    uint32_t key;           /* what members name: unique per state lifetime, never 0 */
    iggy_u128_t id;         /* the login's client id; 0 (direct callers only) never resumes */
    uint32_t user_id;       /* the owner: a login as another user is refused */
    uint64_t epoch;         /* the session: op of its latest Register, a resume included */
    iggy_mock_conn_t *conn; /* bound connection, NULL while none is */
    iggy_mock_replay_t replay;
};

struct iggy_mock_state {
    size_t users_cap;
    iggy_mock_user_t **users; /* index = user id, NULL = free */
    size_t streams_cap;
    iggy_mock_stream_t **streams; /* index = stream id, NULL = free */
    size_t conns_count, conns_cap;
    iggy_mock_conn_t **conns; /* open connections in open order */
    size_t clients_count, clients_cap;
    iggy_mock_client_t **clients; /* client table, in creation order */
    uint32_t next_client_key;
    uint64_t op; /* metadata commit counter: sessions are taken from it */
    uint64_t start_us;
    uint64_t rebalancing_timeout_us;
    iggy_mock_cluster_t cluster;
};

/* ---- outcomes */
static inline iggy_mock_outcome_t iggy_mock_ok(void)
{
    iggy_mock_outcome_t o = {MOCK_OK, 0};
    return o;
}
static inline iggy_mock_outcome_t iggy_mock_status(uint32_t code)
{
    iggy_mock_outcome_t o = {MOCK_STATUS, code};
    return o;
}
static inline iggy_mock_outcome_t iggy_mock_reject(uint32_t code)
{
    iggy_mock_outcome_t o = {MOCK_REJECT, code};
    return o;
}
static inline iggy_mock_outcome_t iggy_mock_evict(uint32_t reason)
{
    iggy_mock_outcome_t o = {MOCK_EVICT, reason};
    return o;
}
static inline iggy_mock_outcome_t iggy_mock_silence(void)
{
    iggy_mock_outcome_t o = {MOCK_SILENCE, 0};
    return o;
}

/* Not logged in: reads get status 40, replicated operations NoSession (§5). Returns true
 * (and sets *o) when the call must stop. */
bool iggy_mock_need_auth(const iggy_mock_call_t *call, iggy_mock_outcome_t *o);
#define MOCK_REQUIRE_AUTH(call)                                                                    \
    do {                                                                                           \
        iggy_mock_outcome_t auth_o_;                                                               \
        if (iggy_mock_need_auth((call), &auth_o_))                                                 \
            return auth_o_;                                                                        \
    } while (0)

/* ---- allocation (through the library allocator) */
void *iggy_mock_alloc(size_t n);
void *iggy_mock_calloc(size_t n, size_t size);
void iggy_mock_free(void *p);
/* Grow *arr (element size elem) so that index `need - 1` fits; 0 on no memory. */
int iggy_mock_reserve(void **arr, size_t *cap, size_t need, size_t elem);

/* ---- decoding helpers over request bodies */
bool iggy_mock_utf8_valid(const uint8_t *p, size_t n);
/* WireName [len u8][1..255 UTF-8 bytes]. */
bool iggy_mock_rd_name(iggy_reader_t *r, iggy_mock_name_t *out);
/* Identifier; the name (if any) is copied into *name (len 0 for numeric). */
bool iggy_mock_rd_id(iggy_reader_t *r, iggy_identifier_t *id, iggy_mock_name_t *name);
void iggy_mock_name_set(iggy_mock_name_t *n, const uint8_t *p, size_t len);
bool iggy_mock_name_eq(const iggy_mock_name_t *n, const uint8_t *p, size_t len);
void iggy_mock_wr_name(iggy_writer_t *w, const iggy_mock_name_t *n);

/* A request options block: structurally valid (status 3 otherwise). Entries point into the
 * request bytes; *entries is allocated with iggy_mock_alloc (free with iggy_mock_free). */
bool iggy_mock_rd_options(iggy_reader_t *r, iggy_kv_t **entries, size_t *count);

/* Streams and users accept no option keys: false with *o = status 3 when the block is
 * malformed, 4041 for any key. */
bool iggy_mock_rd_no_options(iggy_reader_t *r, iggy_mock_outcome_t *o);

/* The lowest free slot of a pointer array (ids are reused lowest first), grown to hold it;
 * false when it would reach max or memory runs out (*id says which). */
bool iggy_mock_lowest_free_slot(void ***arr, size_t *cap, size_t max, size_t *id);

/* A request's stream and topic identifiers, names copied (iggy_mock_streams.c). */
typedef struct iggy_mock_ref {
    iggy_identifier_t sid, tid;
    iggy_mock_name_t sn, tn;
} iggy_mock_ref_t;
bool iggy_mock_rd_stream_ref(iggy_reader_t *r, iggy_mock_ref_t *ref);
bool iggy_mock_rd_topic_ref(iggy_reader_t *r, iggy_mock_ref_t *ref);
/* Resolve a committed op's stream (and topic when need_topic): false with a rejection,
 * 1009 or 2010. */
bool iggy_mock_resolve_committed(iggy_mock_call_t *call, const iggy_mock_ref_t *ref,
                                 bool need_topic, iggy_mock_stream_t **s, iggy_mock_topic_t **t,
                                 iggy_mock_outcome_t *o);

/* ---- lookups */
iggy_mock_user_t *iggy_mock_user_by_id(iggy_mock_state_t *st, const iggy_identifier_t *id,
                                       const iggy_mock_name_t *n);
iggy_mock_stream_t *iggy_mock_stream_find(iggy_mock_state_t *st, const iggy_identifier_t *id,
                                          const iggy_mock_name_t *n);
iggy_mock_topic_t *iggy_mock_topic_find(iggy_mock_stream_t *s, const iggy_identifier_t *id,
                                        const iggy_mock_name_t *n);
iggy_mock_group_t *iggy_mock_group_find(iggy_mock_topic_t *t, const iggy_identifier_t *id,
                                        const iggy_mock_name_t *n);
iggy_mock_partition_t *iggy_mock_partition_get(iggy_mock_topic_t *t, uint32_t id);
/* The member of client entry key (iggy_mock_conn_key); NULL for key 0. */
iggy_mock_member_t *iggy_mock_member_of(iggy_mock_group_t *g, uint32_t key);
/* The key of the entry bound to the connection: what its memberships are under; 0 when
 * unbound. */
static inline uint32_t iggy_mock_conn_key(const iggy_mock_conn_t *c)
{
    return c->client ? c->client->key : 0;
}

/* ---- client table (iggy_mock_state.c) */
/* The entry of a non-zero client id; NULL when there is none (always for id 0). */
iggy_mock_client_t *iggy_mock_client_find(iggy_mock_state_t *st, const iggy_u128_t *id);
/* A new, unbound entry; NULL on no memory. */
iggy_mock_client_t *iggy_mock_client_new(iggy_mock_state_t *st, const iggy_u128_t *id,
                                         uint32_t user_id);
/* Bind conn to the entry with the entry's user and epoch. A connection still bound to it
 * is demoted to unauthenticated (the real server's bind_session): it no longer owns the
 * entry, and its close logs nobody out. */
void iggy_mock_client_bind(iggy_mock_state_t *st, iggy_mock_client_t *e, iggy_mock_conn_t *conn);

/* ---- permissions (root, user 0, has everything) */
typedef enum iggy_mock_perm {
    PERM_READ_SERVERS,
    PERM_READ_USERS,
    PERM_MANAGE_USERS,
    PERM_READ_STREAMS,  /* list streams */
    PERM_CREATE_STREAM, /* global manage_streams */
    PERM_READ_STREAM,   /* one stream */
    PERM_MANAGE_STREAM,
    PERM_READ_TOPICS, /* list a stream's topics */
    PERM_CREATE_TOPIC,
    PERM_READ_TOPIC,
    PERM_MANAGE_TOPIC,
    PERM_POLL,
    PERM_SEND,
} iggy_mock_perm_t;
bool iggy_mock_allowed(iggy_mock_state_t *st, uint32_t user_id, iggy_mock_perm_t perm,
                       uint32_t stream_id, uint32_t topic_id);
static inline bool iggy_mock_call_allowed(iggy_mock_call_t *call, iggy_mock_perm_t perm,
                                          uint32_t stream_id, uint32_t topic_id)
{
    return iggy_mock_allowed(call->st, call->conn->user_id, perm, stream_id, topic_id);
}

/* ---- shared state operations */
uint64_t iggy_mock_next_op(iggy_mock_state_t *st);
void iggy_mock_partition_free(iggy_mock_partition_t *p);
void iggy_mock_partition_wipe(iggy_mock_partition_t *p);
iggy_mock_partition_t *iggy_mock_partition_new(uint32_t id, uint64_t now_us);
void iggy_mock_topic_free(iggy_mock_topic_t *t);
void iggy_mock_group_free(iggy_mock_group_t *g);
/* Reassign the topic's partitions round-robin across the group's members, dropping every
 * pending revocation; bumps the generation. */
void iggy_mock_group_rebalance(iggy_mock_topic_t *t, iggy_mock_group_t *g);
void iggy_mock_topic_rebalance_all(iggy_mock_topic_t *t);
/* Complete the group's pending revocations whose source has committed what it polled (or
 * that are older than the rebalancing timeout); each completion bumps the generation. */
void iggy_mock_group_settle(iggy_mock_state_t *st, iggy_mock_topic_t *t, iggy_mock_group_t *g,
                            uint64_t now_us);
void iggy_mock_topic_settle(iggy_mock_state_t *st, iggy_mock_topic_t *t, uint64_t now_us);
/* Drop every membership of client entry key (rebalancing the groups it left). */
void iggy_mock_drop_memberships(iggy_mock_state_t *st, uint32_t key);
bool iggy_mock_member_owns(const iggy_mock_member_t *m, uint32_t partition);
/* Owned and not pending revocation: what SyncConsumerGroup lists and a group poll serves. */
bool iggy_mock_member_pollable(const iggy_mock_member_t *m, uint32_t partition);
iggy_mock_offset_t *iggy_mock_offset_find(iggy_mock_partition_t *p, uint8_t kind, uint32_t key);
bool iggy_mock_offset_store(iggy_mock_partition_t *p, uint8_t kind, uint32_t key, uint64_t offset);
/* o points into p's offsets (iggy_mock_offset_find). */
void iggy_mock_offset_remove(iggy_mock_partition_t *p, iggy_mock_offset_t *o);
/* A group's last_polled on p: raised (never lowered) by every non-empty group poll. */
void iggy_mock_polled_note(iggy_mock_partition_t *p, uint32_t group_id, uint64_t offset);
void iggy_mock_polled_clear(iggy_mock_partition_t *p, uint32_t group_id);
/* The group has nothing in flight on p: never polled, or committed >= last_polled. */
bool iggy_mock_group_drained(iggy_mock_partition_t *p, uint32_t group_id);

/* ---- encoders shared by handlers */
void iggy_mock_wr_stream(iggy_writer_t *w, const iggy_mock_stream_t *s);
void iggy_mock_wr_topic_header(iggy_writer_t *w, const iggy_mock_topic_t *t);
void iggy_mock_wr_partition(iggy_writer_t *w, const iggy_mock_partition_t *p, bool fresh);
void iggy_mock_wr_group(iggy_writer_t *w, const iggy_mock_topic_t *t, const iggy_mock_group_t *g,
                        bool members);
void iggy_mock_wr_user(iggy_writer_t *w, const iggy_mock_user_t *u, bool details);
uint64_t iggy_mock_topic_size(const iggy_mock_topic_t *t, uint64_t *messages);

/* ---- topic option catalog (iggy_mock_topics.c) */
typedef struct iggy_mock_catalog_entry {
    const char *key;
    uint8_t kind; /* canonical kind */
    uint8_t default_len;
    uint8_t default_value[8];
    const char *description;
} iggy_mock_catalog_entry_t;
extern const iggy_mock_catalog_entry_t iggy_mock_topic_catalog[8];

/* ---- handlers, one per command (iggy_mock_*.c) */
iggy_mock_outcome_t iggy_mock_h_ping(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_get_stats(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_get_snapshot_file(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_get_cluster_metadata(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_describe_options(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_get_me(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_get_client(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_get_clients(iggy_mock_call_t *call);

iggy_mock_outcome_t iggy_mock_h_get_user(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_get_users(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_create_user(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_delete_user(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_update_user(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_update_permissions(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_change_password(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_logout(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_login(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_get_pats(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_create_pat(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_delete_pat(iggy_mock_call_t *call);

iggy_mock_outcome_t iggy_mock_h_poll_messages(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_send_messages(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_flush_unsaved_buffer(iggy_mock_call_t *call);

iggy_mock_outcome_t iggy_mock_h_get_consumer_offset(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_store_consumer_offset(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_delete_consumer_offset(iggy_mock_call_t *call);

iggy_mock_outcome_t iggy_mock_h_get_stream(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_get_streams(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_create_stream(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_delete_stream(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_update_stream(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_purge_stream(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_get_topic(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_get_topics(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_create_topic(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_delete_topic(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_update_topic(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_purge_topic(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_create_partitions(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_delete_partitions(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_delete_segments(iggy_mock_call_t *call);

iggy_mock_outcome_t iggy_mock_h_get_consumer_group(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_get_consumer_groups(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_create_consumer_group(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_delete_consumer_group(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_join_consumer_group(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_leave_consumer_group(iggy_mock_call_t *call);
iggy_mock_outcome_t iggy_mock_h_sync_consumer_group(iggy_mock_call_t *call);

#endif
