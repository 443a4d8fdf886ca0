/* conns.c - judging the scripted client's connections and the server watch.
 *
 * The scripted client numbers its sockets ("conn" in every event) and sums
 * up each TCP connection's echo in its conn_end event (sent, received,
 * matched, where the echo first differed and whose bytes came instead), so
 * that streams of any length are judged without the data the log stops
 * recording after 1 MiB. This module reads those records back
 * (struct record), judges them and says why in terms of the rule broken:
 * RFC 862's "Once a connection is established any data received is sent
 * back. This continues until the calling user terminates the connection."
 * (TCP) and "When a datagram is received, the data from it is sent back in
 * an answering datagram." (UDP).
 *
 * Datagrams are judged from the send and recv events themselves (sizes and
 * data), since their boundaries are what is judged: each reply is paired
 * with the socket's requests in order, and a reply that is not its request
 * is explained, when it can be, as a cut, a join of several requests (its
 * own socket's, or other sockets'), a split, a lost request or another
 * socket's datagram.
 */
#include "conns.h"

#include "hex.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULE_TCP "RFC 862: once a connection is established any data received is sent back"
#define RULE_TCP_UNTIL                                                                             \
    "RFC 862: the echo continues until the calling user terminates the connection"
#define RULE_UDP                                                                                   \
    "RFC 862: when a datagram is received, the data from it is sent back in an answering datagram"

/* ---- text ---- */

