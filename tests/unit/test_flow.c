/* test_flow.c - TCP reassembly, close classification, echo check, UDP pairing.
 *
 * Packets are built as decoded structs (no bytes), between client
 * 127.0.0.1:40000 and server 127.0.0.1:65432; each test names one behaviour.
 */
#include "flow.h"

#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

static int64_t now_us;

/* One segment; the comment style follows tcpdump: C > S: Flags [P.], seq, "data". */
static struct eh_pkt seg(bool from_client, uint32_t seq, uint8_t flags, const void *data,
                         uint32_t len)
{
    struct eh_pkt p;
    memset(&p, 0, sizeof(p));
    p.time_us = now_us += 100;
    p.frame_len = 54 + len;
    p.family = 4;
    p.proto = IPPROTO_TCP;
    p.src[0] = p.dst[0] = 127;
    p.src[3] = p.dst[3] = 1;
    p.sport = from_client ? 40000 : 65432;
    p.dport = from_client ? 65432 : 40000;
    p.seq = seq;
    p.flags = flags;
    p.payload = data;
    p.payload_cap = p.payload_len = len;
    return p;
}

static void add(struct eh_flows *f, bool c, uint32_t seq, uint8_t flags, const char *data)
{
    struct eh_pkt p = seg(c, seq, flags, data, data ? (uint32_t)strlen(data) : 0);
    eh_flows_add(f, &p);
}

/* add() with an acknowledgement number. */
static void add_ack(struct eh_flows *f, bool c, uint32_t seq, uint8_t flags, uint32_t ack)
{
    struct eh_pkt p = seg(c, seq, flags, NULL, 0);
    p.ack = ack;
    eh_flows_add(f, &p);
}

#define C true
#define S false
#define SYN EH_TCP_SYN
#define SA (EH_TCP_SYN | EH_TCP_ACK)
#define A EH_TCP_ACK
#define PA (EH_TCP_PSH | EH_TCP_ACK)
#define FA (EH_TCP_FIN | EH_TCP_ACK)
#define R EH_TCP_RST

/* C > S: [S] seq isn_c; S > C: [S.] seq isn_s; C > S: [.] */
static struct eh_flows *open_conn(uint32_t isn_c, uint32_t isn_s)
{
    struct eh_flows *f = eh_flows_new();
    add(f, C, isn_c, SYN, NULL);
    add(f, S, isn_s, SA, NULL);
    struct eh_pkt p = seg(C, isn_c + 1, A, NULL, 0);
    p.ack = isn_s + 1;
    eh_flows_add(f, &p);
    return f;
}

static const struct eh_tcp_conn *finish1(struct eh_flows *f)
{
    eh_flows_finish(f);
    ck_assert_uint_eq(eh_flows_tcp_count(f), 1);
    return eh_flows_tcp(f, 0);
}

