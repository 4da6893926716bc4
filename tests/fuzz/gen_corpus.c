/* Writes the seed corpus of every fuzz target into <out>/<target>/ (docs/FUZZING.md):
 *   - the golden vectors of ../shared/protocol/vectors.txt each target reads (reply bodies
 *     and frames, request frames and bodies, primitive blocks), with the selector byte the
 *     target expects (fuzz_common.h);
 *   - poll replies made by the library's own send path (iggy_send_transform and
 *     iggy_enc_send_messages_raw) with every compression codec, with and without
 *     AES-256-GCM, each checked to decode back to the messages sent;
 *   - decompression bombs: tiny frames that expand far past the per-reply budget or declare
 *     sizes they do not hold, alone and as whole replies of them;
 *   - connection strings and conf properties, keys, and a command sequence for the mock.
 * Usage: fuzz_gen_corpus <out-dir>; tests/fuzz/corpus is its committed output. */
#include <errno.h>
#include <lz4frame.h>
#include <sys/stat.h>
#include <xxhash.h>
#include <zstd.h>

#include <iggy/conf.h>
#include <iggy/version.h>

#include "codec/iggy_cmd_table.h"
#include "codec/iggy_codec.h"
#include "codec/iggy_frame.h"
#include "fuzz_poll_common.h"
#include "fuzz_resp_table.h"
#include "vectors.h"

static const char *g_out;
static iggy_pool_t *g_pool;
static size_t g_files, g_bytes;

_Noreturn static void die(const char *what)
{
    fprintf(stderr, "gen_corpus: %s: %s\n", what, iggy_last_error_detail());
    exit(1);
}

static void mkdir_p(const char *path)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        die(path);
}

/* <out>/<target>/<name> = [sel (when >= 0)] + p[0..n). */
static void put(const char *target, const char *name, int sel, const void *p, size_t n)
{
    char path[1024];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", g_out, target);
    mkdir_p(path);
    snprintf(path, sizeof path, "%s/%s/%s", g_out, target, name);
    f = fopen(path, "wb");
    if (!f)
        die(path);
    if (sel >= 0)
        fputc(sel, f);
    if ((n && fwrite(p, 1, n, f) != n) || fclose(f) != 0)
        die(path);
    g_files++;
    g_bytes += n + (sel >= 0);
}

/* A growable byte string. */
typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf_t;

static void buf_add(buf_t *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            die("realloc");
    }
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void buf_u8(buf_t *b, uint8_t v)
{
    buf_add(b, &v, 1);
}

static iggy_writer_t writer(void)
{
    iggy_writer_t w;
    if (iggy_wr_init(&w, g_pool, 256, IGGY_MAX_FRAME_SIZE) != IGGY_OK)
        die("writer");
    return w;
}

/* ---------------------------------------------------------------- vectors */

typedef struct resp_seed {
    const char *vector;
    const char *entry;
} resp_seed_t;

/* Reply vectors by the vtable that decodes them (check_decoder_robustness's cases), then
 * the primitive blocks. */
static const resp_seed_t RESP_SEEDS[] = {
    {"login_reply_body", "login"},
    {"login_reply", "login"},
    {"get_me_reply_body", "client_info"},
    {"get_me_reply", "client_info"},
    {"create_user_reply_body", "user"},
    {"create_user_reply", "user"},
    {"get_stats_reply_body", "stats"},
    {"get_cluster_metadata_reply_body", "cluster_metadata"},
    {"create_pat_reply_body", "raw_pat"},
    {"get_pats_reply_body", "pat_list"},
    {"get_user_reply_body", "user"},
    {"create_stream_reply_body", "stream"},
    {"get_streams_reply_body", "stream_list"},
    {"get_stream_reply_body", "stream"},
    {"get_stream_reply_body_minimal", "stream"},
    {"create_topic_reply_body", "topic"},
    {"get_topics_reply_body", "topic_list"},
    {"get_topics_reply_body_empty", "topic_list"},
    {"get_topics_reply_body_minimal", "topic_list"},
    {"get_topic_reply_body_minimal", "topic"},
    {"get_topic_reply_body_default", "topic"},
    {"create_consumer_group_reply_body", "consumer_group"},
    {"get_consumer_group_reply_body", "consumer_group"},
    {"get_consumer_groups_reply_body", "consumer_group_list"},
    {"sync_consumer_group_reply_body", "group_assignment"},
    {"get_consumer_offset_reply_body", "consumer_offset"},
    {"poll_reply_body_golden", "polled_messages"},
    {"poll_reply_body_headers", "polled_messages"},
    {"poll_reply_body_sliced", "polled_messages"},
    {"poll_reply_body_empty", "polled_messages"},
    {"poll_reply_body_resync", "polled_messages"},
    {"poll_empty_reply", "polled_messages"},
    {"send_messages_reply_body", "send_confirmations"},
    {"options_block_golden", "kv_block_strict"},
    {"topic_default_derived_options", "kv_block_strict"},
    {"user_headers_block", "kv_block"},
    {"user_headers_block_single", "kv_block"},
    {"permissions_block", "permissions"},
};

