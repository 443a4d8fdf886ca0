/* faulty-client-udp-splits.c - an echo client that cuts a too-large datagram into pieces.
 *
 * The bug: a payload larger than the largest IPv4 datagram (65507 bytes)
 * is "made to fit" by sending it as several datagrams of at most 65507
 * bytes, one sendto() each, instead of letting sendto() fail with EMSGSIZE
 * and reporting it. UDP keeps no order and no boundary between datagrams:
 * the receiver gets separate messages, possibly some lost or reordered,
 * and never the one that was sent. Same command line (--help) and event log
 * as echo-client, so the harness can run it in the reference build's place.
 */
#include "client.h"

int main(int argc, char **argv)
{
    const struct eh_client_faults faults = {.udp_splits = true};
    return eh_client_main(argc, argv, &faults);
}
