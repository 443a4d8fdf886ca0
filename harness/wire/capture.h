/* capture.h - a libpcap capture of one interface into a pcap file.
 *
 * eh_capture_start() opens the interface (full snap length, immediate mode,
 * optional BPF filter), starts a thread that dumps every packet to a file and
 * returns once the capture is active, so that no packet of a process started
 * afterwards is missed. eh_capture_stop() drains what the kernel still holds,
 * stops the thread, flushes the file and reports pcap_stats(). The file is
 * capped (eh_capture_max_mib()).
 */
#ifndef EH_CAPTURE_H
#define EH_CAPTURE_H

#include "eh.h"

#include <stdint.h>

struct eh_capture; /* opaque */

struct eh_capture_stats {
    uint64_t packets;        /* packets written to the file */
    uint64_t bytes;          /* bytes of packet data written */
    uint64_t dropped_kernel; /* ps_drop: dropped for lack of buffer space */
    uint64_t dropped_iface;  /* ps_ifdrop: dropped by the interface or driver */
    uint64_t over_cap;       /* packets not written: the file reached its cap */
};

/* The cap of a capture file in MiB: EH_CAPTURE_MAX_MIB (1..65536) if set
 * to a valid number, else 256. Packets that would take the file past it are
 * counted in over_cap and not written. */
uint64_t eh_capture_max_mib(void);

/* Starts capturing ifname ("lo") into pcap_path. filter may be NULL (all
 * traffic). Failures (no permission, no interface, bad filter) return EH_ERR
 * with libpcap's message. Caller frees with eh_capture_free(). */
eh_status eh_capture_start(const char *ifname, const char *filter, const char *pcap_path,
                           struct eh_capture **out, struct eh_error *err);

/* The same, keeping at most snaplen bytes of each packet (0 or anything
 * above 262144: all of it, as eh_capture_start()). */
eh_status eh_capture_start_snaplen(const char *ifname, const char *filter, int snaplen,
                                   const char *pcap_path, struct eh_capture **out,
                                   struct eh_error *err);

/* Drains, stops and closes the file; fills *stats (may be NULL). */
eh_status eh_capture_stop(struct eh_capture *c, struct eh_capture_stats *stats,
                          struct eh_error *err);

/* Stops if still running and releases; accepts NULL. */
void eh_capture_free(struct eh_capture *c);

#endif
