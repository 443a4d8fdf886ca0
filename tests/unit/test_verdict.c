/* test_verdict.c - unit tests of verdict.c: expectations against observations.
 *
 * Each test builds a small observation (exit statuses and event logs written
 * as JSON with single quotes; for the wire kinds, flows built from decoded
 * packets or a golden capture) and checks one behaviour of eh_judge() or of
 * the helpers, including the exact "expected X, got Y" reason where it matters.
 */
#include "verdict.h"

#include "analyze.h"

#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parses JSON written with ' for " (for readable fixtures). */
static json_t *J(const char *text)
{
    char *s = strdup(text);
    for (char *c = s; *c; c++)
        if (*c == '\'')
            *c = '"';
    json_error_t jerr;
    json_t *j = json_loads(s, 0, &jerr);
    ck_assert_msg(j != NULL, "fixture: %s", jerr.text);
    free(s);
    return j;
}

/* Both roles present, started, logged, exited 0; takes the event arrays. */
static struct eh_observation obs_with(json_t *server_events, json_t *client_events)
{
    struct eh_observation o = {.port_lo = 32768, .port_hi = 60999};
    json_t *evs[EH_ROLE_COUNT] = {server_events, client_events};
    for (int i = 0; i < EH_ROLE_COUNT; i++) {
        o.roles[i] = (struct eh_proc_obs){
            .present = true, .instrumented = true, .started = true, .exited = true, .exit_code = 0};
        o.roles[i].events = evs[i] ? evs[i] : json_array();
    }
    return o;
}

static struct eh_check judge(const struct eh_expect *e, struct eh_observation *o)
{
    struct eh_check c;
    eh_judge(e, o, &c);
    return c;
}

static void done(struct eh_check *c, struct eh_observation *o)
{
    json_decref(c->evidence);
    eh_observation_clear(o);
}

#define CHECK(c, v, r)                                                                             \
    do {                                                                                           \
        ck_assert_str_eq(eh_verdict_name((c).verdict), eh_verdict_name(v));                        \
        if (r)                                                                                     \
            ck_assert_str_eq((c).reason, (const char *)(r));                                       \
    } while (0)

static char *EPIPE_ONLY[] = {"EPIPE"};
static char *EPIPE_OR_RESET[] = {"EPIPE", "ECONNRESET"};

/* ---- exit ---- */

static const struct eh_expect EXIT0 = {
    .kind = EH_EXPECT_EXIT, .who = EH_SERVER, .codes = {0}, .n_codes = 1};

START_TEST(test_exit_code_in_set_passes)
{
    struct eh_observation o = obs_with(NULL, NULL);
    struct eh_check c = judge(&EXIT0, &o);
    CHECK(c, EH_PASS, "expected exit code in {0}, got exit code 0");
    ck_assert_int_eq(json_integer_value(json_object_get(c.evidence, "exit_code")), 0);
    done(&c, &o);
}
END_TEST

START_TEST(test_exit_killed_by_signal_fails_naming_the_signal)
{
    struct eh_observation o = obs_with(NULL, NULL);
    o.roles[EH_SERVER].exited = false;
    o.roles[EH_SERVER].exit_code = -1;
    o.roles[EH_SERVER].term_signal = SIGPIPE;
    struct eh_check c = judge(&EXIT0, &o);
    CHECK(c, EH_FAIL, "expected exit code in {0}, got killed by SIGPIPE (signal 13)");
    ck_assert_str_eq(json_string_value(json_object_get(c.evidence, "signal")), "SIGPIPE");
    done(&c, &o);
}
END_TEST

START_TEST(test_exit_code_or_signal_accepts_the_signal)
{
    struct eh_expect e = {.kind = EH_EXPECT_EXIT,
                          .who = EH_SERVER,
                          .codes = {0},
                          .n_codes = 1,
                          .signals = {SIGPIPE},
                          .n_signals = 1};
    struct eh_observation o = obs_with(NULL, NULL);
    o.roles[EH_SERVER].exited = false;
    o.roles[EH_SERVER].term_signal = SIGPIPE;
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_PASS,
          "expected exit code in {0} or killed by a signal in {SIGPIPE}, got killed by SIGPIPE "
          "(signal 13)");
    done(&c, &o);
}
END_TEST

START_TEST(test_exit_code_outside_set_fails)
{
    struct eh_expect e = {.kind = EH_EXPECT_EXIT, .who = EH_CLIENT, .codes = {0, 2}, .n_codes = 2};
    struct eh_observation o = obs_with(NULL, NULL);
    o.roles[EH_CLIENT].exit_code = 1;
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_FAIL, "expected exit code in {0, 2}, got exit code 1");
    done(&c, &o);
}
END_TEST

START_TEST(test_exit_when_stopped_by_harness_fails)
{
    struct eh_observation o = obs_with(NULL, NULL);
    o.roles[EH_SERVER].exited = false;
    o.roles[EH_SERVER].stopped_by_harness = true;
    struct eh_check c = judge(&EXIT0, &o);
    CHECK(c, EH_FAIL,
          "expected exit code in {0}, got still running at the deadline (stopped by the harness)");
    done(&c, &o);
}
END_TEST

START_TEST(test_exit_of_absent_role_is_error)
{
    struct eh_expect e = EXIT0;
    e.who = EH_CLIENT;
    struct eh_observation o = obs_with(NULL, NULL);
    o.roles[EH_CLIENT].present = false;
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_ERROR, "expected exit code in {0}, got no client in this scenario");
    done(&c, &o);
}
END_TEST

START_TEST(test_exit_of_role_that_never_started_is_error)
{
    struct eh_observation o = obs_with(NULL, NULL);
    o.roles[EH_SERVER].started = false;
    struct eh_check c = judge(&EXIT0, &o);
    CHECK(c, EH_ERROR, "expected exit code in {0}, got server never started");
    done(&c, &o);
}
END_TEST

/* ---- survived ---- */

static const struct eh_expect SURVIVED = {.kind = EH_EXPECT_SURVIVED, .who = EH_SERVER};

START_TEST(test_survived_passes_when_stopped_by_harness)
{
    struct eh_observation o = obs_with(NULL, NULL);
    o.roles[EH_SERVER].exited = false;
    o.roles[EH_SERVER].stopped_by_harness = true;
    struct eh_check c = judge(&SURVIVED, &o);
    CHECK(c, EH_PASS, NULL);
    done(&c, &o);
}
END_TEST

START_TEST(test_survived_passes_on_exit_zero)
{
    struct eh_observation o = obs_with(NULL, NULL);
    struct eh_check c = judge(&SURVIVED, &o);
    CHECK(c, EH_PASS, "expected server to survive, got exit code 0");
    done(&c, &o);
}
END_TEST

START_TEST(test_survived_fails_when_killed_by_sigpipe)
{
    struct eh_observation o = obs_with(NULL, NULL);
    o.roles[EH_SERVER].exited = false;
    o.roles[EH_SERVER].term_signal = SIGPIPE;
    struct eh_check c = judge(&SURVIVED, &o);
    CHECK(c, EH_FAIL, "expected server to survive, got killed by SIGPIPE (signal 13)");
    done(&c, &o);
}
END_TEST

START_TEST(test_survived_fails_on_nonzero_exit)
{
    struct eh_observation o = obs_with(NULL, NULL);
    o.roles[EH_SERVER].exit_code = 3;
    struct eh_check c = judge(&SURVIVED, &o);
    CHECK(c, EH_FAIL, "expected server to survive, got exit code 3");
    done(&c, &o);
}
END_TEST

START_TEST(test_survived_of_absent_role_is_error)
{
    struct eh_observation o = obs_with(NULL, NULL);
    o.roles[EH_SERVER].present = false;
    struct eh_check c = judge(&SURVIVED, &o);
    CHECK(c, EH_ERROR, "expected server to survive, got no server in this scenario");
    done(&c, &o);
}
END_TEST

/* ---- event ---- */

static const char *BROKEN_PIPE_LOG =
    "[{'call':'recv','fd':4,'ret':12,'data':'48656c6c6f2c20776f726c64'},"
    " {'call':'recv','fd':4,'ret':0},"
    " {'call':'send','fd':4,'ret':1024},"
    " {'call':'send','fd':4,'ret':-1,'errno':'EPIPE'},"
    " {'call':'conn_end','fd':4,'reason':'EPIPE'},"
    " {'call':'close','fd':4,'ret':0}]";