/* A bounded reason being appended to; output past cap is cut off. */
struct text {
    char *buf;
    size_t cap, len;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
    if (t->len + 1 >= t->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n < t->cap - t->len ? (size_t)n : t->cap - t->len - 1;
}

/* "0x48 'H'" or "0x00". */
static void put_octet(struct text *t, int64_t b)
{
    if (b >= 0x20 && b < 0x7f)
        put(t, "0x%02x '%c'", (unsigned)b, (char)b);
    else
        put(t, "0x%02x", (unsigned)b);
}

/* "client 3 of 5", or "the client" when there is one. */
static void put_who(struct text *t, int id, size_t n)
{
    if (n > 1)
        put(t, "client %d of %zu", id, n);
    else
        put(t, "the client");
}

/* " (1 byte)", " (12 bytes)": a datagram's size after its name. */
static void put_len(struct text *t, size_t len)
{
    put(t, " (%zu byte%s)", len, len == 1 ? "" : "s");
}

static const char *s_of(const json_t *ev, const char *key)
{
    return json_string_value(json_object_get(ev, key));
}

static int64_t i_of(const json_t *ev, const char *key, int64_t none)
{
    const json_t *v = json_object_get(ev, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : none;
}

static bool is_call(const json_t *ev, const char *call)
{
    const char *c = s_of(ev, "call");
    return c != NULL && strcmp(c, call) == 0 && json_object_get(ev, "skipped") == NULL;
}

/* ---- connection records, from the events ---- */

struct record {
    int id;
    bool attempted;          /* a connect call */
    bool connected;          /* it succeeded */
    const char *connect_err; /* its errno name when it failed */
    bool ended;              /* a conn_end summary */
    const char *reason;      /* how it ended: "eof", "timeout", "done", an errno name */
    int64_t sent, received, matched;
    int64_t expected, got;          /* the first differing bytes; -1: none */
    int64_t resumes_at;             /* -1: none */
    int64_t from_conn, from_offset; /* -1: none */
    int64_t t_first_send;           /* t_us of the first send of a byte; -1: none */
    int64_t t_first_data;           /* t_us of the first recv of a byte; -1: none */
    int64_t t_finish;               /* t_us of its shutdown or close, the first; -1: none */
    int64_t t_end;                  /* t_us of its conn_end summary; -1: none */
    int64_t waited_us;              /* elapsed_us of a call that timed out; -1: none */
    bool timed_out;                 /* a call of it timed out */
    bool data_after_timeout;        /* a recv returned bytes after that */
};

struct records {
    struct record *v;
    size_t n;
};

static struct record *record_of(struct records *rs, int64_t id)
{
    if (id < 1 || id > 1000000)
        return NULL;
    if ((size_t)id > rs->n) {
        struct record *v = realloc(rs->v, (size_t)id * sizeof(*v));
        if (v == NULL)
            return NULL;
        for (size_t i = rs->n; i < (size_t)id; i++)
            v[i] = (struct record){.id = (int)i + 1,
                                   .expected = -1,
                                   .got = -1,
                                   .resumes_at = -1,
                                   .from_conn = -1,
                                   .from_offset = -1,
                                   .t_first_send = -1,
                                   .t_first_data = -1,
                                   .t_finish = -1,
                                   .t_end = -1,
                                   .waited_us = -1};
        rs->v = v;
        rs->n = (size_t)id;
    }
    return &rs->v[id - 1];
}

static void take_end(struct record *r, const json_t *ev)
{
    r->ended = true;
    r->t_end = i_of(ev, "t_us", -1);
    r->reason = s_of(ev, "reason");
    r->sent = i_of(ev, "sent", 0);
    r->received = i_of(ev, "received", 0);
    r->matched = i_of(ev, "matched", 0);
    r->expected = i_of(ev, "expected", -1);
    r->got = i_of(ev, "got", -1);
    r->resumes_at = i_of(ev, "resumes_at", -1);
    r->from_conn = i_of(ev, "from_conn", -1);
    r->from_offset = i_of(ev, "from_offset", -1);
}

/* Reads the records of every numbered connection; false when memory ran out. */
static bool read_records(const json_t *events, struct records *rs)
{
    size_t i;
    json_t *ev;
    *rs = (struct records){0};
    json_array_foreach(events, i, ev)
    {
        int64_t id = i_of(ev, "conn", -1), t = i_of(ev, "t_us", 0), ret = i_of(ev, "ret", -1);
        if (id < 1 || json_object_get(ev, "skipped") != NULL)
            continue;
        struct record *r = record_of(rs, id);
        if (r == NULL)
            return false;
        if (is_call(ev, "connect")) {
            r->attempted = true;
            r->connected = ret == 0;
            r->connect_err = s_of(ev, "errno");
        } else if (is_call(ev, "conn_end")) {
            take_end(r, ev);
        } else if (is_call(ev, "send") && ret > 0 && r->t_first_send < 0) {
            r->t_first_send = t;
        } else if (is_call(ev, "recv") && ret > 0 && r->t_first_data < 0) {
            r->t_first_data = t;
        } else if ((is_call(ev, "shutdown") || is_call(ev, "close")) && r->t_finish < 0) {
            r->t_finish = t;
        }
        if (is_call(ev, "recv") && ret > 0 && r->timed_out)
            r->data_after_timeout = true;
        if (json_is_true(json_object_get(ev, "timeout"))) {
            r->timed_out = true;
            r->waited_us = i_of(ev, "elapsed_us", -1);
        }
    }
    return true;
}

/* Connections the scripted client tried to open. */
static size_t attempted(const struct records *rs)
{
    size_t n = 0;
    for (size_t i = 0; i < rs->n; i++)
        n += rs->v[i].attempted;
    return n;
}

/* ---- one connection's echo ---- */

/* The whole echo came back, but only after a read of it had timed out: the
 * server held back bytes it had received until more came (it waited for a
 * delimiter, a full buffer or the end of the stream). */
static bool held_back(const struct record *r)
{
    return r->data_after_timeout && r->connected && r->ended && r->received == r->sent &&
           r->matched == r->received;
}

static bool echo_ok(const struct record *r, enum eh_echo_relation rel, bool eof)
{
    bool prefix = r->connected && r->ended && r->matched == r->received;
    bool ok = false;
    switch (rel) {
    case EH_ECHO_EXACT:
        ok = prefix && r->received == r->sent && !held_back(r);
        break;
    case EH_ECHO_PREFIX:
        ok = prefix;
        break;
    case EH_ECHO_NONEMPTY_PREFIX:
        ok = prefix && r->received > 0;
        break;
    }
    return ok && (!eof || (r->reason != NULL && strcmp(r->reason, "eof") == 0));
}

/* Why a connection's echo fell short of `received == sent`. */
static void put_short(struct text *t, const struct record *r, size_t n)
{
    put_who(t, r->id, n);
    if (r->received == 0)
        put(t, " got no echo (0 of %" PRId64 " bytes)", r->sent);
    else
        put(t, " got %" PRId64 " of %" PRId64 " bytes back", r->received, r->sent);
    const char *why = r->reason ? r->reason : "done";
    if (strcmp(why, "eof") == 0 && r->t_finish >= 0 && r->t_end > r->t_finish)
        put(t,
            ", then the server closed the connection (EOF) before the rest, though the client "
            "had sent all %" PRId64
            " and shut down its sending side first: the server lost the %" PRId64
            " bytes it did not send back (a server sends back every byte it reads, waiting "
            "while its send buffer is full: send(2) blocks, or fails with EAGAIN, which means "
            "try again, not discard) (" RULE_TCP ")",
            r->sent, r->sent - r->received);
    else if (strcmp(why, "eof") == 0)
        put(t, ", then the server closed the connection (EOF) before the rest: the server must "
               "echo every byte until the client closes (" RULE_TCP_UNTIL ")");
    else if (strcmp(why, "timeout") == 0 && r->waited_us >= 0 && r->received == 0)
        put(t, " in %" PRId64 " ms of waiting: the server did not echo (" RULE_TCP ")",
            r->waited_us / 1000);
    else if (strcmp(why, "timeout") == 0 && r->waited_us >= 0)
        put(t, " and nothing more in %" PRId64 " ms: the server stopped echoing (" RULE_TCP ")",
            r->waited_us / 1000);
    else if (strcmp(why, "timeout") == 0)
        put(t, " before the deadline: the server %s (" RULE_TCP ")",
            r->received ? "stopped echoing" : "did not echo");
    else if (strcmp(why, "done") == 0)
        put(t, " before it closed (its steps read no more)");
    else
        put(t,
            ", then the connection failed with %s: the server broke the connection before "
            "echoing everything (" RULE_TCP_UNTIL ")",
            why);
}

/* The echo goes on with the connection's own later bytes, and came back
 * short by at least as many: bytes were lost (a stream that merely looks
 * like its own later part, as 0..255 XOR 0x20 does, came back whole). */
static bool lost(const struct record *r)
{
    return r->matched < r->received && r->resumes_at > r->matched &&
           r->received + (r->resumes_at - r->matched) <= r->sent;
}

/* The echo goes on with bytes it had already given, and more came back
 * than was sent. */
static bool repeated(const struct record *r)
{
    return r->matched < r->received && r->resumes_at >= 0 && r->resumes_at < r->matched &&
           r->received > r->sent;
}

/* Why one connection's echo is not what the relation and eof ask. */
static void put_problem(struct text *t, const struct record *r, size_t n, enum eh_echo_relation rel,
                        bool eof)
{
    if (!r->connected) {
        put_who(t, r->id, n);
        put(t, " could not connect (%s): the server no longer accepted connections",
            r->connect_err ? r->connect_err : "no result");
    } else if (!r->ended) {
        put_who(t, r->id, n);
        put(t, " has no conn_end summary in the client's log (it was cut short)");
    } else if (r->from_conn > 0) {
        put_who(t, r->id, n);
        put(t,
            " got another client's bytes: from offset %" PRId64 " of its echo came client %" PRId64
            "'s bytes (its offset %" PRId64 "): the server sends data back on the wrong "
            "connection (" RULE_TCP ")",
            r->matched, r->from_conn, r->from_offset);
    } else if (lost(r)) {
        put(t, "the echo of ");
        put_who(t, r->id, n);
        put(t,
            " skips %" PRId64 " bytes at offset %" PRId64 " (it goes on with the bytes sent at "
            "offset %" PRId64 "): the server lost data (" RULE_TCP ")",
            r->resumes_at - r->matched, r->matched, r->resumes_at);
    } else if (repeated(r)) {
        put(t, "the echo of ");
        put_who(t, r->id, n);
        put(t,
            " repeats bytes at offset %" PRId64 " (the bytes sent at offset %" PRId64
            " come again): the server sent data back twice (" RULE_TCP ")",
            r->matched, r->resumes_at);
    } else if (r->matched < r->received && r->expected >= 0) {
        put(t, "the echo of ");
        put_who(t, r->id, n);
        put(t, " differs at offset %" PRId64 ": expected ", r->matched);
        put_octet(t, r->expected);
        put(t, ", got ");
        put_octet(t, r->got);
        put(t, " (" RULE_TCP ", unchanged)");
    } else if (r->matched < r->received) {
        put_who(t, r->id, n);
        put(t,
            " got %" PRId64 " bytes back for %" PRId64 " sent: the server added %" PRId64
            " byte%s of its own, from offset %" PRId64 " on (" RULE_TCP ", and nothing else)",
            r->received, r->sent, r->received - r->matched,
            r->received - r->matched == 1 ? "" : "s", r->matched);
    } else if (r->received < r->sent && (rel == EH_ECHO_EXACT || r->received == 0)) {
        put_short(t, r, n);
    } else if (rel == EH_ECHO_EXACT && held_back(r)) {
        put_who(t, r->id, n);
        put(t, " got its whole echo (%" PRId64 " bytes) only after a read of it had waited ",
            r->received);
        if (r->waited_us >= 0)
            put(t, "%" PRId64 " ms ", r->waited_us / 1000);
        put(t, "in vain: the server held back bytes it had received until more came (it waits "
               "for a delimiter, a full buffer or the end; recv(2) returns whatever has arrived, "
               "and that is what to send back) (" RULE_TCP ")");
    } else if (eof) {
        put_who(t, r->id, n);
        put(t, " got its whole echo (%" PRId64 " bytes) but ", r->received);
        if (r->reason && strcmp(r->reason, "timeout") == 0 && r->waited_us >= 0)
            put(t, "no EOF in %" PRId64 " ms", r->waited_us / 1000);
        else if (r->reason && strcmp(r->reason, "done") == 0)
            put(t, "closed before reading to EOF");
        else
            put(t, "%s instead of EOF", r->reason ? r->reason : "no end");
        put(t, " after it shut down its sending side: the server must close the connection once "
               "it has read the client's EOF and echoed everything (" RULE_TCP_UNTIL ")");
    } else {
        put_who(t, r->id, n);
        put(t, " got no echo");
    }
}

static json_t *record_json(const struct record *r)
{
    json_t *j = json_pack("{s:i, s:b, s:I, s:I, s:I}", "conn", r->id, "connected", r->connected,
                          "sent", (json_int_t)r->sent, "received", (json_int_t)r->received,
                          "matched", (json_int_t)r->matched);
    if (r->reason)
        json_object_set_new(j, "reason", json_string(r->reason));
    if (r->from_conn > 0)
        json_object_set_new(j, "from_conn", json_integer(r->from_conn));
    if (r->resumes_at >= 0)
        json_object_set_new(j, "resumes_at", json_integer(r->resumes_at));
    return j;
}

/* The connection to report: one that got another's bytes first (the most
 * telling), else the first that failed; NULL when none did. */
static const struct record *worst(const struct records *rs, const struct eh_expect *e, size_t *bad)
{
    const struct record *first = NULL, *mixed = NULL;
    *bad = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const struct record *r = &rs->v[i];
        if (!r->attempted || (e->conn > 0 && r->id != e->conn) || echo_ok(r, e->relation, e->eof))
            continue;
        (*bad)++;
        first = first ? first : r;
        if (r->connected && r->ended && r->from_conn > 0 && mixed == NULL)
            mixed = r;
    }
    return mixed ? mixed : first;
}

static void judge_conn_echo(const struct eh_expect *e, const struct records *rs, struct text *t,
                            struct eh_check *out)
{
    size_t n = attempted(rs), bad, judged = 0;
    int64_t sent = 0, each = -1;
    for (size_t i = 0; i < rs->n; i++) {
        const struct record *r = &rs->v[i];
        if (!r->attempted || (e->conn > 0 && r->id != e->conn))
            continue;
        judged++;
        sent += r->sent;
        each = each == -1 || each == r->sent ? r->sent : -2;
    }
    const struct record *w = worst(rs, e, &bad);
    const char *rel = eh_echo_relation_name(e->relation);
    out->evidence = json_pack("{s:s, s:I, s:I, s:I}", "relation", rel, "connections", (json_int_t)n,
                              "judged", (json_int_t)judged, "not_allowed", (json_int_t)bad);
    out->verdict = EH_FAIL;
    if (judged == 0) {
        if (e->conn > 0)
            put(t, "expected a connection %" PRId64 ", got %zu connection%s", e->conn, n,
                n == 1 ? "" : "s");
        else
            put(t, "expected the client to open a connection, got none");
        return;
    }
    if (w != NULL) {
        put_problem(t, w, n, e->relation, e->eof);
        json_object_set_new(out->evidence, "connection", record_json(w));
        return;
    }
    if (sent == 0) {
        put(t, "expected an echo %s, got a client that sent nothing to echo", rel);
        return;
    }
    out->verdict = EH_PASS;
    if (judged == 1) {
        const struct record *r = e->conn > 0 ? &rs->v[e->conn - 1] : &rs->v[0];
        put_who(t, r->id, n);
        put(t, " got %s of its %" PRId64 " bytes back",
            e->relation == EH_ECHO_EXACT ? "all" : "a prefix", r->sent);
    } else {
        put(t, "each of the %zu clients got %s of its own bytes back", judged,
            e->relation == EH_ECHO_EXACT ? "exactly all" : "a prefix");
        if (each >= 0)
            put(t, " (%" PRId64 " bytes each)", each);
        else
            put(t, " (%" PRId64 " bytes in all)", sent);
    }
    if (e->eof)
        put(t, ", then EOF");
}

static bool served(const struct record *r)
{
    return r->connected && r->ended && r->sent > 0 && r->matched == r->sent &&
           r->received == r->sent;
}

static void judge_served(const struct eh_expect *e, const struct records *rs, struct text *t,
                         struct eh_check *out)
{
    size_t n = attempted(rs), ok = 0;
    const struct record *first = NULL;
    for (size_t i = 0; i < rs->n; i++) {
        if (!rs->v[i].attempted)
            continue;
        if (served(&rs->v[i]))
            ok++;
        else if (first == NULL)
            first = &rs->v[i];
    }
    out->evidence = json_pack("{s:I, s:I, s:I}", "attempted", (json_int_t)n, "served",
                              (json_int_t)ok, "min", (json_int_t)e->min);
    out->verdict = n >= (size_t)e->min && first == NULL ? EH_PASS : EH_FAIL;
    if ((int64_t)n < e->min) {
        put(t, "expected at least %" PRId64 " clients, got %zu attempted", e->min, n);
        return;
    }
    if (first == NULL) {
        put(t, "every one of the %zu client%s got its whole echo back", n, n == 1 ? "" : "s");
        return;
    }
    size_t tail = n + 1; /* from this client on, none could connect */
    while (tail > 1 && (!rs->v[tail - 2].attempted || !rs->v[tail - 2].connected))
        tail--;
    const char *err = tail <= n ? rs->v[tail - 1].connect_err : NULL;
    put(t, "expected every client served (its whole echo back), got %zu of %zu: ", ok, n);
    if (tail <= n && tail > (size_t)first->id) {
        put_problem(t, first, n, EH_ECHO_EXACT, false);
        put(t, "; and from client %zu on none could connect (%s)", tail, err ? err : "no result");
    } else if (tail <= n) {
        put(t, "from client %zu on none could connect (%s)", tail, err ? err : "no result");
    } else {
        put_problem(t, first, n, EH_ECHO_EXACT, false);
    }
    if (tail <= n && first->id > 1)
        put(t,
            ": the server stopped serving after client %d (a server goes on serving after each "
            "client; " RULE_TCP ")",
            first->id - 1);
    json_object_set_new(out->evidence, "first_not_served", record_json(first));
}

/* The first client k that sent before another client j finished, yet got
 * its first echo byte only after, or none at all; false when there is none. */
static bool waited(const struct records *rs, const struct record **k_out,
                   const struct record **j_out)
{
    for (size_t k = 0; k < rs->n; k++) {
        const struct record *a = &rs->v[k];
        if (a->t_first_send < 0)
            continue;
        for (size_t j = 0; j < rs->n; j++) {
            const struct record *b = &rs->v[j];
            if (j == k || b->t_finish < 0 || b->t_first_send < 0)
                continue;
            if (a->t_first_send < b->t_finish &&
                (a->t_first_data < 0 || a->t_first_data > b->t_finish)) {
                *k_out = a;
                *j_out = b;
                return true;
            }
        }
    }
    return false;
}

static void judge_concurrent(const struct records *rs, struct text *t, struct eh_check *out)
{
    size_t n = attempted(rs), checked = 0, overlapping = 0;
    int64_t slowest = 0;
    for (size_t k = 0; k < rs->n; k++) {
        const struct record *a = &rs->v[k];
        if (a->t_first_data < 0 || a->t_first_send < 0)
            continue;
        checked++;
        if (a->t_first_data - a->t_first_send > slowest)
            slowest = a->t_first_data - a->t_first_send;
        for (size_t j = 0; j < rs->n; j++)
            overlapping += j != k && rs->v[j].t_finish > a->t_first_send &&
                           rs->v[j].t_first_send >= 0 && rs->v[j].t_first_send < a->t_finish;
    }
    const struct record *k = NULL, *j = NULL;
    bool bad = waited(rs, &k, &j);
    out->verdict = bad || checked == 0 || overlapping == 0 ? EH_FAIL : EH_PASS;
    out->evidence = json_pack("{s:I, s:I, s:I}", "clients", (json_int_t)n, "with_echo",
                              (json_int_t)checked, "slowest_first_echo_us", (json_int_t)slowest);
    if (bad) {
        put_who(t, k->id, n);
        if (k->t_first_data < 0)
            put(t,
                " sent while client %d was open and never got an echo (none before client %d "
                "closed, none after): the server did not echo to one client while another was "
                "open (" RULE_TCP ")",
                j->id, j->id);
        else
            put(t,
                " got no echo until client %d closed (its first echo byte came %" PRId64
                " ms after it first sent, %" PRId64 " ms after client %d closed): the server "
                "handles one client at a time (" RULE_TCP ")",
                j->id, (k->t_first_data - k->t_first_send) / 1000,
                (k->t_first_data - j->t_finish) / 1000, j->id);
        json_object_set_new(out->evidence, "waited",
                            json_pack("{s:i, s:i}", "client", k->id, "until_closed", j->id));
    } else if (checked == 0) {
        put(t, "expected the clients to get an echo, got none that did");
    } else if (overlapping == 0) {
        put(t, "expected clients open at the same time, got %zu one after another", n);
    } else {
        put(t,
            "each of the %zu clients got its first echo byte before any other client closed "
            "(at most %" PRId64 " ms after it first sent)",
            checked, slowest / 1000);
    }
}

/* ---- datagrams ---- */

struct dgram {
    int conn;             /* the socket */
    size_t index;         /* 1, 2, ... among the socket's requests (or replies) */
    unsigned char *bytes; /* owned; NULL when empty */
    size_t len;
    bool paired; /* a request answered by a reply of its bytes, or that reply */
};

struct dgrams {
    struct dgram *v;
    size_t n;
};

static void dgrams_free(struct dgrams *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i].bytes);
    free(d->v);
}

