/* server.c - the reference echo server (RFC 862), and its faulty variants.
 *
 * See server.h. The flow is the tutorial's, one step per function:
 * open_socket() (socket, bind, listen, tell the harness we are ready), then
 * serve_tcp() (accept, serve_conn() until EOF), serve_concurrent() (epoll,
 * many clients) or serve_udp() (one datagram in, the same datagram out).
 * Every socket call goes through calls.h/io.h and so lands in the event log.
 *
 * SIGTERM and SIGINT only set a flag; the handler is installed without
 * SA_RESTART, so a blocked accept()/recv() returns EINTR and the loops stop.
 */
#include "server.h"

#include "addr.h"
#include "calls.h"
#include "cli.h"
#include "evlog.h"
#include "io.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define SEND_AFTER_EOF_CHUNK_BYTES 1024 /* --send-after-eof sends chunks of this size */
#define UDP_DEFAULT_RECV_BYTES 65536    /* UDP default: any datagram fits, none is cut */
#define EPOLL_BATCH 64                  /* events taken per epoll_wait() */
#define MAX_CHUNK_SIZES 64              /* sizes in --chunk-sizes */
#define MAX_PIECE_BYTES (64L << 20)     /* largest size in --chunk-sizes */
#define UDP_TRUNCATING_RECV_BYTES 1024  /* faulty-server-udp-truncates: its recvfrom() buffer */
#define UDP_MERGE_GAP_MS 50             /* faulty-server-udp-merges: quiet time that ends a reply */
#define FLOOD_SOCKET_BYTES (100L << 20) /* hostile-floods-socket: bytes sent unasked */
#define FLOOD_SOCKET_CHUNK 65536        /* hostile-floods-socket: bytes per send() */

struct server {
    const char *prog;                    /* argv[0], for messages */
    const struct eh_server_faults *f;    /* the deliberate bug, if any */
    struct eh_endpoint ep;               /* host, port, transport, family, mode, log */
    struct sockaddr_storage addr;        /* where to bind */
    int backlog;                         /* listen() backlog */
    size_t recv_bytes;                   /* buffer size passed to recv(); 0: not given yet */
    bool forever;                        /* keep accepting */
    long max_connections;                /* with forever: stop after this many; 0: no limit */
    bool no_accept;                      /* listen, never accept */
    long send_after_eof_chunks;          /* chunks to send after the peer's EOF */
    bool concurrent;                     /* epoll loop */
    bool reuseaddr;                      /* SO_REUSEADDR before bind */
    bool nodelay;                        /* TCP_NODELAY: Nagle off, each send its own segment */
    bool keep_sigpipe;                   /* SIGPIPE at its default action, no MSG_NOSIGNAL */
    bool paced;                          /* --trickle-ms or --chunk-sizes: echo in pieces */
    long trickle_ms;                     /* pause between two pieces of an echo, ms */
    size_t chunk_sizes[MAX_CHUNK_SIZES]; /* --chunk-sizes: piece sizes in bytes, cycled */
    size_t n_chunk_sizes;                /* 0: pieces of one byte */
    bool close_first;                    /* close after echoing the first recv() */
    bool rebind;                         /* after serving, bind the address again */
    bool unprivileged;                   /* drop every capability before socket() */
    bool v6only;                         /* IPV6_V6ONLY 1 before bind */
    bool msg_trunc;                      /* UDP: recvfrom() with MSG_TRUNC */
    long accept_delay_ms;                /* sleep before the first accept() */
    int ready_fd;                        /* closed once listening; -1: none */
    unsigned char *buf;                  /* recv_bytes bytes */
};

static volatile sig_atomic_t stop_requested; /* set by SIGTERM/SIGINT */

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Installs the handlers. The harness may have started us with signals
 * ignored or blocked (both survive exec), so every disposition is set
 * explicitly and the three signals are unblocked. */
static void setup_signals(bool sigpipe_kills, bool ignore_sigterm)
{
    struct sigaction sa = {.sa_handler = on_stop_signal}; /* no SA_RESTART: calls get EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    if (ignore_sigterm)
        signal(SIGTERM, SIG_IGN);
    else
        sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, sigpipe_kills ? SIG_DFL : SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGPIPE);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* Sleeps until SIGTERM or SIGINT (race-free: the signals are blocked while
 * the flag is tested and atomically unblocked by sigsuspend). */
static void wait_for_stop(void)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &old);
    while (!stop_requested)
        sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static void print_addr(const char *what, const struct sockaddr_storage *a)
{
    char text[EH_ADDR_STRLEN];
    eh_addr_format(a, text, sizeof(text));
    printf("%s %s\n", what, text);
    fflush(stdout);
}

