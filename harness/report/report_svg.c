/* report_svg.c - the drawings of report.html: ladder diagrams and histograms.
 *
 * A ladder is drawn per TCP connection or UDP exchange of a scenario's wire
 * analysis, as inline SVG: the client's lane on the left, the server's on
 * the right, time flowing down, one arrow per kept packet (report.json's
 * "segments"), and each role's socket calls beside its own lane, placed on
 * the capture's clock with the role's "clock" (timeline.h). One row per
 * packet or call, in time order, with the time from the first frame in the
 * margin and a break where nothing happened for more than a millisecond: on
 * loopback a whole exchange takes less time than a linear scale could show.
 * A drawing never exceeds MAX_ROWS rows (the first HEAD_ROWS and the last
 * TAIL_ROWS, and one row saying what was left out between them), nor a
 * scenario MAX_LADDERS drawings, so the page stays small whatever was sent.
 * For --repeat, each timing-dependent outcome gets a histogram of SVG bars.
 * Every string from the document is escaped (eh_escape()); nothing here
 * writes a style attribute or a script, so the page's Content-Security-Policy
 * can forbid both.
 */
#include "report.h"
#include "timeline.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LADDERS 6 /* connections drawn per scenario */
#define HEAD_ROWS 90  /* rows drawn from a connection's start */
#define TAIL_ROWS 30  /* rows drawn from its end */
#define MAX_ROWS (HEAD_ROWS + TAIL_ROWS)
#define GAP_US 1000    /* a pause longer than this gets a break row */
#define ROW_H 18       /* pixels per row */
#define BREAK_H 14     /* pixels of a break row */
#define WIDTH 980      /* pixels */
#define X_CLIENT 350   /* the client's lane */
#define X_SERVER 630   /* the server's lane */
#define TOP 44         /* pixels above the first row */
#define X_TIME 84      /* right edge of the time labels */
#define MAX_LABEL_C 36 /* bytes of a client's call drawn (all of it in the tooltip) */
#define MAX_LABEL_S 50 /* bytes of a server's call drawn */

enum item_kind {
    IT_PACKET,  /* a kept packet */
    IT_EVENT,   /* a socket call of a role */
    IT_OMITTED, /* the packets the analysis did not keep */
};

struct item {
    int64_t t_us; /* on the wire's axis */
    size_t order; /* insertion order, for ties */
    enum item_kind kind;
    enum eh_role_id role; /* IT_EVENT */
    const json_t *j;      /* the packet or the event */
};

struct ladder {
    const json_t *flow;
    bool udp;
    struct item *items;
    size_t n, cap;
    uint64_t omitted; /* packets not kept by the analysis */
    int64_t zero_us[EH_ROLE_COUNT];
    int64_t error_us[EH_ROLE_COUNT];
    bool has_clock[EH_ROLE_COUNT];
};

static int64_t int_of(const json_t *obj, const char *key, int64_t dflt)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static const char *str_of(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

static bool push(struct ladder *l, struct item it)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        struct item *ni = realloc(l->items, nc * sizeof(*ni));
        if (ni == NULL)
            return false;
        l->items = ni;
        l->cap = nc;
    }
    it.order = l->n;
    l->items[l->n++] = it;
    return true;
}

static int by_time(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->t_us != y->t_us)
        return x->t_us < y->t_us ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* "+85 us", "+1.234 ms", "+2.502 s" */
static void time_text(char *buf, size_t len, int64_t t_us)
{
    const char *sign = t_us < 0 ? "-" : "+";
    int64_t a = t_us < 0 ? -t_us : t_us;
    if (a < 1000)
        snprintf(buf, len, "%s%" PRId64 " \xc2\xb5s", sign, a);
    else if (a < 1000000)
        snprintf(buf, len, "%s%.3f ms", sign, (double)a / 1e3);
    else
        snprintf(buf, len, "%s%.3f s", sign, (double)a / 1e6);
}

/* ---- collecting the rows ---- */