START_TEST(test_event_errno_set_matches_either_errno)
{
    struct eh_expect e = {.kind = EH_EXPECT_EVENT,
                          .who = EH_SERVER,
                          .min = 1,
                          .max = -1,
                          .match = {.call = "send", .errnos = EPIPE_OR_RESET, .n_errnos = 2}};
    struct eh_observation o = obs_with(J("[{'call':'send','ret':-1,'errno':'ECONNRESET'}]"), NULL);
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_PASS,
          "expected at least 1 server event matching {call=send, errno in {EPIPE, ECONNRESET}}, "
          "got 1");
    done(&c, &o);
}
END_TEST

START_TEST(test_event_missing_fails_listing_events_of_that_call)
{
    struct eh_expect e = {.kind = EH_EXPECT_EVENT,
                          .who = EH_SERVER,
                          .min = 1,
                          .max = -1,
                          .match = {.call = "send", .errnos = EPIPE_ONLY, .n_errnos = 1}};
    struct eh_observation o = obs_with(J("[{'call':'recv','ret':12}, {'call':'send','ret':1024},"
                                         " {'call':'send','ret':1024}]"),
                                       NULL);
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_FAIL,
          "expected at least 1 server event matching {call=send, errno in {EPIPE}}, got 0 "
          "(server send events: ret 1024, ret 1024)");
    ck_assert_int_eq(json_integer_value(json_object_get(c.evidence, "count")), 0);
    done(&c, &o);
}
END_TEST

START_TEST(test_event_missing_with_no_such_call_says_so)
{
    struct eh_expect e = {.kind = EH_EXPECT_EVENT,
                          .who = EH_CLIENT,
                          .min = 1,
                          .max = -1,
                          .match = {.call = "shutdown"}};
    struct eh_observation o = obs_with(NULL, J("[{'call':'close','ret':0}]"));
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_FAIL,
          "expected at least 1 client event matching {call=shutdown}, got 0 (no client shutdown "
          "events)");
    done(&c, &o);
}
END_TEST

START_TEST(test_event_above_max_fails)
{
    struct eh_expect e = {.kind = EH_EXPECT_EVENT,
                          .who = EH_SERVER,
                          .min = 0,
                          .max = 0,
                          .match = {.call = "send", .has_ret_min = true, .ret_min = 1}};
    struct eh_observation o = obs_with(J(BROKEN_PIPE_LOG), NULL);
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_FAIL,
          "expected exactly 0 server events matching {call=send, ret>=1}, got 1 (server send "
          "events: ret 1024, ret -1 EPIPE)");
    done(&c, &o);
}
END_TEST

START_TEST(test_event_count_between_bounds_passes)
{
    struct eh_expect e = {
        .kind = EH_EXPECT_EVENT, .who = EH_SERVER, .min = 1, .max = 3, .match = {.call = "recv"}};
    struct eh_observation o = obs_with(J(BROKEN_PIPE_LOG), NULL);
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_PASS, "expected between 1 and 3 server events matching {call=recv}, got 2");
    done(&c, &o);
}
END_TEST

START_TEST(test_event_ret_range_bounds_are_inclusive)
{
    struct eh_match m = {
        .call = "recv", .has_ret_min = true, .ret_min = 1, .has_ret_max = true, .ret_max = 12};
    json_t *at_max = J("{'call':'recv','ret':12}"), *zero = J("{'call':'recv','ret':0}");
    json_t *no_ret = J("{'call':'recv'}");
    ck_assert(eh_event_matches(&m, at_max));
    ck_assert(!eh_event_matches(&m, zero));
    ck_assert(!eh_event_matches(&m, no_ret));
    json_decref(at_max);
    json_decref(zero);
    json_decref(no_ret);
}
END_TEST

START_TEST(test_event_reason_set_matches_conn_end)
{
    char *reasons[] = {"eof", "EPIPE", "ECONNRESET"};
    struct eh_match m = {.call = "conn_end", .reasons = reasons, .n_reasons = 3};
    json_t *ev = J("{'call':'conn_end','fd':4,'reason':'EPIPE'}");
    json_t *other = J("{'call':'conn_end','fd':4,'reason':'timeout'}");
    ck_assert(eh_event_matches(&m, ev));
    ck_assert(!eh_event_matches(&m, other));
    json_decref(ev);
    json_decref(other);
}
END_TEST

START_TEST(test_event_ewouldblock_matches_eagain)
{
    char *names[] = {"EWOULDBLOCK"};
    struct eh_match m = {.errnos = names, .n_errnos = 1};
    json_t *ev = J("{'call':'recv','ret':-1,'errno':'EAGAIN'}");
    ck_assert(eh_event_matches(&m, ev));
    json_decref(ev);
}
END_TEST

START_TEST(test_event_skipped_step_matches_nothing)
{
    struct eh_match m = {.call = "send"};
    json_t *ev = J("{'call':'send','skipped':'not connected'}");
    ck_assert(!eh_event_matches(&m, ev));
    json_decref(ev);
}
END_TEST

START_TEST(test_event_evidence_keeps_three_events_without_data)
{
    struct eh_expect e = {
        .kind = EH_EXPECT_EVENT, .who = EH_SERVER, .min = 1, .max = -1, .match = {.call = "send"}};
    struct eh_observation o = obs_with(J("[{'call':'send','ret':1,'data':'41'},"
                                         " {'call':'send','ret':1,'data':'42'},"
                                         " {'call':'send','ret':1,'data':'43'},"
                                         " {'call':'send','ret':1,'data':'44'}]"),
                                       NULL);
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_PASS, NULL);
    json_t *matched = json_object_get(c.evidence, "matched");
    ck_assert_int_eq(json_array_size(matched), 3);
    ck_assert_ptr_null(json_object_get(json_array_get(matched, 0), "data"));
    ck_assert_int_eq(json_integer_value(json_object_get(c.evidence, "count")), 4);
    /* The observation's own events keep their data. */
    ck_assert_ptr_nonnull(json_object_get(json_array_get(o.roles[EH_SERVER].events, 0), "data"));
    done(&c, &o);
}
END_TEST

START_TEST(test_event_on_role_under_test_is_skipped)
{
    struct eh_expect e = {.kind = EH_EXPECT_EVENT, .who = EH_SERVER, .min = 1, .max = -1};
    struct eh_observation o = obs_with(NULL, NULL);
    o.roles[EH_SERVER].instrumented = false;
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_SKIP,
          "server is under test (no event log); the wire_* checks judge it from the capture");
    ck_assert_ptr_null(c.evidence);
    done(&c, &o);
}
END_TEST

/* ---- sequence ---- */

static struct eh_match EOF_SEND_EPIPE[] = {
    {.call = "recv", .has_ret = true, .ret = 0},
    {.call = "send", .has_ret_min = true, .ret_min = 1},
    {.call = "send", .errnos = EPIPE_ONLY, .n_errnos = 1},
};

START_TEST(test_sequence_with_gaps_passes)
{
    struct eh_expect e = {
        .kind = EH_EXPECT_SEQUENCE, .who = EH_SERVER, .seq = EOF_SEND_EPIPE, .n_seq = 3};
    struct eh_observation o = obs_with(J(BROKEN_PIPE_LOG), NULL);
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_PASS,
          "expected sequence {call=recv, ret=0} -> {call=send, ret>=1} -> {call=send, errno in "
          "{EPIPE}}, got all 3 in order");
    json_t *idx = json_object_get(c.evidence, "indices");
    ck_assert_int_eq(json_integer_value(json_array_get(idx, 0)), 1);
    ck_assert_int_eq(json_integer_value(json_array_get(idx, 2)), 3);
    done(&c, &o);
}
END_TEST

START_TEST(test_sequence_out_of_order_fails_naming_matched_prefix)
{
    struct eh_expect e = {
        .kind = EH_EXPECT_SEQUENCE, .who = EH_SERVER, .seq = EOF_SEND_EPIPE, .n_seq = 3};
    /* The EPIPE came before EOF: only recv 0 and the later send match. */
    struct eh_observation o = obs_with(J("[{'call':'send','ret':-1,'errno':'EPIPE'},"
                                         " {'call':'recv','ret':0},"
                                         " {'call':'send','ret':1024}]"),
                                       NULL);
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_FAIL,
          "expected sequence {call=recv, ret=0} -> {call=send, ret>=1} -> {call=send, errno in "
          "{EPIPE}}, got only the first 2 (server events: send ret -1 EPIPE, recv ret 0, send "
          "ret 1024)");
    ck_assert_int_eq(json_integer_value(json_object_get(c.evidence, "matched")), 2);
    done(&c, &o);
}
END_TEST

