/* faulty-server-udp-merges.c - a UDP echo server that joins datagrams.
 *
 * The bug: UDP read as if it were a byte stream: after a datagram the
 * server keeps reading while more datagrams arrive within 50 ms (poll,
 * then recvfrom with MSG_DONTWAIT) and answers them all with one datagram
 * of their concatenation, sent to the first sender. Two datagrams sent
 * back to back come back as one. Breaks RFC 862 (UDP: one reply per
 * datagram, with that datagram's data) and the message boundaries of
 * UDP. Same command line (--help) and event log as echo-server, so the
 * harness can run it in the reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.udp_merges = true};
    return eh_server_main(argc, argv, &faults);
}
