/* analyze.c - read a capture, decode, track flows; JSON and table.
 *
 * The read loop is pcap_next_ex() -> eh_decode() -> eh_flows_add(), with no
 * allocation per packet. See analyze.h for the JSON form.
 */
#include "analyze.h"

#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

eh_status eh_analyze_file(const char *pcap_path, struct eh_analysis **out, struct eh_error *err)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    *out = NULL;
    pcap_t *p = pcap_open_offline(pcap_path, errbuf);
    if (p == NULL) {
        size_t n = strlen(pcap_path); /* libpcap often names the file itself */
        bool named = strncmp(errbuf, pcap_path, n) == 0 && errbuf[n] == ':';
        eh_error_set(err, "%s%s%s", named ? "" : pcap_path, named ? "" : ": ", errbuf);
        return EH_ERR;
    }
    struct eh_analysis *a = calloc(1, sizeof(*a));
    struct eh_decoder *d = a ? eh_decoder_new(pcap_datalink(p)) : NULL;
    if (a != NULL)
        a->flows = eh_flows_new();
    if (a == NULL || d == NULL || a->flows == NULL) {
        eh_error_set(err, "%s: out of memory", pcap_path);
        eh_decoder_free(d);
        eh_analysis_free(a);
        pcap_close(p);
        return EH_ERR;
    }
    a->linktype = pcap_datalink(p);
    struct pcap_pkthdr *h;
    const u_char *data;
    struct eh_pkt pkt;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        int64_t t = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
        if (a->packets++ == 0)
            a->first_us = t;
        a->last_us = t;
        a->frame_bytes += h->len;
        switch (eh_decode(d, data, h->caplen, h->len, t, &pkt)) {
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
    }
    if (rc == PCAP_ERROR) {
        eh_decoder_count(d, EH_ANOM_UNREADABLE_RECORD);
        snprintf(a->read_error, sizeof(a->read_error), "%s", pcap_geterr(p));
    }
    eh_decoder_finish(d);
    eh_flows_finish(a->flows);
    eh_decoder_stats(d, &a->decode);
    const uint64_t *da = eh_decoder_anomalies(d), *fa = eh_flows_anomalies(a->flows);
    for (int i = 0; i < EH_ANOM_COUNT; i++) {
        a->anomalies[i] = da[i] + fa[i];
        a->anomaly_total += a->anomalies[i];
    }
    for (size_t i = 0; i < eh_flows_tcp_count(a->flows); i++) {
        const struct eh_tcp_conn *c = eh_flows_tcp(a->flows, i);
        a->syn_unanswered += c->close == EH_CLOSE_UNANSWERED;
        a->refused += c->close == EH_CLOSE_REFUSED;
    }
    eh_decoder_free(d);
    pcap_close(p);
    *out = a;
    return EH_OK;
}

const struct eh_flows *eh_analysis_flows(const struct eh_analysis *a)
{
    return a->flows;
}

void eh_analysis_free(struct eh_analysis *a)
{
    if (a == NULL)
        return;
    eh_flows_free(a->flows);
    free(a);
}

/* ---- JSON ---- */

static json_t *jint(uint64_t v)
{
    return json_integer((json_int_t)v);
}

static json_t *endpoint_json(const struct eh_wire_addr *e)
{
    char buf[EH_ENDPOINT_STRLEN];
    eh_wire_addr_format(e, buf, sizeof(buf));
    return json_string(buf);
}

static json_t *byte_json(int b)
{
    return b < 0 ? json_null() : json_integer(b);
}

static json_t *echo_json(const struct eh_echo *e, bool udp)
{
    json_t *j = json_object();
    json_object_set_new(j, "verdict", json_string(eh_wire_echo_name(e->verdict)));
    json_object_set_new(j, "matched_bytes", jint(e->matched_bytes));
    if (e->has_diff) {
        json_t *d = json_object();
        if (udp)
            json_object_set_new(d, "datagram", jint(e->diff_datagram));
        json_object_set_new(d, "offset", jint(e->diff_offset));
        json_object_set_new(d, "expected", byte_json(e->expected));
        json_object_set_new(d, "got", byte_json(e->got));
        json_object_set_new(j, "first_difference", d);
    }
    if (e->unverified != NULL)
        json_object_set_new(j, "unverified", json_string(e->unverified));
    return j;
}

