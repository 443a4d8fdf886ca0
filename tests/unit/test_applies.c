/* test_applies.c - unit tests of applies.c: what a scenario judges, what a server serves.
 *
 * The socket table is read from fixture files written here in the kernel's
 * format (lines as /proc/net/tcp prints them, each annotated with the
 * socket it stands for), so the parser and the judgement are checked
 * without any socket. eh_wait_serving() itself is exercised by the
 * integration test not-served.sh against real servers in namespaces.
 */
#include "applies.h"

#include "unit.h"

#include <unistd.h>

static const char *HEADER =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode\n";

/* 127.0.0.1:65432 listening (0A), inode 1001. */
#define TCP_LISTEN_65432                                                                           \
    "   0: 0100007F:FF98 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "  \
    "1001 1 0000000000000000 100 0 0 10 0\n"
/* 127.0.0.1:40000 -> 127.0.0.1:65432 established (01): not serving. */
#define TCP_ESTABLISHED                                                                            \
    "   1: 0100007F:9C40 0100007F:FF98 01 00000000:00000000 00:00000000 00000000     0        0 "  \
    "1002 1 0000000000000000 20 4 30 10 -1\n"
/* [::]:7 listening (dual-stack wildcard), inode 1003. */
#define TCP6_WILDCARD_7                                                                            \
    "   0: 00000000000000000000000000000000:0007 00000000000000000000000000000000:0000 0A "        \
    "00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 100 0 0 10 "    \
    "0\n"
/* [::1]:65432 listening, inode 1004. */
#define TCP6_LOOPBACK_65432                                                                        \
    "   1: 00000000000000000000000001000000:FF98 00000000000000000000000000000000:0000 0A "        \
    "00000000:00000000 00:00000000 00000000     0        0 1004 1 0000000000000000 100 0 0 10 "    \
    "0\n"
/* [::ffff:127.0.0.1]:65432 listening: an IPv6 socket bound to an
 * IPv4-mapped address (as Java binds 127.0.0.1), inode 1006. */
#define TCP6_MAPPED_65432                                                                          \
    "   2: 0000000000000000FFFF00000100007F:FF98 00000000000000000000000000000000:0000 0A "        \
    "00000000:00000000 00:00000000 00000000     0        0 1006 1 0000000000000000 100 0 0 10 "    \
    "0\n"
/* UDP 0.0.0.0:9 bound (07), inode 1005. */
#define UDP_ANY_9                                                                                  \
    "  10: 00000000:0009 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 "  \
    "1005 2 0000000000000000 0\n"

static char dir[] = "/tmp/eh-test-applies.XXXXXX";

static void write_table(const char *name, const char *lines)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(HEADER, f);
    fputs(lines, f);
    fclose(f);
}

/* Writes the four tables (NULL: an empty table) and reads them back. */
static size_t table(const char *tcp, const char *tcp6, const char *udp, const char *udp6,
                    struct eh_bound *b, size_t max)
{
    write_table("tcp", tcp ? tcp : "");
    write_table("tcp6", tcp6 ? tcp6 : "");
    write_table("udp", udp ? udp : "");
    write_table("udp6", udp6 ? udp6 : "");
    return eh__bound_read(dir, b, max);
}

static void setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    const char *names[] = {"tcp", "tcp6", "udp", "udp6"};
    for (size_t i = 0; i < N_OF(names); i++) {
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
    strcpy(dir, "/tmp/eh-test-applies.XXXXXX");
}

/* ---- reading the table ---- */

START_TEST(test_read_keeps_listening_tcp_and_bound_udp_sockets)
{
    struct eh_bound b[8];
    size_t n = table(TCP_LISTEN_65432 TCP_ESTABLISHED, TCP6_WILDCARD_7, UDP_ANY_9, NULL, b, 8);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(b[0].addr, "127.0.0.1");
    ck_assert_int_eq(b[0].port, 65432);
    ck_assert_uint_eq(b[0].ino, 1001);
    ck_assert(!b[0].v6 && !b[0].wildcard);
    ck_assert_str_eq(b[1].addr, "::");
    ck_assert(b[1].v6 && b[1].wildcard);
    ck_assert_int_eq(b[1].port, 7);
    ck_assert_int_eq(b[2].transport, EH_UDP);
    ck_assert(b[2].wildcard);
    ck_assert_uint_eq(b[2].ino, 1005);
}
END_TEST

START_TEST(test_read_decodes_ipv6_words_in_host_order)
{
    struct eh_bound b[2];
    ck_assert_uint_eq(table(NULL, TCP6_LOOPBACK_65432, NULL, NULL, b, 2), 1);
    ck_assert_str_eq(b[0].addr, "::1");
    char s[64];
    eh__bound_format(&b[0], s, sizeof(s));
    ck_assert_str_eq(s, "[::1]:65432/tcp");
}
END_TEST

