/* test_watch.c - unit tests of watch.c: counting a process's open descriptors.
 *
 * eh__fd_count() is checked against processes whose descriptors the test
 * knows: a child that opened a known number more. The part "namespaces"
 * (`test_watch namespaces`, CTest's unit/test_watch_namespaces) does the same
 * as PID 1 of a fresh PID namespace, where /proc is still the host's and the
 * child's PID must be found by its NSpid line, as the runner's is; it is
 * skipped where namespaces are unavailable. The watch itself (before, after,
 * a server that exits) runs against a child started with launch.h.
 */
#include "isolate.h"
#include "unit.h"
#include "watch.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A child that opens `extra` more descriptors, says so on a pipe and sleeps
 * until killed. Returns its PID; *base is the count before it opened them. */
static pid_t child_with_fds(int extra)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        for (int i = 0; i < extra; i++)
            if (open("/dev/null", O_RDONLY) < 0)
                _exit(1);
        if (write(p[1], "!", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    close(p[1]);
    char c;
    if (pid < 0 || read(p[0], &c, 1) != 1)
        pid = -1;
    close(p[0]);
    return pid;
}

static void stop(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* The count of a child with `extra` more descriptors, minus that of one
 * with none: `extra` whatever the child inherited. */
static int difference(int extra, char *why, size_t len)
{
    pid_t a = child_with_fds(0), b = child_with_fds(extra);
    int na = a > 0 ? eh__fd_count(a, why, len) : -1;
    int nb = b > 0 ? eh__fd_count(b, why, len) : -1;
    if (a > 0)
        stop(a);
    if (b > 0)
        stop(b);
    return na < 0 || nb < 0 ? -1000 : nb - na;
}

START_TEST(test_watch_counts_the_descriptors_a_process_opened)
{
    char why[256] = "";
    ck_assert_msg(difference(7, why, sizeof(why)) == 7, "%s", why);
}
END_TEST

START_TEST(test_watch_names_a_process_that_is_not_there)
{
    char why[256] = "";
    pid_t pid = child_with_fds(0);
    stop(pid); /* reaped: the PID names nothing now */
    ck_assert_int_eq(eh__fd_count(pid, why, sizeof(why)), -1);
    ck_assert_msg(strstr(why, "/fd") != NULL || strstr(why, "not in /proc") != NULL, "%s", why);
}
END_TEST

/* Waits (5 s at most) until pid sleeps (state S in /proc/PID/stat): past
 * its start-up, in which sleep(1) opens and closes its locale files, so its
 * descriptors no longer change. */
static void wait_until_asleep(pid_t pid)
{
    char path[64], stat[256];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 500; i++) {
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(stat, 1, sizeof(stat) - 1, f) : 0;
        if (f)
            fclose(f);
        stat[n] = '\0';
        const char *end = strrchr(stat, ')'); /* the state follows "(comm) " */
        if (end != NULL && end[1] == ' ' && end[2] == 'S')
            return;
        usleep(10000);
    }
    ck_abort_msg("process %d did not get to sleep in 5 s", (int)pid);
}

START_TEST(test_watch_sees_a_server_that_runs_and_one_that_exited)
{
    char *sleeper[] = {"sleep", "30", NULL}, *quick[] = {"true", NULL};
    struct eh_spawn a = {.argv = sleeper}, b = {.argv = quick};
    struct eh_proc *running = NULL, *gone = NULL;
    struct eh_error err = {0};
    ck_assert_int_eq(eh_proc_spawn(&a, &running, &err), EH_OK);
    ck_assert_int_eq(eh_proc_spawn(&b, &gone, &err), EH_OK);
    wait_until_asleep(eh_proc_pid(running));
    struct eh_server_watch w1 = {0}, w2 = {0};
    eh__watch_before(&w1, running);
    eh__watch_before(&w2, gone);
    eh__watch_after(&w1, running);
    /* gone exits at once, but a loaded machine may take longer than the
     * watch's moment to run it */
    ck_assert_int_eq(eh_proc_wait(gone, eh_now_us() + 5000000), EH_OK);
    eh__watch_after(&w2, gone);
    ck_assert(w1.taken && w1.running);
    ck_assert_msg(w1.fds_before >= 0 && w1.fds_after == w1.fds_before, "%d %d %s", w1.fds_before,
                  w1.fds_after, w1.why);
    ck_assert(w2.taken && !w2.running);
    ck_assert_int_eq(w2.fds_after, -1);
    ck_assert_str_eq(w2.why, "the server had exited");
    eh_proc_free(running);
    eh_proc_free(gone);
}
END_TEST

static Suite *host_suite(void)
{
    Suite *s = suite_create("watch");
    TCase *tc = tcase_create("host");
    tcase_add_test(tc, test_watch_counts_the_descriptors_a_process_opened);
    tcase_add_test(tc, test_watch_names_a_process_that_is_not_there);
    tcase_add_test(tc, test_watch_sees_a_server_that_runs_and_one_that_exited);
    suite_add_tcase(s, tc);
    return s;
}

/* As PID 1 of a new PID namespace: the difference, as text. */
static int count_in_namespace(void *arg, enum eh_isolation mode, int result_fd)
{
    (void)arg;
    char why[256] = "", out[320];
    int d = difference(5, why, sizeof(why));
    int n = snprintf(out, sizeof(out), "%s %d %s", eh_isolation_name(mode), d, why);
    return write(result_fd, out, (size_t)n) == n ? 0 : 1;
}

START_TEST(test_watch_counts_inside_a_pid_namespace)
{
    char *result = NULL;
    struct eh_error err = {0};
    enum eh_isolation mode;
    ck_assert_msg(eh_isolate_run(count_in_namespace, NULL, 0, false,
                                 eh_now_us() + eh_scaled_ms(10000) * 1000, &mode, &result, NULL,
                                 &err) == EH_OK,
                  "%s", err.msg);
    ck_assert_msg(strncmp(result, "namespaces 5 ", 13) == 0, "%s", result);
    free(result);
}
END_TEST

static Suite *namespaces_suite(void)
{
    Suite *s = suite_create("watch");
    TCase *tc = tcase_create("namespaces");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_watch_counts_inside_a_pid_namespace);
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
