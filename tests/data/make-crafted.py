#!/usr/bin/env python3
"""make-crafted.py - write the crafted golden captures, on purpose.

Writes tests/data/crafted/<case>/input.pcap for every case below, byte by
byte with struct (no packet library). Each case exercises one thing the
analyser must get right: a link type, a reassembly corner, a close
classification, or hostile bytes. Run it when a case is added or changed,
check the result with `tshark -r FILE`, then regenerate expected.json with
tests/data/regen-golden.sh and review the diff. The tests never run it.

Usage: python3 tests/data/make-crafted.py [OUTDIR]   (default: next to this file)
"""
import os
import random
import struct
import sys

T0 = 1700000000  # capture start, seconds since the epoch

# Link types (LINKTYPE_ values in the file header).
EN10MB, RAW, NULL, LOOP, SLL, USER0, SLL2 = 1, 101, 0, 108, 113, 147, 276

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident=1, frag=0x4000, options=b"", total=None):
    ihl = 5 + len(options) // 4
    tot = total if total is not None else 20 + len(options) + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot, ident, frag, 64, proto, 0,
                      bytes(src), bytes(dst)) + options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, nh, payload, ext=b""):
    return struct.pack("!IHBB16s16s", 0x60000000, len(ext) + len(payload), nh, 64, bytes(src),
                       bytes(dst)) + ext + payload


def tcp(sport, dport, seq, ack, flags, payload=b"", opts=b"", win=65535, offset=None):
    off = offset if offset is not None else 5 + len(opts) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                       off << 4, flags, win, 0, 0) + opts + payload


def udp(sport, dport, payload, length=None):
    return struct.pack("!HHHH", sport, dport, length if length is not None else 8 + len(payload),
                       0) + payload


SYN_OPTS = struct.pack("!BBH", 2, 4, 65495) + b"\x04\x02" + \
    struct.pack("!BBII", 8, 10, 1, 0) + b"\x01" + struct.pack("!BBB", 3, 3, 7)

LO4 = [127, 0, 0, 1]
LO6 = [0] * 15 + [1]


def link(linktype, ip, v6=False):
    """Frames one IP packet for the given link type."""
    etype = 0x86DD if v6 else 0x0800
    if linktype == EN10MB:
        return b"\0" * 12 + struct.pack("!H", etype) + ip
    if linktype == SLL:  # packet type 0 (to us), ARPHRD_LOOPBACK
        return struct.pack("!HHH8sH", 0, 772, 6, b"\0" * 8, etype) + ip
    if linktype == SLL2:
        return struct.pack("!HHIHBB8s", etype, 0, 1, 772, 0, 6, b"\0" * 8) + ip
    if linktype == NULL:  # host byte order of a little-endian BSD: AF_INET6 = 30 on macOS
        return struct.pack("<I", 30 if v6 else 2) + ip
    if linktype == LOOP:  # network byte order
        return struct.pack("!I", 24 if v6 else 2) + ip
    return ip


class Pcap:
    def __init__(self, path, linktype, snaplen=262144):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        self.linktype = linktype
        self.t_us = 0

    def frame(self, data, caplen=None, wirelen=None):
        self.t_us += 100
        cap = data[:caplen] if caplen is not None else data
        self.f.write(struct.pack("<IIII", T0 + self.t_us // 1000000, self.t_us % 1000000,
                                 len(cap), wirelen if wirelen is not None else len(data)))
        self.f.write(cap)

    def raw(self, data):
        self.f.write(data)

    def close(self):
        self.f.close()


