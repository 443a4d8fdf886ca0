/* flow.c - TCP reassembly and close tracking, UDP pairing, the echo check.
 *
 * Connections live in a chained hash table keyed by the unordered 4-tuple;
 * a new connection on a reused 4-tuple goes to the head of its chain and
 * shadows the old one. Per packet there is no allocation: stream bytes are
 * compared in place against a ring buffer of unmatched bytes, and only
 * out-of-order segments are copied (bounded by OOO_MAX_SEGS and
 * OOO_MAX_BYTES per direction). The rules are documented in flow.h.
 */
#include "flow.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OOO_MAX_SEGS 256           /* out-of-order segments kept per direction */
#define OOO_MAX_BYTES (4u << 20)   /* out-of-order bytes kept per direction */
#define SEQ_WINDOW (1 << 30)       /* farther from the stream is out of window (RFC 7323) */
#define UDP_PENDING_MAX (1u << 20) /* unpaired requests kept for comparison */

void eh_wire_addr_format(const struct eh_wire_addr *e, char *buf, size_t len)
{
    char a[INET6_ADDRSTRLEN];
    inet_ntop(e->family == 6 ? AF_INET6 : AF_INET, e->addr, a, sizeof(a));
    snprintf(buf, len, e->family == 6 ? "[%s]:%u" : "%s:%u", a, (unsigned)e->port);
}

void eh_wire_addr_sockaddr(const struct eh_wire_addr *e, struct sockaddr_storage *ss,
                           socklen_t *len)
{
    memset(ss, 0, sizeof(*ss));
    if (e->family == 6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(e->port);
        memcpy(&s6->sin6_addr, e->addr, 16);
        *len = sizeof(*s6);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(e->port);
        memcpy(&s4->sin_addr, e->addr, 4);
        *len = sizeof(*s4);
    }
}

/* ---- segment records ---- */

size_t eh_seglog_kept(const struct eh_seglog *l)
{
    return l->n_first + l->n_last;
}

const struct eh_seg *eh_seglog_at(const struct eh_seglog *l, size_t i)
{
    if (i < l->n_first)
        return &l->first[i];
    i -= l->n_first;
    if (i >= l->n_last)
        return NULL;
    return &l->last[l->n_last == EH_SEGLOG_LAST ? (l->last_head + i) % EH_SEGLOG_LAST : i];
}

uint64_t eh_seglog_omitted(const struct eh_seglog *l)
{
    return l->total - eh_seglog_kept(l);
}

void eh_seg_flags(uint8_t flags, char *buf, size_t len)
{
    static const struct {
        uint8_t bit;
        char letter;
    } order[] = {{EH_TCP_FIN, 'F'},
                 {EH_TCP_SYN, 'S'},
                 {EH_TCP_RST, 'R'},
                 {EH_TCP_PSH, 'P'},
                 {EH_TCP_ACK, '.'}}; /* tcpdump's order */
    size_t n = 0;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && n + 1 < len; i++)
        if (flags & order[i].bit)
            buf[n++] = order[i].letter;
    if (len > 0)
        buf[n < len ? n : len - 1] = '\0';
}

/* Appends one record: to the first records while they have room, else to
 * the ring of the last ones. A record that cannot be stored (out of memory)
 * is only counted. */
static void seglog_add(struct eh_seglog *l, const struct eh_seg *rec)
{
    l->total++;
    if (!l->first_full && l->n_first == l->cap_first) {
        size_t nc = l->cap_first ? l->cap_first * 4 : 8;
        if (nc > EH_SEGLOG_FIRST)
            nc = EH_SEGLOG_FIRST;
        struct eh_seg *na =
            l->n_first < EH_SEGLOG_FIRST ? realloc(l->first, nc * sizeof(*na)) : NULL;
        if (na == NULL) {
            l->first_full = true;
        } else {
            l->first = na;
            l->cap_first = nc;
        }
    }
    if (!l->first_full) {
        l->first[l->n_first++] = *rec;
        return;
    }
    if (l->last == NULL && (l->last = malloc(EH_SEGLOG_LAST * sizeof(*l->last))) == NULL)
        return;
    if (l->n_last < EH_SEGLOG_LAST) {
        l->last[l->n_last++] = *rec;
        return;
    }
    l->last[l->last_head] = *rec;
    l->last_head = (l->last_head + 1) % EH_SEGLOG_LAST;
}

static void seglog_free(struct eh_seglog *l)
{
    free(l->first);
    free(l->last);
    memset(l, 0, sizeof(*l));
}

/* A ring buffer of bytes, grown by doubling up to a limit. */
struct ring {
    uint8_t *buf;
    size_t cap, head, len; /* bytes */
};

