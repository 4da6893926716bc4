/* The response vtable: one entry per response type. */
#ifndef IGGY_RESP_H
#define IGGY_RESP_H

#include <stddef.h>

#include <iggy/error.h>

#include "codec/iggy_arena.h"
#include "codec/iggy_reader.h"

typedef struct iggy_resp_ops {
    const char *name; /* response type, used in error details */
    size_t size;      /* sizeof the root result struct */
    /* Decode the payload (result section already stripped) into out. Runs twice: measure
     * (arena base NULL) then fill. It must read the payload to the end. */
    iggy_err_t (*decode)(iggy_reader_t *r, iggy_arena_t *a, void *out);
} iggy_resp_ops_t;

/**
 * Unmarshal a payload through ops into one library-allocated block.
 * *inout may hold a previous result of the same type: it is reused when big enough
 * (getline style) and otherwise replaced; on failure *inout is left untouched.
 */
iggy_err_t iggy_resp_unmarshal(const iggy_resp_ops_t *ops, const uint8_t *payload, size_t len,
                               void **inout);

/* The same with per-call decode options handed to the decoder as reader->opts. A reused
 * block that is too small is replaced by one with headroom (twice the old capacity), so
 * a steady-state loop stops allocating. */
iggy_err_t iggy_resp_unmarshal_ctx(const iggy_resp_ops_t *ops, const uint8_t *payload, size_t len,
                                   void *ctx, void **inout);

/* A zeroed result block of size bytes built by the library itself (not decoded), freed by
 * iggy_result_destroy(); NULL when out of memory. */
void *iggy_result_alloc(size_t size);

/* Every response type (defined in the iggy_cmd_*.c files). */
extern const iggy_resp_ops_t iggy_resp_login;
extern const iggy_resp_ops_t iggy_resp_stats;
extern const iggy_resp_ops_t iggy_resp_cluster_metadata;
extern const iggy_resp_ops_t iggy_resp_option_descriptions;
extern const iggy_resp_ops_t iggy_resp_client_info;
extern const iggy_resp_ops_t iggy_resp_client_info_list;
extern const iggy_resp_ops_t iggy_resp_user;
extern const iggy_resp_ops_t iggy_resp_user_list;
extern const iggy_resp_ops_t iggy_resp_pat_list;
extern const iggy_resp_ops_t iggy_resp_raw_pat;
extern const iggy_resp_ops_t iggy_resp_raw;
extern const iggy_resp_ops_t iggy_resp_stream;
extern const iggy_resp_ops_t iggy_resp_stream_list;
extern const iggy_resp_ops_t iggy_resp_topic;
extern const iggy_resp_ops_t iggy_resp_topic_list;
extern const iggy_resp_ops_t iggy_resp_consumer_group;
extern const iggy_resp_ops_t iggy_resp_consumer_group_list;
extern const iggy_resp_ops_t iggy_resp_group_assignment;
extern const iggy_resp_ops_t iggy_resp_consumer_offset;
extern const iggy_resp_ops_t iggy_resp_send_confirmations;
extern const iggy_resp_ops_t iggy_resp_polled_messages;

#endif
