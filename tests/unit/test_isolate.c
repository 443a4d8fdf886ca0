/* test_isolate.c - unit tests for namespace isolation (isolate.h).
 *
 * Each isolated function reports what it saw as text on its result fd and
 * the test judges it in the parent. The tests that need namespaces are the
 * part "namespaces" (`test_isolate namespaces`, CTest's
 * unit/test_isolate_namespaces), skipped as a whole where eh_isolate_probe()
 * says namespaces are unavailable, or with EH_NO_NAMESPACES=1 set; the
 * fallback is tested everywhere through that hook.
 */
#include "forkserver.h"
#include "isolate.h"
#include "launch.h"
#include "unit.h"

#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <stdint.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int64_t deadline(int64_t base_ms)
{
    return eh_now_us() + eh_scaled_ms(base_ms) * 1000;
}

static void put(int fd, const char *s)
{
    size_t len = strlen(s);
    while (len > 0) {
        ssize_t n = write(fd, s, len);
        if (n <= 0)
            return;
        s += n;
        len -= (size_t)n;
    }
}

/* Runs fn and expects EH_OK in the given mode; returns the result (free it). */
static char *run_ok(eh_isolated_fn fn, const void *arg, size_t arg_size, bool force_host,
                    enum eh_isolation want_mode, size_t *len)
{
    enum eh_isolation mode;
    char *result = NULL;
    size_t n = 0;
    struct eh_error err = {0};
    eh_status st =
        eh_isolate_run(fn, arg, arg_size, force_host, deadline(10000), &mode, &result, &n, &err);
    ck_assert_msg(st == EH_OK, "eh_isolate_run: %s", err.msg);
    ck_assert_str_eq(eh_isolation_name(mode), eh_isolation_name(want_mode));
    ck_assert_ptr_nonnull(result);
    if (len != NULL)
        *len = n;
    return result;
}

/* True if a live process has exactly this command line (NULs as spaces). */
static bool process_with_cmdline(const char *want)
{
    DIR *d = opendir("/proc");
    bool found = false;
    struct dirent *e;
    while (!found && d != NULL && (e = readdir(d)) != NULL) {
        char path[300], buf[256];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
        FILE *f = fopen(path, "re");
        if (f == NULL)
            continue;
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        for (size_t i = 0; i < n; i++)
            if (buf[i] == '\0')
                buf[i] = ' ';
        while (n > 0 && buf[n - 1] == ' ')
            n--;
        buf[n] = '\0';
        found = strcmp(buf, want) == 0;
    }
    if (d != NULL)
        closedir(d);
    return found;
}

/* Polls /proc (kernel state) until no live process has this command line. */
static bool process_gone_within(const char *cmdline, int64_t base_ms)
{
    int64_t end = deadline(base_ms);
    while (process_with_cmdline(cmdline)) {
        if (eh_now_us() >= end)
            return false;
        usleep(2000);
    }
    return true;
}

/* Starts "sleep SECONDS" (optionally in its own session, out of our group)
 * and returns once it has exec'd. */
static void leave_sleeper(const char *seconds, bool new_session)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        if (new_session)
            setsid();
        execl("/bin/sleep", "sleep", seconds, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char c;
    while (read(p[0], &c, 1) > 0) {
    }
    close(p[0]);
}

static int fn_list_interfaces(void *arg, enum eh_isolation mode, int fd)
{
    (void)arg;
    (void)mode;
    struct if_nameindex *ifs = if_nameindex();
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    for (struct if_nameindex *i = ifs; i != NULL && i->if_name != NULL; i++) {
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->if_name);
        bool up = ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
        char line[64];
        snprintf(line, sizeof(line), "%s:%s\n", i->if_name, up ? "up" : "down");
        put(fd, line);
    }
    if_freenameindex(ifs);
    return 0;
}

START_TEST(test_isolate_namespace_has_only_lo_up)
{
    char *r = run_ok(fn_list_interfaces, NULL, 0, false, EH_ISO_NAMESPACES, NULL);
    ck_assert_str_eq(r, "lo:up\n");
    free(r);
}
END_TEST

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* Binds the port the host already listens on, and checks what /proc/net
 * shows inside the namespace before and after. */