static void add_packets(struct ladder *l)
{
    const json_t *log = json_object_get(l->flow, l->udp ? "datagrams" : "segments");
    const json_t *first = json_object_get(log, "first"), *last = json_object_get(log, "last");
    size_t i;
    const json_t *g;
    json_array_foreach(first, i, g)
        push(l, (struct item){.t_us = int_of(g, "t_us", 0), .kind = IT_PACKET, .j = g});
    l->omitted = (uint64_t)int_of(log, "omitted", 0);
    if (l->omitted > 0 && l->n > 0)
        push(l, (struct item){.t_us = l->items[l->n - 1].t_us, .kind = IT_OMITTED});
    json_array_foreach(last, i, g)
        push(l, (struct item){.t_us = int_of(g, "t_us", 0), .kind = IT_PACKET, .j = g});
}

/* The flow an event tied to no connection is drawn with: the last one that
 * started at or before it, else the first. */
static int flow_by_time(const json_t *wire, int64_t t_us)
{
    int best = 0, n_tcp = (int)json_array_size(json_object_get(wire, "tcp"));
    int64_t best_start = INT64_MIN;
    for (int k = 0;; k++) {
        const json_t *f = k < n_tcp
                              ? json_array_get(json_object_get(wire, "tcp"), (size_t)k)
                              : json_array_get(json_object_get(wire, "udp"), (size_t)(k - n_tcp));
        if (f == NULL)
            break;
        int64_t start = int_of(f, "start_us", 0);
        if (start <= t_us && start > best_start) {
            best = k;
            best_start = start;
        }
    }
    return best;
}

/* The socket calls of one role that belong to flow k. */
static void add_events(struct ladder *l, const struct eh__role_view *r, enum eh_role_id role,
                       const json_t *wire, int k)
{
    const json_t *clock = json_object_get(r->json, "clock");
    if (r->events == NULL || !json_is_object(clock))
        return;
    l->has_clock[role] = true;
    l->zero_us[role] = int_of(clock, "zero_us", 0);
    l->error_us[role] = int_of(clock, "error_us", 0);
    int *flows = eh_timeline_assign(r->events, wire, role);
    size_t i;
    const json_t *ev;
    json_array_foreach(r->events, i, ev)
    {
        int64_t t = int_of(ev, "t_us", -1);
        if (t < 0)
            continue;
        t += l->zero_us[role];
        int f = flows ? flows[i] : -1;
        if (f < 0)
            f = flow_by_time(wire, t);
        if (f == k)
            push(l, (struct item){.t_us = t, .kind = IT_EVENT, .role = role, .j = ev});
    }
    free(flows);
}

/* ---- drawing ---- */

static void esc(FILE *out, const char *s, size_t len)
{
    eh_escape(out, s, len, EH_ESC_INLINE);
}

static void esc_str(FILE *out, const char *s)
{
    eh_escape_str(out, s, EH_ESC_INLINE);
}

/* A socket call as one line: "recv(1024) = 12", "send(1024) = -1 EPIPE",
 * "accept() = 3 from 127.0.0.1:40000", "conn_end: EPIPE". */
static void event_text(const json_t *ev, char *buf, size_t len)
{
    const char *call = str_of(ev, "call"), *err = str_of(ev, "errno");
    const json_t *ret = json_object_get(ev, "ret");
    char args[96] = "", result[96] = "";
    if (json_object_get(ev, "size"))
        snprintf(args, sizeof(args), "%" PRId64, int_of(ev, "size", 0));
    else if (strcmp(call, "connect") == 0 || strcmp(call, "bind") == 0)
        snprintf(args, sizeof(args), "%s",
                 str_of(ev, "raddr")[0] ? str_of(ev, "raddr") : str_of(ev, "laddr"));
    else if (json_object_get(ev, "fd") && strcmp(call, "accept") != 0)
        snprintf(args, sizeof(args), "%" PRId64, int_of(ev, "fd", 0));
    if (json_is_integer(ret))
        snprintf(result, sizeof(result), " = %" JSON_INTEGER_FORMAT "%s%s", json_integer_value(ret),
                 err[0] ? " " : "", err);
    if (strcmp(call, "accept") == 0 && str_of(ev, "raddr")[0])
        snprintf(result + strlen(result), sizeof(result) - strlen(result), " from %s",
                 str_of(ev, "raddr"));
    if (strcmp(call, "conn_end") == 0)
        snprintf(buf, len, "conn_end: %s", str_of(ev, "reason"));
    else if (strcmp(call, "exit") == 0)
        snprintf(buf, len, "exit(%" PRId64 ")", int_of(ev, "status", 0));
    else if (strcmp(call, "ready") == 0 || strcmp(call, "log_truncated") == 0)
        snprintf(buf, len, "%s", call);
    else
        snprintf(buf, len, "%s(%s)%s", call, args, result);
}