START_TEST(test_sequence_without_first_event_fails)
{
    struct eh_expect e = {
        .kind = EH_EXPECT_SEQUENCE, .who = EH_SERVER, .seq = EOF_SEND_EPIPE, .n_seq = 3};
    struct eh_observation o =
        obs_with(J("[{'call':'accept','ret':4}, {'call':'recv','ret':12}]"), NULL);
    struct eh_check c = judge(&e, &o);
    ck_assert_str_eq(eh_verdict_name(c.verdict), "FAIL");
    ck_assert_ptr_nonnull(strstr(c.reason, ", got no server event matching {call=recv, ret=0} "
                                           "(server events: recv ret 12)"));
    done(&c, &o);
}
END_TEST

START_TEST(test_sequence_long_log_shows_events_from_last_match)
{
    struct eh_expect e = {
        .kind = EH_EXPECT_SEQUENCE, .who = EH_SERVER, .seq = EOF_SEND_EPIPE, .n_seq = 3};
    json_t *log = json_array();
    for (int i = 0; i < 20; i++)
        json_array_append_new(log, J("{'call':'recv','ret':1}"));
    json_array_append_new(log, J("{'call':'recv','ret':0}"));
    json_array_append_new(log, J("{'call':'send','ret':7}"));
    struct eh_observation o = obs_with(log, NULL);
    struct eh_check c = judge(&e, &o);
    ck_assert_str_eq(eh_verdict_name(c.verdict), "FAIL");
    ck_assert_ptr_nonnull(
        strstr(c.reason, "got only the first 2 (server events: ..., send ret 7)"));
    done(&c, &o);
}
END_TEST

START_TEST(test_sequence_on_role_under_test_is_skipped)
{
    struct eh_expect e = {
        .kind = EH_EXPECT_SEQUENCE, .who = EH_CLIENT, .seq = EOF_SEND_EPIPE, .n_seq = 3};
    struct eh_observation o = obs_with(NULL, NULL);
    o.roles[EH_CLIENT].instrumented = false;
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_SKIP,
          "client is under test (no event log); the wire_* checks judge it from the capture");
    done(&c, &o);
}
END_TEST

/* ---- echo ---- */

static struct eh_check judge_echo(enum eh_echo_relation rel, const char *client_log,
                                  struct eh_observation *o)
{
    struct eh_expect e = {.kind = EH_EXPECT_ECHO, .who = EH_CLIENT, .relation = rel};
    *o = obs_with(NULL, J(client_log));
    return judge(&e, o);
}

/* "Hello, world" */
#define SENT_HELLO "{'call':'send','ret':12,'data':'48656c6c6f2c20776f726c64'}"

START_TEST(test_echo_exact_passes_on_identical_bytes)
{
    struct eh_observation o;
    struct eh_check c = judge_echo(
        EH_ECHO_EXACT,
        "[" SENT_HELLO ", {'call':'recv','ret':12,'data':'48656c6c6f2c20776f726c64'}]", &o);
    CHECK(c, EH_PASS, "expected echo exact (12 bytes), got 12 bytes");
    done(&c, &o);
}
END_TEST

START_TEST(test_echo_exact_names_first_difference)
{
    struct eh_observation o;
    /* "hello, worl" */
    struct eh_check c = judge_echo(
        EH_ECHO_EXACT, "[" SENT_HELLO ", {'call':'recv','ret':11,'data':'68656c6c6f2c20776f726c'}]",
        &o);
    CHECK(c, EH_FAIL,
          "expected echo exact (12 bytes), got 11 bytes; first difference at offset 0: expected "
          "0x48 'H', got 0x68 'h'");
    ck_assert_int_eq(json_integer_value(json_object_get(c.evidence, "first_difference")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(c.evidence, "expected_byte")), 0x48);
    ck_assert_int_eq(json_integer_value(json_object_get(c.evidence, "got_byte")), 0x68);
    done(&c, &o);
}
END_TEST

START_TEST(test_echo_exact_fails_on_short_echo_at_end_of_stream)
{
    struct eh_observation o;
    struct eh_check c = judge_echo(
        EH_ECHO_EXACT, "[" SENT_HELLO ", {'call':'recv','ret':5,'data':'48656c6c6f'}]", &o);
    CHECK(c, EH_FAIL,
          "expected echo exact (12 bytes), got 5 bytes; first difference at offset 5: expected "
          "0x2c ',', got end of stream");
    ck_assert(json_is_null(json_object_get(c.evidence, "got_byte")));
    done(&c, &o);
}
END_TEST

START_TEST(test_echo_exact_fails_on_extra_bytes)
{
    struct eh_observation o;
    struct eh_check c = judge_echo(EH_ECHO_EXACT,
                                   "[{'call':'send','ret':2,'data':'4142'},"
                                   " {'call':'recv','ret':3,'data':'41420a'}]",
                                   &o);
    CHECK(c, EH_FAIL,
          "expected echo exact (2 bytes), got 3 bytes; first difference at offset 2: expected end "
          "of stream, got 0x0a");
    done(&c, &o);
}
END_TEST

START_TEST(test_echo_joins_calls_in_order)
{
    struct eh_observation o;
    struct eh_check c = judge_echo(EH_ECHO_EXACT,
                                   "[{'call':'sendto','ret':2,'data':'0001'},"
                                   " {'call':'recvfrom','ret':1,'data':'00'},"
                                   " {'call':'send','ret':1,'data':'ff'},"
                                   " {'call':'recv','ret':-1,'errno':'EAGAIN'},"
                                   " {'call':'recv','ret':2,'data':'01ff'},"
                                   " {'call':'recv','ret':0}]",
                                   &o);
    CHECK(c, EH_PASS, "expected echo exact (3 bytes), got 3 bytes");
    done(&c, &o);
}
END_TEST

START_TEST(test_echo_prefix_accepts_nothing)
{
    struct eh_observation o;
    struct eh_check c = judge_echo(EH_ECHO_PREFIX, "[" SENT_HELLO ", {'call':'recv','ret':0}]", &o);
    CHECK(c, EH_PASS, "expected echo prefix (of 12 bytes), got 0 bytes, a prefix");
    done(&c, &o);
}
END_TEST

START_TEST(test_echo_fails_when_the_client_sent_nothing)
{
    /* A client that never connected: an empty echo of nothing is no pass. */
    struct eh_observation o;
    struct eh_check c = judge_echo(EH_ECHO_EXACT, "[{'call':'connect','ret':-1}]", &o);
    CHECK(c, EH_FAIL,
          "expected echo exact of the client's bytes, got a client that sent nothing (did it "
          "connect?)");
    done(&c, &o);
}
END_TEST

START_TEST(test_echo_prefix_fails_on_differing_byte)
{
    struct eh_observation o;
    struct eh_check c =
        judge_echo(EH_ECHO_PREFIX, "[" SENT_HELLO ", {'call':'recv','ret':3,'data':'480065'}]", &o);
    CHECK(c, EH_FAIL,
          "expected echo prefix (of 12 bytes), got 3 bytes; first difference at offset 1: "
          "expected 0x65 'e', got 0x00");
    done(&c, &o);
}
END_TEST

START_TEST(test_echo_nonempty_prefix_passes_on_one_byte)
{
    struct eh_observation o;
    struct eh_check c = judge_echo(EH_ECHO_NONEMPTY_PREFIX,
                                   "[" SENT_HELLO ", {'call':'recv','ret':1,'data':'48'}]", &o);
    CHECK(c, EH_PASS, "expected echo nonempty_prefix (of 12 bytes), got 1 byte, a prefix");
    done(&c, &o);
}
END_TEST

START_TEST(test_echo_nonempty_prefix_fails_on_nothing)
{
    struct eh_observation o;
    struct eh_check c =
        judge_echo(EH_ECHO_NONEMPTY_PREFIX, "[" SENT_HELLO ", {'call':'recv','ret':0}]", &o);
    CHECK(c, EH_FAIL, "expected echo nonempty_prefix (of 12 bytes), got 0 bytes");
    done(&c, &o);
}
END_TEST

