/* flow.h - TCP connections and UDP exchanges rebuilt from decoded packets.
 *
 * eh_flows_add() takes the packets of one capture in order; eh_flows_finish()
 * closes the books. Each TCP connection is tracked by its 4-tuple: handshake,
 * relative sequence numbers (serial arithmetic, RFC 1982, so a stream may
 * wrap past 2^32), reassembly that counts retransmitted and overlapping bytes
 * once and keeps a bounded out-of-order buffer per direction, FIN and RST
 * with sender and time, a close classification, and a streaming echo check
 * that compares the server's stream with the client's as packets arrive.
 * Memory grows with the number of connections and the unechoed window, never
 * with the bytes transferred. UDP exchanges are tracked by 4-tuple with each
 * echo paired with its request.
 *
 * Which side is the client (struct eh_tcp_conn.client_rule):
 *   "syn"          the sender of the SYN (without ACK);
 *   "syn-ack"      the capture missed the SYN: the receiver of the SYN-ACK;
 *   "first-packet" the capture began mid-connection: the sender of the first
 *                  segment seen (for an echo, normally the client: it speaks
 *                  first). Stream offsets then count from the first byte seen.
 * A SYN whose sequence number differs from its sender's recorded ISN on a
 * known 4-tuple starts a new connection (port reuse); the same ISN again is a
 * retransmitted SYN (where the capture missed the first SYN: the ISN that the
 * server's SYN-ACK acknowledged). For UDP the client is the sender of the
 * first datagram. The payload of a RST is diagnostic text that no receiver
 * delivers (RFC 9293 3.10.7.3): it is not counted as stream data.
 *
 * Close classification (enum eh_close_class), first rule that applies:
 *   unanswered   the client sent SYN, the server sent nothing at all;
 *   refused      the client sent SYN, the server answered RST and never SYN-ACK;
 *   client-reset the first RST came from the client, which had sent FIN before
 *                it (a closed socket answering late data; docs/linux-behaviour.md
 *                §4 and §5);
 *   server-reset the same with the roles swapped;
 *   client-abort the first RST came from the client, which had not sent FIN:
 *                an abortive close (close() with unread data, or SO_LINGER
 *                {1,0}; RFC 2525 2.17, docs/linux-behaviour.md §5);
 *   server-abort the same with the roles swapped;
 *   graceful     FIN from both sides, no RST;
 *   half-closed  FIN from one side only, no RST, at the end of the capture;
 *   unfinished   neither FIN nor RST.
 * A bare RST (no ACK flag) sent after both FINs were acknowledged is not a
 * close: the connection was over, and the kernel answered a segment that
 * came late (a duplicate ACK reordered on loopback's per-CPU queues, a
 * retransmission after loss). It is counted in tcp_conn.late_rsts, and still
 * in the sender's rsts, and shown among the packets.
 *
 * Data after close: tcp_conn.data_after_close is true when a side that had
 * sent FIN then received payload and answered it with RST: the wire signature
 * of data arriving at a closed socket (docs/linux-behaviour.md §2, rule 4:
 * payload that reaches a socket already closed is answered with a bare RST).
 * Payload sent after the peer's FIN is counted in
 * eh_tcp_dir.after_peer_fin_bytes whether or not it was refused (after
 * shutdown(SHUT_WR) it is legitimate).
 *
 * Echo verdicts (enum eh_wire_echo), from the server->client stream S and
 * the client->server stream C, compared byte for byte:
 *   differs     a byte of S differs from the byte of C at the same offset
 *               (first offset, expected and got recorded);
 *   unverified  the comparison had to stop: "window-overflow" (more than
 *               EH_ECHO_WINDOW_MAX unmatched bytes), "stream-gap" (bytes not in
 *               the capture) or "truncated-capture" (snap length);
 *   empty       neither side sent a byte;
 *   none        the client sent bytes, the server none;
 *   exact       S equals C;
 *   prefix      S is a shorter prefix of C;
 *   extra       C is a prefix of S and S is longer.
 * For UDP: differs (a reply differs from its request in length or bytes),
 * unverified, none (no reply at all), extra (a reply with no pending request),
 * prefix (some requests unanswered, every reply equal), exact.
 *
 * Segment records (struct eh_seglog): every connection and exchange keeps one
 * record per packet it was given (time, sender, flags, stream offset, payload
 * length, retransmission), the first EH_SEGLOG_FIRST and the last
 * EH_SEGLOG_LAST of them, and counts the rest: enough to draw the exchange
 * (a ladder diagram, `analyze -v`) in memory bounded per connection.
 * A TCP record's seq is the sender's stream offset (0 = its first data byte)
 * of the segment's first payload byte; a segment without payload has the
 * offset of the next byte its sender would send (a SYN 0, a FIN the bytes
 * sent before it). It is a retransmission when it carries only bytes, a SYN
 * or a FIN of its sender that the capture had already shown (a segment that
 * overlaps bytes seen before counts, as in eh_tcp_dir.retrans_segments).
 */
