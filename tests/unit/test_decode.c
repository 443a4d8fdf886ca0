/* test_decode.c - the packet decoder on byte-array fixtures.
 *
 * Each fixture carries the tcpdump line of the frame it holds. Besides the
 * happy paths, every prefix of a frame is decoded as a truncated capture:
 * the result must be a named anomaly or a correct decode, never a read
 * outside the captured bytes (run under EH_SANITIZE=ON to prove the latter).
 */
#include "decode.h"

#include <check.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

/* 127.0.0.1.40000 > 127.0.0.1.65432: Flags [S], seq 1000, win 65535,
 *   options [mss 65495,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0 */
static const uint8_t en10mb_syn[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x45,
    0x00, 0x00, 0x3c, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x3c, 0xb9, 0x7f, 0x00, 0x00, 0x01,
    0x7f, 0x00, 0x00, 0x01, 0x9c, 0x40, 0xff, 0x98, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00,
    0x00, 0xa0, 0x02, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0xff, 0xd7, 0x04, 0x02,
    0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

/* (SLL2) ::1.40000 > ::1.65432: Flags [P.], seq 1001:1013, ack 5001,
 *   win 65535, length 12 ("Hello, world") */
static const uint8_t sll2_ipv6_data[] = {
    0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x06, 0x40, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x9c, 0x40, 0xff, 0x98,
    0x00, 0x00, 0x03, 0xe9, 0x00, 0x00, 0x13, 0x89, 0x50, 0x18, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
    0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x2c, 0x20, 0x77, 0x6f, 0x72, 0x6c, 0x64,
};

/* (RAW) 10.0.0.1.5353 > 10.0.0.2.7: UDP, length 3 ("abc"); IPv4 header with
 * one 4-byte option (NOP NOP NOP EOL), IHL 6 */
static const uint8_t raw_ipv4_opts_udp[] = {
    0x46, 0x00, 0x00, 0x23, 0x00, 0x02, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00,
    0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x01, 0x01, 0x01, 0x00,
    0x14, 0xe9, 0x00, 0x07, 0x00, 0x0b, 0x00, 0x00, 0x61, 0x62, 0x63,
};

static enum eh_decode_result decode1(int dlt, const uint8_t *f, uint32_t caplen, uint32_t len,
                                     struct eh_pkt *p, enum eh_anomaly *anom)
{
    struct eh_decoder *d = eh_decoder_new(dlt);
    enum eh_decode_result r = eh_decode(d, f, caplen, len, 1, p);
    *anom = EH_ANOM_COUNT;
    for (int i = 0; i < EH_ANOM_COUNT; i++)
        if (eh_decoder_anomalies(d)[i])
            *anom = (enum eh_anomaly)i;
    eh_decoder_free(d);
    return r;
}

START_TEST(test_decode_en10mb_syn_reads_header_and_options)
{
    struct eh_pkt p;
    enum eh_anomaly a;
    ck_assert_int_eq(
        decode1(DLT_EN10MB, en10mb_syn, sizeof(en10mb_syn), sizeof(en10mb_syn), &p, &a),
        EH_DEC_TCP);
    ck_assert_int_eq(a, EH_ANOM_COUNT);
    ck_assert_int_eq(p.family, 4);
    ck_assert_int_eq(p.sport, 40000);
    ck_assert_int_eq(p.dport, 65432);
    ck_assert_uint_eq(p.seq, 1000);
    ck_assert_int_eq(p.flags, EH_TCP_SYN);
    ck_assert(p.opts.has_mss && p.opts.mss == 65495);
    ck_assert(p.opts.has_wscale && p.opts.wscale == 7);
    ck_assert(p.opts.sack_permitted);
    ck_assert(p.opts.has_timestamps && p.opts.ts_val == 1 && p.opts.ts_ecr == 0);
    ck_assert_uint_eq(p.payload_len, 0);
    ck_assert_uint_eq(p.frame_len, sizeof(en10mb_syn));
}
END_TEST

START_TEST(test_decode_sll2_ipv6_payload)
{
    struct eh_pkt p;
    enum eh_anomaly a;
    ck_assert_int_eq(decode1(DLT_LINUX_SLL2, sll2_ipv6_data, sizeof(sll2_ipv6_data),
                             sizeof(sll2_ipv6_data), &p, &a),
                     EH_DEC_TCP);
    ck_assert_int_eq(p.family, 6);
    ck_assert_int_eq(p.src[15], 1);
    ck_assert_uint_eq(p.seq, 1001);
    ck_assert_uint_eq(p.ack, 5001);
    ck_assert_uint_eq(p.payload_len, 12);
    ck_assert_uint_eq(p.payload_cap, 12);
    ck_assert(memcmp(p.payload, "Hello, world", 12) == 0);
}
END_TEST

START_TEST(test_decode_raw_ipv4_with_options_udp)
{
    struct eh_pkt p;
    enum eh_anomaly a;
    ck_assert_int_eq(decode1(DLT_RAW, raw_ipv4_opts_udp, sizeof(raw_ipv4_opts_udp),
                             sizeof(raw_ipv4_opts_udp), &p, &a),
                     EH_DEC_UDP);
    ck_assert_int_eq(p.sport, 5353);
    ck_assert_int_eq(p.dport, 7);
    ck_assert_uint_eq(p.payload_len, 3);
    ck_assert(memcmp(p.payload, "abc", 3) == 0);
    ck_assert_int_eq(p.dst[3], 2);
}
END_TEST

START_TEST(test_decode_null_and_loop_accept_both_byte_orders)
{
    static const uint32_t afs[] = {0x02000000, 0x00000002}; /* AF_INET, LE and BE */
    uint8_t f[4 + sizeof(raw_ipv4_opts_udp)];
    memcpy(f + 4, raw_ipv4_opts_udp, sizeof(raw_ipv4_opts_udp));
    for (int dlt = 0; dlt < 2; dlt++) {
        for (int i = 0; i < 2; i++) {
            struct eh_pkt p;
            enum eh_anomaly a;
            memcpy(f, &afs[i], 4);
            ck_assert_int_eq(decode1(dlt ? DLT_LOOP : DLT_NULL, f, sizeof(f), sizeof(f), &p, &a),
                             EH_DEC_UDP);
        }
    }
}
END_TEST

START_TEST(test_decode_vlan_tag_is_skipped)
{
    uint8_t f[sizeof(en10mb_syn) + 4];
    memcpy(f, en10mb_syn, 12);
    memcpy(f + 12, "\x81\x00\x00\x05", 4); /* 802.1Q, VLAN 5 */
    memcpy(f + 16, en10mb_syn + 12, sizeof(en10mb_syn) - 12);
    struct eh_pkt p;
    enum eh_anomaly a;
    ck_assert_int_eq(decode1(DLT_EN10MB, f, sizeof(f), sizeof(f), &p, &a), EH_DEC_TCP);
    ck_assert_int_eq(p.sport, 40000);
}
END_TEST

START_TEST(test_decode_every_prefix_is_an_anomaly_or_a_decode)
{
    for (uint32_t k = 0; k <= sizeof(en10mb_syn); k++) {
        uint8_t *copy = malloc(k ? k : 1); /* exact size, so ASan sees any overread */
        memcpy(copy, en10mb_syn, k);
        struct eh_pkt p;
        enum eh_anomaly a;
        enum eh_decode_result r = decode1(DLT_EN10MB, copy, k, sizeof(en10mb_syn), &p, &a);
        if (k < 14)
            ck_assert_int_eq(a, EH_ANOM_UNDERSIZED_LINK);
        else if (k < 14 + 20)
            ck_assert_int_eq(a, EH_ANOM_UNDERSIZED_IPV4);
        else if (k < 14 + 20 + 40)
            ck_assert_int_eq(a, EH_ANOM_UNDERSIZED_TCP);
        else
            ck_assert_int_eq(r, EH_DEC_TCP);
        ck_assert(r == EH_DEC_TCP || r == EH_DEC_BAD);
        free(copy);
    }
    for (uint32_t k = 0; k < sizeof(sll2_ipv6_data); k++) {
        uint8_t *copy = malloc(k ? k : 1);
        memcpy(copy, sll2_ipv6_data, k);
        struct eh_pkt p;
        enum eh_anomaly a;
        enum eh_decode_result r = decode1(DLT_LINUX_SLL2, copy, k, sizeof(sll2_ipv6_data), &p, &a);
        if (k >= 20 + 40 + 20) { /* headers complete: payload truncated */
            ck_assert_int_eq(r, EH_DEC_TCP);
            ck_assert_int_eq(a, EH_ANOM_TRUNCATED_PAYLOAD);
            ck_assert_uint_eq(p.payload_cap, k - 80);
            ck_assert_uint_eq(p.payload_len, 12);
        } else {
            ck_assert_int_eq(r, EH_DEC_BAD);
        }
        free(copy);
    }
}
END_TEST

START_TEST(test_decode_bad_ihl_and_bad_tcp_offset_are_named)
{
    uint8_t f[sizeof(en10mb_syn)];
    struct eh_pkt p;
    enum eh_anomaly a;
    memcpy(f, en10mb_syn, sizeof(f));
    f[14] = 0x43; /* IHL 3 */
    ck_assert_int_eq(decode1(DLT_EN10MB, f, sizeof(f), sizeof(f), &p, &a), EH_DEC_BAD);
    ck_assert_int_eq(a, EH_ANOM_BAD_IPV4_IHL);
    memcpy(f, en10mb_syn, sizeof(f));
    f[14 + 20 + 12] = 0x30; /* data offset 3 */
    ck_assert_int_eq(decode1(DLT_EN10MB, f, sizeof(f), sizeof(f), &p, &a), EH_DEC_BAD);
    ck_assert_int_eq(a, EH_ANOM_BAD_TCP_OFFSET);
    f[14 + 20 + 12] = 0xf0; /* data offset 15: 60 bytes, beyond the 40-byte segment */
    ck_assert_int_eq(decode1(DLT_EN10MB, f, sizeof(f), sizeof(f), &p, &a), EH_DEC_BAD);
    ck_assert_int_eq(a, EH_ANOM_BAD_TCP_OFFSET);
    memcpy(f, en10mb_syn, sizeof(f));
    f[14 + 20 + 21] = 9; /* MSS option length 9 runs past the options */
    ck_assert_int_eq(decode1(DLT_EN10MB, f, sizeof(f), sizeof(f), &p, &a), EH_DEC_TCP);
    ck_assert_int_eq(a, EH_ANOM_BAD_TCP_OPTION);
}
END_TEST

START_TEST(test_decode_unknown_linktype_is_counted)
{
    struct eh_pkt p;
    enum eh_anomaly a;
    ck_assert_int_eq(decode1(147, en10mb_syn, sizeof(en10mb_syn), sizeof(en10mb_syn), &p, &a),
                     EH_DEC_BAD);
    ck_assert_int_eq(a, EH_ANOM_UNKNOWN_LINKTYPE);
    ck_assert_str_eq(eh_anomaly_name(a), "unknown-linktype");
}
END_TEST

/* Builds an IPv6 fragment of a UDP datagram: RAW link type. */
static size_t ipv6_frag(uint8_t *f, const uint8_t *dg, size_t off, size_t n, bool more)
{
    memset(f, 0, 48);
    f[0] = 0x60;
    f[4] = (uint8_t)((8 + n) >> 8);
    f[5] = (uint8_t)(8 + n);
    f[6] = 44; /* fragment header */
    f[7] = 64;
    f[23] = 1;
    f[39] = 1;
    f[40] = IPPROTO_UDP;
    f[42] = (uint8_t)(off >> 8);
    f[43] = (uint8_t)((off & 0xf8) | (more ? 1 : 0));
    f[47] = 42; /* identification */
    memcpy(f + 48, dg + off, n);
    return 48 + n;
}

START_TEST(test_decode_ipv6_fragments_are_reassembled_in_any_order)
{
    /* ::1.5000 > ::1.7: UDP, length 100, as frag (0|56) and (56|52) */
    uint8_t dg[108], f[256];
    dg[0] = 0x13, dg[1] = 0x88, dg[2] = 0, dg[3] = 7, dg[4] = 0, dg[5] = 108, dg[6] = dg[7] = 0;
    for (int i = 8; i < 108; i++)
        dg[i] = (uint8_t)i;
    struct eh_decoder *d = eh_decoder_new(DLT_RAW);
    struct eh_pkt p;
    size_t n = ipv6_frag(f, dg, 56, 52, false);
    ck_assert_int_eq(eh_decode(d, f, (uint32_t)n, (uint32_t)n, 1, &p), EH_DEC_HELD);
    n = ipv6_frag(f, dg, 0, 56, true);
    ck_assert_int_eq(eh_decode(d, f, (uint32_t)n, (uint32_t)n, 2, &p), EH_DEC_UDP);
    ck_assert_uint_eq(p.payload_len, 100);
    ck_assert(memcmp(p.payload, dg + 8, 100) == 0);
    /* the same first fragment twice overlaps: dropped and named */
    ck_assert_int_eq(eh_decode(d, f, (uint32_t)n, (uint32_t)n, 3, &p), EH_DEC_HELD);
    ck_assert_int_eq(eh_decode(d, f, (uint32_t)n, (uint32_t)n, 4, &p), EH_DEC_BAD);
    ck_assert_uint_eq(eh_decoder_anomalies(d)[EH_ANOM_BAD_FRAGMENT], 1);
    ck_assert_int_eq(eh_decode(d, f, (uint32_t)n, (uint32_t)n, 5, &p), EH_DEC_HELD);
    eh_decoder_finish(d);
    ck_assert_uint_eq(eh_decoder_anomalies(d)[EH_ANOM_INCOMPLETE_FRAGMENTS], 1);
    struct eh_decode_stats st;
    eh_decoder_stats(d, &st);
    ck_assert_uint_eq(st.fragments, 5);
    ck_assert_uint_eq(st.reassembled, 1);
    eh_decoder_free(d);
}
END_TEST

START_TEST(test_decode_fragment_beyond_the_end_with_a_hole_is_not_reassembled)
{
    /* ::1.5000 > ::1.7: UDP, length 16, as frag (0|8), (32|8) and the last
     * (16|8): 24 bytes arrived for a 24-byte datagram, but [8,16) is a hole
     * and [32,40) lies beyond the end. Decoding it would read bytes that
     * never arrived. */
    uint8_t dg[40], f[128];
    memset(dg, 0xab, sizeof(dg));
    dg[0] = 0x13, dg[1] = 0x88, dg[2] = 0, dg[3] = 7, dg[4] = 0, dg[5] = 24, dg[6] = dg[7] = 0;
    struct eh_decoder *d = eh_decoder_new(DLT_RAW);
    struct eh_pkt p;
    size_t n = ipv6_frag(f, dg, 0, 8, true);
    ck_assert_int_eq(eh_decode(d, f, (uint32_t)n, (uint32_t)n, 1, &p), EH_DEC_HELD);
    n = ipv6_frag(f, dg, 32, 8, true);
    ck_assert_int_eq(eh_decode(d, f, (uint32_t)n, (uint32_t)n, 2, &p), EH_DEC_HELD);
    n = ipv6_frag(f, dg, 16, 8, false);
    ck_assert_int_eq(eh_decode(d, f, (uint32_t)n, (uint32_t)n, 3, &p), EH_DEC_BAD);
    ck_assert_uint_eq(eh_decoder_anomalies(d)[EH_ANOM_BAD_FRAGMENT], 1);
    eh_decoder_free(d);
}
END_TEST

START_TEST(test_decode_random_bytes_never_crash)
{
    static const int dlts[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_RAW};
    unsigned seed = 862;
    for (int dl = 0; dl < 5; dl++) {
        struct eh_decoder *d = eh_decoder_new(dlts[dl]);
        for (int i = 0; i < 20000; i++) {
            uint32_t n = (uint32_t)(rand_r(&seed) % 120);
            uint8_t *f = malloc(n ? n : 1);
            for (uint32_t k = 0; k < n; k++)
                f[k] = (uint8_t)rand_r(&seed);
            if (n > 21 && (i & 1)) /* mostly plausible: IPv4 or IPv6 after the link header */
                f[dl == 2   ? 20
                  : dl == 1 ? 16
                  : dl == 3 ? 4
                  : dl == 4 ? 0
                            : 14] = (i & 2) ? 0x45 : 0x60;
            struct eh_pkt p;
            eh_decode(d, f, n, n + (uint32_t)(rand_r(&seed) % 3), i, &p);
            free(f);
        }
        eh_decoder_finish(d);
        eh_decoder_free(d);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decode");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, test_decode_en10mb_syn_reads_header_and_options);
    tcase_add_test(tc, test_decode_sll2_ipv6_payload);
    tcase_add_test(tc, test_decode_raw_ipv4_with_options_udp);
    tcase_add_test(tc, test_decode_null_and_loop_accept_both_byte_orders);
    tcase_add_test(tc, test_decode_vlan_tag_is_skipped);
    tcase_add_test(tc, test_decode_every_prefix_is_an_anomaly_or_a_decode);
    tcase_add_test(tc, test_decode_bad_ihl_and_bad_tcp_offset_are_named);
    tcase_add_test(tc, test_decode_unknown_linktype_is_counted);
    tcase_add_test(tc, test_decode_ipv6_fragments_are_reassembled_in_any_order);
    tcase_add_test(tc, test_decode_fragment_beyond_the_end_with_a_hole_is_not_reassembled);
    tcase_add_test(tc, test_decode_random_bytes_never_crash);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
