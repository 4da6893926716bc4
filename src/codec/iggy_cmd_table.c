#include "codec/iggy_cmd_table.h"

#include <stddef.h>

#include "codec/iggy_frame.h"

#define NR IGGY_OP_NON_REPLICATED
#define NF IGGY_CMDF_EMPTY_NOT_FOUND

/* framing-and-session.md §2.2; reply framing is decided from the reply operation. */
const iggy_cmd_desc_t iggy_cmds[IGGY_CMD__NUM] = {
    [IGGY_CMD_PING] = {1, "Ping", NR, IGGY_CMDF_NO_AUTH, NULL},
    [IGGY_CMD_GET_STATS] = {10, "GetStats", NR, 0, &iggy_resp_stats},
    [IGGY_CMD_GET_SNAPSHOT_FILE] = {11, "GetSnapshotFile", NR, 0, &iggy_resp_raw},
    [IGGY_CMD_GET_CLUSTER_METADATA] = {12, "GetClusterMetadata", NR, 0,
                                       &iggy_resp_cluster_metadata},
    [IGGY_CMD_DESCRIBE_OPTIONS] = {13, "DescribeOptions", NR, 0, &iggy_resp_option_descriptions},
    [IGGY_CMD_GET_ME] = {20, "GetMe", NR, 0, &iggy_resp_client_info},
    [IGGY_CMD_GET_CLIENT] = {21, "GetClient", NR, NF, &iggy_resp_client_info},
    [IGGY_CMD_GET_CLIENTS] = {22, "GetClients", NR, 0, &iggy_resp_client_info_list},
    [IGGY_CMD_GET_USER] = {31, "GetUser", NR, NF, &iggy_resp_user},
    [IGGY_CMD_GET_USERS] = {32, "GetUsers", NR, 0, &iggy_resp_user_list},
    [IGGY_CMD_CREATE_USER] = {33, "CreateUser", 141, 0, &iggy_resp_user},
    [IGGY_CMD_DELETE_USER] = {34, "DeleteUser", 143, 0, NULL},
    [IGGY_CMD_UPDATE_USER] = {35, "UpdateUser", 142, 0, NULL},
    [IGGY_CMD_UPDATE_PERMISSIONS] = {36, "UpdatePermissions", 145, 0, NULL},
    [IGGY_CMD_CHANGE_PASSWORD] = {37, "ChangePassword", 144, 0, NULL},
    [IGGY_CMD_LOGOUT_USER] = {39, "LogoutUser", IGGY_OP_LOGOUT, IGGY_CMDF_SESSION, NULL},
    [IGGY_CMD_LOGIN_REGISTER] = {40, "LoginRegister", IGGY_OP_REGISTER,
                                 IGGY_CMDF_NO_AUTH | IGGY_CMDF_SESSION, &iggy_resp_login},
    [IGGY_CMD_GET_PERSONAL_ACCESS_TOKENS] = {41, "GetPersonalAccessTokens", NR, 0,
                                             &iggy_resp_pat_list},
    [IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN] = {42, "CreatePersonalAccessToken", 146, 0,
                                               &iggy_resp_raw_pat},
    [IGGY_CMD_DELETE_PERSONAL_ACCESS_TOKEN] = {43, "DeletePersonalAccessToken", 147, 0, NULL},
    [IGGY_CMD_LOGIN_REGISTER_WITH_PAT] = {45, "LoginRegisterWithPat", IGGY_OP_REGISTER,
                                          IGGY_CMDF_NO_AUTH | IGGY_CMDF_SESSION, &iggy_resp_login},
    [IGGY_CMD_POLL_MESSAGES] = {100, "PollMessages", NR, 0, &iggy_resp_polled_messages},
    [IGGY_CMD_SEND_MESSAGES] = {101, "SendMessages", 160, 0, &iggy_resp_send_confirmations},
    [IGGY_CMD_FLUSH_UNSAVED_BUFFER] = {102, "FlushUnsavedBuffer", NR, 0, NULL},
    [IGGY_CMD_GET_CONSUMER_OFFSET] = {120, "GetConsumerOffset", NR, NF, &iggy_resp_consumer_offset},
    [IGGY_CMD_STORE_CONSUMER_OFFSET] = {121, "StoreConsumerOffset", 161, 0, NULL},
    [IGGY_CMD_DELETE_CONSUMER_OFFSET] = {122, "DeleteConsumerOffset", 162, 0, NULL},
    [IGGY_CMD_GET_STREAM] = {200, "GetStream", NR, NF, &iggy_resp_stream},
    [IGGY_CMD_GET_STREAMS] = {201, "GetStreams", NR, 0, &iggy_resp_stream_list},
    [IGGY_CMD_CREATE_STREAM] = {202, "CreateStream", 128, 0, &iggy_resp_stream},
    [IGGY_CMD_DELETE_STREAM] = {203, "DeleteStream", 130, 0, NULL},
    [IGGY_CMD_UPDATE_STREAM] = {204, "UpdateStream", 129, 0, NULL},
    [IGGY_CMD_PURGE_STREAM] = {205, "PurgeStream", 131, 0, NULL},
    [IGGY_CMD_GET_TOPIC] = {300, "GetTopic", NR, NF, &iggy_resp_topic},
    [IGGY_CMD_GET_TOPICS] = {301, "GetTopics", NR, 0, &iggy_resp_topic_list},
    [IGGY_CMD_CREATE_TOPIC] = {302, "CreateTopic", 132, 0, &iggy_resp_topic},
    [IGGY_CMD_DELETE_TOPIC] = {303, "DeleteTopic", 134, 0, NULL},
    [IGGY_CMD_UPDATE_TOPIC] = {304, "UpdateTopic", 133, 0, NULL},
    [IGGY_CMD_PURGE_TOPIC] = {305, "PurgeTopic", 135, 0, NULL},
    [IGGY_CMD_CREATE_PARTITIONS] = {402, "CreatePartitions", 136, 0, NULL},
    [IGGY_CMD_DELETE_PARTITIONS] = {403, "DeletePartitions", 137, 0, NULL},
    [IGGY_CMD_DELETE_SEGMENTS] = {503, "DeleteSegments", 138, 0, NULL},
    [IGGY_CMD_GET_CONSUMER_GROUP] = {600, "GetConsumerGroup", NR, NF, &iggy_resp_consumer_group},
    [IGGY_CMD_GET_CONSUMER_GROUPS] = {601, "GetConsumerGroups", NR, 0,
                                      &iggy_resp_consumer_group_list},
    [IGGY_CMD_CREATE_CONSUMER_GROUP] = {602, "CreateConsumerGroup", 139, 0,
                                        &iggy_resp_consumer_group},
    [IGGY_CMD_DELETE_CONSUMER_GROUP] = {603, "DeleteConsumerGroup", 140, 0, NULL},
    [IGGY_CMD_JOIN_CONSUMER_GROUP] = {604, "JoinConsumerGroup", 148, 0, NULL},
    [IGGY_CMD_LEAVE_CONSUMER_GROUP] = {605, "LeaveConsumerGroup", 149, 0, NULL},
    [IGGY_CMD_SYNC_CONSUMER_GROUP] = {606, "SyncConsumerGroup", NR, NF,
                                      &iggy_resp_group_assignment},
};

const iggy_cmd_desc_t *iggy_cmd_by_code(uint32_t code)
{
    for (size_t i = 0; i < IGGY_CMD__NUM; i++)
        if (iggy_cmds[i].code == code)
            return &iggy_cmds[i];
    return NULL;
}

iggy_counter_rule_t iggy_counter_rule(uint8_t operation)
{
    if (operation == IGGY_OP_REGISTER)
        return IGGY_COUNTER_ZERO;
    if (operation == IGGY_OP_LOGOUT || (operation >= 128 && operation <= 149))
        return IGGY_COUNTER_NEXT;
    return IGGY_COUNTER_CURRENT;
}