static void usage(FILE *out, const char *prog)
{
    fprintf(out,
            "usage: %s [OPTION...]\n"
            "A TCP/UDP echo server (RFC 862). By default the tutorial's: listen on\n"
            "127.0.0.1:65432, echo one connection until the client closes, exit 0.\n"
            "Prints \"listening on ADDR\" once listening (TCP) or bound (UDP).\n"
            "--host \"\" or any binds the family's wildcard; --port 0 lets the OS choose.\n\n",
            prog);
    eh_endpoint_help(out);
    fputs("  --backlog N        listen() backlog (default 5)\n"
          "  --recv-size N      bytes per recv() (default 1024; UDP 65536; 1 echoes byte by byte)\n"
          "  --forever          keep accepting connections (UDP: datagrams); default: one\n"
          "  --max-connections N  serve N connections (UDP: datagrams), then exit;\n"
          "                     implies --forever\n"
          "  --no-accept        listen and never accept (UDP: never read) until SIGTERM\n"
          "  --send-after-eof N after the client's EOF send N chunks of 1024 bytes, then close\n"
          "  --keep-sigpipe     let SIGPIPE kill the server (no SIG_IGN, no MSG_NOSIGNAL)\n"
          "  --concurrent       serve many clients at once with epoll (implies --forever;\n"
          "                     blocking mode only; UDP: as --forever, one socket serves all)\n"
          "  --ready-fd N       close fd N once listening (TCP) or bound (UDP)\n"
          "  --reuseaddr        set SO_REUSEADDR before bind (the tutorial does not)\n"
          "  --nodelay          set TCP_NODELAY (Nagle off): each send() leaves as its own\n"
          "                     segment instead of waiting for an unacknowledged one\n"
          "  --trickle-ms N     TCP: echo each received chunk one byte per send(), N ms\n"
          "                     apart (implies --nodelay), so that a client that reads once\n"
          "                     gets only part of the echo\n"
          "  --chunk-sizes LIST TCP: echo each received chunk in pieces of these sizes\n"
          "                     (\"1,5,3\", repeated as needed), one send() each, --trickle-ms\n"
          "                     apart (default 0); implies --nodelay\n"
          "  --close-first      TCP: shutdown(SHUT_WR) right after echoing a connection's\n"
          "                     first recv(), so the server closes first (FIN); then read\n"
          "                     without echoing until the client's EOF, and close\n"
          "  --accept-delay-ms N  TCP: wait N ms after listening before the first accept();\n"
          "                     meanwhile the kernel queues a connecting client and keeps\n"
          "                     what it sends (a slow reader)\n"
          "  --rebind           after serving, close the listener and bind the same address\n"
          "                     with a new socket, as a restarted server does (with\n"
          "                     --reuseaddr, SO_REUSEADDR on it too); exit 1 if bind fails\n"
          "  --unprivileged     drop every capability before socket(), so that bind() is\n"
          "                     judged as for an ordinary user, even as root: a port below\n"
          "                     net.ipv4.ip_unprivileged_port_start (1024) gives EACCES\n"
          "  --v6only           IPv6: set IPV6_V6ONLY before bind, so that a listener on ::\n"
          "                     takes IPv6 clients only\n"
          "  --msg-trunc        UDP: recvfrom() with MSG_TRUNC, which returns a datagram's\n"
          "                     real length even when --recv-size cut it; the echo holds the\n"
          "                     bytes that fitted\n"
          "  --help             this text\n"
          "Exit status: 0 normal end or SIGTERM, 1 set-up error, 2 usage error.\n",
          out);
}

/* The getopt_long() val of each server option. */
enum server_opt {
    OPT_BACKLOG = EH_ENDPOINT_OPT_END,
    OPT_RECV_SIZE,
    OPT_FOREVER,
    OPT_MAX_CONNECTIONS,
    OPT_NO_ACCEPT,
    OPT_SEND_AFTER_EOF,
    OPT_KEEP_SIGPIPE,
    OPT_CONCURRENT,
    OPT_READY_FD,
    OPT_REUSEADDR,
    OPT_NODELAY,
    OPT_TRICKLE_MS,
    OPT_CHUNK_SIZES,
    OPT_CLOSE_FIRST,
    OPT_ACCEPT_DELAY_MS,
    OPT_REBIND,
    OPT_UNPRIVILEGED,
    OPT_V6ONLY,
    OPT_MSG_TRUNC,
    OPT_HELP,
};

/* --chunk-sizes "1,5,3" into s->chunk_sizes. Returns false after a message. */
static bool parse_chunk_sizes(struct server *s, const char *arg)
{
    const char *p = arg;
    s->n_chunk_sizes = 0;
    for (;;) {
        char *end = NULL;
        errno = 0;
        long v = *p >= '0' && *p <= '9' ? strtol(p, &end, 10) : 0;
        if (errno != 0 || v < 1 || v > MAX_PIECE_BYTES || s->n_chunk_sizes == MAX_CHUNK_SIZES ||
            (*end != ',' && *end != '\0')) {
            fprintf(stderr,
                    "%s: --chunk-sizes: expected up to %d comma-separated sizes from 1 to %ld, "
                    "got '%s'\n",
                    s->prog, MAX_CHUNK_SIZES, MAX_PIECE_BYTES, arg);
            return false;
        }
        s->chunk_sizes[s->n_chunk_sizes++] = (size_t)v;
        if (*end == '\0')
            return true;
        p = end + 1;
    }
}

