/* The admin commands: one function per noun (stream, topic, partition, group, user, token,
 * offset), each a chain of verbs. Numbers are ids, anything else a name. Text goes to stdout,
 * -J prints JSON instead for the list and get verbs. Passwords given to user commands are
 * scrubbed from every diagnostic; "-" reads one from stdin instead of the command line. The
 * only secret ever printed is the token `token create` mints: on stdout, the one time the
 * server sends it. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "iggycat.h"
#include "tool_json.h"

/* ---------------------------------------------------------------- helpers */

/* A password argument: "-" reads one line of stdin (kept for the process: the scrubber
 * refers to it). NULL when stdin has none. */
static const char *password_arg(const char *arg)
{
    static char lines[2][256];
    static int used;
    char *l;
    size_t n;
    if (strcmp(arg, "-") != 0) {
        icat_add_secret(arg, strlen(arg));
        return arg;
    }
    if (used == 2 || !fgets(lines[used], sizeof lines[used], stdin))
        return NULL;
    l = lines[used++];
    n = strcspn(l, "\r\n");
    l[n] = '\0';
    icat_add_secret(l, n);
    return l;
}

/* ISO 8601 UTC of a µs timestamp. */
static const char *iso_time(uint64_t us, char *buf, size_t cap)
{
    time_t s = (time_t)(us / 1000000u);
    struct tm tm;
    if (!gmtime_r(&s, &tm) || !strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, cap, "%" PRIu64 " us", us);
    return buf;
}

/* ---------------------------------------------------------------- ping, stream, topic */

static int cmd_ping(iggy_client_t *c)
{
    iggy_err_t err = iggy_ping(c);
    if (err != IGGY_OK)
        return icat_fail("ping", err);
    printf("pong\n");
    return 0;
}

static int cmd_stream(iggy_client_t *c, const icat_opts_t *o, int argc, char **argv)
{
    const char *verb = argc > 0 ? argv[0] : "";
    iggy_err_t err;
    if (strcmp(verb, "create") == 0 && argc == 2) {
        iggy_stream_t *s = NULL;
        err = iggy_create_stream(c, argv[1], &s);
        if (err != IGGY_OK)
            return icat_fail("create stream", err);
        printf("Stream \"%s\" created with id %u\n", s->name, s->id);
        iggy_result_destroy(s);
        return 0;
    }
    if (strcmp(verb, "delete") == 0 && argc == 2) {
        iggy_identifier_t id = icat_parse_id(argv[1]);
        err = iggy_delete_stream(c, &id);
        if (err != IGGY_OK)
            return icat_fail("delete stream", err);
        printf("Stream %s deleted\n", argv[1]);
        return 0;
    }
    if (strcmp(verb, "purge") == 0 && argc == 2) {
        iggy_identifier_t id = icat_parse_id(argv[1]);
        err = iggy_purge_stream(c, &id);
        if (err != IGGY_OK)
            return icat_fail("purge stream", err);
        printf("Stream %s purged\n", argv[1]);
        return 0;
    }
    if (strcmp(verb, "list") == 0 && argc == 1) {
        iggy_stream_list_t *l = NULL;
        err = iggy_get_streams(c, &l);
        if (err != IGGY_OK)
            return icat_fail("list streams", err);
        if (o->json)
            fputc('[', stdout);
        else
            printf("%-6s %-32s %8s %12s %14s\n", "ID", "NAME", "TOPICS", "MESSAGES", "BYTES");
        for (size_t i = 0; i < l->count; i++) {
            const iggy_stream_t *s = &l->streams[i];
            if (o->json) {
                fputs(i ? ",{" : "{", stdout);
                icat_json_stream_fields(stdout, s);
                fputc('}', stdout);
            } else {
                printf("%-6u %-32s %8u %12llu %14llu\n", s->id, s->name, s->topics_count,
                       (unsigned long long)s->messages_count, (unsigned long long)s->size_bytes);
            }
        }
        if (o->json)
            fputs("]\n", stdout);
        iggy_result_destroy(l);
        return 0;
    }
    return icat_usage_error(
        "stream: expected 'create NAME', 'delete STREAM', 'purge STREAM' or 'list'");
}