static int fn_bind_same_port(void *arg, enum eh_isolation mode, int fd)
{
    (void)mode;
    int port = *(int *)arg;
    char line[128];
    eh_status before = eh_wait_listening(EH_TCP, EH_IPV4, port, NULL, deadline(50), NULL);
    int s = listen_on(port);
    eh_status after = eh_wait_listening(EH_TCP, EH_IPV4, port, NULL, deadline(2000), NULL);
    snprintf(line, sizeof(line), "before:%s bind:%s after:%s",
             before == EH_TIMEOUT ? "hidden" : "seen", s >= 0 ? "ok" : eh_errno_name(errno),
             after == EH_OK ? "listening" : "missing");
    put(fd, line);
    return 0;
}

START_TEST(test_isolate_port_does_not_collide_with_host)
{
    int port = 65432;
    int host_fd = listen_on(port);
    if (host_fd < 0) { /* the tutorial's port is taken here: any port proves it */
        port = eh_alloc_port(SOCK_STREAM);
        host_fd = listen_on(port);
    }
    ck_assert_int_ge(host_fd, 0);
    char *r = run_ok(fn_bind_same_port, &port, sizeof(port), false, EH_ISO_NAMESPACES, NULL);
    ck_assert_str_eq(r, "before:hidden bind:ok after:listening");
    free(r);
    /* The namespace's listener is not visible on the host either: ours is. */
    ck_assert_int_eq(eh_wait_listening(EH_TCP, EH_IPV4, port, NULL, deadline(1000), NULL), EH_OK);
    close(host_fd);
}
END_TEST

#define BIG_LEN (1024 * 1024)

static unsigned char pattern(size_t i)
{
    return (unsigned char)(i * 7 + (i >> 10));
}

static int fn_write_big(void *arg, enum eh_isolation mode, int fd)
{
    (void)arg;
    (void)mode;
    unsigned char *b = malloc(BIG_LEN);
    if (b == NULL)
        return 1;
    for (size_t i = 0; i < BIG_LEN; i++)
        b[i] = pattern(i);
    size_t off = 0;
    while (off < BIG_LEN) {
        ssize_t n = write(fd, b + off, BIG_LEN - off);
        if (n <= 0)
            return 1;
        off += (size_t)n;
    }
    free(b);
    return 0;
}

static void check_big(bool force_host, enum eh_isolation want)
{
    size_t len = 0;
    char *r = run_ok(fn_write_big, NULL, 0, force_host, want, &len);
    ck_assert_uint_eq(len, BIG_LEN);
    for (size_t i = 0; i < BIG_LEN; i++)
        ck_assert_msg((unsigned char)r[i] == pattern(i), "byte %zu differs", i);
    ck_assert_int_eq(r[len], '\0');
    free(r);
}

START_TEST(test_isolate_result_bytes_come_back_intact_from_namespaces)
{
    check_big(false, EH_ISO_NAMESPACES);
}
END_TEST

START_TEST(test_isolate_result_bytes_come_back_intact_from_host)
{
    check_big(true, EH_ISO_HOST);
}
END_TEST

static int fn_leave_sleeper_in_new_session(void *arg, enum eh_isolation mode, int fd)
{
    (void)mode;
    (void)fd;
    leave_sleeper((const char *)arg, true);
    return 0;
}

START_TEST(test_isolate_leftover_process_dies_with_namespace)
{
    char *r = run_ok(fn_leave_sleeper_in_new_session, "1001.5", sizeof("1001.5"), false,
                     EH_ISO_NAMESPACES, NULL);
    free(r);
    /* eh_isolate_run() returns once fn has returned; the namespace is
     * emptied as its PID 1 exits, just after. */
    ck_assert(process_gone_within("sleep 1001.5", 2000));
}
END_TEST

static int fn_leave_sleeper_in_group(void *arg, enum eh_isolation mode, int fd)
{
    (void)mode;
    (void)fd;
    leave_sleeper((const char *)arg, false);
    return 0;
}

