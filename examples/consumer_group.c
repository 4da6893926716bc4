/* A consumer group with rebalance callbacks: two members share a topic's four partitions.
 * The first member starts alone and owns them all; when the second joins, the server moves
 * some partitions to it and the callbacks say which. Each member is a connection of its own
 * (the client's `connections` setting), so one client can hold both.
 *
 *   consumer_group [host:port]   (default: $IGGY_ADDR, else 127.0.0.1:8090; user iggy/iggy)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iggy/iggy.h>

#define PARTITIONS 4
#define MESSAGES 4000

typedef struct member {
    const char *name;
    size_t read;
} member_t;

/* Runs on the thread that polls this consumer, before the first read of new partitions and
 * after the last read of lost ones (which may still be committed here). */
static void on_rebalance(iggy_consumer_t *consumer, iggy_rebalance_event_t event,
                         const uint32_t *partitions, size_t count, void *opaque)
{
    member_t *m = opaque;
    printf("%s: %s", m->name, event == IGGY_REBALANCE_ASSIGNED ? "assigned" : "revoked ");
    for (size_t i = 0; i < count; i++)
        printf(" %u", partitions[i]);
    printf("\n");
    if (event == IGGY_REBALANCE_REVOKED)
        (void)iggy_consumer_commit(consumer); /* what was read from them stays read */
}

static int fail(const char *what, const char *detail)
{
    fprintf(stderr, "%s: %s\n", what, detail);
    return 1;
}

static iggy_consumer_t *join(iggy_client_t *client, const iggy_conf_t *conf, member_t *m)
{
    iggy_identifier_t stream = iggy_id_name("group-example"), topic = iggy_id_name("jobs");
    iggy_conf_t *mine;
    iggy_consumer_t *consumer = NULL;
    char err[256];
    iggy_conf_dup(conf, &mine);
    iggy_conf_set_rebalance_cb(mine, on_rebalance, m);
    if (iggy_consumer_new(client, mine, &stream, &topic, NULL, &consumer, err, sizeof err) !=
        IGGY_OK)
        fprintf(stderr, "%s cannot join: %s\n", m->name, err);
    iggy_conf_destroy(mine);
    return consumer;
}

int main(int argc, char **argv)
{
    const char *addr = argc > 1 ? argv[1] : getenv("IGGY_ADDR");
    char url[512], err[256];
    iggy_conf_t *conf;
    iggy_client_t *client;
    iggy_identifier_t stream = iggy_id_name("group-example"), topic = iggy_id_name("jobs");
    iggy_polled_messages_t *batch = NULL;
    member_t first = {"first ", 0}, second = {"second", 0};
    iggy_consumer_t *a, *b = NULL;
    size_t total = 0;
    int idle = 0;

    snprintf(url, sizeof url, "iggy://iggy:iggy@%s", addr && *addr ? addr : "127.0.0.1:8090");
    iggy_conf_new(&conf);
    if (iggy_conf_set_connection_string(conf, url, err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "connections", "2", err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "consumer.group", "workers", err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "consumer.batch.length", "250", err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "consumer.sync.interval.ms", "200", err, sizeof err) != IGGY_OK)
        return fail("conf", err);
    if (iggy_client_new(conf, &client, err, sizeof err) != IGGY_OK)
        return fail("client", err);

    /* A fresh topic with MESSAGES jobs spread over its partitions. */
    (void)iggy_delete_stream(client, &stream);
    if (iggy_create_stream(client, "group-example", NULL) != IGGY_OK ||
        iggy_create_topic(client, &stream, "jobs", PARTITIONS, NULL, NULL) != IGGY_OK)
        return fail("topic", iggy_last_error_detail());
    for (int i = 0; i < MESSAGES; i += 100) {
        iggy_send_message_t msgs[100];
        char text[100][24];
        for (int k = 0; k < 100; k++) {
            int n = snprintf(text[k], sizeof text[k], "job %d", i + k);
            memset(&msgs[k], 0, sizeof msgs[k]);
            msgs[k].payload = (const uint8_t *)text[k];
            msgs[k].payload_len = (uint32_t)n;
        }
        if (iggy_send_messages(client, &stream, &topic, NULL, msgs, 100, NULL, NULL) != IGGY_OK)
            return fail("send", iggy_last_error_detail());
    }

    a = join(client, conf, &first);
    if (!a)
        return 1;
    /* Both poll from this one thread in turn here; a real application would give each its
     * own thread (a consumer is used by one thread at a time). */
    while (idle < 10) {
        size_t got = 0;
        if (iggy_consumer_poll(a, 100, &batch) == IGGY_OK) {
            first.read += batch->count;
            got += batch->count;
        }
        if (!b && total >= MESSAGES / 4) {
            b = join(client, conf, &second); /* the server moves partitions to it */
            if (!b)
                return 1;
        }
        if (b && iggy_consumer_poll(b, 100, &batch) == IGGY_OK) {
            second.read += batch->count;
            got += batch->count;
        }
        total += got;
        idle = got ? 0 : idle + 1;
    }
    iggy_consumer_close(a); /* commits, says REVOKED, leaves the group */
    iggy_consumer_close(b);
    iggy_result_destroy(batch);
    printf("read %zu jobs (first %zu, second %zu)\n", total, first.read, second.read);
    (void)iggy_delete_stream(client, &stream);
    iggy_client_destroy(client);
    iggy_conf_destroy(conf);
    /* At least once: a job is read again only if its member went away before committing. */
    return total >= MESSAGES && second.read > 0 ? 0 : 1;
}
