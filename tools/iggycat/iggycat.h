/* iggycat's internal interface: the parsed command line and what each file provides.
 *   main.c     options, configuration, signals, dispatch
 *   util.c     diagnostics (every one scrubbed of secrets), argument parsing
 *   list.c     -L
 *   produce.c  -P on the high-level producer
 *   consume.c  -C on the high-level consumer
 *   format.c   -f and -J rendering of consumed messages
 *   admin.c    the admin commands (stream, topic, partition, group, user, token, offset) */
#ifndef IGGYCAT_H
#define IGGYCAT_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <iggy/iggy.h>

#define EXIT_FAIL 1
#define EXIT_USAGE 2

/* The String user header that carries a message's key (-k, -K): Iggy messages have no key
 * field, so the key that routed a message travels beside it for -C's %k and -J. */
#define ICAT_KEY_HEADER "key"
#define ICAT_MAX_HEADERS 64

typedef enum icat_mode {
    MODE_NONE,
    MODE_LIST,
    MODE_PRODUCE,
    MODE_CONSUME,
} icat_mode_t;

/* Where -o starts a consumer. */
typedef enum icat_start {
    START_BEGINNING, /* the default */
    START_END,       /* after the last message of each partition */
    START_OFFSET,    /* an absolute offset, in every partition */
    START_RELATIVE,  /* start_value messages before the end of each partition */
    START_TIMESTAMP, /* broker time, start_value in ms */
    START_STORED,    /* after the consumer's stored offset */
} icat_start_t;

typedef struct icat_opts {
    icat_mode_t mode;
    bool json;                   /* -J */
    bool quiet;                  /* -q */
    bool verbose;                /* -v */
    bool list_conf;              /* -X list, printed once every option is applied */
    bool user_auto_commit;       /* -X consumer.auto.commit was given */
    char *broker;                /* bootstrap.servers without credentials, for display */
    const char *topic;           /* -t STREAM/TOPIC */
    const char *key;             /* -k: one key for every message */
    const char *key_delim;       /* -K */
    bool partition_set;          /* -p after -P/-C */
    uint32_t partition;          /* -p after -P/-C */
    const char *group;           /* -G */
    iggy_compression_codec_t zc; /* -z */
    bool zc_set;
    icat_start_t start; /* -o */
    bool start_set;
    uint64_t start_value;
    bool count_set; /* -c */
    uint64_t count;
    bool exit_at_end;                    /* -e */
    const char *format;                  /* -f */
    iggy_kv_t headers[ICAT_MAX_HEADERS]; /* -H, pointing into argv */
    size_t nheaders;
} icat_opts_t;

/* Set by SIGINT and SIGTERM: -P stops reading and flushes, -C stops and closes. */
extern volatile sig_atomic_t icat_stop;
/* Block SIGINT and SIGTERM in this thread (main does before any library thread starts, so
 * they inherit it), or unblock them (main, once the producer or consumer runs). */
void icat_stop_signals(bool block);

/* ---- util.c */

/* Remember a secret (a span of memory that outlives every diagnostic, such as argv). */
void icat_add_secret(const char *p, size_t n);
/* The userinfo of each address of a comma-separated list ("user:pass@host:port"). */
void icat_add_address_secrets(const char *list);
/* The credentials of a connection string "scheme://CREDS@host:port?...". */
void icat_add_connection_string_secrets(const char *cs);
/* A copy of s with every secret replaced by "***", or NULL when out of memory (free it). */
char *icat_scrub(const char *s);
/* Write s scrubbed (dropped, never printed raw, when it cannot be scrubbed). */
void icat_put_scrubbed(FILE *f, const char *s);

/* "iggycat: " + the scrubbed message + a newline, on stderr. */
void icat_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void icat_vsay(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* A usage error: the message, the hint to -h, and EXIT_USAGE. */
int icat_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A failed call: "WHAT: reason (IGGY_ERR_NAME, code)", and EXIT_FAIL. */
int icat_fail(const char *what, iggy_err_t err);
/* The library's log lines on stderr, scrubbed (opaque: the icat_opts_t, for -v). */
void icat_log(int level, const char *facility, const char *msg, void *opaque);

/* A number is an id, anything else a name (the string is borrowed). */
iggy_identifier_t icat_parse_id(const char *s);
bool icat_parse_u32(const char *s, uint32_t *out);
bool icat_parse_u64(const char *s, uint64_t *out);
/* "STREAM/TOPIC" into two identifiers pointing into buf; a usage error otherwise. */
int icat_split_topic(const char *arg, char *buf, size_t cap, iggy_identifier_t *stream,
                     iggy_identifier_t *topic);

/* ---- list.c: also the JSON of streams and topics, for the admin list commands */

void icat_json_topic_fields(FILE *f, const iggy_topic_t *t);
void icat_json_stream_fields(FILE *f, const iggy_stream_t *s);

/* ---- list.c, produce.c, consume.c, admin.c */

int icat_list(iggy_client_t *c, const icat_opts_t *o);
int icat_produce(iggy_client_t *c, iggy_conf_t *conf, const icat_opts_t *o, int nfiles,
                 char **files);
int icat_consume(iggy_client_t *c, iggy_conf_t *conf, const icat_opts_t *o);
/* Run the admin command argv[0..argc); usage errors for unknown ones. */
int icat_admin(iggy_client_t *c, const icat_opts_t *o, int argc, char **argv);
/* The admin commands, for -h. */
void icat_admin_usage(FILE *f);

/* ---- format.c */

/* A compiled -f format (or the default: payload and newline, with -K: key DELIM payload). */
typedef struct icat_format icat_format_t;
/* Compile fmt; on error *why says what is wrong and NULL is returned. */
icat_format_t *icat_format_new(const char *fmt, char *why, size_t why_size);
void icat_format_destroy(icat_format_t *f);
/* Write one message: with the format, or as one JSON line when f is NULL. */
void icat_format_message(FILE *out, const icat_format_t *f, const char *topic, uint32_t partition,
                         const iggy_message_t *m);
/* A message's key (the ICAT_KEY_HEADER header), or NULL; *len receives its length. */
const uint8_t *icat_message_key(const iggy_message_t *m, size_t *len);
/* A header value as text into buf (strings as they are, numbers in decimal, others as 0x and
 * hex); returns its length. ICAT_HEADER_TEXT holds any value (at most 255 bytes). */
#define ICAT_HEADER_TEXT 520
size_t icat_header_text(const iggy_kv_t *h, char *buf, size_t cap);

#endif
