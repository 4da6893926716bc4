/* -L: the metadata in as few requests as the protocol allows. GetStreams (201) lists every
 * stream with its topic count but no topics; GetStream (200) gives one stream's topics with
 * their partition counts but no partitions. No command returns topics of several streams, so
 * -L costs 1 + (streams that have topics) requests. Partition ids need no request (they are
 * 0..n-1: admin.md §2.7). Per-partition offsets and sizes and the consumer groups take two
 * requests per topic (GetTopic 300, GetConsumerGroups 601), so only -L -t STREAM/TOPIC shows
 * them, for that one topic: GetStream + GetTopic + GetConsumerGroups. */
#include <string.h>

#include "iggycat.h"
#include "tool_json.h"

void icat_json_topic_fields(FILE *f, const iggy_topic_t *t)
{
    fprintf(f, "\"id\":%u,\"name\":", t->id);
    tool_json_string(f, t->name);
    fprintf(f,
            ",\"created_at\":%llu,\"partitions_count\":%u,\"message_expiry\":%llu,"
            "\"compression_algorithm\":%u,\"max_topic_size\":%llu,\"size_bytes\":%llu,"
            "\"messages_count\":%llu",
            (unsigned long long)t->created_at, t->partitions_count,
            (unsigned long long)t->message_expiry, t->compression_algorithm,
            (unsigned long long)t->max_topic_size, (unsigned long long)t->size_bytes,
            (unsigned long long)t->messages_count);
}

void icat_json_stream_fields(FILE *f, const iggy_stream_t *s)
{
    fprintf(f, "\"id\":%u,\"name\":", s->id);
    tool_json_string(f, s->name);
    fprintf(f,
            ",\"created_at\":%llu,\"topics_count\":%u,\"size_bytes\":%llu,\"messages_count\":%llu",
            (unsigned long long)s->created_at, s->topics_count, (unsigned long long)s->size_bytes,
            (unsigned long long)s->messages_count);
}

static void print_stream(const icat_opts_t *o, const iggy_stream_t *s, bool first)
{
    if (o->json) {
        fputs(first ? "{" : ",{", stdout);
        icat_json_stream_fields(stdout, s);
        fputs(",\"topics\":[", stdout);
    } else {
        printf("  stream %u \"%s\" with %u topic%s, %llu messages, %llu bytes\n", s->id, s->name,
               s->topics_count, s->topics_count == 1 ? "" : "s",
               (unsigned long long)s->messages_count, (unsigned long long)s->size_bytes);
    }
}

/* A topic as GetStream gives it: partition ids from the count. */
static void print_topic_brief(const icat_opts_t *o, const iggy_topic_t *t, bool first)
{
    if (o->json) {
        fputs(first ? "{" : ",{", stdout);
        icat_json_topic_fields(stdout, t);
        fputs(",\"partitions\":[", stdout);
        for (uint32_t i = 0; i < t->partitions_count; i++)
            printf("%s{\"id\":%u}", i ? "," : "", i);
        fputs("]}", stdout);
        return;
    }
    printf("    topic %u \"%s\" with %u partition%s", t->id, t->name, t->partitions_count,
           t->partitions_count == 1 ? "" : "s");
    if (t->partitions_count == 1)
        printf(" (id 0)");
    else if (t->partitions_count > 1)
        printf(" (ids 0..%u)", t->partitions_count - 1);
    printf(", %llu messages, %llu bytes\n", (unsigned long long)t->messages_count,
           (unsigned long long)t->size_bytes);
}

/* A topic as GetTopic gives it, with its consumer groups. */
static void print_topic_full(const icat_opts_t *o, const iggy_topic_t *t,
                             const iggy_consumer_group_list_t *groups)
{
    if (o->json) {
        fputc('{', stdout);
        icat_json_topic_fields(stdout, t);
        fputs(",\"partitions\":[", stdout);
        for (uint32_t i = 0; i < t->partitions_count; i++) {
            const iggy_partition_t *p = &t->partitions[i];
            printf("%s{\"id\":%u,\"created_at\":%llu,\"segments_count\":%u,\"current_offset\":%llu,"
                   "\"size_bytes\":%llu,\"messages_count\":%llu}",
                   i ? "," : "", p->id, (unsigned long long)p->created_at, p->segments_count,
                   (unsigned long long)p->current_offset, (unsigned long long)p->size_bytes,
                   (unsigned long long)p->messages_count);
        }
        fputs("],\"consumer_groups\":[", stdout);
        for (size_t i = 0; i < groups->count; i++) {
            const iggy_consumer_group_t *g = &groups->groups[i];
            printf("%s{\"id\":%u,\"name\":", i ? "," : "", g->id);
            tool_json_string(stdout, g->name);
            printf(",\"members_count\":%u,\"partitions_count\":%u}", g->members_count,
                   g->partitions_count);
        }
        fputs("]}", stdout);
        return;
    }
    printf("    topic %u \"%s\" with %u partition%s, %llu messages, %llu bytes\n", t->id, t->name,
           t->partitions_count, t->partitions_count == 1 ? "" : "s",
           (unsigned long long)t->messages_count, (unsigned long long)t->size_bytes);
    for (uint32_t i = 0; i < t->partitions_count; i++) {
        const iggy_partition_t *p = &t->partitions[i];
        printf("      partition %u: %u segment%s, offset %llu, %llu messages, %llu bytes\n", p->id,
               p->segments_count, p->segments_count == 1 ? "" : "s",
               (unsigned long long)p->current_offset, (unsigned long long)p->messages_count,
               (unsigned long long)p->size_bytes);
    }
    for (size_t i = 0; i < groups->count; i++) {
        const iggy_consumer_group_t *g = &groups->groups[i];
        printf("      consumer group %u \"%s\": %u member%s\n", g->id, g->name, g->members_count,
               g->members_count == 1 ? "" : "s");
    }
}

