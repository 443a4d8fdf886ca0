/* test_verdict.c - unit tests of verdict.c: expectations against observations.
 *
 * Most of eh_judge()'s tests are rows of one table, JUDGE_CASES: an
 * expectation, the observation it is judged against (each role's exit and
 * event log, written as JSON with single quotes; for the wire kinds, flows
 * built from decoded packets or a golden capture), the verdict and the
 * reason it must give, exactly or in part, and optionally facts the evidence
 * must hold. Every row checks its reason: a verdict alone can be right for
 * the wrong reason. Each row is one loop test named by its index, and its
 * failure message names the row. The matcher (eh_event_matches) and
 * eh_combine() have small tables of their own; the helpers of another shape
 * (eh_events_stream, eh_evlog_read, eh_observation_clear) are plain tests.
 */
#include "verdict.h"

#include "analyze.h"
#include "unit.h"
#include "unit_json.h"

#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* True if `got` holds everything `want` says: an object each of want's keys
 * (with a value that holds in turn; more keys are allowed), an array as many
 * elements, each holding want's element, any other value an equal one. */
static bool holds(const json_t *got, const json_t *want)
{
    if (json_is_object(want)) {
        const char *key;
        const json_t *value;
        if (!json_is_object(got))
            return false;
        json_object_foreach((json_t *)want, key,
                            value) if (!holds(json_object_get(got, key), value)) return false;
        return true;
    }
    if (json_is_array(want)) {
        if (!json_is_array(got) || json_array_size(got) != json_array_size(want))
            return false;
        for (size_t i = 0; i < json_array_size(want); i++)
            if (!holds(json_array_get(got, i), json_array_get(want, i)))
                return false;
        return true;
    }
    return got != NULL && json_equal(got, want);
}

static char *EPIPE_ONLY[] = {"EPIPE"};
static char *EPIPE_OR_RESET[] = {"EPIPE", "ECONNRESET"};
static char *CONN_END_REASONS[] = {"eof", "EPIPE", "ECONNRESET"};
static char *EWOULDBLOCK_ONLY[] = {"EWOULDBLOCK"};
static char *EINPROGRESS_ONLY[] = {"EINPROGRESS"};
static char *EADDRINUSE_ONLY[] = {"EADDRINUSE"};

/* recv 0 (EOF), then a send that succeeds, then one that fails with EPIPE. */
static struct eh_match EOF_SEND_EPIPE[] = {
    {.call = "recv", .has_ret = true, .ret = 0},
    {.call = "send", .has_ret_min = true, .ret_min = 1},
    {.call = "send", .errnos = EPIPE_ONLY, .n_errnos = 1},
};

/* accept, then a recv that returns data after waiting about 300 ms. */
static struct eh_match ACCEPT_RECV_300MS[] = {
    {.call = "accept", .has_ret_min = true, .ret_min = 0},
    {.call = "recv",
     .has_ret_min = true,
     .ret_min = 1,
     .has_elapsed = true,
     .elapsed_near_ms = 300,
     .elapsed_tolerance_ms = 100},
};

/* ---- the observations: roles ---- */

/* One role as a row sets it up. All zero: a reference build that wrote an
 * empty event log and exited with code 0. */
struct role_setup {
    const char *log;         /* its event log, JSON with ' for "; NULL: [] */
    bool absent;             /* not in this scenario */
    bool never_started;      /* spawn failed */
    bool under_test;         /* no event log */
    bool stopped_by_harness; /* still running at teardown */
    int exit_code;           /* the code it exited with */
    int signal;              /* killed by this signal instead of exiting */
    int64_t runtime_ms;      /* from its start to its end */
};

/* Both roles under test: judged from the wire alone. */
#define NO_LOGS .server = {.under_test = true}, .client = {.under_test = true}

static struct eh_proc_obs role_obs(const struct role_setup *r)
{
    struct eh_proc_obs p = {.present = !r->absent,
                            .instrumented = !r->under_test,
                            .started = !r->never_started,
                            .exited = r->signal == 0 && !r->stopped_by_harness,
                            .exit_code = r->exit_code,
                            .term_signal = r->signal,
                            .stopped_by_harness = r->stopped_by_harness,
                            .runtime_us = r->runtime_ms * 1000};
    if (!p.exited)
        p.exit_code = -1;
    p.events = r->log ? J(r->log) : json_array();
    return p;
}

/* A server's log of the broken pipe: EOF, a send that succeeds, one that
 * fails with EPIPE. */
#define BROKEN_PIPE_LOG                                                                            \
    "[{'call':'recv','fd':4,'ret':12,'data':'48656c6c6f2c20776f726c64'},"                          \
    " {'call':'recv','fd':4,'ret':0},"                                                             \
    " {'call':'send','fd':4,'ret':1024},"                                                          \
    " {'call':'send','fd':4,'ret':-1,'errno':'EPIPE'},"                                            \
    " {'call':'conn_end','fd':4,'reason':'EPIPE'},"                                                \
    " {'call':'close','fd':4,'ret':0}]"

/* "Hello, world" */
#define SENT_HELLO "{'call':'send','ret':12,'data':'48656c6c6f2c20776f726c64'}"

#define RECV_1 "{'call':'recv','ret':1},"
#define RECV_1_X5 RECV_1 RECV_1 RECV_1 RECV_1 RECV_1

/* The client 127.0.0.1:40312 connected to the server 127.0.0.1:65432. */
#define CONNECT_40312                                                                              \
    "[{'call':'connect','ret':0,'laddr':'127.0.0.1:40312','raddr':'127.0.0.1:65432'}]"
#define ACCEPT_40312                                                                               \
    "[{'call':'accept','ret':4,'laddr':'127.0.0.1:65432','raddr':'127.0.0.1:40312'}]"

/* ---- the observations: the wire ---- */

/* A capture: flows built here, or the analysis of a golden capture. */
struct wire {
    struct eh_flows *flows;
    struct eh_analysis *analysis;
};

/* Packets between client 127.0.0.1:cport and server 127.0.0.1:65432, built
 * as decoded structs as in test_flow.c. */
#define CPORT 40312
static int64_t wire_us;

static void pkt_ports(struct eh_flows *f, uint16_t sport, uint16_t dport, uint8_t proto,
                      uint32_t seq, uint32_t ack, uint8_t flags, const char *data)
{
    struct eh_pkt p;
    memset(&p, 0, sizeof(p));
    p.time_us = wire_us += 100;
    p.family = 4;
    p.proto = proto;
    p.src[0] = p.dst[0] = 127;
    p.src[3] = p.dst[3] = 1;
    p.sport = sport;
    p.dport = dport;
    p.seq = seq;
    p.ack = ack;
    p.flags = flags;
    p.payload = (const uint8_t *)data;
    p.payload_cap = p.payload_len = data ? (uint32_t)strlen(data) : 0;
    p.frame_len = 54 + p.payload_len;
    eh_flows_add(f, &p);
}