static bool ring_push(struct ring *r, const uint8_t *p, size_t n, size_t max)
{
    if (n == 0)
        return true;
    if (n > max - r->len)
        return false;
    if (r->len + n > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + n)
            cap *= 2;
        if (cap > max)
            cap = max;
        uint8_t *nb = malloc(cap);
        if (nb == NULL)
            return false;
        size_t first = r->cap - r->head < r->len ? r->cap - r->head : r->len;
        if (r->len > 0) {
            memcpy(nb, r->buf + r->head, first);
            memcpy(nb + first, r->buf, r->len - first);
        }
        free(r->buf);
        r->buf = nb;
        r->cap = cap;
        r->head = 0;
    }
    size_t tail = (r->head + r->len) % r->cap;
    size_t first = r->cap - tail < n ? r->cap - tail : n;
    memcpy(r->buf + tail, p, first);
    memcpy(r->buf, p + first, n - first);
    r->len += n;
    return true;
}

/* Compares p[0..n) with the first n buffered bytes (n <= len); returns the
 * index of the first difference or n. */
static size_t ring_compare(const struct ring *r, const uint8_t *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        size_t at = (r->head + done) % r->cap;
        size_t chunk = r->cap - at < n - done ? r->cap - at : n - done;
        if (memcmp(r->buf + at, p + done, chunk) != 0) {
            for (size_t i = 0;; i++)
                if (r->buf[at + i] != p[done + i])
                    return done + i;
        }
        done += chunk;
    }
    return n;
}

static uint8_t ring_at(const struct ring *r, size_t i)
{
    return r->buf[(r->head + i) % r->cap];
}

static void ring_pop(struct ring *r, size_t n)
{
    r->head = r->len == n ? 0 : (r->head + n) % r->cap;
    r->len -= n;
}

static void ring_free(struct ring *r)
{
    free(r->buf);
    memset(r, 0, sizeof(*r));
}

/* An out-of-order piece of a stream: len stream bytes from off, of which the
 * first cap are in data (the rest was cut by the snap length). */
struct ooo {
    uint64_t off;
    uint32_t len, cap;
    uint8_t *data;
};

/* Reassembly state of one direction. */
struct rdir {
    bool base_set;
    uint32_t base;   /* sequence number of stream offset 0 */
    uint64_t nxt;    /* next expected stream offset */
    struct ooo *ooo; /* sorted, disjoint, all beyond nxt; OOO_MAX_SEGS + 1 slots */
    size_t n_ooo;
    size_t ooo_bytes;
    bool fin_known;
    uint64_t fin_off; /* stream offset of its FIN */
};

struct conn {
    struct eh_tcp_conn pub;
    uint32_t hash;
    struct conn *next; /* hash chain */
    struct rdir r[2];  /* by sender: EH_SIDE_CLIENT, EH_SIDE_SERVER */
    struct ring win;   /* stream bytes of side `ahead` not matched yet */
    enum eh_side ahead;
    bool echo_stopped;
    bool sent_fin[2];
    bool fin_acked[2];          /* the other side acknowledged this side's FIN */
    bool data_after_own_fin[2]; /* this side received payload after its FIN */
    uint32_t syn_ack_ack;       /* ack of the server's first SYN-ACK, when syn_ack */
    bool finished;
};

struct uflow {
    struct eh_udp_flow pub;
    uint32_t hash;
    struct uflow *next;
    struct ring pend;   /* bytes of the unpaired requests, in order */
    uint32_t *pend_len; /* their lengths: a ring of pend_cap (at most UDP_PENDING_MAX) */
    size_t pend_head, pend_n, pend_cap;
    bool stopped; /* content comparison stopped (echo.unverified) */
};

struct eh_flows {
    struct conn **conns;
    size_t n_conns, cap_conns;
    struct uflow **udps;
    size_t n_udps, cap_udps;
    struct conn **tcp_buckets;
    struct uflow **udp_buckets;
    size_t n_buckets; /* power of two, same for both tables */
    uint64_t anomalies[EH_ANOM_COUNT];
};

struct eh_flows *eh_flows_new(void)
{
    struct eh_flows *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return NULL;
    f->n_buckets = 1024;
    f->tcp_buckets = calloc(f->n_buckets, sizeof(*f->tcp_buckets));
    f->udp_buckets = calloc(f->n_buckets, sizeof(*f->udp_buckets));
    if (f->tcp_buckets == NULL || f->udp_buckets == NULL) {
        eh_flows_free(f);
        return NULL;
    }
    return f;
}

static void conn_release(struct conn *c)
{
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; i < c->r[s].n_ooo; i++)
            free(c->r[s].ooo[i].data);
        free(c->r[s].ooo);
        c->r[s].ooo = NULL;
        c->r[s].n_ooo = 0;
        c->r[s].ooo_bytes = 0;
    }
    ring_free(&c->win);
}

void eh_flows_free(struct eh_flows *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n_conns; i++) {
        conn_release(f->conns[i]);
        seglog_free(&f->conns[i]->pub.segs);
        free(f->conns[i]);
    }
    for (size_t i = 0; i < f->n_udps; i++) {
        struct uflow *u = f->udps[i];
        ring_free(&u->pend);
        free(u->pend_len);
        free(u->pub.c2s.sizes);
        free(u->pub.s2c.sizes);
        seglog_free(&u->pub.segs);
        free(u);
    }
    free(f->conns);
    free(f->udps);
    free(f->tcp_buckets);
    free(f->udp_buckets);
    free(f);
}

