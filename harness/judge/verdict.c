/* verdict.c - judge expectations against what was observed.
 *
 * Each expectation becomes PASS, FAIL, ERROR or SKIP with a one-line reason
 * and a small JSON evidence object holding the facts used (counts, at most a
 * few events without their data, ports, byte counts, the first differing
 * offset). A reason is written twice over: each judge_*() writes a sentence
 * for a learner ("say": what happened, and the rule it broke, "the server
 * closed the connection before the client had finished sending (RFC 862:
 * echo until the client closes)"; a check that passes reads as a pass) and
 * the facts ("r": "expected X, got Y"); eh_judge() joins them as
 * "SENTENCE (FACTS)", so tests and diffs still see the facts. Every fact
 * writes a matcher the same way: {call=send, ret>=1, errno in {EPIPE,
 * ECONNRESET}}; a sentence says it in words: "send() failing with EPIPE".
 *
 * Addresses are compared as the strings of the event logs ("127.0.0.1:40312",
 * "[::1]:40312"), except that an IPv4-mapped address equals its IPv4 form:
 * a dual-stack listener reports an IPv4 client as "[::ffff:127.0.0.1]:40312"
 * (docs/linux-behaviour.md §14), and that is the client's "127.0.0.1:40312".
 * Event-log entries with a "skipped" key (steps the scripted peer did not
 * run) are not calls and match no matcher.
 *
 * The wire kinds judge the capture's connections (flow.h: close classes and
 * echo verdicts), so they also judge roles under test that write no log.
 * Where a role does have a log, wire_client_port compares the wire client
 * endpoint with the addresses it logged; there an IPv4 endpoint also equals
 * its IPv4-mapped form, since both name the same IPv4 packets.
 */
#include "verdict.h"
#include "conns.h"
#include "hex.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVIDENCE_EVENTS 3 /* events copied into one evidence object, at most */
#define CONTEXT_EVENTS 8  /* events summarised in one reason, at most */
#define EVIDENCE_PORTS 8  /* ports listed in client_port evidence, at most */

/* A bounded string being appended to; output past cap is cut off. */
struct text {
    char *buf;
    size_t cap; /* bytes, including the NUL */
    size_t len; /* bytes written, without the NUL */
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

static const char *str_of(const json_t *ev, const char *key)
{
    return json_string_value(json_object_get(ev, key));
}

static bool int_of(const json_t *ev, const char *key, int64_t *out)
{
    const json_t *v = json_object_get(ev, key);
    if (!json_is_integer(v))
        return false;
    *out = json_integer_value(v);
    return true;
}

static bool call_is(const json_t *ev, const char *call)
{
    const char *c = str_of(ev, "call");
    return c != NULL && strcmp(c, call) == 0;
}

/* Errno names compare by value, so that EWOULDBLOCK equals EAGAIN. */
static bool name_in(const char *name, char *const *names, size_t n)
{
    if (name == NULL)
        return false;
    int v = eh_errno_from_name(name);
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, names[i]) == 0 || (v >= 0 && v == eh_errno_from_name(names[i])))
            return true;
    return false;
}

static bool same_addr(const char *a, const char *b);

/* True if the logged address addr matches pattern ("127.0.0.1:65432",
 * "[::ffff:127.0.0.1]:*"): the same endpoint (an IPv4-mapped address equals
 * its IPv4 form), any port for a pattern port of "*". */
static bool addr_matches(const char *pattern, const char *addr)
{
    const char *pc = strrchr(pattern, ':'), *ac = addr ? strrchr(addr, ':') : NULL;
    if (pc == NULL || ac == NULL)
        return false;
    if (strcmp(pc + 1, "*") != 0)
        return same_addr(pattern, addr);
    char p[96], a[96];
    snprintf(p, sizeof(p), "%.*s:0", (int)(pc - pattern), pattern);
    snprintf(a, sizeof(a), "%.*s:0", (int)(ac - addr), addr);
    return same_addr(p, a);
}

/* The bounds of elapsed_ms in microseconds: near -+ tolerance, the tolerance
 * scaled, and near too when it is a wait the harness made (a sleep step). */
static void elapsed_bounds(const struct eh_match *m, int64_t *lo_us, int64_t *hi_us)
{
    int64_t tol = eh_scaled_ms(m->elapsed_tolerance_ms);
    int64_t near = m->elapsed_near_scaled ? eh_scaled_ms(m->elapsed_near_ms) : m->elapsed_near_ms;
    *lo_us = (near - tol) * 1000;
    *hi_us = (near + tol) * 1000;
}

static bool int_in(int v, const int *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == v)
            return true;
    return false;
}

bool eh_event_matches(const struct eh_match *m, const json_t *event)
{
    if (!json_is_object(event) || json_object_get(event, "skipped") != NULL)
        return false;
    if (m->call != NULL && !call_is(event, m->call))
        return false;
    if (m->has_ret || m->has_ret_min || m->has_ret_max) {
        int64_t ret;
        if (!int_of(event, "ret", &ret))
            return false;
        if ((m->has_ret && ret != m->ret) || (m->has_ret_min && ret < m->ret_min) ||
            (m->has_ret_max && ret > m->ret_max))
            return false;
    }
    if (m->n_errnos > 0 && !name_in(str_of(event, "errno"), m->errnos, m->n_errnos))
        return false;
    if (m->n_reasons > 0 && !name_in(str_of(event, "reason"), m->reasons, m->n_reasons))
        return false;
    if ((m->laddr && !addr_matches(m->laddr, str_of(event, "laddr"))) ||
        (m->raddr && !addr_matches(m->raddr, str_of(event, "raddr"))))
        return false;
    if (m->has_elapsed) {
        int64_t us, lo, hi;
        elapsed_bounds(m, &lo, &hi);
        if (!int_of(event, "elapsed_us", &us) || us < lo || us > hi)
            return false;
    }
    return true;
}

/* ---- describing matchers, events and process ends ---- */

static void put_names(struct text *t, char *const *names, size_t n)
{
    put(t, "{");
    for (size_t i = 0; i < n; i++)
        put(t, "%s%s", i ? ", " : "", names[i]);
    put(t, "}");
}

/* {call=send, ret>=1, errno in {EPIPE}}; {any} when nothing is checked. */
static void put_match(struct text *t, const struct eh_match *m)
{
    const char *sep = "";
    put(t, "{");
    if (m->call) {
        put(t, "call=%s", m->call);
        sep = ", ";
    }
    if (m->has_ret) {
        put(t, "%sret=%" PRId64, sep, m->ret);
        sep = ", ";
    }
    if (m->has_ret_min) {
        put(t, "%sret>=%" PRId64, sep, m->ret_min);
        sep = ", ";
    }
    if (m->has_ret_max) {
        put(t, "%sret<=%" PRId64, sep, m->ret_max);
        sep = ", ";
    }
    if (m->n_errnos) {
        put(t, "%serrno in ", sep);
        put_names(t, m->errnos, m->n_errnos);
        sep = ", ";
    }
    if (m->n_reasons) {
        put(t, "%sreason in ", sep);
        put_names(t, m->reasons, m->n_reasons);
        sep = ", ";
    }
    if (m->laddr) {
        put(t, "%sladdr=%s", sep, m->laddr);
        sep = ", ";
    }
    if (m->raddr) {
        put(t, "%sraddr=%s", sep, m->raddr);
        sep = ", ";
    }
    if (m->has_elapsed) {
        int64_t lo, hi;
        elapsed_bounds(m, &lo, &hi);
        put(t, "%selapsed %" PRId64 "..%" PRId64 " ms", sep, lo / 1000, hi / 1000);
        sep = ", ";
    }
    put(t, "%s}", *sep ? "" : "any");
}

/* "send ret -1 EPIPE", "conn_end eof"; without the call name "ret 1024";
 * with_addrs adds "on LADDR" and "with peer RADDR" where the event has them. */
static void put_event(struct text *t, const json_t *ev, bool with_call, bool with_addrs)
{
    const char *sep = "";
    const char *s;
    int64_t v;
    if (with_call) {
        s = str_of(ev, "call");
        put(t, "%s", s ? s : "?");
        sep = " ";
    }
    if (int_of(ev, "ret", &v)) {
        put(t, "%sret %" PRId64, sep, v);
        sep = " ";
    }
    if ((s = str_of(ev, "errno")) != NULL) {
        put(t, "%s%s", sep, s);
        sep = " ";
    }
    if ((s = str_of(ev, "reason")) != NULL) {
        put(t, "%s%s", sep, s);
        sep = " ";
    }
    if (with_addrs && (s = str_of(ev, "laddr")) != NULL) {
        put(t, "%son %s", sep, s);
        sep = " ";
    }
    if (with_addrs && (s = str_of(ev, "raddr")) != NULL) {
        put(t, "%swith peer %s", sep, s);
        sep = " ";
    }
    if (int_of(ev, "elapsed_us", &v) && v >= 1000) {
        put(t, "%safter %" PRId64 " ms", sep, v / 1000);
        sep = " ";
    }
    if (json_object_get(ev, "skipped") != NULL)
        put(t, "%sskipped", sep);
}

/* True if ev's call is named by one of the n matchers (any call if one
 * names none). */
static bool relevant(const json_t *ev, const struct eh_match *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (m[i].call == NULL || call_is(ev, m[i].call))
            return true;
    return false;
}

/* " (server send events: ret 1024, ret -1 EPIPE)": the role's events that
 * the matchers name, with their addresses when a matcher checks addresses.
 * When there are too many, the list starts at event index `from` (the last
 * match) so that it shows where matching stopped. */
static void put_context(struct text *t, const char *role, const json_t *events,
                        const struct eh_match *m, size_t n, size_t from)
{
    const char *one_call = n == 1 ? m[0].call : NULL;
    size_t total = 0, shown = 0, i;
    bool addrs = false;
    json_t *ev;
    for (i = 0; i < n; i++)
        addrs = addrs || m[i].laddr != NULL || m[i].raddr != NULL;
    for (i = 0; i < json_array_size(events); i++)
        total += relevant(json_array_get(events, i), m, n);
    if (total == 0) {
        put(t, " (no %s%s%s events)", role, one_call ? " " : "", one_call ? one_call : "");
        return;
    }
    if (total <= CONTEXT_EVENTS)
        from = 0;
    put(t, " (%s%s%s events: ", role, one_call ? " " : "", one_call ? one_call : "");
    bool skipped = false;
    json_array_foreach(events, i, ev)
    {
        if (!relevant(ev, m, n))
            continue;
        if (i < from) {
            skipped = true;
            continue;
        }
        if (shown == CONTEXT_EVENTS) {
            put(t, ", ...");
            break;
        }
        put(t, "%s", shown ? ", " : skipped ? "..., " : "");
        put_event(t, ev, one_call == NULL, addrs);
        shown++;
    }
    put(t, ")");
}

/* "killed by SIGPIPE (signal 13)", "exit code 1", "still running ...". */
static void put_end(struct text *t, const struct eh_proc_obs *p)
{
    if (p->term_signal > 0)
        put(t, "killed by %s (signal %d)", eh_signal_name(p->term_signal), p->term_signal);
    else if (p->stopped_by_harness)
        put(t, "alive at the end (stopped by the harness)");
    else if (p->exited)
        put(t, "exit code %d", p->exit_code);
    else
        put(t, "no exit status");
}

/* An event without its "data" (which may be megabytes of hex). */
static json_t *brief(const json_t *ev)
{
    json_t *c = json_copy((json_t *)ev);
    json_object_del(c, "data");
    return c;
}

