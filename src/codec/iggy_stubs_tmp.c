#include "codec/iggy_resp.h"
#define STUB(n) const iggy_resp_ops_t n = {#n, 8, NULL};
STUB(iggy_resp_login)
STUB(iggy_resp_stats) STUB(iggy_resp_cluster_metadata) STUB(iggy_resp_option_descriptions)
    STUB(iggy_resp_client_info) STUB(iggy_resp_client_info_list) STUB(iggy_resp_user)
        STUB(iggy_resp_user_list) STUB(iggy_resp_pat_list) STUB(iggy_resp_raw_pat)
            STUB(iggy_resp_raw) STUB(iggy_resp_stream) STUB(iggy_resp_stream_list)
                STUB(iggy_resp_topic) STUB(iggy_resp_topic_list) STUB(iggy_resp_consumer_group)
                    STUB(iggy_resp_consumer_group_list) STUB(iggy_resp_group_assignment)
                        STUB(iggy_resp_consumer_offset) STUB(iggy_resp_send_confirmations)
                            STUB(iggy_resp_polled_messages)