size_t eh_flows_tcp_count(const struct eh_flows *f)
{
    return f->n_conns;
}

const struct eh_tcp_conn *eh_flows_tcp(const struct eh_flows *f, size_t i)
{
    return i < f->n_conns ? &f->conns[i]->pub : NULL;
}

size_t eh_flows_udp_count(const struct eh_flows *f)
{
    return f->n_udps;
}

const struct eh_udp_flow *eh_flows_udp(const struct eh_flows *f, size_t i)
{
    return i < f->n_udps ? &f->udps[i]->pub : NULL;
}

const uint64_t *eh_flows_anomalies(const struct eh_flows *f)
{
    return f->anomalies;
}

/* ---- 4-tuple hashing ---- */

static uint32_t endpoint_hash(const uint8_t *addr, uint16_t port)
{
    uint32_t h = 2166136261u ^ port; /* FNV-1a */
    for (int i = 0; i < 16; i++)
        h = (h ^ addr[i]) * 16777619u;
    return h;
}

/* Symmetric in source and destination, so both directions find the flow. */
static uint32_t tuple_hash(const struct eh_pkt *p)
{
    return endpoint_hash(p->src, p->sport) + endpoint_hash(p->dst, p->dport);
}

static bool endpoint_is(const struct eh_wire_addr *e, uint8_t family, const uint8_t *addr,
                        uint16_t port)
{
    return e->port == port && e->family == family && memcmp(e->addr, addr, 16) == 0;
}

/* Which side of (client, server) sent p; -1 if p is not between them. */
static int side_of(const struct eh_wire_addr *client, const struct eh_wire_addr *server,
                   const struct eh_pkt *p)
{
    if (endpoint_is(client, p->family, p->src, p->sport) &&
        endpoint_is(server, p->family, p->dst, p->dport))
        return EH_SIDE_CLIENT;
    if (endpoint_is(server, p->family, p->src, p->sport) &&
        endpoint_is(client, p->family, p->dst, p->dport))
        return EH_SIDE_SERVER;
    return -1;
}

static void set_endpoints(struct eh_wire_addr *client, struct eh_wire_addr *server,
                          const struct eh_pkt *p, bool sender_is_client)
{
    struct eh_wire_addr s = {.family = p->family, .port = p->sport};
    struct eh_wire_addr d = {.family = p->family, .port = p->dport};
    memcpy(s.addr, p->src, 16);
    memcpy(d.addr, p->dst, 16);
    *client = sender_is_client ? s : d;
    *server = sender_is_client ? d : s;
}

/* Doubles the bucket arrays when the tables get dense; keeps chain order
 * (newest first) by reinserting oldest first. */
static void maybe_grow(struct eh_flows *f)
{
    if (f->n_conns + f->n_udps < f->n_buckets)
        return;
    size_t nb = f->n_buckets * 2;
    struct conn **tb = calloc(nb, sizeof(*tb));
    struct uflow **ub = calloc(nb, sizeof(*ub));
    if (tb == NULL || ub == NULL) { /* keep the old, denser tables */
        free(tb);
        free(ub);
        return;
    }
    for (size_t i = 0; i < f->n_conns; i++) {
        struct conn *c = f->conns[i];
        c->next = tb[c->hash & (nb - 1)];
        tb[c->hash & (nb - 1)] = c;
    }
    for (size_t i = 0; i < f->n_udps; i++) {
        struct uflow *u = f->udps[i];
        u->next = ub[u->hash & (nb - 1)];
        ub[u->hash & (nb - 1)] = u;
    }
    free(f->tcp_buckets);
    free(f->udp_buckets);
    f->tcp_buckets = tb;
    f->udp_buckets = ub;
    f->n_buckets = nb;
}

/* Appends p to the array arr of n elements (capacity cap); false when out of
 * memory. A GNU statement expression, so that realloc keeps the element type. */
#define APPEND(arr, n, cap, p)                                                                     \
    ({                                                                                             \
        bool ok_ = true;                                                                           \
        if ((n) == (cap)) {                                                                        \
            size_t nc_ = (cap) ? (cap)*2 : 64;                                                     \
            __typeof__(arr) na_ = realloc((arr), nc_ * sizeof(*(arr)));                            \
            if (na_ != NULL) {                                                                     \
                (arr) = na_;                                                                       \
                (cap) = nc_;                                                                       \
            }                                                                                      \
            ok_ = na_ != NULL;                                                                     \
        }                                                                                          \
        if (ok_)                                                                                   \
            (arr)[(n)++] = (p);                                                                    \
        ok_;                                                                                       \
    })

/* ---- the echo check ---- */

