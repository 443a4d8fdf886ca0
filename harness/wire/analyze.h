/* analyze.h - wire analysis of one capture file, as JSON or a table.
 *
 * eh_analyze_file() reads a pcap or pcapng file with pcap_next_ex(), decodes
 * each frame (decode.h) and tracks its TCP connections and UDP exchanges
 * (flow.h, where the close classification and echo verdicts are defined).
 * It fails only when the file cannot be opened; everything wrong inside the
 * file becomes a counted anomaly: garbled frames, an unknown link type (each
 * frame counts as "unknown-linktype"), or a record libpcap cannot read
 * ("unreadable-record": the rest of the file is ignored and libpcap's message
 * is kept in read_error).
 *
 * The JSON form (the report's "wire" object and `analyze --json`); times are
 * microseconds relative to the first frame of the capture:
 * {
 *   "linktype": "EN10MB", "linktype_code": 1,
 *   "read_error": "..."                       (only when a record was unreadable)
 *   "totals": {"packets": 10, "frame_bytes": 712, "duration_us": 1234,
 *              "tcp_segments": 10, "udp_datagrams": 0, "other": 0,
 *              "ip_fragments": 0, "reassembled": 0, "tcp_connections": 1,
 *              "udp_exchanges": 0, "syn_unanswered": 0, "refused": 0, "anomalies": 0},
 *   "anomalies": {"undersized-tcp": 1, ...}   (only the non-zero counters),
 *   "tcp": [{
 *     "client": "127.0.0.1:40000", "server": "127.0.0.1:65432", "family": "ipv4",
 *     "client_rule": "syn", "start_us": 0, "end_us": 1234,
 *     "syns": 1, "syn_ack": true, "handshake": true,
 *     "c2s": DIR, "s2c": DIR,
 *     "closes": [{"flag": "FIN", "by": "client", "t_us": 900, "rel_seq": 12}, ...],
 *     "closes_dropped": 0, "first_close_by": "client" | null,
 *     "close": "graceful", "data_after_close": false,
 *     "echo": ECHO,
 *     "segments": LOG of {"t_us": 0, "from": "client", "flags": "S", "seq": 0,
 *                         "len": 0, "retransmission": false}
 *   }],
 *   "udp": [{
 *     "client": ..., "server": ..., "family": ..., "start_us": ..., "end_us": ...,
 *     "c2s": {"datagrams": 3, "bytes": 6, "empty": 0, "min": 1, "max": 3,
 *             "sizes": [1, 2, 3], "sizes_truncated": false},
 *     "s2c": {...}, "pairs": 3, "unanswered": 0, "unsolicited": 0, "echo": ECHO,
 *     "datagrams": LOG of {"t_us": 0, "from": "client", "len": 12}
 *   }]
 * }
 * DIR: {"packets", "frame_bytes", "bytes", "segments", "seg_min", "seg_max",
 *       "retransmitted_bytes", "retransmitted_segments", "out_of_order_segments",
 *       "gap_bytes", "after_peer_fin_bytes", "fins", "rsts",
 *       "isn": 123 | null, "mss": 65495 | null, "wscale": 7 | null,
 *       "sack_permitted": true, "timestamps": true}
 * ECHO: {"verdict": "exact", "matched_bytes": 12,
 *        "first_difference": {"offset": 3, "expected": 65, "got": 66}
 *                            (TCP; UDP adds "datagram"; expected/got null = no byte),
 *        "unverified": "stream-gap"}         (each only when there is one)
 * LOG: the flow's packet records (flow.h, struct eh_seglog), in capture order:
 *      {"total": 1234, "omitted": 984, "first": [the first up to 200],
 *       "last": [the last up to 50, only when more than 200 were seen]};
 *      "omitted" packets lie between the last of "first" and the first of
 *      "last". flags are tcpdump's letters (S F R P and . for ACK); seq is the
 *      sender's stream offset, 0 for its first data byte.
 */
#ifndef EH_ANALYZE_H
#define EH_ANALYZE_H

#include "decode.h"
#include "eh.h"
#include "flow.h"

#include <jansson.h>
#include <stdio.h>

struct eh_analysis {
    int linktype;                      /* DLT_ value of the capture */
    uint64_t packets;                  /* frames read */
    uint64_t frame_bytes;              /* their length on the wire, bytes */
    uint64_t tcp_segments;             /* frames decoded as TCP */
    uint64_t udp_datagrams;            /* frames (or reassembled datagrams) decoded as UDP */
    struct eh_decode_stats decode;     /* fragments, reassembled, other */
    int64_t first_us, last_us;         /* first and last frame, microseconds since the epoch */
    uint64_t anomalies[EH_ANOM_COUNT]; /* decoder and flow anomalies, by enum eh_anomaly */
    uint64_t anomaly_total;            /* their sum */
    uint64_t syn_unanswered;           /* connections classified "unanswered" */
    uint64_t refused;                  /* connections classified "refused" */
    char read_error[256];              /* libpcap's message for an unreadable record, or "" */
    struct eh_flows *flows;            /* connections: eh_flows_tcp(), eh_flows_udp() */
};

/* Analyses the capture at pcap_path (pcap or pcapng). Returns EH_ERR with
 * "PATH: <libpcap message>" when it cannot be opened. Caller frees *out with
 * eh_analysis_free(). */
eh_status eh_analyze_file(const char *pcap_path, struct eh_analysis **out, struct eh_error *err);

/* The connections and exchanges of the analysis; lent, valid until
 * eh_analysis_free(). */
const struct eh_flows *eh_analysis_flows(const struct eh_analysis *a);

/* The JSON form documented above. Returns a new reference. */
json_t *eh_analysis_to_json(const struct eh_analysis *a);

/* Writes the same JSON form to out as json_dumpf() with JSON_INDENT(2) and
 * JSON_SORT_KEYS would (without a final newline), one connection at a time:
 * memory stays that of one connection's JSON however many there are
 * (`analyze --json` of 50,000 connections: 0.5 GB and 6.6 s as one tree). */
void eh_analysis_write_json(const struct eh_analysis *a, FILE *out);

/* A readable table per connection and exchange, then the anomalies. */
void eh_analysis_print(const struct eh_analysis *a, FILE *out);

/* The same table with each connection's and exchange's kept packets listed
 * under it, one per line, in the notation of the scenario descriptions:
 * "+0.000100  S:S.         seq 0", "+0.000300  C:P.12       seq 0", a
 * retransmission marked, the packets left out as one "... N packets not
 * kept ..." line; a UDP datagram as "+0.000200  C:12 bytes". */
void eh_analysis_print_packets(const struct eh_analysis *a, FILE *out);

/* Accepts NULL. */
void eh_analysis_free(struct eh_analysis *a);

#endif
