/* launch.c - spawn, wait until ready, wait, stop: supervised child processes.
 *
 * fork + execvp in a new process group; stdout and stderr go through pipes
 * that one drain thread per process reads with poll(), keeping the first
 * output_cap bytes of each. An exec failure comes back through a CLOEXEC pipe.
 * Exit is observed with waitid(WNOWAIT) (woken by a pidfd where the kernel has
 * one), so the leader stays a zombie until eh_proc_stop(): its process group
 * ID cannot be reused while the harness still signals the group.
 */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_OUTPUT_CAP (64 * 1024)
#define READY_FD 3
#define DRAIN_LINGER_MS 100 /* reading on after exit while someone else holds the pipes */
#define POLL_STEP_US 2000   /* when there is no pidfd to wait on */
#define FIRST_STEP_US 100   /* eh_wait_listening(): the first wait, doubled up to POLL_STEP_US */
#define PF_EXITING 0x4      /* include/linux/sched.h: the task is in do_exit() */
#define MAX_FD_SWEEP 65536  /* fds marked one by one where close_range() is missing */
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2) /* linux/close_range.h, Linux 5.11 */
#endif

struct outbuf {
    char *data;   /* the first cap bytes, NUL-terminated */
    size_t len;   /* bytes kept */
    size_t total; /* bytes the program wrote */
};

struct eh_proc {
    char name[128];                /* argv[0], for messages */
    pid_t pid;                     /* also the process group ID */
    pid_t proc_pid;                /* its directory in /proc (whose PID namespace may differ
                                      from ours, as /proc is not remounted); 0 if unknown */
    int pidfd;                     /* -1 where pidfd_open() is unavailable */
    int ready_rd;                  /* read end of the ready pipe, -1 if none or seen EOF */
    bool ready;                    /* the ready fd reached EOF while the program ran */
    int out_rd, err_rd;            /* owned by the drain thread until it is joined */
    int wake_fd;                   /* eventfd that tells the drain thread to finish */
    _Atomic int64_t drain_stop_us; /* 0: read until EOF; else stop reading at this time */
    pthread_t drain;
    bool drain_joined;
    size_t cap; /* bytes kept per stream */
    struct outbuf out, err;
    int64_t start_us, end_us; /* eh_now_us() at spawn and when exit was seen */
    bool exited;              /* exit observed (the zombie may not be reaped yet) */
    bool reaped;
    bool stopped_by_harness;
    int exit_code;   /* -1 if killed by a signal */
    int term_signal; /* 0 if it exited */
};

static void sleep_us(int64_t us)
{
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

/* Milliseconds until deadline_us for poll(), rounded up, at least 0. */
static int ms_until(int64_t deadline_us)
{
    int64_t left = deadline_us - eh_now_us();
    if (left <= 0)
        return 0;
    return left / 1000 >= 0x7fffffff ? 0x7fffffff : (int)((left + 999) / 1000);
}

static void keep(struct outbuf *b, size_t cap, const char *data, size_t n)
{
    b->total += n;
    size_t room = cap - b->len;
    size_t k = n < room ? n : room;
    if (k == 0 || b->data == NULL)
        return;
    memcpy(b->data + b->len, data, k);
    b->len += k;
    b->data[b->len] = '\0';
}

static void *drain_main(void *arg)
{
    struct eh_proc *p = arg;
    struct pollfd fds[3] = {
        {.fd = p->out_rd, .events = POLLIN},
        {.fd = p->err_rd, .events = POLLIN},
        {.fd = p->wake_fd, .events = POLLIN},
    };
    struct outbuf *bufs[2] = {&p->out, &p->err};
    char chunk[65536];

    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        int timeout_ms = -1;
        int64_t stop_us = atomic_load(&p->drain_stop_us);
        if (stop_us != 0) {
            if (eh_now_us() >= stop_us)
                break;
            timeout_ms = ms_until(stop_us);
            fds[2].fd = -1; /* the wake-up has been seen */
        }
        if (poll(fds, 3, timeout_ms) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || fds[i].revents == 0)
                continue;
            ssize_t n = read(fds[i].fd, chunk, sizeof(chunk));
            if (n > 0)
                keep(bufs[i], p->cap, chunk, (size_t)n);
            else if (n == 0 || (errno != EINTR && errno != EAGAIN))
                fds[i].fd = -1;
        }
    }
    return NULL;
}