static void echo_stop(struct conn *c, const char *why)
{
    if (!c->echo_stopped && why != NULL)
        c->pub.echo.unverified = why;
    c->echo_stopped = true;
    ring_free(&c->win);
}

/* Feeds n in-order stream bytes of `side` to the comparison. */
static void echo_feed(struct conn *c, enum eh_side side, const uint8_t *p, size_t n)
{
    struct eh_echo *e = &c->pub.echo;
    if (c->echo_stopped || n == 0)
        return;
    if (c->win.len > 0 && c->ahead != side) {
        size_t k = n < c->win.len ? n : c->win.len;
        size_t i = ring_compare(&c->win, p, k);
        if (i < k) {
            uint8_t mine = p[i], theirs = ring_at(&c->win, i);
            e->has_diff = true;
            e->diff_offset = e->matched_bytes + i;
            e->expected = side == EH_SIDE_CLIENT ? mine : theirs;
            e->got = side == EH_SIDE_CLIENT ? theirs : mine;
            e->matched_bytes += i;
            echo_stop(c, NULL);
            return;
        }
        ring_pop(&c->win, k);
        e->matched_bytes += k;
        p += k;
        n -= k;
    }
    if (n == 0)
        return;
    if (!ring_push(&c->win, p, n, EH_ECHO_WINDOW_MAX)) {
        echo_stop(c, "window-overflow");
        return;
    }
    c->ahead = side;
}

/* ---- TCP reassembly ---- */

/* Stream offset of seq: serial arithmetic around the next expected byte. */
static int64_t rel_off(const struct rdir *r, uint32_t seq)
{
    return (int64_t)r->nxt + (int32_t)(seq - (uint32_t)(r->base + (uint32_t)r->nxt));
}

static struct eh_tcp_dir *dir_of(struct conn *c, enum eh_side s)
{
    return s == EH_SIDE_CLIENT ? &c->pub.c2s : &c->pub.s2c;
}

/* Delivers the in-order piece at r->nxt. */
static void deliver(struct conn *c, enum eh_side s, const uint8_t *data, uint32_t cap, uint32_t len)
{
    c->r[s].nxt += len;
    echo_feed(c, s, data, cap);
    if (cap < len)
        echo_stop(c, "truncated-capture");
}

/* Delivers every out-of-order piece that has become in order. */
static void drain(struct conn *c, enum eh_side s)
{
    struct rdir *r = &c->r[s];
    while (r->n_ooo > 0 && r->ooo[0].off <= r->nxt) {
        struct ooo o = r->ooo[0];
        uint64_t skip = r->nxt - o.off;
        if (skip < o.len) {
            uint32_t k = (uint32_t)skip;
            uint32_t kc = k < o.cap ? k : o.cap;
            dir_of(c, s)->retrans_bytes += k;
            deliver(c, s, o.data + kc, o.cap - kc, o.len - k);
        } else {
            dir_of(c, s)->retrans_bytes += o.len;
        }
        free(o.data);
        r->ooo_bytes -= o.cap;
        memmove(r->ooo, r->ooo + 1, --r->n_ooo * sizeof(*r->ooo));
    }
}

/* Skips the missing bytes before the first out-of-order piece. */
static void skip_gap(struct eh_flows *f, struct conn *c, enum eh_side s, uint64_t to)
{
    struct rdir *r = &c->r[s];
    dir_of(c, s)->gap_bytes += to - r->nxt;
    f->anomalies[EH_ANOM_TCP_STREAM_GAP]++;
    r->nxt = to;
    echo_stop(c, "stream-gap");
}

/* Stores [off, off+len) minus what is already buffered (at most n_ooo + 1
 * new pieces; the array has room for 2 * OOO_MAX_SEGS + 1). */
static void ooo_insert(struct conn *c, enum eh_side s, uint64_t off, const uint8_t *data,
                       uint32_t cap, uint32_t len)
{
    struct rdir *r = &c->r[s];
    uint64_t end = off + len, pos = off;
    for (size_t i = 0; i <= r->n_ooo && pos < end; i++) {
        uint64_t lo = i < r->n_ooo ? r->ooo[i].off : end;
        uint64_t hi = i < r->n_ooo ? r->ooo[i].off + r->ooo[i].len : end;
        if (hi <= pos)
            continue;
        if (lo > pos) { /* a hole before entry i: fill [pos, min(lo, end)) */
            uint64_t pend = lo < end ? lo : end;
            uint32_t at = (uint32_t)(pos - off), n = (uint32_t)(pend - pos);
            uint32_t pc = at < cap ? (cap - at < n ? cap - at : n) : 0;
            uint8_t *copy = malloc(pc ? pc : 1);
            if (copy == NULL) /* the hole is skipped as a gap at the end */
                return;
            memcpy(copy, data + at, pc);
            memmove(r->ooo + i + 1, r->ooo + i, (r->n_ooo - i) * sizeof(*r->ooo));
            r->ooo[i] = (struct ooo){pos, n, pc, copy};
            r->n_ooo++;
            r->ooo_bytes += pc;
            pos = pend;
            continue;
        }
        uint64_t oend = hi < end ? hi : end; /* overlap with entry i */
        dir_of(c, s)->retrans_bytes += oend - pos;
        pos = oend;
    }
}

