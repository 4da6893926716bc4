/* PLACEHOLDER: to be replaced by the real encoders and decoders. */
#include "codec/iggy_resp.h"

const iggy_resp_ops_t iggy_resp_send_confirmations = {"iggy_resp_send_confirmations", 8, NULL};
const iggy_resp_ops_t iggy_resp_polled_messages = {"iggy_resp_polled_messages", 8, NULL};
