/* isolate.c - run a function inside fresh network and PID namespaces.
 *
 * The fork server (forkserver.c) forks a child that unshares a user namespace
 * (when not root), then network and PID namespaces, brings lo up and forks
 * the function as PID 1 of the new PID namespace; the child waits for it and
 * sends its wait status back on a control pipe. When PID 1 ends (or is
 * killed at the deadline) the kernel kills everything else in its namespace.
 * /proc is not remounted: the files under /proc/net follow the reader's
 * network namespace, so they show the namespace's sockets. Where setting up
 * namespaces fails, the function runs in a plain child in its own process
 * group instead (host loopback); that child is a child subreaper, and what
 * it leaves behind is found by the parent links in /proc and killed. The
 * calling thread reads the pipes and learns from the fork server when the
 * child ended; at the deadline it asks the server to stop the child, which
 * runs stop_ns_child() or stop_host_child() there. eh_isolate_interrupt()
 * (Ctrl-C) stops every run as its deadline would.
 */
#include "isolate.h"

#include "forkserver.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LINGER_MS 200     /* reading on after the child ended, for buffered bytes */
#define KILL_TREE_MS 2000 /* killing what a host-mode scenario left behind, at most */

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

/* eh_isolate_interrupt(): the signal, and a pipe that stays readable once
 * written (never drained), so that every collect() polling it wakes up. */
static atomic_int interrupt_signo;
static int wake_pipe[2] = {-1, -1};
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;

static void make_wake_pipe(void)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
        wake_pipe[0] = fds[0];
        atomic_thread_fence(memory_order_seq_cst);
        wake_pipe[1] = fds[1];
    }
}

void eh_isolate_interrupt(int signo)
{
    int expected = 0;
    atomic_compare_exchange_strong(&interrupt_signo, &expected, signo > 0 ? signo : SIGTERM);
    atomic_thread_fence(memory_order_seq_cst);
    int fd = wake_pipe[1];
    if (fd >= 0) {
        int e = errno; /* a signal handler must leave errno alone */
        ssize_t n = write(fd, "!", 1);
        (void)n;
        errno = e;
    }
}

int eh_isolate_interrupted(void)
{
    return atomic_load(&interrupt_signo);
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

/* The step and errno of the last refused set-up in this process (a forked
 * child), for eh_isolate_probe() to explain. */
static const char *failed_step;
static int failed_errno;

static int setup_failed(char *why, size_t why_len, const char *what)
{
    failed_step = what;
    failed_errno = errno;
    snprintf(why, why_len, "%s: %s", what, eh_errno_name(errno));
    return -1;
}

/* Reads the integer in proc_root/rel; false when it is missing or not one. */
static bool read_sysctl(const char *proc_root, const char *rel, long *out)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", proc_root, rel);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return false;
    bool ok = fscanf(f, "%ld", out) == 1;
    fclose(f);
    return ok;
}

/* The cause of a refusal found in the sysctls, and its fix; false if none
 * of them explains it. */
static bool sysctl_cause(const char *proc_root, int err_no, char *cause, size_t cause_len,
                         char *fix, size_t fix_len)
{
    long v;
    if (read_sysctl(proc_root, "sys/kernel/apparmor_restrict_unprivileged_userns", &v) && v != 0) {
        snprintf(cause, cause_len,
                 "AppArmor restricts unprivileged user namespaces "
                 "(kernel.apparmor_restrict_unprivileged_userns = %ld, as on Ubuntu 24.04 and "
                 "GitHub's ubuntu-24.04 runners)",
                 v);
        snprintf(fix, fix_len,
                 "run echoharness with sudo, or allow them: sudo sysctl -w "
                 "kernel.apparmor_restrict_unprivileged_userns=0");
        return true;
    }
    if (read_sysctl(proc_root, "sys/kernel/unprivileged_userns_clone", &v) && v == 0) {
        snprintf(cause, cause_len,
                 "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone "
                 "= 0)");
        snprintf(fix, fix_len,
                 "run echoharness with sudo, or allow them: sudo sysctl -w "
                 "kernel.unprivileged_userns_clone=1");
        return true;
    }
    if (read_sysctl(proc_root, "sys/user/max_user_namespaces", &v) &&
        (v == 0 || err_no == ENOSPC)) {
        snprintf(
            cause, cause_len, "%s (user.max_user_namespaces = %ld)",
            v == 0 ? "user namespaces are disabled" : "the limit of user namespaces is reached", v);
        snprintf(fix, fix_len,
                 "run echoharness with sudo, or raise the limit: sudo sysctl -w "
                 "user.max_user_namespaces=15000");
        return true;
    }
    return false;
}