START_TEST(test_echo_with_truncated_data_is_error)
{
    struct eh_observation o;
    struct eh_check c = judge_echo(
        EH_ECHO_EXACT, "[" SENT_HELLO ", {'call':'recv','ret':12,'data_truncated':true}]", &o);
    CHECK(c, EH_ERROR,
          "expected the client's sent and received bytes in its event log, got data truncated "
          "(cannot judge echo)");
    done(&c, &o);
}
END_TEST

START_TEST(test_echo_on_client_under_test_is_skipped)
{
    struct eh_expect e = {.kind = EH_EXPECT_ECHO, .who = EH_CLIENT, .relation = EH_ECHO_EXACT};
    struct eh_observation o = obs_with(NULL, NULL);
    o.roles[EH_CLIENT].instrumented = false;
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_SKIP,
          "client is under test (no event log); the wire_* checks judge it from the capture");
    done(&c, &o);
}
END_TEST

/* ---- eh_events_stream ---- */

START_TEST(test_events_stream_takes_ret_bytes_of_data)
{
    json_t *evs =
        J("[{'call':'send','ret':2,'data':'414243'}, {'call':'recv','ret':1,'data':'58'}]");
    unsigned char *buf;
    size_t len;
    ck_assert(eh_events_stream(evs, true, &buf, &len));
    ck_assert_uint_eq(len, 2);
    ck_assert_mem_eq(buf, "AB", 2);
    free(buf);
    json_decref(evs);
}
END_TEST

START_TEST(test_events_stream_fails_on_missing_data)
{
    json_t *evs = J("[{'call':'recv','ret':4}]");
    unsigned char *buf;
    size_t len;
    ck_assert(!eh_events_stream(evs, false, &buf, &len));
    ck_assert_ptr_null(buf);
    json_decref(evs);
}
END_TEST

START_TEST(test_events_stream_fails_on_bad_hex)
{
    json_t *evs = J("[{'call':'recv','ret':1,'data':'zz'}]");
    unsigned char *buf;
    size_t len;
    ck_assert(!eh_events_stream(evs, false, &buf, &len));
    json_decref(evs);
}
END_TEST

/* ---- client_port ---- */

static const struct eh_expect CLIENT_PORT = {.kind = EH_EXPECT_CLIENT_PORT, .who = EH_CLIENT};

START_TEST(test_client_port_in_range_passes)
{
    struct eh_observation o = obs_with(
        NULL,
        J("[{'call':'connect','ret':0,'laddr':'127.0.0.1:40312','raddr':'127.0.0.1:65432'}]"));
    struct eh_check c = judge(&CLIENT_PORT, &o);
    CHECK(c, EH_PASS, "expected client port in 32768..60999 (ip_local_port_range), got 40312");
    done(&c, &o);
}
END_TEST

START_TEST(test_client_port_out_of_range_fails)
{
    struct eh_observation o = obs_with(
        NULL, J("[{'call':'connect','ret':0,'laddr':'127.0.0.1:1234','raddr':'127.0.0.1:65432'}]"));
    struct eh_check c = judge(&CLIENT_PORT, &o);
    CHECK(c, EH_FAIL, "expected client port in 32768..60999 (ip_local_port_range), got 1234");
    done(&c, &o);
}
END_TEST

START_TEST(test_client_port_checks_every_connection)
{
    struct eh_observation o =
        obs_with(NULL, J("[{'call':'connect','ret':0,'laddr':'[::1]:40312'},"
                         " {'call':'connect','ret':0,'laddr':'[::1]:61000'},"
                         " {'call':'connect','ret':0,'laddr':'[::1]:40316'}]"));
    struct eh_check c = judge(&CLIENT_PORT, &o);
    CHECK(c, EH_FAIL,
          "expected client port in 32768..60999 (ip_local_port_range), got 61000 (connection 2 "
          "of 3)");
    done(&c, &o);
}
END_TEST

START_TEST(test_client_port_without_connect_fails)
{
    struct eh_observation o =
        obs_with(NULL, J("[{'call':'connect','ret':-1,'errno':'ECONNREFUSED'}]"));
    struct eh_check c = judge(&CLIENT_PORT, &o);
    CHECK(c, EH_FAIL,
          "expected client port in 32768..60999 (ip_local_port_range), got no connect() with a "
          "local address in the client's event log");
    done(&c, &o);
}
END_TEST

START_TEST(test_client_port_without_range_is_error)
{
    struct eh_observation o = obs_with(NULL, J("[{'call':'connect','laddr':'127.0.0.1:40312'}]"));
    o.port_lo = o.port_hi = 0;
    struct eh_check c = judge(&CLIENT_PORT, &o);
    ck_assert_str_eq(eh_verdict_name(c.verdict), "ERROR");
    done(&c, &o);
}
END_TEST

/* ---- mirror ---- */

static const struct eh_expect MIRROR = {.kind = EH_EXPECT_MIRROR};

START_TEST(test_mirror_passes_when_addresses_mirror)
{
    struct eh_observation o = obs_with(
        J("[{'call':'accept','ret':4,'laddr':'127.0.0.1:65432','raddr':'127.0.0.1:40312'}]"),
        J("[{'call':'connect','ret':0,'laddr':'127.0.0.1:40312','raddr':'127.0.0.1:65432'}]"));
    struct eh_check c = judge(&MIRROR, &o);
    CHECK(c, EH_PASS,
          "expected accept() peer to equal client getsockname() and local/remote mirrored, got "
          "client 127.0.0.1:40312 -> 127.0.0.1:65432, server accept() 127.0.0.1:65432 <- "
          "127.0.0.1:40312");
    done(&c, &o);
}
END_TEST

START_TEST(test_mirror_fails_when_accept_peer_differs)
{
    struct eh_observation o = obs_with(
        J("[{'call':'accept','ret':4,'laddr':'127.0.0.1:65432','raddr':'127.0.0.1:40312'}]"),
        J("[{'call':'connect','ret':0,'laddr':'127.0.0.1:40313','raddr':'127.0.0.1:65432'}]"));
    struct eh_check c = judge(&MIRROR, &o);
    CHECK(c, EH_FAIL,
          "expected accept() peer 127.0.0.1:40313 (the client's getsockname()), got "
          "127.0.0.1:40312");
    done(&c, &o);
}
END_TEST

START_TEST(test_mirror_fails_when_server_local_differs)
{
    struct eh_observation o = obs_with(
        J("[{'call':'accept','ret':4,'laddr':'127.0.0.2:65432','raddr':'127.0.0.1:40312'}]"),
        J("[{'call':'connect','ret':0,'laddr':'127.0.0.1:40312','raddr':'127.0.0.1:65432'}]"));
    struct eh_check c = judge(&MIRROR, &o);
    CHECK(c, EH_FAIL,
          "expected server accept() local address 127.0.0.1:65432 (the client's connect() remote "
          "address), got 127.0.0.2:65432");
    done(&c, &o);
}
END_TEST

START_TEST(test_mirror_pairs_connections_by_client_address)
{
    struct eh_observation o =
        obs_with(J("[{'call':'accept','ret':5,'laddr':'[::1]:65432','raddr':'[::1]:40314'},"
                   " {'call':'accept','ret':4,'laddr':'[::1]:65432','raddr':'[::1]:40312'}]"),
                 J("[{'call':'connect','ret':0,'laddr':'[::1]:40312','raddr':'[::1]:65432'},"
                   " {'call':'connect','ret':0,'laddr':'[::1]:40314','raddr':'[::1]:65432'}]"));
    struct eh_check c = judge(&MIRROR, &o);
    CHECK(c, EH_PASS,
          "expected accept() peer to equal client getsockname() and local/remote mirrored, got 2 "
          "connections, each mirrored");
    ck_assert_int_eq(json_array_size(json_object_get(c.evidence, "pairs")), 2);
    done(&c, &o);
}
END_TEST

START_TEST(test_mirror_takes_an_ipv4_mapped_address_as_its_ipv4_form)
{
    /* A dual-stack listener reports an IPv4 client as ::ffff:127.0.0.1. */
    struct eh_observation o = obs_with(
        J("[{'call':'accept','ret':4,'laddr':'[::ffff:127.0.0.1]:65432',"
          "'raddr':'[::ffff:127.0.0.1]:40312'}]"),
        J("[{'call':'connect','ret':0,'laddr':'127.0.0.1:40312','raddr':'127.0.0.1:65432'}]"));
    struct eh_check c = judge(&MIRROR, &o);
    CHECK(c, EH_PASS, NULL);
    done(&c, &o);
}
END_TEST

