#include "codec/iggy_frame.h"

#include <iggy/version.h>

#include <string.h>

#include "codec/iggy_reader.h"
#include "codec/iggy_writer.h"
#include "iggy_error_internal.h"

/* Header offsets (framing-and-session.md §1). */

static void put_u128(uint8_t *p, const iggy_u128_t *v)
{
    iggy_put_le64(p, v->lo);
    iggy_put_le64(p + 8, v->hi);
}

static iggy_u128_t get_u128(const uint8_t *p)
{
    iggy_u128_t v = {iggy_le64(p), iggy_le64(p + 8)};
    return v;
}

void iggy_frame_encode_request(uint8_t out[IGGY_HEADER_SIZE], const iggy_request_header_t *h)
{
    memset(out, 0, IGGY_HEADER_SIZE);
    iggy_put_le32(out + IGGY_FRAME_OFF_SIZE, IGGY_HEADER_SIZE + h->body_len);
    out[IGGY_FRAME_OFF_COMMAND] = IGGY_FRAME_REQUEST;
    put_u128(out + IGGY_FRAME_OFF_REQ_CLIENT, &h->client);
    iggy_put_le64(out + IGGY_FRAME_OFF_REQ_CHECKSUM, h->request_checksum);
    iggy_put_le64(out + IGGY_FRAME_OFF_REQ_REQUEST, h->request);
    out[IGGY_FRAME_OFF_REQ_OPERATION] = h->operation;
    iggy_put_le64(out + IGGY_FRAME_OFF_REQ_SESSION, h->session);
    if (h->operation == IGGY_OP_NON_REPLICATED)
        iggy_put_le32(out + IGGY_FRAME_OFF_REQ_CODE, h->code);
}

void iggy_frame_encode_reply(uint8_t out[IGGY_HEADER_SIZE], const iggy_u128_t *client,
                             uint64_t request, uint8_t operation, uint32_t status,
                             uint32_t body_len, uint64_t op, uint64_t commit)
{
    memset(out, 0, IGGY_HEADER_SIZE);
    iggy_put_le32(out + IGGY_FRAME_OFF_SIZE, IGGY_HEADER_SIZE + body_len);
    out[IGGY_FRAME_OFF_COMMAND] = IGGY_FRAME_REPLY;
    put_u128(out + IGGY_FRAME_OFF_REP_CLIENT, client);
    iggy_put_le64(out + IGGY_FRAME_OFF_REP_OP, op);
    iggy_put_le64(out + IGGY_FRAME_OFF_REP_COMMIT, commit);
    iggy_put_le64(out + IGGY_FRAME_OFF_REP_REQUEST, request);
    out[IGGY_FRAME_OFF_REP_OPERATION] = operation;
    iggy_put_le32(out + IGGY_FRAME_OFF_REP_STATUS, status);
}

void iggy_frame_encode_eviction(uint8_t out[IGGY_HEADER_SIZE], const iggy_u128_t *client,
                                uint8_t reason, uint32_t proto_max, uint32_t proto_min)
{
    memset(out, 0, IGGY_HEADER_SIZE);
    iggy_put_le32(out + IGGY_FRAME_OFF_SIZE, IGGY_HEADER_SIZE);
    out[IGGY_FRAME_OFF_COMMAND] = IGGY_FRAME_EVICTION;
    put_u128(out + IGGY_FRAME_OFF_EVI_CLIENT, client);
    iggy_put_le32(out + IGGY_FRAME_OFF_EVI_PROTO_MAX, proto_max);
    iggy_put_le32(out + IGGY_FRAME_OFF_EVI_PROTO_MIN, proto_min);
    out[IGGY_FRAME_OFF_EVI_REASON] = reason;
}

static iggy_err_t check_size(uint32_t size, size_t max_frame)
{
    if (size < IGGY_HEADER_SIZE || size > max_frame)
        return iggy_fail(IGGY_ERR__BAD_MSG, "frame header: size %u outside [256, %zu]", size,
                         max_frame);
    return IGGY_OK;
}

iggy_err_t iggy_frame_decode_reply(const uint8_t in[IGGY_HEADER_SIZE], size_t max_frame,
                                   iggy_frame_header_t *out)
{
    memset(out, 0, sizeof *out);
    out->size = iggy_le32(in + IGGY_FRAME_OFF_SIZE);
    out->command = in[IGGY_FRAME_OFF_COMMAND];
    IGGY_TRY(check_size(out->size, max_frame));
    if (out->command == IGGY_FRAME_EVICTION) {
        if (out->size != IGGY_HEADER_SIZE)
            return iggy_fail(IGGY_ERR__BAD_MSG, "eviction frame: size %u, want 256", out->size);
        out->client = get_u128(in + IGGY_FRAME_OFF_EVI_CLIENT);
        out->server_protocol_max = iggy_le32(in + IGGY_FRAME_OFF_EVI_PROTO_MAX);
        out->server_protocol_min = iggy_le32(in + IGGY_FRAME_OFF_EVI_PROTO_MIN);
        out->reason = in[IGGY_FRAME_OFF_EVI_REASON];
        return IGGY_OK;
    }
    if (out->command != IGGY_FRAME_REPLY)
        return iggy_fail(IGGY_ERR__BAD_MSG,
                         "frame header: command %u is neither Reply (8) nor "
                         "Eviction (13)",
                         out->command);
    out->client = get_u128(in + IGGY_FRAME_OFF_REP_CLIENT);
    out->op = iggy_le64(in + IGGY_FRAME_OFF_REP_OP);
    out->commit = iggy_le64(in + IGGY_FRAME_OFF_REP_COMMIT);
    out->request = iggy_le64(in + IGGY_FRAME_OFF_REP_REQUEST);
    out->operation = in[IGGY_FRAME_OFF_REP_OPERATION];
    out->status = iggy_le32(in + IGGY_FRAME_OFF_REP_STATUS);
    if (out->status != 0 && out->size != IGGY_HEADER_SIZE)
        return iggy_fail(IGGY_ERR__BAD_MSG, "reply header: status %u with a %u-byte body",
                         out->status, out->size - IGGY_HEADER_SIZE);
    return IGGY_OK;
}