START_TEST(test_isolate_host_mode_kills_leftover_group)
{
    char *r =
        run_ok(fn_leave_sleeper_in_group, "1002.5", sizeof("1002.5"), true, EH_ISO_HOST, NULL);
    free(r);
    ck_assert(process_gone_within("sleep 1002.5", 2000));
}
END_TEST

/* A server under test that daemonizes: its child leaves the session (and so
 * the process group) and its parent exits, so the sleeper is an orphan that
 * no group kill reaches. */
static void leave_orphan(const char *seconds)
{
    pid_t pid = fork();
    if (pid == 0) {
        leave_sleeper(seconds, true);
        _exit(0);
    }
    while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

static int fn_leave_escapees(void *arg, enum eh_isolation mode, int fd)
{
    (void)mode;
    (void)fd;
    leave_sleeper((const char *)arg, true); /* a child in its own session */
    leave_orphan((const char *)arg);        /* a daemonized grandchild */
    return 0;
}

START_TEST(test_isolate_host_mode_kills_leftovers_that_left_the_group)
{
    char *r = run_ok(fn_leave_escapees, "1005.5", sizeof("1005.5"), true, EH_ISO_HOST, NULL);
    free(r);
    ck_assert(process_gone_within("sleep 1005.5", 2000));
}
END_TEST

static int fn_leave_escapees_and_hang(void *arg, enum eh_isolation mode, int fd)
{
    fn_leave_escapees(arg, mode, fd);
    put(fd, "partial");
    for (;;)
        pause();
    return 0;
}

START_TEST(test_isolate_host_deadline_kills_leftovers_that_left_the_group)
{
    char *result = NULL;
    struct eh_error err = {0};
    eh_status st = eh_isolate_run(fn_leave_escapees_and_hang, "1006.5", sizeof("1006.5"), true,
                                  deadline(300), NULL, &result, NULL, &err);
    ck_assert_int_eq(st, EH_TIMEOUT);
    ck_assert_str_eq(result, "partial");
    free(result);
    ck_assert(process_gone_within("sleep 1006.5", 2000));
}
END_TEST

/* Writes, leaves a sleeper (out of its group in namespace mode, where only
 * the namespace can catch it), then hangs. */
static int fn_hang(void *arg, enum eh_isolation mode, int fd)
{
    put(fd, "partial");
    leave_sleeper((const char *)arg, mode == EH_ISO_NAMESPACES);
    for (;;)
        pause();
    return 0;
}

static void check_deadline(bool force_host, enum eh_isolation want, const char *sleeper)
{
    enum eh_isolation mode;
    char *result = NULL;
    size_t len = 0;
    struct eh_error err = {0};
    int64_t limit_ms = eh_scaled_ms(300);
    int64_t t0 = eh_now_us();
    eh_status st = eh_isolate_run(fn_hang, sleeper, strlen(sleeper) + 1, force_host,
                                  t0 + limit_ms * 1000, &mode, &result, &len, &err);
    int64_t took_ms = (eh_now_us() - t0) / 1000;
    ck_assert_int_eq(st, EH_TIMEOUT);
    ck_assert_str_eq(eh_isolation_name(mode), eh_isolation_name(want));
    ck_assert_int_ge(took_ms, limit_ms - 1);
    ck_assert_int_lt(took_ms, limit_ms + eh_scaled_ms(2000));
    ck_assert_str_eq(result, "partial");
    ck_assert_uint_eq(len, 7);
    ck_assert(strstr(err.msg, "deadline passed") != NULL);
    free(result);
}

START_TEST(test_isolate_deadline_kills_hanging_fn_and_namespace)
{
    check_deadline(false, EH_ISO_NAMESPACES, "1003.5");
    /* Killing PID 1 empties the namespace; that finishes just after we return. */
    ck_assert(process_gone_within("sleep 1003.5", 2000));
}
END_TEST

START_TEST(test_isolate_deadline_kills_hanging_fn_on_host)
{
    check_deadline(true, EH_ISO_HOST, "1004.5");
    ck_assert(process_gone_within("sleep 1004.5", 2000));
}
END_TEST

static void *interrupt_later(void *arg)
{
    usleep((useconds_t)(intptr_t)arg * 1000);
    eh_isolate_interrupt(SIGINT);
    return NULL;
}

/* Ctrl-C: a run in progress stops at once in either mode, everything it
 * started dies, and later runs do not start. */
static void check_interrupt(bool force_host, const char *seconds)
{
    char sleeper[64];
    snprintf(sleeper, sizeof(sleeper), "sleep %s", seconds);
    ck_assert_int_eq(eh_isolate_start(NULL), EH_OK); /* before the thread */
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, interrupt_later, (void *)(intptr_t)200), 0);
    char *result = NULL;
    struct eh_error err = {0};
    int64_t t0 = eh_now_us();
    eh_status st = eh_isolate_run(fn_hang, seconds, strlen(seconds) + 1, force_host,
                                  deadline(20000), NULL, &result, NULL, &err);
    int64_t took_ms = (eh_now_us() - t0) / 1000;
    pthread_join(t, NULL);
    ck_assert_int_eq(st, EH_ERR);
    ck_assert_msg(strstr(err.msg, "interrupted by SIGINT") != NULL, "%s", err.msg);
    ck_assert_int_lt(took_ms, 200 + eh_scaled_ms(2000));
    ck_assert_str_eq(result, "partial");
    free(result);
    ck_assert(process_gone_within(sleeper, 2000));
    ck_assert_int_eq(eh_isolate_interrupted(), SIGINT);

    result = NULL;
    eh_error_clear(&err);
    t0 = eh_now_us();
    st = eh_isolate_run(fn_hang, seconds, strlen(seconds) + 1, force_host, deadline(20000), NULL,
                        &result, NULL, &err);
    ck_assert_int_eq(st, EH_ERR);
    ck_assert_msg(strstr(err.msg, "before it started") != NULL, "%s", err.msg);
    ck_assert_int_lt((eh_now_us() - t0) / 1000, 100);
    ck_assert_str_eq(result, "");
    free(result);
}