START_TEST(test_read_skips_lines_that_do_not_parse)
{
    struct eh_bound b[4];
    size_t n = table("   0: 0100007F:ZZ98 00000000:0000 0A x\n"
                     "garbage\n"
                     "   1: 0100007F\n" TCP_LISTEN_65432,
                     NULL, NULL, NULL, b, 4);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(b[0].port, 65432);
}
END_TEST

START_TEST(test_read_stops_at_max)
{
    struct eh_bound b[1];
    ck_assert_uint_eq(table(TCP_LISTEN_65432, TCP6_WILDCARD_7, UDP_ANY_9, NULL, b, 1), 1);
}
END_TEST

/* ---- what is served ---- */

START_TEST(test_dual_stack_wildcard_serves_both_families)
{
    struct eh_bound b[1];
    table(NULL, TCP6_WILDCARD_7, NULL, NULL, b, 1);
    ck_assert(eh__bound_serves(&b[0], EH_TCP, EH_IPV4, 7));
    ck_assert(eh__bound_serves(&b[0], EH_TCP, EH_IPV6, 7));
    ck_assert(!eh__bound_serves(&b[0], EH_UDP, EH_IPV4, 7));
    ck_assert(!eh__bound_serves(&b[0], EH_TCP, EH_IPV4, 8));
}
END_TEST

START_TEST(test_ipv4_socket_does_not_serve_ipv6)
{
    struct eh_bound b[1];
    table(TCP_LISTEN_65432, NULL, NULL, NULL, b, 1);
    ck_assert(eh__bound_serves(&b[0], EH_TCP, EH_IPV4, 65432));
    ck_assert(!eh__bound_serves(&b[0], EH_TCP, EH_IPV6, 65432));
}
END_TEST

/* An IPv6 socket bound to an IPv4-mapped address takes IPv4 connections
 * only: a client of ::1 cannot reach it. */
START_TEST(test_ipv4_mapped_socket_serves_ipv4_only)
{
    struct eh_bound b[1];
    ck_assert_uint_eq(table(NULL, TCP6_MAPPED_65432, NULL, NULL, b, 1), 1);
    ck_assert(b[0].v6 && b[0].mapped);
    ck_assert(eh__bound_serves(&b[0], EH_TCP, EH_IPV4, 65432));
    ck_assert(!eh__bound_serves(&b[0], EH_TCP, EH_IPV6, 65432));
    char what[64];
    int other = 0;
    ck_assert_int_eq(eh__serving_judge(b, 1, EH_UDP, EH_IPV4, 65432, what, sizeof(what), &other),
                     EH_NOT_SERVED);
    ck_assert_str_eq(what, "tcp/ipv4");
}
END_TEST

/* One row of the judgement: the sockets bound, the scenario, the answer. */
struct serving_case {
    const char *name;
    const char *tcp, *tcp6, *udp;
    enum eh_transport t;
    enum eh_family fam;
    int port;
    enum eh_serving want;
    const char *what;
    int other_port;
};

static const struct serving_case SERVING[] = {
    {"the right socket serves", TCP_LISTEN_65432, NULL, NULL, EH_TCP, EH_IPV4, 65432, EH_SERVING,
     "", 0},
    {"a TCP server does not serve UDP on its port", TCP_LISTEN_65432, NULL, NULL, EH_UDP, EH_IPV4,
     65432, EH_NOT_SERVED, "tcp/ipv4", 0},
    {"an IPv4 server does not serve IPv6 on its port", TCP_LISTEN_65432, NULL, NULL, EH_TCP,
     EH_IPV6, 65432, EH_NOT_SERVED, "tcp/ipv4", 0},
    {"both families on the port are listed once each", TCP_LISTEN_65432, TCP6_LOOPBACK_65432, NULL,
     EH_UDP, EH_IPV6, 65432, EH_NOT_SERVED, "tcp/ipv4, tcp/ipv6", 0},
    {"another port is elsewhere", TCP_LISTEN_65432, NULL, NULL, EH_TCP, EH_IPV4, 40123,
     EH_ELSEWHERE, "127.0.0.1:65432/tcp", 65432},
    {"elsewhere prefers a socket of the scenario's transport", TCP_LISTEN_65432, NULL, UDP_ANY_9,
     EH_UDP, EH_IPV4, 40123, EH_ELSEWHERE, "0.0.0.0:9/udp", 9},
    {"a connected socket alone is nothing", TCP_ESTABLISHED, NULL, NULL, EH_TCP, EH_IPV4, 65432,
     EH_BOUND_NOTHING, "", 0},
    {"an empty table is nothing", NULL, NULL, NULL, EH_TCP, EH_IPV4, 65432, EH_BOUND_NOTHING, "",
     0},
};