/* A segment of len stream bytes (cap of them captured) starting at seq. */
static void stream_add(struct eh_flows *f, struct conn *c, enum eh_side s, uint32_t seq,
                       const uint8_t *data, uint32_t cap, uint32_t len)
{
    struct rdir *r = &c->r[s];
    struct eh_tcp_dir *d = dir_of(c, s);
    if (!r->base_set) {
        r->base = seq;
        r->base_set = true;
    }
    int64_t off = rel_off(r, seq);
    int64_t delta = off - (int64_t)r->nxt;
    if (delta > SEQ_WINDOW || delta + len < -(int64_t)SEQ_WINDOW) {
        f->anomalies[EH_ANOM_TCP_OUT_OF_WINDOW]++;
        return;
    }
    bool seen_before = false;
    for (;;) {
        if (off + (int64_t)len <= (int64_t)r->nxt) {
            d->retrans_bytes += len;
            d->retrans_segments++;
            return;
        }
        if (off < (int64_t)r->nxt) {
            uint32_t k = (uint32_t)((int64_t)r->nxt - off);
            uint32_t kc = k < cap ? k : cap;
            d->retrans_bytes += k;
            seen_before = true;
            data += kc;
            cap -= kc;
            len -= k;
            off = (int64_t)r->nxt;
        }
        if ((uint64_t)off == r->nxt) {
            d->retrans_segments += seen_before;
            deliver(c, s, data, cap, len);
            drain(c, s);
            return;
        }
        if (r->ooo == NULL && (r->ooo = malloc((2 * OOO_MAX_SEGS + 1) * sizeof(*r->ooo))) == NULL)
            return;
        if (r->n_ooo < OOO_MAX_SEGS && r->ooo_bytes + cap <= OOO_MAX_BYTES) {
            d->retrans_segments += seen_before;
            d->ooo_segments++;
            ooo_insert(c, s, (uint64_t)off, data, cap, len);
            return;
        }
        /* The buffer is full: stop waiting for the first hole. */
        skip_gap(f, c, s,
                 r->n_ooo > 0 && r->ooo[0].off < (uint64_t)off ? r->ooo[0].off : (uint64_t)off);
        drain(c, s);
    }
}

/* ---- TCP connections ---- */

static struct conn *conn_new(struct eh_flows *f, const struct eh_pkt *p, uint32_t hash,
                             bool sender_is_client, const char *rule)
{
    struct conn *c = calloc(1, sizeof(*c));
    if (c == NULL || !APPEND(f->conns, f->n_conns, f->cap_conns, c)) {
        free(c);
        return NULL;
    }
    set_endpoints(&c->pub.client, &c->pub.server, p, sender_is_client);
    c->pub.client_rule = rule;
    c->pub.first_us = p->time_us;
    c->hash = hash;
    c->next = f->tcp_buckets[hash & (f->n_buckets - 1)];
    f->tcp_buckets[hash & (f->n_buckets - 1)] = c;
    maybe_grow(f);
    return c;
}

static void record_close(struct conn *c, enum eh_side s, bool rst, int64_t time_us, int64_t rel_seq)
{
    struct eh_tcp_conn *t = &c->pub;
    if (!t->closed) {
        t->closed = true;
        t->first_close_by = s;
    }
    if (t->n_closes < EH_MAX_CLOSE_EVENTS)
        t->closes[t->n_closes++] = (struct eh_close_event){time_us, s, rst, rel_seq};
    else
        t->closes_dropped++;
}

static void classify(struct conn *c)
{
    struct eh_tcp_conn *t = &c->pub;
    const struct eh_close_event *rst = NULL;
    for (size_t i = 0; i < t->n_closes && rst == NULL; i++)
        if (t->closes[i].rst)
            rst = &t->closes[i];
    if (t->syns > 0 && !t->syn_ack && t->s2c.packets == 0)
        t->close = EH_CLOSE_UNANSWERED;
    else if (t->syns > 0 && !t->syn_ack && t->s2c.rsts > 0)
        t->close = EH_CLOSE_REFUSED;
    else if (rst != NULL) {
        /* did the RST's sender send FIN before it? The first FIN of a side is
         * always recorded before any later event of that side. */
        bool fin_before = false;
        for (const struct eh_close_event *e = t->closes; e < rst; e++)
            fin_before |= !e->rst && e->by == rst->by;
        if (rst->by == EH_SIDE_CLIENT)
            t->close = fin_before ? EH_CLOSE_CLIENT_RESET : EH_CLOSE_CLIENT_ABORT;
        else
            t->close = fin_before ? EH_CLOSE_SERVER_RESET : EH_CLOSE_SERVER_ABORT;
    } else if (t->c2s.fins > 0 && t->s2c.fins > 0)
        t->close = EH_CLOSE_GRACEFUL;
    else if (t->c2s.fins > 0 || t->s2c.fins > 0)
        t->close = EH_CLOSE_HALF_CLOSED;
    else
        t->close = EH_CLOSE_UNFINISHED;
}