/* Makes the output final: the drain thread reads what is left (at most
 * DRAIN_LINGER_MS more if another process still holds the pipes) and ends. */
static void finish_output(struct eh_proc *p)
{
    if (p->drain_joined)
        return;
    atomic_store(&p->drain_stop_us, eh_now_us() + eh_scaled_ms(DRAIN_LINGER_MS) * 1000);
    uint64_t one = 1;
    if (write(p->wake_fd, &one, sizeof(one)) < 0) {
        /* the eventfd counter cannot overflow from one write; nothing to do */
    }
    pthread_join(p->drain, NULL);
    p->drain_joined = true;
    close(p->out_rd);
    close(p->err_rd);
    p->out_rd = p->err_rd = -1;
}

/* Records how the process ended if it has; never reaps (see the top). */
static bool check_exited(struct eh_proc *p)
{
    if (p->exited)
        return true;
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
        if (errno != ECHILD)
            return false;
        p->reaped = true; /* someone else reaped it: the status is lost */
        p->exit_code = -1;
    } else if (si.si_pid != p->pid) {
        return false;
    } else if (si.si_code == CLD_EXITED) {
        p->exit_code = si.si_status;
    } else {
        p->exit_code = -1;
        p->term_signal = si.si_status;
    }
    p->exited = true;
    p->end_us = eh_now_us();
    return true;
}

/* Waits until the process exited or deadline_us passed; returns check_exited(). */
static bool wait_exit(struct eh_proc *p, int64_t deadline_us)
{
    while (!check_exited(p)) {
        int64_t now = eh_now_us();
        if (now >= deadline_us)
            return false;
        if (p->pidfd >= 0) {
            struct pollfd pfd = {.fd = p->pidfd, .events = POLLIN};
            poll(&pfd, 1, ms_until(deadline_us));
        } else {
            int64_t left = deadline_us - now;
            sleep_us(left < POLL_STEP_US ? left : POLL_STEP_US);
        }
    }
    return true;
}

/* "exited with code 3" or "killed by SIGSEGV". */
static void describe_end(const struct eh_proc *p, char *buf, size_t len)
{
    if (p->term_signal != 0)
        snprintf(buf, len, "killed by %s", eh_signal_name(p->term_signal));
    else if (p->exit_code >= 0)
        snprintf(buf, len, "exited with code %d", p->exit_code);
    else
        snprintf(buf, len, "exited (status reaped elsewhere)");
}

static eh_status early_exit(struct eh_proc *p, const char *before, struct eh_error *err)
{
    char how[64];
    finish_output(p);
    describe_end(p, how, sizeof(how));
    eh_error_set(err, "%s %s before %s", p->name, how, before);
    return EH_ERR;
}

/* In the child: fd becomes target without FD_CLOEXEC. */
static int move_fd(int fd, int target)
{
    if (fd == target)
        return fcntl(fd, F_SETFD, 0);
    return dup2(fd, target) < 0 ? -1 : 0;
}

/* In the child: an fd that could be overwritten when 0..3 are filled is
 * first moved above them (a harness started with 0, 1 or 2 closed gets its
 * pipes there). */
static int lift_fd(int fd)
{
    return fd >= 0 && fd <= READY_FD ? fcntl(fd, F_DUPFD_CLOEXEC, READY_FD + 1) : fd;
}

