/* timeline.c - tie a role's events to connections and its log to the wire.
 *
 * Works on the report's JSON forms (an event-log array, the "wire" object),
 * so that the runner (to place each log on the wire's axis) and the report
 * writers (to draw the events beside the packets) share one reading. The
 * rules are in timeline.h.
 */
#include "timeline.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FD 4096       /* fds tracked; events on larger ones stay unassigned */
#define ANCHOR_SLACK_US 2 /* clock granularity of t_us, elapsed_us and capture times */

static int64_t int_of(const json_t *obj, const char *key, int64_t dflt)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static const char *str_of(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static bool is_call(const json_t *ev, const char *call)
{
    const char *c = str_of(ev, "call");
    return c != NULL && strcmp(c, call) == 0;
}

/* An event's address names a wire endpoint: the same text, or the same port
 * on the wildcard address (a UDP socket's getsockname before it is bound to
 * one address). */
static bool addr_matches(const char *ev_addr, const char *wire_addr)
{
    if (ev_addr == NULL || wire_addr == NULL)
        return false;
    if (strcmp(ev_addr, wire_addr) == 0)
        return true;
    const char *ep = strrchr(ev_addr, ':'), *wp = strrchr(wire_addr, ':');
    if (ep == NULL || wp == NULL || strcmp(ep, wp) != 0)
        return false;
    size_t host = (size_t)(ep - ev_addr);
    return (host == 7 && strncmp(ev_addr, "0.0.0.0", 7) == 0) ||
           (host == 4 && strncmp(ev_addr, "[::]", 4) == 0);
}

/* The flow i of wire (TCP first, then UDP), or NULL. */
static const json_t *flow_at(const json_t *wire, int i, bool *udp)
{
    const json_t *tcp = json_object_get(wire, "tcp");
    size_t n_tcp = json_array_size(tcp);
    *udp = (size_t)i >= n_tcp;
    return *udp ? json_array_get(json_object_get(wire, "udp"), (size_t)i - n_tcp)
                : json_array_get(tcp, (size_t)i);
}

static int flow_count(const json_t *wire)
{
    return (int)(json_array_size(json_object_get(wire, "tcp")) +
                 json_array_size(json_object_get(wire, "udp")));
}

/* The flow whose client endpoint this event names for the role, or -1. */
static int flow_of_event(const json_t *ev, const json_t *wire, enum eh_role_id role)
{
    const char *addr = str_of(ev, role == EH_CLIENT ? "laddr" : "raddr");
    if (addr == NULL)
        return -1;
    for (int i = 0; i < flow_count(wire); i++) {
        bool udp;
        if (addr_matches(addr, str_of(flow_at(wire, i, &udp), "client")))
            return i;
    }
    return -1;
}

/* Per fd: the flow it belongs to, and the first event since socket() made it. */
struct fd_state {
    int flow;     /* -1: not known yet */
    size_t since; /* index of its socket() event, or of its first event */
    bool open;
    bool tentative; /* flow guessed from the order of connect() calls */
};

/* The fd an event acts on, or -1: "fd", or what socket() returned. */
static int fd_of(const json_t *ev)
{
    int64_t fd = is_call(ev, "socket") ? int_of(ev, "ret", -1) : int_of(ev, "fd", -1);
    return fd >= 0 && fd < MAX_FD ? (int)fd : -1;
}

/* Ties fd to flow from event `since` on: every earlier event on fd that is
 * not tied yet, or tied to `guess` (a guess now known to be wrong). */
static void tie_back(const json_t *events, int *out, size_t since, size_t upto, int fd, int flow,
                     int guess)
{
    for (size_t j = since; j <= upto; j++)
        if ((out[j] < 0 || out[j] == guess) && fd_of(json_array_get(events, j)) == fd)
            out[j] = flow;
}

int *eh_timeline_assign(const json_t *events, const json_t *wire, enum eh_role_id role)
{
    size_t n = json_array_size(events);
    int *out = n ? malloc(n * sizeof(*out)) : NULL;
    struct fd_state *fds = out ? calloc(MAX_FD, sizeof(*fds)) : NULL;
    if (fds == NULL) {
        free(out);
        return NULL;
    }
    int n_tcp = (int)json_array_size(json_object_get(wire, "tcp")), connects = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *ev = json_array_get(events, i);
        int fd = fd_of(ev), flow = flow_of_event(ev, wire, role);
        out[i] = -1;
        if (is_call(ev, "accept")) { /* the new socket is the one returned */
            int64_t nfd = int_of(ev, "ret", -1);
            out[i] = flow;
            if (flow >= 0 && nfd >= 0 && nfd < MAX_FD)
                fds[nfd] = (struct fd_state){flow, i, true, false};
            continue;
        }
        if (fd < 0)
            continue;
        struct fd_state *f = &fds[fd];
        if (!f->open || is_call(ev, "socket"))
            *f = (struct fd_state){-1, i, true, false};
        bool udp = false;
        if (flow >= 0)
            flow_at(wire, flow, &udp);
        if (flow >= 0 && (f->flow < 0 || f->tentative) && !(udp && role == EH_SERVER)) {
            int guess = f->tentative ? f->flow : -1; /* a UDP server's socket serves all */
            f->flow = flow;
            f->tentative = false;
            tie_back(events, out, f->since, i, fd, flow, guess);
        }
        if (is_call(ev, "connect") && role == EH_CLIENT && f->flow < 0 && connects < n_tcp) {
            f->flow = connects;  /* the n-th connect() made the n-th connection, until an */
            f->tentative = true; /* address says otherwise (a connect still in progress) */
            tie_back(events, out, f->since, i, fd, f->flow, -1);
        }
        if (is_call(ev, "connect") && role == EH_CLIENT)
            connects++;
        out[i] = f->flow >= 0 ? f->flow : flow;
        if (is_call(ev, "close"))
            f->open = false;
    }
    free(fds);
    return out;
}

