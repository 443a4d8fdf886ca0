/* client.c - the reference echo client (RFC 862), and its faulty variants.
 *
 * See client.h. One connection is run_tcp(): connect_tcp() (socket,
 * [bind], connect), then either the tutorial's exchange_once() (sendall,
 * [shutdown], one recv) or, with --read-all, exchange_all(), which sends and
 * receives at the same time under poll() so that a payload larger than the
 * socket buffers cannot deadlock against a server that echoes as it reads.
 * run_udp() sends one datagram and waits a bounded time for the reply.
 * Every socket call goes through calls.h/io.h and so lands in the event log.
 */
#include "client.h"

#include "addr.h"
#include "calls.h"
#include "cli.h"
#include "evlog.h"
#include "io.h"
#include "load.h"
#include "prng.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD_MAX_BYTES (64L << 20) /* largest --payload-file / --payload-random */
#define PRINT_MAX_BYTES 256           /* bytes of the echo shown on stdout */
#define UDP_DEFAULT_WAIT_MS 1000      /* how long a UDP client waits for the reply */
#define UDP_DEFAULT_RECV_BYTES 65536  /* UDP default: any datagram fits */
#define REFUSED_RETRY_MS 100          /* faulty-client-hangs-on-refused: pause between tries */
#define UDP_SPLIT_BYTES 65507         /* faulty-client-udp-splits: largest piece (IPv4's limit) */

struct client {
    const char *prog;                 /* argv[0], for messages */
    const struct eh_client_faults *f; /* the deliberate bug, if any */
    struct eh_endpoint ep;            /* host, port, transport, family, mode, log */
    struct sockaddr_storage addr;     /* the server */
    unsigned char *payload;           /* what to send */
    size_t payload_bytes;
    size_t recv_bytes;                    /* buffer size passed to recv() */
    bool read_all;                        /* read until the whole echo or EOF came */
    bool shutdown_write;                  /* shutdown(SHUT_WR) after sending */
    bool abort_close;                     /* SO_LINGER {1,0} before close: RST */
    bool no_read;                         /* close without reading */
    bool send_once;                       /* one send(), whatever count it returns */
    long sndbuf;                          /* SO_SNDBUF before connect; 0: the kernel's */
    long bind_port;                       /* explicit local port; -1: let connect() choose */
    long close_delay_ms;                  /* sleep before close */
    long connections;                     /* sequential connections */
    struct eh_load_spec load;             /* --load: connections 0 unless given */
    unsigned char *rbuf;                  /* recv_bytes bytes */
    unsigned char shown[PRINT_MAX_BYTES]; /* the first bytes received, for stdout */
    size_t got_bytes;                     /* bytes received on this connection */
    size_t sent_bytes;                    /* bytes sent on this connection */
};

/* Where the payload comes from (the last --payload-* option wins). */
enum payload_source {
    PAYLOAD_TEXT,
    PAYLOAD_HEX,
    PAYLOAD_FILE,
    PAYLOAD_RANDOM,
};

