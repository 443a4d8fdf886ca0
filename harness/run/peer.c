/* peer.c - the harness's own scripted client.
 *
 * Runs a scenario's client steps and records every socket call as an event
 * (scenarios/README.md "Event log"). Sockets are non-blocking from socket()
 * on, and every call that could block first polls with the time left: the
 * events are those of a blocking program (one per call, elapsed_us including
 * the wait), but nothing waits past a deadline. The deadline is the
 * scenario's, or a step's own timeout_ms when that comes first. A deadline
 * reached while waiting is logged as the call failing,
 * {"call":"recv",...,"ret":-1,"errno":"ETIMEDOUT","timeout":true}; the
 * scenario's ends the run with EH_TIMEOUT, a step's only that step.
 *
 * The one-at-a-time steps (connect, send, recv, shutdown_write, close,
 * abort, nodelay, stream) use the current connection; clients opens
 * connections of its own (peer_flow.c); repeat runs its steps again. Every
 * socket has a connection record (peer_int.h) and every event of it carries
 * "conn": its number, from 1.
 *
 * Besides the calls themselves the log holds: {"call":"<step>","skipped":
 * "not connected"} for a step that needs a socket when none is open, and a
 * conn_end summary before a connected TCP socket is closed: how it ended
 * ("reason": the first error of a send or recv on it, "eof", "timeout", or
 * "done") and how the echo went (sent, received, matched, ...). An abortive
 * close is logged as {"call":"setsockopt","option":"SO_LINGER","l_onoff":1,
 * "l_linger":0} followed by the close. sleep steps and pauses are not socket
 * calls and are not logged; an await_server step is logged as
 * {"call":"await","who":"server","matched":...,"elapsed_us":...}, so that
 * the log shows where the client waited for the server, and a pause_server
 * step as {"call":"pause",...} before its steps and {"call":"resume",...}
 * after them.
 */
#include "peer.h"
#include "peer_int.h"

#include "addr.h"
#include "evlog_read.h"
#include "verdict.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RECV_CHUNK_BYTES 65536         /* buffer of "exactly" and "until_eof" reads */
#define KEEP_MAX_BYTES (64u << 20)     /* sent bytes kept over every record, about */
#define MATCH_MIN_BYTES 8              /* a window shorter than this is not searched */
#define AWAIT_POLL_MS 2                /* await_server: how often the server's log is read */
#define AWAIT_LOG_MAX_BYTES (8u << 20) /* await_server: how much of it */
#define PAUSE_WAIT_MS 1000             /* pause_server: the stop's limit, before the scale */
#define PAUSE_POLL_MS 1                /* pause_server: how often the stop is looked for */

void eh__peer_event(struct eh__peer *p, struct eh_ev *ev, const char *call,
                    const struct eh__conn *c)
{
    eh_ev_begin_in(ev, p->log, call);
    if (c != NULL && c->fd >= 0)
        eh_ev_int(ev, "fd", c->fd);
    if (c != NULL)
        eh_ev_int(ev, "conn", c->id);
}

int64_t eh__step_deadline(const struct eh__peer *p, const struct eh_step *st)
{
    if (st->timeout_ms <= 0)
        return p->deadline_us;
    int64_t d = eh_now_us() + eh_scaled_ms(st->timeout_ms) * 1000;
    return d < p->deadline_us ? d : p->deadline_us;
}

bool eh__wait_fd(int fd, short what, int64_t deadline_us)
{
    for (;;) {
        int64_t left_us = deadline_us - eh_now_us();
        if (left_us > (int64_t)INT_MAX * 1000)
            left_us = (int64_t)INT_MAX * 1000;
        struct pollfd pfd = {.fd = fd, .events = what};
        int r = poll(&pfd, 1, left_us > 0 ? (int)((left_us + 999) / 1000) : 0);
        if (r > 0 || (r < 0 && errno != EINTR))
            return true;
        if (r == 0 && eh_now_us() >= deadline_us)
            return false;
    }
}