/* The datagrams of the calls `call` (send: requests, recv: replies) of the
 * sockets 1..n_conns; false if one's data is not in the log or memory ran out. */
static bool read_dgrams(const json_t *events, const char *call, size_t n_conns, struct dgrams *d)
{
    size_t i, *counts = calloc(n_conns + 1, sizeof(*counts));
    json_t *ev;
    *d = (struct dgrams){.v = calloc(json_array_size(events) + 1, sizeof(*d->v))};
    bool ok = counts != NULL && d->v != NULL;
    json_array_foreach(events, i, ev)
    {
        int64_t ret = i_of(ev, "ret", -1), conn = i_of(ev, "conn", -1);
        if (!ok || !is_call(ev, call) || ret < 0 || conn < 1 || (size_t)conn > n_conns)
            continue;
        const char *hex = s_of(ev, "data");
        struct dgram *g = &d->v[d->n++];
        *g = (struct dgram){.conn = (int)conn, .index = ++counts[conn], .len = (size_t)ret};
        if (ret > 0)
            ok = hex != NULL && strlen(hex) >= 2 * (size_t)ret &&
                 (g->bytes = malloc((size_t)ret)) != NULL &&
                 eh_hex_decode(hex, (size_t)ret, g->bytes, NULL);
    }
    free(counts);
    return ok;
}

