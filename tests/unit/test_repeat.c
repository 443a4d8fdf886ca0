/* test_repeat.c - merging repeated runs of one scenario (repeat.c). */
#include "repeat.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* A run result with a verdict, the client's recv results, the server's
 * conn_end reason and one wire connection: its close class, closed first by
 * the client, with data after close when it is client-reset. */
static json_t *run(const char *verdict, const char *reason, int recv_bytes, const char *conn_end,
                   const char *close)
{
    return json_pack("{s:s, s:s, s:i, s:{s:{s:[{s:s, s:i}, {s:s, s:i}]}, s:{s:[{s:s, s:s}]}},"
                     " s:{s:[{s:s, s:s, s:b}]}}",
                     "verdict", verdict, "reason", reason, "duration_ms", 70, "roles", "client",
                     "events", "call", "recv", "ret", recv_bytes, "call", "recv", "ret", 0,
                     "server", "events", "call", "conn_end", "reason", conn_end, "wire", "tcp",
                     "close", close, "first_close_by", "client", "data_after_close",
                     strcmp(close, "client-reset") == 0);
}

static json_int_t at(const json_t *merged, const char *fact, const char *value)
{
    const json_t *d =
        json_object_get(json_object_get(json_object_get(merged, "repeat"), "distribution"), fact);
    return json_integer_value(json_object_get(d, value));
}

START_TEST(test_repeat_counts_each_timing_dependent_outcome)
{
    json_t *runs[3] = {run("PASS", "ok", 1, "EPIPE", "client-reset"),
                       run("PASS", "ok", 12, "eof", "graceful"),
                       run("PASS", "ok", 1, "EPIPE", "client-reset")};
    json_t *m = eh_repeat_merge(runs, 3);
    ck_assert_str_eq(json_string_value(json_object_get(m, "verdict")), "PASS");
    ck_assert_str_eq(json_string_value(json_object_get(m, "reason")), "all 3 runs passed");
    ck_assert_int_eq(at(m, "client_received_bytes", "1"), 2);
    ck_assert_int_eq(at(m, "client_received_bytes", "12"), 1);
    ck_assert_int_eq(at(m, "wire_close", "client-reset"), 2);
    ck_assert_int_eq(at(m, "server_conn_end", "eof"), 1);
    ck_assert_int_eq(json_array_size(json_object_get(json_object_get(m, "repeat"), "runs_detail")),
                     3);
    json_decref(m);
}
END_TEST

START_TEST(test_repeat_verdict_is_the_worst_run_and_names_it)
{
    json_t *runs[4] = {run("PASS", "ok", 12, "eof", "graceful"),
                       run("TIMEOUT", "slow", 0, "timeout", "unfinished"),
                       run("FAIL", "expected X, got Y", 0, "eof", "graceful"),
                       run("FAIL", "expected X, got Z", 0, "eof", "graceful")};
    json_t *m = eh_repeat_merge(runs, 4);
    ck_assert_str_eq(json_string_value(json_object_get(m, "verdict")), "FAIL");
    ck_assert_str_eq(json_string_value(json_object_get(m, "reason")),
                     "2 of 4 runs FAIL; run 3: expected X, got Y");
    json_t *v = json_object_get(json_object_get(m, "repeat"), "verdicts");
    ck_assert_int_eq(json_integer_value(json_object_get(v, "PASS")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(v, "TIMEOUT")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(v, "FAIL")), 2);
    json_decref(m);
}
END_TEST

START_TEST(test_repeat_is_skip_only_when_every_run_was_skipped)
{
    json_t *skipped[2] = {json_pack("{s:s, s:s}", "verdict", "SKIP", "reason", "not run"),
                          json_pack("{s:s, s:s}", "verdict", "SKIP", "reason", "not run")};
    json_t *m = eh_repeat_merge(skipped, 2);
    ck_assert_str_eq(json_string_value(json_object_get(m, "verdict")), "SKIP");
    json_decref(m);
    json_t *mixed[2] = {json_pack("{s:s, s:s}", "verdict", "SKIP", "reason", "not run"),
                        run("PASS", "ok", 12, "eof", "graceful")};
    m = eh_repeat_merge(mixed, 2);
    ck_assert_str_eq(json_string_value(json_object_get(m, "verdict")), "PASS");
    json_decref(m);
}
END_TEST

