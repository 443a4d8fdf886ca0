/* peer.c - the harness's own scripted client.
 *
 * Runs a scenario's client steps with one socket at a time and records every
 * socket call as an event (scenarios/README.md "Event log"). The socket is
 * non-blocking from socket() on, and every call that could block first polls
 * with the time left to the deadline: the events are those of a blocking
 * program (one per call, elapsed_us including the wait), but nothing waits
 * past the deadline. A deadline reached while waiting is logged as the call
 * failing, {"call":"recv",...,"ret":-1,"errno":"ETIMEDOUT","timeout":true},
 * and ends the run with EH_TIMEOUT.
 *
 * Besides the calls themselves the log holds: {"call":"<step>","skipped":
 * "not connected"} for a step that needs a socket when none is open, and a
 * {"call":"conn_end","reason":...} summary before a connected TCP socket is
 * closed (the first error of a send or recv on it, "eof", "timeout", or
 * "done"). An abortive close is logged as {"call":"setsockopt",
 * "option":"SO_LINGER","l_onoff":1,"l_linger":0} followed by the close.
 * sleep steps are not socket calls and are not logged; an await_server step
 * is logged as {"call":"await","who":"server","matched":...,"elapsed_us":...}
 * so that the log shows where the client waited for the server.
 */
#include "peer.h"

#include "addr.h"
#include "evlog.h"
#include "evlog_read.h"
#include "verdict.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RECV_CHUNK_BYTES 65536         /* buffer of "exactly" and "until_eof" reads */
#define AWAIT_POLL_MS 2                /* await_server: how often the server's log is read */
#define AWAIT_LOG_MAX_BYTES (8u << 20) /* await_server: how much of it */

struct peer {
    struct eh_evlog *log;         /* the event log; its t_us counts from the run's start */
    int64_t deadline_us;          /* monotonic */
    int fd;                       /* the open socket, or -1 */
    int type;                     /* SOCK_STREAM or SOCK_DGRAM */
    bool connected;               /* connect() succeeded on fd */
    char end_reason[24];          /* conn_end reason of fd, "" while it has not ended */
    struct sockaddr_storage addr; /* the server */
    socklen_t addr_len;
    const char *server_log; /* the server's event log (await_server), or NULL */
};

/* Starts an event of the run's log: {"t_us":..,"call":call[,"fd":fd]}. The
 * caller adds fields and ends it with eh_ev_end(). */
static void event(struct peer *p, struct eh_ev *ev, const char *call, int fd)
{
    eh_ev_begin_in(ev, p->log, call);
    if (fd >= 0)
        eh_ev_int(ev, "fd", fd);
}

/* Records how the connection ended, unless it already had. */
static void note_end(struct peer *p, const char *reason)
{
    if (p->connected && p->end_reason[0] == '\0')
        snprintf(p->end_reason, sizeof(p->end_reason), "%s", reason);
}

/* Waits until fd is ready for `what` (or has an error to report); false
 * when the deadline passed first. */
static bool wait_fd(struct peer *p, short what)
{
    for (;;) {
        int64_t left_us = p->deadline_us - eh_now_us();
        if (left_us > (int64_t)INT_MAX * 1000)
            left_us = (int64_t)INT_MAX * 1000;
        struct pollfd pfd = {.fd = p->fd, .events = what};
        int r = poll(&pfd, 1, left_us > 0 ? (int)((left_us + 999) / 1000) : 0);
        if (r > 0 || (r < 0 && errno != EINTR))
            return true;
        if (r == 0 && eh_now_us() >= p->deadline_us)
            return false;
    }
}

/* Logs the call in ev as failed by the deadline, ends ev and ends the run. */
static eh_status timed_out(struct peer *p, struct eh_ev *ev, int64_t start_us,
                           const struct eh_step *st, struct eh_error *err)
{
    eh_ev_result(ev, -1, ETIMEDOUT);
    eh_ev_bool(ev, "timeout", true);
    eh_ev_int(ev, "elapsed_us", eh_now_us() - start_us);
    eh_ev_end(ev);
    note_end(p, "timeout");
    eh_error_set(err, "%s: the deadline passed during %s", st->path, eh_step_name(st->kind));
    return EH_TIMEOUT;
}

/* conn_end (for a connected TCP socket), then close(). */
static void close_fd(struct peer *p)
{
    if (p->fd < 0)
        return;
    struct eh_ev ev;
    if (p->connected && p->type == SOCK_STREAM) {
        event(p, &ev, "conn_end", p->fd);
        eh_ev_str(&ev, "reason", p->end_reason[0] ? p->end_reason : "done");
        eh_ev_end(&ev);
    }
    int r = close(p->fd);
    int e = errno;
    event(p, &ev, "close", p->fd);
    eh_ev_result(&ev, r, e);
    eh_ev_end(&ev);
    p->fd = -1;
    p->connected = false;
    p->end_reason[0] = '\0';
}

