/* peer.h - the harness's own scripted client.
 *
 * Runs a scenario's client steps (connect, send, recv, shutdown, close,
 * abortive close, sleep, nodelay, stream, clients, repeat, await a server
 * event) in the calling
 * process, inside the scenario's namespace, and records every socket call as
 * an event in the same format as the reference builds' event log
 * (scenarios/README.md "Event log"), so the same expectations judge either.
 * Each socket is a numbered connection ("conn" in its events), and a TCP
 * connection's conn_end event sums up its echo (bytes sent, received and
 * matched, and where the echo first differed), however long the stream.
 */
#ifndef EH_PEER_H
#define EH_PEER_H

#include "eh.h"
#include "scenario.h"

#include <sys/types.h>

/* Runs sc->roles[EH_CLIENT].steps against host:port over sc's transport and
 * family, writing the event log to log_path (created or truncated; read it
 * back with eh_evlog_read()). Socket errors are recorded as events and do not stop the run,
 * except that steps needing a connection are skipped (and logged as
 * {"call":"<step>","skipped":"not connected"}) after a failed connect.
 * Every blocking call waits at most until deadline_us, or until its step's
 * timeout_ms when that comes first; a call still waiting then is logged as
 * failing with "errno":"ETIMEDOUT","timeout":true. After a step's own
 * timeout the run goes on with the next step; after deadline_us the
 * remaining steps do not run. Returns EH_OK when the steps ran, EH_TIMEOUT
 * when deadline_us passed (err says in which step), EH_ERR when the harness
 * itself failed (a host that is not an address of sc's family, out of
 * memory). Every socket is closed before return. */
eh_status eh_peer_run(const struct eh_scenario *sc, const char *host, int port, int64_t deadline_us,
                      const char *log_path, struct eh_error *err);

/* What the scripted client may know of the server. */
struct eh_peer_server {
    const char *log; /* its event log; NULL: it keeps none */
    pid_t pid;       /* the server process, a child of the caller and the leader of its
                      * own process group; 0: none */
};

/* The same, with the server known: an await_server step reads server->log
 * again every 2 ms until it holds an entry the step's MATCH matches
 * (eh_event_matches()), for at most the step's ms (scaled) and never past
 * deadline_us. The step is logged as
 * {"call":"await","who":"server","matched":true,"elapsed_us":N}; it does not
 * stop the run when nothing matched (then "matched":false), unless the
 * deadline passed (EH_TIMEOUT). Without a server log it is logged with
 * "skipped" and the run goes on. A pause_server step stops the server's
 * process group (SIGSTOP), waits until the server has stopped (1 s at most,
 * scaled), runs its steps and lets the server go on (SIGCONT); without a
 * server process it runs its steps only. server may be NULL. */
eh_status eh_peer_run_with_server(const struct eh_scenario *sc, const char *host, int port,
                                  int64_t deadline_us, const char *log_path,
                                  const struct eh_peer_server *server, struct eh_error *err);

#endif
