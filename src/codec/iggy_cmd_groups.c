/* PLACEHOLDER: to be replaced by the real encoders and decoders. */
#include "codec/iggy_resp.h"

const iggy_resp_ops_t iggy_resp_consumer_group = {"iggy_resp_consumer_group", 8, NULL};
const iggy_resp_ops_t iggy_resp_consumer_group_list = {"iggy_resp_consumer_group_list", 8, NULL};
const iggy_resp_ops_t iggy_resp_group_assignment = {"iggy_resp_group_assignment", 8, NULL};
