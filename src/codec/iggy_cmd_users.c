/* PLACEHOLDER: to be replaced by the real encoders and decoders. */
#include "codec/iggy_resp.h"

const iggy_resp_ops_t iggy_resp_login = {"iggy_resp_login", 8, NULL};
const iggy_resp_ops_t iggy_resp_user = {"iggy_resp_user", 8, NULL};
const iggy_resp_ops_t iggy_resp_user_list = {"iggy_resp_user_list", 8, NULL};
const iggy_resp_ops_t iggy_resp_pat_list = {"iggy_resp_pat_list", 8, NULL};
const iggy_resp_ops_t iggy_resp_raw_pat = {"iggy_resp_raw_pat", 8, NULL};