START_TEST(test_flow_retransmit_is_not_counted_twice)
{
    struct eh_flows *f = open_conn(1000, 5000);
    add(f, C, 1001, PA, "abcdef");
    add(f, C, 1001, PA, "abcdef"); /* retransmission */
    add(f, S, 5001, PA, "abcdef");
    const struct eh_tcp_conn *c = finish1(f);
    ck_assert(c->handshake);
    ck_assert_uint_eq(c->c2s.bytes, 6);
    ck_assert_uint_eq(c->c2s.retrans_bytes, 6);
    ck_assert_uint_eq(c->c2s.retrans_segments, 1);
    ck_assert_uint_eq(c->c2s.segments, 2);
    ck_assert_int_eq(c->echo.verdict, EH_WIRE_EXACT);
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_out_of_order_and_overlap_are_reassembled)
{
    struct eh_flows *f = open_conn(1000, 5000);
    add(f, C, 1011, PA, "KLMNO");   /* [10,15) ahead */
    add(f, C, 1006, PA, "FGHIJKL"); /* [5,12): 2 bytes overlap the buffered piece */
    add(f, C, 1001, PA, "ABCDEFG"); /* [0,7): fills the hole, 2 bytes overlap */
    add(f, S, 5001, PA, "ABCDEFGHIJKLMNO");
    const struct eh_tcp_conn *c = finish1(f);
    ck_assert_uint_eq(c->c2s.bytes, 15);
    ck_assert_uint_eq(c->c2s.retrans_bytes, 4);
    ck_assert_uint_eq(c->c2s.ooo_segments, 2);
    ck_assert_uint_eq(c->c2s.gap_bytes, 0);
    ck_assert_int_eq(c->echo.verdict, EH_WIRE_EXACT);
    ck_assert_uint_eq(c->echo.matched_bytes, 15);
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_sequence_wraps_past_2_32)
{
    struct eh_flows *f = open_conn(0xfffffff0u, 0xfffffffeu);
    add(f, C, 0xfffffff1u, PA, "0123456789abcdefghij"); /* crosses 2^32 */
    add(f, C, 0x00000005u, PA, "KLMNO");
    add(f, S, 0xffffffffu, PA, "0123456789abcdefghijKLMNO");
    add(f, C, 0x0000000au, FA, NULL);
    add(f, S, 0x00000018u, FA, NULL);
    const struct eh_tcp_conn *c = finish1(f);
    ck_assert_uint_eq(c->c2s.bytes, 25);
    ck_assert_uint_eq(c->s2c.bytes, 25);
    ck_assert_uint_eq(c->c2s.retrans_bytes, 0);
    ck_assert_int_eq(c->echo.verdict, EH_WIRE_EXACT);
    ck_assert_int_eq(c->close, EH_CLOSE_GRACEFUL);
    ck_assert_int_eq(c->closes[0].rel_seq, 25);
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_echo_names_first_difference)
{
    struct eh_flows *f = open_conn(1000, 5000);
    add(f, C, 1001, PA, "Hello, ");
    add(f, S, 5001, PA, "Hel");
    add(f, C, 1008, PA, "world");
    add(f, S, 5004, PA, "lo, wXrld");
    const struct eh_tcp_conn *c = finish1(f);
    ck_assert_int_eq(c->echo.verdict, EH_WIRE_DIFFERS);
    ck_assert(c->echo.has_diff);
    ck_assert_uint_eq(c->echo.diff_offset, 8);
    ck_assert_int_eq(c->echo.expected, 'o');
    ck_assert_int_eq(c->echo.got, 'X');
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_echo_prefix_extra_none)
{
    static const struct {
        const char *sent, *echoed;
        enum eh_wire_echo v;
    } t[] =
        {
            {"Hello", "He", EH_WIRE_PREFIX}, {"Hi", "Hi!", EH_WIRE_EXTRA},
            {"Hi", NULL, EH_WIRE_NONE},      {NULL, NULL, EH_WIRE_EMPTY},
            {NULL, "x", EH_WIRE_EXTRA}, /* the server spoke first: it is ahead */
        };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct eh_flows *f = open_conn(1000, 5000);
        if (t[i].sent)
            add(f, C, 1001, PA, t[i].sent);
        if (t[i].echoed)
            add(f, S, 5001, PA, t[i].echoed);
        const struct eh_tcp_conn *c = finish1(f);
        ck_assert_msg(c->echo.verdict == t[i].v, "case %zu: got %s", i,
                      eh_wire_echo_name(c->echo.verdict));
        eh_flows_free(f);
    }
}
END_TEST

