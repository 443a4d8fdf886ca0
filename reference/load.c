/* load.c - the reference client's load mode: many connections, every byte checked.
 *
 * See load.h. One epoll set holds every connection; each is in one of three
 * states: connecting (waiting for EPOLLOUT), sending a request (EPOLLOUT
 * while part of it is unsent, EPOLLIN throughout) and waiting for its echo
 * (EPOLLIN). The bytes to send and the bytes expected back are made from
 * the connection's seed at their offset (eh_prng_fill_at()), so no
 * connection keeps a buffer of its own. Round trips go into a log-scale
 * histogram of microseconds.
 */
#include "load.h"

#include "addr.h"
#include "calls.h"
#include "eh.h"
#include "evlog.h"
#include "prng.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#define RECV_BUF_BYTES (256 * 1024) /* one recv() at most */
#define EPOLL_BATCH 256             /* events taken per epoll_wait() */
#define FD_MARGIN 16                /* descriptors besides the connections */
#define HIST_SUB_BITS 6             /* 64 buckets per power of two */
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_MAX_BITS 40 /* round trips up to 2^40 us; longer ones count as that */
#define HIST_BUCKETS (HIST_SUB * (HIST_MAX_BITS - HIST_SUB_BITS + 2))

enum conn_state { CONNECTING, SENDING, AWAITING, FINISHED };

struct conn {
    int fd;
    enum conn_state state;
    uint32_t events;      /* the epoll interest set now */
    uint64_t sent;        /* bytes sent so far */
    uint64_t got;         /* bytes received and checked so far */
    uint64_t req_end;     /* offset where the current request ends */
    int64_t req_start_us; /* its first send() */
    int local_port;       /* for messages; 0 until connected */
    const char *reason;   /* its conn_end reason if it failed ("eof", an errno name) */
};

struct load {
    const struct eh_load_spec *sp;
    int epfd;
    struct conn *conns;
    long finished;
    unsigned char *out, *in, *expect; /* scratch: a request, a recv(), what it should hold */
    uint64_t hist[HIST_BUCKETS];
    uint64_t requests;
    uint64_t max_rtt_us;
    char error[512]; /* the first failure; "" while all is well */
};

static size_t hist_index(uint64_t us)
{
    if (us < HIST_SUB)
        return (size_t)us;
    int msb = 63 - __builtin_clzll(us);
    if (msb > HIST_MAX_BITS) {
        msb = HIST_MAX_BITS;
        us = (1ULL << (HIST_MAX_BITS + 1)) - 1;
    }
    size_t sub = (size_t)(us >> (msb - HIST_SUB_BITS)) & (HIST_SUB - 1);
    return HIST_SUB + (size_t)(msb - HIST_SUB_BITS) * HIST_SUB + sub;
}

/* The smallest value of a bucket. */
static uint64_t hist_value(size_t i)
{
    if (i < HIST_SUB)
        return i;
    size_t msb = (i - HIST_SUB) / HIST_SUB + HIST_SUB_BITS, sub = (i - HIST_SUB) % HIST_SUB;
    return (1ULL << msb) | ((uint64_t)sub << (msb - HIST_SUB_BITS));
}

/* The value below which fraction q of the round trips fall. */
static uint64_t percentile(const struct load *l, double q)
{
    uint64_t want = (uint64_t)(q * (double)l->requests + 0.5), seen = 0;
    for (size_t i = 0; i < HIST_BUCKETS; i++) {
        seen += l->hist[i];
        if (seen >= want && seen > 0)
            return hist_value(i);
    }
    return 0;
}

/* Records the failure of connection i, for its conn_end event (reason) and,
 * if it is the first, for the message: "connection I (local port P): what". */
__attribute__((format(printf, 4, 5))) static void fail(struct load *l, long i, const char *reason,
                                                       const char *fmt, ...)
{
    l->conns[i].reason = reason;
    if (l->error[0] != '\0')
        return;
    int n = snprintf(l->error, sizeof(l->error), "connection %ld (local port %d): ", i,
                     l->conns[i].local_port);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->error + n, sizeof(l->error) - (size_t)n, fmt, ap);
    va_end(ap);
}

