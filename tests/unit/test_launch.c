/* test_launch.c - unit tests for supervised child processes (launch.h).
 *
 * The programs are /bin/sh snippets, /bin/true and /bin/sleep. Every deadline
 * goes through eh_scaled_ms(), so EH_TIMEOUT_SCALE stretches them all.
 * The tests that need an IPv6 loopback are the part "ipv6" (`test_launch
 * ipv6`, CTest's unit/test_launch_ipv6), skipped as a whole where ::1
 * cannot be bound.
 */
#include "launch.h"
#include "unit.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <unistd.h>

static int64_t deadline(int64_t base_ms)
{
    return eh_now_us() + eh_scaled_ms(base_ms) * 1000;
}

static int64_t elapsed_ms(int64_t since_us)
{
    return (eh_now_us() - since_us) / 1000;
}

static struct eh_proc *spawn_sh(const char *script, bool ready_fd, size_t cap)
{
    char *const argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    struct eh_spawn spec = {.argv = argv, .ready_fd = ready_fd, .output_cap = cap};
    struct eh_proc *p = NULL;
    struct eh_error err = {0};
    ck_assert_msg(eh_proc_spawn(&spec, &p, &err) == EH_OK, "spawn <%s>: %s", script, err.msg);
    ck_assert_ptr_nonnull(p);
    return p;
}

START_TEST(test_launch_exit_code_is_reported)
{
    struct eh_proc *p = spawn_sh("exit 7", false, 0);
    ck_assert_int_eq(eh_proc_wait(p, deadline(5000)), EH_OK);
    ck_assert(eh_proc_exited(p));
    ck_assert_int_eq(eh_proc_exit_code(p), 7);
    ck_assert_int_eq(eh_proc_term_signal(p), 0);
    ck_assert(!eh_proc_stopped_by_harness(p));
    ck_assert_int_ge(eh_proc_runtime_us(p), 0);
    eh_proc_free(p);
}
END_TEST

START_TEST(test_launch_path_lookup_finds_true)
{
    char *const argv[] = {"true", NULL};
    struct eh_spawn spec = {.argv = argv};
    struct eh_proc *p = NULL;
    ck_assert_int_eq(eh_proc_spawn(&spec, &p, NULL), EH_OK);
    ck_assert_int_eq(eh_proc_wait(p, deadline(5000)), EH_OK);
    ck_assert_int_eq(eh_proc_exit_code(p), 0);
    eh_proc_free(p);
}
END_TEST

START_TEST(test_launch_death_by_signal_is_reported)
{
    struct eh_proc *p = spawn_sh("kill -SEGV $$", false, 0);
    ck_assert_int_eq(eh_proc_wait(p, deadline(5000)), EH_OK);
    ck_assert_int_eq(eh_proc_exit_code(p), -1);
    ck_assert_int_eq(eh_proc_term_signal(p), SIGSEGV);
    eh_proc_free(p);
}
END_TEST

START_TEST(test_launch_exec_failure_is_an_error)
{
    char *const argv[] = {"/nonexistent/eh-x", "--port", "1", NULL};
    struct eh_spawn spec = {.argv = argv};
    struct eh_proc *p = (struct eh_proc *)1;
    struct eh_error err = {0};
    ck_assert_int_eq(eh_proc_spawn(&spec, &p, &err), EH_ERR);
    ck_assert_ptr_null(p);
    ck_assert_str_eq(err.msg, "exec /nonexistent/eh-x: No such file or directory");

    setenv("PATH", "/usr/bin:/bin", 1); /* a PATH entry we may not search gives EACCES */
    char *const argv2[] = {"eh-no-such-program-anywhere", NULL};
    spec.argv = argv2;
    eh_error_clear(&err);
    ck_assert_int_eq(eh_proc_spawn(&spec, &p, &err), EH_ERR);
    ck_assert_str_eq(err.msg, "exec eh-no-such-program-anywhere: No such file or directory");
}
END_TEST

START_TEST(test_launch_stdin_is_dev_null)
{
    struct eh_proc *p = spawn_sh("cat; echo done", false, 0);
    ck_assert_int_eq(eh_proc_wait(p, deadline(5000)), EH_OK);
    size_t len, total;
    ck_assert_str_eq(eh_proc_stdout(p, &len, &total), "done\n");
    ck_assert_uint_eq(len, 5);
    ck_assert_uint_eq(total, 5);
    eh_proc_free(p);
}
END_TEST

/* A crashing program leaves no core file: the soft core limit is 0, even
 * where the harness's own allows cores (raised here to its hard limit). */