static void print_header(const icat_opts_t *o, size_t streams)
{
    if (o->json) {
        fputs("{\"broker\":", stdout);
        tool_json_string(stdout, o->broker);
        fputs(",\"streams\":[", stdout);
    } else {
        printf("Metadata from %s:\n %zu stream%s:\n", o->broker, streams, streams == 1 ? "" : "s");
    }
}

/* -v: how many metadata requests the listing took, from the client's counters. */
static void report_requests(iggy_client_t *c)
{
    iggy_client_stats_t *st = NULL;
    char line[512];
    size_t n = 0;
    uint64_t total = 0;
    if (iggy_client_stats(c, &st) != IGGY_OK)
        return;
    line[0] = '\0';
    for (size_t i = 0; i < st->commands_count; i++) {
        const iggy_command_stats_t *k = &st->commands[i];
        if (k->code != 200 && k->code != 201 && k->code != 300 && k->code != 301 &&
            k->code != 600 && k->code != 601)
            continue;
        total += k->requests;
        n += (size_t)snprintf(line + n, sizeof line - n, "%s%s %llu", n ? ", " : "", k->name,
                              (unsigned long long)k->requests);
        if (n >= sizeof line)
            n = sizeof line - 1;
    }
    icat_say("-L: %llu metadata request%s (%s)", (unsigned long long)total, total == 1 ? "" : "s",
             line);
    iggy_result_destroy(st);
}

static int list_one_topic(iggy_client_t *c, const icat_opts_t *o)
{
    char buf[1024];
    iggy_identifier_t sid, tid;
    iggy_stream_t *s = NULL;
    iggy_topic_t *t = NULL;
    iggy_consumer_group_list_t *groups = NULL;
    iggy_err_t err;
    int rc = icat_split_topic(o->topic, buf, sizeof buf, &sid, &tid);
    if (rc)
        return rc;
    err = iggy_get_stream(c, &sid, &s);
    if (err != IGGY_OK)
        return icat_fail("list stream", err);
    err = iggy_get_topic(c, &sid, &tid, &t);
    if (err == IGGY_OK)
        err = iggy_get_consumer_groups(c, &sid, &tid, &groups);
    if (err != IGGY_OK) {
        iggy_result_destroy(s);
        iggy_result_destroy(t);
        return icat_fail("list topic", err);
    }
    print_header(o, 1);
    print_stream(o, s, true);
    print_topic_full(o, t, groups);
    if (o->json)
        fputs("]}]}\n", stdout);
    iggy_result_destroy(groups);
    iggy_result_destroy(t);
    iggy_result_destroy(s);
    return 0;
}

int icat_list(iggy_client_t *c, const icat_opts_t *o)
{
    iggy_stream_list_t *streams = NULL;
    iggy_stream_t *s = NULL;
    iggy_err_t err;
    size_t printed = 0;
    int rc;
    if (o->topic) {
        rc = list_one_topic(c, o);
        if (rc == 0 && o->verbose)
            report_requests(c);
        return rc;
    }
    err = iggy_get_streams(c, &streams);
    if (err != IGGY_OK)
        return icat_fail("list streams", err);
    print_header(o, streams->count);
    for (size_t i = 0; i < streams->count && err == IGGY_OK; i++) {
        const iggy_stream_t *st = &streams->streams[i];
        if (st->topics_count == 0) { /* nothing GetStream would add */
            print_stream(o, st, printed++ == 0);
            if (o->json)
                fputs("]}", stdout);
            continue;
        }
        {
            /* The result is passed back in, so the loop reuses its block (getline style). */
            iggy_identifier_t sid = iggy_id_num(st->id);
            err = iggy_get_stream(c, &sid, &s);
        }
        if (err == IGGY_ERR__NOT_FOUND) { /* deleted since the listing */
            err = IGGY_OK;
            continue;
        }
        if (err != IGGY_OK)
            break;
        print_stream(o, s, printed++ == 0);
        for (uint32_t j = 0; j < s->topics_count; j++)
            print_topic_brief(o, &s->topics[j], j == 0);
        if (o->json)
            fputs("]}", stdout);
    }
    if (o->json)
        fputs("]}\n", stdout);
    iggy_result_destroy(s);
    iggy_result_destroy(streams);
    if (err != IGGY_OK)
        return icat_fail("list metadata", err);
    if (o->verbose)
        report_requests(c);
    return 0;
}
