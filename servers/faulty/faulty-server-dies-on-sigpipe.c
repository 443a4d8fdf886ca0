/* faulty-server-dies-on-sigpipe.c - an echo server that a broken pipe kills.
 *
 * The bug: it neither ignores SIGPIPE nor sends with MSG_NOSIGNAL (as
 * echo-server --keep-sigpipe, always), so a send() after the client has
 * gone kills it with signal 13. Proves that abrupt-close scenarios check
 * that the server survives. Same command line (--help) and event log as
 * echo-server, so the harness can run it in the reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.dies_on_sigpipe = true};
    return eh_server_main(argc, argv, &faults);
}