static json_t *proc_evidence(const char *role, const struct eh_proc_obs *p)
{
    json_t *j = json_object();
    json_object_set_new(j, "who", json_string(role));
    json_object_set_new(j, "exited", json_boolean(p->exited));
    if (p->exited && p->term_signal == 0)
        json_object_set_new(j, "exit_code", json_integer(p->exit_code));
    if (p->term_signal > 0)
        json_object_set_new(j, "signal", json_string(eh_signal_name(p->term_signal)));
    json_object_set_new(j, "stopped_by_harness", json_boolean(p->stopped_by_harness));
    return j;
}

/* ---- process expectations ---- */

/* False (with out filled) if the role cannot be judged by its exit. */
static bool proc_ready(const struct eh_proc_obs *p, const char *role, struct text *r,
                       struct text *say, struct eh_check *out)
{
    if (!p->present) {
        put(r, "no %s in this scenario", role);
        put(say, "this scenario has no %s to judge", role);
    } else if (!p->started) {
        put(r, "%s never started", role);
        put(say, "the %s never started, so how it ended cannot be judged", role);
    } else {
        return true;
    }
    out->verdict = EH_ERROR;
    return false;
}

/* The other role: the peer whose close a broken pipe follows. */
static const char *peer_of(const char *role)
{
    return strcmp(role, "server") == 0 ? "client" : "server";
}

/* Says how a role ended that the check did not allow: a broken pipe, a crash,
 * an exit code, or a role the harness had to stop. */
static void say_bad_end(struct text *say, const struct eh_proc_obs *p, const char *role,
                        const char *rule)
{
    int sig = p->term_signal;
    if (sig == SIGPIPE)
        put(say,
            "the %s was killed by SIGPIPE: it wrote to a connection the %s had closed; ignore "
            "SIGPIPE or use MSG_NOSIGNAL and treat EPIPE as the end of that connection",
            role, peer_of(role));
    else if (sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT || sig == SIGFPE || sig == SIGILL)
        put(say, "the %s crashed (killed by %s)%s", role, eh_signal_name(sig), rule);
    else if (sig > 0)
        put(say, "the %s was killed by %s%s", role, eh_signal_name(sig), rule);
    else if (p->stopped_by_harness)
        put(say,
            "the %s was still running at the end and had to be stopped; this scenario "
            "expects it to end by itself",
            role);
    else
        put(say, "the %s exited with code %d%s", role, p->exit_code, rule);
}

static void judge_exit(const struct eh_expect *e, const struct eh_proc_obs *p, const char *role,
                       struct text *r, struct text *say, struct eh_check *out)
{
    put(r, "expected ");
    if (e->n_codes) {
        put(r, "exit code in {");
        for (size_t i = 0; i < e->n_codes; i++)
            put(r, "%s%d", i ? ", " : "", e->codes[i]);
        put(r, "}");
    }
    if (e->n_signals) {
        put(r, "%skilled by a signal in {", e->n_codes ? " or " : "");
        for (size_t i = 0; i < e->n_signals; i++)
            put(r, "%s%s", i ? ", " : "", eh_signal_name(e->signals[i]));
        put(r, "}");
    }
    put(r, ", got ");
    if (!proc_ready(p, role, r, say, out))
        return;
    put_end(r, p);
    bool ok = false;
    if (p->term_signal > 0)
        ok = int_in(p->term_signal, e->signals, e->n_signals);
    else if (!p->stopped_by_harness && p->exited)
        ok = int_in(p->exit_code, e->codes, e->n_codes);
    if (ok && p->term_signal > 0)
        put(say, "the %s was killed by %s, as this scenario expects", role,
            eh_signal_name(p->term_signal));
    else if (ok)
        put(say, "the %s exited with code %d, as this scenario expects", role, p->exit_code);
    else if (e->n_codes == 0 && p->term_signal == 0 && !p->stopped_by_harness)
        put(say, "the %s exited with code %d, but this scenario expects it killed by %s", role,
            p->exit_code, eh_signal_name(e->signals[0]));
    else
        say_bad_end(say, p, role, ", which this scenario does not allow");
    out->verdict = ok ? EH_PASS : EH_FAIL;
    out->evidence = proc_evidence(role, p);
}

static void judge_survived(const struct eh_proc_obs *p, const char *role, struct text *r,
                           struct text *say, struct eh_check *out)
{
    put(r, "expected %s to survive, got ", role);
    if (!proc_ready(p, role, r, say, out))
        return;
    put_end(r, p);
    bool ok = p->term_signal == 0 && (p->stopped_by_harness || (p->exited && p->exit_code == 0));
    if (ok && p->stopped_by_harness)
        put(say, "the %s survived: alive at the end", role);
    else if (ok)
        put(say, "the %s survived: it exited by itself with code 0", role);
    else
        say_bad_end(say, p, role, ": an echo program must survive whatever its peer does");
    out->verdict = ok ? EH_PASS : EH_FAIL;
    out->evidence = proc_evidence(role, p);
}

/* ---- event-log expectations ---- */

/* Lends the role's events in *events (NULL reads as an empty log); false
 * (with out filled) if the role has no event log. */
static bool log_of(const struct eh_observation *obs, enum eh_role_id who, struct text *r,
                   struct text *say, struct eh_check *out, const json_t **events)
{
    const struct eh_proc_obs *p = &obs->roles[who];
    const char *role = eh_role_name(who);
    if (p->present && !p->instrumented) {
        put(r,
            "not judged from a log: the %s is under test and keeps no event log; the wire_* "
            "checks judge it from the capture",
            role);
        out->verdict = EH_SKIP;
        return false;
    }
    if (!p->present || !p->started) {
        put(r, "expected a %s event log, got ", role);
        proc_ready(p, role, r, say, out);
        return false;
    }
    *events = p->events;
    return true;
}

/* A matcher in words: "recv() returning 0 (end of stream)", "send() failing
 * with EPIPE or ECONNRESET", "the connection ending by eof or EPIPE",
 * "bind() returning 0 on 0.0.0.0:*", "recv() returning at least 1 in
 * 200..400 ms", "connect() failing with ECONNREFUSED within 50 ms". */
static void put_match_words(struct text *t, const struct eh_match *m)
{
    bool conn_end = m->call && strcmp(m->call, "conn_end") == 0;
    bool recv = m->call && (strcmp(m->call, "recv") == 0 || strcmp(m->call, "recvfrom") == 0);
    if (conn_end)
        put(t, "the connection ending");
    else if (m->call)
        put(t, "%s()", m->call);
    else
        put(t, "a call");
    if (m->has_ret)
        put(t, " returning %" PRId64 "%s", m->ret, recv && m->ret == 0 ? " (end of stream)" : "");
    else if (m->has_ret_min && m->has_ret_max)
        put(t, " returning %" PRId64 "..%" PRId64, m->ret_min, m->ret_max);
    else if (m->has_ret_min)
        put(t, " returning at least %" PRId64, m->ret_min);
    else if (m->has_ret_max)
        put(t, " returning at most %" PRId64, m->ret_max);
    char *const *names[] = {m->errnos, m->reasons};
    size_t counts[] = {m->n_errnos, m->n_reasons};
    for (int k = 0; k < 2; k++) {
        if (counts[k] == 0)
            continue;
        put(t, k == 0 ? " failing with " : " by ");
        for (size_t i = 0; i < counts[k]; i++)
            put(t, "%s%s", i == 0 ? "" : i + 1 == counts[k] ? " or " : ", ", names[k][i]);
    }
    if (m->laddr)
        put(t, " on %s", m->laddr);
    if (m->raddr)
        put(t, " with peer %s", m->raddr);
    if (m->has_elapsed) {
        int64_t lo, hi;
        elapsed_bounds(m, &lo, &hi);
        if (lo <= 0)
            put(t, " within %" PRId64 " ms", hi / 1000);
        else
            put(t, " in %" PRId64 "..%" PRId64 " ms", lo / 1000, hi / 1000);
    }
}

/* True if ev is a call of m's and failed with errno name err. */
static bool failed_with(const json_t *ev, const struct eh_match *m, const char *err)
{
    const char *e = str_of(ev, "errno");
    return call_is(ev, m->call) && e != NULL && strcmp(e, err) == 0;
}

/* True if ev is a call of m's that succeeded. */
static bool succeeded(const json_t *ev, const struct eh_match *m)
{
    int64_t ret;
    return call_is(ev, m->call) && int_of(ev, "ret", &ret) && ret >= 0;
}

/* True if m expects its call to fail with errno name err. */
static bool expects_errno(const struct eh_match *m, const char *err)
{
    return name_in(err, m->errnos, m->n_errnos);
}

/* Why no event from index `from` on matches m, when the log shows it: the
 * call failed with EAGAIN where it should have succeeded (a non-blocking
 * socket), connect() succeeded where EINPROGRESS was due (a blocking
 * socket), or bind() succeeded where EADDRINUSE was due, after SO_REUSEADDR.
 * Nothing otherwise. */
static void put_missing_hint(struct text *say, const struct eh_match *m, const json_t *events,
                             size_t from)
{
    bool eagain = false, ok = false, reuseaddr = false;
    for (size_t i = 0; m->call != NULL && i < json_array_size(events); i++) {
        const json_t *ev = json_array_get(events, i);
        const char *name = str_of(ev, "name");
        int64_t v;
        reuseaddr =
            reuseaddr || (call_is(ev, "setsockopt") && name != NULL &&
                          strcmp(name, "SO_REUSEADDR") == 0 && int_of(ev, "value", &v) && v != 0);
        eagain = eagain || (i >= from && failed_with(ev, m, "EAGAIN"));
        ok = ok || (i >= from && succeeded(ev, m));
    }
    bool wants_success = m->n_errnos == 0 && ((m->has_ret && m->ret >= 0) || m->has_ret_min);
    if (wants_success && eagain)
        put(say,
            ": its %s() failed with EAGAIN instead, which only a non-blocking socket (or one "
            "with a time-out) answers",
            m->call);
    else if (ok && expects_errno(m, "EINPROGRESS"))
        put(say,
            ": its %s() succeeded instead, after waiting for the handshake: the socket was "
            "blocking",
            m->call);
    else if (ok && reuseaddr && expects_errno(m, "EADDRINUSE"))
        put(say,
            ": its %s() succeeded because the server set SO_REUSEADDR, which lets bind() take "
            "a port that connections in TIME_WAIT hold",
            m->call);
}

/* What a missing "recv returned 0" usually means, for the role that missed
 * it: a reset from the peer when its log shows recv() failing with
 * ECONNRESET, else the end of stream never came or was not read. */
static void put_eof_hint(struct text *say, const struct eh_match *m, const json_t *events,
                         const char *role)
{
    if (m->call == NULL || strcmp(m->call, "recv") != 0 || !m->has_ret || m->ret != 0)
        return;
    bool reset = false;
    for (size_t i = 0; i < json_array_size(events) && !reset; i++)
        reset = failed_with(json_array_get(events, i), m, "ECONNRESET");
    bool client = strcmp(role, "client") == 0;
    if (reset)
        put(say,
            ": its recv() failed with ECONNRESET instead: the %s reset the connection rather "
            "than closing it (a kernel sends RST for a socket closed with data unread or with "
            "SO_LINGER 0, and for data that reaches a closed socket)",
            client ? "server" : "client");
    else if (client)
        put(say, ": the server never closed its side of the connection");
    else
        put(say, ": it stopped reading before the client's end of stream");
}