START_TEST(test_isolate_interrupt_stops_a_run_in_namespaces)
{
    check_interrupt(false, "1007.5");
}
END_TEST

START_TEST(test_isolate_interrupt_stops_a_run_on_host)
{
    check_interrupt(true, "1008.5");
}
END_TEST

static int fn_net_ns(void *arg, enum eh_isolation mode, int fd)
{
    (void)arg;
    char link[128] = "";
    ssize_t n = readlink("/proc/self/ns/net", link, sizeof(link) - 1);
    link[n > 0 ? n : 0] = '\0';
    put(fd, eh_isolation_name(mode));
    put(fd, " ");
    put(fd, link);
    return 0;
}

static char *own_net_ns(const char *mode)
{
    static char line[160];
    char link[128] = "";
    ssize_t n = readlink("/proc/self/ns/net", link, sizeof(link) - 1);
    link[n > 0 ? n : 0] = '\0';
    snprintf(line, sizeof(line), "%s %s", mode, link);
    return line;
}

START_TEST(test_isolate_force_host_runs_in_host_namespace)
{
    char *r = run_ok(fn_net_ns, NULL, 0, true, EH_ISO_HOST, NULL);
    ck_assert_str_eq(r, own_net_ns("host-loopback"));
    free(r);
}
END_TEST

START_TEST(test_isolate_namespaces_run_in_another_net_namespace)
{
    char *r = run_ok(fn_net_ns, NULL, 0, false, EH_ISO_NAMESPACES, NULL);
    ck_assert_str_ne(r, own_net_ns("namespaces"));
    ck_assert(strncmp(r, "namespaces net:[", 16) == 0);
    free(r);
}
END_TEST

START_TEST(test_isolate_refused_namespaces_fall_back_to_host)
{
    setenv("EH_NO_NAMESPACES", "1", 1);
    char why[256];
    ck_assert_int_eq(eh_isolate_probe(why, sizeof(why)), EH_ISO_HOST);
    ck_assert_str_eq(why, "EH_NO_NAMESPACES=1 (test hook)");
    char *r = run_ok(fn_net_ns, NULL, 0, false, EH_ISO_HOST, NULL);
    ck_assert_str_eq(r, own_net_ns("host-loopback"));
    free(r);
    unsetenv("EH_NO_NAMESPACES");
}
END_TEST