/* Ends a connection: flushes reassembly, fills the verdicts, frees buffers. */
static void conn_finish(struct eh_flows *f, struct conn *c)
{
    if (c->finished)
        return;
    c->finished = true;
    for (int s = 0; s < 2; s++) {
        struct rdir *r = &c->r[s];
        while (r->n_ooo > 0) {
            skip_gap(f, c, (enum eh_side)s, r->ooo[0].off);
            drain(c, (enum eh_side)s);
        }
        if (r->fin_known && r->fin_off > r->nxt)
            skip_gap(f, c, (enum eh_side)s, r->fin_off);
        dir_of(c, (enum eh_side)s)->bytes = r->nxt;
    }
    classify(c);
    struct eh_echo *e = &c->pub.echo;
    uint64_t cb = c->pub.c2s.bytes, sb = c->pub.s2c.bytes;
    if (e->has_diff)
        e->verdict = EH_WIRE_DIFFERS;
    else if (e->unverified != NULL)
        e->verdict = EH_WIRE_UNVERIFIED;
    else if (cb == 0 && sb == 0)
        e->verdict = EH_WIRE_EMPTY;
    else if (sb == 0)
        e->verdict = EH_WIRE_NONE;
    else if (sb == cb)
        e->verdict = EH_WIRE_EXACT;
    else
        e->verdict = sb < cb ? EH_WIRE_PREFIX : EH_WIRE_EXTRA;
    if (!e->has_diff)
        e->expected = e->got = -1;
    conn_release(c);
}

/* Finds the connection of p, starting a new one when p opens one. */
static struct conn *conn_lookup(struct eh_flows *f, const struct eh_pkt *p, enum eh_side *side)
{
    uint32_t h = tuple_hash(p);
    bool syn = p->flags & EH_TCP_SYN, ack = p->flags & EH_TCP_ACK;
    struct conn *c = f->tcp_buckets[h & (f->n_buckets - 1)];
    int s = -1;
    for (; c != NULL; c = c->next)
        if (c->hash == h && (s = side_of(&c->pub.client, &c->pub.server, p)) >= 0)
            break;
    if (c != NULL && syn && !ack) {
        /* the same SYN again; where the capture missed the first one, the
         * SYN that the server's SYN-ACK acknowledged */
        struct eh_tcp_dir *d = dir_of(c, (enum eh_side)s);
        bool same =
            s == EH_SIDE_CLIENT && (d->isn_known ? d->isn == p->seq
                                                 : c->pub.syn_ack && c->pub.c2s.packets == 0 &&
                                                       c->syn_ack_ack == p->seq + 1);
        if (!same) {
            conn_finish(f, c);
            c = NULL;
        }
    }
    if (c == NULL) {
        if (syn && !ack)
            c = conn_new(f, p, h, true, "syn");
        else if (syn)
            c = conn_new(f, p, h, false, "syn-ack");
        else
            c = conn_new(f, p, h, true, "first-packet");
        s = syn && ack ? EH_SIDE_SERVER : EH_SIDE_CLIENT;
    }
    *side = (enum eh_side)s;
    return c;
}

/* After both FINs or a RST no more stream data is expected: give back the
 * buffers that are empty (they are allocated again if data still comes), so
 * that a capture of many short connections stays small. */
static void trim_closed(struct conn *c)
{
    if (c->win.len == 0)
        ring_free(&c->win);
    for (int s = 0; s < 2; s++) {
        if (c->r[s].n_ooo == 0) {
            free(c->r[s].ooo);
            c->r[s].ooo = NULL;
        }
    }
}

/* A RST from side s. Both sides had closed and each had its FIN
 * acknowledged: the connection was over. A segment that arrives late (a
 * duplicate ACK or retransmission reordered or delayed by loss) finds no
 * socket, and the kernel answers it with a bare RST (RFC 9293 3.10.7.1),
 * which ends nothing, so it is not a close. An application that closes with
 * unread data sends RST|ACK instead. */
static void tcp_rst(struct conn *c, enum eh_side s, const struct eh_pkt *p, bool ack)
{
    struct eh_tcp_conn *t = &c->pub;
    struct rdir *r = &c->r[s];
    dir_of(c, s)->rsts++;
    if (!ack && c->fin_acked[EH_SIDE_CLIENT] && c->fin_acked[EH_SIDE_SERVER]) {
        t->late_rsts++;
        return;
    }
    if (!r->base_set) {
        r->base = p->seq;
        r->base_set = true;
    }
    record_close(c, s, true, p->time_us, rel_off(r, p->seq));
    if (c->sent_fin[s] && c->data_after_own_fin[s])
        t->data_after_close = true;
}