/* A reply vector's payload: past the frame header and any result section. */
static const uint8_t *payload_of(const test_vector_t *v, size_t *len)
{
    const uint8_t *p = v->bytes;
    size_t n = v->len, off = 0;
    if (strcmp(v->kind, "reply_frame") == 0) {
        iggy_frame_header_t h;
        if (iggy_frame_decode_reply(p, IGGY_MAX_FRAME_SIZE, &h) != IGGY_OK)
            die(v->name);
        p += IGGY_HEADER_SIZE;
        n -= IGGY_HEADER_SIZE;
        if (iggy_op_is_result_framed(h.operation, n) &&
            iggy_result_section_strip(p, n, &off) != IGGY_OK)
            die(v->name);
    } else if (strcmp(v->kind, "reply_body") == 0 && n >= 4) {
        /* Result-framed bodies open with a [count u32] section: login, create replies. */
        if ((strstr(v->name, "login_reply") || strstr(v->name, "create_")) &&
            iggy_result_section_strip(p, n, &off) != IGGY_OK)
            die(v->name);
    }
    *len = n - off;
    return p + off;
}

static void resp_vectors(void)
{
    uint8_t options32[4 + 512];
    for (size_t i = 0; i < sizeof RESP_SEEDS / sizeof RESP_SEEDS[0]; i++) {
        const test_vector_t *v = vector_get(RESP_SEEDS[i].vector);
        int sel = fuzz_resp_index(RESP_SEEDS[i].entry);
        const uint8_t *p;
        size_t n;
        char name[160];
        if (sel < 0)
            die(RESP_SEEDS[i].entry);
        p = payload_of(v, &n);
        snprintf(name, sizeof name, "vec_%s", v->name);
        put("resp", name, sel, p, n);
    }
    /* options32: [len u32][options block], the way stream, topic and user replies hold it */
    {
        const test_vector_t *v = vector_get("options_block_golden");
        iggy_put_le32(options32, (uint32_t)v->len);
        memcpy(options32 + 4, v->bytes, v->len);
        put("resp", "vec_options_block_golden_32", fuzz_resp_index("options32"), options32,
            4 + v->len);
    }
}

static void poll_vectors(void)
{
    static const char *const names[] = {"poll_reply_body_golden", "poll_reply_body_headers",
                                        "poll_reply_body_sliced", "poll_reply_body_empty",
                                        "poll_reply_body_resync"};
    static const unsigned flags[] = {0,
                                     FUZZ_POLL_VERIFY,
                                     FUZZ_POLL_DECOMPRESS,
                                     FUZZ_POLL_NO_OPTS,
                                     FUZZ_POLL_DECOMPRESS | FUZZ_POLL_VERIFY | FUZZ_POLL_REUSE,
                                     FUZZ_POLL_DECRYPT | FUZZ_POLL_DECOMPRESS};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const test_vector_t *v = vector_get(names[i]);
        for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++) {
            char name[160];
            snprintf(name, sizeof name, "vec_%s_%02x", v->name, flags[f]);
            put("poll", name, (int)flags[f], v->bytes, v->len);
        }
    }
}

/* fuzz_frame's selector for a reply frame answering cmd (its `answered` rule). */
static int frame_sel_for(uint8_t operation, iggy_cmd_t cmd)
{
    unsigned k = 0;
    for (size_t i = 0; i < IGGY_CMD__NUM; i++) {
        if (!iggy_op_reply_matches(iggy_cmds[i].operation, operation))
            continue;
        if (i == (size_t)cmd)
            return (int)k;
        k++;
    }
    return 0;
}

static void frame_vectors(void)
{
    static const struct {
        const char *vector;
        iggy_cmd_t cmd;
    } answers[] = {
        {"ping_reply", IGGY_CMD_PING},
        {"login_reply", IGGY_CMD_LOGIN_REGISTER},
        {"get_me_reply", IGGY_CMD_GET_ME},
        {"create_user_reply", IGGY_CMD_CREATE_USER},
        {"create_user_rejected_reply", IGGY_CMD_CREATE_USER},
        {"deny_unauthenticated_reply", IGGY_CMD_GET_STATS},
        {"logout_reply", IGGY_CMD_LOGOUT_USER},
        {"transient_not_accepted_reply", IGGY_CMD_CREATE_STREAM},
        {"poll_empty_reply", IGGY_CMD_POLL_MESSAGES},
        {"poll_denied_reply", IGGY_CMD_POLL_MESSAGES},
    };
    size_t count;
    const test_vector_t *all = vectors_all(&count);
    buf_t replies = {0}, requests = {0};
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        const test_vector_t *v = vector_get(answers[i].vector);
        char name[160];
        snprintf(name, sizeof name, "vec_%s", v->name);
        put("frame", name, frame_sel_for(v->bytes[IGGY_FRAME_OFF_REP_OPERATION], answers[i].cmd),
            v->bytes, v->len);
    }
    for (size_t i = 0; i < count; i++) {
        const test_vector_t *v = &all[i];
        char name[160];
        if (strcmp(v->kind, "eviction_frame") == 0) {
            snprintf(name, sizeof name, "vec_%s", v->name);
            put("frame", name, 0, v->bytes, v->len);
            buf_add(&replies, v->bytes, v->len);
        } else if (strcmp(v->kind, "reply_frame") == 0) {
            buf_add(&replies, v->bytes, v->len);
        } else if (strcmp(v->kind, "request_frame") == 0) {
            snprintf(name, sizeof name, "vec_%s", v->name);
            put("frame", name, 0, v->bytes, v->len);
            buf_add(&requests, v->bytes, v->len);
        }
    }
    /* Whole streams: every reply frame back to back (in file order, so the evictions end
     * the client's reader early), every request frame back to back. */
    put("frame", "vec_all_reply_frames", 0, replies.p, replies.n);
    put("frame", "vec_all_reply_frames_small", FUZZ_FRAME_SMALL, replies.p, replies.n);
    put("frame", "vec_all_request_frames", 0, requests.p, requests.n);
    free(replies.p);
    free(requests.p);
}

