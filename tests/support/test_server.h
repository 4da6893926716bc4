/* The server an integration test talks to: the in-process mock by default, or a real
 * server when IGGY_TEST_SERVER=host:port is set (IGGY_TEST_USERNAME / IGGY_TEST_PASSWORD,
 * default iggy / iggy). Mock-only tests print SKIPPED against a real server. */
#ifndef IGGY_TEST_SERVER_H
#define IGGY_TEST_SERVER_H

#include <stdbool.h>

#include <iggy/iggy.h>
#include <iggy/mock.h>

typedef struct test_server {
    iggy_mock_t *mock; /* NULL against a real server */
    bool real;
    char addr[256]; /* first node */
    char username[128];
    char password[128];
} test_server_t;

/* Start the mock (opts may be NULL) or point at IGGY_TEST_SERVER. */
void test_server_start(test_server_t *s, const iggy_mock_opts_t *opts);
void test_server_stop(test_server_t *s);

/* True (after printing "SKIPPED <what>: ...") when s is a real server. */
bool test_skip_unless_mock(const test_server_t *s, const char *what);

/* A conf for s with the given extra "name=value" properties (NULL-terminated list). */
iggy_conf_t *test_conf(const test_server_t *s, bool with_credentials, const char *const *props);

/* A client for s; when login is true, credentials are configured (auto-login). */
iggy_client_t *test_client(const test_server_t *s, bool login);
/* The same with extra "name", "value" properties (NULL-terminated list, may be NULL). */
iggy_client_t *test_client_with(const test_server_t *s, bool login, const char *const *props);

/* Connections the client has established so far (iggy_client_stats' connects). */
uint64_t test_client_connects(iggy_client_t *c);

/* Sleep ms milliseconds (resumed after signals). */
void test_sleep_ms(int ms);

/* Open file descriptors and threads of this process. */
int test_count_fds(void);
int test_count_threads(void);
/* The thread count once it reaches expected, or after 2 s of waiting for it. */
int test_settle_threads(int expected);

/* No fds or threads left behind: snapshot before, assert equal after (threads get a
 * moment to leave /proc after being joined). */
typedef struct test_leak_guard {
    int fds, threads;
} test_leak_guard_t;
void test_leak_guard_begin(test_leak_guard_t *g);
void test_leak_guard_end(const test_leak_guard_t *g);

/* A test's server inside a leak guard: begin starts both, end stops the server and checks the
 * guard. The mock-only form returns false (after printing SKIPPED and ending) against a real
 * server. opts may be NULL. */
void test_begin(test_server_t *s, test_leak_guard_t *g, const iggy_mock_opts_t *opts);
void test_end(test_server_t *s, const test_leak_guard_t *g);
bool test_begin_mock_only(test_server_t *s, test_leak_guard_t *g, const iggy_mock_opts_t *opts,
                          const char *what);

/* A unique name with a prefix, for resources on a shared real server. */
const char *test_unique_name(const char *prefix);

#endif