static bool same(const struct dgram *a, const unsigned char *b, size_t len)
{
    return a->len == len && (len == 0 || memcmp(a->bytes, b, len) == 0);
}

/* A request, of any socket, whose bytes start b (len bytes): the socket
 * conn's request `want` if it does, else the first that does; NULL if none. */
static const struct dgram *request_at(const struct dgrams *req, const unsigned char *b, size_t len,
                                      const struct dgram *want)
{
    if (want != NULL && want->len > 0 && want->len <= len && memcmp(want->bytes, b, want->len) == 0)
        return want;
    for (size_t i = 0; i < req->n; i++) {
        const struct dgram *q = &req->v[i];
        if (q->len > 0 && q->len <= len && memcmp(q->bytes, b, q->len) == 0)
            return q;
    }
    return NULL;
}

/* A socket's requests and replies, in order. */
struct side {
    const struct dgram **req, **rep;
    size_t n_req, n_rep;
};

#define JOIN_SHOWN 8 /* sizes listed in a reason */

/* Whether reply r joins several requests, from the socket's request qi on:
 * how many of its own (their sizes in sizes[], at most JOIN_SHOWN) and of
 * other sockets make it up. */
static bool joined(const struct dgrams *all, const struct side *s, size_t qi, const struct dgram *r,
                   size_t *own, size_t *others, size_t sizes[JOIN_SHOWN])
{
    size_t off = 0;
    *own = *others = 0;
    while (off < r->len) {
        const struct dgram *want = qi + *own < s->n_req ? s->req[qi + *own] : NULL;
        const struct dgram *q = request_at(all, r->bytes + off, r->len - off, want);
        if (q == NULL)
            return false;
        if (q == want && *own < JOIN_SHOWN)
            sizes[*own] = q->len;
        *own += q == want;
        *others += q != want;
        off += q->len;
    }
    return *own + *others >= 2;
}