/* The arrow's words: "SYN", "SYN-ACK", "ACK", "12 B, seq 0", "FIN, seq 12",
 * "RST"; for UDP "request 12 B", "reply 12 B". */
static void packet_text(const json_t *g, bool udp, char *buf, size_t len)
{
    bool client = strcmp(str_of(g, "from"), "client") == 0;
    int64_t n = int_of(g, "len", 0), seq = int_of(g, "seq", 0);
    const char *f = str_of(g, "flags");
    if (udp) {
        snprintf(buf, len, "%s %" PRId64 " B", client ? "request" : "reply", n);
        return;
    }
    char what[48] = "";
    if (strchr(f, 'R'))
        snprintf(what, sizeof(what), "RST");
    else if (strchr(f, 'S'))
        snprintf(what, sizeof(what), strchr(f, '.') ? "SYN-ACK" : "SYN");
    else if (strchr(f, 'F'))
        snprintf(what, sizeof(what), "FIN");
    size_t o = strlen(what);
    if (n > 0)
        snprintf(what + o, sizeof(what) - o, "%s%" PRId64 " B", o ? " + " : "", n);
    else if (o == 0)
        snprintf(what, sizeof(what), "ACK");
    if (n > 0 || strchr(f, 'F'))
        snprintf(buf, len, "%s, seq %" PRId64 "%s", what, seq,
                 json_is_true(json_object_get(g, "retransmission")) ? " (retransmission)" : "");
    else
        snprintf(buf, len, "%s%s", what,
                 json_is_true(json_object_get(g, "retransmission")) ? " (retransmission)" : "");
}

/* The notation of the scenario descriptions: "C:P.12". */
static void packet_token(const json_t *g, bool udp, char *buf, size_t len)
{
    char who = strcmp(str_of(g, "from"), "client") == 0 ? 'C' : 'S';
    int64_t n = int_of(g, "len", 0);
    if (udp)
        snprintf(buf, len, "%c:%" PRId64 " bytes", who, n);
    else if (n > 0)
        snprintf(buf, len, "%c:%s%" PRId64, who, str_of(g, "flags"), n);
    else
        snprintf(buf, len, "%c:%s", who, str_of(g, "flags"));
}

static void draw_packet(FILE *out, const json_t *g, bool udp, int y, const char *when)
{
    bool client = strcmp(str_of(g, "from"), "client") == 0;
    const char *f = str_of(g, "flags");
    const char *cls = udp                   ? "udp"
                      : strchr(f, 'R')      ? "rst"
                      : strchr(f, 'F')      ? "fin"
                      : strchr(f, 'S')      ? "syn"
                      : int_of(g, "len", 0) ? "data"
                                            : "ack";
    bool retrans = json_is_true(json_object_get(g, "retransmission"));
    char text[96], token[48];
    packet_text(g, udp, text, sizeof(text));
    packet_token(g, udp, token, sizeof(token));
    int x1 = client ? X_CLIENT : X_SERVER, x2 = client ? X_SERVER - 4 : X_CLIENT + 4;
    fprintf(out, "<g class=\"pkt %s%s\"><title>", cls, retrans ? " retrans" : "");
    esc_str(out, token);
    fputs(" at ", out);
    esc_str(out, when);
    fputs(": ", out);
    esc_str(out, text);
    fprintf(out,
            "</title><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" marker-end=\"url(#eh-%s)\"/>",
            x1, y + 4, x2, y + 4, cls);
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (X_CLIENT + X_SERVER) / 2, y);
    esc_str(out, text);
    fputs("</text></g>\n", out);
}

static void draw_event(FILE *out, const json_t *ev, enum eh_role_id role, int y, const char *when)
{
    char text[256];
    event_text(ev, text, sizeof(text));
    bool failed = int_of(ev, "ret", 0) < 0 && json_object_get(ev, "errno");
    int x = role == EH_CLIENT ? X_CLIENT : X_SERVER;
    fprintf(out, "<g class=\"ev%s\"><title>%s at ", failed ? " err" : "", eh_role_name(role));
    esc_str(out, when);
    fputs(": ", out);
    esc_str(out, text);
    fprintf(out, "</title><circle cx=\"%d\" cy=\"%d\" r=\"3\"/>", x, y + 4);
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\">", role == EH_CLIENT ? x - 8 : x + 8,
            y + 8, role == EH_CLIENT ? "end" : "start");
    size_t n = strlen(text), max = role == EH_CLIENT ? MAX_LABEL_C : MAX_LABEL_S;
    esc(out, text, n > max ? max : n);
    if (n > max)
        fputs("\xe2\x80\xa6", out);
    fputs("</text></g>\n", out);
}

