/* test_scenario.c - unit tests of scenario.c: loading, validation, error positions.
 *
 * Valid fixtures sit in tests/data/scenarios-valid/ and tests/data/scenarios-roles/. Every
 * tests/invalid/NAME.json must fail with exactly the message in NAME.err (tests/invalid/regen.sh
 * rewrites those on purpose). Paths are relative to the source tree: CTest sets
 * EH_SOURCE_DIR and main() changes into it.
 */
#include "scenario.h"

#include "flow.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VALID "tests/data/scenarios-valid/"
#define ROLES "tests/data/scenarios-roles/" /* the keys of the client and behaviour scenarios */
#define SERVER_FIXTURES "tests/data/scenarios-server/" /* the steps and kinds for servers */

static struct eh_scenario *load_ok(const char *path)
{
    struct eh_error err = {0};
    struct eh_scenario *sc = NULL;
    ck_assert_msg(eh_scenario_load(path, &sc, &err) == EH_OK, "%s", err.msg);
    ck_assert_ptr_nonnull(sc);
    return sc;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* ---- names ---- */

START_TEST(test_names_are_the_json_keys)
{
    ck_assert_str_eq(eh_role_name(EH_SERVER), "server");
    ck_assert_str_eq(eh_role_name(EH_CLIENT), "client");
    ck_assert_str_eq(eh_transport_name(EH_UDP), "udp");
    ck_assert_str_eq(eh_family_name(EH_IPV6), "ipv6");
    ck_assert_str_eq(eh_step_name(EH_STEP_SHUTDOWN_WRITE), "shutdown_write");
    ck_assert_str_eq(eh_step_name(EH_STEP_SLEEP), "sleep");
    ck_assert_str_eq(eh_step_name(EH_STEP_NODELAY), "nodelay");
    ck_assert_str_eq(eh_step_name(EH_STEP_STREAM), "stream");
    ck_assert_str_eq(eh_step_name(EH_STEP_CLIENTS), "clients");
    ck_assert_str_eq(eh_step_name(EH_STEP_REPEAT), "repeat");
    ck_assert_str_eq(eh_expect_name(EH_EXPECT_CLIENT_PORT), "client_port");
    ck_assert_str_eq(eh_expect_name(EH_EXPECT_MIRROR), "mirror");
    ck_assert_str_eq(eh_echo_relation_name(EH_ECHO_NONEMPTY_PREFIX), "nonempty_prefix");
    ck_assert_str_eq(eh_expect_name(EH_EXPECT_WIRE_ECHO), "wire_echo");
    ck_assert_str_eq(eh_expect_name(EH_EXPECT_WIRE_CLIENT_PORT), "wire_client_port");
    ck_assert_str_eq(eh_expect_name(EH_EXPECT_WIRE_UDP), "wire_udp");
    ck_assert_str_eq(eh_expect_name(EH_EXPECT_CONN_ECHO), "conn_echo");
    ck_assert_str_eq(eh_expect_name(EH_EXPECT_CLIENTS_SERVED), "clients_served");
    ck_assert_str_eq(eh_expect_name(EH_EXPECT_CLIENTS_CONCURRENT), "clients_concurrent");
    ck_assert_str_eq(eh_expect_name(EH_EXPECT_DATAGRAM_ECHO), "datagram_echo");
    ck_assert_str_eq(eh_expect_name(EH_EXPECT_SERVER_FDS), "server_fds");
    ck_assert_str_eq(eh_expect_name(EH_EXPECT_SERVER_RUNNING), "server_running");
}
END_TEST

START_TEST(test_names_of_values_outside_the_enum_are_question_marks)
{
    ck_assert_str_eq(eh_step_name((enum eh_step_kind)99), "?");
    ck_assert_str_eq(eh_expect_name((enum eh_expect_kind) - 1), "?");
}
END_TEST

/* ---- the position index ---- */

static const char locate_text[] = "\n"
                                  "  {\"a\": {\"bc\": [10, {\"d\": true}]},\n"
                                  "   \"\\u00e9t\\u00e9\": \"x\", \"s\\\"q\": null}\n";

START_TEST(test_locate_puts_the_root_at_its_first_character)
{
    int line = 0, col = 0;
    ck_assert(eh__json_locate(locate_text, "$", false, &line, &col));
    ck_assert_int_eq(line, 2);
    ck_assert_int_eq(col, 3);
}
END_TEST

START_TEST(test_locate_finds_a_nested_value)
{
    int line = 0, col = 0;
    ck_assert(eh__json_locate(locate_text, "$.a.bc[1].d", false, &line, &col));
    ck_assert_int_eq(line, 2);
    ck_assert_int_eq(col, 27);
}
END_TEST

START_TEST(test_locate_finds_a_member_name_when_asked_for_the_key)
{
    int line = 0, col = 0;
    ck_assert(eh__json_locate(locate_text, "$.a.bc", true, &line, &col));
    ck_assert_int_eq(line, 2);
    ck_assert_int_eq(col, 10);
    ck_assert(eh__json_locate(locate_text, "$.a.bc", false, &line, &col));
    ck_assert_int_eq(col, 16);
}
END_TEST

START_TEST(test_locate_gives_an_array_element_its_value_position_even_for_a_key)
{
    int line = 0, col = 0;
    ck_assert(eh__json_locate(locate_text, "$.a.bc[0]", true, &line, &col));
    ck_assert_int_eq(line, 2);
    ck_assert_int_eq(col, 17);
}
END_TEST

START_TEST(test_locate_decodes_escapes_in_member_names)
{
    int line = 0, col = 0;
    ck_assert(eh__json_locate(locate_text, "$.\xc3\xa9t\xc3\xa9", false, &line, &col));
    ck_assert_int_eq(line, 3);
    ck_assert_int_eq(col, 21);
    ck_assert(eh__json_locate(locate_text, "$.s\"q", true, &line, &col));
    ck_assert_int_eq(col, 26);
}
END_TEST

START_TEST(test_locate_counts_columns_in_characters_not_bytes)
{
    int line = 0, col = 0;
    ck_assert(
        eh__json_locate("{\"\xc3\xa9\xe2\x9c\x93\": 1, \"k\": 2}", "$.k", false, &line, &col));
    ck_assert_int_eq(col, 16);
}
END_TEST

START_TEST(test_locate_returns_false_for_a_path_not_in_the_text)
{
    int line = 0, col = 0;
    ck_assert(!eh__json_locate(locate_text, "$.a.b", false, &line, &col));
    ck_assert(!eh__json_locate(locate_text, "$.a.bc[2]", false, &line, &col));
    ck_assert(!eh__json_locate("", "$.a", false, &line, &col));
}
END_TEST

/* ---- valid files ---- */

START_TEST(test_minimal_scenario_takes_every_default)
{
    struct eh_scenario *sc = load_ok(VALID "minimal.json");
    ck_assert_str_eq(sc->kind, "behaviour");
    ck_assert_uint_eq(sc->n_tags, 0);
    ck_assert_int_eq(sc->transport, EH_TCP);
    ck_assert_int_eq(sc->family, EH_IPV4);
    ck_assert_str_eq(sc->host, "127.0.0.1");
    ck_assert_int_eq(sc->port, EH_DEFAULT_PORT);
    ck_assert_int_eq(sc->timeout_ms, EH_DEFAULT_TIMEOUT_MS);
    for (int r = 0; r < EH_ROLE_COUNT; r++) {
        ck_assert(sc->roles[r].present);
        ck_assert(!sc->roles[r].under_test);
        ck_assert_uint_eq(sc->roles[r].n_args, 0);
        ck_assert_uint_eq(sc->roles[r].n_steps, 0);
    }
    ck_assert_str_eq(sc->roles[EH_SERVER].program, "echo-server");
    ck_assert_str_eq(sc->roles[EH_CLIENT].program, "echo-client");
    ck_assert_uint_eq(sc->n_expects, 1);
    ck_assert_int_eq(sc->expects[0].kind, EH_EXPECT_SURVIVED);
    ck_assert_int_eq(sc->expects[0].who, EH_SERVER);
    ck_assert(!sc->network.given);
    ck_assert_int_eq(sc->network.mtu, 0);
    ck_assert_int_eq(sc->network.loss_percent, 0);
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_network_conditions_are_loaded)
{
    struct eh_scenario *sc = load_ok(VALID "network.json");
    ck_assert(sc->network.given);
    ck_assert_int_eq(sc->network.mtu, 1280);
    ck_assert_int_eq(sc->network.loss_percent, 3);
    ck_assert_int_eq(sc->network.delay_ms, 20);
    ck_assert_int_eq(sc->network.reorder_percent, 5);
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_name_is_the_file_stem_and_path_is_kept)
{
    struct eh_scenario *sc = load_ok(VALID "minimal.json");
    ck_assert_str_eq(sc->name, "minimal");
    ck_assert_str_eq(sc->path, VALID "minimal.json");
    ck_assert_str_eq(sc->description, "Only the required keys: everything else takes its default.");
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_ipv6_default_host_is_the_ipv6_loopback)
{
    struct eh_scenario *sc = load_ok(VALID "udp-ipv6.json");
    ck_assert_int_eq(sc->family, EH_IPV6);
    ck_assert_str_eq(sc->host, "::1");
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_explicit_values_replace_the_defaults)
{
    struct eh_scenario *sc = load_ok(VALID "udp-ipv6.json");
    ck_assert_str_eq(sc->kind, "conformance");
    ck_assert_int_eq(sc->transport, EH_UDP);
    ck_assert_int_eq(sc->port, 7);
    ck_assert_int_eq(sc->timeout_ms, 2500);
    const struct eh_role *srv = &sc->roles[EH_SERVER], *cli = &sc->roles[EH_CLIENT];
    ck_assert(srv->under_test);
    ck_assert_str_eq(srv->program, "echo-server-udp");
    ck_assert_uint_eq(srv->n_args, 2);
    ck_assert_str_eq(srv->args[0], "--once");
    ck_assert_str_eq(srv->args[1], "-v");
    ck_assert(!cli->under_test);
    ck_assert_str_eq(cli->program, "echo-client");
    ck_assert_uint_eq(cli->n_args, 2);
    ck_assert_str_eq(cli->args[1], "64");
    struct eh_scenario *other = load_ok(VALID "scripted.json");
    ck_assert_str_eq(other->host, "127.0.0.2");
    eh_scenario_free(other);
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_has_tag_matches_whole_tags_only)
{
    struct eh_scenario *sc = load_ok(VALID "udp-ipv6.json");
    ck_assert_uint_eq(sc->n_tags, 3);
    ck_assert(eh_scenario_has_tag(sc, "rfc-862"));
    ck_assert(eh_scenario_has_tag(sc, "udp"));
    ck_assert(!eh_scenario_has_tag(sc, "ud"));
    ck_assert(!eh_scenario_has_tag(sc, "tcp"));
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_exit_codes_and_signals_take_a_value_or_a_list)
{
    struct eh_scenario *sc = load_ok(VALID "udp-ipv6.json");
    const struct eh_expect *one = &sc->expects[0], *two = &sc->expects[1];
    ck_assert_int_eq(one->kind, EH_EXPECT_EXIT);
    ck_assert_int_eq(one->who, EH_CLIENT);
    ck_assert_uint_eq(one->n_codes, 1);
    ck_assert_int_eq(one->codes[0], 0);
    ck_assert_uint_eq(one->n_signals, 0);
    ck_assert_int_eq(two->who, EH_SERVER);
    ck_assert_uint_eq(two->n_codes, 2);
    ck_assert_int_eq(two->codes[1], 1);
    ck_assert_uint_eq(two->n_signals, 2);
    ck_assert_int_eq(two->signals[0], SIGPIPE);
    ck_assert_int_eq(two->signals[1], SIGKILL);
    ck_assert_int_eq(sc->expects[2].relation, EH_ECHO_NONEMPTY_PREFIX);
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_steps_expand_text_hex_and_seeded_random_payloads)
{
    struct eh_scenario *sc = load_ok(VALID "scripted.json");
    const struct eh_step *st = sc->roles[EH_CLIENT].steps;
    /* SplitMix64 from seed 0: 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, little-endian. */
    static const unsigned char want[10] = {0xaf, 0xcd, 0x1d, 0x7b, 0x39,
                                           0xa8, 0x20, 0xe2, 0xf4, 0x65};
    ck_assert_uint_eq(sc->roles[EH_CLIENT].n_steps, 11);
    ck_assert_int_eq(st[0].kind, EH_STEP_CONNECT);
    ck_assert_int_eq(st[1].kind, EH_STEP_SEND);
    ck_assert_uint_eq(st[1].data_len, 12);
    ck_assert_mem_eq(st[1].data, "Hello, world", 12);
    ck_assert_uint_eq(st[2].data_len, 3);
    ck_assert_mem_eq(st[2].data, "\x00\xff\xa5", 3);
    ck_assert_uint_eq(st[3].data_len, 10);
    ck_assert(st[3].random);
    ck_assert_ptr_null(st[3].data); /* made when the step runs, not when loaded */
    unsigned char *owned;
    const unsigned char *bytes = eh_step_bytes(&st[3], &owned);
    ck_assert_ptr_eq(bytes, owned);
    ck_assert_mem_eq(bytes, want, sizeof(want));
    free(owned);
    ck_assert_ptr_eq(eh_step_bytes(&st[1], &owned), st[1].data);
    ck_assert_ptr_null(owned);
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_recv_modes_sleep_and_closing_steps_are_loaded)
{
    struct eh_scenario *sc = load_ok(VALID "scripted.json");
    const struct eh_step *st = sc->roles[EH_CLIENT].steps;
    ck_assert_int_eq(st[4].recv_mode, EH_RECV_UP_TO);
    ck_assert_uint_eq(st[4].recv_bytes, 1);
    ck_assert_int_eq(st[5].recv_mode, EH_RECV_EXACTLY);
    ck_assert_uint_eq(st[5].recv_bytes, 21);
    ck_assert_int_eq(st[6].kind, EH_STEP_SHUTDOWN_WRITE);
    ck_assert_int_eq(st[7].recv_mode, EH_RECV_UNTIL_EOF);
    ck_assert_uint_eq(st[7].recv_bytes, 0);
    ck_assert_int_eq(st[8].kind, EH_STEP_SLEEP);
    ck_assert_int_eq(st[8].sleep_ms, 250);
    ck_assert_int_eq(st[9].kind, EH_STEP_CLOSE);
    ck_assert_int_eq(st[10].kind, EH_STEP_ABORT);
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_steps_and_expectations_carry_their_json_paths)
{
    struct eh_scenario *sc = load_ok(VALID "scripted.json");
    ck_assert_str_eq(sc->roles[EH_CLIENT].steps[2].path, "$.client.steps[2]");
    ck_assert_str_eq(sc->expects[3].path, "$.expect[3]");
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_event_count_defaults_to_at_least_one_unbounded)
{
    struct eh_scenario *sc = load_ok(VALID "scripted.json");
    const struct eh_expect *e = &sc->expects[0];
    ck_assert_int_eq(e->kind, EH_EXPECT_EVENT);
    ck_assert_int_eq(e->min, 1);
    ck_assert_int_eq(e->max, -1);
    ck_assert_int_eq(sc->expects[1].min, 0);
    ck_assert_int_eq(sc->expects[1].max, 3);
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_match_keeps_given_fields_and_canonical_errno_names)
{
    struct eh_scenario *sc = load_ok(VALID "scripted.json");
    const struct eh_match *a = &sc->expects[0].match, *b = &sc->expects[1].match;
    ck_assert_str_eq(a->call, "recv");
    ck_assert(a->has_ret && a->ret == 0);
    ck_assert(!a->has_ret_min && !a->has_ret_max);
    ck_assert_uint_eq(a->n_errnos, 0);
    ck_assert_uint_eq(a->n_reasons, 0);
    ck_assert(!b->has_ret && b->has_ret_min && b->has_ret_max);
    ck_assert_int_eq(b->ret_min, 1);
    ck_assert_int_eq(b->ret_max, 12);
    ck_assert_uint_eq(b->n_errnos, 2);
    ck_assert_str_eq(b->errnos[0], "EPIPE");
    ck_assert_str_eq(b->errnos[1], "EAGAIN"); /* given as EWOULDBLOCK */
    ck_assert_uint_eq(b->n_reasons, 1);
    ck_assert_str_eq(b->reasons[0], "eof");
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_sequence_echo_client_port_and_mirror_are_loaded)
{
    struct eh_scenario *sc = load_ok(VALID "scripted.json");
    const struct eh_expect *seq = &sc->expects[2];
    ck_assert_int_eq(seq->kind, EH_EXPECT_SEQUENCE);
    ck_assert_int_eq(seq->who, EH_CLIENT);
    ck_assert_uint_eq(seq->n_seq, 2);
    ck_assert_str_eq(seq->seq[0].call, "connect");
    ck_assert_ptr_null(seq->seq[1].call);
    ck_assert_uint_eq(seq->seq[1].n_reasons, 2);
    ck_assert_str_eq(seq->seq[1].reasons[1], "timeout");
    ck_assert_int_eq(sc->expects[3].kind, EH_EXPECT_ECHO);
    ck_assert_int_eq(sc->expects[3].relation, EH_ECHO_EXACT);
    ck_assert_int_eq(sc->expects[4].kind, EH_EXPECT_CLIENT_PORT);
    ck_assert_int_eq(sc->expects[5].kind, EH_EXPECT_MIRROR);
    ck_assert_uint_eq(sc->n_expects, 6);
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_wire_kinds_are_loaded_with_their_defaults)
{
    struct eh_scenario *sc = load_ok(VALID "wire.json");
    const struct eh_expect *e = sc->expects;
    ck_assert_uint_eq(sc->n_expects, 7);
    ck_assert_int_eq(e[0].kind, EH_EXPECT_WIRE_ECHO);
    ck_assert_int_eq(e[0].relation, EH_ECHO_NONEMPTY_PREFIX);
    ck_assert_int_eq(e[0].transport, EH_TCP);
    ck_assert_int_eq(e[1].kind, EH_EXPECT_WIRE_CLIENT_PORT);
    ck_assert_int_eq(e[2].kind, EH_EXPECT_WIRE_SEGMENTS);
    ck_assert_int_eq(e[2].who, EH_CLIENT);
    ck_assert_int_eq(e[2].max_payload, 0);
    ck_assert_int_eq(e[3].kind, EH_EXPECT_WIRE_CLOSE);
    ck_assert_uint_eq(e[3].close_classes, 1u << EH_CLOSE_GRACEFUL | 1u << EH_CLOSE_CLIENT_RESET);
    ck_assert(e[3].has_first_close_by);
    ck_assert_int_eq(e[3].first_close_by, EH_SERVER);
    ck_assert(e[3].has_data_after_close && !e[3].data_after_close);
    ck_assert_uint_eq(e[4].close_classes, 1u << EH_CLOSE_UNFINISHED); /* a single name */
    ck_assert(!e[4].has_first_close_by && !e[4].has_data_after_close);
    ck_assert_int_eq(e[5].kind, EH_EXPECT_WIRE_CONNECTIONS);
    ck_assert_int_eq(e[5].min, 1);
    ck_assert_int_eq(e[5].max, 3);
    ck_assert_int_eq(e[6].kind, EH_EXPECT_WIRE_SYN);
    ck_assert_int_eq(e[6].unanswered_min, -1);
    ck_assert_int_eq(e[6].refused_min, 2);
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_wire_kinds_of_a_udp_scenario_judge_udp_exchanges)
{
    struct eh_scenario *sc = load_ok(VALID "wire-udp.json");
    ck_assert_uint_eq(sc->n_expects, 3);
    ck_assert_int_eq(sc->expects[0].kind, EH_EXPECT_WIRE_UDP);
    ck_assert_int_eq(sc->expects[1].transport, EH_UDP);
    ck_assert_int_eq(sc->expects[2].min, 1);
    ck_assert_int_eq(sc->expects[2].max, 1);
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_role_keys_await_matchers_and_ending_kinds_are_loaded)
{
    struct eh_scenario *sc = load_ok(ROLES "roles.json");
    const struct eh_role *srv = &sc->roles[EH_SERVER], *cl = &sc->roles[EH_CLIENT];
    const struct eh_expect *e = sc->expects;
    ck_assert(sc->client_port_window);
    ck_assert(srv->present && srv->no_ready);
    ck_assert_uint_eq(cl->n_steps, 3);
    ck_assert_int_eq(cl->steps[0].kind, EH_STEP_AWAIT_SERVER);
    ck_assert_str_eq(eh_step_name(EH_STEP_AWAIT_SERVER), "await_server");
    ck_assert_int_eq(cl->steps[0].sleep_ms, EH_DEFAULT_AWAIT_MS);
    ck_assert_str_eq(cl->steps[0].await->call, "accept");
    ck_assert_str_eq(cl->steps[0].await->errnos[0], "EAGAIN"); /* EWOULDBLOCK, canonical */
    ck_assert_int_eq(cl->steps[2].sleep_ms, 500);
    ck_assert_str_eq(cl->steps[2].await->laddr, "[::ffff:127.0.0.1]:*");
    ck_assert_str_eq(e[0].match.raddr, "127.0.0.1:65432");
    ck_assert(e[0].match.has_elapsed);
    ck_assert_int_eq(e[0].match.elapsed_near_ms, 200);
    ck_assert_int_eq(e[0].match.elapsed_tolerance_ms, 50);
    ck_assert(!e[0].match.elapsed_near_scaled);
    ck_assert(e[1].match.elapsed_near_scaled);
    e++; /* the second event expectation, then the kinds */
    ck_assert_int_eq(e[1].kind, EH_EXPECT_CLIENT_ENDS);
    ck_assert_int_eq(e[1].after, EH_AFTER_SERVER_CLOSE);
    ck_assert_int_eq(e[1].status, EH_STATUS_ANY);
    ck_assert_int_eq(e[1].within_ms, 1000);
    ck_assert_int_eq(e[1].who, EH_CLIENT);
    ck_assert_int_eq(e[2].kind, EH_EXPECT_SERVER_PORT);
    ck_assert_int_eq(e[3].kind, EH_EXPECT_WIRE_CLIENT_READS_ECHO);
    ck_assert(e[4].has_echo_bytes);
    ck_assert_int_eq(e[4].echo_bytes, 1048576);
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_an_absent_server_is_not_present_and_defaults_stay_off)
{
    struct eh_scenario *sc = load_ok(ROLES "absent-server.json");
    ck_assert(!sc->roles[EH_SERVER].present);
    ck_assert(sc->roles[EH_CLIENT].present && sc->roles[EH_CLIENT].under_test);
    ck_assert(!sc->client_port_window);
    ck_assert_int_eq(sc->expects[0].after, EH_AFTER_REFUSED);
    ck_assert_int_eq(sc->expects[0].status, EH_STATUS_NONZERO);
    eh_scenario_free(sc);
    sc = load_ok(VALID "wire.json");
    ck_assert(sc->roles[EH_SERVER].present && !sc->roles[EH_SERVER].no_ready);
    ck_assert(!sc->expects[0].has_echo_bytes);
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_server_steps_take_their_pacing_timeouts_and_defaults)
{
    struct eh_scenario *sc = load_ok(SERVER_FIXTURES "steps.json");
    const struct eh_step *st = sc->roles[EH_CLIENT].steps;
    ck_assert_uint_eq(sc->roles[EH_CLIENT].n_steps, 10);
    ck_assert_int_eq(st[1].kind, EH_STEP_NODELAY);
    ck_assert_uint_eq(st[2].data_len, 64);
    ck_assert_uint_eq(st[2].n_chunks, 1);
    ck_assert_uint_eq(st[2].chunks[0], 1);
    ck_assert_int_eq(st[2].pause_ms, 3);
    ck_assert_uint_eq(st[3].n_chunks, 2);
    ck_assert_uint_eq(st[3].chunks[1], 3);
    ck_assert_int_eq(st[3].pause_ms, 0);
    ck_assert_int_eq(st[4].timeout_ms, 2000);
    ck_assert_int_eq(st[5].kind, EH_STEP_STREAM);
    ck_assert_uint_eq(st[5].data_len, 1048576);
    ck_assert_uint_eq(st[5].chunks[0], 1000);
    ck_assert_uint_eq(st[5].read_size, 4096);
    ck_assert_int_eq(st[5].read_delay_ms, 300);
    ck_assert_int_eq(st[5].read_pause_ms, 2);
    ck_assert(st[5].shutdown);
    ck_assert_int_eq(st[5].timeout_ms, 5000);
    /* a stream's defaults: one piece, 65536-byte reads, no pauses, no shutdown, no timeout */
    ck_assert_uint_eq(st[6].data_len, 3);
    ck_assert_uint_eq(st[6].n_chunks, 0);
    ck_assert_uint_eq(st[6].read_size, 65536);
    ck_assert_int_eq(st[6].read_delay_ms + st[6].read_pause_ms + st[6].pause_ms, 0);
    ck_assert(!st[6].shutdown);
    ck_assert_int_eq(st[6].timeout_ms, 0);
    ck_assert_int_eq(st[8].kind, EH_STEP_CLIENTS);
    ck_assert_int_eq(st[8].count, 5);
    ck_assert_uint_eq(st[8].client_bytes, 20000);
    ck_assert_uint_eq(st[8].seed, 100);
    ck_assert_ptr_null(st[8].data);
    ck_assert_int_eq(st[9].kind, EH_STEP_REPEAT);
    ck_assert_int_eq(st[9].count, 50);
    ck_assert_uint_eq(st[9].n_steps, 4);
    ck_assert_int_eq(st[9].steps[2].recv_mode, EH_RECV_UNTIL_EOF);
    ck_assert_int_eq(st[9].steps[2].timeout_ms, 100);
    ck_assert_str_eq(st[9].steps[3].path, "$.client.steps[9].repeat.steps[3]");
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_connection_kinds_and_the_server_watch_are_loaded)
{
    struct eh_scenario *sc = load_ok(SERVER_FIXTURES "expect.json");
    const struct eh_expect *e = sc->expects;
    ck_assert_uint_eq(sc->n_expects, 7);
    ck_assert_int_eq(e[0].kind, EH_EXPECT_CONN_ECHO);
    ck_assert_int_eq(e[0].relation, EH_ECHO_EXACT);
    ck_assert_int_eq(e[0].conn, 0); /* every connection */
    ck_assert(!e[0].eof);
    ck_assert_int_eq(e[1].relation, EH_ECHO_NONEMPTY_PREFIX);
    ck_assert_int_eq(e[1].conn, 2);
    ck_assert(e[1].eof);
    ck_assert_int_eq(e[2].kind, EH_EXPECT_CLIENTS_SERVED);
    ck_assert_int_eq(e[2].min, 1);
    ck_assert_int_eq(e[3].min, 50);
    ck_assert_int_eq(e[4].kind, EH_EXPECT_CLIENTS_CONCURRENT);
    ck_assert_int_eq(e[5].kind, EH_EXPECT_SERVER_FDS);
    ck_assert_int_eq(e[5].max_growth, 4);
    ck_assert_int_eq(e[6].kind, EH_EXPECT_SERVER_RUNNING);
    eh_scenario_free(sc);
    sc = load_ok(SERVER_FIXTURES "udp.json");
    ck_assert_int_eq(sc->expects[0].kind, EH_EXPECT_DATAGRAM_ECHO);
    ck_assert_uint_eq(sc->roles[EH_CLIENT].steps[1].chunks[1], 200);
    eh_scenario_free(sc);
}
END_TEST

START_TEST(test_free_accepts_null)
{
    eh_scenario_free(NULL);
}
END_TEST

/* ---- invalid files ---- */

/* Reads NAME.err for NAME.json without its trailing newline. */
static char *expected_message(const char *json_path)
{
    char err_path[512], buf[2048];
    snprintf(err_path, sizeof(err_path), "%.*s.err", (int)(strlen(json_path) - 5), json_path);
    FILE *f = fopen(err_path, "r");
    ck_assert_msg(f != NULL, "%s: missing (see tests/invalid/regen.sh)", err_path);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    while (n > 0 && buf[n - 1] == '\n')
        n--;
    buf[n] = '\0';
    return strdup(buf);
}

START_TEST(test_every_invalid_file_gives_the_message_in_its_err_file)
{
    char *dir = "tests/invalid";
    char **paths;
    size_t n, failures = 0;
    struct eh_error err = {0};
    ck_assert_msg(eh_scenario_find(&dir, 1, &paths, &n, &err) == EH_OK, "%s", err.msg);
    for (size_t i = 0; i < n; i++) {
        struct eh_scenario *sc = NULL;
        char *want = expected_message(paths[i]);
        eh_error_clear(&err);
        if (eh_scenario_load(paths[i], &sc, &err) == EH_OK) {
            fprintf(stderr, "%s: loaded, expected: %s\n", paths[i], want);
            failures++;
        } else if (strcmp(err.msg, want) != 0) {
            fprintf(stderr, "%s:\n  expected: %s\n  got:      %s\n", paths[i], want, err.msg);
            failures++;
        }
        ck_assert_ptr_null(sc);
        free(want);
        free(paths[i]);
    }
    free(paths);
    ck_assert_uint_ge(n, 40);
    ck_assert_msg(failures == 0, "%zu of %zu invalid files gave another message", failures, n);
}
END_TEST

START_TEST(test_invalid_folder_covers_each_required_error)
{
    static const char *const required[] = {
        "syntax-error",
        "trailing-garbage",
        "duplicate-key",
        "unknown-top-level-key",
        "unknown-key",
        "wrong-type-string-for-integer",
        "port-out-of-range",
        "missing-required-key",
        "empty-expect",
        "step-with-two-keys",
        "unknown-step",
        "bad-hex-digit",
        "bad-errno-name",
        "bad-signal-name",
        "unknown-who",
        "steps-with-program",
        "exit-without-code-or-signal",
        "min-greater-than-max",
        "non-object-top-level",
        "empty-file",
        "network-mtu-too-small",
        "network-ipv6-mtu-below-1280",
        "network-reorder-without-delay",
        "network-unknown-key",
        NULL,
    };
    for (int i = 0; required[i]; i++) {
        char path[256];
        struct stat sb;
        snprintf(path, sizeof(path), "tests/invalid/%s.err", required[i]);
        ck_assert_msg(stat(path, &sb) == 0, "%s is missing", path);
    }
}
END_TEST

/* The whole file, NUL-terminated; *len gets its length. Caller frees. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s", path);
    char *text = malloc(65536);
    ck_assert_ptr_nonnull(text);
    *len = fread(text, 1, 65535, f);
    ck_assert(feof(f) && !ferror(f));
    fclose(f);
    text[*len] = '\0';
    return text;
}

START_TEST(test_load_text_loads_and_rejects_as_load_does)
{
    size_t len;
    char *text = slurp(VALID "scripted.json", &len);
    struct eh_scenario *sc = NULL;
    struct eh_error err = {0};
    ck_assert_msg(eh_scenario_load_text("mem/x.json", text, len, &sc, &err) == EH_OK, "%s",
                  err.msg);
    ck_assert_str_eq(sc->name, "x");
    ck_assert_str_eq(sc->path, "mem/x.json");
    ck_assert_str_eq(sc->roles[EH_CLIENT].steps[2].path, "$.client.steps[2]");
    eh_scenario_free(sc);
    free(text);
    static const char *const invalid[] = {"syntax-error", "duplicate-key", "port-out-of-range",
                                          "bad-hex-digit", "empty-file"};
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), "tests/invalid/%s.json", invalid[i]);
        char *want = expected_message(path);
        text = slurp(path, &len);
        eh_error_clear(&err);
        sc = (struct eh_scenario *)&err; /* must be reset to NULL */
        ck_assert_int_eq(eh_scenario_load_text(path, text, len, &sc, &err), EH_ERR);
        ck_assert_ptr_null(sc);
        ck_assert_str_eq(err.msg, want);
        free(text);
        free(want);
    }
}
END_TEST

