/* Codec micro-benchmarks, gated on instruction counts (bench/codec_gate.py): callgrind counts
 * instructions, not seconds, so a figure is stable on a shared, noisy machine. Each case runs
 * its loop with callgrind's collection switched on only around it (run under
 * `valgrind --tool=callgrind --collect-atstart=no`) and prints how many messages it handled:
 *
 *   bench_codec CASE [--rounds N]     prints "case CASE messages N"
 *   bench_codec --list                prints the case names
 *
 * Cases: encode_{100,1k} (a send body of 1000 messages with both checksums, into a reused
 * pool buffer; the ids given), encode_mint_ids_100 (the same with every id minted),
 * poll_decode_{100,1k} (a poll reply of 1000 messages decoded with copy-out
 * into a reused result, default options, no checksum verification) and poll_decode_verify_100
 * (the same with every checksum verified). Without valgrind the loops simply run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_TOGGLE_COLLECT /* no valgrind headers: the loops just run */
#endif

#include <iggy/iggy.h>

#include "codec/iggy_batch.h"
#include "codec/iggy_codec.h"
#include "codec/iggy_message_transform.h"
#include "codec/iggy_resp.h"
#include "pool/iggy_pool.h"

#define BATCH 1000

typedef struct bench_case {
    const char *name;
    int (*run)(int rounds, size_t size, int flag);
    size_t size;
    int flag; /* encode: ids given; decode: checksums verified */
} bench_case_t;

static iggy_pool_t *pool(void)
{
    static iggy_pool_t *p;
    if (!p && iggy_pool_new(&p, 4096, 64u << 20, 4, 64u << 20) != IGGY_OK) {
        fprintf(stderr, "pool\n");
        exit(1);
    }
    return p;
}

/* BATCH messages of size bytes each (payload text, no headers); ids {0,0} (minted by the
 * encoder) or given, as a caller that builds its batch once and resends it has them
 * (iggy-bench does: the Rust SDK mints ids when the batch is built). */
static iggy_send_message_t *messages(size_t size, int with_ids)
{
    static iggy_send_message_t m[BATCH];
    static char *payload;
    free(payload);
    payload = malloc(size);
    for (size_t i = 0; i < size; i++)
        payload[i] = (char)('a' + i % 26);
    for (int i = 0; i < BATCH; i++) {
        memset(&m[i], 0, sizeof m[i]);
        m[i].payload = payload;
        m[i].payload_len = (uint32_t)size;
        if (with_ids) {
            m[i].id.lo = 0x0123456789abcdefull ^ (uint64_t)i;
            m[i].id.hi = 0x4000000000000000ull | (uint64_t)i;
        }
    }
    return m;
}

/* with_ids: the messages carry their ids (1) or have them minted (0). */
static int run_encode(int rounds, size_t size, int with_ids)
{
    iggy_identifier_t s = iggy_id_num(1), t = iggy_id_num(1);
    iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    iggy_send_message_t *m = messages(size, with_ids);
    for (int warm = 1; warm >= 0; warm--) {
        if (!warm)
            CALLGRIND_TOGGLE_COLLECT;
        for (int r = 0; r < (warm ? 2 : rounds); r++) {
            iggy_writer_t w;
            if (iggy_wr_init(&w, pool(), BATCH * (size + 64) + 1024, 64u << 20) != IGGY_OK)
                return -1;
            iggy_enc_send_messages(&w, &s, &t, &p0, m, BATCH, 1700000000000000ull);
            if (iggy_wr_status(&w) != IGGY_OK)
                return -1;
            iggy_wr_release(&w);
        }
        if (!warm)
            CALLGRIND_TOGGLE_COLLECT;
    }
    return rounds * BATCH;
}

/* A poll reply body as the server sends it: the 16-byte prefix and one stored record. */
static uint8_t *poll_reply(size_t size, size_t *len)
{
    iggy_send_message_t *m = messages(size, 0);
    iggy_writer_t w;
    uint8_t *reply;
    if (iggy_wr_init(&w, pool(), 1024, 64u << 20) != IGGY_OK)
        exit(1);
    iggy_wr_u32(&w, 0);         /* partition */
    iggy_wr_u64(&w, BATCH - 1); /* current offset */
    iggy_wr_u32(&w, BATCH);     /* messages count */
    iggy_batch_write(&w, m, BATCH, NULL, 1700000000000000ull);
    if (iggy_wr_status(&w) != IGGY_OK)
        exit(1);
    *len = w.len;
    reply = malloc(w.len);
    memcpy(reply, w.data, w.len);
    iggy_wr_release(&w);
    return reply;
}

static int run_poll_decode(int rounds, size_t size, int verify)
{
    size_t len;
    uint8_t *reply = poll_reply(size, &len);
    iggy_polled_messages_t *out = NULL;
    iggy_inflate_state_t inflate;
    iggy_scratch_t scratch;
    iggy_poll_decode_opts_t o;
    memset(&inflate, 0, sizeof inflate);
    memset(&scratch, 0, sizeof scratch);
    memset(&o, 0, sizeof o);
    /* What a default poll hands the decoder: decompression on (nothing is compressed here). */
    o.decompress = true;
    o.verify_checksums = verify != 0;
    o.inflate = &inflate;
    o.scratch = &scratch;
    for (int warm = 1; warm >= 0; warm--) {
        if (!warm)
            CALLGRIND_TOGGLE_COLLECT;
        for (int r = 0; r < (warm ? 2 : rounds); r++)
            if (iggy_resp_unmarshal_ctx(&iggy_resp_polled_messages, reply, len, &o,
                                        (void **)&out) != IGGY_OK ||
                out->count != BATCH)
                return -1;
        if (!warm)
            CALLGRIND_TOGGLE_COLLECT;
    }
    iggy_result_destroy(out);
    iggy_inflate_state_free(&inflate);
    iggy_scratch_free(&scratch);
    free(reply);
    return rounds * BATCH;
}

static const bench_case_t cases[] = {
    {"encode_100", run_encode, 100, 1},
    {"encode_1k", run_encode, 1000, 1},
    {"encode_mint_ids_100", run_encode, 100, 0},
    {"poll_decode_100", run_poll_decode, 100, 0},
    {"poll_decode_1k", run_poll_decode, 1000, 0},
    {"poll_decode_verify_100", run_poll_decode, 100, 1},
};

int main(int argc, char **argv)
{
    int rounds = 20;
    if (argc < 2) {
        fprintf(stderr, "usage: bench_codec CASE [--rounds N] | --list | --all\n");
        return 2;
    }
    for (int i = 2; i + 1 < argc; i += 2)
        if (!strcmp(argv[i], "--rounds"))
            rounds = atoi(argv[i + 1]);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!strcmp(argv[1], "--list")) {
            printf("%s\n", cases[i].name);
        } else if (!strcmp(argv[1], "--all") || !strcmp(argv[1], cases[i].name)) {
            int n = cases[i].run(rounds, cases[i].size, cases[i].flag);
            if (n < 0) {
                fprintf(stderr, "%s: %s\n", cases[i].name, iggy_last_error_detail());
                return 1;
            }
            printf("case %s messages %d\n", cases[i].name, n);
        }
    }
    return 0;
}