static int cmd_topic(iggy_client_t *c, const icat_opts_t *o, int argc, char **argv)
{
    const char *verb = argc > 0 ? argv[0] : "";
    iggy_err_t err;
    if (strcmp(verb, "create") == 0 && argc == 4) {
        iggy_identifier_t sid = icat_parse_id(argv[1]);
        iggy_topic_t *t = NULL;
        uint32_t partitions;
        if (!icat_parse_u32(argv[3], &partitions))
            return icat_usage_error("topic create: PARTITIONS must be a number, got '%s'", argv[3]);
        err = iggy_create_topic(c, &sid, argv[2], partitions, NULL, &t);
        if (err != IGGY_OK)
            return icat_fail("create topic", err);
        printf("Topic \"%s\" created in stream %s with id %u and %u partition%s\n", t->name,
               argv[1], t->id, t->partitions_count, t->partitions_count == 1 ? "" : "s");
        iggy_result_destroy(t);
        return 0;
    }
    if ((strcmp(verb, "delete") == 0 || strcmp(verb, "purge") == 0) && argc == 3) {
        iggy_identifier_t sid = icat_parse_id(argv[1]), tid = icat_parse_id(argv[2]);
        bool del = verb[0] == 'd';
        err = del ? iggy_delete_topic(c, &sid, &tid) : iggy_purge_topic(c, &sid, &tid);
        if (err != IGGY_OK)
            return icat_fail(del ? "delete topic" : "purge topic", err);
        printf("Topic %s %s stream %s\n", argv[2], del ? "deleted from" : "purged in", argv[1]);
        return 0;
    }
    if (strcmp(verb, "list") == 0 && argc == 2) {
        /* GetStream (not GetTopics) so that a missing stream is an error, not "no topics". */
        iggy_identifier_t sid = icat_parse_id(argv[1]);
        iggy_stream_t *s = NULL;
        err = iggy_get_stream(c, &sid, &s);
        if (err != IGGY_OK)
            return icat_fail("list topics", err);
        if (o->json)
            fputc('[', stdout);
        else
            printf("%-6s %-32s %10s %12s %14s\n", "ID", "NAME", "PARTITIONS", "MESSAGES", "BYTES");
        for (uint32_t i = 0; i < s->topics_count; i++) {
            const iggy_topic_t *t = &s->topics[i];
            if (o->json) {
                fputs(i ? ",{" : "{", stdout);
                icat_json_topic_fields(stdout, t);
                fputc('}', stdout);
            } else {
                printf("%-6u %-32s %10u %12llu %14llu\n", t->id, t->name, t->partitions_count,
                       (unsigned long long)t->messages_count, (unsigned long long)t->size_bytes);
            }
        }
        if (o->json)
            fputs("]\n", stdout);
        iggy_result_destroy(s);
        return 0;
    }
    return icat_usage_error("topic: expected 'create STREAM NAME PARTITIONS', 'delete STREAM "
                            "TOPIC', 'purge STREAM TOPIC' or 'list STREAM'");
}

/* ---------------------------------------------------------------- partition */

static int cmd_partition(iggy_client_t *c, int argc, char **argv)
{
    const char *verb = argc > 0 ? argv[0] : "";
    if ((strcmp(verb, "create") == 0 || strcmp(verb, "delete") == 0) && argc == 4) {
        iggy_identifier_t sid = icat_parse_id(argv[1]), tid = icat_parse_id(argv[2]);
        bool create = verb[0] == 'c';
        uint32_t n;
        iggy_err_t err;
        if (!icat_parse_u32(argv[3], &n))
            return icat_usage_error("partition %s: COUNT must be a number, got '%s'", verb,
                                    argv[3]);
        err = create ? iggy_create_partitions(c, &sid, &tid, n)
                     : iggy_delete_partitions(c, &sid, &tid, n);
        if (err != IGGY_OK)
            return icat_fail(create ? "create partitions" : "delete partitions", err);
        printf("%u partition%s %s topic %s of stream %s\n", n, n == 1 ? "" : "s",
               create ? "added to" : "removed from", argv[2], argv[1]);
        return 0;
    }
    return icat_usage_error(
        "partition: expected 'create STREAM TOPIC COUNT' or 'delete STREAM TOPIC COUNT'");
}

