/* fuzz_flow.c - libFuzzer target: a sequence of frames through decoding and flow tracking.
 *
 * The input is a link type and a list of frames, in a form simpler to
 * mutate than a capture file (fuzz/make-corpus.py turns the test captures
 * into it):
 *   byte 0       the link type: an index into eh_fuzz_linktypes (fuzz.h),
 *                modulo their count
 *   then, per frame:
 *     2 bytes    captured length, little-endian (cut to what is left)
 *     1 byte     bytes the wire carried beyond the capture
 *     1 byte     milliseconds since the previous frame
 *     the captured bytes
 * Each frame goes through eh_decode() and, when it is TCP or UDP,
 * eh_flows_add(), as eh_analyze_file() does. Checked after eh_flows_finish():
 * the counters of every connection and exchange agree with each other and
 * the verdicts are in range; the analysis JSON is built.
 */
#include "analyze.h"
#include "decode.h"
#include "flow.h"
#include "fuzz.h"

#include <string.h>

static void check_echo(const struct eh_echo *e, uint64_t sent, uint64_t echoed)
{
    EH_FUZZ_CHECK((unsigned)e->verdict < EH_WIRE_ECHO_COUNT);
    EH_FUZZ_CHECK(e->matched_bytes <= sent && e->matched_bytes <= echoed);
    EH_FUZZ_CHECK(e->expected >= -1 && e->expected <= 255);
    EH_FUZZ_CHECK(e->got >= -1 && e->got <= 255);
    EH_FUZZ_CHECK(e->has_diff == (e->verdict == EH_WIRE_DIFFERS));
    EH_FUZZ_CHECK((e->unverified != NULL) == (e->verdict == EH_WIRE_UNVERIFIED) || e->has_diff);
}

static void check_tcp_dir(const struct eh_tcp_dir *d)
{
    EH_FUZZ_CHECK(d->seg_min <= d->seg_max);
    EH_FUZZ_CHECK(d->segments <= d->packets);
    EH_FUZZ_CHECK(d->retrans_segments <= d->segments);
    EH_FUZZ_CHECK(d->gap_bytes <= d->bytes);
}

static void check_tcp(const struct eh_tcp_conn *c)
{
    EH_FUZZ_CHECK(c->client_rule != NULL);
    EH_FUZZ_CHECK(strcmp(c->client_rule, "syn") == 0 || strcmp(c->client_rule, "syn-ack") == 0 ||
                  strcmp(c->client_rule, "first-packet") == 0);
    EH_FUZZ_CHECK(c->first_us <= c->last_us);
    EH_FUZZ_CHECK(c->n_closes <= EH_MAX_CLOSE_EVENTS);
    EH_FUZZ_CHECK(c->closed == (c->n_closes > 0));
    EH_FUZZ_CHECK((unsigned)c->close < EH_CLOSE_COUNT);
    EH_FUZZ_CHECK(c->client.family == c->server.family);
    check_tcp_dir(&c->c2s);
    check_tcp_dir(&c->s2c);
    check_echo(&c->echo, c->c2s.bytes, c->s2c.bytes);
}

static void check_udp_dir(const struct eh_udp_dir *d)
{
    EH_FUZZ_CHECK(d->min <= d->max);
    EH_FUZZ_CHECK(d->empty <= d->datagrams);
    EH_FUZZ_CHECK(d->n_sizes <= EH_UDP_SIZES_MAX && d->n_sizes <= d->datagrams);
    EH_FUZZ_CHECK(d->n_sizes == d->datagrams || d->n_sizes == EH_UDP_SIZES_MAX);
    uint64_t sum = 0;
    for (size_t i = 0; i < d->n_sizes; i++) {
        EH_FUZZ_CHECK(d->sizes[i] >= d->min && d->sizes[i] <= d->max);
        sum += d->sizes[i];
    }
    EH_FUZZ_CHECK(d->n_sizes < d->datagrams || sum == d->bytes);
}

static void check_udp(const struct eh_udp_flow *u)
{
    EH_FUZZ_CHECK(u->first_us <= u->last_us);
    EH_FUZZ_CHECK(u->c2s.datagrams > 0); /* the client sent the first datagram */
    check_udp_dir(&u->c2s);
    check_udp_dir(&u->s2c);
    EH_FUZZ_CHECK(u->pairs + u->unanswered == u->c2s.datagrams);
    EH_FUZZ_CHECK(u->pairs + u->unsolicited == u->s2c.datagrams);
    check_echo(&u->echo, u->c2s.bytes, u->s2c.bytes);
}

/* Decodes the frames of the input into a; returns the decoder (caller frees). */
static struct eh_decoder *feed(const uint8_t *data, size_t size, struct eh_analysis *a)
{
    struct eh_decoder *d = eh_decoder_new(a->linktype);
    EH_FUZZ_CHECK(d != NULL);
    int64_t t = 1700000000000000;
    struct eh_pkt pkt;
    for (size_t at = 1; at + 4 <= size;) {
        uint32_t caplen = (uint32_t)data[at] | (uint32_t)data[at + 1] << 8;
        uint32_t extra = data[at + 2];
        t += (int64_t)data[at + 3] * 1000;
        at += 4;
        if (caplen > size - at)
            caplen = (uint32_t)(size - at);
        if (a->packets++ == 0)
            a->first_us = t;
        a->last_us = t;
        switch (eh_decode(d, data + at, caplen, caplen + extra, t, &pkt)) {
        case EH_DEC_TCP:
            a->tcp_segments++;
            eh_flows_add(a->flows, &pkt);
            break;
        case EH_DEC_UDP:
            a->udp_datagrams++;
            eh_flows_add(a->flows, &pkt);
            break;
        case EH_DEC_OTHER:
        case EH_DEC_HELD:
        case EH_DEC_BAD:
            break;
        }
        at += caplen;
    }
    return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct eh_analysis a = {.linktype = eh_fuzz_linktypes[data[0] % EH_FUZZ_N_LINKTYPES]};
    a.flows = eh_flows_new();
    EH_FUZZ_CHECK(a.flows != NULL);
    struct eh_decoder *d = feed(data, size, &a);
    eh_decoder_finish(d);
    eh_flows_finish(a.flows);
    eh_decoder_stats(d, &a.decode);
    const uint64_t *da = eh_decoder_anomalies(d), *fa = eh_flows_anomalies(a.flows);
    for (int i = 0; i < EH_ANOM_COUNT; i++) {
        a.anomalies[i] = da[i] + fa[i];
        a.anomaly_total += a.anomalies[i];
    }
    eh_decoder_free(d);
    uint64_t segments = 0, datagrams = 0;
    for (size_t i = 0; i < eh_flows_tcp_count(a.flows); i++) {
        const struct eh_tcp_conn *c = eh_flows_tcp(a.flows, i);
        check_tcp(c);
        segments += c->c2s.packets + c->s2c.packets;
    }
    for (size_t i = 0; i < eh_flows_udp_count(a.flows); i++) {
        const struct eh_udp_flow *u = eh_flows_udp(a.flows, i);
        check_udp(u);
        datagrams += u->c2s.datagrams + u->s2c.datagrams;
    }
    EH_FUZZ_CHECK(segments <= a.tcp_segments);
    EH_FUZZ_CHECK(datagrams == a.udp_datagrams);
    json_t *j = eh_analysis_to_json(&a);
    EH_FUZZ_CHECK(j != NULL);
    json_decref(j);
    eh_flows_free(a.flows);
    return 0;
}