/* Request bodies by the command they belong to (longest names first where one name
 * starts another). */
static const struct {
    const char *prefix;
    iggy_cmd_t cmd;
} BODY_CMDS[] = {
    {"login_register_body", IGGY_CMD_LOGIN_REGISTER},
    {"create_user_body", IGGY_CMD_CREATE_USER},
    {"get_user_body", IGGY_CMD_GET_USER},
    {"create_pat_body", IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN},
    {"get_client_body", IGGY_CMD_GET_CLIENT},
    {"create_stream_body", IGGY_CMD_CREATE_STREAM},
    {"update_stream_body", IGGY_CMD_UPDATE_STREAM},
    {"delete_stream_body", IGGY_CMD_DELETE_STREAM},
    {"get_stream_body", IGGY_CMD_GET_STREAM},
    {"purge_stream_body", IGGY_CMD_PURGE_STREAM},
    {"create_topic_body", IGGY_CMD_CREATE_TOPIC},
    {"get_topics_body", IGGY_CMD_GET_TOPICS},
    {"get_topic_body", IGGY_CMD_GET_TOPIC},
    {"update_topic_body", IGGY_CMD_UPDATE_TOPIC},
    {"delete_topic_body", IGGY_CMD_DELETE_TOPIC},
    {"purge_topic_body", IGGY_CMD_PURGE_TOPIC},
    {"create_partitions_body", IGGY_CMD_CREATE_PARTITIONS},
    {"delete_partitions_body", IGGY_CMD_DELETE_PARTITIONS},
    {"delete_segments_body", IGGY_CMD_DELETE_SEGMENTS},
    {"create_consumer_group_body", IGGY_CMD_CREATE_CONSUMER_GROUP},
    {"get_consumer_groups_body", IGGY_CMD_GET_CONSUMER_GROUPS},
    {"get_consumer_group_body", IGGY_CMD_GET_CONSUMER_GROUP},
    {"join_consumer_group_body", IGGY_CMD_JOIN_CONSUMER_GROUP},
    {"leave_consumer_group_body", IGGY_CMD_LEAVE_CONSUMER_GROUP},
    {"delete_consumer_group_body", IGGY_CMD_DELETE_CONSUMER_GROUP},
    {"sync_consumer_group_body", IGGY_CMD_SYNC_CONSUMER_GROUP},
    {"store_consumer_offset_body", IGGY_CMD_STORE_CONSUMER_OFFSET},
    {"get_consumer_offset_body", IGGY_CMD_GET_CONSUMER_OFFSET},
    {"delete_consumer_offset_body", IGGY_CMD_DELETE_CONSUMER_OFFSET},
    {"send_messages_body", IGGY_CMD_SEND_MESSAGES},
    {"poll_body", IGGY_CMD_POLL_MESSAGES},
    {"flush_unsaved_buffer_body", IGGY_CMD_FLUSH_UNSAVED_BUFFER},
};

/* One REWRITE record [body_len u16][header][body] for cmd (request id for writes). */
static void mock_record(buf_t *b, iggy_cmd_t cmd, uint64_t request, const uint8_t *body, size_t len)
{
    iggy_request_header_t h;
    uint8_t hdr[IGGY_HEADER_SIZE];
    memset(&h, 0, sizeof h);
    h.client = (iggy_u128_t){0x1111, 0xC0FFEE};
    h.operation = iggy_cmds[cmd].operation;
    h.code = iggy_cmds[cmd].code;
    h.body_len = (uint32_t)len;
    if (iggy_counter_rule(h.operation) != IGGY_COUNTER_ZERO)
        h.request = request;
    iggy_frame_encode_request(hdr, &h);
    buf_u8(b, (uint8_t)len);
    buf_u8(b, (uint8_t)(len >> 8));
    buf_add(b, hdr, sizeof hdr);
    buf_add(b, body, len);
}

static void mock_vectors(void)
{
    size_t count;
    const test_vector_t *all = vectors_all(&count);
    for (size_t i = 0; i < count; i++) {
        const test_vector_t *v = &all[i];
        char name[160];
        if (strcmp(v->kind, "request_frame") == 0) {
            snprintf(name, sizeof name, "vec_%s", v->name);
            put("mock_dispatch", name, 0, v->bytes, v->len);
            snprintf(name, sizeof name, "vec_%s_login", v->name);
            put("mock_dispatch", name, FUZZ_MOCK_LOGIN, v->bytes, v->len);
        } else if (strcmp(v->kind, "request_body") == 0) {
            for (size_t k = 0; k < sizeof BODY_CMDS / sizeof BODY_CMDS[0]; k++) {
                buf_t b = {0};
                if (strncmp(v->name, BODY_CMDS[k].prefix, strlen(BODY_CMDS[k].prefix)) != 0)
                    continue;
                mock_record(&b, BODY_CMDS[k].cmd, 1, v->bytes, v->len);
                snprintf(name, sizeof name, "vec_%s", v->name);
                put("mock_dispatch", name, FUZZ_MOCK_LOGIN | FUZZ_MOCK_REWRITE, b.p, b.n);
                free(b.p);
                break;
            }
        }
    }
}