/* Applies one server option. Returns -1 to go on, or the exit status (0
 * after --help, 2 on a usage error, whose message went to stderr). */
static int server_option(struct server *s, enum server_opt opt, const char *arg)
{
    long v = 0;
    bool ok = true;
    switch (opt) {
    case OPT_HELP:
        usage(stdout, s->prog);
        return 0;
    case OPT_BACKLOG:
        ok = eh_cli_long(s->prog, "backlog", arg, 0, INT_MAX, &v);
        s->backlog = (int)v;
        break;
    case OPT_RECV_SIZE:
        ok = eh_cli_long(s->prog, "recv-size", arg, 1, 64L << 20, &v);
        s->recv_bytes = (size_t)v;
        break;
    case OPT_FOREVER:
        s->forever = true;
        break;
    case OPT_MAX_CONNECTIONS:
        ok = eh_cli_long(s->prog, "max-connections", arg, 1, LONG_MAX, &s->max_connections);
        s->forever = true;
        break;
    case OPT_NO_ACCEPT:
        s->no_accept = true;
        break;
    case OPT_SEND_AFTER_EOF:
        ok = eh_cli_long(s->prog, "send-after-eof", arg, 0, 1000000, &s->send_after_eof_chunks);
        break;
    case OPT_KEEP_SIGPIPE:
        s->keep_sigpipe = true;
        break;
    case OPT_CONCURRENT:
        s->concurrent = s->forever = true;
        break;
    case OPT_READY_FD:
        ok = eh_cli_long(s->prog, "ready-fd", arg, 0, INT_MAX, &v);
        s->ready_fd = (int)v;
        break;
    case OPT_REUSEADDR:
        s->reuseaddr = true;
        break;
    case OPT_NODELAY:
        s->nodelay = true;
        break;
    case OPT_TRICKLE_MS:
        ok = eh_cli_long(s->prog, "trickle-ms", arg, 0, 3600000, &s->trickle_ms);
        s->paced = true;
        break;
    case OPT_CHUNK_SIZES:
        ok = parse_chunk_sizes(s, arg);
        s->paced = true;
        break;
    case OPT_CLOSE_FIRST:
        s->close_first = true;
        break;
    case OPT_ACCEPT_DELAY_MS:
        ok = eh_cli_long(s->prog, "accept-delay-ms", arg, 0, 3600000, &s->accept_delay_ms);
        break;
    case OPT_REBIND:
        s->rebind = true;
        break;
    case OPT_UNPRIVILEGED:
        s->unprivileged = true;
        break;
    case OPT_V6ONLY:
        s->v6only = true;
        break;
    case OPT_MSG_TRUNC:
        s->msg_trunc = true;
        break;
    }
    return ok ? -1 : 2;
}

/* After the options: the checks that involve several of them, the defaults
 * that depend on others, and the faults that override options. Returns
 * false after a message. */
static bool settle_options(struct server *s)
{
    bool udp = s->ep.sock_type == SOCK_DGRAM;
    if (s->concurrent && s->ep.io.mode != EH_IO_BLOCKING) {
        fprintf(stderr, "%s: --concurrent works in blocking mode only\n", s->prog);
        return false;
    }
    if (udp && (s->paced || s->close_first || s->accept_delay_ms > 0)) {
        fprintf(stderr, "%s: --%s works with --transport tcp only\n", s->prog,
                s->close_first           ? "close-first"
                : s->accept_delay_ms > 0 ? "accept-delay-ms"
                : s->n_chunk_sizes > 0   ? "chunk-sizes"
                                         : "trickle-ms");
        return false;
    }
    if (!udp && s->msg_trunc) {
        fprintf(stderr, "%s: --msg-trunc works with --transport udp only\n", s->prog);
        return false;
    }
    if (s->f->ignores_host) { /* the bug: HOST = "127.0.0.1", whatever --host says */
        if (s->ep.family == AF_UNSPEC)
            s->ep.family = eh_addr_guess_family(s->ep.host);
        s->ep.host = NULL; /* the family's loopback address */
    }
    if (!eh_endpoint_resolve(&s->ep, s->prog, &s->addr))
        return false;
    if (s->v6only && s->ep.family != AF_INET6) {
        fprintf(stderr, "%s: --v6only works with --family ipv6 only\n", s->prog);
        return false;
    }
    if (s->msg_trunc)
        s->ep.io.recv_flags = MSG_TRUNC;
    if (s->f->blocking_accepted)
        s->ep.io.accepted_blocking = true;
    if (s->f->sleeps_on_eagain)
        s->ep.io.sleeps_on_eagain = true;
    if (s->f->always_reuseaddr)
        s->reuseaddr = true; /* the bug: a framework's default, whatever the options say */
    if (s->paced)
        s->nodelay = true; /* each piece its own segment, not held back by Nagle */
    if (s->f->never_dies_of_sigpipe)
        s->keep_sigpipe = false;
    if (s->keep_sigpipe || s->f->dies_on_sigpipe)
        s->ep.io.send_flags = 0;
    if (s->f->ignore_sigterm || s->f->ignores_no_accept || s->f->resets || s->f->daemonizes)
        s->forever = true;
    if (s->f->never_accept)
        s->no_accept = true;
    if (s->f->serves_once) /* the bug: no accept loop, whatever the options say */
        s->forever = s->concurrent = false, s->max_connections = 0;
    if (s->f->serial) /* the bug: the accept loop serves each client to the end */
        s->concurrent = false;
    if (s->f->reads_once_closes) /* the tutorial's loop, one client at a time */
        s->concurrent = false;
    if (s->recv_bytes == 0)
        s->recv_bytes = udp ? UDP_DEFAULT_RECV_BYTES : 1024;
    if (udp && s->f->udp_truncates && s->recv_bytes > UDP_TRUNCATING_RECV_BYTES)
        s->recv_bytes = UDP_TRUNCATING_RECV_BYTES; /* the bug: a buffer sized for a stream */
    return true;
}

