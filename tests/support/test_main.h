/* Runs one Check suite and turns the result into an exit code. */
#ifndef IGGY_TEST_MAIN_H
#define IGGY_TEST_MAIN_H

#include <check.h>

int test_run_suite(Suite *s);

#endif
