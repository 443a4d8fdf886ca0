/* repeat.h - one scenario run N times, merged into a measured distribution.
 *
 * Timing-dependent behaviour (how many bytes one recv returns, whether the
 * connection ends with FIN or RST, which error the server sees first) is
 * asserted as a set of allowed outcomes; `run --repeat N` shows how often each
 * outcome happens on this machine. eh_repeat_merge() takes the N results of
 * one scenario and returns one result: the verdict of the worst run, with a
 * "repeat" object added:
 *
 *   "repeat": {
 *     "runs": 20,
 *     "verdicts": {"PASS": 20},
 *     "varied": ["client_received_bytes", "wire_close", "server_conn_end"],
 *     "distribution": {
 *       "client_received_bytes": {"1": 14, "12": 5, "2": 1},
 *       "client_exit": {"exit 0": 20},
 *       "server_exit": {"exit 0": 20},
 *       "server_conn_end": {"eof": 2, "EPIPE": 12, "ECONNRESET": 6},
 *       "wire_connections": {"1": 20},
 *       "wire_close": {"client-reset": 12, "client-abort": 6, "graceful": 2},
 *       "wire_first_close_by": {"client": 20},
 *       "wire_data_after_close": {"yes": 12, "no": 8},
 *       "wire_echo": {"prefix": 18, "exact": 2}
 *     },
 *     "runs_detail": [{"verdict": "PASS", "reason": "...", "duration_ms": 70,
 *                      "pcap": "pcap/x.run1.pcap"}, ...]
 *   }
 *
 * The facts, each counted over the runs: client_received_bytes sums the
 * client's successful recv/recvfrom results per run (from its event log);
 * client_exit and server_exit say how each role ended ("exit 0", "killed by
 * SIGPIPE", "stopped by the harness"); client_conn_end and server_conn_end
 * count the reasons each role logged; from the capture, wire_connections is
 * the number of TCP connections and UDP exchanges per run, and per TCP
 * connection wire_close its close class, wire_first_close_by who sent the
 * first FIN or RST ("client", "server", "nobody"), wire_data_after_close
 * "yes" or "no", and per connection or exchange wire_echo its echo verdict.
 * A fact that no run recorded is left out; "varied" names, in that order,
 * the facts that took more than one value, and runs_detail keeps every
 * run's own verdict and reason.
 */
#ifndef EH_REPEAT_H
#define EH_REPEAT_H

#include "eh.h"

#include <jansson.h>

/* Merges n >= 1 results of the same scenario (in run order) into one. The
 * merged result is a copy of the first run that did not pass (or of the first
 * run), with "verdict" the worst of all runs (FAIL, then ERROR, then TIMEOUT,
 * then PASS; SKIP only if every run was skipped), "reason" saying how many
 * runs had that verdict, and "repeat" as above. Takes ownership of every
 * runs[i]; caller frees the result with json_decref(). */
json_t *eh_repeat_merge(json_t **runs, size_t n);

/* One line for a terminal into buf: the verdicts, every fact that varied
 * with its counts, then the value of each fact that did not:
 * "20 runs: PASS 20; varied: client received 1 B x14, 12 B x6; close
 * client-reset x14, graceful x6; same in every run: client exit 0, ...". */
void eh_repeat_describe(const json_t *merged, char *buf, size_t len);

#endif