START_TEST(test_isolate_probe_explains_itself)
{
    char why[256] = "unset";
    enum eh_isolation m = eh_isolate_probe(why, sizeof(why));
    switch (m) {
    case EH_ISO_NAMESPACES:
        ck_assert_str_eq(why, "");
        break;
    case EH_ISO_HOST:
        ck_assert(why[0] != '\0' && strcmp(why, "unset") != 0);
        break;
    }
}
END_TEST

static int fn_return_3(void *arg, enum eh_isolation mode, int fd)
{
    (void)arg;
    (void)mode;
    put(fd, "before");
    return 3;
}

/* A real fault (PID 1 of a namespace ignores signals it sends itself), and
 * SIGILL rather than SIGSEGV, which AddressSanitizer would catch. */
static int fn_trap(void *arg, enum eh_isolation mode, int fd)
{
    (void)arg;
    (void)mode;
    (void)fd;
    __builtin_trap();
}

static void check_failure(eh_isolated_fn fn, bool force_host, const char *want_msg)
{
    char *result = NULL;
    struct eh_error err = {0};
    ck_assert_int_eq(
        eh_isolate_run(fn, NULL, 0, force_host, deadline(10000), NULL, &result, NULL, &err),
        EH_ERR);
    ck_assert_str_eq(err.msg, want_msg);
    free(result);
}

START_TEST(test_isolate_fn_failure_is_reported_on_host)
{
    check_failure(fn_return_3, true, "isolated run (host-loopback): exited with code 3");
    check_failure(fn_trap, true, "isolated run (host-loopback): killed by SIGILL");
}
END_TEST

START_TEST(test_isolate_fn_failure_is_reported_in_namespaces)
{
    check_failure(fn_return_3, false, "isolated run (namespaces): exited with code 3");
    check_failure(fn_trap, false, "isolated run (namespaces): killed by SIGILL");
}
END_TEST

/* A lock that another thread holds while eh_isolate_run() forks: a child
 * forked by the calling thread would inherit it held and hang on it (as on
 * a sanitizer's allocator lock); a child of the fork server, started before
 * the thread took it, finds it free. */
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t holder_done = PTHREAD_MUTEX_INITIALIZER;

static void *hold_lock(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&held_lock);
    pthread_mutex_lock(&holder_done); /* until the test lets go */
    pthread_mutex_unlock(&holder_done);
    pthread_mutex_unlock(&held_lock);
    return NULL;
}

static int fn_take_lock(void *arg, enum eh_isolation mode, int fd)
{
    (void)arg;
    (void)mode;
    char line[64];
    pthread_mutex_lock(&held_lock);
    snprintf(line, sizeof(line), "locked, parent %d", (int)getppid());
    put(fd, line);
    return 0;
}

START_TEST(test_isolate_child_does_not_inherit_locks_of_other_threads)
{
    struct eh_error err = {0};
    ck_assert_msg(eh_isolate_start(&err) == EH_OK, "%s", err.msg);
    pthread_mutex_lock(&holder_done);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, hold_lock, NULL), 0);
    while (pthread_mutex_trylock(&held_lock) == 0) /* until the thread holds it */
        pthread_mutex_unlock(&held_lock), usleep(1000);
    char *result = NULL;
    eh_status st =
        eh_isolate_run(fn_take_lock, NULL, 0, true, deadline(2000), NULL, &result, NULL, &err);
    pthread_mutex_unlock(&holder_done);
    pthread_join(t, NULL);
    ck_assert_msg(st == EH_OK, "%s", err.msg);
    char want[64];
    snprintf(want, sizeof(want), "locked, parent %d", (int)eh__fs_pid());
    ck_assert_str_eq(result, want);
    ck_assert_int_ne(eh__fs_pid(), getpid());
    free(result);
}
END_TEST