/* In the child: every fd from first up gets FD_CLOEXEC, so the program
 * receives only 0, 1, 2 and the ready fd. That covers fds the harness
 * inherited from its caller and those libraries opened without O_CLOEXEC
 * (libpcap's capture socket and file). */
static void cloexec_from(int first)
{
    if (syscall(SYS_close_range, (unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return;
    struct rlimit rl; /* kernels before 5.11: one fcntl per possible fd */
    rlim_t max = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
    if (max > MAX_FD_SWEEP)
        max = MAX_FD_SWEEP;
    for (int fd = first; fd < (int)max; fd++)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* In the child between fork and exec: only async-signal-safe calls. The
 * exec pipe gets the child's /proc pid, then errno if the exec failed. */
static void child_exec(const struct eh_spawn *spec, pid_t parent, int devnull, int out_w, int err_w,
                       int ready_w, int exec_w)
{
    setpgid(0, 0);
    devnull = lift_fd(devnull);
    out_w = lift_fd(out_w);
    err_w = lift_fd(err_w);
    ready_w = lift_fd(ready_w);
    exec_w = lift_fd(exec_w);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    char link[16];
    ssize_t n = readlink("/proc/self", link, sizeof(link));
    int proc_pid = 0;
    for (ssize_t i = 0; i < n && link[i] >= '0' && link[i] <= '9'; i++)
        proc_pid = proc_pid * 10 + (link[i] - '0');
    while (write(exec_w, &proc_pid, sizeof(proc_pid)) < 0 && errno == EINTR) {
    }
    int e = 0;
    if (getppid() != parent)
        e = ESRCH;
    /* Ignored signals stay ignored across exec (the harness ignores SIGPIPE):
     * give the program the default dispositions and an empty mask. */
    for (int sig = 1; sig < NSIG; sig++)
        signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* A program that crashes leaves no core file in the user's folder (where
     * core_pattern is a plain name): its verdict and stderr say what
     * happened. Only the soft limit, which the program may raise again. */
    struct rlimit core;
    if (getrlimit(RLIMIT_CORE, &core) == 0) {
        core.rlim_cur = 0;
        setrlimit(RLIMIT_CORE, &core);
    }
    if (e == 0 && (move_fd(devnull, 0) < 0 || move_fd(out_w, 1) < 0 || move_fd(err_w, 2) < 0 ||
                   (ready_w >= 0 && move_fd(ready_w, READY_FD) < 0)))
        e = errno;
    cloexec_from(ready_w >= 0 ? READY_FD + 1 : READY_FD); /* exec_w is CLOEXEC already */
    if (e == 0) {
        execvp(spec->argv[0], spec->argv);
        e = errno;
    }
    while (write(exec_w, &e, sizeof(e)) < 0 && errno == EINTR) {
    }
    _exit(127);
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

eh_status eh_proc_spawn(const struct eh_spawn *spec, struct eh_proc **out, struct eh_error *err)
{
    *out = NULL;
    if (spec->argv == NULL || spec->argv[0] == NULL) {
        eh_error_set(err, "spawn: empty argv");
        return EH_ERR;
    }
    struct eh_proc *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        eh_error_set(err, "spawn %s: out of memory", spec->argv[0]);
        return EH_ERR;
    }
    snprintf(p->name, sizeof(p->name), "%s", spec->argv[0]);
    p->cap = spec->output_cap ? spec->output_cap : DEFAULT_OUTPUT_CAP;
    p->out.data = malloc(p->cap + 1);
    p->err.data = malloc(p->cap + 1);
    p->pidfd = p->ready_rd = -1;
    p->out_rd = p->err_rd = p->wake_fd = -1;
    p->exit_code = -1;

    int out_p[2] = {-1, -1}, err_p[2] = {-1, -1}, ready_p[2] = {-1, -1}, exec_p[2] = {-1, -1};
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    p->wake_fd = eventfd(0, EFD_CLOEXEC);
    if (p->out.data == NULL || p->err.data == NULL || devnull < 0 || p->wake_fd < 0 ||
        pipe2(out_p, O_CLOEXEC) < 0 || pipe2(err_p, O_CLOEXEC) < 0 ||
        pipe2(exec_p, O_CLOEXEC) < 0 || (spec->ready_fd && pipe2(ready_p, O_CLOEXEC) < 0)) {
        eh_error_set(err, "spawn %s: %s", p->name, strerror(errno));
        goto fail;
    }
    p->out.data[0] = p->err.data[0] = '\0';

    pid_t parent = getpid();
    p->start_us = eh_now_us();
    p->pid = fork();
    if (p->pid < 0) {
        eh_error_set(err, "spawn %s: fork: %s", p->name, strerror(errno));
        goto fail;
    }
    if (p->pid == 0)
        child_exec(spec, parent, devnull, out_p[1], err_p[1], ready_p[1], exec_p[1]);

    setpgid(p->pid, p->pid); /* EACCES once the child has exec'd: it did it itself */
    close_fd(&devnull);
    close_fd(&out_p[1]);
    close_fd(&err_p[1]);
    close_fd(&ready_p[1]);
    close_fd(&exec_p[1]);
    p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);

    int report[2] = {0, 0}; /* the /proc pid, then errno if exec failed */
    size_t got = 0;
    ssize_t n;
    while (got < sizeof(report) &&
           ((n = read(exec_p[0], (char *)report + got, sizeof(report) - got)) > 0 ||
            (n < 0 && errno == EINTR)))
        got += n > 0 ? (size_t)n : 0;
    close_fd(&exec_p[0]);
    p->proc_pid = report[0];
    if (got > sizeof(int)) {
        eh_error_set(err, "exec %s: %s", p->name, strerror(report[1]));
        while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR) {
        }
        goto fail;
    }

    p->out_rd = out_p[0];
    p->err_rd = err_p[0];
    p->ready_rd = ready_p[0];
    int e = pthread_create(&p->drain, NULL, drain_main, p);
    if (e != 0) {
        /* Without a reader the program would block on a full pipe: stop it. */
        eh_error_set(err, "spawn %s: drain thread: %s", p->name, strerror(e));
        close_fd(&p->out_rd);
        close_fd(&p->err_rd);
        p->drain_joined = true;
        eh_proc_free(p);
        return EH_ERR;
    }
    *out = p;
    return EH_OK;

fail:
    close_fd(&devnull);
    close_fd(&out_p[0]);
    close_fd(&out_p[1]);
    close_fd(&err_p[0]);
    close_fd(&err_p[1]);
    close_fd(&ready_p[0]);
    close_fd(&ready_p[1]);
    close_fd(&exec_p[0]);
    close_fd(&exec_p[1]);
    close_fd(&p->wake_fd);
    close_fd(&p->pidfd);
    free(p->out.data);
    free(p->err.data);
    free(p);
    return EH_ERR;
}

/* True if the process is inside exit(): its fds (and so the ready fd) are
 * closed before its parent can see it exit. */
static bool is_exiting(const struct eh_proc *p)
{
    char path[64], line[256];
    if (p->proc_pid <= 0)
        return false;
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)p->proc_pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return true;
    size_t n = fread(line, 1, sizeof(line) - 1, f);
    fclose(f);
    line[n] = '\0';
    const char *rp = strrchr(line, ')'); /* the command name may hold anything */
    char state = 0;
    unsigned flags = 0;
    if (rp == NULL || sscanf(rp + 1, " %c %*d %*d %*d %*d %*d %u", &state, &flags) != 2)
        return false;
    return state == 'Z' || state == 'X' || (flags & PF_EXITING) != 0;
}

