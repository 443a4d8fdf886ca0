/* calls.c - socket calls that record themselves in the event log.
 *
 * See calls.h. Every wrapper follows the same shape: note the time, make the
 * call, save errno, write the event, restore errno, return the result.
 */
#include "calls.h"

#include "addr.h"
#include "evlog.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

struct name {
    int value;
    const char *text;
};

/* Writes the names of the bits of flags that are in table, joined by '|'. */
static void flag_names(int flags, const struct name *table, char *buf, size_t len)
{
    buf[0] = '\0';
    for (; table->text != NULL; table++) {
        if (flags & table->value) {
            if (buf[0] != '\0')
                strncat(buf, "|", len - strlen(buf) - 1);
            strncat(buf, table->text, len - strlen(buf) - 1);
        }
    }
}

static const struct name msg_flags[] = {
    {MSG_NOSIGNAL, "MSG_NOSIGNAL"}, {MSG_DONTWAIT, "MSG_DONTWAIT"}, {MSG_PEEK, "MSG_PEEK"},
    {MSG_WAITALL, "MSG_WAITALL"},   {MSG_TRUNC, "MSG_TRUNC"},       {0, NULL},
};
static const struct name sock_flags[] = {
    {SOCK_NONBLOCK, "SOCK_NONBLOCK"},
    {SOCK_CLOEXEC, "SOCK_CLOEXEC"},
    {0, NULL},
};
static const struct name poll_flags[] = {
    {POLLIN, "POLLIN"},
    {POLLOUT, "POLLOUT"},
    {POLLERR, "POLLERR"},
    {POLLHUP, "POLLHUP"},
    {POLLNVAL, "POLLNVAL"},
    {POLLRDHUP, "POLLRDHUP"},
    {0, NULL},
};
static const struct name open_flags[] = {
    {O_NONBLOCK, "O_NONBLOCK"},
    {0, NULL},
};

/* ,"key":"A|B" for the flags that are set; nothing when none are. */
static void ev_flags(struct eh_ev *ev, const char *key, int flags, const struct name *table)
{
    char text[96];
    flag_names(flags, table, text, sizeof(text));
    if (text[0] != '\0')
        eh_ev_str(ev, key, text);
}

static const char *fcntl_cmd_name(int cmd)
{
    switch (cmd) {
    case F_GETFL:
        return "F_GETFL";
    case F_SETFL:
        return "F_SETFL";
    case F_GETFD:
        return "F_GETFD";
    case F_SETFD:
        return "F_SETFD";
    }
    return "?";
}

static const char *family_name(int family)
{
    return family == AF_INET6 ? "AF_INET6" : family == AF_INET ? "AF_INET" : "AF_UNSPEC";
}

static const char *level_name(int level)
{
    switch (level) {
    case SOL_SOCKET:
        return "SOL_SOCKET";
    case IPPROTO_TCP:
        return "IPPROTO_TCP";
    case IPPROTO_IPV6:
        return "IPPROTO_IPV6";
    }
    return "?";
}

static const char *sockopt_name(int level, int name)
{
    if (level == IPPROTO_TCP && name == TCP_NODELAY)
        return "TCP_NODELAY";
    if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY)
        return "IPV6_V6ONLY";
    if (level != SOL_SOCKET)
        return "?";
    switch (name) {
    case SO_REUSEADDR:
        return "SO_REUSEADDR";
    case SO_SNDBUF:
        return "SO_SNDBUF";
    case SO_REUSEPORT:
        return "SO_REUSEPORT";
    case SO_RCVTIMEO:
        return "SO_RCVTIMEO";
    case SO_SNDTIMEO:
        return "SO_SNDTIMEO";
    case SO_LINGER:
        return "SO_LINGER";
    case SO_ERROR:
        return "SO_ERROR";
    }
    return "?";
}

/* Starts the event of a call on fd. */
static void ev_call(struct eh_ev *ev, const char *call, int fd)
{
    eh_ev_begin(ev, call);
    eh_ev_int(ev, "fd", fd);
}

int eh_socket(int family, int type)
{
    int ret = socket(family, type, 0);
    int err = errno;
    struct eh_ev ev;
    eh_ev_begin(&ev, "socket");
    eh_ev_result(&ev, ret, err);
    eh_ev_str(&ev, "family", family_name(family));
    eh_ev_str(&ev, "type", (type & SOCK_DGRAM) ? "SOCK_DGRAM" : "SOCK_STREAM");
    ev_flags(&ev, "flags", type, sock_flags);
    eh_ev_end(&ev);
    errno = err;
    return ret;
}

static int setsockopt_logged(int fd, int level, int name, const void *val, socklen_t len,
                             const char *value_key, int64_t value)
{
    int ret = setsockopt(fd, level, name, val, len);
    int err = errno;
    struct eh_ev ev;
    ev_call(&ev, "setsockopt", fd);
    eh_ev_result(&ev, ret, err);
    eh_ev_str(&ev, "level", level_name(level));
    eh_ev_str(&ev, "name", sockopt_name(level, name));
    eh_ev_int(&ev, value_key, value);
    eh_ev_end(&ev);
    errno = err;
    return ret;
}

