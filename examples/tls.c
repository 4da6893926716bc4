/* TLS: the client verifies the server's certificate against a CA file and the server's name.
 * Without arguments the example writes a throwaway self-signed certificate for "localhost"
 * (OpenSSL) and serves the embedded mock over TLS with it; that certificate is then the CA
 * the client trusts. A client that does not trust it is refused with IGGY_ERR__TLS_VERIFY.
 *
 *   tls [host:port CA_FILE [SERVER_NAME]]
 *       (default: $IGGY_TLS_ADDR and $IGGY_TLS_CA, else an embedded TLS mock; user iggy/iggy;
 *        SERVER_NAME defaults to localhost)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "example.h"

/* A client for the server over TLS, trusting ca_file (NULL: the system's CAs). */
static iggy_client_t *tls_client(const example_server_t *srv, const char *ca_file,
                                 const char *server_name)
{
    iggy_conf_t *conf = example_conf(srv);
    iggy_client_t *client = NULL;
    char err[256];
    if (!conf)
        return NULL;
    if (iggy_conf_set(conf, "tls.enabled", "true", err, sizeof err) != IGGY_OK ||
        (ca_file && iggy_conf_set(conf, "tls.ca.file", ca_file, err, sizeof err) != IGGY_OK) ||
        /* The name the certificate must carry (and the SNI sent). */
        iggy_conf_set(conf, "tls.server.name", server_name, err, sizeof err) != IGGY_OK ||
        iggy_conf_set(conf, "reconnect.max.retries", "0", err, sizeof err) != IGGY_OK ||
        iggy_client_new(conf, &client, err, sizeof err) != IGGY_OK)
        fprintf(stderr, "client: %s\n", err);
    iggy_conf_destroy(conf);
    return client;
}

static int run(const example_server_t *srv, const char *ca_file, const char *server_name)
{
    iggy_client_t *untrusting, *client;
    iggy_identifier_t stream = iggy_id_name("tls-example"), topic = iggy_id_name("secure");
    iggy_partitioning_t p0 = {IGGY_PARTITIONING_PARTITION_ID, 0, NULL, 0};
    iggy_consumer_ref_t me = {IGGY_CONSUMER_SINGLE, {NULL, 1}};
    iggy_polling_strategy_t first = {IGGY_POLL_FIRST, 0};
    iggy_polled_messages_t *batch = NULL;
    iggy_send_message_t msg;
    iggy_err_t refused;
    int rc = 1;

    /* Trusting only the system's CAs, the client refuses the certificate: it is fatal, so
     * iggy_err_is_fatal() says not to retry. */
    if (!(untrusting = tls_client(srv, NULL, server_name)))
        return 1;
    refused = iggy_ping(untrusting);
    printf("without the CA: %s (fatal: %s)\n", iggy_err2name(refused),
           iggy_err_is_fatal(refused) ? "yes" : "no");
    iggy_client_destroy(untrusting);
    if (refused != IGGY_ERR__TLS_VERIFY)
        return 1;

    if (!(client = tls_client(srv, ca_file, server_name)))
        return 1;
    memset(&msg, 0, sizeof msg);
    msg.payload = "hello over TLS";
    msg.payload_len = (uint32_t)strlen("hello over TLS");
    if (example_check(iggy_ping(client), "ping") ||
        example_check(iggy_create_stream(client, "tls-example", NULL), "create stream") ||
        example_check(iggy_create_topic(client, &stream, "secure", 1, NULL, NULL),
                      "create topic") ||
        example_check(iggy_send_messages(client, &stream, &topic, &p0, &msg, 1, NULL, NULL),
                      "send") ||
        example_check(iggy_poll_messages_into(client, &me, &stream, &topic, &p0.partition_id,
                                              &first, 10, false, NULL, &batch),
                      "poll"))
        goto out;
    if (batch->count == 1) {
        printf("with the CA: sent and polled \"%.*s\"\n", (int)batch->messages[0].payload_len,
               (const char *)batch->messages[0].payload);
        rc = 0;
    }
out:
    iggy_result_destroy(batch);
    if (example_check(iggy_delete_stream(client, &stream), "delete stream"))
        rc = 1;
    iggy_client_destroy(client);
    return rc;
}

int main(int argc, char **argv)
{
    const char *ca = argc > 2 ? argv[2] : getenv("IGGY_TLS_CA");
    const char *name = argc > 3 ? argv[3] : "localhost";
    char dir[] = "/tmp/iggy-tls-example-XXXXXX", cert[512], key[512];
    int own_cert = !(argc > 1 || getenv("IGGY_TLS_ADDR"));
    example_server_t srv;
    int rc;

    if (!own_cert && !ca) {
        fprintf(stderr, "a server address needs its CA file too: tls host:port CA_FILE\n");
        return 2;
    }
    if (own_cert) {
        /* A throwaway certificate; the embedded mock serves with it, the client trusts it. */
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            return 1;
        }
        if (example_make_tls_cert(dir, cert, key, sizeof cert)) {
            rmdir(dir);
            return 1;
        }
        ca = cert;
    }
    rc = example_server_start(&srv, argc, argv, "IGGY_TLS_ADDR", own_cert ? cert : NULL,
                              own_cert ? key : NULL);
    if (rc == 0) {
        rc = run(&srv, ca, name);
        example_server_stop(&srv);
    }
    if (own_cert) {
        unlink(cert);
        unlink(key);
        rmdir(dir);
    }
    return rc;
}
