/* decode.c - bounds-checked link, IP, TCP and UDP decoding; IP reassembly.
 *
 * Every field is read through the span getters below, which check the offset
 * against the captured length first (tcpdump's GET_ macros). The GET_ macros
 * return from the decoding function with the named anomaly when a field is
 * not there. See decode.h for what is decoded.
 */
#include "decode.h"

#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

/* Captured bytes of one header or payload. */
struct span {
    const uint8_t *p;
    uint32_t len; /* bytes available at p */
};

static bool get_u8(struct span s, uint32_t off, uint8_t *v)
{
    if (off >= s.len)
        return false;
    *v = s.p[off];
    return true;
}

static bool get_be16(struct span s, uint32_t off, uint16_t *v)
{
    if (s.len < 2 || off > s.len - 2)
        return false;
    *v = (uint16_t)(s.p[off] << 8 | s.p[off + 1]);
    return true;
}

static bool get_be32(struct span s, uint32_t off, uint32_t *v)
{
    if (s.len < 4 || off > s.len - 4)
        return false;
    *v = (uint32_t)s.p[off] << 24 | (uint32_t)s.p[off + 1] << 16 | (uint32_t)s.p[off + 2] << 8 |
         s.p[off + 3];
    return true;
}

static bool get_bytes(struct span s, uint32_t off, uint32_t n, uint8_t *dst)
{
    if (n > s.len || off > s.len - n)
        return false;
    memcpy(dst, s.p + off, n);
    return true;
}

/* The bytes of s from off on; off must be <= s.len (checked by the caller). */
static struct span span_from(struct span s, uint32_t off)
{
    return (struct span){s.p + off, s.len - off};
}

#define GET_U8(s, off, v, anom)                                                                    \
    do {                                                                                           \
        if (!get_u8((s), (off), &(v)))                                                             \
            return bad(d, (anom));                                                                 \
    } while (0)
#define GET_BE16(s, off, v, anom)                                                                  \
    do {                                                                                           \
        if (!get_be16((s), (off), &(v)))                                                           \
            return bad(d, (anom));                                                                 \
    } while (0)
#define GET_BE32(s, off, v, anom)                                                                  \
    do {                                                                                           \
        if (!get_be32((s), (off), &(v)))                                                           \
            return bad(d, (anom));                                                                 \
    } while (0)
#define GET_BYTES(s, off, n, dst, anom)                                                            \
    do {                                                                                           \
        if (!get_bytes((s), (off), (n), (dst)))                                                    \
            return bad(d, (anom));                                                                 \
    } while (0)

#define FRAG_SLOTS 8   /* datagrams reassembled at once */
#define FRAG_MAX 65535 /* largest reassembled IP payload, bytes */
#define FRAG_BLOCKS (FRAG_MAX / 8 + 1)

/* One datagram being reassembled. Fragment offsets count 8-byte blocks, so a
 * bitmap of blocks detects overlaps. */
struct frag_slot {
    bool used;
    uint8_t family, proto;
    uint8_t src[16], dst[16];
    uint32_t id;                         /* IPv4 identification or IPv6 fragment id */
    int64_t first_us;                    /* when the first fragment arrived, for eviction */
    bool total_known;                    /* the last fragment (MF clear) arrived */
    uint32_t total;                      /* payload bytes of the whole datagram */
    uint32_t have;                       /* payload bytes received so far */
    uint32_t end;                        /* furthest fragment end so far, bytes */
    uint8_t blocks[FRAG_BLOCKS / 8 + 1]; /* bitmap of received 8-byte blocks */
    uint8_t *buf;                        /* FRAG_MAX bytes, allocated on first use */
};

struct eh_decoder {
    int dlt;
    uint64_t anomalies[EH_ANOM_COUNT];
    struct eh_decode_stats stats;
    struct frag_slot frags[FRAG_SLOTS];
};

