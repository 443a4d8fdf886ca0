/* calls.h - socket calls that record themselves in the event log.
 *
 * Each eh_<call>() performs exactly one system call, writes one event line
 * (evlog.h) with its arguments, its result, the errno name on failure and,
 * for calls that may block, "elapsed_us", and returns what the system call
 * returned with errno preserved. The programs never call the socket API
 * directly, so the log is complete by construction.
 */
#ifndef EH_CALLS_H
#define EH_CALLS_H

#include <poll.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>

/* socket(family, type, 0); type may include SOCK_NONBLOCK. */
int eh_socket(int family, int type);

/* setsockopt() with an int value (SO_REUSEADDR, ...). */
int eh_setsockopt_int(int fd, int level, int name, int value);
/* setsockopt(SO_RCVTIMEO or SO_SNDTIMEO) to timeout_ms milliseconds. */
int eh_setsockopt_timeout(int fd, int name, int timeout_ms);
/* setsockopt(SO_LINGER, {1, 0}): the next close() sends RST, not FIN. */
int eh_setsockopt_linger0(int fd);
/* getsockopt(SO_ERROR): the pending error of a non-blocking connect goes
 * into *err (0: connected). */
int eh_getsockopt_error(int fd, int *err);

/* capset() emptying every capability set of the process: from then on the
 * kernel judges it as an ordinary user's (bind() to a port below
 * net.ipv4.ip_unprivileged_port_start gives EACCES), even as root or as the
 * root of a user namespace. Logged as {"call":"capset","caps":"none","ret":0}. */
int eh_drop_capabilities(void);

/* fcntl(fd, cmd, arg) for the commands that take an int (F_SETFL, F_SETFD,
 * ...). The event names cmd and arg's open(2) flags ("O_NONBLOCK"), as the
 * program passed them, whatever cmd expects. */
int eh_fcntl(int fd, int cmd, int arg);

/* bind(); the event carries the requested address as "laddr". */
int eh_bind(int fd, const struct sockaddr_storage *addr);
int eh_listen(int fd, int backlog);
/* getsockname() into *out; the event carries it as "laddr". */
int eh_getsockname(int fd, struct sockaddr_storage *out);

/* accept4(fd, peer, flags). The event carries "laddr" (getsockname of the
 * new socket) and "raddr" (the peer). swap_addrs logs the two the wrong way
 * round: only for the faulty build faulty-server-swapped-addr. */
int eh_accept(int fd, int flags, struct sockaddr_storage *peer, bool swap_addrs);

/* connect(); the event carries "raddr" and, on success, "laddr" (the
 * address the kernel chose, from getsockname). */
int eh_connect(int fd, const struct sockaddr_storage *addr);

/* send()/recv() with "size" (the length asked for) and "data" (the bytes
 * actually transferred, ret of them). */
ssize_t eh_send(int fd, const void *buf, size_t len, int flags);
ssize_t eh_recv(int fd, void *buf, size_t size, int flags);
/* The datagram variants; "raddr" is the destination or the sender. */
ssize_t eh_sendto(int fd, const void *buf, size_t len, int flags,
                  const struct sockaddr_storage *to);
ssize_t eh_recvfrom(int fd, void *buf, size_t size, int flags, struct sockaddr_storage *from);

/* shutdown(fd, how); how is SHUT_RD, SHUT_WR or SHUT_RDWR. */
int eh_shutdown(int fd, int how);
int eh_close(int fd);

/* poll() on one fd. Returns revents (> 0) when ready, 0 on timeout, -1 on
 * error. timeout_ms < 0 waits forever. */
int eh_poll(int fd, short events, int timeout_ms);
/* epoll_wait(epfd, events, max, timeout_ms). */
int eh_epoll_wait(int epfd, struct epoll_event *events, int max, int timeout_ms);

#endif
