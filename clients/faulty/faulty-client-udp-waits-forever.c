/* faulty-client-udp-waits-forever.c - a UDP echo client that waits for ever for its reply.
 *
 * The bug: "the echo always comes back": after sendto() it calls a blocking
 * recvfrom() with no time limit. UDP does not guarantee delivery (RFC 768),
 * so when the datagram or its reply is lost the client never finishes.
 * Breaks the rule that a client waits a bounded time for a reply that may
 * never come, then reports the loss (exit status 1). Same command line
 * (--help) and event log as echo-client, so the harness can run it in the
 * reference build's place.
 */
#include "client.h"

int main(int argc, char **argv)
{
    const struct eh_client_faults faults = {.udp_waits_forever = true};
    return eh_client_main(argc, argv, &faults);
}