/* "at least 1", "exactly 2", "at most 0", "between 1 and 3". */
static bool put_bounds(struct text *t, int64_t min, int64_t max)
{
    if (max < 0) {
        put(t, "at least %" PRId64, min);
        return min == 1;
    }
    if (min == max) {
        put(t, "exactly %" PRId64, min);
        return min == 1;
    }
    if (min <= 0) {
        put(t, "at most %" PRId64, max);
        return max == 1;
    }
    put(t, "between %" PRId64 " and %" PRId64, min, max);
    return false;
}

static void judge_event(const struct eh_expect *e, const json_t *events, const char *role,
                        struct text *r, struct text *say, struct eh_check *out)
{
    json_t *matched = json_array();
    int64_t count = 0;
    size_t i;
    json_t *ev;
    json_array_foreach(events, i, ev)
    {
        if (!eh_event_matches(&e->match, ev))
            continue;
        if (count++ < EVIDENCE_EVENTS)
            json_array_append_new(matched, brief(ev));
    }
    bool ok = count >= e->min && (e->max < 0 || count <= e->max);
    put(r, "expected ");
    bool one = put_bounds(r, e->min, e->max);
    put(r, " %s event%s matching ", role, one ? "" : "s");
    put_match(r, &e->match);
    put(r, ", got %" PRId64, count);
    if (!ok)
        put_context(r, role, events, &e->match, 1, 0);
    put(say, "the %s's log ", role);
    if (ok && e->max == 0) {
        put(say, "shows no ");
        put_match_words(say, &e->match);
        put(say, ", as expected");
    } else if (ok) {
        put(say, "shows ");
        put_match_words(say, &e->match);
    } else if (count == 0) {
        put(say, "never shows ");
        put_match_words(say, &e->match);
        put_eof_hint(say, &e->match, events, role);
        put_missing_hint(say, &e->match, events, 0);
    } else if (count < e->min) {
        put(say, "shows ");
        put_match_words(say, &e->match);
        put(say, " only %" PRId64 " times, fewer than this scenario expects", count);
    } else {
        put(say, "shows ");
        put_match_words(say, &e->match);
        put(say, e->max == 0 ? ", which this scenario does not allow"
                             : " more often than this scenario allows");
    }
    out->verdict = ok ? EH_PASS : EH_FAIL;
    out->evidence = json_pack("{s:s, s:I, s:I, s:o, s:o}", "who", role, "count", (json_int_t)count,
                              "min", (json_int_t)e->min, "max",
                              e->max < 0 ? json_null() : json_integer(e->max), "matched", matched);
}

static void judge_sequence(const struct eh_expect *e, const json_t *events, const char *role,
                           struct text *r, struct text *say, struct eh_check *out)
{
    /* Greedy: the earliest match of each matcher after the previous one
     * finds the sequence whenever one exists. */
    json_t *indices = json_array();
    json_t *matched = json_array();
    size_t k = 0, pos = 0, last = 0, n = json_array_size(events);
    for (; k < e->n_seq; k++) {
        while (pos < n && !eh_event_matches(&e->seq[k], json_array_get(events, pos)))
            pos++;
        if (pos == n)
            break;
        json_array_append_new(indices, json_integer((json_int_t)pos));
        json_array_append_new(matched, brief(json_array_get(events, pos)));
        if (json_array_size(matched) > EVIDENCE_EVENTS)
            json_array_remove(matched, 0);
        last = pos++;
    }
    put(r, "expected sequence ");
    for (size_t i = 0; i < e->n_seq; i++) {
        put(r, "%s", i ? " -> " : "");
        put_match(r, &e->seq[i]);
    }
    if (k == e->n_seq) {
        put(say, "the %s's calls came in the expected order", role);
    } else {
        put(say, "the %s's log never shows ", role);
        put_match_words(say, &e->seq[k]);
        if (k > 0) {
            put(say, " after ");
            put_match_words(say, &e->seq[k - 1]);
        }
        put_missing_hint(say, &e->seq[k], events, k > 0 ? last + 1 : 0);
    }
    if (k == e->n_seq) {
        put(r, ", got all %zu in order", k);
    } else {
        if (k == 0) {
            put(r, ", got no %s event matching ", role);
            put_match(r, &e->seq[0]);
        } else {
            put(r, ", got only the first %zu", k);
        }
        put_context(r, role, events, e->seq, e->n_seq, last);
    }
    out->verdict = k == e->n_seq ? EH_PASS : EH_FAIL;
    out->evidence =
        json_pack("{s:s, s:I, s:I, s:o, s:o}", "who", role, "matched", (json_int_t)k, "of",
                  (json_int_t)e->n_seq, "indices", indices, "last_matched", matched);
}

/* "0x48 'H'", "0x00", or `none` when b is negative (no byte there). */
static void put_octet(struct text *t, int b, const char *none)
{
    if (b < 0)
        put(t, "%s", none);
    else if (b >= 0x20 && b < 0x7f)
        put(t, "0x%02x '%c'", b, b);
    else
        put(t, "0x%02x", b);
}

/* The byte at off, or "end of stream" when off is past the end. */
static void put_byte(struct text *t, const unsigned char *b, size_t len, size_t off)
{
    put_octet(t, off < len ? b[off] : -1, "end of stream");
}

static json_t *byte_or_null(const unsigned char *b, size_t len, size_t off)
{
    return off < len ? json_integer(b[off]) : json_null();
}

/* The echo the client got in words: all of it, a prefix, a difference,
 * too much. */
static void say_echo(struct text *say, bool ok, bool prefix, size_t ns, size_t nr, size_t diff)
{
    if (ok && nr == ns)
        put(say, "the client got back exactly the %zu bytes it sent", ns);
    else if (ok && nr == 0)
        put(say, "the client got nothing back, as this scenario allows");
    else if (ok)
        put(say,
            "the client got back the first %zu of the %zu bytes it sent, as this scenario "
            "allows",
            nr, ns);
    else if (diff < nr && diff < ns)
        put(say,
            "the echo differs from what the client sent at offset %zu (RFC 862: send back "
            "every byte received, unchanged)",
            diff);
    else if (!prefix)
        put(say, "the client got back more bytes than it sent (RFC 862: send back the data "
                 "received, nothing more)");
    else if (nr == 0)
        put(say, "the client got nothing back (RFC 862: send back any data received)");
    else
        put(say,
            "the client got back only %zu of the %zu bytes it sent (RFC 862: echo all data "
            "until the client closes)",
            nr, ns);
}

static void judge_echo(const struct eh_expect *e, const json_t *events, struct text *r,
                       struct text *say, struct eh_check *out)
{
    unsigned char *sent = NULL, *got = NULL;
    size_t ns = 0, nr = 0;
    if (!eh_events_stream(events, true, &sent, &ns) ||
        !eh_events_stream(events, false, &got, &nr)) {
        put(r, "expected the client's sent and received bytes in its event log, got data "
               "truncated (cannot judge echo)");
        put(say, "the client's log lacks some of the bytes it sent or received, so the echo "
                 "cannot be judged");
        out->verdict = EH_ERROR;
        free(sent);
        return;
    }
    size_t diff = 0;
    while (diff < ns && diff < nr && sent[diff] == got[diff])
        diff++;
    bool prefix = diff == nr; /* every received byte matches what was sent */
    bool identical = prefix && nr == ns;
    bool ok = false;
    switch (e->relation) {
    case EH_ECHO_EXACT:
        ok = identical;
        break;
    case EH_ECHO_PREFIX:
        ok = prefix;
        break;
    case EH_ECHO_NONEMPTY_PREFIX:
        ok = prefix && nr > 0;
        break;
    }
    const char *rel = eh_echo_relation_name(e->relation);
    if (ns == 0) { /* nothing to echo: never a vacuous pass */
        put(r,
            "expected echo %s of the client's bytes, got a client that sent nothing (did it "
            "connect?)",
            rel);
        put(say, "the client sent nothing, so there was nothing to echo");
        out->verdict = EH_FAIL;
        out->evidence = json_pack("{s:s, s:I, s:I}", "relation", rel, "sent_bytes", (json_int_t)0,
                                  "received_bytes", (json_int_t)nr);
        free(sent);
        free(got);
        return;
    }
    put(r, "expected echo %s (%s%zu bytes), got %zu byte%s", rel,
        e->relation == EH_ECHO_EXACT ? "" : "of ", ns, nr, nr == 1 ? "" : "s");
    if (!prefix || (!ok && nr > 0)) {
        put(r, "; first difference at offset %zu: expected ", diff);
        put_byte(r, sent, ns, diff);
        put(r, ", got ");
        put_byte(r, got, nr, diff);
    } else if (ok && !identical) {
        put(r, ", a prefix");
    }
    say_echo(say, ok, prefix, ns, nr, diff);
    out->verdict = ok ? EH_PASS : EH_FAIL;
    out->evidence = json_pack("{s:s, s:I, s:I}", "relation", rel, "sent_bytes", (json_int_t)ns,
                              "received_bytes", (json_int_t)nr);
    if (!identical) {
        json_object_set_new(out->evidence, "first_difference", json_integer((json_int_t)diff));
        json_object_set_new(out->evidence, "expected_byte", byte_or_null(sent, ns, diff));
        json_object_set_new(out->evidence, "got_byte", byte_or_null(got, nr, diff));
    }
    free(sent);
    free(got);
}

/* The port of "127.0.0.1:40312" or "[::1]:40312"; -1 if there is none. */
static long addr_port(const char *addr)
{
    const char *colon = strrchr(addr, ':');
    if (colon == NULL || colon[1] == '\0')
        return -1;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    return *end == '\0' && port >= 0 && port <= 65535 ? port : -1;
}

/* ", a window set for this run" after ip_local_port_range, when the harness
 * narrowed it (client_port_window). */
static const char *window_note(const struct eh_observation *obs)
{
    return obs->port_window ? ", a window set for this run" : "";
}

/* False (with out filled) if ip_local_port_range was not read. */
static bool range_ready(const struct eh_observation *obs, struct text *r, struct text *say,
                        struct eh_check *out)
{
    if (obs->port_lo > 0 && obs->port_hi >= obs->port_lo)
        return true;
    put(r, "expected client port in ip_local_port_range, got no range (it was not read in "
           "the scenario's namespace)");
    put(say, "the ephemeral port range could not be read, so the client's port cannot be judged");
    out->verdict = EH_ERROR;
    return false;
}

/* The client's port in words: ephemeral, or fixed by a bind(). */
static void say_port(struct text *say, bool connected, long bad_port)
{
    if (!connected)
        put(say, "the client's log has no connect() with a local address");
    else if (bad_port >= 0)
        put(say,
            "the client used port %ld, outside the ephemeral range: do not bind() the "
            "client's socket, let connect() choose its port",
            bad_port);
    else
        put(say, "the client used an ephemeral port, as connect() without bind() gives");
}