START_TEST(test_mirror_fails_on_a_mapped_address_of_another_port)
{
    struct eh_observation o = obs_with(
        J("[{'call':'accept','ret':4,'laddr':'[::ffff:127.0.0.1]:65432',"
          "'raddr':'[::ffff:127.0.0.1]:40313'}]"),
        J("[{'call':'connect','ret':0,'laddr':'127.0.0.1:40312','raddr':'127.0.0.1:65432'}]"));
    struct eh_check c = judge(&MIRROR, &o);
    ck_assert_str_eq(eh_verdict_name(c.verdict), "FAIL");
    done(&c, &o);
}
END_TEST

START_TEST(test_mirror_on_datagram_server_uses_recvfrom)
{
    struct eh_observation o =
        obs_with(J("[{'call':'recvfrom','ret':4,'raddr':'127.0.0.1:40312','data':'70696e67'}]"),
                 J("[{'call':'connect','ret':0,'laddr':'127.0.0.1:40312',"
                   "'raddr':'127.0.0.1:65432'}]"));
    struct eh_check c = judge(&MIRROR, &o);
    CHECK(c, EH_PASS, NULL);
    done(&c, &o);
}
END_TEST

START_TEST(test_mirror_on_server_under_test_is_skipped)
{
    struct eh_observation o = obs_with(NULL, NULL);
    o.roles[EH_SERVER].instrumented = false;
    struct eh_check c = judge(&MIRROR, &o);
    CHECK(c, EH_SKIP,
          "server is under test (no event log); the wire_* checks judge it from the capture");
    done(&c, &o);
}
END_TEST

/* ---- wire expectations ---- */

/* Packets between client 127.0.0.1:cport and server 127.0.0.1:65432, built
 * as decoded structs as in test_flow.c. */
#define CPORT 40312
static int64_t wire_us;

static void pkt(struct eh_flows *f, uint16_t cport, bool from_client, uint8_t proto, uint32_t seq,
                uint32_t ack, uint8_t flags, const char *data)
{
    struct eh_pkt p;
    memset(&p, 0, sizeof(p));
    p.time_us = wire_us += 100;
    p.family = 4;
    p.proto = proto;
    p.src[0] = p.dst[0] = 127;
    p.src[3] = p.dst[3] = 1;
    p.sport = from_client ? cport : 65432;
    p.dport = from_client ? 65432 : cport;
    p.seq = seq;
    p.ack = ack;
    p.flags = flags;
    p.payload = (const uint8_t *)data;
    p.payload_cap = p.payload_len = data ? (uint32_t)strlen(data) : 0;
    p.frame_len = 54 + p.payload_len;
    eh_flows_add(f, &p);
}

#define C true
#define S false
#define PA (EH_TCP_PSH | EH_TCP_ACK)
#define FA (EH_TCP_FIN | EH_TCP_ACK)

/* C:S S:S. C:. C:P.sent S:P.echoed (each in one segment; "" sends none),
 * then the closes in order: 'F'/'f' FIN from the client/server, 'R'/'r' RST,
 * 'd' one more server byte "x" (data after the client's FIN). */
static void tcp_conn(struct eh_flows *f, uint16_t cport, const char *sent, const char *echoed,
                     const char *closes)
{
    uint32_t cs = 1001 + (uint32_t)strlen(sent), ss = 5001 + (uint32_t)strlen(echoed);
    pkt(f, cport, C, IPPROTO_TCP, 1000, 0, EH_TCP_SYN, NULL);
    pkt(f, cport, S, IPPROTO_TCP, 5000, 1001, EH_TCP_SYN | EH_TCP_ACK, NULL);
    pkt(f, cport, C, IPPROTO_TCP, 1001, 5001, EH_TCP_ACK, NULL);
    if (*sent)
        pkt(f, cport, C, IPPROTO_TCP, 1001, 5001, PA, sent);
    if (*echoed)
        pkt(f, cport, S, IPPROTO_TCP, 5001, cs, PA, echoed);
    for (const char *k = closes; *k; k++) {
        if (*k == 'F')
            pkt(f, cport, C, IPPROTO_TCP, cs++, ss, FA, NULL);
        else if (*k == 'f')
            pkt(f, cport, S, IPPROTO_TCP, ss++, cs, FA, NULL);
        else if (*k == 'R')
            pkt(f, cport, C, IPPROTO_TCP, cs, 0, EH_TCP_RST, NULL);
        else if (*k == 'r')
            pkt(f, cport, S, IPPROTO_TCP, ss, 0, EH_TCP_RST, NULL);
        else if (*k == 'd')
            pkt(f, cport, S, IPPROTO_TCP, ss++, cs, PA, "x");
    }
}

/* A finished capture of the basic echo: "Hello, world", the reply, FIN both ways. */
static struct eh_flows *basic_echo(uint16_t cport, const char *echoed)
{
    struct eh_flows *f = eh_flows_new();
    tcp_conn(f, cport, "Hello, world", echoed, "Ff");
    eh_flows_finish(f);
    return f;
}

/* An observation with no event logs (both roles under test) over flows f. */
static struct eh_observation obs_wire(const struct eh_flows *f)
{
    struct eh_observation o = obs_with(NULL, NULL);
    for (int i = 0; i < EH_ROLE_COUNT; i++)
        o.roles[i].instrumented = false;
    o.wire = f;
    return o;
}

static void wire_done(struct eh_check *c, struct eh_observation *o, struct eh_flows *f)
{
    done(c, o);
    eh_flows_free(f);
}

static const struct eh_expect WIRE_ECHO_EXACT = {.kind = EH_EXPECT_WIRE_ECHO,
                                                 .relation = EH_ECHO_EXACT};

START_TEST(test_wire_echo_exact_passes_on_an_echoed_connection)
{
    struct eh_flows *f = basic_echo(CPORT, "Hello, world");
    struct eh_observation o = obs_wire(f);
    struct eh_check c = judge(&WIRE_ECHO_EXACT, &o);
    CHECK(c, EH_PASS,
          "expected wire echo exact on every connection, got exact (12 bytes matched) on "
          "127.0.0.1:40312 -> 127.0.0.1:65432");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_echo_exact_names_connection_and_first_difference)
{
    struct eh_flows *f = basic_echo(CPORT, "HELLO, WORLD");
    struct eh_observation o = obs_wire(f);
    struct eh_check c = judge(&WIRE_ECHO_EXACT, &o);
    CHECK(c, EH_FAIL,
          "expected wire echo exact on 127.0.0.1:40312 -> 127.0.0.1:65432, got differs at offset "
          "1: expected 0x65 'e', got 0x45 'E'");
    json_t *conn = json_object_get(c.evidence, "connection");
    ck_assert_str_eq(json_string_value(json_object_get(conn, "verdict")), "differs");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_echo_prefix_accepts_a_silent_server_nonempty_prefix_does_not)
{
    struct eh_flows *f = basic_echo(CPORT, "");
    struct eh_observation o = obs_wire(f);
    struct eh_expect e = {.kind = EH_EXPECT_WIRE_ECHO, .relation = EH_ECHO_PREFIX};
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_PASS, NULL);
    json_decref(c.evidence);
    e.relation = EH_ECHO_NONEMPTY_PREFIX;
    c = judge(&e, &o);
    CHECK(c, EH_FAIL,
          "expected wire echo nonempty_prefix on 127.0.0.1:40312 -> 127.0.0.1:65432, got none (0 "
          "bytes matched)");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_echo_nonempty_prefix_passes_on_part_of_the_echo)
{
    struct eh_flows *f = basic_echo(CPORT, "Hel");
    struct eh_observation o = obs_wire(f);
    struct eh_expect e = {.kind = EH_EXPECT_WIRE_ECHO, .relation = EH_ECHO_NONEMPTY_PREFIX};
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_PASS,
          "expected wire echo nonempty_prefix on every connection, got prefix (3 bytes matched) "
          "on 127.0.0.1:40312 -> 127.0.0.1:65432");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_echo_without_a_connection_fails)
{
    struct eh_flows *f = eh_flows_new();
    eh_flows_finish(f);
    struct eh_observation o = obs_wire(f);
    struct eh_check c = judge(&WIRE_ECHO_EXACT, &o);
    CHECK(c, EH_FAIL, "expected at least one connection on the wire, got none");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_kinds_without_a_capture_are_error)
{
    struct eh_observation o = obs_wire(NULL);
    struct eh_check c = judge(&WIRE_ECHO_EXACT, &o);
    CHECK(c, EH_ERROR, "no capture to judge");
    wire_done(&c, &o, NULL);
}
END_TEST