/* What was left out between the head and the tail rows. */
struct elided {
    size_t packets, events;
    uint64_t not_kept; /* packets the analysis did not keep, when they fall there */
    int64_t from_us, to_us;
};

static void draw_note(FILE *out, int y, const char *text)
{
    fprintf(out,
            "<g class=\"note\"><line x1=\"90\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
            y + 4, WIDTH - 10, y + 4, (X_CLIENT + X_SERVER) / 2, y + 8);
    esc_str(out, text);
    fputs("</text></g>\n", out);
}

/* Row i of the drawing is item index_of(i); the rows between HEAD_ROWS and
 * n - TAIL_ROWS are left out when there are more than MAX_ROWS. */
static bool row_drawn(const struct ladder *l, size_t i)
{
    return l->n <= MAX_ROWS || i < HEAD_ROWS || i >= l->n - TAIL_ROWS;
}

/* Draws the rows; returns the height used. */
static int draw_rows(FILE *out, const struct ladder *l, int y)
{
    int64_t prev_t = l->n ? l->items[0].t_us : 0;
    bool elision_drawn = false;
    char when[32], note[160];
    for (size_t i = 0; i < l->n; i++) {
        const struct item *it = &l->items[i];
        if (!row_drawn(l, i)) {
            if (elision_drawn)
                continue;
            struct elided e = {0, 0, 0, it->t_us, it->t_us};
            for (size_t k = i; !row_drawn(l, k); k++) {
                e.packets += l->items[k].kind == IT_PACKET;
                e.events += l->items[k].kind == IT_EVENT;
                e.not_kept += l->items[k].kind == IT_OMITTED ? l->omitted : 0;
                e.to_us = l->items[k].t_us;
            }
            char a[32], b[32], more[64] = "";
            time_text(a, sizeof(a), e.from_us);
            time_text(b, sizeof(b), e.to_us);
            if (e.not_kept > 0)
                snprintf(more, sizeof(more), " (and %" PRIu64 " the analysis did not keep)",
                         e.not_kept);
            snprintf(note, sizeof(note),
                     "\xe2\x80\xa6 %zu packets%s and %zu socket calls not drawn, from %s to %s "
                     "\xe2\x80\xa6",
                     e.packets, more, e.events, a, b);
            draw_note(out, y, note);
            y += ROW_H;
            elision_drawn = true;
            prev_t = e.to_us;
            continue;
        }
        if (it->t_us - prev_t > GAP_US) {
            time_text(when, sizeof(when), it->t_us - prev_t);
            fprintf(out,
                    "<g class=\"gap\"><line x1=\"4\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                    "<text x=\"%d\" y=\"%d\">",
                    y + 6, WIDTH - 10, y + 6, X_TIME + 8, y + 10);
            esc_str(out, when);
            fputs(" later</text></g>\n", out);
            y += BREAK_H;
        }
        prev_t = it->t_us;
        time_text(when, sizeof(when), it->t_us);
        fprintf(out, "<text class=\"t\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", X_TIME, y + 8);
        esc_str(out, when);
        fputs("</text>", out);
        switch (it->kind) {
        case IT_PACKET:
            draw_packet(out, it->j, l->udp, y, when);
            break;
        case IT_EVENT:
            draw_event(out, it->j, it->role, y, when);
            break;
        case IT_OMITTED:
            snprintf(note, sizeof(note),
                     "\xe2\x80\xa6 %" PRIu64 " packets not kept by the analysis \xe2\x80\xa6",
                     l->omitted);
            draw_note(out, y, note);
            break;
        }
        y += ROW_H;
    }
    return y;
}