START_TEST(test_missing_file_is_named_in_the_error)
{
    struct eh_error err = {0};
    struct eh_scenario *sc = (struct eh_scenario *)&err; /* must be reset to NULL */
    ck_assert_int_eq(eh_scenario_load("tests/invalid/no-such.json", &sc, &err), EH_ERR);
    ck_assert_ptr_null(sc);
    ck_assert_str_eq(err.msg, "tests/invalid/no-such.json: cannot open: No such file or directory");
}
END_TEST

START_TEST(test_a_syntax_error_at_the_end_of_a_line_has_column_one_at_least)
{
    char dir[] = "/tmp/eh-scenario-XXXXXX", path[64];
    struct eh_error err = {0};
    struct eh_scenario *sc;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/cut.json", dir);
    write_file(path, "{\"kind\":\n");
    ck_assert_int_eq(eh_scenario_load(path, &sc, &err), EH_ERR);
    char *where = strstr(err.msg, "cut.json:");
    ck_assert_ptr_nonnull(where);
    ck_assert_msg(strncmp(where, "cut.json:2:1: ", 14) == 0, "%s", err.msg);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* ---- finding files ---- */

START_TEST(test_find_walks_directories_sorted_taking_only_json_files)
{
    char dir[] = "/tmp/eh-scenario-XXXXXX", p[128];
    static const char *const files[] = {
        "b.json", "a.json", "notes.txt", "sub/c.json", "sub/z.json.bak", ".hidden/x.json", NULL};
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(p, sizeof(p), "%s/sub", dir);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof(p), "%s/.hidden", dir);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    for (int i = 0; files[i]; i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
        write_file(p, "{}");
    }
    char *arg = dir, **paths;
    size_t n;
    struct eh_error err = {0};
    ck_assert_int_eq(eh_scenario_find(&arg, 1, &paths, &n, &err), EH_OK);
    ck_assert_uint_eq(n, 3);
    static const char *const want[] = {"a.json", "b.json", "sub/c.json"};
    for (size_t i = 0; i < n; i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, want[i]);
        ck_assert_str_eq(paths[i], p);
        free(paths[i]);
    }
    free(paths);
    for (int i = 0; files[i]; i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
        unlink(p);
    }
    snprintf(p, sizeof(p), "%s/sub", dir);
    rmdir(p);
    snprintf(p, sizeof(p), "%s/.hidden", dir);
    rmdir(p);
    rmdir(dir);
}
END_TEST