static void tcp_add(struct eh_flows *f, const struct eh_pkt *p)
{
    uint8_t fl = p->flags;
    bool syn = fl & EH_TCP_SYN, ack = fl & EH_TCP_ACK, rst = fl & EH_TCP_RST, fin = fl & EH_TCP_FIN;
    if ((syn && (rst || fin)) || (fl & (EH_TCP_SYN | EH_TCP_ACK | EH_TCP_RST | EH_TCP_FIN)) == 0) {
        f->anomalies[EH_ANOM_TCP_BAD_FLAGS]++;
        return;
    }
    enum eh_side s;
    struct conn *c = conn_lookup(f, p, &s);
    if (c == NULL)
        return;
    enum eh_side peer = s == EH_SIDE_CLIENT ? EH_SIDE_SERVER : EH_SIDE_CLIENT;
    struct eh_tcp_conn *t = &c->pub;
    struct eh_tcp_dir *d = dir_of(c, s);
    struct rdir *r = &c->r[s];
    bool again = (syn && d->isn_known) || (fin && c->sent_fin[s] && p->payload_len == 0);
    uint64_t retrans_before = d->retrans_segments;
    d->packets++;
    d->frame_bytes += p->frame_len;
    t->last_us = p->time_us;
    if (syn) {
        if (!d->isn_known) {
            d->isn_known = true;
            d->isn = p->seq;
            d->syn_opts = p->opts;
            if (!r->base_set || r->nxt == 0) {
                r->base = p->seq + 1;
                r->base_set = true;
            }
        }
        if (s == EH_SIDE_CLIENT && !ack)
            t->syns++;
        if (s == EH_SIDE_SERVER && ack && !t->syn_ack) {
            t->syn_ack = true;
            c->syn_ack_ack = p->ack;
        }
    } else if (ack && s == EH_SIDE_CLIENT && t->syns > 0 && t->syn_ack && !t->handshake &&
               p->ack == t->s2c.isn + 1) {
        t->handshake = true;
    }
    uint32_t dseq = p->seq + (syn ? 1 : 0); /* SYN data starts after the SYN */
    int64_t seq_off = r->base_set ? rel_off(r, dseq) : 0;
    /* A RST's payload is diagnostic text that no receiver delivers (RFC 9293
     * 3.10.7.3): it is not stream data. */
    if (p->payload_len > 0 && !rst) {
        d->segments++;
        if (d->segments == 1 || p->payload_len < d->seg_min)
            d->seg_min = p->payload_len;
        if (p->payload_len > d->seg_max)
            d->seg_max = p->payload_len;
        if (c->sent_fin[peer]) {
            d->after_peer_fin_bytes += p->payload_len;
            c->data_after_own_fin[peer] = true;
        }
        if (!c->finished)
            stream_add(f, c, s, dseq, p->payload, p->payload_cap, p->payload_len);
    }
    if (fin) {
        if (!r->base_set) {
            r->base = dseq + p->payload_len;
            r->base_set = true;
        }
        int64_t off = rel_off(r, dseq) + p->payload_len;
        if (!c->sent_fin[s]) {
            record_close(c, s, false, p->time_us, off);
            r->fin_known = off >= 0;
            r->fin_off = off >= 0 ? (uint64_t)off : 0;
        }
        c->sent_fin[s] = true;
        d->fins++;
    }
    if (ack && c->r[peer].fin_known && rel_off(&c->r[peer], p->ack) > (int64_t)c->r[peer].fin_off)
        c->fin_acked[peer] = true;
    if (rst)
        tcp_rst(c, s, p, ack);
    struct eh_seg rec = {.time_us = p->time_us,
                         .seq = seq_off,
                         .len = p->payload_len,
                         .flags = fl,
                         .by = (uint8_t)s,
                         .retrans = again || d->retrans_segments > retrans_before};
    seglog_add(&t->segs, &rec);
    if (rst || (fin && c->sent_fin[peer]))
        trim_closed(c);
}

/* ---- UDP ---- */

static void udp_dir_add(struct eh_udp_dir *d, uint32_t len)
{
    if (d->datagrams == 0 || len < d->min)
        d->min = len;
    if (len > d->max)
        d->max = len;
    d->datagrams++;
    d->bytes += len;
    d->empty += len == 0;
    if (d->n_sizes < EH_UDP_SIZES_MAX) {
        if (d->sizes == NULL && (d->sizes = malloc(EH_UDP_SIZES_MAX * sizeof(*d->sizes))) == NULL)
            return;
        d->sizes[d->n_sizes++] = len;
    }
}

static void udp_stop(struct uflow *u, const char *why)
{
    if (!u->stopped)
        u->pub.echo.unverified = why;
    u->stopped = true;
    ring_free(&u->pend);
    free(u->pend_len);
    u->pend_len = NULL;
    u->pend_cap = u->pend_n = u->pend_head = 0;
}