static const char *close_words(const char *close)
{
    static const char *const words[][2] = {
        {"graceful", "both sides sent FIN, no RST"},
        {"half-closed", "one side sent FIN, the other neither FIN nor RST"},
        {"unfinished", "neither FIN nor RST was seen"},
        {"client-reset", "the client sent FIN, then RST: data reached its closed socket"},
        {"server-reset", "the server sent FIN, then RST: data reached its closed socket"},
        {"client-abort", "the client sent RST without FIN: an abortive close"},
        {"server-abort", "the server sent RST without FIN: an abortive close"},
        {"refused", "the server answered the SYN with RST"},
        {"unanswered", "the server never answered the SYN"},
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(close, words[i][0]) == 0)
            return words[i][1];
    return "";
}

/* The words under a drawing: the close class, the echo, the clocks. */
static void ladder_caption(FILE *out, const struct ladder *l)
{
    fputs("<p class=\"caption\">", out);
    if (!l->udp) {
        fputs("<b>close: ", out);
        esc_str(out, str_of(l->flow, "close"));
        fputs("</b> &mdash; ", out);
        esc_str(out, close_words(str_of(l->flow, "close")));
        fputs(". ", out);
    } else {
        fprintf(out, "<b>UDP:</b> %" PRId64 " request(s), %" PRId64 " reply(ies) paired. ",
                int_of(json_object_get(l->flow, "c2s"), "datagrams", 0),
                int_of(l->flow, "pairs", 0));
    }
    fputs("Echo on the wire: ", out);
    esc_str(out, str_of(json_object_get(l->flow, "echo"), "verdict"));
    fputs(".", out);
    for (int r = 0; r < EH_ROLE_COUNT; r++)
        if (l->has_clock[r])
            fprintf(out, " %s's calls placed within &plusmn;%" PRId64 " &micro;s.",
                    eh_role_name((enum eh_role_id)r), l->error_us[r]);
    fputs("</p>\n", out);
}

static void draw_ladder(FILE *out, struct ladder *l, int k)
{
    if (l->n > 1) /* qsort() wants a non-null array even when it is empty */
        qsort(l->items, l->n, sizeof(*l->items), by_time);
    char *rows = NULL;
    size_t rows_len = 0;
    FILE *mem = open_memstream(&rows, &rows_len); /* the rows first: they decide the height */
    if (mem == NULL)
        return;
    int bottom = draw_rows(mem, l, TOP);
    fclose(mem);
    int h = bottom + 8;
    fprintf(out, "<div class=\"ladder-box\"><svg class=\"ladder\" role=\"img\" width=\"%d\" ",
            WIDTH);
    fprintf(out, "height=\"%d\" viewBox=\"0 0 %d %d\" data-flow=\"%d\">\n", h, WIDTH, h, k);
    fputs("<title>Ladder diagram: the client's lane on the left, the server's on the right, time "
          "flowing down</title>\n",
          out);
    fprintf(out, "<text class=\"lane\" x=\"%d\" y=\"14\" text-anchor=\"middle\">client ", X_CLIENT);
    esc_str(out, str_of(l->flow, "client"));
    fprintf(out, "</text><text class=\"lane\" x=\"%d\" y=\"14\" text-anchor=\"middle\">server ",
            X_SERVER);
    esc_str(out, str_of(l->flow, "server"));
    fprintf(out,
            "</text>\n<text class=\"t\" x=\"%d\" y=\"32\" text-anchor=\"end\">time</text>"
            "<text class=\"t\" x=\"%d\" y=\"32\" text-anchor=\"end\">client's socket calls</text>"
            "<text class=\"t\" x=\"%d\" y=\"32\">server's socket calls</text>\n",
            X_TIME, X_CLIENT - 8, X_SERVER + 8);
    fprintf(out,
            "<line class=\"lane\" x1=\"%d\" y1=\"20\" x2=\"%d\" y2=\"%d\"/>"
            "<line class=\"lane\" x1=\"%d\" y1=\"20\" x2=\"%d\" y2=\"%d\"/>\n",
            X_CLIENT, X_CLIENT, bottom, X_SERVER, X_SERVER, bottom);
    fwrite(rows, 1, rows_len, out);
    fputs("</svg></div>\n", out);
    free(rows);
    ladder_caption(out, l);
}