START_TEST(test_find_keeps_file_arguments_in_the_order_given)
{
    char *args[] = {VALID "udp-ipv6.json", VALID, VALID "minimal.json"};
    char **paths;
    size_t n;
    struct eh_error err = {0};
    ck_assert_int_eq(eh_scenario_find(args, 3, &paths, &n, &err), EH_OK);
    ck_assert_uint_eq(n, 8);
    ck_assert_str_eq(paths[0], VALID "udp-ipv6.json");
    ck_assert_str_eq(paths[1], VALID "minimal.json"); /* the directory, sorted, no "//" */
    ck_assert_str_eq(paths[2], VALID "network.json");
    ck_assert_str_eq(paths[3], VALID "scripted.json");
    ck_assert_str_eq(paths[4], VALID "udp-ipv6.json");
    ck_assert_str_eq(paths[5], VALID "wire-udp.json");
    ck_assert_str_eq(paths[6], VALID "wire.json");
    ck_assert_str_eq(paths[7], VALID "minimal.json");
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}
END_TEST

START_TEST(test_find_names_a_path_that_does_not_exist)
{
    char *args[] = {VALID, "no/such/dir"};
    char **paths = (char **)args;
    size_t n = 99;
    struct eh_error err = {0};
    ck_assert_int_eq(eh_scenario_find(args, 2, &paths, &n, &err), EH_ERR);
    ck_assert_ptr_null(paths);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(err.msg, "no/such/dir: No such file or directory");
}
END_TEST

