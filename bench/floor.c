/* floor.c - the floor for running one scenario: namespaces and two programs.
 *
 * bench/scenarios compiles and times this beside `echoharness run`: what
 * any harness that isolates a scenario must at least do. One iteration
 * forks a child that enters new network and PID namespaces (as `unshare -n
 * -p -f` does) and brings lo up, and forks PID 1 of the new PID namespace,
 * which runs PROGRAM (default /bin/true) twice, one after the other, as a
 * server and a client would run, each by fork and exec; every process is
 * waited for. Prints each iteration's wall time in microseconds, one a line.
 *
 * Usage: floor [ITERATIONS [PROGRAM]]   (root, or unprivileged user namespaces)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* New network and PID namespaces (a user namespace first when not root), lo up. */
static int enter(void)
{
    if (geteuid() != 0) {
        char map[64];
        unsigned uid = (unsigned)geteuid(), gid = (unsigned)getegid();
        if (unshare(CLONE_NEWUSER) < 0 || write_file("/proc/self/setgroups", "deny") < 0)
            return -1;
        snprintf(map, sizeof(map), "0 %u 1", uid);
        if (write_file("/proc/self/uid_map", map) < 0)
            return -1;
        snprintf(map, sizeof(map), "0 %u 1", gid);
        if (write_file("/proc/self/gid_map", map) < 0)
            return -1;
    }
    if (unshare(CLONE_NEWNET | CLONE_NEWPID) < 0)
        return -1;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
    int r = s < 0 ? -1 : ioctl(s, SIOCGIFFLAGS, &ifr);
    if (r == 0) {
        ifr.ifr_flags |= IFF_UP;
        r = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    if (s >= 0)
        close(s);
    return r;
}

static int run(const char *program)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl(program, program, (char *)NULL);
        _exit(127);
    }
    int status = 1;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* One iteration: a child in new namespaces, its PID 1 running program twice. */
static int iteration(const char *program)
{
    pid_t child = fork();
    if (child == 0) {
        if (enter() < 0) {
            fprintf(stderr, "floor: namespaces: %s\n", strerror(errno));
            _exit(1);
        }
        pid_t init = fork();
        if (init == 0)
            _exit(run(program) | run(program));
        int status = 1;
        while (init > 0 && waitpid(init, &status, 0) < 0 && errno == EINTR) {
        }
        _exit(init > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 1);
    }
    int status = 1;
    while (child > 0 && waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return child > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1;
    const char *program = argc > 2 ? argv[2] : "/bin/true";
    for (int i = 0; i < n; i++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (iteration(program) != 0)
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("%lld\n",
               (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
    }
    return 0;
}
