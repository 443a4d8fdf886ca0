/* timeline.h - a role's event log and the capture, on one time axis.
 *
 * A program's event log counts t_us from its own start (evlog.h); the
 * capture's times count from its first frame (analyze.h, "wire"). To show
 * "the server's send returned EPIPE" beside the RST that caused it, each
 * log's zero must be placed on the wire's axis. The harness knows the zero
 * only within bounds: after it spawned the program, and, for an event whose
 * effect it saw (the ready fd closing, the exit), at most that event's t_us
 * before it saw it. That leaves about 2 ms (the time exec() takes), more
 * than a whole exchange on loopback, so the wire narrows it: a socket call
 * and the packets it caused or needed happen in a known order.
 *
 * Anchors, for an event at t (t_us, returned) whose call began at
 * t - elapsed_us, on a connection of the capture, with Z the log's zero on the
 * wire's axis:
 *   caused:  the call sent the packet, so it began before the packet was
 *            captured: Z <= t_packet - (t - elapsed_us). connect and its SYN;
 *            a send of n > 0 bytes and the segment carrying its first byte
 *            (or the n-th datagram a UDP role sent); close or shutdown and
 *            the role's first FIN, the call begun after the role's previous
 *            event (close logs no elapsed_us).
 *   needed:  the call returned what only a packet could have brought, so it
 *            returned after that packet: Z >= t_packet - t. A connect that
 *            succeeded, or a poll that found its socket writable before it
 *            sent or received anything, and the SYN-ACK; accept and the handshake's last ACK;
 *            a recv of n > 0 bytes and the segment carrying its last byte (or
 *            the datagram); a recv of 0 and the peer's FIN; ECONNRESET, or
 *            EPIPE without an earlier shutdown of its own, and the peer's RST.
 * Retransmitted segments are not anchors (the first transmission is). Each
 * anchor is loosened by 2 us, the clocks' granularity. When the anchors
 * contradict each other or the harness's bounds (a program that logs
 * something else than it did), the harness's bounds are kept alone.
 *
 * Events are tied to connections by their addresses: a client's socket is
 * the connection whose client address its laddr names (connect,
 * getsockname), a server's accepted socket the one its accept's raddr names;
 * from then on the socket's fd, back to the socket() call that made it and
 * until its close, is that connection's. A client socket whose address is
 * never logged (a connect still in progress when it gave up) is taken to be
 * the connection of the same rank as its connect() call among the capture's
 * TCP connections.
 */
#ifndef EH_TIMELINE_H
#define EH_TIMELINE_H

#include "eh.h"
#include "vocab.h"

#include <jansson.h>
#include <stdint.h>

/* For each event of events (a role's event log) the connection it belongs
 * to: i < n_tcp for wire.tcp[i], n_tcp + j for wire.udp[j], -1 when none is
 * known. Returns NULL when there are no events or no memory; caller frees
 * with free(). */
int *eh_timeline_assign(const json_t *events, const json_t *wire, enum eh_role_id role);

/* Narrows [*lo_us, *hi_us], the bounds of the log's zero on the wire's axis
 * (microseconds from the first frame), with the anchors above, and puts the
 * best estimate of the zero into *best_us: the middle when anchors bound it
 * from both sides, the bound they set when they bound it from one side only
 * (a call and its packet are microseconds apart in practice), the middle of
 * the bounds given when none applied. Returns the number of anchors that
 * applied; 0 leaves the bounds as they were. */
size_t eh_timeline_refine(const json_t *events, const json_t *wire, enum eh_role_id role,
                          int64_t *lo_us, int64_t *hi_us, int64_t *best_us);

#endif
