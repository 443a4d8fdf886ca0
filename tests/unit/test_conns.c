/* test_conns.c - unit tests of conns.c: the judges of the scripted client's connections.
 *
 * Each row of CASES is an expectation (conn_echo, clients_served,
 * clients_concurrent, datagram_echo, server_fds, server_running), the
 * observation it is judged against through eh_judge() (the scripted
 * client's event log, written as JSON with single quotes, and what the
 * runner saw of the server), the verdict and a part of the reason it must
 * give: a verdict alone can be right for the wrong reason. The logs are the
 * peer's format: every call carries "conn", and a TCP connection's conn_end
 * sums up its echo (sent, received, matched, ...).
 */
#include "verdict.h"

#include "unit.h"
#include "unit_json.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the logs ---- */

#define CONNECT(n) "{'call':'connect','conn':" #n ",'ret':0,'t_us':" #n "000},"
#define REFUSED(n) "{'call':'connect','conn':" #n ",'ret':-1,'errno':'ECONNREFUSED'},"
#define END(n, reason, sent, received, matched)                                                    \
    "{'call':'conn_end','conn':" #n ",'reason':'" reason "','sent':" #sent                         \
    ",'received':" #received ",'matched':" #matched

/* One connection that got its 12 bytes back and then EOF. */
#define ONE_EXACT "[" CONNECT(1) END(1, "eof", 12, 12, 12) "}]"

/* A client k that sends at t0, gets its first echo byte at t1 and shuts down at t2 (us). */
#define TIMED(k, t0, t1, t2)                                                                       \
    CONNECT(k)                                                                                     \
    "{'call':'send','conn':" #k ",'ret':100,'t_us':" #t0 "},"                                      \
    "{'call':'recv','conn':" #k ",'ret':100,'t_us':" #t1 "},"                                      \
    "{'call':'shutdown','conn':" #k ",'ret':0,'t_us':" #t2 "}," END(k, "eof", 100, 100, 100) "},"

/* A client k that sends at t0 and gets no echo: its connection is reset at t1 (us). */
#define UNANSWERED(k, t0, t1)                                                                      \
    CONNECT(k)                                                                                     \
    "{'call':'send','conn':" #k ",'ret':100,'t_us':" #t0 "},"                                      \
    "{'call':'recv','conn':" #k ",'ret':-1,'errno':'ECONNRESET','t_us':" #t1 "},"                  \
    "{'call':'close','conn':" #k ",'ret':0,'t_us':" #t1 "}," END(k, "ECONNRESET", 100, 0, 0) "},"

#define DGRAM_OUT(k, hex, n) "{'call':'send','conn':" #k ",'ret':" #n ",'data':'" hex "'},"
#define DGRAM_IN(k, hex, n) "{'call':'recv','conn':" #k ",'ret':" #n ",'data':'" hex "'},"
#define TIMED_OUT(k) "{'call':'recv','conn':" #k ",'ret':-1,'errno':'ETIMEDOUT','timeout':true},"
#define LAST "{'call':'close','conn':1,'ret':0}]"

/* A log of 50 connects, made by fifty_connects(), for the descriptor counts. */
#define C50 "fifty"

static json_t *fifty_connects(void)
{
    json_t *log = json_array();
    for (int i = 1; i <= 50; i++)
        json_array_append_new(log,
                              json_pack("{s:s, s:i, s:i}", "call", "connect", "conn", i, "ret", 0));
    return log;
}

struct watch_setup {
    bool taken, running;
    int before, after;
    int exit_code; /* when not running */
};

struct conns_case {
    const char *name;
    struct eh_expect expect;
    const char *client_log;
    struct watch_setup watch;
    enum eh_verdict verdict;
    const char *reason_part;
};

#define CONN_ECHO .kind = EH_EXPECT_CONN_ECHO, .relation = EH_ECHO_EXACT
#define SERVED(n) .kind = EH_EXPECT_CLIENTS_SERVED, .min = n
#define CONCURRENT .kind = EH_EXPECT_CLIENTS_CONCURRENT
#define DGRAMS .kind = EH_EXPECT_DATAGRAM_ECHO
#define FDS(n) .kind = EH_EXPECT_SERVER_FDS, .max_growth = n
#define RUNNING .kind = EH_EXPECT_SERVER_RUNNING

