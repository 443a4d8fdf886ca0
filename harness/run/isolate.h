/* isolate.h - run a function inside fresh network and PID namespaces.
 *
 * eh_isolate_run() has a child forked that unshares a network namespace (and
 * a user namespace first when not root, mapping the caller to root there so
 * it may bring lo up and capture), brings lo up (127.0.0.1/8 and ::1 come
 * with it), then forks again so the function runs as PID 1 of a new PID
 * namespace: when it returns, the kernel kills everything a system under
 * test left behind. The function's result bytes travel back through a pipe.
 * Where namespaces are unavailable (or force_host is set) the function runs
 * in a plain child on the host loopback instead, and mode says so.
 *
 * Threads: the child is forked by a fork server (forkserver.h), a process
 * forked by eh_isolate_start() while the caller still has one thread, never
 * by the calling thread. The function uses malloc, jansson, libpcap and
 * threads, and fork() from a thread copies every lock another thread holds
 * at that moment, held for ever: glibc resets its own in the child (malloc
 * arenas, stdio, NSS, the dynamic loader), but other libraries need not
 * (GCC 12's AddressSanitizer runtime has no fork handling at all, and the
 * harness runs -j N under it). So: call eh_isolate_start() before creating
 * threads (echoharness run does, before its workers); if it was not called,
 * the first eh_isolate_run() starts the server, and the process must then
 * have one thread. What the child sees is the process as it was at that
 * moment, plus a copy of arg (see eh_isolate_run()).
 *
 * Test hook: with EH_NO_NAMESPACES set in the environment (to anything but
 * "" or "0") namespaces count as refused, so the fallback path can be tested
 * on machines where they work. The child reads it from the environment the
 * fork server was started with.
 */
#ifndef EH_ISOLATE_H
#define EH_ISOLATE_H

#include "eh.h"

enum eh_isolation {
    EH_ISO_NAMESPACES, /* own net + PID namespaces, only lo */
    EH_ISO_HOST,       /* host loopback: ports allocated, BPF filter on them */
};
const char *eh_isolation_name(enum eh_isolation m); /* "namespaces", "host-loopback" */

/* The isolated function: writes its result to result_fd (a pipe; may be
 * large), returns 0. It runs in a child process and may block. */
typedef int (*eh_isolated_fn)(void *arg, enum eh_isolation mode, int result_fd);

/* Starts the fork server every eh_isolate_run() forks its child from (see
 * the top): call it while the process has one thread, after everything the
 * isolated functions' arguments point to exists, from a thread that lives as
 * long as the process. Later calls return how the first went. */
eh_status eh_isolate_start(struct eh_error *err);

/* After the last eh_isolate_run(): waits until every child has ended (at
 * most 5 s, scaled, then they are killed) and reaps the fork server, so
 * that the resources of every scenario's processes count as the caller's
 * children (getrusage, GNU time) and none outlives the caller. Optional:
 * the server and its children also die with the process. */
void eh_isolate_finish(void);

/* Runs fn in isolation and collects everything it wrote. fn receives a copy
 * of the arg_size bytes at arg (NULL if arg_size is 0; at most 64 KiB);
 * pointers inside them must point to memory that existed, unchanged, when
 * the fork server started. Returns as soon as fn has returned 0 and the
 * result pipe is at EOF: the child's exit (emptying its PID namespace,
 * releasing its sockets, killing what it left behind) goes on without the
 * caller, and eh_isolate_finish() waits for the last ones. If the child is still running at
 * deadline_us it and its whole namespace are killed and EH_TIMEOUT is returned (with what it wrote
 * so far). EH_ERR if fn returned non-zero or died of a signal (err says how; *result still holds
 * its bytes), or the fork server failed. In host mode the child runs in its own process group and
 * is a child subreaper: when fn returns, or at the deadline, every process it left behind is
 * killed, even one that left the group with setsid() (found by its parent links in /proc). The
 * children die with the harness (PR_SET_PDEATHSIG). *result is NUL-terminated after *result_len
 * bytes; result and result_len may be NULL. Caller frees *result. */
eh_status eh_isolate_run(eh_isolated_fn fn, const void *arg, size_t arg_size, bool force_host,
                         int64_t deadline_us, enum eh_isolation *mode_out, char **result,
                         size_t *result_len, struct eh_error *err);

/* Asks every eh_isolate_run() in progress to stop as at its deadline (its
 * child and everything the child started are killed) and to return EH_ERR
 * "interrupted by SIGINT: ..."; later calls return that at once without
 * running anything. signo is the signal that asked (SIGINT, SIGTERM); the
 * first one wins. Async-signal-safe: meant for a signal handler. */
void eh_isolate_interrupt(int signo);

/* The signal given to eh_isolate_interrupt(), or 0 if it was not called. */
int eh_isolate_interrupted(void);

/* Tells whether namespaces work here, without running a scenario. On
 * EH_ISO_HOST, why says the step that was refused, the cause found and the
 * fix, as eh_isolate_explain() writes it (at least 512 bytes keep it whole).
 * Forks directly (its child only sets up namespaces): call it before threads. */
enum eh_isolation eh_isolate_probe(char *why, size_t why_len);

/* Explains a refused namespace set-up: step ("unshare(CLONE_NEWUSER)") and
 * its errno, root when the harness runs as root. Reads, below proc_root
 * ("/proc"; a test passes a fake tree), sys/kernel/apparmor_restrict_
 * unprivileged_userns, sys/user/max_user_namespaces and
 * sys/kernel/unprivileged_userns_clone (each when present) and writes into
 * buf "STEP: ERRNO: CAUSE; fix: FIX", e.g. "unshare(CLONE_NEWNET|CLONE_NEWPID):
 * EPERM: AppArmor restricts unprivileged user namespaces
 * (kernel.apparmor_restrict_unprivileged_userns = 1); fix: run echoharness
 * with sudo, or allow them: sudo sysctl -w
 * kernel.apparmor_restrict_unprivileged_userns=0". */
void eh_isolate_explain(const char *proc_root, const char *step, int err_no, bool root, char *buf,
                        size_t len);

/* Whether this process may capture on the host's lo (the fallback): true
 * when it runs as root or holds CAP_NET_RAW (CapEff in
 * proc_root/self/status). Otherwise why gets the cause and the fix, naming
 * exe (the echoharness executable) for setcap. */
bool eh_isolate_host_capture_ok(const char *proc_root, bool root, const char *exe, char *why,
                                size_t len);

/* Reads net.ipv4.ip_local_port_range in the current network namespace. */
eh_status eh_read_port_range(int *lo, int *hi, struct eh_error *err);

/* Finds a free port on the host loopback for the fallback mode (bind port 0). */
int eh_alloc_port(int sock_type);

#endif
