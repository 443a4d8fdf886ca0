/* peer_int.h - the scripted peer's internals, shared by peer.c and peer_flow.c.
 *
 * Not part of the run layer's interface (that is peer.h). peer.c owns the
 * run, the one-socket-at-a-time steps and the connection records; peer_flow.c
 * the poll-driven steps that send and receive at once (stream, clients).
 *
 * A connection record (struct eh__conn) is made for every socket the peer
 * opens, numbered from 1 in the order they were opened; every event of that
 * socket carries "conn": its number. It keeps every byte sent on the socket
 * and compares each received byte with the sent byte at the same offset as it
 * arrives, so that the conn_end summary (scenarios/README.md "Event log")
 * can say how the echo went however long the stream: the event log itself
 * stops recording data after 1 MiB.
 */
#ifndef EH_PEER_INT_H
#define EH_PEER_INT_H

#include "eh.h"
#include "evlog.h"
#include "scenario.h"

#include <sys/socket.h>

#define EH__PEER_WINDOW 32 /* received bytes kept from the first difference on */

struct eh__conn {
    int id;              /* 1, 2, ... in the order the sockets were opened */
    int fd;              /* -1 once closed */
    bool connected;      /* connect() succeeded */
    char reason[24];     /* how it ended: the first error, "eof" or "timeout"; "" while open */
    unsigned char *sent; /* every byte sent, in order; NULL once released (kept_bytes) */
    size_t n_sent, cap_sent;
    size_t n_recv;  /* bytes received */
    size_t matched; /* received bytes equal to the sent byte at their offset, counted from 0 */
    bool differs;   /* the received byte at offset `matched` was not the sent one */
    unsigned char window[EH__PEER_WINDOW]; /* received bytes from offset `matched` on */
    size_t n_window;
};

struct eh__peer {
    struct eh_evlog *log;         /* the event log; its t_us counts from the run's start */
    int64_t deadline_us;          /* the scenario's, monotonic */
    int type;                     /* SOCK_STREAM or SOCK_DGRAM */
    struct sockaddr_storage addr; /* the server */
    socklen_t addr_len;
    struct eh__conn **conns; /* every connection of the run, in order; owned */
    size_t n_conns, cap_conns;
    struct eh__conn *cur;   /* the connection of the one-at-a-time steps; NULL: none open */
    size_t kept_bytes;      /* sent bytes kept over every record */
    const char *server_log; /* the server's event log, for await_server; NULL: none */
    pid_t server_pid;       /* the server process, our child, for pause_server; 0: none */
};

/* Starts an event {"t_us":..,"call":call[,"fd":..,"conn":..]} of the run's
 * log; c may be NULL. The caller adds fields and ends it with eh_ev_end(). */
void eh__peer_event(struct eh__peer *p, struct eh_ev *ev, const char *call,
                    const struct eh__conn *c);

/* The deadline of a step: its timeout_ms from now (scaled), never past the
 * scenario's deadline. */
int64_t eh__step_deadline(const struct eh__peer *p, const struct eh_step *st);

/* Waits until fd is ready for `what` (or has an error to report); false when
 * deadline_us passed first. */
bool eh__wait_fd(int fd, short what, int64_t deadline_us);

/* Sleeps until `until` (monotonic us), or the scenario's deadline if that
 * comes first; EH_TIMEOUT (err names the step) in that case. */
eh_status eh__peer_sleep_until(struct eh__peer *p, int64_t until, const struct eh_step *st,
                               struct eh_error *err);

/* Logs the call in ev as failed by a deadline, ends ev, and records
 * "timeout" as how c ended. Returns EH_TIMEOUT (err says in which step) when
 * the scenario's deadline has passed, else EH_OK: only the step's own
 * timeout_ms was over, and the run goes on. */
eh_status eh__peer_timed_out(struct eh__peer *p, struct eh__conn *c, struct eh_ev *ev,
                             int64_t start_us, const struct eh_step *st, struct eh_error *err);

/* Opens a socket and connects it (UDP: a connected datagram socket),
 * logging socket and connect; the wait for the connection ends at
 * deadline_us. Returns the new record (also when connect failed: then closed,
 * fd -1), or NULL when socket() failed or memory ran out (*status EH_ERR).
 * *status is EH_TIMEOUT when the scenario's deadline passed during connect. */
struct eh__conn *eh__conn_open(struct eh__peer *p, int64_t deadline_us, const struct eh_step *st,
                               eh_status *status, struct eh_error *err);

/* Records n bytes sent on c, or received on c. */
void eh__conn_sent(struct eh__peer *p, struct eh__conn *c, const unsigned char *b, size_t n);
void eh__conn_received(struct eh__conn *c, const unsigned char *b, size_t n);

/* Records how c ended, unless it already had. */
void eh__conn_note_end(struct eh__conn *c, const char *reason);

/* For a connected TCP socket the conn_end summary; then close(). Does
 * nothing for a closed record. */
void eh__conn_close(struct eh__peer *p, struct eh__conn *c);

/* stream: the step's bytes sent on p->cur while its echo is read. */
eh_status eh__peer_stream(struct eh__peer *p, const struct eh_step *st, struct eh_error *err);

/* clients: st->count new connections at once, each sending its own bytes. */
eh_status eh__peer_clients(struct eh__peer *p, const struct eh_step *st, struct eh_error *err);

#endif