static const struct conns_case CASES[] = {
    /* conn_echo */
    {"an exact echo then EOF passes",
     {CONN_ECHO, .eof = true},
     ONE_EXACT,
     {0},
     EH_PASS,
     "the client got all of its 12 bytes back, then EOF"},
    {"no EOF after the whole echo names the wait",
     {CONN_ECHO, .eof = true},
     "[" CONNECT(1) "{'call':'recv','conn':1,'ret':-1,'errno':'ETIMEDOUT','timeout':true,"
                    "'elapsed_us':2000400}," END(1, "timeout", 12, 12, 12) "}]",
     {0},
     EH_FAIL,
     "the client got its whole echo (12 bytes) but no EOF in 2000 ms after it shut down its "
     "sending side: the server must close the connection once it has read the client's EOF"},
    {"a changed byte names the offset and both bytes",
     {CONN_ECHO},
     "[" CONNECT(1) END(1, "eof", 529, 529, 0) ",'expected':0,'got':32,'resumes_at':32}]",
     {0},
     EH_FAIL,
     "the echo of the client differs at offset 0: expected 0x00, got 0x20 ' ' (RFC 862"},
    {"bytes skipped are lost data",
     {CONN_ECHO},
     "[" CONNECT(1) END(1, "eof", 1000, 900, 100) ",'expected':1,'got':2,'resumes_at':200}]",
     {0},
     EH_FAIL,
     "the echo of the client skips 100 bytes at offset 100 (it goes on with the bytes sent at "
     "offset 200): the server lost data"},
    {"another connection's bytes are named, whichever connection comes first",
     {CONN_ECHO},
     "[" CONNECT(1) CONNECT(2) END(1, "eof", 100, 0, 0) "}," END(
         2, "eof", 100, 300, 0) ",'expected':5,'got':6,'from_conn':1,'from_offset':0}]",
     {0},
     EH_FAIL,
     "client 2 of 2 got another client's bytes: from offset 0 of its echo came client 1's bytes "
     "(its offset 0): the server sends data back on the wrong connection"},
    {"an echo cut short by the server's close",
     {CONN_ECHO},
     "[" CONNECT(1) END(1, "eof", 40, 13, 13) "}]",
     {0},
     EH_FAIL,
     "the client got 13 of 40 bytes back, then the server closed the connection (EOF) before the "
     "rest: the server must echo every byte until the client closes (RFC 862: the echo continues "
     "until the calling user terminates the connection)"},
    {"an echo cut short by a close after the client's shutdown: data lost",
     {CONN_ECHO, .eof = true},
     "[" CONNECT(1) "{'call':'shutdown','conn':1,'how':'SHUT_WR','ret':0,'t_us':84000}," END(
         1, "eof", 1000, 400, 400) ",'t_us':2074000}]",
     {0},
     EH_FAIL,
     "the client got 400 of 1000 bytes back, then the server closed the connection (EOF) before "
     "the rest, though the client had sent all 1000 and shut down its sending side first: the "
     "server lost the 600 bytes it did not send back"},
    {"an echo held back until more came: a read timed out, the rest came later",
     {CONN_ECHO},
     "[" CONNECT(1) "{'call':'recv','conn':1,'ret':-1,'errno':'ETIMEDOUT','timeout':true,"
                    "'elapsed_us':2002481},{'call':'recv','conn':1,'ret':64},"
                    "{'call':'recv','conn':1,'ret':0}," END(1, "timeout", 64, 64, 64) "}]",
     {0},
     EH_FAIL,
     "the client got its whole echo (64 bytes) only after a read of it had waited 2002 ms in "
     "vain: the server held back bytes it had received until more came"},
    {"a read that timed out after the whole echo came is no held-back echo",
     {CONN_ECHO},
     "[" CONNECT(1) "{'call':'recv','conn':1,'ret':12},{'call':'recv','conn':1,'ret':-1,"
                    "'errno':'ETIMEDOUT','timeout':true,'elapsed_us':1000000}," END(
                        1, "timeout", 12, 12, 12) "}]",
     {0},
     EH_PASS,
     "the client got all of its 12 bytes back"},
    {"an echo that stopped names the wait",
     {CONN_ECHO},
     "[" CONNECT(1) "{'call':'recv','conn':1,'ret':-1,'errno':'ETIMEDOUT','timeout':true,"
                    "'elapsed_us':1500000}," END(1, "timeout", 40, 1, 1) "}]",
     {0},
     EH_FAIL,
     "the client got 1 of 40 bytes back and nothing more in 1500 ms: the server stopped echoing"},
    {"no echo at all is not an echo that stopped",
     {CONN_ECHO},
     "[" CONNECT(1) "{'call':'recv','conn':1,'ret':-1,'errno':'ETIMEDOUT','timeout':true,"
                    "'elapsed_us':1500000}," END(1, "timeout", 40, 0, 0) "}]",
     {0},
     EH_FAIL,
     "the client got no echo (0 of 40 bytes) in 1500 ms of waiting: the server did not echo"},
    {"an echo longer than what was sent names the bytes the server added",
     {CONN_ECHO},
     "[" CONNECT(1) END(1, "eof", 12, 13, 12) "}]",
     {0},
     EH_FAIL,
     "the client got 13 bytes back for 12 sent: the server added 1 byte of its own, from offset "
     "12 on"},
    {"a prefix passes the prefix relation",
     {.kind = EH_EXPECT_CONN_ECHO, .relation = EH_ECHO_PREFIX},
     "[" CONNECT(1) END(1, "done", 40, 13, 13) "}]",
     {0},
     EH_PASS,
     "the client got a prefix of its 40 bytes back"},
    {"one connection judged: it could not connect",
     {CONN_ECHO, .conn = 3},
     "[" CONNECT(1) END(1, "ECONNRESET", 10, 0, 0) "}," REFUSED(2) REFUSED(3) LAST,
     {0},
     EH_FAIL,
     "client 3 of 3 could not connect (ECONNREFUSED): the server no longer accepted connections"},
    {"the connection judged is not there",
     {CONN_ECHO, .conn = 4},
     "[" CONNECT(1) CONNECT(2) LAST,
     {0},
     EH_FAIL,
     "expected a connection 4, got 2 connections"},
    {"a client that sent nothing is no echo",
     {CONN_ECHO},
     "[" CONNECT(1) END(1, "done", 0, 0, 0) "}]",
     {0},
     EH_FAIL,
     "got a client that sent nothing to echo"},
    {"every client exact, the same size",
     {CONN_ECHO},
     "[" CONNECT(1) CONNECT(2) END(1, "eof", 7, 7, 7) "}," END(2, "eof", 7, 7, 7) "}]",
     {0},
     EH_PASS,
     "each of the 2 clients got exactly all of its own bytes back (7 bytes each)"},
    /* clients_served */
    {"every client served",
     {SERVED(2)},
     "[" CONNECT(1) CONNECT(2) END(1, "done", 7, 7, 7) "}," END(2, "done", 7, 7, 7) "}]",
     {0},
     EH_PASS,
     "every one of the 2 clients got its whole echo back"},
    {"refused from the second client on",
     {SERVED(3)},
     "[" CONNECT(1) END(1, "done", 7, 7, 7) "}," REFUSED(2) REFUSED(3) LAST,
     {0},
     EH_FAIL,
     "expected every client served (its whole echo back), got 1 of 3: from client 2 on none "
     "could connect (ECONNREFUSED): the server stopped serving after client 1"},
    {"one reset, then refused",
     {SERVED(3)},
     "[" CONNECT(1) END(1, "done", 7, 7, 7) "}," CONNECT(2)
         END(2, "ECONNRESET", 7, 0, 0) "}," REFUSED(3) LAST,
     {0},
     EH_FAIL,
     "got 1 of 3: client 2 of 3 got no echo (0 of 7 bytes), then the connection failed with "
     "ECONNRESET"},
    {"fewer clients than asked",
     {SERVED(50)},
     "[" CONNECT(1) END(1, "done", 7, 7, 7) "}]",
     {0},
     EH_FAIL,
     "expected at least 50 clients, got 1 attempted"},
    /* clients_concurrent */
    {"each first echo before any close",
     {CONCURRENT},
     "[" TIMED(1, 10000, 11000, 300000) TIMED(2, 10500, 11600, 300500) LAST,
     {0},
     EH_PASS,
     "each of the 2 clients got its first echo byte before any other client closed (at most 1 ms "
     "after it first sent)"},
    {"an echo only after another client closed",
     {CONCURRENT},
     "[" TIMED(1, 10000, 11000, 300000) TIMED(2, 10500, 301000, 400000) LAST,
     {0},
     EH_FAIL,
     "client 2 of 2 got no echo until client 1 closed (its first echo byte came 290 ms after it "
     "first sent, 1 ms after client 1 closed): the server handles one client at a time"},
    {"no echo at all for a client that sent while another was open",
     {CONCURRENT},
     "[" TIMED(1, 10000, 11000, 300000) UNANSWERED(2, 10500, 301000) LAST,
     {0},
     EH_FAIL,
     "client 2 of 2 sent while client 1 was open and never got an echo (none before client 1 "
     "closed, none after): the server did not echo to one client while another was open"},
    {"clients one after another are not concurrent",
     {CONCURRENT},
     "[" TIMED(1, 10000, 11000, 20000) TIMED(2, 30000, 31000, 40000) LAST,
     {0},
     EH_FAIL,
     "expected clients open at the same time, got 2 one after another"},
    /* datagram_echo */
    {"every datagram answered whole",
     {DGRAMS},
     "[" CONNECT(1) DGRAM_OUT(1, "aa", 1) DGRAM_IN(1, "aa", 1) DGRAM_OUT(1, "bbccdd", 3)
         DGRAM_IN(1, "bbccdd", 3) TIMED_OUT(1) LAST,
     {0},
     EH_PASS,
     "each of the 2 datagrams came back whole in a reply of its own (1 to 3 bytes)"},
    {"a cut datagram",
     {DGRAMS},
     "[" CONNECT(1) DGRAM_OUT(1, "aabbccdd", 4) DGRAM_IN(1, "aabb", 2) LAST,
     {0},
     EH_FAIL,
     "datagram 1 (4 bytes) came back as 2 bytes: the server cuts datagrams"},
    {"joined datagrams",
     {DGRAMS},
     "[" CONNECT(1) DGRAM_OUT(1, "aa", 1) DGRAM_OUT(1, "bbcc", 2) DGRAM_IN(1, "aabbcc", 3) LAST,
     {0},
     EH_FAIL,
     "datagrams 1 to 2 (1, 2 bytes) came back as one datagram of 3 bytes: the server merges "
     "datagrams (RFC 862: when a datagram is received, the data from it is sent back in an "
     "answering datagram)"},
    {"a split datagram",
     {DGRAMS},
     "[" CONNECT(1) DGRAM_OUT(1, "aabbcc", 3) DGRAM_IN(1, "aa", 1) DGRAM_IN(1, "bbcc", 2) LAST,
     {0},
     EH_FAIL,
     "datagram 1 (3 bytes) came back as 2 datagrams: the server splits datagrams"},
    {"an empty datagram that stopped the server",
     {DGRAMS},
     "[" CONNECT(1) DGRAM_OUT(1, "", 0) TIMED_OUT(1) DGRAM_OUT(1, "aa", 1) TIMED_OUT(1) LAST,
     {0},
     EH_FAIL,
     "the zero-length datagram 1 got no reply, and no datagram after it did: an empty datagram "
     "stopped the server"},
    {"an empty datagram ignored",
     {DGRAMS},
     "[" CONNECT(1) DGRAM_OUT(1, "", 0) DGRAM_OUT(1, "aa", 1) DGRAM_IN(1, "aa", 1) LAST,
     {0},
     EH_FAIL,
     "the zero-length datagram 1 got no reply: the server ignores empty datagrams"},
    {"an empty reply to an empty datagram",
     {DGRAMS},
     "[" CONNECT(1) DGRAM_OUT(1, "", 0) DGRAM_IN(1, "", 0) LAST,
     {0},
     EH_PASS,
     "each of the 1 datagrams came back whole in a reply of its own (0 to 0 bytes)"},
    {"another client's datagram, named before a lost one",
     {DGRAMS},
     "[" CONNECT(1) CONNECT(2) DGRAM_OUT(1, "aa", 1) DGRAM_OUT(2, "bb", 1) DGRAM_IN(2, "aa", 1)
         LAST,
     {0},
     EH_FAIL,
     "reply 1 to client 2 is datagram 1 of client 1: the server answers the wrong client"},
    {"joined with other clients' datagrams",
     {DGRAMS},
     "[" CONNECT(1) CONNECT(2) DGRAM_OUT(1, "aaaa", 2) DGRAM_OUT(2, "bbbb", 2)
         DGRAM_IN(1, "aaaabbbb", 4) LAST,
     {0},
     EH_FAIL,
     "datagram 1 of client 1 (2 bytes) came back joined with 1 datagram of other clients, as one "
     "datagram of 4 bytes: the server merges datagrams and answers one client with another's "
     "data"},
    {"a reply too many",
     {DGRAMS},
     "[" CONNECT(1) DGRAM_OUT(1, "aa", 1) DGRAM_IN(1, "aa", 1) DGRAM_IN(1, "aa", 1) LAST,
     {0},
     EH_FAIL,
     "reply 2 answers datagram 1 again: the server sent two replies for one datagram"},
    {"a reply for nothing sent",
     {DGRAMS},
     "[" CONNECT(1) DGRAM_OUT(1, "aa", 1) DGRAM_IN(1, "aa", 1) DGRAM_IN(1, "cc", 1) LAST,
     {0},
     EH_FAIL,
     "reply 2 (1 byte) answers no datagram: more replies than datagrams"},
    {"replies in another order are each their datagram's",
     {DGRAMS},
     "[" CONNECT(1) DGRAM_OUT(1, "aa", 1) DGRAM_OUT(1, "bbcc", 2) DGRAM_IN(1, "bbcc", 2)
         DGRAM_IN(1, "aa", 1) LAST,
     {0},
     EH_PASS,
     "each of the 2 datagrams came back whole in a reply of its own"},
    {"a changed datagram",
     {DGRAMS},
     "[" CONNECT(1) DGRAM_OUT(1, "48", 1) DGRAM_IN(1, "68", 1) LAST,
     {0},
     EH_FAIL,
     "reply 1 differs from datagram 1 at offset 0: expected 0x48 'H', got 0x68 'h'"},
    {"data not in the log",
     {DGRAMS},
     "[" CONNECT(1) "{'call':'send','conn':1,'ret':4,'data_truncated':true}," LAST,
     {0},
     EH_ERROR,
     "got their data cut short"},
    /* server_fds, server_running */
    {"descriptors that grow with the clients",
     {FDS(4)},
     C50,
     {true, true, 5, 55, 0},
     EH_FAIL,
     "the server's open descriptors went from 5 to 55 over 50 clients (at most 4 more allowed): "
     "it does not close finished connections"},
    {"descriptors that stay",
     {FDS(4)},
     C50,
     {true, true, 5, 6, 0},
     EH_PASS,
     "the server's open descriptors went from 5 to 6 over 50 clients (at most 4 more allowed)"},
    {"descriptors not read",
     {FDS(4)},
     C50,
     {true, false, 5, -1, 0},
     EH_ERROR,
     "expected the server's open descriptors, got none read: the server had exited"},
    {"a server that ended",
     {RUNNING},
     C50,
     {true, false, 5, -1, 1},
     EH_FAIL,
     "expected the server still running when the client side finished, got it ended before (exit "
     "code 1): a server goes on serving after each client"},
    {"a server still running",
     {RUNNING},
     C50,
     {true, true, 5, 5, 0},
     EH_PASS,
     "the server was still running when the client side finished"},
    {"no look taken",
     {RUNNING},
     C50,
     {false, false, -1, -1, 0},
     EH_ERROR,
     "expected a look at the server process, got none taken"},
};

