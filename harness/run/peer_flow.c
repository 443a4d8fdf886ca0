/* peer_flow.c - the scripted peer's steps that send and receive at once.
 *
 * stream sends its bytes on the current connection while it reads the echo;
 * clients opens several connections and does the same on each, their pieces
 * interleaved in time. Both are one poll() loop over "flows" in this one
 * thread: a flow is a connection with bytes to send, cut into pieces
 * ("chunk", cycled; one piece when absent) with pause_ms after each, and an
 * echo to read, read_size bytes per recv(), with read_pause_ms after each
 * and none before read_delay_ms. A flow never waits for its own echo before
 * it sends on, and never stops reading because it cannot send: neither side
 * can deadlock on full buffers, and a flow that does not read (read_delay_ms)
 * shows what a server does when its client stops reading.
 *
 * TCP: a flow is done when as many bytes came back as it sent, or, when it
 * shuts down its sending side after the last piece (stream "shutdown",
 * always for clients), when recv() returns 0; an error ends it too. UDP:
 * each piece is one datagram, and a flow is done once it got a reply for
 * each datagram it sent. A flow not done by the step's deadline logs its
 * pending call as timed out and ends with "timeout".
 *
 * Every call is one event (send, recv, shutdown), carrying "conn"; a send or
 * recv that would block (EAGAIN) is not a call a blocking program would have
 * seen return, and is not logged.
 */
#include "peer_int.h"

#include "prng.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FLOW_READ_BYTES 65536 /* clients: bytes per recv(); UDP: any datagram fits */

struct flow {
    struct eh__conn *c;
    const unsigned char *data; /* to send */
    size_t len;
    size_t off;        /* bytes sent (UDP: of the datagrams sent or failed) */
    size_t piece;      /* index of the piece being sent */
    size_t piece_end;  /* offset where it ends */
    int64_t send_at;   /* no send() before this */
    int64_t read_at;   /* no recv() before this */
    int64_t send_wait; /* when the pending send began waiting, for elapsed_us */
    int64_t recv_wait; /* the same for the pending recv */
    size_t got;        /* bytes (UDP: replies) received in this step */
    size_t datagrams;  /* UDP: datagrams sent in this step */
    bool send_done;    /* every piece sent, or sending failed */
    bool ended;        /* TCP: recv() returned 0 or failed */
    bool done;
};

struct flow_opts {
    const struct eh_step *st;
    bool udp;
    bool shutdown;    /* shutdown(SHUT_WR) after the last piece */
    size_t read_size; /* bytes per recv() */
    int64_t pause_us, read_delay_us, read_pause_us;
};

/* ms before the timeout scale as us after it; 0 stays 0. */
static int64_t scaled_us(int64_t ms)
{
    return ms > 0 ? eh_scaled_ms(ms) * 1000 : 0;
}

static size_t piece_len(const struct flow_opts *o, const struct flow *f)
{
    size_t n = o->st->n_chunks ? o->st->chunks[f->piece % o->st->n_chunks] : f->len;
    return n < f->len - f->off ? n : f->len - f->off;
}

static void flow_shutdown(struct eh__peer *p, struct flow *f)
{
    int r = shutdown(f->c->fd, SHUT_WR);
    int e = errno;
    struct eh_ev ev;
    eh__peer_event(p, &ev, "shutdown", f->c);
    eh_ev_str(&ev, "how", "SHUT_WR");
    eh_ev_result(&ev, r, e);
    eh_ev_end(&ev);
}

/* After a piece went (or failed): the next one, or the end of sending. */
static void next_piece(struct eh__peer *p, const struct flow_opts *o, struct flow *f)
{
    f->piece++;
    f->send_at = eh_now_us() + o->pause_us;
    if (f->off < f->len) {
        f->piece_end = f->off + piece_len(o, f);
        return;
    }
    f->send_done = true;
    if (o->shutdown)
        flow_shutdown(p, f);
}

static void flow_start(struct eh__peer *p, const struct flow_opts *o, struct flow *f,
                       struct eh__conn *c, const unsigned char *data, size_t len)
{
    int64_t now = eh_now_us();
    *f = (struct flow){.c = c, .data = data, .len = len, .send_wait = now, .recv_wait = now};
    f->read_at = now + o->read_delay_us;
    f->piece_end = piece_len(o, f);
    if (c == NULL || c->fd < 0) {
        f->done = f->send_done = true;
        return;
    }
    if (len == 0 && !o->udp) {
        f->send_done = true;
        if (o->shutdown)
            flow_shutdown(p, f);
    }
}