START_TEST(test_wire_echo_of_udp_names_the_reply)
{
    struct eh_flows *f = eh_flows_new();
    pkt(f, CPORT, C, IPPROTO_UDP, 0, 0, 0, "abc");
    pkt(f, CPORT, S, IPPROTO_UDP, 0, 0, 0, "abc");
    pkt(f, CPORT, C, IPPROTO_UDP, 0, 0, 0, "de");
    pkt(f, CPORT, S, IPPROTO_UDP, 0, 0, 0, "dE");
    eh_flows_finish(f);
    struct eh_observation o = obs_wire(f);
    struct eh_expect e = WIRE_ECHO_EXACT;
    e.transport = EH_UDP;
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_FAIL,
          "expected wire echo exact on 127.0.0.1:40312 -> 127.0.0.1:65432, got differs in reply 2 "
          "at offset 1: expected 0x65 'e', got 0x45 'E'");
    wire_done(&c, &o, f);
}
END_TEST

static const struct eh_expect WIRE_PORT = {.kind = EH_EXPECT_WIRE_CLIENT_PORT};

START_TEST(test_wire_client_port_in_range_and_as_logged_passes)
{
    struct eh_flows *f = basic_echo(CPORT, "Hello, world");
    struct eh_observation o = obs_with(
        J("[{'call':'accept','ret':4,'raddr':'[::ffff:127.0.0.1]:40312'}]"),
        J("[{'call':'connect','ret':0,'laddr':'127.0.0.1:40312','raddr':'127.0.0.1:65432'}]"));
    o.wire = f;
    struct eh_check c = judge(&WIRE_PORT, &o);
    CHECK(c, EH_PASS,
          "expected wire client port in 32768..60999 (ip_local_port_range), equal to the client's "
          "getsockname() and the server's accept() peer, got 40312 on 127.0.0.1:40312 -> "
          "127.0.0.1:65432");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_client_port_out_of_range_fails_without_logs)
{
    struct eh_flows *f = basic_echo(1234, "Hello, world");
    struct eh_observation o = obs_wire(f);
    struct eh_check c = judge(&WIRE_PORT, &o);
    CHECK(c, EH_FAIL,
          "expected wire client port in 32768..60999 (ip_local_port_range), got 1234 on "
          "127.0.0.1:1234 -> 127.0.0.1:65432");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_client_port_differing_from_getsockname_fails)
{
    struct eh_flows *f = basic_echo(CPORT, "Hello, world");
    struct eh_observation o =
        obs_with(NULL, J("[{'call':'getsockname','ret':0,'laddr':'127.0.0.1:40313'}]"));
    o.wire = f;
    struct eh_check c = judge(&WIRE_PORT, &o);
    CHECK(c, EH_FAIL,
          "expected the wire client 127.0.0.1:40312 in the client's connect/getsockname laddr, "
          "got 127.0.0.1:40313 in its getsockname event");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_client_port_differing_from_accept_peer_fails)
{
    struct eh_flows *f = basic_echo(CPORT, "Hello, world");
    struct eh_observation o =
        obs_with(J("[{'call':'accept','ret':4,'raddr':'127.0.0.2:40312'}]"), NULL);
    o.wire = f;
    struct eh_check c = judge(&WIRE_PORT, &o);
    CHECK(c, EH_FAIL,
          "expected the wire client 127.0.0.1:40312 as the server's accept() peer, got "
          "127.0.0.2:40312");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_client_port_without_range_is_error)
{
    struct eh_flows *f = basic_echo(CPORT, "Hello, world");
    struct eh_observation o = obs_wire(f);
    o.port_lo = o.port_hi = 0;
    struct eh_check c = judge(&WIRE_PORT, &o);
    CHECK(c, EH_ERROR, NULL);
    wire_done(&c, &o, f);
}
END_TEST

static const struct eh_expect WIRE_SEG1 = {
    .kind = EH_EXPECT_WIRE_SEGMENTS, .who = EH_SERVER, .max_payload = 1};

START_TEST(test_wire_segments_of_one_byte_pass)
{
    struct eh_flows *f = eh_flows_new();
    tcp_conn(f, CPORT, "Hi", "H", "");
    pkt(f, CPORT, S, IPPROTO_TCP, 5002, 1003, PA, "i");
    eh_flows_finish(f);
    struct eh_observation o = obs_wire(f);
    struct eh_check c = judge(&WIRE_SEG1, &o);
    CHECK(c, EH_PASS,
          "expected server segments of at most 1 payload byte, got 1 byte (the largest of 2 "
          "segments) on 127.0.0.1:40312 -> 127.0.0.1:65432");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_segments_larger_than_allowed_fail)
{
    struct eh_flows *f = basic_echo(CPORT, "Hello, world");
    struct eh_observation o = obs_wire(f);
    struct eh_check c = judge(&WIRE_SEG1, &o);
    CHECK(c, EH_FAIL,
          "expected server segments of at most 1 payload byte, got 12 bytes (the largest of 1 "
          "segment) on 127.0.0.1:40312 -> 127.0.0.1:65432");
    ck_assert_int_eq(json_integer_value(json_object_get(c.evidence, "largest")), 12);
    wire_done(&c, &o, f);
}
END_TEST

static const struct eh_expect WIRE_CLOSE_GRACEFUL = {.kind = EH_EXPECT_WIRE_CLOSE,
                                                     .close_classes = 1u << EH_CLOSE_GRACEFUL,
                                                     .has_first_close_by = true,
                                                     .first_close_by = EH_CLIENT};
static const struct eh_expect WIRE_CLOSE_RESET = {.kind = EH_EXPECT_WIRE_CLOSE,
                                                  .close_classes = 1u << EH_CLOSE_CLIENT_RESET,
                                                  .has_first_close_by = true,
                                                  .first_close_by = EH_CLIENT,
                                                  .has_data_after_close = true,
                                                  .data_after_close = true};

START_TEST(test_wire_close_graceful_by_client_passes)
{
    struct eh_flows *f = basic_echo(CPORT, "Hello, world");
    struct eh_observation o = obs_wire(f);
    struct eh_check c = judge(&WIRE_CLOSE_GRACEFUL, &o);
    CHECK(c, EH_PASS,
          "expected close in {graceful} (first FIN/RST from client) on 127.0.0.1:40312 -> "
          "127.0.0.1:65432, got graceful (first FIN/RST from client, no data after close)");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_close_reset_after_data_after_close_passes)
{
    struct eh_flows *f = eh_flows_new();
    tcp_conn(f, CPORT, "Hello, world", "Hello, world", "FdR"); /* C:F. S:P.1 C:R */
    eh_flows_finish(f);
    struct eh_observation o = obs_wire(f);
    struct eh_check c = judge(&WIRE_CLOSE_RESET, &o);
    CHECK(c, EH_PASS, NULL);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_object_get(c.evidence, "connection"), "close")),
        "client-reset");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_close_of_another_class_fails)
{
    struct eh_flows *f = basic_echo(CPORT, "Hello, world");
    struct eh_observation o = obs_wire(f);
    struct eh_check c = judge(&WIRE_CLOSE_RESET, &o);
    CHECK(c, EH_FAIL,
          "expected close in {client-reset} (first FIN/RST from client, data after close) on "
          "127.0.0.1:40312 -> 127.0.0.1:65432, got graceful (first FIN/RST from client, no data "
          "after close)");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_close_first_by_the_wrong_side_fails)
{
    struct eh_flows *f = eh_flows_new();
    tcp_conn(f, CPORT, "Hello, world", "Hello, world", "fF");
    eh_flows_finish(f);
    struct eh_observation o = obs_wire(f);
    struct eh_check c = judge(&WIRE_CLOSE_GRACEFUL, &o);
    CHECK(c, EH_FAIL,
          "expected close in {graceful} (first FIN/RST from client) on 127.0.0.1:40312 -> "
          "127.0.0.1:65432, got graceful (first FIN/RST from server, no data after close)");
    wire_done(&c, &o, f);
}
END_TEST

static const struct eh_expect WIRE_ONE = {.kind = EH_EXPECT_WIRE_CONNECTIONS, .min = 1, .max = 1};

