/* forkserver.c - a single-threaded process that forks the isolated children.
 *
 * eh__fs_start() forks the server with one end of a SOCK_SEQPACKET socket
 * pair. Each request on it is one message: a header (entry, stop function,
 * argument size), the argument bytes, and as SCM_RIGHTS the two pipe ends
 * for the child and the write end of a fresh channel (another socket pair)
 * that belongs to this one child. The server forks, answers 'P' with the
 * PID (or the fork's errno) on the channel, and keeps the channel: a 'K'
 * from the caller runs the stop function; a caller that closes its end
 * instead leaves the child to end on its own. When a child ends (SIGCHLD
 * through a signalfd) the server kills what is left of its process group
 * while the zombie still holds the group ID, reaps it and sends 'S' with the
 * wait status. Only the server reaps, and it stops a child only while it
 * has not reaped it, so no signal can reach a recycled PID. When the
 * caller's end of the request socket closes, the server exits once every
 * child has been reaped (eh__fs_finish() closes it, waits for that and
 * reaps the server, so that every child's resource usage is counted); it is
 * killed at once, by PR_SET_PDEATHSIG, when the thread that started it ends.
 */
#include "forkserver.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define FINISH_MAX_MS 5000 /* eh__fs_finish(): the children's own ending, at most */

struct request {
    eh__fs_entry entry;
    eh__fs_stop stop;
    size_t arg_size;
};

/* The argument bytes follow the header at this offset, aligned for any type. */
#define ARG_OFFSET                                                                                 \
    ((sizeof(struct request) + alignof(max_align_t) - 1) / alignof(max_align_t) *                  \
     alignof(max_align_t))

/* A message on a channel: 'P' (value: PID, or -errno if fork failed) and
 * 'S' (value: wait status) from the server; 'K' (stop) from the caller. */
struct note {
    char kind;
    int value;
};

/* ---- the server ---- */

struct kid {
    pid_t pid;
    int chan; /* -1 once the caller's end closed */
    eh__fs_stop stop;
    bool stopped;
};

struct server {
    int req, sigfd;
    sigset_t mask; /* the signal mask to give children */
    struct kid *kids;
    size_t n, cap;
};

static void send_note(int fd, char kind, int value)
{
    struct note n;
    memset(&n, 0, sizeof(n)); /* its padding too: all of it is sent */
    n.kind = kind;
    n.value = value;
    while (send(fd, &n, sizeof(n), MSG_NOSIGNAL) < 0 && errno == EINTR) {
    }
}

static void stop_kid(struct kid *k)
{
    if (!k->stopped && k->stop != NULL)
        k->stop(k->pid);
    k->stopped = true;
}

/* Reaps every child that ended and tells its caller. */
static void reap(struct server *s)
{
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof(si));
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
            return;
        pid_t pid = si.si_pid;
        int status = 0;
        kill(-pid, SIGKILL); /* what is left of its group: the zombie keeps the ID ours */
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        for (size_t i = 0; i < s->n; i++) {
            if (s->kids[i].pid != pid)
                continue;
            if (s->kids[i].chan >= 0) {
                send_note(s->kids[i].chan, 'S', status);
                close(s->kids[i].chan);
            }
            s->kids[i] = s->kids[--s->n];
            break;
        }
    }
}

/* In the new child: closes what belongs to the server, restores the mask,
 * runs the entry. */
_Noreturn static void in_child(struct server *s, const struct request *rq, void *arg, int fds[3],
                               pid_t parent)
{
    close(s->req);
    close(s->sigfd);
    close(fds[2]);
    for (size_t i = 0; i < s->n; i++)
        if (s->kids[i].chan >= 0)
            close(s->kids[i].chan);
    sigprocmask(SIG_SETMASK, &s->mask, NULL);
    rq->entry(rq->arg_size > 0 ? arg : NULL, fds[0], fds[1], parent);
    _exit(1);
}