static void judge_client_port(const struct eh_observation *obs, const json_t *events,
                              struct text *r, struct text *say, struct eh_check *out)
{
    if (!range_ready(obs, r, say, out))
        return;
    put(r, "expected client port in %d..%d (ip_local_port_range%s), got ", obs->port_lo,
        obs->port_hi, window_note(obs));
    json_t *ports = json_array();
    size_t n = 0, i, bad = 0;
    long bad_port = 0;
    json_t *ev;
    json_array_foreach(events, i, ev)
    {
        const char *laddr = str_of(ev, "laddr");
        if (!call_is(ev, "connect") || laddr == NULL)
            continue;
        long port = addr_port(laddr);
        if (n < EVIDENCE_PORTS)
            json_array_append_new(ports, json_integer(port));
        n++;
        if (bad == 0 && (port < obs->port_lo || port > obs->port_hi)) {
            bad = n;
            bad_port = port;
        }
    }
    if (n == 0)
        put(r, "no connect() with a local address in the client's event log");
    else if (bad)
        put(r, "%ld", bad_port);
    else if (n == 1)
        put(r, "%" JSON_INTEGER_FORMAT, json_integer_value(json_array_get(ports, 0)));
    else
        put(r, "%zu connections, every port in range", n);
    if (bad && n > 1)
        put(r, " (connection %zu of %zu)", bad, n);
    say_port(say, n > 0, bad ? bad_port : -1);
    out->verdict = n > 0 && bad == 0 ? EH_PASS : EH_FAIL;
    out->evidence = json_pack("{s:[i, i], s:I, s:o}", "range", obs->port_lo, obs->port_hi,
                              "connections", (json_int_t)n, "ports", ports);
}

/* ---- wire expectations (flow.h) ---- */

/* One TCP connection or UDP exchange, as the wire kinds see both. */
struct wire_conn {
    const struct eh_wire_addr *client, *server;
    const struct eh_echo *echo;
    const struct eh_tcp_conn *tcp; /* NULL for UDP */
    const struct eh_udp_flow *udp; /* NULL for TCP */
};

static size_t wire_count(const struct eh_flows *f, enum eh_transport t)
{
    return t == EH_UDP ? eh_flows_udp_count(f) : eh_flows_tcp_count(f);
}

static struct wire_conn wire_conn(const struct eh_flows *f, enum eh_transport t, size_t i)
{
    struct wire_conn w = {0};
    if (t == EH_UDP) {
        w.udp = eh_flows_udp(f, i);
        w.client = &w.udp->client;
        w.server = &w.udp->server;
        w.echo = &w.udp->echo;
    } else {
        w.tcp = eh_flows_tcp(f, i);
        w.client = &w.tcp->client;
        w.server = &w.tcp->server;
        w.echo = &w.tcp->echo;
    }
    return w;
}

/* "127.0.0.1:40312 -> 127.0.0.1:65432" (client -> server). */
static void put_conn(struct text *t, const struct wire_conn *w)
{
    char c[EH_ENDPOINT_STRLEN], s[EH_ENDPOINT_STRLEN];
    eh_wire_addr_format(w->client, c, sizeof(c));
    eh_wire_addr_format(w->server, s, sizeof(s));
    put(t, "%s -> %s", c, s);
}

static json_t *conn_json(const struct wire_conn *w)
{
    char c[EH_ENDPOINT_STRLEN], s[EH_ENDPOINT_STRLEN];
    eh_wire_addr_format(w->client, c, sizeof(c));
    eh_wire_addr_format(w->server, s, sizeof(s));
    return json_pack("{s:s, s:s}", "client", c, "server", s);
}

/* Lends the capture's flows in *f; false (with out filled) if there was no
 * capture, or (need_one) if it holds no connection of the transport. */
static bool wire_of(const struct eh_observation *obs, enum eh_transport t, bool need_one,
                    struct text *r, struct text *say, struct eh_check *out,
                    const struct eh_flows **f)
{
    *f = obs->wire;
    if (*f == NULL) {
        put(say, "there is no capture to judge this from");
        out->verdict = EH_ERROR;
        return false;
    }
    if (need_one && wire_count(*f, t) == 0) {
        enum eh_transport other = t == EH_UDP ? EH_TCP : EH_UDP;
        size_t n_other = wire_count(*f, other);
        const char *want = t == EH_UDP ? "UDP" : "TCP", *got = t == EH_UDP ? "TCP" : "UDP";
        put(r, "expected at least one connection on the wire, got none");
        if (n_other > 0)
            put(say,
                "the capture shows no %s %s, only %zu %s %s%s: the client spoke %s where this "
                "scenario is %s (a client under test that speaks both takes the transport "
                "from {transport} in --client-cmd)",
                want, t == EH_UDP ? "datagram" : "connection", n_other, got,
                t == EH_UDP ? "connection" : "exchange", n_other == 1 ? "" : "s", got, want);
        else
            put(say, t == EH_UDP ? "the capture shows no datagram between client and server"
                                 : "the capture shows no connection: the client never reached "
                                   "the server");
        out->verdict = EH_FAIL;
        out->evidence = json_pack("{s:i}", "connections", 0);
        return false;
    }
    return true;
}

static bool echo_allowed(enum eh_echo_relation rel, const struct eh_echo *x)
{
    switch (rel) {
    case EH_ECHO_EXACT:
        return x->verdict == EH_WIRE_EXACT;
    case EH_ECHO_PREFIX:
        return x->verdict == EH_WIRE_EXACT || x->verdict == EH_WIRE_PREFIX ||
               x->verdict == EH_WIRE_NONE || x->verdict == EH_WIRE_EMPTY;
    case EH_ECHO_NONEMPTY_PREFIX:
        return x->verdict == EH_WIRE_EXACT ||
               (x->verdict == EH_WIRE_PREFIX && x->matched_bytes > 0);
    }
    return false;
}

/* "differs at offset 1: expected 0x65 'e', got 0x45 'E'", "exact (12 bytes matched)". */
static void put_wire_echo(struct text *t, const struct eh_echo *x, bool udp)
{
    put(t, "%s", eh_wire_echo_name(x->verdict));
    if (x->has_diff) {
        if (udp)
            put(t, " in reply %" PRIu64, x->diff_datagram + 1);
        put(t, " at offset %" PRIu64 ": expected ", x->diff_offset);
        put_octet(t, x->expected, "no byte");
        put(t, ", got ");
        put_octet(t, x->got, "no byte");
    } else if (x->unverified) {
        put(t, " (stopped by %s after %" PRIu64 " byte%s matched)", x->unverified, x->matched_bytes,
            x->matched_bytes == 1 ? "" : "s");
    } else {
        put(t, " (%" PRIu64 " byte%s matched)", x->matched_bytes, x->matched_bytes == 1 ? "" : "s");
    }
}

/* The bytes the client sent on one connection (UDP: in every datagram). */
static uint64_t client_bytes(const struct wire_conn *w)
{
    return w->udp ? w->udp->c2s.bytes : w->tcp->c2s.bytes;
}

/* wire_echo "bytes": connection i carried exactly that many client bytes. */
static bool client_bytes_ok(const struct eh_expect *e, const struct eh_flows *f, size_t i)
{
    struct wire_conn w = wire_conn(f, e->transport, i);
    return !e->has_echo_bytes || client_bytes(&w) == (uint64_t)e->echo_bytes;
}

/* What the server sent back, in words, for the connection w. */
static void say_wire_echo(struct text *say, bool ok, const struct wire_conn *w, size_t n)
{
    const struct eh_echo *x = w->echo;
    uint64_t sent = w->tcp ? w->tcp->c2s.bytes : w->udp->c2s.bytes;
    const char *what = w->udp ? "datagram" : "byte";
    if (ok && x->verdict == EH_WIRE_EXACT) {
        put(say, "the server echoed every %s unchanged", what);
        if (n > 1)
            put(say, " on each of the %zu %s", n, w->udp ? "exchanges" : "connections");
        return;
    }
    if (ok) {
        put(say, "the server echoed %s of what it received, as this scenario allows",
            x->verdict == EH_WIRE_PREFIX ? "a prefix" : "none");
        return;
    }
    if (w->tcp && w->tcp->close == EH_CLOSE_CLIENT_ABORT &&
        (x->verdict == EH_WIRE_PREFIX || x->verdict == EH_WIRE_NONE)) {
        put(say,
            "%" PRIu64 " of the %" PRIu64 " bytes the client sent came back before the client "
            "aborted the connection (RST without FIN: it closed its socket with data unread, or "
            "with SO_LINGER 0), after which nothing more could be echoed",
            x->matched_bytes, sent);
        return;
    }
    switch (x->verdict) {
    case EH_WIRE_DIFFERS:
        if (w->udp)
            put(say,
                "reply %" PRIu64 " differs from its request at offset %" PRIu64
                " (RFC 862: send back each datagram unchanged)",
                x->diff_datagram + 1, x->diff_offset);
        else
            put(say,
                "the server sent back other bytes than it received, first at offset %" PRIu64
                " (RFC 862: send back every byte unchanged)",
                x->diff_offset);
        return;
    case EH_WIRE_PREFIX:
        if (w->udp)
            put(say, "some datagrams got no reply (RFC 862: send back each datagram received)");
        else
            put(say,
                "the server echoed only the first %" PRIu64 " of the %" PRIu64
                " bytes the client sent (RFC 862: echo all data until the client closes)",
                x->matched_bytes, sent);
        return;
    case EH_WIRE_NONE:
        put(say, "the server sent nothing back (RFC 862: send back any data received)");
        return;
    case EH_WIRE_EMPTY:
        put(say, "the client sent nothing, so there was nothing to echo");
        return;
    case EH_WIRE_EXTRA:
        put(say, "the server sent back more than the client sent (RFC 862: send back the data "
                 "received, nothing more)");
        return;
    case EH_WIRE_UNVERIFIED:
        put(say, "the echo could not be checked: the comparison stopped (%s)",
            x->unverified ? x->unverified : "unverified");
        return;
    case EH_WIRE_EXACT: /* always allowed */
        put(say, "the server echoed every %s unchanged", what);
        return;
    }
}

static void judge_wire_echo(const struct eh_expect *e, const struct eh_flows *f, struct text *r,
                            struct text *say, struct eh_check *out)
{
    size_t n = wire_count(f, e->transport), shown = 0, bad = 0;
    json_t *verdicts = json_object();
    for (size_t i = 0; i < n; i++) {
        const struct eh_echo *x = wire_conn(f, e->transport, i).echo;
        const char *name = eh_wire_echo_name(x->verdict);
        json_object_set_new(verdicts, name,
                            json_integer(json_integer_value(json_object_get(verdicts, name)) + 1));
        if ((!echo_allowed(e->relation, x) || !client_bytes_ok(e, f, i)) && bad++ == 0)
            shown = i;
    }
    struct wire_conn w = wire_conn(f, e->transport, shown);
    put(r, "expected wire echo %s", eh_echo_relation_name(e->relation));
    if (e->has_echo_bytes)
        put(r, " of %" PRId64 " client bytes", e->echo_bytes);
    put(r, " on ");
    if (bad) {
        put_conn(r, &w);
        put(r, ", got ");
        if (!client_bytes_ok(e, f, shown))
            put(r, "%" PRIu64 " bytes from the client, echo ", client_bytes(&w));
        put_wire_echo(r, w.echo, w.udp != NULL);
    } else if (n == 1) {
        put(r, "every connection, got ");
        put_wire_echo(r, w.echo, w.udp != NULL);
        put(r, " on ");
        put_conn(r, &w);
    } else {
        put(r, "every connection, got %zu connections, each allowed", n);
    }
    if (bad && !client_bytes_ok(e, f, shown))
        put(say,
            "the client sent only %" PRIu64 " of the %" PRId64 " bytes it had to send (send(2) "
            "may send fewer bytes than asked: loop until every byte is sent, as sendall() does)",
            client_bytes(&w), e->echo_bytes);
    else
        say_wire_echo(say, bad == 0, &w, n);
    json_t *conn = conn_json(&w);
    json_object_set_new(conn, "verdict", json_string(eh_wire_echo_name(w.echo->verdict)));
    json_object_set_new(conn, "matched_bytes", json_integer((json_int_t)w.echo->matched_bytes));
    if (w.echo->has_diff)
        json_object_set_new(conn, "first_difference",
                            json_pack("{s:I, s:i, s:i}", "offset", (json_int_t)w.echo->diff_offset,
                                      "expected", w.echo->expected, "got", w.echo->got));
    out->verdict = bad ? EH_FAIL : EH_PASS;
    out->evidence = json_pack(
        "{s:s, s:I, s:I, s:o, s:o}", "relation", eh_echo_relation_name(e->relation), "connections",
        (json_int_t)n, "not_allowed", (json_int_t)bad, "verdicts", verdicts, "connection", conn);
}

