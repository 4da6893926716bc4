/* Configuration properties and the connection-string grammar (FEATURES.md). */
#include <check.h>
#include <string.h>

#include <iggy/iggy.h>
#include <iggy/conf.h>

#include "iggy_conf_internal.h"
#include "iggy_humantime.h"
#include "test_main.h"

static iggy_conf_t *new_conf(void)
{
    iggy_conf_t *c;
    ck_assert_int_eq(iggy_conf_new(&c), IGGY_OK);
    return c;
}

static const char *get(const iggy_conf_t *c, const char *name)
{
    static char buf[512];
    size_t n = sizeof buf;
    ck_assert_int_eq(iggy_conf_get(c, name, buf, &n), IGGY_OK);
    return buf;
}

START_TEST(defaults_and_validation)
{
    iggy_conf_t *c = new_conf();
    char err[256];
    size_t n = 2;
    char small[2];
    ck_assert_str_eq(get(c, "bootstrap.servers"), "127.0.0.1:8090");
    ck_assert_str_eq(get(c, "request.timeout.ms"), "30000");
    ck_assert_str_eq(get(c, "heartbeat.interval.ms"), "5000");
    ck_assert_str_eq(get(c, "tls.verify"), "true");
    ck_assert_str_eq(get(c, "client.sdk.name"), "c-sdk");
    ck_assert_str_eq(get(c, "client.sdk.version"), IGGY_VERSION_STR);

    ck_assert_int_eq(iggy_conf_set(c, "request.timeout.ms", "2500", err, sizeof err), IGGY_OK);
    ck_assert_int_eq(c->request_timeout_ms, 2500);
    ck_assert_int_eq(iggy_conf_set(c, "request.timeout.ms", "-1", err, sizeof err),
                     IGGY_ERR__INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "request.timeout.ms"));
    ck_assert_int_eq(c->request_timeout_ms, 2500); /* unchanged on failure */
    ck_assert_int_eq(iggy_conf_set(c, "request.timeout.ms", "12x", err, sizeof err),
                     IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_conf_set(c, "tls.verify", "maybe", err, sizeof err),
                     IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_conf_set(c, "no.such.thing", "1", err, sizeof err),
                     IGGY_ERR__INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "unknown property"));
    ck_assert_int_eq(iggy_conf_get(c, "no.such.thing", small, &n), IGGY_ERR__INVALID_ARG);
    ck_assert_int_eq(iggy_conf_get(c, "bootstrap.servers", small, &n), IGGY_ERR__MSG_TOO_LARGE);
    ck_assert_uint_eq(n, strlen("127.0.0.1:8090") + 1);
    iggy_conf_destroy(c);
}
END_TEST

START_TEST(secrets_are_never_printed)
{
    iggy_conf_t *c = new_conf();
    char *dump;
    ck_assert_int_eq(iggy_conf_set(c, "password", "hunter2", NULL, 0), IGGY_OK);
    ck_assert_int_eq(iggy_conf_set(c, "personal.access.token", "tok-secret", NULL, 0), IGGY_OK);
    ck_assert_str_eq(get(c, "password"), "***");
    dump = iggy_conf_dump(c);
    ck_assert_ptr_nonnull(dump);
    ck_assert_ptr_null(strstr(dump, "hunter2"));
    ck_assert_ptr_null(strstr(dump, "tok-secret"));
    ck_assert_ptr_nonnull(strstr(dump, "bootstrap.servers=127.0.0.1:8090"));
    ck_assert_ptr_nonnull(strstr(dump, "heartbeat.interval.ms=5000"));
    iggy_free(dump);
    iggy_conf_destroy(c);
}
END_TEST

START_TEST(dup_is_deep)
{
    iggy_conf_t *a = new_conf(), *b;
    ck_assert_int_eq(iggy_conf_set(a, "username", "alice", NULL, 0), IGGY_OK);
    ck_assert_int_eq(iggy_conf_dup(a, &b), IGGY_OK);
    ck_assert_int_eq(iggy_conf_set(a, "username", "bob", NULL, 0), IGGY_OK);
    ck_assert_str_eq(b->username, "alice");
    ck_assert_ptr_ne(a->username, b->username);
    iggy_conf_destroy(a);
    iggy_conf_destroy(b);
}
END_TEST

START_TEST(connection_strings_that_parse)
{
    iggy_conf_t *c = new_conf();
    char err[256];
    ck_assert_int_eq(iggy_conf_set_connection_string(
                         c,
                         "iggy+tcp://iggy:iggy@10.0.0.5:8090?tls=true&tls_domain=iggy.local&"
                         "heartbeat_interval=10s&nodelay=true",
                         err, sizeof err),
                     IGGY_OK);
    ck_assert_str_eq(c->bootstrap_servers, "10.0.0.5:8090");
    ck_assert_str_eq(c->username, "iggy");
    ck_assert_str_eq(c->password, "iggy");
    ck_assert(c->tls_enabled);
    ck_assert_str_eq(c->tls_server_name, "iggy.local");
    ck_assert_int_eq(c->heartbeat_interval_ms, 10000);
    ck_assert(c->tcp_nodelay);
    ck_assert(c->auto_login);

    ck_assert_int_eq(
        iggy_conf_set_connection_string(c, "iggy://TOKEN123@host:8090", err, sizeof err), IGGY_OK);
    ck_assert_str_eq(c->personal_access_token, "TOKEN123");
    ck_assert_str_eq(c->username, "");
    ck_assert_str_eq(c->bootstrap_servers, "host:8090");

    ck_assert_int_eq(
        iggy_conf_set_connection_string(
            c, "iggy://u:p@h:1?reconnection_retries=unlimited&reconnection_interval=1m 30s&tls=yes",
            err, sizeof err),
        IGGY_OK);
    ck_assert_int_eq(c->reconnect_max_retries, -1);
    ck_assert_int_eq(c->reconnect_backoff_ms, 90000);
    ck_assert(!c->tls_enabled); /* true only for "true" */

    /* A repeated key keeps the last value. */
    ck_assert_int_eq(
        iggy_conf_set_connection_string(
            c, "iggy://u:p@h:1?reconnection_retries=3&reconnection_retries=7", err, sizeof err),
        IGGY_OK);
    ck_assert_int_eq(c->reconnect_max_retries, 7);
    iggy_conf_destroy(c);
}
END_TEST