void eh_isolate_explain(const char *proc_root, const char *step, int err_no, bool root, char *buf,
                        size_t len)
{
    char cause[256], fix[256];
    if (!root && sysctl_cause(proc_root, err_no, cause, sizeof(cause), fix, sizeof(fix))) {
        /* found: a sysctl refuses the user namespace a non-root harness needs */
    } else if (err_no == EINVAL || err_no == ENOSYS) {
        snprintf(cause, sizeof(cause), "this kernel lacks namespace support");
        snprintf(fix, sizeof(fix),
                 "use a kernel built with CONFIG_USER_NS, CONFIG_NET_NS and "
                 "CONFIG_PID_NS");
    } else if (root) {
        snprintf(cause, sizeof(cause),
                 "running as root, but without CAP_SYS_ADMIN or under a seccomp filter that "
                 "refuses unshare (an unprivileged container)");
        snprintf(fix, sizeof(fix),
                 "run the container privileged, or add the capabilities SYS_ADMIN, NET_ADMIN "
                 "and NET_RAW");
    } else {
        snprintf(cause, sizeof(cause),
                 "no sysctl refuses user namespaces here, so a seccomp filter or a container "
                 "does");
        snprintf(fix, sizeof(fix), "run echoharness with sudo, or in a privileged container");
    }
    snprintf(buf, len, "%s: %s: %s; fix: %s", step, eh_errno_name(err_no), cause, fix);
}

/* True if CapEff in proc_root/self/status has CAP_NET_RAW (bit 13). */
static bool has_cap_net_raw(const char *proc_root)
{
    char path[512], line[256];
    snprintf(path, sizeof(path), "%s/self/status", proc_root);
    FILE *f = fopen(path, "re");
    bool yes = false;
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        unsigned long long caps;
        if (sscanf(line, "CapEff: %llx", &caps) == 1)
            yes = (caps >> 13) & 1;
    }
    if (f != NULL)
        fclose(f);
    return yes;
}

bool eh_isolate_host_capture_ok(const char *proc_root, bool root, const char *exe, char *why,
                                size_t len)
{
    if (root || has_cap_net_raw(proc_root))
        return true;
    snprintf(why, len,
             "capturing on the host's lo needs CAP_NET_RAW, which echoharness does not have "
             "(not root, no cap_net_raw in CapEff of %s/self/status); fix: run echoharness with "
             "sudo, or sudo setcap cap_net_raw,cap_net_admin+ep %s",
             proc_root, exe);
    return false;
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

/* One process of /proc: its PID, parent and whether it still runs. */
struct proc_link {
    pid_t pid, ppid;
    bool live; /* not a zombie */
};

/* Reads every process's parent from /proc/<pid>/stat; caller frees. */
static struct proc_link *read_proc_links(size_t *n_out)
{
    struct proc_link *v = NULL;
    size_t n = 0, cap = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        char path[300], line[512];
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t len = read(fd, line, sizeof(line) - 1);
        close(fd);
        line[len > 0 ? len : 0] = '\0';
        const char *rp = strrchr(line, ')'); /* the command name may hold anything */
        char state;
        int ppid;
        if (rp == NULL || sscanf(rp + 1, " %c %d", &state, &ppid) != 2)
            continue;
        if (n == cap) {
            struct proc_link *nv = realloc(v, (cap = cap ? 2 * cap : 256) * sizeof(*v));
            if (nv == NULL)
                break;
            v = nv;
        }
        v[n++] = (struct proc_link){atoi(e->d_name), ppid, state != 'Z' && state != 'X'};
    }
    if (d != NULL)
        closedir(d);
    *n_out = n;
    return v;
}

static int by_pid(const void *a, const void *b)
{
    pid_t x = ((const struct proc_link *)a)->pid, y = ((const struct proc_link *)b)->pid;
    return (x > y) - (x < y);
}

