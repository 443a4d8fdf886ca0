/* server.h - the reference echo server (RFC 862), and its faulty variants.
 *
 * eh_server_main() is the whole program: echo-server calls it with no
 * faults; each build in servers/faulty/ calls it with exactly one fault
 * switched on, so that it accepts the same command line and writes the same
 * event log as the reference build and the harness can swap it in. By
 * default it is the Real Python tutorial's server: bind 127.0.0.1:65432,
 * listen, accept one connection, recv(1024) and sendall() until recv()
 * returns 0, close, exit 0. Run it with --help for every option.
 */
#ifndef EH_SERVER_H
#define EH_SERVER_H

#include <stdbool.h>

/* Deliberate bugs. The reference build passes all false. */
struct eh_server_faults {
    bool corrupt;               /* echo each byte XOR 0x20 ("Hello" -> "hELLO") */
    bool never_close;           /* after recv() returns 0, keep the connection open until killed */
    bool dies_on_sigpipe;       /* always as --keep-sigpipe: SIGPIPE kills it */
    bool never_dies_of_sigpipe; /* ignores --keep-sigpipe: SIGPIPE never kills it */
    bool ignores_no_accept;     /* ignores --no-accept: accepts every connection, forever */
    bool swap_accept_addrs;     /* log accept()'s laddr and raddr swapped */
    bool echoes_once;           /* TCP: echo only a connection's first recv(), then drain to EOF */
    bool reads_once_closes;     /* TCP: echo a connection's first recv(), then close it */
    bool serves_once;           /* serve one client (UDP: datagram), exit; ignores --forever */
    bool serial;                /* ignores --concurrent: one client at a time, each to its EOF */
    bool dies_on_reset;         /* ECONNRESET on a connection ends the process, status 1 */
    bool leaks_fd;              /* after recv() returns 0, never closes the connection */
    bool drops_on_backpressure; /* sends with MSG_DONTWAIT; on EAGAIN drops the rest */
    bool udp_truncates;         /* UDP: recvfrom() into 1024 bytes, whatever --recv-size says */
    bool udp_merges;            /* UDP: datagrams that follow within 50 ms share one reply */
    bool udp_wedged_by_empty;   /* UDP: an empty datagram ends the reading, not the process */
    bool mixes_streams;         /* --concurrent: echoes to the newest connection */
    bool never_listen;          /* hostile: parse the options, then only wait for SIGTERM */
    bool hang_after_accept;     /* hostile: accept, then wait for SIGTERM without reading */
    bool ignore_sigterm;        /* hostile: SIGTERM ignored; always --forever */
    bool flood_output;          /* hostile: a thread writes to stdout and stderr without end */
    bool fork_child;            /* hostile: after ready, fork a child that keeps the port open */
    bool sockopts_after_bind;   /* SO_REUSEADDR, IPV6_V6ONLY set after bind(), errors ignored */
    bool blocking_accepted;     /* nonblocking mode: accepted sockets left blocking */
    bool sleeps_on_eagain;      /* accepted sockets always non-blocking; EAGAIN: sleep, retry */
    bool ignores_host;          /* binds the family's loopback address whatever --host says */
    bool reports_asked_port;    /* no getsockname(): ready reports bind()'s address (port 0) */
    bool always_reuseaddr;      /* SO_REUSEADDR before every bind(), as if --reuseaddr */
    bool drops_caps_after_bind; /* --unprivileged drops capabilities after bind(), not before */
    bool never_accept;          /* hostile: as --no-accept whatever the options: listen only */
    bool never_writes;          /* hostile: read each connection to its EOF, echo nothing */
    bool crash_after_echo;      /* hostile: die of SIGSEGV right after the first echo */
    bool close_output;          /* hostile: close stdout and stderr before listening */
    bool floods_socket;         /* hostile: after accept, send 100 MiB unasked, never read */
    bool resets;                /* hostile: close each connection with RST once accepted */
    bool daemonizes;            /* hostile: once ready, setsid and double fork; the daemon
                                   serves on (always --forever), the first process exits 0 */
};

/* Runs the server with argv's options. Returns the exit status: 0 after a
 * normal run or SIGTERM, 1 on a set-up error (bind, listen, ...), 2 on a
 * usage error. Messages go to stderr. */
int eh_server_main(int argc, char **argv, const struct eh_server_faults *faults);

#endif