/* "datagram 2" or, among several clients, "datagram 2 of client 3". */
static void put_dgram(struct text *t, const struct dgram *q, size_t n_socks)
{
    put(t, "datagram %zu", q->index);
    if (n_socks > 1)
        put(t, " of client %d", q->conn);
}

static void put_joined(struct text *t, const struct dgram *q, const struct dgram *r, size_t own,
                       size_t others, const size_t *sizes, size_t n_socks)
{
    if (others > 0) {
        put_dgram(t, q, n_socks);
        put_len(t, q->len);
        put(t,
            " came back joined with %zu datagram%s of other clients, as one datagram "
            "of %zu bytes: the server merges datagrams and answers one client with another's "
            "data (" RULE_UDP ")",
            others + own - 1, others + own == 2 ? "" : "s", r->len);
        return;
    }
    put(t, "datagrams %zu to %zu", q->index, q->index + own - 1);
    if (n_socks > 1)
        put(t, " of client %d", q->conn);
    put(t, " (");
    for (size_t k = 0; k < own && k < JOIN_SHOWN; k++)
        put(t, "%s%zu", k ? ", " : "", sizes[k]);
    put(t,
        "%s bytes) came back as one datagram of %zu bytes: the server merges datagrams (" RULE_UDP
        ")",
        own > JOIN_SHOWN ? ", ..." : "", r->len);
}