/* Returns -1 to run, or the exit status (0 after --help, 2 on a usage error). */
static int parse_options(struct server *s, int argc, char **argv)
{
    static const struct option options[] = {
        EH_ENDPOINT_OPTIONS,
        {"backlog", required_argument, NULL, OPT_BACKLOG},
        {"recv-size", required_argument, NULL, OPT_RECV_SIZE},
        {"forever", no_argument, NULL, OPT_FOREVER},
        {"max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS},
        {"no-accept", no_argument, NULL, OPT_NO_ACCEPT},
        {"send-after-eof", required_argument, NULL, OPT_SEND_AFTER_EOF},
        {"keep-sigpipe", no_argument, NULL, OPT_KEEP_SIGPIPE},
        {"concurrent", no_argument, NULL, OPT_CONCURRENT},
        {"ready-fd", required_argument, NULL, OPT_READY_FD},
        {"reuseaddr", no_argument, NULL, OPT_REUSEADDR},
        {"nodelay", no_argument, NULL, OPT_NODELAY},
        {"trickle-ms", required_argument, NULL, OPT_TRICKLE_MS},
        {"chunk-sizes", required_argument, NULL, OPT_CHUNK_SIZES},
        {"close-first", no_argument, NULL, OPT_CLOSE_FIRST},
        {"accept-delay-ms", required_argument, NULL, OPT_ACCEPT_DELAY_MS},
        {"rebind", no_argument, NULL, OPT_REBIND},
        {"unprivileged", no_argument, NULL, OPT_UNPRIVILEGED},
        {"v6only", no_argument, NULL, OPT_V6ONLY},
        {"msg-trunc", no_argument, NULL, OPT_MSG_TRUNC},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    int c, status = -1;
    while (status < 0 && (c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c < EH_OPT_HOST || c > OPT_HELP)
            goto usage_error; /* '?': getopt_long() named the option */
        int shared = eh_endpoint_option(&s->ep, s->prog, c, optarg);
        if (shared < 0)
            goto usage_error;
        if (shared == 0)
            status = server_option(s, (enum server_opt)c, optarg);
    }
    if (status == 0)
        return 0;
    if (status > 0)
        goto usage_error;
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", s->prog, argv[optind]);
        goto usage_error;
    }
    if (!settle_options(s))
        goto usage_error;
    return -1;
usage_error:
    fprintf(stderr, "Try '%s --help'.\n", s->prog);
    return 2;
}

/* The options that bind() obeys (SO_REUSEADDR, IPV6_V6ONLY), then bind().
 * The faulty-server-sockopts-after-bind build sets them after bind() and
 * ignores what setsockopt() says: SO_REUSEADDR then does nothing for this
 * bind, and IPV6_V6ONLY fails with EINVAL on a bound socket. Returns 0, or
 * -1 with errno set. */
static int bind_with_options(const struct server *s, int fd)
{
    bool after = s->f->sockopts_after_bind;
    if (after && eh_bind(fd, &s->addr) < 0)
        return -1;
    if (s->reuseaddr && eh_setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0 && !after)
        return -1;
    if (s->v6only && eh_setsockopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) < 0 && !after)
        return -1;
    return after ? 0 : eh_bind(fd, &s->addr);
}

/* --rebind: a new socket bound to the address the listener had (which is
 * closed by now), and listening (TCP), as a server restarted at once does.
 * TIME_WAIT connections of the old one still hold the port: without
 * SO_REUSEADDR on both, bind() fails with EADDRINUSE. Returns 0 or 1. */
static int rebind(const struct server *s)
{
    int fd = eh_socket(s->ep.family, s->ep.sock_type);
    if (fd < 0 || bind_with_options(s, fd) < 0 ||
        (s->ep.sock_type == SOCK_STREAM && eh_listen(fd, s->backlog) < 0)) {
        char text[EH_ADDR_STRLEN];
        eh_addr_format(&s->addr, text, sizeof(text));
        fprintf(stderr, "%s: --rebind %s: %s\n", s->prog, text, strerror(errno));
        if (fd >= 0)
            eh_close(fd);
        return 1;
    }
    eh_close(fd);
    return 0;
}