START_TEST(test_flow_close_classes)
{
    struct eh_flows *f;
    const struct eh_tcp_conn *c;

    f = open_conn(1000, 5000); /* C:F. S:F. */
    add(f, C, 1001, FA, NULL);
    add(f, S, 5001, FA, NULL);
    c = finish1(f);
    ck_assert_int_eq(c->close, EH_CLOSE_GRACEFUL);
    ck_assert_int_eq(c->first_close_by, EH_SIDE_CLIENT);
    eh_flows_free(f);

    f = open_conn(1000, 5000); /* C:F. only */
    add(f, C, 1001, FA, NULL);
    ck_assert_int_eq(finish1(f)->close, EH_CLOSE_HALF_CLOSED);
    eh_flows_free(f);

    f = open_conn(1000, 5000);
    ck_assert_int_eq(finish1(f)->close, EH_CLOSE_UNFINISHED);
    eh_flows_free(f);

    f = open_conn(1000, 5000); /* C:P.12 S:. C:R. (SO_LINGER {1,0}) */
    add(f, C, 1001, PA, "Hello, world");
    add(f, C, 1013, R | A, NULL);
    c = finish1(f);
    ck_assert_int_eq(c->close, EH_CLOSE_CLIENT_ABORT);
    ck_assert(!c->data_after_close);
    eh_flows_free(f);

    f = open_conn(1000, 5000); /* C:P.1 S:F. C:P.1 S:R (server closed, data arrives) */
    add(f, C, 1001, PA, "a");
    add(f, S, 5001, FA, NULL);
    add(f, C, 1002, PA, "b");
    add(f, S, 5002, R, NULL);
    c = finish1(f);
    ck_assert_int_eq(c->close, EH_CLOSE_SERVER_RESET);
    ck_assert(c->data_after_close);
    ck_assert_uint_eq(c->c2s.after_peer_fin_bytes, 1);
    ck_assert_int_eq(c->first_close_by, EH_SIDE_SERVER);
    eh_flows_free(f);

    /* C:F. S:F. both acknowledged, then S:R answering a late duplicate ACK:
     * the connection was over, the RST is no close. */
    f = open_conn(1000, 5000);
    add_ack(f, C, 1001, FA, 5001);
    add_ack(f, S, 5001, FA, 1002); /* acknowledges the client's FIN */
    add_ack(f, C, 1002, A, 5002);  /* acknowledges the server's FIN */
    add(f, S, 5002, R, NULL);
    c = finish1(f);
    ck_assert_int_eq(c->close, EH_CLOSE_GRACEFUL);
    ck_assert_uint_eq(c->late_rsts, 1);
    ck_assert_uint_eq(c->s2c.rsts, 1);
    ck_assert(!c->data_after_close);
    eh_flows_free(f);

    /* The same with the server's FIN not yet acknowledged: a reset. */
    f = open_conn(1000, 5000);
    add_ack(f, C, 1001, FA, 5001);
    add_ack(f, S, 5001, FA, 1002);
    add(f, S, 5002, R, NULL);
    c = finish1(f);
    ck_assert_int_eq(c->close, EH_CLOSE_SERVER_RESET);
    ck_assert_uint_eq(c->late_rsts, 0);
    eh_flows_free(f);

    /* Both FINs acknowledged, then the client's RST|ACK: an application that
     * closed with unread data, an abortive close whatever came before. */
    f = open_conn(1000, 5000);
    add_ack(f, C, 1001, FA, 5001);
    add_ack(f, S, 5001, FA, 1002);
    add_ack(f, C, 1002, A, 5002);
    add_ack(f, C, 1002, R | A, 5002);
    ck_assert_int_eq(finish1(f)->close, EH_CLOSE_CLIENT_RESET);
    eh_flows_free(f);

    f = eh_flows_new(); /* C:S S:R. */
    add(f, C, 1000, SYN, NULL);
    add(f, S, 0, R | A, NULL);
    ck_assert_int_eq(finish1(f)->close, EH_CLOSE_REFUSED);
    eh_flows_free(f);

    f = eh_flows_new(); /* C:S C:S C:S, no answer */
    for (int i = 0; i < 3; i++)
        add(f, C, 1000, SYN, NULL);
    c = finish1(f);
    ck_assert_int_eq(c->close, EH_CLOSE_UNANSWERED);
    ck_assert_uint_eq(c->syns, 3);
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_port_reuse_with_new_isn_starts_new_connection)
{
    struct eh_flows *f = open_conn(1000, 5000);
    add(f, C, 1001, FA, NULL);
    add(f, S, 5001, FA, NULL);
    add(f, C, 90000, SYN, NULL);
    add(f, S, 70000, SA, NULL);
    add(f, C, 90001, PA, "again");
    eh_flows_finish(f);
    ck_assert_uint_eq(eh_flows_tcp_count(f), 2);
    ck_assert_int_eq(eh_flows_tcp(f, 0)->close, EH_CLOSE_GRACEFUL);
    ck_assert_uint_eq(eh_flows_tcp(f, 1)->c2s.bytes, 5);
    ck_assert_int_eq(eh_flows_tcp(f, 1)->close, EH_CLOSE_UNFINISHED);
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_mid_connection_first_sender_is_client)
{
    struct eh_flows *f = eh_flows_new();
    add(f, S, 777, PA, "late"); /* capture began after the handshake */
    const struct eh_tcp_conn *c = finish1(f);
    ck_assert_str_eq(c->client_rule, "first-packet");
    ck_assert_int_eq(c->client.port, 65432);
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_full_reorder_buffer_becomes_a_gap)
{
    static char one[2] = "x";
    struct eh_flows *f = open_conn(1000, 5000);
    /* byte 0 is never captured; 400 single bytes follow, each out of order */
    for (uint32_t i = 1; i <= 400; i++)
        add(f, C, 1001 + i, PA, one);
    const struct eh_tcp_conn *c = finish1(f);
    ck_assert_uint_eq(c->c2s.bytes, 401);
    ck_assert_uint_eq(c->c2s.gap_bytes, 1);
    ck_assert_int_eq(c->echo.verdict, EH_WIRE_UNVERIFIED);
    ck_assert_str_eq(c->echo.unverified, "stream-gap");
    ck_assert_uint_eq(eh_flows_anomalies(f)[EH_ANOM_TCP_STREAM_GAP], 1);
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_unechoed_window_is_bounded)
{
    static uint8_t chunk[65536];
    struct eh_flows *f = open_conn(1000, 5000);
    uint32_t seq = 1001;
    for (uint32_t sent = 0; sent <= EH_ECHO_WINDOW_MAX; sent += sizeof(chunk)) {
        struct eh_pkt p = seg(C, seq, PA, chunk, sizeof(chunk));
        eh_flows_add(f, &p);
        seq += sizeof(chunk);
    }
    const struct eh_tcp_conn *c = finish1(f);
    ck_assert_int_eq(c->echo.verdict, EH_WIRE_UNVERIFIED);
    ck_assert_str_eq(c->echo.unverified, "window-overflow");
    ck_assert_uint_eq(c->c2s.bytes, (uint64_t)EH_ECHO_WINDOW_MAX + sizeof(chunk));
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_rst_payload_is_not_stream_data)
{
    /* C > S: [P.] "Hello"; S > C: [P.] "Hello"; S > C: [R.] seq 5006,
     * length 9 "diag text" (RFC 9293 3.10.7.3: RST may carry diagnostic
     * data, which no receiver delivers) */
    struct eh_flows *f = open_conn(1000, 5000);
    add(f, C, 1001, PA, "Hello");
    add(f, S, 5001, PA, "Hello");
    add(f, S, 5006, R | A, "diag text");
    const struct eh_tcp_conn *c = finish1(f);
    ck_assert_uint_eq(c->s2c.bytes, 5);
    ck_assert_uint_eq(c->s2c.seg_max, 5);
    ck_assert_int_eq(c->echo.verdict, EH_WIRE_EXACT);
    ck_assert_int_eq(c->close, EH_CLOSE_SERVER_ABORT);
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_keepalive_below_snd_nxt_is_not_data)
{
    /* C > S: [P.] "abc"; S > C: [P.] "abc"; C > S: [.] seq 1003, length 1
     * (a keep-alive: one byte below snd_nxt, RFC 9293 3.8.4) twice */
    struct eh_flows *f = open_conn(1000, 5000);
    add(f, C, 1001, PA, "abc");
    add(f, S, 5001, PA, "abc");
    add(f, C, 1003, A, "x");
    add(f, C, 1003, A, "x");
    add(f, C, 1004, A, NULL); /* a Linux keep-alive: seq snd_nxt - 1, no payload */
    const struct eh_tcp_conn *c = finish1(f);
    ck_assert_uint_eq(c->c2s.bytes, 3);
    ck_assert_int_eq(c->echo.verdict, EH_WIRE_EXACT);
    ck_assert_uint_eq(c->echo.matched_bytes, 3);
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_fin_before_missing_data_is_not_a_gap)
{
    /* C > S: [F.] seq 1006 arrives first, then the 5 bytes before it */
    struct eh_flows *f = open_conn(1000, 5000);
    add(f, C, 1006, FA, NULL);
    add(f, C, 1001, PA, "Hello");
    add(f, S, 5001, PA, "Hello");
    add(f, S, 5006, FA, NULL);
    const struct eh_tcp_conn *c = finish1(f);
    ck_assert_uint_eq(c->c2s.bytes, 5);
    ck_assert_uint_eq(c->c2s.gap_bytes, 0);
    ck_assert_uint_eq(c->c2s.after_peer_fin_bytes, 0);
    ck_assert_int_eq(c->echo.verdict, EH_WIRE_EXACT);
    ck_assert_int_eq(c->close, EH_CLOSE_GRACEFUL);
    ck_assert_int_eq(c->closes[0].rel_seq, 5);
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_retransmitted_fin_is_recorded_once)
{
    struct eh_flows *f = open_conn(1000, 5000);
    add(f, C, 1001, PA, "ab");
    add(f, C, 1003, FA, NULL);
    add(f, C, 1003, FA, NULL); /* retransmitted */
    add(f, S, 5001, PA, "ab");
    add(f, S, 5003, FA, NULL);
    const struct eh_tcp_conn *c = finish1(f);
    ck_assert_uint_eq(c->c2s.fins, 2);
    ck_assert_uint_eq(c->n_closes, 2);
    ck_assert_uint_eq(c->c2s.bytes, 2);
    ck_assert_uint_eq(c->s2c.after_peer_fin_bytes, 2);
    ck_assert_int_eq(c->echo.verdict, EH_WIRE_EXACT);
    ck_assert_int_eq(c->close, EH_CLOSE_GRACEFUL);
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_retransmitted_syn_after_a_missed_syn_is_the_same_connection)
{
    /* the capture began after the SYN: S > C: [S.] seq 5000 ack 1001, then
     * the client retransmits its SYN (seq 1000) because the SYN-ACK was lost */
    struct eh_flows *f = eh_flows_new();
    struct eh_pkt p = seg(S, 5000, SA, NULL, 0);
    p.ack = 1001;
    eh_flows_add(f, &p);
    add(f, C, 1000, SYN, NULL);
    add(f, S, 5000, SA, NULL);
    add(f, C, 1001, PA, "hi");
    add(f, S, 5001, PA, "hi");
    eh_flows_finish(f);
    ck_assert_uint_eq(eh_flows_tcp_count(f), 1);
    ck_assert_int_eq(eh_flows_tcp(f, 0)->echo.verdict, EH_WIRE_EXACT);
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_zero_window_probe_byte_is_counted_once)
{
    /* C > S: [.] seq 1004, length 1 "d" (a zero-window probe carrying the
     * next byte), dropped by the receiver and sent again in the segment */
    struct eh_flows *f = open_conn(1000, 5000);
    add(f, C, 1001, PA, "abc");
    add(f, C, 1004, A, "d");
    add(f, C, 1004, PA, "defg");
    add(f, S, 5001, PA, "abcdefg");
    const struct eh_tcp_conn *c = finish1(f);
    ck_assert_uint_eq(c->c2s.bytes, 7);
    ck_assert_uint_eq(c->c2s.retrans_bytes, 1);
    ck_assert_int_eq(c->echo.verdict, EH_WIRE_EXACT);
    eh_flows_free(f);
}
END_TEST