/* ---------------------------------------------------------------- the library's send path */

static const iggy_compression_codec_t CODECS[] = {
    IGGY_COMPRESSION_CODEC_NONE, IGGY_COMPRESSION_CODEC_ZSTD, IGGY_COMPRESSION_CODEC_SNAPPY,
    IGGY_COMPRESSION_CODEC_LZ4};

/* A poll reply body holding the batch record of a send_messages body (what the server
 * stores and returns; its checksums hold). */
static uint8_t *reply_from_send(const iggy_writer_t *w, uint32_t count, size_t *len)
{
    size_t meta = iggy_le32(w->data), rec = 4 + meta;
    uint8_t *b;
    *len = IGGY_POLL_PREFIX_SIZE + (w->len - rec);
    b = malloc(*len);
    if (!b)
        die("malloc");
    iggy_put_le32(b, 1);
    iggy_put_le64(b + 4, count - 1);
    iggy_put_le32(b + 12, count);
    memcpy(b + IGGY_POLL_PREFIX_SIZE, w->data + rec, w->len - rec);
    return b;
}

/* Messages a producer sends: empty, short text, repetitive, typed headers. */
#define SEND_COUNT 4
static void sample_messages(iggy_send_message_t *m, uint8_t *big, size_t big_len,
                            iggy_kv_t *headers)
{
    static const char text[] = "hello, fuzzer";
    for (size_t i = 0; i < big_len; i++)
        big[i] = (uint8_t)("abcabcabd"[i % 9] + (i / 500));
    memset(m, 0, SEND_COUNT * sizeof *m);
    m[0].payload = "";
    m[0].payload_len = 0;
    m[1].payload = text;
    m[1].payload_len = sizeof text - 1;
    m[2].payload = big;
    m[2].payload_len = (uint32_t)big_len;
    headers[0] = (iggy_kv_t){IGGY_KV_STRING,
                             IGGY_KV_STRING,
                             12,
                             10,
                             (const uint8_t *)"content-type",
                             (const uint8_t *)"text/plain"};
    headers[1] = (iggy_kv_t){IGGY_KV_STRING,           IGGY_KV_STRING,      5, 1,
                             (const uint8_t *)"retry", (const uint8_t *)"3"};
    m[3].payload = big;
    m[3].payload_len = 200;
    m[3].headers = headers;
    m[3].headers_count = 2;
}

static void check_decodes(const uint8_t *body, size_t len, unsigned flags,
                          const iggy_send_message_t *sent)
{
    iggy_polled_messages_t *out = NULL;
    if (fuzz_poll_decode(body, len, flags, &out) != IGGY_OK || out->count != SEND_COUNT)
        die("a send-path reply does not decode");
    for (size_t i = 0; i < SEND_COUNT; i++) {
        const iggy_message_t *m = &out->messages[i];
        if (m->error != IGGY_OK || m->payload_len != sent[i].payload_len ||
            memcmp(m->payload, sent[i].payload, m->payload_len) != 0)
            die("a send-path message does not decode to what was sent");
    }
    iggy_result_destroy(out);
}