/* [capset], socket, bind, listen (TCP), then "ready": the log event, the
 * line on stdout and the closed ready fd, with getsockname()'s address.
 * faulty-server-drops-caps-after-bind calls capset after bind(), and
 * faulty-server-reports-asked-port reports the address bind() was asked
 * for, without getsockname(). Returns the socket, or -1. */
static int open_socket(struct server *s)
{
    const char *step = "capset";
    int fd = -1;
    bool epoll = s->concurrent && s->ep.sock_type == SOCK_STREAM; /* UDP: one socket serves all */
    bool caps_late = s->f->drops_caps_after_bind; /* the bug: bind() still privileged */
    if (s->unprivileged && !caps_late && eh_drop_capabilities() < 0)
        goto fail;
    step = "socket";
    fd = eh_socket(s->ep.family,
                   s->ep.sock_type | eh_io_socket_flags(&s->ep.io) | (epoll ? SOCK_NONBLOCK : 0));
    if (fd < 0)
        goto fail;
    step = "setsockopt";
    if (eh_io_setup(&s->ep.io, fd, false) < 0)
        goto fail;
    /* Linux copies TCP_NODELAY from the listener to every accepted socket. */
    if (s->nodelay && s->ep.sock_type == SOCK_STREAM &&
        eh_setsockopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 1) < 0)
        goto fail;
    step = "bind";
    if (bind_with_options(s, fd) < 0)
        goto fail;
    step = "capset";
    if (s->unprivileged && caps_late && eh_drop_capabilities() < 0)
        goto fail;
    step = "listen";
    if (s->ep.sock_type == SOCK_STREAM && eh_listen(fd, s->backlog) < 0)
        goto fail;
    struct sockaddr_storage bound = s->addr; /* the bug: what bind() was asked for */
    step = "getsockname";
    if (!s->f->reports_asked_port && eh_getsockname(fd, &bound) < 0)
        goto fail;
    eh_evlog_ready(fd, &bound);
    print_addr("listening on", &bound);
    if (s->ready_fd >= 0)
        close(s->ready_fd);
    return fd;
fail:;
    char text[EH_ADDR_STRLEN];
    eh_addr_format(&s->addr, text, sizeof(text));
    fprintf(stderr, "%s: %s %s: %s\n", s->prog, step, text, strerror(errno));
    if (fd >= 0)
        eh_close(fd);
    return -1;
}

/* The bytes to send back for the bytes received: the same ones (RFC 862),
 * unless this is the corrupting build. */
static void echo_transform(const struct server *s, unsigned char *buf, size_t len)
{
    if (s->f->corrupt)
        for (size_t i = 0; i < len; i++)
            buf[i] ^= 0x20;
}

/* Sleeps ms milliseconds, or less if SIGTERM or SIGINT comes. */
static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    if (ms > 0 && !stop_requested)
        nanosleep(&ts, NULL);
}

/* --trickle-ms, --chunk-sizes: sends buf in pieces (one byte each, or the
 * --chunk-sizes cycled), one sendall each, with a pause between two. */
static ssize_t send_paced(const struct server *s, int fd, const unsigned char *buf, size_t len)
{
    size_t off = 0;
    for (size_t i = 0; off < len; i++) {
        if (i > 0)
            pause_ms(s->trickle_ms);
        size_t piece = s->n_chunk_sizes > 0 ? s->chunk_sizes[i % s->n_chunk_sizes] : 1;
        if (piece > len - off)
            piece = len - off;
        ssize_t r = eh_io_sendall(&s->ep.io, fd, buf + off, piece);
        if (r < 0)
            return r;
        off += piece;
    }
    return (ssize_t)len;
}

/* faulty-server-stops-under-backpressure: send() with MSG_DONTWAIT until
 * done or until the send buffer is full; then the rest is dropped and the
 * echo reported complete. */
static ssize_t send_or_drop(const struct server *s, int fd, const unsigned char *buf, size_t len)
{
    size_t sent = 0;
    while (sent < len) {
        ssize_t n = eh_send(fd, buf + sent, len - sent, MSG_DONTWAIT | s->ep.io.send_flags);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break; /* the bug: "the peer is slow, skip it" */
        if (n < 0)
            return -1;
        sent += (size_t)n;
    }
    return (ssize_t)len;
}

/* Sends the echo of one received chunk: with sendall (the tutorial's), or
 * paced. Returns len, -1 or EH_IO_TIMEDOUT, as eh_io_sendall(). */
static ssize_t send_echo(const struct server *s, int fd, const unsigned char *buf, size_t len)
{
    if (s->f->drops_on_backpressure)
        return send_or_drop(s, fd, buf, len);
    if (s->paced)
        return send_paced(s, fd, buf, len);
    return eh_io_sendall(&s->ep.io, fd, buf, len);
}

/* --send-after-eof: sends the chunks one send() each, whatever happens, and
 * returns the conn_end reason: the first send error, or "eof". */
