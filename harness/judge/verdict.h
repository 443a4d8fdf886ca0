/* verdict.h - judge expectations against what was observed.
 *
 * Pure functions: no processes, no sockets. The runner fills a struct
 * eh_observation (exit statuses, event logs, the namespace's port range) and
 * asks for one struct eh_check per expectation. A reason is a sentence
 * that says what happened and, where one was broken, the rule ("the server
 * closed the connection before the client had finished sending (RFC 862:
 * echo until the client closes)"), then the facts in parentheses:
 * "(expected X, got Y)". Timing-dependent outcomes are expressed by the
 * scenario as sets (docs/linux-behaviour.md §16); this module only checks
 * membership.
 */
#ifndef EH_VERDICT_H
#define EH_VERDICT_H

#include "eh.h"
#include "evlog_read.h"
#include "flow.h"
#include "scenario.h"

#include <jansson.h>

struct eh_proc_obs {
    bool present;            /* the role took part */
    bool instrumented;       /* it wrote an event log (reference build or scripted peer) */
    bool started;            /* spawn succeeded (always true for the scripted peer) */
    bool exited;             /* it ended on its own before teardown */
    int exit_code;           /* when exited normally; -1 otherwise */
    int term_signal;         /* signal that killed it before teardown; 0 if none */
    bool stopped_by_harness; /* still running at teardown; then stopped by SIGTERM/SIGKILL */
    int64_t runtime_us;      /* from its start to its end (or to when it was stopped) */
    json_t *events;          /* array of event objects (scenarios/README.md "Event log"); owned */
};

/* What the runner saw of the server process around the client side; taken
 * only for scenarios that ask (server_fds, server_running). */
struct eh_server_watch {
    bool taken;     /* the runner looked */
    bool running;   /* the server had not exited when the client side finished */
    int fds_before; /* its open descriptors once it was ready; -1: not read */
    int fds_after;  /* the same once the client side had finished; -1: not read */
    char why[256];  /* why they could not be read, when one is -1 */
};

struct eh_observation {
    struct eh_proc_obs roles[EH_ROLE_COUNT];
    struct eh_server_watch server;
    int port_lo, port_hi;        /* ip_local_port_range read in the scenario's namespace */
    bool port_window;            /* the harness narrowed it for this run (client_port_window) */
    const struct eh_flows *wire; /* the capture's connections (lent); NULL: no capture */
};

struct eh_check {
    enum eh_verdict verdict;
    char reason[1024]; /* what went wrong and the rule, then "(expected ..., got ...)" */
    json_t *evidence;  /* the facts used (events, counts, bytes); owned; may be NULL */
};

/* Judges one expectation. Log-based expectations on a role without an event
 * log give SKIP with the reason ("not judged from a log: the server is under
 * test and keeps no event log; ..."); exit and survived on a role that is
 * absent or never started give ERROR. The wire kinds read obs->wire (ERROR
 * "no capture to judge" when it is NULL) and, where a role has an event log,
 * compare the addresses it logged with the wire.
 * Fills *out; the caller releases out->evidence with json_decref(). */
void eh_judge(const struct eh_expect *e, const struct eh_observation *obs, struct eh_check *out);

/* True if one event object matches m. Entries with a "skipped" key (steps
 * the scripted peer did not run) match nothing; errno names compare by value
 * (EWOULDBLOCK matches EAGAIN); an IPv4-mapped address matches its IPv4 form
 * and a pattern port "*" any port; elapsed_ms's tolerance is multiplied by
 * the timeout scale. */
bool eh_event_matches(const struct eh_match *m, const json_t *event);

/* Collects the bytes a role sent ("send"/"sendto" events, ret bytes of
 * "data") or received ("recv"/"recvfrom" events) from its events, in order.
 * Returns false if a needed "data" field was missing or truncated (the stream
 * cannot be judged from the log). Caller frees *buf. */
bool eh_events_stream(const json_t *events, bool sent, unsigned char **buf, size_t *len);

/* The scenario verdict from its checks: run_verdict if it is not PASS (the
 * run itself ended in ERROR, TIMEOUT, ...), else FAIL if any check failed,
 * ERROR if any errored, TIMEOUT if any timed out, SKIP if every check was
 * skipped (n > 0), PASS otherwise. */
enum eh_verdict eh_combine(enum eh_verdict run_verdict, const struct eh_check *checks, size_t n);

/* Releases the observation's event arrays; the struct itself is the caller's. */
void eh_observation_clear(struct eh_observation *obs);

#endif