static const char *const anomaly_names[EH_ANOM_COUNT] = {
    [EH_ANOM_UNKNOWN_LINKTYPE] = "unknown-linktype",
    [EH_ANOM_UNDERSIZED_LINK] = "undersized-link",
    [EH_ANOM_UNDERSIZED_IPV4] = "undersized-ipv4",
    [EH_ANOM_BAD_IPV4_IHL] = "bad-ipv4-ihl",
    [EH_ANOM_BAD_IPV4_LENGTH] = "bad-ipv4-length",
    [EH_ANOM_UNDERSIZED_IPV6] = "undersized-ipv6",
    [EH_ANOM_BAD_IPV6_LENGTH] = "bad-ipv6-length",
    [EH_ANOM_BAD_IPV6_EXT] = "bad-ipv6-ext",
    [EH_ANOM_BAD_IP_VERSION] = "bad-ip-version",
    [EH_ANOM_TRUNCATED_FRAGMENT] = "truncated-fragment",
    [EH_ANOM_BAD_FRAGMENT] = "bad-fragment",
    [EH_ANOM_INCOMPLETE_FRAGMENTS] = "incomplete-fragments",
    [EH_ANOM_UNDERSIZED_TCP] = "undersized-tcp",
    [EH_ANOM_BAD_TCP_OFFSET] = "bad-tcp-offset",
    [EH_ANOM_BAD_TCP_OPTION] = "bad-tcp-option",
    [EH_ANOM_UNDERSIZED_UDP] = "undersized-udp",
    [EH_ANOM_BAD_UDP_LENGTH] = "bad-udp-length",
    [EH_ANOM_TRUNCATED_PAYLOAD] = "truncated-payload",
    [EH_ANOM_UNREADABLE_RECORD] = "unreadable-record",
    [EH_ANOM_TCP_BAD_FLAGS] = "tcp-bad-flags",
    [EH_ANOM_TCP_STREAM_GAP] = "tcp-stream-gap",
    [EH_ANOM_TCP_OUT_OF_WINDOW] = "tcp-out-of-window",
};

const char *eh_anomaly_name(enum eh_anomaly a)
{
    if ((unsigned)a >= EH_ANOM_COUNT)
        return "?";
    return anomaly_names[a];
}

const char *eh_linktype_name(int dlt)
{
    static __thread char buf[24];
    const char *n = pcap_datalink_val_to_name(dlt);
    if (n != NULL)
        return n;
    snprintf(buf, sizeof(buf), "DLT%d", dlt);
    return buf;
}

struct eh_decoder *eh_decoder_new(int dlt)
{
    struct eh_decoder *d = calloc(1, sizeof(*d));
    if (d != NULL)
        d->dlt = dlt;
    return d;
}

void eh_decoder_free(struct eh_decoder *d)
{
    if (d == NULL)
        return;
    for (int i = 0; i < FRAG_SLOTS; i++)
        free(d->frags[i].buf);
    free(d);
}

void eh_decoder_count(struct eh_decoder *d, enum eh_anomaly a)
{
    d->anomalies[a]++;
}

const uint64_t *eh_decoder_anomalies(const struct eh_decoder *d)
{
    return d->anomalies;
}

void eh_decoder_stats(const struct eh_decoder *d, struct eh_decode_stats *out)
{
    *out = d->stats;
}

void eh_decoder_finish(struct eh_decoder *d)
{
    for (int i = 0; i < FRAG_SLOTS; i++) {
        if (d->frags[i].used) {
            d->frags[i].used = false;
            d->anomalies[EH_ANOM_INCOMPLETE_FRAGMENTS]++;
        }
    }
}

static enum eh_decode_result bad(struct eh_decoder *d, enum eh_anomaly a)
{
    d->anomalies[a]++;
    return EH_DEC_BAD;
}

/* RFC 9293 3.1 options; an option that does not fit is counted and ends the
 * parse, but the segment is kept. */