/* Sets the epoll interest of connection i to events, if it changed. */
static void want(struct load *l, long i, uint32_t events)
{
    struct conn *c = &l->conns[i];
    if (c->events == events)
        return;
    struct epoll_event ev = {.events = events, .data.u64 = (uint64_t)i};
    epoll_ctl(l->epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->events = events;
}

/* Sends what the connection can of its current request. */
static void send_some(struct load *l, long i)
{
    struct conn *c = &l->conns[i];
    while (c->sent < c->req_end) {
        size_t len = (size_t)(c->req_end - c->sent);
        eh_prng_fill_at(l->sp->seed + (uint64_t)i, c->sent, l->out, len);
        ssize_t n = send(c->fd, l->out, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        if (n < 0) {
            fail(l, i, eh_errno_name(errno), "send: %s after %llu bytes", strerror(errno),
                 (unsigned long long)c->sent);
            return;
        }
        c->sent += (uint64_t)n;
    }
    c->state = c->sent < c->req_end ? SENDING : AWAITING;
    want(l, i, EPOLLIN | (c->state == SENDING ? EPOLLOUT : 0));
}

/* Starts connection i's next request, or ends it when all was echoed. */
static void next_request(struct load *l, long i)
{
    struct conn *c = &l->conns[i];
    uint64_t total = (uint64_t)l->sp->bytes_per_conn;
    if (c->got == total) {
        c->state = FINISHED;
        l->finished++;
        eh_evlog_conn_end(c->fd, "done");
        eh_close(c->fd);
        c->fd = -1;
        return;
    }
    c->req_end = c->sent + (uint64_t)l->sp->chunk_bytes;
    if (c->req_end > total)
        c->req_end = total;
    c->req_start_us = eh_now_us();
    send_some(l, i);
}

/* Checks n received bytes against the stream at the connection's offset. */
static bool check_bytes(struct load *l, long i, size_t n)
{
    struct conn *c = &l->conns[i];
    if (c->got + n > c->sent) {
        fail(l, i, "EBADMSG", "received %llu bytes more than it sent (%llu)",
             (unsigned long long)(c->got + n - c->sent), (unsigned long long)c->sent);
        return false;
    }
    eh_prng_fill_at(l->sp->seed + (uint64_t)i, c->got, l->expect, n);
    if (memcmp(l->in, l->expect, n) == 0)
        return true;
    size_t k = 0;
    while (l->in[k] == l->expect[k])
        k++;
    fail(l, i, "EBADMSG", "byte %llu of the echo differs: expected 0x%02x, got 0x%02x",
         (unsigned long long)(c->got + k), l->expect[k], l->in[k]);
    return false;
}

/* Reads what connection i has, checks it, and completes its request. */
static void receive(struct load *l, long i)
{
    struct conn *c = &l->conns[i];
    for (;;) {
        ssize_t n = recv(c->fd, l->in, RECV_BUF_BYTES, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n < 0) {
            fail(l, i, eh_errno_name(errno), "recv: %s after %llu of %ld bytes", strerror(errno),
                 (unsigned long long)c->got, l->sp->bytes_per_conn);
            return;
        }
        if (n == 0) {
            fail(l, i, "eof", "the server closed the connection after %llu of %ld bytes",
                 (unsigned long long)c->got, l->sp->bytes_per_conn);
            return;
        }
        if (!check_bytes(l, i, (size_t)n))
            return;
        c->got += (uint64_t)n;
        if (c->got == c->req_end && c->state == AWAITING) {
            uint64_t rtt = (uint64_t)(eh_now_us() - c->req_start_us);
            l->hist[hist_index(rtt)]++;
            l->requests++;
            l->max_rtt_us = rtt > l->max_rtt_us ? rtt : l->max_rtt_us;
            next_request(l, i);
            return;
        }
    }
}

/* A connecting socket became writable: connected, or refused. */
static void connected(struct load *l, long i)
{
    struct conn *c = &l->conns[i];
    int err = 0;
    if (eh_getsockopt_error(c->fd, &err) < 0 || err != 0) {
        err = err != 0 ? err : errno;
        fail(l, i, eh_errno_name(err), "connect: %s", strerror(err));
        return;
    }
    struct sockaddr_storage local;
    if (eh_getsockname(c->fd, &local) == 0)
        c->local_port = eh_addr_port(&local);
    next_request(l, i);
}

/* One ready connection. */
static void on_event(struct load *l, long i, uint32_t events)
{
    struct conn *c = &l->conns[i];
    switch (c->state) {
    case CONNECTING:
        if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            connected(l, i);
        return;
    case SENDING:
    case AWAITING:
        if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
            receive(l, i);
        if (c->state == SENDING && l->error[0] == '\0' && (events & (EPOLLOUT | EPOLLERR)))
            send_some(l, i);
        return;
    case FINISHED:
        return;
    }
}

/* socket() and a non-blocking connect() for connection i. */
static bool start_conn(struct load *l, long i)
{
    struct conn *c = &l->conns[i];
    c->fd = eh_socket(l->sp->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK);
    if (c->fd < 0) {
        fail(l, i, eh_errno_name(errno), "socket: %s", strerror(errno));
        return false;
    }
    if (eh_connect(c->fd, &l->sp->addr) < 0 && errno != EINPROGRESS) {
        fail(l, i, eh_errno_name(errno), "connect: %s", strerror(errno));
        return false;
    }
    c->events = EPOLLOUT;
    struct epoll_event ev = {.events = c->events, .data.u64 = (uint64_t)i};
    epoll_ctl(l->epfd, EPOLL_CTL_ADD, c->fd, &ev);
    return true;
}

/* Raises the soft RLIMIT_NOFILE to the hard one; fails if even that is
 * too low for the connections. */
static bool enough_fds(const struct eh_load_spec *sp)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return false;
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    rlim_t need = (rlim_t)sp->connections + FD_MARGIN;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
        fprintf(stderr,
                "%s: --load %ld needs %llu file descriptors; the hard limit (ulimit -Hn) is %llu\n",
                sp->prog, sp->connections, (unsigned long long)need,
                (unsigned long long)rl.rlim_max);
        return false;
    }
    return true;
}

