/* io.h - blocking, non-blocking and timeout modes over the logged calls.
 *
 * docs/linux-behaviour.md §8: a blocking socket waits as long as it takes; a
 * non-blocking one answers EAGAIN when nothing is ready, and the program
 * waits with poll(); a socket with SO_RCVTIMEO waits at most that long and
 * then fails with EAGAIN. These helpers run one operation in the chosen mode
 * so that the server and the client share one loop for all three. Every
 * underlying call (including each EAGAIN and each poll) is an event in the
 * log (calls.h).
 *
 * Results: what the call returned (>= 0), -1 with errno set on an error, or
 * EH_IO_TIMEDOUT when the mode's time limit passed.
 */
#ifndef EH_IO_H
#define EH_IO_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#define EH_IO_TIMEDOUT (-2) /* result: the time limit passed */

enum eh_io_mode {
    EH_IO_BLOCKING,    /* plain blocking calls */
    EH_IO_NONBLOCKING, /* O_NONBLOCK; on EAGAIN wait with poll(timeout_ms) */
    EH_IO_TIMEOUT,     /* SO_RCVTIMEO (and SO_SNDTIMEO for a client) of timeout_ms */
};

struct eh_io {
    enum eh_io_mode mode;
    int timeout_ms;         /* limit per wait in ms; < 0: none (blocking and non-blocking only) */
    int send_flags;         /* added to every send(): MSG_NOSIGNAL, or 0 to let SIGPIPE kill */
    int recv_flags;         /* added to every recv()/recvfrom(): 0, or MSG_TRUNC (UDP) */
    bool accepted_blocking; /* faulty-server-blocking-accepted: accept() without
                               SOCK_NONBLOCK, so accepted sockets block in any mode */
    bool sleeps_on_eagain;  /* faulty-server-sleeps-on-eagain: accept() with SOCK_NONBLOCK
                               in any mode, and every EAGAIN retried after a sleep of
                               EH_IO_EAGAIN_SLEEP_MS instead of a wait in poll() */
};

#define EH_IO_EAGAIN_SLEEP_MS 10 /* faulty-server-sleeps-on-eagain: sleep before a retry */

/* "blocking", "nonblocking", "timeout" (never NULL). */
const char *eh_io_mode_name(enum eh_io_mode mode);
/* Parses a name from eh_io_mode_name(); returns false if unknown. */
bool eh_io_mode_parse(const char *name, enum eh_io_mode *out);

/* The flag to add to socket()'s type for the mode: SOCK_NONBLOCK or 0. */
int eh_io_socket_flags(const struct eh_io *io);

/* Prepares a new socket for the mode: in timeout mode sets SO_RCVTIMEO and,
 * if send_too, SO_SNDTIMEO (connect() obeys SO_SNDTIMEO). Returns 0 or -1. */
int eh_io_setup(const struct eh_io *io, int fd, bool send_too);

/* accept() in the mode; the new socket gets the same mode (unless
 * accepted_blocking). Returns the new fd, -1 or EH_IO_TIMEDOUT. swap_addrs:
 * see eh_accept(). */
int eh_io_accept(const struct eh_io *io, int fd, struct sockaddr_storage *peer, bool swap_addrs);

/* connect() in the mode: a non-blocking connect gives EINPROGRESS, is
 * waited for with poll() and its result read with getsockopt(SO_ERROR).
 * Returns 0, -1 or EH_IO_TIMEDOUT. */
int eh_io_connect(const struct eh_io *io, int fd, const struct sockaddr_storage *addr);

/* One recv(size) (recvfrom() when from is not NULL) in the mode, with
 * recv_flags. Returns the byte count (0: end of stream; with MSG_TRUNC a
 * datagram's real length, which may exceed size), -1 or EH_IO_TIMEDOUT. */
ssize_t eh_io_recv(const struct eh_io *io, int fd, void *buf, size_t size,
                   struct sockaddr_storage *from);

/* sendall: send() until all len bytes are sent, each send() logged on its
 * own. Returns len, -1 or EH_IO_TIMEDOUT (bytes sent before a failure are
 * in the log). */
ssize_t eh_io_sendall(const struct eh_io *io, int fd, const void *buf, size_t len);

/* The conn_end reason for a result: "eof" for 0, "timeout" for
 * EH_IO_TIMEDOUT, the errno name (err) for -1. */
const char *eh_io_reason(ssize_t result, int err);

#endif
