#include "codec/iggy_cmd_table.h"

#include <stddef.h>

#include "codec/iggy_frame.h"

#define NR IGGY_OP_NON_REPLICATED
#define NF IGGY_CMDF_EMPTY_NOT_FOUND
#define RD IGGY_CMDF_READ
#define MD (IGGY_CMDF_METADATA | IGGY_CMDF_RESULT_FRAMED)
#define PT IGGY_CMDF_PARTITION
#define PT_RF (IGGY_CMDF_PARTITION | IGGY_CMDF_RESULT_FRAMED)
#define LG (IGGY_CMDF_LOGIN | IGGY_CMDF_RESULT_FRAMED | IGGY_CMDF_NO_AUTH | IGGY_CMDF_SECRET)
#define SC IGGY_CMDF_SECRET

/* framing-and-session.md §2.2; reply framing is decided from the reply operation. */
const iggy_cmd_desc_t iggy_cmds[IGGY_CMD__NUM] = {
    [IGGY_CMD_PING] = {1, "Ping", NR, RD | IGGY_CMDF_NO_AUTH, NULL},
    [IGGY_CMD_GET_STATS] = {10, "GetStats", NR, RD, &iggy_resp_stats},
    [IGGY_CMD_GET_SNAPSHOT_FILE] = {11, "GetSnapshotFile", NR, RD, &iggy_resp_raw},
    [IGGY_CMD_GET_CLUSTER_METADATA] = {12, "GetClusterMetadata", NR, RD,
                                       &iggy_resp_cluster_metadata},
    [IGGY_CMD_DESCRIBE_OPTIONS] = {13, "DescribeOptions", NR, RD, &iggy_resp_option_descriptions},
    [IGGY_CMD_GET_ME] = {20, "GetMe", NR, RD, &iggy_resp_client_info},
    [IGGY_CMD_GET_CLIENT] = {21, "GetClient", NR, RD | NF, &iggy_resp_client_info},
    [IGGY_CMD_GET_CLIENTS] = {22, "GetClients", NR, RD, &iggy_resp_client_info_list},
    [IGGY_CMD_GET_USER] = {31, "GetUser", NR, RD | NF, &iggy_resp_user},
    [IGGY_CMD_GET_USERS] = {32, "GetUsers", NR, RD, &iggy_resp_user_list},
    [IGGY_CMD_CREATE_USER] = {33, "CreateUser", 141, MD | SC, &iggy_resp_user},
    [IGGY_CMD_DELETE_USER] = {34, "DeleteUser", 143, MD, NULL},
    [IGGY_CMD_UPDATE_USER] = {35, "UpdateUser", 142, MD, NULL},
    [IGGY_CMD_UPDATE_PERMISSIONS] = {36, "UpdatePermissions", 145, MD, NULL},
    [IGGY_CMD_CHANGE_PASSWORD] = {37, "ChangePassword", 144, MD | SC, NULL},
    [IGGY_CMD_LOGOUT_USER] = {39, "LogoutUser", IGGY_OP_LOGOUT, IGGY_CMDF_LOGOUT, NULL},
    [IGGY_CMD_LOGIN_REGISTER] = {40, "LoginRegister", IGGY_OP_REGISTER, LG, &iggy_resp_login},
    [IGGY_CMD_GET_PERSONAL_ACCESS_TOKENS] = {41, "GetPersonalAccessTokens", NR, RD,
                                             &iggy_resp_pat_list},
    [IGGY_CMD_CREATE_PERSONAL_ACCESS_TOKEN] = {42, "CreatePersonalAccessToken", 146, MD | SC,
                                               &iggy_resp_raw_pat},
    [IGGY_CMD_DELETE_PERSONAL_ACCESS_TOKEN] = {43, "DeletePersonalAccessToken", 147, MD, NULL},
    [IGGY_CMD_LOGIN_REGISTER_WITH_PAT] = {45, "LoginRegisterWithPat", IGGY_OP_REGISTER, LG,
                                          &iggy_resp_login},
    [IGGY_CMD_POLL_MESSAGES] = {100, "PollMessages", NR, RD, &iggy_resp_polled_messages},
    [IGGY_CMD_SEND_MESSAGES] = {101, "SendMessages", 160, PT, &iggy_resp_send_confirmations},
    [IGGY_CMD_FLUSH_UNSAVED_BUFFER] = {102, "FlushUnsavedBuffer", NR, RD, NULL},
    [IGGY_CMD_GET_CONSUMER_OFFSET] = {120, "GetConsumerOffset", NR, RD | NF,
                                      &iggy_resp_consumer_offset},
    [IGGY_CMD_STORE_CONSUMER_OFFSET] = {121, "StoreConsumerOffset", 161, PT_RF, NULL},
    [IGGY_CMD_DELETE_CONSUMER_OFFSET] = {122, "DeleteConsumerOffset", 162, PT_RF, NULL},
    [IGGY_CMD_GET_STREAM] = {200, "GetStream", NR, RD | NF, &iggy_resp_stream},
    [IGGY_CMD_GET_STREAMS] = {201, "GetStreams", NR, RD, &iggy_resp_stream_list},
    [IGGY_CMD_CREATE_STREAM] = {202, "CreateStream", 128, MD, &iggy_resp_stream},
    [IGGY_CMD_DELETE_STREAM] = {203, "DeleteStream", 130, MD, NULL},
    [IGGY_CMD_UPDATE_STREAM] = {204, "UpdateStream", 129, MD, NULL},
    [IGGY_CMD_PURGE_STREAM] = {205, "PurgeStream", 131, MD, NULL},
    [IGGY_CMD_GET_TOPIC] = {300, "GetTopic", NR, RD | NF, &iggy_resp_topic},
    [IGGY_CMD_GET_TOPICS] = {301, "GetTopics", NR, RD, &iggy_resp_topic_list},
    [IGGY_CMD_CREATE_TOPIC] = {302, "CreateTopic", 132, MD, &iggy_resp_topic},
    [IGGY_CMD_DELETE_TOPIC] = {303, "DeleteTopic", 134, MD, NULL},
    [IGGY_CMD_UPDATE_TOPIC] = {304, "UpdateTopic", 133, MD, NULL},
    [IGGY_CMD_PURGE_TOPIC] = {305, "PurgeTopic", 135, MD, NULL},
    [IGGY_CMD_CREATE_PARTITIONS] = {402, "CreatePartitions", 136, MD, NULL},
    [IGGY_CMD_DELETE_PARTITIONS] = {403, "DeletePartitions", 137, MD, NULL},
    [IGGY_CMD_DELETE_SEGMENTS] = {503, "DeleteSegments", 138, IGGY_CMDF_METADATA /* bare reply */,
                                  NULL},
    [IGGY_CMD_GET_CONSUMER_GROUP] = {600, "GetConsumerGroup", NR, RD | NF,
                                     &iggy_resp_consumer_group},
    [IGGY_CMD_GET_CONSUMER_GROUPS] = {601, "GetConsumerGroups", NR, RD,
                                      &iggy_resp_consumer_group_list},
    [IGGY_CMD_CREATE_CONSUMER_GROUP] = {602, "CreateConsumerGroup", 139, MD,
                                        &iggy_resp_consumer_group},
    [IGGY_CMD_DELETE_CONSUMER_GROUP] = {603, "DeleteConsumerGroup", 140, MD, NULL},
    [IGGY_CMD_JOIN_CONSUMER_GROUP] = {604, "JoinConsumerGroup", 148, MD, NULL},
    [IGGY_CMD_LEAVE_CONSUMER_GROUP] = {605, "LeaveConsumerGroup", 149, MD, NULL},
    [IGGY_CMD_SYNC_CONSUMER_GROUP] = {606, "SyncConsumerGroup", NR, RD | NF,
                                      &iggy_resp_group_assignment},
};