START_TEST(test_repeat_describe_gives_one_line_with_counts)
{
    json_t *runs[2] = {run("PASS", "ok", 1, "EPIPE", "client-reset"),
                       run("PASS", "ok", 1, "EPIPE", "client-reset")};
    json_t *m = eh_repeat_merge(runs, 2);
    char line[512];
    eh_repeat_describe(m, line, sizeof(line));
    ck_assert_str_eq(line, "2 runs: PASS 2; same in every run: client received 1 B, server "
                           "conn_end EPIPE, connections 1, close client-reset, first FIN/RST "
                           "from client, data after close yes");
    json_decref(m);
}
END_TEST

START_TEST(test_repeat_names_every_fact_that_varied_and_who_closed_first)
{
    json_t *runs[3] = {run("PASS", "ok", 1, "EPIPE", "client-reset"),
                       run("PASS", "ok", 12, "eof", "graceful"),
                       run("PASS", "ok", 12, "eof", "graceful")};
    json_object_set_new(json_array_get(json_object_get(json_object_get(runs[2], "wire"), "tcp"), 0),
                        "first_close_by", json_string("server"));
    json_t *m = eh_repeat_merge(runs, 3);
    json_t *v = json_object_get(json_object_get(m, "repeat"), "varied");
    char *text = json_dumps(v, JSON_COMPACT);
    ck_assert_str_eq(text, "[\"client_received_bytes\",\"server_conn_end\",\"wire_close\","
                           "\"wire_first_close_by\",\"wire_data_after_close\"]");
    free(text);
    ck_assert_int_eq(at(m, "wire_first_close_by", "server"), 1);
    ck_assert_int_eq(at(m, "wire_first_close_by", "client"), 2);
    char line[512];
    eh_repeat_describe(m, line, sizeof(line));
    ck_assert_str_eq(line, "3 runs: PASS 3; varied: client received 1 B x1, 12 B x2; server "
                           "conn_end EPIPE x1, eof x2; close client-reset x1, graceful x2; first "
                           "FIN/RST from client x2, server x1; data after close yes x1, no x2; "
                           "same in every run: connections 1");
    json_decref(m);
}
END_TEST

/* Two runs of two connections each: the close classes count connections,
 * four, not runs, and the line says so. */
START_TEST(test_repeat_says_when_a_fact_counts_connections)
{
    json_t *runs[2] = {run("PASS", "ok", 12, "eof", "graceful"),
                       run("PASS", "ok", 12, "eof", "graceful")};
    for (int i = 0; i < 2; i++)
        json_array_append_new(json_object_get(json_object_get(runs[i], "wire"), "tcp"),
                              json_pack("{s:s, s:s, s:b}", "close", "client-abort",
                                        "first_close_by", "client", "data_after_close", 0));
    json_t *m = eh_repeat_merge(runs, 2);
    char line[512];
    eh_repeat_describe(m, line, sizeof(line));
    ck_assert_msg(strstr(line, "close (of 4 connections) graceful x2, client-abort x2") != NULL,
                  "%s", line);
    json_decref(m);
}
END_TEST

START_TEST(test_repeat_counts_how_the_server_ended)
{
    json_t *runs[2] = {json_pack("{s:s, s:s, s:{s:{s:{s:s, s:i}}}}", "verdict", "PASS", "reason",
                                 "ok", "roles", "server", "exit", "signal", "SIGPIPE", "signo", 13),
                       json_pack("{s:s, s:s, s:{s:{s:{s:i}}}}", "verdict", "PASS", "reason", "ok",
                                 "roles", "server", "exit", "code", 0)};
    json_t *m = eh_repeat_merge(runs, 2);
    ck_assert_int_eq(at(m, "server_exit", "killed by SIGPIPE"), 1);
    ck_assert_int_eq(at(m, "server_exit", "exit 0"), 1);
    json_decref(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("repeat");
    TCase *tc = tcase_create("merge");
    tcase_add_test(tc, test_repeat_counts_each_timing_dependent_outcome);
    tcase_add_test(tc, test_repeat_verdict_is_the_worst_run_and_names_it);
    tcase_add_test(tc, test_repeat_is_skip_only_when_every_run_was_skipped);
    tcase_add_test(tc, test_repeat_describe_gives_one_line_with_counts);
    tcase_add_test(tc, test_repeat_says_when_a_fact_counts_connections);
    tcase_add_test(tc, test_repeat_counts_how_the_server_ended);
    tcase_add_test(tc, test_repeat_names_every_fact_that_varied_and_who_closed_first);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