START_TEST(test_find_names_a_directory_without_scenarios)
{
    char dir[] = "/tmp/eh-scenario-XXXXXX", sub[64], want[160];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sub, sizeof(sub), "%s/x.json", dir); /* a directory with a scenario's name */
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    char *args[] = {sub}, **paths;
    size_t n = 99;
    struct eh_error err = {0};
    ck_assert_int_eq(eh_scenario_find(args, 1, &paths, &n, &err), EH_ERR);
    ck_assert_ptr_null(paths);
    ck_assert_uint_eq(n, 0);
    snprintf(want, sizeof(want), "%s: no scenario files (*.json) in this directory", sub);
    ck_assert_str_eq(err.msg, want);
    /* loaded as a file, it is named too */
    struct eh_scenario *sc;
    eh_error_clear(&err);
    ck_assert_int_eq(eh_scenario_load(sub, &sc, &err), EH_ERR);
    snprintf(want, sizeof(want), "%s: cannot read: Is a directory", sub);
    ck_assert_str_eq(err.msg, want);
    rmdir(sub);
    rmdir(dir);
}
END_TEST

static Suite *scenario_suite(void)
{
    Suite *s = suite_create("scenario");
    TCase *names = tcase_create("names");
    tcase_add_test(names, test_names_are_the_json_keys);
    tcase_add_test(names, test_names_of_values_outside_the_enum_are_question_marks);
    suite_add_tcase(s, names);

    TCase *locate = tcase_create("locate");
    tcase_add_test(locate, test_locate_puts_the_root_at_its_first_character);
    tcase_add_test(locate, test_locate_finds_a_nested_value);
    tcase_add_test(locate, test_locate_finds_a_member_name_when_asked_for_the_key);
    tcase_add_test(locate, test_locate_gives_an_array_element_its_value_position_even_for_a_key);
    tcase_add_test(locate, test_locate_decodes_escapes_in_member_names);
    tcase_add_test(locate, test_locate_counts_columns_in_characters_not_bytes);
    tcase_add_test(locate, test_locate_returns_false_for_a_path_not_in_the_text);
    suite_add_tcase(s, locate);

    TCase *valid = tcase_create("valid");
    tcase_add_test(valid, test_minimal_scenario_takes_every_default);
    tcase_add_test(valid, test_name_is_the_file_stem_and_path_is_kept);
    tcase_add_test(valid, test_ipv6_default_host_is_the_ipv6_loopback);
    tcase_add_test(valid, test_explicit_values_replace_the_defaults);
    tcase_add_test(valid, test_has_tag_matches_whole_tags_only);
    tcase_add_test(valid, test_exit_codes_and_signals_take_a_value_or_a_list);
    tcase_add_test(valid, test_steps_expand_text_hex_and_seeded_random_payloads);
    tcase_add_test(valid, test_recv_modes_sleep_and_closing_steps_are_loaded);
    tcase_add_test(valid, test_steps_and_expectations_carry_their_json_paths);
    tcase_add_test(valid, test_event_count_defaults_to_at_least_one_unbounded);
    tcase_add_test(valid, test_match_keeps_given_fields_and_canonical_errno_names);
    tcase_add_test(valid, test_sequence_echo_client_port_and_mirror_are_loaded);
    tcase_add_test(valid, test_wire_kinds_are_loaded_with_their_defaults);
    tcase_add_test(valid, test_wire_kinds_of_a_udp_scenario_judge_udp_exchanges);
    tcase_add_test(valid, test_role_keys_await_matchers_and_ending_kinds_are_loaded);
    tcase_add_test(valid, test_an_absent_server_is_not_present_and_defaults_stay_off);
    tcase_add_test(valid, test_server_steps_take_their_pacing_timeouts_and_defaults);
    tcase_add_test(valid, test_connection_kinds_and_the_server_watch_are_loaded);
    tcase_add_test(valid, test_network_conditions_are_loaded);
    tcase_add_test(valid, test_free_accepts_null);
    suite_add_tcase(s, valid);

    TCase *invalid = tcase_create("invalid");
    tcase_add_test(invalid, test_every_invalid_file_gives_the_message_in_its_err_file);
    tcase_add_test(invalid, test_invalid_folder_covers_each_required_error);
    tcase_add_test(invalid, test_load_text_loads_and_rejects_as_load_does);
    tcase_add_test(invalid, test_missing_file_is_named_in_the_error);
    tcase_add_test(invalid, test_a_syntax_error_at_the_end_of_a_line_has_column_one_at_least);
    suite_add_tcase(s, invalid);

    TCase *find = tcase_create("find");
    tcase_add_test(find, test_find_walks_directories_sorted_taking_only_json_files);
    tcase_add_test(find, test_find_keeps_file_arguments_in_the_order_given);
    tcase_add_test(find, test_find_names_a_path_that_does_not_exist);
    tcase_add_test(find, test_find_names_a_directory_without_scenarios);
    suite_add_tcase(s, find);
    return s;
}

int main(void)
{
    const char *src = getenv("EH_SOURCE_DIR");
    if (src != NULL && chdir(src) != 0) {
        perror(src);
        return 1;
    }
    SRunner *sr = srunner_create(scenario_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
