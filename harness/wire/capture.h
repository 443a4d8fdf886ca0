/* capture.h - a capture of one interface into a pcap file.
 *
 * eh_capture_start() opens the interface (full snap length, optional BPF
 * filter in libpcap's syntax), starts a thread that dumps every frame to a
 * pcap file and returns once the capture is active, so that no packet of a
 * process started afterwards is missed. While it runs, eh_capture_live()
 * tells how many frames arrived, when the last did and which TCP
 * connections one port has closed, and a file descriptor wakes a caller up
 * when frames arrive. eh_capture_stop() waits until every packet the kernel
 * had queued on the interface (and what those caused) has been captured,
 * stops the thread, finishes the file and reports the drops.
 *
 * Frames come from a plain AF_PACKET socket whose receive buffer is the
 * capture buffer: it costs nothing until packets wait in it, so it is set
 * large. Where that limit cannot be raised (no CAP_NET_ADMIN and a small
 * net.core.rmem_max), libpcap's memory-mapped ring is used instead, which
 * costs about three RCU grace periods (tens of milliseconds) to set up and
 * tear down. Either way a frame the kernel could not queue is counted as a
 * drop.
 */
#ifndef EH_CAPTURE_H
#define EH_CAPTURE_H

#include "eh.h"

#include <stdint.h>

struct eh_capture; /* opaque */

struct eh_capture_stats {
    uint64_t packets;        /* packets written to the file */
    uint64_t bytes;          /* bytes of packet data written */
    uint64_t dropped_kernel; /* dropped for lack of buffer space */
    uint64_t dropped_iface;  /* dropped by the interface or driver (ring only) */
};

/* Starts capturing ifname ("lo") into pcap_path. filter may be NULL (all
 * traffic). Failures (no permission, no interface, bad filter, unwritable
 * file) return EH_ERR with the reason. Caller frees with eh_capture_free(). */
eh_status eh_capture_start(const char *ifname, const char *filter, const char *pcap_path,
                           struct eh_capture **out, struct eh_error *err);

/* What has been captured so far. */
struct eh_capture_live {
    uint64_t packets;       /* frames written so far */
    int64_t last_packet_us; /* eh_now_us() when the latest arrived; the start if none */
    unsigned tcp_conns;     /* TCP connections seen with the given port at one end */
    unsigned tcp_closed;    /* ... of which that end sent FIN or RST */
    bool tcp_untracked;     /* more connections than are tracked: the counts are partial */
};

/* Fills *out for port (the server's). Also resets eh_capture_wake_fd(). */
void eh_capture_live(struct eh_capture *c, int port, struct eh_capture_live *out);

/* A file descriptor that polls readable once frames arrived after the last
 * eh_capture_live() call. Owned by the capture. */
int eh_capture_wake_fd(const struct eh_capture *c);

/* Waits until the interface is quiet (see the top; at most 200 ms, scaled),
 * stops the thread, finishes the file (renamed from "<path>.tmp" to its
 * name) and fills *stats (may be NULL). The capture socket stays open until
 * eh_capture_free(). */
eh_status eh_capture_stop(struct eh_capture *c, struct eh_capture_stats *stats,
                          struct eh_error *err);

/* Stops if still running and releases; accepts NULL. The kernel releases a
 * packet socket only after an RCU grace period (about 10 ms): that happens
 * in a detached thread, so this returns at once. */
void eh_capture_free(struct eh_capture *c);

#endif
