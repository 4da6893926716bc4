/* Every response vtable (and the primitive blocks replies embed), the entry picked by the
 * first input byte, the rest as the payload (result section already stripped, as the RPC
 * path hands it over). A decoder returns IGGY_OK or IGGY_ERR__BAD_MSG with a detail; the
 * fill pass never disagrees with the measure pass (IGGY_ERR__STATE) nor writes outside the
 * block the measure pass sized (ASan); decoding again into the previous result (getline
 * reuse) gives the same outcome; a valid user-headers TLV block always decodes. */
#include "codec/iggy_batch.h"
#include "fuzz_resp_table.h"
#include "iggy_error_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t count, len;
    const fuzz_resp_entry_t *e;
    uint8_t *payload;
    void *out = NULL;
    iggy_err_t err, again;

    fuzz_setup();
    if (size < 1)
        return 0;
    e = &fuzz_resp_entries(&count)[data[0] % count];
    len = size - 1;
    payload = fuzz_dup(data + 1, len);

    iggy_detail_clear();
    err = iggy_resp_unmarshal(e->ops, payload, len, &out);
    FUZZ_CHECK(err == IGGY_OK || err == IGGY_ERR__BAD_MSG, "%s: unexpected error %d", e->name,
               (int)err);
    FUZZ_CHECK_DETAIL(err);
    FUZZ_CHECK((err == IGGY_OK) == (out != NULL), "%s: result %p after %d", e->name, out, (int)err);
    if (e->ops == &fuzz_resp_kv_block && iggy_user_headers_valid(payload, len))
        FUZZ_CHECK(err == IGGY_OK, "a block iggy_user_headers_valid accepts does not decode");

    again = iggy_resp_unmarshal(e->ops, payload, len, &out);
    FUZZ_CHECK(again == err, "%s: second decode %d, first %d", e->name, (int)again, (int)err);
    iggy_result_destroy(out);
    free(payload);
    return 0;
}