/* Receives one request and forks its child; false when the harness is gone. */
static bool serve_request(struct server *s)
{
    static alignas(max_align_t) char buf[ARG_OFFSET + EH_FS_MAX_ARG];
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(3 * sizeof(int))];
    } ctl;
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof(ctl)};
    ssize_t n = recvmsg(s->req, &msg, MSG_CMSG_CLOEXEC);
    if (n == 0)
        return false;
    if (n < 0)
        return errno == EINTR || errno == EAGAIN;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    int fds[3] = {-1, -1, -1};
    if (c == NULL || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(fds)))
        return true; /* not ours: whatever fds came are closed with the message */
    memcpy(fds, CMSG_DATA(c), sizeof(fds));
    struct request rq;
    memcpy(&rq, buf, sizeof(rq));
    if ((size_t)n < ARG_OFFSET || (size_t)n - ARG_OFFSET != rq.arg_size) {
        for (int i = 0; i < 3; i++)
            close(fds[i]);
        return true;
    }
    if (s->n == s->cap) {
        struct kid *k = realloc(s->kids, (s->cap = s->cap ? 2 * s->cap : 16) * sizeof(*k));
        if (k == NULL)
            _exit(1);
        s->kids = k;
    }
    pid_t parent = getpid(), pid = fork();
    if (pid == 0)
        in_child(s, &rq, buf + ARG_OFFSET, fds, parent);
    int fork_errno = errno;
    close(fds[0]);
    close(fds[1]);
    send_note(fds[2], 'P', pid > 0 ? pid : -fork_errno);
    if (pid < 0)
        close(fds[2]);
    else
        s->kids[s->n++] = (struct kid){pid, fds[2], rq.stop, false};
    return true;
}

/* A note on a kid's channel: 'K' stops the kid. The channel's end means the
 * caller needs nothing more from it: the kid finishes on its own (its
 * function has returned) and is reaped, so that its resource usage counts. */
static void serve_channel(struct kid *k)
{
    struct note n;
    ssize_t r = recv(k->chan, &n, sizeof(n), MSG_DONTWAIT);
    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (r == (ssize_t)sizeof(n) && n.kind == 'K') {
        stop_kid(k);
    } else if (r <= 0) {
        close(k->chan);
        k->chan = -1;
    }
}

_Noreturn static void serve(int req)
{
    struct server s = {.req = req};
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    signal(SIGCHLD, SIG_DFL);
    sigprocmask(SIG_BLOCK, &chld, &s.mask);
    s.sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (s.sigfd < 0)
        _exit(1);
    struct pollfd *pfd = NULL;
    for (;;) {
        struct pollfd *np = realloc(pfd, (s.n + 2) * sizeof(*pfd));
        if (np == NULL)
            _exit(1);
        pfd = np;
        pfd[0] = (struct pollfd){.fd = s.req, .events = POLLIN}; /* -1 once closed */
        pfd[1] = (struct pollfd){.fd = s.sigfd, .events = POLLIN};
        for (size_t i = 0; i < s.n; i++)
            pfd[2 + i] = (struct pollfd){.fd = s.kids[i].chan, .events = POLLIN};
        size_t polled = s.n;
        if (poll(pfd, polled + 2, -1) < 0)
            continue;
        for (size_t i = 0; i < polled; i++) /* before reap() reorders the kids */
            if (pfd[2 + i].fd >= 0 && pfd[2 + i].revents != 0)
                serve_channel(&s.kids[i]);
        if (pfd[1].revents != 0) {
            struct signalfd_siginfo si;
            while (read(s.sigfd, &si, sizeof(si)) > 0) {
            }
            reap(&s);
        }
        if (pfd[0].fd >= 0 && pfd[0].revents != 0 && !serve_request(&s)) {
            close(s.req); /* no more requests: end once the kids are reaped */
            s.req = -1;
        }
        if (s.req < 0 && s.n == 0)
            _exit(0);
    }
}

/* ---- the caller's side ---- */

static pthread_once_t start_once = PTHREAD_ONCE_INIT;
static int server_fd = -1;
static pid_t server_pid;
static char start_error[256];

static void start(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        snprintf(start_error, sizeof(start_error), "socketpair: %s", strerror(errno));
        return;
    }
    fflush(NULL); /* nothing buffered is written twice */
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        close(sv[0]);
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(0);
        serve(sv[1]);
    }
    int e = errno;
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        snprintf(start_error, sizeof(start_error), "fork: %s", strerror(e));
        return;
    }
    server_pid = pid;
    server_fd = sv[0];
}

