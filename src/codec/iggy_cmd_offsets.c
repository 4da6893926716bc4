/* PLACEHOLDER: to be replaced by the real encoders and decoders. */
#include "codec/iggy_resp.h"

const iggy_resp_ops_t iggy_resp_consumer_offset = {"iggy_resp_consumer_offset", 8, NULL};
