/* runner.h - run one scenario from start to verdict.
 *
 * Isolate (isolate.h), capture, launch the server and wait until it is
 * ready, run the client side, stop everything under the deadline, collect
 * exit statuses, output and event logs, analyse the capture, judge each
 * expectation (verdict.h) and return the scenario's result object.
 */
#ifndef EH_RUNNER_H
#define EH_RUNNER_H

#include "eh.h"
#include "scenario.h"

#include <jansson.h>

struct eh_run_config {
    const char *bin_dir;        /* where echo-server and echo-client live */
    const char *server_cmd;     /* --server-cmd template, or NULL */
    const char *client_cmd;     /* --client-cmd template, or NULL */
    const char *server_program; /* --server-program: another build of the reference CLI
                                   (a faulty build) for reference server roles, or NULL */
    const char *client_program; /* --client-program: the same for reference client roles */
    int port;                   /* --port: server port for roles under test; 0: the scenario's */
    const char *report_dir; /* pcap/<scenario>.pcap is written below it; NULL: no capture file */
    bool force_host;        /* --no-namespaces: use the host-loopback fallback */
    /* --require: a scenario of this transport or family that the server under
       test does not serve is FAIL instead of SKIP (applies.h) */
    bool require_transport[EH_TRANSPORT_COUNT];
    bool require_family[EH_FAMILY_COUNT];
};

/* Runs one scenario. Never exits and never returns NULL: harness failures
 * become an ERROR verdict with the reason. run numbers a repetition
 * (--repeat): 0 for a single run, whose capture is pcap/<name>.pcap; run k >= 1
 * writes pcap/<name>.run<k>.pcap. Caller frees with json_decref().
 * The result object's schema is documented in report.h. */
json_t *eh_run_scenario(const struct eh_scenario *sc, const struct eh_run_config *cfg,
                        unsigned run);

/* The result of a scenario that was selected but not run (the run was
 * interrupted): SKIP with the reason. Caller frees with json_decref(). */
json_t *eh_scenario_not_run(const struct eh_scenario *sc, const char *reason);

#endif