static void flow_send(struct eh__peer *p, const struct flow_opts *o, struct flow *f)
{
    size_t size = f->piece_end - f->off;
    const unsigned char *at = f->data ? f->data + f->off : NULL;
    ssize_t n = send(f->c->fd, at, size, MSG_NOSIGNAL);
    int e = errno;
    if (n < 0 && (e == EAGAIN || e == EINTR))
        return;
    struct eh_ev ev;
    eh__peer_event(p, &ev, "send", f->c);
    eh_ev_int(&ev, "size", (int64_t)size);
    eh_ev_result(&ev, n, e);
    eh_ev_data(&ev, at, n);
    eh_ev_int(&ev, "elapsed_us", eh_now_us() - f->send_wait);
    eh_ev_end(&ev);
    f->send_wait = eh_now_us();
    if (n < 0 && !o->udp) { /* the connection is broken: read what is left */
        eh__conn_note_end(f->c, eh_errno_name(e));
        f->send_done = true;
        return;
    }
    if (n > 0)
        eh__conn_sent(p, f->c, at, (size_t)n);
    if (o->udp) { /* one datagram, sent or lost: the next piece */
        f->datagrams += n >= 0;
        f->off = f->piece_end;
    } else {
        f->off += (size_t)n;
    }
    if (f->off >= f->piece_end)
        next_piece(p, o, f);
}

static void flow_recv(struct eh__peer *p, const struct flow_opts *o, struct flow *f,
                      unsigned char *buf)
{
    ssize_t n = recv(f->c->fd, buf, o->read_size, 0);
    int e = errno;
    if (n < 0 && (e == EAGAIN || e == EINTR))
        return;
    struct eh_ev ev;
    eh__peer_event(p, &ev, "recv", f->c);
    eh_ev_int(&ev, "size", (int64_t)o->read_size);
    eh_ev_result(&ev, n, e);
    eh_ev_data(&ev, buf, n);
    eh_ev_int(&ev, "elapsed_us", eh_now_us() - f->recv_wait);
    eh_ev_end(&ev);
    f->recv_wait = eh_now_us();
    f->read_at = f->recv_wait + o->read_pause_us;
    if (n > 0)
        eh__conn_received(f->c, buf, (size_t)n);
    if (o->udp) { /* a reply, an empty one too; an error (ICMP) is no reply */
        f->got += n >= 0;
        return;
    }
    if (n > 0) {
        f->got += (size_t)n;
        return;
    }
    eh__conn_note_end(f->c, n == 0 ? "eof" : eh_errno_name(e));
    f->ended = true;
}

static bool flow_finished(const struct flow_opts *o, const struct flow *f)
{
    if (o->udp)
        return f->send_done && f->got >= f->datagrams;
    if (f->ended)
        return true;
    return !o->shutdown && f->send_done && f->got >= f->off;
}

/* The poll events flow f wants now, and the earliest time it will want
 * more (in *wake). */
static short flow_wants(const struct flow *f, int64_t now, int64_t *wake)
{
    short ev = 0;
    if (!f->send_done) {
        if (now >= f->send_at)
            ev |= POLLOUT;
        else if (f->send_at < *wake)
            *wake = f->send_at;
    }
    if (now >= f->read_at)
        ev |= POLLIN;
    else if (f->read_at < *wake)
        *wake = f->read_at;
    return ev;
}

/* Logs the pending call of each unfinished flow as timed out. */
static eh_status time_out_flows(struct eh__peer *p, const struct flow_opts *o, struct flow *fs,
                                size_t n, struct eh_error *err)
{
    eh_status status = EH_OK;
    for (size_t i = 0; i < n; i++) {
        struct flow *f = &fs[i];
        if (f->done)
            continue;
        struct eh_ev ev;
        bool sending = !f->send_done && eh_now_us() < f->read_at;
        eh__peer_event(p, &ev, sending ? "send" : "recv", f->c);
        eh_ev_int(&ev, "size", (int64_t)(sending ? f->piece_end - f->off : o->read_size));
        if (eh__peer_timed_out(p, f->c, &ev, sending ? f->send_wait : f->recv_wait, o->st, err) !=
            EH_OK)
            status = EH_TIMEOUT;
        f->done = true;
    }
    return status;
}