static void tcp_options(struct eh_decoder *d, struct span o, struct eh_tcp_opts *opt)
{
    uint32_t i = 0;
    uint8_t kind, len;
    while (get_u8(o, i, &kind)) {
        if (kind == 0) /* end of option list */
            return;
        if (kind == 1) { /* no-operation */
            i++;
            continue;
        }
        if (!get_u8(o, i + 1, &len) || len < 2 || len > o.len - i) {
            d->anomalies[EH_ANOM_BAD_TCP_OPTION]++;
            return;
        }
        struct span v = {o.p + i + 2, len - 2u};
        bool ok = true;
        switch (kind) {
        case 2:
            ok = opt->has_mss = get_be16(v, 0, &opt->mss) && v.len == 2;
            break;
        case 3:
            ok = opt->has_wscale = get_u8(v, 0, &opt->wscale) && v.len == 1;
            break;
        case 4:
            ok = opt->sack_permitted = v.len == 0;
            break;
        case 8:
            ok = opt->has_timestamps =
                get_be32(v, 0, &opt->ts_val) && get_be32(v, 4, &opt->ts_ecr) && v.len == 8;
            break;
        }
        if (!ok)
            d->anomalies[EH_ANOM_BAD_TCP_OPTION]++;
        i += len;
    }
}

/* s: the captured transport bytes; wire_len: their length on the wire. */
static enum eh_decode_result transport(struct eh_decoder *d, uint8_t proto, struct span s,
                                       uint32_t wire_len, struct eh_pkt *out)
{
    out->proto = proto;
    if (s.len > wire_len)
        s.len = wire_len;
    if (proto == IPPROTO_TCP) {
        uint8_t off, flags;
        if (wire_len < 20)
            return bad(d, EH_ANOM_UNDERSIZED_TCP);
        GET_BE16(s, 0, out->sport, EH_ANOM_UNDERSIZED_TCP);
        GET_BE16(s, 2, out->dport, EH_ANOM_UNDERSIZED_TCP);
        GET_BE32(s, 4, out->seq, EH_ANOM_UNDERSIZED_TCP);
        GET_BE32(s, 8, out->ack, EH_ANOM_UNDERSIZED_TCP);
        GET_U8(s, 12, off, EH_ANOM_UNDERSIZED_TCP);
        GET_U8(s, 13, flags, EH_ANOM_UNDERSIZED_TCP);
        GET_BE16(s, 14, out->window, EH_ANOM_UNDERSIZED_TCP);
        uint32_t hl = (uint32_t)(off >> 4) * 4;
        if (hl < 20 || hl > wire_len)
            return bad(d, EH_ANOM_BAD_TCP_OFFSET);
        if (hl > s.len)
            return bad(d, EH_ANOM_UNDERSIZED_TCP);
        out->flags = flags;
        tcp_options(d, (struct span){s.p + 20, hl - 20}, &out->opts);
        out->payload = s.p + hl;
        out->payload_cap = s.len - hl;
        out->payload_len = wire_len - hl;
    } else if (proto == IPPROTO_UDP) {
        uint16_t ulen;
        if (wire_len < 8)
            return bad(d, EH_ANOM_UNDERSIZED_UDP);
        GET_BE16(s, 0, out->sport, EH_ANOM_UNDERSIZED_UDP);
        GET_BE16(s, 2, out->dport, EH_ANOM_UNDERSIZED_UDP);
        GET_BE16(s, 4, ulen, EH_ANOM_UNDERSIZED_UDP);
        if (s.len < 8)
            return bad(d, EH_ANOM_UNDERSIZED_UDP);
        if (ulen < 8 || ulen > wire_len)
            return bad(d, EH_ANOM_BAD_UDP_LENGTH);
        out->payload = s.p + 8;
        out->payload_len = ulen - 8u;
        out->payload_cap = (s.len < ulen ? s.len : ulen) - 8u;
    } else {
        d->stats.other++;
        return EH_DEC_OTHER;
    }
    if (out->payload_cap < out->payload_len)
        d->anomalies[EH_ANOM_TRUNCATED_PAYLOAD]++;
    return proto == IPPROTO_TCP ? EH_DEC_TCP : EH_DEC_UDP;
}