START_TEST(test_wire_connections_within_bounds_pass)
{
    struct eh_flows *f = basic_echo(CPORT, "Hello, world");
    struct eh_observation o = obs_wire(f);
    struct eh_check c = judge(&WIRE_ONE, &o);
    CHECK(c, EH_PASS,
          "expected exactly 1 TCP connection on the wire, got 1 (127.0.0.1:40312 -> "
          "127.0.0.1:65432)");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_connections_above_max_fail_listing_them)
{
    struct eh_flows *f = eh_flows_new();
    tcp_conn(f, CPORT, "a", "a", "Ff");
    tcp_conn(f, CPORT + 2, "b", "b", "Ff");
    eh_flows_finish(f);
    struct eh_observation o = obs_wire(f);
    struct eh_check c = judge(&WIRE_ONE, &o);
    CHECK(c, EH_FAIL,
          "expected exactly 1 TCP connection on the wire, got 2 (127.0.0.1:40312 -> "
          "127.0.0.1:65432, 127.0.0.1:40314 -> 127.0.0.1:65432)");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_connections_none_fails)
{
    struct eh_flows *f = eh_flows_new();
    eh_flows_finish(f);
    struct eh_observation o = obs_wire(f);
    struct eh_check c = judge(&WIRE_ONE, &o);
    CHECK(c, EH_FAIL, "expected exactly 1 TCP connection on the wire, got 0");
    wire_done(&c, &o, f);
}
END_TEST

/* One SYN left unanswered (C:S, C:S retransmitted) and one refused (C:S S:R.). */
static struct eh_flows *unanswered_and_refused(void)
{
    struct eh_flows *f = eh_flows_new();
    pkt(f, 40320, C, IPPROTO_TCP, 7000, 0, EH_TCP_SYN, NULL);
    pkt(f, 40320, C, IPPROTO_TCP, 7000, 0, EH_TCP_SYN, NULL);
    pkt(f, 40322, C, IPPROTO_TCP, 8000, 0, EH_TCP_SYN, NULL);
    pkt(f, 40322, S, IPPROTO_TCP, 0, 8001, EH_TCP_RST | EH_TCP_ACK, NULL);
    eh_flows_finish(f);
    return f;
}

START_TEST(test_wire_syn_counts_unanswered_and_refused)
{
    struct eh_flows *f = unanswered_and_refused();
    struct eh_observation o = obs_wire(f);
    struct eh_expect e = {.kind = EH_EXPECT_WIRE_SYN, .unanswered_min = 1, .refused_min = 1};
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_PASS,
          "expected at least 1 unanswered and at least 1 refused connection attempts, got 1 "
          "unanswered and 1 refused");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_syn_below_minimum_fails)
{
    struct eh_flows *f = unanswered_and_refused();
    struct eh_observation o = obs_wire(f);
    struct eh_expect e = {.kind = EH_EXPECT_WIRE_SYN, .unanswered_min = 2, .refused_min = -1};
    struct eh_check c = judge(&e, &o);
    CHECK(c, EH_FAIL,
          "expected at least 2 unanswered connection attempts, got 1 unanswered and 1 refused");
    wire_done(&c, &o, f);
}
END_TEST

static const struct eh_expect WIRE_UDP = {.kind = EH_EXPECT_WIRE_UDP, .transport = EH_UDP};

START_TEST(test_wire_udp_pairs_of_equal_size_pass)
{
    struct eh_flows *f = eh_flows_new();
    pkt(f, CPORT, C, IPPROTO_UDP, 0, 0, 0, "a");
    pkt(f, CPORT, C, IPPROTO_UDP, 0, 0, 0, "bb");
    pkt(f, CPORT, S, IPPROTO_UDP, 0, 0, 0, "a");
    pkt(f, CPORT, S, IPPROTO_UDP, 0, 0, 0, "bb");
    eh_flows_finish(f);
    struct eh_observation o = obs_wire(f);
    struct eh_check c = judge(&WIRE_UDP, &o);
    CHECK(c, EH_PASS,
          "expected every reply paired with a request of the same size on every exchange, got 2 "
          "pairs in 1 exchange");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_udp_reply_of_another_size_fails)
{
    struct eh_flows *f = eh_flows_new();
    pkt(f, CPORT, C, IPPROTO_UDP, 0, 0, 0, "abc");
    pkt(f, CPORT, S, IPPROTO_UDP, 0, 0, 0, "ab");
    eh_flows_finish(f);
    struct eh_observation o = obs_wire(f);
    struct eh_check c = judge(&WIRE_UDP, &o);
    CHECK(c, EH_FAIL,
          "expected every reply paired with a request of the same size on 127.0.0.1:40312 -> "
          "127.0.0.1:65432, got reply 1 of 2 bytes to a request of 3 bytes");
    wire_done(&c, &o, f);
}
END_TEST

START_TEST(test_wire_udp_unanswered_request_fails)
{
    struct eh_flows *f = eh_flows_new();
    pkt(f, CPORT, C, IPPROTO_UDP, 0, 0, 0, "a");
    pkt(f, CPORT, S, IPPROTO_UDP, 0, 0, 0, "a");
    pkt(f, CPORT, C, IPPROTO_UDP, 0, 0, 0, "b");
    eh_flows_finish(f);
    struct eh_observation o = obs_wire(f);
    struct eh_check c = judge(&WIRE_UDP, &o);
    CHECK(c, EH_FAIL,
          "expected every reply paired with a request of the same size on 127.0.0.1:40312 -> "
          "127.0.0.1:65432, got 1 unanswered request");
    wire_done(&c, &o, f);
}
END_TEST

/* The real recv(1) capture (tests/data/real-recv1-rst): 1-byte server
 * segments, a prefix echo, and C:F. S:P.1 C:R. */
START_TEST(test_wire_kinds_on_the_real_recv1_capture)
{
    char path[1024];
    const char *src = getenv("EH_SOURCE_DIR");
    snprintf(path, sizeof(path), "%s/tests/data/real-recv1-rst/input.pcap", src ? src : ".");
    struct eh_analysis *a = NULL;
    struct eh_error err = {0};
    ck_assert_msg(eh_analyze_file(path, &a, &err) == EH_OK, "%s", err.msg);
    struct eh_observation o = obs_wire(eh_analysis_flows(a));
    struct eh_expect nonempty = {.kind = EH_EXPECT_WIRE_ECHO, .relation = EH_ECHO_NONEMPTY_PREFIX};
    const struct eh_expect *pass[] = {&WIRE_SEG1, &nonempty, &WIRE_CLOSE_RESET, &WIRE_ONE};
    const struct eh_expect *fail[] = {&WIRE_ECHO_EXACT, &WIRE_CLOSE_GRACEFUL};
    for (size_t i = 0; i < sizeof(pass) / sizeof(pass[0]); i++) {
        struct eh_check c = judge(pass[i], &o);
        ck_assert_msg(c.verdict == EH_PASS, "%s", c.reason);
        json_decref(c.evidence);
    }
    for (size_t i = 0; i < sizeof(fail) / sizeof(fail[0]); i++) {
        struct eh_check c = judge(fail[i], &o);
        ck_assert_msg(c.verdict == EH_FAIL, "%s", c.reason);
        json_decref(c.evidence);
    }
    eh_observation_clear(&o);
    eh_analysis_free(a);
}
END_TEST

/* ---- eh_combine ---- */

static enum eh_verdict combine(enum eh_verdict run, const enum eh_verdict *v, size_t n)
{
    struct eh_check checks[8] = {0};
    for (size_t i = 0; i < n; i++)
        checks[i].verdict = v[i];
    return eh_combine(run, checks, n);
}

START_TEST(test_combine_run_error_wins_over_checks)
{
    enum eh_verdict v[] = {EH_PASS, EH_FAIL};
    ck_assert_int_eq(combine(EH_ERROR, v, 2), EH_ERROR);
    ck_assert_int_eq(combine(EH_TIMED_OUT, v, 2), EH_TIMED_OUT);
}
END_TEST

START_TEST(test_combine_fail_beats_error)
{
    enum eh_verdict v[] = {EH_ERROR, EH_PASS, EH_FAIL};
    ck_assert_int_eq(combine(EH_PASS, v, 3), EH_FAIL);
}
END_TEST

START_TEST(test_combine_error_without_fail_is_error)
{
    enum eh_verdict v[] = {EH_PASS, EH_ERROR, EH_SKIP};
    ck_assert_int_eq(combine(EH_PASS, v, 3), EH_ERROR);
}
END_TEST

