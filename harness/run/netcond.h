/* netcond.h - network conditions inside a scenario's own network namespace.
 *
 * A scenario's "network" object (struct eh_netcond, scenarios/README.md)
 * asks for a smaller MTU, random loss, delay or reordering on the
 * namespace's lo, set before the capture opens (libpcap sizes its ring's
 * slots by lo's MTU when the offloads are off) and the first process starts:
 *   - mtu: lo's MTU with SIOCSIFMTU;
 *   - whenever any condition is given, lo's TSO, GSO and GRO are turned off
 *     (the ethtool ioctls), so that each segment is one packet of at most
 *     the MTU, as on a real network, and a loss drops one segment, not a
 *     64 KiB burst;
 *   - loss_percent: an nftables rule (libnftables) in a table of the
 *     namespace, "numgen random mod 100 < N drop" on the input hook. Input,
 *     not output: the capture on lo sees a packet before input drops it, so
 *     the wire analysis sees both the lost segment and its retransmission
 *     and counts it;
 *   - delay_ms, reorder_percent: the netem qdisc on lo (rtnetlink), where
 *     the kernel has sch_netem. Where it does not, nothing is faked: the
 *     result is EH_NETCOND_UNSUPPORTED with the kernel's answer, and the
 *     scenario is SKIP.
 * Only call it inside a namespace of the harness's own: it changes the lo of
 * the caller's network namespace.
 */
#ifndef EH_NETCOND_H
#define EH_NETCOND_H

#include "scenario.h"

#include <stddef.h>

enum eh_netcond_result {
    EH_NETCOND_APPLIED,     /* every condition asked for is in place */
    EH_NETCOND_UNSUPPORTED, /* this kernel cannot make one of them (no sch_netem) */
    EH_NETCOND_FAILED,      /* setting one up failed */
};

/* Applies nc to lo of the caller's network namespace. On anything but
 * EH_NETCOND_APPLIED, why says which condition and what the kernel or
 * libnftables answered. Does nothing (APPLIED) when nc->given is false. */
enum eh_netcond_result eh_netcond_apply(const struct eh_netcond *nc, char *why, size_t why_len);

/* "MTU 1500, 3% loss, 20 ms delay, 5% reordered" into buf; "" when nothing is
 * given. */
void eh_netcond_describe(const struct eh_netcond *nc, char *buf, size_t len);

#endif