static bool bit_test_set(uint8_t *map, uint32_t bit)
{
    bool was = map[bit / 8] & (1u << (bit % 8));
    map[bit / 8] |= (uint8_t)(1u << (bit % 8));
    return was;
}

/* Adds one fragment (its payload s, fully captured, starting at byte offset
 * foff of the datagram) and decodes the datagram once it is complete. */
static enum eh_decode_result fragment(struct eh_decoder *d, uint32_t id, uint8_t proto,
                                      uint32_t foff, bool more, struct span s, uint32_t wire_len,
                                      struct eh_pkt *out)
{
    d->stats.fragments++;
    if (s.len < wire_len)
        return bad(d, EH_ANOM_TRUNCATED_FRAGMENT);
    struct frag_slot *slot = NULL, *oldest = NULL, *free_slot = NULL;
    for (int i = 0; i < FRAG_SLOTS && slot == NULL; i++) {
        struct frag_slot *f = &d->frags[i];
        if (!f->used) {
            if (free_slot == NULL)
                free_slot = f;
        } else if (f->family == out->family && f->proto == proto && f->id == id &&
                   memcmp(f->src, out->src, 16) == 0 && memcmp(f->dst, out->dst, 16) == 0) {
            slot = f;
        } else if (oldest == NULL || f->first_us < oldest->first_us) {
            oldest = f;
        }
    }
    if (slot == NULL) {
        if (free_slot == NULL) {
            d->anomalies[EH_ANOM_INCOMPLETE_FRAGMENTS]++;
            free_slot = oldest;
        }
        slot = free_slot;
        if (slot->buf == NULL && (slot->buf = malloc(FRAG_MAX)) == NULL)
            return bad(d, EH_ANOM_INCOMPLETE_FRAGMENTS);
        uint8_t *buf = slot->buf;
        memset(slot, 0, sizeof(*slot));
        slot->buf = buf;
        slot->used = true;
        slot->family = out->family;
        slot->proto = proto;
        slot->id = id;
        slot->first_us = out->time_us;
        memcpy(slot->src, out->src, 16);
        memcpy(slot->dst, out->dst, 16);
    }
    bool bad_frag = wire_len > FRAG_MAX || foff > FRAG_MAX - wire_len ||
                    (more && wire_len % 8 != 0) || (!more && slot->total_known) ||
                    (slot->total_known && foff + wire_len > slot->total);
    for (uint32_t b = foff / 8; !bad_frag && b < (foff + wire_len + 7) / 8; b++)
        bad_frag = bit_test_set(slot->blocks, b);
    if (bad_frag) {
        slot->used = false;
        return bad(d, EH_ANOM_BAD_FRAGMENT);
    }
    memcpy(slot->buf + foff, s.p, wire_len);
    slot->have += wire_len;
    if (foff + wire_len > slot->end)
        slot->end = foff + wire_len;
    if (!more) {
        slot->total_known = true;
        slot->total = foff + wire_len;
        /* a fragment beyond the end; counting bytes alone would miss it when
         * it is as long as a hole before the end */
        if (slot->end > slot->total) {
            slot->used = false;
            return bad(d, EH_ANOM_BAD_FRAGMENT);
        }
    }
    if (!slot->total_known || slot->have != slot->total)
        return EH_DEC_HELD;
    slot->used = false; /* the buffer stays valid until the next fragment */
    d->stats.reassembled++;
    return transport(d, proto, (struct span){slot->buf, slot->total}, slot->total, out);
}