/* True if the logged address s is the endpoint; an IPv4 endpoint also
 * equals its IPv4-mapped form "[::ffff:127.0.0.1]:40312" (what a dual-stack
 * listener reports for the IPv4 packets on the wire). */
static bool addr_is(const char *s, const struct eh_wire_addr *ep)
{
    char buf[EH_ENDPOINT_STRLEN], mapped[EH_ENDPOINT_STRLEN + 16];
    eh_wire_addr_format(ep, buf, sizeof(buf));
    const char *colon = strrchr(buf, ':');
    snprintf(mapped, sizeof(mapped), "[::ffff:%.*s]%s", (int)(colon - buf), buf, colon);
    return strcmp(s, buf) == 0 || (ep->family == 4 && strcmp(s, mapped) == 0);
}

/* The role's events if it wrote a log, else NULL. */
static const json_t *log_if_any(const struct eh_observation *obs, enum eh_role_id who)
{
    const struct eh_proc_obs *p = &obs->roles[who];
    return p->present && p->instrumented ? p->events : NULL;
}

/* The first event of call c1 or c2 carrying key; in *same, whether any of
 * them carries ep under key. NULL if the log has no such event. */
static const json_t *logged(const json_t *events, const char *c1, const char *c2, const char *key,
                            const struct eh_wire_addr *ep, bool *same)
{
    const json_t *first = NULL;
    size_t i;
    json_t *ev;
    *same = false;
    json_array_foreach(events, i, ev)
    {
        const char *a = str_of(ev, key);
        if (a == NULL || !(call_is(ev, c1) || call_is(ev, c2)))
            continue;
        first = first ? first : ev;
        *same = *same || addr_is(a, ep);
    }
    return first;
}

static void judge_wire_client_port(const struct eh_expect *e, const struct eh_observation *obs,
                                   const struct eh_flows *f, struct text *r, struct text *say,
                                   struct eh_check *out)
{
    const char *accept = e->transport == EH_UDP ? "recvfrom" : "accept";
    const json_t *cev = log_if_any(obs, EH_CLIENT), *sev = log_if_any(obs, EH_SERVER);
    const json_t *clog = NULL, *slog = NULL; /* the first logged address of each, if any */
    size_t n = wire_count(f, e->transport), i;
    json_t *ports = json_array();
    char ep[EH_ENDPOINT_STRLEN];
    out->verdict = EH_PASS;
    for (i = 0; i < n && out->verdict == EH_PASS; i++) {
        struct wire_conn w = wire_conn(f, e->transport, i);
        bool c_same, s_same;
        clog = logged(cev, "connect", "getsockname", "laddr", w.client, &c_same);
        slog = logged(sev, accept, accept, "raddr", w.client, &s_same);
        eh_wire_addr_format(w.client, ep, sizeof(ep));
        if (i < EVIDENCE_PORTS)
            json_array_append_new(ports, json_integer(w.client->port));
        if (w.client->port < obs->port_lo || w.client->port > obs->port_hi) {
            put(r, "expected wire client port in %d..%d (ip_local_port_range%s), got %u on ",
                obs->port_lo, obs->port_hi, window_note(obs), w.client->port);
            put_conn(r, &w);
            say_port(say, true, w.client->port);
        } else if (clog && !c_same) {
            put(r,
                "expected the wire client %s in the client's connect/getsockname laddr, got "
                "%s in its %s event",
                ep, str_of(clog, "laddr"), str_of(clog, "call"));
            put(say, "the client's log names another local address than the capture shows");
        } else if (slog && !s_same) {
            put(r, "expected the wire client %s as the server's %s() peer, got %s", ep, accept,
                str_of(slog, "raddr"));
            put(say, "the server's %s() names another peer than the capture shows", accept);
        } else {
            continue;
        }
        out->verdict = EH_FAIL;
    }
    if (out->verdict == EH_PASS) {
        say_port(say, true, -1);
        put(r, "expected wire client port in %d..%d (ip_local_port_range%s)", obs->port_lo,
            obs->port_hi, window_note(obs));
        if (clog)
            put(r, ", equal to the client's getsockname()");
        if (slog)
            put(r, "%s the server's %s() peer", clog ? " and" : ", equal to", accept);
        struct wire_conn w = wire_conn(f, e->transport, 0);
        if (n == 1) {
            put(r, ", got %u on ", w.client->port);
            put_conn(r, &w);
        } else {
            put(r, ", got %zu connections, each in range%s", n,
                clog || slog ? " and as logged" : "");
        }
    }
    out->evidence = json_pack("{s:[i, i], s:I, s:o, s:b, s:b}", "range", obs->port_lo, obs->port_hi,
                              "connections", (json_int_t)n, "ports", ports, "client_log_compared",
                              clog != NULL, "server_log_compared", slog != NULL);
}

static void judge_wire_segments(const struct eh_expect *e, const struct eh_flows *f, struct text *r,
                                struct text *say, struct eh_check *out)
{
    bool from_server = e->who == EH_SERVER;
    size_t n = wire_count(f, e->transport), at = 0;
    uint32_t largest = 0;
    uint64_t segments = 0;
    for (size_t i = 0; i < n; i++) {
        struct wire_conn w = wire_conn(f, e->transport, i);
        uint32_t m;
        if (w.tcp) {
            const struct eh_tcp_dir *d = from_server ? &w.tcp->s2c : &w.tcp->c2s;
            m = d->seg_max;
            segments += d->segments;
        } else {
            const struct eh_udp_dir *d = from_server ? &w.udp->s2c : &w.udp->c2s;
            m = d->max;
            segments += d->datagrams;
        }
        if (m > largest) {
            largest = m;
            at = i;
        }
    }
    const char *unit = e->transport == EH_UDP ? "datagram" : "segment";
    struct wire_conn w = wire_conn(f, e->transport, at);
    put(r, "expected %s %ss of at most %" PRId64 " payload byte%s, got ", eh_role_name(e->who),
        unit, e->max_payload, e->max_payload == 1 ? "" : "s");
    if (segments == 0) {
        put(r, "no payload %s", unit);
    } else {
        put(r, "%u byte%s (the largest of %" PRIu64 " %s%s) on ", largest, largest == 1 ? "" : "s",
            segments, unit, segments == 1 ? "" : "s");
        put_conn(r, &w);
    }
    if (largest <= e->max_payload)
        put(say, "the %s sent its payload in %ss of at most %" PRId64 " byte%s, as expected",
            eh_role_name(e->who), unit, e->max_payload, e->max_payload == 1 ? "" : "s");
    else
        put(say, "the %s sent a %s of %u bytes where this scenario allows at most %" PRId64,
            eh_role_name(e->who), unit, largest, e->max_payload);
    out->verdict = largest <= e->max_payload ? EH_PASS : EH_FAIL;
    out->evidence =
        json_pack("{s:s, s:I, s:I, s:I, s:o}", "from", eh_role_name(e->who), "max_payload",
                  (json_int_t)e->max_payload, "largest", (json_int_t)largest, "segments",
                  (json_int_t)segments, "connection", conn_json(&w));
}

static bool close_ok(const struct eh_expect *e, const struct eh_tcp_conn *c)
{
    enum eh_side first = e->first_close_by == EH_CLIENT ? EH_SIDE_CLIENT : EH_SIDE_SERVER;
    return (e->close_classes >> c->close & 1u) &&
           (!e->has_first_close_by || (c->closed && c->first_close_by == first)) &&
           (!e->has_data_after_close || c->data_after_close == e->data_after_close);
}

static json_t *close_json(const struct eh_flows *f, size_t i)
{
    const struct eh_tcp_conn *c = eh_flows_tcp(f, i);
    struct wire_conn w = wire_conn(f, EH_TCP, i);
    json_t *j = conn_json(&w);
    json_object_set_new(j, "close", json_string(eh_close_name(c->close)));
    json_object_set_new(j, "first_close_by",
                        c->closed ? json_string(eh_side_name(c->first_close_by)) : json_null());
    json_object_set_new(j, "data_after_close", json_boolean(c->data_after_close));
    return j;
}

/* How a connection ended, in words (the close classes of flow.h). */
static const char *close_words(enum eh_close_class c)
{
    switch (c) {
    case EH_CLOSE_GRACEFUL:
        return "closed gracefully (FIN both ways)";
    case EH_CLOSE_HALF_CLOSED:
        return "half-closed (FIN from one side only)";
    case EH_CLOSE_UNFINISHED:
        return "never closed";
    case EH_CLOSE_CLIENT_RESET:
        return "reset by the client after it had closed (data arrived at its closed socket)";
    case EH_CLOSE_SERVER_RESET:
        return "reset by the server after it had closed (data arrived at its closed socket)";
    case EH_CLOSE_CLIENT_ABORT:
        return "aborted by the client (RST without FIN)";
    case EH_CLOSE_SERVER_ABORT:
        return "aborted by the server (RST without FIN)";
    case EH_CLOSE_REFUSED:
        return "refused";
    case EH_CLOSE_UNANSWERED:
        return "unanswered";
    }
    return "?";
}

/* Why the close of c is not what e allows, in words a learner can act on. */
static void say_bad_close(struct text *say, const struct eh_expect *e, const struct eh_tcp_conn *c)
{
    enum eh_side want = e->first_close_by == EH_CLIENT ? EH_SIDE_CLIENT : EH_SIDE_SERVER;
    bool allowed = e->close_classes >> c->close & 1u;
    if (e->has_first_close_by && c->closed && c->first_close_by != want && allowed)
        put(say, want == EH_SIDE_CLIENT ? "the server closed the connection before the client "
                                          "had finished sending (RFC 862: echo until the "
                                          "client closes)"
                                        : "the client closed the connection before the server "
                                          "did");
    else if (!allowed && c->close == EH_CLOSE_SERVER_ABORT && c->s2c.bytes == 0)
        put(say, "the server reset the connection without having sent a byte on it: a "
                 "connection still waiting in the listen queue is reset when the listening "
                 "socket closes (the server stopped accepting, or exited), and an accepted one "
                 "when it is closed with data unread or with SO_LINGER 0");
    else if (!allowed && c->close == EH_CLOSE_SERVER_ABORT)
        put(say, "the server aborted the connection with a reset instead of closing it: it "
                 "closed its socket with data still unread, or with SO_LINGER 0 (read until recv "
                 "returns 0, then close)");
    else if (!allowed && c->close == EH_CLOSE_CLIENT_ABORT)
        put(say, "the client aborted the connection with a reset instead of closing it: it "
                 "closed its socket with data still unread, or with SO_LINGER 0");
    else if (!allowed && c->close == EH_CLOSE_CLIENT_RESET)
        put(say, "the client's kernel reset the connection: the server sent data after the "
                 "client had closed");
    else if (!allowed && c->close == EH_CLOSE_SERVER_RESET)
        put(say, "the server's kernel reset the connection: the client sent data after the "
                 "server had closed");
    else if (!allowed && c->close == EH_CLOSE_HALF_CLOSED)
        put(say, c->first_close_by == EH_SIDE_CLIENT
                     ? "the server never closed its side after the client closed (close the "
                       "connection when recv returns 0)"
                     : "the client never closed its side after the server closed");
    else if (!allowed && c->close == EH_CLOSE_UNFINISHED)
        put(say, "the connection never ended: neither side sent FIN or RST before the end");
    else if (!allowed)
        put(say, "the connection was %s, which this scenario does not allow",
            close_words(c->close));
    else if (e->has_first_close_by && !c->closed)
        put(say, "nobody closed the connection");
    else if (c->data_after_close)
        put(say, "data arrived after a side had closed and was answered with a reset");
    else
        put(say, "no data arrived at a closed socket, though this scenario expects it");
}