/* One packet between 127.0.0.1:cport (the client) and 127.0.0.1:65432. */
static void pkt(struct eh_flows *f, uint16_t cport, bool from_client, uint8_t proto, uint32_t seq,
                uint32_t ack, uint8_t flags, const char *data)
{
    pkt_ports(f, from_client ? cport : 65432, from_client ? 65432 : cport, proto, seq, ack, flags,
              data);
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
static void basic_echo(struct wire *w, uint16_t cport, const char *echoed)
{
    w->flows = eh_flows_new();
    tcp_conn(w->flows, cport, "Hello, world", echoed, "Ff");
}

static void w_echoed(struct wire *w)
{
    basic_echo(w, CPORT, "Hello, world");
}

static void w_upper_cased(struct wire *w)
{
    basic_echo(w, CPORT, "HELLO, WORLD");
}

static void w_silent_server(struct wire *w)
{
    basic_echo(w, CPORT, "");
}

static void w_three_bytes_back(struct wire *w)
{
    basic_echo(w, CPORT, "Hel");
}

static void w_fixed_port_1234(struct wire *w)
{
    basic_echo(w, 1234, "Hello, world");
}

static void w_nothing(struct wire *w)
{
    w->flows = eh_flows_new();
}

/* Client "Hi", server "H" and "i" in two 1-byte segments. */
static void w_one_byte_segments(struct wire *w)
{
    w_nothing(w);
    tcp_conn(w->flows, CPORT, "Hi", "H", "");
    pkt(w->flows, CPORT, S, IPPROTO_TCP, 5002, 1003, PA, "i");
}

/* C:F. S:P.1 C:R: data after the client's close, answered with RST. */
static void w_data_after_close(struct wire *w)
{
    w_nothing(w);
    tcp_conn(w->flows, CPORT, "Hello, world", "Hello, world", "FdR");
}

/* The client got "H", closed, and answered the late "x" with RST. */
static void w_client_read_once(struct wire *w)
{
    w_nothing(w);
    tcp_conn(w->flows, CPORT, "Hello, world", "H", "FdR");
}

/* The client reset the connection with "He" arrived (no FIN first). */
static void w_client_aborted(struct wire *w)
{
    w_nothing(w);
    tcp_conn(w->flows, CPORT, "Hello, world", "He", "R");
}

static void w_client_aborts_after_echo(struct wire *w)
{
    w_nothing(w);
    tcp_conn(w->flows, CPORT, "Hello, world", "Hello, world", "R");
}

static void w_server_closes_first(struct wire *w)
{
    w_nothing(w);
    tcp_conn(w->flows, CPORT, "Hello, world", "Hello, world", "fF");
}

/* The server ends with RST and no FIN: an abortive close. */
static void w_server_aborts(struct wire *w)
{
    w_nothing(w);
    tcp_conn(w->flows, CPORT, "Hello, world", "Hello, world", "Fr");
}

/* The server resets a connection it never sent on: one left in its listen
 * queue when it exited. */
static void w_server_aborts_silent(struct wire *w)
{
    w_nothing(w);
    tcp_conn(w->flows, CPORT, "Hello, world", "", "r");
}

/* Only the client's FIN: the server never closed. */
static void w_server_never_closes(struct wire *w)
{
    w_nothing(w);
    tcp_conn(w->flows, CPORT, "Hello, world", "Hello, world", "F");
}

/* The client aborts with RST before any FIN. */
static void w_client_aborts(struct wire *w)
{
    w_nothing(w);
    tcp_conn(w->flows, CPORT, "Hello, world", "Hello, world", "R");
}

/* The server sends back more than it got. */
static void w_extra_echo(struct wire *w)
{
    basic_echo(w, CPORT, "Hello, world!!");
}

static void w_two_connections(struct wire *w)
{
    w_nothing(w);
    tcp_conn(w->flows, CPORT, "a", "a", "Ff");
    tcp_conn(w->flows, CPORT + 2, "b", "b", "Ff");
}

/* One SYN left unanswered (C:S, C:S retransmitted) and one refused (C:S S:R.). */
static void w_unanswered_and_refused(struct wire *w)
{
    w_nothing(w);
    pkt(w->flows, 40320, C, IPPROTO_TCP, 7000, 0, EH_TCP_SYN, NULL);
    pkt(w->flows, 40320, C, IPPROTO_TCP, 7000, 0, EH_TCP_SYN, NULL);
    pkt(w->flows, 40322, C, IPPROTO_TCP, 8000, 0, EH_TCP_SYN, NULL);
    pkt(w->flows, 40322, S, IPPROTO_TCP, 0, 8001, EH_TCP_RST | EH_TCP_ACK, NULL);
}

/* UDP: "abc" answered "abc", "de" answered "dE". */
static void w_udp_second_reply_differs(struct wire *w)
{
    w_nothing(w);
    pkt(w->flows, CPORT, C, IPPROTO_UDP, 0, 0, 0, "abc");
    pkt(w->flows, CPORT, S, IPPROTO_UDP, 0, 0, 0, "abc");
    pkt(w->flows, CPORT, C, IPPROTO_UDP, 0, 0, 0, "de");
    pkt(w->flows, CPORT, S, IPPROTO_UDP, 0, 0, 0, "dE");
}

/* UDP: "abc" and "de" to port 65432, answered from port 39272. */
static void w_udp_replies_from_another_port(struct wire *w)
{
    w_nothing(w);
    pkt(w->flows, CPORT, C, IPPROTO_UDP, 0, 0, 0, "abc");
    pkt_ports(w->flows, 39272, CPORT, IPPROTO_UDP, 0, 0, 0, "abc");
    pkt(w->flows, CPORT, C, IPPROTO_UDP, 0, 0, 0, "de");
    pkt_ports(w->flows, 39272, CPORT, IPPROTO_UDP, 0, 0, 0, "de");
}

/* UDP: "abc" out, no reply. */
static void w_udp_no_reply(struct wire *w)
{
    w_nothing(w);
    pkt(w->flows, CPORT, C, IPPROTO_UDP, 0, 0, 0, "abc");
}

/* UDP: "a" and "bb" out, then both back. */
static void w_udp_pairs(struct wire *w)
{
    w_nothing(w);
    pkt(w->flows, CPORT, C, IPPROTO_UDP, 0, 0, 0, "a");
    pkt(w->flows, CPORT, C, IPPROTO_UDP, 0, 0, 0, "bb");
    pkt(w->flows, CPORT, S, IPPROTO_UDP, 0, 0, 0, "a");
    pkt(w->flows, CPORT, S, IPPROTO_UDP, 0, 0, 0, "bb");
}

static void w_udp_short_reply(struct wire *w)
{
    w_nothing(w);
    pkt(w->flows, CPORT, C, IPPROTO_UDP, 0, 0, 0, "abc");
    pkt(w->flows, CPORT, S, IPPROTO_UDP, 0, 0, 0, "ab");
}

static void w_udp_unanswered(struct wire *w)
{
    w_nothing(w);
    pkt(w->flows, CPORT, C, IPPROTO_UDP, 0, 0, 0, "a");
    pkt(w->flows, CPORT, S, IPPROTO_UDP, 0, 0, 0, "a");
    pkt(w->flows, CPORT, C, IPPROTO_UDP, 0, 0, 0, "b");
}

/* The real recv(1) capture (tests/data/real-recv1-rst): 1-byte server
 * segments, a prefix echo, and C:F. S:P.1 C:R. */
static void w_real_recv1(struct wire *w)
{
    char path[1024];
    const char *src = getenv("EH_SOURCE_DIR");
    snprintf(path, sizeof(path), "%s/tests/data/real-recv1-rst/input.pcap", src ? src : ".");
    struct eh_error err = {0};
    ck_assert_msg(eh_analyze_file(path, &w->analysis, &err) == EH_OK, "%s", err.msg);
}

static const struct eh_flows *wire_flows(const struct wire *w)
{
    if (w->analysis != NULL)
        return eh_analysis_flows(w->analysis);
    if (w->flows != NULL)
        eh_flows_finish(w->flows);
    return w->flows;
}

static void wire_free(struct wire *w)
{
    eh_flows_free(w->flows);
    eh_analysis_free(w->analysis);
}

/* ---- extra checks of the evidence ---- */

/* At most three matched events are kept, without their data; the
 * observation's own events keep theirs. */
static void matched_events_lose_their_data(const struct eh_check *c, const struct eh_observation *o)
{
    json_t *matched = json_object_get(c->evidence, "matched");
    ck_assert_int_eq(json_array_size(matched), 3);
    ck_assert_ptr_null(json_object_get(json_array_get(matched, 0), "data"));
    ck_assert_ptr_nonnull(json_object_get(json_array_get(o->roles[EH_SERVER].events, 0), "data"));
}

/* ---- eh_judge(): the table ---- */

struct judge_case {
    const char *name;
    struct eh_expect expect;
    struct role_setup server, client;
    bool no_port_range;          /* port_lo = port_hi = 0: the range could not be read */
    void (*wire)(struct wire *); /* builds the capture; NULL: no capture */
    enum eh_verdict verdict;
    const char *reason;      /* the whole reason, or */
    const char *reason_part; /* a part of it */
    const char *evidence;    /* JSON (' for "): what the evidence must hold (see holds()) */
    bool no_evidence;        /* the check keeps no evidence */
    void (*extra)(const struct eh_check *c, const struct eh_observation *o);
};

/* The expectations most rows use, as designators: .expect = {EXIT0}. */
#define EXIT0 .kind = EH_EXPECT_EXIT, .who = EH_SERVER, .codes = {0}, .n_codes = 1
#define SURVIVED .kind = EH_EXPECT_SURVIVED, .who = EH_SERVER
#define CLIENT_PORT .kind = EH_EXPECT_CLIENT_PORT, .who = EH_CLIENT
#define MIRROR .kind = EH_EXPECT_MIRROR
#define SEQUENCE(role) .kind = EH_EXPECT_SEQUENCE, .who = role, .seq = EOF_SEND_EPIPE, .n_seq = 3
#define ECHO(rel) .kind = EH_EXPECT_ECHO, .who = EH_CLIENT, .relation = rel
#define WIRE_ECHO(rel) .kind = EH_EXPECT_WIRE_ECHO, .relation = rel
#define WIRE_PORT .kind = EH_EXPECT_WIRE_CLIENT_PORT
#define WIRE_SEG1 .kind = EH_EXPECT_WIRE_SEGMENTS, .who = EH_SERVER, .max_payload = 1
#define WIRE_CLOSE_GRACEFUL                                                                        \
    .kind = EH_EXPECT_WIRE_CLOSE, .close_classes = 1u << EH_CLOSE_GRACEFUL,                        \
    .has_first_close_by = true, .first_close_by = EH_CLIENT
#define WIRE_CLOSE_RESET                                                                           \
    .kind = EH_EXPECT_WIRE_CLOSE, .close_classes = 1u << EH_CLOSE_CLIENT_RESET,                    \
    .has_first_close_by = true, .first_close_by = EH_CLIENT, .has_data_after_close = true,         \
    .data_after_close = true
#define WIRE_ONE .kind = EH_EXPECT_WIRE_CONNECTIONS, .min = 1, .max = 1
#define WIRE_UDP .kind = EH_EXPECT_WIRE_UDP, .transport = EH_UDP

#define ENDS(a, st)                                                                                \
    .kind = EH_EXPECT_CLIENT_ENDS, .who = EH_CLIENT, .after = a, .status = st, .within_ms = 1000
#define READY_40000 "[{'call':'ready','fd':3,'laddr':'127.0.0.1:40000'}]"

#define UNDER_TEST_REASON(role)                                                                    \
    "not judged from a log: the " role " is under test and keeps no event log; the wire_* checks " \
    "judge it from the capture"

static const struct judge_case JUDGE_CASES[] = {
    /* exit */
    {.name = "exit code in the set passes",
     .expect = {EXIT0},
     .verdict = EH_PASS,
     .reason = "the server exited with code 0, as this scenario expects (expected exit code "
               "in {0}, got exit code 0)",
     .evidence = "{'exit_code':0}"},
    {.name = "exit: killed by a signal fails naming the signal",
     .expect = {EXIT0},
     .server = {.signal = SIGPIPE},
     .verdict = EH_FAIL,
     .reason = "the server was killed by SIGPIPE: it wrote to a connection the client had "
               "closed; ignore SIGPIPE or use MSG_NOSIGNAL and treat EPIPE as the end of that "
               "connection (expected exit code in {0}, got killed by SIGPIPE (signal 13))",
     .evidence = "{'signal':'SIGPIPE'}"},
    {.name = "exit code or signal accepts the signal",
     .expect = {.kind = EH_EXPECT_EXIT,
                .who = EH_SERVER,
                .codes = {0},
                .n_codes = 1,
                .signals = {SIGPIPE},
                .n_signals = 1},
     .server = {.signal = SIGPIPE},
     .verdict = EH_PASS,
     .reason = "the server was killed by SIGPIPE, as this scenario expects (expected exit "
               "code in {0} or killed by a signal in {SIGPIPE}, got killed by SIGPIPE (signal "
               "13))"},
    {.name = "exit: a crash is called one",
     .expect = {EXIT0},
     .server = {.signal = SIGSEGV},
     .verdict = EH_FAIL,
     .reason = "the server crashed (killed by SIGSEGV), which this scenario does not allow "
               "(expected exit code in {0}, got killed by SIGSEGV (signal 11))"},
    {.name = "exit: a client killed by SIGPIPE wrote to a connection the server closed",
     .expect = {.kind = EH_EXPECT_EXIT, .who = EH_CLIENT, .codes = {0}, .n_codes = 1},
     .client = {.signal = SIGPIPE},
     .verdict = EH_FAIL,
     .reason_part = "the client was killed by SIGPIPE: it wrote to a connection the server had "
                    "closed;"},
    {.name = "exit: an exit where only a signal is allowed says which signal",
     .expect = {.kind = EH_EXPECT_EXIT, .who = EH_SERVER, .signals = {SIGPIPE}, .n_signals = 1},
     .verdict = EH_FAIL,
     .reason = "the server exited with code 0, but this scenario expects it killed by SIGPIPE "
               "(expected killed by a signal in {SIGPIPE}, got exit code 0)"},
    {.name = "exit code outside the set fails",
     .expect = {.kind = EH_EXPECT_EXIT, .who = EH_CLIENT, .codes = {0, 2}, .n_codes = 2},
     .client = {.exit_code = 1},
     .verdict = EH_FAIL,
     .reason = "the client exited with code 1, which this scenario does not allow (expected "
               "exit code in {0, 2}, got exit code 1)"},
    {.name = "exit when stopped by the harness fails",
     .expect = {EXIT0},
     .server = {.stopped_by_harness = true},
     .verdict = EH_FAIL,
     .reason = "the server was still running at the end and had to be stopped; this scenario "
               "expects it to end by itself (expected exit code in {0}, got alive at the end "
               "(stopped by the harness))"},
    {.name = "exit of an absent role is ERROR",
     .expect = {.kind = EH_EXPECT_EXIT, .who = EH_CLIENT, .codes = {0}, .n_codes = 1},
     .client = {.absent = true},
     .verdict = EH_ERROR,
     .reason = "this scenario has no client to judge (expected exit code in {0}, got no "
               "client in this scenario)"},
    {.name = "exit of a role that never started is ERROR",
     .expect = {EXIT0},
     .server = {.never_started = true},
     .verdict = EH_ERROR,
     .reason = "the server never started, so how it ended cannot be judged (expected exit "
               "code in {0}, got server never started)"},

    /* survived */
    {.name = "survived passes when stopped by the harness",
     .expect = {SURVIVED},
     .server = {.stopped_by_harness = true},
     .verdict = EH_PASS,
     .reason = "the server survived: alive at the end (expected server to survive, got alive "
               "at the end (stopped by the harness))"},
    {.name = "survived passes on exit 0",
     .expect = {SURVIVED},
     .verdict = EH_PASS,
     .reason = "the server survived: it exited by itself with code 0 (expected server to "
               "survive, got exit code 0)"},
    {.name = "survived fails when killed by SIGPIPE",
     .expect = {SURVIVED},
     .server = {.signal = SIGPIPE},
     .verdict = EH_FAIL,
     .reason = "the server was killed by SIGPIPE: it wrote to a connection the client had "
               "closed; ignore SIGPIPE or use MSG_NOSIGNAL and treat EPIPE as the end of that "
               "connection (expected server to survive, got killed by SIGPIPE (signal 13))"},
    {.name = "survived fails on a nonzero exit",
     .expect = {SURVIVED},
     .server = {.exit_code = 3},
     .verdict = EH_FAIL,
     .reason = "the server exited with code 3: an echo program must survive whatever its peer "
               "does (expected server to survive, got exit code 3)"},
    {.name = "survived of an absent role is ERROR",
     .expect = {SURVIVED},
     .server = {.absent = true},
     .verdict = EH_ERROR,
     .reason = "this scenario has no server to judge (expected server to survive, got no "
               "server in this scenario)"},

    /* event */
    {.name = "event: an errno set matches either errno",
     .expect = {.kind = EH_EXPECT_EVENT,
                .who = EH_SERVER,
                .min = 1,
                .max = -1,
                .match = {.call = "send", .errnos = EPIPE_OR_RESET, .n_errnos = 2}},
     .server = {.log = "[{'call':'send','ret':-1,'errno':'ECONNRESET'}]"},
     .verdict = EH_PASS,
     .reason = "the server's log shows send() failing with EPIPE or ECONNRESET (expected at "
               "least 1 server event matching {call=send, errno in {EPIPE, ECONNRESET}}, got "
               "1)"},
    {.name = "event missing fails listing the events of that call",
     .expect = {.kind = EH_EXPECT_EVENT,
                .who = EH_SERVER,
                .min = 1,
                .max = -1,
                .match = {.call = "send", .errnos = EPIPE_ONLY, .n_errnos = 1}},
     .server = {.log = "[{'call':'recv','ret':12}, {'call':'send','ret':1024},"
                       " {'call':'send','ret':1024}]"},
     .verdict = EH_FAIL,
     .reason = "the server's log never shows send() failing with EPIPE (expected at least 1 "
               "server event matching {call=send, errno in {EPIPE}}, got 0 (server send "
               "events: ret 1024, ret 1024))",
     .evidence = "{'count':0}"},
    {.name = "event missing with no such call says so",
     .expect = {.kind = EH_EXPECT_EVENT,
                .who = EH_CLIENT,
                .min = 1,
                .max = -1,
                .match = {.call = "shutdown"}},
     .client = {.log = "[{'call':'close','ret':0}]"},
     .verdict = EH_FAIL,
     .reason = "the client's log never shows shutdown() (expected at least 1 client event "
               "matching {call=shutdown}, got 0 (no client shutdown events))"},
    {.name = "event: a client that never read EOF was never closed on",
     .expect = {.kind = EH_EXPECT_EVENT,
                .who = EH_CLIENT,
                .min = 1,
                .max = -1,
                .match = {.call = "recv", .has_ret = true, .ret = 0}},
     .client = {.log = "[{'call':'recv','ret':12}]"},
     .verdict = EH_FAIL,
     .reason = "the client's log never shows recv() returning 0 (end of stream): the server "
               "never closed its side of the connection (expected at least 1 client event "
               "matching {call=recv, ret=0}, got 0 (client recv events: ret 12))"},
    {.name = "event: a server whose recv got ECONNRESET was reset by the client",
     .expect = {.kind = EH_EXPECT_EVENT,
                .who = EH_SERVER,
                .min = 1,
                .max = -1,
                .match = {.call = "recv", .has_ret = true, .ret = 0}},
     .server = {.log = "[{'call':'recv','ret':12},{'call':'recv','ret':-1,'errno':'ECONNRESET'}]"},
     .verdict = EH_FAIL,
     .reason = "the server's log never shows recv() returning 0 (end of stream): its recv() "
               "failed with ECONNRESET instead: the client reset the connection rather than "
               "closing it (a kernel sends RST for a socket closed with data unread or with "
               "SO_LINGER 0, and for data that reaches a closed socket) (expected at least 1 "
               "server event matching {call=recv, ret=0}, got 0 (server recv events: ret 12, "
               "ret -1 ECONNRESET))"},
    {.name = "event missing names the address it wanted and lists the addresses seen",
     .expect = {.kind = EH_EXPECT_EVENT,
                .who = EH_SERVER,
                .min = 1,
                .max = -1,
                .match = {.call = "bind", .has_ret = true, .ret = 0, .laddr = "0.0.0.0:*"}},
     .server = {.log = "[{'call':'bind','fd':3,'ret':0,'laddr':'127.0.0.1:65432'}]"},
     .verdict = EH_FAIL,
     .reason = "the server's log never shows bind() returning 0 on 0.0.0.0:* (expected at "
               "least 1 server event matching {call=bind, ret=0, laddr=0.0.0.0:*}, got 0 "
               "(server bind events: ret 0 on 127.0.0.1:65432))"},
    {.name = "event missing names the time it wanted",
     .expect = {.kind = EH_EXPECT_EVENT,
                .who = EH_CLIENT,
                .min = 1,
                .max = -1,
                .match = {.call = "send",
                          .has_ret_min = true,
                          .ret_min = 1,
                          .has_elapsed = true,
                          .elapsed_tolerance_ms = 100}},
     .client = {.log = "[{'call':'send','ret':175589,'elapsed_us':4997117}]"},
     .verdict = EH_FAIL,
     .reason = "the client's log never shows send() returning at least 1 within 100 ms "
               "(expected at least 1 client event matching {call=send, ret>=1, elapsed "
               "-100..100 ms}, got 0 (client send events: ret 175589 after 4997 ms))"},
    {.name = "event: a connect() that succeeded where EINPROGRESS was due blocked",
     .expect = {.kind = EH_EXPECT_EVENT,
                .who = EH_CLIENT,
                .min = 1,
                .max = -1,
                .match = {.call = "connect",
                          .has_ret = true,
                          .ret = -1,
                          .errnos = EINPROGRESS_ONLY,
                          .n_errnos = 1}},
     .client = {.log = "[{'call':'fcntl','fd':3,'ret':0,'cmd':'F_SETFD','arg':'O_NONBLOCK'},"
                       " {'call':'connect','fd':3,'ret':0}]"},
     .verdict = EH_FAIL,
     .reason_part = "never shows connect() returning -1 failing with EINPROGRESS: its connect() "
                    "succeeded instead, after waiting for the handshake: the socket was "
                    "blocking (expected"},
    {.name = "event: a bind() that succeeded where EADDRINUSE was due names SO_REUSEADDR",
     .expect = {.kind = EH_EXPECT_EVENT,
                .who = EH_SERVER,
                .min = 1,
                .max = -1,
                .match = {.call = "bind", .errnos = EADDRINUSE_ONLY, .n_errnos = 1}},
     .server = {.log = "[{'call':'setsockopt','fd':3,'ret':0,'name':'SO_REUSEADDR','value':1},"
                       " {'call':'bind','fd':3,'ret':0}]"},
     .verdict = EH_FAIL,
     .reason_part = "never shows bind() failing with EADDRINUSE: its bind() succeeded because "
                    "the server set SO_REUSEADDR, which lets bind() take a port that "
                    "connections in TIME_WAIT hold (expected"},
    {.name = "event: a bind() that succeeded without SO_REUSEADDR gets no hint",
     .expect = {.kind = EH_EXPECT_EVENT,
                .who = EH_SERVER,
                .min = 1,
                .max = -1,
                .match = {.call = "bind", .errnos = EADDRINUSE_ONLY, .n_errnos = 1}},
     .server = {.log = "[{'call':'bind','fd':3,'ret':0}]"},
     .verdict = EH_FAIL,
     .reason_part = "never shows bind() failing with EADDRINUSE (expected"},
    {.name = "event above max fails",
     .expect = {.kind = EH_EXPECT_EVENT,
                .who = EH_SERVER,
                .min = 0,
                .max = 0,
                .match = {.call = "send", .has_ret_min = true, .ret_min = 1}},
     .server = {.log = BROKEN_PIPE_LOG},
     .verdict = EH_FAIL,
     .reason = "the server's log shows send() returning at least 1, which this scenario does "
               "not allow (expected exactly 0 server events matching {call=send, ret>=1}, got "
               "1 (server send events: ret 1024, ret -1 EPIPE))"},
    {.name = "event count between the bounds passes",
     .expect =
         {.kind = EH_EXPECT_EVENT, .who = EH_SERVER, .min = 1, .max = 3, .match = {.call = "recv"}},
     .server = {.log = BROKEN_PIPE_LOG},
     .verdict = EH_PASS,
     .reason = "the server's log shows recv() (expected between 1 and 3 server events "
               "matching {call=recv}, got 2)"},
    {.name = "event evidence keeps three events without their data",
     .expect = {.kind = EH_EXPECT_EVENT,
                .who = EH_SERVER,
                .min = 1,
                .max = -1,
                .match = {.call = "send"}},
     .server = {.log = "[{'call':'send','ret':1,'data':'41'},"
                       " {'call':'send','ret':1,'data':'42'},"
                       " {'call':'send','ret':1,'data':'43'},"
                       " {'call':'send','ret':1,'data':'44'}]"},
     .verdict = EH_PASS,
     .reason = "the server's log shows send() (expected at least 1 server event matching "
               "{call=send}, got 4)",
     .evidence = "{'count':4}",
     .extra = matched_events_lose_their_data},
    {.name = "event on a role under test is SKIP",
     .expect = {.kind = EH_EXPECT_EVENT, .who = EH_SERVER, .min = 1, .max = -1},
     .server = {.under_test = true},
     .verdict = EH_SKIP,
     .reason = UNDER_TEST_REASON("server"),
     .no_evidence = true},

    /* sequence */
    {.name = "sequence with gaps passes",
     .expect = {SEQUENCE(EH_SERVER)},
     .server = {.log = BROKEN_PIPE_LOG},
     .verdict = EH_PASS,
     .reason = "the server's calls came in the expected order (expected sequence {call=recv, "
               "ret=0} -> {call=send, ret>=1} -> {call=send, errno in {EPIPE}}, got all 3 in "
               "order)",
     .evidence = "{'indices':[1,2,3]}"},
    {.name = "sequence out of order fails naming the matched prefix",
     .expect = {SEQUENCE(EH_SERVER)},
     /* The EPIPE came before EOF: only recv 0 and the later send match. */
     .server = {.log = "[{'call':'send','ret':-1,'errno':'EPIPE'},"
                       " {'call':'recv','ret':0},"
                       " {'call':'send','ret':1024}]"},
     .verdict = EH_FAIL,
     .reason = "the server's log never shows send() failing with EPIPE after send() returning "
               "at least 1 (expected sequence {call=recv, ret=0} -> {call=send, ret>=1} -> "
               "{call=send, errno in {EPIPE}}, got only the first 2 (server events: send ret "
               "-1 EPIPE, recv ret 0, send ret 1024))",
     .evidence = "{'matched':2}"},
    {.name = "sequence without its first event fails",
     .expect = {SEQUENCE(EH_SERVER)},
     .server = {.log = "[{'call':'accept','ret':4}, {'call':'recv','ret':12}]"},
     .verdict = EH_FAIL,
     .reason_part = ", got no server event matching {call=recv, ret=0} (server events: recv ret "
                    "12)"},
    {.name = "sequence in a long log shows the events from the last match",
     .expect = {SEQUENCE(EH_SERVER)},
     .server = {.log = "[" RECV_1_X5 RECV_1_X5 RECV_1_X5 RECV_1_X5
                       "{'call':'recv','ret':0}, {'call':'send','ret':7}]"},
     .verdict = EH_FAIL,
     .reason_part = "got only the first 2 (server events: ..., send ret 7)"},
    {.name = "sequence: a recv() that failed with EAGAIN where it should wait says so",
     .expect = {.kind = EH_EXPECT_SEQUENCE, .who = EH_SERVER, .seq = ACCEPT_RECV_300MS, .n_seq = 2},
     .server = {.log = "[{'call':'accept','fd':3,'ret':4},"
                       " {'call':'recv','fd':4,'ret':-1,'errno':'EAGAIN'},"
                       " {'call':'recv','fd':4,'ret':12,'elapsed_us':20}]"},
     .verdict = EH_FAIL,
     .reason = "the server's log never shows recv() returning at least 1 in 200..400 ms after "
               "accept() returning at least 0: its recv() failed with EAGAIN instead, which "
               "only a non-blocking socket (or one with a time-out) answers (expected sequence "
               "{call=accept, ret>=0} -> {call=recv, ret>=1, elapsed 200..400 ms}, got only "
               "the first 1 (server events: accept ret 4, recv ret -1 EAGAIN, recv ret 12))"},
    {.name = "sequence on a role under test is SKIP",
     .expect = {SEQUENCE(EH_CLIENT)},
     .client = {.under_test = true},
     .verdict = EH_SKIP,
     .reason = UNDER_TEST_REASON("client")},

    /* echo */
    {.name = "echo exact passes on identical bytes",
     .expect = {ECHO(EH_ECHO_EXACT)},
     .client = {.log =
                    "[" SENT_HELLO ", {'call':'recv','ret':12,'data':'48656c6c6f2c20776f726c64'}]"},
     .verdict = EH_PASS,
     .reason = "the client got back exactly the 12 bytes it sent (expected echo exact (12 "
               "bytes), got 12 bytes)"},
    {.name = "echo exact names the first difference",
     .expect = {ECHO(EH_ECHO_EXACT)},
     /* "hello, worl" */
     .client = {.log =
                    "[" SENT_HELLO ", {'call':'recv','ret':11,'data':'68656c6c6f2c20776f726c'}]"},
     .verdict = EH_FAIL,
     .reason = "the echo differs from what the client sent at offset 0 (RFC 862: send back "
               "every byte received, unchanged) (expected echo exact (12 bytes), got 11 "
               "bytes; first difference at offset 0: expected 0x48 'H', got 0x68 'h')",
     .evidence = "{'first_difference':0, 'expected_byte':72, 'got_byte':104}"},
    {.name = "echo exact fails on a short echo at the end of the stream",
     .expect = {ECHO(EH_ECHO_EXACT)},
     .client = {.log = "[" SENT_HELLO ", {'call':'recv','ret':5,'data':'48656c6c6f'}]"},
     .verdict = EH_FAIL,
     .reason = "the client got back only 5 of the 12 bytes it sent (RFC 862: echo all data "
               "until the client closes) (expected echo exact (12 bytes), got 5 bytes; first "
               "difference at offset 5: expected 0x2c ',', got end of stream)",
     .evidence = "{'got_byte':null}"},
    {.name = "echo exact fails on extra bytes",
     .expect = {ECHO(EH_ECHO_EXACT)},
     .client = {.log = "[{'call':'send','ret':2,'data':'4142'},"
                       " {'call':'recv','ret':3,'data':'41420a'}]"},
     .verdict = EH_FAIL,
     .reason = "the client got back more bytes than it sent (RFC 862: send back the data "
               "received, nothing more) (expected echo exact (2 bytes), got 3 bytes; first "
               "difference at offset 2: expected end of stream, got 0x0a)"},
    {.name = "echo joins the calls in order",
     .expect = {ECHO(EH_ECHO_EXACT)},
     .client = {.log = "[{'call':'sendto','ret':2,'data':'0001'},"
                       " {'call':'recvfrom','ret':1,'data':'00'},"
                       " {'call':'send','ret':1,'data':'ff'},"
                       " {'call':'recv','ret':-1,'errno':'EAGAIN'},"
                       " {'call':'recv','ret':2,'data':'01ff'},"
                       " {'call':'recv','ret':0}]"},
     .verdict = EH_PASS,
     .reason = "the client got back exactly the 3 bytes it sent (expected echo exact (3 "
               "bytes), got 3 bytes)"},
    {.name = "echo prefix accepts nothing",
     .expect = {ECHO(EH_ECHO_PREFIX)},
     .client = {.log = "[" SENT_HELLO ", {'call':'recv','ret':0}]"},
     .verdict = EH_PASS,
     .reason = "the client got nothing back, as this scenario allows (expected echo prefix "
               "(of 12 bytes), got 0 bytes, a prefix)"},
    {.name = "echo fails when the client sent nothing",
     .expect = {ECHO(EH_ECHO_EXACT)},
     /* A client that never connected: an empty echo of nothing is no pass. */
     .client = {.log = "[{'call':'connect','ret':-1}]"},
     .verdict = EH_FAIL,
     .reason = "the client sent nothing, so there was nothing to echo (expected echo exact of "
               "the client's bytes, got a client that sent nothing (did it connect?))"},
    {.name = "echo prefix fails on a differing byte",
     .expect = {ECHO(EH_ECHO_PREFIX)},
     .client = {.log = "[" SENT_HELLO ", {'call':'recv','ret':3,'data':'480065'}]"},
     .verdict = EH_FAIL,
     .reason = "the echo differs from what the client sent at offset 1 (RFC 862: send back "
               "every byte received, unchanged) (expected echo prefix (of 12 bytes), got 3 "
               "bytes; first difference at offset 1: expected 0x65 'e', got 0x00)"},
    {.name = "echo nonempty_prefix passes on one byte",
     .expect = {ECHO(EH_ECHO_NONEMPTY_PREFIX)},
     .client = {.log = "[" SENT_HELLO ", {'call':'recv','ret':1,'data':'48'}]"},
     .verdict = EH_PASS,
     .reason = "the client got back the first 1 of the 12 bytes it sent, as this scenario "
               "allows (expected echo nonempty_prefix (of 12 bytes), got 1 byte, a prefix)"},
    {.name = "echo nonempty_prefix fails on nothing",
     .expect = {ECHO(EH_ECHO_NONEMPTY_PREFIX)},
     .client = {.log = "[" SENT_HELLO ", {'call':'recv','ret':0}]"},
     .verdict = EH_FAIL,
     .reason = "the client got nothing back (RFC 862: send back any data received) (expected "
               "echo nonempty_prefix (of 12 bytes), got 0 bytes)"},
    {.name = "echo with truncated data is ERROR",
     .expect = {ECHO(EH_ECHO_EXACT)},
     .client = {.log = "[" SENT_HELLO ", {'call':'recv','ret':12,'data_truncated':true}]"},
     .verdict = EH_ERROR,
     .reason = "the client's log lacks some of the bytes it sent or received, so the echo "
               "cannot be judged (expected the client's sent and received bytes in its event "
               "log, got data truncated (cannot judge echo))"},
    {.name = "echo on a client under test is SKIP",
     .expect = {ECHO(EH_ECHO_EXACT)},
     .client = {.under_test = true},
     .verdict = EH_SKIP,
     .reason = UNDER_TEST_REASON("client")},

    /* client_port */
    {.name = "client port in range passes",
     .expect = {CLIENT_PORT},
     .client = {.log = CONNECT_40312},
     .verdict = EH_PASS,
     .reason = "the client used an ephemeral port, as connect() without bind() gives "
               "(expected client port in 32768..60999 (ip_local_port_range), got 40312)"},
    {.name = "client port out of range fails",
     .expect = {CLIENT_PORT},
     .client = {.log = "[{'call':'connect','ret':0,'laddr':'127.0.0.1:1234',"
                       "'raddr':'127.0.0.1:65432'}]"},
     .verdict = EH_FAIL,
     .reason = "the client used port 1234, outside the ephemeral range: do not bind() the "
               "client's socket, let connect() choose its port (expected client port in "
               "32768..60999 (ip_local_port_range), got 1234)"},
    {.name = "client port checks every connection",
     .expect = {CLIENT_PORT},
     .client = {.log = "[{'call':'connect','ret':0,'laddr':'[::1]:40312'},"
                       " {'call':'connect','ret':0,'laddr':'[::1]:61000'},"
                       " {'call':'connect','ret':0,'laddr':'[::1]:40316'}]"},
     .verdict = EH_FAIL,
     .reason = "the client used port 61000, outside the ephemeral range: do not bind() the "
               "client's socket, let connect() choose its port (expected client port in "
               "32768..60999 (ip_local_port_range), got 61000 (connection 2 of 3))"},
    {.name = "client port without a connect fails",
     .expect = {CLIENT_PORT},
     .client = {.log = "[{'call':'connect','ret':-1,'errno':'ECONNREFUSED'}]"},
     .verdict = EH_FAIL,
     .reason = "the client's log has no connect() with a local address (expected client port "
               "in 32768..60999 (ip_local_port_range), got no connect() with a local address "
               "in the client's event log)"},
    {.name = "client port without a port range is ERROR",
     .expect = {CLIENT_PORT},
     .client = {.log = "[{'call':'connect','laddr':'127.0.0.1:40312'}]"},
     .no_port_range = true,
     .verdict = EH_ERROR,
     .reason = "the ephemeral port range could not be read, so the client's port cannot be "
               "judged (expected client port in ip_local_port_range, got no range (it was not "
               "read in the scenario's namespace))"},

    /* mirror */
    {.name = "mirror passes when the addresses mirror",
     .expect = {MIRROR},
     .server = {.log = ACCEPT_40312},
     .client = {.log = CONNECT_40312},
     .verdict = EH_PASS,
     .reason = "the two ends mirror each other: each one's local address is the other's "
               "remote address (expected accept() peer to equal client getsockname() and "
               "local/remote mirrored, got client 127.0.0.1:40312 -> 127.0.0.1:65432, server "
               "accept() 127.0.0.1:65432 <- 127.0.0.1:40312)"},
    {.name = "mirror fails when the accept peer differs",
     .expect = {MIRROR},
     .server = {.log = ACCEPT_40312},
     .client = {.log = "[{'call':'connect','ret':0,'laddr':'127.0.0.1:40313',"
                       "'raddr':'127.0.0.1:65432'}]"},
     .verdict = EH_FAIL,
     .reason = "the server's accept() saw another client address than the client's "
               "getsockname() reported (expected accept() peer 127.0.0.1:40313 (the client's "
               "getsockname()), got 127.0.0.1:40312)"},
    {.name = "mirror fails when the server's local address differs",
     .expect = {MIRROR},
     .server = {.log = "[{'call':'accept','ret':4,'laddr':'127.0.0.2:65432',"
                       "'raddr':'127.0.0.1:40312'}]"},
     .client = {.log = CONNECT_40312},
     .verdict = EH_FAIL,
     .reason = "the server's local address is not the one the client connected to (expected "
               "server accept() local address 127.0.0.1:65432 (the client's connect() remote "
               "address), got 127.0.0.2:65432)"},
    {.name = "mirror pairs connections by the client address",
     .expect = {MIRROR},
     .server = {.log = "[{'call':'accept','ret':5,'laddr':'[::1]:65432','raddr':'[::1]:40314'},"
                       " {'call':'accept','ret':4,'laddr':'[::1]:65432','raddr':'[::1]:40312'}]"},
     .client = {.log = "[{'call':'connect','ret':0,'laddr':'[::1]:40312','raddr':'[::1]:65432'},"
                       " {'call':'connect','ret':0,'laddr':'[::1]:40314','raddr':'[::1]:65432'}]"},
     .verdict = EH_PASS,
     .reason = "the two ends mirror each other: each one's local address is the other's "
               "remote address (expected accept() peer to equal client getsockname() and "
               "local/remote mirrored, got 2 connections, each mirrored)",
     .evidence = "{'pairs':[{}, {}]}"},
    {.name = "mirror takes an IPv4-mapped address as its IPv4 form",
     .expect = {MIRROR},
     /* A dual-stack listener reports an IPv4 client as ::ffff:127.0.0.1. */
     .server = {.log = "[{'call':'accept','ret':4,'laddr':'[::ffff:127.0.0.1]:65432',"
                       "'raddr':'[::ffff:127.0.0.1]:40312'}]"},
     .client = {.log = CONNECT_40312},
     .verdict = EH_PASS,
     .reason = "the two ends mirror each other: each one's local address is the other's "
               "remote address (expected accept() peer to equal client getsockname() and "
               "local/remote mirrored, got client 127.0.0.1:40312 -> 127.0.0.1:65432, server "
               "accept() [::ffff:127.0.0.1]:65432 <- 127.0.0.1:40312)"},
    {.name = "mirror fails on a mapped address of another port",
     .expect = {MIRROR},
     .server = {.log = "[{'call':'accept','ret':4,'laddr':'[::ffff:127.0.0.1]:65432',"
                       "'raddr':'[::ffff:127.0.0.1]:40313'}]"},
     .client = {.log = CONNECT_40312},
     .verdict = EH_FAIL,
     .reason = "the server's accept() saw another client address than the client's "
               "getsockname() reported (expected accept() peer 127.0.0.1:40312 (the client's "
               "getsockname()), got [::ffff:127.0.0.1]:40313)"},
    {.name = "mirror on a datagram server uses recvfrom",
     .expect = {MIRROR},
     .server = {.log = "[{'call':'recvfrom','ret':4,'raddr':'127.0.0.1:40312','data':'70696e67'}]"},
     .client = {.log = CONNECT_40312},
     .verdict = EH_PASS,
     .reason = "the two ends mirror each other: each one's local address is the other's "
               "remote address (expected recvfrom() peer to equal client getsockname() and "
               "local/remote mirrored, got client 127.0.0.1:40312 -> 127.0.0.1:65432, server "
               "recvfrom() from 127.0.0.1:40312)"},
    {.name = "mirror on a server under test is SKIP",
     .expect = {MIRROR},
     .server = {.under_test = true},
     .verdict = EH_SKIP,
     .reason = UNDER_TEST_REASON("server")},

    /* wire_echo */
    {.name = "wire echo exact passes on an echoed connection",
     .expect = {WIRE_ECHO(EH_ECHO_EXACT)},
     NO_LOGS,
     .wire = w_echoed,
     .verdict = EH_PASS,
     .reason = "the server echoed every byte unchanged (expected wire echo exact on every "
               "connection, got exact (12 bytes matched) on 127.0.0.1:40312 -> "
               "127.0.0.1:65432)"},
    {.name = "wire echo exact names the connection and the first difference",
     .expect = {WIRE_ECHO(EH_ECHO_EXACT)},
     NO_LOGS,
     .wire = w_upper_cased,
     .verdict = EH_FAIL,
     .reason = "the server sent back other bytes than it received, first at offset 1 (RFC 862: "
               "send back every byte unchanged) (expected wire echo exact on 127.0.0.1:40312 "
               "-> 127.0.0.1:65432, got differs at offset 1: expected 0x65 'e', got 0x45 'E')",
     .evidence = "{'connection':{'verdict':'differs'}}"},
    {.name = "wire echo prefix accepts a silent server",
     .expect = {WIRE_ECHO(EH_ECHO_PREFIX)},
     NO_LOGS,
     .wire = w_silent_server,
     .verdict = EH_PASS,
     .reason = "the server echoed none of what it received, as this scenario allows (expected "
               "wire echo prefix on every connection, got none (0 bytes matched) on "
               "127.0.0.1:40312 -> 127.0.0.1:65432)"},
    {.name = "wire echo nonempty_prefix fails a silent server",
     .expect = {WIRE_ECHO(EH_ECHO_NONEMPTY_PREFIX)},
     NO_LOGS,
     .wire = w_silent_server,
     .verdict = EH_FAIL,
     .reason = "the server sent nothing back (RFC 862: send back any data received) (expected "
               "wire echo nonempty_prefix on 127.0.0.1:40312 -> 127.0.0.1:65432, got none (0 "
               "bytes matched))"},
    {.name = "wire echo nonempty_prefix passes on part of the echo",
     .expect = {WIRE_ECHO(EH_ECHO_NONEMPTY_PREFIX)},
     NO_LOGS,
     .wire = w_three_bytes_back,
     .verdict = EH_PASS,
     .reason = "the server echoed a prefix of what it received, as this scenario allows "
               "(expected wire echo nonempty_prefix on every connection, got prefix (3 bytes "
               "matched) on 127.0.0.1:40312 -> 127.0.0.1:65432)"},
    {.name = "wire echo without a connection fails",
     .expect = {WIRE_ECHO(EH_ECHO_EXACT)},
     NO_LOGS,
     .wire = w_nothing,
     .verdict = EH_FAIL,
     .reason = "the capture shows no connection: the client never reached the server "
               "(expected at least one connection on the wire, got none)"},
    {.name = "wire echo exact fails on an echo longer than what was sent",
     .expect = {WIRE_ECHO(EH_ECHO_EXACT)},
     NO_LOGS,
     .wire = w_extra_echo,
     .verdict = EH_FAIL,
     .reason_part = "the server sent back more than the client sent (RFC 862: send back the "
                    "data received, nothing more) (expected wire echo exact on "},
    {.name = "wire echo exact says how much of the stream came back",
     .expect = {WIRE_ECHO(EH_ECHO_EXACT)},
     NO_LOGS,
     .wire = w_three_bytes_back,
     .verdict = EH_FAIL,
     .reason_part = "the server echoed only the first 3 of the 12 bytes the client sent (RFC "
                    "862: echo all data until the client closes) (expected wire echo exact on "},
    {.name = "wire echo exact: an echo cut short by the client's abort names the client",
     .expect = {WIRE_ECHO(EH_ECHO_EXACT)},
     NO_LOGS,
     .wire = w_client_aborted,
     .verdict = EH_FAIL,
     .reason_part = "2 of the 12 bytes the client sent came back before the client aborted the "
                    "connection (RST without FIN: it closed its socket with data unread, or "
                    "with SO_LINGER 0), after which nothing more could be echoed (expected "},
    {.name = "wire kinds without a capture are ERROR",
     .expect = {WIRE_ECHO(EH_ECHO_EXACT)},
     NO_LOGS,
     .verdict = EH_ERROR,
     .reason = "there is no capture to judge this from"},
    {.name = "wire echo of UDP names the reply",
     .expect = {.kind = EH_EXPECT_WIRE_ECHO, .relation = EH_ECHO_EXACT, .transport = EH_UDP},
     NO_LOGS,
     .wire = w_udp_second_reply_differs,
     .verdict = EH_FAIL,
     .reason = "reply 2 differs from its request at offset 1 (RFC 862: send back each datagram "
               "unchanged) (expected wire echo exact on 127.0.0.1:40312 -> 127.0.0.1:65432, "
               "got differs in reply 2 at offset 1: expected 0x65 'e', got 0x45 'E')"},
    {.name = "wire echo of UDP when the client spoke TCP says so",
     .expect = {.kind = EH_EXPECT_WIRE_ECHO, .relation = EH_ECHO_EXACT, .transport = EH_UDP},
     NO_LOGS,
     .wire = w_echoed,
     .verdict = EH_FAIL,
     .reason = "the capture shows no UDP datagram, only 1 TCP connection: the client spoke TCP "
               "where this scenario is UDP (a client under test that speaks both takes the "
               "transport from {transport} in --client-cmd) (expected at least one connection "
               "on the wire, got none)"},
    {.name = "wire echo of TCP when the client spoke UDP says so",
     .expect = {WIRE_ECHO(EH_ECHO_EXACT)},
     NO_LOGS,
     .wire = w_udp_second_reply_differs,
     .verdict = EH_FAIL,
     .reason_part = "the capture shows no TCP connection, only 1 UDP exchange: the client spoke "
                    "UDP where this scenario is TCP"},
    {.name = "wire echo nonempty_prefix passes on the real recv(1) capture",
     .expect = {WIRE_ECHO(EH_ECHO_NONEMPTY_PREFIX)},
     NO_LOGS,
     .wire = w_real_recv1,
     .verdict = EH_PASS,
     .reason = "the server echoed a prefix of what it received, as this scenario allows "
               "(expected wire echo nonempty_prefix on every connection, got prefix (2 bytes "
               "matched) on 127.0.0.1:42044 -> 127.0.0.1:65432)"},
    {.name = "wire echo exact fails on the real recv(1) capture",
     .expect = {WIRE_ECHO(EH_ECHO_EXACT)},
     NO_LOGS,
     .wire = w_real_recv1,
     .verdict = EH_FAIL,
     .reason = "the server echoed only the first 2 of the 12 bytes the client sent (RFC 862: "
               "echo all data until the client closes) (expected wire echo exact on "
               "127.0.0.1:42044 -> 127.0.0.1:65432, got prefix (2 bytes matched))"},

    /* wire_client_port */
    {.name = "wire client port in range and as logged passes",
     .expect = {WIRE_PORT},
     .server = {.log = "[{'call':'accept','ret':4,'raddr':'[::ffff:127.0.0.1]:40312'}]"},
     .client = {.log = CONNECT_40312},
     .wire = w_echoed,
     .verdict = EH_PASS,
     .reason = "the client used an ephemeral port, as connect() without bind() gives "
               "(expected wire client port in 32768..60999 (ip_local_port_range), equal to "
               "the client's getsockname() and the server's accept() peer, got 40312 on "
               "127.0.0.1:40312 -> 127.0.0.1:65432)"},
    {.name = "wire client port out of range fails without logs",
     .expect = {WIRE_PORT},
     NO_LOGS,
     .wire = w_fixed_port_1234,
     .verdict = EH_FAIL,
     .reason = "the client used port 1234, outside the ephemeral range: do not bind() the "
               "client's socket, let connect() choose its port (expected wire client port in "
               "32768..60999 (ip_local_port_range), got 1234 on 127.0.0.1:1234 -> "
               "127.0.0.1:65432)"},
    {.name = "wire client port differing from getsockname fails",
     .expect = {WIRE_PORT},
     .client = {.log = "[{'call':'getsockname','ret':0,'laddr':'127.0.0.1:40313'}]"},
     .wire = w_echoed,
     .verdict = EH_FAIL,
     .reason = "the client's log names another local address than the capture shows (expected "
               "the wire client 127.0.0.1:40312 in the client's connect/getsockname laddr, "
               "got 127.0.0.1:40313 in its getsockname event)"},
    {.name = "wire client port differing from the accept peer fails",
     .expect = {WIRE_PORT},
     .server = {.log = "[{'call':'accept','ret':4,'raddr':'127.0.0.2:40312'}]"},
     .wire = w_echoed,
     .verdict = EH_FAIL,
     .reason = "the server's accept() names another peer than the capture shows (expected the "
               "wire client 127.0.0.1:40312 as the server's accept() peer, got "
               "127.0.0.2:40312)"},
    {.name = "wire client port without a port range is ERROR",
     .expect = {WIRE_PORT},
     NO_LOGS,
     .no_port_range = true,
     .wire = w_echoed,
     .verdict = EH_ERROR,
     .reason = "the ephemeral port range could not be read, so the client's port cannot be "
               "judged (expected client port in ip_local_port_range, got no range (it was not "
               "read in the scenario's namespace))"},

    /* wire_segments */
    {.name = "wire segments of one byte pass",
     .expect = {WIRE_SEG1},
     NO_LOGS,
     .wire = w_one_byte_segments,
     .verdict = EH_PASS,
     .reason = "the server sent its payload in segments of at most 1 byte, as expected "
               "(expected server segments of at most 1 payload byte, got 1 byte (the largest "
               "of 2 segments) on 127.0.0.1:40312 -> 127.0.0.1:65432)"},
    {.name = "wire segments larger than allowed fail",
     .expect = {WIRE_SEG1},
     NO_LOGS,
     .wire = w_echoed,
     .verdict = EH_FAIL,
     .reason = "the server sent a segment of 12 bytes where this scenario allows at most 1 "
               "(expected server segments of at most 1 payload byte, got 12 bytes (the "
               "largest of 1 segment) on 127.0.0.1:40312 -> 127.0.0.1:65432)",
     .evidence = "{'largest':12}"},
    {.name = "wire segments of one byte pass on the real recv(1) capture",
     .expect = {WIRE_SEG1},
     NO_LOGS,
     .wire = w_real_recv1,
     .verdict = EH_PASS,
     .reason = "the server sent its payload in segments of at most 1 byte, as expected "
               "(expected server segments of at most 1 payload byte, got 1 byte (the largest "
               "of 2 segments) on 127.0.0.1:42044 -> 127.0.0.1:65432)"},

    /* wire_close */
    {.name = "wire close graceful by the client passes",
     .expect = {WIRE_CLOSE_GRACEFUL},
     NO_LOGS,
     .wire = w_echoed,
     .verdict = EH_PASS,
     .reason = "the connection was closed gracefully (FIN both ways), the client first, as "
               "this scenario expects (expected close in {graceful} (first FIN/RST from "
               "client) on 127.0.0.1:40312 -> 127.0.0.1:65432, got graceful (first FIN/RST "
               "from client, no data after close))"},
    {.name = "wire close reset after data after close passes",
     .expect = {WIRE_CLOSE_RESET},
     NO_LOGS,
     .wire = w_data_after_close,
     .verdict = EH_PASS,
     .reason = "the connection was reset by the client after it had closed (data arrived at "
               "its closed socket), the client first, as this scenario expects (expected "
               "close in {client-reset} (first FIN/RST from client, data after close) on "
               "127.0.0.1:40312 -> 127.0.0.1:65432, got client-reset (first FIN/RST from "
               "client, data after close))",
     .evidence = "{'connection':{'close':'client-reset'}}"},
    {.name = "wire close of another class fails",
     .expect = {WIRE_CLOSE_RESET},
     NO_LOGS,
     .wire = w_echoed,
     .verdict = EH_FAIL,
     .reason = "the connection was closed gracefully (FIN both ways), which this scenario "
               "does not allow (expected close in {client-reset} (first FIN/RST from client, "
               "data after close) on 127.0.0.1:40312 -> 127.0.0.1:65432, got graceful (first "
               "FIN/RST from client, no data after close))"},
    {.name = "wire close: a server abort says why a reset replaced the close",
     .expect = {WIRE_CLOSE_GRACEFUL},
     NO_LOGS,
     .wire = w_server_aborts,
     .verdict = EH_FAIL,
     .reason_part = "the server aborted the connection with a reset instead of closing it: it "
                    "closed its socket with data still unread, or with SO_LINGER 0 (read until "
                    "recv returns 0, then close) (expected close in {graceful}"},
    {.name = "wire close: a server abort with nothing sent names the listen queue",
     .expect = {WIRE_CLOSE_GRACEFUL},
     NO_LOGS,
     .wire = w_server_aborts_silent,
     .verdict = EH_FAIL,
     .reason_part = "the server reset the connection without having sent a byte on it: a "
                    "connection still waiting in the listen queue is reset when the listening "
                    "socket closes (the server stopped accepting, or exited)"},
    {.name = "wire close: a half-close says the server never closed",
     .expect = {WIRE_CLOSE_GRACEFUL},
     NO_LOGS,
     .wire = w_server_never_closes,
     .verdict = EH_FAIL,
     .reason_part = "the server never closed its side after the client closed (close the "
                    "connection when recv returns 0) (expected close in {graceful} (first "
                    "FIN/RST from client) on 127.0.0.1:40312 -> 127.0.0.1:65432, got half-closed"},
    {.name = "wire close: a client abort is named",
     .expect = {WIRE_CLOSE_GRACEFUL},
     NO_LOGS,
     .wire = w_client_aborts,
     .verdict = EH_FAIL,
     .reason_part = "the client aborted the connection with a reset instead of closing it"},
    {.name = "wire close first by the wrong side fails",
     .expect = {WIRE_CLOSE_GRACEFUL},
     NO_LOGS,
     .wire = w_server_closes_first,
     .verdict = EH_FAIL,
     .reason = "the server closed the connection before the client had finished sending (RFC "
               "862: echo until the client closes) (expected close in {graceful} (first "
               "FIN/RST from client) on 127.0.0.1:40312 -> 127.0.0.1:65432, got graceful "
               "(first FIN/RST from server, no data after close))"},
    {.name = "wire close client-reset passes on the real recv(1) capture",
     .expect = {WIRE_CLOSE_RESET},
     NO_LOGS,
     .wire = w_real_recv1,
     .verdict = EH_PASS,
     .reason = "the connection was reset by the client after it had closed (data arrived at "
               "its closed socket), the client first, as this scenario expects (expected "
               "close in {client-reset} (first FIN/RST from client, data after close) on "
               "127.0.0.1:42044 -> 127.0.0.1:65432, got client-reset (first FIN/RST from "
               "client, data after close))"},
    {.name = "wire close graceful fails on the real recv(1) capture",
     .expect = {WIRE_CLOSE_GRACEFUL},
     NO_LOGS,
     .wire = w_real_recv1,
     .verdict = EH_FAIL,
     .reason = "the client's kernel reset the connection: the server sent data after the "
               "client had closed (expected close in {graceful} (first FIN/RST from client) "
               "on 127.0.0.1:42044 -> 127.0.0.1:65432, got client-reset (first FIN/RST from "
               "client, data after close))"},

    /* wire_connections */
    {.name = "wire connections within the bounds pass",
     .expect = {WIRE_ONE},
     NO_LOGS,
     .wire = w_echoed,
     .verdict = EH_PASS,
     .reason = "the capture shows 1 connection, as this scenario expects (expected exactly 1 "
               "TCP connection on the wire, got 1 (127.0.0.1:40312 -> 127.0.0.1:65432))"},
    {.name = "wire connections above max fail listing them",
     .expect = {WIRE_ONE},
     NO_LOGS,
     .wire = w_two_connections,
     .verdict = EH_FAIL,
     .reason = "the capture shows 2 connections where this scenario allows at most 1 "
               "(expected exactly 1 TCP connection on the wire, got 2 (127.0.0.1:40312 -> "
               "127.0.0.1:65432, 127.0.0.1:40314 -> 127.0.0.1:65432))"},
    {.name = "wire connections: none fails",
     .expect = {WIRE_ONE},
     NO_LOGS,
     .wire = w_nothing,
     .verdict = EH_FAIL,
     .reason = "the capture shows 0 connections where this scenario expects at least 1 "
               "(expected exactly 1 TCP connection on the wire, got 0)"},
    {.name = "wire connections: one on the real recv(1) capture",
     .expect = {WIRE_ONE},
     NO_LOGS,
     .wire = w_real_recv1,
     .verdict = EH_PASS,
     .reason = "the capture shows 1 connection, as this scenario expects (expected exactly 1 "
               "TCP connection on the wire, got 1 (127.0.0.1:42044 -> 127.0.0.1:65432))"},

    /* wire_syn */
    {.name = "wire syn counts unanswered and refused",
     .expect = {.kind = EH_EXPECT_WIRE_SYN, .unanswered_min = 1, .refused_min = 1},
     NO_LOGS,
     .wire = w_unanswered_and_refused,
     .verdict = EH_PASS,
     .reason = "the capture shows the connection attempts this scenario expects to go "
               "unanswered or refused (expected at least 1 unanswered and at least 1 refused "
               "connection attempts, got 1 unanswered and 1 refused)"},
    {.name = "wire syn below the minimum fails",
     .expect = {.kind = EH_EXPECT_WIRE_SYN, .unanswered_min = 2, .refused_min = -1},
     NO_LOGS,
     .wire = w_unanswered_and_refused,
     .verdict = EH_FAIL,
     .reason = "fewer connection attempts went unanswered than this scenario expects: the "
               "server accepted (or its kernel queued) more than it should (expected at least "
               "2 unanswered connection attempts, got 1 unanswered and 1 refused)"},

    /* client_ends */
    {.name = "client ends: still trying on a refused connection fails saying what to do",
     .expect = {ENDS(EH_AFTER_REFUSED, EH_STATUS_NONZERO)},
     .server = {.absent = true},
     .client = {.under_test = true, .stopped_by_harness = true, .runtime_ms = 1400},
     .wire = w_unanswered_and_refused,
     .verdict = EH_FAIL,
     .reason = "the client was still trying after 1.4 s on a refused connection; a client "
               "should report ECONNREFUSED and exit non-zero (expected the client to end "
               "within 1000 ms after a refused connection attempt (SYN answered by RST) with "
               "nonzero exit status, got alive at the end (stopped by the harness))",
     .evidence = "{'who':'client','stopped_by_harness':true,'runtime_ms':1400,'after':'refused'}"},
    {.name = "client ends: a quick non-zero exit on a refused connection passes",
     .expect = {ENDS(EH_AFTER_REFUSED, EH_STATUS_NONZERO)},
     .server = {.absent = true},
     .client = {.under_test = true, .exit_code = 1, .runtime_ms = 2},
     .wire = w_unanswered_and_refused,
     .verdict = EH_PASS,
     .reason = "the client ended on its own after a refused connection attempt (SYN answered "
               "by RST), as it should (expected the client to end within 1000 ms after a "
               "refused connection attempt (SYN answered by RST) with nonzero exit status, "
               "got exit code 1 after 2 ms)"},
    {.name = "client ends: exit 0 on a refused connection fails",
     .expect = {ENDS(EH_AFTER_REFUSED, EH_STATUS_NONZERO)},
     .client = {.under_test = true, .runtime_ms = 2},
     .wire = w_unanswered_and_refused,
     .verdict = EH_FAIL,
     .reason = "the client exited 0 on a refused connection; a client should report "
               "ECONNREFUSED and exit non-zero (expected the client to end within 1000 ms "
               "after a refused connection attempt (SYN answered by RST) with nonzero exit "
               "status, got exit code 0 after 2 ms)"},
    {.name = "client ends: still waiting for a lost datagram's reply fails saying why",
     .expect = {ENDS(EH_AFTER_NO_REPLY, EH_STATUS_NONZERO), .transport = EH_UDP},
     .client = {.under_test = true, .stopped_by_harness = true, .runtime_ms = 9000},
     .wire = w_udp_no_reply,
     .verdict = EH_FAIL,
     .reason_part = "the client was still waiting after 9.0 s for the reply to a datagram that "
                    "got none; UDP does not guarantee delivery (RFC 768)"},
    {.name = "client ends: giving up on a lost datagram with a non-zero exit passes",
     .expect = {ENDS(EH_AFTER_NO_REPLY, EH_STATUS_NONZERO), .transport = EH_UDP},
     .client = {.under_test = true, .exit_code = 1, .runtime_ms = 500},
     .wire = w_udp_no_reply,
     .verdict = EH_PASS,
     .reason_part = "the client ended on its own after a datagram that got no reply"},
    {.name = "client ends: exit 0 after a lost datagram fails",
     .expect = {ENDS(EH_AFTER_NO_REPLY, EH_STATUS_NONZERO), .transport = EH_UDP},
     .client = {.under_test = true, .runtime_ms = 500},
     .wire = w_udp_no_reply,
     .verdict = EH_FAIL,
     .reason_part = "the client exited 0 though its datagram got no reply"},
    {.name = "client ends: an answered datagram is not the premise of no_reply",
     .expect = {ENDS(EH_AFTER_NO_REPLY, EH_STATUS_NONZERO), .transport = EH_UDP},
     .client = {.under_test = true, .exit_code = 1, .runtime_ms = 500},
     .wire = w_udp_pairs,
     .verdict = EH_ERROR,
     .reason_part = "the capture does not show a datagram that got no reply"},
    {.name = "client ends: a late exit after the server closed fails",
     .expect = {ENDS(EH_AFTER_SERVER_CLOSE, EH_STATUS_ANY)},
     .client = {.under_test = true, .runtime_ms = 2500},
     .wire = w_server_closes_first,
     .verdict = EH_FAIL,
     .reason = "the client took 2.5 s to end after the server closing first (its FIN before "
               "the client's); it should end at once (expected the client to end within 1000 "
               "ms after the server closing first (its FIN before the client's) with any exit "
               "status, got exit code 0 after 2500 ms)"},
    {.name = "client ends: still running after the server closed says recv returns 0",
     .expect = {ENDS(EH_AFTER_SERVER_CLOSE, EH_STATUS_ANY)},
     .client = {.stopped_by_harness = true, .runtime_ms = 1900},
     .wire = w_server_closes_first,
     .verdict = EH_FAIL,
     .reason_part = "the client was still running 1.9 s after it started, though the server had "
                    "closed the connection (FIN); recv() returning 0 is the end of the stream"},
    {.name = "client ends: a non-zero exit after a complete echo fails",
     .expect = {ENDS(EH_AFTER_ECHO, EH_STATUS_ZERO)},
     .client = {.exit_code = 3, .runtime_ms = 5},
     .wire = w_echoed,
     .verdict = EH_FAIL,
     .reason = "the client exited with status 3 after a complete echo; a client should exit 0 "
               "when the exchange went as planned (expected the client to end within 1000 ms "
               "after the whole echo back on the wire with zero exit status, got exit code 3 "
               "after 5 ms)"},
    {.name = "client ends: killed by a signal fails",
     .expect = {ENDS(EH_AFTER_ECHO, EH_STATUS_ANY)},
     .client = {.signal = SIGSEGV, .runtime_ms = 5},
     .wire = w_echoed,
     .verdict = EH_FAIL,
     .reason = "the client was killed by SIGSEGV after the whole echo back on the wire "
               "instead of ending on its own (expected the client to end within 1000 ms after "
               "the whole echo back on the wire with any exit status, got killed by SIGSEGV "
               "(signal 11))"},
    {.name = "client ends: without its premise on the wire it is ERROR",
     .expect = {ENDS(EH_AFTER_ECHO, EH_STATUS_ZERO)},
     .client = {.runtime_ms = 5},
     .wire = w_silent_server,
     .verdict = EH_ERROR,
     .reason = "how the client ends cannot be judged: the capture does not show the whole "
               "echo back on the wire (expected the client to end within 1000 ms after the "
               "whole echo back on the wire with zero exit status, got no such thing on the "
               "wire)"},

    /* server_port */
    {.name = "server port in the range, no connection: passes",
     .expect = {.kind = EH_EXPECT_SERVER_PORT, .who = EH_SERVER},
     .server = {.log = READY_40000},
     .verdict = EH_PASS,
     .reason = "the kernel chose port 40000 from the ephemeral range for bind() to port 0, "
               "and the server reported it with getsockname() (expected the port the server "
               "reported (its ready event, from getsockname()) in 32768..60999 "
               "(ip_local_port_range) and every connection to it, got port 40000, 0 "
               "connections to it)"},
    {.name = "server port: a connection to another port fails",
     .expect = {.kind = EH_EXPECT_SERVER_PORT, .who = EH_SERVER},
     .server = {.log = READY_40000},
     .wire = w_echoed,
     .verdict = EH_FAIL,
     .reason_part = "got port 40000, and 1 of 1 connections to another port"},
    {.name = "server port outside the range fails",
     .expect = {.kind = EH_EXPECT_SERVER_PORT, .who = EH_SERVER},
     .server = {.log = "[{'call':'ready','fd':3,'laddr':'127.0.0.1:65432'}]"},
     .wire = w_echoed,
     .verdict = EH_FAIL,
     .reason_part = "got port 65432, 1 connection to it"},
    {.name = "server port 0 is the port asked for, not the one the kernel chose",
     .expect = {.kind = EH_EXPECT_SERVER_PORT, .who = EH_SERVER},
     .server = {.log = "[{'call':'ready','fd':3,'laddr':'127.0.0.1:0'}]"},
     .verdict = EH_FAIL,
     .reason = "the server reported port 0, the port it asked bind() for, not the one the "
               "kernel chose: getsockname() after bind() tells which (expected the port the "
               "server reported (its ready event, from getsockname()) in 32768..60999 "
               "(ip_local_port_range) and every connection to it, got port 0, 0 connections)"},
    {.name = "server port without a ready event fails",
     .expect = {.kind = EH_EXPECT_SERVER_PORT, .who = EH_SERVER},
     .verdict = EH_FAIL,
     .reason_part = "got no ready event with an address in the server's event log"},

    /* wire_client_reads_echo */
    {.name = "client reads echo: 1 byte, FIN, late data answered with RST fails",
     .expect = {.kind = EH_EXPECT_WIRE_CLIENT_READS_ECHO},
     NO_LOGS,
     .wire = w_client_read_once,
     .verdict = EH_FAIL,
     .reason = "the client got 1 of 12 bytes and closed; on the wire its kernel answered the "
               "late bytes with RST (recv returns what has arrived, not the whole message: "
               "recv(2)) (expected no RST from the client, got client-reset on "
               "127.0.0.1:40312 -> 127.0.0.1:65432)",
     .evidence = "{'reset_by_client':1,'connection':{'close':'client-reset',"
                 "'echo_bytes_before_close':1,'client_bytes':12}}"},
    {.name = "client reads echo: an abortive close with bytes unread fails",
     .expect = {.kind = EH_EXPECT_WIRE_CLIENT_READS_ECHO},
     NO_LOGS,
     .wire = w_client_aborted,
     .verdict = EH_FAIL,
     .reason = "the client closed with bytes unread after 2 of 12 had come; its kernel reset "
               "the connection (RST) instead of closing it (recv returns what has arrived, "
               "not the whole message: recv(2)) (expected no RST from the client, got "
               "client-abort on 127.0.0.1:40312 -> 127.0.0.1:65432)"},
    {.name = "client reads echo: an abortive close after the whole echo names both causes",
     .expect = {.kind = EH_EXPECT_WIRE_CLIENT_READS_ECHO},
     NO_LOGS,
     .wire = w_client_aborts_after_echo,
     .verdict = EH_FAIL,
     .reason_part = "the client reset the connection (RST without FIN) after all 12 bytes of the "
                    "echo had come: it closed with some of them unread (recv returns what has "
                    "arrived, not the whole message: recv(2)), or with SO_LINGER 0"},
    {.name = "client reads echo: a graceful close passes",
     .expect = {.kind = EH_EXPECT_WIRE_CLIENT_READS_ECHO},
     NO_LOGS,
     .wire = w_echoed,
     .verdict = EH_PASS,
     .reason = "the client read the whole echo before it closed (expected no RST from the "
               "client, got graceful on 127.0.0.1:40312 -> 127.0.0.1:65432)"},
    {.name = "wire echo with bytes: fewer client bytes fail",
     .expect = {WIRE_ECHO(EH_ECHO_EXACT), .has_echo_bytes = true, .echo_bytes = 20},
     NO_LOGS,
     .wire = w_echoed,
     .verdict = EH_FAIL,
     .reason = "the client sent only 12 of the 20 bytes it had to send (send(2) may send "
               "fewer bytes than asked: loop until every byte is sent, as sendall() does) "
               "(expected wire echo exact of 20 client bytes on 127.0.0.1:40312 -> "
               "127.0.0.1:65432, got 12 bytes from the client, echo exact (12 bytes matched))"},

    /* wire_udp */
    {.name = "wire udp pairs of equal size pass",
     .expect = {WIRE_UDP},
     NO_LOGS,
     .wire = w_udp_pairs,
     .verdict = EH_PASS,
     .reason = "every datagram got one reply of its own size (expected every reply paired "
               "with a request of the same size on every exchange, got 2 pairs in 1 exchange)"},
    {.name = "wire udp reply of another size fails",
     .expect = {WIRE_UDP},
     NO_LOGS,
     .wire = w_udp_short_reply,
     .verdict = EH_FAIL,
     .reason = "reply 1 has 2 bytes where its request had 3 (RFC 862: send back each datagram "
               "whole, one reply per datagram) (expected every reply paired with a request of "
               "the same size on 127.0.0.1:40312 -> 127.0.0.1:65432, got reply 1 of 2 bytes "
               "to a request of 3 bytes)"},
    {.name = "wire udp unanswered request fails",
     .expect = {WIRE_UDP},
     NO_LOGS,
     .wire = w_udp_unanswered,
     .verdict = EH_FAIL,
     .reason = "1 datagram got no reply (RFC 862: send back each datagram received) (expected "
               "every reply paired with a request of the same size on 127.0.0.1:40312 -> "
               "127.0.0.1:65432, got 1 unanswered request)"},
    {.name = "datagram echo: replies from another port on the wire are named",
     .expect = {.kind = EH_EXPECT_DATAGRAM_ECHO, .transport = EH_UDP},
     .client = {.log = "[{'call':'connect','conn':1,'ret':0},"
                       "{'call':'send','conn':1,'ret':3,'data':'616263'},"
                       "{'call':'send','conn':1,'ret':2,'data':'6465'}]"},
     .wire = w_udp_replies_from_another_port,
     .verdict = EH_FAIL,
     .reason_part = "got no reply, nor did 1 more (RFC 862: when a datagram is received, the "
                    "data from it is sent back in an answering datagram); the capture shows 2 "
                    "datagrams to the client from port 39272, not 65432: the server answers "
                    "from another socket"},
    {.name = "wire udp replies from another port are named",
     .expect = {WIRE_UDP},
     NO_LOGS,
     .wire = w_udp_replies_from_another_port,
     .verdict = EH_FAIL,
     .reason = "2 datagrams got no reply from port 65432, and 2 came to the client from port "
               "39272 instead: the server answers from another socket, and a client takes "
               "replies only from the port it sent to (a connected UDP socket never receives "
               "the others) (RFC 862: the data is sent back in an answering datagram) (expected "
               "every reply paired with a request of the same size on 127.0.0.1:40312 -> "
               "127.0.0.1:65432, got 2 unanswered requests, and 2 datagrams to the client from "
               "port 39272)"},
};

START_TEST(test_judge_case)
{
    const struct judge_case *k = &JUDGE_CASES[_i];
    ck_assert_msg((k->reason != NULL) != (k->reason_part != NULL),
                  "row %d \"%s\": give exactly one of reason and reason_part", _i, k->name);
    struct wire w = {0};
    if (k->wire != NULL)
        k->wire(&w);
    struct eh_observation o = {.port_lo = k->no_port_range ? 0 : 32768,
                               .port_hi = k->no_port_range ? 0 : 60999,
                               .wire = wire_flows(&w)};
    o.roles[EH_SERVER] = role_obs(&k->server);
    o.roles[EH_CLIENT] = role_obs(&k->client);
    struct eh_check c;
    eh_judge(&k->expect, &o, &c);
    ck_assert_msg(c.verdict == k->verdict, "row %d \"%s\": expected %s, got %s: %s", _i, k->name,
                  eh_verdict_name(k->verdict), eh_verdict_name(c.verdict), c.reason);
    if (k->reason != NULL)
        ck_assert_msg(strcmp(c.reason, k->reason) == 0,
                      "row %d \"%s\": expected the reason\n  %s\ngot\n  %s", _i, k->name, k->reason,
                      c.reason);
    else
        ck_assert_msg(strstr(c.reason, k->reason_part) != NULL,
                      "row %d \"%s\": expected a reason containing\n  %s\ngot\n  %s", _i, k->name,
                      k->reason_part, c.reason);
    if (k->no_evidence)
        ck_assert_msg(c.evidence == NULL, "row %d \"%s\": expected no evidence", _i, k->name);
    if (k->evidence != NULL) {
        json_t *want = J(k->evidence);
        char *got = json_dumps(c.evidence, JSON_SORT_KEYS | JSON_ENCODE_ANY);
        ck_assert_msg(holds(c.evidence, want),
                      "row %d \"%s\": expected evidence holding %s, got %s", _i, k->name,
                      k->evidence, got ? got : "(none)");
        free(got);
        json_decref(want);
    }
    if (k->extra != NULL)
        k->extra(&c, &o);
    json_decref(c.evidence);
    eh_observation_clear(&o);
    wire_free(&w);
}
END_TEST

/* ---- eh_event_matches(): the table ---- */

struct match_case {
    const char *name;
    struct eh_match match;
    const char *event; /* JSON with ' for " */
    bool matches;
};

#define RET_1_TO_12                                                                                \
    .call = "recv", .has_ret_min = true, .ret_min = 1, .has_ret_max = true, .ret_max = 12

static const struct match_case MATCH_CASES[] = {
    {"ret range: the maximum is inside", {RET_1_TO_12}, "{'call':'recv','ret':12}", true},
    {"ret range: below the minimum is outside", {RET_1_TO_12}, "{'call':'recv','ret':0}", false},
    {"ret range: no ret matches no range", {RET_1_TO_12}, "{'call':'recv'}", false},
    {"reason set matches a conn_end reason in it",
     {.call = "conn_end", .reasons = CONN_END_REASONS, .n_reasons = 3},
     "{'call':'conn_end','fd':4,'reason':'EPIPE'}",
     true},
    {"reason set does not match another reason",
     {.call = "conn_end", .reasons = CONN_END_REASONS, .n_reasons = 3},
     "{'call':'conn_end','fd':4,'reason':'timeout'}",
     false},
    {"EWOULDBLOCK matches EAGAIN",
     {.errnos = EWOULDBLOCK_ONLY, .n_errnos = 1},
     "{'call':'recv','ret':-1,'errno':'EAGAIN'}",
     true},
    {"laddr matches the same address",
     {.call = "accept", .laddr = "127.0.0.1:65432"},
     "{'call':'accept','laddr':'127.0.0.1:65432'}",
     true},
    {"laddr with port * matches any port, an IPv4-mapped address its IPv4 form",
     {.raddr = "127.0.0.1:*"},
     "{'call':'accept','raddr':'[::ffff:127.0.0.1]:40312'}",
     true},
    {"raddr of another host does not match",
     {.raddr = "[::ffff:127.0.0.1]:*"},
     "{'call':'accept','raddr':'[::1]:40312'}",
     false},
    {"laddr does not match an event without one",
     {.laddr = "127.0.0.1:*"},
     "{'call':'recv'}",
     false},
    {"elapsed inside near +- tolerance matches",
     {.has_elapsed = true, .elapsed_near_ms = 200, .elapsed_tolerance_ms = 50},
     "{'call':'recv','elapsed_us':249000}",
     true},
    {"elapsed outside near +- tolerance does not match",
     {.has_elapsed = true, .elapsed_near_ms = 200, .elapsed_tolerance_ms = 50},
     "{'call':'recv','elapsed_us':251000}",
     false},
    {"a skipped step matches nothing",
     {.call = "send"},
     "{'call':'send','skipped':'not connected'}",
     false},
};

START_TEST(test_match_case)
{
    const struct match_case *k = &MATCH_CASES[_i];
    json_t *ev = J(k->event);
    ck_assert_msg(eh_event_matches(&k->match, ev) == k->matches, "row %d \"%s\": expected %s", _i,
                  k->name, k->matches ? "a match" : "no match");
    json_decref(ev);
}
END_TEST

/* ---- eh_combine(): the table ---- */

struct combine_case {
    const char *name;
    enum eh_verdict run;       /* the run's own verdict */
    enum eh_verdict checks[4]; /* the checks' verdicts */
    size_t n;                  /* how many checks */
    enum eh_verdict combined;  /* the scenario's verdict */
};

static const struct combine_case COMBINE_CASES[] = {
    {"a run ERROR wins over the checks", EH_ERROR, {EH_PASS, EH_FAIL}, 2, EH_ERROR},
    {"a run TIMEOUT wins over the checks", EH_TIMED_OUT, {EH_PASS, EH_FAIL}, 2, EH_TIMED_OUT},
    {"FAIL beats ERROR", EH_PASS, {EH_ERROR, EH_PASS, EH_FAIL}, 3, EH_FAIL},
    {"ERROR without FAIL is ERROR", EH_PASS, {EH_PASS, EH_ERROR, EH_SKIP}, 3, EH_ERROR},
    {"all skipped is SKIP", EH_PASS, {EH_SKIP, EH_SKIP}, 2, EH_SKIP},
    {"PASS with some skipped is PASS", EH_PASS, {EH_SKIP, EH_PASS}, 2, EH_PASS},
};

START_TEST(test_combine_case)
{
    const struct combine_case *k = &COMBINE_CASES[_i];
    struct eh_check checks[4] = {0};
    for (size_t i = 0; i < k->n; i++)
        checks[i].verdict = k->checks[i];
    enum eh_verdict got = eh_combine(k->run, checks, k->n);
    ck_assert_msg(got == k->combined, "row %d \"%s\": expected %s, got %s", _i, k->name,
                  eh_verdict_name(k->combined), eh_verdict_name(got));
}
END_TEST

/* ---- eh_events_stream(), eh_evlog_read(), eh_observation_clear() ---- */

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
    struct role_setup server = {.log = "[{'call':'x'}]"}, client = {0};
    struct eh_observation o = {.roles = {role_obs(&server), role_obs(&client)}};
    eh_observation_clear(&o);
    ck_assert_ptr_null(o.roles[EH_SERVER].events);
    ck_assert_ptr_null(o.roles[EH_CLIENT].events);
    eh_observation_clear(&o);
}
END_TEST