static json_t *tcp_dir_json(const struct eh_tcp_dir *d)
{
    const struct eh_tcp_opts *o = &d->syn_opts;
    json_t *j = json_object();
    json_object_set_new(j, "packets", jint(d->packets));
    json_object_set_new(j, "frame_bytes", jint(d->frame_bytes));
    json_object_set_new(j, "bytes", jint(d->bytes));
    json_object_set_new(j, "segments", jint(d->segments));
    json_object_set_new(j, "seg_min", jint(d->seg_min));
    json_object_set_new(j, "seg_max", jint(d->seg_max));
    json_object_set_new(j, "retransmitted_bytes", jint(d->retrans_bytes));
    json_object_set_new(j, "retransmitted_segments", jint(d->retrans_segments));
    json_object_set_new(j, "out_of_order_segments", jint(d->ooo_segments));
    json_object_set_new(j, "gap_bytes", jint(d->gap_bytes));
    json_object_set_new(j, "after_peer_fin_bytes", jint(d->after_peer_fin_bytes));
    json_object_set_new(j, "fins", jint(d->fins));
    json_object_set_new(j, "rsts", jint(d->rsts));
    json_object_set_new(j, "isn", d->isn_known ? jint(d->isn) : json_null());
    json_object_set_new(j, "mss", o->has_mss ? jint(o->mss) : json_null());
    json_object_set_new(j, "wscale", o->has_wscale ? jint(o->wscale) : json_null());
    json_object_set_new(j, "sack_permitted", json_boolean(o->sack_permitted));
    json_object_set_new(j, "timestamps", json_boolean(o->has_timestamps));
    return j;
}

static json_t *udp_dir_json(const struct eh_udp_dir *d)
{
    json_t *sizes = json_array();
    for (size_t i = 0; i < d->n_sizes; i++)
        json_array_append_new(sizes, jint(d->sizes[i]));
    json_t *j = json_object();
    json_object_set_new(j, "datagrams", jint(d->datagrams));
    json_object_set_new(j, "bytes", jint(d->bytes));
    json_object_set_new(j, "empty", jint(d->empty));
    json_object_set_new(j, "min", jint(d->min));
    json_object_set_new(j, "max", jint(d->max));
    json_object_set_new(j, "sizes", sizes);
    json_object_set_new(j, "sizes_truncated", json_boolean(d->n_sizes < d->datagrams));
    return j;
}

/* The packet record of a flow: {"total", "omitted", "first": [...], "last": [...]}. */
static json_t *seglog_json(const struct eh_seglog *l, bool tcp, int64_t t0)
{
    json_t *first = json_array(), *last = json_array();
    for (size_t i = 0; i < eh_seglog_kept(l); i++) {
        const struct eh_seg *g = eh_seglog_at(l, i);
        json_t *j = json_object();
        json_object_set_new(j, "t_us", json_integer(g->time_us - t0));
        json_object_set_new(j, "from", json_string(eh_side_name((enum eh_side)g->by)));
        if (tcp) {
            char flags[8];
            eh_seg_flags(g->flags, flags, sizeof(flags));
            json_object_set_new(j, "flags", json_string(flags));
            json_object_set_new(j, "seq", json_integer(g->seq));
        }
        json_object_set_new(j, "len", jint(g->len));
        if (tcp)
            json_object_set_new(j, "retransmission", json_boolean(g->retrans));
        json_array_append_new(i < l->n_first ? first : last, j);
    }
    json_t *j = json_object();
    json_object_set_new(j, "total", jint(l->total));
    json_object_set_new(j, "omitted", jint(eh_seglog_omitted(l)));
    json_object_set_new(j, "first", first);
    json_object_set_new(j, "last", last);
    return j;
}

static const char *family_name(uint8_t family)
{
    return family == 6 ? "ipv6" : "ipv4";
}

static json_t *tcp_json(const struct eh_tcp_conn *c, int64_t t0)
{
    json_t *closes = json_array();
    for (size_t i = 0; i < c->n_closes; i++) {
        const struct eh_close_event *e = &c->closes[i];
        json_array_append_new(closes, json_pack("{s:s, s:s, s:I, s:I}", "flag",
                                                e->rst ? "RST" : "FIN", "by", eh_side_name(e->by),
                                                "t_us", (json_int_t)(e->time_us - t0), "rel_seq",
                                                (json_int_t)e->rel_seq));
    }
    json_t *j = json_object();
    json_object_set_new(j, "client", endpoint_json(&c->client));
    json_object_set_new(j, "server", endpoint_json(&c->server));
    json_object_set_new(j, "family", json_string(family_name(c->client.family)));
    json_object_set_new(j, "client_rule", json_string(c->client_rule));
    json_object_set_new(j, "start_us", json_integer(c->first_us - t0));
    json_object_set_new(j, "end_us", json_integer(c->last_us - t0));
    json_object_set_new(j, "syns", jint(c->syns));
    json_object_set_new(j, "syn_ack", json_boolean(c->syn_ack));
    json_object_set_new(j, "handshake", json_boolean(c->handshake));
    json_object_set_new(j, "c2s", tcp_dir_json(&c->c2s));
    json_object_set_new(j, "s2c", tcp_dir_json(&c->s2c));
    json_object_set_new(j, "closes", closes);
    json_object_set_new(j, "closes_dropped", jint(c->closes_dropped));
    json_object_set_new(j, "first_close_by",
                        c->closed ? json_string(eh_side_name(c->first_close_by)) : json_null());
    json_object_set_new(j, "close", json_string(eh_close_name(c->close)));
    json_object_set_new(j, "data_after_close", json_boolean(c->data_after_close));
    json_object_set_new(j, "echo", echo_json(&c->echo, false));
    json_object_set_new(j, "segments", seglog_json(&c->segs, true, t0));
    return j;
}

