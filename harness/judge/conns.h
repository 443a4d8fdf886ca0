/* conns.h - judging the scripted client's connections and the server watch.
 *
 * Internal to the judge layer: eh_judge() (verdict.h) hands these kinds
 * over. conn_echo, clients_served, clients_concurrent and datagram_echo read
 * the scripted client's event log, where every call carries "conn" and each
 * TCP connection ends with a conn_end summary of its echo (scenarios/README.md
 * "Event log"); server_fds and server_running read what the runner saw of the
 * server process (struct eh_server_watch). Their reasons name the rule a
 * learner can act on, after the facts: which client, which offset, which
 * sizes, how many descriptors.
 */
#ifndef EH_CONNS_H
#define EH_CONNS_H

#include "verdict.h"

/* Judges conn_echo, clients_served, clients_concurrent or datagram_echo
 * against the client's events (lent). Fills *out as eh_judge() does. */
void eh__judge_conns(const struct eh_expect *e, const json_t *events, struct eh_check *out);

/* Judges server_fds or server_running from obs->server and the server's
 * exit; the client's events (may be NULL) count the clients. */
void eh__judge_server_watch(const struct eh_expect *e, const struct eh_observation *obs,
                            struct eh_check *out);

#endif
