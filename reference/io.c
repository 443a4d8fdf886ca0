/* io.c - blocking, non-blocking and timeout modes over the logged calls.
 *
 * See io.h. The non-blocking loops are the textbook ones: try the call; if
 * it says EAGAIN, poll() for readiness and try again.
 */
#include "io.h"

#include "calls.h"
#include "evlog.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

const char *eh_io_mode_name(enum eh_io_mode mode)
{
    switch (mode) {
    case EH_IO_BLOCKING:
        return "blocking";
    case EH_IO_NONBLOCKING:
        return "nonblocking";
    case EH_IO_TIMEOUT:
        return "timeout";
    }
    return "?";
}

bool eh_io_mode_parse(const char *name, enum eh_io_mode *out)
{
    const enum eh_io_mode modes[] = {EH_IO_BLOCKING, EH_IO_NONBLOCKING, EH_IO_TIMEOUT};
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (strcmp(name, eh_io_mode_name(modes[i])) == 0) {
            *out = modes[i];
            return true;
        }
    }
    return false;
}

int eh_io_socket_flags(const struct eh_io *io)
{
    return io->mode == EH_IO_NONBLOCKING ? SOCK_NONBLOCK : 0;
}

int eh_io_setup(const struct eh_io *io, int fd, bool send_too)
{
    if (io->mode != EH_IO_TIMEOUT)
        return 0;
    if (eh_setsockopt_timeout(fd, SO_RCVTIMEO, io->timeout_ms) < 0)
        return -1;
    if (send_too && eh_setsockopt_timeout(fd, SO_SNDTIMEO, io->timeout_ms) < 0)
        return -1;
    return 0;
}

/* Non-blocking mode: waits for events on fd. Returns 1 when ready, -1 on
 * error, EH_IO_TIMEDOUT when poll() timed out. */
static int wait_ready(const struct eh_io *io, int fd, short events)
{
    int revents = eh_poll(fd, events, io->timeout_ms);
    if (revents == 0)
        return EH_IO_TIMEDOUT;
    return revents < 0 ? -1 : 1;
}

/* True if a failed call in this mode means "the time limit passed". */
static bool is_timeout(const struct eh_io *io, int err)
{
    return io->mode == EH_IO_TIMEOUT && (err == EAGAIN || err == EINPROGRESS);
}

/* After a call failed (errno set): in non-blocking mode an EAGAIN waits until
 * fd is ready for events and gives 1 (call again); otherwise the result to
 * return: EH_IO_TIMEDOUT when the mode's time limit passed, -1 on an error
 * (errno kept). faulty-server-sleeps-on-eagain sleeps instead of waiting,
 * in any mode, and calls again. */
static int after_failure(const struct eh_io *io, int fd, short events)
{
    if (is_timeout(io, errno))
        return EH_IO_TIMEDOUT;
    if (io->sleeps_on_eagain && errno == EAGAIN) {
        struct timespec ts = {0,
                              EH_IO_EAGAIN_SLEEP_MS * 1000000L}; /* the bug: a guess, not poll() */
        nanosleep(&ts, NULL);
        return 1;
    }
    if (io->mode != EH_IO_NONBLOCKING || errno != EAGAIN)
        return -1;
    return wait_ready(io, fd, events);
}

int eh_io_accept(const struct eh_io *io, int fd, struct sockaddr_storage *peer, bool swap_addrs)
{
    for (;;) {
        int flags = io->accepted_blocking  ? 0
                    : io->sleeps_on_eagain ? SOCK_NONBLOCK
                                           : eh_io_socket_flags(io);
        int cfd = eh_accept(fd, flags, peer, swap_addrs);
        if (cfd >= 0) {
            if (eh_io_setup(io, cfd, false) < 0) {
                int err = errno;
                eh_close(cfd);
                errno = err;
                return -1;
            }
            return cfd;
        }
        int r = after_failure(io, fd, POLLIN);
        if (r != 1)
            return r;
    }
}

int eh_io_connect(const struct eh_io *io, int fd, const struct sockaddr_storage *addr)
{
    if (eh_connect(fd, addr) == 0)
        return 0;
    if (is_timeout(io, errno))
        return EH_IO_TIMEDOUT;
    if (io->mode != EH_IO_NONBLOCKING || errno != EINPROGRESS)
        return -1;
    int r = wait_ready(io, fd, POLLOUT);
    if (r != 1)
        return r;
    int err = 0;
    if (eh_getsockopt_error(fd, &err) < 0)
        return -1;
    if (err != 0) {
        errno = err;
        return -1;
    }
    struct sockaddr_storage local;
    eh_getsockname(fd, &local); /* logs the local address the connection got */
    return 0;
}

ssize_t eh_io_recv(const struct eh_io *io, int fd, void *buf, size_t size,
                   struct sockaddr_storage *from)
{
    for (;;) {
        ssize_t n = from != NULL ? eh_recvfrom(fd, buf, size, io->recv_flags, from)
                                 : eh_recv(fd, buf, size, io->recv_flags);
        if (n >= 0)
            return n;
        int r = after_failure(io, fd, POLLIN);
        if (r != 1)
            return r;
    }
}

ssize_t eh_io_sendall(const struct eh_io *io, int fd, const void *buf, size_t len)
{
    size_t sent = 0;
    while (sent < len) {
        ssize_t n = eh_send(fd, (const char *)buf + sent, len - sent, io->send_flags);
        if (n >= 0) {
            sent += (size_t)n;
            continue;
        }
        int r = after_failure(io, fd, POLLOUT);
        if (r != 1)
            return r;
    }
    return (ssize_t)len;
}

const char *eh_io_reason(ssize_t result, int err)
{
    if (result == 0)
        return "eof";
    if (result == EH_IO_TIMEDOUT)
        return "timeout";
    return eh_errno_name(err);
}
