/* The 256-byte consensus header: the only file that knows its layout. */
#ifndef IGGY_FRAME_H
#define IGGY_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iggy/error.h>
#include <iggy/types.h>

#define IGGY_HEADER_SIZE 256u

/* Header field offsets (framing-and-session.md §1): the one place the layout lives. Common
 * prefix, then the request, reply and eviction views of bytes 128..255. */
#define IGGY_FRAME_OFF_SIZE 48u
#define IGGY_FRAME_OFF_REQ_RELEASE 56u /* the common prefix's release, checked on requests */
#define IGGY_FRAME_OFF_COMMAND 60u
#define IGGY_FRAME_OFF_EVI_CLIENT 128u
#define IGGY_FRAME_OFF_EVI_PROTO_MAX 144u
#define IGGY_FRAME_OFF_EVI_PROTO_MIN 148u
#define IGGY_FRAME_OFF_EVI_REASON 255u
#define IGGY_FRAME_OFF_REP_CHECKSUM 128u
#define IGGY_FRAME_OFF_REP_CLIENT 160u
#define IGGY_FRAME_OFF_REP_OP 176u
#define IGGY_FRAME_OFF_REP_COMMIT 184u
#define IGGY_FRAME_OFF_REP_TIMESTAMP 192u
#define IGGY_FRAME_OFF_REP_REQUEST 200u
#define IGGY_FRAME_OFF_REP_OPERATION 208u
#define IGGY_FRAME_OFF_REP_STATUS 216u
#define IGGY_FRAME_OFF_REQ_CLIENT 128u
#define IGGY_FRAME_OFF_REQ_CHECKSUM 144u
#define IGGY_FRAME_OFF_REQ_TIMESTAMP 160u
#define IGGY_FRAME_OFF_REQ_REQUEST 168u
#define IGGY_FRAME_OFF_REQ_OPERATION 176u
#define IGGY_FRAME_OFF_REQ_SESSION 184u
#define IGGY_FRAME_OFF_REQ_CODE 196u
#define IGGY_MAX_FRAME_SIZE (64u * 1024u * 1024u) /* header included, both directions */

/* Header `command` byte values a client meets. */
#define IGGY_FRAME_REQUEST 5
#define IGGY_FRAME_REPLY 8
#define IGGY_FRAME_EVICTION 13
#define IGGY_FRAME_COMMAND_MAX 29

/* Operations (header byte 176 in requests, 208 in replies). */
#define IGGY_OP_REGISTER 1
#define IGGY_OP_NON_REPLICATED 2
#define IGGY_OP_LOGOUT 3
/* Reply operations of committed metadata writes (§2.3); no request uses them. */
#define IGGY_OP_COMMITTED_FIRST 64
#define IGGY_OP_COMMITTED_LAST 68

/* What a client puts in a request header. */
typedef struct iggy_request_header {
    iggy_u128_t client;
    uint64_t request_checksum; /* 0 = unstamped; else XXH3-64 of the body */
    uint64_t request;
    uint64_t session;
    uint32_t code; /* written at 196..199 only for operation 2 */
    uint32_t body_len;
    uint8_t operation;
} iggy_request_header_t;

/* Any decoded frame header (request, reply or eviction fields). */
typedef struct iggy_frame_header {
    uint32_t size;
    uint8_t command;
    /* request fields */
    iggy_u128_t client;
    uint64_t request_checksum;
    uint64_t request_checksum_hi; /* upper half of the u128; a valid stamp leaves it 0 */
    uint32_t release;             /* the common prefix's release; requests must send 0 */
    uint64_t session;
    uint32_t code;
    /* reply fields */
    uint64_t request;
    uint8_t operation;
    uint32_t status;
    uint64_t op, commit;
    /* eviction fields */
    uint8_t reason;
    uint32_t server_protocol_max, server_protocol_min;
} iggy_frame_header_t;

/* Encode a request header into out (all 256 bytes are written). */
void iggy_frame_encode_request(uint8_t out[IGGY_HEADER_SIZE], const iggy_request_header_t *h);

/* Reply and eviction headers, as a server (the mock) writes them. */
void iggy_frame_encode_reply(uint8_t out[IGGY_HEADER_SIZE], const iggy_u128_t *client,
                             uint64_t request, uint8_t operation, uint32_t status,
                             uint32_t body_len, uint64_t op, uint64_t commit);
void iggy_frame_encode_eviction(uint8_t out[IGGY_HEADER_SIZE], const iggy_u128_t *client,
                                uint8_t reason, uint32_t proto_max, uint32_t proto_min);

/* Decode a server-to-client header. Rejects size outside [256, max_frame] and command
 * bytes other than Reply and Eviction with IGGY_ERR__BAD_MSG. */
iggy_err_t iggy_frame_decode_reply(const uint8_t in[IGGY_HEADER_SIZE], size_t max_frame,
                                   iggy_frame_header_t *out);

/* Decode a client-to-server header (for the mock server). */
iggy_err_t iggy_frame_decode_request(const uint8_t in[IGGY_HEADER_SIZE], size_t max_frame,
                                     iggy_frame_header_t *out);

/* Strip a result section. Returns IGGY_OK with *payload_off set, the committed rejection
 * code, or IGGY_ERR__BAD_MSG for a body shorter than its count implies. */
iggy_err_t iggy_result_section_strip(const uint8_t *body, size_t len, size_t *payload_off);

/* Map an eviction reason to the error every SDK reports for it. */
iggy_err_t iggy_eviction_to_err(uint8_t reason, uint32_t proto_max, uint32_t proto_min);

/* Eviction reason name, "Unknown" if out of range. */
const char *iggy_eviction_reason_name(uint8_t reason);

#endif