static void send_path_replies(void)
{
    fuzz_poll_ctx_t *c = fuzz_poll_ctx();
    uint8_t big[1500];
    iggy_kv_t headers[2];
    iggy_send_message_t msgs[SEND_COUNT], out[SEND_COUNT];
    iggy_raw_block_t raw[SEND_COUNT];
    iggy_identifier_t stream = iggy_id_num(1), topic = iggy_id_num(1);
    iggy_partitioning_t part = {IGGY_PARTITIONING_PARTITION_ID, 1, NULL, 0};
    iggy_scratch_t scratch = {0};

    sample_messages(msgs, big, sizeof big, headers);
    for (size_t k = 0; k < 2; k++) {
        for (size_t ci = 0; ci < sizeof CODECS / sizeof CODECS[0]; ci++) {
            iggy_send_transform_t t = {CODECS[ci],          0,     0,
                                       k ? FUZZ_KEY : NULL, false, 1750000000000000ull};
            iggy_writer_t w = writer();
            unsigned base = FUZZ_POLL_DECOMPRESS | (k ? FUZZ_POLL_DECRYPT : 0);
            uint8_t *body;
            size_t len;
            char name[128];
            if (iggy_send_transform(&t, c->comp, c->crypto, g_pool, &scratch, msgs, SEND_COUNT, out,
                                    raw) != IGGY_OK)
                die("iggy_send_transform");
            iggy_enc_send_messages_raw(&w, &stream, &topic, &part, out, SEND_COUNT, raw,
                                       1750000000000000ull);
            if (iggy_wr_status(&w) != IGGY_OK)
                die("iggy_enc_send_messages_raw");
            body = reply_from_send(&w, SEND_COUNT, &len);
            check_decodes(body, len, base | FUZZ_POLL_VERIFY, msgs);
            snprintf(name, sizeof name, "send_%s%s", iggy_codec_name(CODECS[ci]), k ? "_aes" : "");
            put("poll", name, (int)(base | FUZZ_POLL_VERIFY), body, len);
            snprintf(name, sizeof name, "send_%s%s_reuse_small", iggy_codec_name(CODECS[ci]),
                     k ? "_aes" : "");
            put("poll", name,
                (int)(base | FUZZ_POLL_REUSE | FUZZ_POLL_SMALL_BUDGET | FUZZ_POLL_SMALL_MAX), body,
                len);
            snprintf(name, sizeof name, "send_%s%s_plain", iggy_codec_name(CODECS[ci]),
                     k ? "_aes" : "");
            put("poll", name, FUZZ_POLL_NO_OPTS, body, len);
            /* the sealed payloads, for the decrypt target */
            if (k) {
                snprintf(name, sizeof name, "send_%s_sealed_open", iggy_codec_name(CODECS[ci]));
                put("decrypt", name, FUZZ_DECRYPT_OPEN, out[2].payload, out[2].payload_len);
                snprintf(name, sizeof name, "send_%s_sealed_poll", iggy_codec_name(CODECS[ci]));
                put("decrypt", name, FUZZ_DECRYPT_POLL, out[1].payload, out[1].payload_len);
            } else if (CODECS[ci] != IGGY_COMPRESSION_CODEC_NONE) {
                /* the compressed payloads, for the decompress target */
                for (size_t i = 1; i < SEND_COUNT; i++) {
                    snprintf(name, sizeof name, "send_%s_%zu", iggy_codec_name(CODECS[ci]), i);
                    put("decompress", name, FUZZ_DECOMP_BYTE(CODECS[ci], i, i), out[i].payload,
                        out[i].payload_len);
                }
            }
            free(body);
            iggy_wr_release(&w);
        }
    }
    iggy_scratch_free(&scratch);
}

/* ---------------------------------------------------------------- bombs */

/* zstd without a content size: n zero bytes in a few bytes of RLE blocks. */
static size_t zstd_unsized(size_t n, uint8_t *dst, size_t cap)
{
    ZSTD_CCtx *z = ZSTD_createCCtx();
    uint8_t *zeros = calloc(1, n);
    size_t r;
    if (!z || !zeros)
        die("zstd");
    ZSTD_CCtx_setParameter(z, ZSTD_c_contentSizeFlag, 0);
    ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, 19);
    r = ZSTD_compress2(z, dst, cap, zeros, n);
    if (ZSTD_isError(r))
        die("ZSTD_compress2");
    ZSTD_freeCCtx(z);
    free(zeros);
    return r;
}

/* zstd declaring size bytes (8-byte content size) but holding one raw block of 10. */
static size_t zstd_lying(uint64_t size, uint8_t *dst)
{
    static const uint8_t magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
    size_t n = 0;
    memcpy(dst, magic, 4);
    n = 4;
    dst[n++] = 0xC0; /* 8-byte content size, window descriptor follows */
    dst[n++] = 0x00; /* 1 KiB window */
    iggy_put_le64(dst + n, size);
    n += 8;
    dst[n++] = 0x51; /* last block, raw, 10 bytes */
    dst[n++] = 0x00;
    dst[n++] = 0x00;
    memset(dst + n, 'x', 10);
    return n + 10;
}

/* LZ4 frame without a content size: n zero bytes in 64 KiB blocks. */
static size_t lz4_unsized(size_t n, uint8_t *dst, size_t cap)
{
    LZ4F_preferences_t p;
    uint8_t *zeros = calloc(1, n), *tmp;
    size_t r, bound;
    memset(&p, 0, sizeof p);
    p.frameInfo.blockSizeID = LZ4F_max64KB;
    p.compressionLevel = 12;
    bound = LZ4F_compressFrameBound(n, &p); /* the worst case, for liblz4's sake */
    tmp = malloc(bound);
    if (!zeros || !tmp)
        die("calloc");
    r = LZ4F_compressFrame(tmp, bound, zeros, n, &p);
    if (LZ4F_isError(r) || r > cap)
        die("LZ4F_compressFrame");
    memcpy(dst, tmp, r);
    free(tmp);
    free(zeros);
    return r;
}

/* LZ4 frame declaring size bytes but holding one stored block of 10. */
static size_t lz4_lying(uint64_t size, uint8_t *dst)
{
    size_t n = 0;
    iggy_put_le32(dst, 0x184D2204u);
    dst[4] = 0x68; /* version 01, independent blocks, content size */
    dst[5] = 0x40; /* 64 KiB blocks */
    iggy_put_le64(dst + 6, size);
    dst[14] = (uint8_t)(XXH32(dst + 4, 10, 0) >> 8);
    n = 15;
    iggy_put_le32(dst + n, 0x80000000u | 10u);
    n += 4;
    memset(dst + n, 'x', 10);
    n += 10;
    iggy_put_le32(dst + n, 0); /* end mark */
    return n + 4;
}

