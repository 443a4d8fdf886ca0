/* test_timeout_scale.c - unit tests for the timeout scale (eh.h).
 *
 * The scale is set once and then only read: eh_timeout_scale() never looks
 * at the environment, eh_timeout_scale_from_env() does, and a bad value is
 * an error that names its source. Each test runs in its own process (the
 * scale is process-wide).
 */
#include "eh.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_scale_is_one_until_set)
{
    setenv("EH_TIMEOUT_SCALE", "4", 1);
    ck_assert(eh_timeout_scale() == 1.0); /* the environment is read only when asked */
    ck_assert_int_eq(eh_scaled_ms(250), 250);
    eh_set_timeout_scale(2.5);
    ck_assert(eh_timeout_scale() == 2.5);
    ck_assert_int_eq(eh_scaled_ms(100), 250);
    ck_assert_int_eq(eh_scaled_ms(0), 1);
}
END_TEST

START_TEST(test_parse_accepts_only_the_range)
{
    static const char *const bad[] = {"", "0", "-1", "1000.5", "abc", "2x", "nan", "inf"};
    double v = 0.0;
    struct eh_error err = {0};
    ck_assert_int_eq(eh_timeout_scale_parse("--timeout-scale", "1000", &v, &err), EH_OK);
    ck_assert(v == 1000.0);
    ck_assert_int_eq(eh_timeout_scale_parse("--timeout-scale", "0.5", &v, &err), EH_OK);
    ck_assert(v == 0.5);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char want[128];
        eh_error_clear(&err);
        v = 7.0;
        ck_assert_int_eq(eh_timeout_scale_parse("--timeout-scale", bad[i], &v, &err), EH_ERR);
        ck_assert(v == 7.0);
        snprintf(want, sizeof(want), "--timeout-scale: expected a number in (0, 1000], got '%s'",
                 bad[i]);
        ck_assert_str_eq(err.msg, want);
    }
}
END_TEST

START_TEST(test_from_env_sets_the_scale)
{
    struct eh_error err = {0};
    unsetenv("EH_TIMEOUT_SCALE");
    ck_assert_int_eq(eh_timeout_scale_from_env(&err), EH_OK);
    ck_assert(eh_timeout_scale() == 1.0);
    setenv("EH_TIMEOUT_SCALE", "3", 1);
    ck_assert_int_eq(eh_timeout_scale_from_env(&err), EH_OK);
    ck_assert(eh_timeout_scale() == 3.0);
    ck_assert_int_eq(eh_scaled_ms(200), 600);
}
END_TEST

START_TEST(test_from_env_rejects_a_bad_value_and_keeps_the_scale)
{
    struct eh_error err = {0};
    eh_set_timeout_scale(2.0);
    setenv("EH_TIMEOUT_SCALE", "abc", 1);
    ck_assert_int_eq(eh_timeout_scale_from_env(&err), EH_ERR);
    ck_assert_str_eq(err.msg, "EH_TIMEOUT_SCALE: expected a number in (0, 1000], got 'abc'");
    ck_assert(eh_timeout_scale() == 2.0);
}
END_TEST

static Suite *timeout_scale_suite(void)
{
    Suite *s = suite_create("timeout_scale");
    TCase *tc = tcase_create("timeout_scale");
    tcase_add_test(tc, test_scale_is_one_until_set);
    tcase_add_test(tc, test_parse_accepts_only_the_range);
    tcase_add_test(tc, test_from_env_sets_the_scale);
    tcase_add_test(tc, test_from_env_rejects_a_bad_value_and_keeps_the_scale);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(timeout_scale_suite());
    srunner_set_fork_status(sr, CK_FORK); /* each test starts from the default scale */
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