/* Queues the length of one more unpaired request; false when full. */
static bool pend_push(struct uflow *u, uint32_t len)
{
    if (u->pend_n == u->pend_cap) {
        size_t nc = u->pend_cap ? u->pend_cap * 2 : 16;
        uint32_t *na = nc <= UDP_PENDING_MAX ? malloc(nc * sizeof(*na)) : NULL;
        if (na == NULL)
            return false;
        for (size_t i = 0; i < u->pend_n; i++)
            na[i] = u->pend_len[(u->pend_head + i) % u->pend_cap];
        free(u->pend_len);
        u->pend_len = na;
        u->pend_cap = nc;
        u->pend_head = 0;
    }
    u->pend_len[(u->pend_head + u->pend_n++) % u->pend_cap] = len;
    return true;
}

/* Compares a reply with the earliest unpaired request. */
static void udp_pair(struct uflow *u, const struct eh_pkt *p)
{
    struct eh_echo *e = &u->pub.echo;
    uint32_t rl = u->pend_len[u->pend_head];
    u->pend_head = (u->pend_head + 1) % u->pend_cap;
    u->pend_n--;
    uint32_t n = rl < p->payload_len ? rl : p->payload_len;
    size_t i = n > 0 ? ring_compare(&u->pend, p->payload, n) : 0;
    if (!e->has_diff && (i < n || rl != p->payload_len)) {
        e->has_diff = true;
        e->diff_datagram = u->pub.s2c.datagrams - 1;
        e->diff_offset = i;
        e->expected = i < rl ? ring_at(&u->pend, i) : -1;
        e->got = i < p->payload_len ? p->payload[i] : -1;
    }
    if (!e->has_diff)
        e->matched_bytes += n;
    ring_pop(&u->pend, rl);
}

static void udp_add(struct eh_flows *f, const struct eh_pkt *p)
{
    uint32_t h = tuple_hash(p);
    struct uflow *u = f->udp_buckets[h & (f->n_buckets - 1)];
    int s = -1;
    for (; u != NULL; u = u->next)
        if (u->hash == h && (s = side_of(&u->pub.client, &u->pub.server, p)) >= 0)
            break;
    if (u == NULL) {
        u = calloc(1, sizeof(*u));
        if (u == NULL || !APPEND(f->udps, f->n_udps, f->cap_udps, u)) {
            free(u);
            return;
        }
        set_endpoints(&u->pub.client, &u->pub.server, p, true);
        u->pub.first_us = p->time_us;
        u->hash = h;
        u->next = f->udp_buckets[h & (f->n_buckets - 1)];
        f->udp_buckets[h & (f->n_buckets - 1)] = u;
        maybe_grow(f);
        s = EH_SIDE_CLIENT;
    }
    struct eh_udp_flow *t = &u->pub;
    t->last_us = p->time_us;
    struct eh_seg rec = {.time_us = p->time_us, .len = p->payload_len, .by = (uint8_t)s};
    seglog_add(&t->segs, &rec);
    if (p->payload_cap < p->payload_len)
        udp_stop(u, "truncated-capture");
    if (s == EH_SIDE_CLIENT) {
        udp_dir_add(&t->c2s, p->payload_len);
        if (u->stopped)
            return;
        if (!ring_push(&u->pend, p->payload, p->payload_len, EH_ECHO_WINDOW_MAX) ||
            !pend_push(u, p->payload_len)) {
            udp_stop(u, "window-overflow");
            return;
        }
        return;
    }
    udp_dir_add(&t->s2c, p->payload_len);
    if (t->pairs == t->c2s.datagrams) {
        t->unsolicited++;
        return;
    }
    t->pairs++;
    if (!u->stopped)
        udp_pair(u, p);
}

static void udp_finish(struct uflow *u)
{
    struct eh_udp_flow *t = &u->pub;
    struct eh_echo *e = &t->echo;
    t->unanswered = t->c2s.datagrams - t->pairs;
    if (e->has_diff)
        e->verdict = EH_WIRE_DIFFERS;
    else if (e->unverified != NULL)
        e->verdict = EH_WIRE_UNVERIFIED;
    else if (t->s2c.datagrams == 0)
        e->verdict = EH_WIRE_NONE;
    else if (t->unsolicited > 0)
        e->verdict = EH_WIRE_EXTRA;
    else
        e->verdict = t->unanswered > 0 ? EH_WIRE_PREFIX : EH_WIRE_EXACT;
    if (!e->has_diff)
        e->expected = e->got = -1;
    ring_free(&u->pend);
    free(u->pend_len);
    u->pend_len = NULL;
}

void eh_flows_add(struct eh_flows *f, const struct eh_pkt *p)
{
    if (p->proto == IPPROTO_TCP)
        tcp_add(f, p);
    else if (p->proto == IPPROTO_UDP)
        udp_add(f, p);
}

void eh_flows_finish(struct eh_flows *f)
{
    for (size_t i = 0; i < f->n_conns; i++)
        conn_finish(f, f->conns[i]);
    for (size_t i = 0; i < f->n_udps; i++)
        udp_finish(f->udps[i]);
}