eh_status eh__fs_start(struct eh_error *err)
{
    pthread_once(&start_once, start);
    if (server_fd >= 0)
        return EH_OK;
    eh_error_set(err, "starting the fork server: %s", start_error);
    return EH_ERR;
}

void eh__fs_finish(void)
{
    if (server_fd < 0) /* never started, failed to, or finished */
        return;
    int pidfd = (int)syscall(SYS_pidfd_open, server_pid, 0);
    close(server_fd);
    server_fd = -1;
    struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
    if (pidfd < 0 || poll(&pfd, 1, (int)eh_scaled_ms(FINISH_MAX_MS)) == 0)
        kill(server_pid, SIGKILL); /* its children die with it */
    while (waitpid(server_pid, NULL, 0) < 0 && errno == EINTR) {
    }
    if (pidfd >= 0)
        close(pidfd);
}

pid_t eh__fs_pid(void)
{
    return server_fd >= 0 ? server_pid : 0;
}

/* Sends the request; the channel's far end travels with it. */
static eh_status send_request(const struct request *rq, const void *arg, int fds[3],
                              struct eh_error *err)
{
    static const char pad[ARG_OFFSET];
    struct iovec iov[3] = {
        {(void *)rq, sizeof(*rq)},
        {(void *)pad, ARG_OFFSET - sizeof(*rq)},
        {(void *)arg, rq->arg_size},
    };
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(3 * sizeof(int))];
    } ctl;
    memset(&ctl, 0, sizeof(ctl));
    struct msghdr msg = {
        .msg_iov = iov, .msg_iovlen = 3, .msg_control = &ctl, .msg_controllen = sizeof(ctl)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(3 * sizeof(int));
    memcpy(CMSG_DATA(c), fds, 3 * sizeof(int));
    ssize_t n;
    while ((n = sendmsg(server_fd, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
    }
    if (n < 0) {
        eh_error_set(err, "the fork server is gone: %s", strerror(errno));
        return EH_ERR;
    }
    return EH_OK;
}

eh_status eh__fs_spawn(eh__fs_entry entry, eh__fs_stop stop, const void *arg, size_t arg_size,
                       int fd0, int fd1, struct eh__fs_child *c, struct eh_error *err)
{
    int ch[2];
    *c = (struct eh__fs_child){.pid = 0, .chan = -1};
    if (eh__fs_start(err) != EH_OK)
        return EH_ERR;
    if (arg_size > EH_FS_MAX_ARG) {
        eh_error_set(err, "fork server: %zu argument bytes, at most %d", arg_size, EH_FS_MAX_ARG);
        return EH_ERR;
    }
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ch) < 0) {
        eh_error_set(err, "fork server: socketpair: %s", strerror(errno));
        return EH_ERR;
    }
    struct request rq = {entry, stop, arg_size};
    int fds[3] = {fd0, fd1, ch[1]};
    eh_status st = send_request(&rq, arg, fds, err);
    close(ch[1]);
    struct note n = {0, 0};
    ssize_t r = -1;
    while (st == EH_OK && (r = recv(ch[0], &n, sizeof(n), 0)) < 0 && errno == EINTR) {
    }
    if (st == EH_OK && (r != (ssize_t)sizeof(n) || n.kind != 'P'))
        eh_error_set(err, "the fork server is gone (no answer to a request)");
    else if (st == EH_OK && n.value < 0)
        eh_error_set(err, "fork: %s", strerror(-n.value));
    if (st != EH_OK || r != (ssize_t)sizeof(n) || n.kind != 'P' || n.value < 0) {
        close(ch[0]);
        return EH_ERR;
    }
    c->pid = n.value;
    c->chan = ch[0];
    return EH_OK;
}

int eh__fs_status(struct eh__fs_child *c, int *status)
{
    struct note n;
    ssize_t r = recv(c->chan, &n, sizeof(n), MSG_DONTWAIT);
    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (r == (ssize_t)sizeof(n) && n.kind == 'S') {
        *status = n.value;
        return 1;
    }
    return -1;
}

void eh__fs_stop_child(struct eh__fs_child *c)
{
    if (c->stop_sent || c->chan < 0)
        return;
    c->stop_sent = true;
    send_note(c->chan, 'K', 0);
}

void eh__fs_close(struct eh__fs_child *c)
{
    if (c->chan >= 0)
        close(c->chan);
    c->chan = -1;
}
