/* faulty-server-udp-truncates.c - a UDP echo server that cuts long datagrams.
 *
 * The bug: recvfrom() into a 1024-byte buffer, the size a TCP tutorial
 * uses, whatever --recv-size says. The kernel discards the part of a
 * datagram that does not fit (recv(2): MSG_TRUNC), so a datagram longer
 * than 1024 bytes comes back as its first 1024. Breaks RFC 862 (UDP: the
 * data of each datagram is sent back whole). Same command line (--help)
 * and event log as echo-server, so the harness can run it in the
 * reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.udp_truncates = true};
    return eh_server_main(argc, argv, &faults);
}