/* snappy declaring size bytes, holding a 4-byte literal. */
static size_t snappy_lying(uint32_t size, uint8_t *dst)
{
    size_t n = 0;
    while (size >= 0x80) {
        dst[n++] = (uint8_t)(size | 0x80);
        size >>= 7;
    }
    dst[n++] = (uint8_t)size;
    dst[n++] = 3 << 2; /* literal of 4 bytes */
    memcpy(dst + n, "xxxx", 4);
    return n + 4;
}

/* A reply of copies messages carrying bomb, marked with codec, through the send path
 * (raw user-headers blocks, no transform). */
static void bomb_reply(const char *name, iggy_compression_codec_t codec, const uint8_t *bomb,
                       size_t n, uint32_t copies)
{
    iggy_send_message_t *m = calloc(copies, sizeof *m);
    iggy_raw_block_t *raw = calloc(copies, sizeof *raw);
    iggy_identifier_t stream = iggy_id_num(1), topic = iggy_id_num(1);
    iggy_partitioning_t part = {IGGY_PARTITIONING_PARTITION_ID, 1, NULL, 0};
    iggy_kv_t marker = {IGGY_KV_STRING,
                        IGGY_KV_STRING,
                        sizeof IGGY_COMPRESSION_HEADER_KEY - 1,
                        (uint32_t)strlen(iggy_codec_name(codec)),
                        (const uint8_t *)IGGY_COMPRESSION_HEADER_KEY,
                        (const uint8_t *)iggy_codec_name(codec)};
    uint8_t headers[64], *body;
    size_t hlen = (size_t)(iggy_kv_block_put(headers, &marker, 1) - headers), len;
    iggy_writer_t w = writer();
    if (!m || !raw)
        die("calloc");
    for (uint32_t i = 0; i < copies; i++) {
        m[i].id = (iggy_u128_t){i + 1, 0};
        m[i].origin_timestamp = 1750000000000000ull;
        m[i].payload = bomb;
        m[i].payload_len = (uint32_t)n;
        raw[i].data = headers;
        raw[i].len = (uint32_t)hlen;
    }
    iggy_enc_send_messages_raw(&w, &stream, &topic, &part, m, copies, raw, 1750000000000000ull);
    if (iggy_wr_status(&w) != IGGY_OK)
        die("bomb reply");
    body = reply_from_send(&w, copies, &len);
    put("poll", name, FUZZ_POLL_DECOMPRESS | FUZZ_POLL_VERIFY, body, len);
    free(body);
    iggy_wr_release(&w);
    free(m);
    free(raw);
}

static void bombs(void)
{
    static uint8_t b[1 << 16];
    struct {
        const char *name;
        iggy_compression_codec_t codec;
        size_t n;
    } all[8];
    size_t count = 0, off = 0;
#define BOMB(nm, cd, expr)                                                                         \
    do {                                                                                           \
        all[count].name = nm;                                                                      \
        all[count].codec = cd;                                                                     \
        all[count].n = (expr);                                                                     \
        count++;                                                                                   \
    } while (0)
    BOMB("zstd_unsized_64m", IGGY_COMPRESSION_CODEC_ZSTD, zstd_unsized(64u << 20, b, 1 << 14));
    off += all[count - 1].n;
    BOMB("zstd_declares_4g", IGGY_COMPRESSION_CODEC_ZSTD, zstd_lying(4ull << 30, b + off));
    off += all[count - 1].n;
    BOMB("zstd_declares_60m", IGGY_COMPRESSION_CODEC_ZSTD, zstd_lying(60u << 20, b + off));
    off += all[count - 1].n;
    BOMB("zstd_declares_3m", IGGY_COMPRESSION_CODEC_ZSTD, zstd_lying(3u << 20, b + off));
    off += all[count - 1].n;
    BOMB("lz4_unsized_1m", IGGY_COMPRESSION_CODEC_LZ4, lz4_unsized(1u << 20, b + off, 1 << 14));
    off += all[count - 1].n;
    BOMB("lz4_declares_4g", IGGY_COMPRESSION_CODEC_LZ4, lz4_lying(4ull << 30, b + off));
    off += all[count - 1].n;
    BOMB("snappy_declares_4g", IGGY_COMPRESSION_CODEC_SNAPPY, snappy_lying(0xFFFFFFFFu, b + off));
    off += all[count - 1].n;
    BOMB("snappy_declares_3m", IGGY_COMPRESSION_CODEC_SNAPPY, snappy_lying(3u << 20, b + off));
    off += all[count - 1].n;
#undef BOMB
    off = 0;
    for (size_t i = 0; i < count; i++) {
        char name[128];
        const uint8_t *p = b + off;
        off += all[i].n;
        snprintf(name, sizeof name, "bomb_%s", all[i].name);
        put("decompress", name, FUZZ_DECOMP_BYTE(all[i].codec, 3, 1), p, all[i].n);
        snprintf(name, sizeof name, "bomb_%s_x16", all[i].name);
        put("decompress", name, FUZZ_DECOMP_BYTE(all[i].codec, 2, 16), p, all[i].n);
        snprintf(name, sizeof name, "bomb_%s_x32_reply", all[i].name);
        bomb_reply(name, all[i].codec, p, all[i].n, 32);
    }
}

/* ---------------------------------------------------------------- decompress, decrypt */