/* The argument is a copy, taken when eh_isolate_run() is called. */
static int fn_echo_arg(void *arg, enum eh_isolation mode, int fd)
{
    (void)mode;
    put(fd, arg == NULL ? "(null)" : (const char *)arg);
    return 0;
}

START_TEST(test_isolate_arg_is_copied)
{
    char text[64];
    snprintf(text, sizeof(text), "on the caller's stack");
    char *r = run_ok(fn_echo_arg, text, strlen(text) + 1, true, EH_ISO_HOST, NULL);
    ck_assert_str_eq(r, "on the caller's stack");
    free(r);
    r = run_ok(fn_echo_arg, text, 0, true, EH_ISO_HOST, NULL);
    ck_assert_str_eq(r, "(null)");
    free(r);
}
END_TEST

/* Without its fork server, a run fails at once with a reason. */
START_TEST(test_isolate_fork_server_gone_is_an_error)
{
    ck_assert_int_eq(eh_isolate_start(NULL), EH_OK);
    pid_t fs = eh__fs_pid();
    ck_assert_int_gt(fs, 0);
    kill(fs, SIGKILL);
    while (waitpid(fs, NULL, 0) < 0 && errno == EINTR) {
    }
    char *result = NULL;
    struct eh_error err = {0};
    int64_t t0 = eh_now_us();
    ck_assert_int_eq(
        eh_isolate_run(fn_echo_arg, NULL, 0, true, deadline(5000), NULL, &result, NULL, &err),
        EH_ERR);
    ck_assert_msg(strstr(err.msg, "fork server is gone") != NULL, "%s", err.msg);
    ck_assert_int_lt((eh_now_us() - t0) / 1000, 1000);
    ck_assert_str_eq(result, "");
    free(result);
}
END_TEST

/* launch.c inside the namespace: the ready fd (which reads /proc through the
 * pidfd's pid) and an exit before ready. */
static int fn_launch_inside(void *arg, enum eh_isolation mode, int fd)
{
    (void)arg;
    (void)mode;
    char *const ready_argv[] = {"/bin/sh", "-c", "exec 3>&-; sleep 5", NULL};
    char *const exit_argv[] = {"/bin/sh", "-c", "exit 3", NULL};
    struct eh_spawn spec = {.argv = ready_argv, .ready_fd = true};
    struct eh_proc *p = NULL;
    struct eh_error err = {0};
    if (eh_proc_spawn(&spec, &p, &err) != EH_OK)
        put(fd, err.msg);
    else if (eh_proc_wait_ready_fd(p, deadline(5000), &err) == EH_OK)
        put(fd, "ready\n");
    eh_proc_free(p);
    for (int i = 0; i < 10; i++) {
        spec.argv = exit_argv;
        eh_error_clear(&err);
        if (eh_proc_spawn(&spec, &p, &err) == EH_OK)
            eh_proc_wait_ready_fd(p, deadline(5000), &err);
        put(fd, err.msg);
        put(fd, "\n");
        eh_proc_free(p);
    }
    int lo = 0, hi = 0;
    char line[64];
    eh_read_port_range(&lo, &hi, NULL);
    snprintf(line, sizeof(line), "range %d %d", lo, hi);
    put(fd, line);
    return 0;
}

START_TEST(test_isolate_launch_works_inside_namespace)
{
    char *r = run_ok(fn_launch_inside, NULL, 0, false, EH_ISO_NAMESPACES, NULL);
    char want[1024] = "ready\n";
    for (int i = 0; i < 10; i++)
        strcat(want, "/bin/sh exited with code 3 before it was ready\n");
    int lo, hi;
    ck_assert_int_eq(eh_read_port_range(&lo, &hi, NULL), EH_OK);
    char range[64];
    snprintf(range, sizeof(range), "range %d %d", lo, hi);
    strcat(want, range);
    ck_assert_str_eq(r, want);
    free(r);
}
END_TEST

START_TEST(test_isolate_port_range_is_sane)
{
    int lo = 0, hi = 0;
    struct eh_error err = {0};
    ck_assert_msg(eh_read_port_range(&lo, &hi, &err) == EH_OK, "%s", err.msg);
    ck_assert_int_gt(lo, 0);
    ck_assert_int_le(lo, hi);
    ck_assert_int_le(hi, 65535);
}
END_TEST

