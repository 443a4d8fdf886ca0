/* forkserver.h - a single-threaded process that forks the isolated children.
 *
 * fork() in a multi-threaded process copies only the calling thread: a lock
 * that another thread holds at that moment stays held for ever in the child.
 * glibc re-initialises its own in the child (malloc arenas, stdio, the NSS
 * database, the dynamic loader's), but no other library has to: GCC 12's
 * AddressSanitizer runtime, for one, neither intercepts fork() nor registers
 * pthread_atfork() handlers, so a child forked while another thread was
 * inside its allocator can hang in its first malloc(). An isolated function
 * uses malloc, jansson, libpcap and threads, so it must start from a process
 * that has one thread. The fork server is that process: forked once, while
 * the harness has one thread, it forks each child on request, reaps it and
 * reports how it ended, and stops it when asked.
 *
 * The child is a copy of the fork server, that is, of the harness as it was
 * when eh__fs_start() ran (globals, environment, the heap), plus a copy of
 * the argument bytes sent with the request. Pointers inside those bytes
 * must point to memory that existed, with the same contents, at that time
 * (scenarios loaded and options parsed before the workers start).
 *
 * Internal to harness/run (isolate.c); every function is thread-safe.
 */
#ifndef EH_FORKSERVER_H
#define EH_FORKSERVER_H

#include "eh.h"

#include <sys/types.h>

/* Runs in the forked child with its copy of the argument bytes (NULL if
 * none), the two pipe write ends sent with the request and the fork
 * server's PID (its parent). Must not return: it ends with _exit(). */
typedef void (*eh__fs_entry)(void *arg, int fd0, int fd1, pid_t parent);

/* Runs in the fork server to stop a child that has not been reaped yet
 * (so its PID and process group ID are still its own). */
typedef void (*eh__fs_stop)(pid_t pid);

/* Most argument bytes one request carries. */
#define EH_FS_MAX_ARG 65536

/* Starts the fork server once (later calls return how the first went).
 * Call it while the process has one thread, from a thread that lives as
 * long as the process: the server dies with that thread (PR_SET_PDEATHSIG)
 * and everything it forked dies with the server. It runs in its own
 * process group, so a Ctrl-C at the terminal reaches the harness only. */
eh_status eh__fs_start(struct eh_error *err);

/* Stops the fork server once every child it forked has ended, and reaps it
 * (so that its resource usage, and its children's, count as the caller's).
 * Children still ending after 5 s (scaled) are killed. Call it after the
 * last eh__fs_spawn(); later spawns fail. */
void eh__fs_finish(void);

/* The fork server's PID, or 0 if it is not running (for tests). */
pid_t eh__fs_pid(void);

/* One forked child, seen from the caller. */
struct eh__fs_child {
    pid_t pid; /* in the caller's PID namespace; a child of the fork server */
    int chan;  /* the request's channel: status and stop travel on it; -1 once closed */
    bool stop_sent;
};

/* Forks a child that runs entry(copy of arg, fd0, fd1, server PID); stop
 * is what eh__fs_stop_child() makes the server run. fd0 and fd1 stay the
 * caller's (close them after the call). Starts the server if needed. On
 * EH_OK, c->chan becomes readable when the child has ended: then call
 * eh__fs_status(). Caller closes with eh__fs_close(). */
eh_status eh__fs_spawn(eh__fs_entry entry, eh__fs_stop stop, const void *arg, size_t arg_size,
                       int fd0, int fd1, struct eh__fs_child *c, struct eh_error *err);

/* Closing c->chan (eh__fs_close()) without a stop lets the child end on its
 * own; the server still reaps it. */

/* Reads what c->chan holds: 1 when the child ended (*status is its wait
 * status; the server killed what was left of its process group, then
 * reaped it), -1 if the fork server is gone (status unknown), 0 if nothing
 * yet. */
int eh__fs_status(struct eh__fs_child *c, int *status);

/* Asks the server to run the child's stop function (once; later calls do
 * nothing). The status follows on c->chan. */
void eh__fs_stop_child(struct eh__fs_child *c);

void eh__fs_close(struct eh__fs_child *c);

#endif