class Conn:
    """One TCP conversation; c() and s() send from the client and the server,
    advancing each side's sequence number unless seq is given."""

    def __init__(self, pcap, cport=40000, sport=65432, ciss=1000, siss=5000, v6=False):
        self.p, self.cport, self.sport, self.v6 = pcap, cport, sport, v6
        self.nxt = {"c": ciss, "s": siss}

    def send(self, who, flags, data=b"", seq=None, opts=b"", caplen=None):
        src, dst = (self.cport, self.sport) if who == "c" else (self.sport, self.cport)
        peer = "s" if who == "c" else "c"
        seq = self.nxt[who] if seq is None else seq
        seg = tcp(src, dst, seq, self.nxt[peer], flags | (ACK if flags != SYN else 0), data, opts)
        if flags == SYN:
            seg = tcp(src, dst, seq, 0, SYN, data, opts)
        addr = LO6 if self.v6 else LO4
        ip = ipv6(addr, addr, 6, seg) if self.v6 else ipv4(addr, addr, 6, seg)
        self.p.frame(link(self.p.linktype, ip, self.v6), caplen=caplen)
        end = seq + len(data) + (1 if flags & (SYN | FIN) else 0)
        if ((end - self.nxt[who]) & 0xFFFFFFFF) < 0x80000000:
            self.nxt[who] = end & 0xFFFFFFFF

    def c(self, flags, data=b"", **kw):
        self.send("c", flags, data, **kw)

    def s(self, flags, data=b"", **kw):
        self.send("s", flags, data, **kw)

    def handshake(self):
        self.c(SYN, opts=SYN_OPTS)
        self.s(SYN | ACK, opts=SYN_OPTS)
        self.c(ACK)

    def close(self):
        self.c(FIN)
        self.s(FIN)
        self.c(ACK)


def echo(conn, msg=b"Hello, world"):
    conn.handshake()
    conn.c(PSH, msg)
    conn.s(ACK)
    conn.s(PSH, msg)
    conn.c(ACK)
    conn.close()


def case_link(out, linktype, v6=False):
    p = Pcap(out, linktype)
    echo(Conn(p, v6=v6))
    p.close()


def case_retransmission(out):
    p = Pcap(out, EN10MB)
    c = Conn(p)
    c.handshake()
    c.c(PSH, b"abcdef")
    c.c(PSH, b"abcdef", seq=1001)  # the same segment again
    c.s(PSH, b"abc")
    c.s(PSH, b"abc", seq=5001)     # retransmitted echo
    c.s(PSH, b"def")
    c.close()
    p.close()


def case_out_of_order(out):
    p = Pcap(out, EN10MB)
    c = Conn(p)
    c.handshake()
    c.c(PSH, b"world", seq=1006)   # ahead of the missing "hello"
    c.c(PSH, b"hello", seq=1001)
    c.nxt["c"] = 1011
    c.s(PSH, b"hel")
    c.s(PSH, b"world", seq=5004 + 2)  # ahead again
    c.s(PSH, b"lo", seq=5004)
    c.nxt["s"] = 5011
    c.close()
    p.close()


def case_overlap(out):
    p = Pcap(out, EN10MB)
    c = Conn(p)
    c.handshake()
    c.c(PSH, b"0123456789")                  # [0,10)
    c.c(PSH, b"56789ABCDE", seq=1006)        # [5,15): 5 bytes overlap
    c.c(PSH, b"PQRST", seq=1026)             # [25,30) ahead
    c.c(PSH, b"KLMNOPQ", seq=1021)           # [20,27): overlaps the buffered piece
    c.c(PSH, b"FGHIJ", seq=1016)             # [15,20) fills the hole
    c.nxt["c"] = 1031
    c.s(PSH, b"0123456789ABCDEFGHIJKLMNOPQRST")
    c.close()
    p.close()


def case_seq_wrap(out):
    p = Pcap(out, EN10MB)
    c = Conn(p, ciss=0xFFFFFFF0, siss=0xFFFFFFFE)
    c.handshake()
    data = bytes(range(65, 65 + 40))
    c.c(PSH, data[:20])                      # crosses 2^32
    c.c(PSH, data[20:])
    c.s(PSH, data[:25])
    c.s(PSH, data[25:])
    c.close()
    p.close()


def case_truncated(out):
    p = Pcap(out, EN10MB)
    c = Conn(p)
    c.handshake()
    c.c(PSH, b"A" * 100)
    c.s(PSH, b"A" * 100, caplen=14 + 20 + 20 + 10)  # payload cut after 10 bytes
    c.c(PSH, b"B" * 10, caplen=14 + 20 + 8)         # cut inside the TCP header
    c.close()
    p.close()