eh_status eh_proc_wait_ready_fd(struct eh_proc *p, int64_t deadline_us, struct eh_error *err)
{
    if (p->ready)
        return EH_OK;
    if (p->ready_rd < 0) {
        if (check_exited(p))
            return early_exit(p, "it was ready", err);
        eh_error_set(err, "%s: started without a ready fd", p->name);
        return EH_ERR;
    }
    for (;;) {
        struct pollfd fds[2] = {
            {.fd = p->ready_rd, .events = POLLIN},
            {.fd = p->pidfd, .events = POLLIN},
        };
        int timeout_ms = ms_until(deadline_us);
        if (p->pidfd < 0 && timeout_ms > POLL_STEP_US / 1000)
            timeout_ms = POLL_STEP_US / 1000;
        if (poll(fds, 2, timeout_ms) < 0 && errno != EINTR) {
            eh_error_set(err, "%s: waiting for the ready fd: %s", p->name, strerror(errno));
            return EH_ERR;
        }
        if (fds[0].revents != 0) {
            char buf[256];
            ssize_t n = read(p->ready_rd, buf, sizeof(buf));
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
                close_fd(&p->ready_rd);
                if (is_exiting(p)) {
                    /* Closed by exit, not by the program: wait for the status. */
                    if (!wait_exit(p, deadline_us))
                        break;
                    return early_exit(p, "it was ready", err);
                }
                p->ready = true;
                return EH_OK;
            }
        }
        if (check_exited(p))
            return early_exit(p, "it was ready", err);
        if (eh_now_us() >= deadline_us)
            break;
    }
    eh_error_set(err, "%s: not ready (ready fd still open) at the deadline", p->name);
    return EH_TIMEOUT;
}

