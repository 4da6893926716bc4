/* The poll-reply decoder (src/codec/iggy_cmd_messages.c, iggy_batch.c,
 * iggy_message_transform.c) with the options the first byte's FUZZ_POLL_* bits pick: plain
 * copy-out, checksum verification, decryption, decompression, small limits, getline reuse.
 * The rest is the reply body: prefix, batch records, frames, user headers. Checks are in
 * fuzz_poll_common.h; reuse must give the first decode's outcome. */
#include "fuzz_poll_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    iggy_polled_messages_t *out = NULL;
    uint8_t *body;
    size_t len;
    unsigned flags;
    iggy_err_t err;

    fuzz_setup();
    if (size < 1)
        return 0;
    flags = data[0];
    len = size - 1;
    body = fuzz_dup(data + 1, len);
    err = fuzz_poll_decode(body, len, flags, &out);
    if (flags & FUZZ_POLL_REUSE) {
        size_t count = out ? out->count : 0;
        iggy_err_t again = fuzz_poll_decode(body, len, flags, &out);
        FUZZ_CHECK(again == err, "reuse: %d, first decode %d", (int)again, (int)err);
        FUZZ_CHECK(err != IGGY_OK || out->count == count, "reuse: %zu messages, first %zu",
                   out->count, count);
    }
    iggy_result_destroy(out);
    free(body);
    return 0;
}
