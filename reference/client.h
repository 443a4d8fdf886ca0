/* client.h - the reference echo client (RFC 862), and its faulty variants.
 *
 * eh_client_main() is the whole program: echo-client calls it with no
 * faults; each build in clients/faulty/ calls it with one fault switched on,
 * so that it accepts the same command line and writes the same event log.
 * By default it is the Real Python tutorial's client: connect to
 * 127.0.0.1:65432, sendall "Hello, world", one recv(1024), print
 * "Received N bytes: ...", close, exit 0. Run it with --help for every
 * option.
 */
#ifndef EH_CLIENT_H
#define EH_CLIENT_H

#include <stdbool.h>

/* Deliberate bugs. The reference build passes all false. */
struct eh_client_faults {
    bool fixed_port;              /* always bind local port EH_FAULTY_CLIENT_PORT before connect */
    bool reads_once;              /* ignore --read-all: one recv, then close */
    bool hangs_on_refused;        /* TCP: connect() again every 100 ms while refused */
    bool no_exit_on_server_close; /* recv() 0 before the whole echo: wait until killed */
    bool waits_for_eof;           /* --read-all: after the whole echo, read on until EOF */
    bool sends_once;              /* always as --send-once: one send(), the rest never sent */
    bool setfd_nonblock;          /* nonblocking mode: fcntl(F_SETFD, O_NONBLOCK): still blocking */
    bool timeout_in_seconds;      /* timeout mode: --timeout-ms taken as seconds */
    bool udp_splits;              /* UDP: payload cut into datagrams of at most 65507 bytes */
    bool udp_waits_forever;       /* UDP, blocking mode: recvfrom() with no time limit */
    bool never_connect;           /* hostile: no socket call at all; wait until killed */
    bool wrong_port;              /* hostile: connect to the port after the one given */
    bool exit_before_connect;     /* hostile: exit 0 before any socket call */
};

/* The port of the Python documentation's echo example: inside the default
 * ip_local_port_range (32768..60999), so only a narrowed range shows that it
 * is fixed (a scenario's "client_port_window"). */
#define EH_FAULTY_CLIENT_PORT 50007

/* Runs the client with argv's options. Returns the exit status: 0 when
 * every socket call went as planned, 1 on an error it did not plan for
 * (connection refused, reset, a timeout, ...; a message goes to stderr),
 * 2 on a usage error. */
int eh_client_main(int argc, char **argv, const struct eh_client_faults *faults);

#endif
