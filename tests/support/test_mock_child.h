/* The built-in mock server in a child process. Fork it before the test process starts any
 * thread (and before test_run_suite()): every allocation the test process's libiggy hook
 * sees is then the client's, although the mock allocates through the same hook. */
#ifndef IGGY_TEST_MOCK_CHILD_H
#define IGGY_TEST_MOCK_CHILD_H

#include <check.h>
#include <sys/types.h>

#include <iggy/mock.h>

typedef struct test_mock_child {
    pid_t pid;
    int ctl;       /* closing it tells the child to stop */
    char addr[64]; /* host:port of the mock's first node */
} test_mock_child_t;

/* Start one mock with opts (NULL: defaults) in a child; 0, or -1 on failure. */
int test_mock_child_start(test_mock_child_t *m, const iggy_mock_opts_t *opts);
/* Stop it: the child's exit status (0: the mock stopped cleanly; under valgrind also that it
 * leaked nothing), -1 when it could not be waited for. */
int test_mock_child_stop(test_mock_child_t *m);

/* Run a suite in this process without forking (Check's ck_assert needs a running test, e.g.
 * for test_pki_create), before the mock children are forked; the number of failures. */
int test_run_nofork(Suite *s);

#endif
