/* applies.h - what applies: which role a scenario judges, and what a server serves.
 *
 * A scenario judges the roles it marks under_test (a scripted client is the
 * harness's own, never judged): eh_scenario_judges(). With --server-cmd or
 * --client-cmd a scenario runs only if a given command replaces a role it
 * judges (eh_scenario_applies()); the others judge only the reference
 * builds and are not run at all.
 *
 * A server under test says what it serves by what it binds. eh_wait_serving()
 * watches the kernel's socket table (/proc/net/{tcp,tcp6,udp,udp6}, never a
 * connection: a one-shot server has one accept to give) until the scenario's
 * transport, family and port are served, and tells early, a settle time
 * after the server first bound anything, when it bound something else
 * instead: the same port over another transport or family (the scenario is
 * not served by this implementation), or another port (the command line is
 * wrong, and the message says how to fix it).
 */
#ifndef EH_APPLIES_H
#define EH_APPLIES_H

#include "eh.h"
#include "launch.h"
#include "scenario.h"

#include <stddef.h>

/* Roles a scenario judges, as bits. */
#define EH_JUDGES_SERVER 1u
#define EH_JUDGES_CLIENT 2u

/* The roles sc judges: the server if under_test, the client if under_test
 * (a scripted client is not). 0: it judges only the reference builds. */
unsigned eh_scenario_judges(const struct eh_scenario *sc);

/* "server", "client", "server+client" or "reference only". */
const char *eh_judges_name(unsigned judges);

/* True if a given command replaces a role sc judges: --server-cmd and a
 * server under test, or --client-cmd and a client under test; true when
 * neither command is given. Otherwise false, with why saying so. */
bool eh_scenario_applies(const struct eh_scenario *sc, const char *server_cmd,
                         const char *client_cmd, char *why, size_t why_len);

/* One socket of the kernel's socket table. */
struct eh_bound {
    enum eh_transport transport;
    bool v6;           /* from tcp6/udp6 */
    bool wildcard;     /* bound to 0.0.0.0 or :: */
    bool mapped;       /* an IPv4-mapped IPv6 address */
    char addr[48];     /* "127.0.0.1", "::1" */
    int port;          /* local port */
    bool listening;    /* TCP: in LISTEN; UDP: always (bound) */
    unsigned long ino; /* socket inode */
};

/* Reads /proc/net/{tcp,tcp6,udp,udp6} of the caller's network namespace
 * (proc_net is "/proc/net", or another folder holding such files, for
 * tests) into out (at most max entries), skipping TCP sockets that are not
 * listening. Lines that do not parse are skipped. Returns the number kept. */
size_t eh__bound_read(const char *proc_net, struct eh_bound *out, size_t max);

/* True if b serves clients of transport t and family fam on port: TCP
 * listening or UDP bound there; for IPv6 a tcp6/udp6 socket not bound to
 * an IPv4-mapped address (that one takes IPv4 clients only); for IPv4 an
 * IPv4 socket or a tcp6/udp6 one on the dual-stack wildcard :: or an
 * IPv4-mapped address (as eh_wait_listening()). */
bool eh__bound_serves(const struct eh_bound *b, enum eh_transport t, enum eh_family fam, int port);

/* "127.0.0.1:65432/tcp", "[::]:7/udp". */
void eh__bound_format(const struct eh_bound *b, char *buf, size_t len);

enum eh_serving {
    EH_SERVING,       /* the scenario's transport, family and port are served */
    EH_NOT_SERVED,    /* the port is bound, over other transports or families only */
    EH_ELSEWHERE,     /* bound, but on other ports only */
    EH_BOUND_NOTHING, /* nothing bound */
};

/* What the sockets b[0..n) serve for a scenario of transport t and family fam
 * on port. For EH_NOT_SERVED, what lists what the port serves ("tcp/ipv4",
 * "tcp/ipv4, tcp/ipv6"); for EH_ELSEWHERE, the first socket found
 * ("127.0.0.1:65432/tcp"), one of transport t where there is one, and
 * *other_port its port. */
enum eh_serving eh__serving_judge(const struct eh_bound *b, size_t n, enum eh_transport t,
                                  enum eh_family fam, int port, char *what, size_t what_len,
                                  int *other_port);

/* What eh_wait_serving() found. */
struct eh_serve_report {
    enum eh_serving serving;
    char what[160];  /* see eh__serving_judge() */
    int other_port;  /* EH_ELSEWHERE: where it listens */
    int64_t wait_us; /* from the call until the answer */
};

/* Waits until p serves transport t, family fam on port, polling the socket
 * table. EH_OK with report->serving EH_SERVING when it does; EH_OK with
 * EH_NOT_SERVED or EH_ELSEWHERE when it bound something else and settle_ms
 * (already scaled) passed since it first bound anything without the right
 * socket appearing; EH_ERR (err says how it ended) if p exited first;
 * EH_TIMEOUT at deadline_us with EH_BOUND_NOTHING, or what it found then.
 * With own_sockets_only (the host loopback, whose table holds every other
 * program's sockets) only the sockets p's process holds count as bound
 * elsewhere. */
eh_status eh_wait_serving(enum eh_transport t, enum eh_family fam, int port, struct eh_proc *p,
                          int64_t deadline_us, int64_t settle_ms, bool own_sockets_only,
                          struct eh_serve_report *report, struct eh_error *err);

#endif