/* The poll loop over n flows until each is done or the deadline passes. */
static eh_status run_flows(struct eh__peer *p, const struct flow_opts *o, struct flow *fs, size_t n,
                           int64_t deadline, struct eh_error *err)
{
    struct pollfd *pfds = calloc(n, sizeof(*pfds));
    unsigned char *buf = malloc(o->read_size);
    if (pfds == NULL || buf == NULL) {
        free(pfds);
        free(buf);
        eh_error_set(err, "%s: out of memory for a %zu-byte buffer", o->st->path, o->read_size);
        return EH_ERR;
    }
    eh_status status = EH_OK;
    for (;;) {
        int64_t now = eh_now_us(), wake = deadline;
        size_t open = 0;
        for (size_t i = 0; i < n; i++) {
            fs[i].done = fs[i].done || flow_finished(o, &fs[i]);
            short ev = fs[i].done ? 0 : flow_wants(&fs[i], now, &wake);
            pfds[i] = (struct pollfd){.fd = ev ? fs[i].c->fd : -1, .events = ev};
            open += !fs[i].done;
        }
        if (open == 0)
            break;
        if (now >= deadline) {
            status = time_out_flows(p, o, fs, n, err);
            break;
        }
        int64_t left = wake > now ? (wake - now + 999) / 1000 : 0;
        if (poll(pfds, n, left > INT_MAX ? INT_MAX : (int)left) < 0 && errno != EINTR) {
            eh_error_set(err, "%s: poll: %s", o->st->path, strerror(errno));
            status = EH_ERR;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            short re = pfds[i].revents;
            if ((re & (POLLIN | POLLHUP | POLLERR)) && (pfds[i].events & POLLIN))
                flow_recv(p, o, &fs[i], buf);
            if ((re & (POLLOUT | POLLERR | POLLHUP)) && (pfds[i].events & POLLOUT) &&
                !fs[i].send_done)
                flow_send(p, o, &fs[i]);
        }
    }
    free(pfds);
    free(buf);
    return status;
}

eh_status eh__peer_stream(struct eh__peer *p, const struct eh_step *st, struct eh_error *err)
{
    struct flow_opts o = {
        .st = st,
        .udp = p->type == SOCK_DGRAM,
        .shutdown = st->shutdown,
        .read_size = st->read_size ? st->read_size : FLOW_READ_BYTES,
        .pause_us = scaled_us(st->pause_ms),
        .read_delay_us = scaled_us(st->read_delay_ms),
        .read_pause_us = scaled_us(st->read_pause_ms),
    };
    int64_t deadline = eh__step_deadline(p, st);
    unsigned char *owned;
    const unsigned char *data = eh_step_bytes(st, &owned);
    if (data == NULL && st->data_len > 0) {
        eh_error_set(err, "%s: out of memory for %zu bytes", st->path, st->data_len);
        return EH_ERR;
    }
    struct flow f;
    flow_start(p, &o, &f, p->cur, data, st->data_len);
    eh_status s = run_flows(p, &o, &f, 1, deadline, err);
    free(owned);
    return s;
}

eh_status eh__peer_clients(struct eh__peer *p, const struct eh_step *st, struct eh_error *err)
{
    size_t n = (size_t)st->count;
    struct flow_opts o = {
        .st = st,
        .udp = p->type == SOCK_DGRAM,
        .shutdown = p->type == SOCK_STREAM,
        .read_size = FLOW_READ_BYTES,
        .pause_us = scaled_us(st->pause_ms),
    };
    int64_t deadline = eh__step_deadline(p, st);
    struct flow *fs = calloc(n, sizeof(*fs));
    struct eh__conn **cs = calloc(n, sizeof(*cs));
    unsigned char *data = malloc(n * st->client_bytes);
    eh_status status = EH_OK;
    if (fs == NULL || cs == NULL || data == NULL) {
        eh_error_set(err, "%s: out of memory for %zu clients", st->path, n);
        status = EH_ERR;
    }
    for (size_t i = 0; i < n && status == EH_OK; i++) {
        eh_prng_fill(st->seed + i, data + i * st->client_bytes, st->client_bytes);
        cs[i] = eh__conn_open(p, deadline, st, &status, err);
    }
    if (status == EH_OK) {
        for (size_t i = 0; i < n; i++)
            flow_start(p, &o, &fs[i], cs[i], data + i * st->client_bytes, st->client_bytes);
        status = run_flows(p, &o, fs, n, deadline, err);
    }
    for (size_t i = 0; cs != NULL && i < n; i++)
        eh__conn_close(p, cs[i]);
    free(fs);
    free(cs);
    free(data);
    return status;
}