/* Reply r is shorter than request q and its start: cut, or split over the
 * next replies. */
static void put_shorter(struct text *t, const struct side *s, size_t ri, const struct dgram *q,
                        size_t n_socks)
{
    const struct dgram *r = s->rep[ri];
    size_t got = r->len, k = ri + 1;
    while (k < s->n_rep && got + s->rep[k]->len <= q->len &&
           memcmp(q->bytes + got, s->rep[k]->bytes, s->rep[k]->len) == 0 && s->rep[k]->len > 0)
        got += s->rep[k++]->len;
    put_dgram(t, q, n_socks);
    put_len(t, q->len);
    if (got == q->len)
        put(t, " came back as %zu datagrams: the server splits datagrams (" RULE_UDP ")", k - ri);
    else
        put(t,
            " came back as %zu byte%s: the server cuts datagrams (its receive buffer is smaller "
            "than the datagram, and recvfrom() discards the rest: recv(2) MSG_TRUNC) "
            "(" RULE_UDP ")",
            r->len, r->len == 1 ? "" : "s");
}

/* How telling a datagram problem is, most first: the report names the
 * most telling of every socket's first problem. */
enum rank {
    RANK_MIXED, /* a client got another client's data */
    RANK_WRONG, /* a reply is not its datagram: joined, cut, split, changed */
    RANK_LOST,  /* a datagram got no reply */
    RANK_NONE,
};

/* Reply r is not request q (NULL: no request is left unanswered), and
 * neither longer nor shorter in a way that explains it. */
static enum rank put_other(struct text *t, const struct dgrams *all, const struct dgram *q,
                           const struct dgram *r, size_t n_socks)
{
    const struct dgram *o = request_at(all, r->bytes, r->len, NULL);
    if (o != NULL && o->len == r->len && o->conn != r->conn) {
        put(t, "reply %zu to client %d is ", r->index, r->conn);
        put_dgram(t, o, n_socks);
        put(t, ": the server answers the wrong client (" RULE_UDP ")");
        return RANK_MIXED;
    }
    put(t, "reply %zu", r->index);
    if (n_socks > 1)
        put(t, " to client %d", r->conn);
    if (o != NULL && o->len == r->len) {
        put(t,
            " answers datagram %zu again: the server sent two replies for one datagram (" RULE_UDP
            ")",
            o->index);
    } else if (q == NULL) {
        put_len(t, r->len);
        put(t, " answers no datagram: more replies than datagrams (" RULE_UDP ")");
    } else if (r->len != q->len) {
        put(t, " has %zu bytes for ", r->len);
        put_dgram(t, q, n_socks);
        put(t, " of %zu bytes (" RULE_UDP ")", q->len);
    } else {
        size_t at = 0;
        while (at < r->len && r->bytes[at] == q->bytes[at])
            at++;
        put(t, " differs from ");
        put_dgram(t, q, n_socks);
        put(t, " at offset %zu: expected ", at);
        put_octet(t, q->bytes[at]);
        put(t, ", got ");
        put_octet(t, r->bytes[at]);
        put(t, " (" RULE_UDP ", unchanged)");
    }
    return RANK_WRONG;
}

/* Explains the first reply left (*ri) against the first request left (*qi)
 * of a socket: the problem's rank, the reason in t. */
static enum rank explain(const struct dgrams *all, const struct side *s, size_t qi, size_t ri,
                         size_t n_socks, struct text *t)
{
    const struct dgram *r = s->rep[ri], *q = qi < s->n_req ? s->req[qi] : NULL;
    size_t own, others, sizes[JOIN_SHOWN];
    if (q != NULL && r->len > q->len && joined(all, s, qi, r, &own, &others, sizes)) {
        put_joined(t, q, r, own, others, sizes, n_socks);
        return others > 0 ? RANK_MIXED : RANK_WRONG;
    }
    if (q != NULL && r->len < q->len && r->len > 0 && memcmp(q->bytes, r->bytes, r->len) == 0) {
        put_shorter(t, s, ri, q, n_socks);
        return RANK_WRONG;
    }
    return put_other(t, all, q, r, n_socks);
}