static void judge_wire_close(const struct eh_expect *e, const struct eh_flows *f, struct text *r,
                             struct text *say, struct eh_check *out)
{
    size_t n = eh_flows_tcp_count(f), shown = 0, bad = 0;
    json_t *closes = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!close_ok(e, eh_flows_tcp(f, i)) && bad++ == 0)
            shown = i;
        if (i < EVIDENCE_EVENTS)
            json_array_append_new(closes, close_json(f, i));
    }
    const struct eh_tcp_conn *c = eh_flows_tcp(f, shown);
    struct wire_conn w = wire_conn(f, EH_TCP, shown);
    const char *sep = " (";
    put(r, "expected close in {");
    for (int k = 0, first = 1; k < EH_CLOSE_COUNT; k++)
        if (e->close_classes >> k & 1u) {
            put(r, "%s%s", first ? "" : ", ", eh_close_name((enum eh_close_class)k));
            first = 0;
        }
    put(r, "}");
    if (e->has_first_close_by) {
        put(r, "%sfirst FIN/RST from %s", sep, eh_role_name(e->first_close_by));
        sep = ", ";
    }
    if (e->has_data_after_close)
        put(r, "%s%s", sep, e->data_after_close ? "data after close" : "no data after close");
    put(r, "%s on ", e->has_first_close_by || e->has_data_after_close ? ")" : "");
    if (bad || n == 1) {
        put_conn(r, &w);
        put(r, ", got %s (first FIN/RST from %s, %s)", eh_close_name(c->close),
            c->closed ? eh_side_name(c->first_close_by) : "nobody",
            c->data_after_close ? "data after close" : "no data after close");
    } else {
        put(r, "every connection, got %zu connections, each as expected", n);
    }
    if (bad) {
        say_bad_close(say, e, c);
    } else {
        put(say, "the connection%s %s", n == 1 ? " was" : "s were", close_words(c->close));
        if (e->has_first_close_by && n == 1)
            put(say, ", the %s first", eh_role_name(e->first_close_by));
        put(say, ", as this scenario expects");
    }
    out->verdict = bad ? EH_FAIL : EH_PASS;
    out->evidence =
        json_pack("{s:I, s:I, s:o, s:o}", "connections", (json_int_t)n, "not_allowed",
                  (json_int_t)bad, "closes", closes, "connection", close_json(f, shown));
}

static void judge_wire_connections(const struct eh_expect *e, const struct eh_flows *f,
                                   struct text *r, struct text *say, struct eh_check *out)
{
    size_t n = wire_count(f, e->transport);
    json_t *conns = json_array();
    bool ok = (int64_t)n >= e->min && (e->max < 0 || (int64_t)n <= e->max);
    put(r, "expected ");
    bool one = put_bounds(r, e->min, e->max);
    put(r, " %s%s on the wire, got %zu", e->transport == EH_UDP ? "UDP exchange" : "TCP connection",
        one ? "" : "s", n);
    for (size_t i = 0; i < n; i++) {
        struct wire_conn w = wire_conn(f, e->transport, i);
        if (i == EVIDENCE_EVENTS) {
            put(r, ", ...");
            break;
        }
        put(r, "%s", i ? ", " : " (");
        put_conn(r, &w);
        json_array_append_new(conns, conn_json(&w));
    }
    if (n > 0)
        put(r, ")");
    const char *noun = e->transport == EH_UDP ? "exchange" : "connection";
    put(say, "the capture shows %zu %s%s", n, noun, n == 1 ? "" : "s");
    if (ok)
        put(say, ", as this scenario expects");
    else if ((int64_t)n < e->min)
        put(say, " where this scenario expects at least %" PRId64, e->min);
    else
        put(say, " where this scenario allows at most %" PRId64, e->max);
    out->verdict = ok ? EH_PASS : EH_FAIL;
    out->evidence =
        json_pack("{s:I, s:I, s:o, s:o}", "count", (json_int_t)n, "min", (json_int_t)e->min, "max",
                  e->max < 0 ? json_null() : json_integer(e->max), "connections", conns);
}

static void judge_wire_syn(const struct eh_expect *e, const struct eh_flows *f, struct text *r,
                           struct text *say, struct eh_check *out)
{
    int64_t unanswered = 0, refused = 0;
    for (size_t i = 0; i < eh_flows_tcp_count(f); i++) {
        unanswered += eh_flows_tcp(f, i)->close == EH_CLOSE_UNANSWERED;
        refused += eh_flows_tcp(f, i)->close == EH_CLOSE_REFUSED;
    }
    put(r, "expected ");
    if (e->unanswered_min >= 0)
        put(r, "at least %" PRId64 " unanswered%s", e->unanswered_min,
            e->refused_min >= 0 ? " and " : "");
    if (e->refused_min >= 0)
        put(r, "at least %" PRId64 " refused", e->refused_min);
    put(r, " connection attempts, got %" PRId64 " unanswered and %" PRId64 " refused", unanswered,
        refused);
    out->verdict = unanswered >= e->unanswered_min && refused >= e->refused_min ? EH_PASS : EH_FAIL;
    if (out->verdict == EH_PASS)
        put(say, "the capture shows the connection attempts this scenario expects to go "
                 "unanswered or refused");
    else if (unanswered < e->unanswered_min)
        put(say, "fewer connection attempts went unanswered than this scenario expects: the "
                 "server accepted (or its kernel queued) more than it should");
    else
        put(say, "fewer connection attempts were refused than this scenario expects");
    out->evidence = json_pack("{s:I, s:I}", "unanswered", (json_int_t)unanswered, "refused",
                              (json_int_t)refused);
}

/* Another exchange on the wire that sends to u's client from u's server
 * address but another port: replies sent from another socket of the
 * server, which the analysis sees as an exchange of their own. NULL: none. */
static const struct eh_udp_flow *replies_from_elsewhere(const struct eh_flows *f,
                                                        const struct eh_udp_flow *u)
{
    for (size_t i = 0; i < eh_flows_udp_count(f); i++) {
        const struct eh_udp_flow *v = eh_flows_udp(f, i);
        if (v != u && v->client.family == u->server.family &&
            memcmp(v->client.addr, u->server.addr, sizeof(v->client.addr)) == 0 &&
            v->client.port != u->server.port && v->server.family == u->client.family &&
            memcmp(v->server.addr, u->client.addr, sizeof(v->server.addr)) == 0 &&
            v->server.port == u->client.port && v->c2s.datagrams > 0)
            return v;
    }
    return NULL;
}

/* After a datagram_echo failure: where the capture shows the server's
 * replies coming from another port, says so (the client never saw them). */
static void put_replies_elsewhere(const struct eh_flows *f, struct text *say)
{
    for (size_t i = 0; f != NULL && i < eh_flows_udp_count(f); i++) {
        const struct eh_udp_flow *u = eh_flows_udp(f, i), *v = replies_from_elsewhere(f, u);
        if (u->unanswered == 0 || v == NULL)
            continue;
        put(say,
            "; the capture shows %" PRIu64 " datagram%s to the client from port %u, not %u: the "
            "server answers from another socket, and a client takes replies only from the port "
            "it sent to",
            v->c2s.datagrams, v->c2s.datagrams == 1 ? "" : "s", v->client.port, u->server.port);
        return;
    }
}

static void judge_wire_udp(const struct eh_flows *f, struct text *r, struct text *say,
                           struct eh_check *out)
{
    size_t n = eh_flows_udp_count(f), i;
    uint64_t pairs = 0;
    put(r, "expected every reply paired with a request of the same size on ");
    out->verdict = EH_PASS;
    for (i = 0; i < n && out->verdict == EH_PASS; i++) {
        struct wire_conn w = wire_conn(f, EH_UDP, i);
        const struct eh_udp_flow *u = w.udp;
        size_t k = 0, kept = u->c2s.n_sizes < u->s2c.n_sizes ? u->c2s.n_sizes : u->s2c.n_sizes;
        while (k < kept && u->c2s.sizes[k] == u->s2c.sizes[k])
            k++;
        pairs += u->pairs;
        if (u->unanswered == 0 && u->unsolicited == 0 && k == kept)
            continue;
        put_conn(r, &w);
        const struct eh_udp_flow *v = u->unanswered ? replies_from_elsewhere(f, u) : NULL;
        if (v != NULL) {
            put(r,
                ", got %" PRIu64 " unanswered request%s, and %" PRIu64 " datagram%s to the "
                "client from port %u",
                u->unanswered, u->unanswered == 1 ? "" : "s", v->c2s.datagrams,
                v->c2s.datagrams == 1 ? "" : "s", v->client.port);
            put(say,
                "%" PRIu64 " datagram%s got no reply from port %u, and %" PRIu64 " came to the "
                "client from port %u instead: the server answers from another socket, and a "
                "client takes replies only from the port it sent to (a connected UDP socket "
                "never receives the others) (RFC 862: the data is sent back in an answering "
                "datagram)",
                u->unanswered, u->unanswered == 1 ? "" : "s", u->server.port, v->c2s.datagrams,
                v->client.port);
        } else if (u->unanswered) {
            put(r, ", got %" PRIu64 " unanswered request%s", u->unanswered,
                u->unanswered == 1 ? "" : "s");
            put(say,
                "%" PRIu64 " datagram%s got no reply (RFC 862: send back each datagram "
                "received)",
                u->unanswered, u->unanswered == 1 ? "" : "s");
        } else if (u->unsolicited) {
            put(r, ", got %" PRIu64 " repl%s without a request", u->unsolicited,
                u->unsolicited == 1 ? "y" : "ies");
            put(say, "the server sent datagrams that no request asked for");
        } else {
            put(r, ", got reply %zu of %u bytes to a request of %u bytes", k + 1, u->s2c.sizes[k],
                u->c2s.sizes[k]);
            put(say,
                "reply %zu has %u bytes where its request had %u (RFC 862: send back each "
                "datagram whole, one reply per datagram)",
                k + 1, u->s2c.sizes[k], u->c2s.sizes[k]);
        }
        out->verdict = EH_FAIL;
    }
    if (out->verdict == EH_PASS) {
        put(r, "every exchange, got %" PRIu64 " pair%s in %zu exchange%s", pairs,
            pairs == 1 ? "" : "s", n, n == 1 ? "" : "s");
        put(say, "every datagram got one reply of its own size");
    }
    out->evidence = json_pack("{s:I, s:I}", "exchanges", (json_int_t)n, "pairs", (json_int_t)pairs);
}

