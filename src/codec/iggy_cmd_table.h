/* One table describes every command of binary protocol 0.11: code, name, request
 * operation, flags and response vtable. Codes are sparse, so the table is indexed by a
 * dense enum and iggy_cmd_by_code() maps a wire code to its row. */
#ifndef IGGY_CMD_TABLE_H
#define IGGY_CMD_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/iggy_resp.h"

typedef enum iggy_cmd {
    IGGY_CMD_PING,
    IGGY_CMD_GET_STATS,
    IGGY_CMD_GET_SNAPSHOT_FILE,
    IGGY_CMD_GET_CLUSTER_METADATA,
    IGGY_CMD_DESCRIBE_OPTIONS,
    IGGY_CMD_GET_ME,
    IGGY_CMD_GET_CLIENT,
    IGGY_CMD_GET_CLIENTS,
    IGGY_CMD_GET_USER,
    IGGY_CMD_GET_USERS,
    IGGY_CMD_CREATE_USER,
    IGGY_CMD_DELETE_USER,
    IGGY_CMD_UPDATE_USER,
    IGGY_CMD_UPDATE_PERMISSIONS,
    IGGY_CMD_CHANGE_PASSWORD,
    IGGY_CMD_LOGOUT_USER,
    IGGY_CMD_LOGIN_REGISTER,
    IGGY_CMD_GET_PERSONAL_ACCESS_TOKENS,
    IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN,
    IGGY_CMD_DELETE_PERSONAL_ACCESS_TOKEN,
    IGGY_CMD_LOGIN_REGISTER_WITH_PAT,
    IGGY_CMD_POLL_MESSAGES,
    IGGY_CMD_SEND_MESSAGES,
    IGGY_CMD_FLUSH_UNSAVED_BUFFER,
    IGGY_CMD_GET_CONSUMER_OFFSET,
    IGGY_CMD_STORE_CONSUMER_OFFSET,
    IGGY_CMD_DELETE_CONSUMER_OFFSET,
    IGGY_CMD_GET_STREAM,
    IGGY_CMD_GET_STREAMS,
    IGGY_CMD_CREATE_STREAM,
    IGGY_CMD_DELETE_STREAM,
    IGGY_CMD_UPDATE_STREAM,
    IGGY_CMD_PURGE_STREAM,
    IGGY_CMD_GET_TOPIC,
    IGGY_CMD_GET_TOPICS,
    IGGY_CMD_CREATE_TOPIC,
    IGGY_CMD_DELETE_TOPIC,
    IGGY_CMD_UPDATE_TOPIC,
    IGGY_CMD_PURGE_TOPIC,
    IGGY_CMD_CREATE_PARTITIONS,
    IGGY_CMD_DELETE_PARTITIONS,
    IGGY_CMD_DELETE_SEGMENTS,
    IGGY_CMD_GET_CONSUMER_GROUP,
    IGGY_CMD_GET_CONSUMER_GROUPS,
    IGGY_CMD_CREATE_CONSUMER_GROUP,
    IGGY_CMD_DELETE_CONSUMER_GROUP,
    IGGY_CMD_JOIN_CONSUMER_GROUP,
    IGGY_CMD_LEAVE_CONSUMER_GROUP,
    IGGY_CMD_SYNC_CONSUMER_GROUP,
    IGGY_CMD__NUM
} iggy_cmd_t;

/* Command flags. */
#define IGGY_CMDF_NO_AUTH 0x01u         /* allowed before login (Ping) */
#define IGGY_CMDF_EMPTY_NOT_FOUND 0x02u /* status 0 + empty body = not found */

/* Operation classes (framing-and-session.md §2.2, §3): exactly one per row. The client and
 * the mock read these, never operation byte ranges of their own. */
#define IGGY_CMDF_READ                                                                             \
    0x10u /* NonReplicated: id only echoed, may go before login,                                   \
             harmless to run twice */
#define IGGY_CMDF_METADATA                                                                         \
    0x20u                         /* metadata write: deduplicated on the request id, replied       \
                                     to under a committed operation */
#define IGGY_CMDF_PARTITION 0x40u /* partition op (send, store/delete offset): id only echoed */
#define IGGY_CMDF_LOGIN 0x80u     /* Register: request 0, session 0, a fresh client id */
#define IGGY_CMDF_LOGOUT 0x100u   /* Logout: deduplicated on the request id */
#define IGGY_CMDF_SESSION (IGGY_CMDF_LOGIN | IGGY_CMDF_LOGOUT) /* handled by the session layer */
#define IGGY_CMDF_CLASSES                                                                          \
    (IGGY_CMDF_READ | IGGY_CMDF_METADATA | IGGY_CMDF_PARTITION | IGGY_CMDF_SESSION)
/* A successful reply's body opens with a result section (a login's only when not empty). */
#define IGGY_CMDF_RESULT_FRAMED 0x200u
/* The request or the reply carries a password or a token: the client wipes the buffers that
 * held it before they go back to the pool. */
#define IGGY_CMDF_SECRET 0x400u

/* Request-id classes, derived from the operation class. The wire rule differs (the server
 * deduplicates metadata writes on the id and only echoes it elsewhere); libiggy gives every
 * non-login request the next id of the connection's sequence, so both take counter++, and the
 * classes still decide who may go before login and which requests carry a checksum. */
typedef enum iggy_counter_rule {
    IGGY_COUNTER_ZERO,    /* Register: request 0, session 0 */
    IGGY_COUNTER_NEXT,    /* metadata writes and Logout: deduplicated on the id */
    IGGY_COUNTER_CURRENT, /* reads and partition ops: the id is only echoed */
} iggy_counter_rule_t;

typedef struct iggy_cmd_desc {
    uint32_t code;
    const char *name;
    uint8_t operation; /* request operation byte */
    unsigned flags;
    const iggy_resp_ops_t *resp; /* NULL: success carries no payload */
} iggy_cmd_desc_t;

extern const iggy_cmd_desc_t iggy_cmds[IGGY_CMD__NUM];

/* The row for a wire command code, or NULL. */
const iggy_cmd_desc_t *iggy_cmd_by_code(uint32_t code);

/* The row a request operation byte names: the one row of a write, login or logout, the first
 * read (Ping) for NonReplicated. NULL for an operation no request uses. */
const iggy_cmd_desc_t *iggy_cmd_by_operation(uint8_t operation);

/* The class and framing flags of a request operation (0: no request uses it). */
unsigned iggy_op_flags(uint8_t operation);

/* Whether an operation byte is declared by the protocol: a request operation or a committed
 * one (which a client must not send: the server evicts it). */
bool iggy_op_declared(uint8_t operation);

/* Whether a reply body with this operation starts with a result section: a committed
 * operation, a row flagged IGGY_CMDF_RESULT_FRAMED, a login reply that is not empty. */
bool iggy_op_is_result_framed(uint8_t operation, size_t body_len);

/* Whether a reply operation answers a request operation: the same, or a committed one for
 * a metadata write (§2.3). */
bool iggy_op_reply_matches(uint8_t request_operation, uint8_t reply_operation);

/* The request-id rule for a request operation. */
iggy_counter_rule_t iggy_counter_rule(uint8_t operation);

/* Legacy login codes (38, 44) the server answers with an eviction: refused locally. */
#define IGGY_CODE_LEGACY_LOGIN_USER 38u
#define IGGY_CODE_LEGACY_LOGIN_PAT 44u

#endif