eh_status eh__peer_sleep_until(struct eh__peer *p, int64_t until, const struct eh_step *st,
                               struct eh_error *err)
{
    bool cut = until > p->deadline_us;
    if (cut)
        until = p->deadline_us;
    struct timespec ts = {.tv_sec = until / 1000000, .tv_nsec = (until % 1000000) * 1000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
    if (!cut)
        return EH_OK;
    eh_error_set(err, "%s: the deadline passed during %s", st->path, eh_step_name(st->kind));
    return EH_TIMEOUT;
}

eh_status eh__peer_timed_out(struct eh__peer *p, struct eh__conn *c, struct eh_ev *ev,
                             int64_t start_us, const struct eh_step *st, struct eh_error *err)
{
    eh_ev_result(ev, -1, ETIMEDOUT);
    eh_ev_bool(ev, "timeout", true);
    eh_ev_int(ev, "elapsed_us", eh_now_us() - start_us);
    eh_ev_end(ev);
    eh__conn_note_end(c, "timeout");
    if (eh_now_us() < p->deadline_us)
        return EH_OK;
    eh_error_set(err, "%s: the deadline passed during %s", st->path, eh_step_name(st->kind));
    return EH_TIMEOUT;
}

/* ---- connection records ---- */

void eh__conn_note_end(struct eh__conn *c, const char *reason)
{
    if (c != NULL && c->connected && c->reason[0] == '\0')
        snprintf(c->reason, sizeof(c->reason), "%s", reason);
}

void eh__conn_sent(struct eh__peer *p, struct eh__conn *c, const unsigned char *b, size_t n)
{
    bool kept = c->sent != NULL || c->n_sent == 0; /* not released yet */
    if (n == 0)
        return;
    if (kept && c->n_sent + n > c->cap_sent) {
        size_t cap = c->cap_sent ? c->cap_sent : 4096;
        while (cap < c->n_sent + n)
            cap *= 2;
        unsigned char *bigger = realloc(c->sent, cap);
        if (bigger == NULL) { /* released: the summary then says less */
            p->kept_bytes -= c->n_sent;
            free(c->sent);
            c->sent = NULL;
            kept = false;
        } else {
            c->sent = bigger;
            c->cap_sent = cap;
        }
    }
    if (kept) {
        memcpy(c->sent + c->n_sent, b, n);
        p->kept_bytes += n;
    }
    c->n_sent += n;
}

void eh__conn_received(struct eh__conn *c, const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t off = c->n_recv + i;
        if (!c->differs && off == c->matched && c->sent != NULL && off < c->n_sent &&
            c->sent[off] == b[i]) {
            c->matched++;
            continue;
        }
        c->differs = true;
        if (c->n_window < EH__PEER_WINDOW)
            c->window[c->n_window++] = b[i];
    }
    c->n_recv += n;
}

/* Where the window of c's first difference appears in s (len bytes), or -1. */
static int64_t find_window(const struct eh__conn *c, const unsigned char *s, size_t len)
{
    if (s == NULL || c->n_window < MATCH_MIN_BYTES)
        return -1;
    const unsigned char *at = memmem(s, len, c->window, c->n_window);
    return at ? at - s : -1;
}

/* The summary fields of conn_end (scenarios/README.md "Event log"). */
static void put_summary(const struct eh__peer *p, const struct eh__conn *c, struct eh_ev *ev)
{
    eh_ev_int(ev, "sent", (int64_t)c->n_sent);
    eh_ev_int(ev, "received", (int64_t)c->n_recv);
    eh_ev_int(ev, "matched", (int64_t)c->matched);
    if (!c->differs)
        return;
    if (c->matched < c->n_sent && c->sent != NULL)
        eh_ev_int(ev, "expected", c->sent[c->matched]);
    eh_ev_int(ev, "got", c->window[0]);
    int64_t at = find_window(c, c->sent, c->n_sent);
    if (at >= 0) {
        eh_ev_int(ev, "resumes_at", at);
        return;
    }
    for (size_t i = 0; i < p->n_conns; i++) {
        const struct eh__conn *o = p->conns[i];
        if (o != c && (at = find_window(c, o->sent, o->n_sent)) >= 0) {
            eh_ev_int(ev, "from_conn", o->id);
            eh_ev_int(ev, "from_offset", at);
            return;
        }
    }
}