/* True if the two logged addresses name the same endpoint: equal strings, or
 * one the IPv4-mapped form "[::ffff:a.b.c.d]:p" of the other "a.b.c.d:p". */
static bool same_addr(const char *a, const char *b)
{
    static const char mapped[] = "[::ffff:";
    const size_t n = sizeof(mapped) - 1;
    if (strcmp(a, b) == 0)
        return true;
    if (strncmp(b, mapped, n) == 0) {
        const char *t = a;
        a = b;
        b = t;
    }
    if (strncmp(a, mapped, n) != 0 || strchr(b, '[') != NULL)
        return false;
    const char *close = strstr(a + n, "]:");
    size_t host = close ? (size_t)(close - (a + n)) : 0;
    return close && strncmp(a + n, b, host) == 0 && b[host] == ':' &&
           strcmp(close + 2, b + host + 1) == 0;
}

/* The server event that saw the peer `peer`: an accept() whose raddr it is,
 * or for a datagram server (no accept at all) a recvfrom() from it. */
static const json_t *server_peer(const json_t *events, const char *call, const char *peer)
{
    size_t i;
    json_t *ev;
    json_array_foreach(events, i, ev)
    {
        const char *raddr = str_of(ev, "raddr");
        if (call_is(ev, call) && raddr && same_addr(raddr, peer))
            return ev;
    }
    return NULL;
}

static json_t *nth_with_raddr(const json_t *events, const char *call, size_t nth)
{
    size_t i, seen = 0;
    json_t *ev, *last = NULL;
    json_array_foreach(events, i, ev)
    {
        if (call_is(ev, call) && str_of(ev, "raddr")) {
            last = ev;
            if (seen++ == nth)
                return ev;
        }
    }
    return last;
}

static void judge_mirror(const json_t *sev, const json_t *cev, struct text *r, struct text *say,
                         struct eh_check *out)
{
    const char *call = nth_with_raddr(sev, "accept", 0) ? "accept" : "recvfrom";
    json_t *pairs = json_array();
    size_t n = 0, i;
    json_t *ev;
    const char *cl0 = NULL, *cr0 = NULL, *sl0 = NULL; /* the first pair, for the reason */
    out->verdict = EH_PASS;
    json_array_foreach(cev, i, ev)
    {
        const char *cl = str_of(ev, "laddr"), *cr = str_of(ev, "raddr");
        if (!call_is(ev, "connect") || cl == NULL || cr == NULL)
            continue;
        const json_t *s = server_peer(sev, call, cl);
        if (s == NULL) {
            const json_t *other = nth_with_raddr(sev, call, n);
            put(say,
                "the server's %s() saw another client address than the client's "
                "getsockname() reported",
                call);
            if (other)
                put(r, "expected %s() peer %s (the client's getsockname()), got %s", call, cl,
                    str_of(other, "raddr"));
            else
                put(r,
                    "expected a server %s() from the client's address %s, got no server "
                    "%s() event",
                    call, cl, call);
            out->verdict = EH_FAIL;
            break;
        }
        const char *sl = str_of(s, "laddr");
        if (sl && !same_addr(sl, cr)) {
            put(say, "the server's local address is not the one the client connected to");
            put(r,
                "expected server %s() local address %s (the client's connect() remote "
                "address), got %s",
                call, cr, sl);
            out->verdict = EH_FAIL;
            break;
        }
        if (n == 0) {
            cl0 = cl;
            cr0 = cr;
            sl0 = sl;
        }
        if (n++ < EVIDENCE_EVENTS)
            json_array_append_new(pairs, json_pack("{s:s, s:s, s:s?, s:s}", "client_laddr", cl,
                                                   "client_raddr", cr, "server_laddr", sl,
                                                   "server_raddr", cl));
    }
    if (out->verdict == EH_PASS && n == 0) {
        put(r, "expected a client connect() with local and remote addresses, got none in the "
               "client's event log");
        put(say, "the client's log has no connect() with its addresses");
        out->verdict = EH_FAIL;
    } else if (out->verdict == EH_PASS) {
        put(say, "the two ends mirror each other: each one's local address is the other's "
                 "remote address");
        put(r, "expected %s() peer to equal client getsockname() and local/remote mirrored, got ",
            call);
        if (n > 1)
            put(r, "%zu connections, each mirrored", n);
        else if (sl0)
            put(r, "client %s -> %s, server %s() %s <- %s", cl0, cr0, call, sl0, cl0);
        else
            put(r, "client %s -> %s, server %s() from %s", cl0, cr0, call, cl0);
    }
    out->evidence = json_pack("{s:s, s:I, s:o}", "server_call", call, "connections", (json_int_t)n,
                              "pairs", pairs);
}

/* ---- how the roles start and end ---- */

/* Whether the wire shows what client_ends says the client met. */
static bool client_premise(const struct eh_expect *e, const struct eh_flows *f)
{
    size_t n = wire_count(f, e->transport);
    for (size_t i = 0; i < n; i++) {
        struct wire_conn w = wire_conn(f, e->transport, i);
        switch (e->after) {
        case EH_AFTER_ECHO:
            if (w.echo->verdict == EH_WIRE_EXACT)
                return true;
            break;
        case EH_AFTER_SERVER_CLOSE:
            if (w.tcp->closed && w.tcp->first_close_by == EH_SIDE_SERVER)
                return true;
            break;
        case EH_AFTER_REFUSED:
            if (w.tcp->close == EH_CLOSE_REFUSED)
                return true;
            break;
        case EH_AFTER_NO_REPLY:
            if (w.udp->c2s.datagrams > 0 && w.udp->s2c.datagrams == 0)
                return true;
            break;
        }
    }
    return false;
}

static const char *const premise_text[] = {
    [EH_AFTER_ECHO] = "the whole echo back on the wire",
    [EH_AFTER_SERVER_CLOSE] = "the server closing first (its FIN before the client's)",
    [EH_AFTER_REFUSED] = "a refused connection attempt (SYN answered by RST)",
    [EH_AFTER_NO_REPLY] = "a datagram that got no reply",
};

static bool status_ok(enum eh_exit_status st, int code)
{
    switch (st) {
    case EH_STATUS_ZERO:
        return code == 0;
    case EH_STATUS_NONZERO:
        return code != 0;
    case EH_STATUS_ANY:
        return true;
    }
    return false;
}

/* The failure of a client that was still running when the harness stopped it. */
static void put_still_running(struct text *r, enum eh_client_after after, double s)
{
    switch (after) {
    case EH_AFTER_REFUSED:
        put(r,
            "the client was still trying after %.1f s on a refused connection; a client should "
            "report ECONNREFUSED and exit non-zero",
            s);
        break;
    case EH_AFTER_SERVER_CLOSE:
        put(r,
            "the client was still running %.1f s after it started, though the server had closed "
            "the connection (FIN); recv() returning 0 is the end of the stream (recv(2)): a "
            "client should stop reading and exit",
            s);
        break;
    case EH_AFTER_ECHO:
        put(r,
            "the client was still running %.1f s after it started, though the whole echo had "
            "come back; a client should close and exit once it has its echo (the server waits "
            "for the client to close first)",
            s);
        break;
    case EH_AFTER_NO_REPLY:
        put(r,
            "the client was still waiting after %.1f s for the reply to a datagram that got "
            "none; UDP does not guarantee delivery (RFC 768), so a client should wait a bounded "
            "time (SO_RCVTIMEO, poll() with a timeout), then report the loss and exit non-zero",
            s);
        break;
    }
}

/* The failure of a client that exited with a status it should not have. */
static void put_wrong_status(struct text *r, const struct eh_expect *e, int code)
{
    if (e->after == EH_AFTER_REFUSED && code == 0)
        put(r, "the client exited 0 on a refused connection; a client should report "
               "ECONNREFUSED and exit non-zero");
    else if (e->after == EH_AFTER_NO_REPLY && code == 0)
        put(r, "the client exited 0 though its datagram got no reply; a client should report "
               "the loss and exit non-zero");
    else if (e->after == EH_AFTER_ECHO && e->status == EH_STATUS_ZERO)
        put(r,
            "the client exited with status %d after a complete echo; a client should exit 0 "
            "when the exchange went as planned",
            code);
    else
        put(r, "expected the client to exit with %s status after %s, got exit code %d",
            eh_exit_status_name(e->status), premise_text[e->after], code);
}

static void judge_client_ends(const struct eh_expect *e, const struct eh_observation *obs,
                              const struct eh_flows *f, struct text *r, struct text *say,
                              struct eh_check *out)
{
    const struct eh_proc_obs *p = &obs->roles[EH_CLIENT];
    int64_t within_ms = eh_scaled_ms(e->within_ms);
    double s = (double)p->runtime_us / 1e6;
    put(r, "expected the client to end within %" PRId64 " ms after %s with %s exit status, got ",
        within_ms, premise_text[e->after], eh_exit_status_name(e->status));
    if (!client_premise(e, f)) {
        put(say, "how the client ends cannot be judged: the capture does not show %s",
            premise_text[e->after]);
        put(r, "no such thing on the wire");
        out->verdict = EH_ERROR;
        return;
    }
    put_end(r, p);
    if (!p->stopped_by_harness && p->term_signal == 0)
        put(r, " after %" PRId64 " ms", p->runtime_us / 1000);
    out->verdict = EH_FAIL;
    if (p->stopped_by_harness)
        put_still_running(say, e->after, s);
    else if (p->term_signal > 0)
        put(say, "the client was killed by %s after %s instead of ending on its own",
            eh_signal_name(p->term_signal), premise_text[e->after]);
    else if (!status_ok(e->status, p->exit_code))
        put_wrong_status(say, e, p->exit_code);
    else if (p->runtime_us > within_ms * 1000)
        put(say, "the client took %.1f s to end after %s; it should end at once", s,
            premise_text[e->after]);
    else {
        put(say, "the client ended on its own after %s, as it should", premise_text[e->after]);
        out->verdict = EH_PASS;
    }
    out->evidence = proc_evidence("client", p);
    json_object_set_new(out->evidence, "runtime_ms", json_integer(p->runtime_us / 1000));
    json_object_set_new(out->evidence, "within_ms", json_integer(within_ms));
    json_object_set_new(out->evidence, "after", json_string(eh_client_after_name(e->after)));
}

/* The port of the server's last "ready" event (getsockname() after bind); -1 if none. */
static long ready_port(const json_t *events)
{
    long port = -1;
    size_t i;
    json_t *ev;
    json_array_foreach(events, i, ev)
    {
        const char *laddr = str_of(ev, "laddr");
        if (call_is(ev, "ready") && laddr != NULL)
            port = addr_port(laddr);
    }
    return port;
}

