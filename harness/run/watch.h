/* watch.h - the runner's look at the server process around the client side.
 *
 * For the scenarios that ask (server_fds, server_running; verdict.h struct
 * eh_server_watch): the server's open descriptors once it is ready, and
 * again once the client side has finished, and whether it was still running
 * then. The descriptors are counted in /proc/PID/fd. The runner lives in the
 * scenario's PID namespace while /proc is the host's (isolate.c does not
 * remount it), so the server's PID there is found by its NSpid line and its
 * PID namespace.
 */
#ifndef EH_WATCH_H
#define EH_WATCH_H

#include "launch.h"
#include "scenario.h"
#include "verdict.h"

/* True if the scenario has an expectation that needs the watch. */
bool eh__watch_wanted(const struct eh_scenario *sc);

/* Marks the watch taken and counts the server's descriptors now (the
 * server is ready, the client side has not started). */
void eh__watch_before(struct eh_server_watch *w, struct eh_proc *server);

/* After the client side: gives the server a moment (100 ms, scaled) to end
 * or to finish closing, then records whether it still runs and counts its
 * descriptors again. */
void eh__watch_after(struct eh_server_watch *w, struct eh_proc *server);

/* Internal, exposed for tests: the open descriptors of process pid (a PID of
 * the caller's PID namespace), or -1 with the reason in why. */
int eh__fd_count(pid_t pid, char *why, size_t len);

#endif
