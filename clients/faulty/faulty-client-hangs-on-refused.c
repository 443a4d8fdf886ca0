/* faulty-client-hangs-on-refused.c - an echo client that retries a refused connect forever.
 *
 * The bug: "the server is probably still starting": when connect() fails
 * with ECONNREFUSED it closes the socket, sleeps 100 ms and connects again
 * with a new one, without end, instead of reporting the error and exiting
 * non-zero. A client of a port nobody listens on never finishes. Breaks the
 * rule that a refused connection is an error the client reports (exit
 * status 1, message on stderr). Same command line (--help) and event log as
 * echo-client, so the harness can run it in the reference build's place.
 */
#include "client.h"

int main(int argc, char **argv)
{
    const struct eh_client_faults faults = {.hangs_on_refused = true};
    return eh_client_main(argc, argv, &faults);
}
