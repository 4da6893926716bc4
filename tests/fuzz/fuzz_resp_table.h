/* fuzz_resp's entries, shared with gen_corpus (which names its seeds by entry): every
 * response vtable of src/codec/iggy_resp.h, then the primitive blocks replies embed
 * (options and user-headers TLV blocks, permissions), each wrapped as a vtable so it runs
 * through the same two-pass unmarshal as a reply. */
#ifndef IGGY_FUZZ_RESP_TABLE_H
#define IGGY_FUZZ_RESP_TABLE_H

#include <string.h>

#include <iggy/types.h>

#include "codec/iggy_primitives.h"
#include "iggy_error_internal.h"
#include "fuzz_common.h"

static inline iggy_err_t fuzz_dec_kv_block(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    IGGY_TRY(iggy_dec_kv_block(r, a, iggy_rd_left(r), 0, out));
    return iggy_rd_end(r);
}

static inline iggy_err_t fuzz_dec_kv_block_strict(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    IGGY_TRY(iggy_dec_kv_block(r, a, iggy_rd_left(r), 1, out));
    return iggy_rd_end(r);
}

static inline iggy_err_t fuzz_dec_options32(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    IGGY_TRY(iggy_dec_options32(r, a, out));
    return iggy_rd_end(r);
}

static inline iggy_err_t fuzz_dec_permissions(iggy_reader_t *r, iggy_arena_t *a, void *out)
{
    IGGY_TRY(iggy_dec_permissions(r, a, iggy_rd_left(r), out));
    return iggy_rd_end(r);
}

static const iggy_resp_ops_t fuzz_resp_kv_block = {"user headers block", sizeof(iggy_kv_list_t),
                                                   fuzz_dec_kv_block};
static const iggy_resp_ops_t fuzz_resp_kv_block_strict = {"options block", sizeof(iggy_kv_list_t),
                                                          fuzz_dec_kv_block_strict};
static const iggy_resp_ops_t fuzz_resp_options32 = {"options32", sizeof(iggy_kv_list_t),
                                                    fuzz_dec_options32};
static const iggy_resp_ops_t fuzz_resp_permissions = {
    "permissions block", sizeof(iggy_permissions_t), fuzz_dec_permissions};

static inline const fuzz_resp_entry_t *fuzz_resp_entries(size_t *count)
{
    static const fuzz_resp_entry_t entries[] = {
        {"login", &iggy_resp_login},
        {"stats", &iggy_resp_stats},
        {"cluster_metadata", &iggy_resp_cluster_metadata},
        {"option_descriptions", &iggy_resp_option_descriptions},
        {"client_info", &iggy_resp_client_info},
        {"client_info_list", &iggy_resp_client_info_list},
        {"user", &iggy_resp_user},
        {"user_list", &iggy_resp_user_list},
        {"pat_list", &iggy_resp_pat_list},
        {"raw_pat", &iggy_resp_raw_pat},
        {"raw", &iggy_resp_raw},
        {"stream", &iggy_resp_stream},
        {"stream_list", &iggy_resp_stream_list},
        {"topic", &iggy_resp_topic},
        {"topic_list", &iggy_resp_topic_list},
        {"consumer_group", &iggy_resp_consumer_group},
        {"consumer_group_list", &iggy_resp_consumer_group_list},
        {"group_assignment", &iggy_resp_group_assignment},
        {"consumer_offset", &iggy_resp_consumer_offset},
        {"send_confirmations", &iggy_resp_send_confirmations},
        {"polled_messages", &iggy_resp_polled_messages},
        {"kv_block", &fuzz_resp_kv_block},
        {"kv_block_strict", &fuzz_resp_kv_block_strict},
        {"options32", &fuzz_resp_options32},
        {"permissions", &fuzz_resp_permissions},
    };
    *count = sizeof entries / sizeof entries[0];
    return entries;
}

/* The index of the entry called name, or -1. */
static inline int fuzz_resp_index(const char *name)
{
    size_t n;
    const fuzz_resp_entry_t *e = fuzz_resp_entries(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(e[i].name, name) == 0)
            return (int)i;
    return -1;
}

#endif