int eh_setsockopt_int(int fd, int level, int name, int value)
{
    return setsockopt_logged(fd, level, name, &value, sizeof(value), "value", value);
}

int eh_setsockopt_timeout(int fd, int name, int timeout_ms)
{
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    return setsockopt_logged(fd, SOL_SOCKET, name, &tv, sizeof(tv), "timeout_ms", timeout_ms);
}

int eh_setsockopt_linger0(int fd)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    return setsockopt_logged(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg), "linger_s", 0);
}

int eh_getsockopt_error(int fd, int *err_out)
{
    socklen_t len = sizeof(*err_out);
    *err_out = 0;
    int ret = getsockopt(fd, SOL_SOCKET, SO_ERROR, err_out, &len);
    int err = errno;
    struct eh_ev ev;
    ev_call(&ev, "getsockopt", fd);
    eh_ev_result(&ev, ret, err);
    eh_ev_str(&ev, "name", "SO_ERROR");
    if (ret == 0)
        eh_ev_str(&ev, "value", *err_out == 0 ? "0" : eh_errno_name(*err_out));
    eh_ev_end(&ev);
    errno = err;
    return ret;
}

int eh_drop_capabilities(void)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    memset(data, 0, sizeof(data));
    int ret = (int)syscall(SYS_capset, &hdr, data);
    int err = errno;
    struct eh_ev ev;
    eh_ev_begin(&ev, "capset");
    eh_ev_str(&ev, "caps", "none");
    eh_ev_result(&ev, ret, err);
    eh_ev_end(&ev);
    errno = err;
    return ret;
}

int eh_fcntl(int fd, int cmd, int arg)
{
    int ret = fcntl(fd, cmd, arg);
    int err = errno;
    struct eh_ev ev;
    ev_call(&ev, "fcntl", fd);
    eh_ev_result(&ev, ret, err);
    eh_ev_str(&ev, "cmd", fcntl_cmd_name(cmd));
    ev_flags(&ev, "arg", arg, open_flags);
    eh_ev_end(&ev);
    errno = err;
    return ret;
}

int eh_bind(int fd, const struct sockaddr_storage *addr)
{
    int ret = bind(fd, (const struct sockaddr *)addr, eh_addr_len(addr));
    int err = errno;
    struct eh_ev ev;
    ev_call(&ev, "bind", fd);
    eh_ev_result(&ev, ret, err);
    eh_ev_addr(&ev, "laddr", addr);
    eh_ev_end(&ev);
    errno = err;
    return ret;
}

int eh_listen(int fd, int backlog)
{
    int ret = listen(fd, backlog);
    int err = errno;
    struct eh_ev ev;
    ev_call(&ev, "listen", fd);
    eh_ev_result(&ev, ret, err);
    eh_ev_int(&ev, "backlog", backlog);
    eh_ev_end(&ev);
    errno = err;
    return ret;
}

int eh_getsockname(int fd, struct sockaddr_storage *out)
{
    socklen_t len = sizeof(*out);
    memset(out, 0, sizeof(*out));
    int ret = getsockname(fd, (struct sockaddr *)out, &len);
    int err = errno;
    struct eh_ev ev;
    ev_call(&ev, "getsockname", fd);
    eh_ev_result(&ev, ret, err);
    if (ret == 0)
        eh_ev_addr(&ev, "laddr", out);
    eh_ev_end(&ev);
    errno = err;
    return ret;
}

int eh_accept(int fd, int flags, struct sockaddr_storage *peer, bool swap_addrs)
{
    socklen_t len = sizeof(*peer);
    memset(peer, 0, sizeof(*peer));
    int64_t t0 = eh_now_us();
    int ret = accept4(fd, (struct sockaddr *)peer, &len, flags);
    int64_t elapsed_us = eh_now_us() - t0;
    int err = errno;
    struct eh_ev ev;
    ev_call(&ev, "accept", fd);
    eh_ev_result(&ev, ret, err);
    ev_flags(&ev, "flags", flags, sock_flags);
    if (ret >= 0) {
        struct sockaddr_storage local = {0};
        socklen_t llen = sizeof(local);
        getsockname(ret, (struct sockaddr *)&local, &llen);
        eh_ev_addr(&ev, "laddr", swap_addrs ? peer : &local);
        eh_ev_addr(&ev, "raddr", swap_addrs ? &local : peer);
    }
    eh_ev_int(&ev, "elapsed_us", elapsed_us);
    eh_ev_end(&ev);
    errno = err;
    return ret;
}

int eh_connect(int fd, const struct sockaddr_storage *addr)
{
    int64_t t0 = eh_now_us();
    int ret = connect(fd, (const struct sockaddr *)addr, eh_addr_len(addr));
    int64_t elapsed_us = eh_now_us() - t0;
    int err = errno;
    struct eh_ev ev;
    ev_call(&ev, "connect", fd);
    eh_ev_result(&ev, ret, err);
    if (ret == 0) {
        struct sockaddr_storage local = {0};
        socklen_t llen = sizeof(local);
        getsockname(fd, (struct sockaddr *)&local, &llen);
        eh_ev_addr(&ev, "laddr", &local);
    }
    eh_ev_addr(&ev, "raddr", addr);
    eh_ev_int(&ev, "elapsed_us", elapsed_us);
    eh_ev_end(&ev);
    errno = err;
    return ret;
}

