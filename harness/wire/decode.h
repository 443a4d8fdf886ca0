/* decode.h - bounds-checked decoding of captured packets.
 *
 * Turns one captured frame (any of the link types below) into the few facts
 * the flow tracker needs: addresses, ports, TCP header fields and options,
 * and where the payload is. Every byte comes from a program we do not trust,
 * so every header field is read through a bounds-checked getter (tcpdump's
 * GET_ macros); a frame that is too short or garbled is counted as a named
 * anomaly ("undersized-tcp", "bad-ipv4-ihl", ...) and dropped, never read out
 * of bounds. IPv4 and IPv6 fragments are reassembled (a bounded table of
 * datagrams in progress); checksums are not verified, because captures on
 * lo carry partial checksums (checksum offload).
 *
 * Link types: EN10MB (with up to two VLAN tags), LINUX_SLL, LINUX_SLL2,
 * NULL and LOOP (the address family in either byte order; 2 is IPv4, 10, 24,
 * 28 and 30 are IPv6), RAW, IPV4 and IPV6. A capture of any other link type
 * is not an error: each of its frames counts as "unknown-linktype".
 */
#ifndef EH_DECODE_H
#define EH_DECODE_H

#include "eh.h"

#include <stdint.h>

/* Named, counted anomalies. A switch over this enum has no default. */
enum eh_anomaly {
    EH_ANOM_UNKNOWN_LINKTYPE,     /* the capture's link type is not decoded */
    EH_ANOM_UNDERSIZED_LINK,      /* shorter than its link-layer header */
    EH_ANOM_UNDERSIZED_IPV4,      /* shorter than 20 bytes or than its IHL */
    EH_ANOM_BAD_IPV4_IHL,         /* IHL below 5 */
    EH_ANOM_BAD_IPV4_LENGTH,      /* total length below the header or beyond the frame */
    EH_ANOM_UNDERSIZED_IPV6,      /* shorter than the 40-byte header */
    EH_ANOM_BAD_IPV6_LENGTH,      /* payload length beyond the frame */
    EH_ANOM_BAD_IPV6_EXT,         /* extension header cut short or chain too long */
    EH_ANOM_BAD_IP_VERSION,       /* version nibble other than the link layer said */
    EH_ANOM_TRUNCATED_FRAGMENT,   /* a fragment not fully captured: not reassembled */
    EH_ANOM_BAD_FRAGMENT,         /* overlapping, misaligned or beyond 65535 bytes: datagram
                                     dropped (RFC 5722) */
    EH_ANOM_INCOMPLETE_FRAGMENTS, /* a datagram whose fragments never all arrived */
    EH_ANOM_UNDERSIZED_TCP,       /* shorter than 20 bytes or than its data offset */
    EH_ANOM_BAD_TCP_OFFSET,       /* data offset below 5 or beyond the segment */
    EH_ANOM_BAD_TCP_OPTION,       /* an option length that does not fit (segment kept) */
    EH_ANOM_UNDERSIZED_UDP,       /* shorter than the 8-byte header */
    EH_ANOM_BAD_UDP_LENGTH,       /* UDP length below 8 or beyond the IP payload */
    EH_ANOM_TRUNCATED_PAYLOAD,    /* payload not fully captured (caplen < len) */
    EH_ANOM_UNREADABLE_RECORD,    /* libpcap could not read the next record: rest ignored */
    EH_ANOM_TCP_BAD_FLAGS,        /* SYN with FIN or RST, or no flag at all (segment ignored) */
    EH_ANOM_TCP_STREAM_GAP,       /* stream bytes never captured (skipped by reassembly) */
    EH_ANOM_TCP_OUT_OF_WINDOW,    /* sequence number over 2^30 away from the stream (ignored) */
};
#define EH_ANOM_COUNT 22

/* "unknown-linktype", ... (never NULL). */
const char *eh_anomaly_name(enum eh_anomaly a);

/* Name of a DLT_ value ("EN10MB"), from libpcap; "DLT<number>" if unknown. */
const char *eh_linktype_name(int dlt);

/* TCP options of interest (RFC 9293 3.2, RFC 7323, RFC 2018). */
struct eh_tcp_opts {
    bool has_mss;
    bool has_wscale;
    bool sack_permitted;
    bool has_timestamps;
    uint16_t mss;    /* bytes */
    uint8_t wscale;  /* shift count */
    uint32_t ts_val; /* TSval */
    uint32_t ts_ecr; /* TSecr */
};

#define EH_TCP_FIN 0x01
#define EH_TCP_SYN 0x02
#define EH_TCP_RST 0x04
#define EH_TCP_PSH 0x08
#define EH_TCP_ACK 0x10

/* One decoded packet. Pointers lend into the frame or the decoder and are
 * valid until the next eh_decode() call. */
struct eh_pkt {
    int64_t time_us;         /* capture timestamp, microseconds since the epoch */
    uint32_t frame_len;      /* frame length on the wire, bytes */
    uint8_t family;          /* 4 or 6 */
    uint8_t proto;           /* IPPROTO_TCP or IPPROTO_UDP */
    uint8_t src[16];         /* source address (IPv4 in the first 4 bytes) */
    uint8_t dst[16];         /* destination address */
    uint16_t sport, dport;   /* ports, host order */
    uint32_t seq, ack;       /* TCP only */
    uint8_t flags;           /* TCP only: EH_TCP_* */
    uint16_t window;         /* TCP only, unscaled */
    struct eh_tcp_opts opts; /* TCP only */
    const uint8_t *payload;  /* captured payload bytes */
    uint32_t payload_cap;    /* payload bytes present in the capture */
    uint32_t payload_len;    /* payload bytes on the wire (from the IP and UDP lengths) */
};

enum eh_decode_result {
    EH_DEC_TCP,   /* *out holds a TCP segment */
    EH_DEC_UDP,   /* *out holds a UDP datagram */
    EH_DEC_OTHER, /* not IP, or another protocol (ICMP, ...): nothing to track */
    EH_DEC_HELD,  /* a fragment kept until its datagram is complete */
    EH_DEC_BAD,   /* dropped; one anomaly was counted */
};

struct eh_decoder; /* opaque: link type, anomaly counters, fragment table */

/* A decoder for frames of link type dlt (a DLT_ value, pcap_datalink()).
 * Returns NULL only when out of memory. Caller frees with eh_decoder_free(). */
struct eh_decoder *eh_decoder_new(int dlt);
void eh_decoder_free(struct eh_decoder *d);

/* Decodes one frame of caplen captured bytes (frame_len on the wire) taken
 * at time_us. Never reads outside data[0..caplen). */
enum eh_decode_result eh_decode(struct eh_decoder *d, const uint8_t *data, uint32_t caplen,
                                uint32_t frame_len, int64_t time_us, struct eh_pkt *out);

/* Counts the datagrams still waiting for fragments as
 * "incomplete-fragments"; call once after the last frame. */
void eh_decoder_finish(struct eh_decoder *d);

/* Counts one more anomaly a (used by the readers of the capture too). */
void eh_decoder_count(struct eh_decoder *d, enum eh_anomaly a);

/* Anomaly counters, indexed by enum eh_anomaly (EH_ANOM_COUNT entries). */
const uint64_t *eh_decoder_anomalies(const struct eh_decoder *d);

struct eh_decode_stats {
    uint64_t fragments;   /* IP fragments seen */
    uint64_t reassembled; /* datagrams rebuilt from fragments */
    uint64_t other;       /* frames that were not TCP or UDP over IP */
};
void eh_decoder_stats(const struct eh_decoder *d, struct eh_decode_stats *out);

#endif