#ifndef EH_FLOW_H
#define EH_FLOW_H

#include "decode.h"
#include "eh.h"
#include "vocab.h"

#include <stdint.h>
#include <sys/socket.h>

#define EH_ECHO_WINDOW_MAX (64u << 20) /* unmatched bytes kept per connection */
#define EH_MAX_CLOSE_EVENTS 8          /* FIN/RST events kept per connection */
#define EH_UDP_SIZES_MAX 1000          /* datagram sizes kept per direction */
#define EH_SEGLOG_FIRST 200            /* packet records kept from a flow's start */
#define EH_SEGLOG_LAST 50              /* packet records kept from a flow's end */

/* An address and port as seen on the wire. */
struct eh_wire_addr {
    uint8_t family;   /* 4 or 6 */
    uint8_t addr[16]; /* IPv4 in the first 4 bytes */
    uint16_t port;    /* host order */
};
#define EH_ENDPOINT_STRLEN 56
/* "127.0.0.1:65432" or "[::1]:65432" into buf (EH_ENDPOINT_STRLEN bytes). */
void eh_wire_addr_format(const struct eh_wire_addr *e, char *buf, size_t len);
/* The endpoint as a sockaddr_in or sockaddr_in6, to compare with what
 * accept() or getsockname() returned; *len gets its size. */
void eh_wire_addr_sockaddr(const struct eh_wire_addr *e, struct sockaddr_storage *ss,
                           socklen_t *len);

struct eh_echo {
    enum eh_wire_echo verdict;
    uint64_t matched_bytes; /* bytes compared equal before a difference or the end */
    bool has_diff;          /* a first difference was found */
    uint64_t diff_offset;   /* TCP: stream offset; UDP: offset in the datagram, bytes */
    uint64_t diff_datagram; /* UDP: 0-based index of the differing reply */
    int expected;           /* the client's byte there, 0..255; -1: none (UDP length) */
    int got;                /* the server's byte there, 0..255; -1: none */
    const char *unverified; /* why the check stopped, or NULL (static string) */
};

/* One packet of a connection or exchange, as the capture showed it. */
struct eh_seg {
    int64_t time_us; /* capture time, microseconds since the epoch */
    int64_t seq;     /* TCP: sender's stream offset (see above); UDP: 0 */
    uint32_t len;    /* payload bytes on the wire */
    uint8_t flags;   /* TCP: EH_TCP_* as sent; UDP: 0 */
    uint8_t by;      /* sender, an enum eh_side */
    bool retrans;    /* TCP: a retransmission (see above) */
};

/* The bounded packet record of one flow: the first EH_SEGLOG_FIRST records,
 * then a ring of the last EH_SEGLOG_LAST; `total` counts every packet, kept
 * or not. Read it with eh_seglog_kept(), eh_seglog_at(), eh_seglog_omitted(). */
struct eh_seglog {
    struct eh_seg *first; /* the first n_first records; grown up to EH_SEGLOG_FIRST */
    size_t n_first, cap_first;
    bool first_full;          /* later records go to the ring (full, or out of memory) */
    struct eh_seg *last;      /* ring of EH_SEGLOG_LAST slots, allocated when needed */
    size_t n_last, last_head; /* records in the ring; index of the oldest when full */
    uint64_t total;           /* packets recorded, kept or not */
};

/* Records kept: n_first + n_last. */
size_t eh_seglog_kept(const struct eh_seglog *l);
/* Kept record i (0 <= i < eh_seglog_kept()) in capture order; the records
 * left out, if any, lie between index n_first - 1 and n_first. */
const struct eh_seg *eh_seglog_at(const struct eh_seglog *l, size_t i);
/* Packets not kept: total - kept. */
uint64_t eh_seglog_omitted(const struct eh_seglog *l);
/* tcpdump's flag letters of a TCP record ("S", "S.", ".", "P.", "F.", "R",
 * "FP.") into buf (at least 8 bytes). */
void eh_seg_flags(uint8_t flags, char *buf, size_t len);

/* One FIN or RST. The first FIN of each side and every RST are kept, up to
 * EH_MAX_CLOSE_EVENTS per connection. */