START_TEST(test_combine_all_skipped_is_skip)
{
    enum eh_verdict v[] = {EH_SKIP, EH_SKIP};
    ck_assert_int_eq(combine(EH_PASS, v, 2), EH_SKIP);
}
END_TEST

START_TEST(test_combine_pass_with_some_skipped_is_pass)
{
    enum eh_verdict v[] = {EH_SKIP, EH_PASS};
    ck_assert_int_eq(combine(EH_PASS, v, 2), EH_PASS);
}
END_TEST

/* ---- eh_evlog_read, eh_observation_clear ---- */

static char *write_temp(const char *content)
{
    char *path = strdup("/tmp/test_verdict_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    return path;
}

START_TEST(test_evlog_read_turns_garbled_line_into_log_error)
{
    char *path = write_temp("{\"call\":\"socket\",\"ret\":3}\n"
                            "{\"call\":\"recv\",\"ret\n"
                            "[1,2]\n"
                            "\n"
                            "{\"call\":\"close\",\"fd\":3,\"ret\":0}");
    json_t *evs = eh_evlog_read(path, 1 << 20);
    ck_assert_int_eq(json_array_size(evs), 4);
    json_t *bad = json_array_get(evs, 1);
    ck_assert_str_eq(json_string_value(json_object_get(bad, "call")), "log_error");
    ck_assert_int_eq(json_integer_value(json_object_get(bad, "line")), 2);
    ck_assert_ptr_nonnull(json_string_value(json_object_get(bad, "error")));
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(evs, 2), "error")),
                     "not a JSON object");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(evs, 3), "call")), "close");
    json_decref(evs);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_evlog_read_stops_at_max_bytes)
{
    /* Each line is 15 bytes; 40 bytes hold two whole lines and a cut one. */
    char *path =
        write_temp("{\"call\":\"a\"} \n{\"call\":\"b\"} \n{\"call\":\"c\"} \n{\"call\":\"d\"} \n");
    json_t *evs = eh_evlog_read(path, 40);
    ck_assert_int_eq(json_array_size(evs), 3);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(evs, 1), "call")), "b");
    json_t *last = json_array_get(evs, 2);
    ck_assert_str_eq(json_string_value(json_object_get(last, "call")), "log_truncated");
    ck_assert_int_eq(json_integer_value(json_object_get(last, "max_bytes")), 40);
    json_decref(evs);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_evlog_read_of_missing_file_gives_log_error)
{
    json_t *evs = eh_evlog_read("/nonexistent/events.jsonl", 1024);
    ck_assert_ptr_nonnull(evs);
    ck_assert_int_eq(json_array_size(evs), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(evs, 0), "call")),
                     "log_error");
    json_decref(evs);
}
END_TEST

START_TEST(test_observation_clear_releases_event_logs)
{
    struct eh_observation o = obs_with(J("[{'call':'x'}]"), NULL);
    eh_observation_clear(&o);
    ck_assert_ptr_null(o.roles[EH_SERVER].events);
    ck_assert_ptr_null(o.roles[EH_CLIENT].events);
    eh_observation_clear(&o);
}
END_TEST

static Suite *verdict_suite(void)
{
    Suite *s = suite_create("verdict");
    struct {
        const char *name;
        const TTest *tests[16];
    } groups[] = {
        {"exit",
         {test_exit_code_in_set_passes, test_exit_killed_by_signal_fails_naming_the_signal,
          test_exit_code_or_signal_accepts_the_signal, test_exit_code_outside_set_fails,
          test_exit_when_stopped_by_harness_fails, test_exit_of_absent_role_is_error,
          test_exit_of_role_that_never_started_is_error}},
        {"survived",
         {test_survived_passes_when_stopped_by_harness, test_survived_passes_on_exit_zero,
          test_survived_fails_when_killed_by_sigpipe, test_survived_fails_on_nonzero_exit,
          test_survived_of_absent_role_is_error}},
        {"event",
         {test_event_errno_set_matches_either_errno,
          test_event_missing_fails_listing_events_of_that_call,
          test_event_missing_with_no_such_call_says_so, test_event_above_max_fails,
          test_event_count_between_bounds_passes, test_event_ret_range_bounds_are_inclusive,
          test_event_reason_set_matches_conn_end, test_event_ewouldblock_matches_eagain,
          test_event_skipped_step_matches_nothing,
          test_event_evidence_keeps_three_events_without_data,
          test_event_on_role_under_test_is_skipped}},
        {"sequence",
         {test_sequence_with_gaps_passes, test_sequence_out_of_order_fails_naming_matched_prefix,
          test_sequence_without_first_event_fails,
          test_sequence_long_log_shows_events_from_last_match,
          test_sequence_on_role_under_test_is_skipped}},
        {"echo",
         {test_echo_exact_passes_on_identical_bytes, test_echo_exact_names_first_difference,
          test_echo_exact_fails_on_short_echo_at_end_of_stream,
          test_echo_exact_fails_on_extra_bytes, test_echo_joins_calls_in_order,
          test_echo_prefix_accepts_nothing, test_echo_fails_when_the_client_sent_nothing,
          test_echo_prefix_fails_on_differing_byte, test_echo_nonempty_prefix_passes_on_one_byte,
          test_echo_nonempty_prefix_fails_on_nothing, test_echo_with_truncated_data_is_error,
          test_echo_on_client_under_test_is_skipped, test_events_stream_takes_ret_bytes_of_data,
          test_events_stream_fails_on_missing_data, test_events_stream_fails_on_bad_hex}},
        {"client_port",
         {test_client_port_in_range_passes, test_client_port_out_of_range_fails,
          test_client_port_checks_every_connection, test_client_port_without_connect_fails,
          test_client_port_without_range_is_error}},
        {"mirror",
         {test_mirror_passes_when_addresses_mirror, test_mirror_fails_when_accept_peer_differs,
          test_mirror_fails_when_server_local_differs,
          test_mirror_pairs_connections_by_client_address,
          test_mirror_takes_an_ipv4_mapped_address_as_its_ipv4_form,
          test_mirror_fails_on_a_mapped_address_of_another_port,
          test_mirror_on_datagram_server_uses_recvfrom,
          test_mirror_on_server_under_test_is_skipped}},
        {"wire_echo",
         {test_wire_echo_exact_passes_on_an_echoed_connection,
          test_wire_echo_exact_names_connection_and_first_difference,
          test_wire_echo_prefix_accepts_a_silent_server_nonempty_prefix_does_not,
          test_wire_echo_nonempty_prefix_passes_on_part_of_the_echo,
          test_wire_echo_without_a_connection_fails, test_wire_kinds_without_a_capture_are_error,
          test_wire_echo_of_udp_names_the_reply, test_wire_kinds_on_the_real_recv1_capture}},
        {"wire_client_port",
         {test_wire_client_port_in_range_and_as_logged_passes,
          test_wire_client_port_out_of_range_fails_without_logs,
          test_wire_client_port_differing_from_getsockname_fails,
          test_wire_client_port_differing_from_accept_peer_fails,
          test_wire_client_port_without_range_is_error}},
        {"wire_segments_close",
         {test_wire_segments_of_one_byte_pass, test_wire_segments_larger_than_allowed_fail,
          test_wire_close_graceful_by_client_passes,
          test_wire_close_reset_after_data_after_close_passes,
          test_wire_close_of_another_class_fails, test_wire_close_first_by_the_wrong_side_fails}},
        {"wire_counts",
         {test_wire_connections_within_bounds_pass,
          test_wire_connections_above_max_fail_listing_them, test_wire_connections_none_fails,
          test_wire_syn_counts_unanswered_and_refused, test_wire_syn_below_minimum_fails,
          test_wire_udp_pairs_of_equal_size_pass, test_wire_udp_reply_of_another_size_fails,
          test_wire_udp_unanswered_request_fails}},
        {"combine",
         {test_combine_run_error_wins_over_checks, test_combine_fail_beats_error,
          test_combine_error_without_fail_is_error, test_combine_all_skipped_is_skip,
          test_combine_pass_with_some_skipped_is_pass}},
        {"evlog",
         {test_evlog_read_turns_garbled_line_into_log_error, test_evlog_read_stops_at_max_bytes,
          test_evlog_read_of_missing_file_gives_log_error,
          test_observation_clear_releases_event_logs}},
    };
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
        TCase *tc = tcase_create(groups[g].name);
        for (size_t i = 0; i < 16 && groups[g].tests[i]; i++)
            tcase_add_test(tc, groups[g].tests[i]);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(verdict_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
