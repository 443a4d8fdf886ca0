/* faulty-client-waits-for-eof.c - an echo client that waits for the server to close first.
 *
 * The bug: "read until recv() returns 0" without shutdown(SHUT_WR) or
 * close() first. With --read-all it keeps reading after the whole echo came
 * back, waiting for an EOF that the tutorial's server sends only after the
 * client's own: each side waits for the other, and the client never exits.
 * Breaks the rule that a client ends once it has its echo. Same command
 * line (--help) and event log as echo-client, so the harness can run it in
 * the reference build's place.
 */
#include "client.h"

int main(int argc, char **argv)
{
    const struct eh_client_faults faults = {.waits_for_eof = true};
    return eh_client_main(argc, argv, &faults);
}