struct eh_close_event {
    int64_t time_us; /* capture time, microseconds since the epoch */
    enum eh_side by; /* sender */
    bool rst;        /* RST, else FIN */
    int64_t rel_seq; /* sequence number relative to the sender's first byte */
};

/* One direction of a TCP connection: what its sender sent. */
struct eh_tcp_dir {
    uint64_t packets;              /* frames, any flags */
    uint64_t frame_bytes;          /* their length on the wire, headers included, bytes */
    uint64_t bytes;                /* stream bytes, each counted once (gap bytes included) */
    uint64_t segments;             /* segments carrying payload, retransmissions included */
    uint32_t seg_min, seg_max;     /* smallest, largest payload of those, bytes (0 if none) */
    uint64_t retrans_bytes;        /* payload bytes seen before (retransmitted or overlapping) */
    uint64_t retrans_segments;     /* segments carrying any such byte */
    uint64_t ooo_segments;         /* segments that arrived ahead of a missing byte */
    uint64_t gap_bytes;            /* stream bytes never captured */
    uint64_t after_peer_fin_bytes; /* payload bytes sent after the peer's FIN was seen */
    uint32_t fins, rsts;           /* FIN and RST segments, retransmissions included */
    bool isn_known;                /* its SYN or SYN-ACK was seen */
    uint32_t isn;                  /* initial sequence number */
    struct eh_tcp_opts syn_opts;   /* options of its SYN or SYN-ACK */
};

struct eh_tcp_conn {
    struct eh_wire_addr client, server;
    const char *client_rule;   /* "syn", "syn-ack" or "first-packet" (see above) */
    int64_t first_us, last_us; /* first and last packet, microseconds since the epoch */
    uint32_t syns;             /* SYNs from the client, retransmissions included */
    bool syn_ack;              /* the server sent SYN-ACK */
    bool handshake;            /* SYN, SYN-ACK and the client's ACK were seen */
    struct eh_tcp_dir c2s, s2c;
    struct eh_close_event closes[EH_MAX_CLOSE_EVENTS];
    size_t n_closes;
    uint32_t closes_dropped;     /* FIN/RST events beyond EH_MAX_CLOSE_EVENTS */
    bool closed;                 /* a FIN or RST was seen */
    enum eh_side first_close_by; /* sender of the first FIN or RST, when closed */
    bool data_after_close;       /* see above */
    uint32_t late_rsts;          /* bare RSTs answering segments that came after both
                                  * FINs were acknowledged: not closes */
    enum eh_close_class close;
    struct eh_echo echo;
    struct eh_seglog segs; /* its packets (see above) */
};

/* One direction of a UDP exchange. */
struct eh_udp_dir {
    uint64_t datagrams;
    uint64_t bytes;    /* payload bytes */
    uint64_t empty;    /* datagrams with no payload */
    uint32_t min, max; /* payload sizes, bytes (0 if none) */
    uint32_t *sizes;   /* the first EH_UDP_SIZES_MAX payload sizes, in order */
    size_t n_sizes;
};

struct eh_udp_flow {
    struct eh_wire_addr client, server;
    int64_t first_us, last_us;
    struct eh_udp_dir c2s, s2c;
    uint64_t pairs;       /* replies paired with the earliest unpaired request */
    uint64_t unanswered;  /* requests never paired */
    uint64_t unsolicited; /* replies with no unpaired request */
    struct eh_echo echo;
    struct eh_seglog segs; /* its datagrams (see above) */
};

struct eh_flows; /* opaque */

/* Returns NULL only when out of memory. Caller frees with eh_flows_free(). */
struct eh_flows *eh_flows_new(void);
void eh_flows_free(struct eh_flows *f);

/* Adds one packet that eh_decode() returned as EH_DEC_TCP or EH_DEC_UDP.
 * Packets must come in capture order. */
void eh_flows_add(struct eh_flows *f, const struct eh_pkt *p);

/* Flushes reassembly, classifies each connection and fills the echo
 * verdicts. Call once after the last packet. */
void eh_flows_finish(struct eh_flows *f);

/* Connections in the order their first packet appeared; lent, valid until
 * eh_flows_free(). */
size_t eh_flows_tcp_count(const struct eh_flows *f);
const struct eh_tcp_conn *eh_flows_tcp(const struct eh_flows *f, size_t i);
size_t eh_flows_udp_count(const struct eh_flows *f);
const struct eh_udp_flow *eh_flows_udp(const struct eh_flows *f, size_t i);

/* Anomalies found while tracking (tcp-stream-gap, tcp-bad-flags, ...),
 * indexed by enum eh_anomaly. */
const uint64_t *eh_flows_anomalies(const struct eh_flows *f);

#endif
