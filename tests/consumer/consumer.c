/* A program of libiggy's user, built against the installed package by tests/consumer/run.sh
 * (find_package, pkg-config, add_subdirectory): one round trip (create a stream and a topic,
 * send a message, poll it back) against the server at argv[1], or, built with
 * CONSUMER_EMBEDDED_MOCK (linked with the mock library), against a mock it starts itself.
 * Exits 0 only when the message came back and the library is the version of its headers. */
#include <iggy/iggy.h>
#ifdef CONSUMER_EMBEDDED_MOCK
#include <iggy/mock.h>
#endif

#include <stdio.h>
#include <string.h>

static int failed(iggy_err_t err, const char *what)
{
    if (err == IGGY_OK)
        return 0;
    fprintf(stderr, "consumer: %s: %s (%s): %s\n", what, iggy_err2str(err), iggy_err2name(err),
            iggy_last_error_detail());
    return 1;
}

static int round_trip(const char *addr)
{
    static const char payload[] = "hello from the installed libiggy";
    iggy_identifier_t stream = iggy_id_name("consumer"), topic = iggy_id_name("t");
    iggy_consumer_ref_t me = {IGGY_CONSUMER_SINGLE, {NULL, 1}};
    iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
    iggy_partitioning_t to_0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    iggy_polled_messages_t *batch = NULL;
    iggy_send_message_t msg;
    iggy_client_t *client = NULL;
    iggy_conf_t *conf = NULL;
    uint32_t partition = 0;
    char url[300], err[256];
    int rc = 1;

    snprintf(url, sizeof url, "iggy://iggy:iggy@%s", addr);
    if (failed(iggy_conf_new(&conf), "conf"))
        return 1;
    if (iggy_conf_set_connection_string(conf, url, err, sizeof err) != IGGY_OK ||
        iggy_client_new(conf, &client, err, sizeof err) != IGGY_OK) {
        fprintf(stderr, "consumer: client: %s\n", err);
        iggy_conf_destroy(conf);
        return 1;
    }
    iggy_conf_destroy(conf);

    memset(&msg, 0, sizeof msg);
    msg.payload = payload;
    msg.payload_len = (uint32_t)strlen(payload);
    if (failed(iggy_create_stream(client, "consumer", NULL), "create stream") ||
        failed(iggy_create_topic(client, &stream, "t", 1, NULL, NULL), "create topic") ||
        failed(iggy_send_messages(client, &stream, &topic, &to_0, &msg, 1, NULL, NULL), "send") ||
        failed(iggy_poll_messages_into(client, &me, &stream, &topic, &partition, &first, 10, false,
                                       NULL, &batch),
               "poll"))
        goto out;
    if (batch->count != 1 || batch->messages[0].payload_len != msg.payload_len ||
        memcmp(batch->messages[0].payload, payload, msg.payload_len) != 0) {
        fprintf(stderr, "consumer: polled %zu messages, not the one sent\n", batch->count);
        goto out;
    }
    rc = failed(iggy_delete_stream(client, &stream), "delete stream");
out:
    iggy_result_destroy(batch);
    iggy_client_destroy(client);
    return rc;
}

int main(int argc, char **argv)
{
    int rc;
#ifdef CONSUMER_EMBEDDED_MOCK
    iggy_mock_t *mock = NULL;
    if (failed(iggy_mock_new(NULL, &mock), "start the embedded mock"))
        return 1;
#endif
    if (strcmp(iggy_version_str(), IGGY_VERSION_STR) != 0) {
        fprintf(stderr, "consumer: headers %s, library %s\n", IGGY_VERSION_STR, iggy_version_str());
        return 1;
    }
#ifdef CONSUMER_EMBEDDED_MOCK
    (void)argc;
    (void)argv;
    rc = round_trip(iggy_mock_address(mock, 0));
    iggy_mock_destroy(mock);
#else
    if (argc != 2) {
        fprintf(stderr, "usage: %s HOST:PORT\n", argv[0]);
        return 2;
    }
    rc = round_trip(argv[1]);
#endif
    if (rc == 0)
        printf("consumer: round trip with libiggy %s OK\n", iggy_version_str());
    return rc;
}