static json_t *udp_json(const struct eh_udp_flow *u, int64_t t0)
{
    json_t *j = json_object();
    json_object_set_new(j, "client", endpoint_json(&u->client));
    json_object_set_new(j, "server", endpoint_json(&u->server));
    json_object_set_new(j, "family", json_string(family_name(u->client.family)));
    json_object_set_new(j, "start_us", json_integer(u->first_us - t0));
    json_object_set_new(j, "end_us", json_integer(u->last_us - t0));
    json_object_set_new(j, "c2s", udp_dir_json(&u->c2s));
    json_object_set_new(j, "s2c", udp_dir_json(&u->s2c));
    json_object_set_new(j, "pairs", jint(u->pairs));
    json_object_set_new(j, "unanswered", jint(u->unanswered));
    json_object_set_new(j, "unsolicited", jint(u->unsolicited));
    json_object_set_new(j, "echo", echo_json(&u->echo, true));
    json_object_set_new(j, "datagrams", seglog_json(&u->segs, false, t0));
    return j;
}

/* Everything but the "tcp" and "udp" arrays. */
static json_t *head_json(const struct eh_analysis *a)
{
    size_t n_tcp = eh_flows_tcp_count(a->flows), n_udp = eh_flows_udp_count(a->flows);
    json_t *j = json_object();
    json_object_set_new(j, "linktype", json_string(eh_linktype_name(a->linktype)));
    json_object_set_new(j, "linktype_code", json_integer(a->linktype));
    if (a->read_error[0])
        json_object_set_new(j, "read_error", json_string(a->read_error));
    json_t *t = json_object();
    json_object_set_new(t, "packets", jint(a->packets));
    json_object_set_new(t, "frame_bytes", jint(a->frame_bytes));
    json_object_set_new(t, "duration_us", json_integer(a->last_us - a->first_us));
    json_object_set_new(t, "tcp_segments", jint(a->tcp_segments));
    json_object_set_new(t, "udp_datagrams", jint(a->udp_datagrams));
    json_object_set_new(t, "other", jint(a->decode.other));
    json_object_set_new(t, "ip_fragments", jint(a->decode.fragments));
    json_object_set_new(t, "reassembled", jint(a->decode.reassembled));
    json_object_set_new(t, "tcp_connections", jint(n_tcp));
    json_object_set_new(t, "udp_exchanges", jint(n_udp));
    json_object_set_new(t, "syn_unanswered", jint(a->syn_unanswered));
    json_object_set_new(t, "refused", jint(a->refused));
    json_object_set_new(t, "anomalies", jint(a->anomaly_total));
    json_object_set_new(j, "totals", t);
    json_t *an = json_object();
    for (int i = 0; i < EH_ANOM_COUNT; i++)
        if (a->anomalies[i])
            json_object_set_new(an, eh_anomaly_name((enum eh_anomaly)i), jint(a->anomalies[i]));
    json_object_set_new(j, "anomalies", an);
    return j;
}

json_t *eh_analysis_to_json(const struct eh_analysis *a)
{
    size_t n_tcp = eh_flows_tcp_count(a->flows), n_udp = eh_flows_udp_count(a->flows);
    json_t *j = head_json(a);
    json_t *tcp = json_array(), *udp = json_array();
    for (size_t i = 0; i < n_tcp; i++)
        json_array_append_new(tcp, tcp_json(eh_flows_tcp(a->flows, i), a->first_us));
    for (size_t i = 0; i < n_udp; i++)
        json_array_append_new(udp, udp_json(eh_flows_udp(a->flows, i), a->first_us));
    json_object_set_new(j, "tcp", tcp);
    json_object_set_new(j, "udp", udp);
    return j;
}