static const char *send_after_eof(const struct server *s, int fd)
{
    unsigned char chunk[SEND_AFTER_EOF_CHUNK_BYTES];
    memset(chunk, 'x', sizeof(chunk));
    const char *reason = "eof";
    for (long i = 0; i < s->send_after_eof_chunks; i++) {
        if (eh_send(fd, chunk, sizeof(chunk), s->ep.io.send_flags) < 0 &&
            strcmp(reason, "eof") == 0)
            reason = eh_errno_name(errno);
    }
    return reason;
}

/* Ends a connection whose last result was r (0: EOF; < 0: error in err):
 * the sends after EOF if asked, the conn_end event, close(). Returns 0, or
 * 1 if the process must exit (faulty-server-dies-on-reset). */
static int end_conn(const struct server *s, int fd, ssize_t r, int err)
{
    const char *reason = eh_io_reason(r, err);
    if (r == 0 && s->send_after_eof_chunks > 0)
        reason = send_after_eof(s, fd);
    eh_evlog_conn_end(fd, reason);
    if (r == 0 && s->f->never_close) {
        if (!s->concurrent)
            wait_for_stop(); /* the bug: the client never sees our FIN */
        return 0;
    }
    if (r == 0 && s->f->leaks_fd)
        return 0; /* the bug: no close(), the descriptor stays open for good */
    eh_close(fd);
    if (r == -1 && err == ECONNRESET && s->f->dies_on_reset) {
        fprintf(stderr, "%s: %s\n", s->prog, strerror(err)); /* the bug: any error is fatal */
        return 1;
    }
    return 0;
}

/* hostile-crashes: dies of SIGSEGV, its default action restored (a
 * sanitizer's handler would turn it into an exit) and without a core file. */
static void die_of_sigsegv(void)
{
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
}

/* hostile-floods-socket: FLOOD_SOCKET_BYTES nobody asked for, without
 * reading a byte, until done or the first error (the client went away). */
static void flood_socket(const struct server *s, int fd)
{
    static unsigned char chunk[FLOOD_SOCKET_CHUNK];
    memset(chunk, 'f', sizeof(chunk));
    for (long sent = 0; sent < FLOOD_SOCKET_BYTES && !stop_requested; sent += FLOOD_SOCKET_CHUNK)
        if (eh_io_sendall(&s->ep.io, fd, chunk, sizeof(chunk)) < 0)
            return;
}

/* The hostile builds' ways with an accepted connection: RST at once
 * (hostile-resets) or a flood (hostile-floods-socket). Returns true if it
 * took the connection, which is then closed. */
static bool hostile_conn(const struct server *s, int fd)
{
    if (s->f->resets)
        eh_setsockopt_linger0(fd);
    else if (s->f->floods_socket)
        flood_socket(s, fd);
    else
        return false;
    eh_close(fd);
    return true;
}

/* The tutorial's loop: recv, sendall what came, until recv returns 0 or an
 * error ends the connection. With --close-first the first echo is followed
 * by shutdown(SHUT_WR), and what comes after is read but not echoed, so
 * that no unread data turns the close into a RST. The echoes_once build
 * echoes only the first recv() and then reads (without echoing) until EOF.
 * Returns end_conn()'s result. */
static int serve_conn(const struct server *s, int fd)
{
    ssize_t r;
    bool echoed = false, shut = false;
    for (;;) {
        r = eh_io_recv(&s->ep.io, fd, s->buf, s->recv_bytes, NULL);
        if (r <= 0)
            break;
        if (shut)
            continue;
        if ((s->f->echoes_once && echoed) || s->f->never_writes)
            continue; /* the bug: what the later recv() calls return is dropped */
        echoed = true;
        echo_transform(s, s->buf, (size_t)r);
        r = send_echo(s, fd, s->buf, (size_t)r);
        if (r < 0)
            break;
        if (s->f->crash_after_echo)
            die_of_sigsegv();
        if (s->close_first && (r = eh_shutdown(fd, SHUT_WR)) < 0)
            break;
        shut = s->close_first;
        if (s->f->reads_once_closes) { /* the bug: one message per connection */
            eh_evlog_conn_end(fd, "done");
            eh_close(fd);
            return 0;
        }
    }
    return end_conn(s, fd, r, errno);
}

/* One connection at a time: accept, serve, repeat if --forever. */
static int serve_tcp(const struct server *s, int lfd)
{
    long served = 0;
    pause_ms(s->accept_delay_ms);
    while (!stop_requested) {
        struct sockaddr_storage peer;
        int fd = eh_io_accept(&s->ep.io, lfd, &peer, s->f->swap_accept_addrs);
        if (fd == EH_IO_TIMEDOUT) {
            eh_evlog_conn_end(lfd, "timeout");
            return 0;
        }
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            fprintf(stderr, "%s: accept: %s\n", s->prog, strerror(errno));
            return 1;
        }
        print_addr("connected by", &peer);
        if (s->f->hang_after_accept) {
            wait_for_stop(); /* the bug: never reads, never closes */
            return 0;
        }
        if (!hostile_conn(s, fd) && serve_conn(s, fd) != 0)
            return 1;
        served++;
        if (!s->forever || (s->max_connections > 0 && served >= s->max_connections))
            break;
    }
    return 0;
}