static eh_status step_connect(struct peer *p, const struct eh_step *st, struct eh_error *err)
{
    close_fd(p);
    int fd = socket(p->addr.ss_family, p->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int e = errno;
    struct eh_ev ev;
    event(p, &ev, "socket", -1);
    eh_ev_result(&ev, fd, e);
    eh_ev_str(&ev, "family", p->addr.ss_family == AF_INET6 ? "AF_INET6" : "AF_INET");
    eh_ev_str(&ev, "type", p->type == SOCK_DGRAM ? "SOCK_DGRAM" : "SOCK_STREAM");
    eh_ev_end(&ev);
    if (fd < 0)
        return EH_OK;
    p->fd = fd;
    int64_t start = eh_now_us();
    int r = connect(fd, (const struct sockaddr *)&p->addr, p->addr_len);
    e = errno;
    if (r < 0 && e == EINPROGRESS) {
        if (!wait_fd(p, POLLOUT)) {
            event(p, &ev, "connect", fd);
            return timed_out(p, &ev, start, st, err);
        }
        socklen_t len = sizeof(e);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
            e = errno;
        r = e ? -1 : 0;
    }
    event(p, &ev, "connect", fd);
    eh_ev_result(&ev, r, e);
    if (r == 0)
        eh_ev_sock_addrs(&ev, fd);
    eh_ev_int(&ev, "elapsed_us", eh_now_us() - start);
    eh_ev_end(&ev);
    if (r < 0)
        close_fd(p);
    else
        p->connected = true;
    return EH_OK;
}

/* A sendall loop: send() until every byte went or one failed. */
static eh_status step_send(struct peer *p, const struct eh_step *st, struct eh_error *err)
{
    size_t off = 0;
    int64_t start = eh_now_us();
    for (;;) {
        size_t size = st->data_len - off;
        const unsigned char *b = st->data ? st->data + off : NULL;
        struct eh_ev ev;
        if (!wait_fd(p, POLLOUT)) {
            event(p, &ev, "send", p->fd);
            eh_ev_int(&ev, "size", (int64_t)size);
            return timed_out(p, &ev, start, st, err);
        }
        ssize_t n = send(p->fd, b, size, MSG_NOSIGNAL);
        int e = errno;
        if (n < 0 && (e == EAGAIN || e == EINTR))
            continue;
        event(p, &ev, "send", p->fd);
        eh_ev_int(&ev, "size", (int64_t)size);
        eh_ev_result(&ev, n, e);
        eh_ev_data(&ev, b, n);
        eh_ev_int(&ev, "elapsed_us", eh_now_us() - start);
        eh_ev_end(&ev);
        if (n < 0)
            note_end(p, eh_errno_name(e));
        if (n <= 0)
            return EH_OK;
        off += (size_t)n;
        if (off >= st->data_len)
            return EH_OK;
        start = eh_now_us();
    }
}

/* One recv (up_to), or recv until N bytes (exactly) or until 0 (until_eof),
 * stopping at EOF or an error. On UDP, 0 is an empty datagram and also stops. */
static eh_status step_recv(struct peer *p, const struct eh_step *st, struct eh_error *err)
{
    size_t want = st->recv_bytes, got = 0, cap = RECV_CHUNK_BYTES;
    if (st->recv_mode == EH_RECV_UP_TO || (st->recv_mode == EH_RECV_EXACTLY && want < cap))
        cap = want;
    unsigned char *buf = malloc(cap ? cap : 1);
    if (buf == NULL) {
        eh_error_set(err, "%s: out of memory for a %zu-byte buffer", st->path, cap);
        return EH_ERR;
    }
    eh_status status = EH_OK;
    int64_t start = eh_now_us();
    while (st->recv_mode != EH_RECV_EXACTLY || got < want) {
        size_t size = st->recv_mode == EH_RECV_EXACTLY && want - got < cap ? want - got : cap;
        struct eh_ev ev;
        if (!wait_fd(p, POLLIN)) {
            event(p, &ev, "recv", p->fd);
            eh_ev_int(&ev, "size", (int64_t)size);
            status = timed_out(p, &ev, start, st, err);
            break;
        }
        ssize_t n = recv(p->fd, buf, size, 0);
        int e = errno;
        if (n < 0 && (e == EAGAIN || e == EINTR))
            continue;
        event(p, &ev, "recv", p->fd);
        eh_ev_int(&ev, "size", (int64_t)size);
        eh_ev_result(&ev, n, e);
        eh_ev_data(&ev, buf, n);
        eh_ev_int(&ev, "elapsed_us", eh_now_us() - start);
        eh_ev_end(&ev);
        if (n < 0)
            note_end(p, eh_errno_name(e));
        else if (n == 0 && p->type == SOCK_STREAM)
            note_end(p, "eof");
        if (n <= 0 || st->recv_mode == EH_RECV_UP_TO)
            break;
        got += (size_t)n;
        start = eh_now_us();
    }
    free(buf);
    return status;
}

static void step_shutdown_write(struct peer *p)
{
    int r = shutdown(p->fd, SHUT_WR);
    int e = errno;
    struct eh_ev ev;
    event(p, &ev, "shutdown", p->fd);
    eh_ev_str(&ev, "how", "SHUT_WR");
    eh_ev_result(&ev, r, e);
    eh_ev_end(&ev);
}

/* SO_LINGER {1, 0} then close(): the kernel sends RST instead of FIN. */
static void step_abort(struct peer *p)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    int r = setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    int e = errno;
    struct eh_ev ev;
    event(p, &ev, "setsockopt", p->fd);
    eh_ev_str(&ev, "level", "SOL_SOCKET");
    eh_ev_str(&ev, "option", "SO_LINGER");
    eh_ev_int(&ev, "l_onoff", 1);
    eh_ev_int(&ev, "l_linger", 0);
    eh_ev_result(&ev, r, e);
    eh_ev_end(&ev);
    close_fd(p);
}