/* ---------------------------------------------------------------- group */

static void print_group(const icat_opts_t *o, const iggy_consumer_group_t *g, bool members)
{
    if (o->json) {
        printf("{\"id\":%u,\"name\":", g->id);
        tool_json_string(stdout, g->name);
        printf(",\"members_count\":%u,\"partitions_count\":%u", g->members_count,
               g->partitions_count);
        if (members) {
            fputs(",\"members\":[", stdout);
            for (uint32_t i = 0; i < g->members_count; i++) {
                const iggy_consumer_group_member_t *m = &g->members[i];
                printf("%s{\"id\":%u,\"partitions\":[", i ? "," : "", m->id);
                for (uint32_t j = 0; j < m->partitions_count; j++)
                    printf("%s%u", j ? "," : "", m->partitions[j]);
                fputs("]}", stdout);
            }
            fputc(']', stdout);
        }
        fputc('}', stdout);
        return;
    }
    printf("%-6u %-32s %8u %10u\n", g->id, g->name, g->members_count, g->partitions_count);
    for (uint32_t i = 0; members && i < g->members_count; i++) {
        const iggy_consumer_group_member_t *m = &g->members[i];
        printf("  member %u: partitions", m->id);
        for (uint32_t j = 0; j < m->partitions_count; j++)
            printf("%s%u", j ? "," : " ", m->partitions[j]);
        printf("%s\n", m->partitions_count ? "" : " (none)");
    }
}

static int cmd_group(iggy_client_t *c, const icat_opts_t *o, int argc, char **argv)
{
    const char *verb = argc > 0 ? argv[0] : "";
    iggy_identifier_t sid = iggy_id_num(0), tid = iggy_id_num(0);
    iggy_err_t err;
    if (argc >= 3) {
        sid = icat_parse_id(argv[1]);
        tid = icat_parse_id(argv[2]);
    }
    if (strcmp(verb, "create") == 0 && argc == 4) {
        iggy_consumer_group_t *g = NULL;
        err = iggy_create_consumer_group(c, &sid, &tid, argv[3], &g);
        if (err != IGGY_OK)
            return icat_fail("create consumer group", err);
        printf("Consumer group \"%s\" created in topic %s of stream %s with id %u\n", g->name,
               argv[2], argv[1], g->id);
        iggy_result_destroy(g);
        return 0;
    }
    if (strcmp(verb, "delete") == 0 && argc == 4) {
        iggy_identifier_t gid = icat_parse_id(argv[3]);
        err = iggy_delete_consumer_group(c, &sid, &tid, &gid);
        if (err != IGGY_OK)
            return icat_fail("delete consumer group", err);
        printf("Consumer group %s deleted from topic %s of stream %s\n", argv[3], argv[2], argv[1]);
        return 0;
    }
    if (strcmp(verb, "get") == 0 && argc == 4) {
        iggy_identifier_t gid = icat_parse_id(argv[3]);
        iggy_consumer_group_t *g = NULL;
        err = iggy_get_consumer_group(c, &sid, &tid, &gid, &g);
        if (err != IGGY_OK)
            return icat_fail("get consumer group", err);
        if (!o->json)
            printf("%-6s %-32s %8s %10s\n", "ID", "NAME", "MEMBERS", "PARTITIONS");
        print_group(o, g, true);
        if (o->json)
            fputc('\n', stdout);
        iggy_result_destroy(g);
        return 0;
    }
    if (strcmp(verb, "list") == 0 && argc == 3) {
        iggy_consumer_group_list_t *l = NULL;
        err = iggy_get_consumer_groups(c, &sid, &tid, &l);
        if (err != IGGY_OK)
            return icat_fail("list consumer groups", err);
        if (o->json)
            fputc('[', stdout);
        else
            printf("%-6s %-32s %8s %10s\n", "ID", "NAME", "MEMBERS", "PARTITIONS");
        for (size_t i = 0; i < l->count; i++) {
            if (o->json && i)
                fputc(',', stdout);
            print_group(o, &l->groups[i], false);
        }
        if (o->json)
            fputs("]\n", stdout);
        iggy_result_destroy(l);
        return 0;
    }
    return icat_usage_error("group: expected 'create STREAM TOPIC NAME', 'delete STREAM TOPIC "
                            "GROUP', 'get STREAM TOPIC GROUP' or 'list STREAM TOPIC'");
}