/* ---- the JSON form, streamed ---- */

/* Dumps v (stealing the reference) as if it sat at depth: every line after
 * the first is indented by 2 * depth more spaces (jansson escapes newlines
 * inside strings, so each '\n' it writes is a line break). */
static void dump_at(json_t *v, FILE *out, int depth)
{
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(v);
    if (text == NULL)
        return;
    const char *p = text, *nl;
    for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
        fwrite(p, 1, (size_t)(nl - p) + 1, out);
        fwrite("        ", 1, 2 * (size_t)depth, out); /* depth <= 4 */
    }
    fputs(p, out);
    free(text);
}

void eh_analysis_write_json(const struct eh_analysis *a, FILE *out)
{
    static const char *const keys[] = {"anomalies",  "linktype", "linktype_code",
                                       "read_error", "tcp",      "totals",
                                       "udp"}; /* sorted */
    size_t n_tcp = eh_flows_tcp_count(a->flows), n_udp = eh_flows_udp_count(a->flows);
    json_t *head = head_json(a);
    const char *sep = "{\n";
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        bool tcp = strcmp(keys[k], "tcp") == 0, udp = strcmp(keys[k], "udp") == 0;
        json_t *v = json_object_get(head, keys[k]);
        if (!tcp && !udp && v == NULL)
            continue;
        fprintf(out, "%s  \"%s\": ", sep, keys[k]);
        sep = ",\n";
        if (!tcp && !udp) {
            dump_at(json_incref(v), out, 1);
            continue;
        }
        size_t n = tcp ? n_tcp : n_udp;
        fputs(n ? "[\n" : "[]", out);
        for (size_t i = 0; i < n; i++) {
            fputs("    ", out);
            dump_at(tcp ? tcp_json(eh_flows_tcp(a->flows, i), a->first_us)
                        : udp_json(eh_flows_udp(a->flows, i), a->first_us),
                    out, 2);
            fputs(i + 1 < n ? ",\n" : "\n  ]", out);
        }
    }
    fputs("\n}", out);
    json_decref(head);
}

/* ---- the table ---- */

static void print_echo(const struct eh_echo *e, bool udp, FILE *out)
{
    fprintf(out, "    echo: %s, %" PRIu64 " bytes matched", eh_wire_echo_name(e->verdict),
            e->matched_bytes);
    if (e->has_diff) {
        fprintf(out, "; first difference");
        if (udp)
            fprintf(out, " in reply %" PRIu64, e->diff_datagram + 1);
        fprintf(out, " at offset %" PRIu64 ": expected ", e->diff_offset);
        fprintf(out, e->expected < 0 ? "no byte" : "0x%02x", e->expected);
        fprintf(out, ", got ");
        fprintf(out, e->got < 0 ? "no byte" : "0x%02x", e->got);
    }
    if (e->unverified != NULL)
        fprintf(out, " (stopped: %s)", e->unverified);
    fputc('\n', out);
}

static void print_tcp_dir(const char *name, const struct eh_tcp_dir *d, FILE *out)
{
    fprintf(out,
            "    %-15s %10" PRIu64 " bytes %7" PRIu64 " segments (min %u, max %u)  %" PRIu64
            " packets",
            name, d->bytes, d->segments, d->seg_min, d->seg_max, d->packets);
    if (d->retrans_bytes)
        fprintf(out, ", %" PRIu64 " retransmitted bytes", d->retrans_bytes);
    if (d->ooo_segments)
        fprintf(out, ", %" PRIu64 " out of order", d->ooo_segments);
    if (d->gap_bytes)
        fprintf(out, ", %" PRIu64 " bytes missing", d->gap_bytes);
    fputc('\n', out);
}

/* One line per kept packet record, in the scenario descriptions' notation
 * (`C:S`, `S:S.`, `C:P.12`), with the packets left out as one line. */
static void print_packets(const struct eh_seglog *l, bool tcp, int64_t t0, FILE *out)
{
    fprintf(out, "    packets: %" PRIu64 "%s\n", l->total,
            eh_seglog_omitted(l) ? " (the first and the last are listed)" : "");
    for (size_t i = 0; i < eh_seglog_kept(l); i++) {
        const struct eh_seg *g = eh_seglog_at(l, i);
        char token[32], flags[8];
        char who = g->by == EH_SIDE_CLIENT ? 'C' : 'S';
        if (i == l->n_first && eh_seglog_omitted(l) > 0)
            fprintf(out, "      ... %" PRIu64 " packets not kept ...\n", eh_seglog_omitted(l));
        if (!tcp) {
            fprintf(out, "      +%.6f  %c:%u bytes\n", (double)(g->time_us - t0) / 1e6, who,
                    g->len);
            continue;
        }
        eh_seg_flags(g->flags, flags, sizeof(flags));
        if (g->len > 0)
            snprintf(token, sizeof(token), "%c:%s%u", who, flags, g->len);
        else
            snprintf(token, sizeof(token), "%c:%s", who, flags);
        fprintf(out, "      +%.6f  %-12s seq %" PRId64 "%s\n", (double)(g->time_us - t0) / 1e6,
                token, g->seq, g->retrans ? "  retransmission" : "");
    }
}