/* 1 if v[i] descends from root, else 0; memo holds -1 for unknown. */
static int descends(const struct proc_link *v, size_t n, signed char *memo, size_t i, pid_t root,
                    int depth)
{
    if (memo[i] < 0) {
        struct proc_link key = {.pid = v[i].ppid};
        const struct proc_link *parent = bsearch(&key, v, n, sizeof(*v), by_pid);
        memo[i] = v[i].ppid == root ? 1
                  : parent == NULL || depth > 4096
                      ? 0
                      : (signed char)descends(v, n, memo, (size_t)(parent - v), root, depth + 1);
    }
    return memo[i];
}

/* SIGKILLs every live descendant of root (not root itself); returns how
 * many it found. */
static size_t kill_tree_once(pid_t root)
{
    size_t n, found = 0;
    struct proc_link *v = read_proc_links(&n);
    signed char *memo = malloc(n ? n : 1);
    if (v != NULL && memo != NULL) {
        memset(memo, -1, n);
        qsort(v, n, sizeof(*v), by_pid);
        for (size_t i = 0; i < n; i++) {
            if (v[i].live && descends(v, n, memo, i, root, 0)) {
                kill(v[i].pid, SIGKILL);
                found++;
            }
        }
    }
    free(v);
    free(memo);
    return found;
}

/* Host mode has no PID namespace to empty: kills every descendant of root,
 * including those that left their process group with setsid(), until none
 * is left (bounded). root is a child subreaper, so an orphan stays in its
 * tree; reap says whether root is the caller (which then reaps them). */