static Suite *verdict_suite(void)
{
    Suite *s = suite_create("verdict");
    /* One test case per expectation kind, each a loop over its rows. */
    for (int start = 0, end; start < (int)N_OF(JUDGE_CASES); start = end) {
        enum eh_expect_kind kind = JUDGE_CASES[start].expect.kind;
        for (end = start; end < (int)N_OF(JUDGE_CASES) && JUDGE_CASES[end].expect.kind == kind;
             end++) {
        }
        TCase *tc = tcase_create(eh_expect_name(kind));
        tcase_add_loop_test(tc, test_judge_case, start, end);
        suite_add_tcase(s, tc);
    }
    TCase *tc = tcase_create("match");
    tcase_add_loop_test(tc, test_match_case, 0, (int)N_OF(MATCH_CASES));
    suite_add_tcase(s, tc);
    tc = tcase_create("combine");
    tcase_add_loop_test(tc, test_combine_case, 0, (int)N_OF(COMBINE_CASES));
    suite_add_tcase(s, tc);
    tc = tcase_create("events_stream");
    tcase_add_test(tc, test_events_stream_takes_ret_bytes_of_data);
    tcase_add_test(tc, test_events_stream_fails_on_missing_data);
    tcase_add_test(tc, test_events_stream_fails_on_bad_hex);
    suite_add_tcase(s, tc);
    tc = tcase_create("evlog");
    tcase_add_test(tc, test_evlog_read_turns_garbled_line_into_log_error);
    tcase_add_test(tc, test_evlog_read_stops_at_max_bytes);
    tcase_add_test(tc, test_evlog_read_of_missing_file_gives_log_error);
    tcase_add_test(tc, test_observation_clear_releases_event_logs);
    suite_add_tcase(s, tc);
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