void eh__conn_close(struct eh__peer *p, struct eh__conn *c)
{
    if (c == NULL || c->fd < 0)
        return;
    struct eh_ev ev;
    if (c->connected && p->type == SOCK_STREAM) {
        eh__peer_event(p, &ev, "conn_end", c);
        eh_ev_str(&ev, "reason", c->reason[0] ? c->reason : "done");
        put_summary(p, c, &ev);
        eh_ev_end(&ev);
    }
    int r = close(c->fd);
    int e = errno;
    eh__peer_event(p, &ev, "close", c);
    eh_ev_result(&ev, r, e);
    eh_ev_end(&ev);
    c->fd = -1;
    if (c == p->cur)
        p->cur = NULL;
    if (p->kept_bytes > KEEP_MAX_BYTES && c->sent != NULL) {
        p->kept_bytes -= c->n_sent;
        free(c->sent);
        c->sent = NULL;
    }
}

/* A new record, added to the run's list; NULL when memory ran out. */
static struct eh__conn *conn_new(struct eh__peer *p, int fd)
{
    if (p->n_conns == p->cap_conns) {
        size_t cap = p->cap_conns ? 2 * p->cap_conns : 16;
        struct eh__conn **v = realloc(p->conns, cap * sizeof(*v));
        if (v == NULL)
            return NULL;
        p->conns = v;
        p->cap_conns = cap;
    }
    struct eh__conn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->id = (int)p->n_conns + 1;
    c->fd = fd;
    p->conns[p->n_conns++] = c;
    return c;
}