def case_garbage(out):
    rnd = random.Random(862)
    p = Pcap(out, EN10MB)
    eth = b"\0" * 12 + b"\x08\x00"
    for n in (0, 5, 13, 14, 20, 33, 60, 100):         # random bytes behind an IPv4 type
        p.frame(eth + bytes(rnd.getrandbits(8) for _ in range(n)))
    p.frame(b"\0" * 7)                                 # shorter than Ethernet
    tcp20 = tcp(1, 2, 0, 0, ACK)
    p.frame(eth + b"\x43" + ipv4(LO4, LO4, 6, tcp20)[1:])             # IHL 3
    p.frame(eth + ipv4(LO4, LO4, 6, tcp20, total=500))                 # length beyond frame
    p.frame(eth + ipv4(LO4, LO4, 6, tcp20, total=10))                  # length below header
    p.frame(eth + ipv4(LO4, LO4, 6, tcp(1, 2, 0, 0, ACK, offset=3)))   # data offset 3
    p.frame(eth + ipv4(LO4, LO4, 6, tcp(1, 2, 0, 0, ACK, offset=15)))  # offset beyond segment
    p.frame(eth + ipv4(LO4, LO4, 6, tcp(1, 2, 0, 0, SYN, opts=b"\x02\x09\0\0")))  # bad MSS len
    p.frame(eth + ipv4(LO4, LO4, 6, b"\0" * 12))                       # 12-byte TCP
    p.frame(eth + ipv4(LO4, LO4, 17, udp(1, 2, b"xy", length=4)))      # UDP length 4
    p.frame(eth + ipv4(LO4, LO4, 17, b"\0" * 5))                       # 5-byte UDP
    p.frame(eth + ipv4(LO4, LO4, 6, tcp(1, 2, 0, 0, SYN | FIN)))       # SYN+FIN
    eth6 = b"\0" * 12 + b"\x86\xdd"
    p.frame(eth6 + ipv6(LO6, LO6, 17, b"")[:30])                       # short IPv6
    p.frame(eth6 + b"\x45" + ipv6(LO6, LO6, 17, b"")[1:])              # version 4 in IPv6
    p.frame(eth6 + ipv6(LO6, LO6, 0, b"", ext=b"\x11\x05"))            # hop-by-hop cut
    p.frame(eth6 + ipv6(LO6, LO6, 60, udp(1, 2, b"ok"), ext=b"\x11\x00" + b"\x01\x04" + b"\0" * 4))
    # overlapping IPv4 fragments of one UDP datagram
    dg = udp(3, 4, b"F" * 24)
    p.frame(eth + ipv4(LO4, LO4, 17, dg[:16], ident=7, frag=0x2000))
    p.frame(eth + ipv4(LO4, LO4, 17, dg[8:], ident=7, frag=1))
    # a lone fragment that never completes
    p.frame(eth + ipv4(LO4, LO4, 17, dg[:16], ident=8, frag=0x2000))
    p.close()


def case_unknown_linktype(out):
    p = Pcap(out, USER0)
    for n in (1, 40, 80):
        p.frame(bytes(range(n)))
    p.close()


def case_truncated_file(out):
    p = Pcap(out, EN10MB)
    echo(Conn(p))
    p.raw(struct.pack("<IIII", T0 + 1, 0, 60, 60) + b"\0" * 10)  # record cut short
    p.close()


def case_recv1_reset(out):
    """docs/linux-behaviour.md §4: the client read one byte and closed; a later 1-byte echo
    arrives at the closed socket and draws a RST."""
    p = Pcap(out, EN10MB)
    c = Conn(p)
    c.handshake()
    c.c(PSH, b"Hello")
    c.s(PSH, b"H")
    c.c(ACK)
    c.c(FIN)
    c.s(PSH, b"e")
    c.p.frame(link(EN10MB, ipv4(LO4, LO4, 6, tcp(40000, 65432, c.nxt["c"], 0, RST))))
    p.close()


def case_abort(out):
    """docs/linux-behaviour.md §5: SO_LINGER {1,0}: the client resets without FIN."""
    p = Pcap(out, EN10MB)
    c = Conn(p)
    c.handshake()
    c.c(PSH, b"Hello, world")
    c.s(ACK)
    c.c(RST)
    p.close()


def case_refused_unanswered(out):
    p = Pcap(out, EN10MB)
    r = Conn(p, cport=40001, sport=7)
    r.c(SYN, opts=SYN_OPTS)
    p.frame(link(EN10MB, ipv4(LO4, LO4, 6, tcp(7, 40001, 0, 1001, RST | ACK))))
    u = Conn(p, cport=40002, sport=65432, ciss=777)
    for _ in range(3):  # the SYN and two retransmissions, never answered
        u.c(SYN, opts=SYN_OPTS, seq=777)
    p.close()