static void codec_samples(void)
{
    fuzz_poll_ctx_t *c = fuzz_poll_ctx();
    static const char text[] = "the quick brown fox jumps over the lazy dog, the quick brown fox";
    uint8_t dst[1024];
    for (size_t ci = 1; ci < sizeof CODECS / sizeof CODECS[0]; ci++) {
        char name[64];
        size_t n;
        if (iggy_compress(c->comp, CODECS[ci], 0, (const uint8_t *)text, sizeof text - 1, dst,
                          sizeof dst, &n) != IGGY_OK)
            die("iggy_compress");
        snprintf(name, sizeof name, "text_%s", iggy_codec_name(CODECS[ci]));
        put("decompress", name, FUZZ_DECOMP_BYTE(CODECS[ci], 0, 2), dst, n);
        if (iggy_compress(c->comp, CODECS[ci], 0, NULL, 0, dst, sizeof dst, &n) != IGGY_OK)
            die("iggy_compress");
        snprintf(name, sizeof name, "empty_%s", iggy_codec_name(CODECS[ci]));
        put("decompress", name, FUZZ_DECOMP_BYTE(CODECS[ci], 1, 1), dst, n);
    }
    put("decompress", "text_none", FUZZ_DECOMP_BYTE(IGGY_COMPRESSION_CODEC_NONE, 0, 1), text,
        sizeof text - 1);
}

static void crypto_samples(void)
{
    fuzz_poll_ctx_t *c = fuzz_poll_ctx();
    static const char text[] = "attack at dawn";
    uint8_t sealed[64], rt[32 + 1 + sizeof text - 1];
    const char *hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const char *b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    if (iggy_encrypt(c->crypto, FUZZ_KEY, (const uint8_t *)text, sizeof text - 1, sealed) !=
        IGGY_OK)
        die("iggy_encrypt");
    put("decrypt", "sealed_text_open", FUZZ_DECRYPT_OPEN, sealed,
        sizeof text - 1 + IGGY_CRYPTO_OVERHEAD);
    put("decrypt", "sealed_text_poll", FUZZ_DECRYPT_POLL, sealed,
        sizeof text - 1 + IGGY_CRYPTO_OVERHEAD);
    if (iggy_encrypt(c->crypto, FUZZ_KEY, NULL, 0, sealed) != IGGY_OK)
        die("iggy_encrypt");
    put("decrypt", "sealed_empty_open", FUZZ_DECRYPT_OPEN, sealed, IGGY_CRYPTO_OVERHEAD);
    memcpy(rt, FUZZ_KEY, 32);
    rt[32] = 7;
    memcpy(rt + 33, text, sizeof text - 1);
    put("decrypt", "roundtrip_text", FUZZ_DECRYPT_ROUNDTRIP, rt, sizeof rt);
    put("decrypt", "key_hex", FUZZ_DECRYPT_KEY_TEXT, hex, strlen(hex));
    put("decrypt", "key_base64", FUZZ_DECRYPT_KEY_TEXT, b64, strlen(b64));
}

/* ---------------------------------------------------------------- conf */

static void conf_samples(void)
{
    static const char *const strings[] = {
        "iggy://iggy:iggy@127.0.0.1:8090",
        "iggy+tcp://user:secret@localhost:3000?tls=true&tls_domain=example.com",
        "iggy://TOKEN123@host:1?reconnection_retries=unlimited&reconnection_interval=1s",
        "iggy://a:b@h:65535?reestablish_after=5s&heartbeat_interval=500ms&nodelay=true",
        "iggy://a:b@h:1?tls_ca_file=/etc/ssl/ca.pem&reconnection_retries=3",
        "iggy+quic://a:b@h:1",
        "iggy://a:b@[::1]:1",
        "iggy://a:b:c@h:1",
        "iggy://a:b@h:1?",
        "iggy://a:b@h:1?x=1&&y=2",
    };
    iggy_conf_t *conf;
    char *dump, *line, *save = NULL;
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "cs_%02zu", i);
        put("conf", name, FUZZ_CONF_CONNECTION_STRING, strings[i], strlen(strings[i]));
    }
    /* name=value for every property, as iggy_conf_dump prints it */
    if (iggy_conf_new(&conf) != IGGY_OK || !(dump = iggy_conf_dump(conf)))
        die("conf");
    for (line = strtok_r(dump, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char name[96], *cut = strstr(line, "  #"), *eq = strchr(line, '=');
        if (cut)
            *cut = '\0';
        if (!eq || strcmp(eq + 1, "***") == 0)
            continue;
        snprintf(name, sizeof name, "set_%.*s", (int)(eq - line), line);
        put("conf", name, FUZZ_CONF_SET, line, strlen(line));
    }
    iggy_free(dump);
    iggy_conf_destroy(conf);
}

/* ---------------------------------------------------------------- a mock session */

/* Login, then a life cycle through the encoders: streams, topics, messages, offsets,
 * groups, tokens, users, clean-up. */