static void usage(FILE *out, const char *prog)
{
    fprintf(out,
            "usage: %s [OPTION...]\n"
            "A TCP/UDP echo client (RFC 862). By default the tutorial's: connect to\n"
            "127.0.0.1:65432, send \"Hello, world\", recv once (1024 bytes), print\n"
            "\"Received N bytes: ...\", close.\n\n",
            prog);
    eh_endpoint_help(out);
    fputs("  --payload-text S   send the text S (default \"Hello, world\")\n"
          "  --payload-hex H    send the bytes written in hex (\"00ff41\")\n"
          "  --payload-file F   send the contents of file F\n"
          "  --payload-random N send N pseudo-random bytes (SplitMix64, see --seed)\n"
          "  --seed S           seed of --payload-random (default 1): same seed, same bytes\n"
          "  --read-all         read until the whole echo came back or EOF (sends and\n"
          "                     receives at once, so any size works)\n"
          "  --recv-size N      bytes per recv() (default 1024; UDP 65536)\n"
          "  --shutdown-write   shutdown(SHUT_WR) after sending; with --read-all read to EOF\n"
          "  --bind-port P      bind this local port before connect\n"
          "  --abort            close with SO_LINGER {1,0}: the kernel sends RST, not FIN\n"
          "  --no-read          close without reading\n"
          "  --send-once        send with one send() and go on with the count it returned,\n"
          "                     as a program that calls send() where sendall() belongs: the\n"
          "                     rest is never sent (with --read-all, read the echo of what\n"
          "                     went); in nonblocking mode a full send buffer makes the\n"
          "                     count short\n"
          "  --sndbuf N         set SO_SNDBUF to N bytes before connect (the kernel doubles\n"
          "                     it), so that a single send() can queue only so much\n"
          "  --close-delay-ms N sleep N ms before close\n"
          "  --connections N    N connections, one after the other (default 1)\n"
          "  --load N           load mode: N TCP connections at once (epoll), each echoing\n"
          "                     --bytes-per-conn bytes of its own --payload-random stream\n"
          "                     (seed S+i for connection i) in --chunk-bytes requests,\n"
          "                     one at a time; every byte checked; prints throughput and\n"
          "                     the round trip's p50 and p99. Raises RLIMIT_NOFILE to the\n"
          "                     hard limit. The event log keeps each connection's set-up\n"
          "                     and end, not its sends and receives\n"
          "  --bytes-per-conn B load mode: bytes echoed per connection (default 1048576)\n"
          "  --chunk-bytes C    load mode: bytes per request (default 16384)\n"
          "  --help             this text\n"
          "UDP: one datagram is sent with sendto() and the reply awaited with recvfrom()\n"
          "for at most --timeout-ms (default 1000).\n"
          "Exit status: 0 when every socket call went as planned, 1 on an unplanned\n"
          "error (refused, reset, timeout, ...), 2 usage error.\n",
          out);
}

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Reads all of the regular file path into a new buffer. */
static bool read_file(const char *path, unsigned char **out, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return false;
    long size = fseek(fp, 0, SEEK_END) == 0 ? ftell(fp) : -1;
    unsigned char *buf = NULL;
    bool ok = size >= 0 && size <= PAYLOAD_MAX_BYTES && fseek(fp, 0, SEEK_SET) == 0 &&
              (buf = malloc((size_t)size + 1)) != NULL &&
              fread(buf, 1, (size_t)size, fp) == (size_t)size;
    int err = size > PAYLOAD_MAX_BYTES ? EFBIG : errno;
    fclose(fp);
    if (!ok) {
        free(buf);
        errno = err;
        return false;
    }
    *out = buf;
    *len = (size_t)size;
    return true;
}

/* True if s is an even number of hex digits. */
static bool is_hex(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (hex_digit(s[i]) < 0)
            return false;
    return n % 2 == 0;
}

/* Fills c->payload from the chosen source. Returns false after a message. */
static bool make_payload(struct client *c, enum payload_source src, const char *arg,
                         long random_bytes, uint64_t seed)
{
    switch (src) {
    case PAYLOAD_TEXT:
        c->payload_bytes = strlen(arg);
        c->payload = (unsigned char *)strdup(arg);
        return c->payload != NULL;
    case PAYLOAD_HEX:
        if (!is_hex(arg)) {
            fprintf(stderr, "%s: --payload-hex: expected pairs of hex digits, got '%s'\n", c->prog,
                    arg);
            return false;
        }
        c->payload_bytes = strlen(arg) / 2;
        c->payload = malloc(c->payload_bytes + 1);
        for (size_t i = 0; c->payload != NULL && i < c->payload_bytes; i++)
            c->payload[i] = (unsigned char)(hex_digit(arg[2 * i]) << 4 | hex_digit(arg[2 * i + 1]));
        return c->payload != NULL;
    case PAYLOAD_FILE:
        if (!read_file(arg, &c->payload, &c->payload_bytes)) {
            fprintf(stderr, "%s: --payload-file %s: %s\n", c->prog, arg, strerror(errno));
            return false;
        }
        return true;
    case PAYLOAD_RANDOM:
        c->payload_bytes = (size_t)random_bytes;
        c->payload = malloc(c->payload_bytes + 1);
        if (c->payload != NULL)
            eh_prng_fill(seed, c->payload, c->payload_bytes);
        return c->payload != NULL;
    }
    return false;
}