/* Request q of the socket's requests v[0..n) got no reply: why. */
static void put_unanswered(const struct dgram *const *v, size_t n, const struct dgram *q,
                           size_t n_socks, struct text *t)
{
    size_t later = 0, later_answered = 0, others = 0;
    for (size_t i = 0; i < n; i++) {
        later += v[i]->index > q->index;
        later_answered += v[i]->index > q->index && v[i]->paired;
        others += v[i] != q && !v[i]->paired;
    }
    if (q->len == 0) {
        put(t, "the zero-length ");
        put_dgram(t, q, n_socks);
        if (later > 0 && later_answered == 0)
            put(t, " got no reply, and no datagram after it did: an empty datagram stopped the "
                   "server");
        else
            put(t, " got no reply: the server ignores empty datagrams");
        put(t, " (recvfrom() returning 0 is an empty datagram, to be answered with an empty one, "
               "not an end of anything; " RULE_UDP ")");
        return;
    }
    put_dgram(t, q, n_socks);
    put_len(t, q->len);
    put(t, " got no reply");
    if (others > 0)
        put(t, ", nor did %zu more", others);
    put(t, " (" RULE_UDP ")");
}

/* Pairs each reply of a socket with a request of the same bytes, in any
 * order (UDP keeps no order, and a server may answer from several threads);
 * what is left is explained. left has room for n_req and n_rep entries. */
static enum rank pair_socket(const struct dgrams *all, struct dgram **req, size_t n_req,
                             struct dgram **rep, size_t n_rep, struct side *left, size_t n_socks,
                             struct text *t)
{
    for (size_t j = 0; j < n_rep; j++)
        for (size_t i = 0; i < n_req && !rep[j]->paired; i++)
            if (!req[i]->paired && same(req[i], rep[j]->bytes, rep[j]->len))
                req[i]->paired = rep[j]->paired = true;
    for (size_t i = 0; i < n_req; i++)
        if (!req[i]->paired)
            left->req[left->n_req++] = req[i];
    for (size_t j = 0; j < n_rep; j++)
        if (!rep[j]->paired)
            left->rep[left->n_rep++] = rep[j];
    if (left->n_rep > 0)
        return explain(all, left, 0, 0, n_socks, t);
    if (left->n_req == 0)
        return RANK_NONE;
    put_unanswered((const struct dgram *const *)req, n_req, left->req[0], n_socks, t);
    return RANK_LOST;
}

/* Judges one socket: RANK_NONE, or its first problem's rank (reason in t). */
static enum rank judge_socket(struct dgrams *req, struct dgrams *rep, int conn, size_t n_socks,
                              struct text *t)
{
    struct dgram **q = calloc(req->n + 1, sizeof(*q)), **r = calloc(rep->n + 1, sizeof(*r));
    struct side left = {.req = calloc(req->n + 1, sizeof(*left.req)),
                        .rep = calloc(rep->n + 1, sizeof(*left.rep))};
    size_t nq = 0, nr = 0;
    enum rank rank = RANK_WRONG;
    if (q == NULL || r == NULL || left.req == NULL || left.rep == NULL) {
        put(t, "out of memory pairing the datagrams");
    } else {
        for (size_t i = 0; i < req->n; i++)
            if (req->v[i].conn == conn)
                q[nq++] = &req->v[i];
        for (size_t i = 0; i < rep->n; i++)
            if (rep->v[i].conn == conn)
                r[nr++] = &rep->v[i];
        rank = pair_socket(req, q, nq, r, nr, &left, n_socks, t);
    }
    free(q);
    free(r);
    free(left.req);
    free(left.rep);
    return rank;
}

/* Every socket's first problem; the most telling one's reason goes into t.
 * Returns its rank (RANK_NONE: every reply is its datagram). */
static enum rank judge_sockets(struct dgrams *req, struct dgrams *rep, const struct records *rs,
                               size_t n, struct text *t)
{
    enum rank best = RANK_NONE;
    for (size_t i = 0; i < rs->n; i++) {
        char buf[sizeof(((struct eh_check *)0)->reason)] = "";
        struct text mine = {buf, sizeof(buf), 0};
        enum rank r = judge_socket(req, rep, rs->v[i].id, n, &mine);
        if (r < best) {
            best = r;
            t->len = 0;
            put(t, "%s", buf);
        }
    }
    return best;
}

static void judge_datagrams(const json_t *events, const struct records *rs, struct text *t,
                            struct eh_check *out)
{
    struct dgrams req, rep;
    bool read = read_dgrams(events, "send", rs->n, &req);
    read = read_dgrams(events, "recv", rs->n, &rep) && read;
    size_t n = attempted(rs), smallest = SIZE_MAX, largest = 0;
    out->verdict = EH_FAIL;
    if (!read) {
        put(t, "expected the datagrams in the client's event log, got their data cut short "
               "(cannot judge the replies)");
        out->verdict = EH_ERROR;
    } else if (req.n == 0) {
        put(t, "expected the client to send datagrams, got none sent");
    } else {
        bool ok = judge_sockets(&req, &rep, rs, n, t) == RANK_NONE;
        for (size_t i = 0; i < req.n; i++) {
            smallest = req.v[i].len < smallest ? req.v[i].len : smallest;
            largest = req.v[i].len > largest ? req.v[i].len : largest;
        }
        if (ok) {
            out->verdict = EH_PASS;
            put(t, "each of the %zu datagrams", req.n);
            if (n > 1)
                put(t, " of the %zu clients", n);
            put(t, " came back whole in a reply of its own (%zu to %zu bytes)", smallest, largest);
        }
    }
    out->evidence = json_pack("{s:I, s:I, s:I}", "sockets", (json_int_t)n, "datagrams",
                              (json_int_t)req.n, "replies", (json_int_t)rep.n);
    dgrams_free(&req);
    dgrams_free(&rep);
}