const iggy_cmd_desc_t *iggy_cmd_by_code(uint32_t code)
{
    for (size_t i = 0; i < IGGY_CMD__NUM; i++)
        if (iggy_cmds[i].code == code)
            return &iggy_cmds[i];
    return NULL;
}

const iggy_cmd_desc_t *iggy_cmd_by_operation(uint8_t operation)
{
    for (size_t i = 0; i < IGGY_CMD__NUM; i++)
        if (iggy_cmds[i].operation == operation)
            return &iggy_cmds[i];
    return NULL;
}

unsigned iggy_op_flags(uint8_t operation)
{
    const iggy_cmd_desc_t *d = iggy_cmd_by_operation(operation);
    return d ? d->flags & (IGGY_CMDF_CLASSES | IGGY_CMDF_RESULT_FRAMED) : 0;
}

static bool op_committed(uint8_t operation)
{
    return operation >= IGGY_OP_COMMITTED_FIRST && operation <= IGGY_OP_COMMITTED_LAST;
}

bool iggy_op_declared(uint8_t operation)
{
    return iggy_op_flags(operation) != 0 || op_committed(operation);
}

bool iggy_op_is_result_framed(uint8_t operation, size_t body_len)
{
    unsigned f = iggy_op_flags(operation);
    if (f & IGGY_CMDF_LOGIN)
        return body_len > 0;
    return op_committed(operation) || (f & IGGY_CMDF_RESULT_FRAMED);
}

bool iggy_op_reply_matches(uint8_t request_operation, uint8_t reply_operation)
{
    if (reply_operation == request_operation)
        return true;
    return (iggy_op_flags(request_operation) & IGGY_CMDF_METADATA) && op_committed(reply_operation);
}

iggy_counter_rule_t iggy_counter_rule(uint8_t operation)
{
    unsigned f = iggy_op_flags(operation);
    if (f & IGGY_CMDF_LOGIN)
        return IGGY_COUNTER_ZERO;
    if (f & (IGGY_CMDF_METADATA | IGGY_CMDF_LOGOUT))
        return IGGY_COUNTER_NEXT;
    return IGGY_COUNTER_CURRENT;
}
