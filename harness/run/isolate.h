/* isolate.h - run a function inside fresh network and PID namespaces.
 *
 * eh_isolate_run() forks a child that unshares a network namespace (and a
 * user namespace first when not root, mapping the caller to root there so it
 * may bring lo up and capture), brings lo up (127.0.0.1/8 and ::1 come with
 * it), then forks again so the function runs as PID 1 of a new PID
 * namespace: when it returns, the kernel kills everything a system under test
 * left behind. The function's result bytes travel back through a pipe. Where
 * namespaces are unavailable (or force_host is set) the function runs in a
 * plain child on the host loopback instead, and mode says so.
 *
 * Test hook: with EH_NO_NAMESPACES set in the environment (to anything but
 * "" or "0") namespaces count as refused, so the fallback path can be tested
 * on machines where they work.
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

/* Runs fn in isolation and collects everything it wrote. If the child is
 * still running at deadline_us it and its whole namespace are killed and
 * EH_TIMEOUT is returned (with what it wrote so far). EH_ERR if fn returned
 * non-zero or died of a signal (err says how; *result still holds its bytes).
 * In host mode the child runs in its own process group and is a child
 * subreaper: when fn returns, or at the deadline, every process it left
 * behind is killed, even one that left the group with setsid() (found by
 * its parent links in /proc). The children die with the harness (PR_SET_PDEATHSIG).
 * *result is NUL-terminated after *result_len bytes; result and result_len
 * may be NULL. Caller frees *result. */
eh_status eh_isolate_run(eh_isolated_fn fn, void *arg, bool force_host, int64_t deadline_us,
                         enum eh_isolation *mode_out, char **result, size_t *result_len,
                         struct eh_error *err);

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
 * fix, as eh_isolate_explain() writes it (at least 512 bytes keep it whole). */
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
