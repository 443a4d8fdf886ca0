/* faulty-server-mixes-streams.c - a concurrent echo server that answers the wrong client.
 *
 * The bug: a shared-state slip in an event loop: one "current client"
 * variable, set by every accept(), used as the destination of every echo.
 * With --concurrent and several clients connected, the data of each comes
 * back to the most recently accepted connection. Breaks RFC 862 (the data
 * goes back to its sender) and the isolation of connections. Same command
 * line (--help) and event log as echo-server, so the harness can run it in
 * the reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.mixes_streams = true};
    return eh_server_main(argc, argv, &faults);
}