START_TEST(test_conns_case)
{
    const struct conns_case *k = &CASES[_i];
    struct eh_observation o = {0};
    o.roles[EH_CLIENT] = (struct eh_proc_obs){
        .present = true, .instrumented = true, .started = true, .exited = true};
    o.roles[EH_CLIENT].events =
        strcmp(k->client_log, C50) == 0 ? fifty_connects() : J(k->client_log);
    o.roles[EH_SERVER] = (struct eh_proc_obs){.present = true,
                                              .started = true,
                                              .exited = !k->watch.running,
                                              .exit_code = k->watch.exit_code,
                                              .stopped_by_harness = k->watch.running};
    o.server = (struct eh_server_watch){.taken = k->watch.taken,
                                        .running = k->watch.running,
                                        .fds_before = k->watch.before,
                                        .fds_after = k->watch.after};
    if (!k->watch.running)
        snprintf(o.server.why, sizeof(o.server.why), "the server had exited");
    struct eh_check c;
    eh_judge(&k->expect, &o, &c);
    ck_assert_msg(c.verdict == k->verdict, "row %d \"%s\": expected %s, got %s: %s", _i, k->name,
                  eh_verdict_name(k->verdict), eh_verdict_name(c.verdict), c.reason);
    ck_assert_msg(strstr(c.reason, k->reason_part) != NULL,
                  "row %d \"%s\": expected a reason containing\n  %s\ngot\n  %s", _i, k->name,
                  k->reason_part, c.reason);
    json_decref(c.evidence);
    eh_observation_clear(&o);
}
END_TEST

START_TEST(test_conns_kinds_without_a_client_log_are_skipped)
{
    struct eh_observation o = {0};
    o.roles[EH_CLIENT] = (struct eh_proc_obs){.present = true, .started = true, .exited = true};
    struct eh_expect e = {.kind = EH_EXPECT_CONN_ECHO, .relation = EH_ECHO_EXACT};
    struct eh_check c;
    eh_judge(&e, &o, &c);
    ck_assert_int_eq(c.verdict, EH_SKIP);
    ck_assert_ptr_nonnull(strstr(c.reason, "the client is under test and keeps no event log"));
    json_decref(c.evidence);
}
END_TEST

static Suite *conns_suite(void)
{
    Suite *s = suite_create("conns");
    TCase *tc = tcase_create("judge");
    tcase_add_loop_test(tc, test_conns_case, 0, (int)N_OF(CASES));
    tcase_add_test(tc, test_conns_kinds_without_a_client_log_are_skipped);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(conns_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
