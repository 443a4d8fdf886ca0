/* faulty-client-no-exit-on-server-close.c - an echo client that ignores the server's close.
 *
 * The bug: "while (received < sent) received += recv(...)", the loop that
 * never checks for 0: when the server closes before the whole echo came
 * back, recv() returns 0 and the client waits for bytes that will never
 * come. (The real loop spins, calling recv() without end; this build
 * sleeps instead, so that its event log stays small.) It waits until it is
 * killed instead of exiting. Breaks recv(2) (0 is end of stream) and the
 * rule that a client ends when the server closes first. Same command line
 * (--help) and event log as echo-client, so the harness can run it in the
 * reference build's place.
 */
#include "client.h"

int main(int argc, char **argv)
{
    const struct eh_client_faults faults = {.no_exit_on_server_close = true};
    return eh_client_main(argc, argv, &faults);
}