struct eh__conn *eh__conn_open(struct eh__peer *p, int64_t deadline_us, const struct eh_step *st,
                               eh_status *status, struct eh_error *err)
{
    *status = EH_OK;
    int fd = socket(p->addr.ss_family, p->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int e = errno;
    struct eh__conn *c = fd >= 0 ? conn_new(p, fd) : NULL;
    struct eh_ev ev;
    eh__peer_event(p, &ev, "socket", NULL);
    if (c != NULL)
        eh_ev_int(&ev, "conn", c->id);
    eh_ev_result(&ev, fd, e);
    eh_ev_str(&ev, "family", p->addr.ss_family == AF_INET6 ? "AF_INET6" : "AF_INET");
    eh_ev_str(&ev, "type", p->type == SOCK_DGRAM ? "SOCK_DGRAM" : "SOCK_STREAM");
    eh_ev_end(&ev);
    if (c == NULL) {
        if (fd >= 0) {
            close(fd);
            eh_error_set(err, "%s: out of memory for a connection record", st->path);
            *status = EH_ERR;
        }
        return NULL;
    }
    int64_t start = eh_now_us();
    int r = connect(fd, (const struct sockaddr *)&p->addr, p->addr_len);
    e = errno;
    if (r < 0 && e == EINPROGRESS) {
        if (!eh__wait_fd(fd, POLLOUT, deadline_us)) {
            eh__peer_event(p, &ev, "connect", c);
            *status = eh__peer_timed_out(p, c, &ev, start, st, err);
            eh__conn_close(p, c);
            return c;
        }
        socklen_t len = sizeof(e);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
            e = errno;
        r = e ? -1 : 0;
    }
    eh__peer_event(p, &ev, "connect", c);
    eh_ev_result(&ev, r, e);
    if (r == 0)
        eh_ev_sock_addrs(&ev, fd);
    eh_ev_int(&ev, "elapsed_us", eh_now_us() - start);
    eh_ev_end(&ev);
    if (r < 0)
        eh__conn_close(p, c);
    else
        c->connected = true;
    return c;
}

/* ---- the one-at-a-time steps ---- */

static eh_status step_connect(struct eh__peer *p, const struct eh_step *st, struct eh_error *err)
{
    eh_status status;
    eh__conn_close(p, p->cur);
    struct eh__conn *c = eh__conn_open(p, eh__step_deadline(p, st), st, &status, err);
    if (c != NULL && c->fd >= 0)
        p->cur = c;
    return status;
}

/* One send() loop over b: until every byte went or one call failed; on UDP
 * one send(), one datagram. Returns EH_OK, or EH_TIMEOUT. */
static eh_status send_all(struct eh__peer *p, const unsigned char *b, size_t len,
                          const struct eh_step *st, bool *failed, struct eh_error *err)
{
    struct eh__conn *c = p->cur;
    size_t off = 0;
    int64_t start = eh_now_us();
    for (;;) {
        size_t size = len - off;
        const unsigned char *at = b ? b + off : NULL;
        struct eh_ev ev;
        if (!eh__wait_fd(c->fd, POLLOUT, p->deadline_us)) {
            eh__peer_event(p, &ev, "send", c);
            eh_ev_int(&ev, "size", (int64_t)size);
            return eh__peer_timed_out(p, c, &ev, start, st, err);
        }
        ssize_t n = send(c->fd, at, size, MSG_NOSIGNAL);
        int e = errno;
        if (n < 0 && (e == EAGAIN || e == EINTR))
            continue;
        eh__peer_event(p, &ev, "send", c);
        eh_ev_int(&ev, "size", (int64_t)size);
        eh_ev_result(&ev, n, e);
        eh_ev_data(&ev, at, n);
        eh_ev_int(&ev, "elapsed_us", eh_now_us() - start);
        eh_ev_end(&ev);
        if (n < 0) {
            eh__conn_note_end(c, eh_errno_name(e));
            *failed = true;
            return EH_OK;
        }
        eh__conn_sent(p, c, at, (size_t)n);
        off += (size_t)n;
        if (n == 0 || off >= len)
            return EH_OK;
        start = eh_now_us();
    }
}

/* send: the bytes whole, or in the pieces of "chunk" (cycled) with pause_ms
 * after each; on UDP each piece is one datagram. */
static eh_status step_send(struct eh__peer *p, const struct eh_step *st, struct eh_error *err)
{
    size_t off = 0;
    bool failed = false;
    unsigned char *owned;
    const unsigned char *data = eh_step_bytes(st, &owned);
    if (data == NULL && st->data_len > 0) {
        eh_error_set(err, "%s: out of memory for %zu bytes", st->path, st->data_len);
        return EH_ERR;
    }
    eh_status s = EH_OK;
    for (size_t i = 0; s == EH_OK && !failed && (i == 0 || off < st->data_len); i++) {
        size_t piece = st->n_chunks ? st->chunks[i % st->n_chunks] : st->data_len;
        if (piece > st->data_len - off)
            piece = st->data_len - off;
        if (i > 0 && st->pause_ms > 0) {
            s = eh__peer_sleep_until(p, eh_now_us() + eh_scaled_ms(st->pause_ms) * 1000, st, err);
            if (s != EH_OK)
                break;
        }
        s = send_all(p, data ? data + off : NULL, piece, st, &failed, err);
        off += piece;
    }
    free(owned);
    return s;
}

/* One recv (up_to), or recv until N bytes (exactly) or until 0 (until_eof),
 * stopping at EOF or an error. On UDP, 0 is an empty datagram and also stops. */
static eh_status step_recv(struct eh__peer *p, const struct eh_step *st, struct eh_error *err)
{
    struct eh__conn *c = p->cur;
    size_t want = st->recv_bytes, got = 0, cap = RECV_CHUNK_BYTES;
    if (st->recv_mode == EH_RECV_UP_TO || (st->recv_mode == EH_RECV_EXACTLY && want < cap))
        cap = want;
    unsigned char *buf = malloc(cap ? cap : 1);
    if (buf == NULL) {
        eh_error_set(err, "%s: out of memory for a %zu-byte buffer", st->path, cap);
        return EH_ERR;
    }
    eh_status status = EH_OK;
    int64_t deadline = eh__step_deadline(p, st), start = eh_now_us();
    while (st->recv_mode != EH_RECV_EXACTLY || got < want) {
        size_t size = st->recv_mode == EH_RECV_EXACTLY && want - got < cap ? want - got : cap;
        struct eh_ev ev;
        if (!eh__wait_fd(c->fd, POLLIN, deadline)) {
            eh__peer_event(p, &ev, "recv", c);
            eh_ev_int(&ev, "size", (int64_t)size);
            status = eh__peer_timed_out(p, c, &ev, start, st, err);
            break;
        }
        ssize_t n = recv(c->fd, buf, size, 0);
        int e = errno;
        if (n < 0 && (e == EAGAIN || e == EINTR))
            continue;
        eh__peer_event(p, &ev, "recv", c);
        eh_ev_int(&ev, "size", (int64_t)size);
        eh_ev_result(&ev, n, e);
        eh_ev_data(&ev, buf, n);
        eh_ev_int(&ev, "elapsed_us", eh_now_us() - start);
        eh_ev_end(&ev);
        if (n > 0)
            eh__conn_received(c, buf, (size_t)n);
        if (n < 0)
            eh__conn_note_end(c, eh_errno_name(e));
        else if (n == 0 && p->type == SOCK_STREAM)
            eh__conn_note_end(c, "eof");
        if (n <= 0 || st->recv_mode == EH_RECV_UP_TO)
            break;
        got += (size_t)n;
        start = eh_now_us();
    }
    free(buf);
    return status;
}

static void step_shutdown_write(struct eh__peer *p)
{
    int r = shutdown(p->cur->fd, SHUT_WR);
    int e = errno;
    struct eh_ev ev;
    eh__peer_event(p, &ev, "shutdown", p->cur);
    eh_ev_str(&ev, "how", "SHUT_WR");
    eh_ev_result(&ev, r, e);
    eh_ev_end(&ev);
}

/* Logs setsockopt(level, option, value) on the current socket. */
static void set_option(struct eh__peer *p, int level, const char *level_name, int option,
                       const char *option_name, const void *value, socklen_t len)
{
    int r = setsockopt(p->cur->fd, level, option, value, len);
    int e = errno;
    struct eh_ev ev;
    eh__peer_event(p, &ev, "setsockopt", p->cur);
    eh_ev_str(&ev, "level", level_name);
    eh_ev_str(&ev, "option", option_name);
    if (option == SO_LINGER && level == SOL_SOCKET) {
        eh_ev_int(&ev, "l_onoff", ((const struct linger *)value)->l_onoff);
        eh_ev_int(&ev, "l_linger", ((const struct linger *)value)->l_linger);
    } else {
        eh_ev_int(&ev, "value", *(const int *)value);
    }
    eh_ev_result(&ev, r, e);
    eh_ev_end(&ev);
}

/* SO_LINGER {1, 0} then close(): the kernel sends RST instead of FIN. */
static void step_abort(struct eh__peer *p)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    set_option(p, SOL_SOCKET, "SOL_SOCKET", SO_LINGER, "SO_LINGER", &lg, sizeof(lg));
    eh__conn_close(p, p->cur);
}