iggy_err_t iggy_frame_decode_request(const uint8_t in[IGGY_HEADER_SIZE], size_t max_frame,
                                     iggy_frame_header_t *out)
{
    memset(out, 0, sizeof *out);
    out->size = iggy_le32(in + IGGY_FRAME_OFF_SIZE);
    out->command = in[IGGY_FRAME_OFF_COMMAND];
    IGGY_TRY(check_size(out->size, max_frame));
    out->client = get_u128(in + IGGY_FRAME_OFF_REQ_CLIENT);
    out->request_checksum = iggy_le64(in + IGGY_FRAME_OFF_REQ_CHECKSUM);
    out->request_checksum_hi = iggy_le64(in + IGGY_FRAME_OFF_REQ_CHECKSUM + 8);
    out->release = iggy_le32(in + IGGY_FRAME_OFF_REQ_RELEASE);
    out->request = iggy_le64(in + IGGY_FRAME_OFF_REQ_REQUEST);
    out->operation = in[IGGY_FRAME_OFF_REQ_OPERATION];
    out->session = iggy_le64(in + IGGY_FRAME_OFF_REQ_SESSION);
    out->code =
        out->operation == IGGY_OP_NON_REPLICATED ? iggy_le32(in + IGGY_FRAME_OFF_REQ_CODE) : 0;
    return IGGY_OK;
}

iggy_err_t iggy_result_section_strip(const uint8_t *body, size_t len, size_t *payload_off)
{
    uint32_t count, result;
    if (len < 4)
        return iggy_fail(IGGY_ERR__BAD_MSG, "result section: %zu-byte body, want at least 4", len);
    count = iggy_le32(body);
    if (count > (len - 4) / 8)
        return iggy_fail(IGGY_ERR__BAD_MSG,
                         "result section: count %u needs %llu bytes, body has %zu", count,
                         4ull + 8ull * count, len);
    if (count > 0) {
        result = iggy_le32(body + 8);
        if (result != 0)
            return iggy_err_from_wire(result, "committed rejection");
    }
    *payload_off = 4 + 8 * (size_t)count;
    return IGGY_OK;
}

static const char *const g_reason_names[] = {"Reserved",
                                             "NoSession",
                                             "ClientReleaseTooLow",
                                             "ClientReleaseTooHigh",
                                             "InvalidRequestOperation",
                                             "InvalidRequestBody",
                                             "InvalidRequestBodySize",
                                             "SessionTooLow",
                                             "SessionReleaseMismatch",
                                             "InvalidCredentials",
                                             "InvalidToken",
                                             "UserInactive",
                                             "SessionError",
                                             "StaleClient",
                                             "IncompatibleProtocol",
                                             "MalformedLogin"};

const char *iggy_eviction_reason_name(uint8_t reason)
{
    return reason < sizeof g_reason_names / sizeof g_reason_names[0] ? g_reason_names[reason]
                                                                     : "Unknown";
}

iggy_err_t iggy_eviction_to_err(uint8_t reason, uint32_t proto_max, uint32_t proto_min)
{
    iggy_err_t err;
    switch (reason) {
    case 1:
    case 7:
    case 8:
    case 11:
    case 12:
        err = IGGY_ERR_UNAUTHENTICATED;
        break;
    case 9:
        err = IGGY_ERR_INVALID_CREDENTIALS;
        break;
    case 10:
        err = IGGY_ERR_INVALID_PERSONAL_ACCESS_TOKEN;
        break;
    case 13:
        err = IGGY_ERR_STALE_CLIENT;
        break;
    case 14:
        if (proto_min == 0 || proto_max < proto_min)
            err = IGGY_ERR_UNAUTHENTICATED;
        else
            return iggy_fail(IGGY_ERR_INCOMPATIBLE_PROTOCOL_VERSION,
                             "evicted: IncompatibleProtocol; client speaks %u.%u.%u, server "
                             "accepts %u.%u.%u..%u.%u.%u",
                             (IGGY_PROTOCOL_VERSION >> 20) & 0x3ff,
                             (IGGY_PROTOCOL_VERSION >> 10) & 0x3ff, IGGY_PROTOCOL_VERSION & 0x3ff,
                             (proto_min >> 20) & 0x3ff, (proto_min >> 10) & 0x3ff,
                             proto_min & 0x3ff, (proto_max >> 20) & 0x3ff,
                             (proto_max >> 10) & 0x3ff, proto_max & 0x3ff);
        break;
    case 15:
        err = IGGY_ERR_INVALID_FORMAT;
        break;
    default:
        err = IGGY_ERR_INVALID_COMMAND;
        break;
    }
    return iggy_fail(err, "evicted: %s (reason %u)", iggy_eviction_reason_name(reason), reason);
}