static void mock_session(void)
{
    buf_t b = {0};
    uint64_t req = 1;
    iggy_identifier_t s = iggy_id_name("s"), t = iggy_id_name("t"), g = iggy_id_name("g");
    iggy_consumer_ref_t single = {IGGY_CONSUMER_SINGLE, iggy_id_num(1)};
    iggy_consumer_ref_t group = {IGGY_CONSUMER_GROUP, iggy_id_name("g")};
    iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
    iggy_partitioning_t part = {IGGY_PARTITIONING_PARTITION_ID, 1, NULL, 0};
    uint8_t big[1500];
    iggy_kv_t headers[2];
    iggy_send_message_t msgs[SEND_COUNT];
    uint32_t p1 = 1;
#define STEP(cmd, enc)                                                                             \
    do {                                                                                           \
        iggy_writer_t w_ = writer();                                                               \
        iggy_writer_t *w = &w_;                                                                    \
        enc;                                                                                       \
        if (iggy_wr_status(w) != IGGY_OK)                                                          \
            die(#cmd);                                                                             \
        mock_record(&b, cmd, req++, w->data, w->len);                                              \
        iggy_wr_release(w);                                                                        \
    } while (0)
    sample_messages(msgs, big, sizeof big, headers);
    STEP(IGGY_CMD_PING, (void)w);
    STEP(IGGY_CMD_CREATE_STREAM, iggy_enc_create_stream(w, "s", NULL, 0));
    STEP(IGGY_CMD_CREATE_TOPIC, iggy_enc_create_topic(w, &s, 2, "t", NULL, 0));
    STEP(IGGY_CMD_SEND_MESSAGES,
         iggy_enc_send_messages(w, &s, &t, &part, msgs, SEND_COUNT, 1750000000000000ull));
    STEP(IGGY_CMD_POLL_MESSAGES, iggy_enc_poll_messages(w, &single, &s, &t, &p1, &first, 10, 1));
    STEP(IGGY_CMD_GET_STREAM, iggy_enc_get_stream(w, &s));
    STEP(IGGY_CMD_GET_STREAMS, (void)w);
    STEP(IGGY_CMD_GET_TOPICS, iggy_enc_stream_ref(w, &s));
    STEP(IGGY_CMD_GET_TOPIC, iggy_enc_topic_ref(w, &s, &t));
    STEP(IGGY_CMD_STORE_CONSUMER_OFFSET,
         iggy_enc_store_consumer_offset(w, &single, &s, &t, &p1, 2, IGGY_ACK_QUORUM));
    STEP(IGGY_CMD_GET_CONSUMER_OFFSET, iggy_enc_get_consumer_offset(w, &single, &s, &t, &p1));
    STEP(IGGY_CMD_CREATE_CONSUMER_GROUP, iggy_enc_create_consumer_group(w, &s, &t, "g"));
    STEP(IGGY_CMD_JOIN_CONSUMER_GROUP, iggy_enc_group_ref(w, &s, &t, &g));
    STEP(IGGY_CMD_SYNC_CONSUMER_GROUP, iggy_enc_group_ref(w, &s, &t, &g));
    STEP(IGGY_CMD_POLL_MESSAGES, iggy_enc_poll_messages(w, &group, &s, &t, NULL, &first, 10, 1));
    STEP(IGGY_CMD_GET_CONSUMER_GROUPS, iggy_enc_topic_ref(w, &s, &t));
    STEP(IGGY_CMD_GET_ME, (void)w);
    STEP(IGGY_CMD_GET_CLIENTS, (void)w);
    STEP(IGGY_CMD_GET_STATS, (void)w);
    STEP(IGGY_CMD_GET_CLUSTER_METADATA, (void)w);
    STEP(IGGY_CMD_CREATE_USER, iggy_enc_create_user(w, "u", "secret", IGGY_USER_ACTIVE, NULL));
    STEP(IGGY_CMD_GET_USERS, (void)w);
    STEP(IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN, iggy_enc_create_personal_access_token(w, "tok", 0));
    STEP(IGGY_CMD_GET_PERSONAL_ACCESS_TOKENS, (void)w);
    STEP(IGGY_CMD_LEAVE_CONSUMER_GROUP, iggy_enc_group_ref(w, &s, &t, &g));
    STEP(IGGY_CMD_PURGE_TOPIC, iggy_enc_topic_ref(w, &s, &t));
    STEP(IGGY_CMD_DELETE_TOPIC, iggy_enc_topic_ref(w, &s, &t));
    STEP(IGGY_CMD_DELETE_STREAM, iggy_enc_stream_ref(w, &s));
    STEP(IGGY_CMD_LOGOUT_USER, (void)w);
#undef STEP
    put("mock_dispatch", "session_lifecycle", FUZZ_MOCK_LOGIN | FUZZ_MOCK_REWRITE, b.p, b.n);
    put("mock_dispatch", "session_lifecycle_backup",
        FUZZ_MOCK_LOGIN | FUZZ_MOCK_REWRITE | FUZZ_MOCK_BACKUP, b.p, b.n);
    free(b.p);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <out-dir>\n", argv[0]);
        return 2;
    }
    g_out = argv[1];
    mkdir_p(g_out);
    fuzz_setup();
    if (iggy_pool_new(&g_pool, 4096, 1u << 20, 8, IGGY_MAX_FRAME_SIZE) != IGGY_OK)
        die("pool");
    resp_vectors();
    poll_vectors();
    frame_vectors();
    mock_vectors();
    send_path_replies();
    bombs();
    codec_samples();
    crypto_samples();
    conf_samples();
    mock_session();
    iggy_pool_destroy(g_pool);
    printf("gen_corpus: %zu files, %zu bytes in %s\n", g_files, g_bytes, g_out);
    return 0;
}