/* ---- anchors ---- */

struct seg {
    int64_t t_us, seq, len;
    bool from_client, retrans;
    const char *flags;
};

/* The i-th kept packet of a flow ("segments" or "datagrams": first, then last). */
static bool seg_at(const json_t *flow, bool udp, size_t i, struct seg *out)
{
    const json_t *log = json_object_get(flow, udp ? "datagrams" : "segments");
    const json_t *first = json_object_get(log, "first"), *last = json_object_get(log, "last");
    const json_t *s = i < json_array_size(first) ? json_array_get(first, i)
                                                 : json_array_get(last, i - json_array_size(first));
    if (s == NULL)
        return false;
    const char *from = str_of(s, "from");
    const char *flags = str_of(s, "flags");
    *out = (struct seg){int_of(s, "t_us", 0),
                        int_of(s, "seq", 0),
                        int_of(s, "len", 0),
                        from != NULL && strcmp(from, "client") == 0,
                        json_is_true(json_object_get(s, "retransmission")),
                        flags ? flags : ""};
    return true;
}

/* What to look for in a flow's packets. */
enum want {
    W_FLAG,     /* the first packet from `client` whose flags hold `flag` */
    W_HS_ACK,   /* the client's first packet after the server's SYN-ACK, without SYN */
    W_OFFSET,   /* the first transmission from `client` carrying stream offset `off` */
    W_DATAGRAM, /* the off-th (0-based) datagram from `client` */
};

/* The capture time of the wanted packet; false when it was not kept. */
static bool find(const json_t *flow, bool udp, enum want w, bool client, char flag, int64_t off,
                 int64_t *t_us)
{
    struct seg g;
    int64_t count = 0;
    bool synack_seen = false;
    for (size_t i = 0; seg_at(flow, udp, i, &g); i++) {
        if (w == W_HS_ACK && !g.from_client && strchr(g.flags, 'S'))
            synack_seen = true;
        if (g.from_client != client)
            continue;
        bool hit = false;
        switch (w) {
        case W_FLAG:
            hit = strchr(g.flags, flag) != NULL;
            break;
        case W_HS_ACK:
            hit = synack_seen && strchr(g.flags, 'S') == NULL;
            break;
        case W_OFFSET:
            hit = !g.retrans && g.len > 0 && g.seq <= off && off < g.seq + g.len &&
                  strchr(g.flags, 'R') == NULL;
            break;
        case W_DATAGRAM:
            hit = count++ == off;
            break;
        }
        if (hit) {
            *t_us = g.t_us;
            return true;
        }
    }
    return false;
}

/* The state of one role's socket on one flow while its events are read. */
struct sock_acct {
    int64_t sent, received; /* bytes (TCP) or datagrams (UDP) so far */
    bool shut;              /* it called shutdown or close */
};

struct bounds {
    int64_t lo, hi;
    size_t at_least, at_most; /* anchors of each kind */
};

static void at_most(struct bounds *b, int64_t v)
{
    if (v + ANCHOR_SLACK_US < b->hi)
        b->hi = v + ANCHOR_SLACK_US;
    b->at_most++;
}

static void at_least(struct bounds *b, int64_t v)
{
    if (v - ANCHOR_SLACK_US > b->lo)
        b->lo = v - ANCHOR_SLACK_US;
    b->at_least++;
}

