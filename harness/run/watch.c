/* watch.c - the runner's look at the server process around the client side.
 *
 * See watch.h. /proc shows PIDs of the namespace it was mounted in. When
 * /proc/self names our own getpid(), that is ours and /proc/PID is the
 * process. Otherwise (the runner is PID 1 of a child PID namespace, and /proc
 * the host's) the process is the /proc entry whose "NSpid:" line ends with
 * our PID and whose ns/pid link is our own: the same PID in the same
 * namespace, whichever other scenarios run beside us with PIDs of their own.
 */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SETTLE_MS 100 /* after the client side: the server's time to finish closing */

bool eh__watch_wanted(const struct eh_scenario *sc)
{
    for (size_t i = 0; i < sc->n_expects; i++)
        if (sc->expects[i].kind == EH_EXPECT_SERVER_FDS ||
            sc->expects[i].kind == EH_EXPECT_SERVER_RUNNING)
            return true;
    return false;
}

/* The last number of the "NSpid:" line of /proc/<entry>/status; -1 if none. */
static long ns_pid(const char *entry)
{
    char path[PATH_MAX], line[256];
    snprintf(path, sizeof(path), "/proc/%s/status", entry);
    FILE *f = fopen(path, "r");
    long last = -1;
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "NSpid:", 6) != 0)
            continue;
        for (char *p = line + 6, *end; *p != '\0' && *p != '\n'; p = end) {
            long v = strtol(p, &end, 10);
            if (end == p)
                break;
            last = v;
        }
        break;
    }
    fclose(f);
    return last;
}

static bool same_link(const char *a, const char *b)
{
    char x[128], y[128];
    ssize_t n = readlink(a, x, sizeof(x) - 1), m = readlink(b, y, sizeof(y) - 1);
    if (n < 0 || m < 0)
        return false;
    x[n] = y[m] = '\0';
    return strcmp(x, y) == 0;
}

/* The /proc entry of pid into out; false with the reason in why. */
static bool proc_entry(pid_t pid, char *out, size_t len, char *why, size_t why_len)
{
    char self[32];
    ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);
    if (n < 0) {
        snprintf(why, why_len, "/proc/self: %s", strerror(errno));
        return false;
    }
    self[n] = '\0';
    if (atol(self) == (long)getpid()) { /* /proc is of our PID namespace */
        snprintf(out, len, "%ld", (long)pid);
        return true;
    }
    DIR *d = opendir("/proc");
    struct dirent *e;
    bool found = false;
    while (d != NULL && !found && (e = readdir(d)) != NULL) {
        char ns[PATH_MAX];
        if (e->d_name[0] < '1' || e->d_name[0] > '9' || ns_pid(e->d_name) != (long)pid)
            continue;
        snprintf(ns, sizeof(ns), "/proc/%s/ns/pid", e->d_name);
        if ((found = same_link(ns, "/proc/self/ns/pid")))
            snprintf(out, len, "%s", e->d_name);
    }
    if (d != NULL)
        closedir(d);
    if (!found)
        snprintf(why, why_len, "process %ld of the scenario's PID namespace is not in /proc",
                 (long)pid);
    return found;
}

int eh__fd_count(pid_t pid, char *why, size_t len)
{
    char entry[64], path[PATH_MAX];
    if (!proc_entry(pid, entry, sizeof(entry), why, len))
        return -1;
    snprintf(path, sizeof(path), "/proc/%s/fd", entry);
    DIR *d = opendir(path);
    if (d == NULL) {
        snprintf(why, len, "%s: %s", path, strerror(errno));
        return -1;
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

void eh__watch_before(struct eh_server_watch *w, struct eh_proc *server)
{
    w->taken = true;
    w->running = true;
    w->fds_after = -1;
    w->fds_before = eh__fd_count(eh_proc_pid(server), w->why, sizeof(w->why));
}

void eh__watch_after(struct eh_server_watch *w, struct eh_proc *server)
{
    w->running = eh_proc_wait(server, eh_now_us() + eh_scaled_ms(SETTLE_MS) * 1000) != EH_OK;
    if (!w->running) {
        snprintf(w->why, sizeof(w->why), "the server had exited");
        w->fds_after = -1;
        return;
    }
    char why[sizeof(w->why)];
    w->fds_after = eh__fd_count(eh_proc_pid(server), why, sizeof(why));
    if (w->fds_after < 0 && w->fds_before >= 0)
        snprintf(w->why, sizeof(w->why), "%s", why);
}