/* The state of serve_concurrent(). */
struct conc {
    int epfd;       /* the epoll set */
    int lfd;        /* the listener */
    long accepted;  /* connections accepted so far */
    long open;      /* connections in the set */
    bool accepting; /* the listener is in the set */
    int newest;     /* the last connection accepted and still open; -1: none */
};

/* The epoll data of a connection: its fd, and CONC_SHUT once --close-first
 * has shut down its sending side (from then on it is only read). */
#define CONC_SHUT (1ULL << 32)

/* A ready listener: accept one connection and add it to the set. */
static void conc_accept(const struct server *s, struct conc *c)
{
    struct sockaddr_storage peer;
    int cfd = eh_accept(c->lfd, 0, &peer, s->f->swap_accept_addrs);
    if (cfd < 0)
        return; /* EAGAIN or ECONNABORTED: nothing to serve */
    print_addr("connected by", &peer);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)cfd};
    epoll_ctl(c->epfd, EPOLL_CTL_ADD, cfd, &ev);
    c->open++;
    c->newest = cfd;
    if (s->max_connections > 0 && ++c->accepted >= s->max_connections) {
        epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->lfd, NULL);
        c->accepting = false;
    }
}

/* A ready connection (data: its epoll data): one recv and the echo of
 * what came (after --close-first's shutdown, nothing), or its end. Returns
 * end_conn()'s result. */
static int conc_echo(const struct server *s, struct conc *c, uint64_t data)
{
    int fd = (int)(data & ~CONC_SHUT);
    ssize_t r = eh_recv(fd, s->buf, s->recv_bytes, 0);
    if (r > 0 && (data & CONC_SHUT) != 0)
        return 0;
    if (r > 0) {
        /* the mixes_streams bug: one "current client" shared by all */
        int to = s->f->mixes_streams && c->newest >= 0 ? c->newest : fd;
        echo_transform(s, s->buf, (size_t)r);
        r = send_echo(s, to, s->buf, (size_t)r);
        if (r >= 0 && s->close_first && (r = eh_shutdown(fd, SHUT_WR)) == 0) {
            struct epoll_event ev = {.events = EPOLLIN, .data.u64 = data | CONC_SHUT};
            epoll_ctl(c->epfd, EPOLL_CTL_MOD, fd, &ev);
        }
        if (r >= 0)
            return 0;
    }
    int err = errno;
    epoll_ctl(c->epfd, EPOLL_CTL_DEL, fd, NULL);
    if (fd == c->newest)
        c->newest = -1;
    c->open--;
    return end_conn(s, fd, r, err);
}

/* Many connections at once: one epoll set holds the (non-blocking)
 * listener and every (blocking) connection; each ready connection gets one
 * recv and the sendall of what came. */
static int serve_concurrent(const struct server *s, int lfd)
{
    struct conc c = {
        .epfd = epoll_create1(EPOLL_CLOEXEC), .lfd = lfd, .accepting = true, .newest = -1};
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)lfd};
    if (c.epfd < 0 || epoll_ctl(c.epfd, EPOLL_CTL_ADD, lfd, &ev) < 0) {
        fprintf(stderr, "%s: epoll: %s\n", s->prog, strerror(errno));
        return 1;
    }
    int status = 0;
    while (status == 0 && !stop_requested && (c.accepting || c.open > 0)) {
        struct epoll_event ready[EPOLL_BATCH];
        int n = eh_epoll_wait(c.epfd, ready, EPOLL_BATCH, -1);
        for (int i = 0; i < n && status == 0; i++) {
            if (ready[i].data.u64 == (uint64_t)lfd)
                conc_accept(s, &c);
            else
                status = conc_echo(s, &c, ready[i].data.u64);
        }
    }
    close(c.epfd);
    return status;
}

/* faulty-server-udp-merges: appends to s->buf, after the len bytes of the
 * first datagram, every datagram that follows within UDP_MERGE_GAP_MS, as
 * if UDP were a byte stream. Returns the new length. */
static size_t gather_datagrams(const struct server *s, int fd, size_t len)
{
    while (len < s->recv_bytes && eh_poll(fd, POLLIN, UDP_MERGE_GAP_MS) > 0) {
        struct sockaddr_storage from;
        ssize_t n = eh_recvfrom(fd, s->buf + len, s->recv_bytes - len, MSG_DONTWAIT, &from);
        if (n < 0)
            break;
        len += (size_t)n;
    }
    return len;
}

/* UDP: each datagram is echoed to its sender, an empty one too (RFC 862). */
static int serve_udp(const struct server *s, int fd)
{
    long served = 0;
    while (!stop_requested) {
        struct sockaddr_storage peer;
        ssize_t r = eh_io_recv(&s->ep.io, fd, s->buf, s->recv_bytes, &peer);
        if (r == -1 && errno == EINTR)
            continue;
        if (r < 0) {
            eh_evlog_conn_end(fd, eh_io_reason(r, errno));
            return r == EH_IO_TIMEDOUT ? 0 : 1;
        }
        if (r == 0 && s->f->udp_wedged_by_empty) {
            eh_evlog_conn_end(fd, "eof"); /* the bug: 0 bytes read taken for end of stream */
            wait_for_stop();
            return 0;
        }
        if (r > (ssize_t)s->recv_bytes)
            r = (ssize_t)s->recv_bytes; /* --msg-trunc: the real length; the rest is gone */
        if (s->f->udp_merges)
            r = (ssize_t)gather_datagrams(s, fd, (size_t)r);
        echo_transform(s, s->buf, (size_t)r);
        eh_sendto(fd, s->buf, (size_t)r, s->ep.io.send_flags, &peer);
        served++;
        if (!s->forever || (s->max_connections > 0 && served >= s->max_connections))
            break;
    }
    return 0;
}