/* The anchors of one event on its flow. t: its t_us; start: when its call
 * began (t - elapsed_us, or the previous event's t_us). */
static void anchor(const json_t *ev, const json_t *flow, bool udp, bool client, struct sock_acct *a,
                   int64_t t, int64_t start, struct bounds *b)
{
    int64_t ret = int_of(ev, "ret", -1), pt;
    const char *err = str_of(ev, "errno");
    bool is_send = is_call(ev, "send") || is_call(ev, "sendto");
    bool is_recv = is_call(ev, "recv") || is_call(ev, "recvfrom");
    if (is_call(ev, "connect") && !udp) {
        if (find(flow, udp, W_FLAG, true, 'S', 0, &pt))
            at_most(b, pt - start);
        if (ret == 0 && find(flow, udp, W_FLAG, false, 'S', 0, &pt))
            at_least(b, pt - t);
    } else if (is_call(ev, "poll") && ret > 0 && !udp && a->sent == 0 && a->received == 0 &&
               strstr(str_of(ev, "revents") ? str_of(ev, "revents") : "", "POLLOUT")) {
        if (find(flow, udp, W_FLAG, !client, 'S', 0, &pt)) /* a connect in progress completed */
            at_least(b, pt - t);
    } else if (is_call(ev, "accept") && ret >= 0 && !udp) {
        if (find(flow, udp, W_HS_ACK, true, 0, 0, &pt))
            at_least(b, pt - t);
    } else if (is_send && ret > 0) {
        if (find(flow, udp, udp ? W_DATAGRAM : W_OFFSET, client, 0, a->sent, &pt))
            at_most(b, pt - start);
        a->sent += udp ? 1 : ret;
    } else if (is_recv && ret > 0) {
        a->received += udp ? 1 : ret;
        if (find(flow, udp, udp ? W_DATAGRAM : W_OFFSET, !client, 0, a->received - 1, &pt))
            at_least(b, pt - t);
    } else if (is_recv && ret == 0 && !udp) {
        if (find(flow, udp, W_FLAG, !client, 'F', 0, &pt))
            at_least(b, pt - t);
    } else if ((is_send || is_recv) && ret < 0 && err && !udp &&
               (strcmp(err, "ECONNRESET") == 0 || (strcmp(err, "EPIPE") == 0 && !a->shut))) {
        if (find(flow, udp, W_FLAG, !client, 'R', 0, &pt))
            at_least(b, pt - t);
    } else if ((is_call(ev, "close") || is_call(ev, "shutdown")) && !udp && !a->shut) {
        a->shut = true;
        if (find(flow, udp, W_FLAG, client, 'F', 0, &pt))
            at_most(b, pt - start);
    }
}

size_t eh_timeline_refine(const json_t *events, const json_t *wire, enum eh_role_id role,
                          int64_t *lo_us, int64_t *hi_us, int64_t *best_us)
{
    int *flows = eh_timeline_assign(events, wire, role);
    int n_flows = flow_count(wire);
    struct sock_acct *acct = n_flows > 0 ? calloc((size_t)n_flows, sizeof(*acct)) : NULL;
    struct bounds b = {INT64_MIN / 2, INT64_MAX / 2, 0, 0};
    int64_t prev_t = 0;
    for (size_t i = 0; flows != NULL && acct != NULL && i < json_array_size(events); i++) {
        const json_t *ev = json_array_get(events, i);
        int64_t t = int_of(ev, "t_us", -1);
        if (t < 0)
            continue;
        int64_t el = int_of(ev, "elapsed_us", -1);
        bool udp;
        const json_t *flow = flows[i] >= 0 ? flow_at(wire, flows[i], &udp) : NULL;
        if (flow != NULL)
            anchor(ev, flow, udp, role == EH_CLIENT, &acct[flows[i]], t, el >= 0 ? t - el : prev_t,
                   &b);
        prev_t = t;
    }
    free(flows);
    free(acct);
    int64_t lo = b.lo > *lo_us ? b.lo : *lo_us, hi = b.hi < *hi_us ? b.hi : *hi_us;
    *best_us = *lo_us + (*hi_us - *lo_us) / 2;
    if (b.at_least + b.at_most == 0 || lo > hi)
        return 0;
    *lo_us = lo;
    *hi_us = hi;
    /* An anchor is tight in practice (a call sends its packet, or returns
     * with the packet it waited for, within microseconds): with anchors of
     * one kind only, the zero is best placed on their side. */
    *best_us = b.at_most == 0 ? lo : b.at_least == 0 ? hi : lo + (hi - lo) / 2;
    return b.at_least + b.at_most;
}