START_TEST(test_launch_core_files_are_off)
{
    struct rlimit core;
    ck_assert_int_eq(getrlimit(RLIMIT_CORE, &core), 0);
    core.rlim_cur = core.rlim_max;
    ck_assert_int_eq(setrlimit(RLIMIT_CORE, &core), 0);
    struct eh_proc *p = spawn_sh("ulimit -c", false, 0);
    ck_assert_int_eq(eh_proc_wait(p, deadline(5000)), EH_OK);
    ck_assert_str_eq(eh_proc_stdout(p, NULL, NULL), "0\n");
    eh_proc_free(p);
}
END_TEST

START_TEST(test_launch_flood_is_capped_without_hanging)
{
    int64_t t0 = eh_now_us();
    struct eh_proc *p = spawn_sh("yes | head -c 10000000; printf err >&2", false, 1000);
    ck_assert_int_eq(eh_proc_wait(p, deadline(20000)), EH_OK);
    ck_assert_int_eq(eh_proc_exit_code(p), 0);
    size_t len, total;
    const char *out = eh_proc_stdout(p, &len, &total);
    ck_assert_uint_eq(len, 1000);
    ck_assert_uint_eq(total, 10000000);
    ck_assert_uint_eq(strlen(out), 1000);
    ck_assert(strncmp(out, "y\ny\ny\n", 6) == 0);
    ck_assert_str_eq(eh_proc_stderr(p, &len, &total), "err");
    ck_assert_uint_eq(total, 3);
    ck_assert_int_lt(elapsed_ms(t0), eh_scaled_ms(20000));
    eh_proc_free(p);
}
END_TEST

START_TEST(test_launch_default_cap_is_64k)
{
    struct eh_proc *p = spawn_sh("head -c 100000 /dev/zero | tr '\\0' x", false, 0);
    ck_assert_int_eq(eh_proc_wait(p, deadline(10000)), EH_OK);
    size_t len, total;
    eh_proc_stdout(p, &len, &total);
    ck_assert_uint_eq(len, 64 * 1024);
    ck_assert_uint_eq(total, 100000);
    eh_proc_free(p);
}
END_TEST

START_TEST(test_launch_wait_times_out_at_deadline)
{
    char *const argv[] = {"/bin/sleep", "5", NULL};
    struct eh_spawn spec = {.argv = argv};
    struct eh_proc *p = NULL;
    ck_assert_int_eq(eh_proc_spawn(&spec, &p, NULL), EH_OK);
    int64_t t0 = eh_now_us();
    ck_assert_int_eq(eh_proc_wait(p, deadline(100)), EH_TIMEOUT);
    ck_assert_int_ge(elapsed_ms(t0), eh_scaled_ms(100) - 1);
    ck_assert(!eh_proc_exited(p));
    eh_proc_stop(p, eh_scaled_ms(2000));
    ck_assert(eh_proc_exited(p));
    ck_assert(eh_proc_stopped_by_harness(p));
    ck_assert_int_eq(eh_proc_term_signal(p), SIGTERM);
    eh_proc_free(p);
}
END_TEST

START_TEST(test_launch_sigterm_ignoring_child_gets_sigkill)
{
    struct eh_proc *p = spawn_sh("trap '' TERM; exec 3>&-; sleep 100", true, 0);
    ck_assert_int_eq(eh_proc_wait_ready_fd(p, deadline(5000), NULL), EH_OK);
    int64_t grace_ms = eh_scaled_ms(300);
    int64_t t0 = eh_now_us();
    eh_proc_stop(p, grace_ms);
    int64_t took = elapsed_ms(t0);
    ck_assert_int_ge(took, grace_ms - 1);
    ck_assert_int_lt(took, grace_ms + eh_scaled_ms(2000));
    ck_assert(eh_proc_stopped_by_harness(p));
    ck_assert_int_eq(eh_proc_term_signal(p), SIGKILL);
    eh_proc_free(p);
}
END_TEST

/* The leader exits at once and leaves a sleep in its group that holds the
 * output pipes. We are the subreaper, so the orphan comes back to us and we
 * see how it died. */
