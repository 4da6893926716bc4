#include "setup.h"

#include <stdio.h>
#include <string.h>

static int fail(char *err, size_t cap, const char *what, iggy_err_t e)
{
    snprintf(err, cap, "%s: %s (%s, %d): %s", what, iggy_err2str(e), iggy_err2name(e), (int)e,
             iggy_last_error_detail());
    return -1;
}

static bool has_stream(const iggy_stream_list_t *l, const char *name)
{
    for (size_t i = 0; l && i < l->count; i++)
        if (l->streams[i].name && !strcmp(l->streams[i].name, name))
            return true;
    return false;
}

static int init_streams(iggy_client_t *c, const bench_args_t *a, char *err, size_t cap)
{
    iggy_stream_list_t *list = NULL;
    iggy_topic_config_t cfg;
    uint32_t streams = args_streams(a), partitions = args_partitions(a);
    iggy_err_t e;
    int rc = -1;

    if ((e = iggy_get_streams(c, &list)) != IGGY_OK)
        return fail(err, cap, "get streams", e);
    iggy_topic_config_init(&cfg);
    /* unlimited size and no expiry unless asked; fsync only with the flag */
    cfg.max_topic_size = iggy_some_u64(a->max_topic_size ? a->max_topic_size : IGGY_SIZE_UNLIMITED);
    if (a->expiry == EXPIRY_NEVER)
        cfg.message_expiry = iggy_some_u64(IGGY_EXPIRY_NEVER);
    else if (a->expiry == EXPIRY_DURATION)
        cfg.message_expiry = iggy_some_u64(a->expiry_us);
    if (a->enforce_fsync)
        cfg.enforce_fsync = iggy_some_bool(true);
    for (uint32_t i = 1; i <= streams; i++) {
        char name[32];
        iggy_identifier_t id;
        snprintf(name, sizeof name, "bench-stream-%u", i);
        id = iggy_id_name(name);
        if (has_stream(list, name)) {
            if (a->reuse_streams) {
                fprintf(stderr, "Appending to existing stream '%s'\n", name);
                continue;
            }
            fprintf(stderr,
                    "Deleting pre-existing stream '%s': %s needs fresh streams so consumers see "
                    "no stale data\n",
                    name, kind_display_name(a->kind));
            if ((e = iggy_delete_stream(c, &id)) != IGGY_OK) {
                fail(err, cap, "delete stream", e);
                goto out;
            }
        }
        fprintf(stderr, "Creating the test stream '%s' with topic 'topic-1' (%u partitions)\n",
                name, partitions);
        if ((e = iggy_create_stream(c, name, NULL)) != IGGY_OK) {
            fail(err, cap, "create stream", e);
            goto out;
        }
        if ((e = iggy_create_topic(c, &id, "topic-1", partitions, &cfg, NULL)) != IGGY_OK) {
            fail(err, cap, "create topic", e);
            goto out;
        }
    }
    rc = 0;
out:
    iggy_result_destroy(list);
    return rc;
}

static int check_streams(iggy_client_t *c, const bench_args_t *a, char *err, size_t cap)
{
    iggy_stream_list_t *list = NULL;
    iggy_err_t e;
    int rc = 0;
    if ((e = iggy_get_streams(c, &list)) != IGGY_OK)
        return fail(err, cap, "get streams", e);
    for (uint32_t i = 1; i <= args_streams(a) && !rc; i++) {
        char name[32];
        snprintf(name, sizeof name, "bench-stream-%u", i);
        if (!has_stream(list, name)) {
            snprintf(err, cap,
                     "Streams for testing are not properly initialized. Stream '%s' is missing "
                     "(run a producing kind such as pinned-producer first).",
                     name);
            rc = -1;
        }
    }
    iggy_result_destroy(list);
    return rc;
}

/* cg-i on bench-stream-i; a group that cannot be created is only reported, as upstream does. */
static void init_consumer_groups(iggy_client_t *c, const bench_args_t *a)
{
    for (uint32_t i = 1; i <= args_consumer_groups(a); i++) {
        char stream[32], group[32];
        iggy_identifier_t sid, tid = iggy_id_name("topic-1");
        iggy_err_t e;
        snprintf(stream, sizeof stream, "bench-stream-%u", i);
        snprintf(group, sizeof group, "cg-%u", i);
        sid = iggy_id_name(stream);
        fprintf(stderr, "Creating test consumer group: name=%s, stream=%s, topic=topic-1\n", group,
                stream);
        if ((e = iggy_create_consumer_group(c, &sid, &tid, group, NULL)) != IGGY_OK)
            fprintf(stderr, "Error when creating consumer group %s: %s (%s)\n", group,
                    iggy_err2str(e), iggy_last_error_detail());
    }
}

int setup_kind(iggy_client_t *admin, const bench_args_t *a, char *err, size_t cap)
{
    switch (a->kind) {
    case KIND_PINNED_CONSUMER:
        return check_streams(admin, a, err, cap);
    case KIND_BALANCED_CONSUMER_GROUP:
        if (check_streams(admin, a, err, cap))
            return -1;
        init_consumer_groups(admin, a);
        return 0;
    case KIND_BALANCED_PRODUCER_AND_CONSUMER_GROUP:
    case KIND_END_TO_END_PRODUCING_CONSUMER_GROUP:
        if (init_streams(admin, a, err, cap))
            return -1;
        init_consumer_groups(admin, a);
        return 0;
    default:
        return init_streams(admin, a, err, cap);
    }
}