START_TEST(connection_strings_that_fail)
{
    static const char *BAD[] = {
        "iggy+TCP://iggy:iggy@h:8090",       /* schemes are case-sensitive */
        "iggy://iggy:iggy@h:8090?",          /* bare '?' */
        "iggy://iggy:iggy@h:8090?foo=1",     /* unknown key */
        "iggy://u:p:x@h:8090",               /* a third ':' in credentials */
        "iggy://iggy:iggy@[::1]:8090",       /* IPv6 is rejected in 0.9's grammar */
        "iggy://iggy:iggy@h:8090?tls=true&", /* trailing '&' */
        "iggy://iggy:iggy@h:8090?tls",       /* no '=' */
        "iggy://iggy:iggy@h",                /* no port */
        "iggy://iggy:iggy@:8090",            /* no host */
        "iggy://iggy:iggy@h:99999",          /* port out of range */
        "iggy://a@b@h:8090",                 /* two '@' */
        "iggy://iggy:iggy@h:8090?heartbeat_interval=soon",
        "iggy://:iggy@h:8090",          /* empty username */
        "iggy+quic://iggy:iggy@h:8080", /* not a TCP transport */
        "iggy:/iggy:iggy@h:8090",
        "h:8090",
    };
    iggy_conf_t *c = new_conf();
    char err[256];
    ck_assert_int_eq(iggy_conf_set(c, "username", "keep", NULL, 0), IGGY_OK);
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        err[0] = '\0';
        ck_assert_msg(iggy_conf_set_connection_string(c, BAD[i], err, sizeof err) ==
                          IGGY_ERR_INVALID_CONNECTION_STRING,
                      "accepted: %s", BAD[i]);
        ck_assert_msg(strstr(err, "invalid connection string") != NULL, "no reason for %s", BAD[i]);
        ck_assert_str_eq(c->username, "keep"); /* a failed parse changes nothing */
    }
    iggy_conf_destroy(c);
}
END_TEST

START_TEST(durations)
{
    int64_t ms;
    ck_assert_int_eq(iggy_parse_duration_ms("500ms", &ms), 0);
    ck_assert_int_eq(ms, 500);
    ck_assert_int_eq(iggy_parse_duration_ms("1h 1m", &ms), 0);
    ck_assert_int_eq(ms, 3660000);
    ck_assert_int_eq(iggy_parse_duration_ms("5s", &ms), 0);
    ck_assert_int_eq(ms, 5000);
    ck_assert_int_eq(iggy_parse_duration_ms("disabled", &ms), 0);
    ck_assert_int_eq(ms, 0);
    ck_assert_int_eq(iggy_parse_duration_ms("5", &ms), -1);
    ck_assert_int_eq(iggy_parse_duration_ms("", &ms), -1);
    ck_assert_int_eq(iggy_parse_duration_ms("s", &ms), -1);
    ck_assert_int_eq(iggy_parse_duration_ms("3 fortnights", &ms), -1);
    ck_assert_int_eq(iggy_parse_duration_ms("1.5s", &ms), -1); /* humantime has no fractions */
    ck_assert_int_eq(iggy_parse_duration_ms("2 weeks 1.0d", &ms), 0);
    ck_assert_int_eq(ms, 15 * 86400000LL);
}
END_TEST

START_TEST(humantime_limit)
{
    uint64_t ns;
    ck_assert(iggy_humantime_ns((const uint8_t *)"1s", 2, 1000000000ull, &ns));
    ck_assert_uint_eq(ns, 1000000000ull);
    ck_assert(!iggy_humantime_ns((const uint8_t *)"1s 1ns", 7, 1000000000ull, &ns));
    ck_assert(!iggy_humantime_ns((const uint8_t *)"   ", 3, UINT64_MAX, &ns));
    ck_assert(iggy_humantime_ns((const uint8_t *)"1M", 2, UINT64_MAX, &ns)); /* a month */
    ck_assert_uint_eq(ns, 2630016000000000ull);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("conf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, defaults_and_validation);
    tcase_add_test(tc, secrets_are_never_printed);
    tcase_add_test(tc, dup_is_deep);
    tcase_add_test(tc, connection_strings_that_parse);
    tcase_add_test(tc, connection_strings_that_fail);
    tcase_add_test(tc, durations);
    tcase_add_test(tc, humantime_limit);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