START_TEST(test_launch_leftover_group_member_is_killed)
{
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    struct eh_proc *p = spawn_sh("sleep 1000 & echo $!", false, 0);
    int64_t t0 = eh_now_us();
    ck_assert_int_eq(eh_proc_wait(p, deadline(5000)), EH_OK);
    ck_assert_int_lt(elapsed_ms(t0), eh_scaled_ms(2000));
    pid_t orphan = (pid_t)atoi(eh_proc_stdout(p, NULL, NULL));
    ck_assert_int_gt(orphan, 0);
    ck_assert_int_eq(kill(orphan, 0), 0);
    eh_proc_stop(p, eh_scaled_ms(1000));
    ck_assert(!eh_proc_stopped_by_harness(p));

    int status = 0;
    int64_t end = deadline(5000);
    pid_t r;
    while ((r = waitpid(orphan, &status, WNOHANG)) == 0 && eh_now_us() < end)
        usleep(2000);
    ck_assert_int_eq(r, orphan);
    ck_assert(WIFSIGNALED(status));
    ck_assert_int_eq(WTERMSIG(status), SIGKILL);
    eh_proc_free(p);
}
END_TEST

START_TEST(test_launch_ready_fd_closed_means_ready)
{
    struct eh_proc *p = spawn_sh("exec 3>&-; sleep 5", true, 0);
    int64_t t0 = eh_now_us();
    struct eh_error err = {0};
    ck_assert_msg(eh_proc_wait_ready_fd(p, deadline(5000), &err) == EH_OK, "%s", err.msg);
    ck_assert_int_lt(elapsed_ms(t0), eh_scaled_ms(2000));
    ck_assert(!eh_proc_exited(p));
    ck_assert_int_eq(eh_proc_wait_ready_fd(p, deadline(100), NULL), EH_OK);
    eh_proc_stop(p, eh_scaled_ms(2000));
    ck_assert(eh_proc_stopped_by_harness(p));
    eh_proc_free(p);
}
END_TEST

/* The ready fd closes because the program exits: that is not "ready".
 * Repeated because exit() closes the fd just before the parent can see it. */
START_TEST(test_launch_exit_before_ready_is_an_error)
{
    for (int i = 0; i < 20; i++) {
        struct eh_proc *p = spawn_sh("exit 3", true, 0);
        struct eh_error err = {0};
        ck_assert_int_eq(eh_proc_wait_ready_fd(p, deadline(5000), &err), EH_ERR);
        ck_assert_str_eq(err.msg, "/bin/sh exited with code 3 before it was ready");
        ck_assert_int_eq(eh_proc_exit_code(p), 3);
        eh_proc_free(p);
    }
}
END_TEST

START_TEST(test_launch_killed_before_ready_is_an_error)
{
    struct eh_proc *p = spawn_sh("echo starting; kill -SEGV $$", true, 0);
    struct eh_error err = {0};
    ck_assert_int_eq(eh_proc_wait_ready_fd(p, deadline(5000), &err), EH_ERR);
    ck_assert_str_eq(err.msg, "/bin/sh killed by SIGSEGV before it was ready");
    ck_assert_str_eq(eh_proc_stdout(p, NULL, NULL), "starting\n");
    eh_proc_free(p);
}
END_TEST

START_TEST(test_launch_ready_fd_times_out)
{
    struct eh_proc *p = spawn_sh("sleep 5", true, 0);
    int64_t t0 = eh_now_us();
    struct eh_error err = {0};
    ck_assert_int_eq(eh_proc_wait_ready_fd(p, deadline(200), &err), EH_TIMEOUT);
    ck_assert_int_ge(elapsed_ms(t0), eh_scaled_ms(200) - 1);
    ck_assert(strstr(err.msg, "not ready") != NULL);
    eh_proc_free(p);
}
END_TEST

START_TEST(test_launch_spawned_program_gets_default_sigpipe)
{
    signal(SIGPIPE, SIG_IGN);
    struct eh_proc *p = spawn_sh("kill -PIPE $$; echo survived", false, 0);
    ck_assert_int_eq(eh_proc_wait(p, deadline(5000)), EH_OK);
    ck_assert_int_eq(eh_proc_term_signal(p), SIGPIPE);
    eh_proc_free(p);
}
END_TEST

/* Only 0, 1, 2 and the ready fd reach the program: not the fds the harness
 * inherited from its caller, nor any it opened itself without O_CLOEXEC (as
 * libpcap does for its capture socket and file). */
START_TEST(test_launch_program_gets_only_stdio_and_ready_fd)
{
    int leak = open("/dev/null", O_RDONLY); /* deliberately without O_CLOEXEC */
    int leak_high = fcntl(leak, F_DUPFD, 200);
    ck_assert_int_ge(leak, 0);
    ck_assert_int_ge(leak_high, 200);
    char script[512];
    snprintf(script, sizeof(script),
             "for f in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 %d %d; do "
             "[ -e /proc/self/fd/$f ] && printf '%%s ' $f; done; true",
             leak, leak_high);
    struct eh_proc *p = spawn_sh(script, true, 0);
    ck_assert_int_eq(eh_proc_wait(p, deadline(5000)), EH_OK);
    ck_assert_str_eq(eh_proc_stdout(p, NULL, NULL), "0 1 2 3 ");
    eh_proc_free(p);

    p = spawn_sh(script, false, 0);
    ck_assert_int_eq(eh_proc_wait(p, deadline(5000)), EH_OK);
    ck_assert_str_eq(eh_proc_stdout(p, NULL, NULL), "0 1 2 ");
    eh_proc_free(p);
    close(leak);
    close(leak_high);
}
END_TEST