void eh__html_ladders(FILE *out, const struct eh__scenario_view *s)
{
    const json_t *wire = json_object_get(s->json, "wire");
    int n_tcp = (int)json_array_size(json_object_get(wire, "tcp"));
    int n = n_tcp + (int)json_array_size(json_object_get(wire, "udp"));
    if (n == 0)
        return;
    fputs("<h3>The exchange</h3>\n<p class=\"legend\">One arrow per packet, as captured "
          "(<span class=\"k-syn\">SYN</span>, <span class=\"k-data\">data</span>, "
          "<span class=\"k-fin\">FIN</span>, <span class=\"k-rst\">RST</span>, dashed: a "
          "retransmission); beside each lane the socket calls its program logged, placed on the "
          "capture's clock when they returned (hover for details). Times are from the first "
          "packet; a pause is marked where it happened.</p>\n",
          out);
    for (int k = 0; k < n && k < MAX_LADDERS; k++) {
        struct ladder l = {0};
        l.udp = k >= n_tcp;
        l.flow = l.udp ? json_array_get(json_object_get(wire, "udp"), (size_t)(k - n_tcp))
                       : json_array_get(json_object_get(wire, "tcp"), (size_t)k);
        add_packets(&l);
        struct eh__role_view r;
        for (size_t i = 0; eh__role_at(s, i, &r); i++)
            add_events(&l, &r, strcmp(r.name, "server") == 0 ? EH_SERVER : EH_CLIENT, wire, k);
        fprintf(out, "<h4>%s %d of %d</h4>\n", l.udp ? "UDP exchange" : "TCP connection", k + 1, n);
        draw_ladder(out, &l, k);
        free(l.items);
    }
    if (n > MAX_LADDERS)
        fprintf(out,
                "<p class=\"dim\">%d more connections are not drawn; report.json has them.</p>\n",
                n - MAX_LADDERS);
}

/* ---- histograms ---- */

static const char *fact_words(const char *fact)
{
    if (strcmp(fact, "client_received_bytes") == 0)
        return "bytes the client received";
    if (strcmp(fact, "wire_close") == 0)
        return "how each connection closed, on the wire";
    if (strcmp(fact, "server_conn_end") == 0)
        return "how the server's connection ended, as it logged";
    if (strcmp(fact, "server_exit") == 0)
        return "how the server exited";
    return fact;
}

static void histogram(FILE *out, const char *fact, const json_t *counts)
{
    json_int_t total = 0, max = 1;
    const char *value;
    const json_t *n;
    json_object_foreach((json_t *)counts, value, n)
    {
        total += json_integer_value(n);
        if (json_integer_value(n) > max)
            max = json_integer_value(n);
    }
    size_t rows = json_object_size(counts);
    int h = (int)rows * 20 + 6;
    fputs("<figure class=\"hist\"><figcaption>", out);
    esc_str(out, fact_words(fact));
    fputs(" <span class=\"dim\">(", out);
    esc_str(out, fact);
    fprintf(out,
            ")</span></figcaption>\n<svg class=\"histogram\" width=\"560\" height=\"%d\" "
            "viewBox=\"0 0 560 %d\">\n",
            h, h);
    int y = 2;
    json_object_foreach((json_t *)counts, value, n)
    {
        json_int_t c = json_integer_value(n);
        int w = (int)(c * 300 / max);
        fputs("<g><title>", out);
        esc_str(out, value);
        fprintf(out, ": %" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT " runs</title>", c,
                total);
        fprintf(out, "<text x=\"150\" y=\"%d\" text-anchor=\"end\">", y + 13);
        size_t len = strlen(value);
        esc(out, value, len > 24 ? 24 : len);
        fprintf(out, "</text><rect x=\"158\" y=\"%d\" width=\"%d\" height=\"14\"/>", y + 2,
                w > 1 ? w : 1);
        fprintf(out, "<text x=\"%d\" y=\"%d\">%" JSON_INTEGER_FORMAT " (%.0f%%)</text></g>\n",
                158 + w + 6, y + 13, c, 100.0 * (double)c / (double)(total ? total : 1));
        y += 20;
    }
    fputs("</svg></figure>\n", out);
}

void eh__html_histograms(FILE *out, const json_t *repeat)
{
    const json_t *dist = json_object_get(repeat, "distribution");
    if (json_object_size(dist) == 0)
        return;
    fprintf(out, "<h3>Outcomes over %" PRId64 " runs</h3>\n<div class=\"hists\">\n",
            int_of(repeat, "runs", 0));
    const char *fact;
    const json_t *counts;
    json_object_foreach((json_t *)dist, fact, counts)
    {
        if (json_is_object(counts))
            histogram(out, fact, counts);
    }
    fputs("</div>\n", out);
}