static void step_nodelay(struct eh__peer *p)
{
    int on = 1;
    set_option(p, IPPROTO_TCP, "IPPROTO_TCP", TCP_NODELAY, "TCP_NODELAY", &on, sizeof(on));
}

static eh_status step_sleep(struct eh__peer *p, const struct eh_step *st, struct eh_error *err)
{
    if (st->sleep_ms <= 0)
        return EH_OK;
    return eh__peer_sleep_until(p, eh_now_us() + eh_scaled_ms(st->sleep_ms) * 1000, st, err);
}

/* True if the server's log holds an entry that m matches. */
static bool server_logged(const struct eh__peer *p, const struct eh_match *m)
{
    json_t *events = eh_evlog_read(p->server_log, AWAIT_LOG_MAX_BYTES);
    size_t i;
    json_t *ev;
    bool found = false;
    json_array_foreach(events, i, ev) found = found || eh_event_matches(m, ev);
    json_decref(events);
    return found;
}

/* await_server: see eh_peer_run_awaiting(). */
static eh_status step_await(struct eh__peer *p, const struct eh_step *st, struct eh_error *err)
{
    struct eh_ev ev;
    eh__peer_event(p, &ev, "await", NULL);
    eh_ev_str(&ev, "who", "server");
    if (p->server_log == NULL) {
        eh_ev_str(&ev, "skipped", "the server keeps no event log");
        eh_ev_end(&ev);
        return EH_OK;
    }
    int64_t start = eh_now_us(), until = start + eh_scaled_ms(st->sleep_ms) * 1000;
    bool cut = until > p->deadline_us, matched;
    if (cut)
        until = p->deadline_us;
    while (!(matched = server_logged(p, st->await)) && eh_now_us() < until) {
        struct timespec ts = {0, AWAIT_POLL_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
    eh_ev_bool(&ev, "matched", matched);
    eh_ev_int(&ev, "elapsed_us", eh_now_us() - start);
    eh_ev_end(&ev);
    if (matched || !cut)
        return EH_OK;
    eh_error_set(err, "%s: the deadline passed during await_server", st->path);
    return EH_TIMEOUT;
}

/* pause_server: waits until the server, our child, has stopped (every
 * thread: the stop is reported once the whole process has stopped), at
 * most until `until`. True when it has; false when it ended first (its exit
 * is left for the runner: WNOWAIT), when the wait ran out, or when it is not
 * our child. The stop report is taken, so that nothing else sees it. */
static bool server_stopped(pid_t pid, int64_t until)
{
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof(si));
        if (waitid(P_PID, (id_t)pid, &si, WSTOPPED | WEXITED | WNOHANG | WNOWAIT) < 0)
            return false;
        if (si.si_pid == pid && si.si_code != CLD_STOPPED)
            return false;
        if (si.si_pid == pid) {
            memset(&si, 0, sizeof(si));
            waitid(P_PID, (id_t)pid, &si, WSTOPPED | WNOHANG);
            return true;
        }
        if (eh_now_us() >= until)
            return false;
        struct timespec ts = {0, PAUSE_POLL_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* Sends sig to the server's process group (the runner starts it as the
 * leader of its own), and to the server itself in case it left the group. */
static void signal_server(pid_t pid, int sig)
{
    kill(-pid, sig);
    kill(pid, sig);
}

static eh_status run_steps(struct eh__peer *p, const struct eh_step *steps, size_t n,
                           struct eh_error *err);

/* pause_server: stops the server's processes (SIGSTOP), runs the nested
 * steps, and lets them go on (SIGCONT), whatever the steps did. Logged as
 * {"call":"pause","who":"server","stopped":true,"elapsed_us":N} (the wait
 * for the stop) and {"call":"resume","who":"server"}. */
static eh_status step_pause(struct eh__peer *p, const struct eh_step *st, struct eh_error *err)
{
    struct eh_ev ev;
    eh__peer_event(p, &ev, "pause", NULL);
    eh_ev_str(&ev, "who", "server");
    if (p->server_pid <= 0) {
        eh_ev_str(&ev, "skipped", "no server process");
        eh_ev_end(&ev);
        return run_steps(p, st->steps, st->n_steps, err);
    }
    int64_t start = eh_now_us(), until = start + eh_scaled_ms(PAUSE_WAIT_MS) * 1000;
    signal_server(p->server_pid, SIGSTOP);
    bool stopped = server_stopped(p->server_pid, until < p->deadline_us ? until : p->deadline_us);
    eh_ev_bool(&ev, "stopped", stopped);
    eh_ev_int(&ev, "elapsed_us", eh_now_us() - start);
    eh_ev_end(&ev);
    eh_status status = run_steps(p, st->steps, st->n_steps, err);
    signal_server(p->server_pid, SIGCONT);
    eh__peer_event(p, &ev, "resume", NULL);
    eh_ev_str(&ev, "who", "server");
    eh_ev_end(&ev);
    return status;
}

/* True for the steps that act on the current connection. */
static bool needs_conn(enum eh_step_kind k)
{
    switch (k) {
    case EH_STEP_SEND:
    case EH_STEP_RECV:
    case EH_STEP_SHUTDOWN_WRITE:
    case EH_STEP_CLOSE:
    case EH_STEP_ABORT:
    case EH_STEP_NODELAY:
    case EH_STEP_STREAM:
        return true;
    case EH_STEP_CONNECT:
    case EH_STEP_SLEEP:
    case EH_STEP_CLIENTS:
    case EH_STEP_REPEAT:
    case EH_STEP_AWAIT_SERVER:
    case EH_STEP_PAUSE_SERVER:
        break;
    }
    return false;
}

static eh_status run_step(struct eh__peer *p, const struct eh_step *st, struct eh_error *err)
{
    if (p->cur == NULL && needs_conn(st->kind)) {
        struct eh_ev ev;
        eh__peer_event(p, &ev, eh_step_name(st->kind), NULL);
        eh_ev_str(&ev, "skipped", "not connected");
        eh_ev_end(&ev);
        return EH_OK;
    }
    switch (st->kind) {
    case EH_STEP_CONNECT:
        return step_connect(p, st, err);
    case EH_STEP_SEND:
        return step_send(p, st, err);
    case EH_STEP_RECV:
        return step_recv(p, st, err);
    case EH_STEP_SHUTDOWN_WRITE:
        step_shutdown_write(p);
        return EH_OK;
    case EH_STEP_CLOSE:
        eh__conn_close(p, p->cur);
        return EH_OK;
    case EH_STEP_ABORT:
        step_abort(p);
        return EH_OK;
    case EH_STEP_SLEEP:
        return step_sleep(p, st, err);
    case EH_STEP_NODELAY:
        step_nodelay(p);
        return EH_OK;
    case EH_STEP_STREAM:
        return eh__peer_stream(p, st, err);
    case EH_STEP_CLIENTS:
        return eh__peer_clients(p, st, err);
    case EH_STEP_AWAIT_SERVER:
        return step_await(p, st, err);
    case EH_STEP_PAUSE_SERVER:
        return step_pause(p, st, err);
    case EH_STEP_REPEAT:
        for (int64_t i = 0; i < st->count; i++) {
            eh_status s = run_steps(p, st->steps, st->n_steps, err);
            if (s != EH_OK)
                return s;
        }
        return EH_OK;
    }
    return EH_OK;
}

static eh_status run_steps(struct eh__peer *p, const struct eh_step *steps, size_t n,
                           struct eh_error *err)
{
    eh_status status = EH_OK;
    for (size_t i = 0; i < n && status == EH_OK; i++)
        status = run_step(p, &steps[i], err);
    return status;
}

static eh_status resolve(struct eh__peer *p, enum eh_family family, const char *host, int port,
                         struct eh_error *err)
{
    bool ok = eh_addr_parse(host, port, family == EH_IPV6 ? AF_INET6 : AF_INET, &p->addr);
    p->addr_len = eh_addr_len(&p->addr);
    if (!ok) {
        eh_error_set(err, "scripted client: host %s is not an %s address", host,
                     family == EH_IPV6 ? "IPv6" : "IPv4");
        return EH_ERR;
    }
    if (port < 1 || port > 65535) {
        eh_error_set(err, "scripted client: port %d is outside 1..65535", port);
        return EH_ERR;
    }
    return EH_OK;
}

eh_status eh_peer_run(const struct eh_scenario *sc, const char *host, int port, int64_t deadline_us,
                      const char *log_path, struct eh_error *err)
{
    return eh_peer_run_with_server(sc, host, port, deadline_us, log_path, NULL, err);
}

eh_status eh_peer_run_with_server(const struct eh_scenario *sc, const char *host, int port,
                                  int64_t deadline_us, const char *log_path,
                                  const struct eh_peer_server *server, struct eh_error *err)
{
    struct eh__peer p = {
        .deadline_us = deadline_us,
        .type = sc->transport == EH_UDP ? SOCK_DGRAM : SOCK_STREAM,
        .server_log = server ? server->log : NULL,
        .server_pid = server ? server->pid : 0,
    };
    struct eh_error local = {0};
    if (err == NULL)
        err = &local;
    if (resolve(&p, sc->family, host, port, err) != EH_OK)
        return EH_ERR;
    if ((p.log = eh_evlog_new(log_path)) == NULL) {
        eh_error_set(err, "scripted client: cannot create its event log %s: %s", log_path,
                     strerror(errno));
        return EH_ERR;
    }
    const struct eh_role *role = &sc->roles[EH_CLIENT];
    eh_status status = run_steps(&p, role->steps, role->n_steps, err);
    for (size_t i = 0; i < p.n_conns; i++) {
        eh__conn_close(&p, p.conns[i]);
        free(p.conns[i]->sent);
        free(p.conns[i]);
    }
    free(p.conns);
    eh_evlog_free(p.log);
    return status;
}