/* Opens a socket on the loopback of the given family and type; returns its
 * port, or 0 if the family is unavailable here. */
static int open_socket(int family, int type, bool do_listen, int *fd_out)
{
    int fd = socket(family, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    socklen_t len;
    if (family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof(*a);
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        len = sizeof(*a);
    }
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || (do_listen && listen(fd, 1) < 0) ||
        getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
        close(fd);
        return 0;
    }
    *fd_out = fd;
    return ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                   : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

START_TEST(test_launch_wait_listening_sees_tcp_listener)
{
    int fd;
    int port = open_socket(AF_INET, SOCK_STREAM, true, &fd);
    ck_assert_int_gt(port, 0);
    struct eh_error err = {0};
    ck_assert_msg(eh_wait_listening(EH_TCP, EH_IPV4, port, NULL, deadline(2000), &err) == EH_OK,
                  "%s", err.msg);
    close(fd);
}
END_TEST

START_TEST(test_launch_wait_listening_sees_tcp6_listener)
{
    int fd;
    int port = open_socket(AF_INET6, SOCK_STREAM, true, &fd);
    ck_assert_int_gt(port, 0);
    ck_assert_int_eq(eh_wait_listening(EH_TCP, EH_IPV6, port, NULL, deadline(2000), NULL), EH_OK);
    close(fd);
}
END_TEST

START_TEST(test_launch_wait_listening_ipv4_listener_is_not_ready_for_ipv6)
{
    int fd;
    int port = open_socket(AF_INET, SOCK_STREAM, true, &fd);
    ck_assert_int_gt(port, 0);
    struct eh_error err = {0};
    ck_assert_int_eq(eh_wait_listening(EH_TCP, EH_IPV6, port, NULL, deadline(100), &err),
                     EH_TIMEOUT);
    ck_assert_msg(strstr(err.msg, "nothing listening on IPv6 tcp port") != NULL, "%s", err.msg);
    close(fd);
}
END_TEST

START_TEST(test_launch_wait_listening_ipv6_loopback_listener_is_not_ready_for_ipv4)
{
    int fd;
    int port = open_socket(AF_INET6, SOCK_STREAM, true, &fd);
    ck_assert_int_gt(port, 0);
    ck_assert_int_eq(eh_wait_listening(EH_TCP, EH_IPV4, port, NULL, deadline(100), NULL),
                     EH_TIMEOUT);
    close(fd);
}
END_TEST

START_TEST(test_launch_wait_listening_sees_bound_udp)
{
    int fd;
    int port = open_socket(AF_INET, SOCK_DGRAM, false, &fd);
    ck_assert_int_gt(port, 0);
    ck_assert_int_eq(eh_wait_listening(EH_UDP, EH_IPV4, port, NULL, deadline(2000), NULL), EH_OK);
    close(fd);
}
END_TEST

START_TEST(test_launch_wait_listening_ignores_bound_tcp)
{
    int fd;
    int port = open_socket(AF_INET, SOCK_STREAM, false, &fd);
    ck_assert_int_gt(port, 0);
    ck_assert_int_eq(eh_wait_listening(EH_TCP, EH_IPV4, port, NULL, deadline(100), NULL),
                     EH_TIMEOUT);
    close(fd);
}
END_TEST

START_TEST(test_launch_wait_listening_times_out)
{
    int fd;
    int port = open_socket(AF_INET, SOCK_STREAM, false, &fd);
    close(fd); /* now probably nobody's */
    int64_t t0 = eh_now_us();
    struct eh_error err = {0};
    ck_assert_int_eq(eh_wait_listening(EH_TCP, EH_IPV4, port, NULL, deadline(200), &err),
                     EH_TIMEOUT);
    int64_t took = elapsed_ms(t0);
    ck_assert_int_ge(took, eh_scaled_ms(200) - 1);
    ck_assert_int_lt(took, eh_scaled_ms(200) + eh_scaled_ms(1000));
    ck_assert(strstr(err.msg, "nothing listening on IPv4 tcp port") != NULL);
}
END_TEST

START_TEST(test_launch_wait_listening_fails_when_process_exits)
{
    int fd;
    int port = open_socket(AF_INET, SOCK_STREAM, false, &fd);
    close(fd);
    struct eh_proc *p = spawn_sh("exit 4", false, 0);
    struct eh_error err = {0};
    ck_assert_int_eq(eh_wait_listening(EH_TCP, EH_IPV4, port, p, deadline(5000), &err), EH_ERR);
    char want[128];
    snprintf(want, sizeof(want), "/bin/sh exited with code 4 before IPv4 tcp port %d was listening",
             port);
    ck_assert_str_eq(err.msg, want);
    eh_proc_free(p);
}
END_TEST

static Suite *launch_suite(void)
{
    Suite *s = suite_create("launch");
    TCase *tc = tcase_create("proc");
    tcase_set_timeout(tc, 60 * eh_timeout_scale());
    tcase_add_test(tc, test_launch_exit_code_is_reported);
    tcase_add_test(tc, test_launch_path_lookup_finds_true);
    tcase_add_test(tc, test_launch_death_by_signal_is_reported);
    tcase_add_test(tc, test_launch_exec_failure_is_an_error);
    tcase_add_test(tc, test_launch_stdin_is_dev_null);
    tcase_add_test(tc, test_launch_core_files_are_off);
    tcase_add_test(tc, test_launch_flood_is_capped_without_hanging);
    tcase_add_test(tc, test_launch_default_cap_is_64k);
    tcase_add_test(tc, test_launch_wait_times_out_at_deadline);
    tcase_add_test(tc, test_launch_sigterm_ignoring_child_gets_sigkill);
    tcase_add_test(tc, test_launch_leftover_group_member_is_killed);
    tcase_add_test(tc, test_launch_ready_fd_closed_means_ready);
    tcase_add_test(tc, test_launch_exit_before_ready_is_an_error);
    tcase_add_test(tc, test_launch_killed_before_ready_is_an_error);
    tcase_add_test(tc, test_launch_ready_fd_times_out);
    tcase_add_test(tc, test_launch_spawned_program_gets_default_sigpipe);
    tcase_add_test(tc, test_launch_program_gets_only_stdio_and_ready_fd);
    suite_add_tcase(s, tc);
    TCase *tl = tcase_create("listening");
    tcase_set_timeout(tl, 30 * eh_timeout_scale());
    tcase_add_test(tl, test_launch_wait_listening_sees_tcp_listener);
    tcase_add_test(tl, test_launch_wait_listening_ipv4_listener_is_not_ready_for_ipv6);
    tcase_add_test(tl, test_launch_wait_listening_sees_bound_udp);
    tcase_add_test(tl, test_launch_wait_listening_ignores_bound_tcp);
    tcase_add_test(tl, test_launch_wait_listening_times_out);
    tcase_add_test(tl, test_launch_wait_listening_fails_when_process_exits);
    suite_add_tcase(s, tl);
    return s;
}

/* The part "ipv6": listeners on ::1. */
static Suite *ipv6_suite(void)
{
    Suite *s = suite_create("launch");
    TCase *tc = tcase_create("listening_ipv6");
    tcase_set_timeout(tc, 30 * eh_timeout_scale());
    tcase_add_test(tc, test_launch_wait_listening_sees_tcp6_listener);
    tcase_add_test(tc, test_launch_wait_listening_ipv6_loopback_listener_is_not_ready_for_ipv4);
    suite_add_tcase(s, tc);
    return s;
}

/* Whether a TCP socket can listen on [::1]; if not, why says why. */
static bool have_ipv6_loopback(char *why, size_t len)
{
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    if (fd < 0) {
        snprintf(why, len, "socket(AF_INET6): %s", strerror(errno));
        return false;
    }
    bool ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(fd, 1) == 0;
    if (!ok)
        snprintf(why, len, "cannot listen on [::1]: %s", strerror(errno));
    close(fd);
    return ok;
}

int main(int argc, char **argv)
{
    struct eh_error err = {0};
    if (eh_timeout_scale_from_env(&err) != EH_OK) { /* before the suite reads the scale */
        fprintf(stderr, "%s\n", err.msg);
        return EXIT_FAILURE;
    }
    const char *part = eh_test_part(argc, argv, (const char *const[]){"ipv6", NULL});
    if (strcmp(part, "ipv6") != 0)
        return eh_test_run(launch_suite(), CK_FORK_GETENV);
    char why[256];
    if (!have_ipv6_loopback(why, sizeof(why)))
        return eh_test_skip("no IPv6 loopback here: %s", why);
    return eh_test_run(ipv6_suite(), CK_FORK_GETENV);
}