START_TEST(test_isolate_alloc_port_gives_a_bindable_port)
{
    int tcp = eh_alloc_port(SOCK_STREAM);
    int udp = eh_alloc_port(SOCK_DGRAM);
    ck_assert_int_gt(tcp, 0);
    ck_assert_int_le(tcp, 65535);
    ck_assert_int_gt(udp, 0);
    int fd = listen_on(tcp);
    ck_assert_int_ge(fd, 0);
    close(fd);
}
END_TEST

/* Everything that runs without namespaces: the host fallback, the probe,
 * the port helpers. */
static Suite *host_suite(void)
{
    Suite *s = suite_create("isolate");
    TCase *tc = tcase_create("host");
    tcase_set_timeout(tc, 60 * eh_timeout_scale());
    tcase_add_test(tc, test_isolate_result_bytes_come_back_intact_from_host);
    tcase_add_test(tc, test_isolate_host_mode_kills_leftover_group);
    tcase_add_test(tc, test_isolate_host_mode_kills_leftovers_that_left_the_group);
    tcase_add_test(tc, test_isolate_host_deadline_kills_leftovers_that_left_the_group);
    tcase_add_test(tc, test_isolate_deadline_kills_hanging_fn_on_host);
    tcase_add_test(tc, test_isolate_interrupt_stops_a_run_on_host);
    tcase_add_test(tc, test_isolate_force_host_runs_in_host_namespace);
    tcase_add_test(tc, test_isolate_refused_namespaces_fall_back_to_host);
    tcase_add_test(tc, test_isolate_probe_explains_itself);
    tcase_add_test(tc, test_isolate_fn_failure_is_reported_on_host);
    tcase_add_test(tc, test_isolate_child_does_not_inherit_locks_of_other_threads);
    tcase_add_test(tc, test_isolate_arg_is_copied);
    tcase_add_test(tc, test_isolate_fork_server_gone_is_an_error);
    tcase_add_test(tc, test_isolate_port_range_is_sane);
    tcase_add_test(tc, test_isolate_alloc_port_gives_a_bindable_port);
    suite_add_tcase(s, tc);
    return s;
}

/* The part "namespaces": every test that needs them. */
static Suite *namespaces_suite(void)
{
    Suite *s = suite_create("isolate");
    TCase *tc = tcase_create("namespaces");
    tcase_set_timeout(tc, 60 * eh_timeout_scale());
    tcase_add_test(tc, test_isolate_namespace_has_only_lo_up);
    tcase_add_test(tc, test_isolate_port_does_not_collide_with_host);
    tcase_add_test(tc, test_isolate_result_bytes_come_back_intact_from_namespaces);
    tcase_add_test(tc, test_isolate_leftover_process_dies_with_namespace);
    tcase_add_test(tc, test_isolate_deadline_kills_hanging_fn_and_namespace);
    tcase_add_test(tc, test_isolate_interrupt_stops_a_run_in_namespaces);
    tcase_add_test(tc, test_isolate_namespaces_run_in_another_net_namespace);
    tcase_add_test(tc, test_isolate_fn_failure_is_reported_in_namespaces);
    tcase_add_test(tc, test_isolate_launch_works_inside_namespace);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    struct eh_error err = {0};
    if (eh_timeout_scale_from_env(&err) != EH_OK) { /* before the suite reads the scale */
        fprintf(stderr, "%s\n", err.msg);
        return EXIT_FAILURE;
    }
    const char *part = eh_test_part(argc, argv, (const char *const[]){"namespaces", NULL});
    if (strcmp(part, "namespaces") != 0)
        return eh_test_run(host_suite(), CK_FORK_GETENV);
    char why[256];
    if (eh_isolate_probe(why, sizeof(why)) != EH_ISO_NAMESPACES)
        return eh_test_skip("namespaces unavailable here: %s", why);
    return eh_test_run(namespaces_suite(), CK_FORK_GETENV);
}