void eh__judge_conns(const struct eh_expect *e, const json_t *events, struct eh_check *out)
{
    struct text t = {out->reason, sizeof(out->reason), 0};
    struct records rs;
    out->reason[0] = '\0';
    if (!read_records(events, &rs)) {
        put(&t, "out of memory reading the client's connections");
        out->verdict = EH_ERROR;
        free(rs.v);
        return;
    }
    switch (e->kind) {
    case EH_EXPECT_CONN_ECHO:
        judge_conn_echo(e, &rs, &t, out);
        break;
    case EH_EXPECT_CLIENTS_SERVED:
        judge_served(e, &rs, &t, out);
        break;
    case EH_EXPECT_CLIENTS_CONCURRENT:
        judge_concurrent(&rs, &t, out);
        break;
    case EH_EXPECT_DATAGRAM_ECHO:
        judge_datagrams(events, &rs, &t, out);
        break;
    case EH_EXPECT_EXIT:
    case EH_EXPECT_SURVIVED:
    case EH_EXPECT_EVENT:
    case EH_EXPECT_SEQUENCE:
    case EH_EXPECT_ECHO:
    case EH_EXPECT_CLIENT_PORT:
    case EH_EXPECT_MIRROR:
    case EH_EXPECT_WIRE_ECHO:
    case EH_EXPECT_WIRE_CLIENT_PORT:
    case EH_EXPECT_WIRE_SEGMENTS:
    case EH_EXPECT_WIRE_CLOSE:
    case EH_EXPECT_WIRE_CONNECTIONS:
    case EH_EXPECT_WIRE_SYN:
    case EH_EXPECT_WIRE_UDP:
    case EH_EXPECT_SERVER_FDS:
    case EH_EXPECT_SERVER_RUNNING:
    case EH_EXPECT_CLIENT_ENDS:
    case EH_EXPECT_SERVER_PORT:
    case EH_EXPECT_WIRE_CLIENT_READS_ECHO:
        put(&t, "not a connection kind: %s", eh_expect_name(e->kind));
        out->verdict = EH_ERROR;
        break;
    }
    free(rs.v);
}

/* ---- the server watch ---- */

/* "exit code 1", "killed by SIGSEGV (signal 11)". */
static void put_exit(struct text *t, const struct eh_proc_obs *p)
{
    if (p->term_signal > 0)
        put(t, "killed by %s (signal %d)", eh_signal_name(p->term_signal), p->term_signal);
    else if (p->exited)
        put(t, "exit code %d", p->exit_code);
    else
        put(t, "no exit status");
}

void eh__judge_server_watch(const struct eh_expect *e, const struct eh_observation *obs,
                            struct eh_check *out)
{
    struct text t = {out->reason, sizeof(out->reason), 0};
    const struct eh_server_watch *w = &obs->server;
    const struct eh_proc_obs *p = &obs->roles[EH_SERVER];
    const json_t *cev = obs->roles[EH_CLIENT].instrumented ? obs->roles[EH_CLIENT].events : NULL;
    struct records rs = {0};
    size_t clients = cev && read_records(cev, &rs) ? attempted(&rs) : 0;
    free(rs.v);
    out->reason[0] = '\0';
    out->verdict = EH_ERROR;
    if (!p->present || !p->started || !w->taken) {
        put(&t, "expected a look at the server process, got %s",
            !p->started ? "a server that never started" : "none taken");
        return;
    }
    if (e->kind == EH_EXPECT_SERVER_RUNNING) {
        out->verdict = w->running ? EH_PASS : EH_FAIL;
        out->evidence = json_pack("{s:b}", "running", w->running);
        if (w->running) {
            put(&t, "the server was still running when the client side finished");
            return;
        }
        put(&t, "expected the server still running when the client side finished, got it ended "
                "before (");
        put_exit(&t, p);
        put(&t, "): a server goes on serving after each client, and one client's reset or early "
                "close ends that client's connection only (" RULE_TCP ")");
        return;
    }
    if (w->fds_before < 0 || w->fds_after < 0) {
        put(&t, "expected the server's open descriptors, got none read: %s", w->why);
        return;
    }
    int growth = w->fds_after - w->fds_before;
    out->verdict = growth <= e->max_growth ? EH_PASS : EH_FAIL;
    out->evidence =
        json_pack("{s:i, s:i, s:I, s:I}", "before", w->fds_before, "after", w->fds_after,
                  "max_growth", (json_int_t)e->max_growth, "clients", (json_int_t)clients);
    put(&t,
        "the server's open descriptors went from %d to %d over %zu client%s (at most %" PRId64
        " more allowed)",
        w->fds_before, w->fds_after, clients, clients == 1 ? "" : "s", e->max_growth);
    if (growth > e->max_growth)
        put(&t, ": it does not close finished connections (close(2) each connection once its "
                "client has gone, or every client costs a descriptor until accept() fails with "
                "EMFILE)");
}