static void udp(struct eh_flows *f, bool from_client, const char *data)
{
    struct eh_pkt p = seg(from_client, 0, 0, data, (uint32_t)strlen(data));
    p.proto = IPPROTO_UDP;
    eh_flows_add(f, &p);
}

START_TEST(test_flow_udp_pairs_earliest_request_and_keeps_empty)
{
    struct eh_flows *f = eh_flows_new();
    udp(f, C, "a");
    udp(f, C, "bb");
    udp(f, C, "");
    udp(f, S, "a");
    udp(f, S, "bb");
    udp(f, S, "");
    udp(f, C, "ccc");
    eh_flows_finish(f);
    ck_assert_uint_eq(eh_flows_udp_count(f), 1);
    const struct eh_udp_flow *u = eh_flows_udp(f, 0);
    ck_assert_uint_eq(u->c2s.datagrams, 4);
    ck_assert_uint_eq(u->c2s.empty, 1);
    ck_assert_uint_eq(u->s2c.n_sizes, 3);
    ck_assert_uint_eq(u->s2c.sizes[1], 2);
    ck_assert_uint_eq(u->pairs, 3);
    ck_assert_uint_eq(u->unanswered, 1);
    ck_assert_int_eq(u->echo.verdict, EH_WIRE_PREFIX);
    eh_flows_free(f);

    f = eh_flows_new();
    udp(f, C, "abc");
    udp(f, S, "ab");
    eh_flows_finish(f);
    u = eh_flows_udp(f, 0);
    ck_assert_int_eq(u->echo.verdict, EH_WIRE_DIFFERS);
    ck_assert_uint_eq(u->echo.diff_offset, 2);
    ck_assert_int_eq(u->echo.expected, 'c');
    ck_assert_int_eq(u->echo.got, -1);
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_segment_records_mark_offsets_flags_and_retransmissions)
{
    struct eh_flows *f = open_conn(1000, 5000); /* C:S S:S. C:. */
    add(f, C, 1001, PA, "abcdef");              /* C:P.6 seq 0 */
    add(f, C, 1001, PA, "abcdef");              /* again: a retransmission */
    add(f, S, 5001, PA, "abcdef");              /* S:P.6 seq 0 */
    add(f, C, 1007, FA, NULL);                  /* C:F. seq 6 */
    add(f, C, 1007, FA, NULL);                  /* the FIN again */
    add(f, S, 5007, R, NULL);                   /* S:R seq 6 */
    const struct eh_tcp_conn *c = finish1(f);
    const struct eh_seglog *l = &c->segs;
    ck_assert_uint_eq(l->total, 9);
    ck_assert_uint_eq(eh_seglog_kept(l), 9);
    ck_assert_uint_eq(eh_seglog_omitted(l), 0);
    static const char *const want[] = {"S", "S.", ".", "P.", "P.", "P.", "F.", "F.", "R"};
    static const bool retrans[] = {false, false, false, false, true, false, false, true, false};
    static const int64_t seqs[] = {0, 0, 0, 0, 0, 0, 6, 6, 6};
    for (size_t i = 0; i < 9; i++) {
        const struct eh_seg *g = eh_seglog_at(l, i);
        char flags[8];
        eh_seg_flags(g->flags, flags, sizeof(flags));
        ck_assert_str_eq(flags, want[i]);
        ck_assert_int_eq(g->retrans, retrans[i]);
        ck_assert_int_eq(g->seq, seqs[i]);
    }
    ck_assert_int_eq(eh_seglog_at(l, 1)->by, EH_SIDE_SERVER);
    ck_assert_uint_eq(eh_seglog_at(l, 3)->len, 6);
    ck_assert_ptr_null(eh_seglog_at(l, 9));
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_segment_records_keep_first_and_last_and_count_the_rest)
{
    struct eh_flows *f = open_conn(1000, 5000);
    for (uint32_t i = 0; i < 1000; i++)
        add(f, C, 1001 + i, PA, "x"); /* seq i */
    const struct eh_tcp_conn *c = finish1(f);
    const struct eh_seglog *l = &c->segs;
    ck_assert_uint_eq(l->total, 1003);
    ck_assert_uint_eq(l->n_first, EH_SEGLOG_FIRST);
    ck_assert_uint_eq(l->n_last, EH_SEGLOG_LAST);
    ck_assert_uint_eq(eh_seglog_omitted(l), 1003 - EH_SEGLOG_FIRST - EH_SEGLOG_LAST);
    ck_assert_int_eq(eh_seglog_at(l, EH_SEGLOG_FIRST - 1)->seq, EH_SEGLOG_FIRST - 4);
    ck_assert_int_eq(eh_seglog_at(l, EH_SEGLOG_FIRST)->seq, 1000 - EH_SEGLOG_LAST);
    ck_assert_int_eq(eh_seglog_at(l, EH_SEGLOG_FIRST + EH_SEGLOG_LAST - 1)->seq, 999);
    for (size_t i = 1; i < eh_seglog_kept(l); i++) /* capture order */
        ck_assert_int_lt(eh_seglog_at(l, i - 1)->time_us, eh_seglog_at(l, i)->time_us);
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_udp_datagram_records_name_the_sender)
{
    struct eh_flows *f = eh_flows_new();
    udp(f, C, "abc");
    udp(f, S, "abc");
    eh_flows_finish(f);
    const struct eh_seglog *l = &eh_flows_udp(f, 0)->segs;
    ck_assert_uint_eq(l->total, 2);
    ck_assert_int_eq(eh_seglog_at(l, 0)->by, EH_SIDE_CLIENT);
    ck_assert_int_eq(eh_seglog_at(l, 1)->by, EH_SIDE_SERVER);
    ck_assert_uint_eq(eh_seglog_at(l, 1)->len, 3);
    eh_flows_free(f);
}
END_TEST