START_TEST(test_serving_judge)
{
    const struct serving_case *c = &SERVING[_i];
    struct eh_bound b[8];
    size_t n = table(c->tcp, c->tcp6, c->udp, NULL, b, 8);
    char what[160];
    int other = 0;
    enum eh_serving got =
        eh__serving_judge(b, n, c->t, c->fam, c->port, what, sizeof(what), &other);
    ck_assert_msg(got == c->want, "%s: serving %d, want %d", c->name, got, c->want);
    if (c->want != EH_SERVING)
        ck_assert_msg(strcmp(what, c->what) == 0, "%s: what '%s', want '%s'", c->name, what,
                      c->what);
    ck_assert_msg(other == c->other_port, "%s: other port %d, want %d", c->name, other,
                  c->other_port);
}
END_TEST

/* ---- what a scenario judges ---- */

static struct eh_scenario scenario(bool server_under_test, bool client_under_test, bool steps)
{
    static struct eh_step step = {.kind = EH_STEP_CONNECT};
    struct eh_scenario sc = {.name = "x", .kind = "conformance"};
    sc.roles[EH_SERVER] = (struct eh_role){.present = true, .under_test = server_under_test};
    sc.roles[EH_CLIENT] = (struct eh_role){.present = true, .under_test = client_under_test};
    if (steps) {
        sc.roles[EH_CLIENT].steps = &step;
        sc.roles[EH_CLIENT].n_steps = 1;
    }
    return sc;
}

START_TEST(test_judges_names_the_roles_under_test)
{
    struct eh_scenario both = scenario(true, true, false), server = scenario(true, false, true),
                       client = scenario(false, true, false), none = scenario(false, false, false);
    ck_assert_str_eq(eh_judges_name(eh_scenario_judges(&both)), "server+client");
    ck_assert_str_eq(eh_judges_name(eh_scenario_judges(&server)), "server");
    ck_assert_str_eq(eh_judges_name(eh_scenario_judges(&client)), "client");
    ck_assert_str_eq(eh_judges_name(eh_scenario_judges(&none)), "reference only");
}
END_TEST

START_TEST(test_applies_only_where_a_given_command_replaces_a_judged_role)
{
    struct eh_scenario server = scenario(true, false, true), client = scenario(false, true, false),
                       none = scenario(false, false, false);
    char why[256] = "";
    ck_assert(eh_scenario_applies(&none, NULL, NULL, why, sizeof(why)));
    ck_assert(eh_scenario_applies(&server, "s", NULL, why, sizeof(why)));
    ck_assert(eh_scenario_applies(&client, NULL, "c", why, sizeof(why)));
    ck_assert(eh_scenario_applies(&client, "s", "c", why, sizeof(why)));
    ck_assert(!eh_scenario_applies(&client, "s", NULL, why, sizeof(why)));
    ck_assert_str_eq(why, "judges the client, which --server-cmd does not replace: not run");
    ck_assert(!eh_scenario_applies(&server, NULL, "c", why, sizeof(why)));
    ck_assert_str_eq(why, "judges the server, which --client-cmd does not replace: not run");
    ck_assert(!eh_scenario_applies(&none, "s", "c", why, sizeof(why)));
    ck_assert_str_eq(why,
                     "judges only the reference builds: not run with --server-cmd/--client-cmd");
}
END_TEST

static Suite *applies_suite(void)
{
    Suite *s = suite_create("applies");
    TCase *table_case = tcase_create("table");
    tcase_add_checked_fixture(table_case, setup, teardown);
    tcase_add_test(table_case, test_read_keeps_listening_tcp_and_bound_udp_sockets);
    tcase_add_test(table_case, test_read_decodes_ipv6_words_in_host_order);
    tcase_add_test(table_case, test_read_skips_lines_that_do_not_parse);
    tcase_add_test(table_case, test_read_stops_at_max);
    tcase_add_test(table_case, test_dual_stack_wildcard_serves_both_families);
    tcase_add_test(table_case, test_ipv4_socket_does_not_serve_ipv6);
    tcase_add_test(table_case, test_ipv4_mapped_socket_serves_ipv4_only);
    tcase_add_loop_test(table_case, test_serving_judge, 0, N_OF(SERVING));
    suite_add_tcase(s, table_case);
    TCase *judges = tcase_create("judges");
    tcase_add_test(judges, test_judges_names_the_roles_under_test);
    tcase_add_test(judges, test_applies_only_where_a_given_command_replaces_a_judged_role);
    suite_add_tcase(s, judges);
    return s;
}

int main(void)
{
    return eh_test_run(applies_suite(), CK_FORK_GETENV);
}