/* The getopt_long() val of each client option. */
enum client_opt {
    OPT_PAYLOAD_TEXT = EH_ENDPOINT_OPT_END,
    OPT_PAYLOAD_HEX,
    OPT_PAYLOAD_FILE,
    OPT_PAYLOAD_RANDOM,
    OPT_SEED,
    OPT_READ_ALL,
    OPT_RECV_SIZE,
    OPT_SHUTDOWN_WRITE,
    OPT_BIND_PORT,
    OPT_ABORT,
    OPT_NO_READ,
    OPT_SEND_ONCE,
    OPT_SNDBUF,
    OPT_CLOSE_DELAY_MS,
    OPT_CONNECTIONS,
    OPT_LOAD,
    OPT_BYTES_PER_CONN,
    OPT_CHUNK_BYTES,
    OPT_HELP,
};

/* What the options say about the payload and the buffer, before
 * make_payload() and the defaults turn it into the client's fields. */
struct client_args {
    enum payload_source src; /* the last --payload-* option */
    const char *src_arg;     /* its argument */
    long random_bytes;       /* --payload-random */
    long seed;               /* --seed */
    long recv_bytes;         /* --recv-size; 0: the transport's default */
};

/* Applies one client option. Returns -1 to go on, or the exit status (0
 * after --help, 2 on a usage error, whose message went to stderr). */
static int client_option(struct client *c, struct client_args *a, enum client_opt opt,
                         const char *arg)
{
    bool ok = true;
    switch (opt) {
    case OPT_HELP:
        usage(stdout, c->prog);
        return 0;
    case OPT_PAYLOAD_TEXT:
        a->src = PAYLOAD_TEXT, a->src_arg = arg;
        break;
    case OPT_PAYLOAD_HEX:
        a->src = PAYLOAD_HEX, a->src_arg = arg;
        break;
    case OPT_PAYLOAD_FILE:
        a->src = PAYLOAD_FILE, a->src_arg = arg;
        break;
    case OPT_PAYLOAD_RANDOM:
        a->src = PAYLOAD_RANDOM;
        ok = eh_cli_long(c->prog, "payload-random", arg, 0, PAYLOAD_MAX_BYTES, &a->random_bytes);
        break;
    case OPT_SEED:
        ok = eh_cli_long(c->prog, "seed", arg, 0, LONG_MAX, &a->seed);
        break;
    case OPT_READ_ALL:
        c->read_all = true;
        break;
    case OPT_RECV_SIZE:
        ok = eh_cli_long(c->prog, "recv-size", arg, 1, 64L << 20, &a->recv_bytes);
        break;
    case OPT_SHUTDOWN_WRITE:
        c->shutdown_write = true;
        break;
    case OPT_BIND_PORT:
        ok = eh_cli_long(c->prog, "bind-port", arg, 0, 65535, &c->bind_port);
        break;
    case OPT_ABORT:
        c->abort_close = true;
        break;
    case OPT_NO_READ:
        c->no_read = true;
        break;
    case OPT_SEND_ONCE:
        c->send_once = true;
        break;
    case OPT_SNDBUF:
        ok = eh_cli_long(c->prog, "sndbuf", arg, 1, INT_MAX / 2, &c->sndbuf);
        break;
    case OPT_CLOSE_DELAY_MS:
        ok = eh_cli_long(c->prog, "close-delay-ms", arg, 0, 3600000, &c->close_delay_ms);
        break;
    case OPT_CONNECTIONS:
        ok = eh_cli_long(c->prog, "connections", arg, 1, 1000000, &c->connections);
        break;
    case OPT_LOAD:
        ok = eh_cli_long(c->prog, "load", arg, 1, EH_LOAD_MAX_CONNECTIONS, &c->load.connections);
        break;
    case OPT_BYTES_PER_CONN:
        ok = eh_cli_long(c->prog, "bytes-per-conn", arg, 1, EH_LOAD_MAX_BYTES_PER_CONN,
                         &c->load.bytes_per_conn);
        break;
    case OPT_CHUNK_BYTES:
        ok = eh_cli_long(c->prog, "chunk-bytes", arg, 1, EH_LOAD_MAX_CHUNK_BYTES,
                         &c->load.chunk_bytes);
        break;
    }
    return ok ? -1 : 2;
}