#define FLOOD_LINE "flood flood flood flood flood flood flood flood flood flood\n"
#define FLOOD_BEFORE_LISTEN_BYTES (4u << 20)

/* hostile-floods-output, first part: 4 MiB to stdout and to stderr before the
 * server listens, so the flood is certain whatever the timing, and a harness
 * that did not drain its pipes would never see the server become ready. */
static void flood_before_listen(void)
{
    static const char line[] = FLOOD_LINE;
    for (size_t sent = 0; sent < FLOOD_BEFORE_LISTEN_BYTES; sent += sizeof(line) - 1) {
        if (write(STDOUT_FILENO, line, sizeof(line) - 1) <= 0 ||
            write(STDERR_FILENO, line, sizeof(line) - 1) <= 0)
            return;
    }
}

/* hostile-floods-output, second part: writes to stdout and stderr until both
 * fail, while the server serves. */
static void *flood_output(void *arg)
{
    static const char line[] = FLOOD_LINE;
    (void)arg;
    bool out_ok = true, err_ok = true;
    while (out_ok || err_ok) {
        out_ok = out_ok && write(STDOUT_FILENO, line, sizeof(line) - 1) > 0;
        err_ok = err_ok && write(STDERR_FILENO, line, sizeof(line) - 1) > 0;
    }
    return NULL;
}

/* hostile-forks-child: a child that keeps the listening socket (and so the
 * port) and the output pipes open, and sleeps until it is killed. */
static void leave_child_behind(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        for (;;)
            pause();
    }
}

/* hostile-daemonizes: the classic daemon's double fork, after the server is
 * ready. The first process returns false (and exits 0); the first child
 * starts a session and exits; its child, the daemon, moves its standard
 * streams to /dev/null and returns true to serve on with the listening
 * socket. */
static bool become_daemon(void)
{
    if (fork() != 0)
        return false;
    setsid();
    if (fork() != 0)
        _exit(0);
    int null = open("/dev/null", O_RDWR);
    for (int i = 0; null >= 0 && i < 3; i++)
        dup2(null, i);
    if (null > 2)
        close(null);
    return true;
}

/* --concurrent: as many descriptors as the hard limit allows, so that
 * thousands of clients fit whatever the soft limit (often 1024) says. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* Serves on the ready socket fd, as the options and faults say. Returns the
 * exit status. */
static int serve(struct server *s, int fd)
{
    const struct eh_server_faults *faults = s->f;
    pthread_t flooder;
    if (faults->flood_output)
        pthread_create(&flooder, NULL, flood_output, NULL);
    if (faults->fork_child)
        leave_child_behind();
    if (faults->daemonizes && !become_daemon())
        return 0;
    if (s->no_accept && !faults->ignores_no_accept) {
        wait_for_stop();
        return 0;
    }
    if (s->ep.sock_type == SOCK_DGRAM)
        return serve_udp(s, fd);
    if (s->concurrent)
        return serve_concurrent(s, fd);
    return serve_tcp(s, fd);
}

int eh_server_main(int argc, char **argv, const struct eh_server_faults *faults)
{
    struct server s = {.prog = argv[0], .f = faults, .backlog = 5, .ready_fd = -1};
    eh_endpoint_init(&s.ep);
    int status = parse_options(&s, argc, argv);
    if (status >= 0)
        return status;
    if (!eh_evlog_open(s.ep.log_path)) {
        fprintf(stderr, "%s: --log %s: %s\n", s.prog, s.ep.log_path, strerror(errno));
        return 1;
    }
    setup_signals(s.ep.io.send_flags == 0, faults->ignore_sigterm);
    s.buf = malloc(s.recv_bytes);
    if (s.buf == NULL) {
        fprintf(stderr, "%s: out of memory\n", s.prog);
        return 1;
    }
    if (s.concurrent)
        raise_fd_limit();
    int fd = -1;
    if (faults->flood_output)
        flood_before_listen();
    if (faults->close_output) {
        close(STDOUT_FILENO); /* the descriptors go to the next sockets */
        close(STDERR_FILENO);
    }
    if (faults->never_listen) {
        wait_for_stop();
        status = 0;
    } else if ((fd = open_socket(&s)) < 0) {
        status = 1;
    } else {
        status = serve(&s, fd);
        eh_close(fd);
        if (status == 0 && s.rebind)
            status = rebind(&s);
    }
    free(s.buf);
    eh_evlog_exit(status);
    return status;
}