/* s: captured bytes from the IPv4 header on; wire: their length on the wire. */
static enum eh_decode_result ipv4(struct eh_decoder *d, struct span s, uint32_t wire,
                                  struct eh_pkt *out)
{
    uint8_t vihl, proto;
    uint16_t tot, id, fo;
    if (s.len < 20)
        return bad(d, EH_ANOM_UNDERSIZED_IPV4);
    GET_U8(s, 0, vihl, EH_ANOM_UNDERSIZED_IPV4);
    if (vihl >> 4 != 4)
        return bad(d, EH_ANOM_BAD_IP_VERSION);
    uint32_t ihl = (vihl & 15u) * 4;
    if (ihl < 20)
        return bad(d, EH_ANOM_BAD_IPV4_IHL);
    if (ihl > s.len)
        return bad(d, EH_ANOM_UNDERSIZED_IPV4);
    GET_BE16(s, 2, tot, EH_ANOM_UNDERSIZED_IPV4);
    GET_BE16(s, 4, id, EH_ANOM_UNDERSIZED_IPV4);
    GET_BE16(s, 6, fo, EH_ANOM_UNDERSIZED_IPV4);
    GET_U8(s, 9, proto, EH_ANOM_UNDERSIZED_IPV4);
    GET_BYTES(s, 12, 4, out->src, EH_ANOM_UNDERSIZED_IPV4);
    GET_BYTES(s, 16, 4, out->dst, EH_ANOM_UNDERSIZED_IPV4);
    if (tot < ihl || tot > wire)
        return bad(d, EH_ANOM_BAD_IPV4_LENGTH);
    out->family = 4;
    if (s.len > tot) /* link-layer padding */
        s.len = tot;
    struct span pl = span_from(s, ihl);
    uint32_t foff = (fo & 0x1fffu) * 8;
    bool more = fo & 0x2000;
    if (more || foff != 0)
        return fragment(d, id, proto, foff, more, pl, tot - ihl, out);
    return transport(d, proto, pl, tot - ihl, out);
}

/* s: captured bytes from the IPv6 header on; wire: their length on the wire. */
static enum eh_decode_result ipv6(struct eh_decoder *d, struct span s, uint32_t wire,
                                  struct eh_pkt *out)
{
    uint8_t v, nh, hlen;
    uint16_t plen, fo = 0;
    uint32_t id = 0;
    if (s.len < 40)
        return bad(d, EH_ANOM_UNDERSIZED_IPV6);
    GET_U8(s, 0, v, EH_ANOM_UNDERSIZED_IPV6);
    if (v >> 4 != 6)
        return bad(d, EH_ANOM_BAD_IP_VERSION);
    GET_BE16(s, 4, plen, EH_ANOM_UNDERSIZED_IPV6);
    GET_U8(s, 6, nh, EH_ANOM_UNDERSIZED_IPV6);
    GET_BYTES(s, 8, 16, out->src, EH_ANOM_UNDERSIZED_IPV6);
    GET_BYTES(s, 24, 16, out->dst, EH_ANOM_UNDERSIZED_IPV6);
    if (plen > wire - 40)
        return bad(d, EH_ANOM_BAD_IPV6_LENGTH);
    out->family = 6;
    s = span_from(s, 40);
    if (s.len > plen)
        s.len = plen;
    uint32_t left = plen; /* wire bytes from s.p on */
    for (int n = 0; n < 8; n++) {
        uint32_t hl;
        switch (nh) {
        case 0:  /* hop-by-hop options */
        case 43: /* routing */
        case 60: /* destination options */
            GET_U8(s, 1, hlen, EH_ANOM_BAD_IPV6_EXT);
            hl = (hlen + 1u) * 8;
            break;
        case 51: /* authentication header, RFC 4302 */
            GET_U8(s, 1, hlen, EH_ANOM_BAD_IPV6_EXT);
            hl = (hlen + 2u) * 4;
            break;
        case 44: /* fragment, RFC 8200 4.5 */
            GET_BE16(s, 2, fo, EH_ANOM_BAD_IPV6_EXT);
            GET_BE32(s, 4, id, EH_ANOM_BAD_IPV6_EXT);
            hl = 8;
            break;
        case 59: /* no next header */
            d->stats.other++;
            return EH_DEC_OTHER;
        default:
            return transport(d, nh, s, left, out);
        }
        uint8_t next;
        GET_U8(s, 0, next, EH_ANOM_BAD_IPV6_EXT);
        if (hl > s.len || hl > left)
            return bad(d, EH_ANOM_BAD_IPV6_EXT);
        s = span_from(s, hl);
        left -= hl;
        if (nh == 44 && (fo & 0xfff9u) != 0) /* not an atomic fragment */
            return fragment(d, id, next, fo & 0xfff8u, fo & 1, s, left, out);
        nh = next;
    }
    return bad(d, EH_ANOM_BAD_IPV6_EXT);
}

