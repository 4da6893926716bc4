/* PLACEHOLDER: to be replaced by the real encoders and decoders. */
#include "codec/iggy_resp.h"

const iggy_resp_ops_t iggy_resp_stats = {"iggy_resp_stats", 8, NULL};
const iggy_resp_ops_t iggy_resp_cluster_metadata = {"iggy_resp_cluster_metadata", 8, NULL};
const iggy_resp_ops_t iggy_resp_option_descriptions = {"iggy_resp_option_descriptions", 8, NULL};
const iggy_resp_ops_t iggy_resp_client_info = {"iggy_resp_client_info", 8, NULL};
const iggy_resp_ops_t iggy_resp_client_info_list = {"iggy_resp_client_info_list", 8, NULL};
const iggy_resp_ops_t iggy_resp_raw = {"iggy_resp_raw", 8, NULL};