/* Returns -1 to run, or the exit status (0 after --help, 2 on a usage error). */
static int parse_options(struct client *c, int argc, char **argv)
{
    static const struct option options[] = {
        EH_ENDPOINT_OPTIONS,
        {"payload-text", required_argument, NULL, OPT_PAYLOAD_TEXT},
        {"payload-hex", required_argument, NULL, OPT_PAYLOAD_HEX},
        {"payload-file", required_argument, NULL, OPT_PAYLOAD_FILE},
        {"payload-random", required_argument, NULL, OPT_PAYLOAD_RANDOM},
        {"seed", required_argument, NULL, OPT_SEED},
        {"read-all", no_argument, NULL, OPT_READ_ALL},
        {"recv-size", required_argument, NULL, OPT_RECV_SIZE},
        {"shutdown-write", no_argument, NULL, OPT_SHUTDOWN_WRITE},
        {"bind-port", required_argument, NULL, OPT_BIND_PORT},
        {"abort", no_argument, NULL, OPT_ABORT},
        {"no-read", no_argument, NULL, OPT_NO_READ},
        {"send-once", no_argument, NULL, OPT_SEND_ONCE},
        {"sndbuf", required_argument, NULL, OPT_SNDBUF},
        {"close-delay-ms", required_argument, NULL, OPT_CLOSE_DELAY_MS},
        {"connections", required_argument, NULL, OPT_CONNECTIONS},
        {"load", required_argument, NULL, OPT_LOAD},
        {"bytes-per-conn", required_argument, NULL, OPT_BYTES_PER_CONN},
        {"chunk-bytes", required_argument, NULL, OPT_CHUNK_BYTES},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    struct client_args a = {.src = PAYLOAD_TEXT, .src_arg = "Hello, world", .seed = 1};
    int ch, status = -1;
    while (status < 0 && (ch = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (ch < EH_OPT_HOST || ch > OPT_HELP)
            goto usage_error; /* '?': getopt_long() named the option */
        int shared = eh_endpoint_option(&c->ep, c->prog, ch, optarg);
        if (shared < 0)
            goto usage_error;
        if (shared == 0)
            status = client_option(c, &a, (enum client_opt)ch, optarg);
    }
    if (status == 0)
        return 0;
    if (status > 0)
        goto usage_error;
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", c->prog, argv[optind]);
        goto usage_error;
    }
    if (c->f->wrong_port)
        c->ep.port = c->ep.port % 65535 + 1; /* the bug: an off-by-one port */
    if (!eh_endpoint_resolve(&c->ep, c->prog, &c->addr) ||
        !make_payload(c, a.src, a.src_arg, a.random_bytes, (uint64_t)a.seed))
        goto usage_error;
    if (c->load.connections > 0 && c->ep.sock_type != SOCK_STREAM) {
        fprintf(stderr, "%s: --load works with --transport tcp only\n", c->prog);
        goto usage_error;
    }
    c->load.prog = c->prog;
    c->load.addr = c->addr;
    c->load.seed = (uint64_t)a.seed;
    c->load.timeout_ms = c->ep.io.timeout_ms;
    if (c->f->reads_once)
        c->read_all = false;
    if (c->f->fixed_port)
        c->bind_port = EH_FAULTY_CLIENT_PORT;
    if (c->f->sends_once)
        c->send_once = true; /* the bug: send() where sendall() belongs */
    if (c->f->timeout_in_seconds && c->ep.io.mode == EH_IO_TIMEOUT) /* the bug: ms as seconds */
        c->ep.io.timeout_ms =
            c->ep.io.timeout_ms > INT_MAX / 1000 ? INT_MAX : c->ep.io.timeout_ms * 1000;
    if (c->ep.sock_type == SOCK_DGRAM && c->ep.io.timeout_ms < 0)
        c->ep.io.timeout_ms = UDP_DEFAULT_WAIT_MS;
    c->recv_bytes = a.recv_bytes > 0                ? (size_t)a.recv_bytes
                    : c->ep.sock_type == SOCK_DGRAM ? UDP_DEFAULT_RECV_BYTES
                                                    : 1024;
    return -1;
usage_error:
    fprintf(stderr, "Try '%s --help'.\n", c->prog);
    return 2;
}

/* Counts received bytes and keeps the first ones for print_received(). */
static void collect(struct client *c, const unsigned char *buf, size_t len)
{
    for (size_t i = 0; i < len && c->got_bytes + i < PRINT_MAX_BYTES; i++)
        c->shown[c->got_bytes + i] = buf[i];
    c->got_bytes += len;
}

/* "Received N bytes: <the bytes, escaped>" on stdout. */
static void print_received(const struct client *c)
{
    printf("Received %zu bytes: ", c->got_bytes);
    size_t shown = c->got_bytes < PRINT_MAX_BYTES ? c->got_bytes : PRINT_MAX_BYTES;
    for (size_t i = 0; i < shown; i++) {
        unsigned char ch = c->shown[i];
        if (ch == '\\')
            fputs("\\\\", stdout);
        else if (ch == '\n')
            fputs("\\n", stdout);
        else if (ch == '\r')
            fputs("\\r", stdout);
        else if (ch == '\t')
            fputs("\\t", stdout);
        else if (ch >= 0x20 && ch < 0x7f)
            putchar(ch);
        else
            printf("\\x%02x", ch);
    }
    if (shown < c->got_bytes)
        printf("... (%zu more)", c->got_bytes - shown);
    putchar('\n');
    fflush(stdout);
}

/* faulty-client-no-exit-on-server-close: sleeps until a signal kills it.
 * SIGTERM and SIGINT get their default action back, in case they came in
 * ignored or blocked. */
static void wait_until_killed(void)
{
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    for (;;)
        pause();
}

/* --send-once: one send() that transfers something (in nonblocking mode an
 * EAGAIN first waits with poll(), as the mode's loops do), and its count.
 * Returns the count, -1 or EH_IO_TIMEDOUT. */
static ssize_t send_once(struct client *c, int fd)
{
    for (;;) {
        ssize_t n = eh_send(fd, c->payload, c->payload_bytes, c->ep.io.send_flags);
        if (n >= 0 || c->ep.io.mode != EH_IO_NONBLOCKING || errno != EAGAIN)
            return n < 0 && c->ep.io.mode == EH_IO_TIMEOUT && errno == EAGAIN ? EH_IO_TIMEDOUT : n;
        int revents = eh_poll(fd, POLLOUT, c->ep.io.timeout_ms);
        if (revents <= 0)
            return revents == 0 ? EH_IO_TIMEDOUT : -1;
    }
}

/* The tutorial's exchange: sendall, [shutdown], one recv (unless --no-read).
 * Returns 0 or an io.h failure result; *reason is set for conn_end. */
static ssize_t exchange_once(struct client *c, int fd, const char **reason)
{
    ssize_t r = c->send_once ? send_once(c, fd)
                             : eh_io_sendall(&c->ep.io, fd, c->payload, c->payload_bytes);
    if (r < 0)
        return r;
    if (c->shutdown_write && eh_shutdown(fd, SHUT_WR) < 0)
        return -1;
    if (c->no_read)
        return 0;
    r = eh_io_recv(&c->ep.io, fd, c->rbuf, c->recv_bytes, NULL);
    if (r < 0)
        return r;
    if (r == 0 && c->f->no_exit_on_server_close && c->payload_bytes > 0)
        wait_until_killed(); /* the bug: nothing came back yet, so wait for it */
    if (r == 0)
        *reason = "eof";
    collect(c, c->rbuf, (size_t)r);
    return 0;
}

/* --read-all: send and receive at once, driven by poll(), until the whole
 * echo came back (or, with --shutdown-write, until EOF). Sends use
 * MSG_DONTWAIT so that a full send buffer never stops the reading; with
 * --send-once the first send() that transfers anything is the only one, and
 * the echo awaited is that many bytes. Returns 0 or an io.h failure result;
 * *reason is set for conn_end. */
static ssize_t exchange_all(struct client *c, int fd, const char **reason)
{
    int wait_ms = c->ep.io.mode == EH_IO_BLOCKING ? -1 : c->ep.io.timeout_ms;
    size_t want = c->payload_bytes; /* bytes to send, and to get back */
    bool shut = false;
    c->sent_bytes = 0;
    for (;;) {
        if (c->sent_bytes == want && c->shutdown_write && !shut) {
            if (eh_shutdown(fd, SHUT_WR) < 0)
                return -1;
            shut = true;
        }
        if (!c->shutdown_write && c->sent_bytes == want && c->got_bytes >= want &&
            !c->f->waits_for_eof) /* the bug: "the server will say when it is done" */
            return 0;
        int revents = eh_poll(fd, POLLIN | (c->sent_bytes < want ? POLLOUT : 0), wait_ms);
        if (revents <= 0)
            return revents == 0 ? EH_IO_TIMEDOUT : -1;
        if (revents & POLLOUT) {
            ssize_t n = eh_send(fd, c->payload + c->sent_bytes, want - c->sent_bytes,
                                MSG_DONTWAIT | c->ep.io.send_flags);
            if (n < 0 && errno != EAGAIN)
                return -1;
            c->sent_bytes += n > 0 ? (size_t)n : 0;
            if (c->send_once && n > 0)
                want = c->sent_bytes;
        }
        if (revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = eh_recv(fd, c->rbuf, c->recv_bytes, MSG_DONTWAIT);
            if (n == 0 && c->f->no_exit_on_server_close && c->got_bytes < want)
                wait_until_killed(); /* the bug: "the rest of the echo is still coming" */
            if (n == 0) {
                *reason = "eof";
                return 0;
            }
            if (n < 0 && errno != EAGAIN)
                return -1;
            if (n > 0)
                collect(c, c->rbuf, (size_t)n);
        }
    }
}

/* bind(--bind-port) on the family's wildcard address, if asked. */
static int bind_local(const struct client *c, int fd)
{
    if (c->bind_port < 0)
        return 0;
    struct sockaddr_storage local;
    eh_addr_resolve(NULL, (int)c->bind_port, c->ep.family, &local);
    return eh_bind(fd, &local);
}

/* Ends the attempt: message for a failure, delay, [abort], conn_end, close.
 * Returns the exit status of this connection. */
static int finish(struct client *c, int fd, const char *step, ssize_t r, const char *reason)
{
    int err = errno;
    int status = 0;
    if (r < 0) {
        char text[EH_ADDR_STRLEN];
        eh_addr_format(&c->addr, text, sizeof(text));
        fprintf(stderr, "%s: %s %s: %s\n", c->prog, step, text,
                r == EH_IO_TIMEDOUT ? "timed out" : strerror(err));
        reason = eh_io_reason(r, err);
        status = 1;
    }
    if (fd < 0)
        return status;
    if (c->close_delay_ms > 0) {
        struct timespec ts = {c->close_delay_ms / 1000, (c->close_delay_ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
    }
    if (c->abort_close)
        eh_setsockopt_linger0(fd);
    eh_evlog_conn_end(fd, reason);
    eh_close(fd);
    if (status == 0 && !c->no_read)
        print_received(c);
    return status;
}

/* socket() in io's mode: with SOCK_NONBLOCK in nonblocking mode. The
 * faulty-client-setfd-nonblock build makes a plain socket and then calls
 * fcntl(F_SETFD, O_NONBLOCK), which sets descriptor flags (FD_CLOEXEC is the
 * only one), not the file status flag O_NONBLOCK (F_SETFL): the socket stays
 * blocking and fcntl() still returns 0. */
static int open_socket(const struct client *c, const struct eh_io *io, int type)
{
    if (!c->f->setfd_nonblock || io->mode != EH_IO_NONBLOCKING)
        return eh_socket(c->ep.family, type | eh_io_socket_flags(io));
    int fd = eh_socket(c->ep.family, type);
    if (fd >= 0)
        eh_fcntl(fd, F_SETFD, O_NONBLOCK); /* the bug: F_SETFD where F_SETFL belongs */
    return fd;
}

/* One attempt to connect: socket, [SO_RCVTIMEO/SO_SNDTIMEO], [bind],
 * connect. Returns the socket, or -1 if socket() failed; *r is 0 once
 * connected, or else the failure (an io.h result, errno set) of the step
 * named in *step. */
static int connect_tcp(const struct client *c, const char **step, ssize_t *r)
{
    *step = "socket";
    *r = -1;
    int fd = open_socket(c, &c->ep.io, SOCK_STREAM);
    if (fd < 0)
        return fd;
    *step = "setsockopt";
    if (eh_io_setup(&c->ep.io, fd, true) < 0 ||
        (c->sndbuf > 0 && eh_setsockopt_int(fd, SOL_SOCKET, SO_SNDBUF, (int)c->sndbuf) < 0))
        return fd;
    *step = "bind";
    if (bind_local(c, fd) < 0)
        return fd;
    *step = "connect";
    *r = eh_io_connect(&c->ep.io, fd, &c->addr);
    return fd;
}

/* One TCP connection. Returns 0 or 1. */
static int run_tcp(struct client *c)
{
    c->got_bytes = 0;
    const char *step;
    ssize_t r;
    int fd = connect_tcp(c, &step, &r);
    while (r == -1 && errno == ECONNREFUSED && c->f->hangs_on_refused) {
        struct timespec ts = {0, REFUSED_RETRY_MS * 1000000L}; /* the bug: "not up yet" */
        eh_close(fd);
        nanosleep(&ts, NULL);
        fd = connect_tcp(c, &step, &r);
    }
    if (r < 0)
        return finish(c, fd, step, r, NULL);
    const char *reason = "done";
    bool read_all = c->read_all && !c->no_read;
    r = read_all ? exchange_all(c, fd, &reason) : exchange_once(c, fd, &reason);
    return finish(c, fd, "echo with", r, reason);
}

/* sendto() of the payload as one datagram. The faulty-client-udp-splits
 * build cuts a payload larger than UDP_SPLIT_BYTES into datagrams of that
 * size, one sendto() each, instead of letting sendto() fail with EMSGSIZE:
 * the message's boundary is lost, and the server echoes each piece on its
 * own. Returns 0, or -1 with errno set. */
static int send_datagram(const struct client *c, int fd)
{
    size_t piece = c->f->udp_splits ? UDP_SPLIT_BYTES : c->payload_bytes;
    size_t off = 0;
    do {
        size_t n = c->payload_bytes - off < piece ? c->payload_bytes - off : piece;
        if (eh_sendto(fd, c->payload + off, n, c->ep.io.send_flags, &c->addr) < 0)
            return -1;
        off += n;
    } while (off < c->payload_bytes);
    return 0;
}

/* One UDP exchange: sendto, then recvfrom with a time limit. Returns 0 or 1. */
static int run_udp(struct client *c)
{
    struct eh_io io = c->ep.io;
    if (io.mode == EH_IO_BLOCKING && !c->f->udp_waits_forever)
        io.mode = EH_IO_TIMEOUT; /* a lost datagram must not block forever */
    c->got_bytes = 0;
    int fd = open_socket(c, &io, SOCK_DGRAM);
    if (fd < 0)
        return finish(c, fd, "socket", -1, NULL);
    if (eh_io_setup(&io, fd, false) < 0)
        return finish(c, fd, "setsockopt", -1, NULL);
    if (bind_local(c, fd) < 0)
        return finish(c, fd, "bind", -1, NULL);
    if (send_datagram(c, fd) < 0)
        return finish(c, fd, "sendto", -1, NULL);
    struct sockaddr_storage local, from;
    eh_getsockname(fd, &local); /* the port the kernel chose at sendto() */
    if (c->no_read)
        return finish(c, fd, "recvfrom", 0, "done");
    ssize_t r = eh_io_recv(&io, fd, c->rbuf, c->recv_bytes, &from);
    if (r >= 0)
        collect(c, c->rbuf, (size_t)r);
    return finish(c, fd, "recvfrom", r < 0 ? r : 0, "done");
}

int eh_client_main(int argc, char **argv, const struct eh_client_faults *faults)
{
    struct client c = {.prog = argv[0],
                       .f = faults,
                       .bind_port = -1,
                       .connections = 1,
                       .load = {.bytes_per_conn = EH_LOAD_DEFAULT_BYTES_PER_CONN,
                                .chunk_bytes = EH_LOAD_DEFAULT_CHUNK_BYTES}};
    eh_endpoint_init(&c.ep);
    int status = parse_options(&c, argc, argv);
    if (status >= 0) {
        free(c.payload);
        return status;
    }
    if (!eh_evlog_open(c.ep.log_path)) {
        fprintf(stderr, "%s: --log %s: %s\n", c.prog, c.ep.log_path, strerror(errno));
        free(c.payload);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN); /* and MSG_NOSIGNAL: a broken pipe is an EPIPE, not a death */
    if (faults->never_connect)
        wait_until_killed();
    if (c.load.connections > 0) {
        status = eh_load_run(&c.load);
        eh_evlog_exit(status);
        free(c.payload);
        return status;
    }
    status = 0;
    if (faults->exit_before_connect)
        c.connections = 0; /* the bug: nothing to do, so success */
    c.rbuf = malloc(c.recv_bytes);
    if (c.rbuf == NULL) {
        fprintf(stderr, "%s: out of memory\n", c.prog);
        status = 1;
    }
    for (long i = 0; i < c.connections && status == 0; i++)
        status = c.ep.sock_type == SOCK_DGRAM ? run_udp(&c) : run_tcp(&c);
    eh_evlog_exit(status);
    free(c.rbuf);
    free(c.payload);
    return status;
}