/* The event of a send/recv-like call: size, flags, result, data, peer, time. */
static void ev_transfer(const char *call, int fd, const void *buf, size_t size, int flags,
                        ssize_t ret, int err, const struct sockaddr_storage *peer,
                        int64_t elapsed_us)
{
    struct eh_ev ev;
    ev_call(&ev, call, fd);
    eh_ev_int(&ev, "size", (int64_t)size);
    ev_flags(&ev, "flags", flags, msg_flags);
    eh_ev_result(&ev, ret, err);
    /* With MSG_TRUNC a datagram's recvfrom() returns its real length, which
     * may exceed the size of the buffer: only size bytes are in it. */
    eh_ev_data(&ev, buf, ret > (ssize_t)size ? (ssize_t)size : ret);
    if (peer != NULL)
        eh_ev_addr(&ev, "raddr", peer);
    eh_ev_int(&ev, "elapsed_us", elapsed_us);
    eh_ev_end(&ev);
}

ssize_t eh_send(int fd, const void *buf, size_t len, int flags)
{
    int64_t t0 = eh_now_us();
    ssize_t ret = send(fd, buf, len, flags);
    int err = errno;
    ev_transfer("send", fd, buf, len, flags, ret, err, NULL, eh_now_us() - t0);
    errno = err;
    return ret;
}

ssize_t eh_recv(int fd, void *buf, size_t size, int flags)
{
    int64_t t0 = eh_now_us();
    ssize_t ret = recv(fd, buf, size, flags);
    int err = errno;
    ev_transfer("recv", fd, buf, size, flags, ret, err, NULL, eh_now_us() - t0);
    errno = err;
    return ret;
}

ssize_t eh_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr_storage *to)
{
    int64_t t0 = eh_now_us();
    ssize_t ret = sendto(fd, buf, len, flags, (const struct sockaddr *)to, eh_addr_len(to));
    int err = errno;
    ev_transfer("sendto", fd, buf, len, flags, ret, err, to, eh_now_us() - t0);
    errno = err;
    return ret;
}

ssize_t eh_recvfrom(int fd, void *buf, size_t size, int flags, struct sockaddr_storage *from)
{
    socklen_t len = sizeof(*from);
    memset(from, 0, sizeof(*from));
    int64_t t0 = eh_now_us();
    ssize_t ret = recvfrom(fd, buf, size, flags, (struct sockaddr *)from, &len);
    int err = errno;
    ev_transfer("recvfrom", fd, buf, size, flags, ret, err, ret >= 0 ? from : NULL,
                eh_now_us() - t0);
    errno = err;
    return ret;
}

int eh_shutdown(int fd, int how)
{
    int ret = shutdown(fd, how);
    int err = errno;
    struct eh_ev ev;
    ev_call(&ev, "shutdown", fd);
    eh_ev_result(&ev, ret, err);
    eh_ev_str(&ev, "how", how == SHUT_WR ? "SHUT_WR" : how == SHUT_RD ? "SHUT_RD" : "SHUT_RDWR");
    eh_ev_end(&ev);
    errno = err;
    return ret;
}

int eh_close(int fd)
{
    int ret = close(fd);
    int err = errno;
    struct eh_ev ev;
    ev_call(&ev, "close", fd);
    eh_ev_result(&ev, ret, err);
    eh_ev_end(&ev);
    errno = err;
    return ret;
}

int eh_poll(int fd, short events, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = events};
    int64_t t0 = eh_now_us();
    int ret = poll(&pfd, 1, timeout_ms);
    int64_t elapsed_us = eh_now_us() - t0;
    int err = errno;
    struct eh_ev ev;
    ev_call(&ev, "poll", fd);
    ev_flags(&ev, "events", events, poll_flags);
    eh_ev_int(&ev, "timeout_ms", timeout_ms);
    eh_ev_result(&ev, ret, err);
    ev_flags(&ev, "revents", ret > 0 ? pfd.revents : 0, poll_flags);
    eh_ev_int(&ev, "elapsed_us", elapsed_us);
    eh_ev_end(&ev);
    errno = err;
    return ret > 0 ? pfd.revents : ret;
}

int eh_epoll_wait(int epfd, struct epoll_event *events, int max, int timeout_ms)
{
    int64_t t0 = eh_now_us();
    int ret = epoll_wait(epfd, events, max, timeout_ms);
    int64_t elapsed_us = eh_now_us() - t0;
    int err = errno;
    struct eh_ev ev;
    ev_call(&ev, "epoll_wait", epfd);
    eh_ev_result(&ev, ret, err);
    eh_ev_int(&ev, "elapsed_us", elapsed_us);
    eh_ev_end(&ev);
    errno = err;
    return ret;
}