/* ---------------------------------------------------------------- user */

static const char *status_name(uint8_t s)
{
    return s == IGGY_USER_ACTIVE ? "active" : s == IGGY_USER_INACTIVE ? "inactive" : "unknown";
}

static void json_global_permissions(const iggy_global_permissions_t *g)
{
    printf("{\"manage_servers\":%s,\"read_servers\":%s,\"manage_users\":%s,\"read_users\":%s,"
           "\"manage_streams\":%s,\"read_streams\":%s,\"manage_topics\":%s,\"read_topics\":%s,"
           "\"poll_messages\":%s,\"send_messages\":%s}",
           g->manage_servers ? "true" : "false", g->read_servers ? "true" : "false",
           g->manage_users ? "true" : "false", g->read_users ? "true" : "false",
           g->manage_streams ? "true" : "false", g->read_streams ? "true" : "false",
           g->manage_topics ? "true" : "false", g->read_topics ? "true" : "false",
           g->poll_messages ? "true" : "false", g->send_messages ? "true" : "false");
}

/* The global permissions a user holds, as "manage_servers,read_users,..." ("none"). */
static void text_global_permissions(const iggy_global_permissions_t *g)
{
    const struct {
        bool on;
        const char *name;
    } p[] = {{g->manage_servers, "manage_servers"}, {g->read_servers, "read_servers"},
             {g->manage_users, "manage_users"},     {g->read_users, "read_users"},
             {g->manage_streams, "manage_streams"}, {g->read_streams, "read_streams"},
             {g->manage_topics, "manage_topics"},   {g->read_topics, "read_topics"},
             {g->poll_messages, "poll_messages"},   {g->send_messages, "send_messages"}};
    int n = 0;
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
        if (p[i].on)
            printf("%s%s", n++ ? "," : "", p[i].name);
    if (!n)
        fputs("none", stdout);
}

static void print_user(const icat_opts_t *o, const iggy_user_t *u)
{
    if (o->json) {
        printf("{\"id\":%u,\"username\":", u->id);
        tool_json_string(stdout, u->username);
        printf(",\"status\":\"%s\",\"created_at\":%" PRIu64, status_name(u->status), u->created_at);
        if (u->permissions) {
            fputs(",\"permissions\":{\"global\":", stdout);
            json_global_permissions(&u->permissions->global);
            printf(",\"streams_count\":%zu}", u->permissions->streams_count);
        }
        fputc('}', stdout);
        return;
    }
    printf("%-6u %-32s %-8s", u->id, u->username, status_name(u->status));
    if (u->permissions) {
        fputs(" ", stdout);
        text_global_permissions(&u->permissions->global);
        if (u->permissions->streams_count)
            printf(" (+%zu stream%s)", u->permissions->streams_count,
                   u->permissions->streams_count == 1 ? "" : "s");
    }
    fputc('\n', stdout);
}