static eh_status step_sleep(struct peer *p, const struct eh_step *st, struct eh_error *err)
{
    if (st->sleep_ms <= 0)
        return EH_OK;
    int64_t until = eh_now_us() + eh_scaled_ms(st->sleep_ms) * 1000;
    bool cut = until > p->deadline_us;
    if (cut)
        until = p->deadline_us;
    struct timespec ts = {.tv_sec = until / 1000000, .tv_nsec = (until % 1000000) * 1000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
    if (!cut)
        return EH_OK;
    eh_error_set(err, "%s: the deadline passed during sleep", st->path);
    return EH_TIMEOUT;
}

/* True if the server's log holds an entry that m matches. */
static bool server_logged(const struct peer *p, const struct eh_match *m)
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
static eh_status step_await(struct peer *p, const struct eh_step *st, struct eh_error *err)
{
    struct eh_ev ev;
    event(p, &ev, "await", -1);
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

static eh_status resolve(struct peer *p, enum eh_family family, const char *host, int port,
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
    return eh_peer_run_awaiting(sc, host, port, deadline_us, log_path, NULL, err);
}

eh_status eh_peer_run_awaiting(const struct eh_scenario *sc, const char *host, int port,
                               int64_t deadline_us, const char *log_path, const char *server_log,
                               struct eh_error *err)
{
    struct peer p = {
        .deadline_us = deadline_us,
        .fd = -1,
        .type = sc->transport == EH_UDP ? SOCK_DGRAM : SOCK_STREAM,
        .server_log = server_log,
    };
    if (resolve(&p, sc->family, host, port, err) != EH_OK)
        return EH_ERR;
    if ((p.log = eh_evlog_new(log_path)) == NULL) {
        eh_error_set(err, "scripted client: cannot create its event log %s: %s", log_path,
                     strerror(errno));
        return EH_ERR;
    }
    const struct eh_role *role = &sc->roles[EH_CLIENT];
    eh_status status = EH_OK;
    for (size_t i = 0; i < role->n_steps && status == EH_OK; i++) {
        const struct eh_step *st = &role->steps[i];
        if (p.fd < 0 && st->kind != EH_STEP_CONNECT && st->kind != EH_STEP_SLEEP &&
            st->kind != EH_STEP_AWAIT_SERVER) {
            struct eh_ev ev;
            event(&p, &ev, eh_step_name(st->kind), -1);
            eh_ev_str(&ev, "skipped", "not connected");
            eh_ev_end(&ev);
            continue;
        }
        switch (st->kind) {
        case EH_STEP_CONNECT:
            status = step_connect(&p, st, err);
            break;
        case EH_STEP_SEND:
            status = step_send(&p, st, err);
            break;
        case EH_STEP_RECV:
            status = step_recv(&p, st, err);
            break;
        case EH_STEP_SHUTDOWN_WRITE:
            step_shutdown_write(&p);
            break;
        case EH_STEP_CLOSE:
            close_fd(&p);
            break;
        case EH_STEP_ABORT:
            step_abort(&p);
            break;
        case EH_STEP_SLEEP:
            status = step_sleep(&p, st, err);
            break;
        case EH_STEP_AWAIT_SERVER:
            status = step_await(&p, st, err);
            break;
        }
    }
    close_fd(&p);
    eh_evlog_free(p.log);
    return status;
}