static void judge_server_port(const struct eh_observation *obs, const json_t *events,
                              struct text *r, struct text *say, struct eh_check *out)
{
    long port = ready_port(events);
    size_t n = obs->wire ? wire_count(obs->wire, EH_TCP) + wire_count(obs->wire, EH_UDP) : 0;
    size_t other = 0;
    for (size_t i = 0; i < n; i++) {
        bool udp = i >= wire_count(obs->wire, EH_TCP);
        size_t k = udp ? i - wire_count(obs->wire, EH_TCP) : i;
        struct wire_conn w = wire_conn(obs->wire, udp ? EH_UDP : EH_TCP, k);
        other += w.server->port != port;
    }
    put(r,
        "expected the port the server reported (its ready event, from getsockname()) in "
        "%d..%d (ip_local_port_range%s) and every connection to it, got ",
        obs->port_lo, obs->port_hi, window_note(obs));
    bool ok = port > 0 && port >= obs->port_lo && port <= obs->port_hi && other == 0;
    if (port < 0) {
        put(r, "no ready event with an address in the server's event log");
        put(say, "the server never reported the address it was bound to");
    } else if (port == 0) {
        put(r, "port 0, %zu connection%s", n, n == 1 ? "" : "s");
        put(say, "the server reported port 0, the port it asked bind() for, not the one the "
                 "kernel chose: getsockname() after bind() tells which");
    } else if (other > 0) {
        put(r, "port %ld, and %zu of %zu connections to another port", port, other, n);
        put(say, "the server reported port %ld, but the client connected to another", port);
    } else {
        put(r, "port %ld, %zu connection%s to it", port, n, n == 1 ? "" : "s");
        put(say,
            ok ? "the kernel chose port %ld from the ephemeral range for bind() to port 0, and "
                 "the server reported it with getsockname()"
               : "the server's port %ld is not one the kernel picks for port 0: it lies outside "
                 "the ephemeral range",
            port);
    }
    out->verdict = ok ? EH_PASS : EH_FAIL;
    out->evidence = json_pack("{s:[i, i], s:I, s:I, s:I}", "range", obs->port_lo, obs->port_hi,
                              "port", (json_int_t)port, "connections", (json_int_t)n,
                              "to_another_port", (json_int_t)other);
}

/* The client reset the connection: a FIN then RST at late data, or RST alone. */
static bool client_reset(const struct eh_tcp_conn *c)
{
    return c->close == EH_CLOSE_CLIENT_RESET || c->close == EH_CLOSE_CLIENT_ABORT;
}

static void judge_wire_client_reads_echo(const struct eh_flows *f, struct text *r, struct text *say,
                                         struct eh_check *out)
{
    size_t n = eh_flows_tcp_count(f), bad = 0, shown = 0;
    for (size_t i = 0; i < n; i++)
        if (client_reset(eh_flows_tcp(f, i)) && bad++ == 0)
            shown = i;
    const struct eh_tcp_conn *c = eh_flows_tcp(f, shown);
    struct wire_conn w = wire_conn(f, EH_TCP, shown);
    uint64_t got = c->s2c.bytes - c->s2c.after_peer_fin_bytes, sent = c->c2s.bytes;
    put(r, "expected no RST from the client, got ");
    if (bad > 0 || n == 1) {
        put(r, "%s on ", eh_close_name(c->close));
        put_conn(r, &w);
        if (n > 1)
            put(r, ", connection %zu of %zu", shown + 1, n);
    } else {
        put(r, "%zu connections, none reset by the client", n);
    }
    if (bad == 0)
        put(say, "the client read the whole echo before it closed");
    else if (c->close == EH_CLOSE_CLIENT_RESET)
        put(say,
            "the client got %" PRIu64 " of %" PRIu64 " bytes and closed; on the wire its kernel "
            "answered the late bytes with RST (recv returns what has arrived, not the whole "
            "message: recv(2))",
            got, sent);
    else if (got >= sent)
        put(say,
            "the client reset the connection (RST without FIN) after all %" PRIu64 " bytes of "
            "the echo had come: it closed with some of them unread (recv returns what has "
            "arrived, not the whole message: recv(2)), or with SO_LINGER 0",
            sent);
    else
        put(say,
            "the client closed with bytes unread after %" PRIu64 " of %" PRIu64 " had come; "
            "its kernel reset the connection (RST) instead of closing it (recv returns what has "
            "arrived, not the whole message: recv(2))",
            got, sent);
    json_t *conn = close_json(f, shown);
    json_object_set_new(conn, "echo_bytes_before_close", json_integer((json_int_t)got));
    json_object_set_new(conn, "client_bytes", json_integer((json_int_t)sent));
    out->verdict = bad ? EH_FAIL : EH_PASS;
    out->evidence = json_pack("{s:I, s:I, s:o}", "connections", (json_int_t)n, "reset_by_client",
                              (json_int_t)bad, "connection", conn);
}

/* Judges e into r (the facts) and say (the sentence); fills out's verdict
 * and evidence. */
static void judge_kind(const struct eh_expect *e, const struct eh_observation *obs, struct text *r,
                       struct text *say, struct eh_check *out)
{
    const char *role = eh_role_name(e->who);
    const json_t *ev = NULL, *sev = NULL;
    const struct eh_flows *f = NULL;
    switch (e->kind) {
    case EH_EXPECT_EXIT:
        judge_exit(e, &obs->roles[e->who], role, r, say, out);
        break;
    case EH_EXPECT_SURVIVED:
        judge_survived(&obs->roles[e->who], role, r, say, out);
        break;
    case EH_EXPECT_EVENT:
        if (log_of(obs, e->who, r, say, out, &ev))
            judge_event(e, ev, role, r, say, out);
        break;
    case EH_EXPECT_SEQUENCE:
        if (log_of(obs, e->who, r, say, out, &ev))
            judge_sequence(e, ev, role, r, say, out);
        break;
    case EH_EXPECT_ECHO:
        if (log_of(obs, EH_CLIENT, r, say, out, &ev))
            judge_echo(e, ev, r, say, out);
        break;
    case EH_EXPECT_CLIENT_PORT:
        if (log_of(obs, EH_CLIENT, r, say, out, &ev))
            judge_client_port(obs, ev, r, say, out);
        break;
    case EH_EXPECT_MIRROR:
        if (log_of(obs, EH_SERVER, r, say, out, &sev) && log_of(obs, EH_CLIENT, r, say, out, &ev))
            judge_mirror(sev, ev, r, say, out);
        break;
    case EH_EXPECT_WIRE_ECHO:
        if (wire_of(obs, e->transport, true, r, say, out, &f))
            judge_wire_echo(e, f, r, say, out);
        break;
    case EH_EXPECT_WIRE_CLIENT_PORT:
        if (range_ready(obs, r, say, out) && wire_of(obs, e->transport, true, r, say, out, &f))
            judge_wire_client_port(e, obs, f, r, say, out);
        break;
    case EH_EXPECT_WIRE_SEGMENTS:
        if (wire_of(obs, e->transport, true, r, say, out, &f))
            judge_wire_segments(e, f, r, say, out);
        break;
    case EH_EXPECT_WIRE_CLOSE:
        if (wire_of(obs, EH_TCP, true, r, say, out, &f))
            judge_wire_close(e, f, r, say, out);
        break;
    case EH_EXPECT_WIRE_CONNECTIONS:
        if (wire_of(obs, e->transport, false, r, say, out, &f))
            judge_wire_connections(e, f, r, say, out);
        break;
    case EH_EXPECT_WIRE_SYN:
        if (wire_of(obs, EH_TCP, false, r, say, out, &f))
            judge_wire_syn(e, f, r, say, out);
        break;
    case EH_EXPECT_WIRE_UDP:
        if (wire_of(obs, EH_UDP, true, r, say, out, &f))
            judge_wire_udp(f, r, say, out);
        break;
    case EH_EXPECT_CLIENT_ENDS:
        if (proc_ready(&obs->roles[EH_CLIENT], "client", r, say, out) &&
            wire_of(obs, e->transport, false, r, say, out, &f))
            judge_client_ends(e, obs, f, r, say, out);
        break;
    case EH_EXPECT_SERVER_PORT:
        if (range_ready(obs, r, say, out) && log_of(obs, EH_SERVER, r, say, out, &sev))
            judge_server_port(obs, sev, r, say, out);
        break;
    case EH_EXPECT_WIRE_CLIENT_READS_ECHO:
        if (wire_of(obs, EH_TCP, true, r, say, out, &f))
            judge_wire_client_reads_echo(f, r, say, out);
        break;
    case EH_EXPECT_CONN_ECHO:
    case EH_EXPECT_CLIENTS_SERVED:
    case EH_EXPECT_CLIENTS_CONCURRENT:
    case EH_EXPECT_DATAGRAM_ECHO:
        if (log_of(obs, EH_CLIENT, r, say, out, &ev)) {
            eh__judge_conns(e, ev, out); /* its reason is the sentence, facts inside */
            put(say, "%s", out->reason);
            if (e->kind == EH_EXPECT_DATAGRAM_ECHO && out->verdict == EH_FAIL)
                put_replies_elsewhere(obs->wire, say);
        }
        break;
    case EH_EXPECT_SERVER_FDS:
    case EH_EXPECT_SERVER_RUNNING:
        eh__judge_server_watch(e, obs, out);
        put(say, "%s", out->reason);
        break;
    }
}

void eh_judge(const struct eh_expect *e, const struct eh_observation *obs, struct eh_check *out)
{
    char facts[sizeof(out->reason)], sentence[sizeof(out->reason)];
    struct text r = {facts, sizeof(facts), 0}, say = {sentence, sizeof(sentence), 0};
    facts[0] = sentence[0] = '\0';
    out->verdict = EH_ERROR;
    out->evidence = NULL;
    judge_kind(e, obs, &r, &say, out);
    if (sentence[0] == '\0' || facts[0] == '\0')
        snprintf(out->reason, sizeof(out->reason), "%s", sentence[0] ? sentence : facts);
    else
        snprintf(out->reason, sizeof(out->reason), "%s (%s)", sentence, facts);
}

bool eh_events_stream(const json_t *events, bool sent, unsigned char **buf, size_t *len)
{
    unsigned char *out = NULL;
    size_t n = 0, cap = 0, i;
    json_t *ev;
    *buf = NULL;
    *len = 0;
    json_array_foreach(events, i, ev)
    {
        bool is_send = call_is(ev, "send") || call_is(ev, "sendto");
        bool is_recv = call_is(ev, "recv") || call_is(ev, "recvfrom");
        int64_t ret;
        if (!(sent ? is_send : is_recv) || json_object_get(ev, "skipped") ||
            !int_of(ev, "ret", &ret) || ret <= 0)
            continue;
        const char *hex = str_of(ev, "data");
        if (hex == NULL || json_is_true(json_object_get(ev, "data_truncated")) ||
            strlen(hex) < 2 * (size_t)ret)
            goto fail;
        if (n + (size_t)ret > cap) {
            cap = (n + (size_t)ret) * 2;
            unsigned char *p = realloc(out, cap);
            if (p == NULL)
                goto fail;
            out = p;
        }
        if (!eh_hex_decode(hex, (size_t)ret, out + n, NULL))
            goto fail;
        n += (size_t)ret;
    }
    *buf = out;
    *len = n;
    return true;
fail:
    free(out);
    return false;
}

enum eh_verdict eh_combine(enum eh_verdict run_verdict, const struct eh_check *checks, size_t n)
{
    if (run_verdict != EH_PASS)
        return run_verdict;
    size_t counts[EH_VERDICT_COUNT] = {0};
    for (size_t i = 0; i < n; i++)
        counts[checks[i].verdict]++;
    if (counts[EH_FAIL])
        return EH_FAIL;
    if (counts[EH_ERROR])
        return EH_ERROR;
    if (counts[EH_TIMED_OUT])
        return EH_TIMED_OUT;
    if (n > 0 && counts[EH_SKIP] == n)
        return EH_SKIP;
    return EH_PASS;
}

void eh_observation_clear(struct eh_observation *obs)
{
    for (int i = 0; i < EH_ROLE_COUNT; i++) {
        json_decref(obs->roles[i].events);
        obs->roles[i].events = NULL;
    }
}
