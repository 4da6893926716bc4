/* The configuration fields behind iggy_conf_t, read by the client and the net layer. */
#ifndef IGGY_CONF_INTERNAL_H
#define IGGY_CONF_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <iggy/conf.h>
#include <iggy/log.h>
#include <iggy/stats.h>
#include <iggy/consumer.h>
#include <iggy/producer.h>

struct iggy_conf_s {
    char *bootstrap_servers; /* "host:port[,host:port...]" */
    char *username;
    char *password;
    char *personal_access_token;
    bool auto_login;
    bool tls_enabled;
    char *tls_ca_file;
    char *tls_server_name;
    bool tls_verify;
    int64_t connect_timeout_ms;
    int64_t request_timeout_ms;
    int64_t reconnect_backoff_ms;
    int64_t reconnect_backoff_max_ms;
    int64_t reconnect_max_retries; /* -1 = unlimited */
    int64_t heartbeat_interval_ms; /* 0 = off */
    int64_t message_max_bytes;
    int64_t poll_max_decompressed_bytes;       /* per message */
    int64_t poll_max_decompressed_reply_bytes; /* per reply; 0 = automatic */
    int64_t leader_redirects_max;
    char *sdk_name;
    char *sdk_version;
    bool request_checksum;
    bool tcp_nodelay;
    int64_t connections; /* lockstep connections per client */
    int64_t pool_buffer_initial_bytes;
    int64_t pool_spare_max_bytes;
    int64_t pool_spare_count;
    char *debug;
    int64_t producer_mode; /* IGGY_PRODUCER_MODE_* */
    int64_t producer_batch_length, producer_batch_bytes, producer_linger_ms, producer_shards;
    int64_t producer_buffer_max_messages, producer_buffer_max_bytes;
    int64_t producer_backpressure; /* IGGY_PRODUCER_BACKPRESSURE_* */
    int64_t producer_backpressure_timeout_ms;
    int64_t producer_retries, producer_retry_backoff_ms, producer_retry_backoff_max_ms;
    bool producer_create_topic;
    int64_t producer_create_topic_partitions, producer_shutdown_timeout_ms;
    int64_t producer_delivery_reports; /* 0 all, 1 errors */
    char *consumer_group, *consumer_id;
    bool consumer_group_create, consumer_allow_replay;
    int64_t consumer_partition, consumer_batch_length;
    int64_t consumer_start; /* IGGY_CONSUMER_START_* (iggy_consumer.c) */
    int64_t consumer_start_value;
    int64_t consumer_offset_reset;        /* earliest|latest|error */
    int64_t consumer_auto_commit;         /* disabled|interval|when|after|interval_or_... */
    int64_t consumer_auto_commit_trigger; /* polling|consuming_all|consuming_each|consuming_nth */
    int64_t consumer_auto_commit_interval_ms, consumer_auto_commit_nth;
    int64_t consumer_poll_interval_ms, consumer_poll_idle_ms, consumer_retry_interval_ms;
    int64_t consumer_sync_interval_ms;
    iggy_rebalance_cb_t *rebalance_cb;
    void *rebalance_opaque;
    iggy_delivery_report_cb_t *delivery_cb;
    void *delivery_opaque;
    iggy_log_cb_t *log_cb; /* iggy_log_print unless set */
    void *log_opaque;
    int64_t log_level;
    int64_t statistics_interval_ms; /* 0 = no statistics thread */
    iggy_stats_cb_t *stats_cb;
    void *stats_opaque;
};

/* Parse a humantime duration ("500ms", "1h 1m", "5s"; iggy_humantime.h) or "0", "none",
 * "unlimited", "disabled" (zero) into milliseconds. Returns 0 on success, -1 when malformed. */
int iggy_parse_duration_ms(const char *s, int64_t *out_ms);

#endif