/* True if /proc/net/<file> has a socket on port in a state that counts. */
/* True if a socket of transport t listens (TCP) or is bound (UDP) on port in
 * the /proc/net table at path. With v4_reachable, a tcp6/udp6 entry counts
 * only if IPv4 clients can reach it: bound to the wildcard :: (dual stack,
 * IPV6_V6ONLY 0) or to an IPv4-mapped address. */
static bool port_in_table(const char *path, int port, enum eh_transport t, bool v4_reachable)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return false;
    char line[512], laddr[40];
    bool found = false;
    while (!found && fgets(line, sizeof(line), f) != NULL) {
        unsigned lport, state;
        /* "  0: 0100007F:FF98 00000000:0000 0A ..." (the header line fails) */
        if (sscanf(line, " %*u: %39[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", laddr, &lport, &state) !=
                3 ||
            (int)lport != port)
            continue;
        if (v4_reachable && strcmp(laddr, "00000000000000000000000000000000") != 0 &&
            strncasecmp(laddr, "0000000000000000FFFF0000", 24) != 0)
            continue;
        switch (t) {
        case EH_TCP:
            found = state == 0x0A; /* TCP_LISTEN */
            break;
        case EH_UDP:
            found = true; /* bound: 07 (TCP_CLOSE), or 01 if it connected */
            break;
        }
    }
    fclose(f);
    return found;
}

eh_status eh_wait_listening(enum eh_transport t, enum eh_family fam, int port, struct eh_proc *p,
                            int64_t deadline_us, struct eh_error *err)
{
    const char *v4 = "/proc/net/tcp", *v6 = "/proc/net/tcp6", *name = "tcp";
    switch (t) {
    case EH_TCP:
        break;
    case EH_UDP:
        v4 = "/proc/net/udp";
        v6 = "/proc/net/udp6";
        name = "udp";
        break;
    }
    const char *fam_name = fam == EH_IPV6 ? "IPv6" : "IPv4";
    char before[96];
    snprintf(before, sizeof(before), "%s %s port %d was %s", fam_name, name, port,
             t == EH_TCP ? "listening" : "bound");
    int64_t step_us = FIRST_STEP_US; /* a program starts in about a millisecond: look
                                        often at first, then every POLL_STEP_US */
    for (;;) {
        /* Whether it exited is read before the table: a server that
         * daemonizes exits once its child listens, so a table read after
         * the exit shows the child's socket. */
        bool exited = p != NULL && check_exited(p), ready = false;
        switch (fam) {
        case EH_IPV4:
            ready = port_in_table(v4, port, t, false) || port_in_table(v6, port, t, true);
            break;
        case EH_IPV6:
            ready = port_in_table(v6, port, t, false);
            break;
        }
        if (ready)
            return EH_OK;
        if (exited)
            return early_exit(p, before, err);
        int64_t left = deadline_us - eh_now_us();
        if (left <= 0)
            break;
        sleep_us(left < step_us ? left : step_us);
        step_us = step_us * 2 < POLL_STEP_US ? step_us * 2 : POLL_STEP_US;
    }
    eh_error_set(err, "nothing %s on %s %s port %d at the deadline",
                 t == EH_TCP ? "listening" : "bound", fam_name, name, port);
    return EH_TIMEOUT;
}