def case_half_close_differs(out):
    """docs/linux-behaviour.md §6 (shutdown SHUT_WR, echo after the FIN), with a server
    that changes the 4th byte."""
    p = Pcap(out, EN10MB)
    c = Conn(p)
    c.handshake()
    c.c(PSH, b"Hello, world")
    c.c(FIN)
    c.s(PSH, b"HelXo, world")
    c.s(FIN)
    c.c(ACK)
    p.close()


def case_mid_connection(out):
    p = Pcap(out, EN10MB)
    c = Conn(p, ciss=123456, siss=654321)
    c.c(PSH, b"more")
    c.s(PSH, b"more")
    c.close()
    p.close()


def case_udp_fragments(out):
    """UDP over IPv4, one datagram in three fragments, out of order; plus an
    empty datagram and a reply that differs."""
    p = Pcap(out, EN10MB)
    payload = bytes(i % 251 for i in range(3000))
    for sport, dport, order in ((50000, 7, (1, 0, 2)), (7, 50000, (0, 1, 2))):
        dg = udp(sport, dport, payload)
        pieces = [(0, 1480), (1480, 2960), (2960, len(dg))]
        for i in order:
            lo, hi = pieces[i]
            more = 0x2000 if hi < len(dg) else 0
            p.frame(link(EN10MB, ipv4(LO4, LO4, 17, dg[lo:hi], ident=99 + sport % 2,
                                      frag=(lo // 8) | more)))
    p.frame(link(EN10MB, ipv4(LO4, LO4, 17, udp(50000, 7, b""))))
    p.frame(link(EN10MB, ipv4(LO4, LO4, 17, udp(7, 50000, b""))))
    p.frame(link(EN10MB, ipv4(LO4, LO4, 17, udp(50000, 7, b"abc"))))
    p.frame(link(EN10MB, ipv4(LO4, LO4, 17, udp(7, 50000, b"abd"))))
    p.frame(link(EN10MB, ipv4(LO4, LO4, 17, udp(50000, 7, b"unanswered"))))
    p.close()


def case_ipv6_ext(out):
    """IPv6 with hop-by-hop and destination options before TCP."""
    p = Pcap(out, EN10MB)
    seg_a = tcp(40000, 65432, 1000, 0, SYN, opts=SYN_OPTS)
    hbh = b"\x3c\x00" + b"\x01\x04" + b"\0" * 4   # next: destination options
    dst = b"\x06\x00" + b"\x01\x04" + b"\0" * 4   # next: TCP
    p.frame(link(EN10MB, ipv6(LO6, LO6, 0, seg_a, ext=hbh + dst), v6=True))
    c = Conn(p, v6=True)
    c.nxt["c"] = 1001
    c.s(SYN | ACK, opts=SYN_OPTS)
    c.c(ACK)
    c.c(PSH, b"six")
    c.s(PSH, b"six")
    c.close()
    p.close()


CASES = {
    "link-en10mb": lambda o: case_link(o, EN10MB),
    "link-sll": lambda o: case_link(o, SLL),
    "link-sll2": lambda o: case_link(o, SLL2, v6=True),
    "link-null": lambda o: case_link(o, NULL, v6=True),
    "link-loop": lambda o: case_link(o, LOOP),
    "link-raw": lambda o: case_link(o, RAW),
    "tcp-retransmission": case_retransmission,
    "tcp-out-of-order": case_out_of_order,
    "tcp-overlap": case_overlap,
    "tcp-seq-wrap": case_seq_wrap,
    "tcp-truncated": case_truncated,
    "tcp-recv1-reset": case_recv1_reset,
    "tcp-abort": case_abort,
    "tcp-refused-unanswered": case_refused_unanswered,
    "tcp-half-close-differs": case_half_close_differs,
    "tcp-mid-connection": case_mid_connection,
    "ipv6-ext-headers": case_ipv6_ext,
    "udp-fragments": case_udp_fragments,
    "garbage": case_garbage,
    "unknown-linktype": case_unknown_linktype,
    "truncated-file": case_truncated_file,
}


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "crafted")
    for name, make in CASES.items():
        os.makedirs(os.path.join(outdir, name), exist_ok=True)
        make(os.path.join(outdir, name, "input.pcap"))
        print(os.path.join(outdir, name, "input.pcap"))


if __name__ == "__main__":
    main()