static void print_all(const struct eh_analysis *a, bool packets, FILE *out)
{
    char cs[EH_ENDPOINT_STRLEN], ss[EH_ENDPOINT_STRLEN];
    size_t n_tcp = eh_flows_tcp_count(a->flows), n_udp = eh_flows_udp_count(a->flows);
    fprintf(out, "%" PRIu64 " packets, %" PRIu64 " bytes, link type %s, %.6f s\n", a->packets,
            a->frame_bytes, eh_linktype_name(a->linktype),
            (double)(a->last_us - a->first_us) / 1e6);
    fprintf(out, "\nTCP connections: %zu\n", n_tcp);
    for (size_t i = 0; i < n_tcp; i++) {
        const struct eh_tcp_conn *c = eh_flows_tcp(a->flows, i);
        eh_wire_addr_format(&c->client, cs, sizeof(cs));
        eh_wire_addr_format(&c->server, ss, sizeof(ss));
        fprintf(out, "  #%zu  client %s  server %s  (client by %s, +%.6f s)\n", i + 1, cs, ss,
                c->client_rule, (double)(c->first_us - a->first_us) / 1e6);
        print_tcp_dir("client->server", &c->c2s, out);
        print_tcp_dir("server->client", &c->s2c, out);
        fprintf(out, "    close: %s", eh_close_name(c->close));
        for (size_t k = 0; k < c->n_closes; k++)
            fprintf(out, "%s %s %s +%.6f s", k ? "," : ";", eh_side_name(c->closes[k].by),
                    c->closes[k].rst ? "RST" : "FIN",
                    (double)(c->closes[k].time_us - a->first_us) / 1e6);
        if (c->data_after_close)
            fprintf(out, "; data after close");
        if (c->late_rsts > 0)
            fprintf(out, "; then %u RST%s answering segments that came after the close",
                    c->late_rsts, c->late_rsts == 1 ? "" : "s");
        fputc('\n', out);
        print_echo(&c->echo, false, out);
        if (packets)
            print_packets(&c->segs, true, a->first_us, out);
    }
    fprintf(out, "\nUDP exchanges: %zu\n", n_udp);
    for (size_t i = 0; i < n_udp; i++) {
        const struct eh_udp_flow *u = eh_flows_udp(a->flows, i);
        eh_wire_addr_format(&u->client, cs, sizeof(cs));
        eh_wire_addr_format(&u->server, ss, sizeof(ss));
        fprintf(out, "  #%zu  client %s  server %s\n", i + 1, cs, ss);
        fprintf(out,
                "    client->server  %" PRIu64 " datagrams, %" PRIu64 " bytes (min %u, max %u)\n",
                u->c2s.datagrams, u->c2s.bytes, u->c2s.min, u->c2s.max);
        fprintf(out,
                "    server->client  %" PRIu64 " datagrams, %" PRIu64 " bytes (min %u, max %u)\n",
                u->s2c.datagrams, u->s2c.bytes, u->s2c.min, u->s2c.max);
        fprintf(out, "    %" PRIu64 " paired, %" PRIu64 " unanswered, %" PRIu64 " unsolicited\n",
                u->pairs, u->unanswered, u->unsolicited);
        print_echo(&u->echo, true, out);
        if (packets)
            print_packets(&u->segs, false, a->first_us, out);
    }
    fprintf(out, "\nanomalies: %s\n", a->anomaly_total ? "" : "none");
    for (int i = 0; i < EH_ANOM_COUNT; i++)
        if (a->anomalies[i])
            fprintf(out, "  %-22s %" PRIu64 "\n", eh_anomaly_name((enum eh_anomaly)i),
                    a->anomalies[i]);
    if (a->read_error[0]) /* libpcap's own text: no bytes from the file */
        fprintf(out, "  read stopped: %s\n", a->read_error);
}

void eh_analysis_print(const struct eh_analysis *a, FILE *out)
{
    print_all(a, false, out);
}

void eh_analysis_print_packets(const struct eh_analysis *a, FILE *out)
{
    print_all(a, true, out);
}