START_TEST(test_flow_names_round_trip)
{
    for (int i = 0; i < EH_CLOSE_COUNT; i++) {
        enum eh_close_class c;
        ck_assert(eh_close_parse(eh_close_name((enum eh_close_class)i), &c));
        ck_assert_int_eq(c, i);
    }
    for (int i = 0; i < EH_WIRE_ECHO_COUNT; i++) {
        enum eh_wire_echo v;
        ck_assert(eh_wire_echo_parse(eh_wire_echo_name((enum eh_wire_echo)i), &v));
        ck_assert_int_eq(v, i);
    }
    struct eh_wire_addr e = {.family = 6, .port = 7};
    e.addr[15] = 1;
    char buf[EH_ENDPOINT_STRLEN];
    eh_wire_addr_format(&e, buf, sizeof(buf));
    ck_assert_str_eq(buf, "[::1]:7");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("flow");
    TCase *tc = tcase_create("flow");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_flow_retransmit_is_not_counted_twice);
    tcase_add_test(tc, test_flow_out_of_order_and_overlap_are_reassembled);
    tcase_add_test(tc, test_flow_sequence_wraps_past_2_32);
    tcase_add_test(tc, test_flow_echo_names_first_difference);
    tcase_add_test(tc, test_flow_echo_prefix_extra_none);
    tcase_add_test(tc, test_flow_close_classes);
    tcase_add_test(tc, test_flow_port_reuse_with_new_isn_starts_new_connection);
    tcase_add_test(tc, test_flow_mid_connection_first_sender_is_client);
    tcase_add_test(tc, test_flow_full_reorder_buffer_becomes_a_gap);
    tcase_add_test(tc, test_flow_unechoed_window_is_bounded);
    tcase_add_test(tc, test_flow_rst_payload_is_not_stream_data);
    tcase_add_test(tc, test_flow_keepalive_below_snd_nxt_is_not_data);
    tcase_add_test(tc, test_flow_fin_before_missing_data_is_not_a_gap);
    tcase_add_test(tc, test_flow_retransmitted_fin_is_recorded_once);
    tcase_add_test(tc, test_flow_retransmitted_syn_after_a_missed_syn_is_the_same_connection);
    tcase_add_test(tc, test_flow_zero_window_probe_byte_is_counted_once);
    tcase_add_test(tc, test_flow_udp_pairs_earliest_request_and_keeps_empty);
    tcase_add_test(tc, test_flow_segment_records_mark_offsets_flags_and_retransmissions);
    tcase_add_test(tc, test_flow_segment_records_keep_first_and_last_and_count_the_rest);
    tcase_add_test(tc, test_flow_udp_datagram_records_name_the_sender);
    tcase_add_test(tc, test_flow_names_round_trip);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
