/* PLACEHOLDER: to be replaced by the real encoders and decoders. */
#include "codec/iggy_resp.h"

const iggy_resp_ops_t iggy_resp_topic = {"iggy_resp_topic", 8, NULL};
const iggy_resp_ops_t iggy_resp_topic_list = {"iggy_resp_topic_list", 8, NULL};
