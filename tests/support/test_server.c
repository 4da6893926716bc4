#include "test_server.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>

void test_server_start(test_server_t *s, const iggy_mock_opts_t *opts)
{
    const char *real = getenv("IGGY_TEST_SERVER");
    const char *user = getenv("IGGY_TEST_USERNAME");
    const char *pass = getenv("IGGY_TEST_PASSWORD");
    memset(s, 0, sizeof *s);
    snprintf(s->username, sizeof s->username, "%s", user && *user ? user : "iggy");
    snprintf(s->password, sizeof s->password, "%s", pass && *pass ? pass : "iggy");
    if (real && *real) {
        s->real = true;
        snprintf(s->addr, sizeof s->addr, "%s", real);
        return;
    }
    {
        iggy_mock_opts_t o;
        if (opts)
            o = *opts;
        else
            memset(&o, 0, sizeof o);
        o.username = s->username;
        o.password = s->password;
        ck_assert_msg(iggy_mock_new(&o, &s->mock) == IGGY_OK, "mock: %s", iggy_last_error_detail());
        snprintf(s->addr, sizeof s->addr, "%s", iggy_mock_address(s->mock, 0));
    }
}

void test_server_stop(test_server_t *s)
{
    iggy_mock_destroy(s->mock);
    s->mock = NULL;
}

bool test_skip_unless_mock(const test_server_t *s, const char *what)
{
    if (!s->real)
        return false;
    printf("SKIPPED %s: needs the mock server (fault injection / cluster control); "
           "IGGY_TEST_SERVER is set\n",
           what);
    fflush(stdout);
    return true;
}

uint64_t test_client_connects(iggy_client_t *c)
{
    iggy_client_stats_t *st = NULL;
    uint64_t n;
    ck_assert_int_eq(iggy_client_stats(c, &st), IGGY_OK);
    n = st->connects;
    iggy_result_destroy(st);
    return n;
}

void test_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void test_begin(test_server_t *s, test_leak_guard_t *g, const iggy_mock_opts_t *opts)
{
    test_leak_guard_begin(g);
    test_server_start(s, opts);
}

void test_end(test_server_t *s, const test_leak_guard_t *g)
{
    test_server_stop(s);
    test_leak_guard_end(g);
}

bool test_begin_mock_only(test_server_t *s, test_leak_guard_t *g, const iggy_mock_opts_t *opts,
                          const char *what)
{
    test_begin(s, g, opts);
    if (!test_skip_unless_mock(s, what))
        return true;
    test_end(s, g);
    return false;
}

iggy_conf_t *test_conf(const test_server_t *s, bool with_credentials, const char *const *props)
{
    iggy_conf_t *conf;
    char err[256];
    ck_assert_int_eq(iggy_conf_new(&conf), IGGY_OK);
    ck_assert_int_eq(iggy_conf_set(conf, "bootstrap.servers", s->addr, err, sizeof err), IGGY_OK);
    if (with_credentials) {
        ck_assert_int_eq(iggy_conf_set(conf, "username", s->username, err, sizeof err), IGGY_OK);
        ck_assert_int_eq(iggy_conf_set(conf, "password", s->password, err, sizeof err), IGGY_OK);
    }
    for (; props && props[0]; props += 2)
        ck_assert_msg(iggy_conf_set(conf, props[0], props[1], err, sizeof err) == IGGY_OK, "%s",
                      err);
    return conf;
}

iggy_client_t *test_client(const test_server_t *s, bool login)
{
    return test_client_with(s, login, NULL);
}

iggy_client_t *test_client_with(const test_server_t *s, bool login, const char *const *props)
{
    iggy_conf_t *conf = test_conf(s, login, props);
    iggy_client_t *c;
    char err[256];
    ck_assert_msg(iggy_client_new(conf, &c, err, sizeof err) == IGGY_OK, "%s", err);
    iggy_conf_destroy(conf);
    return c;
}

static int count_dir(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

int test_count_fds(void)
{
    return count_dir("/proc/self/fd");
}

int test_count_threads(void)
{
    return count_dir("/proc/self/task");
}

int test_settle_threads(int expected)
{
    /* A joined thread can linger in /proc/self/task for a moment after pthread_join. */
    int n = test_count_threads();
    for (int i = 0; i < 200 && n != expected; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
        n = test_count_threads();
    }
    return n;
}

const char *test_unique_name(const char *prefix)
{
    static char buf[128];
    static unsigned n;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(buf, sizeof buf, "%s-%ld-%ld-%u", prefix, (long)getpid(), (long)ts.tv_nsec, n++);
    return buf;
}

void test_leak_guard_begin(test_leak_guard_t *g)
{
    g->fds = test_count_fds();
    g->threads = test_count_threads();
}

void test_leak_guard_end(const test_leak_guard_t *g)
{
    ck_assert_int_eq(test_settle_threads(g->threads), g->threads);
    ck_assert_int_eq(test_count_fds(), g->fds);
}
