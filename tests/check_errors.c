/* The error table: every server code of errors.tsv has a name and text, local codes are
 * negative, classifiers and the thread-local detail behave. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iggy/iggy.h>

#include "iggy_error_internal.h"
#include "test_main.h"

START_TEST(every_server_code_from_tsv_is_known)
{
    char path[4096], line[1024];
    const char *vec = IGGY_VECTORS_PATH;
    int rows = 0;
    FILE *f;
    snprintf(path, sizeof path, "%.*s/errors.tsv", (int)(strrchr(vec, '/') - vec), vec);
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    while (fgets(line, sizeof line, f)) {
        int code;
        char name[128];
        if (sscanf(line, "%d\t%127s", &code, name) != 2)
            continue;
        ck_assert_msg(strcmp(iggy_err2name((iggy_err_t)code), "IGGY_ERR_UNKNOWN") != 0,
                      "code %d (%s) missing from the table", code, name);
        ck_assert_msg(strncmp(iggy_err2str((iggy_err_t)code), "server error", 12) != 0,
                      "code %d has no text", code);
        rows++;
    }
    fclose(f);
    ck_assert_int_eq(rows, 238);
}
END_TEST

START_TEST(names_and_texts)
{
    ck_assert_str_eq(iggy_err2name(IGGY_ERR_STREAM_ID_NOT_FOUND), "IGGY_ERR_STREAM_ID_NOT_FOUND");
    ck_assert_int_eq(IGGY_ERR_STREAM_ID_NOT_FOUND, 1009);
    ck_assert_int_eq(IGGY_ERR_TRANSIENT_NOT_COMMITTED, 57);
    ck_assert_str_eq(iggy_err2name(IGGY_OK), "IGGY_OK");
    ck_assert_str_eq(iggy_err2name(IGGY_ERR__BAD_MSG), "IGGY_ERR__BAD_MSG");
    ck_assert_str_eq(iggy_err2str(IGGY_ERR_UNAUTHENTICATED), "Unauthenticated");
    ck_assert_str_eq(iggy_err2name((iggy_err_t)999999), "IGGY_ERR_UNKNOWN");
    ck_assert_str_eq(iggy_err2str((iggy_err_t)999999), "server error 999999");
    ck_assert_str_eq(iggy_err2str((iggy_err_t)-150), "local error -150");
}
END_TEST

START_TEST(local_codes_are_negative_and_described)
{
    const iggy_err_desc_t *d;
    size_t n, local = 0;
    iggy_get_err_descs(&d, &n);
    ck_assert_uint_ge(n, 238 + 1);
    for (size_t i = 0; i < n; i++) {
        ck_assert_ptr_nonnull(d[i].name);
        ck_assert_ptr_nonnull(d[i].desc);
        if (d[i].code < 0) {
            ck_assert_int_gt(d[i].code, IGGY_ERR__BEGIN);
            ck_assert_int_lt(d[i].code, IGGY_ERR__END);
            ck_assert_ptr_nonnull(strstr(d[i].name, "IGGY_ERR__"));
            local++;
        }
        if (i > 0 && d[i].code > 0)
            ck_assert_int_gt(d[i].code, d[i - 1].code); /* sorted: binary search relies on it */
    }
    ck_assert_uint_ge(local, 10);
}
END_TEST

START_TEST(classifiers)
{
    ck_assert(iggy_err_is_retriable(IGGY_ERR__TIMED_OUT));
    ck_assert(iggy_err_is_retriable(IGGY_ERR__TRANSPORT));
    ck_assert(iggy_err_is_retriable(IGGY_ERR_TRANSIENT_NOT_COMMITTED));
    ck_assert(iggy_err_is_retriable(IGGY_ERR_STALE_CLIENT));
    ck_assert(!iggy_err_is_retriable(IGGY_ERR_STREAM_ID_NOT_FOUND));
    ck_assert(!iggy_err_is_retriable(IGGY_OK));
    ck_assert(iggy_err_is_fatal(IGGY_ERR_INCOMPATIBLE_PROTOCOL_VERSION));
    ck_assert(iggy_err_is_fatal(IGGY_ERR_INVALID_CREDENTIALS));
    ck_assert(!iggy_err_is_fatal(IGGY_ERR__TIMED_OUT));
    ck_assert(!iggy_err_is_fatal(IGGY_ERR_TOPIC_ID_NOT_FOUND));
}
END_TEST

static void *other_thread(void *arg)
{
    (void)arg;
    iggy_fail(IGGY_ERR__BAD_MSG, "detail from the other thread");
    return NULL;
}

START_TEST(detail_is_thread_local)
{
    pthread_t t;
    ck_assert_int_eq(iggy_fail(IGGY_ERR__INVALID_ARG, "mine %d", 7), IGGY_ERR__INVALID_ARG);
    pthread_create(&t, NULL, other_thread, NULL);
    pthread_join(t, NULL);
    ck_assert_str_eq(iggy_last_error_detail(), "mine 7");
    iggy_detail_clear();
    ck_assert_str_eq(iggy_last_error_detail(), "");
}
END_TEST

START_TEST(version)
{
    ck_assert_str_eq(iggy_version_str(), IGGY_VERSION_STR);
    ck_assert_int_eq(iggy_version_num(), IGGY_VERSION_NUM);
    ck_assert(IGGY_VERSION_AT_LEAST(0, 0, 1));
    ck_assert(!IGGY_VERSION_AT_LEAST(IGGY_VERSION_MAJOR + 1, 0, 0));
    ck_assert_uint_eq(IGGY_PROTOCOL_VERSION, 11264);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("errors");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, every_server_code_from_tsv_is_known);
    tcase_add_test(tc, names_and_texts);
    tcase_add_test(tc, local_codes_are_negative_and_described);
    tcase_add_test(tc, classifiers);
    tcase_add_test(tc, detail_is_thread_local);
    tcase_add_test(tc, version);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
