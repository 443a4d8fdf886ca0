/* isolate.c - run a function inside fresh network and PID namespaces.
 *
 * The harness forks a child that unshares a user namespace (when not root),
 * then network and PID namespaces, brings lo up and forks the function as PID
 * 1 of the new PID namespace; the child waits for it and sends its wait status
 * back on a control pipe. When PID 1 ends (or is killed at the deadline) the
 * kernel kills everything else in its namespace. /proc is not remounted: the
 * files under /proc/net follow the reader's network namespace, so they show
 * the namespace's sockets. Where setting up namespaces fails, the function
 * runs in a plain child in its own process group instead (host loopback).
 */
#include "isolate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LINGER_MS 200  /* reading on after the child ended, for buffered bytes */
#define POLL_STEP_MS 5 /* when there is no pidfd to wait on */

const char *eh_isolation_name(enum eh_isolation m)
{
    switch (m) {
    case EH_ISO_NAMESPACES:
        return "namespaces";
    case EH_ISO_HOST:
        return "host-loopback";
    }
    return "?";
}

/* The test hook: EH_NO_NAMESPACES=1 makes namespaces count as refused. */
static bool hook_refuses(char *why, size_t why_len)
{
    const char *v = getenv("EH_NO_NAMESPACES");
    if (v == NULL || *v == '\0' || strcmp(v, "0") == 0)
        return false;
    snprintf(why, why_len, "EH_NO_NAMESPACES=%s (test hook)", v);
    return true;
}