/* The address family value of a DLT_NULL / DLT_LOOP header, either byte order. */
static int null_family(uint32_t be)
{
    uint32_t le = __builtin_bswap32(be);
    for (int i = 0; i < 2; i++) {
        uint32_t af = i == 0 ? be : le;
        if (af == 2)
            return 4;
        if (af == 10 || af == 24 || af == 28 || af == 30)
            return 6;
    }
    return 0;
}

enum eh_decode_result eh_decode(struct eh_decoder *d, const uint8_t *data, uint32_t caplen,
                                uint32_t frame_len, int64_t time_us, struct eh_pkt *out)
{
    struct span f = {data, caplen};
    uint32_t off = 0;
    int version = -1; /* 4 or 6; 0: not IP; -1: from the IP header's nibble */
    uint16_t type;
    uint32_t af;
    uint8_t nibble;

    memset(out, 0, sizeof(*out));
    out->time_us = time_us;
    out->frame_len = frame_len > caplen ? frame_len : caplen;
    switch (d->dlt) {
    case DLT_EN10MB:
        GET_BE16(f, 12, type, EH_ANOM_UNDERSIZED_LINK);
        off = 14;
        for (int tags = 0; tags < 2 && (type == 0x8100 || type == 0x88a8 || type == 0x9100);
             tags++) {
            GET_BE16(f, off + 2, type, EH_ANOM_UNDERSIZED_LINK);
            off += 4;
        }
        version = type == 0x0800 ? 4 : type == 0x86dd ? 6 : 0;
        break;
    case DLT_LINUX_SLL:
        GET_BE16(f, 14, type, EH_ANOM_UNDERSIZED_LINK);
        off = 16;
        version = type == 0x0800 ? 4 : type == 0x86dd ? 6 : 0;
        break;
    case DLT_LINUX_SLL2:
        GET_BE16(f, 0, type, EH_ANOM_UNDERSIZED_LINK);
        if (f.len < 20)
            return bad(d, EH_ANOM_UNDERSIZED_LINK);
        off = 20;
        version = type == 0x0800 ? 4 : type == 0x86dd ? 6 : 0;
        break;
    case DLT_NULL:
    case DLT_LOOP:
        GET_BE32(f, 0, af, EH_ANOM_UNDERSIZED_LINK);
        off = 4;
        version = null_family(af);
        break;
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
        break;
    default:
        return bad(d, EH_ANOM_UNKNOWN_LINKTYPE);
    }
    if (off > f.len)
        return bad(d, EH_ANOM_UNDERSIZED_LINK);
    if (version == 0) {
        d->stats.other++;
        return EH_DEC_OTHER;
    }
    struct span ip = span_from(f, off);
    uint32_t wire = out->frame_len - off;
    if (version < 0) {
        GET_U8(ip, 0, nibble, EH_ANOM_UNDERSIZED_IPV4);
        version = nibble >> 4;
        if ((version != 4 && version != 6) || (d->dlt == DLT_IPV4 && version != 4) ||
            (d->dlt == DLT_IPV6 && version != 6))
            return bad(d, EH_ANOM_BAD_IP_VERSION);
    }
    return version == 4 ? ipv4(d, ip, wire, out) : ipv6(d, ip, wire, out);
}
