/* launch.h - spawn, wait until ready, wait, stop: supervised child processes.
 *
 * A process is started with execvp() (never a shell) in its own process
 * group, with stdin from /dev/null and stdout/stderr read by a drain thread
 * that keeps at most output_cap bytes of each and counts the rest, so a
 * flooding program never blocks or fills memory. Every wait has a deadline
 * (an absolute eh_now_us() time); stopping sends SIGTERM to the group, then
 * SIGKILL after a grace period.
 *
 * The program starts with default signal dispositions and an empty signal
 * mask (the harness's ignored SIGPIPE is not inherited), and with
 * PR_SET_PDEATHSIG SIGKILL: it dies if the harness does, or if the thread that
 * spawned it exits first (so spawn from a thread that outlives the process).
 * It gets fds 0, 1, 2 and (with ready_fd) 3 and no other: every other fd,
 * whoever opened it, is closed on exec.
 */
#ifndef EH_LAUNCH_H
#define EH_LAUNCH_H

#include "eh.h"
#include "vocab.h"

#include <sys/types.h>

struct eh_proc; /* opaque */

struct eh_spawn {
    char *const *argv; /* NULL-terminated; argv[0] looked up in PATH unless it has a '/' */
    bool ready_fd;     /* pass a pipe write end as fd 3 (argv may say "--ready-fd 3");
                          the program closes it when ready */
    size_t output_cap; /* bytes of stdout and of stderr kept each (0: 64 KiB) */
};

/* Starts a process. Caller frees with eh_proc_free(). Returns EH_ERR if
 * fork/exec failed (an exec failure is reported here, not as exit 127). */
eh_status eh_proc_spawn(const struct eh_spawn *spec, struct eh_proc **out, struct eh_error *err);

/* Waits until the program closes its ready fd. EH_OK when ready; EH_ERR if
 * it exited first (message says how: "echo-server exited with code 1 before
 * it was ready"; an fd closed by exit() counts as exiting first); EH_TIMEOUT at
 * the deadline. */
eh_status eh_proc_wait_ready_fd(struct eh_proc *p, int64_t deadline_us, struct eh_error *err);

/* Waits until a socket of the given transport is listening (TCP) or bound
 * (UDP) on port in the caller's network namespace, where clients of the
 * given family can reach it, read from /proc/net/{tcp,tcp6,udp,udp6} (never
 * by connecting: a one-shot server would spend its only accept). For IPv6
 * only tcp6/udp6 entries count; for IPv4 the IPv4 table, or a tcp6/udp6
 * entry on the dual-stack wildcard :: or an IPv4-mapped address. Fails early
 * with EH_ERR if p (may be NULL) exits first; EH_TIMEOUT at the deadline. The
 * tables are read again after 0.1 ms, then at doubling intervals up to 2 ms
 * (there is no event for a socket starting to listen). */
eh_status eh_wait_listening(enum eh_transport t, enum eh_family fam, int port, struct eh_proc *p,
                            int64_t deadline_us, struct eh_error *err);

/* Waits for the process to exit. EH_OK when it has; EH_TIMEOUT at the deadline.
 * Once the exit is seen (here or by any other wait), the output is final: the
 * drain thread reads what is left and stops at most 100 ms (scaled) later if
 * a process that outlived the leader still holds the pipes. */
eh_status eh_proc_wait(struct eh_proc *p, int64_t deadline_us);

/* Stops the process group: SIGTERM, then SIGKILL after grace_ms (scaled by
 * the caller), then reaps. Safe to call on an exited process, and called
 * again does nothing; whatever the group left behind is SIGKILLed even when
 * the leader had exited by itself. */
void eh_proc_stop(struct eh_proc *p, int64_t grace_ms);

/* A descriptor that polls readable once the process has exited (its pidfd;
 * owned by p), or -1 where the kernel has no pidfd_open(): then poll with a
 * timeout and ask eh_proc_wait(). */
int eh_proc_exit_fd(const struct eh_proc *p);

/* After exit: how it ended. eh_proc_exited() is true once the exit was seen
 * (eh_proc_stop() reaps the zombie, so the group ID stays ours until then);
 * eh_proc_stopped_by_harness() if it was still running when eh_proc_stop()
 * began. */
pid_t eh_proc_pid(const struct eh_proc *p);
bool eh_proc_exited(const struct eh_proc *p);
int eh_proc_exit_code(const struct eh_proc *p);   /* -1 if killed by a signal or running */
int eh_proc_term_signal(const struct eh_proc *p); /* 0 if not killed by a signal */
bool eh_proc_stopped_by_harness(const struct eh_proc *p);
int64_t eh_proc_runtime_us(const struct eh_proc *p);
/* eh_now_us() just before the fork: the process's own clock starts later. */
int64_t eh_proc_start_us(const struct eh_proc *p);

/* Captured output (lent; valid until eh_proc_free()), NUL-terminated after
 * len bytes. total counts every byte the program wrote, kept or not. Only
 * valid after the process exited: before that, "" with len and total 0.
 * len and total may be NULL. */
const char *eh_proc_stdout(const struct eh_proc *p, size_t *len, size_t *total);
const char *eh_proc_stderr(const struct eh_proc *p, size_t *len, size_t *total);

/* Stops (if needed, with a short grace), reaps and releases; accepts NULL. */
void eh_proc_free(struct eh_proc *p);

#endif
