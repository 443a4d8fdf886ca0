/* faulty-server-udp-wedged-by-empty.c - a UDP echo server that an empty datagram stops.
 *
 * The bug: the stream idiom "recvfrom() returned 0, so the peer is gone"
 * applied to UDP, where 0 is simply an empty datagram. The first empty
 * datagram ends the reading loop; the process stays alive (until SIGTERM)
 * but echoes nothing more, to anyone. Breaks RFC 862 (an empty datagram is
 * echoed as an empty datagram, and the service goes on). Same command line
 * (--help) and event log as echo-server, so the harness can run it in the
 * reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.udp_wedged_by_empty = true};
    return eh_server_main(argc, argv, &faults);
}
