/* faulty-client-sends-once.c - an echo client that calls send() where sendall() belongs.
 *
 * The bug: one send() of the whole payload, and whatever count it returns
 * is taken as "sent" (always as --send-once). When the send buffer cannot
 * take everything at once (a slow reader, a small SO_SNDBUF, non-blocking
 * mode), the rest of the payload is never sent (send(2): "the number of
 * bytes sent", which may be fewer than asked). Same command line (--help)
 * and event log as echo-client, so the harness can run it in the reference
 * build's place.
 */
#include "client.h"

int main(int argc, char **argv)
{
    const struct eh_client_faults faults = {.sends_once = true};
    return eh_client_main(argc, argv, &faults);
}
