#include "test_main.h"

#include <pthread.h>
#include <stdlib.h>

static void *nothing(void *arg)
{
    return arg;
}

int test_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    pthread_t t;
    /* Thread sanitizer starts a helper thread with the first pthread_create: start it
     * now, so tests that count threads see a stable baseline. */
    if (pthread_create(&t, NULL, nothing, NULL) == 0)
        pthread_join(t, NULL);
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