eh_status eh_proc_wait(struct eh_proc *p, int64_t deadline_us)
{
    if (!wait_exit(p, deadline_us))
        return EH_TIMEOUT;
    finish_output(p);
    return EH_OK;
}

void eh_proc_stop(struct eh_proc *p, int64_t grace_ms)
{
    if (p->reaped) {
        finish_output(p);
        return;
    }
    if (!check_exited(p)) {
        p->stopped_by_harness = true;
        kill(-p->pid, SIGTERM);
        kill(p->pid, SIGTERM); /* in case it left its group */
        kill(-p->pid, SIGCONT);
        if (!wait_exit(p, eh_now_us() + grace_ms * 1000)) {
            kill(-p->pid, SIGKILL);
            kill(p->pid, SIGKILL);
            wait_exit(p, eh_now_us() + eh_scaled_ms(10000) * 1000);
        }
    }
    /* Whatever the group left behind; the unreaped leader keeps the ID ours. */
    kill(-p->pid, SIGKILL);
    finish_output(p);
    if (p->exited && !p->reaped) {
        while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR) {
        }
        p->reaped = true;
    }
}

int eh_proc_exit_fd(const struct eh_proc *p)
{
    return p->pidfd;
}

pid_t eh_proc_pid(const struct eh_proc *p)
{
    return p->pid;
}

bool eh_proc_exited(const struct eh_proc *p)
{
    return p->exited;
}

int eh_proc_exit_code(const struct eh_proc *p)
{
    return p->exited ? p->exit_code : -1;
}

int eh_proc_term_signal(const struct eh_proc *p)
{
    return p->exited ? p->term_signal : 0;
}

bool eh_proc_stopped_by_harness(const struct eh_proc *p)
{
    return p->stopped_by_harness;
}

int64_t eh_proc_runtime_us(const struct eh_proc *p)
{
    return (p->exited ? p->end_us : eh_now_us()) - p->start_us;
}

int64_t eh_proc_start_us(const struct eh_proc *p)
{
    return p->start_us;
}

static const char *output(const struct eh_proc *p, const struct outbuf *b, size_t *len,
                          size_t *total)
{
    bool final = p->drain_joined;
    if (len != NULL)
        *len = final ? b->len : 0;
    if (total != NULL)
        *total = final ? b->total : 0;
    return final ? b->data : "";
}

const char *eh_proc_stdout(const struct eh_proc *p, size_t *len, size_t *total)
{
    return output(p, &p->out, len, total);
}

const char *eh_proc_stderr(const struct eh_proc *p, size_t *len, size_t *total)
{
    return output(p, &p->err, len, total);
}

void eh_proc_free(struct eh_proc *p)
{
    if (p == NULL)
        return;
    eh_proc_stop(p, eh_scaled_ms(200));
    close_fd(&p->ready_rd);
    close_fd(&p->wake_fd);
    close_fd(&p->pidfd);
    free(p->out.data);
    free(p->err.data);
    free(p);
}