static int cmd_user(iggy_client_t *c, const icat_opts_t *o, int argc, char **argv)
{
    const char *verb = argc > 0 ? argv[0] : "";
    iggy_err_t err;
    if (strcmp(verb, "create") == 0 && (argc == 3 || argc == 4)) {
        const char *pw = password_arg(argv[2]);
        iggy_user_status_t status = IGGY_USER_ACTIVE;
        iggy_user_t *u = NULL;
        if (argc == 4 && strcmp(argv[3], "inactive") == 0)
            status = IGGY_USER_INACTIVE;
        else if (argc == 4 && strcmp(argv[3], "active") != 0)
            return icat_usage_error("user create: STATUS is active or inactive, got '%s'", argv[3]);
        if (!pw)
            return icat_usage_error("user create: no password on stdin");
        err = iggy_create_user(c, argv[1], pw, status, NULL, &u);
        if (err != IGGY_OK)
            return icat_fail("create user", err);
        printf("User \"%s\" created with id %u (%s, no permissions)\n", u->username, u->id,
               status_name(u->status));
        iggy_result_destroy(u);
        return 0;
    }
    if (strcmp(verb, "delete") == 0 && argc == 2) {
        iggy_identifier_t id = icat_parse_id(argv[1]);
        err = iggy_delete_user(c, &id);
        if (err != IGGY_OK)
            return icat_fail("delete user", err);
        printf("User %s deleted\n", argv[1]);
        return 0;
    }
    if (strcmp(verb, "password") == 0 && argc == 4) {
        iggy_identifier_t id = icat_parse_id(argv[1]);
        const char *cur = password_arg(argv[2]), *next = cur ? password_arg(argv[3]) : NULL;
        if (!next)
            return icat_usage_error("user password: no password on stdin");
        err = iggy_change_password(c, &id, cur, next);
        if (err != IGGY_OK)
            return icat_fail("change password", err);
        printf("Password of user %s changed\n", argv[1]);
        return 0;
    }
    if (strcmp(verb, "get") == 0 && argc == 2) {
        iggy_identifier_t id = icat_parse_id(argv[1]);
        iggy_user_t *u = NULL;
        err = iggy_get_user(c, &id, &u);
        if (err != IGGY_OK)
            return icat_fail("get user", err);
        if (!o->json)
            printf("%-6s %-32s %-8s %s\n", "ID", "USERNAME", "STATUS", "PERMISSIONS");
        print_user(o, u);
        if (o->json)
            fputc('\n', stdout);
        iggy_result_destroy(u);
        return 0;
    }
    if (strcmp(verb, "list") == 0 && argc == 1) {
        iggy_user_list_t *l = NULL;
        err = iggy_get_users(c, &l);
        if (err != IGGY_OK)
            return icat_fail("list users", err);
        if (o->json)
            fputc('[', stdout);
        else
            printf("%-6s %-32s %-8s\n", "ID", "USERNAME", "STATUS");
        for (size_t i = 0; i < l->count; i++) {
            if (o->json && i)
                fputc(',', stdout);
            print_user(o, &l->users[i]);
        }
        if (o->json)
            fputs("]\n", stdout);
        iggy_result_destroy(l);
        return 0;
    }
    return icat_usage_error("user: expected 'create NAME PASSWORD [active|inactive]', 'delete "
                            "USER', 'password USER CURRENT NEW', 'get USER' or 'list'");
}

/* ---------------------------------------------------------------- token */