static int setup_failed(char *why, size_t why_len, const char *what)
{
    snprintf(why, why_len, "%s: %s", what, eh_errno_name(errno));
    return -1;
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    errno = e;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* In a forked child: enters new user (when not root), network and PID
 * namespaces and brings lo up. Returns 0, or -1 with the reason in why. */
static int enter_namespaces(char *why, size_t why_len)
{
    if (hook_refuses(why, why_len))
        return -1;
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (uid != 0) {
        char map[64];
        if (unshare(CLONE_NEWUSER) < 0)
            return setup_failed(why, why_len, "unshare(CLONE_NEWUSER)");
        if (write_file("/proc/self/setgroups", "deny") < 0)
            return setup_failed(why, why_len, "write /proc/self/setgroups");
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
        if (write_file("/proc/self/uid_map", map) < 0)
            return setup_failed(why, why_len, "write /proc/self/uid_map");
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
        if (write_file("/proc/self/gid_map", map) < 0)
            return setup_failed(why, why_len, "write /proc/self/gid_map");
    }
    if (unshare(CLONE_NEWNET | CLONE_NEWPID) < 0)
        return setup_failed(why, why_len, "unshare(CLONE_NEWNET|CLONE_NEWPID)");
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return setup_failed(why, why_len, "socket for lo");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
    int r = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (r == 0) {
        ifr.ifr_flags |= IFF_UP;
        r = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    int e = errno;
    close(s);
    errno = e;
    return r < 0 ? setup_failed(why, why_len, "bring lo up") : 0;
}

/* Dies with the harness; returns false if the parent is already gone. */
static bool die_with_parent(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    return getppid() == parent;
}

static void write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

static int run_fn(eh_isolated_fn fn, void *arg, enum eh_isolation mode, int result_fd)
{
    int r = fn(arg, mode, result_fd);
    fflush(NULL);
    return r == 0 ? 0 : (r & 0xff) ? (r & 0xff) : 1;
}

_Noreturn static void setup_failed_exit(int ctl_w, const char *why)
{
    char msg[256];
    int n = snprintf(msg, sizeof(msg), "E%s", why);
    write_all(ctl_w, msg, n < (int)sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
    _exit(1);
}

/* The forked child of namespace mode. Control pipe messages: 'E' + why when
 * setup failed; 'S' + the int wait status of PID 1 when it ended. */
static void ns_child(eh_isolated_fn fn, void *arg, pid_t parent, int result_w, int ctl_w)
{
    char why[200];
    if (!die_with_parent(parent))
        _exit(1);
    if (enter_namespaces(why, sizeof(why)) < 0)
        setup_failed_exit(ctl_w, why);
    if (!die_with_parent(parent)) /* credentials changed: set it again */
        _exit(1);
    pid_t init = fork();
    if (init == 0) {
        /* PID 1 of the new namespace; its parent is outside, so getppid() is 0. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(ctl_w);
        _exit(run_fn(fn, arg, EH_ISO_NAMESPACES, result_w));
    }
    close(result_w);
    int status = 0;
    if (init < 0) {
        snprintf(why, sizeof(why), "fork in the new PID namespace: %s", eh_errno_name(errno));
        setup_failed_exit(ctl_w, why);
    }
    while (waitpid(init, &status, 0) < 0 && errno == EINTR) {
    }
    char msg[1 + sizeof(status)];
    msg[0] = 'S';
    memcpy(msg + 1, &status, sizeof(status));
    write_all(ctl_w, msg, sizeof(msg));
    _exit(0);
}

struct buf {
    char *data;
    size_t len, cap;
};

static bool buf_read(struct buf *b, int fd)
{
    if (b->cap - b->len < 65536) {
        size_t cap = b->cap ? b->cap * 2 : 65536;
        while (cap - b->len < 65536)
            cap *= 2;
        char *d = realloc(b->data, cap + 1);
        if (d == NULL)
            return false;
        b->data = d;
        b->cap = cap;
    }
    ssize_t n = read(fd, b->data + b->len, b->cap - b->len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0)
        return false;
    b->len += (size_t)n;
    return true;
}

struct child {
    pid_t pid;  /* also its process group */
    int pidfd;  /* -1 where pidfd_open() is unavailable */
    int fds[2]; /* result and control pipe read ends, -1 once closed */
    struct buf out[2];
    bool exited, timed_out;
    int status; /* the child's wait status */
};

/* Observes the child's exit without reaping first, so that its group ID is
 * still ours when the leftovers of the group are killed. */
static bool child_exited(struct child *c)
{
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid != c->pid)
        return false;
    kill(-c->pid, SIGKILL);
    while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR) {
    }
    c->exited = true;
    return true;
}

/* Reads both pipes until the child ended and the pipes are at EOF (or
 * LINGER_MS after it ended); kills the child's group at deadline_us. */
static void collect(struct child *c, int64_t deadline_us)
{
    int64_t linger_until = 0;
    for (;;) {
        if (!c->exited && child_exited(c))
            linger_until = eh_now_us() + eh_scaled_ms(LINGER_MS) * 1000;
        int64_t now = eh_now_us();
        if (c->exited && ((c->fds[0] < 0 && c->fds[1] < 0) || now >= linger_until))
            break;
        if (!c->exited && !c->timed_out && now >= deadline_us) {
            /* In namespace mode the group is the child and PID 1: killing
             * PID 1 makes the kernel kill the whole namespace. */
            c->timed_out = true;
            kill(-c->pid, SIGKILL);
            kill(c->pid, SIGKILL);
        }
        int64_t until = c->exited ? linger_until : c->timed_out ? INT64_MAX : deadline_us;
        int64_t left_ms = until == INT64_MAX ? -1 : (until - now + 999) / 1000;
        if (c->pidfd < 0 && !c->exited && (left_ms < 0 || left_ms > POLL_STEP_MS))
            left_ms = POLL_STEP_MS;
        struct pollfd pfd[3] = {
            {.fd = c->fds[0], .events = POLLIN},
            {.fd = c->fds[1], .events = POLLIN},
            {.fd = c->exited ? -1 : c->pidfd, .events = POLLIN},
        };
        if (poll(pfd, 3, left_ms > 0x7fffffff ? 0x7fffffff : (int)left_ms) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; i++) {
            if (pfd[i].fd >= 0 && pfd[i].revents != 0 && !buf_read(&c->out[i], c->fds[i])) {
                close(c->fds[i]);
                c->fds[i] = -1;
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (c->fds[i] >= 0)
            close(c->fds[i]);
    if (c->pidfd >= 0)
        close(c->pidfd);
}

/* Runs fn in one child, in namespaces or on the host; fills c. */
static eh_status run_child(eh_isolated_fn fn, void *arg, enum eh_isolation mode,
                           int64_t deadline_us, struct child *c, struct eh_error *err)
{
    int res[2], ctl[2] = {-1, -1};
    memset(c, 0, sizeof(*c));
    c->fds[0] = c->fds[1] = c->pidfd = -1;
    if (pipe2(res, O_CLOEXEC) < 0) {
        eh_error_set(err, "isolate: pipe: %s", strerror(errno));
        return EH_ERR;
    }
    if (mode == EH_ISO_NAMESPACES && pipe2(ctl, O_CLOEXEC) < 0) {
        eh_error_set(err, "isolate: pipe: %s", strerror(errno));
        close(res[0]);
        close(res[1]);
        return EH_ERR;
    }
    fflush(NULL); /* nothing buffered is written twice */
    pid_t parent = getpid();
    c->pid = fork();
    if (c->pid == 0) {
        setpgid(0, 0);
        close(res[0]);
        switch (mode) {
        case EH_ISO_NAMESPACES:
            close(ctl[0]);
            ns_child(fn, arg, parent, res[1], ctl[1]);
            break;
        case EH_ISO_HOST:
            if (!die_with_parent(parent))
                _exit(1);
            _exit(run_fn(fn, arg, EH_ISO_HOST, res[1]));
        }
        _exit(1);
    }
    int fork_errno = errno;
    close(res[1]);
    if (ctl[1] >= 0)
        close(ctl[1]);
    if (c->pid < 0) {
        eh_error_set(err, "isolate: fork: %s", strerror(fork_errno));
        close(res[0]);
        if (ctl[0] >= 0)
            close(ctl[0]);
        return EH_ERR;
    }
    c->fds[0] = res[0];
    c->fds[1] = ctl[0];
    setpgid(c->pid, c->pid);
    c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
    collect(c, deadline_us);
    return EH_OK;
}

eh_status eh_isolate_run(eh_isolated_fn fn, void *arg, bool force_host, int64_t deadline_us,
                         enum eh_isolation *mode_out, char **result, size_t *result_len,
                         struct eh_error *err)
{
    enum eh_isolation mode = force_host ? EH_ISO_HOST : EH_ISO_NAMESPACES;
    struct child c;
    eh_status st = run_child(fn, arg, mode, deadline_us, &c, err);
    int status = c.status;
    if (st == EH_OK && mode == EH_ISO_NAMESPACES) {
        const struct buf *ctl = &c.out[1];
        if (ctl->len > 0 && ctl->data[0] == 'E' && c.out[0].len == 0) {
            /* Namespaces refused: run again on the host loopback. */
            free(c.out[0].data);
            free(c.out[1].data);
            mode = EH_ISO_HOST;
            st = run_child(fn, arg, mode, deadline_us, &c, err);
            status = c.status;
        } else if (ctl->len == 1 + sizeof(int) && ctl->data[0] == 'S') {
            memcpy(&status, ctl->data + 1, sizeof(int));
        }
    }
    if (mode_out != NULL)
        *mode_out = mode;
    if (result != NULL) {
        *result = c.out[0].data ? c.out[0].data : calloc(1, 1);
        if (*result != NULL)
            (*result)[c.out[0].len] = '\0';
        c.out[0].data = NULL;
    }
    if (result_len != NULL)
        *result_len = c.out[0].len;
    free(c.out[0].data);
    free(c.out[1].data);
    if (st != EH_OK)
        return st;
    if (c.timed_out) {
        eh_error_set(err, "isolated run (%s): deadline passed; killed", eh_isolation_name(mode));
        return EH_TIMEOUT;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return EH_OK;
    if (WIFSIGNALED(status))
        eh_error_set(err, "isolated run (%s): killed by %s", eh_isolation_name(mode),
                     eh_signal_name(WTERMSIG(status)));
    else
        eh_error_set(err, "isolated run (%s): exited with code %d", eh_isolation_name(mode),
                     WEXITSTATUS(status));
    return EH_ERR;
}

enum eh_isolation eh_isolate_probe(char *why, size_t why_len)
{
    char reason[200] = "";
    int ctl[2];
    if (pipe2(ctl, O_CLOEXEC) < 0) {
        snprintf(why, why_len, "pipe: %s", eh_errno_name(errno));
        return EH_ISO_HOST;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(ctl[0]);
        if (!die_with_parent(parent))
            _exit(1);
        if (enter_namespaces(reason, sizeof(reason)) < 0) {
            write_all(ctl[1], reason, strlen(reason));
            _exit(1);
        }
        _exit(0);
    }
    int fork_errno = errno;
    close(ctl[1]);
    if (pid < 0) {
        close(ctl[0]);
        snprintf(why, why_len, "fork: %s", eh_errno_name(fork_errno));
        return EH_ISO_HOST;
    }
    ssize_t n, len = 0;
    while ((n = read(ctl[0], reason + len, sizeof(reason) - 1 - (size_t)len)) > 0 ||
           (n < 0 && errno == EINTR))
        len += n > 0 ? n : 0;
    reason[len] = '\0';
    close(ctl[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        snprintf(why, why_len, "%s", "");
        return EH_ISO_NAMESPACES;
    }
    snprintf(why, why_len, "%s", len > 0 ? reason : "namespace set-up failed");
    return EH_ISO_HOST;
}

eh_status eh_read_port_range(int *lo, int *hi, struct eh_error *err)
{
    const char *path = "/proc/sys/net/ipv4/ip_local_port_range";
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        eh_error_set(err, "%s: %s", path, strerror(errno));
        return EH_ERR;
    }
    int n = fscanf(f, "%d %d", lo, hi);
    fclose(f);
    if (n != 2) {
        eh_error_set(err, "%s: expected two port numbers", path);
        return EH_ERR;
    }
    return EH_OK;
}

int eh_alloc_port(int sock_type)
{
    int fd = socket(AF_INET, sock_type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}