static void print_result(const struct load *l, int64_t elapsed_us)
{
    const struct eh_load_spec *sp = l->sp;
    double secs = (double)elapsed_us / 1e6, total = (double)sp->connections * sp->bytes_per_conn;
    printf("load: %ld connections x %ld bytes in requests of %ld bytes, seeds %llu..%llu\n",
           sp->connections, sp->bytes_per_conn, sp->chunk_bytes, (unsigned long long)sp->seed,
           (unsigned long long)(sp->seed + (uint64_t)sp->connections - 1));
    printf("load: %.0f bytes echoed and checked in %.3f s: %.1f MiB/s each way\n", total, secs,
           secs > 0 ? total / (1 << 20) / secs : 0.0);
    printf("load: round trip of a request: p50 %llu us, p99 %llu us, max %llu us (%llu requests)\n",
           (unsigned long long)percentile(l, 0.50), (unsigned long long)percentile(l, 0.99),
           (unsigned long long)l->max_rtt_us, (unsigned long long)l->requests);
    fflush(stdout);
}

/* Runs the event loop until every connection finished or one failed. */
static void loop(struct load *l)
{
    struct epoll_event ready[EPOLL_BATCH];
    while (l->finished < l->sp->connections && l->error[0] == '\0') {
        int n = epoll_wait(l->epfd, ready, EPOLL_BATCH, l->sp->timeout_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(l->error, sizeof(l->error), "%s: %d of %ld connections finished",
                     n == 0 ? "no progress within --timeout-ms" : strerror(errno), (int)l->finished,
                     l->sp->connections);
            return;
        }
        for (int k = 0; k < n && l->error[0] == '\0'; k++)
            on_event(l, (long)ready[k].data.u64, ready[k].events);
    }
}

int eh_load_run(const struct eh_load_spec *sp)
{
    if (!enough_fds(sp))
        return 1;
    struct load *l = calloc(1, sizeof(*l));
    size_t scratch =
        (size_t)sp->chunk_bytes > RECV_BUF_BYTES ? (size_t)sp->chunk_bytes : RECV_BUF_BYTES;
    if (l == NULL || (l->conns = calloc((size_t)sp->connections, sizeof(*l->conns))) == NULL ||
        (l->out = malloc(scratch)) == NULL || (l->in = malloc(RECV_BUF_BYTES)) == NULL ||
        (l->expect = malloc(RECV_BUF_BYTES)) == NULL ||
        (l->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        fprintf(stderr, "%s: --load: %s\n", sp->prog, strerror(errno ? errno : ENOMEM));
        return 1; /* the process exits: no need to free */
    }
    l->sp = sp;
    int64_t t0 = eh_now_us();
    for (long i = 0; i < sp->connections; i++)
        l->conns[i].fd = -1;
    for (long i = 0; i < sp->connections && start_conn(l, i); i++)
        ;
    loop(l);
    int status = l->error[0] == '\0' ? 0 : 1;
    if (status == 0)
        print_result(l, eh_now_us() - t0);
    else
        fprintf(stderr, "%s: --load: %s\n", sp->prog, l->error);
    for (long i = 0; i < sp->connections; i++) {
        if (l->conns[i].fd < 0)
            continue;
        /* the failed one, and those the failure cut short */
        eh_evlog_conn_end(l->conns[i].fd, l->conns[i].reason ? l->conns[i].reason : "ECANCELED");
        eh_close(l->conns[i].fd);
    }
    close(l->epfd);
    free(l->conns);
    free(l->out);
    free(l->in);
    free(l->expect);
    free(l);
    return status;
}