static int cmd_token(iggy_client_t *c, const icat_opts_t *o, int argc, char **argv)
{
    const char *verb = argc > 0 ? argv[0] : "";
    iggy_err_t err;
    if (strcmp(verb, "create") == 0 && (argc == 2 || argc == 3)) {
        uint64_t expiry_us = 0, secs;
        iggy_raw_pat_t *t = NULL;
        if (argc == 3 && strcmp(argv[2], "never") == 0)
            expiry_us = IGGY_EXPIRY_NEVER;
        else if (argc == 3 &&
                 (!icat_parse_u64(argv[2], &secs) || secs == 0 || secs > UINT64_MAX / 1000000u - 1))
            return icat_usage_error("token create: EXPIRY is seconds or 'never', got '%s'",
                                    argv[2]);
        else if (argc == 3)
            expiry_us = secs * 1000000u;
        err = iggy_create_personal_access_token(c, argv[1], expiry_us, &t);
        if (err != IGGY_OK)
            return icat_fail("create token", err);
        /* The one output that is a secret: the user asked for it, and only stdout gets it. */
        if (o->json) {
            fputs("{\"name\":", stdout);
            tool_json_string(stdout, argv[1]);
            fputs(",\"token\":", stdout);
            tool_json_string(stdout, t->token);
            fputs("}\n", stdout);
        } else {
            printf("%s\n", t->token);
        }
        iggy_result_destroy(t);
        return 0;
    }
    if (strcmp(verb, "delete") == 0 && argc == 2) {
        err = iggy_delete_personal_access_token(c, argv[1]);
        if (err != IGGY_OK)
            return icat_fail("delete token", err);
        printf("Token %s deleted\n", argv[1]);
        return 0;
    }
    if (strcmp(verb, "list") == 0 && argc == 1) {
        iggy_pat_list_t *l = NULL;
        char when[64];
        err = iggy_get_personal_access_tokens(c, &l);
        if (err != IGGY_OK)
            return icat_fail("list tokens", err);
        if (o->json)
            fputc('[', stdout);
        else
            printf("%-32s %s\n", "NAME", "EXPIRES");
        for (size_t i = 0; i < l->count; i++) {
            const iggy_pat_t *p = &l->tokens[i];
            if (o->json) {
                fputs(i ? ",{\"name\":" : "{\"name\":", stdout);
                tool_json_string(stdout, p->name);
                printf(",\"expiry_at\":%" PRIu64 "}", p->expiry_at);
            } else {
                printf("%-32s %s\n", p->name,
                       p->expiry_at ? iso_time(p->expiry_at, when, sizeof when) : "never");
            }
        }
        if (o->json)
            fputs("]\n", stdout);
        iggy_result_destroy(l);
        return 0;
    }
    return icat_usage_error(
        "token: expected 'create NAME [SECONDS|never]', 'delete NAME' or 'list'");
}

/* ---------------------------------------------------------------- offset */

/* Offsets of a single consumer (CONSUMER, default 0) or, with -G, of a group. Storing or
 * deleting a group's offset takes membership: iggycat joins for the call and leaves. */
static int cmd_offset(iggy_client_t *c, const icat_opts_t *o, int argc, char **argv)
{
    const char *verb = argc > 0 ? argv[0] : "";
    bool get = strcmp(verb, "get") == 0, set = strcmp(verb, "set") == 0,
         del = strcmp(verb, "delete") == 0;
    int fixed = set ? 5 : 4; /* arguments before the optional CONSUMER */
    iggy_identifier_t sid, tid;
    iggy_consumer_ref_t ref;
    uint32_t partition;
    uint64_t offset = 0;
    iggy_err_t err, lerr = IGGY_OK;
    if (!(get || set || del) || argc < fixed || argc > fixed + 1)
        return icat_usage_error("offset: expected 'get STREAM TOPIC PARTITION [CONSUMER]', "
                                "'set STREAM TOPIC PARTITION OFFSET [CONSUMER]' or 'delete "
                                "STREAM TOPIC PARTITION [CONSUMER]' (-G GROUP: a group's)");
    if (!icat_parse_u32(argv[3], &partition))
        return icat_usage_error("offset: PARTITION must be a number, got '%s'", argv[3]);
    if (set && !icat_parse_u64(argv[4], &offset))
        return icat_usage_error("offset set: OFFSET must be a number, got '%s'", argv[4]);
    if (o->group && argc > fixed)
        return icat_usage_error("offset: give CONSUMER or -G GROUP, not both");
    sid = icat_parse_id(argv[1]);
    tid = icat_parse_id(argv[2]);
    ref.kind = o->group ? IGGY_CONSUMER_GROUP : IGGY_CONSUMER_SINGLE;
    ref.id = icat_parse_id(o->group ? o->group : argc > fixed ? argv[fixed] : "0");
    if (get) {
        iggy_consumer_offset_t *off = NULL;
        err = iggy_get_consumer_offset(c, &ref, &sid, &tid, &partition, &off);
        if (err == IGGY_ERR__NOT_FOUND) {
            icat_say("get offset: no offset is stored for %s %s on partition %u",
                     o->group ? "group" : "consumer",
                     o->group       ? o->group
                     : argc > fixed ? argv[fixed]
                                    : "0",
                     partition);
            return EXIT_FAIL;
        }
        if (err != IGGY_OK)
            return icat_fail("get offset", err);
        if (o->json)
            printf("{\"partition_id\":%u,\"stored_offset\":%" PRIu64 ",\"current_offset\":%" PRIu64
                   "}\n",
                   off->partition_id, off->stored_offset, off->current_offset);
        else
            printf("partition %u: stored offset %" PRIu64 ", current offset %" PRIu64 "\n",
                   off->partition_id, off->stored_offset, off->current_offset);
        iggy_result_destroy(off);
        return 0;
    }
    if (o->group) {
        err = iggy_join_consumer_group(c, &sid, &tid, &ref.id);
        if (err != IGGY_OK)
            return icat_fail("join consumer group", err);
    }
    err = set ? iggy_store_consumer_offset(c, &ref, &sid, &tid, &partition, offset, IGGY_ACK_QUORUM)
              : iggy_delete_consumer_offset(c, &ref, &sid, &tid, &partition, IGGY_ACK_QUORUM);
    if (err != IGGY_OK)
        icat_fail(set ? "store offset" : "delete offset", err);
    if (o->group)
        lerr = iggy_leave_consumer_group(c, &sid, &tid, &ref.id);
    if (err != IGGY_OK)
        return EXIT_FAIL;
    if (lerr != IGGY_OK)
        return icat_fail("leave consumer group", lerr);
    if (set)
        printf("Offset %" PRIu64 " stored on partition %u\n", offset, partition);
    else
        printf("Offset deleted on partition %u\n", partition);
    return 0;
}

