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
 *     "distribution": {
 *       "client_received_bytes": {"1": 14, "12": 5, "2": 1},
 *       "wire_close": {"client-reset": 12, "client-abort": 6, "graceful": 2},
 *       "server_conn_end": {"eof": 2, "EPIPE": 12, "ECONNRESET": 6},
 *       "server_exit": {"exit 0": 20}
 *     },
 *     "runs_detail": [{"verdict": "PASS", "reason": "...", "duration_ms": 70,
 *                      "pcap": "pcap/x.run1.pcap"}, ...]
 *   }
 *
 * client_received_bytes sums the client's successful recv/recvfrom results
 * per run (from its event log); wire_close counts the close class of every TCP
 * connection in the capture; server_conn_end counts the reasons the server
 * logged; server_exit how the server ended ("exit 0", "killed by SIGPIPE",
 * "stopped by the harness"). A fact that no run recorded is left out.
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

/* One line for a terminal: "20 runs: PASS 20; client received 1 B x14, ..."
 * into buf. */
void eh_repeat_describe(const json_t *merged, char *buf, size_t len);

#endif
