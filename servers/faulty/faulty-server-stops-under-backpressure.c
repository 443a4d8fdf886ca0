/* faulty-server-stops-under-backpressure.c - an echo server that drops what it cannot send at once.
 *
 * The bug: a "non-blocking" echo that sends with MSG_DONTWAIT and, when
 * send() says EAGAIN (the socket send buffer is full because the client is
 * not reading), treats the rest of the chunk as sent and reads on. A
 * client that stops reading for a while gets an echo with bytes missing.
 * Breaks RFC 862 (every byte received is sent back) and the rule that a
 * full send buffer means "wait", not "discard". Same command line (--help)
 * and event log as echo-server, so the harness can run it in the reference
 * build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.drops_on_backpressure = true};
    return eh_server_main(argc, argv, &faults);
}