/* ---------------------------------------------------------------- dispatch */

void icat_admin_usage(FILE *f)
{
    fprintf(f, "Commands (numbers are ids, anything else is a name):\n"
               "  ping\n"
               "  stream create NAME | delete STREAM | purge STREAM | list\n"
               "  topic create STREAM NAME PARTITIONS | delete STREAM TOPIC\n"
               "        | purge STREAM TOPIC | list STREAM\n"
               "  partition create STREAM TOPIC COUNT | delete STREAM TOPIC COUNT\n"
               "  group create STREAM TOPIC NAME | delete STREAM TOPIC GROUP\n"
               "        | get STREAM TOPIC GROUP (members and their partitions)\n"
               "        | list STREAM TOPIC\n"
               "  user create NAME PASSWORD [active|inactive] (no permissions) | delete USER\n"
               "        | password USER CURRENT NEW | get USER | list\n"
               "        (a PASSWORD of - is read from a line of stdin)\n"
               "  token create NAME [SECONDS|never] (prints the token, once) | delete NAME\n"
               "        | list\n"
               "  offset get STREAM TOPIC PARTITION [CONSUMER]\n"
               "        | set STREAM TOPIC PARTITION OFFSET [CONSUMER]\n"
               "        | delete STREAM TOPIC PARTITION [CONSUMER]\n"
               "        (CONSUMER: a single consumer's id or name, default 0; -G GROUP before\n"
               "        the command: the group's offset, joining it for set and delete)\n"
               "  -J prints JSON for list, get and token create.\n");
}

int icat_admin(iggy_client_t *c, const icat_opts_t *o, int argc, char **argv)
{
    const char *noun = argv[0];
    if (o->group && strcmp(noun, "offset") != 0)
        return icat_usage_error("-G applies to -C and the offset commands");
    if (strcmp(noun, "ping") == 0 && argc == 1)
        return cmd_ping(c);
    if (strcmp(noun, "stream") == 0)
        return cmd_stream(c, o, argc - 1, argv + 1);
    if (strcmp(noun, "topic") == 0)
        return cmd_topic(c, o, argc - 1, argv + 1);
    if (strcmp(noun, "partition") == 0)
        return cmd_partition(c, argc - 1, argv + 1);
    if (strcmp(noun, "group") == 0)
        return cmd_group(c, o, argc - 1, argv + 1);
    if (strcmp(noun, "user") == 0)
        return cmd_user(c, o, argc - 1, argv + 1);
    if (strcmp(noun, "token") == 0)
        return cmd_token(c, o, argc - 1, argv + 1);
    if (strcmp(noun, "offset") == 0)
        return cmd_offset(c, o, argc - 1, argv + 1);
    return icat_usage_error("unknown command '%s'", noun);
}