static void kill_tree(pid_t root, bool reap)
{
    int64_t until = eh_now_us() + eh_scaled_ms(KILL_TREE_MS) * 1000;
    for (;;) {
        size_t found = kill_tree_once(root);
        while (reap && waitpid(-1, NULL, WNOHANG) > 0) {
        }
        if (found == 0 || eh_now_us() >= until)
            return;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

/* Runs fn; once it returned 0, closes the result pipe and says 'D' on the
 * control pipe: its result is complete, so the caller need not wait for
 * what exiting still costs (killing the PID namespace, releasing sockets). */
static int run_fn(eh_isolated_fn fn, void *arg, enum eh_isolation mode, int result_fd, int ctl_fd)
{
    int r = fn(arg, mode, result_fd);
    fflush(NULL);
    close(result_fd);
    if (r == 0)
        write_all(ctl_fd, "D", 1);
    close(ctl_fd);
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
 * setup failed; 'D' from PID 1 when fn returned 0 (run_fn()); 'S' + the int
 * wait status of PID 1 when it ended. */
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
        _exit(run_fn(fn, arg, EH_ISO_NAMESPACES, result_w, ctl_w));
    }
    close(result_w);
    int status = 0;
    if (init < 0) {
        snprintf(why, sizeof(why), "fork in the new PID namespace: %s", eh_errno_name(errno));
        setup_failed_exit(ctl_w, why);
    }
    while (waitpid(init, &status, 0) < 0 && errno == EINTR) {
    }
    signal(SIGPIPE, SIG_IGN); /* the caller may have stopped reading after 'D' */
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

/* What the fork server's child needs: the function, the mode and the
 * caller's argument bytes after them. */
struct child_args {
    eh_isolated_fn fn;
    enum eh_isolation mode;
    size_t arg_size;
    alignas(max_align_t) unsigned char arg[];
};

/* The child, forked by the fork server: the process group the harness
 * signals, then namespace set-up or the host-mode subreaper. */
static void child_entry(void *blob, int result_w, int ctl_w, pid_t parent)
{
    struct child_args *a = blob;
    void *arg = a->arg_size > 0 ? a->arg : NULL;
    setpgid(0, 0);
    switch (a->mode) {
    case EH_ISO_NAMESPACES:
        ns_child(a->fn, arg, parent, result_w, ctl_w);
        break;
    case EH_ISO_HOST: {
        if (!die_with_parent(parent))
            _exit(1);
        /* Orphans of the scenario (a daemonized server) become our
         * children instead of init's, so kill_tree() finds them. */
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        int r = run_fn(a->fn, arg, EH_ISO_HOST, result_w, ctl_w);
        kill_tree(getpid(), true);
        _exit(r);
    }
    }
    _exit(1);
}

/* Run by the fork server at the deadline. In namespace mode the group is
 * the child and PID 1: killing PID 1 makes the kernel kill the whole
 * namespace. On the host the child is stopped first, so that nothing leaves
 * its tree meanwhile, and the tree is killed. */
static void stop_ns_child(pid_t pid)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
}

static void stop_host_child(pid_t pid)
{
    kill(pid, SIGSTOP);
    kill_tree(pid, false);
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
}

struct child {
    struct eh__fs_child fs;
    int fds[2]; /* result and control pipe read ends, -1 once closed */
    struct buf out[2];
    bool exited, timed_out;
    bool server_lost; /* the fork server died: the status is unknown */
    int interrupted;  /* the signal that made eh_isolate_interrupt() stop it, or 0 */
    int status;       /* the child's wait status */
};

/* True once fn returned 0 ('D' on the control pipe, before any 'S'). */
static bool fn_done(const struct child *c)
{
    return c->out[1].len > 0 && c->out[1].data[0] == 'D';
}

/* Reads both pipes until fn has returned and its result is complete, or
 * the child ended and the pipes are at EOF (or LINGER_MS after it ended);
 * stops the child at deadline_us or on eh_isolate_interrupt(). The fork
 * server says when it ended. */
static void collect(struct child *c, int64_t deadline_us)
{
    int64_t linger_until = 0;
    for (;;) {
        int64_t now = eh_now_us();
        if (c->exited && ((c->fds[0] < 0 && c->fds[1] < 0) || now >= linger_until))
            break;
        if (fn_done(c) && c->fds[0] < 0 && !c->timed_out)
            break; /* it ends on its own; the fork server reaps it */
        if (!c->exited && !c->timed_out && !c->interrupted && eh_isolate_interrupted())
            c->interrupted = eh_isolate_interrupted();
        if (!c->exited && !c->timed_out && (now >= deadline_us || c->interrupted)) {
            c->timed_out = true;
            eh__fs_stop_child(&c->fs);
        }
        int64_t until = c->exited ? linger_until : c->timed_out ? INT64_MAX : deadline_us;
        int64_t left_ms = until == INT64_MAX ? -1 : (until - now + 999) / 1000;
        struct pollfd pfd[4] = {
            {.fd = c->fds[0], .events = POLLIN},
            {.fd = c->fds[1], .events = POLLIN},
            {.fd = c->exited ? -1 : c->fs.chan, .events = POLLIN},
            {.fd = c->timed_out ? -1 : wake_pipe[0], .events = POLLIN},
        };
        if (poll(pfd, 4, left_ms > 0x7fffffff ? 0x7fffffff : (int)left_ms) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; i++) {
            if (pfd[i].fd >= 0 && pfd[i].revents != 0 && !buf_read(&c->out[i], c->fds[i])) {
                close(c->fds[i]);
                c->fds[i] = -1;
            }
        }
        int r = pfd[2].fd >= 0 && pfd[2].revents != 0 ? eh__fs_status(&c->fs, &c->status) : 0;
        if (r != 0) {
            c->exited = true;
            c->server_lost = r < 0;
            linger_until = eh_now_us() + eh_scaled_ms(LINGER_MS) * 1000;
        }
    }
    for (int i = 0; i < 2; i++)
        if (c->fds[i] >= 0)
            close(c->fds[i]);
    if (!c->exited && !fn_done(c))
        eh__fs_stop_child(&c->fs); /* given up on (poll failed): stop it */
    eh__fs_close(&c->fs);
}

/* Runs fn in one child, in namespaces or on the host; fills c. */
static eh_status run_child(const struct child_args *args, size_t args_size, int64_t deadline_us,
                           struct child *c, struct eh_error *err)
{
    int res[2], ctl[2];
    memset(c, 0, sizeof(*c));
    c->fds[0] = c->fds[1] = c->fs.chan = -1;
    if (pipe2(res, O_CLOEXEC) < 0) {
        eh_error_set(err, "isolate: pipe: %s", strerror(errno));
        return EH_ERR;
    }
    if (pipe2(ctl, O_CLOEXEC) < 0) {
        eh_error_set(err, "isolate: pipe: %s", strerror(errno));
        close(res[0]);
        close(res[1]);
        return EH_ERR;
    }
    eh_status st =
        eh__fs_spawn(child_entry, args->mode == EH_ISO_HOST ? stop_host_child : stop_ns_child, args,
                     args_size, res[1], ctl[1], &c->fs, err);
    close(res[1]);
    close(ctl[1]);
    c->fds[0] = res[0];
    c->fds[1] = ctl[0];
    if (st != EH_OK) {
        close(res[0]);
        close(ctl[0]);
        return EH_ERR;
    }
    collect(c, deadline_us);
    return EH_OK;
}

eh_status eh_isolate_start(struct eh_error *err)
{
    pthread_once(&wake_once, make_wake_pipe);
    return eh__fs_start(err);
}

void eh_isolate_finish(void)
{
    eh__fs_finish();
}

/* eh_isolate_run() once it has run its child (or failed to): what to return. */
static eh_status conclude(const struct child *c, eh_status st, enum eh_isolation mode, int status,
                          struct eh_error *err)
{
    if (st != EH_OK)
        return st;
    if (c->interrupted) {
        eh_error_set(err, "interrupted by %s: the harness stopped the scenario (%s)",
                     eh_signal_name(c->interrupted), eh_isolation_name(mode));
        return EH_ERR;
    }
    if (c->timed_out) {
        eh_error_set(err, "isolated run (%s): deadline passed; killed", eh_isolation_name(mode));
        return EH_TIMEOUT;
    }
    if (c->server_lost) {
        eh_error_set(err, "isolated run (%s): the fork server died", eh_isolation_name(mode));
        return EH_ERR;
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

/* Runs the child; where namespaces are refused, runs it again on the host. */
static eh_status run_isolated(struct child_args *args, size_t args_size, int64_t deadline_us,
                              struct child *c, struct eh_error *err)
{
    eh_status st = run_child(args, args_size, deadline_us, c, err);
    int status = c->status;
    if (st == EH_OK && args->mode == EH_ISO_NAMESPACES) {
        const struct buf *ctl = &c->out[1];
        if (ctl->len > 0 && ctl->data[0] == 'E' && c->out[0].len == 0) {
            free(c->out[0].data);
            free(c->out[1].data);
            args->mode = EH_ISO_HOST;
            st = run_child(args, args_size, deadline_us, c, err);
            status = c->status;
        } else if (ctl->len >= 1 + sizeof(int) && ctl->data[ctl->len - 1 - sizeof(int)] == 'S') {
            /* PID 1's, not the set-up child's ('D' may come first) */
            memcpy(&status, ctl->data + ctl->len - sizeof(int), sizeof(int));
        }
    }
    if (st == EH_OK && fn_done(c))
        status = 0; /* fn returned 0; the child may still be exiting */
    return conclude(c, st, args->mode, status, err);
}

eh_status eh_isolate_run(eh_isolated_fn fn, const void *arg, size_t arg_size, bool force_host,
                         int64_t deadline_us, enum eh_isolation *mode_out, char **result,
                         size_t *result_len, struct eh_error *err)
{
    struct child c;
    memset(&c, 0, sizeof(c));
    eh_status st = eh_isolate_start(err);
    size_t args_size = sizeof(struct child_args) + arg_size;
    struct child_args *args = st == EH_OK ? malloc(args_size) : NULL;
    if (st == EH_OK && args == NULL) {
        eh_error_set(err, "isolate: out of memory");
        st = EH_ERR;
    }
    enum eh_isolation mode = force_host ? EH_ISO_HOST : EH_ISO_NAMESPACES;
    if (st == EH_OK && eh_isolate_interrupted()) {
        eh_error_set(err, "interrupted by %s before it started",
                     eh_signal_name(eh_isolate_interrupted()));
        st = EH_ERR;
    } else if (st == EH_OK) {
        *args = (struct child_args){.fn = fn, .mode = mode, .arg_size = arg_size};
        if (arg_size > 0)
            memcpy(args->arg, arg, arg_size);
        st = run_isolated(args, args_size, deadline_us, &c, err);
        mode = args->mode;
    }
    free(args);
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
    return st;
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
            if (failed_step != NULL) /* explained in the parent, which reads the sysctls */
                snprintf(reason, sizeof(reason), "%d %s", failed_errno, failed_step);
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
    int step_errno, used = 0;
    if (sscanf(reason, "%d %n", &step_errno, &used) == 1 && used > 0)
        eh_isolate_explain("/proc", reason + used, step_errno, geteuid() == 0, why, why_len);
    else
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
